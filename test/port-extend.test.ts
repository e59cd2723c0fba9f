/**
 * Port of tools/gen-port-extend-fixtures.py: the "extending PyTorch" toolkit around a small
 * time-series forecaster (2-layer LSTM over windows of a sine + trend series, a Linear head for the
 * next 3 values), written as a PyTorch user would write it in Tensile and compared with torch 1.13
 * step by step in float64 on both backends: a custom autograd.Function with a non-differentiable
 * second output (and autograd.gradcheck of it), module and tensor hooks (one removed mid-run),
 * buffers persistent and not, frozen parameters, a param group added mid-run, zeroGrad with and
 * without setToNone, RMSprop(centered) then Adam(amsgrad), SmoothL1/Huber losses, early stopping on
 * an eval-mode no-grad validation loss, and an autoregressive forecast.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import * as T from "../src/index.js";
import { autograd, nn, optim, type Tensor } from "../src/index.js";
import { type TensorSpec, decode } from "./helpers/fixtures.js";
import { close, closeTensor, spec } from "./helpers/port.js";
import { gradcheck as numericGradcheck, gradgradcheck } from "./helpers/gradcheck.js";

const fixturePath = (name: string) => fileURLToPath(new URL(`../fixtures/${name}`, import.meta.url));
interface Step { loss: number; val: number; bad: number; stop: boolean; gradAbsSum: Record<string, number | null> }
const fx = JSON.parse(readFileSync(fixturePath("port-extend.json"), "utf8")) as {
  config: Record<string, number>;
  function: { x: TensorSpec; y: TensorSpec; mask: TensorSpec; w: TensorSpec; grad: TensorSpec; yRequiresGrad: boolean; maskRequiresGrad: boolean; gradcheckX: TensorSpec; gradcheck: boolean };
  series: TensorSpec; batches: TensorSpec[];
  names: Record<"modules" | "parameters" | "buffers" | "stateDict" | "lstmParameters", string[]>;
  steps: Step[]; stoppedAt: number | null; preRecords: number[]; bwRecords: [number, number][]; active: number[]; calls: number;
  final: Record<string, TensorSpec>; forecast: TensorSpec;
  stateDictHookRecords: [string, string[]][]; strictLoadError: string; lenientLoad: { missingKeys: string[]; unexpectedKeys: string[] };
};
const C = fx.config as { window: number; horizon: number; hidden: number; lo: number; hi: number; steps: number; switchAt: number; addGroupAt: number;
  freezeAt: number; noneAt: number; gradScaleUntil: number; removePreAt: number; removeBwAt: number; patience: number };

// ---- the program, as a PyTorch user writes it ----

/** y = clamp(x, lo, hi); the mask lo < x < hi as a second, non-differentiable output. */
class ClampedReLU extends autograd.Function {
  static override forward(ctx: autograd.FunctionCtx, x: Tensor, lo: number, hi: number): [Tensor, Tensor] {
    ctx.saveForBackward(x);
    ctx.lo = lo;
    ctx.hi = hi;
    const mask = x.gt(lo).logicalAnd(x.lt(hi));
    ctx.markNonDifferentiable(mask);
    return [x.clamp(lo, hi), mask];
  }
  static override backward(ctx: autograd.FunctionCtx, gradY: Tensor, _gradMask: Tensor): (Tensor | null)[] {
    const [x] = ctx.savedTensors as [Tensor];
    let gradX: Tensor | null = null;
    if (ctx.needsInputGrad[0]) gradX = gradY.mul(x.gt(ctx.lo).logicalAnd(x.lt(ctx.hi)).to(gradY.dtype));
    return [gradX, null, null]; // one per forward argument: none for lo and hi
  }
}

