/**
 * Convolutions: `F.conv1d`, `F.conv2d`, `F.convTranspose1d`, `F.convTranspose2d`, computed as im2col + GEMM in NCHW.
 *
 * conv2d:  cols = im2col(x) [N, C·kh·kw, L];  y[n] = W[O, C·kh·kw] · cols[n]  (per group).
 * Backward (written with Tensor ops, so it runs on every backend and is itself differentiable):
 *   ∂x = col2im(Wᵀ · g)               — which is exactly the transposed convolution of g,
 *   ∂W = Σ_n g[n] · cols[n]ᵀ           — batched GEMMs (or one over N·L when L is small),
 *   ∂b = Σ_{n,h,w} g.
 * The forward pass's columns are kept for ∂W while the weight requires a gradient.
 * convTranspose2d is the adjoint: its forward is conv2d's ∂x and its ∂x is conv2d.
 */
import { checkConvArgs, fitConvGeometry } from "./conv-args.js";
import { type Tensor, pad as padOp } from "../../core.js";
import type { Im2colParams } from "../../backends/backend.js";
import { record } from "../../autograd/engine.js";
import { isGradEnabled } from "../../autograd/grad-mode.js";
import { TensileError, check, fmtShape } from "../../errors.js";
import { onBackend, wrap } from "../../ops/util.js";
import { type Size2, col2im, emptyResult, im2col, pair, windowCount } from "./fold.js";
import { type PositionalArgs, positionalOptions } from "../../utils/positional.js";

/** Stride, padding and dilation for the two spatial dims, and the group count. */
interface Geom {
  stride: [number, number];
  padding: [number, number];
  dilation: [number, number];
  groups: number;
}

const colParams = (kh: number, kw: number, g: Geom): Im2colParams =>
  ({ kernel: [kh, kw], stride: g.stride, padding: g.padding, dilation: g.dilation, padValue: 0 });

/**
 * Gives a dead temporary's storage back to the backend now rather than at the next GC, so steady
 * training reuses the same (cache-warm) blocks. Only for tensors made here and never for one
 * sharing storage with `keep` (an input, or a tensor still in use); skipped while grad mode records
 * ops (createGraph), since a recorded op may hold on to the temporary.
 */
function free(t: Tensor, ...keep: Tensor[]): void {
  if (isGradEnabled() || t.requiresGrad || keep.some((k) => k.storage === t.storage)) return;
  t.backend.release?.(t.storage);
}

/** im2col of x for a kh×kw kernel; a 1×1 unpadded kernel needs only a (strided) reshape of x. */
function columns(x: Tensor, kh: number, kw: number, g: Geom): Tensor {
  const [N, C] = x.shape as [number, number];
  if (kh === 1 && kw === 1 && g.padding[0] === 0 && g.padding[1] === 0) {
    const xs = g.stride[0] === 1 && g.stride[1] === 1 ? x : x.index([":", ":", `::${g.stride[0]}`, `::${g.stride[1]}`]);
    return xs.reshape([N, C, xs.shape[2]! * xs.shape[3]!]);
  }
  return im2col(x, colParams(kh, kw, g));
}

/** y = W · cols per sample (and group): [N, O, oh, ow]. */
function convFromColumns(cols: Tensor, w: Tensor, N: number, oh: number, ow: number, g: Geom): Tensor {
  const [O, Cg, kh, kw] = w.shape as [number, number, number, number];
  const G = g.groups, CgK = Cg * kh * kw;
  const y = G === 1
    ? w.reshape([O, CgK]).matmul(cols)
    : w.reshape([G, O / G, CgK]).matmul(cols.reshape([N, G, CgK, oh * ow]));
  return y.reshape([N, O, oh, ow]);
}

/**
 * y[n] = W · cols[n] + b (one group) as one backend call that accumulates the product onto the
 * broadcast bias, as `nn.Linear`'s addmm does: no bias-free result to write, read and drop.
 */
