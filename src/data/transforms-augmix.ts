/**
 * torchvision 0.14's `AugMix` (Hendrycks et al., 2020): `mixtureWidth` chains of 1–3 random
 * augmentation ops, mixed with Dirichlet weights and blended with the original image by a Beta
 * weight. Split in two as the other random transforms: `augMixParams` draws everything (from the
 * core generator given, else the default), `applyAugMix` is the deterministic mixing, which the tests
 * check against torchvision with its own draws.
 *
 * The ops are the policies' (`applyAugmentOp`): on float images Solarize's 0–255 threshold is divided
 * by 255 and Posterize/Equalize work on 8-bit levels (docs/data.md). torchvision runs AugMix on uint8
 * images and truncates the mix back to uint8; here a `RawImage` or int32 image is mixed in float and
 * rounded (see `viaFloat`). The Beta and Dirichlet draws are normalised gamma draws (Marsaglia–Tsang,
 * the distributions' `gammaDraw`) from Tensile's generator, so the numbers differ from torch's.
 */
import { Generator, Tensor, tensor } from "../core.js";
import { TensileError } from "../errors.js";
import { gammaDraw } from "../distributions/gamma.js";
import { defaultGenerator } from "../tensor/random.js";
import { randomInt } from "./random.js";
import type { ImageLike, Transform } from "./transforms.js";
import { type AugmentOp, type AugmentOptions, applyAugmentOp } from "./transforms-auto.js";
import { type Fill, type Interpolation, checkInterpolation, fillForFloat, fillList, floatImage, imageChannels, imageSize, linspace32, viaFloat } from "./transforms-common.js";

const check = (ok: boolean, op: string, msg: () => string) => { if (!ok) throw new TensileError(`${op}: ${msg()}`); };
const PARAMETER_MAX = 10;

/**
 * AugMix's op table for an image of height h and width w ([op, magnitudes (empty: none), signed]),
 * in torchvision's order (the op index draws depend on it); `allOps` adds the four colour ops.
 */
export function augMixSpace(bins: number, h: number, w: number, allOps = true): [AugmentOp, number[], boolean][] {
  const lin = (end: number) => linspace32(0, end, bins);
  // 4 − round(k / ((bins − 1) / 4)) in float32, rounding halves to even (torch.round)
  const d = Math.fround((bins - 1) / 4);
  const bits = Array.from({ length: bins }, (_, k) => {
    const v = Math.fround(k / d), f = Math.floor(v);
    return 4 - (v - f === 0.5 ? (f % 2 === 0 ? f : f + 1) : Math.round(v));
  });
  const space: [AugmentOp, number[], boolean][] = [
    ["ShearX", lin(0.3), true], ["ShearY", lin(0.3), true], ["TranslateX", lin(w / 3), true], ["TranslateY", lin(h / 3), true],
    ["Rotate", lin(30), true], ["Posterize", bits, false], ["Solarize", linspace32(255, 0, bins), false],
    ["AutoContrast", [], false], ["Equalize", [], false],
  ];
  if (allOps) space.push(["Brightness", lin(0.9), true], ["Color", lin(0.9), true], ["Contrast", lin(0.9), true], ["Sharpness", lin(0.9), true]);
  return space;
}

/** Everything AugMix draws for one call. */
export interface AugMixParams {
  /** Per image of the batch: [weight of the original, weight of the augmented mix], a Beta(α, α) pair (float32). */
  weights: number[][];
  /** Per image: the Dirichlet(α, …, α) weights of the `mixtureWidth` chains (float32, before scaling by weights[n][1]). */
  mixing: number[][];
  /** Per chain: its [op, signed magnitude] steps. */
  chains: [AugmentOp, number][][];
}

export interface AugMixOptions extends AugmentOptions {
  /** Magnitude bins drawn from: [0, severity) of 10 (default 3). */
  severity?: number;
  /** Number of chains (default 3). */
  mixtureWidth?: number;
  /** Ops per chain; ≤ 0 draws 1–3 per chain (default −1). */
  chainDepth?: number;
  /** Concentration of the Beta and Dirichlet weights (default 1). */
  alpha?: number;
  /** Include Brightness, Color, Contrast and Sharpness (default true). */
  allOps?: boolean;
}

/** A Dirichlet(α·1ₖ) draw, in float32 as torch's `_sample_dirichlet` of a float32 tensor. */
function dirichlet(alpha: number, k: number, g: Generator): number[] {
  const tiny = 1.1754943508222875e-38; // torch clamps gamma draws to the smallest normal float32
  const x = Array.from({ length: k }, () => Math.max(gammaDraw(g, alpha), tiny));
  const total = x.reduce((s, v) => s + v, 0);
  return x.map((v) => Math.fround(v / total));
}

function checkOptions(op: string, o: AugMixOptions) {
  const { severity = 3, mixtureWidth = 3, chainDepth = -1, alpha = 1, allOps = true } = o;
  check(Number.isInteger(severity) && severity >= 1 && severity <= PARAMETER_MAX, op, () => `The severity must be between [1, ${PARAMETER_MAX}]. Got ${severity} instead.`);
  check(Number.isInteger(mixtureWidth) && mixtureWidth >= 1, op, () => `mixtureWidth should be a positive integer, got ${mixtureWidth}`);
  check(Number.isInteger(chainDepth), op, () => `chainDepth should be an integer (≤ 0 for a random depth of 1–3), got ${chainDepth}`);
  check(typeof alpha === "number" && alpha > 0 && Number.isFinite(alpha), op, () => `alpha should be a positive number, got ${alpha}`);
  return { severity, mixtureWidth, chainDepth, alpha, allOps: Boolean(allOps) };
}

