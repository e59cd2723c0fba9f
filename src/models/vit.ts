/**
 * torchvision's Vision Transformer (torchvision.models.vision_transformer, 0.14): `vitB16()`,
 * `vitB32()`, `vitL16()`, `vitL32()`, `vitH14()` and the general `visionTransformer({...})`, with
 * torchvision's module tree — `class_token`, `conv_proj` (the patchify conv),
 * `encoder.pos_embedding`, `encoder.layers.encoder_layer_N.{ln_1, self_attention, ln_2, mlp.0,
 * mlp.3}`, `encoder.ln`, `heads.head` (and `heads.pre_logits` with `representationSize`) — so
 * torchvision's checkpoints load with `loadStateDict`. The attention is `nn.MultiheadAttention`
 * (batch first), whose `in_proj_weight`/`in_proj_bias`/`out_proj` keys are PyTorch's.
 */
import { type Tensor, Parameter, cat, empty, zeros } from "../core.js";
import { check } from "../errors.js";
import { noGrad } from "../autograd/grad-mode.js";
import { Module } from "../nn/module.js";
import { Sequential } from "../nn/layers/container.js";
import { Conv2d } from "../nn/layers/conv.js";
import { Linear } from "../nn/layers/linear.js";
import { LayerNorm } from "../nn/layers/norm.js";
import { GELU, Tanh } from "../nn/layers/activation.js";
import { Dropout } from "../nn/layers/dropout.js";
import { MultiheadAttention } from "../nn/layers/attention.js";
import { normal_, xavierUniform_, zeros_ } from "../nn/init.js";
import { type ClassifierOptions, checkPositiveInt, checkProb } from "./tv-common.js";
import { truncNormalInit, tvMLP } from "./transformer-common.js";

const ln = (d: number) => new LayerNorm(d, { eps: 1e-6 });

/** ViT's MLPBlock (torchvision.ops.MLP: Linear → GELU → Dropout → Linear → Dropout), Xavier-uniform weights, N(0, 1e-6²) biases. */
function mlpBlock(inDim: number, mlpDim: number, dropout: number): Sequential {
  const mlp = tvMLP(inDim, [mlpDim, inDim], () => new GELU(), dropout);
  noGrad(() => {
    for (const m of mlp.modules()) {
      if (m instanceof Linear) {
        xavierUniform_(m.weight);
        if (m.bias) normal_(m.bias, { std: 1e-6 });
      }
    }
  });
  return mlp;
}

/** One pre-norm transformer encoder layer: x + Dropout(MHA(LN(x))), then + MLP(LN(·)). */
export class EncoderBlock extends Module {
  declare ln_1: LayerNorm;
  declare self_attention: MultiheadAttention;
  declare dropout: Dropout;
  declare ln_2: LayerNorm;
  declare mlp: Sequential;

  constructor(readonly numHeads: number, hiddenDim: number, mlpDim: number, dropout: number, attentionDropout: number) {
    super();
    this.ln_1 = ln(hiddenDim);
    this.self_attention = new MultiheadAttention(hiddenDim, numHeads, { dropout: attentionDropout, batchFirst: true });
    this.dropout = new Dropout(dropout);
    this.ln_2 = ln(hiddenDim);
    this.mlp = mlpBlock(hiddenDim, mlpDim, dropout);
  }

  override forward(input: Tensor): Tensor {
    check(input.ndim === 3, "EncoderBlock", () => `Expected (batch_size, seq_length, hidden_dim) got [${input.shape.join(", ")}]`);
    const h = this.ln_1.forward(input);
    const [a] = this.self_attention.forward(h, h, h, { needWeights: false });
    const x = this.dropout.forward(a).add(input);
    return x.add(this.mlp.forward(this.ln_2.forward(x)) as Tensor);
  }
}

/** ViT's encoder: + learned position embedding [1, seqLength, hiddenDim], Dropout, the layers, a final LayerNorm. */
export class Encoder extends Module {
  declare pos_embedding: Parameter;
  declare dropout: Dropout;
  declare layers: Sequential;
  declare ln: LayerNorm;

