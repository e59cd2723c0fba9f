/**
 * Transformers, as PyTorch's `nn.TransformerEncoderLayer`, `nn.TransformerEncoder`,
 * `nn.TransformerDecoderLayer`, `nn.TransformerDecoder` and `nn.Transformer`: self-attention
 * (and, in a decoder, attention over the encoder's output) and a feed-forward block, each with a
 * residual connection, dropout and layer normalisation (after the residual by default; before it
 * with `normFirst`). Submodule names and order are PyTorch's, so state dicts load either way.
 * ```ts
 * const layer = new nn.TransformerEncoderLayer(64, 4, { dimFeedforward: 128, batchFirst: true });
 * const encoder = new nn.TransformerEncoder(layer, 2);
 * encoder.forward(x, { srcKeyPaddingMask }); // [N, T, 64]
 *
 * const model = new nn.Transformer({ dModel: 64, nhead: 4, numEncoderLayers: 2, numDecoderLayers: 2, batchFirst: true });
 * const tgtMask = nn.Transformer.generateSquareSubsequentMask(tgt.shape[1]);
 * model.forward(src, tgt, { tgtMask, srcKeyPaddingMask }); // [N, T, 64]
 * ```
 */
import type { Tensor } from "../../core.js";
import type { DType } from "../../core.js";
import { TensileError, fmtValue } from "../../errors.js";
import { full, gelu, noGrad, relu, triu } from "../../core.js";
import { fmtShape } from "../../errors.js";
import { xavierUniform_ } from "../init.js";
import { MultiheadAttention } from "./attention.js";
import { ModuleList } from "./container.js";
import { Dropout } from "./dropout.js";
import { Linear } from "./linear.js";
import { LayerNorm } from "./norm.js";
import { Module } from "../module.js";
import { type PositionalArgs, positionalOptions } from "../../utils/positional.js";

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

/** TransformerEncoderLayer's / TransformerDecoderLayer's positional parameters after nhead, in PyTorch's order. */
const LAYER_KEYS = ["dimFeedforward", "dropout", "activation", "layerNormEps", "batchFirst", "normFirst"];
type LayerPositional = [dimFeedforward: number, dropout: number, activation: "relu" | "gelu", layerNormEps: number, batchFirst: boolean, normFirst: boolean];

/**
 * d_model and nhead, which PyTorch's layers take first (positionally here: `new
 * nn.TransformerEncoderLayer(16, 2, { ... })`); named in the error rather than left to
 * MultiheadAttention's embed_dim message.
 */
function checkWidths(op: string, dModel: unknown, nhead: unknown): void {
  if (!Number.isInteger(dModel) || (dModel as number) <= 0)
    throw new TensileError(`${op}: d_model must be a positive integer (given first, then nhead, then the options), got ${fmtValue(dModel)}`);
  if (!Number.isInteger(nhead) || (nhead as number) <= 0)
    throw new TensileError(`${op}: nhead must be a positive integer, got ${fmtValue(nhead)}`);
}

/** A layer's options with PyTorch's defaults, checked. */
function layerSettings(op: string, opts: TransformerEncoderLayerOptions) {
  if (typeof opts !== "object" || opts === null) throw new TensileError(`${op}: options must be an object, got ${fmtValue(opts)}`);
  for (const k of Object.keys(opts))
    if (!LAYER_KEYS.includes(k) && k !== "dtype") throw new TensileError(`${op}: unknown option "${k}" (expected one of: ${LAYER_KEYS.join(", ")}, dtype)`);
  const { dimFeedforward = 2048, dropout: p = 0.1, activation = "relu", layerNormEps = 1e-5, batchFirst = false, normFirst = false, dtype } = opts;
  if (activation !== "relu" && activation !== "gelu") throw new TensileError(`${op}: activation should be relu/gelu, not ${fmtValue(activation)}`);
  return { dimFeedforward, p, activation, layerNormEps, batchFirst, normFirst, dtype };
}

