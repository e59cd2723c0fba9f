import { TensileError, fmtShape, fmtValue } from "../errors.js";
import { tracing } from "./trace.js";
import { type Backend, type Storage, newStorages } from "../backends/backend.js";
import type { Tensor } from "../tensor/tensor.js";
import { isGradEnabled, setGradEnabled } from "./grad-mode.js";
import { arrayFor } from "../tensor/dtype.js";
import { profileHook } from "./profile-hook.js";
import { checkGradForNan, forwardStack, isAnomalyCheckNanEnabled, isAnomalyEnabled, withForwardStack } from "./anomaly.js";
import { type PositionalArgs, positionalOptions } from "../utils/positional.js";

/** The Tensor class, registered by tensor.ts (which imports this module: a type import alone here). */
let TensorCtor: typeof Tensor;
/** @internal */
export function _registerTensorClass(c: typeof Tensor): void {
  TensorCtor = c;
}

/** Maps the gradient of an op's output to gradients of its inputs (null: no gradient). */
export type BackwardFn = (grad: Tensor) => readonly (Tensor | SliceGrad | null | undefined)[];

/**
 * A gradient that is zero outside one window of its input: `grad` laid out at `view` (shape,
 * strides, offset within a contiguous tensor of the input's shape). A slicing op's rule returns it
 * instead of scattering `grad` into zeros of the input's size, and the engine adds every window
 * into one buffer per input. Why: a loop that takes one step of a sequence at a time (an RNN's
 * `x.select(0, t)`) otherwise gets T full-size gradients, each mostly zeros, and their T − 1 sums —
 * O(T²) memory traffic where the windows cost O(T). Only outside `createGraph`, where the
 * gradient needs no graph of its own.
 */
export class SliceGrad {
  constructor(readonly grad: Tensor, readonly view: { shape: readonly number[]; strides: readonly number[]; offset: number }) {}
}

/**
 * A node of the autograd graph: the op that produced a tensor, the inputs that need gradients,
 * and the local backward rule (written with Tensor ops, so it can itself be differentiated).
 */
export class Node {
  constructor(
    readonly name: string,
    readonly inputs: readonly (Tensor | null)[],
    public backwardFn: BackwardFn | null,
    /** Tensors the op made for its backward rule alone, released once the rule has run for good. */
    public internals: readonly Tensor[] | null = null,
    /** Tensors the backward rule reads, and their storages' versions when recorded. */
    public saved: readonly Tensor[] | null = null,
    public savedVersions: readonly number[] | null = null,
    /** Anomaly detection: where the forward op was called (null when it was off). */
    readonly stack: string | null = null,
  ) {}

  /**
   * The rule runs user code (a custom `autograd.Function`'s backward), which may keep the gradients
   * it is given or returns: a pass through such a node releases none of its own storages.
   */
  userCode = false;

  /**
   * PyTorch's `grad_fn.next_functions`: per input, `[node, 0]` — the input's own node, an
   * `AccumulateGrad` for a leaf that requires grad (the same object each time for one leaf), or
   * `null` for an input that needs no gradient.
   */
  get nextFunctions(): readonly [Node | AccumulateGrad | null, number][] {
    return this.inputs.map((t) => [t ? t.gradFn ?? accumulateGradOf(t) : null, 0]);
  }
}

/** The node that adds a gradient into a leaf's `.grad` (PyTorch's `AccumulateGrad`; `variable` is the leaf). */
export class AccumulateGrad {
  readonly name = "AccumulateGrad";
  constructor(readonly variable: Tensor) {}
}

const accumulators = new WeakMap<Tensor, AccumulateGrad>();
function accumulateGradOf(t: Tensor): AccumulateGrad {
  let a = accumulators.get(t);
  if (!a) accumulators.set(t, (a = new AccumulateGrad(t)));
  return a;
}

/**
 * Attaches a graph node to `out` when grad mode is on and some input requires grad.
 * `inputs` are in the order of the gradients `backward` returns.
 *
 * `internals`: tensors the op made only for its backward rule (argmax indices, batch norm's x − μ):
 * never returned to the caller and sharing storage with no input or output. Nothing can read them
 * once the rule has run without `retainGraph`, so the engine then releases their storage at once
 * (`Backend.release`) — as PyTorch frees saved tensors after backward — rather than leaving them
 * to the collector; when no node is recorded (no grad needed) they are released here.
 *
 * `saved`: the tensors among inputs, output and anything else the rule captured whose values it
 * reads (PyTorch's saved tensors); default every input and the output. Backward refuses to run the
 * rule if an in-place op has written to one of them since (their storage's version moved), as
 * PyTorch does, instead of computing a gradient from the new values. Declaring fewer (add reads
 * nothing, matmul only its inputs) is what lets `out.add_(identity)` follow an op whose rule does
 * not read `out`.
 */
