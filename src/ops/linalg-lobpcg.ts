/**
 * `torch.lobpcg`: the k largest (or smallest) eigenpairs of a symmetric (generalized, with SPD B)
 * eigenproblem A·x = λ·B·x by Knyazev's LOBPCG: Rayleigh–Ritz on the span of the current
 * vectors, their (preconditioned) residuals and the previous step's directions, the basis kept
 * orthonormal by Gram–Schmidt (dropping near-dependent columns, as torch's "ortho" method does).
 * Dense matrices, run on the host in float64. With B, the problem is first made standard with
 * B = L·Lᵀ (C = L⁻¹·A·L⁻ᵀ, x = L⁻ᵀ·y). A is used symmetrized, (A + Aᵀ)/2, as torch does when A
 * requires grad.
 *
 * Gradient (B = I only, as torch 1.13): torch's symeig backward over the complete eigenspace,
 * gA = sym(U·(diag(gE) + (Uᵀ·gU) ∘ F)·Uᵀ), F_ij = 1/(λ_j − λ_i) off the diagonal, with U the full
 * eigenvector set (from linalg.eigh of A, signs aligned with the returned vectors) and gU zero
 * outside the returned columns.
 */
import { record } from "../autograd/engine.js";
import { noGrad } from "../autograd/grad-mode.js";
import { TensileError, fmtShape, fmtValue } from "../errors.js";
import { isFloating } from "../tensor/dtype.js";
import type { Tensor } from "../tensor/tensor.js";
import { randn } from "../tensor/creation.js";
import { cholesky } from "./linalg-dense.js";
import { eigh } from "./linalg-decomp.js";
import { fromHost, solveTriangular } from "./linalg-lu.js";
import { assertTensor, onBackend } from "./util.js";

type T = Tensor;

const mT = (x: T): T => x.transpose(-1, -2);

export interface LobpcgOptions {
  /** The number of eigenpairs wanted (default: X's column count, or 1). */
  k?: number | null;
  /** SPD B [..., m, m] of the generalized problem A·x = λ·B·x (default the identity). */
  B?: Tensor | null;
  /** Initial approximations [..., m, n] (default: Gaussian draws from Tensile's generator). */
  X?: Tensor | null;
  /** The size of the block iterated (default k); m ≥ 3n is required. */
  n?: number | null;
  /** A preconditioner [m, m] applied to the residuals. */
  iK?: Tensor | null;
  /** At most this many iterations (default 1000). */
  niter?: number | null;
  /** Converged when each wanted residual ‖r‖ / (‖x‖·(‖A‖ + λ·‖B‖)) < tol (default √eps of the dtype). */
  tol?: number | null;
  /** The largest eigenvalues (true, the default) or the smallest. */
  largest?: boolean | null;
  /** "ortho" (default) or "basic": accepted for torch's spelling; both run the orthogonalized iteration. */
  method?: "ortho" | "basic" | null;
}

/** `[E, X]`: eigenvalues [..., k] (descending for largest, ascending otherwise) and eigenvectors [..., m, k]. */
export type Lobpcg = [Tensor, Tensor] & { readonly E: Tensor; readonly X: Tensor };

/** y ← columns of S (m×s, row-major) orthonormalized in place by two Gram–Schmidt passes; returns the kept column indices. */
function orthonormalize(S: Float64Array, m: number, s: number, keepFirst: number): number[] {
  const kept: number[] = [];
  for (let j = 0; j < s; j++) {
    let before = 0;
    for (let i = 0; i < m; i++) before += S[i * s + j]! ** 2;
    before = Math.sqrt(before);
    for (let pass = 0; pass < 2; pass++)
      for (const c of kept) {
        let d = 0;
        for (let i = 0; i < m; i++) d += S[i * s + c]! * S[i * s + j]!;
        for (let i = 0; i < m; i++) S[i * s + j]! -= d * S[i * s + c]!;
      }
    let nrm = 0;
    for (let i = 0; i < m; i++) nrm += S[i * s + j]! ** 2;
    nrm = Math.sqrt(nrm);
    // a column (beyond the current vectors) mostly inside the span of the others is dropped
    if (j >= keepFirst && !(nrm > 1e-8 * Math.max(before, 1e-300))) continue;
    for (let i = 0; i < m; i++) S[i * s + j]! /= nrm || 1;
    kept.push(j);
  }
  return kept;
}

