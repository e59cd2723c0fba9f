/**
 * ONNX export, as `torch.onnx.export`: runs the model on an example input, records what it
 * computes and writes an ONNX model (opset 17) that ONNX Runtime, onnxruntime-web and other ONNX
 * tools run. Bytes everywhere (`exportOnnxBytes`); a file, written atomically, on Node
 * (`exportOnnx` in `io`).
 *
 * ```ts
 * const bytes = io.exportOnnxBytes(model, randn(1, 784));            // batch dim dynamic
 * // onnxruntime: session.run({ input: new ort.Tensor("float32", data, [n, 784]) }).output
 * ```
 *
 * How: the model runs in eval mode with its known layers (Linear, Conv1d/2d, pooling, batch and
 * layer norm, activations, Dropout, Flatten, Embedding, Identity) each exported whole from its
 * options, and the tensor ops between them (add, mul, matmul, reshape/view/flatten, permute,
 * softmax, cat, sums, …) recorded as they run. Parameters and buffers become initializers under
 * their state-dict names. The forward runs a second time on a different input (another batch
 * size when the batch dim is dynamic): a graph that changes, or a constant that depends on the
 * input (a mask from a comparison, a zeros tensor sized by the batch), is refused with an error
 * naming it, rather than written wrong. What is not supported throws, naming the op or layer.
 */
import { Generator, Tensor, noGrad, randn, randint } from "../core.js";
import { TensileError, fmtShape, fmtValue } from "../errors.js";
import { UnitDepth, tracing, type Tracer } from "../autograd/trace.js";
import { Module } from "../nn/module.js";
import * as L from "../nn/layers/index.js";
import { Graph, elemOf } from "./onnx/graph.js";
import { LAYERS, functional, opNode, recurrent } from "./onnx/ops.js";
import { TENSORS_LAYERS, refuseUnrunLazy } from "./onnx/ops-3d.js";
import { Pb, attribute, tensorProto, valueInfo } from "./onnx/proto.js";

// ---------------------------------------------------------------- tracing

interface TraceResult { graph: Graph; outputs: Tensor[] }

