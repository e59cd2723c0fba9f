import { record } from "../autograd/engine.js";
import { traceAttrs } from "../autograd/trace.js";
import { TensileError, fmtShape, fmtValue } from "../errors.js";
import { promoteTypes } from "../tensor/dtype.js";
import { contiguousStrides, normalizeDim, normalizeDims, numelOf } from "../tensor/shape.js";
import { Tensor } from "../tensor/tensor.js";
import { assertTensor, castTo, onBackend, wrap } from "./util.js";

type T = Tensor;

/** A view sharing x's storage; `back` maps the view's gradient to x's. */
function viewOf(name: string, x: T, shape: readonly number[], strides: readonly number[], offset: number, back: (g: T) => T, attrs?: Record<string, unknown>): T {
  const out = new Tensor(x.storage, x.backend, [...shape], [...strides], offset);
  if (attrs) traceAttrs(out, attrs);
  return record(name, out, [x], (g) => [back(g)], undefined, []);
}

/** A size or dim list must be an array of integers (`x.reshape(6)` on the Tensor method is fine). */
function checkIntList(op: string, v: unknown): void {
  if (!Array.isArray(v) || !v.every((d) => Number.isInteger(d)))
    throw new TensileError(`${op}: expected an array of integers, got ${fmtValue(v)}`);
}

export function contiguous(x: T): T {
  assertTensor("contiguous", x);
  return x.isContiguous() ? x : clone(x);
}

export function clone(x: T): T {
  assertTensor("clone", x);
  const out = wrap(x.backend, x.backend.copy(x, x.dtype), x.shape);
  return record("clone", out, [x], (g) => [g], undefined, []);
}

/** Resolves one -1 entry and checks the element count. */
function inferShape(op: string, shape: readonly number[], n: number, from: readonly number[]): number[] {
  const s = [...shape];
  const neg = s.filter((d) => d === -1).length;
  if (neg > 1) throw new TensileError(`${op}: only one dimension can be inferred`);
  if (s.some((d) => !Number.isInteger(d) || d < -1)) throw new TensileError(`${op}: invalid shape dimension in ${fmtShape(shape)}`);
  const known = s.filter((d) => d !== -1).reduce((a, b) => a * b, 1);
  if (neg) {
    if (known === 0 || n % known !== 0)
      throw new TensileError(`${op}: shape '${fmtShape(shape)}' is invalid for input of size ${n}`);
    s[s.indexOf(-1)] = n / known;
  } else if (known !== n) throw new TensileError(`${op}: shape '${fmtShape(shape)}' is invalid for input of size ${n} (input shape ${fmtShape(from)})`);
  return s;
}

/** Strides for viewing x as `shape` without a copy, or null when the memory layout forbids it. */
function viewStrides(x: T, shape: readonly number[]): number[] | null {
  if (x.isContiguous() || x.numel() === 0) return contiguousStrides(shape);
  // Merge/split runs of dims that are contiguous with respect to each other (PyTorch's computeStride).
  const oldShape = x.shape, oldStrides = x.strides;
  const out = new Array<number>(shape.length);
  let viewD = shape.length - 1;
  let chunkBase = oldStrides[oldStrides.length - 1] ?? 1;
  let tensorNumel = 1, viewNumel = 1;
  for (let d = oldShape.length - 1; d >= 0; d--) {
    tensorNumel *= oldShape[d]!;
    if (d === 0 || (oldShape[d - 1] !== 1 && oldStrides[d - 1] !== tensorNumel * chunkBase)) {
      while (viewD >= 0 && (viewNumel < tensorNumel || shape[viewD] === 1)) {
        out[viewD] = viewNumel * chunkBase;
        viewNumel *= shape[viewD]!;
        viewD--;
      }
      if (viewNumel !== tensorNumel) return null;
      if (d > 0) {
        chunkBase = oldStrides[d - 1]!;
        tensorNumel = 1;
        viewNumel = 1;
      }
    }
  }
  if (viewD !== -1) return null;
  return out;
}

export function view(x: T, shape: readonly number[]): T {
  assertTensor("view", x);
  checkIntList("view", shape);
  const s = inferShape("view", shape, x.numel(), x.shape);
  const st = viewStrides(x, s);
  if (!st)
    throw new TensileError(
      `view: size is not compatible with input tensor's size and stride (shape ${fmtShape(x.shape)}, strides ${fmtShape(x.strides)}); use reshape() instead`,
    );
  return viewOf("view", x, s, st, x.offset, (g) => g.reshape(x.shape));
}

export function reshape(x: T, shape: readonly number[]): T {
  assertTensor("reshape", x);
  checkIntList("reshape", shape);
  const s = inferShape("reshape", shape, x.numel(), x.shape);
  const st = viewStrides(x, s);
  if (st) return viewOf("reshape", x, s, st, x.offset, (g) => g.reshape(x.shape));
  return view(clone(x), s);
}