/** `numLayers` copies of `layer` (checked to be a `cls`) for a stack, as PyTorch's `_get_clones`. */
function clones<L extends Module & { copy(): L }>(op: string, what: string, cls: abstract new (...a: never[]) => L, layer: L, numLayers: number): ModuleList<L> {
  if (!(layer instanceof cls)) throw new TensileError(`${op}: ${what} must be a ${cls.name}, got ${fmtValue(layer)}`);
  if (!Number.isInteger(numLayers) || numLayers < 1) throw new TensileError(`${op}: num_layers must be a positive integer, got ${fmtValue(numLayers)}`);
  return new ModuleList(Array.from({ length: numLayers }, () => layer.copy()));
}

/** `fresh` with copies of `from`'s parameters and buffers (PyTorch deep-copies a stack's layer). */
function withCopiedState<M extends Module>(fresh: M, from: Module): M {
  fresh.loadStateDict(Object.fromEntries(Object.entries(from.stateDict()).map(([k, v]) => [k, v.clone()])));
  return fresh;
}

export interface EncoderCallOptions {
  /** [T, T] (or [N·heads, T, T]): bool true = may not attend; floats are added to the scores. */
  srcMask?: Tensor | null;
  /** [N, T]: true marks a padding position. */
  srcKeyPaddingMask?: Tensor | null;
}

/** `TransformerEncoder.forward`'s options: PyTorch names the attention mask `mask` there (`srcMask` is accepted too). */
export interface EncoderStackCallOptions extends EncoderCallOptions {
  /** PyTorch's name for `srcMask` in `TransformerEncoder.forward(src, mask, src_key_padding_mask)`. */
  mask?: Tensor | null;
}

/**
 * Refuses an option name the forward does not know: a misspelt or PyTorch-spelt mask
 * (`src_key_padding_mask`, `isCausal`) would otherwise be dropped and the model run unmasked.
 */
function checkCallOptions(op: string, opts: object, known: readonly string[]): void {
  if (opts === null || typeof opts !== "object") throw new TensileError(`${op}: options must be an object, got ${fmtValue(opts)}`);
  for (const k of Object.keys(opts))
    if (!known.includes(k)) throw new TensileError(`${op}: unknown option "${k}" (expected one of: ${known.join(", ")})`);
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

  constructor(dModel: number, nhead: number, opts?: TransformerEncoderLayerOptions);
  /** PyTorch's positional order (dimFeedforward, dropout, activation, layerNormEps, batchFirst, normFirst), then an optional options object. */
  constructor(dModel: number, nhead: number, ...args: PositionalArgs<LayerPositional, TransformerEncoderLayerOptions>);
  constructor(dModel: number, nhead: number, ...args: unknown[]) {
    super();
    checkWidths("TransformerEncoderLayer", dModel, nhead);
    const opts = positionalOptions<TransformerEncoderLayerOptions>("TransformerEncoderLayer", args, { keys: LAYER_KEYS, after: "nhead" });
    const { dimFeedforward, p, activation, layerNormEps, batchFirst, normFirst, dtype } = layerSettings("TransformerEncoderLayer", opts);
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
    checkCallOptions("TransformerEncoderLayer.forward", opts ?? {}, ["srcMask", "srcKeyPaddingMask"]);
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
    return withCopiedState(new TransformerEncoderLayer(this.dModel, this.nhead, this.opts), this);
  }
}

export interface TransformerEncoderOptions {
  /** How many copies of the layer (required). */
  numLayers?: number;
  /** Applied to the last layer's output (default null: none). */
  norm?: LayerNorm | null;
  /**
   * PyTorch's switch for its nested-tensor fast path (default true there). Accepted so PyTorch's
   * call reads the same; Tensile has no nested tensors and always computes every position, as
   * PyTorch does with `enable_nested_tensor=False` (with it, PyTorch's eval-mode no-grad forward
   * given only a key padding mask, no `mask`, over post-norm layers, lets the padded positions
   * leave the layers as zeros; the other positions agree).
   */
  enableNestedTensor?: boolean;
  /** PyTorch's check that the padding is on the right before that fast path; accepted and unused. */
  maskCheck?: boolean;
}

const ENCODER_KEYS = ["numLayers", "norm", "enableNestedTensor", "maskCheck"];

