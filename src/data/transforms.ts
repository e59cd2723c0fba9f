/**
 * Image and tensor transforms, mirroring `torchvision.transforms` as factory functions:
 * `compose([randomCrop(28, { padding: 2 }), toTensor(), normalize([0.1307], [0.3081])])`.
 *
 * Geometric transforms accept both a `RawImage` (8-bit pixels, height × width × channels, the role
 * PIL images play in torchvision; browser `ImageData` fits) and a `Tensor` whose last two dims are
 * height and width. Random ones draw from the core generator given in their options, else the default.
 * This file holds the basics (compose, toTensor, normalize, pad, crops, flips); the rest of
 * torchvision's transforms live in transforms-geometry.ts, transforms-color.ts,
 * transforms-auto.ts, transforms-augmix.ts and transforms-elastic.ts, and the deterministic ops
 * (`transforms.functional`) in transforms-functional*.ts, all re-exported here.
 */
import { Generator, Tensor, asTensor, tensor } from "../core.js";
import { TensileError } from "../errors.js";
import { randomInt, uniform } from "./random.js";

export type Transform<I = unknown, O = I> = (input: I) => O;

/** 8-bit pixels in row-major height × width × channels order (`channels` defaults to data.length / (height·width)). */
export interface RawImage {
  readonly data: Uint8Array | Uint8ClampedArray;
  readonly height: number;
  readonly width: number;
  readonly channels?: number;
}

export type ImageLike = RawImage | Tensor;

export type PaddingMode = "constant" | "edge" | "reflect" | "symmetric";

/** Applies `transforms` left to right. */
export function compose<I = unknown, O = unknown>(transforms: readonly Transform<never, unknown>[]): Transform<I, O> {
  if (!Array.isArray(transforms)) throw new TensileError(`compose: transforms must be an array of transforms, got ${typeof transforms === "string" ? JSON.stringify(transforms) : String(transforms)}`);
  transforms.forEach((t, i) => {
    if (typeof t !== "function") throw new TensileError(`compose: transform ${i} is not a function`);
  });
  return (input: I) => transforms.reduce<unknown>((x, t) => (t as Transform<unknown, unknown>)(x), input) as O;
}

/** Wraps a user function as a transform (torchvision's `Lambda`). */
export function lambda<I, O>(fn: (input: I) => O): Transform<I, O> {
  if (typeof fn !== "function") throw new TensileError("lambda: argument is not a function");
  return fn;
}

/**
 * Pixels → float32 tensor `[C, H, W]`. A `RawImage` or an int32 tensor `[H, W]`/`[H, W, C]` holds
 * 0–255 values and is scaled to [0, 1]; a float tensor `[H, W]`/`[H, W, C]` is only transposed.
 */
export function toTensor(): Transform<ImageLike, Tensor> {
  return (img) => {
    let src: ArrayLike<number>, h: number, w: number, c: number, scale: number;
    if (img instanceof Tensor) {
      if (img.ndim !== 2 && img.ndim !== 3)
        throw new TensileError(`toTensor: expected an image tensor [H, W] or [H, W, C], got shape [${img.shape.join(", ")}]`);
      if (img.dtype === "bool") throw new TensileError("toTensor: bool tensors are not images");
      [h, w, c = 1] = img.shape as [number, number, number?];
      src = img.dataSync();
      scale = img.dtype === "int32" ? 1 / 255 : 1;
    } else {
      ({ h, w, c } = rawGeometry("toTensor", img));
      src = img.data;
      scale = 1 / 255;
    }
    const out = new Float32Array(c * h * w);
    const hw = h * w;
    if (c === 1) for (let i = 0; i < hw; i++) out[i] = src[i]! * scale;
    else for (let p = 0; p < hw; p++) for (let k = 0; k < c; k++) out[k * hw + p] = src[p * c + k]! * scale;
    return asTensor(out, { shape: [c, h, w], dtype: "float32" });
  };
}

/**
 * `(x - mean[c]) / std[c]` per channel of a float tensor `[..., C, H, W]`. `mean` and `std` are
 * numbers (every element) or one value per channel (a single-element list also applies to all).
 */
