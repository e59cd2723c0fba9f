/**
 * The base of `distributions` (PyTorch's `torch.distributions.Distribution`): batch and event
 * shapes, `sample` / `rsample`, `logProb`, `entropy`, moments, and argument validation.
 */
import { Tensor, noGrad, tensor } from "../core.js";
import type { DType } from "../core.js";
import { TensileError, fmtShape, fmtValue } from "../errors.js";
import { getDefaultDtype } from "../tensor/dtype.js";
import { broadcastShapes } from "../tensor/shape.js";
import type { Constraint } from "./constraints.js";

export interface DistributionOptions {
  /**
   * Check parameters when constructed and values given to `logProb` / `cdf` against the support,
   * throwing a TensileError (PyTorch's `validate_args`, on by default as in PyTorch). Costs a read
   * of the values; switch it off in hot loops once the code is known to be right.
   */
  validateArgs?: boolean;
}

/** A parameter: a tensor (kept, so gradients flow to it) or a number (a 0-d tensor of `dtype`). */
export type Param = Tensor | number;

/** Parameters as tensors of one floating dtype (the first tensor's, else float32). */
export function asParams(op: string, names: readonly string[], values: readonly unknown[]): Tensor[] {
  let dtype: DType = getDefaultDtype();
  values.forEach((v, i) => {
    if (v instanceof Tensor) {
      if (v.dtype !== "float32" && v.dtype !== "float64")
        throw new TensileError(`${op}: ${names[i]} must be a floating point tensor, got ${v.dtype}`);
      dtype = v.dtype;
    } else if (typeof v !== "number") throw new TensileError(`${op}: ${names[i]} must be a Tensor or a number, got ${fmtValue(v)}`);
  });
  return values.map((v) => (v instanceof Tensor ? (v.dtype === dtype ? v : v.to(dtype)) : tensor(v as number, { dtype })));
}

export function broadcastAll(op: string, shapes: readonly (readonly number[])[]): number[] {
  return shapes.reduce<number[]>((a, b) => broadcastShapes(op, a, b), []);
}

/** Throws unless every element of `t` passes `ok` (read without a graph). */
export function checkValues(op: string, what: string, t: Tensor, ok: (v: number) => boolean, expect: string): void {
  const v = noGrad(() => t.contiguous().dataSync());
  for (let i = 0; i < v.length; i++) {
    const x = Number(v[i]);
    if (!ok(x)) throw new TensileError(`${op}: expected ${what} to be ${expect}, but found ${x}${t.numel() > 1 ? ` at flat index ${i} of shape ${fmtShape(t.shape)}` : ""}`);
  }
}

/** PyTorch's `constraints.real` for a parameter (`loc`): any number but NaN, which would make every sample and log-probability NaN. */
export function checkRealParam(op: string, name: string, t: Tensor): void {
  checkValues(op, `parameter ${name}`, t, (v) => !Number.isNaN(v), "real (Real(): not NaN)");
}

/** Sets a (readonly) field of a distribution being built by `expand`. */
export function setField(d: object, key: string, value: unknown): void {
  (d as Record<string, unknown>)[key] = value;
}

/**
 * `target` checked as a batch shape `batch` may be expanded to (PyTorch's tensor expand rules:
 * leading dims may be added; existing dims must match or be 1).
 */
export function expandedBatchShape(name: string, batch: readonly number[], target: unknown): number[] {
  const op = `${name}.expand`;
  if (!Array.isArray(target) || target.some((d) => !Number.isInteger(d) || d < 0))
    throw new TensileError(`${op}: batchShape must be an array of non-negative integers, got ${fmtValue(target)}`);
  const shape = target as number[];
  const k = shape.length - batch.length;
  if (k < 0)
    throw new TensileError(`${op}: the number of sizes provided (${shape.length}) must be greater or equal to the number of dimensions of the batch shape (${batch.length}); target batch shape ${fmtShape(shape)}, batch shape ${fmtShape(batch)}`);
  batch.forEach((d, i) => {
    if (d !== 1 && d !== shape[k + i])
      throw new TensileError(`${op}: the expanded size of the batch shape (${shape[k + i]}) must match the existing size (${d}) at non-singleton dimension ${k + i}; target batch shape ${fmtShape(shape)}, batch shape ${fmtShape(batch)}`);
  });
  return [...shape];
}

