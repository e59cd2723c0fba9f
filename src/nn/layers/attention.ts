/**
 * Multi-head attention, as PyTorch's `nn.MultiheadAttention`: the parameters `in_proj_weight`
 * [3E, E], `in_proj_bias` [3E] and `out_proj` (a Linear E → E) under PyTorch's names and
 * initialisation (Xavier-uniform projections, zero biases), so state dicts load either way.
 *
 * For each head h: softmax(q_h·k_hᵀ/√d + mask)·v_h, the heads concatenated and projected.
 * ```ts
 * const mha = new nn.MultiheadAttention(64, 8, { batchFirst: true });
 * const [out, weights] = mha.forward(x, x, x, { keyPaddingMask }); // self-attention
 * ```
 */
import { Parameter, Tensor, empty, softmax, where } from "../../core.js";
import type { DType } from "../../core.js";
import { TensileError, fmtShape, fmtValue } from "../../errors.js";
import { dropout } from "../functional/dropout.js";
import { linear } from "../functional/linear.js";
import { constant_, xavierUniform_ } from "../init.js";
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
  /** Inputs and output as [batch, seq, feature] instead of [seq, batch, feature] (default false). */
  batchFirst?: boolean;
  dtype?: DType;
}

/** The constructor's options: `MultiheadAttentionOptions` plus PyTorch's parameters Tensile refuses unless at their defaults. */
export type MultiheadAttentionLayerOptions = MultiheadAttentionOptions & { kdim?: number | null; vdim?: number | null; addBiasKv?: boolean; addZeroAttn?: boolean };

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

/** A mask as the additive term PyTorch makes of it: bool true → −∞, floats as they are. */
function additive(op: string, m: Tensor, what: string): Tensor {
  if (!(m instanceof Tensor)) throw new TensileError(`${op}: ${what} must be a Tensor, got ${fmtValue(m)}`);
  if (m.dtype === "bool") return where(m, -Infinity, 0);
  if (m.dtype === "int32") throw new TensileError(`${op}: only bool and floating types of ${what} are supported, got int32`);
  return m;
}

export class MultiheadAttention extends Module {
  readonly embedDim: number;
  readonly numHeads: number;
  readonly headDim: number;
  readonly dropout: number;
  readonly batchFirst: boolean;
  in_proj_weight: Parameter;
  in_proj_bias: Parameter | null;
  out_proj: NonDynamicallyQuantizableLinear;

  constructor(embedDim: number, numHeads: number, opts?: MultiheadAttentionLayerOptions);
  /** PyTorch's positional order (dropout, bias, addBiasKv, addZeroAttn, kdim, vdim, batchFirst), then an optional options object. */
  constructor(embedDim: number, numHeads: number, ...args: PositionalArgs<[dropout: number, bias: boolean, addBiasKv: boolean,
    addZeroAttn: boolean, kdim: number | null, vdim: number | null, batchFirst: boolean], MultiheadAttentionLayerOptions>);
  constructor(embedDim: number, numHeads: number, ...args: unknown[]) {
    super();
    const op = "MultiheadAttention";
    const keys = ["dropout", "bias", "addBiasKv", "addZeroAttn", "kdim", "vdim", "batchFirst"];
    const opts = positionalOptions<MultiheadAttentionLayerOptions>(op, args, { keys, after: "numHeads" });
    for (const k of Object.keys(opts))
      if (k !== "dtype" && !keys.includes(k)) throw new TensileError(`${op}: unknown option "${k}" (expected one of: ${keys.join(", ")}, dtype)`);
    if (!Number.isInteger(embedDim) || embedDim <= 0) throw new TensileError(`${op}: embed_dim must be a positive integer, got ${fmtValue(embedDim)}`);
    if (!Number.isInteger(numHeads) || numHeads <= 0 || embedDim % numHeads !== 0)
      throw new TensileError(`${op}: embed_dim must be divisible by num_heads (embed_dim ${embedDim}, num_heads ${fmtValue(numHeads)})`);
    if ((opts.kdim != null && opts.kdim !== embedDim) || (opts.vdim != null && opts.vdim !== embedDim))
      throw new TensileError(`${op}: kdim and vdim other than embed_dim are not supported`);
    if (opts.addBiasKv || opts.addZeroAttn) throw new TensileError(`${op}: addBiasKv and addZeroAttn are not supported`);
    const p = opts.dropout ?? 0;
    if (!(p >= 0 && p <= 1)) throw new TensileError(`${op}: dropout probability has to be between 0 and 1, but got ${fmtValue(p)}`);
    this.embedDim = embedDim;
    this.numHeads = numHeads;
    this.headDim = embedDim / numHeads;
    this.dropout = p;
    this.batchFirst = opts.batchFirst ?? false;
    const bias = opts.bias ?? true;
    this.in_proj_weight = new Parameter(empty([3 * embedDim, embedDim], { dtype: opts.dtype }));
    this.in_proj_bias = bias ? new Parameter(empty([3 * embedDim], { dtype: opts.dtype })) : null;
    this.out_proj = new NonDynamicallyQuantizableLinear(embedDim, embedDim, { bias, dtype: opts.dtype });
    this.resetParameters();
  }

