/**
 * Port of tools/gen-port-robust-fixtures.py: adversarial attacks, adversarial training and
 * gradient-based interpretability on a small CNN (Conv2d, BatchNorm2d, ReLU, MaxPool2d, Linear) over
 * tiny 3×8×8 images, written as a PyTorch user would write them in Tensile and compared with torch
 * 1.13 in float64 on both backends: FGSM (loss.backward() + x.grad) and PGD (autograd.grad, a given
 * random start, the L∞ projection), 10 steps of SGD(momentum) on clean + adversarial losses,
 * clean/robust accuracy; vanilla saliency, gradient × input, integrated gradients (batched,
 * gradOutputs), SmoothGrad with given noise, Grad-CAM through forward and full backward hooks, and a
 * WGAN-GP gradient penalty (createGraph) backpropagated into the weights in train and eval mode.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import * as T from "../src/index.js";
import { nn, optim, type Tensor } from "../src/index.js";
import * as F from "../src/nn/functional/index.js";
import { type TensorSpec, decode } from "./helpers/fixtures.js";
import { close, closeTensor, spec } from "./helpers/port.js";
import { gradcheck } from "./helpers/gradcheck.js";
import { normalizeDim } from "../src/tensor/shape.js";

const fixturePath = (name: string) => fileURLToPath(new URL(`../fixtures/${name}`, import.meta.url));
interface Penalty { gp: number; gradNorms: TensorSpec; paramGrads: Record<string, TensorSpec>; buffers: Record<string, TensorSpec> }
const fx = JSON.parse(readFileSync(fixturePath("port-robust.json"), "utf8")) as {
  config: { steps: number; pgdSteps: number; eps: number; alpha: number; igSteps: number; sgSamples: number; sgSigma: number;
    nExplain: number; gpWeight: number; height: number; width: number };
  trainX: TensorSpec; trainY: TensorSpec; testX: TensorSpec; testY: TensorSpec;
  batches: TensorSpec[]; starts: TensorSpec[]; testStart: TensorSpec;
  fgsmInit: TensorSpec; initGradsAfterFgsm: Record<string, number>; before: { cleanAcc: number; fgsmAcc: number };
  steps: { loss: number; clean: number; adv: number; xAdv: TensorSpec }[];
  xRobust: TensorSpec; fgsmFinal: TensorSpec; after: { cleanAcc: number; robustAcc: number; fgsmAcc: number };
  final: Record<string, TensorSpec>;
  explain: Record<"saliency" | "gradXInput" | "baseline" | "ig" | "noise" | "smoothGrad" | "camActivations" | "camGradients" | "cam" | "camNorm" | "guidedBackprop", TensorSpec> & { igDelta: number[] };
  penalty: { mix: TensorSpec; train: Penalty; eval: Penalty };
};
const C = fx.config;

// ---- the program, as a PyTorch user writes it ----

class Net extends nn.Module {
  features = new nn.Sequential(
    new nn.Conv2d(3, 6, 3, { padding: 1 }), new nn.BatchNorm2d(6), new nn.ReLU(), new nn.MaxPool2d(2),
    new nn.Conv2d(6, 8, 3, { padding: 1 }), new nn.BatchNorm2d(8), new nn.ReLU(), new nn.MaxPool2d(2));
  classifier = new nn.Linear(8 * 2 * 2, 3);
  override forward(x: Tensor): Tensor {
    return this.classifier.forward(T.flatten(this.features.forward(x), 1));
  }
}

function fgsm(model: nn.Module, x: Tensor, y: Tensor, eps: number): Tensor {
  const xAdv = x.clone().detach().requiresGrad_(true);
  const loss = F.crossEntropy(model.forward(xAdv) as Tensor, y);
  model.zeroGrad();
  loss.backward();
  return xAdv.add(xAdv.grad!.sign().mul(eps)).clamp(0, 1).detach();
}

function pgd(model: nn.Module, x: Tensor, y: Tensor, eps: number, alpha: number, steps: number, delta0: Tensor): Tensor {
  let xAdv = x.add(delta0).clamp(0, 1).detach();
  for (let k = 0; k < steps; k++) {
    xAdv = xAdv.clone().detach().requiresGrad_(true);
    const loss = F.crossEntropy(model.forward(xAdv) as Tensor, y);
    const grad = T.grad(loss, xAdv)[0]!;
    xAdv = xAdv.detach().add(grad.sign().mul(alpha));
    xAdv = T.max(T.min(xAdv, x.add(eps)), x.sub(eps)).clamp(0, 1);
  }
  return xAdv.detach();
}

const accuracy = (model: nn.Module, x: Tensor, y: Tensor): number =>
  T.noGrad(() => (model.forward(x) as Tensor).argmax(1).eq(y).double().mean().item());

function loadModel(): Net {
  T.manualSeed(0);
  const model = new Net().double();
  model.loadStateDict(T.loadTorch<Record<string, Tensor>>(fixturePath("port-robust-init.pt")));
  return model;
}

function attackAndTrain() {
  const trainX = spec(fx.trainX), trainY = spec(fx.trainY), testX = spec(fx.testX), testY = spec(fx.testY);
  const model = loadModel();

  model.eval();
  const fgsmInit = fgsm(model, testX, testY, C.eps);
  const initGradsAfterFgsm = Object.fromEntries(model.namedParameters().map(([n, p]) => [n, p.grad!.abs().sum().item()]));
  const before = { cleanAcc: accuracy(model, testX, testY), fgsmAcc: accuracy(model, fgsmInit, testY) };

  const optimizer = new optim.SGD(model.parameters(), { lr: 0.05, momentum: 0.9, weightDecay: 5e-4 });
  const steps: { loss: number; clean: number; adv: number; xAdv: Tensor }[] = [];
  for (let step = 0; step < C.steps; step++) {
    const idx = spec(fx.batches[step]!);
    const xb = trainX.index([idx]), yb = trainY.index([idx]);
    model.eval();
    const xAdv = pgd(model, xb, yb, C.eps, C.alpha, C.pgdSteps, spec(fx.starts[step]!));
    model.train();
    optimizer.zeroGrad();
    const cleanLoss = F.crossEntropy(model.forward(xb), yb);
    const advLoss = F.crossEntropy(model.forward(xAdv), yb);
    const loss = cleanLoss.mul(0.5).add(advLoss.mul(0.5));
    loss.backward();
    optimizer.step();
    steps.push({ loss: loss.item(), clean: cleanLoss.item(), adv: advLoss.item(), xAdv });
  }

  model.eval();
  const xRobust = pgd(model, testX, testY, C.eps, C.alpha, C.pgdSteps, spec(fx.testStart));
  const fgsmFinal = fgsm(model, testX, testY, C.eps);
  const after = { cleanAcc: accuracy(model, testX, testY), robustAcc: accuracy(model, xRobust, testY), fgsmAcc: accuracy(model, fgsmFinal, testY) };
  return { model, fgsmInit, initGradsAfterFgsm, before, steps, xRobust, fgsmFinal, after };
}

/** Saliency, gradient × input, integrated gradients, SmoothGrad and Grad-CAM of the model (eval mode). */
function explain(model: Net) {
  const E = fx.explain;
  const testX = spec(fx.testX), testY = spec(fx.testY);
  const xe = testX.index([`:${C.nExplain}`]), ye = testY.index([`:${C.nExplain}`]);
  const target = (i: number) => ye.index([i]).item();
  model.eval();

  const x = xe.clone().requiresGrad_(true);
  model.zeroGrad();
  const logits = model.forward(x);
  logits.gather(1, ye.view(-1, 1)).sum().backward();
  const saliency = x.grad!.abs().amax(1);
  const gradXInput = x.grad!.mul(x.detach());

  const baseline = spec(E.baseline);
  const alphas = T.linspace(0, 1, C.igSteps, { dtype: "float64" });
  const ig: Tensor[] = [], igDelta: number[] = [];
  for (let i = 0; i < C.nExplain; i++) {
    const scaled = baseline.add(alphas.view(-1, 1, 1, 1).mul(xe.index([i]).sub(baseline))).requiresGrad_(true);
    const out = model.forward(scaled).index([":", target(i)]);
    const grads = T.grad(out, scaled, { gradOutputs: T.onesLike(out) })[0]!;
    const avg = grads.index([":-1"]).add(grads.index(["1:"])).div(2).mean(0);
    const attr = xe.index([i]).sub(baseline).mul(avg);
    ig.push(attr);
    const ends = T.noGrad(() => model.forward(T.stack([baseline, xe.index([i])])).index([":", target(i)]));
    igDelta.push(attr.sum().sub(ends.index([1]).sub(ends.index([0]))).item());
  }

  const noise = spec(E.noise);
  const smooth: Tensor[] = [];
  for (let i = 0; i < C.nExplain; i++) {
    const xi = xe.index([i]);
    const sigma = xi.max().sub(xi.min()).mul(C.sgSigma);
    const noisy = xi.add(noise.index([i]).mul(sigma)).requiresGrad_(true);
    const out = model.forward(noisy).index([":", target(i)]).sum();
    const [grad] = T.grad(out, noisy);
    smooth.push(grad!.mean(0));
  }

  const store: { activations?: Tensor; gradients?: Tensor } = {};
  const targetLayer = model.features.at(4);
  const h1 = targetLayer.registerForwardHook((_m, _inputs, output) => {
    store.activations = (output as Tensor).detach();
  });
  const h2 = targetLayer.registerFullBackwardHook((_m, _gradInput, gradOutput) => {
    store.gradients = gradOutput[0]!.detach();
  });
  model.zeroGrad();
  const out = model.forward(xe);
  out.gather(1, ye.view(-1, 1)).sum().backward();
  h1.remove();
  h2.remove();
  const acts = store.activations!, grads = store.gradients!;
  const weights = grads.mean([2, 3], true);
  let cam = F.relu(weights.mul(acts).sum(1, true));
  cam = F.interpolate(cam, { size: [C.height, C.width], mode: "bilinear", alignCorners: false });
  const camNorm = cam.div(cam.amax([2, 3], true).add(1e-8));

  // guided backpropagation: every ReLU's full backward hook replaces gradInput by its positive part
  const handles = model.modules().filter((m) => m instanceof nn.ReLU)
    .map((m) => m.registerFullBackwardHook((_m, gradInput) => [T.clamp(gradInput[0]!, 0)]));
  const xg = xe.clone().requiresGrad_(true);
  model.zeroGrad();
  model.forward(xg).gather(1, ye.view(-1, 1)).sum().backward();
  for (const h of handles) h.remove();
  const guidedBackprop = xg.grad!.clone();
  return { saliency, gradXInput, ig: T.stack(ig), igDelta, smoothGrad: T.stack(smooth), camActivations: acts, camGradients: grads, cam, camNorm, guidedBackprop };
}

