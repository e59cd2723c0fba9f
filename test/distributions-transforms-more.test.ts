/**
 * IndependentTransform, ReshapeTransform, CatTransform, StackTransform, CumulativeDistributionTransform,
 * OneHotCategoricalStraightThrough and ExponentialFamily (natural parameters, log normalisers, the
 * Bregman entropy and KL) against PyTorch 1.13 (fixtures/distributions-more.json, from
 * tools/gen-distributions-more-fixtures.py): values and gradients on every backend; then float64
 * gradchecks and argument errors.
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import * as T from "../src/index.js";
import { Tensor, manualSeed, tensor, withBackend } from "../src/core.js";
import { backendsUnderTest } from "./helpers/backends.js";
import { gradcheck } from "./helpers/gradcheck.js";
import { type Enc, assertClose, assertThrowsTensile, dec, loadNnFixture } from "./nn-helpers.js";

const D = T.distributions;
type Dist = T.distributions.Distribution;
type Transform = T.distributions.Transform;
type ArgSpec = number | { t: Enc; grad: boolean };
interface Spec { dist: string; args?: ArgSpec[]; kwargs?: Record<string, ArgSpec>; base?: Spec; n?: number }
interface TSpec {
  t: string; of?: TSpec; parts?: TSpec[]; base?: TSpec; n?: number; in?: number[]; out?: number[]; dim?: number; lengths?: number[] | null;
  dist?: Spec; args?: ArgSpec[]; kwargs?: Record<string, ArgSpec>;
}
interface Graded { out: Enc; weight: Enc; grads: (Enc | null)[] }
interface TransformCase {
  name: string; spec: TSpec; x: Enc; y: Enc; repr: string; bijective: boolean; domainEventDim: number; codomainEventDim: number;
  eventDim: number | null; sign: number | Enc | null; forwardShape: number[]; inverseShape: number[]; forward: Graded; inverse: Graded; ladj: Graded;
}
interface TransformedCase { name: string; base: Spec; transforms: TSpec[]; value: Enc; batchShape: number[]; eventShape: number[]; logProb: Graded }
type Method = "log_prob" | "entropy" | "mean" | "variance" | "mode";
type DistCase = { name: string; spec: Spec; value?: Enc; batchShape: number[]; eventShape: number[]; repr: string } & Partial<Record<Method, Graded>>;
interface RsampleCase { name: string; spec: Spec; sampleShape: number[]; weight: Enc; grads: Enc[]; hasRsample: boolean; repr: string }
interface FamilyCase { name: string; spec: Spec; naturalParams: Enc[]; logNormalizer: Graded; bregmanEntropy: Enc | null; entropy: Enc | null }
interface ExpKlCase { name: string; p: Spec; q: Spec; kl: Enc; closedForm: Enc | null; qGrads: Enc[] | null }
const fx = loadNnFixture<{
  transforms: TransformCase[]; transformed: TransformedCase[];
  straightThrough: { cases: DistCase[]; rsample: RsampleCase[]; kl: Enc };
  expFamily: { classes: string[]; families: FamilyCase[] }; expKl: ExpKlCase[];
}>("distributions-more.json");

const camel = (k: string) => k.replace(/_(\w)/g, (_, c: string) => c.toUpperCase());
const ctor = <C>(name: string) => (D as unknown as Record<string, C>)[name]!;

function arg(a: ArgSpec, leaves: Tensor[]): number | Tensor {
  if (typeof a === "number") return a;
  const t = dec(a.t, { requiresGrad: a.grad });
  if (a.grad) leaves.push(t);
  return t;
}

/** The distribution a spec describes; its parameters that require grad are appended to `leaves` (PyTorch's order). */
function build(spec: Spec, leaves: Tensor[] = []): Dist {
  if (spec.dist === "Independent") return new D.Independent(build(spec.base!, leaves), spec.n!);
  const args = (spec.args ?? []).map((a) => arg(a, leaves));
  const kw = Object.entries(spec.kwargs ?? {});
  const Ctor = ctor<new (...a: unknown[]) => Dist>(spec.dist);
  return kw.length ? new Ctor(...args, Object.fromEntries(kw.map(([k, v]) => [camel(k), arg(v, leaves)]))) : new Ctor(...args);
}

