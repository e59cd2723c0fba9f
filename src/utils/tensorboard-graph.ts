/**
 * `SummaryWriter.addGraph` (PyTorch's `add_graph`): the model's forward pass as a TensorFlow
 * `GraphDef` for TensorBoard's GRAPHS tab, where each module is a box named as PyTorch names it
 * (`Net/Conv2d[conv1]`, `Sequential/Linear[0]`) that opens onto the ops it ran.
 *
 * How: the model runs once in eval mode, with grad, on the example input, with a tracer
 * (`autograd/trace.ts`, the ONNX exporter's hooks) that sees every op Tensile records — a
 * functional op made of several (`F.maxPool2d`) as one — and forward hooks on every module that
 * keep the stack of modules running, so each op lands in the scope of the innermost one. What
 * does not reach an output (an im2col buffer, a discarded value) is left out. Then, as torch 1.13's
 * `_pytorch_graph.py` writes them:
 * - `input/input.<k>` and `output/output.<k>`: op `IO Node`, `attr` "", `_output_shapes`;
 * - one node per op, `<scope>/<op>` (`.1`, `.2`, … when the name is taken), op = Tensile's op name
 *   (`linear`, `conv2d`, `relu`, `add`), `attr` its attributes as Python prints a dict with the
 *   quotes turned into spaces (`{ axis : 1}`), `_output_shapes` the shape it made;
 * - each parameter or buffer used, in its owner's scope, `<scope>/<name>`, op `prim::GetAttr`,
 *   `attr` `{ name :  weight }` (torch's), and its shape;
 * - any other tensor used (made in forward from JS values), in its first user's scope, op
 *   `prim::Constant`.
 * Nodes go in torch's order: inputs, outputs, then the ops, each after its parameters and constants.
 * `versions { producer: 22 }` as torch; then the RunMetadata event torch writes after the graph
 * (tag `step1`, one device `/device:CPU:0`, no timings).
 */
import { TensileError, fmtShape, fmtValue } from "../errors.js";
import { Tensor } from "../tensor/tensor.js";
import { enableGrad } from "../autograd/grad-mode.js";
import { UnitDepth, tracing, type Tracer } from "../autograd/trace.js";
import { Module } from "../nn/module.js";
import { Pb } from "../io/protobuf.js";

/** What `addGraph` draws: an `nn.Module`. */
export type GraphModel = Module;

export interface AddGraphOptions {
  /** Print the graph's nodes to the console (PyTorch prints its JIT graph). */
  verbose?: boolean;
  /** The events' wall time in seconds (default now; Tensile's: PyTorch's `add_graph` has none). */
  walltime?: number;
}

/** One recorded op; its inputs are the ops that made them, or leaf tensors (inputs, parameters, constants). */
interface OpRecord {
  op: string;
  out: Tensor;
  inputs: (OpRecord | Tensor)[];
  scope: string;
  attrs?: Record<string, unknown>;
  /** Its place in the order the ops ran. */
  seq: number;
}

/** A GraphDef node before encoding. */
export interface GraphNode {
  name: string;
  op: string;
  inputs: string[];
  attr: string;
  shape?: readonly number[];
}

const proto = (): Pb => new Pb(true);

/** A value as Python's `str()` prints it inside a dict, quotes turned into spaces (torch's node `attr`). */
function pyValue(v: unknown): string {
  if (v === null || v === undefined) return "None";
  if (typeof v === "boolean") return v ? "True" : "False";
  if (typeof v === "number") return Number.isNaN(v) ? "nan" : v === Infinity ? "inf" : v === -Infinity ? "-inf" : String(v);
  if (typeof v === "string") return ` ${v} `;
  if (v instanceof Tensor) return `tensor(shape ${fmtShape(v.shape)})`;
  if (Array.isArray(v)) return `[${v.map(pyValue).join(", ")}]`;
  if (typeof v === "object") return pyDict(v as Record<string, unknown>);
  return String(v);
}

