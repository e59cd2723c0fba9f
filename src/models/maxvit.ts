/**
 * torchvision's MaxViT (torchvision.models.maxvit, 0.14): `maxvitT()` and the general
 * `maxvit({...})`, with torchvision's module tree — `stem.0`/`stem.1`, `blocks.N.layers.M.layers`
 * with `MBconv` (`proj`, `layers.pre_norm/conv_a/conv_b/squeeze_excitation/conv_c`),
 * `window_attention` and `grid_attention` (`attn_layer.0` LayerNorm, `attn_layer.1` the relative
 * positional attention with `to_qkv`, `merge`, `relative_position_bias_table` and the integer
 * buffer `relative_position_index` [P², P²], `mlp_layer.0/1/3`), and `classifier.2/3/5` — so
 * torchvision's checkpoints load with `loadStateDict`. The grid sizes are fixed at construction
 * from `inputSize`, as in torchvision, so the model takes images of exactly that size.
 */
import { type Tensor, Parameter, empty, indexSelect, softmax, tensor } from "../core.js";
import { check } from "../errors.js";
import { noGrad } from "../autograd/grad-mode.js";
import { Module } from "../nn/module.js";
import { ModuleList, Sequential } from "../nn/layers/container.js";
import { Conv2d } from "../nn/layers/conv.js";
import { Identity, Linear } from "../nn/layers/linear.js";
import { BatchNorm2d, LayerNorm } from "../nn/layers/norm.js";
import { GELU, SiLU, Tanh } from "../nn/layers/activation.js";
import { Dropout } from "../nn/layers/dropout.js";
import { Flatten } from "../nn/layers/flatten.js";
import { AdaptiveAvgPool2d, AvgPool2d } from "../nn/layers/pool.js";
import { constant_, normal_, zeros_ } from "../nn/init.js";
import { type ClassifierOptions, type NormFactory, SqueezeExcitation, StochasticDepth, checkPositiveInt, checkProb, conv2dNormActivation } from "./tv-common.js";
import { checkIntList, truncNormalInit } from "./transformer-common.js";

/** The output side of a 3×3/2 convolution with padding 1: ⌊(n − 1)/2⌋ + 1. */
const halve = (n: number) => Math.floor((n - 3 + 2) / 2) + 1;

/**
 * MaxViT's MBConv: `proj` (identity, or [AvgPool 3×3/2 when strided] + 1×1 conv with bias) plus
 * StochasticDepth(pre_norm BN → 1×1 conv_a (BN, GELU) → 3×3 depthwise conv_b (BN, GELU) →
 * squeeze-excitation (SiLU) → 1×1 conv_c with bias).
 */
export class MaxVitMBConv extends Module {
  declare proj: Module;
  declare stochastic_depth: Module;
  declare layers: Sequential;

  constructor(cin: number, cout: number, expansionRatio: number, squeezeRatio: number, stride: number, norm: NormFactory, p: number) {
    super();
    if (stride !== 1 || cin !== cout) {
      const conv = new Conv2d(cin, cout, 1, { stride: 1, bias: true });
      this.proj = stride === 2 ? new Sequential(new AvgPool2d(3, { stride, padding: 1 }), conv) : new Sequential(conv);
    } else this.proj = new Identity();
    const mid = Math.trunc(cout * expansionRatio), sqz = Math.trunc(cout * squeezeRatio);
    this.stochastic_depth = p ? new StochasticDepth(p) : new Identity();
    const gelu = () => new GELU();
    this.layers = new Sequential({
      pre_norm: norm(cin),
      conv_a: conv2dNormActivation(cin, mid, { kernelSize: 1, stride: 1, padding: 0, norm, activation: gelu }),
      conv_b: conv2dNormActivation(mid, mid, { kernelSize: 3, stride, padding: 1, groups: mid, norm, activation: gelu }),
      squeeze_excitation: new SqueezeExcitation(mid, sqz, () => new SiLU()),
      conv_c: new Conv2d(mid, cout, 1, { bias: true }),
    });
  }

