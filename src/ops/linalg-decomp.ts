/**
 * torch.linalg's eigh, eigvalsh, svd, svdvals, qr (and pinv, matrixRank, cond built on them): host factorizations in float64 (cyclic
 * Jacobi for eigh, one-sided Jacobi for svd, Householder reflections as LAPACK's geqrf for qr),
 * results rounded to the input's dtype, with PyTorch 1.13's backward formulas.
 *
 * Each factorization's results are views of one recorded tensor (the results of a matrix packed
 * side by side in its last dim), so gradients flowing into any of them reach the one rule.
 *
 * Eigenvectors and singular vectors are unique only up to sign: PyTorch returns LAPACK's, Tensile
 * makes the largest-magnitude entry of each eigenvector (of each left singular vector, flipping
 * the matching right one) positive.
 */
import { record } from "../autograd/engine.js";
import { noGrad } from "../autograd/grad-mode.js";
import { TensileError, fmtShape, fmtValue } from "../errors.js";
import { type DType, arrayFor, isFloating } from "../tensor/dtype.js";
import type { Tensor } from "../tensor/tensor.js";
import * as E from "./elementwise.js";
import { inv, matrixNorm } from "./linalg-dense.js";
import { diagEmbed } from "./linalg.js";
import { cat } from "./movement.js";
import { assertTensor, wrap } from "./util.js";

type T = Tensor;

const mT = (x: T): T => x.transpose(-1, -2);

function matrices(name: string, A: T): { data: Float64Array; batch: number[]; m: number; n: number; count: number } {
  assertTensor(name, A, "A");
  if (A.ndim < 2) throw new TensileError(`${name}: the input tensor A must have at least 2 dimensions, got ${fmtShape(A.shape)}`);
  if (!isFloating(A.dtype)) throw new TensileError(`${name}: expected a floating point tensor, got ${A.dtype}`);
  const batch = A.shape.slice(0, -2);
  return { data: Float64Array.from(A.contiguous().dataSync()), batch, m: A.shape[A.ndim - 2]!, n: A.shape[A.ndim - 1]!, count: batch.reduce((a, b) => a * b, 1) };
}

interface Part {
  /** count × (product of shape) values, matrix after matrix */
  data: Float64Array;
  shape: number[];
}

/**
 * The parts as views of one tensor [...batch, Σ part sizes] recorded as a function of A; `backward`
 * gets one gradient per part (zeros for the unused ones) and the parts themselves.
 */
function packed(name: string, A: T, batch: readonly number[], dtype: DType, parts: Part[], backward: (gs: T[], outs: T[]) => T): T[] {
  const count = batch.reduce((a, b) => a * b, 1);
  const sizes = parts.map((p) => p.shape.reduce((a, b) => a * b, 1));
  const total = sizes.reduce((a, b) => a + b, 0);
  const buf = arrayFor(dtype, count * total);
  for (let b = 0; b < count; b++) {
    let off = b * total;
    parts.forEach((p, i) => {
      buf.set(p.data.subarray(b * sizes[i]!, (b + 1) * sizes[i]!), off);
      off += sizes[i]!;
    });
  }
  const P = wrap(A.backend, A.backend.fromArray(buf), [...batch, total]);
  const split = (x: T): T[] => {
    let off = 0;
    return parts.map((p, i) => {
      const v = x.narrow(-1, off, sizes[i]!).reshape([...batch, ...p.shape]);
      off += sizes[i]!;
      return v;
    });
  };
  let outs: T[] = [];
  record(name, P, [A], (g) => [backward(split(g), outs)], undefined, [P]);
  outs = split(P);
  return outs;
}

/** Flips column j of the m×c matrix at x[o..] (and row j of the c×n matrix at y[oy..]) so that its largest |entry| is positive. */
function fixSigns(x: Float64Array, o: number, m: number, c: number, y?: { data: Float64Array; o: number; n: number }): void {
  for (let j = 0; j < c; j++) {
    let best = 0, at = 0;
    for (let i = 0; i < m; i++) {
      const v = Math.abs(x[o + i * c + j]!);
      if (v > best) (best = v), (at = i);
    }
    if (x[o + at * c + j]! >= 0) continue;
    for (let i = 0; i < m; i++) x[o + i * c + j] = -x[o + i * c + j]!;
    if (y) for (let k = 0; k < y.n; k++) y.data[y.o + j * y.n + k] = -y.data[y.o + j * y.n + k]!;
  }
}

