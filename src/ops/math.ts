/**
 * Elementwise maths beyond the core arithmetic: trigonometric and hyperbolic functions, logs and
 * exponentials in other bases, special functions (erfc, erfinv, lgamma, digamma, polygamma), and
 * the smaller PyTorch conveniences (lerp, hypot, logaddexp, xlogy, logit, sinc, fmod, fmax, ...)
 * with PyTorch's aliases. Functions with a backend primitive record their own gradient (PyTorch's
 * formula from derivatives.yaml); the rest are composites of existing ops.
 */
import type { BinaryOp, UnaryOp } from "../backends/backend.js";
import { record } from "../autograd/engine.js";
import { untraced } from "../autograd/trace.js";
import { TensileError } from "../errors.js";
import { type DType, getDefaultDtype, isFloating } from "../tensor/dtype.js";
import { Tensor } from "../tensor/tensor.js";
import * as E from "./elementwise.js";
import { type TensorOrScalar, assertTensor, castTo, coerce, describe, scalarTensor } from "./util.js";
import { kwArgs } from "../utils/positional.js";

type T = Tensor;
type TS = TensorOrScalar;

/** The dtype a float op computes in: the input's if floating, else float32 (as PyTorch promotes). */
export const floatOf = (d: DType): DType => (isFloating(d) ? d : getDefaultDtype());

/** `x` as a float tensor (ints and bools promote to float32). */
export function floatInput(name: string, x: T): T {
  assertTensor(name, x);
  return castTo(x, floatOf(x.dtype));
}

/** Both operands as tensors of one float dtype (ints and bools promote to float32, as in PyTorch). */
export function floatPair(name: string, a: TS, b: TS): [T, T] {
  const [A, B, d] = coerce(name, a, b);
  const f = floatOf(d);
  return [castTo(A, f), castTo(B, f)];
}

function checkNumber(name: string, what: string, v: unknown, nullable = false): void {
  if (nullable && (v === null || v === undefined)) return;
  if (typeof v !== "number") throw new TensileError(`${name}: expected ${what} to be a number${nullable ? " or null" : ""}, got ${describe(v)}`);
}

/**
 * A float unary primitive with its gradient rule. `reads` says which value the rule reads (the
 * input or the output), for the engine's in-place check.
 */
function unary(name: string, op: UnaryOp, x: T, reads: "x" | "out", grad: (g: T, x: T, out: T) => T): T {
  const xf = floatInput(name, x);
  const out = E.unaryRaw(op, xf);
  return record(name, out, [xf], (g) => [grad(g, xf, out)], undefined, [reads === "x" ? xf : out]);
}

function binaryFloat(name: string, op: BinaryOp, a: TS, b: TS, grad: (g: T, a: T, b: T, out: T) => [T | null, T | null]): T {
  const [A, B] = floatPair(name, a, b);
  const out = E.binaryRaw(name, op, A, B);
  return record(name, out, [A, B], (g) => grad(g, A, B, out), undefined, [A, B, out]);
}

// ---------- trigonometric and hyperbolic ----------

export const tan = (x: T): T => unary("tan", "tan", x, "out", (g, _x, out) => g.mul(E.add(out.mul(out), 1)));
export const asin = (x: T): T => unary("asin", "asin", x, "x", (g, x) => g.mul(E.rsqrt(E.sub(1, x.mul(x)))));
export const acos = (x: T): T => unary("acos", "acos", x, "x", (g, x) => g.mul(E.rsqrt(E.sub(1, x.mul(x)))).neg());
export const atan = (x: T): T => unary("atan", "atan", x, "x", (g, x) => g.div(E.add(x.mul(x), 1)));
export const sinh = (x: T): T => unary("sinh", "sinh", x, "x", (g, x) => g.mul(cosh(x)));
export const cosh = (x: T): T => unary("cosh", "cosh", x, "x", (g, x) => g.mul(sinh(x)));
export const asinh = (x: T): T => unary("asinh", "asinh", x, "x", (g, x) => g.mul(E.rsqrt(E.add(x.mul(x), 1))));
export const acosh = (x: T): T => unary("acosh", "acosh", x, "x", (g, x) => g.mul(E.rsqrt(E.sub(x.mul(x), 1))));
export const atanh = (x: T): T => unary("atanh", "atanh", x, "x", (g, x) => g.div(E.sub(1, x.mul(x))));

