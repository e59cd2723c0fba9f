import type { BinaryOp, UnaryOp } from "../backends/backend.js";
import { traceAttrs, traceOp, untraced } from "../autograd/trace.js";
import { record } from "../autograd/engine.js";
import { noGrad } from "../autograd/grad-mode.js";
import { TensileError, fmtShape } from "../errors.js";
import { type DType, checkDType, getDefaultDtype, isFloating, promoteTypes } from "../tensor/dtype.js";
import { broadcastShapes } from "../tensor/shape.js";
import { kwArgs } from "../utils/positional.js";
import { Tensor } from "../tensor/tensor.js";
import {
  type TensorOrScalar, assertTensor, broadcastView, castTo, coerce, onBackend, scalarTensor, wrap,
} from "./util.js";

type T = Tensor;
type TS = TensorOrScalar;

// ---------- raw kernels (no autograd) ----------

export function unaryRaw(op: UnaryOp, x: T, dtype: DType = x.dtype): T {
  return wrap(x.backend, x.backend.unary(op, x, dtype), x.shape);
}

export function binaryRaw(name: string, op: BinaryOp, a: T, b: T, outDtype?: DType): T {
  const shape = broadcastShapes(name, a.shape, b.shape);
  const d = a.dtype;
  let s;
  try {
    s = a.backend.binary(op, broadcastView(a, shape), broadcastView(b, shape), shape, outDtype ?? d);
  } catch (e) {
    if (e instanceof RangeError && e.message === "ZeroDivisionError") throw new TensileError(`${name}: integer division by zero`);
    throw e;
  }
  return wrap(a.backend, s, shape);
}

/** Float dtype an op like exp computes in: ints and bools are promoted to float32, as in PyTorch. */
const floatOf = (d: DType): DType => (isFloating(d) ? d : getDefaultDtype());

function unaryFloat(name: string, op: UnaryOp, x: T, grad?: (g: T, x: T, out: T) => T): T {
  assertTensor(name, x);
  const xf = castTo(x, floatOf(x.dtype));
  const out = unaryRaw(op, xf);
  return grad ? record(name, out, [xf], (g) => [grad(g, xf, out)]) : out;
}

// ---------- dtype ----------

export function to(x: T, dtype: DType): T {
  assertTensor("to", x);
  checkDType("to", dtype);
  if (x.dtype === dtype) return x;
  const out = wrap(x.backend, x.backend.copy(x, dtype), x.shape);
  if (!isFloating(dtype)) return out;
  return record("to", out, [x], (g) => [g.to(x.dtype)], undefined, []);
}

export function fullLike(x: T, value: number, opts: { dtype?: DType } = {}): T {
  opts ??= {};
  const dtype = opts.dtype ?? x.dtype;
  const s = scalarTensor(value, dtype, x.backend);
  return wrap(x.backend, x.backend.copy(broadcastView(s, x.shape), dtype), x.shape);
}

// ---------- arithmetic ----------

export function add(a: TS, b: TS, opts: { alpha?: number } = {}): T {
  opts ??= {};
  let [A, B, d] = coerce("add", a, b);
  if (opts.alpha !== undefined && opts.alpha !== 1) B = scaleByAlpha("add", B, d, opts.alpha);
  return record("add", binaryRaw("add", "add", A, B), [A, B], (g) => [g, g], undefined, []);
}

export function sub(a: TS, b: TS, opts: { alpha?: number } = {}): T {
  opts ??= {};
  // PyTorch's messages: two bool tensors, or one bool tensor with a tensor or number
  if (a instanceof Tensor && a.dtype === "bool" && b instanceof Tensor && b.dtype === "bool")
    throw new TensileError("sub: Subtraction, the `-` operator, with two bool tensors is not supported. Use the `^` or `logicalXor()` operator instead.");
  if ((a instanceof Tensor && a.dtype === "bool") || (b instanceof Tensor && b.dtype === "bool"))
    throw new TensileError("sub: Subtraction, the `-` operator, with a bool tensor is not supported. If you are trying to invert a mask, use the `~` or `logicalNot()` operator instead.");
  let [A, B, d] = coerce("sub", a, b);
  if (opts.alpha !== undefined && opts.alpha !== 1) B = scaleByAlpha("sub", B, d, opts.alpha);
  return record("sub", binaryRaw("sub", "sub", A, B), [A, B], (g) => [g, g.neg()], undefined, []);
}