/** WGAN-GP-style penalty on interpolates of real and (flipped) "fake" images, backpropagated into the weights. */
function gradientPenalty(model: Net, mode: "train" | "eval", interpolates?: Tensor) {
  const trainX = spec(fx.trainX);
  const mix = spec(fx.penalty.mix);
  const real = trainX.index([":8"]), fake = trainX.index(["8:16"]).flip(3);
  model.train(mode === "train");
  model.zeroGrad();
  const interp = (interpolates ?? mix.mul(real).add(T.sub(1, mix).mul(fake))).requiresGrad_(true);
  const critic = model.forward(interp);
  let grad = T.grad(critic, interp, { gradOutputs: T.onesLike(critic), createGraph: true, retainGraph: true })[0]!;
  grad = grad.view(grad.size(0), -1);
  const gp = grad.norm(2, 1).sub(1).pow(2).mean();
  return { gp, grad };
}

// ---- the comparisons ----

for (const backend of ["reference", "wasm"] as const) {
  test(`port robust (${backend}): FGSM, PGD adversarial training, clean and robust accuracy match torch`, () => {
    T.withBackend(backend, () => {
      const r = attackAndTrain();
      closeTensor("FGSM images (initial model)", r.fgsmInit, fx.fgsmInit, 1e-12, 1e-15);
      for (const [n, v] of Object.entries(fx.initGradsAfterFgsm)) close(`|${n}.grad| after the FGSM backward`, r.initGradsAfterFgsm[n]!, v, 1e-9);
      assert.deepEqual(r.before, fx.before, "accuracy before training");
      r.steps.forEach((st, i) => {
        const want = fx.steps[i]!;
        closeTensor(`step ${i} PGD images`, st.xAdv, want.xAdv, 1e-12, 1e-15);
        close(`step ${i} loss`, st.loss, want.loss, 1e-9);
        close(`step ${i} clean loss`, st.clean, want.clean, 1e-9);
        close(`step ${i} adversarial loss`, st.adv, want.adv, 1e-9);
      });
      const sd = r.model.stateDict();
      assert.deepEqual(Object.keys(sd), Object.keys(fx.final), "state-dict keys");
      for (const [k, want] of Object.entries(fx.final)) closeTensor(`final ${k}`, sd[k]!, want, 1e-8, 1e-12);
      closeTensor("PGD images on the test set", r.xRobust, fx.xRobust, 1e-12, 1e-15);
      closeTensor("FGSM images (trained model)", r.fgsmFinal, fx.fgsmFinal, 1e-12, 1e-15);
      assert.deepEqual(r.after, fx.after, "clean / robust / FGSM accuracy after training");
      // the robust model saved as torch.save does and reloaded into a fresh model: the same logits
      const path = join(mkdtempSync(join(tmpdir(), "port-robust-")), "robust.pt");
      try {
        T.saveTorch(r.model.stateDict(), path);
        const reloaded = new Net().double().eval();
        reloaded.loadStateDict(T.loadTorch<Record<string, Tensor>>(path));
        const testX = spec(fx.testX);
        assert.deepEqual(T.noGrad(() => reloaded.forward(testX)).toArray(), T.noGrad(() => r.model.forward(testX)).toArray());
      } finally {
        rmSync(dirname(path), { recursive: true, force: true });
      }
    });
  });
}

