/**
 * Resizing: `F.interpolate` (nearest and bilinear), separable per spatial dim. Each dim is resampled
 * with `indexSelect` (nearest) or a lerp of two `indexSelect`s (bilinear), so the cost is linear in
 * the output size and the gradient (a scatter-add) comes from autograd. Source coordinates follow
 * PyTorch's CPU kernels, including their float32 arithmetic for float32 inputs, so the chosen
 * source pixels agree exactly.
 */
import { traceUnit } from "../../autograd/trace.js";
import { Tensor, tensor } from "../../core.js";
import { TensileError, check, fmtShape, fmtValue } from "../../errors.js";

export type InterpolateMode = "nearest" | "bilinear";

export interface InterpolateOptions {
  /** Output spatial size: one number for every spatial dim, or one per dim. */
  size?: number | readonly number[] | null;
  /** Multiplier for the spatial size (output = ⌊input · scaleFactor⌋); exclusive with `size`. */
  scaleFactor?: number | readonly number[] | null;
  mode?: InterpolateMode;
  /** bilinear only: map the corner pixels' centres onto each other (default false). */
  alignCorners?: boolean | null;
}

/** One source dim's resampling plan. */
interface Axis {
  inSize: number;
  outSize: number;
  /** PyTorch's `scales` argument: 1/scaleFactor when a factor was given, else null. */
  scale: number | null;
}

function nearestIndex(a: Axis, f: (x: number) => number): Int32Array {
  const idx = new Int32Array(a.outSize);
  const scale = f(a.scale ?? a.inSize / a.outSize);
  for (let i = 0; i < a.outSize; i++) idx[i] = Math.min(Math.floor(f(i * scale)), a.inSize - 1);
  return idx;
}

/** Lower/upper source indices and the upper weight for linear interpolation (PyTorch's area_pixel_compute_source_index). */
function linearPlan(a: Axis, alignCorners: boolean, f: (x: number) => number): { i0: Int32Array; i1: Int32Array; lambda: Float64Array } {
  const { inSize, outSize } = a;
  const scale = f(alignCorners ? (outSize > 1 ? (inSize - 1) / (outSize - 1) : 0) : a.scale ?? inSize / outSize);
  const i0 = new Int32Array(outSize), i1 = new Int32Array(outSize), lambda = new Float64Array(outSize);
  for (let i = 0; i < outSize; i++) {
    const src = alignCorners ? f(scale * i) : Math.max(f(f(scale * f(i + 0.5)) - 0.5), 0);
    const lo = Math.floor(src);
    i0[i] = lo;
    i1[i] = lo + (lo < inSize - 1 ? 1 : 0);
    lambda[i] = Math.min(Math.max(f(src - lo), 0), 1);
  }
  return { i0, i1, lambda };
}

/**
 * Resamples the spatial dims (all dims after [N, C]) to a new size.
 *
 * - `nearest`: out[i] = in[min(⌊i·s⌋, in − 1)], s = 1/scaleFactor if given, else in/out.
 * - `bilinear` (4-D input): linear in each of H and W; source coordinate (i + ½)·s − ½ clamped at 0,
 *   or i·(in − 1)/(out − 1) with `alignCorners`.
 *
 * Shapes: [N, C, L] (nearest) or [N, C, H, W] → [N, C, ...size].
 * ```ts
 * F.interpolate(randn([1, 3, 14, 14]), { scaleFactor: 2, mode: "bilinear" }).shape; // [1, 3, 28, 28]
 * F.interpolate(randn([1, 3, 5]), { size: 8 }).shape;                                // [1, 3, 8]
 * ```
 */
export function interpolate(input: Tensor, opts: InterpolateOptions = {}): Tensor {
  opts ??= {};
  return traceUnit("interpolate", input, { mode: opts.mode ?? "nearest", alignCorners: opts.alignCorners ?? false }, () => interpolateImpl(input, opts));
}

function interpolateImpl(input: Tensor, opts: InterpolateOptions): Tensor {
  const op = "interpolate";
  if (!(input instanceof Tensor)) throw new TensileError(`${op}: input must be a Tensor`);
  const { size = null, scaleFactor = null, mode = "nearest" } = opts;
  check(mode === "nearest" || mode === "bilinear", op, () => `unsupported mode "${mode}" (expected "nearest" or "bilinear")`);
  check(input.dtype === "float32" || input.dtype === "float64", op, () => `expected a floating point input, got ${input.dtype}`);
  const nd = input.ndim - 2;
  if (mode === "bilinear") check(nd === 2, op, () => `bilinear mode needs a 4-D input [N, C, H, W], got ${input.ndim}-D input of shape ${fmtShape(input.shape)}`);
  else check(nd === 1 || nd === 2, op, () => `expected a 3-D [N, C, L] or 4-D [N, C, H, W] input, got shape ${fmtShape(input.shape)}`);
  if (mode === "nearest" && opts.alignCorners !== undefined && opts.alignCorners !== null)
    throw new TensileError(`${op}: align_corners option can only be set with the interpolating modes: bilinear`);
  check((size === null) !== (scaleFactor === null), op, size === null
    ? "either size or scale_factor should be defined"
    : "only one of size or scale_factor should be defined");
  const list = (v: number | readonly number[], name: string): number[] => {
    check(typeof v === "number" || Array.isArray(v), op, () => `${name} must be a number or an array of numbers, got ${fmtValue(v)}`);
    const a = typeof v === "number" ? Array<number>(nd).fill(v) : [...v];
    check(a.length === nd, op, () => `${name} must have ${nd} entries for a ${input.ndim}-D input, got ${fmtValue(v)}`);
    return a;
  };
  const inSizes = input.shape.slice(2);
  const axes: Axis[] = size !== null
    ? list(size, "size").map((o, i) => ({ inSize: inSizes[i]!, outSize: o, scale: null }))
    : list(scaleFactor!, "scale_factor").map((s, i) => {
      check(s > 0, op, () => `scale_factor must be positive, got ${JSON.stringify(scaleFactor)}`);
      return { inSize: inSizes[i]!, outSize: Math.floor(inSizes[i]! * s), scale: 1 / s };
    });
  check(axes.every((a) => Number.isInteger(a.outSize) && a.outSize > 0), op, () =>
    `output size must be positive integers, got ${fmtShape(axes.map((a) => a.outSize))} for input ${fmtShape(input.shape)}`);
  check(inSizes.every((s) => s > 0), op, () => `input spatial size must be non-zero, got ${fmtShape(input.shape)}`);
  const f = input.dtype === "float32" ? Math.fround : (x: number) => x;
  let y = input;
  axes.forEach((a, i) => {
    const dim = 2 + i;
    const sameGrid = a.scale === null || a.scale === 1 || (mode === "bilinear" && !!opts.alignCorners);
    if (a.outSize === a.inSize && sameGrid) return;
    if (mode === "nearest") {
      y = y.indexSelect(dim, tensor(nearestIndex(a, f)));
      return;
    }
    const { i0, i1, lambda } = linearPlan(a, opts.alignCorners ?? false, f);
    const shape = input.shape.map((_, d) => (d === dim ? a.outSize : 1));
    const l = tensor(input.dtype === "float64" ? lambda : Float32Array.from(lambda), { shape });
    const lo = y.indexSelect(dim, tensor(i0)), hi = y.indexSelect(dim, tensor(i1));
    y = lo.add(hi.sub(lo).mul(l));
  });
  return y === input ? input.clone() : y;
}
