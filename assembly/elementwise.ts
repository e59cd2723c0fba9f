// Elementwise kernels over strided operands: convert (copy/cast/assign), unary, binary, where.
// The host collapses dims and passes byte strides; the odometer hands each kernel runs along
// the innermost dim. A run whose strides are unit (or 0 for a broadcast scalar operand) takes the
// f32x4 path when the op has one; everything else runs the scalar f64 path, which computes exactly
// as the JavaScript reference backend does.

import { odoStart, odoRow, odoAdvance, q0, q1, q2, q3, rs0, rs1, rs2, rs3, ld, st } from "./common";
import * as O from "./ops";
import {
  DT_F32, DT_F64, DT_I32, DT_BOOL,
  U_NEG, U_EXP, U_EXPM1, U_LOG, U_LOG1P, U_SQRT, U_RSQRT, U_ABS, U_SIGN, U_RECIPROCAL, U_SIN, U_COS,
  U_TANH, U_SIGMOID, U_RELU, U_FLOOR, U_CEIL, U_ROUND, U_TRUNC, U_ERF, U_ISNAN, U_ISFINITE, U_LOGICAL_NOT,
  U_GELU, U_GELU_GRAD, U_SILU, U_SILU_GRAD,
  U_TAN, U_ASIN, U_ACOS, U_ATAN, U_SINH, U_COSH, U_ASINH, U_ACOSH, U_ATANH, U_LOG2, U_LOG10, U_EXP2,
  U_ERFC, U_ERFINV, U_LGAMMA, U_DIGAMMA, U_TRIGAMMA, B_ATAN2, B_HYPOT, B_FMOD, B_ZETA,
  B_ADD, B_SUB, B_MUL, B_DIV, B_POW, B_MAXIMUM, B_MINIMUM, B_FLOOR_DIV, B_REMAINDER,
  B_EQ, B_NE, B_LT, B_LE, B_GT, B_GE, B_AND, B_OR, B_XOR,
} from "../src/backends/wasm/opcodes";

@inline function isF32<T>(): bool {
  return isFloat<T>() && sizeof<T>() == 4;
}

/** Four i32x4 lane masks (all-ones / zero) → sixteen 0/1 bytes. */
@inline function masksToBools(m0: v128, m1: v128, m2: v128, m3: v128): v128 {
  return v128.and(i8x16.narrow_i16x8_s(i16x8.narrow_i32x4_s(m0, m1), i16x8.narrow_i32x4_s(m2, m3)), i8x16.splat(1));
}

// ---------------------------------------------------------------- convert

function convRow<S, D>(n: i32, o: usize, so: i32, a: usize, sa: i32): void {
  if (isFloat<S>() == isFloat<D>() && sizeof<S>() == sizeof<D>()) {
    if (so == <i32>sizeof<S>() && sa == so) {
      memory.copy(o, a, <usize>n * sizeof<S>());
      return;
    }
    if (so == <i32>sizeof<S>() && sa == 0) {
      // one value broadcast along the run (zeros([]).expand(shape), a filled tensor): a fill,
      // sixteen bytes a store, where the loop below moves one element a step
      if (sizeof<S>() == 1) {
        memory.fill(o, load<u8>(a), <usize>n);
        return;
      }
      const v = sizeof<S>() == 8 ? i64x2.splat(load<i64>(a)) : i32x4.splat(load<i32>(a));
      const end = o + (<usize>n * sizeof<S>());
      for (; o + 16 <= end; o += 16) v128.store(o, v);
      for (; o < end; o += sizeof<S>()) store<S>(o, load<S>(a));
      return;
    }
    for (let i = 0; i < n; i++) {
      store<S>(o, load<S>(a));
      o += so;
      a += sa;
    }
  } else {
    for (let i = 0; i < n; i++) {
      st<D>(o, ld<S>(a));
      o += so;
      a += sa;
    }
  }
}

function convLoop<S, D>(): void {
  for (let n = odoRow(); n > 0; n = odoRow()) {
    convRow<S, D>(n, q0, rs0, q1, rs1);
    odoAdvance(n);
  }
}

