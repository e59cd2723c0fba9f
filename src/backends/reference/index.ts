import type { DType, TypedArray } from "../../tensor/dtype.js";
import { arrayFor, dtypeOfArray } from "../../tensor/dtype.js";
import type {
  AdamStepOptions, Backend, Im2colParams, ReduceOp, SgdStepOptions, Storage, View,
} from "../backend.js";
import { TensileError } from "../../errors.js";
import { BINARY, UNARY, intBinary } from "./elementwise-ops.js";

/**
 * The reference backend: plain, obviously correct TypeScript over typed arrays. It is the living
 * spec every other backend is tested against, so clarity wins over speed here (except matmul,
 * whose contiguous path uses the cache-friendly i-k-j order so the reference stays usable).
 */
export class RefStorage implements Storage {
  /** A backend's per-storage cache slot (the wasm backend keeps its wasm copy's LRU entry here). */
  cacheSlot: unknown = undefined;
  /**
   * Set while a newer copy of the elements lives elsewhere (the wasm backend's in-place kernels
   * update their wasm copy only): brings `raw` up to date and clears itself. `data` calls it.
   */
  refresh: ((s: RefStorage) => void) | null = null;
  /** The array belongs to the caller too (asTensor): backends keep no copies of it across calls. */
  external = false;
  /** @internal See `Storage._tensors`. */
  _tensors = 0;
  /** @internal See `Storage._version`. */
  _version = 0;
  /** @internal See `Storage._graphVersion`. */
  _graphVersion = -1;
  private arr: TypedArray | null;
  readonly length: number;
  /** `raw` null: the array is allocated on first use (a backend whose newer copy lives elsewhere). */
  constructor(raw: TypedArray | null, readonly dtype: DType, length?: number) {
    this.arr = raw;
    this.length = raw ? raw.length : length!;
  }
  /** The array itself, as it is (allocated zeroed on first use). */
  get raw(): TypedArray {
    return (this.arr ??= arrayFor(this.dtype, this.length));
  }
  /** @internal Whether the array exists yet (see `raw`). */
  get _allocated(): boolean {
    return this.arr !== null;
  }
  /** @internal Takes `a` as the array (a backend handing over elements it copied out). */
  _adopt(a: TypedArray): void {
    if (a.length !== this.length) throw new Error(`RefStorage: adopting ${a.length} elements into a storage of ${this.length} (internal error)`);
    this.arr = a;
  }
  /** @internal Drops the array (Backend.release): any later read of the elements throws. */
  _free(): void {
    this.arr = null;
    this.refresh = usedAfterRelease;
  }
  /** The elements, up to date. */
  get data(): TypedArray {
    if (this.refresh) this.refresh(this);
    return this.raw;
  }
}

function usedAfterRelease(): never {
  throw new TensileError(
    "reference backend: a tensor's storage was used after it was released (by dispose(), or a temporary of a backward pass kept beyond it? " +
      "keep gradients through hooks or retainGrad(), or pass {retainGraph: true})",
  );
}

const data = (v: View): TypedArray => (v.storage as RefStorage).data;

/** Calls fn(k, src) for every element k (row-major) of the view, with src its storage index. */
export function forEachIndex(shape: readonly number[], strides: readonly number[], offset: number, fn: (k: number, src: number) => void): void {
  const n = shape.reduce((a, b) => a * b, 1);
  if (n === 0) return;
  const nd = shape.length;
  const idx = new Array<number>(nd).fill(0);
  let src = offset;
  for (let k = 0; k < n; k++) {
    fn(k, src);
    for (let d = nd - 1; d >= 0; d--) {
      idx[d]!++;
      src += strides[d]!;
      if (idx[d]! < shape[d]!) break;
      src -= strides[d]! * shape[d]!;
      idx[d] = 0;
    }
  }
}

function store(dtype: DType, n: number): [RefStorage, TypedArray] {
  const a = arrayFor(dtype, n);
  return [new RefStorage(a, dtype), a];
}

const numel = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);

