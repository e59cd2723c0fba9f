/**
 * Port of tools/gen-port-functional-fixtures.py: three "functional" training programs as PyTorch
 * users write them with functorch / torch.func, nn.utils.stateless.functionalCall and
 * autograd.grad, compared with torch 1.13 step by step in float64 on both backends:
 * MAML on sine regression (an inner loop of autograd.grad(createGraph) steps through
 * functionalCall, a second-order Adam meta-step through it), DP-SGD (per-sample gradients by
 * vmap(grad(lossFn)), clipped, noised with torch's given noise, a manual SGD update; also the
 * per-sample gradients from module hooks and from a loop), and a physics-informed network
 * (du/dt and d²u/dt² by autograd.grad with gradOutputs, Adam then LBFGS(strong_wolfe)).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import * as T from "../src/index.js";
import { F, autograd, func, nn, optim, type Tensor } from "../src/index.js";
import { type TensorSpec, decode } from "./helpers/fixtures.js";
import { close, closeTensor, spec } from "./helpers/port.js";
import { gradcheck as numericGradcheck } from "./helpers/gradcheck.js";

const fixturePath = (name: string) => fileURLToPath(new URL(`../fixtures/${name}`, import.meta.url));
type Weights = Record<string, TensorSpec>;
interface SineTask { amp: number; phase: number; xs: TensorSpec; ys: TensorSpec; xq: TensorSpec; yq: TensorSpec }
const fx = JSON.parse(readFileSync(fixturePath("port-functional.json"), "utf8")) as {
  maml: {
    config: { metaSteps: number; tasks: number; k: number; innerSteps: number; innerLr: number; metaLr: number };
    tasks: SineTask[][]; testTask: SineTask;
    steps: { metaLoss: number; innerLosses: number[][]; queryLosses: number[]; gradAbsSum: Record<string, number> }[];
    metaGrad0: { secondOrder: Weights; firstOrder: Weights; functorchMaxDiff: number; makeFunctionalMaxDiff: number };
    withBuffers: { init: Weights; x: TensorSpec; out: TensorSpec; grads: TensorSpec[]; buffers: TensorSpec[]; modelBuffersUnchanged: boolean };
    test: { pred: TensorSpec; before: TensorSpec; queryLoss: number };
    final: Weights;
  };
  dp: {
    config: { steps: number; batch: number; in: number; hidden: number; classes: number; clip: number; sigma: number; lr: number };
    x: TensorSpec; y: TensorSpec; noise: Weights[]; perSample0: Weights;
    steps: { loss: number; norms: number[]; factors: number[] }[];
    final: Weights;
  };
  pinn: {
    config: { points: number; t1: number; adamSteps: number; lbfgsSteps: number };
    adamLosses: number[]; closureLosses: number[]; lbfgsStepLosses: number[]; funcEvals: number; nIter: number; finalLoss: number;
    testT: TensorSpec; testU: TensorSpec; testDu: TensorSpec;
    final: Weights;
  };
};
const init = () => T.loadTorch<Record<"maml" | "dp" | "pinn", Record<string, Tensor>>>(fixturePath("port-functional-init.pt"));

function closeWeights(what: string, got: Record<string, Tensor>, want: Weights, rtol: number, atol = 0): void {
  assert.deepEqual(Object.keys(got), Object.keys(want), `${what}: names`);
  for (const [k, w] of Object.entries(want)) closeTensor(`${what} ${k}`, got[k]!, w, rtol, atol);
}

/** nn.Sequential(Linear, act, Linear, act, …, Linear) in float64, as the generator's mlp(). */
function mlp(sizes: number[], Act: new () => nn.Module): nn.Sequential {
  const layers: nn.Module[] = [];
  for (let i = 0; i < sizes.length - 1; i++) {
    layers.push(new nn.Linear(sizes[i]!, sizes[i + 1]!));
    if (i < sizes.length - 2) layers.push(new Act());
  }
  return new nn.Sequential(...layers).double();
}

