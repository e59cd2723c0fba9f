/**
 * Port of tools/gen-port-probabilistic-fixtures.py: three probabilistic programs written with
 * `distributions` as a PyTorch user writes them with torch.distributions, on 2-D two-moons data,
 * compared with torch 1.13 in float64 on both backends:
 * - a RealNVP normalizing flow (affine couplings, a mask buffer, Tanh scale nets, the log-det
 *   accumulated, a MultivariateNormal prior), trained with Adam, sampled through the inverse from
 *   given base noise, log-densities on a grid;
 * - a mixture density network (MixtureSameFamily(Categorical(logits), Independent(Normal, 1))) and
 *   the mixture's mean / variance;
 * - Bayes-by-backprop regression (reparameterised weights from given eps, klDivergence(Normal,
 *   Normal(0, 1)) as the prior term, a softplus-scaled Normal likelihood) and a LogNormal built as
 *   TransformedDistribution(Normal, [ExpTransform()]).
 * The random draws (data, base noise, eps) are made by torch and read as inputs.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import * as T from "../src/index.js";
import { distributions as D, nn, optim, type Tensor } from "../src/index.js";
import * as F from "../src/nn/functional/index.js";
import { type TensorSpec, decode } from "./helpers/fixtures.js";
import { close, closeTensor, spec } from "./helpers/port.js";

const fixturePath = (name: string) => fileURLToPath(new URL(`../fixtures/${name}`, import.meta.url));
type SD = Record<string, TensorSpec>;
const fx = JSON.parse(readFileSync(fixturePath("port-probabilistic.json"), "utf8")) as {
  config: { n: number; flowHidden: number; flowLayers: number; flowLr: number; mdnHidden: number; mdnK: number; mdnLr: number; bayesHidden: number; bayesLr: number };
  data: TensorSpec;
  flow: { losses: number[]; final: SD; zData: TensorSpec; logDet: TensorSpec; noise: TensorSpec; samples: TensorSpec; grid: TensorSpec; gridLogProb: TensorSpec; priorLogProbNoise: TensorSpec };
  mdn: { losses: number[]; final: SD; xs: TensorSpec; mean: TensorSpec; variance: TensorSpec; ys: TensorSpec; gridLogProb: TensorSpec; mixtureProbs: TensorSpec; componentMean: TensorSpec };
  bayes: { steps: { eps: SD; loss: number; logLik: number; kl: number }[]; final: SD };
  lognormal: Record<"loc" | "scale" | "value" | "logProb" | "cdf" | "lognormalLogProb" | "lognormalCdf" | "mean" | "variance" | "entropy" | "gradLoc" | "gradScale" | "eps" | "rsample", TensorSpec>;
};
const C = fx.config;

function closeStateDict(what: string, sd: Record<string, Tensor>, want: SD, rtol: number, atol: number): void {
  assert.deepEqual(Object.keys(sd), Object.keys(want), `${what}: state-dict keys`);
  for (const [k, w] of Object.entries(want)) closeTensor(`${what} ${k}`, sd[k]!, w, rtol, atol);
}

// ---- 1. RealNVP, as the notebook writes it ----

class RealNVP extends nn.Module {
  prior: D.Distribution;
  t: nn.ModuleList;
  s: nn.ModuleList;
  declare mask: Tensor;
  constructor(nets: () => nn.Module, nett: () => nn.Module, mask: Tensor, prior: D.Distribution) {
    super();
    this.prior = prior;
    this.registerBuffer("mask", mask);
    this.t = new nn.ModuleList(Array.from({ length: mask.shape[0]! }, () => nett()));
    this.s = new nn.ModuleList(Array.from({ length: mask.shape[0]! }, () => nets()));
  }
  /** latent → data (the inverse pass, for sampling). */
  g(z: Tensor): Tensor {
    let x = z;
    for (let i = 0; i < this.t.length; i++) {
      const m = this.mask.index(i);
      const x_ = x.mul(m);
      const s = (this.s.at(i).forward(x_) as Tensor).mul(T.rsub(m, 1));
      const t = (this.t.at(i).forward(x_) as Tensor).mul(T.rsub(m, 1));
      x = x_.add(T.rsub(m, 1).mul(x.mul(T.exp(s)).add(t)));
    }
    return x;
  }
  /** data → latent, with log |det J|. */
  f(x: Tensor): [Tensor, Tensor] {
    let logDetJ = x.newZeros([x.shape[0]!]), z = x;
    for (let i = this.t.length - 1; i >= 0; i--) {
      const m = this.mask.index(i);
      const z_ = m.mul(z);
      const s = (this.s.at(i).forward(z_) as Tensor).mul(T.rsub(m, 1));
      const t = (this.t.at(i).forward(z_) as Tensor).mul(T.rsub(m, 1));
      z = T.rsub(m, 1).mul(z.sub(t)).mul(T.exp(s.neg())).add(z_);
      logDetJ = logDetJ.sub(s.sum({ dim: 1 }));
    }
    return [z, logDetJ];
  }
  logProb(x: Tensor): Tensor {
    const [z, logp] = this.f(x);
    return this.prior.logProb(z).add(logp);
  }
}

