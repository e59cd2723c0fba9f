/**
 * Dense matrix functions (torch.linalg's det, slogdet, inv, solve, cholesky, norms): small
 * factorizations computed on the host in float64 (LU with partial pivoting, Cholesky) over any
 * batch [..., n, n], results rounded to the input's dtype. Gradients are PyTorch's formulas written
 * with Tensor ops (so createGraph works through them).
 */
import { record } from "../autograd/engine.js";
import { LinAlgError, TensileError, fmtShape, fmtValue } from "../errors.js";
import { type DType, arrayFor, isFloating } from "../tensor/dtype.js";
import { eye } from "../tensor/creation.js";
import type { Tensor } from "../tensor/tensor.js";
import * as E from "./elementwise.js";
import { amax, amin, norm as pNorm, sum } from "./reduce.js";
import { svdvals } from "./linalg-decomp.js";
import { cat } from "./movement.js";
import { assertTensor, castTo, onBackend, wrap } from "./util.js";
import { kwArgs } from "../utils/positional.js";

type T = Tensor;

/** A batch of square matrices read as float64: matrix b is data[b·n² ..]. */
function squareBatch(name: string, A: T): { data: Float64Array; batch: number[]; n: number; count: number } {
  assertTensor(name, A, "A");
  if (A.ndim < 2) throw new TensileError(`${name}: the input tensor A must have at least 2 dimensions, got ${fmtShape(A.shape)}`);
  const n = A.shape[A.ndim - 1]!;
  if (A.shape[A.ndim - 2] !== n) throw new TensileError(`${name}: A must be batches of square matrices, but they are ${A.shape[A.ndim - 2]} by ${n} matrices (shape ${fmtShape(A.shape)})`);
  if (!isFloating(A.dtype)) throw new TensileError(`${name}: expected a floating point tensor, got ${A.dtype}`);
  const batch = A.shape.slice(0, -2);
  return { data: Float64Array.from(A.contiguous().dataSync()), batch, n, count: batch.reduce((a, b) => a * b, 1) };
}

/** LU with partial pivoting of the n×n matrix at a[o..] in place (rows swapped as `perm` records); returns det's sign from the swaps, 0 when singular. */
function luInPlace(a: Float64Array, o: number, n: number, perm: Int32Array): number {
  let sign = 1;
  for (let i = 0; i < n; i++) perm[i] = i;
  for (let k = 0; k < n; k++) {
    let p = k, best = Math.abs(a[o + k * n + k]!);
    for (let i = k + 1; i < n; i++) {
      const v = Math.abs(a[o + i * n + k]!);
      if (v > best) (best = v), (p = i);
    }
    if (best === 0 || Number.isNaN(best)) return 0;
    if (p !== k) {
      for (let j = 0; j < n; j++) {
        const t = a[o + k * n + j]!;
        a[o + k * n + j] = a[o + p * n + j]!;
        a[o + p * n + j] = t;
      }
      [perm[k], perm[p]] = [perm[p]!, perm[k]!];
      sign = -sign;
    }
    const piv = a[o + k * n + k]!;
    for (let i = k + 1; i < n; i++) {
      const f = (a[o + i * n + k]! /= piv);
      if (f !== 0) for (let j = k + 1; j < n; j++) a[o + i * n + j]! -= f * a[o + k * n + j]!;
    }
  }
  return sign;
}

/** Solves LU·X = P·B for the k right-hand columns of b (row-major n×k at b[ob..]), in place. */
function luSolve(lu: Float64Array, o: number, n: number, perm: Int32Array, b: Float64Array, ob: number, k: number): void {
  const x = new Float64Array(n * k);
  for (let i = 0; i < n; i++) for (let j = 0; j < k; j++) x[i * k + j] = b[ob + perm[i]! * k + j]!;
  for (let i = 0; i < n; i++)
    for (let m = 0; m < i; m++) {
      const f = lu[o + i * n + m]!;
      if (f !== 0) for (let j = 0; j < k; j++) x[i * k + j]! -= f * x[m * k + j]!;
    }
  for (let i = n - 1; i >= 0; i--) {
    for (let m = i + 1; m < n; m++) {
      const f = lu[o + i * n + m]!;
      if (f !== 0) for (let j = 0; j < k; j++) x[i * k + j]! -= f * x[m * k + j]!;
    }
    const d = lu[o + i * n + i]!;
    for (let j = 0; j < k; j++) x[i * k + j]! /= d;
  }
  b.set(x, ob);
}

