// Regressions found by the differential fuzzer (tools/fuzz/; report items #5–#8, #11, #14, #18, #21):
// gradients that were NaN where PyTorch masks them (std at 0, pow at 0⁰, p-norms at 0, "zero"
// gradients computed as g·0 under an infinite g), reductions over dim = [], matrixPower with a
// huge n, floorDivide by ±∞, and errors PyTorch raises for bool/int arithmetic. Every expected
// value below is torch 1.13's (printed by /usr/bin/python3 on this machine), in float64.
import assert from "node:assert/strict";
import { after, test } from "node:test";
import * as T from "../src/index.js";
import { gradcheck, gradgradcheck } from "./helpers/gradcheck.js";
import { assertThrowsTensile } from "./nn-helpers.js";

const before = T.getBackend();
after(() => T.setBackend(before));

const f64 = (v: number[] | number[][], requiresGrad = false): T.Tensor => T.tensor(v, { dtype: "float64", requiresGrad });

/** Elementwise equality within tol, where NaN matches NaN and infinities must match exactly. */
function close(what: string, actual: ArrayLike<number>, expected: readonly number[], tol = 1e-12): void {
  assert.equal(actual.length, expected.length, `${what}: length`);
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i]!, e = expected[i]!;
    const ok = Number.isNaN(e) ? Number.isNaN(a) : Number.isFinite(e) ? Math.abs(a - e) <= tol * (1 + Math.abs(e)) : a === e;
    assert.ok(ok, `${what}: element ${i} is ${a}, torch 1.13 gives ${e} (all: [${Array.from(actual).join(", ")}])`);
  }
}

/** The gradients of sum(f(...leaves)) with respect to each leaf. */
function grads(f: (...xs: T.Tensor[]) => T.Tensor, ...values: (number[] | number[][])[]): Float64Array[] {
  const leaves = values.map((v) => f64(v, true));
  f(...leaves).sum().backward();
  return leaves.map((l) => Float64Array.from(l.grad!.dataSync()));
}


const inf = Infinity;

