/**
 * Statistics and reductions PyTorch 1.13 has beyond ops/reduce.ts and ops/sort.ts:
 * uniqueConsecutive, histogram, cov, corrcoef, diagflat, trapezoid (trapz), cumulativeTrapezoid,
 * renorm, addcmul, addcdiv, chainMatmul, scatterReduce and indexReduce.
 *
 * Composites (cov, corrcoef, trapezoid, renorm, addcmul, chainMatmul) get their gradients from the
 * ops they are made of, in PyTorch's order of operations so float32 results round alike.
 * uniqueConsecutive and histogram run on the host and are not differentiable (as PyTorch's).
 * scatterReduce / indexReduce run on the host, in the input's dtype (each step rounded, as
 * PyTorch's CPU kernel accumulates), with PyTorch 1.13's backward formulas written in Tensor ops.
 */
import { linspaceValues } from "../tensor/linspace.js";
import { TensileError, fmtShape, fmtValue } from "../errors.js";
import { zerosLike } from "../tensor/creation.js";
import { type DType, arrayFor, isFloating, promoteTypes } from "../tensor/dtype.js";
import { broadcastShapes, normalizeDim, shapesEqual } from "../tensor/shape.js";
import { Tensor } from "../tensor/tensor.js";
import * as E from "./elementwise.js";
import { diag } from "./indexing.js";
import { mm } from "./linalg.js";
import { vectorNorm } from "./linalg-dense.js";
import { fromHost } from "./linalg-lu.js";
import { floatOf } from "./math.js";
import { sum } from "./reduce.js";
import { runsOfSlices } from "./unique-dim.js";
import { assertTensor, castTo, onBackend, wrap } from "./util.js";

type T = Tensor;

/** An options object (not an array or a tensor). */
export const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v) && !(v instanceof Tensor);

/** A boolean option: `dflt` when absent, an error naming it when not a boolean. */
export function boolOpt(op: string, key: string, v: unknown, dflt: boolean): boolean {
  if (v === undefined || v === null) return dflt;
  if (typeof v !== "boolean") throw new TensileError(`${op}: ${key} must be a boolean, got ${fmtValue(v)}`);
  return v;
}

function intArg(op: string, key: string, v: unknown): number {
  if (typeof v !== "number" || !Number.isInteger(v)) throw new TensileError(`${op}: ${key} must be an integer, got ${fmtValue(v)}`);
  return v;
}


// ---- uniqueConsecutive ----

export interface UniqueConsecutiveOptions {
  /** Also return, for each input element (or slice along `dim`), the index of its group in the result (int32). */
  returnInverse?: boolean;
  /** Also return the length of each group (int32). */
  returnCounts?: boolean;
  /** Collapse runs of equal slices along this dim instead of runs of equal elements of the flattened input. */
  dim?: number | null;
}

/**
 * x with each run of consecutive equal elements (or, with `dim`, equal slices along dim) collapsed
 * to one, as `torch.unique_consecutive`; with `returnInverse` / `returnCounts`, an array
 * [values, inverse?, counts?]. NaN equals nothing, so NaNs never merge (as PyTorch). Not
 * differentiable.
 */
