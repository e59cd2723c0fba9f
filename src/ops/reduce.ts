import type { ReduceOp } from "../backends/backend.js";
import { traceAttrs, traceOp, traceUnit } from "../autograd/trace.js";
import { record } from "../autograd/engine.js";
import { isGradEnabled } from "../autograd/grad-mode.js";
import { TensileError, fmtShape, fmtValue } from "../errors.js";
import { type DType, arrayFor, checkDType, getDefaultDtype, isFloating } from "../tensor/dtype.js";
import { normalizeDim, normalizeDims } from "../tensor/shape.js";
import { Tensor } from "../tensor/tensor.js";
import * as E from "./elementwise.js";
import { cat } from "./movement.js";
import { type ValuesIndices, assertTensor, castTo, valuesIndices, wrap } from "./util.js";
import { kwArgs } from "../utils/positional.js";

type T = Tensor;
type Dims = number | readonly number[] | null | undefined;

/** Shape with `axes` kept as size 1 (keepdim) or dropped. */
function reducedShape(shape: readonly number[], axes: readonly number[], keepdim: boolean): number[] {
  return keepdim ? shape.map((d, i) => (axes.includes(i) ? 1 : d)) : shape.filter((_, i) => !axes.includes(i));
}

function reduceRaw(op: ReduceOp, x: T, axes: number[], keepdim: boolean): T {
  const s = x.backend.reduce(op, x, axes);
  return wrap(x.backend, s, reducedShape(x.shape, axes, keepdim));
}

/**
 * The dims a reduction runs over: all of them for null/undefined and, as in PyTorch, for an empty
 * list too (`x.sum([])` sums everything; `amax(x, [])` is the maximum).
 */
function reductionAxes(name: string, dim: Dims, ndim: number): number[] {
  return normalizeDims(name, Array.isArray(dim) && dim.length === 0 ? null : dim, ndim);
}

/** Gradient of a reduction: g reshaped to keepdim form and broadcast back to x's shape. */
function expandBack(g: T, x: T, axes: number[], keepdim: boolean): T {
  const kept = keepdim ? g : g.reshape(reducedShape(x.shape, axes, true));
  return kept.expand(x.shape);
}

/**
 * PyTorch's keywords of `sum` and `mean`: `dtype` (the input is cast to it before the reduction),
 * and `dim`/`keepdim` by name (`x.sum({ dim: 1, keepdim: true })`).
 */
export interface ReduceDtypeOptions {
  dtype?: DType | null;
  dim?: Dims;
  keepdim?: boolean;
}

/** PyTorch's `dim=` / `keepdim=` of a reduction, by name: `x.amax({ dim: 1, keepdim: true })`. */
export interface DimOptions {
  dim?: Dims;
  keepdim?: boolean;
}
/** As `DimOptions`, one dim (argmax, max along a dim). */
export interface OneDimOptions {
  dim?: number | null;
  keepdim?: boolean;
}
const DIM_KEEPDIM = ["dim", "keepdim"];

/**
 * Reads `(dim?, keepdim?, options?)` with the options object after any prefix of the positionals
 * (`x.sum({ dtype })`, `x.sum(1, { dtype })`, `x.sum(1, true, { dtype })`), as PyTorch's keyword-only `dtype`.
 */
function withDtype(name: string, dim: Dims | ReduceDtypeOptions, keepdim: boolean | ReduceDtypeOptions | undefined,
  options: ReduceDtypeOptions | null | undefined): { dim: Dims; keepdim: boolean; dtype: DType | null } {
  [dim, keepdim, options] = kwArgs(name, [dim, keepdim, options], DIM_KEEPDIM, ["dtype"]);
  const isOpts = (v: unknown): v is ReduceDtypeOptions =>
    v !== null && typeof v === "object" && (Object.getPrototypeOf(v) === Object.prototype || Object.getPrototypeOf(v) === null);
  let opts = options;
  if (isOpts(dim)) {
    if (keepdim !== undefined || options !== undefined) throw new TensileError(`${name}: the options object ({ dtype }) must come last`);
    opts = dim;
    dim = undefined;
    keepdim = undefined;
  } else if (isOpts(keepdim)) {
    if (options !== undefined) throw new TensileError(`${name}: the options object ({ dtype }) must come last`);
    opts = keepdim;
    keepdim = undefined;
  }
  if (opts !== undefined && opts !== null) {
    if (!isOpts(opts)) throw new TensileError(`${name}: options must be an object ({ dtype }), got ${fmtValue(opts)}`);
    for (const k of Object.keys(opts)) if (k !== "dtype") throw new TensileError(`${name}: unknown option "${k}" (expected: dtype)`);
  }
  const d = opts?.dtype;
  const dtype = d === undefined || d === null ? null : checkDType(name, d);
  return { dim: dim as Dims, keepdim: (keepdim as boolean | undefined) ?? false, dtype };
}

