/**
 * SparseAdam (PyTorch's `torch.optim.SparseAdam`): the "lazy" Adam that recommendation models use
 * with `nn.Embedding(..., { sparse: true })` — only the embedding rows a batch looked up have their
 * moments and values updated; the other rows keep their moments undecayed.
 *
 * Tensile has no sparse tensors: an embedding's gradient is always dense, zero on the rows no lookup
 * touched. So a row here (a slice along dimension 0) counts as present in the gradient when any of
 * its entries is non-zero — what PyTorch's coalesced sparse gradient lists, except for a looked-up
 * row whose gradient is exactly zero everywhere (PyTorch still decays its moments and moves it; here
 * it is left alone). PyTorch refuses dense gradients ("SparseAdam does not support dense gradients");
 * Tensile takes any parameter and applies the same row-wise lazy rule to it.
 */
import { type Tensor, TensileError, zerosLike } from "../core.js";
import { type ParamGroup, type Params, Optimizer, checkBetas, checkOptionNames, fmt } from "./optimizer.js";
import { type WithOptions, positionalOptions } from "../utils/positional.js";

export interface SparseAdamOptions {
  /** Learning rate γ (default 1e-3; must be positive). */
  lr?: number;
  /** Decay rates [β1, β2] of the moment estimates (default [0.9, 0.999]). */
  betas?: [number, number];
  /** Term ε added to the denominator (default 1e-8; must be positive). */
  eps?: number;
  /** Maximize the objective instead of minimizing (default false). */
  maximize?: boolean;
}

export interface SparseAdamParamGroup extends ParamGroup {
  betas: [number, number]; eps: number; maximize: boolean;
}

export interface SparseAdamState {
  step: number;
  expAvg: Tensor;
  expAvgSq: Tensor;
}

const OPTIONS = ["lr", "betas", "eps", "maximize"] as const;

function validate(o: Record<string, unknown>): void {
  // PyTorch: `if not 0.0 < lr` / `if not 0.0 < eps` (strictly positive, unlike Adam)
  if (o.lr !== undefined && !(typeof o.lr === "number" && o.lr > 0)) throw new TensileError(`SparseAdam: invalid learning rate: ${fmt(o.lr)}`);
  if (o.eps !== undefined && !(typeof o.eps === "number" && o.eps > 0)) throw new TensileError(`SparseAdam: invalid epsilon value: ${fmt(o.eps)}`);
  checkBetas("SparseAdam", o.betas);
}

/**
 * Lazy Adam for embedding tables (PyTorch's `torch.optim.SparseAdam`). The rule is in `sparseAdam`.
 * Per-parameter state: `step`, `expAvg`, `expAvgSq`.
 * ```ts
 * const emb = new nn.Embedding(1000, 16, { sparse: true });
 * const opt = new optim.SparseAdam([...emb.parameters()], { lr: 0.01 });
 * ```
 */
export class SparseAdam extends Optimizer<SparseAdamParamGroup> {
  constructor(params: Params<SparseAdamOptions>, options?: SparseAdamOptions);
  /** PyTorch's positional order (lr, betas, eps, maximize), then an optional options object. */
  constructor(params: Params<SparseAdamOptions>, ...args: WithOptions<[lr: number, betas: [number, number], eps: number, maximize: boolean], SparseAdamOptions>);
  constructor(params: Params<SparseAdamOptions>, ...args: unknown[]) {
    const options = positionalOptions<SparseAdamOptions>("SparseAdam", args, { keys: ["lr", "betas", "eps", "maximize"], after: "params" });
    checkOptionNames("SparseAdam", options, OPTIONS);
    const defaults = { lr: options.lr ?? 1e-3, betas: options.betas ?? [0.9, 0.999], eps: options.eps ?? 1e-8, maximize: options.maximize ?? false };
    validate(defaults);
    super("SparseAdam", params, defaults);
  }

  protected validateGroup(group: Record<string, unknown>): void {
    validate(group);
  }

  protected updateGroup(group: SparseAdamParamGroup): void {
    const { params, grads, state } = this.gather<SparseAdamState>(group, (s, p) => {
      if (s.step === undefined) {
        s.step = 0;
        s.expAvg = zerosLike(p);
        s.expAvgSq = zerosLike(p);
      }
    });
    const [beta1, beta2] = group.betas;
    sparseAdam(params, grads, state, { lr: group.lr, beta1, beta2, eps: group.eps, maximize: group.maximize });
  }
}

export interface SparseAdamUpdate {
  lr: number; beta1: number; beta2: number; eps: number; maximize: boolean;
}

/**
 * One SparseAdam step over `params` (updated in place, with their `state`). With θ the parameter,
 * g its gradient, m and v the moments, t the step count after increment (counted on every step the
 * parameter has a gradient), and R the rows (slices along dimension 0) where g is not all zero:
 *
 *     t ← t + 1
 *     g ← −g                                       if maximize
 *     m_R ← m_R + (1 − β1)·(g_R − m_R)
 *     v_R ← v_R + (1 − β2)·(g_R² − v_R)
 *     θ_R ← θ_R − γ·√(1 − β2ᵗ)/(1 − β1ᵗ) · m_R / (√v_R + ε)
 *
 * Rows outside R keep θ, m and v unchanged (PyTorch's sparse update, in its operation order).
 */
export function sparseAdam(params: readonly Tensor[], grads: readonly Tensor[], state: readonly SparseAdamState[], o: SparseAdamUpdate): void {
  const { lr, beta1, beta2, eps, maximize } = o;
  params.forEach((p, i) => {
    const s = state[i]!;
    s.step += 1;
    const g = maximize ? grads[i]!.neg() : grads[i]!;
    if (p.ndim === 0) throw new TensileError(`SparseAdam: parameter ${i} is 0-d; the lazy update works on rows (dimension 0) of a tensor of at least 1 dimension`);
    const n = p.shape[0]!;
    // rows present in the gradient, shaped [n, 1, ...] to broadcast over each row
    const rows = g.ne(0).reshape([n, -1]).any(1).reshape([n, ...p.shape.slice(1).map(() => 1)]);
    const oldAvg = s.expAvg, oldSq = s.expAvgSq;
    const numer = g.sub(oldAvg).mul(1 - beta1).add(oldAvg);
    const sq = g.pow(2).sub(oldSq).mul(1 - beta2).add(oldSq);
    const denom = sq.sqrt().add(eps);
    const stepSize = (lr * Math.sqrt(1 - beta2 ** s.step)) / (1 - beta1 ** s.step);
    const update = numer.div(denom).mul(-stepSize);
    s.expAvg.copy_(numer.where(rows, oldAvg));
    s.expAvgSq.copy_(sq.where(rows, oldSq));
    p.copy_(p.add(update).where(rows, p));
  });
}
