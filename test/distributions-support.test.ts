/**
 * Distributions' `support`, `argConstraints`, `hasEnumerateSupport` / `enumerateSupport` against PyTorch 1.13
 * (fixtures/distributions-support.json, from tools/gen-distributions-support-fixtures.py): for every
 * distribution class, the support's repr, event dim and discreteness, `support.check` on points in
 * and out of it, the argument constraints' reprs, and enumerated supports — on every backend. Then
 * the constraints module, `sampleN`, `setDefaultValidateArgs`, Categorical's `paramShape`, and
 * transform caching (`cacheSize`, `withCache`: PyTorch's `_cache_size` semantics).
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import * as T from "../src/index.js";
import { type Tensor, tensor, withBackend } from "../src/core.js";
import { backendsUnderTest } from "./helpers/backends.js";
import { type Enc, assertThrowsTensile, dec, loadNnFixture } from "./nn-helpers.js";

const D = T.distributions;
type Dist = T.distributions.Distribution;
type ArgSpec = number | { t: Enc; grad: boolean };
interface Spec {
  dist: string; args?: ArgSpec[]; kwargs?: Record<string, ArgSpec>; expand?: number[]; base?: Spec; n?: number;
  transforms?: { t: string }[]; mixture?: Spec; component?: Spec;
}
interface Case {
  name: string; spec: Spec; batchShape: number[]; eventShape: number[];
  support: { repr: string; isDiscrete: boolean; eventDim: number }; args: Record<string, string>;
  hasEnumerateSupport: boolean; points: Enc; check: Enc; enumerate?: { expand: Enc; noExpand: Enc };
}
const fx = loadNnFixture<{ cases: Case[] }>("distributions-support.json");

const camel = (k: string) => k.replace(/_(\w)/g, (_, c: string) => c.toUpperCase());
const arg = (a: ArgSpec) => (typeof a === "number" ? a : dec(a.t));

/** The Tensile distribution a spec describes (PyTorch's keyword arguments become the options object, camelCased). */
function build(spec: Spec): Dist {
  let d: Dist;
  if (spec.dist === "Independent") d = new D.Independent(build(spec.base!), spec.n!);
  else if (spec.dist === "TransformedDistribution") d = new D.TransformedDistribution(build(spec.base!), spec.transforms!.map(() => new D.ExpTransform()));
  else if (spec.dist === "MixtureSameFamily") d = new D.MixtureSameFamily(build(spec.mixture!) as T.distributions.Categorical, build(spec.component!));
  else {
    const args = (spec.args ?? []).map(arg);
    const kw = Object.entries(spec.kwargs ?? {});
    const Ctor = (D as unknown as Record<string, new (...a: unknown[]) => Dist>)[spec.dist]!;
    d = kw.length ? new Ctor(...args, Object.fromEntries(kw.map(([k, v]) => [camel(k), arg(v)]))) : new Ctor(...args);
  }
  return spec.expand ? d.expand(spec.expand) : d;
}

const values = (t: Tensor) => Array.from(t.contiguous().dataSync(), Number);

test("the fixture covers every distribution class Tensile exports", () => {
  const covered = new Set(fx.cases.map((c) => c.spec.dist));
  const classes = Object.entries(D).filter(([k, v]) => typeof v === "function" && v.prototype instanceof D.Distribution && k !== "ExponentialFamily");
  const missing = classes.map(([k]) => k).filter((k) => !covered.has(k));
  assert.deepEqual(missing, []);
});

