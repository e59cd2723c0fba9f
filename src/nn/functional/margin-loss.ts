/**
 * Margin and embedding losses: soft margin, multi-class and multi-label hinge losses, the hinge
 * embedding loss and the triplet losses. Written over core ops so autograd supplies the backward;
 * each hinge max(0, z) is `where(z > 0, z, 0)`, so its gradient is 0 at z = 0 as PyTorch's kernels'.
 */
import { Module } from "../module.js";
import { Tensor, softplus, tensor, where, zerosLike } from "../../core.js";
import { TensileError, fmtShape } from "../../errors.js";
import { assertTensor } from "../../ops/util.js";
import { type Reduction, type ReductionOptions, applyReduction, checkBroadcast, checkReduction } from "./reduction.js";
import { pairwiseDistance } from "./distance.js";
import { type PositionalArgs, checkOptionsObject, positionalOptions } from "../../utils/positional.js";

const hinge = (z: Tensor): Tensor => where(z.gt(0), z, 0);

function checkNumber(op: string, name: string, v: unknown): number {
  if (typeof v !== "number") throw new TensileError(`${op}: ${name} must be a number, got ${typeof v === "string" ? JSON.stringify(v) : String(v)}`);
  return v;
}

/**
 * ℓ = log(1 + e^{−y·x}) for targets y = ±1: the logistic loss of a two-class problem (computed
 * stably: no overflow for large −y·x).
 *
 * Shapes: input [*], target broadcastable to it → scalar, or [*] with `reduction: "none"`.
 */
/** PyTorch's positional order (sizeAverage, reduce, reduction; the deprecated sizeAverage and reduce must be null), then an optional options object. */
export function softMarginLoss(input: Tensor, target: Tensor, ...args: PositionalArgs<[sizeAverage: null, reduce: null, reduction: (ReductionOptions)["reduction"]], ReductionOptions>): Tensor;
export function softMarginLoss(input: Tensor, target: Tensor, options?: ReductionOptions): Tensor;
export function softMarginLoss(input: Tensor, target: Tensor, ...args: unknown[]): Tensor {
  let options = positionalOptions<ReductionOptions>("softMarginLoss", args, { keys: ["sizeAverage", "reduce", "reduction"], deprecated: ["sizeAverage", "reduce"] });
  const { reduction = "mean" } = options ?? {};
  checkReduction("softMarginLoss", reduction);
  checkBroadcast("softMarginLoss", input, target);
  return applyReduction(softplus(input.mul(target).neg()), reduction);
}

export interface MultilabelSoftMarginLossOptions extends ReductionOptions {
  /** Per-class rescaling weight, broadcast against the input (usually [C]). */
  weight?: Tensor | null;
}

/**
 * One-vs-all logistic loss over C independent labels: per sample
 * ℓ = −(1/C)·Σ_c w_c·(y_c·log σ(x_c) + (1 − y_c)·log σ(−x_c)), y in [0, 1].
 *
 * Shapes: input [N, C] (or [C], or [*, C]), target the same → scalar, or [N] with `reduction: "none"`.
 */
/** PyTorch's positional order (weight, sizeAverage, reduce, reduction; the deprecated sizeAverage and reduce must be null), then an optional options object. */
export function multilabelSoftMarginLoss(input: Tensor, target: Tensor, ...args: PositionalArgs<[weight: (MultilabelSoftMarginLossOptions)["weight"], sizeAverage: null, reduce: null, reduction: (MultilabelSoftMarginLossOptions)["reduction"]], MultilabelSoftMarginLossOptions>): Tensor;
export function multilabelSoftMarginLoss(input: Tensor, target: Tensor, options?: MultilabelSoftMarginLossOptions): Tensor;
export function multilabelSoftMarginLoss(input: Tensor, target: Tensor, ...args: unknown[]): Tensor {
  let options = positionalOptions<MultilabelSoftMarginLossOptions>("multilabelSoftMarginLoss", args, { keys: ["weight", "sizeAverage", "reduce", "reduction"], deprecated: ["sizeAverage", "reduce"] });
  const { weight = null, reduction = "mean" } = options ?? {};
  const op = "multilabelSoftMarginLoss";
  checkReduction(op, reduction);
  checkBroadcast(op, input, target);
  if (input.ndim === 0) throw new TensileError(`${op}: input must have a class dim, got a 0-d input`);
  let loss = target.mul(input.logSigmoid()).add(target.neg().add(1).mul(input.neg().logSigmoid())).neg();
  if (weight !== null) {
    checkBroadcast(op, loss, weight, "loss", "weight");
    loss = loss.mul(weight);
  }
  const c = input.ndim - 1;
  return applyReduction(loss.sum(c).div(input.shape[c]!), reduction);
}

