import type { Backend, Storage } from "../backends/backend.js";
import { TensileError, fmtShape, fmtValue } from "../errors.js";
import { type BackwardOptions, type Node, _registerTensorClass, backwardWithArgs } from "../autograd/engine.js";
import type { WithOptions } from "../utils/positional.js";
import { isGradEnabled } from "../autograd/grad-mode.js";
import type { DType, TypedArray } from "./dtype.js";
import { isFloating } from "./dtype.js";
import { contiguousStrides, normalizeDim, numelOf, sizeAndOptions, sizeArgs } from "./shape.js";
import { withBackend } from "../backends/registry.js";
import { formatTensor } from "./format.js";
import { type ToArgs, readToArgs } from "./to-args.js";
import * as E from "../ops/elementwise.js";
import * as A from "../ops/activation.js";
import * as R from "../ops/reduce.js";
import * as L from "../ops/linalg.js";
import * as M from "../ops/movement.js";
import * as I from "../ops/indexing.js";
import * as S from "../ops/sort.js";
import { type ValuesIndices, assertTensor } from "../ops/util.js";
import type { IndexSpec } from "../ops/indexing.js";
import * as C from "./creation.js";
import * as W from "../ops/index-write.js";
import * as ST from "../ops/stats.js";
import * as LX from "../ops/linalg-extra.js";
import * as STFT from "../ops/fft-stft.js";
import { inplaceMethods, installMethods, linalgMethods, mathMethods } from "./tensor-methods.js";

type T = Tensor;
type TS = Tensor | number;
type Dims = number | readonly number[];
export type Nested = number | boolean | Nested[];

/**
 * An n-dimensional array on a backend, with PyTorch's autograd semantics. A tensor is a strided
 * view (shape, strides, offset) of a storage; view ops (reshape of contiguous data, permute,
 * transpose, expand, slicing) share the storage instead of copying.
 */
export class Tensor {
  readonly strides: readonly number[];
  private _grad: Tensor | null = null;
  /**
   * The backward pass that made `_grad` created its storage, and no code outside the library has
   * seen it (the `grad` getter was not called since): when the grad is dropped (`zeroGrad`) or
   * replaced by a sum, nothing can read it again, so its storage is released at once — a backend
   * that caches results (wasm) then frees it without copying it out to JS memory.
   */
  private _gradOwned = false;
  /** @internal read by the autograd engine, which hides inputs whose gradient no one asked for */
  _requiresGrad = false;
  private _gradFn: Node | null = null;
  private _hooks: ((g: Tensor) => Tensor | void)[] = [];
  /** @internal */ _retainsGrad = false;
  private _disposed = false;
  private readonly _storage: Storage;
  /**
   * @internal The storage's `_version` when this tensor's graph last matched its values: when it
   * was made, or when an in-place op autograd recorded rebound it. A later recorded in-place write
   * through another tensor on the same storage (`_graphVersion` above this) leaves this one's graph
   * stale, and ops refuse it. Views inherit their base's; detach() gives Infinity (a constant).
   */
  _version: number;
  /** @internal How many recorded graph nodes take this tensor as an input (an in-place op then refuses it). */
  _graphUses = 0;

  constructor(
    storage: Storage,
    readonly backend: Backend,
    readonly shape: readonly number[],
    strides?: readonly number[],
    readonly offset = 0,
  ) {
    // the last line of defence against a size no op should have let through (NaN, negative,
    // fractional): such a view would size buffers wrongly and corrupt the wasm heap
    for (let i = 0; i < shape.length; i++) {
      const d = shape[i]!;
      if (!(d >= 0 && Number.isInteger(d)))
        throw new TensileError(`internal error: a tensor of shape ${fmtShape(shape)} was made (sizes must be non-negative integers); please report the operation that made it`);
    }
    this._storage = storage;
    storage._tensors = (storage._tensors ?? 0) + 1;
    this._version = storage._version ?? 0;
    this.strides = strides ?? contiguousStrides(shape);
  }

