/**
 * Integer and bit ops (gcd, lcm, bitwise and/or/xor/not, shifts), the float ops PyTorch has on top
 * of ops/math.ts (copysign, nextafter, frexp, ldexp, positive, i0, mvlgamma), and the new maths of
 * `torch.special` (erfcx, ndtr, ndtri, logNdtr, i0e, i1, i1e, entr, xlog1py, zeta, multigammaln, the
 * Bessel functions of ops/special-bessel.ts, gammainc and gammaincc, and the orthogonal polynomials
 * of ops/special-poly.ts).
 *
 * Integer ops and the special functions without a backend primitive run one pass on the host over
 * the tensors' elements (as the dense linear algebra does): exact C semantics on int32 (wrap-around,
 * truncating %), and the float64 Cephes kernels of ops/special-math.ts, rounded once to the input's
 * dtype. Gradients are PyTorch 1.13's formulas written with Tensor ops, so createGraph works.
 */
import { record } from "../autograd/engine.js";
import { untraced } from "../autograd/trace.js";
import { TensileError, fmtValue } from "../errors.js";
import { type DType, arrayFor, isFloating, promoteTypes } from "../tensor/dtype.js";
import { broadcastShapes } from "../tensor/shape.js";
import { Tensor } from "../tensor/tensor.js";
import * as A from "./activation.js";
import * as E from "./elementwise.js";
import * as MA from "./math.js";
import * as R from "./reduce.js";
import * as B from "./special-bessel.js";
import * as K from "./special-math.js";
import * as P from "./special-poly.js";
import { type TensorOrScalar, assertTensor, broadcastView, castTo, coerce, describe, wrap } from "./util.js";

type T = Tensor;
type TS = TensorOrScalar;

const { floatOf, floatInput, floatPair } = MA;

// ---------- host passes ----------

/** f over x's elements (row-major), into a fresh `dtype` tensor of x's shape on x's backend. */
function mapUnary(x: T, dtype: DType, f: (v: number) => number): T {
  const a = x.dataSync();
  const out = arrayFor(dtype, a.length);
  for (let i = 0; i < a.length; i++) out[i] = f(a[i]!);
  return wrap(x.backend, x.backend.fromArray(out), x.shape);
}

/** f over the elements of a and b broadcast together (both on a's backend), into a fresh `dtype` tensor. */
function mapBinary(name: string, a: T, b: T, dtype: DType, f: (x: number, y: number) => number): T {
  const shape = broadcastShapes(name, a.shape, b.shape);
  const x = a.backend.read(broadcastView(a, shape));
  const y = a.backend.read(broadcastView(b, shape));
  const out = arrayFor(dtype, x.length);
  for (let i = 0; i < x.length; i++) out[i] = f(x[i]!, y[i]!);
  return wrap(a.backend, a.backend.fromArray(out), shape);
}

// ---------- integer and bit ops ----------

/** Both operands as int32 (or bool, where allowed) tensors without gradient; floats are an error, as in PyTorch. */
function integerPair(name: string, a: TS, b: TS, allowBool: boolean): [T, T, DType] {
  const [X, Y, d] = coerce(name, a, b);
  if (d === "int32" || (allowBool && d === "bool")) return [X.detach(), Y.detach(), d];
  throw new TensileError(
    `${name}: expected integer${allowBool ? " or bool" : ""} operands, got ${describe(a)} and ${describe(b)} (promoted to ${d}); ` +
      `${name} is not implemented for ${d}, as in PyTorch`,
  );
}

/** gcd(a, b) elementwise on int32 tensors (broadcast; numbers allowed): always ≥ 0 (gcd(0, 0) = 0). */
export function gcd(a: TS, b: TS): T {
  const [X, Y] = integerPair("gcd", a, b, false);
  return mapBinary("gcd", X, Y, "int32", K.gcd);
}

/** lcm(a, b) elementwise on int32 tensors: |a / gcd(a, b) · b|, 0 where either is 0 (int32 wrap-around on overflow). */
export function lcm(a: TS, b: TS): T {
  const [X, Y] = integerPair("lcm", a, b, false);
  return mapBinary("lcm", X, Y, "int32", K.lcm);
}

