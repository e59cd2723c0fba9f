/**
 * Fractional max pooling (Graham, 2014): `F.fractionalMaxPool2d`, `F.fractionalMaxPool3d`. Each
 * (n, c) plane pools kernel-sized windows whose starts follow a pseudo-random increasing sequence
 * fixed by one sample u ∈ [0, 1) per spatial dim, as PyTorch's CPU kernel computes it:
 * α = (in − k) / (out − 1), start[i] = ⌊(i + u)·α⌋ − ⌊u·α⌋ for i < out − 1, start[out − 1] = in − k
 * (in the input's precision). The samples are PyTorch's `_random_samples` ([N, C, nd], `randomSamples`
 * here) or drawn from Tensile's generator. The windows are gathered per plane and reduced with `max`
 * (`window-max.ts`), so the gradient reaches each window's first maximum.
 */
import { Tensor, rand, zeros } from "../../core.js";
import type { Generator } from "../../core.js";
import { TensileError, check, fmtShape, fmtValue } from "../../errors.js";
import { emptyResult, pair } from "./fold.js";
import { gatherMax } from "./window-max.js";
import { type PositionalArgs, positionalOptions } from "../../utils/positional.js";

export interface FractionalMaxPoolOptions {
  /** The output's spatial size (one number for all dims); this or `outputRatio` is required. */
  outputSize?: number | readonly number[] | null;
  /** The output size as a fraction of the input's, ⌊size·ratio⌋ per dim (used when `outputSize` is not given). */
  outputRatio?: number | readonly number[] | null;
  /** Also return int32 indices of each window's maximum into the flattened input plane (volume). */
  returnIndices?: boolean;
  /** PyTorch's `_random_samples`: [N, C, nd] (N = 1 for an unbatched input) values in [0, 1). */
  randomSamples?: Tensor | null;
  /** Where the samples come from when `randomSamples` is not given (default: the global generator). */
  generator?: Generator;
}

/** PyTorch's `generate_intervals`: the window starts along one dim (float32 arithmetic for float32 inputs). */
function intervals(u: number, size: number, out: number, k: number, f32: boolean): number[] {
  const r = f32 ? Math.fround : (v: number) => v;
  const seq = new Array<number>(out);
  if (out > 1) {
    const alpha = r(r(size - k) / r(out - 1));
    const base = Math.trunc(r(r(u) * alpha));
    for (let i = 0; i < out - 1; i++) seq[i] = Math.trunc(r(r(i + r(u)) * alpha)) - base;
  }
  if (out > 0) seq[out - 1] = size - k;
  return seq;
}

const DIM_NAMES: Record<number, string[]> = { 2: ["height", "width"], 3: ["time", "height", "width"] };

