/**
 * Datasets, as in `torch.utils.data`: map-style `Dataset` (`getItem(i)`, `length`), `IterableDataset`
 * (a sync or async stream), and the combinators `TensorDataset`, `Subset`, `ConcatDataset`,
 * `ChainDataset` (of streams), `randomSplit`.
 */
import { Generator, Tensor, indexSelect, tensor } from "../core.js";
import { TensileError, fmtValue } from "../errors.js";
import { positionalOptions } from "../utils/positional.js";
import { permutation } from "./random.js";
import { defaultCollate, type Collated } from "./collate.js";

/** Anything map-style: `getItem(i)` for `0 <= i < length`. */
export interface MapDataset<T> {
  getItem(index: number): T;
  readonly length: number;
}

/**
 * A map-style dataset that can also build a whole batch at once. `getBatch(indices)` must equal
 * `defaultCollate(indices.map(i => getItem(i)))`; the `DataLoader` uses it (when no custom
 * `collateFn` is given) so that e.g. a `TensorDataset` batch is one gather per tensor.
 */
export interface BatchDataset<T, B = unknown> extends MapDataset<T> {
  getBatch(indices: readonly number[]): B;
}

export function hasGetBatch<T>(d: MapDataset<T>): d is BatchDataset<T> {
  return typeof (d as Partial<BatchDataset<T>>).getBatch === "function";
}

/** Base class of map-style datasets: subclasses implement `getItem(i)` and `length`. */
export abstract class Dataset<T> implements MapDataset<T> {
  abstract getItem(index: number): T;
  abstract readonly length: number;

  /** Iterates the items in order (convenience; loaders use `getItem`). */
  *[Symbol.iterator](): Iterator<T> {
    for (let i = 0; i < this.length; i++) yield this.getItem(i);
  }
}

/**
 * Base class of stream-style datasets: subclasses implement `[Symbol.iterator]` (consumed with
 * `for ... of loader`) and/or `[Symbol.asyncIterator]` (consumed with `for await`). A `length`, if
 * known, lets `DataLoader.length` work. `IterableDataset.from(source)` wraps any (async) iterable or a
 * function returning one (called once per epoch).
 */
export abstract class IterableDataset<T> {
  // Subclasses add `*[Symbol.iterator]()` and/or `async *[Symbol.asyncIterator]()` (not declared
  // here, so that they need no `override` under noImplicitOverride); see `StreamProtocols`.
  /** Phantom member tying the item type to the class. */
  declare readonly __item?: T;

  static from<T>(source: (() => Iterable<T> | AsyncIterable<T>) | Iterable<T> | AsyncIterable<T>, length?: number): IterableDataset<T> {
    return new FromIterable(source, length);
  }
}

/** The iteration protocols an `IterableDataset` may implement. */
export interface StreamProtocols<T> {
  [Symbol.iterator]?(): Iterator<T>;
  [Symbol.asyncIterator]?(): AsyncIterator<T>;
}

class FromIterable<T> extends IterableDataset<T> {
  readonly length?: number;
  constructor(private readonly source: (() => Iterable<T> | AsyncIterable<T>) | Iterable<T> | AsyncIterable<T>, length?: number) {
    super();
    this.length = length;
  }
  private open(): Iterable<T> | AsyncIterable<T> {
    return typeof this.source === "function" ? this.source() : this.source;
  }
  [Symbol.iterator](): Iterator<T> {
    const s = this.open();
    if (!(Symbol.iterator in s))
      throw new TensileError("IterableDataset: this source is asynchronous; iterate its DataLoader with `for await`");
    return s[Symbol.iterator]();
  }
  [Symbol.asyncIterator](): AsyncIterator<T> {
    const s = this.open();
    if (Symbol.asyncIterator in s) return s[Symbol.asyncIterator]();
    const it = s[Symbol.iterator]();
    return { next: async () => it.next() };
  }
}

/**
 * Several `IterableDataset`s one after the other, chained on the fly (`torch.utils.data.ChainDataset`):
 * each epoch iterates the first stream to its end, then the second, and so on. `length` is the sum
 * of theirs, or undefined when one has none. Iterate it synchronously when every stream is
 * synchronous; `for await` works with any mix.
 * ```ts
 * const both = new ChainDataset([IterableDataset.from([1, 2]), IterableDataset.from([3])]);
 * [...new DataLoader(both, { batchSize: null })]; // [1, 2, 3]
 * ```
 */