function bitwise(name: string, a: TS, b: TS, f: (x: number, y: number) => number, logical: (a: T, b: T) => T): T {
  const [X, Y, d] = integerPair(name, a, b, true);
  return d === "bool" ? logical(X, Y) : mapBinary(name, X, Y, "int32", f);
}

/** a & b on int32 or bool tensors (bool & bool is logicalAnd), broadcasting. */
export const bitwiseAnd = (a: TS, b: TS): T => bitwise("bitwiseAnd", a, b, (x, y) => x & y, E.logicalAnd);
/** a | b on int32 or bool tensors, broadcasting. */
export const bitwiseOr = (a: TS, b: TS): T => bitwise("bitwiseOr", a, b, (x, y) => x | y, E.logicalOr);
/** a ^ b on int32 or bool tensors, broadcasting. */
export const bitwiseXor = (a: TS, b: TS): T => bitwise("bitwiseXor", a, b, (x, y) => x ^ y, E.logicalXor);

/** ~x on an int32 tensor (−x − 1), logicalNot on a bool one. */
export function bitwiseNot(x: T): T {
  assertTensor("bitwiseNot", x);
  if (x.dtype === "bool") return E.logicalNot(x);
  if (x.dtype !== "int32") throw new TensileError(`bitwiseNot: expected an integer or bool tensor, got ${describe(x)}; bitwiseNot is not implemented for ${x.dtype}, as in PyTorch`);
  return mapUnary(x.detach(), "int32", (v) => ~v);
}

/**
 * a << b on int32 tensors (wrapping). A shift count outside [0, 31] gives 0, as C++ leaves
 * undefined and later PyTorch releases define (1.13 on x86 takes the count mod 32).
 */
export function bitwiseLeftShift(a: TS, b: TS): T {
  const [X, Y] = integerPair("bitwiseLeftShift", a, b, false);
  return mapBinary("bitwiseLeftShift", X, Y, "int32", (x, s) => (s < 0 || s > 31 ? 0 : x << s));
}

/** a >> b on int32 tensors (arithmetic: the sign fills); a count outside [0, 31] gives 0 or −1 by a's sign. */
export function bitwiseRightShift(a: TS, b: TS): T {
  const [X, Y] = integerPair("bitwiseRightShift", a, b, false);
  return mapBinary("bitwiseRightShift", X, Y, "int32", (x, s) => (s < 0 || s > 31 ? x >> 31 : x >> s));
}

// ---------- float ops ----------

/**
 * |a| with the sign of b (−0 and negative NaNs count as negative), in a float dtype (ints promote
 * to float32); broadcasts. Gradient: g·copysign(a, b)/a for a (0 where a = 0), zeros for b, as PyTorch.
 */
export function copysign(a: TS, b: TS): T {
  const [X, Y] = floatPair("copysign", a, b);
  const out = mapBinary("copysign", X, Y, X.dtype, (x, y) => (K.signBit(y) ? -Math.abs(x) : Math.abs(x)));
  return record("copysign", out, [X, Y], (g) => [
    g.mul(E.where(E.eq(X, 0), 0, out.div(X))),
    E.fullLike(g.detach(), 0),
  ], undefined, [X, out]);
}

/** The next representable value after a toward b, in a's (promoted float) dtype; not differentiable. */
export function nextafter(a: TS, b: TS): T {
  const [X, Y, d] = coerce("nextafter", a, b);
  if (!isFloating(d)) throw new TensileError(`nextafter: expected floating-point operands, got ${describe(a)} and ${describe(b)}; nextafter is not implemented for ${d}, as in PyTorch`);
  const single = d === "float32";
  return mapBinary("nextafter", X.detach(), Y.detach(), d, (x, y) => K.nextafter(x, y, single));
}

