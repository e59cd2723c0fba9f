/**
 * Sorting: sort, argsort, topk. The order is found on the host (a stable sort per line along the
 * dim, NaN ordered above +∞ as PyTorch orders it); the values are then `x.gather(dim, indices)`,
 * so their gradient is PyTorch's: each output's gradient goes back to the element it came from.
 * No backend primitive: sorting is rarely on a training step's hot path (top-k accuracy, ranking
 * recommendations), and one pass over the data in JavaScript costs less than a kernel's plumbing.
 */
import { record } from "../autograd/engine.js";
import { traceOp } from "../autograd/trace.js";
import { TensileError, fmtShape, fmtValue } from "../errors.js";
import { type TypedArray, arrayFor, isFloating } from "../tensor/dtype.js";
import { normalizeDim } from "../tensor/shape.js";
import { Tensor } from "../tensor/tensor.js";
import { uniqueDim } from "./unique-dim.js";
import { type TensorOrScalar, type ValuesIndices, assertTensor, coerce, describe, valuesIndices, wrap } from "./util.js";
import { kwArgs } from "../utils/positional.js";

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
  // a tracer (ONNX export) sees the indices as an op on x, not as a constant they would be frozen to
  return traceOp("sort", wrap(x.backend, x.backend.fromArray(out), shape).permute(inv).contiguous(), [x], { dim: d, descending, k });
}

/** PyTorch's keywords of sort / argsort: `x.sort({ dim: 0, descending: true })` (`stable`: always). */
export interface SortOptions {
  dim?: number;
  descending?: boolean;
  /** PyTorch's stable sort: Tensile's sort is always stable; accepted, true or false. */
  stable?: boolean;
}
/** PyTorch's `dim=` / `keepdim=` of median, mode, kthvalue. */
export interface SortDimOptions {
  dim?: number | null;
  keepdim?: boolean;
}
const DIM_KEEPDIM = ["dim", "keepdim"];

/** (dim, descending) of sort / argsort, positionally or by name. */
function sortArgs(op: string, dim: number | SortOptions | undefined, descending: boolean | SortOptions | undefined): [number, boolean] {
  const [d, desc, rest] = kwArgs(op, [dim, descending], ["dim", "descending"], ["stable"]) as [number?, boolean?, SortOptions?];
  if (rest?.stable !== undefined && typeof rest.stable !== "boolean") throw new TensileError(`${op}: stable must be a boolean, got ${fmtValue(rest.stable)}`);
  return [d ?? -1, desc ?? false];
}

/** [values, indices] of x sorted along `dim` (ascending unless `descending`); indices int32. Stable. */
export function sort(x: T, dimArg?: number | SortOptions, descendingArg?: boolean | SortOptions): ValuesIndices {
  assertTensor("sort", x);
  const [dim, descending] = sortArgs("sort", dimArg, descendingArg);
  if (x.ndim === 0) return valuesIndices(x.clone(), wrap(x.backend, x.backend.fromArray(new Int32Array(1)), []));
  const d = normalizeDim("sort", dim, x.ndim);
  const idx = order(x, d, descending, x.shape[d]!);
  return valuesIndices(x.gather(d, idx), idx);
}

/** The indices that sort x along `dim` (int32), as `sort(x, dim, descending)[1]`. */
export function argsort(x: T, dimArg?: number | SortOptions, descendingArg?: boolean | SortOptions): T {
  assertTensor("argsort", x);
  const [dim, descending] = sortArgs("argsort", dimArg, descendingArg);
  if (x.ndim === 0) return wrap(x.backend, x.backend.fromArray(new Int32Array(1)), []);
  const d = normalizeDim("argsort", dim, x.ndim);
  return order(x, d, descending, x.shape[d]!);
}

