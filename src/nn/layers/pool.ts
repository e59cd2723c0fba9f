import type { Generator, Tensor } from "../../core.js";
import { TensileError, check } from "../../errors.js";
import type { Size2 } from "../functional/fold.js";
import {
  adaptiveAvgPool1d, adaptiveAvgPool2d, adaptiveMaxPool1d, adaptiveMaxPool2d, avgPool1d, avgPool2d, lpPool1d, lpPool2d, maxPool1d, maxPool2d,
} from "../functional/pool.js";
import { avgPool3d, maxPool3d } from "../functional/volumetric.js";
import { type InterpolateMode, interpolate } from "../functional/resize.js";
import { dropout2d } from "../functional/dropout2d.js";
import { Module } from "../module.js";
import { pyFloat, pyRepr } from "../repr.js";
import { type PositionalArgs, type WithOptions, positionalOptions } from "../../utils/positional.js";
import { type ChannelDropoutOptions, channelDropoutArgs } from "./dropout-args.js";
import { boolArg, checkHalfPad, checkOutputSize, choiceArg, intArg, realArg, sizeArg } from "./ctor-checks.js";

/** The number of spatial dims of a pooling class (its static `nd`; 0 when unknown: any length). */
const ndOf = (cls: unknown): number => (cls as { nd?: number }).nd ?? 0;

/** Checks a max/avg pooling layer's kernel, stride, padding (≤ kernel / 2) and dilation when it is built. */
function checkPoolArgs(op: string, nd: number, kernel: unknown, stride: unknown, padding: unknown, dilation: unknown = 1): void {
  const k = sizeArg(op, "kernel_size", kernel, nd, 1);
  if (!(Array.isArray(stride) && stride.length === 0)) sizeArg(op, "stride", stride, nd, 1); // [] means the kernel size, as in PyTorch
  const p = sizeArg(op, "padding", padding, nd, 0);
  sizeArg(op, "dilation", dilation, nd, 1);
  checkHalfPad(op, p.length === k.length ? p : Array<number>(k.length).fill(p[0]!), k);
}

export interface MaxPoolLayerOptions {
  stride?: Size2 | null;
  padding?: Size2;
  dilation?: Size2;
  returnIndices?: boolean;
  ceilMode?: boolean;
}

const isOpts = <O extends object>(v: unknown): v is O => v !== null && typeof v === "object" && !Array.isArray(v);

/** The options object itself with kernelSize in it. */
type WithKernelSize<O> = O & { kernelSize: Size2 };

/**
 * The kernel size and the options when kernelSize comes inside the options object in its place
 * (PyTorch's `nn.MaxPool2d(kernel_size=2, stride=2)`). Throws, naming the layer, for an options
 * object without kernelSize or one followed by more arguments.
 */
function poolKernelArg<O extends object>(name: string, opts: WithKernelSize<O>, rest: readonly unknown[]): [Size2, O] {
  const extra = rest.findIndex((a) => a !== undefined);
  if (extra !== -1) throw new TensileError(`${name}: the options object must be the last argument, got ${pyRepr(rest[extra])} after it`);
  const { kernelSize, ...o } = opts;
  if (kernelSize === undefined)
    throw new TensileError(`${name}: missing the kernel size: give it first (new nn.${name}(2)) or as kernelSize in the options object, got ${JSON.stringify(opts)}`);
  return [kernelSize, o as O];
}

abstract class MaxPoolNd extends Module {
  readonly kernelSize: Size2;
  readonly stride: Size2;
  readonly padding: Size2;
  readonly dilation: Size2;
  readonly returnIndices: boolean;
  readonly ceilMode: boolean;