/** frexp's result: [mantissa, exponent] (also `.mantissa`, `.exponent`, as PyTorch's named tuple). */
export type Frexp = [Tensor, Tensor] & { readonly mantissa: Tensor; readonly exponent: Tensor };

/**
 * x = mantissa·2^exponent with 0.5 ≤ |mantissa| < 1 (exponent int32); zeros, infinities and NaN
 * give [x, 0]. Floating-point input only, as in PyTorch. The mantissa's gradient is g·2^−exponent.
 */
export function frexp(x: T): Frexp {
  assertTensor("frexp", x);
  if (!isFloating(x.dtype)) throw new TensileError(`frexp: only supports floating-point dtypes, got ${describe(x)}`);
  const a = x.dataSync();
  const m = arrayFor(x.dtype, a.length), e = new Int32Array(a.length);
  for (let i = 0; i < a.length; i++) [m[i], e[i]] = K.frexp(a[i]!);
  const exponent = wrap(x.backend, x.backend.fromArray(e), x.shape);
  // 2^−e in x's dtype (PyTorch divides by exponent.exp2() in float32, which overflows from 2^128)
  const mantissa = record("frexp", wrap(x.backend, x.backend.fromArray(m), x.shape), [x],
    (g) => [g.mul(MA.exp2(exponent.neg().to(x.dtype)))], undefined, [exponent]);
  return Object.defineProperties([mantissa, exponent], {
    mantissa: { value: mantissa, enumerable: false },
    exponent: { value: exponent, enumerable: false },
  }) as Frexp;
}

/**
 * x·2^e (PyTorch computes x·pow(2, e)); the result is float: x's dtype promoted with e's (an integer
 * e counts as float32). 2^e is computed in that dtype, where PyTorch 1.13 takes an integer e's 2^e
 * in float32 (∞ from e = 128 even for a float64 x). Differentiable in x and in a float e.
 */
export function ldexp(x: T, e: TS): T {
  assertTensor("ldexp", x);
  if (typeof e === "number") return E.mul(castTo(x, floatOf(x.dtype)), 2 ** e);
  assertTensor("ldexp", e, "other");
  const d = promoteTypes(floatOf(x.dtype), floatOf(e.dtype));
  return E.mul(castTo(x, d), E.pow(2, castTo(e, d)));
}

/** x itself (PyTorch's unary +); an error on bool tensors, as in PyTorch. */
export function positive(x: T): T {
  assertTensor("positive", x);
  if (x.dtype === "bool") throw new TensileError("positive: the `+` operator, on a bool tensor is not supported");
  return x;
}

// ---------- Bessel functions ----------

const EPS: Record<string, number> = { float32: 1.1920928955078125e-7, float64: 2.220446049250313e-16 };

/** I0(x), the modified Bessel function of the first kind of order 0; d/dx = I1(x). */
export function i0(x: T): T {
  const xf = floatInput("i0", x);
  const out = mapUnary(xf, xf.dtype, K.besselI0);
  return record("i0", out, [xf], (g) => [g.mul(i1(xf))], undefined, [xf]);
}

/** e^−|x|·I0(x); d/dx = i1e(x) − sgn(x)·i0e(x). */
export function i0e(x: T): T {
  const xf = floatInput("special.i0e", x);
  const out = mapUnary(xf, xf.dtype, K.besselI0e);
  return record("special.i0e", out, [xf], (g) => [g.mul(E.sub(i1e(xf), E.sign(xf).mul(out)))], undefined, [xf, out]);
}

/** Where |x| ≤ eps the derivative is ½ (PyTorch's i1_backward guards x = 0 this way). */
function nearZeroGuard(xf: T, grad: (safe: T) => T): T {
  const big = E.gt(E.abs(xf), EPS[xf.dtype]!);
  const safe = E.where(big, xf, EPS[xf.dtype]!);
  return E.where(big, grad(safe), 0.5);
}

/** I1(x), order 1; d/dx = I0(x) − I1(x)/x (½ at 0). */
export function i1(x: T): T {
  const xf = floatInput("special.i1", x);
  const out = mapUnary(xf, xf.dtype, K.besselI1);
  return record("special.i1", out, [xf], (g) => [g.mul(nearZeroGuard(xf, (s) => E.sub(i0(s), out.div(s))))], undefined, [xf, out]);
}

