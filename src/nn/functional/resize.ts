/**
 * Resizing: `F.interpolate` with every mode of PyTorch 1.13 — nearest, nearest-exact, (bi/tri)linear,
 * bicubic, area, and antialiased bilinear/bicubic — separable per spatial dim. Each dim is resampled
 * by a plan of taps (resize-plans.ts): `indexSelect` per tap and a weighted sum, so the cost is
 * linear in the output size and the gradient (a scatter-add) comes from autograd. Source
 * coordinates follow PyTorch's CPU kernels, including their float32 arithmetic for float32 inputs,
 * so the chosen source pixels agree exactly; weighted modes agree to float rounding (the sums run
 * per dim here, over the whole window in PyTorch's kernels).
 */
import { emptyResult } from "./fold.js";
import { traceUnit } from "../../autograd/trace.js";
import { Tensor, tensor } from "../../core.js";
import { TensileError, check, fmtShape, fmtValue } from "../../errors.js";
import { type Axis, antialiasPlan, applyPlan, areaPlan, cubicPlan, linearPlan, nearestPlan } from "./resize-plans.js";
import { type PositionalArgs, positionalOptions } from "../../utils/positional.js";

export type InterpolateMode = "nearest" | "nearest-exact" | "linear" | "bilinear" | "bicubic" | "trilinear" | "area";

const MODES: readonly InterpolateMode[] = ["nearest", "linear", "bilinear", "bicubic", "trilinear", "area", "nearest-exact"];
/** The modes that interpolate between pixels and so take `alignCorners`, with the input rank each needs. */
const RANK_OF: Partial<Record<InterpolateMode, number>> = { linear: 3, bilinear: 4, bicubic: 4, trilinear: 5 };

export interface InterpolateOptions {
  /** Output spatial size: one number for every spatial dim, or one per dim. */
  size?: number | readonly number[] | null;
  /** Multiplier for the spatial size (output = ⌊input · scaleFactor⌋); exclusive with `size`. */
  scaleFactor?: number | readonly number[] | null;
  mode?: InterpolateMode;
  /** linear, bilinear, bicubic, trilinear: map the corner pixels' centres onto each other (default false). */
  alignCorners?: boolean | null;
  /**
   * With `scaleFactor`: compute the output size ⌊input · scaleFactor⌋ and then sample as if that
   * size had been given (source step input/output), instead of stepping by 1/scaleFactor.
   */
  recomputeScaleFactor?: boolean | null;
  /** bilinear/bicubic on 4-D input: low-pass filter while downsampling, as PIL does (default false). */
  antialias?: boolean;
}

/** A validated call: the mode and one resampling problem per spatial dim. */
interface Resize {
  mode: InterpolateMode;
  alignCorners: boolean;
  antialias: boolean;
  axes: Axis[];
  /** The scale factors PyTorch steps by, or null when it steps by the output size (for ONNX export). */
  factors: number[] | null;
}

/**
 * Resamples the spatial dims (all dims after [N, C]) to a new size. With s = 1/scaleFactor if given
 * (and not recomputed), else in/out, output position i reads:
 *
 * - `nearest`: in[min(⌊i·s⌋, in − 1)]; `nearest-exact`: in[min(⌊(i + ½)·s⌋, in − 1)] (any rank).
 * - `linear` (3-D input), `bilinear` (4-D), `trilinear` (5-D): linear in each dim at source
 *   coordinate (i + ½)·s − ½ clamped at 0, or i·(in − 1)/(out − 1) with `alignCorners`.
 * - `bicubic` (4-D): Keys' cubic convolution (A = −0.75) of the four pixels around the same
 *   (unclamped) coordinate, indices clamped to the border.
 * - `area`: the mean over the box [⌊i·in/out⌋, ⌈(i + 1)·in/out⌉) (adaptive average pooling).
 * - `antialias` (bilinear/bicubic, 4-D): when downsampling by s > 1 the filter is stretched by s
 *   (a triangle or a cubic with a = −0.5), so every source pixel contributes, as PIL's resize.
 *
 * Shapes: [N, C, ...spatial] → [N, C, ...size], spatial of 1 to 3 dims.
 * ```ts
 * F.interpolate(randn([1, 3, 14, 14]), { scaleFactor: 2, mode: "bilinear" }).shape; // [1, 3, 28, 28]
 * F.interpolate(randn([1, 3, 5]), { size: 8 }).shape;                                // [1, 3, 8]
 * F.interpolate(randn([1, 3, 64, 64]), { size: 20, mode: "bicubic", antialias: true }).shape; // [1, 3, 20, 20]
 * ```
 */
