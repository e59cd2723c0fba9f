/**
 * The convolution layers' constructor arguments after kernelSize, read as PyTorch's: any prefix of
 * the positional parameters in PyTorch's order, then optionally one options object for the rest
 * (`new nn.ConvTranspose2d(nz, 64, 4, 1, 0, { bias: false })`, as the DCGAN tutorial writes
 * `nn.ConvTranspose2d(nz, 64, 4, 1, 0, bias=False)`). Shared by the regular and the lazy layers;
 * internal (the functions are not re-exported from `nn`).
 */
import { check, fmtValue } from "../../errors.js";
import { type WithOptions, positionalOptions } from "../../utils/positional.js";
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
