/**
 * Pooling: `F.maxPool1d`, `F.maxPool2d`, `F.avgPool1d`, `F.avgPool2d`, `F.adaptiveAvgPool1d`,
 * `F.adaptiveAvgPool2d`, `F.adaptiveMaxPool1d`, `F.adaptiveMaxPool2d`, `F.lpPool1d`, `F.lpPool2d` (NCHW).
 *
 * Max pooling runs the backend's one-pass kernel (values and argmax together; PyTorch's rule: the
 * first maximum, or the last NaN) and its gradient scatters g to the argmax of each window; a
 * window lying wholly in the padding (dilation wider than the input) gives −∞ and no gradient.
 * Average pooling reads its windows with the backend's im2col primitive (one plane per (n, c),
 * zero-padded), then sums over the window axis; no per-element JS. Adaptive average pooling is
 * two small matrix products with averaging matrices (Pₕ · x · P_wᵀ) on finite input; an inf or NaN
 * switches it to averaging each spatial dim over its own windows only (`F.interpolate`'s area
 * plan), so a non-finite element reaches only the windows that contain it, as in PyTorch.
 */
import { MAX_ELEMENTS } from "../../tensor/shape.js";
import { traceUnit } from "../../autograd/trace.js";
import { Tensor, isGradEnabled, tensor, zeros } from "../../core.js";
import type { Im2colParams } from "../../backends/backend.js";
import { record } from "../../autograd/engine.js";
import { wrap } from "../../ops/util.js";
import { TensileError, check, fmtShape, fmtValue } from "../../errors.js";
import { type Size2, emptyResult, im2col, pair, windowCount } from "./fold.js";
import { applyPlan, areaPlan } from "./resize-plans.js";
import { gatherMax, windowMax } from "./window-max.js";
import { type PositionalArgs, positionalOptions } from "../../utils/positional.js";

export interface MaxPoolOptions {
  /** Window step; defaults to `kernelSize`. */
  stride?: Size2 | null;
  /** Implicit −∞ padding on both sides (at most half the kernel). */
  padding?: Size2;
  dilation?: Size2;
  /** Use ⌈·⌉ instead of ⌊·⌋ for the output size (a last partial window is kept). */
  ceilMode?: boolean;
  /** Also return the argmax of each window as int32 indices into the flattened input plane. */
  returnIndices?: boolean;
}

export interface AvgPoolOptions {
  stride?: Size2 | null;
  padding?: Size2;
  ceilMode?: boolean;
  /** Count the zero padding in the divisor (default true). */
  countIncludePad?: boolean;
  /** Divide every window sum by this instead of the window size. */
  divisorOverride?: number | null;
}

/** Resolved 2-D window geometry plus the output size. */
interface Window {
  k: number[]; s: number[]; p: number[]; d: number[];
  out: [number, number];
  /** Extra rows/cols appended (bottom/right) so a ceil-mode last window fits into im2col's floor count. */
  extra: [number, number];
  /** Output rows / cols whose window has no tap inside the input (possible once dilation > size). */
  empty: [number[], number[]];
}

/** Output positions along one dim whose window taps start + t·d (t < k) all miss [0, size). */
function emptyWindows(size: number, k: number, s: number, p: number, d: number, out: number): number[] {
  const r: number[] = [];
  for (let i = 0; i < out; i++) {
    const start = i * s - p, t0 = start >= 0 ? 0 : Math.ceil(-start / d);
    if (t0 >= k || start + t0 * d >= size) r.push(i);
  }
  return r;
}

function planes(op: string, x: Tensor, nd: number): Tensor {
  check(x instanceof Tensor, op, "input must be a Tensor");
  check(x.ndim === nd + 1 || x.ndim === nd + 2, op, () =>
    `expected ${nd + 1}D (unbatched) or ${nd + 2}D (batched) input ${nd === 1 ? "[N, C, L]" : "[N, C, H, W]"}, got shape ${fmtShape(x.shape)}`);
  check(x.dtype === "float32" || x.dtype === "float64", op, () => `expected a floating point input, got ${x.dtype}`);
  return x;
}

