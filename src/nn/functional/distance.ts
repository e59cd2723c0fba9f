/**
 * Normalisation and distances between vectors (embeddings, ranking, collaborative filtering):
 * `F.normalize`, `F.cosineSimilarity`, `F.pairwiseDistance`, written over core ops so autograd
 * supplies the backward. PyTorch's positional arguments, or one options object in their place.
 */
import { type Tensor, broadcastTo, norm } from "../../core.js";
import { TensileError, fmtShape } from "../../errors.js";
import { broadcastShapes, normalizeDim } from "../../tensor/shape.js";
import { assertTensor } from "../../ops/util.js";

export interface NormalizeOptions {
  p?: number;
  dim?: number;
  eps?: number;
}

/**
 * x / max(‖x‖_p, eps) along `dim` (default p = 2, dim = 1, eps = 1e-12): unit vectors, with
 * near-zero vectors scaled by 1/eps instead of divided by ~0.
 *
 * Shapes: any → same. `F.normalize(x, 2, 1)` or `F.normalize(x, { dim: 1 })`.
 */
export function normalize(input: Tensor, p: number | NormalizeOptions = 2, dim = 1, eps = 1e-12): Tensor {
  if (typeof p === "object" && p !== null) ({ p = 2, dim = 1, eps = 1e-12 } = p);
  assertTensor("normalize", input);
  const d = normalizeDim("normalize", dim, input.ndim);
  return input.div(norm(input, p, d, true).clamp(eps));
}

export interface CosineSimilarityOptions {
  dim?: number;
  eps?: number;
}

/**
 * Σ x1·x2 / (max(‖x1‖, eps)·max(‖x2‖, eps)) along `dim` (default 1, eps = 1e-8), after
 * broadcasting x1 and x2 together, as PyTorch 1.13 computes it.
 *
 * Shapes: x1, x2 broadcastable → their common shape without `dim`.
 */
export function cosineSimilarity(x1: Tensor, x2: Tensor, dim: number | CosineSimilarityOptions = 1, eps = 1e-8): Tensor {
  if (typeof dim === "object" && dim !== null) ({ dim = 1, eps = 1e-8 } = dim);
  const op = "cosineSimilarity";
  assertTensor(op, x1, "x1");
  assertTensor(op, x2, "x2");
  const shape = broadcastShapes(op, x1.shape, x2.shape);
  const d = normalizeDim(op, dim, shape.length);
  const a = broadcastTo(x1, shape), b = broadcastTo(x2, shape);
  const na = a.mul(a).sum(d).clamp(eps * eps).sqrt();
  const nb = b.mul(b).sum(d).clamp(eps * eps).sqrt();
  return a.mul(b).sum(d).div(na.mul(nb));
}

export interface PairwiseDistanceOptions {
  p?: number;
  eps?: number;
  keepdim?: boolean;
}

/**
 * ‖x1 − x2 + eps‖_p over the last dim (default p = 2, eps = 1e-6): the eps keeps the gradient
 * finite where x1 = x2, as in PyTorch.
 *
 * Shapes: x1, x2 broadcastable [..., D] → [...] (or [..., 1] with keepdim).
 */
export function pairwiseDistance(x1: Tensor, x2: Tensor, p: number | PairwiseDistanceOptions = 2, eps = 1e-6, keepdim = false): Tensor {
  if (typeof p === "object" && p !== null) ({ p = 2, eps = 1e-6, keepdim = false } = p);
  const op = "pairwiseDistance";
  assertTensor(op, x1, "x1");
  assertTensor(op, x2, "x2");
  const shape = broadcastShapes(op, x1.shape, x2.shape);
  if (shape.length === 0) throw new TensileError(`${op}: inputs must have at least 1 dimension, got ${fmtShape(x1.shape)} and ${fmtShape(x2.shape)}`);
  return norm(x1.sub(x2).add(eps), p, -1, keepdim);
}
