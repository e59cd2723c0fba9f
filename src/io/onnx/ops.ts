/** Layers exported whole, recurrent layers, functional ops and the ops recorded between layers. */
import { Tensor } from "../../core.js";
import { TensileError, fmtShape, fmtValue } from "../../errors.js";
import type { Module } from "../../nn/module.js";
import * as L from "../../nn/layers/index.js";
import { type Attr, ELEM } from "./proto.js";
import { Graph, elemOf } from "./graph.js";
import { poolAttrs } from "./pool.js";

// ---------------------------------------------------------------- layers exported whole

const pair = (v: number | readonly number[], n: number): number[] => (typeof v === "number" ? new Array<number>(n).fill(v) : [...v]);

type LayerExport = (g: Graph, m: Module, x: string, input: Tensor, out: Tensor) => string;

function gelu(g: Graph, x: string, approximate: string): string {
  const half = g.constant("half", [], "float32", [0.5]), one = g.constant("one", [], "float32", [1]);
  if (approximate === "tanh") {
    const c = g.constant("c", [], "float32", [0.044715]), k = g.constant("k", [], "float32", [Math.sqrt(2 / Math.PI)]);
    const x3 = g.node("Mul", [g.node("Mul", [x, x]), x]);
    const inner = g.node("Mul", [g.node("Add", [x, g.node("Mul", [x3, c])]), k]);
    return g.node("Mul", [g.node("Mul", [x, half]), g.node("Add", [g.node("Tanh", [inner]), one])]);
  }
  const r = g.constant("rsqrt2", [], "float32", [Math.SQRT1_2]);
  return g.node("Mul", [g.node("Mul", [x, half]), g.node("Add", [g.node("Erf", [g.node("Mul", [x, r])]), one])]);
}

function linear(g: Graph, x: string, input: Tensor, w: Tensor, b: Tensor | null): string {
  if (input.ndim === 2) return g.node("Gemm", b ? [x, g.value(w), g.value(b)] : [x, g.value(w)], { transB: 1 });
  const y = g.node("MatMul", [x, g.node("Transpose", [g.value(w)], { perm: [1, 0] })]);
  return b ? g.node("Add", [y, g.value(b)]) : y;
}

export const LAYERS = new Map<Function, LayerExport>([
  [L.Linear, (g, m, x, input) => {
    const l = m as L.Linear;
    return linear(g, x, input, l.weight, l.bias);
  }],
  [L.Identity, (g, _m, x) => g.node("Identity", [x])],
  [L.Dropout, (g, _m, x) => g.node("Identity", [x])],
  [L.AlphaDropout, (g, _m, x) => g.node("Identity", [x])],
  [L.Dropout2d, (g, _m, x) => g.node("Identity", [x])],
  [L.ReLU, (g, _m, x) => g.node("Relu", [x])],
  [L.Sigmoid, (g, _m, x) => g.node("Sigmoid", [x])],
  [L.Tanh, (g, _m, x) => g.node("Tanh", [x])],
  [L.LeakyReLU, (g, m, x) => g.node("LeakyRelu", [x], { alpha: { float: (m as L.LeakyReLU).negativeSlope } })],
  [L.ELU, (g, m, x) => g.node("Elu", [x], { alpha: { float: (m as L.ELU).alpha } })],
  [L.SELU, (g, _m, x) => g.node("Selu", [x])],
  [L.GELU, (g, m, x) => gelu(g, x, (m as L.GELU).approximate)],
  [L.SiLU, (g, _m, x) => g.node("Mul", [x, g.node("Sigmoid", [x])])],
  [L.Softmax, (g, m, x, input) => g.node("Softmax", [x], { axis: dimOf("Softmax", (m as L.Softmax).dim, input.ndim) })],
  [L.LogSoftmax, (g, m, x, input) => g.node("LogSoftmax", [x], { axis: dimOf("LogSoftmax", (m as L.LogSoftmax).dim, input.ndim) })],
  [L.Flatten, (g, m, x, input, out) => {
    const f = m as L.Flatten;
    const end = f.endDim < 0 ? f.endDim + input.ndim : f.endDim;
    // ONNX's Flatten always gives 2-D [d0·…·d(axis−1), rest]: PyTorch's flatten only from dim 1 on
    if (end === input.ndim - 1 && (f.startDim === 1 || f.startDim === 1 - input.ndim) && input.ndim >= 2) return g.node("Flatten", [x], { axis: 1 });
    return reshape(g, x, input, out);
  }],
  [L.Conv1d, (g, m, x) => conv(g, m as L.Conv1d, x, 1)],
  [L.Conv2d, (g, m, x) => conv(g, m as L.Conv2d, x, 2)],
  [L.AvgPool2d, (g, m, x, input, out) => {
    const p = m as L.AvgPool2d;
    if (p.divisorOverride !== null) throw new TensileError("exportOnnx: AvgPool2d with divisorOverride has no ONNX equivalent");
    return avgPool(g, "AvgPool2d", p, x, input, out, 2);
  }],
  [L.AdaptiveAvgPool2d, (g, m, x, input, out) => {
    const [H, W] = input.shape.slice(-2) as [number, number];
    const [oh, ow] = out.shape.slice(-2) as [number, number];
    if (oh === 1 && ow === 1) return g.node("GlobalAveragePool", [x]);
    if (H % oh !== 0 || W % ow !== 0)
      throw new TensileError(`exportOnnx: AdaptiveAvgPool2d from ${H}×${W} to ${oh}×${ow} has uneven windows, which ONNX's AveragePool cannot express`);
    void m;
    return g.node("AveragePool", [x], { kernel_shape: [H / oh, W / ow], strides: [H / oh, W / ow] });
  }],
  [L.AdaptiveAvgPool3d, (g, _m, x, input, out) => adaptiveAvgPool3d(g, x, input, out)],
  [L.BatchNorm1d, (g, m, x) => batchNorm(g, m as L.BatchNorm1d, x)],
  [L.BatchNorm2d, (g, m, x) => batchNorm(g, m as L.BatchNorm2d, x)],
  [L.LayerNorm, (g, m, x) => {
    const l = m as L.LayerNorm;
    const n = l.normalizedShape.reduce((a, b) => a * b, 1);
    const scale = l.weight ? g.value(l.weight) : g.constant("ones", [...l.normalizedShape], "float32", new Array<number>(n).fill(1));
    const bias = l.bias ? g.value(l.bias) : g.constant("zeros", [...l.normalizedShape], "float32", new Array<number>(n).fill(0));
    return g.node("LayerNormalization", [x, scale, bias], { axis: -l.normalizedShape.length, epsilon: { float: l.eps } });
  }],
  [L.ConvTranspose2d, (g, m, x, input, out) => convTranspose(g, m as L.ConvTranspose2d, x, input, out, 2)],
  [L.GroupNorm, (g, m, x, input) => {
    // opset 17 has no GroupNormalization: each (sample, group) normalised as an instance, then
    // the per-channel affine
    const n = m as L.GroupNorm;
    const G = n.numGroups, C = n.numChannels, rest = input.ndim - 2;
    const grouped = g.node("Reshape", [x, g.ints([0, G, -1])]);
    const normed = g.node("InstanceNormalization", [grouped, g.constant("ones", [G], "float32", new Array<number>(G).fill(1)),
      g.constant("zeros", [G], "float32", new Array<number>(G).fill(0))], { epsilon: { float: n.eps } });
    let y = g.node("Reshape", [normed, g.node("Shape", [x])]);
    if (n.weight && n.bias) {
      const perChannel = (t: Tensor, base: string) => g.constant(base, [C, ...new Array<number>(rest).fill(1)], "float32", t.dataSync() as Float32Array);
      y = g.node("Add", [g.node("Mul", [y, perChannel(n.weight, "gn_weight")]), perChannel(n.bias, "gn_bias")]);
    }
    return y;
  }],
  [L.Upsample, upsampleResize],
  [L.Embedding, (g, m, x) => {
    const e = m as L.Embedding;
    if (e.maxNorm !== null) throw new TensileError("exportOnnx: Embedding with maxNorm renormalises its weight while it runs; ONNX cannot");
    return g.node("Gather", [g.value(e.weight), x], { axis: 0 });
  }],
]);

