/**
 * Colour transforms of torchvision (colour jitter, greyscale, invert, posterize, solarize,
 * sharpness, autocontrast, equalize, Gaussian blur), the random containers (randomApply,
 * randomChoice, randomOrder) and convertImageDtype, as factory functions. Random choices draw
 * from the core generator given as `generator` (else the default) and call the deterministic ops
 * of `data.transforms.functional`.
 *
 * Inputs: float tensors [..., C, H, W] in [0, 1]; a `RawImage` or an int32 tensor of 0–255 values
 * goes through float and is rounded back (see transforms-common.ts `viaFloat`).
 */
import { Generator, Tensor } from "../core.js";
import { TensileError } from "../errors.js";
import { permutation, uniform } from "./random.js";
import type { ImageLike, Transform } from "./transforms.js";
import { checkProbability, imageChannels, viaFloat } from "./transforms-common.js";
import * as C from "./transforms-functional-color.js";

const check = (ok: boolean, op: string, msg: () => string) => { if (!ok) throw new TensileError(`${op}: ${msg()}`); };
const between = (a: number, b: number, g?: Generator) => a + (b - a) * uniform(g);
type Opts = { generator?: Generator };

/** torchvision's `ColorJitter._check_input`: the factor range, or null when it is the identity. */
function jitterRange(name: string, value: number | readonly number[], center: number, bound: [number, number], clipFirstOnZero: boolean): [number, number] | null {
  const op = "colorJitter";
  let v: [number, number];
  if (typeof value === "number") {
    check(value >= 0, op, () => `if ${name} is a single number, it must be non negative, got ${value}`);
    v = [center - value, center + value];
    if (clipFirstOnZero) v[0] = Math.max(v[0], 0);
  } else {
    check(Array.isArray(value) && value.length === 2, op, () => `${name} should be a single number or a list of length 2, got ${JSON.stringify(value)}`);
    v = [value[0]!, value[1]!];
    check(bound[0] <= v[0] && v[0] <= v[1] && v[1] <= bound[1], op, () => `${name} values should be between [${bound.join(", ")}] and in order, got ${JSON.stringify(value)}`);
  }
  return v[0] === center && v[1] === center ? null : v;
}

export interface ColorJitterParams {
  /** The order of the four adjustments (0 brightness, 1 contrast, 2 saturation, 3 hue). */
  order: number[];
  brightness: number | null; contrast: number | null; saturation: number | null; hue: number | null;
}

type Range = [number, number] | null;

/** torchvision's `ColorJitter.get_params`: a random order, then one factor per non-null range. */
export function colorJitterParams(brightness: Range, contrast: Range, saturation: Range, hue: Range, generator?: Generator): ColorJitterParams {
  const order = Array.from(permutation(4, generator));
  const draw = (r: Range) => (r ? between(r[0], r[1], generator) : null);
  const b = draw(brightness), c = draw(contrast), s = draw(saturation), h = draw(hue);
  return { order, brightness: b, contrast: c, saturation: s, hue: h };
}

/** Applies colorJitter's adjustments with given parameters (what `colorJitter` does after sampling). */
export function applyColorJitter(img: Tensor, p: ColorJitterParams): Tensor {
  for (const k of p.order) {
    if (k === 0 && p.brightness !== null) img = C.adjustBrightness(img, p.brightness);
    else if (k === 1 && p.contrast !== null) img = C.adjustContrast(img, p.contrast);
    else if (k === 2 && p.saturation !== null) img = C.adjustSaturation(img, p.saturation);
    else if (k === 3 && p.hue !== null) img = C.adjustHue(img, p.hue);
  }
  return img;
}

/**
 * Random brightness, contrast, saturation and hue, applied in a random order. Each of the first
 * three is a number j (factor uniform in [max(0, 1 − j), 1 + j]) or a range [min, max]; hue is
 * h ≤ 0.5 (shift uniform in [−h, h]) or a range within [−0.5, 0.5].
 * ```ts
 * const jitter = transforms.colorJitter(0.4, 0.4, 0.4, 0.1);
 * ```
 */
