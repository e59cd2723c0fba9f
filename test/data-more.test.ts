// torch.utils.data names beyond the basics: the Sampler base class, DistributedSampler (indices
// against torch's, fixtures/transforms.json "distributedSampler"), ChainDataset, getWorkerInfo,
// defaultConvert and the unbatched DataLoader that uses it.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { Generator, Tensor, TensileError, randperm, setBackend, tensor } from "../src/core.js";
import {
  BatchSampler, ChainDataset, DataLoader, DistributedSampler, IterableDataset, RandomSampler, Sampler, SequentialSampler,
  SubsetRandomSampler, TensorDataset, WeightedRandomSampler, defaultConvert, getWorkerInfo,
} from "../src/data/index.js";

const fixtures = JSON.parse(readFileSync(new URL("../fixtures/transforms.json", import.meta.url), "utf8")) as {
  distributedSampler: { n: number; numReplicas: number; dropLast: boolean; indices: number[][] }[];
};
const range = (n: number) => [...Array(n).keys()];

test("Sampler: the built-in samplers extend it and keep their draws; a subclass works in a DataLoader", () => {
  const ds = { length: 6 };
  const samplers: Sampler<unknown>[] = [
    new SequentialSampler(ds), new RandomSampler(ds), new SubsetRandomSampler([1, 2]), new WeightedRandomSampler([1, 2], 3),
    new BatchSampler(new SequentialSampler(ds), 4), new DistributedSampler(ds, { numReplicas: 2, rank: 0 }),
  ];
  for (const s of samplers) assert.ok(s instanceof Sampler, s.constructor.name);
  // RandomSampler is still one randperm from its generator per pass; SubsetRandomSampler permutes its indices by one
  const perm = Array.from(randperm(6, { generator: new Generator(9) }).dataSync());
  assert.deepEqual([...new RandomSampler(ds, { generator: new Generator(9) })], perm);
  const idx = [10, 11, 12, 13, 14, 15];
  assert.deepEqual([...new SubsetRandomSampler(idx, { generator: new Generator(9) })], perm.map((k) => idx[k]));

  class EvenSampler extends Sampler {
    constructor(readonly n: number) {
      super();
    }
    get length() {
      return Math.ceil(this.n / 2);
    }
    *[Symbol.iterator]() {
      for (let i = 0; i < this.n; i += 2) yield i;
    }
  }
  const data = new TensorDataset(tensor(range(7).map((i) => [i])));
  const loader = new DataLoader(data, { batchSize: 3, sampler: new EvenSampler(7) });
  assert.equal(loader.length, 2);
  assert.deepEqual([...loader].map(([x]) => (x.toArray() as number[][]).flat()), [[0, 2, 4], [6]]);
});

test("DistributedSampler without shuffle: torch's indices for every rank, padding and dropLast", () => {
  assert.ok(fixtures.distributedSampler.length >= 80);
  for (const { n, numReplicas, dropLast, indices } of fixtures.distributedSampler) {
    for (let rank = 0; rank < numReplicas; rank++) {
      const s = new DistributedSampler({ length: n }, { numReplicas, rank, shuffle: false, dropLast });
      assert.deepEqual([...s], indices[rank], `n ${n}, numReplicas ${numReplicas}, rank ${rank}, dropLast ${dropLast}`);
      assert.equal(s.length, indices[rank]!.length);
      assert.equal(s.totalSize, s.numSamples * numReplicas);
    }
  }
});

