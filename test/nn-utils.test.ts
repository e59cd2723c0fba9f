/** nn.utils against PyTorch: gradient clipping and parameter vectors (fixtures/nn-utils.json); weight norm, spectral norm and pruning (fixtures/nnutils.json, tools/gen-nnutils-fixtures.py). */
import { test } from "node:test";
import assert from "node:assert/strict";
import { Parameter, Tensor, noGrad, tensor, zeros } from "../src/core.js";
import * as nn from "../src/nn/index.js";
import { type Enc, assertClose, assertThrowsTensile, dec, loadNnFixture } from "./nn-helpers.js";

const fx = loadNnFixture<{
  shapes: number[][];
  grads: Enc[];
  clipGradNorm: { maxNorm: number; normType: number | "inf"; totalNorm: number; grads: Enc[] }[];
  clipGradValue: { clipValue: number; grads: Enc[] };
  params: Enc[];
  vector: Enc;
}>("nn-utils.json");

function paramsWithGrads(): Parameter[] {
  return fx.shapes.map((s, i) => {
    const p = new Parameter(zeros(s));
    p.grad = dec(fx.grads[i]!);
    return p;
  });
}

test("clipGradNorm_ returns PyTorch's total norm and clipped grads for norm types 2, 1, ∞, 3", () => {
  for (const c of fx.clipGradNorm) {
    const ps = paramsWithGrads();
    const normType = c.normType === "inf" ? Infinity : c.normType;
    const total = nn.utils.clipGradNorm_(ps, c.maxNorm, normType);
    assert.ok(Math.abs(total.item() - c.totalNorm) <= 1e-5 * c.totalNorm, `p=${normType}: total ${total.item()} vs ${c.totalNorm}`);
    ps.forEach((p, i) => assertClose(`p=${normType} max=${c.maxNorm} grad ${i}`, p.grad!, c.grads[i]!, 1e-5, 1e-7));
  }
});

test("clipGradNorm (alias), single tensors, parameters without grads, non-finite norms", () => {
  assert.equal(nn.utils.clipGradNorm, nn.utils.clipGradNorm_);
  const p = new Parameter(zeros([2]));
  assert.equal(nn.utils.clipGradNorm_([p], 1).item(), 0, "no grads: total norm 0");
  p.grad = tensor([3, 4], { dtype: "float32" });
  assert.ok(Math.abs(nn.utils.clipGradNorm_(p, 1).item() - 5) < 1e-6);
  assert.ok(Math.abs(p.grad.norm().item() - 1) < 1e-5);
  p.grad = tensor([Infinity, 1]);
  assertThrowsTensile(() => nn.utils.clipGradNorm_([p], 1, 2, { errorIfNonfinite: true }), /clipGradNorm_: the total norm of order 2 for gradients from parameters is non-finite/);
});

test("clipGradValue_ clamps like PyTorch", () => {
  const ps = paramsWithGrads();
  nn.utils.clipGradValue_(ps, fx.clipGradValue.clipValue);
  ps.forEach((p, i) => assertClose(`grad ${i}`, p.grad!, fx.clipGradValue.grads[i]!, 0, 0));
});

test("parametersToVector / vectorToParameters round trip", () => {
  const ps = fx.params.map((e) => new Parameter(dec(e)));
  const v = nn.utils.parametersToVector(ps);
  assertClose("vector", v, fx.vector, 0, 0);
  const fresh = fx.shapes.map((s) => new Parameter(zeros(s)));
  nn.utils.vectorToParameters(v, fresh);
  fresh.forEach((p, i) => assertClose(`param ${i}`, p, fx.params[i]!, 0, 0));
  assert.ok(fresh.every((p) => p.requiresGrad && p.isLeaf));
  // differentiable: d(sum of vector)/dp = 1
  nn.utils.parametersToVector(fresh).sum().backward();
  assert.ok(fresh.every((p) => p.grad!.sum().item() === p.numel()));
  assertThrowsTensile(() => nn.utils.vectorToParameters(zeros([3]), fresh), /vector of shape \[3\] does not match the 24 elements of the parameters/);
  assertThrowsTensile(() => nn.utils.vectorToParameters([1, 2] as unknown as Tensor, fresh), /expected a Tensor, but got: object/);
});

