import { Parameter, type Tensor, empty, pad as padOp } from "../../core.js";
import type { DType } from "../../core.js";
import { TensileError, check } from "../../errors.js";
import { conv1d, conv2d, convTranspose1d, convTranspose2d } from "../functional/conv.js";
import { conv3d, convTranspose3d } from "../functional/volumetric.js";
import type { Size2 } from "../functional/fold.js";
import { calculateFanInAndFanOut, kaimingUniform_, uniform_ } from "../init.js";
import { Module } from "../module.js";
import { pyRepr } from "../repr.js";
import { choiceArg } from "./ctor-checks.js";
import { type ConvLayerArgs, type ConvTransposeLayerArgs, type WithKernelSize, convLayerOptions, kernelSizeArg, transposeOptions } from "./conv-layer-args.js";

export type PaddingMode = "zeros" | "reflect" | "replicate" | "circular";

export interface ConvLayerOptions {
  stride?: Size2;
  /** Implicit padding on both sides, or "same" / "valid" (not for transposed convolutions). */
  padding?: Size2 | "same" | "valid";
  dilation?: Size2;
  groups?: number;
  /** Learn an additive bias (default true). */
  bias?: boolean;
  /** How the padding is filled: zeros (default), or reflect / replicate / circular copies of the input. */
  paddingMode?: PaddingMode;
  /** Parameter dtype (default float32). */
  dtype?: DType;
}

export interface ConvTransposeLayerOptions {
  stride?: Size2;
  /** PyTorch's `padding_mode`: transposed convolutions support only "zeros" (as in PyTorch). */
  paddingMode?: "zeros";
  padding?: Size2;
  outputPadding?: Size2;
  groups?: number;
  bias?: boolean;
  dilation?: Size2;
  dtype?: DType;
}

/** A size argument as n integers (one number, or an array of 1 or n), checked: `name(what): ...` otherwise. */
function tuple(v: Size2, n: number, name: string, what: string, min: number): number[] {
  const ok = (x: unknown) => Number.isInteger(x) && (x as number) >= min;
  const out = typeof v === "number" ? Array<number>(n).fill(v) : Array.isArray(v) && v.length === 1 ? Array<number>(n).fill(v[0]!) : Array.isArray(v) ? [...v] : null;
  check(out !== null && out.length === n && out.every(ok), name, () =>
    `${what} must be an integer ≥ ${min} or an array of ${n === 1 ? "one" : `1 or ${n}`} such integers, got ${JSON.stringify(v)}`);
  return out!;
}

/**
 * Shared state of the convolution layers (PyTorch's `_ConvNd`): `weight` [out, in/groups, *k]
 * (transposed: [in, out/groups, *k]) and `bias` [out], initialised as PyTorch's reset_parameters:
 * kaiming_uniform(a = √5), i.e. U(±1/√fan_in), and the bias U(±1/√fan_in).
 */
abstract class ConvNd extends Module {
  readonly kernelSize: number[];
  readonly stride: number[];
  readonly padding: number[] | "same" | "valid";
  readonly dilation: number[];
  readonly outputPadding: number[];
  weight: Parameter;
  bias: Parameter | null;

  constructor(
    name: string, nd: number, transposed: boolean,
    readonly inChannels: number, readonly outChannels: number, kernelSize: Size2,
    o: { stride?: Size2; padding?: Size2 | "same" | "valid"; dilation?: Size2; outputPadding?: Size2 },
    readonly groups: number, hasBias: boolean, readonly paddingMode: PaddingMode, dtype: DType | undefined,
  ) {
    super();
    for (const [k, v] of [["in_channels", inChannels], ["out_channels", outChannels]] as const)
      check(Number.isInteger(v) && v > 0, name, () => `${k} must be a positive integer, got ${v}`);
    check(Number.isInteger(groups) && groups > 0, name, () => `groups must be a positive integer, got ${groups}`);
    check(inChannels % groups === 0, name, () => `in_channels (${inChannels}) must be divisible by groups (${groups})`);
    check(outChannels % groups === 0, name, () => `out_channels (${outChannels}) must be divisible by groups (${groups})`);
    choiceArg(name, "padding_mode", paddingMode, ["zeros", "reflect", "replicate", "circular"]);
    this.kernelSize = tuple(kernelSize, nd, name, "kernel_size", 1);
    this.stride = tuple(o.stride ?? 1, nd, name, "stride", 1);
    this.dilation = tuple(o.dilation ?? 1, nd, name, "dilation", 1);
    this.outputPadding = tuple(o.outputPadding ?? 0, nd, name, "output_padding", 0);
    const p = o.padding ?? 0;
    if (typeof p === "string") {
      check(p === "same" || p === "valid", name, () => `invalid padding string "${p}", should be one of "valid", "same"`);
      check(!(p === "same" && this.stride.some((s) => s !== 1)), name, `padding='same' is not supported for strided convolutions`);
    }
    this.padding = typeof p === "string" ? p : tuple(p, nd, name, "padding", 0);
    const wShape = transposed ? [inChannels, outChannels / groups] : [outChannels, inChannels / groups];
    this.weight = new Parameter(empty([...wShape, ...this.kernelSize], { dtype }));
    this.bias = hasBias ? new Parameter(empty([outChannels], { dtype })) : null;
    this.resetParameters();
  }

