/**
 * Scalar kernels (float64, on the host) of torch.special's orthogonal polynomials of degree n:
 * Chebyshev T, U, V, W and their shifted forms on [0, 1], Hermite H (physicists') and He
 * (probabilists'), Laguerre L and Legendre P, evaluated by their three-term recurrences.
 *
 * The degree follows PyTorch 1.13, which casts n to int64: a non-integer n is truncated toward
 * zero, a negative one gives 0, and NaN, ±∞ or |n| ≥ 2⁶³ (which x86 converts to int64's minimum)
 * give 0 too. Where |x| < 1 (on the shifted interval: |2x − 1| < 1) and the degree is past a small
 * threshold, the Chebyshev polynomials use their trigonometric forms (T_n(cos θ) = cos nθ, ...),
 * as PyTorch does, which keeps large degrees fast and accurate.
 */

/** PyTorch's int64 cast of the degree: trunc(n), with NaN, ±∞ and out-of-range values as −2⁶³. */
function degree(n: number): number {
  if (!Number.isFinite(n) || Math.abs(n) >= 2 ** 63) return -1;
  return Math.trunc(n);
}

const even = (n: number): boolean => n % 2 === 0;

/** p₀ = 1, p₁ = `first`, p_{k+1} = step(k, p_k, p_{k−1}) up to p_n (n ≥ 2); stops early once NaN (it stays NaN). */
function recur(n: number, first: number, step: (k: number, q: number, p: number) => number): number {
  let p = 1, q = first;
  for (let k = 1; k < n; k++) {
    const r = step(k, q, p);
    p = q;
    q = r;
    if (Number.isNaN(q)) return q;
  }
  return q;
}

/** Tₙ(x), the Chebyshev polynomial of the first kind: Tₙ(cos θ) = cos nθ. */
export function chebyshevT(x: number, nIn: number): number {
  const n = degree(nIn);
  if (n < 0) return 0;
  if (Math.abs(x) === 1) return x > 0 || even(n) ? 1 : -1;
  if (n > 6 && Math.abs(x) < 1) return Math.cos(n * Math.acos(x));
  if (n === 0) return 1;
  if (n === 1) return x;
  return recur(n, x, (_k, q, p) => (x + x) * q - p);
}

/** Uₙ(x), the second kind: Uₙ(cos θ) = sin((n + 1)θ)/sin θ. */
export function chebyshevU(x: number, nIn: number): number {
  const n = degree(nIn);
  if (n < 0) return 0;
  if (Math.abs(x) === 1) return x > 0 || even(n) ? n + 1 : -(n + 1);
  if (n > 8 && Math.abs(x) < 1) {
    const t = Math.acos(x);
    return Math.sin(t) !== 0 ? Math.sin((n + 1) * t) / Math.sin(t) : ((n + 1) * Math.cos((n + 1) * t)) / x;
  }
  if (n === 0) return 1;
  if (n === 1) return x + x;
  return recur(n, x + x, (_k, q, p) => (x + x) * q - p);
}

/** Vₙ(x), the third kind: Vₙ(cos θ) = cos((n + ½)θ)/cos(θ/2). */
export function chebyshevV(x: number, nIn: number): number {
  const n = degree(nIn);
  if (n < 0) return 0;
  if (Math.abs(x) === 1) return x > 0 ? 1 : even(n) ? n + n + 1 : -(n + n + 1);
  if (n > 8 && Math.abs(x) < 1) {
    const t = Math.acos(x);
    if (Math.sin(t / 2) !== 1) return Math.cos((n + 0.5) * t) / Math.cos(t / 2);
    return even(n) ? n + n + 1 : -(n + n + 1);
  }
  if (n === 0) return 1;
  if (n === 1) return x + x - 1;
  return recur(n, x + x - 1, (_k, q, p) => (x + x) * q - p);
}

/** Wₙ(x), the fourth kind: Wₙ(cos θ) = sin((n + ½)θ)/sin(θ/2). */
export function chebyshevW(x: number, nIn: number): number {
  const n = degree(nIn);
  if (n < 0) return 0;
  if (Math.abs(x) === 1) return x > 0 ? n + n + 1 : even(n) ? 1 : -1;
  if (n > 8 && Math.abs(x) < 1) {
    const t = Math.acos(x);
    if (Math.cos(t / 2) !== 1) return Math.sin((n + 0.5) * t) / Math.sin(t / 2);
    return x > 0 ? n + n + 1 : even(n) ? 1 : -1;
  }
  if (n === 0) return 1;
  if (n === 1) return x + x + 1;
  return recur(n, x + x + 1, (_k, q, p) => (x + x) * q - p);
}

