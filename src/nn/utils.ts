/** `nn.utils`: gradient clipping, flattening parameters to one vector, weight and spectral norm, pruning, as `torch.nn.utils`. */
import { Tensor, cat, noGrad, stack, tensor } from "../core.js";
import { TensileError, fmtShape, fmtValue } from "../errors.js";
import { withoutRandomFills } from "../ops/inplace.js";
import { getDefaultDtype } from "../tensor/dtype.js";
import { Module } from "./module.js";
import { type PositionalArgs, positionalOptions } from "../utils/positional.js";

function gradsOf(parameters: Iterable<Tensor> | Tensor): Tensor[] {
  const list = parameters instanceof Tensor ? [parameters] : [...parameters];
  // _peekGrad: the grads are scaled in place and not kept, so they stay releasable (Tensor._gradOwned)
  return list.map((p) => p._peekGrad()).filter((g): g is Tensor => g !== null);
}

export interface ClipGradNormOptions {
  maxNorm?: number;
  /** The p of the norms (default 2; `Infinity` for the max-norm). */
  normType?: number;
  /** Throw if the total norm is NaN or ±∞ (default false). */
  errorIfNonfinite?: boolean;
  /** PyTorch's choice of implementation (later versions): a boolean or null, accepted and ignored. */
  foreach?: boolean | null;
}

/**
 * Scales all gradients in place so that their joint norm is at most `maxNorm`:
 * total = ‖(‖g₁‖ₚ, ‖g₂‖ₚ, …)‖ₚ (p = `normType`, `Infinity` for the max-norm), then every g is
 * multiplied by min(1, maxNorm / (total + 1e-6)). Returns `total` (before clipping), a 0-d tensor.
 * PyTorch's positional order (maxNorm, normType, errorIfNonfinite), then an optional options object.
 * ```ts
 * loss.backward();
 * nn.utils.clipGradNorm_(model.parameters(), 1.0);          // or (params, { maxNorm: 1.0 })
 * optimizer.step();
 * ```
 */
export function clipGradNorm_(parameters: Iterable<Tensor> | Tensor, options: ClipGradNormOptions & { maxNorm: number }): Tensor;
export function clipGradNorm_(parameters: Iterable<Tensor> | Tensor, ...args: PositionalArgs<[maxNorm: number, normType: number,
  errorIfNonfinite: boolean], ClipGradNormOptions>): Tensor;
export function clipGradNorm_(parameters: Iterable<Tensor> | Tensor, ...args: unknown[]): Tensor {
  const op = "clipGradNorm_";
  const opts = positionalOptions<ClipGradNormOptions>(op, args, { keys: ["maxNorm", "normType", "errorIfNonfinite"], after: "parameters", known: ["foreach"] });
  const { maxNorm, normType = 2, errorIfNonfinite = false, foreach = null } = opts;
  if (typeof maxNorm !== "number") throw new TensileError(`${op}: max_norm must be a number, got ${fmtValue(maxNorm)}`);
  if (typeof normType !== "number") throw new TensileError(`${op}: norm_type must be a number, got ${fmtValue(normType)}`);
  if (foreach !== null && typeof foreach !== "boolean") throw new TensileError(`${op}: foreach must be a boolean or null, got ${fmtValue(foreach)}`);
  const grads = gradsOf(parameters);
  if (grads.length === 0) return tensor(0, { dtype: getDefaultDtype() });
  return noGrad(() => {
    const dtype = grads[0]!.dtype;
    const norms = grads.map((g) => (normType === Infinity ? g.abs().max() : g.norm(normType)).to(dtype));
    const stacked = stack(norms);
    const total = normType === Infinity ? stacked.max() : stacked.norm(normType);
    const t = total.item();
    if (errorIfNonfinite && !Number.isFinite(t))
      throw new TensileError(
        `clipGradNorm_: the total norm of order ${normType} for gradients from parameters is non-finite, so it cannot be clipped. To disable this error and scale the gradients by the non-finite norm anyway, set errorIfNonfinite: false`,
      );
    const coef = total.add(1e-6).reciprocal().mul(maxNorm).clamp(null, 1);
    for (const g of grads) g.mul_(coef);
    return total;
  });
}

/** Alias of `clipGradNorm_` (PyTorch's deprecated `clip_grad_norm`). */
export const clipGradNorm = clipGradNorm_;

