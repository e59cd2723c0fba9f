/**
 * Spatial transformers: `F.affineGrid` (a sampling grid from affine matrices) and `F.gridSample`
 * (bilinear, nearest or bicubic sampling of an image at grid points). Both are composites: the grid
 * is a matrix product, and sampling gathers the neighbouring pixels (four, or sixteen for bicubic)
 * with weights that are polynomials in the grid's fractional offsets, so autograd gives the
 * gradients for the input and the grid as PyTorch's kernels do.
 */
import { linspaceValues } from "../../tensor/linspace.js";
import { Tensor, tensor, where, zeros } from "../../core.js";
import { TensileError, check, fmtShape, fmtValue } from "../../errors.js";
import { type PositionalArgs, positionalOptions } from "../../utils/positional.js";

export interface AffineGridOptions {
  /** Map −1 and 1 to the centres of the corner pixels (true) or to their outer edges (false, default). */
  alignCorners?: boolean | null;
}

/** `n` normalised coordinates from −1 to 1 (times (n − 1)/n without alignCorners), as PyTorch's linspace_from_neg_one. */
function axis(n: number, alignCorners: boolean, f64: boolean): number[] {
  if (n <= 1) return n === 1 ? [0] : [];
  const f = f64 ? (x: number) => x : Math.fround;
  const out = linspaceValues(-1, 1, n, f64 ? "float64" : "float32");
  return alignCorners ? out : out.map((v) => f(f(v * (n - 1)) / n));
}

/**
 * The sampling grid of affine maps: for every output position (x, y[, z]) in normalised
 * coordinates, grid = θ · (x, y[, z], 1).
 *
 * Shapes: theta [N, 2, 3] with size [N, C, H, W] → [N, H, W, 2]; theta [N, 3, 4] with size
 * [N, C, D, H, W] → [N, D, H, W, 3].
 * ```ts
 * const grid = F.affineGrid(tensor([[[1, 0, 0], [0, 1, 0]]]), [1, 1, 4, 4]); // the identity grid
 * ```
 */
/** PyTorch's positional order (alignCorners), then an optional options object. */
export function affineGrid(theta: Tensor, size: readonly number[], ...args: PositionalArgs<[alignCorners: (AffineGridOptions)["alignCorners"]], AffineGridOptions>): Tensor;
export function affineGrid(theta: Tensor, size: readonly number[], opts?: AffineGridOptions): Tensor;
export function affineGrid(theta: Tensor, size: readonly number[], ...args: unknown[]): Tensor {
  let opts = positionalOptions<AffineGridOptions>("affineGrid", args, { keys: ["alignCorners"] });
  const op = "affineGrid";
  if (!(theta instanceof Tensor)) throw new TensileError(`${op}: theta must be a Tensor, got ${fmtValue(theta)}`);
  check(Array.isArray(size) && (size.length === 4 || size.length === 5) && size.every((s) => Number.isInteger(s) && s >= 0), op, () =>
    `size must be a list of 4 integers [N, C, H, W] or 5 integers [N, C, D, H, W], got ${fmtValue(size)}`);
  check(opts === null || (typeof opts === "object" && !Array.isArray(opts)), op, () => `expected an options object, got ${fmtValue(opts)}`);
  check(theta.dtype === "float32" || theta.dtype === "float64", op, () => `expected a floating point theta, got ${theta.dtype}`);
  const nd = size.length - 2;
  const N = size[0]!;
  check(theta.ndim === 3 && theta.shape[0] === N && theta.shape[1] === nd && theta.shape[2] === nd + 1, op, () =>
    `expected a batch of ${nd}D affine matrices of shape [N, ${nd}, ${nd + 1}] for size ${fmtShape(size)}, got theta of shape ${fmtShape(theta.shape)}`);
  const align = opts?.alignCorners ?? false;
  const f64 = theta.dtype === "float64";
  const spatial = size.slice(2); // [D,] H, W
  const axes = spatial.map((n) => axis(n, align, f64)); // per dim, outermost first
  const count = spatial.reduce((a, b) => a * b, 1);
  const base = new Float64Array(count * (nd + 1));
  for (let p = 0; p < count; p++) {
    let rem = p;
    const coord: number[] = [];
    for (let d = nd - 1; d >= 0; d--) {
      coord[d] = axes[d]![rem % spatial[d]!]!;
      rem = Math.floor(rem / spatial[d]!);
    }
    // columns: x (last dim), y, [z], 1
    for (let j = 0; j < nd; j++) base[p * (nd + 1) + j] = coord[nd - 1 - j]!;
    base[p * (nd + 1) + nd] = 1;
  }
  const b = tensor(f64 ? base : Float32Array.from(base), { shape: [1, count, nd + 1] });
  return b.matmul(theta.transpose(1, 2)).reshape([N, ...spatial, nd]);
}

