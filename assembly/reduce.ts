// Reductions and cumulative sums.
//
// The host reorders x's dims as [kept..., reduced...] (each group collapsed and kept in order, so
// arg* flat indices stay row-major within the reduced block). For each output element in
// [o0, o1) the kernel walks its reduced block with the odometer. float32 sums accumulate in
// f64x2 lanes and float32 max/min use f32x4 when the block's innermost run is contiguous;
// sums of other dtypes accumulate in f64 like the JavaScript reference.

import { odoStart, odoRow, odoAdvance, q0, q1, rs0, rs1, ld, st, scratch, ODO_BYTES } from "./common";
import { DT_F32, DT_F64, DT_I32, R_SUM, R_PROD, R_MAX, R_MIN, R_ARGMAX, R_ARGMIN, R_ANY, R_ALL } from "../src/backends/wasm/opcodes";

@inline function isF32<T>(): bool {
  return isFloat<T>() && sizeof<T>() == 4;
}

@inline function hsum(a: v128): f64 {
  return f64x2.extract_lane(a, 0) + f64x2.extract_lane(a, 1);
}

/** Σ of a contiguous f32 run, accumulated in f64. */
function sumRunF32(p: usize, n: i32): f64 {
  let a0 = f64x2.splat(0), a1 = f64x2.splat(0), a2 = f64x2.splat(0), a3 = f64x2.splat(0);
  let i = 0;
  for (; i + 8 <= n; i += 8) {
    const v = v128.load(p);
    const w = v128.load(p, 16);
    a0 = f64x2.add(a0, f64x2.promote_low_f32x4(v));
    a1 = f64x2.add(a1, f64x2.promote_low_f32x4(v128.shuffle<i32>(v, v, 2, 3, 0, 1)));
    a2 = f64x2.add(a2, f64x2.promote_low_f32x4(w));
    a3 = f64x2.add(a3, f64x2.promote_low_f32x4(v128.shuffle<i32>(w, w, 2, 3, 0, 1)));
    p += 32;
  }
  let s = hsum(f64x2.add(f64x2.add(a0, a1), f64x2.add(a2, a3)));
  for (; i < n; i++) {
    s += <f64>load<f32>(p);
    p += 4;
  }
  return s;
}

/** max (isMax) or min of a contiguous f32 run, NaN-propagating like Math.max/min. */
function extremeRunF32(p: usize, n: i32, init: f32, isMax: bool): f32 {
  let acc = f32x4.splat(init);
  let i = 0;
  if (isMax) {
    for (; i + 4 <= n; i += 4) { acc = f32x4.max(acc, v128.load(p)); p += 16; }
  } else {
    for (; i + 4 <= n; i += 4) { acc = f32x4.min(acc, v128.load(p)); p += 16; }
  }
  let r0 = f32x4.extract_lane(acc, 0), r1 = f32x4.extract_lane(acc, 1);
  let r2 = f32x4.extract_lane(acc, 2), r3 = f32x4.extract_lane(acc, 3);
  let r = isMax ? max(max(r0, r1), max(r2, r3)) : min(min(r0, r1), min(r2, r3));
  for (; i < n; i++) {
    const v = load<f32>(p);
    r = isMax ? max(r, v) : min(r, v);
    p += 4;
  }
  return r;
}

/** Reduces the block at `base` (shape/strides redShape/redStrides) with op; returns f64 result
 *  (the flat index for arg ops, 0/1 for any/all). */
