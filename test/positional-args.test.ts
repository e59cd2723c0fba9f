// PyTorch's positional arguments (docs/pytorch-names.md): optimizers, schedulers, DataLoader and
// samplers, nn layers and nn.functional accept PyTorch's positional order, then an optional options
// object. Each positional call here is the one tools/gen-positional-fixtures.py made in torch 1.13
// (fixtures/positional-args.json); the test compares what the positions meant (optimizer defaults,
// scheduler learning rates, DataLoader batches, module attributes, loss and function values), checks
// that the options form builds the same object, and that mistakes (an options object that is not
// last, too many arguments, a value given twice, a number where only options go) throw naming the call.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import {
  Generator, Tensor, TensileError, arange, data, getBackend, nn, optim, setBackend, sigmoid, tanh, tensor, zeros, F,
} from "../src/index.js";

type Fx = {
  optimizers: Record<string, Record<string, unknown>>;
  schedulers: Record<string, { lrs: number[]; momentum: number }>;
  data: Record<string, unknown>;
  modules: Record<string, Record<string, unknown>>;
  losses: Record<string, { value: number }>;
  functional: Record<string, { shape: number[]; data: number[] }>;
};
const fx = JSON.parse(readFileSync(new URL("../fixtures/positional-args.json", import.meta.url), "utf8")) as Fx;
const BACKENDS = ["reference", "wasm"] as const;
const camel = (k: string) => k.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());

/** Float32 input from a formula, the same as the generator's `ramp`. */
function ramp(shape: number[], scale = 0.1, offset = 0): Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  return tensor(Array.from({ length: n }, (_, i) => Math.sin(i * 0.7 + 0.3) * scale * 10 + offset), { dtype: "float32" }).reshape(shape);
}
const i32 = (v: number[]) => tensor(v, { dtype: "int32" });
const f32 = (v: number[]) => tensor(v, { dtype: "float32" });

function close(actual: number, expected: number, what: string, tol = 1e-5): void {
  assert.ok(Math.abs(actual - expected) <= tol * Math.max(1, Math.abs(expected)), `${what}: ${actual} vs torch ${expected}`);
}
function closeTensor(t: Tensor, e: { shape: number[]; data: number[] }, what: string, tol = 1e-4): void {
  assert.deepEqual(t.shape, e.shape, `${what}: shape`);
  const a = Array.from(t.dataSync() as ArrayLike<number>, Number);
  a.forEach((v, i) => close(v, e.data[i]!, `${what}[${i}]`, tol));
}
function throwsTensile(fn: () => unknown, re: RegExp): void {
  assert.throws(fn, (e: unknown) => e instanceof TensileError && re.test((e as Error).message), String(re));
}

test("optimizers: torch's positional order gives torch's defaults; the options form gives the same object", () => {
  const p = () => [zeros([2], { requiresGrad: true })];
  const made: Record<string, [optim.Optimizer, optim.Optimizer]> = {
    "SGD(p, 0.01, 0.9)": [new optim.SGD(p(), 0.01, 0.9), new optim.SGD(p(), { lr: 0.01, momentum: 0.9 })],
    "SGD(p, 0.01, 0.9, 0.1, 0.001)": [new optim.SGD(p(), 0.01, 0.9, 0.1, 0.001), new optim.SGD(p(), 0.01, { momentum: 0.9, dampening: 0.1, weightDecay: 0.001 })],
    "SGD(p, 0.1, 0.9, 0, 0, True)": [new optim.SGD(p(), 0.1, 0.9, 0, 0, true), new optim.SGD(p(), { lr: 0.1, momentum: 0.9, nesterov: true })],
    "Adam(p, 0.002, [0.8, 0.99], 1e-6, 0.01, True)": [new optim.Adam(p(), 0.002, [0.8, 0.99], 1e-6, 0.01, true),
      new optim.Adam(p(), { lr: 0.002, betas: [0.8, 0.99], eps: 1e-6, weightDecay: 0.01, amsgrad: true })],
    "Adam(p, 0.001)": [new optim.Adam(p(), 0.001), new optim.Adam(p())],
    "AdamW(p, 0.002, [0.8, 0.99])": [new optim.AdamW(p(), 0.002, [0.8, 0.99]), new optim.AdamW(p(), { lr: 0.002, betas: [0.8, 0.99] })],
    "Adadelta(p, 0.5, 0.8, 1e-5, 0.1)": [new optim.Adadelta(p(), 0.5, 0.8, 1e-5, 0.1), new optim.Adadelta(p(), { lr: 0.5, rho: 0.8, eps: 1e-5, weightDecay: 0.1 })],
    "Adagrad(p, 0.1, 0.01, 0.001, 0.5, 1e-9)": [new optim.Adagrad(p(), 0.1, 0.01, 0.001, 0.5, 1e-9),
      new optim.Adagrad(p(), { lr: 0.1, lrDecay: 0.01, weightDecay: 0.001, initialAccumulatorValue: 0.5, eps: 1e-9 })],
    "Adamax(p, 0.01, [0.8, 0.9], 1e-7, 0.1)": [new optim.Adamax(p(), 0.01, [0.8, 0.9], 1e-7, 0.1), new optim.Adamax(p(), { lr: 0.01, betas: [0.8, 0.9], eps: 1e-7, weightDecay: 0.1 })],
    "ASGD(p, 0.02, 0.001, 0.5, 100, 0.1, null, true)": [new optim.ASGD(p(), 0.02, 0.001, 0.5, 100, 0.1, null, true),
      new optim.ASGD(p(), { lr: 0.02, lambd: 0.001, alpha: 0.5, t0: 100, weightDecay: 0.1, maximize: true })],
    "NAdam(p, 0.01, [0.8, 0.9], 1e-7, 0.1, 0.005)": [new optim.NAdam(p(), 0.01, [0.8, 0.9], 1e-7, 0.1, 0.005),
      new optim.NAdam(p(), { lr: 0.01, betas: [0.8, 0.9], eps: 1e-7, weightDecay: 0.1, momentumDecay: 0.005 })],
    "RAdam(p, 0.01, [0.8, 0.9], 1e-7, 0.1)": [new optim.RAdam(p(), 0.01, [0.8, 0.9], 1e-7, 0.1), new optim.RAdam(p(), { lr: 0.01, betas: [0.8, 0.9], eps: 1e-7, weightDecay: 0.1 })],
    "RMSprop(p, 0.02, 0.9, 1e-7, 0.1, 0.5, true, null, true)": [new optim.RMSprop(p(), 0.02, 0.9, 1e-7, 0.1, 0.5, true, null, true),
      new optim.RMSprop(p(), { lr: 0.02, alpha: 0.9, eps: 1e-7, weightDecay: 0.1, momentum: 0.5, centered: true, maximize: true })],
    "Rprop(p, 0.02, [0.4, 1.3], [1e-5, 10], null, true)": [new optim.Rprop(p(), 0.02, [0.4, 1.3], [1e-5, 10], null, true),
      new optim.Rprop(p(), { lr: 0.02, etas: [0.4, 1.3], stepSizes: [1e-5, 10], maximize: true })],
    "LBFGS(p, 0.5, 10, 12, 1e-6, 1e-8, 50, strong_wolfe)": [new optim.LBFGS(p(), 0.5, 10, 12, 1e-6, 1e-8, 50, "strong_wolfe"),
      new optim.LBFGS(p(), { lr: 0.5, maxIter: 10, maxEval: 12, toleranceGrad: 1e-6, toleranceChange: 1e-8, historySize: 50, lineSearchFn: "strong_wolfe" })],
  };
  assert.deepEqual(Object.keys(made).sort(), Object.keys(fx.optimizers).sort());
  for (const [name, [positional, options]] of Object.entries(made)) {
    const want = fx.optimizers[name]!;
    for (const [k, v] of Object.entries(want))
      if (camel(k) in positional.defaults) assert.deepEqual(positional.defaults[camel(k)], v, `${name}: ${k}`);
    assert.ok(Object.keys(want).filter((k) => camel(k) in positional.defaults).length >= Object.keys(positional.defaults).length - 1, `${name}: keys`);
    assert.deepEqual(positional.defaults, options.defaults, `${name}: options form`);
  }
});