  override forward(x: Tensor): Tensor {
    const res = this.proj.forward(x) as Tensor;
    return res.add(this.stochastic_depth.forward(this.layers.forward(x)) as Tensor);
  }
}

/** torchvision's `_get_relative_position_index(h, w)`: [h·w, h·w], (Δi + h − 1)(2w − 1) + Δj + w − 1. */
function relativeIndex(h: number, w: number): Tensor {
  const N = h * w, out = new Int32Array(N * N);
  for (let i = 0; i < N; i++) for (let j = 0; j < N; j++)
    out[i * N + j] = (Math.floor(i / w) - Math.floor(j / w) + h - 1) * (2 * w - 1) + (i % w) - (j % w) + w - 1;
  return tensor(out, { shape: [N, N], dtype: "int32" });
}

/**
 * MaxViT's attention over [B, G, P, D] token groups: heads of `headDim`, a learned relative
 * position bias per head (`relative_position_bias_table` [(2s−1)², heads], s = √maxSeqLen), keys
 * scaled by featDim^−½ (torchvision's choice: the feature width, not the head width).
 */
export class RelativePositionalMultiHeadAttention extends Module {
  readonly nHeads: number;
  readonly size: number;
  readonly scaleFactor: number;
  declare to_qkv: Linear;
  declare merge: Linear;
  declare relative_position_bias_table: Parameter;
  declare relative_position_index: Tensor;

  constructor(readonly featDim: number, readonly headDim: number, readonly maxSeqLen: number) {
    super();
    check(featDim % headDim === 0, "RelativePositionalMultiHeadAttention", () => `feat_dim: ${featDim} must be divisible by head_dim: ${headDim}`);
    this.nHeads = featDim / headDim;
    this.size = Math.trunc(Math.sqrt(maxSeqLen));
    this.scaleFactor = featDim ** -0.5;
    this.to_qkv = new Linear(featDim, this.nHeads * headDim * 3);
    this.merge = new Linear(this.nHeads * headDim, featDim);
    this.relative_position_bias_table = new Parameter(empty([(2 * this.size - 1) ** 2, this.nHeads]));
    this.registerBuffer("relative_position_index", relativeIndex(this.size, this.size));
    noGrad(() => truncNormalInit([this.relative_position_bias_table], 0.02));
  }

  override forward(x: Tensor): Tensor {
    check(x.ndim === 4 && x.shape[3] === this.featDim, "RelativePositionalMultiHeadAttention", () =>
      `expected input [B, G, P, ${this.featDim}], got [${x.shape.join(", ")}]`);
    const [B, G, P, D] = x.shape as [number, number, number, number];
    const H = this.nHeads, DH = this.headDim, L = this.maxSeqLen;
    const [q, k, v] = (this.to_qkv.forward(x).chunk(3, -1)).map((t) => t.reshape(B, G, P, H, DH).permute(0, 1, 3, 2, 4)) as [Tensor, Tensor, Tensor];
    const bias = indexSelect(this.relative_position_bias_table, 0, this.relative_position_index.view(-1)).view(L, L, -1).permute(2, 0, 1).unsqueeze(0);
    const attn = softmax(q.matmul(k.mul(this.scaleFactor).transpose(-2, -1)).add(bias), -1);
    return this.merge.forward(attn.matmul(v).permute(0, 1, 3, 2, 4).reshape(B, G, P, D));
  }
}

/**
 * One MaxViT attention layer: the [B, C, H, W] map cut into P×P windows ("window") or a P×P grid
 * of dilated groups ("grid"), then x + SD(attn_layer(x)) and x + SD(mlp_layer(x)) on the tokens,
 * and the map put back together.
 */
