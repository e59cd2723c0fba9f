import type { DType, TypedArray } from "../tensor/dtype.js";

/**
 * The boundary between Tensile's ops and the machines that run them.
 *
 * A backend owns storage (flat buffers of one dtype) and implements a small table of primitive
 * kernels. Every public op is written once over these primitives in `src/ops/`, so a new backend
 * gets all of them. Kernels read strided `View`s (so transposes, slices and broadcasts need no copy)
 * and return fresh contiguous storage; only `assign` and the optimizer steps write in place.
 */
export interface Storage {
  readonly dtype: DType;
  readonly length: number;
  /**
   * @internal Tensors made over this storage (the first one and every view of it) that have not
   * been disposed: `Tensor.dispose()` releases the storage when this reaches 0. Tensors collected
   * without dispose() are never subtracted, so a storage shared by views is released early only
   * when all of them are disposed (else the GC frees it).
   */
  _tensors?: number;
  /**
   * @internal In-place writes to this storage so far (PyTorch's version counter). A graph node
   * records the version of each tensor its backward rule reads; backward refuses to run the rule
   * when one has changed since.
   */
  _version?: number;
  /** @internal `_version` right after the last in-place write autograd recorded (-1: none). */
  _graphVersion?: number;
}

/** A strided window on a storage: element (i0, i1, ...) lives at offset + Σ ik·strides[k]. */
export interface View<S extends Storage = Storage> {
  readonly storage: S;
  readonly shape: readonly number[];
  readonly strides: readonly number[];
  readonly offset: number;
}

export const UNARY_OPS = [
  "neg", "exp", "expm1", "log", "log1p", "sqrt", "rsqrt", "abs", "sign", "reciprocal", "sin", "cos",
  "tanh", "sigmoid", "relu", "floor", "ceil", "round", "trunc", "erf", "isnan", "isfinite", "logicalNot",
  // activations and their derivatives, one pass each (the composed forms take 5–9 kernels)
  "gelu", "geluGrad", "silu", "siluGrad",
  // trigonometric, hyperbolic, logarithmic and special functions (one scalar f64 pass on every backend)
  "tan", "asin", "acos", "atan", "sinh", "cosh", "asinh", "acosh", "atanh", "log2", "log10", "exp2",
  "erfc", "erfinv", "lgamma", "digamma", "trigamma",
] as const;
export type UnaryOp = (typeof UNARY_OPS)[number];

export const BINARY_OPS = [
  "add", "sub", "mul", "div", "pow", "maximum", "minimum", "floorDiv", "remainder",
  "eq", "ne", "lt", "le", "gt", "ge", "logicalAnd", "logicalOr", "logicalXor",
  "atan2", "hypot", "fmod", "zeta",
] as const;
export type BinaryOp = (typeof BINARY_OPS)[number];

export type ReduceOp = "sum" | "prod" | "max" | "min" | "argmax" | "argmin" | "any" | "all";

export interface SgdStepOptions {
  lr: number; momentum: number; dampening: number; weightDecay: number;
  nesterov: boolean; maximize: boolean; firstStep: boolean;
}
export interface AdamStepOptions {
  lr: number; beta1: number; beta2: number; eps: number; weightDecay: number;
  /** AdamW: decay the weights directly instead of adding weightDecay·θ to the gradient. */
  decoupledWeightDecay: boolean; amsgrad: boolean; maximize: boolean; step: number;
}

/** Parameters of an im2col window: 2-D, with 1-D convolutions passing kh = 1. */
export interface Im2colParams {
  kernel: [number, number]; stride: [number, number]; padding: [number, number]; dilation: [number, number];
  /** Value read outside the input (0 for convolution, -Infinity for max pooling). */
  padValue: number;
}

export interface Backend {
  readonly name: string;
  /**
   * Optional: true when the kernels are plain JavaScript loops (the reference backend), so a
   * JavaScript loop of an op's own is as fast as composing it from kernel calls. Ops with a
   * one-pass JavaScript form (cross-entropy's) then take it at every size, not only where the
   * calls would cost more than the arithmetic.
   */
  readonly jsKernels?: boolean;

  // ---- storage ----
  /** Zero-filled storage. */
  alloc(dtype: DType, length: number): Storage;
  /** Storage holding a copy of `data`. */
  fromArray(data: TypedArray): Storage;
  /**
   * Optional: a storage that uses `data` itself, without copying (the CPU backends, whose storage
   * is a JS typed array). `external`: the caller keeps the array and may read or write it (asTensor,
   * like torch.from_numpy), so a backend must not keep copies that could go stale.
   */
  adopt?(data: TypedArray, external: boolean): Storage;
  /** A contiguous copy of the view's elements, in the storage's dtype. */
  read(v: View): TypedArray;