function window(op: string, x4: Tensor, input: Tensor, nd: number, kernel: Size2, stride: Size2 | null | undefined,
  padding: Size2, dilation: Size2, ceilMode: boolean): Window {
  const lift = (a: number[], fill: number) => (nd === 1 ? [fill, a[0]!] : a);
  const k = lift(pair(op, "kernel_size", kernel, 1, nd), 1);
  const noStride = stride === null || stride === undefined || (Array.isArray(stride) && stride.length === 0);
  const s = noStride ? k : lift(pair(op, "stride", stride!, 1, nd), 1);
  const p = lift(pair(op, "padding", padding, 0, nd), 0);
  const d = lift(pair(op, "dilation", dilation, 1, nd), 1);
  check(p.every((pp, i) => pp <= k[i]! / 2), op, () =>
    `pad should be at most half of kernel size, but got pad=${fmtShape(nd === 1 ? p.slice(1) : p)} and kernel_size=${fmtShape(nd === 1 ? k.slice(1) : k)}`);
  const [H, W] = x4.shape.slice(2) as [number, number];
  const out = [0, 1].map((i) => windowCount([H, W][i]!, k[i]!, s[i]!, p[i]!, d[i]!, ceilMode)) as [number, number];
  check(out[0] > 0 && out[1] > 0, op, () =>
    `output size is too small (computed ${fmtShape(nd === 1 ? out.slice(1) : out)} from input ${fmtShape(input.shape)}, kernel_size ${fmtShape(nd === 1 ? k.slice(1) : k)}, stride ${fmtShape(nd === 1 ? s.slice(1) : s)}, padding ${fmtShape(nd === 1 ? p.slice(1) : p)})`);
  // Rows a ceil-mode window reads beyond the padded input: (out − 1)·s + d(k − 1) + 1 − (size + 2p).
  const extra = [0, 1].map((i) => Math.max(0, (out[i]! - 1) * s[i]! + d[i]! * (k[i]! - 1) + 1 - ([H, W][i]! + 2 * p[i]!))) as [number, number];
  const empty = [0, 1].map((i) => emptyWindows([H, W][i]!, k[i]!, s[i]!, p[i]!, d[i]!, out[i]!)) as [number[], number[]];
  return { k, s, p, d, out, extra, empty };
}

const params = (w: Window, padValue: number): Im2colParams => ({
  kernel: [w.k[0]!, w.k[1]!], stride: [w.s[0]!, w.s[1]!], padding: [w.p[0]!, w.p[1]!], dilation: [w.d[0]!, w.d[1]!], padValue,
});

/** x as [N·C, 1, H, W] (+ ceil-mode margin filled with `fill`), the plane layout pooling unfolds. */
function asPlanes(x4: Tensor, w: Window, fill: number): Tensor {
  const [N, C, H, W] = x4.shape as [number, number, number, number];
  let xp = x4.reshape([N * C, 1, H, W]);
  if (w.extra[0] > 0 || w.extra[1] > 0) xp = xp.pad([0, w.extra[1], 0, w.extra[0]], "constant", fill);
  return xp;
}

/**
 * Each window's taps inside the input as flat plane indices (row·W + col), K = kh·kw per output
 * position, in PyTorch's scan order; a short window repeats its last tap, an empty one reads 0
 * (masked by the caller). `ok` flags the windows with at least one tap.
 */
function windowTable(w: Window, H: number, W: number): { table: Int32Array; ok: Uint8Array; K: number } {
  const taps = (size: number, i: number, n: number): number[] => {
    const r: number[] = [];
    for (let t = 0; t < w.k[i]!; t++) {
      const z = n * w.s[i]! - w.p[i]! + t * w.d[i]!;
      if (z >= 0 && z < size) r.push(z);
    }
    return r;
  };
  const [oh, ow] = w.out, K = w.k[0]! * w.k[1]!;
  const table = new Int32Array(oh * ow * K), ok = new Uint8Array(oh * ow);
  for (let y = 0; y < oh; y++) {
    const rows = taps(H, 0, y);
    for (let z = 0; z < ow; z++) {
      const cols = taps(W, 1, z), base = (y * ow + z) * K;
      let n = 0;
      for (const r of rows) for (const c of cols) table[base + n++] = r * W + c;
      ok[y * ow + z] = n > 0 ? 1 : 0;
      for (; n > 0 && n < K; n++) table[base + n] = table[base + n - 1]!;
    }
  }
  return { table, ok, K };
}