/** Eigen-decomposition of the symmetric n×n matrix a (destroyed) by cyclic Jacobi: ascending w, eigenvectors as columns of v. */
function jacobiEigen(a: Float64Array, n: number, w: Float64Array, v: Float64Array): void {
  v.fill(0);
  for (let i = 0; i < n; i++) v[i * n + i] = 1;
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0, all = 0;
    for (let i = 0; i < n; i++)
      for (let j = 0; j < n; j++) {
        all += a[i * n + j]! ** 2;
        if (i !== j) off += a[i * n + j]! ** 2;
      }
    if (off <= 1e-32 * all) break;
    for (let p = 0; p < n; p++)
      for (let q = p + 1; q < n; q++) {
        const apq = a[p * n + q]!;
        if (apq === 0) continue;
        const theta = (a[q * n + q]! - a[p * n + p]!) / (2 * apq);
        const t = (theta >= 0 ? 1 : -1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1), s = t * c;
        rotateColumns(a, n, n, p, q, c, s);
        for (let k = 0; k < n; k++) {
          const apk = a[p * n + k]!, aqk = a[q * n + k]!;
          a[p * n + k] = c * apk - s * aqk;
          a[q * n + k] = s * apk + c * aqk;
        }
        rotateColumns(v, n, n, p, q, c, s);
      }
  }
  const order = [...Array(n).keys()].sort((i, j) => a[i * n + i]! - a[j * n + j]!);
  const vv = Float64Array.from(v);
  order.forEach((src, j) => {
    w[j] = a[src * n + src]!;
    for (let k = 0; k < n; k++) v[k * n + j] = vv[k * n + src]!;
  });
}

export interface EighOptions {
  /** Which triangle to read: "L" (default) or "U". */
  UPLO?: "L" | "U";
}

function eighImpl(name: string, A: T, opts: EighOptions | null | undefined, vectors: boolean): T[] {
  const uplo = opts?.UPLO ?? "L";
  if (uplo !== "L" && uplo !== "U") throw new TensileError(`${name}: UPLO must be "L" or "U", got ${fmtValue(uplo)}`);
  const { data, batch, m: n, n: n2, count } = matrices(name, A);
  if (n !== n2) throw new TensileError(`${name}: A must be batches of square matrices, but they are ${n} by ${n2} matrices`);
  const W = new Float64Array(count * n), V = new Float64Array(count * n * n);
  const a = new Float64Array(n * n), w = new Float64Array(n), v = new Float64Array(n * n);
  for (let b = 0; b < count; b++) {
    const o = b * n * n;
    for (let i = 0; i < n; i++)
      for (let j = 0; j <= i; j++) {
        const x = uplo === "L" ? data[o + i * n + j]! : data[o + j * n + i]!;
        a[i * n + j] = a[j * n + i] = x;
      }
    jacobiEigen(a, n, w, v);
    fixSigns(v, 0, n, n);
    W.set(w, b * n);
    V.set(v, o);
  }
  const parts: Part[] = [{ data: W, shape: [n] }, { data: V, shape: [n, n] }];
  const [L, Vt] = packed(name, A, batch, A.dtype, parts, ([gL, gV], [Lv, Vv]) => {
    // PyTorch: gA = V (skew(Vᵀ gV)/2 ÷ E + diag(gL)) Vᵀ, E_jk = λ_k − λ_j (off the diagonal)
    const X = mT(Vv!).matmul(gV!);
    const gaps = Lv!.unsqueeze(-2).sub(Lv!.unsqueeze(-1)).add(diagEmbed(E.fullLike(Lv!, 1)));
    const inner = X.sub(mT(X)).mul(0.5).div(gaps).mul(eyeMask(n, A)).add(diagEmbed(gL!));
    return Vv!.matmul(inner).matmul(mT(Vv!));
  });
  return vectors ? [L!, Vt!] : [L!];
}

/** 1 off the diagonal, 0 on it (n×n, A's dtype and backend). */
function eyeMask(n: number, like: T): T {
  const a = arrayFor(like.dtype, n * n).fill(1);
  for (let i = 0; i < n; i++) a[i * n + i] = 0;
  return wrap(like.backend, like.backend.fromArray(a), [n, n]);
}

