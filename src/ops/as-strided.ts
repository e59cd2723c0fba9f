/**
 * `torch.as_strided(x, size, stride, storage_offset)` and the method `x.asStrided(...)`: a view of
 * x's storage with any shape, strides and offset the storage can hold, as in PyTorch (sliding
 * windows, a broadcast by stride 0, a diagonal). The in-place form `x.asStrided_(...)` is in
 * tensor/view-inplace-methods.ts with the other in-place view changes.
 *
 * The gradient is torch's `as_strided_backward`: it lives in the geometry of x's *storage*. The
 * output's gradient is added into a buffer with one slot per storage position x views, at the
 * positions the output addresses (outputs that share a position — stride 0, overlapping windows —
 * add up; positions x does not view are dropped), and x's gradient reads that buffer through x's own
 * positions. When x itself views a position more than once (x an expanded tensor or an overlapping
 * as_strided), each of its elements gets that slot's sum divided by the count, as torch does. The
 * positions are computed in JS and the rule is a scatter-add and a gather, so every backend runs it
 * and `createGraph` works.
 *
 * ```ts
 * const x = arange(6);
 * asStrided(x, [2, 3], [1, 1]);   // [[0, 1, 2], [1, 2, 3]]: windows of 3, step 1
 * x.asStrided([3], [0], 4);       // [4, 4, 4]
 * ```
 */
import { record } from "../autograd/engine.js";
import { TensileError, fmtShape, fmtValue } from "../errors.js";
import { MAX_ELEMENTS, numelOf } from "../tensor/shape.js";
import { Tensor } from "../tensor/tensor.js";
import { intTensor } from "./indexing.js";
import { assertTensor } from "./util.js";

type T = Tensor;

declare module "../tensor/tensor.js" {
  interface Tensor {
    /**
     * A view of this tensor's storage with the given shape, strides and storage offset (default: this
     * tensor's own, `x.storageOffset()`), as `torch.Tensor.as_strided`. See `asStrided`.
     */
    asStrided(size: readonly number[], stride: readonly number[], storageOffset?: number | null): Tensor;
  }
}

/** Bytes per element, as torch's itemsize (bool is one byte). */
const ITEM_SIZE = { float32: 4, float64: 8, int32: 4, bool: 1 } as const;

function checkIntList(op: string, what: string, v: unknown): asserts v is readonly number[] {
  if (!Array.isArray(v) || !v.every((d) => Number.isInteger(d)))
    throw new TensileError(`${op}: expected ${what} to be an array of integers, got ${fmtValue(v)}`);
}

/** The storage position of each element of the view (shape, strides, offset), in row-major order. */
function positions(shape: readonly number[], strides: readonly number[], offset: number): Float64Array {
  const n = numelOf(shape);
  const out = new Float64Array(n);
  const idx = new Array<number>(shape.length).fill(0);
  let pos = offset;
  for (let i = 0; i < n; i++) {
    out[i] = pos;
    for (let d = shape.length - 1; d >= 0; d--) {
      pos += strides[d]!;
      if (++idx[d]! < shape[d]!) break;
      pos -= strides[d]! * shape[d]!;
      idx[d] = 0;
    }
  }
  return out;
}

/**
 * as_strided's backward: g (the output's gradient) added into one slot per storage position the
 * input views, read back through the input's positions (divided by how often the input views each).
 */
function asStridedBackward(g: T, inShape: readonly number[], inPos: Float64Array, outPos: Float64Array): T {
  const nIn = inPos.length, nOut = outPos.length;
  if (nIn === 0 || nOut === 0) return g.newZeros(inShape);
  // slot of each storage position the input views: a table over the input's span when that is small
  // (the usual case), else a Map (a few elements of a large storage)
  let lo = Infinity, hi = -Infinity;
  for (let i = 0; i < nIn; i++) {
    lo = Math.min(lo, inPos[i]!);
    hi = Math.max(hi, inPos[i]!);
  }
  const span = hi - lo + 1;
  const table = span <= 8 * (nIn + nOut) + 4096 ? new Int32Array(span).fill(-1) : null;
  const map = table ? null : new Map<number, number>();
  const slotOf = (p: number): number => (table ? (p >= lo && p <= hi ? table[p - lo]! : -1) : (map!.get(p) ?? -1));
  const inSlots = new Int32Array(nIn), counts = new Int32Array(nIn);
  let slots = 0;
  for (let i = 0; i < nIn; i++) {
    const p = inPos[i]!;
    let s = slotOf(p);
    if (s < 0) {
      s = slots++;
      if (table) table[p - lo] = s;
      else map!.set(p, s);
    }
    counts[s]!++;
    inSlots[i] = s;
  }
  // outputs at positions the input does not view carry no gradient to it (torch drops them too)
  const outSlots = new Int32Array(nOut), kept = new Int32Array(nOut);
  let nKept = 0;
  for (let i = 0; i < nOut; i++) {
    const s = slotOf(outPos[i]!);
    if (s >= 0) {
      outSlots[nKept] = s;
      kept[nKept++] = i;
    }
  }
  if (nKept === 0) return g.newZeros(inShape);
  const b = g.backend;
  let src = g.reshape([-1]);
  if (nKept < nOut) src = src.gather(0, intTensor(b, kept.slice(0, nKept), [nKept]));
  const buf = g.newZeros([slots]).scatterAdd(0, intTensor(b, outSlots.slice(0, nKept), [nKept]), src);
  let gin = buf.gather(0, intTensor(b, inSlots, [nIn]));
  if (slots < nIn) {
    // the input views some position more than once: each of its elements gets the slot's sum / count
    const share = g.dtype === "float64" ? new Float64Array(nIn) : new Float32Array(nIn);
    for (let i = 0; i < nIn; i++) share[i] = counts[inSlots[i]!]!;
    gin = gin.div(new Tensor(b.fromArray(share), b, [nIn]));
  }
  return gin.reshape(inShape);
}

