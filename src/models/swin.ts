/**
 * torchvision's Swin Transformer v1 and v2 (torchvision.models.swin_transformer, 0.14):
 * `swinT()`, `swinS()`, `swinB()`, `swinV2T()`, `swinV2S()`, `swinV2B()` and the general
 * `swinTransformer({...})`, with torchvision's module tree — `features.0` the patch embedding
 * (conv, Permute, LayerNorm), `features.1, 3, 5, 7` the stages of blocks (`norm1`, `attn`,
 * `norm2`, `mlp.0`, `mlp.3`), `features.2, 4, 6` the patch-merging layers, then `norm` and `head` —
 * so torchvision's checkpoints load with `loadStateDict`. The attention is in swin-attention.ts.
 * Feature maps are channels-last ([B, H, W, C]) between the stem and the head, as in torchvision.
 */
import type { Tensor } from "../core.js";
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
import { normal_, xavierUniform_, zeros_ } from "../nn/init.js";
import { type ClassifierOptions, StochasticDepth, checkPositiveInt, checkProb } from "./tv-common.js";
import { Permute, checkIntList, truncNormalInit, tvMLP } from "./transformer-common.js";
import { PatchMerging, PatchMergingV2, ShiftedWindowAttention, ShiftedWindowAttentionV2 } from "./swin-attention.js";

type NormFactory = (d: number) => Module;

/** Arguments of one Swin block. */
export interface SwinBlockArgs {
  dim: number; numHeads: number; windowSize: readonly number[]; shiftSize: readonly number[];
  mlpRatio: number; dropout: number; attentionDropout: number; stochasticDepthProb: number; norm: NormFactory;
}

/**
 * Swin v1's block (pre-norm): x + SD(attn(norm1(x))), then + SD(mlp(norm2(·))), the MLP
 * C → mlpRatio·C → C with GELU (Xavier-uniform weights, N(0, 1e-6²) biases before the model's own
 * initialisation overwrites them, as torchvision). Input and output [B, H, W, C].
 */
export class SwinTransformerBlock extends Module {
  declare norm1: Module;
  declare attn: ShiftedWindowAttention;
  declare stochastic_depth: StochasticDepth;
  declare norm2: Module;
  declare mlp: Sequential;

  constructor(a: SwinBlockArgs, attn: typeof ShiftedWindowAttention = ShiftedWindowAttention) {
    super();
    this.norm1 = a.norm(a.dim);
    this.attn = new attn(a.dim, a.windowSize, a.shiftSize, a.numHeads, { attentionDropout: a.attentionDropout, dropout: a.dropout });
    this.stochastic_depth = new StochasticDepth(a.stochasticDepthProb);
    this.norm2 = a.norm(a.dim);
    this.mlp = tvMLP(a.dim, [Math.trunc(a.dim * a.mlpRatio), a.dim], () => new GELU(), a.dropout);
    noGrad(() => {
      for (const m of this.mlp.modules()) {
        if (m instanceof Linear) {
          xavierUniform_(m.weight);
          if (m.bias) normal_(m.bias, { std: 1e-6 });
        }
      }
    });
  }

  override forward(x: Tensor): Tensor {
    const sd = this.stochastic_depth;
    x = x.add(sd.forward(this.attn.forward(this.norm1.forward(x) as Tensor)));
    return x.add(sd.forward(this.mlp.forward(this.norm2.forward(x)) as Tensor));
  }
}

/** Swin v2's block (post-norm): x + SD(norm1(attn(x))), then + SD(norm2(mlp(·))), with v2's attention. */
export class SwinTransformerBlockV2 extends SwinTransformerBlock {
  constructor(a: SwinBlockArgs) {
    super(a, ShiftedWindowAttentionV2);
  }

  override forward(x: Tensor): Tensor {
    const sd = this.stochastic_depth;
    x = x.add(sd.forward(this.norm1.forward(this.attn.forward(x)) as Tensor));
    return x.add(sd.forward(this.norm2.forward(this.mlp.forward(x)) as Tensor));
  }
}

