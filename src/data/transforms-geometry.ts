/**
 * Geometric transforms of torchvision (resize, random resized crop, five/ten crops, random
 * rotation / affine / perspective, random erasing) as factory functions. Each samples its
 * parameters as torchvision's `get_params` does, from the core generator given as `generator`
 * (else the default), and calls the deterministic op of `data.transforms.functional`.
 * The `…Params` functions expose that sampling (tests check them against the ops).
 *
 * Inputs: float tensors [..., C, H, W] in [0, 1]; a `RawImage` or an int32 tensor of 0–255 values
 * goes through float and is rounded back (see transforms-common.ts `viaFloat`).
 */
import { Generator, Tensor, normal, tensor } from "../core.js";
import { TensileError } from "../errors.js";
import { randomInt, uniform } from "./random.js";
import type { ImageLike, Transform } from "./transforms.js";
import {
  type Fill, type Interpolation, checkInterpolation, checkProbability, fillForFloat, fillList, floatImage, imageChannels, imageSize, parseHW, parseRange, viaFloat,
} from "./transforms-common.js";
import * as G from "./transforms-functional-geometry.js";

const check = (ok: boolean, op: string, msg: () => string) => { if (!ok) throw new TensileError(`${op}: ${msg()}`); };
const between = (a: number, b: number, g?: Generator) => a + (b - a) * uniform(g);
/** Python's round(): halves to even. */
const pyRound = (v: number) => { const f = Math.floor(v); return v - f === 0.5 ? (f % 2 === 0 ? f : f + 1) : Math.round(v); };

/** Resizes to `size` (see `functional.resize`: a number matches the smaller edge). */
export function resize(size: number | readonly number[], options: G.ResizeOptions = {}): Transform<ImageLike, ImageLike> {
  options ??= {};
  G.resizedSize("resize", 2, 3, size, options.maxSize); // validates size and maxSize now
  checkInterpolation("resize", options.interpolation ?? "bilinear", ["nearest", "bilinear", "bicubic"]);
  return (img) => viaFloat("resize", img, (x) => G.resize(x, size, options), true);
}

/** A fill's type (a number or a list of numbers), checked when the transform is made; its length is checked against the image's channels when applied. */
function checkFill(op: string, fill: unknown): void {
  if (fill !== null && fill !== undefined) fillList(op, fill as Fill, Array.isArray(fill) ? fill.length : 1);
}

function checkPair(op: string, name: string, v: readonly number[]): [number, number] {
  check(Array.isArray(v) && v.length === 2 && v.every((x) => typeof x === "number" && Number.isFinite(x)), op, () => `${name} should be a sequence of 2 numbers, got ${JSON.stringify(v)}`);
  return [v[0]!, v[1]!];
}

/** torchvision's `RandomResizedCrop.get_params`: [top, left, height, width]. */
export function randomResizedCropParams(height: number, width: number, scale: readonly number[], ratio: readonly number[], generator?: Generator): [number, number, number, number] {
  const area = height * width;
  const logRatio = [Math.log(ratio[0]!), Math.log(ratio[1]!)];
  for (let k = 0; k < 10; k++) {
    const target = area * between(scale[0]!, scale[1]!, generator);
    const aspect = Math.exp(between(logRatio[0]!, logRatio[1]!, generator));
    const w = pyRound(Math.sqrt(target * aspect)), h = pyRound(Math.sqrt(target / aspect));
    if (w > 0 && w <= width && h > 0 && h <= height)
      return [randomInt(0, height - h + 1, generator), randomInt(0, width - w + 1, generator), h, w];
  }
  const inRatio = width / height;
  let w = width, h = height;
  if (inRatio < Math.min(...ratio)) h = pyRound(w / Math.min(...ratio));
  else if (inRatio > Math.max(...ratio)) w = pyRound(h * Math.max(...ratio));
  return [(height - h) >> 1, (width - w) >> 1, h, w];
}

export interface RandomResizedCropOptions extends Omit<G.ResizeOptions, "maxSize"> {
  /** Range of the crop's area as a fraction of the image's (default [0.08, 1]). */
  scale?: readonly number[];
  /** Range of the crop's aspect ratio w/h, sampled log-uniformly (default [3/4, 4/3]). */
  ratio?: readonly number[];
  generator?: Generator;
}