  /** The flat buffer this tensor views. Throws after `dispose()`. */
  get storage(): Storage {
    if (this._disposed) usedAfterDispose(this);
    return this._storage;
  }
  get dtype(): DType {
    return this._storage.dtype;
  }
  get ndim(): number {
    return this.shape.length;
  }
  get device(): string {
    return "cpu";
  }
  get gradFn(): Node | null {
    return this._gradFn;
  }
  get isLeaf(): boolean {
    return this._gradFn === null;
  }
  get requiresGrad(): boolean {
    return this._requiresGrad;
  }
  set requiresGrad(b: boolean) {
    if (!this.isLeaf && !b)
      throw new TensileError("requiresGrad: you can only change requiresGrad flags of leaf tensors (use detach())");
    if (b && !isFloating(this.dtype))
      throw new TensileError(`requiresGrad: only tensors of floating point dtype can require gradients (got ${this.dtype})`);
    this._requiresGrad = b;
  }
  requiresGrad_(b = true): this {
    this.requiresGrad = b;
    return this;
  }
  /** @internal */ _setGradFn(node: Node): void {
    this._gradFn = node;
    this._requiresGrad = true;
  }
  /**
   * @internal Makes this leaf view `fresh`'s storage, shape and strides instead of its own, keeping
   * the object (a lazy module's parameter materialised in place, so an optimizer holding it sees the
   * new tensor). The old storage loses this tensor as a user; `fresh` should not be used afterwards.
   */
  _rebindStorage(fresh: Tensor): void {
    if (!this.isLeaf) throw new TensileError("_rebindStorage: only a leaf tensor can be rebound");
    const old = this._storage;
    old._tensors = (old._tensors ?? 1) - 1;
    const storage = fresh.storage;
    storage._tensors = (storage._tensors ?? 0) + 1;
    const self = this as unknown as { _storage: Storage; shape: readonly number[]; strides: readonly number[]; offset: number };
    self._storage = storage;
    self.shape = fresh.shape;
    self.strides = fresh.strides;
    self.offset = fresh.offset;
    this._version = storage._version ?? 0;
  }
  /**
   * @internal A second tensor object for this tensor's current value and graph position (same
   * storage, view, node and requiresGrad): an in-place op autograd records takes it as its input,
   * and then rebinds this object to its own node.
   */
  _alias(): Tensor {
    const a = new Tensor(this.storage, this.backend, this.shape, this.strides, this.offset);
    a._gradFn = this._gradFn;
    a._requiresGrad = this._requiresGrad;
    a._version = this._version;
    return a;
  }

  numel(): number {
    return numelOf(this.shape);
  }
  size(): number[];
  size(dim: number): number;
  size(dim?: number): number | number[] {
    return dim === undefined ? [...this.shape] : this.shape[normalizeDim("size", dim, this.ndim)]!;
  }
  dim(): number {
    return this.ndim;
  }
  isContiguous(): boolean {
    let expect = 1;
    for (let i = this.ndim - 1; i >= 0; i--) {
      if (this.shape[i] !== 1 && this.strides[i] !== expect) return false;
      expect *= this.shape[i]!;
    }
    return true;
  }

  // ---- memory ----
  /**
   * Frees this tensor now instead of when the garbage collector finds it (never needed for flat
   * memory: see docs/architecture.md, "Memory"). The tensor cannot be used afterwards: any op on it
   * throws. Its storage is released at once when no other tensor shares it; views (reshape,
   * transpose, slices, detach(), a Parameter made from it) share it, and the storage is then
   * released when the last of them is disposed, or else collected with them. Its `.grad` is
   * dropped. Disposing twice is allowed. `using t = ...` (TypeScript 5.2+) calls it at the end of
   * the block.
   */
  dispose(): void {
    if (this._disposed) return;
    this._dropGrad();
    this._disposed = true;
    const s = this._storage;
    s._tensors = (s._tensors ?? 1) - 1;
    if (s._tensors <= 0) this.backend.release?.(s);
  }
  [Symbol.dispose](): void { this.dispose(); }
  /** Whether `dispose()` was called on this tensor. */
  get isDisposed(): boolean { return this._disposed; }

