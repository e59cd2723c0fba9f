/**
 * See what the text's network does while it learns: the backward graph that `loss.backward()`
 * walks, where one training step's time goes, the curves and weight histograms in TensorBoard, and
 * how anomaly detection finds the op where a NaN gradient is born.
 *
 *   npx tsx examples/inspect-training.ts          then, optionally: tensorboard --logdir runs
 *
 * PyTorch equivalents: torchviz's make_dot / grad_fn.next_functions, torch.profiler,
 * torch.utils.tensorboard.SummaryWriter, torch.autograd.detect_anomaly.
 */
import { type Tensor, autograd, manualSeed, noGrad, nn, optim, data, utils, setBackend, listBackends } from "../src/index.js";

if (listBackends().includes("wasm")) setBackend("wasm");
manualSeed(0);

class Net extends nn.Module {
  fc1 = new nn.Linear(784, 500);
  relu = new nn.ReLU();
  fc2 = new nn.Linear(500, 10);
  override forward(x: Tensor): Tensor {
    return this.fc2.forward(this.relu.forward(this.fc1.forward(x)));
  }
}

const trainSet = new data.datasets.MNISTDigits({ split: "train" });
const testSet = new data.datasets.MNISTDigits({ split: "test" });
const loader = new data.DataLoader(trainSet, { batchSize: 64, shuffle: true });
const model = new Net();
const criterion = new nn.CrossEntropyLoss();
const optimizer = new optim.SGD(model.parameters(), { lr: 0.05, momentum: 0.9 });
const params = model.namedParameters();

// 1. The graph backward() walks: every op of the forward pass, back to the weights it will update.
const [x0, y0] = loader[Symbol.iterator]().next().value as [Tensor, Tensor];
console.log("1. The backward graph of one batch's loss (autograd.graph.printGraph):\n");
console.log(autograd.graph.printGraph(criterion.forward(model.forward(x0), y0), { params }));

// 2. Where one training step's time goes, op by op and layer by layer.
const step = (x: Tensor, y: Tensor): Tensor => {
  optimizer.zeroGrad();
  const loss = criterion.forward(model.forward(x), y);
  loss.backward();
  optimizer.step();
  return loss;
};
for (let i = 0; i < 20; i++) step(x0, y0); // warm up (the JIT, the wasm cache)
const prof = autograd.profiler.profile(() => {
  for (let i = 0; i < 20; i++) autograd.profiler.recordFunction("train step", () => step(x0, y0));
}, { modules: model });
console.log("\n2. Twenty training steps, profiled (autograd.profiler):\n");
console.log(prof.keyAverages().table({ sortBy: "selfCpuTimeTotal", rowLimit: 12 }));

// 3. Train, logging to TensorBoard: loss per 50 steps, accuracy per epoch, weight histograms.
const writer = new utils.tensorboard.SummaryWriter(process.env.LOGDIR ?? "runs/inspect-training");
let globalStep = 0;
const epochs = Number(process.env.EPOCHS ?? 3);
for (let epoch = 0; epoch < epochs; epoch++) {
  for (const [images, labels] of loader) {
    const loss = step(images, labels);
    if (++globalStep % 50 === 0) writer.addScalar("loss/train", loss.item(), globalStep);
  }
  const accuracy = noGrad(() => model.forward(testSet.data).argmax(1).eq(testSet.targets).float().mean().item());
  writer.addScalar("accuracy/test", accuracy, epoch);
  for (const [name, p] of params) writer.addHistogram(name, p, epoch);
  console.log(`\n3. epoch ${epoch + 1}: test accuracy ${(100 * accuracy).toFixed(2)}%`);
}
writer.addImages("first test digits", testSet.data.narrow(0, 0, 16).view(-1, 1, 28, 28), 0);
writer.close();
console.log(`   TensorBoard event files in ${writer.getLogdir()} (tensorboard --logdir ${writer.getLogdir()})`);

// 4. A NaN gradient, and the op it comes from. A hand-written cross-entropy takes log(softmax):
// for a confident wrong prediction softmax underflows to 0, log(0) = −∞, and backward gives NaN.
const logits = model.forward(x0.narrow(0, 0, 4)).mul(200).detach().requiresGrad_(); // overconfident
const target = y0.narrow(0, 0, 4).add(1).remainder(10); // wrong on purpose
const naiveLoss = () => logits.softmax(1).log().gather(1, target.unsqueeze(1)).neg().mean();
naiveLoss().backward();
console.log(`\n4. A naive log(softmax) loss: its gradient has NaN: ${Boolean(logits.grad!.isnan().any().item())}`);
try {
  autograd.detectAnomaly(() => naiveLoss().backward());
} catch (e) {
  console.log(`   autograd.detectAnomaly names the op where it starts, and where it was called:\n   ${(e as Error).message.split("\n").slice(0, 3).join("\n   ")}`);
}
console.log("   (nn.CrossEntropyLoss computes logSoftmax in one stable step and has no such NaN)");
