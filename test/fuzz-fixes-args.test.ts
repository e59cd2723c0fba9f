// Regression tests for the argument-handling bugs the differential fuzzer found (tools/fuzz/,
// report items #10 #12 #13 #15 #16 #18–#20 #22), against torch 1.13's values and errors in
// fixtures/fuzz-fixes-args.json (written by tools/gen-fuzz-fixes-args-fixtures.py), on every backend.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import * as T from "../src/index.js";
import { type TensorSpec, assertClose, makeTensor } from "./helpers/fixtures.js";
import { gradcheck } from "./helpers/gradcheck.js";
import { backendsUnderTest } from "./helpers/backends.js";

/* eslint-disable @typescript-eslint/no-explicit-any */
const fx = JSON.parse(readFileSync(fileURLToPath(new URL("../fixtures/fuzz-fixes-args.json", import.meta.url)), "utf8")) as any;
const { tensor, F } = T;
const forEachBackend = (fn: (name: string) => void) => {
  for (const b of backendsUnderTest()) T.withBackend(b, () => fn(b.name));
};
const load = (spec: TensorSpec) => makeTensor(spec).leaf;
const msg = (re: RegExp) => (e: unknown) => e instanceof T.TensileError && re.test(e.message);
const same = (what: string, got: T.Tensor, spec: TensorSpec) => {
  assert.equal(got.dtype, spec.dtype ?? "float32", `${what}: dtype`);
  assertClose(what, got, spec, 1e-6, 1e-6);
};
const OVERLAP = /unsupported operation: more than one element of the written-to tensor refers to a single memory location/;

// ---- #13: in-place writes into an expanded tensor ----
test("in-place ops on a self-overlapping (expanded) tensor are refused as torch 1.13 refuses them; fills are allowed", () => {
  const a5 = () => T.arange(5).float();
  const m = () => tensor([true, false, true, false, true]);
  const ops: Record<string, (x: T.Tensor) => unknown> = {
    add_: (x) => x.add_(a5()), add_scalar: (x) => x.add_(1), mul_: (x) => x.mul_(2), copy_: (x) => x.copy_(a5()),
    exp_: (x) => x.exp_(), neg_: (x) => x.neg_(), relu_: (x) => x.relu_(), clamp_: (x) => x.clamp_(0, 1),
    lerp_: (x) => x.lerp_(a5(), 0.5), addcmul_: (x) => x.addcmul_(a5(), a5()), cumsum_: (x) => x.cumsum_(0),
    uniform_: (x) => x.uniform_(), normal_: (x) => x.normal_(), bernoulli_: (x) => x.bernoulli_(),
    scatter_: (x) => x.scatter_(0, tensor([1]), T.ones([1])), indexAdd_: (x) => x.indexAdd_(0, tensor([1]), T.ones([1])),
    indexCopy_: (x) => x.indexCopy_(0, tensor([1]), T.ones([1])), maskedScatter_: (x) => x.maskedScatter_(m(), T.ones([5])),
    put_: (x) => x.put_(tensor([1]), T.ones([1])),
    fill_: (x) => x.fill_(2), zero_: (x) => x.zero_(), maskedFill_: (x) => x.maskedFill_(m(), 3),
    indexFill_: (x) => x.indexFill_(0, tensor([1]), 4), indexPut_: (x) => x.indexPut_([tensor([1])], tensor(5)),
  };
  forEachBackend((b) => {
    for (const [name, f] of Object.entries(ops)) {
      const c = fx.overlap[name];
      assert.ok(c, `fixture case ${name}`);
      const base = T.zeros([1]);
      if (c.error) assert.throws(() => f(base.expand([5])), msg(OVERLAP), `${b} ${name} (torch: ${c.error})`);
      else {
        f(base.expand([5]));
        same(`${b} ${name}`, base, c.base);
      }
    }
    // no overlap: a zero stride on a size-1 dim; unfold's shared windows are "too hard" for torch's check, allowed
    const one = T.zeros([1]);
    one.expand([1, 1]).add_(1);
    same(`${b} size-1 expand`, one, fx.overlap.sizeOne.base);
    // (allowed, not compared: torch's in-place kernel re-reads what it already wrote through another
    // window, Tensile computes the result first; the values of such a write are order-dependent)
    assert.ok(fx.overlap.unfold.base);
    T.arange(6).float().unfold(0, 3, 1).add_(1);
    // an empty expanded tensor writes nothing: allowed (torch 1.13 too; a fuzz case)
    T.zeros([1, 0, 3]).expand([5, 0, 3]).sin_();
    assert.equal(fx.overlap.tril_.error, null);
    T.zeros([1, 2]).expand([2, 2]).tril_();
    // the error names the op
    assert.throws(() => T.zeros([1]).expand([3]).sub_(1), msg(/^sub_: unsupported operation/));
  });
});

