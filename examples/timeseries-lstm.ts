/**
 * Time-series forecasting (one of the text's applications) with an LSTM: from the last 30 values
 * of a noisy two-tone signal, predict the next one. Trained on the first 3,000 steps, tested on
 * the 1,000 after them, and compared with the naive forecast "the next value is the last one".
 *
 *   npx tsx examples/timeseries-lstm.ts        (EPOCHS=n to change the default 12)
 */
import { Generator, type Tensor, data, manualSeed, nn, noGrad, optim, stack, tensor, train } from "../src/index.js";

const WINDOW = 30, TRAIN = 3000, TEST = 1000, EPOCHS = Number(process.env.EPOCHS ?? 12);

// the signal: two sines and a little noise (seeded, so every run sees the same series)
const g = new Generator(7);
const series = Array.from({ length: TRAIN + TEST + WINDOW + 1 }, (_, t) =>
  Math.sin(0.07 * t) + 0.5 * Math.sin(0.23 * t + 1) + 0.05 * g.normal());

/** Windows of WINDOW values [n, WINDOW, 1] and the value after each [n, 1], starting at `from`. */
function windows(from: number, n: number): [Tensor, Tensor] {
  const x = Array.from({ length: n }, (_, i) => tensor(series.slice(from + i, from + i + WINDOW)).reshape(WINDOW, 1));
  const y = tensor(Array.from({ length: n }, (_, i) => series[from + i + WINDOW]!)).reshape(n, 1);
  return [stack(x), y];
}

class Forecaster extends nn.Module {
  lstm = new nn.LSTM(1, 32, { batchFirst: true });
  head = new nn.Linear(32, 1);
  override forward(x: Tensor): Tensor {
    const [out] = this.lstm.forward(x); // [N, WINDOW, 32]
    return this.head.forward(out.select(1, -1)); // the last step's state → the next value
  }
}

manualSeed(0);
const [xTrain, yTrain] = windows(0, TRAIN);
const [xTest, yTest] = windows(TRAIN, TEST);
const model = new Forecaster();
const t0 = performance.now();
const history = await train.fit(model, {
  trainLoader: new data.DataLoader(new data.TensorDataset(xTrain, yTrain), { batchSize: 64, shuffle: true }),
  valLoader: new data.DataLoader(new data.TensorDataset(xTest, yTest), { batchSize: 500 }),
  loss: new nn.MSELoss(),
  optimizer: new optim.Adam(model.parameters(), { lr: 0.01 }),
  epochs: EPOCHS,
  metrics: ["rmse"],
  callbacks: [new train.ProgressBar()],
});
const pred = noGrad(() => model.eval().forward(xTest));
const rmse = train.rmse(pred, yTest);
const naive = train.rmse(xTest.select(1, -1), yTest); // repeat the last value
console.log(`\n${history.epochs.length} epochs in ${((performance.now() - t0) / 1000).toFixed(0)} s`);
console.log(`test RMSE: LSTM ${rmse.toFixed(4)}, naive last-value forecast ${naive.toFixed(4)} (noise std 0.05)`);
