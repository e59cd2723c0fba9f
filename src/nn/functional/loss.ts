/**
 * Regression, divergence and ranking losses, written over core ops so autograd supplies the
 * backward. Classification losses (cross-entropy, NLL, BCE) are in `classification.ts`.
 */
import { Tensor, onesLike, where, zerosLike } from "../../core.js";
import { TensileError, fmtShape } from "../../errors.js";
import { type Reduction, type ReductionOptions, applyReduction, checkBroadcast, checkReduction } from "./reduction.js";
import { assertTensor } from "../../ops/util.js";
import { type PositionalArgs, positionalOptions } from "../../utils/positional.js";

function elementwise(op: string, input: Tensor, target: Tensor, reduction: Reduction, f: (d: Tensor) => Tensor): Tensor {
  checkReduction(op, reduction);
  checkBroadcast(op, input, target);
  return applyReduction(f(input.sub(target)), reduction);
}

/**
 * Mean squared error: ℓ = (x − y)², reduced by `reduction` (default mean).
 *
 * Shapes: input [*], target broadcastable to it → scalar, or [*] with `reduction: "none"`.
 * ```ts
 * F.mseLoss(tensor([1, 2]), tensor([1, 4])); // 2
 * ```
 */
/** PyTorch's positional order (sizeAverage, reduce, reduction; the deprecated sizeAverage and reduce must be null), then an optional options object. */
export function mseLoss(input: Tensor, target: Tensor, ...args: PositionalArgs<[sizeAverage: null, reduce: null, reduction: (ReductionOptions)["reduction"]], ReductionOptions>): Tensor;
export function mseLoss(input: Tensor, target: Tensor, options?: ReductionOptions): Tensor;
export function mseLoss(input: Tensor, target: Tensor, ...args: unknown[]): Tensor {
  let options = positionalOptions<ReductionOptions>("mseLoss", args, { keys: ["sizeAverage", "reduce", "reduction"], deprecated: ["sizeAverage", "reduce"] });
  const { reduction = "mean" } = options ?? {};
  return elementwise("mseLoss", input, target, reduction, (d) => d.mul(d));
}

/** Mean absolute error: ℓ = |x − y| (see `mseLoss` for shapes). */
/** PyTorch's positional order (sizeAverage, reduce, reduction; the deprecated sizeAverage and reduce must be null), then an optional options object. */
export function l1Loss(input: Tensor, target: Tensor, ...args: PositionalArgs<[sizeAverage: null, reduce: null, reduction: (ReductionOptions)["reduction"]], ReductionOptions>): Tensor;
export function l1Loss(input: Tensor, target: Tensor, options?: ReductionOptions): Tensor;
export function l1Loss(input: Tensor, target: Tensor, ...args: unknown[]): Tensor {
  let options = positionalOptions<ReductionOptions>("l1Loss", args, { keys: ["sizeAverage", "reduce", "reduction"], deprecated: ["sizeAverage", "reduce"] });
  const { reduction = "mean" } = options ?? {};
  return elementwise("l1Loss", input, target, reduction, (d) => d.abs());
}

/**
 * Smooth L1: ℓ = 0.5·d²/β if |d| < β else |d| − 0.5·β, d = x − y (β = 0 gives L1).
 * ```ts
 * F.smoothL1Loss(tensor([0, 3]), tensor([0.5, 0]), { beta: 1 }); // (0.125 + 2.5) / 2
 * ```
 */