  // ---- autograd ----
  /**
   * Accumulates d(this)/d(leaf) into every leaf's `.grad` (torch's `Tensor.backward(gradient,
   * retain_graph, create_graph, inputs)`): positionally in that order, then an options object, or
   * the options alone: `loss.backward({ retainGraph: true })`, `score.backward(onesLike(score))`,
   * `score.backward({ gradient: onesLike(score), inputs: [x] })`.
   */
  backward(gradient?: Tensor | (BackwardOptions & { gradient?: Tensor | null }) | null,
    ...args: WithOptions<[retainGraph: boolean | null, createGraph: boolean, inputs: readonly Tensor[]], BackwardOptions>): void {
    backwardWithArgs(this, [gradient, ...args]);
  }
  detach(): Tensor {
    const d = new Tensor(this.storage, this.backend, this.shape, this.strides, this.offset);
    d._version = Infinity; // outside the graph: never stale, whatever is written to the storage
    return d;
  }
  retainGrad(): this { this._retainsGrad = true; return this; }
  /** Calls `fn(grad)` when this tensor's gradient is computed; `fn` may return a replacement. Returns a remover. */
  registerHook(fn: (grad: Tensor) => Tensor | void): { remove(): void } {
    if (!this.requiresGrad) throw new TensileError("registerHook: cannot register a hook on a tensor that doesn't require gradient");
    this._hooks.push(fn);
    return { remove: () => void (this._hooks = this._hooks.filter((h) => h !== fn)) };
  }
  /** @internal */ _hasHooks(): boolean {
    return this._hooks.length > 0;
  }
  /** @internal */ _runHooks(g: Tensor): Tensor {
    for (const h of this._hooks) g = h(g) ?? g;
    return g;
  }
  /** The gradient accumulated by `backward()` (null until then, and after `zeroGrad()`). */
  get grad(): Tensor | null {
    this._gradOwned = false; // handed out: the caller may keep it
    return this._grad;
  }
  /** Replacing the grad (`x.grad = null`, as PyTorch users write) frees the old one's storage
   *  when only the library ever held it (the getter was not called since backward made it). */
  set grad(g: Tensor | null) {
    const old = this._grad;
    if (old && old !== g && this._gradOwned) old.backend.release?.(old.storage);
    this._grad = g;
    this._gradOwned = false;
  }
  /** @internal The grad, without handing it out (library code that does not keep it: optimizers, clipping). */
  _peekGrad(): Tensor | null {
    return this._grad;
  }
  /** @internal Sets the grad to null, releasing its storage when only the library ever held it. */
  _dropGrad(): void {
    const g = this._grad;
    this._grad = null;
    if (g && this._gradOwned) g.backend.release?.(g.storage);
    this._gradOwned = false;
  }
  /** @internal Marks the grad as created by a backward pass for this tensor alone (or not). */
  _setGradOwned(owned: boolean): void {
    this._gradOwned = owned;
  }
  /** @internal Adds `g` into the grad (the engine then decides ownership: `_setGradOwned`). */
  _accumulateGrad(g: Tensor): void {
    if (g.dtype !== this.dtype) g = g.to(this.dtype);
    const old = this._grad;
    const oldOwned = this._gradOwned;
    this._gradOwned = false;
    if (!old) this._grad = g.contiguous();
    else if (isGradEnabled()) this._grad = old.add(g); // createGraph: the old grad stays in the graph
    else {
      this._grad = old.detach().add(g);
      if (oldOwned) old.backend.release?.(old.storage); // nothing else can read the old sum
    }
  }

  // ---- readback ----
  dataSync(): TypedArray { return this.backend.read(this); }
  async data(): Promise<TypedArray> { return this.dataSync(); }
  item(): number {
    if (this.numel() !== 1)
      throw new TensileError(`item: a Tensor with ${this.numel()} elements cannot be converted to Scalar (shape ${fmtShape(this.shape)})`);
    return Number(this.dataSync()[0]);
  }
  toArray(): Nested {
    const flat = this.dataSync();
    const conv = this.dtype === "bool" ? (x: number) => x !== 0 : (x: number) => x;
    const build = (d: number, off: number): Nested => {
      if (d === this.ndim) return conv(flat[off]!);
      const step = numelOf(this.shape.slice(d + 1));
      return Array.from({ length: this.shape[d]! }, (_, i) => build(d + 1, off + i * step));
    };
    return build(0, 0);
  }
  /** PyTorch's name for `toArray()`: nested arrays of numbers (booleans for bool). */
  tolist(): Nested { return this.toArray(); }
  toString(): string { return formatTensor(this); }
  [Symbol.for("nodejs.util.inspect.custom")](): string { return this.toString(); }

  // ---- conversion and copies ----
  /**
   * A dtype conversion in PyTorch's forms (src/tensor/to-args.ts): `x.to("float64")`, `x.to("cpu")` (this
   * tensor: Tensile computes on the CPU; other devices throw), `x.to("cpu", "float64")`, `x.to(other)`,
   * `x.to(device, { nonBlocking: true })` (ignored), `x.to({ dtype, copy })`. `this` when nothing changes, unless `copy`.
   */
  to(...args: ToArgs): T {
    const { dtype, copy } = readToArgs("to", args, true);
    const out = dtype === null ? this : E.to(this, dtype);
    return copy && out === this ? M.clone(this) : out;
  }
  /** This tensor: Tensile's tensors are always on the CPU (PyTorch's `x.cpu()`). */
  cpu(): T { return this; }
  float(): T { return E.to(this, "float32"); }
  double(): T { return E.to(this, "float64"); }
  int(): T { return E.to(this, "int32"); }
  /** int32, as `int()`: Tensile has no int64 (JavaScript typed arrays), so PyTorch's `y.long()` labels land here. */
  long(): T { return E.to(this, "int32"); }
  bool(): T { return E.to(this, "bool"); }
  contiguous(): T { return M.contiguous(this); }
  clone(): T { return M.clone(this); }
  zerosLike(): T { return E.fullLike(this, 0); }
  onesLike(): T { return E.fullLike(this, 1); }

