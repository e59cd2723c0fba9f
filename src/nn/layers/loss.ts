/**
 * Loss modules: each holds its options (and, for weighted losses, a `weight` buffer saved in the
 * state dict as PyTorch's) and calls the `F.` function of the same name. `forward(input, target)`.
 * ```ts
 * const criterion = new nn.CrossEntropyLoss({ labelSmoothing: 0.1 });
 * criterion.forward(logits, labels).backward();
 * ```
 */
import { Tensor } from "../../core.js";
import {
  binaryCrossEntropy,
  binaryCrossEntropyWithLogits,
  crossEntropy,
  nllLoss,
} from "../functional/classification.js";
import {
  cosineEmbeddingLoss, gaussianNllLoss, huberLoss, klDiv, l1Loss, marginRankingLoss, mseLoss, poissonNllLoss, smoothL1Loss,
} from "../functional/loss.js";
import {
  type DistanceFunction,
  hingeEmbeddingLoss,
  multiMarginLoss,
  multilabelMarginLoss,
  multilabelSoftMarginLoss,
  softMarginLoss,
  tripletMarginLoss,
  tripletMarginWithDistanceLoss,
} from "../functional/margin-loss.js";
import { ctcLoss } from "../functional/ctc.js";
import { TensileError, fmtValue } from "../../errors.js";
import { PairwiseDistance } from "./distance.js";
import { type Reduction, checkReduction } from "../functional/reduction.js";
import { Module } from "../module.js";
import { type PositionalArgs, positionalOptions } from "../../utils/positional.js";

/**
 * A loss's arguments: PyTorch's positional order (`keys`; where PyTorch still lists its deprecated
 * `size_average` and `reduce` they keep their places and must be null), then an optional options
 * object whose names are checked against `known`.
 */
function lossArgs<O extends object>(layer: string, args: readonly unknown[], keys: readonly string[], known: readonly string[]): O {
  const o = positionalOptions<Record<string, unknown>>(layer, args, { keys });
  for (const k of Object.keys(o)) {
    if (k === "sizeAverage" || k === "reduce")
      throw new TensileError(`${layer}: ${k === "reduce" ? "reduce" : "size_average"} is deprecated in PyTorch and not supported; use reduction ("mean", "sum" or "none")`);
    if (!known.includes(k)) throw new TensileError(`${layer}: unknown option "${k}" (expected one of: ${known.join(", ")})`);
    if ((k === "weight" || k === "posWeight") && o[k] !== null && o[k] !== undefined && !(o[k] instanceof Tensor))
      throw new TensileError(`${layer}: ${k} must be a Tensor or null, got ${fmtValue(o[k])}`);
  }
  return o as O;
}

/** Base of the losses: the `reduction` ("mean" by default, "sum" or "none"). */
export class Loss extends Module {
  readonly reduction: Reduction;
  constructor(options?: { reduction?: Reduction });
  /** PyTorch's positional order (sizeAverage, reduce, reduction; the deprecated first two must be null), then an optional options object. */
  constructor(...args: PositionalArgs<[sizeAverage: null, reduce: null, reduction: Reduction], { reduction?: Reduction }>);
  constructor(...args: unknown[]) {
    super();
    const { reduction = "mean" } = lossArgs<{ reduction?: Reduction }>(new.target.name, args, ["sizeAverage", "reduce", "reduction"], ["reduction"]);
    checkReduction(this.constructor.name, reduction);
    this.reduction = reduction;
  }
}

