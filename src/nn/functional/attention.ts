/**
 * `F.scaledDotProductAttention`, PyTorch 2.x's `F.scaled_dot_product_attention`, written as its
 * documented reference formula over core ops (autograd supplies the backward):
 *
 *   softmax(q·kᵀ·scale + bias)·v,  scale = 1/√E by default,
 *
 * where `bias` is −∞ where a bool mask is false (or above the diagonal with `isCausal`) and a
 * float mask itself. PyTorch picks a fused kernel when it can; the values are the same.
 */
import { type Tensor, ones, softmax, where, withBackend } from "../../core.js";
import type { Generator } from "../../core.js";
import { TensileError, fmtShape, fmtValue } from "../../errors.js";
import { isFloating } from "../../tensor/dtype.js";
import { broadcastShapes } from "../../tensor/shape.js";
import { assertTensor } from "../../ops/util.js";
import { dropout } from "./dropout.js";

export interface ScaledDotProductAttentionOptions {
  /** Broadcastable to [..., L, S]: bool true = may attend (false → −∞), or a float bias added to the scores. */
  attnMask?: Tensor | null;
  /** Dropout on the attention weights (default 0), applied whenever > 0, as PyTorch's. */
  dropoutP?: number;
  /** Mask out the keys after each query (the lower-triangular [L, S] mask, aligned top-left). */
  isCausal?: boolean;
  /** Multiplies q·kᵀ (default 1/√E). */
  scale?: number | null;
  /** Random source of the dropout. */
  generator?: Generator;
}

/**
 * Attention of queries [..., L, E] over keys [..., S, E] and values [..., S, Ev] → [..., L, Ev];
 * the leading (batch, head) dims broadcast. A row every key is masked out of gives NaN, as
 * PyTorch's math path gives.
 * ```ts
 * const out = F.scaledDotProductAttention(q, k, v, { isCausal: true }); // [N, heads, L, Ev]
 * ```
 */
export function scaledDotProductAttention(
  query: Tensor, key: Tensor, value: Tensor, opts: ScaledDotProductAttentionOptions | null = {},
): Tensor {
  const op = "scaledDotProductAttention";
  const { attnMask = null, dropoutP = 0, isCausal = false, scale = null, generator } = opts ?? {};
  assertTensor(op, query, "query");
  assertTensor(op, key, "key");
  assertTensor(op, value, "value");
  const shapes = `query ${fmtShape(query.shape)}, key ${fmtShape(key.shape)}, value ${fmtShape(value.shape)}`;
  if (query.ndim < 2 || key.ndim < 2 || value.ndim < 2)
    throw new TensileError(`${op}: query, key and value must have at least 2 dimensions, got ${shapes}`);
  if (!isFloating(query.dtype) || key.dtype !== query.dtype || value.dtype !== query.dtype)
    throw new TensileError(`${op}: expected query, key and value to have the same floating-point dtype, got query ${query.dtype}, key ${key.dtype}, value ${value.dtype}`);
  const L = query.shape[query.ndim - 2]!, E = query.shape[query.ndim - 1]!;
  const S = key.shape[key.ndim - 2]!;
  if (key.shape[key.ndim - 1] !== E)
    throw new TensileError(`${op}: query and key must have the same embedding size (last dim), got ${shapes}`);
  if (value.shape[value.ndim - 2] !== S)
    throw new TensileError(`${op}: key and value must have the same sequence length (dim -2), got ${shapes}`);
  const batch = broadcastShapes(op, broadcastShapes(op, query.shape.slice(0, -2), key.shape.slice(0, -2)), value.shape.slice(0, -2));
  if (typeof dropoutP !== "number" || !(dropoutP >= 0 && dropoutP <= 1))
    throw new TensileError(`${op}: dropout probability has to be between 0 and 1, but got ${fmtValue(dropoutP)}`);
  if (scale !== null && typeof scale !== "number") throw new TensileError(`${op}: scale must be a number, got ${fmtValue(scale)}`);
  if (isCausal && attnMask) throw new TensileError(`${op}: explicit attnMask should not be set when isCausal is true`);

  let scores = query.matmul(key.transpose(-2, -1)).mul(scale ?? 1 / Math.sqrt(E));
  if (isCausal) scores = where(withBackend(query.backend, () => ones([L, S], { dtype: "bool" }).tril()), scores, -Infinity);
  if (attnMask) {
    assertTensor(op, attnMask, "attnMask");
    if (attnMask.dtype !== "bool" && attnMask.dtype !== query.dtype)
      throw new TensileError(`${op}: expected attnMask to be bool or of query's dtype (${query.dtype}), got ${attnMask.dtype}`);
    const want = [...batch, L, S];
    try {
      broadcastShapes(op, attnMask.shape, want);
    } catch {
      throw new TensileError(`${op}: attnMask of shape ${fmtShape(attnMask.shape)} cannot be broadcast to the attention scores' shape ${fmtShape(want)}`);
    }
    scores = attnMask.dtype === "bool" ? where(attnMask, scores, -Infinity) : scores.add(attnMask);
  }
  let weights = softmax(scores, -1);
  if (dropoutP > 0) weights = dropout(weights, dropoutP, true, { generator });
  return weights.matmul(value);
}