function reduceBlock<T>(op: i32, redNdim: i32, redShape: usize, redStrides: usize, base: usize, count: i32): f64 {
  if (count == 0) {
    if (op == R_PROD || op == R_ALL) return 1;
    if (op == R_ARGMAX || op == R_ARGMIN) return 0;
    if (op == R_MAX) return -Infinity;
    if (op == R_MIN) return Infinity;
    return 0;
  }
  odoStart(redNdim, redShape, redStrides, base, 0, 0, 0, 0, count);
  let acc: f64 = op == R_PROD || op == R_ALL ? 1 : 0;
  let first = true;
  let best: f64 = 0;
  let bestAt = 0;
  let pos = 0;
  for (let n = odoRow(); n > 0; n = odoRow()) {
    let p = q0;
    const s = rs0;
    if (isF32<T>() && s == 4 && op == R_SUM) {
      acc += sumRunF32(p, n);
    } else if (isF32<T>() && s == 4 && (op == R_MAX || op == R_MIN)) {
      const r = <f64>extremeRunF32(p, n, load<f32>(p), op == R_MAX);
      acc = first ? r : op == R_MAX ? Math.max(acc, r) : Math.min(acc, r);
      first = false;
    } else {
      switch (op) {
        case R_SUM: for (let i = 0; i < n; i++) { acc += ld<T>(p); p += s; } break;
        case R_PROD: for (let i = 0; i < n; i++) { acc *= ld<T>(p); p += s; } break;
        case R_MAX: {
          if (first) { acc = ld<T>(p); first = false; }
          for (let i = 0; i < n; i++) { acc = Math.max(acc, ld<T>(p)); p += s; }
          break;
        }
        case R_MIN: {
          if (first) { acc = ld<T>(p); first = false; }
          for (let i = 0; i < n; i++) { acc = Math.min(acc, ld<T>(p)); p += s; }
          break;
        }
        case R_ARGMAX:
        case R_ARGMIN: {
          // first extreme wins; a NaN counts as the extreme (PyTorch), and the first NaN sticks
          const isMax = op == R_ARGMAX;
          for (let i = 0; i < n; i++) {
            const v = ld<T>(p);
            if (first) { best = v; bestAt = pos + i; first = false; }
            else if (!isNaN(best) && (isNaN(v) || (isMax ? v > best : v < best))) { best = v; bestAt = pos + i; }
            p += s;
          }
          break;
        }
        // truthiness as in JavaScript: NaN is false
        case R_ANY: for (let i = 0; i < n; i++) { const v = ld<T>(p); if (v != 0 && v == v) acc = 1; p += s; } break;
        default: for (let i = 0; i < n; i++) { const v = ld<T>(p); if (v == 0 || v != v) acc = 0; p += s; } break;
      }
    }
    pos += n;
    odoAdvance(n);
  }
  return op == R_ARGMAX || op == R_ARGMIN ? <f64>bestAt : acc;
}

function reduceOf<T>(op: i32, keptNdim: i32, keptShape: usize, keptStrides: usize, redNdim: i32, redShape: usize,
  redStrides: usize, count: i32, dst: usize, src: usize, o0: i32, o1: i32): void {
  // kept-dims index kept in scratch after the odometer's own index array
  const idx = scratch + ODO_BYTES;
  let rem = o0;
  let base = src;
  for (let d = keptNdim - 1; d >= 0; d--) {
    const s = load<i32>(keptShape + (<usize>d << 2));
    const i = rem % s;
    rem /= s;
    store<i32>(idx + (<usize>d << 2), i);
    base += <usize>(i * load<i32>(keptStrides + (<usize>d << 2)));
  }
  const arg = op == R_ARGMAX || op == R_ARGMIN;
  const boolOut = op == R_ANY || op == R_ALL;
  for (let o = o0; o < o1; o++) {
    const r = reduceBlock<T>(op, redNdim, redShape, redStrides, base, count);
    if (arg) store<i32>(dst + (<usize>o << 2), <i32>r);
    else if (boolOut) store<u8>(dst + <usize>o, r != 0 ? 1 : 0);
    else st<T>(dst + <usize>o * sizeof<T>(), r);
    // advance the kept index
    let d = keptNdim - 1;
    while (d >= 0) {
      const s = load<i32>(keptShape + (<usize>d << 2));
      const st_ = load<i32>(keptStrides + (<usize>d << 2));
      const i = load<i32>(idx + (<usize>d << 2)) + 1;
      base += <usize>st_;
      if (i < s) { store<i32>(idx + (<usize>d << 2), i); break; }
      store<i32>(idx + (<usize>d << 2), 0);
      base -= <usize>(s * st_);
      d--;
    }
  }
}

/**
 * dst[o] = op over x's reduced block, for outputs [o0, o1). keptNdim ≥ 1 and redNdim ≥ 1 (the
 * host passes a size-1 dim for an empty group); `count` = elements per reduced block.
 */
