// The public wasm backend keeps wasm copies of recently used tensors between calls. They must
// never go stale (in-place kernels write through them), stay within their budget, and not count as
// leaks.
import assert from "node:assert/strict";
import { afterEach, test } from "node:test";
import {
  clearWasmCache, liveStorageCount, setWasmCacheBytes, wasmCacheStats,
} from "../src/backends/wasm/index.js";
import { F, type Tensor, getBackend, randn, setBackend } from "../src/index.js";
import { R, W, assertClose, makePair, readAll, rng, whole } from "./wasm-helpers.js";

afterEach(() => setWasmCacheBytes(64 * 2 ** 20));

const f32 = (xs: number[]) => W.fromArray(new Float32Array(xs));
const sum = (s: ReturnType<typeof f32>, n: number) => readAll(W, W.reduce("sum", whole(s, [n]), [0]), [])[0];

test("results and whole inputs are cached, and a kernel reading them again sees their values", () => {
  clearWasmCache();
  const x = f32([1, 2, 3, 4]);
  const y = W.unary("neg", whole(x, [4]), "float32");
  assert.ok(wasmCacheStats().count >= 2, "input and result kept");
  assert.equal(sum(y, 4), -10);
  assert.deepEqual([...W.read(whole(y, [4]))], [-1, -2, -3, -4]);
});

test("assign into a cached tensor updates both copies", () => {
  const x = f32([1, 2, 3, 4]);
  assert.equal(sum(x, 4), 10); // now cached
  W.assign({ storage: x, shape: [2], strides: [1], offset: 1 }, whole(f32([10, 20]), [2]));
  assert.deepEqual([...W.read(whole(x, [4]))], [1, 10, 20, 4]);
  assert.equal(sum(x, 4), 35);
});

test("assign reading its own destination leaves no stale copy", () => {
  clearWasmCache();
  const x = f32([1, 2, 3, 4, 5]);
  // x[1:] = x[:-1]: the source stages the whole (old) storage, the write goes to a span copy
  W.assign({ storage: x, shape: [4], strides: [1], offset: 1 }, { storage: x, shape: [4], strides: [1], offset: 0 });
  assert.deepEqual([...W.read(whole(x, [5]))], [1, 1, 2, 3, 4]);
  assert.equal(sum(x, 5), 11);
});

test("optimizer steps write through the cached parameter", () => {
  const p = f32([1, 1, 1, 1]), g = f32([1, 2, 3, 4]);
  assert.equal(sum(p, 4), 4);
  const o = { lr: 0.5, momentum: 0, dampening: 0, weightDecay: 0, nesterov: false, maximize: false, firstStep: true };
  W.sgdStep(p, g, null, o);
  assert.deepEqual([...W.read(whole(p, [4]))], [0.5, 0, -0.5, -1]);
  assert.equal(sum(p, 4), -1);
  W.sgdStep(p, g, null, o);
  assert.equal(sum(p, 4), -6);
});

test("a chain of ops gives the same result under any cache budget, and the cache stays within it", () => {
  let first: Float32Array | null = null;
  for (const budget of [0, 4096, 1 << 20, 32 << 20]) {
    setWasmCacheBytes(budget);
    clearWasmCache();
    const r = rng(1); // the same data for every budget
    const [wa, ra] = makePair(r, "float32", [1, 40, 30], "contiguous");
    const [wb, rb] = makePair(r, "float32", [1, 30, 20], "transposed");
    const n0 = liveStorageCount();
    const run = (B: typeof W, a: typeof wa, b: typeof wb) => {
      let h = B.matmul(a, b);
      for (let i = 0; i < 5; i++) {
        const t = B.unary("tanh", whole(h, [40, 20]), "float32");
        h = B.binary("add", whole(t, [40, 20]), whole(h, [40, 20]), [40, 20], "float32");
        B.assign({ storage: h, shape: [20], strides: [1], offset: 20 * i }, whole(B.reduce("sum", whole(t, [40, 20]), [0]), [20]));
      }
      return readAll(B, B.cumsum(whole(h, [40, 20]), 0), [40, 20]);
    };
    const got = run(W, wa, wb) as Float32Array;
    // bit for bit across budgets (caching moves no number); near the reference (float32 sums differ)
    if (first) got.forEach((v, i) => assert.ok(Object.is(v, first![i]), `budget ${budget}: element ${i} ${v} vs ${first![i]}`));
    else first = got;
    assertClose(got, run(R, ra, rb), { rtol: 1e-3, atol: 1e-3 }, `budget ${budget}`);
    // within the budget, except for the input and output of the last call (the cumsum's 40×20
    // floats each, one pool block of at most 4 KiB each), which stay cached for the next call
    assert.ok(wasmCacheStats().bytes <= budget + 2 * 4096, `cache holds ${wasmCacheStats().bytes} bytes, budget ${budget}`);
    assert.equal(liveStorageCount(), n0, "every block outside the cache was returned");
  }
});