/**
 * alpha·b for add/sub in the result dtype `d`, as PyTorch: a fractional alpha is refused for
 * integer results, and for bool ones alpha only says whether b counts (a + alpha·b is a ∨ (alpha ∧ b)).
 */
function scaleByAlpha(name: string, B: T, d: DType, alpha: number): T {
  if (typeof alpha !== "number") throw new TensileError(`${name}: expected alpha to be a number, got ${typeof alpha}`);
  if (!isFloating(d) && !Number.isInteger(alpha))
    throw new TensileError(`${name}: For integral input tensors, argument alpha must not be a floating point number (got alpha=${alpha})`);
  if (d === "bool") return alpha ? B : fullLike(B, 0);
  return mul(B, alpha);
}

export function mul(a: TS, b: TS): T {
  const [A, B] = coerce("mul", a, b);
  if (A.dtype === "bool") return binaryRaw("mul", "logicalAnd", A, B, "bool");
  // each operand's gradient reads the other
  return record("mul", binaryRaw("mul", "mul", A, B), [A, B], (g) => [g.mul(B), g.mul(A)], undefined,
    [A.requiresGrad ? B : null, B.requiresGrad ? A : null]);
}

/** True division (ints promote to float); `roundingMode` "trunc"/"floor" rounds the quotient. */
export function div(a: TS, b: TS, opts: { roundingMode?: "trunc" | "floor" | null } = {}): T {
  opts ??= {};
  const mode = opts.roundingMode ?? null;
  if (mode !== null && mode !== "trunc" && mode !== "floor")
    throw new TensileError(`div: expected roundingMode to be one of null, "trunc", or "floor" but found "${mode}"`);
  let [A, B, d] = coerce("div", a, b);
  if (mode === "floor") return floorDivide(A, B);
  if (mode === "trunc") {
    if (!isFloating(d)) {
      const q = binaryRaw("div", "div", A, B); // floor for ints; fix toward zero
      const r = binaryRaw("div", "sub", A, binaryRaw("div", "mul", q, B));
      const fix = binaryRaw("div", "logicalAnd", binaryRaw("div", "ne", r, zeroOf(r)), binaryRaw("div", "ne", binaryRaw("div", "lt", A, zeroOf(A)), binaryRaw("div", "lt", B, zeroOf(B))));
      return binaryRaw("div", "add", q, to(fix, "int32"));
    }
    // A rounded quotient is piecewise constant: zero gradient almost everywhere (as PyTorch).
    const out = unaryRaw("trunc", binaryRaw("div", "div", A, B));
    return record("div", out, [A, B], (g) => [zerosLike(g), zerosLike(g)], undefined, []);
  }
  if (!isFloating(d)) {
    A = A.to(getDefaultDtype());
    B = B.to(getDefaultDtype());
  }
  const out = binaryRaw("div", "div", A, B);
  return record("div", out, [A, B], (g) => [g.div(B), g.neg().mul(out).div(B)], undefined, [B, out]);
}

const zeroOf = (t: T): T => scalarTensor(0, t.dtype, t.backend);

/**
 * a // b rounded toward −∞, as Python and PyTorch compute it for floats: from fmod, so the quotient
 * is the exact one rounded (1 // 0.1 = 9, −2.5 // ∞ = −1, ∞ // 2 = NaN, x // 0 = x / 0), not
 * floor(a / b) of the rounded a / b. Integers divide exactly (floor). Zero gradient, as PyTorch.
 */
