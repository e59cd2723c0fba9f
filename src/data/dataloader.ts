/**
 * `DataLoader`, as in `torch.utils.data.DataLoader`: batches a dataset through a sampler and a
 * collate function. Iterate it with `for (const [x, y] of loader)` (map-style datasets and
 * synchronous streams) or `for await (...)` (any dataset, including asynchronous streams).
 */
import { Generator } from "../core.js";
import { TensileError, fmtValue } from "../errors.js";
import { type PositionalArgs, positionalOptions } from "../utils/positional.js";
import { defaultCollate, defaultConvert, type Collated } from "./collate.js";
import { IterableDataset, hasGetBatch, type MapDataset, type StreamProtocols } from "./dataset.js";
import { BatchSampler, RandomSampler, SequentialSampler, type Sampler } from "./sampler.js";

export interface DataLoaderOptions<T, B> {
  /** Samples per batch (default 1); `null` yields samples one by one, uncollated: each through `defaultConvert`, or through `collateFn` when one is given (called with the sample itself, not a list, as PyTorch). */
  batchSize?: number | null;
  /** Reshuffle the indices every epoch (default false). Seeded by `generator`, else the default generator. */
  shuffle?: boolean;
  /** Where indices come from (mutually exclusive with `shuffle`). */
  sampler?: Iterable<number> & { readonly length?: number };
  /** Yields whole index lists (mutually exclusive with batchSize, shuffle, sampler, dropLast). */
  batchSampler?: Iterable<readonly number[]> & { readonly length?: number };
  /** Drop the last batch when it is smaller than `batchSize` (default false). */
  dropLast?: boolean;
  /**
   * Merges a list of samples into a batch (default `defaultCollate`). With `batchSize: null` PyTorch
   * calls it on each sample alone: type it `(sample: T) => B` there (cast, as the option's type is the batched one).
   */
  collateFn?: (samples: T[]) => B;
  /** Generator for the shuffling `RandomSampler`. */
  generator?: Generator;
  /** PyTorch's worker count: only 0 (the default) — Tensile loads batches in the calling thread. */
  numWorkers?: number;
  /** Accepted and ignored, as PyTorch does without an accelerator: there is no device memory to pin. */
  pinMemory?: boolean;
  /** PyTorch's worker timeout: only 0 (there are no workers to wait for). */
  timeout?: number;
  /** PyTorch's per-worker hook: only null (there are no workers). */
  workerInitFn?: null;
  /** PyTorch's multiprocessing context: only null (there are no workers). */
  multiprocessingContext?: null;
}

/** torch.utils.data.DataLoader's positional-or-keyword parameters after the dataset, in its order. */
const POSITIONAL = ["batchSize", "shuffle", "sampler", "batchSampler", "numWorkers", "collateFn", "pinMemory",
  "dropLast", "timeout", "workerInitFn", "multiprocessingContext", "generator"] as const;

/** DataLoader's arguments after the dataset, as `new DataLoader(ds, 64, true)` writes them (PyTorch's order). */
export type DataLoaderPositional<T, B> = [
  batchSize: number | null, shuffle: boolean, sampler: (Iterable<number> & { readonly length?: number }) | null,
  batchSampler: (Iterable<readonly number[]> & { readonly length?: number }) | null, numWorkers: number,
  collateFn: ((samples: T[]) => B) | null, pinMemory: boolean, dropLast: boolean, timeout: number,
  workerInitFn: null, multiprocessingContext: null, generator: Generator | null,
];

/** Reads `(batchSize, shuffle, ..., generator, options?)` or `(options)` into one checked options object. */
function loaderOptions<T, B>(args: readonly unknown[]): DataLoaderOptions<T, B> {
  const o = positionalOptions<DataLoaderOptions<T, B>>("DataLoader", args, { keys: POSITIONAL, after: "the dataset", keepNull: ["batchSize"] });
  for (const k of Object.keys(o))
    if (!(POSITIONAL as readonly string[]).includes(k))
      throw new TensileError(`DataLoader: unknown option "${k}" (expected one of: ${POSITIONAL.join(", ")})`);
  const only = (k: "numWorkers" | "timeout" | "workerInitFn" | "multiprocessingContext", ok: unknown, why: string) => {
    const v = o[k];
    if (v !== undefined && v !== null && v !== ok) throw new TensileError(`DataLoader: ${k}=${fmtValue(v)} is not supported: ${why}`);
  };
  only("numWorkers", 0, "Tensile loads batches in the calling thread (pass 0 or leave it out)");
  only("timeout", 0, "there are no worker processes to wait for (pass 0 or leave it out)");
  only("workerInitFn", null, "there are no worker processes (leave it out)");
  only("multiprocessingContext", null, "there are no worker processes (leave it out)");
  if (o.pinMemory !== undefined && typeof o.pinMemory !== "boolean")
    throw new TensileError(`DataLoader: pinMemory must be a boolean, got ${fmtValue(o.pinMemory)}`);
  if (o.shuffle !== undefined && o.shuffle !== null && typeof o.shuffle !== "boolean")
    throw new TensileError(`DataLoader: shuffle must be a boolean, got ${fmtValue(o.shuffle)}`);
  if (o.dropLast !== undefined && typeof o.dropLast !== "boolean")
    throw new TensileError(`DataLoader: dropLast must be a boolean, got ${fmtValue(o.dropLast)}`);
  if (o.collateFn !== undefined && o.collateFn !== null && typeof o.collateFn !== "function")
    throw new TensileError(`DataLoader: collateFn must be a function, got ${fmtValue(o.collateFn)}`);
  return o;
}