// ---- weight norm, spectral norm, pruning against PyTorch 1.13 (fixtures/nnutils.json, tools/gen-nnutils-fixtures.py)

type Kind = "linear" | "conv" | "convt" | "linear2";
interface NormCase {
  module: Kind; dim: number | null; keys: string[]; x: Enc; out: Enc; weight: Enc;
  grads: Record<string, Enc>; keysAfterRemove: string[]; weightAfterRemove: Enc;
}
const ux = loadNnFixture<{
  weightNorm: (NormCase & { weight_g: Enc; weight_v: Enc })[];
  spectralNorm: (NormCase & { nPowerIterations: number; u0: Enc; v0: Enc; trainOut: Enc[]; u: Enc[]; v: Enc[]; evalOut: Enc; uAfterEval: Enc })[];
  prune: {
    name: string; module?: Kind; keys: string[]; masks: Record<string, Enc>; out: Enc; grads: Record<string, Enc>;
    ops: (string | number)[][]; scores?: Enc; keysAfterRemove?: string[]; weightAfterRemove?: Enc;
    keysA?: string[]; keysB?: string[]; masksA?: Record<string, Enc>; masksB?: Record<string, Enc>;
  }[];
}>("nnutils.json");

/** The generator's formula weights: parameter k (in named_parameters order) is 0.5·sin(0.37·i + 1.3·k + 0.2). */
function formula(shape: number[], k: number, scale = 0.5): Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  return tensor(Float32Array.from({ length: n }, (_, i) => scale * Math.sin(0.37 * i + 1.3 * k + 0.2)), { shape });
}

function make(kind: Kind): nn.Module {
  const m = kind === "linear" ? new nn.Linear(4, 3) : kind === "conv" ? new nn.Conv2d(2, 3, 3) : kind === "convt" ? new nn.ConvTranspose2d(3, 2, 2) : new nn.Linear(5, 4);
  noGrad(() => m.parameters().forEach((p, k) => p.copy_(formula([...p.shape], k + (kind === "linear2" ? 7 : 0)))));
  return m;
}

/** (out · R).sum().backward() with the generator's R = sin(0.37·i + 1.3·5 + 0.2). */
function backwardWeighted(out: Tensor): void {
  out.mul(formula([...out.shape], 5, 1)).sum().backward();
}

const attr = (m: nn.Module, name: string) => (m as unknown as Record<string, Tensor>)[name]!;

test("weightNorm: parameters weight_g / weight_v, state-dict keys, outputs and gradients as PyTorch; removeWeightNorm", () => {
  for (const c of ux.weightNorm) {
    const what = `${c.module} dim=${c.dim}`;
    const m = nn.utils.weightNorm(make(c.module), "weight", c.dim);
    assert.deepEqual(Object.keys(m.stateDict()), c.keys, `${what}: keys`);
    assert.deepEqual(m.namedParameters().map(([k]) => k).sort(), ["bias", "weight_g", "weight_v"]);
    assertClose(`${what} weight_g`, attr(m, "weight_g"), c.weight_g);
    assertClose(`${what} weight_v`, attr(m, "weight_v"), c.weight_v, 0, 0);
    const out = m.forward(dec(c.x)) as Tensor;
    assertClose(`${what} out`, out, c.out);
    assertClose(`${what} weight`, attr(m, "weight"), c.weight);
    backwardWeighted(out);
    for (const [k, g] of Object.entries(c.grads)) assertClose(`${what} grad ${k}`, attr(m, k).grad!, g, 1e-4, 1e-5);
    nn.utils.removeWeightNorm(m);
    assert.deepEqual(Object.keys(m.stateDict()), c.keysAfterRemove, `${what}: keys after remove`);
    assert.ok(attr(m, "weight") instanceof Parameter);
    assertClose(`${what} weight after remove`, attr(m, "weight"), c.weightAfterRemove);
  }
});

