// Matrix products. float32 uses a packed, cache-blocked GEMM (Goto/BLIS loop order) around a
// 4×8 register-blocked f32x4 micro-kernel; other dtypes use plain scalar loops.
//
// All strides are in elements and may be anything (row-major, transposed, broadcast 0, sliced):
// packing reads operands through their strides, so the micro-kernel only ever sees unit-stride
// panels. Addresses are computed with wrapping i32 arithmetic, so negative strides work too.

import { scratch, ld, st } from "./common";
import { DT_F64, DT_I32 } from "../src/backends/wasm/opcodes";

/** Offset of the GEMM workspace inside each thread's scratch (the first part serves other kernels). */
export const GEMM_SCRATCH_OFFSET: usize = 8192;

// Micro-tile: MR rows × NR columns of C held in 8 v128 accumulators (2 per row). More live
// accumulators spill: V8 gives wasm SIMD 16 xmm registers (8 acc + 2 B + 1 splat A fit).
const MR: i32 = 4;
const NR: i32 = 8;
// Cache blocking: an MC×KC block of packed A stays in L2 while a KC×NR panel of packed B stays
// in L1 across the MC/MR micro-kernel calls that use it.
// K is split into equal blocks of at most KC (784 → 3 × 262 rather than 256+256+256+16).
const KC: i32 = 320;
const MC: i32 = 128;
const NC: i32 = 1280;

/** Bytes of scratch one thread needs for gemmF32 (packed A block + packed B block + edge tile). */
export const GEMM_WORK_BYTES: i32 = (MC * KC + KC * NC + MR * NR) * 4;

/** Transposes the 4×4 block held in rows r0..r3 and stores its columns at d, d+step, d+2·step, d+3·step. */
@inline function storeTransposed4(r0: v128, r1: v128, r2: v128, r3: v128, d: usize, step: usize): void {
  const t0 = v128.shuffle<f32>(r0, r1, 0, 4, 1, 5);
  const t1 = v128.shuffle<f32>(r0, r1, 2, 6, 3, 7);
  const t2 = v128.shuffle<f32>(r2, r3, 0, 4, 1, 5);
  const t3 = v128.shuffle<f32>(r2, r3, 2, 6, 3, 7);
  v128.store(d, v128.shuffle<f32>(t0, t2, 0, 1, 4, 5));
  v128.store(d + step, v128.shuffle<f32>(t0, t2, 2, 3, 6, 7));
  v128.store(d + 2 * step, v128.shuffle<f32>(t1, t3, 0, 1, 4, 5));
  v128.store(d + 3 * step, v128.shuffle<f32>(t1, t3, 2, 3, 6, 7));
}

// Packs rows [i0, i0+mc) × cols [p0, p0+kc) of A into MR-row panels, k-major inside a panel:
// dst[panel][k][r]. Rows past M are zero so edge tiles need no special casing in the kernel.
function packA(dst: usize, a: usize, sam: i32, sak: i32, i0: i32, mc: i32, p0: i32, kc: i32, M: i32): void {
  for (let ir = 0; ir < mc; ir += MR) {
    const rows = min(MR, M - (i0 + ir));
    const base = a + (<usize>((i0 + ir) * sam + p0 * sak) << 2);
    if (rows == MR) {
      const r1 = <usize>(sam << 2), r2 = <usize>(sam << 3), r3 = <usize>(sam * 12);
      const step = <usize>(sak << 2);
      let src = base;
      let d = dst;
      if (sam == 1) {
        for (let k = 0; k < kc; k++) {
          v128.store(d, v128.load(src));
          src += step;
          d += 16;
        }
      } else if (sak == 1) {
        // row-major A: read 4 k-values of each row as one vector, transpose 4×4 blocks
        let k = 0;
        for (; k + 4 <= kc; k += 4) {
          storeTransposed4(v128.load(src), v128.load(src + r1), v128.load(src + r2), v128.load(src + r3), d, 16);
          src += 16;
          d += 64;
        }
        for (; k < kc; k++) {
          store<f32>(d, load<f32>(src));
          store<f32>(d, load<f32>(src + r1), 4);
          store<f32>(d, load<f32>(src + r2), 8);
          store<f32>(d, load<f32>(src + r3), 12);
          src += 4;
          d += 16;
        }
      } else {
        for (let k = 0; k < kc; k++) {
          store<f32>(d, load<f32>(src));
          store<f32>(d, load<f32>(src + r1), 4);
          store<f32>(d, load<f32>(src + r2), 8);
          store<f32>(d, load<f32>(src + r3), 12);
          src += step;
          d += 16;
        }
      }
    } else {
      for (let k = 0; k < kc; k++) {
        for (let r = 0; r < MR; r++) {
          const v: f32 = r < rows ? load<f32>(base + (<usize>(r * sam + k * sak) << 2)) : 0;
          store<f32>(dst + (<usize>(k * MR + r) << 2), v);
        }
      }
    }
    dst += <usize>(kc * MR) << 2;
  }
}

