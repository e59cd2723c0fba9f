import type { ReduceOp } from "../backends/backend.js";
import { traceAttrs } from "../autograd/trace.js";
import { record } from "../autograd/engine.js";
import { TensileError, fmtShape } from "../errors.js";
import { isFloating } from "../tensor/dtype.js";
import { normalizeDim, normalizeDims } from "../tensor/shape.js";
import type { Tensor } from "../tensor/tensor.js";
import * as E from "./elementwise.js";
import { type ValuesIndices, assertTensor, castTo, valuesIndices, wrap } from "./util.js";

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

/** Gradient of a reduction: g reshaped to keepdim form and broadcast back to x's shape. */
function expandBack(g: T, x: T, axes: number[], keepdim: boolean): T {
  const kept = keepdim ? g : g.reshape(reducedShape(x.shape, axes, true));
  return kept.expand(x.shape);
}

export function sum(x: T, dim?: Dims, keepdim = false): T {
  assertTensor("sum", x);
  const axes = normalizeDims("sum", dim, x.ndim);
  const out = reduceRaw("sum", x, axes, keepdim);
  traceAttrs(out, { axes, keepdim });
  return record("sum", out, [x], (g) => [expandBack(g, x, axes, keepdim)], undefined, []);
}

export function mean(x: T, dim?: Dims, keepdim = false): T {
  assertTensor("mean", x);
  if (!isFloating(x.dtype))
    throw new TensileError(`mean: could not infer output dtype. Input dtype must be either a floating point or complex dtype. Got: ${x.dtype}`);
  const axes = normalizeDims("mean", dim, x.ndim);
  const n = axes.reduce((a, i) => a * x.shape[i]!, 1);
  return sum(x, axes, keepdim).div(n);
}

export function prod(x: T, dim?: Dims, keepdim = false): T {
  assertTensor("prod", x);
  const axes = normalizeDims("prod", dim, x.ndim);
  const out = reduceRaw("prod", x, axes, keepdim);
  return record("prod", out, [x], (g) => {
    // ∂/∂xᵢ Π x = Π_{j≠i} xⱼ: out/xᵢ where xᵢ ≠ 0; with one zero in the block, the product of the
    // others at that zero; with two or more zeros, 0.
    const isZero = x.eq(0);
    const nonzero = E.where(isZero, 1, x);
    const pNonzero = expandBack(reduceRaw("prod", nonzero.detach(), axes, true), x, axes, true);
    const zeros = expandBack(reduceRaw("sum", isZero.to("int32"), axes, true), x, axes, true);
    const outB = expandBack(out, x, axes, keepdim);
    const local = E.where(isZero, E.where(zeros.eq(1), pNonzero, 0), outB.div(nonzero));
    return [expandBack(g, x, axes, keepdim).mul(local)];
  });
}

export interface VarOptions {
  correction?: number;
  keepdim?: boolean;
}

/** var = Σ(x − mean)² / (N − correction). */
export function variance(x: T, dim?: Dims, opts: VarOptions = {}): T {
  opts ??= {};
  assertTensor("var", x);
  const axes = normalizeDims("var", dim, x.ndim);
  const n = axes.reduce((a, i) => a * x.shape[i]!, 1);
  const c = opts.correction ?? 1;
  const dev = x.sub(mean(x, axes, true));
  return sum(dev.mul(dev), axes, opts.keepdim ?? false).div(Math.max(n - c, 0));
}

export const std = (x: T, dim?: Dims, opts: VarOptions = {}): T => E.sqrt(variance(x, dim, opts));

/** amax/amin: the gradient is shared evenly among tied extrema (PyTorch's rule). */
function extremeReduce(name: string, op: "max" | "min", x: T, dim: Dims, keepdim: boolean): T {
  assertTensor(name, x);
  const axes = normalizeDims(name, dim, x.ndim);
  for (const a of axes)
    if (x.shape[a] === 0) throw new TensileError(`${name}: Expected reduction dim ${a} to have non-zero size (shape ${fmtShape(x.shape)})`);
  const out = reduceRaw(op, x, axes, keepdim);
  traceAttrs(out, { axes, keepdim });
  return record(name, out, [x], (g) => {
    const mask = x.eq(expandBack(out, x, axes, keepdim)).to(g.dtype);
    const count = mask.sum(axes, true);
    return [expandBack(g, x, axes, keepdim).mul(mask).div(count)];
  });
}
export const amax = (x: T, dim?: Dims, keepdim = false): T => extremeReduce("amax", "max", x, dim, keepdim);
export const amin = (x: T, dim?: Dims, keepdim = false): T => extremeReduce("amin", "min", x, dim, keepdim);