test("weightNorm: the hook follows updates of g and v; errors", () => {
  const m = nn.utils.weightNorm(new nn.Linear(3, 2));
  noGrad(() => attr(m, "weight_g").mul_(2));
  m.forward(zeros([1, 3]));
  // w = g·v/‖v‖ per row, so doubling g doubles w's row norms: ‖w_i‖ = g_i exactly.
  const rowNorms = attr(m, "weight").norm(2, [1]).dataSync();
  const g = attr(m, "weight_g").dataSync();
  rowNorms.forEach((r, i) => assert.ok(Math.abs(r - g[i]!) < 1e-6));
  assertThrowsTensile(() => nn.utils.weightNorm(m), /^weightNorm: Cannot register two weight_norm hooks on the same parameter weight/);
  assertThrowsTensile(() => nn.utils.weightNorm(new nn.Linear(3, 2), "wieght"), /^weightNorm: Linear has no parameter "wieght"/);
  assertThrowsTensile(() => nn.utils.weightNorm(new nn.Linear(3, 2), "weight", 2), /^weightNorm: dim 2 is out of range for weight of shape \[2, 3\]/);
  assertThrowsTensile(() => nn.utils.removeWeightNorm(new nn.Linear(3, 2)), /^removeWeightNorm: weight_norm of 'weight' not found in Linear/);
});

test("spectralNorm: weight_orig / weight_u / weight_v, power iteration in training only, gradients as PyTorch; removeSpectralNorm", () => {
  for (const c of ux.spectralNorm) {
    const what = `${c.module} n=${c.nPowerIterations} dim=${c.dim}`;
    const base = make(c.module);
    const weight = attr(base, "weight");
    const m = nn.utils.spectralNorm(base, "weight", { nPowerIterations: c.nPowerIterations, dim: c.dim });
    assert.equal(attr(m, "weight_orig"), weight, "the same Parameter object moves to weight_orig");
    assert.deepEqual(Object.keys(m.stateDict()), c.keys, `${what}: keys`);
    assert.deepEqual([...attr(m, "weight_u").shape], c.u0.shape);
    assert.deepEqual([...attr(m, "weight_v").shape], c.v0.shape);
    // PyTorch's initial u, v come from its own random stream: use them.
    noGrad(() => {
      attr(m, "weight_u").copy_(dec(c.u0));
      attr(m, "weight_v").copy_(dec(c.v0));
    });
    const x = dec(c.x);
    for (let step = 0; step < 2; step++) {
      m.zeroGrad();
      const out = m.forward(x) as Tensor;
      assertClose(`${what} train out ${step}`, out, c.trainOut[step]!, 1e-4, 1e-6);
      assertClose(`${what} u ${step}`, attr(m, "weight_u"), c.u[step]!, 1e-4, 1e-6);
      assertClose(`${what} v ${step}`, attr(m, "weight_v"), c.v[step]!, 1e-4, 1e-6);
      if (step === 0) {
        assertClose(`${what} weight`, attr(m, "weight"), c.weight, 1e-4, 1e-6);
        backwardWeighted(out);
        for (const [k, g] of Object.entries(c.grads)) assertClose(`${what} grad ${k}`, attr(m, k).grad!, g, 1e-4, 1e-5);
      }
    }
    m.eval();
    assertClose(`${what} eval out`, noGrad(() => m.forward(x) as Tensor), c.evalOut, 1e-4, 1e-6);
    assertClose(`${what} u unchanged in eval`, attr(m, "weight_u"), c.uAfterEval, 1e-4, 1e-6);
    nn.utils.removeSpectralNorm(m);
    assert.deepEqual(Object.keys(m.stateDict()), c.keysAfterRemove, `${what}: keys after remove`);
    assertClose(`${what} weight after remove`, attr(m, "weight"), c.weightAfterRemove, 1e-4, 1e-6);
  }
});