/** PyTorch's `torch.return_types.linalg_eigh`: `[eigenvalues, eigenvectors]`, also by name. */
export type Eigh = [Tensor, Tensor] & { readonly eigenvalues: Tensor; readonly eigenvectors: Tensor };

/**
 * Eigenvalues (ascending) and eigenvectors (columns) of symmetric matrices [..., n, n], reading
 * the lower triangle (or the upper, `UPLO: "U"`). Gradient as PyTorch's.
 */
export function eigh(A: T, opts?: EighOptions | null): Eigh {
  const [L, V] = eighImpl("linalg.eigh", A, opts, true);
  return Object.defineProperties([L!, V!], { eigenvalues: { value: L }, eigenvectors: { value: V } }) as Eigh;
}

/** The eigenvalues (ascending) of symmetric matrices; gradient V·diag(g)·Vᵀ. */
export function eigvalsh(A: T, opts?: EighOptions | null): T {
  return eighImpl("linalg.eigvalsh", A, opts, false)[0]!;
}

/** Completes the c orthonormal columns of the m×c matrix u (row-major) to m×total columns (Gram–Schmidt on e₀, e₁, ...). */
function complete(u: Float64Array, m: number, c: number, total: number): Float64Array {
  const out = new Float64Array(m * total);
  for (let i = 0; i < m; i++) for (let j = 0; j < c; j++) out[i * total + j] = u[i * c + j]!;
  let col = c;
  for (let e = 0; e < m && col < total; e++) {
    const x = new Float64Array(m);
    x[e] = 1;
    for (let pass = 0; pass < 2; pass++)
      for (let j = 0; j < col; j++) {
        let d = 0;
        for (let i = 0; i < m; i++) d += out[i * total + j]! * x[i]!;
        for (let i = 0; i < m; i++) x[i]! -= d * out[i * total + j]!;
      }
    const nx = Math.hypot(...x);
    if (nx < 1e-8) continue;
    for (let i = 0; i < m; i++) out[i * total + col] = x[i]! / nx;
    col++;
  }
  return out;
}

/**
 * Thin SVD of the m×n matrix a (row-major) with m ≥ n by one-sided Jacobi: u m×n, s (descending),
 * v n×n (columns), with A = u·diag(s)·vᵀ.
 */
function jacobiSvd(a: Float64Array, m: number, n: number): { u: Float64Array; s: Float64Array; v: Float64Array } {
  const u = Float64Array.from(a), v = new Float64Array(n * n);
  for (let i = 0; i < n; i++) v[i * n + i] = 1;
  for (let sweep = 0; sweep < 100; sweep++) {
    let rotated = false;
    for (let p = 0; p < n; p++)
      for (let q = p + 1; q < n; q++) {
        let al = 0, be = 0, ga = 0;
        for (let k = 0; k < m; k++) {
          const x = u[k * n + p]!, y = u[k * n + q]!;
          al += x * x;
          be += y * y;
          ga += x * y;
        }
        if (ga === 0 || Math.abs(ga) <= 1e-15 * Math.sqrt(al * be)) continue;
        rotated = true;
        const zeta = (be - al) / (2 * ga);
        const t = (zeta >= 0 ? 1 : -1) / (Math.abs(zeta) + Math.sqrt(1 + zeta * zeta));
        const c = 1 / Math.sqrt(1 + t * t), s = c * t;
        rotateColumns(u, m, n, p, q, c, s);
        rotateColumns(v, n, n, p, q, c, s);
      }
    if (!rotated) break;
  }
  const norms = [...Array(n).keys()].map((j) => {
    let s = 0;
    for (let k = 0; k < m; k++) s += u[k * n + j]! ** 2;
    return Math.sqrt(s);
  });
  const order = [...Array(n).keys()].sort((i, j) => norms[j]! - norms[i]!);
  const U = new Float64Array(m * n), V = new Float64Array(n * n), S = new Float64Array(n);
  let rank = 0;
  order.forEach((src, j) => {
    S[j] = norms[src]!;
    if (S[j]! > 0) rank = j + 1;
    for (let k = 0; k < m; k++) U[k * n + j] = S[j]! > 0 ? u[k * n + src]! / S[j]! : 0;
    for (let k = 0; k < n; k++) V[k * n + j] = v[k * n + src]!;
  });
  if (rank < n) {
    // columns of U for zero singular values: any orthonormal completion
    const head = new Float64Array(m * rank);
    for (let k = 0; k < m; k++) for (let j = 0; j < rank; j++) head[k * rank + j] = U[k * n + j]!;
    U.set(complete(head, m, rank, n));
  }
  return { u: U, s: S, v: V };
}

