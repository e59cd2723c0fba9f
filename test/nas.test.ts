/**
 * The search machinery of examples/architecture-search.ts (examples/nas.ts): seeded sampling from a
 * declared space, models built from configurations (layers and parameter counts checked by hand),
 * successive halving against synthetic scores whose survivors are known, and bad spaces.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { Generator, manualSeed, nn, noGrad, optim, randn } from "../src/index.js";
import {
  type ArchConfig, type CnnConfig, type MlpConfig, type SearchSpace,
  buildModel, countParameters, describeConfig, makeOptimizer, parameterCount, rungSizes, sampleConfig, sampleConfigs,
  successiveHalving, validateSpace,
} from "../examples/nas.js";
import { assertThrowsTensile } from "./nn-helpers.js";

const space: SearchSpace = {
  inputShape: [1, 28, 28],
  numClasses: 10,
  families: ["mlp", "cnn"],
  depths: [1, 2, 3],
  widths: [32, 64, 128],
  activations: ["relu", "gelu", "tanh"],
  dropouts: [0, 0.2],
  optimizers: [{ name: "sgd", lr: [0.01, 0.1] }, { name: "adam", lr: [1e-4, 1e-2] }],
  convLayers: [1, 2],
  channels: [4, 8],
  kernelSizes: [3, 5],
};

test("sampling is reproducible under a seed and differs across seeds", () => {
  const a = sampleConfigs(space, 40, 7), b = sampleConfigs(space, 40, 7), c = sampleConfigs(space, 40, 8);
  assert.deepEqual(a, b);
  assert.notDeepEqual(a, c);
  // A seed and a Generator seeded the same way draw the same configurations; one generator continues its stream.
  assert.deepEqual(sampleConfigs(space, 40, new Generator(7)), a);
  const g = new Generator(7);
  assert.deepEqual([sampleConfig(space, g), sampleConfig(space, g)], a.slice(0, 2));
});

test("sampling covers every choice of the space, and draws learning rates log-uniformly in range", () => {
  const configs = sampleConfigs(space, 600, 1);
  const seen = (f: (c: ArchConfig) => unknown[]) => new Set(configs.flatMap(f));
  const mlps = configs.filter((c): c is MlpConfig => c.family === "mlp");
  const cnns = configs.filter((c): c is CnnConfig => c.family === "cnn");
  assert.deepEqual([...seen((c) => [c.family])].sort(), ["cnn", "mlp"]);
  assert.deepEqual(new Set(mlps.map((c) => c.hidden.length)), new Set(space.depths));
  assert.deepEqual(new Set(mlps.flatMap((c) => c.hidden)), new Set(space.widths));
  assert.deepEqual(new Set(cnns.map((c) => c.channels.length)), new Set(space.convLayers));
  assert.deepEqual(new Set(cnns.flatMap((c) => c.channels)), new Set(space.channels));
  assert.deepEqual(new Set(cnns.map((c) => c.kernelSize)), new Set(space.kernelSizes));
  assert.deepEqual(seen((c) => [c.activation]), new Set(space.activations));
  assert.deepEqual(seen((c) => [c.dropout]), new Set(space.dropouts));
  assert.deepEqual(seen((c) => [c.optimizer]), new Set(["sgd", "adam"]));
  // Each family is drawn about half the time, and each width about a third of the time.
  assert.ok(Math.abs(mlps.length / configs.length - 0.5) < 0.08, `mlp share ${mlps.length}/${configs.length}`);
  const widths = mlps.flatMap((c) => c.hidden);
  for (const w of space.widths) assert.ok(Math.abs(widths.filter((x) => x === w).length / widths.length - 1 / 3) < 0.08, `width ${w}`);
  for (const o of space.optimizers) {
    const lrs = configs.filter((c) => c.optimizer === o.name).map((c) => c.lr);
    const [lo, hi] = o.lr;
    assert.ok(lrs.every((lr) => lr >= lo && lr <= hi), `${o.name} lr outside [${lo}, ${hi}]`);
    // Log-uniform: about half below the geometric mean, and both decades of adam's range are hit.
    const below = lrs.filter((lr) => lr < Math.sqrt(lo * hi)).length / lrs.length;
    assert.ok(Math.abs(below - 0.5) < 0.1, `${o.name}: ${below} of the rates below the geometric mean`);
  }
  const adam = configs.filter((c) => c.optimizer === "adam").map((c) => c.lr);
  assert.ok(adam.some((lr) => lr < 1e-3) && adam.some((lr) => lr > 1e-3));
  // An MLP-only space (the default family) never draws a CNN.
  const mlpOnly: SearchSpace = { ...space, families: undefined, convLayers: undefined, channels: undefined, kernelSizes: undefined };
  assert.ok(sampleConfigs(mlpOnly, 100, 3).every((c) => c.family === "mlp"));
});

const mlp: MlpConfig = { family: "mlp", hidden: [64, 32], activation: "gelu", dropout: 0.2, optimizer: "adam", lr: 1e-3 };
const cnn: CnnConfig = { family: "cnn", channels: [8, 16], kernelSize: 3, activation: "relu", dropout: 0.25, optimizer: "sgd", lr: 0.05 };

test("an MLP configuration builds Linear → activation → Dropout per hidden layer, then the classifier", () => {
  manualSeed(0);
  const m = buildModel(mlp, space);
  const kinds = [nn.Linear, nn.GELU, nn.Dropout, nn.Linear, nn.GELU, nn.Dropout, nn.Linear];
  assert.equal(m.length, kinds.length);
  kinds.forEach((k, i) => assert.ok(m.at(i) instanceof k, `layer ${i} is ${m.at(i).constructor.name}, expected ${k.name}`));
  const linears = [0, 3, 6].map((i) => m.at(i) as nn.Linear);
  assert.deepEqual(linears.map((l) => [l.inFeatures, l.outFeatures]), [[784, 64], [64, 32], [32, 10]]);
  assert.equal((m.at(2) as nn.Dropout).p, 0.2);
  // 784·64 + 64 + 64·32 + 32 + 32·10 + 10
  assert.equal(countParameters(m), 52650);
  assert.equal(parameterCount(mlp, space), 52650);
  assert.deepEqual(noGrad(() => m.forward(randn([5, 784]))).shape, [5, 10]);

  // No dropout: no Dropout layers; tanh; no hidden layer at all is logistic regression.
  const plain = buildModel({ ...mlp, hidden: [500], activation: "tanh", dropout: 0 }, space);
  assert.deepEqual(plain.children().map((c) => c.constructor.name), ["Linear", "Tanh", "Linear"]);
  assert.equal(countParameters(plain), 397510); // the text's 784-500-10
  const logistic = buildModel({ ...mlp, hidden: [] }, space);
  assert.deepEqual(logistic.children().map((c) => c.constructor.name), ["Linear"]);
  assert.equal(countParameters(logistic), 7850);
  assert.equal(describeConfig(mlp, space), "mlp 784-64-32-10 gelu drop0.2 adam lr1.0e-3");
});

test("a CNN configuration builds conv → activation → pool blocks, Flatten, Dropout, Linear", () => {
  manualSeed(0);
  const m = buildModel(cnn, space);
  assert.deepEqual(m.children().map((c) => c.constructor.name),
    ["Unflatten", "Conv2d", "ReLU", "MaxPool2d", "Conv2d", "ReLU", "MaxPool2d", "Flatten", "Dropout", "Linear"]);
  const [c1, c2] = [m.at(1) as nn.Conv2d, m.at(4) as nn.Conv2d];
  assert.deepEqual([c1.inChannels, c1.outChannels, c1.kernelSize, c1.padding], [1, 8, [3, 3], [1, 1]]);
  assert.deepEqual([c2.inChannels, c2.outChannels], [8, 16]);
  const head = m.at(-1) as nn.Linear;
  assert.deepEqual([head.inFeatures, head.outFeatures], [16 * 7 * 7, 10]);
  // conv1 1·8·3·3 + 8 = 80, conv2 8·16·3·3 + 16 = 1168, head 784·10 + 10 = 7850
  assert.equal(countParameters(m), 9098);
  assert.equal(parameterCount(cnn, space), 9098);
  assert.deepEqual(noGrad(() => m.forward(randn([2, 784]))).shape, [2, 10]);
  assert.equal(describeConfig(cnn, space), "cnn c8-c16 k3 relu drop0.25 sgd lr5.0e-2");

  // Another input shape and kernel: [3, 8, 8], one block of 4 channels, k = 5 (padding 2), 3 classes.
  const small = { inputShape: [3, 8, 8] as const, numClasses: 3 };
  const k5: CnnConfig = { ...cnn, channels: [4], kernelSize: 5, dropout: 0 };
  const s = buildModel(k5, small);
  assert.deepEqual((s.at(1) as nn.Conv2d).padding, [2, 2]);
  assert.ok(!s.children().some((c) => c instanceof nn.Dropout));
  // conv 3·4·5·5 + 4 = 304, head 4·4·4·3 + 3 = 195
  assert.equal(countParameters(s), 499);
  assert.equal(parameterCount(k5, small), 499);
  assert.deepEqual(noGrad(() => s.forward(randn([2, 192]))).shape, [2, 3]);
});

test("the parameter formula matches the built model for sampled configurations; optimizers follow the configuration", () => {
  manualSeed(0);
  for (const c of sampleConfigs(space, 30, 11)) {
    const m = buildModel(c, space);
    assert.equal(countParameters(m), parameterCount(c, space), describeConfig(c, space));
    const o = makeOptimizer(c, m.parameters());
    assert.ok(o instanceof (c.optimizer === "sgd" ? optim.SGD : optim.Adam));
    assert.equal(o.paramGroups[0]!.lr, c.lr);
  }
  const sgd = makeOptimizer(cnn, buildModel(cnn, space).parameters());
  assert.equal(sgd.paramGroups[0]!.momentum, 0.9);
  assert.ok(makeOptimizer({ ...mlp, optimizer: "adamw" }, buildModel(mlp, space).parameters()) instanceof optim.AdamW);
});

// Successive halving on synthetic scores. Config i has score a + b·budget: with a large `b` a
// configuration is a slow starter that overtakes at larger budgets, so the ranking changes between
// rungs and each rung must rank by its own budget.
interface Synth { name: string; a: number; b: number }
const synth: Synth[] = Array.from({ length: 27 }, (_, i) => ({ name: `c${i}`, a: ((i * 7) % 27) / 27, b: ((i * 11) % 27) / 135 }));
const score = (c: Synth, budget: number) => c.a + c.b * budget;
/** The survivors, computed independently: rank all by score at the rung's budget, keep the best k. */
const topK = (cs: Synth[], budget: number, k: number) =>
  [...cs].sort((x, y) => score(y, budget) - score(x, budget)).slice(0, k);

