/**
 * PyTorch's in-place shape methods — `t_`, `transpose_`, `swapdims_`/`swapaxes_`, `squeeze_`,
 * `unsqueeze_`, `resize_`, `resizeAs_`, `asStrided_` — which change a tensor's view (shape, strides)
 * instead of its values. Installed on `Tensor.prototype` and declared by declaration merging, as
 * tensor/inplace-methods.ts; src/core.ts imports this module.
 *
 * The view changes on the same tensor object, so code that holds it (an optimizer, a closure) sees
 * the new shape. Autograd records the view ops as PyTorch does (`y.t_()` on an op's output gives y
 * the transpose's node; a leaf that requires grad is refused), with the limits of in-place writes
 * (ops/inplace.ts): a tensor a recorded op already took as input is refused. Backward rules hold
 * the tensor objects they read, so a view change also moves the storage's version: a rule that
 * saved a tensor of this storage then refuses to run, with PyTorch's "modified by an inplace
 * operation" error, instead of reading the new shape (PyTorch keeps the old view in its saved
 * variable and goes on).
 *
 * ```ts
 * const x = arange(6).reshape(2, 3);
 * x.t_();            // x is [3, 2], a view of the same storage
 * x.unsqueeze_(0);   // [1, 3, 2]
 * const b = zeros(2).resize_(2, 2); // [2, 2]: grown, new elements 0
 * ```
 */
import { TensileError, fmtShape, fmtValue } from "../errors.js";
import { isGradEnabled } from "../autograd/grad-mode.js";
import { tracing } from "../autograd/trace.js";
import { Tensor } from "./tensor.js";
import { arrayFor } from "./dtype.js";
import { MAX_ELEMENTS, contiguousStrides, numelOf } from "./shape.js";
import { bumpVersion } from "../ops/inplace.js";
import { assertTensor } from "../ops/util.js";
import { asStridedImpl } from "../ops/as-strided.js";

declare module "./tensor.js" {
  interface Tensor {
    /** In place `t()`: x becomes its transpose (≤ 2-D), as `torch.Tensor.t_`. Returns x. */
    t_(): this;
    /** In place `transpose(d0, d1)`, as `torch.Tensor.transpose_`. Returns x. */
    transpose_(dim0: number, dim1: number): this;
    /** Alias of `transpose_`, as `torch.Tensor.swapdims_`. */
    swapdims_(dim0: number, dim1: number): this;
    /** Alias of `transpose_`, as `torch.Tensor.swapaxes_`. */
    swapaxes_(axis0: number, axis1: number): this;
    /** In place `squeeze(dim?)`: drops size-1 dims (all, or the given ones), as `torch.Tensor.squeeze_`. Returns x. */
    squeeze_(dim?: number | readonly number[]): this;
    /** In place `unsqueeze(dim)`, as `torch.Tensor.unsqueeze_`. Returns x. */
    unsqueeze_(dim: number): this;
    /**
     * `torch.Tensor.resize_(*sizes)`: x becomes a contiguous tensor of the given shape over its storage,
     * keeping its first elements in order. Growing past the storage gives x a larger storage with the old
     * values and zeros after them (PyTorch grows the storage in place, uninitialised, so other views of it
     * see the new one; here they keep the old). Refused for tensors that require grad, as PyTorch.
     */
    resize_(...sizes: number[] | [readonly number[]]): this;
    /** `resize_(other.shape)`, as `torch.Tensor.resize_as_`. Returns x. */
    resizeAs_(other: Tensor): this;
    /**
     * In place `asStrided(size, stride, storageOffset?)`: x becomes that view of its storage (offset
     * default: x's own), as `torch.Tensor.as_strided_`. Returns x. See `asStrided` (ops/as-strided.ts).
     */
    asStrided_(size: readonly number[], stride: readonly number[], storageOffset?: number | null): this;
  }
}

type Meta = { shape: readonly number[]; strides: readonly number[]; offset: number };

/** Gives x the view `v` of its own storage (v came from a view op on x or its alias). */
function setView(x: Tensor, v: Tensor): void {
  const self = x as unknown as Meta;
  self.shape = v.shape;
  self.strides = v.strides;
  self.offset = v.offset;
}

/**
 * x ← view(x) in place. `view` is the out-of-place view op; when autograd records it, it runs on an
 * alias of x's old graph position and x takes the view's node.
 */