export function uniqueConsecutive(x: T, opts: UniqueConsecutiveOptions & { returnInverse?: false; returnCounts?: false }): T;
export function uniqueConsecutive(x: T, opts?: UniqueConsecutiveOptions | null): T | T[];
export function uniqueConsecutive(x: T, opts?: UniqueConsecutiveOptions | null): T | T[] {
  const op = "uniqueConsecutive";
  assertTensor(op, x);
  const o = isPlainObject(opts) ? opts : {};
  const returnInverse = boolOpt(op, "returnInverse", o.returnInverse, false);
  const returnCounts = boolOpt(op, "returnCounts", o.returnCounts, false);
  const dim = o.dim ?? null;
  if (dim !== null && typeof dim !== "number") throw new TensileError(`${op}: dim must be an integer or null, got ${fmtValue(dim)}`);
  const intT = (a: Int32Array, shape: readonly number[]) => wrap(x.backend, x.backend.fromArray(a), shape);
  const finish = (values: T, inverse: Int32Array, invShape: readonly number[], counts: number[]): T | T[] => {
    if (!returnInverse && !returnCounts) return values;
    const res = [values];
    if (returnInverse) res.push(intT(inverse, invShape));
    if (returnCounts) res.push(intT(Int32Array.from(counts), [counts.length]));
    return res;
  };
  if (dim === null) {
    const data = x.detach().contiguous().dataSync();
    const n = data.length;
    const keep: number[] = [], counts: number[] = [];
    const inverse = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      if (i === 0 || !(data[i] === data[i - 1])) {
        keep.push(i);
        counts.push(0);
      }
      counts[counts.length - 1]!++;
      inverse[i] = keep.length - 1;
    }
    const arr = arrayFor(x.dtype, keep.length);
    keep.forEach((i, k) => (arr[k] = data[i]!));
    return finish(wrap(x.backend, x.backend.fromArray(arr), [keep.length]), inverse, x.shape, counts);
  }
  if (x.ndim === 0) throw new TensileError(`${op}: Dimension specified as ${dim} but tensor has no dimensions`);
  const d = normalizeDim(op, dim, x.ndim);
  const n = x.shape[d]!;
  if (n === 0) return finish(x.detach().clone(), new Int32Array(0), [0], []);
  if (x.numel() === 0) throw new TensileError(`${op}: There are 0 sized dimensions, and they aren't selected, so unique cannot be applied (input ${fmtShape(x.shape)}, dim ${d})`);
  const perm = [d, ...[...x.shape.keys()].filter((i) => i !== d)];
  const data = x.detach().permute(perm).contiguous().dataSync();
  const S = data.length / n;
  const sameSlice = (a: number, b: number): boolean => {
    for (let j = 0; j < S; j++) if (!(data[a * S + j] === data[b * S + j])) return false;
    return true;
  };
  const { values, inverse, counts } = runsOfSlices(x, d, perm, data, [...Array(n).keys()], sameSlice);
  return finish(values, inverse, [n], counts);
}

// ---- histogram ----

/** PyTorch's `torch.return_types.histogram`: `[hist, binEdges]`, also as `.hist` / `.binEdges`. */
export type Histogram = [Tensor, Tensor] & { readonly hist: Tensor; readonly binEdges: Tensor };

export interface HistogramOptions {
  /** [min, max] of the bins (default: the input's min and max); only with a bin count. */
  range?: readonly [number, number] | null;
  /** A weight per input element (input's shape and dtype): the bins sum weights instead of counting. */
  weight?: Tensor | null;
  /** Divide by the total and the bin widths, so the histogram integrates to 1. */
  density?: boolean;
}


/** First position in a[lo, hi) holding a value > v (std::upper_bound). */
function upperBound(a: ArrayLike<number>, lo: number, hi: number, v: number): number {
  while (lo < hi) {
    const m = (lo + hi) >> 1;
    if (v < a[m]!) hi = m;
    else lo = m + 1;
  }
  return lo;
}

/**
 * A histogram of x's values (flattened) as `torch.histogram`: `bins` equal-width bins over `range`
 * (default: x's min and max; a zero-width range grows by 0.5 each way), or the bins between the
 * increasing edges of a 1-D tensor. Each bin holds its left edge; the last also its right edge;
 * values outside and NaN are left out. Returns [hist, binEdges] in x's float dtype. Not
 * differentiable.
 */
