/**
 * Samplers, as in `torch.utils.data.sampler`: iterables of dataset indices (or, for `BatchSampler`,
 * of index lists), all subclasses of `Sampler`. Random ones draw from the core generator given, else
 * from the default one. `DistributedSampler` lives in distributed-sampler.ts.
 */
import { Generator } from "../core.js";
import { TensileError, fmtValue } from "../errors.js";
import { type PositionalArgs, positionalOptions } from "../utils/positional.js";
import { permutation, randomInts, uniforms } from "./random.js";

/**
 * Base class of samplers (`torch.utils.data.Sampler`): yields indices into a dataset (or, for a
 * batch sampler, index lists); `length` is how many one pass yields. Subclass it with
 * `*[Symbol.iterator]()` and `length` (a getter or a property). The DataLoader accepts any
 * `Iterable<number>` as a sampler, so subclassing is a convenience and an `instanceof` tag.
 * ```ts
 * class EvenSampler extends Sampler {
 *   constructor(readonly n: number) { super(); }
 *   get length() { return Math.ceil(this.n / 2); }
 *   *[Symbol.iterator]() { for (let i = 0; i < this.n; i += 2) yield i; }
 * }
 * ```
 */
export abstract class Sampler<T = number> implements Iterable<T> {
  abstract readonly length: number;
  abstract [Symbol.iterator](): Iterator<T>;
}

/** Throws `${op}: unknown option "k"` for a key outside `known`. */
export function checkSamplerOptions(op: string, o: object, known: readonly string[]): void {
  for (const k of Object.keys(o))
    if (!known.includes(k)) throw new TensileError(`${op}: unknown option "${k}" (expected one of: ${known.join(", ")})`);
}

export function checkCount(op: string, name: string, n: number, allowZero = false): void {
  if (!Number.isInteger(n) || n < (allowZero ? 0 : 1))
    throw new TensileError(`${op}: ${name} should be a ${allowZero ? "non-negative" : "positive"} integer, got ${n}`);
}

/** Checks that a sampler's data source has a length (a non-negative integer), as PyTorch's `len(data_source)` does. */
export function checkDataSource(op: string, source: unknown): void {
  const n = source !== null && (typeof source === "object" || typeof source === "function") ? (source as { length?: unknown }).length : undefined;
  if (!Number.isInteger(n) || (n as number) < 0)
    throw new TensileError(`${op}: dataSource must be a dataset or array with a length, got ${fmtValue(source)}`);
}

/** PyTorch's samplers refuse a non-boolean replacement (`1`, `"yes"`) rather than take its truthiness. */
function checkReplacement(op: string, v: unknown): void {
  if (v !== undefined && typeof v !== "boolean") throw new TensileError(`${op}: replacement should be a boolean value, but got replacement=${fmtValue(v)}`);
}

/** 0, 1, ..., n-1 in order. */
export class SequentialSampler extends Sampler {
  constructor(readonly dataSource: { readonly length: number }) {
    super();
    checkDataSource("SequentialSampler", dataSource);
  }
  get length(): number {
    return this.dataSource.length;
  }
  *[Symbol.iterator](): Iterator<number> {
    for (let i = 0; i < this.dataSource.length; i++) yield i;
  }
}

export interface RandomSamplerOptions {
  /** Draw with replacement (default false). */
  replacement?: boolean;
  /** How many indices to draw per pass (default: the dataset length). */
  numSamples?: number;
  generator?: Generator;
}

/**
 * A fresh random order each pass. Without replacement every index appears once per `n` draws
 * (`numSamples > n` chains several permutations); with replacement indices are drawn independently.
 */
export class RandomSampler extends Sampler {
  readonly replacement: boolean;
  readonly generator?: Generator;
  private readonly requested?: number;
  constructor(dataSource: { readonly length: number }, options?: RandomSamplerOptions);
  /** PyTorch's positional order (replacement, numSamples, generator), then an optional options object. */
  constructor(dataSource: { readonly length: number }, ...args: PositionalArgs<[replacement: boolean, numSamples: number | null, generator: Generator | null], RandomSamplerOptions>);
  constructor(readonly dataSource: { readonly length: number }, ...args: unknown[]) {
    super();
    const options = positionalOptions<RandomSamplerOptions>("RandomSampler", args, { keys: ["replacement", "numSamples", "generator"], after: "dataSource" });
    checkSamplerOptions("RandomSampler", options, ["replacement", "numSamples", "generator"]);
    checkDataSource("RandomSampler", dataSource);
    checkReplacement("RandomSampler", options.replacement);
    this.replacement = options.replacement ?? false;
    this.generator = options.generator;
    this.requested = options.numSamples;
    if (this.requested !== undefined) checkCount("RandomSampler", "numSamples", this.requested);
  }
  get length(): number {
    return this.requested ?? this.dataSource.length;
  }
  *[Symbol.iterator](): Iterator<number> {
    const n = this.dataSource.length;
    const count = this.length;
    if (n === 0) return;
    if (this.replacement) {
      yield* randomInts(0, n, count, this.generator);
      return;
    }
    for (let left = count; left > 0; left -= n) {
      const perm = permutation(n, this.generator);
      yield* left >= n ? perm : perm.subarray(0, left);
    }
  }
}

