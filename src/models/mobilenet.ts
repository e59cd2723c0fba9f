/**
 * torchvision's MobileNetV2 and MobileNetV3 (torchvision.models.mobilenetv2 / mobilenetv3, 0.14):
 * `mobilenetV2({ widthMult, dropout })`, `mobilenetV3Small()`, `mobilenetV3Large()`, with
 * torchvision's module tree (`features.N.conv.M…` / `features.N.block.M…`, `classifier.N`).
 */
import type { Tensor } from "../core.js";
import { check } from "../errors.js";
import { Module } from "../nn/module.js";
import { Linear } from "../nn/layers/linear.js";
import { Hardsigmoid, Hardswish, ReLU, ReLU6 } from "../nn/layers/activation.js";
import { Sequential } from "../nn/layers/container.js";
import { Conv2d } from "../nn/layers/conv.js";
import { BatchNorm2d } from "../nn/layers/norm.js";
import { AdaptiveAvgPool2d } from "../nn/layers/pool.js";
import { Dropout } from "../nn/layers/dropout.js";
import {
  type ClassifierOptions, type NormFactory, SqueezeExcitation, checkPositiveInt, checkProb, conv2dNormActivation,
  initTorchvision, makeDivisible,
} from "./tv-common.js";

const relu6 = () => new ReLU6({ inplace: true });

/** MobileNetV2's inverted residual: [1×1 expand + BN + ReLU6] → 3×3 depthwise + BN + ReLU6 → 1×1 project + BN (+ x). */
export class InvertedResidual extends Module {
  readonly useResConnect: boolean;
  declare conv: Sequential;

  constructor(inp: number, oup: number, stride: number, expandRatio: number) {
    super();
    check(stride === 1 || stride === 2, "InvertedResidual", () => `stride should be 1 or 2 instead of ${stride}`);
    const hidden = Math.round(inp * expandRatio);
    this.useResConnect = stride === 1 && inp === oup;
    const layers = new Sequential();
    if (expandRatio !== 1) layers.append(conv2dNormActivation(inp, hidden, { kernelSize: 1, activation: relu6 }));
    layers.append(conv2dNormActivation(hidden, hidden, { stride, groups: hidden, activation: relu6 }));
    layers.append(new Conv2d(hidden, oup, 1, { bias: false }));
    layers.append(new BatchNorm2d(oup));
    this.conv = layers;
  }

  override forward(x: Tensor): Tensor {
    const y = this.conv.forward(x) as Tensor;
    return this.useResConnect ? x.add(y) : y;
  }
}

export interface MobileNetV2Options extends ClassifierOptions {
  /** Scales every layer's channels (then rounded to a multiple of `roundNearest`); 1. */
  widthMult?: number;
  /** Per stage [expansion t, channels c, repeats n, stride s]; torchvision's table by default. */
  invertedResidualSetting?: readonly (readonly [number, number, number, number])[];
  roundNearest?: number;
  /** Dropout before the classifier (0.2). */
  dropout?: number;
}

/**
 * torchvision.models.MobileNetV2: 3×3/2 stem, 17 inverted residuals, 1×1 conv to 1280, global
 * average pool, Dropout, Linear. Convs kaiming-normal (fan_out), linear N(0, 0.01²), as torchvision.
 *
 * Shapes: [N, 3, H, W] → [N, numClasses].
 */
export class MobileNetV2 extends Module {
  readonly lastChannel: number;
  declare features: Sequential;
  declare classifier: Sequential;

  constructor(opts: MobileNetV2Options = {}) {
    super();
    const op = "MobileNetV2";
    const { numClasses = 1000, widthMult = 1, roundNearest = 8, dropout = 0.2 } = opts ?? {};
    const setting = opts?.invertedResidualSetting ?? [[1, 16, 1, 1], [6, 24, 2, 2], [6, 32, 3, 2], [6, 64, 4, 2], [6, 96, 3, 1], [6, 160, 3, 2], [6, 320, 1, 1]];
    checkPositiveInt(op, "numClasses", numClasses);
    checkProb(op, "dropout", dropout);
    check(typeof widthMult === "number" && widthMult > 0, op, () => `widthMult must be a positive number, got ${String(widthMult)}`);
    check(setting.length > 0 && setting.every((s) => s.length === 4), op, () =>
      `inverted_residual_setting should be non-empty or a 4-element list, got ${JSON.stringify(setting)}`);
    let inputChannel = makeDivisible(32 * widthMult, roundNearest);
    this.lastChannel = makeDivisible(1280 * Math.max(1, widthMult), roundNearest);
    const features = new Sequential(conv2dNormActivation(3, inputChannel, { stride: 2, activation: relu6 }));
    for (const [t, c, n, s] of setting) {
      const out = makeDivisible(c * widthMult, roundNearest);
      for (let i = 0; i < n; i++) {
        features.append(new InvertedResidual(inputChannel, out, i === 0 ? s : 1, t));
        inputChannel = out;
      }
    }
    features.append(conv2dNormActivation(inputChannel, this.lastChannel, { kernelSize: 1, activation: relu6 }));
    this.features = features;
    this.classifier = new Sequential(new Dropout(dropout), new Linear(this.lastChannel, numClasses));
    initTorchvision(this, { linearStd: 0.01 });
  }

