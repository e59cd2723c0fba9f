import type { TypedArray } from "../../tensor/dtype.js";
import { arrayFor, dtypeOfArray } from "../../tensor/dtype.js";
import { TensileError } from "../../errors.js";
import { type Backend, type Storage, type View, newStorages } from "../backend.js";
import { RefStorage, forEachIndex, gatherRows, isRowGather, referenceBackend } from "../reference/index.js";
import { copies } from "./copies.js";
import { ELEMENT_BYTES, type WasmStorage, allocRaw, copyOut, releaseStorage, viewOf } from "./memory.js";
import { wasmKernels } from "./wasm-backend.js";

/**
 * The public wasm backend: tensors' storage lives in ordinary JS typed arrays (the same
 * `RefStorage` the reference backend uses), and wasm linear memory is only a workspace plus a
 * bounded cache of copies — where a kernel's result stays, without a JS copy, until it is read
 * or evicted (see `output` and copies.ts).
 *
 * Why: the JS garbage collector frees a typed array's memory by itself, during any allocation,
 * and counts it when deciding to collect. Storage inside one wasm memory can only be given back
 * through FinalizationRegistry callbacks, which run when the program yields to the event loop — a
 * synchronous training loop (the PyTorch idiom) never yields, so its memory grew without bound.
 * With host storage, a loop written like PyTorch's keeps flat memory with no dispose() and no await.
 *
 * Each kernel call stages the byte span its input views touch into pooled wasm blocks, runs the
 * kernel there (SIMD, threads), copies the result out to a fresh typed array and returns every
 * block to the pool before it returns: wasm memory use is bounded by the largest single call plus
 * a bounded cache of copies (copies.ts): results and whole staged inputs stay in wasm for the
 * next call that reads them, so a chain of ops copies each tensor out once and in not at all.
 * The copies cost a little bandwidth next to the kernels (see docs/wasm-backend.md).
 */

const hostData = (s: Storage): TypedArray => (s as RefStorage).data;

/** Brings a host array that is behind its cached wasm copy up to date (see copies.ts). */
function refreshFromCopy(s: RefStorage): void {
  s.refresh = null;
  if (!copies.refreshHost(s, s._allocated ? () => s.raw : null, (a) => s._adopt(a)))
    throw new TensileError("wasm backend: a storage's newer wasm copy is missing (internal error)");
}

function usedAfterRelease(): never {
  throw new TensileError(
    "wasm backend: a tensor's storage was used after it was released (by dispose(), or a temporary of a backward pass kept beyond it? " +
      "keep gradients through hooks or retainGrad(), or pass {retainGraph: true})",
  );
}

/** First and one-past-last element a view touches (strides are never negative in Tensile). */
function span(v: View): [number, number] {
  let hi = v.offset;
  for (let i = 0; i < v.shape.length; i++) {
    if (v.shape[i] === 0) return [v.offset, v.offset];
    hi += (v.shape[i]! - 1) * v.strides[i]!;
  }
  return [v.offset, hi + 1];
}

/** Work blocks of one call; all released when the call ends. */
class Staging {
  /** Cache entries this call read or created: the most recently used ones, which trim keeps. */
  private touched = 0;
  // (made on first use: most calls find every input in the cache and need none of them, and these
  // were a good part of the garbage a training step leaves)
  private blocks: WasmStorage[] | null = null;
  private stagedMap: Map<Storage, { block: WasmStorage; lo: number }> | null = null;
  /** Blocks a kernel writes through: host elements [lo, hi) are block elements [lo - base, hi - base),
   *  copied home by `writeBack`. */
  private writtenMap: Map<Storage, { block: WasmStorage; base: number; lo: number; hi: number }> | null = null;

  private get staged(): Map<Storage, { block: WasmStorage; lo: number }> {
    return (this.stagedMap ??= new Map());
  }

  private get written(): Map<Storage, { block: WasmStorage; base: number; lo: number; hi: number }> {
    return (this.writtenMap ??= new Map());
  }

  private keep(block: WasmStorage): void {
    (this.blocks ??= []).push(block);
  }

  /** The view re-based onto a wasm copy of the elements it can reach. */
  input(v: View): View {
    const key = v.storage;
    const cached = copies.get(key);
    if (cached) {
      this.touched++;
      return { storage: cached, shape: v.shape, strides: v.strides, offset: v.offset };
    }
    const [lo, hi] = span(v);
    let hit = this.stagedMap?.get(key);
    if (!hit || lo < hit.lo || hi - hit.lo > hit.block.length) {
      const block = allocRaw(key.dtype, Math.max(hi - lo, 1));
      viewOf(key.dtype, block.ptr, hi - lo).set(hostData(key).subarray(lo, hi));
      // A copy of the whole storage is worth keeping for the next call; a part is not, nor a copy
      // of an array its owner may change behind our back (asTensor).
      if (lo === 0 && hi === key.length && !(key as RefStorage).external) {
        copies.put(key, block);
        this.touched++;
      }
      else this.keep(block);
      hit = { block, lo };
      this.staged.set(key, hit);
    }
    return { storage: hit.block, shape: v.shape, strides: v.strides, offset: v.offset - hit.lo };
  }

