/**
 * MixtureSameFamily, LogitRelaxedBernoulli / RelaxedBernoulli, ExpRelaxedCategorical /
 * RelaxedOneHotCategorical, Multinomial, Weibull, Pareto, Kumaraswamy, LowRankMultivariateNormal, FisherSnedecor,
 * StickBreakingTransform, LogisticNormal, VonMises, Wishart, LowerCholeskyTransform, CorrCholeskyTransform, LKJCholesky against PyTorch 1.13
 * (the "more" entry of fixtures/distributions.json, from tools/gen-distributions-fixtures.py):
 * values and gradients of every method, expand, KL pairs, rsample at PyTorch's noise; then sample
 * statistics (seeded, bounds several standard errors wide) and argument errors.
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import * as T from "../src/index.js";
import { Tensor, manualSeed, tensor, withBackend } from "../src/core.js";
import { backendsUnderTest } from "./helpers/backends.js";
import { type Enc, assertClose, assertThrowsTensile, dec, loadNnFixture } from "./nn-helpers.js";
import { expRelaxedCategoricalDraw, logitRelaxedBernoulliDraw } from "../src/distributions/relaxed.js";
import { lowRankMultivariateNormalDraw } from "../src/distributions/low-rank.js";
import { fisherSnedecorDraw } from "../src/distributions/fisher-snedecor.js";
import { wishartDraw } from "../src/distributions/wishart.js";

const D = T.distributions;
type Dist = T.distributions.Distribution;
type ArgSpec = number | { t: Enc; grad: boolean };
interface Spec { dist: string; args?: ArgSpec[]; kwargs?: Record<string, ArgSpec>; base?: Spec; n?: number; mixture?: Spec; component?: Spec; expand?: number[] }
interface Graded { out: Enc; weight: Enc; grads: (Enc | null)[] }
const METHODS = ["log_prob", "entropy", "mean", "variance", "stddev", "cdf", "icdf", "mode"] as const;
type Case = { name: string; spec: Spec; value?: Enc; p?: Enc; batchShape: number[]; eventShape: number[]; repr: string } & Partial<Record<(typeof METHODS)[number], Graded>>;
interface KlCase { name: string; p: Spec; q: Spec; kl: Enc; grads?: (Enc | null)[] }
interface RsampleCase { name: string; spec: Spec; noise: Enc; sampleShape: number[]; out: Enc; weight: Enc; grads: (Enc | null)[] }
interface MatrixCase extends Graded { name: string; spec: Spec; method: "covariance_matrix" | "precision_matrix" | "scale_tril" }
interface TSpec { t: string; of?: TSpec }
interface TransformCase {
  name: string; spec: TSpec; x: Enc; y: Enc; inv: Enc; weight: Enc; grads: (Enc | null)[]; ladj: Graded | null; repr: string;
  bijective: boolean; domainEventDim: number; codomainEventDim: number; shape: number[]; forwardShape: number[]; inverseShape: number[];
}
const fx = loadNnFixture<{ more: { cases: Case[]; kl: KlCase[]; rsample: RsampleCase[]; matrices: MatrixCase[]; transforms: TransformCase[] } }>("distributions.json").more;

/** The parameterless transform a spec describes (`inv` of one, or one by class name). */
const buildTransform = (spec: TSpec): T.distributions.Transform =>
  spec.t === "inv" ? buildTransform(spec.of!).inv : new (D as unknown as Record<string, new () => T.distributions.Transform>)[spec.t]!();

const camel = (k: string) => k.replace(/_(\w)/g, (_, c: string) => c.toUpperCase());

/** The Tensile distribution a spec describes, and its parameter tensors that require grad (PyTorch's order). */
function build(spec: Spec, leaves: Tensor[] = []): [Dist, Tensor[]] {
  let d: Dist;
  if (spec.dist === "Independent") d = new D.Independent(build(spec.base!, leaves)[0], spec.n!);
  else if (spec.dist === "MixtureSameFamily") {
    const [mix] = build(spec.mixture!, leaves);
    d = new D.MixtureSameFamily(mix as T.distributions.Categorical, build(spec.component!, leaves)[0]);
  } else {
    const arg = (a: ArgSpec) => {
      if (typeof a === "number") return a;
      const t = dec(a.t, { requiresGrad: a.grad });
      if (a.grad) leaves.push(t);
      return t;
    };
    const args = (spec.args ?? []).map(arg);
    const opts = Object.fromEntries(Object.entries(spec.kwargs ?? {}).map(([k, v]) => [camel(k), arg(v)]));
    const Ctor = (D as unknown as Record<string, new (...a: unknown[]) => Dist>)[spec.dist]!;
    d = spec.kwargs && Object.keys(spec.kwargs).length ? new Ctor(...args, opts) : new Ctor(...args);
  }
  return [spec.expand ? d.expand(spec.expand) : d, leaves];
}

function evaluate(d: Dist, m: (typeof METHODS)[number], c: Case): Tensor {
  switch (m) {
    case "log_prob": return d.logProb(dec(c.value!));
    case "cdf": return d.cdf(dec(c.value!));
    case "icdf": return d.icdf(dec(c.p!));
    case "entropy": return d.entropy();
    default: return d[m];
  }
}