test("release() drops a tensor's cached copy", () => {
  clearWasmCache();
  const x = f32([1, 2, 3]);
  sum(x, 3);
  const before = wasmCacheStats().count;
  W.release!(x);
  assert.equal(wasmCacheStats().count, before - 1);
  // released = dead: using it again fails loudly instead of reading stale or zeroed memory
  assert.throws(() => sum(x, 3), /used after it was released/);
});

test("a backward pass releases its own temporaries but keeps every .grad", () => {
  const prev = setBackend("wasm");
  try {
    const x = randn([8, 5], { requiresGrad: true }), w = randn([5, 3], { requiresGrad: true });
    let kept: Tensor | null = null;
    const y = x.matmul(w).relu();
    y.sum().backward();
    // the gradients are readable and right: d/dw sum(relu(xw)) = xᵀ·[xw > 0]
    const mask = x.matmul(w).gt(0).to("float32");
    assertClose(w.grad!.dataSync(), x.t().matmul(mask).dataSync(), { rtol: 1e-5, atol: 1e-5 }, "w.grad");
    assertClose(x.grad!.dataSync(), mask.matmul(w.t()).dataSync(), { rtol: 1e-5, atol: 1e-5 }, "x.grad");
    // a second backward accumulates into the kept grads
    x.matmul(w).relu().sum().backward();
    assertClose(w.grad!.dataSync(), x.t().matmul(mask).mul(2).dataSync(), { rtol: 1e-5, atol: 1e-5 }, "accumulated");
    // a hook that keeps a gradient turns the release off for that pass
    const h = x.matmul(w);
    h.registerHook((g) => void (kept = g));
    h.relu().sum().backward();
    assertClose(kept!.dataSync(), mask.dataSync(), { rtol: 0, atol: 0 }, "hooked gradient");
  } finally {
    setBackend(prev);
  }
});

test("a custom Function's backward may keep the gradients it is given and returns", async () => {
  const prev = setBackend("wasm");
  const { Function } = await import("../src/index.js");
  try {
    const kept: Tensor[] = [];
    class Square extends Function {
      static override forward(ctx: { saveForBackward(...t: Tensor[]): void }, x: Tensor): Tensor {
        ctx.saveForBackward(x);
        return x.mul(x);
      }
      static override backward(ctx: { savedTensors: Tensor[] }, g: Tensor): Tensor {
        const gx = g.mul(ctx.savedTensors[0]!).mul(2);
        kept.push(g, gx);
        return gx;
      }
    }
    const x = randn([4, 5], { requiresGrad: true }), w = randn([5, 3], { requiresGrad: true });
    const h = x.matmul(w);
    (Square.apply(h) as Tensor).mul(3).sum().backward();
    // user code holds both after the pass: neither was released with the pass's temporaries
    assertClose(kept[0]!.dataSync(), new Float32Array(12).fill(3), { rtol: 0, atol: 0 }, "incoming gradient");
    assertClose(kept[1]!.dataSync(), h.mul(6).dataSync(), { rtol: 1e-6, atol: 1e-6 }, "returned gradient");
  } finally {
    setBackend(prev);
  }
});