/** e^−|x|·I1(x); d/dx = i0e(x) − i1e(x)·(sgn(x) + 1/x) (½ at 0). */
export function i1e(x: T): T {
  const xf = floatInput("special.i1e", x);
  const out = mapUnary(xf, xf.dtype, K.besselI1e);
  return record("special.i1e", out, [xf], (g) => [
    g.mul(nearZeroGuard(xf, (s) => E.sub(i0e(s), out.mul(E.add(E.sign(s), E.reciprocal(s)))))),
  ], undefined, [xf, out]);
}

// ---------- torch.special's Bessel functions and polynomials (not differentiable in PyTorch 1.13) ----------

/**
 * A unary special function that PyTorch 1.13 does not differentiate: its output never requires
 * grad (as torch's), so it is a constant to autograd. Ints promote to float32.
 */
function constantUnary(name: string, f: (v: number) => number): (x: T) => T {
  return (x: T): T => {
    const xf = floatInput(name, x);
    return mapUnary(xf.detach(), xf.dtype, f);
  };
}

/** Ai(x), the Airy function of the first kind (NaN at ±∞, as PyTorch 1.13). */
export const airyAi = constantUnary("special.airyAi", B.airyAi);
/** J0(x), the Bessel function of the first kind of order 0. */
export const besselJ0 = constantUnary("special.besselJ0", B.besselJ0);
/** J1(x), order 1. */
export const besselJ1 = constantUnary("special.besselJ1", B.besselJ1);
/** Y0(x), the Bessel function of the second kind of order 0: −∞ at 0, NaN for x < 0. */
export const besselY0 = constantUnary("special.besselY0", B.besselY0);
/** Y1(x), order 1: −∞ at 0, NaN for x < 0. */
export const besselY1 = constantUnary("special.besselY1", B.besselY1);
/** I0(x) (as i0, but NaN at ±∞, as PyTorch 1.13's modified_bessel_i0). */
export const modifiedBesselI0 = constantUnary("special.modifiedBesselI0", (v) => (Number.isFinite(v) ? K.besselI0(v) : NaN));
/** I1(x) (NaN at ±∞). */
export const modifiedBesselI1 = constantUnary("special.modifiedBesselI1", (v) => (Number.isFinite(v) ? K.besselI1(v) : NaN));
/** K0(x), the modified Bessel function of the second kind of order 0: ∞ at 0, NaN for x < 0. */
export const modifiedBesselK0 = constantUnary("special.modifiedBesselK0", B.besselK0);
/** K1(x), order 1. */
export const modifiedBesselK1 = constantUnary("special.modifiedBesselK1", B.besselK1);
/** e^x·K0(x). */
export const scaledModifiedBesselK0 = constantUnary("special.scaledModifiedBesselK0", B.besselK0e);
/** e^x·K1(x). */
export const scaledModifiedBesselK1 = constantUnary("special.scaledModifiedBesselK1", B.besselK1e);
/** j0(x) = sin(x)/x, the spherical Bessel function of the first kind of order 0 (1 at 0). */
export const sphericalBesselJ0 = constantUnary("special.sphericalBesselJ0", B.sphericalJ0);

/**
 * A polynomial of degree n at x, broadcasting x with n (either may be a number, not both, as in
 * PyTorch); the result's dtype is x's and n's promoted (ints to float32). n is truncated toward zero;
 * a negative degree gives 0 (see ops/special-poly.ts). Not differentiable in PyTorch 1.13.
 */
function polynomial(name: string, f: (x: number, n: number) => number): (x: TS, n: TS) => T {
  return (x: TS, n: TS): T => {
    if (!(x instanceof Tensor) && !(n instanceof Tensor)) {
      throw new TensileError(`${name}: expected x or n to be a Tensor, got ${describe(x)} and ${describe(n)}`);
    }
    const [X, N] = floatPair(name, x, n);
    return mapBinary(name, X.detach(), N.detach(), X.dtype, f);
  };
}

