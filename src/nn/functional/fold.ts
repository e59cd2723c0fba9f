/**
 * Sliding windows: `F.unfold` (im2col) and `F.fold` (col2im), the two primitives convolution and
 * pooling are built on, plus the size arithmetic they share.
 */
import { Tensor, zeros, zerosLike } from "../../core.js";
import type { Im2colParams } from "../../backends/backend.js";
import { record } from "../../autograd/engine.js";
import { wrap } from "../../ops/util.js";
import { TensileError, check, fmtShape, fmtValue } from "../../errors.js";
import { type PositionalArgs, positionalOptions } from "../../utils/positional.js";

/** A size or step for the two spatial dims: one number for both, or `[h, w]`. */
export type Size2 = number | readonly number[];

/** Normalises an int-or-pair argument; `min` is the smallest allowed value (1 for kernel/stride/dilation, 0 for padding). */
export function pair(op: string, name: string, v: Size2, min: number, n = 2): number[] {
  check(typeof v === "number" || Array.isArray(v), op, () => `${name} must be an integer or a list of ${n} integers, got ${fmtValue(v)}`);
  let arr = typeof v === "number" ? Array<number>(n).fill(v) : [...v];
  if (arr.length === 1) arr = Array<number>(n).fill(arr[0]!);
  check(arr.length === n && arr.every((a) => Number.isInteger(a)), op, () => `${name} must be an integer or a list of ${n} integers, got ${fmtValue(v)}`);
  check(arr.every((a) => a >= min), op, () =>
    min > 0 ? `non-positive ${name} is not supported (got ${fmtValue(v)})` : `negative ${name} is not supported (got ${fmtValue(v)})`);
  return arr;
}

/** Output length of a sliding window: ⌊(in + 2p − d(k − 1) − 1) / s⌋ + 1 (⌈·⌉ in ceil mode, where a last
 * window starting inside the right padding is dropped, as PyTorch's pooling does). */
export function windowCount(size: number, k: number, s: number, p: number, d: number, ceilMode = false): number {
  const span = size + 2 * p - d * (k - 1) - 1;
  if (!ceilMode) return Math.floor(span / s) + 1;
  let out = Math.ceil(span / s) + 1;
  if ((out - 1) * s >= size + p) out--;
  return out;
}

/** An empty result (a zero-size batch) whose inputs all get zero gradients. */
export function emptyResult(name: string, shape: readonly number[], like: Tensor, inputs: readonly (Tensor | null)[]): Tensor {
  const out = zeros(shape, { dtype: like.dtype });
  return record(name, out, inputs, () => inputs.map((t) => (t ? zerosLike(t) : null)), undefined, []);
}

/** im2col as a differentiable op: [N, C, H, W] → [N, C·kh·kw, L]; its gradient is col2im. */
export function im2col(x: Tensor, p: Im2colParams): Tensor {
  const out = wrap(x.backend, x.backend.im2col(x, p), im2colShape(x.shape, p));
  const shape = x.shape as [number, number, number, number];
  return record("im2col", out, [x], (g) => [col2im(g, shape, { ...p, padValue: 0 })], undefined, []);
}

function im2colShape(shape: readonly number[], p: Im2colParams): number[] {
  const [N, C, H, W] = shape as [number, number, number, number];
  const oh = windowCount(H, p.kernel[0], p.stride[0], p.padding[0], p.dilation[0]);
  const ow = windowCount(W, p.kernel[1], p.stride[1], p.padding[1], p.dilation[1]);
  return [N, C * p.kernel[0] * p.kernel[1], Math.max(oh, 0) * Math.max(ow, 0)];
}

/** col2im as a differentiable op: [N, C·kh·kw, L] → `outShape` [N, C, H, W], summing overlaps; its gradient is im2col. */
export function col2im(cols: Tensor, outShape: readonly [number, number, number, number], p: Im2colParams): Tensor {
  const out = wrap(cols.backend, cols.backend.col2im(cols, outShape, p), outShape);
  return record("col2im", out, [cols], (g) => [im2col(g, { ...p, padValue: 0 })], undefined, []);
}

export interface FoldOptions {
  dilation?: Size2;
  padding?: Size2;
  stride?: Size2;
}

function params(op: string, kernelSize: Size2, o: FoldOptions): Im2colParams {
  const k = pair(op, "kernel_size", kernelSize, 1), d = pair(op, "dilation", o.dilation ?? 1, 1);
  const p = pair(op, "padding", o.padding ?? 0, 0), s = pair(op, "stride", o.stride ?? 1, 1);
  return { kernel: [k[0]!, k[1]!], stride: [s[0]!, s[1]!], padding: [p[0]!, p[1]!], dilation: [d[0]!, d[1]!], padValue: 0 };
}

function floatInput(op: string, x: unknown): asserts x is Tensor {
  if (!(x instanceof Tensor)) throw new TensileError(`${op}: input must be a Tensor`);
  check(x.dtype === "float32" || x.dtype === "float64", op, () => `expected a floating point input, got ${x.dtype} (shape ${fmtShape(x.shape)})`);
}