/** C·Y for C m×m and Y m×c (row-major). */
function mul(C: Float64Array, Y: Float64Array, m: number, c: number): Float64Array {
  const out = new Float64Array(m * c);
  for (let i = 0; i < m; i++)
    for (let l = 0; l < m; l++) {
      const a = C[i * m + l]!;
      if (a !== 0) for (let j = 0; j < c; j++) out[i * c + j]! += a * Y[l * c + j]!;
    }
  return out;
}

/** One standard problem C·y = λ·y by LOBPCG from Y0 (m×n); returns the n Ritz pairs, best first. */
function run(C: Float64Array, m: number, Y0: Float64Array, n: number, K: Float64Array | null, opts: { niter: number; tol: number; largest: boolean; k: number; like: T; bNorm: number }): { E: Float64Array; Y: Float64Array } {
  const { niter, tol, largest, k, like } = opts;
  const cols = (src: Float64Array, s: number, idx: number[]) => {
    const out = new Float64Array(m * idx.length);
    for (let i = 0; i < m; i++) idx.forEach((c, j) => (out[i * idx.length + j] = src[i * s + c]!));
    return out;
  };
  // Rayleigh–Ritz on the orthonormal basis S (m×s): the n best Ritz pairs, and their coefficients
  const ritz = (S: Float64Array, s: number) => {
    const CS = mul(C, S, m, s);
    const H = new Float64Array(s * s);
    for (let a = 0; a < s; a++)
      for (let b = 0; b < s; b++) {
        let d = 0;
        for (let i = 0; i < m; i++) d += S[i * s + a]! * CS[i * s + b]!;
        H[a * s + b] = d;
      }
    for (let a = 0; a < s; a++) for (let b = 0; b < a; b++) H[a * s + b] = H[b * s + a] = (H[a * s + b]! + H[b * s + a]!) / 2;
    const [w, V] = noGrad(() => eigh(fromHost(like, "float64", H, [s, s])));
    const wv = w.dataSync(), vv = V.dataSync();
    const order = Array.from({ length: n }, (_, j) => (largest ? s - 1 - j : j));
    const Z = new Float64Array(s * n);
    for (let a = 0; a < s; a++) order.forEach((c, j) => (Z[a * n + j] = vv[a * s + c]!));
    return { E: Float64Array.from(order, (c) => wv[c]!), Z };
  };
  const matmulSZ = (S: Float64Array, s: number, Z: Float64Array, from: number) => {
    const out = new Float64Array(m * n);
    for (let i = 0; i < m; i++)
      for (let a = from; a < s; a++) {
        const x = S[i * s + a]!;
        if (x !== 0) for (let j = 0; j < n; j++) out[i * n + j]! += x * Z[a * n + j]!;
      }
    return out;
  };
  let Y = Float64Array.from(Y0);
  const kept0 = orthonormalize(Y, m, n, 0);
  if (kept0.length < n) throw new TensileError(`lobpcg: the initial approximations X are linearly dependent (rank ${kept0.length} < n = ${n})`);
  let frob = 0;
  for (const v of mul(C, Y, m, n)) frob += v * v;
  const aNorm = Math.sqrt(frob / n);
  let { E, Z } = ritz(Y, n);
  Y = matmulSZ(Y, n, Z, 0);
  let P: Float64Array | null = null;
  for (let it = 0; it < niter; it++) {
    const CY = mul(C, Y, m, n);
    const R = new Float64Array(m * n);
    for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) R[i * n + j] = CY[i * n + j]! - E[j]! * Y[i * n + j]!;
    let done = true;
    for (let j = 0; j < k; j++) {
      let r = 0;
      for (let i = 0; i < m; i++) r += R[i * n + j]! ** 2;
      if (!(Math.sqrt(r) < tol * (aNorm + Math.abs(E[j]!) * opts.bNorm))) done = false;
    }
    if (done) break;
    const W = K ? mul(K, R, m, n) : R;
    // S = [Y, W, P], orthonormalized with Y kept first
    const s = P ? 3 * n : 2 * n;
    const S = new Float64Array(m * s);
    for (let i = 0; i < m; i++) {
      S.set(Y.subarray(i * n, (i + 1) * n), i * s);
      S.set(W.subarray(i * n, (i + 1) * n), i * s + n);
      if (P) S.set(P.subarray(i * n, (i + 1) * n), i * s + 2 * n);
    }
    const kept = orthonormalize(S, m, s, n);
    const Sk = cols(S, s, kept);
    const sk = kept.length;
    ({ E, Z } = ritz(Sk, sk));
    // the new directions: the new vectors' part outside the old ones
    P = matmulSZ(Sk, sk, Z, n);
    Y = matmulSZ(Sk, sk, Z, 0);
  }
  return { E, Y };
}