export function floorDivide(a: TS, b: TS): T {
  const [A, B, d] = coerce("floorDivide", a, b);
  if (!isFloating(d)) return binaryRaw("floorDivide", "floorDiv", A, B);
  const out = untraced(() => floorDivFloat(A.detach(), B.detach()));
  return record("floorDivide", out, [A, B], (g) => [zerosLike(g), zerosLike(g)], undefined, []);
}

/** PyTorch's c10::div_floor_floating, elementwise in the operands' dtype. */
function floorDivFloat(a: T, b: T): T {
  const bin = (op: BinaryOp, x: T, y: T) => binaryRaw("floorDivide", op, x, y);
  const test = (op: BinaryOp, x: T, y: T) => binaryRaw("floorDivide", op, x, y, "bool");
  const num = (v: number) => scalarTensor(v, a.dtype, a.backend);
  const zero = num(0);
  const mod = bin("fmod", a, b);
  let q = bin("div", bin("sub", a, mod), b);
  // the remainder has the dividend's sign; a divisor of the other sign takes one more step down
  const down = test("logicalAnd", test("ne", mod, zero), test("ne", test("lt", b, zero), test("lt", mod, zero)));
  q = where(down, bin("sub", q, num(1)), q);
  let f = unaryRaw("floor", q);
  f = where(test("gt", bin("sub", q, f), num(0.5)), bin("add", f, num(1)), f);
  const ratio = bin("div", a, b);
  // a zero quotient keeps the sign of a / b; division by zero is IEEE's a / b
  const res = where(test("ne", q, zero), f, bin("mul", ratio, zero));
  return where(test("eq", b, zero), ratio, res);
}

/** A gradient of exact zeros (not g·0, which is NaN where g is infinite), as PyTorch's zeros_like. */
const zerosLike = (g: T): T => fullLike(g, 0);

export function remainder(a: TS, b: TS): T {
  const [A, B] = coerce("remainder", a, b);
  const out = binaryRaw("remainder", "remainder", A, B);
  return record("remainder", out, [A, B], (g) => [g, g.neg().mul(floorDivide(A.detach(), B.detach()))]);
}

export function pow(a: TS, b: TS): T {
  let [A, B, d] = coerce("pow", a, b);
  if (a instanceof Tensor && typeof b === "number" && !isFloating(d) && Number.isInteger(b) && b < 0)
    throw new TensileError(`pow: Integers to negative integer powers are not allowed (${a.dtype} input, exponent ${b})`);
  if (d === "bool") [A, B] = [A.to("int32"), B.to("int32")];
  if (typeof b === "number" && (b === 2 || b === 3) && isFloating(d)) {
    // x² and x³ of a float tensor, and their gradients n·x^(n−1)·g, as products
    const n = b;
    const out = intPow(A, n);
    traceAttrs(out, { exponent: n });
    return record("pow", out, [A], (g) => [g.mul((n === 2 ? A : A.mul(A)).mul(n))], undefined, [A]);
  }
  const out = binaryRaw("pow", "pow", A, B);
  return record("pow", out, [A, B], (g) => {
    // d/da = b·a^(b−1), exactly 0 where b = 0 (also at 0⁰, and whatever g is), as PyTorch's pow_backward_self
    const gA = !A.requiresGrad ? null
      : typeof b === "number" ? (b === 0 ? zerosLike(g) : g.mul(B.mul(pow(A, b - 1))))
      : where(B.eq(0), 0, g.mul(B.mul(pow(A, sub(B, 1)))));
    // d/db = a^b·ln a, 0 where a = 0 and b ≥ 0 (a^b·ln a = −∞ there for b < 0), as pow_backward_exponent
    const gB = B.requiresGrad ? g.mul(where(A.eq(0).logicalAnd(B.ge(0)), 0, out.mul(A.log()))) : null;
    return [gA, gB];
  });
}