function trace(model: Module | ((...x: Tensor[]) => Tensor | Tensor[]), inputs: Tensor[], params: Map<Tensor, string>, inputNames: string[]): TraceResult {
  const g = new Graph(params);
  const attrs = new WeakMap<Tensor, Record<string, unknown>>();
  const units = new UnitDepth();
  const tracer: Tracer = {
    op(name, out, ins) {
      if (!units.outer) return;
      const tensors = ins.filter((t): t is Tensor => t instanceof Tensor);
      g.names.set(out, opNode(g, name, out, tensors, attrs.get(out) ?? {}));
    },
    attrs(out, a) {
      attrs.set(out, a);
    },
    rebind(target, value) {
      const n = g.names.get(value);
      if (n) g.names.set(target, n);
    },
    unit(name, x, a, run) {
      const out = units.inside(run);
      if (units.outer && out instanceof Tensor) g.names.set(out, functional(g, name, g.value(x), x, out, a));
      else if (units.outer)
        throw new TensileError(`exportOnnx: F.${name} returning several tensors (returnIndices) has no ONNX export here; the layer form (nn.MaxPool2d with returnIndices) does`);
      return out;
    },
  };
  const removers: { remove(): void }[] = [];
  /** Exports layer `m` whole: its forward is a unit, and `onOuter` writes its nodes once it returns. */
  const asUnit = (m: Module, onOuter: (mod: Module, args: unknown[], out: unknown) => void) => {
    removers.push(m.registerForwardPreHook(() => {
      units.enter();
      return undefined;
    }));
    removers.push(m.registerForwardHook((mod, args, out) => {
      units.leave();
      if (units.outer) onOuter(mod, args, out);
      return undefined;
    }));
  };
  if (model instanceof Module) {
    for (const m of model.modules()) {
      const exporter = LAYERS.get(m.constructor);
      if (m instanceof L.RNN || m instanceof L.LSTM || m instanceof L.GRU) {
        asUnit(m, (mod, args, out) => recurrent(g, mod as L.LSTM, args, out));
        continue;
      }
      const whole = TENSORS_LAYERS.get(m.constructor);
      if (whole) {
        // several tensors in or out (indices): the rule names every output itself
        asUnit(m, (mod, args, out) => whole(g, mod, args, out));
        continue;
      }
      if (!exporter) continue;
      asUnit(m, (mod, args, out) => {
        const x = args[0];
        if (!(x instanceof Tensor) || !(out instanceof Tensor))
          throw new TensileError(`exportOnnx: ${mod.constructor.name} was called with ${fmtValue(x)}; only one tensor in, one out is exported`);
        g.names.set(out, exporter(g, mod, g.value(x), x, out));
      });
    }
  }
  inputs.forEach((x, i) => g.names.set(x, inputNames[i]!));
  const prev = tracing.current;
  tracing.current = tracer;
  let result: unknown;
  try {
    result = noGrad(() => (model instanceof Module ? (model.forward as (...a: Tensor[]) => unknown)(...inputs) : model(...inputs)));
  } finally {
    tracing.current = prev;
    for (const r of removers) r.remove();
  }
  const outputs = Array.isArray(result) ? result : [result];
  if (!outputs.every((o) => o instanceof Tensor))
    throw new TensileError(`exportOnnx: the model must return a Tensor or an array of Tensors, got ${fmtValue(result)}`);
  for (const o of outputs as Tensor[])
    if (!g.names.has(o) || inputs.includes(o))
      throw new TensileError(`exportOnnx: an output (${fmtShape(o.shape)}) was not computed by ops the export could record (from comparisons, argmax, indexing or JS code?)`);
  return { graph: g, outputs: outputs as Tensor[] };
}

export interface ExportOnnxOptions {
  /** Graph input names (default "input", or "input_0", "input_1", …). */
  inputNames?: string[];
  /** Graph output names (default "output", or "output_0", …). */
  outputNames?: string[];
  /** Leave the first dim of every input and output free (default true), as dynamic_axes={0: "batch"}. */
  dynamicBatch?: boolean;
  /**
   * Which dims of which inputs and outputs are free, by name, as PyTorch's `dynamic_axes`
   * (`{ input: [0, 1], output: [0, 1] }` for a time-major sequence batch); overrides dynamicBatch.
   */
  dynamicAxes?: Record<string, number[]>;
  /** Written into the model (default "tensile"). */
  producerName?: string;
}

/** An example input's twin, one larger in each free dim and with other values, for the second trace. */
function twin(x: Tensor, free: readonly number[], generator: Generator): Tensor {
  const shape = x.shape.map((d, i) => (free.includes(i) ? d + 1 : d));
  if (x.dtype === "int32") {
    // indices (an Embedding's): other valid ones, within the range the example used
    const hi = Array.from(x.dataSync() as Int32Array).reduce((m, v) => Math.max(m, v), 0) + 1;
    return randint(0, hi, shape, { dtype: "int32", generator });
  }
  if (x.dtype === "bool") return randn(shape, { generator }).gt(0);
  return randn(shape, { dtype: x.dtype, generator }).mul(x.abs().mean().item() || 1);
}

/** Whether expand node i's input had size 1 at dim k (then its size came from elsewhere). */
function expandsFromOne(t: TraceResult, i: number, k: number): boolean {
  return t.graph.expandInputs.get(i)?.[k] === 1;
}

/**
 * The model as ONNX bytes (opset 17). `inputs`: an example input, or one per forward argument.
 * The model runs in eval mode (its mode is restored afterwards).
 */
