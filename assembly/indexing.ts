// Index-driven kernels: gather, scatter (copy or accumulate), and the im2col/col2im pair that
// convolution and pooling are built on. Out-of-range indices are reported through the shared
// error slot and the element is skipped; the host turns that into a TensileError.

import { odoStart, odoRow, odoAdvance, q0, q1, q2, rs0, rs1, rs2, ld, st, reportBadIndex } from "./common";
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

function im2colOf<T>(x: usize, sn: i32, sc: i32, sh: i32, sw: i32, out: usize, padValue: f64, nc0: i32, nc1: i32): void {
  const es = <i32>sizeof<T>();
  const L = gOh * gOw;
  const rowsPerC = gKh * gKw;
  const pad = padValue;
  for (let nc = nc0; nc < nc1; nc++) {
    const n = nc / gC, c = nc % gC;
    const xb = x + <usize>((n * sn + c * sc) * es);
    let o = out + <usize>((nc * rowsPerC) * L * es);
    for (let i = 0; i < gKh; i++) {
      for (let j = 0; j < gKw; j++) {
        for (let oy = 0; oy < gOh; oy++) {
          const iy = oy * gSh - gPh + i * gDh;
          if (iy < 0 || iy >= gH) {
            for (let ox = 0; ox < gOw; ox++) { st<T>(o, pad); o += es; }
            continue;
          }
          const rowp = xb + <usize>(iy * sh * es);
          let ix = j * gDw - gPw;
          for (let ox = 0; ox < gOw; ox++) {
            if (ix >= 0 && ix < gW) store<T>(o, load<T>(rowp + <usize>(ix * sw * es)));
            else st<T>(o, pad);
            o += es;
            ix += gSw;
          }
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
  for (let nc = nc0; nc < nc1; nc++) {
    const n = nc / gC, c = nc % gC;
    const ob = out + <usize>(nc * gH * gW * es);
    memory.fill(ob, 0, <usize>(gH * gW * es));
    for (let i = 0; i < gKh; i++) {
      for (let j = 0; j < gKw; j++) {
        const r = c * rowsPerC + i * gKw + j;
        const cb = cols + <usize>((n * sn + r * sr) * es);
        for (let oy = 0; oy < gOh; oy++) {
          const iy = oy * gSh - gPh + i * gDh;
          if (iy < 0 || iy >= gH) continue;
          const orow = ob + <usize>(iy * gW * es);
          let l = oy * gOw;
          let ix = j * gDw - gPw;
          for (let ox = 0; ox < gOw; ox++) {
            if (ix >= 0 && ix < gW) {
              const p = orow + <usize>(ix * es);
              st<T>(p, ld<T>(p) + ld<T>(cb + <usize>(l * sl * es)));
            }
            l++;
            ix += gSw;
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
// as in PyTorch, a later NaN takes the index from an earlier one).

function maxPoolOf<T>(x: usize, sp: i32, sh: i32, sw: i32, vals: usize, idx: usize, p0: i32, p1: i32): void {
  const es = <i32>sizeof<T>();
  const L = gOh * gOw;
  for (let p = p0; p < p1; p++) {
    const xb = x + <usize>(p * sp * es);
    let vo = vals + <usize>(p * L * es);
    let io = idx + <usize>(p * L * 4);
    for (let oy = 0; oy < gOh; oy++) {
      const h0 = oy * gSh - gPh;
      let ih0 = h0;
      while (ih0 < 0) ih0 += gDh;
      for (let ox = 0; ox < gOw; ox++) {
        const w0 = ox * gSw - gPw;
        let iw0 = w0;
        while (iw0 < 0) iw0 += gDw;
        let best: f64 = -Infinity;
        let bi: i32 = ih0 * gW + iw0;
        for (let i = 0; i < gKh; i++) {
          const iy = h0 + i * gDh;
          if (iy < 0 || iy >= gH) continue;
          const rowp = xb + <usize>(iy * sh * es);
          for (let j = 0; j < gKw; j++) {
            const ix = w0 + j * gDw;
            if (ix < 0 || ix >= gW) continue;
            const v = <f64>load<T>(rowp + <usize>(ix * sw * es));
            if (v > best || v != v) {
              best = v;
              bi = iy * gW + ix;
            }
          }
        }
        store<T>(vo, <T>best);
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
      const q = ob + <usize>(load<i32>(ib + <usize>(l << 2)) * es);
      store<T>(q, load<T>(q) + load<T>(gb + <usize>(l * es)));
    }
  }
}

/** Gradient of maxPoolK: contiguous g [P, L] added at contiguous indices [P, L] into zeroed
 *  contiguous planes [P, HW], for planes [p0, p1). */
export function maxPoolBackK(dt: i32, g: usize, idx: usize, L: i32, HW: i32, out: usize, p0: i32, p1: i32): void {
  if (dt == DT_F64) maxPoolBackOf<f64>(g, idx, L, HW, out, p0, p1);
  else maxPoolBackOf<f32>(g, idx, L, HW, out, p0, p1);
}
