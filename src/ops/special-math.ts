/**
 * Scalar kernels (float64, on the host) of the special functions in ops/special.ts: modified
 * Bessel functions I0, I1 and their exponentially scaled forms (Cephes' Chebyshev expansions, as
 * PyTorch's Math.h), the inverse normal CDF (Cephes' ndtri), the scaled complementary error
 * function erfcx, log Φ(x), and the bit-level helpers of frexp, nextafter and copysign.
 *
 * The Bessel and ndtri kernels are derived from the Cephes Math Library (Copyright (c) 2018,
 * Steven Moshier, 3-clause BSD license), through PyTorch's aten/src/ATen/native/Math.h.
 */
import { erf, erfc, erfcFraction, lgamma } from "../backends/reference/math.js"; // erfcx(x) = 1/(√π · erfcFraction(x))

export { erfc };

// ---------- Chebyshev series (Cephes chbevl) ----------

/** Σ' cᵢ Tᵢ(x/2), the coefficients stored highest order first (Cephes' chbevl). */
function chbevl(x: number, c: readonly number[]): number {
  let b0 = c[0]!, b1 = 0, b2 = 0;
  for (let i = 1; i < c.length; i++) {
    b2 = b1;
    b1 = b0;
    b0 = x * b1 - b2 + c[i]!;
  }
  return 0.5 * (b0 - b2);
}

/** exp(−x)·I0(x) on [0, 8]. */
const I0E_A = [
  -4.41534164647933937950e-18, 3.33079451882223809783e-17, -2.43127984654795469359e-16, 1.71539128555513303061e-15,
  -1.16853328779934516808e-14, 7.67618549860493561688e-14, -4.85644678311192946090e-13, 2.95505266312963983461e-12,
  -1.72682629144155570723e-11, 9.67580903537323691224e-11, -5.18979560163526290666e-10, 2.65982372468238665035e-9,
  -1.30002500998624804212e-8, 6.04699502254191894932e-8, -2.67079385394061173391e-7, 1.11738753912010371815e-6,
  -4.41673835845875056359e-6, 1.64484480707288970893e-5, -5.75419501008210370398e-5, 1.88502885095841655729e-4,
  -5.76375574538582365885e-4, 1.63947561694133579842e-3, -4.32430999505057594430e-3, 1.05464603945949983183e-2,
  -2.37374148058994688156e-2, 4.93052842396707084878e-2, -9.49010970480476444210e-2, 1.71620901522208775349e-1,
  -3.04682672343198398683e-1, 6.76795274409476084995e-1,
];
/** exp(−x)·√x·I0(x) on [8, ∞), in 32/x − 2. */
const I0E_B = [
  -7.23318048787475395456e-18, -4.83050448594418207126e-18, 4.46562142029675999901e-17, 3.46122286769746109310e-17,
  -2.82762398051658348494e-16, -3.42548561967721913462e-16, 1.77256013305652638360e-15, 3.81168066935262242075e-15,
  -9.55484669882830764870e-15, -4.15056934728722208663e-14, 1.54008621752140982691e-14, 3.85277838274214270114e-13,
  7.18012445138366623367e-13, -1.79417853150680611778e-12, -1.32158118404477131188e-11, -3.14991652796324136454e-11,
  1.18891471078464383424e-11, 4.94060238822496958910e-10, 3.39623202570838634515e-9, 2.26666899049817806459e-8,
  2.04891858946906374183e-7, 2.89137052083475648297e-6, 6.88975834691682398426e-5, 3.36911647825569408990e-3,
  8.04490411014108831608e-1,
];
/** exp(−x)·I1(x)/x on [0, 8]. */
const I1E_A = [
  2.77791411276104639959e-18, -2.11142121435816608115e-17, 1.55363195773620046921e-16, -1.10559694773538630805e-15,
  7.60068429473540693410e-15, -5.04218550472791168711e-14, 3.22379336594557470981e-13, -1.98397439776494371520e-12,
  1.17361862988909016308e-11, -6.66348972350202774223e-11, 3.62559028155211703701e-10, -1.88724975172282928790e-9,
  9.38153738649577178388e-9, -4.44505912879632808065e-8, 2.00329475355213526229e-7, -8.56872026469545474066e-7,
  3.47025130813767847674e-6, -1.32731636560394358279e-5, 4.78156510755005422638e-5, -1.61760815825896745588e-4,
  5.12285956168575772895e-4, -1.51357245063125314899e-3, 4.15642294431288815669e-3, -1.05640848946261981558e-2,
  2.47264490306265168283e-2, -5.29459812080949914269e-2, 1.02643658689847095384e-1, -1.76416518357834055153e-1,
  2.52587186443633654823e-1,
];
/** exp(−x)·√x·I1(x) on [8, ∞), in 32/x − 2. */
const I1E_B = [
  7.51729631084210481353e-18, 4.41434832307170791151e-18, -4.65030536848935832153e-17, -3.20952592199342395980e-17,
  2.96262899764595013876e-16, 3.30820231092092828324e-16, -1.88035477551078244854e-15, -3.81440307243700780478e-15,
  1.04202769841288027642e-14, 4.27244001671195135429e-14, -2.10154184277266431302e-14, -4.08355111109219731823e-13,
  -7.19855177624590851209e-13, 2.03562854414708950722e-12, 1.41258074366137813316e-11, 3.25260358301548823856e-11,
  -1.89749581235054123450e-11, -5.58974346219658380687e-10, -3.83538038596423702205e-9, -2.63146884688951950684e-8,
  -2.51223623787020892529e-7, -3.88256480887769039346e-6, -1.10588938762623716291e-4, -9.76109749136146840777e-3,
  7.78576235018280120474e-1,
];

