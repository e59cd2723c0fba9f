/**
 * torchvision's Inception v3 (torchvision.models.inception, 0.14): `inceptionV3()`, the class
 * `Inception3` and its blocks `InceptionA` … `InceptionE`, `InceptionAux`, with torchvision's module
 * tree (`Conv2d_1a_3x3.conv`, `Mixed_5b.branch5x5_1.bn`, `AuxLogits.conv1.conv`, `fc`, …).
 *
 * In training mode with `auxLogits` the forward returns torchvision's `InceptionOutputs(logits,
 * aux_logits)` as a tuple with named fields. The auxiliary head needs a 17×17 map after Mixed_6e,
 * i.e. inputs of 299×299 and up, as torchvision; the eval forward takes 75×75 and up.
 */
import { type Tensor, cat, noGrad } from "../core.js";
import { check } from "../errors.js";
import { Module } from "../nn/module.js";
import { Linear } from "../nn/layers/linear.js";
import { Conv2d } from "../nn/layers/conv.js";
import { BatchNorm2d } from "../nn/layers/norm.js";
import { AdaptiveAvgPool2d, MaxPool2d } from "../nn/layers/pool.js";
import { Dropout } from "../nn/layers/dropout.js";
import { adaptiveAvgPool2d, avgPool2d, maxPool2d } from "../nn/functional/index.js";
import { type ClassifierOptions, checkPositiveInt, checkProb } from "./tv-common.js";
import { BasicConv2d, checkImageInput, namedOutputs, transformImagenetInput, truncatedNormal } from "./googlenet.js";

const conv = (cin: number, cout: number, k: number | readonly [number, number], o: { stride?: number; padding?: number | readonly [number, number] } = {}) =>
  new BasicConv2d(cin, cout, k, o);
const avg3 = (x: Tensor) => avgPool2d(x, 3, { stride: 1, padding: 1 });

/** 35×35 block: 1×1 | 1×1 → 5×5 | 1×1 → 3×3 → 3×3 | 3×3 avg-pool → 1×1 (`poolFeatures`); 224 + poolFeatures channels out. */
export class InceptionA extends Module {
  declare branch1x1: BasicConv2d;
  declare branch5x5_1: BasicConv2d;
  declare branch5x5_2: BasicConv2d;
  declare branch3x3dbl_1: BasicConv2d;
  declare branch3x3dbl_2: BasicConv2d;
  declare branch3x3dbl_3: BasicConv2d;
  declare branch_pool: BasicConv2d;

  constructor(inChannels: number, poolFeatures: number) {
    super();
    this.branch1x1 = conv(inChannels, 64, 1);
    this.branch5x5_1 = conv(inChannels, 48, 1);
    this.branch5x5_2 = conv(48, 64, 5, { padding: 2 });
    this.branch3x3dbl_1 = conv(inChannels, 64, 1);
    this.branch3x3dbl_2 = conv(64, 96, 3, { padding: 1 });
    this.branch3x3dbl_3 = conv(96, 96, 3, { padding: 1 });
    this.branch_pool = conv(inChannels, poolFeatures, 1);
  }

  override forward(x: Tensor): Tensor {
    return cat([
      this.branch1x1.forward(x),
      this.branch5x5_2.forward(this.branch5x5_1.forward(x)),
      this.branch3x3dbl_3.forward(this.branch3x3dbl_2.forward(this.branch3x3dbl_1.forward(x))),
      this.branch_pool.forward(avg3(x)),
    ], 1);
  }
}

/** Grid reduction 35 → 17: 3×3/2 (384) | 1×1 → 3×3 → 3×3/2 (96) | 3×3/2 max-pool. */
export class InceptionB extends Module {
  declare branch3x3: BasicConv2d;
  declare branch3x3dbl_1: BasicConv2d;
  declare branch3x3dbl_2: BasicConv2d;
  declare branch3x3dbl_3: BasicConv2d;

  constructor(inChannels: number) {
    super();
    this.branch3x3 = conv(inChannels, 384, 3, { stride: 2 });
    this.branch3x3dbl_1 = conv(inChannels, 64, 1);
    this.branch3x3dbl_2 = conv(64, 96, 3, { padding: 1 });
    this.branch3x3dbl_3 = conv(96, 96, 3, { stride: 2 });
  }

  override forward(x: Tensor): Tensor {
    return cat([
      this.branch3x3.forward(x),
      this.branch3x3dbl_3.forward(this.branch3x3dbl_2.forward(this.branch3x3dbl_1.forward(x))),
      maxPool2d(x, 3, { stride: 2 }),
    ], 1);
  }
}

