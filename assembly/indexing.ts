// Index-driven kernels: gather, scatter (copy or accumulate), and the im2col/col2im pair that
// convolution and pooling are built on. Out-of-range indices are reported through the shared
// error slot and the element is skipped; the host turns that into a TensileError.

import { odoStart, odoRow, odoAdvance, q0, q1, q2, rs0, rs1, rs2, ld, st, toInt32, reportBadIndex } from "./common";
import { DT_F32, DT_F64, DT_I32 } from "../src/backends/wasm/opcodes";

function gatherLoop<T>(axisStride: i32, axisSize: i32): void {
  for (let n = odoRow(); n > 0; n = odoRow()) {
    let o = q0, ip = q1, x = q2;
    for (let i = 0; i < n; i++) {
      const k = load<i32>(ip);
      if (k < 0 || k >= axisSize) {
        reportBadIndex(k);
        store<T>(o, 0);
      } else {
        store<T>(o, load<T>(x + <usize>(k * axisStride)));
      }
      o += rs0;
      ip += rs1;
      x += rs2;
    }
    odoAdvance(n);
  }
}

/**
 * out[p] = x[p with its `axis` coordinate replaced by index[p]] over the index's shape; operands
 * 0 = out, 1 = index (int32), 2 = x with its axis stride zeroed (axisStride = x's real one, bytes).
 */
export function gatherK(esize: i32, ndim: i32, shape: usize, strides: usize, dst: usize, index: usize, x: usize,
  axisStride: i32, axisSize: i32, e0: i32, e1: i32): void {
  if (e1 <= e0) return;
  odoStart(ndim, shape, strides, dst, index, x, 0, e0, e1);
  if (esize == 1) gatherLoop<u8>(axisStride, axisSize);
  else if (esize == 4) gatherLoop<u32>(axisStride, axisSize);
  else gatherLoop<u64>(axisStride, axisSize);
}

function scatterLoop<T>(accumulate: bool, axisStride: i32, axisSize: i32): void {
  for (let n = odoRow(); n > 0; n = odoRow()) {
    let o = q0, ip = q1, s = q2;
    for (let i = 0; i < n; i++) {
      const k = load<i32>(ip);
      if (k < 0 || k >= axisSize) {
        reportBadIndex(k);
      } else {
        const p = o + <usize>(k * axisStride);
        if (accumulate) st<T>(p, ld<T>(p) + ld<T>(s));
        else store<T>(p, load<T>(s));
      }
      o += rs0;
      ip += rs1;
      s += rs2;
    }
    odoAdvance(n);
  }
}

/**
 * out[p with axis coordinate index[p]] (+)= src[p] over the index's shape; operands 0 = out
 * (contiguous, axis stride zeroed), 1 = index, 2 = src. Single-threaded: indices may repeat.
 */
export function scatterK(dt: i32, accumulate: bool, ndim: i32, shape: usize, strides: usize, dst: usize, index: usize,
  src: usize, axisStride: i32, axisSize: i32, e0: i32, e1: i32): void {
  if (e1 <= e0) return;
  odoStart(ndim, shape, strides, dst, index, src, 0, e0, e1);
  switch (dt) {
    case DT_F32: scatterLoop<f32>(accumulate, axisStride, axisSize); break;
    case DT_F64: scatterLoop<f64>(accumulate, axisStride, axisSize); break;
    case DT_I32: scatterLoop<i32>(accumulate, axisStride, axisSize); break;
    default: scatterLoop<u8>(accumulate, axisStride, axisSize); break;
  }
}

// ---- im2col / col2im ----
// Window geometry, read from an i32[13] block the host writes: C, H, W, kh, kw, sh, sw, ph, pw,
// dh, dw, oh, ow (copied into this thread's globals at the start of each call).
let gC: i32 = 0, gH: i32 = 0, gW: i32 = 0;
let gKh: i32 = 0, gKw: i32 = 0, gSh: i32 = 0, gSw: i32 = 0, gPh: i32 = 0, gPw: i32 = 0, gDh: i32 = 0, gDw: i32 = 0;
let gOh: i32 = 0, gOw: i32 = 0;