export function histogram(x: T, bins: number | T, opts?: HistogramOptions | null): Histogram {
  const op = "histogram";
  assertTensor(op, x);
  if (!isFloating(x.dtype)) throw new TensileError(`${op}: expected a floating point input, got ${x.dtype}`);
  const o = isPlainObject(opts) ? (opts as HistogramOptions) : {};
  const density = boolOpt(op, "density", o.density, false);
  const weight = o.weight ?? null;
  if (weight !== null) {
    assertTensor(op, weight, "weight");
    if (!shapesEqual(weight.shape, x.shape)) throw new TensileError(`${op}: weight should have the same shape as the input, got ${fmtShape(weight.shape)} and ${fmtShape(x.shape)}`);
    if (weight.dtype !== x.dtype) throw new TensileError(`${op}: the input and weight tensors should have the same dtype, but got ${x.dtype} and ${weight.dtype}`);
  }
  const dtype = x.dtype;
  const r = dtype === "float32" ? Math.fround : (v: number) => v;
  const data = x.detach().contiguous().dataSync();
  let edges: Float64Array;
  let linear: boolean;
  if (bins instanceof Tensor) {
    assertTensor(op, bins, "bins");
    if (o.range !== undefined && o.range !== null) throw new TensileError(`${op}: range can only be given with a number of bins, not with a tensor of bin edges`);
    if (bins.ndim !== 1) throw new TensileError(`${op}: bins tensor should have one dimension, but got ${bins.ndim} dimensions`);
    if (bins.dtype !== dtype) throw new TensileError(`${op}: input tensor and bins tensors should have the same dtype, but got input with dtype ${dtype} and bins with dtype ${bins.dtype}`);
    if (bins.numel() < 2) throw new TensileError(`${op}: bins must be > 0, but got ${bins.numel() - 1} (a bins tensor of ${bins.numel()} edges)`);
    edges = Float64Array.from(bins.detach().contiguous().dataSync());
    linear = false;
  } else {
    if (typeof bins !== "number" || !Number.isInteger(bins)) throw new TensileError(`${op}: bins must be an integer or a 1-D Tensor of edges, got ${fmtValue(bins)}`);
    if (bins <= 0) throw new TensileError(`${op}: bins must be > 0, but got ${bins}`);
    let lo = 0, hi = 1;
    const range = o.range ?? null;
    if (range !== null) {
      if (!Array.isArray(range) || range.length !== 2 || !range.every((v) => typeof v === "number"))
        throw new TensileError(`${op}: range must be an array [min, max] of two numbers, got ${fmtValue(range)}`);
      [lo, hi] = range as [number, number];
    } else if (data.length > 0) {
      // x's min and max (NaN when x holds a NaN, which the finiteness check then refuses)
      lo = Infinity;
      hi = -Infinity;
      for (const v of data) {
        if (v !== v) {
          lo = hi = NaN;
          break;
        }
        if (v < lo) lo = v;
        if (v > hi) hi = v;
      }
    }
    if (!Number.isFinite(lo) || !Number.isFinite(hi)) throw new TensileError(`${op}: the range [${lo}, ${hi}] is not finite`);
    if (lo > hi) throw new TensileError(`${op}: min should not exceed max, but got min ${lo} max ${hi}`);
    if (lo === hi) (lo -= 0.5), (hi += 0.5);
    edges = Float64Array.from(linspaceValues(lo, hi, bins + 1, dtype === "float64" ? "float64" : "float32"));
    linear = true;
  }
  const nb = edges.length; // bin edges
  const left = edges[0]!, right = edges[nb - 1]!;
  const hist = new Float64Array(nb - 1);
  const w = weight ? weight.detach().contiguous().dataSync() : null;
  for (let i = 0; i < data.length; i++) {
    const v = data[i]!;
    if (!(v >= left && v <= right)) continue; // outside, or NaN
    let pos: number;
    if (linear) {
      // PyTorch's LINEAR_INTERPOLATION_WITH_LOCAL_SEARCH, in the input's dtype
      pos = Math.trunc(r(r(r(v - left) * (nb - 1)) / r(right - left)));
      const lo = Math.max(0, pos - 1), hi = Math.min(pos + 2, nb);
      pos = upperBound(edges, lo, hi, v) - 1;
    } else pos = upperBound(edges, 0, nb, v) - 1;
    if (pos === nb - 1) pos -= 1;
    hist[pos] = r(hist[pos]! + (w ? w[i]! : 1));
  }
  if (density) {
    let total = 0;
    for (const h of hist) total += h;
    total = r(total);
    for (let b = 0; b < hist.length; b++) hist[b] = r(r(hist[b]! / total) / r(edges[b + 1]! - edges[b]!));
  }
  const h = fromHost(x, dtype, hist, [nb - 1]);
  const e = fromHost(x, dtype, edges, [nb]);
  return Object.defineProperties([h, e], { hist: { value: h }, binEdges: { value: e } }) as Histogram;
}

// ---- cov, corrcoef ----