/** PyTorch's positional order (sizeAverage, reduce, reduction, beta; the deprecated sizeAverage and reduce must be null), then an optional options object. */
export function smoothL1Loss(input: Tensor, target: Tensor, ...args: PositionalArgs<[sizeAverage: null, reduce: null, reduction: (ReductionOptions & { beta?: number })["reduction"], beta: (ReductionOptions & { beta?: number })["beta"]], ReductionOptions & { beta?: number }>): Tensor;
export function smoothL1Loss(input: Tensor, target: Tensor, options?: ReductionOptions & { beta?: number }): Tensor;
export function smoothL1Loss(input: Tensor, target: Tensor, ...args: unknown[]): Tensor {
  let options = positionalOptions<ReductionOptions & { beta?: number }>("smoothL1Loss", args, { keys: ["sizeAverage", "reduce", "reduction", "beta"], deprecated: ["sizeAverage", "reduce"] });
  const { reduction = "mean", beta = 1 } = options ?? {};
  if (!(beta >= 0)) throw new TensileError(`smoothL1Loss: smooth_l1_loss does not support negative values for beta, got ${beta}`);
  return elementwise("smoothL1Loss", input, target, reduction, (d) => {
    const z = d.abs();
    // d·d, not |d|·|d| (whose second derivative is 0 at d = 0): PyTorch's is 1/β for |d| < β
    return beta === 0 ? z : where(z.lt(beta), d.mul(d).mul(0.5 / beta), z.sub(0.5 * beta));
  });
}

/** Huber: ℓ = 0.5·d² if |d| < δ else δ·(|d| − 0.5·δ), d = x − y (δ > 0). */
/** PyTorch's positional order (reduction, delta), then an optional options object. */
export function huberLoss(input: Tensor, target: Tensor, ...args: PositionalArgs<[reduction: (ReductionOptions & { delta?: number })["reduction"], delta: (ReductionOptions & { delta?: number })["delta"]], ReductionOptions & { delta?: number }>): Tensor;
export function huberLoss(input: Tensor, target: Tensor, options?: ReductionOptions & { delta?: number }): Tensor;
export function huberLoss(input: Tensor, target: Tensor, ...args: unknown[]): Tensor {
  let options = positionalOptions<ReductionOptions & { delta?: number }>("huberLoss", args, { keys: ["reduction", "delta"] });
  const { reduction = "mean", delta = 1 } = options ?? {};
  if (!(delta > 0)) throw new TensileError(`huberLoss: huber_loss does not support non-positive values for delta, got ${delta}`);
  return elementwise("huberLoss", input, target, reduction, (d) => {
    const z = d.abs();
    return where(z.lt(delta), d.mul(d).mul(0.5), z.sub(0.5 * delta).mul(delta)); // d·d: as smoothL1Loss's
  });
}

/**
 * Kullback–Leibler divergence with `input` = log q (log-probabilities) and `target` = p:
 * ℓ = p·(log p − log q), with 0·log 0 = 0; with `logTarget`, target = log p and ℓ = e^{log p}·(log p − log q).
 * `reduction: "batchmean"` divides the sum by the batch size, the true KL divergence per sample;
 * `"mean"` (the default, as PyTorch's) averages over every element.
 *
 * Shapes: input [*], target same → scalar, or [*] with `reduction: "none"`.
 */
/** PyTorch's positional order (sizeAverage, reduce, reduction, logTarget; the deprecated sizeAverage and reduce must be null), then an optional options object. */
export function klDiv(input: Tensor, target: Tensor, ...args: PositionalArgs<[sizeAverage: null, reduce: null, reduction: Reduction | "batchmean", logTarget: boolean],
  { reduction?: Reduction | "batchmean"; logTarget?: boolean }>): Tensor;
export function klDiv(input: Tensor, target: Tensor, options?: { reduction?: Reduction | "batchmean"; logTarget?: boolean }): Tensor;
export function klDiv(input: Tensor, target: Tensor, ...args: unknown[]): Tensor {
  const options = positionalOptions<{ reduction?: Reduction | "batchmean"; logTarget?: boolean }>("klDiv", args,
    { keys: ["sizeAverage", "reduce", "reduction", "logTarget"], deprecated: ["sizeAverage", "reduce"] });
  const { reduction = "mean", logTarget = false } = options ?? {};
  const op = "klDiv";
  checkReduction(op, reduction, ["none", "mean", "sum", "batchmean"]);
  checkBroadcast(op, input, target);
  let loss: Tensor;
  if (logTarget) loss = target.exp().mul(target.sub(input));
  else {
    // xlogy(p, p) with a log argument that is never 0, so no 0·∞ reaches the gradient.
    const positive = target.gt(0);
    const safe = where(positive, target, onesLike(target));
    loss = target.mul(safe.log()).sub(target.mul(input));
  }
  if (reduction === "batchmean") return input.ndim === 0 ? loss.sum() : loss.sum().div(input.shape[0]!);
  return applyReduction(loss, reduction);
}

