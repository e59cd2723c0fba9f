// Softmax and log-softmax along one axis, forward, in one call: per line the maximum, the sum of
// e^(x - max) and the output, where the composed form took five to seven kernel calls (max, sub,
// exp, sum, then div or log and sub). The arithmetic is the composed form's: the maximum taken
// out, e^(x - max) by the same f32x4 polynomial as `exp`, the sum accumulated in f64 and rounded
// to the dtype, log by the same polynomial as `log`. As in PyTorch, a line holding NaN or
// +Infinity, or only -Infinity, is NaN throughout: x - max or the sum is NaN there. (The maximum
// ignores NaN lanes; the sum then carries the NaN.)
//
// The host passes x contiguous as [outer, n, inner] and a range [q0, q1) of its lines,
// q = o·inner + i. Lines along the last axis (inner = 1) are contiguous: SIMD along the line.
// Otherwise four neighbouring lines (i .. i+3) are one f32x4, SIMD across lines.

import { expV, expV2, expV2Second, logV } from "./simdmath";

export function softmaxK(f64dt: bool, log: bool, n: i32, inner: i32, src: usize, dst: usize, q0: i32, q1: i32): void {
  forLines<Forward>(f64dt, log, n, inner, src, 0, dst, q0, q1);
}

/**
 * Runs kernel K over the lines [q0, q1) of contiguous [outer, n, inner] operands (a, and b for the
 * backward's second input): float64 lines one by one, float32 lines along the last axis as rows,
 * others four neighbouring lines to a vector where a whole group of four is in range.
 */
@inline function forLines<K>(f64dt: bool, log: bool, n: i32, inner: i32, a: usize, b: usize, dst: usize, q0: i32, q1: i32): void {
  const k = changetype<K>(0);
  if (f64dt) {
    for (let q = q0; q < q1; q++) {
      const o = q / inner;
      const base = <usize>(o * n * inner + (q - o * inner)) << 3;
      k.line64(log, n, <usize>inner << 3, a + base, b + base, dst + base);
    }
    return;
  }
  if (inner == 1) {
    for (let q = q0; q < q1; q++) {
      const base = <usize>q * <usize>n << 2;
      k.row(log, n, a + base, b + base, dst + base);
    }
    return;
  }
  const stride = <usize>inner << 2;
  let q = q0;
  while (q < q1) {
    const o = q / inner;
    const i = q - o * inner;
    const base = <usize>(o * n * inner + i) << 2;
    if (i + 4 <= inner && q + 4 <= q1) {
      k.quad(log, n, stride, a + base, b + base, dst + base);
      q += 4;
    } else {
      k.line32(log, n, stride, a + base, b + base, dst + base);
      q++;
    }
  }
}

/** softmaxK's per-line work (b unused). */
class Forward {
  @inline line64(log: bool, n: i32, stride: usize, x: usize, _b: usize, y: usize): void { line<f64>(log, n, stride, x, y); }
  @inline row(log: bool, n: i32, x: usize, _b: usize, y: usize): void {
    if (log) rowLogF32(n, x, y);
    else rowF32(n, x, y);
  }
  @inline quad(log: bool, n: i32, stride: usize, x: usize, _b: usize, y: usize): void { quadF32(log, n, stride, x, y); }
  @inline line32(log: bool, n: i32, stride: usize, x: usize, _b: usize, y: usize): void { line<f32>(log, n, stride, x, y); }
}

@inline function expS(x: f32): f32 {
  return f32x4.extract_lane(expV(f32x4.splat(x)), 0);
}

@inline function logS(x: f32): f32 {
  return f32x4.extract_lane(logV(f32x4.splat(x)), 0);
}

/** The maximum of a contiguous f32 run (NaN lanes ignored: the sum carries them). */
function maxRunF32(n: i32, x: usize): f32 {
  let vm = f32x4.splat(-Infinity);
  let i = 0;
  for (; i + 4 <= n; i += 4) vm = f32x4.pmax(vm, v128.load(x + (<usize>i << 2)));
  let m = max(max(f32x4.extract_lane(vm, 0), f32x4.extract_lane(vm, 1)), max(f32x4.extract_lane(vm, 2), f32x4.extract_lane(vm, 3)));
  for (; i < n; i++) {
    const v = load<f32>(x + (<usize>i << 2));
    if (v > m) m = v;
  }
  return m;
}