  // ---- elementwise ----
  add(o: TS, opts?: { alpha?: number }): T { return E.add(this, o, opts); }
  sub(o: TS, opts?: { alpha?: number }): T { return E.sub(this, o, opts); }
  mul(o: TS): T { return E.mul(this, o); }
  div(o: TS, opts?: { roundingMode?: "trunc" | "floor" | null }): T { return E.div(this, o, opts); }
  floorDivide(o: TS): T { return E.floorDivide(this, o); }
  remainder(o: TS): T { return E.remainder(this, o); }
  pow(o: TS): T { return E.pow(this, o); }
  neg(): T { return E.neg(this); }
  exp(): T { return E.exp(this); }
  expm1(): T { return E.expm1(this); }
  log(): T { return E.log(this); }
  log1p(): T { return E.log1p(this); }
  sqrt(): T { return E.sqrt(this); }
  rsqrt(): T { return E.rsqrt(this); }
  abs(): T { return E.abs(this); }
  sign(): T { return E.sign(this); }
  reciprocal(): T { return E.reciprocal(this); }
  sin(): T { return E.sin(this); }
  cos(): T { return E.cos(this); }
  round(): T { return E.round(this); }
  floor(): T { return E.floor(this); }
  ceil(): T { return E.ceil(this); }
  erf(): T { return E.erf(this); }
  clamp(min?: number | T | null | E.ClampOptions, max?: number | T | null | E.ClampOptions): T { return E.clamp(this, min, max); }
  maximum(o: TS): T { return E.maximum(this, o); }
  minimum(o: TS): T { return E.minimum(this, o); }
  eq(o: TS): T { return E.eq(this, o); }
  ne(o: TS): T { return E.ne(this, o); }
  lt(o: TS): T { return E.lt(this, o); }
  le(o: TS): T { return E.le(this, o); }
  gt(o: TS): T { return E.gt(this, o); }
  ge(o: TS): T { return E.ge(this, o); }
  logicalAnd(o: TS): T { return E.logicalAnd(this, o); }
  logicalOr(o: TS): T { return E.logicalOr(this, o); }
  logicalXor(o: TS): T { return E.logicalXor(this, o); }
  logicalNot(): T { return E.logicalNot(this); }
  where(cond: T, other: TS): T { return E.where(cond, this, other); }
  isnan(): T { return E.isnan(this); }
  isfinite(): T { return E.isfinite(this); }

  // ---- activations ----
  relu(): T { return A.relu(this); }
  leakyRelu(negativeSlope?: number | { negativeSlope?: number }): T { return A.leakyRelu(this, negativeSlope); }
  elu(alpha?: number | { alpha?: number }): T { return A.elu(this, alpha); }
  selu(): T { return A.selu(this); }
  gelu(opts?: { approximate?: "none" | "tanh" }): T { return A.gelu(this, opts); }
  silu(): T { return A.silu(this); }
  softplus(beta?: number | A.SoftplusOptions, threshold?: number | A.SoftplusOptions): T { return A.softplus(this, beta, threshold); }
  sigmoid(): T { return A.sigmoid(this); }
  logSigmoid(): T { return A.logSigmoid(this); }
  tanh(): T { return A.tanh(this); }
  hardtanh(minVal?: number | A.HardtanhOptions, maxVal?: number | A.HardtanhOptions): T { return A.hardtanh(this, minVal, maxVal); }
  softmax(dim: number | A.SoftmaxOptions, options?: A.SoftmaxOptions | null): T { return A.softmax(this, dim, options); }
  logSoftmax(dim: number | A.SoftmaxOptions, options?: A.SoftmaxOptions | null): T { return A.logSoftmax(this, dim, options); }