/** T*ₙ(x) = Tₙ(2x − 1), on [0, 1]. */
export function shiftedChebyshevT(x: number, nIn: number): number {
  const n = degree(nIn);
  if (n < 0) return 0;
  if (x === 1) return 1;
  if (x === 0) return even(n) ? 1 : -1;
  const y = x + x - 1;
  if (n > 6 && Math.abs(y) < 1) return Math.cos(n * Math.acos(y));
  if (n === 0) return 1;
  if (n === 1) return y;
  return recur(n, y, (_k, q, p) => (y + y) * q - p);
}

/** U*ₙ(x) = Uₙ(2x − 1). */
export function shiftedChebyshevU(x: number, nIn: number): number {
  const n = degree(nIn);
  if (n < 0) return 0;
  if (x === 1) return n + 1;
  if (x === 0) return even(n) ? n + 1 : -(n + 1);
  const y = x + x - 1;
  if (n > 6 && Math.abs(y) < 1) {
    const t = Math.acos(y);
    return Math.sin(t) !== 0 ? Math.sin((n + 1) * t) / Math.sin(t) : ((n + 1) * Math.cos((n + 1) * t)) / y;
  }
  if (n === 0) return 1;
  if (n === 1) return y + y;
  return recur(n, y + y, (_k, q, p) => (y + y) * q - p);
}

/** V*ₙ(x) = Vₙ(2x − 1). */
export function shiftedChebyshevV(x: number, nIn: number): number {
  const n = degree(nIn);
  if (n < 0) return 0;
  if (x === 1) return 1;
  if (x === 0) return even(n) ? n + n + 1 : -(n + n + 1);
  const y = x + x - 1;
  if (n > 6 && Math.abs(y) < 1) {
    const t = Math.acos(y);
    if (Math.sin(t / 2) !== 1) return Math.cos((n + 0.5) * t) / Math.cos(t / 2);
    return even(n) ? n + n + 1 : -(n + n + 1);
  }
  if (n === 0) return 1;
  if (n === 1) return y + y - 1;
  return recur(n, y + y - 1, (_k, q, p) => (y + y) * q - p);
}

/** W*ₙ(x) = Wₙ(2x − 1). */
export function shiftedChebyshevW(x: number, nIn: number): number {
  const n = degree(nIn);
  if (n < 0) return 0;
  if (x === 1) return n + n + 1;
  if (x === 0) return even(n) ? 1 : -1;
  const y = x + x - 1;
  if (n > 4 && Math.abs(y) < 1) {
    const t = Math.acos(y);
    if (Math.cos(t / 2) !== 1) return Math.sin((n + 0.5) * t) / Math.sin(t / 2);
    return even(n) ? 1 : -1;
  }
  if (n === 0) return 1;
  if (n === 1) return y + y + 1;
  return recur(n, y + y + 1, (_k, q, p) => (y + y) * q - p);
}

/** Hₙ(x), the physicists' Hermite polynomial: H_{k+1} = 2x·H_k − 2k·H_{k−1}. */
export function hermiteH(x: number, nIn: number): number {
  const n = degree(nIn);
  if (n < 0) return 0;
  if (n === 0) return 1;
  if (n === 1) return x + x;
  return recur(n, x + x, (k, q, p) => (x + x) * q - 2 * k * p);
}

/** Heₙ(x), the probabilists' Hermite polynomial: He_{k+1} = x·He_k − k·He_{k−1}. */
export function hermiteHe(x: number, nIn: number): number {
  const n = degree(nIn);
  if (n < 0) return 0;
  if (n === 0) return 1;
  if (n === 1) return x;
  return recur(n, x, (k, q, p) => x * q - k * p);
}

/** Lₙ(x), the Laguerre polynomial: (k + 1)·L_{k+1} = (2k + 1 − x)·L_k − k·L_{k−1}; 1 at x = 0. */
export function laguerreL(x: number, nIn: number): number {
  const n = degree(nIn);
  if (n < 0) return 0;
  if (x === 0 || n === 0) return 1;
  if (n === 1) return 1 - x;
  return recur(n, 1 - x, (k, q, p) => ((k + k + (1 - x)) * q - k * p) / (k + 1));
}

/** Pₙ(x), the Legendre polynomial: (k + 1)·P_{k+1} = (2k + 1)·x·P_k − k·P_{k−1}. */
export function legendreP(x: number, nIn: number): number {
  const n = degree(nIn);
  if (n < 0) return 0;
  if (Math.abs(x) === 1) return x > 0 || even(n) ? 1 : -1;
  if (n === 0) return 1;
  if (n === 1) return x;
  return recur(n, x, (k, q, p) => ((k + k + 1) * x * q - k * p) / (k + 1));
}
