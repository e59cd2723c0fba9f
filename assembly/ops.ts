// The elementwise op table as typed functors. Each op is a class whose @inline methods give its
// semantics; kernels are generic over the class (instantiated once per op and dtype) and call the
// methods on `changetype<OP>(0)`, so every call inlines and there is no per-element dispatch.
//
//   unary:      d(x: f64): f64          scalar semantics, in f64 exactly as JavaScript computes it
//               v(x: v128): v128        optional f32x4 version (used for contiguous float32)
//               v2(x0, x1: v128): v128  optional, two vectors at once (their long dependency
//                                       chains interleaved): returns op(x0), leaves op(x1) in `second`
//   predicate:  p(x: f64): bool         (bool output), optional m(x: v128): v128 lane mask
//   binary:     d(a: f64, b: f64): f64  optional v(a: v128, b: v128): v128
//   comparison: c(a: f64, b: f64): bool optional m(a: v128, b: v128): v128 lane mask

import { erfV, expV, expV2, expV2Second, logV, tanhV, tanhV2 } from "./simdmath";
import { digamma, erf, erfc, erfinv, lgamma, trigamma, zeta } from "./scalarmath";
import { reportZeroDivision } from "./common";

const ZERO = f32x4.splat(0);
const ONE = f32x4.splat(1);
/** The second result of an op's v2 (two vectors at once). */
export let second: v128 = v128.splat<i32>(0);

