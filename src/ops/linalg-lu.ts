/**
 * torch.linalg's LU family (luFactor, lu, luUnpack, luSolve), solveTriangular, lstsq, vander and
 * householderProduct. Factorizations and triangular solves run on the host in float64 over any
 * batch (as ops/linalg-dense.ts), results rounded to the input's dtype; gradients are PyTorch
 * 1.13's formulas written with Tensor ops, so createGraph works through them.
 *
 * LU follows LAPACK's getrf: partial pivoting on the first largest |entry| of each column, pivots
 * 1-based int32, and a zero pivot leaves the factorization going (linalg.lu; linalg.luFactor then
 * throws, as PyTorch's check does).
 */
import { record } from "../autograd/engine.js";
import { noGrad } from "../autograd/grad-mode.js";
import { TensileError, fmtShape, fmtValue } from "../errors.js";
import { type DType, arrayFor, isFloating } from "../tensor/dtype.js";
import type { Tensor } from "../tensor/tensor.js";
import { pinv, svd } from "./linalg-decomp.js";
import { fullLike } from "./elementwise.js";
import { cat } from "./movement.js";
import { cumprod } from "./reduce.js";
import { assertTensor, onBackend, wrap } from "./util.js";

type T = Tensor;

const mT = (x: T): T => x.transpose(-1, -2);
const prod = (s: readonly number[]): number => s.reduce((a, b) => a * b, 1);

/** A fresh tensor of `dtype` on `like`'s backend holding `data` (rounded to the dtype). */
export function fromHost(like: T, dtype: DType, data: ArrayLike<number>, shape: readonly number[]): T {
  const out = arrayFor(dtype, data.length);
  out.set(data);
  return wrap(like.backend, like.backend.fromArray(out), shape);
}

/** The m×n identity (ones on the main diagonal), `like`'s dtype and backend. */
const eyeLike = (like: T, m: number, n: number): T => {
  const a = new Float64Array(m * n);
  for (let i = 0; i < Math.min(m, n); i++) a[i * n + i] = 1;
  return fromHost(like, like.dtype, a, [m, n]);
};

function checkMatrix(name: string, A: T, what = "A"): void {
  assertTensor(name, A, what);
  if (A.ndim < 2) throw new TensileError(`${name}: the input tensor ${what} must have at least 2 dimensions, got ${fmtShape(A.shape)}`);
  if (!isFloating(A.dtype)) throw new TensileError(`${name}: expected a floating point tensor ${what}, got ${A.dtype}`);
}

function checkSquare(name: string, A: T, what = "A"): number {
  checkMatrix(name, A, what);
  const n = A.shape[A.ndim - 1]!, m = A.shape[A.ndim - 2]!;
  if (m !== n) throw new TensileError(`${name}: ${what} must be batches of square matrices, but they are ${m} by ${n} matrices (shape ${fmtShape(A.shape)})`);
  return n;
}

function sameDtype(name: string, A: T, B: T, a = "A", b = "B"): void {
  if (A.dtype !== B.dtype) throw new TensileError(`${name}: expected ${a} and ${b} to have the same dtype, but found ${a} of type ${A.dtype} and ${b} of type ${B.dtype}`);
}

function broadcastBatch(name: string, a: readonly number[], b: readonly number[], A: T, B: T, an = "A", bn = "B"): number[] {
  const nd = Math.max(a.length, b.length);
  return Array.from({ length: nd }, (_, i) => {
    const x = a[a.length - nd + i] ?? 1, y = b[b.length - nd + i] ?? 1;
    if (x !== y && x !== 1 && y !== 1) throw new TensileError(`${name}: the batch dims of ${an} ${fmtShape(A.shape)} and ${bn} ${fmtShape(B.shape)} do not broadcast`);
    return x === 1 ? y : x;
  });
}

function boolOption(name: string, key: string, v: unknown, dflt: boolean): boolean {
  if (v === undefined) return dflt;
  if (typeof v !== "boolean") throw new TensileError(`${name}: ${key} must be a boolean, got ${fmtValue(v)}`);
  return v;
}

// ---- host kernels ----

/**
 * LU of the m×n matrix at a[o..] (row-major) in place, as LAPACK's getrf: L's multipliers below
 * the diagonal, U on and above it. With `pivot`, each column's first largest |entry| is swapped
 * up (whole rows) and piv[j] = its row + 1; without, piv[j] = j + 1. Returns LAPACK's info: 0, or
 * j + 1 for the first exactly zero pivot U[j, j] (elimination goes on past it).
 */
