import { TensileError } from "../../errors.js";
import type { DType, TypedArray } from "../../tensor/dtype.js";
import type { Storage } from "../backend.js";
import { type Runtime, align, ensureMemory, runtime } from "./runtime.js";

/**
 * Storage in wasm linear memory, from a size-class pool, freed without chores:
 *
 * - Every block's size is rounded up to a class (64 bytes, then four classes per power of two:
 *   2^k·{1, 1.25, 1.5, 1.75}), so waste is under 25% and a steady training loop, which allocates
 *   the same sizes every step, reuses the same blocks and keeps memory flat.
 * - A WasmStorage is registered with a FinalizationRegistry: when the JS object is collected its
 *   block goes back to the free list of its class. `release(s)` does the same eagerly.
 * - New blocks come from a bump pointer at the top of the heap; memory grows (never shrinks:
 *   wasm cannot) only when no free block of a fitting class exists. A freed block that ends at the
 *   bump pointer lowers it instead, so a burst of temporaries does not pin its size class.
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

/** Free blocks by class, most recently freed last (reused first: still in cache). May hold stale
 *  entries for blocks since given back to the bump pointer; `freeAt` is the truth. */
const freeLists = new Map<number, number[]>();
/** Free blocks: ptr → bytes, and end address → ptr (to find the free block just below `top`). */
const freeAt = new Map<number, number>();
const freeEnd = new Map<number, number>();
let top = 0;
let liveCount = 0;
let live = 0;
let freeBytes = 0;

const registry = new FinalizationRegistry<Block>((b) => freeBlock(b));

/** The class a request of `bytes` is rounded up to. */
export function sizeClass(bytes: number): number {
  if (bytes <= 64) return 64;
  const p = 2 ** Math.floor(Math.log2(bytes));
  for (const f of [1, 1.25, 1.5, 1.75, 2]) if (p * f >= bytes) return align(p * f, 64);
  return align(bytes, 64);
}

function rtHeap(): Runtime {
  const r = runtime();
  if (top === 0) top = r.heapStart;
  return r;
}

function popFree(bytes: number): number {
  const list = freeLists.get(bytes);
  while (list && list.length > 0) {
    const ptr = list.pop()!;
    if (freeAt.get(ptr) !== bytes) continue; // stale
    freeAt.delete(ptr);
    freeEnd.delete(ptr + bytes);
    freeBytes -= bytes;
    return ptr;
  }
  return -1;
}

/** A block of exactly `bytes` (a class size); returns [ptr, bytes actually taken]. */
function takeBlock(bytes: number): [number, number] {
  const r = rtHeap();
  const ptr = popFree(bytes);
  if (ptr >= 0) return [ptr, bytes];
  if (top + bytes > r.memory.buffer.byteLength) {
    // Before growing memory, settle for a free block of a larger class (up to twice the size).
    for (const cls of freeLists.keys()) {
      if (cls > bytes && cls <= 2 * bytes) {
        const p = popFree(cls);
        if (p >= 0) return [p, cls];
      }
    }
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
  return [p, bytes];
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
  if (b.ptr + b.bytes === top) {
    top = b.ptr;
    // free blocks now ending at the top go back to the bump pointer as well
    for (let p = freeEnd.get(top); p !== undefined; p = freeEnd.get(top)) {
      const bytes = freeAt.get(p)!;
      freeAt.delete(p);
      freeEnd.delete(top);
      freeBytes -= bytes;
      top = p;
    }
    return;
  }
  let list = freeLists.get(b.bytes);
  if (!list) freeLists.set(b.bytes, (list = []));
  list.push(b.ptr);
  freeAt.set(b.ptr, b.bytes);
  freeEnd.set(b.ptr + b.bytes, b.ptr);
  freeBytes += b.bytes;
}

/** Storage of `length` elements with unspecified contents (kernels that write every element). */
export function allocRaw(dtype: DType, length: number): WasmStorage {
  const [ptr, bytes] = takeBlock(sizeClass(length * ELEMENT_BYTES[dtype]));
  const block: Block = { ptr, bytes };
  const s = new WasmStorage(dtype, length, block);
  registry.register(s, block, s);
  liveCount++;
  live += bytes;
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
  return takeBlock(sizeClass(bytes))[0];
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
}

export function memoryStats(): MemoryStats {
  const r = rtHeap();
  return { memoryBytes: r.memory.buffer.byteLength, liveBytes: live, liveStorages: liveCount, pooledBytes: freeBytes, heapTop: top };
}
