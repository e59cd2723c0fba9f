/**
 * torch.linalg's `_ex` variants: choleskyEx, invEx, solveEx, luFactorEx. Each returns its result
 * together with an int32 `info` tensor (A's batch shape) instead of throwing on a bad input, as
 * PyTorch's do (LAPACK's info: 0 for success; for cholesky the order of the leading minor that is
 * not positive-definite; for inv, solve and luFactor the 1-based index of the first zero pivot of
 * an LU factorization: A's for luFactor, and for inv and solve the one torch 1.13 makes, of Aᵀ when
 * A is contiguous). `checkErrors: true` throws instead, as the plain functions do.
 *
 * Whether elimination lands on an exact zero can hinge on rounding for a numerically singular A;
 * there Tensile's host loops and OpenBLAS's kernels may disagree (see docs/pytorch-names.md).
 *
 * Where every matrix succeeds the result is the plain function's (inv, solve), so values and
 * gradients are the same. Where one fails, the result holds what LAPACK leaves: choleskyEx the
 * partial factor of an unblocked left-looking potf2 (the failing diagonal entry left unsquare-rooted,
 * later columns untouched: torch's values for small matrices), invEx and solveEx the substitution
 * through the singular LU (±Infinity and NaN).
 */
import { record } from "../autograd/engine.js";
import { LinAlgError, TensileError, fmtShape, fmtValue } from "../errors.js";
import { isFloating } from "../tensor/dtype.js";
import type { Tensor } from "../tensor/tensor.js";
import { inv, solve } from "./linalg-dense.js";
import { factor, fromHost, solveTriangular } from "./linalg-lu.js";
import { takeAlongDim } from "./indexing.js";
import { assertTensor, onBackend, wrap } from "./util.js";

type T = Tensor;

const mT = (x: T): T => x.transpose(-1, -2);

const named = <R>(values: Tensor[], names: string[]): R =>
  Object.defineProperties(values, Object.fromEntries(names.map((k, i) => [k, { value: values[i] }]))) as R;

/** PyTorch's `torch.return_types.linalg_cholesky_ex`: `[L, info]`, also by name. */
export type CholeskyEx = [Tensor, Tensor] & { readonly L: Tensor; readonly info: Tensor };
/** PyTorch's `torch.return_types.linalg_inv_ex`: `[inverse, info]`, also by name. */
export type InvEx = [Tensor, Tensor] & { readonly inverse: Tensor; readonly info: Tensor };
/** PyTorch's `torch.return_types.linalg_solve_ex`: `[result, info]`, also by name. */
export type SolveEx = [Tensor, Tensor] & { readonly result: Tensor; readonly info: Tensor };
/** PyTorch's `torch.return_types.linalg_lu_factor_ex`: `[LU, pivots, info]`, also by name. */
export type LUFactorEx = [Tensor, Tensor, Tensor] & { readonly LU: Tensor; readonly pivots: Tensor; readonly info: Tensor };

export interface ExOptions {
  /** Throw (a LinAlgError) when a matrix fails, instead of reporting it in `info` (default false). */
  checkErrors?: boolean;
}

function boolOption(name: string, key: string, v: unknown, dflt: boolean): boolean {
  if (v === undefined) return dflt;
  if (typeof v !== "boolean") throw new TensileError(`${name}: ${key} must be a boolean, got ${fmtValue(v)}`);
  return v;
}

function checkSquare(name: string, A: T): number {
  assertTensor(name, A, "A");
  if (A.ndim < 2) throw new TensileError(`${name}: the input tensor A must have at least 2 dimensions, got ${fmtShape(A.shape)}`);
  if (!isFloating(A.dtype)) throw new TensileError(`${name}: expected a floating point tensor A, got ${A.dtype}`);
  const n = A.shape[A.ndim - 1]!;
  if (A.shape[A.ndim - 2] !== n) throw new TensileError(`${name}: A must be batches of square matrices, but they are ${A.shape[A.ndim - 2]} by ${n} matrices (shape ${fmtShape(A.shape)})`);
  return n;
}