// ---- 1. MAML ----

const M = fx.maml.config;
type Params = Record<string, Tensor>;

/** innerSteps SGD steps on the support set, each through autograd.grad. */
function innerAdapt(model: nn.Module, params: Params, xs: Tensor, ys: Tensor, createGraph: boolean, losses?: number[]): Params {
  for (let i = 0; i < M.innerSteps; i++) {
    const loss = F.mseLoss(nn.utils.stateless.functionalCall(model, params, [xs]), ys);
    losses?.push(loss.item());
    const grads = autograd.grad(loss, Object.values(params), { createGraph });
    params = Object.fromEntries(Object.entries(params).map(([n, p], j) => [n, p.sub(grads[j].mul(M.innerLr))]));
  }
  return params;
}

const task = (t: SineTask) => ({ xs: spec(t.xs), ys: spec(t.ys), xq: spec(t.xq), yq: spec(t.yq) });

function maml() {
  const model = mlp([1, 40, 40, 1], nn.ReLU);
  model.loadStateDict(init().maml);
  const metaOpt = new optim.Adam(model.parameters(), { lr: M.metaLr });
  const steps: { metaLoss: number; innerLosses: number[][]; queryLosses: number[]; gradAbsSum: Record<string, number> }[] = [];
  for (let step = 0; step < M.metaSteps; step++) {
    metaOpt.zeroGrad();
    const innerLosses: number[][] = [], queryLosses: number[] = [];
    let total: Tensor | null = null;
    for (const { xs, ys, xq, yq } of fx.maml.tasks[step]!.map(task)) {
      const taskInner: number[] = [];
      const adapted = innerAdapt(model, Object.fromEntries(model.namedParameters()), xs, ys, true, taskInner);
      const q = F.mseLoss(func.functionalCall(model, adapted, [xq]), yq);
      innerLosses.push(taskInner);
      queryLosses.push(q.item());
      total = total === null ? q : total.add(q);
    }
    const metaLoss = total!.div(M.tasks);
    metaLoss.backward();
    const gradAbsSum = Object.fromEntries(model.namedParameters().map(([n, p]) => [n, p.grad!.abs().sum().item()]));
    metaOpt.step();
    steps.push({ metaLoss: metaLoss.item(), innerLosses, queryLosses, gradAbsSum });
  }
  // the adapted model on a new task: 2 inner steps (no graph kept), the query loss and predictions
  const t = task(fx.maml.testTask);
  const params = Object.fromEntries(model.namedParameters().map(([n, p]) => [n, p.detach().requiresGrad_()]));
  const adapted = innerAdapt(model, params, t.xs, t.ys, false);
  const [pred, before] = T.noGrad(() => [func.functionalCall(model, adapted, [t.xq]), model.forward(t.xq)]);
  return { model, steps, pred: pred!, before: before!, queryLoss: F.mseLoss(pred!, t.yq).item() };
}