class Forecaster extends nn.Module {
  declare mean: Tensor;
  declare std: Tensor;
  declare calls: Tensor;
  lstm = new nn.LSTM(1, C.hidden, { numLayers: 2, dropout: 0, batchFirst: true });
  head = new nn.Linear(C.hidden, C.horizon);
  /** Set: a tensor hook multiplies the last hidden state's gradient by it. */
  gradScale: number | null = null;
  /** Fraction of units ClampedReLU passes, per training forward. */
  active: number[] = [];
  constructor() {
    super();
    this.registerBuffer("mean", T.zeros([1]));
    this.registerBuffer("std", T.ones([1]));
    this.registerBuffer("calls", T.zeros([1]), { persistent: false });
  }
  override forward(x: Tensor): Tensor {
    this.calls.add_(1);
    const z = x.sub(this.mean).div(this.std);
    const [out] = this.lstm.forward(z.unsqueeze(-1));
    const last = out.index([":", -1, ":"]);
    if (this.gradScale !== null && last.requiresGrad) {
      const scale = this.gradScale;
      last.registerHook((g) => g.mul(scale));
    }
    const [a, mask] = ClampedReLU.apply(last.mul(2), C.lo, C.hi);
    if (this.training) this.active.push(mask.double().mean().item());
    return this.head.forward(a).mul(this.std).add(this.mean);
  }
}

function windows(s: Tensor, start: number, stop: number): [Tensor, Tensor] {
  const xs: Tensor[] = [], ys: Tensor[] = [];
  for (let i = start; i < stop - C.window - C.horizon + 1; i++) {
    xs.push(s.index([`${i}:${i + C.window}`]));
    ys.push(s.index([`${i + C.window}:${i + C.window + C.horizon}`]));
  }
  return [T.stack(xs), T.stack(ys)];
}

function run() {
  const s = spec(fx.series);
  const [trainX, trainY] = windows(s, 0, 100);
  const [valX, valY] = windows(s, 100 - C.window, 125);
  const batches = fx.batches.map((b) => T.tensor(b.data.map(decode), { dtype: "int32" }));

  T.manualSeed(0);
  const model = new Forecaster().double();
  model.loadStateDict(T.loadTorch<Record<string, Tensor>>(fixturePath("port-extend-init.pt")));
  const names = {
    modules: model.namedModules().map(([n]) => n),
    parameters: model.namedParameters().map(([n]) => n),
    buffers: model.namedBuffers().map(([n]) => n),
    stateDict: Object.keys(model.stateDict()),
    lstmParameters: model.lstm.namedParameters("lstm").map(([n]) => n),
  };

  const preRecords: number[] = [], bwRecords: [number, number][] = [];
  const preHandle = model.lstm.registerForwardPreHook((_m, args) => {
    preRecords.push((args[0] as Tensor).sum().item());
  });
  model.head.registerForwardHook((_m, args, output) => (output as Tensor).mul(0.9).add((args[0] as Tensor).index([":", ":1"]).mul(0.1)));
  const bwHandle = model.head.registerFullBackwardHook((_m, gradInput, gradOutput) => {
    bwRecords.push([gradInput[0]!.norm().item(), gradOutput[0]!.norm().item()]);
  });

  // torch's model.lstm.weight_ih_l0: the per-layer names are not typed properties, get_parameter is
  const frozen = ["weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0"].map((n) => model.getParameter(`lstm.${n}`));
  let optimizer: optim.Optimizer = new optim.RMSprop(model.lstm.parameters(), { lr: 1e-2, alpha: 0.9, momentum: 0.5, centered: true });
  let criterion: nn.SmoothL1Loss | nn.HuberLoss = new nn.SmoothL1Loss({ beta: 0.5 });
  const valCriterion = new nn.MSELoss();
  const steps: Step[] = [];
  let best = Infinity, bad = 0, stoppedAt: number | null = null;
  for (let step = 0; step < C.steps; step++) {
    if (step === C.addGroupAt) optimizer.addParamGroup({ params: model.head.parameters(), lr: 5e-3 });
    if (step === C.freezeAt) for (const p of frozen) p.requiresGrad_(false);
    if (step === C.removePreAt) preHandle.remove();
    if (step === C.removeBwAt) bwHandle.remove();
    if (step === C.switchAt) {
      for (const p of frozen) p.requiresGrad_(true);
      optimizer = new optim.Adam(model.parameters(), { lr: 2e-2, amsgrad: true });
      criterion = new nn.HuberLoss({ delta: 0.8 });
      best = Infinity;
      bad = 0;
    }
    model.gradScale = step < C.gradScaleUntil ? 0.5 : null;
    optimizer.zeroGrad({ setToNone: !(C.freezeAt <= step && step < C.noneAt) });
    const loss = criterion.forward(model.forward(trainX.index([batches[step]!])), trainY.index([batches[step]!]));
    loss.backward();
    const gradAbsSum = Object.fromEntries(model.namedParameters().map(([n, p]) => [n, p.grad === null ? null : p.grad.abs().sum().item()]));
    optimizer.step();
    model.eval();
    const val = T.noGrad(() => valCriterion.forward(model.forward(valX), valY).item());
    model.train();
    if (val < best) (best = val), (bad = 0);
    else bad += 1;
    const stop = bad >= C.patience && step >= C.switchAt;
    steps.push({ loss: loss.item(), val, bad, stop, gradAbsSum });
    if (stop) {
      stoppedAt = step;
      break;
    }
  }

  model.eval();
  const forecast = T.noGrad(() => {
    let window = s.index([`${100 - C.window}:100`]).clone().unsqueeze(0);
    const preds: Tensor[] = [];
    for (let k = 0; k < 4; k++) {
      const pred = model.forward(window);
      preds.push(pred.index([0]));
      window = T.cat([window.index([":", `${C.horizon}:`]), pred], 1);
    }
    return T.cat(preds);
  });
  // state-dict hooks: the root's saves the non-persistent call counter after all; lstm's and head's record the keys they see
  const sdRecords: [string, string[]][] = [];
  const seenHook: nn.StateDictPostHook = (_m, sd, prefix) => {
    sdRecords.push([prefix, Object.keys(sd)]);
  };
  model.lstm.registerStateDictPostHook(seenHook);
  model.head.registerStateDictPostHook(seenHook);
  model.registerStateDictPostHook((m, sd, prefix) => {
    sd[prefix + "calls"] = (m as Forecaster).calls.clone();
    sdRecords.push([prefix, Object.keys(sd)]);
  });
  const finalSd = model.stateDict();
  const fresh = new Forecaster().double();
  let strictError = "";
  try {
    fresh.loadStateDict(finalSd);
  } catch (e) {
    strictError = (e as Error).message;
  }
  const lenient = fresh.loadStateDict(finalSd, { strict: false });
  return { model, names, steps, stoppedAt, preRecords, bwRecords, forecast, finalSd, sdRecords, strictError, lenient };
}