test("learning-rate schedulers: positional arguments give torch's learning rates step by step", () => {
  const make = (): optim.SGD => new optim.SGD([zeros([2], { requiresGrad: true })], 0.1, 0.9);
  const S = optim.lrScheduler;
  type Sched = { step(m?: number): unknown };
  const cases: Record<string, [(o: optim.SGD) => Sched, ((o: optim.SGD) => Sched) | null, number?]> = {
    "StepLR(opt, 2, 0.5)": [(o) => new S.StepLR(o, 2, 0.5), (o) => new S.StepLR(o, { stepSize: 2, gamma: 0.5 })],
    "MultiStepLR(opt, [1, 3], 0.5)": [(o) => new S.MultiStepLR(o, [1, 3], 0.5), (o) => new S.MultiStepLR(o, { milestones: [1, 3], gamma: 0.5 })],
    "ConstantLR(opt, 0.5, 3)": [(o) => new S.ConstantLR(o, 0.5, 3), (o) => new S.ConstantLR(o, { factor: 0.5, totalIters: 3 })],
    "LinearLR(opt, 0.5, 1.0, 4)": [(o) => new S.LinearLR(o, 0.5, 1.0, 4), (o) => new S.LinearLR(o, 0.5, { totalIters: 4 })],
    "ExponentialLR(opt, 0.9)": [(o) => new S.ExponentialLR(o, 0.9), (o) => new S.ExponentialLR(o, { gamma: 0.9 })],
    "PolynomialLR(opt, 4, 2.0)": [(o) => new S.PolynomialLR(o, 4, 2), (o) => new S.PolynomialLR(o, { totalIters: 4, power: 2 })],
    "CosineAnnealingLR(opt, 4, 0.01)": [(o) => new S.CosineAnnealingLR(o, 4, 0.01), (o) => new S.CosineAnnealingLR(o, { tMax: 4, etaMin: 0.01 })],
    "CosineAnnealingWarmRestarts(opt, 2, 2, 0.01)": [(o) => new S.CosineAnnealingWarmRestarts(o, 2, 2, 0.01), (o) => new S.CosineAnnealingWarmRestarts(o, { t0: 2, tMult: 2, etaMin: 0.01 })],
    "OneCycleLR(opt, 1.0, 10)": [(o) => new S.OneCycleLR(o, 1.0, 10), (o) => new S.OneCycleLR(o, { maxLr: 1, totalSteps: 10 })],
    "OneCycleLR(opt, 1.0, null, 2, 5, 0.4, linear)": [(o) => new S.OneCycleLR(o, 1.0, null as never, 2, 5, 0.4, "linear"),
      (o) => new S.OneCycleLR(o, { maxLr: 1, epochs: 2, stepsPerEpoch: 5, pctStart: 0.4, annealStrategy: "linear" })],
    "CyclicLR(opt, 0.01, 0.1, 2)": [(o) => new S.CyclicLR(o, 0.01, 0.1, 2), (o) => new S.CyclicLR(o, { baseLr: 0.01, maxLr: 0.1, stepSizeUp: 2 })],
    "CyclicLR(opt, 0.01, 0.1, 2, 3, triangular2)": [(o) => new S.CyclicLR(o, 0.01, 0.1, 2, 3, "triangular2"), null, 12],
    "LambdaLR(opt, e => 0.9 ** e)": [(o) => new S.LambdaLR(o, (e: number) => 0.9 ** e), (o) => new S.LambdaLR(o, { lrLambda: (e: number) => 0.9 ** e })],
    "ReduceLROnPlateau(opt, max, 0.5, 1)": [(o) => new S.ReduceLROnPlateau(o, "max", 0.5, 1) as unknown as Sched, (o) => new S.ReduceLROnPlateau(o, "max", { factor: 0.5, patience: 1 }) as unknown as Sched],
    "SWALR(opt, 0.05, 3, linear)": [(o) => new optim.swaUtils.SWALR(o, 0.05, 3, "linear"), (o) => new optim.swaUtils.SWALR(o, { swaLr: 0.05, annealEpochs: 3, annealStrategy: "linear" })],
    "SequentialLR(opt, [ConstantLR(opt, 0.5, 2), ExponentialLR(opt, 0.9)], [2])": [
      (o) => new S.SequentialLR(o, [new S.ConstantLR(o, 0.5, 2), new S.ExponentialLR(o, 0.9)], [2]), null],
  };
  assert.deepEqual(Object.keys(cases).sort(), Object.keys(fx.schedulers).sort());
  for (const [name, [positional, options, steps = 6]] of Object.entries(cases)) {
    for (const build of options ? [positional, options] : [positional]) {
      const opt = make();
      const s = build(opt);
      const lrs = [opt.paramGroups[0]!.lr];
      for (let i = 0; i < steps; i++) {
        s.step(name.startsWith("ReduceLROnPlateau") ? 1.0 : undefined);
        lrs.push(opt.paramGroups[0]!.lr);
      }
      const want = fx.schedulers[name]!;
      lrs.forEach((v, i) => close(v, want.lrs[i]!, `${name} lr[${i}]${build === options ? " (options form)" : ""}`, 1e-9));
      close(opt.paramGroups[0]!.momentum as number, want.momentum, `${name} momentum`, 1e-9);
    }
  }
});