export function record(
  name: string,
  out: Tensor,
  inputs: readonly (Tensor | null | undefined)[],
  backward: BackwardFn,
  internals?: readonly Tensor[],
  saved?: readonly (Tensor | null | undefined)[],
): Tensor {
  tracing.current?.op(name, out, inputs);
  let any = false;
  const grad = isGradEnabled();
  const outStorage = out.storage;
  for (const t of inputs) {
    if (!t) continue;
    // a view's graph matches its values exactly as far as its base's does
    if (t.storage === outStorage) out._version = t._version;
    if (!grad) continue;
    if ((t.storage._graphVersion ?? -1) > t._version) throw staleInput(name, t);
    any ||= t.requiresGrad;
  }
  if (!any) {
    if (internals) releaseInternals(internals);
    return out;
  }
  const ins = inputs.map((t) => (t && t.requiresGrad ? t : null));
  for (const t of ins) if (t) t._graphUses++;
  // a result made from detached tensors (a custom Function's) joins the graph here: checkable again
  if (out._version === Infinity) out._version = outStorage._version ?? 0;
  const keep: Tensor[] = [];
  for (const t of saved ?? inputs) if (t) keep.push(t);
  if (!saved) keep.push(out);
  out._setGradFn(new Node(name, ins, backward, internals?.length ? internals : null,
    keep.length ? keep : null, keep.length ? keep.map((t) => t.storage._version ?? 0) : null,
    isAnomalyEnabled() ? forwardStack() : null));
  return out;
}

function staleInput(name: string, t: Tensor): TensileError {
  return new TensileError(
    `${name}: an input (${t.dtype} ${fmtShape(t.shape)}) shares memory with a tensor that an in-place op recorded by autograd ` +
      "modified after this one was made, so its graph no longer matches its values (PyTorch would rebuild a view here). " +
      "Use the tensor the in-place op was called on, or take the view again after the in-place op");
}

/** Throws PyTorch's error if an in-place op wrote to a tensor that `node`'s backward rule reads. */
function checkSaved(node: Node): void {
  const saved = node.saved, versions = node.savedVersions;
  if (!saved || !versions) return;
  for (let i = 0; i < saved.length; i++) {
    const t = saved[i]!;
    const now = t.storage._version ?? 0;
    if (now !== versions[i])
      throw new TensileError(
        `backward: one of the variables needed for gradient computation has been modified by an inplace operation: ` +
          `a ${t.dtype} tensor of shape ${fmtShape(t.shape)} that ${node.name}'s backward reads is at version ${now}; ` +
          `expected version ${versions[i]} instead. Use the out-of-place form of the in-place op, or modify a clone()`);
  }
}

/**
 * Declares `t` — an op's output that a composite function made for itself and never hands out
 * (cross-entropy's log-probabilities) — an internal of the node that produced it: its storage is
 * released once that node's backward rule has run for good, as `record`'s internals are. Every
 * op that reads t comes after it in the graph, so its rule has run by then. Without a node (no
 * grad needed) nothing happens and the collector frees t as before.
 */
export function releaseAfterBackward(t: Tensor): void {
  const node = t.gradFn;
  if (node && node.backwardFn) node.internals = node.internals ? [...node.internals, t] : [t];
}