/** atan2(y, x): the angle of the point (x, y), in (−π, π]; broadcasts. */
export const atan2 = (y: TS, x: TS): T =>
  binaryFloat("atan2", "atan2", y, x, (g, y, x) => {
    const r = E.reciprocal(E.add(y.mul(y), x.mul(x)));
    return [g.mul(x).mul(r), g.mul(y.neg()).mul(r)];
  });

// PyTorch's NumPy-style aliases
export const arcsin = asin, arccos = acos, arctan = atan, arctan2 = atan2;
export const arcsinh = asinh, arccosh = acosh, arctanh = atanh;

/** sin(πx)/(πx), 1 at 0 (the normalized sinc). */
export function sinc(x: T): T {
  const xf = floatInput("sinc", x);
  const zero = xf.detach().eq(0);
  const safe = E.where(zero, 1, xf); // x, and 1 where x = 0: the unused branch stays finite
  const px = safe.mul(Math.PI);
  return E.where(zero, 1, E.sin(px).div(px));
}

export const deg2rad = (x: T): T => floatInput("deg2rad", x).mul(Math.PI / 180);
export const rad2deg = (x: T): T => floatInput("rad2deg", x).mul(180 / Math.PI);

// ---------- exponentials and logarithms ----------

export const log2 = (x: T): T => unary("log2", "log2", x, "x", (g, x) => g.div(x.mul(Math.LN2)));
export const log10 = (x: T): T => unary("log10", "log10", x, "x", (g, x) => g.div(x.mul(Math.LN10)));
export const exp2 = (x: T): T => unary("exp2", "exp2", x, "out", (g, _x, out) => g.mul(out).mul(Math.LN2));

/** x², as pow(x, 2) (integer tensors stay integer). */
export function square(x: T): T {
  assertTensor("square", x);
  return E.pow(x, 2);
}

/** log(eᵃ + eᵇ) without overflow: max(a, b) + log1p(e^−|a−b|); equal infinities give themselves. */
export function logaddexp(a: TS, b: TS): T {
  return logAddExpBase("logaddexp", a, b, false);
}

/** log₂(2ᵃ + 2ᵇ), likewise. */
export function logaddexp2(a: TS, b: TS): T {
  return logAddExpBase("logaddexp2", a, b, true);
}

function logAddExpBase(name: string, a: TS, b: TS, base2: boolean): T {
  const [A, B] = floatPair(name, a, b);
  const out = untraced(() => {
    const x = A.detach(), y = B.detach();
    const m = E.maximum(x, y);
    const negDiff = E.abs(E.sub(x, y)).neg();
    const tail = base2 ? E.log1p(exp2(negDiff)).mul(1 / Math.LN2) : E.log1p(E.exp(negDiff));
    const sameInf = E.logicalAnd(E.eq(E.abs(x), Infinity), E.eq(x, y));
    return E.where(sameInf, x, E.add(m, tail));
  });
  // d/da = 1 / (1 + e^(b − a)) (base 2: 2^(b − a)), as PyTorch's rule
  const w = (p: T, q: T): T => (base2 ? exp2(E.sub(q, p)) : E.exp(E.sub(q, p)));
  return record(name, out, [A, B], (g) => [g.div(E.add(w(A, B), 1)), g.div(E.add(w(B, A), 1))], undefined, [A, B]);
}

/**
 * x·log(y), 0 where x = 0 (unless y is NaN), as PyTorch's xlogy. Its gradient, as PyTorch 1.13's:
 * xlogy(g, y) for x, except 0 where x = 0 and y ≤ 0; g·x/y for y.
 */
export function xlogy(x: TS, y: TS): T {
  const [A, B] = floatPair("xlogy", x, y);
  const out = untraced(() => xlogyValue(A.detach(), B.detach()));
  return record("xlogy", out, [A, B], (g) => [
    E.where(E.logicalAnd(E.eq(A, 0), E.le(B, 0)), 0, xlogyValue(g, B)),
    g.mul(A).div(B),
  ], undefined, [A, B]);
}

