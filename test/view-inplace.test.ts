/**
 * The in-place shape methods (src/tensor/view-inplace-methods.ts): `t_`, `transpose_`, `swapdims_`,
 * `swapaxes_`, `squeeze_`, `unsqueeze_`, `resize_`, `resizeAs_` against PyTorch 1.13
 * (fixtures/view-inplace.json from tools/gen-view-inplace-fixtures.py) on every backend: the view
 * each leaves (shape, strides, offset, values), writes through a changed view, gradients through
 * views changed in place on an op's output, float64 gradcheck, and the errors.
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import * as T from "../src/index.js";
import { type Tensor, arange, noGrad, tensor, withBackend, zeros } from "../src/index.js";
import { type Enc, assertClose, assertThrowsTensile, loadNnFixture } from "./nn-helpers.js";
import { backendsUnderTest } from "./helpers/backends.js";
import { gradcheck } from "./helpers/gradcheck.js";

type View = { shape: number[]; strides: number[]; offset: number; values: Enc };
const fx = loadNnFixture("view-inplace.json");
const a = (...shape: number[]) => arange(shape.reduce((p, q) => p * q, 1), { dtype: "float32" }).reshape(shape);

function checkView(what: string, x: Tensor, want: View, rtol = 0): void {
  assert.deepEqual([...x.shape], want.shape, `${what}: shape`);
  assert.deepEqual([...x.strides], want.strides, `${what}: strides`);
  assert.equal(x.offset, want.offset, `${what}: offset`);
  assertClose(what, x, want.values, rtol, 0);
}

/** A chain of in-place view changes on an op's output, and the same chain out of place. */
const chainInPlace = (t: Tensor): Tensor => {
  const y = t.sin().mul(1);
  y.squeeze_(1).t_().unsqueeze_(0).swapdims_(0, 2);
  return y.cumsum(1);
};
const chainOutOfPlace = (t: Tensor): Tensor => t.sin().mul(1).squeeze(1).t().unsqueeze(0).swapdims(0, 2).cumsum(1);

test("float64 gradcheck through chained in-place view changes", () => {
  gradcheck(chainInPlace, T.randn(2, 1, 3, { dtype: "float64" }), "chain");
});

