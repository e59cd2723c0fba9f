import type { Storage } from "../backend.js";
import { TensileError } from "../../errors.js";
import type { TypedArray } from "../../tensor/dtype.js";
import { type WasmStorage, copyOut, liveBytes as poolLiveBytes, liveStorageCount as poolLiveCount, releaseStorage, viewOf } from "./memory.js";

/**
 * Wasm copies of recently used host storages, so a chain of ops does not copy each tensor into
 * wasm memory again: the output of one call (im2col's columns, a layer's activation) and the
 * parameters and optimizer state that every step reads are found here by the next call.
 *
 * - A copy is never behind its host array. Kernel results live only in their copy at first, and
 *   the in-place kernels (assign, sgdStep, adamStep) update only the cached copy they ran on: the
 *   host array is *behind* (`RefStorage.refresh` set) until it is read — so an optimizer step
 *   does not copy every parameter back to JS memory. A copy evicted while behind is copied out
 *   (its `spill`), and the storage adopts those elements as its array when it is next read.
 * - The cache is an LRU bounded by bytes. It evicts only between calls (`trim`), never while a
 *   call may still be using a copy. Wasm memory stays bounded: budget + one call.
 * - It holds no reference to its host storages: a copy whose storage the collector found dead is
 *   freed without a copy out (`gcRegistry`).
 * - The budget (`setWasmCacheBytes`, default 64 MiB) sets how long a dead result may wait in wasm
 *   for the collector's report: on the CNN of the benchmark (~40 MB of activations per step) 32 MiB
 *   copied out nearly everything it evicted, 64 MiB about half, and the epoch took ~10% less.
 */

/**
 * One cached copy: a node of the LRU list, reachable from its host storage's `cacheSlot` — and
 * only from there: the entry holds no reference to its storage, so a dead tensor's storage can be
 * collected while its copy is cached, and the collector says so (see `gcRegistry`).
 */
interface Entry {
  /** The wasm copy; null once evicted, dropped or collected. */
  block: WasmStorage | null;
  /** The host array is behind `block` (a kernel result not read yet, an in-place update). */
  behind: boolean;
  /** Evicted while behind: the elements, copied out, for the storage to adopt when next read. */
  spill: TypedArray | null;
  prev: Entry | null;
  next: Entry | null;
}

/** Host storages carry a slot for their entry, so a lookup is a field read, not a hash lookup. */
type Slotted = Storage & { cacheSlot?: unknown };

/** What left the cache since start, and how. */
export interface CacheTraffic {
  /** Copies freed because the collector found their storage dead: no copy out. */
  collected: number;
  /** Copies evicted while their host array was behind: copied out to JS. */
  copiedOut: number;
  copiedOutBytes: number;
  /** Bytes of copies evicted (to make room; the ones copied out are among them). */
  evictedBytes: number;
  /** Bytes that came back after an eviction: a copied-out storage read again, or one staged again. */
  returnedBytes: number;
}

/**
 * The collector's word on dead storages. A FinalizationRegistry reports a collected target by a
 * callback, which engines run only when the program returns to the event loop — a synchronous
 * training loop never does. V8 can also hand the reports over synchronously
 * (`FinalizationRegistry.prototype.cleanupSome`, a stage-2 proposal behind the flag
 * `--harmony-weak-refs-with-cleanup-some`); in Node the flag is set at run time and a registry made
 * in a fresh context has the method. Then every trim that must evict first frees the copies of the
 * storages that the last full collections found dead, and only the others are copied out.
 * Elsewhere (browsers, `TENSILE_GC_NOTIFY=0`) the callbacks free dead copies whenever the program
 * yields. (V8 reports dead targets from full collections only; forcing one before an eviction
 * measured no faster than copying out.)
 */
interface GcRegistry {
  register(target: object, held: Entry, token: Entry): void;
  unregister(token: Entry): void;
  cleanupSome?: () => void;
}

