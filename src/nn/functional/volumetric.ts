/**
 * 3-D (volumetric) convolution and pooling: `F.conv3d`, `F.convTranspose3d`, `F.maxPool3d`, `F.avgPool3d`, over
 * [N, C, D, H, W]. Each runs as a sum (or maximum) over the kD depth offsets of the 2-D op applied
 * to the matching depth slices, batched as [N·D_out, C, H, W]: the 2-D kernels do the work and
 * autograd composes the gradient.
 */
import { Tensor, tensor } from "../../core.js";
import { TensileError, check, fmtShape, fmtValue } from "../../errors.js";
import { type ConvTransposeOptions, conv2d, convTranspose2d } from "./conv.js";
import { checkConvArgs } from "./conv-args.js";
import { avgPool2d, maxPool2d } from "./pool.js";
import { pair, windowCount } from "./fold.js";
import { maxPool3dWithIndices } from "./window-max.js";
import { type PositionalArgs, positionalOptions } from "../../utils/positional.js";

/** A size for the three spatial dims: one number for all, or `[d, h, w]`. */
export type Size3 = number | readonly number[];

function checkInput(op: string, x: unknown): asserts x is Tensor {
  if (!(x instanceof Tensor)) throw new TensileError(`${op}: input must be a Tensor, got ${fmtValue(x)}`);
  check(x.ndim === 4 || x.ndim === 5, op, () => `expected 4D (unbatched) or 5D (batched) input [N, C, D, H, W], got shape ${fmtShape(x.shape)}`);
  check(x.dtype === "float32" || x.dtype === "float64", op, () => `expected a floating point input, got ${x.dtype}`);
}

/**
 * The depth slices x[:, :, start + j·step] for j < count, as one [N·count, C, H, W] batch.
 */
function depthSlices(x: Tensor, start: number, step: number, count: number): Tensor {
  const [N, C, , H, W] = x.shape as number[];
  const s = x.index([":", ":", `${start}:${start + (count - 1) * step + 1}:${step}`]);
  return s.permute([0, 2, 1, 3, 4]).reshape([N! * count, C!, H!, W!]);
}

/** [N·Do, C', Ho, Wo] → [N, C', Do, Ho, Wo]. */
const unslice = (y: Tensor, N: number, Do: number): Tensor =>
  y.reshape([N, Do, ...y.shape.slice(1)]).permute([0, 2, 1, 3, 4]);

export interface Conv3dOptions {
  stride?: Size3;
  /** Zero padding on both sides of each spatial dim, or "valid" (none) / "same" (output size = input size; stride 1 only). */
  padding?: Size3 | "same" | "valid";
  dilation?: Size3;
  groups?: number;
}

/**
 * 3-D convolution (cross-correlation, as PyTorch):
 * y[n, o, d, i, j] = b[o] + Σ_{c, t, u, v} W[o, c, t, u, v] · x[n, c, d·sd − pd + t·dd, i·sh − ph + u·dh, j·sw − pw + v·dw].
 *
 * Shapes: input [N, C, D, H, W] (or [C, D, H, W]), weight [O, C/groups, kD, kH, kW], bias [O] → [N, O, D_out, H_out, W_out].
 * ```ts
 * F.conv3d(randn([1, 2, 5, 6, 6]), randn([4, 2, 3, 3, 3]), null, { padding: 1 }).shape; // [1, 4, 5, 6, 6]
 * ```
 */
