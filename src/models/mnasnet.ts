/**
 * torchvision's MNASNet B1 (torchvision.models.mnasnet, 0.14): `mnasnet0_5`, `mnasnet0_75`,
 * `mnasnet1_0`, `mnasnet1_3`, with torchvision's module tree (`layers.N…`, `classifier.1`) in its
 * current ("version 2") layout; torchvision's conversion of old version-1 checkpoints of the 0.5 and
 * 0.75 models is not reproduced.
 */
import type { Tensor } from "../core.js";
import { check } from "../errors.js";
import { Module } from "../nn/module.js";
import { Linear } from "../nn/layers/linear.js";
import { ReLU } from "../nn/layers/activation.js";
import { Sequential } from "../nn/layers/container.js";
import { Conv2d } from "../nn/layers/conv.js";
import { BatchNorm2d } from "../nn/layers/norm.js";
import { Dropout } from "../nn/layers/dropout.js";
import { kaimingUniform_ } from "../nn/init.js";
import { type ClassifierOptions, checkPositiveInt, checkProb, initTorchvision } from "./tv-common.js";

const BN_MOMENTUM = 1 - 0.9997;
const bn = (c: number, momentum = BN_MOMENTUM) => new BatchNorm2d(c, { momentum });

/** MNASNet's inverted residual: 1×1 expand + BN + ReLU → k×k depthwise + BN + ReLU → 1×1 + BN (+ x). */
export class MNASInvertedResidual extends Module {
  readonly applyResidual: boolean;
  declare layers: Sequential;

  constructor(inCh: number, outCh: number, kernelSize: number, stride: number, expansionFactor: number, bnMomentum = 0.1) {
    super();
    check(stride === 1 || stride === 2, "MNASNet", () => `stride should be 1 or 2 instead of ${stride}`);
    check(kernelSize === 3 || kernelSize === 5, "MNASNet", () => `kernel_size should be 3 or 5 instead of ${kernelSize}`);
    const mid = inCh * expansionFactor;
    this.applyResidual = inCh === outCh && stride === 1;
    this.layers = new Sequential(
      new Conv2d(inCh, mid, 1, { bias: false }), bn(mid, bnMomentum), new ReLU({ inplace: true }),
      new Conv2d(mid, mid, kernelSize, { padding: Math.floor(kernelSize / 2), stride, groups: mid, bias: false }), bn(mid, bnMomentum),
      new ReLU({ inplace: true }),
      new Conv2d(mid, outCh, 1, { bias: false }), bn(outCh, bnMomentum),
    );
  }

  override forward(x: Tensor): Tensor {
    const y = this.layers.forward(x) as Tensor;
    return this.applyResidual ? y.add(x) : y;
  }
}

function stack(inCh: number, outCh: number, k: number, stride: number, exp: number, repeats: number): Sequential {
  const seq = new Sequential(new MNASInvertedResidual(inCh, outCh, k, stride, exp, BN_MOMENTUM));
  for (let i = 1; i < repeats; i++) seq.append(new MNASInvertedResidual(outCh, outCh, k, 1, exp, BN_MOMENTUM));
  return seq;
}

/** torchvision's `_round_to_multiple_of(val, divisor, 0.9)`. */
function roundToMultipleOf(val: number, divisor: number): number {
  const v = Math.max(divisor, Math.floor(Math.trunc(val + divisor / 2) / divisor) * divisor);
  return v >= 0.9 * val ? v : v + divisor;
}

export interface MNASNetOptions extends ClassifierOptions {
  /** Dropout before the classifier (0.2). */
  dropout?: number;
}

/**
 * torchvision.models.MNASNet (B1): stem (3×3/2 conv, depthwise 3×3, 1×1, BN momentum 0.0003),
 * six stacks of inverted residuals, 1×1 conv to 1280, global mean, Dropout, Linear. Convs
 * kaiming-normal (fan_out, ReLU), linear kaiming-uniform (fan_out, sigmoid gain), biases 0.
 *
 * Shapes: [N, 3, H, W] → [N, numClasses].
 */
export class MNASNet extends Module {
  declare layers: Sequential;
  declare classifier: Sequential;

  constructor(readonly alpha: number, opts: MNASNetOptions = {}) {
    super();
    const op = "MNASNet";
    const { numClasses = 1000, dropout = 0.2 } = opts ?? {};
    check(typeof alpha === "number" && alpha > 0, op, () => `alpha should be greater than 0.0 instead of ${String(alpha)}`);
    checkPositiveInt(op, "numClasses", numClasses);
    checkProb(op, "dropout", dropout);
    const d = [32, 16, 24, 40, 80, 96, 192, 320].map((c) => roundToMultipleOf(c * alpha, 8)) as
      [number, number, number, number, number, number, number, number];
    this.layers = new Sequential(
      new Conv2d(3, d[0], 3, { padding: 1, stride: 2, bias: false }), bn(d[0]), new ReLU({ inplace: true }),
      new Conv2d(d[0], d[0], 3, { padding: 1, groups: d[0], bias: false }), bn(d[0]), new ReLU({ inplace: true }),
      new Conv2d(d[0], d[1], 1, { bias: false }), bn(d[1]),
      stack(d[1], d[2], 3, 2, 3, 3), stack(d[2], d[3], 5, 2, 3, 3), stack(d[3], d[4], 5, 2, 6, 3),
      stack(d[4], d[5], 3, 1, 6, 2), stack(d[5], d[6], 5, 2, 6, 4), stack(d[6], d[7], 3, 1, 6, 1),
      new Conv2d(d[7], 1280, 1, { bias: false }), bn(1280), new ReLU({ inplace: true }),
    );
    this.classifier = new Sequential(new Dropout(dropout), new Linear(1280, numClasses));
    initTorchvision(this, {
      reluGain: true,
      linear: (l) => {
        kaimingUniform_(l.weight, { mode: "fan_out", nonlinearity: "sigmoid" });
        l.bias?.zero_();
      },
    });
  }

  override forward(x: Tensor): Tensor {
    check(x.ndim === 4 && x.shape[1] === 3, "MNASNet", () => `expected input [N, 3, H, W], got [${x.shape.join(", ")}]`);
    return this.classifier.forward((this.layers.forward(x) as Tensor).mean([2, 3]));
  }
}

/** `models.mnasnet0_5()`: torchvision.models.mnasnet0_5(weights=None), 2.2M parameters. */
export const mnasnet0_5 = (opts: MNASNetOptions = {}) => new MNASNet(0.5, opts);
/** `models.mnasnet0_75()`. */
export const mnasnet0_75 = (opts: MNASNetOptions = {}) => new MNASNet(0.75, opts);
/** `models.mnasnet1_0()`: 4.4M parameters. */
export const mnasnet1_0 = (opts: MNASNetOptions = {}) => new MNASNet(1.0, opts);
/** `models.mnasnet1_3()`. */
export const mnasnet1_3 = (opts: MNASNetOptions = {}) => new MNASNet(1.3, opts);
