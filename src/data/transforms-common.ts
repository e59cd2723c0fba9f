/**
 * Shared plumbing of the image transforms (src/data/transforms*.ts): the float-image contract of
 * the tensor ops, the round trip that lets `RawImage`s and int32 tensors (0–255) through them, and
 * the argument checks that several transforms share. Kept apart so the functional and random
 * transform files do not import each other in a cycle.
 */
import { linspaceValues } from "../tensor/linspace.js";
import { Tensor, asTensor } from "../core.js";
import { TensileError } from "../errors.js";
import type { ImageLike, RawImage } from "./transforms.js";

export type Interpolation = "nearest" | "bilinear" | "bicubic";
/** A fill value for the area a geometric transform uncovers: one number, or one per channel. */
export type Fill = number | readonly number[];

const shapeOf = (x: Tensor) => `[${x.shape.join(", ")}]`;

/** Asserts a float tensor image [..., H, W] (at least `minDims` dims) and returns it. */
export function floatImage(op: string, img: Tensor, minDims = 2): Tensor {
  if (!(img instanceof Tensor)) throw new TensileError(`${op}: expected an image Tensor [..., C, H, W], got ${typeof img}`);
  if (img.ndim < minDims)
    throw new TensileError(`${op}: input image tensor should have at least ${minDims} dimensions, but found ${img.ndim} (shape ${shapeOf(img)})`);
  if (img.dtype !== "float32" && img.dtype !== "float64")
    throw new TensileError(`${op}: expected a float image tensor with values in [0, 1], got ${img.dtype} (use convertImageDtype("float32") first)`);
  return img;
}

/** The channel count of a tensor image [..., C, H, W] (1 for [H, W]). */
export function channelsOf(img: Tensor): number {
  return img.ndim === 2 ? 1 : img.shape[img.ndim - 3]!;
}

/** Asserts the channel count is one of `permitted` (torchvision's `_assert_channels`). */
export function checkChannels(op: string, img: Tensor, permitted: readonly number[]): void {
  const c = channelsOf(img);
  if (!permitted.includes(c))
    throw new TensileError(`${op}: input image tensor permitted channel values are [${permitted.join(", ")}], but found ${c} (shape ${shapeOf(img)})`);
}

/**
 * Runs a float-image op on any `ImageLike`: float tensors go straight through; a `RawImage` (H × W × C
 * bytes) or an int32 tensor of 0–255 values is divided by 255, transformed, and rounded back to 0–255.
 * With `byteScale` (ops that commute with scaling: resize, blur) the bytes are transformed as they
 * are, in float32, and rounded, as torchvision's uint8 kernels do — the detour through /255 and ·255
 * moves results that land on a half (170.49998 in torchvision) to the other side of it.
 */
export function viaFloat(op: string, img: ImageLike, fn: (x: Tensor) => Tensor, byteScale = false): ImageLike {
  const k = byteScale ? 1 : 255;
  if (img instanceof Tensor) {
    if (img.dtype === "float32" || img.dtype === "float64") return fn(img);
    if (img.dtype !== "int32") throw new TensileError(`${op}: expected a float or int32 (0–255) image tensor, got ${img.dtype}`);
    const x = img.to("float32");
    return byteScale ? fn(x).round().clamp(0, 255).to("int32") : fn(x.div(255)).mul(255).round().clamp(0, 255).to("int32");
  }
  const { data, height: h, width: w } = img as RawImage;
  if (!img || !(data instanceof Uint8Array || data instanceof Uint8ClampedArray) || !(h > 0) || !(w > 0))
    throw new TensileError(`${op}: expected a Tensor or a RawImage {data: Uint8Array, height, width, channels?}`);
  const c = img.channels ?? data.length / (h * w);
  if (!Number.isInteger(c) || c < 1 || data.length !== h * w * c)
    throw new TensileError(`${op}: RawImage data has ${data.length} bytes, which does not fit height ${h} × width ${w}`);
  const hw = h * w;
  const chw = new Float32Array(c * hw);
  for (let p = 0; p < hw; p++) for (let q = 0; q < c; q++) chw[q * hw + p] = data[p * c + q]! / k;
  const y = fn(asTensor(chw, { shape: [c, h, w], dtype: "float32" }));
  const [oc, oh, ow] = y.shape.slice(-3) as [number, number, number];
  const src = y.dataSync(), ohw = oh * ow;
  const out = new Uint8Array(oc * ohw);
  for (let p = 0; p < ohw; p++)
    for (let q = 0; q < oc; q++) {
      const v = src[q * ohw + p]!;
      out[p * oc + q] = Math.min(255, Math.max(0, byteScale ? roundHalfEven(v) : Math.round(v * 255)));
    }
  return { data: out, height: oh, width: ow, channels: oc };
}