export abstract class Distribution {
  /** Whether `rsample` (reparameterised, differentiable sampling) exists. */
  get hasRsample(): boolean {
    return false;
  }
  readonly validateArgs: boolean;
  static #defaultValidateArgs = true;
  /**
   * Sets whether distributions built without a `validateArgs` option validate (PyTorch's static
   * `Distribution.set_default_validate_args`; on by default, as in PyTorch outside `python -O`).
   *
   * ```ts
   * D.Distribution.setDefaultValidateArgs(false);   // hot loop: skip the checks
   * ```
   */
  static setDefaultValidateArgs(value: boolean): void {
    if (typeof value !== "boolean") throw new TensileError(`Distribution.setDefaultValidateArgs: expected a boolean, got ${fmtValue(value)}`);
    Distribution.#defaultValidateArgs = value;
  }
  /** The static `Distribution.setDefaultValidateArgs`, reachable from an instance too (as Python's staticmethod). */
  setDefaultValidateArgs(value: boolean): void {
    Distribution.setDefaultValidateArgs(value);
  }
  /** The default `setDefaultValidateArgs` set (true unless changed). */
  static get defaultValidateArgs(): boolean {
    return Distribution.#defaultValidateArgs;
  }
  constructor(readonly batchShape: readonly number[], readonly eventShape: readonly number[] = [], opts: DistributionOptions = {}) {
    opts ??= {};
    if (opts.validateArgs !== undefined && typeof opts.validateArgs !== "boolean")
      throw new TensileError(`${this.constructor.name}: validateArgs must be a boolean, got ${fmtValue(opts.validateArgs)}`);
    this.validateArgs = opts.validateArgs ?? Distribution.#defaultValidateArgs;
  }

  /** The set values lie in (PyTorch's `support`): a Constraint, e.g. `constraints.real`, or `interval(low, high)` for Uniform. */
  get support(): Constraint {
    throw new TensileError(`${this.constructor.name}.support: not implemented (PyTorch raises NotImplementedError)`);
  }
  /** The sets the parameters lie in, by Tensile's parameter names (PyTorch's `arg_constraints`). */
  get argConstraints(): Record<string, Constraint> {
    throw new TensileError(`${this.constructor.name}.argConstraints: not implemented (PyTorch raises NotImplementedError)`);
  }
  /** Whether `enumerateSupport` works (PyTorch's `has_enumerate_support`): the finite discrete distributions. */
  get hasEnumerateSupport(): boolean {
    return false;
  }
  /**
   * Every value of the support along a new leading dim, `[n, ...batchShape, ...eventShape]`
   * (expanded) or `[n, 1, …, 1, ...eventShape]` (PyTorch's `enumerate_support(expand=True)`).
   */
  enumerateSupport(_expand = true): Tensor {
    throw new TensileError(`${this.constructor.name}.enumerateSupport: not implemented (the support is not finite; PyTorch raises NotImplementedError)`);
  }
  /** @deprecated PyTorch's `sample_n(n)`: `sample([n])`. */
  sampleN(n: number): Tensor {
    if (!Number.isInteger(n) || n < 0) throw new TensileError(`${this.constructor.name}.sampleN: n must be a non-negative integer, got ${fmtValue(n)}`);
    return this.sample([n]);
  }

  /**
   * The same distribution with batch shape `batchShape` (PyTorch's `expand`): its parameters become
   * expanded views of this one's (no copy; values and gradients reach the original parameters), the
   * event shape is kept. `batchShape` may add leading dims and broadcast dims of size 1; any other
   * change throws. The arguments are not checked again (they were when this one was built), and
   * `validateArgs` carries over.
   */
  expand(batchShape: readonly number[]): this {
    const shape = expandedBatchShape(this.constructor.name, this.batchShape, batchShape);
    const d = Object.create(Object.getPrototypeOf(this)) as this;
    Object.assign(d, this);
    setField(d, "batchShape", shape);
    this.expandInto(d, shape);
    return d;
  }