/**
 * `numLayers` copies of `encoderLayer` applied in turn, then `norm` if given; PyTorch's
 * `nn.TransformerEncoder(encoder_layer, num_layers, norm=None, enable_nested_tensor=True, mask_check=True)`.
 * ```ts
 * const layer = new nn.TransformerEncoderLayer(16, 2, { dimFeedforward: 32, batchFirst: true });
 * const encoder = new nn.TransformerEncoder(layer, { numLayers: 2, norm: new nn.LayerNorm(16) }); // or (layer, 2, norm)
 * encoder.forward(x, { mask: nn.Transformer.generateSquareSubsequentMask(x.size(1)), srcKeyPaddingMask });
 * ```
 */
export class TransformerEncoder extends Module {
  readonly numLayers: number;
  readonly enableNestedTensor: boolean;
  readonly maskCheck: boolean;
  layers: ModuleList<TransformerEncoderLayer>;
  norm: LayerNorm | null;

  constructor(encoderLayer: TransformerEncoderLayer, opts: TransformerEncoderOptions & { numLayers: number });
  /** PyTorch's positional order (numLayers, norm, enableNestedTensor, maskCheck), then an optional options object. */
  constructor(encoderLayer: TransformerEncoderLayer, ...args: PositionalArgs<[numLayers: number, norm: LayerNorm | null,
    enableNestedTensor: boolean, maskCheck: boolean], TransformerEncoderOptions>);
  constructor(encoderLayer: TransformerEncoderLayer, ...args: unknown[]) {
    super();
    const op = "TransformerEncoder";
    const opts = positionalOptions<TransformerEncoderOptions>(op, args, { keys: ENCODER_KEYS, after: "encoderLayer", known: [] });
    const { numLayers, norm = null, enableNestedTensor = true, maskCheck = true } = opts;
    if (numLayers === undefined) throw new TensileError(`${op}: missing the required argument numLayers (num_layers)`);
    for (const [k, v] of [["enableNestedTensor", enableNestedTensor], ["maskCheck", maskCheck]] as const)
      if (typeof v !== "boolean") throw new TensileError(`${op}: ${k} must be a boolean, got ${fmtValue(v)}`);
    if (norm !== null && !(norm instanceof Module)) throw new TensileError(`${op}: norm must be a Module or null, got ${fmtValue(norm)}`);
    this.numLayers = numLayers;
    this.enableNestedTensor = enableNestedTensor;
    this.maskCheck = maskCheck;
    this.layers = clones(op, "encoderLayer", TransformerEncoderLayer, encoderLayer, numLayers);
    this.norm = norm;
  }

  /** `src` through every layer with `{ srcMask, srcKeyPaddingMask }`; `mask` is PyTorch's name for `srcMask` here. */
  override forward(src: Tensor, opts: EncoderStackCallOptions = {}): Tensor {
    const op = "TransformerEncoder.forward";
    checkCallOptions(op, opts ?? {}, ["mask", "srcMask", "srcKeyPaddingMask"]);
    const { mask = null, srcMask = null, srcKeyPaddingMask = null } = opts ?? {};
    if (mask !== null && srcMask !== null) throw new TensileError(`${op}: give the attention mask once, as mask (PyTorch's name) or srcMask, not both`);
    const layerOpts: EncoderCallOptions = { srcMask: mask ?? srcMask, srcKeyPaddingMask };
    let x = src;
    for (const layer of this.layers) x = layer.forward(x, layerOpts);
    return this.norm ? this.norm.forward(x) : x;
  }
}

const DECODER_CALL_KEYS = ["tgtMask", "memoryMask", "tgtKeyPaddingMask", "memoryKeyPaddingMask"];

export interface DecoderCallOptions {
  /** [T, T] (or [N·heads, T, T]) over the target: bool true = may not attend; floats are added. */
  tgtMask?: Tensor | null;
  /** [T, S] (or [N·heads, T, S]) over the memory (the encoder's output). */
  memoryMask?: Tensor | null;
  /** [N, T]: true marks a padding position of the target. */
  tgtKeyPaddingMask?: Tensor | null;
  /** [N, S]: true marks a padding position of the source. */
  memoryKeyPaddingMask?: Tensor | null;
}

