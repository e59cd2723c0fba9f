/**
 * Scalar kernels (float64, on the host) of torch.special's Bessel-type functions: J0, J1, Y0, Y1,
 * K0, K1 and their exponentially scaled forms, the spherical j0 and the Airy function Ai, with
 * PyTorch 1.13's values at 0, at negative arguments and at ±∞ (NaN where 1.13 gives NaN).
 *
 * Methods (all textbook, DLMF chapter 10 and 9):
 * - J and Y of orders 0 and 1: the power series (DLMF 10.2.2, 10.8.1) for |x| ≤ 12, Hankel's
 *   asymptotic expansion (DLMF 10.17.3–4) beyond, each stopped at its smallest term; the switch point
 *   balances the series' cancellation against the expansion's truncation (absolute error ~1e-11).
 * - K_ν(x) = ∫₀^∞ e^(−x·cosh t)·cosh(νt) dt (DLMF 10.32.9) by the trapezoid rule, which converges
 *   exponentially for this integrand, for x ≤ 30; the asymptotic expansion (DLMF 10.40.2) beyond.
 * - Ai: its Maclaurin series near 0, Ai(x) = √(x/3)·K_{1/3}(ζ)/π with ζ = ⅔x^{3/2} for x > 1, and
 *   the oscillatory expansion (DLMF 9.7.9) for x < −7, in the phase ζ + π/4 as Cephes computes it.
 */

const EULER_GAMMA = 0.5772156649015329;
const TWO_OVER_PI = 2 / Math.PI;
const EPS = 2.220446049250313e-16;

// ---------- J and Y, orders 0 and 1 ----------

/** Σ_k c_k·(−x²/4)^k of J_n's series and of Y_n's logarithm-free part; series terms start at `first`. */
function besselSeries(x: number, order: 0 | 1): { j: number; y: number } {
  const q = (x * x) / 4;
  // t_k = (−q)^k / (k!·(k + order)!); J_n = (x/2)^n Σ t_k; the Y sums weigh t_k by H_k (+ H_{k+1})
  let t = 1, j = 1, h = 0, hy = order === 0 ? 0 : 1, ys = order === 0 ? 0 : -2 * EULER_GAMMA + 1;
  for (let k = 1; k < 500; k++) {
    t *= -q / (k * (k + order));
    h += 1 / k;
    hy += 1 / (k + order);
    j += t;
    ys += order === 0 ? h * t : (-2 * EULER_GAMMA + h + hy) * t;
    if (Math.abs(t) < 1e-17 * Math.abs(j) && k > q) break;
  }
  if (order === 0) {
    // Y0 = (2/π)(ln(x/2) + γ)·J0 − (2/π)·Σ H_k·(−q)^k/(k!)²
    return { j, y: TWO_OVER_PI * ((Math.log(x / 2) + EULER_GAMMA) * j - ys) };
  }
  const j1 = (x / 2) * j;
  // Y1 = −2/(πx) + (2/π) ln(x/2)·J1 − (x/2π)·Σ (ψ(k + 1) + ψ(k + 2))·(−q)^k/(k!(k + 1)!)
  return { j: j1, y: -TWO_OVER_PI / x + TWO_OVER_PI * Math.log(x / 2) * j1 - (x / (2 * Math.PI)) * ys };
}

/** Hankel's P and Q for order ν at x (the sums stopped at their smallest term). */
function hankelPQ(nu: number, x: number, alternate: boolean): [number, number] {
  const mu = 4 * nu * nu;
  let p = 1, q = 0, a = 1, prev = Infinity;
  for (let k = 1; k < 200; k++) {
    a *= (mu - (2 * k - 1) ** 2) / (8 * k * x);
    const mag = Math.abs(a);
    if (mag > prev || mag < EPS * 1e-3) break;
    prev = mag;
    const sign = alternate && Math.floor(k / 2) % 2 === 1 ? -1 : 1;
    if (k % 2 === 0) p += sign * a;
    else q += sign * a;
  }
  return [p, q];
}

/** [J_n(x), Y_n(x)] for x > 12 by Hankel's expansion. */
function besselLarge(x: number, order: 0 | 1): [number, number] {
  const [p, q] = hankelPQ(order, x, true);
  const s = Math.sin(x), c = Math.cos(x), r = Math.SQRT1_2;
  // χ = x − (2n + 1)π/4
  const cosChi = order === 0 ? (c + s) * r : (s - c) * r;
  const sinChi = order === 0 ? (s - c) * r : -(s + c) * r;
  const k = Math.sqrt(TWO_OVER_PI / x);
  return [k * (p * cosChi - q * sinChi), k * (p * sinChi + q * cosChi)];
}

const LARGE = 12;

/** J0(x), even; NaN at ±∞ as PyTorch 1.13. */
export function besselJ0(x: number): number {
  const a = Math.abs(x);
  if (!Number.isFinite(a)) return NaN;
  return a <= LARGE ? besselSeries(a, 0).j : besselLarge(a, 0)[0];
}

/** J1(x), odd. */
export function besselJ1(x: number): number {
  const a = Math.abs(x);
  if (!Number.isFinite(a)) return NaN;
  if (a === 0) return x;
  const v = a <= LARGE ? besselSeries(a, 1).j : besselLarge(a, 1)[0];
  return x < 0 ? -v : v;
}

/** Y0(x): −∞ at 0, NaN below 0 and at ±∞. */
export function besselY0(x: number): number {
  if (x === 0) return -Infinity;
  if (!(x > 0) || x === Infinity) return NaN;
  return x <= LARGE ? besselSeries(x, 0).y : besselLarge(x, 0)[1];
}

