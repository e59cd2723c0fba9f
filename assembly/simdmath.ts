// f32x4 exp and log: Cephes-style range reduction + minimax polynomials (≈1 ulp), about 7× the
// throughput of a scalar Math.exp per element. NaN and ±Infinity follow IEEE/JS semantics.

const LOG2E: f32 = 1.44269504088896341;
const LN2_HI: f32 = 0.693359375;
const LN2_LO: f32 = -2.12194440e-4;

// The constants of exp are read from a table in memory, not written as v128 constants: V8 (11.3)
// builds a v128 constant from an immediate at every use, inside loops too (movabs, vmovq,
// vpunpcklqdq: three instructions), and expV has twelve of them; a load from the table is one.
// Measured on the unary exp kernel: ~90 instructions per vector before.
const EXP_K: usize = memory.data<f32>([
  -104.0, -104.0, -104.0, -104.0, //  0: lower clamp
  89.0, 89.0, 89.0, 89.0, // 16: upper clamp
  LOG2E, LOG2E, LOG2E, LOG2E, // 32
  LN2_HI, LN2_HI, LN2_HI, LN2_HI, // 48
  LN2_LO, LN2_LO, LN2_LO, LN2_LO, // 64
  1.9875691500e-4, 1.9875691500e-4, 1.9875691500e-4, 1.9875691500e-4, // 80: polynomial, highest first
  1.3981999507e-3, 1.3981999507e-3, 1.3981999507e-3, 1.3981999507e-3, // 96
  8.3334519073e-3, 8.3334519073e-3, 8.3334519073e-3, 8.3334519073e-3, // 112
  4.1665795894e-2, 4.1665795894e-2, 4.1665795894e-2, 4.1665795894e-2, // 128
  1.6666665459e-1, 1.6666665459e-1, 1.6666665459e-1, 1.6666665459e-1, // 144
  5.0000001201e-1, 5.0000001201e-1, 5.0000001201e-1, 5.0000001201e-1, // 160
  1.0, 1.0, 1.0, 1.0, // 176
], 16);

/** 2^n for integer lanes n in [-126, 127]: n in the exponent field plus the bits of 1.0 (127 << 23). */
@inline function pow2i(n: v128): v128 {
  return i32x4.add(i32x4.shl(n, 23), v128.load(EXP_K, 176));
}

/** e^x per lane. */
@inline export function expV(x: v128): v128 {
  // Beyond [-104, 89] the result is 0 or +Infinity in f32; pmax/pmin keep NaN lanes as they are.
  let xc = f32x4.pmin(f32x4.pmax(x, v128.load(EXP_K, 0)), v128.load(EXP_K, 16));
  const fx = f32x4.nearest(f32x4.mul(xc, v128.load(EXP_K, 32)));
  // r = x - n·ln2 in two steps (Cody–Waite) so r stays exact to f32 rounding.
  let r = f32x4.sub(xc, f32x4.mul(fx, v128.load(EXP_K, 48)));
  r = f32x4.sub(r, f32x4.mul(fx, v128.load(EXP_K, 64)));
  const z = f32x4.mul(r, r);
  let y = v128.load(EXP_K, 80);
  y = f32x4.add(f32x4.mul(y, r), v128.load(EXP_K, 96));
  y = f32x4.add(f32x4.mul(y, r), v128.load(EXP_K, 112));
  y = f32x4.add(f32x4.mul(y, r), v128.load(EXP_K, 128));
  y = f32x4.add(f32x4.mul(y, r), v128.load(EXP_K, 144));
  y = f32x4.add(f32x4.mul(y, r), v128.load(EXP_K, 160));
  y = f32x4.add(f32x4.add(f32x4.mul(y, z), r), v128.load(EXP_K, 176));
  // Scale by 2^n as 2^(n>>1)·2^(n-(n>>1)) so n in [-150, 128] never leaves the normal range
  // before the final multiply (which then rounds once, to a subnormal or to Infinity).
  const n = i32x4.trunc_sat_f32x4_s(fx);
  const n1 = i32x4.shr_s(n, 1);
  const n2 = i32x4.sub(n, n1);
  y = f32x4.mul(f32x4.mul(y, pow2i(n1)), pow2i(n2));
  // NaN lanes: trunc_sat made n = 0, and y is already NaN from the polynomial.
  return y;
}

