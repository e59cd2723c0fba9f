/**
 * torchvision's EfficientNet-B0 … B7 (torchvision.models.efficientnet, 0.14; the V2 variants, built
 * by this `EfficientNet` class too, are in efficientnet-v2.ts): `efficientnetB0()` …, with
 * torchvision's module tree (`features.N.M.block.K…`, `classifier.1`). Stochastic depth in training is torchvision's `StochasticDepth` ("row" mode),
 * drawing from Tensile's default generator.
 */
import type { Tensor } from "../core.js";
import { check } from "../errors.js";
import { Module } from "../nn/module.js";
import { Linear } from "../nn/layers/linear.js";
import { SiLU } from "../nn/layers/activation.js";
import { Sequential } from "../nn/layers/container.js";
import { BatchNorm2d } from "../nn/layers/norm.js";
import { AdaptiveAvgPool2d } from "../nn/layers/pool.js";
import { Dropout } from "../nn/layers/dropout.js";
import { uniform_ } from "../nn/init.js";
import {
  type ClassifierOptions, type NormFactory, SqueezeExcitation, StochasticDepth, checkPositiveInt, checkProb, conv2dNormActivation,
  initTorchvision, makeDivisible,
} from "./tv-common.js";

/** One MBConv row: expansion, kernel, stride, input and output channels, layers (after width/depth scaling). */
export interface MBConvConfig {
  expandRatio: number; kernel: number; stride: number; inputChannels: number; outChannels: number; numLayers: number;
  /** The row's block (torchvision's `MBConvConfig.block`): `MBConv` when omitted; EfficientNetV2 uses `FusedMBConv` too. */
  block?: (c: MBConvConfig, stochasticDepthProb: number, norm: NormFactory) => Module;
}

const silu = () => new SiLU();

/**
 * EfficientNet's MBConv: [1×1 expand + BN + SiLU] → depthwise k×k + BN + SiLU → squeeze-excitation
 * (SiLU, sigmoid; squeeze = input/4) → 1×1 project + BN, plus the input (after stochastic depth)
 * when the shapes allow.
 */
export class MBConv extends Module {
  readonly useResConnect: boolean;
  declare block: Sequential;
  declare stochastic_depth: StochasticDepth;

  constructor(c: MBConvConfig, stochasticDepthProb: number, norm: NormFactory) {
    super();
    check(c.stride === 1 || c.stride === 2, "MBConv", "illegal stride value");
    this.useResConnect = c.stride === 1 && c.inputChannels === c.outChannels;
    const expanded = makeDivisible(c.inputChannels * c.expandRatio, 8);
    const layers = new Sequential();
    if (expanded !== c.inputChannels) layers.append(conv2dNormActivation(c.inputChannels, expanded, { kernelSize: 1, norm, activation: silu }));
    layers.append(conv2dNormActivation(expanded, expanded, { kernelSize: c.kernel, stride: c.stride, groups: expanded, norm, activation: silu }));
    layers.append(new SqueezeExcitation(expanded, Math.max(1, Math.floor(c.inputChannels / 4)), silu));
    layers.append(conv2dNormActivation(expanded, c.outChannels, { kernelSize: 1, norm, activation: null }));
    this.block = layers;
    this.stochastic_depth = new StochasticDepth(stochasticDepthProb);
  }

  override forward(x: Tensor): Tensor {
    const y = this.block.forward(x) as Tensor;
    return this.useResConnect ? this.stochastic_depth.forward(y).add(x) : y;
  }
}

export interface EfficientNetOptions extends ClassifierOptions {
  /** Largest drop probability of the residual branches (0.2), growing linearly with the block index. */
  stochasticDepthProb?: number;
}

/**
 * torchvision.models.EfficientNet: 3×3/2 stem (SiLU), one Sequential of MBConv blocks per stage,
 * 1×1 conv to 4× channels (SiLU), global average pool, Dropout, Linear. Convs kaiming-normal
 * (fan_out), BN 1/0, linear U(−1/√out, 1/√out) with bias 0, as torchvision.
 *
 * Shapes: [N, 3, H, W] → [N, numClasses].
 */
export class EfficientNet extends Module {
  declare features: Sequential;
  declare avgpool: AdaptiveAvgPool2d;
  declare classifier: Sequential;

