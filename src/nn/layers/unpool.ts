/**
 * Max unpooling (`MaxUnpool1d/2d/3d`), adaptive 3-D max and average pooling (`AdaptiveMaxPool3d`,
 * `AdaptiveAvgPool3d`) and the 3-D padding layers (`ConstantPad3d`, `ReflectionPad3d`,
 * `ReplicationPad3d`).
 */
import { Tensor, pad } from "../../core.js";
import type { PadMode } from "../../ops/indexing.js";
import { check, fmtShape, fmtValue } from "../../errors.js";
import type { Size2 } from "../functional/fold.js";
import { adaptiveAvgPool3d, adaptiveMaxPool3d, maxUnpool1d, maxUnpool2d, maxUnpool3d } from "../functional/unpool.js";
import { Module } from "../module.js";
import { pyFloat, pyRepr } from "../repr.js";
import { checkOutputSize, sizeArg } from "./ctor-checks.js";

export interface MaxUnpoolLayerOptions {
  stride?: Size2 | null;
  padding?: Size2;
}

const tupleOf = (name: string, what: string, v: Size2, n: number): number[] => {
  const a = typeof v === "number" ? Array<number>(n).fill(v) : Array.isArray(v) && v.length === 1 ? Array<number>(n).fill(v[0]!) : Array.isArray(v) ? [...v] : null;
  check(a !== null && a.length === n && a.every((x) => Number.isInteger(x)), name, () => `${what} must be an integer or a list of ${n} integers, got ${fmtValue(v)}`);
  return a;
};

/** PyTorch's `_MaxUnpoolNd`: kernel size, stride (default the kernel size) and padding as n-tuples. */
abstract class MaxUnpoolNd extends Module {
  readonly kernelSize: number[];
  readonly stride: number[];
  readonly padding: number[];

  constructor(private readonly nd: 1 | 2 | 3, kernelSize: Size2, stride?: Size2 | null | MaxUnpoolLayerOptions, padding?: Size2) {
    super();
    const o: MaxUnpoolLayerOptions = stride !== null && typeof stride === "object" && !Array.isArray(stride) ? (stride as MaxUnpoolLayerOptions) : { stride: stride as Size2 | null | undefined, padding };
    const name = `MaxUnpool${nd}d`, n = nd;
    this.kernelSize = tupleOf(name, "kernel_size", kernelSize, n);
    this.stride = tupleOf(name, "stride", o.stride ?? kernelSize, n);
    this.padding = tupleOf(name, "padding", o.padding ?? 0, n);
    sizeArg(name, "kernel_size", this.kernelSize, n, 1);
    sizeArg(name, "stride", this.stride, n, 1);
    sizeArg(name, "padding", this.padding, n, 0);
  }
  /**
   * Unpools `input` at `indices` (from max pooling's `returnIndices`); `outputSize` (spatial, or
   * the whole shape) picks among the sizes a strided pooling could have come from.
   */
  override forward(input: Tensor, indices: Tensor, outputSize?: readonly number[] | null): Tensor {
    const f = this.nd === 1 ? maxUnpool1d : this.nd === 2 ? maxUnpool2d : maxUnpool3d;
    return f(input, indices, this.kernelSize, { stride: this.stride, padding: this.padding, outputSize });
  }
  override extraRepr(): string {
    return `kernel_size=${pyRepr(this.kernelSize)}, stride=${pyRepr(this.stride)}, padding=${pyRepr(this.padding)}`;
  }
}

/**
 * 1-D max unpooling (see `F.maxUnpool1d`): `forward(input, indices, outputSize?)`.
 *
 * Shapes: [N, C, L] (or [C, L]) and int32 indices of the same shape → [N, C, L_out].
 * ```ts
 * const [y, idx] = new nn.MaxPool1d(2, { returnIndices: true }).forward(x) as [Tensor, Tensor];
 * new nn.MaxUnpool1d(2).forward(y, idx); // x with every non-maximum zeroed
 * ```
 */
export class MaxUnpool1d extends MaxUnpoolNd {
  constructor(kernelSize: Size2, stride?: Size2 | null | MaxUnpoolLayerOptions, padding?: Size2) {
    super(1, kernelSize, stride, padding);
  }
}

/**
 * 2-D max unpooling (see `F.maxUnpool2d`): `forward(input, indices, outputSize?)`.
 *
 * Shapes: [N, C, H, W] (or [C, H, W]) and int32 indices of the same shape → [N, C, H_out, W_out].
 * ```ts
 * new nn.MaxUnpool2d(2).forward(y, idx, x.shape).shape; // x.shape
 * ```
 */
export class MaxUnpool2d extends MaxUnpoolNd {
  constructor(kernelSize: Size2, stride?: Size2 | null | MaxUnpoolLayerOptions, padding?: Size2) {
    super(2, kernelSize, stride, padding);
  }
}

/**
 * 3-D max unpooling (see `F.maxUnpool3d`): `forward(input, indices, outputSize?)`.
 *
 * Shapes: [N, C, D, H, W] (or [C, D, H, W]) and int32 indices of the same shape → [N, C, D_out, H_out, W_out].
 * ```ts
 * new nn.MaxUnpool3d(2).forward(y, idx).shape; // [N, C, 2D, 2H, 2W]
 * ```
 */
export class MaxUnpool3d extends MaxUnpoolNd {
  constructor(kernelSize: Size2, stride?: Size2 | null | MaxUnpoolLayerOptions, padding?: Size2) {
    super(3, kernelSize, stride, padding);
  }
}

