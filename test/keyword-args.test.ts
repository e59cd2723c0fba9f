// PyTorch's keyword arguments of tensor ops (`x.sum(dim=1, keepdim=True)`, `torch.cat(xs, dim=1)`,
// `x.clamp(min=0)`), written as a trailing options object: `x.sum({ dim: 1, keepdim: true })`,
// `cat(xs, { dim: 1 })`, `x.clamp({ min: 0 })`. Each keyword call must give exactly what the positional
// call gives (the positional forms are the ones checked against torch's fixtures elsewhere), as a
// function and as a method, on both backends; mistakes (an unknown name, a value given both ways, an
// options object that is not last) throw a TensileError naming the op.
import { test } from "node:test";
import assert from "node:assert/strict";
import * as T from "../src/index.js";
import { F, type Tensor, TensileError, setBackend, getBackend, tensor } from "../src/index.js";

const BACKENDS = ["reference", "wasm"] as const;

type Out = Tensor | Tensor[] | readonly Tensor[];
/** The values (and dtype and shape) of a result: a tensor or a list of them ([values, indices] pairs). */
function flat(r: Out): unknown {
  const list = Array.isArray(r) ? (r as Tensor[]) : [r as Tensor];
  return list.map((t) => ({ dtype: t.dtype, shape: [...t.shape], data: Array.from(t.dataSync() as ArrayLike<number>) }));
}

function ramp(shape: number[]): Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  // distinct values (no ties: sort/median/mode indices are then unique), a NaN-free mix of signs
  return tensor(Array.from({ length: n }, (_, i) => Math.round(Math.sin(i * 1.7 + 0.3) * 1000) / 100 + i * 1e-3), { dtype: "float32" }).reshape(shape);
}