export interface CovOptions {
  /** Subtracted from the number of observations (or the weights' sum) in the denominator: 1 (default) is Bessel's correction, 0 the plain mean. */
  correction?: number;
  /** Integer frequency weights, one per observation (int32, ≥ 0). */
  fweights?: Tensor | null;
  /** Floating observation weights, one per observation (≥ 0). */
  aweights?: Tensor | null;
}

/**
 * The covariance matrix of the variables in x's rows (observations in its columns; a 1-D x is one
 * variable), as `torch.cov`: Σ w (x − x̄)(x − x̄)ᵀ / (Σw − correction·Σ(w·a)/Σw), squeezed. Degrees
 * of freedom ≤ 0 give a zero denominator (inf/NaN), as PyTorch (which warns).
 */
export function cov(x: T, opts?: CovOptions | null): T {
  const op = "cov";
  assertTensor(op, x);
  const o = isPlainObject(opts) ? (opts as CovOptions) : {};
  if (x.ndim > 2) throw new TensileError(`${op}: expected input to have two or fewer dimensions but got an input with ${x.ndim} dimensions (shape ${fmtShape(x.shape)})`);
  if (x.dtype === "bool") throw new TensileError(`${op}: bool dtype is not supported for input`);
  const correction = o.correction ?? 1;
  intArg(op, "correction", correction);
  const input = x.ndim < 2 ? x.reshape([1, -1]) : x;
  const nObs = input.shape[1]!;
  const checkWeights = (name: string, t: T, integral: boolean): void => {
    assertTensor(op, t, name);
    if (t.ndim > 1) throw new TensileError(`${op}: expected ${name} to have one or fewer dimensions but got ${name} with ${t.ndim} dimensions`);
    if (integral ? t.dtype !== "int32" : !isFloating(t.dtype))
      throw new TensileError(`${op}: expected ${name} to have ${integral ? "integral (int32)" : "floating point"} dtype but got ${name} with ${t.dtype} dtype`);
    if (t.numel() !== nObs) throw new TensileError(`${op}: expected ${name} to have the same numel as there are observations in the input but got ${t.numel()} != ${nObs}`);
    if (nObs > 0 && t.detach().dataSync().some((v) => v < 0)) throw new TensileError(`${op}: ${name} cannot be negative`);
  };
  const fw = o.fweights ?? null;
  let aw = o.aweights ?? null;
  let w: T | null = null;
  if (fw !== null) {
    checkWeights("fweights", fw, true);
    w = onBackend(fw, x.backend).reshape([-1]);
  }
  if (aw !== null) {
    checkWeights("aweights", aw, false);
    aw = onBackend(aw, x.backend).reshape([-1]);
    w = w ? w.mul(aw) : aw;
  }
  const wSum: T | number = w ? sum(w) : nObs;
  if (w && (wSum as T).item() === 0) throw new TensileError(`${op}: weights sum to zero, can't be normalized`);
  const avg = (w ? input.mul(w) : input).sum(1).div(wSum);
  let norm: T | number;
  if (w && correction !== 0) norm = aw ? E.sub(wSum, w.mul(aw).sum().mul(correction).div(wSum)) : E.sub(wSum, correction);
  else norm = typeof wSum === "number" ? wSum - correction : wSum.sub(correction);
  if ((typeof norm === "number" ? norm : norm.item()) <= 0) norm = 0;
  const centered = input.sub(avg.unsqueeze(1));
  const c = mm(centered, (w ? centered.mul(w) : centered).t());
  return c.div(norm).squeeze();
}

/**
 * The Pearson correlation coefficients of the variables in x's rows, as `torch.corrcoef`:
 * cov(x) divided by the outer product of the standard deviations, clipped to [−1, 1].
 */
export function corrcoef(x: T): T {
  assertTensor("corrcoef", x);
  if (x.ndim > 2) throw new TensileError(`corrcoef: expected input to have two or fewer dimensions but got an input with ${x.ndim} dimensions (shape ${fmtShape(x.shape)})`);
  if (x.dtype === "bool") throw new TensileError("corrcoef: bool dtype is not supported for input");
  const c = cov(x);
  if (c.ndim === 0) return c.div(c);
  const sd = E.sqrt(c.diagonal());
  return E.clamp(c.div(sd.reshape([-1, 1])).div(sd.reshape([1, -1])), -1, 1);
}

