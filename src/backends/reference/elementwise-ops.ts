/** The reference backend's elementwise maths: one function per unary and binary op, in f64. */
import type { BinaryOp, UnaryOp } from "../backend.js";
import { digamma, erf, erfc, erfinv, lgamma, trigamma, zeta } from "./math.js";

const sigmoid = (x: number): number => (x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x)));
/** 1/√(2π): the standard normal density's constant. */
const GELU_PDF = 0.3989422804014327;

export const UNARY: Record<UnaryOp, (x: number) => number> = {
  neg: (x) => -x,
  exp: Math.exp,
  expm1: Math.expm1,
  log: Math.log,
  log1p: Math.log1p,
  sqrt: Math.sqrt,
  rsqrt: (x) => 1 / Math.sqrt(x),
  abs: Math.abs,
  // PyTorch 1.13 gives sign(NaN) = 0.
  sign: (x) => (x > 0 ? 1 : x < 0 ? -1 : 0),
  reciprocal: (x) => 1 / x,
  sin: Math.sin,
  cos: Math.cos,
  tanh: Math.tanh,
  sigmoid: (x) => sigmoid(x),
  relu: (x) => (x > 0 ? x : Number.isNaN(x) ? x : 0),
  floor: Math.floor,
  ceil: Math.ceil,
  // PyTorch rounds half to even.
  round: (x) => {
    const r = Math.round(x);
    return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
  },
  trunc: Math.trunc,
  erf,
  isnan: (x) => (Number.isNaN(x) ? 1 : 0),
  isfinite: (x) => (Number.isFinite(x) ? 1 : 0),
  logicalNot: (x) => (x === 0 ? 1 : 0),
  gelu: (x) => x * 0.5 * (1 + erf(x * Math.SQRT1_2)),
  // Φ(x) + x·φ(x), as PyTorch's GeluBackward
  geluGrad: (x) => 0.5 * (1 + erf(x * Math.SQRT1_2)) + x * Math.exp(-0.5 * x * x) * GELU_PDF,
  silu: (x) => x * sigmoid(x),
  // σ(x)·(1 + x·(1 − σ(x))), as PyTorch's SiluBackward
  siluGrad: (x) => {
    const s = sigmoid(x);
    return s * (1 + x * (1 - s));
  },
  tan: Math.tan,
  asin: Math.asin,
  acos: Math.acos,
  atan: Math.atan,
  sinh: Math.sinh,
  cosh: Math.cosh,
  asinh: Math.asinh,
  acosh: Math.acosh,
  atanh: Math.atanh,
  log2: Math.log2,
  log10: Math.log10,
  exp2: (x) => Math.pow(2, x),
  erfc,
  erfinv,
  lgamma,
  digamma,
  trigamma,
};

const truthy = (x: number) => (x !== 0 ? 1 : 0);
export const BINARY: Record<BinaryOp, (a: number, b: number) => number> = {
  add: (a, b) => a + b,
  sub: (a, b) => a - b,
  mul: (a, b) => a * b,
  div: (a, b) => a / b,
  pow: (a, b) => Math.pow(a, b),
  maximum: (a, b) => (Number.isNaN(a) || Number.isNaN(b) ? NaN : Math.max(a, b)),
  minimum: (a, b) => (Number.isNaN(a) || Number.isNaN(b) ? NaN : Math.min(a, b)),
  floorDiv: (a, b) => Math.floor(a / b),
  // Python-style modulo: the result takes the divisor's sign.
  remainder: (a, b) => a - Math.floor(a / b) * b,
  eq: (a, b) => (a === b ? 1 : 0),
  ne: (a, b) => (a !== b ? 1 : 0),
  lt: (a, b) => (a < b ? 1 : 0),
  le: (a, b) => (a <= b ? 1 : 0),
  gt: (a, b) => (a > b ? 1 : 0),
  ge: (a, b) => (a >= b ? 1 : 0),
  logicalAnd: (a, b) => truthy(a) & truthy(b),
  logicalOr: (a, b) => truthy(a) | truthy(b),
  logicalXor: (a, b) => truthy(a) ^ truthy(b),
  atan2: Math.atan2,
  hypot: Math.hypot,
  // C's fmod: the result takes the dividend's sign
  fmod: (a, b) => a % b,
  // Hurwitz zeta ζ(s, q)
  zeta,
};

/** Integer division/modulo by zero must not produce garbage silently: PyTorch raises. */
export function intBinary(op: BinaryOp, a: number, b: number): number {
  if ((op === "div" || op === "floorDiv" || op === "remainder" || op === "fmod") && b === 0)
    throw new RangeError("ZeroDivisionError");
  if (op === "div" || op === "floorDiv") return Math.floor(a / b);
  if (op === "mul") return Math.imul(a, b);
  return BINARY[op](a, b);
}