/** The first meta-step's meta-gradient from the initial weights, second-order, first-order and via func.grad. */
function metaGradVariants() {
  const model = mlp([1, 40, 40, 1], nn.ReLU);
  model.loadStateDict(init().maml);
  const names = model.namedParameters().map(([n]) => n);
  const supportLoss = (p: Params, xs: Tensor, ys: Tensor) => F.mseLoss(func.functionalCall(model, p, [xs]), ys);
  const metaGrad = (adapt: (xs: Tensor, ys: Tensor) => Params): Params => {
    let total: Tensor | null = null;
    for (const { xs, ys, xq, yq } of fx.maml.tasks[0]!.map(task)) {
      const q = F.mseLoss(func.functionalCall(model, adapt(xs, ys), [xq]), yq);
      total = total === null ? q : total.add(q);
    }
    const g = autograd.grad(total!.div(M.tasks), model.parameters());
    return Object.fromEntries(names.map((n, i) => [n, g[i]!]));
  };
  const viaAutograd = (createGraph: boolean) => metaGrad((xs, ys) => innerAdapt(model, Object.fromEntries(model.namedParameters()), xs, ys, createGraph));
  const viaFunc = metaGrad((xs, ys) => {
    let params: Params = Object.fromEntries(model.namedParameters());
    for (let i = 0; i < M.innerSteps; i++) {
      const g = func.grad(supportLoss)(params, xs, ys) as Params;
      params = Object.fromEntries(Object.entries(params).map(([n, p]) => [n, p.sub(g[n]!.mul(M.innerLr))]));
    }
    return params;
  });
  // functorch 1.13's MAML style: make_functional, the weights as an array of the copy's parameters
  const [fmodel, params] = func.makeFunctional(model);
  let total: Tensor | null = null;
  for (const { xs, ys, xq, yq } of fx.maml.tasks[0]!.map(task)) {
    let fast = params;
    for (let i = 0; i < M.innerSteps; i++) {
      const g = func.grad((p: Tensor[]) => F.mseLoss(fmodel(p, xs), ys))(fast) as Tensor[];
      fast = fast.map((p, j) => p.sub(g[j]!.mul(M.innerLr)));
    }
    const q = F.mseLoss(fmodel(fast, xq), yq);
    total = total === null ? q : total.add(q);
  }
  const viaMakeFunctional = Object.fromEntries(autograd.grad(total!.div(M.tasks), params).map((g, i) => [fmodel.paramNames[i]!, g!]));
  return { secondOrder: viaAutograd(true), firstOrder: viaAutograd(false), viaFunc, viaMakeFunctional };
}

for (const backend of ["reference", "wasm"] as const) {
  test(`port functional (${backend}): MAML on sine regression — second-order meta-steps match torch`, () => {
    T.withBackend(backend, () => {
      const r = maml();
      assert.equal(r.steps.length, fx.maml.steps.length);
      r.steps.forEach((st, i) => {
        const want = fx.maml.steps[i]!;
        close(`meta-step ${i} meta-loss`, st.metaLoss, want.metaLoss, 1e-10);
        st.innerLosses.forEach((ls, t) => ls.forEach((l, k) => close(`meta-step ${i} task ${t} inner loss ${k}`, l, want.innerLosses[t]![k]!, 1e-10)));
        st.queryLosses.forEach((l, t) => close(`meta-step ${i} task ${t} query loss`, l, want.queryLosses[t]!, 1e-10));
        for (const [n, g] of Object.entries(want.gradAbsSum)) close(`meta-step ${i} |${n}.grad|`, st.gradAbsSum[n]!, g, 1e-9);
      });
      closeWeights("final", r.model.stateDict(), fx.maml.final, 1e-9, 1e-12);
      closeTensor("adapted predictions on the test task", r.pred, fx.maml.test.pred, 1e-9, 1e-12);
      closeTensor("unadapted predictions on the test task", r.before, fx.maml.test.before, 1e-9, 1e-12);
      close("adapted test-task query loss", r.queryLoss, fx.maml.test.queryLoss, 1e-9);
    });
  });

  test(`port functional (${backend}): the meta-gradient second-order, first-order and through func.grad`, () => {
    T.withBackend(backend, () => {
      const r = metaGradVariants();
      closeWeights("second-order meta-gradient", r.secondOrder, fx.maml.metaGrad0.secondOrder, 1e-10, 1e-14);
      closeWeights("first-order meta-gradient", r.firstOrder, fx.maml.metaGrad0.firstOrder, 1e-10, 1e-14);
      closeWeights("meta-gradient with func.grad inner steps", r.viaFunc, fx.maml.metaGrad0.secondOrder, 1e-10, 1e-14);
      closeWeights("meta-gradient with makeFunctional", r.viaMakeFunctional, fx.maml.metaGrad0.secondOrder, 1e-10, 1e-14);
      // the second-order terms matter here: dropping them (first-order MAML) changes the meta-gradient
      const diff = Math.max(...Object.keys(r.secondOrder).map((n) => r.secondOrder[n]!.sub(r.firstOrder[n]!).abs().max().item()));
      assert.ok(diff > 1e-3, `second- and first-order meta-gradients should differ (max |diff| ${diff})`);
    });
  });
}