function makeFlow(): RealNVP {
  const H = C.flowHidden;
  const nets = () => new nn.Sequential(new nn.Linear(2, H), new nn.LeakyReLU(), new nn.Linear(H, H), new nn.LeakyReLU(), new nn.Linear(H, 2), new nn.Tanh());
  const nett = () => new nn.Sequential(new nn.Linear(2, H), new nn.LeakyReLU(), new nn.Linear(H, H), new nn.LeakyReLU(), new nn.Linear(H, 2));
  const masks = T.tensor(Array.from({ length: C.flowLayers / 2 }, () => [[0, 1], [1, 0]]).flat(), { dtype: "float64" });
  const prior = new D.MultivariateNormal(T.zeros(2, { dtype: "float64" }), T.eye(2, { dtype: "float64" }));
  return new RealNVP(nets, nett, masks, prior);
}

function runFlow() {
  const data = spec(fx.data);
  const flow = makeFlow().double();
  flow.loadStateDict(T.loadTorch<Record<string, Tensor>>(fixturePath("port-probabilistic-flow-init.pt")));
  const optimizer = new optim.Adam(flow.parameters().filter((p) => p.requiresGrad), { lr: C.flowLr });
  const losses: number[] = [];
  for (let step = 0; step < fx.flow.losses.length; step++) {
    const loss = flow.logProb(data).mean().neg();
    optimizer.zeroGrad();
    loss.backward();
    optimizer.step();
    losses.push(loss.item());
  }
  const [zData, logDet] = flow.f(data);
  const noise = spec(fx.flow.noise);
  return T.noGrad(() => {
    const samples = flow.g(noise);
    const lin = T.linspace(-1.5, 2.5, 5, { dtype: "float64" });
    const grid = T.stack(T.meshgrid(lin, lin, { indexing: "xy" }), -1).reshape(-1, 2);
    return { flow, losses, zData, logDet, samples, grid, gridLogProb: flow.logProb(grid), priorLogProbNoise: flow.prior.logProb(noise) };
  });
}

// ---- 2. mixture density network ----

class MDN extends nn.Module {
  body: nn.Sequential;
  logits: nn.Linear;
  means: nn.Linear;
  log_stds: nn.Linear; // the checkpoint's key (torch's attribute name)
  constructor(nIn: number, nHidden: number, readonly k: number, readonly d: number) {
    super();
    this.body = new nn.Sequential(new nn.Linear(nIn, nHidden), new nn.Tanh());
    this.logits = new nn.Linear(nHidden, k);
    this.means = new nn.Linear(nHidden, k * d);
    this.log_stds = new nn.Linear(nHidden, k * d);
  }
  override forward(x: Tensor): D.MixtureSameFamily {
    const h = this.body.forward(x);
    const loc = this.means.forward(h).view(-1, this.k, this.d);
    const scale = this.log_stds.forward(h).view(-1, this.k, this.d).exp();
    const mix = new D.Categorical({ logits: this.logits.forward(h) });
    const comp = new D.Independent(new D.Normal(loc, scale), 1);
    return new D.MixtureSameFamily(mix, comp);
  }
}

function runMdn() {
  const data = spec(fx.data);
  const model = new MDN(1, C.mdnHidden, C.mdnK, 1).double();
  model.loadStateDict(T.loadTorch<Record<string, Tensor>>(fixturePath("port-probabilistic-mdn-init.pt")));
  const optimizer = new optim.Adam(model.parameters(), { lr: C.mdnLr });
  const x = data.narrow(1, 0, 1), y = data.narrow(1, 1, 1);
  const losses: number[] = [];
  for (let step = 0; step < fx.mdn.losses.length; step++) {
    const loss = model.forward(x).logProb(y).mean().neg();
    optimizer.zeroGrad();
    loss.backward();
    optimizer.step();
    losses.push(loss.item());
  }
  return T.noGrad(() => {
    const dist = model.forward(spec(fx.mdn.xs));
    return { model, losses, mean: dist.mean, variance: dist.variance, gridLogProb: dist.logProb(spec(fx.mdn.ys)),
      mixtureProbs: dist.mixtureDistribution.probs, componentMean: dist.componentDistribution.mean };
  });
}