  // ---- reductions ----
  /** `{ dtype }` (last, after any of dim, keepdim) casts the input first, as PyTorch's `dtype=`: `x.sum({ dtype: "float32" })`. */
  sum(dim?: Dims | null | R.ReduceDtypeOptions, keepdim?: boolean | R.ReduceDtypeOptions, options?: R.ReduceDtypeOptions | null): T { return R.sum(this, dim as Dims, keepdim as boolean, options); }
  mean(dim?: Dims | null | R.ReduceDtypeOptions, keepdim?: boolean | R.ReduceDtypeOptions, options?: R.ReduceDtypeOptions | null): T { return R.mean(this, dim as Dims, keepdim as boolean, options); }
  prod(dim?: Dims | null | R.DimOptions, keepdim?: boolean | R.DimOptions): T { return R.prod(this, dim, keepdim); }
  var(dim?: Dims | null | (R.VarOptions & { dim?: Dims }), opts?: R.VarOptions): T { return R.variance(this, dim, opts); }
  std(dim?: Dims | null | (R.VarOptions & { dim?: Dims }), opts?: R.VarOptions): T { return R.std(this, dim, opts); }
  max(): T;
  max(other: T): T;
  max(dim: number | (R.OneDimOptions & { dim: number }), keepdim?: boolean | R.OneDimOptions): ValuesIndices;
  max(dim?: number | R.OneDimOptions | T, keepdim?: boolean | R.OneDimOptions): T | ValuesIndices { return dim === undefined ? R.max(this) : R.max(this, dim as number, keepdim); }
  min(): T;
  min(other: T): T;
  min(dim: number | (R.OneDimOptions & { dim: number }), keepdim?: boolean | R.OneDimOptions): ValuesIndices;
  min(dim?: number | R.OneDimOptions | T, keepdim?: boolean | R.OneDimOptions): T | ValuesIndices { return dim === undefined ? R.min(this) : R.min(this, dim as number, keepdim); }
  amax(dim?: Dims | null | R.DimOptions, keepdim?: boolean | R.DimOptions): T { return R.amax(this, dim, keepdim); }
  amin(dim?: Dims | null | R.DimOptions, keepdim?: boolean | R.DimOptions): T { return R.amin(this, dim, keepdim); }
  argmax(dim?: number | null | R.OneDimOptions, keepdim?: boolean | R.OneDimOptions): T { return R.argmax(this, dim, keepdim); }
  sort(dim?: number | S.SortOptions, descending?: boolean | S.SortOptions): ValuesIndices { return S.sort(this, dim, descending); }
  argsort(dim?: number | S.SortOptions, descending?: boolean | S.SortOptions): T { return S.argsort(this, dim, descending); }
  unique(opts?: S.UniqueOptions & { returnInverse?: false; returnCounts?: false }): T;
  unique(opts?: S.UniqueOptions): T | T[];
  unique(opts?: S.UniqueOptions): T | T[] { return S.unique(this, opts); }
  topk(k: number | S.TopkOptions, dim?: number | S.TopkOptions, largest?: boolean | S.TopkOptions, sorted?: boolean | S.TopkOptions): ValuesIndices { return S.topk(this, k, dim, largest, sorted); }
  argmin(dim?: number | null | R.OneDimOptions, keepdim?: boolean | R.OneDimOptions): T { return R.argmin(this, dim, keepdim); }
  logsumexp(dim: Dims | R.DimOptions, keepdim?: boolean | R.DimOptions): T { return R.logsumexp(this, dim, keepdim); }
  norm(p?: number | "fro" | null | (R.DimOptions & { p?: number | "fro" | null }), dim?: Dims | null | R.DimOptions, keepdim?: boolean | R.DimOptions): T { return R.norm(this, p, dim, keepdim); }
  all(dim?: Dims | null | R.DimOptions, keepdim?: boolean | R.DimOptions): T { return R.all(this, dim, keepdim); }
  any(dim?: Dims | null | R.DimOptions, keepdim?: boolean | R.DimOptions): T { return R.any(this, dim, keepdim); }
  cumsum(dim: number | { dim: number }): T { return R.cumsum(this, dim); }

  // ---- linear algebra ----
  matmul(o: T): T { return L.matmul(this, o); }
  mm(o: T): T { return L.mm(this, o); }
  bmm(o: T): T { return L.bmm(this, o); }
  t(): T { return L.t(this); }
  get T(): T { return M.permute(this, [...Array(this.ndim).keys()].reverse()); }
  outer(o: T): T { return L.outer(this, o); }
  dot(o: T): T { return L.dot(this, o); }

  // ---- selections, NaN-aware reductions, scans, counting (ops/reduce.ts, ops/sort.ts) ----
  median(): T;
  median(dim: number | (S.SortDimOptions & { dim: number }), keepdim?: boolean | S.SortDimOptions): ValuesIndices;
  median(dim?: number | S.SortDimOptions, keepdim?: boolean | S.SortDimOptions): T | ValuesIndices { return dim === undefined ? S.median(this) : S.median(this, dim as number, keepdim); }
  nanmedian(): T;
  nanmedian(dim: number | (S.SortDimOptions & { dim: number }), keepdim?: boolean | S.SortDimOptions): ValuesIndices;
  nanmedian(dim?: number | S.SortDimOptions, keepdim?: boolean | S.SortDimOptions): T | ValuesIndices { return dim === undefined ? S.nanmedian(this) : S.nanmedian(this, dim as number, keepdim); }
  mode(dim?: number | S.SortDimOptions, keepdim?: boolean | S.SortDimOptions): ValuesIndices { return S.mode(this, dim, keepdim); }
  kthvalue(k: number, dim?: number | S.SortDimOptions, keepdim?: boolean | S.SortDimOptions): ValuesIndices { return S.kthvalue(this, k, dim, keepdim); }
  quantile(q: number | T, dim?: number | null, keepdim?: boolean, opts?: S.QuantileOptions | null): T { return S.quantile(this, q, dim, keepdim, opts); }
  nanquantile(q: number | T, dim?: number | null, keepdim?: boolean, opts?: S.QuantileOptions | null): T { return S.nanquantile(this, q, dim, keepdim, opts); }
  msort(): T { return S.msort(this); }
  cummax(dim: number | { dim: number }): ValuesIndices { return S.cummax(this, dim); }
  cummin(dim: number | { dim: number }): ValuesIndices { return S.cummin(this, dim); }
  bincount(weights?: T | null | S.BincountOptions, minlength?: number | S.BincountOptions): T { return S.bincount(this, weights, minlength); }
  histc(bins?: number, min?: number, max?: number): T { return S.histc(this, bins, min, max); }
  nansum(dim?: Dims | null | R.DimOptions, keepdim?: boolean | R.DimOptions): T { return R.nansum(this, dim, keepdim); }
  nanmean(dim?: Dims | null | R.DimOptions, keepdim?: boolean | R.DimOptions): T { return R.nanmean(this, dim, keepdim); }
  countNonzero(dim?: Dims | null | { dim?: Dims }): T { return R.countNonzero(this, dim); }
  aminmax(opts?: { dim?: number | null; keepdim?: boolean } | null): R.MinMax { return R.aminmax(this, opts); }
  cumprod(dim: number | { dim: number }): T { return R.cumprod(this, dim); }
  logcumsumexp(dim: number | { dim: number }): T { return R.logcumsumexp(this, dim); }
  diff(n?: number | R.DiffOptions, dim?: number | R.DiffOptions, prepend?: T | null | R.DiffOptions, append?: T | null | R.DiffOptions): T { return R.diff(this, n, dim, prepend, append); }