function loadGeometry(g: usize): void {
  gC = load<i32>(g); gH = load<i32>(g, 4); gW = load<i32>(g, 8);
  gKh = load<i32>(g, 12); gKw = load<i32>(g, 16); gSh = load<i32>(g, 20); gSw = load<i32>(g, 24);
  gPh = load<i32>(g, 28); gPw = load<i32>(g, 32); gDh = load<i32>(g, 36); gDw = load<i32>(g, 40);
  gOh = load<i32>(g, 44); gOw = load<i32>(g, 48);
}

/** ⌈a / b⌉ for b > 0 and any sign of a. */
@inline function ceilDiv(a: i32, b: i32): i32 {
  return a >= 0 ? (a + b - 1) / b : -((-a) / b);
}

// Output columns ox whose input column ox·sW − pW + j·dW lies inside [0, W), as [gOxA, gOxB):
// computed once per kernel column j, so the inner loops run without a bounds check per element.
let gOxA: i32 = 0, gOxB: i32 = 0;
@inline function columnRange(j: i32): void {
  const shift = gPw - j * gDw;
  gOxA = min(gOw, max(0, ceilDiv(shift, gSw))); // padding wider than the input: no column reads it
  gOxB = min(gOw, ceilDiv(gW + shift, gSw));
  if (gOxB < gOxA) gOxB = gOxA;
}

function im2colOf<T>(x: usize, sn: i32, sc: i32, sh: i32, sw: i32, out: usize, padValue: f64, nc0: i32, nc1: i32): void {
  const es = <i32>sizeof<T>();
  const L = gOh * gOw;
  const rowsPerC = gKh * gKw;
  // the pad value converted once, with the same rules as st<T> (bool: non-zero; int: ToInt32)
  const pad: T = isFloat<T>() ? <T>padValue : sizeof<T>() == 1 ? <T>(padValue != 0 ? 1 : 0) : <T>toInt32(padValue);
  const step = <usize>(gSw * sw * es);
  for (let nc = nc0; nc < nc1; nc++) {
    const n = nc / gC, c = nc % gC;
    const xb = x + <usize>((n * sn + c * sc) * es);
    let o = out + <usize>((nc * rowsPerC) * L * es);
    for (let i = 0; i < gKh; i++) {
      for (let j = 0; j < gKw; j++) {
        columnRange(j);
        const a = gOxA, b = gOxB;
        const ix0 = a * gSw - gPw + j * gDw;
        for (let oy = 0; oy < gOh; oy++) {
          const iy = oy * gSh - gPh + i * gDh;
          if (iy < 0 || iy >= gH) {
            for (let ox = 0; ox < gOw; ox++) { store<T>(o, pad); o += es; }
            continue;
          }
          for (let ox = 0; ox < a; ox++) { store<T>(o, pad); o += es; }
          let src = xb + <usize>((iy * sh + ix0 * sw) * es);
          let ox = a;
          if (es == 4 && step == 4) {
            // stride-1 convolution over unit-stride rows: the run is contiguous on both sides
            for (; ox + 4 <= b; ox += 4) {
              v128.store(o, v128.load(src));
              o += 16;
              src += 16;
            }
          }
          for (; ox < b; ox++) {
            store<T>(o, load<T>(src));
            o += es;
            src += step;
          }
          for (let ox = b; ox < gOw; ox++) { store<T>(o, pad); o += es; }
        }
      }
    }
  }
}

/** [N, C, H, W] (element strides sn, sc, sh, sw) → contiguous [N, C·kh·kw, oh·ow], for (n, c)
 *  pairs [nc0, nc1) of the flattened N·C range. */
export function im2colK(dt: i32, geom: usize, x: usize, sn: i32, sc: i32, sh: i32, sw: i32, out: usize, padValue: f64, nc0: i32, nc1: i32): void {
  loadGeometry(geom);
  switch (dt) {
    case DT_F32: im2colOf<f32>(x, sn, sc, sh, sw, out, padValue, nc0, nc1); break;
    case DT_F64: im2colOf<f64>(x, sn, sc, sh, sw, out, padValue, nc0, nc1); break;
    case DT_I32: im2colOf<i32>(x, sn, sc, sh, sw, out, padValue, nc0, nc1); break;
    default: im2colOf<u8>(x, sn, sc, sh, sw, out, padValue, nc0, nc1); break;
  }
}

