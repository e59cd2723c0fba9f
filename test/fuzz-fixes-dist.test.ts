// Regression tests for the distribution bugs the differential fuzzer's "dist" family found
// (tools/fuzz/fam_dist.py): Gamma/Chi2 refusing log_prob at 0 (in PyTorch's nonnegative support),
// cdf skipping the support check when validating (Uniform, Exponential, TransformedDistribution
// and so Pareto), Uniform.stddev's NaN gradient where low = high, and MultivariateNormal.logProb refusing
// a value of the other float dtype. Values, gradients and errors
// against torch 1.13 in fixtures/fuzz-fixes-dist.json (tools/gen-fuzz-fixes-dist-fixtures.py), on
// every backend; float64 gradchecks of the fixed gradients.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import * as T from "../src/index.js";
import { type TensorSpec, assertClose, makeTensor } from "./helpers/fixtures.js";
import { gradcheck } from "./helpers/gradcheck.js";
import { backendsUnderTest } from "./helpers/backends.js";

/* eslint-disable @typescript-eslint/no-explicit-any */
const fx = JSON.parse(readFileSync(fileURLToPath(new URL("../fixtures/fuzz-fixes-dist.json", import.meta.url)), "utf8")) as any;
const D = T.distributions;
const forEachBackend = (fn: (name: string) => void) => {
  for (const b of backendsUnderTest()) T.withBackend(b, () => fn(b.name));
};
type Case = { params: Record<string, TensorSpec>; value: TensorSpec; out?: TensorSpec; grads?: Record<string, TensorSpec | null>; error?: string };
type Fn = (p: Record<string, T.Tensor>, x: T.Tensor) => T.Tensor;

/** Runs `f` on the case's parameters (leaves with gradients) and value; checks torch's value and the
 * gradients of its sum, or that Tensile refuses with a TensileError matching `re` where torch raised. */
function check(b: string, name: string, f: Fn, re?: RegExp): void {
  const c = fx.cases[name] as Case;
  assert.ok(c, `fixture case ${name}`);
  const p: Record<string, T.Tensor> = {};
  for (const [k, s] of Object.entries(c.params)) p[k] = makeTensor({ ...s, requiresGrad: true }).leaf;
  const x = makeTensor(c.value).leaf;
  if (c.error) {
    assert.throws(() => f(p, x), (e: unknown) => e instanceof T.TensileError && (!re || re.test(e.message)), `${b} ${name}: torch: ${c.error}`);
    return;
  }
  const out = f(p, x);
  assertClose(`${b} ${name}`, out, c.out!, 1e-12, 1e-12);
  out.sum().backward();
  for (const [k, g] of Object.entries(c.grads ?? {})) {
    if (!g) continue;
    assertClose(`${b} ${name} grad ${k}`, p[k]!.grad ?? T.zerosLike(p[k]!), g, 1e-10, 1e-12);
  }
}

test("Gamma and Chi2 log_prob at 0 (in the nonnegative support) with validation: ±inf or log β, as torch", () => {
  forEachBackend((b) => {
    const gamma: Fn = (p, x) => new D.Gamma(p.concentration!, p.rate!, { validateArgs: true }).logProb(x);
    check(b, "gammaAtZero", gamma);
    check(b, "gammaNegative", gamma, /Gamma\.logProb: expected the value to be non-negative/);
    check(b, "chi2AtZero", (p, x) => new D.Chi2(p.df!, { validateArgs: true }).logProb(x));
  });
});