/** The transform a spec describes (tools/gen-distributions-more-fixtures.py's format). */
function buildT(s: TSpec, leaves: Tensor[] = []): Transform {
  switch (s.t) {
    case "inv": return buildT(s.of!, leaves).inv;
    case "ComposeTransform": return new D.ComposeTransform(s.parts!.map((p) => buildT(p, leaves)));
    case "IndependentTransform": return new D.IndependentTransform(buildT(s.base!, leaves), s.n!);
    case "ReshapeTransform": return new D.ReshapeTransform(s.in!, s.out!);
    case "CatTransform": return new D.CatTransform(s.parts!.map((p) => buildT(p, leaves)), s.dim, s.lengths ?? undefined);
    case "StackTransform": return new D.StackTransform(s.parts!.map((p) => buildT(p, leaves)), s.dim);
    case "CumulativeDistributionTransform": return new D.CumulativeDistributionTransform(build(s.dist!, leaves));
    default: {
      const args = (s.args ?? []).map((a) => arg(a, leaves));
      const kw = Object.entries(s.kwargs ?? {});
      const Ctor = ctor<new (...a: unknown[]) => Transform>(s.t);
      return kw.length ? new Ctor(...args, Object.fromEntries(kw.map(([k, v]) => [camel(k), arg(v, leaves)]))) : new Ctor(...args);
    }
  }
}

/** Compares `out`, then the gradients of sum(out · weight) with respect to `leaves` (a null: PyTorch's None, so none or zeros here). */
function checkGraded(what: string, out: Tensor, want: Graded, leaves: Tensor[], rtol = 1e-4, atol = 1e-5): void {
  assertClose(what, out, want.out, rtol, atol);
  if (want.grads.every((g) => g === null) && !out.requiresGrad) return;
  out.mul(dec(want.weight)).sum().backward();
  want.grads.forEach((g, i) => {
    const got = leaves[i]!.grad;
    if (g) {
      assert.ok(got, `${what}: input ${i} got no gradient`);
      assertClose(`${what} grad ${i}`, got, g, rtol, atol);
    } else if (got) assert.equal(got.abs().sum().item(), 0, `${what}: input ${i} should get no gradient`);
  });
}