function getrf(a: Float64Array, o: number, m: number, n: number, pivot: boolean, piv: Int32Array, po: number): number {
  const k = Math.min(m, n);
  let info = 0;
  for (let j = 0; j < k; j++) {
    let p = j;
    if (pivot) {
      let best = Math.abs(a[o + j * n + j]!);
      for (let i = j + 1; i < m; i++) {
        const v = Math.abs(a[o + i * n + j]!);
        if (v > best) (best = v), (p = i);
      }
    }
    piv[po + j] = p + 1;
    const d = a[o + p * n + j]!;
    if (d === 0) {
      if (info === 0) info = j + 1;
      // with pivoting the column below is all zeros: nothing to eliminate (LAPACK skips the scaling)
      if (pivot) continue;
    }
    if (p !== j)
      for (let c = 0; c < n; c++) {
        const t = a[o + j * n + c]!;
        a[o + j * n + c] = a[o + p * n + c]!;
        a[o + p * n + c] = t;
      }
    for (let i = j + 1; i < m; i++) {
      const f = (a[o + i * n + j]! /= d);
      if (f !== 0) for (let c = j + 1; c < n; c++) a[o + i * n + c]! -= f * a[o + j * n + c]!;
    }
  }
  return info;
}

/**
 * Solves op(T)·X = B in place for the k columns of B (row-major n×k at b[ob..]), T the lower or
 * upper triangle of the n×n matrix at a[oa..] (its transpose when `trans`: op(T) = Tᵀ, which is
 * upper when T is lower), with a unit diagonal when `unit`. Substitution; no check for zeros.
 */
function trsm(a: Float64Array, oa: number, n: number, lower: boolean, trans: boolean, unit: boolean, b: Float64Array, ob: number, k: number): void {
  const at = trans ? (i: number, j: number) => a[oa + j * n + i]! : (i: number, j: number) => a[oa + i * n + j]!;
  // op(T) is lower when T is lower and not transposed, or upper and transposed
  const forward = lower !== trans;
  for (let s = 0; s < n; s++) {
    const i = forward ? s : n - 1 - s;
    const from = forward ? 0 : i + 1, to = forward ? i : n;
    for (let m = from; m < to; m++) {
      // no skipping of zero entries: 0·∞ is NaN, as LAPACK's trsm gives for a zero diagonal
      const f = at(i, m);
      for (let j = 0; j < k; j++) b[ob + i * k + j]! -= f * b[ob + m * k + j]!;
    }
    if (!unit) {
      const d = at(i, i);
      for (let j = 0; j < k; j++) b[ob + i * k + j]! /= d;
    }
  }
}

// ---- solveTriangular ----

export interface SolveTriangularOptions {
  /** Read A's upper triangle (true) or its lower one (false). Required, as in PyTorch. */
  upper: boolean;
  /** Solve A·X = B (true, the default) or X·A = B. */
  left?: boolean;
  /** Take A's diagonal to be ones (it is not read). */
  unitriangular?: boolean;
}

/**
 * The solution X of A·X = B (or X·A = B with `left: false`) for triangular A [..., n, n], reading
 * only A's upper or lower triangle (and not its diagonal with `unitriangular`); B [..., n, k]
 * (left) or [..., k, n], batch dims broadcast. No check for a zero on the diagonal: the result
 * holds ±Infinity or NaN there, as LAPACK's trtrs gives. Gradient (PyTorch's): gB = A⁻ᵀ·g
 * (g·A⁻ᵀ), gA = −gB·Xᵀ (−Xᵀ·gB) kept to the triangle read.
 */
