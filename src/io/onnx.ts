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
 * naming it, rather than written wrong. A reshape or expand target entry that is an input's free
 * size is read from the input at run time (a third run tells it from a size equal by chance).
 * What is not supported throws, naming the op or layer.
 */
import { Generator, Tensor, noGrad, randn, randint } from "../core.js";
import { TensileError, fmtShape, fmtValue } from "../errors.js";
import { UnitDepth, tracing, type Tracer } from "../autograd/trace.js";
import { Module } from "../nn/module.js";
import * as L from "../nn/layers/index.js";
import { Graph, elemOf } from "./onnx/graph.js";
import { LAYERS, functional, opNode, recurrent } from "./onnx/ops.js";
import { TENSORS_LAYERS, refuseUnrunLazy } from "./onnx/ops-3d.js";
import { moreFunctional, moreOp } from "./onnx/ops-more.js";
import { type Attr, Pb, attribute, tensorProto, valueInfo } from "./onnx/proto.js";

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
      const a = attrs.get(out) ?? {};
      g.names.set(out, moreOp(g, name, out, tensors, a) ?? opNode(g, name, out, tensors, a));
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
      if (units.outer && out instanceof Tensor) g.names.set(out, moreFunctional(g, name, g.value(x), a) ?? functional(g, name, g.value(x), x, out, a));
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
  // an output that is an input (a model whose layers are all eval-mode dropouts) is written as an Identity
  for (const o of outputs as Tensor[])
    if (!g.names.has(o))
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
function twin(x: Tensor, free: readonly number[], generator: Generator, by: (k: number) => number = () => 1): Tensor {
  const shape = x.shape.map((d, i) => (free.includes(i) ? d + by(free.indexOf(i)) : d));
  if (x.dtype === "int32") {
    // indices (an Embedding's): other valid ones, within the range the example used
    const hi = Array.from(x.dataSync() as Int32Array).reduce((m, v) => Math.max(m, v), 0) + 1;
    return randint(0, hi, shape, { dtype: "int32", generator });
  }
  if (x.dtype === "bool") return randn(shape, { generator }).gt(0);
  return randn(shape, { dtype: x.dtype, generator }).mul(x.abs().mean().item() || 1);
}