  resetParameters(): void {
    kaimingUniform_(this.weight, Math.sqrt(5));
    if (this.bias) {
      const [fanIn] = calculateFanInAndFanOut(this.weight);
      const bound = fanIn > 0 ? 1 / Math.sqrt(fanIn) : 0;
      uniform_(this.bias, -bound, bound);
    }
  }

  /** Pads the input itself for non-zero padding modes (the convolution then runs unpadded). */
  protected prepare(input: Tensor): [Tensor, Size2 | "same" | "valid"] {
    if (this.paddingMode === "zeros" || typeof this.padding === "string") return [input, this.padding];
    const pads = [...this.padding].reverse().flatMap((p) => [p, p]);
    return [padOp(input, pads, this.paddingMode), 0];
  }

  override extraRepr(): string {
    const zeros = (a: number[]) => a.every((v) => v === 0), ones = (a: number[]) => a.every((v) => v === 1);
    let s = `${this.inChannels}, ${this.outChannels}, kernel_size=${pyRepr(this.kernelSize)}, stride=${pyRepr(this.stride)}`;
    if (typeof this.padding === "string") s += `, padding=${this.padding}`;
    else if (!zeros(this.padding)) s += `, padding=${pyRepr(this.padding)}`;
    if (!ones(this.dilation)) s += `, dilation=${pyRepr(this.dilation)}`;
    if (!zeros(this.outputPadding)) s += `, output_padding=${pyRepr(this.outputPadding)}`;
    if (this.groups !== 1) s += `, groups=${this.groups}`;
    if (!this.bias) s += ", bias=False";
    if (this.paddingMode !== "zeros") s += `, padding_mode=${this.paddingMode}`;
    return s;
  }
}

/** Reads PyTorch-order positional arguments, then an optional options object (`new nn.Conv2d(1, 6, 5, 1, { padding: 2 })`). */
function convArgs(name: string, args: readonly unknown[]): Required<Omit<ConvLayerOptions, "dtype">> & { dtype?: DType } {
  const o = convLayerOptions(name, args);
  return { stride: o.stride ?? 1, padding: o.padding ?? 0, dilation: o.dilation ?? 1, groups: o.groups ?? 1, bias: o.bias ?? true, paddingMode: o.paddingMode ?? "zeros", dtype: o.dtype };
}

/**
 * 1-D convolution over [N, C, L] inputs (see `F.conv1d`).
 *
 * Shapes: [N, inChannels, L] (or [inChannels, L]) → [N, outChannels, L_out].
 * ```ts
 * new nn.Conv1d(16, 33, 3, { stride: 2 }).forward(randn([20, 16, 50])).shape; // [20, 33, 24]
 * ```
 */
export class Conv1d extends ConvNd {
  constructor(inChannels: number, outChannels: number, kernelSize: Size2 | WithKernelSize<ConvLayerOptions>, ...args: ConvLayerArgs) {
    const [k, rest] = kernelSizeArg("Conv1d", kernelSize, args);
    const a = convArgs("Conv1d", rest);
    super("Conv1d", 1, false, inChannels, outChannels, k, a, a.groups, a.bias, a.paddingMode, a.dtype);
  }
  override forward(input: Tensor): Tensor {
    const [x, padding] = this.prepare(input);
    return conv1d(x, this.weight, this.bias, { stride: this.stride, padding, dilation: this.dilation, groups: this.groups });
  }
}

/**
 * 2-D convolution over [N, C, H, W] inputs (see `F.conv2d`), computed as im2col + GEMM.
 *
 * Shapes: [N, inChannels, H, W] (or unbatched) → [N, outChannels, H_out, W_out],
 * H_out = ⌊(H + 2·padding − dilation·(k − 1) − 1)/stride⌋ + 1.
 * ```ts
 * const conv = new nn.Conv2d(1, 6, 5, { padding: 2 }); // or new nn.Conv2d(1, 6, 5, 1, 2)
 * conv.forward(randn([64, 1, 28, 28])).shape;          // [64, 6, 28, 28]
 * ```
 */
