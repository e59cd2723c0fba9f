/**
 * Max unpooling (`F.maxUnpool1d/2d/3d`, the partial inverse of max pooling with `returnIndices`)
 * and adaptive 3-D max and average pooling (`F.adaptiveMaxPool3d`, `F.adaptiveAvgPool3d`), over
 * [N, C, *spatial] inputs.
 *
 * Unpooling writes each input value at its index into a zero plane of the output size:
 * y[n, c, idx[n, c, l]] = x[n, c, l]; its gradient gathers g at the same indices.
 */
import { MAX_ELEMENTS } from "../../tensor/shape.js";
import { Tensor, tensor, zeros } from "../../core.js";
import { record } from "../../autograd/engine.js";
import { traceUnit } from "../../autograd/trace.js";
import { TensileError, check, fmtShape, fmtValue } from "../../errors.js";
import { type Size2, emptyResult, pair } from "./fold.js";
import { applyPlan, areaPlan } from "./resize-plans.js";
import { windowMax } from "./window-max.js";
import { type PositionalArgs, positionalOptions } from "../../utils/positional.js";

export interface MaxUnpoolOptions {
  /** The pooling's stride; defaults to `kernelSize`. */
  stride?: Size2 | null;
  /** The pooling's padding. */
  padding?: Size2;
  /** The output's spatial size (or the whole [N, C, ...] shape), to undo a pooling whose size is ambiguous. */
  outputSize?: readonly number[] | null;
}

/** PyTorch's `_unpool_output_size`: (in − 1)·s + k − 2p per dim, or `outputSize` if within ±stride of it. */
function unpoolSize(op: string, inSizes: readonly number[], k: number[], s: number[], p: number[], outputSize: readonly number[] | null | undefined): number[] {
  const nd = k.length;
  const def = inSizes.map((n, d) => (n - 1) * s[d]! + k[d]! - 2 * p[d]!);
  if (outputSize === null || outputSize === undefined) return def;
  check(Array.isArray(outputSize) && outputSize.every((v) => Number.isInteger(v)), op, () =>
    `output_size must be a list of integers, got ${fmtValue(outputSize)}`);
  let want = [...outputSize];
  if (want.length === nd + 2) want = want.slice(2);
  check(want.length === nd, op, () =>
    `output_size should be a sequence containing ${nd} or ${nd + 2} elements, but it has a length of '${outputSize.length}'`);
  want.forEach((w, d) => {
    const lo = def[d]! - s[d]!, hi = def[d]! + s[d]!;
    if (!(lo < w && w < hi)) throw new TensileError(`${op}: invalid output_size ${fmtShape(outputSize)} (dim ${d} must be between ${lo} and ${hi})`);
  });
  return want;
}

function maxUnpool(op: string, nd: 1 | 2 | 3, input: Tensor, indices: Tensor, kernelSize: Size2, o: MaxUnpoolOptions): Tensor {
  o ??= {};
  check(input instanceof Tensor, op, () => `input must be a Tensor, got ${fmtValue(input)}`);
  check(indices instanceof Tensor, op, () => `indices must be a Tensor, got ${fmtValue(indices)}`);
  check(input.ndim === nd + 1 || input.ndim === nd + 2, op, () =>
    `expected ${nd + 1}D (unbatched) or ${nd + 2}D (batched) input, got a tensor of shape ${fmtShape(input.shape)}`);
  check(input.dtype === "float32" || input.dtype === "float64", op, () => `expected a floating point input, got ${input.dtype}`);
  check(indices.dtype === "int32", op, () => `expected int32 indices (as max pooling's returnIndices gives), got ${indices.dtype}`);
  check(indices.ndim === input.ndim && indices.shape.every((d, i) => d === input.shape[i]), op, () =>
    `expected shape of indices to be same as that of the input tensor (${fmtShape(input.shape)}) but got indices tensor with shape: ${fmtShape(indices.shape)}`);
  const k = pair(op, "kernel_size", kernelSize, 1, nd);
  const noStride = o.stride === null || o.stride === undefined || (Array.isArray(o.stride) && o.stride.length === 0);
  const s = noStride ? k : pair(op, "stride", o.stride!, 1, nd);
  const p = pair(op, "padding", o.padding ?? 0, 0, nd);
  const inSizes = input.shape.slice(-nd);
  const outSizes = unpoolSize(op, inSizes, k, s, p, o.outputSize);
  check(outSizes.every((v) => v > 0), op, () => `output size must be positive, got ${fmtShape(outSizes)} (input ${fmtShape(input.shape)})`);
  const lead = input.shape.slice(0, input.ndim - nd);
  const NC = lead.reduce((a, b) => a * b, 1), L = inSizes.reduce((a, b) => a * b, 1), M = outSizes.reduce((a, b) => a * b, 1);
  const outShape = [...lead, ...outSizes];
  if (NC === 0 || L === 0) return emptyResult(op, outShape, input, [input]);
  const idx = indices.contiguous().reshape([NC, L]);
  // PyTorch's CPU kernel reads every index and refuses one outside the output plane
  const data = idx.dataSync();
  for (let i = 0; i < data.length; i++) {
    const v = data[i] as number;
    if (v < 0 || v >= M) throw new TensileError(`${op}: found an invalid max index: ${v} (output volumes are of size ${outSizes.join("x")}; input ${fmtShape(input.shape)})`);
  }
  const out = zeros([NC, M], { dtype: input.dtype }).scatter(1, idx, input.detach().reshape([NC, L]));
  return record(op, out, [input], (g) => [g.gather(1, idx).reshape(input.shape)], undefined, [idx]).reshape(outShape);
}