/** Y1(x): −∞ at 0, NaN below 0 and at ±∞. */
export function besselY1(x: number): number {
  if (x === 0) return -Infinity;
  if (!(x > 0) || x === Infinity) return NaN;
  return x <= LARGE ? besselSeries(x, 1).y : besselLarge(x, 1)[1];
}

// ---------- K ----------

/** e^x·K_ν(x) for x > 0 (ν ≥ 0). */
function besselKScaled(nu: number, x: number): number {
  if (x > 30) {
    const [p, q] = hankelPQ(nu, x, false);
    return Math.sqrt(Math.PI / (2 * x)) * (p + q);
  }
  // trapezoid rule on e^(−x(cosh t − 1))·cosh(νt), cosh t − 1 = 2 sinh²(t/2); the step resolves the
  // integrand's width ~1/√x
  const h = Math.min(0.2, 0.5 / Math.sqrt(x));
  let sum = 0.5;
  for (let i = 1; i < 100000; i++) {
    const t = i * h, s = Math.sinh(t / 2);
    const f = Math.exp(-2 * x * s * s) * Math.cosh(nu * t);
    sum += f;
    if (f < 1e-18 * sum && x * Math.sinh(t) > nu) break;
  }
  return h * sum;
}

/** K_ν at tiny x (below 1e-100, where the trapezoid's cosh would overflow): the leading terms. */
function besselKTiny(order: 0 | 1, x: number): number {
  return order === 0 ? -Math.log(x / 2) - EULER_GAMMA : 1 / x;
}

function besselK(order: 0 | 1, x: number, scaled: boolean): number {
  if (Number.isNaN(x) || x < 0) return NaN;
  if (x === 0) return Infinity;
  if (x === Infinity) return 0;
  if (x < 1e-100) return besselKTiny(order, x);
  const s = besselKScaled(order, x);
  return scaled ? s : s * Math.exp(-x);
}

/** K0(x): ∞ at 0, NaN below 0, 0 at ∞. */
export const besselK0 = (x: number): number => besselK(0, x, false);
/** K1(x). */
export const besselK1 = (x: number): number => besselK(1, x, false);
/** e^x·K0(x). */
export const besselK0e = (x: number): number => besselK(0, x, true);
/** e^x·K1(x). */
export const besselK1e = (x: number): number => besselK(1, x, true);

// ---------- spherical j0 and Airy ----------

/** j0(x) = sin(x)/x (1 at 0, 0 at ±∞). */
export function sphericalJ0(x: number): number {
  if (Number.isNaN(x)) return NaN;
  if (!Number.isFinite(x)) return 0;
  if (Math.abs(x) < 0.5) {
    // 1 − x²/6 + x⁴/120 − ...: Σ (−x²)^k/(2k + 1)!
    const q = x * x;
    let t = 1, s = 1;
    for (let k = 1; k < 12; k++) {
      t *= -q / ((2 * k) * (2 * k + 1));
      s += t;
    }
    return s;
  }
  return Math.sin(x) / x;
}

const AI0 = 0.3550280538878172; // Ai(0) = 1/(3^{2/3}·Γ(2/3))
const AIP0 = 0.2588194037928068; // −Ai'(0) = 1/(3^{1/3}·Γ(1/3))

/** Ai(x) = Ai(0)·f(x) − |Ai'(0)|·g(x) by the Maclaurin series f = Σ 3^k(⅓)_k x^{3k}/(3k)!, g = Σ 3^k(⅔)_k x^{3k+1}/(3k+1)!. */
function airyMaclaurin(x: number): number {
  const x3 = x * x * x;
  let tf = 1, tg = x, f = 1, g = x;
  for (let k = 1; k < 200; k++) {
    tf *= x3 / ((3 * k - 1) * (3 * k));
    tg *= x3 / ((3 * k) * (3 * k + 1));
    f += tf;
    g += tg;
    if (Math.abs(tf) + Math.abs(tg) < 1e-18 * (Math.abs(f) + Math.abs(g))) break;
  }
  return AI0 * f - AIP0 * g;
}

/** Ai(x): NaN at ±∞ (as PyTorch 1.13), 0 once it underflows. */
export function airyAi(x: number): number {
  if (!Number.isFinite(x)) return NaN;
  if (x >= -7 && x <= 1) return airyMaclaurin(x);
  if (x > 1) {
    const zeta = (2 / 3) * x * Math.sqrt(x);
    if (zeta > 750) return 0;
    return (Math.sqrt(x / 3) / Math.PI) * besselKScaled(1 / 3, zeta) * Math.exp(-zeta);
  }
  // Ai(−z) = π^(−½) z^(−¼) (sin θ·P(ζ) − cos θ·Q(ζ)), θ = ζ + π/4, with DLMF 9.7.2's u_k
  const t = Math.sqrt(-x);
  const zeta = (-2 * x * t) / 3;
  let p = 1, q = 0, u = 1, prev = Infinity;
  for (let k = 1; k < 200; k++) {
    u *= ((6 * k - 5) * (6 * k - 3) * (6 * k - 1)) / ((2 * k - 1) * 216 * k * zeta);
    const mag = Math.abs(u);
    if (mag > prev || mag < EPS * 1e-3) break;
    prev = mag;
    const sign = Math.floor(k / 2) % 2 === 1 ? -1 : 1;
    if (k % 2 === 0) p += sign * u;
    else q += sign * u;
  }
  const theta = zeta + 0.25 * Math.PI;
  return (Math.sin(theta) * p - Math.cos(theta) * q) / (Math.sqrt(Math.PI) * Math.sqrt(t));
}