  constructor(seqLength: number, numLayers: number, numHeads: number, hiddenDim: number, mlpDim: number, dropout: number, attentionDropout: number) {
    super();
    this.pos_embedding = new Parameter(empty([1, seqLength, hiddenDim]));
    noGrad(() => normal_(this.pos_embedding, { std: 0.02 })); // from BERT
    this.dropout = new Dropout(dropout);
    const layers: Record<string, Module> = {};
    for (let i = 0; i < numLayers; i++) layers[`encoder_layer_${i}`] = new EncoderBlock(numHeads, hiddenDim, mlpDim, dropout, attentionDropout);
    this.layers = new Sequential(layers);
    this.ln = ln(hiddenDim);
  }

  override forward(input: Tensor): Tensor {
    check(input.ndim === 3, "Encoder", () => `Expected (batch_size, seq_length, hidden_dim) got [${input.shape.join(", ")}]`);
    return this.ln.forward(this.layers.forward(this.dropout.forward(input.add(this.pos_embedding))) as Tensor);
  }
}

export interface ViTOptions extends ClassifierOptions {
  /** Side of the (square) input images, a multiple of the patch size (224). */
  imageSize?: number;
  /** Dropout after the position embedding, the attention and in the MLPs (0). */
  dropout?: number;
  /** Dropout on the attention weights (0). */
  attentionDropout?: number;
  /** Width of a tanh "pre-logits" layer before the head (none by default). */
  representationSize?: number | null;
}

/** The shape of a Vision Transformer: what torchvision's `vit_*` builders fix. */
export interface ViTArchitecture {
  patchSize: number;
  numLayers: number;
  numHeads: number;
  hiddenDim: number;
  mlpDim: number;
}

/**
 * torchvision.models.VisionTransformer: the image cut into patchSize² patches by a strided conv,
 * a learned class token prepended, the encoder, and the class token's output through `heads`. The
 * patch conv starts truncated-normal with std √(1/fan_in), the head at zero, the class token at
 * zero and the position embedding N(0, 0.02²), as torchvision. (torchvision's `conv_stem_configs`
 * is not supported.)
 *
 * Shapes: [N, 3, imageSize, imageSize] → [N, numClasses].
 */
export class VisionTransformer extends Module {
  readonly imageSize: number;
  readonly patchSize: number;
  readonly hiddenDim: number;
  readonly seqLength: number;
  declare conv_proj: Conv2d;
  declare class_token: Parameter;
  declare encoder: Encoder;
  declare heads: Sequential;

  constructor(arch: ViTArchitecture, opts: ViTOptions = {}) {
    super();
    const op = "VisionTransformer";
    const { imageSize = 224, dropout = 0, attentionDropout = 0, numClasses = 1000, representationSize = null } = opts ?? {};
    for (const k of ["patchSize", "numLayers", "numHeads", "hiddenDim", "mlpDim"] as const) checkPositiveInt(op, k, arch?.[k]);
    const { patchSize, numLayers, numHeads, hiddenDim, mlpDim } = arch;
    checkPositiveInt(op, "imageSize", imageSize);
    checkPositiveInt(op, "numClasses", numClasses);
    if (representationSize !== null) checkPositiveInt(op, "representationSize", representationSize);
    checkProb(op, "dropout", dropout);
    checkProb(op, "attentionDropout", attentionDropout);
    check(imageSize % patchSize === 0, op, () => `Input shape indivisible by patch size! (imageSize ${imageSize}, patchSize ${patchSize})`);
    check(hiddenDim % numHeads === 0, op, () => `hiddenDim must be divisible by numHeads (hiddenDim ${hiddenDim}, numHeads ${numHeads})`);
    this.imageSize = imageSize;
    this.patchSize = patchSize;
    this.hiddenDim = hiddenDim;
    this.conv_proj = new Conv2d(3, hiddenDim, patchSize, { stride: patchSize });
    this.class_token = new Parameter(zeros([1, 1, hiddenDim]));
    this.seqLength = (imageSize / patchSize) ** 2 + 1;
    this.encoder = new Encoder(this.seqLength, numLayers, numHeads, hiddenDim, mlpDim, dropout, attentionDropout);
    const heads: Record<string, Module> = {};
    if (representationSize === null) heads.head = new Linear(hiddenDim, numClasses);
    else {
      heads.pre_logits = new Linear(hiddenDim, representationSize);
      heads.act = new Tanh();
      heads.head = new Linear(representationSize, numClasses);
    }
    this.heads = new Sequential(heads);
    noGrad(() => {
      truncNormalInit([this.conv_proj.weight], Math.sqrt(1 / (3 * patchSize * patchSize)));
      if (this.conv_proj.bias) zeros_(this.conv_proj.bias);
      const pre = (heads.pre_logits ?? null) as Linear | null;
      if (pre) {
        truncNormalInit([pre.weight], Math.sqrt(1 / pre.inFeatures));
        if (pre.bias) zeros_(pre.bias);
      }
      const head = heads.head as Linear;
      zeros_(head.weight);
      if (head.bias) zeros_(head.bias);
    });
  }