/** 17×17 block with factorised 7×7 convolutions (1×7, 7×1) of `channels7x7` channels; 768 out. */
export class InceptionC extends Module {
  declare branch1x1: BasicConv2d;
  declare branch7x7_1: BasicConv2d;
  declare branch7x7_2: BasicConv2d;
  declare branch7x7_3: BasicConv2d;
  declare branch7x7dbl_1: BasicConv2d;
  declare branch7x7dbl_2: BasicConv2d;
  declare branch7x7dbl_3: BasicConv2d;
  declare branch7x7dbl_4: BasicConv2d;
  declare branch7x7dbl_5: BasicConv2d;
  declare branch_pool: BasicConv2d;

  constructor(inChannels: number, channels7x7: number) {
    super();
    const c7 = channels7x7, row = [1, 7] as const, col = [7, 1] as const, pr = [0, 3] as const, pc = [3, 0] as const;
    this.branch1x1 = conv(inChannels, 192, 1);
    this.branch7x7_1 = conv(inChannels, c7, 1);
    this.branch7x7_2 = conv(c7, c7, row, { padding: pr });
    this.branch7x7_3 = conv(c7, 192, col, { padding: pc });
    this.branch7x7dbl_1 = conv(inChannels, c7, 1);
    this.branch7x7dbl_2 = conv(c7, c7, col, { padding: pc });
    this.branch7x7dbl_3 = conv(c7, c7, row, { padding: pr });
    this.branch7x7dbl_4 = conv(c7, c7, col, { padding: pc });
    this.branch7x7dbl_5 = conv(c7, 192, row, { padding: pr });
    this.branch_pool = conv(inChannels, 192, 1);
  }

  override forward(x: Tensor): Tensor {
    let d = this.branch7x7dbl_1.forward(x);
    for (const m of [this.branch7x7dbl_2, this.branch7x7dbl_3, this.branch7x7dbl_4, this.branch7x7dbl_5]) d = m.forward(d);
    return cat([
      this.branch1x1.forward(x),
      this.branch7x7_3.forward(this.branch7x7_2.forward(this.branch7x7_1.forward(x))),
      d,
      this.branch_pool.forward(avg3(x)),
    ], 1);
  }
}

/** Grid reduction 17 → 8: 1×1 → 3×3/2 (320) | 1×1 → 1×7 → 7×1 → 3×3/2 (192) | 3×3/2 max-pool. */
export class InceptionD extends Module {
  declare branch3x3_1: BasicConv2d;
  declare branch3x3_2: BasicConv2d;
  declare branch7x7x3_1: BasicConv2d;
  declare branch7x7x3_2: BasicConv2d;
  declare branch7x7x3_3: BasicConv2d;
  declare branch7x7x3_4: BasicConv2d;

  constructor(inChannels: number) {
    super();
    this.branch3x3_1 = conv(inChannels, 192, 1);
    this.branch3x3_2 = conv(192, 320, 3, { stride: 2 });
    this.branch7x7x3_1 = conv(inChannels, 192, 1);
    this.branch7x7x3_2 = conv(192, 192, [1, 7], { padding: [0, 3] });
    this.branch7x7x3_3 = conv(192, 192, [7, 1], { padding: [3, 0] });
    this.branch7x7x3_4 = conv(192, 192, 3, { stride: 2 });
  }

  override forward(x: Tensor): Tensor {
    const b = this.branch7x7x3_4.forward(this.branch7x7x3_3.forward(this.branch7x7x3_2.forward(this.branch7x7x3_1.forward(x))));
    return cat([this.branch3x3_2.forward(this.branch3x3_1.forward(x)), b, maxPool2d(x, 3, { stride: 2 })], 1);
  }
}

/** 8×8 block with expanded filter banks (1×3 and 3×1 side by side); 2048 out. */
export class InceptionE extends Module {
  declare branch1x1: BasicConv2d;
  declare branch3x3_1: BasicConv2d;
  declare branch3x3_2a: BasicConv2d;
  declare branch3x3_2b: BasicConv2d;
  declare branch3x3dbl_1: BasicConv2d;
  declare branch3x3dbl_2: BasicConv2d;
  declare branch3x3dbl_3a: BasicConv2d;
  declare branch3x3dbl_3b: BasicConv2d;
  declare branch_pool: BasicConv2d;