  /**
   * For a view a kernel writes through: a copy of its span of its own (inputs from the same
   * storage read the old values, as an overlapping copy must), which `writeBack` copies home.
   * Only the span moves, so assigning into one slice of a large tensor (cat, stack, index
   * assignment) costs the slice, not the tensor.
   */
  inout(v: View): View {
    const key = v.storage;
    const cached = copies.get(key);
    const [lo, hi] = span(v);
    if (cached) {
      // write through the cached copy itself, which then stays equal to the host array
      this.written.set(key, { block: cached, base: 0, lo, hi });
      return { storage: cached, shape: v.shape, strides: v.strides, offset: v.offset };
    }
    const block = allocRaw(key.dtype, Math.max(hi - lo, 1));
    this.keep(block);
    viewOf(key.dtype, block.ptr, hi - lo).set(hostData(key).subarray(lo, hi));
    this.written.set(key, { block, base: lo, lo, hi });
    return { storage: block, shape: v.shape, strides: v.strides, offset: v.offset - lo };
  }

  /** A whole storage staged for an in-place kernel; `writeBack` copies it home afterwards. */
  whole(s: Storage): WasmStorage {
    let block = copies.get(s);
    if (!block) {
      block = allocRaw(s.dtype, Math.max(s.length, 1));
      viewOf(s.dtype, block.ptr, s.length).set(hostData(s));
      copies.put(s, block);
    }
    this.staged.set(s, { block, lo: 0 });
    this.written.set(s, { block, base: 0, lo: 0, hi: s.length });
    return block;
  }

  writeBack(s: Storage): void {
    const w = this.written.get(s)!;
    if (copies.peek(s) === w.block && !(s as RefStorage).external) {
      // Written through its cached copy: the host array is behind until read.
      (s as RefStorage).refresh = refreshFromCopy;
      copies.markBehind(s);
      return;
    }
    // (an empty view may carry any offset, even one past the end)
    if (w.hi > w.lo) hostData(s).set(viewOf(s.dtype, w.block.ptr, w.hi - w.base).subarray(w.lo - w.base), w.lo);
    // A cached copy taken before this write (an input of the same call) is stale now; an
    // external array keeps none (its owner may write it).
    const c = copies.peek(s);
    if (c && (c !== w.block || (s as RefStorage).external)) copies.drop(s);
  }

  /** Copies a kernel's output into host memory; its block stays cached as the result's wasm copy. */
  /**
   * A kernel's output as host storage whose elements, for now, live only in its cached wasm copy:
   * the JS array is allocated and filled when first read or when the copy is evicted. A result
   * that the next kernel consumes and that is then released (im2col's columns) or stays cached
   * (a gradient the optimizer reads) never costs a JS allocation and copy.
   */
  output(w: Storage): RefStorage {
    const ws = w as WasmStorage;
    const host = new RefStorage(null, ws.dtype, ws.length);
    host.refresh = refreshFromCopy;
    copies.put(host, ws, true);
    this.touched++;
    newStorages.current?.set(host, wasmBackend);
    return host;
  }

  done(): void {
    if (this.blocks) for (const b of this.blocks) releaseStorage(b);
    this.blocks = null;
    this.stagedMap = null;
    this.writtenMap = null;
    copies.trim(this.touched);
  }
}

/** Runs `fn` with staged copies of `views`, returning its output as host storage. */
function call(views: readonly View[], fn: (staged: View[]) => Storage): RefStorage {
  const st = new Staging();
  try {
    return st.output(fn(views.map((v) => st.input(v))));
  } finally {
    st.done();
  }
}