/**
 * Σ e^(x - m) over a contiguous f32 run, in f64, with the terms stored at `y`. Two loops: the
 * polynomial and f64 accumulators in one loop did not fit V8's sixteen vector registers (the
 * accumulators went to the stack every iteration: ~3 ns an element).
 */
function sumExpRunF32(n: i32, x: usize, m: f32, y: usize): f64 {
  const vm = f32x4.splat(m);
  const n4 = <usize>(n & ~3) << 2;
  let off: usize = 0;
  for (; off + 16 < n4; off += 32) {
    v128.store(y + off, expV2(f32x4.sub(v128.load(x + off), vm), f32x4.sub(v128.load(x + off, 16), vm)));
    v128.store(y + off, expV2Second, 16);
  }
  for (; off < n4; off += 16) v128.store(y + off, expV(f32x4.sub(v128.load(x + off), vm)));
  let s0 = f64x2.splat(0), s1 = f64x2.splat(0);
  for (off = 0; off < n4; off += 16) {
    const e = v128.load(y + off);
    s0 = f64x2.add(s0, f64x2.promote_low_f32x4(e));
    s1 = f64x2.add(s1, f64x2.promote_low_f32x4(v128.shuffle<i32>(e, e, 2, 3, 0, 1)));
  }
  let sum = f64x2.extract_lane(s0, 0) + f64x2.extract_lane(s0, 1) + f64x2.extract_lane(s1, 0) + f64x2.extract_lane(s1, 1);
  for (let i = n & ~3; i < n; i++) {
    const off = <usize>i << 2;
    const e = expS(load<f32>(x + off) - m);
    store<f32>(y + off, e);
    sum += <f64>e;
  }
  return sum;
}

function rowF32(n: i32, x: usize, y: usize): void {
  const m = maxRunF32(n, x);
  const s = <f32>sumExpRunF32(n, x, m, y);
  const vs = f32x4.splat(s);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const off = <usize>i << 2;
    v128.store(y + off, f32x4.div(v128.load(y + off), vs));
  }
  for (; i < n; i++) {
    const off = <usize>i << 2;
    store<f32>(y + off, load<f32>(y + off) / s);
  }
}

function rowLogF32(n: i32, x: usize, y: usize): void {
  const m = maxRunF32(n, x);
  // (the terms go to y, which the last pass then overwrites)
  const lse = logS(<f32>sumExpRunF32(n, x, m, y));
  const vm = f32x4.splat(m), vl = f32x4.splat(lse);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const off = <usize>i << 2;
    v128.store(y + off, f32x4.sub(f32x4.sub(v128.load(x + off), vm), vl));
  }
  for (; i < n; i++) {
    const off = <usize>i << 2;
    store<f32>(y + off, load<f32>(x + off) - m - lse);
  }
}

/** Four neighbouring lines, `stride` bytes between a line's elements, one per lane. */
function quadF32(log: bool, n: i32, stride: usize, x: usize, y: usize): void {
  let vm = f32x4.splat(-Infinity);
  for (let k = 0; k < n; k++) vm = f32x4.pmax(vm, v128.load(x + <usize>k * stride));
  let s01 = f64x2.splat(0), s23 = f64x2.splat(0);
  for (let k = 0; k < n; k++) {
    const off = <usize>k * stride;
    const e = expV(f32x4.sub(v128.load(x + off), vm));
    if (!log) v128.store(y + off, e);
    s01 = f64x2.add(s01, f64x2.promote_low_f32x4(e));
    s23 = f64x2.add(s23, f64x2.promote_low_f32x4(v128.shuffle<i32>(e, e, 2, 3, 0, 1)));
  }
  const s = v128.shuffle<i32>(f32x4.demote_f64x2_zero(s01), f32x4.demote_f64x2_zero(s23), 0, 1, 4, 5);
  if (log) {
    const lse = logV(s);
    for (let k = 0; k < n; k++) {
      const off = <usize>k * stride;
      v128.store(y + off, f32x4.sub(f32x4.sub(v128.load(x + off), vm), lse));
    }
  } else {
    for (let k = 0; k < n; k++) {
      const off = <usize>k * stride;
      v128.store(y + off, f32x4.div(v128.load(y + off), s));
    }
  }
}