/**
 * 1-D max unpooling: the inverse of `maxPool1d(x, k, { returnIndices: true })` with every
 * non-maximum set to 0. Output length (L − 1)·stride − 2·padding + kernelSize, or `outputSize`.
 *
 * Shapes: input and int32 indices [N, C, L] (or [C, L]) → [N, C, L_out].
 * ```ts
 * const [y, idx] = F.maxPool1d(x, 2, { returnIndices: true });
 * F.maxUnpool1d(y, idx, 2).shape; // x.shape (for even lengths)
 * ```
 */
/** PyTorch's positional order (stride, padding, outputSize), then an optional options object. */
export function maxUnpool1d(input: Tensor, indices: Tensor, kernelSize: Size2, ...args: PositionalArgs<[stride: (MaxUnpoolOptions)["stride"], padding: (MaxUnpoolOptions)["padding"], outputSize: (MaxUnpoolOptions)["outputSize"]], MaxUnpoolOptions>): Tensor;
export function maxUnpool1d(input: Tensor, indices: Tensor, kernelSize: Size2, opts?: MaxUnpoolOptions): Tensor;
export function maxUnpool1d(input: Tensor, indices: Tensor, kernelSize: Size2, ...args: unknown[]): Tensor {
  let opts = positionalOptions<MaxUnpoolOptions>("maxUnpool1d", args, { keys: ["stride", "padding", "outputSize"] });
  return maxUnpool("maxUnpool1d", 1, input, indices, kernelSize, opts);
}

/**
 * 2-D max unpooling (see `maxUnpool1d`): indices are into the flattened H_out·W_out plane, as
 * `maxPool2d`'s `returnIndices` gives them.
 *
 * Shapes: input and int32 indices [N, C, H, W] (or [C, H, W]) → [N, C, H_out, W_out].
 * ```ts
 * const [y, idx] = F.maxPool2d(x, 2, { returnIndices: true });
 * F.maxUnpool2d(y, idx, 2, { outputSize: x.shape });
 * ```
 */
/** PyTorch's positional order (stride, padding, outputSize), then an optional options object. */
export function maxUnpool2d(input: Tensor, indices: Tensor, kernelSize: Size2, ...args: PositionalArgs<[stride: (MaxUnpoolOptions)["stride"], padding: (MaxUnpoolOptions)["padding"], outputSize: (MaxUnpoolOptions)["outputSize"]], MaxUnpoolOptions>): Tensor;
export function maxUnpool2d(input: Tensor, indices: Tensor, kernelSize: Size2, opts?: MaxUnpoolOptions): Tensor;
export function maxUnpool2d(input: Tensor, indices: Tensor, kernelSize: Size2, ...args: unknown[]): Tensor {
  let opts = positionalOptions<MaxUnpoolOptions>("maxUnpool2d", args, { keys: ["stride", "padding", "outputSize"] });
  return maxUnpool("maxUnpool2d", 2, input, indices, kernelSize, opts);
}

/**
 * 3-D max unpooling (see `maxUnpool1d`): indices are into the flattened D_out·H_out·W_out volume
 * (as `adaptiveMaxPool3d` and PyTorch's `max_pool3d` give them).
 *
 * Shapes: input and int32 indices [N, C, D, H, W] (or [C, D, H, W]) → [N, C, D_out, H_out, W_out].
 * ```ts
 * F.maxUnpool3d(y, idx, 2).shape; // [N, C, 2D, 2H, 2W]
 * ```
 */
