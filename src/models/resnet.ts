import { type Tensor, noGrad } from "../core.js";
import { check } from "../errors.js";
import { Module } from "../nn/module.js";
import { Linear } from "../nn/layers/linear.js";
import { ReLU } from "../nn/layers/activation.js";
import { Sequential } from "../nn/layers/container.js";
import { Conv2d } from "../nn/layers/conv.js";
import { BatchNorm2d } from "../nn/layers/norm.js";
import { AdaptiveAvgPool2d } from "../nn/layers/pool.js";
import { kaimingNormal_ } from "../nn/init.js";
import { TorchvisionBasicBlock, TorchvisionBottleneck } from "./resnets.js";

const conv3x3 = (cin: number, cout: number, stride = 1) => new Conv2d(cin, cout, 3, { stride, padding: 1, bias: false });
const conv1x1 = (cin: number, cout: number, stride = 1) => new Conv2d(cin, cout, 1, { stride, bias: false });

/** The 1×1 convolution + batch norm that reshapes the identity path when a block changes size. */
const projection = (cin: number, cout: number, stride: number) => new Sequential(conv1x1(cin, cout, stride), new BatchNorm2d(cout));

/**
 * The two-layer residual block of ResNet-18/34: torchvision's `BasicBlock` (models/resnets.ts)
 * that builds its own shortcut, a 1×1 conv + BN (`downsample`) when the stride or width changes,
 * and uses a plain ReLU.
 *
 * Shapes: [N, inplanes, H, W] → [N, planes, ⌈H/stride⌉, ⌈W/stride⌉].
 */
export class BasicBlock extends TorchvisionBasicBlock {
  static override readonly expansion = 1;
  constructor(inplanes: number, planes: number, stride = 1) {
    super(inplanes, planes, stride, stride !== 1 || inplanes !== planes ? projection(inplanes, planes, stride) : null);
    this.relu = new ReLU();
  }
}

/**
 * The three-layer bottleneck block of ResNet-50+: torchvision's `Bottleneck` ("ResNet v1.5",
 * stride on the 3×3) that builds its own shortcut to 4·planes, with a plain ReLU.
 *
 * Shapes: [N, inplanes, H, W] → [N, 4·planes, ⌈H/stride⌉, ⌈W/stride⌉].
 */
export class Bottleneck extends TorchvisionBottleneck {
  static override readonly expansion = 4;
  constructor(inplanes: number, planes: number, stride = 1) {
    const out = planes * Bottleneck.expansion;
    super(inplanes, planes, stride, stride !== 1 || inplanes !== out ? projection(inplanes, out, stride) : null);
    this.relu = new ReLU();
  }
}

export interface ResNetOptions {
  /** Blocks per stage, e.g. [2, 2, 2, 2] (ResNet-18), [3, 4, 6, 3] (ResNet-34/50), [2, 2, 2] for small images. */
  blocks?: readonly number[];
  block?: "basic" | "bottleneck";
  /** Width (planes) of each stage; the first stage keeps the resolution, each later one halves it. */
  channels?: readonly number[];
  numClasses?: number;
  inChannels?: number;
  /** Start each block's last BN at weight 0, so every residual block begins as the identity. */
  zeroInitResidual?: boolean;
}

/**
 * A ResNet (He et al. 2016) for small images (28×28, 32×32): a 3×3 stem convolution (stride 1, no
 * max-pool, as for CIFAR) + BN + ReLU, then one stage of residual blocks per entry of `blocks`
 * (stage i has `channels[i]` planes; stages after the first start with stride 2), global average
 * pooling and a linear classifier. Weights are initialised as torchvision's (convolutions
 * kaiming-normal, fan_out, ReLU gain; BN weight 1, bias 0), and stateDict keys follow torchvision's
 * (`conv1`, `bn1`, `layer1.0.conv1`, `layer2.0.downsample.0`, `fc`).
 *
 * Shapes: [N, inChannels, H, W] → logits [N, numClasses].
 */
export class ResNet extends Module {
  declare conv1: Conv2d;
  declare bn1: BatchNorm2d;
  declare relu: ReLU;
  declare avgpool: AdaptiveAvgPool2d;
  declare fc: Linear;
  readonly #stages: Sequential[] = [];

  constructor(opts: ResNetOptions = {}) {
    super();
    const { blocks = [2, 2, 2, 2], block = "basic", channels = [64, 128, 256, 512], numClasses = 10, inChannels = 3, zeroInitResidual = false } = opts;
    const op = "resnet";
    check(blocks.length > 0 && blocks.length === channels.length, op, () =>
      `blocks (${JSON.stringify(blocks)}) and channels (${JSON.stringify(channels)}) must be non-empty lists of the same length`);
    check(blocks.every((b) => Number.isInteger(b) && b > 0) && channels.every((c) => Number.isInteger(c) && c > 0), op, () =>
      `blocks and channels must be positive integers, got ${JSON.stringify(blocks)} and ${JSON.stringify(channels)}`);
    check(block === "basic" || block === "bottleneck", op, () => `block must be "basic" or "bottleneck", got ${JSON.stringify(block)}`);
    check(Number.isInteger(numClasses) && numClasses > 0, op, () => `numClasses must be a positive integer, got ${numClasses}`);
    const Block = block === "basic" ? BasicBlock : Bottleneck;
    this.conv1 = conv3x3(inChannels, channels[0]!);
    this.bn1 = new BatchNorm2d(channels[0]!);
    this.relu = new ReLU();
    let inplanes = channels[0]!;
    blocks.forEach((n, i) => {
      const planes = channels[i]!;
      const stage = new Sequential();
      for (let j = 0; j < n; j++) {
        stage.append(new Block(inplanes, planes, j === 0 && i > 0 ? 2 : 1));
        inplanes = planes * Block.expansion;
      }
      this.registerModule(`layer${i + 1}`, stage);
      this.#stages.push(stage);
    });
    this.avgpool = new AdaptiveAvgPool2d([1, 1]);
    this.fc = new Linear(inplanes, numClasses);
    noGrad(() => {
      for (const m of this.modules()) {
        if (m instanceof Conv2d) kaimingNormal_(m.weight, { mode: "fan_out", nonlinearity: "relu" });
        else if (m instanceof BatchNorm2d) m.resetParameters();
      }
      if (zeroInitResidual)
        for (const m of this.modules()) {
          if (m instanceof BasicBlock) m.bn2.weight?.zero_();
          else if (m instanceof Bottleneck) m.bn3.weight?.zero_();
        }
    });
  }

  override forward(x: Tensor): Tensor {
    x = this.relu.forward(this.bn1.forward(this.conv1.forward(x)));
    for (const stage of this.#stages) x = stage.forward(x);
    return this.fc.forward(this.avgpool.forward(x).flatten(1));
  }
}

/**
 * `models.resnet({ blocks, block, channels, numClasses, inChannels })`. ResNet-18 is
 * `resnet({ blocks: [2, 2, 2, 2] })`; a small Fashion-MNIST net is
 * `resnet({ blocks: [2, 2, 2], channels: [16, 32, 64], numClasses: 10, inChannels: 1 })`.
 */
export function resnet(opts: ResNetOptions = {}): ResNet {
  return new ResNet(opts);
}