test("DataLoader and samplers: torch's positional calls give torch's batches and settings", () => {
  const ds = new data.TensorDataset(arange(10));
  const batches = (l: Iterable<unknown>) => [...l].map((b) => Array.from((b as Tensor[])[0]!.toArray() as ArrayLike<number>));
  const d = fx.data;
  assert.deepEqual(batches(new data.DataLoader(ds, 4)), d["DataLoader(ds, 4)"]);
  assert.deepEqual(batches(new data.DataLoader(ds, 4)), batches(new data.DataLoader(ds, { batchSize: 4 })));
  assert.deepEqual(batches(new data.DataLoader(ds, 3, false, null, null, 0, null, false, true)), d["DataLoader(ds, 3, false, null, null, 0, null, false, true)"]);
  assert.deepEqual(batches(new data.DataLoader(ds, 3, { dropLast: true })), d["DataLoader(ds, 3, false, null, null, 0, null, false, true)"]);
  assert.deepEqual(batches(new data.DataLoader(ds, 3, false, [9, 8, 7, 6, 5])), d["DataLoader(ds, 3, false, [9, 8, 7, 6, 5])"]);
  assert.deepEqual(batches(new data.DataLoader(ds, 1, false, null, [[0, 1], [5, 6, 7]])), d["DataLoader(ds, 1, false, null, batchSampler)"]);
  const shuffled = new data.DataLoader(ds, 4, true, { generator: new Generator().manualSeed(3) });
  assert.ok(shuffled.sampler instanceof data.RandomSampler);
  assert.equal(shuffled.length, d["DataLoader(ds, 4, true) len"]);
  assert.deepEqual(batches(shuffled).flat().sort((a, b) => a - b), d["DataLoader(ds, 4, true) sorted"]);
  // the same generator state gives the same order whichever form set shuffle
  const orderOf = (l: Iterable<unknown>) => batches(l).flat();
  assert.deepEqual(orderOf(new data.DataLoader(ds, 4, true, null, null, 0, null, false, false, 0, null, null, new Generator().manualSeed(5))),
    orderOf(new data.DataLoader(ds, { batchSize: 4, shuffle: true, generator: new Generator().manualSeed(5) })));
  const unbatched = [...new data.DataLoader(ds, null)].slice(0, 3).map((s) => ((s as Tensor[])[0]!).item());
  assert.deepEqual(unbatched, d["DataLoader(ds, null) first"]);

  const rs = new data.RandomSampler(ds, true, 5);
  assert.deepEqual({ replacement: rs.replacement, num_samples: rs.length }, d["RandomSampler(ds, true, 5)"]);
  const ws = new data.WeightedRandomSampler([1, 2, 3], 2, false);
  assert.deepEqual({ replacement: ws.replacement, num_samples: ws.numSamples }, d["WeightedRandomSampler([1, 2, 3], 2, false)"]);
  assert.equal(new data.WeightedRandomSampler([1, 2, 3], 2, { replacement: false }).replacement, false);
  assert.deepEqual([...new data.BatchSampler(new data.SequentialSampler({ length: 7 }), 3, true)], d["BatchSampler(SequentialSampler(range7), 3, true)"]);
  assert.deepEqual([...new data.BatchSampler(new data.SequentialSampler({ length: 7 }), { batchSize: 3, dropLast: true })], d["BatchSampler(SequentialSampler(range7), 3, true)"]);
  assert.deepEqual([...new data.DistributedSampler(ds, 3, 1, false)], d["DistributedSampler(ds, 3, 1, false)"]);
  assert.deepEqual([...new data.DistributedSampler(ds, 3, 2, false, 0, true)], d["DistributedSampler(ds, 3, 2, false, 0, true)"]);
  assert.deepEqual([...new data.DistributedSampler(ds, 3, { rank: 2, shuffle: false, dropLast: true })], d["DistributedSampler(ds, 3, 2, false, 0, true)"]);
  const g = () => new Generator().manualSeed(1);
  assert.deepEqual(data.randomSplit(ds, [3, 7], g()).map((s) => s.length), d["random_split(ds, [3, 7], g) lengths"]);
  assert.deepEqual(data.randomSplit(ds, [3, 7], g()).map((s) => s.getItem(0)), data.randomSplit(ds, [3, 7], { generator: g() }).map((s) => s.getItem(0)));
  const sub = new data.SubsetRandomSampler([4, 5, 6], g());
  assert.deepEqual([...sub], [...new data.SubsetRandomSampler([4, 5, 6], { generator: g() })]);
});

