/** nn.utils: gradient clipping and parameter vectors against PyTorch (fixtures/nn-utils.json). */
import { test } from "node:test";
import assert from "node:assert/strict";
import { Parameter, Tensor, tensor, zeros } from "../src/core.js";
import * as nn from "../src/nn/index.js";
import { type Enc, assertClose, assertThrowsTensile, dec, loadNnFixture } from "./nn-helpers.js";

const fx = loadNnFixture<{
  shapes: number[][];
  grads: Enc[];
  clipGradNorm: { maxNorm: number; normType: number | "inf"; totalNorm: number; grads: Enc[] }[];
  clipGradValue: { clipValue: number; grads: Enc[] };
  params: Enc[];
  vector: Enc;
}>("nn-utils.json");

function paramsWithGrads(): Parameter[] {
  return fx.shapes.map((s, i) => {
    const p = new Parameter(zeros(s));
    p.grad = dec(fx.grads[i]!);
    return p;
  });
}

test("clipGradNorm_ returns PyTorch's total norm and clipped grads for norm types 2, 1, ∞, 3", () => {
  for (const c of fx.clipGradNorm) {
    const ps = paramsWithGrads();
    const normType = c.normType === "inf" ? Infinity : c.normType;
    const total = nn.utils.clipGradNorm_(ps, c.maxNorm, normType);
    assert.ok(Math.abs(total.item() - c.totalNorm) <= 1e-5 * c.totalNorm, `p=${normType}: total ${total.item()} vs ${c.totalNorm}`);
    ps.forEach((p, i) => assertClose(`p=${normType} max=${c.maxNorm} grad ${i}`, p.grad!, c.grads[i]!, 1e-5, 1e-7));
  }
});

test("clipGradNorm (alias), single tensors, parameters without grads, non-finite norms", () => {
  assert.equal(nn.utils.clipGradNorm, nn.utils.clipGradNorm_);
  const p = new Parameter(zeros([2]));
  assert.equal(nn.utils.clipGradNorm_([p], 1).item(), 0, "no grads: total norm 0");
  p.grad = tensor([3, 4], { dtype: "float32" });
  assert.ok(Math.abs(nn.utils.clipGradNorm_(p, 1).item() - 5) < 1e-6);
  assert.ok(Math.abs(p.grad.norm().item() - 1) < 1e-5);
  p.grad = tensor([Infinity, 1]);
  assertThrowsTensile(() => nn.utils.clipGradNorm_([p], 1, 2, { errorIfNonfinite: true }), /clipGradNorm_: the total norm of order 2 for gradients from parameters is non-finite/);
});

test("clipGradValue_ clamps like PyTorch", () => {
  const ps = paramsWithGrads();
  nn.utils.clipGradValue_(ps, fx.clipGradValue.clipValue);
  ps.forEach((p, i) => assertClose(`grad ${i}`, p.grad!, fx.clipGradValue.grads[i]!, 0, 0));
});

test("parametersToVector / vectorToParameters round trip", () => {
  const ps = fx.params.map((e) => new Parameter(dec(e)));
  const v = nn.utils.parametersToVector(ps);
  assertClose("vector", v, fx.vector, 0, 0);
  const fresh = fx.shapes.map((s) => new Parameter(zeros(s)));
  nn.utils.vectorToParameters(v, fresh);
  fresh.forEach((p, i) => assertClose(`param ${i}`, p, fx.params[i]!, 0, 0));
  assert.ok(fresh.every((p) => p.requiresGrad && p.isLeaf));
  // differentiable: d(sum of vector)/dp = 1
  nn.utils.parametersToVector(fresh).sum().backward();
  assert.ok(fresh.every((p) => p.grad!.sum().item() === p.numel()));
  assertThrowsTensile(() => nn.utils.vectorToParameters(zeros([3]), fresh), /vector of shape \[3\] does not match the 24 elements of the parameters/);
  assertThrowsTensile(() => nn.utils.vectorToParameters([1, 2] as unknown as Tensor, fresh), /expected a Tensor, but got: object/);
});
