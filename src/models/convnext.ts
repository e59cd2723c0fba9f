/**
 * torchvision's ConvNeXt (torchvision.models.convnext, 0.14): `convnextTiny()`, `convnextSmall()`,
 * `convnextBase()`, `convnextLarge()`, with torchvision's module tree — `features.0` the 4×4/4
 * patchify stem (conv + LayerNorm2d), `features.1, 3, 5, 7` the stages of `CNBlock`s
 * (`block.0` depthwise 7×7, `block.2` LayerNorm, `block.3`/`block.5` the 4× MLP, `layer_scale`
 * [C, 1, 1]), `features.2, 4, 6` the downsamplers (LayerNorm2d + 2×2/2 conv), `classifier.0/2` —
 * so torchvision's checkpoints load with `loadStateDict`.
 */
import { type Tensor, Parameter, ones } from "../core.js";
import { check } from "../errors.js";
import { noGrad } from "../autograd/grad-mode.js";
import { Module } from "../nn/module.js";
import { Sequential } from "../nn/layers/container.js";
import { Conv2d } from "../nn/layers/conv.js";
import { Linear } from "../nn/layers/linear.js";
import { LayerNorm } from "../nn/layers/norm.js";
import { GELU } from "../nn/layers/activation.js";
import { Flatten } from "../nn/layers/flatten.js";
import { AdaptiveAvgPool2d } from "../nn/layers/pool.js";
import { zeros_ } from "../nn/init.js";
import { type ClassifierOptions, StochasticDepth, checkPositiveInt, checkProb } from "./tv-common.js";
import { LayerNorm2d, Permute, truncNormalInit } from "./transformer-common.js";

/** One ConvNeXt stage: its width, the width after its downsampler (null: the last stage), its block count. */
export interface CNBlockConfig {
  inputChannels: number;
  outChannels: number | null;
  numLayers: number;
}

/**
 * ConvNeXt's block: x + StochasticDepth(layer_scale · MLP(LN(dwconv7×7(x)))), the MLP (C → 4C → C
 * with GELU) applied channels-last.
 */
export class CNBlock extends Module {
  declare layer_scale: Parameter;
  declare block: Sequential;
  declare stochastic_depth: StochasticDepth;

  constructor(dim: number, layerScale: number, stochasticDepthProb: number) {
    super();
    this.block = new Sequential(
      new Conv2d(dim, dim, 7, { padding: 3, groups: dim, bias: true }),
      new Permute([0, 2, 3, 1]),
      new LayerNorm(dim, { eps: 1e-6 }),
      new Linear(dim, 4 * dim),
      new GELU(),
      new Linear(4 * dim, dim),
      new Permute([0, 3, 1, 2]),
    );
    this.layer_scale = new Parameter(ones([dim, 1, 1]).mul(layerScale));
    this.stochastic_depth = new StochasticDepth(stochasticDepthProb);
  }

  override forward(x: Tensor): Tensor {
    const r = this.layer_scale.mul(this.block.forward(x) as Tensor);
    return this.stochastic_depth.forward(r).add(x);
  }
}

export interface ConvNeXtOptions extends ClassifierOptions {
  /** Largest drop probability of the residual branches, growing linearly from 0 over the blocks (0.1 tiny, 0.4 small, 0.5 base/large). */
  stochasticDepthProb?: number;
  /** Initial value of every block's `layer_scale` (1e-6). */
  layerScale?: number;
}

/**
 * torchvision.models.ConvNeXt: stem, stages and downsamplers in `features`, global average pool,
 * then `classifier` = LayerNorm2d → Flatten → Linear. Convolutions and linear layers start
 * truncated-normal (std 0.02, cut at ±2) with zero biases, as torchvision.
 *
 * Shapes: [N, 3, H, W] → [N, numClasses] (H, W ≥ `minSize`, 32 for torchvision's configurations).
 */
export class ConvNeXt extends Module {
  /** The smallest input side the stem and downsamplers accept (4·2^downsamplers: 32 for torchvision's configurations). */
  readonly minSize: number;
  declare features: Sequential;
  declare avgpool: AdaptiveAvgPool2d;
  declare classifier: Sequential;