function xlogyValue(a: T, b: T): T {
  return E.where(E.isnan(b), NaN, E.where(E.eq(a, 0), 0, a.mul(E.log(b))));
}

/**
 * log(z / (1 − z)) with z = x, or with x clamped to [eps, 1 − eps] when eps is given; the gradient
 * is 0 outside that range (NaN outside [0, 1] without eps), as PyTorch's.
 */
export function logit(x: T, eps?: number | null): T {
  const xf = floatInput("logit", x);
  checkNumber("logit", "eps", eps, true);
  const clamped = eps !== null && eps !== undefined && eps >= 0;
  const lo = clamped ? eps : 0, hi = clamped ? 1 - eps : 1;
  const out = untraced(() => {
    const z = clamped ? E.clamp(xf.detach(), lo, hi) : xf.detach();
    return E.log(z.div(E.sub(1, z)));
  });
  return record("logit", out, [xf], (g) => {
    const outside = E.logicalOr(E.lt(xf, lo), E.gt(xf, hi));
    return [E.where(outside, clamped ? 0 : NaN, g.div(xf.mul(E.sub(1, xf))))];
  }, undefined, [xf]);
}

// ---------- special functions ----------

export const erfc = (x: T): T =>
  unary("erfc", "erfc", x, "x", (g, x) => g.mul(E.exp(x.mul(x).neg())).mul(-2 / Math.sqrt(Math.PI)));
/** erf⁻¹ on [−1, 1] (±∞ at ±1, NaN outside); d/dy = √π/2 · e^(erfinv(y)²). */
export const erfinv = (x: T): T =>
  unary("erfinv", "erfinv", x, "out", (g, _x, out) => g.mul(E.exp(out.mul(out))).mul(Math.sqrt(Math.PI) / 2));
/** log|Γ(x)|; d/dx = ψ(x). */
export const lgamma = (x: T): T => unary("lgamma", "lgamma", x, "x", (g, x) => g.mul(digamma(x)));
/** ψ(x) = d/dx log Γ(x) (−∞ at +0, NaN at the negative integers, as PyTorch); d/dx = ψ₁(x). */
export const digamma = (x: T): T => unary("digamma", "digamma", x, "x", (g, x) => g.mul(polygammaOf(1, x)));

/** ψ⁽ⁿ⁾(x), the n-th derivative of digamma: n = 0 is digamma; d/dx ψ⁽ⁿ⁾ = ψ⁽ⁿ⁺¹⁾. */
export function polygamma(n: number, x: T): T {
  if (typeof n !== "number" || !Number.isInteger(n) || n < 0)
    throw new TensileError(`polygamma: expected n to be a non-negative integer, got ${describe(n)}`);
  const xf = floatInput("polygamma", x);
  return n === 0 ? digamma(xf) : polygammaOf(n, xf);
}

/**
 * ψ⁽ⁿ⁾(x) for n ≥ 1 on a float tensor: trigamma's own kernel for n = 1, else
 * (−1)ⁿ⁺¹·n!·ζ(n + 1, x) with the Hurwitz zeta kernel, as PyTorch computes it.
 */
function polygammaOf(n: number, xf: T): T {
  let out: T;
  if (n === 1) out = E.unaryRaw("trigamma", xf);
  else {
    let factorial = 1;
    for (let i = 2; i <= n && factorial !== Infinity; i++) factorial *= i; // ∞ from n = 171
    const b = xf.backend;
    const z = E.binaryRaw("polygamma", "zeta", scalarTensor(n + 1, xf.dtype, b), xf);
    out = E.binaryRaw("polygamma", "mul", z, scalarTensor(n % 2 === 1 ? factorial : -factorial, xf.dtype, b));
    b.release?.(z.storage);
  }
  return record("polygamma", out, [xf], (g) => [g.mul(polygammaOf(n + 1, xf))], undefined, [xf]);
}

// ---------- rounding and remainders ----------

