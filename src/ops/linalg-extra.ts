/**
 * Linear algebra beyond ops/linalg-dense.ts and ops/linalg-lu.ts: torch.cholesky_inverse and
 * torch.cholesky_solve (host float64 over any batch, results rounded to the input's dtype, with
 * PyTorch 1.13's gradient formulas in Tensor ops so createGraph works), and the composites
 * torch.linalg.tensorinv, tensorsolve and vecdot; torch.pdist (the distances between a matrix's rows).
 */
import { traceUnit } from "../autograd/trace.js";
import { record } from "../autograd/engine.js";
import { isGradEnabled } from "../autograd/grad-mode.js";
import { TensileError, fmtShape, fmtValue } from "../errors.js";
import { isFloating } from "../tensor/dtype.js";
import { broadcastShapes, normalizeDim } from "../tensor/shape.js";
import { Tensor } from "../tensor/tensor.js";
import { inv, solve } from "./linalg-dense.js";
import { fromHost } from "./linalg-lu.js";
import { movedim } from "./movement.js";
import * as E from "./elementwise.js";
import { indexAdd } from "./index-write.js";
import { assertTensor, onBackend, wrap } from "./util.js";

type T = Tensor;

const mT = (x: T): T => x.transpose(-1, -2);
const prod = (s: readonly number[]): number => s.reduce((a, b) => a * b, 1);

/** `upper` given positionally (PyTorch's order) or as `{ upper }`. */
function upperArg(op: string, v: unknown): boolean {
  const u = typeof v === "object" && v !== null && !(v instanceof Tensor) && !Array.isArray(v) ? (v as { upper?: unknown }).upper : v;
  if (u === undefined || u === null) return false;
  if (typeof u !== "boolean") throw new TensileError(`${op}: upper must be a boolean, got ${fmtValue(u)}`);
  return u;
}

function checkFactor(op: string, L: T, what = "input"): number {
  assertTensor(op, L, what);
  if (L.ndim < 2) throw new TensileError(`${op}: The input tensor ${what} must have at least 2 dimensions, got ${fmtShape(L.shape)}`);
  const n = L.shape[L.ndim - 1]!, m = L.shape[L.ndim - 2]!;
  if (m !== n) throw new TensileError(`${op}: ${what} must be batches of square matrices, but they are ${m} by ${n} matrices (shape ${fmtShape(L.shape)})`);
  if (!isFloating(L.dtype)) throw new TensileError(`${op}: expected a floating point tensor ${what}, got ${L.dtype}`);
  return n;
}

/**
 * Solves op·X = B in place for the k columns of B (n×k row-major at b[ob..]) with op the triangle
 * of the n×n factor at a[oa..] that `lower` names, transposed when `trans`: the two substitutions
 * of a Cholesky solve. Reads only that triangle (LAPACK's potrs does the same).
 */
function triSolve(a: Float64Array, oa: number, n: number, lower: boolean, trans: boolean, b: Float64Array, ob: number, k: number): void {
  const at = trans ? (i: number, j: number) => a[oa + j * n + i]! : (i: number, j: number) => a[oa + i * n + j]!;
  const forward = lower !== trans;
  for (let s = 0; s < n; s++) {
    const i = forward ? s : n - 1 - s;
    const from = forward ? 0 : i + 1, to = forward ? i : n;
    for (let m = from; m < to; m++) {
      const f = at(i, m);
      for (let j = 0; j < k; j++) b[ob + i * k + j]! -= f * b[ob + m * k + j]!;
    }
    const d = at(i, i);
    for (let j = 0; j < k; j++) b[ob + i * k + j]! /= d;
  }
}