/** What a DataLoader accepts: a map-style dataset (or a plain array of samples) or an `IterableDataset`. */
export type DataLoaderSource<T> = MapDataset<T> | readonly T[] | IterableDataset<T>;

export class DataLoader<T, B = Collated<T>> implements Iterable<B>, AsyncIterable<B> {
  readonly dataset: DataLoaderSource<T>;
  readonly batchSize: number | null;
  readonly dropLast: boolean;
  readonly generator?: Generator;
  /** The index sampler (map-style datasets only). */
  readonly sampler: (Iterable<number> & { readonly length?: number }) | null;
  /** Index lists per batch (map-style datasets with batching only). */
  readonly batchSampler: (Iterable<readonly number[]> & { readonly length?: number }) | null;
  readonly collateFn: (samples: T[]) => B;
  private readonly usesDefaultCollate: boolean;

  constructor(dataset: DataLoaderSource<T>, options?: DataLoaderOptions<T, B>);
  /**
   * PyTorch's positional order (batchSize, shuffle, sampler, batchSampler, numWorkers, collateFn,
   * pinMemory, dropLast, timeout, workerInitFn, multiprocessingContext, generator), then an optional
   * options object: `new DataLoader(ds, 64, true)` is `new DataLoader(ds, { batchSize: 64, shuffle: true })`.
   */
  constructor(dataset: DataLoaderSource<T>, ...args: PositionalArgs<DataLoaderPositional<T, B>, DataLoaderOptions<T, B>>);
  constructor(dataset: DataLoaderSource<T>, ...args: unknown[]) {
    const options = loaderOptions<T, B>(args);
    const { shuffle = false, dropLast = false } = options;
    const sampler = options.sampler ?? undefined, batchSampler = options.batchSampler ?? undefined;
    const generator = options.generator ?? undefined, collateFn = options.collateFn ?? undefined;
    const batchSize = options.batchSize === undefined ? 1 : options.batchSize;
    this.dataset = dataset;
    this.dropLast = dropLast;
    this.generator = generator;
    if (batchSize !== null && (!Number.isInteger(batchSize) || batchSize < 1))
      throw new TensileError(`DataLoader: batchSize should be a positive integer or null, got ${batchSize}`);
    if (dataset === null || (typeof dataset !== "object" && typeof dataset !== "function"))
      throw new TensileError(`DataLoader: dataset must be a Dataset (getItem and length), an array or an iterable, got ${fmtValue(dataset)}`);
    if (sampler !== undefined && (sampler === null || typeof sampler === "string" || typeof (sampler as Partial<Iterable<number>>)[Symbol.iterator] !== "function"))
      throw new TensileError(`DataLoader: sampler must be an iterable of indices (a Sampler), got ${fmtValue(sampler)}`);
    if (batchSampler !== undefined && (batchSampler === null || typeof batchSampler === "string" || typeof (batchSampler as Partial<Iterable<number[]>>)[Symbol.iterator] !== "function"))
      throw new TensileError(`DataLoader: batchSampler must be an iterable of index lists (a Sampler), got ${fmtValue(batchSampler)}`);
    const isStream = dataset instanceof IterableDataset || !isMapStyle(dataset);
    if (isStream) {
      if (!(Symbol.iterator in dataset) && !(Symbol.asyncIterator in dataset))
        throw new TensileError("DataLoader: the dataset has neither getItem/length nor an iterator");
      if (shuffle) throw new TensileError("DataLoader: shuffle is not supported with an IterableDataset (shuffle inside the stream)");
      if (sampler) throw new TensileError("DataLoader: a sampler cannot be used with an IterableDataset");
      if (batchSampler) throw new TensileError("DataLoader: a batchSampler cannot be used with an IterableDataset");
      this.sampler = null;
      this.batchSampler = null;
    } else {
      if (sampler && shuffle) throw new TensileError("DataLoader: sampler option is mutually exclusive with shuffle");
      // PyTorch's test: a batch_size other than its default 1 (so `new DataLoader(ds, 1, false, null, bs)` passes)
      if (batchSampler && ((options.batchSize !== undefined && options.batchSize !== 1) || shuffle || sampler || dropLast))
        throw new TensileError("DataLoader: batchSampler option is mutually exclusive with batchSize, shuffle, sampler, and dropLast");
      const source = asMapDataset(dataset);
      this.sampler = sampler ?? (shuffle ? new RandomSampler(source, { generator }) : new SequentialSampler(source));
      this.batchSampler = batchSampler ?? (batchSize === null ? null : new BatchSampler(this.sampler, batchSize, dropLast));
    }
    this.batchSize = batchSampler ? null : batchSize;
    this.usesDefaultCollate = collateFn === undefined;
    this.collateFn = collateFn ?? ((samples: T[]) => defaultCollate(samples) as B);
  }