export interface SvdOptions {
  /** U [..., m, m] and Vh [..., n, n] (true, the default, as PyTorch) or the thin factors [..., m, k], [..., k, n]. */
  fullMatrices?: boolean;
}

/** PyTorch's `torch.return_types.linalg_svd`: `[U, S, Vh]`, also by name. */
export type Svd = [Tensor, Tensor, Tensor] & { readonly U: Tensor; readonly S: Tensor; readonly Vh: Tensor };

function svdImpl(name: string, A: T, fullMatrices: boolean, vectors: boolean): T[] {
  if (typeof fullMatrices !== "boolean") throw new TensileError(`${name}: fullMatrices must be a boolean, got ${fmtValue(fullMatrices)}`);
  const { data, batch, m, n, count } = matrices(name, A);
  const k = Math.min(m, n);
  const mu = fullMatrices ? m : k, nv = fullMatrices ? n : k;
  const Us = new Float64Array(count * m * mu), Ss = new Float64Array(count * k), Vhs = new Float64Array(count * nv * n);
  for (let b = 0; b < count; b++) {
    const a = data.subarray(b * m * n, (b + 1) * m * n);
    // m ≥ n: A = U S Vᵀ directly; otherwise from Aᵀ = V S Uᵀ
    let U: Float64Array, V: Float64Array, S: Float64Array;
    if (m >= n) ({ u: U, s: S, v: V } = jacobiSvd(a, m, n));
    else {
      const at = new Float64Array(n * m);
      for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) at[j * m + i] = a[i * n + j]!;
      ({ u: V, s: S, v: U } = jacobiSvd(at, n, m));
    }
    // U m×k, V n×k: complete when full, then Vh = Vᵀ
    const Uf = mu > k ? complete(U, m, k, mu) : U;
    const Vf = nv > k ? complete(V, n, k, nv) : V;
    const Vh = new Float64Array(nv * n);
    for (let i = 0; i < n; i++) for (let j = 0; j < nv; j++) Vh[j * n + i] = Vf[i * nv + j]!;
    fixSigns(Uf, 0, m, mu, { data: Vh, o: 0, n });
    Us.set(Uf, b * m * mu);
    Ss.set(S, b * k);
    Vhs.set(Vh, b * nv * n);
  }
  const parts: Part[] = [{ data: Us, shape: [m, mu] }, { data: Ss, shape: [k] }, { data: Vhs, shape: [nv, n] }];
  const outs = packed(name, A, batch, A.dtype, parts, ([gU0, gS, gVh0], [U0, S, Vh0]) => {
    // PyTorch 1.13's svd_backward on the thin factors: with full matrices of a non-square input,
    // the completing columns (not unique) and their gradients are ignored, as torch ignores them
    const U = U0!.narrow(-1, 0, k), Vh = Vh0!.narrow(-2, 0, k), V = mT(Vh);
    const gU = gU0!.narrow(-1, 0, k), gV = mT(gVh0!.narrow(-2, 0, k));
    const skew = (X: T) => X.sub(mT(X));
    const S2 = S!.mul(S!);
    const gaps = S2.unsqueeze(-2).sub(S2.unsqueeze(-1)).add(diagEmbed(E.fullLike(S2, 1)));
    let gA = skew(mT(U).matmul(gU)).mul(S!.unsqueeze(-2)).add(S!.unsqueeze(-1).mul(skew(Vh.matmul(gV)))).div(gaps).mul(eyeMask(k, A));
    gA = gA.add(diagEmbed(gS!));
    if (m > k) {
      gA = U.matmul(gA);
      const gUSinv = gU.div(S!.unsqueeze(-2));
      gA = gA.add(gUSinv).sub(U.matmul(mT(U).matmul(gUSinv))).matmul(Vh);
    } else if (n > k) {
      gA = gA.matmul(Vh);
      const SinvgVh = mT(gV).div(S!.unsqueeze(-1));
      gA = U.matmul(gA.add(SinvgVh).sub(SinvgVh.matmul(V).matmul(Vh)));
    } else gA = U.matmul(gA).matmul(Vh);
    return gA;
  });
  return vectors ? outs : [outs[1]!];
}