const fromF64 = (like: T, dtype: DType, data: Float64Array, shape: readonly number[]): T => {
  const out = arrayFor(dtype, data.length);
  out.set(data);
  return wrap(like.backend, like.backend.fromArray(out), shape);
};

/** Matrix transpose of the last two dims. */
const mT = (x: T): T => x.transpose(-1, -2);
/** x [...] → [..., 1, 1], to scale a batch of matrices. */
const asScale = (x: T): T => x.unsqueeze(-1).unsqueeze(-1);

function singularInBackward(name: string): never {
  throw new TensileError(`${name}: the gradient at a singular matrix is not implemented (its determinant is 0)`);
}

/** The determinant of each square matrix [..., n, n]; gradient g·det·A⁻ᵀ (at a singular A: a TensileError at backward time). */
export function det(A: T): T {
  const name = "linalg.det";
  const { data, batch, n, count } = squareBatch(name, A);
  const out = new Float64Array(count);
  const perm = new Int32Array(n);
  for (let b = 0; b < count; b++) {
    const s = luInPlace(data, b * n * n, n, perm);
    let d = s;
    for (let i = 0; i < n && s !== 0; i++) d *= data[b * n * n + i * n + i]!;
    out[b] = d;
  }
  const res = fromF64(A, A.dtype, out, batch);
  return record(name, res, [A], (g) => {
    if (out.some((v) => v === 0)) singularInBackward(name);
    return [asScale(g.mul(res)).mul(mT(inv(A)))];
  }, undefined, [A, res]);
}

/** PyTorch's `torch.return_types.slogdet`: `[sign, logabsdet]`, also as `.sign` / `.logabsdet`. */
export type SignLogAbsDet = [Tensor, Tensor] & { readonly sign: Tensor; readonly logabsdet: Tensor };

/**
 * [sign, log|det|] of each square matrix (sign 0 and −∞ when singular). Only log|det| is
 * differentiable: g·A⁻ᵀ.
 */
export function slogdet(A: T): SignLogAbsDet {
  const name = "linalg.slogdet";
  const { data, batch, n, count } = squareBatch(name, A);
  const sign = new Float64Array(count), logabs = new Float64Array(count);
  const perm = new Int32Array(n);
  for (let b = 0; b < count; b++) {
    let s = luInPlace(data, b * n * n, n, perm), l = 0;
    for (let i = 0; i < n && s !== 0; i++) {
      const u = data[b * n * n + i * n + i]!;
      if (u < 0) s = -s;
      l += Math.log(Math.abs(u));
    }
    sign[b] = s;
    logabs[b] = s === 0 ? -Infinity : l;
  }
  // the sign is piecewise constant: in the graph (as PyTorch's) with no gradient
  const sg = record(name, fromF64(A, A.dtype, sign, batch), [A], () => [null], undefined, []);
  const la = record(name, fromF64(A, A.dtype, logabs, batch), [A], (g) => {
    if (sign.some((v) => v === 0)) singularInBackward(name);
    return [asScale(g).mul(mT(inv(A)))];
  }, undefined, [A]);
  return Object.defineProperties([sg, la], { sign: { value: sg }, logabsdet: { value: la } }) as SignLogAbsDet;
}

/** log det A (NaN where det < 0, −∞ where singular), as `torch.logdet`. */
export function logdet(A: T): T {
  const [sign, la] = slogdet(A);
  return E.where(sign.lt(0), NaN, la);
}

function notInvertible(name: string, batchIndex: number, count: number): never {
  throw new LinAlgError(`${name}: ${count > 1 ? `(Batch element ${batchIndex}): ` : ""}the input matrix is singular, so it cannot be inverted`);
}

/** The inverse of each square matrix (a TensileError when one is singular); gradient −A⁻ᵀ·g·A⁻ᵀ. */
export function inv(A: T): T {
  const name = "linalg.inv";
  const { data, batch, n, count } = squareBatch(name, A);
  const out = new Float64Array(count * n * n);
  const perm = new Int32Array(n);
  for (let b = 0; b < count; b++) {
    const o = b * n * n;
    if (luInPlace(data, o, n, perm) === 0) notInvertible(name, b, count);
    for (let i = 0; i < n; i++) out[o + i * n + i] = 1;
    luSolve(data, o, n, perm, out, o, n);
  }
  const res = fromF64(A, A.dtype, out, A.shape);
  return record(name, res, [A], (g) => [mT(res).matmul(g).matmul(mT(res)).neg()], undefined, [res]);
}

