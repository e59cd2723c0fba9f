import type { View } from "../backends/backend.js";
import { record } from "../autograd/engine.js";
import { TensileError, fmtShape, fmtValue } from "../errors.js";
import { promoteTypes } from "../tensor/dtype.js";
import { broadcastShapes, normalizeDim } from "../tensor/shape.js";
import { Tensor } from "../tensor/tensor.js";
import { cat } from "./movement.js";
import { assertTensor, castTo, onBackend, wrap } from "./util.js";
import { kwArgs } from "../utils/positional.js";

type T = Tensor;

/**
 * A [B, M, K] view of a tensor of shape [...batch, M, K] broadcast to `batch`, without copying when
 * the batch dims collapse to a single stride (always true for 2-D inputs and contiguous batches).
 */
function as3d(x: T, batch: readonly number[]): { view: View; src: T } {
  const mk = x.shape.slice(-2);
  const full = [...batch, ...mk];
  let v = x.expand(full);
  const B = batch.reduce((a, b) => a * b, 1);
  // Find one stride s with stride[i] = s * prod(batch[i+1:]) for every batch dim of size > 1.
  let s: number | null = null, ok = true, acc = 1;
  for (let i = batch.length - 1; i >= 0; i--) {
    if (batch[i] !== 1) {
      const si = v.strides[i]!;
      if (s === null) s = si / acc;
      if (si !== s * acc) ok = false;
    }
    acc *= batch[i]!;
  }
  if (!ok) v = v.contiguous();
  const bs = ok ? (s ?? 0) : mk[0]! * mk[1]!;
  const n = v.ndim;
  return { view: { storage: v.storage, shape: [B, mk[0]!, mk[1]!], strides: [bs, v.strides[n - 2]!, v.strides[n - 1]!], offset: v.offset }, src: v };
}

/** A 2-D view laid out column-major (the transpose of a contiguous matrix), with more than one column. */
function isTransposed(x: T): boolean {
  const [r, c] = x.shape as [number, number];
  return r > 1 && c > 1 && x.strides[0] === 1 && x.strides[1] === r;
}

/** Batched product of ≥2-D tensors with broadcast batch dims: [...b, M, K] @ [...b, K, N]. */
function matmulNd(a: T, b: T): T {
  const [M, K] = a.shape.slice(-2) as [number, number];
  const [K2, N] = b.shape.slice(-2) as [number, number];
  if (K !== K2)
    throw new TensileError(`matmul: shapes ${fmtShape(a.shape)} and ${fmtShape(b.shape)} cannot be multiplied (${K} != ${K2})`);
  const batch = broadcastShapes("matmul", a.shape.slice(0, -2), b.shape.slice(0, -2));
  const A = as3d(a, batch), B = as3d(b, batch);
  const out = wrap(a.backend, a.backend.matmul(A.view, B.view), [...batch, M, N]);
  // Only the gradients that are needed: for a first layer, dL/dx alone would be a third of the work.
  // Each gradient is computed in its input's memory layout (as PyTorch's mm backward does): for
  // y = x·Wᵀ (nn.Linear), dL/dWᵀ = xᵀ·g is produced as (gᵀ·x)ᵀ, so the transpose's backward hands
  // W a contiguous gradient instead of one that must be copied into place.
  const tr = (x: T) => x.transpose(-1, -2);
  const plain = a.ndim === 2 && b.ndim === 2;
  return record("matmul", out, [a, b], (g) => [
    a.requiresGrad ? (plain && isTransposed(a) ? tr(b.matmul(tr(g))) : g.matmul(tr(b))) : null,
    b.requiresGrad ? (plain && isTransposed(b) ? tr(tr(g).matmul(a)) : tr(a).matmul(g)) : null,
  ], undefined, [a.requiresGrad ? b : null, b.requiresGrad ? a : null]);
}

/**
 * y = x·Wᵀ + b for x [..., in], W [out, in], b [out] (checked by the caller): nn.Linear's addmm,
 * one backend call that accumulates the product onto the broadcast bias. Its backward is
 * dx = g·W, dW = gᵀ·x (W's own layout, no transpose to copy), db = Σ_rows g.
 */