export class Conv2d extends ConvNd {
  constructor(inChannels: number, outChannels: number, kernelSize: Size2 | WithKernelSize<ConvLayerOptions>, ...args: ConvLayerArgs) {
    const [k, rest] = kernelSizeArg("Conv2d", kernelSize, args);
    const a = convArgs("Conv2d", rest);
    super("Conv2d", 2, false, inChannels, outChannels, k, a, a.groups, a.bias, a.paddingMode, a.dtype);
  }
  override forward(input: Tensor): Tensor {
    const [x, padding] = this.prepare(input);
    return conv2d(x, this.weight, this.bias, { stride: this.stride, padding, dilation: this.dilation, groups: this.groups });
  }
}

/**
 * 2-D transposed convolution (see `F.convTranspose2d`): the gradient of Conv2d with respect to its
 * input, used to upsample. `forward(x, outputSize)` picks the outputPadding that yields `outputSize`.
 *
 * Shapes: [N, inChannels, H, W] → [N, outChannels, H_out, W_out],
 * H_out = (H − 1)·stride − 2·padding + dilation·(k − 1) + outputPadding + 1.
 * ```ts
 * new nn.ConvTranspose2d(16, 8, 2, { stride: 2 }).forward(randn([1, 16, 7, 7])).shape; // [1, 8, 14, 14]
 * ```
 */
export class ConvTranspose2d extends ConvNd {
  constructor(inChannels: number, outChannels: number, kernelSize: Size2 | WithKernelSize<ConvTransposeLayerOptions>, ...args: ConvTransposeLayerArgs) {
    const [k, rest] = kernelSizeArg("ConvTranspose2d", kernelSize, args);
    const o = transposeOptions("ConvTranspose2d", rest);
    super("ConvTranspose2d", 2, true, inChannels, outChannels, k, o, o.groups ?? 1, o.bias ?? true, "zeros", o.dtype);
    checkOutputPadding(this, "ConvTranspose2d");
  }

  override forward(input: Tensor, outputSize?: readonly number[]): Tensor {
    return convTranspose2d(input, this.weight, this.bias, transposeCall(this, "ConvTranspose2d", 2, input, outputSize));
  }
}

function checkOutputPadding(m: ConvNd, name: string): void {
  const op = m.outputPadding;
  check(op.every((p, i) => p < m.stride[i]! || p < m.dilation[i]!), name, () =>
    `output padding must be smaller than either stride or dilation, got output_padding ${pyRepr(op)}, stride ${pyRepr(m.stride)}, dilation ${pyRepr(m.dilation)}`);
}

/** The functional call's options for a transposed convolution layer (outputPadding from `outputSize` when given). */
function transposeCall(m: ConvNd, name: string, nd: number, input: Tensor, outputSize?: readonly number[]) {
  return { stride: m.stride, padding: m.padding as number[], outputPadding: outputPaddingFor(m, name, nd, input, outputSize), groups: m.groups, dilation: m.dilation };
}

/** The layer's outputPadding, or the one that gives `outputSize` (PyTorch's `_output_padding`). */
function outputPaddingFor(m: ConvNd, name: string, nd: number, input: Tensor, outputSize?: readonly number[]): number[] {
  if (!outputSize) return m.outputPadding;
  const padding = m.padding as number[];
  // as PyTorch's _output_padding: the spatial sizes, or the whole output shape (batch and channels first)
  const nonSpatial = input.ndim === nd + 2 ? 2 : 1;
  if (outputSize.length !== nd && outputSize.length !== nd + nonSpatial)
    throw new TensileError(`${name}: for ${input.ndim}D input, output_size must have ${nd} or ${nd + nonSpatial} elements (got ${outputSize.length})`);
  const want = outputSize.slice(-nd);
  const hw = input.shape.slice(-nd);
  // valid sizes: min … min + stride − 1 (the functional form also takes an outputPadding below the
  // dilation, which the layer, as PyTorch's, does not offer)
  const mins = want.map((_, i) => (hw[i]! - 1) * m.stride[i]! - 2 * padding[i]! + m.dilation[i]! * (m.kernelSize[i]! - 1) + 1);
  const maxs = mins.map((v, i) => v + m.stride[i]! - 1);
  if (want.some((w, i) => !(w >= mins[i]! && w <= maxs[i]!)))
    throw new TensileError(`${name}: requested an output size of ${pyRepr(want)}, but valid sizes range from ${pyRepr(mins)} to ${pyRepr(maxs)} (for an input of ${pyRepr(hw)})`);
  return want.map((w, i) => w - mins[i]!);
}

