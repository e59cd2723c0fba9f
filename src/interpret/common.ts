/**
 * What every attribution method shares: calling the model, validating inputs, targets and
 * baselines, picking the target output per example, and gradients of it with respect to the input
 * that leave the model's parameters alone.
 */
import { Tensor, enableGrad, full, grad, noGrad, tensor, zerosLike } from "../core.js";
import type { DType } from "../core.js";
import { TensileError, fmtShape, fmtValue } from "../errors.js";
import { Module } from "../nn/module.js";

/**
 * The model being explained: a function of one tensor, or anything with `forward(x)` (an
 * `nn.Module`). Its output must be one row per example: [N, C] (pick a column with `target`) or
 * [N] / [N, 1] (one value per example; `target` may be left out).
 */
export type Forward = ((x: Tensor) => Tensor) | { forward(x: Tensor): unknown };

/**
 * Which output column to explain, per example (Captum's `target`): one class for every example, a
 * list of N classes, or an int32 tensor of shape [N] (or with a single element, for all).
 * Leave it out when the model returns one value per example.
 */
export type Target = number | readonly number[] | Tensor;

/** `{ attributions, delta }`: Captum's `(attributions, delta)` pair, `delta` of shape [N]. */
export interface AttributionWithDelta {
  attributions: Tensor;
  /** Per example: sum of the attributions − (F(input) − F(baseline)); the approximation error. */
  delta: Tensor;
}

/** Options every attribution method takes. */
export interface TargetOptions {
  target?: Target;
}

/** Baselines (Captum's `baselines`): a number for every element, or a tensor broadcastable to the input. */
export type Baselines = number | Tensor;

export const isFloat = (d: DType): boolean => d === "float32" || d === "float64";

/** Throws unless `model` is a function or has a `forward` method. */
export function checkModel(op: string, model: unknown): asserts model is Forward {
  const ok = typeof model === "function" ||
    (typeof model === "object" && model !== null && typeof (model as { forward?: unknown }).forward === "function");
  if (!ok) throw new TensileError(`${op}: model must be a function (x: Tensor) => Tensor or an object with forward(x) (an nn.Module), got ${fmtValue(model)}`);
}

/** Throws unless `input` is a floating tensor with a non-empty batch dimension. */
export function checkInput(op: string, input: unknown, float = true): asserts input is Tensor {
  if (!(input instanceof Tensor)) throw new TensileError(`${op}: input must be a Tensor, got ${fmtValue(input)}`);
  if (input.ndim < 1) throw new TensileError(`${op}: input must have a batch dimension (shape [N, ...]), got a 0-d tensor`);
  if (input.shape[0] === 0) throw new TensileError(`${op}: input has no examples (shape ${fmtShape(input.shape)})`);
  if (float && !isFloat(input.dtype))
    throw new TensileError(`${op}: input must be a floating point tensor (float32 or float64) to be differentiated, got ${input.dtype} (shape ${fmtShape(input.shape)})`);
}

export function checkPositiveInt(op: string, name: string, v: unknown, min = 1): number {
  if (typeof v !== "number" || !Number.isInteger(v) || v < min)
    throw new TensileError(`${op}: ${name} must be an integer >= ${min}, got ${fmtValue(v)}`);
  return v;
}

/** Rejects option keys the method doesn't know (a typo such as `nsteps` would otherwise be ignored). */
export function checkKeys(op: string, opts: unknown, known: readonly string[]): void {
  if (opts === undefined) return;
  if (typeof opts !== "object" || opts === null || Array.isArray(opts) || opts instanceof Tensor)
    throw new TensileError(`${op}: options must be an object, got ${fmtValue(opts)}`);
  for (const k of Object.keys(opts)) {
    if (!known.includes(k)) throw new TensileError(`${op}: unknown option "${k}"; expected one of ${known.map((s) => `"${s}"`).join(", ")}`);
  }
}

/** Runs the model on `x` and checks it returned a tensor with `x`'s batch size. */
export function callModel(op: string, model: Forward, x: Tensor): Tensor {
  const out = typeof model === "function" ? model(x) : model.forward(x);
  if (!(out instanceof Tensor)) throw new TensileError(`${op}: the model must return a Tensor, got ${fmtValue(out)}`);
  if (out.ndim === 0 || out.shape[0] !== x.shape[0])
    throw new TensileError(`${op}: the model's output has shape ${fmtShape(out.shape)} for an input of shape ${fmtShape(x.shape)}; expected one row per example ([${x.shape[0]}, ...])`);
  return out;
}

/**
 * The target as N class indices (validated for type, length and integrality; the range is checked
 * against the output in `selectTarget`), or null when there is none.
 */
export function targetIndices(op: string, target: Target | undefined, n: number): Int32Array | null {
  if (target === undefined || target === null) return null;
  let values: ArrayLike<number>;
  if (typeof target === "number") {
    values = new Array<number>(n).fill(target);
  } else if (target instanceof Tensor) {
    if (target.dtype !== "int32")
      throw new TensileError(`${op}: a target tensor must hold int32 class indices, got ${target.dtype} (shape ${fmtShape(target.shape)})`);
    const flat = target.dataSync();
    if (target.numel() === 1) values = new Array<number>(n).fill(flat[0]!);
    else if (target.ndim === 1 && target.shape[0] === n) values = flat;
    else throw new TensileError(`${op}: a target tensor must have shape [${n}] (one class per example) or a single element, got shape ${fmtShape(target.shape)}`);
  } else if (Array.isArray(target)) {
    if (target.length !== n) throw new TensileError(`${op}: a target list must have one class per example (${n}), got ${target.length}`);
    values = target;
  } else {
    throw new TensileError(`${op}: target must be a number, an array of numbers or an int32 Tensor, got ${fmtValue(target)}`);
  }
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const t = values[i];
    if (typeof t !== "number" || !Number.isInteger(t)) throw new TensileError(`${op}: target ${fmtValue(t)} (example ${i}) is not an integer class index`);
    out[i] = t;
  }
  return out;
}