  // ---- movement ----
  // sizes as one array or as numbers, as in PyTorch: reshape([2, 3]) or reshape(2, 3)
  reshape(shape: readonly number[]): T;
  reshape(...shape: number[]): T;
  reshape(...a: unknown[]): T { return M.reshape(this, sizeArgs("reshape", a)); }
  view(shape: readonly number[]): T;
  view(...shape: number[]): T;
  view(...a: unknown[]): T { return M.view(this, sizeArgs("view", a)); }
  flatten(startDim?: number | M.FlattenOptions, endDim?: number | M.FlattenOptions): T { return M.flatten(this, startDim, endDim); }
  unflatten(dim: number, sizes: readonly number[]): T { return M.unflatten(this, dim, sizes); }
  permute(dims: readonly number[]): T;
  permute(...dims: number[]): T;
  permute(...a: unknown[]): T { return M.permute(this, sizeArgs("permute", a)); }
  transpose(d0: number | { dim0?: number; dim1?: number }, d1?: number | { dim1?: number }): T { return M.transpose(this, d0, d1); }
  squeeze(dim?: Dims | { dim?: Dims }): T { return M.squeeze(this, dim as number); }
  unsqueeze(dim: number | M.DimOption): T { return M.unsqueeze(this, dim); }
  expand(shape: readonly number[]): T;
  expand(...shape: number[]): T;
  expand(...a: unknown[]): T { return M.expand(this, sizeArgs("expand", a)); }
  expandAs(o: T): T {
    assertTensor("expandAs", o, "other");
    return M.expand(this, o.shape);
  }
  broadcastTo(shape: readonly number[]): T { return M.expand(this, shape); }
  repeat(sizes: readonly number[]): T;
  repeat(...sizes: number[]): T;
  repeat(...a: unknown[]): T { return M.repeat(this, sizeArgs("repeat", a)); }
  split(sizeOrSections: number | readonly number[], dim?: number | M.DimOption): T[] { return M.split(this, sizeOrSections, dim); }
  chunk(chunks: number, dim?: number | M.DimOption): T[] { return M.chunk(this, chunks, dim); }
  narrow(dim: number, start: number, length: number): T { return I.narrow(this, dim, start, length); }
  select(dim: number, index: number): T { return I.select(this, dim, index); }
  diag(diagonal?: number | { diagonal?: number }): T { return I.diag(this, diagonal); }
  repeatInterleave(repeats: number | T, dim?: number | null | { dim?: number | null; outputSize?: number }): T { return I.repeatInterleave(this, repeats, dim); }
  index(spec: IndexSpec): T { return I.index(this, spec); }
  gather(dim: number, index: T): T { return I.gather(this, dim, index); }
  scatter(dim: number, index: T, src: TS, opts?: I.ScatterOptions | null): T { return I.scatter(this, dim, index, src, opts); }
  scatterAdd(dim: number, index: T, src: T): T { return I.scatterAdd(this, dim, index, src); }
  indexSelect(dim: number, index: T): T { return I.indexSelect(this, dim, index); }
  maskedFill(mask: T, value: number): T { return E.maskedFill(this, mask, value); }
  isclose(o: TS, opts?: E.IsCloseOptions): T { return E.isclose(this, o, opts); }
  allclose(o: TS, opts?: E.IsCloseOptions): boolean { return E.allclose(this, o, opts); }
  equal(o: T): boolean { return E.equal(this, o); }
  pad(pad: readonly number[], mode?: I.PadMode, value?: number): T { return I.pad(this, pad, mode, value); }
  flip(dims: Dims): T { return I.flip(this, dims); }
  tril(diagonal?: number | { diagonal?: number }): T { return I.tril(this, diagonal); }
  triu(diagonal?: number | { diagonal?: number }): T { return I.triu(this, diagonal); }
  oneHot(numClasses?: number | { numClasses?: number }): T { return I.oneHot(this, numClasses); }

