import { type Tensor, TensileError, fullLike, zerosLike } from "../core.js";
import { type ParamGroup, type Params, Optimizer, checkNonNegative, checkOptionNames, fmt, dropImplementationSwitches } from "./optimizer.js";
import { type WithOptions, positionalOptions } from "../utils/positional.js";

export interface RpropOptions {
  /** PyTorch's implementation switch: accepted and ignored (Tensile computes what PyTorch's default single-tensor path does). */
  foreach?: boolean | null;
  /** Learning rate γ: the initial step size of every element (default 1e-2). */
  lr?: number;
  /** Multiplicative decrease and increase factors [η−, η+], 0 < η− < 1 < η+ (default [0.5, 1.2]). */
  etas?: [number, number];
  /** Minimal and maximal step sizes [Γmin, Γmax] (default [1e-6, 50]). */
  stepSizes?: [number, number];
  /** Maximize the objective instead of minimizing (default false). */
  maximize?: boolean;
}

export interface RpropParamGroup extends ParamGroup {
  etas: [number, number]; stepSizes: [number, number]; maximize: boolean;
}

const OPTIONS = ["lr", "etas", "stepSizes", "maximize"] as const;

function checkPair(what: string, v: unknown): asserts v is [number, number] {
  if (!Array.isArray(v) || v.length !== 2 || !v.every((x) => typeof x === "number"))
    throw new TensileError(`Rprop: ${what} must be a pair of numbers, got ${fmt(v)}`);
}

function validate(o: Record<string, unknown>): void {
  checkNonNegative("Rprop", "learning rate", o.lr);
  checkPair("etas", o.etas);
  const [etaMinus, etaPlus] = o.etas;
  if (!(etaMinus > 0 && etaMinus < 1 && etaPlus > 1)) throw new TensileError(`Rprop: invalid eta values: ${etaMinus}, ${etaPlus}`);
  checkPair("stepSizes", o.stepSizes);
}

/**
 * Rprop, resilient backpropagation (PyTorch's `torch.optim.Rprop`; Riedmiller & Braun, 1993): each
 * element moves by its own step size in the direction of its gradient's sign, the step growing while
 * the sign holds and shrinking when it flips. Meant for full-batch training. The rule is in `rprop`.
 * Per-parameter state: `step`, `prev` (the previous gradient), `stepSize`.
 */
export class Rprop extends Optimizer<RpropParamGroup> {
  constructor(params: Params<RpropOptions>, options?: RpropOptions);
  /** PyTorch's positional order (lr, etas, stepSizes, foreach, maximize), then an optional options object. */
  constructor(params: Params<RpropOptions>, ...args: WithOptions<[lr: number, etas: [number, number], stepSizes: [number, number], foreach: boolean | null, maximize: boolean], RpropOptions>);
  constructor(params: Params<RpropOptions>, ...args: unknown[]) {
    const options = dropImplementationSwitches("Rprop", positionalOptions<RpropOptions>("Rprop", args, { keys: ["lr", "etas", "stepSizes", "foreach", "maximize"], ignore: ["foreach"], after: "params" }), ["foreach"]);
    checkOptionNames("Rprop", options, OPTIONS);
    const defaults = {
      lr: options.lr ?? 1e-2, etas: options.etas ?? [0.5, 1.2], stepSizes: options.stepSizes ?? [1e-6, 50],
      maximize: options.maximize ?? false,
    };
    validate(defaults);
    defaults.etas = [...defaults.etas] as [number, number];
    defaults.stepSizes = [...defaults.stepSizes] as [number, number];
    super("Rprop", params, defaults);
  }

  protected validateGroup(group: Record<string, unknown>): void {
    validate(group);
    group.etas = [...(group.etas as number[])];
    group.stepSizes = [...(group.stepSizes as number[])];
  }

  protected updateGroup(group: RpropParamGroup): void {
    const { params, grads, state } = this.gather<RpropState>(group, (s, p, grad) => {
      if (s.step === undefined) {
        s.step = 0;
        s.prev = zerosLike(p);
        s.stepSize = fullLike(grad, group.lr);
      }
      (s.step as number)++;
    });
    const [etaMinus, etaPlus] = group.etas;
    const [stepSizeMin, stepSizeMax] = group.stepSizes;
    rprop(params, grads, state, { etaMinus, etaPlus, stepSizeMin, stepSizeMax, maximize: group.maximize });
  }
}

export interface RpropState {
  step: number;
  prev: Tensor;
  stepSize: Tensor;
}

export interface RpropUpdate {
  etaMinus: number; etaPlus: number; stepSizeMin: number; stepSizeMax: number; maximize: boolean;
}

/**
 * One Rprop step over `params` (updated in place, with their `state`). Elementwise, with θ the
 * parameter, g its gradient, g' the previous (stored) gradient and Δ the step size:
 *
 *     g ← −g                                  if maximize
 *     Δ ← min(max(η+·Δ, Γmin), Γmax)          if g·g' > 0
 *     Δ ← min(max(η−·Δ, Γmin), Γmax), g ← 0   if g·g' < 0
 *     θ ← θ − sign(g)·Δ
 *     g' ← g
 */
export function rprop(params: readonly Tensor[], grads: readonly Tensor[], state: readonly RpropState[], o: RpropUpdate): void {
  const { etaMinus, etaPlus, stepSizeMin, stepSizeMax, maximize } = o;
  params.forEach((p, i) => {
    const s = state[i]!;
    const g = maximize ? grads[i]!.neg() : grads[i]!;
    const sign = g.mul(s.prev).sign();
    const grew = sign.gt(0), flipped = sign.lt(0);
    const factor = sign.maskedFill(grew, etaPlus).maskedFill(flipped, etaMinus).maskedFill(sign.eq(0), 1);
    s.stepSize.mul_(factor).clamp_(stepSizeMin, stepSizeMax);
    const d = g.maskedFill(flipped, 0);
    p.addcmul_(d.sign(), s.stepSize, { value: -1 });
    s.prev.copy_(d);
  });
}
