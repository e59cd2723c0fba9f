import { type Tensor, zerosLike } from "../core.js";
import { validateAdamOptions } from "./adam.js";
import { type ParamGroup, type Params, Optimizer, checkOptionNames, dropImplementationSwitches } from "./optimizer.js";
import { type WithOptions, positionalOptions } from "../utils/positional.js";

export interface AdamaxOptions {
  /** PyTorch's implementation switch: accepted and ignored (Tensile computes what PyTorch's default single-tensor path does). */
  foreach?: boolean | null;
  /** Learning rate γ (default 2e-3). */
  lr?: number;
  /** Decay rates [β1, β2] of the first moment and the infinity norm (default [0.9, 0.999]). */
  betas?: [number, number];
  /** Term ε added to |g| before the infinity-norm update (default 1e-8). */
  eps?: number;
  /** L2 penalty λ (default 0). */
  weightDecay?: number;
  /** Maximize the objective instead of minimizing (default false). */
  maximize?: boolean;
}

export interface AdamaxParamGroup extends ParamGroup {
  betas: [number, number]; eps: number; weightDecay: number; maximize: boolean;
}

const OPTIONS = ["lr", "betas", "eps", "weightDecay", "maximize"] as const;

/**
 * Adamax, Adam with the infinity norm (PyTorch's `torch.optim.Adamax`; Kingma & Ba, 2014, §7).
 * The rule is in `adamax`. Per-parameter state: `step`, `expAvg`, `expInf`.
 */
export class Adamax extends Optimizer<AdamaxParamGroup> {
  constructor(params: Params<AdamaxOptions>, options?: AdamaxOptions);
  /** PyTorch's positional order (lr, betas, eps, weightDecay, foreach), then an optional options object. */
  constructor(params: Params<AdamaxOptions>, ...args: WithOptions<[lr: number, betas: [number, number], eps: number, weightDecay: number, foreach: boolean | null], AdamaxOptions>);
  constructor(params: Params<AdamaxOptions>, ...args: unknown[]) {
    const options = dropImplementationSwitches("Adamax", positionalOptions<AdamaxOptions>("Adamax", args, { keys: ["lr", "betas", "eps", "weightDecay", "foreach"], ignore: ["foreach"], after: "params" }), ["foreach"]);
    checkOptionNames("Adamax", options, OPTIONS);
    const defaults = {
      lr: options.lr ?? 2e-3, betas: options.betas ?? [0.9, 0.999], eps: options.eps ?? 1e-8,
      weightDecay: options.weightDecay ?? 0, maximize: options.maximize ?? false,
    };
    validateAdamOptions("Adamax", defaults);
    super("Adamax", params, defaults);
  }

  protected validateGroup(group: Record<string, unknown>): void {
    validateAdamOptions("Adamax", group);
  }

  protected updateGroup(group: AdamaxParamGroup): void {
    const { params, grads, state } = this.gather<AdamaxState>(group, (s, p) => {
      if (s.step === undefined) {
        s.step = 0;
        s.expAvg = zerosLike(p);
        s.expInf = zerosLike(p);
      }
    });
    const [beta1, beta2] = group.betas;
    adamax(params, grads, state, { ...group, beta1, beta2 });
  }
}

export interface AdamaxState {
  step: number;
  expAvg: Tensor;
  expInf: Tensor;
}

export interface AdamaxUpdate {
  lr: number; beta1: number; beta2: number; eps: number; weightDecay: number; maximize: boolean;
}

/**
 * One Adamax step over `params` (updated in place, with their `state`). With θ the parameter, g its
 * gradient, m the first moment, u the infinity norm and t the step count after increment:
 *
 *     t ← t + 1
 *     g ← −g                                  if maximize
 *     g ← g + λ·θ                             if λ ≠ 0 (weightDecay)
 *     m ← β1·m + (1 − β1)·g
 *     u ← max(β2·u, |g| + ε)
 *     θ ← θ − (γ / (1 − β1^t)) · m / u
 */
export function adamax(params: readonly Tensor[], grads: readonly Tensor[], state: readonly AdamaxState[], o: AdamaxUpdate): void {
  const { lr, beta1, beta2, eps, weightDecay, maximize } = o;
  params.forEach((p, i) => {
    const s = state[i]!;
    s.step += 1;
    let g = maximize ? grads[i]!.neg() : grads[i]!;
    if (weightDecay !== 0) g = g.add(p, { alpha: weightDecay });
    s.expAvg.mul_(beta1).add_(g, { alpha: 1 - beta1 });
    s.expInf.copy_(s.expInf.mul(beta2).maximum(g.abs().add(eps)));
    const clr = lr / (1 - beta1 ** s.step);
    p.addcdiv_(s.expAvg, s.expInf, { value: -clr });
  });
}