export interface SwinOptions extends ClassifierOptions {
  /** Hidden width of the MLPs relative to the block's width (4). */
  mlpRatio?: number;
  /** Dropout in the MLPs and after the attention projection, in training (0). */
  dropout?: number;
  /** Dropout on the attention weights, in training (0). */
  attentionDropout?: number;
  /** Largest drop probability of the residual branches, growing linearly from 0 (0.2 T, 0.3 S, 0.5 B). */
  stochasticDepthProb?: number;
}

/** The shape of a Swin Transformer: what torchvision's `swin_*` builders fix. */
export interface SwinArchitecture {
  patchSize: readonly number[];
  embedDim: number;
  depths: readonly number[];
  numHeads: readonly number[];
  windowSize: readonly number[];
  /** 1 (the default) or 2: v2's blocks, attention and patch merging. */
  version?: 1 | 2;
}

/**
 * torchvision.models.SwinTransformer: patch embedding, stages of (shifted) window attention
 * blocks — odd blocks shift by half a window — with patch merging between them, LayerNorm,
 * global average pool and a Linear head. Every Linear starts truncated-normal (std 0.02) with
 * zero bias, as torchvision. Inputs of any size work: maps are padded to whole windows.
 *
 * Shapes: [N, 3, H, W] → [N, numClasses].
 */
export class SwinTransformer extends Module {
  declare features: Sequential;
  declare norm: Module;
  declare permute: Permute;
  declare avgpool: AdaptiveAvgPool2d;
  declare flatten: Flatten;
  declare head: Linear;

  constructor(arch: SwinArchitecture, opts: SwinOptions = {}) {
    super();
    const op = "SwinTransformer";
    const { mlpRatio = 4, dropout = 0, attentionDropout = 0, stochasticDepthProb = 0.1, numClasses = 1000 } = opts ?? {};
    check(typeof arch === "object" && arch !== null, op, () => `architecture must be an object, got ${String(arch)}`);
    const { patchSize, embedDim, depths, numHeads, windowSize, version = 1 } = arch;
    checkIntList(op, "patchSize", patchSize, 2);
    checkPositiveInt(op, "embedDim", embedDim);
    checkIntList(op, "depths", depths);
    checkIntList(op, "numHeads", numHeads, depths.length);
    checkIntList(op, "windowSize", windowSize, 2);
    check(version === 1 || version === 2, op, () => `version must be 1 or 2, got ${String(version)}`);
    checkPositiveInt(op, "numClasses", numClasses);
    check(typeof mlpRatio === "number" && mlpRatio > 0, op, () => `mlpRatio must be a positive number, got ${String(mlpRatio)}`);
    checkProb(op, "dropout", dropout);
    checkProb(op, "attentionDropout", attentionDropout);
    checkProb(op, "stochasticDepthProb", stochasticDepthProb);
    depths.forEach((_, i) => {
      const dim = embedDim * 2 ** i;
      check(dim % numHeads[i]! === 0, op, () => `stage ${i}: width ${dim} is not divisible by numHeads ${numHeads[i]}`);
    });
    const norm: NormFactory = (d) => new LayerNorm(d, { eps: 1e-5 });
    const Block = version === 2 ? SwinTransformerBlockV2 : SwinTransformerBlock;
    const Merge = version === 2 ? PatchMergingV2 : PatchMerging;
    const features = new Sequential(new Sequential(
      new Conv2d(3, embedDim, [patchSize[0]!, patchSize[1]!], { stride: [patchSize[0]!, patchSize[1]!] }),
      new Permute([0, 2, 3, 1]),
      norm(embedDim),
    ));
    const total = depths.reduce((s, d) => s + d, 0);
    let id = 0;
    depths.forEach((depth, i) => {
      const dim = embedDim * 2 ** i;
      const stage = new Sequential();
      for (let j = 0; j < depth; j++, id++) {
        stage.append(new Block({
          dim, numHeads: numHeads[i]!, windowSize, shiftSize: windowSize.map((w) => (j % 2 === 0 ? 0 : Math.floor(w / 2))), mlpRatio, dropout,
          attentionDropout, stochasticDepthProb: total > 1 ? (stochasticDepthProb * id) / (total - 1) : 0, norm,
        }));
      }
      features.append(stage);
      if (i < depths.length - 1) features.append(new Merge(dim, norm));
    });
    this.features = features;
    const numFeatures = embedDim * 2 ** (depths.length - 1);
    this.norm = norm(numFeatures);
    this.permute = new Permute([0, 3, 1, 2]);
    this.avgpool = new AdaptiveAvgPool2d(1);
    this.flatten = new Flatten(1);
    this.head = new Linear(numFeatures, numClasses);
    noGrad(() => {
      const linears = this.modules().filter((m): m is Linear => m instanceof Linear);
      truncNormalInit(linears.map((m) => m.weight), 0.02);
      for (const m of linears) if (m.bias) zeros_(m.bias);
    });
  }

