// nn.utils.parametrize and nn.utils.parametrizations against PyTorch 1.13 (fixtures/parametrize.json,
// tools/gen-parametrize-fixtures.py): state-dict keys and values after registering, outputs,
// gradients with respect to the originals, assignment through rightInverse, removal; then training
// keeps an orthogonal weight orthogonal, float64 gradchecks through every map, caching, buffers,
// deepcopy and the errors. On every backend.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { Parameter, Tensor, eye, manualSeed, noGrad, randn, tensor, withBackend } from "../src/core.js";
import * as nn from "../src/nn/index.js";
import * as optim from "../src/optim/index.js";
import { type Enc, assertClose, assertThrowsTensile, dec, loadNnFixture } from "./nn-helpers.js";
import { backendsUnderTest } from "./helpers/backends.js";
import type { OrthogonalMap } from "../src/nn/parametrizations.js";

const P = nn.utils.parametrize;
const PZ = nn.utils.parametrizations;

type Kind = "linear33" | "linear44" | "linear35" | "linear53" | "conv" | "convt";
type Op = ["register", string, "symmetric" | "symmetricInv" | "double"] | ["orthogonal", string, OrthogonalMap, boolean] | ["spectralNorm", string, number, number, number | null];
interface Removed { keys: string[]; weight: Enc; isParameter: boolean; className: string }
interface Case {
  name: string; module: Kind; ops: Op[]; init: Record<string, Enc>; x: Enc; registered: Record<string, Enc>;
  outs: Enc[]; grads: Record<string, Enc>; state: Record<string, Enc>; weight: Enc; evalOut: Enc;
  assign?: { value: Enc; state: Record<string, Enc>; weight: Enc };
  removeLeave?: Removed; removeOriginal?: Removed;
}
const fx = loadNnFixture<{
  cases: Case[];
  buffer: { M0: Enc; keys: string[]; params: string[]; M: Enc; className: string };
}>("parametrize.json");

/** The generator's formula: 0.5·sin(0.37·i + 1.3·k + 0.2). */
function formula(shape: number[], k: number, scale = 0.5): Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  return tensor(Float32Array.from({ length: n }, (_, i) => scale * Math.sin(0.37 * i + 1.3 * k + 0.2)), { shape });
}

class Symmetric extends nn.Module {
  override forward(X: Tensor): Tensor { return X.triu().add(X.triu(1).t()); }
}
class SymmetricInv extends Symmetric {
  rightInverse(A: Tensor): Tensor { return A.triu(); }
}
class Double extends nn.Module {
  override forward(X: Tensor): Tensor { return X.mul(2); }
  rightInverse(X: Tensor): Tensor { return X.div(2); }
}

function make(c: Case): nn.Module {
  const m = { linear33: () => new nn.Linear(3, 3), linear44: () => new nn.Linear(4, 4), linear35: () => new nn.Linear(3, 5),
    linear53: () => new nn.Linear(5, 3), conv: () => new nn.Conv2d(2, 3, 3), convt: () => new nn.ConvTranspose2d(3, 2, 2) }[c.module]();
  m.loadStateDict(Object.fromEntries(Object.entries(c.init).map(([k, e]) => [k, dec(e)])));
  for (const op of c.ops) {
    if (op[0] === "register") P.registerParametrization(m, op[1], op[2] === "symmetric" ? new Symmetric() : op[2] === "symmetricInv" ? new SymmetricInv() : new Double());
    else if (op[0] === "orthogonal") PZ.orthogonal(m, op[1], { orthogonalMap: op[2], useTrivialization: op[3] });
    else PZ.spectralNorm(m, op[1], op[2], op[3], op[4]);
  }
  return m;
}

const decState = (s: Record<string, Enc>) => Object.fromEntries(Object.entries(s).map(([k, e]) => [k, dec(e)]));
const attr = (m: nn.Module, name: string) => (m as unknown as Record<string, Tensor>)[name]!;

function assertState(what: string, m: nn.Module, want: Record<string, Enc>, skip: (k: string) => boolean, rtol: number, atol: number): void {
  const sd = m.stateDict();
  assert.deepEqual(Object.keys(sd), Object.keys(want), `${what}: state-dict keys`);
  for (const [k, e] of Object.entries(want)) if (!skip(k)) assertClose(`${what}: ${k}`, sd[k]!, e, rtol, atol);
}

