/**
 * torchvision's GoogLeNet (Inception v1; torchvision.models.googlenet, 0.14): `googlenet()`, with
 * torchvision's module tree (`conv1.conv`, `conv1.bn`, `inception3a.branch2.1.conv`, `aux1.fc1`, …,
 * `fc`). Also `BasicConv2d` and the ImageNet `transform_input` re-normalisation, which Inception v3
 * (inception.ts) shares.
 *
 * In training mode with auxiliary heads the forward returns torchvision's `GoogLeNetOutputs` as a
 * tuple with named fields; see `GoogLeNetOutputs` for torchvision's field order, kept as it is.
 */
import { type Tensor, cat, noGrad, relu } from "../core.js";
import { check } from "../errors.js";
import { Module } from "../nn/module.js";
import { Linear } from "../nn/layers/linear.js";
import { Sequential } from "../nn/layers/container.js";
import { Conv2d, type ConvLayerOptions } from "../nn/layers/conv.js";
import { BatchNorm2d } from "../nn/layers/norm.js";
import { AdaptiveAvgPool2d, MaxPool2d } from "../nn/layers/pool.js";
import { Dropout } from "../nn/layers/dropout.js";
import { adaptiveAvgPool2d } from "../nn/functional/index.js";
import { truncNormal_ } from "../nn/init.js";
import { type ClassifierOptions, checkPositiveInt, checkProb } from "./tv-common.js";

type Size2 = number | readonly [number, number];

/** torchvision's `BasicConv2d` (GoogLeNet, Inception v3): conv without bias → BatchNorm (eps 0.001) → ReLU. */
export class BasicConv2d extends Module {
  declare conv: Conv2d;
  declare bn: BatchNorm2d;

  constructor(inChannels: number, outChannels: number, kernelSize: Size2, opts: Omit<ConvLayerOptions, "bias"> = {}) {
    super();
    this.conv = new Conv2d(inChannels, outChannels, kernelSize, { ...opts, bias: false });
    this.bn = new BatchNorm2d(outChannels, { eps: 0.001 });
  }

  override forward(x: Tensor): Tensor {
    return relu(this.bn.forward(this.conv.forward(x)));
  }
}

/**
 * torchvision's `_transform_input`: maps an input normalised with ImageNet's mean and std to the
 * (x − 0.5)/0.5 normalisation the ported TensorFlow weights expect, per channel
 * x·(std/0.5) + (mean − 0.5)/0.5.
 */
export function transformImagenetInput(x: Tensor): Tensor {
  const mean = [0.485, 0.456, 0.406], std = [0.229, 0.224, 0.225];
  return cat([0, 1, 2].map((c) => x.narrow(1, c, 1).mul(std[c]! / 0.5).add((mean[c]! - 0.5) / 0.5)), 1);
}

/** torchvision's `trunc_normal_(w, mean=0, std, a=-2, b=2)` for GoogLeNet's and Inception's weights. */
export function truncatedNormal(w: Tensor, std: number): void {
  truncNormal_(w, 0, std, -2, 2);
}

/** Throws unless `x` is [N, 3, H, W]. */
export function checkImageInput(op: string, x: Tensor): void {
  check(x.ndim === 4 && x.shape[1] === 3, op, () => `expected input [N, 3, H, W], got [${x.shape.join(", ")}]`);
}

/**
 * GoogLeNet's Inception module: four branches concatenated on channels — 1×1; 1×1 → 3×3; 1×1 →
 * 3×3 (torchvision's 3×3 in place of the paper's 5×5, kept for its weights); 3×3 max-pool → 1×1.
 */
export class GoogLeNetInception extends Module {
  declare branch1: BasicConv2d;
  declare branch2: Sequential;
  declare branch3: Sequential;
  declare branch4: Sequential;

  constructor(inChannels: number, ch1x1: number, ch3x3red: number, ch3x3: number, ch5x5red: number, ch5x5: number, poolProj: number) {
    super();
    this.branch1 = new BasicConv2d(inChannels, ch1x1, 1);
    this.branch2 = new Sequential(new BasicConv2d(inChannels, ch3x3red, 1), new BasicConv2d(ch3x3red, ch3x3, 3, { padding: 1 }));
    this.branch3 = new Sequential(new BasicConv2d(inChannels, ch5x5red, 1), new BasicConv2d(ch5x5red, ch5x5, 3, { padding: 1 }));
    this.branch4 = new Sequential(new MaxPool2d(3, { stride: 1, padding: 1, ceilMode: true }), new BasicConv2d(inChannels, poolProj, 1));
  }

