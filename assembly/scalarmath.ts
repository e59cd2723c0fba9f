// Scalar f64 functions JavaScript's Math lacks. erf is fdlibm's s_erf.c (Sun Microsystems,
// freely redistributable), accurate to < 1 ulp: erf(x) = x + x·P/Q near 0, 1 - erfc(x) elsewhere.

const erx = 8.45062911510467529297e-01;
const efx8 = 1.02703333676410069053e+00;
const pp0 = 1.28379167095512558561e-01, pp1 = -3.25042107247001499370e-01, pp2 = -2.84817495755985104766e-02;
const pp3 = -5.77027029648944159157e-03, pp4 = -2.37630166566501626084e-05;
const qq1 = 3.97917223959155352819e-01, qq2 = 6.50222499887672944485e-02, qq3 = 5.08130628187576562776e-03;
const qq4 = 1.32494738004321644526e-04, qq5 = -3.96022827877536812320e-06;
const pa0 = -2.36211856075265944077e-03, pa1 = 4.14856118683748331666e-01, pa2 = -3.72207876035701323847e-01;
const pa3 = 3.18346619901161753674e-01, pa4 = -1.10894694282396677476e-01, pa5 = 3.54783043256182359371e-02;
const pa6 = -2.16637559486879084300e-03;
const qa1 = 1.06420880400844228286e-01, qa2 = 5.40397917702171048937e-01, qa3 = 7.18286544141962662868e-02;
const qa4 = 1.26171219808761642112e-01, qa5 = 1.36370839120290507362e-02, qa6 = 1.19844998467991074170e-02;
const ra0 = -9.86494403484714822705e-03, ra1 = -6.93858572707181764372e-01, ra2 = -1.05586262253232909814e+01;
const ra3 = -6.23753324503260060396e+01, ra4 = -1.62396669462573470355e+02, ra5 = -1.84605092906711035994e+02;
const ra6 = -8.12874355063065934246e+01, ra7 = -9.81432934416914548592e+00;
const sa1 = 1.96512716674392571292e+01, sa2 = 1.37657754143519042600e+02, sa3 = 4.34565877475229228821e+02;
const sa4 = 6.45387271733267880336e+02, sa5 = 4.29008140027567833386e+02, sa6 = 1.08635005541779435134e+02;
const sa7 = 6.57024977031928170135e+00, sa8 = -6.04244152148580987438e-02;
const rb0 = -9.86494292470009928597e-03, rb1 = -7.99283237680523006574e-01, rb2 = -1.77579549177547519889e+01;
const rb3 = -1.60636384855821916062e+02, rb4 = -6.37566443368389627722e+02, rb5 = -1.02509513161107724954e+03;
const rb6 = -4.83519191608651397019e+02;
const sb1 = 3.03380607434824582924e+01, sb2 = 3.25792512996573918826e+02, sb3 = 1.53672958608443695994e+03;
const sb4 = 3.19985821950859553908e+03, sb5 = 2.55305040643316442583e+03, sb6 = 4.74528541206955367215e+02;
const sb7 = -2.24409524465858183362e+01;

export function erf(x: f64): f64 {
  if (isNaN(x)) return x;
  if (!isFinite(x)) return x > 0 ? 1.0 : -1.0;
  const sign = x < 0;
  const ax = Math.abs(x);
  if (ax < 0.84375) {
    if (ax < 3.7252902984e-09) return x + x * (efx8 / 8.0);
    const z = x * x;
    const r = pp0 + z * (pp1 + z * (pp2 + z * (pp3 + z * pp4)));
    const s = 1.0 + z * (qq1 + z * (qq2 + z * (qq3 + z * (qq4 + z * qq5))));
    return x + x * (r / s);
  }
  if (ax < 1.25) {
    const s = ax - 1.0;
    const p = pa0 + s * (pa1 + s * (pa2 + s * (pa3 + s * (pa4 + s * (pa5 + s * pa6)))));
    const q = 1.0 + s * (qa1 + s * (qa2 + s * (qa3 + s * (qa4 + s * (qa5 + s * qa6)))));
    return sign ? -erx - p / q : erx + p / q;
  }
  if (ax >= 6.0) return sign ? -1.0 : 1.0;
  const s = 1.0 / (ax * ax);
  let R: f64, S: f64;
  if (ax < 1.0 / 0.35) {
    R = ra0 + s * (ra1 + s * (ra2 + s * (ra3 + s * (ra4 + s * (ra5 + s * (ra6 + s * ra7))))));
    S = 1.0 + s * (sa1 + s * (sa2 + s * (sa3 + s * (sa4 + s * (sa5 + s * (sa6 + s * (sa7 + s * sa8)))))));
  } else {
    R = rb0 + s * (rb1 + s * (rb2 + s * (rb3 + s * (rb4 + s * (rb5 + s * rb6)))));
    S = 1.0 + s * (sb1 + s * (sb2 + s * (sb3 + s * (sb4 + s * (sb5 + s * (sb6 + s * sb7))))));
  }
  // z = ax with the low 32 bits cleared, so exp(-z²) is exact and the correction is small.
  const z = reinterpret<f64>(reinterpret<u64>(ax) & 0xffffffff00000000);
  const r = Math.exp(-z * z - 0.5625) * Math.exp((z - ax) * (z + ax) + R / S);
  return sign ? r / ax - 1.0 : 1.0 - r / ax;
}