/** Writes a JS number into a typed array slot with the target dtype's conversion rules. */
function put(out: TypedArray, k: number, x: number, dtype: DType): void {
  if (dtype === "bool") out[k] = x !== 0 ? 1 : 0; // NaN is truthy, as in PyTorch
  else if (dtype === "int32") out[k] = Math.trunc(x);
  else out[k] = x;
}

function gemmInto(out: TypedArray, o: number, A: TypedArray, aOff: number, as0: number, as1: number,
  B: TypedArray, bOff: number, bs0: number, bs1: number, M: number, K: number, N: number): void {
  // i-k-j order: the inner loop streams a row of B and a row of the output.
  for (let i = 0; i < M; i++) {
    const orow = o + i * N;
    for (let k = 0; k < K; k++) {
      // no skip of a zero a: 0·inf and 0·NaN must give NaN, as PyTorch's (BLAS's) and the wasm backend's
      const a = A[aOff + i * as0 + k * as1]!;
      const brow = bOff + k * bs0;
      if (bs1 === 1) for (let j = 0; j < N; j++) out[orow + j] += a * B[brow + j]!;
      else for (let j = 0; j < N; j++) out[orow + j] += a * B[brow + j * bs1]!;
    }
  }
}

export const referenceBackend: Backend = {
  name: "reference",
  jsKernels: true,

  alloc(dtype, length) {
    return new RefStorage(arrayFor(dtype, length), dtype);
  },
  fromArray(a) {
    const s = store(dtypeOfArray(a), a.length);
    s[1].set(a);
    return s[0];
  },
  adopt(a, external) {
    const s = new RefStorage(a, dtypeOfArray(a));
    s.external = external;
    return s;
  },
  // Dead storage: its array is dropped at once (the GC frees it), and any later use fails.
  release(s) {
    (s as RefStorage)._free();
  },
  read(v) {
    return (this.copy(v, v.storage.dtype) as RefStorage).data;
  },

  copy(v, dtype) {
    const [s, out] = store(dtype, numel(v.shape));
    const src = data(v);
    forEachIndex(v.shape, v.strides, v.offset, (k, i) => put(out, k, src[i]!, dtype));
    return s;
  },

  unary(op, x, dtype) {
    const [s, out] = store(dtype, numel(x.shape));
    const src = data(x);
    const f = UNARY[op];
    forEachIndex(x.shape, x.strides, x.offset, (k, i) => put(out, k, f(src[i]!), dtype));
    return s;
  },

  binary(op, a, b, shape, dtype) {
    const [s, out] = store(dtype, numel(shape));
    const A = data(a), B = data(b);
    const isInt = a.storage.dtype === "int32" || a.storage.dtype === "bool";
    const f = isInt ? (x: number, y: number) => intBinary(op, x, y) : BINARY[op];
    const bIdx = new Int32Array(numel(shape));
    forEachIndex(shape, b.strides, b.offset, (k, i) => (bIdx[k] = i));
    forEachIndex(shape, a.strides, a.offset, (k, i) => put(out, k, f(A[i]!, B[bIdx[k]!]!), dtype));
    return s;
  },

  where(c, a, b, shape, dtype) {
    const n = numel(shape);
    const [s, out] = store(dtype, n);
    const C = data(c), A = data(a), B = data(b);
    const ci = new Int32Array(n), bi = new Int32Array(n);
    forEachIndex(shape, c.strides, c.offset, (k, i) => (ci[k] = i));
    forEachIndex(shape, b.strides, b.offset, (k, i) => (bi[k] = i));
    forEachIndex(shape, a.strides, a.offset, (k, i) => (out[k] = C[ci[k]!] ? A[i]! : B[bi[k]!]!));
    return s;
  },

  reduce(op, x, axes) {
    // Move reduced axes last, then fold each contiguous block of R elements.
    const keep = x.shape.map((_, i) => i).filter((i) => !axes.includes(i));
    const order = [...keep, ...axes];
    const outShape = keep.map((i) => x.shape[i]!);
    const R = numel(axes.map((i) => x.shape[i]!));
    const M = numel(outShape);
    const moved: View = { storage: x.storage, shape: order.map((i) => x.shape[i]!), strides: order.map((i) => x.strides[i]!), offset: x.offset };
    const vals = (this.copy(moved, x.storage.dtype) as RefStorage).data;
    const outDtype: DType = op === "argmax" || op === "argmin" ? "int32" : op === "any" || op === "all" ? "bool" : x.storage.dtype === "bool" && (op === "sum" || op === "prod") ? "int32" : x.storage.dtype;
    const [s, out] = store(outDtype, M);
    for (let m = 0; m < M; m++) put(out, m, reduceBlock(op, vals, m * R, R), outDtype);
    return s;
  },

  softmax(x, axis, log) {
    const dtype = x.storage.dtype;
    const c = (this.copy(x, dtype) as RefStorage).data;
    const inner = numel(x.shape.slice(axis + 1));
    const len = x.shape[axis] ?? 1; // a 0-d x is one line of one element
    const outer = numel(x.shape.slice(0, axis));
    // f32 rounds the shifted values, the terms, the sum and its log as the composed form's
    // float32 ops do (each op rounds its output)
    const r = dtype === "float32" ? Math.fround : (v: number) => v;
    for (let o = 0; o < outer; o++)
      for (let i = 0; i < inner; i++) {
        const at = (k: number) => (o * len + k) * inner + i;
        // the maximum ignores NaN (the sum carries it); a line with NaN or +Infinity, or only
        // -Infinity, comes out NaN throughout, as in PyTorch
        let m = -Infinity;
        for (let k = 0; k < len; k++) if (c[at(k)]! > m) m = c[at(k)]!;
        let sum = 0;
        for (let k = 0; k < len; k++) sum += r(Math.exp(r(c[at(k)]! - m)));
        const s = r(sum);
        if (log) {
          const lse = r(Math.log(s));
          for (let k = 0; k < len; k++) c[at(k)] = r(c[at(k)]! - m) - lse;
        } else for (let k = 0; k < len; k++) c[at(k)] = r(Math.exp(r(c[at(k)]! - m))) / s;
      }
    return new RefStorage(c, dtype);
  },

  softmaxBackward(g, y, axis, log) {
    const dtype = y.storage.dtype;
    const gd = (this.copy(g, dtype) as RefStorage).data;
    const yd = (this.copy(y, dtype) as RefStorage).data;
    const inner = numel(y.shape.slice(axis + 1));
    const len = y.shape[axis] ?? 1;
    const outer = numel(y.shape.slice(0, axis));
    // rounded as the composed form's float32 ops round: each product, the sum, e^y·s, the result
    const r = dtype === "float32" ? Math.fround : (v: number) => v;
    for (let o = 0; o < outer; o++)
      for (let i = 0; i < inner; i++) {
        const at = (k: number) => (o * len + k) * inner + i;
        let sum = 0;
        for (let k = 0; k < len; k++) sum += log ? gd[at(k)]! : r(gd[at(k)]! * yd[at(k)]!);
        const s = r(sum);
        for (let k = 0; k < len; k++) {
          const j = at(k);
          gd[j] = log ? r(gd[j]! - r(r(Math.exp(yd[j]!)) * s)) : r(yd[j]! * r(gd[j]! - s));
        }
      }
    return new RefStorage(gd, dtype);
  },

  cumsum(x, axis) {
    const dtype = x.storage.dtype === "bool" ? "int32" : x.storage.dtype;
    const c = (this.copy(x, dtype) as RefStorage).data;
    const inner = numel(x.shape.slice(axis + 1));
    const len = x.shape[axis]!;
    const outer = numel(x.shape.slice(0, axis));
    for (let o = 0; o < outer; o++)
      for (let i = 0; i < inner; i++) {
        let acc = 0;
        for (let k = 0; k < len; k++) {
          const j = (o * len + k) * inner + i;
          acc += c[j]!;
          c[j] = acc;
        }
      }
    return new RefStorage(c, dtype);
  },

  matmul(a, b, bias) {
    const [B, M, K] = a.shape as [number, number, number];
    const N = b.shape[2]!;
    const dtype = a.storage.dtype;
    const [s, out] = store(dtype, B * M * N);
    const A = data(a), Bd = data(b);
    for (let i = 0; i < B; i++)
      gemmInto(out, i * M * N, A, a.offset + i * a.strides[0]!, a.strides[1]!, a.strides[2]!,
        Bd, b.offset + i * b.strides[0]!, b.strides[1]!, b.strides[2]!, M, K, N);
    if (bias) {
      const bd = data(bias);
      forEachIndex(bias.shape, bias.strides, bias.offset, (k, src) => (out[k] = out[k]! + bd[src]!));
    }
    if (dtype === "int32") for (let i = 0; i < out.length; i++) out[i] = Math.trunc(out[i]!);
    return s;
  },

  gather(x, axis, index) {
    const shape = index.shape;
    const dtype = x.storage.dtype;
    const [s, out] = store(dtype, numel(shape));
    if (isRowGather(x, axis, index)) {
      gatherRows(x, axis, index, out);
      return s;
    }
    const X = data(x), I = data(index);
    const pos = new Array<number>(shape.length).fill(0);
    forEachIndex(shape, index.strides, index.offset, (k, ii) => {
      let rem = k;
      for (let d = shape.length - 1; d >= 0; d--) {
        pos[d] = rem % shape[d]!;
        rem = Math.floor(rem / shape[d]!);
      }
      let src = x.offset;
      for (let d = 0; d < shape.length; d++) src += (d === axis ? I[ii]! : pos[d]!) * x.strides[d]!;
      out[k] = X[src]!;
    });
    return s;
  },

  scatter(x, axis, index, src, accumulate) {
    const res = this.copy(x, x.storage.dtype) as RefStorage;
    const out = res.data, I = data(index), S = data(src);
    const shape = index.shape;
    const xs = contiguous(x.shape);
    const srcIdx = new Int32Array(numel(shape));
    forEachIndex(shape, src.strides, src.offset, (k, i) => (srcIdx[k] = i));
    const pos = new Array<number>(shape.length).fill(0);
    forEachIndex(shape, index.strides, index.offset, (k, ii) => {
      let rem = k;
      for (let d = shape.length - 1; d >= 0; d--) {
        pos[d] = rem % shape[d]!;
        rem = Math.floor(rem / shape[d]!);
      }
      let dst = 0;
      for (let d = 0; d < shape.length; d++) dst += (d === axis ? I[ii]! : pos[d]!) * xs[d]!;
      out[dst] = accumulate ? out[dst]! + S[srcIdx[k]!]! : S[srcIdx[k]!]!;
    });
    return res;
  },

  im2col(x, p) {
    const [N, C, H, W] = x.shape as [number, number, number, number];
    const [kh, kw] = p.kernel, [sh, sw] = p.stride, [ph, pw] = p.padding, [dh, dw] = p.dilation;
    const [oh, ow] = convOut(H, W, p);
    const L = oh * ow, rows = C * kh * kw;
    const dtype = x.storage.dtype;
    const [s, out] = store(dtype, N * rows * L);
    const X = data(x);
    for (let n = 0; n < N; n++)
      for (let c = 0; c < C; c++)
        for (let i = 0; i < kh; i++)
          for (let j = 0; j < kw; j++) {
            const row = (c * kh + i) * kw + j;
            for (let y = 0; y < oh; y++)
              for (let z = 0; z < ow; z++) {
                const hy = y * sh - ph + i * dh, wz = z * sw - pw + j * dw;
                const inside = hy >= 0 && hy < H && wz >= 0 && wz < W;
                out[(n * rows + row) * L + y * ow + z] = inside
                  ? X[x.offset + n * x.strides[0]! + c * x.strides[1]! + hy * x.strides[2]! + wz * x.strides[3]!]!
                  : p.padValue;
              }
          }
    return s;
  },

  col2im(cols, outShape, p) {
    const [N, C, H, W] = outShape;
    const [kh, kw] = p.kernel, [sh, sw] = p.stride, [ph, pw] = p.padding, [dh, dw] = p.dilation;
    const [oh, ow] = convOut(H, W, p);
    const L = oh * ow, rows = C * kh * kw;
    const [s, out] = store(cols.storage.dtype, N * C * H * W);
    const X = data(cols);
    const [c0, c1, c2] = cols.strides as [number, number, number];
    for (let n = 0; n < N; n++)
      for (let c = 0; c < C; c++)
        for (let i = 0; i < kh; i++)
          for (let j = 0; j < kw; j++) {
            const row = (c * kh + i) * kw + j;
            for (let y = 0; y < oh; y++)
              for (let z = 0; z < ow; z++) {
                const hy = y * sh - ph + i * dh, wz = z * sw - pw + j * dw;
                if (hy < 0 || hy >= H || wz < 0 || wz >= W) continue;
                out[((n * C + c) * H + hy) * W + wz] += X[cols.offset + n * c0 + row * c1 + (y * ow + z) * c2]!;
              }
          }
    return s;
  },

  maxPool2d(x, p, [oh, ow]) {
    const [P, H, W] = x.shape as [number, number, number];
    const [kh, kw] = p.kernel, [sh, sw] = p.stride, [ph, pw] = p.padding, [dh, dw] = p.dilation;
    const [s, vals] = store(x.storage.dtype, P * oh * ow);
    const [si, idx] = store("int32", P * oh * ow);
    const X = data(x);
    const [sp, sy, sx] = x.strides as [number, number, number];
    let o = 0;
    for (let q = 0; q < P; q++)
      for (let y = 0; y < oh; y++)
        for (let z = 0; z < ow; z++, o++) {
          const h0 = y * sh - ph, w0 = z * sw - pw;
          // the first position inside the input starts as the argmax (PyTorch's rule); a window
          // with none (dilation wider than the input) keeps −∞ and index −1
          let best = -Infinity, bi = -1;
          for (let i = 0; i < kh; i++) {
            const hy = h0 + i * dh;
            if (hy < 0 || hy >= H) continue;
            for (let j = 0; j < kw; j++) {
              const wz = w0 + j * dw;
              if (wz < 0 || wz >= W) continue;
              const v = X[x.offset + q * sp + hy * sy + wz * sx]!;
              if (bi < 0 || v > best || Number.isNaN(v)) {
                best = v;
                bi = hy * W + wz;
              }
            }
          }
          vals[o] = best;
          idx[o] = bi;
        }
    return [s, si];
  },

  maxPool2dBackward(g, indices, planeSize) {
    const [P, L] = g.shape as [number, number];
    const [s, out] = store(g.storage.dtype, P * planeSize);
    const G = data(g), I = data(indices);
    for (let q = 0; q < P; q++)
      for (let l = 0; l < L; l++) {
        const k = I[indices.offset + q * indices.strides[0]! + l * indices.strides[1]!]!;
        if (k < 0 || k >= planeSize) continue; // −1: an empty window; never write outside the plane
        out[q * planeSize + k] += G[g.offset + q * g.strides[0]! + l * g.strides[1]!]!;
      }
    return s;
  },

  assign(dst, src) {
    const D = data(dst), S = data(src);
    const dtype = dst.storage.dtype;
    const srcIdx = new Int32Array(numel(dst.shape));
    forEachIndex(dst.shape, src.strides, src.offset, (k, i) => (srcIdx[k] = i));
    forEachIndex(dst.shape, dst.strides, dst.offset, (k, i) => put(D, i, S[srcIdx[k]!]!, dtype));
  },

  sgdStep(param, grad, buf, o) {
    const p = (param as RefStorage).data, g = (grad as RefStorage).data;
    const b = buf ? (buf as RefStorage).data : null;
    for (let i = 0; i < p.length; i++) {
      let d = o.maximize ? -g[i]! : g[i]!;
      if (o.weightDecay !== 0) d += o.weightDecay * p[i]!;
      if (o.momentum !== 0 && b) {
        b[i] = o.firstStep ? d : o.momentum * b[i]! + (1 - o.dampening) * d;
        d = o.nesterov ? d + o.momentum * b[i]! : b[i]!;
      }
      p[i] = p[i]! - o.lr * d;
    }
  },

  adamStep(param, grad, m, v, vmax, o) {
    const p = (param as RefStorage).data, g = (grad as RefStorage).data;
    const M = (m as RefStorage).data, V = (v as RefStorage).data;
    const Vm = vmax ? (vmax as RefStorage).data : null;
    const bc1 = 1 - Math.pow(o.beta1, o.step), bc2 = 1 - Math.pow(o.beta2, o.step);
    const stepSize = o.lr / bc1, bc2Sqrt = Math.sqrt(bc2);
    for (let i = 0; i < p.length; i++) {
      let d = o.maximize ? -g[i]! : g[i]!;
      if (o.weightDecay !== 0) {
        if (o.decoupledWeightDecay) p[i] = p[i]! * (1 - o.lr * o.weightDecay);
        else d += o.weightDecay * p[i]!;
      }
      M[i] = M[i]! * o.beta1 + (1 - o.beta1) * d;
      V[i] = V[i]! * o.beta2 + (1 - o.beta2) * d * d;
      let denomV = V[i]!;
      if (Vm) denomV = Vm[i] = Math.max(Vm[i]!, V[i]!);
      p[i] = p[i]! - stepSize * M[i]! / (Math.sqrt(denomV) / bc2Sqrt + o.eps);
    }
  },
};