  override forward(x: Tensor): Tensor {
    return cat([this.branch1.forward(x), this.branch2.forward(x), this.branch3.forward(x), this.branch4.forward(x)], 1);
  }
}

/** GoogLeNet's auxiliary classifier: adaptive average pool to 4×4 → 1×1 conv (128) → fc1 (2048 → 1024) + ReLU → dropout → fc2. */
export class GoogLeNetAux extends Module {
  declare conv: BasicConv2d;
  declare fc1: Linear;
  declare fc2: Linear;
  declare dropout: Dropout;

  constructor(inChannels: number, numClasses: number, dropout = 0.7) {
    super();
    this.conv = new BasicConv2d(inChannels, 128, 1);
    this.fc1 = new Linear(2048, 1024);
    this.fc2 = new Linear(1024, numClasses);
    this.dropout = new Dropout(dropout);
  }

  override forward(x: Tensor): Tensor {
    const h = this.conv.forward(adaptiveAvgPool2d(x, [4, 4])).flatten(1);
    return this.fc2.forward(this.dropout.forward(relu(this.fc1.forward(h))));
  }
}

/**
 * What GoogLeNet's forward returns in training mode with `auxLogits`: torchvision's `GoogLeNetOutputs`
 * namedtuple as a tuple with named fields (`const [logits, a2, a1] = out` or `out.logits`). The
 * order is torchvision 0.14's as it runs: `auxLogits2` (position 1) is the head after inception4a
 * (`aux1`), `auxLogits1` (position 2) the head after inception4d (`aux2`).
 */
export type GoogLeNetOutputs = [logits: Tensor, auxLogits2: Tensor, auxLogits1: Tensor] & { logits: Tensor; auxLogits2: Tensor; auxLogits1: Tensor };

export interface GoogLeNetOptions extends ClassifierOptions {
  /** Build the two auxiliary classifiers `aux1`, `aux2` (true). They run only in training mode. */
  auxLogits?: boolean;
  /** Re-normalise ImageNet-normalised input as the ported TensorFlow weights expect (false). */
  transformInput?: boolean;
  /** torchvision's initialisation (true): convs and linears N(0, 0.01²) truncated to [−2, 2], BN 1/0. false: PyTorch's layer defaults. */
  initWeights?: boolean;
  /** Dropout before `fc` (0.2). */
  dropout?: number;
  /** Dropout in the auxiliary classifiers (0.7). */
  dropoutAux?: number;
}

/**
 * torchvision.models.GoogLeNet: 7×7/2 conv → pool → 1×1 → 3×3 → pool → inception 3a, 3b → pool →
 * 4a … 4e → pool → 5a, 5b → global average pool → dropout → fc, with auxiliary classifiers on 4a's
 * and 4d's outputs in training mode.
 *
 * Shapes: [N, 3, H, W] → [N, numClasses] (H, W ≥ 15), or `GoogLeNetOutputs` in training mode with `auxLogits`.
 *
 * @example
 * const net = models.googlenet({ numClasses: 10 });
 * net.eval();
 * (net.forward(randn(1, 3, 64, 64)) as Tensor).shape;   // [1, 10]
 */
export class GoogLeNet extends Module {
  readonly auxLogits: boolean;
  readonly transformInput: boolean;
  declare conv1: BasicConv2d;
  declare maxpool1: MaxPool2d;
  declare conv2: BasicConv2d;
  declare conv3: BasicConv2d;
  declare maxpool2: MaxPool2d;
  declare inception3a: GoogLeNetInception;
  declare inception3b: GoogLeNetInception;
  declare maxpool3: MaxPool2d;
  declare inception4a: GoogLeNetInception;
  declare inception4b: GoogLeNetInception;
  declare inception4c: GoogLeNetInception;
  declare inception4d: GoogLeNetInception;
  declare inception4e: GoogLeNetInception;
  declare maxpool4: MaxPool2d;
  declare inception5a: GoogLeNetInception;
  declare inception5b: GoogLeNetInception;
  declare aux1: GoogLeNetAux | null;
  declare aux2: GoogLeNetAux | null;
  declare avgpool: AdaptiveAvgPool2d;
  declare dropout: Dropout;
  declare fc: Linear;