for (const backend of backendsUnderTest()) {
  describe(`structured transforms on ${backend.name}`, () => {
    for (const c of fx.transforms) {
      test(`${c.name}: forward, inverse, logAbsDetJacobian, gradients, event dims and shapes match PyTorch`, () => withBackend(backend, () => {
        const t = buildT(c.spec);
        assert.equal(t.toString(), c.repr);
        assert.equal(t.bijective, c.bijective, "bijective");
        assert.equal(t.domain.eventDim, c.domainEventDim, "domain event dim");
        assert.equal(t.codomain.eventDim, c.codomainEventDim, "codomain event dim");
        if (c.eventDim === null) assertThrowsTensile(() => t.eventDim, /different event dims/);
        else assert.equal(t.eventDim, c.eventDim, "eventDim");
        if (c.sign === null) assertThrowsTensile(() => t.sign, /sign: not defined/);
        else if (typeof c.sign === "number") assert.equal(t.sign, c.sign, "sign");
        else assertClose(`${c.name} sign`, t.sign as Tensor, c.sign);
        assert.deepEqual(t.forwardShape(c.x.shape), c.forwardShape, "forwardShape");
        assert.deepEqual(t.inverseShape(c.y.shape), c.inverseShape, "inverseShape");
        assert.ok(t.equals(t) && !t.equals(buildT(c.spec)), "equality is identity, as PyTorch (no __eq__)");
        let leaves: Tensor[] = [];
        let tt = buildT(c.spec, leaves);
        const x = dec(c.x, { requiresGrad: true });
        checkGraded(`${c.name} forward`, tt.forward(x), c.forward, [x, ...leaves]);
        leaves = [];
        tt = buildT(c.spec, leaves);
        const y = dec(c.y, { requiresGrad: true });
        checkGraded(`${c.name} inverse`, tt.inverse(y), c.inverse, [y, ...leaves]);
        leaves = [];
        tt = buildT(c.spec, leaves);
        const x2 = dec(c.x, { requiresGrad: true });
        checkGraded(`${c.name} logAbsDetJacobian`, tt.logAbsDetJacobian(x2, tt.forward(x2)), c.ladj, [x2, ...leaves]);
      }));
    }
    for (const c of fx.transformed) {
      test(`TransformedDistribution ${c.name}: shapes, logProb and its gradients match PyTorch`, () => withBackend(backend, () => {
        const leaves: Tensor[] = [];
        const base = build(c.base, leaves);
        const d = new D.TransformedDistribution(base, c.transforms.map((s) => buildT(s, leaves)));
        assert.deepEqual([...d.batchShape], c.batchShape, "batchShape");
        assert.deepEqual([...d.eventShape], c.eventShape, "eventShape");
        checkGraded(`${c.name} logProb`, d.logProb(dec(c.value)), c.logProb, leaves);
        assert.deepEqual(d.sample().shape, [...c.batchShape, ...c.eventShape], "sample shape");
      }));
    }
  });

  describe(`OneHotCategoricalStraightThrough and ExponentialFamily on ${backend.name}`, () => {
    for (const c of fx.straightThrough.cases) {
      test(`OneHotCategoricalStraightThrough ${c.name}: methods match PyTorch`, () => withBackend(backend, () => {
        const d0 = build(c.spec);
        assert.deepEqual([...d0.batchShape], c.batchShape);
        assert.deepEqual([...d0.eventShape], c.eventShape);
        assert.equal(d0.toString(), c.repr);
        for (const m of ["log_prob", "entropy", "mean", "variance", "mode"] as const) {
          const want = c[m];
          if (!want) continue;
          const leaves: Tensor[] = [];
          const d = build(c.spec, leaves);
          const out = m === "log_prob" ? d.logProb(dec(c.value!)) : m === "entropy" ? d.entropy() : d[m];
          checkGraded(`${c.name} ${m}`, out, want, leaves);
        }
      }));
    }
    for (const c of fx.straightThrough.rsample) {
      test(`OneHotCategoricalStraightThrough ${c.name}: rsample is one-hot, with PyTorch's straight-through gradient`, () => withBackend(backend, () => {
        const leaves: Tensor[] = [];
        const d = build(c.spec, leaves);
        assert.equal(d.hasRsample, c.hasRsample);
        assert.equal(d.toString(), c.repr);
        manualSeed(3);
        const s = d.rsample(c.sampleShape);
        assert.deepEqual(s.shape, c.weight.shape, "shape");
        assert.ok(s.requiresGrad, "rsample carries a graph");
        const v = Array.from(s.detach().dataSync(), Number);
        const k = d.eventShape[0]!;
        for (let i = 0; i < v.length; i += k) {
          const row = v.slice(i, i + k);
          const ones = row.filter((e) => e === 1).length, zeros = row.filter((e) => e === 0).length;
          assert.ok(ones === 1 && zeros === k - 1, `row ${i / k} is one-hot: ${row}`);
        }
        s.mul(dec(c.weight)).sum().backward();
        c.grads.forEach((g, i) => assertClose(`${c.name} grad ${i}`, leaves[i]!.grad!, g, 1e-4, 1e-5));
      }));
    }
    test("klDivergence(OneHotCategoricalStraightThrough, OneHotCategorical) uses OneHotCategorical's", () => withBackend(backend, () => {
      const p = new D.OneHotCategoricalStraightThrough({ logits: tensor([0.1, -0.5, 1.0]) });
      assertClose("kl", D.klDivergence(p, new D.OneHotCategorical({ logits: tensor([0.3, 0.2, -1.0]) })), fx.straightThrough.kl);
    }));

    test("the classes that extend ExponentialFamily are PyTorch's", () => {
      const names = Object.entries(D).filter(([, v]) => typeof v === "function" && v.prototype instanceof D.ExponentialFamily).map(([k]) => k).sort();
      assert.deepEqual(names, fx.expFamily.classes);
    });
    for (const c of fx.expFamily.families) {
      test(`${c.name}: natural parameters, log normalizer, Bregman and closed-form entropy match PyTorch`, () => withBackend(backend, () => {
        const params: Tensor[] = [];
        const d = build(c.spec, params) as T.distributions.ExponentialFamily;
        const np = d.naturalParams;
        assert.equal(np.length, c.naturalParams.length);
        np.forEach((p, i) => assertClose(`${c.name} natural param ${i}`, p, c.naturalParams[i]!, 1e-5, 1e-6));
        const leaves = np.map((p) => p.detach().requiresGrad_());
        checkGraded(`${c.name} logNormalizer`, d.logNormalizer(...leaves), c.logNormalizer, leaves);
        const bregman = () => D.ExponentialFamily.prototype.entropy.call(d);
        if (c.bregmanEntropy) {
          const h = bregman();
          assertClose(`${c.name} Bregman entropy`, h, c.bregmanEntropy, 1e-4, 1e-5);
          // as PyTorch, computed at detached natural parameters: no gradient reaches the distribution's
          if (h.requiresGrad) h.sum().backward();
          params.forEach((p) => assert.equal(p.grad, null));
        } else assertThrowsTensile(bregman, /meanCarrierMeasure: not implemented/);
        if (c.entropy) assertClose(`${c.name} entropy (closed form)`, d.entropy(), c.entropy, 1e-5, 1e-6);
        else assertThrowsTensile(() => d.entropy(), new RegExp(`${c.spec.dist}\\.entropy: not implemented`));
      }));
    }
    for (const k of fx.expKl) {
      test(`KL ${k.name} by the Bregman divergence matches PyTorch's _kl_expfamily_expfamily`, () => withBackend(backend, () => {
        const pl: Tensor[] = [], ql: Tensor[] = [];
        const p = build(k.p, pl) as T.distributions.ExponentialFamily, q = build(k.q, ql) as T.distributions.ExponentialFamily;
        const kl = k.closedForm ? D.klExponentialFamily(p, q) : D.klDivergence(p, q);
        assertClose(`kl ${k.name}`, kl, k.kl, 1e-4, 1e-5);
        if (k.closedForm) assertClose(`kl ${k.name} closed form`, D.klDivergence(p, q), k.closedForm, 1e-4, 1e-5);
        if (!k.qGrads) return;
        kl.sum().backward();
        k.qGrads.forEach((g, i) => assertClose(`kl ${k.name} q grad ${i}`, ql[i]!.grad!, g, 1e-4, 1e-5));
        pl.forEach((t) => assert.equal(t.grad, null, "p's parameters are detached, as in PyTorch"));
      }));
    }
  });
}

