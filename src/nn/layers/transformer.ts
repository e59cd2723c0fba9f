/**
 * Transformer encoders, as PyTorch's `nn.TransformerEncoderLayer` and `nn.TransformerEncoder`:
 * self-attention and a feed-forward block, each with a residual connection, dropout and layer
 * normalisation (after the residual by default; before it with `normFirst`). Submodule names and
 * order are PyTorch's, so state dicts load either way.
 * ```ts
 * const layer = new nn.TransformerEncoderLayer(64, 4, { dimFeedforward: 128, batchFirst: true });
 * const encoder = new nn.TransformerEncoder(layer, 2);
 * encoder.forward(x, { srcKeyPaddingMask }); // [N, T, 64]
 * ```
 */
import type { Tensor } from "../../core.js";
import type { DType } from "../../core.js";
import { TensileError, fmtValue } from "../../errors.js";
import { gelu, relu } from "../../core.js";
import { MultiheadAttention } from "./attention.js";
import { ModuleList } from "./container.js";
import { Dropout } from "./dropout.js";
import { Linear } from "./linear.js";
import { LayerNorm } from "./norm.js";
import { Module } from "../module.js";

export interface TransformerEncoderLayerOptions {
  /** Width of the feed-forward block (default 2048, PyTorch's). */
  dimFeedforward?: number;
  /** Dropout after attention, in and after the feed-forward block (default 0.1). */
  dropout?: number;
  /** "relu" (default) or "gelu". */
  activation?: "relu" | "gelu";
  layerNormEps?: number;
  /** Inputs as [batch, seq, feature] (default false: [seq, batch, feature]). */
  batchFirst?: boolean;
  /** Layer norm before each block instead of after its residual (default false). */
  normFirst?: boolean;
  dtype?: DType;
}

export interface EncoderCallOptions {
  /** [T, T] (or [N·heads, T, T]): bool true = may not attend; floats are added to the scores. */
  srcMask?: Tensor | null;
  /** [N, T]: true marks a padding position. */
  srcKeyPaddingMask?: Tensor | null;
}

export class TransformerEncoderLayer extends Module {
  readonly dModel: number;
  readonly nhead: number;
  readonly normFirst: boolean;
  readonly activationName: "relu" | "gelu";
  private readonly opts: TransformerEncoderLayerOptions;
  self_attn: MultiheadAttention;
  linear1: Linear;
  dropout: Dropout;
  linear2: Linear;
  norm1: LayerNorm;
  norm2: LayerNorm;
  dropout1: Dropout;
  dropout2: Dropout;

  constructor(dModel: number, nhead: number, opts: TransformerEncoderLayerOptions = {}) {
    super();
    if (typeof opts !== "object" || opts === null) throw new TensileError(`TransformerEncoderLayer: options must be an object, got ${fmtValue(opts)}`);
    const { dimFeedforward = 2048, dropout: p = 0.1, activation = "relu", layerNormEps = 1e-5, batchFirst = false, normFirst = false, dtype } = opts;
    if (activation !== "relu" && activation !== "gelu")
      throw new TensileError(`TransformerEncoderLayer: activation should be relu/gelu, not ${fmtValue(activation)}`);
    this.opts = { ...opts };
    this.dModel = dModel;
    this.nhead = nhead;
    this.normFirst = normFirst;
    this.activationName = activation;
    // registered in PyTorch's order (state-dict keys, repr)
    this.self_attn = new MultiheadAttention(dModel, nhead, { dropout: p, batchFirst, dtype });
    this.linear1 = new Linear(dModel, dimFeedforward, { dtype });
    this.dropout = new Dropout(p);
    this.linear2 = new Linear(dimFeedforward, dModel, { dtype });
    this.norm1 = new LayerNorm(dModel, { eps: layerNormEps, dtype });
    this.norm2 = new LayerNorm(dModel, { eps: layerNormEps, dtype });
    this.dropout1 = new Dropout(p);
    this.dropout2 = new Dropout(p);
  }

  private sa(x: Tensor, mask: Tensor | null, padding: Tensor | null): Tensor {
    const [out] = this.self_attn.forward(x, x, x, { attnMask: mask, keyPaddingMask: padding, needWeights: false });
    return this.dropout1.forward(out);
  }

  private ff(x: Tensor): Tensor {
    const h = this.linear1.forward(x);
    return this.dropout2.forward(this.linear2.forward(this.dropout.forward(this.activationName === "relu" ? relu(h) : gelu(h))));
  }

  override forward(src: Tensor, opts: EncoderCallOptions = {}): Tensor {
    const { srcMask = null, srcKeyPaddingMask = null } = opts ?? {};
    let x = src;
    if (this.normFirst) {
      x = x.add(this.sa(this.norm1.forward(x), srcMask, srcKeyPaddingMask));
      return x.add(this.ff(this.norm2.forward(x)));
    }
    x = this.norm1.forward(x.add(this.sa(x, srcMask, srcKeyPaddingMask)));
    return this.norm2.forward(x.add(this.ff(x)));
  }

  /** A new layer with the same options and a copy of this one's parameters (PyTorch deep-copies the layer). */
  copy(): TransformerEncoderLayer {
    const c = new TransformerEncoderLayer(this.dModel, this.nhead, this.opts);
    c.loadStateDict(Object.fromEntries(Object.entries(this.stateDict()).map(([k, v]) => [k, v.clone()])));
    return c;
  }
}

/** `numLayers` copies of `encoderLayer` applied in turn, then `norm` if given. */
export class TransformerEncoder extends Module {
  readonly numLayers: number;
  layers: ModuleList<TransformerEncoderLayer>;
  norm: LayerNorm | null;

  constructor(encoderLayer: TransformerEncoderLayer, numLayers: number, norm: LayerNorm | null = null) {
    super();
    if (!(encoderLayer instanceof TransformerEncoderLayer))
      throw new TensileError(`TransformerEncoder: encoderLayer must be a TransformerEncoderLayer, got ${fmtValue(encoderLayer)}`);
    if (!Number.isInteger(numLayers) || numLayers < 1) throw new TensileError(`TransformerEncoder: num_layers must be a positive integer, got ${fmtValue(numLayers)}`);
    this.numLayers = numLayers;
    this.layers = new ModuleList(Array.from({ length: numLayers }, () => encoderLayer.copy()));
    this.norm = norm;
  }

  override forward(src: Tensor, opts: EncoderCallOptions = {}): Tensor {
    let x = src;
    for (const layer of this.layers) x = layer.forward(x, opts);
    return this.norm ? this.norm.forward(x) : x;
  }
}