function col2imOf<T>(cols: usize, sn: i32, sr: i32, sl: i32, out: usize, nc0: i32, nc1: i32): void {
  const es = <i32>sizeof<T>();
  const rowsPerC = gKh * gKw;
  const step = <usize>(gSw * es);
  const lstep = <usize>(sl * es);
  for (let nc = nc0; nc < nc1; nc++) {
    const n = nc / gC, c = nc % gC;
    const ob = out + <usize>(nc * gH * gW * es);
    memory.fill(ob, 0, <usize>(gH * gW * es));
    for (let i = 0; i < gKh; i++) {
      for (let j = 0; j < gKw; j++) {
        columnRange(j);
        const a = gOxA, b = gOxB;
        const ix0 = a * gSw - gPw + j * gDw;
        const r = c * rowsPerC + i * gKw + j;
        const cb = cols + <usize>((n * sn + r * sr) * es);
        for (let oy = 0; oy < gOh; oy++) {
          const iy = oy * gSh - gPh + i * gDh;
          if (iy < 0 || iy >= gH) continue;
          let p = ob + <usize>((iy * gW + ix0) * es);
          let q = cb + <usize>((oy * gOw + a) * sl * es);
          let ox = a;
          if (isFloat<T>() && es == 4 && step == 4 && lstep == 4) {
            // stride 1, unit-stride columns: four sums at a time (each element's own order of
            // additions is unchanged: one addition per kernel position, in the same loop order)
            for (; ox + 4 <= b; ox += 4) {
              v128.store(p, f32x4.add(v128.load(p), v128.load(q)));
              p += 16;
              q += 16;
            }
          }
          for (; ox < b; ox++) {
            st<T>(p, ld<T>(p) + ld<T>(q));
            p += step;
            q += lstep;
          }
        }
      }
    }
  }
}

/** Adjoint of im2colK: cols [N, C·kh·kw, L] (element strides sn, sr, sl) summed into contiguous
 *  [N, C, H, W] planes (n, c) in [nc0, nc1), each zeroed first. */
export function col2imK(dt: i32, geom: usize, cols: usize, sn: i32, sr: i32, sl: i32, out: usize, nc0: i32, nc1: i32): void {
  loadGeometry(geom);
  switch (dt) {
    case DT_F32: col2imOf<f32>(cols, sn, sr, sl, out, nc0, nc1); break;
    case DT_F64: col2imOf<f64>(cols, sn, sr, sl, out, nc0, nc1); break;
    case DT_I32: col2imOf<i32>(cols, sn, sr, sl, out, nc0, nc1); break;
    default: col2imOf<u8>(cols, sn, sr, sl, out, nc0, nc1); break;
  }
}

// ---- max pooling: one pass over each window, PyTorch's CPU rule ----
// Window positions outside the input are skipped (not padded); the first valid position is the
// initial argmax, a larger value or a NaN replaces it: ties keep the first, NaN propagates (and,
// as in PyTorch, a later NaN takes the index from an earlier one). A window with no position
// inside the input (possible once dilation exceeds the input size) gives −∞ and index −1, which
// the backward skips (PyTorch 1.13 writes out of bounds there).

