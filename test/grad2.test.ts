// Second-order gradients (double backward) of the ops the fuzz family "grad2" (tools/fuzz/fam_grad2.py)
// found wrong: cross-entropy with class indices (its one-pass backward was raw kernels: zero Hessian),
// logSigmoid / BCE-with-logits at x = 0, smoothL1 / huber at d = 0, elu at x = 0, prod with zeros, the
// gradient of softplus at βx = threshold (halved: a first-order bug),
// 2-norm at a zero entry, and max pooling whose argmax indices a second pass released under the first
// pass's gradient graph. Values: torch 1.13 (tools/gen-grad2-fixtures.py → fixtures/grad2.json), on both
// backends; plus central-difference checks of the second derivative in float64.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { after, describe, test } from "node:test";
import * as T from "../src/index.js";
import { gradgradcheck } from "./helpers/gradcheck.js";

const before = T.getBackend();
after(() => T.setBackend(before));

interface Enc { shape: number[]; dtype: string; data: (number | string)[] }
interface Case { leaves: Record<string, Enc>; consts: Record<string, Enc>; v: Enc; u: Record<string, Enc>; y: Enc; g: Record<string, Enc>; h: Record<string, Enc> }
const fx = JSON.parse(readFileSync(new URL("../fixtures/grad2.json", import.meta.url), "utf8")) as { cases: Record<string, Case> };

const dec = (v: number | string): number => (v === "nan" ? NaN : v === "inf" ? Infinity : v === "-inf" ? -Infinity : Number(v));
const mk = (e: Enc, requiresGrad = false): T.Tensor =>
  T.tensor(e.data.map(dec), { shape: e.shape, dtype: e.dtype === "int32" ? "int32" : "float64", requiresGrad });

type Fn = (L: Record<string, T.Tensor>, C: Record<string, T.Tensor>) => T.Tensor;
// the same table as the generator's
const F = T.F;
const FNS: Record<string, Fn> = {
  cross_entropy_mean: (L, C) => F.crossEntropy(L.x!, C.t!),
  cross_entropy_sum_weight_ignore: (L, C) => F.crossEntropy(L.x!, C.t!, { weight: C.cw!, ignoreIndex: 1, reduction: "sum" }),
  cross_entropy_none_tanh: (L, C) => F.crossEntropy(L.x!, C.t!, { reduction: "none" }).tanh(),
  cross_entropy_linear: (L, C) => F.crossEntropy(F.linear(C.a!, L.w!), C.t!),
  cross_entropy_smoothing: (L, C) => F.crossEntropy(L.x!, C.t!, { labelSmoothing: 0.2 }),
  logsigmoid_at_zero: (L) => F.logsigmoid(L.x!),
  bce_logits_at_zero: (L, C) => F.binaryCrossEntropyWithLogits(L.x!, C.y!, { reduction: "sum" }),
  smooth_l1_kinks: (L) => F.smoothL1Loss(L.x!, L.w!, { reduction: "sum", beta: 0.5 }),
  huber_kinks: (L) => F.huberLoss(L.x!, L.w!, { reduction: "mean", delta: 0.5 }),
  softplus_at_threshold: (L) => F.softplus(L.x!, 2, 1),
  elu_at_zero: (L) => F.elu(L.x!, 0.5),
  prod_dim_zeros: (L) => T.prod(L.x!, 1),
  prod_all_one_zero: (L) => T.prod(L.x!).mul(3),
  norm2_zero_entry: (L) => T.norm(L.x!, 2, 1),
  max_pool2d_matmul: (L) => (F.maxPool2d(L.x!, 2, 1) as T.Tensor).matmul(L.w!),
  max_pool1d_tanh: (L) => (F.maxPool1d(L.x!, 2, 1) as T.Tensor).tanh().mul(2),
};

function close(what: string, got: T.Tensor, exp: Enc, tol = 1e-10): void {
  assert.deepEqual([...got.shape], exp.shape, `${what}: shape`);
  const a = got.dataSync(), e = exp.data.map(dec);
  for (let i = 0; i < e.length; i++)
    assert.ok(Math.abs(Number(a[i]) - e[i]!) <= tol * (1 + Math.abs(e[i]!)),
      `${what}: element ${i} is ${a[i]}, torch 1.13 gives ${e[i]} (all: [${Array.from(a as ArrayLike<number>).join(", ")}])`);
}

