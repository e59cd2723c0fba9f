/**
 * Index writes: index_add / index_copy / index_fill / index_put, masked_scatter and the
 * select / slice / diagonal scatters. Each returns a new tensor (the `_` forms on Tensor write in
 * place through ops/inplace.ts) and is differentiable in x and in the values written.
 */
import { record } from "../autograd/engine.js";
import { TensileError, fmtShape, fmtValue } from "../errors.js";
import { zeros } from "../tensor/creation.js";
import { isFloating } from "../tensor/dtype.js";
import { broadcastShapes, contiguousStrides, normalizeDim, numelOf, shapesEqual } from "../tensor/shape.js";
import { Tensor } from "../tensor/tensor.js";
import { type Part, type Slicing, checkIndex, intTensor, layout, maskPositions, nonzero, scatterChecked, sliceView } from "./indexing.js";
import { assertTensor, castTo, onBackend, scalarTensor, wrap } from "./util.js";

type T = Tensor;

/** index_add / index_copy: source's slices written (or added) to x's slices at `index` along `dim`. */
function indexWrite(op: string, x: T, dim: number, index: T, source: T, accumulate: boolean): T {
  assertTensor(op, x);
  assertTensor(op, index, "index");
  assertTensor(op, source, "source");
  if (x.ndim === 0) return indexWrite(op, x.reshape([1]), dim, index, source.reshape([-1]), accumulate).reshape([]);
  const d = normalizeDim(op, dim, x.ndim);
  if (index.ndim > 1) throw new TensileError(`${op}: index should have at most 1 dimension, got ${fmtShape(index.shape)}`);
  const n = index.numel();
  const want = x.shape.map((s, i) => (i === d ? n : s));
  if (!shapesEqual(source.shape, want))
    throw new TensileError(`${op}: source of shape ${fmtShape(source.shape)} should have shape ${fmtShape(want)} (the input's shape ${fmtShape(x.shape)} with the index's length ${n} at dim ${d})`);
  checkIndex(op, index, x.shape[d]!, d);
  const idx = index.reshape(want.map((s, i) => (i === d ? n : 1))).expand(want);
  return scatterChecked(x, d, idx, castTo(onBackend(source, x.backend), x.dtype), accumulate);
}

export interface IndexAddOptions {
  alpha?: number;
}
/** x with alpha·source[.., i, ..] added to x[.., index[i], ..] along `dim` (repeated indices add up). */
export function indexAdd(x: T, dim: number, index: T, source: T, opts?: IndexAddOptions | null): T {
  const alpha = opts?.alpha ?? 1;
  if (typeof alpha !== "number" || (x instanceof Tensor && !isFloating(x.dtype) && !Number.isInteger(alpha)))
    throw new TensileError(`indexAdd: alpha must be a number (an integer for ${x instanceof Tensor ? x.dtype : "integer"} tensors), got ${fmtValue(alpha)}`);
  return indexWrite("indexAdd", x, dim, index, alpha === 1 || !(source instanceof Tensor) ? source : source.mul(alpha), true);
}
/** x with source[.., i, ..] copied to x[.., index[i], ..] along `dim` (repeated indices: one of them wins). */
export const indexCopy = (x: T, dim: number, index: T, source: T): T => indexWrite("indexCopy", x, dim, index, source, false);

/** x with the slices at `index` along `dim` set to `value` (a number or boolean, or a 0-d tensor that gets their gradient). */
export function indexFill(x: T, dim: number, index: T, value: number | boolean | T): T {
  assertTensor("indexFill", x);
  assertTensor("indexFill", index, "index");
  if (typeof value === "boolean") value = value ? 1 : 0;
  if (!(typeof value === "number" || (value instanceof Tensor && value.ndim === 0)))
    throw new TensileError(`indexFill: value must be a number, a boolean or a 0-d Tensor, got ${fmtValue(value)}`);
  if (x.ndim === 0) return indexFill(x.reshape([1]), dim, index, value).reshape([]);
  const d = normalizeDim("indexFill", dim, x.ndim);
  if (index.ndim > 1) throw new TensileError(`indexFill: index should have at most 1 dimension, got ${fmtShape(index.shape)}`);
  if (index.dtype !== "int32") throw new TensileError(`indexFill: expected index to be an int32 tensor, got ${index.dtype}`);
  // negative entries count from the end, as torch's index_fill (unlike index_add / index_copy)
  const size = x.shape[d]!;
  const raw = index.dataSync() as Int32Array;
  for (const v of raw)
    if (v < -size || v >= size) throw new TensileError(`indexFill: index ${v} is out of bounds for dimension ${d} with size ${size}`);
  // each slice once: the value's gradient counts a repeated index once, as PyTorch's
  const uniq = Int32Array.from(new Set(Array.from(raw, (v) => (v < 0 ? v + size : v))));
  const shape = x.shape.map((s, i) => (i === d ? uniq.length : s));
  const idx = intTensor(x.backend, uniq, shape.map((s, i) => (i === d ? s : 1))).expand(shape);
  const v = value instanceof Tensor ? castTo(onBackend(value, x.backend), x.dtype) : scalarTensor(value, x.dtype, x.backend);
  return scatterChecked(x, d, idx, v.expand(shape), false, true);
}