for (const backend of ["reference", "wasm"] as const) {
  test(`port extend (${backend}): training, hooks, early stopping and forecast match torch`, () => {
    T.withBackend(backend, () => {
      const r = run();
      assert.deepEqual(r.names, fx.names, "module / parameter / buffer / state-dict names and order");
      assert.equal(r.steps.length, fx.steps.length, "steps run before early stopping");
      r.steps.forEach((st, i) => {
        const want = fx.steps[i]!;
        close(`step ${i} loss`, st.loss, want.loss, 1e-9);
        close(`step ${i} val loss`, st.val, want.val, 1e-9);
        assert.equal(st.bad, want.bad, `step ${i}: epochs without improvement`);
        assert.equal(st.stop, want.stop, `step ${i}: early-stopping decision`);
        for (const [n, g] of Object.entries(want.gradAbsSum)) {
          if (g === null) assert.equal(st.gradAbsSum[n], null, `step ${i}: ${n}.grad should be None`);
          else close(`step ${i} |${n}.grad|`, st.gradAbsSum[n] ?? NaN, g, 1e-8, 1e-14);
        }
      });
      assert.equal(r.stoppedAt, fx.stoppedAt);
      assert.equal(r.preRecords.length, fx.preRecords.length, "forward pre-hook calls (removed mid-run)");
      r.preRecords.forEach((v, i) => close(`pre-hook record ${i}`, v, fx.preRecords[i]!, 1e-9, 1e-12));
      assert.equal(r.bwRecords.length, fx.bwRecords.length, "full backward hook calls (removed mid-run)");
      r.bwRecords.forEach(([gi, go], i) => {
        close(`backward hook ${i} |grad_input|`, gi, fx.bwRecords[i]![0], 1e-8);
        close(`backward hook ${i} |grad_output|`, go, fx.bwRecords[i]![1], 1e-8);
      });
      assert.deepEqual(r.model.active, fx.active, "ClampedReLU's pass-through fraction per training forward");
      assert.equal(r.model.calls.item(), fx.calls, "non-persistent call counter");
      const sd = r.finalSd;
      assert.deepEqual(Object.keys(sd), Object.keys(fx.final), "state-dict keys, with the one a hook added last");
      assert.deepEqual(r.sdRecords, fx.stateDictHookRecords, "state-dict hooks: order, prefixes and the keys each sees");
      assert.ok(r.strictError.includes(fx.strictLoadError.split("\n")[1]!.trim()), `strict load: ${r.strictError}`);
      assert.deepEqual(r.lenient, fx.lenientLoad);
      for (const [k, want] of Object.entries(fx.final)) closeTensor(`final ${k}`, sd[k]!, want, 1e-8, 1e-12);
      closeTensor("autoregressive forecast", r.forecast, fx.forecast, 1e-8);
    });
  });
}