/** The int32 info tensor of shape `batch` on `like`'s backend. */
export const infoTensor = (like: T, info: Int32Array, batch: readonly number[]): T =>
  wrap(like.backend, like.backend.fromArray(Int32Array.from(info)), batch);

const batchPrefix = (info: Int32Array, b: number): string => (info.length > 1 ? `(Batch element ${b}): ` : "");

/**
 * The Cholesky factor of each matrix of A [..., n, n] with LAPACK's info, as
 * `torch.linalg.cholesky_ex`: `[L, info]`, info[b] = 0 or the order of the first leading minor
 * that is not positive-definite (L then holds potf2's partial factor). Reads A's lower triangle,
 * or its upper one with `upper: true` (returning U = Lᵀ), as PyTorch. Gradient as linalg.cholesky's.
 *
 * @example
 * const [L, info] = linalg.choleskyEx(tensor([[1, 2], [2, 1]]));  // info: 2, L: [[1, 0], [2, -3]]
 */
export function choleskyEx(A: T, opts?: ({ upper?: boolean } & ExOptions) | null): CholeskyEx {
  const name = "linalg.choleskyEx";
  const upper = boolOption(name, "upper", opts?.upper, false);
  const checkErrors = boolOption(name, "checkErrors", opts?.checkErrors, false);
  const n = checkSquare(name, A);
  const batch = A.shape.slice(0, -2);
  const a = Float64Array.from(A.contiguous().dataSync());
  const count = batch.reduce((p, q) => p * q, 1);
  const L = new Float64Array(count * n * n), info = new Int32Array(count);
  // the triangle read, as the lower one of a row-major matrix: A's own, or Aᵀ's for upper
  const at = upper ? (o: number, i: number, j: number) => a[o + j * n + i]! : (o: number, i: number, j: number) => a[o + i * n + j]!;
  for (let b = 0; b < count; b++) {
    const o = b * n * n;
    for (let i = 0; i < n; i++) for (let j = 0; j <= i; j++) L[o + i * n + j] = at(o, i, j);
    // left-looking, column by column (potf2): column j needs only the finished columns before it
    for (let j = 0; j < n; j++) {
      let d = L[o + j * n + j]!;
      for (let k = 0; k < j; k++) d -= L[o + j * n + k]! ** 2;
      L[o + j * n + j] = d;
      if (!(d > 0)) {
        info[b] = j + 1;
        break;
      }
      const ljj = Math.sqrt(d);
      L[o + j * n + j] = ljj;
      for (let i = j + 1; i < n; i++) {
        let s = L[o + i * n + j]!;
        for (let k = 0; k < j; k++) s -= L[o + i * n + k]! * L[o + j * n + k]!;
        L[o + i * n + j] = s / ljj;
      }
    }
  }
  const bad = info.findIndex((v) => v > 0);
  if (checkErrors && bad >= 0)
    throw new LinAlgError(`${name}: ${batchPrefix(info, bad)}The factorization could not be completed because the input is not positive-definite (the leading minor of order ${info[bad]} is not positive-definite).`);
  const lower = fromHost(A, A.dtype, L, A.shape);
  const res = upper ? mT(lower).contiguous() : lower;
  // PyTorch's cholesky_backward (Murray 2016): Φ = tril(Lᵀ·ḡ) with its diagonal halved, gA = sym(L⁻ᵀ·Φ·L⁻¹)
  const out = record(name, res, [A], (g) => {
    const Lr = upper ? mT(res) : res, gL = upper ? mT(g) : g;
    const P = mT(Lr).matmul(gL).tril();
    const phi = P.add(mT(P.tril(-1))).mul(0.5);
    const right = solveTriangular(Lr, phi, { upper: false, left: false });
    return [solveTriangular(mT(Lr), right, { upper: true })];
  }, undefined, [res]);
  return named<CholeskyEx>([out, infoTensor(A, info, batch)], ["L", "info"]);
}

/**
 * A's LU factorization as torch 1.13's linalg.solve_ex (and inv_ex) makes it: of Aᵀ when A is
 * contiguous (row-major, which is Aᵀ's column-major LAPACK layout), of A otherwise; info is that
 * factorization's. `solveWith(B)` solves A·X = B through it (±Infinity / NaN where singular).
 */