/**
 * x with `values` written (or added, `accumulate`) at the positions the index tensors select, as
 * PyTorch's `x.index_put_((i0, i1, ...), values)` and `x[i0, i1] = values`: int32 tensors (broadcast
 * together; negative entries count from the end) for the leading dims, a bool mask covering as
 * many dims as it has. Repeated positions add up with accumulate; without it, one of them wins.
 */
export function indexPut(x: T, indices: readonly T[], values: T | number, accumulate = false): T {
  assertTensor("indexPut", x);
  if (!Array.isArray(indices)) throw new TensileError(`indexPut: indices must be an array of Tensors, got ${fmtValue(indices)}`);
  indices.forEach((t, i) => assertTensor("indexPut", t, `indices[${i}]`));
  if (!(values instanceof Tensor) && typeof values !== "number") throw new TensileError(`indexPut: values must be a Tensor or a number, got ${fmtValue(values)}`);
  if (typeof accumulate !== "boolean") throw new TensileError(`indexPut: accumulate must be a boolean, got ${fmtValue(accumulate)}`);
  const perDim: T[] = [];
  for (const [k, t] of indices.entries()) {
    const d = perDim.length;
    if (t.dtype === "bool") {
      const covered = x.shape.slice(d, d + t.ndim);
      if (t.ndim === 0 || covered.length < t.ndim || !shapesEqual(t.shape, covered))
        throw new TensileError(`indexPut: the shape of the mask ${fmtShape(t.shape)} at index ${k} does not match the shape of the indexed tensor ${fmtShape(x.shape)} starting at dim ${d}`);
      perDim.push(...nonzero(t, { asTuple: true }));
    } else if (t.dtype === "int32") perDim.push(t);
    else throw new TensileError(`indexPut: tensors used as indices must be int32 or bool tensors, got ${t.dtype} at index ${k}`);
  }
  const k = perDim.length;
  if (k > x.ndim) throw new TensileError(`indexPut: too many indices for tensor of dimension ${x.ndim} (got ${k})`);
  const B = perDim.reduce<number[]>((s, t) => broadcastShapes("indexPut", s, t.shape), []);
  const lead = x.shape.slice(0, k), rest = x.shape.slice(k);
  const N = numelOf(B);
  const lin = new Int32Array(N);
  perDim.forEach((t, j) => {
    const size = lead[j]!, stride = numelOf(lead.slice(j + 1));
    const a = t.expand(B).dataSync();
    for (let p = 0; p < N; p++) {
      const v = a[p]!;
      if (v < -size || v >= size) throw new TensileError(`indexPut: index ${v} is out of bounds for dimension ${j} with size ${size}`);
      lin[p]! += (v < 0 ? v + size : v) * stride;
    }
  });
  const target = [...B, ...rest];
  const v = values instanceof Tensor ? castTo(onBackend(values, x.backend), x.dtype) : scalarTensor(values, x.dtype, x.backend);
  const fits = v.ndim <= target.length && v.shape.every((s, i) => s === 1 || s === target[target.length - v.ndim + i]);
  if (!fits)
    throw new TensileError(`indexPut: shape mismatch: value tensor of shape ${fmtShape(v.shape)} cannot be broadcast to indexing result of shape ${fmtShape(target)}`);
  const idx = intTensor(x.backend, lin, [N, ...rest.map(() => 1)]).expand([N, ...rest]);
  const flat = x.reshape([numelOf(lead), ...rest]);
  return scatterChecked(flat, 0, idx, v.expand(target).reshape([N, ...rest]), accumulate, true).reshape(x.shape);
}


/** x (broadcast with the mask) with the mask's true positions filled, in order, from source's first elements. */
export function maskedScatter(x: T, mask: T, source: T): T {
  assertTensor("maskedScatter", x);
  assertTensor("maskedScatter", mask, "mask");
  assertTensor("maskedScatter", source, "source");
  const shape = broadcastShapes("maskedScatter", x.shape, mask.shape);
  const pos = maskPositions("maskedScatter", mask, shape);
  if (source.numel() < pos.length)
    throw new TensileError(`maskedScatter: number of elements in source (${source.numel()}, shape ${fmtShape(source.shape)}) < number of ones in mask (${pos.length})`);
  const src = castTo(onBackend(source, x.backend), x.dtype).reshape([-1]).narrow(0, 0, pos.length);
  return scatterChecked(x.expand(shape).reshape([-1]), 0, intTensor(x.backend, pos, [pos.length]), src, false, true).reshape(shape);
}