/** `{ k : v,  k2 : v2}`: Python's `str(dict)` with `'` replaced by a space, as torch writes `attr`. */
function pyDict(d: Record<string, unknown>): string {
  return `{${Object.entries(d).map(([k, v]) => ` ${k} : ${pyValue(v)}`).join(", ")}}`;
}

/** A one-element tensor's value; a float32 one with the fewest digits that read back as it (1e-5, not 0.0000099999997). */
function scalarValue(t: Tensor): number {
  const v = Number(t.detach().reshape([-1]).dataSync()[0]);
  if (t.dtype !== "float32" || !Number.isFinite(v)) return v;
  for (let p = 1; p < 9; p++) if (Math.fround(Number(v.toPrecision(p))) === v) return Number(v.toPrecision(p));
  return v;
}

/** Each module's scope, `Root/Class[name]/…`, and each dotted module name's scope (first path wins for a shared module). */
function moduleScopes(model: Module): { byModule: Map<Module, string>; byPath: Map<string, string> } {
  const byModule = new Map<Module, string>(), byPath = new Map<string, string>();
  const visit = (m: Module, scope: string, path: string): void => {
    if (byModule.has(m)) return;
    byModule.set(m, scope);
    byPath.set(path, scope);
    for (const [k, c] of m.namedChildren()) visit(c, `${scope}/${c.constructor.name}[${k}]`, path ? `${path}.${k}` : k);
  };
  visit(model, model.constructor.name || "Module", "");
  return { byModule, byPath };
}

/** Runs the forward with the tracer and the scope hooks installed: the ops, and what forward returned. */
function traceForward(op: string, model: Module, inputs: Tensor[], scopes: Map<Module, string>): { outputs: (OpRecord | Tensor)[]; outShapes: Tensor[] } {
  const producer = new Map<Tensor, OpRecord>();
  const attrs = new Map<Tensor, Record<string, unknown>>();
  const stack = [scopes.get(model)!];
  let seq = 0;
  const units = new UnitDepth(); // inside a functional unit its parts are not recorded
  const ref = (t: Tensor): OpRecord | Tensor => producer.get(t) ?? t;
  const add = (name: string, out: Tensor, ins: readonly unknown[], a?: Record<string, unknown>) => {
    const inputs = ins.filter((t): t is Tensor => t instanceof Tensor).map(ref);
    producer.set(out, { op: name, out, inputs, scope: stack[stack.length - 1]!, attrs: a, seq: seq++ });
  };
  const tracer: Tracer = {
    op(name, out, ins) {
      if (units.outer) add(name, out, ins);
    },
    attrs(out, a) {
      attrs.set(out, a);
    },
    rebind(target, value) {
      const r = producer.get(value);
      if (r) producer.set(target, r);
    },
    unit(name, x, a, run) {
      const out = units.inside(run);
      if (units.outer && out instanceof Tensor) add(name, out, [x], a);
      return out;
    },
  };
  const handles: { remove(): void }[] = [];
  const modes = new Map<Module, boolean>();
  for (const m of model.modules()) {
    modes.set(m, m.training);
    const scope = scopes.get(m)!;
    handles.push(m.registerForwardPreHook(() => void stack.push(scope)));
    handles.push(m.registerForwardHook(() => void stack.pop()));
  }
  const prev = tracing.current;
  let result: unknown;
  try {
    model.eval();
    tracing.current = tracer;
    result = enableGrad(() => (model.forward as (...a: Tensor[]) => unknown)(...inputs));
  } catch (e) {
    const err = new TensileError(`${op}: ${model.constructor.name}.forward threw on inputs of shape ${inputs.map((x) => fmtShape(x.shape)).join(", ") || "(none)"}: ${(e as Error)?.message ?? String(e)}`);
    throw Object.assign(err, { cause: e });
  } finally {
    tracing.current = prev;
    for (const h of handles) h.remove();
    for (const [m, t] of modes) m.training = t;
  }
  const outs = Array.isArray(result) ? result : [result];
  if (!outs.length || !outs.every((o) => o instanceof Tensor))
    throw new TensileError(`${op}: ${model.constructor.name}.forward must return a Tensor or an array of Tensors, got ${fmtValue(result)}`);
  for (const r of producer.values()) if (r.attrs === undefined && attrs.has(r.out)) r.attrs = attrs.get(r.out);
  return { outputs: (outs as Tensor[]).map(ref), outShapes: outs as Tensor[] };
}