// ---- 3. Bayes by backprop ----

class BayesLinear extends nn.Module {
  w_mu: Tensor;
  w_rho: Tensor;
  b_mu: Tensor;
  b_rho: Tensor;
  kl: Tensor | null = null;
  constructor(nIn: number, nOut: number) {
    super();
    this.w_mu = new nn.Parameter(T.empty([nOut, nIn]).uniform_(-0.5, 0.5));
    this.w_rho = new nn.Parameter(T.full([nOut, nIn], -3.0));
    this.b_mu = new nn.Parameter(T.empty([nOut]).uniform_(-0.5, 0.5));
    this.b_rho = new nn.Parameter(T.full([nOut], -3.0));
  }
  override forward(x: Tensor, epsW: Tensor, epsB: Tensor): Tensor {
    const wSigma = F.softplus(this.w_rho), bSigma = F.softplus(this.b_rho);
    const w = this.w_mu.add(wSigma.mul(epsW));
    const b = this.b_mu.add(bSigma.mul(epsB));
    this.kl = D.klDivergence(new D.Normal(this.w_mu, wSigma), new D.Normal(0.0, 1.0)).sum()
      .add(D.klDivergence(new D.Normal(this.b_mu, bSigma), new D.Normal(0.0, 1.0)).sum());
    return F.linear(x, w, b);
  }
}

class BayesNet extends nn.Module {
  l1 = new BayesLinear(1, C.bayesHidden);
  l2 = new BayesLinear(C.bayesHidden, 1);
  raw_noise = new nn.Parameter(T.tensor(0.0, { dtype: "float64" })); // JS has no 0.0 literal: T.tensor(0.0) is int32
  override forward(x: Tensor, eps: Record<string, Tensor>): Tensor {
    const h = T.tanh(this.l1.forward(x, eps.w1!, eps.b1!));
    return this.l2.forward(h, eps.w2!, eps.b2!);
  }
  kl(): Tensor {
    return this.l1.kl!.add(this.l2.kl!);
  }
}

function runBayes() {
  const data = spec(fx.data);
  const model = new BayesNet().double();
  model.loadStateDict(T.loadTorch<Record<string, Tensor>>(fixturePath("port-probabilistic-bayes-init.pt")));
  const optimizer = new optim.Adam(model.parameters(), { lr: C.bayesLr });
  const x = data.narrow(1, 0, 1), y = data.narrow(1, 1, 1);
  const steps: { loss: number; logLik: number; kl: number }[] = [];
  for (const st of fx.bayes.steps) {
    const eps = Object.fromEntries(Object.entries(st.eps).map(([k, v]) => [k, spec(v)]));
    const pred = model.forward(x, eps);
    const lik = new D.Normal(pred, F.softplus(model.raw_noise));
    const logLik = lik.logProb(y).sum();
    const kl = model.kl();
    const loss = logLik.sub(kl).neg().div(C.n);
    optimizer.zeroGrad();
    loss.backward();
    optimizer.step();
    steps.push({ loss: loss.item(), logLik: logLik.item(), kl: kl.item() });
  }
  return { model, steps };
}

// ---- the comparisons ----

