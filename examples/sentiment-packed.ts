/**
 * Sentences of different lengths through an LSTM, as PyTorch does it: pad them into one batch,
 * pack them with their lengths (`nn.utils.rnn.packPaddedSequence`), and read each sentence's own
 * last state from the LSTM's final `h`. The language is examples/sentiment.ts's (sentiment words,
 * neutral words, and "not", which flips the next word), with sentences of 3 to 16 words.
 *
 * Two bidirectional LSTMs, same data and training. One reads the packed batch: its final states
 * are each sentence's own, forwards after its last word and backwards after its first. The other
 * reads the padded batch and takes the last step's output, PyTorch's classic slip. For a short
 * sentence that step comes after a run of padding words, and its backward half has seen nothing
 * but padding.
 *
 *   npx tsx examples/sentiment-packed.ts      (EPOCHS=n to change the 6 epochs)
 */
import { Generator, type Tensor, cat, manualSeed, nn, noGrad, optim, tensor } from "../src/index.js";
import { NOT, sentence } from "./sentiment-language.js";

const PAD = NOT + 1, VOCAB = PAD + 1, MAXLEN = 16;
const g = new Generator(11);

interface Batch { ids: Tensor; lengths: number[]; labels: Tensor }
function batches(n: number, size: number): Batch[] {
  const out: Batch[] = [];
  for (let b = 0; b < n; b += size) {
    const s = Array.from({ length: Math.min(size, n - b) }, () => sentence(g, 3, MAXLEN));
    // padded to this batch's longest sentence, as pad_sequence does
    const T = Math.max(...s.map(([w]) => w.length));
    const ids = s.map(([w]) => [...w, ...new Array<number>(T - w.length).fill(PAD)]);
    out.push({ ids: tensor(ids, { dtype: "int32" }), lengths: s.map(([w]) => w.length), labels: tensor(s.map(([, y]) => y), { dtype: "int32" }) });
  }
  return out;
}

class Classifier extends nn.Module {
  embed = new nn.Embedding(VOCAB, 16, { paddingIdx: PAD });
  lstm = new nn.LSTM(16, 32, { batchFirst: true, bidirectional: true });
  head = new nn.Linear(64, 2);
  constructor(readonly packed: boolean) {
    super();
  }
  override forward(ids: Tensor, lengths: number[]): Tensor {
    const x = this.embed.forward(ids);
    if (!this.packed) return this.head.forward(this.lstm.forward(x)[0].select(1, -1));
    const packed = nn.utils.rnn.packPaddedSequence(x, lengths, { batchFirst: true, enforceSorted: false });
    const [, [h]] = this.lstm.forward(packed); // h [2, N, 32]: each sentence's own ends, both directions
    return this.head.forward(cat([h.select(0, 0), h.select(0, 1)], 1));
  }
}

const trainBatches = batches(4000, 64), testBatches = batches(1000, 500);
for (const packed of [true, false]) {
  manualSeed(0);
  const model = new Classifier(packed);
  const criterion = new nn.CrossEntropyLoss();
  const optimizer = new optim.Adam(model.parameters(), { lr: 0.01 });
  const t0 = performance.now();
  const epochs = Number(process.env.EPOCHS ?? 6);
  for (let epoch = 0; epoch < epochs; epoch++) {
    model.train();
    for (const { ids, lengths, labels } of trainBatches) {
      optimizer.zeroGrad();
      criterion.forward(model.forward(ids, lengths), labels).backward();
      optimizer.step();
    }
  }
  model.eval();
  let right = 0, total = 0;
  noGrad(() => {
    for (const { ids, lengths, labels } of testBatches) {
      right += model.forward(ids, lengths).argmax(1).eq(labels).sum().item();
      total += lengths.length;
    }
  });
  console.log(`bidirectional LSTM on the ${packed ? "packed" : "padded"} batch: test accuracy ${(100 * right / total).toFixed(1)}% ` +
    `after ${epochs} epochs (${((performance.now() - t0) / 1000).toFixed(0)} s)`);
}