export function solveTriangular(A: T, B: T, opts: SolveTriangularOptions): T {
  const name = "linalg.solveTriangular";
  assertTensor(name, A, "A");
  assertTensor(name, B, "B");
  if (opts === null || typeof opts !== "object" || opts.upper === undefined)
    throw new TensileError(`${name}: the option upper is required (true: A is upper triangular, false: lower), got options ${fmtValue(opts)}`);
  const upper = boolOption(name, "upper", opts.upper, false);
  const left = boolOption(name, "left", opts.left, true);
  const unit = boolOption(name, "unitriangular", opts.unitriangular, false);
  checkMatrix(name, A, "A");
  checkMatrix(name, B, "B");
  const n = checkSquare(name, A, "A");
  sameDtype(name, A, B);
  const Bb = onBackend(B, A.backend);
  const [r, c] = B.shape.slice(-2) as [number, number];
  if ((left ? r : c) !== n)
    throw new TensileError(`${name}: incompatible shapes of A and B for the equation ${left ? "AX = B" : "XA = B"} (${fmtShape(A.shape)} and ${fmtShape(B.shape)})`);
  const batch = broadcastBatch(name, A.shape.slice(0, -2), B.shape.slice(0, -2), A, B);
  const count = prod(batch);
  const a = Float64Array.from(A.expand([...batch, n, n]).contiguous().dataSync());
  // X·A = B is Aᵀ·Xᵀ = Bᵀ: solve with B transposed to n×r, then transpose back
  const k = left ? c : r;
  const x = Float64Array.from((left ? Bb : mT(Bb)).expand([...batch, n, k]).contiguous().dataSync());
  for (let b = 0; b < count; b++) trsm(a, b * n * n, n, !upper, !left, unit, x, b * n * k, k);
  const Xk = fromHost(A, A.dtype, x, [...batch, n, k]);
  const X = left ? Xk : mT(Xk).contiguous();
  return record(name, X, [A, Bb], (g) => {
    const gB = solveTriangular(mT(A), g, { upper: !upper, left, unitriangular: unit });
    if (!A.requiresGrad) return [null, gB];
    const gA = (left ? gB.matmul(mT(X)) : mT(X).matmul(gB)).neg();
    return [upper ? gA.triu(unit ? 1 : 0) : gA.tril(unit ? -1 : 0), Bb.requiresGrad ? gB : null];
  }, undefined, [A, X]);
}

// ---- LU ----

export interface LuOptions {
  /** Partial pivoting (true, the default) or none (PyTorch supports false on CUDA only). */
  pivot?: boolean;
}

/** PyTorch's `torch.return_types.linalg_lu_factor`: `[LU, pivots]`, also by name. */
export type LUFactor = [Tensor, Tensor] & { readonly LU: Tensor; readonly pivots: Tensor };
/** PyTorch's `torch.return_types.linalg_lu` (and lu_unpack's): `[P, L, U]`, also by name. */
export type PLU = [Tensor, Tensor, Tensor] & { readonly P: Tensor; readonly L: Tensor; readonly U: Tensor };

const named = <R>(values: Tensor[], names: string[]): R =>
  Object.defineProperties(values, Object.fromEntries(names.map((k, i) => [k, { value: values[i] }]))) as R;

/** The permutation matrices P [..., m, m] (A = P·L·U) of 1-based LAPACK pivots [..., k]. */
function permutationMatrices(like: T, piv: Int32Array, count: number, m: number, k: number, batch: readonly number[]): T {
  const P = new Float64Array(count * m * m);
  const perm = new Int32Array(m);
  for (let b = 0; b < count; b++) {
    for (let i = 0; i < m; i++) perm[i] = i;
    for (let i = 0; i < k; i++) {
      const p = piv[b * k + i]! - 1;
      [perm[i], perm[p]] = [perm[p]!, perm[i]!];
    }
    for (let i = 0; i < m; i++) P[b * m * m + perm[i]! * m + i] = 1;
  }
  return fromHost(like, like.dtype, P, [...batch, m, m]);
}

/** L [..., m, k] (unit diagonal) and U [..., k, n] read from packed LU, differentiably. */
function unpackData(LU: T): [T, T] {
  const [m, n] = LU.shape.slice(-2) as [number, number];
  const k = Math.min(m, n);
  const L = LU.narrow(-1, 0, k).tril(-1).add(eyeLike(LU, m, k));
  const U = LU.narrow(-2, 0, k).triu();
  return [L, U];
}

/**
 * PyTorch 1.13's linalg_lu_backward: the gradient of A = P·L·U from gL [..., m, k] and
 * gU [..., k, n] (only their strictly lower and upper parts count), square, wide or tall.
 */
