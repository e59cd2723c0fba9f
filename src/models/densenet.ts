/**
 * torchvision's DenseNets (torchvision.models.densenet, 0.14): `densenet121/161/169/201`, with
 * torchvision's module tree (`features.conv0`, `features.denseblock1.denselayer1.norm1`,
 * `features.transition1.conv`, `features.norm5`, `classifier`).
 *
 * torchvision's `memory_efficient` flag (gradient checkpointing of each layer's concatenation) is
 * accepted and ignored: the results are the same, only the memory use differs.
 */
import { type Tensor, cat, noGrad, relu } from "../core.js";
import { check } from "../errors.js";
import { Module } from "../nn/module.js";
import { Linear } from "../nn/layers/linear.js";
import { ReLU } from "../nn/layers/activation.js";
import { Sequential } from "../nn/layers/container.js";
import { Conv2d } from "../nn/layers/conv.js";
import { BatchNorm2d } from "../nn/layers/norm.js";
import { AvgPool2d, MaxPool2d } from "../nn/layers/pool.js";
import { dropout } from "../nn/functional/index.js";
import { constant_, kaimingNormal_ } from "../nn/init.js";
import { type ClassifierOptions, checkPositiveInt, checkProb } from "./tv-common.js";

/** One dense layer: BN → ReLU → 1×1 conv (bnSize·k) → BN → ReLU → 3×3 conv (k), on the concatenation of all earlier features. */
export class DenseLayer extends Module {
  declare norm1: BatchNorm2d;
  declare relu1: ReLU;
  declare conv1: Conv2d;
  declare norm2: BatchNorm2d;
  declare relu2: ReLU;
  declare conv2: Conv2d;

  constructor(numInputFeatures: number, growthRate: number, bnSize: number, readonly dropRate: number) {
    super();
    this.norm1 = new BatchNorm2d(numInputFeatures);
    this.relu1 = new ReLU({ inplace: true });
    this.conv1 = new Conv2d(numInputFeatures, bnSize * growthRate, 1, { bias: false });
    this.norm2 = new BatchNorm2d(bnSize * growthRate);
    this.relu2 = new ReLU({ inplace: true });
    this.conv2 = new Conv2d(bnSize * growthRate, growthRate, 3, { padding: 1, bias: false });
  }

  override forward(input: Tensor | Tensor[]): Tensor {
    const x = Array.isArray(input) ? cat(input, 1) : input;
    const b = this.conv1.forward(this.relu1.forward(this.norm1.forward(x)));
    const out = this.conv2.forward(this.relu2.forward(this.norm2.forward(b)));
    return this.dropRate > 0 ? dropout(out, this.dropRate, this.training) : out;
  }
}

/** A dense block: `denselayer1..n`, each fed the concatenation of the block input and all earlier outputs. */
export class DenseBlock extends Module {
  readonly #layers: DenseLayer[] = [];

  constructor(numLayers: number, numInputFeatures: number, bnSize: number, growthRate: number, dropRate: number) {
    super();
    for (let i = 0; i < numLayers; i++) {
      const layer = new DenseLayer(numInputFeatures + i * growthRate, growthRate, bnSize, dropRate);
      this.registerModule(`denselayer${i + 1}`, layer);
      this.#layers.push(layer);
    }
  }

  override forward(x: Tensor): Tensor {
    const features = [x];
    for (const layer of this.#layers) features.push(layer.forward(features));
    return cat(features, 1);
  }
}

export interface DenseNetOptions extends ClassifierOptions {
  /** Filters added per layer, k (32; densenet161: 48). */
  growthRate?: number;
  /** Layers per dense block ([6, 12, 24, 16] for densenet121). */
  blockConfig?: readonly number[];
  /** Filters of the first convolution (64; densenet161: 96). */
  numInitFeatures?: number;
  /** Bottleneck width factor (4). */
  bnSize?: number;
  /** Dropout after each dense layer (0). */
  dropRate?: number;
  /** Accepted for torchvision compatibility and ignored (no checkpointing; same results). */
  memoryEfficient?: boolean;
}

/**
 * torchvision.models.DenseNet: conv0 7×7/2 → norm0 → relu0 → pool0, dense blocks separated by
 * transitions (BN, ReLU, 1×1 conv halving the channels, 2×2 average pool), norm5, then ReLU, global
 * average pool and the linear `classifier`. Convs kaiming-normal (fan_in), BN 1/0, classifier bias 0.
 *
 * Shapes: [N, 3, H, W] → [N, numClasses], H, W ≥ 32.
 */
export class DenseNet extends Module {
  declare features: Sequential;
  declare classifier: Linear;

