// L-BFGS against PyTorch 1.13: fixtures/optim-lbfgs.json (tools/gen-optim-fixtures.py). Fixed-step
// and strong-Wolfe runs of step(closure) on a small tanh model and a linear one: returned losses,
// parameters, closure calls, counters and the final state dict; async closures; state-dict round
// trips; bad options.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { type DType, Tensor, TensileError, tensor } from "../src/core.js";
import * as optim from "../src/optim/index.js";
import { loadCheckpointBytes, saveCheckpointBytes } from "../src/io/checkpoint.js";

interface Case {
  name: string;
  model: "tanh" | "linear";
  dtype: DType;
  options: optim.LBFGSOptions;
  steps: number;
  losses: number[];
  W: number[][];
  b: number[][];
  closureCalls: number[];
  funcEvals: number[];
  nIter: number[];
  stateDict: { state: Record<string, Record<string, unknown>>; param_groups: Array<Record<string, unknown>> };
}
const fx = JSON.parse(readFileSync(new URL("../fixtures/optim-lbfgs.json", import.meta.url), "utf8")) as {
  init: Record<"W" | "b" | "X" | "Y", number[]>;
  cases: Case[];
};

function assertClose(actual: ArrayLike<number>, expected: readonly number[], what: string, { rtol, atol }: { rtol: number; atol: number }) {
  assert.equal(actual.length, expected.length, `${what}: length`);
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i]!, e = expected[i]!;
    if (!(Number.isFinite(e) ? Math.abs(a - e) <= atol + rtol * Math.abs(e) : a === e))
      assert.fail(`${what}[${i}]: got ${a}, expected ${e} (|diff| ${Math.abs(a - e)} > ${atol} + ${rtol}·|expected|)`);
  }
}

function problem(dtype: DType, model: "tanh" | "linear") {
  const W = tensor(Float64Array.from(fx.init.W), { shape: [3, 4], dtype, requiresGrad: true });
  const b = tensor(Float64Array.from(fx.init.b), { shape: [3], dtype, requiresGrad: true });
  const X = tensor(Float64Array.from(fx.init.X), { shape: [8, 4], dtype });
  const Y = tensor(Float64Array.from(fx.init.Y), { shape: [8, 3], dtype });
  const loss = () => {
    const z = X.matmul(W.t()).add(b);
    return (model === "tanh" ? z.tanh() : z).sub(Y).pow(2).mean();
  };
  return { W, b, loss };
}

function setup(c: Case) {
  const { W, b, loss } = problem(c.dtype, c.model);
  const opt = new optim.LBFGS([W, b], c.options);
  const counter = { calls: 0 };
  const closure = () => {
    counter.calls++;
    opt.zeroGrad();
    const l = loss();
    l.backward();
    return l;
  };
  return { W, b, opt, closure, counter };
}

// float64 follows PyTorch to rounding. float32: PyTorch keeps some scalars of the algorithm (ρ = 1/y·s,
// α, the first step t) in float32 tensors and Tensile in doubles, so values agree to float32
// accuracy (the tolerance of test/optim-trajectories.test.ts); counts are checked where the run does
// not stop on a tolerance decided by float32 noise (the last steps of a converged run).
const tol = (dtype: DType) => (dtype === "float64" ? { rtol: 1e-10, atol: 1e-12 } : { rtol: 2e-5, atol: 2e-6 });
/** Cases whose float32 run ends on float32 noise: PyTorch's own float32 run takes other iterations than
 * its float64 one (closure calls 10, 2 against 11, 1); in the minimum's flat valley that moves the
 * parameters by ~3e-5 while the loss agrees. */
const NOISY_FLOAT32 = new Set(["lbfgs-strong-wolfe-history"]);
/** A float32 case where the line search extrapolates from tiny steps: PyTorch does its cubic
 * interpolation partly in float32 0-d tensors (Tensile in doubles), and the chosen steps differ by
 * ~1e-3 relative, then more (PyTorch's own float32 and float64 losses differ by 1.4% at step 3).
 * Its float64 run is compared exactly; in float32 only the first loss and the descent are checked. */
const CHAOTIC_FLOAT32 = new Set(["lbfgs-strong-wolfe-short-steps"]);

