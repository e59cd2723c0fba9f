/**
 * The rest of torch 1.13's `nn.functional` names, over the functions that already do the work:
 * the `*WithIndices` pooling forms (PyTorch's `max_pool2d_with_indices` & co., what `returnIndices:
 * true` returns), `logsigmoid` (PyTorch's spelling of `logSigmoid`), the deprecated `upsample*`
 * wrappers of `interpolate`, `nativeChannelShuffle` and `convTbc` (time-batch-channel convolution).
 *
 * The deprecated names are silent aliases, as Tensile's other deprecated PyTorch names are
 * (`nn.utils.clipGradNorm`); PyTorch warns.
 * ```ts
 * const [y, idx] = F.maxPool2dWithIndices(x, 2);   // F.maxPool2d(x, 2, { returnIndices: true })
 * F.upsampleBilinear(x, { scaleFactor: 2 });        // interpolate(..., bilinear, alignCorners: true)
 * ```
 */
import type { Tensor } from "../../core.js";
import { TensileError, fmtShape, fmtValue } from "../../errors.js";
import { assertTensor } from "../../ops/util.js";
import { logSigmoid } from "../../ops/activation.js";
import { type MaxPoolOptions, adaptiveMaxPool1d, adaptiveMaxPool2d, maxPool1d, maxPool2d } from "./pool.js";
import { type MaxPool3dOptions, type Size3, maxPool3d } from "./volumetric.js";
import { adaptiveMaxPool3d } from "./unpool.js";
import { type FractionalMaxPoolOptions, fractionalMaxPool2d, fractionalMaxPool3d } from "./fractional.js";
import { type InterpolateOptions, interpolate } from "./resize.js";
import { channelShuffle } from "./shuffle.js";
import { conv1d } from "./conv.js";
import type { Size2 } from "./fold.js";

type WithIndices = [values: Tensor, indices: Tensor];
type NoIndices<O> = Omit<O, "returnIndices">;

/** `maxPool1d(input, kernelSize, { ...opts, returnIndices: true })`: [values, int32 indices into L] (`F.max_pool1d_with_indices`). */
export function maxPool1dWithIndices(input: Tensor, kernelSize: Size2, opts: NoIndices<MaxPoolOptions> = {}): WithIndices {
  return maxPool1d(input, kernelSize, { ...opts, returnIndices: true });
}
/** `maxPool2d(..., returnIndices: true)`: [values, int32 indices into the H·W plane] (`F.max_pool2d_with_indices`). */
export function maxPool2dWithIndices(input: Tensor, kernelSize: Size2, opts: NoIndices<MaxPoolOptions> = {}): WithIndices {
  return maxPool2d(input, kernelSize, { ...opts, returnIndices: true });
}
/** `maxPool3d(..., returnIndices: true)`: [values, int32 indices into the D·H·W volume] (`F.max_pool3d_with_indices`). */
export function maxPool3dWithIndices(input: Tensor, kernelSize: Size3, opts: NoIndices<MaxPool3dOptions> = {}): WithIndices {
  return maxPool3d(input, kernelSize, { ...opts, returnIndices: true });
}
/** `adaptiveMaxPool1d(..., returnIndices: true)` (`F.adaptive_max_pool1d_with_indices`). */
export function adaptiveMaxPool1dWithIndices(input: Tensor, outputSize: number | readonly number[]): WithIndices {
  return adaptiveMaxPool1d(input, outputSize, { returnIndices: true });
}
/** `adaptiveMaxPool2d(..., returnIndices: true)` (`F.adaptive_max_pool2d_with_indices`). */
export function adaptiveMaxPool2dWithIndices(input: Tensor, outputSize: number | readonly (number | null)[]): WithIndices {
  return adaptiveMaxPool2d(input, outputSize, { returnIndices: true });
}
/** `adaptiveMaxPool3d(..., returnIndices: true)` (`F.adaptive_max_pool3d_with_indices`). */
export function adaptiveMaxPool3dWithIndices(input: Tensor, outputSize: number | readonly (number | null)[]): WithIndices {
  return adaptiveMaxPool3d(input, outputSize, { returnIndices: true });
}
/** `fractionalMaxPool2d(..., returnIndices: true)` (`F.fractional_max_pool2d_with_indices`). */
export function fractionalMaxPool2dWithIndices(input: Tensor, kernelSize: number | readonly number[], opts: NoIndices<FractionalMaxPoolOptions> = {}): WithIndices {
  return fractionalMaxPool2d(input, kernelSize, { ...opts, returnIndices: true });
}
/** `fractionalMaxPool3d(..., returnIndices: true)` (`F.fractional_max_pool3d_with_indices`). */
export function fractionalMaxPool3dWithIndices(input: Tensor, kernelSize: number | readonly number[], opts: NoIndices<FractionalMaxPoolOptions> = {}): WithIndices {
  return fractionalMaxPool3d(input, kernelSize, { ...opts, returnIndices: true });
}