/** A 2-D matrix with x's elements (flattened) on its `offset`-th diagonal, as `torch.diagflat`. */
export function diagflat(x: T, offset = 0): T {
  assertTensor("diagflat", x);
  intArg("diagflat", "offset", offset);
  return diag(x.reshape([-1]), offset);
}

// ---- trapezoid, cumulativeTrapezoid ----

export interface TrapezoidOptions {
  /** The sample points (instead of an even spacing): 1-D along dim, or broadcasting with y. */
  x?: Tensor | null;
  /** The even spacing of the sample points (default 1). */
  dx?: number | null;
  /** The dim to integrate along (default −1). */
  dim?: number;
}

/** (y, x?, opts?) or (y, opts?): the sample points positionally (PyTorch's order) or as `opts.x`. */
function trapezoidArgs(op: string, y: T, xOrOpts: unknown, opts: unknown): { xs: T | null; dx: number; d: number } {
  assertTensor(op, y);
  let o: Record<string, unknown> = {};
  let xs: unknown = null;
  if (xOrOpts instanceof Tensor) {
    xs = xOrOpts;
    if (isPlainObject(opts)) o = opts;
    if (o.x !== undefined && o.x !== null) throw new TensileError(`${op}: x given twice (positionally and in the options)`);
  } else if (isPlainObject(xOrOpts)) {
    o = xOrOpts;
    xs = o.x ?? null;
  } else if (xOrOpts !== undefined && xOrOpts !== null) throw new TensileError(`${op}: expected x to be a Tensor or an options object, got ${fmtValue(xOrOpts)}`);
  const dxRaw = o.dx ?? null;
  if (xs !== null) {
    assertTensor(op, xs, "x");
    if (dxRaw !== null) throw new TensileError(`${op}: give either x or dx, not both`);
  }
  if (dxRaw !== null && (typeof dxRaw !== "number" || Number.isNaN(dxRaw))) throw new TensileError(`${op}: dx must be a real number, got ${fmtValue(dxRaw)}`);
  const dim = o.dim ?? -1;
  if (y.ndim === 0) throw new TensileError(`${op}: Dimension specified as ${fmtValue(dim)} but tensor has no dimensions`);
  const d = normalizeDim(op, dim as number, y.ndim);
  if (y.dtype === "bool" || (xs instanceof Tensor && xs.dtype === "bool")) throw new TensileError(`${op}: received a bool input for x or y, but bool is not supported`);
  return { xs: xs as T | null, dx: (dxRaw as number | null) ?? 1, d };
}

/** The spacings x[i+1] − x[i] along dim d, x viewed against y as PyTorch views it. */
function spacings(op: string, y: T, xs: T, d: number): T {
  let xv: T;
  if (xs.ndim === 1) {
    if (xs.shape[0] !== y.shape[d]) throw new TensileError(`${op}: There must be one x value for each sample point (x ${fmtShape(xs.shape)}, y ${fmtShape(y.shape)} along dim ${d})`);
    xv = xs.reshape(y.shape.map((s, i) => (i === d ? s : 1)));
  } else if (xs.ndim < y.ndim) xv = xs.reshape([...new Array<number>(y.ndim - xs.ndim).fill(1), ...xs.shape]);
  else xv = xs;
  const n = xv.shape[d]!;
  const dxs = xv.narrow(d, 1, Math.max(n - 1, 0)).sub(xv.narrow(d, 0, Math.max(n - 1, 0)));
  const pairShape = y.shape.map((s, i) => (i === d ? Math.max(s - 1, 0) : s));
  broadcastShapes(op, dxs.shape, pairShape);
  return onBackend(dxs, y.backend);
}

function trapezoidImpl(op: string, y: T, xOrOpts: unknown, opts: unknown): T {
  const { xs, dx, d } = trapezoidArgs(op, y, xOrOpts, opts);
  const n = y.shape[d]!;
  // no samples: 0, as NumPy (in y's dtype)
  if (n === 0) return zerosLike(y.sum(d));
  if (xs === null) return y.sum(d).sub(y.select(d, 0).add(y.select(d, -1)).mul(0.5)).mul(dx);
  const dxs = spacings(op, y, xs, d);
  const pairs = y.narrow(d, 1, n - 1).add(y.narrow(d, 0, n - 1));
  return pairs.mul(dxs).sum(d).div(2);
}

