import { TensileError, fmtShape } from "../errors.js";
import type { Tensor } from "../tensor/tensor.js";
import { isGradEnabled, setGradEnabled } from "./grad-mode.js";

/** Maps the gradient of an op's output to gradients of its inputs (null: no gradient). */
export type BackwardFn = (grad: Tensor) => readonly (Tensor | null | undefined)[];

/**
 * A node of the autograd graph: the op that produced a tensor, the inputs that need gradients,
 * and the local backward rule (written with Tensor ops, so it can itself be differentiated).
 */
export class Node {
  constructor(
    readonly name: string,
    readonly inputs: readonly (Tensor | null)[],
    public backwardFn: BackwardFn | null,
  ) {}
}

/**
 * Attaches a graph node to `out` when grad mode is on and some input requires grad.
 * `inputs` are in the order of the gradients `backward` returns.
 */
export function record(name: string, out: Tensor, inputs: readonly (Tensor | null | undefined)[], backward: BackwardFn): Tensor {
  if (!isGradEnabled()) return out;
  let any = false;
  const ins = inputs.map((t) => {
    const needs = !!t && t.requiresGrad;
    any ||= needs;
    return needs ? t! : null;
  });
  if (!any) return out;
  out._setGradFn(new Node(name, ins, backward));
  return out;
}

/** Sums `grad` down to `shape`, undoing NumPy broadcasting (the one place it happens). */
export function reduceGradToShape(grad: Tensor, shape: readonly number[]): Tensor {
  if (grad.shape.length === shape.length && grad.shape.every((d, i) => d === shape[i])) return grad;
  const lead = grad.ndim - shape.length;
  const dims: number[] = [];
  for (let i = 0; i < grad.ndim; i++) if (i < lead || (shape[i - lead] === 1 && grad.shape[i] !== 1)) dims.push(i);
  let g = dims.length ? grad.sum(dims, true) : grad;
  if (lead > 0 || g.shape.length !== shape.length) g = g.reshape([...shape]);
  return g;
}

export interface BackwardOptions {
  retainGraph?: boolean;
  createGraph?: boolean;
  /** Accumulate only into these leaves. */
  inputs?: readonly Tensor[];
}

/** Reverse-mode sweep from `root` (micrograd's engine, iterative so deep graphs don't overflow the stack). */
export function runBackward(root: Tensor, gradient: Tensor | undefined, opts: BackwardOptions = {}): void {
  if (!root.requiresGrad)
    throw new TensileError("backward: element 0 of tensors does not require grad and does not have a grad_fn");
  let seed: Tensor;
  if (gradient === undefined) {
    if (root.numel() !== 1)
      throw new TensileError(`backward: grad can be implicitly created only for scalar outputs (got shape ${fmtShape(root.shape)})`);
    seed = root.detach().onesLike();
  } else {
    if (gradient.shape.length !== root.shape.length || gradient.shape.some((d, i) => d !== root.shape[i]))
      throw new TensileError(`backward: gradient has shape ${fmtShape(gradient.shape)} but the tensor has shape ${fmtShape(root.shape)}`);
    seed = gradient;
  }
  const retain = opts.retainGraph ?? opts.createGraph ?? false;
  const createGraph = opts.createGraph ?? false;
  const only = opts.inputs ? new Set(opts.inputs) : null;

  // Topological order by iterative DFS over tensors.
  const order: Tensor[] = [];
  const seen = new Set<Tensor>();
  const stack: [Tensor, number][] = [[root, 0]];
  seen.add(root);
  while (stack.length) {
    const top = stack[stack.length - 1]!;
    const node = top[0].gradFn;
    const ins = node ? node.inputs : [];
    if (top[1] < ins.length) {
      const next = ins[top[1]++];
      if (next && !seen.has(next)) {
        seen.add(next);
        stack.push([next, 0]);
      }
    } else {
      stack.pop();
      order.push(top[0]);
    }
  }

  const grads = new Map<Tensor, Tensor>([[root, seed]]);
  const prev = isGradEnabled();
  setGradEnabled(createGraph);
  try {
    for (let k = order.length - 1; k >= 0; k--) {
      const t = order[k]!;
      let g = grads.get(t);
      if (!g) continue;
      grads.delete(t);
      g = t._runHooks(g);
      const node = t.gradFn;
      if (!node) {
        if (!only || only.has(t)) t._accumulateGrad(createGraph ? g : g.detach());
        continue;
      }
      if (t._retainsGrad && (!only || only.has(t))) t._accumulateGrad(createGraph ? g : g.detach());
      if (!node.backwardFn)
        throw new TensileError(
          `backward: trying to backward through the graph a second time (through ${node.name}); pass {retainGraph: true} to the first backward()`,
        );
      const ins = node.backwardFn(g);
      if (!retain) node.backwardFn = null;
      node.inputs.forEach((inp, i) => {
        const gi = ins[i];
        if (!inp || !gi) return;
        const r = reduceGradToShape(gi, inp.shape);
        const sofar = grads.get(inp);
        grads.set(inp, sofar ? sofar.add(r) : r);
      });
    }
  } finally {
    setGradEnabled(prev);
  }
}

/**
 * Gradients of `outputs` with respect to `inputs`, returned instead of accumulated into `.grad`
 * (PyTorch's `torch.autograd.grad`). With `createGraph` the results are differentiable again.
 */
export function grad(
  outputs: Tensor | readonly Tensor[],
  inputs: Tensor | readonly Tensor[],
  opts: { gradOutputs?: readonly (Tensor | undefined)[]; retainGraph?: boolean; createGraph?: boolean; allowUnused?: boolean } = {},
): (Tensor | null)[] {
  const outs = Array.isArray(outputs) ? (outputs as Tensor[]) : [outputs as Tensor];
  const ins = Array.isArray(inputs) ? (inputs as Tensor[]) : [inputs as Tensor];
  const saved = ins.map((t) => [t.grad, t._retainsGrad] as const);
  ins.forEach((t) => {
    t.grad = null;
    t._retainsGrad = true;
  });
  try {
    outs.forEach((o, i) =>
      runBackward(o, opts.gradOutputs?.[i], {
        retainGraph: i < outs.length - 1 ? true : opts.retainGraph,
        createGraph: opts.createGraph,
        inputs: ins,
      }),
    );
    return ins.map((t, i) => {
      if (!t.grad && !opts.allowUnused)
        throw new TensileError(`grad: one of the differentiated Tensors (input ${i}) appears to not have been used in the graph; pass {allowUnused: true} if this is desired`);
      return t.grad;
    });
  } finally {
    ins.forEach((t, i) => {
      t.grad = saved[i]![0];
      t._retainsGrad = saved[i]![1];
    });
  }
}