export function colorJitter(brightness: number | readonly number[] = 0, contrast: number | readonly number[] = 0, saturation: number | readonly number[] = 0, hue: number | readonly number[] = 0, options: Opts = {}): Transform<ImageLike, ImageLike> {
  options ??= {};
  const b = jitterRange("brightness", brightness, 1, [0, Infinity], true);
  const c = jitterRange("contrast", contrast, 1, [0, Infinity], true);
  const s = jitterRange("saturation", saturation, 1, [0, Infinity], true);
  const h = jitterRange("hue", hue, 0, [-0.5, 0.5], false);
  if (h) check(h[0] >= -0.5 && h[1] <= 0.5, "colorJitter", () => `hue values should be between [-0.5, 0.5], got ${JSON.stringify(hue)}`);
  return (img) => {
    const p = colorJitterParams(b, c, s, h, options.generator);
    return viaFloat("colorJitter", img, (x) => applyColorJitter(x, p));
  };
}

/** Converts RGB to greyscale with `numOutputChannels` (1 or 3) channels. */
export function grayscale(numOutputChannels: 1 | 3 = 1): Transform<ImageLike, ImageLike> {
  check(numOutputChannels === 1 || numOutputChannels === 3, "grayscale", () => `numOutputChannels should be either 1 or 3, got ${numOutputChannels}`);
  return (img) => viaFloat("grayscale", img, (x) => C.rgbToGrayscale(x, numOutputChannels));
}

/** A transform that applies `fn` with probability `p` (u < p for u uniform in [0, 1)). */
function withProbability(op: string, p: number, options: Opts, fn: (x: Tensor, img: ImageLike) => Tensor): Transform<ImageLike, ImageLike> {
  checkProbability(op, p);
  options ??= {};
  return (img) => (uniform(options.generator) < p ? viaFloat(op, img, (x) => fn(x, img)) : img);
}

/** Converts to greyscale with probability `p`, keeping the channel count (3 channels stay 3). */
export function randomGrayscale(p = 0.1, options: Opts = {}): Transform<ImageLike, ImageLike> {
  return withProbability("randomGrayscale", p, options, (x, img) => C.rgbToGrayscale(x, imageChannels(img) === 3 ? 3 : 1));
}

/** Inverts the colours (1 − x) with probability `p`. */
export function randomInvert(p = 0.5, options: Opts = {}): Transform<ImageLike, ImageLike> {
  return withProbability("randomInvert", p, options, C.invert);
}

/** Keeps the top `bits` bits of each 8-bit level with probability `p` (float images are quantised: see `functional.posterize`). */
export function randomPosterize(bits: number, p = 0.5, options: Opts = {}): Transform<ImageLike, ImageLike> {
  check(Number.isInteger(bits) && bits >= 0 && bits <= 8, "randomPosterize", () => `bits should be an integer in [0, 8], got ${bits}`);
  return withProbability("randomPosterize", p, options, (x) => C.posterize(x, bits));
}

/** Inverts the pixels ≥ `threshold` (in [0, 1] for float images) with probability `p`. */
export function randomSolarize(threshold: number, p = 0.5, options: Opts = {}): Transform<ImageLike, ImageLike> {
  check(typeof threshold === "number" && threshold <= 1, "randomSolarize", () => `threshold should be less than bound of img (1 for float images), got ${threshold}`);
  return withProbability("randomSolarize", p, options, (x) => C.solarize(x, threshold));
}

/** Adjusts sharpness by `factor` (0 blur, 1 same, 2 sharper) with probability `p`. */
export function randomAdjustSharpness(factor: number, p = 0.5, options: Opts = {}): Transform<ImageLike, ImageLike> {
  check(typeof factor === "number" && factor >= 0, "randomAdjustSharpness", () => `sharpness_factor (${factor}) is not non-negative`);
  return withProbability("randomAdjustSharpness", p, options, (x) => C.adjustSharpness(x, factor));
}

/** Stretches each channel to the full [0, 1] range with probability `p`. */
export function randomAutocontrast(p = 0.5, options: Opts = {}): Transform<ImageLike, ImageLike> {
  return withProbability("randomAutocontrast", p, options, C.autocontrast);
}

/** Equalises each channel's histogram (on 8-bit levels: see `functional.equalize`) with probability `p`. */
export function randomEqualize(p = 0.5, options: Opts = {}): Transform<ImageLike, ImageLike> {
  return withProbability("randomEqualize", p, options, C.equalize);
}