export function normalize(mean: number | readonly number[], std: number | readonly number[]): Transform<Tensor, Tensor> {
  const m = typeof mean === "number" ? [mean] : [...mean];
  const s = typeof std === "number" ? [std] : [...std];
  if (m.length === 0 || s.length === 0) throw new TensileError("normalize: mean and std must not be empty");
  for (const [name, v] of [["mean", m], ["std", s]] as const) {
    // a NaN (or a non-number) would turn every pixel of its channel into NaN without a word
    const bad = v.findIndex((x) => typeof x !== "number" || !Number.isFinite(x));
    if (bad >= 0) throw new TensileError(`normalize: ${name} must be finite numbers, got ${typeof v[bad] === "string" ? JSON.stringify(v[bad]) : String(v[bad])} at channel ${bad} (${name}=[${v.join(", ")}])`);
  }
  if (m.length > 1 && s.length > 1 && m.length !== s.length)
    throw new TensileError(`normalize: mean and std must have the same number of channels, got ${m.length} and ${s.length}`);
  const zero = s.findIndex((v) => v === 0);
  if (zero >= 0) throw new TensileError(`normalize: std evaluated to zero at channel ${zero}, leading to division by zero`);
  return (x) => {
    if (!(x instanceof Tensor)) throw new TensileError("normalize: input should be a Tensor (apply toTensor() first)");
    if (x.dtype !== "float32" && x.dtype !== "float64")
      throw new TensileError(`normalize: input tensor should be a float tensor, got ${x.dtype}`);
    const channels = Math.max(m.length, s.length);
    if (channels === 1) return x.sub(m[0]!).div(s[0]!);
    if (x.ndim < 3)
      throw new TensileError(`normalize: per-channel mean/std need a tensor [..., C, H, W], got shape [${x.shape.join(", ")}]`);
    const c = x.shape[x.ndim - 3]!;
    for (const [name, v] of [["mean", m], ["std", s]] as const)
      if (v.length !== 1 && v.length !== c)
        throw new TensileError(`normalize: ${name} has ${v.length} values but the tensor has ${c} channels (shape [${x.shape.join(", ")}])`);
    const col = (v: number[]) => tensor(v.length === 1 ? new Array<number>(c).fill(v[0]!) : v, { dtype: x.dtype }).reshape([c, 1, 1]);
    return x.sub(col(m)).div(col(s));
  };
}

/** Padding as torchvision: n (all sides), [left/right, top/bottom] or [left, top, right, bottom]. */
export type Padding = number | readonly [number, number] | readonly [number, number, number, number];

export interface PadOptions {
  fill?: number;
  paddingMode?: PaddingMode;
}

/** Pads the borders of an image (`paddingMode`: constant `fill`, edge, reflect or symmetric). */
export function pad(padding: Padding, options: PadOptions = {}): Transform<ImageLike, ImageLike> {
  options ??= {};
  const [l, t, r, b] = parsePadding("pad", padding);
  const mode = parseMode("pad", options.paddingMode);
  return (img) => {
    const g = geometry("pad", img);
    // reflect pads mirror once about the edge pixel: torch refuses a pad as long as the side (as `functional.pad`)
    if (mode === "reflect" && !(l < g.w && r < g.w && t < g.h && b < g.h))
      throw new TensileError(`pad: padding size should be less than the corresponding input dimension, got padding [${l}, ${t}, ${r}, ${b}] for an image of height ${g.h} and width ${g.w}`);
    return window(img, g, { top: -t, left: -l, height: g.h + t + b, width: g.w + l + r, mode, fill: options.fill ?? 0 });
  };
}

export interface RandomCropOptions extends PadOptions {
  /** Pad the borders first (same forms as `pad`). */
  padding?: Padding;
  /** Pad images smaller than the crop size up to it, rather than throwing. */
  padIfNeeded?: boolean;
  generator?: Generator;
}

/** Crops a random `size` (a number for square, or [height, width]) window, optionally after padding. */
export function randomCrop(size: number | readonly [number, number], options: RandomCropOptions = {}): Transform<ImageLike, ImageLike> {
  options ??= {};
  const [th, tw] = parseSize("randomCrop", size);
  const [l, t, r, b] = options.padding === undefined ? [0, 0, 0, 0] : parsePadding("randomCrop", options.padding);
  const mode = parseMode("randomCrop", options.paddingMode);
  return (img) => {
    const g = geometry("randomCrop", img);
    let padT = t, padL = l;
    let h = g.h + t + b, w = g.w + l + r;
    // torchvision pads by the shortfall on both sides.
    if (options.padIfNeeded && h < th) { padT += th - h; h += 2 * (th - h); }
    if (options.padIfNeeded && w < tw) { padL += tw - w; w += 2 * (tw - w); }
    if (h < th || w < tw)
      throw new TensileError(`randomCrop: required crop size (${th}, ${tw}) is larger than input image size (${h}, ${w})`);
    const i = h === th ? 0 : randomInt(0, h - th + 1, options.generator);
    const j = w === tw ? 0 : randomInt(0, w - tw + 1, options.generator);
    return window(img, g, { top: i - padT, left: j - padL, height: th, width: tw, mode, fill: options.fill ?? 0 });
  };
}

