/**
 * `F.multiHeadAttentionForward`, PyTorch's `F.multi_head_attention_forward`: the functional form of
 * `nn.MultiheadAttention`, with torch's argument list (after query, key and value) as one options
 * object. Written over the same core ops as the layer (autograd supplies the backward); the layer
 * keeps its own forward, and test/api-gaps.test.ts checks the two agree.
 *
 * For each head h: softmax(q_h·k_hᵀ/√d + mask)·v_h, heads concatenated and projected by
 * `outProjWeight`. Sequence-first layout: query [L, N, E], key/value [S, N, E·] (or unbatched [L, E]).
 * ```ts
 * const [out, w] = F.multiHeadAttentionForward(x, x, x, {
 *   embedDimToCheck: 8, numHeads: 2, inProjWeight: mha.in_proj_weight, inProjBias: mha.in_proj_bias,
 *   outProjWeight: mha.out_proj.weight, outProjBias: mha.out_proj.bias, training: false,
 * });
 * ```
 */
import { Tensor, cat, pad, softmax, where, zeros } from "../../core.js";
import { TensileError, fmtShape, fmtValue } from "../../errors.js";
import { dropout } from "./dropout.js";
import { linear } from "./linear.js";

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

const OP = "multiHeadAttentionForward";

function need(t: unknown, what: string): Tensor {
  if (!(t instanceof Tensor)) throw new TensileError(`${OP}: ${what} must be a Tensor, got ${fmtValue(t)}`);
  return t;
}

/** A mask as an additive term: bool true → −∞, floats as they are. */
function additive(m: Tensor, what: string): Tensor {
  need(m, what);
  if (m.dtype === "bool") return where(m, -Infinity, 0);
  if (m.dtype === "int32") throw new TensileError(`${OP}: only bool and floating types of ${what} are supported, got int32`);
  return m;
}

/** One zero column appended to the last dim (PyTorch's `pad(mask, (0, 1))`). */
const padLast = (m: Tensor): Tensor => pad(m, [0, 1]);

/**
 * Multi-head attention of query [L, N, E] over key [S, N, kdim] and value [S, N, vdim] (kdim = vdim
 * = E unless `useSeparateProjWeight`) → [output [L, N, E], weights [N, L, S] (averaged over heads)
 * or [N, heads, L, S], or null without `needWeights`]. Unbatched [L, E] inputs give [L, E] and
 * [L, S] (or [heads, L, S]).
 */