function luBackward(gL: T, gU: T, P: T | null, L: T, U: T): T {
  const m = L.shape[L.ndim - 2]!, n = U.shape[U.ndim - 1]!, k = Math.min(m, n);
  gL = gL.tril(-1);
  gU = gU.triu();
  let gA: T;
  if (m === n) {
    // P L⁻ᵀ [Lᵀ gL ∘ 1_L + gU Uᵀ ∘ 1_U] U⁻ᵀ
    gA = mT(L).matmul(gL).tril(-1).add(gU.matmul(mT(U)).triu());
    gA = solveTriangular(mT(U), gA, { upper: false, left: false });
    gA = solveTriangular(mT(L), gA, { upper: true, unitriangular: true });
  } else if (m < n) {
    // wide: [P L⁻ᵀ (gU₁ + (Lᵀ gL − gU Uᵀ) ∘ 1_L U₁⁻ᵀ), P L⁻ᵀ gU₂]
    gA = mT(L).matmul(gL).sub(gU.matmul(mT(U))).tril(-1);
    gA = solveTriangular(mT(U.narrow(-1, 0, k)), gA, { upper: false, left: false });
    gA = cat([gA.add(gU.narrow(-1, 0, k)), gU.narrow(-1, k, n - k)], -1);
    gA = solveTriangular(mT(L), gA, { upper: true, unitriangular: true });
  } else {
    // tall: [P (gL₁ + L₁⁻ᵀ (gU Uᵀ − Lᵀ gL) ∘ 1_U) U⁻ᵀ; P gL₂ U⁻ᵀ]
    gA = gU.matmul(mT(U)).sub(mT(L).matmul(gL)).triu();
    gA = solveTriangular(mT(L.narrow(-2, 0, k)), gA, { upper: true, unitriangular: true });
    gA = cat([gA.add(gL.narrow(-2, 0, k)), gL.narrow(-2, k, m - k)], -2);
    gA = solveTriangular(mT(U), gA, { upper: false, left: false });
  }
  return P ? P.matmul(gA) : gA;
}

interface Factored {
  LU: T;
  pivots: T;
  piv: Int32Array;
  info: Int32Array;
  batch: number[];
}

/** getrf over the batch, LU recorded as a function of A (gradient: PyTorch's lu_factor_ex_backward). */
export function factor(name: string, A: T, pivot: boolean): Factored {
  checkMatrix(name, A);
  const batch = A.shape.slice(0, -2);
  const [m, n] = A.shape.slice(-2) as [number, number];
  const k = Math.min(m, n), count = prod(batch);
  const a = Float64Array.from(A.contiguous().dataSync());
  const piv = new Int32Array(count * k), info = new Int32Array(count);
  for (let b = 0; b < count; b++) info[b] = getrf(a, b * m * n, m, n, pivot, piv, b * k);
  const out = fromHost(A, A.dtype, a, A.shape);
  const pivots = wrap(A.backend, A.backend.fromArray(Int32Array.from(piv)), [...batch, k]);
  let P: T | null = null;
  const LU = record(name, out, [A], (g) => {
    if (pivot) P ??= permutationMatrices(A, piv, count, m, k, batch);
    const [L, U] = unpackData(LU);
    return [luBackward(g.narrow(-1, 0, k), g.narrow(-2, 0, k), P, L, U)];
  }, undefined, [out]);
  return { LU, pivots, piv, info, batch };
}

/**
 * The LU factorization with partial pivoting of matrices A [..., m, n] in LAPACK's packed form:
 * LU [..., m, n] (L's multipliers below the diagonal, U on and above it) and pivots [..., min(m, n)]
 * (int32, 1-based: row i was swapped with row pivots[i] − 1), as `torch.linalg.lu_factor`. A
 * TensileError when a pivot is exactly zero (U is singular), as PyTorch raises; `linalg.lu` gives
 * the factors anyway. `pivot: false`: no row swaps (pivots 1, 2, …). Gradient as PyTorch's.
 */
export function luFactor(A: T, opts?: LuOptions | null): LUFactor {
  const name = "linalg.luFactor";
  const pivot = boolOption(name, "pivot", opts?.pivot, true);
  const { LU, pivots, info } = factor(name, A, pivot);
  const bad = info.findIndex((v) => v > 0);
  if (bad >= 0) {
    const j = info[bad]!;
    throw new TensileError(`${name}: ${A.ndim > 2 ? `(Batch element ${bad}): ` : ""}U[${j},${j}] is zero and using it on linalg.luSolve would result in a division by zero. If you still want to perform the factorization, consider calling linalg.lu(A) instead`);
  }
  return named<LUFactor>([LU, pivots], ["LU", "pivots"]);
}

/**
 * A = P·L·U for matrices A [..., m, n], k = min(m, n): P [..., m, m] a permutation matrix, L
 * [..., m, k] unit lower triangular, U [..., k, n] upper triangular, as `torch.linalg.lu`. Singular
 * matrices factor too (a zero on U's diagonal). `pivot: false`: no row swaps, and P is an empty
 * tensor [0]. Gradient (through L and U) as PyTorch's, for square, wide and tall A.
 */
export function lu(A: T, opts?: LuOptions | null): PLU {
  const name = "linalg.lu";
  const pivot = boolOption(name, "pivot", opts?.pivot, true);
  const { LU, piv, batch } = factor(name, A, pivot);
  const [m, n] = A.shape.slice(-2) as [number, number];
  const P = pivot ? permutationMatrices(A, piv, prod(batch), m, Math.min(m, n), batch) : fromHost(A, A.dtype, [], [0]);
  const [L, U] = unpackData(LU);
  return named<PLU>([P, L, U], ["P", "L", "U"]);
}