/**
 * Sum over `dim` (every dim when omitted), keeping reduced dims as size 1 with `keepdim`. With
 * `{ dtype }` the input is cast to `dtype` first and the result has that dtype (PyTorch's `dtype=`:
 * `correct.sum({ dtype: "float32" })` counts a bool mask as a float). A bool or int32 input without
 * `dtype` sums to int32 (PyTorch: int64).
 * ```ts
 * sum(tensor([[1, 2], [3, 4]]), 1);               // [3, 7]
 * tensor([true, false, true]).sum({ dtype: "float64" }); // 2 (float64)
 * ```
 */
export function sum(x: T, options?: ReduceDtypeOptions): T;
export function sum(x: T, dim: Dims, options?: ReduceDtypeOptions): T;
export function sum(x: T, dim?: Dims, keepdim?: boolean, options?: ReduceDtypeOptions | null): T;
export function sum(x: T, dimArg?: Dims | ReduceDtypeOptions, keepdimArg?: boolean | ReduceDtypeOptions, options?: ReduceDtypeOptions | null): T {
  assertTensor("sum", x);
  const { dim, keepdim, dtype } = withDtype("sum", dimArg, keepdimArg, options);
  if (dtype !== null) return castTo(sum(castTo(x, dtype), dim, keepdim), dtype); // a bool sum counts (int32): back to bool
  const axes = reductionAxes("sum", dim, x.ndim);
  const out = reduceRaw("sum", x, axes, keepdim);
  traceAttrs(out, { axes, keepdim });
  return record("sum", out, [x], (g) => [expandBack(g, x, axes, keepdim)], undefined, []);
}

/**
 * Mean over `dim` (every dim when omitted). The input must be floating point, or be cast to a
 * floating `{ dtype }` first (PyTorch's `dtype=`: `x.mean({ dtype: "float64" })` of an int32 tensor).
 * ```ts
 * mean(tensor([[1, 2], [3, 4]], { dtype: "float64" }), 0); // [2, 3]
 * tensor([1, 2]).mean({ dtype: "float32" });             // 1.5
 * ```
 */
export function mean(x: T, options?: ReduceDtypeOptions): T;
export function mean(x: T, dim: Dims, options?: ReduceDtypeOptions): T;
export function mean(x: T, dim?: Dims, keepdim?: boolean, options?: ReduceDtypeOptions | null): T;
export function mean(x: T, dimArg?: Dims | ReduceDtypeOptions, keepdimArg?: boolean | ReduceDtypeOptions, options?: ReduceDtypeOptions | null): T {
  assertTensor("mean", x);
  const { dim, keepdim, dtype } = withDtype("mean", dimArg, keepdimArg, options);
  if (dtype !== null) {
    if (!isFloating(dtype))
      throw new TensileError(`mean: could not infer output dtype. Optional dtype must be either a floating point or complex dtype. Got: ${dtype}`);
    x = castTo(x, dtype);
  }
  if (!isFloating(x.dtype))
    throw new TensileError(`mean: could not infer output dtype. Input dtype must be either a floating point or complex dtype. Got: ${x.dtype}` +
      (x.dtype === "int32" ? " (tensor([1, 2]) is int32 in Tensile, JavaScript numbers having no float/int kind: give { dtype: \"float32\" } or call x.mean({ dtype: \"float32\" }))" : ""));
  const axes = reductionAxes("mean", dim, x.ndim);
  const n = axes.reduce((a, i) => a * x.shape[i]!, 1);
  return sum(x, axes, keepdim).div(n);
}