for (const c of fx.cases.filter((x) => x.dtype === "float32" && CHAOTIC_FLOAT32.has(x.name))) {
  test(`${c.name} (float32) starts at PyTorch's loss and descends`, () => {
    const { opt, closure } = setup(c);
    const losses = Array.from({ length: c.steps }, () => opt.step(closure).item());
    assertClose([losses[0]!], [c.losses[0]!], "first loss", tol("float32"));
    losses.slice(1).forEach((l, i) => assert.ok(l < losses[i]!, `loss of step ${i + 2} (${l}) below step ${i + 1}'s (${losses[i]})`));
  });
}

for (const c of fx.cases.filter((x) => !(x.dtype === "float32" && CHAOTIC_FLOAT32.has(x.name)))) {
  test(`${c.name} (${c.dtype}) follows PyTorch's trajectory`, () => {
    const { W, b, opt, closure, counter } = setup(c);
    const t = tol(c.dtype);
    const tp = c.dtype === "float32" && NOISY_FLOAT32.has(c.name) ? { rtol: 1e-3, atol: 1e-4 } : t;
    for (let s = 0; s < c.steps; s++) {
      counter.calls = 0;
      const l = opt.step(closure);
      assert.ok(l instanceof Tensor, "step returns the closure's first loss");
      assertClose([l.item()], [c.losses[s]!], `loss returned by step ${s + 1}`, t);
      assertClose(W.dataSync(), c.W[s]!, `W after step ${s + 1}`, tp);
      assertClose(b.dataSync(), c.b[s]!, `b after step ${s + 1}`, tp);
      const st = opt.state.get(W)!;
      if (c.dtype === "float64") {
        assert.equal(counter.calls, c.closureCalls[s], `closure calls in step ${s + 1}`);
        assert.equal(st.funcEvals, c.funcEvals[s], `funcEvals after step ${s + 1}`);
        assert.equal(st.nIter, c.nIter[s], `nIter after step ${s + 1}`);
      }
    }
    if (c.dtype === "float64") checkStateDict(opt.stateDict(), c.stateDict, t, c.name);
    else assert.deepEqual(Object.keys(opt.stateDict().state["0"]!).sort(), Object.keys(c.stateDict.state["0"]!).sort());
  });
}

/** The float32 runs whose counts do not hinge on float32 noise agree on them too. */
test("float32 runs make the same closure calls as PyTorch's while far from convergence", () => {
  for (const c of fx.cases.filter((x) => x.dtype === "float32" && ["lbfgs", "lbfgs-max-eval", "lbfgs-strong-wolfe", "lbfgs-linear-tolerance"].includes(x.name))) {
    const { opt, closure, counter } = setup(c);
    for (let s = 0; s < 2; s++) {
      counter.calls = 0;
      opt.step(closure);
      assert.equal(counter.calls, c.closureCalls[s], `${c.name}: closure calls in step ${s + 1}`);
    }
  }
});

function checkStateDict(got: optim.OptimizerStateDict, want: Case["stateDict"], t: { rtol: number; atol: number }, name: string) {
  assert.equal(got.param_groups.length, 1);
  const gg = got.param_groups[0]!, wg = want.param_groups[0]!;
  assert.deepEqual(Object.keys(gg).sort(), Object.keys(wg).sort(), `${name}: param_groups[0] keys`);
  for (const [k, v] of Object.entries(wg)) assert.deepEqual(gg[k], v, `${name}: param_groups[0].${k}`);
  assert.deepEqual(Object.keys(got.state), ["0"], `${name}: state lives on parameter 0`);
  const gs = got.state["0"]!, ws = want.state["0"]!;
  assert.deepEqual(Object.keys(gs).sort(), Object.keys(ws).sort(), `${name}: state keys`);
  const flat = (v: unknown): number[] => (v instanceof Tensor ? Array.from(v.dataSync()) : (v as number[]));
  for (const [k, v] of Object.entries(ws)) {
    const g = gs[k];
    if (k === "func_evals" || k === "n_iter") assert.equal(g, v, `${name}: ${k}`);
    else if (k === "old_dirs" || k === "old_stps") {
      const gl = g as Tensor[], wl = v as number[][];
      assert.equal(gl.length, wl.length, `${name}: ${k} length`);
      wl.forEach((w, i) => assertClose(flat(gl[i]), w, `${name}: ${k}[${i}]`, t));
    } else if (k === "ro" || k === "al") {
      const gl = g as (number | null)[], wl = v as (number | null)[];
      assert.equal(gl.length, wl.length, `${name}: ${k} length`);
      wl.forEach((w, i) => (w === null ? assert.equal(gl[i], null, `${name}: ${k}[${i}]`) : assertClose([gl[i]!], [w], `${name}: ${k}[${i}]`, t)));
    } else if (typeof v === "number") assertClose([g as number], [v], `${name}: ${k}`, t);
    else assertClose(flat(g), v as number[], `${name}: ${k}`, t);
  }
}