  constructor(kernelSize: Size2 | WithKernelSize<MaxPoolLayerOptions>, stride?: Size2 | null | MaxPoolLayerOptions, padding?: Size2, dilation?: Size2,
    returnIndices?: boolean, ceilMode?: boolean) {
    super();
    if (isOpts<WithKernelSize<MaxPoolLayerOptions>>(kernelSize)) [kernelSize, stride] = poolKernelArg(new.target.name, kernelSize, [stride, padding, dilation, returnIndices, ceilMode]);
    const o: MaxPoolLayerOptions = isOpts<MaxPoolLayerOptions>(stride) ? stride : { stride, padding, dilation, returnIndices, ceilMode };
    checkPoolArgs(new.target.name, ndOf(new.target), kernelSize, o.stride ?? kernelSize, o.padding ?? 0, o.dilation ?? 1);
    if (o.ceilMode !== undefined) boolArg(new.target.name, "ceil_mode", o.ceilMode);
    this.kernelSize = kernelSize;
    this.stride = o.stride ?? kernelSize;
    this.padding = o.padding ?? 0;
    this.dilation = o.dilation ?? 1;
    this.returnIndices = o.returnIndices ?? false;
    this.ceilMode = o.ceilMode ?? false;
  }
  protected get opts() {
    return { stride: this.stride, padding: this.padding, dilation: this.dilation, ceilMode: this.ceilMode, returnIndices: this.returnIndices };
  }
  override extraRepr(): string {
    return `kernel_size=${pyRepr(this.kernelSize)}, stride=${pyRepr(this.stride)}, padding=${pyRepr(this.padding)}, dilation=${pyRepr(this.dilation)}, ceil_mode=${pyRepr(this.ceilMode)}`;
  }
}

/**
 * 1-D max pooling (see `F.maxPool1d`); stride defaults to the kernel size. With `returnIndices`,
 * `forward` returns `[values, indices]`.
 *
 * Shapes: [N, C, L] → [N, C, L_out].
 */
export class MaxPool1d extends MaxPoolNd {
  static readonly nd = 1;
  override forward(input: Tensor): Tensor | [Tensor, Tensor] {
    return maxPool1d(input, this.kernelSize, this.opts);
  }
}

/**
 * 2-D max pooling (see `F.maxPool2d`); stride defaults to the kernel size. With `returnIndices`,
 * `forward` returns `[values, indices]`.
 *
 * Shapes: [N, C, H, W] → [N, C, H_out, W_out].
 * ```ts
 * new nn.MaxPool2d(2).forward(randn([64, 6, 28, 28])).shape; // [64, 6, 14, 14]
 * new nn.MaxPool2d(3, { stride: 2, padding: 1 });
 * new nn.MaxPool2d({ kernelSize: 2, stride: 2 }); // nn.MaxPool2d(kernel_size=2, stride=2)
 * ```
 */
export class MaxPool2d extends MaxPoolNd {
  static readonly nd = 2;
  override forward(input: Tensor): Tensor | [Tensor, Tensor] {
    return maxPool2d(input, this.kernelSize, this.opts);
  }
}

export interface AvgPoolLayerOptions {
  stride?: Size2 | null;
  padding?: Size2;
  ceilMode?: boolean;
  countIncludePad?: boolean;
  divisorOverride?: number | null;
}

/** What 2-D and 3-D average pooling layers share: PyTorch's options, defaults and repr. */
abstract class AvgPoolNd extends Module {
  readonly kernelSize: Size2;
  readonly stride: Size2;
  readonly padding: Size2;
  readonly ceilMode: boolean;
  readonly countIncludePad: boolean;
  readonly divisorOverride: number | null;

