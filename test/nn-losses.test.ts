/**
 * Loss modules against PyTorch with all their options (fixtures/nn-losses.json: output and input
 * gradients), module ≡ functional, and bad shapes / targets / options.
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { Tensor, full, getBackend, ones, randn, tensor, withBackend, zeros } from "../src/core.js";
import * as nn from "../src/nn/index.js";
import { type Enc, assertClose, assertThrowsTensile, dec, loadNnFixture } from "./nn-helpers.js";

const F = nn.functional;

interface LossCase {
  name: string;
  module: string;
  options: Record<string, Enc | number | string | boolean>;
  inputs: Enc[];
  upstream: Enc;
  output: Enc;
  grads: Record<string, Enc>;
}
const fx = loadNnFixture<{ cases: LossCase[] }>("nn-losses.json");

type LossFn = (...args: any[]) => Tensor;
/** The functional form of each loss module. */
const functional: Record<string, LossFn> = {
  MSELoss: F.mseLoss,
  L1Loss: F.l1Loss,
  SmoothL1Loss: F.smoothL1Loss,
  HuberLoss: F.huberLoss,
  CrossEntropyLoss: F.crossEntropy,
  NLLLoss: F.nllLoss,
  BCELoss: F.binaryCrossEntropy,
  BCEWithLogitsLoss: F.binaryCrossEntropyWithLogits,
  KLDivLoss: F.klDiv,
  CosineEmbeddingLoss: F.cosineEmbeddingLoss,
  MarginRankingLoss: F.marginRankingLoss,
};

function options(c: LossCase): Record<string, unknown> {
  return Object.fromEntries(Object.entries(c.options).map(([k, v]) => [k, typeof v === "object" ? dec(v) : v]));
}

function build(c: LossCase): nn.Module {
  const Cls = (nn as unknown as Record<string, new (o: unknown) => nn.Module>)[c.module];
  assert.ok(Cls, `nn.${c.module} is missing`);
  return new Cls(options(c));
}

describe("loss modules match PyTorch (forward and backward)", () => {
  for (const c of fx.cases) {
    test(c.name, () => {
      const inputs = c.inputs.map((e, i) => dec(e, { requiresGrad: String(i) in c.grads }));
      const out = build(c).forward(...inputs) as Tensor;
      assertClose(`${c.name} output`, out, c.output, 1e-5, 1e-6);
      out.mul(dec(c.upstream)).sum().backward();
      for (const [i, g] of Object.entries(c.grads)) {
        const got = inputs[Number(i)]!.grad;
        assert.ok(got, `${c.name}: input ${i} got no gradient`);
        assertClose(`${c.name} grad of input ${i}`, got, g, 1e-4, 1e-6);
      }
    });
  }
});

test("each loss module equals its functional form on the same inputs and options", () => {
  for (const c of fx.cases) {
    const inputs = c.inputs.map((e) => dec(e));
    const fromModule = (build(c).forward(...inputs) as Tensor).dataSync();
    const fromF = functional[c.module]!(...inputs, options(c)).dataSync();
    assert.deepEqual([...fromModule], [...fromF], c.name);
  }
});

test("cross-entropy stays finite for logits of ±1e4, forward and backward", () => {
  const x = tensor([[1e4, -1e4, 0], [-1e4, 1e4, 0]], { requiresGrad: true });
  for (const target of [tensor([1, 2], { dtype: "int32" }), tensor([[0, 1, 0], [0.5, 0, 0.5]])]) {
    x.grad = null;
    const loss = F.crossEntropy(x, target, { labelSmoothing: 0.1 });
    loss.backward();
    assert.ok(Number.isFinite(loss.item()), `loss ${loss.item()}`);
    assert.ok([...x.grad!.dataSync()].every(Number.isFinite));
  }
});

test("weighted losses keep weight in the state dict and follow loadStateDict", () => {
  const ce = new nn.CrossEntropyLoss({ weight: ones([3]) });
  ce.loadStateDict({ weight: tensor([1, 2, 3]) });
  assert.deepEqual(ce.weight!.toArray(), [1, 2, 3]);
  assert.deepEqual(Object.keys(new nn.CrossEntropyLoss().stateDict()), []);
});