export function flatten(x: T, startDim = 0, endDim = -1): T {
  assertTensor("flatten", x);
  if (x.ndim === 0) return x.reshape([1]);
  const s = normalizeDim("flatten", startDim, x.ndim), e = normalizeDim("flatten", endDim, x.ndim);
  if (s > e) throw new TensileError(`flatten: start_dim (${startDim}) cannot come after end_dim (${endDim})`);
  const mid = x.shape.slice(s, e + 1).reduce((a, b) => a * b, 1);
  return reshape(x, [...x.shape.slice(0, s), mid, ...x.shape.slice(e + 1)]);
}

export function unflatten(x: T, dim: number, sizes: readonly number[]): T {
  assertTensor("unflatten", x);
  checkIntList("unflatten", sizes);
  const d = normalizeDim("unflatten", dim, x.ndim);
  const s = inferShape("unflatten", sizes, x.shape[d]!, [x.shape[d]!]);
  return reshape(x, [...x.shape.slice(0, d), ...s, ...x.shape.slice(d + 1)]);
}

export function permute(x: T, dims: readonly number[]): T {
  assertTensor("permute", x);
  checkIntList("permute", dims);
  if (dims.length !== x.ndim)
    throw new TensileError(`permute: number of dims don't match in permute (input has ${x.ndim} dims, got ${dims.length}: ${fmtShape(dims)})`);
  const d = dims.map((v) => normalizeDim("permute", v, x.ndim));
  if (new Set(d).size !== d.length) throw new TensileError(`permute: repeated dim in ${fmtShape(dims)}`);
  const inv = new Array<number>(d.length);
  d.forEach((v, i) => (inv[v] = i));
  return viewOf("permute", x, d.map((i) => x.shape[i]!), d.map((i) => x.strides[i]!), x.offset, (g) => g.permute(inv), { perm: d });
}

export function transpose(x: T, d0: number, d1: number): T {
  assertTensor("transpose", x);
  if (x.ndim === 0) return x;
  const a = normalizeDim("transpose", d0, x.ndim), b = normalizeDim("transpose", d1, x.ndim);
  const p = [...Array(x.ndim).keys()];
  [p[a], p[b]] = [p[b]!, p[a]!];
  return permute(x, p);
}

export function squeeze(x: T, dim?: number | readonly number[]): T {
  assertTensor("squeeze", x);
  const dims = dim === undefined ? null : normalizeDims("squeeze", dim, x.ndim);
  const keep = x.shape.map((s, i) => !(s === 1 && (dims === null || dims.includes(i))));
  return viewOf("squeeze", x, x.shape.filter((_, i) => keep[i]), x.strides.filter((_, i) => keep[i]), x.offset, (g) => g.reshape(x.shape));
}

export function unsqueeze(x: T, dim: number): T {
  assertTensor("unsqueeze", x);
  const d = normalizeDim("unsqueeze", dim, x.ndim + 1);
  const shape = [...x.shape], strides = [...x.strides];
  shape.splice(d, 0, 1);
  strides.splice(d, 0, d < x.ndim ? x.strides[d]! * x.shape[d]! : 1);
  return viewOf("unsqueeze", x, shape, strides, x.offset, (g) => g.reshape(x.shape));
}

/** Broadcast view (stride 0); -1 keeps a size. The gradient is reduced back by the engine. */
export function expand(x: T, shape: readonly number[]): T {
  assertTensor("expand", x);
  checkIntList("expand", shape);
  if (shape.length < x.ndim)
    throw new TensileError(`expand: the number of sizes provided (${shape.length}) must be greater or equal to the number of dimensions in the tensor (${x.ndim})`);
  const lead = shape.length - x.ndim;
  const out = shape.map((s, i) => (i >= lead && s === -1 ? x.shape[i - lead]! : s));
  const strides = out.map((s, i) => {
    if (i < lead) {
      if (shape[i] === -1) throw new TensileError(`expand: -1 is not allowed in a leading, non-existing dimension`);
      return 0;
    }
    const xs = x.shape[i - lead]!;
    if (xs === s) return x.strides[i - lead]!;
    if (xs !== 1)
      throw new TensileError(`expand: the expanded size of the tensor (${s}) must match the existing size (${xs}) at non-singleton dimension ${i}. Target sizes: ${fmtShape(shape)}. Tensor sizes: ${fmtShape(x.shape)}`);
    return 0;
  });
  if (out.every((s, i) => s === x.shape[i]) && out.length === x.ndim) return x;
  return viewOf("expand", x, out, strides, x.offset, (g) => g);
}

