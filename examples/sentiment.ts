/**
 * Sentiment classification (one of the text's language applications) on a synthetic language
 * where word order matters: 8 positive and 8 negative words, 30 neutral ones, and "not", which
 * flips the sentiment of the next word. A sentence is positive when its (flipped) sentiment words
 * sum above zero. No text corpus ships offline, so the sentences are generated (seeded).
 *
 * Two models, same training: an LSTM over word embeddings, and a bag of words (the mean of the
 * embeddings, which cannot see which word "not" precedes).
 *
 *   npx tsx examples/sentiment.ts
 */
import { Generator, type Tensor, data, manualSeed, nn, optim, tensor, train } from "../src/index.js";
import { NOT, sentence } from "./sentiment-language.js";

const VOCAB = NOT + 1, LEN = 12;
const g = new Generator(5);

function dataset(n: number): data.TensorDataset<[Tensor, Tensor]> {
  const s = Array.from({ length: n }, () => sentence(g, LEN));
  return new data.TensorDataset(tensor(s.map((x) => x[0]), { dtype: "int32" }), tensor(s.map((x) => x[1]), { dtype: "int32" }));
}

class LstmClassifier extends nn.Module {
  embed = new nn.Embedding(VOCAB, 16);
  lstm = new nn.LSTM(16, 32, { batchFirst: true });
  head = new nn.Linear(32, 2);
  override forward(ids: Tensor): Tensor {
    const [out] = this.lstm.forward(this.embed.forward(ids));
    return this.head.forward(out.select(1, -1));
  }
}

class BagOfWords extends nn.Module {
  embed = new nn.Embedding(VOCAB, 16);
  head = new nn.Linear(16, 2);
  override forward(ids: Tensor): Tensor {
    return this.head.forward(this.embed.forward(ids).mean(1));
  }
}

const trainSet = dataset(4000), testSet = dataset(1000);
for (const [name, make] of [["LSTM", () => new LstmClassifier()], ["bag of words", () => new BagOfWords()]] as const) {
  manualSeed(0);
  const model = make();
  const t0 = performance.now();
  const history = await train.fit(model, {
    trainLoader: new data.DataLoader(trainSet, { batchSize: 64, shuffle: true }),
    valLoader: new data.DataLoader(testSet, { batchSize: 500 }),
    loss: new nn.CrossEntropyLoss(),
    optimizer: new optim.Adam(model.parameters(), { lr: 0.01 }),
    epochs: Number(process.env.EPOCHS ?? 15),
    metrics: ["accuracy"],
  });
  const last = history.epochs.at(-1)!;
  console.log(`${name}: test accuracy ${(100 * Number(last.val_accuracy)).toFixed(1)}% after ${history.epochs.length} epochs (${((performance.now() - t0) / 1000).toFixed(0)} s)`);
}