const roundHalfEven = (v: number) => { const f = Math.floor(v); return v - f === 0.5 ? (f % 2 === 0 ? f : f + 1) : Math.round(v); };

/** Crops the central `size` window (padding with zeros when the image is smaller, as torchvision). */
export function centerCrop(size: number | readonly [number, number]): Transform<ImageLike, ImageLike> {
  const [th, tw] = parseSize("centerCrop", size);
  return (img) => {
    const g = geometry("centerCrop", img);
    // torchvision pads a too-small side by ⌊(t − n)/2⌋ before, then takes round((n − t)/2) (Python's
    // round: halves to even, so a 6-row image cropped to 5 starts at row 0, not 1)
    const start = (n: number, t: number) => (t > n ? -((t - n) >> 1) : roundHalfEven((n - t) / 2));
    const top = start(g.h, th), left = start(g.w, tw);
    return window(img, g, { top, left, height: th, width: tw, mode: "constant", fill: 0 });
  };
}

/** Mirrors the image left–right with probability `p`. */
export function randomHorizontalFlip(p = 0.5, options: { generator?: Generator } = {}): Transform<ImageLike, ImageLike> {
  options ??= {};
  checkProbability("randomHorizontalFlip", p);
  return (img) => {
    const g = geometry("randomHorizontalFlip", img);
    if (!(uniform(options.generator) < p)) return img;
    return window(img, g, { top: 0, left: 0, height: g.h, width: g.w, mode: "constant", fill: 0, flipX: true });
  };
}

/** Mirrors the image top–bottom with probability `p`. */
export function randomVerticalFlip(p = 0.5, options: { generator?: Generator } = {}): Transform<ImageLike, ImageLike> {
  options ??= {};
  checkProbability("randomVerticalFlip", p);
  return (img) => {
    const g = geometry("randomVerticalFlip", img);
    if (!(uniform(options.generator) < p)) return img;
    return window(img, g, { top: 0, left: 0, height: g.h, width: g.w, mode: "constant", fill: 0, flipY: true });
  };
}

// ---- geometry helpers ----

interface Geometry { h: number; w: number; c: number }

function rawGeometry(op: string, img: RawImage): Geometry {
  const { height: h, width: w } = img;
  if (!img || !(img.data instanceof Uint8Array || img.data instanceof Uint8ClampedArray) || !Number.isInteger(h) || !Number.isInteger(w) || h < 1 || w < 1)
    throw new TensileError(`${op}: expected a Tensor or a RawImage {data: Uint8Array, height, width, channels?}`);
  const c = img.channels ?? img.data.length / (h * w);
  if (!Number.isInteger(c) || c < 1 || img.data.length !== h * w * c)
    throw new TensileError(`${op}: RawImage data has ${img.data.length} bytes, which does not fit height ${h} × width ${w}${img.channels ? ` × channels ${img.channels}` : ""}`);
  return { h, w, c };
}

function geometry(op: string, img: ImageLike): Geometry {
  if (img instanceof Tensor) {
    if (img.ndim < 2) throw new TensileError(`${op}: expected a tensor [..., H, W], got shape [${img.shape.join(", ")}]`);
    const h = img.shape[img.ndim - 2]!, w = img.shape[img.ndim - 1]!;
    return { h, w, c: h * w === 0 ? 0 : img.numel() / (h * w) };
  }
  return rawGeometry(op, img);
}

interface WindowSpec {
  top: number; left: number; height: number; width: number;
  mode: PaddingMode; fill: number; flipX?: boolean; flipY?: boolean;
}

