// Bad arguments to optimizers and schedulers raise a TensileError with PyTorch 1.13's meaning:
// fixtures/optim-grid-errors.json (tools/gen-optim-grid-fixtures.py) holds the type and message
// PyTorch raises for each case id; Tensile's message must start with the class name and contain
// PyTorch's message in camelCase (`Invalid weight_decay value: -0.5` → `SGD: invalid weightDecay
// value: -0.5`), or, where the wording differs on purpose, match the pattern given here.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { TensileError, zeros } from "../src/core.js";
import * as optim from "../src/optim/index.js";

type TorchError = { type: string; message: string } | null;
const fx = JSON.parse(readFileSync(new URL("../fixtures/optim-grid-errors.json", import.meta.url), "utf8")) as {
  optimizers: Record<string, TorchError>;
  schedulers: Record<string, TorchError>;
};

type Ctor = new (params: unknown, options?: Record<string, unknown>) => optim.Optimizer;
const CLASSES = {
  SGD: optim.SGD, Adam: optim.Adam, AdamW: optim.AdamW, Adamax: optim.Adamax, NAdam: optim.NAdam, RAdam: optim.RAdam,
  Adagrad: optim.Adagrad, Adadelta: optim.Adadelta, RMSprop: optim.RMSprop, Rprop: optim.Rprop, ASGD: optim.ASGD,
  LBFGS: optim.LBFGS,
} as unknown as Record<string, Ctor>;

/** The bad options of each optimizer case id `Name.kind` (as the generator's BAD_OPTIONS). */
const BAD_OPTIONS: Record<string, Record<string, unknown>> = {
  lr: { lr: -1.0 }, eps: { eps: -1e-8 }, beta0: { betas: [1.0, 0.999] }, beta1: { betas: [0.9, -0.1] },
  weightDecay: { weightDecay: -0.5 }, momentum: { momentum: -0.5 }, nesterov: { nesterov: true },
  nesterovDampening: { nesterov: true, momentum: 0.9, dampening: 0.1 }, rho: { rho: 1.5 }, alpha: { alpha: -0.5 },
  lrDecay: { lrDecay: -0.5 }, initialAccumulatorValue: { initialAccumulatorValue: -0.5 }, momentumDecay: { momentumDecay: -0.5 },
  etas: { etas: [1.5, 1.2] }, etasPlus: { etas: [0.5, 0.9] },
};

const SPECIAL_NAMES: Record<string, string> = { T_0: "t0", T_mult: "tMult", param_groups: "paramGroups", initial_lr: "initialLr" };

/** PyTorch's message as Tensile words it: camelCase names, JS number formatting, no leading capital or final period. */
function tensileWording(msg: string): string {
  let m = msg.replace(/^"(.*)"$/, "$1"); // KeyError's repr quotes
  m = m.replace(/\b[A-Za-z]+(?:_[A-Za-z0-9]+)+\b/g, (w) => SPECIAL_NAMES[w] ?? w.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase()));
  m = m.replace(/(\d)e([+-])0(\d)/g, "$1e$2$3").replace(/\b(\d+)\.0\b/g, "$1");
  return m.replace(/^[A-Z](?=[a-z])/, (c) => c.toLowerCase()).replace(/\.$/, "");
}

function expectError(fn: () => unknown, name: string, torch: TorchError, pattern?: RegExp) {
  assert.ok(torch !== null, `PyTorch accepts this argument (${name})`);
  let caught: unknown = null;
  try {
    fn();
  } catch (e) {
    caught = e;
  }
  assert.ok(caught instanceof TensileError, `${name}: expected a TensileError (PyTorch: ${torch.type}: ${torch.message}), got ${String(caught)}`);
  const msg = caught.message;
  assert.ok(msg.startsWith(`${name}: `) || msg.startsWith(`${name}.`), `${name}: message should name it: ${msg}`);
  if (pattern) assert.match(msg, pattern, `PyTorch: ${torch.message}`);
  else assert.ok(msg.includes(tensileWording(torch.message)) || msg.includes(torch.message.replace(/\.$/, "")), `${name}: "${msg}" should say "${tensileWording(torch.message)}" (PyTorch: ${torch.message})`);
}