/** PyTorch's positional order (stride, padding, dilation, groups), then an optional options object. */
export function conv3d(input: Tensor, weight: Tensor, bias?: Tensor | null, ...args: PositionalArgs<[stride: (Conv3dOptions)["stride"], padding: (Conv3dOptions)["padding"], dilation: (Conv3dOptions)["dilation"], groups: (Conv3dOptions)["groups"]], Conv3dOptions>): Tensor;
export function conv3d(input: Tensor, weight: Tensor, bias?: Tensor | null, opts?: Conv3dOptions): Tensor;
export function conv3d(input: Tensor, weight: Tensor, bias?: Tensor | null, ...args: unknown[]): Tensor {
  let opts = positionalOptions<Conv3dOptions>("conv3d", args, { keys: ["stride", "padding", "dilation", "groups"] });
  const op = "conv3d";
  opts ??= {};
  checkInput(op, input);
  if (!(weight instanceof Tensor)) throw new TensileError(`${op}: weight must be a Tensor, got ${fmtValue(weight)}`);
  check(weight.ndim === 5, op, () => `weight should be 5-D [out_channels, in_channels/groups, kD, kH, kW], got ${fmtShape(weight.shape)}`);
  const groups = opts.groups ?? 1;
  check(Number.isInteger(groups) && groups > 0, op, () => `non-positive groups is not supported (got ${fmtValue(groups)})`);
  const batched = input.ndim === 5;
  let x = batched ? input : input.unsqueeze(0);
  const C = x.shape[1]!;
  check(C === weight.shape[1]! * groups, op, () =>
    `expected input ${fmtShape(input.shape)} to have ${weight.shape[1]! * groups} channels (weight ${fmtShape(weight.shape)}, groups=${groups}), but got ${C} channels instead`);
  const stride = pair(op, "stride", opts.stride ?? 1, 1, 3), dilation = pair(op, "dilation", opts.dilation ?? 1, 1, 3);
  const k = weight.shape.slice(2);
  let padding: number[];
  if (opts.padding === "valid") padding = [0, 0, 0];
  else if (opts.padding === "same") {
    check(stride.every((s) => s === 1), op, `padding='same' is not supported for strided convolutions (stride ${fmtShape(stride)})`);
    const total = k.map((kk, i) => dilation[i]! * (kk - 1));
    padding = total.map((t) => Math.floor(t / 2));
    const extra = total.map((t, i) => t - 2 * padding[i]!);
    if (extra.some((e) => e > 0)) x = x.pad([0, extra[2]!, 0, extra[1]!, 0, extra[0]!]);
  } else if (typeof opts.padding === "string") throw new TensileError(`${op}: invalid padding string "${opts.padding}" (expected "same" or "valid")`);
  else padding = pair(op, "padding", opts.padding ?? 0, 0, 3);
  if (padding[0]! > 0) x = x.pad([0, 0, 0, 0, padding[0]!, padding[0]!]);
  const [N, , Dp] = x.shape as number[];
  const Do = windowCount(Dp!, k[0]!, stride[0]!, 0, dilation[0]!);
  check(Do > 0, op, () => `calculated padded input size per channel is smaller than the (dilated) kernel size in depth (input ${fmtShape(input.shape)}, weight ${fmtShape(weight.shape)}, padding ${fmtShape(padding)})`);
  let acc: Tensor | null = null;
  for (let t = 0; t < k[0]!; t++) {
    const y = conv2d(depthSlices(x, t * dilation[0]!, stride[0]!, Do), weight.select(2, t), null, {
      stride: stride.slice(1), padding: padding.slice(1), dilation: dilation.slice(1), groups,
    });
    acc = acc ? acc.add(y) : y;
  }
  let out = unslice(acc!, N!, Do);
  if (bias !== null && bias !== undefined) {
    check(bias instanceof Tensor && bias.ndim === 1 && bias.shape[0] === weight.shape[0], op, () =>
      `expected bias of shape [${weight.shape[0]}], got ${bias instanceof Tensor ? fmtShape(bias.shape) : fmtValue(bias)}`);
    out = out.add(bias.reshape([1, -1, 1, 1, 1]));
  }
  return batched ? out : out.squeeze(0);
}