/**
 * ∫y along `dim` by the trapezoidal rule, as `torch.trapezoid`: with sample points x (positionally
 * or `opts.x`: 1-D along dim, or broadcasting with y), or an even spacing `dx` (default 1).
 */
export function trapezoid(y: T, x?: T | TrapezoidOptions | null, opts?: TrapezoidOptions | null): T {
  return trapezoidImpl("trapezoid", y, x, opts);
}
/** `torch.trapz`: trapezoid under its older name. */
export function trapz(y: T, x?: T | TrapezoidOptions | null, opts?: TrapezoidOptions | null): T {
  return trapezoidImpl("trapz", y, x, opts);
}

/**
 * The running trapezoidal integral of y along `dim`, as `torch.cumulative_trapezoid` (one fewer
 * element along dim than y; the first partial area first).
 */
export function cumulativeTrapezoid(y: T, x?: T | TrapezoidOptions | null, opts?: TrapezoidOptions | null): T {
  const op = "cumulativeTrapezoid";
  const { xs, dx, d } = trapezoidArgs(op, y, x, opts);
  const m = Math.max(y.shape[d]! - 1, 0);
  const pairs = y.narrow(d, Math.min(1, y.shape[d]!), m).add(y.narrow(d, 0, m));
  if (xs === null) return castTo(pairs, floatOf(pairs.dtype)).mul(dx / 2).cumsum(d);
  return spacings(op, y, xs, d).mul(pairs).cumsum(d).div(2);
}

// ---- renorm ----

/**
 * x with each slice along `dim` whose p-norm exceeds `maxnorm` scaled down to norm maxnorm
 * (by maxnorm / (norm + 1e-7)), as `torch.renorm`. Differentiable in x.
 */
export function renorm(x: T, p: number, dim: number, maxnorm: number): T {
  const op = "renorm";
  assertTensor(op, x);
  if (typeof p !== "number" || Number.isNaN(p)) throw new TensileError(`${op}: p must be a number, got ${fmtValue(p)}`);
  if (typeof maxnorm !== "number" || Number.isNaN(maxnorm)) throw new TensileError(`${op}: maxnorm must be a number, got ${fmtValue(maxnorm)}`);
  if (x.ndim <= 1) throw new TensileError(`${op}: input needs at least 2 dimensions, got ${x.ndim} dimensions`);
  const d = normalizeDim(op, dim, x.ndim);
  if (!(p > 0)) throw new TensileError(`${op}: non-positive-norm not supported (p = ${p})`);
  if (!(maxnorm >= 0)) throw new TensileError(`${op}: expected maxnorm to be >= 0 but got ${maxnorm}`);
  if (!isFloating(x.dtype)) throw new TensileError(`${op}: expected a floating point input, got ${x.dtype}`);
  const others = [...x.shape.keys()].filter((i) => i !== d);
  const norm = vectorNorm(x, p, others, true);
  const factor = E.where(norm.gt(maxnorm), E.div(maxnorm, norm.add(1e-7)), 1);
  return x.mul(factor);
}

// ---- addcmul, addcdiv ----

function addcArgs(op: string, x: T, t1: T, t2: T, opts: unknown): { value: number; dtype: DType } {
  assertTensor(op, x);
  assertTensor(op, t1, "tensor1");
  assertTensor(op, t2, "tensor2");
  const value = isPlainObject(opts) ? (opts.value ?? 1) : 1;
  const dtype = promoteTypes(promoteTypes(x.dtype, t1.dtype), t2.dtype);
  if (typeof value !== "number" || Number.isNaN(value)) throw new TensileError(`${op}: value must be a number, got ${fmtValue(value)}`);
  if (dtype === "bool") throw new TensileError(`${op}: not implemented for bool tensors`);
  if (!isFloating(dtype) && !Number.isInteger(value)) throw new TensileError(`${op}: value must be an integer for ${dtype} tensors, got ${value}`);
  broadcastShapes(op, broadcastShapes(op, x.shape, t1.shape), t2.shape);
  return { value, dtype };
}