test("in-place overlap check: autograd-recorded writes are refused too, and a clone() makes the write legal", () => {
  const w = T.ones([1], { requiresGrad: true });
  const y = w.mul(2).expand([3]);
  assert.throws(() => y.add_(1), msg(OVERLAP));
  const z = w.mul(2).expand([3]).clone().add_(tensor([1, 2, 3]));
  z.sum().backward();
  assert.deepEqual(Array.from(w.grad!.dataSync()), [6]);
});

// ---- #10: scatter's reduce ----
test("scatter / Tensor.scatter / scatter_ with { reduce: 'add' | 'multiply' } as torch 1.13 (tensor and value src, int, bool)", () => {
  forEachBackend((b) => {
    fx.scatter.cases.forEach((c: any, k: number) => {
      const x = load(c.x), index = load(c.index);
      const src = c.src ? load(c.src) : c.value;
      const what = `${b} case ${k} (${c.reduce}, dim ${c.dim}, ${c.x.dtype})`;
      same(`${what} scatter`, T.scatter(x, c.dim, index, src, { reduce: c.reduce }), c.out);
      same(`${what} method`, x.scatter(c.dim, index, src, { reduce: c.reduce }), c.out);
      const y = x.clone();
      y.scatter_(c.dim, index, src, { reduce: c.reduce });
      same(`${what} scatter_`, y, c.out);
    });
    const x = tensor([1, 1, 1]), i = tensor([0, 0, 2]), s = tensor([5, 6, 7]);
    assert.ok(/add or multiply/.test(fx.scatter.badReduce));
    assert.throws(() => T.scatter(x, 0, i, s, { reduce: "mean" as any }), msg(/scatter: reduce argument must be either add or multiply/));
    assert.throws(() => T.scatter(x, 0, i, s, { reduc: "add" } as any), msg(/scatter: unknown option "reduc"/));
    assert.throws(() => T.scatter(x, 0, i, s, "add" as any), msg(/scatter: expected an options object/));
    // without reduce: the plain scatter
    assert.deepEqual(Array.from(T.scatter(x, 0, i, s, { reduce: null }).dataSync()), [6, 1, 7]);
  });
});

test("scatter with reduce: gradient (a deliberate difference: torch 1.13 has none) checked numerically", () => {
  assert.ok(/not implemented/.test(fx.scatter.noGrad)); // torch's refusal, documented in docs/pytorch-names.md
  const x0 = tensor([[1.5, -2, 0.5], [3, 0.25, -1]], { dtype: "float64" });
  const src = tensor([[2, 3, 4], [5, 6, 7]], { dtype: "float64" });
  const idx = tensor([[2, 0], [1, 1]]);
  for (const reduce of ["add", "multiply"] as const) {
    gradcheck((x) => T.scatter(x, 1, idx, src, { reduce }), x0, `scatter ${reduce} wrt x`);
    gradcheck((s) => T.scatter(x0, 1, idx, s, { reduce }), src, `scatter ${reduce} wrt src`);
    gradcheck((x) => x.mul(1).scatter_(1, idx, src, { reduce }), x0, `scatter_ ${reduce} wrt x`);
  }
});

