import type { Generator, Tensor } from "../../core.js";
import { TensileError, check } from "../../errors.js";
import type { Size2 } from "../functional/fold.js";
import { adaptiveAvgPool2d, avgPool2d, maxPool1d, maxPool2d } from "../functional/pool.js";
import { type InterpolateMode, interpolate } from "../functional/resize.js";
import { dropout2d } from "../functional/dropout2d.js";
import { Module } from "../module.js";
import { pyFloat, pyRepr } from "../repr.js";

export interface MaxPoolLayerOptions {
  stride?: Size2 | null;
  padding?: Size2;
  dilation?: Size2;
  returnIndices?: boolean;
  ceilMode?: boolean;
}

const isOpts = <O extends object>(v: unknown): v is O => v !== null && typeof v === "object" && !Array.isArray(v);

abstract class MaxPoolNd extends Module {
  readonly kernelSize: Size2;
  readonly stride: Size2;
  readonly padding: Size2;
  readonly dilation: Size2;
  readonly returnIndices: boolean;
  readonly ceilMode: boolean;

  constructor(kernelSize: Size2, stride?: Size2 | null | MaxPoolLayerOptions, padding?: Size2, dilation?: Size2, returnIndices?: boolean, ceilMode?: boolean) {
    super();
    const o: MaxPoolLayerOptions = isOpts<MaxPoolLayerOptions>(stride) ? stride : { stride, padding, dilation, returnIndices, ceilMode };
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
 * ```
 */
export class MaxPool2d extends MaxPoolNd {
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

/**
 * 2-D average pooling (see `F.avgPool2d`); stride defaults to the kernel size.
 *
 * Shapes: [N, C, H, W] → [N, C, H_out, W_out].
 * ```ts
 * new nn.AvgPool2d(2).forward(randn([8, 16, 8, 8])).shape; // [8, 16, 4, 4]
 * ```
 */
export class AvgPool2d extends Module {
  readonly kernelSize: Size2;
  readonly stride: Size2;
  readonly padding: Size2;
  readonly ceilMode: boolean;
  readonly countIncludePad: boolean;
  readonly divisorOverride: number | null;

  constructor(kernelSize: Size2, stride?: Size2 | null | AvgPoolLayerOptions, padding?: Size2, ceilMode?: boolean, countIncludePad?: boolean, divisorOverride?: number | null) {
    super();
    const o: AvgPoolLayerOptions = isOpts<AvgPoolLayerOptions>(stride) ? stride : { stride, padding, ceilMode, countIncludePad, divisorOverride };
    this.kernelSize = kernelSize;
    this.stride = o.stride ?? kernelSize;
    this.padding = o.padding ?? 0;
    this.ceilMode = o.ceilMode ?? false;
    this.countIncludePad = o.countIncludePad ?? true;
    this.divisorOverride = o.divisorOverride ?? null;
  }
  override forward(input: Tensor): Tensor {
    return avgPool2d(input, this.kernelSize, {
      stride: this.stride, padding: this.padding, ceilMode: this.ceilMode, countIncludePad: this.countIncludePad, divisorOverride: this.divisorOverride,
    });
  }
  override extraRepr(): string {
    return `kernel_size=${pyRepr(this.kernelSize)}, stride=${pyRepr(this.stride)}, padding=${pyRepr(this.padding)}`;
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
  constructor(readonly p = 0.5, private readonly generator?: Generator) {
    super();
    check(typeof p === "number" && p >= 0 && p <= 1, "Dropout2d", () => `dropout probability has to be between 0 and 1, but got ${p}`);
  }
  override forward(input: Tensor): Tensor {
    return dropout2d(input, this.p, this.training, { generator: this.generator });
  }
  override extraRepr(): string {
    return `p=${pyFloat(this.p)}, inplace=False`;
  }
}

export interface UpsampleOptions {
  size?: number | readonly number[] | null;
  scaleFactor?: number | readonly number[] | null;
  mode?: InterpolateMode;
  alignCorners?: boolean | null;
}

/**
 * Upsamples (or resamples) the spatial dims to `size` or by `scaleFactor` (see `F.interpolate`).
 *
 * Shapes: [N, C, H, W] → [N, C, H_out, W_out].
 * ```ts
 * new nn.Upsample({ scaleFactor: 2, mode: "bilinear" }).forward(randn([1, 3, 14, 14])).shape; // [1, 3, 28, 28]
 * ```
 */
export class Upsample extends Module {
  readonly size: number | readonly number[] | null;
  readonly scaleFactor: number | readonly number[] | null;
  readonly mode: InterpolateMode;
  readonly alignCorners: boolean | null;
  constructor(opts: UpsampleOptions = {}) {
    super();
    opts ??= {};
    if (!isOpts(opts)) throw new TensileError("Upsample: expected an options object { size, scaleFactor, mode, alignCorners }");
    this.size = opts.size ?? null;
    this.scaleFactor = opts.scaleFactor ?? null;
    this.mode = opts.mode ?? "nearest";
    this.alignCorners = opts.alignCorners ?? null;
  }
  override forward(input: Tensor): Tensor {
    return interpolate(input, { size: this.size, scaleFactor: this.scaleFactor, mode: this.mode, alignCorners: this.alignCorners });
  }
  override extraRepr(): string {
    const sf = this.scaleFactor;
    const info = sf !== null
      ? `scale_factor=${typeof sf === "number" ? pyFloat(sf) : `(${sf.map(pyFloat).join(", ")})`}`
      : `size=${pyRepr(this.size)}`;
    return `${info}, mode=${this.mode}`;
  }
}