for (const backend of ["reference", "wasm"] as const) {
  test(`port probabilistic (${backend}): a RealNVP flow trains, samples and scores like torch`, () => {
    T.withBackend(backend, () => {
      const r = runFlow();
      r.losses.forEach((l, i) => close(`flow step ${i} loss`, l, fx.flow.losses[i]!, 1e-9));
      closeStateDict("flow final", r.flow.stateDict(), fx.flow.final, 1e-8, 1e-12);
      closeTensor("flow z(data)", r.zData, fx.flow.zData, 1e-8, 1e-12);
      closeTensor("flow log|det J|(data)", r.logDet, fx.flow.logDet, 1e-8, 1e-12);
      closeTensor("flow samples g(noise)", r.samples, fx.flow.samples, 1e-8, 1e-12);
      closeTensor("flow grid", r.grid, fx.flow.grid, 1e-15);
      closeTensor("flow log-density on the grid", r.gridLogProb, fx.flow.gridLogProb, 1e-8, 1e-12);
      closeTensor("prior log-density of the noise", r.priorLogProbNoise, fx.flow.priorLogProbNoise, 1e-12);
    });
  });

  test(`port probabilistic (${backend}): a mixture density network trains like torch; its mixture's mean / variance match`, () => {
    T.withBackend(backend, () => {
      const r = runMdn();
      r.losses.forEach((l, i) => close(`MDN step ${i} loss`, l, fx.mdn.losses[i]!, 1e-9));
      closeStateDict("MDN final", r.model.stateDict(), fx.mdn.final, 1e-8, 1e-12);
      closeTensor("mixture mean", r.mean, fx.mdn.mean, 1e-8, 1e-12);
      closeTensor("mixture variance", r.variance, fx.mdn.variance, 1e-8, 1e-12);
      closeTensor("mixture log_prob on a (y, x) grid", r.gridLogProb, fx.mdn.gridLogProb, 1e-8, 1e-12);
      closeTensor("mixture probs", r.mixtureProbs, fx.mdn.mixtureProbs, 1e-8, 1e-12);
      closeTensor("component means", r.componentMean, fx.mdn.componentMean, 1e-8, 1e-12);
    });
  });

  test(`port probabilistic (${backend}): Bayes-by-backprop regression (KL prior, softplus likelihood scale) trains like torch`, () => {
    T.withBackend(backend, () => {
      const r = runBayes();
      r.steps.forEach((st, i) => {
        const want = fx.bayes.steps[i]!;
        close(`Bayes step ${i} loss`, st.loss, want.loss, 1e-9);
        close(`Bayes step ${i} log-likelihood`, st.logLik, want.logLik, 1e-9);
        close(`Bayes step ${i} KL`, st.kl, want.kl, 1e-9);
      });
      closeStateDict("Bayes final", r.model.stateDict(), fx.bayes.final, 1e-8, 1e-12);
    });
  });

  test(`port probabilistic (${backend}): TransformedDistribution(Normal, [ExpTransform()]) is torch's LogNormal`, () => {
    T.withBackend(backend, () => {
      const L = fx.lognormal;
      const loc = spec(L.loc).requiresGrad_(true), scale = spec(L.scale).requiresGrad_(true);
      const d = new D.TransformedDistribution(new D.Normal(loc, scale), [new D.ExpTransform()]);
      const ref = new D.LogNormal(loc, scale);
      const v = spec(L.value);
      const lp = d.logProb(v), cdf = d.cdf(v);
      lp.sum().add(cdf.sum()).backward();
      closeTensor("log_prob", lp, L.logProb, 1e-12, 1e-15);
      closeTensor("cdf", cdf, L.cdf, 1e-12, 1e-15);
      closeTensor("LogNormal log_prob", ref.logProb(v), L.lognormalLogProb, 1e-12, 1e-15);
      closeTensor("LogNormal cdf", ref.cdf(v), L.lognormalCdf, 1e-12, 1e-15);
      closeTensor("LogNormal mean", ref.mean, L.mean, 1e-12);
      closeTensor("LogNormal variance", ref.variance, L.variance, 1e-12);
      closeTensor("LogNormal entropy", ref.entropy(), L.entropy, 1e-12);
      closeTensor("d(log_prob + cdf)/d loc", loc.grad!, L.gradLoc, 1e-10, 1e-14);
      closeTensor("d(log_prob + cdf)/d scale", scale.grad!, L.gradScale, 1e-10, 1e-14);
      const rs = d.transforms[0]!.forward(loc.add(scale.mul(spec(L.eps))));
      closeTensor("rsample through the transform", rs, L.rsample, 1e-12);
    });
  });
}

