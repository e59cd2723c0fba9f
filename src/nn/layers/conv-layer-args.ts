/**
 * The convolution layers' constructor arguments after kernelSize, read as PyTorch's: any prefix of
 * the positional parameters in PyTorch's order, then optionally one options object for the rest
 * (`new nn.ConvTranspose2d(nz, 64, 4, 1, 0, { bias: false })`, as the DCGAN tutorial writes
 * `nn.ConvTranspose2d(nz, 64, 4, 1, 0, bias=False)`). Shared by the regular and the lazy layers;
 * internal (the functions are not re-exported from `nn`).
 */
import { TensileError, check, fmtValue } from "../../errors.js";
import { type WithOptions, isOptionsObject, positionalOptions } from "../../utils/positional.js";
import type { Size2 } from "../functional/fold.js";
import type { ConvLayerOptions, ConvTransposeLayerOptions, PaddingMode } from "./conv.js";

/** Conv1d/2d/3d's arguments after kernelSize: `stride, padding, dilation, groups, bias, paddingMode`, then `{ ...options }`. */
export type ConvLayerArgs = WithOptions<
  [stride: Size2, padding: Size2 | "same" | "valid", dilation: Size2, groups: number, bias: boolean, paddingMode: PaddingMode], ConvLayerOptions>;

/** ConvTranspose1d/2d/3d's arguments after kernelSize: `stride, padding, outputPadding, groups, bias, dilation, paddingMode`, then `{ ...options }`. */
export type ConvTransposeLayerArgs = WithOptions<
  [stride: Size2, padding: Size2, outputPadding: Size2, groups: number, bias: boolean, dilation: Size2, paddingMode: "zeros"], ConvTransposeLayerOptions>;

/**
 * A convolution layer's arguments as one options object. Throws, naming the layer, for an options
 * object that is not last, too many arguments, a value given both ways or an unknown option name.
 */
export function convLayerOptions(name: string, args: readonly unknown[]): ConvLayerOptions {
  return positionalOptions<ConvLayerOptions>(name, args, { keys: ["stride", "padding", "dilation", "groups", "bias", "paddingMode"], known: ["dtype"] });
}

/** A transposed convolution layer's arguments as one options object (only "zeros" padding mode, as PyTorch). */
export function transposeOptions(name: string, args: readonly unknown[]): ConvTransposeLayerOptions {
  const o = positionalOptions<ConvTransposeLayerOptions>(name, args, {
    keys: ["stride", "padding", "outputPadding", "groups", "bias", "dilation", "paddingMode"], known: ["dtype"] });
  check(o.paddingMode === undefined || o.paddingMode === "zeros", name, () => `Only "zeros" padding mode is supported for ${name}, but got padding_mode=${fmtValue(o.paddingMode)}`);
  return o;
}

/** A convolution layer's options with PyTorch's `kernel_size=` keyword among them: `new nn.Conv2d(3, 16, { kernelSize: 4, stride: 4 })`. */
export type WithKernelSize<O> = O & { kernelSize: Size2 };

/**
 * The kernel size and the arguments after it, whether kernelSize comes third or inside the options
 * object in its place (PyTorch's `nn.Conv2d(3, 16, kernel_size=4, stride=4)`, as timm's and
 * torchvision's ViT patch embeddings write it). Throws, naming the layer, for an options object
 * without kernelSize or one followed by more arguments.
 */
export function kernelSizeArg(name: string, kernelSize: unknown, args: readonly unknown[]): [Size2, unknown[]] {
  if (!isOptionsObject(kernelSize)) return [kernelSize as Size2, [...args]];
  const extra = args.findIndex((a) => a !== undefined);
  if (extra !== -1) throw new TensileError(`${name}: the options object must be the last argument, got ${fmtValue(args[extra])} after it`);
  const { kernelSize: k, ...rest } = kernelSize;
  if (k === undefined)
    throw new TensileError(`${name}: missing the kernel size: give it third (new nn.${name}(in, out, 3)) or as kernelSize in the options object, got ${fmtValue(kernelSize)}`);
  return [k as Size2, [rest]];
}