test("nn layers: torch's positional order gives torch's attributes; the options form the same module", () => {
  const m = fx.modules;
  const lstm = new nn.LSTM(4, 8, 2, false, true, 0.25, true);
  const lstmOpts = new nn.LSTM(4, 8, { numLayers: 2, bias: false, batchFirst: true, dropout: 0.25, bidirectional: true });
  for (const l of [lstm, lstmOpts])
    assert.deepEqual({ num_layers: l.numLayers, bias: l.bias, batch_first: l.batchFirst, dropout: l.dropout, bidirectional: l.bidirectional,
      params: [...l.namedParameters()].map(([n]) => n) }, m["LSTM(4, 8, 2, false, true, 0.25, true)"]);
  const gru = new nn.GRU(4, 8, 3, true, false, 0.5);
  assert.deepEqual({ num_layers: gru.numLayers, bias: gru.bias, batch_first: gru.batchFirst, dropout: gru.dropout, bidirectional: gru.bidirectional },
    m["GRU(4, 8, 3, true, false, 0.5)"]);
  const rnn = new nn.RNN(4, 8, 2, false, true, { nonlinearity: "relu" });
  assert.deepEqual({ num_layers: rnn.numLayers, nonlinearity: rnn.nonlinearity, bias: rnn.bias, batch_first: rnn.batchFirst },
    m["RNN(4, 8, 2, false, true, nonlinearity=relu)"]);
  assert.equal(new nn.RNN(4, 8, { numLayers: 2, nonlinearity: "relu", bias: false, batchFirst: true }).toString(), rnn.toString());
  assert.equal(new nn.RNN(4, 8, 2, "relu", false, true).toString(), rnn.toString()); // torch 2's order: nonlinearity 4th
  const cell = new nn.RNNCell(4, 8, false, "relu");
  assert.equal(cell.bias, m["RNNCell(4, 8, false, relu)"]!.bias);
  assert.match(cell.toString(), /nonlinearity=relu/);
  assert.equal(new nn.RNNCell(4, 8, { bias: false, nonlinearity: "relu" }).toString(), cell.toString());
  assert.equal(new nn.LSTMCell(4, 8, false).bias, m["LSTMCell(4, 8, false)"]!.bias);

  for (const name of ["TransformerEncoderLayer", "TransformerDecoderLayer"] as const) {
    const L = nn[name] as unknown as new (...a: unknown[]) => nn.TransformerEncoderLayer;
    const l = new L(8, 2, 16, 0.2, "gelu", 1e-6, true, true);
    const o = new L(8, 2, { dimFeedforward: 16, dropout: 0.2, activation: "gelu", layerNormEps: 1e-6, batchFirst: true, normFirst: true });
    for (const x of [l, o])
      assert.deepEqual({ dim_feedforward: x.linear1.outFeatures, dropout: x.dropout.p, eps: x.norm1.eps, batch_first: x.self_attn.batchFirst, norm_first: x.normFirst },
        m[`${name}(8, 2, 16, 0.2, gelu, 1e-6, true, true)`]);
  }
  const tr = new nn.Transformer(8, 2, 1, 2, 16, 0, "relu", null, null, 1e-6, true);
  const enc = tr.encoder as nn.TransformerEncoder, dec = tr.decoder as nn.TransformerDecoder;
  assert.deepEqual({ encoder_layers: enc.layers.length, decoder_layers: dec.layers.length, d_model: tr.dModel, nhead: tr.nhead, batch_first: tr.batchFirst,
    dim_feedforward: (enc.layers.at(0) as nn.TransformerEncoderLayer).linear1.outFeatures, eps: (enc.norm as nn.LayerNorm).eps },
  m["Transformer(8, 2, 1, 2, 16, 0, relu, null, null, 1e-6, true)"]);
  const mha = new nn.MultiheadAttention(8, 2, 0.1, false, false, false, null, null, true);
  assert.deepEqual({ dropout: mha.dropout, has_bias: mha.in_proj_bias !== null, batch_first: mha.batchFirst },
    m["MultiheadAttention(8, 2, 0.1, false, false, false, null, null, true)"]);
  const emb = new nn.Embedding(10, 3, 0, 1.5, 3);
  assert.deepEqual({ padding_idx: emb.paddingIdx, max_norm: emb.maxNorm, norm_type: emb.normType }, m["Embedding(10, 3, 0, 1.5, 3)"]);
  const bag = new nn.EmbeddingBag(10, 3, null, 3, false, "sum");
  assert.deepEqual({ max_norm: bag.maxNorm, norm_type: bag.normType, mode: bag.mode }, m["EmbeddingBag(10, 3, null, 3, false, sum)"]);
  const up = new nn.Upsample(null, 2, "bilinear", true);
  assert.deepEqual({ size: up.size, scale_factor: up.scaleFactor, mode: up.mode, align_corners: up.alignCorners }, m["Upsample(null, 2, bilinear, true)"]);
  assert.equal(new nn.Upsample({ scaleFactor: 2, mode: "bilinear", alignCorners: true }).toString(), up.toString());

  const attrs = (x: object, names: string[]) => Object.fromEntries(names.map((n) => [n, (x as Record<string, unknown>)[camel(n)]]));
  const acts: [string, object, object][] = [
    ["LeakyReLU(0.2, true)", new nn.LeakyReLU(0.2, true), new nn.LeakyReLU({ negativeSlope: 0.2, inplace: true })],
    ["ELU(0.5, true)", new nn.ELU(0.5, true), new nn.ELU({ alpha: 0.5, inplace: true })],
    ["Hardtanh(-2, 3, true)", new nn.Hardtanh(-2, 3, true), new nn.Hardtanh({ minVal: -2, maxVal: 3, inplace: true })],
    ["Softplus(2, 10)", new nn.Softplus(2, 10), new nn.Softplus({ beta: 2, threshold: 10 })],
    ["ReLU(true)", new nn.ReLU(true), new nn.ReLU({ inplace: true })],
    ["SiLU(true)", new nn.SiLU(true), new nn.SiLU({ inplace: true })],
    ["SELU(true)", new nn.SELU(true), new nn.SELU({ inplace: true })],
    ["Dropout(0.3, true)", new nn.Dropout(0.3, true), new nn.Dropout({ p: 0.3, inplace: true })],
    ["AlphaDropout(0.2)", new nn.AlphaDropout(0.2), new nn.AlphaDropout({ p: 0.2 })],
  ];
  for (const [name, a, b] of acts) {
    const names = Object.keys(m[name]!);
    assert.deepEqual(attrs(a, names), m[name], name);
    assert.deepEqual(attrs(b, names), m[name], `${name} (options form)`);
  }
  // inplace layers overwrite their input, as PyTorch's
  const x = f32([-1, 2, -3]);
  new nn.LeakyReLU(0.5, true).forward(x);
  assert.deepEqual(Array.from(x.dataSync()), [-0.5, 2, -1.5]);
  const y = f32([1, 1, 1, 1]);
  const dropped = new nn.Dropout(0.5, true).forward(y);
  assert.deepEqual(Array.from(y.dataSync()), Array.from(dropped.dataSync()));
});