// ---- 2. DP-SGD ----

const D = fx.dp.config;

function dpSgd() {
  const model = mlp([D.in, D.hidden, D.classes], nn.Tanh);
  model.loadStateDict(init().dp);
  const x = spec(fx.dp.x), y = spec(fx.dp.y);
  const params: Params = Object.fromEntries(model.namedParameters().map(([n, p]) => [n, p.detach()]));
  const lossFn = (p: Params, xi: Tensor, yi: Tensor) => F.crossEntropy(func.functionalCall(model, p, [xi.unsqueeze(0)]), yi.unsqueeze(0));
  const perSampleGrad = func.vmap(func.grad(lossFn), { inDims: [null, 0, 0] });
  const steps: { loss: number; norms: number[]; factors: number[] }[] = [];
  let firstGrads: Params | null = null;
  for (let step = 0; step < D.steps; step++) {
    const xb = x.index([`${step * D.batch}:${(step + 1) * D.batch}`]), yb = y.index([`${step * D.batch}:${(step + 1) * D.batch}`]);
    const loss = T.noGrad(() => F.crossEntropy(model.forward(xb), yb).item());
    const grads = perSampleGrad(params, xb, yb) as Params;
    firstGrads ??= grads;
    const norms = T.stack(Object.values(grads).map((g) => g.reshape(D.batch, -1).norm({ dim: 1 })), 1).norm({ dim: 1 });
    const factor = T.div(D.clip, norms.add(1e-6)).clamp({ max: 1 });
    T.noGrad(() => {
      for (const [n, p] of model.namedParameters()) {
        const g = grads[n]!;
        const clipped = g.mul(factor.view(-1, ...Array<number>(g.dim() - 1).fill(1)));
        const noisy = clipped.sum(0).add(spec(fx.dp.noise[step]![n]!).mul(D.sigma * D.clip)).div(D.batch);
        p.sub_(noisy.mul(D.lr));
      }
    });
    steps.push({ loss, norms: Array.from(norms.dataSync(), Number), factors: Array.from(factor.dataSync(), Number) });
  }
  return { model, steps, firstGrads: firstGrads! };
}

/** Per-sample gradients of every Linear from hooks: the layer's input and its output's gradient. */
function hooksPerSample(model: nn.Module, xb: Tensor, yb: Tensor): { perSample: Params; summed: Params } {
  const acts: Params = {}, gouts: Params = {};
  const handles: { remove(): void }[] = [];
  for (const [name, m] of model.namedModules()) {
    if (m instanceof nn.Linear) {
      handles.push(m.registerForwardHook((_mod, args) => {
        acts[name] = (args[0] as Tensor).detach();
      }));
      handles.push(m.registerFullBackwardHook((_mod, _gin, gout) => {
        gouts[name] = gout[0]!.detach();
      }));
    }
  }
  model.zeroGrad();
  F.crossEntropy(model.forward(xb), yb, { reduction: "sum" }).backward();
  for (const h of handles) h.remove();
  const perSample: Params = {};
  for (const name of Object.keys(acts)) {
    perSample[`${name}.weight`] = T.einsum("bo,bi->boi", gouts[name]!, acts[name]!);
    perSample[`${name}.bias`] = gouts[name]!;
  }
  const summed = Object.fromEntries(model.namedParameters().map(([n, p]) => [n, p.grad!.clone()]));
  model.zeroGrad();
  return { perSample, summed };
}

function loopPerSample(model: nn.Module, xb: Tensor, yb: Tensor): Params {
  const params = model.parameters();
  const rows = Array.from({ length: xb.shape[0]! }, (_, i) => autograd.grad(F.crossEntropy(model.forward(xb.index([`${i}:${i + 1}`])), yb.index([`${i}:${i + 1}`])), params));
  return Object.fromEntries(model.namedParameters().map(([n], j) => [n, T.stack(rows.map((r) => r[j]!))]));
}

