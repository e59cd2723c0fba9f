import { type Tensor, zerosLike } from "../core.js";
import { type ParamGroup, type Params, Optimizer, checkNonNegative, checkOptionNames, dropImplementationSwitches } from "./optimizer.js";
import { type WithOptions, positionalOptions } from "../utils/positional.js";

export interface RMSpropOptions {
  /** PyTorch's implementation switch: accepted and ignored (Tensile computes what PyTorch's default single-tensor path does). */
  foreach?: boolean | null;
  /** PyTorch's `differentiable`: only false (or null) is accepted. */
  differentiable?: boolean | null;
  /** Learning rate γ (default 1e-2). */
  lr?: number;
  /** Smoothing constant α of the squared-gradient average (default 0.99). */
  alpha?: number;
  /** Term ε added to the denominator (default 1e-8). */
  eps?: number;
  /** L2 penalty λ (default 0). */
  weightDecay?: number;
  /** Momentum factor μ (default 0). */
  momentum?: number;
  /** Normalize by an estimate of the gradient's variance instead of its second moment (default false). */
  centered?: boolean;
  /** Maximize the objective instead of minimizing (default false). */
  maximize?: boolean;
}

export interface RMSpropParamGroup extends ParamGroup {
  alpha: number; eps: number; weightDecay: number; momentum: number; centered: boolean; maximize: boolean;
}

const OPTIONS = ["lr", "alpha", "eps", "weightDecay", "momentum", "centered", "maximize"] as const;

function validate(o: Record<string, unknown>): void {
  checkNonNegative("RMSprop", "learning rate", o.lr);
  checkNonNegative("RMSprop", "epsilon value", o.eps);
  checkNonNegative("RMSprop", "momentum value", o.momentum);
  checkNonNegative("RMSprop", "weightDecay value", o.weightDecay);
  checkNonNegative("RMSprop", "alpha value", o.alpha);
}

/**
 * RMSprop (PyTorch's `torch.optim.RMSprop`; Hinton's lecture notes, centered variant from Graves
 * 2013). The rule is in `rmsprop`. Per-parameter state: `step`, `squareAvg`, `momentumBuffer` (with
 * momentum > 0), `gradAvg` (centered).
 */
export class RMSprop extends Optimizer<RMSpropParamGroup> {
  constructor(params: Params<RMSpropOptions>, options?: RMSpropOptions);
  /** PyTorch's positional order (lr, alpha, eps, weightDecay, momentum, centered, foreach, maximize), then an optional options object. */
  constructor(params: Params<RMSpropOptions>, ...args: WithOptions<[lr: number, alpha: number, eps: number, weightDecay: number, momentum: number, centered: boolean, foreach: boolean | null, maximize: boolean], RMSpropOptions>);
  constructor(params: Params<RMSpropOptions>, ...args: unknown[]) {
    const options = dropImplementationSwitches("RMSprop", positionalOptions<RMSpropOptions>("RMSprop", args, { keys: ["lr", "alpha", "eps", "weightDecay", "momentum", "centered", "foreach", "maximize"], ignore: ["foreach"], after: "params" }), ["foreach", "differentiable"]);
    checkOptionNames("RMSprop", options, OPTIONS);
    const defaults = {
      lr: options.lr ?? 1e-2, momentum: options.momentum ?? 0, alpha: options.alpha ?? 0.99, eps: options.eps ?? 1e-8,
      centered: options.centered ?? false, weightDecay: options.weightDecay ?? 0, maximize: options.maximize ?? false,
    };
    validate(defaults);
    super("RMSprop", params, defaults);
  }

  protected validateGroup(group: Record<string, unknown>): void {
    validate(group);
  }

  protected updateGroup(group: RMSpropParamGroup): void {
    const { params, grads, state } = this.gather<RMSpropState>(group, (s, p) => {
      if (s.step === undefined) {
        s.step = 0;
        s.squareAvg = zerosLike(p);
      }
      if (group.momentum > 0 && s.momentumBuffer === undefined) s.momentumBuffer = zerosLike(p);
      if (group.centered && s.gradAvg === undefined) s.gradAvg = zerosLike(p);
      (s.step as number)++;
    });
    rmsprop(params, grads, state, group);
  }
}

export interface RMSpropState {
  step: number;
  squareAvg: Tensor;
  momentumBuffer?: Tensor;
  gradAvg?: Tensor;
}

export interface RMSpropUpdate {
  lr: number; alpha: number; eps: number; weightDecay: number; momentum: number; centered: boolean; maximize: boolean;
}

/**
 * One RMSprop step over `params` (updated in place, with their `state`). With θ the parameter, g its
 * gradient, v the squared-gradient average, ḡ the gradient average, b the momentum buffer:
 *
 *     g ← −g                                  if maximize
 *     g ← g + λ·θ                             if λ ≠ 0 (weightDecay)
 *     v ← α·v + (1 − α)·g²
 *     ṽ ← v
 *     if centered:  ḡ ← α·ḡ + (1 − α)·g;  ṽ ← v − ḡ²
 *     if μ > 0 (momentum):  b ← μ·b + g / (√ṽ + ε);  θ ← θ − γ·b
 *     else:                 θ ← θ − γ·g / (√ṽ + ε)
 *
 * The square root is taken before ε is added (TensorFlow does the reverse).
 */
export function rmsprop(params: readonly Tensor[], grads: readonly Tensor[], state: readonly RMSpropState[], o: RMSpropUpdate): void {
  const { lr, alpha, eps, weightDecay, momentum, centered, maximize } = o;
  params.forEach((p, i) => {
    const s = state[i]!;
    let g = maximize ? grads[i]!.neg() : grads[i]!;
    if (weightDecay !== 0) g = g.add(p, { alpha: weightDecay });
    s.squareAvg.mul_(alpha).addcmul_(g, g, { value: 1 - alpha });
    let avg: Tensor;
    if (centered) {
      s.gradAvg!.mul_(alpha).add_(g, { alpha: 1 - alpha });
      avg = s.squareAvg.sub(s.gradAvg!.mul(s.gradAvg!)).sqrt();
    } else {
      avg = s.squareAvg.sqrt();
    }
    avg = avg.add_(eps);
    if (momentum > 0) {
      s.momentumBuffer!.mul_(momentum).addcdiv_(g, avg);
      p.add_(s.momentumBuffer!, { alpha: -lr });
    } else {
      p.addcdiv_(g, avg, { value: -lr });
    }
  });
}
