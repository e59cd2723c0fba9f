/**
 * `asStrided` / `x.asStrided` / `x.asStrided_` (src/ops/as-strided.ts, tensor/view-inplace-methods.ts)
 * against PyTorch 1.13 (fixtures/as-strided.json from tools/gen-as-strided-fixtures.py) on every
 * backend: the view each call makes (shape, strides, storage offset, values), the gradient that
 * reaches the leaf through it — contiguous, transposed and sliced inputs, overlapping outputs
 * (stride 0, windows), overlapping inputs (an expanded tensor, as_strided of as_strided), positions
 * the input does not view — the in-place form, float64 gradchecks (first and second order), and the
 * errors.
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import * as T from "../src/index.js";
import { type Tensor, arange, asStrided, noGrad, withBackend, zeros } from "../src/index.js";
import { type Enc, assertClose, assertThrowsTensile, loadNnFixture } from "./nn-helpers.js";
import { backendsUnderTest } from "./helpers/backends.js";
import { gradcheck } from "./helpers/gradcheck.js";

type View = { shape: number[]; strides: number[]; offset: number; values: Enc };
const fx = loadNnFixture("as-strided.json");

/** The leaf b = arange(n) (float32) that requires grad, as the generator's `leaf`. */
const leaf = (n: number) => arange(n, { dtype: "float32" }).requiresGrad_();
/** The generator's output-gradient weights: w[i] = (7·i mod 11) − 4.5 in row-major order. */
const weights = (t: Tensor) =>
  T.tensor(Array.from({ length: t.numel() }, (_, i) => ((7 * i) % 11) - 4.5), { dtype: t.dtype }).reshape(t.shape);

function checkView(what: string, x: Tensor, want: View): void {
  assert.deepEqual([...x.shape], want.shape, `${what}: shape`);
  assert.deepEqual([...x.strides], want.strides, `${what}: strides`);
  assert.equal(x.offset, want.offset, `${what}: offset`);
  assert.equal(x.dtype, want.values.dtype, `${what}: dtype`);
  assertClose(what, x, want.values, 0, 0);
}

// the generator's CASES: name → [leaf size, the input made from the leaf, the asStrided call]
const CASES: Record<string, [number, (b: Tensor) => Tensor, (x: Tensor) => Tensor]> = {
  contiguous: [12, (b) => b, (x) => x.asStrided([3, 2], [2, 3], 1)],
  leaf_view_default_offset: [12, (b) => b.view(3, 4), (x) => x.asStrided([2, 3], [4, 1])],
  transposed: [12, (b) => b.mul(1).view(3, 4).t(), (x) => x.asStrided([2, 2], [4, 1], 1)],
  transposed_windows: [12, (b) => b.mul(1).view(3, 4).t(), (x) => x.asStrided([3, 3], [1, 1])],
  sliced_offset: [12, (b) => b.mul(1).view(3, 4).narrow(0, 1, 2).narrow(1, 1, 2), (x) => x.asStrided([2, 2], [1, 4])],
  sliced_reads_outside: [12, (b) => b.mul(1).view(3, 4).narrow(0, 1, 2).narrow(1, 1, 2), (x) => x.asStrided([3], [1], 3)],
  tail_default_offset: [8, (b) => b.narrow(0, 2, 6), (x) => x.asStrided([2], [3])],
  stride0: [8, (b) => b, (x) => x.asStrided([3, 4], [0, 1], 2)],
  windows: [12, (b) => b, (x) => x.asStrided([5, 4], [2, 1])],
  nested: [12, (b) => b.asStrided([4, 3], [2, 1], 1), (x) => x.asStrided([3, 3], [3, 1], 2)],
  expanded_input: [6, (b) => b.narrow(0, 0, 3).expand([2, 3]), (x) => x.asStrided([2, 2], [1, 1])],
  size1_dims: [6, (b) => b, (x) => x.asStrided([1, 3, 1], [100, 2, 7], 0)],
  scalar: [6, (b) => b, (x) => x.asStrided([], [], 5)],
  empty: [6, (b) => b, (x) => x.asStrided([0, 3], [1, 100], 50)],
  float64: [6, (b) => b.to("float64").mul(1), (x) => x.asStrided([2, 3], [1, 1], 1)],
};