function releaseInternals(ts: readonly Tensor[]): void {
  for (const t of ts) t.backend.release?.(t.storage);
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
  opts ??= {};
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

  // With `inputs` (grad(), backward({inputs})) only tensors that lead to one of them need a
  // gradient: nothing else is computed, as PyTorch prunes its graph. For a model's input that
  // skips every weight gradient. Not under createGraph, where a rule's graph must keep every edge.
  // `reach` (the same set, under createGraph too) stops the pass at an input that is not a leaf
  // (grad(loss, adaptedParams) in MAML's inner loop): the nodes above it are neither run nor
  // freed, as in PyTorch, so a later backward through them (the meta-gradient) still works.
  let reach: Set<Tensor> | null = null;
  if (only) {
    reach = new Set();
    for (const t of order) if (only.has(t) || t.gradFn?.inputs.some((i) => i && reach!.has(i))) reach.add(t);
  }
  const needed = createGraph ? null : reach;

  const grads = new Map<Tensor, Tensor>([[root, seed]]);
  // gradient buffers this pass made to add slice gradients into (see SliceGrad): written in place
  const buffers = new Set<Tensor>();
  const prev = isGradEnabled();
  setGradEnabled(createGraph);
  // The pass's own results — gradients flowing through the graph, temporaries of backward rules —
  // die within it. A backend that caches results (wasm) frees a released one without copying it
  // out to JS, so each is released as soon as nothing in the pass can read it again. Not when the
  // graph or its gradients outlive the pass (retainGraph, createGraph) or user code may keep one (a
  // hook, a custom Function's backward).
  const collect = !retain && !createGraph && !newStorages.current && order.every((t) => !t._hasHooks() && !t.gradFn?.userCode);
  const pass = collect ? new PassStorages() : null;
  if (pass) newStorages.current = pass.created;
  try {
    for (let k = order.length - 1; k >= 0; k--) {
      const t = order[k]!;
      let g = grads.get(t);
      if (!g) continue;
      grads.delete(t);
      pass?.unref(g);
      g = t._runHooks(g);
      const node = t.gradFn;
      if (!node) {
        if (!only || only.has(t)) {
          t._accumulateGrad(createGraph ? g : g.detach());
          pass?.claimGrad(t);
        }
        pass?.keep(t._peekGrad());
        pass?.dropIfDead(g);
        continue;
      }
      if (t._retainsGrad && (!only || only.has(t))) {
        t._accumulateGrad(createGraph ? g : g.detach());
        pass?.claimGrad(t);
        pass?.keep(t._peekGrad());
      }
      if (reach && !node.inputs.some((i) => i && reach!.has(i))) {
        pass?.dropIfDead(g); // nothing above t leads to an input: its node is not run (nor freed)
        continue;
      }
      if (!node.backwardFn)
        throw new TensileError(
          `backward: trying to backward through the graph a second time (through ${node.name}); pass {retainGraph: true} to the first backward()`,
        );
      checkSaved(node);
      const rule = pass?.begin();
      let ins: readonly (Tensor | SliceGrad | null | undefined)[];
      // rules compute a gradient only for inputs that require one: hide the inputs not needed
      const hidden = needed ? node.inputs.filter((i): i is Tensor => !!i && !needed!.has(i) && i._requiresGrad) : [];
      for (const i of hidden) i._requiresGrad = false;
      const profiling = profileHook.current;
      profiling?.begin(node.name);
      try {
        ins = node.backwardFn(g);
      } catch (e) {
        throw isAnomalyEnabled() ? withForwardStack(e, node.name, node.stack) : e;
      } finally {
        profiling?.end();
        for (const i of hidden) i._requiresGrad = true;
        if (pass) pass.ruleDone(rule!);
      }
      if (!retain) {
        node.backwardFn = null;
        node.saved = node.savedVersions = null;
        // the rule cannot run again; under createGraph the gradient's own graph may hold them
        if (node.internals && !createGraph) releaseInternals(node.internals);
        node.internals = null;
      } else if (createGraph) {
        // the gradient graph this rule built may read its internals (max pooling's argmax feeds a
        // scatterAdd): a later pass through the node must not release them under that graph
        node.internals = null;
      }
      if (isAnomalyCheckNanEnabled())
        node.inputs.forEach((inp, i) => {
          const gi = ins[i];
          if (inp && gi) checkGradForNan(node.name, i, gi instanceof SliceGrad ? gi.grad : gi, node.stack);
        });
      const spent: Tensor[] = []; // dropped only once every input got its gradient (add's rule returns g twice)
      node.inputs.forEach((inp, i) => {
        const gi = ins[i];
        if (!inp || !gi || (needed && !needed.has(inp))) return;
        if (gi instanceof SliceGrad) {
          let buf = grads.get(inp);
          if (!buf || !buffers.has(buf)) {
            const b = gi.grad.backend;
            // zeros made by the backend (a fill kernel), so on wasm the buffer and the windows
            // written into it stay in wasm memory rather than in a JS array copied in and out
            const zero = new TensorCtor(b.fromArray(arrayFor(gi.grad.dtype, 1)), b, []);
            const fresh = zero.expand(inp.shape).contiguous();
            if (buf) {
              b.assign(fresh, buf); // a full gradient that came first
              pass?.unref(buf);
              if (pass) spent.push(buf);
            }
            buf = fresh;
            buffers.add(buf);
            grads.set(inp, buf);
            pass?.ref(buf);
          }
          const window = { storage: buf.storage, ...gi.view };
          const sum = new TensorCtor(buf.storage, buf.backend, [...gi.view.shape], [...gi.view.strides], gi.view.offset).add(gi.grad);
          buf.backend.assign(window, sum);
          buf.backend.release?.(sum.storage);
          if (pass) spent.push(gi.grad);
          return;
        }
        const r = reduceGradToShape(gi, inp.shape);
        const sofar = grads.get(inp);
        const next = sofar ? sofar.add(r) : r;
        grads.set(inp, next);
        if (pass) {
          pass.ref(next);
          if (sofar) {
            pass.unref(sofar);
            spent.push(sofar, r);
          }
          spent.push(gi);
        }
      });
      if (pass) {
        for (const x of spent) pass.dropIfDead(x);
        pass.end(rule!); // the rule's own temporaries
        pass.dropIfDead(g);
      }
    }
  } finally {
    setGradEnabled(prev);
    if (pass) {
      newStorages.current = null;
      pass.releaseAll();
    }
  }
}