function fractionalMaxPool(op: string, nd: 2 | 3, input: Tensor, kernelSize: number | readonly number[], o: FractionalMaxPoolOptions): Tensor | [Tensor, Tensor] {
  o ??= {};
  check(input instanceof Tensor, op, () => `input must be a Tensor, got ${fmtValue(input)}`);
  check(input.ndim === nd + 1 || input.ndim === nd + 2, op, () =>
    `expected ${nd + 1}D (unbatched) or ${nd + 2}D (batched) input ${nd === 2 ? "[N, C, H, W]" : "[N, C, D, H, W]"}, got shape ${fmtShape(input.shape)}`);
  check(input.dtype === "float32" || input.dtype === "float64", op, () => `expected a floating point input, got ${input.dtype}`);
  const k = pair(op, "kernel_size", kernelSize, 1, nd);
  const batched = input.ndim === nd + 2;
  const x = batched ? input : input.unsqueeze(0);
  const [N, C] = x.shape as [number, number];
  const sizes = x.shape.slice(2);
  let out: number[];
  if (o.outputSize !== null && o.outputSize !== undefined) out = pair(op, "output_size", o.outputSize, 0, nd);
  else if (o.outputRatio !== null && o.outputRatio !== undefined) {
    const ratio = typeof o.outputRatio === "number" ? Array<number>(nd).fill(o.outputRatio) : [...o.outputRatio];
    check(ratio.length === nd && ratio.every((v) => typeof v === "number" && v > 0), op, () =>
      `output_ratio must be a positive number or a list of ${nd} positive numbers, got ${fmtValue(o.outputRatio)}`);
    out = sizes.map((s, i) => Math.trunc(s * ratio[i]!));
  } else throw new TensileError(`${op} requires specifying either an output_size or an output_ratio`);
  // PyTorch's bounds: out + k − 1 ≤ in for 2-D, < in for 3-D
  sizes.forEach((s, i) => {
    const ok = nd === 2 ? out[i]! + k[i]! - 1 <= s : out[i]! + k[i]! - 1 < s;
    if (!ok) throw new TensileError(`${op}: pool ${DIM_NAMES[nd]![i]} ${k[i]} too large relative to input ${DIM_NAMES[nd]![i]} ${s} (output_size ${fmtShape(out)}, input ${fmtShape(input.shape)})`);
  });
  let samples = o.randomSamples ?? null;
  if (samples !== null) {
    check(samples instanceof Tensor && samples.ndim === 3 && samples.shape[0] === N && samples.shape[1] === C && samples.shape[2] === nd, op, () =>
      `expected _random_samples of shape [${N}, ${C}, ${nd}] for input ${fmtShape(input.shape)}, got ${samples instanceof Tensor ? fmtShape(samples.shape) : fmtValue(samples)}`);
    check(samples.dtype === "float32" || samples.dtype === "float64", op, () => `expected floating point _random_samples, got ${samples!.dtype}`);
  } else samples = rand([N, C, nd], { dtype: input.dtype, generator: o.generator });
  const outShape = [N, C, ...out];
  const finish = (t: Tensor) => (batched ? t.reshape(outShape) : t.reshape(outShape.slice(1)));
  const P = N * C, L = out.reduce((a, b) => a * b, 1), K = k.reduce((a, b) => a * b, 1), V = sizes.reduce((a, b) => a * b, 1);
  if (P === 0 || L === 0) {
    const v = emptyResult(op, outShape, x, [x]);
    return o.returnIndices ? [finish(v), finish(zeros(outShape, { dtype: "int32" }))] : finish(v);
  }
  const u = samples.contiguous().dataSync();
  const f32 = input.dtype === "float32";
  // 2-D samples are (width, height), 3-D ones (time, height, width), as PyTorch's kernels read them
  const order = nd === 2 ? [1, 0] : [0, 1, 2];
  // window element offsets within the plane, row-major over the kernel
  const offs: number[] = [];
  const strides = sizes.map((_, i) => sizes.slice(i + 1).reduce((a, b) => a * b, 1));
  const walk = (d: number, acc: number): void => {
    if (d === nd) { offs.push(acc); return; }
    for (let t = 0; t < k[d]!; t++) walk(d + 1, acc + t * strides[d]!);
  };
  walk(0, 0);
  const table = new Int32Array(P * L * K);
  for (let pl = 0; pl < P; pl++) {
    const starts = sizes.map((s, i) => intervals(u[pl * nd + order[i]!] as number, s, out[i]!, k[i]!, f32));
    for (let l = 0; l < L; l++) {
      let rem = l, base = 0;
      for (let i = nd - 1; i >= 0; i--) {
        base += starts[i]![rem % out[i]!]! * strides[i]!;
        rem = Math.floor(rem / out[i]!);
      }
      const at = (pl * L + l) * K;
      for (let j = 0; j < K; j++) table[at + j] = base + offs[j]!;
    }
  }
  const { values, indices } = gatherMax(x.reshape([P, V]), table, L, K, true);
  return o.returnIndices ? [finish(values), finish(indices)] : finish(values);
}

/**
 * 2-D fractional max pooling: kernel-sized windows at pseudo-random starts that shrink H×W to
 * `outputSize` (or ⌊size·outputRatio⌋). `randomSamples` ([N, C, 2], (width, height) per plane, as
 * PyTorch's `_random_samples`) fixes the windows; otherwise they are drawn from `generator`.
 *
 * Shapes: [N, C, H, W] (or [C, H, W]) → [N, C, oh, ow]; with `returnIndices`, also int32 indices into H·W.
 * ```ts
 * F.fractionalMaxPool2d(randn([1, 3, 10, 10]), 3, { outputRatio: 0.5 }).shape; // [1, 3, 5, 5]
 * ```
 */
