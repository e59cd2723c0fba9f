/**
 * Gradient checkpointing (PyTorch's `torch.utils.checkpoint`): trade compute for memory. The
 * wrapped function runs without recording a graph, so none of its intermediate activations are kept;
 * backward runs it again, with the random state it first saw, and differentiates that second run.
 * A deep network's activation memory then grows with the number of checkpointed segments rather
 * than with its depth.
 *
 * How it fits the engine: the forward runs under `noGrad` with a tracer installed (the same hook
 * ONNX export uses), which sees every op's inputs and so finds every tensor requiring grad that the
 * function reads: its tensor arguments, and the parameters it reaches through closures or modules.
 * Those become the inputs of one recorded node per output, so the engine accumulates, hooks, prunes
 * (`backward({inputs})`) and frees their gradients exactly as for any other op. The node's rule
 * recomputes the function under `enableGrad` on detached copies of the arguments and returns
 * `grad(output, inputs)` of that recomputation.
 */
import { TensileError, fmtValue } from "../errors.js";
import { Tensor } from "../tensor/tensor.js";
import { record, grad } from "../autograd/engine.js";
import { enableGrad, isGradEnabled, noGrad } from "../autograd/grad-mode.js";
import { type Tracer, tracing } from "../autograd/trace.js";
import { getRngState, setRngState } from "../tensor/random.js";
import { Module } from "../nn/module.js";

export interface CheckpointOptions {
  /**
   * Save the global generator's state before the forward and restore it for the recomputation, so
   * dropout draws the same masks both times (PyTorch's default, `preserve_rng_state=True`).
   */
  preserveRngState?: boolean;
}

const OPTION_KEYS = new Set(["preserveRngState"]);

/** A trailing plain object whose keys are all checkpoint options is taken as the options. */
function splitOptions(args: unknown[]): [unknown[], CheckpointOptions] {
  const last = args[args.length - 1];
  if (last !== null && typeof last === "object" && Object.getPrototypeOf(last) === Object.prototype) {
    const keys = Object.keys(last);
    if (keys.length > 0 && keys.every((k) => OPTION_KEYS.has(k))) return [args.slice(0, -1), last as CheckpointOptions];
  }
  return [args, {}];
}

/** Replaces tensors in `args` (top level and in arrays one level down) through `f`. */
function mapTensors(args: readonly unknown[], f: (t: Tensor) => Tensor): unknown[] {
  return args.map((a) => (a instanceof Tensor ? f(a) : Array.isArray(a) ? a.map((b) => (b instanceof Tensor ? f(b) : b)) : a));
}

function outputsOf(op: string, r: unknown): Tensor[] {
  if (r instanceof Tensor) return [r];
  if (Array.isArray(r) && r.length > 0 && r.every((t) => t instanceof Tensor)) return r as Tensor[];
  throw new TensileError(`${op}: the function must return a Tensor or an array of Tensors, got ${fmtValue(r)}`);
}

/**
 * `checkpoint(fn, ...args)`: `fn(...args)`, with its activations recomputed during backward instead
 * of stored (PyTorch's `torch.utils.checkpoint.checkpoint`). `fn` may return a Tensor or an array
 * of Tensors; tensor arguments may also sit in arrays (an LSTM's `[h, c]`). A trailing
 * `{ preserveRngState: false }` skips saving the random state.
 *
 * As in PyTorch: the function must compute the same thing when run again (a module in training
 * mode runs its forward twice, so batch norm updates its running statistics twice), and in-place
 * writes to an argument between forward and backward are refused at backward. Unlike PyTorch's
 * reentrant version, parameters get their gradients even when no argument requires grad. A tensor
 * that requires grad and was made by recorded ops outside `fn` must be passed as an argument, not
 * captured (its graph cannot be joined from inside the recomputation): that is an error. With
 * several outputs, backward recomputes `fn` once per output that receives a gradient.
 */