/** Clamps every gradient in place to [−clipValue, clipValue]; `(params, 0.5)` or `(params, { clipValue: 0.5 })`. */
export function clipGradValue_(parameters: Iterable<Tensor> | Tensor, clipValue: number | { clipValue: number; foreach?: boolean | null }): void {
  const op = "clipGradValue_";
  const { clipValue: c, foreach = null } = positionalOptions<{ clipValue?: number; foreach?: boolean | null }>(op, [clipValue],
    { keys: ["clipValue"], after: "parameters", known: ["foreach"] });
  if (typeof c !== "number") throw new TensileError(`${op}: clip_value must be a number, got ${fmtValue(c)}`);
  if (foreach !== null && typeof foreach !== "boolean") throw new TensileError(`${op}: foreach must be a boolean or null, got ${fmtValue(foreach)}`);
  const v = Math.abs(c);
  noGrad(() => {
    for (const g of gradsOf(parameters)) g.clamp_(-v, v);
  });
}

/** Alias of `clipGradValue_`. */
export const clipGradValue = clipGradValue_;

/** All parameters flattened and concatenated into one 1-D tensor (differentiable). */
export function parametersToVector(parameters: Iterable<Tensor>): Tensor {
  const list = [...parameters];
  if (list.length === 0) throw new TensileError("parametersToVector: expected at least one parameter");
  return cat(list.map((p) => p.reshape([p.numel()])));
}

/** Copies consecutive slices of the 1-D `vec` into `parameters` (in place), the inverse of `parametersToVector`. */
export function vectorToParameters(vec: Tensor, parameters: Iterable<Tensor>): void {
  if (!(vec instanceof Tensor)) throw new TensileError(`vectorToParameters: expected a Tensor, but got: ${typeof vec}`);
  const list = [...parameters];
  const total = list.reduce((a, p) => a + p.numel(), 0);
  if (vec.ndim !== 1 || vec.shape[0] !== total)
    throw new TensileError(`vectorToParameters: vector of shape ${fmtShape(vec.shape)} does not match the ${total} elements of the parameters`);
  noGrad(() => {
    let offset = 0;
    for (const p of list) {
      const n = p.numel();
      p.copy_(vec.narrow(0, offset, n).reshape(p.shape));
      offset += n;
    }
  });
}

/**
 * Builds a module without initialising it, as `torch.nn.utils.skip_init(ModuleClass, *args)`:
 * `skipInit(nn.Linear, 784, 500)` or, for a factory, `skipInit(() => models.vgg16())`. Inside,
 * random initialisation (`uniform_`, `normal_` and so `nn.init`'s kaiming/xavier/normal fills) is
 * skipped and draws nothing from the generator, so a large model costs its allocation only, for
 * weights that `loadStateDict` will overwrite anyway. Parameters hold what the constructor
 * allocated before initialising: zeros in Tensile (PyTorch's are uninitialised memory), or
 * constants a constructor sets explicitly (BatchNorm's ones).
 * ```ts
 * const m = nn.utils.skipInit(() => models.vgg16());   // ~1 s instead of ~8
 * m.loadStateDict(loadTorch("vgg16-397923af.pth"));
 * ```
 */
export function skipInit<M extends Module, A extends unknown[]>(ctor: (new (...args: A) => M) | (() => M), ...args: A): M {
  if (typeof ctor !== "function") throw new TensileError(`skipInit: expected a Module class or a function returning a module, got ${fmtValue(ctor)}`);
  const m = withoutRandomFills(() => {
    const isClass = ctor.prototype instanceof Module || ctor === (Module as unknown);
    return isClass ? new (ctor as new (...a: A) => M)(...args) : (ctor as () => M)();
  });
  if (!(m instanceof Module)) throw new TensileError(`skipInit: the function returned ${fmtValue(m)}, not an nn.Module`);
  return m;
}

/** Weight normalization and spectral normalization (PyTorch 1.13's hook-based ones). */
export { weightNorm, removeWeightNorm, spectralNorm, removeSpectralNorm, type SpectralNormOptions } from "./weight-norm.js";

/** Parametrizations: `registerParametrization`, `removeParametrizations`, `isParametrized`, `cached`, … (PyTorch's `torch.nn.utils.parametrize`). */
export * as parametrize from "./parametrize.js";
/** `orthogonal` and the parametrization `spectralNorm` (PyTorch's `torch.nn.utils.parametrizations`). */
export * as parametrizations from "./parametrizations.js";

/** Pruning: `l1Unstructured`, `lnStructured`, `globalUnstructured`, `remove`, `isPruned`, … (PyTorch's `torch.nn.utils.prune`). */
export * as prune from "./prune.js";

/** Variable-length sequences: `padSequence`, `packPaddedSequence`, `padPackedSequence`, `PackedSequence` (PyTorch's `torch.nn.utils.rnn`). */
export * as rnn from "./rnn-utils.js";
/** `nn.utils.stateless.functionalCall` (torch.nn.utils.stateless.functional_call): see src/func/functional-call.ts. */
export * as stateless from "../func/stateless.js";