/** Checks pivots against LU [..., m, n]: int32 [..., min(m, n)] with values in 1..m; returns them. */
function checkPivots(name: string, LU: T, pivots: T): Int32Array {
  assertTensor(name, pivots, "pivots");
  if (pivots.dtype !== "int32") throw new TensileError(`${name}: pivots must be an int32 tensor (as linalg.luFactor returns), got ${pivots.dtype}`);
  const [m, n] = LU.shape.slice(-2) as [number, number];
  const want = [...LU.shape.slice(0, -2), Math.min(m, n)];
  if (pivots.ndim !== want.length || pivots.shape.some((d, i) => d !== want[i]))
    throw new TensileError(`${name}: expected pivots of shape ${fmtShape(want)} for LU of shape ${fmtShape(LU.shape)}, but got pivots of shape ${fmtShape(pivots.shape)}`);
  const piv = Int32Array.from(pivots.contiguous().dataSync());
  const bad = piv.findIndex((p) => !(p >= 1 && p <= m));
  if (bad >= 0)
    throw new TensileError(`${name}: pivots must be between 1 and LU.shape[-2] = ${m} inclusive, got ${piv[bad]} (at flat index ${bad}); did you pass the result of linalg.luFactor?`);
  return piv;
}

export interface LuUnpackOptions {
  /** Return L and U (default true; false: empty tensors [0]). */
  unpackData?: boolean;
  /** Return P (default true; false: an empty tensor [0]). */
  unpackPivots?: boolean;
}

/**
 * [P, L, U] from linalg.luFactor's packed LU [..., m, n] and pivots, as `torch.lu_unpack`.
 * Gradient to LU: gL's strictly lower part plus gU's upper part.
 */
export function luUnpack(LU: T, pivots: T, opts?: LuUnpackOptions | null): PLU {
  const name = "linalg.luUnpack";
  const unpackD = boolOption(name, "unpackData", opts?.unpackData, true);
  const unpackP = boolOption(name, "unpackPivots", opts?.unpackPivots, true);
  checkMatrix(name, LU, "LU");
  const piv = checkPivots(name, LU, pivots);
  const [m, n] = LU.shape.slice(-2) as [number, number];
  const batch = LU.shape.slice(0, -2);
  const empty = () => fromHost(LU, LU.dtype, [], [0]);
  const P = unpackP ? permutationMatrices(LU, piv, prod(batch), m, Math.min(m, n), batch) : empty();
  const [L, U] = unpackD ? unpackData(LU) : [empty(), empty()];
  return named<PLU>([P, L, U], ["P", "L", "U"]);
}

export interface LuSolveOptions {
  /** Solve A·X = B (true, the default) or X·A = B. */
  left?: boolean;
  /** Solve with Aᵀ instead of A. */
  adjoint?: boolean;
}

/**
 * The solution X of A·X = B (`left: false`: X·A = B; `adjoint`: with Aᵀ) given A's factorization
 * LU [..., n, n], pivots from linalg.luFactor, and B [..., n, k] (left) or [..., k, n]; batch dims
 * broadcast, as `torch.linalg.lu_solve`. Composed of a row permutation and two triangular solves
 * (solveTriangular), so the gradient w.r.t. LU (gL + gU) and B is PyTorch's.
 */