function maxPool(op: string, nd: 1 | 2, input: Tensor, kernelSize: Size2, o: MaxPoolOptions): Tensor | [Tensor, Tensor] {
  o ??= {};
  planes(op, input, nd);
  const batched = input.ndim === nd + 2;
  let x4 = batched ? input : input.unsqueeze(0);
  if (nd === 1) x4 = x4.unsqueeze(2);
  check(x4.shape[2]! > 0 && x4.shape[3]! > 0, op, () =>
    `expected ${nd + 1}D or ${nd + 2}D (batch mode) input with non-zero spatial size, got shape ${fmtShape(input.shape)}`);
  const w = window(op, x4, input, nd, kernelSize, o.stride, o.padding ?? 0, o.dilation ?? 1, o.ceilMode ?? false);
  const [N, C, H, W] = x4.shape as [number, number, number, number];
  const [oh, ow] = w.out, L = oh * ow, NC = N * C;
  const outShape = nd === 1 ? [N, C, ow] : [N, C, oh, ow];
  const finish = (t: Tensor) => {
    const r = t.reshape(outShape);
    return batched ? r : r.squeeze(0);
  };
  // a window with no tap inside the input has the value −∞ (PyTorch ≥ 2's) and no argmax
  const hasEmpty = w.empty[0].length > 0 || w.empty[1].length > 0;
  if (hasEmpty && o.returnIndices) {
    const [dim, at] = w.empty[0].length > 0 ? [0, w.empty[0][0]!] : [1, w.empty[1][0]!];
    const where = nd === 1 ? `output position ${at}` : `output ${dim === 0 ? "row" : "column"} ${at}`;
    const sh = (a: number[]) => fmtShape(nd === 1 ? a.slice(1) : a);
    throw new TensileError(`${op}: the pooling window at ${where} lies entirely in the padding (input ${fmtShape(input.shape)}, ` +
      `kernel_size ${sh(w.k)}, stride ${sh(w.s)}, padding ${sh(w.p)}, dilation ${sh(w.d)}), so it has no argmax for returnIndices`);
  }
  if (NC === 0) {
    const v = emptyResult(op, [N, C, oh, ow], input, [x4]);
    return o.returnIndices ? [finish(v), finish(zeros([N, C, oh, ow], { dtype: "int32" }))] : finish(v);
  }
  const be = x4.backend;
  if (be.maxPool2d && be.maxPool2dBackward) {
    // One pass per window on the backend (values and argmax together); the backward scatters g
    // to the argmax positions. Under createGraph the backward is built from differentiable ops.
    const planesView = x4.detach().reshape([NC, H, W]);
    const [vs, is] = be.maxPool2d(planesView, params(w, -Infinity), w.out);
    const values = wrap(be, vs, [NC, L]);
    const idx = wrap(be, is, [NC, L]);
    const out = record(op, values, [x4], (g) => {
      const g2 = g.reshape([NC, L]);
      if (isGradEnabled()) {
        // an empty window's index is −1: it sends nothing back
        const [gi, gv] = hasEmpty ? [idx.clamp(0), g2.where(idx.ge(0), 0)] : [idx, g2];
        return [zeros([NC, H * W], { dtype: g.dtype }).scatterAdd(1, gi, gv).reshape([N, C, H, W])];
      }
      const gc = g2.contiguous();
      return [wrap(be, be.maxPool2dBackward!(gc, idx, H * W), [N, C, H, W])];
    }, o.returnIndices ? undefined : [idx], o.returnIndices ? [idx] : []); // indices the caller never sees are freed after backward
    return o.returnIndices ? [finish(out), finish(idx)] : finish(out);
  }
  // Without the backend's kernel: gather each window's taps inside the input and reduce them
  // with windowMax (same rule); autograd routes the gradient through the gathers.
  const { table, ok, K } = windowTable(w, H, W);
  let { values, indices } = gatherMax(x4.reshape([NC, H * W]), table, L, K, false);
  if (hasEmpty) {
    const okT = tensor(Array.from(ok, (v) => v === 1));
    values = values.where(okT, -Infinity);
    indices = indices.where(okT, -1);
  }
  return o.returnIndices ? [finish(values), finish(indices)] : finish(values);
}

/**
 * 1-D max pooling: y[n, c, l] = max_{k} x[n, c, l·s − p + k·d] (padding reads −∞).
 *
 * Shapes: [N, C, L] (or [C, L]) → [N, C, L_out], L_out = ⌊(L + 2p − d(k − 1) − 1)/s⌋ + 1 (⌈·⌉ with ceilMode);
 * with `returnIndices`, also int32 indices into L.
 * ```ts
 * F.maxPool1d(randn([2, 3, 8]), 2).shape; // [2, 3, 4]
 * ```
 */
export function maxPool1d(input: Tensor, kernelSize: Size2, opts: MaxPoolOptions & { returnIndices: true }): [Tensor, Tensor];
export function maxPool1d(input: Tensor, kernelSize: Size2, opts?: MaxPoolOptions & { returnIndices?: false }): Tensor;
/** PyTorch's positional order (stride, padding, dilation, ceilMode, returnIndices), then an optional options object. */
export function maxPool1d(input: Tensor, kernelSize: Size2, ...args: PositionalArgs<[stride: (MaxPoolOptions)["stride"], padding: (MaxPoolOptions)["padding"], dilation: (MaxPoolOptions)["dilation"], ceilMode: (MaxPoolOptions)["ceilMode"], returnIndices: (MaxPoolOptions)["returnIndices"]], MaxPoolOptions>): Tensor | [Tensor, Tensor];
export function maxPool1d(input: Tensor, kernelSize: Size2, opts?: MaxPoolOptions): Tensor | [Tensor, Tensor];
export function maxPool1d(input: Tensor, kernelSize: Size2, ...args: unknown[]): Tensor | [Tensor, Tensor] {
  let opts = positionalOptions<MaxPoolOptions>("maxPool1d", args, { keys: ["stride", "padding", "dilation", "ceilMode", "returnIndices"] });
  return traceUnit("maxPool1d", input, { kernelSize, ...opts }, () => maxPool("maxPool1d", 1, input, kernelSize, opts));
}