/**
 * The storages a backward pass creates, and which of them may still be read: those a pending
 * gradient refers to (counted), and those kept as some tensor's `.grad`. Everything else is
 * released (`Backend.release`) once the pass can no longer reach it.
 */
class PassStorages {
  readonly created = new Map<Storage, Backend>();
  private uses = new Map<Storage, number>();
  private kept = new Set<Storage>();
  /** Storages this pass made that became a tensor's `.grad`, and whose. */
  private claimed = new Map<Storage, Tensor>();

  /**
   * `t`'s grad is owned by `t` (released when dropped, see Tensor._dropGrad) when this pass made
   * its storage and no other tensor's grad shares it (add's rule passes one gradient to both
   * inputs: two leaves' grads may be views of one storage).
   */
  claimGrad(t: Tensor): void {
    const g = t._peekGrad();
    if (!g || !this.created.has(g.storage)) return;
    const other = this.claimed.get(g.storage);
    if (other === undefined) {
      this.claimed.set(g.storage, t);
      t._setGradOwned(true);
    } else if (other !== t) {
      other._setGradOwned(false);
      t._setGradOwned(false);
    } else t._setGradOwned(true);
  }

  ref(t: Tensor): void {
    this.uses.set(t.storage, (this.uses.get(t.storage) ?? 0) + 1);
  }
  unref(t: Tensor): void {
    const n = (this.uses.get(t.storage) ?? 0) - 1;
    if (n > 0) this.uses.set(t.storage, n);
    else this.uses.delete(t.storage);
  }
  keep(t: Tensor | null): void {
    if (t) this.kept.add(t.storage);
  }
  /** Releases `t`'s storage if the pass created it and nothing pending or kept refers to it. */
  dropIfDead(t: Tensor): void {
    this.drop(t.storage);
  }
  private drop(s: Storage): void {
    const backend = this.created.get(s);
    if (!backend || this.uses.has(s) || this.kept.has(s)) return;
    this.created.delete(s);
    backend.release?.(s);
  }
  /** Marks the start of a backward rule: the storages created until `ruleDone` are its own. */
  begin(): Map<Storage, Backend> {
    const rule = new Map<Storage, Backend>();
    newStorages.current = rule;
    return rule;
  }
  /** The rule returned: its storages join the pass's (results created from now on go there). */
  ruleDone(rule: Map<Storage, Backend>): void {
    for (const [s, b] of rule) this.created.set(s, b);
    newStorages.current = this.created;
  }
  /** After the rule's results were passed on: releases the temporaries it created that are dead. */
  end(rule: Map<Storage, Backend>): void {
    for (const s of rule.keys()) this.drop(s);
  }
  releaseAll(): void {
    for (const s of [...this.created.keys()]) this.drop(s);
  }
}

/**
 * `Tensor.backward`'s arguments read in torch's forms (`backward(gradient, retain_graph, create_graph,
 * inputs)` positionally, then an options object, or the options alone, `{ gradient }` included), then
 * the pass. The options alone used to be read as the gradient (a crash), and snake_case keys were ignored.
 */
export function backwardWithArgs(root: Tensor, args: readonly unknown[]): void {
  const o = positionalOptions<BackwardOptions & { gradient?: unknown }>("backward", args,
    { keys: ["gradient", "retainGraph", "createGraph", "inputs"], known: [] });
  if (o.gradient !== undefined && o.gradient !== null && !(o.gradient instanceof TensorCtor))
    throw new TensileError(`backward: gradient must be a Tensor, got ${fmtValue(o.gradient)}`);
  runBackward(root, (o.gradient ?? undefined) as Tensor | undefined, { retainGraph: o.retainGraph, createGraph: o.createGraph, inputs: o.inputs });
}