/**
 * A = U·diag(S)·Vh for matrices [..., m, n]: S descending, U [..., m, m] and Vh [..., n, n]
 * (`fullMatrices: false`: [..., m, k], [..., k, n], k = min(m, n)). Gradient as PyTorch's: through
 * the thin factors (with full matrices of a non-square input, the gradient reaching the completing
 * columns is ignored, as PyTorch 1.13 ignores it).
 */
export function svd(A: T, opts?: SvdOptions | null): Svd {
  const [U, S, Vh] = svdImpl("linalg.svd", A, opts?.fullMatrices ?? true, true);
  return Object.defineProperties([U!, S!, Vh!], { U: { value: U }, S: { value: S }, Vh: { value: Vh } }) as Svd;
}

/** The singular values (descending) of matrices [..., m, n]; gradient U·diag(g)·Vh. */
export function svdvals(A: T): T {
  return svdImpl("linalg.svdvals", A, false, false)[0]!;
}

/** PyTorch's `torch.return_types.linalg_qr`: `[Q, R]`, also by name. */
export type QR = [Tensor, Tensor] & { readonly Q: Tensor; readonly R: Tensor };

/**
 * A = Q·R with orthonormal Q and upper-triangular R, by Householder reflections as LAPACK's geqrf
 * (so R's diagonal signs are PyTorch's). `mode`: "reduced" (Q [..., m, k], R [..., k, n]),
 * "complete" (Q [..., m, m], R [..., m, n]) or "r" (R only; Q empty). Gradient as PyTorch's: any
 * shape in mode "reduced" (wide inputs too), mode "complete" for m ≤ n; none in mode "r".
 */