// Layers added with the wider PyTorch coverage: activations, instance norm, LRN, shuffles, padding,
// and the 1-D / 3-D forms of convolution, pooling and batch norm.
const scalar = (g: Graph, base: string, v: number): string => g.constant(base, [], "float32", [v]);
const MORE_LAYERS: [Function, LayerExport][] = [
  [L.ReLU6, (g, _m, x) => g.node("Clip", [x, scalar(g, "zero", 0), scalar(g, "six", 6)])],
  [L.Hardtanh, (g, m, x) => g.node("Clip", [x, scalar(g, "min_val", (m as L.Hardtanh).minVal), scalar(g, "max_val", (m as L.Hardtanh).maxVal)])],
  [L.Hardsigmoid, (g, _m, x) => g.node("HardSigmoid", [x], { alpha: { float: 1 / 6 }, beta: { float: 0.5 } })],
  [L.Hardswish, (g, _m, x) => g.node("HardSwish", [x])],
  [L.Softsign, (g, _m, x) => g.node("Softsign", [x])],
  [L.Mish, (g, _m, x) => g.node("Mul", [x, g.node("Tanh", [g.node("Softplus", [x])])])],
  [L.CELU, (g, m, x) => g.node("Celu", [x], { alpha: { float: (m as L.CELU).alpha } })],
  [L.Tanhshrink, (g, _m, x) => g.node("Sub", [x, g.node("Tanh", [x])])],
  [L.Hardshrink, (g, m, x) => g.node("Shrink", [x], { lambd: { float: (m as L.Hardshrink).lambd }, bias: { float: 0 } })],
  [L.Softshrink, (g, m, x) => {
    const l = (m as L.Softshrink).lambd;
    return g.node("Shrink", [x], { lambd: { float: l }, bias: { float: l } });
  }],
  [L.Threshold, (g, m, x) => {
    const t = m as L.Threshold;
    return g.node("Where", [g.node("Greater", [x, scalar(g, "threshold", t.threshold)]), x, scalar(g, "value", t.value)]);
  }],
  [L.Softmin, (g, m, x, input) => {
    const d = (m as L.Softmin).dim ?? (input.ndim === 0 || input.ndim === 1 || input.ndim === 3 ? 0 : 1); // PyTorch's implicit dim
    return g.node("Softmax", [g.node("Neg", [x])], { axis: dimOf("Softmin", d, input.ndim) });
  }],
  [L.Softmax2d, (g, _m, x, input) => g.node("Softmax", [x], { axis: input.ndim - 3 })],
  [L.GLU, (g, m, x, input) => {
    const axis = dimOf("GLU", (m as L.GLU).dim, input.ndim);
    const h = input.shape[axis]! / 2;
    const [a, b] = g.multi("Split", [x, g.ints([h, h])], 2, { axis });
    return g.node("Mul", [a!, g.node("Sigmoid", [b!])]);
  }],
  [L.PReLU, (g, m, x, input) => {
    const w = (m as L.PReLU).weight;
    // PyTorch's weight [C] applies along dim 1; ONNX broadcasts the slope from the right
    const slope = w.numel() === 1 || input.ndim < 3 ? g.value(w) : g.node("Reshape", [g.value(w), g.ints([w.numel(), ...new Array<number>(input.ndim - 2).fill(1)])]);
    return g.node("PRelu", [x, slope]);
  }],
  [L.InstanceNorm1d, (g, m, x, input) => instanceNorm(g, m as L.InstanceNorm1d, x, input)],
  [L.InstanceNorm2d, (g, m, x, input) => instanceNorm(g, m as L.InstanceNorm2d, x, input)],
  [L.LocalResponseNorm, (g, m, x, input) => {
    const n = m as L.LocalResponseNorm;
    // PyTorch's window is [c − ⌊size/2⌋, c + ⌊(size−1)/2⌋], ONNX's [c − ⌊(size−1)/2⌋, c + ⌈(size−1)/2⌉]: the same only for odd sizes
    if (n.size % 2 === 0) throw new TensileError(`exportOnnx: LocalResponseNorm with an even size (${n.size}) places its window differently from ONNX's LRN; use an odd size`);
    const attrs = { size: n.size, alpha: { float: n.alpha }, beta: { float: n.beta }, bias: { float: n.k } };
    if (input.ndim === 4) return g.node("LRN", [x], attrs);
    // ONNX Runtime's LRN takes 4-D input only; the window runs over channels alone, so the other
    // dims fold into [N, C, rest, 1] and back
    const y = g.node("LRN", [g.node("Reshape", [x, g.ints([0, 0, -1, 1])])], attrs);
    return g.node("Reshape", [y, g.node("Shape", [x])]);
  }],
  [L.PixelShuffle, (g, m, x) => g.node("DepthToSpace", [x], { blocksize: (m as L.PixelShuffle).upscaleFactor, mode: "CRD" })],
  [L.PixelUnshuffle, (g, m, x, input) => {
    const r = (m as L.PixelUnshuffle).downscaleFactor;
    if (input.ndim !== 4) throw new TensileError(`exportOnnx: PixelUnshuffle is exported for 4-D input [N, C, H, W], got ${fmtShape(input.shape)}`);
    const [, C, H, W] = input.shape as [number, number, number, number];
    const split = g.node("Reshape", [x, g.ints([0, C, H / r, r, W / r, r])]);
    return g.node("Reshape", [g.node("Transpose", [split], { perm: [0, 1, 3, 5, 2, 4] }), g.ints([0, C * r * r, H / r, W / r])]);
  }],
  ...([L.ZeroPad2d, L.ConstantPad1d, L.ConstantPad2d, L.ReflectionPad1d, L.ReflectionPad2d, L.ReplicationPad1d, L.ReplicationPad2d] as Function[])
    .map((C): [Function, LayerExport] => [C, (g, m, x, input) => padLayer(g, m, x, input)]),
  [L.ConvTranspose1d, (g, m, x, input, out) => convTranspose(g, m as L.ConvTranspose1d, x, input, out, 1)],
  [L.ConvTranspose3d, (g, m, x, input, out) => convTranspose(g, m as unknown as L.ConvTranspose2d, x, input, out, 3)],
  [L.InstanceNorm3d, (g, m, x, input) => instanceNorm(g, m as L.InstanceNorm3d, x, input)],
  ...([L.ConstantPad3d, L.ReflectionPad3d, L.ReplicationPad3d] as Function[]).map((C): [Function, LayerExport] => [C, (g, m, x, input) => padLayer(g, m, x, input)]),
  [L.Conv3d, (g, m, x) => conv(g, m as unknown as L.Conv2d, x, 3)],
  [L.BatchNorm3d, (g, m, x) => batchNorm(g, m as unknown as L.BatchNorm2d, x)],
  [L.AvgPool1d, (g, m, x, input, out) => avgPool(g, "AvgPool1d", m as L.AvgPool1d, x, input, out, 1)],
  [L.AvgPool3d, (g, m, x, input, out) => avgPool(g, "AvgPool3d", m as L.AvgPool3d, x, input, out, 3)],
  [L.AdaptiveAvgPool1d, (g, _m, x, input, out) => {
    const n = input.shape.at(-1)!, o = out.shape.at(-1)!;
    if (o === 1) return g.node("GlobalAveragePool", [x]);
    if (n % o !== 0) throw new TensileError(`exportOnnx: AdaptiveAvgPool1d from ${n} to ${o} has uneven windows, which ONNX's AveragePool cannot express`);
    return g.node("AveragePool", [x], { kernel_shape: [n / o], strides: [n / o] });
  }],
  [L.UpsamplingNearest2d, upsampleResize],
  [L.UpsamplingBilinear2d, upsampleResize],
];
for (const [C, f] of MORE_LAYERS) LAYERS.set(C, f);