/** PyTorch's repr, less the lazily computed logits its Categorical lists once asked for them. */
const reprOf = (s: string) => s.replace(/(Categorical\(probs: torch\.Size\(\[[\d, ]*\]\)), logits: torch\.Size\(\[[\d, ]*\]\)/, "$1");

for (const backend of backendsUnderTest()) {
  describe(`more distributions on ${backend.name}`, () => {
    for (const c of fx.cases) {
      test(`${c.name}: values and gradients match PyTorch`, () => withBackend(backend, () => {
        const [d0] = build(c.spec);
        assert.deepEqual([...d0.batchShape], c.batchShape, "batchShape");
        assert.deepEqual([...d0.eventShape], c.eventShape, "eventShape");
        assert.equal(d0.toString(), reprOf(c.repr));
        for (const m of METHODS) {
          const want = c[m];
          if (!want) continue;
          const [d, leaves] = build(c.spec);
          const out = evaluate(d, m, c);
          assertClose(`${c.name} ${m}`, out, want.out, 1e-5, 1e-6);
          if (want.grads.length === 0) continue;
          out.mul(dec(want.weight)).sum().backward();
          want.grads.forEach((g, i) => {
            if (!g) return;
            assert.ok(leaves[i]!.grad, `${c.name} ${m}: parameter ${i} got no gradient`);
            assertClose(`${c.name} ${m} grad ${i}`, leaves[i]!.grad!, g, 1e-4, 1e-5);
          });
        }
      }));
    }
    for (const k of fx.kl) {
      test(`klDivergence ${k.name} matches PyTorch`, () => withBackend(backend, () => {
        const [p, pl] = build(k.p);
        const [q, ql] = build(k.q);
        const kl = D.klDivergence(p, q);
        assertClose(`kl ${k.name}`, kl, k.kl, 1e-5, 1e-6);
        if (!k.grads) return;
        kl.sum().backward();
        const leaves = [...pl, ...ql];
        k.grads.forEach((g, i) => {
          if (g) assertClose(`kl ${k.name} grad ${i}`, leaves[i]!.grad!, g, 1e-4, 1e-5);
        });
      }));
    }
    for (const c of fx.matrices) {
      test(`${c.name} and its gradients match PyTorch`, () => withBackend(backend, () => {
        const [d, leaves] = build(c.spec);
        const out = (d as unknown as Record<string, Tensor>)[camel(c.method)]!;
        assertClose(c.name, out, c.out, 1e-4, 1e-5);
        out.mul(dec(c.weight)).sum().backward();
        c.grads.forEach((g, i) => {
          if (g) assertClose(`${c.name} grad ${i}`, leaves[i]!.grad!, g, 1e-4, 1e-5);
        });
      }));
    }
    for (const c of fx.transforms) {
      test(`transform ${c.name}: forward, inverse, logAbsDetJacobian, shapes and gradients match PyTorch`, () => withBackend(backend, () => {
        const t = buildTransform(c.spec);
        assert.equal(t.toString(), c.repr);
        assert.equal(t.bijective, c.bijective, "bijective");
        assert.equal(t.domain.eventDim, c.domainEventDim, "domain event dim");
        assert.equal(t.codomain.eventDim, c.codomainEventDim, "codomain event dim");
        assert.deepEqual(t.forwardShape(c.shape), c.forwardShape, "forwardShape");
        assert.deepEqual(t.inverseShape(c.shape), c.inverseShape, "inverseShape");
        const x = dec(c.x, { requiresGrad: true });
        const y = t.forward(x);
        assertClose(`${c.name} forward`, y, c.y, 1e-5, 1e-6);
        assertClose(`${c.name} inverse`, t.inverse(y.detach()), c.inv, 1e-4, 1e-5);
        y.mul(dec(c.weight)).sum().backward();
        if (c.grads[0]) assertClose(`${c.name} forward grad`, x.grad!, c.grads[0], 1e-4, 1e-5);
        const x2 = dec(c.x, { requiresGrad: true });
        if (!c.ladj) return assertThrowsTensile(() => t.logAbsDetJacobian(x2, t.forward(x2)), /logAbsDetJacobian: not implemented/); // PyTorch raises NotImplementedError
        const ladj = t.logAbsDetJacobian(x2, t.forward(x2));
        assertClose(`${c.name} logAbsDetJacobian`, ladj, c.ladj!.out, 1e-4, 1e-5);
        ladj.mul(dec(c.ladj!.weight)).sum().backward();
        if (c.ladj!.grads[0]) assertClose(`${c.name} logAbsDetJacobian grad`, x2.grad!, c.ladj!.grads[0], 1e-4, 1e-4);
      }));
    }
    for (const r of fx.rsample) {
      test(`rsample of ${r.name} at PyTorch's noise: draws and their gradients match`, () => withBackend(backend, () => {
        const [d, leaves] = build(r.spec);
        const noise = dec(r.noise);
        let x: Tensor;
        if (d instanceof D.LogitRelaxedBernoulli) x = logitRelaxedBernoulliDraw(d, noise);
        else if (d instanceof D.LowRankMultivariateNormal) x = lowRankMultivariateNormalDraw(d, noise);
        else if (d instanceof D.FisherSnedecor) x = fisherSnedecorDraw(d, noise);
        else if (d instanceof D.Wishart) x = wishartDraw(d, noise);
        else if (d instanceof D.LogisticNormal) x = d.transforms[0]!.forward(d.loc.add(d.scale.mul(noise))); // the base Normal's draw at that noise
        else if (d instanceof D.TransformedDistribution) {
          const base = d.baseDist;
          x = base instanceof D.LogitRelaxedBernoulli ? logitRelaxedBernoulliDraw(base, noise)
            : base instanceof D.ExpRelaxedCategorical ? expRelaxedCategoricalDraw(base, noise)
            : noise; // Kumaraswamy's Uniform(0, 1) draw is u; Weibull's and Pareto's base draw is given
          for (const t of d.transforms) x = t.forward(x);
        } else throw new Error(`no noise path for ${r.name}`);
        assertClose(`${r.name} rsample`, x, r.out, 1e-5, 1e-6);
        x.mul(dec(r.weight)).sum().backward();
        r.grads.forEach((g, i) => {
          if (g) assertClose(`${r.name} rsample grad ${i}`, leaves[i]!.grad!, g, 1e-4, 1e-5);
        });
        assert.equal(d.hasRsample, true);
        assert.deepEqual(d.rsample(r.sampleShape).shape, d.extendedShape(r.sampleShape), "rsample shape");
      }));
    }
  });
}

/** A float32 tensor of numbers. */
const ft = (v: number | number[] | number[][] | number[][][], o: { requiresGrad?: boolean } = {}) => tensor(v, { dtype: "float32", ...o });
const values = (t: Tensor): number[] => Array.from(t.dataSync() as ArrayLike<number>, Number);
/** Asserts the draws' mean is within `k` standard errors of `mean` (the known variance `variance`). */
function assertMean(what: string, draws: number[], mean: number, variance: number, k = 6): void {
  const m = draws.reduce((a, b) => a + b, 0) / draws.length;
  const se = Math.sqrt(variance / draws.length);
  assert.ok(Math.abs(m - mean) <= k * se, `${what}: sample mean ${m}, expected ${mean} ± ${k}·${se}`);
}
function sampleVariance(draws: number[]): number {
  const m = draws.reduce((a, b) => a + b, 0) / draws.length;
  return draws.reduce((a, b) => a + (b - m) ** 2, 0) / (draws.length - 1);
}
/** Column j of draws [N, C]. */
const column = (v: number[], C: number, j: number) => v.filter((_, i) => i % C === j);

test("MixtureSameFamily.sample: mean and variance of 20 000 draws match the mixture's; shapes; no rsample", () => {
  manualSeed(1);
  const d = new D.MixtureSameFamily(new D.Categorical({ probs: ft([0.2, 0.5, 0.3]) }), new D.Normal(ft([-2, 0, 3]), ft([0.5, 1, 0.7])));
  const s = d.sample([20000]);
  assert.deepEqual(s.shape, [20000]);
  const v = values(s);
  const mean = d.mean.item() as number, variance = d.variance.item() as number;
  assertMean("mixture", v, mean, variance);
  assert.ok(Math.abs(sampleVariance(v) / variance - 1) < 0.05, `mixture variance ${sampleVariance(v)} vs ${variance}`);
  assert.equal(d.hasRsample, false);
  assertThrowsTensile(() => d.rsample(), /MixtureSameFamily.rsample: not implemented/);
  // a batch with an event dim: the draw of component k is component k's
  const comp = new D.Independent(new D.Normal(ft([[[0, 0], [10, 10]], [[-10, 5], [7, 7]]]), 0.01), 1);
  const m2 = new D.MixtureSameFamily(new D.Categorical({ probs: ft([[1, 0], [0, 1]]) }), comp);
  const s2 = m2.sample([3]);
  assert.deepEqual(s2.shape, [3, 2, 2]);
  values(s2).forEach((x, i) => assert.ok(Math.abs(x - [0, 0, 7, 7][i % 4]!) < 0.1, `draw ${i} is ${x}`));
  // a mixture without a batch shape over components that have one
  const m3 = new D.MixtureSameFamily(new D.Categorical({ probs: ft([0, 1]) }), new D.Normal(ft([[0, 5], [1, 9]]), 0.01));
  values(m3.sample([2])).forEach((x, i) => assert.ok(Math.abs(x - [5, 9][i % 2]!) < 0.1));
});

test("RelaxedBernoulli and RelaxedOneHotCategorical draws: P(X > ½) = p and argmax frequencies = probs (Gumbel-max), at any temperature", () => {
  manualSeed(2);
  const p = [0.2, 0.7];
  const rb = new D.RelaxedBernoulli(ft(0.5), { probs: ft(p) });
  const x = values(rb.sample([20000]));
  assert.ok(x.every((v) => v > 0 && v < 1));
  p.forEach((pj, j) => assertMean(`RelaxedBernoulli P(X > 1/2) ${j}`, column(x, 2, j).map((v) => (v > 0.5 ? 1 : 0)), pj, pj * (1 - pj)));
  const probs = [0.1, 0.6, 0.3];
  const rc = new D.RelaxedOneHotCategorical(ft(2.0), { probs: ft(probs) });
  const y = rc.rsample([20000]);
  assert.deepEqual(y.shape, [20000, 3]);
  values(y.sum(-1)).forEach((s) => assert.ok(Math.abs(s - 1) < 1e-5));
  const arg = values(y.argmax(-1));
  probs.forEach((pk, k) => assertMean(`RelaxedOneHotCategorical argmax ${k}`, arg.map((a) => (a === k ? 1 : 0)), pk, pk * (1 - pk)));
  // low temperature: nearly one-hot
  const cold = values(new D.RelaxedOneHotCategorical(ft(0.05), { logits: ft([0, 0, 0]) }).sample([200]).amax(-1));
  assert.ok(cold.filter((v) => v > 0.99).length > 150);
});

test("rsample of the relaxed distributions reaches the logits and the temperature", () => {
  const logits = ft([0.3, -1.2], { requiresGrad: true }), temp = ft(0.7, { requiresGrad: true });
  new D.RelaxedBernoulli(temp, { logits }).rsample([5]).sum().backward();
  assert.ok(logits.grad && temp.grad);
  const l2 = ft([[0.3, -1.2, 2]], { requiresGrad: true }), t2 = ft(0.7, { requiresGrad: true });
  new D.RelaxedOneHotCategorical(t2, { logits: l2 }).rsample([4]).select(-1, 0).sum().backward();
  assert.ok(l2.grad && t2.grad);
});

test("Multinomial.sample: counts sum to totalCount; mean and variance of 20 000 draws match n·p and n·p(1 − p)", () => {
  manualSeed(3);
  const probs = [0.2, 0.5, 0.3], n = 7;
  const d = new D.Multinomial(n, { probs: ft(probs) });
  const s = d.sample([20000]);
  assert.deepEqual(s.shape, [20000, 3]);
  assert.equal(s.dtype, "float32");
  values(s.sum(-1)).forEach((v) => assert.equal(v, n));
  const v = values(s);
  probs.forEach((p, k) => {
    const c = column(v, 3, k);
    assertMean(`Multinomial count ${k}`, c, n * p, n * p * (1 - p));
    assert.ok(Math.abs(sampleVariance(c) / (n * p * (1 - p)) - 1) < 0.05);
  });
  assert.deepEqual(new D.Multinomial(4, { logits: ft([[0, 1], [2, 0]]) }).expand([3, 2]).sample([5]).shape, [5, 3, 2, 2]);
  assert.deepEqual(values(new D.Multinomial(0, { probs: ft([0.5, 0.5]) }).sample([2])), [0, 0, 0, 0]);
});

test("Weibull, Pareto and Kumaraswamy draws: 20 000 rsample draws have their distribution's mean (and variance), gradients flow", () => {
  manualSeed(4);
  const cases: [string, Dist][] = [
    ["Weibull", new D.Weibull(ft([1.5, 0.7]), ft([2.0, 1.2]))],
    ["Pareto", new D.Pareto(ft([1.0, 2.0]), ft([5.0, 6.5]))],
    ["Kumaraswamy", new D.Kumaraswamy(ft([2.0, 0.8]), ft([3.0, 1.5]))],
  ];
  for (const [name, d] of cases) {
    const x = values(d.rsample([20000]));
    const mean = values(d.mean), variance = values(d.variance);
    mean.forEach((m, j) => {
      const c = column(x, 2, j);
      assertMean(`${name} ${j}`, c, m, variance[j]!);
      assert.ok(Math.abs(sampleVariance(c) / variance[j]! - 1) < 0.1, `${name} ${j} variance ${sampleVariance(c)} vs ${variance[j]}`);
    });
  }
  const a = ft([2.0], { requiresGrad: true }), b = ft([3.0], { requiresGrad: true });
  new D.Kumaraswamy(a, b).rsample([3]).sum().backward();
  assert.ok(a.grad && b.grad);
});

test("Kumaraswamy.mode is ((a − 1)/(ab − 1))^(1/a), NaN where a < 1 or b < 1 (PyTorch 1.13's formula is NaN for every b > 1)", () => {
  const a = ft([2, 3, 0.5, 2], { requiresGrad: true }), b = ft([3, 2, 2, 0.7]);
  const mode = new D.Kumaraswamy(a, b).mode;
  const want = [Math.sqrt(1 / 5), Math.cbrt(2 / 5), NaN, NaN];
  values(mode).forEach((v, i) => (Number.isNaN(want[i]!) ? assert.ok(Number.isNaN(v)) : assert.ok(Math.abs(v - want[i]!) < 1e-6, `mode ${i}: ${v}`)));
  mode.narrow(0, 0, 2).sum().backward();
  values(a.grad!).forEach((g) => assert.ok(Number.isFinite(g)));
  // the mode maximises the density
  const d = new D.Kumaraswamy(2, 3);
  const m = d.mode.item() as number;
  const lp = (x: number) => d.logProb(ft(x)).item() as number;
  assert.ok(lp(m) > lp(m - 1e-2) && lp(m) > lp(m + 1e-2));
});

test("argument errors name the distribution and the values at fault", () => {
  assertThrowsTensile(() => new D.MixtureSameFamily(new D.Normal(0, 1) as never, new D.Normal(ft([0, 1]), 1)), /^MixtureSameFamily: the mixture distribution needs to be a Categorical/);
  assertThrowsTensile(() => new D.MixtureSameFamily(new D.Categorical({ probs: ft([0.5, 0.5]) }), new D.Normal(ft([0, 1, 2]), 1)),
    /^MixtureSameFamily: the mixture distribution's number of components \(2\) does not equal component_distribution.batch_shape\[-1\] \(3\)/);
  assertThrowsTensile(() => new D.MixtureSameFamily(new D.Categorical({ probs: ft([[0.5, 0.5], [0.5, 0.5]]) }), new D.Normal(ft([[0, 1], [0, 1], [0, 1]]), 1)),
    /^MixtureSameFamily: mixture_distribution.batch_shape \[2\] is not compatible with component_distribution.batch_shape\[:-1\] \[3\]/);
  assertThrowsTensile(() => new D.MixtureSameFamily(new D.Categorical({ probs: ft([1]) }), new D.Normal(0, 1)), /needs a batch dim indexing the components/);
  assertThrowsTensile(() => new D.RelaxedBernoulli(ft(-1), { probs: 0.5 }), /^LogitRelaxedBernoulli: expected parameter temperature to be positive/);
  assertThrowsTensile(() => new D.RelaxedBernoulli(1, { probs: ft([0.5, 1.5]) }), /^LogitRelaxedBernoulli: expected parameter probs to be in \[0, 1\], but found 1.5 at flat index 1/);
  assertThrowsTensile(() => new D.RelaxedOneHotCategorical(1, { probs: ft([0.5, 0.5]) }).logProb(ft([1.5, -0.5])), /^RelaxedOneHotCategorical.logProb: expected the value to be in \[0, 1\]/);
  assertThrowsTensile(() => new D.Multinomial(2.5, { probs: ft([0.5, 0.5]) }), /^Multinomial: totalCount must be a non-negative integer/);
  assertThrowsTensile(() => new D.Multinomial(2, { probs: ft([0.5, 0.5]) }).logProb(ft([2, 1])), /^Multinomial.logProb: expected the value's sum over the last dim to be at most total_count = 2/);
  assertThrowsTensile(() => new D.Multinomial(2, { probs: ft([0.5, 0.5]) }).logProb(ft([-1, 1])), /^Multinomial.logProb: expected the value to be non-negative/);
  assertThrowsTensile(() => new D.Weibull(ft([1, -2]), 1), /^Weibull: expected parameter scale to be positive \(GreaterThan\(lower_bound=0.0\)\), but found -2 at flat index 1/);
  assertThrowsTensile(() => new D.Pareto(1, 0), /^Pareto: expected parameter alpha to be positive/);
  assertThrowsTensile(() => new D.Pareto(ft([1, 2]), 3).logProb(ft([1.5, 1.5])), /^Pareto.logProb: expected the value to be at least scale .*flat index 1/);
  assertThrowsTensile(() => new D.Kumaraswamy(1, ft([0])), /^Kumaraswamy: expected parameter concentration0 to be positive/);
  assertThrowsTensile(() => new D.Kumaraswamy(1, 2).logProb(ft(1.5)), /^Kumaraswamy.logProb: expected the value to be in \[0, 1\]/);
  assertThrowsTensile(() => D.klDivergence(new D.Weibull(1, 1), new D.Weibull(1, 2)), /^klDivergence: no KL\(p \|\| q\) is implemented for (p Weibull|TransformedDistributions with different transforms)/);
});

test("LowRankMultivariateNormal.rsample: 20 000 draws have mean loc and covariance W Wᵀ + diag(D); gradients reach loc, W and D", () => {
  manualSeed(5);
  const loc = ft([1, -2, 0.5], { requiresGrad: true }), W = ft([[1, 0.5], [-0.3, 0.8], [0.2, -1]], { requiresGrad: true }), Dg = ft([0.5, 0.2, 1], { requiresGrad: true });
  const d = new D.LowRankMultivariateNormal(loc, W, Dg);
  const x = d.rsample([20000]);
  assert.deepEqual(x.shape, [20000, 3]);
  const v = values(x), cov = values(d.covarianceMatrix), mean = [1, -2, 0.5];
  const cols = [0, 1, 2].map((j) => column(v, 3, j));
  cols.forEach((c, j) => assertMean(`LowRankMultivariateNormal ${j}`, c, mean[j]!, cov[j * 3 + j]!));
  for (let i = 0; i < 3; i++) for (let j = 0; j < 3; j++) {
    const ci = cols[i]!, cj = cols[j]!, mi = mean[i]!, mj = mean[j]!;
    const s = ci.reduce((a, _, k) => a + (ci[k]! - mi) * (cj[k]! - mj), 0) / ci.length;
    assert.ok(Math.abs(s - cov[i * 3 + j]!) < 0.06, `covariance [${i}, ${j}]: ${s} vs ${cov[i * 3 + j]}`);
  }
  x.sum().backward();
  assert.ok(loc.grad && W.grad && Dg.grad);
  // the capacitance route agrees with the dense one
  const dense = new D.MultivariateNormal(loc.detach(), { covarianceMatrix: d.covarianceMatrix.detach() });
  const y = ft([[0.3, -1, 2], [1, 1, 1]]);
  assert.ok(values(d.logProb(y).sub(dense.logProb(y)).abs()).every((e) => e < 1e-4));
  assert.ok(Math.abs((d.entropy().item() as number) - (dense.entropy().item() as number)) < 1e-4);
  assert.ok(values(d.precisionMatrix.matmul(d.covarianceMatrix).sub(T.eye(3))).every((e) => Math.abs(e) < 1e-4));
  assert.ok(values(d.scaleTril.matmul(d.scaleTril.transpose(-1, -2)).sub(d.covarianceMatrix)).every((e) => Math.abs(e) < 1e-4));
});

test("LowRankMultivariateNormal.expand keeps the factor unbroadcast; draws and logProb have the new batch shape", () => {
  const d = new D.LowRankMultivariateNormal(ft([[0, 1]]), ft([[1], [2]]), ft([1, 1]));
  assert.deepEqual([...d.batchShape], [1]);
  const e = d.expand([3, 4]);
  assert.deepEqual([...e.batchShape], [3, 4]);
  assert.deepEqual(e.covFactor.shape, [3, 4, 2, 1]);
  assert.deepEqual(e.sample([2]).shape, [2, 3, 4, 2]);
  assert.deepEqual(e.logProb(ft([0.5, 0.5])).shape, [3, 4]);
  assert.deepEqual(e.entropy().shape, [3, 4]);
  assert.equal(e.toString(), "LowRankMultivariateNormal(loc: torch.Size([3, 4, 2]), cov_factor: torch.Size([3, 4, 2, 1]), cov_diag: torch.Size([3, 4, 2]))");
  assertThrowsTensile(() => e.expand([3, 5]), /^LowRankMultivariateNormal.expand: the expanded size/);
});

test("LowRankMultivariateNormal argument errors", () => {
  const LR = D.LowRankMultivariateNormal;
  assertThrowsTensile(() => new LR(ft(1), ft([[1]]), ft([1])), /^LowRankMultivariateNormal: loc must be at least one-dimensional, got shape \[\]/);
  assertThrowsTensile(() => new LR(ft([0, 0]), ft([1, 1]), ft([1, 1])), /^LowRankMultivariateNormal: cov_factor must be at least two-dimensional/);
  assertThrowsTensile(() => new LR(ft([0, 0]), ft([[1], [1], [1]]), ft([1, 1])), /^LowRankMultivariateNormal: cov_factor must be a batch of matrices with shape 2 x m .*got shape \[3, 1\]/);
  assertThrowsTensile(() => new LR(ft([0, 0]), ft([[1], [1]]), ft([1, 1, 1])), /^LowRankMultivariateNormal: cov_diag must be a batch of vectors with shape \[2\], got shape \[3\]/);
  assertThrowsTensile(() => new LR(ft([[0, 0], [0, 0]]), ft([[[1], [1]], [[1], [1]], [[1], [1]]]), ft([1, 1])), /^LowRankMultivariateNormal: incompatible batch shapes: loc \[2, 2\], cov_factor \[3, 2, 1\], cov_diag \[2\]/);
  assertThrowsTensile(() => new LR(ft([0, 0]), ft([[1], [1]]), ft([1, -0.5])), /^LowRankMultivariateNormal: expected parameter cov_diag to be positive .*but found -0.5 at flat index 1/);
  assertThrowsTensile(() => new LR(ft([0, 0]), ft([[1], [1]]), ft([1, 1])).logProb(ft([1, 2, 3])), /^LowRankMultivariateNormal.logProb: the value's shape \[3\] does not end with the event shape \[2\]/);
  assertThrowsTensile(() => D.klDivergence(new LR(ft([0, 0]), ft([[1], [1]]), ft([1, 1])), new LR(ft([0, 0, 0]), ft([[1], [1], [1]]), ft([1, 1, 1]))),
    /^klDivergence: KL-divergence between two Low Rank Multivariate Normals with different event shapes \(\[2\] and \[3\]\)/);
});

test("FisherSnedecor.rsample: 20 000 draws have mean d₂/(d₂ − 2) and variance as PyTorch's; gradients reach both df; expand; NaN moments", () => {
  manualSeed(6);
  const df1 = ft([5, 12], { requiresGrad: true }), df2 = ft([10, 20], { requiresGrad: true });
  const d = new D.FisherSnedecor(df1, df2);
  const x = d.rsample([20000]);
  assert.deepEqual(x.shape, [20000, 2]);
  const v = values(x), mean = values(d.mean), variance = values(d.variance);
  assert.ok(v.every((e) => e > 0));
  mean.forEach((m, j) => {
    assertMean(`FisherSnedecor ${j}`, column(v, 2, j), m, variance[j]!);
    assert.ok(Math.abs(sampleVariance(column(v, 2, j)) / variance[j]! - 1) < 0.15, `FisherSnedecor ${j} variance`);
  });
  x.sum().backward();
  assert.ok(df1.grad && df2.grad);
  const e = new D.FisherSnedecor(3, 7).expand([4, 2]);
  assert.deepEqual(e.sample([3]).shape, [3, 4, 2]);
  assert.equal(e.toString(), "FisherSnedecor(df1: torch.Size([4, 2]), df2: torch.Size([4, 2]))");
  assert.equal(new D.FisherSnedecor(3, 7).toString(), "FisherSnedecor(df1: 3.0, df2: 7.0)");
  const small = new D.FisherSnedecor(ft([1, 3]), ft([2, 4]));
  assert.ok(Number.isNaN(values(small.mean)[0]!) && values(small.variance).every(Number.isNaN) && Number.isNaN(values(small.mode)[0]!));
  assert.throws(() => new D.FisherSnedecor(1, 2).entropy(), /FisherSnedecor.entropy: not implemented/);
});

test("FisherSnedecor argument errors", () => {
  assertThrowsTensile(() => new D.FisherSnedecor(ft([1, -1]), 2), /^FisherSnedecor: expected parameter df1 to be positive \(GreaterThan\(lower_bound=0.0\)\), but found -1 at flat index 1/);
  assertThrowsTensile(() => new D.FisherSnedecor(1, 0), /^FisherSnedecor: expected parameter df2 to be positive/);
  assertThrowsTensile(() => new D.FisherSnedecor(ft([1, 2]), ft([1, 2, 3])), /^FisherSnedecor/);
  assertThrowsTensile(() => new D.FisherSnedecor(1, 2).logProb(ft([1, -0.5])), /^FisherSnedecor.logProb: expected the value to be positive .*but found -0.5 at flat index 1/);
  assertThrowsTensile(() => D.klDivergence(new D.FisherSnedecor(1, 2), new D.FisherSnedecor(1, 2)), /^klDivergence: no KL\(p \|\| q\) is implemented for p FisherSnedecor/);
});

test("StickBreakingTransform: draws on the simplex, inverse round trip, shape errors", () => {
  const t = new D.StickBreakingTransform();
  const x = ft([[0, 0, 0], [3, -2, 0.5]]);
  const y = t.forward(x);
  assert.deepEqual(y.shape, [2, 4]);
  values(y.sum(-1)).forEach((s) => assert.ok(Math.abs(s - 1) < 1e-6));
  values(y.narrow(0, 0, 1)).forEach((v) => assert.ok(Math.abs(v - 0.25) < 1e-6, "x = 0 is the simplex's centre"));
  assert.ok(values(t.inverse(y).sub(x).abs()).every((e) => e < 1e-4));
  assert.ok(t.equals(new D.StickBreakingTransform()) && !t.equals(new D.ExpTransform()));
  assert.ok(t.inv.equals(new D.StickBreakingTransform().inv));
  assertThrowsTensile(() => t.forwardShape([]), /^StickBreakingTransform: too few dimensions on input \(shape \[\]\)/);
  assertThrowsTensile(() => t.inv.forwardShape([]), /^StickBreakingTransform: too few dimensions on input/);
  assertThrowsTensile(() => t.forward(ft(1)), /^StickBreakingTransform.forward: too few dimensions on input \(shape \[\]\)/);
});

test("LogisticNormal: 20 000 draws lie on the simplex and their logits log(yᵢ / y_K+1) have the base Normal's mean; rsample reaches loc and scale; expand", () => {
  manualSeed(7);
  const loc = ft([0.5, -1, 0], { requiresGrad: true }), scale = ft([0.3, 1, 2], { requiresGrad: true });
  const d = new D.LogisticNormal(loc, scale);
  assert.deepEqual([...d.batchShape], []);
  assert.deepEqual([...d.eventShape], [4]);
  const y = d.rsample([20000]);
  assert.deepEqual(y.shape, [20000, 4]);
  values(y.sum(-1)).forEach((s) => assert.ok(Math.abs(s - 1) < 1e-5));
  // the first stick: z₁ = y₁ = σ(x₁ − log 3), x₁ ~ N(0.5, 0.3²)
  const logit1 = values(y.select(-1, 0)).map((p) => Math.log(p / (1 - p)) + Math.log(3));
  assertMean("LogisticNormal first logit", logit1, 0.5, 0.09);
  assert.ok(Math.abs(sampleVariance(logit1) / 0.09 - 1) < 0.05);
  y.sum().backward();
  assert.ok(loc.grad && scale.grad);
  assert.equal(d.hasRsample, true);
  // a scalar Normal is one stick of two components, as PyTorch
  const s = new D.LogisticNormal(0, 1);
  assert.deepEqual([...s.batchShape], []);
  assert.deepEqual([...s.eventShape], [2]);
  assert.deepEqual(s.loc.shape, [1]);
  const e = new D.LogisticNormal(ft([0, 1]), ft([1, 1])).expand([3]);
  assert.deepEqual([...e.batchShape], [3]);
  assert.deepEqual(e.sample([2]).shape, [2, 3, 3]);
  assert.deepEqual(e.loc.shape, [3, 2]);
  assert.deepEqual(e.logProb(ft([0.2, 0.3, 0.5])).shape, [3]);
  assert.equal(e.toString(), "LogisticNormal()");
  assert.throws(() => e.mean, /LogisticNormal.mean: not implemented/);
});

test("LogisticNormal argument errors", () => {
  assertThrowsTensile(() => new D.LogisticNormal(ft([0, 1]), ft([1, -1])), /^Normal: expected parameter scale to be positive/);
  assertThrowsTensile(() => new D.LogisticNormal(ft([0, 1]), 1).logProb(ft([0.5, 0.5, 0.5])), /^LogisticNormal.logProb: expected the value's sum over the last dim to be 1/);
  assertThrowsTensile(() => new D.LogisticNormal(ft([0, 1]), 1).logProb(ft([0.5, 0.5])), /^LogisticNormal.logProb: the value's shape \[2\] does not end with the event shape \[3\]/);
  assertThrowsTensile(() => new D.LogisticNormal(ft([0, 1]), 1).expand([3]).expand([2]), /^LogisticNormal.expand: the expanded size/);
});

test("VonMises.sample: 20 000 draws in [−π, π) have the circular moments E cos(X − μ) = I₁/I₀, E sin(X − μ) = 0, E cos 2(X − μ) = I₂/I₀; no rsample", () => {
  manualSeed(8);
  const mu = [1, -2, 3], kappa = [0.5, 4, 20];
  const d = new D.VonMises(ft(mu), ft(kappa));
  const x = d.sample([20000]);
  assert.deepEqual(x.shape, [20000, 3]);
  const v = values(x);
  assert.ok(v.every((a) => a >= -Math.PI && a < Math.PI));
  const a1 = values(d.variance).map((s) => 1 - s);
  mu.forEach((m, j) => {
    const c = column(v, 3, j);
    const A1 = a1[j]!, A2 = 1 - (2 / kappa[j]!) * A1;
    assertMean(`VonMises ${j} cos`, c.map((a) => Math.cos(a - m)), A1, (1 + A2) / 2 - A1 * A1);
    assertMean(`VonMises ${j} sin`, c.map((a) => Math.sin(a - m)), 0, (1 - A2) / 2);
    assertMean(`VonMises ${j} cos 2`, c.map((a) => Math.cos(2 * (a - m))), A2, 0.5);
  });
  assert.equal(d.hasRsample, false);
  assertThrowsTensile(() => d.rsample(), /VonMises.rsample: not implemented/);
  manualSeed(8);
  assert.deepEqual(values(d.sample([5])), values(x.narrow(0, 0, 5)), "seeded: the same draws again");
  const f64 = new D.VonMises(ft([0.1]).to("float64"), 2).expand([4, 1]);
  const s = f64.sample([2]);
  assert.deepEqual(s.shape, [2, 4, 1]);
  assert.equal(s.dtype, "float64");
  assert.equal(f64.toString(), "VonMises(loc: torch.Size([4, 1]), concentration: torch.Size([4, 1]))");
  assert.equal(new D.VonMises(0.5, 2).toString(), "VonMises(loc: 0.5, concentration: 2.0)");
  const lp = new D.VonMises(0, 2);
  // the density integrates to 1 over one turn (I₀'s approximation is good to ~1e-7)
  let total = 0;
  for (let i = 0; i < 2000; i++) total += Math.exp(lp.logProb(ft(-Math.PI + (i + 0.5) * (2 * Math.PI / 2000))).item() as number) * (2 * Math.PI / 2000);
  assert.ok(Math.abs(total - 1) < 1e-5, `density integrates to ${total}`);
});

test("VonMises argument errors", () => {
  assertThrowsTensile(() => new D.VonMises(0, ft([1, 0])), /^VonMises: expected parameter concentration to be positive \(GreaterThan\(lower_bound=0.0\)\), but found 0 at flat index 1/);
  assertThrowsTensile(() => new D.VonMises(ft([0, 1]), ft([1, 2, 3])), /^VonMises/);
  assertThrowsTensile(() => new D.VonMises(0, 1).logProb(1 as never), /^VonMises.logProb: expected a Tensor value/);
  assertThrowsTensile(() => new D.VonMises(ft([0, 1]), 1).expand([3, 3]), /^VonMises.expand: the expanded size/);
  assertThrowsTensile(() => D.klDivergence(new D.VonMises(0, 1), new D.VonMises(0, 2)), /^klDivergence: no KL\(p \|\| q\) is implemented for p VonMises/);
});

test("Wishart.rsample: 20 000 Bartlett draws are positive definite with mean νΣ and variance ν(Σᵢⱼ² + ΣᵢᵢΣⱼⱼ); gradients reach df and the factor; expand", () => {
  manualSeed(9);
  const df = ft(5, { requiresGrad: true }), L = ft([[1, 0], [0.3, 0.6]], { requiresGrad: true });
  const d = new D.Wishart(df, { scaleTril: L });
  const x = d.rsample([20000]);
  assert.deepEqual(x.shape, [20000, 2, 2]);
  const v = values(x), mean = values(d.mean), variance = values(d.variance);
  for (let r = 0; r < v.length; r += 4) assert.ok(v[r]! > 0 && v[r]! * v[r + 3]! - v[r + 1]! * v[r + 2]! > 0 && v[r + 1] === v[r + 2], `draw ${r / 4} is positive definite`);
  for (let k = 0; k < 4; k++) {
    const c = column(v, 4, k);
    assertMean(`Wishart entry ${k}`, c, mean[k]!, variance[k]!);
    assert.ok(Math.abs(sampleVariance(c) / variance[k]! - 1) < 0.1, `Wishart entry ${k} variance ${sampleVariance(c)} vs ${variance[k]}`);
  }
  x.sum().backward();
  assert.ok(df.grad && L.grad);
  // logProb at the draws is finite, and the density's normaliser is right: E[log p] = −entropy
  const lp = values(d.logProb(x.detach().narrow(0, 0, 5000)));
  assertMean("Wishart E[log p]", lp, -(d.entropy().item() as number), sampleVariance(lp));
  const e = new D.Wishart(ft([3, 4]), { covarianceMatrix: T.eye(2) }).expand([5, 2]);
  assert.deepEqual([...e.batchShape], [5, 2]);
  assert.deepEqual(e.sample([3]).shape, [3, 5, 2, 2, 2]);
  assert.deepEqual(e.logProb(T.eye(2)).shape, [5, 2]);
  assert.equal(e.toString(), "Wishart(covariance_matrix: torch.Size([5, 2, 2, 2]), df: torch.Size([5, 2]))");
  assert.equal(new D.Wishart(3, { precisionMatrix: T.eye(2) }).toString(), "Wishart(precision_matrix: torch.Size([2, 2]), df: 3.0)");
});

test("Wishart argument errors", () => {
  const I = T.eye(3);
  assertThrowsTensile(() => new D.Wishart(2, { scaleTril: I }), /^Wishart: expected df to be greater than ndim - 1 = 2, got 2/);
  assertThrowsTensile(() => new D.Wishart(ft([4, 1.5]), { scaleTril: I }), /^Wishart: expected df to be greater than ndim - 1 = 2, got a tensor of shape \[2\]/);
  assertThrowsTensile(() => new D.Wishart(4, { scaleTril: I, covarianceMatrix: I }), /^Wishart: exactly one of covariance_matrix or precision_matrix or scale_tril may be specified, got 2/);
  assertThrowsTensile(() => new D.Wishart(4, {}), /^Wishart: exactly one of .* got 0/);
  assertThrowsTensile(() => new D.Wishart(4, { covarianceMatrix: ft([1, 2, 3]) }), /^Wishart: covarianceMatrix must be a batch of square matrices .*got shape \[3\]/);
  assertThrowsTensile(() => new D.Wishart(4, { covarianceMatrix: ft([[1, 2], [2, 1]]) }), /^Wishart: covarianceMatrix is not positive-definite/);
  assertThrowsTensile(() => new D.Wishart(4, { scaleTril: ft([[1, 0.5], [0, 1]]) }), /^Wishart: expected scale_tril to be lower triangular/);
  assertThrowsTensile(() => new D.Wishart(4, { scaleTril: ft([[1, 0], [0.5, -1]]) }), /^Wishart: expected scale_tril to have a positive diagonal/);
  assertThrowsTensile(() => new D.Wishart(ft([4, 5, 6]), { scaleTril: T.eye(2).expand([2, 2, 2]) }), /^Wishart/);
  assertThrowsTensile(() => new D.Wishart(4, { scaleTril: T.eye(2) }).logProb(ft([[1, 2], [2, 1]])), /^Wishart.logProb: expected the value to be positive definite/);
  assertThrowsTensile(() => new D.Wishart(4, { scaleTril: T.eye(2) }).logProb(ft([[1, 0.5], [0, 1]])), /^Wishart.logProb: expected the value to be positive definite/);
  assertThrowsTensile(() => new D.Wishart(4, { scaleTril: T.eye(2) }).logProb(T.eye(3)), /^Wishart.logProb: the value's shape \[3, 3\] does not end with the event shape \[2, 2\]/);
  assertThrowsTensile(() => new D.Wishart(ft([4, 5]), { scaleTril: T.eye(2) }).expand([3]), /^Wishart.expand: the expanded size/);
  // Wishart–Wishart has no closed form, but as in PyTorch the Bregman fallback of ExponentialFamily computes it (test/distributions-transforms-more.test.ts)
  assertThrowsTensile(() => D.klDivergence(new D.Wishart(4, { scaleTril: T.eye(2) }), new D.LKJCholesky(2)), /^klDivergence: no KL\(p \|\| q\) is implemented for p Wishart/);
});

test("LowerCholeskyTransform and CorrCholeskyTransform: round trips, unit rows, equality, shape errors", () => {
  const lc = new D.LowerCholeskyTransform();
  const m = ft([[0.5, 9, 9], [-1, 0, 9], [2, 3, -0.5]]);
  const l = lc.forward(m);
  assert.equal(values(l.triu(1).abs().sum())[0], 0);
  assert.ok(values(lc.inverse(l).sub(m.tril())).every((e) => Math.abs(e) < 1e-6));
  assert.equal(lc.bijective, false);
  const cc = new D.CorrCholeskyTransform();
  const x = ft([[0.3, -2, 1, 0.5, 4, -0.7], [0, 0, 0, 0, 0, 0]]);
  const y = cc.forward(x);
  assert.deepEqual(y.shape, [2, 4, 4]);
  values(y.pow(2).sum(-1)).forEach((s) => assert.ok(Math.abs(s - 1) < 1e-5, `row norm² ${s}`));
  assert.equal(values(y.triu(1).abs().sum())[0], 0);
  assert.ok(values(cc.inverse(y).sub(x).abs()).every((e) => e < 1e-3));
  assert.deepEqual(values(y.select(0, 1)), values(T.eye(4)), "x = 0 is the identity");
  assert.ok(cc.equals(new D.CorrCholeskyTransform()) && !cc.equals(lc) && lc.equals(new D.LowerCholeskyTransform()));
  assert.deepEqual(D.transforms.CorrCholeskyTransform, D.CorrCholeskyTransform);
  assertThrowsTensile(() => cc.forwardShape([4]), /^CorrCholeskyTransform: input is not a flattened lower-diagonal number \(last dim 4/);
  assertThrowsTensile(() => cc.forwardShape([]), /^CorrCholeskyTransform: too few dimensions on input/);
  assertThrowsTensile(() => cc.inverseShape([3, 4]), /^CorrCholeskyTransform: input is not square/);
  assertThrowsTensile(() => cc.forward(ft([1, 2])), /^CorrCholeskyTransform.forward: input is not a flattened lower-diagonal number/);
  assertThrowsTensile(() => cc.inverse(ft([1, 2])), /^CorrCholeskyTransform.inverse: expected a batch of square matrices, got shape \[2\]/);
});

for (const backend of backendsUnderTest()) {
  test(`LKJCholesky.sample on ${backend.name}: unit-diagonal-row lower-triangular factors; 20 000 draws of LLᵀ have Beta(β, β) correlations, β = η − 1 + D/2; seeded`, () => withBackend(backend, () => {
    manualSeed(10);
    const d = new D.LKJCholesky(3, 2);
    const s = d.sample([20000]);
    assert.deepEqual(s.shape, [20000, 3, 3]);
    const v = values(s);
    for (let b = 0; b < v.length; b += 9) {
      assert.ok(v[b + 1] === 0 && v[b + 2] === 0 && v[b + 5] === 0 && v[b] === 1, `draw ${b / 9} is lower triangular with L₀₀ = 1`);
      for (let i = 0; i < 3; i++) {
        assert.ok(v[b + 4 * i]! > 0, "positive diagonal");
        assert.ok(Math.abs(v[b + 3 * i]! ** 2 + v[b + 3 * i + 1]! ** 2 + v[b + 3 * i + 2]! ** 2 - 1) < 1e-5, "unit rows");
      }
    }
    const corr = values(s.matmul(s.transpose(-1, -2)));
    const beta = 2 - 1 + 3 / 2, variance = 1 / (2 * beta + 1); // (r + 1)/2 ~ Beta(β, β)
    for (const k of [3, 6, 7]) {
      const r = column(corr, 9, k);
      assertMean(`LKJ correlation ${k}`, r, 0, variance);
      assert.ok(Math.abs(sampleVariance(r) / variance - 1) < 0.05, `LKJ correlation ${k} variance ${sampleVariance(r)} vs ${variance}`);
    }
    manualSeed(11);
    const first = values(d.sample([5]));
    manualSeed(11);
    assert.deepEqual(values(d.sample([5])), first, "seeded: the same draws again");
    assert.notDeepEqual(values(d.sample([5])), first);
    assert.equal(d.hasRsample, false);
    assertThrowsTensile(() => d.rsample(), /LKJCholesky.rsample: not implemented/);
  }));
}

test("LKJCholesky: the 2×2 density integrates to 1 over r; float64 draws; expand", () => {
  const d = new D.LKJCholesky(2, ft([0.5, 3]));
  const n = 4000;
  const r = Array.from({ length: n }, (_, i) => -1 + (i + 0.5) * (2 / n));
  const L = tensor(r.map((x) => [[1, 0], [x, Math.sqrt(1 - x * x)]]), { dtype: "float64" }).unsqueeze(1);
  const lp = values(d.logProb(L));
  [0, 1].forEach((j) => {
    const total = column(lp, 2, j).reduce((a, b) => a + Math.exp(b) * (2 / n), 0);
    assert.ok(Math.abs(total - 1) < (j === 0 ? 2e-2 : 1e-5), `density ${j} integrates to ${total}`); // η = ½ has integrable poles at ±1
  });
  const f64 = new D.LKJCholesky(4, ft(1.5).to("float64"));
  const s64 = f64.sample([3]);
  assert.equal(s64.dtype, "float64");
  values(s64.pow(2).sum(-1)).forEach((x) => assert.ok(Math.abs(x - 1) < 1e-12));
  const e = new D.LKJCholesky(3, ft([1, 2])).expand([4, 2]);
  assert.deepEqual([...e.batchShape], [4, 2]);
  assert.deepEqual([...e.eventShape], [3, 3]);
  assert.deepEqual(e.sample([5]).shape, [5, 4, 2, 3, 3]);
  assert.deepEqual(e.logProb(T.eye(3)).shape, [4, 2]);
  assert.equal(e.toString(), "LKJCholesky(concentration: torch.Size([4, 2]))");
  assert.equal(new D.LKJCholesky(3).toString(), "LKJCholesky(concentration: 1.0)");
});

test("LKJCholesky argument errors", () => {
  assertThrowsTensile(() => new D.LKJCholesky(1, 1), /^LKJCholesky: expected dim to be an integer greater than or equal to 2, got dim=1/);
  assertThrowsTensile(() => new D.LKJCholesky(2.5, 1), /^LKJCholesky: expected dim to be an integer/);
  assertThrowsTensile(() => new D.LKJCholesky(3, ft([1, 0])), /^LKJCholesky: expected parameter concentration to be positive \(GreaterThan\(lower_bound=0.0\)\), but found 0 at flat index 1/);
  const d = new D.LKJCholesky(2, 1);
  assertThrowsTensile(() => d.logProb(ft([[1, 0.1], [0, 1]])), /^LKJCholesky.logProb: expected the value to be the Cholesky factor of a correlation matrix .*not lower triangular/);
  assertThrowsTensile(() => d.logProb(ft([[1, 0], [0.6, -0.8]])), /^LKJCholesky.logProb: .*diagonal is not positive/);
  assertThrowsTensile(() => d.logProb(ft([[1, 0], [0.5, 0.5]])), /^LKJCholesky.logProb: .*a row does not have unit length/);
  assertThrowsTensile(() => d.logProb(T.eye(3)), /^LKJCholesky.logProb: the value's shape \[3, 3\] does not end with the event shape \[2, 2\]/);
  assertThrowsTensile(() => new D.LKJCholesky(2, ft([1, 2])).expand([3]), /^LKJCholesky.expand: the expanded size/);
  assert.equal(values(new D.LKJCholesky(2, 1, { validateArgs: false }).logProb(ft([[1, 0], [0.5, 0.5]]))).length, 1);
});