// [what, keyword form, positional form]
type Case = [string, (x: Tensor) => Out, (x: Tensor) => Out];
const any = (x: Tensor) => x as unknown as Record<string, (...a: unknown[]) => Out>;
const cases: Case[] = [
  ["sum({dim, keepdim})", (x) => x.sum({ dim: 1, keepdim: true }), (x) => x.sum(1, true)],
  ["sum(1, {keepdim, dtype})", (x) => x.sum(1, { keepdim: true, dtype: "float64" }), (x) => x.sum(1, true, { dtype: "float64" })],
  ["sum({dtype}) unchanged", (x) => x.sum({ dtype: "float64" }), (x) => x.double().sum()],
  ["mean({dim: [0, 2]})", (x) => T.mean(x, { dim: [0, 2] }), (x) => T.mean(x, [0, 2])],
  ["prod({dim})", (x) => x.prod({ dim: -1 }), (x) => x.prod(-1)],
  ["var({dim, correction, keepdim})", (x) => x.var({ dim: 1, correction: 0, keepdim: true }), (x) => x.var(1, { correction: 0, keepdim: true })],
  ["std({dim})", (x) => x.std({ dim: 0 }), (x) => x.std(0)],
  ["amax({dim, keepdim})", (x) => x.amax({ dim: [1, 2], keepdim: true }), (x) => x.amax([1, 2], true)],
  ["amin(1, {keepdim})", (x) => T.amin(x, 1, { keepdim: true }), (x) => T.amin(x, 1, true)],
  ["max({dim})", (x) => x.max({ dim: 1 }), (x) => x.max(1)],
  ["min(2, {keepdim})", (x) => x.min(2, { keepdim: true }), (x) => x.min(2, true)],
  ["argmax({dim, keepdim})", (x) => x.argmax({ dim: 1, keepdim: true }), (x) => x.argmax(1, true)],
  ["argmin({dim})", (x) => T.argmin(x, { dim: -1 }), (x) => T.argmin(x, -1)],
  ["logsumexp({dim})", (x) => x.logsumexp({ dim: 2 }), (x) => x.logsumexp(2)],
  ["norm({dim})", (x) => x.norm({ dim: 1 }), (x) => x.norm(2, 1)],
  ["norm({p, dim, keepdim})", (x) => x.norm({ p: 1, dim: 0, keepdim: true }), (x) => x.norm(1, 0, true)],
  ["all/any({dim})", (x) => [x.gt(0).all({ dim: 1 }), x.gt(0).any(1, { keepdim: true })], (x) => [x.gt(0).all(1), x.gt(0).any(1, true)]],
  ["nansum/nanmean({dim})", (x) => [x.nansum({ dim: 0 }), x.nanmean({ dim: 0, keepdim: true })], (x) => [x.nansum(0), x.nanmean(0, true)]],
  ["countNonzero({dim})", (x) => x.gt(0).countNonzero({ dim: 2 }), (x) => x.gt(0).countNonzero(2)],
  ["cumsum/cumprod/logcumsumexp({dim})", (x) => [x.cumsum({ dim: 1 }), x.cumprod({ dim: 1 }), x.logcumsumexp({ dim: 1 })], (x) => [x.cumsum(1), x.cumprod(1), x.logcumsumexp(1)]],
  ["cummax/cummin({dim})", (x) => [...x.cummax({ dim: 2 }), ...x.cummin({ dim: 2 })], (x) => [...x.cummax(2), ...x.cummin(2)]],
  ["diff({dim, prepend})", (x) => x.diff({ dim: 1, prepend: x.narrow(1, 0, 1) }), (x) => x.diff(1, 1, x.narrow(1, 0, 1))],
  ["median/nanmedian({dim})", (x) => [...x.median({ dim: 1 }), ...x.nanmedian(1, { keepdim: true })], (x) => [...x.median(1), ...x.nanmedian(1, true)]],
  ["mode({dim})", (x) => x.mode({ dim: 0 }), (x) => x.mode(0)],
  ["kthvalue(2, {dim, keepdim})", (x) => x.kthvalue(2, { dim: 1, keepdim: true }), (x) => x.kthvalue(2, 1, true)],
  ["sort({dim, descending, stable})", (x) => x.sort({ dim: 1, descending: true, stable: true }), (x) => x.sort(1, true)],
  ["argsort({descending})", (x) => x.argsort({ descending: true }), (x) => x.argsort(-1, true)],
  ["topk(2, {dim, largest})", (x) => x.topk(2, { dim: 1, largest: false }), (x) => x.topk(2, 1, false)],
  ["softmax/logSoftmax({dim})", (x) => [x.softmax({ dim: 1 }), F.logSoftmax(x, { dim: -1 })], (x) => [x.softmax(1), F.logSoftmax(x, -1)]],
  ["softmax(x, 1, {dtype})", (x) => F.softmax(x, 1, { dtype: "float64" }), (x) => F.softmax(x.double(), 1)],
  ["logSoftmax({dim, dtype})", (x) => x.logSoftmax({ dim: 0, dtype: "float64" }), (x) => x.double().logSoftmax(0)],
  ["cat/stack(xs, {dim})", (x) => [T.cat([x, x], { dim: 1 }), T.stack([x, x], { dim: -1 })], (x) => [T.cat([x, x], 1), T.stack([x, x], -1)]],
  ["split/chunk/unbind({dim})", (x) => [...x.split(1, { dim: 1 }), ...x.chunk(2, { dim: 2 }), ...x.unbind({ dim: 0 })], (x) => [...x.split(1, 1), ...x.chunk(2, 2), ...x.unbind(0)]],
  ["squeeze/unsqueeze({dim})", (x) => [x.unsqueeze({ dim: 1 }), x.unsqueeze(0).squeeze({ dim: 0 })], (x) => [x.unsqueeze(1), x.unsqueeze(0).squeeze(0)]],
  ["flatten({startDim})", (x) => [x.flatten({ startDim: 1 }), x.flatten(0, { endDim: 1 })], (x) => [x.flatten(1), x.flatten(0, 1)]],
  ["transpose({dim0, dim1})", (x) => [x.transpose({ dim0: 0, dim1: 2 }), x.transpose(0, { dim1: 1 })], (x) => [x.transpose(0, 2), x.transpose(0, 1)]],
  ["roll(1, {dims})", (x) => x.roll(1, { dims: 1 }), (x) => x.roll(1, 1)],
  ["repeatInterleave(2, {dim})", (x) => x.repeatInterleave(2, { dim: 1 }), (x) => x.repeatInterleave(2, 1)],
  ["clamp({min, max})", (x) => [x.clamp({ min: -1, max: 2 }), x.clamp({ min: 0 }), x.clip({ max: 1 })], (x) => [x.clamp(-1, 2), x.clamp(0), x.clip(null, 1)]],
  ["clamp_/clip_({min})", (x) => [x.clone().clamp_({ min: 0.5 }), x.clone().clip_(null, { max: 0.5 })], (x) => [x.clone().clamp_(0.5), x.clone().clip_(null, 0.5)]],
  ["linalg.vectorNorm/matrixNorm/norm({...})", (x) => [T.linalg.vectorNorm(x, { dim: 1, ord: 3 }), T.linalg.matrixNorm(x, { ord: "fro", keepdim: true }), T.linalg.norm(x, 2, { dim: 0 })],
    (x) => [T.linalg.vectorNorm(x, 3, 1), T.linalg.matrixNorm(x, "fro", [-2, -1], true), T.linalg.norm(x, 2, 0)]],
  ["max/min(x, other): elementwise", (x) => [T.max(x, x.flip(0)), x.min(x.flip(1))], (x) => [T.maximum(x, x.flip(0)), T.minimum(x, x.flip(1))]],
  ["activations by keyword", (x) => [F.softplus(x, { beta: 2, threshold: 5 }), x.leakyRelu({ negativeSlope: 0.2 }), F.hardtanh(x, { minVal: -0.5, maxVal: 2 }), F.celu(x, { alpha: 0.5 }), x.elu({ alpha: 0.3 })],
    (x) => [F.softplus(x, 2, 5), x.leakyRelu(0.2), F.hardtanh(x, -0.5, 2), F.celu(x, 0.5), x.elu(0.3)]],
  ["lerp/lerp_({weight})", (x) => [x.lerp(x.mul(2), { weight: 0.25 }), x.clone().lerp_(x.neg(), { weight: 0.75 })], (x) => [x.lerp(x.mul(2), 0.25), x.clone().lerp_(x.neg(), 0.75)]],
];