/**
 * 2-D max pooling: y[n, c, i, j] = max_{u, v} x[n, c, i·sh − ph + u·dh, j·sw − pw + v·dw] (padding reads −∞).
 *
 * Shapes: [N, C, H, W] (or [C, H, W]) → [N, C, H_out, W_out]; with `returnIndices`, also int32 indices
 * into the flattened H·W plane (as PyTorch's, for `maxUnpool2d`).
 * ```ts
 * F.maxPool2d(randn([8, 16, 28, 28]), 2).shape; // [8, 16, 14, 14]
 * const [y, idx] = F.maxPool2d(x, 3, { stride: 2, padding: 1, returnIndices: true });
 * ```
 */
export function maxPool2d(input: Tensor, kernelSize: Size2, opts: MaxPoolOptions & { returnIndices: true }): [Tensor, Tensor];
export function maxPool2d(input: Tensor, kernelSize: Size2, opts?: MaxPoolOptions & { returnIndices?: false }): Tensor;
/** PyTorch's positional order (stride, padding, dilation, ceilMode, returnIndices), then an optional options object. */
export function maxPool2d(input: Tensor, kernelSize: Size2, ...args: PositionalArgs<[stride: (MaxPoolOptions)["stride"], padding: (MaxPoolOptions)["padding"], dilation: (MaxPoolOptions)["dilation"], ceilMode: (MaxPoolOptions)["ceilMode"], returnIndices: (MaxPoolOptions)["returnIndices"]], MaxPoolOptions>): Tensor | [Tensor, Tensor];
export function maxPool2d(input: Tensor, kernelSize: Size2, opts?: MaxPoolOptions): Tensor | [Tensor, Tensor];
export function maxPool2d(input: Tensor, kernelSize: Size2, ...args: unknown[]): Tensor | [Tensor, Tensor] {
  let opts = positionalOptions<MaxPoolOptions>("maxPool2d", args, { keys: ["stride", "padding", "dilation", "ceilMode", "returnIndices"] });
  return traceUnit("maxPool2d", input, { kernelSize, ...opts }, () => maxPool("maxPool2d", 2, input, kernelSize, opts));
}

/**
 * 2-D average pooling: y[n, c, i, j] = Σ_window x / divisor, the divisor being the window size
 * (clipped to the padded input in ceil mode), the number of non-padding elements when
 * `countIncludePad` is false, or `divisorOverride`.
 *
 * Shapes: [N, C, H, W] (or [C, H, W]) → [N, C, H_out, W_out].
 * ```ts
 * F.avgPool2d(randn([8, 16, 28, 28]), 2).shape; // [8, 16, 14, 14]
 * ```
 */
/** PyTorch's positional order (stride, padding, ceilMode, countIncludePad, divisorOverride), then an optional options object. */
export function avgPool2d(input: Tensor, kernelSize: Size2, ...args: PositionalArgs<[stride: (AvgPoolOptions)["stride"], padding: (AvgPoolOptions)["padding"], ceilMode: (AvgPoolOptions)["ceilMode"], countIncludePad: (AvgPoolOptions)["countIncludePad"], divisorOverride: (AvgPoolOptions)["divisorOverride"]], AvgPoolOptions>): Tensor;
export function avgPool2d(input: Tensor, kernelSize: Size2, opts?: AvgPoolOptions): Tensor;
export function avgPool2d(input: Tensor, kernelSize: Size2, ...args: unknown[]): Tensor {
  let opts = positionalOptions<AvgPoolOptions>("avgPool2d", args, { keys: ["stride", "padding", "ceilMode", "countIncludePad", "divisorOverride"] });
  opts ??= {};
  return traceUnit("avgPool2d", input, { kernelSize, ...opts }, () => avgPool2dImpl(input, kernelSize, opts));
}

