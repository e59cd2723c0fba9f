/**
 * torchvision's ResNet family (torchvision.models.resnet, 0.14): `resnet18/34/50/101/152`,
 * `wideResnet50_2/101_2`, `resnext50_32x4d`, `resnext101_32x8d`, `resnext101_64x4d`, with
 * torchvision's module tree (7×7 stride-2 stem, 3×3 max-pool, `layer1..4`, `fc`), so the
 * `state_dict()` of `torchvision.models.resnet50()` loads with `loadStateDict`.
 *
 * The older `models.resnet({...})` (src/models/resnet.ts) is a CIFAR-style variant (3×3 stem, no
 * max-pool) that keeps its own API; its blocks are these, building their own shortcut.
 */
import { type Tensor, noGrad } from "../core.js";
import { check } from "../errors.js";
import { Module } from "../nn/module.js";
import { Linear } from "../nn/layers/linear.js";
import { ReLU } from "../nn/layers/activation.js";
import { Sequential } from "../nn/layers/container.js";
import { Conv2d } from "../nn/layers/conv.js";
import { BatchNorm2d } from "../nn/layers/norm.js";
import { AdaptiveAvgPool2d, MaxPool2d } from "../nn/layers/pool.js";
import { type ClassifierOptions, checkPositiveInt, initTorchvision } from "./tv-common.js";

const conv3x3 = (cin: number, cout: number, stride = 1, groups = 1, dilation = 1) =>
  new Conv2d(cin, cout, 3, { stride, padding: dilation, groups, dilation, bias: false });
const conv1x1 = (cin: number, cout: number, stride = 1) => new Conv2d(cin, cout, 1, { stride, bias: false });

/**
 * torchvision's `BasicBlock`: relu(bn2(conv2(relu(bn1(conv1(x))))) + downsample(x)). Only
 * groups = 1, base width 64 and dilation 1, as torchvision.
 */
export class TorchvisionBasicBlock extends Module {
  static readonly expansion = 1;
  declare conv1: Conv2d;
  declare bn1: BatchNorm2d;
  declare relu: ReLU;
  declare conv2: Conv2d;
  declare bn2: BatchNorm2d;
  declare downsample: Sequential | null;

  constructor(inplanes: number, planes: number, stride = 1, downsample: Sequential | null = null, groups = 1, baseWidth = 64, dilation = 1) {
    super();
    check(groups === 1 && baseWidth === 64, "BasicBlock", () => `only supports groups=1 and base_width=64, got groups=${groups}, base_width=${baseWidth}`);
    check(dilation === 1, "BasicBlock", () => `dilation > 1 not supported in BasicBlock, got ${dilation}`);
    this.conv1 = conv3x3(inplanes, planes, stride);
    this.bn1 = new BatchNorm2d(planes);
    this.relu = new ReLU({ inplace: true });
    this.conv2 = conv3x3(planes, planes);
    this.bn2 = new BatchNorm2d(planes);
    this.downsample = downsample;
  }

  override forward(x: Tensor): Tensor {
    let out = this.relu.forward(this.bn1.forward(this.conv1.forward(x)));
    out = this.bn2.forward(this.conv2.forward(out));
    const identity = this.downsample ? this.downsample.forward(x) : x;
    return this.relu.forward(out.add(identity));
  }
}

/**
 * torchvision's `Bottleneck` ("ResNet v1.5": stride on the 3×3): 1×1 to width =
 * ⌊planes·baseWidth/64⌋·groups, grouped 3×3 (stride, dilation), 1×1 to 4·planes, BN after each,
 * ReLU after the residual sum.
 */
export class TorchvisionBottleneck extends Module {
  static readonly expansion = 4;
  declare conv1: Conv2d;
  declare bn1: BatchNorm2d;
  declare conv2: Conv2d;
  declare bn2: BatchNorm2d;
  declare conv3: Conv2d;
  declare bn3: BatchNorm2d;
  declare relu: ReLU;
  declare downsample: Sequential | null;

  constructor(inplanes: number, planes: number, stride = 1, downsample: Sequential | null = null, groups = 1, baseWidth = 64, dilation = 1) {
    super();
    const width = Math.floor(planes * (baseWidth / 64)) * groups;
    this.conv1 = conv1x1(inplanes, width);
    this.bn1 = new BatchNorm2d(width);
    this.conv2 = conv3x3(width, width, stride, groups, dilation);
    this.bn2 = new BatchNorm2d(width);
    this.conv3 = conv1x1(width, planes * TorchvisionBottleneck.expansion);
    this.bn3 = new BatchNorm2d(planes * TorchvisionBottleneck.expansion);
    this.relu = new ReLU({ inplace: true });
    this.downsample = downsample;
  }

