import { TensileError } from "../errors.js";
import type { Tensor } from "../core.js";
import type { Module } from "../nn/module.js";

/** Parameters that weight decay conventionally applies to: weights, not biases or norm scales. */
function decayed(model: Module, includeBiases: boolean): Tensor[] {
  return model.namedParameters().filter(([n, p]) => includeBiases || (p.ndim > 1 && !n.endsWith("bias"))).map(([, p]) => p);
}

/** λ·Σ‖w‖² over the model's weight matrices (add to the loss; equals SGD weightDecay = 2λ). */
export function l2Penalty(model: Module, lambda: number, opts: { includeBiases?: boolean } = {}): Tensor {
  opts ??= {};
  if (!(lambda >= 0)) throw new TensileError(`l2Penalty: lambda must be >= 0, got ${lambda}`);
  const ps = decayed(model, opts.includeBiases ?? false);
  if (!ps.length) throw new TensileError("l2Penalty: the model has no weight parameters");
  return ps.map((p) => p.pow(2).sum()).reduce((a, b) => a.add(b)).mul(lambda);
}

/** λ·Σ|w| over the model's weight matrices (sparsity-inducing). */
export function l1Penalty(model: Module, lambda: number, opts: { includeBiases?: boolean } = {}): Tensor {
  opts ??= {};
  if (!(lambda >= 0)) throw new TensileError(`l1Penalty: lambda must be >= 0, got ${lambda}`);
  const ps = decayed(model, opts.includeBiases ?? false);
  if (!ps.length) throw new TensileError("l1Penalty: the model has no weight parameters");
  return ps.map((p) => p.abs().sum()).reduce((a, b) => a.add(b)).mul(lambda);
}
