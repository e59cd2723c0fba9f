// pdist, isin, F.scaledDotProductAttention, nn.init.dirac_ / sparse_ and the in-place integer and
// bit ops, beyond the op table (fixtures/ops.json, ops-nn.json; tools/torchfix/ops_linalg.py,
// ops_sort.py, ops_nn_layers.py, ops_inplace.py): p = ∞ (not writable as a fixture argument),
// torch's gradient at coincident rows, second derivatives, errors PyTorch raises, the random parts
// (dropout inside attention, sparse_) by their structure and statistics. Expected values written
// here were computed with torch 1.13.
import assert from "node:assert/strict";
import { after, test } from "node:test";
import * as T from "../src/index.js";
import { backendsUnderTest } from "./helpers/backends.js";

const F = T.nn.functional;
const init = T.nn.init;
const msg = (re: RegExp) => (e: Error) => e instanceof T.TensileError && re.test(e.message);
const f32 = (data: T.Nested) => T.tensor(data, { dtype: "float32" });
const f64 = (data: T.Nested) => T.tensor(data, { dtype: "float64" });
const i32 = (data: T.Nested) => T.tensor(data, { dtype: "int32" });
const arr = (t: T.Tensor) => Array.from(t.dataSync(), Number);
const near = (got: ArrayLike<number>, want: ArrayLike<number>, tol: number, what: string) => {
  assert.equal(got.length, want.length, `${what}: length`);
  Array.from(want, (w, i) => assert.ok(Object.is(got[i], w) || Math.abs(got[i]! - w) <= tol * Math.max(1, Math.abs(w)), `${what} element ${i}: ${got[i]}, want ${w}`));
};

const before = T.getBackend().name;
after(() => T.setBackend(before));