test("cdf checks the value against the support when validating (Uniform, Exponential, TransformedDistribution)", () => {
  forEachBackend((b) => {
    const uni: Fn = (p, x) => new D.Uniform(p.low!, p.high!, { validateArgs: true }).cdf(x);
    check(b, "uniformCdfOutside", uni, /Uniform\.cdf: expected the value to be in the support \[low, high\], but found 2\.5 at flat index 1 of shape \[2\]/);
    check(b, "uniformCdfBelow", uni, /Uniform\.cdf/);
    check(b, "uniformCdfEnds", uni); // [low, high] is closed here, as torch's interval
    const ex: Fn = (p, x) => new D.Exponential(p.rate!, { validateArgs: true }).cdf(x);
    check(b, "exponentialCdfNegative", ex, /Exponential\.cdf: expected the value to be non-negative .* found -0\.5/);
    check(b, "exponentialCdfZero", ex);
    const par: Fn = (p, x) => new D.Pareto(p.scale!, p.alpha!, { validateArgs: true }).cdf(x);
    check(b, "paretoCdfBelowScale", par, /Pareto\.cdf: expected the value to be non-negative/);
    check(b, "paretoCdfInside", par);
    check(b, "weibullCdfNegative", (p, x) => new D.Weibull(p.scale!, p.concentration!, { validateArgs: true }).cdf(x));
    check(b, "logNormalCdfZero", (p, x) => new D.LogNormal(p.loc!, p.scale!, { validateArgs: true }).cdf(x));
    // the same checks are skipped without validation: no error, torch's formula
    const u = new D.Uniform(0, 2, { validateArgs: false }).cdf(T.tensor([2.5, -1]));
    assert.deepEqual([...u.dataSync()], [1, 0]);
  });
});

test("Gumbel.cdf accepts every real value when validating (torch 1.13 refuses where its pulled-back uniform rounds to 1)", () => {
  forEachBackend((b) => {
    assert.match(fx.cases.gumbelCdfLarge.error, /within the support/);
    const gum: Fn = (p, x) => new D.Gumbel(p.loc!, p.scale!, { validateArgs: true }).cdf(x);
    check(b, "gumbelCdfLargeFormula", gum);
    check(b, "gumbelCdfFormula", gum);
  });
});

test("Uniform.stddev is (high − low)/√12: finite gradients where low = high, as torch", () => {
  forEachBackend((b) => {
    check(b, "uniformStddev", (p) => new D.Uniform(p.low!, p.high!, { validateArgs: false }).stddev);
  });
});

test("MultivariateNormal.logProb of a float64 value under float32 parameters: float32, as torch (was linalg.solve's dtype error)", () => {
  forEachBackend((b) => {
    const c = fx.cases.mvnMixedDtype as Case;
    const loc = makeTensor({ ...c.params.loc!, requiresGrad: true }).leaf;
    const L = makeTensor({ ...c.params.scale_tril!, requiresGrad: true }).leaf;
    const x = makeTensor({ ...c.value, requiresGrad: true }).leaf;
    const out = new D.MultivariateNormal(loc, { scaleTril: L, validateArgs: false }).logProb(x);
    assertClose(`${b} mvnMixedDtype`, out, c.out!, 1e-5, 1e-4);
    out.sum().backward();
    assertClose(`${b} mvnMixedDtype grad loc`, loc.grad!, c.grads!.loc!, 1e-5, 1e-5);
    assertClose(`${b} mvnMixedDtype grad scale_tril`, L.grad!, c.grads!.scale_tril!, 1e-5, 1e-5);
    assert.equal(x.grad!.dtype, "float64");
  });
});

test("gradchecks (float64): Uniform.stddev, Gamma.logProb at 0 in the rate, Exponential/Pareto.cdf", () => {
  forEachBackend((b) => {
    const f64 = (v: number[]) => T.tensor(Float64Array.from(v));
    gradcheck((lo) => new D.Uniform(lo, f64([0.75, 2]), { validateArgs: false }).stddev, f64([0.75, 0.5]), `${b} Uniform.stddev (low)`);
    gradcheck((r) => new D.Gamma(f64([1, 1]), r, { validateArgs: true }).logProb(f64([0, 0.5])), f64([1.5, 0.25]), `${b} Gamma.logProb rate`);
    gradcheck((r) => new D.Exponential(r, { validateArgs: true }).cdf(f64([0, 3])), f64([1.5, 0.25]), `${b} Exponential.cdf rate`);
    gradcheck((a) => new D.Pareto(f64([1, 1]), a, { validateArgs: true }).cdf(f64([1.5, 3])), f64([2, 0.5]), `${b} Pareto.cdf alpha`);
  });
});
