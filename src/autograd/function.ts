import { TensileError } from "../errors.js";
import { Tensor } from "../tensor/tensor.js";
import { record } from "./engine.js";
import { isGradEnabled, noGrad } from "./grad-mode.js";

/** What a custom Function's forward can leave for its backward (PyTorch's `ctx`). */
export class FunctionCtx {
  savedTensors: Tensor[] = [];
  /** Which tensor inputs require grad, in order of the tensor arguments. */
  needsInputGrad: boolean[] = [];
  [key: string]: unknown;
  saveForBackward(...tensors: Tensor[]): void {
    this.savedTensors = tensors;
  }
}

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
 * `forward` runs without recording; `backward` returns one gradient (or null) per tensor argument.
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

  static forward(_ctx: FunctionCtx, ..._args: unknown[]): Tensor {
    throw new TensileError(`${this.name}.forward: not implemented (define static forward(ctx, ...args))`);
  }
  static backward(_ctx: FunctionCtx, ..._grads: Tensor[]): Tensor | null | (Tensor | null)[] {
    throw new TensileError(`${this.name}.backward: not implemented (define static backward(ctx, grad))`);
  }
  static apply(...args: unknown[]): Tensor {
    const ctx = new FunctionCtx();
    const tensors = args.filter((a): a is Tensor => a instanceof Tensor);
    ctx.needsInputGrad = tensors.map((t) => t.requiresGrad);
    const raw = noGrad(() => this.forward(ctx, ...args));
    if (!(raw instanceof Tensor)) throw new TensileError(`${this.name}.forward: must return a Tensor`);
    const out = raw.detach();
    const name = this.name;
    return record(name, out, tensors, (g) => {
      const once = this.onceDifferentiable && isGradEnabled(); // createGraph
      const r = once ? noGrad(() => this.backward(ctx, g)) : this.backward(ctx, g);
      const list = Array.isArray(r) ? r : [r];
      if (list.length !== tensors.length)
        throw new TensileError(`${name}.backward: returned ${list.length} gradients, expected ${tensors.length} (one per tensor input)`);
      if (!once) return list;
      // PyTorch's DelayedError: the gradients join the graph through a node that refuses to run
      const deps = [g, ...tensors].filter((t) => t.requiresGrad);
      return list.map((gi) => (gi instanceof Tensor && deps.length ? record(`${name}Backward`, gi.detach(), deps, () => {
        throw new TensileError(`${name}: trying to differentiate twice a function that was marked onceDifferentiable ` +
          "(its backward is not differentiable: no second-order gradient through it)");
      }, undefined, []) : gi));
    }, undefined, ctx.savedTensors); // the tensors forward saved are the ones backward may read
  }
}