/**
 * 3-D transposed convolution: the adjoint of conv3d with the same weight. Each depth tap t runs
 * the 2-D transposed convolution of every input depth slice with W[:, :, t]; input slice z lands
 * at output depth z·sD + t·dD − pD, so the taps' results are spread by the stride (zeros between
 * slices), shifted by t·dD and summed, then the depth padding is cropped.
 *
 * Shapes: input [N, Cin, D, H, W] (or [Cin, D, H, W]), weight [Cin, Cout/groups, kD, kH, kW], bias
 * [Cout] → [N, Cout, D_out, H_out, W_out], D_out = (D − 1)·sD − 2pD + dD(kD − 1) + outputPadding_D + 1.
 * ```ts
 * F.convTranspose3d(randn([1, 4, 3, 5, 5]), randn([4, 2, 2, 2, 2]), null, { stride: 2 }).shape; // [1, 2, 6, 10, 10]
 * ```
 */
/** PyTorch's positional order (stride, padding, outputPadding, groups, dilation), then an optional options object. */
export function convTranspose3d(input: Tensor, weight: Tensor, bias?: Tensor | null, ...args: PositionalArgs<[stride: (ConvTransposeOptions)["stride"], padding: (ConvTransposeOptions)["padding"], outputPadding: (ConvTransposeOptions)["outputPadding"], groups: (ConvTransposeOptions)["groups"], dilation: (ConvTransposeOptions)["dilation"]], ConvTransposeOptions>): Tensor;
export function convTranspose3d(input: Tensor, weight: Tensor, bias?: Tensor | null, opts?: ConvTransposeOptions): Tensor;
export function convTranspose3d(input: Tensor, weight: Tensor, bias?: Tensor | null, ...args: unknown[]): Tensor {
  let opts = positionalOptions<ConvTransposeOptions>("convTranspose3d", args, { keys: ["stride", "padding", "outputPadding", "groups", "dilation"] });
  const op = "convTranspose3d";
  opts ??= {};
  const groups = opts.groups ?? 1;
  checkConvArgs(op, 3, input, weight, bias, groups, true);
  const stride = pair(op, "stride", opts.stride ?? 1, 1, 3), dilation = pair(op, "dilation", opts.dilation ?? 1, 1, 3);
  const padding = pair(op, "padding", opts.padding ?? 0, 0, 3), outPad = pair(op, "output_padding", opts.outputPadding ?? 0, 0, 3);
  check(outPad.every((p, i) => p < stride[i]! || p < dilation[i]!), op, () =>
    `output padding must be smaller than either stride or dilation, but got output_padding ${fmtShape(outPad)}, stride ${fmtShape(stride)}, dilation ${fmtShape(dilation)}`);
  const batched = input.ndim === 5;
  const x = batched ? input : input.unsqueeze(0);
  const [N, C, D, H, W] = x.shape as [number, number, number, number, number];
  const k = weight.shape.slice(2) as [number, number, number];
  const outSize = [D, H, W].map((n, i) => (n - 1) * stride[i]! - 2 * padding[i]! + dilation[i]! * (k[i]! - 1) + outPad[i]! + 1);
  check(outSize.every((n) => n > 0), op, () =>
    `given input size ${fmtShape(input.shape)}, calculated output size ${fmtShape(outSize)} is too small (weight ${fmtShape(weight.shape)}, stride ${fmtShape(stride)}, padding ${fmtShape(padding)})`);
  const Cout = weight.shape[1]! * groups;
  const [sD, dD, pD] = [stride[0]!, dilation[0]!, padding[0]!];
  // uncropped depth: (D − 1)·sD + dD(kD − 1) + outputPadding_D + 1
  const full = outSize[0]! + 2 * pD;
  const slices = x.permute([0, 2, 1, 3, 4]).reshape([N * D, C, H, W]);
  let acc: Tensor | null = null;
  for (let t = 0; t < k[0]; t++) {
    const y = convTranspose2d(slices, weight.select(2, t), null, {
      stride: stride.slice(1), padding: padding.slice(1), dilation: dilation.slice(1), outputPadding: outPad.slice(1), groups,
    });
    const [Ho, Wo] = y.shape.slice(2) as [number, number];
    let z = y.reshape([N, D, Cout, Ho, Wo]);
    if (sD > 1) z = z.unsqueeze(2).pad([0, 0, 0, 0, 0, 0, 0, sD - 1]).reshape([N, D * sD, Cout, Ho, Wo]).index([":", `0:${(D - 1) * sD + 1}`]);
    const front = t * dD, back = full - front - ((D - 1) * sD + 1);
    z = z.pad([0, 0, 0, 0, 0, 0, front, back]);
    acc = acc ? acc.add(z) : z;
  }
  let out = acc!.index([":", `${pD}:${pD + outSize[0]!}`]).permute([0, 2, 1, 3, 4]);
  if (bias !== null && bias !== undefined) out = out.add(bias.reshape([1, -1, 1, 1, 1]));
  return batched ? out : out.squeeze(0);
}

