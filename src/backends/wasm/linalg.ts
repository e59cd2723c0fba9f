import type { Im2colParams, View } from "../backend.js";
import { DT, copy, whole } from "./elementwise.js";
import { ARG_GEOM, addr, numel, writeI32 } from "./layout.js";
import { type WasmStorage, allocRaw, allocZeroed, releaseStorage } from "./memory.js";
import { chunkCounter, parallel, splitRange, threadsFor } from "./threads.js";

/** Batched matmul and the im2col/col2im pair (see assembly/gemm.ts and assembly/indexing.ts). */

/** Below this many flops per thread the wake-up of a worker costs more than it saves. */
const MIN_FLOPS_PER_THREAD = 1 << 22;
const MIN_ELEMENTS_PER_THREAD = 1 << 18;
/**
 * One- and two-row products (batch-1 inference) split their columns from this many flops a thread:
 * a 784→500 layer (0.8 MFLOP, ~30 µs) took ~54 instead of ~75 µs a forward pass at two threads
 * with the workers awake. With them asleep the caller takes back the half no worker has started
 * (threads.ts), so a cold call costs about what it did on one thread (spaced calls measured the
 * same within the noise).
 */
const GEMV_MIN_FLOPS_PER_THREAD = 1 << 18;

// assembly/gemm.ts's blocking (SMALL_N: gemv.ts's): the micro-tile, the k-block and the packing areas (floats), and
// the column count below which it takes dot products instead of tiles (test/wasm-threads.test.ts
// checks that these match the kernel's).
export const GEMM_BLOCKING = { MR: 4, NR: 8, KC: 320, MC: 128, NC: 1280, SMALL_N: 16 } as const;
const { MR, NR, KC, MC, NC, SMALL_N } = GEMM_BLOCKING;
/** Chunks per thread of a shared product: enough for a thread to take over a stalled one's share. */
const CHUNKS_PER_THREAD = 6;

/**
 * [byRows, chunk] when a single float32 product can run as matmulF32SharedK — threads claim
 * chunks of it as they go instead of a fixed half each — or null. By columns when N ≥ M, if all
 * of A fits the packed-B area; by rows otherwise, if all of B fits there.
 * Why: on a machine whose cores other work also uses, each thread of a fixed split is sometimes
 * descheduled or slowed mid-product, and the whole call waits for it (docs/wasm-backend.md,
 * "Shared products").
 */
function sharedSplit(M: number, N: number, K: number, t: number): [number, number] | null {
  // gemmF32's own paths for gemv (M ≤ 2) and few columns (N < 16) are not tiled
  if (M <= 2 || N < SMALL_N) return null;
  const nk = Math.ceil(K / KC), kcMax = Math.ceil(K / nk);
  if (N >= M) {
    if (Math.ceil(M / MR) * MR * K > KC * NC) return null;
    // each chunk's B strips (kc × chunk) are packed into the MC × KC area
    const most = Math.floor((MC * KC) / kcMax / NR) * NR;
    const chunk = Math.min(most, Math.max(NR, Math.ceil(N / (t * CHUNKS_PER_THREAD) / NR) * NR));
    return chunk >= NR ? [0, chunk] : null;
  }
  if (Math.ceil(N / NR) * NR * K > KC * NC) return null;
  // Over several k-blocks each chunk streams all of packed B once per k-block (as the fixed split
  // does per MC rows): chunks of MC rows keep that traffic the fixed split's (smaller chunks
  // measured no gain at 1000×784×500, MC rows 2–6%).
  if (nk > 1) return [1, MC];
  return [1, Math.min(MC, Math.max(MR, Math.ceil(M / (t * CHUNKS_PER_THREAD) / MR) * MR))];
}

export function matmul(a: View, b0: View, bias?: View): WasmStorage {
  const [B, M, K] = a.shape as [number, number, number];
  const N = b0.shape[2]!;
  const dtype = a.storage.dtype;
  const tmp = b0.storage.dtype === dtype ? null : copy(b0, dtype);
  const b = tmp ? whole(tmp, b0.shape) : b0;
  const total = B * M * N;
  if (total === 0 || K === 0) {
    if (tmp) releaseStorage(tmp);
    return bias ? copy(bias, dtype) : allocZeroed(dtype, total);
  }
  // float32: the kernel writes the bias into each output tile just before accumulating onto it
  // (assembly/gemm.ts); other dtypes start from a copy of the bias broadcast to [B, M, N].
  const f32 = dtype === "float32";
  const btmp = f32 && bias && bias.storage.dtype !== dtype ? copy(bias, dtype) : null;
  const x = btmp ? whole(btmp, bias!.shape) : bias;
  const out = bias && !f32 ? copy(bias, dtype) : allocRaw(dtype, total);
  const [sab, sam, sak] = a.strides as [number, number, number];
  const [sbb, sbk, sbn] = b.strides as [number, number, number];
  const head = f32
    ? [addr(a), sab, sam, sak, addr(b), sbb, sbk, sbn, out.ptr, ...(x ? [addr(x), ...x.strides] : [0, 0, 0, 0]), M, N, K]
    : [addr(a), sab, sam, sak, addr(b), sbb, sbk, sbn, out.ptr, bias ? 1 : 0, M, N, K];
  const t = threadsFor(2 * total * K, M <= 2 && B === 1 ? GEMV_MIN_FLOPS_PER_THREAD : MIN_FLOPS_PER_THREAD);
  // A single float32 product on several threads is shared: the threads claim chunks of it as they
  // go (sharedSplit). Otherwise split batches when there are enough, else the larger of rows (in
  // micro-tile units of 4) and columns (units of 8): each thread then packs all of the other
  // operand, which is the small one.
  const shared = f32 && B === 1 && t > 1 ? sharedSplit(M, N, K, t) : null;
  if (shared) {
    const job = [addr(a), sam, sak, addr(b), sbk, sbn, out.ptr, ...(x ? [addr(x), x.strides[1]!, x.strides[2]!] : [0, 0, 0]), M, N, K, chunkCounter(), ...shared];
    parallel("matmulF32SharedK", Array.from({ length: t }, () => job), true);
  } else {
    let jobs: number[][];
    if (B >= t) jobs = splitRange(B, t).map(([p, q]) => [...head, p, q, 0, M, 0, N]);
    else if (N >= M) jobs = splitRange(N, t, 8).map(([p, q]) => [...head, 0, B, 0, M, p, q]);
    else jobs = splitRange(M, t, 4).map(([p, q]) => [...head, 0, B, p, q, 0, N]);
    if (f32) parallel("matmulF32K", jobs);
    else parallel("matmulK", jobs.map((j) => [DT[dtype], ...j]));
  }
  if (tmp) releaseStorage(tmp);
  if (btmp) releaseStorage(btmp);
  return out;
}