test("losses: positional weight, margin, reduction, ... give torch's values", () => {
  const logits = ramp([4, 3]), y = i32([0, 2, 1, 0]), w = f32([1, 2, 0.5]);
  const a = ramp([5]), b = ramp([5], 0.1, 0.3).mul(0.5), pm = f32([1, -1, 1, 1, -1]);
  const p01 = sigmoid(ramp([5]));
  const L = fx.losses;
  const cases: [string, () => Tensor, () => Tensor][] = [
    ["CrossEntropyLoss(w, null, 1, null, sum, 0.1)", () => new nn.CrossEntropyLoss(w, null, 1, null, "sum", 0.1).forward(logits, y),
      () => new nn.CrossEntropyLoss({ weight: w, ignoreIndex: 1, reduction: "sum", labelSmoothing: 0.1 }).forward(logits, y)],
    ["NLLLoss(w, null, 0)", () => new nn.NLLLoss(w, null, 0).forward(logits.logSoftmax(1), y),
      () => new nn.NLLLoss({ weight: w, ignoreIndex: 0 }).forward(logits.logSoftmax(1), y)],
    ["BCELoss(w5)", () => new nn.BCELoss(p01).forward(p01, p01.flip(0)), () => new nn.BCELoss({ weight: p01 }).forward(p01, p01.flip(0))],
    ["BCEWithLogitsLoss(w5, null, null, sum, pw)", () => new nn.BCEWithLogitsLoss(p01, null, null, "sum", p01.flip(0)).forward(a, p01),
      () => new nn.BCEWithLogitsLoss({ weight: p01, reduction: "sum", posWeight: p01.flip(0) }).forward(a, p01)],
    ["HuberLoss(sum, 0.5)", () => new nn.HuberLoss("sum", 0.5).forward(a, b), () => new nn.HuberLoss({ reduction: "sum", delta: 0.5 }).forward(a, b)],
    ["SmoothL1Loss(null, null, sum, 0.5)", () => new nn.SmoothL1Loss(null, null, "sum", 0.5).forward(a, b), () => new nn.SmoothL1Loss({ reduction: "sum", beta: 0.5 }).forward(a, b)],
    ["MSELoss(null, null, sum)", () => new nn.MSELoss(null, null, "sum").forward(a, b), () => new nn.MSELoss({ reduction: "sum" }).forward(a, b)],
    ["KLDivLoss(null, null, sum, true)", () => new nn.KLDivLoss(null, null, "sum", true).forward(a.logSoftmax(0), b.logSoftmax(0)),
      () => new nn.KLDivLoss({ reduction: "sum", logTarget: true }).forward(a.logSoftmax(0), b.logSoftmax(0))],
    ["MarginRankingLoss(0.2)", () => new nn.MarginRankingLoss(0.2).forward(a, b, pm), () => new nn.MarginRankingLoss({ margin: 0.2 }).forward(a, b, pm)],
    ["HingeEmbeddingLoss(0.5)", () => new nn.HingeEmbeddingLoss(0.5).forward(a, pm), () => new nn.HingeEmbeddingLoss({ margin: 0.5 }).forward(a, pm)],
    ["MultiMarginLoss(2, 0.5, w)", () => new nn.MultiMarginLoss(2, 0.5, w).forward(logits, y), () => new nn.MultiMarginLoss({ p: 2, margin: 0.5, weight: w }).forward(logits, y)],
    ["TripletMarginLoss(0.5, 1, 1e-6, true)", () => new nn.TripletMarginLoss(0.5, 1, 1e-6, true).forward(ramp([2, 3]), ramp([2, 3], 0.1, 0.2), ramp([2, 3], 0.1, -0.4)),
      () => new nn.TripletMarginLoss({ margin: 0.5, p: 1, swap: true }).forward(ramp([2, 3]), ramp([2, 3], 0.1, 0.2), ramp([2, 3], 0.1, -0.4))],
    ["PoissonNLLLoss(false, true)", () => new nn.PoissonNLLLoss(false, true).forward(p01.add(0.5), p01.mul(3)),
      () => new nn.PoissonNLLLoss({ logInput: false, full: true }).forward(p01.add(0.5), p01.mul(3))],
    ["CosineEmbeddingLoss(0.3)", () => new nn.CosineEmbeddingLoss(0.3).forward(ramp([2, 3]), ramp([2, 3], 0.1, 0.5), f32([1, -1])),
      () => new nn.CosineEmbeddingLoss({ margin: 0.3 }).forward(ramp([2, 3]), ramp([2, 3], 0.1, 0.5), f32([1, -1]))],
    ["MultiLabelSoftMarginLoss(w)", () => new nn.MultiLabelSoftMarginLoss(w).forward(logits, logits.gt(0).float()),
      () => new nn.MultiLabelSoftMarginLoss({ weight: w }).forward(logits, logits.gt(0).float())],
  ];
  assert.deepEqual(cases.map(([n]) => n).sort(), Object.keys(L).sort());
  for (const [name, positional, options] of cases) {
    close(positional().item(), L[name]!.value, name);
    close(options().item(), L[name]!.value, `${name} (options form)`);
  }
});

