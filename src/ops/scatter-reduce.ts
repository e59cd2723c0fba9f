/**
 * scatterReduce and indexReduce (PyTorch's `scatter_reduce` and `index_reduce`): the reduction runs
 * on the host in one pass, and the gradients are torch 1.13's formulas written with Tensor ops.
 */
import { record } from "../autograd/engine.js";
import { TensileError, fmtShape, fmtValue } from "../errors.js";
import { zerosLike } from "../tensor/creation.js";
import { arrayFor } from "../tensor/dtype.js";
import { contiguousStrides, normalizeDim } from "../tensor/shape.js";
import { Tensor } from "../tensor/tensor.js";
import * as E from "./elementwise.js";
import { checkIndex } from "./indexing.js";
import { boolOpt, isPlainObject } from "./stats.js";
import { assertTensor, castTo, onBackend, wrap } from "./util.js";
import { kwArgs } from "../utils/positional.js";

type T = Tensor;

// ---- scatterReduce, indexReduce ----

export type ScatterReduceOp = "sum" | "prod" | "mean" | "amax" | "amin";
export type IndexReduceOp = "prod" | "mean" | "amax" | "amin";
export interface ScatterReduceOptions {
  /** Whether x's own values take part in the reduction at the positions written (default true). */
  includeSelf?: boolean;
}

/** Whether the reduction's backward rule reads x's values (an in-place form then runs on a copy). */
export const reduceReadsSelf = (reduce: string): boolean => reduce === "prod" || reduce === "amax" || reduce === "amin";

/**
 * The reduction on the host: x's values (or, without includeSelf, the reduction's identity at the
 * positions written) combined with src[p] at x[.., idx[p], ..] for every position p of idx (src
 * has idx's shape), in idx's row-major order, each step rounded to x's dtype as PyTorch's CPU
 * kernel does. NaN propagates through amax/amin. mean divides by the count (floor division for
 * integers).
 */
function reduceHost(x: T, d: number, idx: T, src: T, reduce: ScatterReduceOp, includeSelf: boolean): T {
  const dtype = x.dtype;
  const out = arrayFor(dtype, x.numel());
  out.set(x.detach().contiguous().dataSync());
  const ia = idx.contiguous().dataSync(), sa = src.detach().contiguous().dataSync();
  const shape = idx.shape, nd = shape.length, n = ia.length;
  const xs = contiguousStrides(x.shape);
  const isBool = dtype === "bool", isInt = dtype === "int32";
  const count = reduce === "mean" ? new Int32Array(out.length).fill(includeSelf ? 1 : 0) : null;
  const targets = new Int32Array(n);
  const coord = new Array<number>(nd).fill(0);
  for (let p = 0; p < n; p++) {
    let off = 0;
    for (let k = 0; k < nd; k++) off += (k === d ? ia[p]! : coord[k]!) * xs[k]!;
    targets[p] = off;
    for (let k = nd - 1; k >= 0; k--) {
      if (++coord[k]! < shape[k]!) break;
      coord[k] = 0;
    }
  }
  if (!includeSelf) {
    const identity = reduce === "prod" ? 1
      : reduce === "amax" ? (isBool ? 0 : isInt ? -2147483648 : -Infinity)
      : reduce === "amin" ? (isBool ? 1 : isInt ? 2147483647 : Infinity)
      : 0;
    for (let p = 0; p < n; p++) out[targets[p]!] = identity;
  }
  type Step = (a: number, b: number) => number;
  const step: Step =
    reduce === "sum" || reduce === "mean" ? (isBool ? (a, b) => (a || b ? 1 : 0) : (a, b) => a + b)
    : reduce === "prod" ? (isBool ? (a, b) => (a && b ? 1 : 0) : isInt ? Math.imul : (a, b) => a * b)
    : reduce === "amax" ? (a, b) => (b !== b ? b : a < b ? b : a)
    : (a, b) => (b !== b ? b : b < a ? b : a);
  for (let p = 0; p < n; p++) {
    const t = targets[p]!;
    out[t] = step(out[t]!, sa[p]!);
    if (count) count[t]!++;
  }
  if (count)
    for (let t = 0; t < out.length; t++) {
      const c = count[t]!;
      if (c > 1) out[t] = isInt ? Math.floor(out[t]! / c) : out[t]! / c;
    }
  return wrap(x.backend, x.backend.fromArray(out), x.shape);
}