export function linearOp(x: T, w: T, b: T | null): T {
  const d = promoteTypes(promoteTypes(x.dtype, w.dtype), b ? b.dtype : x.dtype);
  const X = castTo(x, d), W = castTo(onBackend(w, x.backend), d), Bv = b ? castTo(onBackend(b, x.backend), d) : null;
  const inF = X.shape[X.ndim - 1]!, outF = W.shape[0]!;
  const lead = X.shape.slice(0, -1);
  const rows = lead.reduce((p, q) => p * q, 1);
  const X2 = X.ndim === 2 ? X : X.reshape([rows, inF]);
  const x3: View = { storage: X2.storage, shape: [1, rows, inF], strides: [0, X2.strides[0]!, X2.strides[1]!], offset: X2.offset };
  // Wᵀ as a strided view of W's storage (no transposed tensor: at batch 1 its construction was a
  // few percent of the whole forward pass)
  const wt3: View = { storage: W.storage, shape: [1, inF, outF], strides: [0, W.strides[1]!, W.strides[0]!], offset: W.offset };
  const biasView: View | undefined = Bv ? { storage: Bv.storage, shape: [1, rows, outF], strides: [0, 0, Bv.strides[0]!], offset: Bv.offset } : undefined;
  const out2 = wrap(X.backend, X.backend.matmul(x3, wt3, biasView), [rows, outF]);
  const y2 = record("linear", out2, Bv ? [X2, W, Bv] : [X2, W], (g) => [
    X2.requiresGrad ? g.matmul(W) : null,
    W.requiresGrad ? g.t().matmul(X2) : null,
    ...(Bv ? [Bv.requiresGrad ? g.sum(0) : null] : []),
  ], undefined, [X2.requiresGrad ? W : null, W.requiresGrad ? X2 : null]);
  return X.ndim === 2 ? y2 : y2.reshape([...lead, outF]);
}

/** PyTorch's matmul: 1-D operands are promoted to matrices and the added dims removed afterwards. */
export function matmul(a: T, b: T): T {
  assertTensor("matmul", a);
  assertTensor("matmul", b, "other");
  if (a.ndim === 0 || b.ndim === 0)
    throw new TensileError(`matmul: both arguments need at least 1 dimension, but they are ${a.ndim}D and ${b.ndim}D`);
  const d = promoteTypes(a.dtype, b.dtype);
  if (d === "bool") throw new TensileError("matmul: not implemented for bool tensors");
  let A = castTo(a, d), B = castTo(onBackend(b, a.backend), d);
  const aVec = A.ndim === 1, bVec = B.ndim === 1;
  if (aVec) A = A.unsqueeze(0);
  if (bVec) B = B.unsqueeze(1);
  if (A.shape[A.ndim - 1] !== B.shape[B.ndim - 2])
    throw new TensileError(
      `matmul: shapes ${fmtShape(a.shape)} and ${fmtShape(b.shape)} cannot be multiplied (${A.shape[A.ndim - 1]} != ${B.shape[B.ndim - 2]})`,
    );
  let out = matmulNd(A, B);
  if (aVec) out = out.squeeze(-2);
  if (bVec) out = out.squeeze(-1);
  return out;
}

export function mm(a: T, b: T): T {
  assertTensor("mm", a);
  assertTensor("mm", b, "mat2");
  if (a.ndim !== 2 || b.ndim !== 2) throw new TensileError(`mm: expected 2-D tensors, got ${a.ndim}-D ${fmtShape(a.shape)} and ${b.ndim}-D ${fmtShape(b.shape)}`);
  if (a.shape[1] !== b.shape[0])
    throw new TensileError(`mm: mat1 and mat2 shapes cannot be multiplied (${a.shape.join("x")} and ${b.shape.join("x")})`);
  return matmul(a, b);
}

export function bmm(a: T, b: T): T {
  assertTensor("bmm", a);
  assertTensor("bmm", b, "mat2");
  if (a.ndim !== 3 || b.ndim !== 3) throw new TensileError(`bmm: batch1 and batch2 must be 3-D tensors, got ${fmtShape(a.shape)} and ${fmtShape(b.shape)}`);
  if (a.shape[0] !== b.shape[0] || a.shape[2] !== b.shape[1])
    throw new TensileError(`bmm: shapes ${fmtShape(a.shape)} and ${fmtShape(b.shape)} cannot be multiplied`);
  return matmul(a, b);
}

export function t(x: T): T {
  assertTensor("t", x);
  if (x.ndim > 2) throw new TensileError(`t: expects a tensor with <= 2 dimensions, but self is ${x.ndim}D`);
  return x.ndim < 2 ? x : x.transpose(0, 1);
}