/**
 * ℓ = 1 − cos(x1, x2) where y = 1, max(0, cos(x1, x2) − margin) where y = −1, with
 * cos = Σ x1·x2 / √((Σ x1² + ε)(Σ x2² + ε)), ε = 1e-12.
 *
 * Shapes: x1, x2 [N, D] with y [N], or x1, x2 [D] with y [] → scalar, or [N] with `reduction: "none"`.
 */
/** PyTorch's positional order (margin, sizeAverage, reduce, reduction; the deprecated sizeAverage and reduce must be null), then an optional options object. */
export function cosineEmbeddingLoss(input1: Tensor, input2: Tensor, target: Tensor, ...args: PositionalArgs<[margin: (ReductionOptions & { margin?: number })["margin"], sizeAverage: null, reduce: null, reduction: (ReductionOptions & { margin?: number })["reduction"]], ReductionOptions & { margin?: number }>): Tensor;
export function cosineEmbeddingLoss(input1: Tensor, input2: Tensor, target: Tensor, options?: ReductionOptions & { margin?: number }): Tensor;
export function cosineEmbeddingLoss(input1: Tensor, input2: Tensor, target: Tensor, ...args: unknown[]): Tensor {
  let options = positionalOptions<ReductionOptions & { margin?: number }>("cosineEmbeddingLoss", args, { keys: ["margin", "sizeAverage", "reduce", "reduction"], deprecated: ["sizeAverage", "reduce"] });
  const { margin = 0, reduction = "mean" } = options ?? {};
  const op = "cosineEmbeddingLoss";
  for (const [t, what] of [[input1, "input1"], [input2, "input2"], [target, "target"]] as const) assertTensor(op, t, what);
  checkReduction(op, reduction);
  if (target.ndim > 1) throw new TensileError(`${op}: 0D or 1D target tensor expected, multi-target not supported (got target shape ${fmtShape(target.shape)})`);
  const want = target.ndim + 1;
  if (input1.ndim !== want || input2.ndim !== want)
    throw new TensileError(
      `${op}: ${target.ndim}D target tensor expects ${want}D input tensors, but found inputs with sizes ${fmtShape(input1.shape)} and ${fmtShape(input2.shape)}`,
    );
  if (input1.shape.some((d, i) => d !== input2.shape[i]) || (want === 2 && input1.shape[0] !== target.shape[0]))
    throw new TensileError(`${op}: input shapes ${fmtShape(input1.shape)}, ${fmtShape(input2.shape)} and target shape ${fmtShape(target.shape)} do not match`);
  const dim = want - 1;
  const eps = 1e-12;
  const prod = input1.mul(input2).sum(dim);
  const mag1 = input1.mul(input1).sum(dim).add(eps);
  const mag2 = input2.mul(input2).sum(dim).add(eps);
  const cos = prod.div(mag1.mul(mag2).sqrt());
  const zero = zerosLike(cos);
  const pos = where(target.eq(1), cos.neg().add(1), zero);
  const neg = where(target.eq(-1), cos.sub(margin).clamp(0, null), zero);
  return applyReduction(pos.add(neg), reduction);
}

/**
 * ℓ = max(0, −y·(x1 − x2) + margin): y = 1 means x1 should rank higher than x2, y = −1 lower.
 *
 * Shapes: x1, x2, y all [N] (or all []) → scalar, or [N] with `reduction: "none"`.
 */