  constructor(inChannels: number) {
    super();
    this.branch1x1 = conv(inChannels, 320, 1);
    this.branch3x3_1 = conv(inChannels, 384, 1);
    this.branch3x3_2a = conv(384, 384, [1, 3], { padding: [0, 1] });
    this.branch3x3_2b = conv(384, 384, [3, 1], { padding: [1, 0] });
    this.branch3x3dbl_1 = conv(inChannels, 448, 1);
    this.branch3x3dbl_2 = conv(448, 384, 3, { padding: 1 });
    this.branch3x3dbl_3a = conv(384, 384, [1, 3], { padding: [0, 1] });
    this.branch3x3dbl_3b = conv(384, 384, [3, 1], { padding: [1, 0] });
    this.branch_pool = conv(inChannels, 192, 1);
  }

  override forward(x: Tensor): Tensor {
    const a = this.branch3x3_1.forward(x);
    const d = this.branch3x3dbl_2.forward(this.branch3x3dbl_1.forward(x));
    return cat([
      this.branch1x1.forward(x),
      cat([this.branch3x3_2a.forward(a), this.branch3x3_2b.forward(a)], 1),
      cat([this.branch3x3dbl_3a.forward(d), this.branch3x3dbl_3b.forward(d)], 1),
      this.branch_pool.forward(avg3(x)),
    ], 1);
  }
}

/** Inception v3's auxiliary classifier on Mixed_6e: 5×5/3 average pool → 1×1 (128) → 5×5 (768) → global average pool → fc. */
export class InceptionAux extends Module {
  declare conv0: BasicConv2d;
  declare conv1: BasicConv2d;
  declare fc: Linear;

  constructor(inChannels: number, numClasses: number) {
    super();
    this.conv0 = conv(inChannels, 128, 1);
    this.conv1 = conv(128, 768, 5);
    this.fc = new Linear(768, numClasses);
  }

  override forward(x: Tensor): Tensor {
    // the 5×5/3 pool must leave 5×5 for conv1: a map of at least 17×17 (Inception3 inputs ≥ 299×299)
    check(x.ndim === 4 && x.shape[2]! >= 17 && x.shape[3]! >= 17, "InceptionAux",
      () => `expected a feature map [N, C, H, W] with H, W >= 17 (Inception3 in training mode with auxLogits needs inputs of at least 299×299), got [${x.shape.join(", ")}]`);
    const h = this.conv1.forward(this.conv0.forward(avgPool2d(x, 5, { stride: 3 })));
    return this.fc.forward(adaptiveAvgPool2d(h, [1, 1]).flatten(1));
  }
}

/** What Inception v3's forward returns in training mode with `auxLogits`: torchvision's `InceptionOutputs(logits, aux_logits)` as a tuple with named fields. */
export type InceptionOutputs = [logits: Tensor, auxLogits: Tensor] & { logits: Tensor; auxLogits: Tensor };

export interface Inception3Options extends ClassifierOptions {
  /** Build the auxiliary classifier `AuxLogits` (true); it runs only in training mode. */
  auxLogits?: boolean;
  /** Re-normalise ImageNet-normalised input as the ported TensorFlow weights expect (false). */
  transformInput?: boolean;
  /** torchvision's initialisation (true): convs and linears N(0, 0.1²) truncated to [−2, 2] (`AuxLogits.fc`: N(0, 0.001²)), BN 1/0. false: PyTorch's layer defaults. */
  initWeights?: boolean;
  /** Dropout before `fc` (0.5). */
  dropout?: number;
}

/**
 * torchvision.models.Inception3: a stem of five BasicConv2d and two max-pools, Mixed_5b–5d
 * (InceptionA), 6a (B), 6b–6e (C), 7a (D), 7b–7c (E), global average pool, dropout, fc; the
 * auxiliary classifier reads Mixed_6e's output in training mode.
 *
 * Shapes: [N, 3, H, W] → [N, numClasses] (H, W ≥ 75; ≥ 299 in training mode with `auxLogits`), or
 * `InceptionOutputs` in training mode with `auxLogits`.
 *
 * @example
 * const net = models.inceptionV3({ numClasses: 10 });
 * net.eval();
 * (net.forward(randn(1, 3, 75, 75)) as Tensor).shape;   // [1, 10]
 */