test("DistributedSampler with shuffle: shares partition a permutation; the same per (seed, epoch) on every replica", () => {
  const n = 23, R = 4;
  const shares = (seed: number, epoch: number, dropLast = false) =>
    range(R).map((rank) => {
      const s = new DistributedSampler({ length: n }, { numReplicas: R, rank, seed, dropLast });
      s.setEpoch(epoch);
      return [...s];
    });
  const a = shares(3, 0);
  assert.ok(a.every((x) => x.length === 6)); // ceil(23 / 4)
  // interleaved back, the shares are the permutation of Tensile's generator seeded with seed + epoch, padded by its start
  const perm = Array.from(randperm(n, { generator: new Generator(3) }).dataSync());
  const merged = range(24).map((i) => a[i % R]![Math.floor(i / R)]!);
  assert.deepEqual(merged, [...perm, perm[0]]);
  assert.deepEqual(new Set(a.flat()).size, n); // every index, one repeated
  // determinism: same seed and epoch → same shares; another epoch or seed → another permutation; seed + epoch is what counts
  assert.deepEqual(shares(3, 0), a);
  assert.notDeepEqual(shares(3, 1), a);
  assert.notDeepEqual(shares(4, 0), a);
  assert.deepEqual(shares(2, 1), a);
  // dropLast: 5 each, disjoint, 20 distinct of the 23
  const d = shares(3, 2, true);
  assert.ok(d.every((x) => x.length === 5));
  assert.equal(new Set(d.flat()).size, 20);
  // as a DataLoader sampler: the epochs differ once setEpoch is called
  const ds = new TensorDataset(tensor(range(n)));
  const sampler = new DistributedSampler(ds, { numReplicas: 2, rank: 1, seed: 11 });
  const loader = new DataLoader(ds, { batchSize: 4, sampler });
  const epoch = (e: number) => { sampler.setEpoch(e); return [...loader].flatMap(([x]) => x.toArray() as number[]); };
  const e0 = epoch(0);
  assert.equal(e0.length, 12);
  assert.deepEqual(epoch(0), e0);
  assert.notDeepEqual(epoch(1), e0);
});