for (const backend of ["reference", "wasm"] as const) {
  test(`port functional (${backend}): DP-SGD with vmap(grad) per-sample gradients matches torch`, () => {
    T.withBackend(backend, () => {
      const r = dpSgd();
      closeWeights("per-sample gradients (step 0)", r.firstGrads, fx.dp.perSample0, 1e-11, 1e-15);
      r.steps.forEach((st, i) => {
        const want = fx.dp.steps[i]!;
        close(`step ${i} loss`, st.loss, want.loss, 1e-11);
        st.norms.forEach((v, b) => close(`step ${i} sample ${b} gradient norm`, v, want.norms[b]!, 1e-10));
        st.factors.forEach((v, b) => close(`step ${i} sample ${b} clip factor`, v, want.factors[b]!, 1e-10));
      });
      closeWeights("final", r.model.stateDict(), fx.dp.final, 1e-10, 1e-13);
    });
  });

  test(`port functional (${backend}): per-sample gradients from hooks and from a loop equal vmap's`, () => {
    T.withBackend(backend, () => {
      const model = mlp([D.in, D.hidden, D.classes], nn.Tanh);
      model.loadStateDict(init().dp);
      const xb = spec(fx.dp.x).index([`:${D.batch}`]), yb = spec(fx.dp.y).index([`:${D.batch}`]);
      const { perSample, summed } = hooksPerSample(model, xb, yb);
      closeWeights("hooks' per-sample gradients", Object.fromEntries(Object.keys(fx.dp.perSample0).map((n) => [n, perSample[n]!])), fx.dp.perSample0, 1e-11, 1e-15);
      for (const [n, g] of Object.entries(summed)) closeTensor(`summed ${n}.grad`, g, { shape: g.shape as number[], data: Array.from(spec(fx.dp.perSample0[n]!).sum(0).dataSync(), Number) }, 1e-11, 1e-15);
      closeWeights("a loop's per-sample gradients", loopPerSample(model, xb, yb), fx.dp.perSample0, 1e-11, 1e-15);
    });
  });
}

// ---- 3. PINN ----

const P = fx.pinn.config;

/** Mean squared residual of u'' + u = 0 plus the initial conditions u(0) = 1, u'(0) = 0; `net` is the model's forward. */
function pinnLoss(net: (t: Tensor) => Tensor, t: Tensor, t0: Tensor): Tensor {
  const u = net(t);
  const [du] = autograd.grad(u, t, { gradOutputs: T.onesLike(u), createGraph: true });
  const [d2u] = autograd.grad(du, t, { gradOutputs: T.onesLike(du), createGraph: true }); // typed Tensor[] without allowUnused
  const residual = d2u.add(u);
  const u0 = net(t0);
  const [du0] = autograd.grad(u0, t0, { gradOutputs: T.onesLike(u0), createGraph: true });
  return residual.pow(2).mean().add(u0.sub(1).pow(2).sum()).add(du0.pow(2).sum());
}

