import { Parameter, Tensor, empty, noGrad } from "../../core.js";
import type { DType } from "../../core.js";
import { TensileError, check, fmtShape, fmtValue } from "../../errors.js";
import type { LoadStateDictResult, StateDict } from "../module.js";
import { Linear, type LinearOptions } from "./linear.js";

/**
 * A parameter whose shape is not known yet (PyTorch's `nn.UninitializedParameter`): a lazy module's
 * weight before its first forward, a Parameter of shape [0]. `materialize(shape)` turns this very
 * object into a real parameter of that shape (its values uninitialised, zero-filled here), so that an
 * optimizer built on it before the first forward updates the materialised parameter, as in PyTorch.
 * Unlike PyTorch, using it in an op before that is not an error: it is an empty tensor.
 */
export class UninitializedParameter extends Parameter {
  constructor(requiresGrad = true, opts: { dtype?: DType } = {}) {
    super(empty([0], { dtype: opts?.dtype }), requiresGrad);
  }

  /**
   * Gives this object the storage of a new zero-filled tensor of `shape` (and `dtype`, default its
   * own) and makes it a plain `Parameter`; returns it. Tensor identity is kept: anything holding the
   * parameter (an optimizer's param group) sees the materialised tensor.
   */
  materialize(shape: readonly number[], opts: { dtype?: DType } = {}): Parameter {
    check(Array.isArray(shape) && shape.every((d) => Number.isInteger(d) && d >= 0), "UninitializedParameter.materialize", () =>
      `shape must be an array of non-negative integers, got ${fmtValue(shape)}`);
    const fresh = empty(shape, { dtype: opts?.dtype ?? this.dtype });
    this._rebindStorage(fresh);
    Object.setPrototypeOf(this, Parameter.prototype);
    return this;
  }
}

/** Whether `t` is a parameter not materialised yet (PyTorch's `torch.nn.parameter.is_lazy`). */
export function isLazy(t: unknown): t is UninitializedParameter {
  return t instanceof UninitializedParameter;
}

/**
 * A `Linear` whose `inFeatures` is read off the first input (PyTorch's `nn.LazyLinear`): until
 * then `weight` and `bias` are `UninitializedParameter`s (`inFeatures` 0, as PyTorch prints it). The
 * first `forward` materialises them as [outFeatures, input.shape[-1]] and [outFeatures] in place,
 * initialises them as `Linear` does, and turns the module into a plain `Linear` (its class, repr and
 * `instanceof` become Linear's, as PyTorch's `cls_to_become`). As in PyTorch, an optimizer built on
 * the parameters before that first forward keeps working, since the parameter objects stay the same;
 * `Module.to(dtype)` before it, which replaces parameters, should come before building the optimizer,
 * as for any module.
 *
 * `loadStateDict` on the lazy module itself materialises its parameters at the saved shapes first
 * (PyTorch's load hook); a lazy module nested in a model needs one forward before the model's
 * `loadStateDict`, which otherwise reports a size mismatch against the placeholder shape [0].
 * ```ts
 * const fc = new nn.LazyLinear(10);
 * const opt = new optim.SGD(fc.parameters(), { lr: 0.1 }); // allowed, as in PyTorch
 * fc.forward(randn([32, 784]));                            // fc is now Linear(in_features=784, out_features=10)
 * ```
 */
export class LazyLinear extends Linear {
  constructor(outFeatures: number, bias: boolean | LinearOptions = true, opts: LinearOptions = {}) {
    opts ??= {};
    const o: LinearOptions = typeof bias === "object" && bias !== null ? { ...bias } : { bias, ...opts };
    for (const k of Object.keys(o)) check(k === "bias" || k === "dtype", "LazyLinear", `unknown option "${k}"`);
    super(0, outFeatures, o);
    this.weight = new UninitializedParameter(true, { dtype: o.dtype });
    this.bias = (o.bias ?? true) ? new UninitializedParameter(true, { dtype: o.dtype }) : null;
  }

  /** Whether a parameter is still uninitialised (PyTorch's `has_uninitialized_params`). */
  hasUninitializedParams(): boolean {
    return isLazy(this.weight) || isLazy(this.bias);
  }

  /** Materialises and initialises the parameters for inputs of `inFeatures` features (the first forward calls it). */
  initializeParameters(inFeatures: number): void {
    check(Number.isInteger(inFeatures) && inFeatures >= 0, "LazyLinear", () => `in_features must be a non-negative integer, got ${fmtValue(inFeatures)}`);
    if (!this.hasUninitializedParams()) return;
    (this as { inFeatures: number }).inFeatures = inFeatures;
    noGrad(() => {
      if (isLazy(this.weight)) this.weight.materialize([this.outFeatures, inFeatures]);
      if (isLazy(this.bias)) this.bias.materialize([this.outFeatures]);
    });
    this.resetParameters();
  }

  override resetParameters(): void {
    if (!this.hasUninitializedParams()) super.resetParameters();
  }

  override forward(input: Tensor): Tensor {
    // (after the first forward the object is a Linear, without LazyLinear's methods, but its forward wrapper still calls this one)
    if (isLazy(this.weight) || isLazy(this.bias)) {
      check(input instanceof Tensor && input.ndim >= 1, "LazyLinear", () =>
        `expected an input of at least 1 dimension to infer in_features from, got ${input instanceof Tensor ? `shape ${fmtShape(input.shape)}` : fmtValue(input)}`);
      this.initializeParameters(input.shape[input.ndim - 1]!);
    }
    // as PyTorch's cls_to_become: from its first forward on, the module is a Linear
    if (this instanceof LazyLinear) Object.setPrototypeOf(this, Linear.prototype);
    return super.forward(input);
  }

  /** Materialises still-lazy parameters at the shapes in `stateDict`, then loads it (PyTorch's lazy load hook). */
  override loadStateDict(stateDict: StateDict | Map<string, Tensor>, options: { strict?: boolean } = {}): LoadStateDictResult {
    const get = (k: string): unknown => (stateDict instanceof Map ? stateDict.get(k) : (stateDict as StateDict)?.[k]);
    const w = get("weight");
    if (isLazy(this.weight) && w instanceof Tensor) {
      if (w.ndim !== 2 || w.shape[0] !== this.outFeatures)
        throw new TensileError(`LazyLinear.loadStateDict: weight of shape ${fmtShape(w.shape)} does not fit out_features=${this.outFeatures}`);
      noGrad(() => {
        (this.weight as UninitializedParameter).materialize(w.shape);
        const b = get("bias");
        if (isLazy(this.bias) && b instanceof Tensor) this.bias.materialize(b.shape);
      });
      (this as { inFeatures: number }).inFeatures = w.shape[1]!;
    }
    return super.loadStateDict(stateDict, options);
  }
}