export function outer(a: T, b: T): T {
  assertTensor("outer", a);
  assertTensor("outer", b, "vec2");
  if (a.ndim !== 1 || b.ndim !== 1) throw new TensileError(`outer: expected 1-D tensors, got ${fmtShape(a.shape)} and ${fmtShape(b.shape)}`);
  return a.unsqueeze(1).mul(b.unsqueeze(0));
}

export function dot(a: T, b: T): T {
  assertTensor("dot", a);
  assertTensor("dot", b, "tensor");
  if (a.ndim !== 1 || b.ndim !== 1) throw new TensileError(`dot: 1D tensors expected, but got ${a.ndim}D and ${b.ndim}D tensors`);
  if (a.shape[0] !== b.shape[0])
    throw new TensileError(`dot: inconsistent tensor size, expected tensor [${a.shape[0]}] and src [${b.shape[0]}] to have the same number of elements`);
  return matmul(a, b);
}

// ---- products with scaling (addmm family), diagonals, kron, cross, tensordot, distances ----

interface ScaleOptions {
  beta?: number;
  alpha?: number;
}

/** beta·input + alpha·product; input must broadcast to the product's shape; beta = 0 ignores input (NaNs too). */
function addScaled(name: string, input: T, product: T, opts: ScaleOptions | null | undefined): T {
  const { beta = 1, alpha = 1 } = opts ?? {};
  if (typeof beta !== "number" || typeof alpha !== "number")
    throw new TensileError(`${name}: beta and alpha must be numbers, got ${fmtValue(beta)} and ${fmtValue(alpha)}`);
  const shape = broadcastShapes(name, input.shape, product.shape);
  if (shape.length !== product.ndim || shape.some((s, i) => s !== product.shape[i]))
    throw new TensileError(`${name}: input ${fmtShape(input.shape)} cannot be broadcast to the product's shape ${fmtShape(product.shape)}`);
  const p = alpha === 1 ? product : product.mul(alpha);
  if (beta === 0) return p;
  return (beta === 1 ? input : input.mul(beta)).add(p);
}

function expectDims(name: string, what: string, x: T, nd: number): void {
  if (x.ndim !== nd) throw new TensileError(`${name}: ${what} must be a ${nd}-D tensor, got ${fmtShape(x.shape)}`);
}

/** Matrix × vector: [n, m] · [m] → [n]. */
export function mv(mat: T, vec: T): T {
  assertTensor("mv", mat);
  assertTensor("mv", vec, "vec");
  expectDims("mv", "mat", mat, 2);
  expectDims("mv", "vec", vec, 1);
  if (mat.shape[1] !== vec.shape[0])
    throw new TensileError(`mv: size mismatch, got input (${mat.shape[0]}), mat (${mat.shape.join("x")}), vec (${vec.shape[0]})`);
  return matmul(mat, vec);
}

/** beta·input + alpha·(mat1 · mat2). */
export function addmm(input: T, mat1: T, mat2: T, opts?: ScaleOptions | null): T {
  assertTensor("addmm", input);
  assertTensor("addmm", mat1, "mat1");
  assertTensor("addmm", mat2, "mat2");
  expectDims("addmm", "mat1", mat1, 2);
  expectDims("addmm", "mat2", mat2, 2);
  if (mat1.shape[1] !== mat2.shape[0])
    throw new TensileError(`addmm: mat1 and mat2 shapes cannot be multiplied (${mat1.shape.join("x")} and ${mat2.shape.join("x")})`);
  return addScaled("addmm", input, matmul(mat1, mat2), opts);
}

/** beta·input + alpha·(mat · vec). */
export function addmv(input: T, mat: T, vec: T, opts?: ScaleOptions | null): T {
  assertTensor("addmv", input);
  assertTensor("addmv", mat, "mat");
  assertTensor("addmv", vec, "vec");
  return addScaled("addmv", input, mv(mat, vec), opts);
}

/** beta·input + alpha·(vec1 ⊗ vec2). */
export function addr(input: T, vec1: T, vec2: T, opts?: ScaleOptions | null): T {
  assertTensor("addr", input);
  assertTensor("addr", vec1, "vec1");
  assertTensor("addr", vec2, "vec2");
  expectDims("addr", "vec1", vec1, 1);
  expectDims("addr", "vec2", vec2, 1);
  return addScaled("addr", input, outer(vec1, vec2), opts);
}

