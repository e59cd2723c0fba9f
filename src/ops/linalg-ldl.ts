/**
 * torch.linalg's ldl_factor, ldl_factor_ex and ldl_solve: the Bunch–Kaufman factorization
 * A = L·D·Lᵀ of symmetric matrices (LAPACK's sytrf with uplo "L"), computed on the host in float64.
 *
 * The algorithm is LAPACK's unblocked dsytf2 step for step (the blocked dsytrf runs it whole for
 * n ≤ 64, its block size): partial pivoting with α = (1 + √17)/8 chooses a 1×1 pivot, a 1×1 pivot
 * swapped in from row imax, or a 2×2 pivot, so the pivots are LAPACK's (and torch's) exactly.
 * Storage is LAPACK's: LD holds D's diagonal (and each 2×2 block's subdiagonal entry) and L's
 * multipliers below it (L has a unit diagonal, and zeros under a 2×2 block's first column); the
 * interchanges are applied only to the columns not yet factored, so L is that of
 * A = (P₁L₁)(P₂L₂)…D…ᵀ. pivots (int32, 1-based): k > 0 for a 1×1 block (row swapped with k), −k
 * on both rows of a 2×2 block (the second row swapped with k). The upper triangle of LD is zero,
 * as torch returns it. ldlSolve is LAPACK's sytrs on that storage.
 *
 * Not differentiable, as in torch 1.13 (its derivatives are "not implemented"): backward through
 * ldlFactor's or ldlSolve's result throws.
 */
import { record } from "../autograd/engine.js";
import { LinAlgError, TensileError, fmtShape, fmtValue } from "../errors.js";
import { isFloating } from "../tensor/dtype.js";
import type { Tensor } from "../tensor/tensor.js";
import { infoTensor } from "./linalg-ex.js";
import { fromHost } from "./linalg-lu.js";
import { assertTensor, onBackend, wrap } from "./util.js";

type T = Tensor;

const ALPHA = (1 + Math.sqrt(17)) / 8;

const named = <R>(values: Tensor[], names: string[]): R =>
  Object.defineProperties(values, Object.fromEntries(names.map((k, i) => [k, { value: values[i] }]))) as R;

/** PyTorch's `torch.return_types.linalg_ldl_factor`: `[LD, pivots]`, also by name. */
export type LDLFactor = [Tensor, Tensor] & { readonly LD: Tensor; readonly pivots: Tensor };
/** PyTorch's `torch.return_types.linalg_ldl_factor_ex`: `[LD, pivots, info]`, also by name. */
export type LDLFactorEx = [Tensor, Tensor, Tensor] & { readonly LD: Tensor; readonly pivots: Tensor; readonly info: Tensor };

export interface LdlOptions {
  /** Hermitian rather than symmetric (the same for real matrices; accepted as torch's). */
  hermitian?: boolean;
}

function boolOption(name: string, key: string, v: unknown, dflt: boolean): boolean {
  if (v === undefined) return dflt;
  if (typeof v !== "boolean") throw new TensileError(`${name}: ${key} must be a boolean, got ${fmtValue(v)}`);
  return v;
}

function checkSquare(name: string, A: T, what: string): number {
  assertTensor(name, A, what);
  if (A.ndim < 2) throw new TensileError(`${name}: the input tensor ${what} must have at least 2 dimensions, got ${fmtShape(A.shape)}`);
  if (!isFloating(A.dtype)) throw new TensileError(`${name}: expected a floating point tensor ${what}, got ${A.dtype}`);
  const n = A.shape[A.ndim - 1]!;
  if (A.shape[A.ndim - 2] !== n) throw new TensileError(`${name}: ${what} must be batches of square matrices, but they are ${A.shape[A.ndim - 2]} by ${n} matrices (shape ${fmtShape(A.shape)})`);
  return n;
}

/** The first index of the largest |x[o + i·stride]| for i < len (BLAS idamax, 0-based). */
function iamax(x: Float64Array, o: number, len: number, stride: number): number {
  let best = -1, at = 0;
  for (let i = 0; i < len; i++) {
    const v = Math.abs(x[o + i * stride]!);
    if (v > best) (best = v), (at = i);
  }
  return at;
}

/**
 * LAPACK's dsytf2 (uplo "L") on the n×n row-major matrix at a[o..] in place (only its lower
 * triangle is read or written); 1-based pivots into piv[po..]. Returns info: 0, or the first k
 * (1-based) whose column was exactly zero (D[k, k] = 0; the factorization goes on).
 */