/**
 * (L·Lᵀ)⁻¹ for the lower triangular Cholesky factor L of a symmetric positive-definite matrix, or
 * (Uᵀ·U)⁻¹ with `upper`, over any batch: `torch.cholesky_inverse` (reads only that triangle). A
 * zero on the diagonal is an error, as in PyTorch. Gradient: PyTorch's, −(Ā + Āᵀ)·L with Ā =
 * A⁻¹·ḡ·A⁻¹ (for the factor taken whole, as PyTorch's formula takes it).
 */
export function choleskyInverse(L: T, upper: boolean | { upper?: boolean } | null = false): T {
  const op = "choleskyInverse";
  const n = checkFactor(op, L);
  const up = upperArg(op, upper);
  const count = prod(L.shape.slice(0, -2));
  const a = Float64Array.from(L.contiguous().dataSync());
  const out = new Float64Array(count * n * n);
  const li = new Float64Array(n * n);
  for (let b = 0; b < count; b++) {
    const o = b * n * n;
    for (let j = 0; j < n; j++)
      if (a[o + j * n + j] === 0)
        throw new TensileError(`${op}: ${count > 1 ? `(Batch element ${b}): ` : ""}The diagonal element ${j + 1} is zero, the inversion could not be completed because the input matrix is singular.`);
    // M = L⁻¹ (lower) or U⁻ᵀ (lower too): the solve of L·M = I, or Uᵀ·M = I
    li.fill(0);
    for (let j = 0; j < n; j++) li[j * n + j] = 1;
    triSolve(a, o, n, !up, up, li, 0, n);
    // A⁻¹ = Mᵀ·M
    for (let i = 0; i < n; i++)
      for (let j = 0; j < n; j++) {
        let s = 0;
        for (let k = Math.max(i, j); k < n; k++) s += li[k * n + i]! * li[k * n + j]!;
        out[o + i * n + j] = s;
      }
  }
  const res = fromHost(L, L.dtype, out, L.shape);
  return record(op, res, [L], (g) => {
    const common = res.matmul(g.add(mT(g))).matmul(res);
    return [up ? L.matmul(common).neg() : common.matmul(L).neg()];
  }, undefined, [L, res]);
}

/**
 * X with A·X = B for A = L·Lᵀ (or Uᵀ·U with `upper`) given its Cholesky factor, as
 * `torch.cholesky_solve(B, L, upper=false)` (B first, as PyTorch): B [..., n, k], L [..., n, n],
 * batch dims broadcast. Gradients PyTorch's: gB = choleskySolve(ḡ, L), gL = −(C + Cᵀ)·L with
 * C = gB·Xᵀ (L·(C + Cᵀ) for upper).
 */
export function choleskySolve(B: T, L: T, upper: boolean | { upper?: boolean } | null = false): T {
  const op = "choleskySolve";
  assertTensor(op, B, "B");
  const n = checkFactor(op, L, "L");
  const up = upperArg(op, upper);
  if (B.ndim < 2) throw new TensileError(`${op}: B should have at least 2 dimensions, but has ${B.ndim} dimensions instead`);
  if (B.dtype !== L.dtype) throw new TensileError(`${op}: Expected B and L to have the same dtype, but found B of type ${B.dtype} and L of type ${L.dtype} instead`);
  if (B.shape[B.ndim - 2] !== n)
    throw new TensileError(`${op}: Incompatible matrix sizes: each L matrix is ${n} by ${n} but each B matrix is ${B.shape[B.ndim - 2]} by ${B.shape[B.ndim - 1]}`);
  const k = B.shape[B.ndim - 1]!;
  const batch = broadcastShapes(op, B.shape.slice(0, -2), L.shape.slice(0, -2));
  const Lb = onBackend(L, B.backend);
  const a = Float64Array.from(Lb.expand([...batch, n, n]).contiguous().dataSync());
  const x = Float64Array.from(B.expand([...batch, n, k]).contiguous().dataSync());
  const count = prod(batch);
  for (let b = 0; b < count; b++) {
    // lower: L·Y = B then Lᵀ·X = Y; upper: Uᵀ·Y = B then U·X = Y
    triSolve(a, b * n * n, n, !up, up, x, b * n * k, k);
    triSolve(a, b * n * n, n, !up, !up, x, b * n * k, k);
  }
  const X = fromHost(B, B.dtype, x, [...batch, n, k]);
  return record(op, X, [B, Lb], (g) => {
    const gB = choleskySolve(g, Lb, up);
    if (!Lb.requiresGrad) return [gB, null];
    let common = gB.matmul(mT(X));
    common = common.add(mT(common));
    return [gB, up ? Lb.matmul(common).neg() : common.matmul(Lb).neg()];
  }, undefined, [Lb, X]);
}