// ---- ConvTranspose1d ----

/**
 * 1-D transposed convolution (see `F.convTranspose1d`). `forward(x, outputSize)` picks the
 * outputPadding that yields `outputSize`.
 *
 * Shapes: [N, inChannels, L] (or [inChannels, L]) → [N, outChannels, L_out],
 * L_out = (L − 1)·stride − 2·padding + dilation·(k − 1) + outputPadding + 1.
 * ```ts
 * new nn.ConvTranspose1d(16, 8, 2, { stride: 2 }).forward(randn([1, 16, 7])).shape; // [1, 8, 14]
 * ```
 */
export class ConvTranspose1d extends ConvNd {
  constructor(inChannels: number, outChannels: number, kernelSize: Size2 | WithKernelSize<ConvTransposeLayerOptions>, ...args: ConvTransposeLayerArgs) {
    const [k, rest] = kernelSizeArg("ConvTranspose1d", kernelSize, args);
    const o = transposeOptions("ConvTranspose1d", rest);
    check(typeof (o.padding ?? 0) !== "string", "ConvTranspose1d", () => `padding must be an integer or a list of 1 integer, got ${pyRepr(o.padding)}`);
    super("ConvTranspose1d", 1, true, inChannels, outChannels, k, o, o.groups ?? 1, o.bias ?? true, "zeros", o.dtype);
    checkOutputPadding(this, "ConvTranspose1d");
  }

  override forward(input: Tensor, outputSize?: readonly number[]): Tensor {
    return convTranspose1d(input, this.weight, this.bias, transposeCall(this, "ConvTranspose1d", 1, input, outputSize));
  }
}

/**
 * 3-D convolution over [N, C, D, H, W] inputs (see `F.conv3d`).
 *
 * Shapes: [N, inChannels, D, H, W] (or unbatched) → [N, outChannels, D_out, H_out, W_out].
 * ```ts
 * new nn.Conv3d(16, 33, 3, { stride: 2 }).forward(randn([2, 16, 10, 12, 12])).shape; // [2, 33, 4, 5, 5]
 * ```
 */
export class Conv3d extends ConvNd {
  constructor(inChannels: number, outChannels: number, kernelSize: Size2 | WithKernelSize<ConvLayerOptions>, ...args: ConvLayerArgs) {
    const [k, rest] = kernelSizeArg("Conv3d", kernelSize, args);
    const a = convArgs("Conv3d", rest);
    super("Conv3d", 3, false, inChannels, outChannels, k, a, a.groups, a.bias, a.paddingMode, a.dtype);
  }
  override forward(input: Tensor): Tensor {
    const [x, padding] = this.prepare(input);
    return conv3d(x, this.weight, this.bias, { stride: this.stride, padding, dilation: this.dilation, groups: this.groups });
  }
}

/**
 * 3-D transposed convolution (see `F.convTranspose3d`). `forward(x, outputSize)` picks the
 * outputPadding that yields `outputSize`. Weight [inChannels, outChannels/groups, kD, kH, kW], as PyTorch's.
 *
 * Shapes: [N, inChannels, D, H, W] (or unbatched) → [N, outChannels, D_out, H_out, W_out],
 * D_out = (D − 1)·stride − 2·padding + dilation·(kD − 1) + outputPadding + 1 (H, W likewise).
 * ```ts
 * new nn.ConvTranspose3d(16, 8, 2, { stride: 2 }).forward(randn([1, 16, 3, 5, 5])).shape; // [1, 8, 6, 10, 10]
 * ```
 */
export class ConvTranspose3d extends ConvNd {
  constructor(inChannels: number, outChannels: number, kernelSize: Size2 | WithKernelSize<ConvTransposeLayerOptions>, ...args: ConvTransposeLayerArgs) {
    const [k, rest] = kernelSizeArg("ConvTranspose3d", kernelSize, args);
    const o = transposeOptions("ConvTranspose3d", rest);
    check(typeof (o.padding ?? 0) !== "string", "ConvTranspose3d", () => `padding must be an integer or a list of 3 integers, got ${pyRepr(o.padding)}`);
    super("ConvTranspose3d", 3, true, inChannels, outChannels, k, o, o.groups ?? 1, o.bias ?? true, "zeros", o.dtype);
    checkOutputPadding(this, "ConvTranspose3d");
  }

  override forward(input: Tensor, outputSize?: readonly number[]): Tensor {
    return convTranspose3d(input, this.weight, this.bias, transposeCall(this, "ConvTranspose3d", 3, input, outputSize));
  }
}