/** PyTorch's positional order (stride, padding, outputSize), then an optional options object. */
export function maxUnpool3d(input: Tensor, indices: Tensor, kernelSize: Size2, ...args: PositionalArgs<[stride: (MaxUnpoolOptions)["stride"], padding: (MaxUnpoolOptions)["padding"], outputSize: (MaxUnpoolOptions)["outputSize"]], MaxUnpoolOptions>): Tensor;
export function maxUnpool3d(input: Tensor, indices: Tensor, kernelSize: Size2, opts?: MaxUnpoolOptions): Tensor;
export function maxUnpool3d(input: Tensor, indices: Tensor, kernelSize: Size2, ...args: unknown[]): Tensor {
  let opts = positionalOptions<MaxUnpoolOptions>("maxUnpool3d", args, { keys: ["stride", "padding", "outputSize"] });
  return maxUnpool("maxUnpool3d", 3, input, indices, kernelSize, opts);
}

/** Checks an adaptive 3-D pooling's input and output size; null entries keep the input's size. */
function adaptive3dSizes(op: string, input: Tensor, outputSize: unknown): { inSizes: number[]; outSizes: number[] } {
  check(input instanceof Tensor, op, () => `input must be a Tensor, got ${fmtValue(input)}`);
  check(input.ndim === 4 || input.ndim === 5, op, () => `expected 4D (unbatched) or 5D (batched) input [N, C, D, H, W], got shape ${fmtShape(input.shape)}`);
  check(input.dtype === "float32" || input.dtype === "float64", op, () => `expected a floating point input, got ${input.dtype}`);
  const inSizes = input.shape.slice(-3);
  check(inSizes.every((d) => d > 0), op, () => `expected input with non-zero spatial size, got shape ${fmtShape(input.shape)}`);
  const bad = () => `output_size must be an integer or a list of 3 integers, got ${fmtValue(outputSize)}`;
  check(typeof outputSize === "number" || Array.isArray(outputSize), op, bad);
  const given = typeof outputSize === "number" ? [outputSize, outputSize, outputSize] : [...(outputSize as (number | null)[])];
  check(given.length === 3, op, bad);
  const outSizes = given.map((v, i) => v ?? inSizes[i]!);
  check(outSizes.every((v) => Number.isInteger(v) && v >= 0), op, () => `output_size must be non-negative integers, got ${fmtValue(outputSize)}`);
  check(outSizes.reduce((p, v) => p * v, 1) <= MAX_ELEMENTS, op, () => `output_size ${fmtValue(outputSize)} makes volumes of more elements than a tensor can hold (${MAX_ELEMENTS})`);
  return { inSizes, outSizes };
}

/**
 * Adaptive 3-D max pooling: cell (a, b, c) is the maximum over depths ⌊a·D/od⌋ … ⌈(a+1)·D/od⌉ − 1,
 * rows and columns likewise (first maximum on ties, NaN wins). `outputSize` entries may be null
 * to keep that input size. With `returnIndices`, also int32 indices into the flattened D·H·W volume.
 *
 * Shapes: [N, C, D, H, W] (or [C, D, H, W]) → [N, C, od, oh, ow].
 * ```ts
 * F.adaptiveMaxPool3d(randn([1, 2, 5, 6, 7]), [2, 3, null]).shape; // [1, 2, 2, 3, 7]
 * ```
 */