export function prod(x: T, dim?: Dims | DimOptions, keepdim?: boolean | DimOptions): T {
  assertTensor("prod", x);
  [dim, keepdim] = kwArgs("prod", [dim, keepdim], DIM_KEEPDIM) as [Dims, boolean?];
  keepdim ??= false;
  const axes = reductionAxes("prod", dim, x.ndim);
  const out = reduceRaw("prod", x, axes, keepdim);
  traceAttrs(out, { axes, keepdim });
  return record("prod", out, [x], (g) => {
    // ∂/∂xᵢ Π x = Π_{j≠i} xⱼ: out/xᵢ where xᵢ ≠ 0; with one zero in the block, the product of the
    // others at that zero; with two or more zeros, 0.
    const isZero = x.eq(0);
    // createGraph with zeros: the products of the others as exclusive running products from both
    // ends (PyTorch's prod_safe_zeros_backward), differentiable again (the rest reads raw products)
    if (isGradEnabled() && axes.length && any(isZero).item()) return [expandBack(g, x, axes, keepdim).mul(prodOthers(x, axes))];
    const nonzero = E.where(isZero, 1, x);
    const pNonzero = expandBack(reduceRaw("prod", nonzero.detach(), axes, true), x, axes, true);
    const zeros = expandBack(reduceRaw("sum", isZero.to("int32"), axes, true), x, axes, true);
    const outB = expandBack(out, x, axes, keepdim);
    const local = E.where(isZero, E.where(zeros.eq(1), pNonzero, 0), outB.div(nonzero));
    return [expandBack(g, x, axes, keepdim).mul(local)];
  });
}

/** Π_{j≠i} xⱼ over the `axes` block of each element, from exclusive cumprods: differentiable at zeros. */
function prodOthers(x: T, axes: number[]): T {
  const keep = x.shape.map((_, i) => i).filter((i) => !axes.includes(i));
  const perm = [...keep, ...axes];
  const n = axes.reduce((a, i) => a * x.shape[i]!, 1);
  const xp = x.permute(perm).reshape([...keep.map((i) => x.shape[i]!), n]);
  const one = E.fullLike(xp.narrow(-1, 0, 1), 1);
  const fwd = cat([one, xp.narrow(-1, 0, n - 1)], -1).cumprod(-1);
  const rev = cat([one, xp.flip([-1]).narrow(-1, 0, n - 1)], -1).cumprod(-1).flip([-1]);
  const inv = perm.map((_, i) => perm.indexOf(i));
  return fwd.mul(rev).reshape(perm.map((i) => x.shape[i]!)).permute(inv);
}

export interface VarOptions {
  correction?: number;
  keepdim?: boolean;
}

/** var = Σ(x − mean)² / (N − correction). */
export function variance(x: T, dim?: Dims | (VarOptions & { dim?: Dims }), opts?: VarOptions | null): T {
  [dim, opts] = kwArgs("var", [dim, opts], ["dim"], ["correction", "keepdim"]) as [Dims, VarOptions];
  opts ??= {};
  assertTensor("var", x);
  const axes = reductionAxes("var", dim, x.ndim);
  const n = axes.reduce((a, i) => a * x.shape[i]!, 1);
  const c = opts.correction ?? 1;
  const dev = x.sub(mean(x, axes, true));
  return sum(dev.mul(dev), axes, opts.keepdim ?? false).div(Math.max(n - c, 0));
}

/**
 * √var. Its gradient is 0 where the result is 0 (a constant slice), not g/0, as PyTorch's
 * std_backward masks it.
 */
export function std(x: T, dim?: Dims | (VarOptions & { dim?: Dims }), opts?: VarOptions | null): T {
  const v = variance(x, dim, opts);
  const out = E.unaryRaw("sqrt", v.detach());
  // recorded as sqrt (what it is, and what a tracer such as the ONNX export knows), with std's mask
  return record("sqrt", out, [v], (g) => [E.where(out.eq(0), 0, g.div(out.mul(2)))], undefined, [out]);
}

/** amax/amin: the gradient is shared evenly among tied extrema (PyTorch's rule). */
function extremeReduce(name: string, op: "max" | "min", x: T, dim: Dims, keepdim: boolean): T {
  assertTensor(name, x);
  const axes = reductionAxes(name, dim, x.ndim);
  for (const a of axes)
    if (x.shape[a] === 0) throw new TensileError(`${name}: Expected reduction dim ${a} to have non-zero size (shape ${fmtShape(x.shape)})`);
  const out = reduceRaw(op, x, axes, keepdim);
  traceAttrs(out, { axes, keepdim });
  return record(name, out, [x], (g) => {
    const outB = expandBack(out, x, axes, keepdim), gB = expandBack(g, x, axes, keepdim);
    if (name === "amax" || name === "amin") {
      // torch's scale_grad_by_count, (g / count)·mask: NaN throughout where the result is NaN
      const mask = x.eq(outB).to(g.dtype);
      return [gB.mul(mask).div(mask.sum(axes, true))];
    }
    // max()/min() of everything: torch's evenly_distribute_backward, where the NaNs of a NaN result
    // share g, and the other entries get exact zeros
    let hit = x.eq(outB);
    if (isFloating(x.dtype)) hit = E.logicalOr(hit, E.logicalAnd(E.isnan(x), E.isnan(outB)));
    return [E.where(hit, gB.div(hit.to(g.dtype).sum(axes, true)), 0)];
  });
}
export function amax(x: T, dim?: Dims | DimOptions, keepdim?: boolean | DimOptions): T {
  [dim, keepdim] = kwArgs("amax", [dim, keepdim], DIM_KEEPDIM) as [Dims, boolean?];
  return extremeReduce("amax", "max", x, dim, keepdim ?? false);
}
export function amin(x: T, dim?: Dims | DimOptions, keepdim?: boolean | DimOptions): T {
  [dim, keepdim] = kwArgs("amin", [dim, keepdim], DIM_KEEPDIM) as [Dims, boolean?];
  return extremeReduce("amin", "min", x, dim, keepdim ?? false);
}

