import { Parameter, Tensor, empty, noGrad } from "../../core.js";
import type { DType } from "../../core.js";
import { TensileError, fmtShape, fmtValue } from "../../errors.js";
import { embedding } from "../functional/linear.js";
import { type EmbeddingBagMode, embeddingBag } from "../functional/embedding-bag.js";
import { normal_ } from "../init.js";
import { Module } from "../module.js";
import { pyFloat } from "../repr.js";
import { type PositionalArgs, positionalOptions } from "../../utils/positional.js";

export interface EmbeddingOptions {
  /** This row gets no gradient and is initialised to zeros (a "padding" token). */
  paddingIdx?: number | null;
  /** Rows looked up with a larger `normType`-norm are renormalised to `maxNorm` (in place). */
  maxNorm?: number | null;
  normType?: number;
  /** PyTorch's sparse gradients: Tensile's gradient stays dense (zero on rows no lookup touched);
   * `optim.SparseAdam` updates only the rows where it is non-zero. */
  sparse?: boolean;
  dtype?: DType;
}

/**
 * A lookup table of `numEmbeddings` vectors of size `embeddingDim`, initialised N(0, 1) (the
 * `paddingIdx` row zero) as PyTorch's.
 *
 * Shapes: input int32 [*] → [*, embeddingDim].
 * ```ts
 * const emb = new nn.Embedding(10, 3, { paddingIdx: 0 });
 * emb.forward(tensor([[1, 2, 4, 5], [4, 3, 2, 9]], { dtype: "int32" })).shape; // [2, 4, 3]
 * ```
 */
export class Embedding extends Module {
  readonly numEmbeddings: number;
  readonly embeddingDim: number;
  readonly paddingIdx: number | null;
  readonly maxNorm: number | null;
  readonly normType: number;
  readonly sparse: boolean;
  weight: Parameter;

  constructor(numEmbeddings: number, embeddingDim: number, opts?: EmbeddingOptions);
  /** PyTorch's positional order (paddingIdx, maxNorm, normType, scaleGradByFreq, sparse), then an optional options object. */
  constructor(numEmbeddings: number, embeddingDim: number, ...args: PositionalArgs<[paddingIdx: number | null, maxNorm: number | null,
    normType: number, scaleGradByFreq: false, sparse: boolean], EmbeddingOptions>);
  constructor(numEmbeddings: number, embeddingDim: number, ...args: unknown[]) {
    super();
    const opts = embeddingArgs<EmbeddingOptions>("Embedding", args, ["paddingIdx", "maxNorm", "normType", "scaleGradByFreq", "sparse", "_weight"],
      ["paddingIdx", "maxNorm", "normType", "sparse", "dtype"]);
    let paddingIdx = opts.paddingIdx ?? null;
    for (const [k, v] of [["num_embeddings", numEmbeddings], ["embedding_dim", embeddingDim]] as const)
      if (!Number.isInteger(v) || v < 0) throw new TensileError(`Embedding: ${k} must be a non-negative integer, got ${v}`);
    if (paddingIdx !== null) {
      if (!Number.isInteger(paddingIdx) || paddingIdx >= numEmbeddings || paddingIdx < -numEmbeddings)
        throw new TensileError(`Embedding: padding_idx ${paddingIdx} must be within num_embeddings (${numEmbeddings})`);
      if (paddingIdx < 0) paddingIdx += numEmbeddings;
    }
    this.numEmbeddings = numEmbeddings;
    this.embeddingDim = embeddingDim;
    this.paddingIdx = paddingIdx;
    this.maxNorm = checkNorms("Embedding", opts.maxNorm ?? null, opts.normType ?? 2);
    this.normType = opts.normType ?? 2;
    this.sparse = opts.sparse ?? false;
    if (typeof this.sparse !== "boolean") throw new TensileError(`Embedding: sparse should be a boolean value, but got sparse=${fmtValue(this.sparse)}`);
    this.weight = new Parameter(empty([numEmbeddings, embeddingDim], { dtype: opts.dtype }));
    this.resetParameters();
  }

  /**
   * An Embedding holding `embeddings` [num, dim] (copied), frozen unless `freeze: false`.
   * ```ts
   * nn.Embedding.fromPretrained(tensor([[1, 2.3, 3], [4, 5.1, 6.3]]));
   * ```
   */
  static fromPretrained(embeddings: Tensor, options: EmbeddingOptions & { freeze?: boolean } = {}): Embedding {
    const { freeze = true, ...opts } = options ?? {};
    if (embeddings.ndim !== 2) throw new TensileError(`Embedding.fromPretrained: embeddings parameter is expected to be 2-dimensional, got shape ${fmtShape(embeddings.shape)}`);
    const [n, d] = embeddings.shape as [number, number];
    const emb = new Embedding(n, d, { ...opts, dtype: embeddings.dtype });
    noGrad(() => emb.weight.copy_(embeddings));
    emb.weight.requiresGrad = !freeze;
    return emb;
  }