  override forward(x: Tensor): Tensor {
    let out = this.relu.forward(this.bn1.forward(this.conv1.forward(x)));
    out = this.relu.forward(this.bn2.forward(this.conv2.forward(out)));
    out = this.bn3.forward(this.conv3.forward(out));
    const identity = this.downsample ? this.downsample.forward(x) : x;
    return this.relu.forward(out.add(identity));
  }
}

export interface TorchvisionResNetOptions extends ClassifierOptions {
  /** Start each block's last BN at weight 0 (each residual block begins as the identity). */
  zeroInitResidual?: boolean;
  /** Groups of the bottleneck's 3×3 convolution (ResNeXt's cardinality). */
  groups?: number;
  /** Channels per group at the first stage (64; ResNeXt-50 32×4d: 4; Wide ResNet: 128). */
  widthPerGroup?: number;
  /** For layer2..4: replace the stride-2 by dilation (output stride 16 or 8, for segmentation). */
  replaceStrideWithDilation?: readonly [boolean, boolean, boolean] | null;
}

/**
 * torchvision.models.ResNet: conv1 7×7/2 → bn1 → relu → maxpool 3×3/2 → layer1..layer4 →
 * avgpool → fc. stateDict keys as torchvision's (`conv1.weight`, `layer1.0.bn1.running_mean`,
 * `layer2.0.downsample.0.weight`, `fc.bias`, …); initialised as torchvision (convs kaiming-normal
 * fan_out, BN 1/0, `fc` PyTorch's Linear default).
 *
 * Shapes: [N, 3, H, W] → logits [N, numClasses]; H, W ≥ 32 so the last stage is not empty.
 */
export class TorchvisionResNet extends Module {
  declare conv1: Conv2d;
  declare bn1: BatchNorm2d;
  declare relu: ReLU;
  declare maxpool: MaxPool2d;
  declare layer1: Sequential;
  declare layer2: Sequential;
  declare layer3: Sequential;
  declare layer4: Sequential;
  declare avgpool: AdaptiveAvgPool2d;
  declare fc: Linear;

  constructor(block: "basic" | "bottleneck", layers: readonly number[], opts: TorchvisionResNetOptions = {}) {
    super();
    const op = "ResNet";
    const { numClasses = 1000, zeroInitResidual = false, groups = 1, widthPerGroup = 64 } = opts ?? {};
    const rswd = opts?.replaceStrideWithDilation ?? [false, false, false];
    check(block === "basic" || block === "bottleneck", op, () => `block must be "basic" or "bottleneck", got ${JSON.stringify(block)}`);
    check(Array.isArray(layers) && layers.length === 4, op, () => `layers must list 4 block counts, got ${JSON.stringify(layers)}`);
    for (const n of layers) checkPositiveInt(op, "each entry of layers", n);
    checkPositiveInt(op, "numClasses", numClasses);
    checkPositiveInt(op, "groups", groups);
    checkPositiveInt(op, "widthPerGroup", widthPerGroup);
    check(Array.isArray(rswd) && rswd.length === 3, op, () =>
      `replaceStrideWithDilation should be null or a 3-element tuple, got ${JSON.stringify(rswd)}`);
    const Block = block === "basic" ? TorchvisionBasicBlock : TorchvisionBottleneck;
    let inplanes = 64, dilation = 1;
    this.conv1 = new Conv2d(3, inplanes, 7, { stride: 2, padding: 3, bias: false });
    this.bn1 = new BatchNorm2d(inplanes);
    this.relu = new ReLU({ inplace: true });
    this.maxpool = new MaxPool2d(3, { stride: 2, padding: 1 });
    const makeLayer = (planes: number, blocks: number, stride: number, dilate: boolean): Sequential => {
      const previousDilation = dilation;
      if (dilate) {
        dilation *= stride;
        stride = 1;
      }
      let downsample: Sequential | null = null;
      if (stride !== 1 || inplanes !== planes * Block.expansion)
        downsample = new Sequential(conv1x1(inplanes, planes * Block.expansion, stride), new BatchNorm2d(planes * Block.expansion));
      const seq = new Sequential(new Block(inplanes, planes, stride, downsample, groups, widthPerGroup, previousDilation));
      inplanes = planes * Block.expansion;
      for (let i = 1; i < blocks; i++) seq.append(new Block(inplanes, planes, 1, null, groups, widthPerGroup, dilation));
      return seq;
    };
    this.layer1 = makeLayer(64, layers[0]!, 1, false);
    this.layer2 = makeLayer(128, layers[1]!, 2, !!rswd[0]);
    this.layer3 = makeLayer(256, layers[2]!, 2, !!rswd[1]);
    this.layer4 = makeLayer(512, layers[3]!, 2, !!rswd[2]);
    this.avgpool = new AdaptiveAvgPool2d([1, 1]);
    this.fc = new Linear(512 * Block.expansion, numClasses);
    initTorchvision(this, { reluGain: true });
    if (zeroInitResidual)
      noGrad(() => {
        for (const m of this.modules()) {
          if (m instanceof TorchvisionBottleneck) m.bn3.weight?.zero_();
          else if (m instanceof TorchvisionBasicBlock) m.bn2.weight?.zero_();
        }
      });
  }