function sytf2(a: Float64Array, o: number, n: number, piv: Int32Array, po: number): number {
  const A = (i: number, j: number) => o + i * n + j; // 0-based (row, column)
  let info = 0;
  for (let k = 0; k < n; ) {
    let kstep = 1, kp = k;
    const absakk = Math.abs(a[A(k, k)]!);
    let imax = k, colmax = 0;
    if (k < n - 1) {
      imax = k + 1 + iamax(a, A(k + 1, k), n - k - 1, n);
      colmax = Math.abs(a[A(imax, k)]!);
    }
    if (Math.max(absakk, colmax) === 0 || Number.isNaN(absakk)) {
      if (info === 0) info = k + 1;
    } else {
      if (absakk >= ALPHA * colmax) kp = k;
      else {
        // rowmax: the largest off-diagonal |entry| in row (and column) imax of the trailing matrix
        let jmax = k + iamax(a, A(imax, k), imax - k, 1);
        let rowmax = Math.abs(a[A(imax, jmax)]!);
        if (imax < n - 1) {
          jmax = imax + 1 + iamax(a, A(imax + 1, imax), n - imax - 1, n);
          rowmax = Math.max(rowmax, Math.abs(a[A(jmax, imax)]!));
        }
        if (absakk >= ALPHA * colmax * (colmax / rowmax)) kp = k;
        else if (Math.abs(a[A(imax, imax)]!) >= ALPHA * rowmax) kp = imax;
        else (kp = imax), (kstep = 2);
      }
      const kk = k + kstep - 1;
      if (kp !== kk) {
        // swap rows and columns kk and kp of the trailing lower triangle
        const swap = (p: number, q: number) => {
          const t = a[p]!;
          a[p] = a[q]!;
          a[q] = t;
        };
        for (let i = kp + 1; i < n; i++) swap(A(i, kk), A(i, kp));
        for (let j = kk + 1; j < kp; j++) swap(A(j, kk), A(kp, j));
        swap(A(kk, kk), A(kp, kp));
        if (kstep === 2) swap(A(k + 1, k), A(kp, k));
      }
      if (kstep === 1) {
        if (k < n - 1) {
          // A₂₂ −= x·xᵀ/d (dsyr, column by column), then x /= d
          const r = 1 / a[A(k, k)]!;
          for (let j = k + 1; j < n; j++) {
            const xj = a[A(j, k)]!;
            if (xj !== 0) {
              const t = -r * xj;
              for (let i = j; i < n; i++) a[A(i, j)]! += a[A(i, k)]! * t;
            }
          }
          for (let i = k + 1; i < n; i++) a[A(i, k)]! *= r;
        }
      } else if (k < n - 2) {
        // A₂₂ −= [x y]·D⁻¹·[x y]ᵀ with D the 2×2 block, then [x y] := [x y]·D⁻¹
        let d21 = a[A(k + 1, k)]!;
        const d11 = a[A(k + 1, k + 1)]! / d21, d22 = a[A(k, k)]! / d21;
        const t = 1 / (d11 * d22 - 1);
        d21 = t / d21;
        for (let j = k + 2; j < n; j++) {
          const wk = d21 * (d11 * a[A(j, k)]! - a[A(j, k + 1)]!);
          const wkp1 = d21 * (d22 * a[A(j, k + 1)]! - a[A(j, k)]!);
          for (let i = j; i < n; i++) a[A(i, j)]! -= a[A(i, k)]! * wk + a[A(i, k + 1)]! * wkp1;
          a[A(j, k)] = wk;
          a[A(j, k + 1)] = wkp1;
        }
      }
    }
    if (kstep === 1) piv[po + k] = kp + 1;
    else piv[po + k] = piv[po + k + 1] = -(kp + 1);
    k += kstep;
  }
  return info;
}

/** Refuses backward through a result, as torch 1.13 ("derivative ... is not implemented"). */
function notDifferentiable(name: string, out: T, inputs: T[]): T {
  return record(name, out, inputs, () => {
    throw new TensileError(`${name}: the derivative is not implemented (as in torch 1.13); to differentiate a solve with a symmetric matrix use linalg.solve`);
  }, undefined, []);
}