/** PyTorch's positional order (margin, sizeAverage, reduce, reduction; the deprecated sizeAverage and reduce must be null), then an optional options object. */
export function marginRankingLoss(input1: Tensor, input2: Tensor, target: Tensor, ...args: PositionalArgs<[margin: (ReductionOptions & { margin?: number })["margin"], sizeAverage: null, reduce: null, reduction: (ReductionOptions & { margin?: number })["reduction"]], ReductionOptions & { margin?: number }>): Tensor;
export function marginRankingLoss(input1: Tensor, input2: Tensor, target: Tensor, options?: ReductionOptions & { margin?: number }): Tensor;
export function marginRankingLoss(input1: Tensor, input2: Tensor, target: Tensor, ...args: unknown[]): Tensor {
  let options = positionalOptions<ReductionOptions & { margin?: number }>("marginRankingLoss", args, { keys: ["margin", "sizeAverage", "reduce", "reduction"], deprecated: ["sizeAverage", "reduce"] });
  const { margin = 0, reduction = "mean" } = options ?? {};
  const op = "marginRankingLoss";
  for (const [t, what] of [[input1, "input1"], [input2, "input2"], [target, "target"]] as const) assertTensor(op, t, what);
  checkReduction(op, reduction);
  if (input1.ndim !== input2.ndim || input1.ndim !== target.ndim)
    throw new TensileError(
      `${op}: all input tensors should have same dimension but got sizes: input1: ${fmtShape(input1.shape)}, input2: ${fmtShape(input2.shape)}, target: ${fmtShape(target.shape)}`,
    );
  checkBroadcast(op, input1, input2, "input1", "input2");
  checkBroadcast(op, input1, target, "input1", "target");
  return applyReduction(target.neg().mul(input1.sub(input2)).add(margin).clamp(0, null), reduction);
}

// ---- likelihood losses: Poisson and Gaussian negative log-likelihood ----

export interface PoissonNllLossOptions extends ReductionOptions {
  /** The input is log λ (default true): ℓ = e^x − y·x; else λ itself: ℓ = x − y·log(x + eps). */
  logInput?: boolean;
  /** Add Stirling's approximation of log(y!), y·log y − y + ½·log(2πy), where y > 1 (default false). */
  full?: boolean;
  /** Keeps log(x + eps) finite at x = 0 when `logInput` is false (default 1e-8). */
  eps?: number;
}

/**
 * Negative log-likelihood of a target y under a Poisson distribution of rate λ (the constant log(y!)
 * left out unless `full`): ℓ = e^x − y·x with `logInput` (x = log λ, the default), x − y·log(x + eps)
 * otherwise.
 *
 * Shapes: input [*], target broadcastable to it → scalar, or [*] with `reduction: "none"`.
 */
/** PyTorch's positional order (logInput, full, sizeAverage, eps, reduce, reduction; the deprecated sizeAverage and reduce must be null), then an optional options object. */
export function poissonNllLoss(input: Tensor, target: Tensor, ...args: PositionalArgs<[logInput: (PoissonNllLossOptions)["logInput"], full: (PoissonNllLossOptions)["full"], sizeAverage: null, eps: (PoissonNllLossOptions)["eps"], reduce: null, reduction: (PoissonNllLossOptions)["reduction"]], PoissonNllLossOptions>): Tensor;
export function poissonNllLoss(input: Tensor, target: Tensor, options?: PoissonNllLossOptions): Tensor;
export function poissonNllLoss(input: Tensor, target: Tensor, ...args: unknown[]): Tensor {
  let options = positionalOptions<PoissonNllLossOptions>("poissonNllLoss", args, { keys: ["logInput", "full", "sizeAverage", "eps", "reduce", "reduction"], deprecated: ["sizeAverage", "reduce"] });
  const { logInput = true, full = false, eps = 1e-8, reduction = "mean" } = options ?? {};
  const op = "poissonNllLoss";
  checkReduction(op, reduction);
  checkBroadcast(op, input, target);
  if (typeof eps !== "number") throw new TensileError(`${op}: eps must be a number, got ${String(eps)}`);
  let loss = logInput ? input.exp().sub(target.mul(input)) : input.sub(target.mul(input.add(eps).log()));
  if (full) {
    // the log arguments see only y > 1, so the masked entries give no NaN to the gradient
    const big = target.gt(1);
    const y = where(big, target, onesLike(target));
    const stirling = y.mul(y.log()).sub(y).add(y.mul(2 * Math.PI).log().mul(0.5));
    loss = loss.add(where(big, stirling, zerosLike(stirling)));
  }
  return applyReduction(loss, reduction);
}