export function exportOnnxBytes(model: Module | ((...x: Tensor[]) => Tensor | Tensor[]), inputs: Tensor | Tensor[], options: ExportOnnxOptions = {}): Uint8Array {
  const op = "exportOnnx";
  options ??= {};
  if (!(model instanceof Module) && typeof model !== "function") throw new TensileError(`${op}: model must be an nn.Module or a function, got ${fmtValue(model)}`);
  const xs = inputs instanceof Tensor ? [inputs] : inputs;
  if (!Array.isArray(xs) || xs.length === 0 || !xs.every((x) => x instanceof Tensor))
    throw new TensileError(`${op}: inputs must be a Tensor or an array of Tensors, got ${fmtValue(inputs)}`);
  if (typeof options !== "object") throw new TensileError(`${op}: options must be an object, got ${fmtValue(options)}`);
  for (const key of ["inputNames", "outputNames"] as const) {
    const names = options[key];
    if (names !== undefined && (!Array.isArray(names) || !names.every((n) => typeof n === "string" && n !== "") || new Set(names).size !== names.length))
      throw new TensileError(`${op}: ${key} must be an array of distinct non-empty strings, got ${fmtValue(names)}`);
  }
  if (options.dynamicBatch !== undefined && typeof options.dynamicBatch !== "boolean")
    throw new TensileError(`${op}: dynamicBatch must be true or false, got ${fmtValue(options.dynamicBatch)}`);
  const inputNames = options.inputNames ?? (xs.length === 1 ? ["input"] : xs.map((_, i) => `input_${i}`));
  if (inputNames.length !== xs.length) throw new TensileError(`${op}: ${xs.length} inputs but ${inputNames.length} inputNames`);
  const axes = options.dynamicAxes ?? null;
  if (axes !== null && (typeof axes !== "object" || !Object.values(axes).every((v) => Array.isArray(v) && v.every((d) => Number.isInteger(d) && d >= 0))))
    throw new TensileError(`${op}: dynamicAxes must map names to arrays of dims, got ${fmtValue(axes)}`);
  const batchOnly = axes === null && (options.dynamicBatch ?? true);
  const freeDims = (name: string, t: Tensor): number[] => (axes ? (axes[name] ?? []) : batchOnly && t.ndim > 0 ? [0] : []).filter((d) => d < t.ndim);
  const params = new Map<Tensor, string>();
  if (model instanceof Module) {
    refuseUnrunLazy(model);
    for (const [k, p] of model.namedParameters()) params.set(p, k);
    for (const [k, b] of model.namedBuffers()) params.set(b, k);
  }
  const wasTraining = model instanceof Module ? model.training : false;
  if (model instanceof Module) model.eval();
  let a: TraceResult, b: TraceResult;
  try {
    const detached = xs.map((x) => x.detach());
    a = trace(model, detached, params, inputNames);
    // its own generator: exporting leaves the default random stream where it was
    const gen = new Generator(0x6f6e6e78);
    b = trace(model, xs.map((x, i) => twin(x, freeDims(inputNames[i]!, x), gen)), params, inputNames);
  } finally {
    if (model instanceof Module) model.train(wasTraining);
  }
  const g = a.graph;
  // the same graph both times, with the same constants: else it depends on the input
  const sig = (gr: Graph) => gr.nodes.map((n) => `${n.op}(${n.inputs.length})`).join(" ");
  if (sig(g) !== sig(b.graph))
    throw new TensileError(`${op}: the model computed a different graph for another input (control flow that depends on the input's values or size?), which one ONNX graph cannot hold`);
  const same = (x: ArrayLike<number>, y: ArrayLike<number>) =>
    x.length === y.length && Array.from(x).every((v, k) => Object.is(v, y[k]) || (Number.isNaN(v) && Number.isNaN(y[k]!)));
  g.constants.forEach((c, i) => {
    const d = b.graph.constants[i]!;
    if (c.shape.join() !== d.shape.join() || !same(c.values, d.values))
      throw new TensileError(`${op}: a tensor of shape ${fmtShape(c.shape)} that the export sees as a constant changed with the input: ` +
        "it is computed by an op the export cannot record (a comparison, argmax, a tensor made in forward from the input's size, or JS code)");
  });
  // the constants the export made itself (slice bounds, axes, ...) must not follow the batch either
  g.inits.forEach((init, i) => {
    const other = b.graph.inits[i]!;
    if (g.batchShapes.has(init.name) || init.name !== other.name) return;
    if (!same(init.data, other.data))
      throw new TensileError(`${op}: the constant ${init.name} (${Array.from(init.data).join(", ")}) follows the batch size, which one ONNX graph cannot hold (an index or size taken from the input's batch?)`);
  });
  // reshape targets: an entry that follows the batch size becomes -1; an expand's becomes 1,
  // which keeps the input's own size there (it must be the batch then, not a broadcast 1)
  for (const [kind, mine, theirs] of [["reshape", g.reshapes, b.graph.reshapes], ["expand", g.expands, b.graph.expands]] as const) {
    for (const [i, target] of mine) {
      const other = theirs.get(i)!;
      const diff = target.map((v, k) => v !== other[k]);
      if (diff.filter(Boolean).length > 1)
        throw new TensileError(`${op}: a ${kind} to ${fmtShape(target)} changes in more than one dim with the batch size`);
      const k = diff.indexOf(true);
      if (k < 0) continue;
      const node = g.nodes[i]!;
      if (kind === "expand" && expandsFromOne(a, i, k))
        throw new TensileError(`${op}: an expand to ${fmtShape(target)} broadcasts a size-1 dim to the batch size, which a fixed ONNX shape cannot say`);
      const init = g.inits.find((x) => x.name === node.inputs[1]!)!;
      init.data = target.map((v, j) => (j === k ? (kind === "reshape" ? -1 : 1) : v));
    }
  }
  const graph = new Pb();
  for (const n of g.nodes) {
    const p = new Pb();
    for (const i of n.inputs) p.str(1, i);
    for (const o of n.outputs) p.str(2, o);
    p.str(3, n.outputs[0]!).str(4, n.op);
    for (const [k, v] of Object.entries(n.attrs)) p.msg(5, attribute(k, v));
    graph.msg(1, p);
  }
  graph.str(2, model instanceof Module ? model.constructor.name : "model");
  for (const init of g.inits) graph.msg(5, tensorProto(init.name, init.dims, init.elem, init.data));
  const dims = (name: string, t: Tensor) => {
    const free = freeDims(name, t);
    return t.shape.map((d, i) => (!free.includes(i) ? d : batchOnly ? "batch" : `${name}_dim${i}`));
  };
  xs.forEach((x, i) => graph.msg(11, valueInfo(inputNames[i]!, elemOf(x), dims(inputNames[i]!, x))));
  const outputNames = options.outputNames ?? (a.outputs.length === 1 ? ["output"] : a.outputs.map((_, i) => `output_${i}`));
  if (outputNames.length !== a.outputs.length) throw new TensileError(`${op}: ${a.outputs.length} outputs but ${outputNames.length} outputNames`);
  // outputs get their own names through Identity nodes (an output may also feed other nodes)
  a.outputs.forEach((o, i) => {
    const p = new Pb().str(1, g.names.get(o)!).str(2, outputNames[i]!).str(3, outputNames[i]!).str(4, "Identity");
    graph.msg(1, p);
    graph.msg(12, valueInfo(outputNames[i]!, elemOf(o), dims(outputNames[i]!, o)));
  });
  const model_ = new Pb()
    .int(1, 8) // IR version 8 (ONNX 1.10+), for opset 17
    .str(2, options.producerName ?? "tensile")
    .str(3, "0.1.0")
    .msg(8, new Pb().str(1, "").int(2, 17))
    .msg(7, graph);
  return model_.finish();
}
