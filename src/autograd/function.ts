import { TensileError, fmtValue } from "../errors.js";
import { Tensor } from "../tensor/tensor.js";
import { SliceGrad, record } from "./engine.js";
import { contiguousStrides } from "../tensor/shape.js";
import { isGradEnabled, noGrad } from "./grad-mode.js";
import { cat } from "../ops/movement.js";

/** What a custom Function's forward can leave for its backward (PyTorch's `ctx`). */
export class FunctionCtx {
  savedTensors: Tensor[] = [];
  /**
   * One entry per forward argument, as PyTorch's `ctx.needs_input_grad`: whether it is a Tensor
   * that requires grad (false for numbers, options and tensors that don't).
   */
  needsInputGrad: boolean[] = [];
  /** @internal the outputs `markNonDifferentiable` named */
  _nonDifferentiable: Set<Tensor> = new Set();
  /** What forward keeps for backward besides tensors (`ctx.lo = lo`), read back untyped as in Python (`x.gt(ctx.lo)`). */
  [key: string]: any;
  /** Keeps tensors (or null, as PyTorch's None) for backward, which reads them as `ctx.savedTensors`. */
  saveForBackward(...tensors: (Tensor | null)[]): void {
    tensors.forEach((t, i) => {
      if (t !== null && !(t instanceof Tensor))
        throw new TensileError(`saveForBackward: argument ${i} is ${fmtValue(t)}; only Tensors (or null) can be saved (keep other values as ctx attributes: ctx.k = k)`);
    });
    this.savedTensors = tensors as Tensor[];
  }
  /**
   * Marks outputs of `forward` that have no gradient (PyTorch's `ctx.mark_non_differentiable`): an
   * index, a mask. They come out not requiring grad, and `backward` still gets a gradient argument
   * for each (zeros of its shape), so it keeps one parameter per output.
   */
  markNonDifferentiable(...tensors: Tensor[]): void {
    tensors.forEach((t, i) => {
      if (!(t instanceof Tensor)) throw new TensileError(`markNonDifferentiable: argument ${i} is ${fmtValue(t)}; expected an output Tensor of forward`);
      this._nonDifferentiable.add(t);
    });
  }
}

type AnyForward = (ctx: FunctionCtx, ...args: any[]) => unknown;
/** The arguments of a Function subclass's `apply`: its `forward`'s, less `ctx`. */
export type FunctionArgs<F> = F extends { forward: (ctx: FunctionCtx, ...args: infer A) => unknown } ? A : unknown[];
/** What `apply` returns: what the subclass's `forward` returns (a Tensor, or an array of outputs). */
export type FunctionResult<F> = F extends { forward: (...args: any[]) => infer R } ? R : Tensor;

/**
 * A user-defined differentiable op, as `torch.autograd.Function`:
 *
 * ```ts
 * class Square extends autograd.Function {
 *   static forward(ctx: FunctionCtx, x: Tensor) { ctx.saveForBackward(x); return x.mul(x); }
 *   static backward(ctx: FunctionCtx, g: Tensor) { const [x] = ctx.savedTensors; return [g.mul(x!).mul(2)]; }
 * }
 * const y = Square.apply(x);
 * ```
 * `forward` runs without recording. It returns a Tensor, or an array of outputs (PyTorch's tuple):
 * then `apply` returns the array and `backward` gets one gradient per output — zeros for an output
 * that received none or that `ctx.markNonDifferentiable` named (bool and int32 outputs never
 * require grad). `backward` returns one gradient (or null) per forward argument, as PyTorch's
 * (null for the numbers and options: `return [gx, null, null]` for `apply(x, lo, hi)`), or one per
 * tensor argument. `ctx.needsInputGrad[i]` says whether argument i needs one.
 *
 * `backward` written with Tensor ops is differentiable again (`createGraph`, double backward). One
 * that reads raw values (`dataSync`) is not: declare `static onceDifferentiable = true` (PyTorch's
 * `@once_differentiable`) and, under `createGraph`, its gradients come out attached to a node that
 * throws a TensileError if anything differentiates through them, instead of silently zero second
 * derivatives.
 */
export class Function {
  /** PyTorch's `@once_differentiable`: backward runs without recording and may not be differentiated. */
  static onceDifferentiable = false;
  /**
   * @internal The library's own Functions (cross-entropy's), whose backward keeps no gradient: a
   * backward pass through them may release its temporaries early. A user's backward may keep the
   * gradients it sees (`saved.push(grad)`), so a pass through one releases none.
   */
  static _keepsNoGrads = false;

