/**
 * Tensor methods from torch 1.13 that a port reaches for and that tensor.ts does not need to hold:
 * the in-place matrix products (`addmm_`, `addmv_`, `addr_`, `addbmm_`, `baddbmm_`, recorded by
 * autograd like every in-place op, through ops/inplace.ts), the legacy type API (`type()`,
 * `new(...)`, and `byte()`/`half()`/... which name the dtype Tensile lacks), the CPU callbacks
 * `apply_`/`map_`/`map2_`, `detach_()`, `put`, `angle`, and the complex
 * introspection of a real tensor (`real`, `imag`, `conj()`, `isConj()`, ...). Installed on
 * `Tensor.prototype` and declared by declaration merging, as tensor/inplace-methods.ts; src/core.ts
 * imports this module.
 * ```ts
 * y.addmm_(a, b, { beta: 0.5 });   // y ← 0.5·y + a·b
 * x.type();                         // "torch.FloatTensor"
 * x.detach().apply_((v) => v * v);  // squares in place (no autograd, as PyTorch)
 * ```
 */
import { TensileError, fmtShape, fmtValue } from "../errors.js";
import { Tensor } from "./tensor.js";
import { type DType, DTYPES, arrayFor } from "./dtype.js";
import { empty, tensor, type CreateOptions } from "./creation.js";
import { withBackend } from "../backends/registry.js";
import type { Nested } from "./tensor.js";
import * as IP from "../ops/inplace.js";
import { addbmm, addmm, addmv, addr, baddbmm } from "../ops/linalg.js";
import { angle, put } from "../ops/torch-aliases.js";
import { assertTensor } from "../ops/util.js";

/** beta·self + alpha·(product), PyTorch's `beta=` / `alpha=` keywords. */
export interface AddProductOptions { beta?: number; alpha?: number }

