/**
 * Default initialisations and nn.init: Tensile's sampled statistics against PyTorch's samples
 * (fixtures/nn-init.json) and the theoretical distribution, within sampling tolerance (six
 * standard errors), plus calculateGain, fans, orthogonality and errors.
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { Generator, Tensor, empty, manualSeed, zeros } from "../src/core.js";
import * as nn from "../src/nn/index.js";
import { assertThrowsTensile, loadNnFixture } from "./nn-helpers.js";

const init = nn.init;

interface Stats {
  min: number;
  max: number;
  mean: number;
  std: number;
  numel: number;
}
interface Dist {
  dist: "uniform" | "normal" | "truncnormal" | "orthogonal";
  bound?: number;
  low?: number;
  high?: number;
  mean?: number;
  std?: number;
  gain?: number;
  samples: Stats[];
}
const fx = loadNnFixture<{
  layers: { name: string; params: Record<string, Dist> }[];
  inits: (Dist & { name: string; shape: number[] })[];
  gains: [string, number | null, number][];
  fans: [number[], [number, number]][];
}>("nn-init.json");

function statsOf(t: Tensor): Stats {
  const a = t.dataSync();
  let min = Infinity, max = -Infinity, sum = 0;
  for (const v of a) {
    min = Math.min(min, v);
    max = Math.max(max, v);
    sum += v;
  }
  const mean = sum / a.length;
  let ss = 0;
  for (const v of a) ss += (v - mean) ** 2;
  return { min, max, mean, std: Math.sqrt(ss / (a.length - 1)), numel: a.length };
}

/**
 * Compares Tensile's sample `ours` with PyTorch's `theirs` (same distribution, independent
 * draws): mean and std within six standard errors of the difference of two samples; for uniform
 * distributions also the extremes (within 12 expected gaps) and the hard bounds.
 */
function assertSameDistribution(what: string, ours: Stats, theirs: Stats, d: Dist): void {
  const n = ours.numel;
  assert.equal(n, theirs.numel, `${what}: numel`);
  const sigma = theirs.std;
  // Var(sample std) ≈ σ²(κ − 1)/(4n); κ = 1.8 (uniform), 3 (normal; an upper bound for the others).
  const kurt = d.dist === "uniform" ? 1.8 : 3;
  const tolMean = 6 * sigma * Math.sqrt(2 / n);
  const tolStd = 6 * sigma * Math.sqrt((2 * (kurt - 1)) / (4 * n));
  assert.ok(Math.abs(ours.mean - theirs.mean) < tolMean, `${what}: mean ${ours.mean} vs PyTorch ${theirs.mean} (tol ${tolMean})`);
  assert.ok(Math.abs(ours.std - theirs.std) < tolStd, `${what}: std ${ours.std} vs PyTorch ${theirs.std} (tol ${tolStd})`);
  if (d.dist === "uniform") {
    const low = d.low ?? -d.bound!, high = d.high ?? d.bound!;
    const gap = (12 * (high - low)) / n;
    const eps = 1e-6 * (high - low);
    assert.ok(ours.min >= low - eps && ours.max <= high + eps, `${what}: range [${ours.min}, ${ours.max}] outside [${low}, ${high}]`);
    assert.ok(Math.abs(ours.min - theirs.min) < gap && Math.abs(ours.max - theirs.max) < gap, `${what}: extremes ${ours.min}, ${ours.max} vs PyTorch ${theirs.min}, ${theirs.max}`);
  }
  if (d.dist === "truncnormal")
    assert.ok(ours.min >= d.low! && ours.max <= d.high!, `${what}: range [${ours.min}, ${ours.max}] outside [${d.low}, ${d.high}]`);
  if (d.dist === "normal") {
    const tolTheory = 6 * d.std! * Math.sqrt(1 / n);
    assert.ok(Math.abs(ours.mean - d.mean!) < tolTheory && Math.abs(ours.std - d.std!) < tolTheory, `${what}: far from N(${d.mean}, ${d.std}²)`);
  }
}

const layerBuilders: Record<string, () => nn.Module> = {
  "Linear(784, 500)": () => new nn.Linear(784, 500),
  "Linear(500, 10)": () => new nn.Linear(500, 10),
  "Bilinear(20, 30, 40)": () => new nn.Bilinear(20, 30, 40),
  "Embedding(1000, 64)": () => new nn.Embedding(1000, 64),
};

describe("default initialisation of layers matches PyTorch's in distribution", () => {
  for (const { name, params } of fx.layers) {
    test(name, () => {
      for (let s = 0; s < 3; s++) {
        manualSeed(s);
        const got = Object.fromEntries(layerBuilders[name]!().namedParameters());
        for (const [p, d] of Object.entries(params)) assertSameDistribution(`${name}.${p} seed ${s}`, statsOf(got[p]!), d.samples[s]!, d);
      }
    });
  }
});