/**
 * One decoder block: masked self-attention over the target, attention over `memory` (the
 * encoder's output), then the feed-forward block; same options as `TransformerEncoderLayer`.
 */
export class TransformerDecoderLayer extends Module {
  readonly dModel: number;
  readonly nhead: number;
  readonly normFirst: boolean;
  readonly activationName: "relu" | "gelu";
  private readonly opts: TransformerEncoderLayerOptions;
  self_attn: MultiheadAttention;
  multihead_attn: MultiheadAttention;
  linear1: Linear;
  dropout: Dropout;
  linear2: Linear;
  norm1: LayerNorm;
  norm2: LayerNorm;
  norm3: LayerNorm;
  dropout1: Dropout;
  dropout2: Dropout;
  dropout3: Dropout;

  constructor(dModel: number, nhead: number, opts?: TransformerEncoderLayerOptions);
  /** PyTorch's positional order (dimFeedforward, dropout, activation, layerNormEps, batchFirst, normFirst), then an optional options object. */
  constructor(dModel: number, nhead: number, ...args: PositionalArgs<LayerPositional, TransformerEncoderLayerOptions>);
  constructor(dModel: number, nhead: number, ...args: unknown[]) {
    super();
    checkWidths("TransformerDecoderLayer", dModel, nhead);
    const opts = positionalOptions<TransformerEncoderLayerOptions>("TransformerDecoderLayer", args, { keys: LAYER_KEYS, after: "nhead" });
    const { dimFeedforward, p, activation, layerNormEps, batchFirst, normFirst, dtype } = layerSettings("TransformerDecoderLayer", opts);
    this.opts = { ...opts };
    this.dModel = dModel;
    this.nhead = nhead;
    this.normFirst = normFirst;
    this.activationName = activation;
    // registered in PyTorch's order (state-dict keys, repr)
    this.self_attn = new MultiheadAttention(dModel, nhead, { dropout: p, batchFirst, dtype });
    this.multihead_attn = new MultiheadAttention(dModel, nhead, { dropout: p, batchFirst, dtype });
    this.linear1 = new Linear(dModel, dimFeedforward, { dtype });
    this.dropout = new Dropout(p);
    this.linear2 = new Linear(dimFeedforward, dModel, { dtype });
    this.norm1 = new LayerNorm(dModel, { eps: layerNormEps, dtype });
    this.norm2 = new LayerNorm(dModel, { eps: layerNormEps, dtype });
    this.norm3 = new LayerNorm(dModel, { eps: layerNormEps, dtype });
    this.dropout1 = new Dropout(p);
    this.dropout2 = new Dropout(p);
    this.dropout3 = new Dropout(p);
  }

  private sa(x: Tensor, mask: Tensor | null, padding: Tensor | null): Tensor {
    const [out] = this.self_attn.forward(x, x, x, { attnMask: mask, keyPaddingMask: padding, needWeights: false });
    return this.dropout1.forward(out);
  }

  private mha(x: Tensor, memory: Tensor, mask: Tensor | null, padding: Tensor | null): Tensor {
    const [out] = this.multihead_attn.forward(x, memory, memory, { attnMask: mask, keyPaddingMask: padding, needWeights: false });
    return this.dropout2.forward(out);
  }

  private ff(x: Tensor): Tensor {
    const h = this.linear1.forward(x);
    return this.dropout3.forward(this.linear2.forward(this.dropout.forward(this.activationName === "relu" ? relu(h) : gelu(h))));
  }