/** I0(x), the modified Bessel function of the first kind of order 0 (∞ beyond |x| ≈ 713). */
export function besselI0(x: number): number {
  const a = Math.abs(x);
  if (a <= 8) return Math.exp(a) * chbevl(a / 2 - 2, I0E_A);
  return (Math.exp(a) * chbevl(32 / a - 2, I0E_B)) / Math.sqrt(a);
}

/** exp(−|x|)·I0(x). */
export function besselI0e(x: number): number {
  const a = Math.abs(x);
  if (a <= 8) return chbevl(a / 2 - 2, I0E_A);
  return chbevl(32 / a - 2, I0E_B) / Math.sqrt(a);
}

/** I1(x), order 1 (odd). */
export function besselI1(x: number): number {
  const a = Math.abs(x);
  const out = a <= 8 ? Math.exp(a) * a * chbevl(a / 2 - 2, I1E_A) : (Math.exp(a) * chbevl(32 / a - 2, I1E_B)) / Math.sqrt(a);
  return x < 0 ? -out : out;
}

/** exp(−|x|)·I1(x). */
export function besselI1e(x: number): number {
  const a = Math.abs(x);
  const out = a <= 8 ? chbevl(a / 2 - 2, I1E_A) * a : chbevl(32 / a - 2, I1E_B) / Math.sqrt(a);
  return x < 0 ? -out : out;
}

// ---------- the normal distribution ----------

function polevl(x: number, c: readonly number[]): number {
  let r = 0;
  for (const v of c) r = r * x + v;
  return r;
}