/**
 * The inverse of A with respect to `tensordot(A, ·, ind)`, as `torch.linalg.tensorinv(A, ind=2)`:
 * A reshaped to a prod(shape[:ind]) square matrix, inverted, reshaped to shape[ind:] + shape[:ind].
 */
export function tensorinv(A: T, ind: number | { ind?: number } | null = 2): T {
  const op = "linalg.tensorinv";
  assertTensor(op, A, "A");
  const k = typeof ind === "object" && ind !== null ? (ind.ind ?? 2) : (ind ?? 2);
  if (typeof k !== "number" || !Number.isInteger(k) || k <= 0) throw new TensileError(`${op}: Expected a strictly positive integer for 'ind', but got ${fmtValue(k)}`);
  const outer = A.shape.slice(0, k), inner = A.shape.slice(k);
  const p = prod(outer);
  if (prod(inner) !== p)
    throw new TensileError(`${op}: Expected self to satisfy the requirement prod(self.shape[ind:]) == prod(self.shape[:ind]), but got ${prod(inner)} != ${p} (shape ${fmtShape(A.shape)}, ind ${k})`);
  return inv(A.reshape([p, p])).reshape([...inner, ...outer]);
}

/**
 * X with tensordot(A, X, X.ndim) = B, as `torch.linalg.tensorsolve(A, B, dims=None)`: A's dims
 * `dims` moved last first, then A reshaped to a square matrix of side B.numel().
 */
export function tensorsolve(A: T, B: T, dims?: readonly number[] | { dims?: readonly number[] | null } | null): T {
  const op = "linalg.tensorsolve";
  assertTensor(op, A, "A");
  assertTensor(op, B, "B");
  const ds = typeof dims === "object" && dims !== null && !Array.isArray(dims) ? ((dims as { dims?: readonly number[] | null }).dims ?? null) : (dims ?? null);
  let a = A;
  if (ds !== null) {
    if (!Array.isArray(ds) || !ds.every((d) => Number.isInteger(d))) throw new TensileError(`${op}: dims must be an array of integers, got ${fmtValue(ds)}`);
    const dst = ds.map((_, i) => A.ndim - ds.length + i);
    a = movedim(A, ds.map((d) => normalizeDim(op, d, A.ndim)), dst);
  }
  const resultShape = a.shape.slice(B.ndim);
  const p = prod(resultShape), q = prod(a.shape.slice(0, B.ndim));
  if (p !== q)
    throw new TensileError(`${op}: Expected self to satisfy the requirement prod(self.shape[other.ndim:]) == prod(self.shape[:other.ndim]), but got ${p} != ${q} (A ${fmtShape(a.shape)}, B ${fmtShape(B.shape)})`);
  if (B.numel() !== q) throw new TensileError(`${op}: B ${fmtShape(B.shape)} must have ${q} elements (the product of A's leading dims ${fmtShape(a.shape.slice(0, B.ndim))})`);
  return solve(a.reshape([q, p]), B.reshape([q])).reshape(resultShape);
}