/** Input [C] or [N, C] (N may be 0, C not): the number of frames N (1 for a vector) and C. */
function framesAndClasses(op: string, input: Tensor): [number, number] {
  const ok = (input.ndim === 2 && input.shape[1] !== 0) || (input.ndim === 1 && input.shape[0] !== 0) || input.ndim === 0;
  if (!ok) throw new TensileError(`${op}: Expected non-empty vector or matrix with optional 0-dim batch size, but got: ${fmtShape(input.shape)}`);
  return input.ndim === 2 ? [input.shape[0]!, input.shape[1]!] : [1, input.ndim === 1 ? input.shape[0]! : 1];
}

function intTarget(op: string, target: unknown): asserts target is Tensor {
  assertTensor(op, target, "target");
  if (target.dtype !== "int32") throw new TensileError(`${op}: expected target of dtype int32 (class indices), got ${target.dtype} (shape ${fmtShape(target.shape)})`);
}

export interface MultiMarginLossOptions extends ReductionOptions {
  /** 1 (hinge, the default) or 2 (squared hinge). */
  p?: number;
  /** Default 1. */
  margin?: number;
  /** Per-class weight [C], applied by each sample's target class. */
  weight?: Tensor | null;
}

/**
 * Multi-class hinge loss: per sample ℓ = (1/C)·Σ_{i≠y} w_y·max(0, margin − x_y + x_i)^p.
 *
 * Shapes: input [N, C] with target [N] (int32 class indices), or [C] with [] → scalar, or [N]
 * (target's shape) with `reduction: "none"`.
 */
/** PyTorch's positional order (p, margin, weight, sizeAverage, reduce, reduction; the deprecated sizeAverage and reduce must be null), then an optional options object. */
export function multiMarginLoss(input: Tensor, target: Tensor, ...args: PositionalArgs<[p: (MultiMarginLossOptions)["p"], margin: (MultiMarginLossOptions)["margin"], weight: (MultiMarginLossOptions)["weight"], sizeAverage: null, reduce: null, reduction: (MultiMarginLossOptions)["reduction"]], MultiMarginLossOptions>): Tensor;
export function multiMarginLoss(input: Tensor, target: Tensor, options?: MultiMarginLossOptions): Tensor;
export function multiMarginLoss(input: Tensor, target: Tensor, ...args: unknown[]): Tensor {
  let options = positionalOptions<MultiMarginLossOptions>("multiMarginLoss", args, { keys: ["p", "margin", "weight", "sizeAverage", "reduce", "reduction"], deprecated: ["sizeAverage", "reduce"] });
  const { p = 1, margin = 1, weight = null, reduction = "mean" } = options ?? {};
  const op = "multiMarginLoss";
  assertTensor(op, input);
  intTarget(op, target);
  checkReduction(op, reduction);
  if (p !== 1 && p !== 2) throw new TensileError(`${op}: only p == 1 and p == 2 supported, got ${String(p)}`);
  checkNumber(op, "margin", margin);
  const [n, classes] = framesAndClasses(op, input);
  if (target.ndim > 1 || target.numel() !== n)
    throw new TensileError(`${op}: inconsistent target size, got: ${fmtShape(target.shape)} (input ${fmtShape(input.shape)})`);
  if (weight !== null) {
    assertTensor(op, weight, "weight");
    if (weight.ndim !== 1) throw new TensileError(`${op}: weight must be one-dimensional, got shape ${fmtShape(weight.shape)}`);
    if (weight.numel() !== classes) throw new TensileError(`${op}: inconsistent weight size, expected ${classes} but got ${fmtShape(weight.shape)}`);
  }
  const ys = Array.from(target.dataSync() as Int32Array);
  const bad = ys.find((y) => y < 0 || y >= classes);
  if (bad !== undefined) throw new TensileError(`${op}: target out of range: ${bad} (${classes} classes)`);
  const x = input.reshape([n, classes]);
  const y = target.reshape([n, 1]);
  // the terms i ≠ y: a constant mask built from the target's values
  const others = tensor(ys.flatMap((t) => Array.from({ length: classes }, (_, i) => i !== t)), { dtype: "bool" }).reshape([n, classes]);
  let h = hinge(x.sub(x.gather(1, y)).add(margin));
  if (p === 2) h = h.mul(h);
  h = where(others, h, 0);
  if (weight !== null) h = h.mul(weight.indexSelect(0, y.reshape([n])).unsqueeze(1));
  const loss = h.sum(1).div(classes);
  return applyReduction(reduction === "none" ? loss.reshape(target.ndim === 0 ? [] : [n]) : loss, reduction);
}

