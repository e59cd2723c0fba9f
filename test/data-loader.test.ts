import { test } from "node:test";
import assert from "node:assert/strict";
import { Generator, Tensor, TensileError, arange, manualSeed, tensor } from "../src/core.js";
import {
  BatchSampler, ConcatDataset, DataLoader, Dataset, IterableDataset, RandomSampler, SequentialSampler,
  Subset, SubsetRandomSampler, TensorDataset, WeightedRandomSampler, defaultCollate, randomSplit,
} from "../src/data/index.js";

const range = (n: number) => [...Array(n).keys()];

/** A TensorDataset whose rows identify themselves: x[i] = [i, 10i], y[i] = i % 3. */
function numbered(n: number): TensorDataset<[Tensor, Tensor]> {
  const x = tensor(range(n).map((i) => [i, 10 * i]), { dtype: "float32" });
  const y = tensor(range(n).map((i) => i % 3), { dtype: "int32" });
  return new TensorDataset(x, y);
}

class Squares extends Dataset<[number, number]> {
  readonly length = 7;
  getItem(i: number): [number, number] {
    return [i, i * i + 0.5];
  }
}

test("TensorDataset: items are row slices, length, errors", () => {
  const ds = numbered(5);
  assert.equal(ds.length, 5);
  const [x, y] = ds.getItem(3);
  assert.deepEqual(x.shape, [2]);
  assert.deepEqual(x.toArray(), [3, 30]);
  assert.deepEqual(y.shape, []);
  assert.equal(y.item(), 0);
  assert.throws(() => ds.getItem(5), /TensorDataset.getItem: index 5 is out of range for a dataset of length 5/);
  assert.throws(() => new TensorDataset(tensor([1, 2, 3]), tensor([1, 2])), (e: Error) => e instanceof TensileError && /size mismatch.*\[3, 2\]/.test(e.message));
  assert.throws(() => new TensorDataset(), TensileError);
});

test("TensorDataset.getBatch equals collating the items", () => {
  const ds = numbered(10);
  const idx = [7, 2, 9, 0];
  const [bx, by] = ds.getBatch(idx);
  const [cx, cy] = defaultCollate(idx.map((i) => ds.getItem(i)));
  assert.deepEqual(bx.toArray(), cx.toArray());
  assert.deepEqual(by.toArray(), cy.toArray());
  assert.equal(by.dtype, "int32");
  assert.deepEqual(bx.shape, [4, 2]);
});

test("defaultCollate: numbers, tensors, tuples, objects, strings", () => {
  const b = defaultCollate([[1, 0.5], [2, 1.5]] as [number, number][]);
  assert.equal(b[0].dtype, "int32");
  assert.deepEqual(b[0].toArray(), [1, 2]);
  assert.equal(b[1].dtype, "float32");
  assert.deepEqual(b[1].toArray(), [0.5, 1.5]);
  const o = defaultCollate([{ x: tensor([1, 2]), name: "a", ok: true }, { x: tensor([3, 4]), name: "b", ok: false }]);
  assert.deepEqual(o.x.shape, [2, 2]);
  assert.deepEqual(o.name, ["a", "b"]);
  assert.equal(o.ok.dtype, "bool");
  const ta = defaultCollate([new Float32Array([1, 2]), new Float32Array([3, 4])]);
  assert.deepEqual(ta.toArray(), [[1, 2], [3, 4]]);
  assert.throws(() => defaultCollate([[1, 2], [1]]), /each element in batch should be of equal size/);
  assert.throws(() => defaultCollate([1, "a"] as unknown[]), /batch mixes types/);
  assert.throws(() => defaultCollate([null]), /found null/);
});

test("DataLoader: batches, last partial batch, dropLast, length", () => {
  const ds = numbered(10);
  const loader = new DataLoader(ds, { batchSize: 4 });
  assert.equal(loader.length, 3);
  const batches = [...loader];
  assert.deepEqual(batches.map(([x]) => x.shape), [[4, 2], [4, 2], [2, 2]]);
  assert.deepEqual(batches[2]![1].toArray(), [2, 0]); // samples 8, 9
  assert.deepEqual((batches[0]![0].toArray() as number[][])[1], [1, 10]);
  const dropped = new DataLoader(ds, { batchSize: 4, dropLast: true });
  assert.equal(dropped.length, 2);
  assert.deepEqual([...dropped].map(([x]) => x.shape[0]), [4, 4]);
  assert.equal(new DataLoader(ds).length, 10);
  assert.throws(() => new DataLoader(ds, { batchSize: 0 }), /batchSize should be a positive integer/);
});

test("DataLoader over a custom Dataset collates numbers (ints → int32, floats → float32)", () => {
  const batches = [...new DataLoader(new Squares(), { batchSize: 3 })];
  assert.equal(batches.length, 3);
  const [i, sq] = batches[1]!;
  assert.equal(i.dtype, "int32");
  assert.deepEqual(i.toArray(), [3, 4, 5]);
  assert.equal(sq.dtype, "float32");
  assert.deepEqual(sq.toArray(), [9.5, 16.5, 25.5]);
  // A plain array is a dataset too.
  assert.deepEqual([...new DataLoader([1, 2, 3], { batchSize: 2 })].map((b) => b.toArray()), [[1, 2], [3]]);
});

