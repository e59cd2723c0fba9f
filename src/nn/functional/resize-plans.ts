/**
 * Per-axis resampling plans for `F.interpolate` (see resize.ts): for one spatial dim, which source
 * indices each output position reads and with what weights. Every mode of PyTorch 1.13 is separable,
 * so a plan is a list of taps — one index array and one weight array per tap — and resize.ts applies
 * it with `indexSelect`s and a weighted sum (autograd then gives the scatter-add gradient).
 *
 * Source coordinates and weights follow PyTorch's CPU kernels (UpSample.h, UpSampleKernel.cpp),
 * including their arithmetic in the input's dtype: `f` is `Math.fround` for float32 inputs and the
 * identity for float64, applied where the C++ rounds to float.
 */

import { type Tensor, tensor } from "../../core.js";

/** One source dim's resampling problem. */
export interface Axis {
  inSize: number;
  outSize: number;
  /** PyTorch's `scales` argument: 1/scaleFactor when a factor was given, else null. */
  scale: number | null;
}

/** Source indices per tap, and their weights (null: a single tap of weight 1). */
export interface Plan {
  idx: Int32Array[];
  w: Float64Array[] | null;
  /**
   * Some taps are fillers of an output with fewer source elements than taps: they read index
   * inSize, a zero appended to the source, so a weight 0 never meets an inf or NaN (0·inf = NaN).
   */
  zeroTail?: boolean;
}

type Round = (x: number) => number;

/** PyTorch's area_pixel_compute_scale: the source step per output step. */
function pixelScale(a: Axis, alignCorners: boolean, f: Round): number {
  const { inSize, outSize } = a;
  if (alignCorners) return outSize > 1 ? f((inSize - 1) / (outSize - 1)) : 0;
  return f(a.scale !== null && a.scale > 0 ? a.scale : inSize / outSize);
}

/** PyTorch's area_pixel_compute_source_index; linear clamps negative coordinates to 0, cubic does not. */
function sourceCoord(scale: number, i: number, alignCorners: boolean, cubic: boolean, f: Round): number {
  if (alignCorners) return f(scale * i);
  const src = f(f(scale * f(i + 0.5)) - 0.5);
  return !cubic && src < 0 ? 0 : src;
}

/**
 * `nearest`: in[min(⌊i·s⌋, in − 1)]; `nearest-exact`: in[min(⌊(i + ½)·s⌋, in − 1)], the product
 * rounded to float32 whatever the dtype (PyTorch floors it with floorf).
 */
export function nearestPlan(a: Axis, exact: boolean, f: Round): Plan {
  const idx = new Int32Array(a.outSize);
  const scale = f(a.scale ?? a.inSize / a.outSize);
  for (let i = 0; i < a.outSize; i++) idx[i] = Math.min(Math.floor(exact ? Math.fround((i + 0.5) * scale) : f(i * scale)), a.inSize - 1);
  return { idx: [idx], w: null };
}

/** Lower/upper source indices and the upper weight λ for linear interpolation. */
export function linearPlan(a: Axis, alignCorners: boolean, f: Round): { i0: Int32Array; i1: Int32Array; lambda: Float64Array } {
  const { inSize, outSize } = a;
  const scale = pixelScale(a, alignCorners, f);
  const i0 = new Int32Array(outSize), i1 = new Int32Array(outSize), lambda = new Float64Array(outSize);
  for (let i = 0; i < outSize; i++) {
    // PyTorch's linear kernels evaluate scale·(i + ½) − ½ in double (i + 0.5 is a double in the C++)
    // and round only λ to float: 13 → 6 pixels puts output 1 at 2.75000012, λ = 0.7500001, not 0.75
    const src = alignCorners ? sourceCoord(scale, i, true, false, f) : Math.max(scale * (i + 0.5) - 0.5, 0);
    const lo = Math.floor(src);
    i0[i] = lo;
    i1[i] = lo + (lo < inSize - 1 ? 1 : 0);
    lambda[i] = Math.min(Math.max(f(src - lo), 0), 1);
  }
  return { i0, i1, lambda };
}

/** Keys' cubic convolution kernel pieces with A = −0.75 (PyTorch's cubic_convolution1/2). */
const A = -0.75;
const cubic1 = (x: number, f: Round): number => f(f(f(f(f(A + 2) * x) - (A + 3)) * x) * x) + 1;
const cubic2 = (x: number, f: Round): number => f(f(f(f(f(f(A * x) - 5 * A) * x) + 8 * A) * x) - 4 * A);

/**
 * `bicubic` along one dim: the four taps ⌊src⌋ − 1 … ⌊src⌋ + 2 clamped to the border, weighted by
 * the cubic convolution kernel at the fractional offset t (PyTorch's get_cubic_upsample_coefficients).
 */