  override forward(x: Tensor): Tensor {
    check(x.ndim === 4 && x.shape[1] === 3, "MobileNetV2", () => `expected input [N, 3, H, W], got [${x.shape.join(", ")}]`);
    return this.classifier.forward((this.features.forward(x) as Tensor).mean([2, 3]));
  }
}

/** `models.mobilenetV2({ numClasses, widthMult, dropout })`: torchvision.models.mobilenet_v2(weights=None), 3.5M parameters. */
export const mobilenetV2 = (opts: MobileNetV2Options = {}) => new MobileNetV2(opts);

/** One row of MobileNetV3's table (torchvision's InvertedResidualConfig, channels before widthMult). */
export interface MobileNetV3BlockConfig {
  inputChannels: number; kernel: number; expandedChannels: number; outChannels: number;
  useSE: boolean; activation: "RE" | "HS"; stride: number; dilation: number;
}

/** MobileNetV3's block: [1×1 expand] → k×k depthwise → [squeeze-excitation] → 1×1 project (+ x). */
export class InvertedResidualV3 extends Module {
  readonly useResConnect: boolean;
  declare block: Sequential;

  constructor(c: MobileNetV3BlockConfig, norm: NormFactory) {
    super();
    check(c.stride === 1 || c.stride === 2, "InvertedResidual", () => "illegal stride value");
    this.useResConnect = c.stride === 1 && c.inputChannels === c.outChannels;
    const act = c.activation === "HS" ? () => new Hardswish({ inplace: true }) : () => new ReLU({ inplace: true });
    const layers = new Sequential();
    if (c.expandedChannels !== c.inputChannels)
      layers.append(conv2dNormActivation(c.inputChannels, c.expandedChannels, { kernelSize: 1, norm, activation: act }));
    layers.append(conv2dNormActivation(c.expandedChannels, c.expandedChannels, {
      kernelSize: c.kernel, stride: c.dilation > 1 ? 1 : c.stride, dilation: c.dilation, groups: c.expandedChannels, norm, activation: act,
    }));
    if (c.useSE)
      layers.append(new SqueezeExcitation(c.expandedChannels, makeDivisible(Math.floor(c.expandedChannels / 4), 8), () => new ReLU(), () => new Hardsigmoid()));
    layers.append(conv2dNormActivation(c.expandedChannels, c.outChannels, { kernelSize: 1, norm, activation: null }));
    this.block = layers;
  }

  override forward(x: Tensor): Tensor {
    const y = this.block.forward(x) as Tensor;
    return this.useResConnect ? y.add(x) : y;
  }
}

export interface MobileNetV3Options extends ClassifierOptions {
  /** Channel multiplier (1). */
  widthMult?: number;
  /** Halve the channels of the last stage (torchvision's `reduced_tail`). */
  reducedTail?: boolean;
  /** Dilate the last stage instead of striding (torchvision's `dilated`). */
  dilated?: boolean;
  /** Dropout in the classifier (0.2). */
  dropout?: number;
}

type Row = [number, number, number, number, boolean, "RE" | "HS", number, number];