for (const backend of backendsUnderTest()) {
  describe(`distribution supports on ${backend.name}`, () => {
    for (const c of fx.cases) {
      test(`${c.name}: support, argConstraints and enumerateSupport match PyTorch`, () => withBackend(backend, () => {
        const d = build(c.spec);
        assert.deepEqual([...d.batchShape], c.batchShape);
        const s = d.support;
        assert.equal(s.toString(), c.support.repr, "support repr");
        assert.equal(s.eventDim, c.support.eventDim, "support event dim");
        assert.equal(s.isDiscrete, c.support.isDiscrete, "support isDiscrete");
        const got = s.check(dec(c.points));
        assert.equal(got.dtype, "bool");
        assert.deepEqual([...got.shape], c.check.shape, "check shape");
        assert.deepEqual(values(got), c.check.data, "check values");
        const args = Object.fromEntries(Object.entries(d.argConstraints).map(([k, v]) => [k, v.toString()]));
        assert.deepEqual(args, Object.fromEntries(Object.entries(c.args).map(([k, v]) => [camel(k), v])), "argConstraints");
        assert.equal(d.hasEnumerateSupport, c.hasEnumerateSupport, "hasEnumerateSupport");
        if (c.enumerate) {
          for (const [expand, want] of [[true, c.enumerate.expand], [false, c.enumerate.noExpand]] as const) {
            const e = d.enumerateSupport(expand);
            assert.deepEqual([...e.shape], want.shape, `enumerateSupport(${expand}) shape`);
            assert.deepEqual(values(e), want.data, `enumerateSupport(${expand}) values`);
            assert.equal(e.dtype, want.dtype === "int32" ? "int32" : d.hasEnumerateSupport && c.spec.dist.startsWith("Categorical") ? "int32" : e.dtype);
          }
        } else assertThrowsTensile(() => d.enumerateSupport(), /enumerateSupport: not implemented|cartesian product/);
      }));
    }

    test("constraints: Simplex, OneHot, Multinomial, matrix sets and independent reduce their event dims", () => withBackend(backend, () => {
      const C = D.constraints;
      assert.deepEqual(values(C.simplex.check(tensor([[0.3, 0.7], [0.5, 0.6], [-0.1, 1.1]]))), [1, 0, 0]);
      assert.deepEqual(values(C.oneHot.check(tensor([[0, 1], [1, 1], [0.5, 0.5]]))), [1, 0, 0]);
      assert.deepEqual(values(C.multinomial(3).check(tensor([[1, 2], [2, 2], [-1, 1]]))), [1, 0, 0]);
      assert.deepEqual(values(C.positive.independent(1).check(tensor([[1, 2], [1, 0]]))), [1, 0]);
      assert.deepEqual(values(C.lowerCholesky.check(tensor([[[1, 0], [2, 3]], [[1, 1], [0, 1]], [[1, 0], [0, -1]]]))), [1, 0, 0]);
      assert.deepEqual(values(C.positiveDefinite.check(tensor([[[2, 1], [1, 2]], [[1, 2], [2, 1]], [[1, 2], [0, 1]]]))), [1, 0, 0]);
      assert.deepEqual(values(C.integerInterval(0, tensor([2, 5])).check(tensor([[2, 5], [3, 5.5]]))), [1, 1, 0, 0]);
      assert.deepEqual(values(C.halfOpenInterval(0, 1).check(tensor([0, 1, Infinity, NaN]))), [1, 0, 0, 0]);
      assert.deepEqual(values(C.nonnegativeInteger.check(tensor([0, 2, Infinity, -1, 1.5]))), [1, 1, 0, 0, 0]);
      assert.deepEqual(values(C.real.check(tensor([1, NaN]))), [1, 0]);
      assert.equal(C.greaterThan(2).toString(), "GreaterThan(lower_bound=2.0)"); // a JS number prints as a Python float
      assert.equal(C.greaterThan(tensor(2)).toString(), "GreaterThan(lower_bound=2)"); // a 0-d int32 tensor as its item, an int
      assert.equal(C.lessThan(1e-5).toString(), "LessThan(upper_bound=1e-05)");
      assert.equal(C.realVector.toString(), "IndependentConstraint(Real(), 1)");
      assert.equal(C.independent(C.positive, 2).eventDim, 2);
    }));
  });
}