declare module "./tensor.js" {
  interface Tensor {
    /** In place addmm: x ← beta·x + alpha·(mat1 @ mat2); x must be [n, p] (`torch.Tensor.addmm_`). Returns x. */
    addmm_(mat1: Tensor, mat2: Tensor, opts?: AddProductOptions | null): this;
    /** In place addmv: x ← beta·x + alpha·(mat @ vec); x must be [n] (`torch.Tensor.addmv_`). Returns x. */
    addmv_(mat: Tensor, vec: Tensor, opts?: AddProductOptions | null): this;
    /** In place addr: x ← beta·x + alpha·outer(vec1, vec2); x must be [n, m] (`torch.Tensor.addr_`). Returns x. */
    addr_(vec1: Tensor, vec2: Tensor, opts?: AddProductOptions | null): this;
    /** In place addbmm: x ← beta·x + alpha·Σ_b batch1[b] @ batch2[b]; x must be [n, p] (`torch.Tensor.addbmm_`). Returns x. */
    addbmm_(batch1: Tensor, batch2: Tensor, opts?: AddProductOptions | null): this;
    /** In place baddbmm: x ← beta·x + alpha·(batch1 @ batch2); x must be [B, n, p] (`torch.Tensor.baddbmm_`). Returns x. */
    baddbmm_(batch1: Tensor, batch2: Tensor, opts?: AddProductOptions | null): this;
    /** uint8 (`x.byte()`): an error naming the dtype, which Tensile does not have. */
    byte(): Tensor;
    /** int8 (`x.char()`): an error naming the dtype. */
    char(): Tensor;
    /** int16 (`x.short()`): an error naming the dtype. */
    short(): Tensor;
    /** float16 (`x.half()`): an error naming the dtype. */
    half(): Tensor;
    /** bfloat16 (`x.bfloat16()`): an error naming the dtype. */
    bfloat16(): Tensor;
    /** complex64 (`x.cfloat()`): an error naming the dtype. */
    cfloat(): Tensor;
    /** complex128 (`x.cdouble()`): an error naming the dtype. */
    cdouble(): Tensor;
    /** complex32 (`x.chalf()`): an error naming the dtype. */
    chalf(): Tensor;
    /**
     * With no argument, PyTorch's legacy type name: "torch.FloatTensor", "torch.DoubleTensor",
     * "torch.IntTensor" or "torch.BoolTensor". With a dtype ("float64", or PyTorch's "torch.float64"
     * or "torch.DoubleTensor"), `x.to(dtype)` (x itself when it has that dtype already).
     */
    type(): string;
    type(dtype: DType | string): Tensor;
    /**
     * PyTorch's legacy constructor of a tensor of x's dtype (and backend): `x.new()` is empty [0],
     * `x.new(2, 3)` or `x.new([2, 3] as sizes)` uninitialised (zero-filled here) of that shape, and
     * `x.new(data)` with nested arrays (`x.new([[1, 2]])`) a tensor of that data. A flat array of
     * numbers is data, as in PyTorch (`x.new([2, 3])` is the 1-D tensor [2, 3]).
     */
    "new"(...sizes: number[]): Tensor;
    "new"(data: Nested | Tensor): Tensor;
    /**
     * x[i] ← fn(x[i]) for every element, row-major, with the result converted to x's dtype (as
     * a typed array stores it: truncated for int32, nonzero → true for bool); PyTorch's CPU-only
     * `apply_`. Refused on a tensor that requires grad (autograd cannot see a JS function). Returns x.
     */
    apply_(fn: (v: number) => number | boolean): this;
    /** x[i] ← fn(x[i], other[i]), other broadcast to x's shape (`x.map_(other, fn)`); as `apply_`. Returns x. */
    map_(other: Tensor, fn: (a: number, b: number) => number | boolean): this;
    /** x[i] ← fn(x[i], a[i], b[i]), a and b broadcast to x's shape (`x.map2_(a, b, fn)`); as `apply_`. Returns x. */
    map2_(a: Tensor, b: Tensor, fn: (x: number, a: number, b: number) => number | boolean): this;
    /**
     * Takes x out of the autograd graph in place (`x.detach_()`): x becomes a leaf that does not
     * require grad. Refused on a part of a storage (PyTorch refuses views) and on a tensor a recorded
     * op already took as input (its graph edge points at the tensor object here). Returns x.
     */
    detach_(): this;
    /** Out-of-place `put_`: a copy of x with `source` written at the flat indices `index` (`x.put`). */
    put(index: Tensor, source: Tensor, accumulate?: boolean): Tensor;
    /** π where x < 0, 0 where x ≥ 0, NaN for NaN (`x.angle()`); float32 for int and bool; zero gradient. */
    angle(): Tensor;
    /** x itself: the real part of a real tensor (`x.real`). */
    readonly real: Tensor;
    /** Throws, as PyTorch does for a tensor of a real dtype (`x.imag`). */
    readonly imag: Tensor;
    /** x itself: a real tensor is its own conjugate (`x.conj()`). */
    conj(): Tensor;
    /** x itself (`x.conj_physical()`). */
    conjPhysical(): Tensor;
    /** x, unchanged (`x.conj_physical_()`). */
    conjPhysical_(): this;
    /** x itself (`x.resolve_conj()`). */
    resolveConj(): Tensor;
    /** x itself (`x.resolve_neg()`). */
    resolveNeg(): Tensor;
    /** false: no lazily conjugated tensors (`x.is_conj()`). */
    isConj(): boolean;
    /** false: no lazily negated tensors (`x.is_neg()`). */
    isNeg(): boolean;
    /** false: tensors carry no inference-mode flag (`inferenceMode` is `noGrad`) (`x.is_inference()`). */
    isInference(): boolean;
    /** true everywhere (bool, x's shape): every value of a real tensor is real (`x.isreal()`). */
    isreal(): Tensor;
    /** −1, PyTorch's device index of a CPU tensor (`x.get_device()`). */
    getDevice(): number;
    /** `splitWithSizes` (PyTorch's "unsafe" variant differs only in autograd's view checks). */
    unsafeSplitWithSizes(splitSizes: readonly number[], dim?: number): Tensor[];
  }
}