export function cubicPlan(a: Axis, alignCorners: boolean, f: Round): Plan {
  const { inSize, outSize } = a;
  const scale = pixelScale(a, alignCorners, f);
  const idx = [0, 1, 2, 3].map(() => new Int32Array(outSize));
  const w = [0, 1, 2, 3].map(() => new Float64Array(outSize));
  for (let i = 0; i < outSize; i++) {
    const src = sourceCoord(scale, i, alignCorners, true, f);
    const lo = Math.floor(src);
    const t = f(src - lo), u = f(1 - t);
    const coeffs = [cubic2(f(t + 1), f), cubic1(t, f), cubic1(u, f), cubic2(f(u + 1), f)];
    for (let k = 0; k < 4; k++) {
      idx[k]![i] = Math.min(Math.max(lo - 1 + k, 0), inSize - 1);
      w[k]![i] = coeffs[k]!;
    }
  }
  return { idx, w };
}

/** The antialiasing filters: the triangle (bilinear) and Keys' cubic with a = −0.5 (bicubic, as PIL). */
function aaFilter(mode: "bilinear" | "bicubic", x: number, f: Round): number {
  x = Math.abs(x);
  if (mode === "bilinear") return x < 1 ? f(1 - x) : 0;
  const a = -0.5;
  if (x < 1) return f(((a + 2) * x - (a + 3)) * x * x + 1);
  if (x < 2) return f((((x - 5) * x + 8) * x - 4) * a);
  return 0;
}

/**
 * Antialiased `bilinear`/`bicubic` (PyTorch's _upsample_*2d_aa, after PIL): output i averages the
 * source pixels whose centres lie within the filter's support around centre = s·(i + ½), the
 * support and the filter widened by the downscale factor s when s > 1; weights are normalised to
 * sum to 1. Taps beyond a pixel's window read the appended zero (index inSize) with weight 0.
 */
export function antialiasPlan(a: Axis, mode: "bilinear" | "bicubic", alignCorners: boolean, f: Round): Plan {
  const { inSize, outSize } = a;
  const scale = pixelScale(a, alignCorners, f);
  const half = mode === "bilinear" ? 1 : 2;
  const support = f(scale >= 1 ? half * scale : half);
  const invscale = scale >= 1 ? f(1 / scale) : 1;
  const taps = Math.ceil(support) * 2 + 1;
  const idx = Array.from({ length: taps }, () => new Int32Array(outSize).fill(inSize));
  const w = Array.from({ length: taps }, () => new Float64Array(outSize));
  for (let i = 0; i < outSize; i++) {
    const center = f(scale * f(i + 0.5));
    const xmin = Math.max(Math.trunc(f(center - support) + 0.5), 0);
    const xsize = Math.min(Math.trunc(f(center + support) + 0.5), inSize) - xmin;
    const ws: number[] = [];
    let total = 0;
    for (let j = 0; j < xsize; j++) {
      const v = aaFilter(mode, f((f(j + xmin - center) + 0.5) * invscale), f);
      ws.push(v);
      total = f(total + v);
    }
    for (let j = 0; j < xsize; j++) {
      idx[j]![i] = xmin + j;
      w[j]![i] = total !== 0 ? f(ws[j]! / total) : ws[j]!;
    }
  }
  return { idx, w, zeroTail: idx.some((a) => a.includes(inSize)) };
}

/**
 * `area` (adaptive average pooling) along one dim: output i averages source [⌊i·in/out⌋,
 * ⌈(i + 1)·in/out⌉); the product over dims is the mean over the box. A window shorter than the
 * longest fills its spare taps with the appended zero, so only its own elements contribute
 * (PyTorch's: one inf or NaN reaches only the windows that hold it).
 */
export function areaPlan(a: Axis): Plan {
  const { inSize, outSize } = a;
  const starts = Array.from({ length: outSize }, (_, i) => Math.floor((i * inSize) / outSize));
  const ends = Array.from({ length: outSize }, (_, i) => Math.ceil(((i + 1) * inSize) / outSize));
  const taps = Math.max(...ends.map((e, i) => e - starts[i]!));
  const idx = Array.from({ length: taps }, () => new Int32Array(outSize).fill(inSize));
  const w = Array.from({ length: taps }, () => new Float64Array(outSize));
  let short = false;
  for (let i = 0; i < outSize; i++) {
    const n = ends[i]! - starts[i]!;
    short ||= n < taps;
    for (let j = 0; j < n; j++) {
      idx[j]![i] = starts[i]! + j;
      w[j]![i] = 1 / n;
    }
  }
  return { idx, w, zeroTail: short };
}

/** Resamples dim `dim` of `y` by plan `p`: a weighted sum of `indexSelect`s. */
export function applyPlan(y: Tensor, dim: number, p: Plan): Tensor {
  if (p.zeroTail) {
    const pad = new Array<number>(2 * (y.ndim - dim)).fill(0);
    pad[2 * (y.ndim - 1 - dim) + 1] = 1; // one zero after the last element of `dim`
    y = y.pad(pad);
  }
  const pick = (idx: Int32Array) => y.indexSelect(dim, tensor(idx));
  if (p.w === null) return pick(p.idx[0]!);
  const shape = y.shape.map((_, d) => (d === dim ? p.idx[0]!.length : 1));
  const weight = (w: Float64Array) => tensor(y.dtype === "float64" ? w : Float32Array.from(w), { shape });
  let out = pick(p.idx[0]!).mul(weight(p.w[0]!));
  for (let k = 1; k < p.idx.length; k++) out = out.add(pick(p.idx[k]!).mul(weight(p.w[k]!)));
  return out;
}
