/**
 * Tensor methods for asking about a tensor (`isFloatingPoint`, `elementSize`, `stride`,
 * `isNonzero`, ...), transposes of the last two dims (`mT`, `mH`, `H`, `adjoint`), a few aliases
 * (`splitWithSizes`, `narrowCopy`, `unsafeChunk`, `sumToSize`), and the random in-place fills
 * (`random_`, `exponential_`, `geometric_`, `logNormal_`, `cauchy_`, `bernoulli_`) with the
 * `bernoulli`/`multinomial` methods. Installed on `Tensor.prototype` and declared by declaration
 * merging, as tensor/inplace-methods.ts; src/core.ts imports both.
 *
 * Random fills draw from the global generator or `opts.generator` in row-major order, like `rand`;
 * as PyTorch's they are refused on a tensor in the autograd graph while grad mode is on.
 */
import { TensileError, fmtShape, fmtValue } from "../errors.js";
import { Tensor } from "./tensor.js";
import { type Generator, defaultGenerator } from "./random.js";
import { isFloating } from "./dtype.js";
import { normalizeDim } from "./shape.js";
import { bernoulli, multinomial, type SampleOptions } from "./sampling.js";
import { fillRandom } from "../ops/inplace.js";
import { assertTensor, onBackend } from "../ops/util.js";
import { isNonzero, isSameSize } from "../ops/tensor-api.js";

/** The options of the random fills: the generator to draw from (default the global one). */
export interface RandomFillOptions { generator?: Generator }

declare module "./tensor.js" {
  interface Tensor {
    /** Whether the dtype is float32 or float64 (`x.is_floating_point()`). */
    isFloatingPoint(): boolean;
    /** Always false: Tensile has no complex dtypes (complex values are pairs of reals; see docs/fft.md). */
    isComplex(): boolean;
    /** Whether the dtype holds negative values (every dtype but bool). */
    isSigned(): boolean;
    /** Bytes per element: 4 for float32 and int32, 8 for float64, 1 for bool. */
    elementSize(): number;
    /** `numel()` (PyTorch's older name). */
    nelement(): number;
    /** `dim()` (PyTorch's older name). */
    ndimension(): number;
    /** The strides in elements (`x.stride()`), or the stride of one dim. */
    stride(): number[];
    stride(dim: number): number;
    /** Where this view starts in its storage, in elements (`x.storage_offset()`). */
    storageOffset(): number;
    /** Whether `other` has this tensor's shape (`x.is_same_size(other)`). */
    isSameSize(other: Tensor): boolean;
    /** The one element as a boolean; an error for zero or several elements (`x.is_nonzero()`). */
    isNonzero(): boolean;
    /** Whether `retainGrad()` was called on this non-leaf tensor (`x.retains_grad`). */
    readonly retainsGrad: boolean;
    /**
     * Sums this tensor down to `size`, which must broadcast to its shape (`x.sum_to_size`): the
     * reduction that undoes a broadcast. `ones(2, 3).sumToSize(1, 3)` is [[2, 2, 2]].
     */
    sumToSize(size: readonly number[]): Tensor;
    sumToSize(...size: number[]): Tensor;
    /** The last two dims swapped (a view; batches of matrices), as `x.mT`. */
    readonly mT: Tensor;
    /** `mT` (the conjugate is the tensor itself: Tensile's dtypes are real), as `x.mH`. */
    readonly mH: Tensor;
    /** The transpose of a matrix (2-D only; a 0-D tensor is itself), as `x.H`. */
    readonly H: Tensor;
    /** `mH` as a method (`x.adjoint()`). */
    adjoint(): Tensor;
    /** `split(sizes, dim)` with a list of sizes (`x.split_with_sizes`). */
    splitWithSizes(splitSizes: readonly number[], dim?: number): Tensor[];
    /** `narrow` as a copy rather than a view (`x.narrow_copy`). */
    narrowCopy(dim: number, start: number, length: number): Tensor;
    /** `chunk` (PyTorch's "unsafe" variant differs only in autograd's view checks). */
    unsafeChunk(chunks: number, dim?: number): Tensor[];
    /** `split` (PyTorch's "unsafe" variant differs only in autograd's view checks). */
    unsafeSplit(splitSize: number | readonly number[], dim?: number): Tensor[];
    /**
     * Fills with integers drawn uniformly from [from, to) (`random_(from, to)`), [0, to)
     * (`random_(to)`), or, with no bounds, [0, 2^24] for float32, [0, 2^53] for float64,
     * [0, 2^31 − 1] for int32 and {0, 1} for bool, as `x.random_()`. Returns x.
     */
    random_(opts?: RandomFillOptions): this;
    random_(to: number, opts?: RandomFillOptions): this;
    random_(from: number, to: number | null, opts?: RandomFillOptions): this;
    /** Fills with Exponential(lambd) draws, −ln(1 − u)/lambd (`x.exponential_`). Returns x. */
    exponential_(lambd?: number, opts?: RandomFillOptions): this;
    /** Fills with the number of Bernoulli(p) trials up to the first success, in {1, 2, ...} (`x.geometric_`). Returns x. */
    geometric_(p: number, opts?: RandomFillOptions): this;
    /** Fills with exp(N(mean, std²)) draws (`x.log_normal_`; defaults mean 1, std 2). Returns x. */
    logNormal_(mean?: number, std?: number, opts?: RandomFillOptions): this;
    /** Fills with Cauchy(median, sigma) draws, median + sigma·tan(π(u − ½)) (`x.cauchy_`). Returns x. */
    cauchy_(median?: number, sigma?: number, opts?: RandomFillOptions): this;
    /** Fills with 0/1 draws that are 1 with probability p (a number, or a tensor broadcast to x's shape), as `x.bernoulli_`. Returns x. */
    bernoulli_(p?: number | Tensor, opts?: RandomFillOptions): this;
    /** 0/1 draws with probability this tensor's elements (or p for all), as `torch.bernoulli(x)`. */
    bernoulli(p?: number | SampleOptions | null, opts?: SampleOptions): Tensor;
    /** `numSamples` category indices per row of these weights, as `torch.multinomial(x, ...)`. */
    multinomial(numSamples: number, replacement?: boolean | SampleOptions, opts?: SampleOptions): Tensor;
  }
}

