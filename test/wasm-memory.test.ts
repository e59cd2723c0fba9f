// Memory without chores: pooled wasm storage is reused, freed by release() and by garbage
// collection (FinalizationRegistry), and a steady training loop keeps wasm memory flat.
import assert from "node:assert/strict";
import { test } from "node:test";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import * as tensile from "../src/index.js";
import { liveBytes, liveStorageCount, memoryStats, wasmBackend as W } from "../src/backends/wasm/index.js";
import { sizeClass } from "../src/backends/wasm/memory.js";

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

test("a training loop on the wasm backend keeps live bytes and wasm memory flat", async () => {
  const { nn, optim, randn, randint, setBackend } = tensile;
  const prev = setBackend(W);
  try {
    tensile.manualSeed(0);
    const model = new nn.Sequential(new nn.Linear(64, 128), new nn.ReLU(), new nn.Linear(128, 10));
    const loss = new nn.CrossEntropyLoss();
    const opt = new optim.SGD(model.parameters(), { lr: 0.05, momentum: 0.9 });
    const step = () => {
      const x = randn([32, 64]);
      const y = randint(0, 10, [32]);
      opt.zeroGrad();
      const l = loss.forward(model.forward(x), y);
      l.backward();
      opt.step();
      return l.item();
    };
    const epoch = async () => {
      for (let i = 0; i < 25; i++) step();
      await collect();
      return { live: liveBytes(), memory: memoryStats().memoryBytes, count: liveStorageCount() };
    };
    await epoch(); // warm-up: parameters, optimizer state, pool classes
    const first = await epoch();
    const marks = [];
    for (let e = 0; e < 6; e++) marks.push(await epoch());
    for (const m of marks) {
      assert.equal(m.memory, first.memory, "wasm memory must not grow in a steady loop");
      assert.ok(m.live <= first.live * 1.05 + 4096, `live bytes grew: ${first.live} → ${m.live}`);
      assert.ok(m.count <= first.count + 8, `live storages grew: ${first.count} → ${m.count}`);
    }
  } finally {
    setBackend(prev);
  }
});
