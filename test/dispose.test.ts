// Tensor.dispose() and `using`: deterministic freeing, on every backend. Never needed for flat
// memory (wasm-memory.test.ts trains without it); it frees a tensor at a known point, and on the
// wasm backend a disposed result leaves the cache of copies without being copied out to JS.
import assert from "node:assert/strict";
import { test } from "node:test";
import { TensileError, type Tensor, listBackends, nn, randn, tensor, withBackend } from "../src/index.js";
import type { RefStorage } from "../src/backends/reference/index.js";
import { wasmCacheStats } from "../src/backends/wasm/index.js";

const backends = listBackends();

/** Whether the storage was released: reading its elements throws (both CPU backends keep them in a RefStorage). */
function freed(s: unknown): boolean {
  try {
    void (s as RefStorage).data;
    return false;
  } catch (e) {
    assert.match(String(e), /used after it was released \(by dispose\(\)/);
    return true;
  }
}

for (const name of backends) {
  const on = <T>(fn: () => T): T => withBackend(name, fn);

  test(`${name}: dispose() frees the storage; any later use throws, naming the op`, () => on(() => {
    const x = tensor([[1, 2, 3], [4, 5, 6]]);
    const y = x.mul(2);
    const s = y.storage;
    assert.deepEqual(Array.from(y.dataSync()), [2, 4, 6, 8, 10, 12]);
    assert.equal(y.isDisposed, false);
    y.dispose();
    assert.equal(y.isDisposed, true);
    assert.ok(freed(s), "the storage's array is dropped");
    assert.throws(() => y.add(1), (e: unknown) => e instanceof TensileError && /^add: .*\[2, 3\].* used after dispose\(\)/.test(e.message));
    assert.throws(() => x.matmul(y.t()), (e: unknown) => e instanceof TensileError && /dispose\(\)/.test(e.message));
    assert.throws(() => y.dataSync(), (e: unknown) => e instanceof TensileError && /Tensor of shape \[2, 3\] was used after dispose\(\)/.test(e.message));
    assert.throws(() => y.item(), TensileError);
    y.dispose(); // twice is allowed
    // shape and dtype stay readable, for messages and debugging
    assert.deepEqual(y.shape, [2, 3]);
    assert.equal(y.dtype, x.dtype);
    // x is untouched
    assert.deepEqual(Array.from(x.dataSync()), [1, 2, 3, 4, 5, 6]);
  }));

  test(`${name}: a storage shared by views is released only when the last of them is disposed`, () => on(() => {
    const x = tensor([1, 2, 3, 4, 5, 6]).mul(1);
    const s = x.storage;
    const v = x.reshape([2, 3]);
    const tr = v.t();
    x.dispose();
    assert.ok(!freed(s), "views still use the storage");
    assert.deepEqual(v.toArray(), [[1, 2, 3], [4, 5, 6]]);
    v.dispose();
    assert.deepEqual(tr.toArray(), [[1, 4], [2, 5], [3, 6]]);
    assert.throws(() => v.sum(), /sum: .*used after dispose\(\)/);
    tr.dispose();
    assert.ok(freed(s), "the last view's dispose() releases it");
  }));

  test(`${name}: \`using\` disposes at the end of the block`, () => on(() => {
    let kept: Tensor;
    let s: unknown;
    {
      using t = randn([4, 4]).relu();
      kept = t;
      s = t.storage;
      assert.equal(t.sum().item() >= 0, true);
    }
    assert.equal(kept.isDisposed, true);
    assert.ok(freed(s));
  }));

  test(`${name}: dispose() drops the grad; disposing a tensor saved for backward fails backward() clearly`, () => on(() => {
    const w = randn([3], { requiresGrad: true });
    w.mul(w).sum().backward();
    assert.ok(w.grad);
    const g = w.grad;
    w.dispose();
    assert.equal(w.grad, null);
    assert.equal(g.isDisposed, false, "a grad handed out to the caller is theirs: not disposed with w");
    assert.equal(g.shape[0], 3);

    const a = randn([3], { requiresGrad: true });
    const e = a.exp(); // exp's backward reads its output
    const loss = e.sum();
    e.dispose();
    assert.throws(() => loss.backward(), (err: unknown) => err instanceof TensileError && /dispose\(\)/.test(err.message));
  }));

  test(`${name}: inference with dispose() in a loop computes the same as without`, () => on(() => {
    const model = new nn.Sequential(new nn.Linear(8, 16), new nn.ReLU(), new nn.Linear(16, 4));
    const x = randn([5, 8]);
    const expect = Array.from(model.forward(x).dataSync());
    for (let i = 0; i < 20; i++) {
      using y = model.forward(x);
      assert.deepEqual(Array.from(y.dataSync()), expect);
    }
  }));
}

test("wasm: disposed results leave the cache without being copied out to JS", { skip: !backends.includes("wasm") }, () => withBackend("wasm", () => {
  const a = randn([256, 256]), b = randn([256, 256]);
  a.matmul(b).dispose(); // first call: staging of a and b
  const before = wasmCacheStats();
  // 400 products of 256 KiB each: 100 MiB, far over any cache budget
  for (let i = 0; i < 400; i++) a.matmul(b).dispose();
  const after = wasmCacheStats();
  assert.equal(after.copiedOut, before.copiedOut, "no disposed result is copied out");
  assert.ok(after.count <= before.count, `the cache holds no more entries (${before.count} → ${after.count})`);
  assert.ok(after.bytes <= before.bytes, `nor more bytes (${before.bytes} → ${after.bytes})`);
  // without dispose() the same loop evicts results to JS arrays (why dispose() saves work here)
  for (let i = 0; i < 400; i++) a.matmul(b);
  assert.ok(wasmCacheStats().copiedOut + wasmCacheStats().collected > after.copiedOut + after.collected);
}));
