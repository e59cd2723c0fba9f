/**
 * torchvision's AlexNet (torchvision.models.alexnet, 0.14; the "one weird trick" variant with 64
 * first-layer filters), with torchvision's module tree so its checkpoint loads with `loadStateDict`.
 */
import type { Tensor } from "../core.js";
import { check } from "../errors.js";
import { Module } from "../nn/module.js";
import { Linear } from "../nn/layers/linear.js";
import { ReLU } from "../nn/layers/activation.js";
import { Sequential } from "../nn/layers/container.js";
import { Conv2d } from "../nn/layers/conv.js";
import { AdaptiveAvgPool2d, MaxPool2d } from "../nn/layers/pool.js";
import { Dropout } from "../nn/layers/dropout.js";
import { type ClassifierOptions, checkPositiveInt, checkProb } from "./tv-common.js";

export interface AlexNetOptions extends ClassifierOptions {
  /** Dropout probability before the first two classifier layers (0.5). */
  dropout?: number;
}

/**
 * torchvision.models.AlexNet: five convolutions (11×11/4, 5×5, 3×3 ×3) with ReLU and three 3×3/2
 * max-pools, AdaptiveAvgPool2d(6×6), then Dropout → Linear 9216→4096 → ReLU → Dropout → Linear
 * 4096→4096 → ReLU → Linear → numClasses. Every layer keeps PyTorch's default initialisation, as
 * torchvision's AlexNet does.
 *
 * Shapes: [N, 3, H, W] → [N, numClasses], H, W ≥ 63.
 */
export class AlexNet extends Module {
  declare features: Sequential;
  declare avgpool: AdaptiveAvgPool2d;
  declare classifier: Sequential;

  constructor(opts: AlexNetOptions = {}) {
    super();
    const { numClasses = 1000, dropout = 0.5 } = opts ?? {};
    checkPositiveInt("AlexNet", "numClasses", numClasses);
    checkProb("AlexNet", "dropout", dropout);
    const relu = () => new ReLU({ inplace: true });
    const pool = () => new MaxPool2d(3, { stride: 2 });
    this.features = new Sequential(
      new Conv2d(3, 64, 11, { stride: 4, padding: 2 }), relu(), pool(),
      new Conv2d(64, 192, 5, { padding: 2 }), relu(), pool(),
      new Conv2d(192, 384, 3, { padding: 1 }), relu(),
      new Conv2d(384, 256, 3, { padding: 1 }), relu(),
      new Conv2d(256, 256, 3, { padding: 1 }), relu(), pool(),
    );
    this.avgpool = new AdaptiveAvgPool2d([6, 6]);
    this.classifier = new Sequential(
      new Dropout(dropout), new Linear(256 * 6 * 6, 4096), relu(),
      new Dropout(dropout), new Linear(4096, 4096), relu(),
      new Linear(4096, numClasses),
    );
  }

  override forward(x: Tensor): Tensor {
    check(x.ndim === 4 && x.shape[1] === 3 && x.shape[2]! >= 63 && x.shape[3]! >= 63, "AlexNet", () =>
      `expected input [N, 3, H, W] with H, W >= 63, got [${x.shape.join(", ")}]`);
    return this.classifier.forward(this.avgpool.forward(this.features.forward(x)).flatten(1));
  }
}

/** `models.alexnet({ numClasses = 1000, dropout = 0.5 })`: torchvision.models.alexnet(weights=None), 61.1M parameters. */
export const alexnet = (opts: AlexNetOptions = {}) => new AlexNet(opts);
