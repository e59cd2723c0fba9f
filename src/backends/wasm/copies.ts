import type { Storage } from "../backend.js";
import { type WasmStorage, liveBytes as poolLiveBytes, liveStorageCount as poolLiveCount, releaseStorage } from "./memory.js";

/**
 * Wasm copies of recently used host storages, so a chain of ops does not copy each tensor into
 * wasm memory again: the output of one call (im2col's columns, a layer's activation) and the
 * parameters and optimizer state that every step reads are found here by the next call.
 *
 * - A copy is never behind its host array. The in-place kernels (assign, sgdStep, adamStep)
 *   update only the cached copy they ran on and mark the host array behind (`RefStorage.refresh`):
 *   it is brought up to date when it is read, or when the copy is evicted — so an optimizer step
 *   does not copy every parameter back to JS memory.
 * - The cache is an LRU bounded by bytes (default 32 MiB). It evicts only between calls (`trim`),
 *   never while a call may still be using a copy. Wasm memory stays bounded: budget + one call.
 * - It holds its host storages strongly until evicted: up to the budget of JS memory, too.
 */
/** One cached copy: a node of the LRU list, also reachable from its host storage's `cacheSlot`. */
interface Entry {
  storage: Slotted;
  block: WasmStorage;
  prev: Entry | null;
  next: Entry | null;
}

/** Host storages carry a slot for their entry, so a lookup is a field read, not a hash lookup. */
type Slotted = Storage & { cacheSlot?: unknown };

/**
 * An intrusive doubly-linked LRU: get, put, drop and evicting the oldest are O(1) field updates.
 * (A `Map` used as an LRU — delete and re-insert on every hit — leaves a hole per hit in V8's
 * ordered hash table; with thousands of small cached results that cost more than the kernels.)
 */
class WasmCopies {
  private head: Entry | null = null; // least recently used
  private tail: Entry | null = null; // most recently used
  private n = 0;
  bytes = 0;
  budget = 32 * 2 ** 20;

  get count(): number {
    return this.n;
  }

  private entry(s: Storage): Entry | undefined {
    const e = (s as Slotted).cacheSlot as Entry | undefined;
    return e && e.storage === s ? e : undefined;
  }

  private unlink(e: Entry): void {
    if (e.prev) e.prev.next = e.next;
    else this.head = e.next;
    if (e.next) e.next.prev = e.prev;
    else this.tail = e.prev;
    e.prev = e.next = null;
  }

  private append(e: Entry): void {
    e.prev = this.tail;
    e.next = null;
    if (this.tail) this.tail.next = e;
    else this.head = e;
    this.tail = e;
  }

  /** The copy of `s`, marked most recently used. */
  get(s: Storage): WasmStorage | undefined {
    const e = this.entry(s);
    if (!e) return undefined;
    if (e !== this.tail) {
      this.unlink(e);
      this.append(e);
    }
    return e.block;
  }

  /** The copy of `s`, without touching the LRU order. */
  peek(s: Storage): WasmStorage | undefined {
    return this.entry(s)?.block;
  }

  /** Takes ownership of `block` as the copy of `s`. */
  put(s: Storage, block: WasmStorage): void {
    const old = this.entry(s);
    if (old?.block === block) return;
    if (old) this.drop(s);
    const e: Entry = { storage: s as Slotted, block, prev: null, next: null };
    (s as Slotted).cacheSlot = e;
    this.append(e);
    this.n++;
    this.bytes += block.blockBytes;
  }

  /**
   * Frees the copy of `s`. A host array that is behind its copy is brought up to date first,
   * unless `dead` (the storage will never be read again: `release`).
   */
  drop(s: Storage, dead = false): void {
    const e = this.entry(s);
    if (!e) return;
    this.remove(e, dead);
  }

  private remove(e: Entry, dead = false): void {
    const st = e.storage as Slotted & { refresh?: ((s: Storage) => void) | null };
    if (st.refresh) {
      if (dead) st.refresh = null;
      else st.refresh(st);
    }
    this.unlink(e);
    e.storage.cacheSlot = undefined;
    this.n--;
    this.bytes -= e.block.blockBytes;
    releaseStorage(e.block);
  }

  /**
   * Evicts least recently used copies down to the budget; call only between kernel calls. The
   * `keep` most recently used entries (the inputs and outputs of the call that just ended) stay
   * even over the budget: the next call usually reads the outputs (im2col's columns feed the
   * GEMM), and a consumed temporary is usually released right after its call (conv releases the
   * columns after the GEMM) — evicting either would copy it out to JS, for nothing or only to copy
   * it back in.
   */
  trim(keep = 0): void {
    let stop: Entry | null = this.tail;
    for (let i = 1; i < keep && stop; i++) stop = stop.prev;
    while (this.bytes > this.budget && this.head) {
      if (keep > 0 && this.head === stop) break;
      this.remove(this.head);
    }
  }

  clear(): void {
    while (this.head) this.remove(this.head);
  }
}

export const copies = new WasmCopies();

/** Sets the bytes of wasm memory kept for copies of recently used tensors (0 turns caching off). */
export function setWasmCacheBytes(n: number): void {
  copies.budget = Math.max(0, n);
  copies.trim();
}

/** Frees every cached copy (they are refilled on demand). */
export function clearWasmCache(): void {
  copies.clear();
}

/** Wasm storages alive outside the cache of copies: a call that returns them all leaves this unchanged. */
export function liveStorageCount(): number {
  return poolLiveCount() - copies.count;
}

/** Bytes of wasm storage alive outside the cache of copies. */
export function liveBytes(): number {
  return poolLiveBytes() - copies.bytes;
}

/** Copies cached and their bytes. */
export function wasmCacheStats(): { count: number; bytes: number; budget: number } {
  return { count: copies.count, bytes: copies.bytes, budget: copies.budget };
}