test("DataLoader: shuffle visits every sample exactly once per epoch", () => {
  const n = 103;
  const loader = new DataLoader(numbered(n), { batchSize: 8, shuffle: true, generator: new Generator(1) });
  const epochs: number[][] = [];
  for (let e = 0; e < 2; e++) {
    const seen: number[] = [];
    for (const [x] of loader) seen.push(...(x.toArray() as number[][]).map((r) => r[0]!));
    assert.deepEqual([...seen].sort((a, b) => a - b), range(n));
    epochs.push(seen);
  }
  assert.notDeepEqual(epochs[0], range(n)); // shuffled
  assert.notDeepEqual(epochs[0], epochs[1]); // reshuffled every epoch
});

test("DataLoader: same seed same order, different seed different order; default generator follows manualSeed", () => {
  const order = (loader: DataLoader<[Tensor, Tensor]>) =>
    [...loader].flatMap(([x]) => (x.toArray() as number[][]).map((r) => r[0]!));
  const ds = numbered(50);
  const a = order(new DataLoader(ds, { batchSize: 5, shuffle: true, generator: new Generator(42) }));
  const b = order(new DataLoader(ds, { batchSize: 5, shuffle: true, generator: new Generator(42) }));
  const c = order(new DataLoader(ds, { batchSize: 5, shuffle: true, generator: new Generator(43) }));
  assert.deepEqual(a, b);
  assert.notDeepEqual(a, c);
  manualSeed(7);
  const d = order(new DataLoader(ds, { batchSize: 5, shuffle: true }));
  manualSeed(7);
  const e = order(new DataLoader(ds, { batchSize: 5, shuffle: true }));
  assert.deepEqual(d, e);
});

test("DataLoader: custom collateFn, sampler, batchSampler, batchSize null; option conflicts", () => {
  const ds = numbered(6);
  const sums = [...new DataLoader(ds, { batchSize: 2, collateFn: (items) => items.length })];
  assert.deepEqual(sums, [2, 2, 2]);
  const viaSampler = [...new DataLoader(ds, { batchSize: 4, sampler: [5, 4, 3, 2, 1, 0] })];
  assert.deepEqual(viaSampler[0]![1].toArray(), [2, 1, 0, 2]);
  const bs = new DataLoader(ds, { batchSampler: [[0, 1, 2], [5]] });
  assert.deepEqual([...bs].map(([x]) => x.shape[0]), [3, 1]);
  const single = [...new DataLoader(ds, { batchSize: null })];
  assert.equal(single.length, 6);
  assert.deepEqual((single[2] as unknown as Tensor[])[0]!.toArray(), [2, 20]);
  assert.throws(() => new DataLoader(ds, { shuffle: true, sampler: [0] }), /sampler option is mutually exclusive with shuffle/);
  assert.throws(() => new DataLoader(ds, { batchSize: 2, batchSampler: [[0]] }), /batchSampler option is mutually exclusive/);
});

