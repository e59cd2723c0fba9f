/**
 * torch 1.13's remaining top-level linear algebra: the randomized low-rank SVD and PCA of
 * torch/_lowrank.py (Halko, Martinsson & Tropp 2009, algorithms 4.4 and 5.1), nuclearNorm,
 * frobeniusNorm and ger. All composed of differentiable ops (linalg.qr, linalg.svd, matmul,
 * matrixNorm, vectorNorm, outer), so gradients come for free. The random test matrix is drawn from
 * Tensile's generator (the default one, or `generator`), so results match PyTorch's in
 * distribution, not number for number.
 */
import { TensileError, fmtShape, fmtValue } from "../errors.js";
import { isFloating } from "../tensor/dtype.js";
import type { Tensor } from "../tensor/tensor.js";
import type { Generator } from "../tensor/random.js";
import { randn } from "../tensor/creation.js";
import { qr, svd } from "./linalg-decomp.js";
import { matrixNorm, vectorNorm } from "./linalg-dense.js";
import { outer } from "./linalg.js";
import { assertTensor, onBackend } from "./util.js";

type T = Tensor;

const mT = (x: T): T => x.transpose(-1, -2);

function checkMatrix(name: string, A: unknown, what = "A"): asserts A is T {
  assertTensor(name, A, what);
  if (A.ndim < 2) throw new TensileError(`${name}: expected ${what} to have at least 2 dimensions, but got shape ${fmtShape(A.shape)}`);
  if (!isFloating(A.dtype)) throw new TensileError(`${name}: expected a floating point tensor ${what}, got ${A.dtype}`);
}

function intOpt(name: string, key: string, v: unknown, lo: number, hi: number): number {
  if (typeof v !== "number" || !Number.isInteger(v) || v < lo || v > hi)
    throw new TensileError(`${name}: ${key}(=${fmtValue(v)}) must be a non-negative integer${Number.isFinite(hi) ? ` and not greater than min(m, n)=${hi}` : ""}`);
  return v;
}

/** `[U, S, V]` of a low-rank approximation, also by name. */
export type LowRankSvd = [Tensor, Tensor, Tensor] & { readonly U: Tensor; readonly S: Tensor; readonly V: Tensor };

const named = (U: T, S: T, V: T): LowRankSvd =>
  Object.defineProperties([U, S, V], { U: { value: U }, S: { value: S }, V: { value: V } }) as unknown as LowRankSvd;

/**
 * Q [..., m, q] with orthonormal columns such that Q·Qᵀ·(A − M) ≈ A − M (Halko et al.'s
 * algorithm 4.4, torch's get_approximate_basis): a Gaussian test matrix and `niter` power
 * iterations, re-orthonormalized by QR each time.
 */
function approximateBasis(A: T, q: number, niter: number, M: T | null, generator?: Generator): T {
  const n = A.shape[A.ndim - 1]!;
  const R = onBackend(randn([n, q], { dtype: A.dtype, ...(generator ? { generator } : {}) }), A.backend);
  const At = mT(A), Mt = M && mT(M);
  const apply = (X: T, Y: T, Z: T | null): T => (Z ? X.matmul(Y).sub(Z.matmul(Y)) : X.matmul(Y));
  let Q = qr(apply(A, R, M))[0];
  for (let i = 0; i < niter; i++) {
    Q = qr(apply(At, Q, Mt))[0];
    Q = qr(apply(A, Q, M))[0];
  }
  return Q;
}

function svdLowrankImpl(A: T, q: number, niter: number, M: T | null, generator?: Generator): LowRankSvd {
  const [m, n] = A.shape.slice(-2) as [number, number];
  if (m < n || n > q) {
    // the SVD of Aᵀ's approximation keeps B small (m < n) or V narrow (n > q)
    const Q = approximateBasis(mT(A), q, niter, M && mT(M), generator);
    const Bt = M ? A.matmul(Q).sub(M.matmul(Q)) : A.matmul(Q);
    const [U, S, Vh] = svd(Bt, { fullMatrices: false });
    return named(U, S, Q.matmul(mT(Vh)));
  }
  const Q = approximateBasis(A, q, niter, M, generator);
  const B = M ? mT(A).matmul(Q).sub(mT(M).matmul(Q)) : mT(A).matmul(Q);
  const [U, S, Vh] = svd(mT(B), { fullMatrices: false });
  return named(Q.matmul(U), S, mT(Vh));
}

export interface SvdLowrankOptions {
  /** A slightly overestimated rank of A (default 6), at most min(m, n). */
  q?: number;
  /** Power iterations (default 2). */
  niter?: number;
  /** A's mean [..., 1, n] (broadcast): the SVD of A − M. */
  M?: Tensor | null;
  /** The generator of the random test matrix (default: the global one). */
  generator?: Generator;
}

/**
 * An approximate SVD A − M ≈ U·diag(S)·Vᵀ of rank q for low-rank matrices A [..., m, n], as
 * `torch.svd_lowrank` (randomized: Halko et al.'s algorithm 5.1): U [..., m, q], S [..., q], V
 * [..., n, q]. Draws an n×q Gaussian matrix from Tensile's generator. Differentiable.
 *
 * ```ts
 * const [U, S, V] = svdLowrank(A, { q: 4 });   // A ≈ U.mul(S.unsqueeze(-2)).matmul(V.mT) for rank(A) ≤ 4
 * ```
 */