/**
 * The graph's nodes, in the order torch writes them: `model` run on `inputs` (see the file's
 * comment). Exported for the tests; `SummaryWriter.addGraph` encodes and writes them.
 */
export function graphNodes(op: string, model: Module, inputs: Tensor[]): GraphNode[] {
  const { byModule, byPath } = moduleScopes(model);
  const { outputs, outShapes } = traceForward(op, model, inputs, byModule);
  // the names of leaves: parameters and buffers in their owner's scope
  const leafNames = new Map<Tensor, { scope: string; name: string }>();
  const own = (entries: [string, Tensor][]) => {
    for (const [key, t] of entries) {
      if (leafNames.has(t)) continue;
      const dot = key.lastIndexOf(".");
      leafNames.set(t, { scope: byPath.get(dot < 0 ? "" : key.slice(0, dot)) ?? byModule.get(model)!, name: key.slice(dot + 1) });
    }
  };
  own(model.namedParameters());
  own(model.namedBuffers());
  // the ops that reach an output, in the order they ran
  const kept = new Set<OpRecord>();
  const walk = outputs.filter((o): o is OpRecord => !(o instanceof Tensor));
  while (walk.length) {
    const r = walk.pop()!;
    if (kept.has(r)) continue;
    kept.add(r);
    for (const i of r.inputs) if (!(i instanceof Tensor)) walk.push(i);
  }
  const order = [...kept].sort((a, b) => a.seq - b.seq);
  const used = new Set<string>();
  for (const s of byModule.values()) for (let i = s.indexOf("/"); ; i = s.indexOf("/", i + 1)) {
    used.add(i < 0 ? s : s.slice(0, i)); // a node may not take a box's name
    if (i < 0) break;
  }
  used.add("input");
  used.add("output");
  const unique = (base: string): string => {
    let name = base;
    for (let k = 1; used.has(name); k++) name = `${base}.${k}`;
    used.add(name);
    return name;
  };
  const io: GraphNode[] = [], body: GraphNode[] = [];
  const names = new Map<OpRecord | Tensor, string>();
  inputs.forEach((x, i) => {
    const name = unique(`input/input.${i + 1}`);
    if (!names.has(x)) names.set(x, name);
    io.push({ name, op: "IO Node", inputs: [], attr: "", shape: x.shape });
  });
  const nameOf = (i: OpRecord | Tensor, scope: string): string => {
    const known = names.get(i);
    if (known) return known;
    const t = i as Tensor; // ops are named before their users
    const leaf = leafNames.get(t);
    let node: GraphNode;
    if (leaf) node = { name: unique(`${leaf.scope}/${leaf.name}`), op: "prim::GetAttr", inputs: [], attr: pyDict({ name: leaf.name }), shape: t.shape };
    else {
      const value = t.numel() === 1 ? { value: scalarValue(t) } : {};
      node = { name: unique(`${scope}/constant`), op: "prim::Constant", inputs: [], attr: pyDict(value), shape: t.shape };
    }
    names.set(t, node.name);
    body.push(node);
    return node.name;
  };
  for (const r of order) {
    const ins = r.inputs.map((i) => nameOf(i, r.scope));
    const node: GraphNode = { name: unique(`${r.scope}/${r.op}`), op: r.op, inputs: ins, attr: pyDict(r.attrs ?? {}), shape: r.out.shape };
    names.set(r, node.name);
    body.push(node);
  }
  outputs.forEach((o, i) => {
    const from = nameOf(o, byModule.get(model)!);
    io.push({ name: unique(`output/output.${i + 1}`), op: "IO Node", inputs: [from], attr: "", shape: outShapes[i]!.shape });
  });
  // torch's order: the input nodes, the output nodes, then the rest
  return [...io.filter((n) => n.name.startsWith("input/")), ...io.filter((n) => n.name.startsWith("output/")), ...body];
}