function instanceNorm(g: Graph, n: L.InstanceNorm1d | L.InstanceNorm2d | L.InstanceNorm3d, x: string, input: Tensor): string {
  const C = n.numFeatures;
  if (input.ndim < 3) throw new TensileError(`exportOnnx: ${n.constructor.name} is exported for batched input [N, C, ...], got ${fmtShape(input.shape)}`);
  const scale = n.weight ? g.value(n.weight) : g.constant("ones", [C], "float32", new Array<number>(C).fill(1));
  const bias = n.bias ? g.value(n.bias) : g.constant("zeros", [C], "float32", new Array<number>(C).fill(0));
  const rm = n.runningMean, rv = n.runningVar;
  // in eval with tracked statistics PyTorch normalises by the running ones, as batch norm does
  if (!n.training && n.trackRunningStats && rm && rv)
    return g.node("BatchNormalization", [x, scale, bias, g.value(rm), g.value(rv)], { epsilon: { float: n.eps } });
  return g.node("InstanceNormalization", [x, scale, bias], { epsilon: { float: n.eps } });
}

function padLayer(g: Graph, m: Module, x: string, input: Tensor): string {
  const p = m as unknown as { padding: number[]; mode: string; value: number };
  // ONNX's Pad crops where a pad is negative; reflect and edge padding of a cropped input differ from PyTorch's (which reflects the uncropped input)
  if (p.mode !== "constant" && p.padding.some((v) => v < 0))
    throw new TensileError(`exportOnnx: ${m.constructor.name} with negative padding (cropping) in mode ${p.mode} is not exported; F.pad with that padding is`);
  const nd = p.padding.length / 2, n = input.ndim;
  const begins = new Array<number>(n).fill(0), ends = new Array<number>(n).fill(0);
  for (let k = 0; k < nd; k++) {
    begins[n - 1 - k] = p.padding[2 * k]!;
    ends[n - 1 - k] = p.padding[2 * k + 1]!;
  }
  const mode = p.mode === "replicate" ? "edge" : p.mode;
  const ins = [x, g.ints([...begins, ...ends])];
  if (mode === "constant") ins.push(scalar(g, "pad_value", p.value));
  return g.node("Pad", ins, { mode });
}