describe("constraints: errors", () => {
  test("check and validate name the constraint and the value", () => {
    const C = D.constraints;
    assertThrowsTensile(() => C.dependent.check(tensor([1])), /Dependent\(\)\.check: cannot determine validity of a dependent constraint/);
    assertThrowsTensile(() => C.positive.independent(2).check(tensor([1, 2])), /IndependentConstraint\(GreaterThan\(lower_bound=0\.0\), 2\)\.check: expected value\.dim\(\) >= 2 but got 1/);
    assertThrowsTensile(() => C.real.check([1] as unknown as Tensor), /Real\(\)\.check: expected a Tensor, got/);
    assertThrowsTensile(() => C.positive.independent(-1), /constraints\.independent: reinterpreted_batch_ndims must be a non-negative integer, got -1/);
    assertThrowsTensile(() => C.interval(0, "1" as unknown as number), /constraints\.Interval: upper_bound must be a number or a Tensor/);
    assertThrowsTensile(() => C.interval(tensor([0, 1]), 2).validate("op", tensor([0.5, 0.5])), /op: expected the value to be in \[the bound, 2\].*not at flat index 1/);
    assertThrowsTensile(() => C.positive.validate("op", tensor([1, -2])), /op: expected the value to be positive \(the support\), but found -2 at flat index 1/);
  });

  test("Uniform and Pareto log_prob validate against their parameter-dependent support", () => {
    assertThrowsTensile(() => new D.Pareto(tensor([0.5, 2]), tensor(2.5)).logProb(tensor([1, 1])), /Pareto\.logProb: expected the value to be at least scale/);
    assertThrowsTensile(() => new D.Uniform(0, 2).logProb(tensor(3)), /Uniform\.logProb: expected the value to be in the support \[low, high\)/);
  });

  test("Independent with reinterpreted dims cannot enumerate; Normal has no enumerateSupport", () => {
    const d = new D.Independent(new D.Bernoulli({ probs: tensor([0.3, 0.6]) }), 1);
    assert.equal(d.hasEnumerateSupport, false);
    assertThrowsTensile(() => d.enumerateSupport(), /Independent\.enumerateSupport: enumeration over cartesian product is not implemented/);
    assertThrowsTensile(() => new D.Normal(0, 1).enumerateSupport(), /Normal\.enumerateSupport: not implemented/);
    assertThrowsTensile(() => new D.Bernoulli({ probs: 0.5 }).enumerateSupport("yes" as unknown as boolean), /enumerateSupport: expand must be a boolean, got/);
  });
});

describe("sampleN, setDefaultValidateArgs, paramShape", () => {
  test("sampleN(n) is sample([n])", () => {
    T.manualSeed(3);
    const a = new D.Normal(tensor([0.5, 1.5]), 1).sampleN(4);
    T.manualSeed(3);
    const b = new D.Normal(tensor([0.5, 1.5]), 1).sample([4]);
    assert.deepEqual([...a.shape], [4, 2]);
    assert.deepEqual(values(a), values(b));
    assertThrowsTensile(() => new D.Normal(0, 1).sampleN(-1), /Normal\.sampleN: n must be a non-negative integer, got -1/);
  });

  test("setDefaultValidateArgs changes the default, not an explicit option", () => {
    assert.equal(D.Distribution.defaultValidateArgs, true);
    try {
      D.Distribution.setDefaultValidateArgs(false);
      const d = new D.Normal(0, -1); // no check: the default is off
      assert.equal(d.validateArgs, false);
      assert.equal(new D.HalfNormal(-1).validateArgs, false); // the subclasses that check before super() follow it too
      assertThrowsTensile(() => new D.Normal(0, -1, { validateArgs: true }), /Normal: expected parameter scale to be positive/);
      new D.Normal(0, 1).setDefaultValidateArgs(true); // the instance form sets the same default
      assert.equal(D.Distribution.defaultValidateArgs, true);
    } finally {
      D.Distribution.setDefaultValidateArgs(true);
    }
    assertThrowsTensile(() => new D.Normal(0, -1), /Normal: expected parameter scale to be positive/);
    assertThrowsTensile(() => D.Distribution.setDefaultValidateArgs(1 as unknown as boolean), /Distribution\.setDefaultValidateArgs: expected a boolean, got 1/);
  });

  test("Categorical.paramShape is [...batchShape, K], expanded too", () => {
    const c = new D.Categorical({ logits: tensor([[0.1, 0.2, 0.3], [0, 0, 0]]) });
    assert.deepEqual(c.paramShape, [2, 3]);
    assert.deepEqual(c.expand([4, 2]).paramShape, [4, 2, 3]);
  });
});

