// Memory without chores. Tensors live in JS typed arrays that the garbage collector frees by itself
// (no event-loop turn needed); wasm memory is a pooled workspace whose blocks every kernel call
// returns. The kernel-level pool (wasmKernels) is tested directly, then whole training loops that
// never yield must keep the process's memory flat.
import assert from "node:assert/strict";
import { test } from "node:test";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import * as tensile from "../src/index.js";
import { liveBytes, liveStorageCount, memoryStats, wasmCacheStats, wasmKernels as W } from "../src/backends/wasm/index.js";
import { type WasmStorage, sizeClass } from "../src/backends/wasm/memory.js";

// Expose V8's gc() without a command-line flag (node --test runs this file in its own process).
setFlagsFromString("--expose-gc");
const gc = runInNewContext("gc") as () => void;

/** Collects garbage and lets FinalizationRegistry callbacks (queued as tasks) run. */
async function collect(): Promise<void> {
  for (let i = 0; i < 4; i++) {
    gc();
    await new Promise((r) => setImmediate(r));
  }
}

test("size classes waste under 25% and are 64-byte aligned", () => {
  for (let b = 1; b < 1 << 22; b = Math.ceil(b * 1.37) + 1) {
    const c = sizeClass(b);
    assert.ok(c >= b && c % 64 === 0, `class ${c} for ${b}`);
    if (b > 256) assert.ok(c <= b * 1.25 + 64, `class ${c} for ${b} wastes too much`);
  }
});

test("release() frees at once, and use after release throws", () => {
  const n0 = liveStorageCount(), b0 = liveBytes();
  const s = W.alloc("float32", 1000);
  assert.equal(liveStorageCount(), n0 + 1);
  assert.equal(liveBytes(), b0 + sizeClass(4000));
  W.release!(s);
  assert.equal(liveStorageCount(), n0);
  assert.equal(liveBytes(), b0);
  assert.throws(() => W.read({ storage: s, shape: [1000], strides: [1], offset: 0 }), /after release/);
  W.release!(s); // a second release is a no-op
  assert.equal(liveStorageCount(), n0);
});

test("released blocks are reused: a steady alloc/release loop does not grow the heap", () => {
  const sizes = [1, 10, 100, 1000, 10000, 100000];
  const run = () => { for (const n of sizes) W.release!(W.fromArray(new Float32Array(n).fill(1))); };
  run();
  const top = memoryStats().heapTop;
  for (let i = 0; i < 200; i++) run();
  assert.equal(memoryStats().heapTop, top);
});

test("large requests round to 16 KiB, not to a class", () => {
  assert.equal(sizeClass(2 ** 20), 2 ** 20);
  assert.equal(sizeClass(8_921_088), 8_929_280); // conv2's columns in the bench CNN: 8.9 MB, not 10.5
  assert.equal(sizeClass(2 ** 20 + 1) % 16384, 0);
});

test("freed neighbours coalesce: a larger request reuses the space of smaller blocks", () => {
  const blocks = Array.from({ length: 8 }, () => W.alloc("float32", 65536) as WasmStorage); // 8 × 256 KiB
  const pin = W.alloc("float32", 16); // keeps them below the bump pointer
  blocks.forEach((b, i) => i > 0 && assert.equal(b.ptr, blocks[i - 1]!.ptr + 262144, "precondition: adjacent blocks"));
  const top = memoryStats().heapTop, first = blocks[0]!.ptr;
  for (const b of [blocks[1]!, blocks[0]!, blocks[3]!, blocks[2]!]) W.release!(b); // merged left and right
  const big = W.alloc("float32", 3 * 65536 + 100) as WasmStorage; // ~769 KiB: no 256 KiB block fits it alone
  assert.equal(big.ptr, first, "served from the coalesced range");
  assert.equal(memoryStats().heapTop, top, "not by growing");
  for (const b of blocks.slice(4)) W.release!(b);
  // what is left of the range serves the next requests too
  const rest = [W.alloc("float32", 65536), W.alloc("float32", 2 * 65536)];
  assert.equal(memoryStats().heapTop, top);
  for (const b of [big, ...rest, pin]) W.release!(b);
});

test("reused blocks come back zeroed from alloc()", () => {
  const s = W.fromArray(new Float32Array(256).fill(7));
  W.release!(s);
  const z = W.alloc("float32", 256);
  assert.ok(W.read({ storage: z, shape: [256], strides: [1], offset: 0 }).every((v) => v === 0));
  W.release!(z);
});