function pinn() {
  const model = mlp([1, 16, 16, 1], nn.Tanh);
  model.loadStateDict(init().pinn);
  const t = T.linspace(0, P.t1, P.points, { dtype: "float64" }).unsqueeze(1).requiresGrad_(true);
  const t0 = T.zeros([1, 1], { dtype: "float64", requiresGrad: true });
  const adam = new optim.Adam(model.parameters(), { lr: 1e-2 });
  const adamLosses: number[] = [];
  for (let i = 0; i < P.adamSteps; i++) {
    adam.zeroGrad();
    const loss = pinnLoss((x) => model.forward(x), t, t0);
    loss.backward();
    adam.step();
    adamLosses.push(loss.item());
  }
  const lbfgs = new optim.LBFGS(model.parameters(), { lr: 1, maxIter: 10, historySize: 10, lineSearchFn: "strong_wolfe" });
  const closureLosses: number[] = [], lbfgsStepLosses: number[] = [];
  const closure = () => {
    lbfgs.zeroGrad();
    const loss = pinnLoss((x) => model.forward(x), t, t0);
    loss.backward();
    closureLosses.push(loss.item());
    return loss;
  };
  for (let i = 0; i < P.lbfgsSteps; i++) lbfgsStepLosses.push(lbfgs.step(closure).item());
  const state = lbfgs.state.get(model.parameters()[0]!)!;
  const finalLoss = pinnLoss((x) => model.forward(x), t, t0).item();
  const tt = T.linspace(0, P.t1, 7, { dtype: "float64" }).unsqueeze(1).requiresGrad_(true);
  const u = model.forward(tt) as Tensor;
  const [du] = autograd.grad(u, tt, { gradOutputs: T.onesLike(u) });
  return { model, adamLosses, closureLosses, lbfgsStepLosses, funcEvals: state.funcEvals, nIter: state.nIter, finalLoss, tt, u, du: du! };
}

for (const backend of ["reference", "wasm"] as const) {
  test(`port functional (${backend}): a physics-informed network (u'' + u = 0) trained by Adam then LBFGS matches torch`, () => {
    T.withBackend(backend, () => {
      const r = pinn();
      r.adamLosses.forEach((l, i) => close(`Adam step ${i} loss`, l, fx.pinn.adamLosses[i]!, 1e-10));
      assert.equal(r.closureLosses.length, fx.pinn.closureLosses.length, "LBFGS closure evaluations");
      r.closureLosses.forEach((l, i) => close(`LBFGS closure call ${i} loss`, l, fx.pinn.closureLosses[i]!, 1e-8));
      r.lbfgsStepLosses.forEach((l, i) => close(`LBFGS step ${i} loss`, l, fx.pinn.lbfgsStepLosses[i]!, 1e-8));
      assert.equal(r.funcEvals, fx.pinn.funcEvals);
      assert.equal(r.nIter, fx.pinn.nIter);
      close("final loss", r.finalLoss, fx.pinn.finalLoss, 1e-8);
      closeWeights("final", r.model.stateDict(), fx.pinn.final, 1e-8, 1e-11);
      closeTensor("u on the test grid", r.u, fx.pinn.testU, 1e-8, 1e-11);
      closeTensor("du/dt on the test grid", r.du, fx.pinn.testDu, 1e-8, 1e-11);
    });
  });
}

// ---- the fixes the port needed ----

for (const backend of ["reference", "wasm"] as const) {
  test(`port functional (${backend}): autograd.grad with respect to a non-leaf stops there — the graph above is neither run nor freed (as torch)`, () => {
    T.withBackend(backend, () => {
      // first-order MAML's inner step: grad(loss, adapted) without createGraph, then a backward
      // from the adapted tensor down to the weights (it used to fail: the pass had run and freed `mul`)
      const w = T.tensor([1, 2], { dtype: "float64", requiresGrad: true });
      let hookCalls = 0;
      w.registerHook(() => {
        hookCalls++;
      });
      const a = w.mul(2);
      const [g] = autograd.grad(a.pow(2).sum(), [a]);
      assert.deepEqual(Array.from(g!.dataSync()), [4, 8]);
      const [g3] = autograd.grad(a.pow(3).sum(), [a], { createGraph: true });
      assert.deepEqual(Array.from(g3!.dataSync()), [12, 48]);
      assert.equal(hookCalls, 0, "w's hook: no gradient reaches w in grad(…, [a]) (torch: none)");
      a.sum().backward();
      assert.deepEqual(Array.from(w.grad!.dataSync()), [2, 2]);
      assert.equal(hookCalls, 1);
      // an input above another input: both get their gradients, the pass goes on to the lower one
      const b = w.mul(2).pow(2);
      const [gb, gw] = autograd.grad(b.sum(), [b, w]);
      assert.deepEqual(Array.from(gb!.dataSync()), [1, 1]);
      assert.deepEqual(Array.from(gw!.dataSync()), [8, 16]); // d(4w²)/dw
    });
  });
}