export function repeat(x: T, sizes: readonly number[]): T {
  assertTensor("repeat", x);
  checkIntList("repeat", sizes);
  if (sizes.length < x.ndim)
    throw new TensileError(`repeat: number of dimensions of repeat dims (${sizes.length}) can not be smaller than number of dimensions of tensor (${x.ndim})`);
  const lead = sizes.length - x.ndim;
  const base = [...Array(lead).fill(1), ...x.shape];
  const inter: number[] = [], exp: number[] = [];
  base.forEach((s, i) => {
    inter.push(1, s);
    exp.push(sizes[i]!, s);
  });
  return x.reshape(inter).expand(exp).reshape(base.map((s, i) => s * sizes[i]!));
}

/** Concatenates along `dim`; size-0 1-D tensors are skipped as in PyTorch. */
export function cat(tensors: readonly T[], dim = 0): T {
  if (!Array.isArray(tensors) || tensors.length === 0) throw new TensileError("cat: expected a non-empty list of Tensors");
  tensors.forEach((t, i) => assertTensor("cat", t, `tensors[${i}]`));
  const parts = tensors.filter((t) => !(t.ndim === 1 && t.shape[0] === 0));
  if (parts.length === 0) return tensors[0]!;
  const ref = parts[0]!;
  const d = normalizeDim("cat", dim, ref.ndim);
  const dtype = parts.map((t) => t.dtype).reduce(promoteTypes);
  parts.forEach((t: T, i: number) => {
    if (t.ndim !== ref.ndim || t.shape.some((s: number, j: number) => j !== d && s !== ref.shape[j]))
      throw new TensileError(`cat: sizes of tensors must match except in dimension ${d}. Expected ${fmtShape(ref.shape)} but got ${fmtShape(t.shape)} for tensor number ${i} in the list`);
  });
  const shape = [...ref.shape];
  shape[d] = parts.reduce((a, t) => a + t.shape[d]!, 0);
  const backend = ref.backend;
  const out = wrap(backend, backend.alloc(dtype, numelOf(shape)), shape);
  const strides = contiguousStrides(shape);
  let off = 0;
  const offsets: number[] = [];
  for (const t of parts) {
    offsets.push(off);
    const src = castTo(onBackend(t, backend), dtype);
    const dstShape = [...shape];
    dstShape[d] = t.shape[d]!;
    backend.assign({ storage: out.storage, shape: dstShape, strides, offset: off * strides[d]! }, src);
    off += t.shape[d]!;
  }
  traceAttrs(out, { axis: d });
  return record("cat", out, parts, (g) => parts.map((t, i) => g.narrow(d, offsets[i]!, t.shape[d]!)), undefined, []);
}

export function stack(tensors: readonly T[], dim = 0): T {
  if (!Array.isArray(tensors) || tensors.length === 0) throw new TensileError("stack: expected a non-empty list of Tensors");
  tensors.forEach((t, i) => {
    assertTensor("stack", t, `tensors[${i}]`);
    if (t.ndim !== tensors[0]!.ndim || t.shape.some((s, j) => s !== tensors[0]!.shape[j]))
      throw new TensileError(`stack: expects each tensor to be equal size, but got ${fmtShape(tensors[0]!.shape)} at entry 0 and ${fmtShape(t.shape)} at entry ${i}`);
  });
  const d = normalizeDim("stack", dim, tensors[0]!.ndim + 1);
  return cat(tensors.map((t) => t.unsqueeze(d)), d);
}

export function split(x: T, sizeOrSections: number | readonly number[], dim = 0): T[] {
  assertTensor("split", x);
  const d = normalizeDim("split", dim, x.ndim);
  const n = x.shape[d]!;
  let sizes: number[];
  if (typeof sizeOrSections !== "number" && !Array.isArray(sizeOrSections))
    throw new TensileError(`split: expected split_size (an integer) or a list of section sizes, got ${fmtValue(sizeOrSections)}`);
  if (typeof sizeOrSections === "number") {
    if (!(sizeOrSections > 0 || (sizeOrSections === 0 && n === 0))) throw new TensileError(`split: split_size must be positive, got ${sizeOrSections}`);
    sizes = [];
    for (let i = 0; i < n; i += sizeOrSections) sizes.push(Math.min(sizeOrSections, n - i));
    if (sizes.length === 0) sizes = [0];
  } else {
    sizes = [...sizeOrSections];
    const total = sizes.reduce((a, b) => a + b, 0);
    if (total !== n) throw new TensileError(`split: split_with_sizes expects split_sizes to sum exactly to ${n} (input tensor's size at dimension ${d}), but got split_sizes=${fmtShape(sizes)}`);
  }
  let start = 0;
  return sizes.map((s) => {
    const part = x.narrow(d, start, s);
    start += s;
    return part;
  });
}

export function chunk(x: T, chunks: number, dim = 0): T[] {
  assertTensor("chunk", x);
  if (!Number.isInteger(chunks) || chunks <= 0) throw new TensileError(`chunk: chunks must be greater than 0, got ${chunks}`);
  const d = normalizeDim("chunk", dim, x.ndim);
  return split(x, Math.max(1, Math.ceil(x.shape[d]! / chunks)), d);
}