test("spectralNorm: errors, and a loaded state dict round-trips", () => {
  const m = nn.utils.spectralNorm(new nn.Linear(4, 3));
  assertThrowsTensile(() => nn.utils.spectralNorm(m), /^spectralNorm: Cannot register two spectral_norm hooks on the same parameter weight/);
  assertThrowsTensile(() => nn.utils.spectralNorm(new nn.Linear(4, 3), "weight", { nPowerIterations: 0 }), /^spectralNorm: Expected nPowerIterations to be positive, but got nPowerIterations=0/);
  assertThrowsTensile(() => nn.utils.removeSpectralNorm(new nn.Linear(4, 3)), /^removeSpectralNorm: spectral_norm of 'weight' not found in Linear/);
  const other = nn.utils.spectralNorm(new nn.Linear(4, 3));
  other.loadStateDict(m.stateDict());
  other.eval();
  m.eval();
  const x = formula([2, 4], 3, 1);
  assert.deepEqual(Array.from((other.forward(x) as Tensor).dataSync()), Array.from((m.forward(x) as Tensor).dataSync()));
});

function applyOps(m: nn.Module, ops: (string | number)[][], scores?: Tensor) {
  for (const [op, name, ...args] of ops) {
    if (op === "l1Unstructured") nn.utils.prune.l1Unstructured(m, name as string, args[0] as number, args[1] === "scores" ? { importanceScores: scores } : null);
    else if (op === "lnStructured") nn.utils.prune.lnStructured(m, name as string, args[0] as number, args[1] === "inf" ? Infinity : (args[1] as number), args[2] as number);
    else if (op === "identity") nn.utils.prune.identity(m, name as string);
    else throw new Error(`unknown op ${op}`);
  }
}

test("prune: masks, state-dict keys, outputs and gradients as PyTorch (l1, ln-structured, repeated, importance scores, identity); remove", () => {
  for (const c of ux.prune.filter((x) => x.name !== "global-l1")) {
    const kind = c.module ?? "linear";
    const m = make(kind);
    const weight = attr(m, "weight");
    applyOps(m, c.ops, c.scores ? dec(c.scores) : undefined);
    assert.ok(nn.utils.prune.isPruned(m), c.name);
    assert.deepEqual(Object.keys(m.stateDict()), c.keys, `${c.name}: keys`);
    assert.equal(attr(m, "weight_orig"), weight, "the same Parameter object moves to weight_orig");
    for (const [k, mask] of Object.entries(c.masks)) assertClose(`${c.name} ${k}`, attr(m, k), mask, 0, 0);
    // the generator's input_for(kind): formula(shape, 11, 1.0)
    const out = m.forward(formula(kind === "conv" ? [2, 2, 5, 5] : [2, 4], 11, 1)) as Tensor;
    assertClose(`${c.name} out`, out, c.out, 1e-5, 1e-6);
    backwardWeighted(out);
    for (const [k, g] of Object.entries(c.grads)) assertClose(`${c.name} grad ${k}`, attr(m, k).grad!, g, 1e-5, 1e-6);
    if (c.keysAfterRemove) {
      nn.utils.prune.remove(m, "weight");
      assert.deepEqual(Object.keys(m.stateDict()), c.keysAfterRemove, `${c.name}: keys after remove`);
      assert.equal(attr(m, "weight"), weight, "remove puts the same Parameter back");
      assertClose(`${c.name} weight after remove`, attr(m, "weight"), c.weightAfterRemove!, 0, 0);
      assert.ok(!nn.utils.prune.isPruned(m));
    }
  }
});

test("prune.globalUnstructured ranks entries of several parameters together, as PyTorch", () => {
  const c = ux.prune.find((x) => x.name === "global-l1")!;
  const a = make("linear"), b = make("linear2");
  nn.utils.prune.l1Unstructured(b, "weight", 3);
  nn.utils.prune.globalUnstructured([[a, "weight"], [b, "weight"], [a, "bias"]], nn.utils.prune.L1Unstructured, { amount: 0.4 });
  assert.deepEqual(Object.keys(a.stateDict()), c.keysA);
  assert.deepEqual(Object.keys(b.stateDict()), c.keysB);
  for (const [k, mask] of Object.entries(c.masksA!)) assertClose(`a.${k}`, attr(a, k), mask, 0, 0);
  for (const [k, mask] of Object.entries(c.masksB!)) assertClose(`b.${k}`, attr(b, k), mask, 0, 0);
});