/** Output spatial size of a window (the reference backend's convOut). */
export function convOut(H: number, W: number, p: Im2colParams): [number, number] {
  const oh = Math.floor((H + 2 * p.padding[0] - p.dilation[0] * (p.kernel[0] - 1) - 1) / p.stride[0]) + 1;
  const ow = Math.floor((W + 2 * p.padding[1] - p.dilation[1] * (p.kernel[1] - 1) - 1) / p.stride[1]) + 1;
  return [Math.max(oh, 0), Math.max(ow, 0)];
}

function geometry(C: number, H: number, W: number, p: Im2colParams, oh: number, ow: number): number {
  return writeI32(ARG_GEOM, [C, H, W, p.kernel[0], p.kernel[1], p.stride[0], p.stride[1], p.padding[0], p.padding[1],
    p.dilation[0], p.dilation[1], oh, ow]);
}

export function im2col(x: View, p: Im2colParams): WasmStorage {
  const [N, C, H, W] = x.shape as [number, number, number, number];
  const [oh, ow] = convOut(H, W, p);
  const n = N * C * p.kernel[0] * p.kernel[1] * oh * ow;
  const out = allocRaw(x.storage.dtype, n);
  if (n === 0) return out;
  const geom = geometry(C, H, W, p, oh, ow);
  const [sn, sc, sh, sw] = x.strides as [number, number, number, number];
  const t = threadsFor(n, MIN_ELEMENTS_PER_THREAD);
  parallel("im2colK", splitRange(N * C, Math.min(t, N * C)).map(([q0, q1]) =>
    [DT[x.storage.dtype], geom, addr(x), sn, sc, sh, sw, out.ptr, p.padValue, q0, q1]));
  return out;
}

export function col2im(cols: View, outShape: readonly [number, number, number, number], p: Im2colParams): WasmStorage {
  const [N, C, H, W] = outShape;
  const [oh, ow] = convOut(H, W, p);
  const n = numel(outShape);
  const out = allocRaw(cols.storage.dtype, n);
  if (n === 0) return out;
  const geom = geometry(C, H, W, p, oh, ow);
  const [sn, sr, sl] = cols.strides as [number, number, number];
  const t = threadsFor(numel(cols.shape), MIN_ELEMENTS_PER_THREAD);
  // each (n, c) plane is written by one thread only, so planes split without races
  parallel("col2imK", splitRange(N * C, Math.min(t, N * C)).map(([q0, q1]) =>
    [DT[cols.storage.dtype], geom, addr(cols), sn, sr, sl, out.ptr, q0, q1]));
  return out;
}

/** Max pooling of planes x [P, H, W]: values and int32 argmax indices, [P, oh, ow] each (see backend.ts). */
export function maxPool2d(x: View, p: Im2colParams, [oh, ow]: readonly [number, number]): [WasmStorage, WasmStorage] {
  const [P, H, W] = x.shape as [number, number, number];
  const n = P * oh * ow;
  const vals = allocRaw(x.storage.dtype, n), idx = allocRaw("int32", n);
  if (n === 0) return [vals, idx];
  const geom = geometry(1, H, W, p, oh, ow);
  const [sp, sh, sw] = x.strides as [number, number, number];
  const t = threadsFor(n * p.kernel[0] * p.kernel[1], MIN_ELEMENTS_PER_THREAD);
  parallel("maxPoolK", splitRange(P, Math.min(t, P)).map(([p0, p1]) =>
    [DT[x.storage.dtype], geom, addr(x), sp, sh, sw, vals.ptr, idx.ptr, p0, p1]));
  return [vals, idx];
}

/** Gradient of maxPool2d: contiguous g and indices [P, L] scattered into zeroed planes [P, planeSize]. */
export function maxPool2dBackward(g: View, indices: View, planeSize: number): WasmStorage {
  const [P, L] = g.shape as [number, number];
  const out = allocRaw(g.storage.dtype, P * planeSize);
  if (P * planeSize === 0) return out;
  const t = threadsFor(P * (planeSize + L), MIN_ELEMENTS_PER_THREAD);
  parallel("maxPoolBackK", splitRange(P, Math.min(t, P)).map(([p0, p1]) =>
    [DT[g.storage.dtype], addr(g), addr(indices), L, planeSize, out.ptr, p0, p1]));
  return out;
}