/** Crops a random area and aspect ratio, then resizes to `size` (Inception-style augmentation). */
export function randomResizedCrop(size: number | readonly number[], options: RandomResizedCropOptions = {}): Transform<ImageLike, ImageLike> {
  const op = "randomResizedCrop";
  options ??= {};
  const out = parseHW(op, size);
  const scale = checkPair(op, "scale", options.scale ?? [0.08, 1]);
  const ratio = checkPair(op, "ratio", options.ratio ?? [3 / 4, 4 / 3]);
  check(scale[0] >= 0 && scale[0] <= scale[1] && ratio[0] > 0 && ratio[0] <= ratio[1], op, () =>
    `scale and ratio should be ranges (min, max) of non-negative (scale) and positive (ratio) values, got scale ${JSON.stringify(scale)} and ratio ${JSON.stringify(ratio)}`);
  const mode = checkInterpolation(op, options.interpolation ?? "bilinear", ["nearest", "bilinear", "bicubic"]);
  return (img) => {
    const [h, w] = imageSize(op, img);
    const [i, j, ch, cw] = randomResizedCropParams(h, w, scale, ratio, options.generator);
    return viaFloat(op, img, (x) => G.resizedCrop(x, i, j, ch, cw, out, { interpolation: mode, antialias: options.antialias }), true);
  };
}

/** The four corner crops and the central crop: [topLeft, topRight, bottomLeft, bottomRight, center]. */
export function fiveCrop(size: number | readonly number[]): Transform<ImageLike, ImageLike[]> {
  const s = parseHW("fiveCrop", size);
  return (img) => {
    const crops: Tensor[] = [];
    viaFloat("fiveCrop", img, (x) => { crops.push(...G.fiveCrop(x, s)); return x; });
    return img instanceof Tensor && (img.dtype === "float32" || img.dtype === "float64") ? crops : crops.map((c) => viaFloat("fiveCrop", img, () => c));
  };
}

/** `fiveCrop` of the image and of its mirror (left–right, or top–bottom with `verticalFlip`): ten images. */
export function tenCrop(size: number | readonly number[], verticalFlip = false): Transform<ImageLike, ImageLike[]> {
  const s = parseHW("tenCrop", size);
  return (img) => {
    const crops: Tensor[] = [];
    viaFloat("tenCrop", img, (x) => { crops.push(...G.tenCrop(x, s, verticalFlip)); return x; });
    return img instanceof Tensor && (img.dtype === "float32" || img.dtype === "float64") ? crops : crops.map((c) => viaFloat("tenCrop", img, () => c));
  };
}

export interface RandomRotationOptions {
  interpolation?: Interpolation;
  expand?: boolean;
  center?: readonly number[] | null;
  /** Value(s) for the area outside the rotated image (default 0). */
  fill?: Fill;
  generator?: Generator;
}

/** Rotates by an angle drawn uniformly from [−degrees, degrees] (or [min, max]). */
export function randomRotation(degrees: number | readonly number[], options: RandomRotationOptions = {}): Transform<ImageLike, ImageLike> {
  const op = "randomRotation";
  options ??= {};
  const range = parseRange(op, "degrees", degrees);
  check(range[0]! <= range[1]!, op, () => `degrees should be [min, max] with min <= max, got ${JSON.stringify(degrees)}`);
  const mode = checkInterpolation(op, options.interpolation ?? "nearest", ["nearest", "bilinear", "bicubic"]);
  if (options.center != null) checkPair(op, "center", options.center);
  checkFill(op, options.fill);
  return (img) => {
    const fill = fillForFloat(fillList(op, options.fill ?? 0, imageChannels(img)), img);
    const angle = between(range[0]!, range[1]!, options.generator);
    return viaFloat(op, img, (x) => G.rotate(x, angle, { interpolation: mode, expand: options.expand, center: options.center, fill }));
  };
}

export interface RandomAffineOptions {
  /** Maximum absolute translation as fractions [a, b] of the width and height. */
  translate?: readonly number[] | null;
  /** Range [min, max] of the scale factor. */
  scale?: readonly number[] | null;
  /** Shear in degrees: d (x in [−d, d]), [min, max] (x) or [xmin, xmax, ymin, ymax]. */
  shear?: number | readonly number[] | null;
  interpolation?: Interpolation;
  fill?: Fill;
  center?: readonly number[] | null;
  generator?: Generator;
}

export interface AffineParams { angle: number; translate: [number, number]; scale: number; shear: [number, number] }

