/**
 * Multi-head attention, as PyTorch's `nn.MultiheadAttention`, under PyTorch's parameter names and
 * initialisation, so state dicts load either way: with kdim = vdim = embedDim, `in_proj_weight`
 * [3E, E]; otherwise `q_proj_weight` [E, E], `k_proj_weight` [E, kdim], `v_proj_weight` [E, vdim]
 * (and `in_proj_weight` null); `in_proj_bias` [3E], `bias_k`, `bias_v` [1, 1, E] (`addBiasKv`) and
 * `out_proj` (a Linear E → E). The projections are Xavier-uniform, the biases zero, `bias_k` and
 * `bias_v` Xavier-normal.
 *
 * For each head h: softmax(q_h·k_hᵀ/√d + mask)·v_h, the heads concatenated and projected; the
 * maths is `F.multiHeadAttentionForward`'s (src/nn/functional/mha.ts), which this layer calls as
 * torch's does.
 * ```ts
 * const mha = new nn.MultiheadAttention(64, 8, { batchFirst: true });
 * const [out, weights] = mha.forward(x, x, x, { keyPaddingMask }); // self-attention
 * const cross = new nn.MultiheadAttention(64, 8, { kdim: 32, vdim: 48, addBiasKv: true });
 * ```
 */
import { Parameter, Tensor, empty } from "../../core.js";
import type { DType } from "../../core.js";
import { TensileError, fmtValue } from "../../errors.js";
import { mhaForward } from "../functional/mha-core.js";
import { constant_, xavierNormal_, xavierUniform_ } from "../init.js";
import { Linear } from "./linear.js";
import { Module } from "../module.js";
import { type PositionalArgs, positionalOptions } from "../../utils/positional.js";

/** The class of `MultiheadAttention.out_proj` in PyTorch: a Linear under another name (its repr shows it). */
export class NonDynamicallyQuantizableLinear extends Linear {}

export interface MultiheadAttentionOptions {
  /** Dropout on the attention weights, in training mode (default 0). */
  dropout?: number;
  /** Learn biases for the projections (default true). */
  bias?: boolean;
  /** Learn a key and a value step (`bias_k`, `bias_v` [1, 1, E]) appended to every key and value sequence (default false). */
  addBiasKv?: boolean;
  /** Append a zero key and value step after the projections (default false). */
  addZeroAttn?: boolean;
  /** Features of the key (default, or null: embedDim); other than embedDim gives separate projection weights. */
  kdim?: number | null;
  /** Features of the value (default, or null: embedDim). */
  vdim?: number | null;
  /** Inputs and output as [batch, seq, feature] instead of [seq, batch, feature] (default false). */
  batchFirst?: boolean;
  dtype?: DType;
}

/** The constructor's options (the same as `MultiheadAttentionOptions`; kept as a name). */
export type MultiheadAttentionLayerOptions = MultiheadAttentionOptions;

export interface AttentionCallOptions {
  /** [N, S] (or [S] unbatched): bool true marks a key position to ignore; a float mask is added to the scores. */
  keyPaddingMask?: Tensor | null;
  /** Return the attention weights (default true). */
  needWeights?: boolean;
  /** [L, S] or [N·heads, L, S]: bool true = not allowed to attend; a float mask is added to the scores. */
  attnMask?: Tensor | null;
  /** Average the returned weights over the heads (default true); false returns [N, heads, L, S]. */
  averageAttnWeights?: boolean;
}

const OPTION_KEYS = ["dropout", "bias", "addBiasKv", "addZeroAttn", "kdim", "vdim", "batchFirst"];

export class MultiheadAttention extends Module {
  readonly embedDim: number;
  /** Features of the key and the value (embedDim unless given). */
  readonly kdim: number;
  readonly vdim: number;
  /** kdim = vdim = embedDim: one packed `in_proj_weight` (PyTorch's `_qkv_same_embed_dim`). */
  readonly qkvSameEmbedDim: boolean;
  readonly numHeads: number;
  readonly headDim: number;
  readonly dropout: number;
  readonly batchFirst: boolean;
  readonly addZeroAttn: boolean;
  // declared in PyTorch's registration order, so parameters() and stateDict() list them alike
  /** [3E, E] when kdim = vdim = embedDim, else null. */
  in_proj_weight: Parameter | null;
  /** [E, E], [E, kdim], [E, vdim] when kdim or vdim differ from embedDim, else null. */
  q_proj_weight: Parameter | null;
  k_proj_weight: Parameter | null;
  v_proj_weight: Parameter | null;
  in_proj_bias: Parameter | null;
  out_proj: NonDynamicallyQuantizableLinear;
  /** [1, 1, E] with `addBiasKv`, else null. */
  bias_k: Parameter | null;
  bias_v: Parameter | null;