/** PyTorch's keywords of topk: `x.topk(5, { dim: 1, largest: false })`. */
export interface TopkOptions {
  /** PyTorch's `k=` keyword: `x.topk({ k: 5, dim: 1 })` (kNN monitors write `sim.topk(k=knn_k, dim=-1)`). */
  k?: number;
  dim?: number;
  largest?: boolean;
  sorted?: boolean;
}

/**
 * [values, indices] of the k largest (or, `largest = false`, smallest) elements along `dim`, in
 * sorted order (PyTorch leaves the order to the implementation when `sorted` is false; here it
 * is always sorted). NaN counts as the largest value.
 */
// `_sorted`: PyTorch's `sorted` argument, taken for its position; the result is always sorted
export function topk(x: T, k: number | TopkOptions, dim?: number | TopkOptions, largest?: boolean | TopkOptions, _sorted?: boolean | TopkOptions): ValuesIndices {
  assertTensor("topk", x);
  [k, dim, largest, _sorted] = kwArgs("topk", [k, dim, largest, _sorted], ["k", "dim", "largest", "sorted"]) as [number, number?, boolean?, boolean?];
  dim ??= -1;
  largest ??= true;
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
  /** The distinct slices along this dim (sorted lexicographically) instead of the distinct elements. */
  dim?: number | null;
}

/**
 * The distinct values of x (flattened), ascending, or with `dim` the distinct slices along dim
 * (lexicographic order); with `returnInverse` / `returnCounts`, an
 * array [values, inverse?, counts?] as PyTorch's tuple. NaNs are distinct from each other and
 * sort last (as NumPy; torch 1.13's CPU unique returns [1, nan, nan, 2] for [2, nan, 1, nan, 2],
 * with counts that do not add up). Not differentiable (like PyTorch's).
 */