function factorImpl(name: string, A: T, opts: (LdlOptions & { checkErrors?: boolean }) | null | undefined, throwOnError: boolean): T[] {
  boolOption(name, "hermitian", opts?.hermitian, false);
  const checkErrors = boolOption(name, "checkErrors", opts?.checkErrors, false) || throwOnError;
  const n = checkSquare(name, A, "A");
  const batch = A.shape.slice(0, -2);
  const count = batch.reduce((p, q) => p * q, 1);
  const a = Float64Array.from(A.contiguous().dataSync());
  const piv = new Int32Array(count * n), info = new Int32Array(count);
  for (let b = 0; b < count; b++) {
    const o = b * n * n;
    info[b] = sytf2(a, o, n, piv, b * n);
    // LD = tril(sytrf's output), as torch returns it
    for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) a[o + i * n + j] = 0;
  }
  const bad = info.findIndex((v) => v > 0);
  if (checkErrors && bad >= 0)
    throw new LinAlgError(`${name}: ${count > 1 ? `(Batch element ${bad}): ` : ""}The factorization could not be completed because the block diagonal matrix D is singular (D[${info[bad]},${info[bad]}] is zero: the column it pivots on is zero).`);
  const LD = notDifferentiable(name, fromHost(A, A.dtype, a, A.shape), [A]);
  const pivots = wrap(A.backend, A.backend.fromArray(piv), [...batch, n]);
  return [LD, pivots, infoTensor(A, info, batch)];
}

/**
 * The Bunch–Kaufman factorization A = L·D·Lᵀ of symmetric matrices A [..., n, n] (the lower
 * triangle read), as `torch.linalg.ldl_factor`: `[LD, pivots]` in LAPACK's sytrf storage (see the
 * file header), pivots int32 [..., n]. A LinAlgError when D comes out singular (torch 1.13 fails
 * an internal assertion there). Not differentiable, as torch's.
 *
 * @example
 * const [LD, pivots] = linalg.ldlFactor(tensor([[4, 2, 1], [2, -3, 5], [1, 5, 0.5]]));
 */
export function ldlFactor(A: T, opts?: LdlOptions | null): LDLFactor {
  const [LD, pivots] = factorImpl("linalg.ldlFactor", A, opts, true);
  return named<LDLFactor>([LD!, pivots!], ["LD", "pivots"]);
}

/**
 * linalg.ldlFactor with LAPACK's info instead of an error, as `torch.linalg.ldl_factor_ex`:
 * `[LD, pivots, info]`, info[b] = 0 or the first (1-based) k whose pivot column was exactly zero,
 * so that D[k, k] = 0. `checkErrors: true` throws a LinAlgError instead.
 *
 * @example
 * const [LD, pivots, info] = linalg.ldlFactorEx(A);
 */
export function ldlFactorEx(A: T, opts?: (LdlOptions & { checkErrors?: boolean }) | null): LDLFactorEx {
  const [LD, pivots, info] = factorImpl("linalg.ldlFactorEx", A, opts, false);
  return named<LDLFactorEx>([LD!, pivots!, info!], ["LD", "pivots", "info"]);
}

/**
 * The solution X of A·X = B from A's factorization by linalg.ldlFactor (LD [..., n, n] and
 * pivots [..., n]), B [..., n, k], batch dims broadcast, as `torch.linalg.ldl_solve` (LAPACK's
 * sytrs). Not differentiable, as torch 1.13's.
 *
 * @example
 * const [LD, pivots] = linalg.ldlFactor(A);
 * const X = linalg.ldlSolve(LD, pivots, B);   // A·X = B
 */