/** Keys whose values PyTorch draws at random: spectral norm's u, v; orthogonal's base of a non-square weight. */
function isRandom(c: Case, k: string): boolean {
  if (k.endsWith("._u") || k.endsWith("._v")) return true;
  const s = c.init.weight!.shape;
  return k.endsWith(".base") && s[s.length - 1] !== s[s.length - 2];
}

for (const backend of backendsUnderTest()) {
  const on = (fn: () => void) => () => withBackend(backend, fn);

  describe(`parametrize against PyTorch (${backend.name})`, () => {
    for (const c of fx.cases) {
      // matrix functions in float32 through different algorithms: a little more slack
      const [rtol, atol] = c.name.startsWith("orthogonal") ? [1e-4, 2e-5] : [1e-5, 1e-6];
      test(c.name, on(() => {
        manualSeed(0);
        const m = make(c);
        assert.equal(m.constructor.name, `Parametrized${c.removeLeave!.className}`);
        assert.ok(P.isParametrized(m) && P.isParametrized(m, "weight") && !P.isParametrized(m, "bias"));
        assert.equal(P.typeBeforeParametrizations(m).name, c.removeLeave!.className);
        assertState(`${c.name} registered`, m, c.registered, (k) => isRandom(c, k), rtol, atol);
        assert.deepEqual(m.namedParameters().map(([k]) => k), Object.keys(c.grads), "parameters are the originals");
        m.loadStateDict(decState(c.registered)); // PyTorch's random draws (and the rest: identical)
        const x = dec(c.x);
        let out!: Tensor;
        c.outs.forEach((e, i) => {
          out = m.forward(x) as Tensor;
          assertClose(`${c.name} out ${i}`, out, e, rtol, atol);
        });
        out.mul(formula([...out.shape], 5, 1)).sum().backward();
        for (const [k, g] of Object.entries(c.grads)) assertClose(`${c.name} grad ${k}`, m.getParameter(k).grad!, g, 1e-4, 2e-5);
        assertClose(`${c.name} weight`, noGrad(() => attr(m, "weight")), c.weight, rtol, atol); // (training: spectral norm iterates)
        assertState(`${c.name} after forward`, m, c.state, () => false, rtol, atol);
        m.eval();
        assertClose(`${c.name} eval out`, noGrad(() => m.forward(x) as Tensor), c.evalOut, rtol, atol);
        if (c.assign) {
          (m as unknown as Record<string, Tensor>).weight = dec(c.assign.value);
          assertState(`${c.name} after assignment`, m, c.assign.state, () => false, rtol, atol);
          assertClose(`${c.name} weight after assignment`, noGrad(() => attr(m, "weight")), c.assign.weight, rtol, atol);
        }
        for (const leave of [true, false]) {
          const want = leave ? c.removeLeave! : c.removeOriginal!;
          const r = make(c);
          r.loadStateDict(decState(c.assign?.state ?? c.state)); // (the generator removes after the assignment)
          r.eval();
          const orig = r.parameters()[r.namedParameters().findIndex(([k]) => k.endsWith(".original"))]!;
          P.removeParametrizations(r, "weight", { leaveParametrized: leave });
          assert.deepEqual(Object.keys(r.stateDict()), want.keys, `${c.name} leave=${leave}: keys`);
          assert.equal(r.constructor.name, want.className);
          assert.ok(!P.isParametrized(r) && !("parametrizations" in r));
          assert.equal(attr(r, "weight") instanceof Parameter, want.isParameter);
          assert.equal(attr(r, "weight"), orig, "the original Parameter object stays (PyTorch's set_)");
          assertClose(`${c.name} leave=${leave}: weight`, attr(r, "weight"), want.weight, rtol, atol);
        }
      }));
    }

    test("a parametrized buffer: keys, no parameters, the computed value", on(() => {
      const m = new nn.Module();
      m.registerBuffer("M", dec(fx.buffer.M0));
      P.registerParametrization(m, "M", new Symmetric());
      assert.deepEqual(Object.keys(m.stateDict()), fx.buffer.keys);
      assert.deepEqual(m.namedParameters().map(([k]) => k), fx.buffer.params);
      assert.equal(m.constructor.name, fx.buffer.className);
      assertClose("M", attr(m, "M"), fx.buffer.M, 0, 0);
      P.removeParametrizations(m, "M");
      assert.deepEqual(Object.keys(m.stateDict()), ["M"]);
      assert.deepEqual(m.namedParameters(), []);
      assertClose("M after remove", attr(m, "M"), fx.buffer.M, 0, 0);
    }));

    test("SGD on an orthogonal weight keeps WᵀW = I for every map (square, tall, wide), and the loss falls", on(() => {
      for (const orthogonalMap of ["matrix_exp", "cayley", "householder"] as const) {
        for (const [inF, outF] of [[4, 4], [3, 6], [6, 3]] as const) {
          manualSeed(1);
          const m = PZ.orthogonal(new nn.Linear(inF, outF), "weight", { orthogonalMap });
          const x = randn([16, inF]), y = randn([16, outF]);
          const opt = new optim.SGD(m.parameters(), { lr: 0.1, momentum: 0.9 });
          const lossOf = () => m.forward(x).sub(y).pow(2).mean();
          const first = lossOf().item();
          for (let step = 0; step < 10; step++) {
            opt.zeroGrad();
            lossOf().backward();
            opt.step();
          }
          assert.ok(lossOf().item() < first, `${orthogonalMap} ${outF}x${inF}: the loss falls`);
          const W = noGrad(() => attr(m, "weight"));
          const G = outF >= inF ? W.t().matmul(W) : W.matmul(W.t());
          const err = G.sub(eye(G.shape[0]!)).abs().max().item();
          assert.ok(err < 1e-5, `${orthogonalMap} ${outF}x${inF}: max |WᵀW − I| = ${err}`);
        }
      }
    }));
  });
}