function avgPool(g: Graph, what: string, p: { kernelSize: number | readonly number[]; stride: number | readonly number[] | null; padding: number | readonly number[]; ceilMode: boolean; countIncludePad: boolean; divisorOverride?: number | null }, x: string, input: Tensor, out: Tensor, nd: number): string {
  if (p.divisorOverride !== undefined && p.divisorOverride !== null) throw new TensileError(`exportOnnx: ${what} with divisorOverride has no ONNX equivalent`);
  const kernel = pair(p.kernelSize, nd);
  return g.node("AveragePool", [x], poolAttrs(what, "avg", input, out, nd, {
    kernel, stride: pair(p.stride ?? p.kernelSize, nd), padding: pair(p.padding, nd), dilation: new Array<number>(nd).fill(1), ceilMode: p.ceilMode,
  }, p.countIncludePad));
}

function convTranspose(g: Graph, c: L.ConvTranspose1d | L.ConvTranspose2d, x: string, input: Tensor, out: Tensor, nd: number): string {
  const pad = c.padding as number[];
  const expected = input.shape.slice(-nd).map((h, i) => (h - 1) * c.stride[i]! - 2 * pad[i]! + c.dilation[i]! * (c.kernelSize[i]! - 1) + c.outputPadding[i]! + 1);
  if (out.shape.slice(-nd).some((v, i) => v !== expected[i]))
    throw new TensileError(`exportOnnx: ${c.constructor.name} called with an outputSize is not supported; set outputPadding on the layer instead`);
  const ins = [x, g.value(c.weight)];
  if (c.bias) ins.push(g.value(c.bias));
  return g.node("ConvTranspose", ins, {
    kernel_shape: [...c.kernelSize], strides: [...c.stride], pads: [...pad, ...pad], dilations: [...c.dilation],
    output_padding: [...c.outputPadding], group: c.groups,
  });
}

/** Upsample's resize: the scale factors it steps by (its own unless recomputed or absent, then out/in). */
function upsampleResize(g: Graph, m: Module, x: string, input: Tensor, out: Tensor): string {
  const u = m as L.Upsample;
  const nd = input.ndim - 2, sf = u.scaleFactor;
  const scales = sf === null || u.recomputeScaleFactor === true ? null : typeof sf === "number" ? new Array<number>(nd).fill(sf) : [...sf];
  return resize(g, x, input, out, { mode: u.mode, alignCorners: u.alignCorners ?? false, antialias: false, scales });
}

/**
 * Upsample / F.interpolate as Resize (opset 17), with the scale factors PyTorch steps by (out/in
 * when the size was given). Coordinates: nearest floors i/scale (asymmetric), nearest-exact floors
 * (i + ½)/scale (half_pixel, rounding halves up), linear and cubic use half_pixel (the source
 * coordinate (i + ½)/scale − ½; ONNX Runtime clamps it for linear as PyTorch does) or align_corners;
 * cubic is Keys' kernel with a = −0.75 on border-clamped pixels. Area and antialias have no exact
 * Resize form and are refused.
 */