export interface SolveOptions {
  /** Solve A·X = B (true, the default) or X·A = B. */
  left?: boolean;
}

/** X with A·X = B for matrices (B [..., n, k]) or vectors (B [..., n]), batch dims broadcast. */
function solveLeft(name: string, A: T, B: T): T {
  const { n } = squareBatch(name, A);
  if (B.dtype !== A.dtype) throw new TensileError(`${name}: expected A and B to have the same dtype, but found A of type ${A.dtype} and B of type ${B.dtype}`);
  const vector = B.ndim === 1 || (B.ndim === A.ndim - 1 && B.shape.every((s, i) => s === A.shape[i]));
  const Bm = vector ? B.unsqueeze(-1) : B;
  if (Bm.ndim < 2 || Bm.shape[Bm.ndim - 2] !== n)
    throw new TensileError(`${name}: incompatible shapes of A and B for the equation AX = B (${fmtShape(A.shape)} and ${fmtShape(B.shape)})`);
  const k = Bm.shape[Bm.ndim - 1]!;
  const batch = broadcastBatch(name, A.shape.slice(0, -2), Bm.shape.slice(0, -2), A, B);
  const a = Float64Array.from(A.expand([...batch, n, n]).contiguous().dataSync());
  const x = Float64Array.from(Bm.expand([...batch, n, k]).contiguous().dataSync());
  const count = batch.reduce((p, q) => p * q, 1);
  const perm = new Int32Array(n);
  for (let b = 0; b < count; b++) {
    if (luInPlace(a, b * n * n, n, perm) === 0)
      throw new LinAlgError(`${name}: ${count > 1 ? `(Batch element ${b}): ` : ""}the solve could not be completed because the input matrix is singular`);
    luSolve(a, b * n * n, n, perm, x, b * n * k, k);
  }
  const Xm: T = fromF64(A, A.dtype, x, [...batch, n, k]);
  record(name, Xm, [A, Bm], (g) => {
    const gB = solveLeft(name, mT(A), g);
    return [A.requiresGrad ? gB.matmul(mT(Xm)).neg() : null, gB];
  }, undefined, [A, Xm]);
  return vector ? Xm.squeeze(-1) : Xm;
}

function broadcastBatch(name: string, a: readonly number[], b: readonly number[], A: T, B: T): number[] {
  const nd = Math.max(a.length, b.length);
  return Array.from({ length: nd }, (_, i) => {
    const x = a[a.length - nd + i] ?? 1, y = b[b.length - nd + i] ?? 1;
    if (x !== y && x !== 1 && y !== 1) throw new TensileError(`${name}: the batch dims of A ${fmtShape(A.shape)} and B ${fmtShape(B.shape)} do not broadcast`);
    return x === 1 ? y : x;
  });
}

/**
 * The solution X of A·X = B (or X·A = B with `left: false`) for square invertible A [..., n, n] and
 * B [..., n, k] or [..., n] (batch dims broadcast); a TensileError when A is singular. Gradient:
 * gB = A⁻ᵀ·g, gA = −gB·Xᵀ.
 */
export function solve(A: T, B: T, opts?: SolveOptions | null): T {
  const name = "linalg.solve";
  assertTensor(name, A, "A");
  assertTensor(name, B, "B");
  const left = opts?.left ?? true;
  if (typeof left !== "boolean") throw new TensileError(`${name}: left must be a boolean, got ${fmtValue(left)}`);
  if (left) return solveLeft(name, A, onBackend(B, A.backend));
  if (B.ndim < 2) throw new TensileError(`${name}: with left = false, B must be a batch of matrices, got ${fmtShape(B.shape)}`);
  return mT(solveLeft(name, mT(A), mT(onBackend(B, A.backend))));
}

/**
 * The Cholesky factor L (lower triangular, A = L·Lᵀ) of each symmetric positive-definite matrix,
 * or U = Lᵀ with `upper`; reads the lower triangle only. A TensileError when A is not positive
 * definite. Gradient (PyTorch's, Murray 2016): Φ = tril(Lᵀ·ḡ) with its diagonal halved, then
 * gA = L⁻ᵀ·sym(Φ)·L⁻¹.
 */
