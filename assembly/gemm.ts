// Matrix products. float32 uses a packed, cache-blocked GEMM (Goto/BLIS loop order) around a
// 4×8 register-blocked f32x4 micro-kernel; products with one or two rows or a few columns go to
// gemv.ts; other dtypes use plain scalar loops.
//
// All strides are in elements and may be anything (row-major, transposed, broadcast 0, sliced):
// packing reads operands through their strides, so the micro-kernel only ever sees unit-stride
// panels. Addresses are computed with wrapping i32 arithmetic, so negative strides work too.

import { scratch, ld, st, madd } from "./common";
import { SMALL_N, gemmSmallN, gemvF32 } from "./gemv";
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