export class ChainDataset<T> extends IterableDataset<T> {
  readonly datasets: readonly IterableDataset<T>[];
  constructor(datasets: Iterable<IterableDataset<T>>) {
    super();
    if (datasets === null || typeof (datasets as Partial<Iterable<unknown>>)?.[Symbol.iterator] !== "function")
      throw new TensileError("ChainDataset: datasets should be an iterable of IterableDatasets");
    this.datasets = [...datasets];
    this.datasets.forEach((d, i) => {
      if (!(d instanceof IterableDataset))
        throw new TensileError(`ChainDataset: only supports IterableDataset, but dataset ${i} is ${d === null ? "null" : (d as object)?.constructor?.name ?? typeof d}`);
    });
  }

  get length(): number | undefined {
    let total = 0;
    for (const d of this.datasets) {
      const n = (d as { length?: number }).length;
      if (n === undefined) return undefined;
      total += n;
    }
    return total;
  }

  *[Symbol.iterator](): Iterator<T> {
    for (const [i, d] of this.datasets.entries()) {
      const s = d as StreamProtocols<T>;
      if (typeof s[Symbol.iterator] !== "function")
        throw new TensileError(`ChainDataset: dataset ${i} is asynchronous; iterate with \`for await\``);
      yield* { [Symbol.iterator]: () => s[Symbol.iterator]!() };
    }
  }

  async *[Symbol.asyncIterator](): AsyncIterator<T> {
    for (const d of this.datasets) {
      const s = d as StreamProtocols<T>;
      if (typeof s[Symbol.asyncIterator] === "function") yield* { [Symbol.asyncIterator]: () => s[Symbol.asyncIterator]!() };
      else yield* { [Symbol.iterator]: () => s[Symbol.iterator]!() };
    }
  }
}

function checkIndex(op: string, index: number, length: number): void {
  if (!Number.isInteger(index) || index < 0 || index >= length)
    throw new TensileError(`${op}: index ${index} is out of range for a dataset of length ${length}`);
}

/** Index tensor for a batch, checking every index against the dataset length. */
export function batchIndexTensor(op: string, indices: readonly number[], length: number): Tensor {
  const idx = new Int32Array(indices.length);
  for (let k = 0; k < indices.length; k++) {
    const i = indices[k]!;
    checkIndex(op, i, length);
    idx[k] = i;
  }
  return tensor(idx, { shape: [idx.length], dtype: "int32" });
}

/**
 * Wraps tensors that share their first dimension; item `i` is the tuple of row slices `t[i]`.
 * A batch is built with one `indexSelect` per tensor (see `getBatch`).
 */
export class TensorDataset<Ts extends Tensor[] = Tensor[]> extends Dataset<Ts> implements BatchDataset<Ts, Ts> {
  readonly tensors: Ts;

  constructor(...tensors: Ts) {
    super();
    if (tensors.length === 0) throw new TensileError("TensorDataset: needs at least one tensor");
    tensors.forEach((t, i) => {
      if (!(t instanceof Tensor)) throw new TensileError(`TensorDataset: argument ${i} is not a Tensor`);
      if (t.ndim === 0) throw new TensileError(`TensorDataset: tensor ${i} is 0-d; every tensor needs a first (sample) dimension`);
    });
    const n = tensors[0]!.shape[0]!;
    const sizes = tensors.map((t) => t.shape[0]);
    if (sizes.some((s) => s !== n))
      throw new TensileError(`TensorDataset: size mismatch between tensors: first dimensions are [${sizes.join(", ")}]`);
    this.tensors = tensors;
  }

  get length(): number {
    return this.tensors[0]!.shape[0]!;
  }

  getItem(index: number): Ts {
    checkIndex("TensorDataset.getItem", index, this.length);
    return this.tensors.map((t) => t.index([index])) as Ts;
  }

  getBatch(indices: readonly number[]): Ts {
    const idx = batchIndexTensor("TensorDataset.getBatch", indices, this.length);
    return this.tensors.map((t) => indexSelect(t, 0, idx)) as Ts;
  }
}

