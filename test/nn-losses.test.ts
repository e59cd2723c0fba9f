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
    const onePass = loss.gradFn?.name === "crossEntropy";
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
    assert.equal(loss.gradFn?.name, "crossEntropy", "wasm at 64 × 64");
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

// ---- margin, embedding and likelihood losses (values against PyTorch: the op table, fixtures/ops-nn.json) ----

describe("margin, embedding and likelihood loss modules", () => {
  const int = (v: number[], shape?: number[]) => tensor(v, { dtype: "int32" }).reshape(shape ?? [v.length]);
  const data = (t: Tensor) => [...t.dataSync()];
  const x = randn([4, 5]), x2 = randn([4, 5]), x3 = randn([4, 5]);
  const signs = tensor([1, -1, -1, 1, 1, -1, 1, -1, 1, 1, -1, -1, 1, 1, 1, -1, -1, 1, -1, 1], { dtype: "float32" }).reshape([4, 5]);
  const labels = int([0, 4, 2, 1]);
  const lists = int([3, 0, -1, 1, 2, 1, 1, 2, -1, 0, -1, 0, 1, 2, 3, 4, 3, 2, 1, 0], [4, 5]);
  const w = tensor([0.5, 1, 1.5, 2, 0.25]);
  const cases: [string, nn.Module, Tensor[], () => Tensor][] = [];
  for (const reduction of ["mean", "sum", "none"] as const) {
    cases.push(
      [`SoftMarginLoss ${reduction}`, new nn.SoftMarginLoss({ reduction }), [x, signs], () => F.softMarginLoss(x, signs, { reduction })],
      [`MultiLabelSoftMarginLoss ${reduction}`, new nn.MultiLabelSoftMarginLoss({ weight: w, reduction }), [x, signs.gt(0).float()],
        () => F.multilabelSoftMarginLoss(x, signs.gt(0).float(), { weight: w, reduction })],
      [`MultiMarginLoss ${reduction}`, new nn.MultiMarginLoss({ p: 2, margin: 0.7, weight: w, reduction }), [x, labels],
        () => F.multiMarginLoss(x, labels, { p: 2, margin: 0.7, weight: w, reduction })],
      [`MultiLabelMarginLoss ${reduction}`, new nn.MultiLabelMarginLoss({ reduction }), [x, lists], () => F.multilabelMarginLoss(x, lists, { reduction })],
      [`HingeEmbeddingLoss ${reduction}`, new nn.HingeEmbeddingLoss({ margin: 0.5, reduction }), [x, signs],
        () => F.hingeEmbeddingLoss(x, signs, { margin: 0.5, reduction })],
      [`TripletMarginLoss ${reduction}`, new nn.TripletMarginLoss({ margin: 0.5, p: 1, eps: 1e-3, swap: true, reduction }), [x, x2, x3],
        () => F.tripletMarginLoss(x, x2, x3, { margin: 0.5, p: 1, eps: 1e-3, swap: true, reduction })],
      [`TripletMarginWithDistanceLoss ${reduction}`, new nn.TripletMarginWithDistanceLoss({ margin: 2, swap: true, reduction }), [x, x2, x3],
        () => F.tripletMarginWithDistanceLoss(x, x2, x3, { margin: 2, swap: true, reduction })],
      [`PoissonNLLLoss ${reduction}`, new nn.PoissonNLLLoss({ logInput: false, full: true, eps: 0.01, reduction }), [x.abs(), x2.abs().mul(3)],
        () => F.poissonNllLoss(x.abs(), x2.abs().mul(3), { logInput: false, full: true, eps: 0.01, reduction })],
      [`GaussianNLLLoss ${reduction}`, new nn.GaussianNLLLoss({ full: true, eps: 0.1, reduction }), [x, x2, x3.abs().narrow(1, 0, 1)],
        () => F.gaussianNllLoss(x, x2, x3.abs().narrow(1, 0, 1), { full: true, eps: 0.1, reduction })],
    );
  }
  test("each module equals its F function with the same options", () => {
    for (const [name, m, inputs, f] of cases) assert.deepEqual(data(m.forward(...inputs) as Tensor), data(f()), name);
  });

  test("weights are buffers in the state dict (as PyTorch's 'weight'); the rest have none; reprs are PyTorch's", () => {
    // PyTorch: nn.MultiMarginLoss(weight=w).state_dict().keys() == ['weight'], likewise MultiLabelSoftMarginLoss
    assert.deepEqual(Object.keys(new nn.MultiMarginLoss({ weight: w }).stateDict()), ["weight"]);
    assert.deepEqual(Object.keys(new nn.MultiLabelSoftMarginLoss({ weight: w }).stateDict()), ["weight"]);
    const mm = new nn.MultiMarginLoss({ weight: ones([5]) });
    mm.loadStateDict({ weight: w });
    assert.deepEqual(data(mm.weight!), data(w));
    for (const m of [new nn.MultiMarginLoss(), new nn.SoftMarginLoss(), new nn.TripletMarginWithDistanceLoss(), new nn.GaussianNLLLoss()])
      assert.deepEqual(Object.keys(m.stateDict()), []);
    // printed by /usr/bin/python3 (torch 1.13)
    assert.equal(String(new nn.MultiMarginLoss({ p: 2, margin: 0.5 })), "MultiMarginLoss()");
    assert.equal(String(new nn.TripletMarginLoss({ margin: 0.5, swap: true })), "TripletMarginLoss()");
    assert.equal(String(new nn.PoissonNLLLoss({ logInput: false, full: true })), "PoissonNLLLoss()");
    assert.equal(String(new nn.TripletMarginWithDistanceLoss()), "TripletMarginWithDistanceLoss(\n  (distance_function): PairwiseDistance()\n)");
    assert.equal(String(new nn.TripletMarginWithDistanceLoss({ distanceFunction: (a, b) => a.sub(b).abs().sum(-1) })), "TripletMarginWithDistanceLoss()");
  });

  test("tripletMarginWithDistanceLoss with a function or a module as the distance, against PyTorch", () => {
    const a = tensor([[1, 2, 0.5], [-1, 0.5, 2], [0.3, -0.7, 1.1]], { requiresGrad: true });
    const p = tensor([[0.5, 1.5, 1], [1, -0.5, 1], [0.2, 0.1, -0.4]]);
    const n = tensor([[-1, 0, 2], [-0.5, 1, 1.5], [1, 1, 1]]);
    const cosineDistance = (u: Tensor, v: Tensor) => F.cosineSimilarity(u, v).neg().add(1);
    // /usr/bin/python3, torch 1.13: F.triplet_margin_with_distance_loss(a, p, n,
    //   distance_function=lambda x, y: 1 - F.cosine_similarity(x, y), margin=0.5, reduction='none'), then .sum().backward()
    const loss = F.tripletMarginWithDistanceLoss(a, p, n, { distanceFunction: cosineDistance, margin: 0.5, reduction: "none" });
    assertClose("loss", loss, { shape: [3], dtype: "float32", data: [0, 1.214921, 1.53603911] }, 1e-5, 1e-6);
    loss.sum().backward();
    assertClose("grad", a.grad!, { shape: [3, 3], dtype: "float32", data: [0, 0, 0, -0.27142411, 0.31067562, -0.21338093, -0.06831342, 0.67358315, 0.44727463] }, 1e-4, 1e-6);
    // distance_function=nn.PairwiseDistance(p=1), reduction='none'
    const m = new nn.TripletMarginWithDistanceLoss({ distanceFunction: new nn.PairwiseDistance(1), reduction: "none" });
    assertClose("module distance", m.forward(a, p, n), { shape: [3], dtype: "float32", data: [0, 3.50000191, 0.90000176] }, 1e-5, 1e-6);
    assertThrowsTensile(() => F.tripletMarginWithDistanceLoss(a, p, n, { distanceFunction: () => 3 as never }), /tripletMarginWithDistanceLoss: distanceFunction must return a Tensor/);
    assertThrowsTensile(() => new nn.TripletMarginWithDistanceLoss({ distanceFunction: "l2" as never }), /TripletMarginWithDistanceLoss: distanceFunction must be a function or a Module/);
  });

  test("the soft margin loss stays finite where torch's float32 log1p(exp(·)) overflows", () => {
    // softplus(v) = v + log1p(e^{−v}) ≈ v for v = 200: loss 200, gradient −y = −1 (torch float64 agrees; float32 gives inf, NaN)
    const xs = tensor([-200], { requiresGrad: true });
    const loss = F.softMarginLoss(xs, tensor([1], { dtype: "float32" }));
    loss.backward();
    assert.equal(loss.item(), 200);
    assert.equal(xs.grad!.item(), -1);
  });

  test("bad inputs throw TensileErrors naming the op and the values", () => {
    assertThrowsTensile(() => F.multiMarginLoss(x, int([0, 5, 1, 1])), /multiMarginLoss: target out of range: 5/);
    assertThrowsTensile(() => F.multiMarginLoss(x, int([0, 1])), /multiMarginLoss: inconsistent target size, got: \[2\]/);
    assertThrowsTensile(() => F.multiMarginLoss(x, labels, { p: 3 }), /multiMarginLoss: only p == 1 and p == 2 supported/);
    assertThrowsTensile(() => F.multiMarginLoss(x, labels, { weight: ones([4]) }), /multiMarginLoss: inconsistent weight size, expected 5 but got \[4\]/);
    assertThrowsTensile(() => F.multiMarginLoss(randn([2, 3, 4]), labels), /Expected non-empty vector or matrix with optional 0-dim batch size, but got: \[2, 3, 4\]/);
    assertThrowsTensile(() => F.multiMarginLoss(x, labels.float()), /multiMarginLoss: expected target of dtype int32/);
    assertThrowsTensile(() => F.multilabelMarginLoss(x, lists.narrow(0, 0, 2)), /multilabelMarginLoss: inconsistent size \[2, 5\] for argument #2 'target'/);
    assertThrowsTensile(() => F.multilabelMarginLoss(x, lists.sub(2)), /multilabelMarginLoss: argument #2 'target' is out of range: -2/);
    assertThrowsTensile(() => F.tripletMarginLoss(x, randn([5]), x3), /tripletMarginLoss: All inputs should have same dimension but got 2D, 1D and 2D inputs/);
    assertThrowsTensile(() => F.gaussianNllLoss(x, x2, ones([5])), /gaussianNllLoss: var is of incorrect size: \[5\] for input \[4, 5\]/);
    assertThrowsTensile(() => F.gaussianNllLoss(x, x2, ones([4, 2])), /var is of incorrect size/);
    assertThrowsTensile(() => F.gaussianNllLoss(x, x2, ones([4, 5]).neg()), /gaussianNllLoss: var has negative entry\/entries/);
    assertThrowsTensile(() => F.softMarginLoss(x, ones([3])), /softMarginLoss: input shape \[4, 5\] and target shape \[3\] do not broadcast/);
    assertThrowsTensile(() => F.hingeEmbeddingLoss(x, signs, { reduction: "avg" as never }), /hingeEmbeddingLoss: "avg" is not a valid value for reduction/);
    assertThrowsTensile(() => new nn.MultiMarginLoss({ p: 3 }), /MultiMarginLoss: only p == 1 and p == 2/);
    assertThrowsTensile(() => new nn.PoissonNLLLoss({ full: "yes" as never }), /PoissonNLLLoss: full must be a boolean/);
  });
});

describe("CTC loss", () => {
  const int = (v: number[]) => tensor(v, { dtype: "int32" });
  const targets = int([1, 2, 2, 3, 3, 0, 4, 1, 4]).reshape([3, 3]);
  const inputLengths = int([8, 7, 6]);
  const targetLengths = int([3, 2, 3]);

  test("the gradient through logSoftmax matches central differences (float64, every backend)", () => {
    // the recursion's gradient is PyTorch's (e^lp − posterior); through a logSoftmax it is the
    // loss's own derivative, which finite differences of the composed loss measure
    for (const backend of ["reference", "wasm"])
      withBackend(backend, () => {
        const base = Float64Array.from({ length: 8 * 3 * 5 }, (_, i) => Math.sin(i * 1.7) * 2);
        const weights = tensor([1, 2, 0.5], { dtype: "float64" });
        const f = (x: Tensor) => F.ctcLoss(x.logSoftmax(2), targets, inputLengths, targetLengths, { reduction: "none" }).mul(weights).sum();
        const leaf = tensor(base, { shape: [8, 3, 5], requiresGrad: true });
        f(leaf).backward();
        const analytic = leaf.grad!.dataSync();
        const eps = 1e-6;
        for (let i = 0; i < base.length; i++) {
          const at = (d: number) => {
            const b = Float64Array.from(base);
            b[i]! += d;
            return f(tensor(b, { shape: [8, 3, 5] })).item();
          };
          const numeric = (at(eps) - at(-eps)) / (2 * eps);
          assert.ok(Math.abs(analytic[i]! - numeric) <= 1e-6 + 1e-5 * Math.abs(numeric), `${backend} element ${i}: analytic ${analytic[i]}, numeric ${numeric}`);
        }
        // frames past a sample's input length get no gradient (sample 2 has 6 of 8)
        for (const t of [6, 7]) assert.deepEqual([...leaf.grad!.index([t, 2]).dataSync()], [0, 0, 0, 0, 0]);
      });
  });

  test("an input too short for its target: loss ∞ (NaN gradient, as PyTorch); zeroInfinity makes both 0", () => {
    const lp = randn([4, 2, 5]).logSoftmax(2).detach().requiresGrad_();
    const tg = int([1, 1, 2, 3, 0, 0]).reshape([2, 3]);
    // sample 0 needs 4 frames for [1, 1, 2] (a blank between the repeats) but has 3
    const loss = F.ctcLoss(lp, tg, [3, 4], [3, 1], { reduction: "none" });
    assert.equal(loss.dataSync()[0], Infinity);
    assert.ok(Number.isFinite(loss.dataSync()[1]!));
    const zi = new nn.CTCLoss({ reduction: "sum", zeroInfinity: true }).forward(lp, tg, [3, 4], [3, 1]);
    assert.equal(zi.item(), loss.dataSync()[1]);
    zi.backward();
    assert.ok([...lp.grad!.index([":", 0]).dataSync()].every((v) => v === 0), "no gradient from the infinite sample");
    assert.ok([...lp.grad!.index([":", 1]).dataSync()].some((v) => v !== 0));
  });

  test("nn.CTCLoss equals F.ctcLoss; mean divides by the target lengths; repr and state dict as PyTorch's", () => {
    const lp = randn([8, 3, 5]).logSoftmax(2);
    for (const reduction of ["mean", "sum", "none"] as const) {
      const m = new nn.CTCLoss({ blank: 0, reduction });
      assert.deepEqual([...m.forward(lp, targets, inputLengths, targetLengths).dataSync()],
        [...F.ctcLoss(lp, targets, inputLengths, targetLengths, { reduction }).dataSync()], reduction);
    }
    const none = [...F.ctcLoss(lp, targets, inputLengths, targetLengths, { reduction: "none" }).dataSync()];
    const mean = F.ctcLoss(lp, targets, inputLengths, targetLengths).item();
    assert.ok(Math.abs(mean - (none[0]! / 3 + none[1]! / 2 + none[2]! / 3) / 3) < 1e-6);
    // concatenated targets give the same losses as padded ones
    const concat = F.ctcLoss(lp, int([1, 2, 2, 3, 3, 4, 1, 4]), inputLengths, targetLengths, { reduction: "none" });
    assert.deepEqual([...concat.dataSync()], none);
    // printed by /usr/bin/python3 (torch 1.13): repr(nn.CTCLoss()), nn.CTCLoss().state_dict().keys() == []
    assert.equal(String(new nn.CTCLoss()), "CTCLoss()");
    assert.deepEqual(Object.keys(new nn.CTCLoss().stateDict()), []);
  });

  test("bad arguments throw TensileErrors naming the op and the values", () => {
    const lp = randn([6, 2, 4]).logSoftmax(2);
    const tg = int([1, 2, 2, 3, 1, 0]).reshape([2, 3]);
    assertThrowsTensile(() => F.ctcLoss(lp, tg, [7, 5], [3, 2]), /ctcLoss: Expected input_lengths to have value at most 6, but got value 7/);
    assertThrowsTensile(() => F.ctcLoss(lp, tg, [6], [3, 2]), /ctcLoss: inputLengths must be of size batch_size \(2\)/);
    assertThrowsTensile(() => F.ctcLoss(lp, tg, [6, 5], [4, 2]), /Expected tensor to have size at least 4 at dimension 1, but got size 3 for argument #2 'targets'/);
    assertThrowsTensile(() => F.ctcLoss(lp, int([1, 2, 2, 3]), [6, 5], [3, 2]), /Expected tensor to have size 5 at dimension 0, but got size 4/);
    assertThrowsTensile(() => F.ctcLoss(lp, tg, [6, 5], [3, 2], { blank: 4 }), /ctcLoss: blank must be in label range \[0, 4\), got 4/);
    assertThrowsTensile(() => F.ctcLoss(lp, int([1, 5, 2, 3, 1, 0]).reshape([2, 3]), [6, 5], [3, 2]), /ctcLoss: target value 5 is out of range for 4 classes/);
    assertThrowsTensile(() => F.ctcLoss(randn([6, 2, 4, 5]), tg, [6, 5], [3, 2]), /ctcLoss: Expected 3-dimensional tensor, but got 4-dimensional tensor/);
    assertThrowsTensile(() => F.ctcLoss(lp, tg.float(), [6, 5], [3, 2]), /ctcLoss: expected targets of dtype int32/);
    assertThrowsTensile(() => F.ctcLoss(lp, tg, [6, 5], [3, 2], { reduction: "avg" as never }), /ctcLoss: "avg" is not a valid value for reduction/);
  });
});
