/**
 * autograd.functional (torch.autograd.functional): Jacobians, Hessians and vector products checked
 * against closed forms — a linear map's Jacobian is its matrix, softmax's is diag(s) − s·sᵀ, the
 * Hessian of xᵀAx is A + Aᵀ, of Σx³ is diag(6x) — plus PyTorch's shapes and nesting for several
 * inputs and outputs, createGraph, strict, and no side effects on the inputs. On every backend.
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import * as T from "../src/index.js";
import { Tensor, manualSeed, randn, tensor, withBackend } from "../src/core.js";
import { backendsUnderTest } from "./helpers/backends.js";
import { assertThrowsTensile } from "./nn-helpers.js";

const { jacobian, hessian, vjp, jvp, vhp, hvp } = T.autograd.functional;

function close(what: string, a: Tensor, b: Tensor, tol = 1e-5): void {
  assert.deepEqual([...a.shape], [...b.shape], `${what}: shape`);
  const x = a.dataSync(), y = b.dataSync();
  for (let i = 0; i < x.length; i++)
    assert.ok(Math.abs(Number(x[i]) - Number(y[i])) <= tol * (1 + Math.abs(Number(y[i]))), `${what}[${i}]: ${x[i]} vs ${y[i]}`);
}

for (const backend of backendsUnderTest()) {
  describe(`autograd.functional on ${backend.name}`, () => {
    test("jacobian: a linear map's is its matrix; softmax's is diag(s) − s·sᵀ; shapes are output ++ input", () => withBackend(backend, () => {
      manualSeed(0);
      const A = randn([2, 3]), b = randn([2]);
      const x = randn([3]);
      close("J of Ax + b", jacobian((v) => A.matmul(v).add(b), x) as Tensor, A);
      const z = randn([4]);
      const s = z.softmax(0);
      const want = T.diag(s).sub(s.unsqueeze(1).matmul(s.unsqueeze(0)));
      close("softmax", jacobian((v) => v.softmax(0), z) as Tensor, want);
      const m = randn([2, 3]);
      assert.deepEqual(jacobian((v) => v.tanh().sum(1), m).shape, [2, 2, 3]);
      assert.equal(x.grad, null);
      assert.equal(x.requiresGrad, false, "the caller's input is untouched");
    }));

    test("jacobian of several inputs and outputs nests as PyTorch's tuples: J[output][input]", () => withBackend(backend, () => {
      manualSeed(1);
      const x = randn([3]), y = randn([3]);
      const J = jacobian((a, b) => [a.mul(b), a.add(b).sum()], [x, y]) as Tensor[][];
      close("d(xy)/dx", J[0]![0]!, T.diag(y));
      close("d(xy)/dy", J[0]![1]!, T.diag(x));
      close("d(sum)/dx", J[1]![0]!, T.ones([3]));
      const one = jacobian((a, b) => a.mul(b), [x, y]) as Tensor[];
      assert.equal(one.length, 2, "one output, two inputs: an array over inputs");
      const unused = jacobian((a, _b) => a.exp(), [x, y]) as Tensor[];
      close("unused input gives zeros", unused[1]!, T.zeros([3, 3]));
      assertThrowsTensile(() => jacobian((a, _b) => a.exp(), [x, y], { strict: true }), /^jacobian: the output of the function is independent of input 1/);
    }));

    test("hessian: A + Aᵀ for xᵀAx, diag(6x) for Σx³, blocks for two inputs", () => withBackend(backend, () => {
      manualSeed(2);
      const A = randn([3, 3]), x = randn([3]);
      close("xᵀAx", hessian((v) => v.matmul(A).matmul(v), x) as Tensor, A.add(A.t()));
      close("Σx³", hessian((v) => v.pow(3).sum(), x) as Tensor, T.diag(x.mul(6)), 1e-4);
      const y = randn([2]);
      const H = hessian((a, b) => a.sum().mul(b.pow(2).sum()), [x, y]) as Tensor[][];
      close("H_xx", H[0]![0]!, T.zeros([3, 3]));
      close("H_xy", H[0]![1]!, y.mul(2).unsqueeze(0).expand([3, 2]));
      close("H_yy", H[1]![1]!, T.eye(2).mul(x.sum().mul(2)));
      assertThrowsTensile(() => hessian((v) => v.mul(2), x), /^hessian: the function must return a single Tensor with one element, got shape \[3\]/);
    }));

    test("vjp = vᵀJ, jvp = Jv, vhp = vᵀH and hvp = Hv for a non-symmetric quadratic", () => withBackend(backend, () => {
      manualSeed(3);
      const W = randn([2, 3]), x = randn([3]), u = randn([2]), v = randn([3]);
      const f = (a: Tensor) => W.matmul(a.tanh());
      const J = jacobian(f, x) as Tensor;
      const [out, g] = vjp(f, x, u);
      close("vjp output", out as Tensor, f(x));
      close("vjp", g as Tensor, u.unsqueeze(0).matmul(J).squeeze(0));
      const [, jv] = jvp(f, x, v);
      close("jvp", jv as Tensor, J.matmul(v));
      const A = randn([3, 3]);
      const q = (a: Tensor) => a.matmul(A).matmul(a).add(a.pow(3).sum());
      const H = A.add(A.t()).add(T.diag(x.mul(6)));
      const [val, hv] = hvp(q, x, v);
      close("hvp value", val, q(x));
      close("hvp", hv as Tensor, H.matmul(v), 1e-4);
      close("vhp", vhp(q, x, v)[1] as Tensor, v.unsqueeze(0).matmul(H).squeeze(0), 1e-4);
      const [, g1] = vjp((a) => a.pow(2).sum(), x);
      close("vjp without v on a scalar", g1 as Tensor, x.mul(2));
      assertThrowsTensile(() => vjp(f, x), /^vjp: v can only be left out when the function returns a single Tensor with one element/);
      assertThrowsTensile(() => jvp(f, x, randn([2])), /^jvp: v 0 has shape \[2\]; expected \[3\]/);
    }));

    test("createGraph keeps the results differentiable (a loss on a Jacobian)", () => withBackend(backend, () => {
      manualSeed(4);
      const w = randn([3], { requiresGrad: true });
      const x = randn([3]);
      // J = diag(w·(1 − tanh²(w·x))); d(Σ J)/dw by autograd against the closed form
      const J = jacobian((a) => a.mul(w).tanh(), x, { createGraph: true }) as Tensor;
      assert.equal(J.requiresGrad, true);
      J.sum().backward();
      const t = x.mul(w.detach()).tanh();
      const want = t.pow(2).neg().add(1).sub(w.detach().mul(x).mul(t).mul(t.pow(2).neg().add(1)).mul(2));
      close("d(sum J)/dw", w.grad!, want, 1e-4);
      const plain = jacobian((a) => a.mul(w).tanh(), x) as Tensor;
      assert.equal(plain.requiresGrad, false);
    }));
  });
}

test("bad arguments name the function", () => {
  const x = tensor([1, 2], { dtype: "float32" });
  assertThrowsTensile(() => jacobian(3 as never, x), /^jacobian: expected a function/);
  assertThrowsTensile(() => jacobian((a) => a, "x" as never), /^jacobian: inputs must be a Tensor or a non-empty array of Tensors/);
  assertThrowsTensile(() => jacobian((a) => a, tensor([1, 2])), /^jacobian: input 0 must be a floating point tensor, got int32/);
  assertThrowsTensile(() => jacobian((() => 5) as never, x), /^jacobian: the function's output must be a Tensor/);
  assertThrowsTensile(() => jacobian((a) => a, x, { strcit: true } as never), /^jacobian: unknown option "strcit"/);
  assertThrowsTensile(() => jacobian((a) => a.detach().mul(2), x, { strict: true }), /^jacobian: the output of the function does not require grad/);
  assert.deepEqual(Array.from((jacobian((a) => a.detach().mul(2), x) as Tensor).dataSync()), [0, 0, 0, 0]);
});