  constructor(embedDim: number, numHeads: number, opts?: MultiheadAttentionOptions);
  /** PyTorch's positional order (dropout, bias, addBiasKv, addZeroAttn, kdim, vdim, batchFirst), then an optional options object. */
  constructor(embedDim: number, numHeads: number, ...args: PositionalArgs<[dropout: number, bias: boolean, addBiasKv: boolean,
    addZeroAttn: boolean, kdim: number | null, vdim: number | null, batchFirst: boolean], MultiheadAttentionOptions>);
  constructor(embedDim: number, numHeads: number, ...args: unknown[]) {
    super();
    const op = "MultiheadAttention";
    const opts = positionalOptions<MultiheadAttentionOptions>(op, args, { keys: OPTION_KEYS, after: "numHeads" });
    for (const k of Object.keys(opts))
      if (k !== "dtype" && !OPTION_KEYS.includes(k)) throw new TensileError(`${op}: unknown option "${k}" (expected one of: ${OPTION_KEYS.join(", ")}, dtype)`);
    if (!Number.isInteger(embedDim) || embedDim <= 0) throw new TensileError(`${op}: embed_dim must be a positive integer, got ${fmtValue(embedDim)}`);
    if (!Number.isInteger(numHeads) || numHeads <= 0 || embedDim % numHeads !== 0)
      throw new TensileError(`${op}: embed_dim must be divisible by num_heads (embed_dim ${embedDim}, num_heads ${fmtValue(numHeads)})`);
    for (const k of ["kdim", "vdim"] as const) {
      const d = opts[k];
      if (d != null && (!Number.isInteger(d) || d <= 0)) throw new TensileError(`${op}: ${k} must be a positive integer or null, got ${fmtValue(d)}`);
    }
    for (const k of ["bias", "addBiasKv", "addZeroAttn", "batchFirst"] as const)
      if (opts[k] !== undefined && typeof opts[k] !== "boolean") throw new TensileError(`${op}: ${k} must be a boolean, got ${fmtValue(opts[k])}`);
    const p = opts.dropout ?? 0;
    if (typeof p !== "number" || !(p >= 0 && p <= 1)) throw new TensileError(`${op}: dropout probability has to be between 0 and 1, but got ${fmtValue(p)}`);
    const E = embedDim, dtype = opts.dtype;
    this.embedDim = E;
    this.kdim = opts.kdim ?? E;
    this.vdim = opts.vdim ?? E;
    this.qkvSameEmbedDim = this.kdim === E && this.vdim === E;
    this.numHeads = numHeads;
    this.headDim = E / numHeads;
    this.dropout = p;
    this.batchFirst = opts.batchFirst ?? false;
    this.addZeroAttn = opts.addZeroAttn ?? false;
    const bias = opts.bias ?? true;
    const param = (shape: number[]) => new Parameter(empty(shape, { dtype }));
    this.in_proj_weight = this.qkvSameEmbedDim ? param([3 * E, E]) : null;
    this.q_proj_weight = this.qkvSameEmbedDim ? null : param([E, E]);
    this.k_proj_weight = this.qkvSameEmbedDim ? null : param([E, this.kdim]);
    this.v_proj_weight = this.qkvSameEmbedDim ? null : param([E, this.vdim]);
    this.in_proj_bias = bias ? param([3 * E]) : null;
    this.out_proj = new NonDynamicallyQuantizableLinear(E, E, { bias, dtype });
    this.bias_k = opts.addBiasKv ? param([1, 1, E]) : null;
    this.bias_v = opts.addBiasKv ? param([1, 1, E]) : null;
    this.resetParameters();
  }

  /** PyTorch's `_reset_parameters`: Xavier-uniform projections, zero biases, Xavier-normal `bias_k`/`bias_v` (out_proj.weight keeps Linear's init). */
  resetParameters(): void {
    for (const w of [this.in_proj_weight, this.q_proj_weight, this.k_proj_weight, this.v_proj_weight]) if (w) xavierUniform_(w);
    if (this.in_proj_bias) {
      constant_(this.in_proj_bias, 0);
      if (this.out_proj.bias) constant_(this.out_proj.bias, 0);
    }
    if (this.bias_k) xavierNormal_(this.bias_k);
    if (this.bias_v) xavierNormal_(this.bias_v);
  }

  /**
   * query [L, N, E], key [S, N, kdim] and value [S, N, vdim] ([N, ·, ·] batch-first; or unbatched
   * [L, E], [S, kdim], [S, vdim]) → [output [L, N, E], weights [N, L, S'] averaged over heads (or
   * [N, heads, L, S']), or null], S' = S plus one for `addBiasKv` and one for `addZeroAttn`.
   */
  override forward(query: Tensor, key: Tensor, value: Tensor, opts: AttentionCallOptions = {}): [Tensor, Tensor | null] {
    const op = "MultiheadAttention";
    for (const [t, what] of [[query, "query"], [key, "key"], [value, "value"]] as const)
      if (!(t instanceof Tensor)) throw new TensileError(`${op}: ${what} must be a Tensor, got ${fmtValue(t)}`);
    const { keyPaddingMask = null, needWeights = true, attnMask = null, averageAttnWeights = true } = opts ?? {};
    const swap = this.batchFirst && query.ndim === 3;
    const seqFirst = (t: Tensor) => (swap && t.ndim === 3 ? t.transpose(0, 1) : t);
    const [out, weights] = mhaForward(op, seqFirst(query), seqFirst(key), seqFirst(value), {
      embedDimToCheck: this.embedDim, numHeads: this.numHeads, inProjWeight: this.in_proj_weight, inProjBias: this.in_proj_bias,
      biasK: this.bias_k, biasV: this.bias_v, addZeroAttn: this.addZeroAttn, dropoutP: this.dropout,
      outProjWeight: this.out_proj.weight, outProjBias: this.out_proj.bias, training: this.training,
      keyPaddingMask, needWeights, attnMask, averageAttnWeights, useSeparateProjWeight: !this.qkvSameEmbedDim,
      qProjWeight: this.q_proj_weight, kProjWeight: this.k_proj_weight, vProjWeight: this.v_proj_weight,
    });
    return [swap ? out.transpose(0, 1) : out, weights];
  }
}