/** A contiguous copy of x with src written into the view `sl` of it; the gradient splits between the two. */
function scatterInto(op: string, x: T, src: T, sl: Slicing): T {
  const v = layout(sl, contiguousStrides(x.shape), 0);
  if (!shapesEqual(src.shape, v.shape))
    throw new TensileError(`${op}: expected src to have a size equal to the slice of self. src size = ${fmtShape(src.shape)}, slice size = ${fmtShape(v.shape)}`);
  const S = castTo(onBackend(src, x.backend), x.dtype);
  const out = wrap(x.backend, x.backend.copy(x, x.dtype), x.shape);
  out.backend.assign({ storage: out.storage, ...v }, S);
  return record(op, out, [x, S], (g) => [scatterInto(op, g, onBackend(zeros(v.shape, { dtype: g.dtype }), g.backend), sl), sliceView(g, sl)], undefined, []);
}

/** x with `src` (x's shape without `dim`) written at `index` along `dim`: a copy, PyTorch's select_scatter. */
export function selectScatter(x: T, src: T, dim: number, index: number): T {
  assertTensor("selectScatter", x);
  assertTensor("selectScatter", src, "src");
  if (x.ndim === 0) throw new TensileError("selectScatter: select_scatter() cannot be applied to a 0-dim tensor");
  const d = normalizeDim("selectScatter", dim, x.ndim);
  const n = x.shape[d]!;
  if (!Number.isInteger(index) || index < -n || index >= n)
    throw new TensileError(`selectScatter: index ${fmtValue(index)} out of range for tensor of size ${fmtShape(x.shape)} at dimension ${d}`);
  const parts: Part[] = [];
  x.shape.forEach((s, i) => i !== d && parts.push({ src: i, start: 0, step: 1, len: s }));
  return scatterInto("selectScatter", x, src, { parts, fixed: [{ src: d, at: index < 0 ? index + n : index }] });
}

/** x with `src` written into x[start:end:step] along `dim` (Python slice bounds; null = the end): a copy. */
export function sliceScatter(x: T, src: T, dim = 0, start?: number | null, end?: number | null, step = 1): T {
  assertTensor("sliceScatter", x);
  assertTensor("sliceScatter", src, "src");
  if (x.ndim === 0) throw new TensileError("sliceScatter: slice_scatter() cannot be applied to a 0-dim tensor");
  const d = normalizeDim("sliceScatter", dim, x.ndim);
  for (const [name, v] of [["start", start], ["end", end]] as const)
    if (v !== undefined && v !== null && !Number.isInteger(v)) throw new TensileError(`sliceScatter: ${name} must be an integer or null, got ${fmtValue(v)}`);
  if (!Number.isInteger(step) || step <= 0) throw new TensileError(`sliceScatter: slice step must be positive, got ${fmtValue(step)}`);
  const n = x.shape[d]!;
  const clamp = (v: number) => Math.min(Math.max(v < 0 ? v + n : v, 0), n);
  const s = clamp(start ?? 0), e = clamp(end ?? n);
  const parts: Part[] = x.shape.map((sz, i) => (i === d ? { src: i, start: s, step, len: Math.max(0, Math.ceil((e - s) / step)) } : { src: i, start: 0, step: 1, len: sz }));
  return scatterInto("sliceScatter", x, src, { parts, fixed: [] });
}

/** x with `src` written on the diagonal `offset` of the (dim1, dim2) planes (src's last dim runs along it): a copy. */
export function diagonalScatter(x: T, src: T, offset = 0, dim1 = 0, dim2 = 1): T {
  assertTensor("diagonalScatter", x);
  assertTensor("diagonalScatter", src, "src");
  if (x.ndim < 2) throw new TensileError(`diagonalScatter: expected a tensor with at least 2 dimensions, got shape ${fmtShape(x.shape)}`);
  if (!Number.isInteger(offset)) throw new TensileError(`diagonalScatter: offset must be an integer, got ${fmtValue(offset)}`);
  const a = normalizeDim("diagonalScatter", dim1, x.ndim), b = normalizeDim("diagonalScatter", dim2, x.ndim);
  if (a === b) throw new TensileError(`diagonalScatter: diagonal dimensions cannot be identical ${dim1}, ${dim2}`);
  const xm = x.movedim([a, b], [-2, -1]);
  const [R, C] = xm.shape.slice(-2) as [number, number];
  const batch = xm.shape.slice(0, -2);
  const L = Math.max(0, offset >= 0 ? Math.min(R, C - offset) : Math.min(R + offset, C));
  const want = [...batch, L];
  if (!shapesEqual(src.shape, want))
    throw new TensileError(`diagonalScatter: expected src to have a size equal to the diagonal of self. src size = ${fmtShape(src.shape)}, diagonal size = ${fmtShape(want)}`);
  const pos = Int32Array.from({ length: L }, (_, i) => (i + Math.max(0, -offset)) * C + i + Math.max(0, offset));
  const idx = intTensor(x.backend, pos, [L]).expand(want);
  const flat = xm.reshape([...batch, R * C]);
  const out = scatterChecked(flat, batch.length, idx, castTo(onBackend(src, x.backend), x.dtype), false, true).reshape(xm.shape);
  return out.movedim([-2, -1], [a, b]);
}