export function fractionalMaxPool2d(input: Tensor, kernelSize: number | readonly number[], opts: FractionalMaxPoolOptions & { returnIndices: true }): [Tensor, Tensor];
export function fractionalMaxPool2d(input: Tensor, kernelSize: number | readonly number[], opts?: FractionalMaxPoolOptions & { returnIndices?: false }): Tensor;
/** PyTorch's positional order (outputSize, outputRatio, returnIndices, randomSamples), then an optional options object. */
export function fractionalMaxPool2d(input: Tensor, kernelSize: number | readonly number[], ...args: PositionalArgs<[outputSize: (FractionalMaxPoolOptions)["outputSize"], outputRatio: (FractionalMaxPoolOptions)["outputRatio"], returnIndices: (FractionalMaxPoolOptions)["returnIndices"], randomSamples: (FractionalMaxPoolOptions)["randomSamples"]], FractionalMaxPoolOptions>): Tensor | [Tensor, Tensor];
export function fractionalMaxPool2d(input: Tensor, kernelSize: number | readonly number[], opts?: FractionalMaxPoolOptions): Tensor | [Tensor, Tensor];
export function fractionalMaxPool2d(input: Tensor, kernelSize: number | readonly number[], ...args: unknown[]): Tensor | [Tensor, Tensor] {
  let opts = positionalOptions<FractionalMaxPoolOptions>("fractionalMaxPool2d", args, { keys: ["outputSize", "outputRatio", "returnIndices", "randomSamples"] });
  return fractionalMaxPool("fractionalMaxPool2d", 2, input, kernelSize, opts);
}

/**
 * 3-D fractional max pooling (see `fractionalMaxPool2d`); `randomSamples` is [N, C, 3], (depth,
 * height, width) per plane.
 *
 * Shapes: [N, C, D, H, W] (or [C, D, H, W]) → [N, C, od, oh, ow]; with `returnIndices`, also int32
 * indices into D·H·W.
 * ```ts
 * F.fractionalMaxPool3d(randn([1, 2, 8, 8, 8]), 2, { outputSize: [4, 5, 6] }).shape; // [1, 2, 4, 5, 6]
 * ```
 */
export function fractionalMaxPool3d(input: Tensor, kernelSize: number | readonly number[], opts: FractionalMaxPoolOptions & { returnIndices: true }): [Tensor, Tensor];
export function fractionalMaxPool3d(input: Tensor, kernelSize: number | readonly number[], opts?: FractionalMaxPoolOptions & { returnIndices?: false }): Tensor;
/** PyTorch's positional order (outputSize, outputRatio, returnIndices, randomSamples), then an optional options object. */
export function fractionalMaxPool3d(input: Tensor, kernelSize: number | readonly number[], ...args: PositionalArgs<[outputSize: (FractionalMaxPoolOptions)["outputSize"], outputRatio: (FractionalMaxPoolOptions)["outputRatio"], returnIndices: (FractionalMaxPoolOptions)["returnIndices"], randomSamples: (FractionalMaxPoolOptions)["randomSamples"]], FractionalMaxPoolOptions>): Tensor | [Tensor, Tensor];
export function fractionalMaxPool3d(input: Tensor, kernelSize: number | readonly number[], opts?: FractionalMaxPoolOptions): Tensor | [Tensor, Tensor];
export function fractionalMaxPool3d(input: Tensor, kernelSize: number | readonly number[], ...args: unknown[]): Tensor | [Tensor, Tensor] {
  let opts = positionalOptions<FractionalMaxPoolOptions>("fractionalMaxPool3d", args, { keys: ["outputSize", "outputRatio", "returnIndices", "randomSamples"] });
  return fractionalMaxPool("fractionalMaxPool3d", 3, input, kernelSize, opts);
}
