/**
 * `func.makeFunctional` and `func.makeFunctionalWithBuffers` (functorch 1.13's `make_functional`,
 * `make_functional_with_buffers`): a module turned into a function of its weights,
 * `fmodel(params, ...args)`, as functorch-era MAML and ensembling code writes it. torch 2 deprecates
 * them for `torch.func.functional_call`, which these are built on.
 *
 * As functorch: the module is deep-copied, the returned tensors are the copy's own parameters
 * (new leaves, `requiresGrad` as the original's, or off with `disableAutogradTracking`), unrelated to
 * the original model's, in `namedParameters()` order (a tied parameter once). Unlike functorch,
 * `fmodel` is a plain function rather than an `nn.Module` (TypeScript cannot call a Module), with
 * the copy as `fmodel.statelessModel` and the names as `fmodel.paramNames` / `fmodel.bufferNames`.
 */
import { Tensor } from "../tensor/tensor.js";
import { TensileError, fmtValue } from "../errors.js";
import { Module } from "../nn/module.js";
import { deepcopy } from "../nn/deepcopy.js";
import { functionalCall } from "./functional-call.js";

/** The function `makeFunctional` returns: `fmodel(params, ...args)` runs the module with `params`. */
export interface FunctionalModule<M extends Module> {
  (params: readonly Tensor[], ...args: Parameters<M["forward"]>): ReturnType<M["forward"]>;
  /** The module's copy the weights are put into for each call. */
  readonly statelessModel: M;
  /** The parameters' names, in the order `params` is given. */
  readonly paramNames: readonly string[];
}

/** The function `makeFunctionalWithBuffers` returns: `fmodel(params, buffers, ...args)`. */
export interface FunctionalModuleWithBuffers<M extends Module> {
  (params: readonly Tensor[], buffers: readonly Tensor[], ...args: Parameters<M["forward"]>): ReturnType<M["forward"]>;
  readonly statelessModel: M;
  readonly paramNames: readonly string[];
  readonly bufferNames: readonly string[];
}

export interface MakeFunctionalOptions {
  /** Return the parameters with `requiresGrad` off (for use with `func` transforms only). Default false. */
  disableAutogradTracking?: boolean;
}

function named(op: string, what: string, names: readonly string[], given: unknown): Record<string, Tensor> {
  if (!Array.isArray(given)) throw new TensileError(`${op}: ${what} must be an array of Tensors, got ${fmtValue(given)}`);
  if (given.length !== names.length)
    throw new TensileError(`${op}: expected ${names.length} ${what} (${names.join(", ")}), got ${given.length}`);
  return Object.fromEntries(names.map((n, i) => [n, given[i] as Tensor]));
}

function prepare<M extends Module>(op: string, model: M, options: MakeFunctionalOptions | undefined) {
  if (!(model instanceof Module)) throw new TensileError(`${op}: expected an nn.Module, got ${fmtValue(model)}`);
  const { disableAutogradTracking = false } = options ?? {};
  for (const k of Object.keys(options ?? {}))
    if (k !== "disableAutogradTracking") throw new TensileError(`${op}: unknown option "${k}" (expected "disableAutogradTracking")`);
  const copy = deepcopy(model, op);
  const namedParams = copy.namedParameters();
  if (disableAutogradTracking) for (const [, p] of namedParams) p.requiresGrad_(false);
  return { copy, namedParams };
}

/**
 * functorch's `make_functional(model)`: `[fmodel, params]`, `fmodel(params, ...args)` being
 * `model.forward(...args)` with the weights `params` (any tensors: adapted ones in MAML, slices
 * under vmap). A model with buffers is refused, as functorch's: use `makeFunctionalWithBuffers`.
 * ```ts
 * const [fmodel, params] = func.makeFunctional(model);
 * const g = func.grad((ps: Tensor[]) => F.mseLoss(fmodel(ps, x), y))(params);   // one gradient per param
 * ```
 */
export function makeFunctional<M extends Module>(model: M, options?: MakeFunctionalOptions): [FunctionalModule<M>, Tensor[]] {
  const op = "makeFunctional";
  if (model instanceof Module && model.buffers().length > 0)
    throw new TensileError(`${op}(model): \`model\` has buffers. Please use makeFunctionalWithBuffers(model) instead.`);
  const { copy, namedParams } = prepare(op, model, options);
  const paramNames = namedParams.map(([n]) => n);
  const fmodel = (params: readonly Tensor[], ...args: unknown[]) => functionalCall(copy, named(op, "params", paramNames, params), args);
  return [Object.assign(fmodel, { statelessModel: copy, paramNames }) as unknown as FunctionalModule<M>, namedParams.map(([, p]) => p)];
}

/**
 * functorch's `make_functional_with_buffers(model)`: `[fmodel, params, buffers]`, with
 * `fmodel(params, buffers, ...args)`. The buffers are the copy's (a training-mode BatchNorm updates
 * the tensors it is given in place, as in functorch).
 * ```ts
 * const [fmodel, params, buffers] = func.makeFunctionalWithBuffers(model);
 * const out = fmodel(params, buffers, x);
 * ```
 */
export function makeFunctionalWithBuffers<M extends Module>(model: M, options?: MakeFunctionalOptions): [FunctionalModuleWithBuffers<M>, Tensor[], Tensor[]] {
  const op = "makeFunctionalWithBuffers";
  const { copy, namedParams } = prepare(op, model, options);
  const namedBuffers = copy.namedBuffers();
  const paramNames = namedParams.map(([n]) => n), bufferNames = namedBuffers.map(([n]) => n);
  const fmodel = (params: readonly Tensor[], buffers: readonly Tensor[], ...args: unknown[]) =>
    functionalCall(copy, [named(op, "params", paramNames, params), named(op, "buffers", bufferNames, buffers)], args);
  return [
    Object.assign(fmodel, { statelessModel: copy, paramNames, bufferNames }) as unknown as FunctionalModuleWithBuffers<M>,
    namedParams.map(([, p]) => p),
    namedBuffers.map(([, b]) => b),
  ];
}
