/** Tensors, autograd features and errors; numbers come from PyTorch (fixtures/core-script.json). */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import {
  Function, FunctionCtx, Generator, Tensor, TensileError, allclose, inferenceMode, arange, cat, einsum, equal, getBackend, isclose, unique, enableGrad, eye, full, grad, linspace,
  logsumexp, manualSeed, matmul, noGrad, ones, rand, randint, randn, randperm, reshape, sigmoid, softmax, tanh, tensor,
  zeros, withBackend, listBackends, setPrintoptions, getPrintoptions, initialSeed, seed,
} from "../src/core.js";
import { record } from "../src/autograd/engine.js";

const fx = JSON.parse(readFileSync(new URL("../fixtures/core-script.json", import.meta.url), "utf8"));

function close(actual: ArrayLike<number>, expected: number[], tol = 1e-5): void {
  assert.equal(actual.length, expected.length);
  for (let i = 0; i < expected.length; i++)
    assert.ok(Math.abs(actual[i]! - expected[i]!) <= tol * (1 + Math.abs(expected[i]!)), `element ${i}: ${actual[i]} vs ${expected[i]}`);
}

describe("a PyTorch-style script gives PyTorch's numbers", () => {
  test("tensor → ops → backward → .grad", () => {
    const x = tensor([[0.5, -1.2, 3.0], [2.0, 0.1, -0.7]], { requiresGrad: true });
    const w = tensor([[0.3, -0.2], [0.8, 0.5], [-0.6, 0.9]], { requiresGrad: true });
    const b = tensor([0.1, -0.3], { requiresGrad: true });
    const h = tanh(x.matmul(w).add(b));
    const y = softmax(h.mul(2), 1);
    const p = y.index([":", 0]).clamp(1e-6);
    const reg = w.pow(2).sum().mul(0.01);
    const z = sigmoid(x).mean(0, true);
    const q = logsumexp(x.mul(z), 1).sum();
    const loss = p.log().mean().neg().add(reg).add(q.mul(0.1));
    loss.backward();
    close([loss.item()], [fx.script.loss]);
    close(x.grad!.dataSync(), fx.script.x_grad);
    close(w.grad!.dataSync(), fx.script.w_grad);
    close(b.grad!.dataSync(), fx.script.b_grad);
  });

  test("createGraph: second derivatives of elementwise ops", () => {
    const a = tensor([0.3, -1.1, 2.0], { requiresGrad: true });
    const f = a.pow(3).sum().add(a.sin().mul(a).sum());
    const [g] = grad(f, a, { createGraph: true });
    close(g!.dataSync(), fx.second.g);
    g!.sum().backward();
    close(a.grad!.dataSync(), fx.second.a_grad, 1e-4);
  });

  test("createGraph: second derivatives through matmul and reductions", () => {
    const m = tensor([[1.0, 2.0], [3.0, -1.0]], { requiresGrad: true });
    const v = tensor([[0.5], [-0.25]], { requiresGrad: true });
    const s = matmul(m, v).pow(2).sum().add(m.var(1).sum());
    const [gm] = grad(s, m, { createGraph: true });
    close(gm!.dataSync(), fx.second_matmul.gm);
    gm!.mul(gm!).sum().backward();
    close(m.grad!.dataSync(), fx.second_matmul.m_grad, 1e-4);
    close(v.grad!.dataSync(), fx.second_matmul.v_grad, 1e-4);
  });
});