/** NodeDef { name = 1; op = 2; input = 3; attr = 5 (map: `attr`, then `_output_shapes`) }, as torch's node_proto. */
function nodeDef(n: GraphNode): Pb {
  const p = proto().str(1, n.name).str(2, n.op);
  for (const i of n.inputs) p.str(3, i, true);
  // AttrValue { list = 1; s = 2 }: the string is a oneof member, written even when empty
  p.msg(5, proto().str(1, "attr").msg(2, proto().str(2, n.attr, true)));
  if (n.shape) {
    // ListValue { shape = 7 }; TensorShapeProto { dim = 2 }; Dim { size = 1 }
    const shape = proto();
    for (const d of n.shape) shape.msg(2, proto().int(1, d));
    p.msg(5, proto().str(1, "_output_shapes").msg(2, proto().msg(1, proto().msg(7, shape))));
  }
  return p;
}

/** GraphDef { node = 1; versions = 4 (VersionDef { producer = 1 }) }. */
export function graphDef(nodes: readonly GraphNode[]): Uint8Array {
  const g = proto();
  for (const n of nodes) g.msg(1, nodeDef(n));
  return g.msg(4, proto().int(1, 22)).finish();
}

/** RunMetadata { step_stats = 1 { dev_stats = 1 { device = 1 } } }: torch's placeholder, no timings. */
const RUN_METADATA = proto().msg(1, proto().msg(1, proto().str(1, "/device:CPU:0"))).finish();

/**
 * The two events `add_graph` writes: Event { wall_time = 1; graph_def = 4 } and Event { wall_time = 1;
 * tagged_run_metadata = 8 { tag = 1 "step1"; run_metadata = 2 } }. Everything is checked and the
 * forward run before anything is returned, so an error leaves the writer as it was.
 */
export function graphEvents(model: Module, inputToModel?: Tensor | readonly Tensor[], opts: AddGraphOptions = {}): Uint8Array[] {
  const op = "addGraph";
  if (!(model instanceof Module)) throw new TensileError(`${op}: model must be an nn.Module, got ${fmtValue(model)}`);
  const inputs = inputToModel === undefined ? [] : inputToModel instanceof Tensor ? [inputToModel] : inputToModel;
  if (!Array.isArray(inputs) || !inputs.every((x) => x instanceof Tensor))
    throw new TensileError(`${op}: inputToModel must be a Tensor or an array of Tensors, got ${fmtValue(inputToModel)}`);
  const { verbose = false, walltime } = opts ?? {};
  if (walltime !== undefined && !Number.isFinite(walltime)) throw new TensileError(`${op}: walltime must be a finite number of seconds, got ${walltime}`);
  const nodes = graphNodes(op, model, [...inputs]);
  if (verbose)
    for (const n of nodes) console.log(`${n.name} = ${n.op}(${n.inputs.join(", ")})${n.attr && n.attr !== "{}" ? ` ${n.attr}` : ""}${n.shape ? ` : ${fmtShape(n.shape)}` : ""}`);
  const wall = walltime ?? Date.now() / 1000;
  return [
    proto().double(1, wall).raw(4, graphDef(nodes)).finish(),
    proto().double(1, wall).msg(8, proto().str(1, "step1").raw(2, RUN_METADATA)).finish(),
  ];
}