// ---- #12: conv geometry beyond int32 ----
test("conv with a stride of 2^32 / 2^40 or a huge dilation on a 1-wide kernel gives torch's single window; a huge padding is refused", () => {
  const c = fx.conv;
  forEachBackend((b) => {
    same(`${b} conv2d`, F.conv2d(load(c.conv2d.x), load(c.conv2d.w), null, { stride: c.conv2d.stride }), c.conv2d.out);
    same(`${b} conv2d 1e300`, F.conv2d(load(c.conv2d.x), load(c.conv2d.w), null, { stride: 1e300 }), c.conv2d.out);
    same(`${b} conv2d pad`, F.conv2d(load(c.conv2dPad.x), load(c.conv2dPad.w), null, { stride: c.conv2dPad.stride, padding: c.conv2dPad.padding }), c.conv2dPad.out);
    same(`${b} conv1d`, F.conv1d(load(c.conv1d.x), load(c.conv1d.w), null, { stride: c.conv1d.stride }), c.conv1d.out);
    same(`${b} conv1d k1`, F.conv1d(load(c.conv1dK1.x), load(c.conv1dK1.w), null, { dilation: c.conv1dK1.dilation }), c.conv1dK1.out);
    for (const stride of [c.convT1d.stride, 2 ** 40])
      same(`${b} convTranspose1d ${stride}`, F.convTranspose1d(load(c.convT1d.x), load(c.convT1d.w), null, { stride }), c.convT1d.out);
    assert.throws(() => F.conv2d(T.ones([1, 1, 4, 4]), T.ones([1, 1, 2, 2]), null, { padding: 2 ** 32 }), msg(/conv2d: padding 4294967296 at spatial dim 0 is too large/));
    assert.throws(() => F.convTranspose1d(T.ones([1, 1, 3]), T.ones([1, 1, 2]), null, { stride: 2 ** 40 }), msg(/convTranspose1d: stride 1099511627776 .* too large/));
    assert.throws(() => F.conv2d(T.ones([1, 1, 4, 4]), T.ones([1, 1, 2, 2]), null, { stride: NaN }), msg(/conv2d: stride must be an integer/));
    // the backend still works afterwards
    assert.deepEqual(Array.from(tensor([1, 2]).add(tensor([10, 20])).dataSync()), [11, 22]);
  });
  gradcheck((x) => F.conv2d(x, T.ones([1, 1, 2, 2], { dtype: "float64" }), null, { stride: [2 ** 40, 1], padding: 1 }), T.arange(16, { dtype: "float64" }).reshape([1, 1, 4, 4]).sin(), "conv2d huge stride wrt x");
});