describe("bad inputs throw TensileError naming the op and the values", () => {
  const logits = randn([4, 10]);
  const int = (v: number[]) => tensor(v, { dtype: "int32" });
  test("class targets out of range", () => {
    assertThrowsTensile(() => F.crossEntropy(logits, int([1, 12, 3, 0])), /^crossEntropy: target 12 is out of bounds for 10 classes$/);
    assertThrowsTensile(() => new nn.CrossEntropyLoss().forward(logits, int([1, -1, 3, 0])), /crossEntropy: target -1 is out of bounds/);
    assertThrowsTensile(() => F.nllLoss(logits, int([1, 2, 3, 10])), /^nllLoss: target 10 is out of bounds for 10 classes$/);
    // ignoreIndex values are not checked against the class range
    assert.ok(Number.isFinite(F.crossEntropy(logits, int([1, 55, 3, 0]), { ignoreIndex: 55 }).item()));
  });
  test("shape mismatches name both shapes", () => {
    assertThrowsTensile(() => F.crossEntropy(logits, int([1, 2, 3])), /expected input batch_size \(4\) to match target batch_size \(3\) \(input \[4, 10\], target \[3\]\)/);
    assertThrowsTensile(() => F.crossEntropy(randn([2, 3, 5]), int([1, 2])), /expected target size \[2, 5\] for input \[2, 3, 5\], got \[2\]/);
    assertThrowsTensile(() => F.crossEntropy(logits, randn([4, 9])), /class-probability target must have the input's shape \[4, 10\], got \[4, 9\]/);
    assertThrowsTensile(() => F.crossEntropy(randn([10]), int([1, 2])), /1D input \[10\] \(unbatched\) expects a 0D target/);
    assertThrowsTensile(() => F.mseLoss(randn([3, 4]), randn([3, 5])), /mseLoss: input shape \[3, 4\] and target shape \[3, 5\] do not broadcast/);
    assertThrowsTensile(() => new nn.L1Loss().forward(randn([2]), randn([3])), /l1Loss: input shape \[2\] and target shape \[3\]/);
    assertThrowsTensile(() => F.binaryCrossEntropy(ones([3, 1]).mul(0.5), ones([3])), /binaryCrossEntropy: using a target size \[3\] that is different to the input size \[3, 1\]/);
    assertThrowsTensile(() => F.binaryCrossEntropyWithLogits(randn([3]), ones([3, 1])), /binaryCrossEntropyWithLogits: using a target size \[3, 1\]/);
    assertThrowsTensile(() => F.cosineEmbeddingLoss(randn([3, 4]), randn([3, 4]), tensor(1)), /0D target tensor expects 1D input tensors, but found inputs with sizes \[3, 4\] and \[3, 4\]/);
    assertThrowsTensile(() => F.marginRankingLoss(randn([3]), randn([3]), ones([3, 1])), /all input tensors should have same dimension/);
  });
  test("bad dtypes, weights and options", () => {
    assertThrowsTensile(() => F.nllLoss(logits, tensor([1, 2, 3, 4], { dtype: "float32" })), /nllLoss: expected target of dtype int32 \(class indices\), got float32/);
    assertThrowsTensile(() => F.crossEntropy(logits, int([1, 2, 3, 4]), { weight: ones([9]) }), /weight tensor should be defined either for all 10 classes or no classes but got weight tensor of shape: \[9\]/);
    assertThrowsTensile(() => F.crossEntropy(logits, int([1, 2, 3, 4]), { labelSmoothing: 1.5 }), /label_smoothing must be between 0.0 and 1.0. Got: 1.5/);
    assertThrowsTensile(() => new nn.MSELoss({ reduction: "avg" as never }), /MSELoss: "avg" is not a valid value for reduction/);
    assertThrowsTensile(() => F.klDiv(randn([2]), randn([2]), { reduction: "batch" as never }), /klDiv: "batch" is not a valid value/);
    assertThrowsTensile(() => F.binaryCrossEntropy(tensor([0.5, 1.5]), zeros([2])), /binaryCrossEntropy: all elements of input should be between 0 and 1, found 1.5/);
    assertThrowsTensile(() => F.smoothL1Loss(zeros([1]), zeros([1]), { beta: -1 }), /does not support negative values for beta/);
    assertThrowsTensile(() => F.huberLoss(zeros([1]), zeros([1]), { delta: 0 }), /does not support non-positive values for delta/);
  });
});

test("crossEntropy over many classes (the composed form on wasm) agrees with the one-pass form", () => {
  // 64 × 600 logits: above the one-pass limit, so wasm composes logSoftmax and nllLoss, while the
  // reference backend (jsKernels) still takes the one-pass form
  const [N, C] = [64, 600];
  const x = Float32Array.from({ length: N * C }, (_, i) => 4 * Math.sin(i * 0.37));
  const t = Int32Array.from({ length: N }, (_, i) => (i * 97) % C);
  t[5] = -100;
  const w = Float32Array.from({ length: C }, (_, i) => 0.5 + (i % 7) / 7);
  const run = (backend: string, reduction: "mean" | "sum" | "none", weighted: boolean) => withBackend(backend, () => {
    const logits = tensor(x, { shape: [N, C], requiresGrad: true });
    const loss = F.crossEntropy(logits, tensor(t), { reduction, weight: weighted ? tensor(w) : null });
    const onePass = loss.gradFn?.name === "IndexCrossEntropyFn";
    assert.equal(onePass, backend === "reference", `${backend}: the one-pass form ${onePass ? "ran" : "did not run"}`);
    (reduction === "none" ? loss.mul(tensor(Float32Array.from({ length: N }, (_, i) => 1 + (i % 3)))).sum() : loss).backward();
    return [loss.dataSync(), logits.grad!.dataSync()] as const;
  });
  const close = (what: string, a: ArrayLike<number>, b: ArrayLike<number>) => {
    assert.equal(a.length, b.length, `${what}: length`);
    for (let i = 0; i < a.length; i++)
      assert.ok(Math.abs(a[i]! - b[i]!) <= 1e-6 + 1e-5 * Math.abs(b[i]!), `${what}: element ${i} is ${a[i]} on wasm, ${b[i]} on reference`);
  };
  for (const reduction of ["mean", "sum", "none"] as const)
    for (const weighted of [false, true]) {
      const [wl, wg] = run("wasm", reduction, weighted), [rl, rg] = run("reference", reduction, weighted);
      const what = `${reduction}${weighted ? ", weighted" : ""}`;
      close(`loss (${what})`, wl, rl);
      close(`gradient (${what})`, wg, rg);
      assert.ok(wg.some((v) => v !== 0), "a gradient");
    }
  // up to the limit (4,096 logits) wasm takes the one-pass form too; a backend declaring JavaScript
  // kernels takes it at any size
  withBackend("wasm", () => {
    const loss = F.crossEntropy(tensor(x.subarray(0, 64 * 64), { shape: [64, 64], requiresGrad: true }), tensor(t.map((v) => (v < 0 ? v : v % 64))));
    assert.equal(loss.gradFn?.name, "IndexCrossEntropyFn", "wasm at 64 × 64");
  });
  assert.equal(getBackend("reference").jsKernels, true);
});

test("every target ignored: the mean loss is NaN and the gradient 0, as in PyTorch", () => {
  for (const shape of [[3, 4], [2, 4, 5]]) {
    const x = randn(shape, { requiresGrad: true });
    const t = full(shape.length === 2 ? [3] : [2, 5], -100, { dtype: "int32" });
    for (const f of [(a: Tensor) => F.crossEntropy(a, t), (a: Tensor) => F.nllLoss(a.logSoftmax(1), t)]) {
      x.grad = null;
      const loss = f(x);
      assert.ok(Number.isNaN(loss.item()), `loss ${loss.item()} for input ${shape}`);
      loss.backward();
      assert.ok([...x.grad!.dataSync()].every((v) => v === 0), `gradient ${[...x.grad!.dataSync()]} for input ${shape}`);
    }
  }
});
