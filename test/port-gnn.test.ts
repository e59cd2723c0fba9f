/**
 * Port of tools/gen-port-gnn-fixtures.py: graph neural networks written with plain tensor ops, the
 * way GNN tutorials write them without torch_geometric: a two-layer GCN (self loops by cat + arange,
 * degrees by indexAdd_ / scatterAdd_, D^-1/2 with the isolated node's inf masked to 0, messages
 * gathered by x[col] and summed by indexAdd_ / scatterAdd_), a two-head GAT (LeakyReLU edge scores, a
 * segment softmax with scatterReduce("amax", includeSelf false) + indexAdd_), and a graph classifier
 * with global mean pooling (indexAdd_ / bincount) over a batch of 3 graphs. Each is trained in float64
 * on both backends and compared with torch 1.13 step by step: losses, accuracies on the masks, final
 * weights, attention coefficients.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import * as T from "../src/index.js";
import { F, nn, optim, type Tensor } from "../src/index.js";
import { type TensorSpec, assertClose, decode } from "./helpers/fixtures.js";
import { gradcheck } from "./helpers/gradcheck.js";

const fixtures = new URL("../fixtures/", import.meta.url);
interface NodeRun { losses: number[]; trainAcc: number[]; valAcc: number[]; final: Record<string, TensorSpec>; logProbs: TensorSpec }
const fx = JSON.parse(readFileSync(new URL("port-gnn.json", fixtures), "utf8")) as {
  config: { n: number; fIn: number; hidden: number; nClass: number; heads: number; gatHidden: number; graphSizes: number[] };
  graph: { edgeIndex: TensorSpec; x: TensorSpec; y: TensorSpec; trainMask: TensorSpec; valMask: TensorSpec };
  batch: { x: TensorSpec; edgeIndex: TensorSpec; batch: TensorSpec; y: TensorSpec };
  gcn: NodeRun & { pred: TensorSpec };
  gat: NodeRun & { alpha1: TensorSpec; alpha2: TensorSpec };
  pool: { losses: number[]; final: Record<string, TensorSpec>; logits: TensorSpec; pooled: TensorSpec; pred: TensorSpec };
};
const init = T.loadTorch<Record<"gcn" | "gat" | "pool", Record<string, Tensor>>>(new URL("port-gnn-init.pt", fixtures).pathname);
const C = fx.config;
const BACKENDS = ["reference", "wasm"] as const;
const spec = (s: TensorSpec): Tensor => T.tensor(s.data.map(decode), { shape: s.shape, dtype: s.dtype ?? "float64" });

function close(what: string, got: number, want: number, rtol: number): void {
  assert.ok(Math.abs(got - want) <= rtol * Math.abs(want), `${what}: got ${got}, torch ${want} (rtol ${rtol})`);
}
function closeState(what: string, sd: Record<string, Tensor>, want: Record<string, TensorSpec>): void {
  assert.deepEqual(Object.keys(sd).sort(), Object.keys(want).sort(), `${what}: state-dict keys`);
  for (const [k, w] of Object.entries(want)) assertClose(`${what} ${k}`, sd[k]!, w, 1e-8, 1e-12);
}

// ---------------------------------------------------------------- GCN, as a user writes it

class GCNLayer extends nn.Module {
  lin: nn.Linear; bias: nn.Parameter;
  constructor(cin: number, cout: number, private selfLoops = true, private scatter = false) {
    super();
    this.lin = new nn.Linear(cin, cout, { bias: false });
    this.bias = new nn.Parameter(T.zeros(cout));
  }
  override forward(x: Tensor, edgeIndex: Tensor): Tensor {
    const n = x.size(0);
    if (this.selfLoops) {
      const loop = T.arange(n).unsqueeze(0).repeat(2, 1);
      edgeIndex = T.cat([edgeIndex, loop], { dim: 1 });
    }
    const [row, col] = edgeIndex.unbind(0) as [Tensor, Tensor];
    const ones = T.ones(row.size(0), { dtype: x.dtype });
    const deg = this.scatter
      ? T.zeros(n, { dtype: x.dtype }).scatterAdd_(0, row, ones)
      : T.zeros(n, { dtype: x.dtype }).indexAdd_(0, row, ones);
    const degInvSqrt = deg.pow(-0.5);
    degInvSqrt.maskedFill_(degInvSqrt.eq(Infinity), 0);
    const norm = degInvSqrt.index([row]).mul(degInvSqrt.index([col]));
    const h = this.lin.forward(x);
    const msg = h.index([col]).mul(norm.index([":", null]));
    const out = this.scatter
      ? T.zerosLike(h).scatterAdd_(0, row.unsqueeze(1).expand(-1, h.size(1)), msg)
      : T.zerosLike(h).indexAdd_(0, row, msg);
    return out.add(this.bias);
  }
}

class GCN extends nn.Module {
  conv1 = new GCNLayer(C.fIn, C.hidden);
  conv2 = new GCNLayer(C.hidden, C.nClass, false, true);
  override forward(x: Tensor, edgeIndex: Tensor): Tensor {
    x = F.relu(this.conv1.forward(x, edgeIndex));
    x = F.dropout(x, { p: 0.0, training: this.training });
    x = this.conv2.forward(x, edgeIndex);
    return F.logSoftmax(x, { dim: 1 });
  }
}

// ---------------------------------------------------------------- GAT

class GATLayer extends nn.Module {
  lin: nn.Linear; att: nn.Parameter; bias: nn.Parameter;
  alpha: Tensor | null = null;
  constructor(cin: number, private cout: number, private heads: number, private concat = true) {
    super();
    this.lin = new nn.Linear(cin, heads * cout, { bias: false });
    this.att = new nn.Parameter(T.empty(heads, 2 * cout));
    nn.init.xavierUniform_(this.att);
    this.bias = new nn.Parameter(T.zeros(concat ? heads * cout : cout));
  }
  override forward(x: Tensor, edgeIndex: Tensor): Tensor {
    const n = x.size(0);
    const loop = T.arange(n).unsqueeze(0).repeat(2, 1);
    const [row, col] = T.cat([edgeIndex, loop], { dim: 1 }).unbind(0) as [Tensor, Tensor];
    const h = this.lin.forward(x).view(n, this.heads, this.cout);
    const pair = T.cat([h.index([row]), h.index([col])], { dim: -1 }); // [E, heads, 2 * cout]: [Wh_i || Wh_j]
    const e = F.leakyRelu(pair.mul(this.att).sum({ dim: -1 }), { negativeSlope: 0.2 }); // [E, heads]
    const index = row.unsqueeze(1).expand(-1, this.heads);
    const eMax = T.zeros(n, this.heads, { dtype: x.dtype }).scatterReduce(0, index, e, "amax", { includeSelf: false });
    const ex = e.sub(eMax.index([row])).exp();
    const denom = T.zeros(n, this.heads, { dtype: x.dtype }).indexAdd_(0, row, ex);
    const alpha = ex.div(denom.index([row]));
    this.alpha = alpha.detach();
    let out = T.zerosLike(h).indexAdd_(0, row, h.index([col]).mul(alpha.unsqueeze(-1)));
    out = this.concat ? out.reshape(n, -1) : out.mean({ dim: 1 });
    return out.add(this.bias);
  }
}

class GAT extends nn.Module {
  conv1 = new GATLayer(C.fIn, C.gatHidden, C.heads);
  conv2 = new GATLayer(C.heads * C.gatHidden, C.nClass, 1, false);
  override forward(x: Tensor, edgeIndex: Tensor): Tensor {
    x = F.dropout(x, { p: 0.0, training: this.training });
    x = F.elu(this.conv1.forward(x, edgeIndex));
    x = this.conv2.forward(x, edgeIndex);
    return F.logSoftmax(x, { dim: 1 });
  }
}

// ---------------------------------------------------------------- graph classification

function globalMeanPool(h: Tensor, batch: Tensor, numGraphs: number): Tensor {
  const sums = T.zeros(numGraphs, h.size(1), { dtype: h.dtype }).indexAdd_(0, batch, h);
  const counts = T.bincount(batch, { minlength: numGraphs }).clamp({ min: 1 }).to(h.dtype);
  return sums.div(counts.unsqueeze(1));
}

class GraphClassifier extends nn.Module {
  conv = new GCNLayer(C.fIn, C.hidden);
  head = new nn.Linear(C.hidden, 2);
  override forward(x: Tensor, edgeIndex: Tensor, batch: Tensor, numGraphs: number): Tensor {
    const h = F.relu(this.conv.forward(x, edgeIndex));
    return this.head.forward(globalMeanPool(h, batch, numGraphs));
  }
}

// ---------------------------------------------------------------- training

const accuracy = (logits: Tensor, y: Tensor, mask: Tensor): number =>
  logits.index([mask]).argmax(1).eq(y.index([mask])).double().mean().item();

function trainNodeModel(model: GCN | GAT, steps: number) {
  const g = fx.graph;
  const x = spec(g.x), ei = spec(g.edgeIndex), y = spec(g.y), trainMask = spec(g.trainMask), valMask = spec(g.valMask);
  const opt = new optim.Adam(model.parameters(), { lr: 0.05, weightDecay: 5e-4 });
  const losses: number[] = [], trainAcc: number[] = [], valAcc: number[] = [];
  for (let s = 0; s < steps; s++) {
    model.train();
    opt.zeroGrad();
    const out = model.forward(x, ei);
    const loss = F.nllLoss(out.index([trainMask]), y.index([trainMask]));
    loss.backward();
    opt.step();
    losses.push(loss.item());
    model.eval();
    const evalOut = T.noGrad(() => model.forward(x, ei));
    trainAcc.push(accuracy(evalOut, y, trainMask));
    valAcc.push(accuracy(evalOut, y, valMask));
  }
  const out = T.noGrad(() => model.forward(x, ei));
  return { losses, trainAcc, valAcc, final: model.stateDict(), out };
}

function checkNodeRun(what: string, got: ReturnType<typeof trainNodeModel>, want: NodeRun): void {
  assert.equal(got.losses.length, want.losses.length);
  got.losses.forEach((l, i) => close(`${what} step ${i} loss`, l, want.losses[i]!, 1e-9));
  assert.deepEqual(got.trainAcc, want.trainAcc, `${what} train-mask accuracy per step`);
  assert.deepEqual(got.valAcc, want.valAcc, `${what} val-mask accuracy per step`);
  closeState(`${what} final`, got.final, want.final);
  assertClose(`${what} log-probs`, got.out, want.logProbs, 1e-8, 1e-12);
}

for (const backend of BACKENDS) {
  test(`port gnn (${backend}): two-layer GCN (indexAdd_ / scatterAdd_ aggregation, D^-1/2 with inf masked) matches torch`, () => {
    T.withBackend(backend, () => {
      const model = new GCN().double();
      model.loadStateDict(init.gcn);
      const got = trainNodeModel(model, fx.gcn.losses.length);
      checkNodeRun("gcn", got, fx.gcn);
      assert.deepEqual(Array.from(got.out.argmax(1).dataSync(), Number), fx.gcn.pred.data);
    });
  });

  test(`port gnn (${backend}): two-head GAT (segment softmax by scatterReduce amax + indexAdd_) matches torch`, () => {
    T.withBackend(backend, () => {
      const model = new GAT().double();
      model.loadStateDict(init.gat);
      const got = trainNodeModel(model, fx.gat.losses.length);
      checkNodeRun("gat", got, fx.gat);
      assertClose("gat layer-1 attention", model.conv1.alpha!, fx.gat.alpha1, 1e-8, 1e-12);
      assertClose("gat layer-2 attention", model.conv2.alpha!, fx.gat.alpha2, 1e-8, 1e-12);
      // each node's incoming coefficients sum to 1, per head
      const sums = T.zeros(C.n, C.heads, { dtype: "float64" }).indexAdd_(0, T.cat([spec(fx.graph.edgeIndex), T.arange(C.n).unsqueeze(0).repeat(2, 1)], { dim: 1 }).index([0]), model.conv1.alpha!);
      assertClose("attention sums", sums, { shape: [C.n, C.heads], dtype: "float64", data: new Array(C.n * C.heads).fill(1) }, 1e-12, 1e-12);
    });
  });

  test(`port gnn (${backend}): graph classifier with global mean pooling (indexAdd_ / bincount) over a batch of 3 graphs matches torch`, () => {
    T.withBackend(backend, () => {
      const b = fx.batch;
      const x = spec(b.x), ei = spec(b.edgeIndex), batch = spec(b.batch), y = spec(b.y);
      const G = C.graphSizes.length;
      const model = new GraphClassifier().double();
      model.loadStateDict(init.pool);
      const opt = new optim.SGD(model.parameters(), { lr: 0.1, momentum: 0.9 });
      const losses: number[] = [];
      for (const _ of fx.pool.losses) {
        opt.zeroGrad();
        const loss = F.crossEntropy(model.forward(x, ei, batch, G), y);
        loss.backward();
        opt.step();
        losses.push(loss.item());
      }
      losses.forEach((l, i) => close(`pool step ${i} loss`, l, fx.pool.losses[i]!, 1e-9));
      model.eval();
      const [logits, pooled, pooledSr] = T.noGrad(() => {
        const h = F.relu(model.conv.forward(x, ei));
        return [model.forward(x, ei, batch, G), globalMeanPool(h, batch, G),
          T.zeros(G, C.hidden, { dtype: h.dtype }).scatterReduce(0, batch.unsqueeze(1).expandAs(h), h, "mean", { includeSelf: false })];
      });
      closeState("pool final", model.stateDict(), fx.pool.final);
      assertClose("pool logits", logits!, fx.pool.logits, 1e-8, 1e-12);
      assertClose("pooled (indexAdd_ / bincount)", pooled!, fx.pool.pooled, 1e-8, 1e-12);
      assertClose("pooled (scatterReduce mean)", pooledSr!, fx.pool.pooled, 1e-8, 1e-12);
      assert.deepEqual(Array.from(logits!.argmax(1).dataSync(), Number), fx.pool.pred.data);
    });
  });
}

test("port gnn: float64 gradchecks of the message-passing composites (GCN aggregation, segment softmax, mean pool)", () => {
  const ei = T.tensor([[0, 1, 1, 2, 3, 0], [1, 0, 2, 1, 0, 3]]);
  const [row, col] = ei.unbind(0) as [Tensor, Tensor];
  const x0 = T.tensor(Array.from({ length: 12 }, (_, i) => Math.sin(0.7 * i + 0.3)), { dtype: "float64" }).reshape([4, 3]);
  gradcheck((x) => T.zerosLike(x).indexAdd_(0, row, x.index([col]).mul(0.5)), x0, "indexAdd_ of gathered messages");
  gradcheck((x) => T.zerosLike(x).scatterAdd_(0, row.unsqueeze(1).expand(-1, 3), x.index([col])), x0, "scatterAdd_ of gathered messages");
  const e0 = T.tensor([0.3, -1.2, 0.8, 0.1, 2.0, -0.4], { dtype: "float64" });
  gradcheck((e) => {
    const m = T.zeros(4, { dtype: "float64" }).scatterReduce(0, row, e, "amax", { includeSelf: false });
    const ex = e.sub(m.index([row])).exp();
    return ex.div(T.zeros(4, { dtype: "float64" }).indexAdd_(0, row, ex).index([row]));
  }, e0, "segment softmax");
  gradcheck((h) => globalMeanPool(h, T.tensor([0, 0, 1, 1]), 2), x0, "global mean pool");
  gradcheck((h) => T.zeros(2, 3, { dtype: "float64" }).scatterReduce(0, T.tensor([0, 0, 1, 1]).unsqueeze(1).expand(-1, 3), h, "mean", { includeSelf: false }), x0, "scatterReduce mean");
});

test("port gnn: the keywords GNN code passes (F.dropout, F.leakyRelu, F.elu, bincount, scatterReduce's reduce) are read as PyTorch's", () => {
  for (const backend of BACKENDS) T.withBackend(backend, () => {
    const x = T.tensor([[-1, 2], [0.5, -3]], { dtype: "float64" });
    // F.dropout(x, p=0.0, training=self.training): used to be refused ("dropout probability ... got [object Object]")
    assert.deepEqual(Array.from(F.dropout(x, { p: 0.0, training: true }).dataSync()), [-1, 2, 0.5, -3]);
    assert.deepEqual(Array.from(F.dropout(x, { p: 1, training: false }).dataSync()), [-1, 2, 0.5, -3]);
    assert.deepEqual(Array.from(F.dropout(x, 1, { training: true }).dataSync()), [-0, 0, 0, -0]);
    assert.deepEqual(Array.from(F.dropout(x, { p: 1 }).dataSync()), [-0, 0, 0, -0], "training defaults to true");
    assert.deepEqual(Array.from(F.alphaDropout(x, { p: 0.5 }).dataSync()), [-1, 2, 0.5, -3], "alphaDropout's training defaults to false");
    const y = x.clone();
    F.dropout(y, { p: 1, inplace: true });
    assert.deepEqual(Array.from(y.dataSync()), [-0, 0, 0, -0], "inplace keyword");
    // F.leaky_relu(e, negative_slope=0.2), F.elu(x, alpha=0.5)
    assert.deepEqual(Array.from(F.leakyRelu(x, { negativeSlope: 0.2 }).dataSync()), [-0.2, 2, 0.5, -3 * 0.2]);
    assert.deepEqual(Array.from(F.elu(x, { alpha: 0.5 }).dataSync()), [0.5 * Math.expm1(-1), 2, 0.5, 0.5 * Math.expm1(-3)]);
    // torch.bincount(batch, minlength=G)
    const batch = T.tensor([0, 0, 2]);
    assert.deepEqual(Array.from(T.bincount(batch, { minlength: 5 }).dataSync()), [2, 0, 1, 0, 0]);
    assert.deepEqual(Array.from(batch.bincount({ minlength: 4 }).dataSync()), [2, 0, 1, 0]);
    assert.deepEqual(Array.from(T.bincount(batch, { weights: T.tensor([0.5, 1, 2], { dtype: "float64" }) }).dataSync()), [1.5, 0, 2]);
    // scatter_reduce(0, index, e, reduce="amax", include_self=False)
    const e = T.tensor([0.3, -1.2, 0.8, 0.1], { dtype: "float64" }), row = T.tensor([0, 1, 1, 2]);
    const want = [0.3, 0.8, 0.1];
    assert.deepEqual(Array.from(T.zeros(3, { dtype: "float64" }).scatterReduce(0, row, e, { reduce: "amax", includeSelf: false }).dataSync()), want);
    assert.deepEqual(Array.from(T.scatterReduce(T.zeros(3, { dtype: "float64" }), 0, row, e, { reduce: "amax", includeSelf: false }).dataSync()), want);
    assert.deepEqual(Array.from(T.zeros(3, { dtype: "float64" }).scatterReduce_(0, row, e, { reduce: "amax", includeSelf: false }).dataSync()), want);
    assert.deepEqual(Array.from(T.zeros(3, { dtype: "float64" }).fill_(0.5).scatterReduce(0, row, e, { reduce: "amax" }).dataSync()), [0.5, 0.8, 0.5], "includeSelf defaults to true");
  });
  // the in-place amax keeps its gradient rule (it reads self: the keyword form must run on a copy too)
  gradcheck((e) => T.zeros(3, { dtype: "float64" }).scatterReduce_(0, T.tensor([0, 1, 1, 2]), e, { reduce: "amax", includeSelf: false }),
    T.tensor([0.3, -1.2, 0.8, 0.1], { dtype: "float64" }), "scatterReduce_ amax by keyword");
  const x = T.ones(2, { dtype: "float64" });
  assert.throws(() => F.dropout(x, { p: 0.5, trainin: false } as never), /^TensileError: dropout: unknown option "trainin" \(expected one of: p, training, inplace, generator\)/);
  assert.throws(() => F.dropout(x, { p: 0.5, training: 1 } as never), /dropout: training must be a boolean, got 1/);
  assert.throws(() => F.dropout(x, { p: 2 }), /dropout: dropout probability has to be between 0 and 1, but got 2/);
  assert.throws(() => F.dropout(x, { p: 0.5 }, true as never), /dropout: the options object must be the last argument/);
  assert.throws(() => F.leakyRelu(x, { negative_slope: 0.2 } as never), /leakyRelu: unknown option "negative_slope"/);
  assert.throws(() => T.bincount(T.tensor([0]), { minLength: 2 } as never), /bincount: unknown option "minLength" \(expected one of: weights, minlength\)/);
  assert.throws(() => T.zeros(2).scatterReduce(0, T.tensor([0]), T.ones(1), { reduce: "max" } as never), /scatterReduce: reduce argument must be one of sum, prod, mean, amax or amin, got "max"/);
});