describe("creation and dtypes", () => {
  test("dtype inference follows PyTorch (ints → int32 here, floats → float32, bools → bool)", () => {
    assert.equal(tensor([1, 2, 3]).dtype, "int32");
    assert.equal(tensor([1.5, 2]).dtype, "float32");
    assert.equal(tensor([true, false]).dtype, "bool");
    assert.equal(tensor(3.5).ndim, 0);
    assert.deepEqual(tensor([[1, 2], [3, 4]], { dtype: "float64" }).toArray(), [[1, 2], [3, 4]]);
    assert.deepEqual(tensor(new Float32Array([1, 2, 3, 4, 5, 6]), { shape: [2, 3] }).shape, [2, 3]);
    assert.deepEqual(tensor([1, 2, 3, 4, 5, 6], { shape: [3, 2] }).toArray(), [[1, 2], [3, 4], [5, 6]], "shape lays out nested data too");
    assert.throws(() => tensor([1, 2, 3], { shape: [2, 2] }), /^TensileError: tensor: shape \[2, 2\] is invalid for input of size 3/);
  });
  test("ragged nested arrays are rejected", () => {
    assert.throws(() => tensor([[1, 2], [3]]), /expected sequence of length 2 at dim 1/);
  });
  test("arange, linspace, eye, full", () => {
    assert.deepEqual(arange(5).toArray(), [0, 1, 2, 3, 4]);
    assert.deepEqual(arange(1, 2, 0.25).toArray(), [1, 1.25, 1.5, 1.75]);
    assert.deepEqual(linspace(0, 1, 5).toArray(), [0, 0.25, 0.5, 0.75, 1]);
    assert.deepEqual(eye(2, 3).toArray(), [[1, 0, 0], [0, 1, 0]]);
    assert.deepEqual(full([2], 7, { dtype: "int32" }).toArray(), [7, 7]);
    assert.throws(() => arange(0, 5, 0), /step must be nonzero/);
  });
  test("seeded generators reproduce and differ between seeds", () => {
    manualSeed(42);
    const a = randn([100]).dataSync();
    manualSeed(42);
    const b = randn([100]).dataSync();
    assert.deepEqual(a, b);
    manualSeed(43);
    assert.notDeepEqual(randn([100]).dataSync(), a);
    const g = new Generator(7);
    const st = g.getState();
    const r1 = rand([5], { generator: g }).dataSync();
    g.setState(st);
    assert.deepEqual(rand([5], { generator: g }).dataSync(), r1);
  });
  test("bulk fills draw the same stream as one-by-one calls (a pending Box-Muller spare, odd lengths, chunk edges)", () => {
    for (const n of [0, 1, 2, 7, 4096, 8193]) for (const pre of [0, 1, 3]) {
      const g1 = new Generator(n + 10 * pre), g2 = new Generator(n + 10 * pre);
      for (let k = 0; k < pre; k++) { g1.normal(); g2.normal(); }
      const a = new Float64Array(n), b = new Float64Array(n);
      g1.fillNormal(a, 0.5, 2);
      for (let i = 0; i < n; i++) b[i] = 0.5 + 2 * g2.normal();
      assert.deepEqual(a, b, `fillNormal n=${n} after ${pre} normal() calls`);
      assert.equal(g1.normal(), g2.normal(), "the spare left pending matches");
      g1.fillUniform(a, -1, 3);
      for (let i = 0; i < n; i++) b[i] = -1 + 4 * g2.random();
      assert.deepEqual(a, b, `fillUniform n=${n}`);
      assert.equal(g1.random(), g2.random(), "the state after the fill matches");
    }
  });
  test("initialSeed and seed: the last seed, and a non-deterministic one that reseeds reproducibly", () => {
    manualSeed(1234);
    assert.equal(initialSeed(), 1234);
    assert.equal(new Generator(99).initialSeed(), 99);
    assert.equal(new Generator().device, "cpu");
    const s1 = seed(), s2 = seed();
    assert.ok(Number.isSafeInteger(s1) && s1 >= 0 && s1 !== s2, `two draws differ: ${s1}, ${s2}`);
    assert.equal(initialSeed(), s2);
    const a = randn([8]).dataSync();
    manualSeed(initialSeed());
    assert.deepEqual(randn([8]).dataSync(), a, "reseeding with initialSeed() replays the stream");
    manualSeed(0);
  });
  test("random distributions have the right moments and ranges", () => {
    manualSeed(0);
    const n = randn([20000]);
    assert.ok(Math.abs(n.mean().item()) < 0.03 && Math.abs(n.std().item() - 1) < 0.03);
    const u = rand([20000]);
    assert.ok(u.min().item() >= 0 && u.max().item() < 1 && Math.abs(u.mean().item() - 0.5) < 0.01);
    const r = randint(3, 7, [1000]);
    assert.ok(r.min().item() === 3 && r.max().item() === 6);
    assert.deepEqual([...randperm(50).dataSync()].sort((p, q) => p - q), [...Array(50).keys()]);
  });
});