/** The trained weights straight from torch's fixture: the explanation tests do not depend on training. */
function trainedModel(): Net {
  const model = loadModel();
  model.loadStateDict(Object.fromEntries(Object.entries(fx.final).map(([k, v]) => [k, spec(v)])));
  return model;
}

for (const backend of ["reference", "wasm"] as const) {
  test(`port robust (${backend}): saliency, gradient × input, integrated gradients, SmoothGrad and Grad-CAM match torch`, () => {
    T.withBackend(backend, () => {
      const r = explain(trainedModel());
      const E = fx.explain;
      closeTensor("saliency", r.saliency, E.saliency, 1e-10, 1e-14);
      closeTensor("gradient × input", r.gradXInput, E.gradXInput, 1e-10, 1e-14);
      closeTensor("integrated gradients", r.ig, E.ig, 1e-10, 1e-14);
      r.igDelta.forEach((d, i) => close(`IG completeness gap ${i}`, d, E.igDelta[i]!, 1e-8, 1e-13));
      closeTensor("SmoothGrad", r.smoothGrad, E.smoothGrad, 1e-10, 1e-14);
      closeTensor("Grad-CAM activations (forward hook)", r.camActivations, E.camActivations, 1e-10, 1e-14);
      closeTensor("Grad-CAM gradients (full backward hook)", r.camGradients, E.camGradients, 1e-10, 1e-14);
      closeTensor("Grad-CAM", r.cam, E.cam, 1e-10, 1e-14);
      closeTensor("Grad-CAM normalised", r.camNorm, E.camNorm, 1e-10, 1e-12);
      closeTensor("guided backpropagation (ReLU backward hooks)", r.guidedBackprop, E.guidedBackprop, 1e-10, 1e-14);
    });
  });

  test(`port robust (${backend}): a WGAN-GP gradient penalty's weight gradients match torch (train and eval mode)`, () => {
    T.withBackend(backend, () => {
      const model = trainedModel();
      for (const mode of ["train", "eval"] as const) {
        const want = fx.penalty[mode];
        const { gp, grad } = gradientPenalty(model, mode);
        gp.mul(C.gpWeight).backward();
        close(`${mode}: penalty`, gp.item(), want.gp, 1e-10);
        closeTensor(`${mode}: |∇x critic|`, grad.norm(2, 1), want.gradNorms, 1e-10);
        for (const [n, p] of model.namedParameters()) {
          // torch 1.13's zero_grad() leaves zeros where Tensile's (PyTorch 2's setToNone default) leaves null:
          // a parameter the penalty does not reach (the classifier's bias) must then be all zeros in torch
          if (p.grad === null) assert.ok(want.paramGrads[n]!.data.every((v) => decode(v) === 0), `${mode}: ${n}.grad is null, torch's is not zero`);
          else closeTensor(`${mode}: ${n}.grad`, p.grad, want.paramGrads[n]!, 1e-8, 1e-12);
        }
        const buffers = Object.fromEntries(model.namedBuffers());
        for (const [n, b] of Object.entries(want.buffers)) closeTensor(`${mode}: buffer ${n}`, buffers[n]!, b, 1e-10, 1e-14);
      }
    });
  });
}