/** @internal as_strided with its checks; `op` names the caller (asStrided, or asStrided_ in place). */
export function asStridedImpl(op: string, x: T, size: readonly number[], stride: readonly number[], storageOffset?: number | null): T {
  assertTensor(op, x);
  checkIntList(op, "size", size);
  checkIntList(op, "stride", stride);
  if (size.length !== stride.length)
    throw new TensileError(`${op}: mismatch in length of strides and shape (size ${fmtShape(size)} has ${size.length} entries, stride ${fmtShape(stride)} has ${stride.length})`);
  const offset = storageOffset ?? x.offset;
  if (!Number.isInteger(offset)) throw new TensileError(`${op}: expected storageOffset to be an integer, got ${fmtValue(storageOffset)}`);
  if (size.some((s) => s < 0)) throw new TensileError(`${op}: Trying to create tensor with negative dimension ${size.find((s) => s < 0)}: ${fmtShape(size)}`);
  if (stride.some((s) => s < 0)) throw new TensileError(`${op}: Negative strides are not supported at the moment, got strides: ${fmtShape(stride)}`);
  if (offset < 0) throw new TensileError(`${op}: invalid storage offset ${offset}`);
  const n = numelOf(size);
  if (n > MAX_ELEMENTS) throw new TensileError(`${op}: a view of shape ${fmtShape(size)} would hold ${n} elements, more than a tensor can hold (${MAX_ELEMENTS})`);
  const storage = x.storage;
  if (n > 0) {
    // the last element's position + 1 must be inside the storage (torch's setStorage check, in bytes)
    const need = offset + 1 + size.reduce((acc, s, i) => acc + (s - 1) * stride[i]!, 0);
    if (need > storage.length) {
      const item = ITEM_SIZE[x.dtype];
      throw new TensileError(
        `${op}: setStorage: sizes ${fmtShape(size)}, strides ${fmtShape(stride)}, storage offset ${offset}, and itemsize ${item} ` +
          `requiring a storage size of ${need * item} are out of bounds for storage of size ${storage.length * item}`);
    }
  }
  const out = new Tensor(storage, x.backend, [...size], [...stride], offset);
  const inShape = x.shape, inStrides = x.strides, inOffset = x.offset;
  return record(op === "asStrided_" ? "asStrided" : op, out, [x], (g) => [
    asStridedBackward(g, inShape, positions(inShape, inStrides, inOffset), positions(size, stride, offset)),
  ], undefined, []);
}

/**
 * `torch.as_strided(input, size, stride, storage_offset=None)`: the view of `input`'s storage whose
 * element (i0, i1, …) is storage[storageOffset + Σ ik·stride[k]], sharing memory with `input`. The
 * offset defaults to input's own (`input.storageOffset()`), and counts from the start of the storage,
 * not of `input`'s view. Strides must be non-negative, and the view must lie inside the storage.
 * Elements may repeat (stride 0, overlapping windows): the gradient then adds up over them, and only
 * reaches the storage positions `input` itself views (torch's `as_strided_backward`).
 * ```ts
 * const x = arange(8);
 * asStrided(x, [3, 4], [2, 1]);      // windows of 4 with step 2: [[0..3], [2..5], [4..7]]
 * asStrided(x, [2, 2], [1, 1], 7);   // error: storage offset 7 ... out of bounds for storage of size 32
 * ```
 */
export function asStrided(input: T, size: readonly number[], stride: readonly number[], storageOffset?: number | null): T {
  return asStridedImpl("asStrided", input, size, stride, storageOffset);
}

Object.defineProperty(Tensor.prototype, "asStrided", {
  value: function (this: T, size: readonly number[], stride: readonly number[], storageOffset?: number | null) {
    return asStridedImpl("asStrided", this, size, stride, storageOffset);
  },
  writable: true,
  configurable: true,
  enumerable: false,
});
