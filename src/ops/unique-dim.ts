/**
 * `unique(x, { dim })` (ops/sort.ts's `unique` calls it): the distinct slices along a dim, in the
 * order torch.unique(x, dim=) gives them, and the run grouping it shares with
 * `uniqueConsecutive(x, { dim })` (ops/stats.ts). On the host, like `unique` itself; not differentiable.
 */
import { TensileError, fmtShape, fmtValue } from "../errors.js";
import { type TypedArray, arrayFor } from "../tensor/dtype.js";
import { normalizeDim } from "../tensor/shape.js";
import { Tensor } from "../tensor/tensor.js";
import { wrap } from "./util.js";

type T = Tensor;

/**
 * unique along `dim`: the distinct slices x.select(dim, i), in lexicographic order as
 * torch.unique(x, dim=dim) compares them (the elements of x.transpose(0, dim)'s slices, row-major);
 * inverse has one entry per slice.
 */
export function uniqueDim(x: T, dim: number, returnInverse: boolean, returnCounts: boolean): T | T[] {
  const op = "unique";
  if (typeof dim !== "number" || !Number.isInteger(dim)) throw new TensileError(`${op}: dim must be an integer or null, got ${fmtValue(dim)}`);
  if (x.ndim === 0) throw new TensileError(`${op}: Dimension specified as ${dim} but tensor has no dimensions`);
  const d = normalizeDim(op, dim, x.ndim);
  const n = x.shape[d]!;
  const intT = (a: Int32Array, shape: readonly number[]) => wrap(x.backend, x.backend.fromArray(a), shape);
  const finish = (values: T, inverse: Int32Array, counts: number[]): T | T[] => {
    if (!returnInverse && !returnCounts) return values;
    const res = [values];
    if (returnInverse) res.push(intT(inverse, [n]));
    if (returnCounts) res.push(intT(Int32Array.from(counts), [counts.length]));
    return res;
  };
  if (n === 0) return finish(x.detach().clone(), new Int32Array(0), []);
  if (x.numel() === 0) throw new TensileError(`${op}: There are 0 sized dimensions, and they aren't selected, so unique cannot be applied (input ${fmtShape(x.shape)}, dim ${d})`);
  // dims 0 and d swapped (not d moved to the front): the slices' elements compare in that order, as torch's
  const perm = [...x.shape.keys()].map((i) => (i === 0 ? d : i === d ? 0 : i));
  const data = x.detach().permute(perm).contiguous().dataSync();
  const S = data.length / n;
  const cmp = (i: number, j: number): number => {
    for (let k = 0; k < S; k++) {
      const a = Number(data[i * S + k]), b = Number(data[j * S + k]);
      if (a < b) return -1;
      if (a > b) return 1;
    }
    return 0;
  };
  const order = Array.from({ length: n }, (_, i) => i).sort((i, j) => cmp(i, j) || i - j);
  const { values, inverse, counts } = runsOfSlices(x, d, perm, data, order, (i, j) => cmp(i, j) === 0);
  return finish(values, inverse, counts);
}

/**
 * The slices of x along dim d (`data`: x permuted by `perm`, which puts d first, made contiguous),
 * taken in `order` and grouped into runs of `same` neighbours: the first slice of each run (as a
 * tensor of x's layout, d shortened to the run count), each slice's run index, each run's length.
 * Shared by `unique(x, {dim})` (sorted order) and `uniqueConsecutive(x, {dim})` (the given order).
 */
export function runsOfSlices(x: T, d: number, perm: readonly number[], data: TypedArray, order: readonly number[],
  same: (i: number, j: number) => boolean): { values: T; inverse: Int32Array; counts: number[] } {
  const n = order.length, S = data.length / n;
  const keep: number[] = [], counts: number[] = [];
  const inverse = new Int32Array(n);
  order.forEach((i, r) => {
    if (r === 0 || !same(order[r - 1]!, i)) {
      keep.push(i);
      counts.push(0);
    }
    counts[counts.length - 1]!++;
    inverse[i] = keep.length - 1;
  });
  const arr = arrayFor(x.dtype, keep.length * S);
  keep.forEach((i, k) => arr.set(data.subarray(i * S, (i + 1) * S), k * S));
  const inv = perm.map((_, i) => perm.indexOf(i));
  const shape = perm.map((p) => (p === d ? keep.length : x.shape[p]!));
  return { values: wrap(x.backend, x.backend.fromArray(arr), shape).permute(inv).contiguous(), inverse, counts };
}