/** `idx` repeated `k` times one after the other (the layout of a batch of k copies of N examples). */
export function tileIndices(idx: Int32Array | null, k: number): Int32Array | null {
  if (!idx || k === 1) return idx;
  const out = new Int32Array(idx.length * k);
  for (let s = 0; s < k; s++) out.set(idx, s * idx.length);
  return out;
}

/** The model's output for each example's target: [M] from [M, C] (a column per row) or [M] / [M, 1]. */
export function selectTarget(op: string, out: Tensor, idx: Int32Array | null): Tensor {
  if (out.ndim > 2)
    throw new TensileError(`${op}: the model's output has shape ${fmtShape(out.shape)}; expected [N, C] or [N] (flatten the outputs in the model, then choose one with target)`);
  if (idx === null) {
    if (out.ndim === 1) return out;
    if (out.shape[1] === 1) return out.select(1, 0);
    throw new TensileError(`${op}: the model's output has shape ${fmtShape(out.shape)}, so a target is needed to choose one of its ${out.shape[1]} columns per example`);
  }
  if (out.ndim === 1)
    throw new TensileError(`${op}: target was given but the model's output has shape ${fmtShape(out.shape)} (one value per example); leave target out`);
  const c = out.shape[1]!;
  for (let i = 0; i < idx.length; i++) {
    const t = idx[i]!;
    if (t < 0 || t >= c) throw new TensileError(`${op}: target ${t} is out of bounds for the model's output of shape ${fmtShape(out.shape)} (${c} classes)`);
  }
  const index = tensor(idx, { shape: [idx.length, 1], dtype: "int32" });
  return out.gather(1, index).select(1, 0);
}

/** The model's target output per example, without a graph: [N]. */
export function forwardTarget(op: string, model: Forward, x: Tensor, idx: Int32Array | null): Tensor {
  return noGrad(() => selectTarget(op, callModel(op, model, x), idx));
}

/**
 * Runs `fn` with the parameters of `model` (when it is an `nn.Module`) not requiring grad, then
 * restores them: gradients with respect to the input don't need the weights' gradients, so the
 * backward pass skips them. The parameters' `.grad` are never touched.
 */
export function withFrozenParameters<T>(model: Forward, fn: () => T): T {
  const frozen = model instanceof Module ? model.parameters().filter((p) => p.requiresGrad) : [];
  for (const p of frozen) p.requiresGrad = false;
  try {
    return fn();
  } finally {
    for (const p of frozen) p.requiresGrad = true;
  }
}

/**
 * Gradients of each example's target output with respect to the input `x` (a batch of M rows;
 * `idx` has M entries or is null). Only `x` receives a gradient; `.grad` of anything else is left
 * as it was. Returns the gradients and the target outputs.
 */
export function targetGradients(op: string, model: Forward, x: Tensor, idx: Int32Array | null): { grads: Tensor; outputs: Tensor } {
  const leaf = x.detach();
  leaf.requiresGrad = true;
  return enableGrad(() => {
    const selected = selectTarget(op, callModel(op, model, leaf), idx);
    const noPath = () =>
      new TensileError(`${op}: the model's output does not depend on the input through differentiable ops (does the model detach its input or run under noGrad?), so it has no gradient with respect to it`);
    if (!selected.requiresGrad) throw noPath();
    const [g] = grad(selected.sum(), leaf, { allowUnused: true });
    if (!g) throw noPath();
    return { grads: g, outputs: selected.detach() };
  });
}

/** Baselines resolved to a tensor of the input's shape and dtype (a broadcast view where possible). */
export function resolveBaselines(op: string, baselines: unknown, input: Tensor, name = "baselines"): Tensor {
  if (baselines === undefined) return noGrad(() => zerosLike(input));
  if (typeof baselines === "number") {
    if (!Number.isFinite(baselines)) throw new TensileError(`${op}: ${name} must be finite, got ${baselines}`);
    return full([...input.shape], baselines, { dtype: input.dtype });
  }
  if (!(baselines instanceof Tensor)) throw new TensileError(`${op}: ${name} must be a number or a Tensor, got ${fmtValue(baselines)}`);
  if (!canBroadcastTo(baselines.shape, input.shape))
    throw new TensileError(`${op}: ${name} of shape ${fmtShape(baselines.shape)} cannot be broadcast to the input's shape ${fmtShape(input.shape)}`);
  return noGrad(() => baselines.detach().to(input.dtype).expand([...input.shape]));
}

/** Whether `from` broadcasts to exactly `to` (right-aligned; each size equal or 1). */
export function canBroadcastTo(from: readonly number[], to: readonly number[]): boolean {
  if (from.length > to.length) return false;
  for (let i = 1; i <= from.length; i++) {
    const f = from[from.length - i]!, t = to[to.length - i]!;
    if (f !== t && f !== 1) return false;
  }
  return true;
}

/** A shape of `k` followed by `ndim - 1` ones: for scaling a [k, ...] stack per slice. */
export function columnShape(k: number, ndim: number): number[] {
  return [k, ...new Array<number>(ndim).fill(1)];
}