// Packs rows [p0, p0+kc) × cols [j0, j0+nc) of B into NR-column panels: dst[panel][k][c].
function packB(dst: usize, b: usize, sbk: i32, sbn: i32, p0: i32, kc: i32, j0: i32, nc: i32, N: i32): void {
  for (let jr = 0; jr < nc; jr += NR) {
    const cols = min(NR, N - (j0 + jr));
    const base = b + (<usize>(p0 * sbk + (j0 + jr) * sbn) << 2);
    const step = <usize>(sbk << 2);
    if (cols == NR && sbn == 1) {
      let src = base;
      let d = dst;
      for (let k = 0; k < kc; k++) {
        v128.store(d, v128.load(src));
        v128.store(d, v128.load(src, 16), 16);
        src += step;
        d += 32;
      }
    } else if (cols == NR && sbk == 1) {
      // B stored column-major (x·Wᵀ in a Linear layer): 4 k-values per column as one vector,
      // two 4×4 transposes per 4 k-rows of the panel
      const cs = <usize>(sbn << 2);
      let src = base;
      let d = dst;
      let k = 0;
      for (; k + 4 <= kc; k += 4) {
        storeTransposed4(v128.load(src), v128.load(src + cs), v128.load(src + 2 * cs), v128.load(src + 3 * cs), d, 32);
        const s4 = src + 4 * cs;
        storeTransposed4(v128.load(s4), v128.load(s4 + cs), v128.load(s4 + 2 * cs), v128.load(s4 + 3 * cs), d + 16, 32);
        src += 16;
        d += 128;
      }
      for (; k < kc; k++) {
        let s = src;
        for (let c = 0; c < NR; c++) {
          store<f32>(d + (<usize>c << 2), load<f32>(s));
          s += cs;
        }
        src += 4;
        d += 32;
      }
    } else if (cols == NR) {
      const cs = <usize>(sbn << 2);
      let src = base;
      let d = dst;
      for (let k = 0; k < kc; k++) {
        let s = src;
        for (let c = 0; c < NR; c++) {
          store<f32>(d + (<usize>c << 2), load<f32>(s));
          s += cs;
        }
        src += step;
        d += 32;
      }
    } else {
      for (let k = 0; k < kc; k++) {
        for (let c = 0; c < NR; c++) {
          const v: f32 = c < cols ? load<f32>(base + (<usize>(k * sbk + c * sbn) << 2)) : 0;
          store<f32>(dst + (<usize>(k * NR + c) << 2), v);
        }
      }
    }
    dst += <usize>(kc * NR) << 2;
  }
}

// a·b + c per lane. With relaxed SIMD (the "relaxed" builds) one f32x4.relaxed_madd, which V8
// compiles to a fused multiply-add where the CPU has FMA: the 4×8 loop is bound by instruction
// issue, and halving its arithmetic instructions measured 22 → 30-35 GFLOP/s on one core here.
// The fused form rounds once instead of twice, so products differ from the plain build in the
// last bit; every thread of one process runs the same build, so results stay deterministic.
@inline function madd(a: v128, b: v128, c: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f32x4.relaxed_madd(a, b, c);
  return f32x4.add(c, f32x4.mul(a, b));
}

// C[0:4, 0:8] (row stride ldc floats) = (accumulate ? C : 0) + Ap · Bp over kc ≥ 1 steps, where
// Ap = abase + aoff and the 8 B values of step k are at Bp + k·bstride bytes (Bp = bbase + boff;
// bstride is 32 for a packed panel, the row stride when B is read in place). Inlined into the
// GEMM's tile loop (edge tiles call it through micro4x8Edge): the call, its nine arguments and the
// spills around it cost ~6% when kc is small (the MLP's weight gradient has kc = 64), and inlined,
// TurboFan also unrolls the k-loop by four with no spills (18 instructions per k-step).
//
// The loop is bound by instruction issue, so its shape is written for what TurboFan makes of it
// (checked with `perf annotate` on V8 11.3): 19 instructions per k-step — 6 loads, 8 FMAs, the two
// pointer updates, the compare and the branch. Two details matter:
// - the pointers are formed inside from a base and an offset: V8 knows an i32 add's result is
//   zero-extended, but not a parameter's, so pointers passed in whole got a `mov r32, r32` per use
//   in every k-step (plus register moves) — 26 instructions, and ~10–20% slower in L1;
// - the loop runs on an end pointer for A (no separate counter).
@inline function micro4x8(
  abase: usize, aoff: usize, bbase: usize, boff: usize, bstride: usize, kc: i32, c: usize, ldc: i32, accumulate: bool,
): void {
  let ap = abase + aoff;
  let bp = bbase + boff;
  const end = ap + (<usize>kc << 4);
  let c00 = f32x4.splat(0), c01 = f32x4.splat(0);
  let c10 = f32x4.splat(0), c11 = f32x4.splat(0);
  let c20 = f32x4.splat(0), c21 = f32x4.splat(0);
  let c30 = f32x4.splat(0), c31 = f32x4.splat(0);
  do {
    const b0 = v128.load(bp);
    const b1 = v128.load(bp, 16);
    let a = v128.load32_splat(ap);
    c00 = madd(a, b0, c00);
    c01 = madd(a, b1, c01);
    a = v128.load32_splat(ap, 4);
    c10 = madd(a, b0, c10);
    c11 = madd(a, b1, c11);
    a = v128.load32_splat(ap, 8);
    c20 = madd(a, b0, c20);
    c21 = madd(a, b1, c21);
    a = v128.load32_splat(ap, 12);
    c30 = madd(a, b0, c30);
    c31 = madd(a, b1, c31);
    ap += 16;
    bp += bstride;
  } while (ap < end);
  const row = <usize>ldc << 2;
  if (accumulate) {
    v128.store(c, f32x4.add(v128.load(c), c00));
    v128.store(c, f32x4.add(v128.load(c, 16), c01), 16);
    c += row;
    v128.store(c, f32x4.add(v128.load(c), c10));
    v128.store(c, f32x4.add(v128.load(c, 16), c11), 16);
    c += row;
    v128.store(c, f32x4.add(v128.load(c), c20));
    v128.store(c, f32x4.add(v128.load(c, 16), c21), 16);
    c += row;
    v128.store(c, f32x4.add(v128.load(c), c30));
    v128.store(c, f32x4.add(v128.load(c, 16), c31), 16);
  } else {
    v128.store(c, c00);
    v128.store(c, c01, 16);
    c += row;
    v128.store(c, c10);
    v128.store(c, c11, 16);
    c += row;
    v128.store(c, c20);
    v128.store(c, c21, 16);
    c += row;
    v128.store(c, c30);
    v128.store(c, c31, 16);
  }
}