function define(name: string, fn: (this: Tensor, ...args: never[]) => unknown): void {
  Object.defineProperty(Tensor.prototype, name, { value: fn, writable: true, configurable: true, enumerable: false });
}
function getter(name: string, fn: (this: Tensor) => unknown): void {
  Object.defineProperty(Tensor.prototype, name, { get: fn, configurable: true, enumerable: false });
}

const ELEMENT_SIZE = { float32: 4, float64: 8, int32: 4, bool: 1 } as const;

define("isFloatingPoint", function (this: Tensor) { return isFloating(this.dtype); });
define("isComplex", function (this: Tensor) { return false; });
define("isSigned", function (this: Tensor) { return this.dtype !== "bool"; });
define("elementSize", function (this: Tensor) { return ELEMENT_SIZE[this.dtype]; });
define("nelement", function (this: Tensor) { return this.numel(); });
define("ndimension", function (this: Tensor) { return this.ndim; });
define("stride", function (this: Tensor, dim?: number) {
  return dim === undefined ? [...this.strides] : this.strides[normalizeDim("stride", dim, this.ndim)]!;
});
define("storageOffset", function (this: Tensor) { return this.offset; });
define("isSameSize", function (this: Tensor, other: Tensor) { return isSameSize(this, other); });
define("isNonzero", function (this: Tensor) { return isNonzero(this); });
getter("retainsGrad", function (this: Tensor) { return this._retainsGrad && !this.isLeaf; });