/** Tₙ(x), the Chebyshev polynomial of the first kind. */
export const chebyshevPolynomialT = polynomial("special.chebyshevPolynomialT", P.chebyshevT);
/** Uₙ(x), the Chebyshev polynomial of the second kind. */
export const chebyshevPolynomialU = polynomial("special.chebyshevPolynomialU", P.chebyshevU);
/** Vₙ(x), the Chebyshev polynomial of the third kind. */
export const chebyshevPolynomialV = polynomial("special.chebyshevPolynomialV", P.chebyshevV);
/** Wₙ(x), the Chebyshev polynomial of the fourth kind. */
export const chebyshevPolynomialW = polynomial("special.chebyshevPolynomialW", P.chebyshevW);
/** T*ₙ(x) = Tₙ(2x − 1). */
export const shiftedChebyshevPolynomialT = polynomial("special.shiftedChebyshevPolynomialT", P.shiftedChebyshevT);
/** U*ₙ(x) = Uₙ(2x − 1). */
export const shiftedChebyshevPolynomialU = polynomial("special.shiftedChebyshevPolynomialU", P.shiftedChebyshevU);
/** V*ₙ(x) = Vₙ(2x − 1). */
export const shiftedChebyshevPolynomialV = polynomial("special.shiftedChebyshevPolynomialV", P.shiftedChebyshevV);
/** W*ₙ(x) = Wₙ(2x − 1). */
export const shiftedChebyshevPolynomialW = polynomial("special.shiftedChebyshevPolynomialW", P.shiftedChebyshevW);
/** Hₙ(x), the physicists' Hermite polynomial. */
export const hermitePolynomialH = polynomial("special.hermitePolynomialH", P.hermiteH);
/** Heₙ(x), the probabilists' Hermite polynomial. */
export const hermitePolynomialHe = polynomial("special.hermitePolynomialHe", P.hermiteHe);
/** Lₙ(x), the Laguerre polynomial. */
export const laguerrePolynomialL = polynomial("special.laguerrePolynomialL", P.laguerreL);
/** Pₙ(x), the Legendre polynomial. */
export const legendrePolynomialP = polynomial("special.legendrePolynomialP", P.legendreP);

// ---------- incomplete gamma functions ----------

function incompleteGamma(name: string, a: TS, x: TS, upper: boolean): T {
  const [A, X, d] = coerce(name, a, x);
  if (!isFloating(d)) {
    throw new TensileError(`${name}: not implemented for ${d} operands (got ${describe(a)} and ${describe(x)}), as in PyTorch; cast to a floating-point dtype first`);
  }
  const out = mapBinary(name, A.detach(), X.detach(), d, upper ? K.gammaincc : K.gammainc);
  return record(name, out, [A, X], (g) => {
    if (A.requiresGrad) throw new TensileError(`${name}: the derivative with respect to a (the first argument) is not implemented, as in PyTorch; only x is differentiable`);
    // ∂P/∂x = x^(a−1)·e^(−x)/Γ(a), as PyTorch: exp((a − 1)·log x − x − lgamma(a))
    const density = E.exp(E.sub(E.sub(E.sub(A, 1).mul(E.log(X)), X), MA.lgamma(A)));
    return [null, upper ? g.mul(density).neg() : g.mul(density)];
  }, undefined, [A, X]);
}

/**
 * P(a, x) = γ(a, x)/Γ(a), the regularized lower incomplete gamma function (torch.special.gammainc);
 * broadcasts, numbers allowed; integer operands are an error, as in PyTorch. NaN for a < 0 or x < 0.
 * Differentiable in x only: as in PyTorch, backward through a is an error.
 */
export const gammainc = (a: TS, x: TS): T => incompleteGamma("special.gammainc", a, x, false);
/** Q(a, x) = 1 − P(a, x), the regularized upper incomplete gamma function (torch.special.gammaincc). */
export const gammaincc = (a: TS, x: TS): T => incompleteGamma("special.gammaincc", a, x, true);