describe("transform caching (cacheSize, withCache)", () => {
  for (const backend of backendsUnderTest()) {
    test(`cacheSize 1 returns the cached tensors on ${backend.name}; 0 recomputes`, () => withBackend(backend, () => {
      const x = tensor([0.5, 1, 2]);
      const plain = new D.ExpTransform();
      assert.equal(plain.cacheSize, 0);
      assert.notEqual(plain.inverse(plain.forward(x)), x);
      const t = new D.ExpTransform({ cacheSize: 1 });
      const y = t.forward(x);
      assert.equal(t.forward(x), y, "same x: the cached y");
      assert.equal(t.inverse(y), x, "inverse of the cached y is x itself");
      assert.equal(t.inv.forward(y), x, "the inverse transform shares the cache");
      assert.equal(t.inv.cacheSize, 1);
      const y2 = tensor([1, 2]);
      const x2 = t.inverse(y2);
      assert.equal(t.forward(x2), y2, "an inverse call fills the cache too");
    }));
  }

  test("withCache returns this for the same size, else a copy over the same parameters; ComposeTransform caches its parts", () => {
    const e = new D.ExpTransform();
    assert.equal(e.withCache(0), e);
    const e1 = e.withCache(1);
    assert.ok(e1 instanceof D.ExpTransform);
    assert.equal(e1.cacheSize, 1);
    assert.equal(e1.withCache(1), e1);
    const a = new D.AffineTransform(tensor([1, 2]), 3, { eventDim: 1 }).withCache() as T.distributions.AffineTransform;
    assert.equal(a.cacheSize, 1);
    assert.equal(a.eventDim, 1);
    assert.equal(a.scale, 3);
    const c = new D.ComposeTransform([new D.ExpTransform(), new D.AffineTransform(1, 2)]).withCache(1) as T.distributions.ComposeTransform;
    assert.deepEqual(c.parts.map((p) => p.cacheSize), [1, 1]);
    const x = tensor([0.1, 0.2]);
    assert.equal(c.inverse(c.forward(x)), x);
    const inv = new D.SigmoidTransform().inv.withCache(1);
    assert.equal(inv.cacheSize, 1);
    assert.ok(inv.inv instanceof D.SigmoidTransform);
    for (const t of [new D.StackTransform([new D.ExpTransform()], 0), new D.CatTransform([new D.ExpTransform()], 0, [2]), new D.IndependentTransform(new D.ExpTransform(), 1),
      new D.ReshapeTransform([2], [2, 1]), new D.CumulativeDistributionTransform(new D.Normal(0, 1)), new D.StickBreakingTransform(), new D.PowerTransform(2)])
      assert.equal(t.withCache(1).cacheSize, 1, t.constructor.name);
    // a TransformedDistribution whose transform caches: logProb of a draw pulls back the exact x
    const d = new D.TransformedDistribution(new D.Normal(0, 1), [new D.ExpTransform({ cacheSize: 1 })]);
    const s = d.sample([3]);
    assert.ok(Number.isFinite(values(d.logProb(s))[0]!));
  });

  test("bad cache sizes are refused as PyTorch does", () => {
    assertThrowsTensile(() => new D.ExpTransform().withCache(2 as 1), /ExpTransform\.withCache: cache_size must be 0 or 1, got 2/);
    assertThrowsTensile(() => new D.ExpTransform({ cacheSize: 3 as 1 }), /ExpTransform: cache_size must be 0 or 1, got 3/);
    class Custom extends D.Transform {
      constructor(readonly k: number) {
        super();
      }
      get domain() { return D.constraints.real; }
      get codomain() { return D.constraints.real; }
      protected call(x: Tensor) { return x.mul(this.k); }
      protected inverseCall(y: Tensor) { return y.div(this.k); }
    }
    assertThrowsTensile(() => new Custom(2).withCache(1), /Custom\.withCache: not implemented/);
  });
});
