import { type Tensor, zerosLike } from "../core.js";
import { bumpVersion } from "../ops/inplace.js";
import { canFuse } from "./fused.js";
import { type ParamGroup, type Params, Optimizer, checkBetas, checkNonNegative, checkOptionNames, dropImplementationSwitches } from "./optimizer.js";
import { type WithOptions, positionalOptions } from "../utils/positional.js";

export interface AdamOptions {
  /** PyTorch's implementation switch: accepted and ignored (Tensile computes what PyTorch's default single-tensor path does). */
  foreach?: boolean | null;
  /** PyTorch's `capturable`: only false (or null) is accepted. */
  capturable?: boolean | null;
  /** PyTorch's `differentiable`: only false (or null) is accepted. */
  differentiable?: boolean | null;
  /** Learning rate γ (default 1e-3). */
  lr?: number;
  /** Decay rates [β1, β2] of the moment estimates (default [0.9, 0.999]). */
  betas?: [number, number];
  /** Term ε added to the denominator (default 1e-8). */
  eps?: number;
  /** Weight decay λ (default 0 for Adam — an L2 penalty on the gradient; 1e-2 for AdamW — decoupled). */
  weightDecay?: number;
  /** Use the AMSGrad variant (default false). */
  amsgrad?: boolean;
  /** Maximize the objective instead of minimizing (default false). */
  maximize?: boolean;
  /** Use the backend's fused `adamStep` kernel where the tensors allow (default true); false forces
   * the composite path. Applies to the whole optimizer, not per group. */
  fused?: boolean;
}

export interface AdamParamGroup extends ParamGroup {
  betas: [number, number];
  eps: number;
  weightDecay: number;
  amsgrad: boolean;
  maximize: boolean;
}

const OPTIONS = ["lr", "betas", "eps", "weightDecay", "amsgrad", "maximize"] as const;
type AdamPositional = [lr: number, betas: [number, number], eps: number, weightDecay: number, amsgrad: boolean];
const ADAM_POSITIONAL = ["lr", "betas", "eps", "weightDecay", "amsgrad"];

/** Shared bookkeeping of Adam and AdamW; they differ only in how weight decay enters. */
abstract class AdamFamily extends Optimizer<AdamParamGroup> {
  readonly fused: boolean;
  private readonly decoupled: boolean;

  protected constructor(name: string, params: Params<AdamOptions>, options: AdamOptions, decoupled: boolean) {
    options ??= {};
    checkOptionNames(name, options, [...OPTIONS, "fused"]);
    const defaults = {
      lr: options.lr ?? 1e-3, betas: options.betas ?? [0.9, 0.999], eps: options.eps ?? 1e-8,
      weightDecay: options.weightDecay ?? (decoupled ? 1e-2 : 0), amsgrad: options.amsgrad ?? false,
      maximize: options.maximize ?? false,
    };
    validateAdamOptions(name, defaults);
    super(name, params, defaults);
    this.fused = options.fused ?? true;
    this.decoupled = decoupled;
  }

  protected validateGroup(group: Record<string, unknown>): void {
    validateAdamOptions(this.name, group);
  }

  protected updateGroup(group: AdamParamGroup): void {
    const { params, grads, state } = this.gather<AdamState>(group, (s, p) => {
      if (s.step === undefined) {
        s.step = 0;
        s.expAvg = zerosLike(p);
        s.expAvgSq = zerosLike(p);
      }
      if (group.amsgrad && s.maxExpAvgSq === undefined) s.maxExpAvgSq = zerosLike(p);
    });
    const [beta1, beta2] = group.betas;
    const o = { ...group, beta1, beta2, fused: this.fused };
    (this.decoupled ? adamw : adam)(params, grads, state, o);
  }
}

/** Validation shared by the Adam family (Adam, AdamW, Adamax, NAdam), in PyTorch's order. */
export function validateAdamOptions(name: string, o: Record<string, unknown>): void {
  checkNonNegative(name, "learning rate", o.lr);
  checkNonNegative(name, "epsilon value", o.eps);
  checkBetas(name, o.betas);
  checkNonNegative(name, "weightDecay value", o.weightDecay);
}

/**
 * Adam (PyTorch's `torch.optim.Adam`; Kingma & Ba, 2014), with weight decay as an L2 penalty added
 * to the gradient. The rule is in `adam`. Per-parameter state: `step`, `expAvg`, `expAvgSq`, and
 * `maxExpAvgSq` with amsgrad.
 */
export class Adam extends AdamFamily {
  constructor(params: Params<AdamOptions>, options?: AdamOptions);
  /** PyTorch's positional order (lr, betas, eps, weightDecay, amsgrad), then an optional options object. */
  constructor(params: Params<AdamOptions>, ...args: WithOptions<AdamPositional, AdamOptions>);
  constructor(params: Params<AdamOptions>, ...args: unknown[]) {
    const options = positionalOptions<AdamOptions>("Adam", args, { keys: ADAM_POSITIONAL, after: "params" });
    super("Adam", params, dropImplementationSwitches("Adam", options, ["foreach", "capturable", "differentiable"]), false);
  }
}