for (const backend of backendsUnderTest()) {
  const on = (fn: () => void) => () => T.withBackend(backend, fn);

  test(`pdist: p = ∞ values and torch's gradient (every tied maximum, 0 at coincident rows) (${backend.name})`, on(() => {
    const x = f64([[0, 0], [0, 0], [1, 3], [2, 1]]).requiresGrad_();
    const y = T.pdist(x, Infinity);
    near(arr(y), [0, 3, 2, 3, 2, 2], 0, "out");
    y.backward(f64([1, 2, 3, 4, 5, 6]));
    near(arr(x.grad!), [-3, -2, -5, -4, 0, 12, 8, -6], 1e-12, "grad");
    // a row pair with |d| tied at the maximum in both columns sends the gradient to both
    const z = f64([[0, 0], [5, 0.5], [1, 3], [3, 3]]).requiresGrad_();
    const yz = T.pdist(z, Infinity);
    near(arr(yz), [5, 3, 3, 4, 2.5, 2], 0, "ties out");
    yz.sum().backward();
    near(arr(z.grad!), [-2, -2, 2, -1, -2, 1, 2, 2], 1e-12, "ties grad");
  }));

  test(`pdist: coincident rows get a zero gradient for every p, as torch's _pdist_backward (${backend.name})`, on(() => {
    const want: Record<string, number[]> = {
      "0": [0, 0, 0, 0, 0, 0, 0, 0],
      "0.5": [-10.585421958697395, -10.397341225498536, -19.463737136208245, -18.38046888862398, 1.9070234711746927, 19.706742302257037, 28.14213562373095, 9.071067811865476],
      "1": [-5, -5, -9, -9, 0, 12, 14, 2],
      "2": [-3.3157371050334237, -3.239007382600901, -5.737047019066932, -6.030801169701845, -0.7859149768987201, 11.058662934302578, 9.838699100999076, -1.7888543819998315],
      "3": [-2.990344309679372, -2.6454541848421322, -5.0562069202245645, -5.0597879449007195, -0.7360249118707701, 11.40316892627957, 8.782576141774706, -3.697926796536718],
    };
    for (const [p, g] of Object.entries(want)) {
      const x = f64([[0, 0], [0, 0], [1, 3], [2, 1]]).requiresGrad_();
      T.pdist(x, Number(p)).backward(f64([1, 2, 3, 4, 5, 6]));
      near(arr(x.grad!), g, 1e-12, `p=${p}`);
    }
  }));

  test(`pdist: shapes without pairs, F.pdist, errors as PyTorch's (${backend.name})`, on(() => {
    const none = T.randn([0, 3], { dtype: "float64" }).requiresGrad_();
    const y = T.pdist(none);
    assert.deepEqual(y.shape, [0]);
    y.sum().backward();
    assert.deepEqual(none.grad!.shape, [0, 3]);
    assert.deepEqual(T.pdist(T.randn([1, 4])).shape, [0]);
    near(arr(T.pdist(T.zeros([3, 0]), 3)), [0, 0, 0], 0, "no columns");
    assert.equal(F.pdist, T.pdist);
    assert.throws(() => T.pdist(T.zeros([2, 3, 4])), msg(/^pdist: only supports 2D tensors, got: 3D \(shape \[2, 3, 4\]\)/));
    assert.throws(() => T.pdist(T.zeros([3])), msg(/pdist: only supports 2D tensors, got: 1D/));
    assert.throws(() => T.pdist(i32([[1, 2], [3, 4]])), msg(/pdist: only supports floating-point dtypes, got int32/));
    assert.throws(() => T.pdist(T.zeros([3, 2]), -1), msg(/pdist: only supports non-negative p values, got -1/));
    assert.throws(() => T.pdist(T.zeros([3, 2]), NaN), msg(/pdist: only supports non-negative p values, got NaN/));
  }));

  test(`pdist: second derivatives (createGraph) match central differences of the gradient (${backend.name})`, on(() => {
    for (const p of [1.5, 2, 3]) {
      const x0 = [[0.3, -1.2, 0.8], [1.1, 0.4, -0.5], [-0.7, 0.9, 0.2], [0.5, 0.5, 1.5]];
      const w = f64([0.3, -1.1, 0.7, 1.9, -0.4, 0.8]);
      const gradAt = (data: number[][], createGraph: boolean) => {
        const x = f64(data).requiresGrad_();
        const [g] = T.grad([T.pdist(x, p).mul(w).sum()], [x], { createGraph });
        return { x, g: g! };
      };
      const { x, g } = gradAt(x0, true);
      const v = f64(x0.map((r, i) => r.map((_, j) => Math.cos(i + 2 * j))));
      const [h] = T.grad([g.mul(v).sum()], [x]);
      const eps = 1e-6, flat = x0.flat();
      const numeric = flat.map((_, k) => {
        const shift = (d: number) => arr(gradAt(x0.map((r, i) => r.map((e, j) => (i * 3 + j === k ? e + d : e))), false).g.mul(v).sum());
        return (shift(eps)[0]! - shift(-eps)[0]!) / (2 * eps);
      });
      near(arr(h!), numeric, 1e-5, `p=${p} second derivative`);
    }
  }));

  test(`isin: bool result, promotion, numbers, invert, NaN and −0; errors as PyTorch's (${backend.name})`, on(() => {
    const r = T.isin(i32([[1, 2], [3, 4]]), i32([4, 1]), { invert: true });
    assert.equal(r.dtype, "bool");
    assert.deepEqual(r.toArray(), [[false, true], [true, false]]);
    assert.deepEqual(T.isin(i32([1, 2, 3]), f32([2.5, 3])).toArray(), [false, false, true]);
    assert.deepEqual(T.isin(f32([1, NaN, -0]), f32([NaN, 0])).toArray(), [false, false, true]);
    const s = T.isin(2, i32([1, 2]));
    assert.deepEqual([s.shape, s.item()], [[], 1]);
    assert.deepEqual(T.isin(i32([1, 2]), 2.5).toArray(), [false, false]);
    const x = f32([1, 2, 3]).requiresGrad_();
    assert.equal(T.isin(x, f32([2])).requiresGrad, false, "not differentiable");
    assert.throws(() => T.isin(2 as never, 3 as never), msg(/isin: expected elements or testElements to be a Tensor, got 2 and 3/));
    assert.throws(() => T.isin(T.tensor([true, false]), i32([1])), msg(/isin: Unsupported input type encountered for isin\(\): bool/));
    assert.throws(() => T.isin(i32([1]), [1, 2] as never), msg(/isin: expected a Tensor or a number, got an array/));
  }));

  test(`scaledDotProductAttention: dropoutP = 0 is exact, dropoutP > 0 keeps weights with probability 1 − p (${backend.name})`, on(() => {
    const q = T.randn([2, 3, 4]), k = T.randn([2, 5, 4]), v = T.randn([2, 5, 3]);
    const plain = F.scaledDotProductAttention(q, k, v);
    const manual = q.matmul(k.transpose(-2, -1)).div(2).softmax(-1).matmul(v);
    near(arr(plain), arr(manual), 1e-6, "formula");
    assert.deepEqual(arr(F.scaledDotProductAttention(q, k, v, { dropoutP: 0, generator: new T.Generator(3) })), arr(plain));
    // uniform weights 1/S (q = 0) over value = I: the output is the weights after dropout
    const L = 200, S = 50, p = 0.3;
    const out = F.scaledDotProductAttention(T.zeros([L, 4]), T.randn([S, 4]), T.eye(S), { dropoutP: p, generator: new T.Generator(11) });
    const kept = 1 / (S * (1 - p));
    const vals = arr(out);
    assert.ok(vals.every((x) => x === 0 || Math.abs(x - kept) < 1e-6), "entries are 0 or 1/(S(1 − p))");
    const dropped = vals.filter((x) => x === 0).length / vals.length;
    assert.ok(Math.abs(dropped - p) < 0.02, `dropped fraction ${dropped}, want ≈ ${p}`);
    const again = F.scaledDotProductAttention(T.zeros([L, 4]), T.randn([S, 4]), T.eye(S), { dropoutP: p, generator: new T.Generator(11) });
    assert.deepEqual(arr(again), vals, "a seeded generator repeats the mask");
  }));

  test(`scaledDotProductAttention: a masked-out row gives NaN, gradients reach a float mask, errors (${backend.name})`, on(() => {
    const q = T.randn([3, 4]), k = T.randn([2, 4]), v = T.randn([2, 2]);
    const out = F.scaledDotProductAttention(q, k, v, { attnMask: T.tensor([[true, false], [false, false], [true, true]]) });
    assert.ok(arr(out.narrow(0, 1, 1)).every(Number.isNaN) && arr(out.narrow(0, 0, 1)).every(Number.isFinite));
    const mask = T.zeros([3, 2]).requiresGrad_();
    F.scaledDotProductAttention(q, k, v, { attnMask: mask }).sum().backward();
    assert.deepEqual(mask.grad!.shape, [3, 2]);
    const op = /^scaledDotProductAttention: /;
    assert.throws(() => F.scaledDotProductAttention(q, k, v, { isCausal: true, attnMask: T.ones([3, 2], { dtype: "bool" }) }),
      msg(/explicit attnMask should not be set when isCausal is true/));
    assert.throws(() => F.scaledDotProductAttention(q, T.randn([2, 5]), v), msg(/query and key must have the same embedding size \(last dim\), got query \[3, 4\], key \[2, 5\], value \[2, 2\]/));
    assert.throws(() => F.scaledDotProductAttention(q, k, T.randn([3, 2])), msg(/key and value must have the same sequence length/));
    assert.throws(() => F.scaledDotProductAttention(T.randn([2, 3, 4]), T.randn([3, 2, 4]), T.randn([3, 2, 2])), msg(op));
    assert.throws(() => F.scaledDotProductAttention(T.randn([4]), k, v), msg(/at least 2 dimensions/));
    assert.throws(() => F.scaledDotProductAttention(q, k.to("float64"), v), msg(/same floating-point dtype, got query float32, key float64/));
    assert.throws(() => F.scaledDotProductAttention(q, k, v, { attnMask: i32([[1, 0]]) }), msg(/attnMask to be bool or of query's dtype \(float32\), got int32/));
    assert.throws(() => F.scaledDotProductAttention(q, k, v, { attnMask: T.ones([4, 2], { dtype: "bool" }) }),
      msg(/attnMask of shape \[4, 2\] cannot be broadcast to the attention scores' shape \[3, 2\]/));
    assert.throws(() => F.scaledDotProductAttention(q, k, v, { dropoutP: 1.5 }), msg(/dropout probability has to be between 0 and 1, but got 1.5/));
  }));

  test(`nn.init.dirac_ matches torch.nn.init.dirac_; sparse_ zeros ⌈sparsity·rows⌉ entries per column (${backend.name})`, on(() => {
    const cases: [number[], number, number[]][] = [
      [[4, 2, 3, 3], 2, [4, 31, 40, 67]],
      [[3, 5, 4], 1, [2, 26, 50]],
      [[6, 2, 2, 3, 2], 3, [9, 45, 57, 93, 105, 141]],
      [[2, 3, 4, 4], 1, [10, 74]],
    ];
    for (const [shape, groups, ones] of cases) {
      const w = T.randn(shape);
      assert.equal(init.dirac_(w, { groups }), w);
      const nz = arr(w).flatMap((x, i) => (x === 0 ? [] : [i]));
      assert.deepEqual(nz, ones, `dirac_ ${shape} groups ${groups}`);
      assert.ok(arr(w).every((x) => x === 0 || x === 1));
    }
    // a conv with a dirac_ weight passes its input through
    const x = T.randn([1, 3, 5, 5]);
    near(arr(F.conv2d(x, init.dirac_(T.empty([3, 3, 3, 3])), null, { padding: 1 })), arr(x), 1e-6, "identity conv");
    assert.throws(() => init.dirac_(T.empty([3, 3])), msg(/dirac_: only tensors with 3, 4, or 5 dimensions are supported, got shape \[3, 3\]/));
    assert.throws(() => init.dirac_(T.empty([3, 3, 3]), 2), msg(/dirac_: dim 0 must be divisible by groups, got 3 and groups 2/));

    const rows = 40, cols = 300, sparsity = 0.3, std = 0.5;
    const s = init.sparse_(T.empty([rows, cols]), sparsity, std, { generator: new T.Generator(5) });
    const data = arr(s);
    for (let c = 0; c < cols; c++) {
      let zeros = 0;
      for (let r = 0; r < rows; r++) zeros += data[r * cols + c] === 0 ? 1 : 0;
      assert.equal(zeros, Math.ceil(sparsity * rows), `column ${c}`);
    }
    const nonzero = data.filter((x) => x !== 0);
    const mean = nonzero.reduce((a, b) => a + b, 0) / nonzero.length;
    const sd = Math.sqrt(nonzero.reduce((a, b) => a + (b - mean) ** 2, 0) / nonzero.length);
    assert.ok(Math.abs(mean) < 0.03 && Math.abs(sd - std) < 0.03, `mean ${mean}, std ${sd}`);
    assert.deepEqual(arr(init.sparse_(T.empty([rows, cols]), sparsity, { std, generator: new T.Generator(5) })), data, "seeded");
    assert.throws(() => init.sparse_(T.empty([3]), 0.1), msg(/sparse_: only tensors with 2 dimensions are supported, got shape \[3\]/));
  }));

  test(`in-place integer and bit ops write through views and refuse what PyTorch refuses (${backend.name})`, on(() => {
    const a = i32([[12, 18, 7], [9, 10, 11]]);
    const row = a.select(0, 0);
    assert.equal(row.gcd_(i32([8, 27, 0])), row);
    assert.deepEqual(a.toArray(), [[4, 9, 7], [9, 10, 11]], "gcd_ writes through the view");
    assert.deepEqual(i32([4, 6]).lcm_(10).toArray(), [20, 30], "a number operand (an extension: torch's lcm_ takes a tensor)");
    assert.deepEqual(T.tensor([true, false]).bitwiseNot_().toArray(), [false, true]);
    assert.deepEqual(T.tensor([true, false]).bitwiseXor_(T.tensor([true, true])).toArray(), [false, true]);
    assert.deepEqual(i32([-8, 5]).bitwiseRightShift_(1).bitwiseLeftShift_(2).toArray(), [-16, 8]);
    assert.throws(() => T.tensor([true, false]).bitwiseAnd_(i32([1, 1])), msg(/^bitwiseAnd_: result type int32 can't be cast to the desired output type bool$/));
    assert.throws(() => T.tensor([true, false]).bitwiseOr_(1), msg(/bitwiseOr_: result type int32 can't be cast/));
    assert.throws(() => i32([3, 4]).gcd_(i32([[1], [2]])), msg(/gcd_: source of shape \[2, 1\] cannot be broadcast to the destination's shape \[2\]/));
    assert.throws(() => f32([3, 4]).lcm_(i32([1, 2])), msg(/lcm: expected integer operands/));
    assert.throws(() => f32([3, 4]).bitwiseNot_(), msg(/bitwiseNot: expected an integer or bool tensor/));
  }));
}