/** Python's / torch's round: halves to even. */
function roundHalfEven(v: number): number {
  const f = Math.floor(v);
  return v - f === 0.5 ? (f % 2 === 0 ? f : f + 1) : Math.round(v);
}

/** Height and width of an image of any kind. */
export function imageSize(op: string, img: ImageLike): [number, number] {
  if (img instanceof Tensor) {
    if (img.ndim < 2) throw new TensileError(`${op}: expected a tensor [..., H, W], got shape ${shapeOf(img)}`);
    return [img.shape[img.ndim - 2]!, img.shape[img.ndim - 1]!];
  }
  if (!img || !Number.isInteger(img.height) || !Number.isInteger(img.width))
    throw new TensileError(`${op}: expected a Tensor or a RawImage {data: Uint8Array, height, width, channels?}`);
  return [img.height, img.width];
}

/** Channel count of an image of any kind. */
export function imageChannels(img: ImageLike): number {
  if (img instanceof Tensor) return channelsOf(img);
  return img.channels ?? img.data.length / (img.height * img.width);
}

export function checkProbability(op: string, p: number): void {
  if (typeof p !== "number" || !(p >= 0 && p <= 1)) throw new TensileError(`${op}: probability p should be in [0, 1], got ${p}`);
}

export function checkInterpolation(op: string, mode: unknown, allowed: readonly Interpolation[]): Interpolation {
  if (!allowed.includes(mode as Interpolation))
    throw new TensileError(`${op}: interpolation mode ${JSON.stringify(mode)} is unsupported (expected ${allowed.map((m) => `"${m}"`).join(", ")})`);
  return mode as Interpolation;
}

/** size → [height, width]: a positive integer (square) or a list of one or two. */
export function parseHW(op: string, size: number | readonly number[]): [number, number] {
  const s = typeof size === "number" ? [size, size] : Array.isArray(size) && size.length === 1 ? [size[0], size[0]] : [...(size as number[])];
  if (s.length !== 2 || !s.every((v) => Number.isInteger(v) && v > 0))
    throw new TensileError(`${op}: size should be a positive integer or [height, width], got ${JSON.stringify(size)}`);
  return s as [number, number];
}

/** torchvision's `_setup_angle`: a non-negative number d → [−d, d], or a list of `sizes` numbers. */
export function parseRange(op: string, name: string, v: number | readonly number[], sizes: readonly number[] = [2]): number[] {
  if (typeof v === "number") {
    if (!(v >= 0)) throw new TensileError(`${op}: if ${name} is a single number, it must be positive, got ${v}`);
    return [-v, v];
  }
  if (!Array.isArray(v) || !sizes.includes(v.length) || !v.every((x) => typeof x === "number" && Number.isFinite(x)))
    throw new TensileError(`${op}: ${name} should be a sequence of length ${sizes.join(" or ")}, got ${JSON.stringify(v)}`);
  return [...v];
}

/** Fill as one value per channel (torchvision's transforms expand a number to every channel). */
export function fillList(op: string, fill: Fill | null | undefined, channels: number): number[] | null {
  if (fill === null || fill === undefined) return null;
  const f = typeof fill === "number" ? [fill] : [...fill];
  if (!f.every((v) => typeof v === "number")) throw new TensileError(`${op}: fill should be a number or a list of numbers, got ${JSON.stringify(fill)}`);
  if (f.length > 1 && f.length !== channels)
    throw new TensileError(`${op}: the number of elements in 'fill' cannot broadcast to match the number of channels of the image (${f.length} != ${channels})`);
  return f;
}

/** torch.linspace in float32, value for value as PyTorch's CPU kernel (see tensor/linspace.ts). */
export function linspace32(start: number, end: number, steps: number): number[] {
  return linspaceValues(start, end, steps, "float32");
}

/** A fill given on the image's own scale as the float scale: bytes (RawImage, int32 tensors) are divided by 255. */
export function fillForFloat(fill: number[] | null, img: ImageLike): number[] | null {
  const bytes = !(img instanceof Tensor) || img.dtype === "int32";
  return fill && bytes ? fill.map((v) => v / 255) : fill;
}