export interface Pool3dOptions {
  /** Window step; defaults to `kernelSize`. */
  stride?: Size3 | null;
  padding?: Size3;
  ceilMode?: boolean;
}

/** Depth geometry of a 3-D pooling: kernel, stride, padding, dilation, output count and the extra ceil-mode margin. */
function depthWindow(op: string, x: Tensor, kernelSize: Size3, o: Pool3dOptions, dilation: number[]) {
  const k = pair(op, "kernel_size", kernelSize, 1, 3);
  const noStride = o.stride === null || o.stride === undefined || (Array.isArray(o.stride) && o.stride.length === 0);
  const s = noStride ? k : pair(op, "stride", o.stride!, 1, 3);
  const p = pair(op, "padding", o.padding ?? 0, 0, 3);
  check(p.every((pp, i) => pp <= k[i]! / 2), op, () => `pad should be at most half of kernel size, but got pad=${fmtShape(p)} and kernel_size=${fmtShape(k)}`);
  const D = x.shape[2]!;
  const Do = windowCount(D, k[0]!, s[0]!, p[0]!, dilation[0]!, o.ceilMode ?? false);
  check(Do > 0, op, () => `output size is too small (input ${fmtShape(x.shape)}, kernel_size ${fmtShape(k)}, stride ${fmtShape(s)}, padding ${fmtShape(p)})`);
  const extra = Math.max(0, (Do - 1) * s[0]! + dilation[0]! * (k[0]! - 1) + 1 - (D + 2 * p[0]!));
  return { k, s, p, Do, extra };
}

export interface MaxPool3dOptions extends Pool3dOptions {
  dilation?: Size3;
  /** Also return the argmax of each window as int32 indices into the flattened D·H·W input volume. */
  returnIndices?: boolean;
}

/**
 * 3-D max pooling: y[n, c, d, i, j] = max over the kD×kH×kW window (padding reads −∞).
 * With `returnIndices`, also int32 indices of each window's first maximum into the flattened
 * D·H·W input volume (PyTorch's), which `maxUnpool3d` takes; that form gathers the windows
 * (`window-max.ts`) instead of maxing 2-D poolings over the depth offsets.
 *
 * Shapes: [N, C, D, H, W] (or [C, D, H, W]) → [N, C, D_out, H_out, W_out].
 * ```ts
 * F.maxPool3d(randn([1, 2, 4, 6, 6]), 2).shape; // [1, 2, 2, 3, 3]
 * const [y, idx] = F.maxPool3d(x, 2, { returnIndices: true }); // F.maxUnpool3d(y, idx, 2)
 * ```
 */