test("storages dropped without release() are freed when collected", async () => {
  await collect();
  const n0 = liveStorageCount(), b0 = liveBytes();
  (function churn() {
    for (let i = 0; i < 2000; i++) W.fromArray(new Float32Array(64 + (i % 7) * 100));
  })();
  assert.ok(liveStorageCount() > n0, "the storages are live before collection");
  await collect();
  assert.equal(liveStorageCount(), n0);
  assert.equal(liveBytes(), b0);
});

/** The text's network trained for `epochs` × `batches` steps on synthetic data, synchronously (no await, no dispose). */
function trainTextNetwork(epochs: number, batches: number, mark: (epoch: number) => void): void {
  const { nn, optim, randn, randint } = tensile;
  tensile.manualSeed(0);
  const model = new nn.Sequential(new nn.Linear(784, 500), new nn.ReLU(), new nn.Linear(500, 10));
  const criterion = new nn.CrossEntropyLoss();
  const optimizer = new optim.SGD(model.parameters(), { lr: 0.01, momentum: 0.9 });
  for (let e = 0; e < epochs; e++) {
    for (let b = 0; b < batches; b++) {
      const x = randn([64, 784]);
      const y = randint(0, 10, [64]);
      optimizer.zeroGrad();
      const loss = criterion.forward(model.forward(x), y);
      loss.backward();
      optimizer.step();
      loss.item();
    }
    mark(e);
  }
}

test("the text's network trains 20 epochs in a loop that never yields, with flat memory and no dispose()", () => {
  const prev = tensile.setBackend("wasm");
  try {
    const wasmLive: number[] = [], wasmMem: number[] = [], rss: number[] = [], buffers: number[] = [];
    trainTextNetwork(20, 15, () => {
      wasmLive.push(liveStorageCount());
      wasmMem.push(memoryStats().memoryBytes);
      // gc() is synchronous: it shows what is really live at this point of the loop. No finalizer
      // or event-loop turn is involved, exactly as in a user's loop.
      gc();
      const m = process.memoryUsage();
      rss.push(m.rss);
      buffers.push(m.arrayBuffers);
    });
    const after1 = (xs: number[]) => xs.slice(1);
    // Every kernel call gave its workspace blocks back.
    for (const n of wasmLive) assert.equal(n, wasmLive[0], `live wasm blocks: ${wasmLive.join(", ")}`);
    // Wasm memory grows while the cache of copies fills up to its budget (over the first epochs:
    // a step adds ~0.5 MiB of results, the grads are released), then stays where it is.
    const budget = wasmCacheStats().budget;
    for (const b of wasmMem) assert.ok(b <= budget + 24 * 2 ** 20, `wasm memory beyond the cache budget: ${wasmMem.join(", ")}`);
    for (const b of wasmMem.slice(8)) assert.equal(b, wasmMem[7], `wasm memory must stop growing: ${wasmMem.join(", ")}`);
    // Live tensor storage (JS array buffers) and the process's RSS stay flat after the first epoch.
    // A leak of this loop's intermediates would add ~35 MiB per epoch, i.e. > 400 MiB between
    // epochs 2–6 and 16–20. A single epoch can read high when the collector's concurrent sweeper
    // has not yet returned some buffers, so the test compares the least of the last five readings
    // with the most of the first five (after the warm-up epoch): a leak cannot hide from that, a
    // one-off sweeper lag cannot fail it.
    const mb = (x: number) => x / 2 ** 20;
    const show = (xs: number[]) => xs.map(mb).map(Math.round).join(", ");
    const early = (xs: number[]) => Math.max(...xs.slice(1, 6));
    const late = (xs: number[]) => Math.min(...xs.slice(-5));
    assert.ok(mb(late(buffers)) < mb(early(buffers)) + 24, `array buffers grew: ${show(buffers)} MiB`);
    assert.ok(mb(late(rss)) < mb(early(rss)) + 40, `RSS grew: ${show(rss)} MiB`);
    // And no reading runs away (a leak that the collector only sometimes catches up with).
    for (const b of after1(buffers)) assert.ok(mb(b) < mb(early(buffers)) + 200, `array buffers spiked: ${show(buffers)} MiB`);
  } finally {
    tensile.setBackend(prev);
  }
});

test("an op's kernel call leaves no wasm block behind", () => {
  const prev = tensile.setBackend("wasm");
  try {
    const x = tensile.randn([37, 41]);
    const n0 = liveStorageCount();
    x.matmul(x.t()).softmax(1).sum(0).cumsum(0);
    x.transpose(0, 1).contiguous().gather(0, tensile.zeros([2, 37], { dtype: "int32" }));
    assert.equal(liveStorageCount(), n0);
  } finally {
    tensile.setBackend(prev);
  }
});