  constructor(kernelSize: Size2 | WithKernelSize<AvgPoolLayerOptions>, stride?: Size2 | null | AvgPoolLayerOptions, padding?: Size2, ceilMode?: boolean,
    countIncludePad?: boolean, divisorOverride?: number | null) {
    super();
    if (isOpts<WithKernelSize<AvgPoolLayerOptions>>(kernelSize)) [kernelSize, stride] = poolKernelArg(new.target.name, kernelSize, [stride, padding, ceilMode, countIncludePad, divisorOverride]);
    const o: AvgPoolLayerOptions = isOpts<AvgPoolLayerOptions>(stride) ? stride : { stride, padding, ceilMode, countIncludePad, divisorOverride };
    checkPoolArgs(new.target.name, ndOf(new.target), kernelSize, o.stride ?? kernelSize, o.padding ?? 0);
    if (o.ceilMode !== undefined) boolArg(new.target.name, "ceil_mode", o.ceilMode);
    if (o.countIncludePad !== undefined) boolArg(new.target.name, "count_include_pad", o.countIncludePad);
    if (o.divisorOverride !== undefined && o.divisorOverride !== null) {
      intArg(new.target.name, "divisor_override", o.divisorOverride);
      check(o.divisorOverride !== 0, new.target.name, "divisor must be not zero");
    }
    this.kernelSize = kernelSize;
    this.stride = o.stride ?? kernelSize;
    this.padding = o.padding ?? 0;
    this.ceilMode = o.ceilMode ?? false;
    this.countIncludePad = o.countIncludePad ?? true;
    this.divisorOverride = o.divisorOverride ?? null;
  }
  /** The functional op this layer calls. */
  protected abstract pool(input: Tensor, kernelSize: Size2, opts: AvgPoolLayerOptions): Tensor;
  override forward(input: Tensor): Tensor {
    return this.pool(input, this.kernelSize, {
      stride: this.stride, padding: this.padding, ceilMode: this.ceilMode, countIncludePad: this.countIncludePad, divisorOverride: this.divisorOverride,
    });
  }
  override extraRepr(): string {
    return `kernel_size=${pyRepr(this.kernelSize)}, stride=${pyRepr(this.stride)}, padding=${pyRepr(this.padding)}`;
  }
}

/**
 * 2-D average pooling (see `F.avgPool2d`); stride defaults to the kernel size.
 *
 * Shapes: [N, C, H, W] → [N, C, H_out, W_out].
 * ```ts
 * new nn.AvgPool2d(2).forward(randn([8, 16, 8, 8])).shape; // [8, 16, 4, 4]
 * ```
 */
export class AvgPool2d extends AvgPoolNd {
  static readonly nd = 2;
  protected override pool(input: Tensor, kernelSize: Size2, opts: AvgPoolLayerOptions): Tensor {
    return avgPool2d(input, kernelSize, opts);
  }
}

/**
 * Adaptive 2-D average pooling to a fixed output size (see `F.adaptiveAvgPool2d`); `1` is global
 * average pooling.
 *
 * Shapes: [N, C, H, W] → [N, C, outputSize...].
 * ```ts
 * new nn.AdaptiveAvgPool2d([1, 1]).forward(randn([8, 512, 4, 4])).shape; // [8, 512, 1, 1]
 * ```
 */
export class AdaptiveAvgPool2d extends Module {
  constructor(readonly outputSize: number | readonly (number | null)[]) {
    super();
    checkOutputSize("AdaptiveAvgPool2d", outputSize, 2, true);
  }
  override forward(input: Tensor): Tensor {
    return adaptiveAvgPool2d(input, this.outputSize);
  }
  override extraRepr(): string {
    return `output_size=${pyRepr(this.outputSize)}`;
  }
}

/**
 * Channel dropout (see `F.dropout2d`): zeroes whole feature maps with probability p in training,
 * scaling the rest by 1/(1 − p); identity in eval mode.
 *
 * Shapes: [N, C, H, W] → same.
 */
export class Dropout2d extends Module {
  readonly p: number;
  readonly inplace: boolean;
  private readonly generator?: Generator;
  constructor(p?: number, generator?: Generator);
  /** `p` positionally (PyTorch's `inplace` goes in the options), then an optional options object `{ p, inplace, generator }`. */
  constructor(...args: WithOptions<[p: number], ChannelDropoutOptions>);
  constructor(...args: unknown[]) {
    super();
    ({ p: this.p, inplace: this.inplace, generator: this.generator } = channelDropoutArgs("Dropout2d", args));
  }
  override forward(input: Tensor): Tensor {
    return dropout2d(input, this.p, this.training, { generator: this.generator, inplace: this.inplace });
  }
  override extraRepr(): string {
    return `p=${pyFloat(this.p)}, inplace=${this.inplace ? "True" : "False"}`;
  }
}

