// Optimizer bookkeeping: param groups, zeroGrad, step(closure), stateDict/loadStateDict round
// trips, and the errors bad options raise (in PyTorch's words, naming the optimizer).
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { Tensor, TensileError, isGradEnabled, tensor, zeros } from "../src/core.js";
import * as optim from "../src/optim/index.js";

type Ctor = new (params: Iterable<Tensor> | Iterable<Record<string, unknown>>, options?: Record<string, unknown>) => optim.Optimizer;
const ALL: Record<string, Ctor> = {
  SGD: optim.SGD as unknown as Ctor, Adam: optim.Adam as unknown as Ctor, AdamW: optim.AdamW as unknown as Ctor,
  RMSprop: optim.RMSprop as unknown as Ctor, Adagrad: optim.Adagrad as unknown as Ctor, Adadelta: optim.Adadelta as unknown as Ctor,
  Adamax: optim.Adamax as unknown as Ctor, NAdam: optim.NAdam as unknown as Ctor,
};

const param = (values: number[] = [1, -2, 3]) => tensor(values, { dtype: "float32", requiresGrad: true });

function throwsTensile(fn: () => unknown, message: string | RegExp) {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof TensileError, `expected a TensileError, got ${String(e)}`);
    if (typeof message === "string") assert.equal(e.message, message);
    else assert.match(e.message, message);
    return true;
  });
}

test("bad options throw PyTorch's messages, naming the optimizer", () => {
  for (const name of Object.keys(ALL)) {
    const Cls = ALL[name]!;
    throwsTensile(() => new Cls([param()], { lr: -0.1 }), `${name}: invalid learning rate: -0.1`);
    throwsTensile(() => new Cls([param()], { lr: 0.1, weight_decay: 0.1 }), new RegExp(`^${name}: unknown option "weight_decay" \\(Tensile's options are camelCase: "weightDecay"\\)`));
    throwsTensile(() => new Cls([param()], { lr: 0.1, weightDecy: 0.1 }), new RegExp(`^${name}: unknown option "weightDecy" \\(expected one of: lr, `));
    throwsTensile(() => new Cls([param()], { lr: 0.1, weightDecay: -1 }), `${name}: invalid weightDecay value: -1`);
    throwsTensile(() => new Cls([param()], { lr: NaN }), `${name}: invalid learning rate: NaN`);
    // per-group options are validated too
    throwsTensile(() => new Cls([{ params: [param()], lr: -1 }], { lr: 0.1 }), `${name}: invalid learning rate: -1`);
    throwsTensile(() => new Cls([{ params: [param()], lrr: 1 }], { lr: 0.1 }), new RegExp(`^${name}: unknown option "lrr" in param group 0`));
  }
  for (const name of ["Adam", "AdamW", "Adamax", "NAdam"]) {
    const Cls = ALL[name]!;
    throwsTensile(() => new Cls([param()], { betas: [1.0, 0.999] }), `${name}: invalid beta parameter at index 0: 1`);
    throwsTensile(() => new Cls([param()], { betas: [0.9, -0.1] }), `${name}: invalid beta parameter at index 1: -0.1`);
    throwsTensile(() => new Cls([param()], { betas: [0.9] }), `${name}: betas must be a pair of numbers [beta1, beta2], got [0.9]`);
    throwsTensile(() => new Cls([param()], { eps: -1e-8 }), `${name}: invalid epsilon value: -1e-8`);
  }
  throwsTensile(() => new optim.SGD([param()]), "SGD: parameter group didn't specify a value of required optimization parameter lr");
  throwsTensile(() => new optim.SGD([param()], { lr: 0.1, momentum: -0.5 }), "SGD: invalid momentum value: -0.5");
  throwsTensile(() => new optim.SGD([param()], { lr: 0.1, nesterov: true }), "SGD: Nesterov momentum requires a momentum and zero dampening");
  throwsTensile(() => new optim.SGD([param()], { lr: 0.1, momentum: 0.9, dampening: 0.1, nesterov: true }), "SGD: Nesterov momentum requires a momentum and zero dampening");
  throwsTensile(() => new optim.RMSprop([param()], { alpha: -0.9 }), "RMSprop: invalid alpha value: -0.9");
  throwsTensile(() => new optim.Adagrad([param()], { lrDecay: -1 }), "Adagrad: invalid lrDecay value: -1");
  throwsTensile(() => new optim.Adagrad([param()], { initialAccumulatorValue: -1 }), "Adagrad: invalid initialAccumulatorValue value: -1");
  throwsTensile(() => new optim.Adadelta([param()], { rho: 1.5 }), "Adadelta: invalid rho value: 1.5");
  throwsTensile(() => new optim.NAdam([param()], { momentumDecay: -1 }), "NAdam: invalid momentumDecay value: -1");
});