/** micro4x8 into the scratch tile (row stride NR), not inlined: edge tiles are rare. */
function micro4x8Edge(abase: usize, aoff: usize, bbase: usize, boff: usize, bstride: usize, kc: i32, tile: usize): void {
  micro4x8(abase, aoff, bbase, boff, bstride, kc, tile, NR, false);
}

/** The sum of a vector's four lanes, lane 0 first. */
@inline function hsum(v: v128): f32 {
  return f32x4.extract_lane(v, 0) + f32x4.extract_lane(v, 1) + f32x4.extract_lane(v, 2) + f32x4.extract_lane(v, 3);
}

/**
 * C = (beta ? C : 0) + A·B for a few columns (N < SMALL_N, a classifier head x·Wᵀ) with A row-major
 * and B column-major: both operands are k-contiguous, so each output is a dot product and nothing
 * is packed. Two rows × four columns at a time, in eight f32x4 accumulators (6 loads per 8 FMAs,
 * like the 4×8 kernel). The blocked path would pad N up to a multiple of 8 (10 → 16 columns) and
 * pack all of A, i.e. copy the whole activation, for a product this small.
 */
function gemmSmallN(a: usize, sam: i32, b: usize, sbn: i32, c: usize, ldc: i32, beta: bool, M: i32, N: i32, K: i32): void {
  const k4 = <usize>(K & ~3) << 2;
  const arow = <usize>sam << 2, crow = <usize>ldc << 2, bcol = <usize>sbn << 2;
  // rows outer: a row pair (2 × K floats) and all of B (N × K, a classifier's weights) stay in L1
  for (let i = 0; i < M; i += 2) {
    const two = i + 1 < M;
    const ra = <usize>i * arow;
    const rb = two ? ra + arow : ra;
    for (let j0 = 0; j0 < N; j0 += 4) {
      const cols = min(4, N - j0);
      // columns past N repeat the last one (computed, not stored)
      const o0: usize = <usize>j0 * bcol;
      const o1: usize = <usize>min(j0 + 1, N - 1) * bcol;
      const o2: usize = <usize>min(j0 + 2, N - 1) * bcol;
      const o3: usize = <usize>min(j0 + 3, N - 1) * bcol;
      let s00 = f32x4.splat(0), s01 = f32x4.splat(0), s02 = f32x4.splat(0), s03 = f32x4.splat(0);
      let s10 = f32x4.splat(0), s11 = f32x4.splat(0), s12 = f32x4.splat(0), s13 = f32x4.splat(0);
      for (let k: usize = 0; k < k4; k += 16) {
        const x0 = v128.load(a + ra + k), x1 = v128.load(a + rb + k);
        let w = v128.load(b + o0 + k);
        s00 = madd(x0, w, s00);
        s10 = madd(x1, w, s10);
        w = v128.load(b + o1 + k);
        s01 = madd(x0, w, s01);
        s11 = madd(x1, w, s11);
        w = v128.load(b + o2 + k);
        s02 = madd(x0, w, s02);
        s12 = madd(x1, w, s12);
        w = v128.load(b + o3 + k);
        s03 = madd(x0, w, s03);
        s13 = madd(x1, w, s13);
      }
      let d00 = hsum(s00), d01 = hsum(s01), d02 = hsum(s02), d03 = hsum(s03);
      let d10 = hsum(s10), d11 = hsum(s11), d12 = hsum(s12), d13 = hsum(s13);
      for (let k = <usize>(K & ~3) << 2; k < (<usize>K << 2); k += 4) {
        const x0 = load<f32>(a + ra + k), x1 = load<f32>(a + rb + k);
        let w = load<f32>(b + o0 + k);
        d00 += x0 * w;
        d10 += x1 * w;
        w = load<f32>(b + o1 + k);
        d01 += x0 * w;
        d11 += x1 * w;
        w = load<f32>(b + o2 + k);
        d02 += x0 * w;
        d12 += x1 * w;
        w = load<f32>(b + o3 + k);
        d03 += x0 * w;
        d13 += x1 * w;
      }
      const c0 = c + <usize>i * crow + (<usize>j0 << 2);
      putSmall(c0, beta, d00);
      if (cols > 1) putSmall(c0 + 4, beta, d01);
      if (cols > 2) putSmall(c0 + 8, beta, d02);
      if (cols > 3) putSmall(c0 + 12, beta, d03);
      if (two) {
        const c1 = c0 + crow;
        putSmall(c1, beta, d10);
        if (cols > 1) putSmall(c1 + 4, beta, d11);
        if (cols > 2) putSmall(c1 + 8, beta, d12);
        if (cols > 3) putSmall(c1 + 12, beta, d13);
      }
    }
  }
}

@inline function putSmall(q: usize, beta: bool, d: f32): void {
  store<f32>(q, beta ? load<f32>(q) + d : d);
}

/** Below this many columns, x·Wᵀ with k-contiguous operands takes gemmSmallN. */
const SMALL_N: i32 = 16;