function torchLu(name: string, A: T): { info: Int32Array; solveWith: (B: T) => T } {
  const transposed = A.isContiguous();
  const { LU, piv, info, batch } = factor(name, transposed ? mT(A) : A, true);
  const n = A.shape[A.ndim - 1]!, count = info.length;
  // the row permutation of A = P·L·U as gather indices: (Pᵀ·Y)[i] = Y[perm[i]], (P·Y)[perm[i]] = Y[i]
  const perm = new Int32Array(count * n), back = new Int32Array(count * n);
  for (let b = 0; b < count; b++) {
    const p = perm.subarray(b * n, (b + 1) * n);
    for (let i = 0; i < n; i++) p[i] = i;
    for (let i = 0; i < n; i++) {
      const j = piv[b * n + i]! - 1;
      [p[i], p[j]] = [p[j]!, p[i]!];
    }
    for (let i = 0; i < n; i++) back[b * n + p[i]!] = i;
  }
  // rows gathered by index (a permutation matrix product would turn 0·∞ into NaN)
  const rows = (Y: T, idx: Int32Array): T => {
    const nd = Math.max(Y.ndim, batch.length + 2);
    const I = infoTensor(A, idx, [...Array(nd - batch.length - 2).fill(1), ...batch, n, 1]);
    return takeAlongDim(Y.reshape([...Array(nd - Y.ndim).fill(1), ...Y.shape]), I, -2);
  };
  // A·X = B: with A = P·L·U, X = U⁻¹·L⁻¹·Pᵀ·B; with Aᵀ = P·L·U (transposed), X = P·L⁻ᵀ·U⁻ᵀ·B
  const solveWith = (B: T): T => {
    if (!transposed) {
      const Z = solveTriangular(LU, rows(B, perm), { upper: false, unitriangular: true });
      return solveTriangular(LU, Z, { upper: true });
    }
    const W = solveTriangular(mT(LU), B, { upper: false });
    return rows(solveTriangular(mT(LU), W, { upper: true, unitriangular: true }), back);
  };
  return { info, solveWith };
}

/** f's result, or null where it finds the matrix singular. */
function tryNonSingular(f: () => T): T | null {
  try {
    return f();
  } catch (e) {
    if (e instanceof LinAlgError) return null;
    throw e;
  }
}

/**
 * The inverse of each matrix of A [..., n, n] with LAPACK's info, as `torch.linalg.inv_ex`:
 * `[inverse, info]`, info[b] = 0 or the 1-based index of the first zero pivot of the LU
 * factorization torch makes (of Aᵀ for a contiguous A; the inverse is then ±Infinity / NaN).
 * Gradient as linalg.inv's.
 *
 * @example
 * const [Ainv, info] = linalg.invEx(A);  // info.item() === 0 where A is invertible
 */
export function invEx(A: T, opts?: ExOptions | null): InvEx {
  const name = "linalg.invEx";
  const checkErrors = boolOption(name, "checkErrors", opts?.checkErrors, false);
  const n = checkSquare(name, A);
  const batch = A.shape.slice(0, -2);
  const lu = torchLu(name, A.detach());
  const info = lu.info;
  const bad = info.findIndex((v) => v > 0);
  if (checkErrors && bad >= 0)
    throw new LinAlgError(`${name}: ${batchPrefix(info, bad)}The diagonal element ${info[bad]} is zero, the inversion could not be completed because the input matrix is singular.`);
  // linalg.inv's values and gradient where torch's factorization has no zero pivot (and inv's own,
  // of A rather than Aᵀ, has none either: they can differ on a numerically singular A)
  let X = bad < 0 ? tryNonSingular(() => inv(A)) : null;
  if (!X) {
    const I = new Float64Array(n * n);
    for (let i = 0; i < n; i++) I[i * n + i] = 1;
    X = torchLu(name, A).solveWith(fromHost(A, A.dtype, I, [n, n]));
  }
  return named<InvEx>([X, infoTensor(A, info, batch)], ["inverse", "info"]);
}