/** torchvision's `RandomAffine.get_params` for an image of `width` × `height` (ranges already parsed). */
export function randomAffineParams(degrees: readonly number[], translate: readonly number[] | null, scaleRange: readonly number[] | null, shears: readonly number[] | null, width: number, height: number, generator?: Generator): AffineParams {
  const angle = between(degrees[0]!, degrees[1]!, generator);
  let translateXY: [number, number] = [0, 0];
  if (translate) {
    const dx = translate[0]! * width, dy = translate[1]! * height;
    translateXY = [pyRound(between(-dx, dx, generator)), pyRound(between(-dy, dy, generator))];
  }
  const scale = scaleRange ? between(scaleRange[0]!, scaleRange[1]!, generator) : 1;
  let shear: [number, number] = [0, 0];
  if (shears) {
    shear = [between(shears[0]!, shears[1]!, generator), 0];
    if (shears.length === 4) shear[1] = between(shears[2]!, shears[3]!, generator);
  }
  return { angle, translate: translateXY, scale, shear };
}

/** Random rotation, translation, scale and shear about the image centre. */
export function randomAffine(degrees: number | readonly number[], options: RandomAffineOptions = {}): Transform<ImageLike, ImageLike> {
  const op = "randomAffine";
  options ??= {};
  const range = parseRange(op, "degrees", degrees);
  const translate = options.translate == null ? null : checkPair(op, "translate", options.translate);
  if (translate) check(translate.every((t) => t >= 0 && t <= 1), op, () => `translation values should be between 0 and 1, got ${JSON.stringify(translate)}`);
  const scale = options.scale == null ? null : checkPair(op, "scale", options.scale);
  if (scale) check(scale.every((s) => s > 0), op, () => `scale values should be positive, got ${JSON.stringify(scale)}`);
  const shear = options.shear == null ? null : parseRange(op, "shear", options.shear, [2, 4]);
  const mode = checkInterpolation(op, options.interpolation ?? "nearest", ["nearest", "bilinear", "bicubic"]);
  if (options.center != null) checkPair(op, "center", options.center);
  checkFill(op, options.fill);
  return (img) => {
    const fill = fillForFloat(fillList(op, options.fill ?? 0, imageChannels(img)), img);
    const [h, w] = imageSize(op, img);
    const p = randomAffineParams(range, translate, scale, shear, w, h, options.generator);
    return viaFloat(op, img, (x) => G.affine(x, p.angle, p.translate, p.scale, p.shear, { interpolation: mode, fill, center: options.center }));
  };
}

/** torchvision's `RandomPerspective.get_params`: [startpoints, endpoints] (corners as [x, y]). */
export function randomPerspectiveParams(width: number, height: number, distortionScale: number, generator?: Generator): [number[][], number[][]] {
  const hw = Math.trunc(distortionScale * (width >> 1)), hh = Math.trunc(distortionScale * (height >> 1));
  const r = (lo: number, hi: number) => randomInt(lo, hi, generator);
  const topleft = [r(0, hw + 1), r(0, hh + 1)];
  const topright = [r(width - hw - 1, width), r(0, hh + 1)];
  const botright = [r(width - hw - 1, width), r(height - hh - 1, height)];
  const botleft = [r(0, hw + 1), r(height - hh - 1, height)];
  return [[[0, 0], [width - 1, 0], [width - 1, height - 1], [0, height - 1]], [topleft, topright, botright, botleft]];
}

/** With probability `p`, moves each corner inwards by up to `distortionScale` of half the size and warps. */
export function randomPerspective(distortionScale = 0.5, p = 0.5, options: { interpolation?: Interpolation; fill?: Fill; generator?: Generator } = {}): Transform<ImageLike, ImageLike> {
  const op = "randomPerspective";
  options ??= {};
  check(typeof distortionScale === "number" && distortionScale >= 0 && distortionScale <= 1, op, () => `distortionScale should be in [0, 1], got ${distortionScale}`);
  checkProbability(op, p);
  const mode = checkInterpolation(op, options.interpolation ?? "bilinear", ["nearest", "bilinear", "bicubic"]);
  return (img) => {
    const fill = fillForFloat(fillList(op, options.fill ?? 0, imageChannels(img)), img);
    if (!(uniform(options.generator) < p)) return img;
    const [h, w] = imageSize(op, img);
    const [start, end] = randomPerspectiveParams(w, h, distortionScale, options.generator);
    return viaFloat(op, img, (x) => G.perspective(x, start, end, { interpolation: mode, fill }));
  };
}

