import { TensileError } from "../errors.js";
import { Tensor } from "../tensor/tensor.js";
import { record } from "./engine.js";
import { noGrad } from "./grad-mode.js";

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
 */
export class Function {
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
    return record(this.name, out, tensors, (g) => {
      const r = this.backward(ctx, g);
      const list = Array.isArray(r) ? r : [r];
      if (list.length !== tensors.length)
        throw new TensileError(`${this.name}.backward: returned ${list.length} gradients, expected ${tensors.length} (one per tensor input)`);
      return list;
    }, undefined, ctx.savedTensors); // the tensors forward saved are the ones backward may read
  }
}