  /**
   * Sets `d`'s parameters (a copy of this distribution's fields, with batch shape `batchShape`
   * already set) to views expanded to `batchShape`: each class overrides it, calling `super` for
   * the fields it inherits, as PyTorch's `expand(batch_shape, _instance)`.
   */
  protected expandInto(_d: this, _batchShape: readonly number[]): void {
    throw new TensileError(`${this.constructor.name}.expand: not implemented for this distribution`);
  }

  /** `[...sampleShape, ...batchShape, ...eventShape]`, PyTorch's `_extended_shape`. */
  extendedShape(sampleShape: readonly number[] = []): number[] {
    if (!Array.isArray(sampleShape) || sampleShape.some((d) => !Number.isInteger(d) || d < 0))
      throw new TensileError(`${this.constructor.name}.sample: sampleShape must be an array of non-negative integers, got ${fmtValue(sampleShape)}`);
    return [...sampleShape, ...this.batchShape, ...this.eventShape];
  }

  /** Draws without a graph: shape `[...sampleShape, ...batchShape, ...eventShape]`. */
  sample(sampleShape: readonly number[] = []): Tensor {
    return noGrad(() => this.rsample(sampleShape));
  }

  /** Reparameterised draws, differentiable with respect to the parameters (where `hasRsample`). */
  rsample(_sampleShape: readonly number[] = []): Tensor {
    throw new TensileError(`${this.constructor.name}.rsample: not implemented for this distribution (it has no reparameterised sampler); use sample()`);
  }

  abstract logProb(value: Tensor): Tensor;

  entropy(): Tensor {
    throw new TensileError(`${this.constructor.name}.entropy: not implemented`);
  }
  cdf(_value: Tensor): Tensor {
    throw new TensileError(`${this.constructor.name}.cdf: not implemented`);
  }
  icdf(_value: Tensor): Tensor {
    throw new TensileError(`${this.constructor.name}.icdf: not implemented`);
  }
  get mean(): Tensor {
    throw new TensileError(`${this.constructor.name}.mean: not implemented`);
  }
  get variance(): Tensor {
    throw new TensileError(`${this.constructor.name}.variance: not implemented`);
  }
  /** The most likely value (PyTorch's `mode`). */
  get mode(): Tensor {
    throw new TensileError(`${this.constructor.name}.mode: not implemented`);
  }
  get stddev(): Tensor {
    return this.variance.sqrt();
  }
  /** exp(logProb(value)). */
  prob(value: Tensor): Tensor {
    return this.logProb(value).exp();
  }
  /** PyTorch's `perplexity()`: exp(entropy). */
  perplexity(): Tensor {
    return this.entropy().exp();
  }

  /** `value` as a tensor whose trailing dims match the event shape and broadcast with the batch. */
  protected checkValue(op: string, value: unknown): Tensor {
    if (!(value instanceof Tensor)) throw new TensileError(`${this.constructor.name}.${op}: expected a Tensor value, got ${fmtValue(value)}`);
    const ev = this.eventShape.length;
    const tail = value.shape.slice(value.ndim - ev);
    if (value.ndim < ev || tail.some((d, i) => d !== this.eventShape[i]))
      throw new TensileError(`${this.constructor.name}.${op}: the value's shape ${fmtShape(value.shape)} does not end with the event shape ${fmtShape(this.eventShape)}`);
    broadcastShapes(`${this.constructor.name}.${op}`, value.shape.slice(0, value.ndim - ev), this.batchShape);
    return value;
  }

  /** The parameters PyTorch's repr lists (`Normal(loc: 0.0, scale: 1.0)`). */
  protected reprParams(): [string, Tensor][] {
    return [];
  }
  /** PyTorch's repr: a one-element parameter by value, others by size. */
  toString(): string {
    const show = (t: Tensor): string => {
      if (t.numel() !== 1) return `torch.Size([${t.shape.join(", ")}])`;
      if (t.ndim > 0) return noGrad(() => t.detach().toString()); // Python formats a one-element tensor that is not 0-d as the tensor
      const v = Number(noGrad(() => t.reshape([]).item()));
      return Number.isInteger(v) ? v.toFixed(1) : String(v);
    };
    return `${this.constructor.name}(${this.reprParams().map(([k, t]) => `${k}: ${show(t)}`).join(", ")})`;
  }
}
