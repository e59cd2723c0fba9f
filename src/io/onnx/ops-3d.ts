/**
 * Layers whose export takes or gives more than one tensor: max pooling with `returnIndices`
 * (values and indices out), max unpooling (values and indices in) and adaptive max pooling; and
 * the lazy layers, which are exported only once their first forward has made them regular ones.
 *
 * Indices: PyTorch's index a max within its (sample, channel) plane, h·W + w; ONNX's MaxPool and
 * MaxUnpool index the whole tensor, ((n·C + c)·H + h)·W + w. Pooling's are turned into PyTorch's
 * by `Mod` the plane size; unpooling's into ONNX's by adding (n·C + c)·plane, from a `Range`.
 */
import { Tensor } from "../../core.js";
import { TensileError, fmtShape, fmtValue } from "../../errors.js";
import type { Module } from "../../nn/module.js";
import * as L from "../../nn/layers/index.js";
import { type Attr, ELEM } from "./proto.js";
import { type Graph, elemOf } from "./graph.js";
import { poolAttrs } from "./pool.js";

/** Exports a layer from all its arguments and its whole result, naming every output tensor itself. */
type TensorsExport = (g: Graph, m: Module, args: readonly unknown[], out: unknown) => void;

const tuple = (v: number | readonly number[], n: number): number[] =>
  typeof v === "number" ? new Array<number>(n).fill(v) : v.length === 1 ? new Array<number>(n).fill(v[0]!) : [...v];
const prod = (xs: readonly number[]): number => xs.reduce((a, b) => a * b, 1);

function tensorArg(name: string, v: unknown, what: string): Tensor {
  if (!(v instanceof Tensor)) throw new TensileError(`exportOnnx: ${name} was called with ${what} ${fmtValue(v)}; a Tensor is exported`);
  return v;
}

/**
 * A MaxPool node over the last `nd` dims; with indices (out = [values, indices]) its second
 * output too, turned into PyTorch's int32 per-plane indices.
 */
function maxPoolNode(g: Graph, name: string, x: string, input: Tensor, out: unknown, nd: number, attrs: Record<string, Attr>): void {
  if (out instanceof Tensor) {
    g.names.set(out, g.node("MaxPool", [x], attrs));
    return;
  }
  const [values, indices] = out as [Tensor, Tensor];
  if (!(values instanceof Tensor) || !(indices instanceof Tensor)) throw new TensileError(`exportOnnx: ${name} returned ${fmtValue(out)}; values and indices were expected`);
  const [y, flat] = g.multi("MaxPool", [x], 2, attrs) as [string, string];
  const plane = g.constant("plane", [], "int64", [prod(input.shape.slice(-nd))]);
  g.names.set(values, y);
  g.names.set(indices, g.node("Cast", [g.node("Mod", [flat, plane])], { to: ELEM[elemOf(indices)] }));
}

function maxPool(nd: number): TensorsExport {
  return (g, m, args, out) => {
    const p = m as L.MaxPool2d;
    const input = tensorArg(m.constructor.name, args[0], "input");
    const values = out instanceof Tensor ? out : (out as Tensor[])[0]!;
    maxPoolNode(g, m.constructor.name, g.value(input), input, out, nd, poolAttrs(m.constructor.name, "max", input, values, nd, {
      kernel: tuple(p.kernelSize, nd), stride: tuple(p.stride ?? p.kernelSize, nd), padding: tuple(p.padding, nd),
      dilation: tuple(p.dilation, nd), ceilMode: p.ceilMode,
    }));
  };
}

/** Adaptive max pooling: global (GlobalMaxPool), or even windows (MaxPool); uneven ones are refused. */
function adaptiveMaxPool(nd: number): TensorsExport {
  return (g, m, args, out) => {
    const name = m.constructor.name;
    const input = tensorArg(name, args[0], "input");
    const values = out instanceof Tensor ? out : (out as Tensor[])[0]!;
    const from = input.shape.slice(-nd), to = values.shape.slice(-nd);
    const x = g.value(input);
    if (out instanceof Tensor && to.every((o) => o === 1)) {
      g.names.set(out, g.node("GlobalMaxPool", [x]));
      return;
    }
    if (from.some((d, i) => d % to[i]! !== 0))
      throw new TensileError(`exportOnnx: ${name} from ${from.join("×")} to ${to.join("×")} has uneven windows, which ONNX's MaxPool cannot express`);
    const k = from.map((d, i) => d / to[i]!);
    maxPoolNode(g, name, x, input, out, nd, { kernel_shape: k, strides: k });
  };
}