/** Rounds toward zero; zero gradient almost everywhere, as PyTorch. Integer tensors pass through. */
export function trunc(x: T): T {
  assertTensor("trunc", x);
  if (!isFloating(x.dtype)) return x;
  // exact zeros, not g·0 (NaN where g is infinite), as PyTorch's zeros_like
  return record("trunc", E.unaryRaw("trunc", x), [x], (g) => [E.fullLike(g, 0)], undefined, []);
}
export const fix = trunc;

/** x − trunc(x): the fractional part, with x's sign; gradient 1. */
export function frac(x: T): T {
  assertTensor("frac", x);
  if (!isFloating(x.dtype)) throw new TensileError(`frac: expected a floating-point tensor, got ${x.dtype}`);
  return E.sub(x, trunc(x));
}

/** C's fmod: a − trunc(a/b)·b, the dividend's sign (remainder takes the divisor's). */
export function fmod(a: TS, b: TS): T {
  const [A, B, d] = coerce("fmod", a, b);
  if (!isFloating(d)) return E.binaryRaw("fmod", "fmod", A.to(d === "bool" ? "int32" : d), B.to(d === "bool" ? "int32" : d));
  const out = E.binaryRaw("fmod", "fmod", A, B);
  return record("fmod", out, [A, B], (g) => [g, g.neg().mul(E.div(A, B, { roundingMode: "trunc" }))], undefined, [A, B]);
}

// ---------- clamping, NaN and infinities ----------

function checkBound(name: string, v: unknown): void {
  if (!(typeof v === "number" || v instanceof Tensor))
    throw new TensileError(`${name}: expected the bound to be a number or a Tensor, got ${describe(v)}`);
}
export function clampMin(x: T, min: number | T): T {
  assertTensor("clampMin", x);
  checkBound("clampMin", min);
  return E.clamp(x, min, null);
}
export function clampMax(x: T, max: number | T): T {
  assertTensor("clampMax", x);
  checkBound("clampMax", max);
  return E.clamp(x, null, max);
}
export const clip = (x: T, min?: number | T | null, max?: number | T | null): T => E.clamp(x, min, max);

const FLOAT_MAX: Record<string, number> = { float32: 3.4028234663852886e38, float64: Number.MAX_VALUE };

/**
 * NaN → nan (0), +∞ → posinf (the dtype's largest), −∞ → neginf (its most negative); the
 * gradient flows where x is finite. Integer and bool tensors come back as a copy.
 */
export function nanToNum(x: T, nan: number | null = 0, posinf?: number | null, neginf?: number | null): T {
  assertTensor("nanToNum", x);
  checkNumber("nanToNum", "nan", nan, true);
  checkNumber("nanToNum", "posinf", posinf, true);
  checkNumber("nanToNum", "neginf", neginf, true);
  if (!isFloating(x.dtype)) return x.clone();
  const big = FLOAT_MAX[x.dtype]!;
  const xd = x.detach();
  let out = E.where(E.eq(xd, -Infinity), neginf ?? -big, x);
  out = E.where(E.eq(xd, Infinity), posinf ?? big, out);
  return E.where(E.isnan(xd), nan ?? 0, out);
}

function predicate(name: string, x: T, f: (x: T) => T): T {
  assertTensor(name, x);
  if (!isFloating(x.dtype)) return E.fullLike(x.detach(), 0, { dtype: "bool" });
  return f(x.detach());
}
export const isinf = (x: T): T => predicate("isinf", x, (x) => E.eq(E.abs(x), Infinity));
export const isposinf = (x: T): T => predicate("isposinf", x, (x) => E.eq(x, Infinity));
export const isneginf = (x: T): T => predicate("isneginf", x, (x) => E.eq(x, -Infinity));

/** Whether the sign bit is set: true for negatives, −0 and −∞. */
export function signbit(x: T): T {
  assertTensor("signbit", x);
  const xd = x.detach();
  if (x.dtype === "bool") return E.fullLike(xd, 0, { dtype: "bool" });
  if (!isFloating(x.dtype)) return E.lt(xd, 0);
  // −0 is the zero whose reciprocal is −∞
  return E.logicalOr(E.lt(xd, 0), E.logicalAnd(E.eq(xd, 0), E.lt(E.reciprocal(xd), 0)));
}