test("an async closure: step returns a Promise of the first loss and follows the same trajectory", async () => {
  const c = fx.cases.find((x) => x.name === "lbfgs-strong-wolfe" && x.dtype === "float64")!;
  const { W, b, opt, closure, counter } = setup(c);
  for (let s = 0; s < c.steps; s++) {
    counter.calls = 0;
    const p = opt.step(async () => {
      await new Promise((r) => setTimeout(r, 0));
      return closure();
    });
    assert.ok(p instanceof Promise);
    const l = await p;
    assertClose([l.item()], [c.losses[s]!], `loss of step ${s + 1}`, tol("float64"));
    assertClose(W.dataSync(), c.W[s]!, `W after step ${s + 1}`, tol("float64"));
    assertClose(b.dataSync(), c.b[s]!, `b after step ${s + 1}`, tol("float64"));
    assert.equal(counter.calls, c.closureCalls[s]);
  }
});

test("a closure may return the loss as a number", () => {
  const c = fx.cases.find((x) => x.name === "lbfgs" && x.dtype === "float64")!;
  const { W, opt, closure } = setup(c);
  const l = opt.step(() => closure().item());
  assert.equal(typeof l, "number");
  assertClose([l], [c.losses[0]!], "loss", tol("float64"));
  assertClose(W.dataSync(), c.W[0]!, "W", tol("float64"));
});

test("stateDict round trip: a restored LBFGS continues PyTorch's trajectory", () => {
  const c = fx.cases.find((x) => x.name === "lbfgs-strong-wolfe-history" && x.dtype === "float64")!;
  const a = setup(c);
  a.opt.step(a.closure);
  const sd = a.opt.stateDict();
  assert.ok("H_diag" in sd.state["0"]!, "PyTorch's key H_diag");
  // Through JSON, as PyTorch's state dict arrives: tensors become arrays of numbers.
  const json = JSON.parse(JSON.stringify(sd, (_k, v: unknown) => (v instanceof Tensor ? Array.from(v.dataSync()) : v))) as optim.OptimizerStateDict;
  const b = setup(c);
  noGradCopy(b.W, a.W);
  noGradCopy(b.b, a.b);
  b.opt.loadStateDict(json);
  for (let s = 1; s < c.steps; s++) {
    b.opt.step(b.closure);
    assertClose(b.W.dataSync(), c.W[s]!, `W after step ${s + 1}`, tol("float64"));
    assertClose(b.b.dataSync(), c.b[s]!, `b after step ${s + 1}`, tol("float64"));
  }
  checkStateDict(b.opt.stateDict(), c.stateDict, tol("float64"), c.name);
  // PyTorch's own final state dict loads too, and its counters come back.
  const d = setup(c);
  d.opt.loadStateDict(c.stateDict as unknown as optim.OptimizerStateDict);
  assert.equal(d.opt.state.get(d.W)!.nIter, c.stateDict.state["0"]!.n_iter);
  checkStateDict(d.opt.stateDict(), c.stateDict, { rtol: 0, atol: 0 }, `${c.name} (loaded)`);
});

function noGradCopy(dst: Tensor, src: Tensor) {
  dst.requiresGrad_(false);
  dst.copy_(src.detach());
  dst.requiresGrad_(true);
}

function throwsTensile(fn: () => unknown, message: string | RegExp) {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof TensileError, `expected a TensileError, got ${String(e)}`);
    if (typeof message === "string") assert.equal(e.message, message);
    else assert.match(e.message, message);
    return true;
  });
}