  override forward(x: Tensor): Tensor {
    const op = "VisionTransformer";
    check(x.ndim === 4 && x.shape[1] === 3, op, () => `expected input [N, 3, ${this.imageSize}, ${this.imageSize}], got [${x.shape.join(", ")}]`);
    const [n, , h, w] = x.shape as [number, number, number, number];
    check(h === this.imageSize, op, () => `Wrong image height! Expected ${this.imageSize} but got ${h}!`);
    check(w === this.imageSize, op, () => `Wrong image width! Expected ${this.imageSize} but got ${w}!`);
    const patches = this.conv_proj.forward(x).reshape(n, this.hiddenDim, this.seqLength - 1).permute(0, 2, 1);
    const tokens = cat([this.class_token.expand(n, -1, -1), patches], 1);
    const y = this.encoder.forward(tokens).select(1, 0);
    return this.heads.forward(y) as Tensor;
  }
}

/**
 * `models.visionTransformer({ patchSize, numLayers, numHeads, hiddenDim, mlpDim, ...options })`:
 * torchvision's `VisionTransformer` of any shape (what the `vit*` builders fix, plus their options).
 * ```ts
 * const tiny = models.visionTransformer({ patchSize: 4, numLayers: 2, numHeads: 4, hiddenDim: 64, mlpDim: 128, imageSize: 32, numClasses: 10 });
 * ```
 */
export function visionTransformer(opts: ViTArchitecture & ViTOptions): VisionTransformer {
  check(typeof opts === "object" && opts !== null, "VisionTransformer", () => `options must be an object, got ${String(opts)}`);
  const { patchSize, numLayers, numHeads, hiddenDim, mlpDim, ...rest } = opts;
  return new VisionTransformer({ patchSize, numLayers, numHeads, hiddenDim, mlpDim }, rest);
}

const vit = (patchSize: number, numLayers: number, numHeads: number, hiddenDim: number, mlpDim: number) => (opts: ViTOptions = {}) =>
  new VisionTransformer({ patchSize, numLayers, numHeads, hiddenDim, mlpDim }, opts);

/** `models.vitB16()`: torchvision.models.vit_b_16(weights=None), 86.6M parameters at 224×224. */
export const vitB16 = vit(16, 12, 12, 768, 3072);
/** `models.vitB32()`: torchvision.models.vit_b_32, 88.2M parameters. */
export const vitB32 = vit(32, 12, 12, 768, 3072);
/** `models.vitL16()`: torchvision.models.vit_l_16, 304.3M parameters. */
export const vitL16 = vit(16, 24, 16, 1024, 4096);
/** `models.vitL32()`: torchvision.models.vit_l_32, 306.5M parameters. */
export const vitL32 = vit(32, 24, 16, 1024, 4096);
/** `models.vitH14()`: torchvision.models.vit_h_14, 632.0M parameters (at 224×224; torchvision's weights are for 518×518). */
export const vitH14 = vit(14, 32, 16, 1280, 5120);