function convFrom<S>(dd: i32): void {
  switch (dd) {
    case DT_F32: convLoop<S, f32>(); break;
    case DT_F64: convLoop<S, f64>(); break;
    case DT_I32: convLoop<S, i32>(); break;
    default: convLoop<S, u8>(); break;
  }
}

/** dst[i] = convert(src[i]) for elements [e0, e1); operands 0 = dst, 1 = src. */
export function convertK(sd: i32, dd: i32, ndim: i32, shape: usize, strides: usize, dst: usize, src: usize, e0: i32, e1: i32): void {
  if (e1 <= e0) return;
  odoStart(ndim, shape, strides, dst, src, 0, 0, e0, e1);
  switch (sd) {
    case DT_F32: convFrom<f32>(dd); break;
    case DT_F64: convFrom<f64>(dd); break;
    case DT_I32: convFrom<i32>(dd); break;
    default: convFrom<u8>(dd); break;
  }
}

// ---------------------------------------------------------------- unary

function unaryRow<OP, T>(n: i32, o: usize, so: i32, a: usize, sa: i32): void {
  const op = changetype<OP>(0);
  let i = 0;
  if (isDefined(op.p)) {
    if (isDefined(op.m) && isF32<T>()) {
      if (so == 1 && sa == 4) {
        for (; i + 16 <= n; i += 16) {
          v128.store(o, masksToBools(op.m(v128.load(a)), op.m(v128.load(a, 16)), op.m(v128.load(a, 32)), op.m(v128.load(a, 48))));
          o += 16;
          a += 64;
        }
      }
    }
    for (; i < n; i++) {
      store<u8>(o, op.p(ld<T>(a)) ? 1 : 0);
      o += so;
      a += sa;
    }
  } else {
    if (isDefined(op.v) && isF32<T>()) {
      if (so == 4 && sa == 4) {
        if (isDefined(op.v2)) {
          for (; i + 8 <= n; i += 8) {
            v128.store(o, op.v2(v128.load(a), v128.load(a, 16)));
            v128.store(o, O.second, 16);
            o += 32;
            a += 32;
          }
        }
        for (; i + 4 <= n; i += 4) {
          v128.store(o, op.v(v128.load(a)));
          o += 16;
          a += 16;
        }
        // the last 1–3 elements through the same vector code (lanes padded with 0), so a value
        // gives the same result wherever it sits in the run, as PyTorch's vectorized loops do
        const rem = n - i;
        if (rem > 0) {
          let x = f32x4.splat(0);
          x = f32x4.replace_lane(x, 0, load<f32>(a));
          if (rem > 1) x = f32x4.replace_lane(x, 1, load<f32>(a, 4));
          if (rem > 2) x = f32x4.replace_lane(x, 2, load<f32>(a, 8));
          const r = op.v(x);
          store<f32>(o, f32x4.extract_lane(r, 0));
          if (rem > 1) store<f32>(o, f32x4.extract_lane(r, 1), 4);
          if (rem > 2) store<f32>(o, f32x4.extract_lane(r, 2), 8);
          return;
        }
      }
    }
    for (; i < n; i++) {
      st<T>(o, op.d(ld<T>(a)));
      o += so;
      a += sa;
    }
  }
}

function unaryLoop<OP, T>(): void {
  for (let n = odoRow(); n > 0; n = odoRow()) {
    unaryRow<OP, T>(n, q0, rs0, q1, rs1);
    odoAdvance(n);
  }
}