export function maxPool3d(input: Tensor, kernelSize: Size3, opts: MaxPool3dOptions & { returnIndices: true }): [Tensor, Tensor];
export function maxPool3d(input: Tensor, kernelSize: Size3, opts?: MaxPool3dOptions & { returnIndices?: false }): Tensor;
/** PyTorch's positional order (stride, padding, dilation, ceilMode, returnIndices), then an optional options object. */
export function maxPool3d(input: Tensor, kernelSize: Size3, ...args: PositionalArgs<[stride: (MaxPool3dOptions)["stride"], padding: (MaxPool3dOptions)["padding"], dilation: (MaxPool3dOptions)["dilation"], ceilMode: (MaxPool3dOptions)["ceilMode"], returnIndices: (MaxPool3dOptions)["returnIndices"]], MaxPool3dOptions>): Tensor | [Tensor, Tensor];
export function maxPool3d(input: Tensor, kernelSize: Size3, opts?: MaxPool3dOptions): Tensor | [Tensor, Tensor];
export function maxPool3d(input: Tensor, kernelSize: Size3, ...args: unknown[]): Tensor | [Tensor, Tensor] {
  let opts = positionalOptions<MaxPool3dOptions>("maxPool3d", args, { keys: ["stride", "padding", "dilation", "ceilMode", "returnIndices"] });
  const op = "maxPool3d";
  opts ??= {};
  checkInput(op, input);
  if (opts.returnIndices) return maxPool3dWithIndices(op, input, kernelSize, opts);
  const batched = input.ndim === 5;
  let x = batched ? input : input.unsqueeze(0);
  const d = pair(op, "dilation", opts.dilation ?? 1, 1, 3);
  const { k, s, p, Do, extra } = depthWindow(op, x, kernelSize, opts, d);
  if (p[0]! > 0 || extra > 0) x = x.pad([0, 0, 0, 0, p[0]!, p[0]! + extra], "constant", -Infinity);
  const N = x.shape[0]!, D = input.shape[input.ndim - 3]!;
  // PyTorch scans depth, then rows, then columns: the first maximum wins a tie and every NaN
  // takes over. Each depth offset's 2-D pooling applies that rule within its slice; across
  // offsets a later slice replaces the running maximum only where it is larger or NaN (so the
  // whole gradient reaches one element, where `maximum` would split a tie). Offsets that read
  // the −∞ depth padding are skipped; the first real one starts each output depth.
  let acc: Tensor | null = null;
  const seen = new Array<boolean>(Do).fill(false);
  for (let t = 0; t < k[0]!; t++) {
    const y2 = maxPool2d(depthSlices(x, t * d[0]!, s[0]!, Do), k.slice(1), {
      stride: s.slice(1), padding: p.slice(1), dilation: d.slice(1), ceilMode: opts.ceilMode ?? false,
    });
    const y = y2.reshape([N, Do, ...y2.shape.slice(1)]);
    const real = Array.from({ length: Do }, (_, o) => {
      const z = o * s[0]! - p[0]! + t * d[0]!;
      return z >= 0 && z < D;
    });
    if (acc === null) acc = y;
    else {
      const first = tensor(real.map((r, o) => r && !seen[o]), { shape: [1, Do, 1, 1, 1] });
      const allow = tensor(real, { shape: [1, Do, 1, 1, 1] });
      const take = y.gt(acc).logicalOr(y.isnan()).logicalAnd(allow).logicalOr(first);
      acc = y.where(take, acc);
    }
    real.forEach((r, o) => (seen[o] ||= r));
  }
  const out = acc!.permute([0, 2, 1, 3, 4]);
  return batched ? out : out.squeeze(0);
}

export interface AvgPool3dOptions extends Pool3dOptions {
  /** Count the zero padding in the divisor (default true). */
  countIncludePad?: boolean;
  /** Divide every window sum by this instead of the window size. */
  divisorOverride?: number | null;
}

/** Divisors of one spatial dim's windows: [size clipped to the padded input, count of real elements]. */
function divisors(size: number, out: number, k: number, s: number, p: number): [number[], number[]] {
  const padded: number[] = [], real: number[] = [];
  for (let i = 0; i < out; i++) {
    const a = i * s - p, b = Math.min(a + k, size + p);
    padded.push(b - a);
    real.push(Math.min(b, size) - Math.max(a, 0));
  }
  return [padded, real];
}