test("successive halving keeps the best third per rung, ranks by each rung's budget and returns the known best", async () => {
  const calls: [string, number, number][] = [];
  const res = await successiveHalving(synth, (c, budget, ctx) => {
    calls.push([c.name, budget, ctx.previousBudget]);
    assert.equal(ctx.trial.config, c);
    return score(c, budget);
  }, { minBudget: 1, eta: 3 });

  const r1 = topK(synth, 1, 9), r2 = topK(r1, 3, 3), r3 = topK(r2, 9, 1);
  assert.deepEqual(res.rungs.map((r) => r.budget), [1, 3, 9, 27]);
  assert.deepEqual(res.rungs.map((r) => r.entries.length), [27, 9, 3, 1]);
  const promoted = (i: number) => new Set(res.rungs[i]!.entries.filter((e) => e.promoted).map((e) => e.trial.config.name));
  assert.deepEqual(promoted(0), new Set(r1.map((c) => c.name)));
  assert.deepEqual(promoted(1), new Set(r2.map((c) => c.name)));
  assert.deepEqual(promoted(2), new Set(r3.map((c) => c.name)));
  assert.equal(promoted(3).size, 0);
  assert.equal(res.best.config, r3[0]);
  // The ranking really changes between rungs: ranking rung 1 or 2 by the first budget would keep others.
  assert.notDeepEqual(new Set(topK(r1, 1, 3)), new Set(r2));
  assert.notEqual(topK(r2, 3, 1)[0], r3[0]);
  assert.notEqual(topK(synth, 1, 1)[0], r3[0]);
  // Entries are ranked best first with their scores, ranks 1..n.
  for (const r of res.rungs) {
    assert.deepEqual(r.entries.map((e) => e.rank), r.entries.map((_, i) => i + 1));
    for (let i = 1; i < r.entries.length; i++) assert.ok(r.entries[i - 1]!.score >= r.entries[i]!.score);
    for (const e of r.entries) assert.equal(e.score, score(e.trial.config, r.budget));
  }
  // From scratch: every evaluation costs its rung's budget, 27·1 + 9·3 + 3·9 + 1·27.
  assert.equal(res.totalCost, 108);
  assert.equal(res.evaluations, 40);
  assert.equal(calls.length, 40);
  // Rung 0 evaluates in configuration order; later rungs see the previous budget.
  assert.deepEqual(calls.slice(0, 27).map((c) => c[0]), synth.map((c) => c.name));
  assert.ok(calls.slice(27, 36).every(([, b, prev]) => b === 3 && prev === 1));
  assert.deepEqual(res.best.scores, [1, 3, 9, 27].map((b) => score(res.best.config, b)));
  assert.equal(res.best.budget, 27);
});