/**
 * The solution X of A·X = B (or X·A = B with `left: false`) with LAPACK's info for each matrix
 * of A, as `torch.linalg.solve_ex`: `[result, info]`, info of A's batch shape (0, or the 1-based
 * index of the first zero pivot of the LU factorization torch makes: of Aᵀ for a contiguous A;
 * the result is then ±Infinity / NaN). B [..., n, k] or [..., n], batch dims broadcast, as
 * linalg.solve, whose gradient it has.
 *
 * @example
 * const [X, info] = linalg.solveEx(A, B);
 */
export function solveEx(A: T, B: T, opts?: ({ left?: boolean } & ExOptions) | null): SolveEx {
  const name = "linalg.solveEx";
  const left = boolOption(name, "left", opts?.left, true);
  const checkErrors = boolOption(name, "checkErrors", opts?.checkErrors, false);
  const n = checkSquare(name, A);
  assertTensor(name, B, "B");
  if (B.dtype !== A.dtype) throw new TensileError(`${name}: expected A and B to have the same dtype, but found A of type ${A.dtype} and B of type ${B.dtype}`);
  const vector = left && (B.ndim === 1 || (B.ndim === A.ndim - 1 && B.shape.every((s, i) => s === A.shape[i])));
  if (vector ? B.shape[B.ndim - 1] !== n : B.ndim < 2 || B.shape[B.ndim - (left ? 2 : 1)] !== n)
    throw new TensileError(`${name}: incompatible shapes of A and B for the equation ${left ? "AX = B" : "XA = B"} (${fmtShape(A.shape)} and ${fmtShape(B.shape)})`);
  const batch = A.shape.slice(0, -2);
  // X·A = B is Aᵀ·Xᵀ = Bᵀ: torch solves that, with Aᵀ's layout deciding the factorization
  const Al = left ? A : mT(A);
  const info = torchLu(name, Al.detach()).info;
  const bad = info.findIndex((v) => v > 0);
  if (checkErrors && bad >= 0) throw new LinAlgError(`${name}: ${batchPrefix(info, bad)}The solver failed because the input matrix is singular.`);
  let X = bad < 0 ? tryNonSingular(() => solve(A, B, { left })) : null;
  if (!X) {
    const Bb = onBackend(B, A.backend);
    const solveWith = torchLu(name, Al).solveWith;
    X = vector ? solveWith(Bb.unsqueeze(-1)).squeeze(-1) : left ? solveWith(Bb) : mT(solveWith(mT(Bb)));
  }
  return named<SolveEx>([X, infoTensor(A, info, batch)], ["result", "info"]);
}

/**
 * linalg.luFactor with LAPACK's info instead of an error, as `torch.linalg.lu_factor_ex`:
 * `[LU, pivots, info]`, info[b] = 0 or the 1-based index j of the first zero pivot U[j, j]
 * (the factorization goes on past it). `checkErrors: true` throws linalg.luFactor's error (a
 * TensileError, as torch raises a RuntimeError there). Gradient as linalg.luFactor's.
 *
 * @example
 * const [LU, pivots, info] = linalg.luFactorEx(A);
 */
export function luFactorEx(A: T, opts?: ({ pivot?: boolean } & ExOptions) | null): LUFactorEx {
  const name = "linalg.luFactorEx";
  const pivot = boolOption(name, "pivot", opts?.pivot, true);
  const checkErrors = boolOption(name, "checkErrors", opts?.checkErrors, false);
  const { LU, pivots, info, batch } = factor(name, A, pivot);
  const bad = info.findIndex((v) => v > 0);
  if (checkErrors && bad >= 0) {
    const j = info[bad]!;
    throw new TensileError(`${name}: ${batchPrefix(info, bad)}U[${j},${j}] is zero and using it on linalg.luSolve would result in a division by zero. If you still want to perform the factorization, consider calling linalg.lu(A, pivot) or linalg.luFactorEx(A, pivot)`);
  }
  return named<LUFactorEx>([LU, pivots, infoTensor(A, info, batch)], ["LU", "pivots", "info"]);
}