/** Source coordinate for `i` in [−∞, ∞) on an axis of length n, or −1 for "use fill". */
function mapCoord(i: number, n: number, mode: PaddingMode): number {
  if (i >= 0 && i < n) return i;
  switch (mode) {
    case "constant": return -1;
    case "edge": return i < 0 ? 0 : n - 1;
    case "reflect": {
      if (n === 1) return 0;
      const period = 2 * (n - 1);
      const k = ((i % period) + period) % period;
      return k < n ? k : period - k;
    }
    case "symmetric": {
      const period = 2 * n;
      const k = ((i % period) + period) % period;
      return k < n ? k : period - 1 - k;
    }
  }
}

/**
 * The output pixel (y, x) of every plane reads source pixel (top + y, left + x), with coordinates
 * outside the image resolved by `mode`, and optional mirroring of the output: one pass does padding,
 * cropping and flipping for both layouts (tensor planes [..., H, W], RawImage H × W × C).
 */
function window(img: ImageLike, g: Geometry, spec: WindowSpec): ImageLike {
  const { height: oh, width: ow } = spec;
  const rows = new Int32Array(oh), cols = new Int32Array(ow);
  for (let y = 0; y < oh; y++) rows[y] = mapCoord(spec.top + (spec.flipY ? oh - 1 - y : y), g.h, spec.mode);
  for (let x = 0; x < ow; x++) cols[x] = mapCoord(spec.left + (spec.flipX ? ow - 1 - x : x), g.w, spec.mode);
  if (img instanceof Tensor) {
    const src = img.dataSync();
    const out = new (src.constructor as new (n: number) => typeof src)(g.c * oh * ow);
    const inPlane = g.h * g.w, outPlane = oh * ow;
    for (let p = 0; p < g.c; p++)
      for (let y = 0; y < oh; y++) {
        const sy = rows[y]!;
        for (let x = 0; x < ow; x++) {
          const sx = cols[x]!;
          out[p * outPlane + y * ow + x] = sy < 0 || sx < 0 ? spec.fill : src[p * inPlane + sy * g.w + sx]!;
        }
      }
    return tensor(out, { shape: [...img.shape.slice(0, -2), oh, ow], dtype: img.dtype });
  }
  const src = img.data, c = g.c;
  const out = new Uint8Array(oh * ow * c);
  for (let y = 0; y < oh; y++) {
    const sy = rows[y]!;
    for (let x = 0; x < ow; x++) {
      const sx = cols[x]!;
      for (let k = 0; k < c; k++) out[(y * ow + x) * c + k] = sy < 0 || sx < 0 ? spec.fill : src[(sy * g.w + sx) * c + k]!;
    }
  }
  return { data: out, height: oh, width: ow, channels: c };
}

function parseSize(op: string, size: number | readonly [number, number]): [number, number] {
  const s = typeof size === "number" ? [size, size] : [...size];
  if (s.length !== 2 || !s.every((v) => Number.isInteger(v) && v > 0))
    throw new TensileError(`${op}: size should be a positive integer or [height, width], got ${JSON.stringify(size)}`);
  return s as [number, number];
}

function parsePadding(op: string, p: Padding): [number, number, number, number] {
  const v = typeof p === "number" ? [p] : [...p];
  if (!(v.length === 1 || v.length === 2 || v.length === 4) || !v.every((x) => Number.isInteger(x) && x >= 0))
    throw new TensileError(`${op}: padding should be a non-negative integer or a list of 2 or 4 of them, got ${JSON.stringify(p)}`);
  if (v.length === 1) return [v[0]!, v[0]!, v[0]!, v[0]!];
  if (v.length === 2) return [v[0]!, v[1]!, v[0]!, v[1]!];
  return v as [number, number, number, number];
}

function parseMode(op: string, mode: PaddingMode | undefined): PaddingMode {
  const m = mode ?? "constant";
  if (!["constant", "edge", "reflect", "symmetric"].includes(m))
    throw new TensileError(`${op}: paddingMode should be constant, edge, reflect or symmetric, got ${JSON.stringify(mode)}`);
  return m;
}

function checkProbability(op: string, p: number): void {
  if (typeof p !== "number" || !(p >= 0 && p <= 1)) throw new TensileError(`${op}: probability p should be in [0, 1], got ${p}`);
}

// torchvision's other transforms, split by topic; the deterministic ops are `transforms.functional`
export * from "./transforms-geometry.js";
export * from "./transforms-color.js";
export * from "./transforms-auto.js";
export * from "./transforms-augmix.js";
export * from "./transforms-elastic.js";
export type { Interpolation, Fill } from "./transforms-common.js";
export * as functional from "./transforms-functional.js";