for (const backend of BACKENDS) {
  test(`nn.functional [${backend}]: torch's positional arguments give torch's results`, () => {
    const prev = getBackend();
    setBackend(backend);
    try {
      const x = ramp([1, 2, 6, 6]), x1 = ramp([1, 2, 8]);
      const w = ramp([3, 2, 3, 3], 0.1, 0.1).mul(0.3), b = f32([0.1, -0.2, 0.3]);
      const wt = ramp([2, 3, 3, 3], 0.1, -0.1).mul(0.3);
      const logits = ramp([4, 3]), y = i32([0, 2, 1, 0]), cw = f32([1, 2, 0.5]);
      const a = ramp([5]), c = ramp([5], 0.1, 0.3).mul(0.5), pm = f32([1, -1, 1, 1, -1]);
      const theta = ramp([1, 2, 3]).mul(0.3), grid = tanh(ramp([1, 3, 3, 2]));
      const w2 = f32([1.5, 0.5]), b2 = f32([0.1, -0.1]);
      const rm = () => f32([0.1, 0.2]), rv = () => f32([1, 2]);
      const cases: [string, Tensor, Tensor | null][] = [
        ["conv2d(x, w, b, 2, 1)", F.conv2d(x, w, b, 2, 1), F.conv2d(x, w, b, { stride: 2, padding: 1 })],
        ["conv2d(x, w, null, 1, 2, 2)", F.conv2d(x, w, null, 1, 2, 2), F.conv2d(x, w, null, { padding: 2, dilation: 2 })],
        ["conv1d(x1, w1, null, 2, 1)", F.conv1d(x1, ramp([3, 2, 3]).mul(0.3), null, 2, 1), null],
        ["convTranspose2d(x, wt, null, 2, 1, 1)", F.convTranspose2d(x, wt, null, 2, 1, 1), F.convTranspose2d(x, wt, null, { stride: 2, padding: 1, outputPadding: 1 })],
        ["maxPool2d(x, 3, 2, 1, 1, true)", F.maxPool2d(x, 3, 2, 1, 1, true) as Tensor, F.maxPool2d(x, 3, { stride: 2, padding: 1, ceilMode: true })],
        ["maxPool1d(x1, 2, 1, 0, 1, false, true) indices", (F.maxPool1d(x1, 2, 1, 0, 1, false, true) as [Tensor, Tensor])[1], null],
        ["avgPool2d(x, 3, 2, 1, true, false)", F.avgPool2d(x, 3, 2, 1, true, false), F.avgPool2d(x, 3, { stride: 2, padding: 1, ceilMode: true, countIncludePad: false })],
        ["avgPool2d(x, 2, null, 0, false, true, 3)", F.avgPool2d(x, 2, null, 0, false, true, 3), F.avgPool2d(x, 2, { divisorOverride: 3 })],
        ["avgPool1d(x1, 3, 2, 1, false, false)", F.avgPool1d(x1, 3, 2, 1, false, false), null],
        ["lpPool2d(x, 2, 2, 1)", F.lpPool2d(x, 2, 2, 1), F.lpPool2d(x, 2, 2, { stride: 1 })],
        ["interpolate(x, null, 2, bilinear, true)", F.interpolate(x, null, 2, "bilinear", true), F.interpolate(x, { scaleFactor: 2, mode: "bilinear", alignCorners: true })],
        ["interpolate(x, [3, 4])", F.interpolate(x, [3, 4]), F.interpolate(x, { size: [3, 4] })],
        ["crossEntropy(l, y, cw, null, 1, null, sum, 0.1)", F.crossEntropy(logits, y, cw, null, 1, null, "sum", 0.1),
          F.crossEntropy(logits, y, { weight: cw, ignoreIndex: 1, reduction: "sum", labelSmoothing: 0.1 })],
        ["nllLoss(l, y, cw)", F.nllLoss(logits.logSoftmax(1), y, cw), F.nllLoss(logits.logSoftmax(1), y, { weight: cw })],
        ["mseLoss(a, c, null, null, sum)", F.mseLoss(a, c, null, null, "sum"), F.mseLoss(a, c, { reduction: "sum" })],
        ["huberLoss(a, c, sum, 0.5)", F.huberLoss(a, c, "sum", 0.5), F.huberLoss(a, c, { reduction: "sum", delta: 0.5 })],
        ["klDiv(a, c, null, null, sum, true)", F.klDiv(a.logSoftmax(0), c.logSoftmax(0), null, null, "sum", true), null],
        ["marginRankingLoss(a, c, pm, 0.2)", F.marginRankingLoss(a, c, pm, 0.2), F.marginRankingLoss(a, c, pm, { margin: 0.2 })],
        ["layerNorm(x, [6], w6, b6, 1e-3)", F.layerNorm(x, [6], ramp([6], 0.1, 1).mul(0.1).add(1), ramp([6]).mul(0.1), 1e-3), null],
        ["groupNorm(x, 2, w2, b2, 1e-3)", F.groupNorm(x, 2, w2, b2, 1e-3), F.groupNorm(x, 2, { weight: w2, bias: b2, eps: 1e-3 })],
        ["batchNorm(x, rm, rv, w2, b2, false, 0.2, 1e-3)", F.batchNorm(x, rm(), rv(), w2, b2, false, 0.2, 1e-3),
          F.batchNorm(x, rm(), rv(), { weight: w2, bias: b2, training: false, momentum: 0.2, eps: 1e-3 })],
        ["gridSample(x, grid, nearest, border, true)", F.gridSample(x, grid, "nearest", "border", true), F.gridSample(x, grid, { mode: "nearest", paddingMode: "border", alignCorners: true })],
        ["affineGrid(theta, [1, 2, 3, 4], true)", F.affineGrid(theta, [1, 2, 3, 4], true), F.affineGrid(theta, [1, 2, 3, 4], { alignCorners: true })],
        ["unfold(x, 2, 2, 1, 2)", F.unfold(x, 2, 2, 1, 2), F.unfold(x, 2, { dilation: 2, padding: 1, stride: 2 })],
        ["dropout(x, 0.5, false, true)", F.dropout(x.clone(), 0.5, false, true), null],
      ];
      const fxf = fx.functional;
      for (const [name, positional, options] of cases) {
        closeTensor(positional, fxf[name]!, name);
        if (options) closeTensor(options, fxf[name]!, `${name} (options form)`);
      }
      const runMean = rm(), runVar = rv();
      F.batchNorm(x, runMean, runVar, null, null, true, 0.2);
      closeTensor(runMean, fxf["batchNorm(x, rm, rv, null, null, true, 0.2) running_mean"]!, "batchNorm running_mean");
      closeTensor(runVar, fxf["batchNorm(x, rm, rv, null, null, true, 0.2) running_var"]!, "batchNorm running_var");
      // F.dropout's positional inplace overwrites its input in training, as torch's
      const t = f32([1, 1, 1, 1, 1, 1]);
      const r = F.dropout(t, 0.5, true, true);
      assert.deepEqual(Array.from(t.dataSync()), Array.from(r.dataSync()));
    } finally {
      setBackend(prev);
    }
  });
}

