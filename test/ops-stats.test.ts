// Statistics, scatter/index reductions and the Cholesky solves (src/ops/stats.ts,
// src/ops/linalg-extra.ts) beyond the op table (fixtures/ops.json, tools/torchfix/ops_stats.py):
// errors PyTorch raises, gradients the table cannot gradcheck (a Cholesky factor's one triangle;
// torch 1.13 fails where src is larger than index), second derivatives, the in-place forms under
// autograd, and where Tensile differs from torch 1.13 (histogram leaves NaN out).
import assert from "node:assert/strict";
import { test } from "node:test";
import * as T from "../src/index.js";
import { backendsUnderTest } from "./helpers/backends.js";

const msg = (re: RegExp) => (e: Error) => e instanceof T.TensileError && re.test(e.message);
const f32 = (data: T.Nested) => T.tensor(data, { dtype: "float32" });
const f64 = (data: T.Nested) => T.tensor(data, { dtype: "float64" });
const i32 = (data: T.Nested) => T.tensor(data, { dtype: "int32" });
const arr = (t: T.Tensor) => Array.from(t.dataSync(), Number);
const near = (got: ArrayLike<number>, want: ArrayLike<number>, tol: number, what: string) => {
  assert.equal(got.length, want.length, `${what}: length`);
  Array.from(want, (w, i) => assert.ok(Object.is(got[i], w) || Math.abs(got[i]! - w) <= tol * Math.max(1, Math.abs(w)), `${what} element ${i}: ${got[i]}, want ${w}`));
};

/**
 * Central differences of sum(f(x)·w) against autograd, in float64 on the default backend (where
 * the constants f closes over live: a tensor moved between backends leaves the graph);
 * `mask` (same shape as x, 0/1) restricts the check to some elements.
 */
function gradcheck(f: (x: T.Tensor) => T.Tensor, x0: T.Tensor, what: string, mask?: T.Tensor): void {
  {
    const x = x0.detach().clone().requiresGrad_();
    const y = f(x);
    const w = T.tensor(Array.from({ length: y.numel() }, (_, i) => Math.sin(1 + i * 0.7)), { dtype: "float64" }).reshape(y.shape);
    y.mul(w).sum().backward();
    const analytic = x.grad ? x.grad.dataSync() : new Float64Array(x.numel());
    const base = Float64Array.from(x0.dataSync());
    const keep = mask ? mask.dataSync() : null;
    const eps = 1e-6;
    for (let i = 0; i < base.length; i++) {
      if (keep && !keep[i]) continue;
      const at = (v: number) => {
        const a = Float64Array.from(base);
        a[i] = v;
        return f(T.tensor(a, { shape: [...x0.shape] }).requiresGrad_()).detach().mul(w).sum().item();
      };
      const numeric = (at(base[i]! + eps) - at(base[i]! - eps)) / (2 * eps);
      assert.ok(Math.abs(analytic[i]! - numeric) <= 1e-5 + 1e-4 * Math.abs(numeric), `${what}: element ${i}: analytic ${analytic[i]}, numeric ${numeric}`);
    }
  }
}

/** A lower triangular Cholesky factor of an SPD matrix (float64), [..., n, n]. */
function factor(shape: number[], seed: number): T.Tensor {
  const n = shape[shape.length - 1]!;
  const x = T.tensor(Array.from({ length: shape.reduce((a, b) => a * b, 1) }, (_, i) => Math.sin(seed + i * 1.37)), { dtype: "float64" }).reshape(shape);
  const a = x.matmul(x.transpose(-1, -2)).add(T.eye(n, { dtype: "float64" }).mul(n));
  return T.linalg.cholesky(a);
}

test("histogram leaves NaN out (torch 1.13 counts it in a bin), returns .hist and .binEdges, and matches the edges given as a tensor", () => {
  for (const b of backendsUnderTest())
    T.withBackend(b, () => {
      const x = f32([1, NaN, 2, 0.5]);
      const h = T.histogram(x, 3, { range: [0, 3] });
      assert.deepEqual(arr(h.hist), [1, 1, 1], b.name);
      assert.deepEqual(arr(h[0]), arr(h.hist));
      assert.deepEqual(arr(h.binEdges), [0, 1, 2, 3]);
      assert.deepEqual(arr(T.histogram(x, f32([0, 1, 2, 3])).hist), [1, 1, 1], `${b.name} edges`);
      // a method too, and equal-width bins give what the same edges given as a tensor give
      const y = T.randn([200]);
      const byCount = y.histogram(13);
      assert.deepEqual(arr(T.histogram(y, byCount.binEdges).hist), arr(byCount.hist), `${b.name} bins vs their edges`);
      assert.equal(arr(byCount.hist).reduce((s, v) => s + v, 0), 200);
      assert.equal(y.histogram(4, { density: true }).hist.dtype, "float32");
      assert.equal(f64([1, 2]).histogram(2).binEdges.dtype, "float64");
    });
});