export function ldlSolve(LD: T, pivots: T, B: T, opts?: LdlOptions | null): T {
  const name = "linalg.ldlSolve";
  boolOption(name, "hermitian", opts?.hermitian, false);
  const n = checkSquare(name, LD, "LD");
  assertTensor(name, pivots, "pivots");
  assertTensor(name, B, "B");
  if (pivots.dtype !== "int32") throw new TensileError(`${name}: pivots must be an int32 tensor (as linalg.ldlFactor returns), got ${pivots.dtype}`);
  const want = [...LD.shape.slice(0, -1)];
  if (pivots.ndim !== want.length || pivots.shape.some((d, i) => d !== want[i]))
    throw new TensileError(`${name}: expected pivots of shape ${fmtShape(want)} for LD of shape ${fmtShape(LD.shape)}, but got pivots of shape ${fmtShape(pivots.shape)}`);
  if (B.ndim < 2) throw new TensileError(`${name}: the input tensor B must have at least 2 dimensions, got ${fmtShape(B.shape)}`);
  if (B.dtype !== LD.dtype) throw new TensileError(`${name}: expected LD and B to have the same dtype, but found LD of type ${LD.dtype} and B of type ${B.dtype}`);
  if (B.shape[B.ndim - 2] !== n)
    throw new TensileError(`${name}: incompatible shapes of A and B for the equation AX = B (LD ${fmtShape(LD.shape)} and B ${fmtShape(B.shape)})`);
  const k = B.shape[B.ndim - 1]!;
  const lb = LD.shape.slice(0, -2), bb = B.shape.slice(0, -2), nd = Math.max(lb.length, bb.length);
  const batch = Array.from({ length: nd }, (_, i) => {
    const x = lb[lb.length - nd + i] ?? 1, y = bb[bb.length - nd + i] ?? 1;
    if (x !== y && x !== 1 && y !== 1) throw new TensileError(`${name}: the batch dims of LD ${fmtShape(LD.shape)} and B ${fmtShape(B.shape)} do not broadcast`);
    return x === 1 ? y : x;
  });
  const count = batch.reduce((p, q) => p * q, 1);
  const a = Float64Array.from(LD.expand([...batch, n, n]).contiguous().dataSync());
  const pv = Int32Array.from(pivots.expand([...batch, n]).contiguous().dataSync());
  const bad = pv.findIndex((p) => p === 0 || Math.abs(p) > n);
  if (bad >= 0) throw new TensileError(`${name}: pivots must be between 1 and n = ${n} in absolute value, got ${pv[bad]} (at flat index ${bad}); did you pass the result of linalg.ldlFactor?`);
  for (let b = 0; b < count; b++)
    for (let i = 0; i < n; i++) {
      const p = pv[b * n + i]!;
      if (p > 0) continue;
      if (i + 1 >= n || pv[b * n + i + 1] !== p)
        throw new TensileError(`${name}: a negative pivot (a 2×2 block) must appear on two consecutive rows, got ${p} at row ${i} of matrix ${b} alone; did you pass the result of linalg.ldlFactor?`);
      i++;
    }
  const x = Float64Array.from(onBackend(B, LD.backend).expand([...batch, n, k]).contiguous().dataSync());
  for (let b = 0; b < count; b++) sytrs(a, b * n * n, n, pv, b * n, x, b * n * k, k);
  return notDifferentiable(name, fromHost(LD, LD.dtype, x, [...batch, n, k]), [LD, B]);
}

/** LAPACK's dsytrs (uplo "L"): solves L·D·Lᵀ·X = B in place for the k columns of b (row-major n×k at b[ob..]). */
function sytrs(a: Float64Array, o: number, n: number, piv: Int32Array, po: number, b: Float64Array, ob: number, k: number): void {
  const A = (i: number, j: number) => a[o + i * n + j]!;
  const swapRows = (p: number, q: number) => {
    if (p === q) return;
    for (let j = 0; j < k; j++) {
      const t = b[ob + p * k + j]!;
      b[ob + p * k + j] = b[ob + q * k + j]!;
      b[ob + q * k + j] = t;
    }
  };
  // B(r, :) −= A(r, c)·B(row, :) for r > from
  const eliminate = (from: number, c: number, row: number) => {
    for (let r = from; r < n; r++) {
      const f = A(r, c);
      for (let j = 0; j < k; j++) b[ob + r * k + j]! -= f * b[ob + row * k + j]!;
    }
  };
  // B(row, :) −= A(from:, c)ᵀ·B(from:, :)
  const gather = (from: number, c: number, row: number) => {
    for (let j = 0; j < k; j++) {
      let s = 0;
      for (let r = from; r < n; r++) s += A(r, c) * b[ob + r * k + j]!;
      b[ob + row * k + j]! -= s;
    }
  };
  // L·D·Y = B
  for (let i = 0; i < n; ) {
    const p = piv[po + i]!;
    if (p > 0) {
      swapRows(i, p - 1);
      eliminate(i + 1, i, i);
      const d = 1 / A(i, i);
      for (let j = 0; j < k; j++) b[ob + i * k + j]! *= d;
      i += 1;
    } else {
      swapRows(i + 1, -p - 1);
      eliminate(i + 2, i, i);
      eliminate(i + 2, i + 1, i + 1);
      const akm1k = A(i + 1, i), akm1 = A(i, i) / akm1k, ak = A(i + 1, i + 1) / akm1k, denom = akm1 * ak - 1;
      for (let j = 0; j < k; j++) {
        const bkm1 = b[ob + i * k + j]! / akm1k, bk = b[ob + (i + 1) * k + j]! / akm1k;
        b[ob + i * k + j] = (ak * bkm1 - bk) / denom;
        b[ob + (i + 1) * k + j] = (akm1 * bk - bkm1) / denom;
      }
      i += 2;
    }
  }
  // Lᵀ·X = Y
  for (let i = n - 1; i >= 0; ) {
    const p = piv[po + i]!;
    if (p > 0) {
      gather(i + 1, i, i);
      swapRows(i, p - 1);
      i -= 1;
    } else {
      gather(i + 1, i, i);
      gather(i + 1, i - 1, i - 1);
      swapRows(i, -p - 1);
      i -= 2;
    }
  }
}