for (const backend of ["wasm", "reference"] as const) {
  test(`${backend}: std/stdMean have a zero gradient where the std is 0 (#5)`, () => {
    T.setBackend(backend);
    close("std of a constant vector", grads((x) => x.std(), [1, 1, 1])[0]!, [0, 0, 0]);
    close("std, correction 0, one element", grads((x) => T.std(x, 0, { correction: 0 }), [0.25])[0]!, [0]);
    close("std along dim 1", grads((x) => x.reshape([2, 3]).std(1), [1, 1, 1, 1, 2, 4])[0]!,
      [0, 0, 0, -0.43643578047198484, -0.10910894511799625, 0.5455447255899809]);
    close("std keepdim, correction 0", grads((x) => x.reshape([2, 3]).std(1, { keepdim: true, correction: 0 }), [1, 1, 1, 1, 2, 4])[0]!,
      [0, 0, 0, -0.35634832254989923, -0.08908708063747484, 0.44543540318737396]);
    close("stdMean", grads((x) => T.stdMean(x.reshape([2, 3]), 1)[0], [1, 1, 1, 1, 2, 4])[0]!,
      [0, 0, 0, -0.43643578047198484, -0.10910894511799625, 0.5455447255899809]);
    // an infinite upstream gradient stays 0 on a constant row (torch masks after dividing)
    close("std · ∞", grads((x) => x.std().mul(inf), [1, 1, 1])[0]!, [0, 0, 0]);
  });

  test(`${backend}: pow's gradients at 0⁰ and at a zero base (#6)`, () => {
    T.setBackend(backend);
    close("x.pow(0)", grads((x) => x.pow(0), [0, 1, 2])[0]!, [0, 0, 0]);
    close("x.pow(zeros)", grads((x) => x.pow(T.zeros([3], { dtype: "float64" })), [0, 1, 2])[0]!, [0, 0, 0]);
    close("floatPower(x, 0)", grads((x) => T.floatPower(x, 0), [0, 1, 2])[0]!, [0, 0, 0]);
    close("x.pow(0)·∞", grads((x) => x.pow(0).mul(inf), [0, 1, 2])[0]!, [0, 0, 0]);
    const [gx, ge] = grads((x, e) => x.pow(e), [0, 0, 0, 0, 0, 2, -2], [0, -1, 1, 2, -0.5, 0.5, 2]);
    close("pow: base gradient", gx!, [0, -inf, 1, 0, -inf, 0.3535533905932738, -4]);
    close("pow: exponent gradient (−∞ at 0 with a negative exponent)", ge!, [0, -inf, 0, 0, -inf, 0.9802581434685472, NaN]);
    const [hx, he] = grads((x, e) => x.pow(e).mul(inf), [0, 0, 0, 2], [0, -1, 1, 0]);
    close("pow·∞: base", hx!, [0, -inf, inf, 0]);
    close("pow·∞: exponent (torch multiplies g outside its mask)", he!, [NaN, -inf, NaN, inf]);
    close("pow(0, e)", grads((e) => T.pow(0, e), [0, -1, 1, 2])[0]!, [0, -inf, 0, 0]);
  });

  test(`${backend}: piecewise-constant ops and maximum/minimum give exact zeros, not g·0 (#7)`, () => {
    T.setBackend(backend);
    const step: [string, (x: T.Tensor) => T.Tensor][] = [
      ["sign", T.sign], ["round", T.round], ["floor", T.floor], ["ceil", T.ceil], ["trunc", T.trunc],
      ["div trunc", (x) => T.div(x, 3, { roundingMode: "trunc" })], ["div floor", (x) => T.div(x, 3, { roundingMode: "floor" })],
    ];
    for (const [name, f] of step) close(`${name}·∞`, grads((x) => f(x).mul(inf), [0, -1.5, 4.2])[0]!, [0, 0, 0]);
    close("frac·∞ (its gradient is g)", grads((x) => T.frac(x).mul(inf), [0, -1.5, 4.2])[0]!, [inf, inf, inf]);
    close("sign().abs().sqrt()", grads((x) => x.sign().abs().sqrt(), [0, -1.5, 4])[0]!, [0, 0, 0]);
    close("maximum(z, 0).sqrt()", grads((z) => T.maximum(z, f64([0])).sqrt(), [-1, 4])[0]!, [0, 0.25]);
    // ties split g, a NaN gives both sides g, an infinite g stays 0 on the losing side
    const a = [1, 2, 3, NaN, 5], b = [1, 1, 4, 0, NaN];
    const [ma, mb] = grads(T.maximum, a, b);
    close("maximum: a", ma!, [0.5, 1, 0, 1, 1]);
    close("maximum: b", mb!, [0.5, 0, 1, 1, 1]);
    const [na, nb] = grads(T.minimum, a, b);
    close("minimum: a", na!, [0.5, 0, 1, 1, 1]);
    close("minimum: b", nb!, [0.5, 1, 0, 1, 1]);
    const [ia, ib] = grads((x, y) => T.maximum(x, y).mul(inf), a, b);
    close("maximum·∞: a", ia!, [inf, inf, 0, inf, inf]);
    close("maximum·∞: b", ib!, [inf, 0, inf, inf, inf]);
    const [ca, cb] = grads(T.minimum, [1, 2, 3, 0.5], [1]);
    close("minimum, broadcast: a", ca!, [0.5, 0, 0, 1]);
    close("minimum, broadcast: b", cb!, [2.5]);
    // lpPool over a window of zeros (after a ReLU, say): torch's gradient there is 0
    close("lpPool1d p=2", grads((y) => T.F.lpPool1d(y.reshape([1, 1, 4]), 2, 2), [0, 0, 3, 4])[0]!, [0, 0, 0.6, 0.8]);
    close("lpPool2d p=2", grads((y) => T.F.lpPool2d(y.reshape([1, 1, 2, 4]), 2, 2), [0, 0, 3, 4, 0, 0, 1, 2])[0]!,
      [0, 0, 0.5477225575051661, 0.7302967433402214, 0, 0, 0.18257418583505536, 0.3651483716701107]);
    close("lpPool2d p=3", grads((y) => T.F.lpPool2d(y.reshape([1, 1, 2, 4]), 3, 2), [0, 0, 3, 4, 0, 0, 1, 2])[0]!,
      [0, 0, 0.41774299502514994, 0.7426542133780444, 0, 0, 0.046415888336127774, 0.1856635533445111]);
  });

  test(`${backend}: p-norm gradients at zero entries and zero norms (#8)`, () => {
    T.setBackend(backend);
    const X = [[0, 1, -2], [0, 0, 0], [0.5, 0, -3]];
    const rows: Record<string, { value: number[]; grad: number[]; gradAll: number[] }> = {
      "0.5": {
        value: [5.82842712474619, 0, 5.949489742783177],
        grad: [0, 2.414213562373095, -1.7071067811865472, 0, 0, 0, 3.4494897427831774, 0, -1.4082482904638631],
        gradAll: [0, 4.85337115112852, -3.431851652578136, 0, 0, 0, 6.863703305156272, 0, -2.802095140581215],
      },
      "-0.5": { value: [0, 0, 0], grad: Array(9).fill(0), gradAll: Array(9).fill(0) },
      "-1": { value: [0, 0, 0], grad: Array(9).fill(0), gradAll: Array(9).fill(0) },
      "1.5": {
        value: [2.4472608147714756, 0, 3.134584449045706],
        grad: [0, 0.6392340078652324, -0.9040134034531215, 0, 0, 0, 0.3993880026595814, 0, -0.9782968159053052],
        gradAll: [0, 0.4741996237957115, -0.6706195392441147, 0, 0, 0, 0.33530976962205733, 0, -0.8213378413442198],
      },
      "3": {
        value: [2.080083823051904, 0, 3.004622503458683],
        grad: [0, 0.2311204247835449, -0.9244816991341795, 0, 0, 0, 0.02769237330376667, 0, -0.9969254389356002],
        gradAll: [0, 0.09150849852536949, -0.36603399410147797, 0, 0, 0, 0.022877124631342373, 0, -0.8235764867283254],
      },
      "2.5": {
        value: [2.1345563259430547, 0, 3.0135622580109285],
        grad: [0, 0.32065540958866945, -0.9069504581771923, 0, 0, 0, 0.06758257800398593, 0, -0.9932569896696453],
        gradAll: [0, 0.15473706886519267, -0.43766252278203016, 0, 0, 0, 0.05470781534775377, 0, -0.8040373952663938],
      },
    };
    for (const [ps, want] of Object.entries(rows)) {
      const p = Number(ps);
      close(`norm(x, ${p}, 1)`, T.norm(f64(X), p, 1).dataSync(), want.value, 1e-12);
      close(`norm(x, ${p}, 1) grad`, grads((x) => T.norm(x, p, 1), X)[0]!, want.grad);
      close(`linalg.vectorNorm(x, ${p}, 1) grad`, grads((x) => T.linalg.vectorNorm(x, p, 1), X)[0]!, want.grad);
      close(`norm(x, ${p}) grad`, grads((x) => T.norm(x, p), X)[0]!, want.gradAll);
      close(`norm(x, ${p}, [0, 1], keepdim) grad`, grads((x) => T.norm(x, p, [0, 1], true), X)[0]!, want.gradAll);
    }
    close("norm(x, 0.5)", grads((x) => T.norm(x, 0.5), [0, 1, 2])[0]!, [0, 2.414213562373095, 1.7071067811865472]);
    // torch: sgn·|x|^(p−1) is 0 at a zero entry, then times g = ∞: NaN
    close("norm(x, 0.5)·∞", grads((x) => T.norm(x, 0.5).mul(inf), [0, 1])[0]!, [NaN, inf]);
  });

  test(`${backend}: reductions over dim = [] reduce every dim, as torch's (#14)`, () => {
    T.setBackend(backend);
    const x = f64([[1, 5], [3, 4]]);
    const cases: [string, (x: T.Tensor, keep: boolean) => T.Tensor, number][] = [
      ["amax", (x, k) => T.amax(x, [], k), 5], ["amin", (x, k) => T.amin(x, [], k), 1],
      ["sum", (x, k) => T.sum(x, [], k), 13], ["mean", (x, k) => T.mean(x, [], k), 3.25],
      ["nansum", (x, k) => T.nansum(x, [], k), 13], ["nanmean", (x, k) => T.nanmean(x, [], k), 3.25],
      ["logsumexp", (x, k) => T.logsumexp(x, [], k), 5.419716646315339],
      ["var", (x, k) => T.variance(x, [], { keepdim: k }), 2.9166666666666665], ["std", (x, k) => T.std(x, [], { keepdim: k }), 1.707825127659933],
      ["norm 3", (x, k) => T.norm(x, 3, [], k), 6.009245006917366], ["vectorNorm 3", (x, k) => T.linalg.vectorNorm(x, 3, [], k), 6.009245006917366],
    ];
    for (const [name, f, v] of cases) {
      const r = f(x, false);
      assert.deepEqual(r.shape, [], `${name}(x, []) shape`);
      close(`${name}(x, [])`, r.dataSync(), [v], 1e-9);
      assert.deepEqual(f(x, true).shape, [1, 1], `${name}(x, [], keepdim) shape`);
    }
    assert.equal(T.countNonzero(x, []).item(), 4);
    assert.deepEqual(T.varMean(x, []).map((t) => t.shape), [[], []]);
    close("amax(x, []) grad", grads((x) => T.amax(x, []), [[1, 5], [5, 4]])[0]!, [0, 0.5, 0.5, 0]);
  });

  test(`${backend}: matrixPower with n beyond 32 bits (#11)`, () => {
    T.setBackend(backend);
    assert.deepEqual(T.matrixPower(T.eye(2), 2 ** 40).toArray(), [[1, 0], [0, 1]]);
    assert.deepEqual(T.matrixPower(T.eye(2), 2 ** 31).toArray(), [[1, 0], [0, 1]]);
    assert.deepEqual(T.matrixPower(f64([[1, 1], [0, 1]]), 2 ** 40).toArray(), [[1, 1099511627776], [0, 1]]);
    assert.deepEqual(T.matrixPower(f64([[0.5, 0], [1, 1]]), 2 ** 31).toArray(), [[0, 0], [2, 1]]);
    assert.deepEqual(T.matrixPower(f64([[2, 0], [0, 1]]), -3).toArray(), [[0.125, 0], [0, 1]]);
    // torch: "Overflow when unpacking long"
    assertThrowsTensile(() => T.matrixPower(T.eye(2), 1e300), /^matrixPower: n must fit in a 64-bit integer, got 1e\+300/);
  });

  test(`${backend}: floorDivide follows Python's floor division for floats (#21)`, () => {
    T.setBackend(backend);
    const a = [-2.5, 2.5, -2.5, 2.5, 0, -0, 7, -7, 1, Infinity, NaN, 5, -5, 0, 3];
    const b = [Infinity, -Infinity, -Infinity, Infinity, Infinity, Infinity, 2, 2, 0.1, 2, 1, 0, 0, 0, -0];
    const want = [-1, -1, 0, 0, 0, -0, 3, -4, 9, NaN, NaN, Infinity, -Infinity, NaN, -Infinity];
    for (const dtype of ["float64", "float32"] as const) {
      const r = Array.from(T.floorDivide(T.tensor(a, { dtype }), T.tensor(b, { dtype })).dataSync());
      close(`floorDivide ${dtype}`, r, want);
      assert.ok(Object.is(r[5], -0) && Object.is(r[2], 0), "the sign of a zero quotient");
      close(`div floor ${dtype}`, T.div(T.tensor(a, { dtype }), T.tensor(b, { dtype }), { roundingMode: "floor" }).dataSync(), want);
    }
    assert.deepEqual(T.floorDivide(T.tensor([7, -7]), T.tensor([2, 2])).toArray(), [3, -4]);
    close("floorDivide·∞ grad", grads((x) => T.floorDivide(x, 3).mul(inf), [1, -5])[0]!, [0, 0]);
  });

  test(`${backend}: bool and integer arithmetic raises where torch does (#18)`, () => {
    T.setBackend(backend);
    const t = T.tensor([true, false]), u = T.tensor([true, true]);
    assertThrowsTensile(() => T.pow(T.tensor([2, 3]), -1), /^pow: Integers to negative integer powers are not allowed/);
    assertThrowsTensile(() => T.pow(t, -1), /^pow: Integers to negative integer powers are not allowed/);
    // a tensor exponent is fine (integer results): torch [0, 1, -1, 9]
    assert.deepEqual(T.pow(T.tensor([2, 1, -1, 3]), T.tensor([-1, -1, -1, 2])).toArray(), [0, 1, -1, 9]);
    close("pow(int, -0.5)", T.pow(T.tensor([2, 4]), -0.5).dataSync(), [Math.SQRT1_2, 0.5], 1e-7);
    assertThrowsTensile(() => T.sub(t, u), /^sub: Subtraction, the `-` operator, with two bool tensors is not supported/);
    assertThrowsTensile(() => t.sub(u, { alpha: 2 }), /with two bool tensors is not supported/);
    for (const f of [() => T.sub(t, 1), () => T.sub(1, t), () => T.sub(T.tensor([1, 0]), u), () => T.sub(T.tensor([1.5]), t)])
      assertThrowsTensile(f, /^sub: Subtraction, the `-` operator, with a bool tensor is not supported. If you are trying to invert a mask/);
    // bool + alpha·bool stays bool: a ∨ b for a non-zero alpha, a for alpha 0 (torch [True] / [True, False])
    const r = T.add(T.tensor([true]), T.tensor([true]), { alpha: 2 });
    assert.equal(r.dtype, "bool");
    assert.deepEqual(r.toArray(), [true]);
    assert.deepEqual(T.add(t, T.tensor([false, true]), { alpha: 0 }).toArray(), [true, false]);
    assert.deepEqual(T.add(t, T.tensor([false, true]), { alpha: 3 }).toArray(), [true, true]);
    // mixed: bool + 2·int → int [3]; float + 2·bool → float [3]
    assert.deepEqual(T.add(T.tensor([true]), T.tensor([1]), { alpha: 2 }).toArray(), [3]);
    assert.deepEqual(T.add(T.tensor([1.0], { dtype: "float32" }), T.tensor([true]), { alpha: 2 }).toArray(), [3]);
    assertThrowsTensile(() => T.add(T.tensor([1]), T.tensor([1]), { alpha: 2.5 }), /^add: For integral input tensors, argument alpha must not be a floating point number/);
    assertThrowsTensile(() => T.sub(T.tensor([1]), T.tensor([1]), { alpha: 2.5 }), /^sub: For integral input tensors, argument alpha must not be a floating point number/);
    close("float add alpha", T.add(f64([1]), f64([2]), { alpha: 2.5 }).dataSync(), [6]);
    close("sub alpha grad", grads((x, y) => T.sub(x, y, { alpha: 2.5 }), [1], [2])[1]!, [-2.5]);
  });
}