/** Σ_k a[k]·b[k] over two unit-stride float32 runs, in four f32x4 accumulators. */
function dotF32(a: usize, b: usize, K: i32): f32 {
  let s0 = f32x4.splat(0), s1 = f32x4.splat(0), s2 = f32x4.splat(0), s3 = f32x4.splat(0);
  let k = 0;
  for (; k + 16 <= K; k += 16) {
    s0 = madd(v128.load(a), v128.load(b), s0);
    s1 = madd(v128.load(a, 16), v128.load(b, 16), s1);
    s2 = madd(v128.load(a, 32), v128.load(b, 32), s2);
    s3 = madd(v128.load(a, 48), v128.load(b, 48), s3);
    a += 64;
    b += 64;
  }
  for (; k + 4 <= K; k += 4) {
    s0 = madd(v128.load(a), v128.load(b), s0);
    a += 16;
    b += 16;
  }
  let r = hsum(f32x4.add(f32x4.add(s0, s1), f32x4.add(s2, s3)));
  for (; k < K; k++) {
    r += load<f32>(a) * load<f32>(b);
    a += 4;
    b += 4;
  }
  return r;
}

/**
 * [Σ t0, Σ t1, Σ t2, Σ t3]: the lane sums of four vectors in one vector (two shuffle-add rounds
 * instead of four scalar horizontal sums).
 */
@inline function hsum4(t0: v128, t1: v128, t2: v128, t3: v128): v128 {
  // [t0₀+t0₂, t1₀+t1₂, t0₁+t0₃, t1₁+t1₃] and the same for t2, t3
  const v01 = f32x4.add(v128.shuffle<f32>(t0, t1, 0, 4, 1, 5), v128.shuffle<f32>(t0, t1, 2, 6, 3, 7));
  const v23 = f32x4.add(v128.shuffle<f32>(t2, t3, 0, 4, 1, 5), v128.shuffle<f32>(t2, t3, 2, 6, 3, 7));
  return f32x4.add(v128.shuffle<f32>(v01, v23, 0, 1, 4, 5), v128.shuffle<f32>(v01, v23, 2, 3, 6, 7));
}

/**
 * C[0, j:j+4] = (beta ? C : 0) + the dot products of the unit-stride row at `a` with the four
 * unit-stride columns of B at b, b + bcol, b + 2·bcol, b + 3·bcol (bytes), K long.
 *
 * Four columns share each load of A, and each column runs two accumulators (eight chains, enough
 * to cover the FMA latency at two FMAs a cycle): 10 loads per 8 FMAs, where one column at a time
 * (`dotF32`) needs 2 loads per FMA and is bound by loads. The batch-1 784→500 product (x·Wᵀ) went
 * from ~42 to ~32 µs on one thread here (medians, three interleaved runs each).
 */
function dot4F32(a: usize, b: usize, bcol: usize, c: usize, beta: bool, K: i32): void {
  const b1 = b + bcol, b2 = b1 + bcol, b3 = b2 + bcol;
  let s00 = f32x4.splat(0), s01 = f32x4.splat(0), s10 = f32x4.splat(0), s11 = f32x4.splat(0);
  let s20 = f32x4.splat(0), s21 = f32x4.splat(0), s30 = f32x4.splat(0), s31 = f32x4.splat(0);
  let k: usize = 0;
  const k8 = <usize>(K & ~7) << 2;
  for (; k < k8; k += 32) {
    const x0 = v128.load(a + k), x1 = v128.load(a + k, 16);
    s00 = madd(x0, v128.load(b + k), s00);
    s01 = madd(x1, v128.load(b + k, 16), s01);
    s10 = madd(x0, v128.load(b1 + k), s10);
    s11 = madd(x1, v128.load(b1 + k, 16), s11);
    s20 = madd(x0, v128.load(b2 + k), s20);
    s21 = madd(x1, v128.load(b2 + k, 16), s21);
    s30 = madd(x0, v128.load(b3 + k), s30);
    s31 = madd(x1, v128.load(b3 + k, 16), s31);
  }
  if (K & 4) {
    const x0 = v128.load(a + k);
    s00 = madd(x0, v128.load(b + k), s00);
    s10 = madd(x0, v128.load(b1 + k), s10);
    s20 = madd(x0, v128.load(b2 + k), s20);
    s30 = madd(x0, v128.load(b3 + k), s30);
    k += 16;
  }
  let r = hsum4(f32x4.add(s00, s01), f32x4.add(s10, s11), f32x4.add(s20, s21), f32x4.add(s30, s31));
  const kEnd = <usize>K << 2;
  if (k < kEnd) {
    let d0: f32 = 0, d1: f32 = 0, d2: f32 = 0, d3: f32 = 0;
    for (; k < kEnd; k += 4) {
      const x = load<f32>(a + k);
      d0 += x * load<f32>(b + k);
      d1 += x * load<f32>(b1 + k);
      d2 += x * load<f32>(b2 + k);
      d3 += x * load<f32>(b3 + k);
    }
    r = f32x4.add(r, lanes4(d0, d1, d2, d3));
  }
  v128.store(c, beta ? f32x4.add(v128.load(c), r) : r);
}

/**
 * The same for two rows of A at once (a at `a` and `a2`, C rows at c and c2): each load of B serves
 * both rows, eight chains of one accumulator (6 loads per 8 FMAs), and B is read once, not twice
 * (2×784×500: ~80–100 → ~45–52 µs).
 */