export function qr(A: T, mode: "reduced" | "complete" | "r" = "reduced"): QR {
  const name = "linalg.qr";
  if (mode !== "reduced" && mode !== "complete" && mode !== "r") throw new TensileError(`${name}: mode must be "reduced", "complete" or "r", got ${fmtValue(mode)}`);
  const { data, batch, m, n, count } = matrices(name, A);
  const k = Math.min(m, n);
  const qc = mode === "complete" ? m : k, rr = mode === "complete" ? m : k;
  const Qs = new Float64Array(count * m * qc), Rs = new Float64Array(count * rr * n);
  for (let b = 0; b < count; b++) {
    const R = data.slice(b * m * n, (b + 1) * m * n);
    const vs: Float64Array[] = [], taus: number[] = [];
    for (let j = 0; j < k; j++) {
      const alpha = R[j * n + j]!;
      let xn = 0;
      for (let i = j + 1; i < m; i++) xn += R[i * n + j]! ** 2;
      xn = Math.sqrt(xn);
      const v = new Float64Array(m - j);
      v[0] = 1;
      if (xn === 0) {
        vs.push(v);
        taus.push(0);
        continue;
      }
      const beta = -(alpha >= 0 ? 1 : -1) * Math.hypot(alpha, xn);
      const tau = (beta - alpha) / beta;
      for (let i = 1; i < m - j; i++) v[i] = R[(j + i) * n + j]! / (alpha - beta);
      for (let c = j; c < n; c++) {
        let w = 0;
        for (let i = 0; i < m - j; i++) w += v[i]! * R[(j + i) * n + c]!;
        for (let i = 0; i < m - j; i++) R[(j + i) * n + c]! -= tau * v[i]! * w;
      }
      R[j * n + j] = beta;
      for (let i = j + 1; i < m; i++) R[i * n + j] = 0;
      vs.push(v);
      taus.push(tau);
    }
    // Q = H₀ H₁ … applied to the first qc columns of the identity
    const Q = new Float64Array(m * qc);
    for (let i = 0; i < Math.min(m, qc); i++) Q[i * qc + i] = 1;
    for (let j = k - 1; j >= 0; j--) {
      const v = vs[j]!, tau = taus[j]!;
      if (tau === 0) continue;
      for (let c = 0; c < qc; c++) {
        let w = 0;
        for (let i = 0; i < m - j; i++) w += v[i]! * Q[(j + i) * qc + c]!;
        for (let i = 0; i < m - j; i++) Q[(j + i) * qc + c]! -= tau * v[i]! * w;
      }
    }
    Qs.set(Q, b * m * qc);
    for (let i = 0; i < rr; i++) for (let c = 0; c < n; c++) Rs[b * rr * n + i * n + c] = i <= c ? R[i * n + c]! : 0;
  }
  const parts: Part[] = [{ data: Qs, shape: [m, qc] }, { data: Rs, shape: [rr, n] }];
  // the square / tall (m ≥ n) rule: M = R gRᵀ − gQᵀ Q; gA = (gQ + Q copyltu(M)) R⁻ᵀ,
  // copyltu(M) = tril(M, −1) + tril(M, −1)ᵀ + diag(M)
  const tallGrad = (gQ: T, gR: T, Qv: T, Rv: T): T => {
    const M = Rv.matmul(mT(gR)).sub(mT(gQ).matmul(Qv));
    const low = M.tril(-1);
    const sym = low.add(mT(low)).add(M.sub(M.tril(-1)).sub(M.triu(1)));
    return gQ.add(Qv.matmul(sym)).matmul(mT(inv(Rv)));
  };
  const [Q, R] = packed(name, A, batch, A.dtype, parts, ([gQ, gR], [Qv, Rv]) => {
    if (mode === "r") throw new TensileError(`${name}: the derivative of QR is not implemented in mode "r" (as in PyTorch); use mode "reduced"`);
    if (mode === "complete" && m > n)
      throw new TensileError(`${name}: the derivative of QR is not implemented in mode "complete" with m > n (input ${fmtShape(A.shape)}), as in PyTorch`);
    if (m >= n) return tallGrad(gQ!, gR!, Qv!, Rv!);
    // wide (m < n), as PyTorch's: A = [X | Y], R = [U | V] with X = QU (square) and Y = QV, so
    // gY = Q gV and X gets the square rule with gQ + Y gVᵀ for gQ and gU for gR
    const U = Rv!.narrow(-1, 0, m), V = Rv!.narrow(-1, m, n - m);
    const gU = gR!.narrow(-1, 0, m), gV = gR!.narrow(-1, m, n - m);
    const gQw = gQ!.add(Qv!.matmul(V).matmul(mT(gV)));
    return cat([tallGrad(gQw, gU, Qv!, U), Qv!.matmul(gV)], -1);
  });
  const q = mode === "r" ? wrap(A.backend, A.backend.fromArray(arrayFor(A.dtype, 0)), [0]) : Q!;
  return Object.defineProperties([q, R!], { Q: { value: q }, R: { value: R } }) as QR;
}

export interface RankTolerance {
  /** Singular values at most atol count as zero (default 0). */
  atol?: number | null;
  /** ... or at most rtol·σ_max (default max(m, n)·eps of the dtype when atol is not given, else 0). */
  rtol?: number | null;
  /** A is symmetric: use |eigenvalues| instead of singular values. */
  hermitian?: boolean;
}

/** The singular values and the cutoff below which they count as zero (PyTorch's atol / rtol rule). */
function spectrum(name: string, A: T, opts: RankTolerance | null | undefined): { s: T; cutoff: T } {
  const { atol = null, rtol = null, hermitian = false } = opts ?? {};
  for (const [k, v] of [["atol", atol], ["rtol", rtol]] as const)
    if (v !== null && (typeof v !== "number" || !(v >= 0))) throw new TensileError(`${name}: ${k} must be a non-negative number, got ${fmtValue(v)}`);
  if (typeof hermitian !== "boolean") throw new TensileError(`${name}: hermitian must be a boolean, got ${fmtValue(hermitian)}`);
  assertTensor(name, A, "A");
  if (A.ndim < 2) throw new TensileError(`${name}: the input tensor A must have at least 2 dimensions, got ${fmtShape(A.shape)}`);
  const s = hermitian ? E.abs(eigvalsh(A)) : svdvals(A);
  const eps = A.dtype === "float32" ? 2 ** -23 : 2 ** -52;
  const rt = rtol ?? (atol === null ? Math.max(A.shape[A.ndim - 1]!, A.shape[A.ndim - 2]!) * eps : 0);
  const smax = s.shape[s.ndim - 1] === 0 ? E.fullLike(s.sum(-1, true), 0) : s.detach().amax(-1, true);
  return { s, cutoff: E.maximum(smax.mul(rt), atol ?? 0) };
}

