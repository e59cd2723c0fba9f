import { type Tensor, TensileError, zerosLike } from "../core.js";
import { bumpVersion } from "../ops/inplace.js";
import { canFuse } from "./fused.js";
import { type ParamGroup, type Params, Optimizer, checkNonNegative, checkOptionNames, dropImplementationSwitches } from "./optimizer.js";
import { type WithOptions, positionalOptions } from "../utils/positional.js";

export interface SGDOptions {
  /** PyTorch's implementation switch: accepted and ignored (Tensile computes what PyTorch's default single-tensor path does). */
  foreach?: boolean | null;
  /** PyTorch's `differentiable`: only false (or null) is accepted. */
  differentiable?: boolean | null;
  /** Learning rate γ (required, here or in every group). */
  lr?: number;
  /** Momentum factor μ (default 0). */
  momentum?: number;
  /** Dampening for momentum τ (default 0). */
  dampening?: number;
  /** L2 penalty λ (default 0). */
  weightDecay?: number;
  /** Nesterov momentum (default false); needs μ > 0 and τ = 0. */
  nesterov?: boolean;
  /** Maximize the objective instead of minimizing (default false). */
  maximize?: boolean;
  /** Use the backend's fused `sgdStep` kernel where the tensors allow (default true); false forces
   * the composite path of in-place Tensor ops. Applies to the whole optimizer, not per group. */
  fused?: boolean;
}

export interface SGDParamGroup extends ParamGroup {
  momentum: number;
  dampening: number;
  weightDecay: number;
  nesterov: boolean;
  maximize: boolean;
}

const OPTIONS = ["lr", "momentum", "dampening", "weightDecay", "nesterov", "maximize"] as const;

function validate(o: Record<string, unknown>): void {
  checkNonNegative("SGD", "learning rate", o.lr);
  checkNonNegative("SGD", "momentum value", o.momentum);
  checkNonNegative("SGD", "weightDecay value", o.weightDecay);
  if (typeof o.dampening !== "number") throw new TensileError(`SGD: invalid dampening value: ${String(o.dampening)}`);
  if (o.nesterov && ((o.momentum as number) <= 0 || o.dampening !== 0))
    throw new TensileError("SGD: Nesterov momentum requires a momentum and zero dampening");
}

/**
 * Stochastic gradient descent, optionally with momentum (PyTorch's `torch.optim.SGD`).
 *
 * ```ts
 * const optimizer = new optim.SGD(model.parameters(), { lr: 0.1, momentum: 0.9 }); // or (params, 0.1, 0.9)
 * optimizer.zeroGrad();
 * criterion.forward(model.forward(x), y).backward();
 * optimizer.step();
 * ```
 * The rule is in `sgd`. Per-parameter state: `momentumBuffer` (null without momentum).
 */
export class SGD extends Optimizer<SGDParamGroup> {
  readonly fused: boolean;

  constructor(params: Params<SGDOptions>, options?: SGDOptions);
  /** PyTorch's positional order (lr, momentum, dampening, weightDecay, nesterov), then an optional options object. */
  constructor(params: Params<SGDOptions>, ...args: WithOptions<[lr: number, momentum: number, dampening: number, weightDecay: number, nesterov: boolean], SGDOptions>);
  constructor(params: Params<SGDOptions>, ...args: unknown[]) {
    const options = dropImplementationSwitches("SGD", positionalOptions<SGDOptions>("SGD", args, { keys: ["lr", "momentum", "dampening", "weightDecay", "nesterov"], after: "params" }), ["foreach", "differentiable"]);
    checkOptionNames("SGD", options, [...OPTIONS, "fused"]);
    const defaults = {
      lr: options.lr, momentum: options.momentum ?? 0, dampening: options.dampening ?? 0,
      weightDecay: options.weightDecay ?? 0, nesterov: options.nesterov ?? false, maximize: options.maximize ?? false,
    };
    validate(defaults);
    super("SGD", params, defaults);
    this.fused = options.fused ?? true;
  }

  protected validateGroup(group: Record<string, unknown>): void {
    validate(group);
  }

  protected updateGroup(group: SGDParamGroup): void {
    const params: Tensor[] = [], grads: Tensor[] = [], bufs: (Tensor | null)[] = [];
    for (const p of group.params) {
      const grad = p._peekGrad();
      if (grad === null) continue;
      params.push(p);
      grads.push(grad);
      bufs.push((this.stateOf(p).momentumBuffer as Tensor | null | undefined) ?? null);
    }
    sgd(params, grads, bufs, { ...group, fused: this.fused });
    params.forEach((p, i) => (this.stateOf(p).momentumBuffer = bufs[i]!));
  }
}

export interface SGDUpdate {
  lr: number; momentum: number; dampening: number; weightDecay: number; nesterov: boolean; maximize: boolean;
  fused?: boolean;
}

/**
 * One SGD step over `params` (updated in place); `momentumBuffers[i]` is null before the first step
 * with momentum and is set by it. With θ the parameter, g its gradient, b the momentum buffer:
 *
 *     g ← −g                          if maximize
 *     g ← g + λ·θ                     if λ ≠ 0 (weightDecay)
 *     if μ ≠ 0 (momentum):
 *         b ← g                       on the first step
 *         b ← μ·b + (1 − τ)·g         after it (τ: dampening)
 *         g ← g + μ·b                 if nesterov
 *         g ← b                       otherwise
 *     θ ← θ − γ·g                     (γ: lr)
 *
 * This is PyTorch's rule (momentum applied to the gradient, lr outside), which differs from
 * Sutskever et al.'s v ← μv + γg. Whole contiguous float tensors go through the backend's fused
 * `sgdStep` kernel unless `fused` is false; other tensors use in-place Tensor ops.
 */
export function sgd(params: readonly Tensor[], grads: readonly Tensor[], momentumBuffers: (Tensor | null)[], o: SGDUpdate): void {
  const { lr, momentum, dampening, weightDecay, nesterov, maximize } = o;
  params.forEach((p, i) => {
    const g = grads[i]!;
    let buf = momentumBuffers[i] ?? null;
    if (o.fused !== false && canFuse("sgdStep", p, g, momentum !== 0 ? (buf ?? p) : null)) {
      const firstStep = momentum !== 0 && buf === null;
      if (firstStep) buf = momentumBuffers[i] = zerosLike(p);
      p.backend.sgdStep(p.storage, g.storage, momentum !== 0 ? buf!.storage : null,
        { lr, momentum, dampening, weightDecay, nesterov, maximize, firstStep });
      bumpVersion(p); // an in-place write, as the unfused path's add_ is: a graph still reading p sees it
      if (buf) bumpVersion(buf);
      return;
    }
    let d = maximize ? g.neg() : g;
    if (weightDecay !== 0) d = d.add(p, { alpha: weightDecay });
    if (momentum !== 0) {
      if (buf === null) buf = momentumBuffers[i] = d.clone();
      else buf.mul_(momentum).add_(d, { alpha: 1 - dampening });
      d = nesterov ? d.add(buf, { alpha: momentum }) : buf;
    }
    p.add_(d, { alpha: -lr });
  });
}