/**
 * max(x) → the largest value; max(x, other) → the elementwise maximum (torch.max(a, b)); max(x, dim) → [values, indices] along dim (`.values`, `.indices`);
 * `dim`/`keepdim` may be given by name, `x.max({ dim: 1 })` as PyTorch's `x.max(dim=1)`.
 */
export function max(x: T): T;
export function max(x: T, other: Tensor): T;
export function max(x: T, dim: number | (OneDimOptions & { dim: number }), keepdim?: boolean | OneDimOptions): ValuesIndices;
export function max(x: T, dim?: number | OneDimOptions | Tensor, keepdim?: boolean | OneDimOptions): T | ValuesIndices {
  // torch.max(a, b): the elementwise maximum
  if (dim instanceof Tensor) return E.maximum(x, dim);
  [dim, keepdim] = kwArgs("max", [dim, keepdim], DIM_KEEPDIM) as [number?, boolean?];
  return dim === undefined || dim === null ? extremeReduce("max", "max", x, null, false) : extremeAlong("max", x, dim, keepdim ?? false);
}
export function min(x: T): T;
export function min(x: T, other: Tensor): T;
export function min(x: T, dim: number | (OneDimOptions & { dim: number }), keepdim?: boolean | OneDimOptions): ValuesIndices;
export function min(x: T, dim?: number | OneDimOptions | Tensor, keepdim?: boolean | OneDimOptions): T | ValuesIndices {
  // torch.min(a, b): the elementwise minimum
  if (dim instanceof Tensor) return E.minimum(x, dim);
  [dim, keepdim] = kwArgs("min", [dim, keepdim], DIM_KEEPDIM) as [number?, boolean?];
  return dim === undefined || dim === null ? extremeReduce("min", "min", x, null, false) : extremeAlong("min", x, dim, keepdim ?? false);
}

function extremeAlong(name: "max" | "min", x: T, dim: number, keepdim: boolean): ValuesIndices {
  assertTensor(name, x);
  const d = normalizeDim(name, dim, x.ndim);
  const idx = argReduce(name === "max" ? "argmax" : "argmin", x, d, true);
  const values = x.ndim === 0 ? x : x.gather(d, idx);
  return keepdim || x.ndim === 0 ? valuesIndices(values, idx) : valuesIndices(values.squeeze(d), idx.squeeze(d));
}

function argReduce(op: "argmax" | "argmin", x: T, dim: Dims, keepdim: boolean): T {
  assertTensor(op, x);
  if (dim === null || dim === undefined) {
    if (x.numel() === 0) throw new TensileError(`${op}: Expected reduction dim to be specified for input.numel() == 0`);
    const flat = x.reshape([-1]);
    const r = traceOp(op, reduceRaw(op, flat, [0], false), [flat], { axes: [0], keepdim: false });
    return keepdim ? r.reshape(x.shape.map(() => 1)) : r;
  }
  const axes = reductionAxes(op, dim, x.ndim);
  for (const a of axes)
    if (x.shape[a] === 0) throw new TensileError(`${op}: Expected reduction dim ${a} to have non-zero size (shape ${fmtShape(x.shape)})`);
  // not recorded (no gradient); a tracer (ONNX export) sees it as an op on x
  return traceOp(op, reduceRaw(op, x.detach(), axes, keepdim), [x], { axes, keepdim });
}
export function argmax(x: T, dim?: number | null | OneDimOptions, keepdim?: boolean | OneDimOptions): T {
  [dim, keepdim] = kwArgs("argmax", [dim, keepdim], DIM_KEEPDIM) as [number?, boolean?];
  return argReduce("argmax", x, dim, keepdim ?? false);
}
export function argmin(x: T, dim?: number | null | OneDimOptions, keepdim?: boolean | OneDimOptions): T {
  [dim, keepdim] = kwArgs("argmin", [dim, keepdim], DIM_KEEPDIM) as [number?, boolean?];
  return argReduce("argmin", x, dim, keepdim ?? false);
}

