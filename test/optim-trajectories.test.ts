// Optimizer update rules against PyTorch 1.13: fixtures/optim-trajectories.json
// (tools/gen-optim-fixtures.py). Every optimizer but LBFGS (test/optim-lbfgs.test.ts) and its main options, float32 and float64, fused
// and composite paths, plus the state dict after the last step.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { type DType, Tensor, tensor } from "../src/core.js";
import * as optim from "../src/optim/index.js";

interface Case {
  name: string;
  optimizer: keyof typeof OPTIMIZERS;
  dtype: DType;
  options: Record<string, unknown>;
  groups?: Array<{ params: ("W" | "b")[] } & Record<string, unknown>>;
  losses: number[];
  W: number[][];
  b: number[][];
  stateDict: { state: Record<string, Record<string, unknown>>; param_groups: Array<Record<string, unknown>> };
}
const fx = JSON.parse(readFileSync(new URL("../fixtures/optim-trajectories.json", import.meta.url), "utf8")) as {
  init: Record<"W" | "b" | "X" | "Y", number[]>;
  cases: Case[];
};

const OPTIMIZERS = {
  SGD: optim.SGD, Adam: optim.Adam, AdamW: optim.AdamW, RMSprop: optim.RMSprop, Adagrad: optim.Adagrad,
  Adadelta: optim.Adadelta, Adamax: optim.Adamax, NAdam: optim.NAdam, RAdam: optim.RAdam, Rprop: optim.Rprop,
  ASGD: optim.ASGD,
} as const;

type AnyOptimizer = optim.Optimizer;
type Ctor = new (params: Iterable<Tensor> | Iterable<Record<string, unknown>>, options?: Record<string, unknown>) => AnyOptimizer;

/** float32 trajectories differ from PyTorch's by summation order and op fusion; float64 only by rounding. */
const tol = (dtype: DType) => (dtype === "float64" ? { rtol: 1e-12, atol: 1e-14 } : { rtol: 2e-5, atol: 2e-6 });

function assertClose(actual: ArrayLike<number>, expected: readonly number[], what: string, { rtol, atol }: { rtol: number; atol: number }) {
  assert.equal(actual.length, expected.length, `${what}: length`);
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i]!, e = expected[i]!;
    if (!(Number.isFinite(e) ? Math.abs(a - e) <= atol + rtol * Math.abs(e) : a === e))
      assert.fail(`${what}[${i}]: got ${a}, expected ${e} (|diff| ${Math.abs(a - e)} > ${atol} + ${rtol}·|expected|)`);
  }
}

function problem(dtype: DType) {
  const W = tensor(Float64Array.from(fx.init.W), { shape: [3, 4], dtype, requiresGrad: true });
  const b = tensor(Float64Array.from(fx.init.b), { shape: [3], dtype, requiresGrad: true });
  const X = tensor(Float64Array.from(fx.init.X), { shape: [8, 4], dtype });
  const Y = tensor(Float64Array.from(fx.init.Y), { shape: [8, 3], dtype });
  const loss = () => X.matmul(W.t()).add(b).sub(Y).pow(2).mean();
  return { W, b, loss };
}

function build(c: Case, W: Tensor, b: Tensor, extra: Record<string, unknown> = {}): AnyOptimizer {
  const Cls = OPTIMIZERS[c.optimizer] as unknown as Ctor;
  const named = { W, b };
  if (c.groups) return new Cls(c.groups.map((g) => ({ ...g, params: g.params.map((n) => named[n]) })), { ...c.options, ...extra });
  return new Cls([W, b], { ...c.options, ...extra });
}

/** Runs 10 steps; returns losses and parameters after each step. */
function run(c: Case, extra: Record<string, unknown> = {}) {
  const { W, b, loss } = problem(c.dtype);
  const opt = build(c, W, b, extra);
  const out = { losses: [] as number[], W: [] as Float64Array[], b: [] as Float64Array[], opt, W0: W, b0: b };
  for (let t = 0; t < 10; t++) {
    opt.zeroGrad();
    const l = loss();
    l.backward();
    opt.step();
    out.losses.push(l.item());
    out.W.push(Float64Array.from(W.dataSync()));
    out.b.push(Float64Array.from(b.dataSync()));
  }
  return out;
}

for (const c of fx.cases) {
  test(`${c.name} (${c.dtype}) follows PyTorch's trajectory`, () => {
    const r = run(c);
    const t = tol(c.dtype);
    assertClose(r.losses, c.losses, "loss", t);
    for (let s = 0; s < 10; s++) {
      assertClose(r.W[s]!, c.W[s]!, `W after step ${s + 1}`, t);
      assertClose(r.b[s]!, c.b[s]!, `b after step ${s + 1}`, t);
    }
    checkStateDict(r.opt.stateDict(), c.stateDict, t, c.name);
  });
}