export function svdLowrank(A: T, opts?: SvdLowrankOptions | null): LowRankSvd {
  const name = "svdLowrank";
  checkMatrix(name, A);
  const [m, n] = A.shape.slice(-2) as [number, number];
  const q = intOpt(name, "q", opts?.q ?? 6, 0, Math.min(m, n));
  const niter = intOpt(name, "niter", opts?.niter ?? 2, 0, Infinity);
  const M = opts?.M ?? null;
  if (M !== null) {
    checkMatrix(name, M, "M");
    if (M.dtype !== A.dtype) throw new TensileError(`${name}: expected M to have A's dtype ${A.dtype}, got ${M.dtype}`);
  }
  return svdLowrankImpl(A, q, niter, M && onBackend(M, A.backend), opts?.generator);
}

export interface PcaLowrankOptions {
  /** A slightly overestimated rank (default min(6, m, n)), at most min(m, n). */
  q?: number | null;
  /** Subtract each column's mean first (default true). */
  center?: boolean;
  /** Power iterations (default 2). */
  niter?: number;
  /** The generator of the random test matrix (default: the global one). */
  generator?: Generator;
}

/**
 * Principal component analysis of a data matrix A [..., m, n] (m samples, n features) by
 * svdLowrank of A minus its column means (`center: false`: of A itself), as `torch.pca_lowrank`:
 * V's columns are the principal directions, S²/(m − 1) the covariance's eigenvalues, A·V[:, :k]
 * the projection on the first k. U [..., m, q], S [..., q], V [..., n, q]. Differentiable.
 */
export function pcaLowrank(A: T, opts?: PcaLowrankOptions | null): LowRankSvd {
  const name = "pcaLowrank";
  checkMatrix(name, A);
  const [m, n] = A.shape.slice(-2) as [number, number];
  const q = intOpt(name, "q", opts?.q ?? Math.min(6, m, n), 0, Math.min(m, n));
  const niter = intOpt(name, "niter", opts?.niter ?? 2, 0, Infinity);
  const center = opts?.center ?? true;
  if (typeof center !== "boolean") throw new TensileError(`${name}: center must be a boolean, got ${fmtValue(center)}`);
  const X = center ? A.sub(A.mean(-2, true)) : A;
  return svdLowrankImpl(X, q, niter, null, opts?.generator);
}

// ---- norms, ger ----

/** dims option: a number or a list; checked against A's dimension count. */
function dimsOpt(name: string, dim: unknown, most: number, A: T): number[] | null {
  if (dim === undefined || dim === null) return null;
  const list = typeof dim === "number" ? [dim] : dim;
  if (!Array.isArray(list) || list.some((d) => typeof d !== "number" || !Number.isInteger(d)))
    throw new TensileError(`${name}: dim must be an integer or a list of integers, got ${fmtValue(dim)}`);
  if (list.length > most) throw new TensileError(`${name}: Expected at most ${most} dimensions, but got ${list.length} dimensions instead (dim ${fmtValue(dim)} of a tensor of shape ${fmtShape(A.shape)})`);
  return list as number[];
}

/**
 * The nuclear norm (sum of singular values) of the matrix A [m, n], or of the matrices in the two
 * dims `dim` of any A, as `torch.nuclear_norm` (= linalg.matrixNorm(A, "nuc", dim, keepdim)).
 */
export function nuclearNorm(A: T, opts?: { dim?: readonly [number, number] | null; keepdim?: boolean } | null): T {
  const name = "nuclearNorm";
  assertTensor(name, A);
  const dim = dimsOpt(name, opts?.dim, 2, A);
  if (dim === null && A.ndim !== 2) throw new TensileError(`${name}: Expected a tensor with 2 dimensions, but got a tensor with ${A.ndim} dimensions instead (shape ${fmtShape(A.shape)})`);
  if (dim !== null && dim.length !== 2) throw new TensileError(`${name}: dim must have 2 entries, got ${fmtValue(opts?.dim)}`);
  const keepdim = opts?.keepdim ?? false;
  return matrixNorm(A, "nuc", (dim ?? [-2, -1]) as [number, number], keepdim);
}

/**
 * The Frobenius norm √(Σ x²) over all elements, or over `dim` (one or two dims), as
 * `torch.frobenius_norm` (= linalg.vectorNorm(A, 2, dim, keepdim)).
 */
export function frobeniusNorm(A: T, opts?: { dim?: number | readonly number[] | null; keepdim?: boolean } | null): T {
  const name = "frobeniusNorm";
  assertTensor(name, A);
  const dim = dimsOpt(name, opts?.dim, 2, A);
  if (!isFloating(A.dtype)) throw new TensileError(`${name}: expected a floating point input, got ${A.dtype}`);
  return vectorNorm(A, 2, dim, opts?.keepdim ?? false);
}

/** The outer product a·bᵀ of 1-D a [n] and b [m]: [n, m], as `torch.ger` (= outer). */
export function ger(a: T, b: T): T {
  assertTensor("ger", a);
  assertTensor("ger", b, "vec2");
  if (a.ndim !== 1 || b.ndim !== 1) throw new TensileError(`ger: expected 1-D tensors, got ${fmtShape(a.shape)} and ${fmtShape(b.shape)}`);
  return outer(a, b);
}