/** beta·input + alpha·(batch1 @ batch2), batch by batch. */
export function baddbmm(input: T, batch1: T, batch2: T, opts?: ScaleOptions | null): T {
  assertTensor("baddbmm", input);
  assertTensor("baddbmm", batch1, "batch1");
  assertTensor("baddbmm", batch2, "batch2");
  return addScaled("baddbmm", input, bmm(batch1, batch2), opts);
}

/** beta·input + alpha·Σ_b batch1[b] · batch2[b]. */
export function addbmm(input: T, batch1: T, batch2: T, opts?: ScaleOptions | null): T {
  assertTensor("addbmm", input);
  assertTensor("addbmm", batch1, "batch1");
  assertTensor("addbmm", batch2, "batch2");
  return addScaled("addbmm", input, bmm(batch1, batch2).sum(0), opts);
}

/** Σ over the last dims of a and b: [...a, k] · [...b, k] → [...a, ...b]; a product when either is 0-D. */
export function inner(a: T, b: T): T {
  assertTensor("inner", a);
  assertTensor("inner", b, "other");
  if (a.ndim === 0 || b.ndim === 0) return a.mul(b);
  if (a.shape[a.ndim - 1] !== b.shape[b.ndim - 1])
    throw new TensileError(`inner: the last dimensions of input ${fmtShape(a.shape)} and other ${fmtShape(b.shape)} must match`);
  return tensordot(a, b, [[a.ndim - 1], [b.ndim - 1]]);
}

/** Σ a_i b_i of two 1-D tensors (PyTorch's vdot conjugates a; real tensors need nothing more). */
export function vdot(a: T, b: T): T {
  assertTensor("vdot", a);
  assertTensor("vdot", b, "other");
  if (a.ndim !== 1 || b.ndim !== 1) throw new TensileError(`vdot: 1D tensors expected, but got ${a.ndim}D and ${b.ndim}D tensors`);
  if (a.shape[0] !== b.shape[0])
    throw new TensileError(`vdot: inconsistent tensor size, expected tensor [${a.shape[0]}] and src [${b.shape[0]}] to have the same number of elements`);
  return matmul(a, b);
}

/** The Kronecker product: out[i·m + k, ...] = a[i, ...] · b[k, ...] (dims aligned from the right). */
export function kron(a: T, b: T): T {
  assertTensor("kron", a);
  assertTensor("kron", b, "other");
  const n = Math.max(a.ndim, b.ndim);
  const sa = [...Array(n - a.ndim).fill(1), ...a.shape] as number[];
  const sb = [...Array(n - b.ndim).fill(1), ...b.shape] as number[];
  const A = a.reshape(sa.flatMap((s) => [s, 1]));
  const B = b.reshape(sb.flatMap((s) => [1, s]));
  return A.mul(B).reshape(sa.map((s, i) => s * sb[i]!));
}

/** Shape, strides and offset of the diagonal `offset` of dims d1, d2 of a layout (appended last). */
function diagonalLayout(shape: readonly number[], strides: readonly number[], off: number, k: number, d1: number, d2: number) {
  const len = Math.max(0, k >= 0 ? Math.min(shape[d1]!, shape[d2]! - k) : Math.min(shape[d1]! + k, shape[d2]!));
  const keep = [...shape.keys()].filter((i) => i !== d1 && i !== d2);
  const start = len === 0 ? off : off + (k >= 0 ? k * strides[d2]! : -k * strides[d1]!);
  return { shape: [...keep.map((i) => shape[i]!), len], strides: [...keep.map((i) => strides[i]!), strides[d1]! + strides[d2]!], offset: start };
}

function diagonalArgs(name: string, ndim: number, offset: number, dim1: number, dim2: number): [number, number] {
  if (!Number.isInteger(offset)) throw new TensileError(`${name}: offset must be an integer, got ${fmtValue(offset)}`);
  const d1 = normalizeDim(name, dim1, ndim), d2 = normalizeDim(name, dim2, ndim);
  if (d1 === d2) throw new TensileError(`${name}: diagonal dimensions cannot be identical ${dim1}, ${dim2}`);
  return [d1, d2];
}

