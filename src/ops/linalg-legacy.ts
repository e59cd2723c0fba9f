/**
 * The top-level linear-algebra functions of older PyTorch code (torch 1.13 still has them, most
 * deprecated in favour of torch.linalg): svd (V, not Vh), qr(some), lu (packed LU and pivots),
 * luSolve(b, LU, pivots), triangularSolve(b, A), geqrf / orgqr / ormqr (LAPACK's compact QR) and
 * symeig. Each keeps torch 1.13's argument order, defaults and results, and delegates to the
 * torch.linalg ops (ops/linalg-decomp.ts, ops/linalg-lu.ts), so their gradients are those ops'.
 * geqrf is computed here on the host, with LAPACK dgeqr2's Householder convention (so `a` and `tau`
 * are torch's); as in torch 1.13 it has no derivative. ormqr is written with Tensor ops, so unlike
 * torch 1.13 it is differentiable.
 *
 * torch.matrix_rank, eig, lstsq and solve raise "removed" in torch 1.13 and are not here (use
 * linalg.matrixRank, linalg.lstsq, linalg.solve).
 */
import { record } from "../autograd/engine.js";
import { TensileError, fmtShape, fmtValue } from "../errors.js";
import { isFloating } from "../tensor/dtype.js";
import type { Tensor } from "../tensor/tensor.js";
import { eigh, eigvalsh, qr as linalgQr, svd as linalgSvd, svdvals } from "./linalg-decomp.js";
import { fromHost, householderProduct, lu as linalgLu, luSolve as linalgLuSolve, solveTriangular } from "./linalg-lu.js";
import { pad } from "./indexing.js";
import { assertTensor, onBackend } from "./util.js";

type T = Tensor;

const mT = (x: T): T => x.transpose(-1, -2);
const prod = (s: readonly number[]): number => s.reduce((a, b) => a * b, 1);

/** An array that also names its entries (PyTorch's named tuples). */
function named<R>(values: T[], names: readonly string[]): R {
  return Object.defineProperties(values, Object.fromEntries(names.map((k, i) => [k, { value: values[i] }]))) as unknown as R;
}

/** A (batch of) floating-point matrices: at least 2 dimensions. */
function checkMatrix(name: string, A: unknown, what = "input"): asserts A is T {
  assertTensor(name, A, what);
  if (A.ndim < 2) throw new TensileError(`${name}: expected ${what} to have at least 2 dimensions, but it has ${A.ndim} dimensions instead (shape ${fmtShape(A.shape)})`);
  if (!isFloating(A.dtype)) throw new TensileError(`${name}: expected a floating point tensor ${what}, got ${A.dtype}`);
}

function boolOpt(name: string, key: string, v: unknown, dflt: boolean): boolean {
  if (v === undefined || v === null) return dflt;
  if (typeof v !== "boolean") throw new TensileError(`${name}: ${key} must be a boolean, got ${fmtValue(v)}`);
  return v;
}

function options(name: string, opts: unknown): Record<string, unknown> {
  if (opts === undefined || opts === null) return {};
  if (typeof opts !== "object" || Array.isArray(opts)) throw new TensileError(`${name}: expected an options object, got ${fmtValue(opts)}`);
  return opts as Record<string, unknown>;
}

/** A zero-filled tensor of `like`'s dtype and backend. */
const zerosLike = (like: T, shape: readonly number[]): T => fromHost(like, like.dtype, new Float64Array(prod(shape)), shape);

// ---- svd, qr ----

export interface SvdLegacyOptions {
  /** The thin factors U [..., m, k], V [..., n, k] (true, the default) or the full U [..., m, m], V [..., n, n]. */
  some?: boolean;
  /** Compute U and V (true, the default); false: only S, with U and V zero-filled [..., m, m], [..., n, n] as torch gives. */
  computeUv?: boolean;
}

/** `torch.return_types.svd`: `[U, S, V]`, also by name. */
export type SvdLegacy = [Tensor, Tensor, Tensor] & { readonly U: Tensor; readonly S: Tensor; readonly V: Tensor };

/**
 * A = U·diag(S)·Vᵀ for matrices [..., m, n], as `torch.svd` (deprecated there in favour of
 * linalg.svd, which returns Vh = Vᵀ): V, not Vh; `some: false` gives the full U and V;
 * `computeUv: false` gives zero-filled U [..., m, m] and V [..., n, n]. Gradient as linalg.svd's
 * (with `some: false` on a non-square A, that of the thin factors, as torch's: the completing
 * columns are constants).
 *
 * ```ts
 * const [U, S, V] = svd(A);          // A ≈ U.mul(S.unsqueeze(-2)).matmul(V.mT)
 * ```
 */