  // ---- kernels returning new contiguous storage of the view's shape ----
  /** Strided gather into contiguous order, converting to `dtype`. */
  copy(v: View, dtype: DType): Storage;
  /** `out = op(x)`; float ops compute in `dtype` (the input's dtype for most ops; bool for predicates). */
  unary(op: UnaryOp, x: View, dtype: DType): Storage;
  /** `out = a op b` where `a` and `b` are already broadcast to `shape` (stride 0 on broadcast dims)
   * and share a dtype; `dtype` is the output's (bool for comparisons). */
  binary(op: BinaryOp, a: View, b: View, shape: readonly number[], dtype: DType): Storage;
  /** `cond ? a : b`, all three broadcast to `shape`, `a`/`b` of `dtype`. */
  where(cond: View, a: View, b: View, shape: readonly number[], dtype: DType): Storage;
  /** Reduces the given (sorted, distinct) axes away; output shape is x.shape without them.
   * arg* ops give int32 flat indices within the reduced block; any/all give bool. */
  reduce(op: ReduceOp, x: View, axes: readonly number[]): Storage;
  /** Inclusive cumulative sum along `axis`. */
  cumsum(x: View, axis: number): Storage;
  /**
   * Optional: softmax (`log`: log-softmax) of a float32/float64 x along `axis`, contiguous output
   * of x's shape and dtype: per line, e^(x − max) over its sum, or (x − max) − log Σ e^(x − max);
   * a line holding NaN or +Infinity, or only −Infinity, is NaN throughout (PyTorch's results).
   * Without it, `softmax`/`logSoftmax` compose amax, sub, exp, sum and div or log.
   */
  softmax?(x: View, axis: number, log: boolean): Storage;
  /**
   * Optional: the gradient of `softmax` (`log`: log-softmax) along `axis`, given the incoming
   * gradient g and the forward output y (same shape and dtype, float32/float64), contiguous:
   * y·(g − Σ g·y) per line, or g − e^y·Σ g. Used when the backward pass builds no graph
   * (no `createGraph`); without it, or under `createGraph`, the backward composes core ops.
   */
  softmaxBackward?(g: View, y: View, axis: number, log: boolean): Storage;
  /**
   * Batched matrix product: a is [B, M, K], b is [B, K, N] (any strides); output [B, M, N].
   * With `bias` (a view of shape [B, M, N], typically broadcast by stride 0) the output is
   * bias + a·b, in one pass (nn.Linear's addmm): the product accumulates onto the bias.
   */
  matmul(a: View, b: View, bias?: View): Storage;
  /** out[i][j][k] = x[i][index[i][j][k]][k] along `axis` (index: int32, shape of the output). */
  gather(x: View, axis: number, index: View): Storage;
  /** Returns a copy of `x` (contiguous) with `src` added (or written, when `accumulate` is false) at `index` along `axis`. */
  scatter(x: View, axis: number, index: View, src: View, accumulate: boolean): Storage;
  /** [N, C, H, W] → [N, C·kh·kw, L] sliding-window columns (F.unfold). */
  im2col(x: View, p: Im2colParams): Storage;
  /** Adjoint of im2col: [N, C·kh·kw, L] → [N, C, H, W], summing overlaps (F.fold). */
  col2im(cols: View, outShape: readonly [number, number, number, number], p: Im2colParams): Storage;
  /**
   * Max pooling of float planes x [P, H, W] (any strides) in one pass: contiguous values and
   * int32 argmax indices (into each flattened H·W plane), both [P, out[0], out[1]]. PyTorch's rule:
   * window positions outside the input are skipped (padValue is unused), the first valid position
   * starts as the argmax, a larger value or a NaN replaces it; a window with no position inside
   * the input gives −∞ and index −1. Optional: without it, pooling is composed from gathers.
   */
  maxPool2d?(x: View, p: Im2colParams, out: readonly [number, number]): [Storage, Storage];
  /** Gradient of maxPool2d: g [P, L] added at indices [P, L] into zeroed planes [P, planeSize]
   *  (indices outside [0, planeSize), such as −1, add nothing). */
  maxPool2dBackward?(g: View, indices: View, planeSize: number): Storage;

  // ---- in place ----
  /** dst[...] = src[...] elementwise (src broadcast to dst's shape), converting dtype. */
  assign(dst: View, src: View): void;
  /** One SGD step over contiguous float storages of equal length (PyTorch's torch.optim.SGD rule). */
  sgdStep(param: Storage, grad: Storage, momentumBuffer: Storage | null, o: SgdStepOptions): void;
  /** One Adam/AdamW step (PyTorch's rule, bias-corrected with o.step ≥ 1). */
  adamStep(param: Storage, grad: Storage, expAvg: Storage, expAvgSq: Storage, maxExpAvgSq: Storage | null, o: AdamStepOptions): void;

  /** Storage this backend no longer needs (pooled or freed); optional. */
  release?(s: Storage): void;
}

/**
 * Storages a backend creates for kernel results, collected (with the backend to release them)
 * while `current` is set: the autograd engine sets it during a backward pass, to release the
 * pass's own temporaries afterwards (engine.ts). A backend whose `release` saves work notes each
 * new result storage here; others need not.
 */
export const newStorages: { current: Map<Storage, Backend> | null } = { current: null };