export function multiHeadAttentionForward(
  query: Tensor, key: Tensor, value: Tensor, opts: MultiHeadAttentionForwardOptions,
): [Tensor, Tensor | null] {
  need(query, "query");
  need(key, "key");
  need(value, "value");
  if (typeof opts !== "object" || opts === null) throw new TensileError(`${OP}: options must be an object, got ${fmtValue(opts)}`);
  const {
    embedDimToCheck, numHeads: H, inProjWeight = null, inProjBias = null, biasK = null, biasV = null, addZeroAttn = false,
    outProjWeight, outProjBias = null, training = true, needWeights = true, useSeparateProjWeight = false,
    qProjWeight = null, kProjWeight = null, vProjWeight = null, staticK = null, staticV = null, averageAttnWeights = true,
  } = opts;
  let { dropoutP = 0, keyPaddingMask = null, attnMask = null } = opts;
  const batched = query.ndim === 3;
  if (!batched && query.ndim !== 2) throw new TensileError(`${OP}: query should be unbatched 2D or batched 3D tensor but received ${query.ndim}-D query tensor`);
  if (key.ndim !== query.ndim || value.ndim !== query.ndim)
    throw new TensileError(`${OP}: for ${batched ? "batched (3-D)" : "unbatched (2-D)"} query, expected key and value to be ${query.ndim}-D but found ${key.ndim}-D and ${value.ndim}-D tensors respectively`);
  let q0 = query, k0 = key, v0 = value;
  if (!batched) {
    q0 = query.unsqueeze(1);
    k0 = key.unsqueeze(1);
    v0 = value.unsqueeze(1);
    if (keyPaddingMask) keyPaddingMask = need(keyPaddingMask, "keyPaddingMask").unsqueeze(0);
  }
  const [L, N, E] = q0.shape as [number, number, number];
  if (E !== embedDimToCheck) throw new TensileError(`${OP}: was expecting embedding dimension of ${fmtValue(embedDimToCheck)}, but got ${E}`);
  if (!Number.isInteger(H) || H <= 0 || E % H !== 0) throw new TensileError(`${OP}: embed_dim ${E} not divisible by num_heads ${fmtValue(H)}`);
  const D = E / H;
  if (useSeparateProjWeight ? k0.shape[0] !== v0.shape[0] || k0.shape[1] !== v0.shape[1] : k0.shape.some((d, i) => d !== v0.shape[i]))
    throw new TensileError(`${OP}: key ${fmtShape(key.shape)} does not match value ${fmtShape(value.shape)}`);
  if (k0.shape[1] !== N) throw new TensileError(`${OP}: key ${fmtShape(key.shape)} and query ${fmtShape(query.shape)} have different batch sizes`);
  need(outProjWeight, "outProjWeight");

  // in-projection
  const b3 = inProjBias ? need(inProjBias, "inProjBias") : null;
  const bias = (i: number) => (b3 ? b3.narrow(0, i * E, E) : null);
  let q: Tensor, k: Tensor, v: Tensor;
  if (!useSeparateProjWeight) {
    const w = need(inProjWeight, "inProjWeight (useSeparateProjWeight is false)");
    if (w.ndim !== 2 || w.shape[0] !== 3 * E || w.shape[1] !== E)
      throw new TensileError(`${OP}: expected inProjWeight of shape ${fmtShape([3 * E, E])}, got ${fmtShape(w.shape)}`);
    q = linear(q0, w.narrow(0, 0, E), bias(0));
    k = linear(k0, w.narrow(0, E, E), bias(1));
    v = linear(v0, w.narrow(0, 2 * E, E), bias(2));
  } else {
    q = linear(q0, need(qProjWeight, "qProjWeight (useSeparateProjWeight is true)"), bias(0));
    k = linear(k0, need(kProjWeight, "kProjWeight (useSeparateProjWeight is true)"), bias(1));
    v = linear(v0, need(vProjWeight, "vProjWeight (useSeparateProjWeight is true)"), bias(2));
  }

  let mask: Tensor | null = null; // additive, [1 or N·H, L, S']
  if (attnMask) {
    const m = additive(attnMask, "attnMask");
    if (m.ndim === 2) {
      if (m.shape[0] !== L || m.shape[1] !== k0.shape[0])
        throw new TensileError(`${OP}: the shape of the 2D attn_mask is ${fmtShape(m.shape)}, but should be ${fmtShape([L, k0.shape[0]!])}`);
      mask = m.unsqueeze(0);
    } else if (m.ndim === 3) {
      if (m.shape[0] !== N * H || m.shape[1] !== L || m.shape[2] !== k0.shape[0])
        throw new TensileError(`${OP}: the shape of the 3D attn_mask is ${fmtShape(m.shape)}, but should be ${fmtShape([N * H, L, k0.shape[0]!])}`);
      mask = m;
    } else throw new TensileError(`${OP}: attn_mask's dimension ${m.ndim} is not supported`);
  }
  let kpm = keyPaddingMask ? additive(keyPaddingMask, "keyPaddingMask") : null;

  if (biasK || biasV) {
    if (!biasK || !biasV) throw new TensileError(`${OP}: biasK and biasV must be given together`);
    if (staticK || staticV) throw new TensileError(`${OP}: bias cannot be added to static key or value`);
    k = cat([k, need(biasK, "biasK").reshape([1, 1, E]).expand([1, N, E])]);
    v = cat([v, need(biasV, "biasV").reshape([1, 1, E]).expand([1, N, E])]);
    if (mask) mask = padLast(mask);
    if (kpm) kpm = padLast(kpm);
  }
  const heads = (x: Tensor) => x.reshape([x.shape[0]!, N * H, D]).transpose(0, 1); // [seq, N, E] → [N·H, seq, D]
  const staticOk = (t: Tensor, what: string) => {
    need(t, what);
    if (t.ndim !== 3 || t.shape[0] !== N * H || t.shape[2] !== D)
      throw new TensileError(`${OP}: expecting ${what} of shape [${N * H}, S, ${D}], but got ${fmtShape(t.shape)}`);
    return t;
  };
  const qh = heads(q);
  let kh = staticK ? staticOk(staticK, "staticK") : heads(k);
  let vh = staticV ? staticOk(staticV, "staticV") : heads(v);
  if (addZeroAttn) {
    kh = cat([kh, zeros([N * H, 1, D], { dtype: kh.dtype })], 1);
    vh = cat([vh, zeros([N * H, 1, D], { dtype: vh.dtype })], 1);
    if (mask) mask = padLast(mask);
    if (kpm) kpm = padLast(kpm);
  }
  const S = kh.shape[1]!;
  if (mask && mask.shape[2] !== S) throw new TensileError(`${OP}: attn_mask covers ${mask.shape[2]} keys, but there are ${S}`);
  if (kpm) {
    if (kpm.ndim !== 2 || kpm.shape[0] !== N || kpm.shape[1] !== S)
      throw new TensileError(`${OP}: expecting key_padding_mask shape of ${fmtShape([N, S])}, but got ${fmtShape(kpm.shape)}`);
    const k3 = kpm.reshape([N, 1, 1, S]).expand([N, H, 1, S]).reshape([N * H, 1, S]);
    mask = mask ? mask.add(k3) : k3;
  }
  if (!training) dropoutP = 0;

  let scores = qh.mul(1 / Math.sqrt(D)).matmul(kh.transpose(1, 2)); // [N·H, L, S]
  if (mask) scores = scores.add(mask);
  let attn = softmax(scores, -1);
  if (dropoutP > 0) attn = dropout(attn, dropoutP, true);
  const ctx = attn.matmul(vh).transpose(0, 1).reshape([L, N, E]);
  let out = linear(ctx, outProjWeight, outProjBias);
  if (!batched) out = out.squeeze(1);
  if (!needWeights) return [out, null];
  let weights = attn.reshape([N, H, L, S]);
  if (averageAttnWeights) weights = weights.mean(1);
  if (!batched) weights = weights.squeeze(0);
  return [out, weights];
}