const param = () => zeros([2], { requiresGrad: true });

test("bad optimizer options raise PyTorch's errors, in camelCase, for every optimizer", () => {
  let checked = 0;
  for (const [id, torch] of Object.entries(fx.optimizers)) {
    const [name, kind] = id.split(".") as [string, string];
    const bad = BAD_OPTIONS[kind];
    if (bad === undefined) continue;
    const base = name === "SGD" ? { lr: 0.1 } : {};
    if (torch === null) {
      // PyTorch 1.13's LBFGS does not check its lr; Tensile does, as every other optimizer.
      assert.equal(id, "LBFGS.lr");
      assert.throws(() => new CLASSES[name]!([param()], { ...base, ...bad }), /^TensileError: LBFGS: invalid learning rate: -1$/);
      continue;
    }
    expectError(() => new CLASSES[name]!([param()], { ...base, ...bad }), name, torch);
    checked++;
  }
  assert.ok(checked >= 45, `only ${checked} cases checked`);
});

test("bad params (a tensor, an empty list, a parameter in two groups, a non-leaf) raise PyTorch's errors", () => {
  for (const name of Object.keys(CLASSES)) {
    const base = name === "SGD" ? { lr: 0.1 } : {};
    const E = (kind: string) => fx.optimizers[`${name}.${kind}`]!;
    const p = param();
    // PyTorch: "... should be an iterable of Tensors or dicts, but got torch.FloatTensor"
    expectError(() => new CLASSES[name]!(p, base), name, E("tensor"),
      /params argument given to the optimizer should be an iterable of Tensors or param groups, but got a Tensor$/);
    expectError(() => new CLASSES[name]!([], base), name, E("empty"));
    if (name !== "LBFGS") expectError(() => new CLASSES[name]!([{ params: [p] }, { params: [p] }], base), name, E("twoGroups"));
    expectError(() => new CLASSES[name]!([p.mul(2)], base), name, E("nonLeaf"));
  }
  // addParamGroup with a parameter already held is PyTorch's same error
  const p = param();
  const opt = new optim.Adam([p]);
  expectError(() => opt.addParamGroup({ params: [p] }), "Adam", fx.optimizers["Adam.twoGroups"]!);
});

const sgd = (n = 1, extra: Record<string, unknown> = {}) =>
  new optim.SGD(Array.from({ length: n }, () => ({ params: [zeros([1], { requiresGrad: true })] })), { lr: 0.1, ...extra });
const withMomentum = (n = 1) => sgd(n, { momentum: 0.9 });
const S = optim.lrScheduler;