/** The second result of expV2 (a global: per instance, so per thread). */
export let expV2Second: v128 = v128.splat<i32>(0);

/**
 * e^x for two vectors at once, step by step interleaved: returns e^a and leaves e^b in
 * expV2Second. The same arithmetic as expV, so the same results. One expV is a chain of ~25
 * dependent operations (~75 cycles); the core overlaps independent chains only as far as its
 * floating-point scheduler reaches, and a loop of expV ran at ~2 ns an element, latency-bound.
 * Two chains side by side give it independent work at every step.
 */
@inline export function expV2(a: v128, b: v128): v128 {
  const lo = v128.load(EXP_K, 0), hi = v128.load(EXP_K, 16);
  let xa = f32x4.pmin(f32x4.pmax(a, lo), hi);
  let xb = f32x4.pmin(f32x4.pmax(b, lo), hi);
  const l2e = v128.load(EXP_K, 32);
  const fa = f32x4.nearest(f32x4.mul(xa, l2e));
  const fb = f32x4.nearest(f32x4.mul(xb, l2e));
  const h = v128.load(EXP_K, 48), l = v128.load(EXP_K, 64);
  let ra = f32x4.sub(xa, f32x4.mul(fa, h));
  let rb = f32x4.sub(xb, f32x4.mul(fb, h));
  ra = f32x4.sub(ra, f32x4.mul(fa, l));
  rb = f32x4.sub(rb, f32x4.mul(fb, l));
  let c = v128.load(EXP_K, 80);
  let ya = c, yb = c;
  c = v128.load(EXP_K, 96);
  ya = f32x4.add(f32x4.mul(ya, ra), c);
  yb = f32x4.add(f32x4.mul(yb, rb), c);
  c = v128.load(EXP_K, 112);
  ya = f32x4.add(f32x4.mul(ya, ra), c);
  yb = f32x4.add(f32x4.mul(yb, rb), c);
  c = v128.load(EXP_K, 128);
  ya = f32x4.add(f32x4.mul(ya, ra), c);
  yb = f32x4.add(f32x4.mul(yb, rb), c);
  c = v128.load(EXP_K, 144);
  ya = f32x4.add(f32x4.mul(ya, ra), c);
  yb = f32x4.add(f32x4.mul(yb, rb), c);
  c = v128.load(EXP_K, 160);
  ya = f32x4.add(f32x4.mul(ya, ra), c);
  yb = f32x4.add(f32x4.mul(yb, rb), c);
  const one = v128.load(EXP_K, 176);
  ya = f32x4.add(f32x4.add(f32x4.mul(ya, f32x4.mul(ra, ra)), ra), one);
  yb = f32x4.add(f32x4.add(f32x4.mul(yb, f32x4.mul(rb, rb)), rb), one);
  const na = i32x4.trunc_sat_f32x4_s(fa);
  const nb = i32x4.trunc_sat_f32x4_s(fb);
  const na1 = i32x4.shr_s(na, 1), nb1 = i32x4.shr_s(nb, 1);
  ya = f32x4.mul(f32x4.mul(ya, i32x4.add(i32x4.shl(na1, 23), one)), i32x4.add(i32x4.shl(i32x4.sub(na, na1), 23), one));
  yb = f32x4.mul(f32x4.mul(yb, i32x4.add(i32x4.shl(nb1, 23), one)), i32x4.add(i32x4.shl(i32x4.sub(nb, nb1), 23), one));
  expV2Second = yb;
  return ya;
}

// tanh's constants (Cephes tanhf): |x| < 0.625 takes an odd polynomial, the rest 1 − 2/(e^2|x| + 1).
const TANH_K: usize = memory.data<f32>([
  0.625, 0.625, 0.625, 0.625, //  0: polynomial below this |x|
  -5.70498872745e-3, -5.70498872745e-3, -5.70498872745e-3, -5.70498872745e-3, // 16: polynomial in x², highest first
  2.06390887954e-2, 2.06390887954e-2, 2.06390887954e-2, 2.06390887954e-2, // 32
  -5.37397155531e-2, -5.37397155531e-2, -5.37397155531e-2, -5.37397155531e-2, // 48
  1.33314422036e-1, 1.33314422036e-1, 1.33314422036e-1, 1.33314422036e-1, // 64
  -3.33332819422e-1, -3.33332819422e-1, -3.33332819422e-1, -3.33332819422e-1, // 80
  1.0, 1.0, 1.0, 1.0, // 96
  2.0, 2.0, 2.0, 2.0, // 112
], 16);