/**
 * 3-D average pooling: the window sum divided by the window size (clipped to the padded input in
 * ceil mode), by the number of non-padding elements when `countIncludePad` is false, or by
 * `divisorOverride`.
 *
 * Shapes: [N, C, D, H, W] (or [C, D, H, W]) → [N, C, D_out, H_out, W_out].
 * ```ts
 * F.avgPool3d(randn([1, 2, 4, 6, 6]), 2).shape; // [1, 2, 2, 3, 3]
 * ```
 */
/** PyTorch's positional order (stride, padding, ceilMode, countIncludePad, divisorOverride), then an optional options object. */
export function avgPool3d(input: Tensor, kernelSize: Size3, ...args: PositionalArgs<[stride: (AvgPool3dOptions)["stride"], padding: (AvgPool3dOptions)["padding"], ceilMode: (AvgPool3dOptions)["ceilMode"], countIncludePad: (AvgPool3dOptions)["countIncludePad"], divisorOverride: (AvgPool3dOptions)["divisorOverride"]], AvgPool3dOptions>): Tensor;
export function avgPool3d(input: Tensor, kernelSize: Size3, opts?: AvgPool3dOptions): Tensor;
export function avgPool3d(input: Tensor, kernelSize: Size3, ...args: unknown[]): Tensor {
  let opts = positionalOptions<AvgPool3dOptions>("avgPool3d", args, { keys: ["stride", "padding", "ceilMode", "countIncludePad", "divisorOverride"] });
  const op = "avgPool3d";
  opts ??= {};
  checkInput(op, input);
  const override = opts.divisorOverride ?? null;
  check(override === null || (typeof override === "number" && override !== 0), op, () => `divisor must be not zero (got ${fmtValue(override)})`);
  check(override === null || Number.isInteger(override), op, () => `divisorOverride must be an integer, got ${fmtValue(override)}`);
  const batched = input.ndim === 5;
  let x = batched ? input : input.unsqueeze(0);
  const [, , D, H, W] = x.shape as number[];
  const { k, s, p, Do, extra } = depthWindow(op, x, kernelSize, opts, [1, 1, 1]);
  if (p[0]! > 0 || extra > 0) x = x.pad([0, 0, 0, 0, p[0]!, p[0]! + extra]);
  const N = x.shape[0]!;
  let acc: Tensor | null = null;
  for (let t = 0; t < k[0]!; t++) {
    const y = avgPool2d(depthSlices(x, t, s[0]!, Do), k.slice(1), {
      stride: s.slice(1), padding: p.slice(1), ceilMode: opts.ceilMode ?? false, divisorOverride: 1,
    });
    acc = acc ? acc.add(y) : y;
  }
  const sums = unslice(acc!, N, Do); // [N, C, Do, Ho, Wo] window sums
  const [Ho, Wo] = sums.shape.slice(3) as [number, number];
  const [dp, dr] = divisors(D!, Do, k[0]!, s[0]!, p[0]!);
  const [hp, hr] = divisors(H!, Ho, k[1]!, s[1]!, p[1]!);
  const [wp, wr] = divisors(W!, Wo, k[2]!, s[2]!, p[2]!);
  const include = opts.countIncludePad ?? true;
  const div = new Float64Array(Do * Ho * Wo);
  for (let a = 0; a < Do; a++)
    for (let b = 0; b < Ho; b++)
      for (let c = 0; c < Wo; c++)
        div[(a * Ho + b) * Wo + c] = override ?? (include ? dp[a]! * hp[b]! * wp[c]! : dr[a]! * hr[b]! * wr[c]!);
  const out = sums.div(tensor(input.dtype === "float64" ? div : Float32Array.from(div), { shape: [Do, Ho, Wo] }));
  return batched ? out : out.squeeze(0);
}