function resize(g: Graph, x: string, input: Tensor, out: Tensor, a: { mode: string; alignCorners: boolean; antialias: boolean; scales: readonly number[] | null }): string {
  const { mode, alignCorners } = a;
  if (a.antialias) throw new TensileError(`exportOnnx: interpolate with antialias (mode "${mode}") has no exact ONNX opset 17 Resize form`);
  const coords = alignCorners ? "align_corners" : "half_pixel";
  const attrs: Record<string, Attr> | undefined = {
    nearest: { mode: "nearest", coordinate_transformation_mode: "asymmetric", nearest_mode: "floor" },
    "nearest-exact": { mode: "nearest", coordinate_transformation_mode: "half_pixel", nearest_mode: "round_prefer_ceil" },
    linear: { mode: "linear", coordinate_transformation_mode: coords },
    bilinear: { mode: "linear", coordinate_transformation_mode: coords },
    trilinear: { mode: "linear", coordinate_transformation_mode: coords },
    bicubic: { mode: "cubic", coordinate_transformation_mode: coords, cubic_coeff_a: { float: -0.75 } },
  }[mode];
  if (!attrs) throw new TensileError(`exportOnnx: interpolation mode "${mode}" has no exact ONNX Resize form (nearest, nearest-exact, linear, bilinear, bicubic and trilinear do)`);
  const spatial = out.shape.slice(2);
  // a given size travels as sizes (scales out/in in float32 can floor to one less), the batch dims
  // read from the input so the batch stays dynamic
  if (a.scales === null) return g.node("Resize", [x, "", "", g.node("Concat", [g.node("Shape", [x], { end: 2 }), g.ints(spatial)], { axis: 0 })], attrs);
  const scales = [1, 1, ...a.scales];
  const bad = spatial.findIndex((o, i) => Math.floor(Math.fround(Math.fround(a.scales![i]!) * input.shape[i + 2]!)) !== o);
  if (bad >= 0) throw new TensileError(`exportOnnx: interpolate's scale factor ${a.scales[bad]} on size ${input.shape[bad + 2]} gives ${spatial[bad]} in PyTorch but another size in float32 ONNX Resize; use recomputeScaleFactor or a size`);
  return g.node("Resize", [x, "", g.constant("scales", [scales.length], "float32", scales)], attrs);
}

function dimOf(op: string, dim: number | null, ndim: number): number {
  if (dim === null) throw new TensileError(`exportOnnx: ${op} without a dim cannot be exported; give it one`);
  return dim < 0 ? dim + ndim : dim;
}

function conv(g: Graph, c: L.Conv1d | L.Conv2d, x: string, nd: number): string {
  if (c.paddingMode !== "zeros") throw new TensileError(`exportOnnx: ${c.constructor.name} with paddingMode "${c.paddingMode}" is not supported (only "zeros")`);
  const k = c.kernelSize;
  let pads: number[];
  if (c.padding === "valid") pads = new Array<number>(2 * nd).fill(0);
  else if (c.padding === "same") {
    // PyTorch pads the extra element of an odd total at the end, as ONNX's explicit pads can say
    const total = k.map((kk, i) => c.dilation[i]! * (kk - 1));
    pads = [...total.map((t) => Math.floor(t / 2)), ...total.map((t) => t - Math.floor(t / 2))];
  } else pads = [...c.padding, ...c.padding];
  const ins = [x, g.value(c.weight)];
  if (c.bias) ins.push(g.value(c.bias));
  return g.node("Conv", ins, { kernel_shape: [...k], strides: [...c.stride], pads, dilations: [...c.dilation], group: c.groups });
}

/**
 * Adaptive 3-D average pooling: GlobalAveragePool or AveragePool where the windows are even; uneven
 * (overlapping) windows as an Einsum with one averaging matrix per dim, since the box mean is separable.
 */
function adaptiveAvgPool3d(g: Graph, x: string, input: Tensor, out: Tensor): string {
  const from = input.shape.slice(-3), to = out.shape.slice(-3);
  if (input.ndim === 5 && to.every((o) => o === 1)) return g.node("GlobalAveragePool", [x]);
  if (input.ndim === 5 && from.every((d, i) => d % to[i]! === 0)) {
    const k = from.map((d, i) => d / to[i]!);
    return g.node("AveragePool", [x], { kernel_shape: k, strides: k });
  }
  const elem = input.dtype === "float64" ? "float64" : "float32";
  const mats = from.map((n, d) => {
    const o = to[d]!, a = new Float64Array(n * o);
    for (let i = 0; i < o; i++) {
      const s0 = Math.floor((i * n) / o), s1 = Math.ceil(((i + 1) * n) / o);
      for (let j = s0; j < s1; j++) a[j * o + i] = 1 / (s1 - s0);
    }
    return g.constant("adaptive_avg", [n, o], elem, a);
  });
  return g.node("Einsum", [x, ...mats], { equation: "...dhw,dp,hq,wr->...pqr" });
}

function batchNorm(g: Graph, b: L.BatchNorm1d | L.BatchNorm2d, x: string): string {
  const C = b.numFeatures;
  if (!b.runningMean || !b.runningVar)
    throw new TensileError(`exportOnnx: ${b.constructor.name} without running statistics (trackRunningStats false) normalises by each batch's statistics; ONNX's BatchNormalization in inference needs running ones`);
  const scale = b.weight ? g.value(b.weight) : g.constant("ones", [C], "float32", new Array<number>(C).fill(1));
  const bias = b.bias ? g.value(b.bias) : g.constant("zeros", [C], "float32", new Array<number>(C).fill(0));
  return g.node("BatchNormalization", [x, scale, bias, g.value(b.runningMean), g.value(b.runningVar)], { epsilon: { float: b.eps } });
}