/**
 * MaxUnpool: PyTorch's per-plane indices plus (n·C + c)·plane, as ONNX indexes the whole output;
 * an `outputSize` other than the default becomes the node's output_shape, batch taken from the input.
 */
function maxUnpool(nd: number): TensorsExport {
  return (g, m, args, out) => {
    const u = m as L.MaxUnpool2d, name = m.constructor.name;
    const input = tensorArg(name, args[0], "input"), indices = tensorArg(name, args[1], "indices");
    if (!(out instanceof Tensor)) throw new TensileError(`exportOnnx: ${name} returned ${fmtValue(out)}; a Tensor was expected`);
    if (input.ndim !== nd + 1 && input.ndim !== nd + 2) throw new TensileError(`exportOnnx: ${name} on input ${fmtShape(input.shape)} is not exported`);
    const lead = input.ndim - nd;
    const x = g.value(input);
    const leadShape = g.node("Shape", [x], { end: lead });
    const planes = g.node("ReduceProd", [leadShape], { keepdims: 0 });
    const zero = g.constant("zero", [], "int64", [0]), one = g.constant("one", [], "int64", [1]);
    const plane = prod(out.shape.slice(-nd));
    const offsets = g.node("Mul", [
      g.node("Reshape", [g.node("Range", [zero, planes, one]), g.ints([-1, ...input.shape.slice(1, lead), ...new Array<number>(nd).fill(1)])]),
      g.constant("plane", [], "int64", [plane]),
    ]);
    const idx = g.node("Add", [g.node("Cast", [g.value(indices)], { to: ELEM.int64 }), offsets]);
    const ins = [x, idx];
    const size = out.shape.slice(-nd);
    const natural = input.shape.slice(-nd).map((d, i) => (d - 1) * u.stride[i]! - 2 * u.padding[i]! + u.kernelSize[i]!);
    if (size.some((s, i) => s !== natural[i])) ins.push(g.node("Concat", [leadShape, g.ints(size)], { axis: 0 }));
    g.names.set(out, g.node("MaxUnpool", ins, { kernel_shape: [...u.kernelSize], strides: [...u.stride], pads: [...u.padding, ...u.padding] }));
  };
}

export const TENSORS_LAYERS = new Map<Function, TensorsExport>([
  [L.MaxPool1d, maxPool(1)],
  [L.MaxPool2d, maxPool(2)],
  [L.MaxPool3d, maxPool(3)],
  [L.AdaptiveMaxPool1d, adaptiveMaxPool(1)],
  [L.AdaptiveMaxPool2d, adaptiveMaxPool(2)],
  [L.AdaptiveMaxPool3d, adaptiveMaxPool(3)],
  [L.MaxUnpool1d, maxUnpool(1)],
  [L.MaxUnpool2d, maxUnpool(2)],
  [L.MaxUnpool3d, maxUnpool(3)],
]);

/** Lazy layers not yet run: their first forward makes them the regular class, which exports. */
const LAZY: Function[] = [L.LazyLinear, L.LazyConv1d, L.LazyConv2d, L.LazyConv3d, L.LazyConvTranspose1d, L.LazyConvTranspose2d,
  L.LazyConvTranspose3d, L.LazyBatchNorm1d, L.LazyBatchNorm2d, L.LazyBatchNorm3d, L.LazyInstanceNorm1d, L.LazyInstanceNorm2d, L.LazyInstanceNorm3d];

/** Refuses a model holding a lazy layer that has not run yet (its weights do not exist yet). */
export function refuseUnrunLazy(model: Module): void {
  for (const [path, m] of model.namedModules()) {
    if (LAZY.some((C) => m instanceof C))
      throw new TensileError(`exportOnnx: ${m.constructor.name}${path ? ` (${path})` : ""} has not run a forward yet, so its parameters have no shape; ` +
        "run the model once on an input before exporting it");
  }
}