describe("structured transforms, straight-through and ExponentialFamily: float64 gradchecks", () => {
  const f64 = (a: number[] | number[][]) => tensor(a, { dtype: "float64" });
  test("CatTransform forward, inverse and logAbsDetJacobian (concatenated and summed)", () => {
    const t = new D.CatTransform([new D.ExpTransform(), new D.SoftplusTransform(), new D.TanhTransform()], -1, [2, 1, 2]);
    const x0 = f64([[0.3, -0.7, 1.1, 0.2, -0.4], [1.2, 0.5, -0.9, 0.6, 0.1]]);
    gradcheck((x) => t.forward(x), x0, "cat forward");
    gradcheck((x) => t.logAbsDetJacobian(x, t.forward(x)), x0, "cat ladj");
    gradcheck((y) => t.inverse(y), t.forward(x0), "cat inverse");
    const ev = new D.CatTransform([new D.IndependentTransform(new D.ExpTransform(), 1), new D.AffineTransform(0.5, f64([2, -3, 0.5]), { eventDim: 1 })], -1, [2, 3]);
    gradcheck((x) => ev.logAbsDetJacobian(x, ev.forward(x)), x0, "cat ladj over events");
    gradcheck((s) => new D.CatTransform([new D.ExpTransform(), new D.AffineTransform(0.1, s)], 0, [1, 2]).forward(f64([0.3, -0.2, 0.9])), f64([1.5, -0.5]), "cat forward wrt a part's parameter");
  });
  test("StackTransform forward, inverse and logAbsDetJacobian", () => {
    const t = new D.StackTransform([new D.SigmoidTransform(), new D.ExpTransform()], 1);
    const x0 = f64([[0.3, -0.7], [1.1, 0.2], [-0.4, 0.8]]);
    gradcheck((x) => t.forward(x), x0, "stack forward");
    gradcheck((x) => t.logAbsDetJacobian(x, t.forward(x)), x0, "stack ladj");
    gradcheck((y) => t.inverse(y), t.forward(x0), "stack inverse");
  });
  test("IndependentTransform and ReshapeTransform", () => {
    const x0 = f64([[0.3, -0.7, 1.1], [0.2, -0.4, 0.8]]);
    gradcheck((s) => { const t = new D.IndependentTransform(new D.AffineTransform(0.2, s), 1); return t.logAbsDetJacobian(x0, t.forward(x0)); }, f64([1.5, -0.5, 2]), "independent affine ladj wrt scale");
    const t = new D.IndependentTransform(new D.SigmoidTransform(), 1);
    gradcheck((x) => t.logAbsDetJacobian(x, t.forward(x)), x0, "independent sigmoid ladj");
    const r = new D.ReshapeTransform([3], [3, 1]);
    gradcheck((x) => r.forward(x).mul(x.unsqueeze(-1)), x0, "reshape forward");
  });
  test("CumulativeDistributionTransform: forward, inverse, logAbsDetJacobian, and the distribution's parameters", () => {
    const x0 = f64([-0.3, 0.7, 1.9]);
    const t = new D.CumulativeDistributionTransform(new D.Laplace(f64([0.1, -0.2, 0.5]), f64([1.3, 0.8, 2])));
    gradcheck((x) => t.forward(x), x0, "cdf forward");
    gradcheck((x) => t.logAbsDetJacobian(x, t.forward(x)), x0, "cdf ladj");
    gradcheck((y) => t.inverse(y), f64([0.2, 0.55, 0.9]), "cdf inverse");
    gradcheck((loc) => new D.CumulativeDistributionTransform(new D.Normal(loc, 1.5)).forward(x0), f64([0.1, -0.2, 0.5]), "cdf wrt loc");
  });
  test("klExponentialFamily with respect to q's parameters, and log normalizers", () => {
    const p = new D.Normal(f64([0.2, -1]), f64([1.1, 0.6]));
    gradcheck((s) => D.klExponentialFamily(p, new D.Normal(f64([0.5, 0.3]), s)), f64([0.9, 1.7]), "normal kl wrt q scale");
    const b = new D.Beta(f64([1.5, 0.7]), f64([2, 3]));
    gradcheck((a) => D.klExponentialFamily(b, new D.Beta(a, f64([1, 2.5]))), f64([0.8, 2.2]), "beta kl wrt q concentration1");
    const dir = new D.Dirichlet(f64([[1.5, 0.7, 2]]));
    gradcheck((a) => D.klExponentialFamily(dir, new D.Dirichlet(a)), f64([[0.8, 2.2, 1.1]]), "dirichlet kl");
    const cb = new D.ContinuousBernoulli({ probs: f64([0.3, 0.8]) });
    gradcheck((l) => D.klExponentialFamily(cb, new D.ContinuousBernoulli({ logits: l })), f64([0.4, -1.3]), "continuous bernoulli kl");
    const g = new D.Gamma(f64([2]), f64([1]));
    gradcheck((x) => g.logNormalizer(x, f64([-1.5, -0.7])), f64([0.5, 1.2]), "gamma log normalizer");
    const w = new D.Wishart(f64([4]), { covarianceMatrix: f64([[2, 0.3], [0.3, 1]]) });
    gradcheck((x) => w.logNormalizer(x, f64([1.5])), f64([[-0.6, 0.1], [0.1, -0.4]]), "wishart log normalizer");
  });
});