/**
 * AugMix's draws for `batch` images of height h and width w, in torchvision's order: the Beta pairs,
 * the Dirichlet mixing weights, then per chain its depth (when random) and per step the op, the
 * magnitude bin and (signed ops) the sign.
 */
export function augMixParams(batch: number, h: number, w: number, options: AugMixOptions = {}): AugMixParams {
  const op = "augMix";
  const o = checkOptions(op, options ?? {});
  check(Number.isInteger(batch) && batch >= 1, op, () => `batch should be a positive integer, got ${batch}`);
  const g = options?.generator ?? defaultGenerator;
  const space = augMixSpace(PARAMETER_MAX, h, w, o.allOps);
  const weights = Array.from({ length: batch }, () => dirichlet(o.alpha, 2, g));
  const mixing = Array.from({ length: batch }, () => dirichlet(o.alpha, o.mixtureWidth, g));
  const chains: [AugmentOp, number][][] = [];
  for (let i = 0; i < o.mixtureWidth; i++) {
    const depth = o.chainDepth > 0 ? o.chainDepth : randomInt(1, 4, g);
    const chain: [AugmentOp, number][] = [];
    for (let k = 0; k < depth; k++) {
      const [name, mags, signed] = space[randomInt(0, space.length, g)]!;
      let m = mags.length > 0 ? mags[randomInt(0, o.severity, g)]! : 0;
      if (signed && randomInt(0, 2, g) === 1) m = -m;
      chain.push([name, m]);
    }
    chains.push(chain);
  }
  return { weights, mixing, chains };
}

/**
 * The AugMix of a float image [..., C, H, W] (or [H, W]) for given draws: w₀·img + Σᵢ (mᵢ·w₁)·chainᵢ(img)
 * per image of the batch (the first dim of a 4-D or larger tensor), in float32 steps as torchvision.
 */
export function applyAugMix(img: Tensor, params: AugMixParams, options: { interpolation?: Interpolation; fill?: Fill | null } = {}): Tensor {
  const op = "applyAugMix";
  options ??= {};
  floatImage(op, img);
  const interpolation = checkInterpolation(op, options.interpolation ?? "bilinear", ["nearest", "bilinear", "bicubic"]);
  const batch = img.reshape([...new Array<number>(Math.max(4 - img.ndim, 0)).fill(1), ...img.shape]);
  const n = batch.shape[0]!;
  const { weights, mixing, chains } = params ?? ({} as AugMixParams);
  check(Array.isArray(weights) && weights.length === n && weights.every((p) => p.length === 2), op, () => `params.weights should hold one [original, augmented] pair per image of the batch (${n})`);
  check(Array.isArray(chains) && Array.isArray(mixing) && mixing.length === n && mixing.every((p) => p.length === chains.length), op, () =>
    `params.mixing should hold ${chains?.length} chain weights per image of the batch (${n})`);
  const fill = fillList(op, options.fill, batch.shape[1]!);
  const column = (v: number[]) => tensor(v.map(Math.fround), { dtype: img.dtype }).reshape([n, ...new Array<number>(batch.ndim - 1).fill(1)]);
  let mix = column(weights.map((p) => p[0]!)).mul(batch);
  chains.forEach((chain, i) => {
    const aug = chain.reduce((x, [name, m]) => applyAugmentOp(x, name, m, { interpolation, fill }), batch);
    mix = mix.add(column(mixing.map((p, k) => Math.fround(p[i]! * Math.fround(weights[k]![1]!)))).mul(aug));
  });
  return mix.reshape(img.shape);
}

/**
 * AugMix (torchvision's `AugMix`): `mixtureWidth` (3) chains of `chainDepth` ops (−1: 1–3 at random),
 * each op at a magnitude bin below `severity` (3) of 10, mixed by Dirichlet(`alpha`) weights and
 * blended with the original by a Beta(`alpha`, `alpha`) weight. Interpolation: bilinear (default) or nearest.
 * ```ts
 * const t = transforms.augMix({ severity: 3, mixtureWidth: 3, generator: new Generator(0) });
 * ```
 */
export function augMix(options: AugMixOptions = {}): Transform<ImageLike, ImageLike> {
  const op = "augMix";
  options ??= {};
  checkOptions(op, options);
  const interpolation = checkInterpolation(op, options.interpolation ?? "bilinear", ["nearest", "bilinear"]);
  return (img) => {
    const fill = fillForFloat(fillList(op, options.fill, imageChannels(img)), img);
    const [h, w] = imageSize(op, img);
    const batch = img instanceof Tensor && img.ndim >= 4 ? img.shape[0]! : 1;
    const params = augMixParams(batch, h, w, options);
    return viaFloat(op, img, (x) => applyAugMix(x, params, { interpolation, fill }));
  };
}