const NDTRI_P0 = [-5.99633501014107895267e1, 9.80010754185999661536e1, -5.66762857469070293439e1, 1.39312609387279679503e1, -1.23916583867381258016e0];
const NDTRI_Q0 = [
  1.0, 1.95448858338141759834e0, 4.67627912898881538453e0, 8.63602421390890590575e1, -2.25462687854119370527e2,
  2.00260212380060660359e2, -8.20372256168333339912e1, 1.59056225126211695515e1, -1.18331621121330003142e0,
];
const NDTRI_P1 = [
  4.05544892305962419923e0, 3.15251094599893866154e1, 5.71628192246421288162e1, 4.40805073893200834700e1, 1.46849561928858024014e1,
  2.18663306850790267539e0, -1.40256079171354495875e-1, -3.50424626827848203418e-2, -8.57456785154685413611e-4,
];
const NDTRI_Q1 = [
  1.0, 1.57799883256466749731e1, 4.53907635128879210584e1, 4.13172038254672030440e1, 1.50425385692907503408e1,
  2.50464946208309415979e0, -1.42182922854787788574e-1, -3.80806407691578277194e-2, -9.33259480895457427372e-4,
];
const NDTRI_P2 = [
  3.23774891776946035970e0, 6.91522889068984211695e0, 3.93881025292474443415e0, 1.33303460815807542389e0, 2.01485389549179081538e-1,
  1.23716634817820021358e-2, 3.01581553508235416007e-4, 2.65806974686737550832e-6, 6.23974539184983293730e-9,
];
const NDTRI_Q2 = [
  1.0, 6.02427039364742014255e0, 3.67983563856160859403e0, 1.37702099489081330271e0, 2.16236993594496635890e-1,
  1.34204006088543189037e-2, 3.28014464682127739104e-4, 2.89247864745380683936e-6, 6.79019408009981274425e-9,
];
const EXP_M2 = 0.13533528323661269189; // e^−2
const SQRT_2PI = 2.50662827463100050242;

/** Φ⁻¹(p): the x with Φ(x) = p (Cephes' ndtri); −∞ at 0, ∞ at 1, NaN outside [0, 1]. */
export function ndtri(p: number): number {
  if (p === 0) return -Infinity;
  if (p === 1) return Infinity;
  if (!(p > 0 && p < 1)) return NaN;
  let negate = true;
  let y = p;
  if (y > 1 - EXP_M2) {
    y = 1 - y;
    negate = false;
  }
  if (y > EXP_M2) {
    y -= 0.5;
    const y2 = y * y;
    return (y + y * ((y2 * polevl(y2, NDTRI_P0)) / polevl(y2, NDTRI_Q0))) * SQRT_2PI;
  }
  const x = Math.sqrt(-2 * Math.log(y));
  const x0 = x - Math.log(x) / x;
  const z = 1 / x;
  const x1 = x < 8 ? (z * polevl(z, NDTRI_P1)) / polevl(z, NDTRI_Q1) : (z * polevl(z, NDTRI_P2)) / polevl(z, NDTRI_Q2);
  return negate ? x1 - x0 : x0 - x1;
}

const INV_SQRT_PI = 0.56418958354775628694807945156;

/** e^(x²) without the rounding error of x² (Cephes' expx2): x = m + f with m a multiple of 1/128. */
function expSquare(x: number): number {
  const m = Math.floor(x * 128 + 0.5) / 128;
  const f = x - m;
  return Math.exp(m * m) * Math.exp(2 * m * f + f * f);
}

/**
 * erfcx(x) = e^(x²)·erfc(x), without the overflow and underflow of that product: e^(x²)·(1 − erf(x))
 * below 1, the continued fraction of erfc from 1 to 50, its 5-term truncation beyond (as PyTorch's
 * Faddeeva-based kernel), 1/(x√π) beyond 5e7; for x < 0, 2e^(x²) − erfcx(−x) (∞ below −26.7).
 */
export function erfcx(x: number): number {
  if (Number.isNaN(x)) return x;
  if (x >= 0) {
    if (x > 5e7) return INV_SQRT_PI / x;
    if (x > 50) {
      const x2 = x * x;
      return (INV_SQRT_PI * (x2 * (x2 + 4.5) + 2)) / (x * (x2 * (x2 + 5) + 3.75));
    }
    if (x >= 1) return INV_SQRT_PI / erfcFraction(x);
    return expSquare(x) * (1 - erf(x));
  }
  if (x < -26.7) return Infinity;
  if (x < -6.1) return 2 * expSquare(x);
  return 2 * expSquare(x) - erfcx(-x);
}

/** e^(−x²/2), likewise without the rounding error of x² (x = m + f with m a multiple of 1/128). */
function expNegHalfSquare(x: number): number {
  if (!(Math.abs(x) < 40)) return x === x ? 0 : x;
  const m = Math.floor(x * 128 + 0.5) / 128;
  const f = x - m;
  return Math.exp(-0.5 * m * m) * Math.exp(-0.5 * (2 * m * f + f * f));
}