// ---------- error function and the normal distribution ----------

const TWO_OVER_SQRT_PI = 2 / Math.sqrt(Math.PI);
const SQRT_2PI = Math.sqrt(2 * Math.PI);

/** e^(x²)·erfc(x), finite where erfc underflows; d/dx = 2x·erfcx(x) − 2/√π. */
export function erfcx(x: T): T {
  const xf = floatInput("special.erfcx", x);
  const out = mapUnary(xf, xf.dtype, K.erfcx);
  return record("special.erfcx", out, [xf], (g) => [g.mul(E.sub(xf.mul(out).mul(2), TWO_OVER_SQRT_PI))], undefined, [xf, out]);
}

/**
 * Φ(x), the standard normal CDF, accurate to the last digits of the lower tail (PyTorch 1.13's
 * ½(1 + erf(x/√2)) cancels there: 0 from x ≈ −8.3); d/dx = e^(−x²/2)/√(2π).
 */
export function ndtr(x: T): T {
  const xf = floatInput("special.ndtr", x);
  const out = mapUnary(xf, xf.dtype, K.ndtr);
  return record("special.ndtr", out, [xf], (g) => [g.mul(E.exp(xf.mul(xf).mul(-0.5))).mul(1 / SQRT_2PI)], undefined, [xf]);
}

/** Φ⁻¹(p) (Cephes' ndtri): −∞ at 0, ∞ at 1, NaN outside [0, 1]; d/dp = √(2π)·e^(x²/2). */
export function ndtri(p: T): T {
  const pf = floatInput("special.ndtri", p);
  const out = mapUnary(pf, pf.dtype, K.ndtri);
  return record("special.ndtri", out, [pf], (g) => [g.mul(E.exp(out.mul(out).mul(0.5))).mul(SQRT_2PI)], undefined, [out]);
}

/** log Φ(x), accurate far into both tails; d/dx = e^(−(log Φ(x) + x²/2))/√(2π). */
export function logNdtr(x: T): T {
  const xf = floatInput("special.logNdtr", x);
  const out = mapUnary(xf, xf.dtype, K.logNdtr);
  return record("special.logNdtr", out, [xf], (g) => [
    g.mul(E.exp(E.add(out, xf.mul(xf).mul(0.5)).neg())).mul(1 / SQRT_2PI),
  ], undefined, [xf, out]);
}

// ---------- entropy, logs, gamma ----------

/** −x·log(x) (0 at 0, −∞ below 0); d/dx = −(1 + log x). */
export function entr(x: T): T {
  const xf = floatInput("special.entr", x);
  const out = mapUnary(xf, xf.dtype, (v) => (v > 0 ? -v * Math.log(v) : v === 0 ? 0 : v < 0 ? -Infinity : v));
  return record("special.entr", out, [xf], (g) => [g.mul(E.add(E.log(xf), 1)).neg()], undefined, [xf]);
}

/**
 * x·log1p(y), 0 where x = 0 (unless y is NaN), as torch.special.xlog1py. Gradient, as PyTorch 1.13's:
 * xlog1py(g, y) for x, 0 where x = 0 and y ≤ −1; g·x/(1 + y) for y.
 */
export function xlog1py(x: TS, y: TS): T {
  const [X, Y] = floatPair("special.xlog1py", x, y);
  const value = (a: T, b: T): T => E.where(E.isnan(b), NaN, E.where(E.eq(a, 0), 0, a.mul(E.log1p(b))));
  const out = untraced(() => value(X.detach(), Y.detach()));
  return record("special.xlog1py", out, [X, Y], (g) => [
    E.where(E.logicalAnd(E.eq(X, 0), E.le(Y, -1)), 0, xlog1py(g, Y)),
    g.mul(X).div(E.add(Y, 1)),
  ], undefined, [X, Y]);
}