export class PartitionAttentionLayer extends Module {
  readonly p: number;
  readonly g: number;
  declare attn_layer: Sequential;
  declare mlp_layer: Sequential;
  declare stochastic_dropout: StochasticDepth;

  constructor(readonly inChannels: number, headDim: number, partitionSize: number, readonly partitionType: "window" | "grid",
    readonly gridSize: readonly [number, number], mlpRatio: number, attentionDropout: number, mlpDropout: number, p: number) {
    super();
    check(partitionType === "window" || partitionType === "grid", "PartitionAttentionLayer", "partition_type must be either 'grid' or 'window'");
    const nPartitions = Math.floor(gridSize[0] / partitionSize);
    [this.p, this.g] = partitionType === "window" ? [partitionSize, nPartitions] : [nPartitions, partitionSize];
    this.attn_layer = new Sequential(new LayerNorm(inChannels), new RelativePositionalMultiHeadAttention(inChannels, headDim, partitionSize ** 2), new Dropout(attentionDropout));
    this.mlp_layer = new Sequential(
      new LayerNorm(inChannels), new Linear(inChannels, inChannels * mlpRatio), new GELU(), new Linear(inChannels * mlpRatio, inChannels), new Dropout(mlpDropout),
    );
    this.stochastic_dropout = new StochasticDepth(p);
  }

  override forward(x: Tensor): Tensor {
    const [gh0, gw0] = this.gridSize, P = this.p;
    check(x.ndim === 4 && x.shape[1] === this.inChannels && x.shape[2] === gh0 && x.shape[3] === gw0, "PartitionAttentionLayer", () =>
      `expected input [B, ${this.inChannels}, ${gh0}, ${gw0}] (the grid size fixed by inputSize), got [${x.shape.join(", ")}]`);
    const [B, C, H, W] = x.shape as [number, number, number, number];
    const gh = gh0 / P, gw = gw0 / P;
    // partition: [B, C, H, W] → [B, (H/P)(W/P), P², C]; "grid" swaps the group and token axes
    let t = x.reshape(B, C, H / P, P, W / P, P).permute(0, 2, 4, 3, 5, 1).reshape(B, (H / P) * (W / P), P * P, C);
    if (this.partitionType === "grid") t = t.transpose(-2, -3);
    t = t.add(this.stochastic_dropout.forward(this.attn_layer.forward(t) as Tensor));
    t = t.add(this.stochastic_dropout.forward(this.mlp_layer.forward(t) as Tensor));
    if (this.partitionType === "grid") t = t.transpose(-2, -3);
    return t.reshape(B, gh, gw, P, P, C).permute(0, 5, 1, 3, 2, 4).reshape(B, C, gh * P, gw * P);
  }
}

/** MBconv (stride 2 for a block's first layer), then window attention, then grid attention. */
export class MaxVitLayer extends Module {
  declare layers: Sequential;
  constructor(cin: number, cout: number, o: {
    squeezeRatio: number; expansionRatio: number; stride: number; norm: NormFactory; headDim: number; mlpRatio: number;
    mlpDropout: number; attentionDropout: number; p: number; partitionSize: number; gridSize: [number, number];
  }) {
    super();
    const attn = (type: "window" | "grid") =>
      new PartitionAttentionLayer(cout, o.headDim, o.partitionSize, type, o.gridSize, o.mlpRatio, o.attentionDropout, o.mlpDropout, o.p);
    this.layers = new Sequential({
      MBconv: new MaxVitMBConv(cin, cout, o.expansionRatio, o.squeezeRatio, o.stride, o.norm, o.p),
      window_attention: attn("window"),
      grid_attention: attn("grid"),
    });
  }
  override forward(x: Tensor): Tensor {
    return this.layers.forward(x) as Tensor;
  }
}

