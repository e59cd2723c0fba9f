/**
 * Counting and searching, split from ops/sort.ts (which re-exports them): bincount, histc,
 * searchsorted (with `sorter`), bucketize. Not differentiable, as in PyTorch; one pass on the host.
 */
import { TensileError, fmtShape, fmtValue } from "../errors.js";
import { type TypedArray, arrayFor, isFloating } from "../tensor/dtype.js";
import { Tensor } from "../tensor/tensor.js";
import { assertTensor, wrap } from "./util.js";
import { kwArgs } from "../utils/positional.js";

type T = Tensor;
const isNan = (v: number): boolean => v !== v;

/** bincount's keywords, as PyTorch's: `bincount(batch, { minlength: 3 })`. */
export interface BincountOptions {
  weights?: T | null;
  minlength?: number;
}

/**
 * How often each value 0, 1, ... occurs in the 1-D non-negative int tensor x (int32), or, with
 * `weights` (x's shape), the sum of the weights of each value (in the weights' dtype). The result
 * has max(x) + 1 entries, at least `minlength`.
 */
export function bincount(x: T, weights?: T | null | BincountOptions, minlength?: number | BincountOptions): T {
  [weights, minlength = 0] = kwArgs("bincount", [weights, minlength], ["weights", "minlength"]) as [T | null | undefined, number | undefined];
  assertTensor("bincount", x);
  if (x.ndim !== 1 || x.dtype !== "int32")
    throw new TensileError(`bincount: input must be a 1-D int32 tensor, got ${x.dtype} ${fmtShape(x.shape)}`);
  if (!Number.isInteger(minlength) || minlength < 0) throw new TensileError(`bincount: minlength should be a non-negative integer, got ${fmtValue(minlength)}`);
  if (weights !== undefined && weights !== null) {
    assertTensor("bincount", weights, "weights");
    if (weights.ndim !== 1 || weights.shape[0] !== x.shape[0])
      throw new TensileError(`bincount: weights should be 1-D and have the same length as input, got ${fmtShape(weights.shape)} and ${fmtShape(x.shape)}`);
  }
  const v = x.contiguous().dataSync();
  let m = -1;
  for (const a of v) {
    if (a < 0) throw new TensileError(`bincount: input must contain only non-negative values, got ${a}`);
    if (a > m) m = a;
  }
  const len = Math.max(m + 1, minlength);
  const w = weights ? weights.contiguous().dataSync() : null;
  const out = arrayFor(w ? (isFloating(weights!.dtype) ? weights!.dtype : "float64") : "int32", len);
  for (let i = 0; i < v.length; i++) out[v[i]!] += w ? Number(w[i]) : 1;
  return wrap(x.backend, x.backend.fromArray(out), [len]);
}

/**
 * A histogram of x's values in `bins` equal bins between `min` and `max` (both 0: x's own min and
 * max, refused as not finite when x holds NaN or ±inf, as torch); values outside and NaNs are
 * ignored, `max` itself counts in the last bin. x's dtype (float).
 */
export function histc(x: T, bins = 100, min = 0, max = 0): T {
  assertTensor("histc", x);
  if (!isFloating(x.dtype)) throw new TensileError(`histc: input must be a float tensor, got ${x.dtype}`);
  if (!Number.isInteger(bins) || bins <= 0) throw new TensileError(`histc: bins must be a positive integer, got ${fmtValue(bins)}`);
  if (typeof min !== "number" || typeof max !== "number" || !Number.isFinite(min) || !Number.isFinite(max))
    throw new TensileError(`histc: range of [${fmtValue(min)}, ${fmtValue(max)}] is not finite`);
  if (min > max) throw new TensileError(`histc: max must be larger than min, got min ${min} and max ${max}`);
  const v = x.contiguous().dataSync();
  const round = x.dtype === "float32" ? Math.fround : (a: number) => a;
  let lo = min, hi = max;
  if (lo === hi && v.length > 0) {
    // the data's range, as torch's min()/max(): a NaN makes it NaN, refused below as torch refuses it
    lo = Infinity, hi = -Infinity;
    for (const a of v) {
      if (isNan(a)) {
        lo = hi = NaN;
        break;
      }
      (lo = Math.min(lo, a)), (hi = Math.max(hi, a));
    }
  }
  if (lo === hi) (lo -= 1), (hi += 1);
  if (!Number.isFinite(lo) || !Number.isFinite(hi)) throw new TensileError(`histc: range of [${lo}, ${hi}] is not finite`);
  const out = arrayFor(x.dtype, bins);
  const span = round(hi - lo);
  for (const a of v) {
    if (!(a >= lo && a <= hi)) continue;
    const pos = Math.floor(round(round(round(a - lo) * bins) / span));
    out[Math.min(pos, bins - 1)]! += 1;
  }
  return wrap(x.backend, x.backend.fromArray(out), [bins]);
}