test("histogram, uniqueConsecutive, cov, corrcoef, diagflat, trapezoid and renorm refuse bad input, naming the op", () => {
  const x = f32([1, 2, 3]);
  assert.throws(() => T.histogram(i32([1, 2]), 2), msg(/^histogram: expected a floating point input, got int32/));
  assert.throws(() => T.histogram(x, 0), msg(/^histogram: bins must be > 0, but got 0/));
  assert.throws(() => T.histogram(x, 1.5), msg(/^histogram: bins must be an integer/));
  assert.throws(() => T.histogram(x, f32([[0, 1]])), msg(/^histogram: bins tensor should have one dimension/));
  assert.throws(() => T.histogram(x, f32([1])), msg(/^histogram: bins must be > 0, but got 0/));
  assert.throws(() => T.histogram(x, f64([0, 1])), msg(/^histogram: input tensor and bins tensors should have the same dtype/));
  assert.throws(() => T.histogram(x, f32([0, 1]), { range: [0, 1] }), msg(/^histogram: range can only be given with a number of bins/));
  assert.throws(() => T.histogram(x, 2, { weight: f32([1, 2]) }), msg(/^histogram: weight should have the same shape as the input/));
  assert.throws(() => T.histogram(x, 2, { weight: f64([1, 2, 3]) }), msg(/^histogram: the input and weight tensors should have the same dtype/));
  assert.throws(() => T.histogram(x, 2, { range: [3, 1] }), msg(/^histogram: min should not exceed max, but got min 3 max 1/));
  assert.throws(() => T.histogram(x, 2, { range: [0, Infinity] }), msg(/^histogram: the range \[0, Infinity\] is not finite/));
  assert.throws(() => T.histogram(x, 2, { range: [0] as never }), msg(/^histogram: range must be an array \[min, max\]/));
  assert.throws(() => T.histogram(f32([1, Infinity]), 2), msg(/^histogram: the range \[1, Infinity\] is not finite/));
  assert.throws(() => T.histogram(f32([1, NaN]), 2), msg(/^histogram: the range \[NaN, NaN\] is not finite/));
  assert.throws(() => T.histogram(x, 2, { density: 1 as never }), msg(/^histogram: density must be a boolean/));

  assert.throws(() => T.uniqueConsecutive(x, { returnInverse: "yes" as never }), msg(/^uniqueConsecutive: returnInverse must be a boolean/));
  assert.throws(() => T.uniqueConsecutive(x, { dim: 1.5 }), msg(/^uniqueConsecutive: dimension out of range/));
  assert.throws(() => T.uniqueConsecutive(x, { dim: 1 }), msg(/^uniqueConsecutive: dimension out of range/));
  assert.throws(() => T.uniqueConsecutive(f32(3), { dim: 0 }), msg(/^uniqueConsecutive: Dimension specified as 0 but tensor has no dimensions/));
  assert.throws(() => T.uniqueConsecutive(T.zeros([2, 0]), { dim: 0 }), msg(/^uniqueConsecutive: There are 0 sized dimensions, and they aren't selected/));

  assert.throws(() => T.cov(T.zeros([2, 2, 2])), msg(/^cov: expected input to have two or fewer dimensions but got an input with 3 dimensions/));
  assert.throws(() => T.cov(T.tensor([true, false])), msg(/^cov: bool dtype is not supported/));
  assert.throws(() => T.cov(x, { correction: 1.5 }), msg(/^cov: correction must be an integer/));
  assert.throws(() => T.cov(x, { fweights: f32([1, 1, 1]) }), msg(/^cov: expected fweights to have integral \(int32\) dtype but got fweights with float32 dtype/));
  assert.throws(() => T.cov(x, { fweights: i32([1, -1, 1]) }), msg(/^cov: fweights cannot be negative/));
  assert.throws(() => T.cov(x, { fweights: i32([1, 1]) }), msg(/^cov: expected fweights to have the same numel as there are observations in the input but got 2 != 3/));
  assert.throws(() => T.cov(x, { aweights: i32([1, 1, 1]) }), msg(/^cov: expected aweights to have floating point dtype/));
  assert.throws(() => T.cov(x, { aweights: f32([[1, 1, 1]]) }), msg(/^cov: expected aweights to have one or fewer dimensions/));
  assert.throws(() => T.cov(x, { aweights: f32([1, -1, 1]) }), msg(/^cov: aweights cannot be negative/));
  assert.throws(() => T.cov(x, { fweights: i32([0, 0, 0]) }), msg(/^cov: weights sum to zero, can't be normalized/));
  assert.throws(() => T.cov(x, { aweights: "a" as never }), msg(/^cov: aweights must be a Tensor/));
  assert.throws(() => T.corrcoef(T.zeros([1, 1, 3])), msg(/^corrcoef: expected input to have two or fewer dimensions/));
  assert.throws(() => T.diagflat(x, 0.5), msg(/^diagflat: offset must be an integer/));

  for (const name of ["trapezoid", "trapz", "cumulativeTrapezoid"] as const) {
    const f = T[name];
    assert.throws(() => f(f32(2)), msg(new RegExp(`^${name}: Dimension specified as -1 but tensor has no dimensions`)));
    assert.throws(() => f(x, x, { dx: 2 }), msg(new RegExp(`^${name}: give either x or dx, not both`)));
    assert.throws(() => f(x, f32([1, 2])), msg(new RegExp(`^${name}: There must be one x value for each sample point`)));
    assert.throws(() => f(T.tensor([true, false])), msg(new RegExp(`^${name}: received a bool input`)));
    assert.throws(() => f(x, { dx: "a" as never }), msg(new RegExp(`^${name}: dx must be a real number`)));
    assert.throws(() => f(x, x, { x }), msg(new RegExp(`^${name}: x given twice`)));
    assert.throws(() => f(x, "a" as never), msg(new RegExp(`^${name}: expected x to be a Tensor or an options object`)));
    assert.throws(() => f(x, { dim: 1 }), msg(new RegExp(`^${name}: dimension out of range`)));
    assert.throws(() => f(T.zeros([2, 3]), T.zeros([3, 3])), msg(new RegExp(`^${name}: .*shapes`)));
  }

  assert.throws(() => T.renorm(x, 2, 0, 1), msg(/^renorm: input needs at least 2 dimensions, got 1 dimensions/));
  assert.throws(() => T.renorm(T.zeros([2, 2]), 0, 0, 1), msg(/^renorm: non-positive-norm not supported/));
  assert.throws(() => T.renorm(T.zeros([2, 2]), 2, 0, -1), msg(/^renorm: expected maxnorm to be >= 0 but got -1/));
  assert.throws(() => T.renorm(T.zeros([2, 2]), 2, 2, 1), msg(/^renorm: dimension out of range/));
  assert.throws(() => T.renorm(i32([[1, 2], [3, 4]]), 2, 0, 1), msg(/^renorm: expected a floating point input, got int32/));
  assert.throws(() => T.renorm(T.zeros([2, 2]), "a" as never, 0, 1), msg(/^renorm: p must be a number/));
});

test("addcmul, addcdiv and chainMatmul refuse bad input, naming the op; addcmul/addcdiv broadcast all three operands and promote", () => {
  const a = T.randn([2, 3]);
  assert.throws(() => T.addcmul(a, T.randn([4]), a), msg(/^addcmul: /));
  assert.throws(() => T.addcmul(T.tensor([true]), T.tensor([true]), T.tensor([true])), msg(/^addcmul: not implemented for bool tensors/));
  assert.throws(() => T.addcmul(i32([1]), i32([1]), i32([2]), { value: 0.5 }), msg(/^addcmul: value must be an integer for int32 tensors, got 0.5/));
  assert.throws(() => T.addcmul(a, a, a, { value: "2" as never }), msg(/^addcmul: value must be a number/));
  assert.throws(() => T.addcdiv(i32([1]), i32([1]), i32([2])), msg(/^addcdiv: Integer division with addcdiv is no longer supported/));
  assert.throws(() => T.addcdiv(a, "a" as never, a), msg(/^addcdiv: tensor1 must be a Tensor/));
  const r = T.addcmul(T.zeros([2, 1, 1]), T.ones([3, 1]), T.full([4], 2), { value: 3 });
  assert.deepEqual(r.shape, [2, 3, 4]);
  assert.ok(arr(r).every((v) => v === 6));
  assert.equal(T.addcmul(i32([1]), f32([1]), i32([2])).dtype, "float32");
  assert.deepEqual(arr(T.addcdiv(f32([1, 1]), i32([1, 3]), f32([2, 2]), { value: 2 })), [2, 4]);
  // methods and the in-place forms give the same
  assert.deepEqual(arr(a.addcmul(a, a, { value: 2 })), arr(a.clone().addcmul_(a, a, { value: 2 })));

  assert.throws(() => T.chainMatmul(), msg(/^chainMatmul: Expected one or more matrices/));
  assert.throws(() => T.chainMatmul(T.zeros([2, 3]), T.zeros([3])), msg(/^chainMatmul: matrix 1 must be 2-D, got 1-D/));
  assert.throws(() => T.chainMatmul(T.zeros([2, 3]), T.zeros([4, 3])), msg(/^chainMatmul: matrices 0 and 1 with shapes \[2, 3\] and \[4, 3\] cannot be multiplied/));
  assert.throws(() => T.chainMatmul(T.zeros([2, 3]), T.zeros([3, 2], { dtype: "float64" })), msg(/^chainMatmul: all matrices must have the same dtype/));
  // an array works too; any order of multiplication gives the same product (up to rounding)
  const ms = [[5, 2], [2, 7], [7, 3], [3, 9], [9, 1]].map(([m, n], k) => T.tensor(Array.from({ length: m! * n! }, (_, i) => Math.cos(k + i)), { dtype: "float64" }).reshape([m!, n!]));
  const want = ms.slice(1).reduce((p, m) => p.matmul(m), ms[0]!);
  near(arr(T.chainMatmul(ms)), arr(want), 1e-12, "chainMatmul");
  near(arr(T.chainMatmul(...ms)), arr(want), 1e-12, "chainMatmul spread");
});

test("scatterReduce and indexReduce refuse bad input, naming the op", () => {
  const x = T.zeros([2, 3]), idx = i32([[0, 1], [2, 2]]), src = T.ones([2, 2]);
  assert.throws(() => T.scatterReduce(x, 1, idx, src, "max" as never), msg(/^scatterReduce: reduce argument must be one of sum, prod, mean, amax or amin, got "max"/));
  assert.throws(() => T.scatterReduce(x, 1, idx.to("float32"), src, "sum"), msg(/^scatterReduce: expected index to be an int32 tensor, got float32/));
  assert.throws(() => T.scatterReduce(x, 1, i32([[3], [0]]), T.ones([2, 1]), "sum"), msg(/^scatterReduce: index 3 is out of bounds for dimension 1 with size 3/));
  assert.throws(() => T.scatterReduce(x, 1, i32([0, 1]), src, "sum"), msg(/^scatterReduce: index \[2\] and src \[2, 2\] must have as many dimensions as the input \[2, 3\]/));
  assert.throws(() => T.scatterReduce(x, 1, i32([[0, 1, 1]]), src, "sum"), msg(/^scatterReduce: Expected index \[1, 3\] to be smaller than self \[2, 3\] apart from dimension 1 and to be smaller size than src \[2, 2\]/));
  assert.throws(() => T.scatterReduce(x, 1, i32([[0], [0], [0]]), T.ones([3, 1]), "sum"), msg(/^scatterReduce: Expected index \[3, 1\] to be smaller than self/));
  assert.throws(() => T.scatterReduce(x, 2, idx, src, "sum"), msg(/^scatterReduce: dimension out of range/));
  assert.throws(() => T.scatterReduce(T.tensor([true]), 0, i32([0]), T.tensor([true]), "mean"), msg(/^scatterReduce: reduce "mean" is not implemented for bool tensors/));
  assert.throws(() => T.scatterReduce(x, 1, idx, src, "sum", { includeSelf: 1 as never }), msg(/^scatterReduce: includeSelf must be a boolean/));
  assert.throws(() => x.scatterReduce_(1, idx, "a" as never, "sum"), msg(/^scatterReduce: src must be a Tensor/));

  assert.throws(() => T.indexReduce(x, 0, i32([0]), T.ones([1, 3]), "sum" as never), msg(/^indexReduce: reduce argument must be one of prod, mean, amax or amin, got "sum"/));
  assert.throws(() => T.indexReduce(x, 0, i32([[0]]), T.ones([1, 3]), "prod"), msg(/^indexReduce: Index is supposed to be a vector, but got shape \[1, 1\]/));
  assert.throws(() => T.indexReduce(x, 1, i32([0, 0]), T.ones([2, 3]), "prod"), msg(/^indexReduce: Number of indices \(2\) should be equal to source.size\(dim\): \(3\), for dim: 1/));
  assert.throws(() => T.indexReduce(x, 1, i32([0, 0]), T.ones([3, 3, 2]), "prod"), msg(/^indexReduce: source \[3, 3, 2\] must have as many dimensions as the input \[2, 3\]/));
  assert.throws(() => T.indexReduce(x, 0, i32([0, 0]), T.ones([2, 2]), "prod"), msg(/^indexReduce: Source\/destination tensor must have same slice shapes/));
  assert.throws(() => T.indexReduce(x, 1, i32([0, 5]), T.ones([2, 2]), "prod"), msg(/^indexReduce: index 5 is out of bounds for dimension 1 with size 3/));
  assert.throws(() => T.indexReduce(x, 1, i32([0, -1]), T.ones([2, 2]), "mean"), msg(/^indexReduce: index -1 is out of bounds/));
});

test("the Cholesky solves and torch.linalg's tensorinv / tensorsolve / vecdot refuse bad input, naming the op", () => {
  const L = T.tensor([[2, 0], [1, 3]], { dtype: "float32" });
  assert.throws(() => T.choleskyInverse(f32([1, 2])), msg(/^choleskyInverse: The input tensor input must have at least 2 dimensions/));
  assert.throws(() => T.choleskyInverse(T.zeros([2, 3])), msg(/^choleskyInverse: input must be batches of square matrices, but they are 2 by 3 matrices/));
  assert.throws(() => T.choleskyInverse(i32([[1, 0], [0, 1]])), msg(/^choleskyInverse: expected a floating point tensor input, got int32/));
  assert.throws(() => T.choleskyInverse(f32([[1, 0], [5, 0]])), msg(/^choleskyInverse: The diagonal element 2 is zero, the inversion could not be completed because the input matrix is singular/));
  assert.throws(() => T.choleskyInverse(T.stack([L, T.zeros([2, 2])])), msg(/^choleskyInverse: \(Batch element 1\): The diagonal element 1 is zero/));
  assert.throws(() => T.choleskyInverse(L, "yes" as never), msg(/^choleskyInverse: upper must be a boolean/));
  assert.throws(() => T.choleskySolve(f32([1, 2]), L), msg(/^choleskySolve: B should have at least 2 dimensions, but has 1 dimensions instead/));
  assert.throws(() => T.choleskySolve(T.ones([2, 1], { dtype: "float64" }), L), msg(/^choleskySolve: Expected B and L to have the same dtype/));
  assert.throws(() => T.choleskySolve(T.ones([3, 1]), L), msg(/^choleskySolve: Incompatible matrix sizes: each L matrix is 2 by 2 but each B matrix is 3 by 1/));
  assert.throws(() => T.choleskySolve(T.ones([3, 2, 1]), T.stack([L, L])), msg(/^choleskySolve: /));
  assert.throws(() => T.choleskySolve(T.ones([2, 1]), T.ones([2, 3])), msg(/^choleskySolve: L must be batches of square matrices/));

  assert.throws(() => T.linalg.tensorinv(T.eye(4).reshape([2, 2, 4]), 0), msg(/^linalg.tensorinv: Expected a strictly positive integer for 'ind', but got 0/));
  assert.throws(() => T.linalg.tensorinv(T.eye(4).reshape([2, 2, 4]), 1), msg(/^linalg.tensorinv: Expected self to satisfy the requirement prod\(self.shape\[ind:\]\) == prod\(self.shape\[:ind\]\), but got 8 != 2/));
  assert.throws(() => T.linalg.tensorinv(T.zeros([2, 2, 2, 2])), msg(/^linalg.inv: .*singular/));
  assert.throws(() => T.linalg.tensorsolve(T.eye(6).reshape([2, 3, 6]), T.ones([6])), msg(/^linalg.tensorsolve: Expected self to satisfy the requirement .* but got 18 != 2/));
  assert.throws(() => T.linalg.tensorsolve(T.eye(6).reshape([2, 3, 6]), T.ones([2, 3]), [5]), msg(/^linalg.tensorsolve: dimension out of range/));
  assert.throws(() => T.linalg.tensorsolve(T.eye(6).reshape([2, 3, 6]), T.ones([2, 3]), "a" as never), msg(/^linalg.tensorsolve: dims must be an array of integers/));
  assert.throws(() => T.linalg.vecdot(i32([1, 2]), i32([1, 2])), msg(/^linalg.vecdot: Expected a floating point tensor as input. Got int32/));
  assert.throws(() => T.linalg.vecdot(f32([1, 2]), f64([1, 2])), msg(/^linalg.vecdot: Expected x and y to have the same dtype/));
  assert.throws(() => T.linalg.vecdot(f32([1, 2]), f32([1, 2, 3])), msg(/^linalg.vecdot: /));
  assert.throws(() => T.linalg.vecdot(f32([1, 2]), f32([1, 2]), { dim: 1 }), msg(/^linalg.vecdot: dimension out of range/));
});

test("choleskyInverse and choleskySolve: the gradient through the factor's triangle matches finite differences (PyTorch's formula takes the factor whole)", () => {
  for (const upper of [false, true]) {
    const L = factor([2, 3, 3], upper ? 5 : 1);
    const Lu = upper ? L.transpose(-1, -2).contiguous() : L;
    const tri = (t: T.Tensor) => (upper ? t.triu() : t.tril());
    const mask = tri(T.onesLike(Lu));
    const B = T.tensor(Array.from({ length: 12 }, (_, i) => Math.cos(i * 0.9)), { dtype: "float64" }).reshape([2, 3, 2]);
    gradcheck((l) => T.choleskyInverse(tri(l), upper), Lu, `choleskyInverse upper=${upper}`);
    // the gradient w.r.t. the triangle itself, read from the factor with no tril: what the op table compares
    gradcheck((l) => T.choleskyInverse(l, upper), Lu, `choleskyInverse triangle upper=${upper}`, mask);
    gradcheck((l) => T.choleskySolve(B, tri(l), { upper }), Lu, `choleskySolve L upper=${upper}`);
    gradcheck((b) => T.choleskySolve(b, Lu, upper), B, `choleskySolve B upper=${upper}`);
    // broadcast B over a single factor: the batch gradient is summed back
    gradcheck((l) => T.choleskySolve(B, tri(l), upper), Lu.select(0, 0).contiguous(), `choleskySolve broadcast L upper=${upper}`);
    // the values: A⁻¹ and A⁻¹·B for A = L·Lᵀ
    const A = upper ? Lu.transpose(-1, -2).matmul(Lu) : L.matmul(L.transpose(-1, -2));
    near(arr(T.choleskyInverse(Lu, upper)), arr(T.linalg.inv(A)), 1e-12, "choleskyInverse");
    near(arr(B.choleskySolve(Lu, upper)), arr(T.linalg.solve(A, B)), 1e-12, "choleskySolve");
    near(arr(Lu.choleskyInverse({ upper })), arr(T.linalg.inv(A)), 1e-12, "choleskyInverse method");
  }
  // second derivatives: the rules are written in differentiable ops
  const L = factor([3, 3], 7);
  gradcheck((l) => {
    const [g] = T.grad([T.choleskyInverse(l.tril()).pow(2).sum()], [l], { createGraph: true });
    return g!;
  }, L, "choleskyInverse second derivative", T.onesLike(L).tril());
});

test("scatterReduce: src larger than index gets a zero gradient outside it (torch 1.13's backward fails there), and second derivatives", () => {
  const idx = i32([[0, 2, 2], [1, 1, 0]]);
  const x0 = T.tensor([[0.5, -1.25, 2], [1.5, 0.75, -0.5]], { dtype: "float64" });
  const s0 = T.tensor([[0.3, 1.7, -0.9, 4], [2.2, -1.1, 0.6, 5], [7, 8, 9, 10]], { dtype: "float64" });
  for (const r of ["sum", "prod", "mean", "amax", "amin"] as const)
    for (const includeSelf of [true, false]) {
      const what = `${r} includeSelf=${includeSelf}`;
      gradcheck((s) => T.scatterReduce(x0, 1, idx, s, r, { includeSelf }), s0, `${what} src`);
      gradcheck((x) => T.scatterReduce(x, 1, idx, s0, r, { includeSelf }), x0, `${what} x`);
      const s = s0.clone().requiresGrad_();
      T.scatterReduce(x0, 1, idx, s, r, { includeSelf }).sum().backward();
      const g = s.grad!;
      assert.deepEqual(arr(g.index([":", "3:"])), [0, 0, 0], `${what}: beyond index's columns`);
      assert.deepEqual(arr(g.index([2])), [0, 0, 0, 0], `${what}: beyond index's rows`);
      // second derivatives through the recorded rules (prod calls scatterReduce again)
      gradcheck((x) => {
        const [gx] = T.grad([T.scatterReduce(x, 1, idx, s0.mul(x.sum()), r, { includeSelf }).pow(2).sum()], [x], { createGraph: true });
        return gx!;
      }, x0, `${what} second derivative`);
    }
  const xi = T.tensor([[0.5, -1.25, 2], [1.5, 0.75, -0.5], [3, 1, 2]], { dtype: "float64" });
  for (const r of ["prod", "mean", "amax", "amin"] as const) {
    const src = T.tensor([[0.3, 1.7, -0.9], [2.2, -1.1, 0.6]], { dtype: "float64" });
    gradcheck((s) => T.indexReduce(xi, 0, i32([2, 0]), s, r, { includeSelf: false }), src, `indexReduce ${r} source`);
    gradcheck((x) => x.indexReduce(0, i32([2, 2]), src, r), xi, `indexReduce ${r} x`);
  }
});

test("scatterReduce_ / indexReduce_ / renorm_ record autograd as their out-of-place forms; the leaf and view rules of in-place ops hold", () => {
  for (const b of backendsUnderTest())
    T.withBackend(b, () => {
      const idx = i32([[0, 1], [2, 2]]);
      for (const r of ["sum", "prod", "mean", "amax", "amin"] as const) {
        const base = T.tensor([[0.5, -1, 2], [1.5, 0.25, -0.5]], { requiresGrad: true });
        const src = T.tensor([[0.3, 1.7], [2.2, -1.1]], { requiresGrad: true });
        const y = base.mul(1);
        const ret = y.scatterReduce_(1, idx, src, r, { includeSelf: false });
        assert.equal(ret, y);
        y.mul(T.tensor([[1, 2, 3], [4, 5, 6]])).sum().backward();
        const [gb, gs] = [base.grad!, src.grad!];
        const b2 = base.detach().clone().requiresGrad_(), s2 = src.detach().clone().requiresGrad_();
        const z = T.scatterReduce(b2, 1, idx, s2, r, { includeSelf: false });
        z.mul(T.tensor([[1, 2, 3], [4, 5, 6]])).sum().backward();
        near(arr(y.detach()), arr(z.detach()), 1e-7, `${b.name} ${r} values`);
        near(arr(gb), arr(b2.grad!), 1e-6, `${b.name} ${r} x grad`);
        near(arr(gs), arr(s2.grad!), 1e-6, `${b.name} ${r} src grad`);
      }
      const x = T.tensor([[1, 2], [3, 4]], { requiresGrad: true });
      assert.throws(() => x.scatterReduce_(0, i32([[0, 0]]), T.ones([1, 2]), "sum"), msg(/^scatterReduce_: a leaf Variable that requires grad/));
      const y = x.mul(1);
      y.indexReduce_(0, i32([1, 1]), T.tensor([[2, 3], [4, 5]]), "amax");
      y.sum().backward();
      assert.deepEqual(arr(x.grad!), [1, 1, 0, 0], `${b.name} indexReduce_ amax`);
      const w = T.tensor([[3, 4], [0.3, 0.4]], { requiresGrad: true });
      const v = w.mul(1).renorm_(2, 0, 1);
      near(arr(v.detach()), [0.6, 0.8, 0.3, 0.4], 1e-6, `${b.name} renorm_`);
      v.sum().backward();
      const w2 = w.detach().clone().requiresGrad_();
      T.renorm(w2, 2, 0, 1).sum().backward();
      near(arr(w.grad!), arr(w2.grad!), 1e-6, `${b.name} renorm_ grad`);
      // without grad mode the writes go through views too
      T.noGrad(() => {
        const m = T.zeros([2, 3]);
        m.index([0]).scatterReduce_(0, i32([1, 1]), f32([2, 5]), "amax", { includeSelf: false });
        assert.deepEqual(arr(m), [0, 5, 0, 0, 0, 0]);
      });
    });
});

test("renorm, cov, corrcoef and trapezoid gradients match finite differences where the op table has no float64 gradcheck", () => {
  const x = T.tensor([[1, -2, 3], [0.2, 0.1, -0.3], [2, 2, -1]], { dtype: "float64" });
  for (const p of [1, 2, 3, 0.7]) gradcheck((t) => T.renorm(t, p, 0, 1.5), x, `renorm p=${p}`);
  gradcheck((t) => T.renorm(t, 2, 1, 1), x, "renorm dim 1");
  const obs = T.tensor([[1, -2, 3, 0.5], [0.2, 0.1, -0.3, 1], [2, 2.5, -1, 0]], { dtype: "float64" });
  const aw = T.tensor([0.5, 1, 2, 0.25], { dtype: "float64" });
  gradcheck((t) => T.cov(t, { aweights: aw, fweights: i32([1, 2, 1, 3]) }), obs, "cov weighted");
  gradcheck((a) => T.cov(obs, { aweights: a, correction: 2 }), aw, "cov aweights");
  gradcheck((t) => T.corrcoef(t), obs, "corrcoef");
  const xs = T.tensor([0, 0.5, 1.5, 3], { dtype: "float64" });
  gradcheck((t) => T.trapezoid(obs, t), xs, "trapezoid x");
  gradcheck((t) => T.cumulativeTrapezoid(obs, { x: t }), xs, "cumulativeTrapezoid x");
});

test("the new functions and methods given arguments of the wrong kind throw a TensileError naming the op", () => {
  const core = T as unknown as Record<string, (...a: unknown[]) => unknown>;
  const lin = T.linalg as unknown as Record<string, (...a: unknown[]) => unknown>;
  const junk: unknown[] = ["a", {}, 1.5, [T.ones([1])], NaN, null, -1, true];
  const names = [
    "uniqueConsecutive", "histogram", "cov", "corrcoef", "diagflat", "trapezoid", "trapz", "cumulativeTrapezoid", "renorm",
    "addcmul", "addcdiv", "chainMatmul", "scatterReduce", "indexReduce", "choleskyInverse", "choleskySolve",
  ];
  const failures: string[] = [];
  const check = (label: string, call: () => unknown) => {
    try {
      call();
    } catch (e) {
      if (!(e instanceof T.TensileError) || !/^[A-Za-z_][A-Za-z0-9_.]*[:( ]/.test(e.message))
        failures.push(`${label}: ${(e as Error).constructor.name}: ${(e as Error).message.slice(0, 80)}`);
    }
  };
  const fns: [string, (...a: unknown[]) => unknown][] = [
    ...names.map((n) => [n, core[n]!] as [string, (...a: unknown[]) => unknown]),
    ...["tensorinv", "tensorsolve", "vecdot"].map((n) => [`linalg.${n}`, lin[n]!] as [string, (...a: unknown[]) => unknown]),
  ];
  for (const [name, fn] of fns)
    for (const j of junk)
      for (const args of [[j], [T.randn([2, 3]), j], [T.randn([2, 3]), 0, j], [T.randn([3, 3]), 1, T.zeros([3, 3], { dtype: "int32" }), j], [T.randn([2, 2]), 0, i32([0, 1]), T.ones([2, 2]), j]])
        check(`${name}(${args.map((a) => (a instanceof T.Tensor ? "x" : JSON.stringify(a))).join(", ")})`, () => fn(...args));
  const proto = T.Tensor.prototype as unknown as Record<string, (...a: unknown[]) => unknown>;
  for (const name of [...names.filter((n) => typeof proto[n] === "function"), "scatterReduce_", "indexReduce_", "renorm_"])
    for (const j of junk)
      for (const args of [[j], [0, j], [0, i32([[0, 1]]), j], [0, i32([[0, 1]]), T.ones([1, 2]), j]])
        check(`x.${name}(${args.map((a) => (a instanceof T.Tensor ? "x" : JSON.stringify(a))).join(", ")})`, () => proto[name]!.call(T.randn([2, 3]), ...args));
  assert.deepEqual(failures, []);
});