  constructor(opts: DenseNetOptions = {}) {
    super();
    const op = "DenseNet";
    const { growthRate = 32, blockConfig = [6, 12, 24, 16], numInitFeatures = 64, bnSize = 4, dropRate = 0, numClasses = 1000 } = opts ?? {};
    checkPositiveInt(op, "numClasses", numClasses);
    checkPositiveInt(op, "growthRate", growthRate);
    checkPositiveInt(op, "numInitFeatures", numInitFeatures);
    checkPositiveInt(op, "bnSize", bnSize);
    checkProb(op, "dropRate", dropRate);
    check(Array.isArray(blockConfig) && blockConfig.length > 0, op, () => `blockConfig must be a non-empty list, got ${JSON.stringify(blockConfig)}`);
    for (const n of blockConfig) checkPositiveInt(op, "each entry of blockConfig", n);
    const features = new Sequential({
      conv0: new Conv2d(3, numInitFeatures, 7, { stride: 2, padding: 3, bias: false }),
      norm0: new BatchNorm2d(numInitFeatures),
      relu0: new ReLU({ inplace: true }),
      pool0: new MaxPool2d(3, { stride: 2, padding: 1 }),
    });
    let numFeatures = numInitFeatures;
    blockConfig.forEach((numLayers, i) => {
      features.registerModule(`denseblock${i + 1}`, new DenseBlock(numLayers, numFeatures, bnSize, growthRate, dropRate));
      numFeatures += numLayers * growthRate;
      if (i !== blockConfig.length - 1) {
        const out = Math.floor(numFeatures / 2);
        features.registerModule(`transition${i + 1}`, new Sequential({
          norm: new BatchNorm2d(numFeatures), relu: new ReLU({ inplace: true }),
          conv: new Conv2d(numFeatures, out, 1, { bias: false }), pool: new AvgPool2d(2, { stride: 2 }),
        }));
        numFeatures = out;
      }
    });
    features.registerModule("norm5", new BatchNorm2d(numFeatures));
    this.features = features;
    this.classifier = new Linear(numFeatures, numClasses);
    noGrad(() => {
      for (const m of this.modules()) {
        if (m instanceof Conv2d) kaimingNormal_(m.weight);
        else if (m instanceof BatchNorm2d) {
          if (m.weight) constant_(m.weight, 1);
          if (m.bias) constant_(m.bias, 0);
        } else if (m instanceof Linear && m.bias) constant_(m.bias, 0);
      }
    });
  }

  override forward(x: Tensor): Tensor {
    check(x.ndim === 4 && x.shape[1] === 3, "DenseNet", () => `expected input [N, 3, H, W], got [${x.shape.join(", ")}]`);
    const f = relu(this.features.forward(x) as Tensor);
    return this.classifier.forward(f.mean([2, 3]));
  }
}

type Fixed = Omit<DenseNetOptions, "growthRate" | "blockConfig" | "numInitFeatures">;
/** `models.densenet121()`: torchvision.models.densenet121(weights=None), k = 32, [6, 12, 24, 16], 8.0M parameters. */
export const densenet121 = (opts: Fixed = {}) => new DenseNet({ ...opts, growthRate: 32, blockConfig: [6, 12, 24, 16], numInitFeatures: 64 });
/** `models.densenet161()`: k = 48, [6, 12, 36, 24], 96 initial features. */
export const densenet161 = (opts: Fixed = {}) => new DenseNet({ ...opts, growthRate: 48, blockConfig: [6, 12, 36, 24], numInitFeatures: 96 });
/** `models.densenet169()`: k = 32, [6, 12, 32, 32]. */
export const densenet169 = (opts: Fixed = {}) => new DenseNet({ ...opts, growthRate: 32, blockConfig: [6, 12, 32, 32], numInitFeatures: 64 });
/** `models.densenet201()`: k = 32, [6, 12, 48, 32]. */
export const densenet201 = (opts: Fixed = {}) => new DenseNet({ ...opts, growthRate: 32, blockConfig: [6, 12, 48, 32], numInitFeatures: 64 });
