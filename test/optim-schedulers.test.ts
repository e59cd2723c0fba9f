// Learning-rate schedulers against PyTorch 1.13: fixtures/optim-schedulers.json
// (tools/gen-optim-fixtures.py): the lr of every group after construction and each step, the
// momentum OneCycleLR cycles, and the scheduler's state dict at the end.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { TensileError, zeros } from "../src/core.js";
import * as optim from "../src/optim/index.js";

const { lrScheduler } = optim;

interface Case {
  name: string;
  scheduler: string;
  optimizer: { optimizer: "SGD" | "Adam" | "Adagrad"; lrs: number[] } & Record<string, unknown>;
  options: Record<string, unknown>;
  lrs: number[][];
  momenta?: unknown[][];
  metrics?: number[];
  stateDict: Record<string, unknown>;
}
const fx = JSON.parse(readFileSync(new URL("../fixtures/optim-schedulers.json", import.meta.url), "utf8")) as { cases: Case[] };

const LAMBDAS: Record<string, (e: number) => number> = {
  pow095: (e) => 0.95 ** e,
  inverse: (e) => 1 / (1 + 0.1 * e),
  const09: () => 0.9,
  halfPow: (x) => 0.5 ** x,
};

function makeOptimizer(spec: Case["optimizer"]): optim.Optimizer {
  const { optimizer, lrs, ...extra } = spec;
  const groups = lrs.map((lr) => ({ params: [zeros([2], { requiresGrad: true })], lr }));
  if (optimizer === "SGD") return new optim.SGD(groups, extra);
  if (optimizer === "Adam") return new optim.Adam(groups, extra);
  return new optim.Adagrad(groups, extra);
}

type AnyScheduler = optim.lrScheduler.LRScheduler | optim.lrScheduler.ReduceLROnPlateau;

function makeScheduler(name: string, opt: optim.Optimizer, options: Record<string, unknown>): AnyScheduler {
  const S = lrScheduler as unknown as Record<string, new (...args: unknown[]) => AnyScheduler>;
  if (name === "SequentialLR" || name === "ChainedScheduler") {
    const subs = (options.schedulers as [string, Record<string, unknown>][]).map(([n, o]) => makeScheduler(n, opt, o));
    if (name === "ChainedScheduler") return new lrScheduler.ChainedScheduler(subs as optim.lrScheduler.LRScheduler[]);
    return new lrScheduler.SequentialLR(opt, { schedulers: subs as optim.lrScheduler.LRScheduler[], milestones: options.milestones as number[] });
  }
  const o = { ...options };
  if ("scaleFn" in o) o.scaleFn = LAMBDAS[o.scaleFn as string];
  if ("lrLambda" in o) o.lrLambda = Array.isArray(o.lrLambda) ? o.lrLambda.map((n: string) => LAMBDAS[n]) : LAMBDAS[o.lrLambda as string];
  return new S[name]!(opt, o);
}

function close(a: number, e: number, what: string) {
  if (!(Math.abs(a - e) <= 1e-15 + 1e-12 * Math.abs(e))) assert.fail(`${what}: got ${a}, expected ${e}`);
}

/** Compares two state values: numbers closely, "inf" strings as Infinity, the rest structurally. */
function compareState(got: unknown, want: unknown, what: string): void {
  if (want === "inf" || want === "-inf") return assert.equal(got, want === "inf" ? Infinity : -Infinity, what);
  if (typeof want === "number") {
    assert.equal(typeof got, "number", `${what}: ${String(got)}`);
    return close(got as number, want, what);
  }
  if (Array.isArray(want)) {
    assert.ok(Array.isArray(got), `${what} should be an array`);
    assert.equal(got.length, want.length, `${what}: length`);
    return want.forEach((w, i) => compareState(got[i], w, `${what}[${i}]`));
  }
  if (want !== null && typeof want === "object") {
    assert.ok(got !== null && typeof got === "object", `${what} should be an object`);
    for (const [k, w] of Object.entries(want)) {
      assert.ok(k in (got as object), `${what} lacks "${k}" (has ${Object.keys(got as object).join(", ")})`);
      compareState((got as Record<string, unknown>)[k], w, `${what}.${k}`);
    }
    return;
  }
  assert.deepEqual(got, want, what);
}