/**
 * Multi-label hinge loss. Each row of `target` lists the sample's classes, ended by the first −1;
 * per sample ℓ = (1/C)·Σ_{j listed} Σ_{k not listed} max(0, 1 − x_j + x_k).
 *
 * Shapes: input [N, C] (or [C]), target the same shape (int32) → scalar, or [N] with `reduction: "none"`.
 */
/** PyTorch's positional order (sizeAverage, reduce, reduction; the deprecated sizeAverage and reduce must be null), then an optional options object. */
export function multilabelMarginLoss(input: Tensor, target: Tensor, ...args: PositionalArgs<[sizeAverage: null, reduce: null, reduction: (ReductionOptions)["reduction"]], ReductionOptions>): Tensor;
export function multilabelMarginLoss(input: Tensor, target: Tensor, options?: ReductionOptions): Tensor;
export function multilabelMarginLoss(input: Tensor, target: Tensor, ...args: unknown[]): Tensor {
  let options = positionalOptions<ReductionOptions>("multilabelMarginLoss", args, { keys: ["sizeAverage", "reduce", "reduction"], deprecated: ["sizeAverage", "reduce"] });
  const { reduction = "mean" } = options ?? {};
  const op = "multilabelMarginLoss";
  assertTensor(op, input);
  intTarget(op, target);
  checkReduction(op, reduction);
  const [n, classes] = framesAndClasses(op, input);
  if (target.ndim !== input.ndim || target.shape.some((d, i) => d !== input.shape[i]))
    throw new TensileError(`${op}: inconsistent size ${fmtShape(target.shape)} for argument #2 'target' (input ${fmtShape(input.shape)})`);
  const ts = target.dataSync() as Int32Array;
  // count[r][j]: how often class j is listed in row r (PyTorch sums a class listed twice twice)
  const count = new Float64Array(n * classes);
  const listed = new Uint8Array(n * classes);
  for (let r = 0; r < n; r++)
    for (let k = 0; k < classes; k++) {
      const t = ts[r * classes + k]!;
      if (t < -1 || t >= classes) throw new TensileError(`${op}: argument #2 'target' is out of range: ${t} (${classes} classes)`);
      if (t === -1) break;
      count[r * classes + t]! += 1;
      listed[r * classes + t] = 1;
    }
  const pairs = new Float64Array(n * classes * classes);
  for (let r = 0; r < n; r++)
    for (let j = 0; j < classes; j++)
      for (let k = 0; k < classes; k++) pairs[(r * classes + j) * classes + k] = count[r * classes + j]! * (1 - listed[r * classes + k]!);
  const x = input.reshape([n, classes]);
  const w = tensor(pairs, { dtype: x.dtype === "float64" ? "float64" : "float32" }).reshape([n, classes, classes]);
  const h = hinge(x.unsqueeze(1).sub(x.unsqueeze(2)).add(1)); // [r, j, k]: 1 − x_j + x_k
  const loss = h.mul(w).sum(2).sum(1).div(classes);
  return applyReduction(reduction === "none" && input.ndim < 2 ? loss.reshape([]) : loss, reduction);
}