export function luSolve(LU: T, pivots: T, B: T, opts?: LuSolveOptions | null): T {
  const name = "linalg.luSolve";
  const left = boolOption(name, "left", opts?.left, true);
  const adjoint = boolOption(name, "adjoint", opts?.adjoint, false);
  const n = checkSquare(name, LU, "LU");
  const piv = checkPivots(name, LU, pivots);
  checkMatrix(name, B, "B");
  sameDtype(name, LU, B, "LU", "B");
  const [r, c] = B.shape.slice(-2) as [number, number];
  if ((left ? r : c) !== n)
    throw new TensileError(`${name}: incompatible shapes of A and B for the equation ${left ? (adjoint ? "AᵀX = B" : "AX = B") : adjoint ? "XAᵀ = B" : "XA = B"} (LU ${fmtShape(LU.shape)} and B ${fmtShape(B.shape)})`);
  broadcastBatch(name, LU.shape.slice(0, -2), B.shape.slice(0, -2), LU, B, "LU", "B");
  const batch = LU.shape.slice(0, -2);
  const P = permutationMatrices(LU, piv, prod(batch), n, n, batch);
  // with B' = B (left) or Bᵀ: A·X' = B' (X' = U⁻¹ L⁻¹ Pᵀ B') or Aᵀ·X' = B' (X' = P L⁻ᵀ U⁻ᵀ B')
  const Bl = left ? onBackend(B, LU.backend) : mT(onBackend(B, LU.backend));
  const solveA = (Y: T) => {
    const Z = solveTriangular(LU, mT(P).matmul(Y), { upper: false, unitriangular: true });
    return solveTriangular(LU, Z, { upper: true });
  };
  const solveAt = (Y: T) => {
    const Z = solveTriangular(mT(LU), Y, { upper: false });
    return P.matmul(solveTriangular(mT(LU), Z, { upper: true, unitriangular: true }));
  };
  // X·A = B ⇔ Aᵀ·Xᵀ = Bᵀ and X·Aᵀ = B ⇔ A·Xᵀ = Bᵀ
  const X = left !== adjoint ? solveA(Bl) : solveAt(Bl);
  return left ? X : mT(X);
}

// ---- lstsq ----

export type LstsqDriver = "gels" | "gelsy" | "gelsd" | "gelss";

export interface LstsqOptions {
  /** Singular values at or below rcond·σ_max count as zero (default: the dtype's eps · max(m, n); negative: eps). */
  rcond?: number | null;
  /** The LAPACK driver whose outputs to mirror (default "gelsy", PyTorch's CPU default). */
  driver?: LstsqDriver | null;
}

/** PyTorch's `torch.return_types.linalg_lstsq`: `[solution, residuals, rank, singularValues]`, also by name. */
export type Lstsq = [Tensor, Tensor, Tensor, Tensor] & {
  readonly solution: Tensor;
  readonly residuals: Tensor;
  readonly rank: Tensor;
  readonly singularValues: Tensor;
};

/**
 * The least-squares solution X minimizing ‖A·X − B‖ (the minimum-norm one when A is wide or rank
 * deficient) for A [..., m, n] and B [..., m, k] (or [..., m] when B has one dim fewer), batch
 * dims broadcast, as `torch.linalg.lstsq`. Computed from A's SVD in float64 (singular values at
 * or below rcond·σ_max dropped), whatever the driver; the driver picks which other results are
 * filled, as PyTorch's: residuals ‖A·X − B‖² per column [..., k] when m > n and the driver is not
 * "gelsy" (for "gelsd"/"gelss" only when every A has rank n), rank [...] (int32) unless "gels",
 * singularValues [..., min(m, n)] for "gelsd"/"gelss"; the others are empty tensors [0].
 * Gradient of the solution w.r.t. A and B: PyTorch's (that of pinv(A)·B).
 */