function reshape(g: Graph, x: string, _input: Tensor, out: Tensor): string {
  const target = [...out.shape];
  const shape = g.ints(target);
  g.batchShapes.add(shape);
  const name = g.node("Reshape", [x, shape]);
  g.reshapes.set(g.nodes.length - 1, target);
  return name;
}

/** Functional pooling (`F.maxPool2d(x, 2)`), traced as one op. */
export function functional(g: Graph, name: string, x: string, input: Tensor, out: Tensor, a: Record<string, unknown>): string {
  if (!["interpolate", "maxPool1d", "maxPool2d", "avgPool2d", "adaptiveAvgPool2d", "adaptiveAvgPool3d"].includes(name))
    throw new TensileError(`exportOnnx: the op "${name}" (output ${fmtShape(out.shape)}) has no ONNX export here; ` +
      "the layers and ops that do are listed in docs/io.md");
  if (name === "adaptiveAvgPool3d") return adaptiveAvgPool3d(g, x, input, out);
  if (name === "interpolate")
    return resize(g, x, input, out, { mode: a.mode as string, alignCorners: a.alignCorners as boolean, antialias: a.antialias === true, scales: a.scales as number[] });
  if (name === "adaptiveAvgPool2d") {
    const [H, W] = input.shape.slice(-2) as [number, number];
    const [oh, ow] = out.shape.slice(-2) as [number, number];
    if (oh === 1 && ow === 1) return g.node("GlobalAveragePool", [x]);
    if (H % oh !== 0 || W % ow !== 0)
      throw new TensileError(`exportOnnx: adaptiveAvgPool2d from ${H}×${W} to ${oh}×${ow} has uneven windows, which ONNX's AveragePool cannot express`);
    return g.node("AveragePool", [x], { kernel_shape: [H / oh, W / ow], strides: [H / oh, W / ow] });
  }
  const nd = name === "maxPool1d" ? 1 : 2;
  const kernel = pair(a.kernelSize as number | number[], nd);
  const w = {
    kernel, stride: a.stride === undefined || a.stride === null ? kernel : pair(a.stride as number | number[], nd),
    padding: pair((a.padding as number | number[] | undefined) ?? 0, nd), dilation: pair((a.dilation as number | number[] | undefined) ?? 1, nd), ceilMode: a.ceilMode === true,
  };
  if (name === "maxPool1d" || name === "maxPool2d") return g.node("MaxPool", [x], poolAttrs(`F.${name}`, "max", input, out, nd, w));
  if (name === "avgPool2d") {
    if (a.divisorOverride !== undefined && a.divisorOverride !== null) throw new TensileError("exportOnnx: avgPool2d with divisorOverride has no ONNX equivalent");
    return g.node("AveragePool", [x], poolAttrs("F.avgPool2d", "avg", input, out, nd, w, a.countIncludePad !== false));
  }
  throw new TensileError(`exportOnnx: internal error: F.${name} reached the pooling export`);
}

// ---------------------------------------------------------------- recurrent layers

/** PyTorch's gate blocks in ONNX's order: LSTM i,f,g,o → i,o,f,c; GRU r,z,n → z,r,h. */
const GATE_ORDER = { LSTM: [0, 3, 1, 2], GRU: [1, 0, 2], RNN: [0] } as const;

/** `rows` [G·H, k] of a PyTorch gate-stacked weight (or bias, k = 1) with its gate blocks reordered. */
function reorderGates(t: Tensor, order: readonly number[], H: number): number[] {
  const v = Array.from(t.contiguous().dataSync() as ArrayLike<number>, Number);
  const k = v.length / (order.length * H);
  return order.flatMap((gIdx) => v.slice(gIdx * H * k, (gIdx + 1) * H * k));
}

/**
 * RNN / LSTM / GRU as ONNX's RNN / LSTM / GRU nodes, one per layer (both directions in one),
 * weights re-stacked into ONNX's gate order as initializers `<layer>.W_l<k>`, `R_l<k>`, `B_l<k>`.
 * Names the layer's output and final states.
 */