export function unique(x: T, opts: UniqueOptions & { returnInverse?: false; returnCounts?: false }): T;
export function unique(x: T, opts?: UniqueOptions): T | T[];
export function unique(x: T, opts: UniqueOptions = {}): T | T[] {
  assertTensor("unique", x);
  const { returnInverse = false, returnCounts = false, dim = null } = opts ?? {};
  if (dim !== null && dim !== undefined) return uniqueDim(x, dim, returnInverse, returnCounts);
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

export interface IsinOptions {
  /** A hint that both inputs hold distinct values (PyTorch uses it to pick an algorithm; ignored here). */
  assumeUnique?: boolean;
  /** Return true where an element is *not* among the test elements. */
  invert?: boolean;
}

/**
 * For each of `elements`, whether it equals one of `testElements` (bool, `elements`' shape; a
 * number gives a 0-d result), after promoting both to one dtype, as torch.isin. Either argument may
 * be a number. NaN matches nothing, and −0 matches 0. Not differentiable.
 */
export function isin(elements: TensorOrScalar, testElements: TensorOrScalar, opts?: IsinOptions | null): T {
  const { invert = false } = opts ?? {};
  if (!(elements instanceof Tensor) && !(testElements instanceof Tensor))
    throw new TensileError(`isin: expected elements or testElements to be a Tensor, got ${describe(elements)} and ${describe(testElements)}`);
  for (const v of [elements, testElements]) {
    if (v instanceof Tensor && v.dtype === "bool") throw new TensileError(`isin: Unsupported input type encountered for isin(): bool (${describe(v)})`);
    if (!(v instanceof Tensor) && typeof v !== "number") throw new TensileError(`isin: expected a Tensor or a number, got ${describe(v)}`);
  }
  const [X, Y] = coerce("isin", elements, testElements);
  const test = new Set<number>();
  for (const v of Y.detach().contiguous().dataSync()) if (!Number.isNaN(v)) test.add(Number(v)); // a Set matches −0 with 0
  const data = X.detach().contiguous().dataSync();
  const out = new Uint8Array(data.length);
  for (let i = 0; i < data.length; i++) out[i] = test.has(Number(data[i])) !== invert ? 1 : 0;
  return wrap(X.backend, X.backend.fromArray(out), [...X.shape]);
}

// ---- selections along a dim: median, nanmedian, mode, kthvalue, quantile, cummax/cummin ----
// The positions are found on the host, line by line, with PyTorch's own tie rules (checked
// against torch 1.13 on random inputs full of ties); the values are `x.gather(dim, indices)`,
// so each value's gradient goes to the element it came from, as PyTorch's
// value_selecting_reduction_backward sends it.

/** x's lines along d (d moved last, in row-major order of the other dims). */
function linesOf(x: T, d: number): { data: TypedArray; lines: number; n: number } {
  const n = x.shape[d]!;
  const perm = [...x.shape.keys()].filter((i) => i !== d).concat(d);
  const data = x.detach().permute(perm).contiguous().dataSync();
  return { data, lines: n === 0 ? 0 : data.length / n, n };
}

const isNan = (v: number): boolean => v !== v;

/** x with dim d moved last; `fromLast` undoes it. */
const toLast = (x: T, d: number): T => x.permute([...x.shape.keys()].filter((i) => i !== d).concat(d));
const fromLast = (x: T, d: number): T => x.permute([...x.shape.keys()].map((i) => (i < d ? i : i === d ? x.ndim - 1 : i - 1)));

/** PyTorch's comparison for selections: NaN above everything, as sort orders it. */
const gtOrNan = (a: number, b: number): boolean => (isNan(a) && !isNan(b)) || a > b;

/** One index per line (keepdim layout: x's shape with dim d of size 1) → [values, indices]. */
function pickAlong(name: string, x: T, d: number, pick: Int32Array, keepdim: boolean): ValuesIndices {
  const keep = x.shape.map((s, i) => (i === d ? 1 : s));
  // chosen by the values: a tracer (ONNX export) must see an op on x, not a constant
  const idx = traceOp("selectIndices", wrap(x.backend, x.backend.fromArray(pick), keep), [x], { op: name });
  const values = x.gather(d, idx);
  return keepdim ? valuesIndices(values, idx) : valuesIndices(values.squeeze(d), idx.squeeze(d));
}

/** A selection along `dim` of a 0-d tensor (dim 0 or -1) is the tensor itself, index 0. */
function selectAlong(name: string, x: T, dim: number, keepdim: boolean, choose: (line: number[]) => number): ValuesIndices {
  if (typeof keepdim !== "boolean") throw new TensileError(`${name}: keepdim must be a boolean, got ${fmtValue(keepdim)}`);
  const d = normalizeDim(name, dim, x.ndim);
  if (x.ndim === 0) {
    const r = pickAlong(name, x.reshape([1]), 0, new Int32Array(1), false);
    return valuesIndices(r.values.reshape([]), r.indices.reshape([]));
  }
  const { data, lines, n } = linesOf(x, d);
  if (n === 0)
    throw new TensileError(`${name}: cannot select along dimension ${d} of size 0 (input ${fmtShape(x.shape)})`);
  const pick = new Int32Array(lines);
  const line = new Array<number>(n);
  for (let l = 0; l < lines; l++) {
    for (let i = 0; i < n; i++) line[i] = Number(data[l * n + i]);
    pick[l] = choose(line);
  }
  return pickAlong(name, x, d, pick, keepdim);
}

/** Indices 0..n-1 of `line` sorted by value, ties by index (a stable sort); NaN excluded. */
function stableOrder(line: number[]): number[] {
  return [...line.keys()].filter((i) => !isNan(line[i]!)).sort((i, j) => line[i]! - line[j]! || i - j);
}

/** The lower median's index (PyTorch: the first NaN's when the line has one). */
function medianIndex(line: number[], ignoreNan: boolean): number {
  const order = stableOrder(line);
  if (order.length < line.length && !ignoreNan) return line.findIndex(isNan);
  return order.length === 0 ? 0 : order[(order.length - 1) >> 1]!;
}

/**
 * The gradient of a whole-tensor median: shared evenly among the elements equal to it (NaNs when
 * it is NaN), PyTorch's evenly_distribute_backward.
 */
function evenlyDistributed(name: string, x: T, flatIndex: number): T {
  const flat = x.detach().reshape([-1]);
  const out = flat.gather(0, wrap(x.backend, x.backend.fromArray(Int32Array.of(flatIndex)), [1])).reshape([]);
  return record(name, out, [x], (g) => {
    const mask = (isNan(out.item()) ? x.isnan() : x.eq(out)).to(g.dtype);
    return [mask.mul(g.div(mask.sum()))];
  }, undefined, []);
}

function wholeMedian(name: string, x: T, ignoreNan: boolean): T {
  const data = x.detach().contiguous().dataSync();
  if (data.length === 0) return wrap(x.backend, x.backend.fromArray(arrayFor(x.dtype, 1).fill(NaN)), []);
  return evenlyDistributed(name, x, medianIndex(Array.from(data, Number), ignoreNan));
}

/**
 * median(x) → the lower of the two middle values (NaN if x has one); median(x, dim, keepdim) →
 * [values, indices], the index of the lower middle among equal values being the first one.
 */
export function median(x: T): T;
export function median(x: T, dim: number | (SortDimOptions & { dim: number }), keepdim?: boolean | SortDimOptions): ValuesIndices;
export function median(x: T, dim?: number | SortDimOptions, keepdim?: boolean | SortDimOptions): T | ValuesIndices {
  assertTensor("median", x);
  [dim, keepdim] = kwArgs("median", [dim, keepdim], DIM_KEEPDIM) as [number?, boolean?];
  if (dim === undefined || dim === null) return wholeMedian("median", x, false);
  return selectAlong("median", x, dim, keepdim ?? false, (line) => medianIndex(line, false));
}

/** median ignoring NaNs (NaN only where a line is all NaN). */
export function nanmedian(x: T): T;
export function nanmedian(x: T, dim: number | (SortDimOptions & { dim: number }), keepdim?: boolean | SortDimOptions): ValuesIndices;
export function nanmedian(x: T, dim?: number | SortDimOptions, keepdim?: boolean | SortDimOptions): T | ValuesIndices {
  assertTensor("nanmedian", x);
  [dim, keepdim] = kwArgs("nanmedian", [dim, keepdim], DIM_KEEPDIM) as [number?, boolean?];
  if (dim === undefined || dim === null) return wholeMedian("nanmedian", x, true);
  return selectAlong("nanmedian", x, dim, keepdim ?? false, (line) => medianIndex(line, true));
}

/**
 * [values, indices] of the most frequent value along `dim`: among equally frequent values the
 * smallest, and its last position (PyTorch's CPU result for lines of up to 16 elements; for longer
 * lines PyTorch's index depends on its unstable sort).
 */
export function mode(x: T, dim?: number | SortDimOptions, keepdim?: boolean | SortDimOptions): ValuesIndices {
  assertTensor("mode", x);
  [dim, keepdim] = kwArgs("mode", [dim, keepdim], DIM_KEEPDIM) as [number?, boolean?];
  return selectAlong("mode", x, dim ?? -1, keepdim ?? false, (line) => {
    const order = [...line.keys()].sort((i, j) => (gtOrNan(line[i]!, line[j]!) ? 1 : gtOrNan(line[j]!, line[i]!) ? -1 : i - j));
    let best = -1, bestCount = 0, run = 0;
    for (let k = 0; k < order.length; k++) {
      run++;
      const v = line[order[k]!]!, next = k + 1 < order.length ? line[order[k + 1]!]! : undefined;
      if (next === undefined || !(v === next)) {
        if (run > bestCount) (best = order[k]!), (bestCount = run);
        run = 0;
      }
    }
    return best;
  });
}

/**
 * PyTorch's CPU quickselect (aten's quick_select_template: median-of-three pivot, NaN above all):
 * the index of the k-th smallest (0-based), with torch's choice among equal values.
 */
function quickSelect(line: number[], k: number): number {
  const a = [...line], idx = [...line.keys()];
  const swap = (i: number, j: number) => {
    [a[i], a[j]] = [a[j]!, a[i]!];
    [idx[i], idx[j]] = [idx[j]!, idx[i]!];
  };
  let L = 0, R = a.length - 1;
  for (;;) {
    if (R <= L) break;
    if (R === L + 1) {
      if (gtOrNan(a[L]!, a[R]!)) swap(L, R);
      break;
    }
    const P = L + ((R - L) >> 1);
    swap(P, L + 1);
    if (gtOrNan(a[L + 1]!, a[R]!)) swap(L + 1, R);
    if (gtOrNan(a[L]!, a[R]!)) swap(L, R);
    if (gtOrNan(a[L + 1]!, a[L]!)) swap(L + 1, L);
    let i = L + 1, j = R;
    const piv = a[L]!;
    for (;;) {
      do i++; while (gtOrNan(piv, a[i]!));
      do j--; while (gtOrNan(a[j]!, piv));
      if (j < i) break;
      swap(i, j);
    }
    swap(L, j);
    if (j <= k) L = i;
    if (j >= k) R = j - 1;
  }
  return idx[k]!;
}

/** [values, indices] of the k-th smallest element (k from 1) along `dim`. */
export function kthvalue(x: T, k: number, dim?: number | SortDimOptions, keepdim?: boolean | SortDimOptions): ValuesIndices {
  assertTensor("kthvalue", x);
  [dim, keepdim] = kwArgs("kthvalue", [dim, keepdim], DIM_KEEPDIM) as [number?, boolean?];
  dim ??= -1;
  keepdim ??= false;
  const n = x.ndim === 0 ? 1 : x.shape[normalizeDim("kthvalue", dim, x.ndim)]!;
  if (!Number.isInteger(k) || k < 1 || k > n)
    throw new TensileError(`kthvalue: selected number k (${fmtValue(k)}) out of range for dimension of size ${n} (input ${fmtShape(x.shape)})`);
  return selectAlong("kthvalue", x, dim, keepdim, (line) => quickSelect(line, k - 1));
}

/** x sorted along dim 0 (the values of `sort(x, 0)`). */
export function msort(x: T): T {
  assertTensor("msort", x);
  return sort(x, 0).values;
}

export type QuantileInterpolation = "linear" | "lower" | "higher" | "midpoint" | "nearest";

const roundHalfEven = (v: number): number => {
  const r = Math.round(v);
  return Math.abs(v % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
};

function quantileImpl(name: string, x: T, q: number | T, dim: number | null | undefined, keepdim: boolean, interpolation: QuantileInterpolation, ignoreNan: boolean): T {
  assertTensor(name, x);
  if (!isFloating(x.dtype)) throw new TensileError(`${name}: input tensor must be either float or double dtype, got ${x.dtype}`);
  let qs: number[];
  if (typeof q === "number") qs = [q];
  else {
    assertTensor(name, q, "q");
    if (q.ndim > 1) throw new TensileError(`${name}: q must be a scalar or 1D tensor, got shape ${fmtShape(q.shape)}`);
    qs = Array.from(q.dataSync(), Number);
  }
  for (const v of qs)
    if (!(typeof v === "number" && v >= 0 && v <= 1)) throw new TensileError(`${name}: q values must be in the range [0, 1], got ${fmtValue(v)}`);
  if (typeof keepdim !== "boolean") throw new TensileError(`${name}: keepdim must be a boolean, got ${fmtValue(keepdim)}`);
  const modes = ["linear", "lower", "higher", "midpoint", "nearest"];
  if (!modes.includes(interpolation))
    throw new TensileError(`${name}: interpolation must be one of ${modes.join(", ")}, got ${fmtValue(interpolation)}`);
  const whole = dim === null || dim === undefined;
  const src = whole ? x.reshape([-1]) : x;
  const d = whole ? 0 : normalizeDim(name, dim, x.ndim);
  const base = src.ndim === 0 ? src.reshape([1]) : src;
  // any empty input, as torch 1.13 (also a [0, 2] input reduced along its non-empty dim)
  if (x.numel() === 0) throw new TensileError(`${name}: input tensor must be non-empty (shape ${fmtShape(x.shape)})`);
  const keepShape = whole ? x.shape.map(() => 1) : x.ndim === 0 ? [] : x.shape.map((s, i) => (i === d ? 1 : s));
  const outShape = keepdim ? keepShape : whole ? [] : x.shape.filter((_, i) => i !== d);
  // sorted lines, NaN last; the rank of each quantile in each line
  const sorted = toLast(sort(base, d).values, d);
  const { data, lines, n } = linesOf(base, d);
  const Q = qs.length;
  const lo = new Int32Array(Q * lines), hi = new Int32Array(Q * lines);
  const w = arrayFor(x.dtype, Q * lines);
  for (let l = 0; l < lines; l++) {
    let valid = 0;
    for (let i = 0; i < n; i++) if (!isNan(Number(data[l * n + i]))) valid++;
    qs.forEach((qv, k) => {
      // a line with a NaN (quantile) or only NaNs (nanquantile) gives NaN: the last sorted value
      const nanLine = ignoreNan ? valid === 0 : valid < n;
      let rank = nanLine ? n - 1 : qv * ((ignoreNan ? valid : n) - 1);
      if (interpolation === "lower") rank = Math.floor(rank);
      else if (interpolation === "higher") rank = Math.ceil(rank);
      else if (interpolation === "nearest") rank = roundHalfEven(rank);
      const at = k * lines + l;
      lo[at] = Math.floor(rank);
      hi[at] = Math.ceil(rank);
      w[at] = interpolation === "midpoint" && lo[at] !== hi[at] ? 0.5 : rank - lo[at]!;
    });
  }
  const rest = sorted.shape.slice(0, -1);
  const qShape = [Q, ...rest, 1];
  const s = sorted.unsqueeze(0).expand([Q, ...sorted.shape]);
  const mk = (a: TypedArray) => wrap(x.backend, x.backend.fromArray(a), qShape);
  const below = s.gather(-1, mk(lo));
  // lower / higher / nearest pick a sorted value (torch gathers it: no arithmetic, so ±inf stays
  // ±inf rather than inf + 0·(inf − inf) = NaN); linear and midpoint interpolate as torch's lerp
  const picks = interpolation === "lower" || interpolation === "higher" || interpolation === "nearest";
  const r = picks ? below : (() => {
    // torch's two-sided lerp: below + w·d for w < 0.5, above − (1 − w)·d otherwise (so [0.0625, inf]
    // at midpoint is inf − inf = NaN, as torch, not 0.0625 + inf)
    const above = s.gather(-1, mk(hi)), diff = above.sub(below), wt = mk(w);
    const low = mk(Uint8Array.from(w, (v) => (v < 0.5 ? 1 : 0)) as unknown as TypedArray).to("bool");
    return below.add(diff.mul(wt)).where(low, above.sub(diff.mul(wt.neg().add(1))));
  })();
  const out = r.reshape([Q, ...outShape]);
  return typeof q === "number" || q.ndim === 0 ? out.reshape(outShape) : out;
}

export interface QuantileOptions {
  interpolation?: QuantileInterpolation;
}

/**
 * The q-th quantiles of x along `dim` (all elements when dim is null), q a number or a 0-D/1-D
 * tensor in [0, 1]; a 1-D q adds a leading dim. Between two data points, `interpolation` picks
 * "linear" (default), "lower", "higher", "midpoint" or "nearest". NaN where a line has a NaN.
 * Differentiable through the sort (PyTorch's is a composite too). The keyword arguments may also come as one
 * options object in dim's place: `quantile(x, 0.5, { dim: 1, interpolation: "nearest" })`. An empty x is refused.
 */
export function quantile(x: T, q: number | T, dim?: number | null | QuantileAllOptions, keepdim = false, opts?: QuantileOptions | null): T {
  return quantileArgs("quantile", x, q, dim, keepdim, opts, false);
}

/** quantile ignoring NaNs (NaN only where a line is all NaN). */
export function nanquantile(x: T, q: number | T, dim?: number | null | QuantileAllOptions, keepdim = false, opts?: QuantileOptions | null): T {
  return quantileArgs("nanquantile", x, q, dim, keepdim, opts, true);
}

/** quantile's keyword arguments as one options object, in the place of `dim` (`quantile(x, q, { dim: 1, interpolation: "nearest" })`). */
export interface QuantileAllOptions extends QuantileOptions {
  dim?: number | null;
  keepdim?: boolean;
}

function quantileArgs(name: string, x: T, q: number | T, dim: number | null | undefined | QuantileAllOptions, keepdim: boolean,
  opts: QuantileOptions | null | undefined, ignoreNan: boolean): T {
  if (typeof dim === "object" && dim !== null && !Array.isArray(dim) && !(dim instanceof Tensor)) {
    for (const k of Object.keys(dim))
      if (k !== "dim" && k !== "keepdim" && k !== "interpolation") throw new TensileError(`${name}: unknown option "${k}" (expected dim, keepdim or interpolation)`);
    return quantileImpl(name, x, q, dim.dim, dim.keepdim ?? false, dim.interpolation ?? "linear", ignoreNan);
  }
  return quantileImpl(name, x, q, dim as number | null | undefined, keepdim, opts?.interpolation ?? "linear", ignoreNan);
}

function cumExtreme(name: "cummax" | "cummin", x: T, dim: number): ValuesIndices {
  assertTensor(name, x);
  const d = normalizeDim(name, dim, x.ndim);
  if (x.ndim === 0) return valuesIndices(x.clone(), wrap(x.backend, x.backend.fromArray(new Int32Array(1)), []));
  const { data, lines, n } = linesOf(x, d);
  const idx = new Int32Array(lines * n);
  const better = name === "cummax" ? (v: number, m: number) => v >= m : (v: number, m: number) => v <= m;
  for (let l = 0; l < lines; l++) {
    let m = Number(data[l * n]), at = 0;
    for (let i = 0; i < n; i++) {
      const v = Number(data[l * n + i]);
      // a NaN is taken and then kept (PyTorch: isnan(x) || (!isnan(best) && x >= best))
      if (isNan(v) || (!isNan(m) && better(v, m))) (m = v), (at = i);
      idx[l * n + i] = at;
    }
  }
  const shape = [...x.shape.filter((_, i) => i !== d), x.shape[d]!];
  const index = traceOp("selectIndices", fromLast(wrap(x.backend, x.backend.fromArray(idx), shape), d).contiguous(), [x], { op: name });
  return valuesIndices(x.gather(d, index), index);
}

/** [values, indices] of the running maximum along `dim` (ties: the latest index; NaN propagates). */
export const cummax = (x: T, dim: number | { dim: number }): ValuesIndices => cumExtreme("cummax", x, kwArgs("cummax", [dim], ["dim"])[0] as number);
/** [values, indices] of the running minimum along `dim`. */
export const cummin = (x: T, dim: number | { dim: number }): ValuesIndices => cumExtreme("cummin", x, kwArgs("cummin", [dim], ["dim"])[0] as number);

// counting and searching (bincount, histc, searchsorted, bucketize) live in ops/counting.ts
export * from "./counting.js";
