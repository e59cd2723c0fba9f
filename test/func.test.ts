/**
 * `func` (torch.func): grad, gradAndValue, vjp, jvp, jacrev, jacfwd, hessian, vmap and
 * functionalCall against functorch 1.13 (fixtures/func.json, float64), on every backend; plus
 * pytrees, errors, composition (grad of grad, vmap of grad, per-sample gradients) and that
 * functionalCall puts a module's own tensors back and leaks no state.
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { Tensor, manualSeed, noGrad, randn, tensor, withBackend, nn, F, func, zeros, ones } from "../src/index.js";
import { backendsUnderTest } from "./helpers/backends.js";
import { assertThrowsTensile } from "./nn-helpers.js";

const fx = JSON.parse(readFileSync(new URL("../fixtures/func.json", import.meta.url), "utf8"));
const { grad, gradAndValue, vjp, jvp, jacrev, jacfwd, hessian, vmap, functionalCall } = func;

interface Enc { shape: number[]; data: number[]; dtype: string }
const T = (e: Enc): Tensor => tensor(e.data, { dtype: "float64" }).reshape(e.shape);
/** A fixture tree (arrays/objects of encoded tensors) as tensors. */
const tree = (e: unknown): any =>
  Array.isArray(e) ? e.map(tree) : e && typeof e === "object" && "shape" in e ? T(e as Enc) : Object.fromEntries(Object.entries(e as object).map(([k, v]) => [k, tree(v)]));

function close(what: string, a: unknown, b: Enc, tol = 1e-9): void {
  assert.ok(a instanceof Tensor, `${what}: expected a Tensor, got ${String(a)}`);
  assert.deepEqual([...a.shape], b.shape, `${what}: shape`);
  const x = a.reshape(-1).toArray() as number[];
  x.forEach((v, i) => assert.ok(Math.abs(v - b.data[i]!) <= tol * (1 + Math.abs(b.data[i]!)), `${what}[${i}]: ${v} vs ${b.data[i]}`));
}
/** Compares a tree of tensors with a fixture tree of the same structure. */
function closeTree(what: string, a: unknown, b: unknown, tol = 1e-9): void {
  if (Array.isArray(b)) {
    assert.ok(Array.isArray(a) && a.length === b.length, `${what}: expected an array of ${b.length}`);
    b.forEach((x, i) => closeTree(`${what}[${i}]`, a[i], x, tol));
  } else if (b && typeof b === "object" && "shape" in b) close(what, a, b as Enc, tol);
  else {
    const keys = Object.keys(b as object);
    assert.deepEqual(Object.keys(a as object).sort(), keys.sort(), `${what}: keys`);
    for (const k of keys) closeTree(`${what}.${k}`, (a as any)[k], (b as any)[k], tol);
  }
}

/** The fixture's MLP: Linear(3, 4) → Tanh → Linear(4, 2), float64 (its own weights are random). */
const mlp = () => new nn.Sequential(new nn.Linear(3, 4), new nn.Tanh(), new nn.Linear(4, 2)).double();