describe("views share storage", () => {
  test("transpose/index/reshape are views; copy_ through a view writes the base", () => {
    const x = zeros([3, 4]);
    const v = x.transpose(0, 1).index(["1:3", ":"]);
    assert.equal(v.storage, x.storage);
    noGrad(() => v.fill_(5));
    assert.deepEqual(x.toArray(), [[0, 5, 5, 0], [0, 5, 5, 0], [0, 5, 5, 0]]);
    assert.equal(x.reshape([12]).storage, x.storage);
    assert.ok(!x.t().isContiguous() && x.t().contiguous().isContiguous());
  });
  test("sizes go as one array or as numbers, as in PyTorch, with options last; anything else is a clear error", () => {
    assert.deepEqual(zeros(2, 3).shape, [2, 3]);
    assert.deepEqual(ones(4).toArray(), [1, 1, 1, 1]);
    const i = zeros(2, 3, { dtype: "int32" });
    assert.deepEqual([i.shape, i.dtype], [[2, 3], "int32"]);
    const r = randn(3, 2, { requiresGrad: true });
    assert.deepEqual([r.shape, r.requiresGrad], [[3, 2], true]);
    manualSeed(5);
    const a = rand(2, 2);
    manualSeed(5);
    assert.deepEqual(rand([2, 2]).toArray(), a.toArray(), "the same draw either way");
    const x = arange(6);
    assert.deepEqual(x.reshape(2, 3).shape, [2, 3]);
    assert.deepEqual(x.view(-1, 2).shape, [3, 2]);
    assert.deepEqual(x.reshape(2, 3).permute(1, 0).shape, [3, 2]);
    assert.deepEqual(ones(1, 3).expand(2, -1).shape, [2, 3]);
    assert.deepEqual(ones(1, 3).repeat(2, 2).shape, [2, 6]);
    assert.deepEqual(x.reshape([3, 2]).toArray(), x.reshape(3, 2).toArray());
    assert.throws(() => (x.reshape as (...a: unknown[]) => unknown).call(x, [2], 3), /^TensileError: reshape: expected a size as one array \(\[2, 3\]\) or as numbers \(2, 3\), got \(\[2\], 3\)/);
    assert.throws(() => zeros("2" as never), /^TensileError: zeros: expected a size as one array/);
    assert.throws(() => zeros(2, -1), /^TensileError: zeros: shape must be an array of non-negative integers, got \[2,-1\]/);
    assert.throws(() => matmul(x, x.reshape(6, 1)).reshape(1.5), /reshape/);
  });
  test("allclose and equal answer with a boolean, as PyTorch's (isclose is in the op table)", () => {
    const a = tensor([1, 2, 3], { dtype: "float32" }), b = tensor([1, 2, 3.00001]);
    assert.equal(allclose(a, b), true);
    assert.equal(a.allclose(tensor([1, 2, 3.1])), false);
    assert.equal(a.allclose(tensor([1, 2, 3.1]), { atol: 0.2 }), true);
    assert.equal(allclose(tensor([NaN]), tensor([NaN])), false);
    assert.equal(allclose(tensor([NaN]), tensor([NaN]), { equalNan: true }), true);
    assert.equal(allclose(ones([2, 3]), ones([3])), true, "broadcasts, as torch.allclose");
    assert.equal(equal(a, a.clone()), true);
    assert.equal(a.equal(b), false);
    assert.equal(equal(ones([2, 3]), ones([3])), false, "shapes differ");
    assert.throws(() => isclose(a, b, { rtol: -1 }), /^TensileError: isclose: rtol and atol must be non-negative/);
  });
  test("max(dim), min(dim), sort and topk destructure as [values, indices] and name them, as PyTorch's return types", () => {
    const x = tensor([[3, 1, 2], [0, 5, 4]], { dtype: "float32" });
    const m = x.max(1);
    const [v, i] = m;
    assert.equal(m.values, v);
    assert.equal(m.indices, i);
    assert.deepEqual(m.values.toArray(), [3, 5]);
    assert.deepEqual(x.min(1).indices.toArray(), [1, 0]);
    assert.deepEqual(x.sort(1, true).values.toArray(), [[3, 2, 1], [5, 4, 0]]);
    assert.deepEqual(x.topk(1).indices.toArray(), [[0], [1]]);
    assert.equal(m.length, 2, "still a pair");
    assert.deepEqual(Object.keys(m), ["0", "1"], "the names are not enumerated");
  });
  test("unique puts NaNs last, each on its own, with counts that add up (torch 1.13's CPU unique does not)", () => {
    const [v, inv, counts] = unique(tensor([2, NaN, 1, NaN, 2]), { returnInverse: true, returnCounts: true }) as Tensor[];
    assert.deepEqual(v!.tolist(), [1, 2, NaN, NaN]);
    assert.deepEqual(inv!.tolist(), [1, 2, 0, 3, 1]);
    assert.deepEqual(counts!.tolist(), [1, 2, 1, 1]);
  });
  test("long() is int32 (no int64 here) and tolist() is toArray(), for code ported from PyTorch", () => {
    const y = tensor([1.7, 2.2, -0.5]).long();
    assert.equal(y.dtype, "int32");
    assert.deepEqual(y.tolist(), [1, 2, 0]);
    assert.deepEqual(tensor([[true], [false]]).tolist(), [[true], [false]]);
  });
  test("to('cpu') and cpu() are no-ops, as in PyTorch on a CPU; other devices are a clear error", () => {
    const x = ones([2]);
    assert.equal(x.to("cpu"), x);
    assert.equal(x.cpu(), x);
    assert.equal(x.to("float64").dtype, "float64");
    assert.throws(() => x.to("cuda" as never), /^TensileError: to: Tensile computes on the CPU .* no 'cuda' device/);
    assert.throws(() => x.to("float16" as never), /^TensileError: to: unknown dtype "float16"/);
  });
  test("an integer written as a string in an index list selects, as in a string spec", () => {
    const x = arange(6).reshape([2, 3]);
    for (const spec of [["1"], [1], "1", [" -1 ", ":"]] as const) {
      const r = x.index(spec);
      assert.deepEqual(r.shape, [3], JSON.stringify(spec));
      assert.deepEqual(Array.from(r.dataSync()), [3, 4, 5], JSON.stringify(spec));
    }
    assert.deepEqual(x.index([":", "2"]).toArray(), [2, 5]);
    assert.deepEqual(x.index(["1:"]).shape, [1, 3], "a slice stays a slice");
    assert.throws(() => x.index(["2"]), /index 2 is out of bounds for dimension 0 with size 2/);
  });
  test("toString looks like PyTorch's repr", () => {
    assert.equal(tensor([[1, 2], [3, 4]], { dtype: "float32" }).toString(), "tensor([[1., 2.],\n        [3., 4.]])");
    assert.equal(tensor([0.5, -1.25], { requiresGrad: true }).toString(), "tensor([ 0.5000, -1.2500], requires_grad=True)");
    assert.equal(tensor([1, 2]).toString(), "tensor([1, 2], dtype=int32)");
  });
  test("clamp and clamp_ take tensor bounds, as PyTorch's Tensor.clamp", () => {
    const x = tensor([0.5, -2, 3], { dtype: "float32" });
    const lo = tensor([0, -1, 0], { dtype: "float32" }), hi = tensor([1, 1, 2], { dtype: "float32" });
    assert.deepEqual(x.clamp(lo, hi).toArray(), [0.5, -1, 2]);
    assert.deepEqual(x.clone().clamp_(lo, null).toArray(), [0.5, -1, 3]);
    const w = tensor([0.5, -2, 3], { dtype: "float32", requiresGrad: true });
    const b = tensor([0, -1, 2.5], { dtype: "float32", requiresGrad: true });
    const y = w.mul(1);
    y.clamp_(b, null);
    y.sum().backward();
    assert.deepEqual(w.grad!.toArray(), [1, 0, 1]);
    assert.deepEqual(b.grad!.toArray(), [0, 1, 0]);
  });
  test("toString is PyTorch's repr: widths, scientific notation, -0, non-finite values, wrapping at 80, summaries", () => {
    const num = (v: number | string) => (v === "nan" ? NaN : v === "inf" ? Infinity : v === "-inf" ? -Infinity : Number(v));
    type PO = Parameters<typeof setPrintoptions>[0];
    for (const c of fx.repr as { shape: number[]; dtype: "float32" | "float64" | "int32" | "bool"; data: (number | string | boolean)[]; negZero: number[]; requiresGrad: boolean; repr: string; printOptions?: Record<string, unknown> }[]) {
      const values = c.data.map((v) => num(v as number | string));
      for (const i of c.negZero) values[i] = -0;
      const data = c.dtype === "float64" ? Float64Array.from(values) : c.dtype === "int32" ? Int32Array.from(values) : c.dtype === "bool" ? Uint8Array.from(values) : Float32Array.from(values);
      const t = tensor(data, { shape: c.shape, dtype: c.dtype, requiresGrad: c.requiresGrad });
      const po = c.printOptions ? { ...c.printOptions, ...(c.printOptions.threshold === "Infinity" ? { threshold: Infinity } : {}) } as PO : null;
      if (po) setPrintoptions(po);
      try {
        assert.equal(t.toString(), c.repr, `shape [${c.shape}] ${c.dtype}${po ? ` with ${JSON.stringify(c.printOptions)}` : ""}`);
      } finally {
        setPrintoptions({ profile: "default" });
      }
    }
    assert.ok((fx.repr as { printOptions?: unknown }[]).filter((c) => c.printOptions).length >= 10, "the print-option cases are there");
  });
  test("linspace is torch.linspace value for value (float32, float64, int32; its vectorised halves)", () => {
    for (const c of fx.linspace as { start: number; end: number; steps: number; dtype: "float32" | "float64" | "int32"; out: number[] }[]) {
      const got = Array.from(linspace(c.start, c.end, c.steps, { dtype: c.dtype }).dataSync() as ArrayLike<number>);
      const want = c.dtype === "float32" ? c.out.map(Math.fround) : c.out;
      assert.deepEqual(got, want, `linspace(${c.start}, ${c.end}, ${c.steps}, ${c.dtype})`);
    }
  });
  test("setPrintoptions: options persist, sciMode returns to automatic unless given (as torch 1.13), bad values are errors", () => {
    try {
      setPrintoptions({ precision: 2, sciMode: true });
      assert.deepEqual(getPrintoptions(), { precision: 2, threshold: 1000, edgeitems: 3, linewidth: 80, sciMode: true });
      setPrintoptions({ linewidth: 60 });
      assert.deepEqual(getPrintoptions(), { precision: 2, threshold: 1000, edgeitems: 3, linewidth: 60, sciMode: null });
      assert.equal(tensor([1 / 3]).toString(), "tensor([0.33])");
      setPrintoptions({ profile: "short" });
      assert.equal(getPrintoptions().edgeitems, 2);
      assert.throws(() => setPrintoptions({ precision: -1 }), /^TensileError: setPrintoptions: precision must be a non-negative integer up to 100, got -1/);
      assert.throws(() => setPrintoptions({ profile: "long" as never }), /^TensileError: setPrintoptions: profile must be "default", "short" or "full", got "long"/);
      assert.throws(() => setPrintoptions({ sci_mode: true } as never), /^TensileError: setPrintoptions: unknown option "sci_mode"/);
      assert.throws(() => setPrintoptions({ threshold: NaN }), /^TensileError: setPrintoptions: threshold must be a non-negative number/);
    } finally {
      setPrintoptions({ profile: "default" });
    }
    assert.deepEqual(getPrintoptions(), { precision: 4, threshold: 1000, edgeitems: 3, linewidth: 80, sciMode: null });
  });
});