  resetParameters(): void {
    xavierUniform_(this.in_proj_weight);
    if (this.in_proj_bias) constant_(this.in_proj_bias, 0);
    if (this.out_proj.bias) constant_(this.out_proj.bias, 0);
  }

  /**
   * query [L, N, E], key and value [S, N, E] ([N, ·, E] batch-first; or unbatched [L, E], [S, E])
   * → [output [L, N, E], weights [N, L, S] averaged over heads (or [N, heads, L, S]), or null].
   */
  override forward(query: Tensor, key: Tensor, value: Tensor, opts: AttentionCallOptions = {}): [Tensor, Tensor | null] {
    const op = "MultiheadAttention";
    for (const [t, what] of [[query, "query"], [key, "key"], [value, "value"]] as const)
      if (!(t instanceof Tensor)) throw new TensileError(`${op}: ${what} must be a Tensor, got ${fmtValue(t)}`);
    const { keyPaddingMask = null, needWeights = true, attnMask = null, averageAttnWeights = true } = opts ?? {};
    const batched = query.ndim === 3;
    if (!batched && query.ndim !== 2) throw new TensileError(`${op}: query should be unbatched 2D or batched 3D, got ${fmtShape(query.shape)}`);
    if (key.ndim !== query.ndim || value.ndim !== query.ndim)
      throw new TensileError(`${op}: query ${fmtShape(query.shape)}, key ${fmtShape(key.shape)} and value ${fmtShape(value.shape)} must all be ${query.ndim}D`);
    // to [seq, batch, E]
    const seqFirst = (t: Tensor) => (!batched ? t.unsqueeze(1) : this.batchFirst ? t.transpose(0, 1) : t);
    const q0 = seqFirst(query), k0 = seqFirst(key), v0 = seqFirst(value);
    const [L, N, E] = q0.shape as [number, number, number];
    const S = k0.shape[0]!;
    if (E !== this.embedDim) throw new TensileError(`${op}: was expecting embedding dimension of ${this.embedDim}, but got ${E}`);
    if (k0.shape[1] !== N || v0.shape[1] !== N || k0.shape[2] !== E || v0.shape[2] !== E || v0.shape[0] !== S)
      throw new TensileError(`${op}: key ${fmtShape(key.shape)} and value ${fmtShape(value.shape)} do not match query ${fmtShape(query.shape)}`);
    const H = this.numHeads, D = this.headDim;
    const w = this.in_proj_weight, b = this.in_proj_bias;
    const proj = (x: Tensor, i: number) => linear(x, w.narrow(0, i * E, E), b ? b.narrow(0, i * E, E) : null);
    // [seq, N, E] → [N·H, seq, D]
    const heads = (x: Tensor, len: number) => x.reshape(len, N * H, D).transpose(0, 1);
    const q = heads(proj(q0, 0), L).mul(1 / Math.sqrt(D));
    const k = heads(proj(k0, 1), S), v = heads(proj(v0, 2), S);
    let scores = q.matmul(k.transpose(1, 2)); // [N·H, L, S]
    if (attnMask !== null && attnMask !== undefined) {
      const m = additive(op, attnMask, "attn_mask");
      const ok = (m.ndim === 2 && m.shape[0] === L && m.shape[1] === S) || (m.ndim === 3 && m.shape[0] === N * H && m.shape[1] === L && m.shape[2] === S);
      if (!ok) throw new TensileError(`${op}: attn_mask should be ${fmtShape([L, S])} or ${fmtShape([N * H, L, S])}, got ${fmtShape(attnMask.shape)}`);
      scores = scores.add(m);
    }
    if (keyPaddingMask !== null && keyPaddingMask !== undefined) {
      const m = additive(op, keyPaddingMask, "key_padding_mask");
      const want = batched ? [N, S] : [S];
      if (m.ndim !== want.length || m.shape.some((d, i) => d !== want[i]))
        throw new TensileError(`${op}: expecting key_padding_mask shape of ${fmtShape(want)}, but got ${fmtShape(keyPaddingMask.shape)}`);
      // [N, S] → [N, 1, 1, S] → every head and query position
      scores = scores.reshape(N, H, L, S).add(m.reshape(N, 1, 1, S)).reshape(N * H, L, S);
    }
    let attn = softmax(scores, -1);
    if (this.dropout > 0) attn = dropout(attn, this.dropout, this.training);
    const ctx = attn.matmul(v).transpose(0, 1).reshape(L, N, E); // [L, N, E]
    let out = this.out_proj.forward(ctx);
    out = !batched ? out.squeeze(1) : this.batchFirst ? out.transpose(0, 1) : out;
    if (!needWeights) return [out, null];
    let weights = attn.reshape(N, H, L, S);
    if (averageAttnWeights) weights = weights.mean(1);
    if (!batched) weights = weights.squeeze(0);
    return [out, weights];
  }
}