// (train mode: in eval mode the network is piecewise linear in x, so ∂ penalty / ∂x is zero and x gets no gradient)
test("port robust: the gradient penalty's input gradient passes a float64 numerical gradcheck (train mode)", () => {
  const model = trainedModel();
  gradcheck((x) => gradientPenalty(model, "train", x).gp, spec(fx.trainX).index([":2"]), "gradient penalty (train)");
});

// ---- the same maps from Tensile's Captum-style `interpret`, and the other ways users write Grad-CAM ----

for (const backend of ["reference", "wasm"] as const) {
  test(`port robust (${backend}): interpret.saliency / inputXGradient / integratedGradients / layerGradCam agree with torch's hand-written maps`, () => {
    T.withBackend(backend, () => {
      const model = trainedModel().eval();
      const E = fx.explain;
      const xe = spec(fx.testX).index([`:${C.nExplain}`]), ye = spec(fx.testY).index([`:${C.nExplain}`]);
      closeTensor("interpret.saliency, max over channels", T.interpret.saliency(model, xe, { target: ye }).amax(1), E.saliency, 1e-10, 1e-14);
      closeTensor("interpret.inputXGradient", T.interpret.inputXGradient(model, xe, { target: ye }), E.gradXInput, 1e-10, 1e-14);
      // Captum's riemann_trapezoid: alphas linspace(0, 1, n), weights [½, 1, …, 1, ½] / (n − 1): the hand-written rule
      const { attributions, delta } = T.interpret.integratedGradients(model, xe, {
        target: ye, baselines: spec(E.baseline), nSteps: C.igSteps, method: "riemann_trapezoid", returnConvergenceDelta: true });
      closeTensor("interpret.integratedGradients", attributions, E.ig, 1e-10, 1e-14);
      Array.from(delta.dataSync(), Number).forEach((d, i) => close(`interpret IG delta ${i}`, d, E.igDelta[i]!, 1e-8, 1e-13));
      const cam = T.interpret.layerGradCam(model, model.features.at(4), xe, { target: ye, reluAttributions: true });
      closeTensor("interpret.layerGradCam, bilinear upsampling", T.interpret.layerInterpolate(cam, [C.height, C.width], "bilinear"), E.cam, 1e-10, 1e-14);
    });
  });

  test(`port robust (${backend}): Grad-CAM with a tensor hook registered in a forward hook, out[arange(n), y].backward(onesLike)`, () => {
    T.withBackend(backend, () => {
      const model = trainedModel().eval();
      const xe = spec(fx.testX).index([`:${C.nExplain}`]), ye = spec(fx.testY).index([`:${C.nExplain}`]);
      const store: { activations?: Tensor; gradients?: Tensor } = {};
      // the other common form: output.register_hook(...) inside the forward hook
      const handle = model.features.at(4).registerForwardHook((_m, _args, output) => {
        const out = output as Tensor;
        store.activations = out.detach();
        out.registerHook((g) => {
          store.gradients = g.detach();
        });
      });
      model.zeroGrad();
      const out = model.forward(xe);
      const score = out.index([T.arange(C.nExplain), ye]);
      score.backward(T.onesLike(score));
      handle.remove();
      closeTensor("activations", store.activations!, fx.explain.camActivations, 1e-10, 1e-14);
      closeTensor("gradients (tensor hook)", store.gradients!, fx.explain.camGradients, 1e-10, 1e-14);
      const weights = store.gradients!.mean([2, 3], true);
      const cam = F.interpolate(F.relu(weights.mul(store.activations!).sum(1, true)), { size: xe.shape.slice(2), mode: "bilinear", alignCorners: false });
      closeTensor("Grad-CAM", cam, fx.explain.cam, 1e-10, 1e-14);
    });
  });
}