function unaryOf<T>(op: i32): void {
  switch (op) {
    case U_NEG: unaryLoop<O.Neg, T>(); break;
    case U_EXP: unaryLoop<O.Exp, T>(); break;
    case U_EXPM1: unaryLoop<O.Expm1, T>(); break;
    case U_LOG: unaryLoop<O.Log, T>(); break;
    case U_LOG1P: unaryLoop<O.Log1p, T>(); break;
    case U_SQRT: unaryLoop<O.Sqrt, T>(); break;
    case U_RSQRT: unaryLoop<O.Rsqrt, T>(); break;
    case U_ABS: unaryLoop<O.Abs, T>(); break;
    case U_SIGN: unaryLoop<O.Sign, T>(); break;
    case U_RECIPROCAL: unaryLoop<O.Reciprocal, T>(); break;
    case U_SIN: unaryLoop<O.Sin, T>(); break;
    case U_COS: unaryLoop<O.Cos, T>(); break;
    case U_TANH: unaryLoop<O.Tanh, T>(); break;
    case U_SIGMOID: unaryLoop<O.Sigmoid, T>(); break;
    case U_RELU: unaryLoop<O.Relu, T>(); break;
    case U_FLOOR: unaryLoop<O.Floor, T>(); break;
    case U_CEIL: unaryLoop<O.Ceil, T>(); break;
    case U_ROUND: unaryLoop<O.Round, T>(); break;
    case U_TRUNC: unaryLoop<O.Trunc, T>(); break;
    case U_ERF: unaryLoop<O.Erf, T>(); break;
    case U_ISNAN: unaryLoop<O.IsNan, T>(); break;
    case U_ISFINITE: unaryLoop<O.IsFinite, T>(); break;
    case U_LOGICAL_NOT: unaryLoop<O.LogicalNot, T>(); break;
    case U_GELU: unaryLoop<O.Gelu, T>(); break;
    case U_GELU_GRAD: unaryLoop<O.GeluGrad, T>(); break;
    case U_SILU: unaryLoop<O.Silu, T>(); break;
    case U_SILU_GRAD: unaryLoop<O.SiluGrad, T>(); break;
    case U_TAN: unaryLoop<O.Tan, T>(); break;
    case U_ASIN: unaryLoop<O.Asin, T>(); break;
    case U_ACOS: unaryLoop<O.Acos, T>(); break;
    case U_ATAN: unaryLoop<O.Atan, T>(); break;
    case U_SINH: unaryLoop<O.Sinh, T>(); break;
    case U_COSH: unaryLoop<O.Cosh, T>(); break;
    case U_ASINH: unaryLoop<O.Asinh, T>(); break;
    case U_ACOSH: unaryLoop<O.Acosh, T>(); break;
    case U_ATANH: unaryLoop<O.Atanh, T>(); break;
    case U_LOG2: unaryLoop<O.Log2, T>(); break;
    case U_LOG10: unaryLoop<O.Log10, T>(); break;
    case U_EXP2: unaryLoop<O.Exp2, T>(); break;
    case U_ERFC: unaryLoop<O.Erfc, T>(); break;
    case U_ERFINV: unaryLoop<O.Erfinv, T>(); break;
    case U_LGAMMA: unaryLoop<O.Lgamma, T>(); break;
    case U_DIGAMMA: unaryLoop<O.Digamma, T>(); break;
    case U_TRIGAMMA: unaryLoop<O.Trigamma, T>(); break;
    default: unreachable();
  }
}

/** out = op(x) over elements [e0, e1); x has dtype dt, out has dt (bool for predicates). */
export function unaryK(op: i32, dt: i32, ndim: i32, shape: usize, strides: usize, dst: usize, src: usize, e0: i32, e1: i32): void {
  if (e1 <= e0) return;
  odoStart(ndim, shape, strides, dst, src, 0, 0, e0, e1);
  switch (dt) {
    case DT_F32: unaryOf<f32>(op); break;
    case DT_F64: unaryOf<f64>(op); break;
    case DT_I32: unaryOf<i32>(op); break;
    default: unaryOf<u8>(op); break;
  }
}

// ---------------------------------------------------------------- binary