/** erfc(x) = 1 − erf(x): fdlibm's s_erf.c erfc, with the same constants (< 1 ulp, no cancellation). */
export function erfc(x: f64): f64 {
  if (isNaN(x)) return x;
  if (!isFinite(x)) return x > 0 ? 0.0 : 2.0;
  const neg = x < 0;
  const ax = Math.abs(x);
  if (ax < 0.84375) {
    if (ax < 1.3877787807814457e-17) return 1.0 - x;
    const z = x * x;
    const r = pp0 + z * (pp1 + z * (pp2 + z * (pp3 + z * pp4)));
    const s = 1.0 + z * (qq1 + z * (qq2 + z * (qq3 + z * (qq4 + z * qq5))));
    const y = r / s;
    if (x < 0.25) return 1.0 - (x + x * y);
    return 0.5 - (x * y + (x - 0.5));
  }
  if (ax < 1.25) {
    const s = ax - 1.0;
    const p = pa0 + s * (pa1 + s * (pa2 + s * (pa3 + s * (pa4 + s * (pa5 + s * pa6)))));
    const q = 1.0 + s * (qa1 + s * (qa2 + s * (qa3 + s * (qa4 + s * (qa5 + s * qa6)))));
    return neg ? 1.0 + (erx + p / q) : (1.0 - erx) - p / q;
  }
  if (ax >= 28.0) return neg ? 2.0 : 0.0;
  if (neg && ax >= 6.0) return 2.0;
  const s = 1.0 / (ax * ax);
  let R: f64, S: f64;
  if (ax < 1.0 / 0.35) {
    R = ra0 + s * (ra1 + s * (ra2 + s * (ra3 + s * (ra4 + s * (ra5 + s * (ra6 + s * ra7))))));
    S = 1.0 + s * (sa1 + s * (sa2 + s * (sa3 + s * (sa4 + s * (sa5 + s * (sa6 + s * (sa7 + s * sa8)))))));
  } else {
    R = rb0 + s * (rb1 + s * (rb2 + s * (rb3 + s * (rb4 + s * (rb5 + s * rb6)))));
    S = 1.0 + s * (sb1 + s * (sb2 + s * (sb3 + s * (sb4 + s * (sb5 + s * (sb6 + s * sb7))))));
  }
  const z = reinterpret<f64>(reinterpret<u64>(ax) & 0xffffffff00000000);
  const r = Math.exp(-z * z - 0.5625) * Math.exp((z - ax) * (z + ax) + R / S);
  return neg ? 2.0 - r / ax : r / ax;
}

// The functions below follow src/backends/reference/math.ts step by step (see the comments there).

const ERF_DERIV: f64 = 1.1283791670955126; // 2/√π

/** erfinv: Giles' single-precision approximation, then two Newton steps (on erfc in the tails). */
export function erfinv(y: f64): f64 {
  if (!(y >= -1.0 && y <= 1.0)) return NaN;
  if (y == 0) return y;
  const a = Math.abs(y);
  if (a == 1.0) return y * Infinity;
  let w = -Math.log((1.0 - a) * (1.0 + a));
  let p: f64;
  if (w < 5.0) {
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
    w = Math.sqrt(w) - 3.0;
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
    const r = a <= 0.5 ? erf(x) - a : 1.0 - a - erfc(x);
    x -= r / (ERF_DERIV * Math.exp(-x * x));
  }
  return y < 0 ? -x : x;
}

/** sin(πx), reduced exactly to |r| ≤ ½. */
export function sinPi(x: f64): f64 {
  let r = x % 2.0;
  if (r > 1.0) r -= 2.0;
  else if (r < -1.0) r += 2.0;
  if (r > 0.5) r = 1.0 - r;
  else if (r < -0.5) r = -1.0 - r;
  return Math.sin(Math.PI * r);
}

/** π / tan(πx), reduced exactly to |r| ≤ ½. */
@inline function piCotPi(x: f64): f64 {
  let r = x % 1.0;
  if (r > 0.5) r -= 1.0;
  else if (r < -0.5) r += 1.0;
  return Math.PI / Math.tan(Math.PI * r);
}