function dot2x4F32(a: usize, a2: usize, b: usize, bcol: usize, c: usize, c2: usize, beta: bool, K: i32): void {
  const b1 = b + bcol, b2 = b1 + bcol, b3 = b2 + bcol;
  let s00 = f32x4.splat(0), s01 = f32x4.splat(0), s02 = f32x4.splat(0), s03 = f32x4.splat(0);
  let s10 = f32x4.splat(0), s11 = f32x4.splat(0), s12 = f32x4.splat(0), s13 = f32x4.splat(0);
  const k4 = <usize>(K & ~3) << 2;
  let k: usize = 0;
  for (; k < k4; k += 16) {
    const x0 = v128.load(a + k), x1 = v128.load(a2 + k);
    let w = v128.load(b + k);
    s00 = madd(x0, w, s00);
    s10 = madd(x1, w, s10);
    w = v128.load(b1 + k);
    s01 = madd(x0, w, s01);
    s11 = madd(x1, w, s11);
    w = v128.load(b2 + k);
    s02 = madd(x0, w, s02);
    s12 = madd(x1, w, s12);
    w = v128.load(b3 + k);
    s03 = madd(x0, w, s03);
    s13 = madd(x1, w, s13);
  }
  let r0 = hsum4(s00, s01, s02, s03), r1 = hsum4(s10, s11, s12, s13);
  const kEnd = <usize>K << 2;
  if (k < kEnd) {
    let d0: f32 = 0, d1: f32 = 0, d2: f32 = 0, d3: f32 = 0;
    let e0: f32 = 0, e1: f32 = 0, e2: f32 = 0, e3: f32 = 0;
    for (; k < kEnd; k += 4) {
      const x = load<f32>(a + k), y = load<f32>(a2 + k);
      let w = load<f32>(b + k);
      d0 += x * w;
      e0 += y * w;
      w = load<f32>(b1 + k);
      d1 += x * w;
      e1 += y * w;
      w = load<f32>(b2 + k);
      d2 += x * w;
      e2 += y * w;
      w = load<f32>(b3 + k);
      d3 += x * w;
      e3 += y * w;
    }
    r0 = f32x4.add(r0, lanes4(d0, d1, d2, d3));
    r1 = f32x4.add(r1, lanes4(e0, e1, e2, e3));
  }
  v128.store(c, beta ? f32x4.add(v128.load(c), r0) : r0);
  v128.store(c2, beta ? f32x4.add(v128.load(c2), r1) : r1);
}

@inline function lanes4(d0: f32, d1: f32, d2: f32, d3: f32): v128 {
  return f32x4.replace_lane(f32x4.replace_lane(f32x4.replace_lane(f32x4.splat(d0), 1, d1), 2, d2), 3, d3);
}

/**
 * Matrix-vector products for a GEMM with one or two rows (batch-1 inference): packing B — all of a
 * weight matrix — would cost more than the product. B column-major (x·Wᵀ): dot products, four
 * outputs at a time (`dot4F32`); B row-major: C row += a_k · B row k, SIMD along N, 32 columns of
 * C held in registers over all of k. Returns false for other layouts.
 */
function gemvF32(a: usize, sam: i32, sak: i32, b: usize, sbk: i32, sbn: i32, c: usize, ldc: i32, beta: bool,
  M: i32, N: i32, K: i32): bool {
  if (sbk == 1 && sak == 1) {
    const bcol = <usize>sbn << 2;
    let i = 0;
    if (M == 2) {
      const a2 = a + (<usize>sam << 2), c2 = c + (<usize>ldc << 2);
      let j = 0;
      for (; j + 4 <= N; j += 4) {
        const q = <usize>j << 2;
        dot2x4F32(a, a2, b + <usize>j * bcol, bcol, c + q, c2 + q, beta, K);
      }
      for (; j < N; j++) {
        const q = <usize>j << 2;
        const d0 = dotF32(a, b + <usize>j * bcol, K), d1 = dotF32(a2, b + <usize>j * bcol, K);
        store<f32>(c + q, beta ? load<f32>(c + q) + d0 : d0);
        store<f32>(c2 + q, beta ? load<f32>(c2 + q) + d1 : d1);
      }
      i = 2;
    }
    for (; i < M; i++) {
      const ar = a + (<usize>(i * sam) << 2);
      const cr = c + (<usize>(i * ldc) << 2);
      let j = 0;
      for (; j + 4 <= N; j += 4) dot4F32(ar, b + <usize>j * bcol, bcol, cr + (<usize>j << 2), beta, K);
      for (; j < N; j++) {
        const d = dotF32(ar, b + <usize>j * bcol, K);
        const q = cr + (<usize>j << 2);
        store<f32>(q, beta ? load<f32>(q) + d : d);
      }
    }
    return true;
  }
  if (sbn == 1) {
    const brow = <usize>sbk << 2;
    for (let i = 0; i < M; i++) {
      const cr = c + (<usize>(i * ldc) << 2);
      const ai = a + (<usize>(i * sam) << 2);
      const astep = <usize>sak << 2;
      let j = 0;
      // 32 columns at a time: eight accumulators over all of k, one splat and 8 loads per 8 FMAs
      for (; j + 32 <= N; j += 32) {
        const q = cr + (<usize>j << 2);
        let c0 = f32x4.splat(0), c1 = f32x4.splat(0), c2 = f32x4.splat(0), c3 = f32x4.splat(0);
        let c4 = f32x4.splat(0), c5 = f32x4.splat(0), c6 = f32x4.splat(0), c7 = f32x4.splat(0);
        if (beta) {
          c0 = v128.load(q); c1 = v128.load(q, 16); c2 = v128.load(q, 32); c3 = v128.load(q, 48);
          c4 = v128.load(q, 64); c5 = v128.load(q, 80); c6 = v128.load(q, 96); c7 = v128.load(q, 112);
        }
        let br = b + (<usize>j << 2);
        let ak = ai;
        for (let k = 0; k < K; k++) {
          const sv = v128.load32_splat(ak);
          c0 = madd(sv, v128.load(br), c0);
          c1 = madd(sv, v128.load(br, 16), c1);
          c2 = madd(sv, v128.load(br, 32), c2);
          c3 = madd(sv, v128.load(br, 48), c3);
          c4 = madd(sv, v128.load(br, 64), c4);
          c5 = madd(sv, v128.load(br, 80), c5);
          c6 = madd(sv, v128.load(br, 96), c6);
          c7 = madd(sv, v128.load(br, 112), c7);
          br += brow;
          ak += astep;
        }
        v128.store(q, c0); v128.store(q, c1, 16); v128.store(q, c2, 32); v128.store(q, c3, 48);
        v128.store(q, c4, 64); v128.store(q, c5, 80); v128.store(q, c6, 96); v128.store(q, c7, 112);
      }
      for (; j + 4 <= N; j += 4) {
        const q = cr + (<usize>j << 2);
        let c0 = beta ? v128.load(q) : f32x4.splat(0);
        let br = b + (<usize>j << 2);
        let ak = ai;
        for (let k = 0; k < K; k++) {
          c0 = madd(v128.load32_splat(ak), v128.load(br), c0);
          br += brow;
          ak += astep;
        }
        v128.store(q, c0);
      }
      for (; j < N; j++) {
        const q = cr + (<usize>j << 2);
        let d: f32 = beta ? load<f32>(q) : 0;
        let br = b + (<usize>j << 2);
        let ak = ai;
        for (let k = 0; k < K; k++) {
          d += load<f32>(ak) * load<f32>(br);
          br += brow;
          ak += astep;
        }
        store<f32>(q, d);
      }
    }
    return true;
  }
  return false;
}