test("gradchecks (float64) of the rules that changed", () => {
  gradcheck((x) => x.reshape([2, 3]).std(1), f64([1, 2, 4, -1, 0.5, 3]), "std");
  gradcheck((x) => T.stdMean(x, 0, { correction: 0 })[0], f64([1, 2, 4]), "stdMean");
  gradcheck((x) => x.narrow(0, 0, 3).pow(x.narrow(0, 3, 3)), f64([0.5, 1.5, 2, 0.3, -1.2, 2.5]), "pow(tensor, tensor)");
  gradcheck((x) => x.pow(0.7), f64([0.5, 1.5, 2]), "pow(x, 0.7)");
  gradcheck((x) => T.pow(2.5, x), f64([0.5, -1.5, 2]), "pow(2.5, x)");
  gradcheck((x) => T.maximum(x.narrow(0, 0, 3), x.narrow(0, 3, 3)), f64([1, -2, 3, 0.5, 4, -1]), "maximum");
  gradcheck((x) => T.minimum(x.narrow(0, 0, 3), x.narrow(0, 3, 3)), f64([1, -2, 3, 0.5, 4, -1]), "minimum");
  for (const p of [0.5, -0.5, -1, 1.5, 3, 2.5]) {
    gradcheck((x) => T.norm(x.reshape([2, 3]), p, 1), f64([0.3, -1, 2, 1.5, 0.7, -0.2]), `norm p=${p}`);
    gradcheck((x) => T.linalg.vectorNorm(x, p), f64([0.3, -1, 2, 1.5]), `vectorNorm p=${p}`);
  }
  gradcheck((x) => T.floorDivide(x, 0.7), f64([0.3, -1.1, 2.2]), "floorDivide");
  gradcheck((x) => T.amax(x.reshape([2, 2]), []), f64([1, 5, 3, 4]), "amax(x, [])");
});