test("bad params throw", () => {
  const p = param();
  throwsTensile(() => new optim.SGD(p as never, { lr: 1 }), /^SGD: params argument given to the optimizer should be an iterable of Tensors or param groups, but got a Tensor$/);
  throwsTensile(() => new optim.SGD([], { lr: 1 }), "SGD: optimizer got an empty parameter list");
  throwsTensile(() => new optim.SGD([p.mul(2)], { lr: 1 }), "SGD: can't optimize a non-leaf Tensor (params[0] in param group 0)");
  throwsTensile(() => new optim.SGD([{ params: [p] }, { params: [p] }], { lr: 1 }), "SGD: some parameters appear in more than one parameter group");
  throwsTensile(() => new optim.SGD([{ params: new Set([p]) }] as never, { lr: 1 }), /^SGD: optimizer parameters need to be organized in ordered collections/);
  throwsTensile(() => new optim.SGD([{ params: [p, 3] }] as never, { lr: 1 }), "SGD: optimizer can only optimize Tensors, but params[1] in param group 0 is 3");
});

test("param groups: per-group options override the defaults; addParamGroup; lr edits take effect", () => {
  const a = param([1]), b = param([1]), c = param([1]);
  const opt = new optim.SGD([{ params: [a] }, { params: b, lr: 0.5, momentum: 0.9 }], { lr: 0.1 });
  assert.equal(opt.paramGroups.length, 2);
  assert.deepEqual({ ...opt.paramGroups[0]!, params: undefined }, { lr: 0.1, momentum: 0, dampening: 0, weightDecay: 0, nesterov: false, maximize: false, params: undefined });
  assert.equal(opt.paramGroups[1]!.lr, 0.5);
  assert.equal(opt.paramGroups[1]!.momentum, 0.9);
  assert.deepEqual(opt.paramGroups[1]!.params, [b]);
  opt.addParamGroup({ params: [c], lr: 1 });
  throwsTensile(() => opt.addParamGroup({ params: [a] }), "SGD: some parameters appear in more than one parameter group");
  for (const p of [a, b, c]) p.grad = tensor([1], { dtype: "float32" });
  opt.paramGroups[0]!.lr = 0.25;
  opt.step();
  assert.deepEqual([a, b, c].map((p) => p.item()), [0.75, 0.5, 0]);
});

test("parameters without a gradient are skipped and get no state", () => {
  const a = param([1]), b = param([1]);
  const opt = new optim.Adam([a, b], { lr: 0.1 });
  a.grad = tensor([1], { dtype: "float32" });
  opt.step();
  assert.ok(Math.abs(a.item() - 0.9) < 1e-6);
  assert.equal(b.item(), 1);
  assert.ok(opt.state.has(a) && !opt.state.has(b));
});

/** Reads `t.grad` without TypeScript keeping an earlier assertion's narrowing. */
const gradOf = (t: Tensor): Tensor | null => t.grad;

test("zeroGrad sets grads to null by default, or zeros them in place", () => {
  const p = param();
  const opt = new optim.SGD([p], { lr: 0.1 });
  p.sum().backward();
  assert.ok(p.grad instanceof Tensor);
  opt.zeroGrad();
  assert.equal(p.grad, null);
  p.sum().backward();
  const g = gradOf(p)!;
  opt.zeroGrad({ setToNone: false });
  assert.equal(p.grad, g);
  assert.deepEqual(Array.from(g.dataSync()), [0, 0, 0]);
});