export function cholesky(A: T, opts?: { upper?: boolean } | null): T {
  const name = "linalg.cholesky";
  const upper = opts?.upper ?? false;
  if (typeof upper !== "boolean") throw new TensileError(`${name}: upper must be a boolean, got ${fmtValue(upper)}`);
  const { data, n, count } = squareBatch(name, A);
  const L = new Float64Array(count * n * n);
  for (let b = 0; b < count; b++) {
    const o = b * n * n;
    for (let j = 0; j < n; j++) {
      let d = data[o + j * n + j]!;
      for (let k = 0; k < j; k++) d -= L[o + j * n + k]! ** 2;
      if (!(d > 0))
        throw new LinAlgError(`${name}: ${count > 1 ? `(Batch element ${b}): ` : ""}the factorization could not be completed because the input is not positive-definite (the leading minor of order ${j + 1} is not positive-definite)`);
      const ljj = Math.sqrt(d);
      L[o + j * n + j] = ljj;
      for (let i = j + 1; i < n; i++) {
        let s = data[o + i * n + j]!;
        for (let k = 0; k < j; k++) s -= L[o + i * n + k]! * L[o + j * n + k]!;
        L[o + i * n + j] = s / ljj;
      }
    }
  }
  const lower = fromF64(A, A.dtype, L, A.shape);
  const res = upper ? mT(lower).contiguous() : lower;
  return record(name, res, [A], (g) => {
    const Lr = upper ? mT(res) : res, gL = upper ? mT(g) : g;
    const P = mT(Lr).matmul(gL).tril();
    const phi = P.add(mT(P.tril(-1))).mul(0.5);
    const Li = inv(Lr);
    return [mT(Li).matmul(phi).matmul(Li)];
  }, undefined, [res]);
}

/** A^n for square matrices (n < 0: the inverse's power; n = 0: the identity), by repeated squaring. */
export function matrixPower(A: T, n: number): T {
  const name = "matrixPower";
  assertTensor(name, A);
  if (!Number.isInteger(n)) throw new TensileError(`${name}: n must be an integer, got ${fmtValue(n)}`);
  if (A.ndim < 2 || A.shape[A.ndim - 1] !== A.shape[A.ndim - 2])
    throw new TensileError(`${name}: A must be batches of square matrices, got shape ${fmtShape(A.shape)}`);
  const m = A.shape[A.ndim - 1]!;
  if (n === 0) return onBackend(eye(m, { dtype: A.dtype }), A.backend).expand(A.shape).contiguous();
  // n is a 64-bit integer in PyTorch; k halves by division (k >>= 1 would wrap it to 32 bits)
  if (Math.abs(n) >= 2 ** 63) throw new TensileError(`${name}: n must fit in a 64-bit integer, got ${fmtValue(n)}`);
  let base = n < 0 ? inv(A) : A, k = Math.abs(n), acc: T | null = null;
  for (;;) {
    if (k % 2 === 1) acc = acc ? acc.matmul(base) : base;
    k = Math.floor(k / 2);
    if (k === 0) break;
    base = base.matmul(base);
  }
  return acc!;
}

// ---- norms ----

type Ord = number | "fro" | "nuc";

function normDtype(name: string, x: T, opts?: { dtype?: DType } | null): T {
  assertTensor(name, x);
  const d = opts?.dtype;
  if (d !== undefined && d !== "float32" && d !== "float64") throw new TensileError(`${name}: dtype must be "float32" or "float64", got ${fmtValue(d)}`);
  if (d) return castTo(x, d);
  if (!isFloating(x.dtype)) throw new TensileError(`${name}: expected a floating point input, got ${x.dtype}`);
  return x;
}

/** (Σ|x|^ord)^(1/ord) over `dim` (all elements when null); ord ±Infinity: max/min |x|; 0: the count of non-zeros. */
/** PyTorch's keywords of the linalg norms: `linalg.vectorNorm(x, { dim: 1, keepdim: true })`. */
export interface NormOptions<O, D = number | readonly number[] | null> {
  ord?: O;
  dim?: D;
  keepdim?: boolean;
  dtype?: DType;
}