// ---- regressions for what the port hit ----

test("port robust: grad() takes a single tensor as gradOutputs, as torch.autograd.grad's grad_outputs (it was ignored)", () => {
  for (const backend of ["reference", "wasm"] as const)
    T.withBackend(backend, () => {
      const x = T.tensor([[1, -2], [3, 0.5]], { dtype: "float64", requiresGrad: true });
      // a scalar output: the old code read a lone tensor as "no gradOutputs" and seeded with 1
      const [g1] = T.grad(x.pow(2).sum(), x, { gradOutputs: T.tensor(3, { dtype: "float64" }) });
      assert.deepEqual(Array.from(g1!.dataSync()), [6, -12, 18, 3]);
      // a non-scalar output: it used to throw "grad can be implicitly created only for scalar outputs"
      const y = x.mul(x);
      const [g2] = T.grad(y, x, { gradOutputs: T.tensor([[1, 10], [100, 1000]], { dtype: "float64" }), createGraph: true });
      assert.deepEqual(Array.from(g2!.dataSync()), [2, -40, 600, 1000]);
      assert.ok(g2!.requiresGrad, "createGraph");
      // null in the array form: ones for a scalar output, as torch's None
      const [g3] = T.grad([x.sum()], [x], { gradOutputs: [null] });
      assert.deepEqual(Array.from(g3!.dataSync()), [1, 1, 1, 1]);
      assert.throws(() => T.grad([x.sum(), x.prod()], [x], { gradOutputs: [T.tensor(1, { dtype: "float64" })] }),
        /grad: got 2 tensors and 1 gradients \(gradOutputs needs one entry per output\)/);
      assert.throws(() => T.grad(y, x, { gradOutputs: T.ones([3], { dtype: "float64" }) }), /backward: gradient has shape \[3\] but the tensor has shape \[2, 2\]/);
    });
});