/**
 * The Hurwitz zeta function ζ(x, q) = Σₖ (k + q)^−x (Cephes', as PyTorch's); broadcasts, numbers
 * allowed for either. Differentiable in q (−x·ζ(x + 1, q)); as in PyTorch, backward through x is an error.
 */
export function zeta(x: TS, q: TS): T {
  const [X, Q] = floatPair("special.zeta", x, q);
  const out = E.binaryRaw("special.zeta", "zeta", X, Q);
  return record("special.zeta", out, [X, Q], (g) => {
    if (X.requiresGrad) throw new TensileError("special.zeta: the derivative with respect to x (the first argument) is not implemented, as in PyTorch; only q is differentiable");
    return [null, g.mul(X).mul(zeta(E.add(X, 1), Q)).neg()];
  }, undefined, [X, Q]);
}

/**
 * The multivariate log-gamma function of dimension p: Σᵢ₌₀^(p−1) lgamma(x − i/2) + p(p−1)/4·log π
 * (PyTorch's mvlgamma, torch.special.multigammaln); ints promote to float32.
 */
export const mvlgamma = (x: T, p: number): T => multiLgamma("mvlgamma", x, p);
/** torch.special.multigammaln: mvlgamma. */
export const multigammaln = (x: T, p: number): T => multiLgamma("special.multigammaln", x, p);

function multiLgamma(name: string, x: T, p: number): T {
  const xf = floatInput(name, x);
  if (typeof p !== "number" || !Number.isInteger(p)) throw new TensileError(`${name}: expected p to be an integer, got ${fmtValue(p)}`);
  if (p < 1) throw new TensileError(`${name}: p has to be greater than or equal to 1, got ${p}`);
  if (xf.numel() * p > 2 ** 31 - 1)
    throw new TensileError(`${name}: p = ${p} is too large for an input of ${xf.numel()} elements (Tensile sums p lgamma terms per element)`);
  const offsets = arrayFor(xf.dtype, p);
  for (let i = 0; i < p; i++) offsets[i] = (i + 1 - p) / 2;
  const args = E.add(xf.unsqueeze(-1), wrap(xf.backend, xf.backend.fromArray(offsets), [p]));
  return E.add(R.sum(MA.lgamma(args), -1), (p * (p - 1) * Math.log(Math.PI)) / 4);
}

// ---------- torch.special's aliases with options ----------

/** round(x) or, with `decimals`, round(x·10^d)/10^d (half to even), as torch.special.round. */
export function round(x: T, options: { decimals?: number } | null = {}): T {
  assertTensor("special.round", x);
  const decimals = options?.decimals ?? 0;
  if (!Number.isInteger(decimals)) throw new TensileError(`special.round: expected decimals to be an integer, got ${fmtValue(decimals)}`);
  if (decimals === 0) return E.round(x);
  if (!isFloating(x.dtype)) throw new TensileError(`special.round: decimals needs a floating-point tensor, got ${describe(x)}`);
  const scale = 10 ** Math.abs(decimals);
  return decimals > 0 ? E.round(x.mul(scale)).div(scale) : E.round(x.div(scale)).mul(scale);
}

function softmaxDtype(name: string, x: T, options: { dtype?: DType | null } | null | undefined): T {
  assertTensor(name, x);
  const dtype = options?.dtype;
  if (dtype === undefined || dtype === null) return x;
  if (!isFloating(dtype)) throw new TensileError(`${name}: expected dtype to be float32 or float64, got ${fmtValue(dtype)}`);
  return castTo(x, dtype);
}

/** softmax along dim, after casting to `dtype` when given (torch.special.softmax). */
export const softmax = (x: T, dim: number, options?: { dtype?: DType | null } | null): T =>
  A.softmax(softmaxDtype("special.softmax", x, options), dim);
/** logSoftmax along dim, after casting to `dtype` when given. */
export const logSoftmax = (x: T, dim: number, options?: { dtype?: DType | null } | null): T =>
  A.logSoftmax(softmaxDtype("special.logSoftmax", x, options), dim);

/** The logistic sigmoid 1/(1 + e^−x). */
export const expit = (x: T): T => A.sigmoid(x);
