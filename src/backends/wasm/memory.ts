import { TensileError } from "../../errors.js";
import type { DType, TypedArray } from "../../tensor/dtype.js";
import type { Storage } from "../backend.js";
import { type Runtime, align, ensureMemory, runtime } from "./runtime.js";

/**
 * Storage in wasm linear memory, from a pool, freed without chores:
 *
 * - Requests below 1 MiB round up to a class (64 bytes, then four classes per power of two:
 *   2^k·{1, 1.25, 1.5, 1.75}; waste under 25%), larger ones to 16 KiB. A steady training loop
 *   allocates the same sizes every step, so it reuses the same blocks and memory stays flat.
 * - A freed block merges with the free ranges on either side of it. Free ranges wait in
 *   segregated lists by size (most recently freed first: still in cache); a request takes the
 *   first range of a list that fits and leaves the rest free ("good fit", as TLSF allocators do).
 *   Without merging, blocks freed in one size class could never serve another, and the CNN of
 *   the benchmark grew wasm memory for its 8.9 MB im2col buffers past tens of free megabytes.
 * - New blocks come from a bump pointer at the top of the heap; memory grows (never shrinks:
 *   wasm cannot) only when no free range fits. A range that ends at the bump pointer lowers it.
 * - A WasmStorage is registered with a FinalizationRegistry: when the JS object is collected its
 *   block goes back to the pool. `release(s)` does the same eagerly.
 *
 * Views of memory (typed arrays) are never kept across calls that may allocate, because growing
 * memory replaces its buffer; use `viewOf` right before reading or writing.
 */

export const ELEMENT_BYTES: Record<DType, number> = { float32: 4, float64: 8, int32: 4, bool: 1 };

interface Block {
  ptr: number;
  bytes: number;
}

export class WasmStorage implements Storage {
  /** @internal */ _block: Block | null;
  /** @internal See `Storage._tensors`. */
  _tensors = 0;
  /** @internal See `Storage._version`. */
  _version = 0;
  /** @internal See `Storage._graphVersion`. */
  _graphVersion = -1;
  constructor(readonly dtype: DType, readonly length: number, block: Block) {
    this._block = block;
  }
  /** Byte address of element 0. Throws after release(). */
  get ptr(): number {
    if (!this._block) throw new TensileError("wasm backend: storage used after release()");
    return this._block.ptr;
  }
  get byteLength(): number {
    return this.length * ELEMENT_BYTES[this.dtype];
  }
  /** Bytes of pool memory held (the size class), as counted by liveBytes(). */
  get blockBytes(): number {
    return this._block?.bytes ?? 0;
  }
}

/**
 * A free range of the heap. Free ranges are coalesced with free neighbours as they are freed, so
 * they have any size (a multiple of 64), and wait in the list of the class their size rounds down
 * to (`classIndex`): every range in a list is at least that class's size, so the head of any
 * non-empty list above a request's class fits it, as does the head of its own list when the
 * request is a class size.
 */
interface FreeRange {
  ptr: number;
  bytes: number;
  cls: number;
  prev: FreeRange | null;
  next: FreeRange | null;
}

/** Classes 64·2^e·{1, 1¼, 1½, 1¾} for e = 0..25 cover every size below 4 GiB. */
const CLASSES = 26 * 4;
/** Head of each class's list: the most recently freed range (still in cache) is reused first. */
const heads: Array<FreeRange | null> = new Array<FreeRange | null>(CLASSES).fill(null);
/** Bit i set when list i is not empty. */
const nonEmpty = new Uint32Array(Math.ceil(CLASSES / 32));
/** Free ranges by start address and by end address, to find a freed block's free neighbours. */
const freeAt = new Map<number, FreeRange>();
const freeEnd = new Map<number, FreeRange>();
let top = 0;
let liveCount = 0;
let live = 0;
let peakLive = 0;
let peakTop = 0;
let freeBytes = 0;

const registry = new FinalizationRegistry<Block>((b) => freeBlock(b));

/** Requests from this size on are rounded to `LARGE_ALIGN` only, not to a class. */
const LARGE = 2 ** 20;
const LARGE_ALIGN = 16384;

/**
 * The size a request of `bytes` takes: below 1 MiB its class (64 bytes, then four classes per
 * power of two, so equal requests reuse equal blocks); from 1 MiB on a multiple of 16 KiB, since
 * a class would waste up to a quarter of a large block (an 8.9 MB im2col buffer took 10.5 MB).
 */