  /** Number of batches per epoch (samples, when `batchSize` is null). */
  get length(): number {
    if (this.batchSampler) {
      const n = this.batchSampler.length;
      if (n === undefined) throw new TensileError("DataLoader: the batchSampler has no length");
      return n;
    }
    if (this.sampler) {
      const n = this.sampler.length;
      if (n === undefined) throw new TensileError("DataLoader: the sampler has no length");
      return n;
    }
    const n = (this.dataset as { length?: number }).length;
    if (n === undefined) throw new TensileError("DataLoader: length is unknown for an IterableDataset without a length");
    if (this.batchSize === null) return n;
    return this.dropLast ? Math.floor(n / this.batchSize) : Math.ceil(n / this.batchSize);
  }

  *[Symbol.iterator](): Iterator<B> {
    if (this.sampler) {
      yield* this.mapStyleBatches();
      return;
    }
    const stream = this.dataset as StreamProtocols<T>;
    if (typeof stream[Symbol.iterator] !== "function")
      throw new TensileError("DataLoader: this dataset is asynchronous; iterate the loader with `for await (const batch of loader)`");
    yield* this.group(stream[Symbol.iterator]!());
  }

  async *[Symbol.asyncIterator](): AsyncIterator<B> {
    if (this.sampler) {
      yield* this.mapStyleBatches();
      return;
    }
    const stream = this.dataset as StreamProtocols<T>;
    if (typeof stream[Symbol.asyncIterator] === "function") {
      const it = stream[Symbol.asyncIterator]!();
      let batch: T[] = [];
      for (let r = await it.next(); !r.done; r = await it.next()) {
        if (this.batchSize === null) {
          yield this.unbatched(r.value);
          continue;
        }
        batch.push(r.value);
        if (batch.length === this.batchSize) {
          yield this.collateFn(batch);
          batch = [];
        }
      }
      if (batch.length > 0 && !this.dropLast) yield this.collateFn(batch);
      return;
    }
    yield* this.group(stream[Symbol.iterator]!());
  }

  /** A sample of an unbatched loader: PyTorch's `default_convert` with the default collate, else `collateFn(sample)`, as PyTorch. */
  private unbatched(sample: T): B {
    return this.usesDefaultCollate ? (defaultConvert(sample) as unknown as B) : (this.collateFn as unknown as (s: T) => B)(sample);
  }

  private *group(it: Iterator<T>): IterableIterator<B> {
    let batch: T[] = [];
    for (let r = it.next(); !r.done; r = it.next()) {
      if (this.batchSize === null) {
        yield this.unbatched(r.value);
        continue;
      }
      batch.push(r.value);
      if (batch.length === this.batchSize) {
        yield this.collateFn(batch);
        batch = [];
      }
    }
    if (batch.length > 0 && !this.dropLast) yield this.collateFn(batch);
  }

  private *mapStyleBatches(): IterableIterator<B> {
    const source = asMapDataset(this.dataset as MapDataset<T> | readonly T[]);
    if (!this.batchSampler) {
      // batchSize null: samples one by one, as PyTorch (no collation).
      for (const i of this.sampler!) yield this.unbatched(source.getItem(i));
      return;
    }
    const fast = this.usesDefaultCollate && hasGetBatch(source);
    for (const indices of this.batchSampler) {
      if (fast) yield source.getBatch(indices) as B;
      else yield this.collateFn(indices.map((i) => source.getItem(i)));
    }
  }
}

function isMapStyle<T>(d: DataLoaderSource<T>): d is MapDataset<T> | readonly T[] {
  return Array.isArray(d) || typeof (d as Partial<MapDataset<T>>).getItem === "function";
}

function asMapDataset<T>(d: MapDataset<T> | readonly T[]): MapDataset<T> {
  if (!Array.isArray(d)) return d as MapDataset<T>;
  const arr = d as readonly T[];
  return {
    length: arr.length,
    getItem: (i: number) => {
      if (!Number.isInteger(i) || i < 0 || i >= arr.length)
        throw new TensileError(`DataLoader: index ${i} is out of range for a dataset of length ${arr.length}`);
      return arr[i]!;
    },
  };
}

/** What `getWorkerInfo()` returns inside a DataLoader worker (PyTorch's `WorkerInfo`). */
export interface WorkerInfo {
  readonly id: number;
  readonly numWorkers: number;
  readonly seed: number;
  readonly dataset: unknown;
}

/**
 * PyTorch's `torch.utils.data.get_worker_info()`: the current DataLoader worker's id, worker count,
 * seed and dataset copy, or null in the main process. Tensile's DataLoader loads every batch in the
 * calling thread (it has no `num_workers`), so this is always null; datasets written for PyTorch that
 * shard themselves by worker (`if (info === null) { whole range } else { a slice }`) take the
 * single-process branch.
 */
export function getWorkerInfo(): WorkerInfo | null {
  return null;
}
