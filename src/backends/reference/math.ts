/** erf(x) to ~1e-15 relative: Taylor series near 0, continued fraction (Lentz) for erfc beyond. */
export function erf(x: number): number {
  if (Number.isNaN(x)) return NaN;
  const ax = Math.abs(x);
  if (ax < 2.5) {
    // erf(x) = 2/√π Σ (-1)^n x^(2n+1) / (n! (2n+1))
    let term = x, sum = x;
    const x2 = x * x;
    for (let n = 1; n < 100; n++) {
      term *= -x2 / n;
      const add = term / (2 * n + 1);
      sum += add;
      if (Math.abs(add) < 1e-17 * Math.abs(sum)) break;
    }
    return (2 / Math.sqrt(Math.PI)) * sum;
  }
  if (ax > 6) return Math.sign(x);
  // erfc(x) = exp(-x²)/√π · 1/(x + 1/2/(x + 1/(x + 3/2/(x + ...))))
  const tiny = 1e-300;
  let f = ax, C = ax, D = 0;
  for (let n = 1; n < 200; n++) {
    const a = n / 2;
    D = ax + a * D;
    D = D === 0 ? tiny : D;
    C = ax + a / C;
    C = C === 0 ? tiny : C;
    D = 1 / D;
    const delta = C * D;
    f *= delta;
    if (Math.abs(delta - 1) < 1e-16) break;
  }
  const erfc = Math.exp(-ax * ax) / Math.sqrt(Math.PI) / f;
  return Math.sign(x) * (1 - erfc);
}

/**
 * erfc(x) = 1 − erf(x) without the cancellation: 1 − erf(x) below 1 (within 1e-15), the continued
 * fraction from 1 on (about 190 terms at 1, 40 at 2.5), where 1 − erf would lose digits.
 */
export function erfc(x: number): number {
  if (Number.isNaN(x)) return NaN;
  if (x < 0) return 2 - erfc(-x);
  if (x < 1) return 1 - erf(x);
  if (x > 27) return 0; // exp(−x²) underflows
  return Math.exp(-x * x) / Math.sqrt(Math.PI) / erfcFraction(x);
}

/** x + 1/2/(x + 1/(x + 3/2/(x + ...))) by Lentz's method: erfc(x) = e^(−x²)/√π / this (x ≥ 1). */
export function erfcFraction(x: number): number {
  const tiny = 1e-300;
  let f = x, C = x, D = 0;
  for (let n = 1; n < 500; n++) {
    const a = n / 2;
    D = x + a * D;
    D = D === 0 ? tiny : D;
    C = x + a / C;
    C = C === 0 ? tiny : C;
    D = 1 / D;
    const delta = C * D;
    f *= delta;
    if (Math.abs(delta - 1) < 1e-16) break;
  }
  return f;
}

/**
 * erfinv(y): Giles' single-precision approximation ("Approximating the erfinv function", GPU Computing
 * Gems, 2011), then two Newton steps on erf(x) = y — on erfc(x) = 1 − |y| where |y| > ½, where
 * 1 − |y| is exact — which take it to double precision. ±1 → ±∞, |y| > 1 → NaN.
 */
export function erfinv(y: number): number {
  if (!(y >= -1 && y <= 1)) return NaN;
  if (y === 0) return y;
  const a = Math.abs(y);
  if (a === 1) return y * Infinity;
  let w = -Math.log((1 - a) * (1 + a));
  let p: number;
  if (w < 5) {
    w -= 2.5;
    p = 2.81022636e-08;
    p = 3.43273939e-07 + p * w;
    p = -3.5233877e-06 + p * w;
    p = -4.39150654e-06 + p * w;
    p = 0.00021858087 + p * w;
    p = -0.00125372503 + p * w;
    p = -0.00417768164 + p * w;
    p = 0.246640727 + p * w;
    p = 1.50140941 + p * w;
  } else {
    w = Math.sqrt(w) - 3;
    p = -0.000200214257;
    p = 0.000100950558 + p * w;
    p = 0.00134934322 + p * w;
    p = -0.00367342844 + p * w;
    p = 0.00573950773 + p * w;
    p = -0.0076224613 + p * w;
    p = 0.00943887047 + p * w;
    p = 1.00167406 + p * w;
    p = 2.83297682 + p * w;
  }
  let x = p * a;
  for (let i = 0; i < 2; i++) {
    const r = a <= 0.5 ? erf(x) - a : 1 - a - erfc(x);
    x -= r / (ERFINV_DERIV * Math.exp(-x * x));
  }
  return y < 0 ? -x : x;
}
/** d erf / dx = 2/√π · e^(−x²) */
const ERFINV_DERIV = 2 / Math.sqrt(Math.PI);

/** sin(πx), reduced exactly to |r| ≤ ½ first, so it is 0 at the integers and accurate near them. */
export function sinPi(x: number): number {
  let r = x % 2;
  if (r > 1) r -= 2;
  else if (r < -1) r += 2;
  if (r > 0.5) r = 1 - r;
  else if (r < -0.5) r = -1 - r;
  return Math.sin(Math.PI * r);
}

/** π / tan(πx), x reduced exactly to |r| ≤ ½ (the period is 1). */
function piCotPi(x: number): number {
  let r = x % 1;
  if (r > 0.5) r -= 1;
  else if (r < -0.5) r += 1;
  return Math.PI / Math.tan(Math.PI * r);
}

const LANCZOS_G = 7;
const LANCZOS = [
  0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
  12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
];