export interface UpsampleOptions {
  size?: number | readonly number[] | null;
  scaleFactor?: number | readonly number[] | null;
  mode?: InterpolateMode;
  alignCorners?: boolean | null;
  /** With `scaleFactor`: sample as if the output size ⌊input · scaleFactor⌋ had been given. */
  recomputeScaleFactor?: boolean | null;
}

/**
 * Upsamples (or resamples) the spatial dims to `size` or by `scaleFactor` (see `F.interpolate`):
 * modes nearest, nearest-exact and area for any of 1 to 3 spatial dims, linear (3-D input),
 * bilinear and bicubic (4-D), trilinear (5-D).
 *
 * Shapes: [N, C, ...spatial] → [N, C, ...spatial_out].
 * ```ts
 * new nn.Upsample({ scaleFactor: 2, mode: "bilinear" }).forward(randn([1, 3, 14, 14])).shape; // [1, 3, 28, 28]
 * new nn.Upsample({ size: [4, 8, 8], mode: "trilinear" }).forward(randn([1, 2, 2, 4, 4])).shape; // [1, 2, 4, 8, 8]
 * ```
 */
export class Upsample extends Module {
  readonly size: number | readonly number[] | null;
  readonly scaleFactor: number | readonly number[] | null;
  readonly mode: InterpolateMode;
  readonly alignCorners: boolean | null;
  readonly recomputeScaleFactor: boolean | null;
  constructor(opts?: UpsampleOptions);
  /** PyTorch's positional order (size, scaleFactor, mode, alignCorners, recomputeScaleFactor), then an optional options object. */
  constructor(...args: PositionalArgs<[size: number | readonly number[] | null, scaleFactor: number | readonly number[] | null,
    mode: InterpolateMode, alignCorners: boolean | null, recomputeScaleFactor: boolean | null], UpsampleOptions>);
  constructor(...args: unknown[]) {
    super();
    const opts = positionalOptions<UpsampleOptions>("Upsample", args,
      { keys: ["size", "scaleFactor", "mode", "alignCorners", "recomputeScaleFactor"], known: [] });
    this.size = opts.size ?? null;
    this.scaleFactor = opts.scaleFactor ?? null;
    this.mode = opts.mode ?? "nearest";
    this.alignCorners = opts.alignCorners ?? null;
    this.recomputeScaleFactor = opts.recomputeScaleFactor ?? null;
    const op = new.target.name;
    choiceArg(op, "mode", this.mode, ["nearest", "linear", "bilinear", "bicubic", "trilinear", "area", "nearest-exact"]);
    if (this.size !== null && this.scaleFactor !== null) throw new TensileError(`${op}: only one of size or scale_factor should be defined`);
    if (this.size === null && this.scaleFactor === null) throw new TensileError(`${op}: either size or scale_factor should be defined`);
    if (this.size !== null) sizeArg(op, "size", this.size, 0, 1);
    if (this.alignCorners !== null) {
      boolArg(op, "align_corners", this.alignCorners);
      if (!["linear", "bilinear", "bicubic", "trilinear"].includes(this.mode))
        throw new TensileError(`${op}: align_corners option can only be set with the interpolating modes: linear | bilinear | bicubic | trilinear, but got mode='${this.mode}'`);
    }
    if (this.scaleFactor !== null) {
      const sf = this.scaleFactor;
      const list = typeof sf === "number" ? [sf] : Array.isArray(sf) ? sf : null;
      if (list === null || list.length === 0 || !list.every((v) => typeof v === "number" && Number.isFinite(v) && v > 0))
        throw new TensileError(`${op}: scale_factor must be a positive finite number or a list of them, but got scale_factor=${pyRepr(sf)}`);
    }
  }
  override forward(input: Tensor): Tensor {
    return interpolate(input, {
      size: this.size, scaleFactor: this.scaleFactor, mode: this.mode, alignCorners: this.alignCorners, recomputeScaleFactor: this.recomputeScaleFactor,
    });
  }
  override extraRepr(): string {
    const sf = this.scaleFactor;
    const info = sf !== null
      ? `scale_factor=${typeof sf === "number" ? pyFloat(sf) : `(${sf.map(pyFloat).join(", ")})`}`
      : `size=${pyRepr(this.size)}`;
    return `${info}, mode=${this.mode}`;
  }
}