test("successive halving with resume charges only the extra budget, and honours rungs, eta, mode and onRung", async () => {
  const f = (c: Synth, b: number) => score(c, b);
  const resumed = await successiveHalving(synth, async (c, b) => ({ score: f(c, b), note: c.name }), { minBudget: 1, resume: true });
  // 27·1 + 9·(3 − 1) + 3·(9 − 3) + 1·(27 − 9)
  assert.equal(resumed.totalCost, 81);
  assert.deepEqual(resumed.rungs.map((r) => r.cost), [27, 18, 18, 18]);
  assert.equal(resumed.rungs[0]!.entries[0]!.result.note, resumed.rungs[0]!.entries[0]!.trial.config.name);

  // Three rungs only: the best of the 3 at budget 2·3² = 18 wins; cost 27·2 + 9·6 + 3·18.
  const seen: number[][] = [];
  const three = await successiveHalving(synth, f, {
    minBudget: 2, rungs: 3, onRung: (r, survivors) => void seen.push([r.index, survivors.length]),
  });
  assert.deepEqual(three.rungs.map((r) => r.budget), [2, 6, 18]);
  assert.equal(three.best.config, topK(topK(topK(synth, 2, 9), 6, 3), 18, 1)[0]);
  assert.equal(three.totalCost, 162);
  assert.deepEqual(seen, [[0, 9], [1, 3], [2, 0]]);

  // eta 2 over 8 configurations: 8 → 4 → 2 → 1 at budgets 1, 2, 4, 8.
  assert.deepEqual(rungSizes(8, 2), [8, 4, 2, 1]);
  assert.deepEqual(rungSizes(10, 3), [10, 3, 1]);
  assert.deepEqual(rungSizes(2, 3), [2, 1]);
  assert.deepEqual(rungSizes(1, 3), [1]);
  assert.deepEqual(rungSizes(27, 3, 5), [27, 9, 3, 1, 1]);
  const two = await successiveHalving(synth.slice(0, 8), f, { minBudget: 1, eta: 2 });
  assert.deepEqual(two.rungs.map((r) => [r.budget, r.entries.length]), [[1, 8], [2, 4], [4, 2], [8, 1]]);
  assert.equal(two.totalCost, 8 + 8 + 8 + 8);

  // mode "min" keeps the lowest scores.
  const low = await successiveHalving(synth, f, { minBudget: 1, mode: "min" });
  const lowest = (cs: Synth[], b: number, k: number) => [...cs].sort((x, y) => score(x, b) - score(y, b)).slice(0, k);
  assert.equal(low.best.config, lowest(lowest(lowest(synth, 1, 9), 3, 3), 9, 1)[0]);
});