/**
 * log|Γ(x)|: Lanczos' approximation (g = 7, 9 terms, ~1e-15) for x ≥ ½, the reflection
 * log|Γ(x)| = log(π / |sin πx|) − log|Γ(1 − x)| below. +∞ at 0, the negative integers and ±∞.
 */
export function lgamma(x: number): number {
  if (Number.isNaN(x)) return NaN;
  if (!Number.isFinite(x)) return Infinity;
  if (x < 0.5) return Math.log(Math.PI / Math.abs(sinPi(x))) - lgamma(1 - x);
  x -= 1;
  let a = LANCZOS[0]!;
  for (let i = 1; i < LANCZOS.length; i++) a += LANCZOS[i]! / (x + i);
  const t = x + LANCZOS_G + 0.5;
  return 0.5 * Math.log(2 * Math.PI) + (x + 0.5) * Math.log(t) - t + Math.log(a);
}

/**
 * ψ(x) = Γ'(x)/Γ(x): the recurrence ψ(x) = ψ(x + 1) − 1/x up to x ≥ 10, then the asymptotic series
 * ln x − 1/(2x) − Σ B₂ₖ/(2k·x²ᵏ); reflection ψ(x) = ψ(1 − x) − π/tan(πx) below 0. As PyTorch:
 * ψ(±0) = ∓∞, NaN at the negative integers and −∞.
 */
export function digamma(x: number): number {
  if (Number.isNaN(x)) return NaN;
  if (x === 0) return Object.is(x, -0) ? Infinity : -Infinity;
  if (x < 0) return x === Math.trunc(x) ? NaN : digamma(1 - x) - piCotPi(x);
  if (x === Infinity) return x;
  let result = 0;
  for (; x < 10; x += 1) result -= 1 / x;
  const z = 1 / (x * x);
  // B₂ₖ/(2k): 1/12, −1/120, 1/252, −1/240, 1/132, −691/32760, 1/12
  const series = z * (1 / 12 - z * (1 / 120 - z * (1 / 252 - z * (1 / 240 - z * (1 / 132 - z * (691 / 32760 - z / 12))))));
  return result + Math.log(x) - 0.5 / x - series;
}

/**
 * ψ₁(x) = dψ/dx: the recurrence ψ₁(x) = ψ₁(x + 1) + 1/x² up to x ≥ 10, then the asymptotic series
 * 1/x + 1/(2x²) + Σ B₂ₖ/x²ᵏ⁺¹; reflection ψ₁(x) = π²/sin²(πx) − ψ₁(1 − x) below ½. +∞ at the
 * non-positive integers, as PyTorch.
 */
export function trigamma(x: number): number {
  if (Number.isNaN(x) || x === -Infinity) return NaN;
  let sign = 1, result = 0;
  if (x < 0.5) {
    if (x === Math.trunc(x)) return Infinity;
    sign = -1;
    const s = sinPi(x);
    result -= (Math.PI * Math.PI) / (s * s);
    x = 1 - x;
  }
  for (; x < 10; x += 1) result += 1 / (x * x);
  const z = 1 / (x * x);
  const series = (z / x) * (1 / 6 - z * (1 / 30 - z * (1 / 42 - z * (1 / 30 - z * (5 / 66 - z * (691 / 2730 - (z * 7) / 6))))));
  return sign * (result + 1 / x + z / 2 + series);
}

/** (2j)!/B₂ⱼ for j = 1..12: the Euler–Maclaurin correction terms of the Hurwitz zeta function. */
const ZETA_EM = [
  12.0, -720.0, 30240.0, -1209600.0, 47900160.0, -1.8924375803183791606e9, 7.47242496e10, -2.950130727918164224e12,
  1.1646782814350067249e14, -4.5979787224074726105e15, 1.8152105401943546773e17, -7.1661652561756670113e18,
];

/**
 * Hurwitz ζ(s, q) = Σₖ (q + k)^−s (s > 1): the sum directly until q + k > 9 (and at least 9
 * terms), then the Euler–Maclaurin tail, as Cephes' zeta (which PyTorch uses). ∞ at s = 1 and at
 * the non-positive integers q; NaN for s < 1 and for q < 0 with s not an integer.
 */
export function zeta(s: number, q: number): number {
  if (Number.isNaN(s) || Number.isNaN(q)) return NaN;
  if (s === 1) return Infinity;
  if (s < 1) return NaN;
  if (q <= 0) {
    if (q === Math.floor(q)) return Infinity;
    if (s !== Math.floor(s)) return NaN;
  }
  const EPS = 1.1102230246251565e-16;
  let sum = Math.pow(q, -s), a = q, term = 0;
  for (let i = 0; i < 9 || a <= 9; ) {
    i++;
    a += 1;
    term = Math.pow(a, -s);
    sum += term;
    if (Math.abs(term / sum) < EPS) return sum;
  }
  // ∫ from a of x^−s, minus half the last term, then Σ B₂ⱼ/(2j)! · s(s+1)…(s+2j−2) · a^(−s−2j+1)
  sum += (term * a) / (s - 1) - 0.5 * term;
  let rising = 1, k = 0;
  for (let j = 0; j < ZETA_EM.length; j++) {
    rising *= s + k;
    term /= a;
    const t = (rising * term) / ZETA_EM[j]!;
    sum += t;
    if (Math.abs(t / sum) < EPS) break;
    k += 1;
    rising *= s + k;
    term /= a;
    k += 1;
  }
  return sum;
}
