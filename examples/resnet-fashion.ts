/**
 * A small ResNet on Fashion-MNIST (60,000 train / 10,000 test) with random-crop + flip augmentation.
 *
 *   npx tsx examples/resnet-fashion.ts [--epochs 8] [--batch-size 128] [--root /usr/share/datasets/fashion-mnist]
 *                                      [--blocks 1,1,1] [--channels 16,32,64] [--optimizer adamw|sgd] [--max-lr 0.004]
 *                                      [--no-augment] [--train-limit N] [--threads N]
 *
 * Prints loss / accuracy / time per epoch (and progress within an epoch). Measured (wasm backend,
 * 2 shared CPU cores): see the README; the recipe lives in src/models/train-examples.ts
 * (`trainResnetFashion`).
 */
import { parseArgs } from "node:util";
import { getBackend } from "../src/core.js";
import { getNumThreads, setNumThreads } from "../src/backends/wasm/index.js";
import { trainResnetFashion } from "../src/models/train-examples.js";

const { values } = parseArgs({
  options: {
    epochs: { type: "string", default: "8" }, optimizer: { type: "string", default: "adamw" }, "batch-size": { type: "string", default: "128" },
    root: { type: "string", default: "/usr/share/datasets/fashion-mnist" }, blocks: { type: "string", default: "1,1,1" },
    channels: { type: "string", default: "16,32,64" }, "max-lr": { type: "string" },
    "no-augment": { type: "boolean", default: false }, "train-limit": { type: "string" }, threads: { type: "string" },
  },
});
const list = (s: string) => s.split(",").map(Number);
if (values.threads) setNumThreads(Number(values.threads)); // wasm worker threads (default: all cores)
const epochs = Number(values.epochs);
console.log(`ResNet blocks [${values.blocks}] channels [${values.channels}] on Fashion-MNIST, ${epochs} epochs, ` +
  `${values.optimizer} one-cycle${values["max-lr"] ? ` max lr ${values["max-lr"]}` : ""}, batch ${values["batch-size"]}, augmentation ${values["no-augment"] ? "off" : "crop+flip"}, backend ${getBackend().name} (${getNumThreads()} threads)`);
let last = 0;
const result = await trainResnetFashion({
  root: values.root,
  epochs,
  batchSize: Number(values["batch-size"]),
  blocks: list(values.blocks!),
  channels: list(values.channels!),
  optimizer: values.optimizer as "adamw" | "sgd",
  maxLr: values["max-lr"] ? Number(values["max-lr"]) : undefined,
  augment: !values["no-augment"],
  trainLimit: values["train-limit"] ? Number(values["train-limit"]) : undefined,
  onBatch: (b, n, loss) => {
    if (performance.now() - last < 30_000 && b !== n) return;
    last = performance.now();
    console.log(`  batch ${b}/${n}  running loss ${loss.toFixed(4)}`);
  },
  onEpoch: (r) =>
    console.log(`epoch ${String(r.epoch).padStart(2)}/${r.epochs}  loss ${r.trainLoss.toFixed(4)}  train acc ${(100 * r.trainAccuracy).toFixed(2)}%  test acc ${(100 * r.testAccuracy).toFixed(2)}%  ${r.seconds.toFixed(0)} s`),
});
console.log(`test accuracy ${(100 * result.testAccuracy).toFixed(2)}% after ${epochs} epochs, ${(result.seconds / 60).toFixed(1)} min in total`);
