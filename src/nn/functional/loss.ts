/**
 * Regression, divergence and ranking losses, written over core ops so autograd supplies the
 * backward. Classification losses (cross-entropy, NLL, BCE) are in `classification.ts`.
 */
import { Tensor, onesLike, where, zerosLike } from "../../core.js";
import { TensileError, fmtShape } from "../../errors.js";
import { type Reduction, type ReductionOptions, applyReduction, checkBroadcast, checkReduction } from "./reduction.js";
import { assertTensor } from "../../ops/util.js";

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
export function mseLoss(input: Tensor, target: Tensor, options: ReductionOptions = {}): Tensor {
  const { reduction = "mean" } = options ?? {};
  return elementwise("mseLoss", input, target, reduction, (d) => d.mul(d));
}

/** Mean absolute error: ℓ = |x − y| (see `mseLoss` for shapes). */
export function l1Loss(input: Tensor, target: Tensor, options: ReductionOptions = {}): Tensor {
  const { reduction = "mean" } = options ?? {};
  return elementwise("l1Loss", input, target, reduction, (d) => d.abs());
}

/**
 * Smooth L1: ℓ = 0.5·d²/β if |d| < β else |d| − 0.5·β, d = x − y (β = 0 gives L1).
 * ```ts
 * F.smoothL1Loss(tensor([0, 3]), tensor([0.5, 0]), { beta: 1 }); // (0.125 + 2.5) / 2
 * ```
 */
export function smoothL1Loss(input: Tensor, target: Tensor, options: ReductionOptions & { beta?: number } = {}): Tensor {
  const { reduction = "mean", beta = 1 } = options ?? {};
  if (!(beta >= 0)) throw new TensileError(`smoothL1Loss: smooth_l1_loss does not support negative values for beta, got ${beta}`);
  return elementwise("smoothL1Loss", input, target, reduction, (d) => {
    const z = d.abs();
    return beta === 0 ? z : where(z.lt(beta), z.mul(z).mul(0.5 / beta), z.sub(0.5 * beta));
  });
}

/** Huber: ℓ = 0.5·d² if |d| < δ else δ·(|d| − 0.5·δ), d = x − y (δ > 0). */
export function huberLoss(input: Tensor, target: Tensor, options: ReductionOptions & { delta?: number } = {}): Tensor {
  const { reduction = "mean", delta = 1 } = options ?? {};
  if (!(delta > 0)) throw new TensileError(`huberLoss: huber_loss does not support non-positive values for delta, got ${delta}`);
  return elementwise("huberLoss", input, target, reduction, (d) => {
    const z = d.abs();
    return where(z.lt(delta), z.mul(z).mul(0.5), z.sub(0.5 * delta).mul(delta));
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
export function klDiv(
  input: Tensor,
  target: Tensor,
  options: { reduction?: Reduction | "batchmean"; logTarget?: boolean } = {},
): Tensor {
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
export function cosineEmbeddingLoss(
  input1: Tensor,
  input2: Tensor,
  target: Tensor,
  options: ReductionOptions & { margin?: number } = {},
): Tensor {
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
export function marginRankingLoss(
  input1: Tensor,
  input2: Tensor,
  target: Tensor,
  options: ReductionOptions & { margin?: number } = {},
): Tensor {
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