export function vectorNorm(x: T, ord?: number | NormOptions<number>, dim?: number | readonly number[] | null | NormOptions<number>,
  keepdim?: boolean | NormOptions<number>, opts?: { dtype?: DType } | null): T {
  const name = "linalg.vectorNorm";
  [ord = 2, dim, keepdim = false, opts] = kwArgs(name, [ord, dim, keepdim, opts], ["ord", "dim", "keepdim"], ["dtype"]) as
    [number | undefined, number | readonly number[] | null | undefined, boolean | undefined, { dtype?: DType } | undefined];
  const X = normDtype(name, x, opts);
  if (typeof ord !== "number" || Number.isNaN(ord)) throw new TensileError(`${name}: ord must be a number, got ${fmtValue(ord)}`);
  if (typeof keepdim !== "boolean") throw new TensileError(`${name}: keepdim must be a boolean, got ${fmtValue(keepdim)}`);
  if (ord < 0 || ord === Infinity) {
    // min/max-like norms have no value over no elements (PyTorch's errors)
    if (dim === null || dim === undefined || (Array.isArray(dim) && dim.length === 0)) {
      if (X.numel() === 0)
        throw new TensileError(`${name}: cannot compute the ${ord} norm on an empty tensor because the operation does not have an identity`);
    } else {
      for (const d of typeof dim === "number" ? [dim] : (dim as readonly number[])) {
        const k = Number.isInteger(d) && d >= -X.ndim && d < X.ndim ? (d + X.ndim) % X.ndim : -1;
        if (k >= 0 && X.shape[k] === 0)
          throw new TensileError(`${name}: cannot compute the ${ord} norm on the dimension ${d} because this dimension is empty and the operation does not have an identity`);
      }
    }
  }
  return pNorm(X, ord, dim, keepdim);
}

/**
 * Matrix norms over dims `dim` (default the last two): "fro", "nuc" (the sum of the singular
 * values), 2 / −2 (the largest / smallest singular value), 1 / −1 (max / min column sum of |A|),
 * Infinity / −Infinity (max / min row sum).
 */
export function matrixNorm(A: T, ord?: Ord | NormOptions<Ord, readonly [number, number]>, dim?: readonly [number, number] | NormOptions<Ord, readonly [number, number]>,
  keepdim?: boolean | NormOptions<Ord, readonly [number, number]>, opts?: { dtype?: DType } | null): T {
  const name = "linalg.matrixNorm";
  [ord = "fro", dim = [-2, -1], keepdim = false, opts] = kwArgs(name, [ord, dim, keepdim, opts], ["ord", "dim", "keepdim"], ["dtype"]) as
    [Ord | undefined, readonly [number, number] | undefined, boolean | undefined, { dtype?: DType } | undefined];
  const X = normDtype(name, A, opts);
  if (X.ndim < 2) throw new TensileError(`${name}: the input tensor A must have at least 2 dimensions, got ${fmtShape(A.shape)}`);
  if (!Array.isArray(dim) || dim.length !== 2 || !dim.every((d) => Number.isInteger(d)))
    throw new TensileError(`${name}: dim must be a pair of dims, got ${fmtValue(dim)}`);
  if (typeof keepdim !== "boolean") throw new TensileError(`${name}: keepdim must be a boolean, got ${fmtValue(keepdim)}`);
  const nd = X.ndim;
  const [r, c] = dim.map((d) => (d < 0 ? d + nd : d)) as [number, number];
  if (!(r >= 0 && r < nd && c >= 0 && c < nd) || r === c) throw new TensileError(`${name}: dims must be two different dims of the input ${fmtShape(A.shape)}, got ${fmtValue(dim)}`);
  let out: T;
  if (ord === "fro") out = pNorm(X, 2, [r, c], true);
  else if (ord === 1 || ord === -1 || ord === Infinity || ord === -Infinity) {
    const summed = sum(E.abs(X), Math.abs(ord) === 1 ? r : c, true);
    out = (ord > 0 ? amax : amin)(summed, Math.abs(ord) === 1 ? c : r, true);
  } else if (ord === "nuc" || ord === 2 || ord === -2) {
    // from the singular values of the matrices moved to the last two dims
    const rest = [...Array(nd).keys()].filter((i) => i !== r && i !== c);
    const s = svdvals(X.permute([...rest, r, c]));
    const v = ord === "nuc" ? sum(s, -1) : ord === 2 ? amax(s, -1) : amin(s, -1);
    out = v.unsqueeze(Math.min(r, c)).unsqueeze(Math.max(r, c));
  } else throw new TensileError(`${name}: order ${fmtValue(ord)} not supported (use "fro", "nuc", 1, -1, 2, -2, Infinity or -Infinity)`);
  return keepdim ? out : out.squeeze([r, c]);
}