/** PyTorch's positional order (size, scaleFactor, mode, alignCorners, recomputeScaleFactor, antialias), then an optional options object. */
export function interpolate(input: Tensor, ...args: PositionalArgs<[size: (InterpolateOptions)["size"], scaleFactor: (InterpolateOptions)["scaleFactor"], mode: (InterpolateOptions)["mode"], alignCorners: (InterpolateOptions)["alignCorners"], recomputeScaleFactor: (InterpolateOptions)["recomputeScaleFactor"], antialias: (InterpolateOptions)["antialias"]], InterpolateOptions>): Tensor;
export function interpolate(input: Tensor, opts?: InterpolateOptions): Tensor;
export function interpolate(input: Tensor, ...args: unknown[]): Tensor {
  let opts = positionalOptions<InterpolateOptions>("interpolate", args, { keys: ["size", "scaleFactor", "mode", "alignCorners", "recomputeScaleFactor", "antialias"] });
  const r = parse(input, opts ?? {});
  if (r.axes.some((a) => a.outSize === 0)) // area mode only (parse refuses it otherwise)
    return emptyResult("interpolate", [...input.shape.slice(0, 2), ...r.axes.map((a) => a.outSize)], input, [input]);
  return traceUnit("interpolate", input, { mode: r.mode, alignCorners: r.alignCorners, antialias: r.antialias, scales: r.factors }, () => resample(input, r));
}

function parse(input: Tensor, opts: InterpolateOptions): Resize {
  const op = "interpolate";
  if (!(input instanceof Tensor)) throw new TensileError(`${op}: input must be a Tensor, got ${fmtValue(input)}`);
  check(typeof opts === "object" && !Array.isArray(opts), op, () => `expected an options object, got ${fmtValue(opts)}`);
  const { size = null, scaleFactor = null, mode = "nearest", recomputeScaleFactor = null, antialias = false } = opts;
  check(MODES.includes(mode), op, () => `unknown mode ${fmtValue(mode)} (expected one of ${MODES.map((m) => `"${m}"`).join(", ")})`);
  const interpolating = mode in RANK_OF;
  if (!interpolating && opts.alignCorners !== undefined && opts.alignCorners !== null)
    throw new TensileError(`${op}: align_corners option can only be set with the interpolating modes: linear | bilinear | bicubic | trilinear (got mode "${mode}")`);
  check(input.dtype === "float32" || input.dtype === "float64", op, () => `expected a floating point input, got ${input.dtype}`);
  const nd = input.ndim - 2;
  const rank = RANK_OF[mode];
  if (rank !== undefined && input.ndim >= 3 && input.ndim <= 5 && input.ndim !== rank)
    throw new TensileError(`${op}: got ${input.ndim}D input of shape ${fmtShape(input.shape)}, but ${mode} mode needs ${rank}D input`);
  check(input.ndim >= 3 && input.ndim <= 5, op, () =>
    `only 3D, 4D and 5D input tensors [N, C, ...spatial] are supported for mode "${mode}", got ${input.ndim}D input of shape ${fmtShape(input.shape)}`);
  check((size === null) !== (scaleFactor === null), op, size === null
    ? "either size or scale_factor should be defined"
    : "only one of size or scale_factor should be defined");
  const inSizes = input.shape.slice(2);
  const list = (v: number | readonly number[], name: string): number[] => {
    check(typeof v === "number" || Array.isArray(v), op, () => `${name} must be a number or an array of numbers, got ${fmtValue(v)}`);
    const a = typeof v === "number" ? Array<number>(nd).fill(v) : [...v];
    check(a.length === nd, op, () =>
      `input and ${name} must have the same number of spatial dimensions, but got input with spatial dimensions of ${fmtShape(inSizes)} and ${name} ${fmtShape(a)}`);
    check(a.every((x) => typeof x === "number" && Number.isFinite(x)), op, () => `${name} must be finite numbers, got ${fmtValue(v)}`);
    return a;
  };
  check(recomputeScaleFactor !== true || size === null, op, "recompute_scale_factor is not meaningful with an explicit size");
  check(typeof antialias === "boolean", op, () => `antialias must be a boolean, got ${fmtValue(antialias)}`);
  check(!antialias || ((mode === "bilinear" || mode === "bicubic") && input.ndim === 4), op, () =>
    `anti-alias option is only supported for bilinear and bicubic modes on 4D input, got mode "${mode}" and input of shape ${fmtShape(input.shape)}`);
  // area always resamples by the output size alone, as with recomputeScaleFactor
  const recompute = recomputeScaleFactor === true || mode === "area";
  const axes: Axis[] = size !== null
    ? list(size, "size").map((o, i) => ({ inSize: inSizes[i]!, outSize: o, scale: null }))
    : list(scaleFactor!, "scale_factor").map((s, i) => {
      check(s > 0, op, () => `scale_factor must be positive, got ${fmtValue(scaleFactor)}`);
      return { inSize: inSizes[i]!, outSize: Math.floor(inSizes[i]! * s), scale: recompute ? null : 1 / s };
    });
  // area is adaptive average pooling, which (as torch's) allows an empty output
  check(axes.every((a) => Number.isInteger(a.outSize) && (a.outSize > 0 || (mode === "area" && a.outSize === 0))) && inSizes.every((s) => s > 0), op, () =>
    `input and output sizes should be greater than 0, but got input ${fmtShape(inSizes)} and output ${fmtShape(axes.map((a) => a.outSize))}`);
  const factors = scaleFactor !== null && !recompute ? list(scaleFactor, "scale_factor") : null;
  return { mode, alignCorners: interpolating ? opts.alignCorners ?? false : false, antialias, axes, factors };
}

