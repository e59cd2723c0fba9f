/**
 * torchvision's VGG (torchvision.models.vgg, 0.14): `vgg11/13/16/19` and their batch-norm
 * variants `vgg11Bn` …, with torchvision's module tree (`features.N`, `classifier.N`), so a
 * torchvision VGG checkpoint loads with `loadStateDict`.
 */
import type { Tensor } from "../core.js";
import { check } from "../errors.js";
import { Module } from "../nn/module.js";
import { Linear } from "../nn/layers/linear.js";
import { ReLU } from "../nn/layers/activation.js";
import { Sequential } from "../nn/layers/container.js";
import { Conv2d } from "../nn/layers/conv.js";
import { BatchNorm2d } from "../nn/layers/norm.js";
import { AdaptiveAvgPool2d, MaxPool2d } from "../nn/layers/pool.js";
import { Dropout } from "../nn/layers/dropout.js";
import { type ClassifierOptions, checkPositiveInt, checkProb, initTorchvision } from "./tv-common.js";

export interface VGGOptions extends ClassifierOptions {
  /** Dropout probability of the two classifier dropouts (0.5). */
  dropout?: number;
  /** Initialise as torchvision (true); false keeps each layer's PyTorch default initialisation. */
  initWeights?: boolean;
}

/** torchvision's VGG configurations: channel counts, "M" for a 2×2 max-pool. */
export const vggConfigs: Record<"A" | "B" | "D" | "E", readonly (number | "M")[]> = {
  A: [64, "M", 128, "M", 256, 256, "M", 512, 512, "M", 512, 512, "M"],
  B: [64, 64, "M", 128, 128, "M", 256, 256, "M", 512, 512, "M", 512, 512, "M"],
  D: [64, 64, "M", 128, 128, "M", 256, 256, 256, "M", 512, 512, 512, "M", 512, 512, 512, "M"],
  E: [64, 64, "M", 128, 128, "M", 256, 256, 256, 256, "M", 512, 512, 512, 512, "M", 512, 512, 512, 512, "M"],
};

/** torchvision's `make_layers`: 3×3 convs (pad 1) [+ BN] + ReLU per number, a max-pool per "M". */
export function vggMakeLayers(cfg: readonly (number | "M")[], batchNorm = false): Sequential {
  const layers = new Sequential();
  let inChannels = 3;
  for (const v of cfg) {
    if (v === "M") layers.append(new MaxPool2d(2, { stride: 2 }));
    else {
      layers.append(new Conv2d(inChannels, v, 3, { padding: 1 }));
      if (batchNorm) layers.append(new BatchNorm2d(v));
      layers.append(new ReLU({ inplace: true }));
      inChannels = v;
    }
  }
  return layers;
}

/**
 * torchvision.models.VGG: `features` → AdaptiveAvgPool2d(7×7) → flatten → classifier
 * (Linear 25088→4096, ReLU, Dropout, Linear 4096→4096, ReLU, Dropout, Linear 4096→numClasses).
 * Initialised as torchvision: convs kaiming-normal (fan_out, ReLU), linear N(0, 0.01²), biases 0.
 *
 * Shapes: [N, 3, H, W] → [N, numClasses], H, W ≥ 32.
 */
export class VGG extends Module {
  declare features: Sequential;
  declare avgpool: AdaptiveAvgPool2d;
  declare classifier: Sequential;

  constructor(features: Sequential, opts: VGGOptions = {}) {
    super();
    const { numClasses = 1000, dropout = 0.5, initWeights = true } = opts ?? {};
    checkPositiveInt("VGG", "numClasses", numClasses);
    checkProb("VGG", "dropout", dropout);
    this.features = features;
    this.avgpool = new AdaptiveAvgPool2d([7, 7]);
    this.classifier = new Sequential(
      new Linear(512 * 7 * 7, 4096), new ReLU({ inplace: true }), new Dropout(dropout),
      new Linear(4096, 4096), new ReLU({ inplace: true }), new Dropout(dropout),
      new Linear(4096, numClasses),
    );
    if (initWeights) initTorchvision(this, { reluGain: true, linearStd: 0.01 });
  }

  override forward(x: Tensor): Tensor {
    check(x.ndim === 4 && x.shape[1] === 3, "VGG", () => `expected input [N, 3, H, W], got [${x.shape.join(", ")}]`);
    return this.classifier.forward(this.avgpool.forward(this.features.forward(x)).flatten(1));
  }
}

const vgg = (cfg: keyof typeof vggConfigs, bn: boolean) => (opts: VGGOptions = {}) => new VGG(vggMakeLayers(vggConfigs[cfg], bn), opts);

/** `models.vgg11()`: torchvision.models.vgg11(weights=None), configuration "A", 132.9M parameters. */
export const vgg11 = vgg("A", false);
/** `models.vgg11Bn()`: torchvision's vgg11_bn. */
export const vgg11Bn = vgg("A", true);
/** `models.vgg13()`: configuration "B". */
export const vgg13 = vgg("B", false);
/** `models.vgg13Bn()`: torchvision's vgg13_bn. */
export const vgg13Bn = vgg("B", true);
/** `models.vgg16()`: configuration "D", 138.4M parameters. */
export const vgg16 = vgg("D", false);
/** `models.vgg16Bn()`: torchvision's vgg16_bn. */
export const vgg16Bn = vgg("D", true);
/** `models.vgg19()`: configuration "E". */
export const vgg19 = vgg("E", false);
/** `models.vgg19Bn()`: torchvision's vgg19_bn. */
export const vgg19Bn = vgg("E", true);