/**
 * scatterReduce / indexReduce after their checks: S (idx's shape, x's dtype) reduced into x at idx
 * along d, recorded under `name` with PyTorch 1.13's scatter_reduce_backward / index_reduce_backward
 * (written here with gather / scatterAdd on the expanded index, which is what index_select /
 * index_add compute).
 */
function reduceChecked(name: string, x: T, d: number, idx: T, S: T, reduce: ScatterReduceOp, includeSelf: boolean): T {
  if (x.dtype === "bool" && reduce === "mean") throw new TensileError(`${name}: reduce "mean" is not implemented for bool tensors`);
  const out = reduceHost(x, d, idx, S, reduce, includeSelf);
  const again = (self: T, src: T): T => reduceChecked(name, self, d, idx, src, reduce, includeSelf);
  const reads = reduceReadsSelf(reduce);
  return record(name, out, [x, S], (g) => {
    let gSelf: T, gSrc: T;
    if (reduce === "sum") {
      gSelf = g;
      gSrc = g.gather(d, idx);
    } else if (reduce === "prod") {
      // the exclusive products, computed again where an element is 0 (a division would give 0/0)
      const maskedSelf = E.where(x.eq(0), 1, x);
      gSelf = g.mul(again(maskedSelf, S)).div(maskedSelf);
      const srcZero = S.eq(0);
      const zerosThere = zerosLike(x).scatterAdd(d, idx, srcZero.to(x.dtype)).gather(d, idx);
      const singleZero = E.logicalAnd(srcZero, zerosThere.eq(1));
      const maskedSrcResult = again(x, E.where(singleZero, 1, S));
      gSrc = E.where(singleZero, g.mul(maskedSrcResult).gather(d, idx), g.mul(out).gather(d, idx).div(E.where(srcZero, 1, S)));
    } else if (reduce === "mean") {
      let N = E.fullLike(g, includeSelf ? 1 : 0).scatterAdd(d, idx, E.fullLike(S, 1, { dtype: g.dtype }));
      N = E.where(N.eq(0), 1, N);
      gSelf = g.div(N);
      gSrc = g.gather(d, idx).div(N.gather(d, idx));
    } else {
      // ties share the gradient evenly (x's value counts even without includeSelf, as in PyTorch)
      const value = out.gather(d, idx);
      const selfIs = x.eq(out).to(g.dtype);
      const srcIs = S.eq(value).to(g.dtype);
      const distributed = g.div(selfIs.scatterAdd(d, idx, srcIs));
      gSelf = selfIs.mul(distributed);
      gSrc = srcIs.mul(distributed.gather(d, idx));
    }
    if (!includeSelf) gSelf = gSelf.scatter(d, idx, 0);
    return [gSelf, gSrc];
  }, undefined, reads ? [x, S, out, idx] : [idx]);
}

function reduceOp<R extends string>(op: string, reduce: unknown, allowed: readonly R[], what: string): R {
  if (typeof reduce !== "string" || !(allowed as readonly string[]).includes(reduce))
    throw new TensileError(`${op}: reduce argument must be ${what}, got ${fmtValue(reduce)}`);
  return reduce as R;
}

/** scatterReduce's `reduce` given as a keyword with the others: `x.scatterReduce(0, index, src, { reduce: "amax", includeSelf: false })`. */
export interface ScatterReduceKeywords extends ScatterReduceOptions {
  reduce: ScatterReduceOp;
}

/** `(reduce, opts)` of scatterReduce with PyTorch's keyword `reduce` read out of an options object in its place. */
export function scatterReduceArgs(reduce: unknown, opts: unknown): [ScatterReduceOp, ScatterReduceOptions | null | undefined] {
  return kwArgs("scatterReduce", [reduce, opts], ["reduce"], ["includeSelf"]) as [ScatterReduceOp, ScatterReduceOptions | null | undefined];
}

/**
 * x with src's elements reduced into it along `dim` at `index` (as scatter writes them:
 * out[i][index[i][j]] ∘= src[i][j] for dim 1), as `torch.scatter_reduce`: "sum", "prod", "mean",
 * "amax" or "amin", over x's value and the values written (`includeSelf`, default) or the values
 * written alone. Gradients as PyTorch 1.13 (amax/amin share ties evenly); src may be larger than
 * index (the part index covers is used, the rest gets a zero gradient).
 */