/**
 * One line with `stride` bytes between its elements: float32 lines that miss the vector paths
 * (through the same polynomials, one lane used) and float64 lines (Math.exp and Math.log, as the
 * float64 `exp` and `log` kernels).
 */
function line<T>(log: bool, n: i32, stride: usize, x: usize, y: usize): void {
  let m = <T>-Infinity;
  for (let k = 0; k < n; k++) {
    const v = load<T>(x + <usize>k * stride);
    if (v > m) m = v;
  }
  let sum: f64 = 0;
  for (let k = 0; k < n; k++) {
    const off = <usize>k * stride;
    const e = exp1<T>(load<T>(x + off) - m);
    if (!log) store<T>(y + off, e);
    sum += <f64>e;
  }
  const s = <T>sum;
  if (log) {
    const lse = log1<T>(s);
    for (let k = 0; k < n; k++) {
      const off = <usize>k * stride;
      store<T>(y + off, load<T>(x + off) - m - lse);
    }
  } else {
    for (let k = 0; k < n; k++) {
      const off = <usize>k * stride;
      store<T>(y + off, load<T>(y + off) / s);
    }
  }
}

@inline function exp1<T>(x: T): T {
  if (sizeof<T>() == 4) return <T>expS(<f32>x);
  return <T>Math.exp(<f64>x);
}

@inline function log1<T>(x: T): T {
  if (sizeof<T>() == 4) return <T>logS(<f32>x);
  return <T>Math.log(<f64>x);
}

// ---- backward ----------------------------------------------------------------------------------
// The gradient of softmax or log-softmax along one axis from the forward output y and the incoming
// gradient g, in one call where the composed form took four kernel calls and three temporaries:
//   softmax:      dx = y · (g − Σ g·y)
//   log-softmax:  dx = g − e^y · Σ g
// with the composed form's arithmetic: each product rounded to the dtype, the sum accumulated in
// f64 and rounded, e^y by the `exp` polynomial. g and y are contiguous [outer, n, inner], lines
// as in softmaxK.

export function softmaxBackwardK(f64dt: bool, log: bool, n: i32, inner: i32, g: usize, y: usize, dst: usize, q0: i32, q1: i32): void {
  forLines<Backward>(f64dt, log, n, inner, g, y, dst, q0, q1);
}

/** softmaxBackwardK's per-line work (a = g, b = y). */
class Backward {
  @inline line64(log: bool, n: i32, stride: usize, g: usize, y: usize, d: usize): void { lineBack<f64>(log, n, stride, g, y, d); }
  @inline row(log: bool, n: i32, g: usize, y: usize, d: usize): void { rowBackF32(log, n, g, y, d); }
  @inline quad(log: bool, n: i32, stride: usize, g: usize, y: usize, d: usize): void { quadBackF32(log, n, stride, g, y, d); }
  @inline line32(log: bool, n: i32, stride: usize, g: usize, y: usize, d: usize): void { lineBack<f32>(log, n, stride, g, y, d); }
}

/** Adds the four lanes of v to two f64x2 accumulators (lanes 0,1 and 2,3). */
@inline function addWide(s: v128, v: v128): v128 {
  return f64x2.add(s, f64x2.add(f64x2.promote_low_f32x4(v), f64x2.promote_low_f32x4(v128.shuffle<i32>(v, v, 2, 3, 0, 1))));
}

