/**
 * `DistributedSampler`, as in `torch.utils.data.distributed`: the share of a dataset's indices that
 * one of `numReplicas` replicas (processes, workers, machines) reads. Tensile has no process group,
 * so `numReplicas` and `rank` are always given explicitly.
 *
 * Without shuffling the indices are PyTorch's exactly: 0…n−1, padded to a multiple of `numReplicas`
 * by repeating the first indices (or cut to one with `dropLast`), then every `numReplicas`-th from
 * `rank`. With shuffling the same steps run on a permutation drawn from a Tensile `Generator` seeded
 * with `seed + epoch` (PyTorch seeds a `torch.Generator` the same way; the permutations differ, but
 * as in PyTorch every replica built with the same seed and epoch sees the same one, so the shares
 * are disjoint and together cover the dataset).
 */
import { Generator } from "../core.js";
import { TensileError } from "../errors.js";
import { permutation } from "./random.js";
import { Sampler, checkCount } from "./sampler.js";
import { type PositionalArgs, positionalOptions } from "../utils/positional.js";

const KEYS = ["numReplicas", "rank", "shuffle", "seed", "dropLast"];

export interface DistributedSamplerOptions {
  /** How many replicas share the dataset (PyTorch's `num_replicas`; required: there is no process group). */
  numReplicas: number;
  /** This replica's index in [0, numReplicas). */
  rank: number;
  /** Shuffle the indices, differently each epoch (`setEpoch`), identically on every replica (default true). */
  shuffle?: boolean;
  /** Seed of the shuffle; must be the same on every replica (default 0). */
  seed?: number;
  /** Drop the tail so every replica gets the same count, rather than padding with repeated indices (default false). */
  dropLast?: boolean;
}

/**
 * Restricts loading to this replica's share of the dataset; pass it as a `DataLoader`'s `sampler`
 * and call `setEpoch(epoch)` before each epoch so that shuffling changes between epochs.
 * ```ts
 * const sampler = new DistributedSampler(ds, { numReplicas: 4, rank: 1, seed: 7 });
 * const loader = new DataLoader(ds, { batchSize: 32, sampler });
 * for (let epoch = 0; epoch < 10; epoch++) { sampler.setEpoch(epoch); for (const batch of loader) {} }
 * ```
 */
export class DistributedSampler extends Sampler {
  readonly numReplicas: number;
  readonly rank: number;
  readonly shuffle: boolean;
  readonly seed: number;
  readonly dropLast: boolean;
  /** Indices per replica and pass (PyTorch's `num_samples`). */
  readonly numSamples: number;
  /** `numSamples · numReplicas`: the padded (or cut) index count of one pass. */
  readonly totalSize: number;
  epoch = 0;
  private readonly datasetLength: number;

  constructor(dataset: { readonly length: number }, options: DistributedSamplerOptions);
  /** PyTorch's positional order (numReplicas, rank, shuffle, seed, dropLast), then an optional options object. */
  constructor(dataset: { readonly length: number },
    ...args: PositionalArgs<[numReplicas: number, rank: number, shuffle: boolean, seed: number, dropLast: boolean], Partial<DistributedSamplerOptions>>);
  constructor(readonly dataset: { readonly length: number }, ...args: unknown[]) {
    super();
    const op = "DistributedSampler";
    const options = positionalOptions<DistributedSamplerOptions>(op, args, { keys: KEYS, after: "the dataset" });
    for (const k of Object.keys(options))
      if (!KEYS.includes(k)) throw new TensileError(`${op}: unknown option "${k}" (expected one of: ${KEYS.join(", ")})`);
    if (options.numReplicas === undefined || options.rank === undefined)
      throw new TensileError(`${op}: numReplicas and rank must be given (Tensile has no process group to ask), e.g. { numReplicas: 4, rank: 0 }`);
    const { numReplicas, rank, shuffle = true, seed = 0, dropLast = false } = options;
    checkCount(op, "numReplicas", numReplicas);
    if (!Number.isInteger(rank) || rank < 0 || rank >= numReplicas)
      throw new TensileError(`${op}: Invalid rank ${rank}, rank should be in the interval [0, ${numReplicas - 1}]`);
    if (!Number.isInteger(seed)) throw new TensileError(`${op}: seed should be an integer (torch.manual_seed takes a long), got ${seed}`);
    const n = dataset?.length;
    if (!Number.isInteger(n) || n < 0) throw new TensileError(`${op}: the dataset needs a non-negative integer length, got ${n}`);
    this.numReplicas = numReplicas;
    this.rank = rank;
    this.shuffle = shuffle;
    this.seed = seed;
    this.dropLast = dropLast;
    this.datasetLength = n;
    // dropLast: the largest multiple of numReplicas not above n (PyTorch's ceil((n − R) / R)); else the smallest not below
    this.numSamples = dropLast && n % numReplicas !== 0 ? Math.max(0, Math.ceil((n - numReplicas) / numReplicas)) : Math.ceil(n / numReplicas);
    this.totalSize = this.numSamples * numReplicas;
  }

  get length(): number {
    return this.numSamples;
  }

  /** Sets the epoch that, added to `seed`, seeds the next pass's shuffle (PyTorch's `set_epoch`). */
  setEpoch(epoch: number): void {
    if (!Number.isInteger(epoch)) throw new TensileError(`DistributedSampler.setEpoch: epoch should be an integer, got ${epoch}`);
    this.epoch = epoch;
  }

  *[Symbol.iterator](): Iterator<number> {
    const n = this.dataset.length;
    if (n !== this.datasetLength)
      throw new TensileError(`DistributedSampler: the dataset's length changed from ${this.datasetLength} to ${n} after the sampler was built`);
    const order = this.shuffle ? Array.from(permutation(n, new Generator(this.seed + this.epoch))) : Array.from({ length: n }, (_, i) => i);
    // past the end (padding, never with dropLast) the order repeats from its start, as often as needed
    for (let i = this.rank; i < this.totalSize; i += this.numReplicas) yield order[i % n]!;
  }
}