  constructor(blockSetting: readonly CNBlockConfig[], opts: ConvNeXtOptions = {}) {
    super();
    const op = "ConvNeXt";
    const { numClasses = 1000, stochasticDepthProb = 0, layerScale = 1e-6 } = opts ?? {};
    check(Array.isArray(blockSetting) && blockSetting.length > 0, op, "The block_setting should not be empty");
    for (const c of blockSetting) {
      checkPositiveInt(op, "inputChannels", c?.inputChannels);
      checkPositiveInt(op, "numLayers", c.numLayers);
      if (c.outChannels !== null) checkPositiveInt(op, "outChannels", c.outChannels);
    }
    checkPositiveInt(op, "numClasses", numClasses);
    checkProb(op, "stochasticDepthProb", stochasticDepthProb);
    check(typeof layerScale === "number" && Number.isFinite(layerScale), op, () => `layerScale must be a finite number, got ${String(layerScale)}`);
    const norm = (c: number) => new LayerNorm2d(c, { eps: 1e-6 });
    const c0 = blockSetting[0]!.inputChannels;
    const features = new Sequential(new Sequential(new Conv2d(3, c0, 4, { stride: 4, padding: 0, bias: true }), norm(c0)));
    const total = blockSetting.reduce((s, c) => s + c.numLayers, 0);
    let id = 0;
    for (const c of blockSetting) {
      const stage = new Sequential();
      for (let i = 0; i < c.numLayers; i++, id++) stage.append(new CNBlock(c.inputChannels, layerScale, total > 1 ? (stochasticDepthProb * id) / (total - 1) : 0));
      features.append(stage);
      if (c.outChannels !== null) features.append(new Sequential(norm(c.inputChannels), new Conv2d(c.inputChannels, c.outChannels, 2, { stride: 2 })));
    }
    this.features = features;
    this.minSize = 4 * 2 ** blockSetting.filter((c) => c.outChannels !== null).length;
    this.avgpool = new AdaptiveAvgPool2d(1);
    const last = blockSetting[blockSetting.length - 1]!;
    const lastC = last.outChannels ?? last.inputChannels;
    this.classifier = new Sequential(norm(lastC), new Flatten(1), new Linear(lastC, numClasses));
    noGrad(() => {
      const layers = this.modules().filter((m): m is Conv2d | Linear => m instanceof Conv2d || m instanceof Linear);
      truncNormalInit(layers.map((m) => m.weight), 0.02);
      for (const m of layers) if (m.bias) zeros_(m.bias);
    });
  }

  override forward(x: Tensor): Tensor {
    check(x.ndim === 4 && x.shape[1] === 3, "ConvNeXt", () => `expected input [N, 3, H, W], got [${x.shape.join(", ")}]`);
    const min = this.minSize;
    check(x.shape[2]! >= min && x.shape[3]! >= min, "ConvNeXt", () => `expected an image of at least ${min}×${min}, got ${x.shape[2]}×${x.shape[3]}`);
    return this.classifier.forward(this.avgpool.forward(this.features.forward(x))) as Tensor;
  }
}

const cfg = (rows: [number, number | null, number][]): CNBlockConfig[] =>
  rows.map(([inputChannels, outChannels, numLayers]) => ({ inputChannels, outChannels, numLayers }));
const build = (rows: [number, number | null, number][], sd: number) => (opts: ConvNeXtOptions = {}) =>
  new ConvNeXt(cfg(rows), { stochasticDepthProb: sd, ...(opts ?? {}) });

/** `models.convnextTiny()`: torchvision.models.convnext_tiny(weights=None), 28.6M parameters. */
export const convnextTiny = build([[96, 192, 3], [192, 384, 3], [384, 768, 9], [768, null, 3]], 0.1);
/** `models.convnextSmall()`: torchvision.models.convnext_small, 50.2M parameters. */
export const convnextSmall = build([[96, 192, 3], [192, 384, 3], [384, 768, 27], [768, null, 3]], 0.4);
/** `models.convnextBase()`: torchvision.models.convnext_base, 88.6M parameters. */
export const convnextBase = build([[128, 256, 3], [256, 512, 3], [512, 1024, 27], [1024, null, 3]], 0.5);
/** `models.convnextLarge()`: torchvision.models.convnext_large, 197.8M parameters. */
export const convnextLarge = build([[192, 384, 3], [384, 768, 3], [768, 1536, 27], [1536, null, 3]], 0.5);