/** tanh for |x| < 0.625: x + x·x²·P(x²) (keeps −0 and tiny x exact). */
@inline function tanhSmall(x: v128): v128 {
  const s = f32x4.mul(x, x);
  let p = v128.load(TANH_K, 16);
  p = f32x4.add(f32x4.mul(p, s), v128.load(TANH_K, 32));
  p = f32x4.add(f32x4.mul(p, s), v128.load(TANH_K, 48));
  p = f32x4.add(f32x4.mul(p, s), v128.load(TANH_K, 64));
  p = f32x4.add(f32x4.mul(p, s), v128.load(TANH_K, 80));
  return f32x4.add(f32x4.mul(f32x4.mul(p, s), x), x);
}

/** tanh from e = e^(2|x|): ±(1 − 2/(e + 1)), the sign of x; ±1 where e overflowed, NaN for NaN. */
@inline function tanhFromExp(x: v128, e: v128): v128 {
  const big = f32x4.sub(v128.load(TANH_K, 96), f32x4.div(v128.load(TANH_K, 112), f32x4.add(e, v128.load(TANH_K, 96))));
  const signed = v128.or(big, v128.and(x, i32x4.splat(0x80000000)));
  // NaN compares false, so it takes this branch: e and the result are NaN
  return v128.bitselect(tanhSmall(x), signed, f32x4.lt(f32x4.abs(x), v128.load(TANH_K, 0)));
}

/** tanh per lane (Cephes tanhf, ≈1–2 ulp): odd, ±1 beyond ~9, tanh(±0) = ±0, NaN for NaN. */
@inline export function tanhV(x: v128): v128 {
  const ax = f32x4.abs(x);
  return tanhFromExp(x, expV(f32x4.add(ax, ax)));
}

/** tanh of two vectors, their exps side by side (expV2); the second result in expV2Second. */
@inline export function tanhV2(a: v128, b: v128): v128 {
  const aa = f32x4.abs(a), ab = f32x4.abs(b);
  const ea = expV2(f32x4.add(aa, aa), f32x4.add(ab, ab));
  const eb = expV2Second;
  expV2Second = tanhFromExp(b, eb);
  return tanhFromExp(a, ea);
}

// erf's constants. The polynomials were fitted for this file (tools/fit-erf.py: relative-error least squares
// reweighted toward minimax): erf(x)/x as a degree-5 polynomial in x² below |x| = 0.921875 (relative
// error 1.6e-8), and erfc(x)·e^(x²) as a degree-8 polynomial in 1/x on [0.921875, 4] (1.1e-7);
// evaluated in f32 they stay within 2 ulp of the correctly rounded erf over [−5, 5].
const ERF_K: usize = memory.data<f32>([
  0.921875, 0.921875, 0.921875, 0.921875, // 0: |x| below this takes the odd polynomial
  4.0, 4.0, 4.0, 4.0, // 16: erf(4) is 1 in f32: larger |x| are clamped
  1.0, 1.0, 1.0, 1.0, // 32
  -0.0005991149412274133, -0.0005991149412274133, -0.0005991149412274133, -0.0005991149412274133, // 48: x·P(x²), highest first
  0.004993249917587872, 0.004993249917587872, 0.004993249917587872, 0.004993249917587872, // 64
  -0.026766675990935254, -0.026766675990935254, -0.026766675990935254, -0.026766675990935254, // 80
  0.11281818411535366, 0.11281818411535366, 0.11281818411535366, 0.11281818411535366, // 96
  -0.37612494031074856, -0.37612494031074856, -0.37612494031074856, -0.37612494031074856, // 112
  1.1283791497036493, 1.1283791497036493, 1.1283791497036493, 1.1283791497036493, // 128
  -0.004487238038072924, -0.004487238038072924, -0.004487238038072924, -0.004487238038072924, // 144: e^(−x²)·R(1/|x|), highest first
  0.0049577756620165225, 0.0049577756620165225, 0.0049577756620165225, 0.0049577756620165225, // 160
  0.07140467557252231, 0.07140467557252231, 0.07140467557252231, 0.07140467557252231, // 176
  -0.29520479093204416, -0.29520479093204416, -0.29520479093204416, -0.29520479093204416, // 192
  0.5329941176892469, 0.5329941176892469, 0.5329941176892469, 0.5329941176892469, // 208
  -0.48668777538318964, -0.48668777538318964, -0.48668777538318964, -0.48668777538318964, // 224
  0.04578296814514887, 0.04578296814514887, 0.04578296814514887, 0.04578296814514887, // 240
  0.5585235647521772, 0.5585235647521772, 0.5585235647521772, 0.5585235647521772, // 256
  0.0003002531040335469, 0.0003002531040335469, 0.0003002531040335469, 0.0003002531040335469, // 272
], 16);