// ---- #15: negative index tensors ----
test("negative entries of index tensors: x[idx] and indexFill wrap like torch; indexSelect/indexAdd/indexCopy/gather/scatter/takeAlongDim refuse them like torch", () => {
  const c = fx.index;
  forEachBackend((b) => {
    const x = load(c.x), X = load(c.X);
    same(`${b} x[-1]`, x.index([tensor([-1])]), c.index);
    same(`${b} X[:, [-1, 0, -3]]`, X.index([":", tensor([-1, 0, -3])]), c.index2);
    same(`${b} X[[-2]]`, X.index([tensor([-2])]), c.indexRow);
    same(`${b} indexFill`, T.indexFill(x, 0, tensor([-1]), 0), c.indexFill);
    same(`${b} indexFill 2-D`, T.indexFill(X, 1, tensor([-1, 0, 2]), -5), c.indexFill2);
    same(`${b} take`, T.take(x, tensor([-1])), c.take);
    same(`${b} indexPut`, T.indexPut(x, [tensor([-1])], tensor(9)), c.indexPut);
    assert.throws(() => x.index([tensor([-4])]), msg(/index: index -4 is out of bounds for dimension 0 with size 3/));
    assert.throws(() => T.indexFill(x, 0, tensor([-4]), 0), msg(/indexFill: index -4 is out of bounds for dimension 0 with size 3/));
    const neg = tensor([-1]);
    const refused: Record<string, () => unknown> = {
      indexSelect: () => T.indexSelect(x, 0, neg), indexAdd: () => T.indexAdd(x, 0, neg, T.ones([1])),
      indexCopy: () => T.indexCopy(x, 0, neg, T.ones([1])), gather: () => T.gather(x, 0, neg),
      scatter: () => T.scatter(x, 0, neg, T.ones([1])), scatterAdd: () => T.scatterAdd(x, 0, neg, T.ones([1])),
      takeAlongDim: () => T.takeAlongDim(x, neg, 0),
    };
    for (const [name, f] of Object.entries(refused)) {
      assert.ok(c.refused[name], `torch refuses ${name}`);
      assert.throws(f, msg(/out of bounds/), `${b} ${name}`);
    }
  });
  gradcheck((x) => x.index([":", tensor([-1, 0, -1])]), T.arange(6, { dtype: "float64" }).reshape([2, 3]), "x[:, negative idx]");
});

test("quantile's lerp (two-sided, as torch) and its picks keep the gradient: float64 gradchecks", () => {
  const x0 = T.tensor([[0.3, -1.2, 2.5, 0.9], [1.7, 0.1, -0.4, 3.3]], { dtype: "float64" });
  for (const interpolation of ["linear", "midpoint", "nearest", "lower", "higher"] as const)
    gradcheck((x) => T.quantile(x, T.tensor([0.2, 0.5, 0.9], { dtype: "float64" }), 1, false, { interpolation }), x0, `quantile ${interpolation}`);
});

// ---- #16, #22 ----
test("chunk of an empty dim gives `chunks` empty chunks; cat promotes with legacy empty 1-D tensors (torch 1.13)", () => {
  forEachBackend((b) => {
    for (const c of fx.misc.chunk)
      assert.deepEqual(T.zeros(c.shape).chunk(c.chunks, c.dim).map((p) => [...p.shape]), c.shapes, `${b} chunk ${JSON.stringify(c.shape)} ${c.chunks}`);
    for (const c of fx.misc.cat) {
      const r = T.cat(c.inputs.map((s: any) => T.ones(s.shape, { dtype: s.dtype })));
      assert.equal(r.dtype, c.dtype, `${b} cat ${JSON.stringify(c.inputs)}`);
      assert.deepEqual([...r.shape], c.shape);
    }
    assert.throws(() => T.zeros([0]).chunk(2 ** 31), msg(/chunk: 2147483648 pieces/));
    assert.throws(() => T.tensorSplit(T.ones([3]), 2 ** 31), msg(/tensorSplit: 2147483648 pieces/));
  });
});