export interface MaxVitOptions extends ClassifierOptions {
  /** [H, W] of the input images, fixed at construction (torchvision's `input_size`, [224, 224]). */
  inputSize?: readonly [number, number];
  squeezeRatio?: number;
  expansionRatio?: number;
  mlpRatio?: number;
  mlpDropout?: number;
  attentionDropout?: number;
  /** Largest drop probability, spread linearly from 0 over the layers (0.2 for maxvit_t). */
  stochasticDepthProb?: number;
}

/** The shape of a MaxViT: what torchvision's `maxvit_t` fixes. */
export interface MaxVitArchitecture {
  stemChannels: number;
  partitionSize: number;
  blockChannels: readonly number[];
  blockLayers: readonly number[];
  headDim: number;
}

/**
 * torchvision.models.MaxVit: a 3×3/2 stem (two convs), blocks of MaxViT layers (each block halves
 * the map), then global average pool, LayerNorm, Linear + tanh and a bias-free Linear. BatchNorm
 * eps 1e-3, momentum 0.99 (torchvision's setting); convolutions and linear layers start N(0, 0.02²)
 * with zero biases, the position bias tables truncated-normal (std 0.02).
 *
 * Shapes: [N, 3, inputSize[0], inputSize[1]] → [N, numClasses].
 */
export class MaxVit extends Module {
  readonly inputSize: [number, number];
  declare stem: Sequential;
  declare blocks: ModuleList;
  declare classifier: Sequential;

  constructor(arch: MaxVitArchitecture, opts: MaxVitOptions = {}) {
    super();
    const op = "MaxVit";
    const {
      inputSize = [224, 224], squeezeRatio = 0.25, expansionRatio = 4, mlpRatio = 4, mlpDropout = 0, attentionDropout = 0, stochasticDepthProb = 0.2,
      numClasses = 1000,
    } = opts ?? {};
    check(typeof arch === "object" && arch !== null, op, () => `architecture must be an object, got ${String(arch)}`);
    const { stemChannels, partitionSize, blockChannels, blockLayers, headDim } = arch;
    checkPositiveInt(op, "stemChannels", stemChannels);
    checkPositiveInt(op, "partitionSize", partitionSize);
    checkPositiveInt(op, "headDim", headDim);
    checkIntList(op, "blockChannels", blockChannels);
    checkIntList(op, "blockLayers", blockLayers, blockChannels.length);
    checkIntList(op, "inputSize", inputSize, 2);
    checkPositiveInt(op, "numClasses", numClasses);
    checkPositiveInt(op, "mlpRatio", mlpRatio);
    checkProb(op, "mlpDropout", mlpDropout);
    checkProb(op, "attentionDropout", attentionDropout);
    checkProb(op, "stochasticDepthProb", stochasticDepthProb);
    let grid: [number, number] = [halve(inputSize[0]), halve(inputSize[1])];
    const sizes: [number, number][] = [];
    for (let i = 0, g = grid; i < blockChannels.length; i++) sizes.push((g = [halve(g[0]), halve(g[1])]));
    sizes.forEach((s, i) => check(s[0] % partitionSize === 0 && s[1] % partitionSize === 0, op, () =>
      `Input size [${s.join(", ")}] of block ${i} is not divisible by partition size ${partitionSize}. Consider changing the partition size or ` +
      `the input size. Current configuration yields the following block input sizes: ${sizes.map((x) => `[${x.join(", ")}]`).join(", ")}.`));
    blockChannels.forEach((c) => check(c % headDim === 0, op, () => `feat_dim: ${c} must be divisible by head_dim: ${headDim}`));
    this.inputSize = [inputSize[0], inputSize[1]];
    const norm: NormFactory = (c) => new BatchNorm2d(c, { eps: 1e-3, momentum: 0.99 });
    const gelu = () => new GELU();
    this.stem = new Sequential(
      conv2dNormActivation(3, stemChannels, { kernelSize: 3, stride: 2, norm, activation: gelu }),
      conv2dNormActivation(stemChannels, stemChannels, { kernelSize: 3, stride: 1, norm: null, activation: null }),
    );
    const total = blockLayers.reduce((s, n) => s + n, 0);
    const ps = Array.from({ length: total }, (_, i) => (total > 1 ? (stochasticDepthProb * i) / (total - 1) : 0));
    this.blocks = new ModuleList();
    let pIdx = 0;
    blockChannels.forEach((cout, b) => {
      const cin = b === 0 ? stemChannels : blockChannels[b - 1]!;
      grid = [halve(grid[0]), halve(grid[1])];
      const layers = new ModuleList();
      for (let i = 0; i < blockLayers[b]!; i++) {
        layers.append(new MaxVitLayer(i === 0 ? cin : cout, cout, {
          squeezeRatio, expansionRatio, stride: i === 0 ? 2 : 1, norm, headDim, mlpRatio, mlpDropout, attentionDropout, p: ps[pIdx++]!,
          partitionSize, gridSize: grid,
        }));
      }
      const block = new MaxVitBlock(layers);
      this.blocks.append(block);
    });
    const last = blockChannels[blockChannels.length - 1]!;
    this.classifier = new Sequential(
      new AdaptiveAvgPool2d(1), new Flatten(), new LayerNorm(last), new Linear(last, last), new Tanh(), new Linear(last, numClasses, false),
    );
    noGrad(() => {
      for (const m of this.modules()) {
        if (m instanceof Conv2d || m instanceof Linear) {
          normal_(m.weight, { std: 0.02 });
          if (m.bias) zeros_(m.bias);
        } else if (m instanceof BatchNorm2d) {
          if (m.weight) constant_(m.weight, 1);
          if (m.bias) constant_(m.bias, 0);
        }
      }
    });
  }