/** One contiguous f32 line: Σ (g·y or g) in f64 over lanes, then the gradient. */
function rowBackF32(log: bool, n: i32, g: usize, y: usize, d: usize): void {
  const n4 = <usize>(n & ~3) << 2;
  let s0 = f64x2.splat(0), s1 = f64x2.splat(0);
  let off: usize = 0;
  if (log) {
    for (; off + 16 < n4; off += 32) {
      s0 = addWide(s0, v128.load(g + off));
      s1 = addWide(s1, v128.load(g + off, 16));
    }
    for (; off < n4; off += 16) s0 = addWide(s0, v128.load(g + off));
  } else {
    for (; off + 16 < n4; off += 32) {
      s0 = addWide(s0, f32x4.mul(v128.load(g + off), v128.load(y + off)));
      s1 = addWide(s1, f32x4.mul(v128.load(g + off, 16), v128.load(y + off, 16)));
    }
    for (; off < n4; off += 16) s0 = addWide(s0, f32x4.mul(v128.load(g + off), v128.load(y + off)));
  }
  const t = f64x2.add(s0, s1);
  let sum = f64x2.extract_lane(t, 0) + f64x2.extract_lane(t, 1);
  for (let i = n & ~3; i < n; i++) {
    const o = <usize>i << 2;
    sum += log ? <f64>load<f32>(g + o) : <f64>(load<f32>(g + o) * load<f32>(y + o));
  }
  const s = <f32>sum;
  const vs = f32x4.splat(s);
  if (log) {
    for (off = 0; off + 16 < n4; off += 32) {
      const e0 = expV2(v128.load(y + off), v128.load(y + off, 16));
      v128.store(d + off, f32x4.sub(v128.load(g + off), f32x4.mul(e0, vs)));
      v128.store(d + off, f32x4.sub(v128.load(g + off, 16), f32x4.mul(expV2Second, vs)), 16);
    }
    for (; off < n4; off += 16) v128.store(d + off, f32x4.sub(v128.load(g + off), f32x4.mul(expV(v128.load(y + off)), vs)));
  } else {
    for (off = 0; off < n4; off += 16) v128.store(d + off, f32x4.mul(v128.load(y + off), f32x4.sub(v128.load(g + off), vs)));
  }
  for (let i = n & ~3; i < n; i++) {
    const o = <usize>i << 2;
    const gv = load<f32>(g + o), yv = load<f32>(y + o);
    store<f32>(d + o, log ? gv - expS(yv) * s : yv * (gv - s));
  }
}

/** Four neighbouring f32 lines, one per lane, `stride` bytes between a line's elements. */
function quadBackF32(log: bool, n: i32, stride: usize, g: usize, y: usize, d: usize): void {
  let s01 = f64x2.splat(0), s23 = f64x2.splat(0);
  for (let k = 0; k < n; k++) {
    const off = <usize>k * stride;
    const v = log ? v128.load(g + off) : f32x4.mul(v128.load(g + off), v128.load(y + off));
    s01 = f64x2.add(s01, f64x2.promote_low_f32x4(v));
    s23 = f64x2.add(s23, f64x2.promote_low_f32x4(v128.shuffle<i32>(v, v, 2, 3, 0, 1)));
  }
  const s = v128.shuffle<i32>(f32x4.demote_f64x2_zero(s01), f32x4.demote_f64x2_zero(s23), 0, 1, 4, 5);
  for (let k = 0; k < n; k++) {
    const off = <usize>k * stride;
    const gv = v128.load(g + off), yv = v128.load(y + off);
    v128.store(d + off, log ? f32x4.sub(gv, f32x4.mul(expV(yv), s)) : f32x4.mul(yv, f32x4.sub(gv, s)));
  }
}

/** One line with `stride` bytes between its elements: f32 lines off the vector paths, f64 lines. */
function lineBack<T>(log: bool, n: i32, stride: usize, g: usize, y: usize, d: usize): void {
  let sum: f64 = 0;
  for (let k = 0; k < n; k++) {
    const off = <usize>k * stride;
    sum += log ? <f64>load<T>(g + off) : <f64>(load<T>(g + off) * load<T>(y + off));
  }
  const s = <T>sum;
  for (let k = 0; k < n; k++) {
    const off = <usize>k * stride;
    const gv = load<T>(g + off), yv = load<T>(y + off);
    store<T>(d + off, log ? gv - exp1<T>(yv) * s : yv * (gv - s));
  }
}