test("port functional: functionalCall's result has the module's forward type; autograd.grad takes a lone gradOutputs tensor", () => {
  class Square extends nn.Module {
    w = new nn.Parameter(T.tensor([3], { dtype: "float64" }));
    override forward(x: Tensor): Tensor { return x.mul(this.w).pow(2); }
  }
  const m = new Square();
  const x = T.tensor([1, 2], { dtype: "float64", requiresGrad: true });
  const y: Tensor = func.functionalCall(m, { w: T.tensor([0.5], { dtype: "float64" }) }, [x]); // typed Tensor, no cast
  assert.deepEqual(Array.from(y.dataSync()), [0.25, 1]);
  const [dy] = autograd.grad(y, x, { gradOutputs: T.onesLike(y) }); // torch: grad_outputs=torch.ones_like(y)
  assert.deepEqual(Array.from(dy!.dataSync()), [0.5, 1]); // 2·x·w²
  assert.deepEqual(Array.from(m.w.dataSync()), [3], "the module's own parameter is back");
});

test("port functional: autograd.grad in PyTorch's positional order (gradOutputs, retainGraph, createGraph, onlyInputs, allowUnused); bad options refused", () => {
  const t = T.tensor([[0.5], [2]], { dtype: "float64", requiresGrad: true });
  const u = t.pow(3);
  // torch.autograd.grad(u, t, torch.ones_like(u), create_graph=True): it used to read the tensor as
  // the options object, so the non-scalar output had "no gradient" (and a scalar's given one became 1)
  const [du] = autograd.grad(u, t, T.onesLike(u), { createGraph: true });
  assert.deepEqual(Array.from(du!.dataSync()), [0.75, 12]);
  assert.ok(du!.requiresGrad, "createGraph after a positional gradOutputs");
  const [d2u] = autograd.grad(du!, t, T.onesLike(du!), null, true, true, false); // retain_graph=None, create_graph, only_inputs, allow_unused
  assert.deepEqual(Array.from(d2u!.dataSync()), [3, 12]);
  const s = t.pow(2).sum();
  const [g2] = autograd.grad(s, [t], T.tensor(2, { dtype: "float64" })); // a scalar output's given gradient is used
  assert.deepEqual(Array.from(g2!.dataSync()), [2, 8]);
  assert.throws(() => autograd.grad(t.sum(), t, { create_graph: true } as never), /grad: unknown option "create_graph" \(expected one of: gradOutputs, retainGraph, createGraph, allowUnused\)/);
  assert.throws(() => autograd.grad(t.sum(), t, null, null, false, true, false, true as never), /grad: takes at most 5 positional arguments after outputs and inputs/);
  assert.throws(() => autograd.grad([t.sum(), t.sum()], t, [T.tensor(1, { dtype: "float64" })]), /grad: got 2 tensors and 1 gradients/);
});

test("port functional: numerical gradchecks of the composed losses (PINN residual through d²u/dt², MAML query loss through the inner steps)", () => {
  const pinnModel = mlp([1, 16, 16, 1], nn.Tanh);
  pinnModel.loadStateDict(init().pinn);
  const t = T.linspace(0, P.t1, 6, { dtype: "float64" }).unsqueeze(1).requiresGrad_(true);
  const t0 = T.zeros([1, 1], { dtype: "float64", requiresGrad: true });
  const pinnParams = Object.fromEntries(pinnModel.namedParameters());
  // the loss as a function of the second layer's bias (16 values), the other weights fixed
  const viaBias = (b: Tensor) => {
    return pinnLoss((x) => func.functionalCall(pinnModel, { ...pinnParams, "2.bias": b }, [x]), t, t0);
  };
  numericGradcheck(viaBias, pinnParams["2.bias"]!.detach(), "PINN loss w.r.t. 2.bias");
  const mamlModel = mlp([1, 40, 40, 1], nn.ReLU);
  mamlModel.loadStateDict(init().maml);
  const { xs, ys, xq, yq } = task(fx.maml.tasks[0]![0]!);
  const mamlParams = Object.fromEntries(mamlModel.namedParameters());
  const viaHead = (w: Tensor) => {
    const adapted = innerAdapt(mamlModel, { ...mamlParams, "4.weight": w }, xs, ys, true);
    return F.mseLoss(func.functionalCall(mamlModel, adapted, [xq]), yq);
  };
  numericGradcheck(viaHead, mamlParams["4.weight"]!.detach(), "MAML query loss w.r.t. 4.weight (through 2 inner steps)");
});

