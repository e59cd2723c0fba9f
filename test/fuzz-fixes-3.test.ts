// Regression tests for the bugs the third differential-fuzzing pass found (tools/fuzz/ families norm,
// convt, index2, cum; /tmp/report-fuzz3.md): advanced indexing with several or multi-dim index
// tensors and masks, unique(dim), diff(n = 0) with prepend/append, batch/instance norm with no values
// per channel and with eps = 0 on a constant channel. Expected values are torch 1.13's, in
// fixtures/fuzz-fixes-3.json (written by tools/gen-fuzz-fixes-3-fixtures.py), on every backend.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import * as T from "../src/index.js";
import { type TensorSpec, assertClose, makeTensor } from "./helpers/fixtures.js";
import { gradcheck } from "./helpers/gradcheck.js";
import { backendsUnderTest } from "./helpers/backends.js";

/* eslint-disable @typescript-eslint/no-explicit-any */
const fx = JSON.parse(readFileSync(fileURLToPath(new URL("../fixtures/fuzz-fixes-3.json", import.meta.url)), "utf8")) as any;
const { tensor, F } = T;
const forEachBackend = (fn: (name: string) => void) => {
  for (const b of backendsUnderTest()) T.withBackend(b, () => fn(b.name));
};
const load = (spec: TensorSpec) => makeTensor(spec).leaf;
const msg = (re: RegExp) => (e: unknown) => e instanceof T.TensileError && re.test(e.message);
const same = (what: string, got: T.Tensor, spec: TensorSpec) => {
  assert.equal(got.dtype, spec.dtype ?? "float32", `${what}: dtype`);
  assertClose(what, got, spec, 1e-12, 1e-12);
};
/** The output gradient the generator used: ((k·7) mod 11 − 5)/4, row-major. */
const gw = (shape: readonly number[]) => {
  const n = shape.reduce((a, b) => a * b, 1);
  return tensor(Array.from({ length: n }, (_, k) => (((k * 7) % 11) - 5) / 4), { shape: [...shape], dtype: "float64" });
};
const x234 = () => T.arange(24, { dtype: "float64" }).reshape([2, 3, 4]).mul(0.5).sub(3);
const items = (spec: any[]): T.IndexItem[] => spec.map((it) => (it && typeof it === "object" ? load(it.t) : it));

// ---- advanced indexing: x[i, :, j], multi-dim index tensors, k-D masks (Tensile took one 1-D tensor) ----
test("index: several broadcast index tensors, multi-dim index tensors and k-D masks as torch 1.13 (values and gradients)", () => {
  forEachBackend((b) => {
    for (const [name, c] of Object.entries<any>(fx.index)) {
      if (name === "errors" || name === "emptyDim" || name === "emptyBroadcast") continue;
      const x = x234().requiresGrad_();
      const y = x.index(items(c.items));
      same(`${b} ${name}`, y, c.out);
      y.backward(gw(y.shape));
      same(`${b} ${name} grad`, x.grad!, c.grad);
    }
    same(`${b} emptyDim`, T.zeros([2, 0, 3], { dtype: "float32" }).index([tensor([1, 0]), ":", tensor([2, 2])]), fx.index.emptyDim.out);
    // an out-of-range entry is not read when the result is empty (an empty broadcast or slice): no error, as torch
    same(`${b} emptyBroadcast`, T.zeros([2, 3], { dtype: "float32" }).index([tensor([5]), T.zeros([0], { dtype: "int32" })]), fx.index.emptyBroadcast.out);
    same(`${b} emptySlice`, T.zeros([1, 3], { dtype: "float32" }).index(["1:", tensor([5])]), fx.index.emptyBroadcast.emptySlice);
  });
});

test("index: errors for out-of-range entries, index tensors that do not broadcast, masks of the wrong shape", () => {
  const e = fx.index.errors;
  assert.match(e.oob, /out of bounds/);
  assert.throws(() => T.zeros([2, 3]).index([tensor([0, 1]), tensor([3, 0])]), msg(/^index: index 3 is out of bounds for dimension 1 with size 3/));
  assert.match(e.broadcast, /could not be broadcast/);
  assert.throws(() => T.zeros([2, 3]).index([tensor([0, 1]), tensor([0, 1, 2])]), msg(/^index: shape mismatch: indexing tensors could not be broadcast together with shapes \[2\], \[3\]/));
  assert.match(e.maskShape, /shape of the mask/);
  assert.throws(() => T.zeros([2, 3]).index([T.ones([3, 2], { dtype: "bool" })]), msg(/^index: the shape of the mask \[3, 2\] does not match/));
  assert.throws(() => T.zeros([2, 3]).index([T.ones([2, 3, 1], { dtype: "bool" })]), msg(/too many indices/));
});