/** Defines `name` on Tensor.prototype as a class method would be (non-enumerable, writable). */
function define(name: string, fn: (this: Tensor, ...args: never[]) => unknown): void {
  Object.defineProperty(Tensor.prototype, name, { value: fn, writable: true, configurable: true, enumerable: false });
}
function getter(name: string, get: (this: Tensor) => unknown): void {
  Object.defineProperty(Tensor.prototype, name, { get, configurable: true, enumerable: false });
}

const sameShape = (a: readonly number[], b: readonly number[]): boolean => a.length === b.length && a.every((d, i) => d === b[i]);

// ---- in-place matrix products: x ← f(x, ...) with x's shape fixed (PyTorch does not resize self) ----
type Product = (input: Tensor, a: Tensor, b: Tensor, opts?: AddProductOptions | null) => Tensor;
const PRODUCTS: Record<string, Product> = { addmm, addmv, addr, addbmm, baddbmm };
for (const [name, f] of Object.entries(PRODUCTS)) {
  const op = `${name}_`;
  define(op, function (this: Tensor, a: Tensor, b: Tensor, opts?: AddProductOptions | null) {
    assertTensor(op, a);
    assertTensor(op, b);
    // beta·x needs only beta for its gradient, so f runs on x's alias (readsSelf false); a and b have
    // shapes of their own (othersBroadcast false)
    return IP.inPlace(op, this, (t) => {
      const out = f(t, a, b, opts);
      if (!sameShape(out.shape, this.shape))
        throw new TensileError(`${op}: the result has shape ${fmtShape(out.shape)} but self has shape ${fmtShape(this.shape)} (an in-place op cannot resize self)`);
      return out;
    }, [a, b], false, false);
  });
}

// ---- dtypes Tensile lacks ----
const MISSING: Record<string, string> = {
  byte: "uint8", char: "int8", short: "int16", half: "float16", bfloat16: "bfloat16", cfloat: "complex64", cdouble: "complex128", chalf: "complex32",
};
for (const [m, dt] of Object.entries(MISSING))
  define(m, function (this: Tensor) {
    throw new TensileError(`${m}: Tensile has no ${dt} dtype (torch.${dt}); its dtypes are ${DTYPES.join(", ")} (use x.to(dtype) with one of them)`);
  });

// ---- legacy type API ----
const LEGACY: Record<DType, string> = { float32: "torch.FloatTensor", float64: "torch.DoubleTensor", int32: "torch.IntTensor", bool: "torch.BoolTensor" };
/** The dtype a PyTorch type or dtype name means ("torch.DoubleTensor", "torch.float64", "float64", "torch.double"). */
function dtypeOfName(op: string, name: unknown): DType {
  if (typeof name === "string") {
    const bare = name.replace(/^torch\./, "");
    const aliases: Record<string, DType> = { float: "float32", double: "float64", int: "int32", float32: "float32", float64: "float64", int32: "int32", bool: "bool" };
    const fromLegacy = (Object.keys(LEGACY) as DType[]).find((d) => LEGACY[d] === name);
    const d = fromLegacy ?? aliases[bare];
    if (d) return d;
  }
  throw new TensileError(`${op}: invalid type ${fmtValue(name)} (Tensile's types are ${DTYPES.map((d) => LEGACY[d]).join(", ")}, or the dtypes ${DTYPES.join(", ")})`);
}
define("type", function (this: Tensor, dtype?: unknown) {
  if (dtype === undefined || dtype === null) return LEGACY[this.dtype];
  const d = dtypeOfName("type", dtype);
  return d === this.dtype ? this : this.to(d);
});

define("new", function (this: Tensor, ...args: unknown[]) {
  const opts: CreateOptions = { dtype: this.dtype };
  return withBackend(this.backend, () => {
    if (args.length === 0) return empty([0], opts);
    if (args.length === 1 && args[0] instanceof Tensor) {
      if (args[0].dtype !== this.dtype) throw new TensileError(`new: expected a tensor of dtype ${this.dtype} (x's), got ${args[0].dtype}`);
      return args[0];
    }
    if (args.every((a) => typeof a === "number")) {
      const sizes = args as number[];
      if (!sizes.every((s) => Number.isInteger(s) && s >= 0)) throw new TensileError(`new: sizes must be non-negative integers, got ${fmtValue(sizes)}`);
      return empty(sizes, opts);
    }
    if (args.length === 1) return tensor(args[0] as Nested, opts);
    throw new TensileError(`new: expected sizes (numbers) or one array of data, got ${fmtValue(args)}`);
  });
});