function binaryRow<OP, T>(n: i32, o: usize, so: i32, a: usize, sa: i32, b: usize, sb: i32): void {
  const op = changetype<OP>(0);
  let i = 0;
  if (isDefined(op.c)) {
    if (isDefined(op.m) && isF32<T>()) {
      if (so == 1 && sa == 4 && sb == 4) {
        for (; i + 16 <= n; i += 16) {
          v128.store(o, masksToBools(
            op.m(v128.load(a), v128.load(b)), op.m(v128.load(a, 16), v128.load(b, 16)),
            op.m(v128.load(a, 32), v128.load(b, 32)), op.m(v128.load(a, 48), v128.load(b, 48))));
          o += 16;
          a += 64;
          b += 64;
        }
      } else if (so == 1 && sa == 4 && sb == 0) {
        const bv = v128.load32_splat(b);
        for (; i + 16 <= n; i += 16) {
          v128.store(o, masksToBools(op.m(v128.load(a), bv), op.m(v128.load(a, 16), bv), op.m(v128.load(a, 32), bv), op.m(v128.load(a, 48), bv)));
          o += 16;
          a += 64;
        }
      } else if (so == 1 && sa == 0 && sb == 4) {
        const av = v128.load32_splat(a);
        for (; i + 16 <= n; i += 16) {
          v128.store(o, masksToBools(op.m(av, v128.load(b)), op.m(av, v128.load(b, 16)), op.m(av, v128.load(b, 32)), op.m(av, v128.load(b, 48))));
          o += 16;
          b += 64;
        }
      }
    }
    for (; i < n; i++) {
      store<u8>(o, op.c(ld<T>(a), ld<T>(b)) ? 1 : 0);
      o += so;
      a += sa;
      b += sb;
    }
  } else {
    if (isDefined(op.v) && isF32<T>()) {
      if (so == 4 && sa == 4 && sb == 4) {
        for (; i + 4 <= n; i += 4) {
          v128.store(o, op.v(v128.load(a), v128.load(b)));
          o += 16;
          a += 16;
          b += 16;
        }
      } else if (so == 4 && sa == 4 && sb == 0) {
        const bv = v128.load32_splat(b);
        for (; i + 4 <= n; i += 4) {
          v128.store(o, op.v(v128.load(a), bv));
          o += 16;
          a += 16;
        }
      } else if (so == 4 && sa == 0 && sb == 4) {
        const av = v128.load32_splat(a);
        for (; i + 4 <= n; i += 4) {
          v128.store(o, op.v(av, v128.load(b)));
          o += 16;
          b += 16;
        }
      }
    }
    for (; i < n; i++) {
      st<T>(o, op.d(ld<T>(a), ld<T>(b)));
      o += so;
      a += sa;
      b += sb;
    }
  }
}

function binaryLoop<OP, T>(): void {
  for (let n = odoRow(); n > 0; n = odoRow()) {
    binaryRow<OP, T>(n, q0, rs0, q1, rs1, q2, rs2);
    odoAdvance(n);
  }
}

function binaryOf<T>(op: i32): void {
  if (isInteger<T>()) {
    if (op == B_DIV || op == B_FLOOR_DIV) { binaryLoop<O.IntFloorDiv, T>(); return; }
    if (op == B_MUL) { binaryLoop<O.IntMul, T>(); return; }
    if (op == B_REMAINDER) { binaryLoop<O.IntRemainder, T>(); return; }
    if (op == B_FMOD) { binaryLoop<O.IntFmod, T>(); return; }
  }
  switch (op) {
    case B_ADD: binaryLoop<O.Add, T>(); break;
    case B_SUB: binaryLoop<O.Sub, T>(); break;
    case B_MUL: binaryLoop<O.Mul, T>(); break;
    case B_DIV: binaryLoop<O.Div, T>(); break;
    case B_POW: binaryLoop<O.Pow, T>(); break;
    case B_MAXIMUM: binaryLoop<O.Maximum, T>(); break;
    case B_MINIMUM: binaryLoop<O.Minimum, T>(); break;
    case B_FLOOR_DIV: binaryLoop<O.FloorDiv, T>(); break;
    case B_REMAINDER: binaryLoop<O.Remainder, T>(); break;
    case B_EQ: binaryLoop<O.Eq, T>(); break;
    case B_NE: binaryLoop<O.Ne, T>(); break;
    case B_LT: binaryLoop<O.Lt, T>(); break;
    case B_LE: binaryLoop<O.Le, T>(); break;
    case B_GT: binaryLoop<O.Gt, T>(); break;
    case B_GE: binaryLoop<O.Ge, T>(); break;
    case B_AND: binaryLoop<O.And, T>(); break;
    case B_OR: binaryLoop<O.Or, T>(); break;
    case B_XOR: binaryLoop<O.Xor, T>(); break;
    case B_ATAN2: binaryLoop<O.Atan2, T>(); break;
    case B_HYPOT: binaryLoop<O.Hypot, T>(); break;
    case B_FMOD: binaryLoop<O.Fmod, T>(); break;
    case B_ZETA: binaryLoop<O.Zeta, T>(); break;
    default: unreachable();
  }
}