// Four whole 2×2 windows at stride 2 along a unit-stride row pair, n4 times: rows r0 and r1 from
// column w0, outputs to vo/io, argmax indices from top = h0·W + w0. Same rule and order as the
// scalar code — (0,0) starts, then (0,1), (1,0), (1,1) replace it when larger or NaN — lane by
// lane: even/odd columns are split with shuffles, the choice is a compare-and-bitselect.
function maxPool2x2F32(r0: usize, r1: usize, top: i32, W: i32, vo: usize, io: usize, n4: i32): void {
  let ti = i32x4.add(i32x4.splat(top), i32x4(0, 2, 4, 6));
  const one = i32x4.splat(1), down = i32x4.splat(W), step = i32x4.splat(8);
  for (let g = 0; g < n4; g++) {
    const a0 = v128.load(r0), a1 = v128.load(r0, 16);
    const b0 = v128.load(r1), b1 = v128.load(r1, 16);
    let m = v128.shuffle<f32>(a0, a1, 0, 2, 4, 6);
    let mi = ti;
    let v = v128.shuffle<f32>(a0, a1, 1, 3, 5, 7);
    let take = v128.or(f32x4.gt(v, m), f32x4.ne(v, v));
    m = v128.bitselect(v, m, take);
    mi = v128.bitselect(i32x4.add(ti, one), mi, take);
    v = v128.shuffle<f32>(b0, b1, 0, 2, 4, 6);
    take = v128.or(f32x4.gt(v, m), f32x4.ne(v, v));
    m = v128.bitselect(v, m, take);
    const tw = i32x4.add(ti, down);
    mi = v128.bitselect(tw, mi, take);
    v = v128.shuffle<f32>(b0, b1, 1, 3, 5, 7);
    take = v128.or(f32x4.gt(v, m), f32x4.ne(v, v));
    m = v128.bitselect(v, m, take);
    mi = v128.bitselect(i32x4.add(tw, one), mi, take);
    v128.store(vo, m);
    v128.store(io, mi);
    ti = i32x4.add(ti, step);
    r0 += 32;
    r1 += 32;
    vo += 16;
    io += 16;
  }
}

function maxPoolOf<T>(x: usize, sp: i32, sh: i32, sw: i32, vals: usize, idx: usize, p0: i32, p1: i32): void {
  const es = <i32>sizeof<T>();
  // geometry in locals: TurboFan keeps them in registers (each global.get is two loads)
  const H = gH, W = gW, kh = gKh, kw = gKw, Sh = gSh, Sw = gSw, Ph = gPh, Pw = gPw, Dh = gDh, Dw = gDw, oh = gOh, ow = gOw;
  const L = oh * ow;
  const qs = <usize>(Dw * sw * es);
  // MaxPool2d(2) on float32 rows of unit stride, no padding: whole windows four at a time in SIMD
  const simd2x2 = isFloat<T>() && sizeof<T>() == 4 && kh == 2 && kw == 2 && Sh == 2 && Sw == 2 && Dh == 1 && Dw == 1 &&
    Pw == 0 && sw == 1;
  for (let p = p0; p < p1; p++) {
    const xb = x + <usize>(p * sp * es);
    let vo = vals + <usize>(p * L * es);
    let io = idx + <usize>(p * L * 4);
    for (let oy = 0; oy < oh; oy++) {
      const h0 = oy * Sh - Ph;
      // kernel rows inside the input: i in [ia, ib) (integer division costs ~20 cycles: only
      // dilated windows need it)
      let ia = 0, ib = kh;
      if (Dh == 1) { ia = max(0, -h0); ib = min(kh, H - h0); }
      else { ia = max(0, ceilDiv(-h0, Dh)); ib = min(kh, ceilDiv(H - h0, Dh)); }
      let ox = 0;
      if (simd2x2 && ia == 0 && ib == 2) {
        // windows whose two columns are inside the row (w0 + 1 < W), four at a time
        const n4 = min(ow, W >= 2 ? (W - 2) / 2 + 1 : 0) >> 2;
        if (n4 > 0) {
          const r0 = xb + <usize>(h0 * sh << 2);
          maxPool2x2F32(r0, r0 + (<usize>sh << 2), h0 * W, W, vo, io, n4);
          ox = n4 << 2;
          vo += <usize>(ox << 2);
          io += <usize>(ox << 2);
        }
      }
      for (; ox < ow; ox++) {
        const w0 = ox * Sw - Pw;
        let ja = 0, jb = kw;
        if (Dw == 1) { ja = max(0, -w0); jb = min(kw, W - w0); }
        else { ja = max(0, ceilDiv(-w0, Dw)); jb = min(kw, ceilDiv(W - w0, Dw)); }
        const c0 = w0 + ja * Dw;
        if (kh == 2 && kw == 2 && Dh == 1 && Dw == 1 && ia == 0 && ib == 2 && ja == 0 && jb == 2) {
          // a whole 2×2 window (MaxPool2d(2), the usual case), unrolled: V8 pays a loop's setup
          // and stack check per trip, which for two-trip loops cost more than the four loads
          const r0 = xb + <usize>((h0 * sh + w0 * sw) * es);
          const r1 = r0 + <usize>(sh * es);
          const cs = <usize>(sw * es);
          const top = h0 * W + w0;
          let m = load<T>(r0);
          let mi = top;
          let v = load<T>(r0 + cs);
          let take = (v > m) | (v != v);
          m = select<T>(v, m, take); mi = select<i32>(top + 1, mi, take);
          v = load<T>(r1);
          take = (v > m) | (v != v);
          m = select<T>(v, m, take); mi = select<i32>(top + W, mi, take);
          v = load<T>(r1 + cs);
          take = (v > m) | (v != v);
          m = select<T>(v, m, take); mi = select<i32>(top + W + 1, mi, take);
          store<T>(vo, m);
          store<i32>(io, mi);
          vo += es;
          io += 4;
          continue;
        }
        // the first valid position starts as the argmax (PyTorch's rule); an empty window has none
        let bi: i32 = ia < ib && ja < jb ? (h0 + ia * Dh) * W + c0 : -1;
        let best: T = <T>-Infinity;
        let rowp = xb + <usize>(((h0 + ia * Dh) * sh + c0 * sw) * es);
        const rstep = <usize>(Dh * sh * es);
        for (let i = ia; i < ib; i++) {
          let q = rowp;
          for (let j = ja; j < jb; j++) {
            const v = load<T>(q);
            // branch-free (select → cmov): on real activations the comparison is a coin toss,
            // and a mispredicted branch per element cost ~5× the load
            const take = (v > best) | (v != v);
            best = select<T>(v, best, take);
            bi = select<i32>((h0 + i * Dh) * W + w0 + j * Dw, bi, take);
            q += qs;
          }
          rowp += rstep;
        }
        store<T>(vo, best);
        store<i32>(io, bi);
        vo += es;
        io += 4;
      }
    }
  }
}

