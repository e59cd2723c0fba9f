// Learning-rate schedulers (and swa_utils) over a grid of options against PyTorch 1.13:
// fixtures/optim-sched-grid.json (tools/gen-optim-grid-fixtures.py). Two param groups, ~30 steps:
// the lr (getLastLr) and momentum after each step; after 12 steps the scheduler's and optimizer's
// state dicts are compared with PyTorch's, then loaded into a fresh optimizer and scheduler (ours,
// through JSON, and PyTorch's from the fixture) that must continue the same schedule. Also
// CosineAnnealingWarmRestarts with fractional epochs, SWALR, AveragedModel and updateBn. The
// plainer cases are in test/optim-schedulers.test.ts.
import { after, test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { Tensor, getBackend, listBackends, noGrad, setBackend, tensor, zeros } from "../src/core.js";
import * as nn from "../src/nn/index.js";
import * as optim from "../src/optim/index.js";

const { lrScheduler, swaUtils } = optim;

interface Case {
  name: string;
  scheduler: string;
  optimizer: { optimizer: "SGD" | "Adam" } & Record<string, unknown>;
  options: Record<string, unknown>;
  lrs: number[][];
  momenta: unknown[][];
  mid: { scheduler: Record<string, unknown>; optimizer: optim.OptimizerStateDict };
  resumed: number[][];
  endStateDict: Record<string, unknown>;
  epochs?: number[];
  metrics?: number[];
}
interface SwaCase { name: string; ema: boolean; useBuffers: boolean; afterUpdates: Record<string, number | number[]>; afterUpdateBn: Record<string, number | number[]> }
const fx = JSON.parse(readFileSync(new URL("../fixtures/optim-sched-grid.json", import.meta.url), "utf8")) as {
  groupLrs: number[];
  saveAt: number;
  cases: Case[];
  swa: { cases: SwaCase[] };
};

const prevBackend = getBackend();
after(() => setBackend(prevBackend));

const LAMBDAS: Record<string, (e: number) => number> = {
  pow09: (e) => 0.9 ** e,
  step3: (e) => 0.5 ** Math.floor(e / 3),
  mul097: () => 0.97,
  alt: (e) => (e % 4 === 0 ? 1.1 : 0.95),
  scaleHalf: (x) => 0.5 ** x,
  scaleIter: (x) => 1 / (1 + 0.05 * x),
};

type AnyScheduler = optim.lrScheduler.LRScheduler | optim.lrScheduler.ReduceLROnPlateau;

function makeOptimizer(spec: Case["optimizer"]): optim.Optimizer {
  const { optimizer, ...extra } = spec;
  const groups = fx.groupLrs.map((lr) => ({ params: [zeros([2], { requiresGrad: true })], lr }));
  return optimizer === "SGD" ? new optim.SGD(groups, extra) : new optim.Adam(groups, extra);
}

function makeScheduler(name: string, opt: optim.Optimizer, options: Record<string, unknown>): AnyScheduler {
  if (name === "SequentialLR" || name === "ChainedScheduler") {
    const subs = (options.schedulers as [string, Record<string, unknown>][]).map(([n, o]) => makeScheduler(n, opt, o)) as optim.lrScheduler.LRScheduler[];
    if (name === "ChainedScheduler") return new lrScheduler.ChainedScheduler(subs);
    return new lrScheduler.SequentialLR(opt, { schedulers: subs, milestones: options.milestones as number[] });
  }
  const o = { ...options };
  if ("scaleFn" in o) o.scaleFn = LAMBDAS[o.scaleFn as string];
  if ("lrLambda" in o) o.lrLambda = Array.isArray(o.lrLambda) ? o.lrLambda.map((n: string) => LAMBDAS[n]) : LAMBDAS[o.lrLambda as string];
  if (name === "SWALR") return new swaUtils.SWALR(opt, o as unknown as optim.swaUtils.SWALROptions);
  const S = lrScheduler as unknown as Record<string, new (...args: unknown[]) => AnyScheduler>;
  return new S[name]!(opt, o);
}

function stepOnce(s: AnyScheduler, c: Case, t: number) {
  if (s instanceof lrScheduler.ReduceLROnPlateau) s.step(c.metrics![t]!);
  else if (c.epochs) (s as optim.lrScheduler.CosineAnnealingWarmRestarts).step(c.epochs[t]!);
  else s.step();
}

function close(a: number, e: number, what: string, tol = 1e-12) {
  if (!(Math.abs(a - e) <= 1e-15 + tol * Math.abs(e))) assert.fail(`${what}: got ${a}, expected ${e}`);
}

/** PyTorch's value `want` against ours: numbers closely, "inf" strings as ±Infinity, objects by want's keys. */
function compareState(got: unknown, want: unknown, what: string): void {
  if (want === "inf" || want === "-inf") return assert.equal(got, want === "inf" ? Infinity : -Infinity, what);
  if (typeof want === "number") {
    assert.equal(typeof got, "number", `${what}: ${String(got)}`);
    return close(got as number, want, what);
  }
  if (Array.isArray(want)) {
    assert.ok(Array.isArray(got), `${what} should be an array, got ${String(got)}`);
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

/**
 * Our scheduler state dict must carry PyTorch's keys (function-valued ones aside), and no others
 * but `anneal_strategy`, which OneCycleLR and SWALR keep in place of PyTorch's `anneal_func` (a function).
 */
function sameKeys(got: Record<string, unknown>, want: Record<string, unknown>, what: string) {
  const ours = Object.keys(got).filter((k) => k !== "verbose" && k !== "lr_lambdas" && k !== "anneal_strategy");
  assert.deepEqual(ours.sort(), Object.keys(want).sort(), `${what}: state dict keys`);
}

const momentumOf = (opt: optim.Optimizer, c: Case) => opt.paramGroups.map((g) => (c.optimizer.optimizer === "Adam" ? g.betas : (g.momentum ?? null)));
const TORCH_ONLY = new Set(["foreach", "fused", "capturable", "differentiable"]);

function checkSchedule(c: Case) {
  const opt = makeOptimizer(c.optimizer);
  const s = makeScheduler(c.scheduler, opt, c.options);
  c.lrs[0]!.forEach((lr, i) => close(opt.paramGroups[i]!.lr, lr, `${c.name}: lr of group ${i} after construction`));
  compareState(momentumOf(opt, c), c.momenta[0], `${c.name}: momentum after construction`);
  for (let t = 1; t < c.lrs.length; t++) {
    opt.step();
    stepOnce(s, c, t - 1);
    c.lrs[t]!.forEach((lr, i) => close(s.getLastLr()[i]!, lr, `${c.name}: getLastLr()[${i}] after step ${t}`));
    assert.deepEqual(s.getLastLr(), opt.paramGroups.map((g) => g.lr), `${c.name}: getLastLr() is the groups' lr`);
    compareState(momentumOf(opt, c), c.momenta[t], `${c.name}: momentum after step ${t}`);
    if (t === fx.saveAt) {
      const sd = s.stateDict();
      sameKeys(sd, c.mid.scheduler, c.name);
      compareState(sd, c.mid.scheduler, `${c.name}: scheduler state dict after ${t} steps`);
      const od = opt.stateDict();
      od.param_groups.forEach((g, i) => {
        const want = Object.fromEntries(Object.entries(c.mid.optimizer.param_groups[i]!).filter(([k]) => !TORCH_ONLY.has(k)));
        assert.deepEqual(Object.keys(g).sort(), Object.keys(want).sort(), `${c.name}: optimizer group ${i} keys`);
        compareState(g, want, `${c.name}: optimizer group ${i}`);
      });
    }
  }
  compareState(s.stateDict(), c.endStateDict, `${c.name}: state dict at the end`);
}

for (const backend of listBackends()) {
  test(`[${backend}] every scheduler over its option grid gives PyTorch's lrs, momenta and state dicts`, () => {
    setBackend(backend);
    const failures: string[] = [];
    for (const c of fx.cases) {
      try {
        checkSchedule(c);
      } catch (e) {
        failures.push((e as Error).message.split("\n")[0]!);
      }
    }
    assert.deepEqual(failures, []);
  });

  test(`[${backend}] a fresh optimizer and scheduler loading the state dicts mid-run continue the schedule`, () => {
    setBackend(backend);
    for (const c of fx.cases) {
      const opt = makeOptimizer(c.optimizer);
      const s = makeScheduler(c.scheduler, opt, c.options);
      for (let t = 0; t < fx.saveAt; t++) {
        opt.step();
        stepOnce(s, c, t);
      }
      const ours = JSON.parse(JSON.stringify({ opt: opt.stateDict(), sched: s.stateDict() }));
      for (const [from, saved] of [["ours", ours], ["PyTorch's", { opt: c.mid.optimizer, sched: c.mid.scheduler }]] as const) {
        const opt2 = makeOptimizer(c.optimizer);
        const s2 = makeScheduler(c.scheduler, opt2, c.options);
        opt2.loadStateDict(structuredClone(saved.opt));
        s2.loadStateDict(structuredClone(saved.sched));
        for (let t = fx.saveAt; t < c.lrs.length - 1; t++) {
          opt2.step();
          stepOnce(s2, c, t);
          c.resumed[t - fx.saveAt]!.forEach((lr, i) => close(opt2.paramGroups[i]!.lr, lr, `${c.name} resumed from ${from} state dicts: lr of group ${i} after step ${t + 1}`));
        }
      }
    }
  });

  test(`[${backend}] AveragedModel (mean, EMA, useBuffers) and updateBn give PyTorch's averaged state dict`, () => {
    setBackend(backend);
    const modelAt = (k: number) => {
      const m = new nn.Sequential(new nn.Linear(3, 2), new nn.BatchNorm1d(2));
      noGrad(() => {
        m.parameters().forEach((p, j) => {
          const v = Array.from({ length: p.numel() }, (_, i) => Math.fround(0.3 * Math.sin(1.3 * i + j + 0.8 * k)));
          p.copy_(tensor(v).reshape([...p.shape]));
        });
        const bn = m.at(1) as nn.BatchNorm1d;
        bn.runningMean!.copy_(tensor([0.1 * k, -0.2 * k]));
        bn.runningVar!.copy_(tensor([1 + 0.5 * k, 2 - 0.1 * k]));
        bn.numBatchesTracked!.fill_(k);
      });
      return m;
    };
    const batches = [0, 1, 2].map((b) => tensor(Array.from({ length: 4 }, (_, i) => [0, 1, 2].map((j) => Math.cos(0.7 * i + 1.1 * j + b)))));
    for (const c of fx.swa.cases) {
      const avgFn = c.ema ? (a: Tensor, p: Tensor) => a.mul(0.75).add(p.mul(0.25)) : null;
      const swa = new swaUtils.AveragedModel(modelAt(0), { avgFn, useBuffers: c.useBuffers });
      for (let k = 1; k <= 4; k++) swa.updateParameters(modelAt(k));
      const check = (want: Record<string, number | number[]>, what: string) => {
        const sd = swa.stateDict();
        assert.deepEqual(Object.keys(sd).sort(), Object.keys(want).sort(), `${c.name}: ${what} keys`);
        for (const [k, v] of Object.entries(want)) {
          const got = Array.from(sd[k]!.dataSync());
          const exp = Array.isArray(v) ? v : [v];
          got.forEach((x, i) => close(x, exp[i]!, `${c.name}: ${what} ${k}[${i}]`, 2e-5));
        }
      };
      check(c.afterUpdates, "after updateParameters");
      swaUtils.updateBn(batches.map((x) => [x, null]), swa);
      check(c.afterUpdateBn, "after updateBn");
    }
  });
}