function convFromColumnsBias(cols: Tensor, w: Tensor, b: Tensor, N: number, oh: number, ow: number): Tensor {
  const backend = cols.backend;
  const O = w.shape[0]!, CgK = cols.shape[1]!, L = oh * ow;
  const W2 = onBackend(w, backend).reshape([O, CgK]);
  const bias = onBackend(b, backend);
  const y = backend.matmul(
    { storage: W2.storage, shape: [N, O, CgK], strides: [0, W2.strides[0]!, W2.strides[1]!], offset: W2.offset },
    { storage: cols.storage, shape: [N, CgK, L], strides: [...cols.strides], offset: cols.offset },
    { storage: bias.storage, shape: [N, O, L], strides: [0, bias.strides[0]!, 0], offset: bias.offset },
  );
  return wrap(backend, y, [N, O, oh, ow]);
}

/** Wᵀ·gy folded back to `xShape`: conv2d's input gradient and convTranspose2d's forward. */
function convTransposeCore(gy: Tensor, w: Tensor, xShape: readonly number[], g: Geom): Tensor {
  const [N, C, H, W] = xShape as [number, number, number, number];
  const [O, Cg, kh, kw] = w.shape as [number, number, number, number];
  const G = g.groups, CgK = Cg * kh * kw, L = gy.shape[2]! * gy.shape[3]!;
  const cols = G === 1
    ? w.reshape([O, CgK]).t().matmul(gy.reshape([N, O, L]))
    : w.reshape([G, O / G, CgK]).transpose(1, 2).matmul(gy.reshape([N, G, O / G, L])).reshape([N, C * kh * kw, L]);
  if (kh === 1 && kw === 1 && g.padding[0] === 0 && g.padding[1] === 0 && g.stride[0] === 1 && g.stride[1] === 1)
    return cols.reshape([N, C, H, W]);
  const out = col2im(cols, [N, C, H, W], colParams(kh, kw, g));
  free(cols, gy);
  return out;
}

/**
 * ∂W = Σ_n g[n] · cols[n]ᵀ, shape `wShape`, from the forward pass's columns when given (else
 * recomputed from x). Two ways, whichever moves less memory: per-sample products summed over the
 * batch (N·O·C·K extra floats, no copies; best while L is large), or one GEMM contracting batch
 * and positions together after gathering g and cols into [·, N·L] rows.
 */
function convWeightGrad(x: Tensor, gy: Tensor, wShape: readonly number[], g: Geom, saved: Tensor | null = null): Tensor {
  const N = x.shape[0]!;
  const [O, Cg, kh, kw] = wShape as [number, number, number, number];
  const G = g.groups, Og = O / G, CgK = Cg * kh * kw, L = gy.shape[2]! * gy.shape[3]!;
  const cols = saved ?? columns(x, kh, kw, g); // [N, C·K, L]
  let gw: Tensor;
  if (Og * CgK <= L * (Og + CgK)) {
    const prod = G === 1
      ? gy.reshape([N, O, L]).matmul(cols.transpose(1, 2))
      : gy.reshape([N, G, Og, L]).matmul(cols.reshape([N, G, CgK, L]).transpose(2, 3));
    // recomputed columns are dead now: freeing them before the next call spares the wasm cache
    // from evicting (copying out) a buffer that may be tens of MB
    if (!saved) free(cols, x);
    gw = prod.sum(0).reshape([...wShape]);
    free(prod);
  } else {
    // [N, G, ·, L] → [G, ·, N, L] → [G, ·, N·L]: copies whole rows of L.
    const g2 = gy.reshape([N, G, Og, L]).permute([1, 2, 0, 3]).reshape([G, Og, N * L]);
    const c2 = cols.reshape([N, G, CgK, L]).permute([1, 2, 0, 3]).reshape([G, CgK, N * L]);
    gw = g2.matmul(c2.transpose(1, 2)).reshape([...wShape]);
    free(g2, gy);
    free(c2, cols);
    if (!saved) free(cols, x);
  }
  return gw;
}

/**
 * conv2d as one autograd node over 4-D x, w and 1-D bias (all checked). When w will need a
 * gradient, the forward pass's columns are kept for it (PyTorch's CPU convolution does the same);
 * under createGraph they are recomputed from x so the weight gradient is differentiable in x.
 */