  override forward(tgt: Tensor, memory: Tensor, opts: DecoderCallOptions = {}): Tensor {
    checkCallOptions("TransformerDecoderLayer.forward", opts ?? {}, DECODER_CALL_KEYS);
    const { tgtMask = null, memoryMask = null, tgtKeyPaddingMask = null, memoryKeyPaddingMask = null } = opts ?? {};
    let x = tgt;
    if (this.normFirst) {
      x = x.add(this.sa(this.norm1.forward(x), tgtMask, tgtKeyPaddingMask));
      x = x.add(this.mha(this.norm2.forward(x), memory, memoryMask, memoryKeyPaddingMask));
      return x.add(this.ff(this.norm3.forward(x)));
    }
    x = this.norm1.forward(x.add(this.sa(x, tgtMask, tgtKeyPaddingMask)));
    x = this.norm2.forward(x.add(this.mha(x, memory, memoryMask, memoryKeyPaddingMask)));
    return this.norm3.forward(x.add(this.ff(x)));
  }

  /** A new layer with the same options and a copy of this one's parameters (PyTorch deep-copies the layer). */
  copy(): TransformerDecoderLayer {
    return withCopiedState(new TransformerDecoderLayer(this.dModel, this.nhead, this.opts), this);
  }
}

/**
 * `numLayers` copies of `decoderLayer` applied in turn (each attending to `memory`), then `norm` if
 * given: `new nn.TransformerDecoder(layer, 2, norm)` or `(layer, { numLayers: 2, norm })`.
 */
export class TransformerDecoder extends Module {
  readonly numLayers: number;
  layers: ModuleList<TransformerDecoderLayer>;
  norm: LayerNorm | null;

  constructor(decoderLayer: TransformerDecoderLayer, opts: { numLayers: number; norm?: LayerNorm | null });
  /** PyTorch's positional order (numLayers, norm), then an optional options object. */
  constructor(decoderLayer: TransformerDecoderLayer, ...args: PositionalArgs<[numLayers: number, norm: LayerNorm | null], { numLayers?: number; norm?: LayerNorm | null }>);
  constructor(decoderLayer: TransformerDecoderLayer, ...args: unknown[]) {
    super();
    const op = "TransformerDecoder";
    const { numLayers, norm = null } = positionalOptions<{ numLayers?: number; norm?: LayerNorm | null }>(op, args,
      { keys: ["numLayers", "norm"], after: "decoderLayer", known: [] });
    if (numLayers === undefined) throw new TensileError(`${op}: missing the required argument numLayers (num_layers)`);
    if (norm !== null && !(norm instanceof Module)) throw new TensileError(`${op}: norm must be a Module or null, got ${fmtValue(norm)}`);
    this.numLayers = numLayers;
    this.layers = clones(op, "decoderLayer", TransformerDecoderLayer, decoderLayer, numLayers);
    this.norm = norm;
  }

  override forward(tgt: Tensor, memory: Tensor, opts: DecoderCallOptions = {}): Tensor {
    checkCallOptions("TransformerDecoder.forward", opts ?? {}, DECODER_CALL_KEYS);
    let x = tgt;
    for (const layer of this.layers) x = layer.forward(x, memory, opts);
    return this.norm ? this.norm.forward(x) : x;
  }
}

export interface TransformerOptions extends TransformerEncoderLayerOptions {
  /** Model width (default 512). */
  dModel?: number;
  /** Attention heads (default 8). */
  nhead?: number;
  /** Encoder layers (default 6). */
  numEncoderLayers?: number;
  /** Decoder layers (default 6). */
  numDecoderLayers?: number;
  /** Used instead of the built encoder: `forward(src, { srcMask, srcKeyPaddingMask })`. */
  customEncoder?: Module | null;
  /** Used instead of the built decoder: `forward(tgt, memory, decoderOptions)`. */
  customDecoder?: Module | null;
}

export interface TransformerCallOptions extends DecoderCallOptions {
  /** [S, S] (or [N·heads, S, S]) over the source. */
  srcMask?: Tensor | null;
  /** [N, S]: true marks a padding position of the source. */
  srcKeyPaddingMask?: Tensor | null;
}

/**
 * The encoder–decoder Transformer of "Attention Is All You Need", as PyTorch's `nn.Transformer`:
 * an encoder over `src` and a decoder over `tgt` that attends to the encoder's output. Each stack
 * ends with a layer norm; every weight matrix starts Xavier-uniform, as PyTorch's does. There is
 * no embedding, positional encoding or output projection: add them around it, as in PyTorch.
 */