/** Scheduler case id → [the call, the class name its message starts with, a pattern where the wording differs]. */
const SCHEDULER_CASES: Record<string, [() => unknown, string, RegExp?]> = {
  "OneCycleLR.noTotal": [() => new S.OneCycleLR(withMomentum(), { maxLr: 0.1 }), "OneCycleLR"],
  "OneCycleLR.totalSteps0": [() => new S.OneCycleLR(withMomentum(), { maxLr: 0.1, totalSteps: 0 }), "OneCycleLR"],
  "OneCycleLR.epochsNegative": [() => new S.OneCycleLR(withMomentum(), { maxLr: 0.1, epochs: -1, stepsPerEpoch: 2 }), "OneCycleLR"],
  "OneCycleLR.stepsPerEpochFloat": [() => new S.OneCycleLR(withMomentum(), { maxLr: 0.1, epochs: 2, stepsPerEpoch: 1.5 }), "OneCycleLR"],
  "OneCycleLR.pctStart": [() => new S.OneCycleLR(withMomentum(), { maxLr: 0.1, totalSteps: 10, pctStart: 1.5 }), "OneCycleLR"],
  // PyTorch: "anneal_strategy must by one of 'cos' or 'linear', instead got exp" (sic)
  "OneCycleLR.annealStrategy": [() => new S.OneCycleLR(withMomentum(), { maxLr: 0.1, totalSteps: 10, annealStrategy: "exp" as never }),
    "OneCycleLR", /annealStrategy must be one of "cos" or "linear", instead got "exp"$/],
  "OneCycleLR.maxLrLength": [() => new S.OneCycleLR(withMomentum(2), { maxLr: [0.1, 0.2, 0.3], totalSteps: 10 }), "OneCycleLR"],
  "OneCycleLR.noMomentum": [() => new S.OneCycleLR(new optim.Adagrad([zeros([1], { requiresGrad: true })]), { maxLr: 0.1, totalSteps: 10 }), "OneCycleLR"],
  "OneCycleLR.stepBeyond": [() => {
    const s = new S.OneCycleLR(withMomentum(), { maxLr: 0.1, totalSteps: 3 });
    for (let i = 0; i < 4; i++) s.step();
  }, "OneCycleLR"],
  // PyTorch: "mode is invalid and scale_fn is None"
  "CyclicLR.mode": [() => new S.CyclicLR(withMomentum(), { baseLr: 0.01, maxLr: 0.1, mode: "bad" as never }), "CyclicLR",
    /mode "bad" is invalid and scaleFn is undefined$/],
  "CyclicLR.noMomentum": [() => new S.CyclicLR(new optim.Adam([zeros([1], { requiresGrad: true })]), { baseLr: 0.01, maxLr: 0.1 }), "CyclicLR"],
  "CyclicLR.baseLrLength": [() => new S.CyclicLR(withMomentum(2), { baseLr: [0.1], maxLr: 0.2 }), "CyclicLR"],
  // PyTorch: "mode up is unknown!", "threshold mode pct is unknown!", "expected 2 min_lrs, got 1"
  "ReduceLROnPlateau.mode": [() => new S.ReduceLROnPlateau(sgd(), { mode: "up" as never }), "ReduceLROnPlateau", /mode "up" is unknown/],
  "ReduceLROnPlateau.thresholdMode": [() => new S.ReduceLROnPlateau(sgd(), { thresholdMode: "pct" as never }), "ReduceLROnPlateau",
    /threshold mode "pct" is unknown/],
  "ReduceLROnPlateau.factor": [() => new S.ReduceLROnPlateau(sgd(), { factor: 1.0 }), "ReduceLROnPlateau"],
  "ReduceLROnPlateau.minLrLength": [() => new S.ReduceLROnPlateau(sgd(2), { minLr: [0.1] }), "ReduceLROnPlateau", /expected 2 values for minLr, got 1$/],
  // PyTorch: "object is not an Optimizer" (a TypeError)
  "StepLR.notOptimizer": [() => new S.StepLR({} as never, { stepSize: 3 }), "StepLR", /is not an Optimizer$/],
  "ConstantLR.factor": [() => new S.ConstantLR(sgd(), { factor: 2.0 }), "ConstantLR"],
  // PyTorch: "Starting multiplicative factor expected to be between 0 and 1." (it accepts 0, then divides by it)
  "LinearLR.startFactor": [() => new S.LinearLR(sgd(), { startFactor: 1.5 }), "LinearLR",
    /starting multiplicative factor expected to be greater than 0 and less or equal to 1, got 1.5$/],
  "LinearLR.endFactor": [() => new S.LinearLR(sgd(), { endFactor: -0.5 }), "LinearLR"],
  "CosineAnnealingWarmRestarts.t0": [() => new S.CosineAnnealingWarmRestarts(sgd(), { t0: 0 }), "CosineAnnealingWarmRestarts"],
  "CosineAnnealingWarmRestarts.tMult": [() => new S.CosineAnnealingWarmRestarts(sgd(), { t0: 2, tMult: 1.5 }), "CosineAnnealingWarmRestarts"],
  "CosineAnnealingWarmRestarts.negativeEpoch": [() => new S.CosineAnnealingWarmRestarts(sgd(), { t0: 2 }).step(-1), "CosineAnnealingWarmRestarts"],
  // PyTorch: "Expected 2 lr_lambdas, but got 1"
  "LambdaLR.length": [() => new S.LambdaLR(sgd(2), { lrLambda: [() => 1] }), "LambdaLR", /expected 2 values for lrLambda, got 1$/],
  // PyTorch: a KeyError "param 'initial_lr' is not specified in param_groups[0] when resuming an optimizer"
  "StepLR.resumeWithoutInitialLr": [() => new S.StepLR(sgd(), { stepSize: 2, lastEpoch: 3 }), "StepLR"],
  // PyTorch: "anneal_epochs must be equal or greater than 0, got -1"
  "SWALR.annealEpochs": [() => new optim.swaUtils.SWALR(sgd(), { swaLr: 0.05, annealEpochs: -1 }), "SWALR",
    /annealEpochs must be an integer equal or greater than 0, got -1$/],
  "SWALR.annealStrategy": [() => new optim.swaUtils.SWALR(sgd(), { swaLr: 0.05, annealStrategy: "exp" as never }), "SWALR",
    /annealStrategy must be one of "cos" or "linear", instead got "exp"$/],
  "SWALR.swaLrLength": [() => new optim.swaUtils.SWALR(sgd(2), { swaLr: [0.1, 0.2, 0.3] }), "SWALR"],
};