function conv2dOp(x: Tensor, w: Tensor, b: Tensor | null, g: Geom): Tensor {
  const [N, , H, W] = x.shape as [number, number, number, number];
  const [kh, kw] = w.shape.slice(2) as [number, number];
  const oh = windowCount(H, kh, g.stride[0], g.padding[0], g.dilation[0]);
  const ow = windowCount(W, kw, g.stride[1], g.padding[1], g.dilation[1]);
  if (N === 0) return emptyResult("conv2d", [0, w.shape[0]!, oh, ow], x, [x, w, b]);
  const xd = x.detach();
  const cols = columns(xd, kh, kw, g);
  let out: Tensor;
  if (b && g.groups === 1) out = convFromColumnsBias(cols, w.detach(), b.detach(), N, oh, ow);
  else {
    out = convFromColumns(cols, w.detach(), N, oh, ow, g);
    if (b) out = out.add(b.detach().reshape([1, -1, 1, 1]));
  }
  // Columns up to 16 MiB are kept for the weight gradient; larger ones (a ResNet layer at batch
  // 128: 58 MB) are recomputed in backward instead: a second im2col costs less than holding them
  // through the forward pass, where the wasm backend's cache would copy them out and back in.
  const small = cols.numel() * (cols.dtype === "float64" ? 8 : 4) <= 16 * 2 ** 20;
  let saved: Tensor | null = isGradEnabled() && w.requiresGrad && small ? cols : null;
  // Everything above ran on detached tensors, so no graph holds the columns.
  const own = cols.storage !== xd.storage; // not a view of x (1×1 kernels)
  if (!saved && own) cols.backend.release?.(cols.storage);
  return record("conv2d", out, [x, w, b], (gy) => {
    const kept = saved;
    saved = null; // a second pass (retainGraph) recomputes them
    const gw = w.requiresGrad ? convWeightGrad(x, gy, w.shape, g, isGradEnabled() ? null : kept) : null;
    // nothing else holds the columns (made here, never returned): free them now rather than when
    // the graph is collected (under createGraph the gradient used columns recomputed from x)
    if (kept && own) kept.backend.release?.(kept.storage);
    return [x.requiresGrad ? convTranspose2dOp(gy, w, null, g, x.shape) : null, gw, b?.requiresGrad ? gy.sum([0, 2, 3]) : null];
  }, undefined, [x, w]);
}

/**
 * The transposed convolution of x (the role of conv2d's output gradient) to an output of `outShape`,
 * as one autograd node. When outputPadding ≥ stride (possible with dilation), the last input rows
 * and columns are zero-extended so the window count of the output matches.
 */
function convTranspose2dOp(x: Tensor, w: Tensor, b: Tensor | null, g: Geom, outShape: readonly number[]): Tensor {
  if (x.shape[0] === 0) return emptyResult("convTranspose2d", outShape, x, [x, w, b]);
  const [, , H, W] = x.shape as number[];
  const [kh, kw] = w.shape.slice(2) as [number, number];
  const eh = windowCount(outShape[2]!, kh, g.stride[0], g.padding[0], g.dilation[0]) - H!;
  const ew = windowCount(outShape[3]!, kw, g.stride[1], g.padding[1], g.dilation[1]) - W!;
  const xd = eh > 0 || ew > 0 ? padOp(x.detach(), [0, ew, 0, eh]) : x.detach();
  let out = convTransposeCore(xd, w.detach(), outShape, g);
  if (b) out = out.add(b.detach().reshape([1, -1, 1, 1]));
  return record("convTranspose2d", out, [x, w, b], (gz) => {
    const xe = eh > 0 || ew > 0 ? padOp(x, [0, ew, 0, eh]) : x;
    let gx: Tensor | null = null;
    if (x.requiresGrad) {
      gx = conv2dOp(gz, w, null, g);
      if (eh > 0 || ew > 0) gx = gx.narrow(2, 0, H!).narrow(3, 0, W!);
    }
    return [gx, w.requiresGrad ? convWeightGrad(gz, xe, w.shape, g) : null, b?.requiresGrad ? gz.sum([0, 2, 3]) : null];
  }, undefined, [x, w]);
}

export interface ConvOptions {
  stride?: Size2;
  /** Zero padding on both sides of each spatial dim, or "valid" (none) / "same" (output size = input size; stride 1 only). */
  padding?: Size2 | "same" | "valid";
  dilation?: Size2;
  groups?: number;
}

export interface ConvTransposeOptions {
  stride?: Size2;
  padding?: Size2;
  /** Extra size added to one side of each output dim (must be < stride or < dilation). */
  outputPadding?: Size2;
  groups?: number;
  dilation?: Size2;
}