export interface RandomErasingOptions {
  /** Probability of erasing (default 0.5). */
  p?: number;
  /** Range of the erased area as a fraction of the image's (default [0.02, 0.33]). */
  scale?: readonly number[];
  /** Range of its aspect ratio h/w, sampled log-uniformly (default [0.3, 3.3]). */
  ratio?: readonly number[];
  /** Erase with a number, one value per channel, or "random" (standard normal noise). Default 0. */
  value?: number | readonly number[] | "random";
  /** Write into the input tensor (torchvision's `inplace`). */
  inplace?: boolean;
  generator?: Generator;
}

/** torchvision's `RandomErasing.get_params`: [top, left, height, width, value], or null (keep the image) after 10 failed tries. */
export function randomErasingParams(c: number, imgH: number, imgW: number, scale: readonly number[], ratio: readonly number[], value: readonly number[] | null, generator?: Generator): [number, number, number, number, Tensor | readonly number[]] | null {
  const area = imgH * imgW;
  const logRatio = [Math.log(ratio[0]!), Math.log(ratio[1]!)];
  for (let k = 0; k < 10; k++) {
    const eraseArea = area * between(scale[0]!, scale[1]!, generator);
    const aspect = Math.exp(between(logRatio[0]!, logRatio[1]!, generator));
    const h = pyRound(Math.sqrt(eraseArea * aspect)), w = pyRound(Math.sqrt(eraseArea / aspect));
    if (!(h < imgH && w < imgW)) continue;
    const v = value === null ? normal(0, 1, [c, h, w], { generator }) : value;
    return [randomInt(0, imgH - h + 1, generator), randomInt(0, imgW - w + 1, generator), h, w, v];
  }
  return null;
}

/** With probability `p`, erases a random rectangle of a tensor image [..., C, H, W] (after normalisation, as torchvision). */
export function randomErasing(options: RandomErasingOptions = {}): Transform<Tensor, Tensor> {
  const op = "randomErasing";
  options ??= {};
  const p = options.p ?? 0.5;
  check(typeof p === "number" && p >= 0 && p <= 1, op, () => `random erasing probability should be between 0 and 1, got ${p}`);
  const scale = checkPair(op, "scale", options.scale ?? [0.02, 0.33]);
  const ratio = checkPair(op, "ratio", options.ratio ?? [0.3, 3.3]);
  check(scale[0] >= 0 && scale[1] <= 1, op, () => `scale should be between 0 and 1, got ${JSON.stringify(scale)}`);
  // the aspect ratio is drawn log-uniformly: log(ratio) of a ratio <= 0 is NaN (torchvision: "from is out of bounds")
  check(ratio[0] > 0 && ratio[1] > 0, op, () => `ratio values should be positive, got ${JSON.stringify(ratio)}`);
  // torchvision warns here and then fails in forward ("uniform_ expects to return a [from, to) range")
  check(scale[0] <= scale[1] && ratio[0] <= ratio[1], op, () => `scale and ratio should be of kind (min, max), got scale ${JSON.stringify(scale)} and ratio ${JSON.stringify(ratio)}`);
  const raw = options.value ?? 0;
  check(raw === "random" || typeof raw === "number" || (Array.isArray(raw) && raw.every((v) => typeof v === "number")), op, () =>
    `value should be a number, a list of numbers or "random", got ${JSON.stringify(raw)}`);
  const value = raw === "random" ? null : typeof raw === "number" ? [raw] : [...(raw as number[])];
  return (img) => {
    floatImage(op, img, 3);
    const [c, h, w] = img.shape.slice(-3) as [number, number, number];
    if (!(uniform(options.generator) < p)) return img;
    check(value === null || value.length === 1 || value.length === c, op, () =>
      `if value is a sequence, it should have either a single value or ${c} (number of input channels), got ${value!.length}`);
    const params = randomErasingParams(c, h, w, scale, ratio, value, options.generator);
    if (!params) return img;
    const [i, j, eh, ew, v] = params;
    const vt = v instanceof Tensor ? v : tensor([...v], { dtype: img.dtype }).reshape([v.length, 1, 1]);
    const out = G.erase(img, i, j, eh, ew, vt);
    return options.inplace ? img.copy_(out) : out;
  };
}