  override forward(x: Tensor): Tensor {
    check(x.ndim === 4 && x.shape[1] === 3, "ResNet", () => `expected input [N, 3, H, W], got [${x.shape.join(", ")}]`);
    x = this.maxpool.forward(this.relu.forward(this.bn1.forward(this.conv1.forward(x)))) as Tensor;
    x = this.layer4.forward(this.layer3.forward(this.layer2.forward(this.layer1.forward(x))));
    return this.fc.forward(this.avgpool.forward(x).flatten(1));
  }
}

/** `models.resnet18()`: torchvision.models.resnet18(weights=None) — BasicBlock, [2, 2, 2, 2], 11.7M parameters. */
export const resnet18 = (opts: TorchvisionResNetOptions = {}) => new TorchvisionResNet("basic", [2, 2, 2, 2], opts);
/** `models.resnet34()`: BasicBlock, [3, 4, 6, 3], 21.8M parameters. */
export const resnet34 = (opts: TorchvisionResNetOptions = {}) => new TorchvisionResNet("basic", [3, 4, 6, 3], opts);
/**
 * `models.resnet50()`: Bottleneck, [3, 4, 6, 3], 25.6M parameters. Pretrained weights:
 * `const m = models.resnet50(); m.loadStateDict(loadTorch("resnet50-0676ba61.pth"))`.
 */
export const resnet50 = (opts: TorchvisionResNetOptions = {}) => new TorchvisionResNet("bottleneck", [3, 4, 6, 3], opts);
/** `models.resnet101()`: Bottleneck, [3, 4, 23, 3], 44.5M parameters. */
export const resnet101 = (opts: TorchvisionResNetOptions = {}) => new TorchvisionResNet("bottleneck", [3, 4, 23, 3], opts);
/** `models.resnet152()`: Bottleneck, [3, 8, 36, 3], 60.2M parameters. */
export const resnet152 = (opts: TorchvisionResNetOptions = {}) => new TorchvisionResNet("bottleneck", [3, 8, 36, 3], opts);
/** `models.resnext50_32x4d()`: ResNet-50 with 32 groups of width 4. */
export const resnext50_32x4d = (opts: Omit<TorchvisionResNetOptions, "groups" | "widthPerGroup"> = {}) =>
  new TorchvisionResNet("bottleneck", [3, 4, 6, 3], { ...opts, groups: 32, widthPerGroup: 4 });
/** `models.resnext101_32x8d()`. */
export const resnext101_32x8d = (opts: Omit<TorchvisionResNetOptions, "groups" | "widthPerGroup"> = {}) =>
  new TorchvisionResNet("bottleneck", [3, 4, 23, 3], { ...opts, groups: 32, widthPerGroup: 8 });
/** `models.resnext101_64x4d()`. */
export const resnext101_64x4d = (opts: Omit<TorchvisionResNetOptions, "groups" | "widthPerGroup"> = {}) =>
  new TorchvisionResNet("bottleneck", [3, 4, 23, 3], { ...opts, groups: 64, widthPerGroup: 4 });
/** `models.wideResnet50_2()`: ResNet-50 with twice as wide bottlenecks (width per group 128). */
export const wideResnet50_2 = (opts: Omit<TorchvisionResNetOptions, "widthPerGroup"> = {}) =>
  new TorchvisionResNet("bottleneck", [3, 4, 6, 3], { ...opts, widthPerGroup: 128 });
/** `models.wideResnet101_2()`. */
export const wideResnet101_2 = (opts: Omit<TorchvisionResNetOptions, "widthPerGroup"> = {}) =>
  new TorchvisionResNet("bottleneck", [3, 4, 23, 3], { ...opts, widthPerGroup: 128 });