/** C[0:4, 0:8] (row stride ldc) = the bias at x (element strides sxm, sxn; one is usually 0). */
function biasTile(c: usize, ldc: i32, x: usize, sxm: i32, sxn: i32): void {
  const row = <usize>ldc << 2;
  if (sxn == 1) {
    // nn.Linear: a row of biases, the same for every row of C when sxm = 0
    for (let r = 0; r < MR; r++) {
      const xr = x + (<usize>(r * sxm) << 2);
      v128.store(c, v128.load(xr));
      v128.store(c, v128.load(xr, 16), 16);
      c += row;
    }
  } else if (sxn == 0) {
    // conv2d: one bias per output channel, i.e. per row of C
    for (let r = 0; r < MR; r++) {
      const v = v128.load32_splat(x + (<usize>(r * sxm) << 2));
      v128.store(c, v);
      v128.store(c, v, 16);
      c += row;
    }
  } else {
    for (let r = 0; r < MR; r++) {
      for (let q = 0; q < NR; q++) store<f32>(c + (<usize>(r * ldc + q) << 2), load<f32>(x + (<usize>(r * sxm + q * sxn) << 2)));
    }
  }
}

/**
 * C[M×N] (contiguous rows of stride ldc) = X + A[M×K] · B[K×N], float32, where X is C itself
 * (beta), the bias X(i,j) = bias[i·sxm + j·sxn] (bias ≠ 0: nn.Linear's row of biases, conv2d's
 * column), or 0. A(i,k) = a[i·sam + k·sak], B(k,j) = b[k·sbk + j·sbn]; `work` holds
 * GEMM_WORK_BYTES of scratch.
 *
 * The bias is written into each C tile just before its first micro-kernel call accumulates onto
 * it, while the tile is in L1 — not copied over all of C in a pass of its own beforehand, which
 * wrote C out to memory and read it back cold (for conv2d's first layer in the bench CNN, 5.5 MB).
 */
function gemmF32(
  a: usize, sam: i32, sak: i32, b: usize, sbk: i32, sbn: i32, c: usize, ldc: i32, beta: bool,
  M: i32, N: i32, K: i32, work: usize, bias: usize, sxm: i32, sxn: i32,
): void {
  if (M <= 0 || N <= 0) return;
  const smallN = N < SMALL_N && sbk == 1 && sak == 1 && M > 2;
  if (bias != 0 && (K <= 0 || M <= 2 || smallN)) {
    // a product with no k (C = bias), a gemv or a few columns: start from the bias, then accumulate
    for (let i = 0; i < M; i++) {
      for (let j = 0; j < N; j++) store<f32>(c + (<usize>(i * ldc + j) << 2), load<f32>(bias + (<usize>(i * sxm + j * sxn) << 2)));
    }
    beta = true;
    bias = 0;
  }
  if (K <= 0) {
    if (beta) return;
    for (let i = 0; i < M; i++) memory.fill(c + (<usize>(i * ldc) << 2), 0, <usize>N << 2);
    return;
  }
  if (M <= 2 && gemvF32(a, sam, sak, b, sbk, sbn, c, ldc, beta, M, N, K)) return;
  if (smallN) {
    gemmSmallN(a, sam, b, sbn, c, ldc, beta, M, N, K);
    return;
  }
  const packedA = work;
  const packedB = work + (<usize>(MC * KC) << 2);
  const tile = packedB + (<usize>(KC * NC) << 2);
  const nk = (K + KC - 1) / KC;
  const kcMax = (K + nk - 1) / nk;
  const direct = readsBInPlace(M, sbk, sbn);
  const full = N & ~(NR - 1);
  for (let j0 = 0; j0 < N; j0 += NC) {
    const nc = min(NC, N - j0);
    for (let p0 = 0; p0 < K; p0 += kcMax) {
      const kc = min(kcMax, K - p0);
      const acc = beta || p0 > 0;
      if (!direct) packB(packedB, b, sbk, sbn, p0, kc, j0, nc, N);
      else if (j0 + nc > full) packB(packedB, b, sbk, sbn, p0, kc, full, N - full, N);
      for (let i0 = 0; i0 < M; i0 += MC) {
        const mc = min(MC, M - i0);
        packA(packedA, a, sam, sak, i0, mc, p0, kc, M);
        blockTiles(packedA, i0, mc, kc, j0, nc, direct, b + (<usize>(p0 * sbk) << 2), sbk, full, packedB, c, ldc, acc, bias, sxm, sxn, tile);
      }
    }
  }
}