/** x + value·t1·t2 (all three broadcast), as `torch.addcmul`. */
export function addcmul(x: T, tensor1: T, tensor2: T, opts?: { value?: number } | null): T {
  const { value } = addcArgs("addcmul", x, tensor1, tensor2, opts);
  const scaled = value === 1 ? tensor1 : tensor1.mul(value);
  return x.add(scaled.mul(tensor2));
}

/** x + value·t1/t2 (all three broadcast), as `torch.addcdiv`; integer t1 and t2 are refused, as in PyTorch. */
export function addcdiv(x: T, tensor1: T, tensor2: T, opts?: { value?: number } | null): T {
  const { value } = addcArgs("addcdiv", x, tensor1, tensor2, opts);
  if (!isFloating(tensor1.dtype) && !isFloating(tensor2.dtype))
    throw new TensileError(
      "addcdiv: Integer division with addcdiv is no longer supported (tensor1 and tensor2 are integer tensors); " +
        "use addcmul(x, t1.div(t2, {roundingMode: \"trunc\"}), ones) for the old behavior, or cast them to float");
  const scaled = value === 1 ? tensor1 : tensor1.mul(value);
  return x.add(scaled.div(tensor2));
}

// ---- chainMatmul ----

/**
 * The product of the 2-D matrices, in the order of fewest scalar multiplications (as
 * `torch.linalg.multi_dot` chooses it), as `torch.chain_matmul`. One matrix: a copy.
 */
export function chainMatmul(...matrices: (T | readonly T[])[]): T {
  const op = "chainMatmul";
  const ms = (matrices.length === 1 && Array.isArray(matrices[0]) ? matrices[0] : matrices) as T[];
  if (ms.length === 0) throw new TensileError(`${op}: Expected one or more matrices`);
  ms.forEach((m, i) => {
    assertTensor(op, m, `matrix ${i}`);
    if (m.ndim !== 2) throw new TensileError(`${op}: matrix ${i} must be 2-D, got ${m.ndim}-D ${fmtShape(m.shape)}`);
    if (m.dtype !== ms[0]!.dtype) throw new TensileError(`${op}: all matrices must have the same dtype, but matrix 0 is ${ms[0]!.dtype} and matrix ${i} ${m.dtype}`);
    if (i > 0 && ms[i - 1]!.shape[1] !== m.shape[0])
      throw new TensileError(`${op}: matrices ${i - 1} and ${i} with shapes ${fmtShape(ms[i - 1]!.shape)} and ${fmtShape(m.shape)} cannot be multiplied`);
  });
  const n = ms.length;
  if (n === 1) return ms[0]!.clone();
  if (n === 2) return mm(ms[0]!, onBackend(ms[1]!, ms[0]!.backend));
  const dims = [ms[0]!.shape[0]!, ...ms.map((m) => m.shape[1]!)];
  if (n === 3) {
    const [a, b, c, d] = dims as [number, number, number, number];
    const first = a * c * (b + d), second = b * d * (a + c);
    return first > second ? mm(ms[0]!, mm(ms[1]!, ms[2]!)) : mm(mm(ms[0]!, ms[1]!), ms[2]!);
  }
  // the classic O(n³) matrix-chain order (strict improvement keeps the first split)
  const cost = Array.from({ length: n }, () => new Array<number>(n).fill(0));
  const split = Array.from({ length: n }, () => new Array<number>(n).fill(0));
  for (let len = 1; len < n; len++)
    for (let i = 0; i + len < n; i++) {
      const j = i + len;
      cost[i]![j] = Infinity;
      for (let k = i; k < j; k++) {
        const q = cost[i]![k]! + cost[k + 1]![j]! + dims[i]! * dims[k + 1]! * dims[j + 1]!;
        if (q < cost[i]![j]!) (cost[i]![j] = q), (split[i]![j] = k);
      }
    }
  const prod = (i: number, j: number): T => (i === j ? ms[i]! : mm(prod(i, split[i]![j]!), prod(split[i]![j]! + 1, j)));
  return prod(0, n - 1);
}

export { scatterReduce, indexReduce, reduceReadsSelf, scatterReduceArgs, type ScatterReduceKeywords, type ScatterReduceOp, type IndexReduceOp, type ScatterReduceOptions } from "./scatter-reduce.js";