test("prune: random methods prune the asked number of entries / channels; the hook applies the mask; errors", () => {
  const m = new nn.Linear(10, 8);
  nn.utils.prune.randomUnstructured(m, "weight", 0.25); // round(0.25·80) = 20
  assert.equal(attr(m, "weight_mask").sum().item(), 60);
  nn.utils.prune.randomUnstructured(m, "weight", 6); // 6 more among the 60 kept
  assert.equal(attr(m, "weight_mask").sum().item(), 54);
  // the pruned weight is exactly weight_orig·mask, before and after a forward
  m.forward(zeros([1, 10]));
  const w = attr(m, "weight").dataSync(), o = attr(m, "weight_orig").dataSync(), mk = attr(m, "weight_mask").dataSync();
  w.forEach((v, i) => assert.equal(v, o[i]! * mk[i]!));
  const c = new nn.Conv2d(2, 6, 3);
  nn.utils.prune.randomStructured(c, "weight", 0.5, 0); // round(3) channels of 6
  const mask = attr(c, "weight_mask");
  const perChannel = Array.from(mask.sum([1, 2, 3]).dataSync());
  assert.deepEqual(perChannel.filter((s) => s === 0).length, 3);
  assert.ok(perChannel.every((s) => s === 0 || s === 18));
  // Python's round(): 0.5·5 = 2.5 → 2 (half to even)
  const l = new nn.Linear(5, 1);
  nn.utils.prune.l1Unstructured(l, "weight", 0.5);
  assert.equal(attr(l, "weight_mask").sum().item(), 3);

  assertThrowsTensile(() => nn.utils.prune.l1Unstructured(new nn.Linear(2, 2), "weight", -1), /^l1Unstructured: amount=-1 should either be a float in the range \[0, 1\] or a non-negative integer/);
  assertThrowsTensile(() => nn.utils.prune.l1Unstructured(new nn.Linear(2, 2), "weight", 1.5), /^l1Unstructured: amount=1.5 should either be a float/);
  assertThrowsTensile(() => nn.utils.prune.l1Unstructured(new nn.Linear(2, 2), "weight", 5), /^l1Unstructured: amount=5 should be smaller than the number of parameters to prune=4/);
  assertThrowsTensile(() => nn.utils.prune.l1Unstructured(new nn.Linear(2, 2), "weight", "x" as never), /^l1Unstructured: Invalid type for amount: "x"/);
  assertThrowsTensile(() => nn.utils.prune.lnStructured(new nn.Linear(2, 2), "bias", 1, 2, 0), /^lnStructured: Structured pruning can only be applied to multidimensional tensors. Found tensor of shape \[2\] with 1 dims/);
  assertThrowsTensile(() => nn.utils.prune.lnStructured(new nn.Linear(2, 2), "weight", 1, 2, 2), /^lnStructured: Invalid index 2 for tensor of size \[2, 2\]/);
  assertThrowsTensile(() => nn.utils.prune.l1Unstructured(new nn.Linear(2, 2), "weight", 1, { importanceScores: zeros([3]) }), /^l1Unstructured: importance_scores should have the same shape as parameter weight of Linear/);
  assertThrowsTensile(() => nn.utils.prune.identity(new nn.Linear(2, 2), "nope"), /^identity: Linear has no parameter "nope"/);
  assertThrowsTensile(() => nn.utils.prune.remove(new nn.Linear(2, 2), "weight"), /^remove: Parameter 'weight' of module Linear has to be pruned before pruning can be removed/);
  // a failed pruning leaves the module as it was
  const intact = new nn.Linear(2, 2);
  assertThrowsTensile(() => nn.utils.prune.l1Unstructured(intact, "weight", 9), /should be smaller/);
  assert.deepEqual(Object.keys(intact.stateDict()), ["weight", "bias"]);
  assert.ok(!nn.utils.prune.isPruned(intact));
  // isPruned looks at submodules
  const seq = new nn.Sequential(new nn.Linear(2, 2), new nn.ReLU());
  assert.ok(!nn.utils.prune.isPruned(seq));
  nn.utils.prune.identity(seq.children()[0]!, "bias");
  assert.ok(nn.utils.prune.isPruned(seq));
});

