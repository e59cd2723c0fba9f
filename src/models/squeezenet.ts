/**
 * torchvision's SqueezeNet 1.0 and 1.1 (torchvision.models.squeezenet, 0.14), with torchvision's
 * module tree (`features.N.squeeze`, `.expand1x1`, `.expand3x3`, `classifier.1`).
 */
import { type Tensor, cat, noGrad } from "../core.js";
import { check } from "../errors.js";
import { Module } from "../nn/module.js";
import { ReLU } from "../nn/layers/activation.js";
import { Sequential } from "../nn/layers/container.js";
import { Conv2d } from "../nn/layers/conv.js";
import { AdaptiveAvgPool2d, MaxPool2d } from "../nn/layers/pool.js";
import { Dropout } from "../nn/layers/dropout.js";
import { constant_, kaimingUniform_, normal_ } from "../nn/init.js";
import { type ClassifierOptions, checkPositiveInt, checkProb } from "./tv-common.js";

/** SqueezeNet's Fire module: 1×1 squeeze + ReLU, then 1×1 and 3×3 expands (+ ReLU) concatenated on channels. */
export class Fire extends Module {
  declare squeeze: Conv2d;
  declare squeeze_activation: ReLU;
  declare expand1x1: Conv2d;
  declare expand1x1_activation: ReLU;
  declare expand3x3: Conv2d;
  declare expand3x3_activation: ReLU;

  constructor(inplanes: number, squeezePlanes: number, expand1x1Planes: number, expand3x3Planes: number) {
    super();
    this.squeeze = new Conv2d(inplanes, squeezePlanes, 1);
    this.squeeze_activation = new ReLU({ inplace: true });
    this.expand1x1 = new Conv2d(squeezePlanes, expand1x1Planes, 1);
    this.expand1x1_activation = new ReLU({ inplace: true });
    this.expand3x3 = new Conv2d(squeezePlanes, expand3x3Planes, 3, { padding: 1 });
    this.expand3x3_activation = new ReLU({ inplace: true });
  }

  override forward(x: Tensor): Tensor {
    x = this.squeeze_activation.forward(this.squeeze.forward(x));
    return cat([this.expand1x1_activation.forward(this.expand1x1.forward(x)), this.expand3x3_activation.forward(this.expand3x3.forward(x))], 1);
  }
}

export interface SqueezeNetOptions extends ClassifierOptions {
  /** Dropout probability before the final 1×1 convolution (0.5). */
  dropout?: number;
}

/**
 * torchvision.models.SqueezeNet (version "1_0" or "1_1"): `features` (stem conv, ceil-mode
 * max-pools, Fire modules) → classifier (Dropout, 1×1 conv 512→numClasses, ReLU, global average
 * pool) → flatten. Convs kaiming-uniform (PyTorch's default gain arguments), the final conv
 * N(0, 0.01²), biases 0, as torchvision.
 *
 * Shapes: [N, 3, H, W] → [N, numClasses]; H, W ≥ 21 (1.1) or 35 (1.0).
 */
export class SqueezeNet extends Module {
  declare features: Sequential;
  declare classifier: Sequential;

  constructor(readonly version: "1_0" | "1_1" = "1_0", opts: SqueezeNetOptions = {}) {
    super();
    const { numClasses = 1000, dropout = 0.5 } = opts ?? {};
    check(version === "1_0" || version === "1_1", "SqueezeNet", () => `Unsupported SqueezeNet version ${String(version)}: 1_0 or 1_1 expected`);
    checkPositiveInt("SqueezeNet", "numClasses", numClasses);
    checkProb("SqueezeNet", "dropout", dropout);
    const pool = () => new MaxPool2d(3, { stride: 2, ceilMode: true });
    const relu = () => new ReLU({ inplace: true });
    this.features = version === "1_0"
      ? new Sequential(
        new Conv2d(3, 96, 7, { stride: 2 }), relu(), pool(),
        new Fire(96, 16, 64, 64), new Fire(128, 16, 64, 64), new Fire(128, 32, 128, 128), pool(),
        new Fire(256, 32, 128, 128), new Fire(256, 48, 192, 192), new Fire(384, 48, 192, 192), new Fire(384, 64, 256, 256), pool(),
        new Fire(512, 64, 256, 256))
      : new Sequential(
        new Conv2d(3, 64, 3, { stride: 2 }), relu(), pool(),
        new Fire(64, 16, 64, 64), new Fire(128, 16, 64, 64), pool(),
        new Fire(128, 32, 128, 128), new Fire(256, 32, 128, 128), pool(),
        new Fire(256, 48, 192, 192), new Fire(384, 48, 192, 192), new Fire(384, 64, 256, 256), new Fire(512, 64, 256, 256));
    const finalConv = new Conv2d(512, numClasses, 1);
    this.classifier = new Sequential(new Dropout(dropout), finalConv, relu(), new AdaptiveAvgPool2d([1, 1]));
    noGrad(() => {
      for (const m of this.modules()) {
        if (!(m instanceof Conv2d)) continue;
        if (m === finalConv) normal_(m.weight, 0, 0.01);
        else kaimingUniform_(m.weight);
        if (m.bias) constant_(m.bias, 0);
      }
    });
  }

  override forward(x: Tensor): Tensor {
    check(x.ndim === 4 && x.shape[1] === 3, "SqueezeNet", () => `expected input [N, 3, H, W], got [${x.shape.join(", ")}]`);
    return (this.classifier.forward(this.features.forward(x)) as Tensor).flatten(1);
  }
}

/** `models.squeezenet1_0()`: torchvision.models.squeezenet1_0(weights=None), 1.25M parameters. */
export const squeezenet1_0 = (opts: SqueezeNetOptions = {}) => new SqueezeNet("1_0", opts);
/** `models.squeezenet1_1()`: 2.4× less computation than 1.0, same accuracy; 1.24M parameters. */
export const squeezenet1_1 = (opts: SqueezeNetOptions = {}) => new SqueezeNet("1_1", opts);
