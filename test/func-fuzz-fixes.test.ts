/**
 * Regressions from fuzzing `func` (tools/fuzz/vmap-consistency.mts, the fuzz family "func" against
 * functorch 1.13): vmap refuses an in-place write into an unmapped input (it was repeated once per
 * slice, silently), in-place writes into mapped inputs match functorch; jvp of a function with an
 * integer output gives a zero integer tangent (it crashed); negative argnums in jacfwd/hessian (where
 * functorch 1.13 itself returns zeros); pytree outputs, has_aux, vjp/jvp trees and vmap of grad/jacrev.
 * Values from tools/gen-func-fuzz-fixes-fixtures.py (fixtures/func-fuzz-fixes.json), every backend.
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { Tensor, tensor, withBackend, func } from "../src/index.js";
import { backendsUnderTest } from "./helpers/backends.js";
import { assertThrowsTensile } from "./nn-helpers.js";
import { gradcheck } from "./helpers/gradcheck.js";

const fx = JSON.parse(readFileSync(new URL("../fixtures/func-fuzz-fixes.json", import.meta.url), "utf8"));
const { grad, vjp, jvp, jacrev, jacfwd, hessian, vmap } = func;

interface Enc { shape: number[]; data: number[]; dtype: string }
const T = (e: Enc): Tensor => tensor(e.data, { dtype: e.dtype as "float64" }).reshape(e.shape);

function close(what: string, a: unknown, b: Enc, tol = 1e-10): void {
  assert.ok(a instanceof Tensor, `${what}: expected a Tensor, got ${String(a)}`);
  assert.deepEqual([...a.shape], b.shape, `${what}: shape`);
  assert.equal(a.dtype, b.dtype, `${what}: dtype`);
  const x = a.reshape(-1).toArray() as number[];
  x.forEach((v, i) => assert.ok(Math.abs(Number(v) - b.data[i]!) <= tol * (1 + Math.abs(b.data[i]!)), `${what}[${i}]: ${v} vs ${b.data[i]}`));
}
/** A result tree against a fixture tree: arrays for tuples/lists, objects for dicts. */
function closeTree(what: string, a: unknown, b: unknown): void {
  if (Array.isArray(b)) {
    assert.ok(Array.isArray(a) && a.length === b.length, `${what}: expected an array of ${b.length}, got ${String(a)}`);
    b.forEach((x, i) => closeTree(`${what}[${i}]`, a[i], x));
  } else if (b && typeof b === "object" && "shape" in b) close(what, a, b as Enc);
  else {
    const keys = Object.keys(b as object);
    assert.deepEqual(Object.keys(a as object), keys, `${what}: keys (in order)`);
    for (const k of keys) closeTree(`${what}.${k}`, (a as any)[k], (b as any)[k]);
  }
}

