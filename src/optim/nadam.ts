import { type Tensor, zerosLike } from "../core.js";
import { validateAdamOptions } from "./adam.js";
import { type ParamGroup, type Params, Optimizer, checkNonNegative, checkOptionNames, dropImplementationSwitches } from "./optimizer.js";
import { type WithOptions, positionalOptions } from "../utils/positional.js";

export interface NAdamOptions {
  /** PyTorch's implementation switch: accepted and ignored (Tensile computes what PyTorch's default single-tensor path does). */
  foreach?: boolean | null;
  /** Learning rate γ (default 2e-3). */
  lr?: number;
  /** Decay rates [β1, β2] of the moment estimates (default [0.9, 0.999]). */
  betas?: [number, number];
  /** Term ε added to the denominator (default 1e-8). */
  eps?: number;
  /** L2 penalty λ (default 0). */
  weightDecay?: number;
  /** Momentum decay ψ of the momentum schedule (default 4e-3). */
  momentumDecay?: number;
}

export interface NAdamParamGroup extends ParamGroup {
  betas: [number, number]; eps: number; weightDecay: number; momentumDecay: number;
}

const OPTIONS = ["lr", "betas", "eps", "weightDecay", "momentumDecay"] as const;

function validate(o: Record<string, unknown>): void {
  validateAdamOptions("NAdam", o);
  checkNonNegative("NAdam", "momentumDecay value", o.momentumDecay);
}

/**
 * NAdam, Adam with Nesterov momentum (PyTorch's `torch.optim.NAdam`; Dozat, 2016). The rule is in
 * `nadam`. Per-parameter state: `step`, `muProduct`, `expAvg`, `expAvgSq`.
 */
export class NAdam extends Optimizer<NAdamParamGroup> {
  constructor(params: Params<NAdamOptions>, options?: NAdamOptions);
  /** PyTorch's positional order (lr, betas, eps, weightDecay, momentumDecay, foreach), then an optional options object. */
  constructor(params: Params<NAdamOptions>, ...args: WithOptions<[lr: number, betas: [number, number], eps: number, weightDecay: number, momentumDecay: number, foreach: boolean | null], NAdamOptions>);
  constructor(params: Params<NAdamOptions>, ...args: unknown[]) {
    const options = dropImplementationSwitches("NAdam", positionalOptions<NAdamOptions>("NAdam", args, { keys: ["lr", "betas", "eps", "weightDecay", "momentumDecay", "foreach"], ignore: ["foreach"], after: "params" }), ["foreach"]);
    checkOptionNames("NAdam", options, OPTIONS);
    const defaults = {
      lr: options.lr ?? 2e-3, betas: options.betas ?? [0.9, 0.999], eps: options.eps ?? 1e-8,
      weightDecay: options.weightDecay ?? 0, momentumDecay: options.momentumDecay ?? 4e-3,
    };
    validate(defaults);
    super("NAdam", params, defaults);
  }

  protected validateGroup(group: Record<string, unknown>): void {
    validate(group);
  }

  protected updateGroup(group: NAdamParamGroup): void {
    const { params, grads, state } = this.gather<NAdamState>(group, (s, p) => {
      if (s.step === undefined) {
        s.step = 0;
        s.muProduct = 1;
        s.expAvg = zerosLike(p);
        s.expAvgSq = zerosLike(p);
      }
    });
    const [beta1, beta2] = group.betas;
    nadam(params, grads, state, { ...group, beta1, beta2 });
  }
}

export interface NAdamState {
  step: number;
  /** Product of the momentum schedule μ_1·…·μ_t, kept in float32 as PyTorch 1.13 does. */
  muProduct: number;
  expAvg: Tensor;
  expAvgSq: Tensor;
}

export interface NAdamUpdate {
  lr: number; beta1: number; beta2: number; eps: number; weightDecay: number; momentumDecay: number;
}

/**
 * One NAdam step over `params` (updated in place, with their `state`). With θ the parameter, g its
 * gradient, m, v the moment estimates and t the step count after increment:
 *
 *     t ← t + 1
 *     g ← g + λ·θ                             if λ ≠ 0 (weightDecay)
 *     μ_t ← β1·(1 − ½·0.96^(t·ψ)),  μ_{t+1} ← β1·(1 − ½·0.96^((t+1)·ψ))     (ψ: momentumDecay)
 *     Π_t ← Π_{t−1}·μ_t                       (muProduct)
 *     m ← β1·m + (1 − β1)·g
 *     v ← β2·v + (1 − β2)·g²
 *     d ← √(v / (1 − β2^t)) + ε
 *     θ ← θ − γ·(1 − μ_t)/(1 − Π_t) · g/d − γ·μ_{t+1}/(1 − Π_t·μ_t·μ_{t+1}) · m/d
 *
 * The last denominator is PyTorch 1.13's (`mu_product * mu * mu_next` after `mu_product *= mu`;
 * Dozat's paper and later PyTorch use Π_t·μ_{t+1}); we follow the oracle. Π and the product in
 * that denominator are rounded to float32 as PyTorch 1.13's float32 `mu_product` tensor does.
 */
export function nadam(params: readonly Tensor[], grads: readonly Tensor[], state: readonly NAdamState[], o: NAdamUpdate): void {
  const { lr, beta1, beta2, eps, weightDecay, momentumDecay } = o;
  const f = Math.fround;
  params.forEach((p, i) => {
    const s = state[i]!;
    s.step += 1;
    const step = s.step;
    const biasCorrection2 = 1 - beta2 ** step;
    let g = grads[i]!;
    if (weightDecay !== 0) g = g.add(p, { alpha: weightDecay });
    const mu = beta1 * (1 - 0.5 * 0.96 ** (step * momentumDecay));
    const muNext = beta1 * (1 - 0.5 * 0.96 ** ((step + 1) * momentumDecay));
    s.muProduct = f(f(s.muProduct) * f(mu));
    const muProductNext = f(f(s.muProduct * f(mu)) * f(muNext));
    s.expAvg.mul_(beta1).add_(g, { alpha: 1 - beta1 });
    s.expAvgSq.mul_(beta2).addcmul_(g, g, { value: 1 - beta2 });
    const denom = s.expAvgSq.div(biasCorrection2).sqrt().add_(eps);
    p.addcdiv_(g, denom, { value: (-lr * (1 - mu)) / (1 - s.muProduct) });
    p.addcdiv_(s.expAvg, denom, { value: (-lr * muNext) / (1 - muProductNext) });
  });
}