/** erf per lane: within 2 ulp; odd, erf(±0) = ±0, ±1 from |x| ≈ 3.92 on and for ±∞, NaN for NaN. */
@inline export function erfV(x: v128): v128 {
  const ax = f32x4.abs(x);
  // below 0.921875: x·P(x²)
  const s = f32x4.mul(x, x);
  let p = v128.load(ERF_K, 48);
  p = f32x4.add(f32x4.mul(p, s), v128.load(ERF_K, 64));
  p = f32x4.add(f32x4.mul(p, s), v128.load(ERF_K, 80));
  p = f32x4.add(f32x4.mul(p, s), v128.load(ERF_K, 96));
  p = f32x4.add(f32x4.mul(p, s), v128.load(ERF_K, 112));
  p = f32x4.add(f32x4.mul(p, s), v128.load(ERF_K, 128));
  const near = f32x4.mul(x, p);
  // above: ±(1 − e^(−x²)·R(1/|x|)), |x| clamped to 4 (NaN passes through pmin)
  const xc = f32x4.pmin(ax, v128.load(ERF_K, 16));
  const t = f32x4.div(v128.load(ERF_K, 32), xc);
  let q = v128.load(ERF_K, 144);
  q = f32x4.add(f32x4.mul(q, t), v128.load(ERF_K, 160));
  q = f32x4.add(f32x4.mul(q, t), v128.load(ERF_K, 176));
  q = f32x4.add(f32x4.mul(q, t), v128.load(ERF_K, 192));
  q = f32x4.add(f32x4.mul(q, t), v128.load(ERF_K, 208));
  q = f32x4.add(f32x4.mul(q, t), v128.load(ERF_K, 224));
  q = f32x4.add(f32x4.mul(q, t), v128.load(ERF_K, 240));
  q = f32x4.add(f32x4.mul(q, t), v128.load(ERF_K, 256));
  q = f32x4.add(f32x4.mul(q, t), v128.load(ERF_K, 272));
  const far = f32x4.sub(v128.load(ERF_K, 32), f32x4.mul(expV(f32x4.neg(f32x4.mul(xc, xc))), q));
  const signed = v128.or(far, v128.and(x, i32x4.splat(0x80000000)));
  // NaN compares false: it takes the far branch, where 1/x made it NaN
  return v128.bitselect(near, signed, f32x4.lt(ax, v128.load(ERF_K, 0)));
}

const SQRT_HALF: f32 = 0.707106781186547524;