test("second derivatives through the masked rules (createGraph)", () => {
  gradgradcheck((x) => x.reshape([2, 3]).std(1), [1, 2, 4, -1, 0.5, 3], "std");
  gradgradcheck((x) => x.pow(2.5), [0.5, 1.5, 2], "pow(x, 2.5)");
  gradgradcheck((x) => T.pow(x, x.flip(0)), [0.5, 1.5, 2], "pow(x, flip(x))");
  for (const p of [0.5, 1.5, 3]) gradgradcheck((x) => T.norm(x, p), [0.3, -1, 2, 1.5], `norm p=${p}`);
});

for (const backend of ["wasm", "reference"] as const) {
  test(`${backend}: max()/min() of a tensor holding NaN share the gradient among the NaNs, amax gives NaN (torch's rules)`, () => {
    T.setBackend(backend);
    const x = [1, NaN, NaN, 3];
    close("max()", grads((t) => T.max(t), x)[0]!, [0, 0.5, 0.5, 0]);
    close("min()", grads((t) => T.min(t), x)[0]!, [0, 0.5, 0.5, 0]);
    close("max()·∞", grads((t) => T.max(t).mul(inf), [1, 3, 3])[0]!, [0, inf, inf]);
    close("amax()", grads((t) => T.amax(t), x)[0]!, [NaN, NaN, NaN, NaN]);
    close("amin(x, 0)", grads((t) => T.amin(t, 0), x)[0]!, [NaN, NaN, NaN, NaN]);
    close("max() with ties", grads((t) => T.max(t), [3, 1, 3])[0]!, [0.5, 0, 0.5]);
  });
}