/**
 * ℓ = x where y = 1, max(0, margin − x) where y = −1 (for other y values, both terms, as PyTorch).
 * The input is usually a distance between the two items of a pair; y says similar (1) or not (−1).
 *
 * Shapes: input [*], target broadcastable to it → scalar, or [*] with `reduction: "none"`.
 */
/** PyTorch's positional order (margin, sizeAverage, reduce, reduction; the deprecated sizeAverage and reduce must be null), then an optional options object. */
export function hingeEmbeddingLoss(input: Tensor, target: Tensor, ...args: PositionalArgs<[margin: (ReductionOptions & { margin?: number })["margin"], sizeAverage: null, reduce: null, reduction: (ReductionOptions & { margin?: number })["reduction"]], ReductionOptions & { margin?: number }>): Tensor;
export function hingeEmbeddingLoss(input: Tensor, target: Tensor, options?: ReductionOptions & { margin?: number }): Tensor;
export function hingeEmbeddingLoss(input: Tensor, target: Tensor, ...args: unknown[]): Tensor {
  let options = positionalOptions<ReductionOptions & { margin?: number }>("hingeEmbeddingLoss", args, { keys: ["margin", "sizeAverage", "reduce", "reduction"], deprecated: ["sizeAverage", "reduce"] });
  const { margin = 1, reduction = "mean" } = options ?? {};
  const op = "hingeEmbeddingLoss";
  checkReduction(op, reduction);
  checkBroadcast(op, input, target);
  checkNumber(op, "margin", margin);
  const zero = zerosLike(input);
  const marginTerm = where(target.ne(1), input.neg().add(margin).clamp(0, null), zero);
  const selfTerm = where(target.ne(-1), input, zero);
  return applyReduction(marginTerm.add(selfTerm), reduction);
}

export interface TripletMarginLossOptions extends ReductionOptions {
  /** Default 1. */
  margin?: number;
  /** The norm of the pairwise distance (default 2). */
  p?: number;
  /** Added to the differences before the norm (default 1e-6), as `F.pairwiseDistance`. */
  eps?: number;
  /** Use min(d(a, n), d(p, n)) as the negative distance (the distance swap; default false). */
  swap?: boolean;
}

/**
 * ℓ = max(0, d(a, p) − d(a, n) + margin), d the p-norm pairwise distance: pulls the anchor towards
 * the positive and away from the negative.
 *
 * Shapes: anchor, positive, negative [N, D] (or [D], or [*, D]; same number of dims, broadcastable)
 * → scalar, or [N] with `reduction: "none"`.
 */
/** PyTorch's positional order (margin, p, eps, swap, sizeAverage, reduce, reduction; the deprecated sizeAverage and reduce must be null), then an optional options object. */
export function tripletMarginLoss(anchor: Tensor, positive: Tensor, negative: Tensor, ...args: PositionalArgs<[margin: (TripletMarginLossOptions)["margin"], p: (TripletMarginLossOptions)["p"], eps: (TripletMarginLossOptions)["eps"], swap: (TripletMarginLossOptions)["swap"], sizeAverage: null, reduce: null, reduction: (TripletMarginLossOptions)["reduction"]], TripletMarginLossOptions>): Tensor;
export function tripletMarginLoss(anchor: Tensor, positive: Tensor, negative: Tensor, options?: TripletMarginLossOptions): Tensor;
export function tripletMarginLoss(anchor: Tensor, positive: Tensor, negative: Tensor, ...args: unknown[]): Tensor {
  let options = positionalOptions<TripletMarginLossOptions>("tripletMarginLoss", args, { keys: ["margin", "p", "eps", "swap", "sizeAverage", "reduce", "reduction"], deprecated: ["sizeAverage", "reduce"] });
  const { margin = 1, p = 2, eps = 1e-6, swap = false, reduction = "mean" } = options ?? {};
  const op = "tripletMarginLoss";
  assertTensor(op, anchor, "anchor");
  assertTensor(op, positive, "positive");
  assertTensor(op, negative, "negative");
  checkReduction(op, reduction);
  checkNumber(op, "margin", margin);
  checkNumber(op, "p", p);
  checkNumber(op, "eps", eps);
  if (anchor.ndim !== positive.ndim || anchor.ndim !== negative.ndim)
    throw new TensileError(
      `${op}: All inputs should have same dimension but got ${anchor.ndim}D, ${positive.ndim}D and ${negative.ndim}D inputs ` +
        `(anchor ${fmtShape(anchor.shape)}, positive ${fmtShape(positive.shape)}, negative ${fmtShape(negative.shape)}).`,
    );
  const distance = (a: Tensor, b: Tensor): Tensor => pairwiseDistance(a, b, p, eps);
  return tripletFromDistances(anchor, positive, negative, distance, margin, swap, reduction);
}