export function lstsq(A: T, B: T, opts?: LstsqOptions | null): Lstsq {
  const name = "linalg.lstsq";
  checkMatrix(name, A, "A");
  assertTensor(name, B, "B");
  const driver = opts?.driver ?? "gelsy";
  if (!["gels", "gelsy", "gelsd", "gelss"].includes(driver as string))
    throw new TensileError(`${name}: driver must be one of "gels", "gelsy", "gelsd", "gelss", got ${fmtValue(driver)}`);
  const rcond = opts?.rcond ?? null;
  if (rcond !== null && (typeof rcond !== "number" || Number.isNaN(rcond))) throw new TensileError(`${name}: rcond must be a number or null, got ${fmtValue(rcond)}`);
  sameDtype(name, A, B);
  const diff = A.ndim - B.ndim;
  if (diff !== 0 && diff !== 1)
    throw new TensileError(`${name}: B must have as many dims as A (a batch of matrices) or one fewer (a batch of vectors), got A ${fmtShape(A.shape)} and B ${fmtShape(B.shape)}`);
  const vector = diff === 1;
  const Bm = vector ? onBackend(B, A.backend).unsqueeze(-1) : onBackend(B, A.backend);
  const [m, n] = A.shape.slice(-2) as [number, number];
  if (Bm.shape[Bm.ndim - 2] !== m)
    throw new TensileError(`${name}: A ${fmtShape(A.shape)} has ${m} rows but B ${fmtShape(B.shape)} has ${Bm.shape[Bm.ndim - 2]}${vector ? " (B read as a batch of vectors)" : ""}`);
  const k = Bm.shape[Bm.ndim - 1]!, q = Math.min(m, n);
  const aBatch = A.shape.slice(0, -2);
  const batch = broadcastBatch(name, aBatch, Bm.shape.slice(0, -2), A, B);
  const aCount = prod(aBatch), count = prod(batch);
  const eps = A.dtype === "float32" ? 2 ** -23 : 2 ** -52;
  const rc = rcond === null ? eps * Math.max(m, n) : rcond < 0 ? eps : rcond;

  // A's thin SVD per matrix in float64: U [m, q], S [q], V [n, q] (V = Vhᵀ)
  const Us = new Float64Array(aCount * m * q), Ss = new Float64Array(aCount * q), Vhs = new Float64Array(aCount * q * n);
  if (aCount * q > 0)
    noGrad(() => {
      const { U, S, Vh } = svd(A.detach().to("float64"), { fullMatrices: false });
      Us.set(U.contiguous().dataSync() as Float64Array);
      Ss.set(S.contiguous().dataSync() as Float64Array);
      Vhs.set(Vh.contiguous().dataSync() as Float64Array);
    });
  const ranks = new Int32Array(aCount);
  for (let a = 0; a < aCount; a++) {
    const smax = q > 0 ? Ss[a * q]! : 0;
    for (let i = 0; i < q; i++) if (Ss[a * q + i]! > rc * smax) ranks[a] = i + 1;
  }
  // batch element b of the broadcast batch reads A matrix aIndex(b)
  const aStrides = aBatch.map((_, i) => prod(aBatch.slice(i + 1)));
  const aIndex = (b: number): number => {
    let idx = 0, rest = b;
    for (let i = batch.length - 1; i >= 0; i--) {
      const coord = rest % batch[i]!;
      rest = Math.floor(rest / batch[i]!);
      const j = i - (batch.length - aBatch.length);
      if (j >= 0 && aBatch[j]! !== 1) idx += coord * aStrides[j]!;
    }
    return idx;
  };
  const aData = Float64Array.from(A.contiguous().dataSync());
  const bData = Float64Array.from(Bm.expand([...batch, m, k]).contiguous().dataSync());
  const X = new Float64Array(count * n * k), res = new Float64Array(count * k);
  const y = new Float64Array(q * k);
  for (let b = 0; b < count; b++) {
    const a = aIndex(b), r = ranks[a]!;
    // y = diag(1/s) Uᵀ B over the kept singular values, X = V y
    y.fill(0);
    for (let i = 0; i < r; i++) {
      const s = Ss[a * q + i]!;
      for (let j = 0; j < k; j++) {
        let acc = 0;
        for (let row = 0; row < m; row++) acc += Us[a * m * q + row * q + i]! * bData[b * m * k + row * k + j]!;
        y[i * k + j] = acc / s;
      }
    }
    for (let row = 0; row < n; row++)
      for (let j = 0; j < k; j++) {
        let acc = 0;
        for (let i = 0; i < r; i++) acc += Vhs[a * q * n + i * n + row]! * y[i * k + j]!;
        X[b * n * k + row * k + j] = acc;
      }
    for (let j = 0; j < k; j++) {
      let acc = 0;
      for (let row = 0; row < m; row++) {
        let ax = 0;
        for (let c = 0; c < n; c++) ax += aData[a * m * n + row * n + c]! * X[b * n * k + c * k + j]!;
        acc += (ax - bData[b * m * k + row * k + j]!) ** 2;
      }
      res[b * k + j] = acc;
    }
  }
  const Xm = fromHost(A, A.dtype, X, [...batch, n, k]);
  record(name, Xm, [A, Bm], (g) => {
    // PyTorch's linalg_lstsq_backward: the gradient of pinv(A)·B
    const Pinv = pinv(A);
    const gB = Bm.requiresGrad ? mT(Pinv).matmul(g) : null;
    if (!A.requiresGrad) return [null, gB];
    return [pinvBackward(g.matmul(mT(Bm)), Pinv, A), gB];
  }, undefined, [A, Bm]);
  const solution = vector ? Xm.squeeze(-1) : Xm;

  const empty = (dtype: DType) => fromHost(A, dtype, [], [0]);
  const fullRank = ranks.every((r) => r === n);
  const withResiduals = m > n && driver !== "gelsy" && (driver === "gels" || fullRank);
  const residuals = withResiduals ? fromHost(A, A.dtype, res, [...batch, k]) : empty(A.dtype);
  const rank = driver === "gels" ? empty("int32") : fromHost(A, "int32", ranks, aBatch);
  const singularValues = driver === "gelsd" || driver === "gelss" ? fromHost(A, A.dtype, Ss, [...aBatch, q]) : empty(A.dtype);
  return named<Lstsq>([solution, residuals, rank, singularValues], ["solution", "residuals", "rank", "singularValues"]);
}

