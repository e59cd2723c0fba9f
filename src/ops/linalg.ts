import type { View } from "../backends/backend.js";
import { record } from "../autograd/engine.js";
import { TensileError, fmtShape } from "../errors.js";
import { promoteTypes } from "../tensor/dtype.js";
import { broadcastShapes } from "../tensor/shape.js";
import type { Tensor } from "../tensor/tensor.js";
import { assertTensor, castTo, onBackend, wrap } from "./util.js";

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
  const Wt = W.t();
  const view3 = (v: T): View => ({ storage: v.storage, shape: [1, v.shape[0]!, v.shape[1]!], strides: [0, v.strides[0]!, v.strides[1]!], offset: v.offset });
  const biasView: View | undefined = Bv ? { storage: Bv.storage, shape: [1, rows, outF], strides: [0, 0, Bv.strides[0]!], offset: Bv.offset } : undefined;
  const out2 = wrap(X.backend, X.backend.matmul(view3(X2), view3(Wt), biasView), [rows, outF]);
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