  constructor(opts: GoogLeNetOptions = {}) {
    super();
    const op = "GoogLeNet";
    const { numClasses = 1000, auxLogits = true, transformInput = false, initWeights = true, dropout = 0.2, dropoutAux = 0.7 } = opts ?? {};
    checkPositiveInt(op, "numClasses", numClasses);
    checkProb(op, "dropout", dropout);
    checkProb(op, "dropoutAux", dropoutAux);
    this.auxLogits = auxLogits;
    this.transformInput = transformInput;
    const pool = (k: number) => new MaxPool2d(k, { stride: 2, ceilMode: true });
    const inc = (...a: ConstructorParameters<typeof GoogLeNetInception>) => new GoogLeNetInception(...a);
    this.conv1 = new BasicConv2d(3, 64, 7, { stride: 2, padding: 3 });
    this.maxpool1 = pool(3);
    this.conv2 = new BasicConv2d(64, 64, 1);
    this.conv3 = new BasicConv2d(64, 192, 3, { padding: 1 });
    this.maxpool2 = pool(3);
    this.inception3a = inc(192, 64, 96, 128, 16, 32, 32);
    this.inception3b = inc(256, 128, 128, 192, 32, 96, 64);
    this.maxpool3 = pool(3);
    this.inception4a = inc(480, 192, 96, 208, 16, 48, 64);
    this.inception4b = inc(512, 160, 112, 224, 24, 64, 64);
    this.inception4c = inc(512, 128, 128, 256, 24, 64, 64);
    this.inception4d = inc(512, 112, 144, 288, 32, 64, 64);
    this.inception4e = inc(528, 256, 160, 320, 32, 128, 128);
    this.maxpool4 = pool(2);
    this.inception5a = inc(832, 256, 160, 320, 32, 128, 128);
    this.inception5b = inc(832, 384, 192, 384, 48, 128, 128);
    this.aux1 = auxLogits ? new GoogLeNetAux(512, numClasses, dropoutAux) : null;
    this.aux2 = auxLogits ? new GoogLeNetAux(528, numClasses, dropoutAux) : null;
    this.avgpool = new AdaptiveAvgPool2d([1, 1]);
    this.dropout = new Dropout(dropout);
    this.fc = new Linear(1024, numClasses);
    if (initWeights) {
      noGrad(() => {
        for (const m of this.modules()) {
          if (m instanceof Conv2d || m instanceof Linear) truncatedNormal(m.weight, 0.01);
          else if (m instanceof BatchNorm2d) {
            m.weight?.fill_(1);
            m.bias?.zero_();
          }
        }
      });
    }
  }

  override forward(input: Tensor): Tensor | GoogLeNetOutputs {
    checkImageInput("GoogLeNet", input);
    let x = this.transformInput ? transformImagenetInput(input) : input;
    const pool = (p: MaxPool2d, t: Tensor) => p.forward(t) as Tensor;
    x = pool(this.maxpool1, this.conv1.forward(x));
    x = pool(this.maxpool2, this.conv3.forward(this.conv2.forward(x)));
    x = pool(this.maxpool3, this.inception3b.forward(this.inception3a.forward(x)));
    x = this.inception4a.forward(x);
    const aux1 = this.aux1 && this.training ? this.aux1.forward(x) : null;
    x = this.inception4d.forward(this.inception4c.forward(this.inception4b.forward(x)));
    const aux2 = this.aux2 && this.training ? this.aux2.forward(x) : null;
    x = pool(this.maxpool4, this.inception4e.forward(x));
    x = this.inception5b.forward(this.inception5a.forward(x));
    const logits = this.fc.forward(this.dropout.forward(this.avgpool.forward(x).flatten(1)));
    if (!(this.training && this.auxLogits && aux1 && aux2)) return logits;
    // torchvision 0.14 unpacks _forward's (x, aux2, aux1) as (x, aux1, aux2) and packs it again as
    // GoogLeNetOutputs(x, aux2, aux1): position 1 ("aux_logits2") holds aux1's output.
    return namedOutputs([logits, aux1, aux2], ["logits", "auxLogits2", "auxLogits1"]) as GoogLeNetOutputs;
  }
}

/** A tuple that also has its entries as named fields, like a Python namedtuple. */
export function namedOutputs<T>(values: T[], names: string[]): T[] {
  const out = [...values];
  names.forEach((n, i) => Object.defineProperty(out, n, { value: values[i], enumerable: false }));
  return out;
}

/**
 * `models.googlenet()`: torchvision.models.googlenet(weights=None) — with its auxiliary heads
 * (13.0M parameters; 6.6M without, `auxLogits: false`, as torchvision's pretrained checkpoint).
 */
export const googlenet = (opts: GoogLeNetOptions = {}) => new GoogLeNet(opts);
