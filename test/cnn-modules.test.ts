/**
 * Convolutional modules and models against PyTorch (fixtures/cnn-modules.json, written by
 * tools/gen-cnn-fixtures.py): Conv/BatchNorm layers and residual blocks forward + backward with
 * given weights, running statistics over training steps then eval mode, a small ResNet end to end,
 * state-dict keys, parameter counts, reprs and default initialisation.
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { type Tensor, manualSeed } from "../src/core.js";
import * as nn from "../src/nn/index.js";
import * as models from "../src/models/index.js";
import { type Enc, assertClose, dec, loadNnFixture } from "./nn-helpers.js";

const fx = loadNnFixture("cnn-modules.json");
const F = nn.functional;
type State = Record<string, Enc>;

const camel = (k: string) => k.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
const camelKeys = (o: Record<string, unknown> = {}) => Object.fromEntries(Object.entries(o).map(([k, v]) => [camel(k), v]));

function build(ctor: { cls: string; args: unknown[]; kwargs?: Record<string, unknown> }): nn.Module {
  const Cls = ctor.cls === "BasicBlock" ? models.BasicBlock : ctor.cls === "Bottleneck" ? models.Bottleneck
    : (nn as unknown as Record<string, new (...a: unknown[]) => nn.Module>)[ctor.cls]!;
  const New = Cls as new (...a: unknown[]) => nn.Module;
  const kw = camelKeys(ctor.kwargs);
  return Object.keys(kw).length ? new New(...ctor.args, kw) : new New(...ctor.args);
}

const load = (m: nn.Module, s: State) => m.loadStateDict(Object.fromEntries(Object.entries(s).map(([k, v]) => [k, dec(v)])));

function checkState(what: string, m: nn.Module, s: State): void {
  const sd = m.stateDict();
  assert.deepEqual(Object.keys(sd), Object.keys(s), `${what}: state keys`);
  for (const [k, v] of Object.entries(s)) assertClose(`${what} ${k}`, sd[k]!, v, 1e-4, 1e-5);
}

function checkGrads(what: string, m: nn.Module, grads: State, rtol = 1e-4, atol = 1e-5): void {
  const named = new Map(m.namedParameters());
  assert.deepEqual([...named.keys()].sort(), Object.keys(grads).sort(), `${what}: parameter names`);
  for (const [k, g] of Object.entries(grads)) {
    const p = named.get(k)!;
    assert.ok(p.grad, `${what}: ${k} has no gradient`);
    assertClose(`${what} grad ${k}`, p.grad!, g, rtol, atol);
  }
}

interface GradCase {
  name: string; ctor: { cls: string; args: unknown[]; kwargs?: Record<string, unknown> }; state: State;
  input: Enc; output: Enc; gradOutput: Enc; gradInput: Enc; grads: State;
}

function runGradCase(c: GradCase, m: nn.Module, extra: unknown[] = []): Tensor {
  load(m, c.state);
  const x = dec(c.input, { requiresGrad: true });
  const y = m.forward(x, ...extra) as Tensor;
  assertClose(`${c.name} output`, y, c.output, 1e-4, 1e-5);
  y.backward(dec(c.gradOutput));
  assertClose(`${c.name} input grad`, x.grad!, c.gradInput, 1e-4, 1e-5);
  checkGrads(c.name, m, c.grads);
  return y;
}

describe("conv layers vs PyTorch", () => {
  for (const c of fx.conv as GradCase[])
    test(c.name, () => void runGradCase(c, build(c.ctor), c.name === "convtranspose2d_output_size" ? [[6, 6]] : []));
});

describe("batch norm layers vs PyTorch: two training steps, then eval", () => {
  for (const c of fx.batchnorm)
    test(c.name, () => {
      const m = build(c.ctor);
      load(m, c.state);
      c.steps.forEach((s: GradCase & { stateAfter: State }, i: number) => {
        m.zeroGrad();
        const x = dec(s.input, { requiresGrad: true });
        const y = m.forward(x) as Tensor;
        assertClose(`${c.name} step ${i} output`, y, s.output, 1e-4, 1e-5);
        y.backward(dec(s.gradOutput));
        assertClose(`${c.name} step ${i} input grad`, x.grad!, s.gradInput, 1e-4, 1e-5);
        checkGrads(`${c.name} step ${i}`, m, s.grads);
        checkState(`${c.name} step ${i}`, m, s.stateAfter);
      });
      m.eval();
      assertClose(`${c.name} eval output`, m.forward(dec(c.eval.input)) as Tensor, c.eval.output, 1e-4, 1e-5);
    });
});

describe("residual blocks vs torchvision-style PyTorch blocks", () => {
  for (const c of fx.blocks)
    test(c.name, () => {
      const m = build(c.ctor);
      runGradCase(c, m);
      checkState(c.name, m, c.stateAfter);
      m.eval();
      assertClose(`${c.name} eval output`, m.forward(dec(c.eval.input)) as Tensor, c.eval.output, 1e-4, 1e-5);
    });
});

test("a small ResNet end to end: logits, cross-entropy, every gradient, running stats, eval", () => {
  const n = fx.network;
  const m = models.resnet(n.opts);
  load(m, n.state);
  const logits = m.forward(dec(n.input));
  assertClose("logits", logits, n.logits, 1e-4, 1e-5);
  const loss = F.crossEntropy(logits, dec(n.target));
  assert.ok(Math.abs(loss.item() - n.loss) < 1e-5, `loss ${loss.item()} vs ${n.loss}`);
  loss.backward();
  checkGrads("resnet", m, n.grads, 1e-3, 1e-5);
  checkState("resnet", m, n.stateAfter);
  m.eval();
  assertClose("eval logits", m.forward(dec(n.input)), n.evalLogits, 1e-4, 1e-5);
});

describe("models: state-dict keys and shapes, parameter counts, repr (torchvision naming)", () => {
  for (const c of fx.models)
    test(`${c.factory}(${JSON.stringify(c.opts)})`, () => {
      const m = c.factory === "lenet5" ? models.lenet5(c.opts) : models.resnet(c.opts);
      assert.deepEqual(Object.entries(m.stateDict()).map(([k, t]) => [k, [...t.shape]]), c.keys);
      assert.equal(m.parameters().reduce((a, p) => a + p.numel(), 0), c.numParams);
      assert.equal(String(m), c.repr);
    });
});

test("layer reprs match PyTorch's", () => {
  const layers = [
    new nn.Conv2d(1, 6, 5, { padding: 2 }), new nn.Conv2d(16, 33, [3, 5], [2, 1], [4, 2], [3, 1]),
    new nn.Conv2d(4, 8, 3, { groups: 2, bias: false, padding: "same" }), new nn.Conv2d(2, 2, 3, { padding: 1, paddingMode: "reflect" }),
    new nn.Conv1d(16, 33, 3, 2), new nn.ConvTranspose2d(16, 8, 2, { stride: 2 }),
    new nn.ConvTranspose2d(4, 2, 3, { stride: 2, padding: 1, outputPadding: 1, bias: false }),
    new nn.MaxPool2d(2), new nn.MaxPool2d(3, { stride: 2, padding: 1 }), new nn.MaxPool1d(3, 2), new nn.AvgPool2d(2),
    new nn.AvgPool2d(3, 2, 1), new nn.AdaptiveAvgPool2d([1, 1]), new nn.AdaptiveAvgPool2d(5),
    new nn.BatchNorm2d(16), new nn.BatchNorm1d(10, { momentum: null, affine: false }), new nn.BatchNorm2d(4, { eps: 1e-3, trackRunningStats: false }),
    new nn.LayerNorm(32), new nn.LayerNorm([3, 4], { eps: 1e-6, elementwiseAffine: false }), new nn.GroupNorm(4, 32),
    new nn.Dropout2d(0.25), new nn.Upsample({ scaleFactor: 2 }), new nn.Upsample({ size: [5, 4], mode: "bilinear", alignCorners: true }),
  ];
  assert.deepEqual(layers.map(String), fx.reprs);
});

test("Conv2d default init: U(±1/√fan_in) for weight and bias, as PyTorch's", () => {
  const { bound, conv2d_16_32_3: torchStats } = fx.init;
  const torchStd = torchStats.reduce((a: number, s: { weight: { std: number } }) => a + s.weight.std, 0) / torchStats.length;
  manualSeed(0);
  const conv = new nn.Conv2d(16, 32, 3);
  const w = Array.from(conv.weight.dataSync()), b = Array.from(conv.bias!.dataSync());
  assert.ok(Math.max(...w.map(Math.abs)) <= bound && Math.max(...b.map(Math.abs)) <= bound);
  const mean = w.reduce((a, v) => a + v, 0) / w.length;
  const std = Math.sqrt(w.reduce((a, v) => a + (v - mean) ** 2, 0) / (w.length - 1));
  assert.ok(Math.abs(std - torchStd) / torchStd < 0.05, `std ${std} vs PyTorch ${torchStd}`);
  assert.ok(Math.abs(std - bound / Math.sqrt(3)) / std < 0.05);
  assert.ok(Math.abs(mean) < 0.005);
});

test("ResNet init: kaiming-normal (fan_out, ReLU) convolutions, BN weight 1 and bias 0; zeroInitResidual", () => {
  manualSeed(1);
  const m = models.resnet({ blocks: [1, 1], channels: [32, 64], inChannels: 3, zeroInitResidual: true });
  const w = Array.from(m.getParameter("layer2.0.conv2.weight").dataSync());
  const std = Math.sqrt(w.reduce((a, v) => a + v * v, 0) / w.length);
  const want = Math.sqrt(2 / (64 * 9));
  assert.ok(Math.abs(std - want) / want < 0.05, `std ${std} vs ${want}`);
  assert.ok(Array.from(m.getParameter("bn1.weight").dataSync()).every((v) => v === 1));
  assert.ok(Array.from(m.getParameter("bn1.bias").dataSync()).every((v) => v === 0));
  assert.ok(Array.from(m.getParameter("layer1.0.bn2.weight").dataSync()).every((v) => v === 0));
});

// ---- the other conv/pool/norm/padding/shuffle/fold/upsampling/embedding-bag layers ----

interface LayerCase {
  name: string; ctor: { cls: string; args: unknown[]; kwargs?: Record<string, unknown> }; state: State;
  inputs: (Enc | null)[]; outputs: Enc[]; keys: string[]; repr: string;
  gradOutput?: Enc; inputGrads?: (Enc | null)[]; grads?: State; stateAfter: State; evalOutputs: Enc[];
}

describe("more layers vs PyTorch: output, gradients, running stats, eval output, state-dict keys, repr", () => {
  for (const c of fx.layers as LayerCase[])
    test(c.name, () => {
      const m = build(c.ctor);
      assert.equal(String(m), c.repr, "repr");
      assert.deepEqual(Object.keys(m.stateDict()), c.keys, "state-dict keys");
      load(m, c.state);
      const xs = c.inputs.map((e) => (e ? dec(e, { requiresGrad: !!c.gradOutput && e.dtype !== "int32" }) : null));
      const y = m.forward(...xs) as Tensor | Tensor[];
      const ys = Array.isArray(y) ? y : [y];
      assert.equal(ys.length, c.outputs.length, "number of outputs");
      ys.forEach((t, i) => assertClose(`${c.name} output ${i}`, t, c.outputs[i]!, 1e-4, 1e-5));
      if (c.gradOutput) {
        ys[0]!.backward(dec(c.gradOutput));
        c.inputGrads!.forEach((g, i) => {
          if (g) assertClose(`${c.name} input ${i} grad`, xs[i]!.grad!, g, 1e-4, 1e-5);
        });
        checkGrads(c.name, m, c.grads!);
      }
      checkState(c.name, m, c.stateAfter);
      m.eval();
      const e = m.forward(...c.inputs.map((v) => (v ? dec(v) : null))) as Tensor | Tensor[];
      (Array.isArray(e) ? e : [e]).forEach((t, i) => assertClose(`${c.name} eval output ${i}`, t, c.evalOutputs[i]!, 1e-4, 1e-5));
    });
});

test("ParameterList / ParameterDict: state-dict keys, parameter names and repr as PyTorch's", () => {
  const z = (...s: number[]) => new nn.Parameter(dec({ shape: s, dtype: "float32", data: Array(s.reduce((a, b) => a * b, 1)).fill(0) }));
  const z64 = (...s: number[]) => new nn.Parameter(dec({ shape: s, dtype: "float64", data: Array(s.reduce((a, b) => a * b, 1)).fill(0) }));
  class Holder extends nn.Module {
    fc = new nn.Linear(2, 3);
    pl = new nn.ParameterList([z(3, 4), z(3)]);
    // a plain object is read in sorted key order, as PyTorch 1.13 reads a dict
    pd = new nn.ParameterDict({ w: z(2), b: z64(1), a: z(2, 2) });
  }
  const built: Record<string, nn.Module> = {
    "ParameterList": new nn.ParameterList([z(3, 4), z(3)]),
    "ParameterList(one)": new nn.ParameterList([z(5)]),
    "ParameterList(empty)": new nn.ParameterList(),
    "ParameterDict(OrderedDict)": new nn.ParameterDict(new Map([["b", z(2)], ["a", z64(2, 3)]])), // a Map keeps its order
    "ParameterDict(empty)": new nn.ParameterDict(),
    "Holder": new Holder(),
  };
  for (const c of fx.paramContainers as { name: string; keys: [string, number[]][]; namedParameters: string[]; repr: string }[]) {
    const m = built[c.name]!;
    assert.deepEqual(Object.entries(m.stateDict()).map(([k, t]) => [k, [...t.shape]]), c.keys, `${c.name} keys`);
    assert.deepEqual(m.namedParameters().map(([k]) => k), c.namedParameters, `${c.name} parameter names`);
    assert.equal(String(m), c.repr, `${c.name} repr`);
  }
});