// ---- 1-D average, adaptive max and power-average pooling; fixed-mode upsampling ----

const single = (v: Size2): number[] => (typeof v === "number" ? [v] : [...v]);

/**
 * 1-D average pooling (see `F.avgPool1d`); stride defaults to the kernel size.
 *
 * Shapes: [N, C, L] (or [C, L]) → [N, C, L_out].
 * ```ts
 * new nn.AvgPool1d(3, { stride: 2 }).forward(randn([1, 4, 9])).shape; // [1, 4, 4]
 * ```
 */
export class AvgPool1d extends Module {
  readonly kernelSize: number[];
  readonly stride: number[];
  readonly padding: number[];
  readonly ceilMode: boolean;
  readonly countIncludePad: boolean;

  constructor(kernelSize: Size2, stride?: Size2 | null | Omit<AvgPoolLayerOptions, "divisorOverride">, padding?: Size2, ceilMode?: boolean, countIncludePad?: boolean) {
    super();
    const o: AvgPoolLayerOptions = isOpts<AvgPoolLayerOptions>(stride) ? stride : { stride: stride as Size2 | null | undefined, padding, ceilMode, countIncludePad };
    check(typeof kernelSize === "number" || Array.isArray(kernelSize), "AvgPool1d", () => `kernel_size must be an integer or a list of 1 integer, got ${pyRepr(kernelSize)}`);
    checkPoolArgs("AvgPool1d", 1, kernelSize, o.stride ?? kernelSize, o.padding ?? 0);
    if (o.ceilMode !== undefined) boolArg("AvgPool1d", "ceil_mode", o.ceilMode);
    if (o.countIncludePad !== undefined) boolArg("AvgPool1d", "count_include_pad", o.countIncludePad);
    this.kernelSize = single(kernelSize);
    this.stride = single(o.stride ?? kernelSize);
    this.padding = single(o.padding ?? 0);
    this.ceilMode = o.ceilMode ?? false;
    this.countIncludePad = o.countIncludePad ?? true;
  }
  override forward(input: Tensor): Tensor {
    return avgPool1d(input, this.kernelSize, { stride: this.stride, padding: this.padding, ceilMode: this.ceilMode, countIncludePad: this.countIncludePad });
  }
  override extraRepr(): string {
    return `kernel_size=${pyRepr(this.kernelSize)}, stride=${pyRepr(this.stride)}, padding=${pyRepr(this.padding)}`;
  }
}

/**
 * Adaptive 1-D average pooling to a fixed output length (see `F.adaptiveAvgPool1d`).
 *
 * Shapes: [N, C, L] (or [C, L]) → [N, C, outputSize].
 * ```ts
 * new nn.AdaptiveAvgPool1d(5).forward(randn([1, 64, 8])).shape; // [1, 64, 5]
 * ```
 */
export class AdaptiveAvgPool1d extends Module {
  constructor(readonly outputSize: number | readonly number[]) {
    super();
    checkOutputSize("AdaptiveAvgPool1d", outputSize, 1, false);
  }
  override forward(input: Tensor): Tensor {
    return adaptiveAvgPool1d(input, this.outputSize);
  }
  override extraRepr(): string {
    return `output_size=${pyRepr(this.outputSize)}`;
  }
}