for (const backend of BACKENDS) {
  test(`keyword arguments as an options object give the positional results (${backend})`, () => {
    const prev = setBackend(backend);
    try {
      const x = ramp([3, 4, 5]);
      for (const [what, kw, pos] of cases) assert.deepEqual(flat(kw(x)), flat(pos(x)), what);
    } finally {
      setBackend(prev);
    }
  });
}

test("an unknown keyword, a value given both ways, or an options object not last is refused, naming the op", () => {
  assert.equal(getBackend().name.length > 0, true);
  const x = ramp([2, 3]);
  const throwsLike = (f: () => unknown, re: RegExp) => assert.throws(f, (e: unknown) => e instanceof TensileError && re.test((e as Error).message));
  throwsLike(() => x.argmax({ dimm: 1 } as never), /^argmax: unknown option "dimm" \(expected one of: dim, keepdim\)/);
  throwsLike(() => x.sum({ dim: 1, keepDim: true } as never), /^sum: unknown option "keepDim"/);
  throwsLike(() => x.amax(1, { dim: 0 }), /^amax: dim given both positionally and as an option/);
  throwsLike(() => any(x).max({ keepdim: true }, 1), /^max: dimension out of range|^max: the options object must be the last argument/);
  throwsLike(() => x.softmax({ dim: 1, dtype: "int32" }), /^softmax: dtype must be float32 or float64, got "int32"/);
  throwsLike(() => x.softmax({ dtype: "float64" }), /^softmax: dim must be given/);
  throwsLike(() => T.cat([x, x], { axis: 1 } as never), /^cat: unknown option "axis" \(expected one of: dim\)/);
  throwsLike(() => x.clamp({}), /^clamp: at least one of 'min' or 'max' must not be null/);
  throwsLike(() => x.norm({ p: "nuc" } as never), /^norm: p must be a number or "fro", got "nuc"/);
  throwsLike(() => x.sort({ stable: "yes" } as never), /^sort: stable must be a boolean, got "yes"/);
  throwsLike(() => x.topk(1, { dim: 0, largest: true, sorted: true, k: 1 }), /^topk: k given both positionally and as an option/);
  // a positional options object stays an error where the op has no such parameter
  throwsLike(() => any(x).gather({ dim: 1 }, x.argmax(1, true)), /^gather: /);
});

test("keyword arguments keep autograd: the gradient of a keyword call is the positional call's", () => {
  const x = ramp([3, 4]).double().requiresGrad_();
  const y = x.softmax({ dim: 1 }).mul(x.amax({ dim: 0, keepdim: true })).sum({ dim: [0, 1] }).add(x.norm({ p: 3, dim: 1 }).sum());
  const [g1] = T.autograd.grad(y, [x]);
  const x2 = x.detach().requiresGrad_();
  const y2 = x2.softmax(1).mul(x2.amax(0, true)).sum([0, 1]).add(x2.norm(3, 1).sum());
  const [g2] = T.autograd.grad(y2, [x2]);
  assert.deepEqual(Array.from(g1!.dataSync()), Array.from(g2!.dataSync()));
});
