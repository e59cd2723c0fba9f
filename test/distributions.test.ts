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

const D = T.distributions;
type ArgSpec = number | { t: Enc; grad: boolean };
interface Spec { dist: string; args?: ArgSpec[]; kwargs?: Record<string, ArgSpec>; base?: Spec; n?: number }
interface Graded { out: Enc; weight: Enc; grads: (Enc | null)[] }
interface Case {
  name: string; spec: Spec; value?: Enc; p?: Enc; batchShape: number[]; eventShape: number[]; repr: string;
  log_prob?: Graded; entropy?: Graded; mean?: Graded; variance?: Graded; stddev?: Graded; cdf?: Graded; icdf?: Graded;
}
interface KlCase { name: string; p: Spec; q: Spec; kl: Enc; grads?: (Enc | null)[] }
const fx = loadNnFixture<{ cases: Case[]; kl: KlCase[] }>("distributions.json");

/** The Tensile distribution a spec describes, and its parameter tensors that require grad (PyTorch's order). */
function build(spec: Spec): [T.distributions.Distribution, Tensor[]] {
  if (spec.dist === "Independent") {
    const [base, leaves] = build(spec.base!);
    return [new D.Independent(base, spec.n!), leaves];
  }
  const leaves: Tensor[] = [];
  const arg = (a: ArgSpec) => {
    if (typeof a === "number") return a;
    const t = dec(a.t, { requiresGrad: a.grad });
    if (a.grad) leaves.push(t);
    return t;
  };
  const args = (spec.args ?? []).map(arg);
  const kwargs = Object.fromEntries(Object.entries(spec.kwargs ?? {}).map(([k, v]) => [k, arg(v)]));
  const Ctor = (D as unknown as Record<string, new (...a: unknown[]) => T.distributions.Distribution>)[spec.dist]!;
  const camel = (k: string) => k.replace(/_(\w)/g, (_, c: string) => c.toUpperCase());
  const opts = Object.fromEntries(Object.entries(kwargs).map(([k, v]) => [camel(k), v]));
  if (spec.args?.length && spec.kwargs && Object.keys(spec.kwargs).length) return [new Ctor(...args, opts), leaves];
  return [spec.args?.length ? new Ctor(...args) : new Ctor(kwargs), leaves];
}

const METHODS = ["log_prob", "entropy", "mean", "variance", "stddev", "cdf", "icdf"] as const;

function evaluate(d: T.distributions.Distribution, m: (typeof METHODS)[number], c: Case): Tensor {
  switch (m) {
    case "log_prob": return d.logProb(dec(c.value!));
    case "cdf": return d.cdf(dec(c.value!));
    case "icdf": return d.icdf(dec(c.p!));
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
  assertThrowsTensile(() => D.klDivergence(new D.Normal(0, 1), new D.Laplace(0, 1)), /^klDivergence: no KL\(p \|\| q\) is implemented for p Normal and q Laplace/);
  assertThrowsTensile(() => new D.Normal("a" as never, 1), /^Normal: loc must be a Tensor or a number/);
  const eye2 = T.eye(2);
  assertThrowsTensile(() => new D.MultivariateNormal(zeros([2]), { covarianceMatrix: eye2, scaleTril: eye2 }), /^MultivariateNormal: exactly one of covariance_matrix or precision_matrix or scale_tril may be specified, got 2/);
  assertThrowsTensile(() => new D.MultivariateNormal(zeros([2]), { covarianceMatrix: tensor([[1, 2], [2, 1]], { dtype: "float32" }) }), /^MultivariateNormal: covarianceMatrix is not positive-definite/);
  assertThrowsTensile(() => new D.MultivariateNormal(zeros([3]), { scaleTril: eye2 }), /^MultivariateNormal: scaleTril must be a batch of 3×3 matrices \(loc's last dim is 3\), got shape \[2, 2\]/);
  assertThrowsTensile(() => new D.MultivariateNormal(zeros([2]), { scaleTril: tensor([[1, 0.5], [0, 1]], { dtype: "float32" }) }), /^MultivariateNormal: expected scale_tril to be lower triangular/);
  // validateArgs: false skips the checks, as in PyTorch
  const unchecked = new D.Normal(0, -1, { validateArgs: false });
  assert.ok(Number.isNaN(unchecked.logProb(tensor([0])).item()));
  D.registerKl(D.Normal, D.Laplace, (p, q) => p.loc.sub(q.loc).abs());
  assert.equal(D.klDivergence(new D.Normal(2, 1), new D.Laplace(-1, 1)).item(), 3);
});