for (const backend of backendsUnderTest()) {
  const on = (fn: () => void) => () => withBackend(backend, fn);
  describe(`in-place shape methods (${backend.name})`, () => {
    test("each leaves PyTorch's view of the same storage, and returns the tensor", on(() => {
      const cases: Record<string, () => Tensor> = {
        t: () => a(2, 3).t_(),
        t_1d: () => a(3).t_(),
        transpose: () => a(2, 3, 4).transpose_(0, 2),
        swapdims: () => a(2, 3, 4).swapdims_(-1, 1),
        swapaxes: () => a(2, 3, 4).swapaxes_(0, 1),
        squeeze_dim: () => a(2, 1, 3, 1).squeeze_(1),
        squeeze_all: () => a(2, 1, 3, 1).squeeze_(),
        squeeze_noop: () => a(2, 1, 3, 1).squeeze_(0),
        unsqueeze_last: () => a(2, 3).unsqueeze_(-1),
        unsqueeze_strided: () => a(2, 3).t().unsqueeze_(1),
        resize_same: () => a(2, 3).resize_(3, 2),
        resize_shrink: () => a(2, 3).resize_(2),
        resize_offset: () => a(2, 3).select(0, 1).resize_(2),
        resize_list: () => a(2, 3).resize_([1, 6]),
        resize_strided: () => a(2, 3).t().resize_(3, 2),
        resize_as: () => a(2, 3).resizeAs_(zeros(6, 1)),
      };
      for (const [name, make] of Object.entries(cases)) checkView(name, make(), fx[name]);
      const x = a(2, 3);
      assert.equal(x.t_(), x);
    }));

    test("a view of part of a storage changes alone; writes through it reach the base", on(() => {
      const z = zeros(2, 3);
      const v = z.select(0, 1);
      v.unsqueeze_(0).fill_(7);
      checkView("view", v, fx.part.view);
      checkView("base", z, fx.part.base);
    }));

    test("resize_ past the storage keeps the values and gives zeros after them", on(() => {
      const x = a(2, 3);
      x.resize_(4, 2);
      const want = fx.resize_grow;
      assert.deepEqual([...x.shape], want.shape);
      assert.deepEqual([...x.strides], want.strides);
      assertClose("head", x.reshape(-1).narrow(0, 0, 6), want.head, 0, 0);
      assert.deepEqual([...x.reshape(-1).narrow(0, 6, 2).dataSync()], [0, 0]);
      assert.deepEqual([...x.add(1).reshape(-1).dataSync()], [1, 2, 3, 4, 5, 6, 1, 1]);
    }));

    test("autograd records view changes on an op's output", on(() => {
      const x = a(2, 3).detach().requiresGrad_();
      const y = x.mul(2);
      y.t_();
      y.unsqueeze_(1);
      assert.equal(y.gradFn?.name, "unsqueeze");
      y.mul(a(3, 1, 2).add(1)).sum().backward();
      checkView("y", y.detach(), fx.grad_t_unsqueeze.y);
      assertClose("grad", x.grad!, fx.grad_t_unsqueeze.grad, 0, 0);

      const x2 = a(2, 1, 3).detach().requiresGrad_();
      const y2 = x2.exp().mul(1);
      y2.squeeze_(1);
      y2.transpose_(0, 1);
      y2.mul(a(3, 2).sub(2)).sum().backward();
      checkView("y2", y2.detach(), fx.grad_squeeze_transpose.y, 1e-6);
      assertClose("grad2", x2.grad!, fx.grad_squeeze_transpose.grad, 1e-5, 1e-4);
    }));

    test("the same gradient as the out-of-place chain", on(() => {
      const x0 = T.randn(2, 1, 3);
      const g = (f: (t: Tensor) => Tensor) => {
        const x = x0.clone().requiresGrad_();
        const y = f(x);
        y.mul(T.arange(y.numel()).reshape(y.shape)).sum().backward();
        return [y.detach(), x.grad!] as const;
      };
      const [y1, g1] = g(chainInPlace), [y2, g2] = g(chainOutOfPlace);
      assert.deepEqual([...y1.shape], [...y2.shape]);
      assert.deepEqual([...y1.dataSync()], [...y2.dataSync()]);
      assert.deepEqual([...g1.dataSync()], [...g2.dataSync()]);
    }));

    test("errors", on(() => {
      const e = fx.errors;
      assertThrowsTensile(() => a(2, 3, 4).t_(), new RegExp(e.t_3d.replace(/[()<>]/g, "\\$&").replace("t_\\(\\) expects", "t: expects")));
      assertThrowsTensile(() => a(2, 3).detach().requiresGrad_().t_(), /leaf Variable that requires grad is being used in an in-place operation/);
      assertThrowsTensile(() => a(2, 3).detach().requiresGrad_().mul(1).resize_(6), new RegExp(e.resize_grad));
      assertThrowsTensile(() => a(2, 3).transpose_(0, 2), /dimension out of range \(expected to be in range of \[-2, 1\], but got 2\)/);
      assertThrowsTensile(() => a(2, 3).unsqueeze_(3), /dimension out of range \(expected to be in range of \[-3, 2\], but got 3\)/);
      assertThrowsTensile(() => a(2, 3).resize_(-1, 2), /resize_: .*negative dimension -1/);
      // Tensile's own limits, with the way out named
      const x = a(2, 3).detach().requiresGrad_();
      const y = x.mul(2);
      y.sum();
      assertThrowsTensile(() => y.t_(), /already used as an input by an op autograd recorded/);
      const y2 = x.mul(2);
      assertThrowsTensile(() => noGrad(() => y2.t_()), /with grad mode off/);
      // a backward rule that saved the tensor refuses to run rather than read the new view
      const w = a(2, 3).detach().requiresGrad_();
      const data = a(2, 3);
      const out = w.mul(data).sum();
      data.t_();
      assertThrowsTensile(() => out.backward(), /modified by an inplace operation/);
    }));
  });
}