/** Shared driver of conv1d/conv2d: nd = 1 runs as a 2-D convolution with a height-1 kernel. */
function convNd(op: string, nd: 1 | 2, input: Tensor, weight: Tensor, bias: Tensor | null | undefined, o: ConvOptions): Tensor {
  const groups = o.groups ?? 1;
  checkConvArgs(op, nd, input, weight, bias, groups, false);
  const stride = pair(op, "stride", o.stride ?? 1, 1, nd);
  const dilation = pair(op, "dilation", o.dilation ?? 1, 1, nd);
  const k = weight.shape.slice(2);
  const batched = input.ndim === nd + 2;
  let x = batched ? input : input.unsqueeze(0);
  let padding: number[];
  if (o.padding === "valid") padding = Array<number>(nd).fill(0);
  else if (o.padding === "same") {
    check(stride.every((s) => s === 1), op, `padding='same' is not supported for strided convolutions (stride ${fmtShape(stride)})`);
    // Total d·(k − 1) per dim; PyTorch puts the odd extra on the right (bottom).
    const total = k.map((kk, i) => dilation[i]! * (kk - 1));
    padding = total.map((t) => Math.floor(t / 2));
    const extra = total.map((t, i) => t - 2 * padding[i]!);
    // F.pad lists (left, right) pairs from the last dim backwards.
    if (extra.some((e) => e > 0)) x = padOp(x, nd === 1 ? [0, extra[0]!] : [0, extra[1]!, 0, extra[0]!]);
  } else if (typeof o.padding === "string") throw new TensileError(`${op}: invalid padding string "${o.padding}" (expected "same" or "valid")`);
  else padding = pair(op, "padding", o.padding ?? 0, 0, nd);
  fitConvGeometry(op, x.shape.slice(2), k, stride, padding, dilation);
  const w = nd === 1 ? weight.unsqueeze(2) : weight;
  if (nd === 1) x = x.unsqueeze(2);
  const geom: Geom = nd === 1
    ? { stride: [1, stride[0]!], padding: [0, padding[0]!], dilation: [1, dilation[0]!], groups }
    : { stride: [stride[0]!, stride[1]!], padding: [padding[0]!, padding[1]!], dilation: [dilation[0]!, dilation[1]!], groups };
  const [H, W] = x.shape.slice(2) as [number, number];
  const [kh, kw] = w.shape.slice(2) as [number, number];
  const oh = windowCount(H, kh, geom.stride[0], geom.padding[0], geom.dilation[0]);
  const ow = windowCount(W, kw, geom.stride[1], geom.padding[1], geom.dilation[1]);
  if (oh < 1 || ow < 1) {
    const padded = [H + 2 * geom.padding[0], W + 2 * geom.padding[1]], dk = [geom.dilation[0] * (kh - 1) + 1, geom.dilation[1] * (kw - 1) + 1];
    const sl = (a: number[]) => fmtShape(nd === 1 ? a.slice(1) : a);
    throw new TensileError(
      `${op}: calculated padded input size per channel ${sl(padded)} is smaller than the (dilated) kernel size ${sl(dk)}; kernel size can't be greater than actual input size (input ${fmtShape(input.shape)}, weight ${fmtShape(weight.shape)})`);
  }
  let out = conv2dOp(x, w, bias ?? null, geom);
  if (nd === 1) out = out.squeeze(2);
  return batched ? out : out.squeeze(0);
}

/**
 * 1-D convolution (cross-correlation, as PyTorch):
 * y[n, o, l] = b[o] + Σ_{c, k} W[o, c, k] · x[n, g·C/G + c, l·s − p + k·d] within o's group g.
 *
 * Shapes: input [N, C, L] (or [C, L]), weight [O, C/groups, k], bias [O] → [N, O, L_out],
 * L_out = ⌊(L + 2p − d(k − 1) − 1)/s⌋ + 1.
 * ```ts
 * F.conv1d(randn([2, 3, 7]), randn([4, 3, 3]), zeros([4]), { padding: 1 }).shape; // [2, 4, 7]
 * ```
 */