/** PyTorch's pinv_backward: the gradient w.r.t. A of ⟨g, pinv(A)⟩ given P = pinv(A). */
function pinvBackward(g: T, P: T, A: T): T {
  const [m, n] = A.shape.slice(-2) as [number, number];
  const Ph = mT(P), gh = mT(g);
  if (m <= n) {
    const K = gh.matmul(P), KPh = K.matmul(Ph);
    return mT(P.matmul(K)).neg().add(KPh).sub(A.matmul(P).matmul(KPh)).add(Ph.matmul(P).matmul(gh.sub(K.matmul(A))));
  }
  const K = P.matmul(gh), PhK = Ph.matmul(K);
  return mT(K.matmul(P)).neg().add(gh.sub(A.matmul(K)).matmul(P).matmul(Ph)).add(PhK).sub(PhK.matmul(P).matmul(A));
}

// ---- vander, householderProduct ----

/**
 * The Vandermonde matrices [..., n, N] of x [..., n]: columns x⁰, x¹, …, x^(N−1) (N defaults to
 * n), as `torch.linalg.vander`, by a cumulative product (so its gradient is exact at x = 0).
 */
export function vander(x: T, opts?: { N?: number | null } | null): T {
  const name = "linalg.vander";
  assertTensor(name, x, "x");
  if (x.dtype === "bool") throw new TensileError(`${name}: supports floating point and integer tensors, but got ${x.dtype}`);
  const xv = x.ndim === 0 ? x.unsqueeze(-1) : x;
  const N = opts?.N ?? xv.shape[xv.ndim - 1]!;
  if (!Number.isInteger(N) || N <= 1) throw new TensileError(`${name}: N must be an integer greater than 1, got ${fmtValue(N)}${opts?.N == null ? ` (the size of x's last dim, shape ${fmtShape(x.shape)})` : ""}`);
  const powers = cumprod(xv.unsqueeze(-1).expand([...xv.shape, N - 1]), -1);
  const ones = fromHost(x, x.dtype, new Float64Array(prod(xv.shape)).fill(1), [...xv.shape, 1]);
  return cat([ones, powers], -1);
}

/**
 * The first n columns of H₁·H₂·…·H_k, Hᵢ = I − τᵢ·vᵢ·vᵢᵀ with vᵢ the i-th column of A [..., m, n]
 * below the diagonal and a 1 on it (as LAPACK's orgqr, `torch.linalg.householder_product`),
 * tau [..., k], k ≤ n ≤ m. Composed of Tensor ops, so its gradient (w.r.t. A's strictly lower
 * part and tau) is exact.
 */
export function householderProduct(A: T, tau: T): T {
  const name = "linalg.householderProduct";
  checkMatrix(name, A, "A");
  assertTensor(name, tau, "tau");
  sameDtype(name, A, tau, "A", "tau");
  const [m, n] = A.shape.slice(-2) as [number, number];
  if (m < n) throw new TensileError(`${name}: A must have at least as many rows as columns (A.shape[-2] >= A.shape[-1]), got ${fmtShape(A.shape)}`);
  if (tau.ndim !== A.ndim - 1)
    throw new TensileError(`${name}: expected tau to have one dim less than A, but got tau of shape ${fmtShape(tau.shape)} and A of shape ${fmtShape(A.shape)}`);
  const batch = A.shape.slice(0, -2);
  if (tau.shape.slice(0, -1).some((d, i) => d !== batch[i]))
    throw new TensileError(`${name}: expected the batch dims of tau ${fmtShape(tau.shape)} to equal A's ${fmtShape(batch)}`);
  const k = tau.shape[tau.ndim - 1]!;
  if (k > n) throw new TensileError(`${name}: A.shape[-1] = ${n} must be at least tau.shape[-1] = ${k}`);
  const t = onBackend(tau, A.backend);
  const I = eyeLike(A, m, n);
  const V = A.tril(-1).add(I);
  let Q = I.expand([...batch, m, n]);
  // no reflections: the identity, still a function of A and tau (zero gradients), as PyTorch's
  if (k === 0) return record(name, Q.contiguous(), [A, t], () => [fullLike(A, 0), fullLike(t, 0)], undefined, []);
  for (let i = k - 1; i >= 0; i--) {
    const v = V.narrow(-1, i, 1);
    Q = Q.sub(v.mul(t.narrow(-1, i, 1).unsqueeze(-1)).matmul(mT(v).matmul(Q)));
  }
  return Q.contiguous();
}