/**
 * Whether a gather is a row gather (indexSelect): x contiguous and the index varying only along
 * `axis`, over x's full extent elsewhere, so whole inner blocks can be copied at once.
 */
export function isRowGather(x: View, axis: number, index: View): boolean {
  const shape = index.shape;
  const xs = contiguous(x.shape);
  return x.strides.every((st, i) => st === xs[i] || x.shape[i] === 1) &&
    index.strides.every((st, i) => i === axis || st === 0 || shape[i] === 1) &&
    shape.every((d, i) => i === axis || d === x.shape[i]);
}

/** A row gather (see isRowGather) into `out`, which holds numel(index.shape) elements. */
export function gatherRows(x: View, axis: number, index: View, out: TypedArray): void {
  const X = data(x), I = data(index);
  const shape = index.shape;
  const outer = numel(shape.slice(0, axis)), inner = numel(shape.slice(axis + 1));
  const n = shape[axis]!, xn = x.shape[axis]!;
  const is = index.strides[axis]!;
  for (let o = 0; o < outer; o++)
    for (let j = 0; j < n; j++) {
      const src = x.offset + (o * xn + I[index.offset + j * is]!) * inner;
      // a view per row for a block copy, except for single elements (labels), copied as such
      if (inner === 1) out[o * n + j] = X[src]!;
      else out.set(X.subarray(src, src + inner), (o * n + j) * inner);
    }
}