/** Σ x·y along `dim` (default −1), x and y broadcast, as `torch.linalg.vecdot`. */
export function vecdot(x: T, y: T, opts?: { dim?: number } | null): T {
  const op = "linalg.vecdot";
  assertTensor(op, x, "x");
  assertTensor(op, y, "y");
  if (!isFloating(x.dtype)) throw new TensileError(`${op}: Expected a floating point tensor as input. Got ${x.dtype}`);
  if (x.dtype !== y.dtype) throw new TensileError(`${op}: Expected x and y to have the same dtype, but found x of type ${x.dtype} and y of type ${y.dtype} instead`);
  const dim = opts?.dim ?? -1;
  const shape = broadcastShapes(op, x.shape, y.shape);
  const d = normalizeDim(op, dim, shape.length);
  const p = x.mul(onBackend(y, x.backend));
  return shape.length === 0 ? p : p.sum(d);
}

/**
 * The p-norm distances between the rows of x [N, M], i < j in row-major order: shape
 * [N·(N − 1)/2], as torch.pdist (p ≥ 0; 0 counts differing entries, ∞ takes the largest).
 * Gradient: PyTorch's `_pdist_backward` — for a pair with difference d and distance r,
 * g·sign(d)·|d|^(p−1) / r^(p−1), 0 where r = 0 (coincident rows) or d = 0; for p = ∞, g·sign(d)
 * on every entry with |d| = r; none for p = 0.
 */
export function pdist(x: T, p = 2): T {
  assertTensor("pdist", x);
  if (x.ndim !== 2) throw new TensileError(`pdist: only supports 2D tensors, got: ${x.ndim}D (shape ${fmtShape(x.shape)})`);
  if (!isFloating(x.dtype)) throw new TensileError(`pdist: only supports floating-point dtypes, got ${x.dtype}`);
  if (typeof p !== "number" || !(p >= 0)) throw new TensileError(`pdist: only supports non-negative p values, got ${fmtValue(p)}`);
  // one op to a tracer (ONNX export, TensorBoard's graph), not the gathers it is made of
  return traceUnit("pdist", x, { p }, () => pdistOf(x, p));
}

function pdistOf(x: T, p: number): T {
  const n = x.shape[0]!;
  const k = n < 2 ? 0 : (n * (n - 1)) / 2; // (not −0 for n = 0)
  const I = new Int32Array(k), J = new Int32Array(k);
  for (let i = 0, t = 0; i < n; i++) for (let j = i + 1; j < n; j++, t++) (I[t] = i), (J[t] = j);
  const iIdx = wrap(x.backend, x.backend.fromArray(I), [k]);
  const jIdx = wrap(x.backend, x.backend.fromArray(J), [k]);
  const rowDiffs = (v: T): T => v.indexSelect(0, iIdx).sub(v.indexSelect(0, jIdx)); // [k, M]
  const diff = rowDiffs(x.detach());
  const out = diff.norm(p, 1);
  return record("pdist", out, [x], (g) => {
    if (p === 0 || k === 0) return [E.fullLike(x.detach(), 0)];
    // under createGraph, rebuild the differences from x so the rule is differentiable too
    const d = isGradEnabled() ? rowDiffs(x) : diff;
    const r = (isGradEnabled() ? d.norm(p, 1) : out).unsqueeze(1);
    const gd = g.unsqueeze(1);
    let gDiff: T;
    if (p === Infinity) gDiff = gd.mul(d.sign()).mul(E.eq(d.abs(), r).to(x.dtype));
    else {
      const a = d.abs();
      const zero = E.logicalOr(E.eq(a, 0), E.eq(r, 0));
      const safeA = E.where(zero, 1, a), safeR = E.where(E.eq(r, 0), 1, r);
      gDiff = E.where(zero, 0, d.sign().mul(safeA.pow(p - 1)).div(safeR.pow(p - 1)).mul(gd));
    }
    const zeros = E.fullLike(x.detach(), 0);
    return [indexAdd(zeros, 0, iIdx, gDiff).sub(indexAdd(zeros, 0, jIdx, gDiff))];
  }, [diff], [x, out]);
}