export function svd(A: T, opts?: SvdLegacyOptions | null): SvdLegacy {
  const name = "svd";
  const o = options(name, opts);
  const some = boolOpt(name, "some", o.some, true);
  const computeUv = boolOpt(name, "computeUv", o.computeUv, true);
  checkMatrix(name, A);
  const [m, n] = A.shape.slice(-2) as [number, number];
  const batch = A.shape.slice(0, -2);
  if (!computeUv) return named([zerosLike(A, [...batch, m, m]), svdvals(A), zerosLike(A, [...batch, n, n])], ["U", "S", "V"]);
  const [U, S, Vh] = linalgSvd(A, { fullMatrices: !some });
  return named([U, S, mT(Vh)], ["U", "S", "V"]);
}

/** `torch.return_types.qr`: `[Q, R]`, also by name. */
export type QRLegacy = [Tensor, Tensor] & { readonly Q: Tensor; readonly R: Tensor };

/**
 * A = Q·R for matrices [..., m, n], as `torch.qr` (linalg.qr with mode "reduced" for `some: true`,
 * the default, or "complete" for `some: false`). Gradient as linalg.qr's.
 */
export function qr(A: T, opts?: { some?: boolean } | null): QRLegacy {
  const name = "qr";
  const some = boolOpt(name, "some", options(name, opts).some, true);
  checkMatrix(name, A);
  const [Q, R] = linalgQr(A, some ? "reduced" : "complete");
  return named([Q, R], ["Q", "R"]);
}

// ---- lu, luUnpack, luSolve ----

export interface LuLegacyOptions {
  /** Partial pivoting (true, the default) or none. */
  pivot?: boolean;
  /** Also return infos [...] (int32): 0, or i for the first zero pivot U[i−1, i−1] (LAPACK's info). */
  getInfos?: boolean;
}

/** `[LU, pivots]`, or `[LU, pivots, infos]` with `getInfos`, also by name. */
export type LuLegacy = [Tensor, Tensor] & { readonly LU: Tensor; readonly pivots: Tensor };
export type LuLegacyInfos = [Tensor, Tensor, Tensor] & { readonly LU: Tensor; readonly pivots: Tensor; readonly infos: Tensor };

/**
 * The LU factorization of matrices A [..., m, n] in LAPACK's packed form, as `torch.lu`: LU
 * [..., m, n] (L's multipliers below the diagonal, U on and above) and pivots [..., min(m, n)]
 * (int32, 1-based). A singular matrix factors too (no error, as torch.lu); `getInfos: true` adds
 * infos, 0 where the factorization is regular. Gradient as linalg.lu's (torch.lu's).
 *
 * ```ts
 * const [LU, pivots] = lu(A);
 * const x = luSolve(b, LU, pivots);   // A·x = b
 * ```
 */
export function lu(A: T, opts: LuLegacyOptions & { getInfos: true }): LuLegacyInfos;
export function lu(A: T, opts?: LuLegacyOptions | null): LuLegacy;
export function lu(A: T, opts?: LuLegacyOptions | null): LuLegacy | LuLegacyInfos {
  const name = "lu";
  const o = options(name, opts);
  const pivot = boolOpt(name, "pivot", o.pivot, true);
  const getInfos = boolOpt(name, "getInfos", o.getInfos, false);
  checkMatrix(name, A);
  const [m, n] = A.shape.slice(-2) as [number, number];
  const k = Math.min(m, n);
  const batch = A.shape.slice(0, -2);
  const count = prod(batch);
  const [P, L, U] = linalgLu(A, { pivot });
  // LU = L's strict lower part (m×k, padded to n columns) + U (k×n, padded to m rows)
  const LU = pad(L.tril(-1), [0, n - k]).add(pad(U, [0, 0, 0, m - k]));
  // LAPACK's pivots are the row swaps that realize P: row i of Pᵀ·A is row perm[i] of A
  const piv = new Int32Array(count * k);
  const p = pivot ? P.contiguous().dataSync() : null;
  for (let b = 0; b < count; b++) {
    const order = Array.from({ length: m }, (_, i) => i);
    for (let i = 0; i < k; i++) {
      let want = i;
      if (p) for (let j = 0; j < m; j++) if (p[b * m * m + j * m + i] === 1) want = j;
      const at = order.indexOf(want, i);
      [order[i], order[at]] = [order[at]!, order[i]!];
      piv[b * k + i] = at + 1;
    }
  }
  const pivots = fromHost(A, "int32", piv, [...batch, k]);
  if (!getInfos) return named([LU, pivots], ["LU", "pivots"]);
  const d = U.contiguous().dataSync();
  const info = new Int32Array(count);
  for (let b = 0; b < count; b++)
    for (let i = 0; i < k; i++)
      if (d[b * k * n + i * n + i] === 0) {
        info[b] = i + 1;
        break;
      }
  return named([LU, pivots, fromHost(A, "int32", info, batch)], ["LU", "pivots", "infos"]);
}