/** out = a op b over elements [e0, e1); operands 0 = out, 1 = a, 2 = b (both dtype dt). */
export function binaryK(op: i32, dt: i32, ndim: i32, shape: usize, strides: usize, dst: usize, a: usize, b: usize, e0: i32, e1: i32): void {
  if (e1 <= e0) return;
  odoStart(ndim, shape, strides, dst, a, b, 0, e0, e1);
  switch (dt) {
    case DT_F32: binaryOf<f32>(op); break;
    case DT_F64: binaryOf<f64>(op); break;
    case DT_I32: binaryOf<i32>(op); break;
    default: binaryOf<u8>(op); break;
  }
}

// ---------------------------------------------------------------- where

// out[i] = cond[i] ? a[i] : bv, four 4-byte lanes at a time over n4 elements (a multiple of 4).
function whereF32x4(o: usize, c: usize, a: usize, bv: v128, n4: i32): void {
  const zero = i32x4.splat(0);
  for (let i = 0; i < n4; i += 4) {
    const m = i32x4.ne(i32x4.extend_low_i16x8_u(i16x8.extend_low_i8x16_u(v128.load32_zero(c))), zero);
    v128.store(o, v128.bitselect(v128.load(a), bv, m));
    o += 16;
    c += 4;
    a += 16;
  }
}

// out[i] = cond[i] ? a[i] : b[i], as whereF32x4 with b an array.
function whereF32x4v(o: usize, c: usize, a: usize, b: usize, n4: i32): void {
  const zero = i32x4.splat(0);
  for (let i = 0; i < n4; i += 4) {
    const m = i32x4.ne(i32x4.extend_low_i16x8_u(i16x8.extend_low_i8x16_u(v128.load32_zero(c))), zero);
    v128.store(o, v128.bitselect(v128.load(a), v128.load(b), m));
    o += 16;
    c += 4;
    a += 16;
    b += 16;
  }
}

function whereLoop<T>(): void {
  for (let n = odoRow(); n > 0; n = odoRow()) {
    let o = q0, c = q1, a = q2, b = q3;
    const so = rs0, sc = rs1, sa = rs2, sb = rs3;
    let i = 0;
    if (sizeof<T>() == 4 && so == 4 && sc == 1 && sa == 4 && (sb == 4 || sb == 0)) {
      // 4-byte elements, contiguous (b may be a broadcast scalar, as in ReLU's backward
      // where(y > 0, g, 0)): four at a time, the bool bytes widened to a lane mask
      const n4 = n & ~3;
      i = n4;
      if (sb == 0) whereF32x4(o, c, a, v128.load32_splat(b), n4);
      else whereF32x4v(o, c, a, b, n4);
      const done = <usize>n4;
      o += done << 2;
      c += done;
      a += done << 2;
      b += sb == 0 ? 0 : done << 2;
    }
    for (; i < n; i++) {
      store<T>(o, load<u8>(c) != 0 ? load<T>(a) : load<T>(b));
      o += so;
      c += sc;
      a += sa;
      b += sb;
    }
    odoAdvance(n);
  }
}