for (const backend of ["reference", "wasm"] as const) {
  test(`port functional (${backend}): makeFunctionalWithBuffers on a BatchNorm MLP in training mode matches functorch`, () => {
    T.withBackend(backend, () => {
      const W = fx.maml.withBuffers;
      const model = new nn.Sequential(new nn.Linear(3, 4), new nn.BatchNorm1d(4), new nn.Tanh(), new nn.Linear(4, 2)).double();
      model.loadStateDict(Object.fromEntries(Object.entries(W.init).map(([k, v]) => [k, spec(v)])));
      const [fmodel, params, buffers] = func.makeFunctionalWithBuffers(model);
      assert.deepEqual(fmodel.paramNames, ["0.weight", "0.bias", "1.weight", "1.bias", "3.weight", "3.bias"]);
      assert.deepEqual(fmodel.bufferNames, ["1.running_mean", "1.running_var", "1.num_batches_tracked"]);
      assert.ok(params.every((p) => p.requiresGrad) && !params.includes(model.getParameter("0.weight")), "the copy's parameters, trackable");
      const out = fmodel(params, buffers, spec(W.x)) as Tensor;
      closeTensor("output", out, W.out, 1e-12, 1e-15);
      autograd.grad(out.pow(2).sum(), params).forEach((g, i) => closeTensor(`grad ${fmodel.paramNames[i]}`, g!, W.grads[i]!, 1e-10, 1e-14));
      buffers.forEach((b, i) => closeTensor(`buffer ${fmodel.bufferNames[i]} (updated in place)`, b, W.buffers[i]!, 1e-12, 1e-15));
      assert.equal(W.modelBuffersUnchanged, true);
      for (const [n, b] of model.namedBuffers()) closeTensor(`the original model's ${n}`, b, W.init[n]!, 0);
    });
  });
}

test("port functional: makeFunctional — errors as functorch's, disableAutogradTracking, a function of its weights", () => {
  const model = mlp([2, 3, 1], nn.Tanh);
  const [fmodel, params] = func.makeFunctional(model, { disableAutogradTracking: true });
  assert.ok(params.every((p) => !p.requiresGrad));
  const x = T.tensor([[0.3, -0.2]], { dtype: "float64" });
  closeTensor("fmodel(params, x) = model(x)", fmodel(params, x) as Tensor, { shape: [1, 1], data: Array.from(model.forward(x).dataSync(), Number) }, 0);
  const zeros = params.map((p) => T.zerosLike(p));
  assert.deepEqual(Array.from((fmodel(zeros, x) as Tensor).dataSync()), [0], "other weights, other function");
  assert.throws(() => fmodel(params.slice(1), x), /makeFunctional: expected 4 params \(0.weight, 0.bias, 2.weight, 2.bias\), got 3/);
  assert.throws(() => func.makeFunctional(new nn.BatchNorm1d(3)), /makeFunctional\(model\): `model` has buffers. Please use makeFunctionalWithBuffers\(model\) instead./);
  assert.throws(() => func.makeFunctional(model, { disable_autograd_tracking: true } as never), /makeFunctional: unknown option "disable_autograd_tracking"/);
  assert.throws(() => func.makeFunctional({} as nn.Module), /makeFunctional: expected an nn.Module/);
});