describe("autograd", () => {
  test("gelu and silu (one kernel each way) have the composed forms' first and second derivatives", () => {
    const x = tensor([-4, -1.5, -0.2, 0, 0.3, 1.1, 3.5], { dtype: "float64", requiresGrad: true });
    const forms: [string, (t: Tensor) => Tensor, (t: Tensor) => Tensor][] = [
      ["gelu", (t) => t.gelu(), (t) => t.mul(0.5).mul(t.mul(Math.SQRT1_2).erf().add(1))],
      ["silu", (t) => t.silu(), (t) => t.mul(t.sigmoid())],
    ];
    for (const [name, fused, composed] of forms) {
      const d = (f: (t: Tensor) => Tensor) => {
        const [g1] = grad(f(x).sum(), x, { createGraph: true });
        const [g2] = grad(g1!.sum(), x);
        return [Array.from(f(x).dataSync()), Array.from(g1!.dataSync()), Array.from(g2!.dataSync())];
      };
      const a = d(fused), b = d(composed);
      a.forEach((vals, k) => vals.forEach((v, i) => assert.ok(Math.abs(v - b[k]![i]!) < 1e-12, `${name} derivative ${k} at ${i}: ${v} vs ${b[k]![i]}`)));
    }
  });
  test("noGrad over an async function keeps grad mode off across its awaits, and restores it after", async () => {
    const w = tensor([1, 2], { dtype: "float32", requiresGrad: true });
    const seen: boolean[] = [];
    const y = await noGrad(async () => {
      await new Promise((r) => setTimeout(r, 1));
      const r = w.mul(3);
      seen.push(r.requiresGrad);
      return r;
    });
    assert.deepEqual(seen, [false]);
    assert.equal(y.requiresGrad, false);
    assert.equal(w.mul(3).requiresGrad, true, "restored after the promise settled");
    await assert.rejects(noGrad(async () => {
      await Promise.resolve();
      throw new Error("boom");
    }), /boom/);
    assert.equal(w.mul(3).requiresGrad, true, "restored after a rejection too");
    assert.throws(() => noGrad(() => {
      throw new Error("sync");
    }), /sync/);
    assert.equal(w.mul(3).requiresGrad, true, "restored after a throw");
  });

  test("inferenceMode records nothing, as noGrad", () => {
    const w = tensor([1, 2], { dtype: "float32", requiresGrad: true });
    const y = inferenceMode(() => w.mul(3));
    assert.equal(y.requiresGrad, false);
    assert.equal(y.gradFn, null);
    assert.deepEqual(y.toArray(), [3, 6]);
  });

  test("grad(y, x) computes only what leads to x, as PyTorch prunes: no weight gradient, same dL/dx", () => {
    manualSeed(4);
    const W = randn([5, 3], { requiresGrad: true }), b = randn([5], { requiresGrad: true });
    let weightGrads = 0;
    W.registerHook((g) => {
      weightGrads++;
      return g;
    });
    const x = randn([4, 3], { requiresGrad: true });
    const loss = () => x.matmul(W.t()).add(b).tanh().pow(2).sum();
    const [gx] = grad(loss(), x);
    assert.equal(weightGrads, 0, "W's gradient was computed");
    assert.equal(W.grad, null);
    loss().backward();
    assert.equal(weightGrads, 1);
    assert.deepEqual(Array.from(gx!.dataSync()), Array.from(x.grad!.dataSync()));
    // under createGraph every edge stays: a gradient penalty still reaches W
    W.grad = null;
    const [gx2] = grad(loss(), x, { createGraph: true });
    gx2!.pow(2).sum().backward();
    assert.ok(W.grad !== null && (W.grad as Tensor).abs().sum().item() > 0, "the penalty's gradient reaches W");
    assert.equal(W.requiresGrad && b.requiresGrad, true, "flags restored");
  });
  test("gradients accumulate into leaves across backward calls", () => {
    const x = tensor([1, 2, 3], { dtype: "float32", requiresGrad: true });
    x.mul(2).sum().backward();
    x.mul(3).sum().backward();
    assert.deepEqual(x.grad!.toArray(), [5, 5, 5]);
  });
  test("broadcast gradients are reduced to the input shape", () => {
    const a = ones([3, 1], { requiresGrad: true });
    const b = ones([4], { requiresGrad: true });
    a.add(b).mul(2).sum().backward();
    assert.deepEqual(a.grad!.shape, [3, 1]);
    assert.deepEqual(a.grad!.toArray(), [[8], [8], [8]]);
    assert.deepEqual(b.grad!.toArray(), [6, 6, 6, 6]);
  });
  test("the graph is freed after backward unless retained", () => {
    const x = tensor([1.0, 2.0], { requiresGrad: true });
    const y = x.exp().sum();
    y.backward();
    assert.throws(() => y.backward(), /backward through the graph a second time/);
    const z = x.exp().sum();
    z.backward(undefined, { retainGraph: true });
    z.backward();
    assert.ok(x.grad);
  });
  test("an op's internal tensors are released once its backward rule has run for good", () => {
    const x = tensor([1.0, 2.0, 3.0], { requiresGrad: true });
    const be = x.backend;
    const released: unknown[] = [];
    const orig = be.release;
    be.release = (st) => {
      released.push(st);
      orig?.call(be, st);
    };
    try {
      // an op y = 2x that keeps a tensor for its rule only (as conv2d keeps its columns)
      const probe = (input: Tensor) => {
        const internal = tensor([2.0, 2.0, 2.0]);
        const y = record("probe", input.detach().mul(2), [input], (g) => [g.mul(internal)], [internal]);
        return { y, internal };
      };
      const a = probe(x);
      a.y.sum().backward(undefined, { retainGraph: true });
      assert.ok(!released.includes(a.internal.storage), "kept while the graph is retained");
      a.y.sum().backward();
      assert.ok(released.includes(a.internal.storage), "released after the last backward");
      assert.deepEqual(x.grad!.toArray(), [4, 4, 4]);

      const b = probe(x);
      grad(b.y.sum(), x, { createGraph: true, retainGraph: false });
      assert.ok(!released.includes(b.internal.storage), "kept under createGraph: the gradient's graph may read it");

      const c = noGrad(() => probe(x));
      assert.equal(c.y.gradFn, null);
      assert.ok(released.includes(c.internal.storage), "released at once when no node is recorded");
    } finally {
      be.release = orig;
    }
  });
  test("backward on a tensor that doesn't require grad, or a non-scalar without gradient, throws", () => {
    assert.throws(() => tensor([1.0]).sum().backward(), TensileError);
    const x = tensor([1.0, 2.0], { requiresGrad: true });
    assert.throws(() => x.mul(2).backward(), /implicitly created only for scalar outputs/);
    const y = x.mul(2);
    y.backward(tensor([1.0, 0.5]));
    assert.deepEqual(x.grad!.toArray(), [2, 1]);
  });
  test("noGrad, enableGrad and detach stop or restore recording", () => {
    const x = tensor([1.0], { requiresGrad: true });
    assert.equal(noGrad(() => x.mul(2)).requiresGrad, false);
    assert.equal(noGrad(() => enableGrad(() => x.mul(2))).requiresGrad, true);
    assert.equal(x.mul(2).detach().requiresGrad, false);
  });
  test("hooks see and may replace gradients; retainGrad keeps a non-leaf's grad", () => {
    const x = tensor([1.0, 2.0], { requiresGrad: true });
    const y = x.mul(3).retainGrad();
    const seen: number[][] = [];
    y.registerHook((g) => void seen.push([...g.dataSync()]));
    x.registerHook((g) => g.mul(10));
    y.sum().backward();
    assert.deepEqual(seen, [[1, 1]]);
    assert.deepEqual(y.grad!.toArray(), [1, 1]);
    assert.deepEqual(x.grad!.toArray(), [30, 30]);
  });
  test("a user Function with ctx.saveForBackward", () => {
    class Cube extends Function {
      static override forward(ctx: FunctionCtx, x: Tensor): Tensor {
        ctx.saveForBackward(x);
        return x.pow(3);
      }
      static override backward(ctx: FunctionCtx, g: Tensor): Tensor {
        const [x] = ctx.savedTensors;
        return g.mul(x!.pow(2)).mul(3);
      }
    }
    const x = tensor([1.0, -2.0], { requiresGrad: true });
    const y = Cube.apply(x);
    assert.deepEqual(y.toArray(), [1, -8]);
    y.sum().backward();
    assert.deepEqual(x.grad!.toArray(), [3, 12]);
  });
  test("in-place writes on a leaf that requires grad are refused outside noGrad", () => {
    const x = tensor([1.0], { requiresGrad: true });
    assert.throws(() => x.add_(1), /in-place operation/);
    noGrad(() => x.add_(1));
    assert.deepEqual(x.toArray(), [2]);
  });
  test("slices' gradients add into one buffer per input, in any order with full gradients", () => {
    for (const order of ["slices first", "full first"] as const) {
      const x = tensor([[1, 2], [3, 4], [5, 6]], { requiresGrad: true });
      const parts = [x.select(0, 0).sum(), x.select(0, 2).mul(3).sum(), x.narrow(1, 1, 1).sum(), x.select(0, 0).sum()];
      const full = x.mul(2).sum();
      const loss = order === "slices first" ? parts.reduce((a, b) => a.add(b)).add(full) : full.add(parts.reduce((a, b) => a.add(b)));
      loss.backward();
      // 2 everywhere; +2 on row 0 (selected twice); +3 on row 2; +1 on column 1
      assert.deepEqual(x.grad!.toArray(), [[4, 5], [2, 3], [5, 6]], order);
    }
  });
  test("a loop over T steps of a sequence allocates one gradient of the sequence's size, not T", () => {
    const be = getBackend();
    const T = 16, x = randn([T, 8], { requiresGrad: true });
    let h = zeros([8]);
    for (let t = 0; t < T; t++) h = h.mul(0.5).add(x.select(0, t).tanh());
    // count the storages of x's size that backend calls make during backward
    const rec = be as unknown as Record<string, unknown>;
    const saved = new Map<string, unknown>();
    let full = 0;
    for (const [k, f] of Object.entries(rec)) {
      if (typeof f !== "function") continue;
      saved.set(k, f);
      rec[k] = (...a: unknown[]) => {
        const r = (f as (...b: unknown[]) => unknown).apply(be, a) as { length?: unknown } | null;
        if (r && typeof r === "object" && !Array.isArray(r) && r.length === T * 8) full++;
        return r;
      };
    }
    try {
      h.sum().backward();
    } finally {
      for (const [k, f] of saved) rec[k] = f;
    }
    assert.equal(full, 1, "one buffer for x's gradient");
    // the same gradient as PyTorch's rule: 0.5^(T−1−t)·(1 − tanh²)
    const want = x.detach().tanh().pow(2).neg().add(1).mul(tensor(Array.from({ length: T }, (_, t) => 0.5 ** (T - 1 - t))).reshape(T, 1));
    assert.ok(allclose(x.grad!, want, { atol: 1e-6 }));
  });
  test("a deep graph (10k ops) does not overflow the stack", () => {
    const x = tensor([1.0], { requiresGrad: true });
    let y = x;
    for (let i = 0; i < 10000; i++) y = y.mul(1.0001);
    y.sum().backward();
    assert.ok(Math.abs(x.grad!.item() - Math.pow(1.0001, 10000)) < 1e-2);
  });
});