/** The nodes the outputs depend on, by index. */
function liveNodes(g: Graph, outputs: string[]): Set<number> {
  const want = new Set(outputs), live = new Set<number>();
  for (let i = g.nodes.length - 1; i >= 0; i--) {
    const n = g.nodes[i]!;
    if (!n.outputs.some((o) => want.has(o))) continue;
    live.add(i);
    for (const x of n.inputs) want.add(x);
  }
  return live;
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
  let a: TraceResult, b: TraceResult, twins: Tensor[];
  try {
    const detached = xs.map((x) => x.detach());
    a = trace(model, detached, params, inputNames);
    // its own generator: exporting leaves the default random stream where it was
    const gen = new Generator(0x6f6e6e78);
    twins = xs.map((x, i) => twin(x, freeDims(inputNames[i]!, x), gen));
    try {
      b = trace(model, twins, params, inputNames);
    } catch (e) {
      if (!(e instanceof TensileError) || e.message.startsWith(`${op}:`)) throw e;
      throw new TensileError(`${op}: the model failed on the check run's input ${twins.map((t) => fmtShape(t.shape)).join(", ")} (its free dims one larger than the example's): ${e.message}`);
    }
  } finally {
    if (model instanceof Module) model.train(wasTraining);
  }
  const g = a.graph;
  // the same graph both times, with the same constants: else it depends on the input
  const sig = (gr: Graph) => gr.nodes.map((n) => `${n.op}(${n.inputs.length})`).join(" ");
  if (sig(g) !== sig(b.graph))
    throw new TensileError(`${op}: the model computed a different graph for another input (control flow that depends on the input's values or size?), which one ONNX graph cannot hold`);
  // an attribute (a pooling window, a split size) taken from a size that follows the input's free dims
  g.nodes.forEach((n, i) => {
    const m = b.graph.nodes[i]!;
    for (const [k, v] of Object.entries(n.attrs))
      if (JSON.stringify(v) !== JSON.stringify(m.attrs[k]))
        throw new TensileError(`${op}: the ${n.op} node's ${k} (${JSON.stringify(v)}) changes with the size of the input's free dims (${JSON.stringify(m.attrs[k])} on the check run); ` +
          "it is fixed in ONNX: export with those dims fixed (dynamicBatch: false or dynamicAxes)");
  });
  const live = liveNodes(g, a.outputs.map((o) => g.names.get(o)!));
  const read = new Set(g.nodes.filter((_, i) => live.has(i)).flatMap((n) => n.inputs));
  for (const o of a.outputs) read.add(g.names.get(o)!);
  const same = (x: ArrayLike<number>, y: ArrayLike<number>) =>
    x.length === y.length && Array.from(x).every((v, k) => Object.is(v, y[k]) || (Number.isNaN(v) && Number.isNaN(y[k]!)));
  g.constants.forEach((c, i) => {
    const d = b.graph.constants[i]!;
    if (!read.has(c.name)) return;
    if (c.shape.join() !== d.shape.join() || !same(c.values, d.values))
      throw new TensileError(`${op}: a tensor of shape ${fmtShape(c.shape)} that the export sees as a constant changed with the input: ` +
        "it is computed by an op the export cannot record (a comparison, argmax, a tensor made in forward from the input's size, or JS code)");
  });
  // the constants the export made itself (slice bounds, axes, ...) must not follow the batch either
  g.inits.forEach((init, i) => {
    const other = b.graph.inits[i]!;
    if (g.batchShapes.has(init.name) || init.name !== other.name || !read.has(init.name)) return;
    if (!same(init.data, other.data))
      throw new TensileError(`${op}: the constant ${init.name} (${Array.from(init.data).join(", ")}) follows the batch size (or another free dim), which one ONNX graph cannot hold (an index or size taken from the input's shape?)`);
  });
  // shapes read from the inputs at run time (Shape nodes), written before every other node
  const prelude: { op: string; inputs: string[]; outputs: string[]; attrs: Record<string, Attr> }[] = [];
  /** A 1-element int64 value: the input dim whose size the target entry follows, or null where none does. */
  // a third run, an input's free dims 2, 3, … larger, tells a size that follows an input dim from one
  // that only matched it twice (a pooled length equal to the batch size)
  let third: TraceResult | null = null;
  const thirdRun = (): TraceResult => {
    if (third) return third;
    const gen = new Generator(0x6f6e6e79);
    if (model instanceof Module) model.eval();
    try {
      third = trace(model, xs.map((x, i) => twin(x, freeDims(inputNames[i]!, x), gen, (k) => 2 + k)), params, inputNames);
    } catch (e) {
      if (!(e instanceof TensileError) || e.message.startsWith(`${op}:`)) throw e;
      throw new TensileError(`${op}: the model failed on a check run's input (its free dims 2, 3, … larger than the example's): ${e.message}`);
    } finally {
      if (model instanceof Module) model.train(wasTraining);
    }
    if (sig(third.graph) !== sig(g))
      throw new TensileError(`${op}: the model computed a different graph for another input (control flow that depends on the input's values or size?), which one ONNX graph cannot hold`);
    return third;
  };
  const sizeFrom = (mine: number, theirs: number, what: string, node: number, kind: "reshape" | "expand", k: number): string | null => {
    const found = xs.flatMap((x, i) => freeDims(inputNames[i]!, x).filter((d) => x.shape[d] === mine && twins[i]!.shape[d] === theirs).map((d) => [i, d] as const));
    if (found.length === 0) return null;
    const t = thirdRun();
    const at = (kind === "reshape" ? t.graph.reshapes : t.graph.expands).get(node)![k]!;
    if (found.some(([i, d]) => xs[i]!.shape[d]! + 2 + freeDims(inputNames[i]!, xs[i]!).indexOf(d) !== at)) return null;
    const [i, d] = found[0]!;
    if (!batchOnly && found.length > 1)
      throw new TensileError(`${op}: ${what} follows a free dim of size ${mine}, but several inputs' free dims have that size (${found.map(([j, e]) => `${inputNames[j]} dim ${e}`).join(", ")}); ` +
        "give the example different sizes there");
    const out = g.fresh("dim");
    prelude.push({ op: "Shape", inputs: [inputNames[i]!], outputs: [out], attrs: { start: d, end: d + 1 } });
    return out;
  };
  // reshape and expand targets: an entry that follows the free dims becomes -1 (a reshape's one
  // such entry) or 1 (an expand's, where its input has the size already), else the input's size
  // read at run time
  for (const [kind, mine, theirs] of [["reshape", g.reshapes, b.graph.reshapes], ["expand", g.expands, b.graph.expands]] as const) {
    for (const [i, target] of mine) {
      // a node nothing reads (matmul's broadcast of its operands, recorded but not used) is dropped
      if (!live.has(i)) continue;
      const other = theirs.get(i)!;
      const changed = target.flatMap((v, k) => (v !== other[k] ? [k] : []));
      if (changed.length === 0) continue;
      const node = g.nodes[i]!;
      const init = g.inits.find((x) => x.name === node.inputs[1]!)!;
      const fixed = [...target];
      const runtime = new Map<number, string>();
      let free = kind === "reshape" ? 1 : 0; // entries -1 may stand for
      for (const k of changed) {
        if (kind === "expand" && !expandsFromOne(a, i, k)) {
          fixed[k] = 1;
          continue;
        }
        const src = sizeFrom(target[k]!, other[k]!, `a ${kind} to ${fmtShape(target)}`, i, kind, k);
        if (src) runtime.set(k, src);
        else if (free-- > 0) fixed[k] = -1;
        else if (kind === "expand")
          throw new TensileError(`${op}: an expand to ${fmtShape(target)} broadcasts a size-1 dim to a size that follows the input's free dims but is none of them, which the export cannot say`);
        else throw new TensileError(`${op}: a ${kind} to ${fmtShape(target)} changes in more than one dim with the input's free dims, and not to their sizes`);
      }
      // one free entry alone stays a -1 / 1 in the constant, as before
      if (runtime.size === 1 && changed.length === 1 && kind === "reshape") {
        fixed[changed[0]!] = -1;
        runtime.clear();
      }
      if (runtime.size === 0) {
        init.data = fixed;
        continue;
      }
      const parts = fixed.map((v, k) => runtime.get(k) ?? g.ints([v]));
      const shape = g.fresh("shape");
      prelude.push({ op: "Concat", inputs: parts, outputs: [shape], attrs: { axis: 0 } });
      node.inputs[1] = shape;
    }
  }
  const graph = new Pb();
  const written = [...prelude, ...g.nodes.filter((_, i) => live.has(i))];
  // ONNX Runtime's Pad fusion folds a Pad into a following MaxPool's pads, which pad with −∞, not
  // the Pad's 0 (a wrong max where a window's values are all negative; a load failure where the
  // pads outgrow the kernel); it leaves a MaxPool with an indices output alone, so such a MaxPool gets one
  const padded = new Set(written.filter((n) => n.op === "Pad").flatMap((n) => n.outputs));
  for (const n of written) if (n.op === "MaxPool" && n.outputs.length === 1 && padded.has(n.inputs[0]!)) n.outputs = [n.outputs[0]!, g.fresh("unused_indices")];
  for (const n of written) {
    const p = new Pb();
    for (const i of n.inputs) p.str(1, i);
    for (const o of n.outputs) p.str(2, o);
    p.str(3, n.outputs[0]!).str(4, n.op);
    for (const [k, v] of Object.entries(n.attrs)) p.msg(5, attribute(k, v));
    graph.msg(1, p);
  }
  graph.str(2, model instanceof Module ? model.constructor.name : "model");
  const used = new Set([...prelude, ...g.nodes.filter((_, i) => live.has(i))].flatMap((n) => n.inputs));
  for (const init of g.inits.filter((x) => used.has(x.name))) graph.msg(5, tensorProto(init.name, init.dims, init.elem, init.data));
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