/**
 * torch.linalg.norm: with `dim` a pair (or `ord` a string, or a 2-D input given `ord`), a matrix
 * norm; otherwise a vector norm (ord default 2, over all elements when dim is null).
 */
export function norm(A: T, ord?: Ord | null | NormOptions<Ord | null>, dim?: number | readonly number[] | null | NormOptions<Ord | null>,
  keepdim?: boolean | NormOptions<Ord | null>, opts?: { dtype?: DType } | null): T {
  const name = "linalg.norm";
  [ord, dim, keepdim = false, opts] = kwArgs(name, [ord, dim, keepdim, opts], ["ord", "dim", "keepdim"], ["dtype"]) as
    [Ord | null | undefined, number | readonly number[] | null | undefined, boolean | undefined, { dtype?: DType } | undefined];
  assertTensor(name, A);
  const pair = Array.isArray(dim) && dim.length === 2;
  if (typeof ord === "string" || pair || (dim === undefined || dim === null) && ord !== undefined && ord !== null && A.ndim === 2) {
    if (dim === undefined || dim === null) {
      if (A.ndim !== 2) throw new TensileError(`${name}: a matrix norm without dim needs a 2-D input, got ${fmtShape(A.shape)}`);
      return matrixNorm(A, ord ?? "fro", [0, 1], keepdim, opts);
    }
    if (!pair) throw new TensileError(`${name}: a matrix norm needs dim to be a pair of dims, got ${fmtValue(dim)}`);
    return matrixNorm(A, ord ?? "fro", dim as [number, number], keepdim, opts);
  }
  if ((dim === undefined || dim === null) && ord !== undefined && ord !== null && A.ndim !== 1)
    throw new TensileError(`${name}: input must be 1-D or 2-D when ord is given and dim is not, got ${fmtShape(A.shape)}`);
  return vectorNorm(A, ord ?? 2, dim, keepdim, opts);
}

/** `torch.cholesky(A, upper=False)`: the upper flag positional (linalg.cholesky takes it as an option). */
export function torchCholesky(A: T, upper = false): T {
  return cholesky(A, { upper });
}

/** exp of the n×n matrix a (row-major): Taylor series of a/2^s, squared s times (‖a/2^s‖₁ ≤ 1/2). */
function expm(a: Float64Array, n: number): Float64Array {
  let norm = 0;
  for (let j = 0; j < n; j++) {
    let c = 0;
    for (let i = 0; i < n; i++) c += Math.abs(a[i * n + j]!);
    norm = Math.max(norm, c);
  }
  const s = norm > 0.5 ? Math.ceil(Math.log2(norm / 0.5)) : 0;
  const b = a.map((v) => v / 2 ** s);
  const mul = (x: Float64Array, y: Float64Array) => {
    const z = new Float64Array(n * n);
    for (let i = 0; i < n; i++)
      for (let k = 0; k < n; k++) {
        const xik = x[i * n + k]!;
        if (xik !== 0) for (let j = 0; j < n; j++) z[i * n + j]! += xik * y[k * n + j]!;
      }
    return z;
  };
  let term = new Float64Array(n * n);
  for (let i = 0; i < n; i++) term[i * n + i] = 1;
  let sum = Float64Array.from(term);
  for (let k = 1; k <= 24; k++) {
    term = mul(term, b).map((v) => v / k);
    sum = sum.map((v, i) => v + term[i]!);
  }
  for (let i = 0; i < s; i++) sum = mul(sum, sum);
  return sum;
}

/**
 * The matrix exponential Σ Aᵏ/k! of square matrices [..., n, n]. Gradient as PyTorch's: the
 * top-right block of exp([[Aᵀ, g], [0, Aᵀ]]).
 */
export function matrixExp(A: T): T {
  const name = "linalg.matrixExp";
  const { data, n, count } = squareBatch(name, A);
  const out = new Float64Array(count * n * n);
  for (let b = 0; b < count; b++) out.set(expm(data.subarray(b * n * n, (b + 1) * n * n), n), b * n * n);
  const res = fromF64(A, A.dtype, out, A.shape);
  return record(name, res, [A], (g) => {
    const At = mT(A).expand(g.shape);
    const block = cat([cat([At, g], -1), cat([E.fullLike(g, 0), At], -1)], -2);
    return [matrixExp(block).narrow(-2, 0, n).narrow(-1, n, n)];
  }, undefined, [A]);
}