  static forward(_ctx: FunctionCtx, ..._args: unknown[]): Tensor | unknown[] {
    throw new TensileError(`${this.name}.forward: not implemented (define static forward(ctx, ...args))`);
  }
  static backward(_ctx: FunctionCtx, ..._grads: (Tensor | null)[]): Tensor | null | (Tensor | null | undefined)[] {
    throw new TensileError(`${this.name}.backward: not implemented (define static backward(ctx, grad))`);
  }
  static apply<F extends typeof Function>(this: F, ...args: FunctionArgs<F>): FunctionResult<F> {
    const name = this.name;
    const ctx = new FunctionCtx();
    const isTensor = args.map((a) => a instanceof Tensor);
    const tensors = args.filter((a): a is Tensor => a instanceof Tensor);
    ctx.needsInputGrad = args.map((a) => a instanceof Tensor && a.requiresGrad);
    const raw = noGrad(() => (this.forward as AnyForward).call(this, ctx, ...args));
    const multi = Array.isArray(raw);
    const results: unknown[] = multi ? [...raw] : [raw];
    if (!results.some((r) => r instanceof Tensor))
      throw new TensileError(`${name}.forward: must return a Tensor or an array of outputs with at least one Tensor, got ${fmtValue(raw)}`);
    const isFloat = (t: Tensor) => t.dtype === "float32" || t.dtype === "float64";
    // outputs leave detached from what forward did; the differentiable ones join the graph below
    const outs = results.map((r) => (r instanceof Tensor ? r.detach() : r));
    const diff = results.flatMap((r, i) => (r instanceof Tensor && isFloat(r) && !ctx._nonDifferentiable.has(r) ? [i] : []));
    ctx._nonDifferentiable = new Set();
    // backward gets one gradient per output: the differentiable ones' (zeros if unused), zeros for the rest
    const rule = (diffGrads: Tensor[]): (Tensor | null)[] => {
      const grads = outs.map((o, i) => {
        const k = diff.indexOf(i);
        return (k >= 0 ? diffGrads[k] : o instanceof Tensor ? o.zerosLike() : null) as Tensor;
      });
      return inputGrads(this, ctx, grads, isTensor, tensors);
    };
    const userCode = !this._keepsNoGrads;
    if (diff.length === 1) {
      const i = diff[0]!;
      const out = record(name, outs[i] as Tensor, tensors, (g) => rule([g]), undefined, ctx.savedTensors);
      if (out.gradFn) out.gradFn.userCode = userCode;
      outs[i] = out;
    } else if (diff.length > 1) {
      // several differentiable outputs: one node over their values packed in one flat tensor, each
      // output a view of it; the engine gathers every output's gradient before the node's rule runs
      const parts = diff.map((i) => outs[i] as Tensor);
      const dtype = parts[0]!.dtype;
      if (parts.some((p) => p.dtype !== dtype || p.backend !== parts[0]!.backend))
        throw new TensileError(`${name}.forward: differentiable outputs must share one dtype and backend (got ${parts.map((p) => p.dtype).join(", ")}); mark the others with ctx.markNonDifferentiable`);
      const sizes = parts.map((p) => p.numel());
      const offsets = sizes.map((_, k) => sizes.slice(0, k).reduce((a, b) => a + b, 0));
      const total = sizes.reduce((a, b) => a + b, 0);
      const packed = record(name, noGrad(() => cat(parts.map((p) => p.reshape(-1)))), tensors,
        (g) => rule(parts.map((p, k) => g.narrow(0, offsets[k]!, sizes[k]!).reshape(p.shape))), undefined, ctx.savedTensors);
      if (packed.gradFn) packed.gradFn.userCode = userCode;
      // each output a view of the packed values, its node named as the Function (y.gradFn.name)
      parts.forEach((p, k) => {
        const shape = [...p.shape], strides = contiguousStrides(shape), offset = offsets[k]!;
        const zeros = (n: number) => packed.detach().narrow(0, 0, n).zerosLike();
        outs[diff[k]!] = record(name, new Tensor(packed.storage, packed.backend, shape, strides, packed.offset + offset), [packed], (g) => [
          // outside createGraph a window the engine adds into one buffer; under it a differentiable padding
          isGradEnabled() ? cat([zeros(offset), g.reshape(-1), zeros(total - offset - sizes[k]!)]) : new SliceGrad(g, { shape, strides, offset }),
        ], undefined, []);
      });
    }
    return (multi ? outs : outs[0]) as FunctionResult<F>;
  }
}

/** The gradients `backward` returns for the tensor arguments, checked (`grads`: one per output). */
function inputGrads(fn: typeof Function, ctx: FunctionCtx, grads: Tensor[], isTensor: boolean[], tensors: Tensor[]): (Tensor | null)[] {
  const name = fn.name;
  const once = fn.onceDifferentiable && isGradEnabled(); // createGraph
  const r = once ? noGrad(() => fn.backward(ctx, ...grads)) : fn.backward(ctx, ...grads);
  let list: unknown[] = Array.isArray(r) ? [...r] : [r];
  // as PyTorch: trailing nulls past the forward's arguments are allowed
  while (list.length > isTensor.length && list[list.length - 1] == null) list.pop();
  if (list.length === isTensor.length && isTensor.length !== tensors.length) {
    // PyTorch's form: one per forward argument, null for the ones that are not tensors
    list.forEach((gi, k) => {
      if (!isTensor[k] && gi != null)
        throw new TensileError(`${name}.backward: returned a gradient different than null at position ${k + 1} (1-based, as PyTorch), but the corresponding forward input was not a Tensor`);
    });
    list = list.filter((_, k) => isTensor[k]);
  } else if (list.length !== tensors.length)
    throw new TensileError(`${name}.backward: returned an incorrect number of gradients (expected ${isTensor.length}, one per forward argument${isTensor.length !== tensors.length ? `, or ${tensors.length}, one per tensor argument` : ""}; got ${list.length})`);
  list.forEach((gi, k) => {
    if (gi != null && !(gi instanceof Tensor)) throw new TensileError(`${name}.backward: gradient ${k} is ${fmtValue(gi)}; expected a Tensor or null`);
  });
  const out = list.map((gi) => (gi ?? null) as Tensor | null);
  if (!once) return out;
  // PyTorch's DelayedError: the gradients join the graph through a node that refuses to run
  const deps = [...grads, ...tensors].filter((t) => t.requiresGrad);
  return out.map((gi) => (gi instanceof Tensor && deps.length ? record(`${name}Backward`, gi.detach(), deps, () => {
    throw new TensileError(`${name}: trying to differentiate twice a function that was marked onceDifferentiable ` +
      "(its backward is not differentiable: no second-order gradient through it)");
  }, undefined, []) : gi));
}