/** Options of `grad` (PyTorch's keyword arguments of `torch.autograd.grad`). */
export interface GradOptions {
  /** One gradient per output (null/undefined: ones, for a scalar output), or a single tensor for a single output. */
  gradOutputs?: Tensor | readonly (Tensor | null | undefined)[];
  /** Keep the graph for another backward (default: `createGraph`). */
  retainGraph?: boolean;
  /** Record the gradients' own graph, so that they can be differentiated again (default false). */
  createGraph?: boolean;
  /** Return null for an input the outputs do not depend on, instead of throwing (default false). */
  allowUnused?: boolean;
}
const GRAD_KEYS = ["gradOutputs", "retainGraph", "createGraph", "onlyInputs", "allowUnused"];

/**
 * Gradients of `outputs` with respect to `inputs`, returned instead of accumulated into `.grad`
 * (PyTorch's `torch.autograd.grad`). With `createGraph` the results are differentiable again.
 * `gradOutputs` is one tensor per output (null/undefined: ones, for a scalar output), or, as in
 * PyTorch, a single tensor for a single output.
 *
 * ```ts
 * const out = model.forward(x).index([":", 3]);                     // [N] logits of class 3
 * const [dx] = grad(out, x, { gradOutputs: onesLike(out) });         // ∂Σ out / ∂x
 * ```
 * PyTorch's positional order works too: `grad(u, t, onesLike(u), null, true)` is
 * `grad(u, t, { gradOutputs: onesLike(u), createGraph: true })` (`onlyInputs`, deprecated in
 * PyTorch, is accepted positionally and ignored). Without `allowUnused` every result is a tensor
 * (an unused input throws), and is typed so: `const [du] = grad(u, t, …); du.add(…)`.
 */
export function grad(outputs: Tensor | readonly Tensor[], inputs: Tensor | readonly Tensor[], opts?: GradOptions & { allowUnused?: false }): Tensor[];
export function grad(outputs: Tensor | readonly Tensor[], inputs: Tensor | readonly Tensor[], opts?: GradOptions): (Tensor | null)[];
/** PyTorch's positional order (gradOutputs, retainGraph, createGraph, onlyInputs, allowUnused), then an optional options object. */
export function grad(outputs: Tensor | readonly Tensor[], inputs: Tensor | readonly Tensor[], ...args: PositionalArgs<[gradOutputs: GradOptions["gradOutputs"] | null,
  retainGraph: boolean | null, createGraph: boolean, onlyInputs: boolean, allowUnused: boolean], GradOptions>): (Tensor | null)[];
export function grad(outputs: Tensor | readonly Tensor[], inputs: Tensor | readonly Tensor[], ...args: unknown[]): (Tensor | null)[] {
  // a positional tensor used to be read as the options object ({ gradOutputs: undefined }): a
  // scalar output's given gradient silently became 1; an options key in snake_case (create_graph) was ignored
  const opts = positionalOptions<GradOptions>("grad", args, { keys: GRAD_KEYS, ignore: ["onlyInputs"], known: [], after: "outputs and inputs" });
  const outs = Array.isArray(outputs) ? (outputs as Tensor[]) : [outputs as Tensor];
  const ins = Array.isArray(inputs) ? (inputs as Tensor[]) : [inputs as Tensor];
  // torch's _tensor_or_tensors_to_tuple: a lone tensor is the one output's gradient (it used to be
  // indexed like an array here, read as "no gradient", and a scalar output's seed silently became 1)
  const gradOuts = opts.gradOutputs === undefined || opts.gradOutputs === null ? undefined
    : Array.isArray(opts.gradOutputs) ? (opts.gradOutputs as readonly (Tensor | null | undefined)[]) : [opts.gradOutputs as Tensor];
  if (gradOuts !== undefined && gradOuts.length !== outs.length)
    throw new TensileError(`grad: got ${outs.length} tensors and ${gradOuts.length} gradients (gradOutputs needs one entry per output)`);
  const saved = ins.map((t) => [t.grad, t._retainsGrad] as const);
  ins.forEach((t) => {
    t.grad = null;
    t._retainsGrad = true;
  });
  try {
    outs.forEach((o, i) =>
      runBackward(o, gradOuts?.[i] ?? undefined, {
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