/**
 * x² and x³ of a float tensor as products, as PyTorch computes them: the backends' multiply is a
 * kernel (f32x4 on wasm) where pow is a scalar f64 loop — over the MLP's 392,000 weights p.pow(2)
 * took 3.3 ms and p.pow(3) 14.7 (0.9 and 0.8 as products), and the backward's x^(n−1) took as
 * long again. x·x rounds once, as pow does; x·x·x twice, as PyTorch's cube does.
 */
function intPow(x: T, n: 2 | 3): T {
  const sq = binaryRaw("pow", "mul", x, x);
  if (n === 2) return sq;
  const cube = binaryRaw("pow", "mul", sq, x);
  sq.backend.release?.(sq.storage);
  return cube;
}

export const neg = (x: T): T => {
  assertTensor("neg", x);
  if (x.dtype === "bool") throw new TensileError("neg: negation, the `-` operator, on a bool tensor is not supported");
  return record("neg", unaryRaw("neg", x), [x], (g) => [g.neg()], undefined, []);
};
export const exp = (x: T): T => unaryFloat("exp", "exp", x, (g, _x, out) => g.mul(out));
export const expm1 = (x: T): T => unaryFloat("expm1", "expm1", x, (g, _x, out) => g.mul(out.add(1)));
export const log = (x: T): T => unaryFloat("log", "log", x, (g, x) => g.div(x));
export const log1p = (x: T): T => unaryFloat("log1p", "log1p", x, (g, x) => g.div(x.add(1)));
export const sqrt = (x: T): T => unaryFloat("sqrt", "sqrt", x, (g, _x, out) => g.div(out.mul(2)));
export const rsqrt = (x: T): T => unaryFloat("rsqrt", "rsqrt", x, (g, _x, out) => g.mul(out.pow(3)).mul(-0.5));
export const reciprocal = (x: T): T => unaryFloat("reciprocal", "reciprocal", x, (g, _x, out) => g.neg().mul(out.mul(out)));
export const sin = (x: T): T => unaryFloat("sin", "sin", x, (g, x) => g.mul(x.cos()));
export const cos = (x: T): T => unaryFloat("cos", "cos", x, (g, x) => g.neg().mul(x.sin()));
export const erf = (x: T): T => unaryFloat("erf", "erf", x, (g, x) => g.mul(x.mul(x).neg().exp().mul(2 / Math.sqrt(Math.PI))));

export function abs(x: T): T {
  assertTensor("abs", x);
  if (x.dtype === "bool") return x;
  return record("abs", unaryRaw("abs", x), [x], (g) => [g.mul(x.sign())], undefined, [x]);
}

/** Piecewise-constant ops: their gradient is zero almost everywhere (PyTorch returns zeros). */
function stepOp(name: string, op: UnaryOp, x: T): T {
  assertTensor(name, x);
  if (!isFloating(x.dtype) && op !== "sign") return x;
  return record(name, unaryRaw(op, x), [x], (g) => [zerosLike(g)], undefined, []);
}
export const sign = (x: T): T => stepOp("sign", "sign", x);
export const round = (x: T): T => stepOp("round", "round", x);
export const floor = (x: T): T => stepOp("floor", "floor", x);
export const ceil = (x: T): T => stepOp("ceil", "ceil", x);

/** PyTorch's `min=` / `max=` of clamp by name: `x.clamp({ min: 0 })`. */
export interface ClampOptions {
  min?: number | Tensor | null;
  max?: number | Tensor | null;
}

/**
 * clamp(x, min, max) = min(max(x, min), max), with PyTorch's gradients (not those of maximum and
 * minimum, which split ties): x gets the gradient where min ≤ x ≤ max — at a bound too; a tensor
 * min where x < min (and min < max), a tensor max where x > max (or max < min, where the result is
 * max everywhere).
 */
export function clamp(x: T, min?: number | Tensor | null | ClampOptions, max?: number | Tensor | null | ClampOptions): T {
  assertTensor("clamp", x);
  const [lower, upper] = kwArgs("clamp", [min, max], ["min", "max"]) as [number | Tensor | null | undefined, number | Tensor | null | undefined];
  return clampBounds(x, lower, upper);
}