function avgPool2dImpl(input: Tensor, kernelSize: Size2, opts: AvgPoolOptions, op = "avgPool2d", nd: 1 | 2 = 2): Tensor {
  planes(op, input, nd);
  const batched = input.ndim === nd + 2;
  let x4 = batched ? input : input.unsqueeze(0);
  if (nd === 1) x4 = x4.unsqueeze(2);
  const w = window(op, x4, input, nd, kernelSize, opts.stride, opts.padding ?? 0, 1, opts.ceilMode ?? false);
  const override = opts.divisorOverride ?? null;
  check(override === null || (typeof override === "number" && override !== 0), op, () => `divisor must be not zero (got ${override})`);
  check(override === null || Number.isInteger(override), op, () => `divisorOverride must be an integer, got ${override}`);
  const [N, C, H, W] = x4.shape as [number, number, number, number];
  const [oh, ow] = w.out;
  const L = oh * ow;
  const divisor = new Float64Array(L);
  const include = opts.countIncludePad ?? true;
  for (let y = 0; y < oh; y++)
    for (let z = 0; z < ow; z++) {
      let h0 = y * w.s[0]! - w.p[0]!, w0 = z * w.s[1]! - w.p[1]!;
      let h1 = Math.min(h0 + w.k[0]!, H + w.p[0]!), w1 = Math.min(w0 + w.k[1]!, W + w.p[1]!);
      const padded = (h1 - h0) * (w1 - w0);
      h0 = Math.max(h0, 0), w0 = Math.max(w0, 0), h1 = Math.min(h1, H), w1 = Math.min(w1, W);
      divisor[y * ow + z] = override ?? (include ? padded : (h1 - h0) * (w1 - w0));
    }
  let out: Tensor;
  if (N * C === 0) out = emptyResult(op, [N, C, oh, ow], input, [x4]);
  else {
    const cols = im2col(asPlanes(x4, w, 0), params(w, 0)); // [N·C, kh·kw, L]
    const div = tensor(input.dtype === "float64" ? divisor : Float32Array.from(divisor));
    out = cols.sum(1).div(div).reshape([N, C, oh, ow]);
  }
  if (nd === 1) out = out.squeeze(2);
  return batched ? out : out.squeeze(0);
}

/**
 * Adaptive 2-D average pooling to a fixed output size: output cell (i, j) averages rows
 * ⌊i·H/oh⌋ … ⌈(i+1)·H/oh⌉ − 1 and columns likewise (windows may overlap when H is not a multiple of oh).
 * `outputSize` entries may be null to keep that input size.
 *
 * Shapes: [N, C, H, W] (or [C, H, W]) → [N, C, oh, ow].
 * ```ts
 * F.adaptiveAvgPool2d(randn([8, 512, 4, 4]), 1).shape; // [8, 512, 1, 1] (global average pooling)
 * ```
 */
export function adaptiveAvgPool2d(input: Tensor, outputSize: number | readonly (number | null)[]): Tensor {
  return traceUnit("adaptiveAvgPool2d", input, {}, () => adaptiveAvgPool2dImpl(input, outputSize));
}

function adaptiveAvgPool2dImpl(input: Tensor, outputSize: number | readonly (number | null)[]): Tensor {
  const op = "adaptiveAvgPool2d";
  planes(op, input, 2);
  const [H, W] = input.shape.slice(-2) as [number, number];
  check(H > 0 && W > 0, op, () => `expected input with non-zero spatial size, got shape ${fmtShape(input.shape)}`);
  check(typeof outputSize === "number" || Array.isArray(outputSize), op, () => `output_size must be an integer or a list of 2 integers, got ${fmtValue(outputSize)}`);
  const sizes = typeof outputSize === "number" ? [outputSize, outputSize] : [...outputSize];
  check(sizes.length === 2, op, () => `output_size must be an integer or a list of 2 integers, got ${fmtValue(outputSize)}`);
  const [oh, ow] = [sizes[0] ?? H, sizes[1] ?? W] as [number, number];
  check(Number.isInteger(oh) && Number.isInteger(ow) && oh >= 0 && ow >= 0, op, () => `output_size must be non-negative integers, got ${fmtValue(outputSize)}`);
  check(oh * ow <= MAX_ELEMENTS, op, () => `output_size ${fmtValue(outputSize)} makes planes of more elements than a tensor can hold (${MAX_ELEMENTS})`);
  if (oh === 0 || ow === 0) return emptyResult(op, [...input.shape.slice(0, -2), oh, ow], input, [input]);
  if (oh === 1 && ow === 1) return input.mean([-2, -1], true);
  if (H % oh === 0 && W % ow === 0) return avgPool2d(input, [H / oh, W / ow]);
  // Uneven (overlapping) windows. Finite input: two products with averaging matrices (Pₕ · x · P_wᵀ),
  // the fastest form. With an inf or NaN the matrices' zeros would spread it (0·inf = NaN) to every
  // window, so then average the columns, then the rows, each output reading only its own window.
  const dtype = input.dtype as "float32" | "float64";
  if (input.isfinite().all().item()) return adaptiveMatrix(H, oh, dtype).matmul(input.matmul(adaptiveMatrix(W, ow, dtype).t()));
  let y = input;
  if (W !== ow) y = applyPlan(y, input.ndim - 1, areaPlan({ inSize: W, outSize: ow, scale: null }));
  if (H !== oh) y = applyPlan(y, input.ndim - 2, areaPlan({ inSize: H, outSize: oh, scale: null }));
  return y;
}