/** torch's message with its op name ("as_strided: ...") dropped, as a literal pattern. */
const torchMessage = (m: string) => new RegExp(m.replace(/^as_strided: /, "").replace(/[.*+?^${}()|[\]\\]/g, "\\$&"));

test("float64 gradcheck: windows, stride 0, transposed and sliced inputs, overlapping inputs", () => {
  const x0 = T.randn(12, { dtype: "float64" });
  gradcheck((x) => x.asStrided([5, 4], [2, 1]), x0, "windows");
  gradcheck((x) => asStrided(x, [3, 4], [0, 1], 2).exp(), x0, "stride 0");
  gradcheck((x) => x.view(3, 4).t().asStrided([3, 3], [1, 1]).sin(), x0, "transposed input");
  // (an output reading positions its input does not view gets no gradient there, as torch: not gradcheckable)
  gradcheck((x) => x.view(3, 4).narrow(1, 1, 2).asStrided([2, 2, 2], [4, 4, 1], 1), x0, "sliced input, overlapping output");
  gradcheck((x) => x.asStrided([4, 3], [2, 1], 1).asStrided([3, 3], [2, 1], 2).square(), x0, "as_strided of as_strided");
  gradcheck((x) => x.narrow(0, 0, 3).expand([2, 3]).asStrided([2, 2], [1, 1]).square(), x0, "expanded input");
  gradcheck((x) => {
    const y = x.mul(1);
    y.asStrided_([2, 5], [3, 1], 1);
    return y.square();
  }, x0, "asStrided_");
});

test("float64 gradcheck of the gradient (createGraph): the rule is made of differentiable ops", () => {
  const x0 = T.randn(8, { dtype: "float64" });
  gradcheck((x) => {
    const y = x.asStrided([3, 4], [2, 1]).pow(3).sum();
    return T.grad(y, x, { createGraph: true })[0]!;
  }, x0, "second order");
});