export function recurrent(g: Graph, m: L.RNN | L.LSTM | L.GRU, args: readonly unknown[], result: unknown): void {
  const x = args[0];
  const name = m.constructor.name;
  if (!(x instanceof Tensor)) throw new TensileError(`exportOnnx: ${name} on ${fmtValue(x)} (a PackedSequence?) is not supported; export it on a padded batch`);
  if (x.ndim !== 3) throw new TensileError(`exportOnnx: ${name} on an unbatched ${fmtShape(x.shape)} input is not supported; add a batch dim`);
  const kind = m instanceof L.LSTM ? "LSTM" : m instanceof L.GRU ? "GRU" : "RNN";
  if (m.projSize > 0) throw new TensileError(`exportOnnx: ${name} with projSize ${m.projSize} is not supported (ONNX's LSTM has no projection)`);
  const H = m.hiddenSize, D = m.bidirectional ? 2 : 1, Lyr = m.numLayers;
  const order = GATE_ORDER[kind];
  const base = g.params.get(m.parameters()[0]!)?.replace(/\.weight_ih_l0$/, "") ?? name.toLowerCase();
  const hx = args[1];
  const states = hx instanceof Tensor ? [hx] : Array.isArray(hx) ? (hx as Tensor[]) : [];
  let input = g.value(x);
  if (m.batchFirst) input = g.node("Transpose", [input], { perm: [1, 0, 2] });
  const hs: string[] = [], cs: string[] = [];
  for (let l = 0; l < Lyr; l++) {
    const dirs = Array.from({ length: D }, (_, d) => `_l${l}${d === 1 ? "_reverse" : ""}`);
    const param = (n: string) => (m as unknown as Record<string, Tensor | undefined>)[n] ?? null;
    const wih = dirs.map((s) => reorderGates(param(`weight_ih${s}`)!, order, H));
    const whh = dirs.map((s) => reorderGates(param(`weight_hh${s}`)!, order, H));
    const G = order.length;
    const inSize = param(`weight_ih${dirs[0]}`)!.shape[1]!;
    const W = g.constant(`${base}.W_l${l}`, [D, G * H, inSize], "float32", wih.flat());
    const R = g.constant(`${base}.R_l${l}`, [D, G * H, H], "float32", whh.flat());
    const B = g.constant(`${base}.B_l${l}`, [D, 2 * G * H], "float32", dirs.flatMap((s) => {
      const bi = param(`bias_ih${s}`), bh = param(`bias_hh${s}`);
      return [...(bi ? reorderGates(bi, order, H) : new Array<number>(G * H).fill(0)), ...(bh ? reorderGates(bh, order, H) : new Array<number>(G * H).fill(0))];
    }));
    const initial = (t: Tensor | undefined) => (t ? g.node("Slice", [g.value(t), g.ints([l * D]), g.ints([(l + 1) * D]), g.ints([0])]) : "");
    const ins = [input, W, R, B, "", initial(states[0])];
    if (kind === "LSTM") ins.push(initial(states[1]));
    while (ins.at(-1) === "") ins.pop();
    const attrs: Record<string, Attr> = { hidden_size: H, direction: D === 2 ? "bidirectional" : "forward" };
    if (kind === "GRU") attrs.linear_before_reset = 1;
    if (kind === "RNN") attrs.activations = { strings: new Array<string>(D).fill((m as L.RNN).nonlinearity === "relu" ? "Relu" : "Tanh") };
    const [Y, Yh, Yc] = g.multi(kind, ins, kind === "LSTM" ? 3 : 2, attrs);
    hs.push(Yh!);
    if (Yc) cs.push(Yc);
    // [T, D, N, H] → [T, N, D·H] for the next layer (0 copies a dim: the batch stays free)
    input = g.node("Reshape", [g.node("Transpose", [Y!], { perm: [0, 2, 1, 3] }), g.ints([0, 0, -1])]);
  }
  const out = m.batchFirst ? g.node("Transpose", [input], { perm: [1, 0, 2] }) : input;
  const [o, st] = result as [Tensor, Tensor | [Tensor, Tensor]];
  g.names.set(o, out);
  const cat = (xs: string[]) => (xs.length === 1 ? g.node("Identity", xs) : g.node("Concat", xs, { axis: 0 }));
  if (kind === "LSTM") {
    const [h, c] = st as [Tensor, Tensor];
    g.names.set(h, cat(hs));
    g.names.set(c, cat(cs));
  } else g.names.set(st as Tensor, cat(hs));
}

// ---------------------------------------------------------------- ops recorded between layers

const UNARY: Record<string, string> = {
  relu: "Relu", sigmoid: "Sigmoid", tanh: "Tanh", exp: "Exp", log: "Log", neg: "Neg", abs: "Abs", sqrt: "Sqrt",
  erf: "Erf", sin: "Sin", cos: "Cos", reciprocal: "Reciprocal", floor: "Floor", ceil: "Ceil",
  tan: "Tan", asin: "Asin", acos: "Acos", atan: "Atan", sinh: "Sinh", cosh: "Cosh", asinh: "Asinh", acosh: "Acosh", atanh: "Atanh",
};
const BINARY: Record<string, string> = { add: "Add", sub: "Sub", mul: "Mul", div: "Div", pow: "Pow", maximum: "Max", minimum: "Min", matmul: "MatMul" };
const RESHAPES = new Set(["view", "reshape", "flatten", "unflatten", "squeeze", "unsqueeze"]);

