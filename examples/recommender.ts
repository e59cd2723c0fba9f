/**
 * Recommendation by collaborative filtering (one of the text's applications): matrix
 * factorisation with user and item embeddings, trained on the ratings users gave and judged on
 * ratings held out. The data is synthetic (no rating set ships offline): 500 users and 300 items
 * with hidden 6-dimensional tastes, of which 8% of the ratings are observed, plus noise.
 *
 *   npx tsx examples/recommender.ts
 *
 * Prints the held-out RMSE against two baselines (the global mean, each item's mean) and one
 * user's top-5 unseen items next to the items the hidden tastes rank highest.
 */
import { Generator, type Tensor, data, manualSeed, nn, noGrad, optim, randn, stack, tensor, train } from "../src/index.js";

const USERS = 500, ITEMS = 300, RANK = 6, OBSERVED = 0.08, EPOCHS = Number(process.env.EPOCHS ?? 30);

// hidden tastes → true ratings around 3.5; observed ones get noise of std 0.3
manualSeed(1);
const g = new Generator(1);
const U = randn([USERS, RANK], { generator: g }).mul(0.6), V = randn([ITEMS, RANK], { generator: g }).mul(0.6);
const truth = U.matmul(V.t()).add(3.5);
const cells: [number, number][] = [];
for (let u = 0; u < USERS; u++) for (let i = 0; i < ITEMS; i++) if (g.random() < OBSERVED) cells.push([u, i]);
const truthData = truth.dataSync();
const rating = (u: number, i: number) => truthData[u * ITEMS + i]! + 0.3 * g.normal();
const split = Math.floor(cells.length * 0.9); // 90% to train, 10% held out (cells are in random order below)
for (let k = cells.length - 1; k > 0; k--) {
  const j = Math.floor(g.random() * (k + 1));
  [cells[k], cells[j]] = [cells[j]!, cells[k]!];
}
const asTensors = (part: [number, number][]): [Tensor, Tensor, Tensor] => [
  tensor(part.map((c) => c[0]), { dtype: "int32" }),
  tensor(part.map((c) => c[1]), { dtype: "int32" }),
  tensor(part.map(([u, i]) => rating(u, i))),
];
const [uTrain, iTrain, rTrain] = asTensors(cells.slice(0, split));
const [uTest, iTest, rTest] = asTensors(cells.slice(split));

/** rating ≈ user · item + user bias + item bias + global mean. */
class MatrixFactorization extends nn.Module {
  users = new nn.Embedding(USERS, 8);
  items = new nn.Embedding(ITEMS, 8);
  userBias = new nn.Embedding(USERS, 1);
  itemBias = new nn.Embedding(ITEMS, 1);
  constructor(readonly mean: number) {
    super();
    noGrad(() => {
      for (const e of [this.users, this.items]) e.weight.mul_(0.1);
      for (const b of [this.userBias, this.itemBias]) b.weight.zero_();
    });
  }
  override forward(pair: Tensor): Tensor {
    const u = pair.select(1, 0), i = pair.select(1, 1);
    const dot = this.users.forward(u).mul(this.items.forward(i)).sum(1);
    return dot.add(this.userBias.forward(u).squeeze(1)).add(this.itemBias.forward(i).squeeze(1)).add(this.mean);
  }
}

const mean = rTrain.mean().item();
const model = new MatrixFactorization(mean);
const stackPairs = (u: Tensor, i: Tensor) => stack([u, i], 1); // [n, 2]: (user, item) per rating
const t0 = performance.now();
await train.fit(model, {
  trainLoader: new data.DataLoader(new data.TensorDataset(stackPairs(uTrain, iTrain), rTrain), { batchSize: 256, shuffle: true }),
  valLoader: new data.DataLoader(new data.TensorDataset(stackPairs(uTest, iTest), rTest), { batchSize: 2048 }),
  loss: new nn.MSELoss(),
  optimizer: new optim.AdamW(model.parameters(), { lr: 0.02, weightDecay: 0.3 }),
  epochs: EPOCHS,
  metrics: ["rmse"],
  callbacks: [new train.ProgressBar()],
});

const pred = noGrad(() => model.eval().forward(stackPairs(uTest, iTest)));
const itemMean = Array.from({ length: ITEMS }, () => [0, 0]);
const iTr = iTrain.dataSync(), rTr = rTrain.dataSync();
for (let k = 0; k < iTr.length; k++) {
  itemMean[iTr[k]!]![0] += rTr[k]!;
  itemMean[iTr[k]!]![1]++;
}
const itemBaseline = tensor(Array.from(iTest.dataSync(), (i) => (itemMean[i]![1] ? itemMean[i]![0] / itemMean[i]![1] : mean)));
console.log(`\n${EPOCHS} epochs in ${((performance.now() - t0) / 1000).toFixed(0)} s; ${split} ratings to train, ${cells.length - split} held out`);
console.log(`held-out RMSE: matrix factorisation ${train.rmse(pred, rTest).toFixed(3)}, item means ${train.rmse(itemBaseline, rTest).toFixed(3)}, ` +
  `global mean ${train.rmse(rTest.mul(0).add(mean), rTest).toFixed(3)} (rating noise 0.3)`);

// user 0's top 5 items it has not rated, as the model sees them and as the hidden tastes rank them
const seen = new Set(cells.filter(([u]) => u === 0).map(([, i]) => i));
const all = tensor(Array.from({ length: ITEMS }, (_, i) => [0, i]), { dtype: "int32" });
const scores = noGrad(() => model.forward(all)).maskedFill(tensor(Array.from({ length: ITEMS }, (_, i) => seen.has(i))), -Infinity);
const [, top] = scores.topk(5);
const [, best] = truth.select(0, 0).maskedFill(tensor(Array.from({ length: ITEMS }, (_, i) => seen.has(i))), -Infinity).topk(5);
console.log(`user 0, top 5 unseen items: model ${JSON.stringify(top.tolist())}, hidden tastes ${JSON.stringify(best.tolist())}`);
