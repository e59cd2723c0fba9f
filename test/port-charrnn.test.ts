/**
 * Port of tools/gen-port-charrnn-fixtures.py: two sequence programs as PyTorch users write them,
 * compared with torch 1.13 in float64 on both backends.
 *
 * 1. A character-level language model (Embedding → 2-layer GRU → Linear) trained with truncated
 *    BPTT (the hidden state carried across batches, detached), CrossEntropyLoss over
 *    `logits.view(-1, V)`, clipGradNorm_(…, 0.5) and Adam; then temperature sampling (softmax of
 *    logits / T, the character picked from torch's uniforms by cumulative sum — torch.multinomial's
 *    generator cannot be matched, so Tensile's multinomial is only checked for valid draws) and
 *    greedy (argmax) generation.
 * 2. Time-series plumbing: sliding windows with `unfold(0, size, step)`, TensorDataset, torch's
 *    randomSplit indices through Subset (Tensile's generator differs; randomSplit's lengths from
 *    fractions are compared), DataLoader(shuffle false, dropLast), a Conv1d + LSTM forecaster with
 *    MSELoss, Adam and StepLR, early stopping that keeps a deep copy of the best state dict in
 *    memory and reloads it at the end.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import * as T from "../src/index.js";
import { data, nn, optim, type Tensor } from "../src/index.js";
import { type TensorSpec, decode } from "./helpers/fixtures.js";
import { close, closeTensor, spec } from "./helpers/port.js";
import { gradcheck } from "./helpers/gradcheck.js";

const F = nn.functional;
const fixturePath = (name: string) => fileURLToPath(new URL(`../fixtures/${name}`, import.meta.url));
const fx = JSON.parse(readFileSync(fixturePath("port-charrnn.json"), "utf8")) as {
  charRnn: {
    text: string; chars: string;
    config: { emb: number; hid: number; layers: number; seq: number; batch: number; steps: number; temperature: number; clip: number; sampleLen: number; greedyLen: number; prime: string };
    steps: { loss: number; gradNorm: number; hiddenSum: number }[]; finalHidden: TensorSpec; final: Record<string, TensorSpec>;
    uniforms: TensorSpec; firstProbs: TensorSpec; sampleHidden: TensorSpec; sampled: string; greedy: string;
  };
  forecaster: {
    config: { window: number; horizon: number; batch: number; epochs: number; patience: number };
    series: TensorSpec; windows: TensorSpec; trainIndices: number[]; valIndices: number[]; batchesPerEpoch: number; valBatches: number;
    losses: number[]; valLosses: number[]; lrs: number[]; bestEpoch: number; stoppedAt: number | null;
    final: Record<string, TensorSpec>; last: Record<string, TensorSpec>; forecast: TensorSpec; splitLengths: Record<string, number[]>;
  };
};

function closeStateDict(what: string, sd: Record<string, Tensor>, want: Record<string, TensorSpec>, rtol: number, atol: number): void {
  assert.deepEqual(Object.keys(sd), Object.keys(want), `${what}: keys`);
  for (const [k, v] of Object.entries(want)) closeTensor(`${what} ${k}`, sd[k]!, v, rtol, atol);
}

// ---- 1. the character-level language model, as a PyTorch user writes it ----

const L = fx.charRnn.config;

class CharRNN extends nn.Module {
  embed: nn.Embedding;
  gru: nn.GRU;
  fc: nn.Linear;
  constructor(vocab: number) {
    super();
    this.embed = new nn.Embedding(vocab, L.emb);
    this.gru = new nn.GRU(L.emb, L.hid, { numLayers: L.layers, batchFirst: true });
    this.fc = new nn.Linear(L.hid, vocab);
  }
  override forward(x: Tensor, hidden: Tensor | null = null): [Tensor, Tensor] {
    const [out, h] = this.gru.forward(this.embed.forward(x), hidden);
    return [this.fc.forward(out), h];
  }
}

function charRnn() {
  const chars = [...new Set(fx.charRnn.text)].sort();
  const stoi = new Map(chars.map((c, i) => [c, i]));
  const V = chars.length;
  const codes = [...fx.charRnn.text].map((c) => stoi.get(c)!);
  const n = Math.floor(codes.length / L.batch);
  const stream = T.tensor(codes, { dtype: "int32" }).index([`:${n * L.batch}`]).view(L.batch, n); // one stream per row

  const model = new CharRNN(V).double();
  model.loadStateDict(T.loadTorch<Record<string, Tensor>>(fixturePath("port-charrnn-init.pt")));
  const criterion = new nn.CrossEntropyLoss();
  const optimizer = new optim.Adam(model.parameters(), { lr: 5e-2 });
  let hidden: Tensor | null = null;
  const steps: { loss: number; gradNorm: number; hiddenSum: number }[] = [];
  let pos = 0;
  for (let step = 0; step < L.steps; step++) {
    if (pos + L.seq + 1 > n) [pos, hidden] = [0, null]; // back to the start: a fresh hidden state
    const x = stream.index([":", `${pos}:${pos + L.seq}`]), y = stream.index([":", `${pos + 1}:${pos + L.seq + 1}`]);
    pos += L.seq;
    if (hidden !== null) hidden = hidden.detach();
    let logits: Tensor;
    [logits, hidden] = model.forward(x, hidden);
    const loss = criterion.forward(logits.view(-1, V), y.reshape(-1));
    optimizer.zeroGrad();
    loss.backward();
    const norm = nn.utils.clipGradNorm_(model.parameters(), L.clip);
    optimizer.step();
    steps.push({ loss: loss.item(), gradNorm: norm.item(), hiddenSum: hidden.sum().item() });
  }

  // ---- generation ----
  model.eval();
  const uniforms = spec(fx.charRnn.uniforms).dataSync();
  return T.noGrad(() => {
    const prime = T.tensor([[...L.prime].map((c) => stoi.get(c)!)], { dtype: "int32" });
    let [logits, h] = model.forward(prime);
    const sampled: number[] = [], drawn: number[] = [];
    let firstProbs: Tensor | null = null;
    for (let k = 0; k < L.sampleLen; k++) {
      const probs = F.softmax(logits.index([0, -1]).div(L.temperature), { dim: -1 });
      firstProbs ??= probs;
      const idx = probs.cumsum({ dim: -1 }).lt(uniforms[k]!).sum().clamp({ max: V - 1 }).item();
      sampled.push(idx);
      drawn.push(T.multinomial(probs, 1).item()); // torch's own sampler: only its validity is comparable
      [logits, h] = model.forward(T.tensor([[idx]], { dtype: "int32" }), h);
    }
    const sampleHidden = h;
    [logits, h] = model.forward(prime);
    const greedy: number[] = [];
    for (let k = 0; k < L.greedyLen; k++) {
      const idx = logits.index([0, -1]).argmax().item();
      greedy.push(idx);
      [logits, h] = model.forward(T.tensor([[idx]], { dtype: "int32" }), h);
    }
    const text = (ids: number[]) => L.prime + ids.map((i) => chars[i]).join("");
    return { V, chars: chars.join(""), steps, hidden: hidden!, final: model.stateDict(), firstProbs: firstProbs!, sampleHidden, drawn,
      sampled: text(sampled), greedy: text(greedy) };
  });
}

for (const backend of ["reference", "wasm"] as const) {
  test(`port charrnn (${backend}): truncated-BPTT GRU language model and its generated text match torch`, () => {
    T.withBackend(backend, () => {
      const r = charRnn();
      assert.equal(r.chars, fx.charRnn.chars, "vocabulary");
      r.steps.forEach((st, i) => {
        const want = fx.charRnn.steps[i]!;
        close(`step ${i} loss`, st.loss, want.loss, 1e-9);
        close(`step ${i} clipGradNorm_ total norm`, st.gradNorm, want.gradNorm, 1e-9);
        close(`step ${i} hidden sum`, st.hiddenSum, want.hiddenSum, 1e-8, 1e-12);
      });
      closeTensor("final hidden", r.hidden, fx.charRnn.finalHidden, 1e-8, 1e-12);
      closeStateDict("final weights", r.final, fx.charRnn.final, 1e-8, 1e-12);
      closeTensor("first sampling probabilities", r.firstProbs, fx.charRnn.firstProbs, 1e-8, 1e-14);
      closeTensor("hidden after sampling", r.sampleHidden, fx.charRnn.sampleHidden, 1e-8, 1e-12);
      assert.equal(r.sampled, fx.charRnn.sampled, "temperature-sampled text");
      assert.equal(r.greedy, fx.charRnn.greedy, "greedy text");
      for (const d of r.drawn) assert.ok(Number.isInteger(d) && d >= 0 && d < r.V, `multinomial draw ${d} is a category`);
    });
  });
}

// ---- 2. the time-series forecaster ----

const C = fx.forecaster.config;

class Forecaster extends nn.Module {
  conv = new nn.Conv1d(1, 4, { kernelSize: 3, padding: 1 });
  lstm = new nn.LSTM(4, 8, { batchFirst: true });
  head = new nn.Linear(8, C.horizon);
  override forward(x: Tensor): Tensor { // x: [N, 1, window]
    const h = T.relu(this.conv.forward(x)).transpose(1, 2); // [N, window, 4]
    const [out] = this.lstm.forward(h);
    return this.head.forward(out.index([":", -1]));
  }
}

function forecaster() {
  const t = T.arange(fx.forecaster.series.shape[0]!, { dtype: "float64" });
  const series = T.sin(t.mul(0.35)).add(t.mul(0.02));
  const windows = series.unfold(0, C.window + C.horizon, 1); // [N, window + horizon], a view
  const X = windows.index([":", `:${C.window}`]).unsqueeze(1), Y = windows.index([":", `${C.window}:`]);
  const ds = new data.TensorDataset(X, Y);
  // torch's random_split(ds, [0.8, 0.2], generator=torch.Generator().manual_seed(0)), its indices given
  const [trainDs, valDs] = [new data.Subset(ds, fx.forecaster.trainIndices), new data.Subset(ds, fx.forecaster.valIndices)];
  const trainLoader = new data.DataLoader(trainDs, { batchSize: C.batch, shuffle: false, dropLast: true });
  const valLoader = new data.DataLoader(valDs, { batchSize: C.batch, shuffle: false });

  const model = new Forecaster().double();
  model.loadStateDict(T.loadTorch<Record<string, Tensor>>(fixturePath("port-charrnn-forecaster-init.pt")));
  const criterion = new nn.MSELoss();
  const optimizer = new optim.Adam(model.parameters(), { lr: 0.3 });
  const scheduler = new optim.lrScheduler.StepLR(optimizer, { stepSize: 2, gamma: 0.5 });
  const losses: number[] = [], valLosses: number[] = [], lrs: number[] = [];
  let best = Infinity, bestEpoch = -1, bestState: Record<string, Tensor> | null = null, bad = 0, stoppedAt: number | null = null;
  for (let epoch = 0; epoch < C.epochs; epoch++) {
    model.train();
    for (const [xb, yb] of trainLoader) {
      optimizer.zeroGrad();
      const loss = criterion.forward(model.forward(xb), yb);
      loss.backward();
      optimizer.step();
      losses.push(loss.item());
    }
    scheduler.step();
    lrs.push(optimizer.paramGroups[0]!.lr);
    model.eval();
    const val = T.noGrad(() => {
      let s = 0;
      for (const [xb, yb] of valLoader) s += criterion.forward(model.forward(xb), yb).item() * xb.shape[0]!;
      return s / valDs.length;
    });
    valLosses.push(val);
    if (val < best) [best, bestEpoch, bestState, bad] = [val, epoch, nn.deepcopy(model.stateDict()), 0];
    else if (++bad >= C.patience) {
      stoppedAt = epoch;
      break;
    }
  }
  const last = nn.deepcopy(model.stateDict());
  model.loadStateDict(bestState!);
  model.eval();
  const forecast = T.noGrad(() => model.forward(X.index([valDs.indices]))); // X[val_ds.indices]: a list as an index
  return { windows, trainLoader, valLoader, losses, valLosses, lrs, bestEpoch, stoppedAt, last, final: model.stateDict(), forecast };
}

for (const backend of ["reference", "wasm"] as const) {
  test(`port charrnn (${backend}): unfold windows, DataLoader, Conv1d + LSTM forecaster with StepLR and best-state early stopping match torch`, () => {
    T.withBackend(backend, () => {
      const r = forecaster();
      const f = fx.forecaster;
      closeTensor("unfold windows", r.windows, f.windows, 1e-15, 1e-15);
      assert.equal(r.trainLoader.length, f.batchesPerEpoch, "len(train_loader) with drop_last");
      assert.equal(r.valLoader.length, f.valBatches, "len(val_loader)");
      assert.equal(r.losses.length, f.losses.length, "steps");
      r.losses.forEach((l, i) => close(`step ${i} loss`, l, f.losses[i]!, 1e-9));
      r.valLosses.forEach((l, i) => close(`epoch ${i} val loss`, l, f.valLosses[i]!, 1e-9));
      r.lrs.forEach((l, i) => close(`epoch ${i} lr`, l, f.lrs[i]!, 1e-15));
      assert.equal(r.bestEpoch, f.bestEpoch, "best epoch");
      assert.equal(r.stoppedAt, f.stoppedAt, "early-stopping epoch");
      closeStateDict("last-epoch weights", r.last, f.last, 1e-8, 1e-12);
      closeStateDict("reloaded best weights", r.final, f.final, 1e-8, 1e-12);
      closeTensor("forecast", r.forecast, f.forecast, 1e-8, 1e-12);
    });
  });
}

test("port charrnn: randomSplit's lengths from fractions and sizes are torch's; its errors", () => {
  const ds = new data.TensorDataset(T.zeros([41, 1]));
  for (const [key, want] of Object.entries(fx.forecaster.splitLengths)) {
    const lengths = JSON.parse(key) as number[];
    assert.deepEqual(data.randomSplit(ds, lengths, new T.Generator().manualSeed(0)).map((s) => s.length), want, `randomSplit(ds, ${key})`);
  }
  const parts = data.randomSplit(ds, [0.8, 0.2], new T.Generator().manualSeed(0));
  assert.deepEqual([...parts[0]!.indices, ...parts[1]!.indices].sort((a, b) => a - b), Array.from({ length: 41 }, (_, i) => i), "a partition");
  assert.throws(() => data.randomSplit(ds, [20, 20]), /randomSplit: sum of input lengths \(40\) does not equal the length of the input dataset \(41\)/);
  assert.throws(() => data.randomSplit(ds, [0.5, 0.2]), /randomSplit: lengths must be integers summing to 41 or fractions summing to 1/);
  assert.throws(() => data.randomSplit(ds, [-1, 42]), /randomSplit: lengths must be non-negative/);
});

test("port charrnn: deepcopy(model.stateDict()) keeps the values at the copy while training goes on; the live state dict shares storage", () => {
  const lin = new nn.Linear(2, 1).double();
  const live = lin.stateDict(), copy = nn.deepcopy(lin.stateDict());
  const before = lin.weight.clone();
  T.noGrad(() => lin.weight.add_(1));
  closeTensor("live state dict follows the parameter", live["weight"]!, { shape: [1, 2], data: Array.from(lin.weight.dataSync(), Number) }, 0);
  closeTensor("deep copy keeps the old values", copy["weight"]!, { shape: [1, 2], data: Array.from(before.dataSync(), Number) }, 0);
  assert.equal(copy["weight"]!.requiresGrad, false, "a state dict's tensors are detached");
  assert.throws(() => nn.deepcopy(() => 1), /deepcopy: expected an nn.Module, a tensor or a structure of them \(a state dict\), got a function/);
});

for (const backend of ["reference", "wasm"] as const) {
  test(`port charrnn (${backend}): a Python list as an index (x[[1, 3]], x[:, [2, 0]], a bool list) as torch reads it; differentiable`, () => {
    T.withBackend(backend, () => {
      const X = T.arange(12, { dtype: "float64" }).view(4, 3);
      assert.deepEqual(Array.from(X.index([[1, -1]]).dataSync(), Number), [3, 4, 5, 9, 10, 11]);
      assert.deepEqual(Array.from(X.index([":", [2, 0]]).dataSync(), Number), [2, 0, 5, 3, 8, 6, 11, 9]);
      assert.deepEqual(Array.from(X.index([[true, false, false, true]]).dataSync(), Number), [0, 1, 2, 9, 10, 11]);
      assert.deepEqual(X.index([[[0, 1], [2, 3]]]).shape, [2, 2, 3]);
      assert.deepEqual(X.index([[]]).shape, [0, 3]);
      assert.deepEqual(X.index([1, 2]).item(), 5, "the outer array stays the tuple of items: x[1, 2]");
      const g = T.arange(4, { dtype: "float64", requiresGrad: true });
      g.index([[0, 0, 2]]).sum().backward();
      assert.deepEqual(Array.from(g.grad!.dataSync(), Number), [2, 0, 1, 0]);
      assert.throws(() => X.index([[1.5]]), /index: a list used as an index must hold integers or booleans only, got \[1.5\]/);
      assert.throws(() => X.index([[4]]), /index: index 4 is out of bounds for dimension 0 with size 4/);
    });
  });
}

test("port charrnn: gradcheck of list indexing (repeated rows, a bool list, a column list)", () => {
  const x0 = T.tensor([[0.3, -1.2, 0.7], [2.1, 0.4, -0.5], [1.1, -0.9, 0.2]], { dtype: "float64" });
  gradcheck((x) => x.index([[2, 0, 2]]), x0, "x[[2, 0, 2]]");
  gradcheck((x) => x.index([[true, false, true]]), x0, "x[[True, False, True]]");
  gradcheck((x) => x.index([":", [1, 1, 0]]).mul(x.index([[0, 2, 1]])), x0, "x[:, [1, 1, 0]] * x[[0, 2, 1]]");
});
