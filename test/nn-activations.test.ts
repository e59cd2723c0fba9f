/**
 * The activations only in nn.functional (F.relu6 ... F.gumbelSoftmax) and their layers: each layer
 * equals its F function, parameters and state-dict keys, PyTorch's reprs, in-place forms, the
 * random ones (rrelu in training, gumbelSoftmax) by their properties, and bad arguments.
 * Values against PyTorch are in the op table (fixtures/ops-nn.json, tools/torchfix/ops_activations.py).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { Tensor, grad, manualSeed, noGrad, ones, randn, tensor } from "../src/core.js";
import * as nn from "../src/nn/index.js";
import { assertThrowsTensile } from "./nn-helpers.js";

const F = nn.functional;
const data = (t: Tensor): number[] => Array.from(t.dataSync() as Float32Array);

test("each new activation layer equals its F function with the same options", () => {
  manualSeed(1);
  const x = randn([2, 4, 3, 2]).mul(4);
  const w = tensor([0.1, -0.2, 0.3, 0.05]);
  const cases: [nn.Module, (t: Tensor) => Tensor][] = [
    [new nn.ReLU6(), (t) => F.relu6(t)],
    [new nn.Hardsigmoid(), (t) => F.hardsigmoid(t)],
    [new nn.Hardswish(), (t) => F.hardswish(t)],
    [new nn.Mish(), (t) => F.mish(t)],
    [new nn.Softsign(), (t) => F.softsign(t)],
    [new nn.Tanhshrink(), (t) => F.tanhshrink(t)],
    [new nn.CELU(0.7), (t) => F.celu(t, 0.7)],
    [new nn.CELU({ alpha: 2 }), (t) => F.celu(t, 2)],
    [new nn.RReLU(0.1, 0.3).eval(), (t) => F.rrelu(t, 0.1, 0.3)],
    [new nn.Threshold(0.5, -3), (t) => F.threshold(t, 0.5, -3)],
    [new nn.GLU(), (t) => F.glu(t)],
    [new nn.GLU(1), (t) => F.glu(t, 1)],
    [new nn.Hardshrink(1.5), (t) => F.hardshrink(t, 1.5)],
    [new nn.Softshrink(), (t) => F.softshrink(t, 0.5)],
    [new nn.Softmin(1), (t) => F.softmin(t, 1)],
    [new nn.Softmin(), (t) => F.softmin(t, 1)], // PyTorch's implicit dim of a 4-D input is 1
    [new nn.Softmax2d(), (t) => F.softmax(t, -3)],
  ];
  for (const [m, f] of cases) assert.deepEqual(data(m.forward(x)), data(f(x)), String(m));
  const prelu = new nn.PReLU(4);
  noGrad(() => prelu.weight.copy_(w));
  assert.deepEqual(data(prelu.forward(x)), data(F.prelu(x, w)));
});

test("reprs are PyTorch's", () => {
  // printed by /usr/bin/python3 (torch 1.13): repr(nn.ReLU6()), repr(nn.ReLU6(True)), ...
  const want: [nn.Module, string][] = [
    [new nn.ReLU6(), "ReLU6()"],
    [new nn.ReLU6(true), "ReLU6(inplace=True)"],
    [new nn.PReLU(), "PReLU(num_parameters=1)"],
    [new nn.PReLU(3, 0.1), "PReLU(num_parameters=3)"],
    [new nn.RReLU(), "RReLU(lower=0.125, upper=0.3333333333333333)"],
    [new nn.RReLU(0.1, 0.3, true), "RReLU(lower=0.1, upper=0.3, inplace=True)"],
    [new nn.CELU(), "CELU(alpha=1.0)"],
    [new nn.CELU(0.5, true), "CELU(alpha=0.5, inplace=True)"],
    [new nn.Mish(), "Mish()"],
    [new nn.Mish(true), "Mish(inplace=True)"],
    [new nn.Hardsigmoid(), "Hardsigmoid()"],
    [new nn.Hardsigmoid(true), "Hardsigmoid()"],
    [new nn.Hardswish(), "Hardswish()"],
    [new nn.Hardswish(true), "Hardswish()"],
    [new nn.Softsign(), "Softsign()"],
    [new nn.Softmin(), "Softmin(dim=None)"],
    [new nn.Softmin(1), "Softmin(dim=1)"],
    [new nn.Softmax2d(), "Softmax2d()"],
    [new nn.Tanhshrink(), "Tanhshrink()"],
    [new nn.Threshold(0.1, 20), "Threshold(threshold=0.1, value=20)"],
    [new nn.Threshold(0.1, 20, true), "Threshold(threshold=0.1, value=20, inplace=True)"],
    [new nn.GLU(), "GLU(dim=-1)"],
    [new nn.GLU(1), "GLU(dim=1)"],
    [new nn.Hardshrink(), "Hardshrink(0.5)"],
    [new nn.Hardshrink(0.3), "Hardshrink(0.3)"],
    [new nn.Softshrink(), "Softshrink(0.5)"],
    [new nn.Softshrink(1), "Softshrink(1)"],
  ];
  for (const [m, s] of want) assert.equal(String(m), s);
});

test("PReLU: a `weight` Parameter of numParameters entries, 0.25 by default, in the state dict and learnt", () => {
  // PyTorch: nn.PReLU().state_dict().keys() == ['weight'], nn.PReLU().weight == [0.25]
  const m = new nn.PReLU();
  assert.deepEqual(Object.keys(m.stateDict()), ["weight"]);
  assert.deepEqual([...m.namedParameters()].map(([k, p]) => [k, p.shape]), [["weight", [1]]]);
  assert.deepEqual(data(m.weight), [0.25]);
  const m3 = new nn.PReLU({ numParameters: 3, init: 0.1 });
  assert.deepEqual(m3.weight.shape, [3]);
  assert.deepEqual(data(m3.weight), [0.1, 0.1, 0.1].map(Math.fround));
  // d/dw Σ prelu(x) = Σ of x ≤ 0 per channel (an exact identity)
  const x = tensor([[[-1, 2], [3, -4], [-0.5, -0.5]]]);
  m3.forward(x).sum().backward();
  assert.deepEqual(data(m3.weight.grad!), [-1, -4, -1]);
  for (const [args, re] of [[[0], /num_parameters/], [[2.5], /num_parameters/], [["a"], /PReLU/]] as const)
    assertThrowsTensile(() => new nn.PReLU(...(args as unknown as [number])), re);
  assertThrowsTensile(() => m3.forward(randn([2, 4])), /prelu: Mismatch of parameter numbers and input channel size/);
});

test("no new activation layer has parameters or buffers except PReLU", () => {
  for (const m of [new nn.ReLU6(), new nn.RReLU(), new nn.CELU(), new nn.Mish(), new nn.Hardsigmoid(), new nn.Hardswish(),
    new nn.Softsign(), new nn.Softmin(0), new nn.Softmax2d(), new nn.Tanhshrink(), new nn.Threshold(0, 0), new nn.GLU(),
    new nn.Hardshrink(), new nn.Softshrink()])
    assert.deepEqual(Object.keys(m.stateDict()), [], String(m));
});

test("inplace forms write into the input and return it, and autograd records them on non-leaf tensors", () => {
  const base = tensor([-4, -3, -1, 0, 0.5, 3, 5, 7], { dtype: "float32" });
  const fns: [string, (t: Tensor, inplace: boolean) => Tensor][] = [
    ["relu6", (t, i) => F.relu6(t, i)],
    ["hardsigmoid", (t, i) => F.hardsigmoid(t, i)],
    ["hardswish", (t, i) => F.hardswish(t, i)],
    ["mish", (t, i) => F.mish(t, i)],
    ["celu", (t, i) => F.celu(t, 0.5, i)],
    ["threshold", (t, i) => F.threshold(t, 0.5, 9, i)],
    ["rrelu", (t, i) => F.rrelu(t, 0.1, 0.3, false, i)],
    // the core activations take PyTorch's inplace argument in F too
    ["relu", (t, i) => F.relu(t, i)],
    ["leakyRelu", (t, i) => F.leakyRelu(t, 0.2, i)],
    ["elu", (t, i) => F.elu(t, 0.7, i)],
    ["selu", (t, i) => F.selu(t, i)],
    ["silu", (t, i) => F.silu(t, i)],
    ["hardtanh", (t, i) => F.hardtanh(t, -2, 4, i)],
  ];
  for (const [name, f] of fns) {
    const x = base.clone();
    const out = f(x, true);
    assert.equal(out, x, `${name}: returns its input`);
    assert.deepEqual(data(x), data(f(base, false)), `${name}: the input holds the result`);
    // under autograd: h = 2·leaf, f_(h) in place; the gradient equals the out-of-place one
    const leaf = base.clone().requiresGrad_(), leaf2 = base.clone().requiresGrad_();
    f(leaf.mul(2), true).mul(tensor([1, 2, 3, 4, 5, 6, 7, 8])).sum().backward();
    f(leaf2.mul(2), false).mul(tensor([1, 2, 3, 4, 5, 6, 7, 8])).sum().backward();
    assert.deepEqual(data(leaf.grad!), data(leaf2.grad!), `${name}: gradient`);
    assertThrowsTensile(() => f(base.clone().requiresGrad_(), true), new RegExp(`${name}_: a leaf Variable that requires grad`));
  }
  // PyTorch's F.op_ forms equal op(…, inplace=True)
  const under: [string, (t: Tensor) => Tensor, (t: Tensor) => Tensor][] = [
    ["relu_", (t) => F.relu_(t), (t) => F.relu(t)],
    ["leakyRelu_", (t) => F.leakyRelu_(t, 0.2), (t) => F.leakyRelu(t, 0.2)],
    ["elu_", (t) => F.elu_(t, 0.7), (t) => F.elu(t, 0.7)],
    ["selu_", (t) => F.selu_(t), (t) => F.selu(t)],
    ["hardtanh_", (t) => F.hardtanh_(t, -2, 4), (t) => F.hardtanh(t, -2, 4)],
    ["celu_", (t) => F.celu_(t, 0.5), (t) => F.celu(t, 0.5)],
    ["threshold_", (t) => F.threshold_(t, 0.5, 9), (t) => F.threshold(t, 0.5, 9)],
    ["rrelu_", (t) => F.rrelu_(t, 0.1, 0.3), (t) => F.rrelu(t, 0.1, 0.3)],
  ];
  for (const [name, f, ref] of under) {
    const x = base.clone();
    assert.equal(f(x), x, `${name}: returns its input`);
    assert.deepEqual(data(x), data(ref(base)), `${name}: the input holds the result`);
  }
  assertThrowsTensile(() => F.elu(tensor([1, -1]), 1, "yes" as never), /^elu: inplace must be a boolean/);
  assertThrowsTensile(() => F.leakyRelu_(tensor([1, -1], { dtype: "int32" })), /^leakyRelu: inplace needs a floating tensor, got int32/);
  const layer = new nn.ReLU6(true);
  const y = tensor([-1, 8], { dtype: "float32" });
  assert.equal(layer.forward(y), y);
  assert.deepEqual(data(y), [0, 6]);
});

test("rrelu in training: each x ≤ 0 gets its own slope from [lower, upper], drawn from the global generator", () => {
  const n = 20000;
  const x = ones([n]).neg().requiresGrad_();
  manualSeed(7);
  const y = F.rrelu(x, 0.1, 0.3, true);
  const slopes = data(y).map((v) => -v);
  assert.ok(slopes.every((s) => s >= Math.fround(0.1) && s <= Math.fround(0.3)), "slopes within [lower, upper]");
  const mean = slopes.reduce((a, b) => a + b, 0) / n;
  // U(0.1, 0.3): mean 0.2, sd 0.2/√12; six standard errors
  assert.ok(Math.abs(mean - 0.2) < (6 * 0.2) / Math.sqrt(12 * n), `mean slope ${mean}`);
  assert.ok(new Set(slopes).size > n / 2, "slopes differ between elements");
  // the gradient of x·r is r, the same slope
  y.sum().backward();
  assert.deepEqual(data(x.grad!), slopes.map(Math.fround));
  // positives pass unchanged; the same seed gives the same slopes
  manualSeed(7);
  assert.deepEqual(data(F.rrelu(x.detach(), 0.1, 0.3, true)), data(y));
  assert.deepEqual(data(F.rrelu(tensor([0.5, 2]), 0.1, 0.3, true)), [0.5, 2]);
  // the module draws in train(), uses the mean slope in eval()
  const m = new nn.RReLU(0.1, 0.3);
  const neg = tensor([-1, -1, -1, -1], { dtype: "float32" });
  assert.ok(new Set(data(m.forward(neg))).size > 1);
  assert.deepEqual(data(m.eval().forward(neg)), data(F.leakyRelu(neg, 0.2)));
});

test("gumbelSoftmax: samples on the simplex; hard gives one-hot with the soft sample's gradient; τ and dim as PyTorch", () => {
  const logits = randn([5, 7]).mul(2);
  const near = (a: number[], b: number[], tol: number, what: string) =>
    a.forEach((v, i) => assert.ok(Math.abs(v - b[i]!) <= tol, `${what} ${i}: ${v} vs ${b[i]}`));
  manualSeed(3);
  const soft = F.gumbelSoftmax(logits);
  near(data(soft.sum(-1)), new Array(5).fill(1), 1e-6, "rows sum to 1");
  assert.ok(data(soft).every((v) => v >= 0 && v <= 1));
  // hard: one-hot at the soft sample's argmax (same seed: same noise)
  manualSeed(3);
  const hard = F.gumbelSoftmax(logits, { hard: true });
  assert.deepEqual(data(hard.sum(-1)), [1, 1, 1, 1, 1]);
  assert.ok(data(hard).every((v) => v === 0 || v === 1));
  assert.deepEqual(data(hard.argmax(-1)), data(soft.argmax(-1)));
  // straight-through: d Σ w·hard / d logits equals d Σ w·soft / d logits
  const w = randn([5, 7]);
  const l1 = logits.clone().requiresGrad_(), l2 = logits.clone().requiresGrad_();
  manualSeed(11);
  const [g1] = grad([F.gumbelSoftmax(l1, { hard: true }).mul(w).sum()], [l1]);
  manualSeed(11);
  const [g2] = grad([F.gumbelSoftmax(l2).mul(w).sum()], [l2]);
  near(data(g1!), data(g2!), 1e-6, "straight-through gradient");
  // τ: with the same noise, log y_τ = logSoftmax(log y_1 / τ) (softmax ignores the constant log Σ)
  manualSeed(5);
  const y1 = F.gumbelSoftmax(logits, 1);
  manualSeed(5);
  const yHalf = F.gumbelSoftmax(logits, { tau: 0.5 });
  near(data(yHalf), data(F.softmax(y1.log().div(0.5), -1)), 1e-5, "tau");
  // dim: along dim 0 the columns sum to 1; PyTorch's positional (tau, hard, eps, dim) equals the options form
  manualSeed(9);
  const d0 = F.gumbelSoftmax(logits, 1, false, 1e-10, 0);
  near(data(d0.sum(0)), new Array(7).fill(1), 1e-6, "dim 0");
  manualSeed(9);
  assert.deepEqual(data(F.gumbelSoftmax(logits, { dim: 0 })), data(d0));
  assertThrowsTensile(() => F.gumbelSoftmax(logits, { dim: 2 }), /gumbelSoftmax/);
});

test("bad arguments throw TensileErrors naming the op and the values at fault", () => {
  assertThrowsTensile(() => F.glu(randn([2, 3]), 1), /glu: Halving dimension must be even, but dimension 1 is size 3/);
  assertThrowsTensile(() => F.glu(tensor(1)), /glu: glu does not support scalars/);
  assertThrowsTensile(() => F.celu(randn([2]), 0), /celu: ZeroDivisionError: alpha cannot be 0/);
  assertThrowsTensile(() => F.softshrink(randn([2]), -0.5), /softshrink: lambda must be greater or equal to 0, but found to be -0.5/);
  assertThrowsTensile(() => F.rrelu(randn([2]), 0.5, 0.1), /rrelu: Lower bound should be less than or equal to the upper bound/);
  assertThrowsTensile(() => F.prelu(randn([2, 3]), randn([2])), /prelu: Mismatch .* parameter numbers = 2 and channel size = 3/);
  assertThrowsTensile(() => F.prelu(randn([3]), randn([3])), /channel size = 1/);
  assertThrowsTensile(() => F.prelu(randn([2, 3]), randn([3, 1])), /prelu: Expected `weight` to be a scalar or 1D tensor, but got ndim = 2/);
  assertThrowsTensile(() => F.softmin(randn([2]), undefined as never), /softmin: dim must be given/);
  assertThrowsTensile(() => new nn.Softmax2d().forward(randn([2, 2])), /Softmax2d: Softmax2d requires a 3D or 4D tensor as input, got \[2, 2\]/);
  assertThrowsTensile(() => F.threshold(randn([2]), "a" as never, 1), /threshold: threshold must be a number/);
  assertThrowsTensile(() => F.relu6(randn([2]), "yes" as never), /relu6: inplace must be a boolean/);
});

test("integer inputs: relu6 and threshold keep the dtype (in place too); the others compute in float32 and refuse inplace", () => {
  const i = tensor([-2, 0, 3, 7]);
  assert.equal(F.relu6(i).dtype, "int32");
  const j = tensor([-2, 0, 3, 7]);
  F.threshold(j, 1, 5, true);
  assert.deepEqual([...j.dataSync()], [5, 5, 3, 7]);
  assert.equal(F.hardsigmoid(i).dtype, "float32");
  assertThrowsTensile(() => F.hardswish(i, true), /hardswish: inplace needs a floating tensor, got int32/);
});