/** [out, size] averaging matrix: row i averages PyTorch's adaptive window ⌊i·size/out⌋ … ⌈(i+1)·size/out⌉. */
function adaptiveMatrix(size: number, out: number, dtype: "float32" | "float64"): Tensor {
  const m = dtype === "float64" ? new Float64Array(out * size) : new Float32Array(out * size);
  for (let i = 0; i < out; i++) {
    const start = Math.floor((i * size) / out), end = Math.ceil(((i + 1) * size) / out);
    for (let j = start; j < end; j++) m[i * size + j] = 1 / (end - start);
  }
  return tensor(m, { shape: [out, size] });
}

// ---- 1-D average pooling, adaptive max pooling, power-average pooling ----

/**
 * 1-D average pooling: y[n, c, l] = Σ_{k} x[n, c, l·s − p + k] / divisor (see `avgPool2d`).
 *
 * Shapes: [N, C, L] (or [C, L]) → [N, C, L_out].
 * ```ts
 * F.avgPool1d(randn([2, 3, 8]), 2).shape; // [2, 3, 4]
 * ```
 */
/** PyTorch's positional order (stride, padding, ceilMode, countIncludePad), then an optional options object. */
export function avgPool1d(input: Tensor, kernelSize: Size2, ...args: PositionalArgs<[stride: (Omit<AvgPoolOptions, "divisorOverride">)["stride"], padding: (Omit<AvgPoolOptions, "divisorOverride">)["padding"], ceilMode: (Omit<AvgPoolOptions, "divisorOverride">)["ceilMode"], countIncludePad: (Omit<AvgPoolOptions, "divisorOverride">)["countIncludePad"]], Omit<AvgPoolOptions, "divisorOverride">>): Tensor;
export function avgPool1d(input: Tensor, kernelSize: Size2, opts?: Omit<AvgPoolOptions, "divisorOverride">): Tensor;
export function avgPool1d(input: Tensor, kernelSize: Size2, ...args: unknown[]): Tensor {
  let opts = positionalOptions<Omit<AvgPoolOptions, "divisorOverride">>("avgPool1d", args, { keys: ["stride", "padding", "ceilMode", "countIncludePad"] });
  opts ??= {};
  check(opts !== null && typeof opts === "object" && !Array.isArray(opts), "avgPool1d", () => `expected an options object, got ${fmtValue(opts)}`);
  return avgPool2dImpl(input, kernelSize, { ...opts, divisorOverride: null }, "avgPool1d", 1);
}

/**
 * Adaptive 1-D average pooling: output l averages x[⌊l·L/out⌋ … ⌈(l+1)·L/out⌉ − 1].
 *
 * Shapes: [N, C, L] (or [C, L]) → [N, C, outputSize].
 * ```ts
 * F.adaptiveAvgPool1d(randn([2, 3, 10]), 4).shape; // [2, 3, 4]
 * ```
 */
export function adaptiveAvgPool1d(input: Tensor, outputSize: number | readonly number[]): Tensor {
  const op = "adaptiveAvgPool1d";
  planes(op, input, 1);
  const size = adaptiveSizes(op, outputSize, 1, input.shape.slice(-1))[0]!;
  return adaptiveAvgPool2dImpl(input.unsqueeze(-2), [1, size]).squeeze(-2);
}

/** Normalises an adaptive pooling output size (null entries keep the input size). */
function adaptiveSizes(op: string, outputSize: unknown, nd: number, inSizes: readonly number[]): number[] {
  const bad = () => `output_size must be an integer or a list of ${nd} integers, got ${fmtValue(outputSize)}`;
  check(typeof outputSize === "number" || Array.isArray(outputSize), op, bad);
  const a = typeof outputSize === "number" ? Array<number | null>(nd).fill(outputSize) : [...(outputSize as (number | null)[])];
  check(a.length === nd, op, bad);
  const sizes = a.map((v, i) => v ?? inSizes[i]!);
  check(sizes.every((v) => Number.isInteger(v) && v >= 0), op, () => `output_size must be non-negative integers, got ${fmtValue(outputSize)}`);
  check(sizes.reduce((p, v) => p * v, 1) <= MAX_ELEMENTS, op, () => `output_size ${fmtValue(outputSize)} makes planes of more elements than a tensor can hold (${MAX_ELEMENTS})`);
  return sizes;
}

/**
 * Adaptive max pooling over the last `nd` dims: each output cell takes the maximum of PyTorch's
 * adaptive window ⌊i·H/oh⌋ … ⌈(i+1)·H/oh⌉ − 1 (per dim). The windows are gathered into
 * [N·C, L, K] (short windows repeat their last element, which never changes the maximum or which
 * element is the argmax), then reduced by `windowMax` (first maximum, last NaN: PyTorch's), whose
 * gradient goes to the argmax.
 */
