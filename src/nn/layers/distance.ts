import type { Tensor } from "../../core.js";
import { type CosineSimilarityOptions, type PairwiseDistanceOptions, cosineSimilarity, pairwiseDistance } from "../functional/distance.js";
import { Module } from "../module.js";
import { boolArg, dimArg, realArg } from "./ctor-checks.js";

/**
 * Cosine similarity of two inputs along `dim` (`F.cosineSimilarity`).
 *
 * Shapes: x1, x2 broadcastable → their common shape without `dim`. `new nn.CosineSimilarity(1)`
 * or `new nn.CosineSimilarity({ dim: 1, eps: 1e-8 })`.
 */
export class CosineSimilarity extends Module {
  readonly dim: number;
  readonly eps: number;
  constructor(dim: number | CosineSimilarityOptions = 1, eps = 1e-8) {
    super();
    if (typeof dim === "object" && dim !== null) ({ dim = 1, eps = 1e-8 } = dim);
    this.dim = dimArg("CosineSimilarity", "dim", dim);
    this.eps = realArg("CosineSimilarity", "eps", eps);
  }
  override forward(x1: Tensor, x2: Tensor): Tensor {
    return cosineSimilarity(x1, x2, this.dim, this.eps);
  }
}

/**
 * p-norm distance between two inputs over their last dim (`F.pairwiseDistance`).
 *
 * Shapes: x1, x2 broadcastable [..., D] → [...] (or [..., 1] with keepdim).
 */
export class PairwiseDistance extends Module {
  readonly norm: number;
  readonly eps: number;
  readonly keepdim: boolean;
  constructor(p: number | PairwiseDistanceOptions = 2, eps = 1e-6, keepdim = false) {
    super();
    if (typeof p === "object" && p !== null) ({ p = 2, eps = 1e-6, keepdim = false } = p);
    this.norm = realArg("PairwiseDistance", "p", p);
    this.eps = realArg("PairwiseDistance", "eps", eps);
    this.keepdim = boolArg("PairwiseDistance", "keepdim", keepdim);
  }
  override forward(x1: Tensor, x2: Tensor): Tensor {
    return pairwiseDistance(x1, x2, this.norm, this.eps, this.keepdim);
  }
}