/** PyTorch's positional order (stride, padding, dilation, groups), then an optional options object. */
export function conv1d(input: Tensor, weight: Tensor, bias?: Tensor | null, ...args: PositionalArgs<[stride: (ConvOptions)["stride"], padding: (ConvOptions)["padding"], dilation: (ConvOptions)["dilation"], groups: (ConvOptions)["groups"]], ConvOptions>): Tensor;
export function conv1d(input: Tensor, weight: Tensor, bias?: Tensor | null, opts?: ConvOptions): Tensor;
export function conv1d(input: Tensor, weight: Tensor, bias?: Tensor | null, ...args: unknown[]): Tensor {
  let opts = positionalOptions<ConvOptions>("conv1d", args, { keys: ["stride", "padding", "dilation", "groups"] });
  return convNd("conv1d", 1, input, weight, bias, opts);
}

/**
 * 2-D convolution (cross-correlation, as PyTorch), computed as im2col + GEMM:
 * y[n, o, i, j] = b[o] + Σ_{c, u, v} W[o, c, u, v] · x[n, g·C/G + c, i·sh − ph + u·dh, j·sw − pw + v·dw].
 *
 * Shapes: input [N, C, H, W] (or [C, H, W]), weight [O, C/groups, kH, kW], bias [O] → [N, O, H_out, W_out],
 * H_out = ⌊(H + 2ph − dh(kH − 1) − 1)/sh⌋ + 1.
 * ```ts
 * F.conv2d(randn([8, 3, 32, 32]), randn([16, 3, 3, 3]), null, { padding: "same" }).shape; // [8, 16, 32, 32]
 * ```
 */
/** PyTorch's positional order (stride, padding, dilation, groups), then an optional options object. */
export function conv2d(input: Tensor, weight: Tensor, bias?: Tensor | null, ...args: PositionalArgs<[stride: (ConvOptions)["stride"], padding: (ConvOptions)["padding"], dilation: (ConvOptions)["dilation"], groups: (ConvOptions)["groups"]], ConvOptions>): Tensor;
export function conv2d(input: Tensor, weight: Tensor, bias?: Tensor | null, opts?: ConvOptions): Tensor;
export function conv2d(input: Tensor, weight: Tensor, bias?: Tensor | null, ...args: unknown[]): Tensor {
  let opts = positionalOptions<ConvOptions>("conv2d", args, { keys: ["stride", "padding", "dilation", "groups"] });
  return convNd("conv2d", 2, input, weight, bias, opts);
}

/**
 * 2-D transposed convolution ("deconvolution"): the adjoint of conv2d with the same weight, i.e.
 * every input pixel scatters W[c, :, :, :]·x[n, c, i, j] onto the output window at (i·s − p, j·s − p).
 *
 * Shapes: input [N, Cin, H, W] (or [Cin, H, W]), weight [Cin, Cout/groups, kH, kW], bias [Cout] →
 * [N, Cout, H_out, W_out], H_out = (H − 1)·sh − 2ph + dh(kH − 1) + outputPadding_h + 1.
 * ```ts
 * F.convTranspose2d(randn([1, 16, 7, 7]), randn([16, 8, 2, 2]), null, { stride: 2 }).shape; // [1, 8, 14, 14]
 * ```
 */
/** PyTorch's positional order (stride, padding, outputPadding, groups, dilation), then an optional options object. */
export function convTranspose2d(input: Tensor, weight: Tensor, bias?: Tensor | null, ...args: PositionalArgs<[stride: (ConvTransposeOptions)["stride"], padding: (ConvTransposeOptions)["padding"], outputPadding: (ConvTransposeOptions)["outputPadding"], groups: (ConvTransposeOptions)["groups"], dilation: (ConvTransposeOptions)["dilation"]], ConvTransposeOptions>): Tensor;
export function convTranspose2d(input: Tensor, weight: Tensor, bias?: Tensor | null, opts?: ConvTransposeOptions): Tensor;
export function convTranspose2d(input: Tensor, weight: Tensor, bias?: Tensor | null, ...args: unknown[]): Tensor {
  let opts = positionalOptions<ConvTransposeOptions>("convTranspose2d", args, { keys: ["stride", "padding", "outputPadding", "groups", "dilation"] });
  return convTransposeNd("convTranspose2d", 2, input, weight, bias, opts);
}

