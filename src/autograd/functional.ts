/**
 * `autograd.functional` (PyTorch's `torch.autograd.functional`): Jacobians, Hessians and
 * vector–Jacobian / Jacobian–vector / Hessian–vector products of a function of tensors, built on
 * `grad()` (reverse mode; Jacobian–vector products by the double-backward trick).
 *
 * Inputs are detached copies that require grad, so the caller's tensors and their `.grad` are
 * untouched; results are detached unless `createGraph` (then they are differentiable, e.g. for a
 * loss on a Jacobian). As in PyTorch, a Jacobian costs one backward pass per output element.
 */
import { Tensor } from "../tensor/tensor.js";
import { TensileError, fmtShape, fmtValue } from "../errors.js";
import { grad } from "./engine.js";
import { enableGrad } from "./grad-mode.js";
import { stack, tensor, zeros, zerosLike, onesLike } from "../core.js";

export interface FunctionalOptions {
  /** Keep the results differentiable (PyTorch's `create_graph`). */
  createGraph?: boolean;
  /** Throw when an output does not depend on an input instead of returning zeros (PyTorch's `strict`). */
  strict?: boolean;
}

type Inputs = Tensor | readonly Tensor[];
type Fn = (...xs: Tensor[]) => Tensor | Tensor[];

function asList(op: string, what: string, v: unknown): [Tensor[], boolean] {
  if (v instanceof Tensor) return [[v], false];
  if (Array.isArray(v) && v.length > 0 && v.every((t) => t instanceof Tensor)) return [v as Tensor[], true];
  throw new TensileError(`${op}: ${what} must be a Tensor or a non-empty array of Tensors, got ${fmtValue(v)}`);
}

function checkOpts(op: string, opts: unknown): FunctionalOptions {
  if (opts === undefined || opts === null) return {};
  if (typeof opts !== "object" || Array.isArray(opts)) throw new TensileError(`${op}: options must be an object, got ${fmtValue(opts)}`);
  for (const k of Object.keys(opts)) if (k !== "createGraph" && k !== "strict") throw new TensileError(`${op}: unknown option "${k}"; expected "createGraph" or "strict"`);
  return opts as FunctionalOptions;
}

/** Leaves for the function: differentiable views when the graph must reach the caller's tensors, else detached copies. */
function prepare(op: string, xs: Tensor[], createGraph: boolean): Tensor[] {
  return xs.map((x, i) => {
    if (x.dtype !== "float32" && x.dtype !== "float64")
      throw new TensileError(`${op}: input ${i} must be a floating point tensor, got ${x.dtype}`);
    if (createGraph && x.requiresGrad) return x.reshape([...x.shape]); // PyTorch's view_as: the graph reaches x
    const d = x.detach();
    d.requiresGrad = true;
    return d;
  });
}

function run(op: string, fn: Fn, xs: Tensor[]): [Tensor[], boolean] {
  if (typeof fn !== "function") throw new TensileError(`${op}: expected a function, got ${fmtValue(fn)}`);
  const out = enableGrad(() => fn(...xs));
  return asList(op, "the function's output", out);
}

/** Gradients of `outs` (weighted by `gOuts`) w.r.t. `xs`: zeros where unused (an error when strict). */
function vjpOf(op: string, outs: Tensor[], xs: Tensor[], gOuts: Tensor[], createGraph: boolean, strict: boolean, retain: boolean): Tensor[] {
  const live = outs.map((o, i) => [o, gOuts[i]!] as const).filter(([o]) => o.requiresGrad);
  if (live.length === 0) {
    if (strict) throw new TensileError(`${op}: the output of the function does not require grad (it does not depend on the inputs); with strict the Jacobian cannot be zero`);
    return xs.map((x) => zerosLike(x));
  }
  const gs = grad(live.map(([o]) => o), xs, { gradOutputs: live.map(([, g]) => g), createGraph, retainGraph: retain || createGraph, allowUnused: true });
  return gs.map((g, i) => {
    if (g) return g;
    if (strict) throw new TensileError(`${op}: the output of the function is independent of input ${i}; with strict this is an error`);
    return zerosLike(xs[i]!);
  });
}

const finish = (t: Tensor, createGraph: boolean): Tensor => (createGraph ? t : t.detach());

function checkV(op: string, name: string, v: Tensor[], like: Tensor[]): void {
  if (v.length !== like.length) throw new TensileError(`${op}: ${name} has ${v.length} entries; expected ${like.length}`);
  v.forEach((t, i) => {
    const want = like[i]!.shape;
    if (t.shape.length !== want.length || t.shape.some((d, k) => d !== want[k]))
      throw new TensileError(`${op}: ${name} ${i} has shape ${fmtShape(t.shape)}; expected ${fmtShape(want)}`);
  });
}