/** log Σ exp(x) = m + log Σ exp(x − m), m the (finite) maximum. */
export function logsumexp(x: T, dim: Dims | DimOptions, keepdim?: boolean | DimOptions): T {
  assertTensor("logsumexp", x);
  [dim, keepdim] = kwArgs("logsumexp", [dim, keepdim], DIM_KEEPDIM) as [Dims, boolean?];
  keepdim ??= false;
  const xf = castTo(x, isFloating(x.dtype) ? x.dtype : getDefaultDtype());
  const axes = reductionAxes("logsumexp", dim, xf.ndim);
  if (xf.numel() === 0) return E.log(sum(E.exp(xf), axes, keepdim));
  // one op for a tracer (ONNX's ReduceLogSumExp): the shift m is detached, no recorded op
  return traceUnit("logsumexp", xf, { axes, keepdim }, () => logsumexpShifted(xf, axes, keepdim));
}

function logsumexpShifted(xf: T, axes: number[], keepdim: boolean): T {
  const m = reduceRaw("max", xf.detach(), axes, true);
  const mf = E.where(E.isfinite(m), m, 0);
  const s = E.log(sum(E.exp(xf.sub(mf)), axes, true)).add(mf);
  return keepdim ? s : s.squeeze(axes);
}

/** p-norm (Σ|x|^p)^(1/p); p = Infinity → max |x| (0 over an empty dim, as torch.norm); "fro" = 2. */
export function norm(x: T, p?: number | "fro" | null | (DimOptions & { p?: number | "fro" | null }), dim?: Dims | DimOptions, keepdim?: boolean | DimOptions): T {
  assertTensor("norm", x);
  [p, dim, keepdim] = kwArgs("norm", [p, dim, keepdim], ["p", "dim", "keepdim"]) as [number | "fro" | undefined, Dims, boolean?];
  p ??= 2;
  keepdim ??= false;
  if (p !== "fro" && typeof p !== "number") throw new TensileError(`norm: p must be a number or "fro", got ${fmtValue(p)}`);
  const q = p === "fro" ? 2 : p;
  const xf = castTo(x, isFloating(x.dtype) ? x.dtype : getDefaultDtype());
  const axes = reductionAxes("norm", dim, xf.ndim);
  const ax = E.abs(xf);
  // ±∞ over an empty dim: 0, as torch.norm (max has no identity; F.normalize of an empty tensor
  // relies on it)
  if ((q === Infinity || q === -Infinity) && xf.numel() === 0) return sum(ax, axes, keepdim);
  if (q === Infinity) return amax(ax, axes, keepdim);
  if (q === -Infinity) return amin(ax, axes, keepdim);
  // the count of non-zeros: piecewise constant, in the graph with a zero gradient (as PyTorch's)
  if (q === 0) {
    const count = sum(ax.detach().ne(0).to(ax.dtype), axes, keepdim);
    traceAttrs(count, { p: 0, axes, keepdim });
    return record("norm", count, [ax], () => [E.fullLike(ax, 0)], undefined, []);
  }
  if (q === 1) return sum(ax, axes, keepdim);
  if (q === 2) {
    // x·x, not |x|·|x| (whose second derivative is 0 at x = 0: a Hessian entry lost there)
    const s = sum(xf.mul(xf), axes, keepdim);
    // √ has an infinite slope at 0; PyTorch defines the norm's gradient at 0 as 0.
    const out = E.unaryRaw("sqrt", s.detach());
    traceAttrs(out, { sqrtOfSum: true });
    return record("norm", out, [s], (g) => [E.where(out.eq(0), 0, g.div(out.mul(2)))], undefined, [out]);
  }
  const out = E.pow(sum(E.pow(ax.detach(), q), axes, keepdim), 1 / q);
  traceAttrs(out, { p: q, axes, keepdim });
  return record("norm", out, [xf], (g) => [pNormBackward(g, xf, out, q, axes, keepdim)], undefined, [xf, out]);
}

/**
 * PyTorch's norm_backward for p ∉ {0, 1, 2, ±∞}, where the chain rule through |x|^p and s^(1/p)
 * would give 0·∞ = NaN: for p < 1 (negative p too), sgn(x)·|x|^(p−1)·g·‖x‖^(1−p) with the
 * |x|^(p−1) factor 0 at x = 0; otherwise sgn(x)·|x|^(p−1)·g/‖x‖^(p−1), 0 where the norm is 0.
 */