/** Max pooling of planes [P, H, W] (element strides sp, sh, sw) into contiguous values [P, oh, ow]
 *  and int32 argmax indices into each flattened plane, for planes [p0, p1). Geometry as im2colK. */
export function maxPoolK(dt: i32, geom: usize, x: usize, sp: i32, sh: i32, sw: i32, vals: usize, idx: usize, p0: i32, p1: i32): void {
  loadGeometry(geom);
  if (dt == DT_F64) maxPoolOf<f64>(x, sp, sh, sw, vals, idx, p0, p1);
  else maxPoolOf<f32>(x, sp, sh, sw, vals, idx, p0, p1);
}

function maxPoolBackOf<T>(g: usize, idx: usize, L: i32, HW: i32, out: usize, p0: i32, p1: i32): void {
  const es = <i32>sizeof<T>();
  for (let p = p0; p < p1; p++) {
    const ob = out + <usize>(p * HW * es);
    memory.fill(ob, 0, <usize>(HW * es));
    const gb = g + <usize>(p * L * es), ib = idx + <usize>(p * L * 4);
    for (let l = 0; l < L; l++) {
      const k = load<i32>(ib + <usize>(l << 2));
      // −1 marks an empty window; anything else outside the plane is skipped too, never written
      if (<u32>k >= <u32>HW) continue;
      const q = ob + <usize>(k * es);
      store<T>(q, load<T>(q) + load<T>(gb + <usize>(l * es)));
    }
  }
}

/** Gradient of maxPoolK: contiguous g [P, L] added at contiguous indices [P, L] into zeroed
 *  contiguous planes [P, HW], for planes [p0, p1); indices outside [0, HW) add nothing. */
export function maxPoolBackK(dt: i32, g: usize, idx: usize, L: i32, HW: i32, out: usize, p0: i32, p1: i32): void {
  if (dt == DT_F64) maxPoolBackOf<f64>(g, idx, L, HW, out, p0, p1);
  else maxPoolBackOf<f32>(g, idx, L, HW, out, p0, p1);
}