export function checkpoint<A extends unknown[], R extends Tensor | Tensor[]>(fn: (...args: A) => R, ...args: A | [...A, CheckpointOptions]): R {
  const op = "checkpoint";
  if (typeof fn !== "function") throw new TensileError(`${op}: expected a function to run, got ${fmtValue(fn)}`);
  const [fnArgs, opts] = splitOptions(args as unknown[]);
  const preserve = opts.preserveRngState ?? true;
  const call = (a: unknown[]) => (fn as (...x: unknown[]) => unknown)(...a);
  // Nothing to save without a graph, and a tracer (ONNX export) must see the real ops.
  if (!isGradEnabled() || tracing.current) return call(fnArgs) as R;

  const rng = preserve ? getRngState() : null;
  const argTensors = new Set<Tensor>();
  mapTensors(fnArgs, (t) => (argTensors.add(t), t));
  const seen = new Set<Tensor>();
  const tracer: Tracer = {
    op(_name, _out, inputs) {
      for (const t of inputs) if (t && t.requiresGrad) seen.add(t);
    },
    attrs() {},
    rebind() {},
    unit: (_n, _x, _a, run) => run(),
  };
  tracing.current = tracer;
  let result: unknown;
  try {
    result = noGrad(() => call(fnArgs));
  } finally {
    tracing.current = null;
  }
  const outs = outputsOf(op, result);
  // The node's inputs: arguments that require grad, then the leaves (parameters) fn read.
  const inputs: Tensor[] = [];
  for (const t of argTensors) if (t.requiresGrad) inputs.push(t);
  for (const t of seen) {
    if (argTensors.has(t)) continue;
    if (t.gradFn)
      throw new TensileError(`${op}: the function reads a tensor of shape [${t.shape.join(", ")}] that requires grad and was computed outside it (grad_fn ${t.gradFn.name}); pass it as an argument`);
    inputs.push(t);
  }
  if (inputs.length === 0) return result as R;

  const rule = (i: number) => (g: Tensor): (Tensor | null)[] => {
    // differentiate a fresh run on detached arguments: the outer graph stays out of reach
    const detached = new Map<Tensor, Tensor>();
    const again = mapTensors(fnArgs, (t) => {
      const d = t.detach();
      if (t.requiresGrad) d.requiresGrad_(true);
      detached.set(t, d);
      return d;
    });
    const wanted = inputs.map((t) => detached.get(t) ?? t);
    const now = rng ? getRngState() : null;
    if (rng) setRngState(rng);
    let out2: Tensor;
    try {
      const r = outputsOf(op, enableGrad(() => call(again)));
      if (r.length !== outs.length || r.some((o, k) => o.shape.length !== outs[k]!.shape.length || o.shape.some((d, j) => d !== outs[k]!.shape[j])))
        throw new TensileError(`${op}: recomputing the function during backward gave outputs of other shapes than the forward's; the function must compute the same thing each time`);
      out2 = r[i]!;
    } finally {
      if (now) setRngState(now);
    }
    if (!out2.requiresGrad) return inputs.map(() => null);
    // inputs the engine hid (not needed by this backward) no longer require grad: skip them
    const ask = wanted.map((w, k) => (inputs[k]!.requiresGrad ? w : null));
    const asked = ask.filter((w): w is Tensor => w !== null);
    if (asked.length === 0) return inputs.map(() => null);
    const grads = grad(out2, asked, { gradOutputs: [g], createGraph: isGradEnabled(), allowUnused: true });
    let k = 0;
    return ask.map((w) => (w ? grads[k++]! : null));
  };
  const recorded = outs.map((o, i) => record(op, o.detach(), inputs, rule(i), undefined, inputs));
  return (result instanceof Tensor ? recorded[0] : recorded) as R;
}

/**
 * PyTorch's `checkpoint_sequential(functions, segments, input)`: runs the layers of a `Sequential`
 * (or an array of modules or functions) in `segments` chunks, checkpointing every chunk but the
 * last, which runs normally (its activations are needed at once by backward anyway).
 */
export function checkpointSequential(
  functions: Module | readonly (Module | ((x: Tensor) => Tensor))[],
  segments: number,
  input: Tensor,
  opts: CheckpointOptions = {},
): Tensor {
  const op = "checkpointSequential";
  opts ??= {};
  let layers: (Module | ((x: Tensor) => Tensor))[];
  if (functions instanceof Module) layers = [...functions.children()];
  else if (Array.isArray(functions)) layers = [...functions];
  else throw new TensileError(`${op}: expected a Sequential or an array of modules or functions, got ${fmtValue(functions)}`);
  for (const l of layers)
    if (!(l instanceof Module) && typeof l !== "function") throw new TensileError(`${op}: expected modules or functions, got ${fmtValue(l)}`);
  if (!Number.isInteger(segments) || segments < 1)
    throw new TensileError(`${op}: segments must be a positive integer, got ${fmtValue(segments)}`);
  if (!(input instanceof Tensor)) throw new TensileError(`${op}: expected a Tensor input, got ${fmtValue(input)}`);
  const run = (from: number, to: number) => (x: Tensor): Tensor => {
    for (let j = from; j <= to; j++) {
      const l = layers[j]!;
      x = l instanceof Module ? (l.forward as (y: Tensor) => Tensor)(x) : l(x);
    }
    return x;
  };
  const size = Math.floor(layers.length / segments);
  let end = -1;
  let x = input;
  for (let start = 0; start < size * (segments - 1); start += size) {
    end = start + size - 1;
    x = checkpoint(run(start, end), x, { preserveRngState: opts.preserveRngState ?? true });
  }
  return run(end + 1, layers.length - 1)(x);
}