test("DataLoader over IterableDataset: sync and async streams", async () => {
  class Counter extends IterableDataset<number> {
    *[Symbol.iterator]() {
      for (let i = 0; i < 5; i++) yield i;
    }
  }
  const sync = new DataLoader(new Counter(), { batchSize: 2 });
  assert.deepEqual([...sync].map((b) => b.toArray()), [[0, 1], [2, 3], [4]]);
  const asyncBatches: number[][] = [];
  for await (const b of sync) asyncBatches.push(b.toArray() as number[]);
  assert.deepEqual(asyncBatches, [[0, 1], [2, 3], [4]]);
  assert.throws(() => sync.length, /length is unknown/);
  class SizedCounter extends Counter {
    get length() {
      return 5;
    }
  }
  assert.equal(new DataLoader(new SizedCounter(), { batchSize: 2 }).length, 3);

  const stream = IterableDataset.from(async function* () {
    for (let i = 0; i < 7; i++) yield [tensor([i, -i]), i] as [Tensor, number];
  }, 7);
  const loader = new DataLoader(stream, { batchSize: 3, dropLast: true });
  assert.equal(loader.length, 2);
  const got: number[][] = [];
  for await (const [x, y] of loader) {
    assert.deepEqual(x.shape, [3, 2]);
    got.push(y.toArray() as number[]);
  }
  assert.deepEqual(got, [[0, 1, 2], [3, 4, 5]]);
  assert.throws(() => [...loader], /asynchronous; iterate .* `for await/);
  assert.throws(() => new DataLoader(stream, { shuffle: true }), /shuffle is not supported with an IterableDataset/);
});

test("for await over a map-style loader gives the same batches", async () => {
  const loader = new DataLoader(numbered(5), { batchSize: 2 });
  const got: number[][] = [];
  for await (const [, y] of loader) got.push(y.toArray() as number[]);
  assert.deepEqual(got, [[0, 1], [2, 0], [1]]);
});

test("samplers", () => {
  assert.deepEqual([...new SequentialSampler({ length: 4 })], [0, 1, 2, 3]);
  const rs = new RandomSampler({ length: 10 }, { generator: new Generator(3) });
  assert.deepEqual([...rs].sort((a, b) => a - b), range(10));
  const more = [...new RandomSampler({ length: 4 }, { numSamples: 10, generator: new Generator(3) })];
  assert.equal(more.length, 10);
  assert.deepEqual(more.slice(0, 4).sort(), [0, 1, 2, 3]);
  const withRep = [...new RandomSampler({ length: 3 }, { replacement: true, numSamples: 50, generator: new Generator(3) })];
  assert.equal(withRep.length, 50);
  assert.ok(withRep.every((i) => i >= 0 && i < 3));
  const sub = [...new SubsetRandomSampler([10, 20, 30], { generator: new Generator(0) })];
  assert.deepEqual([...sub].sort(), [10, 20, 30]);
  const w = [...new WeightedRandomSampler([0, 1, 0, 3], 400, true, { generator: new Generator(0) })];
  assert.ok(w.every((i) => i === 1 || i === 3));
  const threes = w.filter((i) => i === 3).length;
  assert.ok(threes > 250 && threes < 350, `weight 3 of 4 drawn ${threes}/400 times`);
  assert.deepEqual([...new WeightedRandomSampler([1, 1, 0, 1], 3, false, { generator: new Generator(0) })].sort(), [0, 1, 3]);
  assert.throws(() => new WeightedRandomSampler([1, 0], 2, false), /cannot draw 2 samples without replacement/);
  const b = new BatchSampler(new SequentialSampler({ length: 7 }), 3, false);
  assert.deepEqual([...b], [[0, 1, 2], [3, 4, 5], [6]]);
  assert.equal(b.length, 3);
  assert.equal(new BatchSampler(new SequentialSampler({ length: 7 }), 3, true).length, 2);
});

test("randomSplit: sizes, fractions, disjoint and covering, reproducible", () => {
  const ds = numbered(10);
  const [a, b] = randomSplit(ds, [7, 3], { generator: new Generator(0) });
  assert.equal(a!.length, 7);
  assert.equal(b!.length, 3);
  const all = [...a!.indices, ...b!.indices].sort((x, y) => x - y);
  assert.deepEqual(all, range(10));
  const again = randomSplit(ds, [7, 3], { generator: new Generator(0) });
  assert.deepEqual(again[0]!.indices, a!.indices);
  const fr = randomSplit(ds, [0.5, 0.3, 0.2], { generator: new Generator(0) });
  assert.deepEqual(fr.map((s) => s.length), [5, 3, 2]);
  const odd = randomSplit(numbered(11), [0.5, 0.5]);
  assert.deepEqual(odd.map((s) => s.length), [6, 5]);
  assert.throws(() => randomSplit(ds, [5, 4]), /sum of input lengths \(9\) does not equal the length of the input dataset \(10\)/);
  // Subsets of a TensorDataset still batch with one gather.
  const [x, y] = a!.getBatch([0, 1]);
  assert.deepEqual(x.shape, [2, 2]);
  assert.deepEqual((x.toArray() as number[][]).map((r) => r[0]), a!.indices.slice(0, 2));
  assert.deepEqual(y.toArray(), a!.indices.slice(0, 2).map((i) => i % 3));
});

test("Subset and ConcatDataset", () => {
  const s = new Subset(new Squares(), [6, 0]);
  assert.deepEqual(s.getItem(0), [6, 36.5]);
  assert.throws(() => new Subset(new Squares(), [7]), /index 7 is out of range/);
  const c = new ConcatDataset([new Squares(), new Subset(new Squares(), [2, 3])]);
  assert.equal(c.length, 9);
  assert.deepEqual(c.getItem(6), [6, 36.5]);
  assert.deepEqual(c.getItem(7), [2, 4.5]);
  assert.deepEqual(c.getItem(8), [3, 9.5]);
  assert.throws(() => c.getItem(9), /ConcatDataset.getItem: index 9/);
  const [i] = [...new DataLoader(c, { batchSize: 9 })][0]!;
  assert.deepEqual(i.toArray(), [0, 1, 2, 3, 4, 5, 6, 2, 3]);
});

test("a 64×784 TensorDataset batch is one gather per tensor", () => {
  const n = 1000;
  const x = arange(0, n * 784, 1, { dtype: "float32" }).reshape([n, 784]);
  const y = arange(n).remainder(10);
  const ds = new TensorDataset(x, y);
  const loader = new DataLoader(ds, { batchSize: 64, shuffle: true, generator: new Generator(5) });
  let rows = 0;
  for (const [bx, by] of loader) {
    assert.deepEqual(bx.shape.slice(1), [784]);
    const a = bx.dataSync(), l = by.dataSync();
    for (let r = 0; r < bx.shape[0]!; r++) {
      const i = a[r * 784]! / 784;
      assert.equal(a[r * 784 + 783], i * 784 + 783);
      assert.equal(l[r], i % 10);
    }
    rows += bx.shape[0]!;
  }
  assert.equal(rows, n);
});
