/**
 * Port of tools/gen-port-recsys-text-fixtures.py: a recommendation program (matrix factorisation with
 * sparse embeddings + SparseAdam and with dense ones + Adam(weightDecay); a neural-CF MLP trained with
 * the BPR loss; top-k recommendations with the seen items masked to -inf) and a text-classification
 * program (the torchtext tutorial's EmbeddingBag(mean) + Linear with SGD lr 5, StepLR and
 * clipGradNorm_; a Conv1d text CNN with kernel sizes 2, 3, 4 and max-over-time pooling, trained with
 * Adagrad and with Adadelta), written as a PyTorch user would write them in Tensile and compared
 * with torch 1.13 step by step in float64 on both backends.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import * as T from "../src/index.js";
import { F, nn, optim, type Tensor } from "../src/index.js";
import { type TensorSpec, assertClose, decode } from "./helpers/fixtures.js";
import { gradcheck } from "./helpers/gradcheck.js";

const fixtures = new URL("../fixtures/", import.meta.url);
type Sentence = [number, number[]];
interface ModelOut { final: Record<string, TensorSpec>; scores: TensorSpec; topValues: TensorSpec; topIndices: TensorSpec }
interface CnnRun { losses: number[]; accuracies: number[]; final: Record<string, TensorSpec>; testLogits: TensorSpec; testPredictions: TensorSpec; testAccuracy: number }
const fx = JSON.parse(readFileSync(new URL("port-recsys-text.json", fixtures), "utf8")) as {
  config: { ckptStep: number; nUsers: number; nItems: number; dim: number; topk: number; vocab: number; embed: number; nClass: number; txBatch: number;
    epochs: number; batchesPerEpoch: number; cnnChannels: number; kernels: number[]; cnnSteps: number };
  recsys: { users: TensorSpec; items: TensorSpec; ratings: TensorSpec; seen: TensorSpec; batches: TensorSpec[]; bpr: TensorSpec[];
    sparseLosses: number[]; denseLosses: number[]; bprLosses: number[]; sparse: ModelOut; dense: ModelOut; ncf: ModelOut;
    reprs: { mfSparse: string; ncf: string }; topAllValues: TensorSpec; topAllIndices: TensorSpec;
    sparseAdamUnit: { weight0: TensorSpec; lookups: number[][]; weight: TensorSpec; expAvg: TensorSpec; expAvgSq: TensorSpec; step: number } };
  text: {
    data: { train: Sentence[]; valid: Sentence[]; test: Sentence[]; orders: TensorSpec[] };
    bag: { steps: { loss: number; gradNorm: number; lr: number }[]; epochs: { trainAccuracy: number; validAccuracy: number; lr: number }[];
      final: Record<string, TensorSpec>; testLogits: TensorSpec; testPredictions: TensorSpec; testAccuracy: number };
    cnn: Record<"adagrad" | "adadelta", CnnRun>;
    reprs: { bag: string; cnn: string };
  };
};
const init = T.loadTorch<Record<"mf" | "ncf" | "bag" | "cnn", Record<string, Tensor>>>(new URL("port-recsys-text-init.pt", fixtures).pathname);
const C = fx.config;
const BACKENDS = ["reference", "wasm"] as const;
const spec = (s: TensorSpec): Tensor => T.tensor(s.data.map(decode), { shape: s.shape, dtype: s.dtype ?? "float64" });

function close(what: string, got: number, want: number, rtol: number, atol = 0): void {
  assert.ok(Math.abs(got - want) <= atol + rtol * Math.abs(want), `${what}: got ${got}, torch ${want} (rtol ${rtol})`);
}
function closeState(what: string, sd: Record<string, Tensor>, want: Record<string, TensorSpec>, rtol: number, atol: number): void {
  assert.deepEqual(Object.keys(sd), Object.keys(want), `${what}: state-dict keys`);
  for (const [k, w] of Object.entries(want)) assertClose(`${what} ${k}`, sd[k]!, w, rtol, atol);
}
const ints = (t: Tensor): number[] => Array.from(t.dataSync(), Number);

// ---------------------------------------------------------------- recommendation, as a user writes it

class MF extends nn.Module {
  user: nn.Embedding; item: nn.Embedding; userBias: nn.Embedding; itemBias: nn.Embedding;
  constructor(sparse: boolean) {
    super();
    this.user = new nn.Embedding(C.nUsers, C.dim, { sparse });
    this.item = new nn.Embedding(C.nItems, C.dim, { sparse });
    this.userBias = new nn.Embedding(C.nUsers, 1, { sparse });
    this.itemBias = new nn.Embedding(C.nItems, 1, { sparse });
  }
  override forward(u: Tensor, i: Tensor): Tensor {
    const dot = this.user.forward(u).mul(this.item.forward(i)).sum(1);
    return dot.add(this.userBias.forward(u).squeeze(1)).add(this.itemBias.forward(i).squeeze(1));
  }
  allScores(): Tensor {
    return this.user.weight.matmul(this.item.weight.t()).add(this.userBias.weight).add(this.itemBias.weight.t());
  }
}

class NCF extends nn.Module {
  user = new nn.Embedding(C.nUsers, C.dim);
  item = new nn.Embedding(C.nItems, C.dim);
  mlp = new nn.Sequential(new nn.Linear(2 * C.dim, 8), new nn.ReLU(), new nn.Linear(8, 1));
  override forward(u: Tensor, i: Tensor): Tensor {
    return this.mlp.forward(T.cat([this.user.forward(u), this.item.forward(i)], 1)).squeeze(1);
  }
  allScores(): Tensor {
    const u = T.arange(C.nUsers).repeatInterleave(C.nItems);
    const i = T.arange(C.nItems).repeat(C.nUsers);
    return this.forward(u, i).view(C.nUsers, C.nItems);
  }
}

/** PyTorch's state-dict names are snake_case attributes: map ours (userBias) to theirs (user_bias). */
const snake = (sd: Record<string, Tensor>): Record<string, Tensor> =>
  Object.fromEntries(Object.entries(sd).map(([k, v]) => [k.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`), v]));
const camel = (sd: Record<string, Tensor>): Record<string, Tensor> =>
  Object.fromEntries(Object.entries(sd).map(([k, v]) => [k.replace(/_([a-z])/g, (_m, c: string) => c.toUpperCase()), v]));

function recommend(scores: Tensor, seen: Tensor): { values: Tensor; indices: Tensor } {
  const masked = scores.maskedFill(seen, -Infinity);
  return T.topk(masked, C.topk, 1);
}

function trainMF(model: MF, optimizer: optim.Optimizer, users: Tensor, items: Tensor, ratings: Tensor, from = 0): number[] {
  const criterion = new nn.MSELoss();
  return fx.recsys.batches.slice(from).map((b) => {
    const idx = spec(b);
    optimizer.zeroGrad();
    const loss = criterion.forward(model.forward(users.index([idx]), items.index([idx])), ratings.index([idx]));
    loss.backward();
    optimizer.step();
    return loss.item();
  });
}

function recsys() {
  const r = fx.recsys;
  const users = spec(r.users), items = spec(r.items), ratings = spec(r.ratings), seen = spec(r.seen);
  const mfSparse = new MF(true).double();
  mfSparse.loadStateDict(camel(init.mf));
  const mfDense = new MF(false).double();
  mfDense.loadStateDict(mfSparse.stateDict());
  const ncf = new NCF().double();
  ncf.loadStateDict(init.ncf);

  const sparseLosses = trainMF(mfSparse, new optim.SparseAdam([...mfSparse.parameters()], { lr: 0.05 }), users, items, ratings);
  const denseLosses = trainMF(mfDense, new optim.Adam(mfDense.parameters(), { lr: 0.05, weightDecay: 1e-3 }), users, items, ratings);

  const opt = new optim.Adam(ncf.parameters(), { lr: 0.02, weightDecay: 1e-4 });
  const bprLosses = r.bpr.map((b) => {
    const rows = spec(b);
    opt.zeroGrad();
    const pos = ncf.forward(rows.index([":", 0]), rows.index([":", 1]));
    const neg = ncf.forward(rows.index([":", 0]), rows.index([":", 2]));
    const loss = F.logsigmoid(pos.sub(neg)).mean().neg();
    loss.backward();
    opt.step();
    return loss.item();
  });
  const outs = Object.fromEntries(([["sparse", mfSparse], ["dense", mfDense], ["ncf", ncf]] as const).map(([name, model]) => {
    const scores = T.noGrad(() => model.allScores());
    const top = recommend(scores, seen);
    return [name, { final: name === "ncf" ? model.stateDict() : snake(model.stateDict()), scores, top }];
  }));
  // every unseen item, ranked: k past the unseen count leaves -inf entries, tied
  const all = T.topk(T.noGrad(() => mfDense.allScores()).maskedFill(seen, -Infinity), C.nItems - 5, 1);
  return { sparseLosses, denseLosses, bprLosses, outs, all, reprs: { mfSparse: mfSparse.toString(), ncf: ncf.toString() } };
}

for (const backend of BACKENDS) {
  test(`port recsys (${backend}): MF with SparseAdam and with Adam(weightDecay), neural CF with BPR, top-k match torch`, () => {
    T.withBackend(backend, () => {
      const got = recsys();
      const r = fx.recsys;
      for (const [name, want] of [["sparseLosses", r.sparseLosses], ["denseLosses", r.denseLosses], ["bprLosses", r.bprLosses]] as const) {
        assert.equal(got[name].length, want.length);
        got[name].forEach((v, i) => close(`${name}[${i}]`, v, want[i]!, 1e-9));
      }
      for (const name of ["sparse", "dense", "ncf"] as const) {
        const o = got.outs[name]!, w = r[name];
        closeState(`${name} final`, o.final, w.final, 1e-8, 1e-12);
        assertClose(`${name} scores`, o.scores, w.scores, 1e-8, 1e-12);
        assertClose(`${name} top-k values`, o.top.values, w.topValues, 1e-8, 1e-12);
        assert.deepEqual(ints(o.top.indices), w.topIndices.data, `${name}: top-k recommended items`);
      }
      assertClose("all unseen, ranked: values", got.all.values, r.topAllValues, 1e-8, 1e-12);
      // torch 1.13's CPU topk orders tied values as its selection algorithm leaves them (not by index:
      // topk([1, -inf, 3, -inf, 2, -inf], 6) gives 2, 4, 0, 3, 5, 1), and when k cuts through a run of
      // ties, which of them it keeps is as arbitrary; Tensile's ties keep index order (the first ones).
      // So a run of ties compares as a set, and the run k cuts through (the -inf seen items) by size,
      // each index checked to be one of the tied (seen) items; everything else position by position.
      const seen = ints(spec(r.seen));
      const gotRuns = tieGroups(got.all.values, got.all.indices), wantRuns = tieGroups(spec(r.topAllValues), spec(r.topAllIndices));
      gotRuns.forEach((runs, row) => {
        const last = runs.length - 1;
        if (Number.isFinite(got.all.values.index([row, -1]).item())) assert.deepEqual(runs, wantRuns[row], `row ${row}: ranked unseen items`);
        else {
          assert.deepEqual(runs.slice(0, last), wantRuns[row]!.slice(0, last), `row ${row}: ranked unseen items`);
          assert.equal(runs[last]!.length, wantRuns[row]![last]!.length, `row ${row}: number of -inf (seen) fillers`);
          for (const i of runs[last]!) assert.equal(seen[row * C.nItems + i], 1, `row ${row}: filler ${i} is a seen item`);
        }
      });
    });
  });

  test(`port recsys (${backend}): resuming the SparseAdam run from torch's checkpoint ends where torch's run ends`, () => {
    T.withBackend(backend, () => {
      const r = fx.recsys;
      const ckpt = T.loadTorch<{ step: number; model: Record<string, Tensor>; optimizer: optim.OptimizerStateDict }>(new URL("port-recsys-text-ckpt.pt", fixtures).pathname);
      assert.equal(ckpt.step, C.ckptStep);
      const model = new MF(true).double();
      model.loadStateDict(camel(ckpt.model));
      const opt = new optim.SparseAdam([...model.parameters()], { lr: 0.05 });
      opt.loadStateDict(ckpt.optimizer);
      assert.equal((opt.state.get(model.user.weight)!.step as number), C.ckptStep, "SparseAdam's step count (a Python int in torch's file)");
      const losses = trainMF(model, opt, spec(r.users), spec(r.items), spec(r.ratings), C.ckptStep);
      losses.forEach((v, i) => close(`resumed loss ${C.ckptStep + i}`, v, r.sparseLosses[C.ckptStep + i]!, 1e-9));
      closeState("resumed sparse final", snake(model.stateDict()), r.sparse.final, 1e-8, 1e-12);
      // Tensile's state dict has torch's layout and key names ...
      const mine = opt.stateDict();
      assert.deepEqual(Object.keys(mine.param_groups[0]!).sort(), Object.keys(ckpt.optimizer.param_groups[0]!).sort(), "param_groups keys");
      assert.deepEqual(Object.keys(mine.state["0"]!).sort(), Object.keys(ckpt.optimizer.state["0"]!).sort(), "per-parameter state keys");
      // ... and round-trips through torch's file format
      const again = new optim.SparseAdam([...model.parameters()], { lr: 0.05 });
      again.loadStateDict(T.loadTorchBytes<optim.OptimizerStateDict>(T.saveTorchBytes(opt.stateDict())));
      for (const p of model.parameters()) {
        const a = opt.state.get(p)!, b = again.state.get(p)!;
        assert.equal(b.step, a.step);
        assert.deepEqual(Array.from((b.expAvgSq as Tensor).dataSync()), Array.from((a.expAvgSq as Tensor).dataSync()));
      }
    });
  });

  test(`port recsys (${backend}): SparseAdam alone — maximize, own betas/eps, a padding row it leaves alone — matches torch`, () => {
    T.withBackend(backend, () => {
      const u = fx.recsys.sparseAdamUnit;
      const emb = new nn.Embedding(6, 3, { paddingIdx: 0, sparse: true }).double();
      T.noGrad(() => emb.weight.copy_(spec(u.weight0)));
      const opt = new optim.SparseAdam(emb.parameters(), { lr: 0.1, betas: [0.8, 0.95], eps: 1e-6, maximize: true });
      for (const ids of u.lookups) {
        opt.zeroGrad();
        const out = emb.forward(T.tensor(ids));
        out.mul(T.linspace(-1.0, 1.5, out.numel(), { dtype: "float64" }).viewAs(out)).sum().backward();
        opt.step();
      }
      const st = opt.state.get(emb.weight)!;
      assertClose("weight", emb.weight, u.weight, 1e-12, 1e-15);
      assertClose("exp_avg", st.expAvg as Tensor, u.expAvg, 1e-12, 1e-15);
      assertClose("exp_avg_sq", st.expAvgSq as Tensor, u.expAvgSq, 1e-12, 1e-15);
      assert.equal(st.step, u.step);
    });
  });
}

test("port recsys: nn.Embedding({ sparse: true }) prints as torch's; SparseAdam's errors", () => {
  T.withBackend("reference", () => {
    const got = recsysReprs();
    assert.equal(got.mfSparse, snakeRepr(fx.recsys.reprs.mfSparse));
    assert.equal(got.ncf, fx.recsys.reprs.ncf);
  });
  const p = [new nn.Embedding(3, 2, { sparse: true }).weight];
  assert.throws(() => new nn.Embedding(3, 2, { sparse: 1 as unknown as boolean }), /Embedding: sparse should be a boolean value, but got sparse=1/);
  // the tutorial's sparse EmbeddingBag is accepted (dense gradient); offsets given as a JS list are named in the error
  const bag = new nn.EmbeddingBag(5, 2, { mode: "mean", sparse: true });
  assert.equal(bag.sparse, true);
  assert.throws(() => bag.forward(T.tensor([1, 2, 3]), [0, 2] as unknown as Tensor), /embeddingBag: offsets has to be a 1D Tensor but got \[0,2\] \(a list: pass tensor\(offsets\)\)/);
  assert.throws(() => new optim.SparseAdam(p, { lr: 0 }), /SparseAdam: invalid learning rate: 0/);
  assert.throws(() => new optim.SparseAdam(p, { eps: 0 }), /SparseAdam: invalid epsilon value: 0/);
  assert.throws(() => new optim.SparseAdam(p, { betas: [1, 0.9] }), /SparseAdam: invalid beta parameter at index 0: 1/);
  assert.throws(() => new optim.SparseAdam(p, { weightDecay: 0.1 } as optim.SparseAdamOptions), /SparseAdam: unknown option "weightDecay"/);
  const scalar = T.tensor(1.5, { dtype: "float64", requiresGrad: true });
  const opt = new optim.SparseAdam([scalar], 0.1);
  scalar.mul(2).backward();
  assert.throws(() => opt.step(), /SparseAdam: parameter 0 is 0-d/);
});

/** Each row of a topk result as its runs of equal values, each run's indices sorted: the order ties cannot fix. */
function tieGroups(values: Tensor, indices: Tensor): number[][][] {
  const [rows, k] = values.shape as [number, number];
  const v = Array.from(values.dataSync(), Number), ix = ints(indices);
  return Array.from({ length: rows }, (_, r) => {
    const runs: number[][] = [];
    for (let j = 0; j < k; j++) {
      if (j > 0 && v[r * k + j] === v[r * k + j - 1]) runs[runs.length - 1]!.push(ix[r * k + j]!);
      else runs.push([ix[r * k + j]!]);
    }
    return runs.map((g) => g.sort((a, b) => a - b));
  });
}

/** The reprs of the two recommendation models (untrained: a repr shows no values). */
function recsysReprs(): { mfSparse: string; ncf: string } {
  return { mfSparse: new MF(true).toString(), ncf: new NCF().toString() };
}
/** torch's repr names the bias tables user_bias / item_bias; ours are camelCase attributes. */
const snakeRepr = (s: string): string => s.replace("(user_bias)", "(userBias)").replace("(item_bias)", "(itemBias)");

// ---------------------------------------------------------------- text classification, as a user writes it

class TextClassificationModel extends nn.Module {
  embedding = new nn.EmbeddingBag(C.vocab, C.embed, { mode: "mean" });
  fc = new nn.Linear(C.embed, C.nClass);
  override forward(text: Tensor, offsets: Tensor): Tensor {
    return this.fc.forward(this.embedding.forward(text, offsets));
  }
}

class TextCNN extends nn.Module {
  embedding = new nn.Embedding(C.vocab, C.embed, { paddingIdx: 0 });
  convs = new nn.ModuleList(C.kernels.map((k) => new nn.Conv1d(C.embed, C.cnnChannels, k)));
  fc = new nn.Linear(C.cnnChannels * C.kernels.length, C.nClass);
  override forward(x: Tensor): Tensor {
    const e = this.embedding.forward(x).transpose(1, 2); // [B, L, E] -> [B, E, L]
    const pooled = [...this.convs].map((conv, j) => {
      const h = F.relu(conv.forward(e));
      return j < 2 ? F.maxPool1d(h, h.shape[2]!).squeeze(2) : h.max(2).values;
    });
    return this.fc.forward(T.cat(pooled, 1));
  }
}

/** The tutorial's collate_batch: labels, every sentence's tokens in one flat tensor, and offsets. */
function collateBag(batch: Sentence[]): [Tensor, Tensor, Tensor] {
  const labels = T.tensor(batch.map((b) => b[0]), { dtype: "int32" });
  const text = T.tensor(batch.flatMap((b) => b[1]), { dtype: "int32" });
  const offsets = T.tensor([0, ...batch.slice(0, -1).map((b) => b[1].length)], { dtype: "int32" }).cumsum(0);
  return [labels, text, offsets];
}
function collatePad(batch: Sentence[], length = 8): [Tensor, Tensor] {
  const labels = T.tensor(batch.map((b) => b[0]), { dtype: "int32" });
  const x = T.zeros([batch.length, length], { dtype: "int32" });
  batch.forEach(([, toks], r) => x.index([r, `:${toks.length}`]).copy_(T.tensor(toks, { dtype: "int32" })));
  return [labels, x];
}

function textBag() {
  const { train, valid, test: testSet, orders } = fx.text.data;
  const model = new TextClassificationModel().double();
  model.loadStateDict(init.bag);
  const criterion = new nn.CrossEntropyLoss();
  const optimizer = new optim.SGD(model.parameters(), { lr: 5 });
  const scheduler = new optim.lrScheduler.StepLR(optimizer, 1.0, 0.1);
  let totalAccu: number | null = null;
  const steps: { loss: number; gradNorm: number; lr: number }[] = [];
  const epochs: { trainAccuracy: number; validAccuracy: number; lr: number }[] = [];
  const [vl, vx, vo] = collateBag(valid);
  for (let epoch = 0; epoch < C.epochs; epoch++) {
    model.train();
    let correct = 0, count = 0;
    const order = ints(spec(orders[epoch]!));
    for (let b = 0; b < C.batchesPerEpoch; b++) {
      const [label, text, offsets] = collateBag(order.slice(b * C.txBatch, (b + 1) * C.txBatch).map((i) => train[i]!));
      optimizer.zeroGrad();
      const predicted = model.forward(text, offsets);
      const loss = criterion.forward(predicted, label);
      loss.backward();
      const norm = nn.utils.clipGradNorm_(model.parameters(), 0.1);
      optimizer.step();
      correct += predicted.argmax(1).eq(label).sum().item();
      count += label.size(0);
      steps.push({ loss: loss.item(), gradNorm: norm.item(), lr: optimizer.paramGroups[0]!.lr });
    }
    model.eval();
    const accuVal = T.noGrad(() => model.forward(vx, vo).argmax(1).eq(vl).sum().item() / vl.size(0));
    if (totalAccu !== null && totalAccu > accuVal) scheduler.step();
    else totalAccu = accuVal;
    epochs.push({ trainAccuracy: correct / count, validAccuracy: accuVal, lr: scheduler.getLastLr()[0]! });
  }
  const [tl, tx, to] = collateBag(testSet);
  const logits = T.noGrad(() => model.forward(tx, to));
  return { steps, epochs, final: model.stateDict(), logits, testAccuracy: logits.argmax(1).eq(tl).double().mean().item() };
}

function textCnn(name: "adagrad" | "adadelta") {
  const { train, test: testSet, orders } = fx.text.data;
  const flatOrder = orders.flatMap((o) => ints(spec(o)));
  const model = new TextCNN().double();
  model.loadStateDict(init.cnn);
  const opt = name === "adagrad"
    ? new optim.Adagrad(model.parameters(), { lr: 0.1, lrDecay: 0.01, weightDecay: 1e-4 })
    : new optim.Adadelta(model.parameters(), { lr: 1.0, rho: 0.9, weightDecay: 1e-4 });
  const losses: number[] = [], accuracies: number[] = [];
  for (let s = 0; s < C.cnnSteps; s++) {
    const start = (s * C.txBatch) % flatOrder.length;
    const [label, x] = collatePad(flatOrder.slice(start, start + C.txBatch).map((i) => train[i]!));
    opt.zeroGrad();
    const logits = model.forward(x);
    const loss = F.crossEntropy(logits, label);
    loss.backward();
    opt.step();
    losses.push(loss.item());
    accuracies.push(logits.argmax(1).eq(label).double().mean().item());
  }
  model.eval();
  const [tl, tx] = collatePad(testSet);
  const logits = T.noGrad(() => model.forward(tx));
  return { losses, accuracies, final: model.stateDict(), logits, testAccuracy: logits.argmax(1).eq(tl).double().mean().item() };
}

for (const backend of BACKENDS) {
  test(`port text (${backend}): EmbeddingBag(mean) classifier with SGD, StepLR and clipGradNorm_ matches torch`, () => {
    T.withBackend(backend, () => {
      const got = textBag();
      const want = fx.text.bag;
      assert.equal(got.steps.length, want.steps.length);
      got.steps.forEach((s, i) => {
        close(`step ${i} loss`, s.loss, want.steps[i]!.loss, 1e-9);
        close(`step ${i} grad norm`, s.gradNorm, want.steps[i]!.gradNorm, 1e-9);
        close(`step ${i} lr`, s.lr, want.steps[i]!.lr, 1e-15);
      });
      got.epochs.forEach((e, i) => {
        assert.equal(e.trainAccuracy, want.epochs[i]!.trainAccuracy, `epoch ${i} train accuracy`);
        assert.equal(e.validAccuracy, want.epochs[i]!.validAccuracy, `epoch ${i} valid accuracy`);
        close(`epoch ${i} lr`, e.lr, want.epochs[i]!.lr, 1e-15);
      });
      closeState("bag final", got.final, want.final, 1e-8, 1e-12);
      assertClose("bag test logits", got.logits, want.testLogits, 1e-8, 1e-12);
      assert.deepEqual(ints(got.logits.argmax(1)), want.testPredictions.data);
      assert.equal(got.testAccuracy, want.testAccuracy);
    });
  });

  for (const name of ["adagrad", "adadelta"] as const) {
    test(`port text (${backend}): Conv1d text CNN (kernels 2, 3, 4, max over time) with ${name} matches torch`, () => {
      T.withBackend(backend, () => {
        const got = textCnn(name);
        const want = fx.text.cnn[name];
        got.losses.forEach((l, i) => close(`step ${i} loss`, l, want.losses[i]!, 1e-9));
        assert.deepEqual(got.accuracies, want.accuracies, "per-step batch accuracy");
        closeState(`cnn ${name} final`, got.final, want.final, 1e-8, 1e-12);
        assertClose(`cnn ${name} test logits`, got.logits, want.testLogits, 1e-8, 1e-12);
        assert.deepEqual(ints(got.logits.argmax(1)), want.testPredictions.data);
        assert.equal(got.testAccuracy, want.testAccuracy);
      });
    });
  }
}

test("port text: the two models print as torch's", () => {
  assert.equal(new TextClassificationModel().toString(), fx.text.reprs.bag);
  assert.equal(new TextCNN().toString(), fx.text.reprs.cnn);
});

test("port recsys-text: float64 gradchecks of the programs' composites (sparse lookup + BPR, bag mean, conv + max over time)", () => {
  const w0 = T.tensor(Array.from({ length: 18 }, (_, i) => Math.sin(0.7 * i + 0.3)), { dtype: "float64" }).reshape([6, 3]);
  const u = T.tensor([1, 4, 2]), pos = T.tensor([0, 3, 5]), neg = T.tensor([5, 2, 0]);
  const v = T.tensor(Array.from({ length: 18 }, (_, i) => Math.cos(1.1 * i)), { dtype: "float64" }).reshape([6, 3]);
  // BPR on MF scores, the user table looked up with sparse: true
  gradcheck((w) => {
    const uw = F.embedding(u, w, { sparse: true });
    const score = (items: Tensor) => uw.mul(F.embedding(items, v)).sum(1);
    return F.logsigmoid(score(pos).sub(score(neg))).mean().neg();
  }, w0, "BPR through a sparse embedding");
  gradcheck((w) => F.embeddingBag(T.tensor([0, 2, 2, 5, 1, 3, 4]), w, T.tensor([0, 3, 4]), { mode: "mean" }), w0, "embeddingBag mean with offsets");
  const cw0 = T.tensor(Array.from({ length: 24 }, (_, i) => Math.sin(0.37 * i - 1)), { dtype: "float64" }).reshape([2, 3, 4]);
  const x = T.tensor(Array.from({ length: 2 * 3 * 7 }, (_, i) => Math.cos(0.53 * i)), { dtype: "float64" }).reshape([2, 3, 7]);
  gradcheck((cw) => {
    const h = F.relu(F.conv1d(x, cw));
    return T.cat([F.maxPool1d(h, h.shape[2]!).squeeze(2), h.max(2).values.mul(0.5)], 1);
  }, cw0, "conv1d → relu → max over time");
});