/** log|Γ(x)|: Lanczos (g = 7, 9 terms) from ½ up, reflection below. */
export function lgamma(x: f64): f64 {
  if (isNaN(x)) return x;
  if (!isFinite(x)) return Infinity;
  if (x < 0.5) return Math.log(Math.PI / Math.abs(sinPi(x))) - lgamma(1.0 - x);
  x -= 1.0;
  const a = 0.99999999999980993 + 676.5203681218851 / (x + 1.0) - 1259.1392167224028 / (x + 2.0)
    + 771.32342877765313 / (x + 3.0) - 176.61502916214059 / (x + 4.0) + 12.507343278686905 / (x + 5.0)
    - 0.13857109526572012 / (x + 6.0) + 9.9843695780195716e-6 / (x + 7.0) + 1.5056327351493116e-7 / (x + 8.0);
  const t = x + 7.5;
  return 0.5 * Math.log(2.0 * Math.PI) + (x + 0.5) * Math.log(t) - t + Math.log(a);
}

/** ψ(x): recurrence to x ≥ 10, asymptotic series; reflection below 0. */
export function digamma(x: f64): f64 {
  if (isNaN(x)) return x;
  if (x == 0) return (reinterpret<u64>(x) >> 63) != 0 ? Infinity : -Infinity;
  if (x < 0) return x == Math.trunc(x) ? NaN : digamma(1.0 - x) - piCotPi(x);
  if (x == Infinity) return x;
  let result: f64 = 0;
  for (; x < 10.0; x += 1.0) result -= 1.0 / x;
  const z = 1.0 / (x * x);
  const series = z * (1.0 / 12.0 - z * (1.0 / 120.0 - z * (1.0 / 252.0 - z * (1.0 / 240.0 - z * (1.0 / 132.0 - z * (691.0 / 32760.0 - z / 12.0))))));
  return result + Math.log(x) - 0.5 / x - series;
}

/** ψ₁(x): recurrence to x ≥ 10, asymptotic series; reflection below ½. */
export function trigamma(x: f64): f64 {
  if (isNaN(x) || x == -Infinity) return NaN;
  let sign: f64 = 1, result: f64 = 0;
  if (x < 0.5) {
    if (x == Math.trunc(x)) return Infinity;
    sign = -1;
    const s = sinPi(x);
    result -= (Math.PI * Math.PI) / (s * s);
    x = 1.0 - x;
  }
  for (; x < 10.0; x += 1.0) result += 1.0 / (x * x);
  const z = 1.0 / (x * x);
  const series = (z / x) * (1.0 / 6.0 - z * (1.0 / 30.0 - z * (1.0 / 42.0 - z * (1.0 / 30.0 - z * (5.0 / 66.0 - z * (691.0 / 2730.0 - (z * 7.0) / 6.0))))));
  return sign * (result + 1.0 / x + z / 2.0 + series);
}

/** Hurwitz ζ(s, q), as src/backends/reference/math.ts computes it (direct sum, Euler–Maclaurin tail). */
export function zeta(s: f64, q: f64): f64 {
  if (isNaN(s) || isNaN(q)) return NaN;
  if (s == 1.0) return Infinity;
  if (s < 1.0) return NaN;
  if (q <= 0) {
    if (q == Math.floor(q)) return Infinity;
    if (s != Math.floor(s)) return NaN;
  }
  const EPS: f64 = 1.1102230246251565e-16;
  let sum = Math.pow(q, -s), a = q, term: f64 = 0;
  for (let i = 0; i < 9 || a <= 9.0; ) {
    i++;
    a += 1.0;
    term = Math.pow(a, -s);
    sum += term;
    if (Math.abs(term / sum) < EPS) return sum;
  }
  sum += (term * a) / (s - 1.0) - 0.5 * term;
  let rising: f64 = 1, k: f64 = 0;
  for (let j = 0; j < 12; j++) {
    rising *= s + k;
    term /= a;
    const t = (rising * term) / zetaEM(j);
    sum += t;
    if (Math.abs(t / sum) < EPS) break;
    k += 1.0;
    rising *= s + k;
    term /= a;
    k += 1.0;
  }
  return sum;
}

/** (2j)!/B₂ⱼ for j = 1..12 (index 0..11). */
function zetaEM(j: i32): f64 {
  switch (j) {
    case 0: return 12.0;
    case 1: return -720.0;
    case 2: return 30240.0;
    case 3: return -1209600.0;
    case 4: return 47900160.0;
    case 5: return -1.8924375803183791606e9;
    case 6: return 7.47242496e10;
    case 7: return -2.950130727918164224e12;
    case 8: return 1.1646782814350067249e14;
    case 9: return -4.5979787224074726105e15;
    case 10: return 1.8152105401943546773e17;
    default: return -7.1661652561756670113e18;
  }
}