/** log σ(x), PyTorch's `F.logsigmoid` spelling of `logSigmoid`. */
export const logsigmoid = (input: Tensor): Tensor => logSigmoid(input);

/** `F.upsample` (deprecated in PyTorch): `interpolate` itself, same options. */
export function upsample(input: Tensor, opts: InterpolateOptions = {}): Tensor {
  return interpolate(input, opts);
}

/** The options of the deprecated `upsampleNearest` / `upsampleBilinear`: a size or a scale factor. */
export interface UpsampleOptions {
  size?: number | readonly number[] | null;
  scaleFactor?: number | readonly number[] | null;
}

/** `F.upsample_nearest` (deprecated): `interpolate(input, { size, scaleFactor, mode: "nearest" })`. */
export function upsampleNearest(input: Tensor, opts: UpsampleOptions = {}): Tensor {
  const { size = null, scaleFactor = null } = opts ?? {};
  return interpolate(input, { size, scaleFactor, mode: "nearest" });
}

/**
 * `F.upsample_bilinear` (deprecated): `interpolate(input, { size, scaleFactor, mode: "bilinear",
 * alignCorners: true })` — note align_corners is true here, as in PyTorch. Input [N, C, H, W].
 */
export function upsampleBilinear(input: Tensor, opts: UpsampleOptions = {}): Tensor {
  const { size = null, scaleFactor = null } = opts ?? {};
  return interpolate(input, { size, scaleFactor, mode: "bilinear", alignCorners: true });
}

/** `F.native_channel_shuffle`: the same shuffle as `channelShuffle`. */
export const nativeChannelShuffle = (input: Tensor, groups: number): Tensor => channelShuffle(input, groups);

/**
 * 1-D convolution in time-batch-channel layout (`torch.conv_tbc`, fairseq's): input [T, B, Cin],
 * weight [K, Cin, Cout], bias [Cout] → [T + 2·pad − K + 1, B, Cout], with
 * out[t, b, o] = bias[o] + Σ_k Σ_i in[t + k − pad, b, i]·weight[k, i, o] (zero outside).
 * ```ts
 * F.convTbc(randn([10, 2, 4]), randn([3, 4, 5]), zeros([5]), 1).shape; // [10, 2, 5]
 * ```
 */
export function convTbc(input: Tensor, weight: Tensor, bias: Tensor, pad = 0): Tensor {
  const op = "convTbc";
  assertTensor(op, input, "input");
  assertTensor(op, weight, "weight");
  assertTensor(op, bias, "bias");
  if (input.ndim !== 3) throw new TensileError(`${op}: Input must have 3 dims: time, batch, in_channel (got ${fmtShape(input.shape)})`);
  if (weight.ndim !== 3) throw new TensileError(`${op}: Weight tensor must have 3 dims: kernel_width, in_channels, out_channels (got ${fmtShape(weight.shape)})`);
  if (bias.ndim !== 1) throw new TensileError(`${op}: Bias must be 1-D (got ${fmtShape(bias.shape)})`);
  if (input.shape[2] !== weight.shape[1])
    throw new TensileError(`${op}: Input dim 2 (input channels) is not == dim 1 in the weight tensor (input ${fmtShape(input.shape)}, weight ${fmtShape(weight.shape)})`);
  if (weight.shape[2] !== bias.shape[0])
    throw new TensileError(`${op}: Bias size must equal dim 2 in the weight tensor (output channels): weight ${fmtShape(weight.shape)}, bias ${fmtShape(bias.shape)}`);
  if (!Number.isInteger(pad) || pad < 0) throw new TensileError(`${op}: pad must be a non-negative integer, got ${fmtValue(pad)}`);
  // [T, B, Cin] → [B, Cin, T]; [K, Cin, Cout] → [Cout, Cin, K]: conv1d is the same cross-correlation
  const y = conv1d(input.permute([1, 2, 0]), weight.permute([2, 1, 0]), bias, { padding: pad });
  return y.permute([2, 0, 1]);
}