function gcRegistry(onDead: (e: Entry) => void): GcRegistry {
  type Proc = { env?: Record<string, string | undefined>; getBuiltinModule?: (id: string) => unknown };
  const proc = (globalThis as { process?: Proc }).process;
  if (proc?.getBuiltinModule && proc.env?.TENSILE_GC_NOTIFY !== "0") {
    try {
      const vm = proc.getBuiltinModule("node:vm") as { runInNewContext(code: string): unknown };
      const make = () => new (vm.runInNewContext("FinalizationRegistry") as new (cb: (e: Entry) => void) => GcRegistry)(onDead);
      let r = make(); // with the flag given on the command line, it is there already
      // Set the flag only on the V8 line it was checked with (Node 20's 11.3): an engine without
      // it would print "unrecognized flag" on stderr.
      const v8 = (globalThis as { process?: { versions?: { v8?: string } } }).process?.versions?.v8 ?? "";
      if (typeof r.cleanupSome !== "function" && v8.startsWith("11.3.")) {
        (proc.getBuiltinModule("node:v8") as { setFlagsFromString(f: string): void })
          .setFlagsFromString("--harmony-weak-refs-with-cleanup-some");
        r = make();
      }
      if (typeof r.cleanupSome === "function") return r;
    } catch {
      // no vm module: the plain registry below
    }
  }
  return new FinalizationRegistry<Entry>(onDead) as unknown as GcRegistry;
}