// PyTorch's `x.data = v` (new values outside autograd, as in `delta.data = (delta + α·g.sign()).clamp(-ε, ε)`)
// would, from JavaScript, only shadow the readback `data()` on that one object and change no value:
// `data` stays the method to read, and assigning to it is refused.
const readData = Object.getOwnPropertyDescriptor(Tensor.prototype, "data")!.value as Tensor["data"];
Object.defineProperty(Tensor.prototype, "data", {
  get: () => readData,
  set(this: Tensor, v: unknown) {
    throw new TensileError(`data: x.data = ${fmtValue(v)} is PyTorch's way to replace the values outside autograd; ` +
      "Tensile's x.data() reads the values. Write noGrad(() => x.copy_(v)) instead");
  },
  configurable: true, enumerable: false,
});

define("sumToSize", function (this: Tensor, ...a: (number | readonly number[])[]) {
  const size = a.length === 1 && Array.isArray(a[0]) ? [...(a[0] as readonly number[])] : (a as number[]);
  const lead = this.ndim - size.length;
  const ok = lead >= 0 && size.every((s, i) => Number.isInteger(s) && (s === 1 || s === this.shape[lead + i]));
  if (!ok) throw new TensileError(`sumToSize: size ${fmtShape(size)} is not expandable to size ${fmtShape(this.shape)}`);
  const dims = [...Array(this.ndim).keys()].filter((d) => d < lead || (size[d - lead] === 1 && this.shape[d] !== 1));
  return dims.length === 0 ? this : this.sum(dims, true).reshape(size);
});
function lastTwoSwapped(this: Tensor, name: string): Tensor {
  if (this.ndim < 2) throw new TensileError(`${name}: only supported on matrices or batches of matrices, got a ${this.ndim}-D tensor`);
  return this.transpose(-2, -1);
}
getter("mT", function (this: Tensor) { return lastTwoSwapped.call(this, "mT"); });
getter("mH", function (this: Tensor) { return lastTwoSwapped.call(this, "mH"); });
getter("H", function (this: Tensor) {
  if (this.ndim === 0) return this;
  if (this.ndim !== 2) throw new TensileError(`H: only supported on matrices (2-D tensors), got a ${this.ndim}-D tensor; use mH for batches of matrices`);
  return this.transpose(0, 1);
});
define("adjoint", function (this: Tensor) { return lastTwoSwapped.call(this, "adjoint"); });
define("splitWithSizes", function (this: Tensor, sizes: readonly number[], dim = 0) {
  if (!Array.isArray(sizes)) throw new TensileError(`splitWithSizes: splitSizes must be an array of sizes, got ${fmtValue(sizes)}`);
  return this.split(sizes, dim);
});
define("narrowCopy", function (this: Tensor, dim: number, start: number, length: number) { return this.narrow(dim, start, length).clone(); });
define("unsafeChunk", function (this: Tensor, chunks: number, dim?: number) { return this.chunk(chunks, dim); });
define("unsafeSplit", function (this: Tensor, s: number | readonly number[], dim?: number) { return this.split(s, dim); });

// ---- random fills ----
const genOf = (op: string, opts: RandomFillOptions | undefined): Generator => {
  const g = opts?.generator ?? defaultGenerator;
  if (typeof g?.random !== "function") throw new TensileError(`${op}: generator must be a Generator, got ${fmtValue(opts?.generator)}`);
  return g;
};
const isOpts = (v: unknown): v is RandomFillOptions => typeof v === "object" && v !== null && !(v instanceof Tensor);
/** (0, 1]: never 0, so logs stay finite. */
const openLow = (g: Generator): number => 1 - g.random();
const FULL_RANGE = { float32: 2 ** 24 + 1, float64: 2 ** 53 + 1, int32: 2 ** 31, bool: 2 } as const;