/** Central differences of sum(weight · w) w.r.t. the original, against autograd, float64 on the reference backend. */
function gradcheck(m: nn.Module, what: string): void {
  const p = m.parameters().find((q) => q.ndim >= 1 && q !== attr(m, "bias"))!;
  const w = noGrad(() => formula([...attr(m, "weight").shape], 4, 1).double());
  const loss = () => attr(m, "weight").mul(w).sum();
  p.grad = null;
  loss().backward();
  const analytic = Float64Array.from(p.grad!.dataSync());
  const base = Float64Array.from(p.dataSync());
  for (let i = 0; i < p.numel(); i++) {
    const at = (delta: number) => noGrad(() => {
      const a = Float64Array.from(base);
      a[i]! += delta;
      p.copy_(tensor(a, { shape: [...p.shape], dtype: "float64" }));
      const v = loss().item();
      p.copy_(tensor(base, { shape: [...p.shape], dtype: "float64" }));
      return v;
    });
    const eps = 1e-6;
    const numeric = (at(eps) - at(-eps)) / (2 * eps);
    assert.ok(Math.abs(analytic[i]! - numeric) <= 1e-6 + 1e-5 * Math.abs(numeric), `${what}: element ${i}: analytic ${analytic[i]}, numeric ${numeric}`);
  }
}