export function scatterReduce(x: T, dim: number, index: T, src: T, reduce: ScatterReduceOp | ScatterReduceKeywords, opts?: ScatterReduceOptions | null): T {
  const op = "scatterReduce";
  [reduce, opts] = scatterReduceArgs(reduce, opts);
  assertTensor(op, x);
  assertTensor(op, index, "index");
  assertTensor(op, src, "src");
  const r = reduceOp(op, reduce, ["sum", "prod", "mean", "amax", "amin"] as const, "one of sum, prod, mean, amax or amin");
  const includeSelf = boolOpt(op, "includeSelf", isPlainObject(opts) ? opts.includeSelf : undefined, true);
  if (x.ndim === 0) {
    const as1 = (t: T) => (t.ndim === 0 ? t.reshape([1]) : t);
    return scatterReduce(x.reshape([1]), dim, as1(index), as1(src), r, { includeSelf }).reshape([]);
  }
  const d = normalizeDim(op, dim, x.ndim);
  if (index.dtype !== "int32") throw new TensileError(`${op}: expected index to be an int32 tensor, got ${index.dtype}`);
  if (index.ndim !== x.ndim || src.ndim !== x.ndim)
    throw new TensileError(`${op}: index ${fmtShape(index.shape)} and src ${fmtShape(src.shape)} must have as many dimensions as the input ${fmtShape(x.shape)}`);
  for (let i = 0; i < x.ndim; i++)
    if ((i !== d && index.shape[i]! > x.shape[i]!) || index.shape[i]! > src.shape[i]!)
      throw new TensileError(`${op}: Expected index ${fmtShape(index.shape)} to be smaller than self ${fmtShape(x.shape)} apart from dimension ${d} and to be smaller size than src ${fmtShape(src.shape)}`);
  checkIndex(op, index, x.shape[d]!, d);
  let S = castTo(onBackend(src, x.backend), x.dtype);
  // the part of src index covers (a view: the rest gets a zero gradient through it)
  for (let i = 0; i < x.ndim; i++) if (S.shape[i] !== index.shape[i]) S = S.narrow(i, 0, index.shape[i]!);
  return reduceChecked(op, x, d, onBackend(index, x.backend), S, r, includeSelf);
}

/**
 * x with the slices of `source` along `dim` reduced into x's slices at `index` (1-D), as
 * `torch.index_reduce`: "prod", "mean", "amax" or "amin", with or without x's own values
 * (`includeSelf`, default true). Gradients as PyTorch 1.13.
 */
export function indexReduce(x: T, dim: number, index: T, source: T, reduce: IndexReduceOp, opts?: ScatterReduceOptions | null): T {
  const op = "indexReduce";
  assertTensor(op, x);
  assertTensor(op, index, "index");
  assertTensor(op, source, "source");
  const r = reduceOp(op, reduce, ["prod", "mean", "amax", "amin"] as const, "one of prod, mean, amax or amin");
  const includeSelf = boolOpt(op, "includeSelf", isPlainObject(opts) ? opts.includeSelf : undefined, true);
  if (x.ndim === 0) {
    const as1 = (t: T) => (t.ndim === 0 ? t.reshape([1]) : t);
    return indexReduce(x.reshape([1]), dim, as1(index), as1(source), r, { includeSelf }).reshape([]);
  }
  const d = normalizeDim(op, dim, x.ndim);
  if (index.dtype !== "int32") throw new TensileError(`${op}: expected index to be an int32 tensor, got ${index.dtype}`);
  if (index.ndim > 1) throw new TensileError(`${op}: Index is supposed to be a vector, but got shape ${fmtShape(index.shape)}`);
  const n = index.numel();
  if (source.ndim !== x.ndim) throw new TensileError(`${op}: source ${fmtShape(source.shape)} must have as many dimensions as the input ${fmtShape(x.shape)}`);
  if (source.shape[d] !== n) throw new TensileError(`${op}: Number of indices (${n}) should be equal to source.size(dim): (${source.shape[d]}), for dim: ${d}`);
  for (let i = 0; i < x.ndim; i++)
    if (i !== d && source.shape[i] !== x.shape[i])
      throw new TensileError(`${op}: Source/destination tensor must have same slice shapes (source ${fmtShape(source.shape)}, input ${fmtShape(x.shape)}, dim ${d})`);
  checkIndex(op, index, x.shape[d]!, d);
  const idx = onBackend(index, x.backend).reshape(source.shape.map((s, i) => (i === d ? s : 1))).expand(source.shape);
  return reduceChecked(op, x, d, idx, castTo(onBackend(source, x.backend), x.dtype), r, includeSelf);
}