/** Implementation switches of PyTorch that Tensile's param groups don't carry. */
const TORCH_ONLY_GROUP_KEYS = new Set(["foreach", "fused", "capturable", "differentiable"]);

function checkStateDict(got: optim.OptimizerStateDict, want: Case["stateDict"], t: { rtol: number; atol: number }, name: string) {
  assert.equal(got.param_groups.length, want.param_groups.length);
  want.param_groups.forEach((wg, i) => {
    const gg = got.param_groups[i]!;
    for (const [k, v] of Object.entries(wg)) {
      if (TORCH_ONLY_GROUP_KEYS.has(k)) continue;
      assert.ok(k in gg, `${name}: param_groups[${i}] lacks "${k}" (has ${Object.keys(gg).join(", ")})`);
      assert.deepEqual(gg[k], v, `${name}: param_groups[${i}].${k}`);
    }
    for (const k of Object.keys(gg)) assert.ok(k in wg, `${name}: param_groups[${i}] has "${k}", which PyTorch's lacks`);
  });
  assert.deepEqual(Object.keys(got.state).sort(), Object.keys(want.state).sort(), `${name}: state keys`);
  for (const [id, ws] of Object.entries(want.state)) {
    const gs = got.state[id]!;
    assert.deepEqual(Object.keys(gs).sort(), Object.keys(ws).sort(), `${name}: state[${id}] keys`);
    for (const [k, v] of Object.entries(ws)) {
      const g = gs[k];
      if (v === null || typeof v === "number") {
        // PyTorch keeps mu_product (NAdam), eta and mu (ASGD) in float32 tensors; the fixture has
        // their shortest float32 decimals.
        if (k === "mu_product" || k === "eta" || k === "mu") assert.equal(Math.fround(g as number), Math.fround(v as number), `${name}: state[${id}].${k}`);
        else if (typeof v === "number" && typeof g === "number") assertClose([g], [v], `${name}: state[${id}].${k}`, t);
        else assert.equal(g, v, `${name}: state[${id}].${k}`);
      } else {
        assert.ok(g instanceof Tensor, `${name}: state[${id}].${k} should be a Tensor`);
        assertClose(g.dataSync(), v as number[], `${name}: state[${id}].${k}`, t);
      }
    }
  }
}

for (const name of ["sgd-momentum", "sgd-nesterov", "sgd-weight-decay", "sgd-maximize", "adam", "adam-amsgrad", "adam-weight-decay", "adamw", "adamw-amsgrad"]) {
  for (const dtype of ["float32", "float64"] as const) {
    test(`${name} (${dtype}): fused kernel and composite path give the same trajectory`, () => {
      const c = fx.cases.find((x) => x.name === name && x.dtype === dtype)!;
      const fused = run(c, { fused: true });
      const composite = run(c, { fused: false });
      // Both start from identical tensors; they differ only in rounding of intermediates (the
      // kernel computes each element's update in float64 and rounds once).
      const t = dtype === "float64" ? { rtol: 1e-13, atol: 1e-15 } : { rtol: 1e-6, atol: 1e-7 };
      for (let s = 0; s < 10; s++) {
        assertClose(fused.W[s]!, Array.from(composite.W[s]!), `W after step ${s + 1}`, t);
        assertClose(fused.b[s]!, Array.from(composite.b[s]!), `b after step ${s + 1}`, t);
      }
    });
  }
}

test("the fused kernel runs for whole contiguous tensors and the composite path for views", () => {
  const backend = tensor([0]).backend;
  let calls = 0;
  const original = backend.sgdStep;
  backend.sgdStep = (...args) => {
    calls++;
    return original.apply(backend, args);
  };
  try {
    const p = tensor([[1, 2], [3, 4]], { dtype: "float32", requiresGrad: true });
    const opt = new optim.SGD([p], { lr: 0.1, momentum: 0.9 });
    p.grad = tensor([[1, 1], [1, 1]], { dtype: "float32" });
    opt.step();
    assert.equal(calls, 1);
    // A transposed gradient is not contiguous: composite path, same numbers.
    p.grad = tensor([[1, 1], [1, 1]], { dtype: "float32" }).t();
    opt.step();
    assert.equal(calls, 1);
    // momentum buffer: b1 = 1; b2 = 0.9·1 + 1 = 1.9; θ = 1 − 0.1 − 0.19 = 0.71
    assertClose(p.dataSync(), [0.71, 1.71, 2.71, 3.71], "p", { rtol: 1e-6, atol: 1e-6 });
    const noFuse = new optim.SGD([p], { lr: 0.1, fused: false });
    noFuse.step();
    assert.equal(calls, 1);
  } finally {
    backend.sgdStep = original;
  }
});