describe("parametrize: gradients, caching, copies, errors", () => {
  test("float64 gradcheck through each orthogonal map (with and without trivialization), spectral norm (eval) and a chain", () => withBackend("reference", () => {
    manualSeed(2);
    for (const orthogonalMap of ["matrix_exp", "cayley", "householder"] as const) {
      for (const [inF, outF] of [[3, 3], [2, 4], [4, 2]] as const) {
        for (const useTrivialization of [true, false]) {
          if (!useTrivialization && orthogonalMap !== "householder" && inF !== outF) continue;
          const m = new nn.Linear(inF, outF).double();
          PZ.orthogonal(m, "weight", { orthogonalMap, useTrivialization });
          // move away from the initial point (the original is −I there with trivialization)
          noGrad(() => m.getParameter("parametrizations.weight.original").add_(randn([outF, inF], { dtype: "float64" }).mul(0.3)));
          gradcheck(m, `orthogonal ${orthogonalMap} ${outF}x${inF} trivialization=${useTrivialization}`);
        }
      }
    }
    const s = PZ.spectralNorm(new nn.Conv2d(2, 3, 2).double()).eval();
    gradcheck(s, "spectralNorm conv (eval)");
    const c = new nn.Linear(3, 3).double();
    P.registerParametrization(c, "weight", new Symmetric());
    P.registerParametrization(c, "weight", new Double());
    gradcheck(c, "Symmetric then Double");
  }));

  test("cached computes each parametrized tensor once inside, and again outside", () => {
    let calls = 0;
    class Counting extends Symmetric {
      override forward(X: Tensor): Tensor { calls++; return super.forward(X); }
    }
    const m = P.registerParametrization(new nn.Linear(3, 3), "weight", new Counting());
    calls = 0;
    const [a, b] = P.cached(() => {
      const a = attr(m, "weight");
      const b = P.cached(() => attr(m, "weight")); // nested: the same cache
      m.forward(randn([2, 3]));
      return [a, b];
    });
    assert.equal(calls, 1);
    assert.equal(a, b);
    assert.notEqual(attr(m, "weight"), a);
    assert.equal(calls, 2);
  });

  test("deepcopy gives an independent parametrized module; loadStateDict with PyTorch's keys; optimizers keep the original", () => {
    manualSeed(3);
    const m = PZ.orthogonal(new nn.Linear(4, 4), "weight", { orthogonalMap: "cayley" });
    const orig = m.getParameter("parametrizations.weight.original");
    const opt = new optim.SGD(m.parameters(), { lr: 0.1 });
    const c = nn.deepcopy(m);
    assert.equal(c.constructor.name, "ParametrizedLinear");
    assertClose("copy's weight", attr(c, "weight"), { shape: [4, 4], dtype: "float32", data: Array.from(attr(m, "weight").dataSync()) }, 0, 0);
    m.forward(randn([2, 4])).sum().backward();
    opt.step();
    assert.equal(m.getParameter("parametrizations.weight.original"), orig);
    assert.ok(attr(c, "weight").sub(attr(m, "weight")).abs().max().item() > 0, "the copy did not move with the original");
    P.removeParametrizations(c, "weight");
    assert.ok(P.isParametrized(m, "weight") && !P.isParametrized(c));
    // torch's keys load; a wrong key is reported by name
    const fresh = PZ.orthogonal(new nn.Linear(4, 4), "weight", { orthogonalMap: "cayley" });
    fresh.loadStateDict(m.stateDict());
    assertClose("loaded weight", attr(fresh, "weight"), { shape: [4, 4], dtype: "float32", data: Array.from(attr(m, "weight").dataSync()) }, 1e-6, 1e-7);
    assertThrowsTensile(() => fresh.loadStateDict({ ...m.stateDict(), weight: eye(4) }), /Unexpected key\(s\) in state_dict: "weight"/);
  });

  test("assignment runs the rightInverses; several originals (original0, original1)", () => {
    class Sum extends nn.Module {
      override forward(a: Tensor, b: Tensor): Tensor { return a.add(b); }
      rightInverse(X: Tensor): Tensor[] { return [X.mul(0.25), X.mul(0.75)]; }
    }
    const m = P.registerParametrization(new nn.Linear(2, 2), "weight", new Sum());
    assert.deepEqual(Object.keys(m.stateDict()), ["bias", "parametrizations.weight.original0", "parametrizations.weight.original1"]);
    const v = tensor([[1, 2], [3, 4]]);
    (m as unknown as Record<string, Tensor>).weight = v;
    assert.deepEqual(Array.from(m.getParameter("parametrizations.weight.original1").dataSync()), [0.75, 1.5, 2.25, 3]);
    assert.deepEqual(Array.from(attr(m, "weight").dataSync()), [1, 2, 3, 4]);
    assertThrowsTensile(() => P.removeParametrizations(m, "weight", { leaveParametrized: false }),
      /^removeParametrizations: cannot leave Linear.weight unparametrized \(leaveParametrized: false\): it is parametrized by a sequence of tensors/);
    P.removeParametrizations(m, "weight");
    assert.ok(attr(m, "weight") instanceof Parameter);
    assert.deepEqual(Array.from(attr(m, "weight").dataSync()), [1, 2, 3, 4]);
  });

  test("errors name the module and the tensor", () => {
    assertThrowsTensile(() => P.registerParametrization(new nn.Linear(3, 3), "wieght", new Symmetric()),
      /^registerParametrization: Linear has no parameter, buffer or parametrized tensor named "wieght"/);
    class Transpose extends nn.Module {
      override forward(X: Tensor): Tensor { return X.t(); }
    }
    const lin = new nn.Linear(3, 2);
    assertThrowsTensile(() => P.registerParametrization(lin, "weight", new Transpose()),
      /^registerParametrization: registering a parametrization may not change the shape of the tensor, unless unsafe is set: Linear.weight has shape \[2, 3\], the parametrization returns \[3, 2\]/);
    assert.ok(!P.isParametrized(lin) && lin.constructor === nn.Linear, "a failed registration leaves the module as it was");
    assert.deepEqual(Object.keys(lin.stateDict()), ["weight", "bias"]);
    const ok = P.registerParametrization(new nn.Linear(3, 2), "weight", new Transpose(), { unsafe: true });
    assert.deepEqual(attr(ok, "weight").shape, [3, 2]);
    // a rightInverse that changes the shape: at registration, on a chain, and on assignment
    class BadInverse extends nn.Module {
      override forward(X: Tensor): Tensor { return X; }
      rightInverse(X: Tensor): Tensor { return X.reshape([-1]); }
    }
    assertThrowsTensile(() => P.registerParametrization(new nn.Linear(3, 2), "weight", new BadInverse()),
      /^registerParametrization: registering a parametrization may not change the shape of the tensor, unless unsafe is set: Linear.weight has shape \[2, 3\], the parametrization returns \[6\]/);
    const m = P.registerParametrization(new nn.Linear(3, 2), "weight", new Double());
    assertThrowsTensile(() => P.registerParametrization(m, "weight", new BadInverse()),
      /^registerParametrization: the tensor returned by rightInverse must have the shape and dtype of Linear.weight, unless unsafe is set: Linear.weight is \[2, 3\] float32, rightInverse returned \[6\] float32/);
    class Flat extends nn.Module {
      override forward(X: Tensor): Tensor { return X.reshape([2, 3]); }
      rightInverse(X: Tensor): Tensor { return X.reshape([-1]); }
    }
    const n = P.registerParametrization(new nn.Linear(3, 2), "weight", new Flat());
    assert.deepEqual(n.getParameter("parametrizations.weight.original").shape, [6]);
    assertThrowsTensile(() => { (n as unknown as Record<string, Tensor>).weight = eye(3); },
      /^Linear.weight = value: rightInverse returned shape \[9\] but original has shape \[6\] \(register with unsafe: true to allow it\)/);
    class NoInverse extends nn.Module {
      override forward(X: Tensor): Tensor { return X.mul(3); }
    }
    const q = P.registerParametrization(new nn.Linear(3, 2), "weight", new NoInverse());
    assertThrowsTensile(() => { (q as unknown as Record<string, Tensor>).weight = eye(2, 3); },
      /^Linear.weight = value: parametrization NoInverse does not implement rightInverse/);
    assertThrowsTensile(() => P.removeParametrizations(new nn.Linear(3, 2), "weight"),
      /^removeParametrizations: Linear does not have a parametrization on "weight"/);
    assertThrowsTensile(() => PZ.orthogonal(new nn.Linear(3, 2), "bias"), /^orthogonal: expected a matrix or batch of matrices for Linear.bias, got a tensor of 1 dimensions/);
    assertThrowsTensile(() => PZ.orthogonal(new nn.Linear(3, 2), "weight", { orthogonalMap: "qr" as OrthogonalMap }),
      /^orthogonal: orthogonalMap has to be one of "matrix_exp", "cayley", "householder", got "qr"/);
    assertThrowsTensile(() => PZ.spectralNorm(new nn.Linear(3, 2), "weight", { dim: 2 }), /^spectralNorm: dimension out of range \(expected to be in range of \[-2, 1\] but got 2\)/);
    assertThrowsTensile(() => PZ.spectralNorm(new nn.Linear(3, 2), "weight", 0), /^spectralNorm: expected nPowerIterations to be positive, but got nPowerIterations=0/);
    assertThrowsTensile(() => PZ.spectralNorm(new nn.Linear(3, 2), "w"), /^spectralNorm: Linear has no parameter or buffer named "w"/);
  });
});