/** Applies a plan along `dim`: Σ_k w_k · x.indexSelect(dim, idx_k), the weights broadcast along `dim`. */
function resample(input: Tensor, r: Resize): Tensor {
  const { mode, alignCorners, antialias } = r;
  const f = input.dtype === "float32" ? Math.fround : (x: number) => x;
  let y = input;
  // PyTorch's separable kernels run the last dim first; the order matters only for rounding
  for (let i = r.axes.length - 1; i >= 0; i--) {
    const a = r.axes[i]!, dim = 2 + i;
    // PyTorch's linear kernels copy a dim whose size is kept whatever the scale factor says, and
    // so does its nearest kernel for channels-last memory (which a one-channel 4-D or 5-D input
    // is), which also halves indices for an exact doubling and works in float32 for any dtype
    const linear = mode === "linear" || mode === "bilinear" || mode === "trilinear";
    const channelsLast = input.ndim > 3 && input.shape[1] === 1;
    const shortcut = mode === "nearest" && channelsLast;
    const keeps = a.scale === null || a.scale === 1 || alignCorners || (linear && !antialias) || shortcut;
    if (a.outSize === a.inSize && keeps) continue;
    if (shortcut && a.outSize === 2 * a.inSize) {
      y = y.indexSelect(dim, tensor(Int32Array.from({ length: a.outSize }, (_, j) => j >> 1)));
      continue;
    }
    if (linear) {
      if (antialias) {
        y = applyPlan(y, dim, antialiasPlan(a, "bilinear", alignCorners, f));
        continue;
      }
      const { i0, i1, lambda } = linearPlan(a, alignCorners, f);
      const shape = input.shape.map((_, d) => (d === dim ? a.outSize : 1));
      // PyTorch's kernel computes w0·lo + w1·hi with w0 = 1 − w1, compiled into fma(lo, w0, w1·hi):
      // for float32 the product lo·w0 is exact in float64 and the sum is rounded once, so results
      // match bit for bit (which decides uint8 images' rounding where a value lands on a half)
      const w0 = lambda.map((v) => f(1 - v));
      const lo = y.indexSelect(dim, tensor(i0)), hi = y.indexSelect(dim, tensor(i1));
      if (input.dtype === "float32") {
        const p = hi.mul(tensor(Float32Array.from(lambda), { shape }));
        y = lo.to("float64").mul(tensor(w0, { shape })).add(p.to("float64")).to("float32");
      } else y = lo.mul(tensor(w0, { shape })).add(hi.mul(tensor(lambda, { shape })));
      continue;
    }
    const plan = mode === "nearest" || mode === "nearest-exact" ? nearestPlan(a, mode === "nearest-exact", channelsLast ? Math.fround : f)
      : mode === "area" ? areaPlan(a)
      : antialias ? antialiasPlan(a, "bicubic", alignCorners, f)
      : cubicPlan(a, alignCorners, f);
    y = applyPlan(y, dim, plan);
  }
  return y === input ? input.clone() : y;
}