export function adaptiveMaxPool3d(input: Tensor, outputSize: number | readonly (number | null)[], opts: { returnIndices: true }): [Tensor, Tensor];
export function adaptiveMaxPool3d(input: Tensor, outputSize: number | readonly (number | null)[], opts?: { returnIndices?: false }): Tensor;
/** PyTorch's positional order (returnIndices), then an optional options object. */
export function adaptiveMaxPool3d(input: Tensor, outputSize: number | readonly (number | null)[], ...args: PositionalArgs<[returnIndices: ({ returnIndices?: boolean })["returnIndices"]], { returnIndices?: boolean }>): Tensor | [Tensor, Tensor];
export function adaptiveMaxPool3d(input: Tensor, outputSize: number | readonly (number | null)[], opts?: { returnIndices?: boolean }): Tensor | [Tensor, Tensor];
export function adaptiveMaxPool3d(input: Tensor, outputSize: number | readonly (number | null)[], ...args: unknown[]): Tensor | [Tensor, Tensor] {
  let opts = positionalOptions<{ returnIndices?: boolean }>("adaptiveMaxPool3d", args, { keys: ["returnIndices"] });
  const op = "adaptiveMaxPool3d";
  const { inSizes, outSizes } = adaptive3dSizes(op, input, outputSize);
  const bounds = (i: number, size: number, out: number): [number, number] => [Math.floor((i * size) / out), Math.ceil(((i + 1) * size) / out)];
  const kmax = outSizes.map((o, d) => {
    let m = 0;
    for (let i = 0; i < o; i++) { const [a, b] = bounds(i, inSizes[d]!, o); m = Math.max(m, b - a); }
    return m;
  });
  const [D, H, W] = inSizes as [number, number, number], [od, oh, ow] = outSizes as [number, number, number];
  const L = od * oh * ow, K = kmax[0]! * kmax[1]! * kmax[2]!;
  // [L, K] table of flat input indices per window; short windows repeat their last element,
  // which changes neither the maximum nor which element is the argmax
  const table = new Int32Array(L * K);
  for (let a = 0; a < od; a++) {
    const [d0, d1] = bounds(a, D, od);
    for (let b = 0; b < oh; b++) {
      const [h0, h1] = bounds(b, H, oh);
      for (let c = 0; c < ow; c++) {
        const [w0, w1] = bounds(c, W, ow);
        const base = ((a * oh + b) * ow + c) * K;
        let n = 0;
        for (let z = d0; z < d1; z++) for (let y = h0; y < h1; y++) for (let x = w0; x < w1; x++) table[base + n++] = (z * H + y) * W + x;
        for (; n < K; n++) table[base + n] = table[base + n - 1]!;
      }
    }
  }
  const lead = input.shape.slice(0, input.ndim - 3);
  const NC = lead.reduce((x, y) => x * y, 1);
  const outShape = [...lead, od, oh, ow];
  if (NC === 0 || L === 0) {
    const v = emptyResult(op, outShape, input, [input]);
    return opts?.returnIndices ? [v, zeros(outShape, { dtype: "int32" })] : v;
  }
  const idx = tensor(table);
  const cols = input.reshape([NC, D * H * W]).indexSelect(1, idx).reshape([NC, L, K]);
  const { values, indices } = windowMax(cols); // first maximum, last NaN (PyTorch's)
  const out = values.reshape(outShape);
  if (!opts?.returnIndices) return out;
  const flat = idx.reshape([1, L, K]).expand([NC, L, K]).gather(2, indices.unsqueeze(2)).reshape(outShape);
  return [out, flat];
}

/**
 * Adaptive 3-D average pooling: cell (a, b, c) averages depths ⌊a·D/od⌋ … ⌈(a+1)·D/od⌉ − 1, rows
 * and columns likewise (windows overlap when a size does not divide). The box mean is separable, so
 * each spatial dim is averaged in turn (`F.interpolate`'s area plan); autograd gives the gradient.
 * `outputSize` entries may be null to keep that input size.
 *
 * Shapes: [N, C, D, H, W] (or [C, D, H, W]) → [N, C, od, oh, ow].
 * ```ts
 * F.adaptiveAvgPool3d(randn([2, 8, 4, 6, 6]), 1).shape;          // [2, 8, 1, 1, 1] (global average)
 * F.adaptiveAvgPool3d(randn([1, 2, 5, 6, 7]), [2, 3, null]).shape; // [1, 2, 2, 3, 7]
 * ```
 */
export function adaptiveAvgPool3d(input: Tensor, outputSize: number | readonly (number | null)[]): Tensor {
  return traceUnit("adaptiveAvgPool3d", input, {}, () => adaptiveAvgPool3dImpl(input, outputSize));
}

function adaptiveAvgPool3dImpl(input: Tensor, outputSize: number | readonly (number | null)[]): Tensor {
  const op = "adaptiveAvgPool3d";
  const { inSizes, outSizes } = adaptive3dSizes(op, input, outputSize);
  const outShape = [...input.shape.slice(0, input.ndim - 3), ...outSizes];
  if (outShape.includes(0)) return emptyResult(op, outShape, input, [input]);
  if (outSizes.every((o) => o === 1)) return input.mean([-3, -2, -1], true);
  let y = input;
  for (let i = 2; i >= 0; i--) {
    const dim = input.ndim - 3 + i, inSize = inSizes[i]!, outSize = outSizes[i]!;
    if (inSize !== outSize) y = applyPlan(y, dim, areaPlan({ inSize, outSize, scale: null }));
  }
  return y === input ? input.clone() : y;
}
