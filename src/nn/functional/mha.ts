/**
 * `F.multiHeadAttentionForward`, PyTorch's `F.multi_head_attention_forward`: the functional form of
 * `nn.MultiheadAttention`, with torch's argument list (after query, key and value) as one options
 * object. Written over core ops (autograd supplies the backward) in `mha-core.ts`, whose
 * `mhaForward` `nn.MultiheadAttention.forward` calls too (with its own name in the errors), as
 * torch's layer calls this function.
 *
 * For each head h: softmax(q_h·k_hᵀ/√d + mask)·v_h, heads concatenated and projected by
 * `outProjWeight`. Sequence-first layout: query [L, N, E], key [S, N, kdim], value [S, N, vdim] (or
 * unbatched [L, E], [S, kdim], [S, vdim]). `biasK`/`biasV` append one learnt key/value step and
 * `addZeroAttn` one zero step (after the projection); the masks get a zero (attend) column for each.
 *
 * Masks: a bool mask marks with true what may not be attended (−∞ added to the score); a float mask
 * is added to the scores. Both masks given are added together — what torch ≥ 2.0 does, and what
 * torch 1.13 does for every pair but a float key_padding_mask next to an attn_mask, which 1.13
 * reads as bool (beside a bool attn_mask) or drops (beside a float one): see docs/nn.md.
 * ```ts
 * const [out, w] = F.multiHeadAttentionForward(x, x, x, {
 *   embedDimToCheck: 8, numHeads: 2, inProjWeight: mha.in_proj_weight, inProjBias: mha.in_proj_bias,
 *   outProjWeight: mha.out_proj.weight, outProjBias: mha.out_proj.bias, training: false,
 * });
 * ```
 */
import type { Tensor } from "../../core.js";
import { mhaForward } from "./mha-core.js";

export interface MultiHeadAttentionForwardOptions {
  /** The embedding size E the query must have (PyTorch's `embed_dim_to_check`). */
  embedDimToCheck: number;
  numHeads: number;
  /** [3E, E]: the packed q, k, v projections (unless `useSeparateProjWeight`). */
  inProjWeight?: Tensor | null;
  /** [3E]: the packed projection biases (also used, chunked, with separate weights). */
  inProjBias?: Tensor | null;
  /** [1, 1, E]: a learnt key (and value, `biasV`) appended to the sequence. */
  biasK?: Tensor | null;
  biasV?: Tensor | null;
  /** Append a zero key and value after the projection (default false). */
  addZeroAttn?: boolean;
  /** Dropout on the attention weights when `training` (default 0). */
  dropoutP?: number;
  /** [E, E] and [E]: the output projection. */
  outProjWeight: Tensor;
  outProjBias?: Tensor | null;
  /** Apply dropout (default true, as PyTorch's). */
  training?: boolean;
  /** [N, S] (or [S] unbatched): bool true masks a key out; a float mask is added to the scores. */
  keyPaddingMask?: Tensor | null;
  /** Return the attention weights (default true). */
  needWeights?: boolean;
  /** [L, S] or [N·heads, L, S]: bool true masks out; a float mask is added to the scores. */
  attnMask?: Tensor | null;
  /** Project with `qProjWeight` [E, E], `kProjWeight` [E, kdim], `vProjWeight` [E, vdim] (default false). */
  useSeparateProjWeight?: boolean;
  qProjWeight?: Tensor | null;
  kProjWeight?: Tensor | null;
  vProjWeight?: Tensor | null;
  /** [N·heads, S, E/heads]: keys and values used as they are instead of projecting key and value. */
  staticK?: Tensor | null;
  staticV?: Tensor | null;
  /** Average the returned weights over the heads (default true); false gives [N, heads, L, S]. */
  averageAttnWeights?: boolean;
}

/**
 * Multi-head attention of query [L, N, E] over key [S, N, kdim] and value [S, N, vdim] (kdim = vdim
 * = E unless `useSeparateProjWeight`) → [output [L, N, E], weights [N, L, S] (averaged over heads)
 * or [N, heads, L, S], or null without `needWeights`]. Unbatched [L, E] inputs give [L, E] and
 * [L, S] (or [heads, L, S]). S counts the `biasK` and `addZeroAttn` steps.
 */
export function multiHeadAttentionForward(
  query: Tensor, key: Tensor, value: Tensor, opts: MultiHeadAttentionForwardOptions,
): [Tensor, Tensor | null] {
  return mhaForward("multiHeadAttentionForward", query, key, value, opts);
}