  // ---- more movement and indexing (roll ... nonzero; ops/movement.ts, ops/indexing.ts, ops/index-write.ts) ----
  roll(shifts: number | readonly number[], dims?: Dims | null | { dims?: Dims | null }): T { return M.roll(this, shifts, dims as number); }
  rot90(k?: number, dims?: readonly number[]): T { return M.rot90(this, k, dims); }
  tile(dims: readonly number[]): T;
  tile(...dims: number[]): T;
  tile(...a: unknown[]): T { return M.tile(this, sizeArgs("tile", a)); }
  movedim(source: Dims, destination: Dims): T { return M.movedim(this, source, destination); }
  moveaxis(source: Dims, destination: Dims): T { return M.movedim(this, source, destination); }
  swapaxes(d0: number, d1: number): T { return M.transpose(this, d0, d1); }
  swapdims(d0: number, d1: number): T { return M.transpose(this, d0, d1); }
  unbind(dim?: number | M.DimOption): T[] { return M.unbind(this, dim); }
  tensorSplit(indicesOrSections: number | readonly number[] | T, dim?: number): T[] { return M.tensorSplit(this, indicesOrSections, dim); }
  hsplit(indicesOrSections: number | readonly number[]): T[] { return M.hsplit(this, indicesOrSections); }
  vsplit(indicesOrSections: number | readonly number[]): T[] { return M.vsplit(this, indicesOrSections); }
  dsplit(indicesOrSections: number | readonly number[]): T[] { return M.dsplit(this, indicesOrSections); }
  flipud(): T { return M.flipud(this); }
  fliplr(): T { return M.fliplr(this); }
  ravel(): T { return M.ravel(this); }
  /** The windows of `size` elements every `step` along `dimension`, as a new last dim (a strided view). */
  unfold(dimension: number, size: number, step: number): T { return M.unfold(this, dimension, size, step); }
  stft(nFft: number, ...rest: unknown[]): T { return STFT.stft(this, nFft, ...rest); }
  istft(nFft: number, ...rest: unknown[]): T { return STFT.istft(this, nFft, ...rest); }
  viewAs(other: T): T {
    assertTensor("viewAs", other, "other");
    return M.view(this, other.shape);
  }
  reshapeAs(other: T): T {
    assertTensor("reshapeAs", other, "other");
    return M.reshape(this, other.shape);
  }
  typeAs(other: T): T {
    assertTensor("typeAs", other, "other");
    return E.to(this, other.dtype);
  }
  newZeros(size: readonly number[], opts?: C.CreateOptions): T;
  newZeros(...sizeThenOptions: [...number[], C.CreateOptions] | number[]): T;
  newZeros(...a: unknown[]): T { return newFilled("newZeros", this, 0, a); }
  newOnes(size: readonly number[], opts?: C.CreateOptions): T;
  newOnes(...sizeThenOptions: [...number[], C.CreateOptions] | number[]): T;
  newOnes(...a: unknown[]): T { return newFilled("newOnes", this, 1, a); }
  /** Zero-filled, as `empty`. */
  newEmpty(size: readonly number[], opts?: C.CreateOptions): T;
  newEmpty(...sizeThenOptions: [...number[], C.CreateOptions] | number[]): T;
  newEmpty(...a: unknown[]): T { return newFilled("newEmpty", this, 0, a); }
  newFull(size: readonly number[], fillValue: number, opts?: C.CreateOptions): T {
    return newFilled("newFull", this, fillValue, opts === undefined ? [size] : [size, opts]);
  }
  /** A copy of `data` with this tensor's dtype (unless `opts.dtype`), on its backend. */
  newTensor(data: Nested | TypedArray, opts?: C.CreateOptions): T {
    return withBackend(this.backend, () => C.tensor(data, { dtype: this.dtype, ...(opts ?? {}) }));
  }
  take(index: T): T { return I.take(this, index); }
  takeAlongDim(indices: T, dim?: number | null): T { return I.takeAlongDim(this, indices, dim); }
  indexAdd(dim: number, index: T, source: T, opts?: W.IndexAddOptions | null): T { return W.indexAdd(this, dim, index, source, opts); }
  indexCopy(dim: number, index: T, source: T): T { return W.indexCopy(this, dim, index, source); }
  indexFill(dim: number, index: T, value: TS | boolean): T { return W.indexFill(this, dim, index, value); }
  indexPut(indices: readonly T[], values: TS, accumulate?: boolean): T { return W.indexPut(this, indices, values, accumulate); }
  maskedSelect(mask: T): T { return I.maskedSelect(this, mask); }
  maskedScatter(mask: T, source: T): T { return W.maskedScatter(this, mask, source); }
  nonzero(opts?: I.NonzeroOptions & { asTuple?: false }): T;
  nonzero(opts: I.NonzeroOptions & { asTuple: true }): T[];
  nonzero(opts?: I.NonzeroOptions | null): T | T[] { return I.nonzero(this, opts); }
  argwhere(): T { return I.argwhere(this); }
  selectScatter(src: T, dim: number, index: number): T { return W.selectScatter(this, src, dim, index); }
  sliceScatter(src: T, dim?: number, start?: number | null, end?: number | null, step?: number): T { return W.sliceScatter(this, src, dim, start, end, step); }
  diagonalScatter(src: T, offset?: number, dim1?: number, dim2?: number): T { return W.diagonalScatter(this, src, offset, dim1, dim2); }