function pNormBackward(g: T, x: T, out: T, p: number, axes: number[], keepdim: boolean): T {
  const gk = expandBack(g, x, axes, keepdim), nk = expandBack(out, x, axes, keepdim);
  const ax = E.abs(x);
  if (p < 1) {
    const scaled = E.where(x.eq(0), 0, E.sign(x).mul(E.pow(ax, p - 1)));
    return scaled.mul(gk).mul(E.pow(nk, 1 - p));
  }
  const scaled = p < 2 ? E.sign(x).mul(E.pow(ax, p - 1)) : x.mul(E.pow(ax, p - 2));
  return scaled.mul(E.where(nk.eq(0), 0, gk.div(E.pow(nk, p - 1))));
}

export function all(x: T, dim?: Dims | DimOptions, keepdim?: boolean | DimOptions): T {
  assertTensor("all", x);
  [dim, keepdim] = kwArgs("all", [dim, keepdim], DIM_KEEPDIM) as [Dims, boolean?];
  return reduceRaw("all", x.detach(), reductionAxes("all", dim, x.ndim), keepdim ?? false);
}
export function any(x: T, dim?: Dims | DimOptions, keepdim?: boolean | DimOptions): T {
  assertTensor("any", x);
  [dim, keepdim] = kwArgs("any", [dim, keepdim], DIM_KEEPDIM) as [Dims, boolean?];
  return reduceRaw("any", x.detach(), reductionAxes("any", dim, x.ndim), keepdim ?? false);
}

/** Inclusive prefix sums along `dim`; gradient: reversed prefix sums of g. */
export function cumsum(x: T, dim: number | { dim: number }): T {
  assertTensor("cumsum", x);
  [dim] = kwArgs("cumsum", [dim], ["dim"]) as [number];
  const d = normalizeDim("cumsum", dim, x.ndim);
  if (x.ndim === 0) return x.clone();
  const out = wrap(x.backend, x.backend.cumsum(x, d), x.shape);
  traceAttrs(out, { dim: d });
  return record("cumsum", out, [x], (g) => [g.flip(d).cumsum(d).flip(d)], undefined, []);
}

// ---- NaN-aware and paired reductions, cumulative products, differences ----

/** Σ over the non-NaN elements (NaNs count as 0); their gradient is 0. */
export function nansum(x: T, dim?: Dims | DimOptions, keepdim?: boolean | DimOptions): T {
  assertTensor("nansum", x);
  [dim, keepdim] = kwArgs("nansum", [dim, keepdim], DIM_KEEPDIM) as [Dims, boolean?];
  keepdim ??= false;
  if (!isFloating(x.dtype)) return sum(x, dim, keepdim);
  const nan = E.isnan(x.detach());
  // PyTorch's rule g·¬isnan(x): an infinite g (nanmean of an all-NaN line) gives NaN there, as in PyTorch
  const zeroed = record("nansum", E.where(nan, 0, x.detach()), [x], (g) => [g.mul(E.logicalNot(nan))], [nan], []);
  return sum(zeroed, dim, keepdim);
}

/** The mean of the non-NaN elements (NaN where all are NaN). */
export function nanmean(x: T, dim?: Dims | DimOptions, keepdim?: boolean | DimOptions): T {
  assertTensor("nanmean", x);
  [dim, keepdim] = kwArgs("nanmean", [dim, keepdim], DIM_KEEPDIM) as [Dims, boolean?];
  keepdim ??= false;
  if (!isFloating(x.dtype)) throw new TensileError(`nanmean: expected a float tensor, got ${x.dtype}`);
  const ok = E.logicalNot(E.isnan(x));
  return nansum(x, dim, keepdim).div(sum(ok, dim, keepdim).to(x.dtype));
}

/** The number of non-zero elements (int32), over `dim` (a dim or list of dims) or all. */
export function countNonzero(x: T, dim?: Dims | { dim?: Dims }): T {
  assertTensor("countNonzero", x);
  [dim] = kwArgs("countNonzero", [dim], ["dim"]) as [Dims];
  return sum(x.detach().ne(0).to("int32"), reductionAxes("countNonzero", dim, x.ndim));
}

/** PyTorch's `torch.return_types.aminmax`: `[min, max]`, also as `.min` / `.max`. */
export type MinMax = [Tensor, Tensor] & { readonly min: Tensor; readonly max: Tensor };