test("port robust: a Tensor passed where a dim goes gets a plain out-of-range error (not the source of Tensor.dim)", () => {
  const x = T.ones([2, 2]);
  assert.throws(() => x.cumsum(T.zeros([2, 2]) as unknown as number), (e: Error) =>
    /cumsum: dimension out of range \(expected to be in range of \[-2, 1\], but got Tensor\(shape=\[2, 2\]/.test(e.message) && !e.message.includes("positional"));
  // a plain object with a dim is still the keyword hint
  assert.throws(() => normalizeDim("softmax", { dim: 1 } as unknown as number, 2), /the dim is positional here: softmax\(x, 1\)/);
});

test("port robust: loss.backward({ retainGraph: true }) — torch's keywords as options alone (it crashed), or positionally", () => {
  for (const backend of ["reference", "wasm"] as const)
    T.withBackend(backend, () => {
      const x = T.tensor([1, -2, 3], { dtype: "float64", requiresGrad: true });
      const loss = x.pow(2).sum();
      loss.backward({ retainGraph: true });
      loss.backward(); // the graph was kept
      assert.deepEqual(Array.from(x.grad!.dataSync()), [4, -8, 12]);
      const y = x.mul(x);
      y.backward({ gradient: T.tensor([1, 10, 100], { dtype: "float64" }) });
      assert.deepEqual(Array.from(x.grad!.dataSync()), [6, -48, 612]);
      const [gx] = (() => {
        const z = T.tensor([0.5, 2], { dtype: "float64", requiresGrad: true });
        z.pow(3).sum().backward({ createGraph: true });
        return [z.grad!];
      })();
      assert.ok(gx.requiresGrad, "createGraph by keyword");
      // torch's positional order: backward(gradient, retain_graph, create_graph, inputs)
      const w = T.tensor([2, 0.5], { dtype: "float64", requiresGrad: true });
      const l2 = w.pow(2).sum();
      l2.backward(null, true);
      l2.backward(undefined, { inputs: [w] });
      assert.deepEqual(Array.from(w.grad!.dataSync()), [8, 2]);
      assert.throws(() => x.sum().backward(5 as unknown as T.Tensor), /backward: gradient must be a Tensor, got 5/);
      assert.throws(() => x.sum().backward({ retain_graph: true } as never), /backward: unknown option "retain_graph" \(expected one of: gradient, retainGraph, createGraph, inputs\)/);
      assert.throws(() => x.sum().backward({ retainGraph: true }, { createGraph: true } as never), /backward: the options object must be the last argument/);
    });
});

test("port robust: the Madry-style delta loop — x.data = v is refused (it silently changed nothing), noGrad(copy_) works", () => {
  const model = trainedModel().eval();
  const x = spec(fx.testX).index([":2"]), y = spec(fx.testY).index([":2"]);
  const delta = T.zerosLike(x).requiresGrad_();
  const loss = F.crossEntropy(model.forward(x.add(delta)), y);
  loss.backward();
  const step = delta.add(delta.grad!.detach().sign().mul(C.alpha)).clamp(-C.eps, C.eps);
  assert.throws(() => {
    (delta as unknown as { data: Tensor }).data = step;
  }, /data: x\.data = Tensor\(shape=\[2, 3, 8, 8\], dtype=float64\) is PyTorch's way to replace the values outside autograd; Tensile's x\.data\(\) reads the values\. Write noGrad\(\(\) => x\.copy_\(v\)\) instead/);
  T.noGrad(() => delta.copy_(step));
  delta.grad!.zero_();
  assert.deepEqual(delta.toArray(), step.detach().toArray());
  assert.ok(delta.requiresGrad && delta.isLeaf, "still the leaf that requires grad");
  assert.equal(typeof delta.data, "function", "data is still the readback");
  assert.ok(Array.from(delta.dataSync()).every((v) => Math.abs(v) === C.alpha), "one signed step of α");
});