/** Φ(x), the standard normal CDF: ½e^(−x²/2)·erfcx(−x/√2) in the lower tail, 1 − Φ(−x) above 1. */
export function ndtr(x: number): number {
  if (Number.isNaN(x)) return x;
  if (x < -1) return 0.5 * expNegHalfSquare(x) * erfcx(-x * Math.SQRT1_2);
  if (x > 1) return 1 - 0.5 * expNegHalfSquare(x) * erfcx(x * Math.SQRT1_2);
  return 0.5 * erfc(-x * Math.SQRT1_2);
}

/**
 * log Φ(x), the log of the standard normal CDF, accurate in both tails: log(erfcx(−x/√2)/2) − x²/2
 * below −1 (SciPy's form, as PyTorch), log1p(−Φ(−x)) above with Φ(−x) = e^(−x²/2)·erfcx(x/√2)/2, which
 * keeps the rounding of x/√2 out of the exponent (PyTorch's log1p(−erfc(x/√2)/2) loses up to 1e−13).
 */
export function logNdtr(x: number): number {
  if (x < -1) return Math.log(erfcx(-x * Math.SQRT1_2) / 2) - 0.5 * x * x;
  return Math.log1p(-0.5 * expNegHalfSquare(x) * erfcx(x * Math.SQRT1_2));
}

// ---------- regularized incomplete gamma functions ----------

/**
 * [P(a, x), Q(a, x)], the regularized lower and upper incomplete gamma functions (P + Q = 1), for
 * finite a, x > 0: the power series of P (x < a + 1) or the continued fraction of Q (Legendre's, by
 * Lentz's method) beyond, the one not computed being 1 minus the other; for a > 1e7 near x = a,
 * Temme's uniform expansion to its first term (relative error ~a^(−3/2)).
 */
function incompleteGamma(a: number, x: number): [number, number] {
  if (a > 1e7 && Math.abs(x / a - 1) < 0.3) return temmeGamma(a, x);
  const logPre = a * Math.log(x) - x - lgamma(a); // log(x^a e^(−x)/Γ(a))
  if (x < a + 1) {
    // P = x^a e^(−x)/Γ(a) · Σ xⁿ/(a(a + 1)…(a + n))
    let term = 1 / a, sum = term;
    for (let n = 1; n < 1e7; n++) {
      term *= x / (a + n);
      sum += term;
      if (term < sum * 1e-17) break;
    }
    const p = Math.min(1, sum * Math.exp(logPre));
    return [p, 1 - p];
  }
  // Q = x^a e^(−x)/Γ(a) · 1/(x + 1 − a − 1(1 − a)/(x + 3 − a − 2(2 − a)/(x + 5 − a − …)))
  const tiny = 1e-300;
  let b = x + 1 - a, c = 1 / tiny, d = 1 / b, h = d;
  for (let i = 1; i < 1e7; i++) {
    const an = -i * (i - a);
    b += 2;
    d = an * d + b;
    if (Math.abs(d) < tiny) d = tiny;
    c = b + an / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    const delta = d * c;
    h *= delta;
    if (Math.abs(delta - 1) < 1e-16) break;
  }
  const q = Math.min(1, h * Math.exp(logPre));
  return [1 - q, q];
}

/** Temme: Q(a, x) ≈ ½erfc(η√(a/2)) + e^(−aη²/2)/√(2πa)·(1/(λ − 1) − 1/η), λ = x/a, η²/2 = λ − 1 − ln λ. */
function temmeGamma(a: number, x: number): [number, number] {
  const lambda = x / a, dl = lambda - 1;
  const eta = Math.sign(dl) * Math.sqrt(2 * (dl - Math.log1p(dl)));
  const c0 = Math.abs(dl) < 1e-4 ? -1 / 3 + eta / 12 : 1 / dl - 1 / eta;
  const r = (Math.exp((-a * eta * eta) / 2) / Math.sqrt(2 * Math.PI * a)) * c0;
  const q = 0.5 * erfc(eta * Math.sqrt(a / 2)) + r;
  const p = 0.5 * erfc(-eta * Math.sqrt(a / 2)) - r;
  return [p, q];
}