/**
 * The k largest (`largest: false`: smallest) eigenvalues E [..., k] and eigenvectors X [..., m, k]
 * of symmetric A [..., m, m] (with `B`, of A·x = λ·B·x, X B-orthonormal), as `torch.lobpcg`
 * (m ≥ 3n, n = the block size, default k). Differentiable in A when B is not given (torch's
 * symeig-backward formula); eigenvectors are unique up to sign (Tensile makes each one's
 * largest-magnitude entry positive).
 *
 * ```ts
 * const [E, X] = lobpcg(A, { k: 2 });   // the two largest eigenpairs
 * ```
 */
export function lobpcg(A: T, opts?: LobpcgOptions | null): Lobpcg {
  const name = "lobpcg";
  assertTensor(name, A, "A");
  if (A.ndim < 2 || A.shape[A.ndim - 1] !== A.shape[A.ndim - 2])
    throw new TensileError(`${name}: A must be a square matrix or a batch of them, got shape ${fmtShape(A.shape)}`);
  if (!isFloating(A.dtype)) throw new TensileError(`${name}: expected a floating point tensor A, got ${A.dtype}`);
  const o = opts ?? {};
  const m = A.shape[A.ndim - 1]!;
  const batch = A.shape.slice(0, -2);
  const count = batch.reduce((a, b) => a * b, 1);
  const int = (key: string, v: unknown, lo: number): number => {
    if (typeof v !== "number" || !Number.isInteger(v) || v < lo) throw new TensileError(`${name}: ${key} must be an integer >= ${lo}, got ${fmtValue(v)}`);
    return v;
  };
  const X0 = o.X ?? null;
  if (X0 !== null) {
    assertTensor(name, X0, "X");
    if (X0.ndim !== A.ndim || X0.shape[X0.ndim - 2] !== m || X0.shape.slice(0, -2).some((d, i) => d !== batch[i]))
      throw new TensileError(`${name}: expected X of shape ${fmtShape([...batch, m, "n" as never])}, got ${fmtShape(X0.shape)}`);
  }
  const k = int("k", o.k ?? (X0 ? X0.shape[X0.ndim - 1]! : 1), 1);
  const n = X0 ? X0.shape[X0.ndim - 1]! : int("n", o.n ?? k, 1);
  if (n < k) throw new TensileError(`${name}: the block size n (=${n}) must be at least k (=${k})`);
  if (m < 3 * n)
    throw new TensileError(`${name}: LOBPCG algorithm is not applicable when the number of A rows (=${m}) is smaller than 3 x the number of requested eigenpairs (=${n})`);
  const niter = int("niter", o.niter ?? 1000, 0);
  const tol = o.tol ?? Math.sqrt(A.dtype === "float64" ? 2.23e-16 : 1.2e-7);
  if (typeof tol !== "number" || !(tol > 0)) throw new TensileError(`${name}: tol must be a positive number, got ${fmtValue(tol)}`);
  const largest = o.largest ?? true;
  if (typeof largest !== "boolean") throw new TensileError(`${name}: largest must be a boolean, got ${fmtValue(largest)}`);
  const method = o.method ?? "ortho";
  if (method !== "ortho" && method !== "basic") throw new TensileError(`${name}: method must be "ortho" or "basic", got ${fmtValue(method)}`);
  const B = o.B ?? null;
  if (B !== null) {
    assertTensor(name, B, "B");
    if (B.ndim !== A.ndim || B.shape.some((d, i) => d !== A.shape[i])) throw new TensileError(`${name}: A and B must have the same shape, got ${fmtShape(A.shape)} and ${fmtShape(B.shape)}`);
  }
  const iK = o.iK ?? null;
  if (iK !== null) {
    assertTensor(name, iK, "iK");
    if (iK.ndim !== 2 || iK.shape[0] !== m || iK.shape[1] !== m) throw new TensileError(`${name}: expected iK of shape [${m}, ${m}], got ${fmtShape(iK.shape)}`);
  }

  const Asym = A.add(mT(A)).mul(0.5);
  const Es = new Float64Array(count * k), Xs = new Float64Array(count * m * k);
  noGrad(() => {
    const A64 = Asym.to("float64");
    // the standard problem: C = L⁻¹·A·L⁻ᵀ for B = L·Lᵀ, preconditioner Lᵀ·iK·L
    const L = B ? cholesky(onBackend(B, A.backend).add(mT(onBackend(B, A.backend))).mul(0.5).to("float64")) : null;
    const C = L ? mT(solveTriangular(L, mT(solveTriangular(L, A64, { upper: false })), { upper: false })) : A64;
    const iK64 = iK && onBackend(iK, A.backend).to("float64");
    const K = iK64 ? (L ? mT(L).matmul(iK64).matmul(L) : iK64) : null;
    const Xinit = (X0 ? onBackend(X0, A.backend) : randn([...batch, m, n], { dtype: A.dtype })).to("float64");
    const Y0 = L ? mT(L).matmul(Xinit) : Xinit;
    const bNorm = L ? Math.sqrt(onBackend(B!, A.backend).to("float64").pow(2).sum().item() / m) : 1;
    const c = C.contiguous().dataSync() as Float64Array, y0 = Y0.contiguous().dataSync() as Float64Array;
    const kd = K ? (K.contiguous().dataSync() as Float64Array) : null;
    for (let b = 0; b < count; b++) {
      const { E, Y } = run(c.subarray(b * m * m, (b + 1) * m * m), m, y0.subarray(b * m * n, (b + 1) * m * n), n, kd, { niter, tol, largest, k, like: A, bNorm });
      Es.set(E.subarray(0, k), b * k);
      for (let i = 0; i < m; i++) for (let j = 0; j < k; j++) Xs[b * m * k + i * k + j] = Y[i * n + j]!;
    }
    // x = L⁻ᵀ·y (B-orthonormal columns)
    if (L) Xs.set(solveTriangular(mT(L), fromHost(A, "float64", Xs, [...batch, m, k]), { upper: true }).contiguous().dataSync());
    // signs: each vector's largest-magnitude entry positive
    for (let b = 0; b < count; b++)
      for (let j = 0; j < k; j++) {
        let best = 0;
        for (let i = 0; i < m; i++) if (Math.abs(Xs[b * m * k + i * k + j]!) > Math.abs(best)) best = Xs[b * m * k + i * k + j]!;
        if (best < 0) for (let i = 0; i < m; i++) Xs[b * m * k + i * k + j]! *= -1;
      }
  });
  const Eh = fromHost(A, A.dtype, Es, [...batch, k]);
  const Xh = fromHost(A, A.dtype, Xs, [...batch, m, k]);
  const noB = (): void => {
    if (B) throw new TensileError(`${name}: the backward with B given (B != I) is not supported (as in PyTorch 1.13)`);
  };
  const E = record(name, Eh, [Asym], (gE) => {
    noB();
    return [Xh.mul(gE.unsqueeze(-2)).matmul(mT(Xh))];
  }, undefined, []);
  const X = record(name, Xh, [Asym], (gX) => {
    noB();
    // the complete eigenspace of A, columns sign-aligned with X's; gU zero outside X's columns
    const [D, U] = noGrad(() => eigh(Asym.detach()));
    const dv = D.dataSync(), uv = U.contiguous().dataSync(), xv = Xh.dataSync(), gv = gX.contiguous().dataSync();
    const gU = new Float64Array(count * m * m);
    for (let b = 0; b < count; b++)
      for (let j = 0; j < k; j++) {
        const c = largest ? m - 1 - j : j;
        let dot = 0;
        for (let i = 0; i < m; i++) dot += uv[b * m * m + i * m + c]! * xv[b * m * k + i * k + j]!;
        for (let i = 0; i < m; i++) gU[b * m * m + i * m + c] = Math.sign(dot || 1) * gv[b * m * k + i * k + j]!;
      }
    const F = new Float64Array(count * m * m);
    for (let b = 0; b < count; b++)
      for (let i = 0; i < m; i++) for (let j = 0; j < m; j++) F[b * m * m + i * m + j] = i === j ? 0 : 1 / (dv[b * m + j]! - dv[b * m + i]!);
    const Ut = mT(U);
    const inner = Ut.matmul(fromHost(A, A.dtype, gU, [...batch, m, m])).mul(fromHost(A, A.dtype, F, [...batch, m, m]));
    return [U.matmul(inner).matmul(Ut)];
  }, undefined, []);
  return Object.defineProperties([E, X], { E: { value: E }, X: { value: X } }) as unknown as Lobpcg;
}