/**
 * Extracts sliding local blocks (im2col): out[n, (c·kh + i)·kw + j, l] = x[n, c, y·sh − ph + i·dh, z·sw − pw + j·dw]
 * for the l-th window (y, z) in row-major order, zero outside the input.
 *
 * Shapes: [N, C, H, W] (or unbatched [C, H, W]) → [N, C·kh·kw, L], L = out_h · out_w.
 * ```ts
 * F.unfold(randn([2, 3, 4, 4]), 2).shape; // [2, 12, 9]
 * ```
 */
/** PyTorch's positional order (dilation, padding, stride), then an optional options object. */
export function unfold(input: Tensor, kernelSize: Size2, ...args: PositionalArgs<[dilation: (FoldOptions)["dilation"], padding: (FoldOptions)["padding"], stride: (FoldOptions)["stride"]], FoldOptions>): Tensor;
export function unfold(input: Tensor, kernelSize: Size2, opts?: FoldOptions): Tensor;
export function unfold(input: Tensor, kernelSize: Size2, ...args: unknown[]): Tensor {
  let opts = positionalOptions<FoldOptions>("unfold", args, { keys: ["dilation", "padding", "stride"] });
  const op = "unfold";
  floatInput(op, input);
  check(input.ndim === 3 || input.ndim === 4, op, () => `expected 3D (unbatched) or 4D (batched) input, got shape ${fmtShape(input.shape)}`);
  const p = params(op, kernelSize, opts);
  const x = input.ndim === 3 ? input.unsqueeze(0) : input;
  const [, , H, W] = x.shape as number[];
  const oh = windowCount(H!, p.kernel[0], p.stride[0], p.padding[0], p.dilation[0]);
  const ow = windowCount(W!, p.kernel[1], p.stride[1], p.padding[1], p.dilation[1]);
  check(oh > 0 && ow > 0, op, () =>
    `given input with spatial size [${H}, ${W}], kernel_size ${fmtShape(p.kernel)}, dilation ${fmtShape(p.dilation)}, padding ${fmtShape(p.padding)}, calculated shape of the array of sliding blocks is [${oh}, ${ow}], but its components must be at least one (input shape ${fmtShape(input.shape)})`);
  const out = im2col(x, p);
  return input.ndim === 3 ? out.squeeze(0) : out;
}

/**
 * Combines sliding local blocks into a tensor (col2im), summing overlapping values: the adjoint of
 * `unfold` with the same arguments.
 *
 * Shapes: [N, C·kh·kw, L] (or unbatched [C·kh·kw, L]) → [N, C, outputSize[0], outputSize[1]].
 * ```ts
 * F.fold(randn([2, 12, 9]), [4, 4], 2).shape; // [2, 3, 4, 4]
 * ```
 */
/** PyTorch's positional order (dilation, padding, stride), then an optional options object. */
export function fold(input: Tensor, outputSize: Size2, kernelSize: Size2, ...args: PositionalArgs<[dilation: (FoldOptions)["dilation"], padding: (FoldOptions)["padding"], stride: (FoldOptions)["stride"]], FoldOptions>): Tensor;
export function fold(input: Tensor, outputSize: Size2, kernelSize: Size2, opts?: FoldOptions): Tensor;
export function fold(input: Tensor, outputSize: Size2, kernelSize: Size2, ...args: unknown[]): Tensor {
  let opts = positionalOptions<FoldOptions>("fold", args, { keys: ["dilation", "padding", "stride"] });
  const op = "fold";
  floatInput(op, input);
  check(input.ndim === 2 || input.ndim === 3, op, () => `expected 2D (unbatched) or 3D (batched) input, got shape ${fmtShape(input.shape)}`);
  const p = params(op, kernelSize, opts);
  const [H, W] = pair(op, "output_size", outputSize, 1) as [number, number];
  const x = input.ndim === 2 ? input.unsqueeze(0) : input;
  const [N, CK, L] = x.shape as [number, number, number];
  const K = p.kernel[0] * p.kernel[1];
  check(CK % K === 0, op, () =>
    `expected size of input's dimension 1 to be divisible by the product of kernel_size, but got input.size(1)=${CK} and kernel_size=${fmtShape(p.kernel)} (input shape ${fmtShape(input.shape)})`);
  const oh = windowCount(H, p.kernel[0], p.stride[0], p.padding[0], p.dilation[0]);
  const ow = windowCount(W, p.kernel[1], p.stride[1], p.padding[1], p.dilation[1]);
  check(oh > 0 && ow > 0 && oh * ow === L, op, () =>
    `given output_size=[${H}, ${W}], kernel_size=${fmtShape(p.kernel)}, dilation=${fmtShape(p.dilation)}, padding=${fmtShape(p.padding)}, stride=${fmtShape(p.stride)}, expected size of input's dimension 2 to match the calculated number of sliding blocks ${oh} * ${ow} = ${oh * ow}, but got input.size(2)=${L}`);
  const out = col2im(x, [N, CK / K, H, W], p);
  return input.ndim === 2 ? out.squeeze(0) : out;
}