/** A loss with an optional per-class `weight`, registered as a buffer. */
export class WeightedLoss extends Loss {
  constructor(options?: { weight?: Tensor | null; reduction?: Reduction });
  /** PyTorch's positional order (weight, sizeAverage, reduce, reduction; the deprecated two must be null), then an optional options object. */
  constructor(...args: PositionalArgs<[weight: Tensor | null, sizeAverage: null, reduce: null, reduction: Reduction], { weight?: Tensor | null; reduction?: Reduction }>);
  constructor(...args: unknown[]) {
    const { weight = null, reduction = "mean" } = lossArgs<{ weight?: Tensor | null; reduction?: Reduction }>(
      new.target.name, args, ["weight", "sizeAverage", "reduce", "reduction"], ["weight", "reduction"]);
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
  constructor(options?: { reduction?: Reduction; beta?: number });
  /** PyTorch's positional order (sizeAverage, reduce, reduction, beta; sizeAverage and reduce, deprecated in PyTorch, must be null), then an optional options object. */
  constructor(...args: PositionalArgs<[sizeAverage: null, reduce: null, reduction: Reduction, beta: number], { reduction?: Reduction; beta?: number }>);
  constructor(...args: unknown[]) {
    const { reduction = "mean", beta = 1 } = lossArgs<{ reduction?: Reduction; beta?: number }>(
      "SmoothL1Loss", args, ["sizeAverage", "reduce", "reduction", "beta"], ["reduction", "beta"]);
    super({ reduction });
    if (typeof beta !== "number" || !(beta >= 0))
      throw new TensileError(`SmoothL1Loss: smooth_l1_loss does not support negative values for beta, but got beta=${fmtValue(beta)}`);
    this.beta = beta;
  }
  override forward(input: Tensor, target: Tensor): Tensor {
    return smoothL1Loss(input, target, { reduction: this.reduction, beta: this.beta });
  }
}

/** Quadratic below `delta`, linear (slope delta) above. See `F.huberLoss`. */
export class HuberLoss extends Loss {
  readonly delta: number;
  constructor(options?: { reduction?: Reduction; delta?: number });
  /** PyTorch's positional order (reduction, delta), then an optional options object. */
  constructor(...args: PositionalArgs<[reduction: Reduction, delta: number], { reduction?: Reduction; delta?: number }>);
  constructor(...args: unknown[]) {
    const { reduction = "mean", delta = 1 } = lossArgs<{ reduction?: Reduction; delta?: number }>(
      "HuberLoss", args, ["reduction", "delta"], ["reduction", "delta"]);
    super({ reduction });
    if (typeof delta !== "number" || !(delta > 0))
      throw new TensileError(`HuberLoss: huber_loss does not support non-positive values for delta, but got delta=${fmtValue(delta)}`);
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
  constructor(options?: { weight?: Tensor | null; ignoreIndex?: number; reduction?: Reduction; labelSmoothing?: number });
  /** PyTorch's positional order (weight, sizeAverage, ignoreIndex, reduce, reduction, labelSmoothing; sizeAverage and reduce, deprecated in PyTorch, must be null), then an optional options object. */
  constructor(...args: PositionalArgs<[weight: Tensor | null, sizeAverage: null, ignoreIndex: number, reduce: null, reduction: Reduction, labelSmoothing: number], { weight?: Tensor | null; ignoreIndex?: number; reduction?: Reduction; labelSmoothing?: number }>);
  constructor(...args: unknown[]) {
    const { weight = null, ignoreIndex = -100, reduction = "mean", labelSmoothing = 0 } = lossArgs<{ weight?: Tensor | null; ignoreIndex?: number; reduction?: Reduction; labelSmoothing?: number }>(
      "CrossEntropyLoss", args, ["weight", "sizeAverage", "ignoreIndex", "reduce", "reduction", "labelSmoothing"], ["weight", "ignoreIndex", "reduction", "labelSmoothing"]);
    super({ weight, reduction });
    this.ignoreIndex = intOption("CrossEntropyLoss", "ignore_index", ignoreIndex);
    classWeight("CrossEntropyLoss", weight);
    if (typeof labelSmoothing !== "number" || !(labelSmoothing >= 0 && labelSmoothing <= 1))
      throw new TensileError(`CrossEntropyLoss: label_smoothing must be between 0.0 and 1.0. Got: ${fmtValue(labelSmoothing)}`);
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
  constructor(options?: { weight?: Tensor | null; ignoreIndex?: number; reduction?: Reduction });
  /** PyTorch's positional order (weight, sizeAverage, ignoreIndex, reduce, reduction; sizeAverage and reduce, deprecated in PyTorch, must be null), then an optional options object. */
  constructor(...args: PositionalArgs<[weight: Tensor | null, sizeAverage: null, ignoreIndex: number, reduce: null, reduction: Reduction], { weight?: Tensor | null; ignoreIndex?: number; reduction?: Reduction }>);
  constructor(...args: unknown[]) {
    const { weight = null, ignoreIndex = -100, reduction = "mean" } = lossArgs<{ weight?: Tensor | null; ignoreIndex?: number; reduction?: Reduction }>(
      "NLLLoss", args, ["weight", "sizeAverage", "ignoreIndex", "reduce", "reduction"], ["weight", "ignoreIndex", "reduction"]);
    super({ weight, reduction });
    this.ignoreIndex = intOption("NLLLoss", "ignore_index", ignoreIndex);
    classWeight(new.target.name, weight);
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
  constructor(options?: { weight?: Tensor | null; reduction?: Reduction; posWeight?: Tensor | null });
  /** PyTorch's positional order (weight, sizeAverage, reduce, reduction, posWeight; sizeAverage and reduce, deprecated in PyTorch, must be null), then an optional options object. */
  constructor(...args: PositionalArgs<[weight: Tensor | null, sizeAverage: null, reduce: null, reduction: Reduction, posWeight: Tensor | null], { weight?: Tensor | null; reduction?: Reduction; posWeight?: Tensor | null }>);
  constructor(...args: unknown[]) {
    const { weight = null, reduction = "mean", posWeight = null } = lossArgs<{ weight?: Tensor | null; reduction?: Reduction; posWeight?: Tensor | null }>(
      "BCEWithLogitsLoss", args, ["weight", "sizeAverage", "reduce", "reduction", "posWeight"], ["weight", "reduction", "posWeight"]);
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
  constructor(options?: { reduction?: Reduction | "batchmean"; logTarget?: boolean });
  /** PyTorch's positional order (sizeAverage, reduce, reduction, logTarget; sizeAverage and reduce, deprecated in PyTorch, must be null), then an optional options object. */
  constructor(...args: PositionalArgs<[sizeAverage: null, reduce: null, reduction: Reduction | "batchmean", logTarget: boolean], { reduction?: Reduction | "batchmean"; logTarget?: boolean }>);
  constructor(...args: unknown[]) {
    super();
    const { reduction = "mean", logTarget = false } = lossArgs<{ reduction?: Reduction | "batchmean"; logTarget?: boolean }>(
      "KLDivLoss", args, ["sizeAverage", "reduce", "reduction", "logTarget"], ["reduction", "logTarget"]);
    checkReduction("KLDivLoss", reduction, ["none", "mean", "sum", "batchmean"]);
    this.reduction = reduction;
    this.logTarget = boolOption("KLDivLoss", "logTarget", logTarget);
  }
  override forward(input: Tensor, target: Tensor): Tensor {
    return klDiv(input, target, { reduction: this.reduction, logTarget: this.logTarget });
  }
}

/** 1 − cos for similar pairs (y = 1), max(0, cos − margin) for dissimilar (y = −1). See `F.cosineEmbeddingLoss`. */
export class CosineEmbeddingLoss extends Loss {
  readonly margin: number;
  constructor(options?: { margin?: number; reduction?: Reduction });
  /** PyTorch's positional order (margin, sizeAverage, reduce, reduction; sizeAverage and reduce, deprecated in PyTorch, must be null), then an optional options object. */
  constructor(...args: PositionalArgs<[margin: number, sizeAverage: null, reduce: null, reduction: Reduction], { margin?: number; reduction?: Reduction }>);
  constructor(...args: unknown[]) {
    const { margin = 0, reduction = "mean" } = lossArgs<{ margin?: number; reduction?: Reduction }>(
      "CosineEmbeddingLoss", args, ["margin", "sizeAverage", "reduce", "reduction"], ["margin", "reduction"]);
    super({ reduction });
    this.margin = numOption("CosineEmbeddingLoss", "margin", margin);
  }
  override forward(input1: Tensor, input2: Tensor, target: Tensor): Tensor {
    return cosineEmbeddingLoss(input1, input2, target, { margin: this.margin, reduction: this.reduction });
  }
}

/** max(0, −y·(x1 − x2) + margin). See `F.marginRankingLoss`. */
export class MarginRankingLoss extends Loss {
  readonly margin: number;
  constructor(options?: { margin?: number; reduction?: Reduction });
  /** PyTorch's positional order (margin, sizeAverage, reduce, reduction; sizeAverage and reduce, deprecated in PyTorch, must be null), then an optional options object. */
  constructor(...args: PositionalArgs<[margin: number, sizeAverage: null, reduce: null, reduction: Reduction], { margin?: number; reduction?: Reduction }>);
  constructor(...args: unknown[]) {
    const { margin = 0, reduction = "mean" } = lossArgs<{ margin?: number; reduction?: Reduction }>(
      "MarginRankingLoss", args, ["margin", "sizeAverage", "reduce", "reduction"], ["margin", "reduction"]);
    super({ reduction });
    this.margin = numOption("MarginRankingLoss", "margin", margin);
  }
  override forward(input1: Tensor, input2: Tensor, target: Tensor): Tensor {
    return marginRankingLoss(input1, input2, target, { margin: this.margin, reduction: this.reduction });
  }
}

// ---- margin, embedding and likelihood losses ----

/** A number option, checked at construction. */
/** A number option (never NaN, which would make the loss NaN or ignore the option without a word). */
function numOption(layer: string, name: string, v: unknown): number {
  if (typeof v !== "number" || Number.isNaN(v)) throw new TensileError(`${layer}: ${name} must be a number, got ${typeof v === "string" ? JSON.stringify(v) : String(v)}`);
  return v;
}

/** A per-class weight must be 1-D (one value per class); PyTorch refuses any other shape at the first call. */
function classWeight(layer: string, weight: Tensor | null): void {
  if (weight !== null && weight.ndim !== 1)
    throw new TensileError(`${layer}: weight tensor should be 1-D (one weight per class), but got weight tensor of shape: [${weight.shape.join(", ")}]`);
}

/** An integer option (an index such as ignore_index). */
function intOption(layer: string, name: string, v: unknown): number {
  if (!Number.isInteger(v)) throw new TensileError(`${layer}: ${name} must be an int, but got ${name}=${fmtValue(v)}`);
  return v as number;
}

function boolOption(layer: string, name: string, v: unknown): boolean {
  if (typeof v !== "boolean") throw new TensileError(`${layer}: ${name} must be a boolean, got ${typeof v === "string" ? JSON.stringify(v) : String(v)}`);
  return v;
}

/** log(1 + e^{−y·x}) for targets ±1. See `F.softMarginLoss`. */
export class SoftMarginLoss extends Loss {
  override forward(input: Tensor, target: Tensor): Tensor {
    return softMarginLoss(input, target, { reduction: this.reduction });
  }
}

/** One-vs-all logistic loss over C labels, optional per-class `weight` buffer. See `F.multilabelSoftMarginLoss`. */
export class MultiLabelSoftMarginLoss extends WeightedLoss {
  override forward(input: Tensor, target: Tensor): Tensor {
    return multilabelSoftMarginLoss(input, target, { weight: this.weight, reduction: this.reduction });
  }
}

/** Multi-class hinge loss with `p` (1 or 2), `margin`, per-class `weight` buffer. See `F.multiMarginLoss`. */
export class MultiMarginLoss extends WeightedLoss {
  readonly p: number;
  readonly margin: number;
  constructor(options?: { p?: number; margin?: number; weight?: Tensor | null; reduction?: Reduction });
  /** PyTorch's positional order (p, margin, weight, sizeAverage, reduce, reduction; sizeAverage and reduce, deprecated in PyTorch, must be null), then an optional options object. */
  constructor(...args: PositionalArgs<[p: number, margin: number, weight: Tensor | null, sizeAverage: null, reduce: null, reduction: Reduction], { p?: number; margin?: number; weight?: Tensor | null; reduction?: Reduction }>);
  constructor(...args: unknown[]) {
    const { p = 1, margin = 1, weight = null, reduction = "mean" } = lossArgs<{ p?: number; margin?: number; weight?: Tensor | null; reduction?: Reduction }>(
      "MultiMarginLoss", args, ["p", "margin", "weight", "sizeAverage", "reduce", "reduction"], ["p", "margin", "weight", "reduction"]);
    super({ weight, reduction });
    if (p !== 1 && p !== 2) throw new TensileError(`MultiMarginLoss: only p == 1 and p == 2 supported, got ${String(p)}`);
    if (weight !== null && weight.ndim !== 1) throw new TensileError(`MultiMarginLoss: weight must be one-dimensional, got ${weight.ndim}-d`);
    this.p = p;
    this.margin = numOption("MultiMarginLoss", "margin", margin);
  }
  override forward(input: Tensor, target: Tensor): Tensor {
    return multiMarginLoss(input, target, { p: this.p, margin: this.margin, weight: this.weight, reduction: this.reduction });
  }
}

/** Multi-label hinge loss over class lists ended by −1. See `F.multilabelMarginLoss`. */
export class MultiLabelMarginLoss extends Loss {
  override forward(input: Tensor, target: Tensor): Tensor {
    return multilabelMarginLoss(input, target, { reduction: this.reduction });
  }
}

/** x where y = 1, max(0, margin − x) where y = −1. See `F.hingeEmbeddingLoss`. */
export class HingeEmbeddingLoss extends Loss {
  readonly margin: number;
  constructor(options?: { margin?: number; reduction?: Reduction });
  /** PyTorch's positional order (margin, sizeAverage, reduce, reduction; sizeAverage and reduce, deprecated in PyTorch, must be null), then an optional options object. */
  constructor(...args: PositionalArgs<[margin: number, sizeAverage: null, reduce: null, reduction: Reduction], { margin?: number; reduction?: Reduction }>);
  constructor(...args: unknown[]) {
    const { margin = 1, reduction = "mean" } = lossArgs<{ margin?: number; reduction?: Reduction }>(
      "HingeEmbeddingLoss", args, ["margin", "sizeAverage", "reduce", "reduction"], ["margin", "reduction"]);
    super({ reduction });
    this.margin = numOption("HingeEmbeddingLoss", "margin", margin);
  }
  override forward(input: Tensor, target: Tensor): Tensor {
    return hingeEmbeddingLoss(input, target, { margin: this.margin, reduction: this.reduction });
  }
}

/** max(0, d(a, p) − d(a, n) + margin) with the p-norm distance. See `F.tripletMarginLoss`. */
export class TripletMarginLoss extends Loss {
  readonly margin: number;
  readonly p: number;
  readonly eps: number;
  readonly swap: boolean;
  constructor(options?: { margin?: number; p?: number; eps?: number; swap?: boolean; reduction?: Reduction });
  /** PyTorch's positional order (margin, p, eps, swap, sizeAverage, reduce, reduction; sizeAverage and reduce, deprecated in PyTorch, must be null), then an optional options object. */
  constructor(...args: PositionalArgs<[margin: number, p: number, eps: number, swap: boolean, sizeAverage: null, reduce: null, reduction: Reduction], { margin?: number; p?: number; eps?: number; swap?: boolean; reduction?: Reduction }>);
  constructor(...args: unknown[]) {
    const { margin = 1, p = 2, eps = 1e-6, swap = false, reduction = "mean" } = lossArgs<{ margin?: number; p?: number; eps?: number; swap?: boolean; reduction?: Reduction }>(
      "TripletMarginLoss", args, ["margin", "p", "eps", "swap", "sizeAverage", "reduce", "reduction"], ["margin", "p", "eps", "swap", "reduction"]);
    super({ reduction });
    this.margin = numOption("TripletMarginLoss", "margin", margin);
    this.p = numOption("TripletMarginLoss", "p", p);
    this.eps = numOption("TripletMarginLoss", "eps", eps);
    this.swap = boolOption("TripletMarginLoss", "swap", swap);
  }
  override forward(anchor: Tensor, positive: Tensor, negative: Tensor): Tensor {
    return tripletMarginLoss(anchor, positive, negative, { margin: this.margin, p: this.p, eps: this.eps, swap: this.swap, reduction: this.reduction });
  }
}

/**
 * The triplet loss with any distance: a function of two tensors or a module (default
 * `nn.PairwiseDistance()`, registered as the child `distance_function` as in PyTorch). See
 * `F.tripletMarginWithDistanceLoss`.
 */
export class TripletMarginWithDistanceLoss extends Loss {
  readonly margin: number;
  readonly swap: boolean;
  readonly #distance: DistanceFunction;
  /** Options only: PyTorch's parameters are keyword-only here too. */
  constructor(options?: { distanceFunction?: DistanceFunction | null; margin?: number; swap?: boolean; reduction?: Reduction });
  constructor(...args: unknown[]) {
    const { distanceFunction = null, margin = 1, swap = false, reduction = "mean" } = lossArgs<{ distanceFunction?: DistanceFunction | null; margin?: number; swap?: boolean; reduction?: Reduction }>(
      "TripletMarginWithDistanceLoss", args, [], ["distanceFunction", "margin", "swap", "reduction"]);
    super({ reduction });
    const layer = "TripletMarginWithDistanceLoss";
    this.margin = numOption(layer, "margin", margin);
    this.swap = boolOption(layer, "swap", swap);
    const d = distanceFunction ?? new PairwiseDistance();
    if (d instanceof Module) this.registerModule("distance_function", d);
    else if (typeof d !== "function") throw new TensileError(`${layer}: distanceFunction must be a function or a Module, got ${typeof d}`);
    this.#distance = d;
  }
  /** The distance: the given function or module (`nn.PairwiseDistance` by default). */
  get distanceFunction(): DistanceFunction {
    return this.#distance;
  }
  override forward(anchor: Tensor, positive: Tensor, negative: Tensor): Tensor {
    return tripletMarginWithDistanceLoss(anchor, positive, negative, {
      distanceFunction: this.#distance,
      margin: this.margin,
      swap: this.swap,
      reduction: this.reduction,
    });
  }
}

/** Poisson negative log-likelihood (`logInput`, `full`, `eps`). See `F.poissonNllLoss`. */
export class PoissonNLLLoss extends Loss {
  readonly logInput: boolean;
  readonly full: boolean;
  readonly eps: number;
  constructor(options?: { logInput?: boolean; full?: boolean; eps?: number; reduction?: Reduction });
  /** PyTorch's positional order (logInput, full, sizeAverage, eps, reduce, reduction; sizeAverage and reduce, deprecated in PyTorch, must be null), then an optional options object. */
  constructor(...args: PositionalArgs<[logInput: boolean, full: boolean, sizeAverage: null, eps: number, reduce: null, reduction: Reduction], { logInput?: boolean; full?: boolean; eps?: number; reduction?: Reduction }>);
  constructor(...args: unknown[]) {
    const { logInput = true, full = false, eps = 1e-8, reduction = "mean" } = lossArgs<{ logInput?: boolean; full?: boolean; eps?: number; reduction?: Reduction }>(
      "PoissonNLLLoss", args, ["logInput", "full", "sizeAverage", "eps", "reduce", "reduction"], ["logInput", "full", "eps", "reduction"]);
    super({ reduction });
    this.logInput = boolOption("PoissonNLLLoss", "logInput", logInput);
    this.full = boolOption("PoissonNLLLoss", "full", full);
    this.eps = numOption("PoissonNLLLoss", "eps", eps);
    // PyTorch takes any eps; a negative one makes log(input + eps) NaN for inputs below |eps|
    if (this.eps < 0) throw new TensileError(`PoissonNLLLoss: eps must be non-negative, but got eps=${this.eps}`);
  }
  override forward(input: Tensor, target: Tensor): Tensor {
    return poissonNllLoss(input, target, { logInput: this.logInput, full: this.full, eps: this.eps, reduction: this.reduction });
  }
}

/** Gaussian negative log-likelihood; `forward(input, target, var)`. See `F.gaussianNllLoss`. */
export class GaussianNLLLoss extends Loss {
  readonly full: boolean;
  readonly eps: number;
  /** Options only: PyTorch's parameters are keyword-only here too. */
  constructor(options?: { full?: boolean; eps?: number; reduction?: Reduction });
  constructor(...args: unknown[]) {
    const { full = false, eps = 1e-6, reduction = "mean" } = lossArgs<{ full?: boolean; eps?: number; reduction?: Reduction }>(
      "GaussianNLLLoss", args, [], ["full", "eps", "reduction"]);
    super({ reduction });
    this.full = boolOption("GaussianNLLLoss", "full", full);
    this.eps = numOption("GaussianNLLLoss", "eps", eps);
    // the variance is clamped to at least eps: a negative eps lets log(var) be NaN
    if (this.eps < 0) throw new TensileError(`GaussianNLLLoss: eps must be non-negative, but got eps=${this.eps}`);
  }
  override forward(input: Tensor, target: Tensor, variance: Tensor): Tensor {
    return gaussianNllLoss(input, target, variance, { full: this.full, eps: this.eps, reduction: this.reduction });
  }
}

/**
 * Connectionist temporal classification loss; `forward(logProbs, targets, inputLengths, targetLengths)`.
 * See `F.ctcLoss`.
 */
export class CTCLoss extends Loss {
  readonly blank: number;
  readonly zeroInfinity: boolean;
  constructor(options?: { blank?: number; reduction?: Reduction; zeroInfinity?: boolean });
  /** PyTorch's positional order (blank, reduction, zeroInfinity), then an optional options object. */
  constructor(...args: PositionalArgs<[blank: number, reduction: Reduction, zeroInfinity: boolean], { blank?: number; reduction?: Reduction; zeroInfinity?: boolean }>);
  constructor(...args: unknown[]) {
    const { blank = 0, reduction = "mean", zeroInfinity = false } = lossArgs<{ blank?: number; reduction?: Reduction; zeroInfinity?: boolean }>(
      "CTCLoss", args, ["blank", "reduction", "zeroInfinity"], ["blank", "reduction", "zeroInfinity"]);
    super({ reduction });
    if (!Number.isInteger(blank) || blank < 0) throw new TensileError(`CTCLoss: blank must be a non-negative integer, got ${String(blank)}`);
    this.blank = blank;
    this.zeroInfinity = boolOption("CTCLoss", "zeroInfinity", zeroInfinity);
  }
  override forward(
    logProbs: Tensor, targets: Tensor, inputLengths: Tensor | readonly number[] | number, targetLengths: Tensor | readonly number[] | number,
  ): Tensor {
    return ctcLoss(logProbs, targets, inputLengths, targetLengths, { blank: this.blank, reduction: this.reduction, zeroInfinity: this.zeroInfinity });
  }
}