// ---- unary ----
export class Neg { @inline d(x: f64): f64 { return -x; } @inline v(x: v128): v128 { return f32x4.neg(x); } }
export class Exp {
  @inline d(x: f64): f64 { return Math.exp(x); }
  @inline v(x: v128): v128 { return expV(x); }
  /** Two vectors at once (the second result in `second`): independent chains side by side. */
  @inline v2(x0: v128, x1: v128): v128 { const r = expV2(x0, x1); second = expV2Second; return r; }
}
export class Expm1 {
  @inline d(x: f64): f64 { return Math.expm1(x); }
  // Kahan's: with u = eˣ, (u − 1)·(x / log u), whose rounding errors cancel (u − 1 and log u err
  // alike); x itself where u rounds to 1 (tiny x, ±0), −1 where u − 1 does, +∞ where u overflows.
  @inline v(x: v128): v128 {
    const u = expV(x);
    const um1 = f32x4.sub(u, ONE);
    let r = f32x4.mul(um1, f32x4.div(x, logV(u))); // x / log u ≈ 1: no overflow near u's limit
    r = v128.bitselect(x, r, f32x4.eq(u, ONE));
    r = v128.bitselect(f32x4.splat(-1), r, f32x4.eq(um1, f32x4.splat(-1)));
    return v128.bitselect(u, r, f32x4.eq(u, f32x4.splat(Infinity)));
  }
}
export class Log { @inline d(x: f64): f64 { return Math.log(x); } @inline v(x: v128): v128 { return logV(x); } }
export class Log1p {
  @inline d(x: f64): f64 { return Math.log1p(x); }
  // Goldberg's: with u = 1 + x, log u · (x / (u − 1)), which corrects the rounding of 1 + x; x itself
  // where u rounds to 1 (tiny x, ±0), +∞ for +∞ (∞/∞ would be NaN); −1 gives −∞, below it NaN.
  @inline v(x: v128): v128 {
    const u = f32x4.add(ONE, x);
    let r = f32x4.mul(logV(u), f32x4.div(x, f32x4.sub(u, ONE))); // x / (u − 1) ≈ 1: no overflow
    r = v128.bitselect(x, r, f32x4.eq(u, ONE));
    return v128.bitselect(x, r, f32x4.eq(x, f32x4.splat(Infinity)));
  }
}
export class Sqrt { @inline d(x: f64): f64 { return Math.sqrt(x); } @inline v(x: v128): v128 { return f32x4.sqrt(x); } }
export class Rsqrt { @inline d(x: f64): f64 { return 1.0 / Math.sqrt(x); } }
export class Abs { @inline d(x: f64): f64 { return Math.abs(x); } @inline v(x: v128): v128 { return f32x4.abs(x); } }
export class Sign {
  // sign(±0) = 0 and, as in PyTorch 1.13, sign(NaN) = 0
  @inline d(x: f64): f64 { return x > 0 ? 1.0 : x < 0 ? -1.0 : 0; }
  @inline v(x: v128): v128 {
    return v128.or(v128.and(ONE, f32x4.gt(x, ZERO)), v128.and(f32x4.splat(-1), f32x4.lt(x, ZERO)));
  }
}
export class Reciprocal { @inline d(x: f64): f64 { return 1.0 / x; } @inline v(x: v128): v128 { return f32x4.div(ONE, x); } }
export class Sin { @inline d(x: f64): f64 { return Math.sin(x); } }
export class Cos { @inline d(x: f64): f64 { return Math.cos(x); } }
export class Tanh {
  @inline d(x: f64): f64 { return Math.tanh(x); }
  @inline v(x: v128): v128 { return tanhV(x); }
  @inline v2(x0: v128, x1: v128): v128 { const r = tanhV2(x0, x1); second = expV2Second; return r; }
}
export class Sigmoid {
  // the two-sided form never overflows exp
  @inline d(x: f64): f64 {
    if (x >= 0) return 1.0 / (1.0 + Math.exp(-x));
    const e = Math.exp(x);
    return e / (1.0 + e);
  }
  @inline v(x: v128): v128 { return f32x4.div(ONE, f32x4.add(ONE, expV(f32x4.neg(x)))); }
}
export class Relu {
  // NaN propagates (x > 0 is false for NaN, so select it explicitly), -0 becomes 0.
  @inline d(x: f64): f64 { return x > 0 || isNaN(x) ? x : 0; }
  @inline v(x: v128): v128 { return v128.and(x, v128.or(f32x4.gt(x, ZERO), f32x4.ne(x, x))); }
}
export class Floor { @inline d(x: f64): f64 { return Math.floor(x); } @inline v(x: v128): v128 { return f32x4.floor(x); } }
export class Ceil { @inline d(x: f64): f64 { return Math.ceil(x); } @inline v(x: v128): v128 { return f32x4.ceil(x); } }
// PyTorch rounds half to even (nearbyint), which is wasm's `nearest`.
export class Round { @inline d(x: f64): f64 { return nearest<f64>(x); } @inline v(x: v128): v128 { return f32x4.nearest(x); } }
export class Trunc { @inline d(x: f64): f64 { return Math.trunc(x); } @inline v(x: v128): v128 { return f32x4.trunc(x); } }
export class Erf { @inline d(x: f64): f64 { return erf(x); } @inline v(x: v128): v128 { return erfV(x); } }

// Activations fused into one pass, with the reference backend's formulas (the f64 path is the
// reference's arithmetic; the f32x4 path rounds each step to f32, as the composed ops did).
const GELU_PDF: f64 = 0.3989422804014327; // 1/√(2π)
@inline function sigmoidD(x: f64): f64 {
  if (x >= 0) return 1.0 / (1.0 + Math.exp(-x));
  const e = Math.exp(x);
  return e / (1.0 + e);
}
@inline function sigmoidV(x: v128): v128 { return f32x4.div(ONE, f32x4.add(ONE, expV(f32x4.neg(x)))); }
/** gelu(x) = x·Φ(x) = ½x(1 + erf(x/√2)). */
export class Gelu {
  @inline d(x: f64): f64 { return x * 0.5 * (1 + erf(x * Math.SQRT1_2)); }
  @inline v(x: v128): v128 {
    const cdf = f32x4.add(ONE, erfV(f32x4.mul(x, f32x4.splat(<f32>Math.SQRT1_2))));
    return f32x4.mul(f32x4.mul(x, f32x4.splat(0.5)), cdf);
  }
}
/** d gelu / dx = Φ(x) + x·φ(x); exp(−x²/2) underflows to 0 past |x| ≈ 14, where the term is 0. */
export class GeluGrad {
  @inline d(x: f64): f64 { return 0.5 * (1 + erf(x * Math.SQRT1_2)) + x * Math.exp(-0.5 * x * x) * GELU_PDF; }
  @inline v(x: v128): v128 {
    const cdf = f32x4.mul(f32x4.splat(0.5), f32x4.add(ONE, erfV(f32x4.mul(x, f32x4.splat(<f32>Math.SQRT1_2)))));
    const pdf = f32x4.mul(expV(f32x4.mul(f32x4.mul(x, x), f32x4.splat(-0.5))), f32x4.splat(<f32>GELU_PDF));
    return f32x4.add(cdf, f32x4.mul(x, pdf));
  }
}
/** silu(x) = x·σ(x). */
export class Silu {
  @inline d(x: f64): f64 { return x * sigmoidD(x); }
  @inline v(x: v128): v128 { return f32x4.mul(x, sigmoidV(x)); }
}
/** d silu / dx = σ(x)·(1 + x·(1 − σ(x))). */
export class SiluGrad {
  @inline d(x: f64): f64 { const s = sigmoidD(x); return s * (1 + x * (1 - s)); }
  @inline v(x: v128): v128 { const s = sigmoidV(x); return f32x4.mul(s, f32x4.add(ONE, f32x4.mul(x, f32x4.sub(ONE, s)))); }
}