for (const c of fx.cases) {
  test(`${c.name}: ${c.scheduler} gives PyTorch's learning rates`, () => {
    const opt = makeOptimizer(c.optimizer);
    const s = makeScheduler(c.scheduler, opt, c.options);
    const momentumOf = () => opt.paramGroups.map((g) => (c.optimizer.optimizer === "Adam" ? g.betas : (g.momentum ?? null)));
    c.lrs[0]!.forEach((lr, i) => close(opt.paramGroups[i]!.lr, lr, `lr of group ${i} after construction`));
    if (c.momenta) compareState(momentumOf(), c.momenta[0], "momentum after construction");
    for (let t = 1; t < c.lrs.length; t++) {
      opt.step();
      if (s instanceof lrScheduler.ReduceLROnPlateau) s.step(c.metrics![t - 1]!);
      else s.step();
      c.lrs[t]!.forEach((lr, i) => close(opt.paramGroups[i]!.lr, lr, `lr of group ${i} after step ${t}`));
      assert.deepEqual(s.getLastLr(), opt.paramGroups.map((g) => g.lr));
      if (c.momenta) compareState(momentumOf(), c.momenta[t], `momentum after step ${t}`);
    }
    compareState(s.stateDict(), c.stateDict, "stateDict");
  });
}

test("a scheduler restored from its state dict continues the same schedule", () => {
  for (const name of ["sequential-warmup-cosine", "warm-restarts-tmult2", "onecycle-cos", "cyclic-triangular2", "plateau", "multistep", "chained"]) {
    const c = fx.cases.find((x) => x.name === name)!;
    const optA = makeOptimizer(c.optimizer), a = makeScheduler(c.scheduler, optA, c.options);
    const stepA = (t: number) => (a instanceof lrScheduler.ReduceLROnPlateau ? a.step(c.metrics![t]!) : a.step());
    for (let t = 0; t < 12; t++) stepA(t);
    const saved = JSON.parse(JSON.stringify({ opt: optA.stateDict(), sched: a.stateDict() }));
    const optB = makeOptimizer(c.optimizer), b = makeScheduler(c.scheduler, optB, c.options);
    optB.loadStateDict(saved.opt);
    b.loadStateDict(saved.sched);
    for (let t = 12; t < 25; t++) {
      stepA(t);
      if (b instanceof lrScheduler.ReduceLROnPlateau) b.step(c.metrics![t]!);
      else b.step();
      assert.deepEqual(optB.paramGroups.map((g) => g.lr), optA.paramGroups.map((g) => g.lr), `${name} after step ${t + 1}`);
    }
  }
});

test("scheduler errors name the scheduler and the value", () => {
  const opt = new optim.SGD([zeros([1], { requiresGrad: true })], { lr: 0.1, momentum: 0.9 });
  const S = lrScheduler;
  const cases: [() => unknown, RegExp][] = [
    [() => new S.StepLR(opt, { stepSize: 0 }), /^StepLR: expected positive integer stepSize, but got 0$/],
    [() => new S.StepLR(opt, { stepSize: 3, step_size: 3 } as never), /^StepLR: unknown option "step_size"/],
    [() => new S.StepLR({} as never, { stepSize: 3 }), /^StepLR: .* is not an Optimizer$/],
    [() => new S.CosineAnnealingWarmRestarts(opt, { t0: 5, tMult: 1.5 }), /expected integer tMult >= 1, but got 1.5/],
    [() => new S.ConstantLR(opt, { factor: 2 }), /^ConstantLR: constant multiplicative factor expected to be between 0 and 1/],
    [() => new S.LambdaLR(opt, { lrLambda: [(e: number) => e, (e: number) => e] }), /^LambdaLR: expected 1 values for lrLambda, got 2$/],
    [() => new S.LambdaLR(opt, [(e: number) => e, (e: number) => e]), /^LambdaLR: expected 1 values for lrLambda, got 2$/],
    [() => new S.MultiplicativeLR(opt, 0.5 as never), /^MultiplicativeLR: options must be an object, got 0.5/],
    [() => new S.OneCycleLR(opt, { maxLr: 0.1 }), /you must define either totalSteps OR \(epochs AND stepsPerEpoch\)/],
    [() => new S.OneCycleLR(opt, { maxLr: 0.1, totalSteps: 10, annealStrategy: "exp" as never }), /annealStrategy must be one of "cos" or "linear"/],
    [() => new S.ReduceLROnPlateau(opt, { factor: 1 }), /^ReduceLROnPlateau: factor should be < 1.0, got 1$/],
    [() => new S.ReduceLROnPlateau(opt, { mode: "up" as never }), /^ReduceLROnPlateau: mode "up" is unknown/],
    [() => new S.ReduceLROnPlateau(opt, { minLr: [0, 0] }), /^ReduceLROnPlateau: expected 1 values for minLr, got 2$/],
    [() => new S.StepLR(new optim.SGD([zeros([1], { requiresGrad: true })], { lr: 1 }), { stepSize: 2, lastEpoch: 4 }),
      /^StepLR: param 'initialLr' is not specified in paramGroups\[0\] when resuming an optimizer$/],
    [() => new S.SequentialLR(opt, { schedulers: [new S.ExponentialLR(opt, { gamma: 0.9 })], milestones: [3] }),
      /^SequentialLR: expects number of schedulers provided to be one more than the number of milestone points/],
  ];
  for (const [fn, re] of cases) assert.throws(fn, (e: unknown) => e instanceof TensileError && re.test(e.message), String(re));

  const other = new optim.SGD([zeros([1], { requiresGrad: true })], { lr: 1 });
  assert.throws(
    () => new S.SequentialLR(opt, { schedulers: [new S.ExponentialLR(other, { gamma: 0.9 }), new S.ExponentialLR(opt, { gamma: 0.9 })], milestones: [2] }),
    /SequentialLR: expects all schedulers to belong to the same optimizer/,
  );
  const oc = new S.OneCycleLR(opt, { maxLr: 0.1, totalSteps: 3 });
  for (let i = 0; i < 3; i++) oc.step();
  assert.throws(() => oc.step(), /^TensileError: OneCycleLR: tried to step 5 times. The specified number of total steps is 3$/);
  const adagrad = new optim.Adagrad([zeros([1], { requiresGrad: true })]);
  assert.throws(() => new S.OneCycleLR(adagrad, { maxLr: 0.1, totalSteps: 3 }), /optimizer must support momentum with `cycleMomentum` option enabled/);
});