/** AdamW's options: Adam's (every other optimizer's options type is named after its class). */
export type AdamWOptions = AdamOptions;

/**
 * AdamW (PyTorch's `torch.optim.AdamW`; Loshchilov & Hutter, 2017): Adam with decoupled weight
 * decay θ ← θ·(1 − γλ), default λ = 1e-2. The rule is in `adamw`.
 */
export class AdamW extends AdamFamily {
  constructor(params: Params<AdamOptions>, options?: AdamOptions);
  /** PyTorch's positional order (lr, betas, eps, weightDecay, amsgrad), then an optional options object. */
  constructor(params: Params<AdamOptions>, ...args: WithOptions<AdamPositional, AdamOptions>);
  constructor(params: Params<AdamOptions>, ...args: unknown[]) {
    const options = positionalOptions<AdamOptions>("AdamW", args, { keys: ADAM_POSITIONAL, after: "params" });
    super("AdamW", params, dropImplementationSwitches("AdamW", options, ["foreach", "capturable"]), true);
  }
}

/** Per-parameter state of Adam/AdamW; `step` counts this parameter's updates. */
export interface AdamState {
  step: number;
  expAvg: Tensor;
  expAvgSq: Tensor;
  maxExpAvgSq?: Tensor;
}

export interface AdamUpdate {
  lr: number; beta1: number; beta2: number; eps: number; weightDecay: number; amsgrad: boolean; maximize: boolean;
  fused?: boolean;
}

/**
 * One Adam step over `params` (updated in place, with their `state`). With θ the parameter, g its
 * gradient, m, v the first and second moment estimates and t the step count after increment:
 *
 *     t ← t + 1
 *     g ← −g                                  if maximize
 *     g ← g + λ·θ                             if λ ≠ 0 (weightDecay)
 *     m ← β1·m + (1 − β1)·g
 *     v ← β2·v + (1 − β2)·g²
 *     v̂max ← max(v̂max, v)                     if amsgrad (then used in place of v below)
 *     θ ← θ − (γ / (1 − β1^t)) · m / (√v / √(1 − β2^t) + ε)
 *
 * Whole contiguous float tensors go through the backend's fused `adamStep` kernel unless `fused`
 * is false; other tensors use in-place Tensor ops.
 */
export function adam(params: readonly Tensor[], grads: readonly Tensor[], state: readonly AdamState[], o: AdamUpdate): void {
  adamImpl(params, grads, state, o, false);
}

/**
 * One AdamW step: as `adam`, except weight decay is decoupled from the gradient:
 *
 *     θ ← θ·(1 − γλ)                          before the moment updates (g is not changed)
 */
export function adamw(params: readonly Tensor[], grads: readonly Tensor[], state: readonly AdamState[], o: AdamUpdate): void {
  adamImpl(params, grads, state, o, true);
}

function adamImpl(params: readonly Tensor[], grads: readonly Tensor[], state: readonly AdamState[], o: AdamUpdate, decoupled: boolean): void {
  const { lr, beta1, beta2, eps, weightDecay, amsgrad, maximize } = o;
  params.forEach((p, i) => {
    const s = state[i]!;
    const g0 = grads[i]!;
    s.step += 1;
    const step = s.step;
    const vmax = amsgrad ? s.maxExpAvgSq! : null;
    if (o.fused !== false && canFuse("adamStep", p, g0, s.expAvg, s.expAvgSq, vmax)) {
      p.backend.adamStep(p.storage, g0.storage, s.expAvg.storage, s.expAvgSq.storage, vmax?.storage ?? null, {
        lr, beta1, beta2, eps, weightDecay, decoupledWeightDecay: decoupled, amsgrad, maximize, step,
      });
      for (const t of [p, s.expAvg, s.expAvgSq, vmax]) if (t) bumpVersion(t); // in-place writes (see sgd)
      return;
    }
    let g = maximize ? g0.neg() : g0;
    if (decoupled) p.mul_(1 - lr * weightDecay);
    else if (weightDecay !== 0) g = g.add(p, { alpha: weightDecay });
    s.expAvg.mul_(beta1).add_(g, { alpha: 1 - beta1 });
    s.expAvgSq.mul_(beta2).addcmul_(g, g, { value: 1 - beta2 });
    const biasCorrection1 = 1 - beta1 ** step;
    const biasCorrection2Sqrt = Math.sqrt(1 - beta2 ** step);
    let second = s.expAvgSq;
    if (vmax) second = vmax.copy_(vmax.maximum(s.expAvgSq));
    const denom = second.sqrt().div(biasCorrection2Sqrt).add_(eps);
    p.addcdiv_(s.expAvg, denom, { value: -lr / biasCorrection1 });
  });
}