function contiguous(shape: readonly number[]): number[] {
  const s: number[] = [];
  let acc = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    s[i] = acc;
    acc *= shape[i]!;
  }
  return s;
}

export function convOut(H: number, W: number, p: Im2colParams): [number, number] {
  const oh = Math.floor((H + 2 * p.padding[0] - p.dilation[0] * (p.kernel[0] - 1) - 1) / p.stride[0]) + 1;
  const ow = Math.floor((W + 2 * p.padding[1] - p.dilation[1] * (p.kernel[1] - 1) - 1) / p.stride[1]) + 1;
  return [Math.max(oh, 0), Math.max(ow, 0)];
}

function reduceBlock(op: ReduceOp, v: TypedArray, start: number, R: number): number {
  switch (op) {
    case "sum": { let a = 0; for (let i = 0; i < R; i++) a += v[start + i]!; return a; }
    case "prod": { let a = 1; for (let i = 0; i < R; i++) a *= v[start + i]!; return a; }
    case "max": case "min": {
      let best = op === "max" ? -Infinity : Infinity;
      for (let i = 0; i < R; i++) {
        const x = v[start + i]!;
        if (Number.isNaN(x)) return NaN;
        if (op === "max" ? x > best : x < best) best = x;
      }
      return best;
    }
    case "argmax": case "argmin": {
      let best = 0;
      for (let i = 1; i < R; i++) {
        const x = v[start + i]!, b = v[start + best]!;
        if (Number.isNaN(b)) break;
        if (Number.isNaN(x) || (op === "argmax" ? x > b : x < b)) best = i;
      }
      return best;
    }
    case "any": { for (let i = 0; i < R; i++) if (v[start + i]) return 1; return 0; }
    case "all": { for (let i = 0; i < R; i++) if (!v[start + i]) return 0; return 1; }
  }
}