function clampBounds(x: T, min: number | Tensor | null | undefined, max: number | Tensor | null | undefined): T {
  const hasMin = min !== undefined && min !== null, hasMax = max !== undefined && max !== null;
  if (!hasMin && !hasMax) throw new TensileError("clamp: at least one of 'min' or 'max' must not be null");
  const out = noGrad(() => {
    let o = x;
    if (hasMin) o = maximum(o, min);
    if (hasMax) o = minimum(o, max);
    return o;
  });
  const lo = min instanceof Tensor ? min : null, hi = max instanceof Tensor ? max : null;
  traceAttrs(out, { min: hasMin ? (lo ? "tensor" : min) : null, max: hasMax ? (hi ? "tensor" : max) : null });
  return record("clamp", out, [x, lo, hi], (g) => {
    const keep = (m: T) => where(m, g, 0);
    if (hasMin && hasMax) {
      // lo or hi is a tensor here whenever a bound needs a gradient, so lt() has a tensor operand
      return [
        keep(x.ge(min!).logicalAnd(x.le(max!))),
        lo ? keep(x.lt(lo).logicalAnd(lt(lo, max!))) : null,
        hi ? keep(x.gt(hi).logicalOr(lt(hi, min!))) : null,
      ];
    }
    if (hasMin) return [keep(x.ge(min!)), lo ? keep(x.lt(lo)) : null, null];
    return [keep(x.le(max!)), null, hi ? keep(x.gt(hi)) : null];
  }, undefined, [x, lo, hi]);
}

function extremum(name: "maximum" | "minimum", a: TS, b: TS): T {
  const [A, B] = coerce(name, a, b);
  const out = binaryRaw(name, name, A, B);
  return record(name, out, [A, B], (g) => {
    // PyTorch's rule, routed with where (never g·0, NaN for an infinite g): a tie gives each side g/2;
    // the losing side gets exactly 0; with a NaN neither side loses, so both get g.
    const split = where(A.eq(B), g.div(2), g);
    const aLoses = name === "maximum" ? A.lt(B) : A.gt(B), bLoses = name === "maximum" ? A.gt(B) : A.lt(B);
    return [where(aLoses, 0, split), where(bLoses, 0, split)];
  }, undefined, [A, B]);
}
export const maximum = (a: TS, b: TS): T => extremum("maximum", a, b);
export const minimum = (a: TS, b: TS): T => extremum("minimum", a, b);

// ---------- comparisons and logic ----------

function compare(name: string, op: BinaryOp, a: TS, b: TS): T {
  const [A, B] = coerce(name, a, b);
  // not recorded (no gradient), but an export must see it: a mask from the input is no constant
  return traceOp(name, binaryRaw(name, op, A.detach(), B.detach(), "bool"), [A, B]);
}
export const eq = (a: TS, b: TS): T => compare("eq", "eq", a, b);
export const ne = (a: TS, b: TS): T => compare("ne", "ne", a, b);
export const lt = (a: TS, b: TS): T => compare("lt", "lt", a, b);
export const le = (a: TS, b: TS): T => compare("le", "le", a, b);
export const gt = (a: TS, b: TS): T => compare("gt", "gt", a, b);
export const ge = (a: TS, b: TS): T => compare("ge", "ge", a, b);
export const logicalAnd = (a: TS, b: TS): T => compare("logicalAnd", "logicalAnd", a, b);
export const logicalOr = (a: TS, b: TS): T => compare("logicalOr", "logicalOr", a, b);
export const logicalXor = (a: TS, b: TS): T => compare("logicalXor", "logicalXor", a, b);
export const logicalNot = (x: T): T => (assertTensor("logicalNot", x), traceOp("logicalNot", unaryRaw("logicalNot", x.detach(), "bool"), [x]));
export const isnan = (x: T): T => (assertTensor("isnan", x), traceOp("isnan", unaryRaw("isnan", x.detach(), "bool"), [x]));
export const isfinite = (x: T): T => (assertTensor("isfinite", x), traceOp("isfinite", unaryRaw("isfinite", x.detach(), "bool"), [x]));