describe("structured transforms, straight-through and ExponentialFamily: errors", () => {
  test("bad arguments name the transform and the value at fault", () => {
    assertThrowsTensile(() => new D.ReshapeTransform([2, 3], [4]), /ReshapeTransform: in_shape \[2, 3\] and out_shape \[4\] have different numbers of elements \(6 and 4\)/);
    assertThrowsTensile(() => new D.ReshapeTransform([6], [2, 3]).forward(tensor([[1, 2, 3]])), /ReshapeTransform: shape mismatch/);
    assertThrowsTensile(() => new D.ReshapeTransform([6], [2, 3]).inverseShape([3]), /ReshapeTransform: too few dimensions on input/);
    assertThrowsTensile(() => new D.IndependentTransform(new D.ExpTransform(), -1), /IndependentTransform: reinterpreted_batch_ndims must be a non-negative integer, got -1/);
    assertThrowsTensile(() => new D.IndependentTransform(new D.ExpTransform(), 2).forward(tensor([1, 2])), /IndependentTransform.forward: too few dimensions on input/);
    assertThrowsTensile(() => new D.IndependentTransform("exp" as never, 1), /IndependentTransform: expected a base Transform/);
    assertThrowsTensile(() => new D.CatTransform([new D.ExpTransform()], 0, [1, 2]), /CatTransform: expected one length per transform \(1\), got 2 lengths/);
    assertThrowsTensile(() => new D.CatTransform([]), /CatTransform: expected at least one Transform/);
    assertThrowsTensile(() => new D.CatTransform([new D.ExpTransform(), new D.ExpTransform()], 0, [2, 2]).forward(tensor([1, 2, 3])),
      /CatTransform.forward: the input has size 3 at dim 0 \(shape \[3\]\), but the lengths sum to 4/);
    assertThrowsTensile(() => new D.CatTransform([new D.ExpTransform()], 2).forward(tensor([1])), /CatTransform.forward: dim 2 is out of range/);
    assertThrowsTensile(() => new D.StackTransform([new D.ExpTransform(), new D.ExpTransform()], 1).inverse(tensor([[1, 2, 3]])),
      /StackTransform.inverse: the input has size 3 at dim 1 \(shape \[1, 3\]\), but there are transforms: 2/);
    assertThrowsTensile(() => new D.StackTransform([1] as never), /StackTransform: expected an array of Transforms/);
    assertThrowsTensile(() => new D.CumulativeDistributionTransform({} as never), /CumulativeDistributionTransform: expected a Distribution/);
    assertThrowsTensile(() => new D.ReshapeTransform([6], [2, 3]).eventDim, /different event dims \(1 and 2\)/);
  });
  test("cat and stack domains check each slice against its own constraint", () => {
    const t = new D.CatTransform([new D.ExpTransform().inv, new D.SigmoidTransform().inv], 0, [2, 1]);
    assert.equal(t.domain.eventDim, 0);
    t.domain.check("probe", tensor([1, 2, 0.5]));
    assertThrowsTensile(() => t.domain.check("probe", tensor([1, 2, 1.5])), /probe: expected the value to be in \[0, 1\]/);
    assertThrowsTensile(() => t.domain.check("probe", tensor([-1, 2, 0.5])), /probe: expected the value to be positive/);
    const s = new D.StackTransform([D.identityTransform, new D.ExpTransform()], -1);
    assert.equal(s.codomain.eventDim, 1, "PyTorch's stack constraint: dim + event dim < 0 adds one");
    assertThrowsTensile(() => s.codomain.check("probe", tensor([[1, -2]])), /probe: expected the value to be positive/);
    assert.equal(new D.CumulativeDistributionTransform(new D.Exponential(1)).domain.name, "nonnegative");
    assert.equal(new D.CumulativeDistributionTransform(new D.Normal(0, 1)).domain.name, "real");
    assert.equal(new D.CumulativeDistributionTransform(new D.Beta(1, 2)).domain.name, "unit_interval");
    assert.equal(new D.CumulativeDistributionTransform(new D.Normal(0, 1)).codomain.name, "unit_interval");
    assert.equal(D.transforms.CatTransform, D.CatTransform, "in the transforms namespace too");
  });
  test("ExponentialFamily: no KL across families, no Bregman entropy without a mean carrier measure", () => {
    assertThrowsTensile(() => D.klDivergence(new D.Bernoulli({ probs: 0.3 }), new D.Normal(0, 1)),
      /klDivergence: the cross KL-divergence between different exponential families \(p Bernoulli, q Normal\) cannot be computed using Bregman divergences/);
    assertThrowsTensile(() => new D.Poisson(2).entropy(), /Poisson.entropy: not implemented/);
    class Bare extends D.ExponentialFamily {
      logProb(v: Tensor): Tensor {
        return v;
      }
    }
    assertThrowsTensile(() => new Bare([]).naturalParams, /Bare.naturalParams: not implemented/);
    assertThrowsTensile(() => new Bare([]).logNormalizer(tensor(1)), /Bare.logNormalizer: not implemented/);
  });
});