test("step(closure) evaluates the closure with grad enabled and returns its loss", () => {
  const p = param([2]);
  const opt = new optim.SGD([p], { lr: 0.1 });
  let enabled = false;
  const loss = opt.step(() => {
    enabled = isGradEnabled();
    opt.zeroGrad();
    const l = p.mul(p).sum();
    l.backward();
    return l;
  });
  assert.ok(enabled);
  assert.equal(loss!.item(), 4);
  assert.ok(Math.abs(p.item() - 1.6) < 1e-6); // θ − 0.1·2θ
  assert.equal(opt.step(), undefined);
});

/** Runs `steps` steps of a fixed quadratic-ish objective on two parameters. */
function train(opt: optim.Optimizer, params: Tensor[], steps: number) {
  for (let s = 0; s < steps; s++) {
    opt.zeroGrad();
    params[0]!.mul(params[1]!.sum()).pow(2).sum().add(params[1]!.sin().sum()).backward();
    opt.step();
  }
}

test("stateDict / loadStateDict round-trip: a restored optimizer continues the same trajectory", () => {
  const configs: [string, Record<string, unknown>][] = [
    ["SGD", { lr: 0.05, momentum: 0.9, nesterov: true }], ["Adam", { lr: 0.05, amsgrad: true }], ["AdamW", { lr: 0.05 }],
    ["RMSprop", { lr: 0.01, centered: true, momentum: 0.5 }], ["Adagrad", { lr: 0.1, lrDecay: 0.1 }],
    ["Adadelta", { lr: 1 }], ["Adamax", { lr: 0.05 }], ["NAdam", { lr: 0.05 }],
  ];
  for (const [name, options] of configs) {
    const make = () => [param([0.5, -0.3, 0.2]), param([0.1, 0.4])];
    const straight = make();
    const optA = new ALL[name]!([{ params: [straight[0]!] }, { params: [straight[1]!], lr: 0.01 }], options);
    train(optA, straight, 10);

    const first = make();
    const optB = new ALL[name]!([{ params: [first[0]!] }, { params: [first[1]!], lr: 0.01 }], options);
    train(optB, first, 4);
    const sd = optB.stateDict();
    const resumed = first.map((p) => tensor(Array.from(p.dataSync()), { dtype: "float32", requiresGrad: true }));
    const optC = new ALL[name]!([{ params: [resumed[0]!] }, { params: [resumed[1]!], lr: 0.5 }], options);
    optC.loadStateDict(sd);
    assert.equal(optC.paramGroups[1]!.lr, 0.01, `${name}: group options come from the state dict`);
    // The loaded state is a copy: training optB further must not move optC's state.
    train(optB, first, 1);
    train(optC, resumed, 6);
    assert.deepEqual(Array.from(resumed[0]!.dataSync()), Array.from(straight[0]!.dataSync()), `${name}: param 0`);
    assert.deepEqual(Array.from(resumed[1]!.dataSync()), Array.from(straight[1]!.dataSync()), `${name}: param 1`);
  }
});

test("stateDict uses PyTorch's layout and snake_case keys", () => {
  const a = param([1, 2]), b = param([3]);
  const opt = new optim.Adam([{ params: [a] }, { params: [b], weightDecay: 0.1 }], { lr: 0.01 });
  a.grad = tensor([1, 1], { dtype: "float32" });
  b.grad = tensor([1], { dtype: "float32" });
  opt.step();
  const sd = opt.stateDict();
  assert.deepEqual(sd.param_groups, [
    { lr: 0.01, betas: [0.9, 0.999], eps: 1e-8, weight_decay: 0, amsgrad: false, maximize: false, params: [0] },
    { lr: 0.01, betas: [0.9, 0.999], eps: 1e-8, weight_decay: 0.1, amsgrad: false, maximize: false, params: [1] },
  ]);
  assert.deepEqual(Object.keys(sd.state), ["0", "1"]);
  assert.deepEqual(Object.keys(sd.state["0"]!), ["step", "exp_avg", "exp_avg_sq"]);
  assert.equal(sd.state["0"]!.step, 1);
});