for (const backend of backendsUnderTest()) {
  describe(`func fuzz fixes on ${backend.name}`, () => {
    test("vmap refuses in-place writes into an unmapped input", () => withBackend(backend, () => {
      const X = T(fx.X), Y = T(fx.Y);
      // a batched value written into an unmapped tensor (functorch refuses it too)
      const y = Y.clone();
      assertThrowsTensile(() => vmap((x: Tensor, v: Tensor) => v.add_(x), { inDims: [0, null] })(X, y), /vmap: fn wrote in place into input leaf 1 \(shape \[4\]\), which is not mapped/);
      // an unbatched write: functorch does it once, a loop would do it once per slice
      assertThrowsTensile(() => vmap((x: Tensor, v: Tensor) => { v.mul_(2); return x; }, { inDims: [0, null] })(X, Y.clone()), /not mapped \(inDims null\)/);
      // a tree argument's unmapped leaf is watched too; reading it stays fine
      assertThrowsTensile(() => vmap((p: { w: Tensor; x: Tensor }) => p.w.sub_(p.x), { inDims: [{ w: null, x: 0 }] })({ w: Y.clone(), x: X }), /input leaf 0/);
      // a mapped input expanded along the mapped dim: every slice is the same memory (functorch refuses the write)
      assertThrowsTensile(() => vmap((x: Tensor) => x.mul_(2))(Y.clone().expand([3, 4])), /expanded along its mapped dim 0 \(stride 0/);
      close("an expanded mapped input read only", vmap((x: Tensor) => x.mul(2))(Y.expand([3, 4])), { shape: [3, 4], dtype: "float64", data: Y.mul(2).expand([3, 4]).reshape(-1).toArray() as number[] });
      close("reading an unmapped input", vmap((x: Tensor, v: Tensor) => x.mul(v), { inDims: [0, null] })(X, Y), { shape: [3, 4], dtype: "float64", data: X.mul(Y).reshape(-1).toArray() as number[] });
    }));

    test("vmap: in-place writes into mapped inputs (dims 0 and 1) as functorch", () => withBackend(backend, () => {
      const f = fx.inplace;
      const x0 = T(fx.X).clone();
      close("result, inDims 0", vmap((x: Tensor, y: Tensor) => x.mul_(y.tanh()).add_(1), { inDims: [0, null] })(x0, T(fx.Y)), f.r0);
      close("the batched input, inDims 0", x0, f.x0);
      const x1 = T(fx.X).clone();
      close("result, inDims 1", vmap((x: Tensor, y: Tensor) => x.clamp_(-0.5, 0.5).mul_(y), { inDims: [1, 0] })(x1, T(fx.Y1)), f.r1);
      close("the batched input, inDims 1", x1, f.x1);
    }));

    test("jvp of a function with an integer output: a zero integer tangent", () => withBackend(backend, () => {
      const [o, jo] = jvp((x: Tensor) => [x.sin().sum(), x.argmax(), x.mul(2)], [T(fx.a)], [T(fx.t)]);
      closeTree("out", o, fx.jvp_int.out);
      closeTree("jvp", jo, fx.jvp_int.jvp);
      const [oi, ji] = jvp((x: Tensor) => x.argmax(), [T(fx.a)], [T(fx.t)]);
      assert.equal((oi as Tensor).dtype, "int32");
      assert.deepEqual([(ji as Tensor).dtype, (ji as Tensor).item()], ["int32", 0]);
    }));

    test("negative argnums: jacrev, jacfwd and hessian", () => withBackend(backend, () => {
      const a = T(fx.a), b = T(fx.b);
      const f = (x: Tensor, y: Tensor) => x.sin().mul(y).tanh().add(x.mul(y.sum()));
      const h = (x: Tensor, y: Tensor) => x.mul(y).sin().sum().add(x.pow(3).sum().mul(y.sum()));
      close("jacfwd argnums -1", jacfwd(f, { argnums: -1 })(a, b), fx.neg.jacfwd);
      close("jacrev argnums -1", jacrev(f, -1)(a, b), fx.neg.jacfwd);
      close("functorch's jacrev -1", jacrev(f, -1)(a, b), fx.neg.jacrev);
      close("hessian argnums -1", hessian(h, { argnums: -1 })(a, b), fx.neg.hessian);
      closeTree("hessian argnums [0, -1]", hessian(h, { argnums: [0, -1] })(a, b), fx.neg.hessian01);
    }));

    test("pytree outputs, argnums arrays, hasAux: jacrev, jacfwd, vjp, jvp", () => withBackend(backend, () => {
      const a = T(fx.a), b = T(fx.b), t = T(fx.t);
      const fo = (x: Tensor, y: Tensor): [Record<string, unknown>, Tensor] => {
        const u = x.sin().mul(y);
        return [{ p: u, q: [u.sum(), x.sub(y).cos()] }, x.exp().tanh()];
      };
      closeTree("jacrev argnums [1, 0]", jacrev(fo, { argnums: [1, 0] })(a, b), fx.tree.jacrev);
      closeTree("jacfwd hasAux", jacfwd((x: Tensor, y: Tensor) => [fo(x, y)[0], y.cos()], { argnums: [0], hasAux: true })(a, b), fx.tree.jacfwd_aux);
      const [pv, vfn, aux] = vjp((x: Tensor, y: Tensor) => [fo(x, y)[0], x.sum()], a, b, { hasAux: true });
      closeTree("vjp out", pv, fx.tree.vjp.out);
      closeTree("vjp aux", aux, fx.tree.vjp.aux);
      closeTree("vjp grads", vfn({ p: t, q: [tensor(0.5, { dtype: "float64" }), t.flip([0])] }), fx.tree.vjp.grads);
      const [jo, jt, jaux] = jvp((x: Tensor, y: Tensor) => [fo(x, y), x.mul(y).sum()], [a, b], [t, t.flip([0])], { hasAux: true });
      closeTree("jvp out", jo, fx.tree.jvp.out);
      closeTree("jvp tangent", jt, fx.tree.jvp.jvp);
      closeTree("jvp aux", jaux, fx.tree.jvp.aux);
    }));

    test("vmap of grad and of jacrev (argnums array, inDims 1)", () => withBackend(backend, () => {
      const X = T(fx.X), Y = T(fx.Y), ys = T(fx.vmap.ys);
      const loss = (w: Tensor, x: Tensor, y: Tensor) => x.mul(w).sum().tanh().sub(y).pow(2);
      close("per-sample grad", vmap(grad(loss), { inDims: [null, 0, 0] })(Y, X, ys), fx.vmap.grad);
      const jr = vmap(jacrev((w: Tensor, x: Tensor) => w.mul(x).sin(), { argnums: [0, 1] }), { inDims: [null, 1] });
      closeTree("vmap(jacrev)", jr(T(fx.a), X.index([":", ":3"])), fx.vmap.jacrev);
    }));
  });
}

test("gradcheck: the jvp tangent is differentiable in the primal (float64)", () => {
  const t = T(fx.t);
  gradcheck((x) => jvp((p: Tensor) => [p.sin().mul(p), p.argmax()], [x], [t])[1][0] as Tensor, T(fx.a), "jvp tangent with an integer output beside");
});