test("successive halving breaks ties by configuration order and ranks NaN (diverged) scores last", async () => {
  const cs = ["a", "b", "c", "d", "e", "f"];
  const res = await successiveHalving(cs, (c) => (c === "a" || c === "b" ? NaN : c === "f" ? 2 : 1), { minBudget: 1, eta: 2 });
  assert.deepEqual(res.rungs[0]!.entries.map((e) => e.trial.config), ["f", "c", "d", "e", "a", "b"]);
  assert.deepEqual(res.rungs[1]!.entries.map((e) => e.trial.config), ["f", "c", "d"]);
  assert.equal(res.best.config, "f");
});

test("bad search spaces and settings throw TensileErrors that say what is wrong", async () => {
  const g = new Generator(0);
  assertThrowsTensile(() => sampleConfig({ ...space, widths: [] }, g), /sampleConfig: search space "widths" has no choices/);
  assertThrowsTensile(() => sampleConfig({ ...space, activations: [] }, g), /"activations" has no choices/);
  assertThrowsTensile(() => sampleConfig({ ...space, optimizers: [] }, g), /"optimizers" has no choices/);
  assertThrowsTensile(() => validateSpace({ ...space, channels: [] }), /"channels" has no choices/);
  assertThrowsTensile(() => validateSpace({ ...space, families: ["mlp", "rnn" as "mlp"] }), /"families" has an invalid choice "rnn"/);
  assertThrowsTensile(() => validateSpace({ ...space, activations: ["swish" as "relu"] }), /invalid choice "swish": expected relu, gelu/);
  assertThrowsTensile(() => validateSpace({ ...space, dropouts: [0, 1] }), /"dropouts" has an invalid choice 1: expected a probability in \[0, 1\)/);
  assertThrowsTensile(() => validateSpace({ ...space, kernelSizes: [4] }), /"kernelSizes" has an invalid choice 4: expected an odd positive integer/);
  assertThrowsTensile(() => validateSpace({ ...space, depths: [1.5] }), /"depths" has an invalid choice 1.5/);
  assertThrowsTensile(() => validateSpace({ ...space, optimizers: [{ name: "adam", lr: [1e-2, 1e-4] }] }), /learning-rate range of "adam" must be \[min, max\] with 0 < min ≤ max/);
  assertThrowsTensile(() => validateSpace({ ...space, convLayers: [6] }), /6 conv blocks halve a 28×28 input to nothing; use at most 4/);
  assertThrowsTensile(() => validateSpace({ ...space, inputShape: [1, 0, 28] }), /inputShape must be/);
  // The CNN lists are only needed when the CNN family is searched.
  validateSpace({ ...space, families: ["mlp"], channels: [] });
  assertThrowsTensile(() => sampleConfigs(space, 0, 1), /sampleConfigs: n must be a positive integer, got 0/);

  const f = () => 1;
  await assert.rejects(successiveHalving([1, 2, 3], f, { minBudget: 1, eta: 1.5 }),
    (e: Error) => e.name === "TensileError" && /successiveHalving: eta must be a number ≥ 2 .* got 1.5/.test(e.message));
  await assert.rejects(successiveHalving([1, 2, 3], f, { minBudget: 1, eta: 1 }), /eta must be a number ≥ 2/);
  await assert.rejects(successiveHalving([], f, { minBudget: 1 }), (e: Error) => e.name === "TensileError" && /no configurations to search/.test(e.message));
  await assert.rejects(successiveHalving([1], f, { minBudget: 0 }), /minBudget must be a positive number, got 0/);
  await assert.rejects(successiveHalving([1], f, { minBudget: 1, rungs: 0 }), /rungs must be a positive integer, got 0/);
  await assert.rejects(successiveHalving([1], () => "high" as unknown as number, { minBudget: 1 }), /evaluate must return a number or \{ score: number \}/);
  assertThrowsTensile(() => rungSizes(9, 1), /rungSizes: eta must be a number ≥ 2/);
});