test("zeroGrad releases a grad nobody outside the library has seen, and only that one", async () => {
  const prev = setBackend("wasm");
  const { nn, optim, tensor } = await import("../src/index.js");
  try {
    const lin = new nn.Linear(6, 4);
    const opt = new optim.SGD(lin.parameters(), { lr: 0.1 });
    const x = randn([5, 6]);
    lin.forward(x).pow(2).sum().backward();
    // the optimizer reads the grads without handing them out: still the library's own
    const w = lin.weight._peekGrad()!, b = lin.bias!._peekGrad()!;
    opt.step();
    const cached = wasmCacheStats().bytes;
    opt.zeroGrad();
    assert.equal(lin.weight.grad, null);
    // released: freed from wasm memory without a copy to JS, and dead for good
    assert.ok(wasmCacheStats().bytes <= cached - 4 * (24 + 4), "the grads' wasm copies are freed");
    assert.throws(() => w.dataSync(), /used after it was released/);
    assert.throws(() => b.dataSync(), /used after it was released/);

    // a grad read through .grad may be kept by the caller: zeroGrad leaves its storage alone
    lin.forward(x).pow(2).sum().backward();
    const seen = lin.weight.grad!;
    const seenValues = seen.dataSync().slice();
    opt.zeroGrad();
    assert.deepEqual([...seen.dataSync()], [...seenValues]);

    // gradient accumulation: the first pass's grad is summed into a new one and released, a
    // handed-out one stays readable with its old values
    lin.forward(x).pow(2).sum().backward();
    const once = lin.bias!.grad!.dataSync().slice(); // hands out the first grad
    const firstGrad = lin.bias!.grad!;
    lin.forward(x).pow(2).sum().backward();
    assertClose(lin.bias!._peekGrad()!.dataSync(), once.map((v) => 2 * v), { rtol: 1e-5, atol: 1e-6 }, "accumulated");
    assertClose(firstGrad.dataSync(), once, { rtol: 0, atol: 0 }, "a handed-out grad keeps its values");
    opt.zeroGrad();
    const owned = lin.bias!;
    lin.forward(x).pow(2).sum().backward();
    const first = owned._peekGrad()!;
    lin.forward(x).pow(2).sum().backward();
    assert.throws(() => first.dataSync(), /used after it was released/, "an owned grad replaced by the sum is released");
    assertClose(owned._peekGrad()!.dataSync(), once.map((v) => 2 * v), { rtol: 1e-5, atol: 1e-6 }, "sum of two passes");
    opt.zeroGrad();

    // two leaves whose grads share one storage (add passes one gradient to both): zeroing one
    // leaves the other readable
    const a = tensor([1, 2, 3], { requiresGrad: true }), c = tensor([4, 5, 6], { requiresGrad: true });
    a.add(c).mul(tensor([1, 2, 3])).sum().backward();
    new optim.SGD([a], { lr: 1 }).zeroGrad();
    assert.deepEqual([...c.grad!.dataSync()], [1, 2, 3]);

    // `x.grad = null`, as PyTorch users write it: the same rule as zeroGrad
    lin.forward(x).pow(2).sum().backward();
    const unseen = lin.weight._peekGrad()!;
    lin.weight.grad = null;
    assert.throws(() => unseen.dataSync(), /used after it was released/, "a grad nobody saw is released");
    lin.forward(x).pow(2).sum().backward();
    const held = lin.weight.grad!;
    const heldValues = held.dataSync().slice();
    lin.weight.grad = null;
    assert.deepEqual([...held.dataSync()], [...heldValues], "a grad read through .grad stays readable");
    lin.weight.grad = held; // and one set by the user is theirs: replacing it releases nothing
    lin.weight.grad = null;
    assert.deepEqual([...held.dataSync()], [...heldValues]);
  } finally {
    setBackend(prev);
  }
});

test("a result evicted before it was read is copied out once and adopted by its storage", () => {
  clearWasmCache();
  const x = f32([1, 2, 3, 4]);
  const p = f32([1, 1, 1, 1]), g = f32([1, 2, 3, 4]);
  // updated in place through its cached copy: its host array is behind
  W.sgdStep(p, g, null, { lr: 0.5, momentum: 0, dampening: 0, weightDecay: 0, nesterov: false, maximize: false, firstStep: true });
  const y = W.unary("neg", whole(x, [4]), "float32"); // lives only in wasm
  const before = wasmCacheStats();
  setWasmCacheBytes(0); // evicts everything
  const after = wasmCacheStats();
  assert.equal(after.count, 0);
  assert.equal(after.copiedOut - before.copiedOut, 2, "the result and the updated parameter were copied out");
  assert.deepEqual([...W.read(whole(y, [4]))], [-1, -2, -3, -4]);
  assert.deepEqual([...W.read(whole(p, [4]))], [0.5, 0, -0.5, -1]);
  // and they are used as inputs again with the same values
  assert.equal(sum(y, 4), -10);
  assert.equal(sum(p, 4), -1);
  assert.ok(wasmCacheStats().returnedBytes > before.returnedBytes, "their return is counted");
});