describe("tensors on two backends", () => {
  test("an op meeting a tensor of another backend keeps it in the graph; its gradient goes back to its backend", () => {
    const a = withBackend("reference", () => tensor([1, 2], { requiresGrad: true }));
    for (const other of ["reference", "wasm"].filter((n) => listBackends().includes(n))) {
      const b = withBackend(other, () => tensor([3, 4]));
      for (const [what, y] of [["a·b", () => a.mul(b)], ["b·a", () => b.mul(a)], ["b + a²", () => b.add(a.mul(a))]] as const) {
        a.grad = null;
        const out = y();
        assert.equal(out.requiresGrad, true, `${what} on ${other}: requires grad`);
        out.sum().backward();
        assert.equal(a.grad!.backend.name, "reference", `${what}: a's gradient on a's backend`);
        assert.deepEqual([...a.grad!.dataSync()], what === "b + a²" ? [2, 4] : [3, 4], `${what} with b on ${other}`);
      }
    }
  });
});

test("einsum's sublist form (PyTorch's einsum(a, [0, 1], b, [1, 2], [0, 2])) equals its equation form", () => {
  manualSeed(3);
  const a = randn([2, 3, 4]), b = randn([2, 4, 5]), m = randn([3, 3]);
  const same = (x: Tensor, y: Tensor) => {
    assert.deepEqual([...x.shape], [...y.shape]);
    assert.deepEqual(Array.from(x.dataSync()), Array.from(y.dataSync()));
  };
  same(einsum(a, [0, 1, 2], b, [0, 2, 3], [0, 1, 3]), einsum("ABC,ACD->ABD", a, b));
  same(einsum(a, [0, 1, 2], b, [0, 2, 3]), einsum("ABC,ACD", a, b)); // implicit output: numeric order
  const c = randn([3, 4, 5]);
  same(einsum(a, ["...", 2], c, ["...", 2, 3], ["...", 3]), einsum("...C,...CD->...D", a, c));
  same(einsum(m, [30, 30]), einsum("ee", m)); // 26–51 are a–z: a trace
  same(einsum(m, [0, 0], [0]), einsum("ii->i", m));
  const err = (fn: () => unknown, re: RegExp) => assert.throws(fn, (e: unknown) => e instanceof TensileError && re.test(e.message));
  err(() => einsum(m, [52, 0]), /^einsum: subscripts in a sublist must be integers in \[0, 52\) or "\.\.\.", got 52 in the sublist of operand 0/);
  err(() => einsum(m, [0.5, 0]), /got 0\.5/);
  err(() => einsum(m, [0, 1], m), /argument 2 is a tensor without a sublist/);
  err(() => einsum(m, 5 as never), /operand 0 must be followed by its sublist of subscripts, got number/);
});