export function sizeClass(bytes: number): number {
  if (bytes <= 64) return 64;
  if (bytes >= LARGE) return align(bytes, LARGE_ALIGN);
  const p = 2 ** Math.floor(Math.log2(bytes));
  for (const f of [1, 1.25, 1.5, 1.75, 2]) if (p * f >= bytes) return align(p * f, 64);
  return align(bytes, 64);
}

/** Index of the largest class not above `bytes` (a multiple of 64, at least 64). */
function classIndex(bytes: number): number {
  const units = bytes / 64; // below 2^26
  const e = 31 - Math.clz32(units);
  const quarter = Math.floor(((units - 2 ** e) * 4) / 2 ** e);
  return e * 4 + quarter;
}

function rtHeap(): Runtime {
  const r = runtime();
  if (top === 0) top = r.heapStart;
  return r;
}

function pushFree(ptr: number, bytes: number): void {
  const cls = classIndex(bytes);
  const f: FreeRange = { ptr, bytes, cls, prev: null, next: heads[cls]! };
  if (f.next) f.next.prev = f;
  heads[cls] = f;
  nonEmpty[cls >>> 5]! |= 1 << (cls & 31);
  freeAt.set(ptr, f);
  freeEnd.set(ptr + bytes, f);
  freeBytes += bytes;
}

function unlinkFree(f: FreeRange): void {
  if (f.prev) f.prev.next = f.next;
  else {
    heads[f.cls] = f.next;
    if (!f.next) nonEmpty[f.cls >>> 5]! &= ~(1 << (f.cls & 31));
  }
  if (f.next) f.next.prev = f.prev;
  freeAt.delete(f.ptr);
  freeEnd.delete(f.ptr + f.bytes);
  freeBytes -= f.bytes;
}

/** The head of the first non-empty list at class `from` or above, or null. */
function firstFit(from: number): FreeRange | null {
  for (let w = from >>> 5; w < nonEmpty.length; w++) {
    let bits = nonEmpty[w]!;
    if (w === from >>> 5) bits &= ~0 << (from & 31);
    if (bits !== 0) return heads[w * 32 + 31 - Math.clz32(bits & -bits)]!;
  }
  return null;
}

/** A block of exactly `bytes` (a `sizeClass`): part of a free range, else from the bump pointer. */
function takeBlock(bytes: number): number {
  const r = rtHeap();
  const cls = classIndex(bytes);
  // ranges in the request's own list fit when the request is a class size; a large request
  // (between classes) looks there for one that fits, then in the lists above, where all fit
  let f: FreeRange | null = heads[cls]!;
  let looked = 0;
  while (f && f.bytes < bytes && ++looked < 8) f = f.next;
  if (!f || f.bytes < bytes) f = firstFit(cls + 1);
  if (f) {
    unlinkFree(f);
    // the rest stays free; its neighbours are not free (ranges are coalesced), so no merge
    if (f.bytes > bytes) pushFree(f.ptr + bytes, f.bytes - bytes);
    return f.ptr;
  }
  if (top + bytes > r.memory.buffer.byteLength) {
    const before = r.memory.buffer.byteLength;
    if (!ensureMemory(r, top + bytes))
      throw new TensileError(
        `wasm backend: out of memory allocating ${bytes} bytes (${live} bytes live in ${liveCount} storages; wasm memory is limited to 4 GiB). ` +
          "Dropped tensors are freed when garbage-collected, which needs the program to return to the event loop: a long synchronous loop should `await` now and then.",
      );
    hintGc(r.memory.buffer.byteLength - before);
  }
  const p = top;
  top += bytes;
  if (top > peakTop) peakTop = top;
  return p;
}

/**
 * V8 schedules garbage collection by JS-heap and ArrayBuffer growth and does not see wasm memory
 * grow, so storages that died in a loop allocating little JS memory are found late, if ever.
 * Allocating (and dropping) an ArrayBuffer as large as each 32 MiB of wasm growth makes that
 * growth visible to its heuristics. The pages are never touched, so this costs address space only.
 * (Finalizers still run only when the program yields to the event loop; see docs/wasm-backend.md.)
 */
let grownSinceHint = 0;
let gcHint: ArrayBuffer | null = null;
function hintGc(grown: number): void {
  grownSinceHint += grown;
  if (grownSinceHint < 32 * 2 ** 20) return;
  gcHint = new ArrayBuffer(grownSinceHint);
  grownSinceHint = 0;
}
/** @internal */ export const _gcHint = (): ArrayBuffer | null => gcHint;