test("resuming with lastEpoch continues from the closed form (groups need initialLr)", () => {
  const opt = new optim.SGD([zeros([1], { requiresGrad: true })], { lr: 0.05 });
  opt.paramGroups[0]!.initialLr = 0.1;
  const s = new lrScheduler.CosineAnnealingLR(opt, { tMax: 10, etaMin: 0.01, lastEpoch: 5 });
  const closed = (t: number) => 0.01 + ((0.1 - 0.01) * (1 + Math.cos((Math.PI * t) / 10))) / 2;
  close(opt.paramGroups[0]!.lr, closed(6), "lr after resuming at epoch 5");
  s.step();
  close(opt.paramGroups[0]!.lr, closed(7), "lr one step later");
  assert.equal(s.lastEpoch, 7);
});

test("ReduceLROnPlateau's state survives JSON, where Infinity becomes null", () => {
  const opt = new optim.SGD([zeros([1], { requiresGrad: true })], { lr: 1 });
  const a = new lrScheduler.ReduceLROnPlateau(opt, { mode: "max", patience: 0 });
  const b = new lrScheduler.ReduceLROnPlateau(opt, { mode: "max", patience: 0 });
  b.loadStateDict(JSON.parse(JSON.stringify(a.stateDict())));
  assert.equal(b.best, -Infinity);
  b.step(0.5);
  assert.equal(b.best, 0.5);
  assert.deepEqual(b.getLastLr(), [1]);
});

test("ReduceLROnPlateau accepts a one-element tensor as the metric", () => {
  const opt = new optim.SGD([zeros([1], { requiresGrad: true })], { lr: 1 });
  const s = new lrScheduler.ReduceLROnPlateau(opt, { patience: 0 });
  s.step(zeros([]).add(1));
  s.step(zeros([1]).add(2));
  assert.deepEqual(s.getLastLr(), [0.1]);
});

test("LambdaLR and MultiplicativeLR take the function positionally, as PyTorch's lr_lambda", () => {
  const make = () => new optim.SGD([zeros([1], { requiresGrad: true })], { lr: 0.1 });
  const a = make(), b = make();
  const sa = new lrScheduler.LambdaLR(a, (e) => 0.5 ** e), sb = new lrScheduler.LambdaLR(b, { lrLambda: (e) => 0.5 ** e });
  for (let i = 0; i < 3; i++) {
    sa.step();
    sb.step();
  }
  assert.equal(a.paramGroups[0]!.lr, 0.1 * 0.5 ** 3);
  assert.equal(b.paramGroups[0]!.lr, a.paramGroups[0]!.lr);
  const c = make();
  const sc = new lrScheduler.MultiplicativeLR(c, [() => 0.9]);
  sc.step();
  sc.step();
  assert.ok(Math.abs(c.paramGroups[0]!.lr - 0.1 * 0.81) < 1e-12);
});