export type GridSampleMode = "bilinear" | "nearest" | "bicubic";
export type GridSamplePadding = "zeros" | "border" | "reflection";

export interface GridSampleOptions {
  mode?: GridSampleMode;
  /** What sampling outside the image reads: zeros (default), the nearest border pixel, or the reflected image. */
  paddingMode?: GridSamplePadding;
  /** −1 and 1 are the centres of the corner pixels (true) or their outer edges (false, default). */
  alignCorners?: boolean | null;
}

/** PyTorch's reflect_coordinates: reflects `x` into [low, high] (given doubled). */
function reflect(x: Tensor, twiceLow: number, twiceHigh: number): Tensor {
  if (twiceLow === twiceHigh) return x.mul(0);
  const min = twiceLow / 2, span = (twiceHigh - twiceLow) / 2;
  const a = x.sub(min).abs();
  const extra = a.remainder(span);
  const flips = a.div(span).floor();
  const even = flips.remainder(2).eq(0);
  return where(even, extra.add(min), extra.neg().add(span + min));
}

/** Grid coordinate → pixel coordinate, padded as asked (PyTorch's grid_sampler_compute_source_index). */
function sourceIndex(g: Tensor, size: number, padding: GridSamplePadding, align: boolean): Tensor {
  let x = align ? g.add(1).div(2).mul(size - 1) : g.add(1).mul(size).sub(1).div(2);
  if (padding === "border") x = x.clamp(0, size - 1);
  else if (padding === "reflection") {
    x = align ? reflect(x, 0, 2 * (size - 1)) : reflect(x, -1, 2 * size - 1);
    x = x.clamp(0, size - 1);
  }
  return x;
}

/** Keys' cubic convolution weights (A = −0.75) of the four taps around fractional offset t (PyTorch's get_cubic_upsample_coefficients). */
function cubicWeights(t: Tensor): Tensor[] {
  const A = -0.75;
  const near = (x: Tensor) => x.mul(A + 2).sub(A + 3).mul(x).mul(x).add(1); // |x| ≤ 1
  const far = (x: Tensor) => x.mul(A).sub(5 * A).mul(x).add(8 * A).mul(x).sub(4 * A); // 1 < |x| < 2
  const u = t.neg().add(1);
  return [far(t.add(1)), near(t), near(u), far(u.add(1))];
}

/**
 * Bicubic grid sampling (PyTorch's grid_sampler_2d, mode "bicubic"): the 4×4 pixels around the
 * unpadded source point, each tap's coordinate padded on its own (border clamps, reflection
 * reflects; zeros reads 0 outside), combined along x and then y with cubic convolution weights
 * of the fractional offsets, through which the grid gets its gradient.
 */
function bicubic(grid: Tensor, W: number, H: number, padding: GridSamplePadding, align: boolean, at: (x: Tensor, y: Tensor) => Tensor): Tensor {
  const ix = sourceIndex(grid.select(3, 0), W, "zeros", align), iy = sourceIndex(grid.select(3, 1), H, "zeros", align);
  const x0 = ix.detach().floor(), y0 = iy.detach().floor();
  const wx = cubicWeights(ix.sub(x0).unsqueeze(1)), wy = cubicWeights(iy.sub(y0).unsqueeze(1)); // each [N, 1, Ho, Wo]
  const bound = (c: Tensor, size: number): Tensor => {
    if (padding === "border") return c.clamp(0, size - 1);
    if (padding === "reflection") return (align ? reflect(c, 0, 2 * (size - 1)) : reflect(c, -1, 2 * size - 1)).clamp(0, size - 1);
    return c;
  };
  const xs = [0, 1, 2, 3].map((k) => bound(x0.add(k - 1), W)), ys = [0, 1, 2, 3].map((k) => bound(y0.add(k - 1), H));
  let out: Tensor | null = null;
  for (let j = 0; j < 4; j++) {
    let row = at(xs[0]!, ys[j]!).mul(wx[0]!);
    for (let k = 1; k < 4; k++) row = row.add(at(xs[k]!, ys[j]!).mul(wx[k]!));
    const term = row.mul(wy[j]!);
    out = out === null ? term : out.add(term);
  }
  return out!;
}

/**
 * Samples `input` at the `grid` points (x, y in [−1, 1] from the left/top to the right/bottom
 * edge): bilinear interpolation of the four neighbouring pixels, the nearest pixel (ties to
 * even), or bicubic interpolation (Keys, A = −0.75) of the sixteen around it. Points outside
 * read zeros, the border or the reflection, per `paddingMode`. Gradients flow to the input and
 * (bilinear, bicubic) to the grid.
 *
 * Shapes: input [N, C, H, W], grid [N, H_out, W_out, 2] → [N, C, H_out, W_out].
 * ```ts
 * const x = randn([1, 3, 8, 8]);
 * F.gridSample(x, F.affineGrid(tensor([[[0.5, 0, 0], [0, 0.5, 0]]]), [1, 3, 8, 8])); // 2× zoom on the centre
 * ```
 */