export function reduceK(op: i32, dt: i32, keptNdim: i32, keptShape: usize, keptStrides: usize, redNdim: i32,
  redShape: usize, redStrides: usize, count: i32, dst: usize, src: usize, o0: i32, o1: i32): void {
  if (o1 <= o0) return;
  switch (dt) {
    case DT_F32: reduceOf<f32>(op, keptNdim, keptShape, keptStrides, redNdim, redShape, redStrides, count, dst, src, o0, o1); break;
    case DT_F64: reduceOf<f64>(op, keptNdim, keptShape, keptStrides, redNdim, redShape, redStrides, count, dst, src, o0, o1); break;
    case DT_I32: reduceOf<i32>(op, keptNdim, keptShape, keptStrides, redNdim, redShape, redStrides, count, dst, src, o0, o1); break;
    default: reduceOf<u8>(op, keptNdim, keptShape, keptStrides, redNdim, redShape, redStrides, count, dst, src, o0, o1); break;
  }
}

const COL_CHUNK: i32 = 512;

/**
 * float32 sum where the kept dims collapse to one contiguous run: dst[j] = Σ_r x[r][j] for
 * columns j in [j0, j1), where the reduced rows r walk redShape/redStrides from `src`. Columns
 * are summed in chunks held as f64 in scratch, so the result matches a sequential f64 sum.
 */
export function sumColsF32K(redNdim: i32, redShape: usize, redStrides: usize, count: i32, dst: usize, src: usize, j0: i32, j1: i32): void {
  const acc = scratch + ODO_BYTES + 256;
  for (let c0 = j0; c0 < j1; c0 += COL_CHUNK) {
    const w = min(COL_CHUNK, j1 - c0);
    memory.fill(acc, 0, <usize>w << 3);
    if (count > 0) {
      odoStart(redNdim, redShape, redStrides, src + (<usize>c0 << 2), 0, 0, 0, 0, count);
      for (let n = odoRow(); n > 0; n = odoRow()) {
        let row = q0;
        for (let r = 0; r < n; r++) {
          let j = 0;
          for (; j + 4 <= w; j += 4) {
            const v = v128.load(row + (<usize>j << 2));
            const a = acc + (<usize>j << 3);
            v128.store(a, f64x2.add(v128.load(a), f64x2.promote_low_f32x4(v)));
            v128.store(a, f64x2.add(v128.load(a, 16), f64x2.promote_low_f32x4(v128.shuffle<i32>(v, v, 2, 3, 0, 1))), 16);
          }
          for (; j < w; j++) {
            const a = acc + (<usize>j << 3);
            store<f64>(a, load<f64>(a) + <f64>load<f32>(row + (<usize>j << 2)));
          }
          row += <usize>rs0;
        }
        odoAdvance(n);
      }
    }
    for (let j = 0; j < w; j++) store<f32>(dst + (<usize>(c0 + j) << 2), <f32>load<f64>(acc + (<usize>j << 3)));
  }
}

/**
 * Inclusive cumulative sum along the innermost dim (the host moves the scan axis last and never
 * merges it with other dims); elements [e0, e1) must be whole scan lines. Operands 0 = out, 1 = x.
 */
export function cumsumK(dt: i32, ndim: i32, shape: usize, strides: usize, dst: usize, src: usize, e0: i32, e1: i32): void {
  if (e1 <= e0) return;
  odoStart(ndim, shape, strides, dst, src, 0, 0, e0, e1);
  switch (dt) {
    case DT_F32: cumsumLoop<f32>(); break;
    case DT_F64: cumsumLoop<f64>(); break;
    case DT_I32: cumsumLoop<i32>(); break;
    default: cumsumLoop<u8>(); break;
  }
}

function cumsumLoop<T>(): void {
  for (let n = odoRow(); n > 0; n = odoRow()) {
    let o = q0, a = q1;
    const so = rs0, sa = rs1;
    let acc: f64 = 0;
    for (let i = 0; i < n; i++) {
      acc += ld<T>(a);
      st<T>(o, acc);
      o += so;
      a += sa;
    }
    odoAdvance(n);
  }
}