test("a result whose tensor died is freed with no copy out once the collector reports it", { skip: !wasmCacheStats().syncGcReports && "the collector's reports arrive asynchronously here" }, async () => {
  const { setFlagsFromString } = await import("node:v8");
  const { runInNewContext } = await import("node:vm");
  setFlagsFromString("--expose-gc");
  const gc = runInNewContext("gc") as () => void;
  clearWasmCache();
  const x = f32(Array.from({ length: 1000 }, (_, i) => i));
  const keep = W.unary("neg", whole(x, [1000]), "float32");
  (function dead() {
    for (let i = 0; i < 20; i++) W.unary("exp", whole(x, [1000]), "float32");
  })();
  gc(); // a full collection: the 20 results are unreachable
  const before = wasmCacheStats();
  setWasmCacheBytes(0);
  const after = wasmCacheStats();
  assert.equal(after.collected - before.collected, 20, "the dead results were reported and freed");
  assert.equal(after.copiedOut - before.copiedOut, 1, "only the live result was copied out");
  assert.equal(readAll(W, keep, [1000])[999], -999);
});

test("without synchronous reports (TENSILE_GC_NOTIFY=0, as in browsers), dead results are freed when the program yields", async () => {
  const { execFileSync } = await import("node:child_process");
  const script = `
    import { setFlagsFromString } from "node:v8"; import { runInNewContext } from "node:vm";
    import { wasmBackend as W, wasmCacheStats } from "./src/backends/wasm/index.ts";
    setFlagsFromString("--expose-gc"); const gc = runInNewContext("gc");
    const x = W.fromArray(new Float32Array(1000).fill(1));
    const view = { storage: x, shape: [1000], strides: [1], offset: 0 };
    (() => { for (let i = 0; i < 10; i++) W.unary("exp", view, "float32"); })();
    gc();
    const sync = wasmCacheStats();
    await new Promise((r) => setTimeout(r, 50));
    const later = wasmCacheStats();
    console.log(JSON.stringify({ syncReports: sync.syncGcReports, before: sync.collected, after: later.collected }));
  `;
  const out = execFileSync(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], {
    env: { ...process.env, TENSILE_GC_NOTIFY: "0" }, encoding: "utf8", cwd: new URL("..", import.meta.url).pathname,
  });
  const r = JSON.parse(out.trim().split("\n").at(-1)!) as { syncReports: boolean; before: number; after: number };
  assert.equal(r.syncReports, false);
  assert.equal(r.before, 0, "nothing is reported while the program runs synchronously");
  assert.equal(r.after, 10, "the callbacks freed the ten dead results once it yielded");
});

/** A conv → batch norm → max-pool stack, its loss, and the wasm backend's release calls meanwhile. */
function convStack() {
  const x = randn([4, 3, 10, 10], { requiresGrad: true });
  const w = randn([6, 3, 3, 3], { requiresGrad: true }), b = randn([6], { requiresGrad: true });
  const gamma = randn([6], { requiresGrad: true }), beta = randn([6], { requiresGrad: true });
  const loss = () => {
    const h = F.batchNorm(F.conv2d(x, w, b), null, null, { weight: gamma, bias: beta, training: true });
    return F.maxPool2d(h, 2).sum();
  };
  return { x, w, b, gamma, beta, loss };
}

test("conv2d, batchNorm and maxPool2d free their saved internals after backward, and keep them with retainGraph", () => {
  const prev = setBackend("wasm");
  const be = getBackend();
  const orig = be.release!;
  const released: Array<{ length: number; dtype: string }> = [];
  be.release = (st) => {
    released.push({ length: st.length, dtype: st.dtype });
    orig.call(be, st);
  };
  try {
    const s = convStack();
    const params = [s.x, s.w, s.b, s.gamma, s.beta];
    const root = s.loss();
    root.backward(undefined, { retainGraph: true });
    const once = params.map((p) => p.grad!.dataSync().slice());
    for (const p of params) p.grad = null;
    root.backward(); // the retained graph's internals are still readable
    params.forEach((p, i) => assertClose(p.grad!.dataSync(), once[i]!, { rtol: 0, atol: 0 }, `second pass, param ${i}`));

    // x without grad: no input-gradient path, whose own columns and gradients (released by the
    // engine as the pass's temporaries) have the same sizes as the tensors checked here
    s.x.requiresGrad = false;
    const cols = 4 * 27 * 64, conv = 4 * 6 * 64, idx = 4 * 6 * 16;
    const count = (length: number, dtype: string) => released.filter((r) => r.length === length && r.dtype === dtype).length;
    released.length = 0;
    const loss = s.loss();
    assert.equal(count(conv, "float32"), 2, "batchNorm's forward temporaries ((x − μ)², the unshifted result)");
    assert.equal(count(cols, "float32") + count(idx, "int32"), 0, "nothing saved for backward is released in forward");
    released.length = 0;
    loss.backward();
    assert.equal(count(cols, "float32"), 1, "conv2d's im2col columns");
    assert.equal(count(idx, "int32"), 1, "maxPool2d's argmax indices");
  } finally {
    be.release = orig;
    setBackend(prev);
  }
});