const DEFAULT_BUDGET = 64 * 2 ** 20;

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
  budget = DEFAULT_BUDGET;
  readonly traffic: CacheTraffic = { collected: 0, copiedOut: 0, copiedOutBytes: 0, evictedBytes: 0, returnedBytes: 0 };
  private readonly registry = gcRegistry((e) => this.collected(e));

  get count(): number {
    return this.n;
  }

  /** Whether dead storages are reported synchronously (Node with the V8 flag; see gcRegistry). */
  get syncGcReports(): boolean {
    return typeof this.registry.cleanupSome === "function";
  }

  private entry(s: Storage): Entry | undefined {
    const e = (s as Slotted).cacheSlot as Entry | undefined;
    return e && e.block ? e : undefined;
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
    return e.block!;
  }

  /** The copy of `s`, without touching the LRU order. */
  peek(s: Storage): WasmStorage | undefined {
    return this.entry(s)?.block!;
  }

  /** Takes ownership of `block` as the copy of `s`; `behind`: the host array is behind it. */
  put(s: Storage, block: WasmStorage, behind = false): void {
    const slot = (s as Slotted).cacheSlot as Entry | undefined;
    if (slot?.block === block) {
      slot.behind ||= behind;
      return;
    }
    if (slot?.block) {
      // Callers stage a storage from its (up-to-date) host array, which clears `behind` first;
      // replacing a copy that is ahead of its host would lose the newer elements.
      if (slot.behind) throw new TensileError("wasm backend: replacing a cached copy that is newer than its tensor (internal error)");
      this.drop(s);
    } else if (slot) this.returned(block.byteLength); // staged again after an eviction
    const e: Entry = { block, behind, spill: null, prev: null, next: null };
    (s as Slotted).cacheSlot = e;
    this.registry.register(s, e, e);
    this.append(e);
    this.n++;
    this.bytes += block.blockBytes;
  }

  /** Marks the host array of `s` behind its copy (an in-place kernel wrote the copy only). */
  markBehind(s: Storage): void {
    const e = this.entry(s);
    if (e) e.behind = true;
  }

  /**
   * Brings the host array of `s` up to date: from its copy, or by adopting the elements copied
   * out when the copy was evicted. Returns false when nothing is newer than the host array.
   */
  refreshHost(s: Storage, raw: (() => TypedArray) | null, adopt: (a: TypedArray) => void): boolean {
    const e = (s as Slotted).cacheSlot as Entry | undefined;
    if (!e) return false;
    if (e.block) {
      if (!e.behind) return false;
      // no host array yet (a kernel result read for the first time): adopt a copy, else fill it
      if (raw) raw().set(viewOf(s.dtype, e.block.ptr, s.length));
      else adopt(copyOut(s.dtype, e.block.ptr, s.length));
      e.behind = false;
      return true;
    }
    if (!e.spill) return false;
    adopt(e.spill);
    this.returned(e.spill.byteLength);
    e.spill = null;
    (s as Slotted).cacheSlot = undefined; // counted as returned once, not again when staged
    return true;
  }

  /**
   * Frees the copy of `s`. A host array that is behind its copy gets the elements first (kept for
   * it to adopt), unless `dead` (the storage will never be read again: `release`).
   */
  drop(s: Storage, dead = false): void {
    const e = this.entry(s);
    if (!e) return;
    this.remove(e, dead);
    if (!e.spill) (s as Slotted).cacheSlot = undefined; // not an eviction: no return to count
  }

  private remove(e: Entry, dead = false): void {
    const block = e.block!;
    if (e.behind && !dead) {
      // the storage may still be read: keep its elements in JS memory, which the collector
      // frees with the storage (the entry is reachable from the storage only)
      e.spill = copyOut(block.dtype, block.ptr, block.length);
      this.traffic.copiedOut++;
      this.traffic.copiedOutBytes += block.byteLength;
    }
    this.registry.unregister(e);
    this.unlink(e);
    e.block = null;
    this.n--;
    this.bytes -= block.blockBytes;
    releaseStorage(block);
  }

  /** The collector found the storage of `e` dead: its copy is freed with no copy out. */
  private collected(e: Entry): void {
    e.spill = null;
    const block = e.block;
    if (!block) return;
    this.unlink(e);
    e.block = null;
    this.n--;
    this.bytes -= block.blockBytes;
    releaseStorage(block);
    this.traffic.collected++;
  }

  private returned(bytes: number): void {
    this.traffic.returnedBytes += bytes;
  }

  /**
   * Evicts least recently used copies down to the budget; call only between kernel calls. First
   * the copies of storages the collector has found dead go, with no copy out (where it reports
   * synchronously). The `keep` most recently used entries (the inputs and outputs of the call that
   * just ended) stay even over the budget: the next call usually reads the outputs (im2col's
   * columns feed the GEMM), and a consumed temporary is usually released right after its call
   * (conv releases the columns after the GEMM) — evicting either would copy it out to JS, for
   * nothing or only to copy it back in.
   */
  trim(keep = 0): void {
    if (this.bytes <= this.budget) return;
    this.registry.cleanupSome?.();
    let stop: Entry | null = this.tail;
    for (let i = 1; i < keep && stop; i++) stop = stop.prev;
    while (this.bytes > this.budget && this.head) {
      if (keep > 0 && this.head === stop) break;
      this.traffic.evictedBytes += this.head.block!.byteLength;
      this.remove(this.head);
    }
  }

  clear(): void {
    while (this.head) this.remove(this.head);
  }
}

export const copies = new WasmCopies();

/**
 * Sets the bytes of wasm memory kept for copies of recently used tensors (default 64 MiB; 0 turns
 * caching off). More keeps a larger model's step in wasm and gives the collector longer to report
 * dead results (freed with no copy out), at the price of that much more memory.
 */
export function setWasmCacheBytes(n: number): void {
  if (!(n >= 0)) throw new TensileError(`setWasmCacheBytes: expected a number of bytes ≥ 0, got ${n}`);
  copies.budget = n;
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

/**
 * Copies cached, their bytes and the budget; whether the collector reports dead storages
 * synchronously here; and what left the cache since start: copies freed because their storage
 * died (no copy out), copies copied out to JS on eviction, and bytes that came back after one.
 */
export function wasmCacheStats(): { count: number; bytes: number; budget: number; syncGcReports: boolean } & CacheTraffic {
  return { count: copies.count, bytes: copies.bytes, budget: copies.budget, syncGcReports: copies.syncGcReports, ...copies.traffic };
}
