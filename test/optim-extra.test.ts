// RAdam, Rprop and ASGD bookkeeping: defaults (PyTorch 1.13's), bad options in PyTorch's words,
// state-dict layout and round trips. Their update rules are checked against PyTorch in
// test/optim-trajectories.test.ts; LBFGS in test/optim-lbfgs.test.ts.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { Tensor, TensileError, tensor } from "../src/core.js";
import * as optim from "../src/optim/index.js";

type Ctor = new (params: Iterable<Tensor> | Iterable<Record<string, unknown>>, options?: Record<string, unknown>) => optim.Optimizer;
const NEW: Record<string, Ctor> = {
  RAdam: optim.RAdam as unknown as Ctor, Rprop: optim.Rprop as unknown as Ctor, ASGD: optim.ASGD as unknown as Ctor,
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

test("defaults are PyTorch 1.13's (param_groups of torch.optim.X([p]).state_dict(), torch-only keys dropped)", () => {
  const groups = (Cls: Ctor) => {
    const g = new Cls([param()]).stateDict().param_groups[0]!;
    return g;
  };
  // Printed by /usr/bin/python3 (torch 1.13): torch.optim.RAdam([p]).state_dict()["param_groups"] etc.
  assert.deepEqual(groups(NEW.RAdam!), { lr: 0.001, betas: [0.9, 0.999], eps: 1e-8, weight_decay: 0, params: [0] });
  assert.deepEqual(groups(NEW.Rprop!), { lr: 0.01, etas: [0.5, 1.2], step_sizes: [1e-6, 50], maximize: false, params: [0] });
  assert.deepEqual(groups(NEW.ASGD!), { lr: 0.01, lambd: 0.0001, alpha: 0.75, t0: 1000000, weight_decay: 0, maximize: false, params: [0] });
});

test("bad options throw PyTorch's messages, naming the optimizer", () => {
  for (const name of Object.keys(NEW)) {
    const Cls = NEW[name]!;
    throwsTensile(() => new Cls([param()], { lr: -0.1 }), `${name}: invalid learning rate: -0.1`);
    throwsTensile(() => new Cls([param()], { lr: NaN }), `${name}: invalid learning rate: NaN`);
    throwsTensile(() => new Cls([param()], { lr: 0.1, weight_decay: 0.1 }), new RegExp(`^${name}: unknown option "weight_decay" \\(Tensile's options are camelCase: "weightDecay"\\)`));
    throwsTensile(() => new Cls([param()], { lr: 0.1, weightDecy: 0.1 }), new RegExp(`^${name}: unknown option "weightDecy" \\(expected one of: lr, `));
    throwsTensile(() => new Cls([{ params: [param()], lr: -1 }], { lr: 0.1 }), `${name}: invalid learning rate: -1`);
    throwsTensile(() => new Cls([{ params: [param()], lrr: 1 }], { lr: 0.1 }), new RegExp(`^${name}: unknown option "lrr" in param group 0`));
    throwsTensile(() => new Cls(param() as never), new RegExp(`^${name}: params argument given to the optimizer should be an iterable of Tensors or param groups, but got a Tensor$`));
  }
  throwsTensile(() => new optim.RAdam([param()], { betas: [1.0, 0.999] }), "RAdam: invalid beta parameter at index 0: 1");
  throwsTensile(() => new optim.RAdam([param()], { eps: -1 }), "RAdam: invalid epsilon value: -1");
  throwsTensile(() => new optim.RAdam([param()], { weightDecay: -1 }), "RAdam: invalid weightDecay value: -1");
  throwsTensile(() => new optim.Rprop([param()], { etas: [1.5, 1.2] }), "Rprop: invalid eta values: 1.5, 1.2");
  throwsTensile(() => new optim.Rprop([param()], { etas: [0.5, 0.9] }), "Rprop: invalid eta values: 0.5, 0.9");
  throwsTensile(() => new optim.Rprop([param()], { etas: [0.5] as never }), "Rprop: etas must be a pair of numbers, got [0.5]");
  throwsTensile(() => new optim.Rprop([param()], { stepSizes: 3 as never }), "Rprop: stepSizes must be a pair of numbers, got 3");
  throwsTensile(() => new optim.ASGD([param()], { weightDecay: -1 }), "ASGD: invalid weightDecay value: -1");
  throwsTensile(() => new optim.ASGD([param()], { lambd: "x" as never }), `ASGD: invalid lambd value: "x"`);
});

function train(opt: optim.Optimizer, params: Tensor[], steps: number) {
  for (let s = 0; s < steps; s++) {
    opt.zeroGrad();
    params[0]!.mul(params[1]!.sum()).pow(2).sum().add(params[1]!.sin().sum()).backward();
    opt.step();
  }
}

test("stateDict / loadStateDict round-trip: a restored optimizer continues the same trajectory", () => {
  const configs: [string, Record<string, unknown>][] = [
    ["RAdam", { lr: 0.05, weightDecay: 0.01 }], ["Rprop", { lr: 0.02, maximize: true }], ["ASGD", { lr: 0.05, t0: 2 }],
  ];
  for (const [name, options] of configs) {
    const make = () => [param([0.5, -0.3, 0.2]), param([0.1, 0.4])];
    const straight = make();
    const optA = new NEW[name]!([{ params: [straight[0]!] }, { params: [straight[1]!], lr: 0.01 }], options);
    train(optA, straight, 10);

    const first = make();
    const optB = new NEW[name]!([{ params: [first[0]!] }, { params: [first[1]!], lr: 0.01 }], options);
    train(optB, first, 4);
    const sd = optB.stateDict();
    const resumed = first.map((p) => tensor(Array.from(p.dataSync()), { dtype: "float32", requiresGrad: true }));
    const optC = new NEW[name]!([{ params: [resumed[0]!] }, { params: [resumed[1]!], lr: 0.5 }], options);
    optC.loadStateDict(sd);
    assert.equal(optC.paramGroups[1]!.lr, 0.01, `${name}: group options come from the state dict`);
    train(optB, first, 1); // the loaded state is a copy
    train(optC, resumed, 6);
    assert.deepEqual(Array.from(resumed[0]!.dataSync()), Array.from(straight[0]!.dataSync()), `${name}: param 0`);
    assert.deepEqual(Array.from(resumed[1]!.dataSync()), Array.from(straight[1]!.dataSync()), `${name}: param 1`);
  }
});

test("loadStateDict accepts PyTorch's state dicts of RAdam, Rprop and ASGD (as JSON)", () => {
  const fx = JSON.parse(readFileSync(new URL("../fixtures/optim-trajectories.json", import.meta.url), "utf8"));
  for (const name of ["radam-options", "rprop-options", "asgd-averaging"]) {
    const c = fx.cases.find((x: { name: string; dtype: string }) => x.name === name && x.dtype === "float64");
    const W = tensor(Float64Array.from(c.W[9]), { shape: [3, 4], dtype: "float64", requiresGrad: true });
    const b = tensor(Float64Array.from(c.b[9]), { shape: [3], dtype: "float64", requiresGrad: true });
    const opt = new NEW[c.optimizer]!([W, b]);
    opt.loadStateDict(c.stateDict);
    const sd = opt.stateDict();
    for (const [k, v] of Object.entries(c.stateDict.param_groups[0] as Record<string, unknown>)) {
      if (["foreach", "capturable", "differentiable", "fused"].includes(k)) continue;
      assert.deepEqual(sd.param_groups[0]![k], v, `${name}: group key ${k}`);
    }
    for (const [id, s] of Object.entries(c.stateDict.state as Record<string, Record<string, unknown>>)) {
      for (const [k, v] of Object.entries(s)) {
        const got = sd.state[id]![k];
        if (Array.isArray(v)) assert.deepEqual(Array.from((got as Tensor).dataSync()), v, `${name}: state ${id}.${k}`);
        else assert.equal(got, v, `${name}: state ${id}.${k}`);
      }
    }
  }
});

test("Rprop: step sizes grow while the gradient's sign holds, shrink and skip when it flips (clamped)", () => {
  // Exact identities of the rule: sign(g·g') > 0 → Δ·η+, < 0 → Δ·η− and no move, = 0 → Δ.
  const p = tensor([0, 0, 0], { dtype: "float64", requiresGrad: true });
  const opt = new optim.Rprop([p], { lr: 0.1, etas: [0.5, 2], stepSizes: [0.04, 0.3] });
  p.grad = tensor([1, 1, 0], { dtype: "float64" });
  opt.step(); // prev = 0: Δ unchanged, p -= sign(g)·Δ
  assert.deepEqual(Array.from(p.dataSync()), [-0.1, -0.1, 0]);
  p.grad = tensor([1, -1, 1], { dtype: "float64" });
  opt.step(); // Δ = [0.2, 0.05, 0.1]; the flipped element does not move
  assert.deepEqual(Array.from(p.dataSync()), [-0.1 - 0.2, -0.1, -0.1]);
  assert.deepEqual(Array.from((opt.state.get(p)!.stepSize as Tensor).dataSync()), [0.2, 0.05, 0.1]);
  assert.deepEqual(Array.from((opt.state.get(p)!.prev as Tensor).dataSync()), [1, 0, 1]);
  p.grad = tensor([1, -1, 1], { dtype: "float64" });
  opt.step(); // Δ = [min(0.4, 0.3), 0.05 (prev 0), 0.2]
  assert.deepEqual(Array.from((opt.state.get(p)!.stepSize as Tensor).dataSync()), [0.3, 0.05, 0.2]);
  assert.equal(opt.state.get(p)!.step, 3);
});