/** The given indices, in a fresh random order each pass. */
export class SubsetRandomSampler extends Sampler {
  readonly indices: readonly number[];
  readonly options: { generator?: Generator };
  /** `new SubsetRandomSampler(indices, generator)` as PyTorch, or `{ generator }`. */
  constructor(indices: readonly number[] | Int32Array, generatorOrOptions?: Generator | null | { generator?: Generator }) {
    super();
    this.options = positionalOptions("SubsetRandomSampler", [generatorOrOptions], { keys: ["generator"], after: "indices" });
    checkSamplerOptions("SubsetRandomSampler", this.options, ["generator"]);
    if (!Array.isArray(indices) && !ArrayBuffer.isView(indices))
      throw new TensileError(`SubsetRandomSampler: indices must be an array of indices, got ${fmtValue(indices)}`);
    this.indices = Array.from(indices);
  }
  get length(): number {
    return this.indices.length;
  }
  *[Symbol.iterator](): Iterator<number> {
    for (const k of permutation(this.indices.length, this.options.generator)) yield this.indices[k]!;
  }
}

/**
 * Draws `numSamples` indices in [0, weights.length) with probability proportional to `weights`
 * (inverse-CDF sampling; without replacement each drawn index's weight is removed).
 */
export class WeightedRandomSampler extends Sampler {
  readonly weights: Float64Array;
  readonly numSamples: number;
  readonly replacement: boolean;
  readonly options: { generator?: Generator };
  constructor(weights: ArrayLike<number>, numSamples: number, options?: { replacement?: boolean; generator?: Generator });
  /** PyTorch's positional order (weights, numSamples, replacement, generator), then an optional options object. */
  constructor(weights: ArrayLike<number>, numSamples: number,
    ...args: PositionalArgs<[replacement: boolean, generator: Generator | null], { replacement?: boolean; generator?: Generator }>);
  constructor(weights: ArrayLike<number>, numSamples: number, ...args: unknown[]) {
    super();
    const o = positionalOptions<{ replacement?: boolean; generator?: Generator }>("WeightedRandomSampler", args, { keys: ["replacement", "generator"], after: "numSamples" });
    checkSamplerOptions("WeightedRandomSampler", o, ["replacement", "generator"]);
    checkReplacement("WeightedRandomSampler", o.replacement);
    this.numSamples = numSamples;
    this.replacement = o.replacement ?? true;
    this.options = { generator: o.generator };
    const replacement = this.replacement;
    checkCount("WeightedRandomSampler", "numSamples", numSamples);
    this.weights = Float64Array.from(weights);
    const bad = this.weights.findIndex((w) => !(w >= 0) || !Number.isFinite(w));
    if (bad >= 0) throw new TensileError(`WeightedRandomSampler: weights must be finite and non-negative; weight ${bad} is ${this.weights[bad]}`);
    const positive = this.weights.reduce((a, w) => a + (w > 0 ? 1 : 0), 0);
    if (positive === 0) throw new TensileError("WeightedRandomSampler: weights must not all be zero");
    if (!replacement && numSamples > positive)
      throw new TensileError(`WeightedRandomSampler: cannot draw ${numSamples} samples without replacement from ${positive} non-zero weights`);
  }
  get length(): number {
    return this.numSamples;
  }
  *[Symbol.iterator](): Iterator<number> {
    const w = this.weights.slice();
    const u = uniforms(this.numSamples, this.options.generator);
    const cdf = new Float64Array(w.length);
    const rebuild = () => {
      let acc = 0;
      for (let i = 0; i < w.length; i++) cdf[i] = acc += w[i]!;
    };
    rebuild();
    for (let s = 0; s < this.numSamples; s++) {
      const target = u[s]! * cdf[cdf.length - 1]!;
      let lo = 0, hi = cdf.length - 1;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (cdf[mid]! > target) hi = mid;
        else lo = mid + 1;
      }
      yield lo;
      if (!this.replacement) {
        w[lo] = 0;
        rebuild();
      }
    }
  }
}

/** Groups the indices of `sampler` into lists of `batchSize` (the last one shorter unless `dropLast`). */
export class BatchSampler extends Sampler<number[]> {
  readonly batchSize: number;
  readonly dropLast: boolean;
  constructor(sampler: Iterable<number> & { readonly length?: number }, options: { batchSize: number; dropLast?: boolean });
  /** PyTorch's positional order (sampler, batchSize, dropLast), then an optional options object. */
  constructor(sampler: Iterable<number> & { readonly length?: number },
    ...args: PositionalArgs<[batchSize: number, dropLast: boolean], { batchSize?: number; dropLast?: boolean }>);
  constructor(readonly sampler: Iterable<number> & { readonly length?: number }, ...args: unknown[]) {
    super();
    const o = positionalOptions<{ batchSize: number; dropLast?: boolean }>("BatchSampler", args, { keys: ["batchSize", "dropLast"], after: "sampler" });
    checkSamplerOptions("BatchSampler", o, ["batchSize", "dropLast"]);
    if (sampler === null || typeof sampler !== "object" || typeof (sampler as Partial<Iterable<number>>)[Symbol.iterator] !== "function")
      throw new TensileError(`BatchSampler: sampler must be an iterable of indices (a Sampler), got ${fmtValue(sampler)}`);
    const { batchSize, dropLast = false } = o;
    if (typeof dropLast !== "boolean") throw new TensileError(`BatchSampler: dropLast should be a boolean value, but got dropLast=${fmtValue(dropLast)}`);
    this.batchSize = batchSize;
    this.dropLast = dropLast;
    checkCount("BatchSampler", "batchSize", batchSize);
  }
  get length(): number {
    const n = this.sampler.length;
    if (n === undefined) throw new TensileError("BatchSampler: the sampler has no length");
    return this.dropLast ? Math.floor(n / this.batchSize) : Math.ceil(n / this.batchSize);
  }
  *[Symbol.iterator](): Iterator<number[]> {
    let batch: number[] = [];
    for (const i of this.sampler) {
      batch.push(i);
      if (batch.length === this.batchSize) {
        yield batch;
        batch = [];
      }
    }
    if (batch.length > 0 && !this.dropLast) yield batch;
  }
}