define("random_", function (this: Tensor, a?: number | RandomFillOptions, b?: number | null | RandomFillOptions, c?: RandomFillOptions) {
  const op = "random_";
  let from = 0, to: number, opts: RandomFillOptions | undefined;
  if (a === undefined || isOpts(a)) [to, opts] = [FULL_RANGE[this.dtype], a];
  else if (b === undefined || isOpts(b)) [to, opts] = [a, b];
  else [from, to, opts] = [a, b ?? FULL_RANGE[this.dtype], c];
  if (!Number.isInteger(from) || !Number.isInteger(to)) throw new TensileError(`${op}: from and to must be integers, got ${fmtValue(from)} and ${fmtValue(to)}`);
  if (!(from < to)) throw new TensileError(`${op}: random_ expects 'from' to be less than 'to', but got from=${from} >= to=${to}`);
  const g = genOf(op, opts);
  return fillRandom(op, this, () => g.randint(from, to));
});
define("exponential_", function (this: Tensor, lambd = 1, opts?: RandomFillOptions) {
  const op = "exponential_";
  if (!isFloating(this.dtype)) throw new TensileError(`${op}: expected a floating point tensor, got ${this.dtype}`);
  if (!(lambd > 0)) throw new TensileError(`${op}: expects lambda > 0.0, but found lambda=${fmtValue(lambd)}`);
  const g = genOf(op, opts);
  return fillRandom(op, this, () => -Math.log(openLow(g)) / lambd);
});
define("geometric_", function (this: Tensor, p: number, opts?: RandomFillOptions) {
  const op = "geometric_";
  if (this.dtype === "bool") throw new TensileError(`${op}: not implemented for bool tensors`);
  if (!(p > 0 && p < 1)) throw new TensileError(`${op}: expects p to be in (0, 1), but got p=${fmtValue(p)}`);
  const g = genOf(op, opts);
  const l = Math.log1p(-p);
  return fillRandom(op, this, () => Math.max(1, Math.ceil(Math.log(openLow(g)) / l)));
});
define("logNormal_", function (this: Tensor, mean = 1, std = 2, opts?: RandomFillOptions) {
  const op = "logNormal_";
  if (!isFloating(this.dtype)) throw new TensileError(`${op}: expected a floating point tensor, got ${this.dtype}`);
  if (!(std > 0)) throw new TensileError(`${op}: expects std > 0.0, but found std=${fmtValue(std)}`);
  const g = genOf(op, opts);
  return fillRandom(op, this, () => Math.exp(mean + std * g.normal()));
});
define("cauchy_", function (this: Tensor, median = 0, sigma = 1, opts?: RandomFillOptions) {
  const op = "cauchy_";
  if (!isFloating(this.dtype)) throw new TensileError(`${op}: expected a floating point tensor, got ${this.dtype}`);
  if (!(sigma > 0)) throw new TensileError(`${op}: expects sigma > 0.0, but found sigma=${fmtValue(sigma)}`);
  const g = genOf(op, opts);
  return fillRandom(op, this, () => median + sigma * Math.tan(Math.PI * (g.random() - 0.5)));
});
define("bernoulli_", function (this: Tensor, p: number | Tensor | RandomFillOptions = 0.5, opts?: RandomFillOptions) {
  const op = "bernoulli_";
  if (isOpts(p)) [p, opts] = [0.5, p];
  const g = genOf(op, opts);
  if (typeof p === "number") {
    if (!(p >= 0 && p <= 1)) throw new TensileError(`${op}: expects 0 <= p <= 1, but got p=${fmtValue(p)}`);
    return fillRandom(op, this, () => (g.random() < p ? 1 : 0));
  }
  assertTensor(op, p, "p");
  const probs = Array.from(onBackend(p, this.backend).expand(this.shape).contiguous().dataSync(), Number);
  probs.forEach((q, i) => {
    if (!(q >= 0 && q <= 1)) throw new TensileError(`${op}: expected all probabilities p in [0, 1], got ${q} at flat index ${i}`);
  });
  let i = 0;
  return fillRandom(op, this, () => (g.random() < probs[i++]! ? 1 : 0));
});
define("bernoulli", function (this: Tensor, p?: number | SampleOptions | null, opts?: SampleOptions) { return bernoulli(this, p, opts); });
define("multinomial", function (this: Tensor, n: number, replacement?: boolean | SampleOptions, opts?: SampleOptions) {
  return multinomial(this, n, replacement, opts);
});