/**
 * Gaussian blur with an odd `kernelSize` (number or [kw, kh]) and σ drawn uniformly from `sigma`
 * ([min, max], default [0.1, 2]; a number: fixed).
 */
export function gaussianBlur(kernelSize: number | readonly number[], sigma: number | readonly number[] = [0.1, 2], options: Opts = {}): Transform<ImageLike, ImageLike> {
  const op = "gaussianBlur";
  options ??= {};
  const ks = typeof kernelSize === "number" ? [kernelSize, kernelSize] : [...kernelSize];
  check(ks.length === 2 && ks.every((k) => Number.isInteger(k) && k > 0 && k % 2 === 1), op, () =>
    `kernel size value should be an odd and positive number (or a list of two), got ${JSON.stringify(kernelSize)}`);
  let range: [number, number];
  if (typeof sigma === "number") {
    check(sigma > 0, op, () => `if sigma is a single number, it must be positive, got ${sigma}`);
    range = [sigma, sigma];
  } else {
    check(Array.isArray(sigma) && sigma.length === 2 && sigma[0]! > 0 && sigma[0]! <= sigma[1]!, op, () =>
      `sigma values should be positive and of the form (min, max), got ${JSON.stringify(sigma)}`);
    range = [sigma[0]!, sigma[1]!];
  }
  return (img) => {
    const s = between(range[0], range[1], options.generator);
    return viaFloat(op, img, (x) => C.gaussianBlur(x, ks, [s, s]), true);
  };
}

function checkTransforms(op: string, ts: readonly unknown[]): void {
  check(Array.isArray(ts), op, () => "transforms should be a list of transforms");
  ts.forEach((t, i) => check(typeof t === "function", op, () => `transform ${i} is not a function`));
}

/** Applies the list of `transforms` (in order) with probability `p`, else none of them. */
export function randomApply<I = unknown, O = I>(transforms: readonly Transform<never, unknown>[], p = 0.5, options: Opts = {}): Transform<I, I | O> {
  checkTransforms("randomApply", transforms);
  checkProbability("randomApply", p);
  options ??= {};
  return (img) => {
    if (p < uniform(options.generator)) return img;
    return transforms.reduce<unknown>((x, t) => (t as Transform<unknown, unknown>)(x), img) as O;
  };
}

/** Applies one of `transforms`, picked uniformly or with relative weights `p`. */
export function randomChoice<I = unknown, O = unknown>(transforms: readonly Transform<never, unknown>[], p?: readonly number[] | null, options: Opts = {}): Transform<I, O> {
  const op = "randomChoice";
  checkTransforms(op, transforms);
  check(transforms.length > 0, op, () => "transforms should not be empty");
  options ??= {};
  const w = p == null ? transforms.map(() => 1) : [...p];
  check(w.length === transforms.length && w.every((v) => typeof v === "number" && v >= 0) && w.some((v) => v > 0), op, () =>
    `p should be ${transforms.length} non-negative weights, not all zero, got ${JSON.stringify(p)}`);
  const total = w.reduce((a, b) => a + b, 0);
  return (img) => {
    let u = uniform(options.generator) * total, k = 0;
    while (k < w.length - 1 && (u >= w[k]! || w[k] === 0)) { u -= w[k]!; k++; }
    return (transforms[k] as Transform<unknown, unknown>)(img) as O;
  };
}

/** Applies all `transforms` in a random order. */
export function randomOrder<I = unknown, O = unknown>(transforms: readonly Transform<never, unknown>[], options: Opts = {}): Transform<I, O> {
  checkTransforms("randomOrder", transforms);
  options ??= {};
  return (img) => Array.from(permutation(transforms.length, options.generator))
    .reduce<unknown>((x, i) => (transforms[i] as Transform<unknown, unknown>)(x), img) as O;
}

/** Converts a tensor image between float [0, 1] and int32 0–255 (see `functional.convertImageDtype`). */
export function convertImageDtype(dtype: "float32" | "float64" | "int32" = "float32"): Transform<Tensor, Tensor> {
  check(dtype === "float32" || dtype === "float64" || dtype === "int32", "convertImageDtype", () => `dtype should be float32, float64 or int32, got ${JSON.stringify(dtype)}`);
  return (img) => C.convertImageDtype(img, dtype);
}