/** `cond ? a : b` elementwise, broadcasting all three. */
export function where(cond: T, a: TS, b: TS): T {
  assertTensor("where", cond, "condition");
  if (cond.dtype !== "bool") throw new TensileError(`where: expected condition to be a bool tensor, but got ${cond.dtype}`);
  const [A, B, d] = coerce("where", a, b);
  const shape = broadcastShapes("where", broadcastShapes("where", cond.shape, A.shape), B.shape);
  const c = onBackend(cond, A.backend);
  const out = wrap(A.backend, A.backend.where(broadcastView(c, shape), broadcastView(A, shape), broadcastView(B, shape), shape, d), shape);
  traceAttrs(out, { cond: c });
  return record("where", out, [A, B], (g) => [where(c, g, 0), where(c, 0, g)], undefined, [c]);
}

export interface IsCloseOptions {
  rtol?: number;
  atol?: number;
  equalNan?: boolean;
}

/**
 * |a − b| ≤ atol + rtol·|b| elementwise (bool), broadcasting; equal infinities are close, NaN is
 * close to NaN only with `equalNan`. Defaults rtol = 1e-5, atol = 1e-8, as PyTorch's.
 */
export function isclose(a: TS, b: TS, options: IsCloseOptions = {}): T {
  const { rtol = 1e-5, atol = 1e-8, equalNan = false } = options ?? {};
  if (!(rtol >= 0) || !(atol >= 0)) throw new TensileError(`isclose: rtol and atol must be non-negative, got rtol=${rtol}, atol=${atol}`);
  const [A, B] = coerce("isclose", a, b);
  const x = A.detach(), y = B.detach();
  if (x.dtype === "bool") return eq(x, y);
  const xf = x.to(floatOf(x.dtype)), yf = y.to(floatOf(y.dtype));
  const err = abs(sub(xf, yf));
  // an infinite error (inf against -inf, or against a finite value) is never within tolerance
  const within = logicalAnd(isfinite(err), le(err, add(abs(yf).mul(rtol), atol)));
  let close = logicalOr(eq(xf, yf), within);
  if (equalNan) close = logicalOr(close, logicalAnd(isnan(xf), isnan(yf)));
  return close;
}

/** Whether every element of a and b (broadcast together) is close, as `isclose(a, b, opts).all()`. */
export function allclose(a: TS, b: TS, opts: IsCloseOptions = {}): boolean {
  return isclose(a, b, opts).all().item() !== 0;
}

/** Whether a and b have the same shape and the same values (NaN ≠ NaN), as PyTorch's `torch.equal`. */
export function equal(a: T, b: T): boolean {
  assertTensor("equal", a);
  assertTensor("equal", b, "other");
  if (a.ndim !== b.ndim || a.shape.some((d, i) => d !== b.shape[i])) return false;
  return eq(a.detach(), b.detach()).all().item() !== 0;
}

export function maskedFill(x: T, mask: T, value: number | T): T {
  assertTensor("maskedFill", x);
  assertTensor("maskedFill", mask, "mask");
  if (mask.dtype !== "bool") throw new TensileError(`maskedFill: expected mask to be a bool tensor, got ${mask.dtype}`);
  // out of place the result takes the broadcast shape of x and mask, as torch's (maskedFill_ refuses a wider mask)
  broadcastShapes("maskedFill", x.shape, mask.shape);
  if (typeof value === "number" && x.dtype === "int32" && !(value >= -(2 ** 31) && value < 2 ** 31))
    throw new TensileError(`maskedFill: value cannot be converted to type int32 without overflow: ${value}`);
  const v = value instanceof Tensor ? value.to(x.dtype) : scalarTensor(value, x.dtype, x.backend);
  return where(mask, v, x);
}

export { promoteTypes };