// Trigonometric, hyperbolic, logarithmic and special functions: scalar f64 per element (as the
// reference backend computes them), rounded to the output dtype.
export class Tan { @inline d(x: f64): f64 { return Math.tan(x); } }
export class Asin { @inline d(x: f64): f64 { return Math.asin(x); } }
export class Acos { @inline d(x: f64): f64 { return Math.acos(x); } }
export class Atan { @inline d(x: f64): f64 { return Math.atan(x); } }
export class Sinh { @inline d(x: f64): f64 { return Math.sinh(x); } }
export class Cosh { @inline d(x: f64): f64 { return Math.cosh(x); } }
export class Asinh { @inline d(x: f64): f64 { return Math.asinh(x); } }
export class Acosh { @inline d(x: f64): f64 { return Math.acosh(x); } }
export class Atanh { @inline d(x: f64): f64 { return Math.atanh(x); } }
export class Log2 { @inline d(x: f64): f64 { return Math.log2(x); } }
export class Log10 { @inline d(x: f64): f64 { return Math.log10(x); } }
export class Exp2 { @inline d(x: f64): f64 { return Math.pow(2.0, x); } }
export class Erfc { @inline d(x: f64): f64 { return erfc(x); } }
export class Erfinv { @inline d(x: f64): f64 { return erfinv(x); } }
export class Lgamma { @inline d(x: f64): f64 { return lgamma(x); } }
export class Digamma { @inline d(x: f64): f64 { return digamma(x); } }
export class Trigamma { @inline d(x: f64): f64 { return trigamma(x); } }

export class IsNan { @inline p(x: f64): bool { return isNaN(x); } @inline m(x: v128): v128 { return f32x4.ne(x, x); } }
export class IsFinite {
  @inline p(x: f64): bool { return isFinite(x); }
  // x - x is 0 for finite x and NaN for ±Infinity and NaN
  @inline m(x: v128): v128 { return f32x4.eq(f32x4.sub(x, x), ZERO); }
}
export class LogicalNot { @inline p(x: f64): bool { return x == 0; } @inline m(x: v128): v128 { return f32x4.eq(x, ZERO); } }