// ---- JS callbacks over the elements (CPU semantics: no autograd) ----
function mapInPlace<S extends Tensor>(op: string, x: S, others: readonly Tensor[], fn: (...v: number[]) => number | boolean): S {
  if (typeof fn !== "function") throw new TensileError(`${op}: expected a function, got ${fmtValue(fn)}`);
  for (const t of [x, ...others]) {
    assertTensor(op, t);
    if (t.requiresGrad) throw new TensileError(`${op}: Can't call ${op}() on Variable that requires grad. Use var.detach().${op}() instead.`);
  }
  const xs = x.dataSync();
  const os = others.map((o) => {
    try {
      return o.expand(x.shape).contiguous().dataSync();
    } catch {
      throw new TensileError(`${op}: the shape of the other tensor ${fmtShape(o.shape)} cannot be broadcast to self's shape ${fmtShape(x.shape)}`);
    }
  });
  const out = arrayFor(x.dtype, xs.length);
  const isBool = x.dtype === "bool";
  for (let i = 0; i < xs.length; i++) {
    const r = fn(Number(xs[i]), ...os.map((a) => Number(a[i])));
    out[i] = isBool ? (r ? 1 : 0) : Number(r);
  }
  const src = withBackend(x.backend, () => tensor(out, { shape: [...x.shape], dtype: x.dtype }));
  return IP.copy_(x, src);
}
define("apply_", function (this: Tensor, fn: (v: number) => number | boolean) { return mapInPlace("apply_", this, [], fn); });
define("map_", function (this: Tensor, other: Tensor, fn: (a: number, b: number) => number | boolean) {
  return mapInPlace("map_", this, [other], fn as (...v: number[]) => number);
});
define("map2_", function (this: Tensor, a: Tensor, b: Tensor, fn: (x: number, a: number, b: number) => number | boolean) {
  return mapInPlace("map2_", this, [a, b], fn as (...v: number[]) => number);
});

define("detach_", function (this: Tensor) {
  if (!(this.offset === 0 && this.numel() === this.storage.length && this.isContiguous()))
    throw new TensileError(`detach_: Can't detach views in-place. Use detach() instead (shape ${fmtShape(this.shape)}, offset ${this.offset}, in a storage of ${this.storage.length} elements)`);
  if (this.requiresGrad && this._graphUses > 0)
    throw new TensileError(
      `detach_: this tensor (${this.dtype} ${fmtShape(this.shape)}) was already used as an input by an op autograd recorded; ` +
        "detaching it in place would cut that op's gradient here. Use y = x.detach() instead");
  // the engine reads the node off the tensor object: dropping it makes x a leaf, as PyTorch's detach_
  Reflect.set(this, "_gradFn", null);
  this._requiresGrad = false;
  this._version = Infinity; // outside the graph, as detach()'s result
  return this;
});

define("put", function (this: Tensor, index: Tensor, source: Tensor, accumulate = false) { return put(this, index, source, accumulate); });
define("angle", function (this: Tensor) { return angle(this); });

// ---- complex introspection of a real tensor ----
getter("real", function (this: Tensor) { return this; });
getter("imag", function (this: Tensor) {
  throw new TensileError(`imag: imag is not implemented for tensors with non-complex dtypes (got ${this.dtype})`);
});
for (const m of ["conj", "conjPhysical", "conjPhysical_", "resolveConj", "resolveNeg"])
  define(m, function (this: Tensor) { return this; });
for (const m of ["isConj", "isNeg", "isInference"])
  define(m, function (this: Tensor) { return false; });
define("isreal", function (this: Tensor) { return withBackend(this.backend, () => tensor(true).expand(this.shape).contiguous()); });
define("getDevice", function (this: Tensor) { return -1; });
define("unsafeSplitWithSizes", function (this: Tensor, sizes: readonly number[], dim?: number) { return this.splitWithSizes(sizes, dim); });