test("mistakes throw a TensileError naming the call and the argument, never pass silently", () => {
  const p = () => [zeros([2], { requiresGrad: true })];
  const opt = new optim.SGD(p(), 0.1);
  const ds = new data.TensorDataset(arange(10));
  const S = optim.lrScheduler;
  const cases: [() => unknown, RegExp][] = [
    // an options object that is not last, too many arguments, a value given twice
    [() => new optim.SGD(p(), { lr: 0.1 } as never, 0.9 as never), /^SGD: the options object must be the last argument/],
    [() => new optim.SGD(p(), 0.1, 0.9, 0, 0, false, 7 as never), /^SGD: takes at most 5 positional arguments after params \(lr, momentum, dampening, weightDecay, nesterov\)/],
    [() => new optim.SGD(p(), 0.1, { lr: 0.2 }), /^SGD: lr given both positionally and as an option/],
    [() => new optim.Adam(p(), "0.1" as never), /^Adam: invalid learning rate: 0\.1|^Adam: .*learning rate/],
    [() => new optim.Adadelta(p(), 1, 0.9, 1e-6, 0, "yes" as never), /^Adadelta: foreach must be a boolean or null, got string "yes"/],
    [() => new optim.SGD(p(), { lr: 0.1, weight_decay: 0.1 } as never), /^SGD: unknown option "weight_decay"/],
    [() => new S.StepLR(opt, 0.5 as never), /^StepLR: expected positive integer stepSize, but got 0\.5/],
    [() => new S.StepLR(opt, 2, 0.5, -1, false, 3 as never), /^StepLR: takes at most 4 positional arguments after optimizer/],
    [() => new S.ExponentialLR(opt, { gamma: 0.9, step_size: 2 } as never), /^ExponentialLR: unknown option "step_size"/],
    [() => new S.MultiplicativeLR(opt, 0.5 as never), /^MultiplicativeLR: options must be an object, got 0\.5/],
    // DataLoader: no silent batchSize 1, no silent unknown options, workers refused
    [() => new data.DataLoader(ds, "64" as never), /^DataLoader: batchSize should be a positive integer or null, got 64/],
    [() => new data.DataLoader(ds, { batch_size: 64 } as never), /^DataLoader: unknown option "batch_size"/],
    [() => new data.DataLoader(ds, 4, "yes" as never), /^DataLoader: shuffle must be a boolean, got "yes"/],
    [() => new data.DataLoader(ds, 4, false, null, null, 2), /^DataLoader: numWorkers=2 is not supported/],
    [() => new data.DataLoader(ds, 4, false, null, null, 0, (() => 1) as never, false, false, 5), /^DataLoader: timeout=5 is not supported/],
    [() => new data.DataLoader(ds, 4, { batchSize: 8 }), /^DataLoader: batchSize given both positionally and as an option/],
    [() => new data.DataLoader(ds, 2, false, null, [[0, 1]]), /^DataLoader: batchSampler option is mutually exclusive with batchSize/],
    [() => new data.RandomSampler(ds, true, 5, null, 1 as never), /^RandomSampler: takes at most 3 positional arguments after dataSource/],
    [() => new data.BatchSampler([0, 1], 2, "no" as never), /^BatchSampler: dropLast should be a boolean value/],
    [() => new data.DistributedSampler(ds, 3), /^DistributedSampler: numReplicas and rank must be given/],
    [() => data.randomSplit(ds, [5, 5], 3 as never), /^randomSplit: generator must be a Generator, got 3/],
    [() => new data.datasets.MNISTDigits("test" as never), /^MNISTDigits: options must be an options object \(\{ \.\.\. \}\), got string "test"/],
    // nn layers
    [() => new nn.LSTM(4, 8, "2" as never), /^LSTM: num_layers must be a positive integer, got "2"/],
    [() => new nn.LSTM(4, 8, { num_layers: 2 } as never), /^LSTM: unknown option "num_layers"/],
    [() => new nn.LSTM(4, 8, 1, true, false, 0, false, 0, 9 as never), /^LSTM: takes at most 6 positional arguments after hiddenSize/],
    [() => new nn.RNNCell(4, 8, true, "sigmoid" as never), /^RNNCell: Unknown nonlinearity: sigmoid/],
    [() => new nn.GRUCell(4, 8, true, 3 as never), /^GRUCell: takes at most 1 positional argument after hiddenSize/],
    [() => new nn.CrossEntropyLoss("sum" as never), /^CrossEntropyLoss: weight must be a Tensor or null, got "sum"|^CrossEntropyLoss: .*weight/],
    [() => new nn.MSELoss("sum" as never), /^MSELoss: sizeAverage \(size_average\) is deprecated|^MSELoss: size_average is deprecated/],
    [() => new nn.MSELoss({ reduce: false } as never), /^MSELoss: reduce is deprecated in PyTorch and not supported/],
    [() => new nn.CrossEntropyLoss({ ignore_index: 0 } as never), /^CrossEntropyLoss: unknown option "ignore_index"/],
    [() => new nn.GaussianNLLLoss(true as never), /^GaussianNLLLoss: takes at most 0 positional arguments/],
    [() => new nn.Embedding(10, 3, 0, 1, 2, true as never), /^Embedding: scaleGradByFreq=true is not supported/],
    [() => new nn.Embedding(10, 3, 0, null, 2, false, false, zeros([10, 3]) as never), /^Embedding: an initial _weight is not supported; use Embedding\.fromPretrained/],
    [() => new nn.Transformer(8, 2, { dModel: 16 }), /^Transformer: dModel given both positionally and as an option/],
    [() => new nn.Transformer({ d_model: 8 } as never), /^Transformer: unknown option "d_model" \(Tensile's options are camelCase: "dModel"\)/],
    [() => new nn.RNN(4, 8, 1, "yes" as never, true as never), /^RNN: Unknown nonlinearity 'yes'/],
    [() => new nn.RNN(4, 8, 1, 1 as never), /^RNN: bias must be a boolean, got 1/],
    [() => new nn.TransformerEncoderLayer(8, 2, { dim_feedforward: 16 } as never), /^TransformerEncoderLayer: unknown option "dim_feedforward"/],
    [() => new nn.MultiheadAttention(8, 2, 0, true, false, false, 0), /^MultiheadAttention: kdim must be a positive integer or null, got 0/],
    [() => new nn.Upsample(null, 2, { mode: "bilinear", align_corners: true } as never), /^Upsample: unknown option "align_corners"/],
    [() => new nn.LeakyReLU(0.2, "yes" as never), /^LeakyReLU: inplace must be a boolean/],
    [() => new nn.Dropout(0.5, 1 as never), /^Dropout: inplace must be a boolean, got 1/],
    [() => new nn.Hardtanh(1, -1), /^Hardtanh: maxVal \(-1\) must be greater than minVal \(1\)/],
    // nn.functional
    [() => F.conv2d(ramp([1, 2, 6, 6]), ramp([3, 2, 3, 3]), null, { stride: 2 } as never, 1 as never), /^conv2d: the options object must be the last argument/],
    [() => F.crossEntropy(ramp([4, 3]), i32([0, 1, 2, 0]), "sum" as never), /^crossEntropy: weight must be a Tensor or null, got "sum"/],
    [() => F.mseLoss(ramp([3]), ramp([3]), true as never), /^mseLoss: sizeAverage \(size_average\) is deprecated in PyTorch and not supported/],
    [() => F.interpolate(ramp([1, 1, 4, 4]), null, 2, "bilinear", false, null, false, 3 as never), /^interpolate: takes at most 6 positional arguments/],
    [() => F.dropout(ramp([3]), 0.5, true, "yes" as never), /^dropout: the argument after training \(inplace, or an options object\) must be an options object/],
    [() => F.tripletMarginWithDistanceLoss(ramp([2, 3]), ramp([2, 3]), ramp([2, 3]), 1 as never), /^tripletMarginWithDistanceLoss: options \(PyTorch's parameters here are keyword-only\) must be an options object/],
  ];
  for (const [fn, re] of cases) throwsTensile(fn, re);
});

test("channel dropouts take { inplace }, AveragedModel and MNIST PyTorch's positional arguments", () => {
  for (const [L, shape] of [[nn.Dropout1d, [1, 4, 3]], [nn.Dropout2d, [1, 4, 2, 2]], [nn.Dropout3d, [1, 4, 1, 2, 2]]] as const) {
    const layer = new (L as unknown as new (...a: unknown[]) => nn.Module & { p: number; inplace: boolean })(0.5, { inplace: true });
    assert.deepEqual([layer.p, layer.inplace], [0.5, true], L.name);
    assert.match(layer.toString(), /p=0\.5, inplace=True/);
    const x = ramp([...shape]).abs().add(1);
    const y = layer.forward(x); // in training: x itself now holds the result
    assert.deepEqual(Array.from(x.dataSync()), Array.from(y.dataSync()), `${L.name} inplace`);
    const g = new (L as unknown as new (...a: unknown[]) => nn.Module & { p: number; inplace: boolean })(0.25, new Generator().manualSeed(1));
    assert.deepEqual([g.p, g.inplace], [0.25, false], `${L.name}(p, generator)`);
    throwsTensile(() => new (L as unknown as new (...a: unknown[]) => unknown)(0.5, true), new RegExp(`^${L.name}: generator must be a Generator, got true \\(PyTorch's positional inplace goes in the options`));
  }
  const ema = new optim.swaUtils.AveragedModel(new nn.Linear(2, 2), null, (a: Tensor, p: Tensor) => a.add(p), true);
  assert.equal(ema.useBuffers, true);
  assert.deepEqual([new optim.swaUtils.AveragedModel(new nn.Linear(2, 2), "cpu", { useBuffers: true }).useBuffers], [true]);
  throwsTensile(() => new optim.swaUtils.AveragedModel(new nn.Linear(2, 2), "cpu", null, false, 1 as never), /^AveragedModel: takes at most 3 positional arguments after model/);
  // torchvision's MNIST(root, train, ...): the first argument is the root folder
  throwsTensile(() => new data.datasets.MNIST("/nonexistent-mnist-root", false), /^MNIST: .*(t10k-images|not found).*\/nonexistent-mnist-root|^MNIST: .*\/nonexistent-mnist-root/);
  throwsTensile(() => new data.datasets.MNIST(3 as never), /^MNIST: the first argument \(options, or torchvision's root folder\) must be an options object/);
});

test("nn.functional refuses PyTorch's snake_case option names instead of ignoring them", () => {
  const x = ramp([2, 3]), y = tensor([0, 2]);
  throwsTensile(() => F.crossEntropy(x, y, { label_smoothing: 0.1 } as never), /^crossEntropy: unknown option "label_smoothing" \(Tensile's options are camelCase: "labelSmoothing"\)/);
  throwsTensile(() => F.nllLoss(x, y, { ignore_index: 1 } as never), /^nllLoss: unknown option "ignore_index" .*"ignoreIndex"/);
  const img = ramp([1, 1, 4, 4]), w = ramp([1, 1, 2, 2]);
  throwsTensile(() => F.conv2d(img, w, null, { padding_mode: "zeros" } as never), /^conv2d: unknown option "padding_mode" .*"paddingMode"/);
  // the camelCase names still work, and mean what the snake_case ones mean in torch
  assert.notDeepEqual(Array.from(F.crossEntropy(x, y, { labelSmoothing: 0.1 }).dataSync()), Array.from(F.crossEntropy(x, y).dataSync()));
  assert.deepEqual([...F.conv2d(img, w, null, { padding: 1 }).shape], [1, 1, 5, 5]);
});