// ---- binary arithmetic ----
export class Add { @inline d(a: f64, b: f64): f64 { return a + b; } @inline v(a: v128, b: v128): v128 { return f32x4.add(a, b); } }
export class Sub { @inline d(a: f64, b: f64): f64 { return a - b; } @inline v(a: v128, b: v128): v128 { return f32x4.sub(a, b); } }
export class Mul { @inline d(a: f64, b: f64): f64 { return a * b; } @inline v(a: v128, b: v128): v128 { return f32x4.mul(a, b); } }
export class Div { @inline d(a: f64, b: f64): f64 { return a / b; } @inline v(a: v128, b: v128): v128 { return f32x4.div(a, b); } }
export class Pow { @inline d(a: f64, b: f64): f64 { return Math.pow(a, b); } }
// f32x4.max/min have exactly Math.max/min's semantics (NaN wins, -0 < +0).
export class Maximum { @inline d(a: f64, b: f64): f64 { return Math.max(a, b); } @inline v(a: v128, b: v128): v128 { return f32x4.max(a, b); } }
export class Minimum { @inline d(a: f64, b: f64): f64 { return Math.min(a, b); } @inline v(a: v128, b: v128): v128 { return f32x4.min(a, b); } }
export class FloorDiv { @inline d(a: f64, b: f64): f64 { return Math.floor(a / b); } }
// Python-style modulo: the result takes the divisor's sign.
export class Remainder { @inline d(a: f64, b: f64): f64 { return a - Math.floor(a / b) * b; } }

export class Atan2 { @inline d(a: f64, b: f64): f64 { return Math.atan2(a, b); } }
export class Hypot { @inline d(a: f64, b: f64): f64 { return Math.hypot(a, b); } }
// C's fmod: the result takes the dividend's sign
export class Zeta { @inline d(s: f64, q: f64): f64 { return zeta(s, q); } }
export class Fmod { @inline d(a: f64, b: f64): f64 { return a % b; } }

// Integer (int32 / bool) semantics of the reference: / and // floor, * wraps like Math.imul, and
// a zero divisor is an error.
export class IntFloorDiv {
  @inline d(a: f64, b: f64): f64 {
    if (b == 0) { reportZeroDivision(); return 0; }
    return Math.floor(a / b);
  }
}
export class IntFmod {
  @inline d(a: f64, b: f64): f64 {
    if (b == 0) { reportZeroDivision(); return 0; }
    return a % b;
  }
}
export class IntMul { @inline d(a: f64, b: f64): f64 { return <f64>(<i32>a * <i32>b); } }
export class IntRemainder {
  @inline d(a: f64, b: f64): f64 {
    if (b == 0) { reportZeroDivision(); return 0; }
    return a - Math.floor(a / b) * b;
  }
}

// ---- comparisons and logic (bool output); logic treats any non-zero (NaN included) as true ----
// (the reference's truthy(x) is x !== 0, so NaN is true here, unlike in a bool conversion)
export class Eq { @inline c(a: f64, b: f64): bool { return a == b; } @inline m(a: v128, b: v128): v128 { return f32x4.eq(a, b); } }
export class Ne { @inline c(a: f64, b: f64): bool { return a != b; } @inline m(a: v128, b: v128): v128 { return f32x4.ne(a, b); } }
export class Lt { @inline c(a: f64, b: f64): bool { return a < b; } @inline m(a: v128, b: v128): v128 { return f32x4.lt(a, b); } }
export class Le { @inline c(a: f64, b: f64): bool { return a <= b; } @inline m(a: v128, b: v128): v128 { return f32x4.le(a, b); } }
export class Gt { @inline c(a: f64, b: f64): bool { return a > b; } @inline m(a: v128, b: v128): v128 { return f32x4.gt(a, b); } }
export class Ge { @inline c(a: f64, b: f64): bool { return a >= b; } @inline m(a: v128, b: v128): v128 { return f32x4.ge(a, b); } }
export class And {
  @inline c(a: f64, b: f64): bool { return a != 0 && b != 0; }
  @inline m(a: v128, b: v128): v128 { return v128.and(f32x4.ne(a, ZERO), f32x4.ne(b, ZERO)); }
}
export class Or {
  @inline c(a: f64, b: f64): bool { return a != 0 || b != 0; }
  @inline m(a: v128, b: v128): v128 { return v128.or(f32x4.ne(a, ZERO), f32x4.ne(b, ZERO)); }
}
export class Xor {
  @inline c(a: f64, b: f64): bool { return (a != 0) != (b != 0); }
  @inline m(a: v128, b: v128): v128 { return v128.xor(f32x4.ne(a, ZERO), f32x4.ne(b, ZERO)); }
}
