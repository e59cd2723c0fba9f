/**
 * torchvision's ShuffleNet V2 (torchvision.models.shufflenetv2, 0.14): `shufflenetV2_x0_5`,
 * `_x1_0`, `_x1_5`, `_x2_0`, with torchvision's module tree (`conv1.N`, `stage2.N.branch1.M`,
 * `stage2.N.branch2.M`, `conv5.N`, `fc`).
 */
import { type Tensor, cat } from "../core.js";
import { check } from "../errors.js";
import { Module } from "../nn/module.js";
import { Linear } from "../nn/layers/linear.js";
import { ReLU } from "../nn/layers/activation.js";
import { Sequential } from "../nn/layers/container.js";
import { Conv2d } from "../nn/layers/conv.js";
import { BatchNorm2d } from "../nn/layers/norm.js";
import { MaxPool2d } from "../nn/layers/pool.js";
import { type ClassifierOptions, checkPositiveInt } from "./tv-common.js";

/** torchvision's `channel_shuffle`: [N, g·c, H, W] → view [N, g, c, H, W] → swap g, c → [N, c·g, H, W]. */
export function channelShuffle(x: Tensor, groups: number): Tensor {
  const [n, c, h, w] = x.shape as [number, number, number, number];
  return x.view(n, groups, c / groups, h, w).transpose(1, 2).contiguous().view(n, -1, h, w);
}

const depthwise = (c: number, stride: number) => new Conv2d(c, c, 3, { stride, padding: 1, groups: c, bias: false });

/**
 * ShuffleNet V2 unit. Stride 1: split the channels in half, keep one half, run the other through
 * branch2 (1×1, depthwise 3×3, 1×1); stride 2: both branches see the whole input (branch1:
 * depthwise 3×3/2 + 1×1). Concatenate, then shuffle the channels in 2 groups.
 */
export class ShuffleInvertedResidual extends Module {
  declare branch1: Sequential;
  declare branch2: Sequential;

  constructor(inp: number, oup: number, readonly stride: number) {
    super();
    const op = "InvertedResidual";
    check(stride >= 1 && stride <= 3, op, "illegal stride value");
    const bf = Math.floor(oup / 2);
    check(stride !== 1 || inp === bf * 2, op, () =>
      `Invalid combination of stride ${stride}, inp ${inp} and oup ${oup} values. If stride == 1 then inp should be equal to oup // 2 << 1.`);
    const relu = () => new ReLU({ inplace: true });
    this.branch1 = stride > 1
      ? new Sequential(depthwise(inp, stride), new BatchNorm2d(inp), new Conv2d(inp, bf, 1, { bias: false }), new BatchNorm2d(bf), relu())
      : new Sequential();
    this.branch2 = new Sequential(
      new Conv2d(stride > 1 ? inp : bf, bf, 1, { bias: false }), new BatchNorm2d(bf), relu(),
      depthwise(bf, stride), new BatchNorm2d(bf),
      new Conv2d(bf, bf, 1, { bias: false }), new BatchNorm2d(bf), relu(),
    );
  }

  override forward(x: Tensor): Tensor {
    let out: Tensor;
    if (this.stride === 1) {
      const [x1, x2] = x.chunk(2, 1) as [Tensor, Tensor];
      out = cat([x1, this.branch2.forward(x2)], 1);
    } else out = cat([this.branch1.forward(x), this.branch2.forward(x)], 1);
    return channelShuffle(out, 2);
  }
}

/**
 * torchvision.models.ShuffleNetV2: conv1 (3×3/2 + BN + ReLU) → 3×3/2 max-pool → stage2..4 →
 * conv5 (1×1 + BN + ReLU) → global mean → fc. PyTorch's default initialisation throughout, as
 * torchvision.
 *
 * Shapes: [N, 3, H, W] → [N, numClasses].
 */
export class ShuffleNetV2 extends Module {
  declare conv1: Sequential;
  declare maxpool: MaxPool2d;
  declare stage2: Sequential;
  declare stage3: Sequential;
  declare stage4: Sequential;
  declare conv5: Sequential;
  declare fc: Linear;

  constructor(stagesRepeats: readonly number[], stagesOutChannels: readonly number[], opts: ClassifierOptions = {}) {
    super();
    const op = "ShuffleNetV2";
    const { numClasses = 1000 } = opts ?? {};
    check(stagesRepeats.length === 3, op, "expected stages_repeats as list of 3 positive ints");
    check(stagesOutChannels.length === 5, op, "expected stages_out_channels as list of 5 positive ints");
    checkPositiveInt(op, "numClasses", numClasses);
    let input = 3, output = stagesOutChannels[0]!;
    this.conv1 = new Sequential(new Conv2d(input, output, 3, { stride: 2, padding: 1, bias: false }), new BatchNorm2d(output), new ReLU({ inplace: true }));
    input = output;
    this.maxpool = new MaxPool2d(3, { stride: 2, padding: 1 });
    ["stage2", "stage3", "stage4"].forEach((name, i) => {
      output = stagesOutChannels[i + 1]!;
      const seq = new Sequential(new ShuffleInvertedResidual(input, output, 2));
      for (let j = 0; j < stagesRepeats[i]! - 1; j++) seq.append(new ShuffleInvertedResidual(output, output, 1));
      this.registerModule(name, seq);
      input = output;
    });
    output = stagesOutChannels[4]!;
    this.conv5 = new Sequential(new Conv2d(input, output, 1, { bias: false }), new BatchNorm2d(output), new ReLU({ inplace: true }));
    this.fc = new Linear(output, numClasses);
  }

  override forward(x: Tensor): Tensor {
    check(x.ndim === 4 && x.shape[1] === 3, "ShuffleNetV2", () => `expected input [N, 3, H, W], got [${x.shape.join(", ")}]`);
    x = this.maxpool.forward(this.conv1.forward(x)) as Tensor;
    x = this.conv5.forward(this.stage4.forward(this.stage3.forward(this.stage2.forward(x))));
    return this.fc.forward(x.mean([2, 3]));
  }
}

/** `models.shufflenetV2_x0_5()`: torchvision.models.shufflenet_v2_x0_5(weights=None), 1.4M parameters. */
export const shufflenetV2_x0_5 = (opts: ClassifierOptions = {}) => new ShuffleNetV2([4, 8, 4], [24, 48, 96, 192, 1024], opts);
/** `models.shufflenetV2_x1_0()`: 2.3M parameters. */
export const shufflenetV2_x1_0 = (opts: ClassifierOptions = {}) => new ShuffleNetV2([4, 8, 4], [24, 116, 232, 464, 1024], opts);
/** `models.shufflenetV2_x1_5()`. */
export const shufflenetV2_x1_5 = (opts: ClassifierOptions = {}) => new ShuffleNetV2([4, 8, 4], [24, 176, 352, 704, 1024], opts);
/** `models.shufflenetV2_x2_0()`. */
export const shufflenetV2_x2_0 = (opts: ClassifierOptions = {}) => new ShuffleNetV2([4, 8, 4], [24, 244, 488, 976, 2048], opts);