/** [min, max] over `dim` (all elements when omitted), as amin and amax. */
export function aminmax(x: T, opts?: { dim?: number | null; keepdim?: boolean } | null): MinMax {
  assertTensor("aminmax", x);
  const { dim = null, keepdim = false } = opts ?? {};
  if (dim !== null && typeof dim !== "number") throw new TensileError(`aminmax: dim must be an integer, got ${fmtValue(dim)}`);
  if (x.numel() === 0 && dim === null) throw new TensileError(`aminmax: cannot compute aminmax over an empty dimension as the operation has no identity (input ${fmtShape(x.shape)})`);
  const lo = amin(x, dim, keepdim), hi = amax(x, dim, keepdim);
  return Object.defineProperties([lo, hi], { min: { value: lo }, max: { value: hi } }) as MinMax;
}

/** [var, mean] over `dim`, as `torch.var_mean`. */
export function varMean(x: T, dim?: Dims, opts: VarOptions = {}): [T, T] {
  assertTensor("varMean", x);
  return [variance(x, dim, opts), mean(x, reductionAxes("varMean", dim, x.ndim), opts?.keepdim ?? false)];
}

/** [std, mean] over `dim`, as `torch.std_mean`. */
export function stdMean(x: T, dim?: Dims, opts: VarOptions = {}): [T, T] {
  assertTensor("stdMean", x);
  return [std(x, dim, opts), mean(x, reductionAxes("stdMean", dim, x.ndim), opts?.keepdim ?? false)];
}

/** Runs `step(acc, v)` along each line of x's dim d on the host, in x's dtype (rounded each step). */
function scanLines(x: T, d: number, step: (acc: number, v: number) => number): T {
  const n = x.shape[d]!;
  const perm = [...x.shape.keys()].filter((i) => i !== d).concat(d);
  const data = x.detach().permute(perm).contiguous().dataSync();
  const out = arrayFor(x.dtype, data.length);
  for (let base = 0; base < data.length; base += n) {
    out[base] = data[base]!;
    for (let i = 1; i < n; i++) out[base + i] = step(out[base + i - 1]!, data[base + i]!);
  }
  const inv = perm.map((_, i) => perm.indexOf(i));
  return wrap(x.backend, x.backend.fromArray(out), perm.map((p) => x.shape[p]!)).permute(inv).contiguous();
}

/** Suffix sums along d: Σ_{k ≥ i} g_k. */
const reverseCumsum = (g: T, d: number): T => g.flip(d).cumsum(d).flip(d);

/**
 * Running products along `dim`. Gradient: ∂out_k/∂x_i = Π_{j ≤ k, j ≠ i} x_j, so before a line's
 * first zero it is Σ_{k ≥ i} g_k out_k / x_i; at the first zero it is Σ_{k ≥ i} g_k P_k with P the
 * running product of the line with that zero replaced by 1; after it, 0 (what PyTorch computes).
 */
export function cumprod(x: T, dim: number | { dim: number }): T {
  assertTensor("cumprod", x);
  [dim] = kwArgs("cumprod", [dim], ["dim"]) as [number];
  const d = normalizeDim("cumprod", dim, x.ndim);
  if (x.ndim === 0) return x.clone();
  const src = x.dtype === "bool" ? x.to("int32") : x;
  const out = scanLines(src, d, (a, v) => a * v);
  return record("cumprod", out, [src], (g) => {
    const zero = src.eq(0);
    // Under createGraph with zeros, PyTorch's O(n²) form, whose own derivative is cumprod's second one
    if (isGradEnabled() && any(zero).item()) return [cumprodBackwardDifferentiable(src, g, d)];
    const zerosSoFar = zero.to("int32").cumsum(d);
    const before = zerosSoFar.eq(0);
    const firstZero = E.logicalAnd(zero, zerosSoFar.eq(1));
    const safeX = E.where(before, src, 1);
    const plain = reverseCumsum(g.mul(out), d).div(safeX);
    const atZero = reverseCumsum(g.mul(cumprod(E.where(firstZero, 1, src), d)), d);
    return [E.where(before, plain, E.where(firstZero, atZero, 0))];
  }, undefined, [src, out]);
}

/**
 * ∂/∂x_k = Σ_{j ≥ k} g_j Π_{i ≤ j, i ≠ k} x_i, written as (Π_{i<k} x_i)·cumprod(x_{k+1..}) for each
 * k: differentiable again at zeros (PyTorch's cumprod_backward under grad mode).
 */
