import { type Tensor, TensileError, zerosLike } from "../core.js";
import { type ParamGroup, type Params, Optimizer, checkNonNegative, checkOptionNames, fmt, dropImplementationSwitches } from "./optimizer.js";
import { type WithOptions, positionalOptions } from "../utils/positional.js";

export interface AdadeltaOptions {
  /** PyTorch's implementation switch: accepted and ignored (Tensile computes what PyTorch's default single-tensor path does). */
  foreach?: boolean | null;
  /** Coefficient γ that scales the delta before it is applied (default 1.0). */
  lr?: number;
  /** Decay ρ of the running averages (default 0.9). */
  rho?: number;
  /** Term ε added inside the square roots (default 1e-6). */
  eps?: number;
  /** L2 penalty λ (default 0). */
  weightDecay?: number;
  /** Maximize the objective instead of minimizing (default false). */
  maximize?: boolean;
}

export interface AdadeltaParamGroup extends ParamGroup {
  rho: number; eps: number; weightDecay: number; maximize: boolean;
}

const OPTIONS = ["lr", "rho", "eps", "weightDecay", "maximize"] as const;

function validate(o: Record<string, unknown>): void {
  checkNonNegative("Adadelta", "learning rate", o.lr);
  if (o.rho !== undefined && !(typeof o.rho === "number" && o.rho >= 0 && o.rho <= 1))
    throw new TensileError(`Adadelta: invalid rho value: ${fmt(o.rho)}`);
  checkNonNegative("Adadelta", "epsilon value", o.eps);
  checkNonNegative("Adadelta", "weightDecay value", o.weightDecay);
}

/**
 * Adadelta (PyTorch's `torch.optim.Adadelta`; Zeiler, 2012). The rule is in `adadelta`.
 * Per-parameter state: `step`, `squareAvg`, `accDelta`.
 */
export class Adadelta extends Optimizer<AdadeltaParamGroup> {
  constructor(params: Params<AdadeltaOptions>, options?: AdadeltaOptions);
  /** PyTorch's positional order (lr, rho, eps, weightDecay, foreach), then an optional options object. */
  constructor(params: Params<AdadeltaOptions>, ...args: WithOptions<[lr: number, rho: number, eps: number, weightDecay: number, foreach: boolean | null], AdadeltaOptions>);
  constructor(params: Params<AdadeltaOptions>, ...args: unknown[]) {
    const options = dropImplementationSwitches("Adadelta", positionalOptions<AdadeltaOptions>("Adadelta", args, { keys: ["lr", "rho", "eps", "weightDecay", "foreach"], ignore: ["foreach"], after: "params" }), ["foreach"]);
    checkOptionNames("Adadelta", options, OPTIONS);
    const defaults = {
      lr: options.lr ?? 1.0, rho: options.rho ?? 0.9, eps: options.eps ?? 1e-6,
      weightDecay: options.weightDecay ?? 0, maximize: options.maximize ?? false,
    };
    validate(defaults);
    super("Adadelta", params, defaults);
  }

  protected validateGroup(group: Record<string, unknown>): void {
    validate(group);
  }

  protected updateGroup(group: AdadeltaParamGroup): void {
    const { params, grads, state } = this.gather<AdadeltaState>(group, (s, p) => {
      if (s.step === undefined) {
        s.step = 0;
        s.squareAvg = zerosLike(p);
        s.accDelta = zerosLike(p);
      }
      (s.step as number)++;
    });
    adadelta(params, grads, state, group);
  }
}

export interface AdadeltaState {
  step: number;
  squareAvg: Tensor;
  accDelta: Tensor;
}

export interface AdadeltaUpdate {
  lr: number; rho: number; eps: number; weightDecay: number; maximize: boolean;
}

/**
 * One Adadelta step over `params` (updated in place, with their `state`). With θ the parameter, g its
 * gradient, v the squared-gradient average and u the squared-delta average:
 *
 *     g ← −g                                  if maximize
 *     g ← g + λ·θ                             if λ ≠ 0 (weightDecay)
 *     v ← ρ·v + (1 − ρ)·g²
 *     Δ ← √(u + ε) / √(v + ε) · g
 *     u ← ρ·u + (1 − ρ)·Δ²
 *     θ ← θ − γ·Δ
 */
export function adadelta(params: readonly Tensor[], grads: readonly Tensor[], state: readonly AdadeltaState[], o: AdadeltaUpdate): void {
  const { lr, rho, eps, weightDecay, maximize } = o;
  params.forEach((p, i) => {
    const s = state[i]!;
    let g = maximize ? grads[i]!.neg() : grads[i]!;
    if (weightDecay !== 0) g = g.add(p, { alpha: weightDecay });
    s.squareAvg.mul_(rho).addcmul_(g, g, { value: 1 - rho });
    const std = s.squareAvg.add(eps).sqrt();
    const delta = s.accDelta.add(eps).sqrt().div(std).mul(g);
    s.accDelta.mul_(rho).addcmul_(delta, delta, { value: 1 - rho });
    p.add_(delta, { alpha: -lr });
  });
}