/**
 * The solution x of A·x = b given torch.lu's (or linalg.luFactor's) LU and pivots of A, as
 * `torch.lu_solve(b, LU_data, LU_pivots)` — note the order: b first, unlike linalg.luSolve(LU,
 * pivots, B). b [..., n, k]; batch dims broadcast. Gradient as linalg.luSolve's.
 */
export function luSolve(b: T, LU: T, pivots: T): T {
  const name = "luSolve";
  checkMatrix(name, b, "b");
  checkMatrix(name, LU, "LU_data");
  return linalgLuSolve(LU, pivots, b);
}

// ---- triangularSolve ----

export interface TriangularSolveOptions {
  /** A is upper triangular (true, the default, as torch.triangular_solve) or lower. */
  upper?: boolean;
  /** Solve Aᵀ·X = b instead. */
  transpose?: boolean;
  /** Take A's diagonal to be ones (not read). */
  unitriangular?: boolean;
}

/** `torch.return_types.triangular_solve`: `[solution, clonedCoefficient]`, also by name. */
export type TriangularSolve = [Tensor, Tensor] & { readonly solution: Tensor; readonly clonedCoefficient: Tensor };

/**
 * The solution X of A·X = b (Aᵀ·X = b with `transpose`) for triangular A [..., n, n] and b
 * [..., n, k], batch dims broadcast, as `torch.triangular_solve(b, A)` — note the order (b first)
 * and the default `upper: true`. Returns `[solution, clonedCoefficient]`, the second a copy of A
 * broadcast to the batch shape (differentiable, as torch's). Gradient as linalg.solveTriangular's.
 */
export function triangularSolve(b: T, A: T, opts?: TriangularSolveOptions | null): TriangularSolve {
  const name = "triangularSolve";
  const o = options(name, opts);
  const upper = boolOpt(name, "upper", o.upper, true);
  const transpose = boolOpt(name, "transpose", o.transpose, false);
  const unitriangular = boolOpt(name, "unitriangular", o.unitriangular, false);
  checkMatrix(name, b, "b");
  checkMatrix(name, A, "A");
  const n = A.shape[A.ndim - 1]!;
  if (A.shape[A.ndim - 2] !== n)
    throw new TensileError(`${name}: A must be batches of square matrices, but they are ${A.shape[A.ndim - 2]} by ${n} matrices (shape ${fmtShape(A.shape)})`);
  if (b.shape[b.ndim - 2] !== n)
    throw new TensileError(`${name}: Incompatible matrix sizes for triangular_solve: each A matrix is ${n} by ${n} but each b matrix is ${b.shape[b.ndim - 2]} by ${b.shape[b.ndim - 1]}`);
  const X = solveTriangular(transpose ? mT(A) : A, b, { upper: transpose ? !upper : upper, unitriangular });
  const M = A.expand([...X.shape.slice(0, -2), n, n]).clone();
  return named([X, M], ["solution", "clonedCoefficient"]);
}

// ---- geqrf, orgqr, ormqr ----

/**
 * LAPACK dgeqr2 on one row-major m×n matrix, in place: R on and above the diagonal, the
 * Householder vectors vᵢ (vᵢ[i] = 1 implied) below it, τ in `tau` (length min(m, n)). Each
 * reflector is dlarfg's: β = −sign(α)·‖(α, x)‖, τ = (β − α)/β, v = x/(α − β); τ = 0 (H = I, α
 * kept) when x = 0.
 */
export function geqrfHost(R: Float64Array, m: number, n: number, tau: Float64Array): void {
  for (let j = 0; j < Math.min(m, n); j++) {
    const alpha = R[j * n + j]!;
    let xn = 0;
    for (let i = j + 1; i < m; i++) xn = Math.hypot(xn, R[i * n + j]!);
    if (xn === 0) {
      tau[j] = 0;
      continue;
    }
    const beta = -(alpha >= 0 ? 1 : -1) * Math.hypot(alpha, xn);
    const t = (beta - alpha) / beta;
    const scale = 1 / (alpha - beta);
    for (let i = j + 1; i < m; i++) R[i * n + j]! *= scale;
    // apply H = I − τ·v·vᵀ to the columns right of j
    for (let c = j + 1; c < n; c++) {
      let w = R[j * n + c]!;
      for (let i = j + 1; i < m; i++) w += R[i * n + j]! * R[i * n + c]!;
      w *= t;
      R[j * n + c]! -= w;
      for (let i = j + 1; i < m; i++) R[i * n + c]! -= w * R[i * n + j]!;
    }
    R[j * n + j] = beta;
    tau[j] = t;
  }
}