export interface SearchSortedOptions {
  /** Ignored: indices are always int32 in Tensile. */
  outInt32?: boolean;
  /** The last position an equal value could go at (as `side: "right"`). */
  right?: boolean;
  side?: "left" | "right";
  /** int32 indices that sort an unsorted `sortedSequence` along its last dim (its shape; as `argsort`). */
  sorter?: T | null;
}

/** First i in line[lo, lo+n) with line[i] >= v (left) or > v (right); NaN sorts above everything. */
function bound(seq: TypedArray, lo: number, n: number, v: number, right: boolean): number {
  let start = 0, end = n;
  while (start < end) {
    const mid = start + ((end - start) >> 1);
    const m = Number(seq[lo + mid]);
    if (right ? !(m > v) : !(m >= v)) start = mid + 1;
    else end = mid;
  }
  return start;
}

/**
 * For each value, the index at which it would be inserted into `sortedSequence` (sorted along its
 * last dim) to keep it sorted: the first such position, or the last with `right` / `side: "right"`.
 * A 1-D sequence serves every value; an N-D one pairs its leading dims with the values'. With
 * `sorter` (int32, as `argsort(sortedSequence)`), the sequence need not be sorted: it is read in
 * sorter's order and the positions refer to that order. int32.
 * ```ts
 * searchsorted(tensor([3, 1, 2]), tensor([2.5]), { sorter: tensor([1, 2, 0]) }); // [2]
 * ```
 */
export function searchsorted(sortedSequence: T, values: T | number, opts?: SearchSortedOptions | null): T {
  const name = "searchsorted";
  assertTensor(name, sortedSequence, "sortedSequence");
  const scalar = typeof values === "number";
  if (!scalar) assertTensor(name, values, "values");
  const o = opts ?? {};
  if (o.sorter !== undefined && o.sorter !== null) {
    const st = o.sorter;
    assertTensor(name, st, "sorter");
    if (st.dtype !== "int32") throw new TensileError(`${name}: sorter must be a tensor of int32 dtype, got ${st.dtype}`);
    if (st.ndim !== sortedSequence.ndim || st.shape.some((v, i) => v !== sortedSequence.shape[i]))
      throw new TensileError(`${name}: boundary and sorter must have the same size, but got boundary tensor ${fmtShape(sortedSequence.shape)} and got sorter tensor ${fmtShape(st.shape)}`);
    const n = sortedSequence.shape[sortedSequence.ndim - 1] ?? 1;
    for (const v of st.dataSync() as Int32Array)
      if (v < 0 || v >= n) throw new TensileError(`${name}: sorter index out of range (${v} for a last dim of size ${n})`);
    const sorted = sortedSequence.ndim === 0 ? sortedSequence : sortedSequence.detach().gather(-1, st);
    return searchsorted(sorted, values, { ...o, sorter: null });
  }
  if (o.side !== undefined && o.side !== "left" && o.side !== "right") throw new TensileError(`${name}: side can only be "left" or "right", got ${fmtValue(o.side)}`);
  if (o.side === "left" && o.right) throw new TensileError(`${name}: side and right can't be set to opposites, got side of left while right was true`);
  const right = o.side === "right" || !!o.right;
  const vals = scalar ? null : (values as T);
  const seq = sortedSequence.contiguous().dataSync();
  if (sortedSequence.ndim === 0) throw new TensileError(`${name}: input value can't be a scalar (sortedSequence has 0 dims)`);
  const n = sortedSequence.shape[sortedSequence.ndim - 1]!;
  const vshape = vals ? vals.shape : [];
  if (sortedSequence.ndim > 1) {
    const lead = sortedSequence.shape.slice(0, -1);
    if (vshape.length !== sortedSequence.ndim || lead.some((s, i) => s !== vshape[i]))
      throw new TensileError(`${name}: boundaries tensor should be 1 dimension or the first N-1 dimensions of boundaries tensor and input value tensor must match, but we got boundaries tensor ${fmtShape(sortedSequence.shape)} and input value tensor ${fmtShape(vshape)}`);
  }
  const v = vals ? vals.contiguous().dataSync() : [values as number];
  const inner = vshape.length === 0 ? 1 : vshape[vshape.length - 1]!;
  const out = new Int32Array(v.length);
  for (let i = 0; i < v.length; i++) {
    const line = sortedSequence.ndim > 1 ? Math.floor(i / inner) * n : 0;
    out[i] = bound(seq, line, n, Number(v[i]), right);
  }
  return wrap(sortedSequence.backend, sortedSequence.backend.fromArray(out), vshape);
}

/** The bucket of each value of x among the sorted 1-D `boundaries` (searchsorted with the arguments swapped). */
export function bucketize(x: T | number, boundaries: T, opts?: { outInt32?: boolean; right?: boolean } | null): T {
  if (typeof x !== "number") assertTensor("bucketize", x);
  assertTensor("bucketize", boundaries, "boundaries");
  if (boundaries.ndim !== 1) throw new TensileError(`bucketize: boundaries tensor must be 1 dimension, but got dim(${boundaries.ndim})`);
  const o = opts ?? {};
  return searchsorted(boundaries, x, { right: !!o.right });
}