/** PyTorch's keywords of `torch.diagonal`: `diagonal(x, { offset: 1 })`, `x.diagonal(0, { dim1: 1, dim2: 2 })`. */
export interface DiagonalOptions { offset?: number; dim1?: number; dim2?: number }

/**
 * The diagonal `offset` (above the main one when > 0) of the matrices in dims dim1, dim2, as a view
 * sharing x's storage, that dim appended last (PyTorch's `torch.diagonal`).
 */
export function diagonal(x: T, offset?: number | DiagonalOptions, dim1?: number | DiagonalOptions, dim2?: number | DiagonalOptions): T {
  assertTensor("diagonal", x);
  [offset = 0, dim1 = 0, dim2 = 1] = kwArgs("diagonal", [offset, dim1, dim2], ["offset", "dim1", "dim2"]) as [number?, number?, number?];
  if (x.ndim < 2) throw new TensileError(`diagonal: expected a tensor with at least 2 dimensions, got ${fmtShape(x.shape)}`);
  const [d1, d2] = diagonalArgs("diagonal", x.ndim, offset, dim1, dim2);
  const v = diagonalLayout(x.shape, x.strides, x.offset, offset, d1, d2);
  const out = new Tensor(x.storage, x.backend, v.shape, v.strides, v.offset);
  return record("diagonal", out, [x], (g) => [placeDiagonal(g, x.shape, offset, d1, d2)], undefined, []);
}

/** Zeros of `shape` with g written on the diagonal `k` of dims d1, d2 (diagonal's backward and diagEmbed's forward). */
function placeDiagonal(g: T, shape: readonly number[], k: number, d1: number, d2: number): T {
  const out = wrap(g.backend, g.backend.alloc(g.dtype, shape.reduce((a, b) => a * b, 1)), shape);
  const v = diagonalLayout(shape, out.strides, 0, k, d1, d2);
  if (v.shape.every((s) => s > 0)) g.backend.assign({ storage: out.storage, ...v }, g);
  return record("diagEmbed", out, [g], (gg) => [diagonal(gg, k, d1, d2)], undefined, []);
}

/**
 * Matrices whose diagonal `offset` in dims dim1, dim2 holds x's last dim (zeros elsewhere): the
 * result has one more dim than x, each of the two of size n + |offset|.
 */
export function diagEmbed(x: T, offset = 0, dim1 = -2, dim2 = -1): T {
  assertTensor("diagEmbed", x);
  if (x.ndim === 0) throw new TensileError("diagEmbed: expected a tensor with at least 1 dimension, got a 0-D tensor");
  const [d1, d2] = diagonalArgs("diagEmbed", x.ndim + 1, offset, dim1, dim2);
  const n = x.shape[x.ndim - 1]! + Math.abs(offset);
  const shape: number[] = [];
  let src = 0;
  for (let i = 0; i <= x.ndim; i++) shape.push(i === d1 || i === d2 ? n : x.shape[src++]!);
  return placeDiagonal(x, shape, offset, d1, d2);
}

/** The sum of the main diagonal of a 2-D tensor. */
export function trace(x: T): T {
  assertTensor("trace", x);
  if (x.ndim !== 2) throw new TensileError(`trace: expected a matrix, but got tensor with dim ${x.ndim} (shape ${fmtShape(x.shape)})`);
  return diagonal(x).sum();
}

/** The cross product of 3-vectors along `dim` (default: the first dim of size 3), a and b broadcast. */
export function cross(a: T, b: T, dim?: number | null): T {
  assertTensor("cross", a);
  assertTensor("cross", b, "other");
  if (a.ndim !== b.ndim) throw new TensileError(`cross: inputs must have the same number of dimensions, got ${fmtShape(a.shape)} and ${fmtShape(b.shape)}`);
  const shape = broadcastShapes("cross", a.shape, b.shape);
  const d = dim === undefined || dim === null ? shape.indexOf(3) : normalizeDim("cross", dim, shape.length);
  if (d < 0 || shape[d] !== 3)
    throw new TensileError(`cross: no dimension of size 3 in input ${fmtShape(a.shape)} and other ${fmtShape(b.shape)}${dim === undefined || dim === null ? "" : ` at dim ${dim}`}`);
  const A = a.expand(shape), B = b.expand(shape);
  const c = (t: T, i: number) => t.narrow(d, i, 1);
  return cat([
    c(A, 1).mul(c(B, 2)).sub(c(A, 2).mul(c(B, 1))),
    c(A, 2).mul(c(B, 0)).sub(c(A, 0).mul(c(B, 2))),
    c(A, 0).mul(c(B, 1)).sub(c(A, 1).mul(c(B, 0))),
  ], d);
}