/** The items of `dataset` at `indices`, in that order. */
export class Subset<T> extends Dataset<T> {
  readonly indices: readonly number[];
  constructor(readonly dataset: MapDataset<T>, indices: readonly number[] | Int32Array) {
    super();
    this.indices = Array.from(indices);
    for (const i of this.indices) checkIndex("Subset", i, dataset.length);
  }
  get length(): number {
    return this.indices.length;
  }
  getItem(index: number): T {
    checkIndex("Subset.getItem", index, this.indices.length);
    return this.dataset.getItem(this.indices[index]!);
  }
  /** One parent `getBatch` when the parent has one (e.g. a `TensorDataset`), else collated items. */
  getBatch(indices: readonly number[]): Collated<T> {
    const mapped = indices.map((i) => {
      checkIndex("Subset.getBatch", i, this.indices.length);
      return this.indices[i]!;
    });
    const parent = this.dataset;
    if (hasGetBatch(parent)) return parent.getBatch(mapped) as Collated<T>;
    return defaultCollate(mapped.map((i) => parent.getItem(i)));
  }
}

/** The concatenation of several datasets, indexed end to end. */
export class ConcatDataset<T> extends Dataset<T> {
  readonly datasets: readonly MapDataset<T>[];
  readonly cumulativeSizes: readonly number[];
  constructor(datasets: readonly MapDataset<T>[]) {
    super();
    if (datasets.length === 0) throw new TensileError("ConcatDataset: datasets should not be an empty list");
    datasets.forEach((d, i) => {
      if (d instanceof IterableDataset) throw new TensileError("ConcatDataset: does not support IterableDataset");
      if (d === null || typeof d !== "object" || typeof d.getItem !== "function" || !Number.isInteger(d.length))
        throw new TensileError(`ConcatDataset: datasets[${i}] is not a map-style dataset (getItem and length), got ${fmtValue(d)}`);
    });
    this.datasets = [...datasets];
    let acc = 0;
    this.cumulativeSizes = datasets.map((d) => (acc += d.length));
  }
  get length(): number {
    return this.cumulativeSizes[this.cumulativeSizes.length - 1]!;
  }
  getItem(index: number): T {
    checkIndex("ConcatDataset.getItem", index, this.length);
    // Binary search for the first dataset whose cumulative size exceeds index.
    let lo = 0, hi = this.cumulativeSizes.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.cumulativeSizes[mid]! > index) hi = mid;
      else lo = mid + 1;
    }
    const start = lo === 0 ? 0 : this.cumulativeSizes[lo - 1]!;
    return this.datasets[lo]!.getItem(index - start);
  }
}

/**
 * Splits `dataset` into non-overlapping random subsets. `lengths` are sizes summing to the dataset
 * length, or fractions summing to 1 (sizes `floor(f·n)`, the remainder handed out one by one from
 * the first subset, as PyTorch does).
 */
export function randomSplit<T>(
  dataset: MapDataset<T>,
  lengths: readonly number[],
  generatorOrOptions?: Generator | null | { generator?: Generator },
): Subset<T>[] {
  const options = positionalOptions<{ generator?: Generator }>("randomSplit", [generatorOrOptions], { keys: ["generator"], after: "lengths" });
  for (const k of Object.keys(options)) if (k !== "generator") throw new TensileError(`randomSplit: unknown option "${k}" (expected generator)`);
  if (options.generator !== undefined && !(options.generator instanceof Generator))
    throw new TensileError(`randomSplit: generator must be a Generator, got ${fmtValue(options.generator)}`);
  const n = dataset.length;
  let sizes = [...lengths];
  if (sizes.some((l) => !Number.isFinite(l) || l < 0))
    throw new TensileError(`randomSplit: lengths must be non-negative, got [${lengths.join(", ")}]`);
  const total = sizes.reduce((a, b) => a + b, 0);
  const allFractions = sizes.every((l) => l <= 1);
  if (allFractions && Math.abs(total - 1) < 1e-6 && total !== n) {
    const floors = sizes.map((f) => Math.floor(n * f));
    let rest = n - floors.reduce((a, b) => a + b, 0);
    for (let i = 0; rest > 0; i = (i + 1) % floors.length, rest--) floors[i]! += 1;
    sizes = floors;
  } else {
    if (sizes.some((l) => !Number.isInteger(l)))
      throw new TensileError(`randomSplit: lengths must be integers summing to ${n} or fractions summing to 1, got [${lengths.join(", ")}]`);
    if (total !== n)
      throw new TensileError(`randomSplit: sum of input lengths (${total}) does not equal the length of the input dataset (${n})`);
  }
  const perm = permutation(n, options.generator);
  const out: Subset<T>[] = [];
  let offset = 0;
  for (const size of sizes) {
    out.push(new Subset(dataset, perm.subarray(offset, offset + size)));
    offset += size;
  }
  return out;
}