abstract class AdaptiveMaxPoolNd extends Module {
  readonly returnIndices: boolean;
  constructor(readonly outputSize: number | readonly (number | null)[], returnIndices: boolean | { returnIndices?: boolean } = false) {
    super();
    const nd = ndOf(new.target);
    if (nd > 0) checkOutputSize(new.target.name, outputSize, nd, nd > 1);
    this.returnIndices = isOpts<{ returnIndices?: boolean }>(returnIndices) ? !!returnIndices.returnIndices : !!returnIndices;
  }
  override extraRepr(): string {
    return `output_size=${pyRepr(this.outputSize)}`;
  }
}

/**
 * Adaptive 1-D max pooling (see `F.adaptiveMaxPool1d`). With `returnIndices`, `forward` returns
 * `[values, indices]`.
 *
 * Shapes: [N, C, L] (or [C, L]) → [N, C, outputSize].
 * ```ts
 * new nn.AdaptiveMaxPool1d(5).forward(randn([1, 64, 8])).shape; // [1, 64, 5]
 * ```
 */
export class AdaptiveMaxPool1d extends AdaptiveMaxPoolNd {
  static readonly nd = 1;
  override forward(input: Tensor): Tensor | [Tensor, Tensor] {
    return adaptiveMaxPool1d(input, this.outputSize as number | number[], { returnIndices: this.returnIndices });
  }
}

/**
 * Adaptive 2-D max pooling (see `F.adaptiveMaxPool2d`); an output size entry may be null to keep
 * that input size. With `returnIndices`, `forward` returns `[values, indices]`.
 *
 * Shapes: [N, C, H, W] (or [C, H, W]) → [N, C, oh, ow].
 * ```ts
 * new nn.AdaptiveMaxPool2d([5, 7]).forward(randn([1, 64, 8, 9])).shape; // [1, 64, 5, 7]
 * ```
 */
export class AdaptiveMaxPool2d extends AdaptiveMaxPoolNd {
  static readonly nd = 2;
  override forward(input: Tensor): Tensor | [Tensor, Tensor] {
    return adaptiveMaxPool2d(input, this.outputSize, { returnIndices: this.returnIndices });
  }
}

export interface LPPoolLayerOptions {
  stride?: Size2 | null;
  ceilMode?: boolean;
}

abstract class LPPoolNd extends Module {
  readonly stride: Size2 | null;
  readonly ceilMode: boolean;
  constructor(readonly normType: number, readonly kernelSize: Size2, stride?: Size2 | null | LPPoolLayerOptions, ceilMode?: boolean) {
    super();
    const o: LPPoolLayerOptions = isOpts<LPPoolLayerOptions>(stride) ? stride : { stride, ceilMode };
    const op = new.target.name;
    check(realArg(op, "norm_type", normType) !== 0, op, "norm_type must be a non-zero number, but got norm_type=0");
    checkPoolArgs(op, ndOf(new.target), kernelSize, o.stride ?? kernelSize, 0);
    this.stride = o.stride ?? null;
    this.ceilMode = o.ceilMode ?? false;
  }
  override extraRepr(): string {
    return `norm_type=${pyRepr(this.normType)}, kernel_size=${pyRepr(this.kernelSize)}, stride=${pyRepr(this.stride)}, ceil_mode=${pyRepr(this.ceilMode)}`;
  }
}

/**
 * 1-D power-average pooling (see `F.lpPool1d`): (Σ_window x^p)^(1/p).
 *
 * Shapes: [N, C, L] (or [C, L]) → [N, C, L_out].
 * ```ts
 * new nn.LPPool1d(2, 3, { stride: 2 }).forward(randn([20, 16, 50])).shape; // [20, 16, 24]
 * ```
 */
export class LPPool1d extends LPPoolNd {
  static readonly nd = 1;
  override forward(input: Tensor): Tensor {
    return lpPool1d(input, this.normType, this.kernelSize, { stride: this.stride, ceilMode: this.ceilMode });
  }
}

/**
 * 2-D power-average pooling (see `F.lpPool2d`): (Σ_window x^p)^(1/p).
 *
 * Shapes: [N, C, H, W] (or [C, H, W]) → [N, C, H_out, W_out].
 * ```ts
 * new nn.LPPool2d(1.2, [3, 2], { stride: [2, 1] }).forward(randn([20, 16, 50, 32])).shape; // [20, 16, 24, 31]
 * ```
 */