test("index: float64 gradcheck through two index tensors with repeats and through a 2-D mask", () => {
  const i = tensor([0, 1, 1, 0]), j = tensor([[2], [0]]);
  gradcheck((x) => x.index([i, ":", j]), x234(), "x[i, :, j]");
  const m = tensor([[true, false, true], [true, true, false]]);
  gradcheck((x) => x.index([m, "1:"]).mul(x.index([m, "1:"])), x234(), "x[m, 1:]^2");
});

// ---- unique(x, {dim}): Tensile ignored dim (flattened result) ----
test("unique with dim: the distinct slices in lexicographic order, inverse and counts as torch 1.13", () => {
  forEachBackend((b) => {
    for (const c of fx.unique.cases) {
      const x = load(c.x);
      const [v, inv, cnt] = T.unique(x, { dim: c.dim, returnInverse: true, returnCounts: true }) as T.Tensor[];
      same(`${b} unique dim ${c.dim} ${c.x.shape}`, v!, c.values);
      same(`${b} inverse`, inv!, c.inverse);
      same(`${b} counts`, cnt!, c.counts);
      // without the extra outputs: the values alone
      same(`${b} values only`, T.unique(x, { dim: c.dim }) as T.Tensor, c.values);
    }
    assert.ok(fx.unique.errors.zeroOther);
    assert.throws(() => T.unique(T.zeros([0, 2]), { dim: 1 }), msg(/^unique: There are 0 sized dimensions, and they aren't selected/));
    assert.ok(fx.unique.errors.scalar);
    assert.throws(() => T.unique(tensor(1), { dim: 0 }), msg(/^unique: Dimension specified as 0 but tensor has no dimensions/));
  });
});

// ---- diff(n = 0): x alone, prepend/append left out ----
test("diff with n = 0 returns a copy of x (prepend/append checked, not added) as torch 1.13; n = 1 concatenates", () => {
  forEachBackend((b) => {
    const x = load(fx.diff.x), p = load(fx.diff.p);
    const y = T.diff(x, 0, 1, p, p);
    same(`${b} n=0`, y, fx.diff.n0);
    y.add_(1); // a copy: x unchanged
    same(`${b} x unchanged`, x, fx.diff.x);
    same(`${b} n=1`, T.diff(x, 1, 1, p, p), fx.diff.n1);
    assert.ok(fx.diff.badPrepend);
    assert.throws(() => T.diff(x, 0, 1, T.ones([3, 1])), msg(/^diff: prepend \[3, 1\] must have the shape of input/));
  });
});

// ---- batch / instance norm with no values per channel: an empty result, running stats untouched ----
test("batchNorm in training with 0 values per channel (empty batch or spatial dim): empty result, stats and zero gradients as torch 1.13", () => {
  forEachBackend((b) => {
    for (const name of ["batch0", "spatial0", "both0"]) {
      const c = fx.norm[name];
      const x = T.zeros(c.shape, { dtype: "float64" }).requiresGrad_();
      const w = load(c.w).requiresGrad_(), bias = load(c.b).requiresGrad_();
      const rm = tensor([1, 2, 3], { dtype: "float64" }), rv = tensor([0.5, 1.5, 2.5], { dtype: "float64" });
      const y = F.batchNorm(x, rm, rv, { weight: w, bias, training: true, momentum: 0.5 });
      same(`${b} ${name} out`, y, c.out);
      same(`${b} ${name} rm`, rm, c.rm);
      same(`${b} ${name} rv`, rv, c.rv);
      y.sum().backward();
      same(`${b} ${name} grad w`, w.grad!, c.gw);
      same(`${b} ${name} grad b`, bias.grad!, c.gb);
    }
    const c = fx.norm.instance0;
    const rm = tensor([1, 2, 3], { dtype: "float64" }), rv = tensor([0.5, 1.5, 2.5], { dtype: "float64" });
    same(`${b} instance0`, F.instanceNorm(T.zeros([2, 3, 0], { dtype: "float64" }), rm, rv, { momentum: 0.5 }), c.out);
    same(`${b} instance0 rm`, rm, c.rm);
    same(`${b} instance0 rv`, rv, c.rv);
    // torch's F.instance_norm(x, weight=w, bias=b): one options object in runningMean's place
    const k = fx.norm.instanceKw;
    same(`${b} instanceNorm(x, {weight, bias})`, F.instanceNorm(load(k.x), { weight: load(k.w), bias: load(k.b), eps: 0.01 }), k.out);
    assert.throws(() => F.instanceNorm(load(k.x), 3 as never), msg(/^instanceNorm: expected runningMean to be a Tensor or null/));
    // exactly one value per channel is still refused, as torch
    const e = fx.norm.errors;
    assert.match(e.bn1, /more than 1 value per channel/);
    assert.throws(() => F.batchNorm(T.zeros([1, 3]), null, null, { training: true }), msg(/^batchNorm: expected more than 1 value per channel when training, got input size \[1, 3\]/));
    assert.match(e.bn1sp, /more than 1 value per channel/);
    assert.throws(() => F.batchNorm(T.zeros([1, 3, 1, 1]), null, null, { training: true }), msg(/more than 1 value per channel/));
    assert.match(e.in1, /more than 1 spatial element/);
    assert.throws(() => F.instanceNorm(T.zeros([2, 3, 1])), msg(/^instanceNorm: expected more than 1 spatial element when training/));
  });
});

// ---- eps = 0 and a constant channel: torch takes 1/√0 as 0 (the shift, zero gradient), Tensile gave NaN ----
test("batchNorm / instanceNorm with eps = 0 on a constant channel give the bias and finite gradients as torch 1.13", () => {
  forEachBackend((b) => {
    const c = fx.norm.eps0batch;
    const x = load(c.x).requiresGrad_(), w = load(c.w).requiresGrad_(), bias = load(c.b).requiresGrad_();
    const rm = T.zeros([2], { dtype: "float64" }), rv = T.ones([2], { dtype: "float64" });
    const y = F.batchNorm(x, rm, rv, { weight: w, bias, training: true, momentum: 0.5, eps: 0 });
    same(`${b} batch out`, y, c.out);
    same(`${b} batch rm`, rm, c.rm);
    same(`${b} batch rv`, rv, c.rv);
    y.backward(gw(y.shape));
    same(`${b} batch grad x`, x.grad!, c.gx);
    same(`${b} batch grad w`, w.grad!, c.gw);
    same(`${b} batch grad b`, bias.grad!, c.gb);
    const ci = fx.norm.eps0instance;
    const xi = load(ci.x).requiresGrad_(), bi = load(ci.b).requiresGrad_();
    const yi = F.instanceNorm(xi, null, null, { bias: bi, eps: 0 });
    same(`${b} instance out`, yi, ci.out);
    yi.backward(gw(yi.shape));
    same(`${b} instance grad x`, xi.grad!, ci.gx);
    same(`${b} instance grad b`, bi.grad!, ci.gb);
  });
  // the non-constant channel keeps its ordinary gradient: gradcheck it (eps 0, batch statistics)
  gradcheck((x) => F.batchNorm(x, null, null, { training: true, eps: 0 }), tensor([[2, 1], [2.5, -3], [1, 0.5]], { dtype: "float64" }), "batchNorm eps 0");
});

// ---- torch.norm(p = ±inf) over an empty dim: 0 (amax refused it), so F.normalize of an empty tensor works ----
test("norm with p = ±Infinity over an empty dim is 0 as torch.norm, F.normalize(p = Infinity) of an empty tensor is empty, histc refuses a NaN range", () => {
  forEachBackend((b) => {
    for (const [shape, spec] of Object.entries<any>(fx.misc.normInf)) {
      const s = JSON.parse(shape) as number[];
      same(`${b} norm inf ${shape}`, T.norm(T.zeros(s), Infinity, s.length - 1, true), spec);
    }
    same(`${b} norm -inf`, T.norm(T.zeros([2, 0]), -Infinity, 1), fx.misc.normNegInf);
    // histc's automatic range (min = max = 0) over data with a NaN is NaN: refused as torch refuses it
    assert.match(fx.misc.histcNan, /range of \[-nan, -nan\] is not finite/);
    assert.throws(() => T.histc(tensor([1, NaN, 2]), 4), msg(/^histc: range of \[NaN, NaN\] is not finite/));
    assert.match(fx.misc.histcInf, /is not finite/);
    assert.throws(() => T.histc(tensor([1, Infinity, 2]), 4), msg(/^histc: range of \[1, Infinity\] is not finite/));
    const x = T.zeros([0]).requiresGrad_();
    const y = F.normalize(x, { p: Infinity, dim: -1 });
    assert.deepEqual([...y.shape], fx.misc.normalizeEmpty);
    y.sum().backward();
    assert.deepEqual([...x.grad!.shape], [0]);
  });
});

// ---- searchsorted with a sorter (Tensile refused the option) ----
test("searchsorted with { sorter } reads the sequence in sorter's order, 1-D and batched, as torch 1.13", () => {
  const c = fx.misc.sorter;
  forEachBackend((b) => {
    for (const side of ["left", "right"] as const) {
      same(`${b} 1-D ${side}`, T.searchsorted(load(c.s1), load(c.v1), { side, sorter: load(c.st1) }), c[`r1_${side}`]);
      same(`${b} 2-D ${side}`, T.searchsorted(load(c.s2), load(c.v2), { side, sorter: load(c.st2) }), c[`r2_${side}`]);
    }
    assert.match(c.badSize, /boundary and sorter must have the same size/);
    assert.throws(() => T.searchsorted(load(c.s1), load(c.v1), { sorter: load(c.st1).narrow(0, 0, 2) }),
      msg(/^searchsorted: boundary and sorter must have the same size, but got boundary tensor \[4\] and got sorter tensor \[2\]/));
    assert.throws(() => T.searchsorted(load(c.s1), load(c.v1), { sorter: tensor([0, 1, 2, 4]) }), msg(/^searchsorted: sorter index out of range/));
  });
});