test("defaults and bad options, in PyTorch's terms", () => {
  const p = tensor([1, 2], { dtype: "float32", requiresGrad: true });
  const opt = new optim.LBFGS([p]);
  const g = opt.paramGroups[0]!;
  assert.deepEqual(
    { lr: g.lr, maxIter: g.maxIter, maxEval: g.maxEval, toleranceGrad: g.toleranceGrad, toleranceChange: g.toleranceChange, historySize: g.historySize, lineSearchFn: g.lineSearchFn },
    // torch.optim.LBFGS([p]).defaults in PyTorch 1.13 (max_eval = max_iter * 5 // 4)
    { lr: 1, maxIter: 20, maxEval: 25, toleranceGrad: 1e-7, toleranceChange: 1e-9, historySize: 100, lineSearchFn: null },
  );
  assert.equal(new optim.LBFGS([p], { maxIter: 7 }).paramGroups[0]!.maxEval, 8);
  assert.equal(new optim.LBFGS([p], { maxIter: 7, maxEval: null }).paramGroups[0]!.maxEval, 8);
  throwsTensile(() => new optim.LBFGS([p], { lr: -1 }), "LBFGS: invalid learning rate: -1");
  throwsTensile(() => new optim.LBFGS([p], { lineSearchFn: "armijo" as never }), `LBFGS: only 'strong_wolfe' is supported as lineSearchFn, got "armijo"`);
  throwsTensile(() => new optim.LBFGS([p], { maxIter: 0 }), /^LBFGS: invalid maxIter value: 0/);
  throwsTensile(() => new optim.LBFGS([p], { historySize: 1.5 }), /^LBFGS: invalid historySize value: 1.5/);
  throwsTensile(() => new optim.LBFGS([p], { max_iter: 3 } as never), /^LBFGS: unknown option "max_iter"/);
  const q = tensor([1], { dtype: "float32", requiresGrad: true });
  throwsTensile(() => new optim.LBFGS([{ params: [p] }, { params: [q] }]), "LBFGS: LBFGS doesn't support per-parameter options (parameter groups)");
  throwsTensile(() => opt.addParamGroup({ params: [q] }), "LBFGS: LBFGS doesn't support per-parameter options (parameter groups)");
  throwsTensile(() => opt.step(), /^LBFGS.step: a closure that re-evaluates the model and returns the loss is required/);
  throwsTensile(() => opt.step(() => "loss"), /^LBFGS.step: the closure must return the loss \(a Tensor or a number\), got "loss"/);
  throwsTensile(() => opt.step(() => p.mul(1)), /^LBFGS.step: the closure must return the loss, a one-element Tensor, got a Tensor of shape \[2\]/);
});

test("a zero gradient ends the step at once: one closure call, no state beyond the counters", () => {
  // PyTorch: `if flat_grad.abs().max() <= tolerance_grad: return orig_loss` right after the first call.
  const p = tensor([1, 2], { dtype: "float64", requiresGrad: true });
  const opt = new optim.LBFGS([p]);
  let calls = 0;
  const l = opt.step(() => {
    calls++;
    opt.zeroGrad();
    const loss = p.sub(tensor([1, 2], { dtype: "float64" })).pow(2).sum();
    loss.backward();
    return loss;
  });
  assert.equal(l.item(), 0);
  assert.equal(calls, 1);
  assert.deepEqual(opt.state.get(p), { funcEvals: 1, nIter: 0 });
  assert.deepEqual(Array.from(p.dataSync()), [1, 2]);
});

test("an LBFGS state (lists of flat vectors) survives a checkpoint file", () => {
  const c = fx.cases.find((x) => x.name === "lbfgs" && x.dtype === "float64")!;
  const a = setup(c);
  a.opt.step(a.closure);
  a.opt.step(a.closure);
  const bytes = saveCheckpointBytes({ optimizer: a.opt });
  const b = setup(c);
  noGradCopy(b.W, a.W);
  noGradCopy(b.b, a.b);
  loadCheckpointBytes(bytes, { optimizer: b.opt });
  for (let s = 2; s < c.steps; s++) {
    b.opt.step(b.closure);
    assertClose(b.W.dataSync(), c.W[s]!, `W after step ${s + 1}`, tol("float64"));
  }
  checkStateDict(b.opt.stateDict(), c.stateDict, tol("float64"), c.name);
});