function cumprodBackwardDifferentiable(x: T, g: T, d: number): T {
  const n = x.shape[d]!;
  const ones = E.fullLike(x.narrow(d, 0, 1), 1);
  const parts: T[] = [];
  for (let k = 0; k < n; k++) {
    const until = k === 0 ? ones : prod(x.narrow(d, 0, k), d, true);
    const omitted = k === n - 1 ? until : cat([until, until.mul(cumprod(x.narrow(d, k + 1, n - k - 1), d))], d);
    parts.push(sum(g.narrow(d, k, n - k).mul(omitted), d, true));
  }
  return cat(parts, d);
}

/** log(exp(a) + exp(b)), exact at ±∞. */
function logAddExp(a: number, b: number): number {
  const m = Math.max(a, b);
  if (m === -Infinity || Number.isNaN(m)) return a + b;
  if (m === Infinity) return Infinity;
  return m + Math.log1p(Math.exp(-Math.abs(a - b)));
}

/**
 * log Σ_{k ≤ i} exp(x_k) along `dim`, computed stably line by line. Gradient as PyTorch's
 * (TensorFlow's): with the positive and negative parts of g in log space,
 * exp(revLogcumsumexp(log g± − out) + x), so nothing overflows.
 */
export function logcumsumexp(x: T, dim: number | { dim: number }): T {
  assertTensor("logcumsumexp", x);
  [dim] = kwArgs("logcumsumexp", [dim], ["dim"]) as [number];
  if (!isFloating(x.dtype)) throw new TensileError(`logcumsumexp: expected a float tensor, got ${x.dtype}`);
  const d = normalizeDim("logcumsumexp", dim, x.ndim);
  if (x.ndim === 0) return x.clone();
  const out = scanLines(x, d, logAddExp);
  return record("logcumsumexp", out, [x], (g) => {
    const lowest = g.dtype === "float32" ? -3.4028234663852886e38 : -Number.MAX_VALUE;
    const logAbs = E.log(E.abs(g));
    const rev = (t: T) => logcumsumexp(t.flip(d), d).flip(d);
    const pos = E.exp(rev(E.where(g.gt(0), logAbs, lowest).sub(out)).add(x));
    const neg = E.exp(rev(E.where(g.lt(0), logAbs, lowest).sub(out)).add(x));
    return [pos.sub(neg)];
  }, undefined, [x, out]);
}

/** PyTorch's keywords of `diff`: `x.diff({ dim: 0, prepend })`. */
export interface DiffOptions {
  n?: number;
  dim?: number;
  prepend?: T | null;
  append?: T | null;
}

/**
 * The n-th forward difference along `dim` (x[i+1] − x[i], n times), after concatenating
 * `prepend` and `append` along that dim; for bool tensors, x[i+1] xor x[i]. n = 0 returns a copy
 * of x alone (prepend and append are left out, as PyTorch and NumPy do).
 */
export function diff(x: T, n?: number | DiffOptions, dim?: number | DiffOptions, prepend?: T | null | DiffOptions, append?: T | null | DiffOptions): T {
  assertTensor("diff", x);
  [n, dim, prepend, append] = kwArgs("diff", [n, dim, prepend, append], ["n", "dim", "prepend", "append"]) as [number?, number?, T?, T?];
  n ??= 1;
  dim ??= -1;
  if (x.ndim === 0) throw new TensileError("diff: expects input to be at least one-dimensional");
  if (!Number.isInteger(n) || n < 0) throw new TensileError(`diff: order must be a non-negative integer, got ${fmtValue(n)}`);
  const d = normalizeDim("diff", dim, x.ndim);
  const parts: T[] = [];
  for (const [what, t] of [["prepend", prepend], ["input", x], ["append", append]] as const) {
    if (t === undefined || t === null) continue;
    assertTensor("diff", t, what);
    if (t.ndim !== x.ndim || t.shape.some((s, i) => i !== d && s !== x.shape[i]))
      throw new TensileError(`diff: ${what} ${fmtShape(t.shape)} must have the shape of input ${fmtShape(x.shape)} except in dim ${d}`);
    parts.push(t);
  }
  // n = 0: x itself (a copy), prepend/append checked but not added (torch, as NumPy's diff)
  if (n === 0) return x.clone();
  let y = parts.length === 1 ? x : cat(parts, d);
  for (let k = 0; k < n; k++) {
    const len = y.shape[d]!;
    if (len === 0) break;
    const hi = y.narrow(d, 1, len - 1), lo = y.narrow(d, 0, len - 1);
    y = y.dtype === "bool" ? E.logicalXor(hi, lo) : hi.sub(lo);
  }
  return y;
}