export interface GaussianNllLossOptions extends ReductionOptions {
  /** Add the constant ½·log(2π) (default false). */
  full?: boolean;
  /** Variances below eps count as eps (default 1e-6). */
  eps?: number;
}

/**
 * Negative log-likelihood of a target under a Gaussian of mean `input` and variance `var`:
 * ℓ = ½·(log max(var, eps) + (input − target)² / max(var, eps)) (+ ½·log 2π with `full`). As PyTorch 1.13,
 * the clamp to eps is made outside autograd: the gradient reaches `var` as if unclamped.
 *
 * Shapes: input [*, D], target broadcastable to it, var [*, D] (one variance per element), [*] or
 * [*, 1] (one per sample, shared along the last dim) → scalar, or input's shape with `reduction: "none"`.
 */
/** PyTorch's positional order (full, eps, reduction), then an optional options object. */
export function gaussianNllLoss(input: Tensor, target: Tensor, variance: Tensor, ...args: PositionalArgs<[full: (GaussianNllLossOptions)["full"], eps: (GaussianNllLossOptions)["eps"], reduction: (GaussianNllLossOptions)["reduction"]], GaussianNllLossOptions>): Tensor;
export function gaussianNllLoss(input: Tensor, target: Tensor, variance: Tensor, options?: GaussianNllLossOptions): Tensor;
export function gaussianNllLoss(input: Tensor, target: Tensor, variance: Tensor, ...args: unknown[]): Tensor {
  let options = positionalOptions<GaussianNllLossOptions>("gaussianNllLoss", args, { keys: ["full", "eps", "reduction"] });
  const { full = false, eps = 1e-6, reduction = "mean" } = options ?? {};
  const op = "gaussianNllLoss";
  checkBroadcast(op, input, target);
  assertTensor(op, variance, "var");
  checkReduction(op, reduction);
  if (typeof eps !== "number") throw new TensileError(`${op}: eps must be a number, got ${String(eps)}`);
  const same = (a: readonly number[], b: readonly number[]): boolean => a.length === b.length && a.every((d, i) => d === b[i]);
  let v = variance;
  if (!same(v.shape, input.shape)) {
    const lead = input.shape.slice(0, -1);
    if (input.ndim > 0 && same(lead, v.shape)) v = v.unsqueeze(-1);
    else if (!(input.ndim > 0 && v.ndim > 0 && same(lead, v.shape.slice(0, -1)) && v.shape[v.ndim - 1] === 1))
      throw new TensileError(
        `${op}: var is of incorrect size: ${fmtShape(variance.shape)} for input ${fmtShape(input.shape)} ` +
          "(expected the input's shape, the input's shape without its last dim, or that with a last dim of 1)",
      );
  }
  if (v.lt(0).any().item()) throw new TensileError(`${op}: var has negative entry/entries`);
  // v + (max(v, eps) − v) with the difference a constant: the clamped value, the identity's gradient
  const vd = v.detach();
  v = v.add(vd.clamp(eps, null).sub(vd));
  const d = input.sub(target);
  let loss = v.log().add(d.mul(d).div(v)).mul(0.5);
  if (full) loss = loss.add(0.5 * Math.log(2 * Math.PI));
  return applyReduction(loss, reduction);
}
