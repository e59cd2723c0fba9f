import { type Tensor, fullLike } from "../core.js";
import { type ParamGroup, type Params, Optimizer, checkNonNegative, checkOptionNames, dropImplementationSwitches } from "./optimizer.js";
import { type WithOptions, positionalOptions } from "../utils/positional.js";

export interface AdagradOptions {
  /** PyTorch's implementation switch: accepted and ignored (Tensile computes what PyTorch's default single-tensor path does). */
  foreach?: boolean | null;
  /** Learning rate γ (default 1e-2). */
  lr?: number;
  /** Learning-rate decay η (default 0). */
  lrDecay?: number;
  /** L2 penalty λ (default 0). */
  weightDecay?: number;
  /** Starting value of the squared-gradient sum (default 0). */
  initialAccumulatorValue?: number;
  /** Term ε added to the denominator (default 1e-10). */
  eps?: number;
  /** Maximize the objective instead of minimizing (default false). */
  maximize?: boolean;
}

export interface AdagradParamGroup extends ParamGroup {
  lrDecay: number; weightDecay: number; initialAccumulatorValue: number; eps: number; maximize: boolean;
}

const OPTIONS = ["lr", "lrDecay", "weightDecay", "initialAccumulatorValue", "eps", "maximize"] as const;

function validate(o: Record<string, unknown>): void {
  checkNonNegative("Adagrad", "learning rate", o.lr);
  checkNonNegative("Adagrad", "lrDecay value", o.lrDecay);
  checkNonNegative("Adagrad", "weightDecay value", o.weightDecay);
  checkNonNegative("Adagrad", "initialAccumulatorValue value", o.initialAccumulatorValue);
  checkNonNegative("Adagrad", "epsilon value", o.eps);
}

/**
 * Adagrad (PyTorch's `torch.optim.Adagrad`; Duchi et al., 2011). The rule is in `adagrad`.
 * Per-parameter state, created for every parameter at construction as in PyTorch: `step`, `sum`
 * (filled with the constructor's `initialAccumulatorValue`, as PyTorch 1.13; a group's own value
 * only applies to groups added later with `addParamGroup`).
 */
export class Adagrad extends Optimizer<AdagradParamGroup> {
  constructor(params: Params<AdagradOptions>, options?: AdagradOptions);
  /** PyTorch's positional order (lr, lrDecay, weightDecay, initialAccumulatorValue, eps, foreach), then an optional options object. */
  constructor(params: Params<AdagradOptions>, ...args: WithOptions<[lr: number, lrDecay: number, weightDecay: number, initialAccumulatorValue: number, eps: number, foreach: boolean | null], AdagradOptions>);
  constructor(params: Params<AdagradOptions>, ...args: unknown[]) {
    const options = dropImplementationSwitches("Adagrad", positionalOptions<AdagradOptions>("Adagrad", args, { keys: ["lr", "lrDecay", "weightDecay", "initialAccumulatorValue", "eps", "foreach"], ignore: ["foreach"], after: "params" }), ["foreach"]);
    checkOptionNames("Adagrad", options, OPTIONS);
    const defaults = {
      lr: options.lr ?? 1e-2, lrDecay: options.lrDecay ?? 0, eps: options.eps ?? 1e-10,
      weightDecay: options.weightDecay ?? 0, initialAccumulatorValue: options.initialAccumulatorValue ?? 0,
      maximize: options.maximize ?? false,
    };
    validate(defaults);
    super("Adagrad", params, defaults);
    // PyTorch 1.13 fills every sum with the constructor's initial_accumulator_value, whatever a
    // group's own value says.
    for (const g of this.paramGroups) for (const p of g.params) this.initState(p, defaults.initialAccumulatorValue);
  }

  /** A parameter of a group added later gets its state on its first step, from its group's value
   * (PyTorch 1.13 fails there with KeyError: 'sum'). */
  private initState(p: Tensor, initialAccumulatorValue: number): AdagradState {
    const s = this.stateOf(p);
    if (s.step === undefined) {
      s.step = 0;
      s.sum = fullLike(p, initialAccumulatorValue);
    }
    return s as unknown as AdagradState;
  }

  protected validateGroup(group: Record<string, unknown>): void {
    validate(group);
  }

  protected updateGroup(group: AdagradParamGroup): void {
    const params: Tensor[] = [], grads: Tensor[] = [], state: AdagradState[] = [];
    for (const p of group.params) {
      const grad = p._peekGrad();
      if (grad === null) continue;
      params.push(p);
      grads.push(grad);
      state.push(this.initState(p, group.initialAccumulatorValue));
    }
    adagrad(params, grads, state, group);
  }
}

export interface AdagradState {
  step: number;
  sum: Tensor;
}

export interface AdagradUpdate {
  lr: number; lrDecay: number; weightDecay: number; eps: number; maximize: boolean;
}

/**
 * One Adagrad step over `params` (updated in place, with their `state`). With θ the parameter, g its
 * gradient, s the running sum of squared gradients and t the step count after increment:
 *
 *     t ← t + 1
 *     g ← −g                                  if maximize
 *     g ← g + λ·θ                             if λ ≠ 0 (weightDecay)
 *     γ̃ ← γ / (1 + (t − 1)·η)                 (η: lrDecay)
 *     s ← s + g²
 *     θ ← θ − γ̃·g / (√s + ε)
 */
export function adagrad(params: readonly Tensor[], grads: readonly Tensor[], state: readonly AdagradState[], o: AdagradUpdate): void {
  const { lr, lrDecay, weightDecay, eps, maximize } = o;
  params.forEach((p, i) => {
    const s = state[i]!;
    s.step += 1;
    let g = maximize ? grads[i]!.neg() : grads[i]!;
    if (weightDecay !== 0) g = g.add(p, { alpha: weightDecay });
    const clr = lr / (1 + (s.step - 1) * lrDecay);
    s.sum.addcmul_(g, g, { value: 1 });
    const std = s.sum.sqrt().add_(eps);
    p.addcdiv_(g, std, { value: -clr });
  });
}