/**
 * Contracts dims `dims[0]` of a with `dims[1]` of b (or a's last n with b's first n when `dims` is
 * a number n); the result's dims are a's remaining ones then b's.
 */
export function tensordot(a: T, b: T, dims: number | readonly [readonly number[] | number, readonly number[] | number] = 2): T {
  assertTensor("tensordot", a);
  assertTensor("tensordot", b, "other");
  let da: number[], db: number[];
  if (typeof dims === "number") {
    if (!Number.isInteger(dims) || dims < 0 || dims > a.ndim || dims > b.ndim)
      throw new TensileError(`tensordot: dims must be a non-negative integer at most the number of dims of both tensors (${a.ndim} and ${b.ndim}), got ${fmtValue(dims)}`);
    da = [...Array(dims).keys()].map((i) => a.ndim - dims + i);
    db = [...Array(dims).keys()];
  } else {
    if (!Array.isArray(dims) || dims.length !== 2)
      throw new TensileError(`tensordot: dims must be a number or a pair of dim lists, got ${fmtValue(dims)}`);
    const list = (v: unknown, nd: number) => (typeof v === "number" ? [v] : Array.isArray(v) ? v : [NaN]).map((x) => normalizeDim("tensordot", x as number, nd));
    da = list(dims[0], a.ndim);
    db = list(dims[1], b.ndim);
    if (da.length !== db.length) throw new TensileError(`tensordot: both dimension lists should have the same length, got ${da.length} and ${db.length}`);
  }
  for (let i = 0; i < da.length; i++)
    if (a.shape[da[i]!] !== b.shape[db[i]!])
      throw new TensileError(`tensordot: contracted dimensions need to match, but first has size ${a.shape[da[i]!]} in dim ${da[i]} and second has size ${b.shape[db[i]!]} in dim ${db[i]}`);
  const freeA = [...a.shape.keys()].filter((i) => !da.includes(i));
  const freeB = [...b.shape.keys()].filter((i) => !db.includes(i));
  const size = (x: T, ds: number[]) => ds.reduce((p, i) => p * x.shape[i]!, 1);
  const A = a.permute([...freeA, ...da]).reshape([size(a, freeA), size(a, da)]);
  const B = b.permute([...db, ...freeB]).reshape([size(b, db), size(b, freeB)]);
  return matmul(A, B).reshape([...freeA.map((i) => a.shape[i]!), ...freeB.map((i) => b.shape[i]!)]);
}

/** PyTorch's keywords of `torch.cdist` after x1, x2: `cdist(a, b, { p: 1 })`. */
export interface CdistOptions { p?: number; computeMode?: string | null }

/** p-norm distances between the rows of x1 [..., P, M] and x2 [..., R, M] → [..., P, R]. */
// `_opts`: PyTorch's compute_mode, taken for its place; distances are always computed directly
export function cdist(x1: T, x2: T, p: number | CdistOptions = 2, _opts?: CdistOptions | string | null): T {
  assertTensor("cdist", x1, "x1");
  assertTensor("cdist", x2, "x2");
  [p = 2] = kwArgs("cdist", [p, _opts], ["p", "computeMode"]) as [number?, unknown?];
  if (x1.ndim < 2 || x2.ndim < 2 || x1.shape[x1.ndim - 1] !== x2.shape[x2.ndim - 1])
    throw new TensileError(`cdist: x1 ${fmtShape(x1.shape)} and x2 ${fmtShape(x2.shape)} must be at least 2-D with the same number of columns`);
  if (typeof p !== "number" || !(p >= 0)) throw new TensileError(`cdist: only supports non-negative p values, got ${fmtValue(p)}`);
  return x1.unsqueeze(-2).sub(x2.unsqueeze(-3)).norm(p, -1);
}

/** The p-norm of a − b (broadcast). */
export function dist(a: T, b: T, p = 2): T {
  assertTensor("dist", a);
  assertTensor("dist", b, "other");
  if (typeof p !== "number" || Number.isNaN(p)) throw new TensileError(`dist: p must be a number, got ${fmtValue(p)}`);
  return a.sub(b).norm(p);
}