function adaptiveMaxPool(op: string, nd: 1 | 2, input: Tensor, outputSize: unknown, returnIndices: boolean): Tensor | [Tensor, Tensor] {
  planes(op, input, nd);
  const inSizes = input.shape.slice(-nd);
  check(inSizes.every((d) => d > 0), op, () => `expected input with non-zero spatial size, got shape ${fmtShape(input.shape)}`);
  const outSizes = adaptiveSizes(op, outputSize, nd, inSizes);
  const [H, W] = nd === 1 ? [1, inSizes[0]!] : (inSizes as [number, number]);
  const [oh, ow] = nd === 1 ? [1, outSizes[0]!] : (outSizes as [number, number]);
  const lead = input.shape.slice(0, input.ndim - nd);
  const NC = lead.reduce((a, b) => a * b, 1), L = oh * ow;
  const bounds = (i: number, size: number, out: number) => [Math.floor((i * size) / out), Math.ceil(((i + 1) * size) / out)] as const;
  let kh = 0, kw = 0;
  for (let i = 0; i < oh; i++) kh = Math.max(kh, bounds(i, H, oh)[1] - bounds(i, H, oh)[0]);
  for (let j = 0; j < ow; j++) kw = Math.max(kw, bounds(j, W, ow)[1] - bounds(j, W, ow)[0]);
  const K = kh * kw;
  const table = new Int32Array(L * K);
  for (let i = 0; i < oh; i++) {
    const [h0, h1] = bounds(i, H, oh);
    for (let j = 0; j < ow; j++) {
      const [w0, w1] = bounds(j, W, ow);
      const base = (i * ow + j) * K;
      let n = 0;
      for (let y = h0; y < h1; y++) for (let z = w0; z < w1; z++) table[base + n++] = y * W + z;
      for (; n < K; n++) table[base + n] = table[base + n - 1]!;
    }
  }
  const outShape = [...lead, ...(nd === 1 ? [ow] : [oh, ow])];
  if (NC === 0 || L === 0) {
    const v = emptyResult(op, outShape, input, [input]);
    return returnIndices ? [v, zeros(outShape, { dtype: "int32" })] : v;
  }
  const idx = tensor(table);
  const cols = input.reshape([NC, H * W]).indexSelect(1, idx).reshape([NC, L, K]);
  const { values, indices } = windowMax(cols);
  const out = values.reshape(outShape);
  if (!returnIndices) return out;
  const flat = idx.reshape([1, L, K]).expand([NC, L, K]).gather(2, indices.unsqueeze(2)).reshape(outShape);
  return [out, flat];
}

export interface AdaptiveMaxPoolOptions {
  /** Also return the argmax of each window as int32 indices into the flattened input plane. */
  returnIndices?: boolean;
}

/**
 * Adaptive 1-D max pooling to a fixed output length (windows as `adaptiveAvgPool1d`).
 *
 * Shapes: [N, C, L] (or [C, L]) → [N, C, outputSize]; with `returnIndices`, also int32 indices into L.
 * ```ts
 * F.adaptiveMaxPool1d(randn([2, 3, 10]), 4).shape; // [2, 3, 4]
 * ```
 */
export function adaptiveMaxPool1d(input: Tensor, outputSize: number | readonly number[], opts: AdaptiveMaxPoolOptions & { returnIndices: true }): [Tensor, Tensor];
export function adaptiveMaxPool1d(input: Tensor, outputSize: number | readonly number[], opts?: AdaptiveMaxPoolOptions & { returnIndices?: false }): Tensor;
/** PyTorch's positional order (returnIndices), then an optional options object. */
export function adaptiveMaxPool1d(input: Tensor, outputSize: number | readonly number[], ...args: PositionalArgs<[returnIndices: (AdaptiveMaxPoolOptions)["returnIndices"]], AdaptiveMaxPoolOptions>): Tensor | [Tensor, Tensor];
export function adaptiveMaxPool1d(input: Tensor, outputSize: number | readonly number[], opts?: AdaptiveMaxPoolOptions): Tensor | [Tensor, Tensor];
export function adaptiveMaxPool1d(input: Tensor, outputSize: number | readonly number[], ...args: unknown[]): Tensor | [Tensor, Tensor] {
  let opts = positionalOptions<AdaptiveMaxPoolOptions>("adaptiveMaxPool1d", args, { keys: ["returnIndices"] });
  return adaptiveMaxPool("adaptiveMaxPool1d", 1, input, outputSize, !!opts?.returnIndices);
}

/**
 * Adaptive 2-D max pooling to a fixed output size: cell (i, j) is the maximum over rows
 * ⌊i·H/oh⌋ … ⌈(i+1)·H/oh⌉ − 1 and columns likewise; `outputSize` entries may be null to keep that size.
 *
 * Shapes: [N, C, H, W] (or [C, H, W]) → [N, C, oh, ow]; with `returnIndices`, also int32 indices
 * into the flattened H·W plane.
 * ```ts
 * const [y, idx] = F.adaptiveMaxPool2d(randn([1, 3, 7, 7]), [2, 3], { returnIndices: true });
 * ```
 */