/**
 * The Jacobian of `fn` at `inputs`: for one input and one output a tensor of shape
 * [...output.shape, ...input.shape]; for arrays, `J[i][j]` for output i and input j (an array over
 * inputs for one output, over outputs for one input), as PyTorch's nested tuples.
 */
export function jacobian(fn: (x: Tensor) => Tensor, inputs: Tensor, options?: FunctionalOptions): Tensor;
export function jacobian(fn: (x: Tensor) => Tensor[], inputs: Tensor, options?: FunctionalOptions): Tensor[];
export function jacobian(fn: (...xs: Tensor[]) => Tensor, inputs: readonly Tensor[], options?: FunctionalOptions): Tensor[];
export function jacobian(fn: (...xs: Tensor[]) => Tensor[], inputs: readonly Tensor[], options?: FunctionalOptions): Tensor[][];
export function jacobian(fn: Fn, inputs: Inputs, options?: FunctionalOptions): Tensor | Tensor[] | Tensor[][];
export function jacobian(fn: Fn, inputs: Inputs, options: FunctionalOptions = {}): Tensor | Tensor[] | Tensor[][] {
  const op = "jacobian";
  const opts = checkOpts(op, options);
  const [xs0, manyIn] = asList(op, "inputs", inputs);
  const createGraph = opts.createGraph ?? false;
  const xs = prepare(op, xs0, createGraph);
  const [outs, manyOut] = run(op, fn, xs);
  const J = outs.map((o) => {
    const n = o.numel();
    const rows: Tensor[][] = xs.map(() => []);
    for (let k = 0; k < n; k++) {
      const unit = o.dtype === "float64" ? new Float64Array(n) : new Float32Array(n);
      unit[k] = 1;
      const e = tensor(unit, { shape: [...o.shape], dtype: o.dtype === "float64" ? "float64" : "float32" });
      const gs = vjpOf(op, [o], xs, [e], createGraph, opts.strict ?? false, true);
      gs.forEach((g, j) => rows[j]!.push(g));
    }
    return xs.map((x, j) => finish(n === 0 ? zeros([...o.shape, ...x.shape], { dtype: x.dtype }) : stack(rows[j]!).reshape([...o.shape, ...x.shape]), createGraph));
  });
  if (!manyOut && !manyIn) return J[0]![0]!;
  if (!manyOut) return J[0]!;
  if (!manyIn) return J.map((r) => r[0]!);
  return J;
}

function scalarFn(op: string, fn: Fn): (...xs: Tensor[]) => Tensor {
  return (...xs) => {
    const [outs] = run(op, fn, xs);
    if (outs.length !== 1 || outs[0]!.numel() !== 1)
      throw new TensileError(`${op}: the function must return a single Tensor with one element, got ${outs.length > 1 ? `${outs.length} tensors` : `shape ${fmtShape(outs[0]!.shape)}`}`);
    return outs[0]!;
  };
}

/**
 * The Hessian of a scalar function: [...input.shape, ...input.shape] for one input, `H[i][j]` for
 * arrays of inputs. Computed as the Jacobian of the gradient (each row by double backward).
 */
export function hessian(fn: (x: Tensor) => Tensor, inputs: Tensor, options?: FunctionalOptions): Tensor;
export function hessian(fn: (...xs: Tensor[]) => Tensor, inputs: readonly Tensor[], options?: FunctionalOptions): Tensor[][];
export function hessian(fn: Fn, inputs: Inputs, options: FunctionalOptions = {}): Tensor | Tensor[][] {
  const op = "hessian";
  const opts = checkOpts(op, options);
  const [xs0, manyIn] = asList(op, "inputs", inputs);
  const f = scalarFn(op, fn);
  const gradFn = (...xs: Tensor[]): Tensor[] => {
    const out = f(...xs);
    return vjpOf(op, [out], xs, [onesLike(out)], true, opts.strict ?? false, true);
  };
  const H = jacobian(gradFn, manyIn ? xs0 : [xs0[0]!], opts) as Tensor[][];
  return manyIn ? H : H[0]![0]!;
}

function vectors(op: string, name: string, v: unknown, like: Tensor[]): Tensor[] {
  const [vs] = asList(op, name, v);
  checkV(op, name, vs, like);
  return vs;
}

/** `[fn(inputs), vᵀ·J]` (PyTorch's `vjp`); `v` may be left out when the output has one element. */
export function vjp(fn: Fn, inputs: Inputs, v?: Inputs | null, options: FunctionalOptions = {}): [Tensor | Tensor[], Tensor | Tensor[]] {
  const op = "vjp";
  const opts = checkOpts(op, options);
  const [xs0, manyIn] = asList(op, "inputs", inputs);
  const createGraph = opts.createGraph ?? false;
  const xs = prepare(op, xs0, createGraph);
  const [outs, manyOut] = run(op, fn, xs);
  let vs: Tensor[];
  if (v === undefined || v === null) {
    if (outs.length !== 1 || outs[0]!.numel() !== 1)
      throw new TensileError(`${op}: v can only be left out when the function returns a single Tensor with one element, got shape ${fmtShape(outs[0]!.shape)}`);
    vs = [onesLike(outs[0]!)];
  } else vs = vectors(op, "v", v, outs);
  const gs = vjpOf(op, outs, xs, vs, createGraph, opts.strict ?? false, false).map((g) => finish(g, createGraph));
  const o = outs.map((t) => finish(t, createGraph));
  return [manyOut ? o : o[0]!, manyIn ? gs : gs[0]!];
}