/** The number of singular values above the tolerance (int32), as `torch.linalg.matrix_rank`. */
export function matrixRank(A: T, opts?: RankTolerance | null): T {
  const { s, cutoff } = spectrum("linalg.matrixRank", A, opts);
  return s.detach().gt(cutoff).to("int32").sum(-1);
}

/**
 * The Moore–Penrose pseudo-inverse Vᵀ·diag(1/σ)·Uᵀ, singular values at or below the tolerance
 * dropped (`torch.linalg.pinv`; with `hermitian`, from eigh). Gradient: PyTorch's pinv_backward
 * (the derivative of the pseudo-inverse at constant rank), whichever factorization made it.
 */
export function pinv(A: T, opts?: RankTolerance | null): T {
  const name = "linalg.pinv";
  const { cutoff } = spectrum(name, A, opts);
  const out = noGrad(() => {
    if (opts?.hermitian) {
      const [L, V] = eighImpl(name, A.detach(), null, true);
      const Linv = E.where(E.abs(L!).gt(cutoff), L!.reciprocal(), 0);
      return V!.mul(Linv.unsqueeze(-2)).matmul(mT(V!));
    }
    const [U, S, Vh] = svdImpl(name, A.detach(), false, true);
    const Sinv = E.where(S!.gt(cutoff), S!.reciprocal(), 0);
    return mT(Vh!).matmul(Sinv.unsqueeze(-1).mul(mT(U!)));
  }).contiguous();
  const [m, n] = A.shape.slice(-2) as [number, number];
  return record(name, out, [A], (g) => {
    const P = out, Ph = mT(out), gh = mT(g);
    if (m <= n) {
      const K = gh.matmul(P), KPh = K.matmul(Ph);
      return [mT(P.matmul(K)).neg().add(KPh).sub(A.matmul(P).matmul(KPh)).add(Ph.matmul(P).matmul(gh.sub(K.matmul(A))))];
    }
    const K = P.matmul(gh), PhK = Ph.matmul(K);
    return [mT(K.matmul(P)).neg().add(gh.sub(A.matmul(K)).matmul(P).matmul(Ph)).add(PhK).sub(PhK.matmul(P).matmul(A))];
  }, undefined, [A, out]);
}

/** The condition number σ_max/σ_min (p = null or 2; −2: the inverse ratio), or norm(A, p)·norm(A⁻¹, p) for "fro", "nuc", ±1, ±Infinity. */
export function cond(A: T, p?: number | "fro" | "nuc" | null): T {
  const name = "linalg.cond";
  assertTensor(name, A, "A");
  if (p === undefined || p === null || p === 2 || p === -2) {
    const s = svdvals(A);
    const n = s.shape[s.ndim - 1]!;
    const hi = s.narrow(-1, 0, 1).squeeze(-1), lo = s.narrow(-1, n - 1, 1).squeeze(-1);
    return p === -2 ? lo.div(hi) : hi.div(lo);
  }
  if (!["fro", "nuc", 1, -1, Infinity, -Infinity].includes(p as never)) throw new TensileError(`${name}: p must be null, "fro", "nuc", ±1, ±2 or ±Infinity, got ${fmtValue(p)}`);
  return matrixNorm(A, p).mul(matrixNorm(inv(A), p));
}

/** `torch.pinverse(A, rcond=1e-15)`: pinv with singular values at or below rcond·σ_max dropped. */
export function pinverse(A: T, rcond = 1e-15): T {
  if (typeof rcond !== "number" || !(rcond >= 0)) throw new TensileError(`pinverse: rcond must be a non-negative number, got ${fmtValue(rcond)}`);
  return pinv(A, { rtol: rcond });
}

/** Columns p, q of a row-major rows×n matrix ← (c·p − s·q, s·p + c·q): one Jacobi rotation, in place. */
function rotateColumns(a: Float64Array, rows: number, n: number, p: number, q: number, c: number, s: number): void {
  for (let k = 0; k < rows; k++) {
    const x = a[k * n + p]!, y = a[k * n + q]!;
    a[k * n + p] = c * x - s * y;
    a[k * n + q] = s * x + c * y;
  }
}