  resetParameters(): void {
    normal_(this.weight);
    if (this.paddingIdx !== null) {
      const row = this.paddingIdx;
      noGrad(() => this.weight.narrow(0, row, 1).fill_(0));
    }
  }

  override forward(input: Tensor): Tensor {
    return embedding(input, this.weight, { paddingIdx: this.paddingIdx, maxNorm: this.maxNorm, normType: this.normType, sparse: this.sparse });
  }

  override extraRepr(): string {
    let s = `${this.numEmbeddings}, ${this.embeddingDim}`;
    if (this.paddingIdx !== null) s += `, padding_idx=${this.paddingIdx}`;
    if (this.maxNorm !== null) s += `, max_norm=${pyFloat(this.maxNorm)}`;
    if (this.normType !== 2) s += `, norm_type=${pyFloat(this.normType)}`;
    if (this.sparse) s += ", sparse=True";
    return s;
  }
}

/**
 * An embedding layer's arguments after embeddingDim: PyTorch's positional `keys`, then an optional
 * options object whose names are checked against `known`. PyTorch's `_weight` (an initial table)
 * must be null here (use `fromPretrained`); scaleGradByFreq and sparse, where not `known`, only false.
 */
function embeddingArgs<O extends object>(layer: string, args: readonly unknown[], keys: readonly string[], known: readonly string[]): O {
  const o = positionalOptions<Record<string, unknown>>(layer, args, { keys, after: "embeddingDim" });
  for (const k of Object.keys(o)) {
    if (k === "_weight") throw new TensileError(`${layer}: an initial _weight is not supported; use ${layer}.fromPretrained(weight, { freeze: false })`);
    if ((k === "scaleGradByFreq" || k === "sparse") && !known.includes(k)) {
      if (o[k] !== false) throw new TensileError(`${layer}: ${k}=${fmtValue(o[k])} is not supported (only false)`);
      delete o[k];
      continue;
    }
    if (!known.includes(k)) throw new TensileError(`${layer}: unknown option "${k}" (expected one of: ${known.join(", ")})`);
  }
  return o as O;
}

/** max_norm (a number or null) and norm_type (a number), checked when the layer is built; returns max_norm. */
function checkNorms(layer: string, maxNorm: unknown, normType: unknown): number | null {
  if (maxNorm !== null && typeof maxNorm !== "number") throw new TensileError(`${layer}: max_norm must be a number or null, but got max_norm=${fmtValue(maxNorm)}`);
  if (typeof normType !== "number" || Number.isNaN(normType)) throw new TensileError(`${layer}: norm_type must be a number, but got norm_type=${fmtValue(normType)}`);
  return maxNorm;
}

// ---- EmbeddingBag ----

export interface EmbeddingBagLayerOptions {
  /** Rows looked up with a larger `normType`-norm are renormalised to `maxNorm` (in place). */
  maxNorm?: number | null;
  normType?: number;
  /** Only false is supported. */
  scaleGradByFreq?: boolean;
  /** How each bag is reduced: "mean" (default), "sum" or "max". */
  mode?: EmbeddingBagMode;
  /** PyTorch's sparse gradients: accepted, the gradient stays dense (see `EmbeddingOptions.sparse`). */
  sparse?: boolean;
  /** `offsets` has one entry more than there are bags (CSR style). */
  includeLastOffset?: boolean;
  /** Entries equal to this index are left out of their bag; its row is initialised to zeros. */
  paddingIdx?: number | null;
  dtype?: DType;
}

/**
 * Sums, means or maxima of bags of embeddings (see `F.embeddingBag`), with a `weight`
 * [numEmbeddings, embeddingDim] initialised N(0, 1) (the `paddingIdx` row zero) as PyTorch's.
 *
 * Shapes: input int32 [B, L] or [n] with offsets [B] → [B, embeddingDim].
 * ```ts
 * const bag = new nn.EmbeddingBag(10, 3, { mode: "sum" });
 * bag.forward(tensor([1, 2, 4, 5, 4, 3, 2, 9]), tensor([0, 4])).shape; // [2, 3]
 * ```
 */
export class EmbeddingBag extends Module {
  readonly numEmbeddings: number;
  readonly embeddingDim: number;
  readonly maxNorm: number | null;
  readonly normType: number;
  readonly scaleGradByFreq: boolean;
  readonly mode: EmbeddingBagMode;
  readonly sparse: boolean;
  readonly includeLastOffset: boolean;
  readonly paddingIdx: number | null;
  weight: Parameter;