/** `[fn(inputs), J·v]` (PyTorch's `jvp`, by the double-backward trick); `v` may be left out for a one-element input. */
export function jvp(fn: Fn, inputs: Inputs, v?: Inputs | null, options: FunctionalOptions = {}): [Tensor | Tensor[], Tensor | Tensor[]] {
  const op = "jvp";
  const opts = checkOpts(op, options);
  const [xs0, manyIn] = asList(op, "inputs", inputs);
  const createGraph = opts.createGraph ?? false;
  const xs = prepare(op, xs0, createGraph);
  let vs: Tensor[];
  if (v === undefined || v === null) {
    if (xs.length !== 1 || xs[0]!.numel() !== 1)
      throw new TensileError(`${op}: v can only be left out when the input is a single Tensor with one element, got shape ${fmtShape(xs[0]!.shape)}`);
    vs = [onesLike(xs[0]!)];
  } else vs = vectors(op, "v", v, xs);
  const [outs, manyOut] = run(op, fn, xs);
  const jv = forwardProduct(op, outs, xs, vs, createGraph, opts.strict ?? false);
  const o = outs.map((t) => finish(t, createGraph));
  const r = jv.map((t) => finish(t, createGraph));
  return [manyOut ? o : o[0]!, manyOut ? r : r[0]!];
}

/**
 * The double-backward trick: (∂ys/∂xs)·vs without a forward mode. u ↦ (∂ys/∂xs)ᵀu is linear in
 * u, so its vector–Jacobian product with vs, taken with respect to u, is (∂ys/∂xs)·vs.
 */
function forwardProduct(op: string, ys: Tensor[], xs: Tensor[], vs: Tensor[], createGraph: boolean, strict: boolean): Tensor[] {
  const us = ys.map((y) => {
    const u = zerosLike(y);
    u.requiresGrad = true;
    return u;
  });
  const gx = vjpOf(op, ys, xs, us, true, strict, true);
  const live = gx.map((g, i) => [g, vs[i]!] as const).filter(([g]) => g.requiresGrad);
  if (live.length === 0) return ys.map((y) => zerosLike(y));
  return grad(live.map(([g]) => g), us, { gradOutputs: live.map(([, w]) => w), createGraph, allowUnused: true }).map((g, i) => g ?? zerosLike(ys[i]!));
}

/** What vhp and hvp share: the checked inputs and v, the scalar output, and its gradient (with a graph). */
function scalarWithGrad(op: string, fn: Fn, inputs: Inputs, v: Inputs, options: FunctionalOptions) {
  const opts = checkOpts(op, options);
  const [xs0, manyIn] = asList(op, "inputs", inputs);
  const createGraph = opts.createGraph ?? false, strict = opts.strict ?? false;
  const xs = prepare(op, xs0, createGraph);
  const vs = vectors(op, "v", v, xs);
  const out = scalarFn(op, fn)(...xs);
  const g = vjpOf(op, [out], xs, [onesLike(out)], true, strict, true);
  return { manyIn, createGraph, strict, xs, vs, out, g };
}

/** `[fn(inputs), vᵀ·H]` for a scalar function (PyTorch's `vhp`). */
export function vhp(fn: Fn, inputs: Inputs, v: Inputs, options: FunctionalOptions = {}): [Tensor, Tensor | Tensor[]] {
  const { manyIn, createGraph, strict, xs, vs, out, g } = scalarWithGrad("vhp", fn, inputs, v, options);
  const res = vjpOf("vhp", g, xs, vs, createGraph, strict, false).map((t) => finish(t, createGraph));
  return [finish(out, createGraph), manyIn ? res : res[0]!];
}

/** `[fn(inputs), H·v]` for a scalar function (PyTorch's `hvp`, by the double-backward trick). */
export function hvp(fn: Fn, inputs: Inputs, v: Inputs, options: FunctionalOptions = {}): [Tensor, Tensor | Tensor[]] {
  const { manyIn, createGraph, strict, xs, vs, out, g } = scalarWithGrad("hvp", fn, inputs, v, options);
  const res = forwardProduct("hvp", g, xs, vs, createGraph, strict).map((t) => finish(t, createGraph));
  return [finish(out, createGraph), manyIn ? res : res[0]!];
}