for (const backend of backendsUnderTest()) {
  const on = (fn: () => void) => () => withBackend(backend, fn);
  describe(`asStrided (${backend.name})`, () => {
    test("each call gives PyTorch's view and gradient", on(() => {
      for (const [name, [n, input, call]] of Object.entries(CASES)) {
        const b = leaf(n);
        const out = call(input(b));
        checkView(name, out.detach(), fx[name].out);
        out.mul(weights(out)).sum().backward();
        assertClose(`${name}: grad`, b.grad!, fx[name].grad, 0, 0);
      }
      checkView("int32", arange(6, { dtype: "int32" }).asStrided([2, 2], [1, 2], 1), fx.int32.out);
    }));

    test("function and method agree; the view shares the storage both ways", on(() => {
      const x = zeros(6);
      const v = asStrided(x, [2], [3], 1);
      assert.equal(v.storage, x.storage);
      v.fill_(1);
      assert.deepEqual([...x.dataSync()], [0, 1, 0, 0, 1, 0]);
      x.add_(2);
      assert.deepEqual([...v.dataSync()], [3, 3]);
      assert.deepEqual([...x.asStrided([2], [3], 1).dataSync()], [...v.dataSync()]);
      // the offset counts from the storage's start, and defaults to the input's own
      const tail = arange(8).narrow(0, 3, 5);
      assert.equal(tail.asStrided([2], [1]).offset, 3);
      assert.deepEqual([...tail.asStrided([2], [1], 0).dataSync()], [0, 1]);
      assert.equal(tail.asStrided([2], [1], null).offset, 3);
    }));

    test("a non-uniform, non-contiguous output gradient", on(() => {
      // the windows' gradient arrives transposed (out.t() downstream): the same sums as the fixture
      const b = leaf(12);
      const out = b.asStrided([5, 4], [2, 1]);
      out.t().mul(weights(out).t()).sum().backward();
      assertClose("grad", b.grad!, fx.windows.grad, 0, 0);
    }));

    test("asStrided_ in place: the tensor takes the view and the node", on(() => {
      const b = leaf(6);
      const y = b.mul(1);
      assert.equal(y.asStrided_([2, 2], [1, 2], 1), y);
      assert.equal(y.gradFn?.name, "asStrided");
      checkView("inplace", y.detach(), fx.inplace.out);
      y.mul(weights(y)).sum().backward();
      assertClose("inplace grad", b.grad!, fx.inplace.grad, 0, 0);
      // part of a storage, no autograd: the base keeps its view and sees the writes
      const z = zeros(12);
      const v = z.narrow(0, 2, 10);
      v.asStrided_([2, 3], [3, 1]);
      v.fill_(5);
      checkView("part: view", v, fx.inplace_part.view);
      checkView("part: base", z, fx.inplace_part.base);
    }));

    test("errors", on(() => {
      const e = fx.errors;
      assertThrowsTensile(() => arange(8, { dtype: "float32" }).asStrided([2, 2], [1, 1], 7), /^asStrided: /, torchMessage(e.out_of_bounds));
      assertThrowsTensile(() => arange(4, { dtype: "float64" }).asStrided([2, 2], [1, 1], 3), torchMessage(e.out_of_bounds_float64));
      assertThrowsTensile(() => arange(8, { dtype: "float32" }).narrow(0, 4, 4).asStrided([5], [1]), torchMessage(e.out_of_bounds_view));
      assertThrowsTensile(() => asStrided(arange(8), [2, 2], [-1, 1]), /^asStrided: /, torchMessage(e.negative_stride));
      assertThrowsTensile(() => arange(8).asStrided([2, 2], [1]), torchMessage(e.mismatch), /size \[2, 2\] has 2 entries, stride \[1\] has 1/);
      assertThrowsTensile(() => arange(8).asStrided([2, 2], [1, 1], -1), /asStrided: invalid storage offset -1/);
      assertThrowsTensile(() => arange(8).asStrided([-1, 2], [1, 1]), /asStrided: .*negative dimension -1/);
      assertThrowsTensile(() => arange(8).asStrided([2.5], [1]), /asStrided: expected size to be an array of integers, got \[2\.5\]/);
      assertThrowsTensile(() => arange(8).asStrided([2], [1], 0.5), /asStrided: expected storageOffset to be an integer, got 0\.5/);
      assertThrowsTensile(() => (asStrided as (x: unknown, s: number[], t: number[]) => Tensor)(null, [1], [1]), /^asStrided: /);
      assert.match(e.leaf_inplace, /a leaf Variable that requires grad is being used in an in-place operation/);
      assertThrowsTensile(() => leaf(4).asStrided_([2], [1]), /^asStrided_: a leaf Variable that requires grad is being used in an in-place operation/);
      assertThrowsTensile(() => arange(4, { dtype: "float32" }).asStrided_([2], [3], 1), /^asStrided_: /, torchMessage(e.inplace_out_of_bounds));
      // an empty view may point anywhere (torch checks nothing for it); the tensor is unchanged by a refused asStrided_
      assert.deepEqual([...arange(2).asStrided([0, 5], [100, 100], 1000).shape], [0, 5]);
      const x = arange(4, { dtype: "float32" });
      assert.throws(() => x.asStrided_([5], [1]));
      assert.deepEqual([...x.shape], [4]);
      // Tensile's own limit on in-place view changes, with the way out named
      const y = leaf(4).mul(1);
      assertThrowsTensile(() => noGrad(() => y.asStrided_([2], [1])), /with grad mode off/);
    }));
  });
}