test("port probabilistic: the flow's log-density and the MDN / Bayes losses pass float64 gradchecks", () => {
  const flow = makeFlow().double();
  flow.loadStateDict(T.loadTorch<Record<string, Tensor>>(fixturePath("port-probabilistic-flow-init.pt")));
  const x = spec(fx.data).narrow(0, 0, 4).clone().requiresGrad_(true);
  assert.ok(T.autograd.gradcheck((xx) => flow.logProb(xx), [x]), "flow log-density w.r.t. the data");
  const loc = T.randn([3, 3, 1], { dtype: "float64" }).requiresGrad_(true);
  const logScale = T.randn([3, 3, 1], { dtype: "float64" }).mul(0.3).requiresGrad_(true);
  const logits = T.randn([3, 3], { dtype: "float64" }).requiresGrad_(true);
  const y = T.randn([3, 1], { dtype: "float64" });
  const mdnNll = (lo: Tensor, ls: Tensor, lg: Tensor) =>
    new D.MixtureSameFamily(new D.Categorical({ logits: lg }), new D.Independent(new D.Normal(lo, ls.exp()), 1)).logProb(y).neg();
  assert.ok(T.autograd.gradcheck(mdnNll, [loc, logScale, logits]), "mixture NLL w.r.t. loc, log-scale and logits");
  const mu = T.randn([4], { dtype: "float64" }).requiresGrad_(true), rho = T.randn([4], { dtype: "float64" }).requiresGrad_(true);
  assert.ok(T.autograd.gradcheck((m: Tensor, r: Tensor) => D.klDivergence(new D.Normal(m, F.softplus(r)), new D.Normal(0.0, 1.0)), [mu, rho]), "KL(N(mu, softplus(rho)) || N(0, 1))");
});

// ---- regressions for what the port hit ----

for (const backend of ["reference", "wasm"] as const) {
  test(`port probabilistic (${backend}): leakyRelu's float64 gradient is g·slope exactly (the slope was rounded to float32)`, () => {
    T.withBackend(backend, () => {
      for (const slope of [undefined, 0.2, 1 / 3]) {
        const x = T.tensor([-1.5, -0.25, 2.0], { dtype: "float64" }).requiresGrad_(true);
        const layer = slope === undefined ? new nn.LeakyReLU() : new nn.LeakyReLU(slope);
        layer.forward(x).mul(T.tensor([1.0, 3.0, 0.5], { dtype: "float64" })).sum().backward();
        const s = slope ?? 0.01;
        assert.deepEqual(Array.from(x.grad!.dataSync()), [s, 3 * s, 0.5], `slope ${s}`);
      }
      // float32 keeps float32 (g·slope in float32, as torch)
      const x32 = T.tensor([-1.0, 1.0], { dtype: "float32" }).requiresGrad_(true);
      F.leakyRelu(x32, 0.01).sum().backward();
      assert.equal(x32.grad!.dtype, "float32");
      assert.deepEqual(Array.from(x32.grad!.dataSync()), [Math.fround(0.01), 1]);
    });
  });
}

test("port probabilistic: MultivariateNormal(loc, covarianceMatrix) positionally, as torch's MultivariateNormal(loc, cov) (it threw 'got 0')", () => {
  const loc = T.tensor([0.5, -1.0], { dtype: "float64" });
  const cov = T.tensor([[2.0, 0.3], [0.3, 0.5]], { dtype: "float64" });
  const z = T.tensor([[0.1, 0.2], [-1.0, 3.0]], { dtype: "float64" });
  const a = new D.MultivariateNormal(loc, cov), b = new D.MultivariateNormal(loc, { covarianceMatrix: cov });
  assert.deepEqual(Array.from(a.logProb(z).dataSync()), Array.from(b.logProb(z).dataSync()));
  assert.deepEqual(Array.from(a.covarianceMatrix.dataSync()), Array.from(cov.dataSync()));
  // the third positional argument carries the options (validateArgs)
  assert.throws(() => new D.MultivariateNormal(loc, cov, { validateArgs: true }).logProb(T.tensor([1.0], { dtype: "float64" })), /MultivariateNormal/);
  assert.throws(() => new D.MultivariateNormal(loc, T.eye(3, { dtype: "float64" })), /MultivariateNormal: covarianceMatrix must be a batch of 2×2 matrices/);
  assert.throws(() => new D.MultivariateNormal(loc, 3 as unknown as D.MultivariateNormalOptions), /MultivariateNormal: expected \{ covarianceMatrix \}/);
});

test("port probabilistic: nn.Parameter(tensor(0.0)) — JS makes it int32; the error says why and how to fix it", () => {
  assert.throws(() => new nn.Parameter(T.tensor(0.0)), /Parameter: only tensors of floating point dtype can require gradients \(got int32\); tensor\(0\.0\) is int32 in JS/);
  assert.equal(new nn.Parameter(T.tensor(0.0, { dtype: "float32" })).requiresGrad, true);
  assert.equal(new nn.Parameter(T.tensor(0), false).dtype, "int32"); // requiresGrad=false: any dtype, as torch
});
