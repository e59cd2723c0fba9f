import type { Storage } from "../backend.js";
import { type WasmStorage, liveBytes as poolLiveBytes, liveStorageCount as poolLiveCount, releaseStorage } from "./memory.js";

/**
 * Wasm copies of recently used host storages, so a chain of ops does not copy each tensor into
 * wasm memory again: the output of one call (im2col's columns, a layer's activation) and the
 * parameters and optimizer state that every step reads are found here by the next call.
 *
 * - A copy is always identical to its host array: the host backend writes host storages only
 *   through its in-place kernels (assign, sgdStep, adamStep), which update the copy they ran on
 *   and then the host array.
 * - The cache is an LRU bounded by bytes (default 32 MiB). It evicts only between calls (`trim`),
 *   never while a call may still be using a copy. Wasm memory stays bounded: budget + one call.
 * - It holds its host storages strongly until evicted: up to the budget of JS memory, too.
 */
class WasmCopies {
  private map = new Map<Storage, WasmStorage>();
  bytes = 0;
  budget = 32 * 2 ** 20;

  get count(): number {
    return this.map.size;
  }

  /** The copy of `s`, marked most recently used. */
  get(s: Storage): WasmStorage | undefined {
    const b = this.map.get(s);
    if (b) {
      this.map.delete(s);
      this.map.set(s, b);
    }
    return b;
  }

  /** The copy of `s`, without touching the LRU order. */
  peek(s: Storage): WasmStorage | undefined {
    return this.map.get(s);
  }

  /** Takes ownership of `block` as the copy of `s`. */
  put(s: Storage, block: WasmStorage): void {
    const old = this.map.get(s);
    if (old === block) return;
    if (old) this.drop(s);
    this.map.set(s, block);
    this.bytes += block.blockBytes;
  }

  drop(s: Storage): void {
    const b = this.map.get(s);
    if (!b) return;
    this.map.delete(s);
    this.bytes -= b.blockBytes;
    releaseStorage(b);
  }

  /** Evicts least recently used copies down to the budget; call only between kernel calls. */
  trim(): void {
    for (const s of this.map.keys()) {
      if (this.bytes <= this.budget) return;
      this.drop(s);
    }
  }

  clear(): void {
    for (const s of [...this.map.keys()]) this.drop(s);
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