function tripletFromDistances(
  anchor: Tensor, positive: Tensor, negative: Tensor, distance: (a: Tensor, b: Tensor) => Tensor, margin: number, swap: boolean, reduction: Reduction,
): Tensor {
  const dPos = distance(anchor, positive);
  let dNeg = distance(anchor, negative);
  if (swap) dNeg = dNeg.minimum(distance(positive, negative));
  return applyReduction(hinge(dPos.sub(dNeg).add(margin)), reduction);
}

/** A distance: a function of two tensors, or a module whose `forward` takes two (nn.PairwiseDistance, nn.CosineSimilarity ...). */
export type DistanceFunction = ((x1: Tensor, x2: Tensor) => Tensor) | Module;

export interface TripletMarginWithDistanceLossOptions extends ReductionOptions {
  /** Default `F.pairwiseDistance` (the Euclidean distance). */
  distanceFunction?: DistanceFunction | null;
  /** Default 1. */
  margin?: number;
  /** Use min(d(a, n), d(p, n)) as the negative distance (default false). */
  swap?: boolean;
}

/** The distance as a checked function of two tensors. */
function distanceCall(op: string, f: DistanceFunction | null | undefined): (a: Tensor, b: Tensor) => Tensor {
  if (f === null || f === undefined) return (a, b) => pairwiseDistance(a, b);
  const call = f instanceof Module ? (a: Tensor, b: Tensor): unknown => f.forward(a, b) : typeof f === "function" ? f : null;
  if (!call) throw new TensileError(`${op}: distanceFunction must be a function or a Module, got ${typeof f}`);
  return (a, b) => {
    const d = call(a, b);
    if (!(d instanceof Tensor)) throw new TensileError(`${op}: distanceFunction must return a Tensor, got ${typeof d}`);
    return d;
  };
}

/**
 * `tripletMarginLoss` with any distance: ℓ = max(0, d(a, p) − d(a, n) + margin).
 *
 * Shapes: as the distance function takes them; the loss has the distances' shape with
 * `reduction: "none"`.
 * ```ts
 * F.tripletMarginWithDistanceLoss(a, p, n, { distanceFunction: (x, y) => F.cosineSimilarity(x, y).neg().add(1) });
 * ```
 */
export function tripletMarginWithDistanceLoss(
  anchor: Tensor, positive: Tensor, negative: Tensor, options: TripletMarginWithDistanceLossOptions = {},
): Tensor {
  checkOptionsObject("tripletMarginWithDistanceLoss", "options (PyTorch's parameters here are keyword-only)", options);
  const { distanceFunction = null, margin = 1, swap = false, reduction = "mean" } = options ?? {};
  const op = "tripletMarginWithDistanceLoss";
  assertTensor(op, anchor, "anchor");
  assertTensor(op, positive, "positive");
  assertTensor(op, negative, "negative");
  checkReduction(op, reduction);
  checkNumber(op, "margin", margin);
  return tripletFromDistances(anchor, positive, negative, distanceCall(op, distanceFunction), margin, swap, reduction);
}