export function opNode(g: Graph, name: string, out: Tensor, ins: Tensor[], attrs: Record<string, unknown>): string {
  const v = ins.map((t) => g.value(t));
  // a copy (clone, contiguous) is the value it copies: no node, so a copy the layout needs in one
  // run and not in the other (a transpose of a size-1 batch) leaves the graph the same
  if (name === "clone") return v[0]!;
  if (UNARY[name]) return g.node(UNARY[name]!, [v[0]!]);
  if (name === "pow" && ins.length === 1) return intPow(g, v[0]!, ins[0]!, out);
  if (name === "rsqrt") return g.node("Reciprocal", [g.node("Sqrt", [v[0]!])]);
  if (name === "sign" && out.dtype !== "bool") return g.node("Sign", [v[0]!]);
  if (BINARY[name]) return g.node(BINARY[name]!, v);
  if (RESHAPES.has(name)) return reshape(g, v[0]!, ins[0]!, out);
  switch (name) {
    case "gelu": return gelu(g, v[0]!, "none");
    case "silu": return g.node("Mul", [v[0]!, g.node("Sigmoid", [v[0]!])]);
    case "leakyRelu": return g.node("LeakyRelu", [v[0]!], { alpha: { float: attrs.alpha as number } });
    case "elu": return g.node("Elu", [v[0]!], { alpha: { float: attrs.alpha as number } });
    case "linear": return linear(g, v[0]!, ins[0]!, ins[1]!, ins[2] ?? null);
    case "permute": return g.node("Transpose", [v[0]!], { perm: attrs.perm as number[] });
    case "softmax": return g.node("Softmax", [v[0]!], { axis: attrs.axis as number });
    case "logSoftmax": return g.node("LogSoftmax", [v[0]!], { axis: attrs.axis as number });
    case "cat": return g.node("Concat", v, { axis: attrs.axis as number });
    case "sum": return g.node("ReduceSum", [v[0]!, g.ints(attrs.axes as number[])], { keepdims: attrs.keepdim ? 1 : 0 });
    case "amax": return g.node("ReduceMax", [v[0]!], { axes: attrs.axes as number[], keepdims: attrs.keepdim ? 1 : 0 });
    case "amin": return g.node("ReduceMin", [v[0]!], { axes: attrs.axes as number[], keepdims: attrs.keepdim ? 1 : 0 });
    case "expand": {
      const shape = g.ints([...out.shape]);
      g.batchShapes.add(shape);
      const name = g.node("Expand", [v[0]!, shape]);
      g.expands.set(g.nodes.length - 1, [...out.shape]);
      g.expandInputs.set(g.nodes.length - 1, [...ins[0]!.shape]);
      return name;
    }
    case "to": return g.node("Cast", [v[0]!], { to: ELEM[elemOf(out)] });
    case "where": {
      const cond = g.value(attrs.cond as Tensor);
      if (out.dtype !== "bool") return g.node("Where", [cond, ...v]);
      // ONNX Runtime has no Where kernel for bool values (tril/triu of a bool mask): select int32s
      const asInt = v.map((x) => g.node("Cast", [x], { to: ELEM.int32 }));
      return g.node("Cast", [g.node("Where", [cond, ...asInt])], { to: ELEM.bool });
    }
    case "clamp": {
      // Max then Min, as the value is computed; a number bound becomes a constant of the output's type
      let k = 1, y = v[0]!;
      const bound = (b: unknown, base: string) => (b === "tensor" ? v[k++]! : g.constant(base, [], elemOf(out), [b as number]));
      if (attrs.min !== null && attrs.min !== undefined) y = g.node("Max", [y, bound(attrs.min, "clamp_min")]);
      if (attrs.max !== null && attrs.max !== undefined) y = g.node("Min", [y, bound(attrs.max, "clamp_max")]);
      return y;
    }
    case "index": return slice(g, v[0]!, ins[0]!, attrs as unknown as Slicing);
    default:
      throw new TensileError(`exportOnnx: the op "${name}" (output ${fmtShape(out.shape)}) has no ONNX export here; ` +
        "the layers and ops that do are listed in docs/io.md");
  }
}

/**
 * x² or x³ of a float tensor, which pow records with x alone (it computes them as products): the
 * exponent is told from the values, x·x rounding as pow's product does, and written as Mul nodes.
 */
function intPow(g: Graph, x: string, input: Tensor, out: Tensor): string {
  const a = input.contiguous().dataSync() as ArrayLike<number>, y = out.contiguous().dataSync() as ArrayLike<number>;
  const f = input.dtype === "float64" ? (v: number) => v : Math.fround;
  const is = (n: 2 | 3) => Array.prototype.every.call(y, (v: number, i: number) => {
    const p = n === 2 ? f(a[i]! * a[i]!) : f(f(a[i]! * a[i]!) * a[i]!);
    return Object.is(v, p) || (Number.isNaN(v) && Number.isNaN(p));
  });
  const two = is(2), three = is(3);
  if (two === three) throw new TensileError(`exportOnnx: pow on ${fmtShape(input.shape)} with an exponent of 2 or 3 that its values (0s and 1s) do not tell; compute it as x.mul(x) instead`);
  const sq = g.node("Mul", [x, x]);
  return two ? sq : g.node("Mul", [sq, x]);
}

interface Slicing {
  parts: ({ src: number; start: number; step: number; len: number } | { newAxis: true })[];
  fixed: { src: number; at: number }[];
}
/** ONNX clamps slice ends to the dim: a bound this large means "to the end", whatever the batch. */
const TO_END = Number.MAX_SAFE_INTEGER;

/** Basic indexing (select, narrow, x.index([...])): Slice every dim, Squeeze the selected ones, Unsqueeze new axes. */
function slice(g: Graph, x: string, input: Tensor, sl: Slicing): string {
  if (!sl.parts) throw new TensileError("exportOnnx: an indexing op without its slicing recorded");
  const n = input.ndim;
  const starts = new Array<number>(n).fill(0), ends = new Array<number>(n).fill(TO_END), steps = new Array<number>(n).fill(1);
  for (const p of sl.parts) {
    if ("newAxis" in p) continue;
    const whole = p.start === 0 && p.step === 1 && p.len === input.shape[p.src];
    starts[p.src] = p.start;
    steps[p.src] = p.step;
    ends[p.src] = whole ? TO_END : p.start + p.step * (p.len - 1) + 1;
  }
  for (const f of sl.fixed) {
    starts[f.src] = f.at;
    ends[f.src] = f.at + 1;
  }
  let y = g.node("Slice", [x, g.ints(starts), g.ints(ends), g.ints([...Array(n).keys()]), g.ints(steps)]);
  if (sl.fixed.length) y = g.node("Squeeze", [y, g.ints(sl.fixed.map((f) => f.src).sort((a, b) => a - b))]);
  const added = sl.parts.flatMap((p, i) => ("newAxis" in p ? [i] : []));
  if (added.length) y = g.node("Unsqueeze", [y, g.ints(added)]);
  return y;
}