for (const backend of backendsUnderTest()) {
  describe(`func on ${backend.name}`, () => {
    test("grad: argnums, hasAux, gradAndValue, an object argument", () => withBackend(backend, () => {
      const g = fx.grad;
      const x = T(g.x), y = T(g.y);
      close("grad(f1)", grad((x: Tensor) => x.sin().mul(x).sum())(x), g.f1);
      const f2 = (x: Tensor, y: Tensor) => x.mul(y.exp()).sum().add(x.pow(2).sum().mul(y.sum()));
      closeTree("grad(f2, [0, 1])", grad(f2, { argnums: [0, 1] })(x, y), g.f2_01);
      closeTree("grad(f2, [0, 1]) positional argnums", grad(f2, [0, 1])(x, y), g.f2_01);
      const [ga, aux] = grad((x: Tensor) => [x.pow(3).sum(), x.cos()], { hasAux: true })(x);
      close("hasAux grad", ga, g.aux.grad);
      close("hasAux aux", aux, g.aux.aux);
      const [gv, v] = gradAndValue(f2, { argnums: 1 })(x, y);
      close("gradAndValue grad", gv, g.gv.grad);
      close("gradAndValue value", v, g.gv.value);
      const gt = grad((p: { w: Tensor; b: Tensor }, x: Tensor) => p.w.mul(x).tanh().sum().add(p.b.pow(2)))({ w: y, b: tensor(0.5, { dtype: "float64" }) }, x);
      closeTree("grad of an object argument", gt, g.tree);
      assert.equal(x.requiresGrad, false, "the caller's input is untouched");
      assert.equal((ga as Tensor).requiresGrad, false, "results are detached when nothing outside needs their graph");
    }));

    test("grad composes: grad(grad(f)), grad(grad(grad(f))), vmap(grad(grad(f)))", () => withBackend(backend, () => {
      const g = fx.grad;
      const f0 = (t: Tensor) => t.sin().mul(t.pow(3));
      const s = T(g.s);
      close("grad(grad(f))", grad(grad(f0))(s), g.gg, 1e-8);
      close("grad³", grad(grad(grad(f0)))(s), g.ggg, 1e-8);
      close("vmap(grad(grad(f)))", vmap(grad(grad(f0)))(T(g.x)), g.vmap_gg, 1e-8);
      // a result keeps its graph when the caller's tensor requires grad: grad(f)(x) is differentiable in x
      const x = T(g.x).requiresGrad_();
      const gx = grad((v: Tensor) => v.pow(3).sum())(x) as Tensor;
      assert.ok(gx.requiresGrad);
      gx.sum().backward();
      close("d/dx Σ 3x²", x.grad, { shape: [4], data: (T(g.x).mul(6).toArray() as number[]), dtype: "float64" });
    }));

    test("jacrev, jacfwd, hessian, jacrev(jacrev)", () => withBackend(backend, () => {
      const j = fx.jac;
      const x = T(j.x), W = T(j.W), A = T(j.A);
      const fj = (x: Tensor) => x.sin().mul(x.sum());
      const fw = (x: Tensor, W: Tensor) => W.matmul(x).tanh();
      close("jacrev", jacrev(fj)(x), j.jacrev);
      close("jacfwd", jacfwd(fj)(x), j.jacfwd);
      closeTree("jacrev argnums [0, 1]", jacrev(fw, { argnums: [0, 1] })(x, W), j.jacrev_01);
      close("jacfwd argnums 1", jacfwd(fw, { argnums: 1 })(x, W), j.jacfwd_1);
      const fh = (x: Tensor) => x.pow(3).sum().add(x.matmul(A).matmul(x)).add(x.select(0, 0).mul(x.select(0, 1).exp()));
      close("hessian", hessian(fh)(x), j.hessian, 1e-8);
      close("jacrev(jacrev)", jacrev(jacrev(fj))(x), j.jacrev_jacrev, 1e-8);
      // a tree output and a tree input: the output's tree of the input's trees
      const J = jacrev((p: { a: Tensor }) => [p.a.exp(), p.a.sum()])({ a: x });
      assert.deepEqual(J[0].a.shape, [3, 3]);
      assert.deepEqual(J[1].a.shape, [3]);
    }));

    test("vjp and jvp (jvp by the double-vjp trick)", () => withBackend(backend, () => {
      const v = fx.vjp;
      const x = T(fx.grad.x), y = T(fx.grad.y);
      const fv = (x: Tensor, y: Tensor) => [x.mul(y), x.exp().sum()];
      const [out, vjpFn] = vjp(fv, x, y);
      closeTree("vjp out", out, v.out);
      closeTree("vjp grads", vjpFn(tree(v.ct)), v.grads);
      closeTree("vjpFn called twice", vjpFn(tree(v.ct)), v.grads);
      const [jo, jt] = jvp((x: Tensor) => x.sin().mul(x), [x], [T(v.tan)]);
      close("jvp out", jo, v.jvp_out);
      close("jvp tangent", jt, v.jvp_t);
      const [jo2, jt2] = jvp(fv, [x, y], [T(v.tan), T(v.tan2)]);
      closeTree("jvp out (2 outputs)", jo2, v.jvp2_out);
      closeTree("jvp tangents (2 outputs)", jt2, v.jvp2_t);
      const [, , aux] = vjp((x: Tensor) => [x.sum(), x.mul(2)], x, { hasAux: true });
      close("vjp aux", aux, { shape: [4], data: x.mul(2).toArray() as number[], dtype: "float64" });
      assertThrowsTensile(() => vjpFn([ones([3], { dtype: "float64" }), tensor(1.5, { dtype: "float64" })]), /^vjpFn: cotangent 0 must be a Tensor of shape \[4\]/);
      assertThrowsTensile(() => jvp((a: Tensor) => a, [x], [ones([2])]), /^jvp: tangent 0 must be a Tensor of shape \[4\]/);
    }));

    test("vmap: inDims per argument, null, negative dims, outDims, nesting, trees, several outputs", () => withBackend(backend, () => {
      const m = fx.vmap;
      close("vmap(dot)", vmap((a: Tensor, b: Tensor) => a.dot(b))(T(m.A), T(m.B)), m.dot);
      close("inDims [1, null]", vmap((x: Tensor, w: Tensor) => x.mul(w).add(x.sum()), { inDims: [1, null] })(T(m.X35), T(m.w3)), m.in1_none);
      close("outDims 1", vmap((x: Tensor) => x.matmul(x.t()), { outDims: 1 })(T(m.X423)), m.out1);
      const inner = vmap((a: Tensor, b: Tensor) => a.mul(b).add(a.sin()), { inDims: [0, null] });
      close("nested", vmap(inner, { inDims: [null, 0] })(T(m.a3), T(m.b4)), m.nested);
      close("tree inDims", vmap((d: { a: Tensor; b: Tensor }) => d.a.mul(d.b.sum()), { inDims: [{ a: 0, b: 1 }] })(tree(m.D)), m.tree);
      close("negative dims", vmap((x: Tensor) => x.softmax(0), { inDims: -1, outDims: -1 })(T(m.X34)), m.neg);
      closeTree("several outputs", vmap((x: Tensor) => [x.sum(), x.exp(), x.outer(x)], { outDims: [0, 1, 2] })(T(m.X34)), m.multi);
      // gradients flow through vmap (select and stack are differentiable)
      const X = T(m.X34).requiresGrad_();
      vmap((x: Tensor) => x.sin().mul(x.sum()).prod())(X).sum().backward();
      close("gradient through vmap", X.grad, m.grad_through);
    }));

    test("vmap errors: sizes differ, non-tensor outputs, nothing mapped, bad dims, randomness", () => withBackend(backend, () => {
      const a = zeros([2, 3]), b = zeros([3, 3]);
      assertThrowsTensile(() => vmap((x: Tensor, y: Tensor) => x.add(y))(a, b), /^vmap: expected all mapped tensors to have the same size in the mapped dimension, got sizes \[2, 3\]/);
      assertThrowsTensile(() => vmap((x: Tensor) => x.sum().item())(a), /^vmap: fn must return only Tensors, got 0/);
      assertThrowsTensile(() => vmap((x: Tensor) => x, { inDims: null })(a), /^vmap: at least one input must be mapped/);
      assertThrowsTensile(() => vmap((x: Tensor) => x, { inDims: 2 })(a), /^vmap: inDims for input leaf 0 \(shape \[2, 3\]\) is 2, out of range/);
      assertThrowsTensile(() => vmap((x: Tensor) => x, { inDims: [0, 0] })(a), /^vmap: inDims has 2 entries but the function was called with 1 argument/);
      assertThrowsTensile(() => vmap((x: Tensor, n: number) => x.mul(n))(a, 3), /^vmap: got inDims=0 for an input that is not a Tensor \(3\)/);
      assertThrowsTensile(() => vmap((x: Tensor) => x, { outDims: 3 })(a), /^vmap: outDims for output leaf 0 is 3, out of range/);
      assertThrowsTensile(() => vmap((x: Tensor) => x.add(randn([3])))(a), /^vmap: called random operation while in randomness error mode/);
      const drop = new nn.Dropout(0.5);
      assertThrowsTensile(() => vmap((x: Tensor) => drop.forward(x))(ones([2, 3])), /randomness error mode/);
      manualSeed(3);
      const diff = vmap((x: Tensor) => x.add(randn([3])), { randomness: "different" })(a) as Tensor;
      assert.notDeepEqual(diff.select(0, 0).toArray(), diff.select(0, 1).toArray());
      manualSeed(3);
      const same = vmap((x: Tensor) => x.add(randn([3])), { randomness: "same" })(a) as Tensor;
      assert.deepEqual(same.select(0, 0).toArray(), same.select(0, 1).toArray());
      assert.deepEqual(same.select(0, 0).toArray(), diff.select(0, 0).toArray(), "the first slice draws what an unmapped call would");
    }));

    test("grad errors: non-scalar output, bad argnums, integer inputs, hasAux shape", () => withBackend(backend, () => {
      const x = randn([3]);
      assertThrowsTensile(() => grad((v: Tensor) => v.mul(2))(x), /^grad: expected the function to return a scalar Tensor, got a tensor of shape \[3\]/);
      assertThrowsTensile(() => grad((v: Tensor) => v.sum(), { argnums: 1 })(x), /^grad: got argnums=1, but only 1 positional inputs/);
      assertThrowsTensile(() => grad((v: Tensor, w: Tensor) => v.add(w).sum(), { argnums: [0, 0] })(x, x), /^grad: argnums must be unique/);
      assertThrowsTensile(() => grad((v: Tensor) => v.sum())(tensor([1, 2])), /^grad: only floating point Tensors can be differentiated; argument 0 is int32 of shape \[2\]/);
      assertThrowsTensile(() => grad((v: Tensor) => v.sum(), { hasAux: true })(x), /^grad: with hasAux the function must return an array \[output, aux\]/);
      assertThrowsTensile(() => grad((v: Tensor) => v.sum(), { argnum: 0 } as never), /^grad: unknown option "argnum"/);
      assertThrowsTensile(() => jacrev((v: Tensor) => [v, 3])(x), /^jacrev: expected the function's outputs to be Tensors, got 3 \(output leaf 1\)/);
      // an input the function ignores gets a zero gradient, as functorch
      const [g0, g1] = grad((v: Tensor, _w: Tensor) => v.sum(), { argnums: [0, 1] })(x, x);
      assert.deepEqual(g0.toArray(), [1, 1, 1]);
      assert.deepEqual(g1.toArray(), [0, 0, 0]);
    }));

    test("per-sample gradients of an MLP: vmap(grad(loss), {inDims: [null, 0, 0]}) with functionalCall", () => withBackend(backend, () => {
      const p = fx.per_sample;
      const model = mlp();
      const params = tree(p.params) as Record<string, Tensor>;
      const X = T(p.X), Y = tensor(p.Y as number[]);
      close("functionalCall output", functionalCall(model, params, [X]), p.out);
      const loss = (ps: Record<string, Tensor>, x: Tensor, y: Tensor) =>
        F.crossEntropy(functionalCall(model, ps, [x.unsqueeze(0)]) as Tensor, y.unsqueeze(0));
      closeTree("per-sample grads", vmap(grad(loss), { inDims: [null, 0, 0] })(params, X, Y), p.grads);
      closeTree("batch grads", grad((ps: Record<string, Tensor>) => F.crossEntropy(functionalCall(model, ps, X) as Tensor, Y))(params), p.loss_grads);
      for (const q of model.parameters()) assert.equal(q._peekGrad(), null, "the module's parameters get no .grad");
      const own = model.stateDict();
      const perSample = vmap(grad(loss), { inDims: [null, 0, 0] })(params, X, Y) as Record<string, Tensor>;
      assert.ok(Object.values(perSample).every((g) => !g.requiresGrad), "per-sample grads keep no graph");
      assert.deepEqual(Object.keys(model.stateDict()), Object.keys(own));
      for (const [k, t] of Object.entries(model.stateDict())) assert.deepEqual(t.toArray(), own[k]!.toArray(), `${k} unchanged`);
      assert.equal(model.training, true);
      // grad ignores an outer noGrad, as functorch's transforms do
      closeTree("under noGrad", noGrad(() => grad((ps: Record<string, Tensor>) => F.crossEntropy(functionalCall(model, ps, X) as Tensor, Y))(params)), p.loss_grads);
    }));

    test("functionalCall restores the module's tensors (also on a throw), buffers, tied weights, nn.utils.stateless", () => withBackend(backend, () => {
      manualSeed(4);
      const lin = new nn.Linear(3, 2);
      const before = lin.namedParameters().map(([k, t]) => [k, t] as const);
      const w = ones([2, 3]), x = randn([1, 3]);
      const out = functionalCall(lin, { weight: w }, [x]) as Tensor;
      close("substituted weight", out, { shape: [1, 2], data: x.sum(1).add(lin.bias!).toArray() as number[], dtype: "float32" }, 1e-6);
      const after = lin.namedParameters();
      assert.ok(after.length === before.length && after.every(([k, t], i) => k === before[i]![0] && t === before[i]![1]), "the same Parameter objects are back, in order");
      assert.ok(lin.weight instanceof nn.Parameter);
      // a throw inside forward
      const boom = new (class extends nn.Module {
        fc = new nn.Linear(2, 2);
        override forward(_: Tensor): Tensor {
          throw new Error("boom");
        }
      })();
      const own = boom.fc.weight;
      assert.throws(() => functionalCall(boom, { "fc.weight": zeros([2, 2]) }, [x]), /boom/);
      assert.equal(boom.fc.weight, own, "restored after a throw");
      // buffers: BatchNorm in eval mode reads the substituted running stats; persistence is kept
      const bn = new nn.BatchNorm1d(2).eval();
      const rm = bn.getBuffer("running_mean");
      const y = functionalCall(bn, { running_mean: tensor([1, 2], { dtype: "float32" }), running_var: tensor([4, 4], { dtype: "float32" }) }, tensor([[3, 4]], { dtype: "float32" })) as Tensor;
      close("bn with substituted stats", y, { shape: [1, 2], data: [2 / Math.sqrt(4 + 1e-5), 2 / Math.sqrt(4 + 1e-5)], dtype: "float32" }, 1e-5);
      assert.equal(bn.getBuffer("running_mean"), rm);
      assert.deepEqual(Object.keys(bn.stateDict()), ["weight", "bias", "running_mean", "running_var", "num_batches_tracked"]);
      // tied weights: one name given, both replaced
      const a = new nn.Linear(2, 2, { bias: false }), b = new nn.Linear(2, 2, { bias: false });
      b.weight = a.weight;
      const tied = new nn.Sequential(a, b);
      const r = functionalCall(tied, { "0.weight": zeros([2, 2]) }, ones([1, 2])) as Tensor;
      assert.deepEqual(r.toArray(), [[0, 0]]);
      assert.equal(b.weight, a.weight);
      assertThrowsTensile(() => functionalCall(tied, { "0.weight": zeros([2, 2]), "1.weight": ones([2, 2]) }, ones([1, 2])), /are tied in Sequential \(the same tensor\) but were given different values/);
      assertThrowsTensile(() => functionalCall(lin, { wieght: w }, [x]), /^functionalCall: Linear has no parameter or buffer named "wieght" \(it has "weight", "bias"\)/);
      assert.equal(nn.utils.stateless.functionalCall, functionalCall);
      // a Map and an array of dicts
      const viaMap = functionalCall(lin, [new Map([["weight", w]]), { bias: zeros([2]) }], [x]) as Tensor;
      close("Map + dict", viaMap, { shape: [1, 2], data: x.sum(1).expand([1, 2]).reshape(-1).toArray() as number[], dtype: "float32" }, 1e-6);
    }));
  });
}