function freeBlock(b: Block): void {
  liveCount--;
  live -= b.bytes;
  let ptr = b.ptr;
  let bytes = b.bytes;
  const left = freeEnd.get(ptr);
  if (left) {
    unlinkFree(left);
    ptr = left.ptr;
    bytes += left.bytes;
  }
  const right = freeAt.get(ptr + bytes);
  if (right) {
    unlinkFree(right);
    bytes += right.bytes;
  }
  // a range ending at the bump pointer goes back to it, so a burst of temporaries leaves no range
  // behind (no free range ever ends at `top`: the one below it would have been merged)
  if (ptr + bytes === top) top = ptr;
  else pushFree(ptr, bytes);
}

/** Storage of `length` elements with unspecified contents (kernels that write every element). */
export function allocRaw(dtype: DType, length: number): WasmStorage {
  // a NaN or negative length would move the bump pointer to NaN, after which every block lands at
  // address 0 (two live tensors sharing memory): refuse it before the allocator sees it
  if (!(length >= 0 && length <= 2 ** 31 - 1 && length === Math.floor(length)))
    throw new TensileError(`wasm backend: cannot allocate ${length} elements of ${dtype} (internal error: please report the operation)`);
  const bytes = sizeClass(length * ELEMENT_BYTES[dtype]);
  const block: Block = { ptr: takeBlock(bytes), bytes };
  const s = new WasmStorage(dtype, length, block);
  registry.register(s, block, s);
  liveCount++;
  live += bytes;
  if (live > peakLive) peakLive = live;
  return s;
}

/** Zero-filled storage. */
export function allocZeroed(dtype: DType, length: number): WasmStorage {
  const s = allocRaw(dtype, length);
  runtime().k.zeroK(s.ptr, s.byteLength);
  return s;
}

/** Returns a storage's block to the pool now; later use of the storage throws. */
export function releaseStorage(s: WasmStorage): void {
  const b = s._block;
  if (!b) return;
  s._block = null;
  registry.unregister(s);
  freeBlock(b);
}

/** Scratch blocks owned by the runtime itself (thread scratch), never collected. */
export function allocPinned(bytes: number): number {
  return takeBlock(sizeClass(bytes));
}

/**
 * A fresh JS array holding a copy of `length` elements at `ptr`, copy-constructed from a view of
 * them (`new Float32Array(view)`) rather than allocated zeroed and then `set`: for a 1.5 MB result
 * that measured ~0.32 ms against ~0.58 ms here, for 128 KB 22 µs against 36 µs.
 */
export function copyOut(dtype: DType, ptr: number, length: number): TypedArray {
  const v = viewOf(dtype, ptr, length);
  switch (dtype) {
    case "float32": return new Float32Array(v as Float32Array);
    case "float64": return new Float64Array(v as Float64Array);
    case "int32": return new Int32Array(v as Int32Array);
    case "bool": return new Uint8Array(v as Uint8Array);
  }
}

export function viewOf(dtype: DType, ptr: number, length: number): TypedArray {
  const buf = runtime().memory.buffer;
  switch (dtype) {
    case "float32": return new Float32Array(buf, ptr, length);
    case "float64": return new Float64Array(buf, ptr, length);
    case "int32": return new Int32Array(buf, ptr, length);
    case "bool": return new Uint8Array(buf, ptr, length);
  }
}

/** Number of storages alive (allocated and neither released nor collected). */
export function liveStorageCount(): number {
  return liveCount;
}

/** Bytes held by live storages (their size classes). */
export function liveBytes(): number {
  return live;
}

export interface MemoryStats {
  /** Size of wasm linear memory. */
  memoryBytes: number;
  liveBytes: number;
  liveStorages: number;
  /** Bytes in free lists, ready for reuse. */
  pooledBytes: number;
  /** High-water mark of the heap (bump pointer). */
  heapTop: number;
  /** Most bytes ever held by live storages at once (size classes). */
  peakLiveBytes: number;
  /** High-water mark of `heapTop`: the wasm memory ever touched. */
  peakHeapTop: number;
}

export function memoryStats(): MemoryStats {
  const r = rtHeap();
  return { memoryBytes: r.memory.buffer.byteLength, liveBytes: live, liveStorages: liveCount, pooledBytes: freeBytes, heapTop: top, peakLiveBytes: peakLive, peakHeapTop: peakTop };
}