test("bad scheduler arguments raise PyTorch's errors, in camelCase", () => {
  assert.deepEqual(Object.keys(SCHEDULER_CASES).sort(), Object.keys(fx.schedulers).sort(), "every PyTorch case has a Tensile call");
  for (const [id, [fn, name, pattern]] of Object.entries(SCHEDULER_CASES)) expectError(fn, name, fx.schedulers[id]!, pattern);
});

test("tensileWording turns PyTorch's messages into Tensile's", () => {
  assert.equal(tensileWording("Invalid weight_decay value: -0.5"), "invalid weightDecay value: -0.5");
  assert.equal(tensileWording("Invalid beta parameter at index 0: 1.0"), "invalid beta parameter at index 0: 1");
  assert.equal(tensileWording("Invalid epsilon value: -1e-08"), "invalid epsilon value: -1e-8");
  assert.equal(tensileWording("Expected integer T_mult >= 1, but got 1.5"), "expected integer tMult >= 1, but got 1.5");
});

test("PyTorch's implementation switches: foreach is accepted and ignored, differentiable / capturable only when false", () => {
  const p = param();
  p.grad = zeros([2]).add(1);
  const a = new optim.SGD([p], { lr: 0.1, foreach: true, differentiable: false });
  assert.ok(!("foreach" in a.paramGroups[0]!) && !("foreach" in a.stateDict().param_groups[0]!));
  a.step();
  assert.deepEqual(Array.from(p.dataSync()), [-0.1, -0.1].map(Math.fround));
  for (const name of ["Adam", "AdamW", "Adamax", "NAdam", "RAdam", "Adagrad", "Adadelta", "RMSprop", "Rprop", "ASGD"])
    new CLASSES[name]!([param()], { foreach: false });
  new optim.Adam([param()], { foreach: null, capturable: false, differentiable: false } as never);
  new optim.SGD([{ params: [param()], foreach: true }] as never, { lr: 0.1 });
  assert.throws(() => new optim.SGD([param()], { lr: 0.1, differentiable: true }),
    /^TensileError: SGD: differentiable=true is not supported \(a step that autograd can differentiate through\)/);
  assert.throws(() => new optim.AdamW([param()], { capturable: true } as never), /^TensileError: AdamW: capturable=true is not supported/);
  assert.throws(() => new optim.Adam([param()], { foreach: "yes" as never }), /^TensileError: Adam: foreach must be a boolean or null, got "yes"$/);
  // where PyTorch 1.13 has no such keyword, it stays an unknown option (PyTorch: TypeError: unexpected keyword argument)
  assert.throws(() => new optim.LBFGS([param()], { foreach: true } as never), /^TensileError: LBFGS: unknown option "foreach"/);
  assert.throws(() => new optim.AdamW([param()], { differentiable: false } as never), /^TensileError: AdamW: unknown option "differentiable"/);
});