/**
 * Adaptive 3-D max pooling (see `F.adaptiveMaxPool3d`); an output size entry may be null to keep
 * that input size. With `returnIndices`, `forward` returns `[values, indices]`.
 *
 * Shapes: [N, C, D, H, W] (or [C, D, H, W]) → [N, C, od, oh, ow].
 * ```ts
 * new nn.AdaptiveMaxPool3d([5, 7, 9]).forward(randn([1, 64, 8, 9, 10])).shape; // [1, 64, 5, 7, 9]
 * ```
 */
export class AdaptiveMaxPool3d extends Module {
  readonly returnIndices: boolean;
  constructor(readonly outputSize: number | readonly (number | null)[], returnIndices: boolean | { returnIndices?: boolean } = false) {
    super();
    checkOutputSize("AdaptiveMaxPool3d", outputSize, 3, true);
    this.returnIndices = returnIndices !== null && typeof returnIndices === "object" ? !!returnIndices.returnIndices : !!returnIndices;
  }
  override forward(input: Tensor): Tensor | [Tensor, Tensor] {
    return adaptiveMaxPool3d(input, this.outputSize, { returnIndices: this.returnIndices });
  }
  override extraRepr(): string {
    return `output_size=${pyRepr(this.outputSize)}`;
  }
}

/**
 * `nn.AdaptiveAvgPool3d(outputSize)`: `F.adaptiveAvgPool3d` (null entries keep that input size).
 * ```ts
 * new nn.AdaptiveAvgPool3d([2, 3, null]).forward(randn([1, 2, 5, 6, 7])).shape; // [1, 2, 2, 3, 7]
 * ```
 */
export class AdaptiveAvgPool3d extends Module {
  constructor(readonly outputSize: number | readonly (number | null)[]) {
    super();
    checkOutputSize("AdaptiveAvgPool3d", outputSize, 3, true);
  }
  override forward(input: Tensor): Tensor {
    return adaptiveAvgPool3d(input, this.outputSize);
  }
  override extraRepr(): string {
    return `output_size=${pyRepr(this.outputSize)}`;
  }
}

/** The 3-D padding layers: six sides (left, right, top, bottom, front, back), one call of `pad`. */
abstract class Pad3d extends Module {
  readonly padding: number[];
  constructor(padding: number | readonly number[], private readonly mode: PadMode, readonly value = 0) {
    super();
    const name = this.constructor.name;
    const a = typeof padding === "number" ? Array<number>(6).fill(padding) : Array.isArray(padding) ? [...padding] : null;
    check(a !== null && a.length === 6 && a.every((p) => Number.isInteger(p)), name, () =>
      `padding must be an integer or a list of 6 integers, got ${fmtValue(padding)}`);
    check(typeof value === "number", name, () => `value must be a number, got ${fmtValue(value)}`);
    this.padding = a;
  }
  override forward(input: Tensor): Tensor {
    const name = this.constructor.name;
    check(input instanceof Tensor, name, () => `input must be a Tensor, got ${fmtValue(input)}`);
    // PyTorch pads only 4-D or 5-D inputs in the non-constant modes
    check(this.mode === "constant" || input.ndim === 4 || input.ndim === 5, name, () =>
      `expected a 4D (unbatched) or 5D (batched) input [N, C, D, H, W], got shape ${fmtShape(input.shape)}`);
    return pad(input, this.padding, this.mode, this.value);
  }
  override extraRepr(): string {
    return pyRepr(this.padding);
  }
}

/**
 * Pads the last three dims with a constant: (left, right, top, bottom, front, back).
 *
 * Shapes: [N, C, D, H, W] or [C, D, H, W] → [·, ·, D + front + back, H + top + bottom, W + left + right].
 * ```ts
 * new nn.ConstantPad3d([1, 2, 0, 1, 1, 0], 3.5).forward(randn([1, 2, 3, 3, 3])).shape; // [1, 2, 4, 4, 6]
 * ```
 */
export class ConstantPad3d extends Pad3d {
  constructor(padding: number | readonly number[], value: number) {
    super(padding, "constant", value);
  }
  override extraRepr(): string {
    return `padding=${pyRepr(this.padding)}, value=${pyFloat(this.value)}`; // torch's value: float
  }
}

/**
 * Pads the last three dims with their reflection (the edge not repeated); each side smaller than its dim.
 *
 * Shapes: [N, C, D, H, W] or [C, D, H, W] → [·, ·, D + front + back, H + top + bottom, W + left + right].
 * ```ts
 * new nn.ReflectionPad3d(1).forward(randn([1, 1, 2, 2, 2])).shape; // [1, 1, 4, 4, 4]
 * ```
 */
export class ReflectionPad3d extends Pad3d {
  constructor(padding: number | readonly number[]) {
    super(padding, "reflect");
  }
}

/**
 * Pads the last three dims by repeating their edge values.
 *
 * Shapes: [N, C, D, H, W] or [C, D, H, W] → [·, ·, D + front + back, H + top + bottom, W + left + right].
 * ```ts
 * new nn.ReplicationPad3d([1, 0, 2, 0, 0, 1]).forward(randn([1, 1, 2, 2, 2])).shape; // [1, 1, 3, 4, 3]
 * ```
 */
export class ReplicationPad3d extends Pad3d {
  constructor(padding: number | readonly number[]) {
    super(padding, "replicate");
  }
}