export class Transformer extends Module {
  readonly dModel: number;
  readonly nhead: number;
  readonly batchFirst: boolean;
  encoder: Module;
  decoder: Module;

  constructor(opts?: TransformerOptions);
  /**
   * PyTorch's positional order (dModel, nhead, numEncoderLayers, numDecoderLayers, dimFeedforward,
   * dropout, activation, customEncoder, customDecoder, layerNormEps, batchFirst, normFirst), then an
   * optional options object: `new nn.Transformer(512, 8)`.
   */
  constructor(...args: PositionalArgs<[dModel: number, nhead: number, numEncoderLayers: number, numDecoderLayers: number,
    dimFeedforward: number, dropout: number, activation: "relu" | "gelu", customEncoder: Module | null, customDecoder: Module | null,
    layerNormEps: number, batchFirst: boolean, normFirst: boolean], TransformerOptions>);
  constructor(...args: unknown[]) {
    super();
    const opts = positionalOptions<TransformerOptions>("Transformer", args, { keys: ["dModel", "nhead", "numEncoderLayers", "numDecoderLayers",
      "dimFeedforward", "dropout", "activation", "customEncoder", "customDecoder", "layerNormEps", "batchFirst", "normFirst"] });
    const { dModel = 512, nhead = 8, numEncoderLayers = 6, numDecoderLayers = 6, customEncoder = null, customDecoder = null, ...layerOpts } = opts;
    const eps = layerOpts.layerNormEps ?? 1e-5;
    this.encoder = customEncoder
      ?? new TransformerEncoder(new TransformerEncoderLayer(dModel, nhead, layerOpts), numEncoderLayers, new LayerNorm(dModel, { eps, dtype: layerOpts.dtype }));
    this.decoder = customDecoder
      ?? new TransformerDecoder(new TransformerDecoderLayer(dModel, nhead, layerOpts), numDecoderLayers, new LayerNorm(dModel, { eps, dtype: layerOpts.dtype }));
    noGrad(() => {
      for (const p of this.parameters()) if (p.dim() > 1) xavierUniform_(p);
    });
    this.dModel = dModel;
    this.nhead = nhead;
    this.batchFirst = layerOpts.batchFirst ?? false;
  }

  override forward(src: Tensor, tgt: Tensor, opts: TransformerCallOptions = {}): Tensor {
    checkCallOptions("Transformer.forward", opts ?? {}, ["srcMask", "srcKeyPaddingMask", ...DECODER_CALL_KEYS]);
    const { srcMask = null, srcKeyPaddingMask = null, ...decoderOpts } = opts ?? {};
    const batched = src.dim() === 3;
    const b = this.batchFirst ? 0 : 1;
    if (batched && (tgt.dim() !== 3 || src.shape[b] !== tgt.shape[b]))
      throw new TensileError(`Transformer: the batch number of src and tgt must be equal, got src ${fmtShape(src.shape)} and tgt ${fmtShape(tgt.shape)} (batchFirst ${this.batchFirst})`);
    if (src.shape[src.dim() - 1] !== this.dModel || tgt.shape[tgt.dim() - 1] !== this.dModel)
      throw new TensileError(`Transformer: the feature number of src and tgt must be equal to d_model (${this.dModel}), got src ${fmtShape(src.shape)} and tgt ${fmtShape(tgt.shape)}`);
    const memory = (this.encoder.forward as (s: Tensor, o: EncoderCallOptions) => Tensor)(src, { srcMask, srcKeyPaddingMask });
    return (this.decoder.forward as (t: Tensor, m: Tensor, o: DecoderCallOptions) => Tensor)(tgt, memory, decoderOpts);
  }

  /** A [sz, sz] float mask with −∞ above the diagonal and 0 elsewhere: position i sees positions ≤ i. */
  static generateSquareSubsequentMask(sz: number): Tensor {
    if (!Number.isInteger(sz) || sz < 0) throw new TensileError(`generateSquareSubsequentMask: sz must be a non-negative integer, got ${fmtValue(sz)}`);
    return triu(full([sz, sz], -Infinity), 1);
  }
}