/** `torch.return_types.geqrf`: `[a, tau]`, also by name. */
export type Geqrf = [Tensor, Tensor] & { readonly a: Tensor; readonly tau: Tensor };

/**
 * LAPACK's QR in compact form of matrices A [..., m, n], as `torch.geqrf`: `a` holds R on and
 * above the diagonal and the Householder vectors below it, `tau` [..., min(m, n)] their scales;
 * `orgqr(a, tau)` (linalg.householderProduct) gives Q, `ormqr` multiplies by it. The same signs
 * as LAPACK's (torch's). Computed on the host in float64; not differentiable (as in torch 1.13: a
 * backward through it throws).
 */
export function geqrf(A: T): Geqrf {
  const name = "geqrf";
  checkMatrix(name, A);
  const [m, n] = A.shape.slice(-2) as [number, number];
  const k = Math.min(m, n);
  const batch = A.shape.slice(0, -2);
  const count = prod(batch);
  const data = Float64Array.from(A.contiguous().dataSync());
  const taus = new Float64Array(count * k);
  for (let b = 0; b < count; b++) geqrfHost(data.subarray(b * m * n, (b + 1) * m * n), m, n, taus.subarray(b * k, (b + 1) * k));
  const notImplemented = (): never => {
    throw new TensileError(`${name}: the derivative for 'geqrf' is not implemented (as in PyTorch 1.13); use qr or linalg.qr, which are differentiable`);
  };
  const a = record(name, fromHost(A, A.dtype, data, A.shape), [A], notImplemented, undefined, []);
  const tau = record(name, fromHost(A, A.dtype, taus, [...batch, k]), [A], notImplemented, undefined, []);
  return named([a, tau], ["a", "tau"]);
}

/**
 * PyTorch's rightInverse of the Householder map of `nn.utils.parametrizations.orthogonal` (no
 * trivialization): geqrf of Q [..., m, n] (m ≥ n) — the Householder vectors below the diagonal —
 * with the diagonal replaced by the signs of R's (negated where geqrf used no reflection, τ = 0),
 * so that the forward map gives back QR's Q·sign(diag R). On Q's backend, not differentiable.
 */
export function householderRightInverse(Q: T): T {
  const [m, n] = Q.shape.slice(-2) as [number, number];
  const k = Math.min(m, n);
  const data = Float64Array.from(Q.contiguous().dataSync());
  const count = m * n === 0 ? 0 : data.length / (m * n);
  const tau = new Float64Array(k);
  for (let b = 0; b < count; b++) {
    const R = data.subarray(b * m * n, (b + 1) * m * n);
    geqrfHost(R, m, n, tau);
    for (let j = 0; j < k; j++) R[j * n + j] = tau[j] === 0 ? -Math.sign(R[j * n + j]!) : Math.sign(R[j * n + j]!);
  }
  return fromHost(Q, Q.dtype, data, Q.shape);
}

/**
 * Q = H₁·…·H_k from geqrf's `a` [..., m, n] and `tau` [..., k] (the first n columns), as
 * `torch.orgqr` (= linalg.householderProduct, whose gradient it has).
 */
export function orgqr(a: T, tau: T): T {
  checkMatrix("orgqr", a);
  assertTensor("orgqr", tau, "tau");
  return householderProduct(a, tau);
}

export interface OrmqrOptions {
  /** Q·C (true, the default) or C·Q. */
  left?: boolean;
  /** Use Qᵀ instead of Q. */
  transpose?: boolean;
}

/**
 * Q·C (`left: false`: C·Q; `transpose`: with Qᵀ) for C = `other` [..., m, n] and Q = H₁·…·H_k
 * the mn×mn orthogonal matrix of geqrf's Householder vectors `a` [..., mn, k'] and `tau` [..., k]
 * (mn = m when left, n otherwise; k ≤ min(mn, k')), as `torch.ormqr`; Q is never formed. Composed of
 * Tensor ops, so differentiable in all three inputs (torch 1.13 is not).
 */