function viewInPlace<S extends Tensor>(op: string, x: S, view: (t: Tensor) => Tensor): S {
  assertTensor(op, x);
  const recorded = isGradEnabled() && x.requiresGrad;
  if (recorded && x.isLeaf) throw new TensileError(`${op}: a leaf Variable that requires grad is being used in an in-place operation (wrap it in noGrad)`);
  if (x.requiresGrad && !x.isLeaf) {
    if (!recorded)
      throw new TensileError(`${op}: cannot change the view of a tensor autograd recorded (${x.dtype} ${fmtShape(x.shape)}) with grad mode off: its node would no longer match it. Use the out-of-place form`);
    if (x._graphUses > 0)
      throw new TensileError(
        `${op}: this tensor (${x.dtype} ${fmtShape(x.shape)}) was already used as an input by an op autograd recorded, ` +
          `and changing its view in place afterwards is not supported here. Use the out-of-place form (y = y.${op.slice(0, -1)}(...))`);
  }
  const v = view(recorded ? x._alias() : x);
  if (v === x) return x; // t_() of a ≤ 1-D tensor, transpose_ of a 0-d one: nothing changes
  setView(x, v);
  bumpVersion(x);
  x._version = x.storage._version!;
  if (recorded && v.gradFn) {
    x._setGradFn(v.gradFn);
    x._graphUses = 0;
  }
  tracing.current?.rebind(x, v);
  return x;
}

function define(name: string, fn: (this: Tensor, ...args: never[]) => unknown): void {
  Object.defineProperty(Tensor.prototype, name, { value: fn, writable: true, configurable: true, enumerable: false });
}

define("t_", function (this: Tensor) { return viewInPlace("t_", this, (t) => t.t()); });
for (const name of ["transpose_", "swapdims_", "swapaxes_"])
  define(name, function (this: Tensor, d0: number, d1: number) { return viewInPlace(name, this, (t) => t.transpose(d0, d1)); });
define("squeeze_", function (this: Tensor, dim?: number | readonly number[]) { return viewInPlace("squeeze_", this, (t) => t.squeeze(dim)); });
define("unsqueeze_", function (this: Tensor, dim: number) { return viewInPlace("unsqueeze_", this, (t) => t.unsqueeze(dim)); });
define("asStrided_", function (this: Tensor, size: readonly number[], stride: readonly number[], storageOffset?: number | null) {
  // the offset defaults to x's own before the change (an alias of x keeps it)
  return viewInPlace("asStrided_", this, (t) => asStridedImpl("asStrided_", t, size, stride, storageOffset));
});

/** `resize_`'s sizes: `resize_(2, 3)` or `resize_([2, 3])`. */
function resizeSizes(args: unknown[]): number[] {
  const sizes = args.length === 1 && Array.isArray(args[0]) ? (args[0] as unknown[]) : args;
  for (const s of sizes)
    if (typeof s !== "number" || !Number.isInteger(s) || s < 0)
      throw new TensileError(`resize_: sizes must be non-negative integers, got ${fmtValue(sizes)}${typeof s === "number" && s < 0 ? ` (Trying to create tensor with negative dimension ${s})` : ""}`);
  return sizes as number[];
}

function resize<S extends Tensor>(x: S, shape: readonly number[]): S {
  assertTensor("resize_", x);
  if (x.requiresGrad) throw new TensileError(`resize_: cannot resize variables that require grad (${x.dtype} ${fmtShape(x.shape)})`);
  // the same shape keeps the view as it is (PyTorch restrides only when the sizes change)
  if (shape.length === x.ndim && shape.every((d, i) => d === x.shape[i])) return x;
  const n = numelOf(shape);
  if (n > MAX_ELEMENTS) throw new TensileError(`resize_: ${fmtShape(shape)} has ${n} elements, more than a tensor can hold (${MAX_ELEMENTS})`);
  const s = x.storage;
  const view = (storage: typeof s) => new Tensor(storage, x.backend, [...shape], contiguousStrides(shape), x.offset);
  if (x.offset + n <= s.length) {
    setView(x, view(s));
  } else {
    // a larger storage: the old one's values, then zeros (the old storage stays with its other views)
    const old = new Tensor(s, x.backend, [s.length]).dataSync();
    const grown = arrayFor(x.dtype, x.offset + n);
    grown.set(old);
    const fresh = view(x.backend.fromArray(grown));
    if (!x.isLeaf) throw new TensileError("resize_: internal error: a non-leaf tensor that does not require grad");
    x._rebindStorage(fresh);
  }
  bumpVersion(x);
  x._version = x.storage._version!;
  return x;
}

define("resize_", function (this: Tensor, ...sizes: unknown[]) { return resize(this, resizeSizes(sizes)); });
define("resizeAs_", function (this: Tensor, other: Tensor) {
  assertTensor("resizeAs_", other, "the_template");
  return resize(this, other.shape);
});
