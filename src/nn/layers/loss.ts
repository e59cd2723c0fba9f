/**
 * Loss modules: each holds its options (and, for weighted losses, a `weight` buffer saved in the
 * state dict as PyTorch's) and calls the `F.` function of the same name. `forward(input, target)`.
 * ```ts
 * const criterion = new nn.CrossEntropyLoss({ labelSmoothing: 0.1 });
 * criterion.forward(logits, labels).backward();
 * ```
 */
import type { Tensor } from "../../core.js";
import {
  binaryCrossEntropy,
  binaryCrossEntropyWithLogits,
  crossEntropy,
  nllLoss,
} from "../functional/classification.js";
import { cosineEmbeddingLoss, huberLoss, klDiv, l1Loss, marginRankingLoss, mseLoss, smoothL1Loss } from "../functional/loss.js";
import { type Reduction, checkReduction } from "../functional/reduction.js";
import { Module } from "../module.js";

/** Base of the losses: the `reduction` ("mean" by default, "sum" or "none"). */
export class Loss extends Module {
  readonly reduction: Reduction;
  constructor(options: { reduction?: Reduction } = {}) {
    super();
    const { reduction = "mean" } = options ?? {};
    checkReduction(this.constructor.name, reduction);
    this.reduction = reduction;
  }
}

/** A loss with an optional per-class `weight`, registered as a buffer. */
export class WeightedLoss extends Loss {
  constructor(options: { weight?: Tensor | null; reduction?: Reduction } = {}) {
    const { weight = null, reduction = "mean" } = options ?? {};
    super({ reduction });
    this.registerBuffer("weight", weight);
  }
  /** The `weight` buffer (null when none was given). */
  get weight(): Tensor | null {
    return this.getBuffer("weight");
  }
}

/** ℓ = (x − y)², reduced. See `F.mseLoss`. */
export class MSELoss extends Loss {
  override forward(input: Tensor, target: Tensor): Tensor {
    return mseLoss(input, target, { reduction: this.reduction });
  }
}

/** ℓ = |x − y|, reduced. See `F.l1Loss`. */
export class L1Loss extends Loss {
  override forward(input: Tensor, target: Tensor): Tensor {
    return l1Loss(input, target, { reduction: this.reduction });
  }
}

/** Quadratic below `beta`, linear above. See `F.smoothL1Loss`. */
export class SmoothL1Loss extends Loss {
  readonly beta: number;
  constructor(options: { reduction?: Reduction; beta?: number } = {}) {
    const { reduction = "mean", beta = 1 } = options ?? {};
    super({ reduction });
    this.beta = beta;
  }
  override forward(input: Tensor, target: Tensor): Tensor {
    return smoothL1Loss(input, target, { reduction: this.reduction, beta: this.beta });
  }
}

/** Quadratic below `delta`, linear (slope delta) above. See `F.huberLoss`. */
export class HuberLoss extends Loss {
  readonly delta: number;
  constructor(options: { reduction?: Reduction; delta?: number } = {}) {
    const { reduction = "mean", delta = 1 } = options ?? {};
    super({ reduction });
    this.delta = delta;
  }
  override forward(input: Tensor, target: Tensor): Tensor {
    return huberLoss(input, target, { reduction: this.reduction, delta: this.delta });
  }
}

/**
 * Cross-entropy of logits [N, C] (or [N, C, d1, ...], or [C]) against class indices (int32) or
 * class probabilities, with `weight`, `ignoreIndex`, `labelSmoothing`. See `F.crossEntropy`.
 */
export class CrossEntropyLoss extends WeightedLoss {
  readonly ignoreIndex: number;
  readonly labelSmoothing: number;
  constructor(options: { weight?: Tensor | null; ignoreIndex?: number; reduction?: Reduction; labelSmoothing?: number } = {}) {
    const {
    weight = null,
    ignoreIndex = -100,
    reduction = "mean",
    labelSmoothing = 0,
  } = options ?? {};
    super({ weight, reduction });
    this.ignoreIndex = ignoreIndex;
    this.labelSmoothing = labelSmoothing;
  }
  override forward(input: Tensor, target: Tensor): Tensor {
    return crossEntropy(input, target, {
      weight: this.weight,
      ignoreIndex: this.ignoreIndex,
      reduction: this.reduction,
      labelSmoothing: this.labelSmoothing,
    });
  }
}