export function adaptiveMaxPool2d(input: Tensor, outputSize: number | readonly (number | null)[], opts: AdaptiveMaxPoolOptions & { returnIndices: true }): [Tensor, Tensor];
export function adaptiveMaxPool2d(input: Tensor, outputSize: number | readonly (number | null)[], opts?: AdaptiveMaxPoolOptions & { returnIndices?: false }): Tensor;
/** PyTorch's positional order (returnIndices), then an optional options object. */
export function adaptiveMaxPool2d(input: Tensor, outputSize: number | readonly (number | null)[], ...args: PositionalArgs<[returnIndices: (AdaptiveMaxPoolOptions)["returnIndices"]], AdaptiveMaxPoolOptions>): Tensor | [Tensor, Tensor];
export function adaptiveMaxPool2d(input: Tensor, outputSize: number | readonly (number | null)[], opts?: AdaptiveMaxPoolOptions): Tensor | [Tensor, Tensor];
export function adaptiveMaxPool2d(input: Tensor, outputSize: number | readonly (number | null)[], ...args: unknown[]): Tensor | [Tensor, Tensor] {
  let opts = positionalOptions<AdaptiveMaxPoolOptions>("adaptiveMaxPool2d", args, { keys: ["returnIndices"] });
  return adaptiveMaxPool("adaptiveMaxPool2d", 2, input, outputSize, !!opts?.returnIndices);
}

export interface LPPoolOptions {
  /** Window step; defaults to `kernelSize`. */
  stride?: Size2 | null;
  ceilMode?: boolean;
}

function lpPool(op: string, nd: 1 | 2, input: Tensor, normType: number, kernelSize: Size2, opts: LPPoolOptions): Tensor {
  opts ??= {};
  check(opts !== null && typeof opts === "object" && !Array.isArray(opts), op, () => `expected an options object, got ${fmtValue(opts)}`);
  check(typeof normType === "number" && normType !== 0 && !Number.isNaN(normType), op, () => `norm_type must be a non-zero number, got ${fmtValue(normType)}`);
  planes(op, input, nd);
  const k = pair(op, "kernel_size", kernelSize, 1, nd);
  const pooled = avgPool2dImpl(input.pow(normType), k, { stride: opts.stride ?? null, padding: 0, ceilMode: opts.ceilMode ?? false }, op, nd);
  // PyTorch's: (sign(out) · relu(|out|)) · kh·kw, then the 1/p-th power
  return pooled.sign().mul(pooled.abs().relu()).mul(k.reduce((a, b) => a * b, 1)).pow(1 / normType);
}

/**
 * 1-D power-average pooling: y = (Σ_window x^p)^(1/p) (p = ∞ is max pooling, p = 1 sum pooling).
 *
 * Shapes: [N, C, L] (or [C, L]) → [N, C, L_out].
 * ```ts
 * F.lpPool1d(randn([2, 3, 8]), 2, 2).shape; // [2, 3, 4]
 * ```
 */
/** PyTorch's positional order (stride, ceilMode), then an optional options object. */
export function lpPool1d(input: Tensor, normType: number, kernelSize: Size2, ...args: PositionalArgs<[stride: (LPPoolOptions)["stride"], ceilMode: (LPPoolOptions)["ceilMode"]], LPPoolOptions>): Tensor;
export function lpPool1d(input: Tensor, normType: number, kernelSize: Size2, opts?: LPPoolOptions): Tensor;
export function lpPool1d(input: Tensor, normType: number, kernelSize: Size2, ...args: unknown[]): Tensor {
  let opts = positionalOptions<LPPoolOptions>("lpPool1d", args, { keys: ["stride", "ceilMode"] });
  return lpPool("lpPool1d", 1, input, normType, kernelSize, opts);
}

/**
 * 2-D power-average pooling: y = (Σ_window x^p)^(1/p) over each kH×kW window.
 *
 * Shapes: [N, C, H, W] (or [C, H, W]) → [N, C, H_out, W_out].
 * ```ts
 * F.lpPool2d(randn([2, 3, 8, 8]), 2, 2).shape; // [2, 3, 4, 4]
 * ```
 */
/** PyTorch's positional order (stride, ceilMode), then an optional options object. */
export function lpPool2d(input: Tensor, normType: number, kernelSize: Size2, ...args: PositionalArgs<[stride: (LPPoolOptions)["stride"], ceilMode: (LPPoolOptions)["ceilMode"]], LPPoolOptions>): Tensor;
export function lpPool2d(input: Tensor, normType: number, kernelSize: Size2, opts?: LPPoolOptions): Tensor;
export function lpPool2d(input: Tensor, normType: number, kernelSize: Size2, ...args: unknown[]): Tensor {
  let opts = positionalOptions<LPPoolOptions>("lpPool2d", args, { keys: ["stride", "ceilMode"] });
  return lpPool("lpPool2d", 2, input, normType, kernelSize, opts);
}