test("spectralNorm takes PyTorch's positional nPowerIterations, eps, dim as well as an options object", () => {
  const c = ux.spectralNorm.find((x) => x.module === "linear" && x.nPowerIterations === 3)!;
  const m = nn.utils.spectralNorm(make("linear"), "weight", 3, 1e-12, 1);
  noGrad(() => {
    attr(m, "weight_u").copy_(dec(c.u0));
    attr(m, "weight_v").copy_(dec(c.v0));
  });
  assertClose("train out", m.forward(dec(c.x)) as Tensor, c.trainOut[0]!, 1e-4, 1e-6);
});

test("a deleted buffer leaves the state dict and frees its name: spectral norm removed, then weight norm on the same layer", () => {
  const lin = new nn.Linear(3, 4);
  nn.utils.spectralNorm(lin);
  assert.deepEqual(Object.keys(lin.stateDict()).sort(), ["bias", "weight_orig", "weight_u", "weight_v"]);
  nn.utils.removeSpectralNorm(lin);
  assert.deepEqual(Object.keys(lin.stateDict()).sort(), ["bias", "weight"]);
  assert.equal("weight_u" in lin, false, "the attribute is gone, as after Python's del");
  nn.utils.weightNorm(lin); // PyTorch allows it; the names weight_v and weight_g are free
  assert.deepEqual(Object.keys(lin.stateDict()).sort(), ["bias", "weight_g", "weight_v"]);
  const bn = new nn.BatchNorm1d(2);
  delete (bn as unknown as Record<string, unknown>).running_mean;
  assert.deepEqual(Object.keys(bn.stateDict()), ["weight", "bias", "running_var", "num_batches_tracked"]);
  bn.registerBuffer("running_mean", zeros([2]));
  assert.ok(Object.keys(bn.stateDict()).includes("running_mean"), "the name can be registered again");
});

test("nn.utils.skipInit builds a module without drawing its random initialisation (class or factory form)", async () => {
  const { manualSeed, rand } = await import("../src/core.js");
  manualSeed(3);
  const before = Array.from(rand([4]).dataSync());
  manualSeed(3);
  const lin = nn.utils.skipInit(nn.Linear, 6, 5);
  assert.deepEqual(Array.from(rand([4]).dataSync()), before, "the generator is not advanced");
  assert.equal(String(lin), "Linear(in_features=6, out_features=5, bias=True)");
  assert.equal(lin.weight.abs().sum().item(), 0, "weights hold what the constructor allocated (zeros)");
  const bn = nn.utils.skipInit(() => new nn.BatchNorm1d(3));
  assert.deepEqual(Array.from(bn.weight!.dataSync()), [1, 1, 1], "constants a constructor sets are kept");
  const seq = nn.utils.skipInit(() => new nn.Sequential(new nn.Linear(2, 3), new nn.ReLU()));
  seq.loadStateDict({ "0.weight": tensor([[1, 2], [3, 4], [5, 6]]), "0.bias": tensor([0, 0, 3]) });
  assert.deepEqual(Array.from(seq.forward(tensor([[1, -1]])).dataSync()), [0, 0, 2]);
  // the initialisers that draw other than through uniform_/normal_ skip too (truncNormal_ used to write a·std everywhere)
  manualSeed(3);
  const drawn = nn.utils.skipInit(() => {
    const m = new nn.Linear(4, 3);
    nn.init.truncNormal_(m.weight, 0, 0.02);
    nn.init.orthogonal_(m.bias!.unsqueeze(0));
    nn.init.sparse_(m.weight, 0.5);
    return m;
  });
  assert.equal(drawn.weight.abs().sum().item(), 0, "truncNormal_ / sparse_ under skipInit leave zeros");
  assert.equal(drawn.bias!.abs().sum().item(), 0, "orthogonal_ under skipInit leaves zeros");
  assert.deepEqual(Array.from(rand([4]).dataSync()), before, "nor do they advance the generator");
  // after it, initialisation draws again
  const a = new nn.Linear(6, 5);
  assert.ok(a.weight.abs().sum().item() > 0);
  assertThrowsTensile(() => nn.utils.skipInit("Linear" as never), /^skipInit: expected a Module class or a function returning a module, got "Linear"/);
  assertThrowsTensile(() => nn.utils.skipInit((() => 3) as never), /^skipInit: the function returned 3, not an nn.Module/);
});