/** max(x) → the largest value; max(x, dim) → [values, indices] along dim. */
export function max(x: T): T;
export function max(x: T, dim: number, keepdim?: boolean): ValuesIndices;
export function max(x: T, dim?: number, keepdim = false): T | ValuesIndices {
  return dim === undefined ? extremeReduce("max", "max", x, null, false) : extremeAlong("max", x, dim, keepdim);
}
export function min(x: T): T;
export function min(x: T, dim: number, keepdim?: boolean): ValuesIndices;
export function min(x: T, dim?: number, keepdim = false): T | ValuesIndices {
  return dim === undefined ? extremeReduce("min", "min", x, null, false) : extremeAlong("min", x, dim, keepdim);
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
    const r = reduceRaw(op, flat, [0], false);
    return keepdim ? r.reshape(x.shape.map(() => 1)) : r;
  }
  const axes = normalizeDims(op, dim, x.ndim);
  for (const a of axes)
    if (x.shape[a] === 0) throw new TensileError(`${op}: Expected reduction dim ${a} to have non-zero size (shape ${fmtShape(x.shape)})`);
  return reduceRaw(op, x.detach(), axes, keepdim);
}
export const argmax = (x: T, dim?: number | null, keepdim = false): T => argReduce("argmax", x, dim, keepdim);
export const argmin = (x: T, dim?: number | null, keepdim = false): T => argReduce("argmin", x, dim, keepdim);

/** log Σ exp(x) = m + log Σ exp(x − m), m the (finite) maximum. */
export function logsumexp(x: T, dim: Dims, keepdim = false): T {
  assertTensor("logsumexp", x);
  const xf = castTo(x, isFloating(x.dtype) ? x.dtype : "float32");
  const axes = normalizeDims("logsumexp", dim, xf.ndim);
  if (xf.numel() === 0) return E.log(sum(E.exp(xf), axes, keepdim));
  const m = reduceRaw("max", xf.detach(), axes, true);
  const mf = E.where(E.isfinite(m), m, 0);
  const s = E.log(sum(E.exp(xf.sub(mf)), axes, true)).add(mf);
  return keepdim ? s : s.squeeze(axes);
}

/** p-norm (Σ|x|^p)^(1/p); p = Infinity → max |x|; "fro" = 2. */
export function norm(x: T, p: number | "fro" = 2, dim?: Dims, keepdim = false): T {
  assertTensor("norm", x);
  const q = p === "fro" ? 2 : p;
  const ax = E.abs(castTo(x, isFloating(x.dtype) ? x.dtype : "float32"));
  if (q === Infinity) return amax(ax, dim, keepdim);
  if (q === -Infinity) return amin(ax, dim, keepdim);
  if (q === 0) return sum(ax.ne(0).to(ax.dtype), dim, keepdim);
  if (q === 1) return sum(ax, dim, keepdim);
  if (q === 2) {
    const s = sum(ax.mul(ax), dim, keepdim);
    // √ has an infinite slope at 0; PyTorch defines the norm's gradient at 0 as 0.
    const out = E.unaryRaw("sqrt", s.detach());
    return record("norm", out, [s], (g) => [E.where(out.eq(0), 0, g.div(out.mul(2)))], undefined, [out]);
  }
  return E.pow(sum(E.pow(ax, q), dim, keepdim), 1 / q);
}

export function all(x: T, dim?: Dims, keepdim = false): T {
  assertTensor("all", x);
  return reduceRaw("all", x.detach(), normalizeDims("all", dim, x.ndim), keepdim);
}
export function any(x: T, dim?: Dims, keepdim = false): T {
  assertTensor("any", x);
  return reduceRaw("any", x.detach(), normalizeDims("any", dim, x.ndim), keepdim);
}

/** Inclusive prefix sums along `dim`; gradient: reversed prefix sums of g. */
export function cumsum(x: T, dim: number): T {
  assertTensor("cumsum", x);
  const d = normalizeDim("cumsum", dim, x.ndim);
  if (x.ndim === 0) return x.clone();
  const out = wrap(x.backend, x.backend.cumsum(x, d), x.shape);
  return record("cumsum", out, [x], (g) => [g.flip(d).cumsum(d).flip(d)], undefined, []);
}