const initFns: Record<string, (t: Tensor) => Tensor> = {
  "uniform_(-0.3, 0.7)": (t) => init.uniform_(t, -0.3, 0.7),
  "normal_(0.5, 2)": (t) => init.normal_(t, { mean: 0.5, std: 2 }),
  xavierUniform_: (t) => init.xavierUniform_(t),
  "xavierUniform_(gain=tanh)": (t) => init.xavierUniform_(t, init.calculateGain("tanh")),
  xavierNormal_: (t) => init.xavierNormal_(t),
  "kaimingUniform_(relu)": (t) => init.kaimingUniform_(t, { nonlinearity: "relu" }),
  "kaimingUniform_(fan_out)": (t) => init.kaimingUniform_(t, 0, "fan_out"),
  "kaimingUniform_(a=sqrt5)": (t) => init.kaimingUniform_(t, Math.sqrt(5)),
  "kaimingNormal_(fan_out, relu)": (t) => init.kaimingNormal_(t, { mode: "fanOut", nonlinearity: "relu" }),
  "kaimingUniform_(conv, relu)": (t) => init.kaimingUniform_(t, 0, "fan_in", "relu"),
  "truncNormal_(1, 2, -1, 4)": (t) => init.truncNormal_(t, 1, 2, -1, 4),
  "truncNormal_()": (t) => init.truncNormal_(t),
  "orthogonal_(gain=2) [64, 128]": (t) => init.orthogonal_(t, 2),
  "orthogonal_ [128, 64]": (t) => init.orthogonal_(t),
};

describe("nn.init functions match PyTorch's in distribution", () => {
  for (const d of fx.inits) {
    test(d.name, () => {
      const fn = initFns[d.name];
      assert.ok(fn, `no Tensile call for ${d.name}`);
      for (let s = 0; s < 3; s++) {
        manualSeed(s);
        const t = empty(d.shape);
        assert.equal(fn(t), t, "returns its argument");
        assertSameDistribution(`${d.name} seed ${s}`, statsOf(t), d.samples[s]!, d);
        if (d.dist === "orthogonal") {
          // Rows (or columns, for tall matrices) are orthonormal up to the gain: W·Wᵀ = gain²·I.
          const [r, c] = d.shape as [number, number];
          const gram = r <= c ? t.matmul(t.t()) : t.t().matmul(t);
          const k = Math.min(r, c);
          const g = gram.dataSync();
          for (let i = 0; i < k; i++)
            for (let j = 0; j < k; j++) {
              const want = i === j ? d.gain! ** 2 : 0;
              assert.ok(Math.abs(g[i * k + j]! - want) < 1e-4 * d.gain! ** 2, `${d.name}: gram[${i}, ${j}] = ${g[i * k + j]}`);
            }
        }
      }
    });
  }
});

test("calculateGain equals PyTorch's calculate_gain", () => {
  for (const [name, param, want] of fx.gains) {
    assert.ok(Math.abs(init.calculateGain(name as Parameters<typeof init.calculateGain>[0], param) - want) < 1e-12, `${name}(${param})`);
  }
  assert.equal(init.calculateGain("leakyRelu", 0.2), init.calculateGain("leaky_relu", 0.2));
  assertThrowsTensile(() => init.calculateGain("swish" as never), /calculateGain: unsupported nonlinearity "swish"/);
});

test("fan in / fan out equal PyTorch's", () => {
  for (const [shape, fans] of fx.fans) assert.deepEqual(init.calculateFanInAndFanOut(empty(shape)), fans, `shape ${shape}`);
  assertThrowsTensile(() => init.kaimingUniform_(empty([5])), /fan in and fan out can not be computed for tensor with fewer than 2 dimensions \(shape \[5\]\)/);
  assertThrowsTensile(() => init.kaimingNormal_(empty([2, 2]), 0, "fan_avg" as never), /kaimingNormal_: mode "fan_avg" not supported/);
});

test("constant_, zeros_, ones_, eye_ fill in place; errors name the shape", () => {
  const t = empty([2, 3]);
  assert.deepEqual(init.constant_(t, 0.5).toArray(), [[0.5, 0.5, 0.5], [0.5, 0.5, 0.5]]);
  assert.equal(init.zeros_(t).abs().sum().item(), 0);
  assert.equal(init.ones_(t).sum().item(), 6);
  assert.deepEqual(init.eye_(t).toArray(), [[1, 0, 0], [0, 1, 0]]);
  assertThrowsTensile(() => init.eye_(empty([2, 2, 2])), /eye_: only tensors with 2 dimensions are supported, got shape \[2, 2, 2\]/);
  assertThrowsTensile(() => init.orthogonal_(empty([4])), /orthogonal_: only tensors with 2 or more dimensions/);
  assertThrowsTensile(() => init.truncNormal_(empty([4]), 0, 1, 2, -2), /truncNormal_: expected a < b/);
});

test("init works on parameters that require grad, and honours a generator", () => {
  const lin = new nn.Linear(4, 3);
  init.zeros_(lin.weight);
  assert.equal(lin.weight.abs().sum().item(), 0);
  assert.ok(lin.weight.requiresGrad && lin.weight.gradFn === null);
  const a = init.normal_(zeros([100]), { generator: new Generator(7) });
  const b = init.normal_(zeros([100]), 0, 1, { generator: new Generator(7) });
  assert.deepEqual(a.toArray(), b.toArray());
  const c = init.orthogonal_(zeros([5, 5]), { generator: new Generator(7) });
  assert.deepEqual(c.toArray(), init.orthogonal_(zeros([5, 5]), 1, { generator: new Generator(7) }).toArray());
});