export class Inception3 extends Module {
  readonly auxLogits: boolean;
  readonly transformInput: boolean;
  declare Conv2d_1a_3x3: BasicConv2d;
  declare Conv2d_2a_3x3: BasicConv2d;
  declare Conv2d_2b_3x3: BasicConv2d;
  declare maxpool1: MaxPool2d;
  declare Conv2d_3b_1x1: BasicConv2d;
  declare Conv2d_4a_3x3: BasicConv2d;
  declare maxpool2: MaxPool2d;
  declare Mixed_5b: InceptionA;
  declare Mixed_5c: InceptionA;
  declare Mixed_5d: InceptionA;
  declare Mixed_6a: InceptionB;
  declare Mixed_6b: InceptionC;
  declare Mixed_6c: InceptionC;
  declare Mixed_6d: InceptionC;
  declare Mixed_6e: InceptionC;
  declare AuxLogits: InceptionAux | null;
  declare Mixed_7a: InceptionD;
  declare Mixed_7b: InceptionE;
  declare Mixed_7c: InceptionE;
  declare avgpool: AdaptiveAvgPool2d;
  declare dropout: Dropout;
  declare fc: Linear;

  constructor(opts: Inception3Options = {}) {
    super();
    const op = "Inception3";
    const { numClasses = 1000, auxLogits = true, transformInput = false, initWeights = true, dropout = 0.5 } = opts ?? {};
    checkPositiveInt(op, "numClasses", numClasses);
    checkProb(op, "dropout", dropout);
    this.auxLogits = auxLogits;
    this.transformInput = transformInput;
    this.Conv2d_1a_3x3 = conv(3, 32, 3, { stride: 2 });
    this.Conv2d_2a_3x3 = conv(32, 32, 3);
    this.Conv2d_2b_3x3 = conv(32, 64, 3, { padding: 1 });
    this.maxpool1 = new MaxPool2d(3, { stride: 2 });
    this.Conv2d_3b_1x1 = conv(64, 80, 1);
    this.Conv2d_4a_3x3 = conv(80, 192, 3);
    this.maxpool2 = new MaxPool2d(3, { stride: 2 });
    this.Mixed_5b = new InceptionA(192, 32);
    this.Mixed_5c = new InceptionA(256, 64);
    this.Mixed_5d = new InceptionA(288, 64);
    this.Mixed_6a = new InceptionB(288);
    this.Mixed_6b = new InceptionC(768, 128);
    this.Mixed_6c = new InceptionC(768, 160);
    this.Mixed_6d = new InceptionC(768, 160);
    this.Mixed_6e = new InceptionC(768, 192);
    this.AuxLogits = auxLogits ? new InceptionAux(768, numClasses) : null;
    this.Mixed_7a = new InceptionD(768);
    this.Mixed_7b = new InceptionE(1280);
    this.Mixed_7c = new InceptionE(2048);
    this.avgpool = new AdaptiveAvgPool2d([1, 1]);
    this.dropout = new Dropout(dropout);
    this.fc = new Linear(2048, numClasses);
    if (initWeights) {
      // torchvision reads a `stddev` attribute (0.1 when absent). It sets one on AuxLogits.fc
      // (0.001) and on the BasicConv2d AuxLogits.conv1 — not on its Conv2d, so that conv gets 0.1.
      const auxFc = this.AuxLogits?.fc;
      noGrad(() => {
        for (const m of this.modules()) {
          if (m instanceof Conv2d || m instanceof Linear) truncatedNormal(m.weight, m === auxFc ? 0.001 : 0.1);
          else if (m instanceof BatchNorm2d) {
            m.weight?.fill_(1);
            m.bias?.zero_();
          }
        }
      });
    }
  }

  override forward(input: Tensor): Tensor | InceptionOutputs {
    checkImageInput("Inception3", input);
    let x = this.transformInput ? transformImagenetInput(input) : input;
    for (const m of [this.Conv2d_1a_3x3, this.Conv2d_2a_3x3, this.Conv2d_2b_3x3, this.maxpool1, this.Conv2d_3b_1x1, this.Conv2d_4a_3x3,
      this.maxpool2, this.Mixed_5b, this.Mixed_5c, this.Mixed_5d, this.Mixed_6a, this.Mixed_6b, this.Mixed_6c, this.Mixed_6d, this.Mixed_6e]) {
      x = m.forward(x) as Tensor;
    }
    const aux = this.AuxLogits && this.training ? this.AuxLogits.forward(x) : null;
    x = this.Mixed_7c.forward(this.Mixed_7b.forward(this.Mixed_7a.forward(x)));
    const logits = this.fc.forward(this.dropout.forward(this.avgpool.forward(x)).flatten(1));
    if (!(this.training && this.auxLogits && aux)) return logits;
    return namedOutputs([logits, aux], ["logits", "auxLogits"]) as InceptionOutputs;
  }
}

/**
 * `models.inceptionV3()`: torchvision.models.inception_v3(weights=None), with its auxiliary
 * classifier (27.2M parameters; 23.8M with `auxLogits: false`).
 */
export const inceptionV3 = (opts: Inception3Options = {}) => new Inception3(opts);
