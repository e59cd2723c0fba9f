// Matrix products with few rows or few columns, float32: a vector times a matrix (gemvF32, the
// batch-1 forward) and a matrix times a few columns (gemmSmallN, a classifier head x·Wᵀ). Neither
// packs its operands: each output is a dot product over k-contiguous runs, in f32x4 accumulators.
// gemm.ts sends the products it would pad and pack for nothing here.

import { madd } from "./common";

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
export function gemmSmallN(a: usize, sam: i32, b: usize, sbn: i32, c: usize, ldc: i32, beta: bool, M: i32, N: i32, K: i32): void {
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
export const SMALL_N: i32 = 16;

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
export function gemvF32(a: usize, sam: i32, sak: i32, b: usize, sbk: i32, sbn: i32, c: usize, ldc: i32, beta: bool,
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