function v3Config(arch: "large" | "small", widthMult: number, reducedTail: boolean, dilated: boolean): [MobileNetV3BlockConfig[], number] {
  const rd = reducedTail ? 2 : 1, dil = dilated ? 2 : 1;
  const adj = (c: number) => makeDivisible(c * widthMult, 8);
  const rows: Row[] = arch === "large"
    ? [
      [16, 3, 16, 16, false, "RE", 1, 1], [16, 3, 64, 24, false, "RE", 2, 1], [24, 3, 72, 24, false, "RE", 1, 1],
      [24, 5, 72, 40, true, "RE", 2, 1], [40, 5, 120, 40, true, "RE", 1, 1], [40, 5, 120, 40, true, "RE", 1, 1],
      [40, 3, 240, 80, false, "HS", 2, 1], [80, 3, 200, 80, false, "HS", 1, 1], [80, 3, 184, 80, false, "HS", 1, 1],
      [80, 3, 184, 80, false, "HS", 1, 1], [80, 3, 480, 112, true, "HS", 1, 1], [112, 3, 672, 112, true, "HS", 1, 1],
      [112, 5, 672, 160 / rd, true, "HS", 2, dil], [160 / rd, 5, 960 / rd, 160 / rd, true, "HS", 1, dil],
      [160 / rd, 5, 960 / rd, 160 / rd, true, "HS", 1, dil],
    ]
    : [
      [16, 3, 16, 16, true, "RE", 2, 1], [16, 3, 72, 24, false, "RE", 2, 1], [24, 3, 88, 24, false, "RE", 1, 1],
      [24, 5, 96, 40, true, "HS", 2, 1], [40, 5, 240, 40, true, "HS", 1, 1], [40, 5, 240, 40, true, "HS", 1, 1],
      [40, 5, 120, 48, true, "HS", 1, 1], [48, 5, 144, 48, true, "HS", 1, 1], [48, 5, 288, 96 / rd, true, "HS", 2, dil],
      [96 / rd, 5, 576 / rd, 96 / rd, true, "HS", 1, dil], [96 / rd, 5, 576 / rd, 96 / rd, true, "HS", 1, dil],
    ];
  const cfg = rows.map(([i, k, e, o, se, a, s, d]) => ({
    inputChannels: adj(i), kernel: k, expandedChannels: adj(e), outChannels: adj(o), useSE: se, activation: a, stride: s, dilation: d,
  }));
  return [cfg, adj(Math.floor((arch === "large" ? 1280 : 1024) / rd))];
}

/**
 * torchvision.models.MobileNetV3: 3×3/2 stem (Hardswish), the inverted residuals of the table,
 * 1×1 conv to 6× channels, global average pool, Linear → Hardswish → Dropout → Linear. Batch norm
 * with eps 0.001 and momentum 0.01; convs kaiming-normal (fan_out), linear N(0, 0.01²).
 *
 * Shapes: [N, 3, H, W] → [N, numClasses].
 */
export class MobileNetV3 extends Module {
  declare features: Sequential;
  declare avgpool: AdaptiveAvgPool2d;
  declare classifier: Sequential;

  constructor(settings: readonly MobileNetV3BlockConfig[], lastChannel: number, opts: Pick<MobileNetV3Options, "numClasses" | "dropout"> = {}) {
    super();
    const op = "MobileNetV3";
    const { numClasses = 1000, dropout = 0.2 } = opts ?? {};
    check(settings.length > 0, op, "The inverted_residual_setting should not be empty");
    checkPositiveInt(op, "numClasses", numClasses);
    checkProb(op, "dropout", dropout);
    const norm: NormFactory = (c) => new BatchNorm2d(c, { eps: 0.001, momentum: 0.01 });
    const hs = () => new Hardswish({ inplace: true });
    const features = new Sequential(conv2dNormActivation(3, settings[0]!.inputChannels, { stride: 2, norm, activation: hs }));
    for (const c of settings) features.append(new InvertedResidualV3(c, norm));
    const lastIn = settings[settings.length - 1]!.outChannels, lastOut = 6 * lastIn;
    features.append(conv2dNormActivation(lastIn, lastOut, { kernelSize: 1, norm, activation: hs }));
    this.features = features;
    this.avgpool = new AdaptiveAvgPool2d(1);
    this.classifier = new Sequential(new Linear(lastOut, lastChannel), hs(), new Dropout(dropout), new Linear(lastChannel, numClasses));
    initTorchvision(this, { linearStd: 0.01 });
  }

  override forward(x: Tensor): Tensor {
    check(x.ndim === 4 && x.shape[1] === 3, "MobileNetV3", () => `expected input [N, 3, H, W], got [${x.shape.join(", ")}]`);
    return this.classifier.forward(this.avgpool.forward(this.features.forward(x)).flatten(1));
  }
}

function mobilenetV3(arch: "large" | "small", opts: MobileNetV3Options): MobileNetV3 {
  const { widthMult = 1, reducedTail = false, dilated = false, ...rest } = opts ?? {};
  check(typeof widthMult === "number" && widthMult > 0, "MobileNetV3", () => `widthMult must be a positive number, got ${String(widthMult)}`);
  const [cfg, last] = v3Config(arch, widthMult, reducedTail, dilated);
  return new MobileNetV3(cfg, last, rest);
}

/** `models.mobilenetV3Large()`: torchvision.models.mobilenet_v3_large(weights=None), 5.5M parameters. */
export const mobilenetV3Large = (opts: MobileNetV3Options = {}) => mobilenetV3("large", opts);
/** `models.mobilenetV3Small()`: torchvision.models.mobilenet_v3_small(weights=None), 2.5M parameters. */
export const mobilenetV3Small = (opts: MobileNetV3Options = {}) => mobilenetV3("small", opts);