// log's constants, from tables for the reason given at EXP_K (floats, then integer bit patterns).
const LOG_F: usize = memory.data<f32>([
  1.17549435e-38, 1.17549435e-38, 1.17549435e-38, 1.17549435e-38, // 0: smallest normal
  8388608.0, 8388608.0, 8388608.0, 8388608.0, // 16: 2^23
  SQRT_HALF, SQRT_HALF, SQRT_HALF, SQRT_HALF, // 32
  1.0, 1.0, 1.0, 1.0, // 48
  7.0376836292e-2, 7.0376836292e-2, 7.0376836292e-2, 7.0376836292e-2, // 64: polynomial, highest first
  -1.1514610310e-1, -1.1514610310e-1, -1.1514610310e-1, -1.1514610310e-1, // 80
  1.1676998740e-1, 1.1676998740e-1, 1.1676998740e-1, 1.1676998740e-1, // 96
  -1.2420140846e-1, -1.2420140846e-1, -1.2420140846e-1, -1.2420140846e-1, // 112
  1.4249322787e-1, 1.4249322787e-1, 1.4249322787e-1, 1.4249322787e-1, // 128
  -1.6668057665e-1, -1.6668057665e-1, -1.6668057665e-1, -1.6668057665e-1, // 144
  2.0000714765e-1, 2.0000714765e-1, 2.0000714765e-1, 2.0000714765e-1, // 160
  -2.4999993993e-1, -2.4999993993e-1, -2.4999993993e-1, -2.4999993993e-1, // 176
  3.3333331174e-1, 3.3333331174e-1, 3.3333331174e-1, 3.3333331174e-1, // 192
  LN2_LO, LN2_LO, LN2_LO, LN2_LO, // 208
  0.5, 0.5, 0.5, 0.5, // 224
  LN2_HI, LN2_HI, LN2_HI, LN2_HI, // 240
  Infinity, Infinity, Infinity, Infinity, // 256
  -Infinity, -Infinity, -Infinity, -Infinity, // 272
  NaN, NaN, NaN, NaN, // 288
], 16);
const LOG_I: usize = memory.data<u32>([
  126, 126, 126, 126, // 0
  23, 23, 23, 23, // 16
  0x807fffff, 0x807fffff, 0x807fffff, 0x807fffff, // 32: sign and mantissa
  0x3f000000, 0x3f000000, 0x3f000000, 0x3f000000, // 48: exponent of [0.5, 1)
], 16);

/** Natural log per lane: log(0) = -Infinity, log(x < 0) = NaN, log(+Infinity) = +Infinity. */
@inline export function logV(x: v128): v128 {
  // Subnormals: scale into the normal range first (x·2^23, exponent - 23).
  const tiny = f32x4.lt(x, v128.load(LOG_F, 0));
  const xs = v128.bitselect(f32x4.mul(x, v128.load(LOG_F, 16)), x, tiny);
  const bits = xs;
  // frexp: x = m·2^e with m in [0.5, 1)
  let e = i32x4.sub(i32x4.shr_u(bits, 23), v128.load(LOG_I, 0));
  e = i32x4.sub(e, v128.and(tiny, v128.load(LOG_I, 16)));
  let m = v128.or(v128.and(bits, v128.load(LOG_I, 32)), v128.load(LOG_I, 48));
  // m < √½ → use 2m - 1 and e - 1, so the polynomial argument stays in [√½ - 1, √2 - 1).
  const small = f32x4.lt(m, v128.load(LOG_F, 32));
  e = i32x4.add(e, small); // mask lanes are -1
  m = f32x4.sub(f32x4.add(m, v128.and(m, small)), v128.load(LOG_F, 48));
  const fe = f32x4.convert_i32x4_s(e);
  const z = f32x4.mul(m, m);
  let y = v128.load(LOG_F, 64);
  y = f32x4.add(f32x4.mul(y, m), v128.load(LOG_F, 80));
  y = f32x4.add(f32x4.mul(y, m), v128.load(LOG_F, 96));
  y = f32x4.add(f32x4.mul(y, m), v128.load(LOG_F, 112));
  y = f32x4.add(f32x4.mul(y, m), v128.load(LOG_F, 128));
  y = f32x4.add(f32x4.mul(y, m), v128.load(LOG_F, 144));
  y = f32x4.add(f32x4.mul(y, m), v128.load(LOG_F, 160));
  y = f32x4.add(f32x4.mul(y, m), v128.load(LOG_F, 176));
  y = f32x4.add(f32x4.mul(y, m), v128.load(LOG_F, 192));
  y = f32x4.mul(f32x4.mul(y, m), z);
  y = f32x4.add(y, f32x4.mul(fe, v128.load(LOG_F, 208)));
  y = f32x4.sub(y, f32x4.mul(z, v128.load(LOG_F, 224)));
  let r = f32x4.add(m, y);
  r = f32x4.add(r, f32x4.mul(fe, v128.load(LOG_F, 240)));
  // Special values, last so they win: +Inf → +Inf, 0 → -Inf, negative or NaN → NaN.
  r = v128.bitselect(x, r, f32x4.eq(x, v128.load(LOG_F, 256)));
  r = v128.bitselect(v128.load(LOG_F, 272), r, f32x4.eq(x, f32x4.splat(0)));
  const bad = v128.or(f32x4.lt(x, f32x4.splat(0)), f32x4.ne(x, x));
  return v128.bitselect(v128.load(LOG_F, 288), r, bad);
}
