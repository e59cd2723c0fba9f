/**
 * distributions (torch.distributions) against PyTorch (fixtures/distributions.json from
 * tools/gen-distributions-fixtures.py): log_prob, entropy, cdf, icdf, moments and their gradients
 * with respect to every parameter, closed-form KL divergences and their gradients, shapes and
 * repr — on every backend. Sampling (which cannot match PyTorch's generator) is checked by shapes,
 * the reparameterisation identities and sample statistics against the known moments, with fixed
 * seeds and bounds many standard errors wide.
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import * as T from "../src/index.js";
import { Tensor, manualSeed, tensor, withBackend, zeros } from "../src/core.js";
import { backendsUnderTest } from "./helpers/backends.js";
import { type Enc, assertClose, assertThrowsTensile, dec, loadNnFixture } from "./nn-helpers.js";
import { dirichletBackward, dirichletGrad, dirichletGradOne, standardGammaGrad, standardGammaGradOne } from "../src/distributions/gamma-grad.js";
import { sampleDirichlet, standardGamma } from "../src/distributions/gamma.js";
import { lgamma as lgammaOne } from "../src/backends/reference/math.js";

const D = T.distributions;
type ArgSpec = number | { t: Enc; grad: boolean };
interface TSpec { t: string; args?: ArgSpec[]; kwargs?: Record<string, ArgSpec>; of?: TSpec; parts?: TSpec[] }
interface Spec { dist: string; args?: ArgSpec[]; kwargs?: Record<string, ArgSpec>; base?: Spec; n?: number; transforms?: TSpec[]; expand?: number[] }
interface Graded { out: Enc; weight: Enc; grads: (Enc | null)[] }
interface Case {
  name: string; spec: Spec; value?: Enc; p?: Enc; batchShape: number[]; eventShape: number[]; repr: string;
  log_prob?: Graded; entropy?: Graded; mean?: Graded; variance?: Graded; stddev?: Graded; cdf?: Graded; icdf?: Graded; mode?: Graded;
}
interface KlCase { name: string; p: Spec; q: Spec; kl: Enc; grads?: (Enc | null)[] }
interface TransformCase {
  name: string; spec: TSpec; x: Enc; y: Enc; inv: Enc; weight: Enc; grads: (Enc | null)[]; ladj: Graded | null; repr: string;
  bijective: boolean; domainEventDim: number; codomainEventDim: number; sign: number | Enc | null;
  shape?: number[]; forwardShape?: number[]; inverseShape?: number[];
}
interface Implicit {
  standard_gamma_grad: { alpha: Enc; x: Enc; grad: Enc }[];
  dirichlet_grad: { x: Enc; alpha: Enc; total: Enc; grad: Enc }[];
  dirichlet_backward: { x: Enc; concentration: Enc; grad_output: Enc; grad: Enc }[];
  rsample: Record<string, Enc | string>[];
}
const fx = loadNnFixture<{ cases: Case[]; kl: KlCase[]; transforms: TransformCase[]; implicit: Implicit }>("distributions.json");

/** How to build: every floating tensor in float64 (gradchecks), and one element of one leaf moved by `delta`. */
interface BuildOpts { f64?: boolean; perturb?: { leaf: number; index: number; delta: number } }

/** A fixture tensor, in float64 when asked (and with the perturbation applied if it is that leaf). */
function decAs(e: Enc, o: BuildOpts, leafIndex = -1, requiresGrad = false): Tensor {
  const f64 = o.f64 && (e.dtype === "float32" || e.dtype === "float64");
  const data = e.data.slice();
  if (o.perturb && o.perturb.leaf === leafIndex) data[o.perturb.index] = Number(data[o.perturb.index]) + o.perturb.delta;
  return dec({ ...e, data, dtype: f64 ? "float64" : e.dtype }, { requiresGrad });
}

const camel = (k: string) => k.replace(/_(\w)/g, (_, c: string) => c.toUpperCase());

/** The Tensile transform a spec describes; its parameter tensors that require grad go to `leaves`. */
function buildTransform(spec: TSpec, leaves: Tensor[], o: BuildOpts = {}): T.distributions.Transform {
  if (spec.t === "inv") return buildTransform(spec.of!, leaves, o).inv;
  if (spec.t === "ComposeTransform") return new D.ComposeTransform(spec.parts!.map((p) => buildTransform(p, leaves, o)));
  const arg = argMaker(leaves, o);
  const args = (spec.args ?? []).map(arg);
  const kwargs = Object.fromEntries(Object.entries(spec.kwargs ?? {}).map(([k, v]) => [camel(k), arg(v)]));
  const Ctor = (D as unknown as Record<string, new (...a: unknown[]) => T.distributions.Transform>)[spec.t]!;
  return Object.keys(kwargs).length ? new Ctor(...args, kwargs) : new Ctor(...args);
}

function argMaker(leaves: Tensor[], o: BuildOpts) {
  return (a: ArgSpec) => {
    if (typeof a === "number") return a;
    const t = decAs(a.t, o, a.grad ? leaves.length : -1, a.grad);
    if (a.grad) leaves.push(t);
    return t;
  };
}

/** The Tensile distribution a spec describes (`d.expand(spec.expand)` where given), and its parameter tensors that require grad (PyTorch's order). */
function build(spec: Spec, o: BuildOpts = {}, leaves: Tensor[] = []): [T.distributions.Distribution, Tensor[]] {
  const [d] = buildUnexpanded(spec, o, leaves);
  return [spec.expand ? d.expand(spec.expand) : d, leaves];
}

function buildUnexpanded(spec: Spec, o: BuildOpts = {}, leaves: Tensor[] = []): [T.distributions.Distribution, Tensor[]] {
  if (spec.dist === "Independent") {
    const [base] = build(spec.base!, o, leaves);
    return [new D.Independent(base, spec.n!), leaves];
  }
  if (spec.dist === "TransformedDistribution") {
    const [base] = build(spec.base!, o, leaves);
    return [new D.TransformedDistribution(base, spec.transforms!.map((t) => buildTransform(t, leaves, o))), leaves];
  }
  const arg = argMaker(leaves, o);
  const args = (spec.args ?? []).map(arg);
  const kwargs = Object.fromEntries(Object.entries(spec.kwargs ?? {}).map(([k, v]) => [k, arg(v)]));
  const Ctor = (D as unknown as Record<string, new (...a: unknown[]) => T.distributions.Distribution>)[spec.dist]!;
  const opts = Object.fromEntries(Object.entries(kwargs).map(([k, v]) => [camel(k), v]));
  if (spec.args?.length && spec.kwargs && Object.keys(spec.kwargs).length) return [new Ctor(...args, opts), leaves];
  return [spec.args?.length ? new Ctor(...args) : new Ctor(kwargs), leaves];
}

const METHODS = ["log_prob", "entropy", "mean", "variance", "stddev", "cdf", "icdf", "mode"] as const;

function evaluate(d: T.distributions.Distribution, m: (typeof METHODS)[number], c: Case, o: BuildOpts = {}): Tensor {
  switch (m) {
    case "log_prob": return d.logProb(decAs(c.value!, o));
    case "cdf": return d.cdf(decAs(c.value!, o));
    case "icdf": return d.icdf(decAs(c.p!, o));
    case "entropy": return d.entropy();
    default: return d[m];
  }
}