/** PyTorch's positional order (mode, paddingMode, alignCorners), then an optional options object. */
export function gridSample(input: Tensor, grid: Tensor, ...args: PositionalArgs<[mode: (GridSampleOptions)["mode"], paddingMode: (GridSampleOptions)["paddingMode"], alignCorners: (GridSampleOptions)["alignCorners"]], GridSampleOptions>): Tensor;
export function gridSample(input: Tensor, grid: Tensor, opts?: GridSampleOptions): Tensor;
export function gridSample(input: Tensor, grid: Tensor, ...args: unknown[]): Tensor {
  let opts = positionalOptions<GridSampleOptions>("gridSample", args, { keys: ["mode", "paddingMode", "alignCorners"] });
  const op = "gridSample";
  if (!(input instanceof Tensor)) throw new TensileError(`${op}: input must be a Tensor, got ${fmtValue(input)}`);
  if (!(grid instanceof Tensor)) throw new TensileError(`${op}: grid must be a Tensor, got ${fmtValue(grid)}`);
  check(opts === null || (typeof opts === "object" && !Array.isArray(opts)), op, () => `expected an options object, got ${fmtValue(opts)}`);
  const { mode = "bilinear", paddingMode = "zeros" } = opts ?? {};
  const align = opts?.alignCorners ?? false;
  check(mode === "bilinear" || mode === "nearest" || mode === "bicubic", op, () => `mode must be "bilinear", "nearest" or "bicubic", got ${fmtValue(mode)}`);
  check(paddingMode === "zeros" || paddingMode === "border" || paddingMode === "reflection", op, () =>
    `padding_mode must be "zeros", "border" or "reflection", got ${fmtValue(paddingMode)}`);
  check(input.ndim === 4, op, () => `expected a 4-D input [N, C, H, W] (5-D inputs are not supported), got shape ${fmtShape(input.shape)}`);
  check(input.dtype === "float32" || input.dtype === "float64", op, () => `expected a floating point input, got ${input.dtype}`);
  check(grid.dtype === input.dtype, op, () => `expected grid to have the same dtype as input (${input.dtype}), got ${grid.dtype}`);
  const [N, C, H, W] = input.shape as [number, number, number, number];
  check(grid.ndim === 4 && grid.shape[0] === N && grid.shape[3] === 2, op, () =>
    `expected grid of shape [N, H_out, W_out, 2] with N = ${N} for input ${fmtShape(input.shape)}, got ${fmtShape(grid.shape)}`);
  check(H > 0 && W > 0, op, () => `expected input to have non-empty spatial dimensions, got ${fmtShape(input.shape)}`);
  const [, Ho, Wo] = grid.shape as [number, number, number];
  const L = Ho * Wo;
  const ix = sourceIndex(grid.select(3, 0), W, paddingMode, align); // [N, Ho, Wo]
  const iy = sourceIndex(grid.select(3, 1), H, paddingMode, align);
  const flat = input.reshape([N, C, H * W]);
  const dtype = input.dtype;
  /** input at integer pixel (x, y) (float tensors [N, Ho, Wo]); zero where outside the image. */
  const at = (x: Tensor, y: Tensor): Tensor => {
    const inside = x.ge(0).logicalAnd(x.le(W - 1)).logicalAnd(y.ge(0)).logicalAnd(y.le(H - 1));
    const idx = y.clamp(0, H - 1).mul(W).add(x.clamp(0, W - 1)).to("int32").reshape([N, 1, L]).expand([N, C, L]);
    return flat.gather(2, idx).reshape([N, C, Ho, Wo]).mul(inside.to(dtype).unsqueeze(1));
  };
  if (mode === "nearest") {
    // the grid gets a zero gradient, as PyTorch's (piecewise constant); `where` never selects it
    const out = at(ix.detach().round(), iy.detach().round());
    return grid.requiresGrad ? where(zeros([1], { dtype: "bool" }), ix.add(iy).unsqueeze(1), out) : out;
  }
  if (mode === "bicubic") return bicubic(grid, W, H, paddingMode, align, at);
  const x0 = ix.detach().floor(), y0 = iy.detach().floor();
  const x1 = x0.add(1), y1 = y0.add(1);
  const wx1 = ix.sub(x0).unsqueeze(1), wy1 = iy.sub(y0).unsqueeze(1); // [N, 1, Ho, Wo]
  const wx0 = x1.sub(ix).unsqueeze(1), wy0 = y1.sub(iy).unsqueeze(1);
  return at(x0, y0).mul(wx0.mul(wy0))
    .add(at(x1, y0).mul(wx1.mul(wy0)))
    .add(at(x0, y1).mul(wx0.mul(wy1)))
    .add(at(x1, y1).mul(wx1.mul(wy1)));
}