describe("errors name the op and the values at fault", () => {
  const cases: [string, () => unknown, RegExp][] = [
    ["matmul", () => matmul(zeros([64, 784]), zeros([500, 10])), /^matmul: shapes \[64, 784\] and \[500, 10\] cannot be multiplied \(784 != 500\)/],
    ["add broadcast", () => zeros([2, 3]).add(zeros([4])), /^add: the size of tensor a \(3\) must match the size of tensor b \(4\)/],
    ["bad dim", () => zeros([2, 3]).sum(2), /^sum: dimension out of range \(expected to be in range of \[-2, 1\], but got 2\)/],
    ["reshape", () => zeros([2, 3]).reshape([4]), /^reshape: shape '\[4\]' is invalid for input of size 6/],
    ["index", () => zeros([2, 3]).index([5]), /^index: index 5 is out of bounds for dimension 0 with size 2/],
    ["einsum", () => einsum("ij,jk->ik", zeros([2, 3]), zeros([4, 5])), /^einsum: subscript j has size 4 in operand 1 \[4, 5\] but 3 elsewhere/],
    ["einsum", () => einsum("ii->i", zeros([2, 3])), /^einsum: subscript i is repeated in operand 0 \("ii"\) for dims of sizes 2 and 3 \[2, 3\]; a diagonal needs equal sizes/],
    ["einsum", () => einsum("...ij,...jk->...ik", zeros([2, 3, 4]), zeros([3, 4, 5])), /^einsum: the dims under "..." do not broadcast: size 3 in operand 1 \[3, 4, 5\] against 2 elsewhere/],
    ["einsum", () => einsum("...i...j", zeros([2, 2])), /^einsum: operand subscripts "...i...j" has more than one ellipsis/],
    ["einsum", () => einsum("..ij", zeros([2, 2])), /^einsum: operand subscripts must be letters or "...", got "..ij"/],
    ["einsum", () => einsum("...ijk", zeros([2, 2])), /^einsum: the number of subscripts in "...ijk" \(3 and an ellipsis\) does not match the number of dimensions \(2\)/],
    ["einsum", () => einsum("ij->...ij", zeros([2, 2])), /^einsum: the output of "ij->...ij" has an ellipsis \("..."\) but no operand has one/],
    ["pad", () => zeros([5]).pad([1, 1], "reflect"), /^pad: 2 padding values with mode "reflect" need a 2-D \(unbatched\) or 3-D \(batched\) input, got 1-D \[5\]/],
    ["pad", () => zeros([2, 3, 4, 5]).pad([1, 1], "replicate"), /^pad: 2 padding values with mode "replicate" need a 2-D \(unbatched\) or 3-D \(batched\) input, got 4-D/],
    ["pad", () => zeros([1, 1, 3]).pad([4, 0], "circular"), /^pad: padding \(4, 0\) at dim 2 wraps around the input \(size 3\) more than once for mode "circular"/],
    ["pad", () => zeros([1, 1, 5]).pad([-3, 3], "circular"), /^pad: padding \(-3, 3\) at dim 2 wraps around the cropped input \(size 2\) more than once for mode "circular"/],
    ["pad", () => zeros([1, 1, 5]).pad([-4, -2], "replicate"), /^pad: input \[1, 1, 5\] is too small for padding \[-4, -2\] with mode "replicate": calculated output size \[-1\] in the padded dims/],
    ["pad", () => zeros([1, 1, 5]).pad([1, 5], "reflect"), /^pad: padding \(1, 5\) at dim 2 must be less than the input size 5 for mode "reflect"/],
    ["pad", () => zeros([1, 1, 5]).pad([1, 1], "wrap" as never), /^pad: unknown mode "wrap"/],
    ["einsum", () => einsum("ij,jk->ik", zeros([2, 3])), /^einsum: the equation "ij,jk->ik" has 2 operand\(s\) but 1 tensor\(s\) were given/],
    ["topk", () => zeros([2, 3]).topk(4), /^topk: selected index k \(4\) out of range for dimension 1 of size 3/],
    ["reshape", () => reshape(zeros([2, 3]), 6 as never), /^reshape: expected an array of integers, got 6/],
    ["copy_", () => zeros([2, 3]).copy_(ones([2, 1, 3])), /^copy_: source of shape \[2, 1, 3\] cannot be broadcast to the destination.s shape \[2, 3\]/],
    ["add_", () => zeros([2, 3]).add_(ones([4])), /^add_: the size of tensor a \(3\) must match the size of tensor b \(4\)/],
    ["gather", () => zeros([2, 3]).gather(1, tensor([[0, 3]])), /^gather: index 3 is out of bounds for dimension 1 with size 3/],
    ["indexSelect negative", () => zeros([5]).indexSelect(0, tensor([0, -1, 2], { dtype: "int32" })), /^indexSelect: index -1 is out of bounds for dimension 0 with size 5/],
    // more than 65,536 indices: checked by the backend's reductions instead of a loop in JS
    ["indexSelect large", () => zeros([5]).indexSelect(0, tensor(Int32Array.from({ length: 70_000 }, (_, i) => (i === 69_999 ? 7 : i % 5)))),
      /^indexSelect: index 7 is out of bounds for dimension 0 with size 5/],
    ["indexSelect large negative", () => zeros([5]).indexSelect(0, tensor(Int32Array.from({ length: 70_000 }, (_, i) => (i === 3 ? -2 : 0)))),
      /^indexSelect: index -2 is out of bounds for dimension 0 with size 5/],
    ["dtype", () => zeros([2]).to("float16" as never), /^to: unknown dtype "float16"/],
    ["int requiresGrad", () => tensor([1, 2], { dtype: "int32" }).requiresGrad_(), /only tensors of floating point dtype can require gradients/],
    ["cat", () => cat([zeros([2, 3]), zeros([2, 4])], 0), /^cat: sizes of tensors must match except in dimension 0/],
    ["where", () => zeros([2]).where(zeros([2]), 1), /^where: expected condition to be a bool tensor/],
    ["item", () => zeros([2]).item(), /^item: a Tensor with 2 elements cannot be converted to Scalar/],
    ["int div by zero", () => tensor([1, 2]).floorDivide(0), /integer division by zero/],
  ];
  for (const [name, fn, re] of cases)
    test(name, () => {
      assert.throws(fn, (e: unknown) => e instanceof TensileError && re.test(e.message));
    });
});