for (const backend of backendsUnderTest()) {
  describe(`distributions on ${backend.name}`, () => {
    for (const c of fx.cases) {
      test(`${c.name}: values and gradients match PyTorch`, () => withBackend(backend, () => {
        const [d0] = build(c.spec);
        assert.deepEqual([...d0.batchShape], c.batchShape, "batchShape");
        assert.deepEqual([...d0.eventShape], c.eventShape, "eventShape");
        assert.equal(d0.toString(), c.repr);
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
    for (const c of fx.transforms) {
      test(`transform ${c.name}: forward, inverse, logAbsDetJacobian and their gradients match PyTorch`, () => withBackend(backend, () => {
        const leaves: Tensor[] = [];
        const t = buildTransform(c.spec, leaves);
        assert.equal(t.toString(), c.repr);
        assert.equal(t.bijective, c.bijective, "bijective");
        assert.equal(t.domain.eventDim, c.domainEventDim, "domain event dim");
        assert.equal(t.codomain.eventDim, c.codomainEventDim, "codomain event dim");
        if (c.sign === null) assertThrowsTensile(() => t.sign, /sign: not defined/);
        // torch 1.13's PowerTransform says +1 whatever the exponent; Tensile gives the exponent's sign
        else if (t instanceof D.PowerTransform && t.exponent instanceof Tensor)
          assert.deepEqual([...(t.sign as Tensor).dataSync()], [...t.exponent.sign().dataSync()], "sign: the exponent's");
        else if (typeof c.sign === "number") assert.equal(t.sign, c.sign, "sign");
        else assertClose(`${c.name} sign`, t.sign as Tensor, c.sign, 0, 0);
        if (c.shape) {
          assert.deepEqual(t.forwardShape(c.shape), c.forwardShape, "forwardShape");
          assert.deepEqual(t.inverseShape(c.shape), c.inverseShape, "inverseShape");
        }
        const x = dec(c.x, { requiresGrad: true });
        const y = t.forward(x);
        assertClose(`${c.name} forward`, y, c.y, 1e-5, 1e-6);
        assertClose(`${c.name} inverse`, t.inverse(y.detach()), c.inv, 1e-5, 1e-5);
        y.mul(dec(c.weight)).sum().backward();
        [x, ...leaves].forEach((l, i) => {
          const g = c.grads[i];
          if (g) assertClose(`${c.name} forward grad ${i}`, l.grad!, g, 1e-4, 1e-5);
        });
        if (!c.ladj) {
          assertThrowsTensile(() => t.logAbsDetJacobian(x, y), /logAbsDetJacobian: not implemented \(the transform is not bijective/);
          return;
        }
        const leaves2: Tensor[] = [];
        const t2 = buildTransform(c.spec, leaves2);
        const x2 = dec(c.x, { requiresGrad: true });
        const ladj = t2.logAbsDetJacobian(x2, t2.forward(x2));
        assertClose(`${c.name} logAbsDetJacobian`, ladj, c.ladj.out, 1e-5, 1e-5);
        if (!ladj.requiresGrad) return;
        ladj.mul(dec(c.ladj.weight)).sum().backward();
        [x2, ...leaves2].forEach((l, i) => {
          const g = c.ladj!.grads[i];
          if (g) assertClose(`${c.name} logAbsDetJacobian grad ${i}`, l.grad!, g, 1e-4, 1e-5);
        });
      }));
    }
  });
}

const stats = (t: Tensor): { mean: number; variance: number } => {
  const v = Array.from(t.dataSync() as ArrayLike<number>, Number);
  const mean = v.reduce((a, b) => a + b, 0) / v.length;
  return { mean, variance: v.reduce((a, b) => a + (b - mean) ** 2, 0) / (v.length - 1) };
};

test("sample shapes are [...sampleShape, ...batchShape, ...eventShape]; sample() has no graph, rsample() does", () => {
  manualSeed(0);
  const loc = zeros([2, 3], { requiresGrad: true });
  const n = new D.Normal(loc, 1);
  assert.deepEqual(n.sample([5]).shape, [5, 2, 3]);
  assert.equal(n.sample([5]).requiresGrad, false);
  assert.equal(n.rsample([4]).requiresGrad, true);
  assert.deepEqual(new D.Categorical({ logits: zeros([2, 4]) }).sample([3]).shape, [3, 2]);
  assert.equal(new D.Categorical({ logits: zeros([2, 4]) }).sample().dtype, "int32");
  assert.deepEqual(new D.OneHotCategorical({ probs: T.ones([2, 4]) }).sample([3]).shape, [3, 2, 4]);
  assert.deepEqual(new D.Bernoulli({ probs: T.full([3], 0.5) }).sample([2, 2]).shape, [2, 2, 3]);
  assert.deepEqual(new D.Independent(new D.Normal(zeros([2, 3]), 1), 1).sample([4]).shape, [4, 2, 3]);
  assert.equal(new D.Bernoulli({ probs: 0.5 }).hasRsample, false);
  assert.equal(new D.Independent(new D.Laplace(0, 1), 0).hasRsample, true);
  assertThrowsTensile(() => new D.Bernoulli({ probs: 0.5 }).rsample(), /^Bernoulli.rsample: not implemented/);
});

test("rsample is reparameterised: d(sample)/d(loc) = 1 and d(sample)/d(scale) = (sample − loc)/scale", () => {
  manualSeed(1);
  const loc = tensor([0.5, -1], { requiresGrad: true }), scale = tensor([2, 0.5], { requiresGrad: true });
  const s = new D.Normal(loc, scale).rsample([3]);
  s.sum().backward();
  assert.deepEqual(Array.from(loc.grad!.dataSync()), [3, 3]);
  const eps = T.noGrad(() => s.sub(loc).div(scale).sum(0));
  assertClose("scale grad", scale.grad!, { shape: [2], dtype: "float32", data: Array.from(eps.dataSync()) }, 1e-5, 1e-6);
});

test("draws follow their distributions (moments within 6 standard errors of 20 000 draws)", () => {
  manualSeed(2);
  const N = 20000;
  const check = (what: string, t: Tensor, mean: number, variance: number) => {
    const s = stats(t);
    assert.ok(Math.abs(s.mean - mean) < 6 * Math.sqrt(variance / N), `${what}: mean ${s.mean} vs ${mean}`);
    assert.ok(Math.abs(s.variance - variance) < 0.06 * variance, `${what}: variance ${s.variance} vs ${variance}`);
  };
  check("Normal(1, 2)", new D.Normal(1, 2).sample([N]), 1, 4);
  check("LogNormal(0, 0.5)", new D.LogNormal(0, 0.5).sample([N]), Math.exp(0.125), (Math.exp(0.25) - 1) * Math.exp(0.25));
  check("Uniform(-1, 3)", new D.Uniform(-1, 3).sample([N]), 1, 16 / 12);
  check("Laplace(0.5, 1.5)", new D.Laplace(0.5, 1.5).sample([N]), 0.5, 2 * 2.25);
  check("Exponential(2)", new D.Exponential(2).sample([N]), 0.5, 0.25);
  check("Bernoulli(0.3)", new D.Bernoulli({ probs: 0.3 }).sample([N]), 0.3, 0.21);
  const c = new D.Categorical({ probs: tensor([0.1, 0.6, 0.3]) }).sample([N]);
  const counts = [0, 0, 0];
  for (const v of c.dataSync()) counts[Number(v)]!++;
  [0.1, 0.6, 0.3].forEach((p, k) => assert.ok(Math.abs(counts[k]! / N - p) < 6 * Math.sqrt(p * (1 - p) / N), `category ${k}: ${counts[k]! / N} vs ${p}`));
  check("Gamma(3, 2)", new D.Gamma(3, 2).sample([N]), 1.5, 0.75);
  check("Gamma(0.4, 1) (boosted)", new D.Gamma(0.4, 1).sample([N]), 0.4, 0.4);
  check("Beta(2, 5)", new D.Beta(2, 5).sample([N]), 2 / 7, 10 / (49 * 8));
  const dir = new D.Dirichlet(tensor([1, 2, 3], { dtype: "float32" })).sample([N]);
  check("Dirichlet([1, 2, 3]) component 2", dir.select(1, 2).contiguous(), 0.5, (3 * 3) / (36 * 7));
  assert.ok(Math.abs(dir.sum(1).sub(1).abs().max().item()) < 1e-5, "Dirichlet draws lie on the simplex");
  check("Poisson(6)", new D.Poisson(6).sample([N]), 6, 6);
  // a correlated 2-D normal: the sample covariance matches Σ (standard error of an entry ≈ √((σᵢ²σⱼ² + σᵢⱼ²)/N))
  const sigma = [[2, 0.8], [0.8, 1]];
  const mvn = new D.MultivariateNormal(tensor([1, -1], { dtype: "float32" }), { covarianceMatrix: tensor(sigma, { dtype: "float32" }) });
  const z = mvn.sample([N]);
  check("MultivariateNormal component 0", z.select(1, 0).contiguous(), 1, 2);
  check("MultivariateNormal component 1", z.select(1, 1).contiguous(), -1, 1);
  const zc = z.sub(z.mean(0, true));
  const cov01 = zc.select(1, 0).mul(zc.select(1, 1)).mean().item();
  assert.ok(Math.abs(cov01 - 0.8) < 6 * Math.sqrt((2 + 0.64) / N), `MultivariateNormal covariance ${cov01} vs 0.8`);
  check("poisson(4)", T.poisson(T.full([N], 4)), 4, 4);
  check("poisson(35) (transformed rejection)", T.poisson(T.full([N], 35)), 35, 35);
  check("normal(mean, std)", T.normal(T.full([N], -2), T.full([N], 0.5)), -2, 0.25);
  check("bernoulli(probs)", T.bernoulli(T.full([N], 0.8)), 0.8, 0.16);
});

test("the same seed gives the same draws; a generator option gives its own stream", () => {
  manualSeed(3);
  const a = new D.Normal(0, 1).sample([5]).dataSync();
  manualSeed(3);
  const b = new D.Normal(0, 1).sample([5]).dataSync();
  assert.deepEqual(Array.from(a), Array.from(b));
  const g1 = new T.Generator(9), g2 = new T.Generator(9);
  assert.deepEqual(Array.from(T.multinomial(T.ones([6]), 6, { generator: g1 }).dataSync()), Array.from(T.multinomial(T.ones([6]), 6, { generator: g2 }).dataSync()));
});

test("multinomial: without replacement each category at most once; zero weights never drawn", () => {
  manualSeed(4);
  for (let r = 0; r < 50; r++) {
    const d = Array.from(T.multinomial(tensor([[1, 0, 2, 3, 0.5], [0, 0, 1, 1, 1]], { dtype: "float32" }), 3).dataSync(), Number);
    assert.equal(new Set(d.slice(0, 3)).size, 3);
    assert.equal(new Set(d.slice(3)).size, 3);
    assert.ok(!d.slice(0, 3).includes(1) && !d.slice(3).some((v) => v < 2), `zero-weight category drawn: ${d}`);
  }
  const rep = Array.from(T.multinomial(tensor([0, 1, 0], { dtype: "float32" }), 20, true).dataSync());
  assert.ok(rep.every((v) => v === 1));
  assertThrowsTensile(() => T.multinomial(tensor([1, 1], { dtype: "float32" }), 3), /^multinomial: cannot sample n_sample > prob_dist.size\(-1\) samples without replacement \(3 > 2\)/);
  assertThrowsTensile(() => T.multinomial(tensor([1, 0, 0], { dtype: "float32" }), 2), /^multinomial: invalid multinomial distribution: row 0 has fewer than 2 categories with non-zero probability/);
  assertThrowsTensile(() => T.multinomial(tensor([1, -1], { dtype: "float32" }), 1), /^multinomial: probability tensor contains either inf, nan or element < 0/);
  assertThrowsTensile(() => T.multinomial(tensor([0, 0], { dtype: "float32" }), 1, true), /^multinomial: invalid multinomial distribution \(sum of probabilities <= 0\)/);
  assertThrowsTensile(() => T.multinomial(zeros([2, 2, 2]), 1), /^multinomial: prob_dist must be 1 or 2 dim, got shape \[2, 2, 2\]/);
});

test("invalid parameters and values throw TensileErrors naming the distribution", () => {
  assertThrowsTensile(() => new D.Normal(0, tensor([1, -1], { dtype: "float32" })), /^Normal: expected parameter scale to be positive .* found -1 at flat index 1 of shape \[2\]/);
  assertThrowsTensile(() => new D.Uniform(1, 1), /^Uniform: expected high - low to be positive/);
  assertThrowsTensile(() => new D.Bernoulli({ probs: 1.5 }), /^Bernoulli: expected parameter probs to be in \[0, 1\], but found 1.5/);
  assertThrowsTensile(() => new D.Bernoulli({ probs: 0.5, logits: 0 }), /^Bernoulli: either `probs` or `logits` must be specified, but not both/);
  assertThrowsTensile(() => new D.Categorical({ logits: tensor(1.5) }), /^Categorical: logits must have at least one dimension/);
  assertThrowsTensile(() => new D.Categorical({ probs: tensor([1, 2], { dtype: "float32" }) }).logProb(tensor([2], { dtype: "int32" })), /^Categorical.logProb: expected the value to be an integer in \[0, 2\)/);
  assertThrowsTensile(() => new D.Bernoulli({ probs: 0.5 }).logProb(tensor([0.5])), /^Bernoulli.logProb: expected the value to be 0 or 1/);
  assertThrowsTensile(() => new D.Exponential(1).logProb(tensor([-1])), /^Exponential.logProb: expected the value to be non-negative/);
  assertThrowsTensile(() => new D.Normal(zeros([3]), 1).logProb(zeros([2])), /^Normal.logProb: the size of tensor a \(2\) must match/);
  assertThrowsTensile(() => new D.Independent(new D.Normal(zeros([3]), 1), 2), /^Independent: expected 0 <= reinterpreted_batch_ndims <= len\(base_distribution.batch_shape\) \(1/);
  assertThrowsTensile(() => D.klDivergence(new D.Normal(0, 1), new D.Cauchy(0, 1)), /^klDivergence: no KL\(p \|\| q\) is implemented for p Normal and q Cauchy/);
  assertThrowsTensile(() => new D.Normal("a" as never, 1), /^Normal: loc must be a Tensor or a number/);
  const eye2 = T.eye(2);
  assertThrowsTensile(() => new D.MultivariateNormal(zeros([2]), { covarianceMatrix: eye2, scaleTril: eye2 }), /^MultivariateNormal: exactly one of covariance_matrix or precision_matrix or scale_tril may be specified, got 2/);
  assertThrowsTensile(() => new D.MultivariateNormal(zeros([2]), { covarianceMatrix: tensor([[1, 2], [2, 1]], { dtype: "float32" }) }), /^MultivariateNormal: covarianceMatrix is not positive-definite/);
  assertThrowsTensile(() => new D.MultivariateNormal(zeros([3]), { scaleTril: eye2 }), /^MultivariateNormal: scaleTril must be a batch of 3×3 matrices \(loc's last dim is 3\), got shape \[2, 2\]/);
  assertThrowsTensile(() => new D.MultivariateNormal(zeros([2]), { scaleTril: tensor([[1, 0.5], [0, 1]], { dtype: "float32" }) }), /^MultivariateNormal: expected scale_tril to be lower triangular/);
  // validateArgs: false skips the checks, as in PyTorch
  const unchecked = new D.Normal(0, -1, { validateArgs: false });
  assert.ok(Number.isNaN(unchecked.logProb(tensor([0])).item()));
  D.registerKl(D.Normal, D.Cauchy, (p, q) => p.loc.sub(q.loc).abs());
  assert.equal(D.klDivergence(new D.Normal(2, 1), new D.Cauchy(-1, 1)).item(), 3);
});

// ---- reparameterised gamma, Beta, Dirichlet and Chi2 draws: PyTorch's implicit gradient ----

/** Regularised lower incomplete gamma P(a, x): its series below x = a + 1, Lentz's continued fraction for Q above. */
function gammaP(a: number, x: number): number {
  if (x <= 0) return 0;
  const lnPre = a * Math.log(x) - x - lgammaOne(a);
  if (x < a + 1) {
    let term = 1 / a, sum = term;
    for (let n = 1; n < 10000 && Math.abs(term) >= Math.abs(sum) * 1e-17; n++) sum += term *= x / (a + n);
    return sum * Math.exp(lnPre);
  }
  let b = x + 1 - a, c = 1e300, d = 1 / b, h = d;
  for (let i = 1; i < 10000; i++) {
    const an = -i * (i - a);
    b += 2;
    d = an * d + b;
    c = b + an / c;
    d = 1 / (Math.abs(d) < 1e-300 ? 1e-300 : d);
    if (Math.abs(c) < 1e-300) c = 1e-300;
    h *= d * c;
    if (Math.abs(d * c - 1) < 1e-16) break;
  }
  return 1 - Math.exp(lnPre) * h;
}

/** Regularised incomplete beta I_x(a, b) by its continued fraction (on the side where it converges fast). */
function betaI(a: number, b: number, x: number): number {
  const cf = (a: number, b: number, x: number) => {
    const tiny = (v: number) => (Math.abs(v) < 1e-300 ? 1e-300 : v);
    let c = 1, d = 1 / tiny(1 - ((a + b) * x) / (a + 1)), h = d;
    for (let m = 1; m < 10000; m++) {
      const m2 = 2 * m;
      let aa = (m * (b - m) * x) / ((a + m2 - 1) * (a + m2));
      d = 1 / tiny(1 + aa * d);
      c = tiny(1 + aa / c);
      h *= d * c;
      aa = (-(a + m) * (a + b + m) * x) / ((a + m2) * (a + m2 + 1));
      d = 1 / tiny(1 + aa * d);
      c = tiny(1 + aa / c);
      h *= d * c;
      if (Math.abs(d * c - 1) < 1e-16) break;
    }
    return h;
  };
  const lf = lgammaOne(a + b) - lgammaOne(a) - lgammaOne(b) + a * Math.log(x) + b * Math.log(1 - x);
  return x < (a + 1) / (a + b + 2) ? (Math.exp(lf) * cf(a, b, x)) / a : 1 - (Math.exp(lf) * cf(b, a, 1 - x)) / b;
}

/** The x where `cdf` reaches q, by bisection on [lo, hi]. */
function quantile(cdf: (x: number) => number, q: number, lo: number, hi: number): number {
  for (let i = 0; i < 200; i++) {
    const m = (lo + hi) / 2;
    if (cdf(m) < q) lo = m;
    else hi = m;
  }
  return (lo + hi) / 2;
}

test("standardGammaGrad matches PyTorch's torch._standard_gamma_grad at given draws, every branch, float32 and float64", () => {
  for (const f of fx.implicit.standard_gamma_grad)
    assertClose(`standardGammaGrad ${f.alpha.dtype}`, standardGammaGrad(dec(f.alpha), dec(f.x)), f.grad, f.alpha.dtype === "float64" ? 1e-10 : 1e-5, 1e-7);
  for (const f of fx.implicit.dirichlet_grad)
    assertClose(`dirichletGrad ${f.x.dtype}`, dirichletGrad(dec(f.x), dec(f.alpha), dec(f.total)), f.grad, f.x.dtype === "float64" ? 1e-10 : 1e-4, 1e-6);
  for (const f of fx.implicit.dirichlet_backward)
    assertClose(`dirichletBackward ${f.x.shape}`, dirichletBackward(dec(f.x), dec(f.concentration), dec(f.grad_output)), f.grad, 1e-5, 1e-6);
  assertThrowsTensile(() => standardGammaGrad(tensor([1, 2], { dtype: "float32" }), tensor([1, 2, 3], { dtype: "float32" })), /^standardGammaGrad: the size of tensor a \(2\) must match/);
  assertThrowsTensile(() => standardGammaGrad(tensor([1], { dtype: "int32" }), tensor([1], { dtype: "float32" })), /^standardGammaGrad: expected floating point tensors, got int32 for argument 0/);
});

test("the implicit gradients are −(∂F/∂α)/f: finite differences of the gamma and beta CDFs agree to 2e-3", () => {
  for (const a of [0.05, 0.3, 0.7, 1, 1.5, 3, 6, 8, 9, 12, 30, 100])
    for (const q of [0.05, 0.2, 0.5, 0.8, 0.95]) {
      const x = quantile((v) => gammaP(a, v), q, 1e-12, a * 10 + 50);
      const h = 1e-5 * Math.max(1, a);
      const want = -((gammaP(a + h, x) - gammaP(a - h, x)) / (2 * h)) / Math.exp((a - 1) * Math.log(x) - x - lgammaOne(a));
      const got = standardGammaGradOne(a, x);
      assert.ok(Math.abs(got - want) <= 2e-3 * Math.abs(want), `gamma α=${a} x=${x}: ${got} vs finite differences ${want}`);
    }
  // a Dirichlet component is Beta(α, total − α); its gradient (at fixed β) is divided by 1 − x
  for (const a of [0.3, 1, 2, 5, 8, 20])
    for (const b of [0.3, 1, 2, 5, 8, 20])
      for (const q of [0.05, 0.2, 0.5, 0.8, 0.95]) {
        const x = quantile((v) => betaI(a, b, v), q, 1e-12, 1 - 1e-12);
        const h = 1e-5 * Math.max(1, a);
        const pdf = Math.exp(lgammaOne(a + b) - lgammaOne(a) - lgammaOne(b) + (a - 1) * Math.log(x) + (b - 1) * Math.log(1 - x));
        const want = -((betaI(a + h, b, x) - betaI(a - h, b, x)) / (2 * h)) / pdf / (1 - x);
        const got = dirichletGradOne(x, a, a + b);
        assert.ok(Math.abs(got - want) <= 2e-3 * Math.abs(want), `beta α=${a} β=${b} x=${x}: ${got} vs finite differences ${want}`);
      }
});

test("rsample of Gamma, Chi2, Dirichlet and Beta passes PyTorch's gradient for PyTorch's draws", () => {
  const byName = (n: string) => fx.implicit.rsample.find((r) => r.dist === n)! as Record<string, Enc>;
  for (const name of ["Gamma", "Chi2"]) {
    const f = byName(name);
    const alpha = dec(f.alpha!, { requiresGrad: true }), rate = dec(f.rate!);
    // Gamma(α, β) = standardGamma(α)/β; Chi2(2α) = Gamma(α, ½)
    const beta = name === "Gamma" ? rate : T.fullLike(rate, 0.5);
    const z = dec(f.x!).mul(beta);
    standardGamma(alpha, z).div(beta).mul(dec(f.weight!)).sum().backward();
    assertClose(`${name} rsample grad`, alpha.grad!, f.grad_alpha!, 1e-9, 1e-12);
  }
  const dir = byName("Dirichlet");
  const conc = dec(dir.concentration!, { requiresGrad: true });
  sampleDirichlet(conc, dec(dir.x!)).mul(dec(dir.weight!)).sum().backward();
  assertClose("Dirichlet rsample grad", conc.grad!, dir.grad!, 1e-9, 1e-12);
  const beta = byName("Beta");
  const a = dec(beta.concentration1!, { requiresGrad: true }), b = dec(beta.concentration0!, { requiresGrad: true });
  sampleDirichlet(T.stack([a, b], -1), dec(beta.x!)).select(-1, 0).mul(dec(beta.weight!)).sum().backward();
  assertClose("Beta rsample grad 1", a.grad!, beta.grad1!, 1e-9, 1e-12);
  assertClose("Beta rsample grad 0", b.grad!, beta.grad0!, 1e-9, 1e-12);
});

test("the classes' rsample wires the implicit gradient: d(draw)/dα = standardGammaGrad(α, draw·β)/β, and the rate's −draw/β", () => {
  manualSeed(5);
  const alpha = tensor([0.4, 2.5, 11], { dtype: "float64", requiresGrad: true }), rate = tensor([1.5, 0.5, 2], { dtype: "float64", requiresGrad: true });
  const x = new D.Gamma(alpha, rate).rsample([4]);
  assert.deepEqual(x.shape, [4, 3]);
  x.sum().backward();
  const z = T.noGrad(() => x.mul(rate));
  const want = standardGammaGrad(alpha.detach().expand([4, 3]), z).div(rate.detach()).sum(0);
  assertClose("Gamma.rsample α grad", alpha.grad!, { shape: [3], dtype: "float64", data: Array.from(want.dataSync()) }, 1e-12, 1e-14);
  const wantRate = T.noGrad(() => x.div(rate).neg().sum(0));
  assertClose("Gamma.rsample rate grad", rate.grad!, { shape: [3], dtype: "float64", data: Array.from(wantRate.dataSync()) }, 1e-12, 1e-14);
  const conc = tensor([[0.5, 2, 3], [4, 1, 0.3]], { dtype: "float64", requiresGrad: true });
  const d = new D.Dirichlet(conc).rsample([2]);
  assert.deepEqual(d.shape, [2, 2, 3]);
  const g = T.randn([2, 2, 3], { dtype: "float64" });
  d.mul(g).sum().backward();
  const wantConc = dirichletBackward(d.detach(), conc.detach().expand([2, 2, 3]), g).sum(0);
  assertClose("Dirichlet.rsample grad", conc.grad!, { shape: [2, 3], dtype: "float64", data: Array.from(wantConc.dataSync()) }, 1e-12, 1e-14);
  for (const dist of [new D.Gamma(1, 1), new D.Beta(1, 1), new D.Dirichlet(T.ones([3])), new D.Chi2(2), new D.StudentT(3)]) assert.equal(dist.hasRsample, true, dist.toString());
  assert.equal(new D.Beta(tensor([2, 3], { dtype: "float32", requiresGrad: true }), 1).rsample([5]).requiresGrad, true);
  assert.equal(new D.Beta(tensor([2, 3], { dtype: "float32", requiresGrad: true }), 1).sample([5]).requiresGrad, false);
});

/**
 * Monte-Carlo: each of N draws gets its own copy of the parameters (leaves of shape [N]), so one
 * backward gives N per-draw gradients of f(x); their mean must match d/dθ E[f(x)] from the closed
 * form (differentiated by central differences) within 6 standard errors.
 */
function mcGradient(what: string, n: number, params: number[], draw: (leaves: Tensor[]) => Tensor, f: (x: Tensor) => Tensor, closed: (p: number[]) => number): void {
  const leaves = params.map((p) => T.full([n], p, { dtype: "float64", requiresGrad: true }));
  f(draw(leaves)).sum().backward();
  params.forEach((_, i) => {
    const g = Array.from(leaves[i]!.grad!.dataSync(), Number);
    const mean = g.reduce((a, b) => a + b, 0) / n;
    const se = Math.sqrt(g.reduce((a, b) => a + (b - mean) ** 2, 0) / (n - 1) / n);
    const h = 1e-5 * Math.max(1, Math.abs(params[i]!));
    const up = params.slice(), dn = params.slice();
    up[i]! += h;
    dn[i]! -= h;
    const want = (closed(up) - closed(dn)) / (2 * h);
    assert.ok(Math.abs(mean - want) < 6 * se + 1e-9, `${what}: d/dθ${i} = ${mean} ± ${se} (Monte-Carlo), closed form ${want}`);
  });
}

test("Monte-Carlo: the mean pathwise gradient of rsample draws is d/dθ E[f(x)] (Gamma, Chi2, Beta, Dirichlet, StudentT)", () => {
  manualSeed(6);
  const N = 20000;
  for (const a of [0.3, 2, 12]) {
    mcGradient(`Gamma(${a}, 1.5) E[x]`, N, [a, 1.5], ([c, r]) => new D.Gamma(c!, r!).rsample(), (x) => x, ([c, r]) => c! / r!);
    // E[x²] = α(α + 1)/β² tells the implicit gradient from naive ones (x/α has the right E[x] gradient, not this one)
    mcGradient(`Gamma(${a}, 1.5) E[x²]`, N, [a, 1.5], ([c, r]) => new D.Gamma(c!, r!).rsample(), (x) => x.pow(2), ([c, r]) => (c! * (c! + 1)) / r! ** 2);
  }
  mcGradient("Chi2(3) E[x²]", N, [3], ([df]) => new D.Chi2(df!).rsample(), (x) => x.pow(2), ([df]) => df! * (df! + 2));
  mcGradient("Beta(0.7, 2.5) E[x]", N, [0.7, 2.5], ([a, b]) => new D.Beta(a!, b!).rsample(), (x) => x, ([a, b]) => a! / (a! + b!));
  mcGradient("Beta(3, 1.2) E[x²]", N, [3, 1.2], ([a, b]) => new D.Beta(a!, b!).rsample(), (x) => x.pow(2), ([a, b]) => (a! * (a! + 1)) / ((a! + b!) * (a! + b! + 1)));
  mcGradient("Dirichlet([1.5, 0.6, 4]) E[x₀²]", N, [1.5, 0.6, 4], (cs) => new D.Dirichlet(T.stack(cs, -1)).rsample(), (x) => x.select(-1, 0).pow(2),
    ([a, b, c]) => { const s = a! + b! + c!; return (a! * (a! + 1)) / (s * (s + 1)); });
  mcGradient("StudentT(9, 0.5, 2) E[x²]", N, [9, 0.5, 2], ([df, l, s]) => new D.StudentT(df!, l!, s!).rsample(), (x) => x.pow(2),
    ([df, l, s]) => (s! ** 2 * df!) / (df! - 2) + l! ** 2);
});

/** Central differences of Σ w·out against autograd, in float64, for every leaf element (`make` rebuilds with the perturbation). */
function gradcheck(what: string, make: (o: BuildOpts) => [Tensor, Tensor[]], weight: Enc): void {
  T.withBackend("reference", () => {
    const [out, leaves] = make({ f64: true });
    const w = decAs(weight, { f64: true });
    out.mul(w).sum().backward();
    leaves.forEach((leaf, li) => {
      const analytic = leaf.grad ? Array.from(leaf.grad.dataSync(), Number) : new Array<number>(leaf.numel()).fill(0);
      const base = Array.from(leaf.dataSync(), Number);
      for (let j = 0; j < base.length; j++) {
        const h = 1e-6 * Math.max(1, Math.abs(base[j]!));
        const at = (delta: number) => T.noGrad(() => make({ f64: true, perturb: { leaf: li, index: j, delta } })[0].mul(w).sum().item());
        let numeric: number;
        try {
          numeric = (at(h) - at(-h)) / (2 * h);
        } catch (e) {
          // a direction the parameter cannot move in (the upper triangle of a scale_tril): autograd must give 0
          assert.ok(e instanceof T.TensileError && /lower triangular/.test(e.message), `${what}: ${String(e)}`);
          assert.equal(analytic[j], 0, `${what}: leaf ${li} element ${j} cannot move, but has gradient ${analytic[j]}`);
          continue;
        }
        assert.ok(Math.abs(analytic[j]! - numeric) <= 1e-5 + 1e-4 * Math.abs(numeric), `${what}: leaf ${li} element ${j}: autograd ${analytic[j]}, finite differences ${numeric}`);
      }
    });
  });
}

const NEW_CASE = /^(LogNormal\/icdf|Chi2|StudentT|Cauchy|HalfNormal|HalfCauchy|Gumbel|Binomial|Geometric\/(probs|logits)|NegativeBinomial|ContinuousBernoulli|Transformed|Dirichlet\/mode)/;

test("float64 gradcheck: the new distributions' methods and every KL pair with a gradient match finite differences", () => {
  let checked = 0;
  for (const c of fx.cases.filter((c) => NEW_CASE.test(c.name))) {
    for (const m of METHODS) {
      const want = c[m];
      if (!want || m === "mode" || want.grads.length === 0) continue;
      gradcheck(`${c.name} ${m}`, (o) => {
        const [d, leaves] = build(c.spec, o);
        return [evaluate(d, m, c, o), leaves];
      }, want.weight);
      checked++;
    }
  }
  // (the MultivariateNormal pair reads the upper triangle of p's scale_tril, which no valid p can move: not gradchecked here)
  for (const k of fx.kl.filter((k) => k.grads && k.name !== "MultivariateNormal")) {
    gradcheck(`kl ${k.name}`, (o) => {
      const leaves: Tensor[] = [];
      const [p] = build(k.p, o, leaves);
      const [q] = build(k.q, o, leaves);
      return [D.klDivergence(p, q), leaves];
    }, { shape: k.kl.shape, dtype: "float64", data: new Array(k.kl.data.length).fill(1) });
    checked++;
  }
  assert.ok(checked > 120, `only ${checked} gradchecks ran`);
});

test("draws of the new distributions follow them (moments, quantiles, pmfs and χ² within 6 standard errors)", () => {
  manualSeed(7);
  const N = 20000;
  const check = (what: string, t: Tensor, mean: number, variance: number) => {
    const s = stats(t);
    assert.ok(Math.abs(s.mean - mean) < 6 * Math.sqrt(variance / N), `${what}: mean ${s.mean} vs ${mean}`);
    assert.ok(Math.abs(s.variance - variance) < 0.06 * variance, `${what}: variance ${s.variance} vs ${variance}`);
  };
  /** The fraction of draws at or below each quantile is its probability. */
  const quantiles = (what: string, t: Tensor, d: T.distributions.Distribution) => {
    const v = Array.from(t.dataSync(), Number);
    for (const q of [0.1, 0.25, 0.5, 0.75, 0.9]) {
      const x = d.icdf(tensor(q)).item();
      const frac = v.filter((s) => s <= x).length / v.length;
      assert.ok(Math.abs(frac - q) < 6 * Math.sqrt((q * (1 - q)) / N), `${what}: ${frac} of draws below the ${q} quantile ${x}`);
    }
  };
  /** Each value's frequency matches the pmf exp(logProb). */
  const pmf = (what: string, t: Tensor, d: T.distributions.Distribution, ks: number[]) => {
    const v = Array.from(t.dataSync(), Number);
    for (const k of ks) {
      const p = d.logProb(tensor(k)).exp().item();
      const frac = v.filter((s) => s === k).length / N;
      assert.ok(Math.abs(frac - p) < 6 * Math.sqrt((p * (1 - p)) / N) + 1e-4, `${what}: P(${k}) ${frac} vs ${p}`);
    }
    assert.ok(v.every((s) => Number.isInteger(s) && s >= 0), `${what}: draws are non-negative integers`);
  };
  /** Pearson's χ² of 100 000 draws over the values expected at least 20 times: within 6 standard deviations (√(2·dof)) of its mean, the dof. */
  const chiSquare = (what: string, d: T.distributions.Distribution, ks: number[]) => {
    const M = 100000;
    const v = Array.from(d.sample([M]).dataSync(), Number);
    const counts = new Map<number, number>();
    for (const s of v) counts.set(s, (counts.get(s) ?? 0) + 1);
    let chi = 0, dof = -1;
    for (const k of ks) {
      const e = d.logProb(tensor(k)).exp().item() * M;
      if (e < 20) continue;
      chi += ((counts.get(k) ?? 0) - e) ** 2 / e;
      dof++;
    }
    assert.ok(dof > 5 && chi < dof + 6 * Math.sqrt(2 * dof), `${what}: χ² ${chi} over ${dof} degrees of freedom`);
  };
  const range = (a: number, b: number) => Array.from({ length: b - a + 1 }, (_, i) => a + i);
  const b1 = new D.Binomial(8, { probs: 0.3 });
  const s1 = b1.sample([N]);
  check("Binomial(8, 0.3) (inversion)", s1, 2.4, 1.68);
  pmf("Binomial(8, 0.3)", s1, b1, [0, 1, 2, 3, 4, 5, 8]);
  chiSquare("Binomial(8, 0.3) (inversion)", b1, range(0, 8));
  const b2 = new D.Binomial(60, { probs: 0.35 });
  const s2 = b2.sample([N]);
  check("Binomial(60, 0.35) (BTRS)", s2, 21, 13.65);
  pmf("Binomial(60, 0.35)", s2, b2, [12, 16, 19, 21, 23, 26, 30]);
  chiSquare("Binomial(60, 0.35) (BTRS)", b2, range(0, 60));
  chiSquare("Binomial(1000, 0.9) (flipped BTRS)", new D.Binomial(1000, { probs: 0.9 }), range(850, 950));
  const b3 = new D.Binomial(200, { logits: 1.5 }); // p ≈ 0.82: drawn as n − Binomial(n, 1 − p)
  const p3 = 1 / (1 + Math.exp(-1.5));
  check("Binomial(200, σ(1.5)) (flipped BTRS)", b3.sample([N]), 200 * p3, 200 * p3 * (1 - p3));
  assert.deepEqual(Array.from(new D.Binomial(tensor([0, 5, 5], { dtype: "float32" }), { probs: tensor([0.5, 0, 1], { dtype: "float32" }) }).sample().dataSync()), [0, 0, 5]);
  const g = new D.Geometric({ probs: 0.3 });
  const sg = g.sample([N]);
  check("Geometric(0.3)", sg, 1 / 0.3 - 1, (1 / 0.3 - 1) / 0.3);
  pmf("Geometric(0.3)", sg, g, [0, 1, 2, 5]);
  const nb = new D.NegativeBinomial(3.5, { probs: 0.4 });
  const snb = nb.sample([N]);
  check("NegativeBinomial(3.5, 0.4)", snb, nb.mean.item(), nb.variance.item());
  pmf("NegativeBinomial(3.5, 0.4)", snb, nb, [0, 1, 2, 4, 8]);
  check("StudentT(10, 1, 2)", new D.StudentT(10, 1, 2).sample([N]), 1, 4 * 10 / 8);
  check("Chi2(5)", new D.Chi2(5).sample([N]), 5, 10);
  check("HalfNormal(2)", new D.HalfNormal(2).sample([N]), 2 * Math.sqrt(2 / Math.PI), 4 * (1 - 2 / Math.PI));
  const gu = new D.Gumbel(1, 2);
  check("Gumbel(1, 2)", gu.sample([N]), gu.mean.item(), gu.variance.item());
  const cb = new D.ContinuousBernoulli({ probs: 0.2 });
  check("ContinuousBernoulli(0.2)", cb.sample([N]), cb.mean.item(), cb.variance.item());
  const cbMid = new D.ContinuousBernoulli({ probs: 0.5 });
  check("ContinuousBernoulli(0.5) (Taylor region)", cbMid.sample([N]), 0.5, 1 / 12);
  const c = new D.Cauchy(-1, 0.5);
  quantiles("Cauchy(-1, 0.5)", c.sample([N]), c);
  const hc = new D.HalfCauchy(3);
  quantiles("HalfCauchy(3)", hc.sample([N]), hc);
  const gt = new D.Gumbel(0.5, 1.5);
  quantiles("Gumbel(0.5, 1.5)", gt.sample([N]), gt);
  // a TransformedDistribution draws through its transforms: sigmoid(N(0.3, 1.2)) has its median at sigmoid(0.3)
  const logitNormal = new D.TransformedDistribution(new D.Normal(0.3, 1.2), new D.SigmoidTransform());
  quantiles("sigmoid(Normal(0.3, 1.2))", logitNormal.sample([N]), logitNormal);
  const simplex = new D.TransformedDistribution(new D.Normal(zeros([3, 4]), 1), new D.SoftmaxTransform()).sample([5]);
  assert.deepEqual(simplex.shape, [5, 3, 4]);
  assert.ok(simplex.sum(-1).sub(1).abs().max().item() < 1e-6, "softmax-transformed draws lie on the simplex");
});

test("binomial(count, prob): shapes, dtype, and errors naming the op", () => {
  manualSeed(8);
  const s = T.binomial(T.full([2, 1], 10, { dtype: "float64" }), tensor([0.1, 0.5, 0.9], { dtype: "float64" }));
  assert.deepEqual(s.shape, [2, 3]);
  assert.equal(s.dtype, "float64");
  assert.ok(Array.from(s.dataSync()).every((v) => Number.isInteger(v) && v >= 0 && v <= 10));
  const g1 = new T.Generator(3), g2 = new T.Generator(3);
  assert.deepEqual(Array.from(T.binomial(T.full([50], 100), T.full([50], 0.4), { generator: g1 }).dataSync()), Array.from(T.binomial(T.full([50], 100), T.full([50], 0.4), { generator: g2 }).dataSync()));
  assertThrowsTensile(() => T.binomial(tensor([2.5]), tensor([0.5])), /^binomial: count must be a non-negative integer, got 2.5 at flat index 0/);
  assertThrowsTensile(() => T.binomial(tensor([2], { dtype: "float32" }), tensor([1.5])), /^binomial: prob must be in \[0, 1\], got 1.5 at flat index 0/);
  assertThrowsTensile(() => T.binomial(tensor([2], { dtype: "int32" }), tensor([0.5])), /^binomial: count must be a floating point tensor, got int32/);
  assertThrowsTensile(() => T.binomial(zeros([2]), zeros([3])), /^binomial: .*size of tensor a \(2\) must match/);
});

test("new distributions: shapes, rsample, support enumeration, TransformedDistribution shapes", () => {
  manualSeed(9);
  const loc = zeros([2, 3], { requiresGrad: true });
  for (const d of [new D.StudentT(4, loc, 1), new D.Cauchy(loc, 1), new D.Gumbel(loc, 1), new D.ContinuousBernoulli({ logits: loc })]) {
    assert.deepEqual(d.sample([4]).shape, [4, 2, 3], d.toString());
    assert.equal(d.sample([4]).requiresGrad, false, d.toString());
    assert.equal(d.rsample([4]).requiresGrad, true, d.toString());
  }
  const scale = T.ones([3], { requiresGrad: true });
  for (const d of [new D.HalfNormal(scale), new D.HalfCauchy(scale)]) {
    const x = d.rsample([2]);
    assert.deepEqual(x.shape, [2, 3]);
    assert.ok(Array.from(x.dataSync()).every((v) => v >= 0), `${d}: draws are non-negative`);
    assert.equal(x.requiresGrad, true);
  }
  for (const d of [new D.Binomial(5, { probs: T.full([3], 0.5) }), new D.Geometric({ probs: T.full([3], 0.5) }), new D.NegativeBinomial(2, { logits: zeros([3]) })]) {
    assert.equal(d.hasRsample, false, d.toString());
    assert.deepEqual(d.sample([2]).shape, [2, 3], d.toString());
    assertThrowsTensile(() => d.rsample(), new RegExp(`^${d.constructor.name}.rsample: not implemented`));
  }
  // a parameter derived lazily (probs from logits) keeps its graph even when first asked for by sample(), under noGrad
  for (const d of [new D.Bernoulli({ logits: loc }), new D.Binomial(3, { logits: loc }), new D.ContinuousBernoulli({ logits: loc }), new D.Categorical({ logits: loc })]) {
    d.sample();
    assert.equal((d as unknown as { probs: Tensor }).probs.requiresGrad, true, `${d}: probs lost its graph`);
  }
  const bin = new D.Binomial(tensor([[3], [3]], { dtype: "float32" }), { probs: T.full([2, 4], 0.5) });
  assert.deepEqual(bin.batchShape, [2, 4]);
  assert.deepEqual(bin.enumerateSupport().shape, [4, 2, 4]);
  assert.deepEqual(bin.enumerateSupport(false).shape, [4, 1, 1]);
  assert.deepEqual(Array.from(bin.enumerateSupport(false).dataSync()), [0, 1, 2, 3]);
  assert.deepEqual(new D.Binomial({ totalCount: 4, logits: zeros([2]) }).totalCount.shape, [2]);
  assert.equal(new D.Binomial({ probs: 0.5 }).totalCount.item(), 1);
  // transforms with tensor parameters add leading batch dims to a base distribution with fewer (PyTorch expands the base)
  const td = new D.TransformedDistribution(new D.Normal(zeros([3]), 1), new D.AffineTransform(zeros([4, 3]), 2));
  assert.deepEqual(td.batchShape, [4, 3]);
  assert.deepEqual(td.sample([5]).shape, [5, 4, 3]);
  assert.deepEqual(td.logProb(zeros([3])).shape, [4, 3]);
  assert.deepEqual(td.cdf(zeros([3])).shape, [4, 3]);
  // an event-dim transform reinterprets the base's batch dims: logProb sums over the event
  const ev = new D.TransformedDistribution(new D.Normal(zeros([2, 3]), 1), new D.SoftmaxTransform());
  assert.deepEqual([ev.batchShape, ev.eventShape], [[2], [3]]);
  const lognormal = new D.LogNormal(0, 1);
  assert.ok(lognormal instanceof D.TransformedDistribution);
  assert.equal(lognormal.transforms[0]!.toString(), "ExpTransform()");
  assert.equal(new D.ExpTransform().inv.inv.toString(), "ExpTransform()");
  assert.ok(new D.AffineTransform(1, tensor([2, 3], { dtype: "float32" })).equals(new D.AffineTransform(1, tensor([2, 3], { dtype: "float32" }))));
  assert.ok(!new D.AffineTransform(1, 2).equals(new D.AffineTransform(1, 3)));
  assert.ok(new D.ExpTransform().inv.equals(new D.ExpTransform().inv));
  assert.ok(D.identityTransform.forward(tensor([1.5])).item() === 1.5);
  assert.equal(D.transforms.TanhTransform, D.TanhTransform);
});

test("new distributions: invalid parameters and values throw TensileErrors naming the distribution", () => {
  const f = (v: number[]) => tensor(v, { dtype: "float32" });
  assertThrowsTensile(() => new D.Binomial(f([3, 2.5]), { probs: 0.5 }), /^Binomial: expected parameter total_count to be a non-negative integer .* found 2.5 at flat index 1 of shape \[2\]/);
  assertThrowsTensile(() => new D.Binomial(3, { probs: 1.5 }), /^Binomial: expected parameter probs to be in \[0, 1\], but found 1.5/);
  assertThrowsTensile(() => new D.Binomial(3, { probs: 0.5, logits: 0 }), /^Binomial: either `probs` or `logits` must be specified, but not both/);
  assertThrowsTensile(() => new D.Binomial(3, { probs: f([0.5]) }).logProb(f([4])), /^Binomial.logProb: expected the value to be an integer in \[0, total_count\]/);
  assertThrowsTensile(() => new D.Binomial(3, { probs: f([0.5]) }).logProb(f([1.5])), /^Binomial.logProb: expected the value to be an integer in \[0, total_count\]/);
  assertThrowsTensile(() => new D.Binomial(f([3, 4]), { probs: 0.5 }).entropy(), /^Binomial.enumerateSupport: inhomogeneous total count not supported \(total_count ranges from 3 to 4\)/);
  assertThrowsTensile(() => new D.Geometric({ probs: 0 }), /^Geometric: expected parameter probs to be positive, but found 0/);
  assertThrowsTensile(() => new D.Geometric({ logits: 0 }).logProb(f([-1])), /^Geometric.logProb: expected the value to be a non-negative integer/);
  assertThrowsTensile(() => new D.NegativeBinomial(-1, { probs: 0.5 }), /^NegativeBinomial: expected parameter total_count to be non-negative/);
  assertThrowsTensile(() => new D.NegativeBinomial(2, { probs: 1 }), /^NegativeBinomial: expected parameter probs to be in \[0, 1\)/);
  assertThrowsTensile(() => new D.NegativeBinomial({ probs: 0.5 }), /^NegativeBinomial: totalCount is required/);
  assertThrowsTensile(() => new D.StudentT(f([1, -2])), /^StudentT: expected parameter df to be positive .* found -2 at flat index 1/);
  assertThrowsTensile(() => new D.StudentT(3, 0, 0), /^StudentT: expected parameter scale to be positive/);
  assertThrowsTensile(() => new D.Cauchy(0, -1), /^Cauchy: expected parameter scale to be positive/);
  assertThrowsTensile(() => new D.HalfNormal(0), /^HalfNormal: expected parameter scale to be positive/);
  assertThrowsTensile(() => new D.HalfNormal(1).logProb(f([-0.5])), /^HalfNormal.logProb: expected the value to be non-negative \(the support\), but found -0.5/);
  assertThrowsTensile(() => new D.HalfCauchy(1).cdf(f([-0.5])), /^HalfCauchy.cdf: expected the value to be non-negative/);
  assertThrowsTensile(() => new D.Gumbel(0, f([1, 0])), /^Gumbel: expected parameter scale to be positive .* found 0 at flat index 1/);
  assertThrowsTensile(() => new D.Chi2(-3), /^Chi2: expected parameter df to be positive/);
  assertThrowsTensile(() => new D.ContinuousBernoulli({ probs: 1.2 }), /^ContinuousBernoulli: expected parameter probs to be in \[0, 1\], but found 1.2/);
  assertThrowsTensile(() => new D.ContinuousBernoulli({ probs: 0.3 }).logProb(f([1.2])), /^ContinuousBernoulli.logProb: expected the value to be in \[0, 1\]/);
  assertThrowsTensile(() => new D.ContinuousBernoulli({ probs: 0.3, lims: [0.6, 0.7] }), /^ContinuousBernoulli: lims must be two numbers \[lo, hi\] with lo <= 0.5 <= hi/);
  assertThrowsTensile(() => new D.Gamma(1, 1).logProb(f([-1])), /^Gamma.logProb: expected the value to be non-negative/);
  assertThrowsTensile(() => new D.Gamma(1, 1).cdf(f([0, -1])), /^Gamma.cdf: expected the value to be non-negative \(the support\), but found -1 at flat index 1/);
  assertThrowsTensile(() => new D.Gamma(f([2]).requiresGrad_(), 1).cdf(f([1])).sum().backward(), /^special.gammainc: the derivative with respect to a \(the first argument\) is not implemented/);
  // TransformedDistribution and transforms
  assertThrowsTensile(() => new D.TransformedDistribution(new D.Normal(0, 1), [new D.ExpTransform(), "exp" as never]), /^TransformedDistribution: transforms must be a Transform or a list of Transforms/);
  assertThrowsTensile(() => new D.TransformedDistribution("normal" as never, []), /^TransformedDistribution: expected a base Distribution/);
  assertThrowsTensile(() => new D.TransformedDistribution(new D.Normal(0, 1), new D.SoftmaxTransform()), /^TransformedDistribution: base_distribution needs to have shape with size at least 1, but got \[\]/);
  assertThrowsTensile(() => new D.LogNormal(0, 1).logProb(f([0.5, -1])), /^LogNormal.logProb: expected the value to be positive \(the support\), but found -1 at flat index 1/);
  assertThrowsTensile(() => new D.TransformedDistribution(new D.Normal(0, 1), new D.SigmoidTransform()).logProb(f([1.5])), /^TransformedDistribution.logProb: expected the value to be in \[0, 1\]/);
  assertThrowsTensile(() => new D.TransformedDistribution(new D.Normal(zeros([3]), 1), new D.SoftmaxTransform()).logProb(f([0.2, 0.3, 0.5])), /^SoftmaxTransform.logAbsDetJacobian: not implemented/);
  assertThrowsTensile(() => new D.TransformedDistribution(new D.Normal(zeros([3]), 1), new D.SoftmaxTransform()).logProb(f([0.2, 0.3, 0.6])), /^TransformedDistribution.logProb: expected the value's sum over the last dim to be 1/);
  assertThrowsTensile(() => new D.ExpTransform().forward([1] as never), /^ExpTransform.forward: expected a Tensor/);
  assertThrowsTensile(() => new D.AffineTransform("a" as never, 1), /^AffineTransform: loc must be a Tensor or a number/);
  assertThrowsTensile(() => new D.AffineTransform(0, 1, { eventDim: -1 }), /^AffineTransform: eventDim must be a non-negative integer/);
  assertThrowsTensile(() => new D.ComposeTransform([new D.ExpTransform(), 3 as never]), /^ComposeTransform: expected an array of Transforms/);
  assert.deepEqual([new D.SoftmaxTransform().eventDim, new D.AffineTransform(0, 1, { eventDim: 2 }).eventDim, new D.ExpTransform().eventDim], [1, 2, 0]);
  assertThrowsTensile(() => new D.AbsTransform().sign, /^AbsTransform.sign: not defined/);
  // a decreasing power: Y = 1/X for X ~ U(1, 2) has P(Y ≤ y) = P(X ≥ 1/y) = 2 − 1/y (torch 1.13,
  // whose PowerTransform.sign is always +1, gives P(X ≤ 1/y) = 0.25 at y = 0.8 instead of 0.75)
  const inv = new D.TransformedDistribution(new D.Uniform(1, 2), [new D.PowerTransform(-1)]);
  assert.ok(Math.abs(Number(inv.cdf(tensor(0.8)).item()) - 0.75) < 1e-6, "cdf of a decreasing power");
  assert.ok(Math.abs(Number(inv.icdf(tensor(0.75)).item()) - 0.8) < 1e-6, "icdf of a decreasing power");
  // KL pairs PyTorch refuses
  assertThrowsTensile(() => D.klDivergence(new D.Binomial(3, { probs: 0.5 }), new D.Binomial(5, { probs: 0.5 })), /^klDivergence: KL between Binomials where q.total_count > p.total_count is not implemented/);
  assertThrowsTensile(() => D.klDivergence(new D.TransformedDistribution(new D.Normal(0, 1), new D.ExpTransform()), new D.TransformedDistribution(new D.Normal(0, 1), new D.SigmoidTransform())),
    /^klDivergence: no KL\(p \|\| q\) is implemented for TransformedDistributions with different transforms/);
  // a Chi2 is a Gamma, for KL too
  assert.ok(Math.abs(D.klDivergence(new D.Chi2(4), new D.Gamma(2, 0.5)).item()) < 1e-6);
});

test("expand: every class gives views of its parameters with the new batch shape, the same values broadcast, and gradients reaching the originals", () => {
  manualSeed(13);
  const f = (v: number[], shape = [v.length]) => tensor(v, { dtype: "float32" }).reshape(shape).requiresGrad_();
  // each maker builds a distribution of batch shape [3] (event shape as the class has) from fresh leaves, and a value for logProb
  type Made = { d: T.distributions.Distribution; leaves: Tensor[]; value: Tensor };
  const makers: Record<string, () => Made> = {
    Normal: () => { const l = f([0.1, -0.3, 0.5]), s = f([1, 2, 0.5]); return { d: new D.Normal(l, s), leaves: [l, s], value: tensor([0.2, 1, -1]) }; },
    LogNormal: () => { const l = f([0.1, -0.3, 0.5]), s = f([1, 2, 0.5]); return { d: new D.LogNormal(l, s), leaves: [l, s], value: tensor([0.2, 1, 3]) }; },
    Uniform: () => { const l = f([0, -1, 0.5]), h = f([1, 2, 0.75]); return { d: new D.Uniform(l, h), leaves: [l, h], value: tensor([0.2, 1, 0.6]) }; },
    Laplace: () => { const l = f([0.1, -0.3, 0.5]), s = f([1, 2, 0.5]); return { d: new D.Laplace(l, s), leaves: [l, s], value: tensor([0.2, 1, -1]) }; },
    Exponential: () => { const r = f([1, 2, 0.5]); return { d: new D.Exponential(r), leaves: [r], value: tensor([0.2, 1, 3]) }; },
    Gamma: () => { const a = f([1.5, 2, 0.5]), b = f([1]); return { d: new D.Gamma(a, b), leaves: [a, b], value: tensor([0.2, 1, 3]) }; },
    Chi2: () => { const df = f([1.5, 2, 4]); return { d: new D.Chi2(df), leaves: [df], value: tensor([0.2, 1, 3]) }; },
    Beta: () => { const a = f([1.5, 2, 0.5]), b = f([1, 3, 2]); return { d: new D.Beta(a, b), leaves: [a, b], value: tensor([0.2, 0.5, 0.7]) }; },
    Dirichlet: () => { const a = f([1.5, 2, 0.5, 1, 3, 2], [3, 2]); return { d: new D.Dirichlet(a), leaves: [a], value: tensor([[0.25, 0.75], [0.5, 0.5], [0.125, 0.875]]) }; },
    Poisson: () => { const r = f([1, 2, 0.5]); return { d: new D.Poisson(r), leaves: [r], value: tensor([0, 1, 3]) }; },
    Bernoulli: () => { const l = f([0.1, -0.3, 2]); return { d: new D.Bernoulli({ logits: l }), leaves: [l], value: tensor([0, 1, 1]) }; },
    Categorical: () => { const p = f([1, 2, 3, 4, 1, 1], [3, 2]); return { d: new D.Categorical({ probs: p }), leaves: [p], value: tensor([0, 1, 1], { dtype: "int32" }) }; },
    OneHotCategorical: () => { const l = f([1, 2, 3, 4, 1, 1], [3, 2]); return { d: new D.OneHotCategorical({ logits: l }), leaves: [l], value: tensor([[1, 0], [0, 1], [0, 1]]) }; },
    Binomial: () => { const p = f([0.2, 0.5, 0.9]); return { d: new D.Binomial(5, { probs: p }), leaves: [p], value: tensor([0, 3, 5]) }; },
    Geometric: () => { const p = f([0.2, 0.5, 0.9]); return { d: new D.Geometric({ probs: p }), leaves: [p], value: tensor([0, 3, 5]) }; },
    NegativeBinomial: () => { const n = f([2, 3.5, 1]), l = f([0.1, -0.3, 2]); return { d: new D.NegativeBinomial(n, { logits: l }), leaves: [n, l], value: tensor([0, 3, 5]) }; },
    StudentT: () => { const df = f([3, 4, 6]), l = f([0.1, -0.3, 0.5]); return { d: new D.StudentT(df, l, 2), leaves: [df, l], value: tensor([0.2, 1, -1]) }; },
    Cauchy: () => { const l = f([0.1, -0.3, 0.5]), s = f([1, 2, 0.5]); return { d: new D.Cauchy(l, s), leaves: [l, s], value: tensor([0.2, 1, -1]) }; },
    HalfNormal: () => { const s = f([1, 2, 0.5]); return { d: new D.HalfNormal(s), leaves: [s], value: tensor([0.2, 1, 3]) }; },
    HalfCauchy: () => { const s = f([1, 2, 0.5]); return { d: new D.HalfCauchy(s), leaves: [s], value: tensor([0.2, 1, 3]) }; },
    Gumbel: () => { const l = f([0.1, -0.3, 0.5]), s = f([1, 2, 0.5]); return { d: new D.Gumbel(l, s), leaves: [l, s], value: tensor([0.2, 1, -1]) }; },
    ContinuousBernoulli: () => { const p = f([0.2, 0.5, 0.9]); return { d: new D.ContinuousBernoulli({ probs: p }), leaves: [p], value: tensor([0.1, 0.5, 0.7]) }; },
    MultivariateNormal: () => {
      const l = f([0.1, -0.3, 0.5, 1, 0, 2], [3, 2]), L = f([1, 0, 0.5, 2], [2, 2]);
      return { d: new D.MultivariateNormal(l, { scaleTril: L }), leaves: [l, L], value: tensor([[0.2, 1], [-1, 0], [0.5, 0.5]]) };
    },
    Independent: () => { const l = f([0.1, -0.3, 0.5, 1, 0, 2], [3, 2]), s = f([1, 2, 0.5, 1, 1, 3], [3, 2]); return { d: new D.Independent(new D.Normal(l, s), 1), leaves: [l, s], value: tensor([[0.2, 1], [-1, 0], [0.5, 0.5]]) }; },
    TransformedDistribution: () => {
      const l = f([0.1, -0.3, 0.5]), a = f([2, 1, 0.5]);
      return { d: new D.TransformedDistribution(new D.Normal(l, 1), [new D.AffineTransform(0, a), new D.ExpTransform()]), leaves: [l, a], value: tensor([0.2, 1, 3]) };
    },
  };
  const methods: [string, (d: T.distributions.Distribution, v: Tensor) => Tensor][] = [
    ["logProb", (d, v) => d.logProb(v)], ["entropy", (d) => d.entropy()], ["mean", (d) => d.mean], ["variance", (d) => d.variance],
  ];
  for (const [name, make] of Object.entries(makers)) {
    const { d, value } = make();
    const ev = d.eventShape;
    const e = d.expand([4, 3]);
    assert.equal(e.constructor, d.constructor, name);
    assert.deepEqual([[...e.batchShape], [...e.eventShape]], [[4, 3], [...ev]], `${name}: shapes`);
    assert.deepEqual([[...d.batchShape]], [[3]], `${name}: the original is unchanged`);
    assert.deepEqual(e.sample([2]).shape, [2, 4, 3, ...ev], `${name}: sample shape`);
    if (e.hasRsample) assert.deepEqual(e.rsample().shape, [4, 3, ...ev], `${name}: rsample shape`);
    assert.equal(e.validateArgs, d.validateArgs);
    const v4 = value.expand([4, ...value.shape]);
    for (const [m, fn] of methods) {
      let want: Tensor;
      try {
        want = fn(d, v4);
      } catch (err) {
        if (err instanceof T.TensileError && /not implemented|has no/.test(err.message)) continue; // entropy / mean the class lacks
        throw err;
      }
      // the unexpanded distribution's values broadcast to the new batch shape
      const got = fn(e, v4);
      const shape = m === "logProb" || m === "entropy" ? [4, 3] : [4, 3, ...ev];
      assert.deepEqual(got.shape, shape, `${name} ${m} shape`);
      assertClose(`${name} ${m}`, got, { shape, dtype: want.dtype, data: Array.from(want.expand(shape).contiguous().dataSync(), Number) } as Enc, 1e-6, 1e-6);
    }
    // gradients through the expanded distribution reach the original leaves, equal to those through the unexpanded one
    const a = make(), b = make();
    a.d.expand([4, 3]).logProb(v4).sum().backward();
    b.d.logProb(v4).sum().backward();
    a.leaves.forEach((l, i) => {
      assert.ok(l.grad, `${name}: leaf ${i} got no gradient through expand`);
      assertClose(`${name} grad ${i}`, l.grad!, { shape: [...l.shape], dtype: "float32", data: Array.from(b.leaves[i]!.grad!.dataSync(), Number) } as Enc, 1e-5, 1e-6);
    });
  }
});

test("expand: views, not copies; size-1 dims broadcast; chains; validateArgs carries over; PyTorch's repr", () => {
  const loc = zeros([2, 1]), scale = T.ones([1]);
  const n = new D.Normal(loc, scale);
  const e = n.expand([5, 2, 3]);
  assert.deepEqual(e.batchShape, [5, 2, 3]);
  assert.equal(e.loc.storage, loc.storage, "loc is a view of the original");
  assert.equal(e.scale.storage, scale.storage, "scale is a view of the original");
  assert.deepEqual(e.expand([7, 5, 2, 3]).batchShape, [7, 5, 2, 3]);
  assert.deepEqual(e.expand([5, 2, 3]).batchShape, [5, 2, 3]);
  assert.deepEqual(new D.Normal(0, 1).expand([0, 3]).sample().shape, [0, 3]);
  const want = fx.cases.find((c) => c.name === "expand/Normal")!;
  assert.equal(new D.Normal(zeros([3]), 1).expand([2, 3]).toString(), want.repr);
  assert.equal(want.repr, "Normal(loc: torch.Size([2, 3]), scale: torch.Size([2, 3]))");
  assert.equal(new D.Normal(0.5, 2).expand([1]).toString(), fx.cases.find((c) => c.name === "expand/Normal/one")!.repr);
  // the expanded one still checks values (as PyTorch's, which keeps _validate_args), and does not when the original did not
  assertThrowsTensile(() => new D.Exponential(T.ones([3])).expand([2, 3]).logProb(tensor([-1])), /^Exponential.logProb: expected the value to be non-negative/);
  const unchecked = new D.Exponential(T.ones([3]), { validateArgs: false }).expand([2, 3]);
  assert.equal(unchecked.validateArgs, false);
  assert.deepEqual(unchecked.logProb(tensor([-1])).shape, [2, 3]);
  // a probs/logits distribution expands whichever it holds: a derived one keeps its graph to the given one
  const logits = zeros([3], { requiresGrad: true });
  const bern = new D.Bernoulli({ logits });
  assert.equal(bern.probs.requiresGrad, true);
  const be = bern.expand([2, 3]);
  assert.equal(be.toString(), "Bernoulli(logits: torch.Size([2, 3]))");
  be.probs.sum().backward();
  assert.deepEqual(Array.from(logits.grad!.dataSync()), [0.5, 0.5, 0.5]); // 2 · σ'(0)
  // StudentT expands its chi-squared too: each draw of an expanded scalar gets its own χ² (a shared one would give normal tails)
  manualSeed(21);
  const t = Array.from(new D.StudentT(3).expand([20000]).sample().dataSync(), (v) => Math.abs(Number(v))).sort((x, y) => x - y);
  const tail = t.filter((v) => v > 3 * t[10000]!).length / t.length; // t₃: 0.105, a normal: 0.043
  assert.ok(tail > 0.08 && tail < 0.13, `StudentT.expand draws: tail fraction ${tail}`);
  // MultivariateNormal keeps its unbroadcast Cholesky factor
  const mvn = new D.MultivariateNormal(zeros([2]), { covarianceMatrix: T.eye(2) }).expand([3]);
  assert.deepEqual([mvn.scaleTril.shape, mvn.covarianceMatrix.shape, mvn.loc.shape], [[2, 2], [3, 2, 2], [3, 2]]);
  // TransformedDistribution: the transforms' parameters broadcast a size-1 dim of the base (PyTorch expands the base)
  const td = new D.TransformedDistribution(new D.Normal(zeros([2, 1]), 1), new D.AffineTransform(zeros([3]), 1));
  assert.deepEqual([td.batchShape, td.baseDist.batchShape], [[2, 3], [2, 3]]);
  assert.deepEqual(td.sample([4]).shape, [4, 2, 3]);
  const tde = new D.TransformedDistribution(new D.Normal(zeros([3]), 1), new D.SoftmaxTransform()).expand([2]);
  assert.deepEqual([tde.batchShape, tde.eventShape, tde.baseDist.batchShape, tde.baseDist.eventShape], [[2], [3], [2], [3]]);
  assert.deepEqual(tde.sample().shape, [2, 3]);
});

test("expand: incompatible batch shapes throw TensileErrors naming the class and both shapes", () => {
  const cases: [T.distributions.Distribution, number[], RegExp][] = [
    [new D.Normal(zeros([2]), 1), [3], /^Normal.expand: the expanded size of the batch shape \(3\) must match the existing size \(2\) at non-singleton dimension 0; target batch shape \[3\], batch shape \[2\]$/],
    [new D.Normal(zeros([2, 3]), 1), [4, 2, 4], /^Normal.expand: the expanded size of the batch shape \(4\) must match the existing size \(3\) at non-singleton dimension 2; target batch shape \[4, 2, 4\], batch shape \[2, 3\]$/],
    [new D.Normal(zeros([2, 3]), 1), [3], /^Normal.expand: the number of sizes provided \(1\) must be greater or equal to the number of dimensions of the batch shape \(2\); target batch shape \[3\], batch shape \[2, 3\]$/],
    [new D.Categorical({ logits: zeros([2, 4]) }), [4], /^Categorical.expand: the expanded size .* target batch shape \[4\], batch shape \[2\]$/],
    [new D.Dirichlet(T.ones([2, 4])), [3], /^Dirichlet.expand: the expanded size .* target batch shape \[3\], batch shape \[2\]$/],
    [new D.MultivariateNormal(zeros([2, 3]), { scaleTril: T.eye(3) }), [3], /^MultivariateNormal.expand: .* target batch shape \[3\], batch shape \[2\]$/],
    [new D.Independent(new D.Normal(zeros([2, 3]), 1), 1), [3], /^Independent.expand: .* target batch shape \[3\], batch shape \[2\]$/],
    [new D.LogNormal(zeros([2]), 1), [5, 3], /^LogNormal.expand: .* target batch shape \[5, 3\], batch shape \[2\]$/],
    [new D.Gumbel(zeros([2]), 1), [3], /^Gumbel.expand: /],
    [new D.Normal(0, 1), [-1], /^Normal.expand: batchShape must be an array of non-negative integers, got/],
    [new D.Normal(0, 1), [1.5], /^Normal.expand: batchShape must be an array of non-negative integers/],
    [new D.Normal(0, 1), 3 as never, /^Normal.expand: batchShape must be an array of non-negative integers, got 3/],
  ];
  for (const [d, shape, re] of cases) assertThrowsTensile(() => d.expand(shape), re);
});