test("loadStateDict accepts PyTorch's state dict (as JSON: arrays for tensors, torch-only group keys)", () => {
  const fx = JSON.parse(readFileSync(new URL("../fixtures/optim-trajectories.json", import.meta.url), "utf8"));
  const c = fx.cases.find((x: { name: string; dtype: string }) => x.name === "adam-amsgrad" && x.dtype === "float32");
  const W = tensor(Float64Array.from(c.W[9]), { shape: [3, 4], dtype: "float32", requiresGrad: true });
  const b = tensor(Float64Array.from(c.b[9]), { shape: [3], dtype: "float32", requiresGrad: true });
  const opt = new optim.Adam([W, b], { lr: 0.5 });
  assert.ok("foreach" in c.stateDict.param_groups[0] && "capturable" in c.stateDict.param_groups[0]);
  opt.loadStateDict(c.stateDict);
  assert.equal(opt.paramGroups[0]!.lr, 0.05);
  assert.equal(opt.paramGroups[0]!.amsgrad, true);
  assert.ok(!("foreach" in opt.paramGroups[0]!));
  const s = opt.state.get(W)!;
  assert.equal(s.step, 10);
  assert.ok(s.maxExpAvgSq instanceof Tensor);
  assert.deepEqual((s.expAvg as Tensor).shape, [3, 4]);
  assert.deepEqual(Array.from((s.expAvg as Tensor).dataSync()), c.stateDict.state["0"].exp_avg.map(Math.fround));
});

test("loadStateDict rejects mismatched groups and leaves the optimizer untouched", () => {
  const a = param([1]), b = param([2]);
  const opt = new optim.SGD([{ params: [a] }, { params: [b] }], { lr: 0.1, momentum: 0.9 });
  const one = new optim.SGD([a, b], { lr: 0.1 }).stateDict();
  throwsTensile(() => opt.loadStateDict(one), "SGD.loadStateDict: loaded state dict has a different number of parameter groups (1 != 2)");
  const sizes = new optim.SGD([{ params: [a, b] }, { params: [param()] }], { lr: 0.1 }).stateDict();
  throwsTensile(() => opt.loadStateDict(sizes), "SGD.loadStateDict: loaded state dict contains a parameter group that doesn't match the size of optimizer's group (group 0: 2 != 1)");
  const bad = opt.stateDict();
  bad.param_groups[1]!.lr = -1;
  throwsTensile(() => opt.loadStateDict(bad), "SGD: invalid learning rate: -1");
  assert.equal(opt.paramGroups[1]!.lr, 0.1);
  const badState = { ...opt.stateDict(), state: { "0": { momentum_buffer: [1, 2, 3] } } };
  throwsTensile(() => opt.loadStateDict(badState), 'SGD.loadStateDict: state "momentum_buffer" has 3 values but its parameter has 1 (shape [1])');
  throwsTensile(() => opt.loadStateDict({ state: {}, param_groups: {} } as never), /^SGD.loadStateDict: expected an object \{ state, param_groups \}/);
});

test("Adagrad creates its state for every parameter at construction, as PyTorch", () => {
  const p = param([1, 2]);
  const opt = new optim.Adagrad([p], { initialAccumulatorValue: 0.5 });
  const s = opt.state.get(p)!;
  assert.equal(s.step, 0);
  assert.deepEqual(Array.from((s.sum as Tensor).dataSync()), [0.5, 0.5]);
});

test("SGD without momentum keeps a null momentum buffer, as PyTorch", () => {
  const p = param([1]);
  const opt = new optim.SGD([p], { lr: 1 });
  p.grad = zeros([1]);
  opt.step();
  assert.deepEqual(opt.stateDict().state, { "0": { momentum_buffer: null } });
});
