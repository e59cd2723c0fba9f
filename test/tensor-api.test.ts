// The Tensor methods and torch.* helpers of tensor/inplace-methods.ts, tensor/tensor-info.ts and
// ops/tensor-api.ts. Values against PyTorch are in the op table (fixtures/ops.json, tools/torchfix/
// ops_inplace.py and ops_api.py) and fixtures/tensor-api.json (the dtype helpers); here: every
// in-place method keeps autograd right (its gradient is the out-of-place op's), the errors, the
// introspection methods, and the random fills checked statistically (their generator is not
// PyTorch's). On every backend.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { after, describe, test } from "node:test";
import * as T from "../src/index.js";
import { type DType, Generator, type Tensor, getBackend, setBackend, tensor } from "../src/index.js";
import { backendsUnderTest } from "./helpers/backends.js";

const before = getBackend().name;
after(() => setBackend(before));

type M = Record<string, (...a: unknown[]) => Tensor>;
const call = (x: Tensor, name: string, args: unknown[]): Tensor => (x as unknown as M)[name]!.apply(x, args);
const values = (t: Tensor | null): number[] => (t ? Array.from(t.dataSync(), Number) : []);

function assertClose(got: number[], want: number[], what: string, tol = 1e-9): void {
  assert.equal(got.length, want.length, `${what}: length`);
  got.forEach((g, i) => {
    const w = want[i]!;
    const ok = (Number.isNaN(g) && Number.isNaN(w)) || g === w || Math.abs(g - w) <= tol * Math.max(1, Math.abs(w));
    assert.ok(ok, `${what}[${i}]: ${g} vs ${w}`);
  });
}

// [method, x's values (float64), other args]: x's domain fits every op
const IN = [0.3, 0.55, 0.7, 0.85];
const GE1 = [1.3, 1.55, 2.7, 3.85];
const ARG = () => tensor([0.4, 1.5, 0.9, 1.2], { dtype: "float64" });
const UNARY = [
  "abs", "absolute", "neg", "negative", "sign", "sgn", "exp", "exp2", "expm1", "log", "log2", "log10", "log1p", "sqrt",
  "rsqrt", "square", "reciprocal", "sin", "cos", "tan", "asin", "acos", "atan", "sinh", "cosh", "tanh", "asinh", "atanh",
  "arcsin", "arccos", "arctan", "arcsinh", "arctanh", "sigmoid", "erf", "erfc", "erfinv", "lgamma", "digamma", "i0",
  "sinc", "deg2rad", "rad2deg", "floor", "ceil", "round", "trunc", "fix", "frac",
];
const CASES: [string, number[], () => unknown[], string?][] = [
  ...UNARY.map((m): [string, number[], () => unknown[]] => [m, IN, () => []]),
  ["acosh", GE1, () => []], ["arccosh", GE1, () => []],
  ...["pow", "fmod", "remainder", "floorDivide", "trueDivide", "multiply", "hypot", "copysign", "heaviside", "nextafter",
    "xlogy", "atan2", "arctan2", "clampMin", "clampMax"].map((m): [string, number[], () => unknown[]] => [m, IN, () => [ARG()]]),
  ["ldexp", IN, () => [tensor([1, -2, 0, 3], { dtype: "int32" })]],
  ...["eq", "ne", "lt", "le", "gt", "ge", "greater", "greaterEqual", "less", "lessEqual", "notEqual", "logicalAnd",
    "logicalOr", "logicalXor"].map((m): [string, number[], () => unknown[], string] => [m, IN, () => [0.55], "comparison"]),
  ["logicalNot", IN, () => [], "comparison"],
  ["divide", IN, () => [ARG(), { roundingMode: null }]], ["subtract", IN, () => [ARG(), { alpha: 2 }]],
  ["floatPower", IN, () => [ARG()]], ["logit", IN, () => [0.01]], ["polygamma", IN, () => [1]], ["mvlgamma", GE1, () => [2]],
  ["lerp", IN, () => [ARG(), 0.25]], ["nanToNum", IN, () => []], ["clip", IN, () => [0.5, 0.8]],
];