test("DistributedSampler errors", () => {
  const ds = { length: 10 };
  const cases: [() => unknown, RegExp][] = [
    [() => new DistributedSampler(ds, {} as never), /DistributedSampler: numReplicas and rank must be given \(Tensile has no process group/],
    [() => new DistributedSampler(ds, { numReplicas: 4, rank: 4 }), /DistributedSampler: Invalid rank 4, rank should be in the interval \[0, 3\]/],
    [() => new DistributedSampler(ds, { numReplicas: 0, rank: 0 }), /DistributedSampler: numReplicas should be a positive integer, got 0/],
    [() => new DistributedSampler(ds, { numReplicas: 2, rank: 0 }).setEpoch(0.5), /setEpoch: epoch should be an integer, got 0.5/],
    [() => new DistributedSampler({ length: -1 }, { numReplicas: 2, rank: 0 }), /the dataset needs a non-negative integer length, got -1/],
  ];
  for (const [fn, re] of cases) assert.throws(fn, (e: unknown) => e instanceof TensileError && re.test((e as Error).message), String(re));
  const grow = { length: 4 };
  const s = new DistributedSampler(grow, { numReplicas: 2, rank: 0 });
  grow.length = 5;
  assert.throws(() => [...s], /the dataset's length changed from 4 to 5/);
});

test("ChainDataset: streams one after another, sync and async; length; errors", async () => {
  const a = IterableDataset.from(() => [1, 2, 3], 3);
  const b = IterableDataset.from(function* () { yield 4; yield 5; }, 2);
  const chain = new ChainDataset([a, b]);
  assert.deepEqual([...chain], [1, 2, 3, 4, 5]);
  assert.deepEqual([...chain], [1, 2, 3, 4, 5]); // a new pass each epoch
  assert.equal(chain.length, 5);
  assert.deepEqual([...new DataLoader(chain, { batchSize: 2 })].map((t) => t.toArray()), [[1, 2], [3, 4], [5]]);
  assert.equal(new DataLoader(chain, { batchSize: 2 }).length, 3);
  const unsized = new ChainDataset([a, IterableDataset.from(() => [6])]);
  assert.equal(unsized.length, undefined);
  assert.throws(() => new DataLoader(unsized, { batchSize: 2 }).length, /length is unknown/);
  // an asynchronous member: for await works, a sync loop says why not
  const slow = IterableDataset.from(async function* () { yield 10; yield 11; });
  const mixed = new ChainDataset([a, slow, b]);
  const got: number[] = [];
  for await (const v of mixed) got.push(v);
  assert.deepEqual(got, [1, 2, 3, 10, 11, 4, 5]);
  assert.throws(() => [...mixed], /asynchronous; iterate .*`for await`/);
  class AsyncOnly extends IterableDataset<number> {
    async *[Symbol.asyncIterator]() { yield 1; }
  }
  assert.throws(() => [...new ChainDataset([a, new AsyncOnly()])], /ChainDataset: dataset 1 is asynchronous; iterate with `for await`/);
  // nested chains and a subclass stream
  class Count extends IterableDataset<number> {
    *[Symbol.iterator]() { yield 7; yield 8; }
  }
  assert.deepEqual([...new ChainDataset([new ChainDataset([new Count()]), a])], [7, 8, 1, 2, 3]);
  assert.throws(() => new ChainDataset([a, [1, 2] as never]), (e: unknown) => e instanceof TensileError && /ChainDataset: only supports IterableDataset, but dataset 1 is Array/.test((e as Error).message));
  assert.throws(() => new ChainDataset(5 as never), /ChainDataset: datasets should be an iterable of IterableDatasets/);
});

test("getWorkerInfo is null: the DataLoader loads in the calling thread, also inside getItem", () => {
  assert.equal(getWorkerInfo(), null);
  const seen: unknown[] = [];
  const ds = { length: 3, getItem: (i: number) => { seen.push(getWorkerInfo()); return i; } };
  assert.deepEqual([...new DataLoader(ds, { batchSize: 2 })].map((t) => t.toArray()), [[0, 1], [2]]);
  assert.deepEqual(seen, [null, null, null]);
});

for (const backend of ["reference", "wasm"] as const) {
  test(`defaultConvert: typed arrays become tensors of their dtype, containers are converted inside (${backend})`, () => {
    const prev = setBackend(backend);
    try {
      const f32 = new Float32Array([1.5, 2]);
      const t = defaultConvert(f32);
      assert.ok(t instanceof Tensor);
      assert.equal(t.dtype, "float32");
      assert.deepEqual(t.toArray(), [1.5, 2]);
      const f64 = defaultConvert(new Float64Array([0.1]));
      assert.equal(f64.dtype, "float64");
      assert.equal(f64.item(), 0.1);
      for (const arr of [new Uint8Array([1, 255]), new Int16Array([-3, 4]), new Int32Array([7, -8]), new Uint32Array([9, 10])]) {
        const c = defaultConvert(arr);
        assert.equal(c.dtype, "int32");
        assert.deepEqual(c.toArray(), Array.from(arr));
      }
      const x = tensor([1, 2]);
      assert.equal(defaultConvert(x), x); // tensors pass unchanged
      const sample = { image: new Float32Array([0, 1]), label: 3, name: "cat", pair: [new Int32Array([5]), true] as const, nothing: null };
      const out = defaultConvert(sample);
      assert.ok(out.image instanceof Tensor && out.pair[0] instanceof Tensor);
      assert.deepEqual(out.pair[0].toArray(), [5]);
      assert.equal(out.label, 3);
      assert.equal(out.name, "cat");
      assert.equal(out.pair[1], true);
      assert.equal(out.nothing, null);
      assert.notEqual(out, sample); // a new object, the input untouched
      assert.ok(sample.image instanceof Float32Array);
      assert.deepEqual(defaultConvert([1, "a", [2]]), [1, "a", [2]]);
      assert.throws(() => defaultConvert({ big: new Uint32Array([2 ** 31]) }), /defaultConvert: data.big\[0\] = 2147483648 does not fit an int32 tensor/);
      assert.throws(() => defaultConvert([new BigInt64Array(1)]), /data\[0\] is a BigInt64Array; Tensile has no 64-bit integer tensors/);
    } finally {
      setBackend(prev);
    }
  });
}

test("an unbatched DataLoader (batchSize null) passes each sample through defaultConvert, or through a given collateFn, as torch", async () => {
  const items: [Float32Array, number][] = [[new Float32Array([1, 2]), 0], [new Float32Array([3, 4]), 1]];
  const loader = new DataLoader(items, { batchSize: null });
  const got = [...loader] as unknown as [Tensor, number][];
  assert.ok(got[1]![0] instanceof Tensor);
  assert.deepEqual(got[1]![0].toArray(), [3, 4]);
  assert.equal(got[1]![1], 1);
  const stream = IterableDataset.from(async function* () { yield new Float64Array([5]); });
  const streamed: unknown[] = [];
  for await (const s of new DataLoader(stream, { batchSize: null })) streamed.push(s);
  assert.ok(streamed[0] instanceof Tensor && (streamed[0] as Tensor).dtype === "float64");
  const raw = [...new DataLoader(items, { batchSize: null, collateFn: (s) => s })];
  assert.ok((raw[0] as unknown as [Float32Array])[0] instanceof Float32Array);
  // as torch: with batchSize null the collateFn gets each sample alone (not a list of one)
  const seen: unknown[] = [];
  const wrapped = [...new DataLoader(items, { batchSize: null, collateFn: ((s: unknown) => (seen.push(s), { label: (s as [Float32Array, number])[1] })) as never })];
  assert.deepEqual(wrapped, [{ label: 0 }, { label: 1 }]);
  assert.equal(seen[0], items[0]);
});