  constructor(numEmbeddings: number, embeddingDim: number, opts?: EmbeddingBagLayerOptions);
  /**
   * PyTorch's positional order (maxNorm, normType, scaleGradByFreq, mode, sparse, _weight (must be
   * null: use `fromPretrained`), includeLastOffset, paddingIdx), then an optional options object.
   */
  constructor(numEmbeddings: number, embeddingDim: number, ...args: PositionalArgs<[maxNorm: number | null, normType: number,
    scaleGradByFreq: boolean, mode: EmbeddingBagMode, sparse: boolean, _weight: null, includeLastOffset: boolean, paddingIdx: number | null],
    EmbeddingBagLayerOptions>);
  constructor(numEmbeddings: number, embeddingDim: number, ...args: unknown[]) {
    super();
    const opts = embeddingArgs<EmbeddingBagLayerOptions>("EmbeddingBag", args,
      ["maxNorm", "normType", "scaleGradByFreq", "mode", "sparse", "_weight", "includeLastOffset", "paddingIdx"],
      ["maxNorm", "normType", "scaleGradByFreq", "mode", "sparse", "includeLastOffset", "paddingIdx", "dtype"]);
    const maxNorm = opts.maxNorm ?? null;
    for (const [k, v] of [["num_embeddings", numEmbeddings], ["embedding_dim", embeddingDim]] as const)
      if (!Number.isInteger(v) || v < 0) throw new TensileError(`EmbeddingBag: ${k} must be a non-negative integer, got ${v}`);
    let paddingIdx = opts.paddingIdx ?? null;
    if (paddingIdx !== null) {
      if (!Number.isInteger(paddingIdx) || paddingIdx >= numEmbeddings || paddingIdx < -numEmbeddings)
        throw new TensileError(`EmbeddingBag: padding_idx ${paddingIdx} must be within num_embeddings (${numEmbeddings})`);
      if (paddingIdx < 0) paddingIdx += numEmbeddings;
    }
    const mode = opts.mode ?? "mean";
    if (mode !== "sum" && mode !== "mean" && mode !== "max") throw new TensileError(`EmbeddingBag: mode has to be one of sum, mean or max, got ${String(mode)}`);
    this.numEmbeddings = numEmbeddings;
    this.embeddingDim = embeddingDim;
    this.maxNorm = checkNorms("EmbeddingBag", maxNorm, opts.normType ?? 2);
    this.normType = opts.normType ?? 2;
    this.scaleGradByFreq = opts.scaleGradByFreq ?? false;
    this.mode = mode;
    this.sparse = opts.sparse ?? false;
    this.includeLastOffset = opts.includeLastOffset ?? false;
    if (typeof this.includeLastOffset !== "boolean")
      throw new TensileError(`EmbeddingBag: include_last_offset should be a boolean value, but got include_last_offset=${fmtValue(this.includeLastOffset)}`);
    this.paddingIdx = paddingIdx;
    this.weight = new Parameter(empty([numEmbeddings, embeddingDim], { dtype: opts.dtype }));
    this.resetParameters();
  }

  /**
   * An EmbeddingBag holding `embeddings` [num, dim] (copied), frozen unless `freeze: false`.
   * ```ts
   * nn.EmbeddingBag.fromPretrained(tensor([[1, 2.3, 3], [4, 5.1, 6.3]]), { mode: "sum" });
   * ```
   */
  static fromPretrained(embeddings: Tensor, options: EmbeddingBagLayerOptions & { freeze?: boolean } = {}): EmbeddingBag {
    const { freeze = true, ...opts } = options ?? {};
    if (!(embeddings instanceof Tensor) || embeddings.ndim !== 2)
      throw new TensileError(`EmbeddingBag.fromPretrained: embeddings parameter is expected to be 2-dimensional, got ${embeddings instanceof Tensor ? fmtShape(embeddings.shape) : typeof embeddings}`);
    const [n, d] = embeddings.shape as [number, number];
    const bag = new EmbeddingBag(n, d, { ...opts, dtype: embeddings.dtype });
    noGrad(() => bag.weight.copy_(embeddings));
    bag.weight.requiresGrad = !freeze;
    return bag;
  }

  resetParameters(): void {
    normal_(this.weight);
    if (this.paddingIdx !== null) {
      const row = this.paddingIdx;
      noGrad(() => this.weight.narrow(0, row, 1).fill_(0));
    }
  }

  override forward(input: Tensor, offsets: Tensor | null = null, perSampleWeights: Tensor | null = null): Tensor {
    return embeddingBag(input, this.weight, offsets, {
      maxNorm: this.maxNorm, normType: this.normType, scaleGradByFreq: this.scaleGradByFreq, mode: this.mode, sparse: this.sparse,
      perSampleWeights, includeLastOffset: this.includeLastOffset, paddingIdx: this.paddingIdx,
    });
  }

  override extraRepr(): string {
    let s = `${this.numEmbeddings}, ${this.embeddingDim}`;
    if (this.maxNorm !== null) s += `, max_norm=${pyFloat(this.maxNorm)}`;
    if (this.normType !== 2) s += `, norm_type=${pyFloat(this.normType)}`;
    if (this.scaleGradByFreq) s += ", scale_grad_by_freq=True";
    s += `, mode=${this.mode}`;
    if (this.paddingIdx !== null) s += `, padding_idx=${this.paddingIdx}`;
    return s;
  }
}