/**
 * 1-D transposed convolution: the adjoint of conv1d with the same weight (see `convTranspose2d`).
 *
 * Shapes: input [N, Cin, L] (or [Cin, L]), weight [Cin, Cout/groups, k], bias [Cout] → [N, Cout, L_out],
 * L_out = (L − 1)·s − 2p + d(k − 1) + outputPadding + 1.
 * ```ts
 * F.convTranspose1d(randn([1, 16, 7]), randn([16, 8, 2]), null, { stride: 2 }).shape; // [1, 8, 14]
 * ```
 */
/** PyTorch's positional order (stride, padding, outputPadding, groups, dilation), then an optional options object. */
export function convTranspose1d(input: Tensor, weight: Tensor, bias?: Tensor | null, ...args: PositionalArgs<[stride: (ConvTransposeOptions)["stride"], padding: (ConvTransposeOptions)["padding"], outputPadding: (ConvTransposeOptions)["outputPadding"], groups: (ConvTransposeOptions)["groups"], dilation: (ConvTransposeOptions)["dilation"]], ConvTransposeOptions>): Tensor;
export function convTranspose1d(input: Tensor, weight: Tensor, bias?: Tensor | null, opts?: ConvTransposeOptions): Tensor;
export function convTranspose1d(input: Tensor, weight: Tensor, bias?: Tensor | null, ...args: unknown[]): Tensor {
  let opts = positionalOptions<ConvTransposeOptions>("convTranspose1d", args, { keys: ["stride", "padding", "outputPadding", "groups", "dilation"] });
  return convTransposeNd("convTranspose1d", 1, input, weight, bias, opts);
}

/** Shared driver of convTranspose1d/2d: nd = 1 runs as a 2-D transposed convolution with a height-1 kernel. */
function convTransposeNd(op: string, nd: 1 | 2, input: Tensor, weight: Tensor, bias: Tensor | null | undefined, opts: ConvTransposeOptions): Tensor {
  opts ??= {};
  const groups = opts.groups ?? 1;
  checkConvArgs(op, nd, input, weight, bias, groups, true);
  const lift = (a: number[], fill: number) => (nd === 1 ? [fill, a[0]!] : a);
  const stride = lift(pair(op, "stride", opts.stride ?? 1, 1, nd), 1), dilation = lift(pair(op, "dilation", opts.dilation ?? 1, 1, nd), 1);
  const padding = lift(pair(op, "padding", opts.padding ?? 0, 0, nd), 0), outPad = lift(pair(op, "output_padding", opts.outputPadding ?? 0, 0, nd), 0);
  const sl = (a: number[]) => fmtShape(nd === 1 ? a.slice(1) : a);
  check(outPad.every((p, i) => p < stride[i]! || p < dilation[i]!), op, () =>
    `output padding must be smaller than either stride or dilation, but got output_padding ${sl(outPad)}, stride ${sl(stride)}, dilation ${sl(dilation)}`);
  const batched = input.ndim === nd + 2;
  // (lifted to 2-D: the unit leading dim of a 1-D input gets stride 1 from lift, kept by the clamp)
  fitConvGeometry(op, [...(nd === 1 ? [1] : []), ...input.shape.slice(-nd)], lift(weight.shape.slice(2), 1), stride, padding, dilation, outPad);
  let x = batched ? input : input.unsqueeze(0);
  let w = weight;
  if (nd === 1) x = x.unsqueeze(2), w = weight.unsqueeze(2);
  const [N, , H, W] = x.shape as [number, number, number, number];
  const [, Cg, kh, kw] = w.shape as [number, number, number, number];
  const outHW = [H, W].map((n, i) => (n - 1) * stride[i]! - 2 * padding[i]! + dilation[i]! * ([kh, kw][i]! - 1) + outPad[i]! + 1);
  check(outHW.every((n) => n > 0), op, () =>
    `given input size ${fmtShape(input.shape)}, calculated output size ${sl(outHW)} is too small (weight ${fmtShape(weight.shape)}, stride ${sl(stride)}, padding ${sl(padding)})`);
  const geom: Geom = { stride: [stride[0]!, stride[1]!], padding: [padding[0]!, padding[1]!], dilation: [dilation[0]!, dilation[1]!], groups };
  let out = convTranspose2dOp(x, w, bias ?? null, geom, [N, Cg * groups, outHW[0]!, outHW[1]!]);
  if (nd === 1) out = out.squeeze(2);
  return batched ? out : out.squeeze(0);
}
