/**
 * Fractional max pooling layers (`FractionalMaxPool2d`, `FractionalMaxPool3d`): PyTorch's modules
 * over `F.fractionalMaxPool2d/3d`. Without fixed `randomSamples`, every forward draws new samples
 * (from `generator`, or the global generator), as PyTorch's draws new `torch.rand` samples.
 */
import type { Generator, Tensor } from "../../core.js";
import { TensileError, check, fmtValue } from "../../errors.js";
import { fractionalMaxPool2d, fractionalMaxPool3d } from "../functional/fractional.js";
import { Module } from "../module.js";
import { sizeArg } from "./ctor-checks.js";

export interface FractionalMaxPoolLayerOptions {
  outputSize?: number | readonly number[] | null;
  outputRatio?: number | readonly number[] | null;
  returnIndices?: boolean;
  /** PyTorch's `_random_samples` ([N, C, nd]): fixed windows for every forward. */
  randomSamples?: Tensor | null;
  generator?: Generator;
}

const isOpts = (v: unknown): v is FractionalMaxPoolLayerOptions => v !== null && typeof v === "object" && !Array.isArray(v);

/** PyTorch's `FractionalMaxPool2d/3d` argument checks: exactly one of outputSize and outputRatio, ratios in (0, 1). */
abstract class FractionalMaxPoolNd extends Module {
  readonly kernelSize: number | readonly number[];
  readonly outputSize: number | readonly number[] | null;
  readonly outputRatio: number | readonly number[] | null;
  readonly returnIndices: boolean;
  randomSamples: Tensor | null;
  generator: Generator | undefined;

  constructor(nd: 2 | 3, kernelSize: number | readonly number[], outputSize?: number | readonly number[] | null | FractionalMaxPoolLayerOptions,
    outputRatio?: number | readonly number[] | null, returnIndices?: boolean, randomSamples?: Tensor | null) {
    super();
    const o: FractionalMaxPoolLayerOptions = isOpts(outputSize) ? outputSize : { outputSize, outputRatio, returnIndices, randomSamples };
    const name = `FractionalMaxPool${nd}d`;
    sizeArg(name, "kernel_size", kernelSize, nd, 1);
    if (o.outputSize !== undefined && o.outputSize !== null) sizeArg(name, "output_size", o.outputSize, nd, 0);
    this.kernelSize = kernelSize;
    this.outputSize = o.outputSize ?? null;
    this.outputRatio = o.outputRatio ?? null;
    this.returnIndices = o.returnIndices ?? false;
    this.randomSamples = o.randomSamples ?? null;
    this.generator = o.generator;
    if (this.outputSize === null && this.outputRatio === null)
      throw new TensileError(`${name} requires specifying either an output size, or a pooling ratio`);
    if (this.outputSize !== null && this.outputRatio !== null) throw new TensileError(`${name}: only one of output_size and output_ratio may be specified`);
    if (this.outputRatio !== null) {
      const r = typeof this.outputRatio === "number" ? [this.outputRatio] : [...this.outputRatio];
      for (const v of r) check(typeof v === "number" && v > 0 && v < 1, name, () => `output_ratio must be between 0 and 1 (got ${fmtValue(this.outputRatio)})`);
    }
  }
  protected get opts() {
    return { outputSize: this.outputSize, outputRatio: this.outputRatio, returnIndices: this.returnIndices, randomSamples: this.randomSamples, generator: this.generator };
  }
}

/**
 * 2-D fractional max pooling (see `F.fractionalMaxPool2d`): `new nn.FractionalMaxPool2d(kernelSize,
 * outputSize?, outputRatio?, returnIndices?, randomSamples?)` or `(kernelSize, { outputSize |
 * outputRatio, returnIndices, randomSamples, generator })`. With `returnIndices`, `forward` returns
 * `[values, indices]`. No parameters or buffers; prints as PyTorch's, `FractionalMaxPool2d()`.
 *
 * Shapes: [N, C, H, W] (or [C, H, W]) → [N, C, oh, ow].
 * ```ts
 * new nn.FractionalMaxPool2d(3, { outputRatio: [0.5, 0.5] }).forward(randn([20, 16, 50, 32])).shape; // [20, 16, 25, 16]
 * ```
 */
export class FractionalMaxPool2d extends FractionalMaxPoolNd {
  constructor(kernelSize: number | readonly number[], outputSize?: number | readonly number[] | null | FractionalMaxPoolLayerOptions,
    outputRatio?: number | readonly number[] | null, returnIndices?: boolean, randomSamples?: Tensor | null) {
    super(2, kernelSize, outputSize, outputRatio, returnIndices, randomSamples);
  }
  override forward(input: Tensor): Tensor | [Tensor, Tensor] {
    return fractionalMaxPool2d(input, this.kernelSize, this.opts);
  }
}

/**
 * 3-D fractional max pooling (see `F.fractionalMaxPool3d` and `FractionalMaxPool2d`).
 *
 * Shapes: [N, C, D, H, W] (or [C, D, H, W]) → [N, C, od, oh, ow].
 * ```ts
 * new nn.FractionalMaxPool3d(3, { outputSize: [13, 12, 11] }).forward(randn([2, 4, 20, 16, 16])).shape; // [2, 4, 13, 12, 11]
 * ```
 */
export class FractionalMaxPool3d extends FractionalMaxPoolNd {
  constructor(kernelSize: number | readonly number[], outputSize?: number | readonly number[] | null | FractionalMaxPoolLayerOptions,
    outputRatio?: number | readonly number[] | null, returnIndices?: boolean, randomSamples?: Tensor | null) {
    super(3, kernelSize, outputSize, outputRatio, returnIndices, randomSamples);
  }
  override forward(input: Tensor): Tensor | [Tensor, Tensor] {
    return fractionalMaxPool3d(input, this.kernelSize, this.opts);
  }
}