/**
 * Whether a product reads row-major B in place instead of packing it: each 8-column strip is
 * already 32 contiguous bytes per k. That saves a pass over B when few A panels share each packed
 * strip (small M), but a strip whose rows are a multiple of 1 KiB apart falls into a handful of L1
 * sets and thrashes, and for large M packing is cheap anyway. Only a ragged last strip is packed.
 */
@inline function readsBInPlace(M: i32, sbk: i32, sbn: i32): bool {
  return sbn == 1 && M <= 128 && (sbk & 255) != 0;
}

/**
 * The micro-tiles of C rows [i0, i0+mc) × columns [j0, j0+nc) for one k-block of kc: A packed at
 * `pa` (rows from i0); B read in place at `bk` (its row p0 already added) for columns below `full`
 * when `direct`, else from `pb`: strips packed from column j0 on, or (direct) the ragged last strip.
 */
@inline function blockTiles(
  pa: usize, i0: i32, mc: i32, kc: i32, j0: i32, nc: i32, direct: bool, bk: usize, sbk: i32, full: i32,
  pb: usize, c: usize, ldc: i32, acc: bool, bias: usize, sxm: i32, sxn: i32, tile: usize,
): void {
  for (let jr = 0; jr < nc; jr += NR) {
    const cols = min(NR, nc - jr);
    let bbase = pb;
    let boff: usize = <usize>(jr * kc) << 2;
    let bstride: usize = NR * 4;
    if (direct) {
      if (j0 + jr < full) {
        bbase = bk;
        boff = <usize>(j0 + jr) << 2;
        bstride = <usize>sbk << 2;
      } else {
        boff = 0;
      }
    }
    for (let ir = 0; ir < mc; ir += MR) {
      const rows = min(MR, mc - ir);
      const aoff = <usize>(ir * kc) << 2;
      const cp = c + (<usize>((i0 + ir) * ldc + j0 + jr) << 2);
      const bx = acc || bias == 0 ? 0 : bias + (<usize>((i0 + ir) * sxm + (j0 + jr) * sxn) << 2);
      if (rows == MR && cols == NR) {
        if (bx != 0) biasTile(cp, ldc, bx, sxm, sxn);
        micro4x8(pa, aoff, bbase, boff, bstride, kc, cp, ldc, acc || bx != 0);
      } else {
        // Edge tile: compute the full 4×8 into scratch, then add/copy the valid part.
        micro4x8Edge(pa, aoff, bbase, boff, bstride, kc, tile);
        for (let r = 0; r < rows; r++) {
          for (let q = 0; q < cols; q++) {
            const dst = cp + (<usize>(r * ldc + q) << 2);
            const v = load<f32>(tile + (<usize>(r * NR + q) << 2));
            const x: f32 = acc ? load<f32>(dst) : bx != 0 ? load<f32>(bx + (<usize>(r * sxm + q * sxn) << 2)) : 0;
            store<f32>(dst, acc || bx != 0 ? x + v : v);
          }
        }
      }
    }
  }
}

/** Claims the next chunk of a shared product: an atomic add where threads share the memory. */
@inline function claim(ctr: usize): i32 {
  if (ASC_FEATURE_THREADS) return atomic.add<i32>(ctr, 1);
  const v = load<i32>(ctr);
  store<i32>(ctr, v + 1);
  return v;
}

/**
 * One float32 product C[M×N] = X + A·B shared by every thread that runs it with the same
 * arguments: each claims chunks of `chunk` columns (byRows = 0) or rows (byRows = 1) through the
 * counter at `ctr` (zeroed by the caller) until none are left. A thread that is descheduled or
 * slowed on a busy machine then holds up one chunk, not half of the product, as a static split
 * would. The operand every chunk needs is packed once per thread, up front:
 *
 * - by columns, all of A (one block per k-block, in the packed-B area: the host checks that it
 *   fits); each chunk packs its own B strips (or, read in place, the ragged last one) into the
 *   packed-A area, at most MC·KC floats (the host keeps chunk·kc within that);
 * - by rows, all of B (one block per k-block, likewise); each chunk packs its own rows of A.
 *
 * Strides in elements; the bias view (sxm, sxn) as in matmulF32K.
 */
