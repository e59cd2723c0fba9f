/**
 * Sorting: sort, argsort, topk. The order is found on the host (a stable sort per line along the
 * dim, NaN ordered above +∞ as PyTorch orders it); the values are then `x.gather(dim, indices)`,
 * so their gradient is PyTorch's: each output's gradient goes back to the element it came from.
 * No backend primitive: sorting is rarely on a training step's hot path (top-k accuracy, ranking
 * recommendations), and one pass over the data in JavaScript costs less than a kernel's plumbing.
 */
import { TensileError, fmtShape } from "../errors.js";
import { normalizeDim } from "../tensor/shape.js";
import { Tensor } from "../tensor/tensor.js";
import { type ValuesIndices, assertTensor, valuesIndices, wrap } from "./util.js";

type T = Tensor;

/**
 * For each line of x along dim d, the indices of its first k elements in sorted order, as an
 * int32 tensor of x's shape with dim d of size k. Ascending puts NaN last; descending puts it
 * first. Ties keep their original order (stable), as PyTorch's `stable=True`.
 */
function order(x: T, d: number, descending: boolean, k: number): T {
  const n = x.shape[d]!;
  const perm = [...x.shape.keys()].filter((i) => i !== d).concat(d);
  const inv = perm.map((_, i) => perm.indexOf(i));
  const lines = n === 0 ? 0 : x.numel() / n;
  const data = x.detach().permute(perm).contiguous().dataSync();
  const out = new Int32Array(lines * k);
  const idx = Array.from({ length: n }, (_, i) => i);
  for (let l = 0; l < lines; l++) {
    const base = l * n;
    const key = (i: number): number => {
      const v = Number(data[base + i]);
      return Number.isNaN(v) ? Infinity : v; // compared as the largest; tie-broken below
    };
    const nan = (i: number): boolean => Number.isNaN(Number(data[base + i]));
    for (let i = 0; i < n; i++) idx[i] = i;
    idx.sort((i, j) => {
      const a = key(i), b = key(j);
      let c = a < b ? -1 : a > b ? 1 : 0;
      if (c === 0) c = (nan(i) ? 1 : 0) - (nan(j) ? 1 : 0); // NaN above +∞
      if (descending) c = -c;
      return c !== 0 ? c : i - j;
    });
    for (let i = 0; i < k; i++) out[l * k + i] = idx[i]!;
  }
  const shape = perm.map((p) => (p === d ? k : x.shape[p]!));
  return wrap(x.backend, x.backend.fromArray(out), shape).permute(inv).contiguous();
}

/** [values, indices] of x sorted along `dim` (ascending unless `descending`); indices int32. Stable. */
export function sort(x: T, dim = -1, descending = false): ValuesIndices {
  assertTensor("sort", x);
  if (x.ndim === 0) return valuesIndices(x.clone(), wrap(x.backend, x.backend.fromArray(new Int32Array(1)), []));
  const d = normalizeDim("sort", dim, x.ndim);
  const idx = order(x, d, descending, x.shape[d]!);
  return valuesIndices(x.gather(d, idx), idx);
}

/** The indices that sort x along `dim` (int32), as `sort(x, dim, descending)[1]`. */
export function argsort(x: T, dim = -1, descending = false): T {
  assertTensor("argsort", x);
  if (x.ndim === 0) return wrap(x.backend, x.backend.fromArray(new Int32Array(1)), []);
  const d = normalizeDim("argsort", dim, x.ndim);
  return order(x, d, descending, x.shape[d]!);
}

/**
 * [values, indices] of the k largest (or, `largest = false`, smallest) elements along `dim`, in
 * sorted order (PyTorch leaves the order to the implementation when `sorted` is false; here it
 * is always sorted). NaN counts as the largest value.
 */
// `_sorted`: PyTorch's `sorted` argument, taken for its position; the result is always sorted
export function topk(x: T, k: number, dim = -1, largest = true, _sorted = true): ValuesIndices {
  assertTensor("topk", x);
  const d = normalizeDim("topk", dim, x.ndim);
  const n = x.ndim === 0 ? 1 : x.shape[d]!;
  if (!Number.isInteger(k) || k < 0 || k > n)
    throw new TensileError(`topk: selected index k (${k}) out of range for dimension ${d} of size ${n} (input ${fmtShape(x.shape)})`);
  if (x.ndim === 0) return k === 0 ? valuesIndices(x.reshape([1]).narrow(0, 0, 0), wrap(x.backend, x.backend.fromArray(new Int32Array(0)), [0])) : sort(x);
  const idx = order(x, d, largest, k);
  return valuesIndices(x.gather(d, idx), idx);
}

export interface UniqueOptions {
  /** Ascending order (always: PyTorch's CPU unique sorts too). */
  sorted?: boolean;
  /** Also return, for each input element, the index of its value in the result (x's shape, int32). */
  returnInverse?: boolean;
  /** Also return how often each value occurs (int32). */
  returnCounts?: boolean;
}

/**
 * The distinct values of x (flattened), ascending; with `returnInverse` / `returnCounts`, an
 * array [values, inverse?, counts?] as PyTorch's tuple. NaNs are distinct from each other and
 * sort last (as NumPy; torch 1.13's CPU unique returns [1, nan, nan, 2] for [2, nan, 1, nan, 2],
 * with counts that do not add up). Not differentiable (like PyTorch's).
 */
export function unique(x: T, opts: UniqueOptions & { returnInverse?: false; returnCounts?: false }): T;
export function unique(x: T, opts?: UniqueOptions): T | T[];
export function unique(x: T, opts: UniqueOptions = {}): T | T[] {
  assertTensor("unique", x);
  const { returnInverse = false, returnCounts = false } = opts ?? {};
  const data = x.detach().contiguous().dataSync();
  const n = data.length;
  const order = Array.from({ length: n }, (_, i) => i);
  const v = (i: number) => Number(data[i]);
  order.sort((i, j) => {
    const a = v(i), b = v(j);
    if (Number.isNaN(a) || Number.isNaN(b)) return (Number.isNaN(a) ? 1 : 0) - (Number.isNaN(b) ? 1 : 0) || i - j;
    return a < b ? -1 : a > b ? 1 : i - j;
  });
  const values: number[] = [], counts: number[] = [];
  const inverse = new Int32Array(n);
  for (const i of order) {
    const a = v(i);
    if (values.length === 0 || Number.isNaN(a) || !(a === values[values.length - 1])) {
      values.push(a);
      counts.push(0);
    }
    counts[counts.length - 1]!++;
    inverse[i] = values.length - 1;
  }
  const arr = new (data.constructor as new (n: number) => typeof data)(values.length);
  values.forEach((a, i) => (arr[i] = a));
  const out = wrap(x.backend, x.backend.fromArray(arr), [values.length]);
  if (!returnInverse && !returnCounts) return out;
  const res = [out];
  if (returnInverse) res.push(wrap(x.backend, x.backend.fromArray(inverse), [...x.shape]));
  if (returnCounts) res.push(wrap(x.backend, x.backend.fromArray(Int32Array.from(counts)), [counts.length]));
  return res;
}
