/**
 * Ship a trained network: train the text's network on the bundled MNIST digits, export it as
 * ONNX (`io.exportOnnx`, as `torch.onnx.export`), and run the file in ONNX Runtime — here its
 * WebAssembly build for JavaScript (`onnxruntime-web`, installed as a dev dependency), the same
 * file Python's `onnxruntime`, C++, mobile and browser runtimes load. The runtime's predictions
 * are compared with Tensile's on every test digit, at a batch size other than the export's.
 *
 *   npx tsx examples/onnx-export.ts          (writes runs/onnx/mnist-mlp.onnx)
 */
import { mkdirSync, readFileSync } from "node:fs";
import * as ort from "onnxruntime-web";
import { type Tensor, data, io, manualSeed, nn, noGrad, optim, tensor } from "../src/index.js";

manualSeed(0);
class Net extends nn.Module {
  flatten = new nn.Flatten();
  fc1 = new nn.Linear(784, 500);
  relu = new nn.ReLU();
  fc2 = new nn.Linear(500, 10);
  override forward(x: Tensor): Tensor {
    return this.fc2.forward(this.relu.forward(this.fc1.forward(this.flatten.forward(x))));
  }
}
const model = new Net();
const trainSet = new data.datasets.MNISTDigits({ split: "train", shape: "image" });
const testSet = new data.datasets.MNISTDigits({ split: "test", shape: "image" });
const criterion = new nn.CrossEntropyLoss();
const optimizer = new optim.SGD(model.parameters(), { lr: 0.05, momentum: 0.9 });
for (let epoch = 1; epoch <= 3; epoch++) {
  for (const [x, y] of new data.DataLoader(trainSet, { batchSize: 64, shuffle: true })) {
    optimizer.zeroGrad();
    criterion.forward(model.forward(x), y).backward();
    optimizer.step();
  }
}

// export: one example input fixes the shapes; the batch dim stays free
mkdirSync("runs/onnx", { recursive: true });
const path = "runs/onnx/mnist-mlp.onnx";
const [example] = testSet.getBatch([0]) as [Tensor, Tensor];
io.exportOnnx(model, example, path, { inputNames: ["image"], outputNames: ["logits"] });
console.log(`wrote ${path} (${(readFileSync(path).length / 1e6).toFixed(2)} MB): image [batch, 1, 28, 28] → logits [batch, 10]`);

// run the file in ONNX Runtime on all 2,000 test digits at once, and compare with Tensile
ort.env.wasm.numThreads = 1;
const session = await ort.InferenceSession.create(new Uint8Array(readFileSync(path)));
const [x, y] = testSet.getBatch([...Array(testSet.length).keys()]) as [Tensor, Tensor];
const { logits } = await session.run({ image: new ort.Tensor("float32", x.dataSync() as Float32Array, [...x.shape]) });
const fromOrt = tensor(logits!.data as Float32Array, { shape: [...logits!.dims] });
model.eval();
const fromTensile = noGrad(() => model.forward(x));
const acc = (l: Tensor) => (100 * l.argmax(1).eq(y).float().mean().item()).toFixed(2);
const agree = fromOrt.argmax(1).eq(fromTensile.argmax(1)).float().sum().item();
const maxDiff = fromOrt.sub(fromTensile).abs().max().item();
console.log(`ONNX Runtime: test accuracy ${acc(fromOrt)}% on ${y.shape[0]} digits`);
console.log(`Tensile:      test accuracy ${acc(fromTensile)}%`);
console.log(`same prediction on ${agree} of ${y.shape[0]} digits; largest logit difference ${maxDiff.toExponential(1)}`);
