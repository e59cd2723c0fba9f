// The README's network trained 3 steps by five optimizers, against PyTorch 1.13:
// fixtures/optim-text-net.json (tools/gen-optim-fixtures.py). Weights and batch come from the
// formulas recorded in the fixture, loaded with Module.loadStateDict.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { type Tensor, tensor } from "../src/core.js";
import * as nn from "../src/nn/index.js";
import * as optim from "../src/optim/index.js";

interface Case {
  name: string;
  optimizer: "SGD" | "Adam" | "AdamW" | "RMSprop";
  options: Record<string, unknown>;
  losses: number[];
  fc1WeightEvery37: number[];
  fc1WeightRowSums: number[];
  "fc1.bias": number[];
  "fc2.weight": number[];
  "fc2.bias": number[];
}
const fx = JSON.parse(readFileSync(new URL("../fixtures/optim-text-net.json", import.meta.url), "utf8")) as {
  formulas: Record<string, string>;
  cases: Case[];
};

class Net extends nn.Module {
  fc1 = new nn.Linear(784, 500);
  relu = new nn.ReLU();
  fc2 = new nn.Linear(500, 10);
  override forward(x: Tensor): Tensor {
    return this.fc2.forward(this.relu.forward(this.fc1.forward(x)));
  }
}

/** The k-th tensor of the state dict, element i: 0.05·sin(0.37·i + k) (computed in float64, stored as float32). */
function initialWeights(net: Net): Record<string, Tensor> {
  const out: Record<string, Tensor> = {};
  Object.entries(net.stateDict()).forEach(([key, p], k) => {
    const a = new Float64Array(p.numel());
    for (let i = 0; i < a.length; i++) a[i] = 0.05 * Math.sin(0.37 * i + k);
    out[key] = tensor(a, { shape: [...p.shape], dtype: "float32" });
  });
  return out;
}

function batch(): { x: Tensor; y: Tensor } {
  const x = new Float64Array(64 * 784);
  for (let n = 0; n < 64; n++)
    for (let j = 0; j < 784; j++) x[n * 784 + j] = 0.5 + 0.5 * Math.sin(0.0123 * (784 * n + j) + 0.7 * n);
  const y = Int32Array.from({ length: 64 }, (_, n) => n % 10);
  return { x: tensor(x, { shape: [64, 784], dtype: "float32" }), y: tensor(y, { shape: [64] }) };
}

const OPTIMIZERS = { SGD: optim.SGD, Adam: optim.Adam, AdamW: optim.AdamW, RMSprop: optim.RMSprop } as const;

function maxDiff(actual: ArrayLike<number>, expected: readonly number[]): { max: number; at: number } {
  assert.equal(actual.length, expected.length);
  let max = 0, at = -1;
  for (let i = 0; i < expected.length; i++) {
    const d = Math.abs(actual[i]! - expected[i]!);
    if (!(d <= max)) (max = d), (at = i);
  }
  return { max, at };
}

function assertWithin(actual: ArrayLike<number>, expected: readonly number[], atol: number, what: string) {
  const { max, at } = maxDiff(actual, expected);
  if (!(max <= atol)) assert.fail(`${what}[${at}]: got ${actual[at]}, expected ${expected[at]} (|diff| ${max} > ${atol})`);
}

/**
 * Absolute tolerances on the weights, a small fraction of each rule's update size: SGD moves a weight
 * by lr·g (median 2e-5 over the 3 steps, observed error ~1e-8); Adam/AdamW by ~lr = 1e-3 a step (observed ~5e-7); RMSprop by
 * up to 10·lr = 1e-2, and where |g| is near ε its update amplifies float32 noise in g (observed 7e-6).
 */
const TOLERANCE = {
  SGD: { atol: 1e-6, rowAtol: 2e-6 },
  Adam: { atol: 1e-5, rowAtol: 5e-5 },
  AdamW: { atol: 1e-5, rowAtol: 5e-5 },
  RMSprop: { atol: 3e-5, rowAtol: 2e-4 },
} as const;

const { x, y } = batch();

for (const c of fx.cases) {
  test(`text net, ${c.name}: 3 steps match PyTorch`, () => {
    const net = new Net();
    net.loadStateDict(initialWeights(net));
    const criterion = new nn.CrossEntropyLoss();
    const Cls = OPTIMIZERS[c.optimizer] as unknown as new (p: Iterable<Tensor>, o: Record<string, unknown>) => optim.Optimizer;
    const optimizer = new Cls(net.parameters(), c.options);
    const losses: number[] = [];
    for (let s = 0; s < 3; s++) {
      optimizer.zeroGrad();
      const loss = criterion.forward(net.forward(x), y);
      loss.backward();
      optimizer.step();
      losses.push(loss.item());
    }
    // float32 forward/backward with a different summation order than PyTorch's: the losses agree
    // to ~1e-6 relative, the weights to a few float32 ulps of the update.
    losses.forEach((l, i) => assert.ok(Math.abs(l - c.losses[i]!) <= 1e-5 * Math.abs(c.losses[i]!), `loss ${i}: got ${l}, expected ${c.losses[i]}`));
    const sd = net.stateDict();
    const w1 = sd["fc1.weight"]!.dataSync();
    const every37 = Array.from({ length: Math.ceil(w1.length / 37) }, (_, i) => w1[i * 37]!);
    const rowSums = Array.from({ length: 500 }, (_, r) => {
      let s = 0;
      for (let j = 0; j < 784; j++) s += w1[r * 784 + j]!;
      return s;
    });
    const { atol, rowAtol } = TOLERANCE[c.optimizer];
    assertWithin(every37, c.fc1WeightEvery37, atol, "fc1.weight[::37]");
    assertWithin(rowSums, c.fc1WeightRowSums, rowAtol, "fc1.weight row sums");
    assertWithin(sd["fc1.bias"]!.dataSync(), c["fc1.bias"], atol, "fc1.bias");
    assertWithin(sd["fc2.weight"]!.dataSync(), c["fc2.weight"], atol, "fc2.weight");
    assertWithin(sd["fc2.bias"]!.dataSync(), c["fc2.bias"], atol, "fc2.bias");
  });
}