export const wasmBackend: Backend = {
  name: "wasm",

  alloc: (dtype, length) => new RefStorage(arrayFor(dtype, length), dtype),
  fromArray(a) {
    const out = arrayFor(dtypeOfArray(a), a.length);
    out.set(a);
    return new RefStorage(out, dtypeOfArray(a));
  },
  adopt(a, external) {
    const s = new RefStorage(a, dtypeOfArray(a));
    s.external = external;
    return s;
  },
  read(v) {
    const n = v.shape.reduce((x, y) => x * y, 1);
    const contiguous = v.shape.every((s, i) => s === 1 || v.strides[i] === v.shape.slice(i + 1).reduce((x, y) => x * y, 1));
    const st = v.storage as RefStorage;
    const block = contiguous && st.refresh === refreshFromCopy ? copies.peek(st) : undefined;
    if (block) {
      // the elements live only in the cached wasm copy: copy the span out once, straight into the
      // result, rather than filling the storage's own JS array first and slicing that
      return copyOut(st.dtype, block.ptr + v.offset * ELEMENT_BYTES[st.dtype], n);
    }
    const d = hostData(v.storage);
    if (contiguous) return d.slice(v.offset, v.offset + n);
    const out = arrayFor(v.storage.dtype, n);
    forEachIndex(v.shape, v.strides, v.offset, (k, i) => (out[k] = d[i]!));
    return out;
  },

  copy: (v, dtype) => call([v], ([s]) => wasmKernels.copy(s!, dtype)),
  unary: (op, x, dtype) => call([x], ([s]) => wasmKernels.unary(op, s!, dtype)),
  binary: (op, a, b, shape, dtype) => call([a, b], ([sa, sb]) => wasmKernels.binary(op, sa!, sb!, shape, dtype)),
  where: (c, a, b, shape, dtype) => call([c, a, b], ([sc, sa, sb]) => wasmKernels.where(sc!, sa!, sb!, shape, dtype)),
  reduce: (op, x, axes) => call([x], ([s]) => wasmKernels.reduce(op, s!, axes)),
  cumsum: (x, axis) => call([x], ([s]) => wasmKernels.cumsum(s!, axis)),
  softmax: (x, axis, log) => call([x], ([s]) => wasmKernels.softmax!(s!, axis, log)),
  softmaxBackward: (g, y, axis, log) => call([g, y], ([sg, sy]) => wasmKernels.softmaxBackward!(sg!, sy!, axis, log)),
  matmul: (a, b, bias) => call(bias ? [a, b, bias] : [a, b], ([sa, sb, sc]) => wasmKernels.matmul(sa!, sb!, sc)),
  // Gathers read few elements of what may be a whole dataset: staging its span would copy it all,
  // so they read the host storage directly. A row gather (indexSelect: a training batch from the
  // dataset) copies its rows straight into a wasm block that becomes the result's cached copy, as
  // a kernel's output does: the next op (the first layer's product) reads it there, with no JS
  // array allocated — and a 200 KB array a step was most of what the garbage collector had to
  // chase in a training loop — and no copy into wasm. Other gathers run the reference kernel.
  // Where x already has a copy in wasm (a kernel's output: the log-probabilities nllLoss picks
  // from), the wasm kernel reads it there instead: reading the host array would first copy all of
  // x out of wasm (2.5 MB for [64, 10000] logits, ~0.8 ms) to pick a few elements.
  gather(x, axis, index) {
    const n = index.shape.reduce((a, b) => a * b, 1);
    if (n > 0 && copies.peek(x.storage)) return call([x, index], ([sx, si]) => wasmKernels.gather(sx!, axis, si!));
    if (n === 0 || !isRowGather(x, axis, index)) return referenceBackend.gather(x, axis, index);
    const block = allocRaw(x.storage.dtype, n);
    gatherRows(x, axis, index, viewOf(x.storage.dtype, block.ptr, n)); // (reads no wasm memory: cannot grow it)
    const st = new Staging();
    try {
      return st.output(block);
    } finally {
      st.done();
    }
  },
  // Dead for the engine: its cached copy is freed without copying it out (the GC frees the array),
  // and any later use fails.
  release(s) {
    copies.drop(s, true);
    (s as RefStorage)._free();
    (s as RefStorage).refresh = usedAfterRelease;
  },
  scatter: (x, axis, index, src, acc) => call([x, index, src], ([sx, si, ss]) => wasmKernels.scatter(sx!, axis, si!, ss!, acc)),
  im2col: (x, p) => call([x], ([s]) => wasmKernels.im2col(s!, p)),
  col2im: (cols, shape, p) => call([cols], ([s]) => wasmKernels.col2im(s!, shape, p)),
  maxPool2d(x, p, out) {
    const st = new Staging();
    try {
      const [vals, idx] = wasmKernels.maxPool2d!(st.input(x), p, out);
      return [st.output(vals), st.output(idx)];
    } finally {
      st.done();
    }
  },
  maxPool2dBackward: (g, indices, planeSize) => call([g, indices], ([sg, si]) => wasmKernels.maxPool2dBackward!(sg!, si!, planeSize)),

  assign(dst, src) {
    const st = new Staging();
    try {
      const d = st.inout(dst);
      wasmKernels.assign(d, st.input(src));
      st.writeBack(dst.storage);
    } finally {
      st.done();
    }
  },
  sgdStep(param, grad, buf, o) {
    const st = new Staging();
    try {
      wasmKernels.sgdStep(st.whole(param), st.whole(grad), buf ? st.whole(buf) : null, o);
      st.writeBack(param);
      if (buf) st.writeBack(buf);
    } finally {
      st.done();
    }
  },
  adamStep(param, grad, m, v, vmax, o) {
    const st = new Staging();
    try {
      wasmKernels.adamStep(st.whole(param), st.whole(grad), st.whole(m), st.whole(v), vmax ? st.whole(vmax) : null, o);
      for (const s of [param, m, v, ...(vmax ? [vmax] : [])]) st.writeBack(s);
    } finally {
      st.done();
    }
  },
};