/** Negative log-likelihood of log-probabilities against class indices. See `F.nllLoss`. */
export class NLLLoss extends WeightedLoss {
  readonly ignoreIndex: number;
  constructor(options: { weight?: Tensor | null; ignoreIndex?: number; reduction?: Reduction } = {}) {
    const { weight = null, ignoreIndex = -100, reduction = "mean" } = options ?? {};
    super({ weight, reduction });
    this.ignoreIndex = ignoreIndex;
  }
  override forward(input: Tensor, target: Tensor): Tensor {
    return nllLoss(input, target, { weight: this.weight, ignoreIndex: this.ignoreIndex, reduction: this.reduction });
  }
}

/** Binary cross-entropy of probabilities in [0, 1]. See `F.binaryCrossEntropy`. */
export class BCELoss extends WeightedLoss {
  override forward(input: Tensor, target: Tensor): Tensor {
    return binaryCrossEntropy(input, target, { weight: this.weight, reduction: this.reduction });
  }
}

/** Binary cross-entropy of logits (sigmoid fused in, stable), with `posWeight`. See `F.binaryCrossEntropyWithLogits`. */
export class BCEWithLogitsLoss extends Loss {
  constructor(options: { weight?: Tensor | null; reduction?: Reduction; posWeight?: Tensor | null } = {}) {
    const {
    weight = null,
    reduction = "mean",
    posWeight = null,
  } = options ?? {};
    super({ reduction });
    this.registerBuffer("weight", weight);
    this.registerBuffer("pos_weight", posWeight);
  }
  get weight(): Tensor | null {
    return this.getBuffer("weight");
  }
  get posWeight(): Tensor | null {
    return this.getBuffer("pos_weight");
  }
  override forward(input: Tensor, target: Tensor): Tensor {
    return binaryCrossEntropyWithLogits(input, target, { weight: this.weight, reduction: this.reduction, posWeight: this.posWeight });
  }
}

/** KL divergence of log-probabilities `input` from `target`; reduction may be "batchmean". See `F.klDiv`. */
export class KLDivLoss extends Module {
  readonly reduction: Reduction | "batchmean";
  readonly logTarget: boolean;
  constructor(options: { reduction?: Reduction | "batchmean"; logTarget?: boolean } = {}) {
    super();
    const { reduction = "mean", logTarget = false } = options ?? {};
    checkReduction("KLDivLoss", reduction, ["none", "mean", "sum", "batchmean"]);
    this.reduction = reduction;
    this.logTarget = logTarget;
  }
  override forward(input: Tensor, target: Tensor): Tensor {
    return klDiv(input, target, { reduction: this.reduction, logTarget: this.logTarget });
  }
}

/** 1 − cos for similar pairs (y = 1), max(0, cos − margin) for dissimilar (y = −1). See `F.cosineEmbeddingLoss`. */
export class CosineEmbeddingLoss extends Loss {
  readonly margin: number;
  constructor(options: { margin?: number; reduction?: Reduction } = {}) {
    const { margin = 0, reduction = "mean" } = options ?? {};
    super({ reduction });
    this.margin = margin;
  }
  override forward(input1: Tensor, input2: Tensor, target: Tensor): Tensor {
    return cosineEmbeddingLoss(input1, input2, target, { margin: this.margin, reduction: this.reduction });
  }
}

/** max(0, −y·(x1 − x2) + margin). See `F.marginRankingLoss`. */
export class MarginRankingLoss extends Loss {
  readonly margin: number;
  constructor(options: { margin?: number; reduction?: Reduction } = {}) {
    const { margin = 0, reduction = "mean" } = options ?? {};
    super({ reduction });
    this.margin = margin;
  }
  override forward(input1: Tensor, input2: Tensor, target: Tensor): Tensor {
    return marginRankingLoss(input1, input2, target, { margin: this.margin, reduction: this.reduction });
  }
}