// ---- the custom Function alone, and the fixes it needed ----

for (const backend of ["reference", "wasm"] as const) {
  test(`port extend (${backend}): ClampedReLU's outputs, mask and gradient match torch`, () => {
    T.withBackend(backend, () => {
      const f = fx.function;
      const x = spec(f.x).requiresGrad_();
      const [y, mask] = ClampedReLU.apply(x, C.lo, C.hi);
      closeTensor("y", y, f.y, 0);
      assert.equal(mask.dtype, "bool");
      assert.deepEqual(Array.from(mask.dataSync(), Number), f.mask.data.map(decode));
      assert.equal(y.requiresGrad, f.yRequiresGrad);
      assert.equal(mask.requiresGrad, f.maskRequiresGrad, "markNonDifferentiable: the mask does not require grad");
      y.mul(spec(f.w)).sum().backward();
      closeTensor("x.grad", x.grad!, f.grad, 1e-15);
      assert.ok(autograd.gradcheck((v: Tensor) => ClampedReLU.apply(v, C.lo, C.hi)[0], [spec(f.gradcheckX).requiresGrad_()]));
    });
  });
}

test("port extend: autograd.gradcheck passes ClampedReLU (as torch's) and catches a wrong backward", () => {
  const x = spec(fx.function.gradcheckX).requiresGrad_();
  assert.equal(autograd.gradcheck((v: Tensor) => ClampedReLU.apply(v, C.lo, C.hi)[0], [x], { eps: 1e-6, atol: 1e-5 }), fx.function.gradcheck);
  numericGradcheck((v) => ClampedReLU.apply(v, C.lo, C.hi)[0], x, "ClampedReLU (test helper)");
  class WrongSquare extends autograd.Function {
    static override forward(ctx: autograd.FunctionCtx, v: Tensor): Tensor {
      ctx.saveForBackward(v);
      return v.mul(v);
    }
    static override backward(ctx: autograd.FunctionCtx, g: Tensor): Tensor {
      return g.mul(ctx.savedTensors[0]!); // should be 2·v·g
    }
  }
  assert.equal(autograd.gradcheck((v: Tensor) => WrongSquare.apply(v), x, { raiseException: false }), false);
  assert.throws(() => autograd.gradcheck((v: Tensor) => WrongSquare.apply(v), [x]), /gradcheck: Jacobian mismatch for output 0 with respect to input 0,\nnumerical:tensor\(/);
  assert.throws(() => autograd.gradcheck((v: Tensor) => v.exp(), [x.detach()]), /gradcheck: expects at least one input tensor to require gradient/);
  assert.throws(() => autograd.gradcheck((v: Tensor) => v.exp(), [T.ones([1], { dtype: "float64" }).expand([3]).requiresGrad_()]), /stride 0/);
  // several inputs and outputs, a number among the inputs, an output that needs no grad
  const a = T.tensor([[0.3, -1.2], [0.7, 2.0]], { dtype: "float64", requiresGrad: true });
  const b = T.tensor([0.5, -0.4], { dtype: "float64", requiresGrad: true });
  assert.ok(autograd.gradcheck((p: Tensor, k: number, q: Tensor) => [p.matmul(q).mul(k).tanh(), p.sum().detach(), p.exp().sum(0).mul(q)], [a, 1.5, b]));
});

test("port extend: Function.apply — needsInputGrad per forward argument, gradients per argument, errors as PyTorch's", () => {
  const x = T.tensor([1, -2, 3], { dtype: "float64", requiresGrad: true });
  const w = T.tensor([0.5, 0.5, 2], { dtype: "float64" });
  let seen: boolean[] = [];
  class Scale extends autograd.Function {
    static override forward(ctx: autograd.FunctionCtx, v: Tensor, k: number, u: Tensor): Tensor {
      ctx.k = k;
      return v.mul(u).mul(k);
    }
    static override backward(ctx: autograd.FunctionCtx, g: Tensor): (Tensor | null)[] {
      seen = [...ctx.needsInputGrad];
      return [g.mul(ctx.k).mul(2), null, null]; // PyTorch's form: one per argument
    }
  }
  Scale.apply(x, 3, w).sum().backward();
  assert.deepEqual(seen, [true, false, false], "one entry per forward argument, false for the number");
  assert.deepEqual(Array.from(x.grad!.dataSync()), [6, 6, 6]);

  class BadNumberGrad extends autograd.Function {
    static override forward(_ctx: autograd.FunctionCtx, v: Tensor, k: number): Tensor { return v.mul(k); }
    static override backward(_ctx: autograd.FunctionCtx, g: Tensor): Tensor[] { return [g, 1 as unknown as Tensor]; } // a number: refused
  }
  assert.throws(() => BadNumberGrad.apply(x, 2).sum().backward(),
    /BadNumberGrad.backward: returned a gradient different than null at position 2 \(1-based, as PyTorch\), but the corresponding forward input was not a Tensor/);
  class TooMany extends autograd.Function {
    static override forward(_ctx: autograd.FunctionCtx, v: Tensor, k: number): Tensor { return v.mul(k); }
    static override backward(_ctx: autograd.FunctionCtx, g: Tensor): Tensor[] { return [g, g, g]; }
  }
  assert.throws(() => TooMany.apply(x, 2).sum().backward(), /TooMany.backward: returned an incorrect number of gradients \(expected 2, one per forward argument, or 1, one per tensor argument; got 3\)/);
  class MarksANumber extends autograd.Function {
    static override forward(ctx: autograd.FunctionCtx, v: Tensor): Tensor {
      ctx.markNonDifferentiable(3 as unknown as Tensor);
      return v;
    }
  }
  assert.throws(() => MarksANumber.apply(x), /markNonDifferentiable: argument 0 is 3; expected an output Tensor of forward/);
  class SavesANumber extends autograd.Function {
    static override forward(ctx: autograd.FunctionCtx, v: Tensor, k: number): Tensor {
      ctx.saveForBackward(v, null, k as unknown as Tensor);
      return v.mul(k);
    }
  }
  assert.throws(() => SavesANumber.apply(x, 2), /saveForBackward: argument 2 is 2; only Tensors \(or null\) can be saved/);
  class TwoDtypes extends autograd.Function {
    static override forward(_ctx: autograd.FunctionCtx, v: Tensor): Tensor[] { return [v.mul(2), v.float()]; }
  }
  assert.throws(() => TwoDtypes.apply(x), /TwoDtypes.forward: differentiable outputs must share one dtype and backend \(got float64, float32\)/);
});

for (const backend of ["reference", "wasm"] as const) {
  test(`port extend (${backend}): a Function with two differentiable outputs gets both gradients (zeros for an unused one)`, () => {
    T.withBackend(backend, () => {
      const grads: ({ shape: number[]; data: number[] } | null)[][] = []; // read inside backward: a pass's gradients die with it on wasm
      class SinCos extends autograd.Function {
        static override forward(ctx: autograd.FunctionCtx, v: Tensor): [Tensor, Tensor, number] {
          ctx.saveForBackward(v);
          return [v.sin(), v.cos().reshape([2, 2]), 7];
        }
        static override backward(ctx: autograd.FunctionCtx, gs: Tensor, gc: Tensor, gn: null): Tensor {
          grads.push([gs, gc, gn].map((g) => (g ? { shape: [...g.shape], data: Array.from(g.dataSync(), Number) } : null)));
          const [v] = ctx.savedTensors as [Tensor];
          return gs.mul(v.cos()).sub(gc.reshape([4]).mul(v.sin()));
        }
      }
      const x = T.tensor([0.1, 0.7, -1.3, 2.2], { dtype: "float64", requiresGrad: true });
      const [s, c, n] = SinCos.apply(x);
      assert.equal(n, 7);
      assert.ok(s.requiresGrad && c.requiresGrad);
      s.mul(2).sum().add(c.mul(T.tensor([[1, 2], [3, 4]], { dtype: "float64" })).sum()).backward();
      const xv = [0.1, 0.7, -1.3, 2.2];
      closeTensor("x.grad", x.grad!, { shape: [4], data: xv.map((v, i) => 2 * Math.cos(v) - (i + 1) * Math.sin(v)) }, 1e-14);
      assert.equal(grads[0]![2], null, "a non-tensor output gets null");
      // only the first output used: the second's gradient is zeros of its shape
      const y = T.tensor([0.3, 0.4, 0.5, 0.6], { dtype: "float64", requiresGrad: true });
      SinCos.apply(y)[0].sum().backward();
      assert.deepEqual(grads[1]![1]!.shape, [2, 2]);
      assert.deepEqual(grads[1]![1]!.data, [0, 0, 0, 0]);
      closeTensor("y.grad", y.grad!, { shape: [4], data: [0.3, 0.4, 0.5, 0.6].map(Math.cos) }, 1e-14);
      numericGradcheck((v) => { const [a, b] = SinCos.apply(v); return a.add(b.reshape([4]).mul(3)); }, x, "SinCos");
      // backward is written in Tensor ops: the packed node is differentiable again (createGraph)
      gradgradcheck((v) => { const [a, b] = SinCos.apply(v); return a.mul(b.reshape([4])); }, xv, "SinCos (second order)");
    });
  });
}

test("port extend: a forward hook's use of the module's input reaches the full backward hook's gradInput (as torch)", () => {
  const lin = new nn.Linear(3, 2).double();
  const x = T.tensor([[0.5, -1, 2]], { dtype: "float64", requiresGrad: true });
  let gradIn: Tensor | null = null;
  lin.registerForwardHook((_m, args, out) => (out as Tensor).add((args[0] as Tensor).sum(1, true)));
  lin.registerFullBackwardHook((_m, gi) => {
    gradIn = gi[0]!;
  });
  lin.forward(x).sum().backward();
  // d/dx of sum(W x + b + Σx·1) = Wᵀ·1 + 2 (two outputs, each adds Σx)
  const wsum = lin.weight.sum(0).dataSync();
  closeTensor("gradInput", gradIn!, { shape: [1, 3], data: Array.from(wsum, (v) => Number(v) + 2) }, 1e-14);
  closeTensor("x.grad", x.grad!, { shape: [1, 3], data: Array.from(wsum, (v) => Number(v) + 2) }, 1e-14);
});

test("port extend: state-dict post hooks — a root hook may replace the dict, a child's edits in place, removal, errors", () => {
  const model = new nn.Sequential(new nn.Linear(2, 2), new nn.Linear(2, 1));
  const h = model.registerStateDictPostHook((_m, sd) => Object.fromEntries(Object.entries(sd).map(([k, v]) => [`model.${k}`, v])));
  model.getSubmodule("1").registerStateDictPostHook((_m, sd, prefix) => {
    delete sd[prefix + "bias"];
    return {}; // a child's return is ignored, as torch's recursion drops it
  });
  assert.deepEqual(Object.keys(model.stateDict()), ["model.0.weight", "model.0.bias", "model.1.weight"]);
  h.remove();
  assert.deepEqual(Object.keys(model.stateDict()), ["0.weight", "0.bias", "1.weight"]);
  assert.throws(() => model.registerStateDictPostHook(3 as unknown as nn.StateDictPostHook), /Sequential.registerStateDictPostHook: expected a function, got 3/);
  model.registerStateDictPostHook(() => 5 as unknown as nn.StateDict);
  assert.throws(() => model.stateDict(), /Sequential.stateDict: a state-dict hook returned 5; expected nothing \(edit the dict in place\) or a state dict/);
});
