/**
 * torchvision's EfficientNetV2-S/M/L (torchvision.models.efficientnet, 0.14): `efficientnetV2S()`,
 * `efficientnetV2M()`, `efficientnetV2L()`. They are torchvision's `EfficientNet` class with another
 * table (efficientnet.ts builds both): the first stages use `FusedMBConv` (one full k×k conv in place
 * of MBConv's 1×1 expand + depthwise, no squeeze-excitation), BatchNorm eps 1e-3, a 1280-channel head.
 * Module tree as torchvision: `features.N.M.block.K…`, `classifier.1`.
 */
import type { Tensor } from "../core.js";
import { check } from "../errors.js";
import { Module } from "../nn/module.js";
import { SiLU } from "../nn/layers/activation.js";
import { Sequential } from "../nn/layers/container.js";
import { BatchNorm2d } from "../nn/layers/norm.js";
import { type EfficientNetOptions, type MBConvConfig, EfficientNet } from "./efficientnet.js";
import { type NormFactory, StochasticDepth, conv2dNormActivation, makeDivisible } from "./tv-common.js";

const silu = () => new SiLU();

/**
 * EfficientNetV2's Fused-MBConv: k×k conv (stride s) to `expandRatio`× channels + BN + SiLU → 1×1
 * project + BN; with expand ratio 1 a single k×k conv + BN + SiLU. Plus the input (after stochastic
 * depth) when stride is 1 and the channels do not change.
 *
 * @example
 * const b = new models.FusedMBConv({ expandRatio: 4, kernel: 3, stride: 2, inputChannels: 24, outChannels: 48, numLayers: 1 }, 0, (c) => new nn.BatchNorm2d(c));
 * b.forward(randn(1, 24, 32, 32)).shape;   // [1, 48, 16, 16]
 */
export class FusedMBConv extends Module {
  readonly useResConnect: boolean;
  declare block: Sequential;
  declare stochastic_depth: StochasticDepth;

  constructor(c: MBConvConfig, stochasticDepthProb: number, norm: NormFactory) {
    super();
    check(c.stride === 1 || c.stride === 2, "FusedMBConv", () => `illegal stride value ${c.stride} (expected 1 or 2)`);
    this.useResConnect = c.stride === 1 && c.inputChannels === c.outChannels;
    const expanded = makeDivisible(c.inputChannels * c.expandRatio, 8);
    const k = { kernelSize: c.kernel, stride: c.stride, norm };
    this.block = expanded !== c.inputChannels
      ? new Sequential(
        conv2dNormActivation(c.inputChannels, expanded, { ...k, activation: silu }),
        conv2dNormActivation(expanded, c.outChannels, { kernelSize: 1, norm, activation: null }),
      )
      : new Sequential(conv2dNormActivation(c.inputChannels, c.outChannels, { ...k, activation: silu }));
    this.stochastic_depth = new StochasticDepth(stochasticDepthProb);
  }

  override forward(x: Tensor): Tensor {
    const y = this.block.forward(x) as Tensor;
    return this.useResConnect ? this.stochastic_depth.forward(y).add(x) : y;
  }
}

type Row = [fused: boolean, expandRatio: number, kernel: number, stride: number, inputChannels: number, outChannels: number, numLayers: number];
const V2_TABLES: Record<"s" | "m" | "l", Row[]> = {
  s: [
    [true, 1, 3, 1, 24, 24, 2], [true, 4, 3, 2, 24, 48, 4], [true, 4, 3, 2, 48, 64, 4],
    [false, 4, 3, 2, 64, 128, 6], [false, 6, 3, 1, 128, 160, 9], [false, 6, 3, 2, 160, 256, 15],
  ],
  m: [
    [true, 1, 3, 1, 24, 24, 3], [true, 4, 3, 2, 24, 48, 5], [true, 4, 3, 2, 48, 80, 5],
    [false, 4, 3, 2, 80, 160, 7], [false, 6, 3, 1, 160, 176, 14], [false, 6, 3, 2, 176, 304, 18], [false, 6, 3, 1, 304, 512, 5],
  ],
  l: [
    [true, 1, 3, 1, 32, 32, 4], [true, 4, 3, 2, 32, 64, 7], [true, 4, 3, 2, 64, 96, 7],
    [false, 4, 3, 2, 96, 192, 10], [false, 6, 3, 1, 192, 224, 19], [false, 6, 3, 2, 224, 384, 25], [false, 6, 3, 1, 384, 640, 7],
  ],
};
const fused = (c: MBConvConfig, p: number, norm: NormFactory) => new FusedMBConv(c, p, norm);

/**
 * torchvision's `_efficientnet_conf("efficientnet_v2_s" | "_m" | "_l")`: the stage table (Table 4
 * of the EfficientNetV2 paper), Fused-MBConv rows carrying `block: FusedMBConv`.
 */
export function efficientnetV2Config(size: "s" | "m" | "l"): MBConvConfig[] {
  const rows = V2_TABLES[size];
  check(rows !== undefined, "efficientnetV2Config", () => `Unsupported model type efficientnet_v2_${String(size)} (expected "s", "m" or "l")`);
  return rows.map(([f, e, k, s, i, o, n]) => ({
    expandRatio: e, kernel: k, stride: s, inputChannels: i, outChannels: o, numLayers: n, ...(f ? { block: fused } : {}),
  }));
}

const bnV2: NormFactory = (c) => new BatchNorm2d(c, { eps: 1e-3 });
const v2 = (size: "s" | "m" | "l", dropout: number) => (opts: EfficientNetOptions = {}) =>
  new EfficientNet(efficientnetV2Config(size), dropout, { ...(opts ?? {}), norm: bnV2, lastChannel: 1280 });

/**
 * `models.efficientnetV2S()`: torchvision.models.efficientnet_v2_s(weights=None), 21.5M parameters
 * (dropout 0.2). Options: `numClasses`, `stochasticDepthProb` (0.2).
 *
 * @example
 * const net = models.efficientnetV2S({ numClasses: 10 });
 * net.eval();
 * net.forward(randn(1, 3, 64, 64)).shape;   // [1, 10]
 */
export const efficientnetV2S = v2("s", 0.2);
/** `models.efficientnetV2M()`: torchvision.models.efficientnet_v2_m(weights=None), 54.1M parameters (dropout 0.3). */
export const efficientnetV2M = v2("m", 0.3);
/** `models.efficientnetV2L()`: torchvision.models.efficientnet_v2_l(weights=None), 118.5M parameters (dropout 0.4). */
export const efficientnetV2L = v2("l", 0.4);