/** The special values of P(a, x) (`upper`: of Q), as PyTorch 1.13; null where the general case applies. */
function gammaEdge(a: number, x: number, upper: boolean): number | null {
  if (Number.isNaN(a) || Number.isNaN(x) || a < 0 || x < 0) return NaN;
  if (a === 0) return x > 0 ? (upper ? 0 : 1) : NaN;
  if (x === 0) return upper ? 1 : 0;
  if (a === Infinity) return x === Infinity ? NaN : upper ? 1 : 0;
  if (x === Infinity) return upper ? 0 : 1;
  return null;
}

/** P(a, x) = γ(a, x)/Γ(a), torch.special.gammainc: NaN for a < 0 or x < 0 (and at a = x = 0). */
export function gammainc(a: number, x: number): number {
  return gammaEdge(a, x, false) ?? incompleteGamma(a, x)[0];
}

/** Q(a, x) = Γ(a, x)/Γ(a) = 1 − P(a, x), torch.special.gammaincc. */
export function gammaincc(a: number, x: number): number {
  return gammaEdge(a, x, true) ?? incompleteGamma(a, x)[1];
}

// ---------- bits ----------

const F64 = new Float64Array(1);
const U32 = new Uint32Array(F64.buffer); // little-endian: [low word, high word]
const F32 = new Float32Array(1);
const I32 = new Int32Array(F32.buffer);

/** Whether x's sign bit is set (−0 and negative NaNs included). */
export function signBit(x: number): boolean {
  if (x !== 0 && x === x) return x < 0;
  F64[0] = x;
  return U32[1]! >>> 31 === 1;
}

/** [m, e] with x = m·2ᵉ and 0.5 ≤ |m| < 1 (C's frexp); zeros, infinities and NaN give [x, 0]. */
export function frexp(x: number): [number, number] {
  if (x === 0 || !Number.isFinite(x)) return [x, 0];
  F64[0] = x;
  let bias = 0;
  if ((U32[1]! >>> 20 & 0x7ff) === 0) {
    F64[0] = x * 18014398509481984; // 2^54: subnormals become normal
    bias = -54;
  }
  const hi = U32[1]!;
  const e = ((hi >>> 20) & 0x7ff) - 1022 + bias;
  U32[1] = (hi & 0x800fffff) | (1022 << 20);
  return [F64[0]!, e];
}

/** The next float64 (or float32 with `single`) after x toward y, as C's nextafter. */
export function nextafter(x: number, y: number, single: boolean): number {
  if (Number.isNaN(x) || Number.isNaN(y)) return NaN;
  if (x === y) return y;
  if (x === 0) return y > 0 ? (single ? 1.401298464324817e-45 : Number.MIN_VALUE) : single ? -1.401298464324817e-45 : -Number.MIN_VALUE;
  const away = y > x === x > 0; // the magnitude grows
  if (single) {
    F32[0] = x;
    I32[0]! += away ? 1 : -1;
    return F32[0]!;
  }
  F64[0] = x;
  let lo = U32[0]!, hi = U32[1]!;
  if (away) {
    lo = (lo + 1) >>> 0;
    if (lo === 0) hi = (hi + 1) >>> 0;
  } else {
    if (lo === 0) hi = (hi - 1) >>> 0;
    lo = (lo - 1) >>> 0;
  }
  U32[0] = lo;
  U32[1] = hi;
  return F64[0]!;
}

// ---------- integers (C semantics on int32: wrap-around, truncating %) ----------

/** gcd as PyTorch's calc_gcd: Euclid on |a|, |b| (|−2³¹| stays −2³¹, as in C). */
export function gcd(a: number, b: number): number {
  let x = Math.abs(a) | 0, y = Math.abs(b) | 0;
  while (x !== 0) {
    const c = x;
    x = y % x | 0;
    y = c;
  }
  return y;
}

/** lcm as PyTorch's: |a / gcd · b| in int32 arithmetic, 0 when the gcd is 0. */
export function lcm(a: number, b: number): number {
  const g = gcd(a, b);
  if (g === 0) return 0;
  const m = Math.imul((a / g) | 0, b);
  return m < 0 ? -m | 0 : m;
}