  // ---- statistics, scatter/index reductions, Cholesky solves (ops/stats.ts, ops/linalg-extra.ts) ----
  uniqueConsecutive(opts?: ST.UniqueConsecutiveOptions & { returnInverse?: false; returnCounts?: false }): T;
  uniqueConsecutive(opts?: ST.UniqueConsecutiveOptions | null): T | T[];
  uniqueConsecutive(opts?: ST.UniqueConsecutiveOptions | null): T | T[] { return ST.uniqueConsecutive(this, opts); }
  histogram(bins: number | T, opts?: ST.HistogramOptions | null): ST.Histogram { return ST.histogram(this, bins, opts); }
  cov(opts?: ST.CovOptions | null): T { return ST.cov(this, opts); }
  corrcoef(): T { return ST.corrcoef(this); }
  diagflat(offset?: number): T { return ST.diagflat(this, offset); }
  renorm(p: number, dim: number, maxnorm: number): T { return ST.renorm(this, p, dim, maxnorm); }
  addcmul(tensor1: T, tensor2: T, opts?: { value?: number } | null): T { return ST.addcmul(this, tensor1, tensor2, opts); }
  addcdiv(tensor1: T, tensor2: T, opts?: { value?: number } | null): T { return ST.addcdiv(this, tensor1, tensor2, opts); }
  scatterReduce(dim: number, index: T, src: T, reduce: ST.ScatterReduceOp | ST.ScatterReduceKeywords, opts?: ST.ScatterReduceOptions | null): T { return ST.scatterReduce(this, dim, index, src, reduce, opts); }
  indexReduce(dim: number, index: T, source: T, reduce: ST.IndexReduceOp, opts?: ST.ScatterReduceOptions | null): T { return ST.indexReduce(this, dim, index, source, reduce, opts); }
  choleskyInverse(upper?: boolean | { upper?: boolean } | null): T { return LX.choleskyInverse(this, upper); }
  choleskySolve(L: T, upper?: boolean | { upper?: boolean } | null): T { return LX.choleskySolve(this, L, upper); }

}

installMethods(Tensor.prototype, mathMethods, linalgMethods, inplaceMethods);

// Runtimes without Symbol.dispose: TypeScript's `using` helper looks the method up under this key.
if (!(Symbol as { dispose?: symbol }).dispose)
  (Tensor.prototype as unknown as Record<symbol, unknown>)[Symbol.for("Symbol.dispose")] = Tensor.prototype.dispose;

/** Tensor.newFull / newZeros / ...: `args` is the size (an array or numbers), then optional options. */
function newFilled(op: string, t: Tensor, value: number, args: readonly unknown[]): Tensor {
  const [shape, opts] = sizeAndOptions<C.CreateOptions>(op, args);
  if (typeof value !== "number" && typeof value !== "boolean") throw new TensileError(`${op}: fill_value must be a number, got ${fmtValue(value)}`);
  return withBackend(t.backend, () => C.full(shape, value, { dtype: t.dtype, ...opts }));
}

function usedAfterDispose(t: Tensor): never {
  throw new TensileError(`a Tensor of shape ${fmtShape(t.shape)} was used after dispose()`);
}

/** A tensor that a Module registers as a learnable parameter: a leaf that requires grad by default. */
_registerTensorClass(Tensor);

export class Parameter extends Tensor {
  constructor(t: Tensor, requiresGrad = true) {
    if (!(t instanceof Tensor)) throw new TensileError(`Parameter: expected a Tensor, got ${fmtValue(t)}`);
    // torch.tensor(0.0) is float, but JS can't tell 0.0 from 0: tensor(0.0) is int32, so say how to fix it
    if (requiresGrad && !isFloating(t.dtype))
      throw new TensileError(`Parameter: only tensors of floating point dtype can require gradients (got ${t.dtype}); ` +
        `tensor(0.0) is int32 in JS (it can't tell 0.0 from 0): pass { dtype: "float32" } or call .float() first`);
    super(t.storage, t.backend, t.shape, t.strides, t.offset);
    this.requiresGrad = requiresGrad;
  }
}
