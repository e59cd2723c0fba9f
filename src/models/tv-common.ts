/**
 * Building blocks shared by the torchvision-compatible models (src/models/resnets.ts, vgg.ts, …):
 * `Conv2dNormActivation` (torchvision.ops.misc's conv → norm → activation Sequential, whose
 * children are keyed 0, 1, 2 as in torchvision's state dicts), `SqueezeExcitation`,
 * `StochasticDepth`, `makeDivisible` and the option checks. Kept in one place so that every model
 * names its submodules exactly as torchvision 0.14 does, which is what lets `loadStateDict` take a
 * torchvision checkpoint read with `loadTorch`.
 */
import { type Tensor, type Generator, bernoulli, full, noGrad } from "../core.js";
import { check } from "../errors.js";
import { Module } from "../nn/module.js";
import { Sequential } from "../nn/layers/container.js";
import { Conv2d } from "../nn/layers/conv.js";
import { BatchNorm2d } from "../nn/layers/norm.js";
import { AdaptiveAvgPool2d } from "../nn/layers/pool.js";
import { Linear } from "../nn/layers/linear.js";
import { ReLU, Sigmoid } from "../nn/layers/activation.js";
import { constant_, kaimingNormal_, normal_, ones_, zeros_ } from "../nn/init.js";

/** The options every classifier in the zoo takes. */
export interface ClassifierOptions {
  /** Size of the last layer's output (torchvision's `num_classes`), 1000 by default. */
  numClasses?: number;
}

/** Throws unless `n` is a positive integer (`numClasses`, widths, …). */
export function checkPositiveInt(op: string, name: string, n: unknown): void {
  check(typeof n === "number" && Number.isInteger(n) && n > 0, op, () => `${name} must be a positive integer, got ${String(n)}`);
}

/** Throws unless `p` is a probability in [0, 1] (dropout, stochastic depth). */
export function checkProb(op: string, name: string, p: unknown): void {
  check(typeof p === "number" && p >= 0 && p <= 1, op, () => `${name} must be a probability in [0, 1], got ${String(p)}`);
}

/**
 * torchvision's `_make_divisible`: `v` rounded to the nearest multiple of `divisor` (at least
 * `minValue`), bumped up one step if rounding lost more than 10%.
 */
export function makeDivisible(v: number, divisor: number, minValue?: number): number {
  const min = minValue ?? divisor;
  let out = Math.max(min, Math.trunc(v + divisor / 2) - (Math.trunc(v + divisor / 2) % divisor));
  if (out < 0.9 * v) out += divisor;
  return out;
}

/** Makes the normalisation layer of a conv block (BatchNorm2d with the model's eps and momentum). */
export type NormFactory = (channels: number) => Module;
export const batchNorm: NormFactory = (c) => new BatchNorm2d(c);

export interface ConvNormActOptions {
  kernelSize?: number;
  stride?: number;
  /** Default `(kernelSize − 1) / 2 · dilation`, as torchvision. */
  padding?: number;
  groups?: number;
  dilation?: number;
  /** `null`: no norm layer (then the conv has a bias). */
  norm?: NormFactory | null;
  /** `null`: no activation. Default ReLU. */
  activation?: (() => Module) | null;
}

/**
 * torchvision.ops.Conv2dNormActivation: Sequential(conv, norm, activation) with the conv's bias
 * only when there is no norm layer. Keys: `0.weight`, `1.weight`, `1.bias`, `1.running_mean`, ….
 */
export function conv2dNormActivation(cin: number, cout: number, o: ConvNormActOptions = {}): Sequential {
  const { kernelSize = 3, stride = 1, groups = 1, dilation = 1, norm = batchNorm } = o;
  const padding = o.padding ?? Math.floor((kernelSize - 1) / 2) * dilation;
  const activation = o.activation === undefined ? () => new ReLU({ inplace: true }) : o.activation;
  const seq = new Sequential(new Conv2d(cin, cout, kernelSize, { stride, padding, dilation, groups, bias: norm === null }));
  if (norm) seq.append(norm(cout));
  if (activation) seq.append(activation());
  return seq;
}

/**
 * Squeeze-and-excitation (torchvision.ops.SqueezeExcitation): x · σ(fc2(δ(fc1(avgpool(x))))) with
 * 1×1 convolutions `fc1` (C → squeeze) and `fc2` (squeeze → C); δ ReLU and σ sigmoid by default
 * (MobileNetV3: σ hardsigmoid; EfficientNet: δ SiLU).
 */
export class SqueezeExcitation extends Module {
  declare avgpool: AdaptiveAvgPool2d;
  declare fc1: Conv2d;
  declare fc2: Conv2d;
  declare activation: Module;
  declare scale_activation: Module;

  constructor(inputChannels: number, squeezeChannels: number, activation: () => Module = () => new ReLU(), scaleActivation: () => Module = () => new Sigmoid()) {
    super();
    this.avgpool = new AdaptiveAvgPool2d(1);
    this.fc1 = new Conv2d(inputChannels, squeezeChannels, 1);
    this.fc2 = new Conv2d(squeezeChannels, inputChannels, 1);
    this.activation = activation();
    this.scale_activation = scaleActivation();
  }

  override forward(x: Tensor): Tensor {
    const s = this.fc2.forward(this.activation.forward(this.fc1.forward(this.avgpool.forward(x))));
    return (this.scale_activation.forward(s) as Tensor).mul(x);
  }
}

/**
 * torchvision.ops.StochasticDepth in "row" mode: in training, each sample's residual branch is
 * dropped with probability `p` and the kept ones are scaled by 1/(1 − p); the identity in eval mode.
 * Draws from `generator` (the default generator when omitted).
 */
export class StochasticDepth extends Module {
  constructor(readonly p: number, readonly generator?: Generator) {
    super();
    checkProb("StochasticDepth", "p", p);
  }

  override forward(x: Tensor): Tensor {
    if (!this.training || this.p === 0) return x;
    const survival = 1 - this.p;
    const shape = [x.shape[0]!, ...x.shape.slice(1).map(() => 1)];
    let noise = bernoulli(full(shape, survival, { dtype: x.dtype }), { generator: this.generator });
    if (survival > 0) noise = noise.div(survival);
    return x.mul(noise);
  }

  override extraRepr(): string {
    return `p=${this.p}, mode=row`;
  }
}

/**
 * The initialisation most torchvision classifiers end their `__init__` with: convolutions
 * kaiming-normal (fan_out; ReLU gain when `reluGain`), their biases 0; batch-norm weight 1, bias 0;
 * linear layers N(0, `linearStd`²) (or `linear` when given) with bias 0.
 */
export function initTorchvision(model: Module, o: { reluGain?: boolean; linearStd?: number; linear?: (l: Linear) => void } = {}): void {
  noGrad(() => {
    for (const m of model.modules()) {
      if (m instanceof Conv2d) {
        kaimingNormal_(m.weight, { mode: "fan_out", nonlinearity: o.reluGain ? "relu" : "leaky_relu" });
        if (m.bias) zeros_(m.bias);
      } else if (m instanceof BatchNorm2d) {
        if (m.weight) ones_(m.weight);
        if (m.bias) zeros_(m.bias);
      } else if (m instanceof Linear) {
        if (o.linear) o.linear(m);
        else if (o.linearStd !== undefined) {
          normal_(m.weight, 0, o.linearStd);
          if (m.bias) constant_(m.bias, 0);
        }
      }
    }
  });
}