test("a gather from a kernel's result reads its wasm copy and leaves the host array behind", () => {
  clearWasmCache();
  // a kernel result: it lives in wasm, its host array behind until read
  const x = W.unary("neg", whole(f32([1, 2, 3, 4, 5, 6]), [2, 3]), "float32");
  assert.ok((x as unknown as { refresh: unknown }).refresh, "the result's host array starts behind");
  const idx = W.fromArray(new Int32Array([2, 0]));
  const index = { storage: idx, shape: [2, 1], strides: [1, 1], offset: 0 };
  const out = W.gather(whole(x, [2, 3]), 1, index);
  assert.deepEqual([...readAll(W, out, [2])], [-3, -4]);
  // picking two elements copied nothing out: the host array is still behind
  assert.ok((x as unknown as { refresh: unknown }).refresh, "gather copied the whole result out of wasm");
  // and a bad index on this path is reported as on the others
  const bad = { storage: W.fromArray(new Int32Array([3, 0])), shape: [2, 1], strides: [1, 1], offset: 0 };
  assert.throws(() => W.gather(whole(x, [2, 3]), 1, bad), /gather.*index 3 is out of bounds for dimension 1 with size 3/);
  assert.deepEqual([...readAll(W, out, [2])], [-3, -4]);
  assert.deepEqual([...W.read(whole(x, [6]))], [-1, -2, -3, -4, -5, -6]);
});

test("releaseAfterBackward frees an op's output once its node's rule has run for good", async () => {
  const prev = setBackend("wasm");
  const { releaseAfterBackward } = await import("../src/autograd/engine.js");
  const { noGrad } = await import("../src/index.js");
  try {
    const x = randn([4, 5], { requiresGrad: true });
    const y = x.logSoftmax(1);
    releaseAfterBackward(y);
    y.mul(y).sum().backward(undefined, { retainGraph: true });
    assert.equal(y.dataSync().length, 20, "kept while the graph is retained");
    const g1 = x.grad!.dataSync().slice();
    y.mul(y).sum().backward();
    assert.throws(() => y.dataSync(), /used after it was released/, "released after the last backward");
    assertClose(x.grad!.dataSync(), g1.map((v) => 2 * v), { rtol: 1e-5, atol: 1e-6 }, "both passes' gradients");
    // no graph (no grad needed): nothing to attach to, the tensor stays usable
    const z = noGrad(() => x.logSoftmax(1));
    releaseAfterBackward(z);
    assert.equal(z.dataSync().length, 20);
  } finally {
    setBackend(prev);
  }
});

test("a cross-entropy loop over many classes copies nothing out of wasm", async () => {
  const prev = setBackend("wasm");
  const { nn, randint } = await import("../src/index.js");
  try {
    // 64 × 4000 logits (1 MB a tensor) against a 4 MiB cache: every step leaves a dead grad and
    // dead log-probabilities, which, left to the collector, would be copied out to JS once the
    // cache filled. The grad (replaced by `x.grad = null`, never read) and cross-entropy's
    // log-probabilities are released at once instead.
    setWasmCacheBytes(4 * 2 ** 20);
    const x = randn([64, 4000], { requiresGrad: true });
    const t = randint(0, 4000, [64], { dtype: "int32" });
    const loss = new nn.CrossEntropyLoss();
    const before = wasmCacheStats();
    for (let i = 0; i < 12; i++) {
      x.grad = null;
      loss.forward(x, t).backward();
    }
    const after = wasmCacheStats();
    // (a few small dead results — the loss, the picked log-probabilities — may still be copied out)
    const out = after.copiedOutBytes - before.copiedOutBytes;
    assert.ok(out < 2 ** 18, `${out} bytes copied out`);
    assert.ok(x.grad!.dataSync().some((v) => v !== 0));
  } finally {
    setBackend(prev);
  }
});