/** out = cond ? a : b; operands 0 = out, 1 = cond (bool), 2 = a, 3 = b, all of element size esize. */
export function whereK(esize: i32, ndim: i32, shape: usize, strides: usize, dst: usize, cond: usize, a: usize, b: usize, e0: i32, e1: i32): void {
  if (e1 <= e0) return;
  odoStart(ndim, shape, strides, dst, cond, a, b, e0, e1);
  if (esize == 1) whereLoop<u8>();
  else if (esize == 4) whereLoop<u32>();
  else whereLoop<u64>();
}

/** Zero-fills bytes [p, p + n). */
export function zeroK(p: usize, n: usize): void {
  memory.fill(p, 0, n);
}

// ---------------------------------------------------------------- transpose

const TILE: i32 = 32;

function transposeOf<T>(rows: i32, cols: i32, dst: usize, src: usize, srs: i32, scs: i32, r0: i32, r1: i32): void {
  const es = <i32>sizeof<T>();
  // float32/int32 with unit row stride: 4×4 blocks, 4 vector loads down the source's columns and
  // 4 vector stores along the destination's rows
  const simd = es == 4 && srs == 4;
  for (let i0 = r0; i0 < r1; i0 += TILE) {
    const i1 = min(i0 + TILE, r1);
    for (let j0 = 0; j0 < cols; j0 += TILE) {
      const j1 = min(j0 + TILE, cols);
      let i = i0;
      if (simd) {
        const jv = j0 + ((j1 - j0) & ~3);
        for (; i + 4 <= i1; i += 4) {
          for (let j = j0; j < jv; j += 4) {
            const a = src + <usize>(i * 4 + j * scs);
            const c0 = v128.load(a), c1 = v128.load(a + scs), c2 = v128.load(a + 2 * scs), c3 = v128.load(a + 3 * scs);
            const t0 = v128.shuffle<f32>(c0, c1, 0, 4, 1, 5), t1 = v128.shuffle<f32>(c0, c1, 2, 6, 3, 7);
            const t2 = v128.shuffle<f32>(c2, c3, 0, 4, 1, 5), t3 = v128.shuffle<f32>(c2, c3, 2, 6, 3, 7);
            const o = dst + <usize>((i * cols + j) * 4);
            const row = <usize>(cols * 4);
            v128.store(o, v128.shuffle<f32>(t0, t2, 0, 1, 4, 5));
            v128.store(o + row, v128.shuffle<f32>(t0, t2, 2, 3, 6, 7));
            v128.store(o + 2 * row, v128.shuffle<f32>(t1, t3, 0, 1, 4, 5));
            v128.store(o + 3 * row, v128.shuffle<f32>(t1, t3, 2, 3, 6, 7));
          }
          // the tile's last columns (fewer than 4) for these 4 rows
          for (let r = i; r < i + 4; r++) {
            for (let j = jv; j < j1; j++) store<T>(dst + <usize>((r * cols + j) * es), load<T>(src + <usize>(r * srs + j * scs)));
          }
        }
      }
      for (; i < i1; i++) {
        let o = dst + <usize>((i * cols + j0) * es);
        let a = src + <usize>(i * srs + j0 * scs);
        for (let j = j0; j < j1; j++) {
          store<T>(o, load<T>(a));
          o += es;
          a += scs;
        }
      }
    }
  }
}

/**
 * dst (contiguous rows × cols) = src with byte strides (srs, scs) for rows [r0, r1), same dtype,
 * in 32×32 tiles: a copy whose source walks columns (a transpose) would otherwise touch a new
 * cache line per element.
 */
export function transposeK(esize: i32, rows: i32, cols: i32, dst: usize, src: usize, srs: i32, scs: i32, r0: i32, r1: i32): void {
  if (esize == 1) transposeOf<u8>(rows, cols, dst, src, srs, scs, r0, r1);
  else if (esize == 4) transposeOf<u32>(rows, cols, dst, src, srs, scs, r0, r1);
  else transposeOf<u64>(rows, cols, dst, src, srs, scs, r0, r1);
}