/** The out-of-place form of an in-place method (comparisons: 1/0 in x's dtype). */
function outOfPlace(x: Tensor, name: string, args: unknown[], kind?: string): Tensor {
  if (kind === "comparison") return call(x, name, args).to(x.dtype);
  return call(x, name, args);
}

for (const backend of backendsUnderTest()) {
  describe(`Tensor API additions (${backend.name})`, () => {
    test("every in-place method gives the out-of-place op's value and gradient through autograd", () => {
      setBackend(backend.name);
      for (const [name, xs, args, kind] of CASES) {
        const x1 = tensor(xs, { dtype: "float64", requiresGrad: true });
        const y = x1.mul(1);
        const returned = call(y, `${name}_`, args());
        assert.equal(returned, y, `${name}_ returns the tensor it was called on`);
        y.mul(tensor([1, 2, 3, 4], { dtype: "float64" })).sum().backward();
        const x2 = tensor(xs, { dtype: "float64", requiresGrad: true });
        const z = outOfPlace(x2, name, args(), kind);
        assertClose(values(y), values(z), `${name}_ value`);
        if (z.requiresGrad) z.mul(tensor([1, 2, 3, 4], { dtype: "float64" })).sum().backward();
        const want = x2.grad ? values(x2.grad) : xs.map(() => 0);
        assertClose(x1.grad ? values(x1.grad) : xs.map(() => 0), want, `${name}_ gradient`);
      }
    });

    test("igamma_ and igammac_: differentiable in the other argument only, as in PyTorch", () => {
      setBackend(backend.name);
      for (const name of ["igamma", "igammac"]) {
        const o1 = tensor([0.4, 1.5, 0.9, 1.2], { dtype: "float64", requiresGrad: true });
        const y = tensor(GE1, { dtype: "float64" }).mul(1);
        call(y, `${name}_`, [o1]).sum().backward();
        const o2 = tensor([0.4, 1.5, 0.9, 1.2], { dtype: "float64", requiresGrad: true });
        const z = call(tensor(GE1, { dtype: "float64" }), name, [o2]);
        z.sum().backward();
        assertClose(values(y), values(z), `${name}_ value`);
        assertClose(values(o1.grad), values(o2.grad), `${name}_ gradient`);
        assertClose(values(z), values(name === "igamma" ? T.special.gammainc(tensor(GE1, { dtype: "float64" }), o2) : T.special.gammaincc(tensor(GE1, { dtype: "float64" }), o2)), `${name} is special.${name === "igamma" ? "gammainc" : "gammaincc"}`);
      }
      const leaf = tensor(GE1, { dtype: "float64", requiresGrad: true });
      assert.throws(() => leaf.mul(1).igamma_(ARG()).sum().backward(), /special.gammainc: the derivative with respect to a \(the first argument\) is not implemented/);
    });

    test("in-place index and scan methods keep autograd (cumsum_, cumprod_, tril_, triu_, scatter_, scatterAdd_, put_, fillDiagonal_)", () => {
      setBackend(backend.name);
      const data = [[0.5, -1.2, 0.8], [1.5, 0.3, -0.7], [0.9, 1.1, -0.4]];
      const idx = tensor([[2, 0, 1]], { dtype: "int32" });
      const src = () => tensor([[0.25, -0.5, 0.75]], { dtype: "float64" });
      const cases: [string, unknown[], (t: Tensor) => Tensor][] = [
        ["cumsum_", [1], (t) => t.cumsum(1)],
        ["cumprod_", [0], (t) => t.cumprod(0)],
        ["tril_", [0], (t) => t.tril(0)],
        ["triu_", [1], (t) => t.triu(1)],
        ["scatter_", [0, idx, 2], (t) => t.scatter(0, idx, 2)],
        ["scatterAdd_", [0, idx, src()], (t) => t.scatterAdd(0, idx, src())],
        ["put_", [tensor([7, 0], { dtype: "int32" }), tensor([3, 4], { dtype: "float64" })], (t) => t.flatten().indexPut([tensor([7, 0], { dtype: "int32" })], tensor([3, 4], { dtype: "float64" })).reshape([3, 3])],
        ["fillDiagonal_", [9], (t) => t.maskedFill(T.eye(3).bool(), 9)],
      ];
      for (const [name, args, ref] of cases) {
        const x1 = tensor(data, { dtype: "float64", requiresGrad: true });
        const y = x1.mul(1);
        call(y, name, args).mul(T.arange(9, { dtype: "float64" }).reshape(3, 3)).sum().backward();
        const x2 = tensor(data, { dtype: "float64", requiresGrad: true });
        const z = ref(x2);
        z.mul(T.arange(9, { dtype: "float64" }).reshape(3, 3)).sum().backward();
        assertClose(values(y), values(z), `${name} value`);
        assertClose(values(x1.grad), values(x2.grad), `${name} gradient`);
      }
    });

    test("in-place errors: a leaf that requires grad, a result of a higher kind, float_power_ on float32", () => {
      setBackend(backend.name);
      const w = tensor([0.5, 1], { requiresGrad: true });
      assert.throws(() => w.exp_(), /exp_: a leaf Variable that requires grad is being used in an in-place operation/);
      T.noGrad(() => w.exp_()); // allowed outside grad mode, as PyTorch
      // `this`-typed: a Parameter stays a Parameter (a type error otherwise)
      const kept: T.Parameter = T.noGrad(() => new T.Parameter(T.ones(2)).log_().clampMin_(0));
      assert.ok(kept instanceof T.Parameter);
      const i = tensor([1, 4], { dtype: "int32" });
      assert.throws(() => i.sqrt_(), /sqrt_: result type float32 can't be cast to the desired output type int32/);
      assert.throws(() => i.trueDivide_(2), /trueDivide_: result type float32 can't be cast/);
      assert.throws(() => tensor([true, false]).add_(tensor([2, 3], { dtype: "int32" })), /result type int32 can't be cast to the desired output type bool/);
      assert.deepEqual(values(i.abs_().neg_()), [-1, -4], "int32 ops that stay int32 are allowed");
      assert.throws(() => tensor([1.5, 2]).floatPower_(2), /floatPower_: the base given to float_power_ has dtype float32 but the operation's result requires dtype float64/);
      assert.throws(() => T.zeros(2, 3, 4).fillDiagonal_(1), /fillDiagonal_: all dimensions of input must be of equal length/);
      assert.throws(() => T.zeros(2, 3).put_(tensor([0, 1], { dtype: "int32" }), tensor([1, 2, 3])), /put_: expected source and index to have the same number of elements, but got source.numel\(\) = 3, index.numel\(\) = 2/);
      const f = tensor([1.5, -2, 0]);
      assert.deepEqual(values(f.gt_(0)), [1, 0, 0]);
      assert.equal(f.dtype, "float32", "comparisons write 1/0 in x's dtype");
      assert.deepEqual(values(T.zero_(tensor([1, 2]))), [0, 0]);
      const ip = T.indexPut_(T.zeros(3), [tensor([2], { dtype: "int32" })], tensor([5]));
      assert.deepEqual(values(ip), [0, 0, 5]);
    });

    test("introspection: dtype queries, strides, offsets, sizes, isNonzero, retainsGrad", () => {
      setBackend(backend.name);
      const x = T.zeros(2, 3, 4);
      const i = T.zeros([2], { dtype: "int32" }), b = T.zeros([2], { dtype: "bool" }), d = T.zeros([2], { dtype: "float64" });
      assert.deepEqual([x, d, i, b].map((t) => t.isFloatingPoint()), [true, true, false, false]);
      assert.deepEqual([x, d, i, b].map((t) => t.isSigned()), [true, true, true, false]);
      assert.deepEqual([x, d, i, b].map((t) => t.elementSize()), [4, 8, 4, 1]);
      assert.equal(x.isComplex(), false);
      assert.deepEqual([x.nelement(), x.ndimension()], [24, 3]);
      assert.deepEqual(x.stride(), [12, 4, 1]);
      assert.deepEqual(x.transpose(0, 2).stride(), [1, 4, 12]);
      assert.equal(x.stride(-2), 4);
      assert.equal(x.narrow(1, 1, 2).storageOffset(), 4);
      assert.equal(x.isSameSize(T.ones(2, 3, 4)), true);
      assert.equal(T.isSameSize(x, T.ones(2, 4, 3)), false);
      assert.equal(tensor([0.5]).isNonzero(), true);
      assert.equal(T.isNonzero(tensor(0)), false);
      assert.throws(() => tensor([1, 2]).isNonzero(), /isNonzero: Boolean value of Tensor with more than one value is ambiguous/);
      assert.throws(() => T.zeros(0).isNonzero(), /isNonzero: Boolean value of Tensor with no values is ambiguous/);
      const leaf = tensor([1, 2], { requiresGrad: true });
      const y = leaf.mul(2);
      assert.equal(y.retainsGrad, false);
      y.retainGrad();
      assert.equal(y.retainsGrad, true);
      assert.equal(leaf.retainsGrad, false, "a leaf never retains (PyTorch: retains_grad is False on leaves)");
      assert.equal(T.isTensor(x), true);
      assert.equal(T.isTensor([1]), false);
      assert.equal(T.numel(x), 24);
      assert.equal(T.isFloatingPoint(i), false);
    });

    test("mT, mH, H, adjoint, sumToSize and their errors", () => {
      setBackend(backend.name);
      const x = T.arange(24).reshape(2, 3, 4);
      assert.deepEqual(x.mT.shape, [2, 4, 3]);
      assert.deepEqual(values(x.mH), values(x.transpose(1, 2)));
      assert.deepEqual(values(x.adjoint()), values(x.transpose(-2, -1)));
      const m = T.arange(6).reshape(2, 3);
      assert.deepEqual(m.H.toArray(), [[0, 3], [1, 4], [2, 5]]);
      assert.throws(() => T.arange(3).mT, /mT: only supported on matrices or batches of matrices, got a 1-D tensor/);
      assert.throws(() => x.H, /H: only supported on matrices \(2-D tensors\), got a 3-D tensor/);
      assert.deepEqual(T.ones(2, 3).sumToSize(1, 3).toArray(), [[2, 2, 2]]);
      assert.deepEqual(T.ones(4, 2, 3).sumToSize([2, 1]).toArray(), [[12], [12]]);
      assert.throws(() => T.ones(2, 3).sumToSize(2), /sumToSize: size \[2\] is not expandable to size \[2, 3\]/);
    });

    test("torch-level helpers: broadcastShapes, canCast's bad dtype, randintLike, vander and gradient errors", () => {
      setBackend(backend.name);
      assert.deepEqual(T.broadcastShapes([2, 1, 3], [4, 1], 3), [2, 4, 3]);
      assert.deepEqual(T.broadcastShapes(), []);
      assert.throws(() => T.broadcastShapes([2, 3], [4]), /broadcastShapes: the size of tensor a \(3\) must match the size of tensor b \(4\)/);
      assert.throws(() => T.canCast("float16" as DType, "float32"), /canCast: unknown dtype "float16"/);
      assert.throws(() => T.promoteTypes("int64" as DType, "float32"), /promoteTypes: unknown dtype "int64"/);
      const r = T.randintLike(T.zeros([1000], { dtype: "int32" }), -3, 3);
      assert.equal(r.dtype, "int32");
      const rv = values(r);
      assert.ok(rv.every((v) => Number.isInteger(v) && v >= -3 && v < 3) && new Set(rv).size === 6);
      assert.ok(values(T.randintLike(T.zeros(100), 5)).every((v) => v >= 0 && v < 5));
      assert.equal(T.scalarTensor(3).dtype, "float32");
      assert.deepEqual(T.scalarTensor(3).shape, []);
      assert.throws(() => T.vander(T.zeros(2, 2)), /vander: x must be a one-dimensional tensor, got shape \[2, 2\]/);
      assert.throws(() => T.vander(T.zeros(2), { N: -1 }), /vander: N must be non-negative/);
      assert.deepEqual(T.vander(tensor([1, 2]), { N: 0 }).shape, [2, 0]);
      assert.throws(() => T.gradient(T.zeros(2), { edgeOrder: 2 }), /gradient: expected each dimension size to be at least edge_order\+1/);
      assert.throws(() => T.gradient(T.zeros(3, 3), { spacing: [1, 2, 3] }), /gradient: expected spacing to be unspecified, a scalar, or a list of length 2/);
      assert.deepEqual(T.concat([T.ones(1, 2), T.zeros(1, 2)]).shape, [2, 2]);
    });

    test("random fills: moments over 100k draws, supports, and a seeded generator reproduces", () => {
      setBackend(backend.name);
      const n = 100_000;
      const g = new Generator(1234);
      const stats = (t: Tensor): [number, number] => {
        const v = values(t);
        const mean = v.reduce((a, b) => a + b, 0) / v.length;
        return [mean, v.reduce((a, b) => a + (b - mean) ** 2, 0) / (v.length - 1)];
      };
      // |sample mean − μ| within 5 standard errors; the variance within 5 of its (approximate) standard errors
      const checkMoments = (t: Tensor, mu: number, sigma2: number, kurtosisBound: number, what: string): void => {
        const [m, v] = stats(t);
        assert.ok(Math.abs(m - mu) < 5 * Math.sqrt(sigma2 / n), `${what}: mean ${m} vs ${mu}`);
        assert.ok(Math.abs(v - sigma2) < 5 * sigma2 * Math.sqrt(kurtosisBound / n), `${what}: variance ${v} vs ${sigma2}`);
      };
      const e = T.zeros([n], { dtype: "float64" }).exponential_(2, { generator: g });
      assert.ok(values(e).every((v) => v >= 0 && Number.isFinite(v)));
      checkMoments(e, 0.5, 0.25, 8, "exponential_(2)");
      const p = 0.3;
      const geo = T.zeros([n]).geometric_(p, { generator: g });
      assert.ok(values(geo).every((v) => Number.isInteger(v) && v >= 1));
      checkMoments(geo, 1 / p, (1 - p) / p ** 2, 12, "geometric_(0.3)");
      const ln = T.zeros([n], { dtype: "float64" }).logNormal_(0, 0.5, { generator: g });
      assert.ok(values(ln).every((v) => v > 0));
      const s2 = 0.25;
      checkMoments(ln, Math.exp(s2 / 2), (Math.exp(s2) - 1) * Math.exp(s2), 20, "logNormal_(0, 0.5)");
      // Cauchy has no moments: half its mass lies within sigma of the median
      const c = values(T.zeros([n], { dtype: "float64" }).cauchy_(1, 2, { generator: g }));
      const within = c.filter((v) => Math.abs(v - 1) < 2).length / n;
      assert.ok(Math.abs(within - 0.5) < 5 * Math.sqrt(0.25 / n), `cauchy_: ${within} within sigma of the median`);
      const below = c.filter((v) => v < 1).length / n;
      assert.ok(Math.abs(below - 0.5) < 5 * Math.sqrt(0.25 / n), `cauchy_: ${below} below the median`);
      const be = T.zeros([n]).bernoulli_(0.3, { generator: g });
      assert.ok(values(be).every((v) => v === 0 || v === 1));
      checkMoments(be, 0.3, 0.21, 2, "bernoulli_(0.3)");
      // a tensor p broadcast over x: column j has probability p[j]
      const probs = tensor([0.1, 0.5, 0.9, 0]);
      const bt = T.zeros([n / 4, 4]).bernoulli_(probs, { generator: g });
      const colMeans = values(bt.mean(0));
      [0.1, 0.5, 0.9, 0].forEach((q, j) =>
        assert.ok(Math.abs(colMeans[j]! - q) <= 5 * Math.sqrt((q * (1 - q)) / (n / 4)), `bernoulli_(tensor) column ${j}: ${colMeans[j]} vs ${q}`));
      const ri = T.zeros([n], { dtype: "int32" }).random_(3, 7, { generator: g });
      assert.deepEqual([...new Set(values(ri))].sort(), [3, 4, 5, 6]);
      checkMoments(ri, 4.5, 1.25, 2, "random_(3, 7)");
      assert.deepEqual([...new Set(values(T.zeros([1000]).random_(3, { generator: g })))].sort(), [0, 1, 2]);
      const full = values(T.zeros([1000]).random_({ generator: g }));
      assert.ok(full.every((v) => Number.isInteger(v) && v >= 0 && v <= 2 ** 24) && Math.max(...full) > 2 ** 22, "random_() on float32: integers in [0, 2^24]");
      assert.deepEqual([...new Set(values(T.zeros([100], { dtype: "bool" }).random_({ generator: g })))].sort(), [0, 1]);
      // reproducible: the same seed gives the same draws, the global generator too
      for (const fill of [(t: Tensor, o: { generator?: Generator }) => t.exponential_(1, o), (t: Tensor, o: { generator?: Generator }) => t.random_(0, 100, o),
        (t: Tensor, o: { generator?: Generator }) => t.cauchy_(0, 1, o), (t: Tensor, o: { generator?: Generator }) => t.bernoulli_(0.5, o)]) {
        const a = values(fill(T.zeros(50), { generator: new Generator(7) }));
        const b = values(fill(T.zeros(50), { generator: new Generator(7) }));
        assert.deepEqual(a, b);
        T.manualSeed(11);
        const c1 = values(fill(T.zeros(50), {}));
        T.manualSeed(11);
        assert.deepEqual(values(fill(T.zeros(50), {})), c1);
      }
      // the methods bernoulli() and multinomial() are torch.bernoulli / torch.multinomial
      const w = tensor([[0.2, 0.8], [1, 0]]);
      assert.deepEqual(values(w.bernoulli({ generator: new Generator(3) })), values(T.bernoulli(w, { generator: new Generator(3) })));
      const mn = w.multinomial(4, true, { generator: new Generator(3) });
      assert.deepEqual(mn.shape, [2, 4]);
      assert.deepEqual(values(mn), values(T.multinomial(w, 4, true, { generator: new Generator(3) })));
      assert.deepEqual(values(mn.select(0, 1)), [0, 0, 0, 0]);
    });

    test("random fill errors: bad parameters, and a tensor in the graph", () => {
      setBackend(backend.name);
      assert.throws(() => T.zeros(3).random_(5, 2), /random_: random_ expects 'from' to be less than 'to', but got from=5 >= to=2/);
      assert.throws(() => T.zeros(3).exponential_(0), /exponential_: expects lambda > 0.0/);
      assert.throws(() => T.zeros(3).geometric_(1.5), /geometric_: expects p to be in \(0, 1\)/);
      assert.throws(() => T.zeros(3).bernoulli_(2), /bernoulli_: expects 0 <= p <= 1/);
      assert.throws(() => T.zeros(2).bernoulli_(tensor([0.5, 1.5])), /bernoulli_: expected all probabilities p in \[0, 1\], got 1.5 at flat index 1/);
      assert.throws(() => T.zeros([3], { dtype: "int32" }).exponential_(), /exponential_: expected a floating point tensor, got int32/);
      const y = tensor([1, 2], { requiresGrad: true }).mul(2);
      assert.throws(() => y.cauchy_(), /cauchy_: cannot fill a tensor in the autograd graph/);
    });
  });
}

describe("dtype helpers against PyTorch (fixtures/tensor-api.json)", () => {
  const fx = JSON.parse(readFileSync(new URL("../fixtures/tensor-api.json", import.meta.url), "utf8")) as Record<string, [DType, never, unknown][]>;
  test("promoteTypes and canCast for every pair of dtypes", () => {
    for (const [a, b, want] of fx.promoteTypes!) assert.equal(T.promoteTypes(a, b), want, `promoteTypes(${a}, ${b})`);
    for (const [a, b, want] of fx.canCast!) assert.equal(T.canCast(a, b), want, `canCast(${a}, ${b})`);
  });
  test("resultType of two tensors and of a tensor and a number, as the ops' own results", () => {
    for (const [a, b, want] of fx.resultTypeTensors!) {
      const ta = T.zeros([2], { dtype: a }), tb = T.zeros([2], { dtype: b as DType });
      assert.equal(T.resultType(ta, tb), want, `resultType(${a}, ${b})`);
      if (a !== "bool" || b !== "bool") assert.equal(ta.add(tb).dtype, want, `add(${a}, ${b}) agrees`);
    }
    for (const [a, s, want] of fx.resultTypeScalar!) assert.equal(T.resultType(T.zeros([2], { dtype: a }), s as number | boolean), want, `resultType(${a}, ${s})`);
  });
});