  override forward(x: Tensor): Tensor {
    check(x.ndim === 4 && x.shape[1] === 3, "SwinTransformer", () => `expected input [N, 3, H, W], got [${x.shape.join(", ")}]`);
    let y = this.norm.forward(this.features.forward(x)) as Tensor;
    y = this.flatten.forward(this.avgpool.forward(this.permute.forward(y)));
    return this.head.forward(y);
  }
}

/**
 * `models.swinTransformer({ patchSize, embedDim, depths, numHeads, windowSize, version, ...options })`:
 * torchvision's `SwinTransformer` of any shape (`version: 2` for v2's block and patch merging).
 * ```ts
 * const tiny = models.swinTransformer({ patchSize: [2, 2], embedDim: 32, depths: [2, 2], numHeads: [2, 4], windowSize: [4, 4], numClasses: 10 });
 * ```
 */
export function swinTransformer(opts: SwinArchitecture & SwinOptions): SwinTransformer {
  check(typeof opts === "object" && opts !== null, "SwinTransformer", () => `options must be an object, got ${String(opts)}`);
  const { patchSize, embedDim, depths, numHeads, windowSize, version, ...rest } = opts;
  return new SwinTransformer({ patchSize, embedDim, depths, numHeads, windowSize, ...(version ? { version } : {}) }, rest);
}

const swin = (embedDim: number, depths: number[], numHeads: number[], window: number, sd: number, version: 1 | 2) =>
  (opts: SwinOptions = {}) => new SwinTransformer({ patchSize: [4, 4], embedDim, depths, numHeads, windowSize: [window, window], version },
    { stochasticDepthProb: sd, ...(opts ?? {}) });

/** `models.swinT()`: torchvision.models.swin_t(weights=None), 28.3M parameters. */
export const swinT = swin(96, [2, 2, 6, 2], [3, 6, 12, 24], 7, 0.2, 1);
/** `models.swinS()`: torchvision.models.swin_s, 49.6M parameters. */
export const swinS = swin(96, [2, 2, 18, 2], [3, 6, 12, 24], 7, 0.3, 1);
/** `models.swinB()`: torchvision.models.swin_b, 87.8M parameters. */
export const swinB = swin(128, [2, 2, 18, 2], [4, 8, 16, 32], 7, 0.5, 1);
/** `models.swinV2T()`: torchvision.models.swin_v2_t, 28.4M parameters. */
export const swinV2T = swin(96, [2, 2, 6, 2], [3, 6, 12, 24], 8, 0.2, 2);
/** `models.swinV2S()`: torchvision.models.swin_v2_s, 49.7M parameters. */
export const swinV2S = swin(96, [2, 2, 18, 2], [3, 6, 12, 24], 8, 0.3, 2);
/** `models.swinV2B()`: torchvision.models.swin_v2_b, 87.9M parameters. */
export const swinV2B = swin(128, [2, 2, 18, 2], [4, 8, 16, 32], 8, 0.5, 2);