/** y, g = grad(sum(y·v), leaves, createGraph) and h = grad(Σ sum(g·u), leaves), as the generator. */
function run(f: Fn, c: Case) {
  const L = Object.fromEntries(Object.entries(c.leaves).map(([k, e]) => [k, mk(e, true)]));
  const C = Object.fromEntries(Object.entries(c.consts).map(([k, e]) => [k, mk(e)]));
  const names = Object.keys(L);
  const y = f(L, C);
  const gs = T.grad(y.mul(mk(c.v)).sum(), names.map((k) => L[k]!), { createGraph: true });
  let z: T.Tensor | null = null;
  gs.forEach((g, i) => {
    assert.ok(g!.requiresGrad, `the gradient of ${names[i]} must be differentiable under createGraph`);
    const t = g!.mul(mk(c.u[names[i]!]!)).sum();
    z = z ? z.add(t) : t;
  });
  const hs = T.grad(z!, names.map((k) => L[k]!), { allowUnused: true }).map((h, i) => h ?? T.zerosLike(L[names[i]!]!));
  return { y, g: Object.fromEntries(names.map((k, i) => [k, gs[i]!])), h: Object.fromEntries(names.map((k, i) => [k, hs[i]!])) };
}

for (const backend of T.listBackends()) {
  describe(`double backward against torch 1.13 [${backend}]`, () => {
    for (const [name, c] of Object.entries(fx.cases)) {
      test(name, () => T.withBackend(backend, () => {
        const f = FNS[name];
        assert.ok(f, `no Tensile function for fixture case ${name}`);
        const r = run(f, c);
        close(`${name} y`, r.y, c.y);
        for (const k of Object.keys(c.g)) close(`${name} grad ${k}`, r.g[k]!, c.g[k]!);
        for (const k of Object.keys(c.h)) close(`${name} second-order grad ${k}`, r.h[k]!, c.h[k]!);
      }));
    }
  });
}


describe("double backward against central differences (float64)", () => {
  const tgt = T.tensor([2, 0, 1], { dtype: "int32" });
  test("crossEntropy with class indices (the one-pass path)", () =>
    gradgradcheck((x) => F.crossEntropy(x, tgt, { reduction: "sum" }), [0.3, -1.2, 0.7, 1.1, 0.2, -0.4, -0.9, 0.5, 1.3], "crossEntropy", [3, 3]));
  test("softplus with β and threshold", () => gradgradcheck((x) => F.softplus(x, 2, 1), [0.3, -0.7, 0.45, -2], "softplus", [4]));
  test("logSigmoid around 0", () => gradgradcheck((x) => F.logsigmoid(x), [0.001, -0.7, 1.9, -3], "logSigmoid", [4]));
  test("prod with one zero per row", () => gradgradcheck((x) => T.prod(x, 1), [0, -1, 0.5, 2, 1.5, 0, 0.75, -0.5], "prod", [2, 4]));
  test("max pooling then matmul", () => gradgradcheck((x) =>
    (F.maxPool2d(x, 2, 1) as T.Tensor).matmul(T.tensor([[0.5, -1], [2, 0.25]], { dtype: "float64" })).square(),
  [0.1, 0.9, -0.3, 0.45, 1.7, -1.1, 0.2, 0.65, 1.3], "maxPool2d", [1, 1, 3, 3]));
  test("smoothL1Loss inside |d| < β", () => gradgradcheck((x) => F.smoothL1Loss(x.sin(), T.zerosLike(x), { beta: 2 }), [0.2, -0.6, 1.1], "smoothL1Loss", [3]));
});

describe("Function.onceDifferentiable (PyTorch's @once_differentiable)", () => {
  // x³ with a backward read from raw values: not differentiable again
  class RawCube extends T.autograd.Function {
    static override onceDifferentiable = true;
    static override forward(ctx: T.autograd.FunctionCtx, x: T.Tensor): T.Tensor {
      ctx.saveForBackward(x);
      return x.mul(x).mul(x);
    }
    static override backward(ctx: T.autograd.FunctionCtx, g: T.Tensor): T.Tensor {
      const [x] = ctx.savedTensors as [T.Tensor];
      const xs = Array.from(x.dataSync() as Float64Array), gs = g.dataSync() as Float64Array;
      return T.tensor(xs.map((v, i) => 3 * v * v * gs[i]!), { shape: [...x.shape], dtype: "float64" });
    }
  }
  test("first-order gradients as usual, createGraph included", () => {
    const x = T.tensor([1, -2, 0.5], { dtype: "float64", requiresGrad: true });
    RawCube.apply(x).sum().backward();
    assert.deepEqual(Array.from(x.grad!.dataSync()), [3, 12, 0.75]);
    const [g] = T.grad(RawCube.apply(x).sum(), [x], { createGraph: true });
    assert.deepEqual(Array.from(g!.dataSync()), [3, 12, 0.75]);
    assert.ok(g!.requiresGrad);
  });
  test("differentiating its gradient throws a TensileError naming the function", () => {
    const x = T.tensor([1, -2, 0.5], { dtype: "float64", requiresGrad: true });
    const [g] = T.grad(RawCube.apply(x).sum(), [x], { createGraph: true });
    assert.throws(() => g!.sum().backward(), (e: unknown) =>
      e instanceof T.TensileError && /RawCube: trying to differentiate twice a function that was marked onceDifferentiable/.test(e.message));
  });
});
