import { type Tensor, TensileError, zerosLike } from "../core.js";
import { type ParamGroup, type Params, Optimizer, checkNonNegative, checkOptionNames, fmt, dropImplementationSwitches } from "./optimizer.js";
import { type WithOptions, positionalOptions } from "../utils/positional.js";

export interface ASGDOptions {
  /** PyTorch's implementation switch: accepted and ignored (Tensile computes what PyTorch's default single-tensor path does). */
  foreach?: boolean | null;
  /** Learning rate γ (default 1e-2). */
  lr?: number;
  /** Decay term λ (default 1e-4). */
  lambd?: number;
  /** Power α of the step-size decay η (default 0.75). */
  alpha?: number;
  /** Step t0 at which averaging starts (default 1e6). */
  t0?: number;
  /** L2 penalty (default 0). */
  weightDecay?: number;
  /** Maximize the objective instead of minimizing (default false). */
  maximize?: boolean;
}

export interface ASGDParamGroup extends ParamGroup {
  lambd: number; alpha: number; t0: number; weightDecay: number; maximize: boolean;
}

const OPTIONS = ["lr", "lambd", "alpha", "t0", "weightDecay", "maximize"] as const;

function validate(o: Record<string, unknown>): void {
  checkNonNegative("ASGD", "learning rate", o.lr);
  checkNonNegative("ASGD", "weightDecay value", o.weightDecay);
  for (const k of ["lambd", "alpha", "t0"] as const)
    if (typeof o[k] !== "number" || Number.isNaN(o[k])) throw new TensileError(`ASGD: invalid ${k} value: ${fmt(o[k])}`);
}

/**
 * Averaged stochastic gradient descent (PyTorch's `torch.optim.ASGD`; Polyak & Juditsky, 1992):
 * SGD with a decaying step size that also keeps `ax`, the running average of the parameters from
 * step `t0` on (the averaged parameters are read from the state; the parameters themselves are
 * not replaced). The rule is in `asgd`. Per-parameter state: `step`, `eta`, `mu`, `ax`.
 */
export class ASGD extends Optimizer<ASGDParamGroup> {
  constructor(params: Params<ASGDOptions>, options?: ASGDOptions);
  /** PyTorch's positional order (lr, lambd, alpha, t0, weightDecay, foreach, maximize), then an optional options object. */
  constructor(params: Params<ASGDOptions>, ...args: WithOptions<[lr: number, lambd: number, alpha: number, t0: number, weightDecay: number, foreach: boolean | null, maximize: boolean], ASGDOptions>);
  constructor(params: Params<ASGDOptions>, ...args: unknown[]) {
    const options = dropImplementationSwitches("ASGD", positionalOptions<ASGDOptions>("ASGD", args, { keys: ["lr", "lambd", "alpha", "t0", "weightDecay", "foreach", "maximize"], ignore: ["foreach"], after: "params" }), ["foreach"]);
    checkOptionNames("ASGD", options, OPTIONS);
    const defaults = {
      lr: options.lr ?? 1e-2, lambd: options.lambd ?? 1e-4, alpha: options.alpha ?? 0.75, t0: options.t0 ?? 1e6,
      weightDecay: options.weightDecay ?? 0, maximize: options.maximize ?? false,
    };
    validate(defaults);
    super("ASGD", params, defaults);
  }

  protected validateGroup(group: Record<string, unknown>): void {
    validate(group);
  }

  protected updateGroup(group: ASGDParamGroup): void {
    const { params, grads, state } = this.gather<ASGDState>(group, (s, p) => {
      if (s.step === undefined) {
        s.step = 0;
        s.eta = Math.fround(group.lr);
        s.mu = 1;
        s.ax = zerosLike(p);
      }
    });
    asgd(params, grads, state, group);
  }
}

export interface ASGDState {
  step: number;
  /** Current step size η (a float32 value, as PyTorch 1.13's float32 `eta` tensor). */
  eta: number;
  /** Averaging weight μ (float32, as PyTorch's). */
  mu: number;
  /** The averaged parameters. */
  ax: Tensor;
}

export interface ASGDUpdate {
  lr: number; lambd: number; alpha: number; t0: number; weightDecay: number; maximize: boolean;
}

/**
 * One ASGD step over `params` (updated in place, with their `state`). With θ the parameter, g its
 * gradient, ā the average `ax` and t the step count after increment:
 *
 *     g ← −g                                  if maximize
 *     g ← g + wd·θ                            if wd ≠ 0 (weightDecay)
 *     θ ← θ·(1 − λ·η) − η·g
 *     ā ← ā + μ·(θ − ā)                       (ā ← θ while μ = 1)
 *     η ← γ / (1 + λ·γ·t)^α
 *     μ ← 1 / max(1, t − t0)
 *
 * η and μ are rounded to float32, as PyTorch 1.13 keeps them in float32 tensors.
 */
export function asgd(params: readonly Tensor[], grads: readonly Tensor[], state: readonly ASGDState[], o: ASGDUpdate): void {
  const { lr, lambd, alpha, t0, weightDecay, maximize } = o;
  params.forEach((p, i) => {
    const s = state[i]!;
    let g = maximize ? grads[i]!.neg() : grads[i]!;
    s.step += 1;
    const step = s.step;
    if (weightDecay !== 0) g = g.add(p, { alpha: weightDecay });
    p.mul_(1 - lambd * s.eta);
    p.add_(g, { alpha: -s.eta });
    if (s.mu !== 1) s.ax.add_(p.sub(s.ax).mul(s.mu));
    else s.ax.copy_(p);
    s.eta = Math.fround(lr / Math.pow(1 + lambd * lr * step, alpha));
    s.mu = Math.fround(1 / Math.max(1, step - t0));
  });
}