export function ormqr(a: T, tau: T, other: T, opts?: OrmqrOptions | null): T {
  const name = "ormqr";
  const o = options(name, opts);
  const left = boolOpt(name, "left", o.left, true);
  const transpose = boolOpt(name, "transpose", o.transpose, false);
  checkMatrix(name, a);
  assertTensor(name, tau, "tau");
  checkMatrix(name, other, "other");
  if (a.dtype !== tau.dtype || a.dtype !== other.dtype)
    throw new TensileError(`${name}: expected input, tau and other to have the same dtype, but got ${a.dtype}, ${tau.dtype} and ${other.dtype}`);
  const [m, n] = other.shape.slice(-2) as [number, number];
  const mn = left ? m : n;
  const [ar, ac] = a.shape.slice(-2) as [number, number];
  if (ar !== mn)
    throw new TensileError(`${name}: input.shape[-2] must be equal to other.shape[${left ? -2 : -1}] = ${mn}, but got input of shape ${fmtShape(a.shape)} and other of shape ${fmtShape(other.shape)}`);
  if (tau.ndim !== a.ndim - 1)
    throw new TensileError(`${name}: expected tau to have one dimension less than input, but got tau of shape ${fmtShape(tau.shape)} and input of shape ${fmtShape(a.shape)}`);
  const k = tau.shape[tau.ndim - 1]!;
  if (k > Math.min(mn, ac))
    throw new TensileError(`${name}: tau.shape[-1] = ${k} must be at most min(input.shape[-2], input.shape[-1]) = ${Math.min(mn, ac)}`);
  const batch = a.shape.slice(0, -2);
  const same = (s: readonly number[], what: string, shape: readonly number[]) => {
    if (s.length !== batch.length || s.some((d, i) => d !== batch[i]))
      throw new TensileError(`${name}: expected the batch dimensions of ${what} ${fmtShape(shape)} to equal input's ${fmtShape(batch)}`);
  };
  same(tau.shape.slice(0, -1), "tau", tau.shape);
  same(other.shape.slice(0, -2), "other", other.shape);
  const t = onBackend(tau, a.backend);
  let C = onBackend(other, a.backend);
  // vᵢ: column i of a below the diagonal, 1 on it, 0 above
  const eye = fromHost(a, a.dtype, Array.from({ length: mn * ac }, (_, i) => (i % ac === Math.floor(i / ac) ? 1 : 0)), [mn, ac]);
  const V = a.tril(-1).add(eye);
  // Q·C = H₁(H₂(…H_k C)), Qᵀ·C = H_k(…H₁ C), C·Q = ((C H₁) H₂)…, C·Qᵀ = C H_k … H₁
  const ascending = left === transpose;
  for (let s = 0; s < k; s++) {
    const i = ascending ? s : k - 1 - s;
    const v = V.narrow(-1, i, 1);
    const ti = t.narrow(-1, i, 1).unsqueeze(-1);
    C = left ? C.sub(v.mul(ti).matmul(mT(v).matmul(C))) : C.sub(C.matmul(v).matmul(mT(v).mul(ti)));
  }
  return k === 0 ? C.clone() : C;
}

// ---- symeig ----

/** `torch.return_types.symeig`: `[eigenvalues, eigenvectors]`, also by name. */
export type Symeig = [Tensor, Tensor] & { readonly eigenvalues: Tensor; readonly eigenvectors: Tensor };

/**
 * Eigenvalues (ascending) of symmetric matrices A [..., n, n], and with `eigenvectors: true` the
 * eigenvectors (columns; otherwise an empty tensor [0]), reading A's upper triangle (default, as
 * torch.symeig) or its lower one (`upper: false`). linalg.eigh with UPLO "U"/"L"; gradient as its.
 * Unlike torch 1.13, the eigenvalues alone (`eigenvectors: false`) are differentiable too.
 */
export function symeig(A: T, opts?: { eigenvectors?: boolean; upper?: boolean } | null): Symeig {
  const name = "symeig";
  const o = options(name, opts);
  const vectors = boolOpt(name, "eigenvectors", o.eigenvectors, false);
  const upper = boolOpt(name, "upper", o.upper, true);
  checkMatrix(name, A);
  if (A.shape[A.ndim - 1] !== A.shape[A.ndim - 2])
    throw new TensileError(`${name}: A must be batches of square matrices, but they are ${A.shape[A.ndim - 2]} by ${A.shape[A.ndim - 1]} matrices`);
  const UPLO = upper ? "U" : "L";
  if (!vectors) return named([eigvalsh(A, { UPLO }), zerosLike(A, [0])], ["eigenvalues", "eigenvectors"]);
  const [L, V] = eigh(A, { UPLO });
  return named([L, V], ["eigenvalues", "eigenvectors"]);
}
