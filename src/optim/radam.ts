import { type Tensor, zerosLike } from "../core.js";
import { validateAdamOptions } from "./adam.js";
import { type ParamGroup, type Params, Optimizer, checkOptionNames, dropImplementationSwitches } from "./optimizer.js";
import { type WithOptions, positionalOptions } from "../utils/positional.js";

export interface RAdamOptions {
  /** PyTorch's implementation switch: accepted and ignored (Tensile computes what PyTorch's default single-tensor path does). */
  foreach?: boolean | null;
  /** Learning rate γ (default 1e-3). */
  lr?: number;
  /** Decay rates [β1, β2] of the moment estimates (default [0.9, 0.999]). */
  betas?: [number, number];
  /** Term ε added to the denominator (default 1e-8). */
  eps?: number;
  /** L2 penalty λ (default 0). */
  weightDecay?: number;
}

export interface RAdamParamGroup extends ParamGroup {
  betas: [number, number]; eps: number; weightDecay: number;
}

const OPTIONS = ["lr", "betas", "eps", "weightDecay"] as const;

/**
 * RAdam, Adam with a rectified adaptive learning rate (PyTorch's `torch.optim.RAdam`; Liu et al.,
 * 2019). The rule is in `radam`. Per-parameter state: `step`, `expAvg`, `expAvgSq`.
 */
export class RAdam extends Optimizer<RAdamParamGroup> {
  constructor(params: Params<RAdamOptions>, options?: RAdamOptions);
  /** PyTorch's positional order (lr, betas, eps, weightDecay, foreach), then an optional options object. */
  constructor(params: Params<RAdamOptions>, ...args: WithOptions<[lr: number, betas: [number, number], eps: number, weightDecay: number, foreach: boolean | null], RAdamOptions>);
  constructor(params: Params<RAdamOptions>, ...args: unknown[]) {
    const options = dropImplementationSwitches("RAdam", positionalOptions<RAdamOptions>("RAdam", args, { keys: ["lr", "betas", "eps", "weightDecay", "foreach"], ignore: ["foreach"], after: "params" }), ["foreach"]);
    checkOptionNames("RAdam", options, OPTIONS);
    const defaults = {
      lr: options.lr ?? 1e-3, betas: options.betas ?? [0.9, 0.999], eps: options.eps ?? 1e-8,
      weightDecay: options.weightDecay ?? 0,
    };
    validateAdamOptions("RAdam", defaults);
    super("RAdam", params, defaults);
  }

  protected validateGroup(group: Record<string, unknown>): void {
    validateAdamOptions("RAdam", group);
  }

  protected updateGroup(group: RAdamParamGroup): void {
    const { params, grads, state } = this.gather<RAdamState>(group, (s, p) => {
      if (s.step === undefined) {
        s.step = 0;
        s.expAvg = zerosLike(p);
        s.expAvgSq = zerosLike(p);
      }
    });
    const [beta1, beta2] = group.betas;
    radam(params, grads, state, { ...group, beta1, beta2 });
  }
}

export interface RAdamState {
  step: number;
  expAvg: Tensor;
  expAvgSq: Tensor;
}

export interface RAdamUpdate {
  lr: number; beta1: number; beta2: number; eps: number; weightDecay: number;
}

/**
 * One RAdam step over `params` (updated in place, with their `state`). With θ the parameter, g its
 * gradient, m, v the moment estimates and t the step count after increment:
 *
 *     t ← t + 1
 *     g ← g + λ·θ                             if λ ≠ 0 (weightDecay)
 *     m ← β1·m + (1 − β1)·g
 *     v ← β2·v + (1 − β2)·g²
 *     m̂ ← m / (1 − β1^t)
 *     ρ∞ ← 2/(1 − β2) − 1,   ρ_t ← ρ∞ − 2t·β2^t/(1 − β2^t)
 *     if ρ_t > 5:  r ← √((ρ_t − 4)(ρ_t − 2)ρ∞ / ((ρ∞ − 4)(ρ∞ − 2)ρ_t))
 *                  θ ← θ − γ·m̂·r·√(1 − β2^t)/(√v + ε)
 *     else:        θ ← θ − γ·m̂                (plain SGD with momentum while the variance is untractable)
 */
export function radam(params: readonly Tensor[], grads: readonly Tensor[], state: readonly RAdamState[], o: RAdamUpdate): void {
  const { lr, beta1, beta2, eps, weightDecay } = o;
  params.forEach((p, i) => {
    const s = state[i]!;
    s.step += 1;
    const step = s.step;
    const biasCorrection1 = 1 - beta1 ** step;
    const biasCorrection2 = 1 - beta2 ** step;
    let g = grads[i]!;
    if (weightDecay !== 0) g = g.add(p, { alpha: weightDecay });
    s.expAvg.mul_(beta1).add_(g, { alpha: 1 - beta1 });
    s.expAvgSq.mul_(beta2).addcmul_(g, g, { value: 1 - beta2 });
    const corrected = s.expAvg.div(biasCorrection1);
    const rhoInf = 2 / (1 - beta2) - 1;
    const rhoT = rhoInf - (2 * step * beta2 ** step) / biasCorrection2;
    if (rhoT > 5) {
      const rect = Math.sqrt(((rhoT - 4) * (rhoT - 2) * rhoInf) / ((rhoInf - 4) * (rhoInf - 2) * rhoT));
      const adaptive = s.expAvgSq.sqrt().add_(eps).reciprocal().mul_(Math.sqrt(biasCorrection2));
      p.add_(corrected.mul(lr).mul_(adaptive).mul_(rect), { alpha: -1 });
    } else {
      p.add_(corrected.mul(lr), { alpha: -1 });
    }
  });
}