  override forward(x: Tensor): Tensor {
    const [h, w] = this.inputSize;
    check(x.ndim === 4 && x.shape[1] === 3 && x.shape[2] === h && x.shape[3] === w, "MaxVit", () =>
      `expected input [N, 3, ${h}, ${w}] (the inputSize it was built for), got [${x.shape.join(", ")}]`);
    let y = this.stem.forward(x) as Tensor;
    for (const b of this.blocks.children()) y = b.forward(y) as Tensor;
    return this.classifier.forward(y) as Tensor;
  }
}

/** A block of MaxViT layers (its `layers` ModuleList, keyed `layers.N`). */
export class MaxVitBlock extends Module {
  declare layers: ModuleList;
  constructor(layers: ModuleList) {
    super();
    this.layers = layers;
  }
  override forward(x: Tensor): Tensor {
    for (const l of this.layers.children()) x = l.forward(x) as Tensor;
    return x;
  }
}

/**
 * `models.maxvit({ stemChannels, partitionSize, blockChannels, blockLayers, headDim, ...options })`:
 * torchvision's `MaxVit` of any shape.
 * ```ts
 * const tiny = models.maxvit({ stemChannels: 16, partitionSize: 2, blockChannels: [16, 32], blockLayers: [1, 1], headDim: 8, inputSize: [32, 32] });
 * ```
 */
export function maxvit(opts: MaxVitArchitecture & MaxVitOptions): MaxVit {
  check(typeof opts === "object" && opts !== null, "MaxVit", () => `options must be an object, got ${String(opts)}`);
  const { stemChannels, partitionSize, blockChannels, blockLayers, headDim, ...rest } = opts;
  return new MaxVit({ stemChannels, partitionSize, blockChannels, blockLayers, headDim }, rest);
}

/** `models.maxvitT()`: torchvision.models.maxvit_t(weights=None), 30.9M parameters; 224×224 inputs unless `inputSize` says otherwise. */
export const maxvitT = (opts: MaxVitOptions = {}) =>
  new MaxVit({ stemChannels: 64, partitionSize: 7, blockChannels: [64, 128, 256, 512], blockLayers: [2, 2, 5, 2], headDim: 32 }, { stochasticDepthProb: 0.2, ...(opts ?? {}) });