export function matmulF32SharedK(
  a: usize, sam: i32, sak: i32, b: usize, sbk: i32, sbn: i32, c: usize, bias: usize, sxm: i32, sxn: i32,
  M: i32, N: i32, K: i32, ctr: usize, byRows: i32, chunk: i32,
): void {
  const work = scratch + GEMM_SCRATCH_OFFSET;
  const packedA = work;
  const packedB = work + (<usize>(MC * KC) << 2);
  const tile = packedB + (<usize>(KC * NC) << 2);
  const nk = (K + KC - 1) / KC;
  const kcMax = (K + nk - 1) / nk;
  const full = N & ~(NR - 1);
  if (byRows != 0) {
    const np = (N + NR - 1) & ~(NR - 1);
    for (let p0 = 0; p0 < K; p0 += kcMax) packB(packedB + (<usize>(p0 * np) << 2), b, sbk, sbn, p0, min(kcMax, K - p0), 0, N, N);
    for (;;) {
      const i0 = claim(ctr) * chunk;
      if (i0 >= M) break;
      const mc = min(chunk, M - i0);
      for (let p0 = 0; p0 < K; p0 += kcMax) {
        const kc = min(kcMax, K - p0);
        packA(packedA, a, sam, sak, i0, mc, p0, kc, M);
        blockTiles(packedA, i0, mc, kc, 0, N, false, b, sbk, full, packedB + (<usize>(p0 * np) << 2), c, N, p0 > 0, bias, sxm, sxn, tile);
      }
    }
    return;
  }
  const direct = readsBInPlace(M, sbk, sbn);
  const mp = (M + MR - 1) & ~(MR - 1);
  for (let p0 = 0; p0 < K; p0 += kcMax) packA(packedB + (<usize>(p0 * mp) << 2), a, sam, sak, 0, M, p0, min(kcMax, K - p0), M);
  for (;;) {
    const j0 = claim(ctr) * chunk;
    if (j0 >= N) break;
    const nc = min(chunk, N - j0);
    for (let p0 = 0; p0 < K; p0 += kcMax) {
      const kc = min(kcMax, K - p0);
      if (!direct) packB(packedA, b, sbk, sbn, p0, kc, j0, nc, N);
      else if (j0 + nc > full) packB(packedA, b, sbk, sbn, p0, kc, full, N - full, N);
      blockTiles(packedB + (<usize>(p0 * mp) << 2), 0, M, kc, j0, nc, direct, b + (<usize>(p0 * sbk) << 2), sbk, full, packedA, c, N, p0 > 0, bias, sxm, sxn, tile);
    }
  }
}

/**
 * Batched float32 product, C[b] = X[b] + A[b]·B[b] with C contiguous [B, M, N], restricted to
 * batches [b0, b1), rows [i0, i1) and columns [j0, j1) so threads can split the work; X is the
 * bias view [B, M, N] at `bias` (strides sxb, sxm, sxn; broadcast dims have stride 0), or 0 when
 * bias is 0. Strides in elements.
 */
export function matmulF32K(
  a: usize, sab: i32, sam: i32, sak: i32, b: usize, sbb: i32, sbk: i32, sbn: i32, c: usize,
  bias: usize, sxb: i32, sxm: i32, sxn: i32,
  M: i32, N: i32, K: i32, b0: i32, b1: i32, i0: i32, i1: i32, j0: i32, j1: i32,
): void {
  const work = scratch + GEMM_SCRATCH_OFFSET;
  for (let t = b0; t < b1; t++) {
    gemmF32(
      a + (<usize>(t * sab + i0 * sam) << 2), sam, sak,
      b + (<usize>(t * sbb + j0 * sbn) << 2), sbk, sbn,
      c + (<usize>(t * M * N + i0 * N + j0) << 2), N, false,
      i1 - i0, j1 - j0, K, work,
      bias == 0 ? 0 : bias + (<usize>(t * sxb + i0 * sxm + j0 * sxn) << 2), sxm, sxn,
    );
  }
}

function matmulOf<T>(a: usize, sab: i32, sam: i32, sak: i32, b: usize, sbb: i32, sbk: i32, sbn: i32, c: usize, beta: i32,
  M: i32, N: i32, K: i32, b0: i32, b1: i32, i0: i32, i1: i32, j0: i32, j1: i32): void {
  const es = <i32>sizeof<T>();
  for (let t = b0; t < b1; t++) {
    for (let i = i0; i < i1; i++) {
      for (let j = j0; j < j1; j++) {
        let pa = a + <usize>((t * sab + i * sam) * es);
        let pb = b + <usize>((t * sbb + j * sbn) * es);
        const pc = c + <usize>((t * M * N + i * N + j) * es);
        let acc: f64 = beta != 0 ? <f64>ld<T>(pc) : 0;
        for (let k = 0; k < K; k++) {
          acc += ld<T>(pa) * ld<T>(pb);
          pa += <usize>(sak * es);
          pb += <usize>(sbk * es);
        }
        st<T>(pc, acc);
      }
    }
  }
}

/** Scalar batched product for float64 / int32 / bool, accumulating in f64 like the reference. */
export function matmulK(dt: i32,
  a: usize, sab: i32, sam: i32, sak: i32, b: usize, sbb: i32, sbk: i32, sbn: i32, c: usize, beta: i32,
  M: i32, N: i32, K: i32, b0: i32, b1: i32, i0: i32, i1: i32, j0: i32, j1: i32,
): void {
  if (dt == DT_F64) matmulOf<f64>(a, sab, sam, sak, b, sbb, sbk, sbn, c, beta, M, N, K, b0, b1, i0, i1, j0, j1);
  else if (dt == DT_I32) matmulOf<i32>(a, sab, sam, sak, b, sbb, sbk, sbn, c, beta, M, N, K, b0, b1, i0, i1, j0, j1);
  else matmulOf<u8>(a, sab, sam, sak, b, sbb, sbk, sbn, c, beta, M, N, K, b0, b1, i0, i1, j0, j1);
}