/** sign for real tensors (PyTorch's sgn extends it to complex numbers). */
export function sgn(x: T): T {
  assertTensor("sgn", x);
  return E.sign(x);
}

/** 0 where x < 0, values where x = 0, 1 where x > 0 (NaN gives 0); not differentiable. */
export function heaviside(x: T, values: TS): T {
  assertTensor("heaviside", x);
  const [A, V, d] = coerce("heaviside", x, values);
  const a = A.detach();
  return E.where(E.eq(a, 0), V.detach(), E.gt(a, 0).to(d));
}

/** maximum that ignores NaN (NaN only where both are); the gradient goes to a where a ≥ b, as PyTorch's. */
export const fmax = (a: TS, b: TS): T => nanIgnoring("fmax", a, b);
/** minimum that ignores NaN, likewise. */
export const fmin = (a: TS, b: TS): T => nanIgnoring("fmin", a, b);

function nanIgnoring(name: "fmax" | "fmin", a: TS, b: TS): T {
  const [A, B] = coerce(name, a, b);
  const x = A.detach(), y = B.detach();
  const out = untraced(() => E.where(E.isnan(y), x, E.where(E.isnan(x), y, name === "fmax" ? E.maximum(x, y) : E.minimum(x, y))));
  if (!isFloating(out.dtype)) return out;
  return record(name, out, [A, B], (g) => {
    const toA = E.logicalOr(name === "fmax" ? E.ge(A, B) : E.le(A, B), E.isnan(B));
    return [E.where(toA, g, 0), E.where(toA, 0, g)];
  }, undefined, [A, B]);
}

// ---------- interpolation, distances, powers ----------

/** start + weight·(end − start), in PyTorch's two-sided form (exact at weight 0 and 1). */
export function lerp(start: T, end: T, weight: number | T | { weight: number | T }): T {
  assertTensor("lerp", start);
  [weight] = kwArgs("lerp", [weight], ["weight"]) as [number | T];
  assertTensor("lerp", end, "end");
  if (typeof weight === "number") {
    const diff = E.sub(end, start);
    return Math.abs(weight) < 0.5 ? E.add(start, diff.mul(weight)) : E.sub(end, diff.mul(1 - weight));
  }
  assertTensor("lerp", weight, "weight");
  const diff = E.sub(end, start);
  const low = E.lt(E.abs(weight.detach()), 0.5);
  return E.where(low, E.add(start, E.mul(weight, diff)), E.sub(end, diff.mul(E.sub(1, weight))));
}

/** √(a² + b²) without overflow or underflow; broadcasts. */
export const hypot = (a: TS, b: TS): T =>
  binaryFloat("hypot", "hypot", a, b, (g, a, b, out) => [g.mul(a).div(out), g.mul(b).div(out)]);

/** pow in float64 (both operands promoted to it, as PyTorch's float_power). */
export function floatPower(a: TS, b: TS): T {
  const f64 = (v: TS): TS => (v instanceof Tensor ? castTo(v, "float64") : v);
  if (!(a instanceof Tensor || typeof a === "number") || !(b instanceof Tensor || typeof b === "number") || !(a instanceof Tensor || b instanceof Tensor))
    throw new TensileError(`floatPower: expected a Tensor and a Tensor or number, got ${describe(a)} and ${describe(b)}`);
  return E.pow(f64(a), f64(b));
}

// ---------- aliases ----------

export const multiply = (a: TS, b: TS): T => E.mul(a, b);
export const divide = (a: TS, b: TS, opts?: { roundingMode?: "trunc" | "floor" | null }): T => E.div(a, b, opts);
export const trueDivide = (a: TS, b: TS): T => E.div(a, b);
export const subtract = (a: TS, b: TS, opts?: { alpha?: number }): T => E.sub(a, b, opts);
export const negative = (x: T): T => E.neg(x);
export const absolute = (x: T): T => E.abs(x);