  constructor(settings: readonly MBConvConfig[], dropout: number, opts: EfficientNetOptions & { norm?: NormFactory; lastChannel?: number } = {}) {
    super();
    const op = "EfficientNet";
    const { numClasses = 1000, stochasticDepthProb = 0.2, norm = (c: number) => new BatchNorm2d(c) } = opts ?? {};
    check(settings.length > 0, op, "The inverted_residual_setting should not be empty");
    checkPositiveInt(op, "numClasses", numClasses);
    checkProb(op, "dropout", dropout);
    checkProb(op, "stochasticDepthProb", stochasticDepthProb);
    const features = new Sequential(conv2dNormActivation(3, settings[0]!.inputChannels, { stride: 2, norm, activation: silu }));
    const total = settings.reduce((s, c) => s + c.numLayers, 0);
    let id = 0;
    for (const c of settings) {
      const stage = new Sequential();
      for (let i = 0; i < c.numLayers; i++) {
        const bc = i === 0 ? c : { ...c, inputChannels: c.outChannels, stride: 1 };
        const p = (stochasticDepthProb * id) / total;
        stage.append(c.block ? c.block(bc, p, norm) : new MBConv(bc, p, norm));
        id++;
      }
      features.append(stage);
    }
    const lastIn = settings[settings.length - 1]!.outChannels, lastOut = opts?.lastChannel ?? 4 * lastIn;
    features.append(conv2dNormActivation(lastIn, lastOut, { kernelSize: 1, norm, activation: silu }));
    this.features = features;
    this.avgpool = new AdaptiveAvgPool2d(1);
    this.classifier = new Sequential(new Dropout(dropout), new Linear(lastOut, numClasses));
    initTorchvision(this, {
      linear: (l) => {
        const r = 1 / Math.sqrt(l.outFeatures);
        uniform_(l.weight, -r, r);
        l.bias?.zero_();
      },
    });
  }

  override forward(x: Tensor): Tensor {
    check(x.ndim === 4 && x.shape[1] === 3, "EfficientNet", () => `expected input [N, 3, H, W], got [${x.shape.join(", ")}]`);
    return this.classifier.forward(this.avgpool.forward(this.features.forward(x)).flatten(1));
  }
}

/** torchvision's B0 table scaled by `widthMult` (channels, rounded to multiples of 8) and `depthMult` (layers, rounded up). */
export function efficientnetConfig(widthMult: number, depthMult: number): MBConvConfig[] {
  const rows: [number, number, number, number, number, number][] = [
    [1, 3, 1, 32, 16, 1], [6, 3, 2, 16, 24, 2], [6, 5, 2, 24, 40, 2], [6, 3, 2, 40, 80, 3],
    [6, 5, 1, 80, 112, 3], [6, 5, 2, 112, 192, 4], [6, 3, 1, 192, 320, 1],
  ];
  return rows.map(([e, k, s, i, o, n]) => ({
    expandRatio: e, kernel: k, stride: s, inputChannels: makeDivisible(i * widthMult, 8), outChannels: makeDivisible(o * widthMult, 8),
    numLayers: Math.ceil(n * depthMult),
  }));
}

const bn = (eps: number, momentum = 0.1): NormFactory => (c) => new BatchNorm2d(c, { eps, momentum });
const b = (w: number, d: number, dropout: number, norm?: NormFactory) => (opts: EfficientNetOptions = {}) =>
  new EfficientNet(efficientnetConfig(w, d), dropout, { ...opts, ...(norm ? { norm } : {}) });

/** `models.efficientnetB0()`: torchvision.models.efficientnet_b0(weights=None), 5.3M parameters. */
export const efficientnetB0 = b(1.0, 1.0, 0.2);
/** `models.efficientnetB1()`. */
export const efficientnetB1 = b(1.0, 1.1, 0.2);
/** `models.efficientnetB2()`. */
export const efficientnetB2 = b(1.1, 1.2, 0.3);
/** `models.efficientnetB3()`. */
export const efficientnetB3 = b(1.2, 1.4, 0.3);
/** `models.efficientnetB4()`. */
export const efficientnetB4 = b(1.4, 1.8, 0.4);
/** `models.efficientnetB5()` (BatchNorm eps 0.001, momentum 0.01, as torchvision). */
export const efficientnetB5 = b(1.6, 2.2, 0.4, bn(0.001, 0.01));
/** `models.efficientnetB6()`. */
export const efficientnetB6 = b(1.8, 2.6, 0.5, bn(0.001, 0.01));
/** `models.efficientnetB7()`. */
export const efficientnetB7 = b(2.0, 3.1, 0.5, bn(0.001, 0.01));