export class LPPool2d extends LPPoolNd {
  static readonly nd = 2;
  override forward(input: Tensor): Tensor {
    return lpPool2d(input, this.normType, this.kernelSize, { stride: this.stride, ceilMode: this.ceilMode });
  }
}

type SizeOrOpts = number | readonly number[] | null | { size?: number | readonly number[] | null; scaleFactor?: number | readonly number[] | null };

function upsamplingArgs(size: SizeOrOpts | undefined, scaleFactor: number | readonly number[] | null | undefined): UpsampleOptions {
  if (isOpts<{ size?: number | readonly number[] | null; scaleFactor?: number | readonly number[] | null }>(size))
    return { size: size.size ?? null, scaleFactor: size.scaleFactor ?? null };
  return { size: (size ?? null) as number | readonly number[] | null, scaleFactor: scaleFactor ?? null };
}

/**
 * 2-D nearest-neighbour upsampling to `size` or by `scaleFactor` (`Upsample` with mode "nearest").
 *
 * Shapes: [N, C, H, W] → [N, C, H_out, W_out].
 * ```ts
 * new nn.UpsamplingNearest2d({ scaleFactor: 2 }).forward(randn([1, 1, 2, 2])).shape; // [1, 1, 4, 4]
 * new nn.UpsamplingNearest2d([4, 5]);                                                 // size
 * ```
 */
export class UpsamplingNearest2d extends Upsample {
  constructor(size?: SizeOrOpts, scaleFactor?: number | readonly number[] | null) {
    super({ ...upsamplingArgs(size, scaleFactor), mode: "nearest" });
  }
}

/**
 * 2-D bilinear upsampling with `alignCorners: true`, as PyTorch's (`Upsample` with mode "bilinear").
 *
 * Shapes: [N, C, H, W] → [N, C, H_out, W_out].
 * ```ts
 * new nn.UpsamplingBilinear2d({ scaleFactor: 2 }).forward(randn([1, 1, 2, 2])).shape; // [1, 1, 4, 4]
 * ```
 */
export class UpsamplingBilinear2d extends Upsample {
  constructor(size?: SizeOrOpts, scaleFactor?: number | readonly number[] | null) {
    super({ ...upsamplingArgs(size, scaleFactor), mode: "bilinear", alignCorners: true });
  }
}

/**
 * 3-D max pooling (see `F.maxPool3d`); stride defaults to the kernel size. With `returnIndices`,
 * `forward` returns `[values, indices]`, the int32 indices into the flattened D·H·W volume that
 * `MaxUnpool3d` takes.
 *
 * Shapes: [N, C, D, H, W] (or [C, D, H, W]) → [N, C, D_out, H_out, W_out].
 * ```ts
 * new nn.MaxPool3d(2).forward(randn([1, 2, 4, 6, 6])).shape; // [1, 2, 2, 3, 3]
 * ```
 */
export class MaxPool3d extends MaxPoolNd {
  static readonly nd = 3;
  override forward(input: Tensor): Tensor | [Tensor, Tensor] {
    return maxPool3d(input, this.kernelSize, this.opts);
  }
}

/**
 * 3-D average pooling (see `F.avgPool3d`); stride defaults to the kernel size.
 *
 * Shapes: [N, C, D, H, W] (or [C, D, H, W]) → [N, C, D_out, H_out, W_out].
 * ```ts
 * new nn.AvgPool3d(2).forward(randn([1, 2, 4, 6, 6])).shape; // [1, 2, 2, 3, 3]
 * ```
 */
export class AvgPool3d extends AvgPoolNd {
  static readonly nd = 3;
  protected override pool(input: Tensor, kernelSize: Size2, opts: AvgPoolLayerOptions): Tensor {
    return avgPool3d(input, kernelSize, opts);
  }
}