// ---- #18 / #19: the small ones ----
test("edge-case arguments as torch 1.13: instanceNorm [N, C], groupNorm one value, reflect pad, quantile empty, lerp_, tril, split", () => {
  const m = fx.misc;
  forEachBackend((b) => {
    const c = m.instanceNorm2d;
    same(`${b} instanceNorm [N, C]`, F.instanceNorm(load(c.x), load(c.rm), load(c.rv), { useInputStats: false }), c.out);
    assert.ok(/more than 1 spatial element/.test(m.instanceNorm2dTraining));
    assert.throws(() => F.instanceNorm(load(c.x), load(c.rm), load(c.rv)), msg(/instanceNorm: expected input with at least 3 dims .*more than 1 spatial element is needed when training/));
    assert.throws(() => F.groupNorm(T.ones([1, 1]), 1), msg(/groupNorm: Expected more than 1 value per channel/));
    assert.throws(() => F.groupNorm(T.ones([1, 2, 1]), 2), msg(/groupNorm: Expected more than 1 value per channel/));
    same(`${b} groupNorm [2, 2]`, F.groupNorm(load(m.groupNorm.x), 1), m.groupNorm.out);
    assert.throws(() => F.pad(T.ones([2, 1, 1]), [0, -1], "reflect"), msg(/pad: input \[2, 1, 1\] is too small/));
    assert.throws(() => F.pad(T.ones([2, 1, 3]), [-2, -1], "reflect"), msg(/too small/));
    assert.throws(() => F.pad(T.ones([2, 1, 3]), [-2, -1], "replicate"), msg(/too small/));
    assert.deepEqual([...F.pad(T.ones([1, 1, 3, 3]), [0, 0, -2, -1], "reflect").shape], m.padReflect.okShape);
    // constant: with some positive padding every padded dim must come out non-empty; pure cropping may empty it
    const pc = m.padReflect.constant;
    assert.ok(pc.errors.w1 && pc.errors.w4 && pc.errors.empty);
    assert.throws(() => F.pad(T.ones([2, 1, 0, 1]), [0, -1, 0, 1]), msg(/pad: the input size 1, plus negative padding 0 and -1 resulted in a negative output size/));
    assert.throws(() => F.pad(T.ones([3, 4]), [-2, -2, -3, 4], "constant", 1.5), msg(/resulted in a negative output size/));
    assert.throws(() => F.pad(T.ones([2, 0]), [0, 0, 1, 1]), msg(/resulted in a negative output size/));
    assert.deepEqual([...F.pad(T.ones([3, 4]), [-2, -2]).shape], pc.okShapes.crop);
    assert.deepEqual([...F.pad(T.ones([2, 0]), [0, 0]).shape], pc.okShapes.empty);
    assert.deepEqual([...F.pad(T.ones([2, 0]), [1, 0]).shape], pc.okShapes.emptyPadded);
    const qi = m.quantileInf, qx = load(qi.x);
    for (const mode of ["lower", "higher", "nearest", "linear", "midpoint"] as const) {
      same(`${b} quantile ±inf ${mode}`, T.quantile(qx, 1.0, 1, true, { interpolation: mode }), qi[mode]);
      same(`${b} quantile ±inf ${mode} (one options object)`, T.quantile(qx, 1.0, { dim: 1, keepdim: true, interpolation: mode }), qi[mode]);
    }
    same(`${b} quantile ±inf several q`, T.quantile(qx, load(qi.q), { dim: 1, interpolation: "nearest" }), qi.multi);
    const ql = m.quantileLerp, mx = load(ql.x);
    for (const mode of ["linear", "midpoint"] as const)
      for (const q of [0.25, 0.5, 0.75]) same(`${b} quantile ${mode} ${q} with ±inf`, T.quantile(mx, q, 1, false, { interpolation: mode }), ql[`${mode}_${q * 100}`]);
    assert.throws(() => T.quantile(qx, 0.5, { dims: 1 } as any), msg(/quantile: unknown option "dims"/));
    assert.throws(() => T.quantile(T.zeros([0]), 0.5), msg(/quantile: input tensor must be non-empty/));
    assert.throws(() => T.quantile(T.zeros([0, 2]), 0.5, 1), msg(/quantile: input tensor must be non-empty/));
    assert.throws(() => T.zeros([2]).lerp_(T.ones([2], { dtype: "float64" }), 0.5), msg(/lerp_: expected dtype float32 for `end` but got dtype float64/));
    assert.throws(() => T.ones([2, 2]).tril(1.5), msg(/tril: diagonal must be an integer/));
    assert.throws(() => T.ones([2, 2]).triu(NaN), msg(/triu: diagonal must be an integer/));
    assert.throws(() => T.ones([3]).split(1.5), msg(/split: split_size must be an integer/));
    assert.throws(() => T.ones([3]).split(Infinity), msg(/split: split_size must be an integer/));
  });
});
