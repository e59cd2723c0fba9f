import { record } from "../autograd/engine.js";
import { traceAttrs } from "../autograd/trace.js";
import { TensileError, fmtShape, fmtValue } from "../errors.js";
import { promoteTypes } from "../tensor/dtype.js";
import { contiguousStrides, normalizeDim, normalizeDims, numelOf } from "../tensor/shape.js";
import { Tensor } from "../tensor/tensor.js";
import { assertTensor, castTo, onBackend, wrap } from "./util.js";
import { kwArgs } from "../utils/positional.js";

/** PyTorch's `dim=` by name: `cat(xs, { dim: 1 })`, `x.chunk(2, { dim: -1 })`. */
export interface DimOption { dim?: number }

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

export function flatten(x: T, startDim?: number | FlattenOptions, endDim?: number | FlattenOptions): T {
  assertTensor("flatten", x);
  [startDim = 0, endDim = -1] = kwArgs("flatten", [startDim, endDim], ["startDim", "endDim"]) as [number?, number?];
  if (x.ndim === 0) return x.reshape([1]);
  const s = normalizeDim("flatten", startDim, x.ndim), e = normalizeDim("flatten", endDim, x.ndim);
  if (s > e) throw new TensileError(`flatten: start_dim (${startDim}) cannot come after end_dim (${endDim})`);
  const mid = x.shape.slice(s, e + 1).reduce((a, b) => a * b, 1);
  return reshape(x, [...x.shape.slice(0, s), mid, ...x.shape.slice(e + 1)]);
}

/** PyTorch's `start_dim=` / `end_dim=` of flatten: `x.flatten({ startDim: 1 })`. */
export interface FlattenOptions { startDim?: number; endDim?: number }

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

export function transpose(x: T, d0: number | { dim0?: number; dim1?: number }, d1?: number | { dim1?: number }): T {
  assertTensor("transpose", x);
  [d0, d1] = kwArgs("transpose", [d0, d1], ["dim0", "dim1"]) as [number, number];
  if (x.ndim === 0) return x;
  const a = normalizeDim("transpose", d0, x.ndim), b = normalizeDim("transpose", d1, x.ndim);
  const p = [...Array(x.ndim).keys()];
  [p[a], p[b]] = [p[b]!, p[a]!];
  return permute(x, p);
}

export function squeeze(x: T, dim?: number | readonly number[] | { dim?: number | readonly number[] }): T {
  assertTensor("squeeze", x);
  [dim] = kwArgs("squeeze", [dim], ["dim"]) as [number | readonly number[] | undefined];
  const dims = dim === undefined ? null : normalizeDims("squeeze", dim, x.ndim);
  const keep = x.shape.map((s, i) => !(s === 1 && (dims === null || dims.includes(i))));
  return viewOf("squeeze", x, x.shape.filter((_, i) => keep[i]), x.strides.filter((_, i) => keep[i]), x.offset, (g) => g.reshape(x.shape));
}

export function unsqueeze(x: T, dim: number | DimOption): T {
  assertTensor("unsqueeze", x);
  [dim] = kwArgs("unsqueeze", [dim], ["dim"]) as [number];
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
  const bad = out.findIndex((s, i) => s < 0 && !(i < lead && s === -1));
  if (bad >= 0)
    throw new TensileError(`expand: the expanded size of the tensor (${shape[bad]}) at dimension ${bad} must be non-negative (only -1, keeping an existing size, is allowed). Target sizes: ${fmtShape(shape)}. Tensor sizes: ${fmtShape(x.shape)}`);
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
export function cat(tensors: readonly T[], dim?: number | DimOption): T {
  if (!Array.isArray(tensors) || tensors.length === 0) throw new TensileError("cat: expected a non-empty list of Tensors");
  [dim = 0] = kwArgs("cat", [dim], ["dim"]) as [number?];
  tensors.forEach((t, i) => assertTensor("cat", t, `tensors[${i}]`));
  const parts = tensors.filter((t) => !(t.ndim === 1 && t.shape[0] === 0));
  // the skipped legacy empty 1-D tensors still take part in the dtype promotion, as in PyTorch
  const dtype = tensors.map((t) => t.dtype).reduce(promoteTypes);
  if (parts.length === 0) return castTo(tensors[0]!, dtype);
  const ref = parts[0]!;
  const d = normalizeDim("cat", dim, ref.ndim);
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

export function stack(tensors: readonly T[], dim?: number | DimOption): T {
  if (!Array.isArray(tensors) || tensors.length === 0) throw new TensileError("stack: expected a non-empty list of Tensors");
  [dim = 0] = kwArgs("stack", [dim], ["dim"]) as [number?];
  tensors.forEach((t, i) => {
    assertTensor("stack", t, `tensors[${i}]`);
    if (t.ndim !== tensors[0]!.ndim || t.shape.some((s, j) => s !== tensors[0]!.shape[j]))
      throw new TensileError(`stack: expects each tensor to be equal size, but got ${fmtShape(tensors[0]!.shape)} at entry 0 and ${fmtShape(t.shape)} at entry ${i}`);
  });
  const d = normalizeDim("stack", dim, tensors[0]!.ndim + 1);
  return cat(tensors.map((t) => t.unsqueeze(d)), d);
}

export function split(x: T, sizeOrSections: number | readonly number[], dim?: number | DimOption): T[] {
  assertTensor("split", x);
  [dim = 0] = kwArgs("split", [dim], ["dim"]) as [number?];
  const d = normalizeDim("split", dim, x.ndim);
  const n = x.shape[d]!;
  let sizes: number[];
  if (typeof sizeOrSections !== "number" && !Array.isArray(sizeOrSections))
    throw new TensileError(`split: expected split_size (an integer) or a list of section sizes, got ${fmtValue(sizeOrSections)}`);
  if (typeof sizeOrSections === "number") {
    if (!Number.isInteger(sizeOrSections)) throw new TensileError(`split: split_size must be an integer, got ${fmtValue(sizeOrSections)}`);
    if (!(sizeOrSections > 0 || (sizeOrSections === 0 && n === 0))) throw new TensileError(`split: split_size must be positive, got ${sizeOrSections}`);
    sizes = [];
    for (let i = 0; i < n; i += sizeOrSections) sizes.push(Math.min(sizeOrSections, n - i));
    if (sizes.length === 0) sizes = [0];
  } else {
    sizes = [...sizeOrSections];
    if (!sizes.every((v) => Number.isInteger(v) && v >= 0))
      throw new TensileError(`split: split_sizes must be non-negative integers, got ${fmtValue(sizeOrSections)}`);
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

/** The most pieces a split may make beyond one per element (each is a Tensor object: 2³¹ of them would exhaust the heap). */
const MAX_EMPTY_PIECES = 2 ** 20;
/** `pieces`, refused when it asks for more than MAX_EMPTY_PIECES pieces beyond the dim's `n` elements. */
function checkPieces(op: string, pieces: number, n: number): number {
  if (pieces > Math.max(n, MAX_EMPTY_PIECES))
    throw new TensileError(`${op}: ${pieces} pieces of a dim of size ${n} is too many (at most ${MAX_EMPTY_PIECES} pieces beyond one per element)`);
  return pieces;
}

export function chunk(x: T, chunks: number, dim?: number | DimOption): T[] {
  assertTensor("chunk", x);
  [dim = 0] = kwArgs("chunk", [dim], ["dim"]) as [number?];
  if (!Number.isInteger(chunks) || chunks <= 0) throw new TensileError(`chunk: chunks must be greater than 0, got ${chunks}`);
  const d = normalizeDim("chunk", dim, x.ndim);
  // an empty dim gives `chunks` empty chunks, as PyTorch's
  if (x.shape[d] === 0) return Array.from({ length: checkPieces("chunk", chunks, 0) }, () => x.narrow(d, 0, 0));
  return split(x, Math.ceil(x.shape[d]! / chunks), d);
}

// ---- roll, rot90, tile, movedim, unbind, tensorSplit, hsplit/vsplit/dsplit, unfold ----

/** Elements shifted `shifts` places along `dims` (wrapping around); the flattened tensor when dims is omitted. */
export function roll(x: T, shifts: number | readonly number[], dims?: number | readonly number[] | null | { dims?: number | readonly number[] | null }): T {
  assertTensor("roll", x);
  [dims] = kwArgs("roll", [dims], ["dims"]) as [number | readonly number[] | null | undefined];
  const sh = typeof shifts === "number" ? [shifts] : shifts;
  checkIntList("roll", sh);
  if (dims === undefined || dims === null) {
    if (sh.length !== 1) throw new TensileError(`roll: shifts ${fmtValue(shifts)} must be one number when dims is not given`);
    return roll(x.reshape([-1]), sh, 0).view(x.shape);
  }
  const ds = typeof dims === "number" ? [dims] : dims;
  checkIntList("roll", ds);
  if (ds.length !== sh.length)
    throw new TensileError(`roll: shifts and dimensions must align. shifts: ${sh.length}, dims: ${ds.length}`);
  let y = x;
  ds.forEach((dim, i) => {
    const d = normalizeDim("roll", dim, x.ndim);
    const n = y.ndim === 0 ? 1 : y.shape[d]!;
    const s = n === 0 ? 0 : ((sh[i]! % n) + n) % n;
    if (s !== 0) y = cat([y.narrow(d, n - s, s), y.narrow(d, 0, n - s)], d);
  });
  return y === x ? clone(x) : y;
}

/** Rotates by 90° k times in the plane of `dims`, from the first dim towards the second. */
export function rot90(x: T, k = 1, dims: readonly number[] = [0, 1]): T {
  assertTensor("rot90", x);
  if (!Number.isInteger(k)) throw new TensileError(`rot90: k must be an integer, got ${fmtValue(k)}`);
  checkIntList("rot90", dims);
  if (dims.length !== 2) throw new TensileError(`rot90: expected total rotation dims == 2, but got dims = ${dims.length}`);
  if (x.ndim < 2) throw new TensileError(`rot90: expected total dims >= 2, but got total dims = ${x.ndim}`);
  const [a, b] = dims.map((d) => normalizeDim("rot90", d, x.ndim)) as [number, number];
  if (a === b) throw new TensileError(`rot90: expected rotation dims to be different, but got dim0 = ${dims[0]} and dim1 = ${dims[1]}`);
  switch (((k % 4) + 4) % 4) {
    case 1: return x.flip([b]).transpose(a, b);
    case 2: return x.flip([a, b]);
    case 3: return x.flip([a]).transpose(a, b);
    default: return clone(x);
  }
}

/** `repeat` with the sizes padded with leading ones when fewer than x's dims. */
export function tile(x: T, dims: readonly number[]): T {
  assertTensor("tile", x);
  checkIntList("tile", dims);
  return repeat(x, [...Array(Math.max(0, x.ndim - dims.length)).fill(1), ...dims]);
}

/** Moves dims `source` to positions `destination`; the other dims keep their order (a view). */
export function movedim(x: T, source: number | readonly number[], destination: number | readonly number[]): T {
  assertTensor("movedim", x);
  const src = typeof source === "number" ? [source] : source, dst = typeof destination === "number" ? [destination] : destination;
  checkIntList("movedim", src);
  checkIntList("movedim", dst);
  if (src.length !== dst.length)
    throw new TensileError(`movedim: Invalid source or destination dims: source (${fmtShape(src)} dims) should contain the same number of dims as destination (${fmtShape(dst)} dims)`);
  const s = src.map((d) => normalizeDim("movedim", d, x.ndim)), t = dst.map((d) => normalizeDim("movedim", d, x.ndim));
  if (new Set(s).size !== s.length) throw new TensileError(`movedim: repeated dim in \`source\` (${fmtShape(src)})`);
  if (new Set(t).size !== t.length) throw new TensileError(`movedim: repeated dim in \`destination\` (${fmtShape(dst)})`);
  if (x.ndim === 0) return x;
  const perm = new Array<number>(x.ndim).fill(-1);
  s.forEach((d, i) => (perm[t[i]!] = d));
  const rest = [...Array(x.ndim).keys()].filter((d) => !s.includes(d));
  for (let i = 0, j = 0; i < x.ndim; i++) if (perm[i] === -1) perm[i] = rest[j++]!;
  return permute(x, perm);
}

/** The slices along `dim`, that dim removed (views): PyTorch's `unbind`. */
export function unbind(x: T, dim?: number | DimOption): T[] {
  assertTensor("unbind", x);
  [dim = 0] = kwArgs("unbind", [dim], ["dim"]) as [number?];
  if (x.ndim === 0) throw new TensileError("unbind: dimension specified as 0 but tensor has no dimensions");
  const d = normalizeDim("unbind", dim, x.ndim);
  return Array.from({ length: x.shape[d]! }, (_, i) => x.select(d, i));
}

/**
 * Views along `dim`: `sections` (a number) parts of near-equal size (the first n % sections one
 * larger), or the parts between the given indices (Python slice bounds: negative wrap, clamped).
 * An int32 tensor may give either: 0-d for sections, 1-D for indices.
 */
export function tensorSplit(x: T, indicesOrSections: number | readonly number[] | T, dim = 0): T[] {
  assertTensor("tensorSplit", x);
  if (x.ndim === 0) throw new TensileError("tensorSplit: expected at least a 1-dimensional tensor");
  const d = normalizeDim("tensorSplit", dim, x.ndim);
  let spec: number | readonly number[] = indicesOrSections as number | readonly number[];
  if (indicesOrSections instanceof Tensor) {
    if (indicesOrSections.dtype !== "int32" || indicesOrSections.ndim > 1)
      throw new TensileError(`tensorSplit: tensor_indices_or_sections must be a 0-D or 1-D int32 tensor, got ${indicesOrSections.dtype} ${fmtShape(indicesOrSections.shape)}`);
    const v = Array.from(indicesOrSections.dataSync(), Number);
    spec = indicesOrSections.ndim === 0 ? v[0]! : v;
  }
  const n = x.shape[d]!;
  if (typeof spec === "number") {
    if (!Number.isInteger(spec) || spec <= 0) throw new TensileError(`tensorSplit: number of sections must be larger than 0, got ${fmtValue(spec)}`);
    const base = Math.floor(n / spec), extra = n % spec;
    let start = 0;
    return Array.from({ length: checkPieces("tensorSplit", spec, n) }, (_, i) => {
      const len = base + (i < extra ? 1 : 0);
      const part = x.narrow(d, start, len);
      start += len;
      return part;
    });
  }
  checkIntList("tensorSplit", spec);
  const clampIdx = (v: number) => Math.min(Math.max(v < 0 ? v + n : v, 0), n);
  const bounds = [0, ...spec.map(clampIdx), n];
  return bounds.slice(1).map((end, i) => x.narrow(d, bounds[i]!, Math.max(0, end - bounds[i]!)));
}

function splitAlong(op: string, x: T, spec: number | readonly number[], minDims: number, dim: number): T[] {
  assertTensor(op, x);
  if (x.ndim < minDims)
    throw new TensileError(`${op}: requires a tensor with at least ${minDims} dimension${minDims > 1 ? "s" : ""}, but got a tensor with ${x.ndim} dimensions`);
  if (typeof spec === "number" && Number.isInteger(spec) && spec > 0 && x.shape[dim]! % spec !== 0)
    throw new TensileError(`${op}: attempted to split along dimension ${dim}, but the size of the dimension ${x.shape[dim]} is not divisible by the split_size ${spec}`);
  if (typeof spec !== "number" && !Array.isArray(spec))
    throw new TensileError(`${op}: expected a number of sections or an array of indices, got ${fmtValue(spec)}`);
  return tensorSplit(x, spec, dim);
}
/** tensorSplit along dim 1 (dim 0 for a 1-D tensor); a number of sections must divide the dim. */
export const hsplit = (x: T, indicesOrSections: number | readonly number[]): T[] =>
  splitAlong("hsplit", x, indicesOrSections, 1, x instanceof Tensor && x.ndim === 1 ? 0 : 1);
export const vsplit = (x: T, indicesOrSections: number | readonly number[]): T[] => splitAlong("vsplit", x, indicesOrSections, 2, 0);
export const dsplit = (x: T, indicesOrSections: number | readonly number[]): T[] => splitAlong("dsplit", x, indicesOrSections, 3, 2);

export function flipud(x: T): T {
  assertTensor("flipud", x);
  if (x.ndim < 1) throw new TensileError("flipud: input must be >= 1-d");
  return x.flip([0]);
}
export function fliplr(x: T): T {
  assertTensor("fliplr", x);
  if (x.ndim < 2) throw new TensileError("fliplr: input must be >= 2-d");
  return x.flip([1]);
}

/** x flattened to 1-D (a view when the layout allows, as reshape). */
export function ravel(x: T): T {
  assertTensor("ravel", x);
  return reshape(x, [-1]);
}

/**
 * Tensor.unfold(dim, size, step): the windows x[..., i*step : i*step+size, ...] along `dim`, as a
 * new last dim of length `size`. A strided view of x's storage (windows may overlap), as in
 * PyTorch; the gradient adds each window's gradient back into its positions (indexAdd).
 */
export function unfold(x: T, dimension: number, size: number, step: number): T {
  assertTensor("unfold", x);
  const d = normalizeDim("unfold", dimension, x.ndim);
  if (!Number.isInteger(size) || size < 0) throw new TensileError(`unfold: size must be a non-negative integer, got ${fmtValue(size)}`);
  if (!Number.isInteger(step) || step <= 0) throw new TensileError(`unfold: step is ${fmtValue(step)} but must be > 0`);
  const n = x.ndim === 0 ? 1 : x.shape[d]!;
  if (size > n) throw new TensileError(`unfold: maximum size for tensor at dimension ${d} is ${n} but size is ${size}`);
  if (x.ndim === 0) return x.reshape([1]).unfold(0, size, step).reshape([size]);
  const L = Math.floor((n - size) / step) + 1;
  const stride = x.strides[d]!;
  const shape = [...x.shape, size], strides = [...x.strides, stride];
  shape[d] = L;
  strides[d] = stride * step;
  return viewOf("unfold", x, shape, strides, x.offset, (g) => {
    const pos = Int32Array.from({ length: L * size }, (_, i) => Math.floor(i / size) * step + (i % size));
    const idx = new Tensor(g.backend.fromArray(pos), g.backend, [L * size]);
    const windows = movedim(g, -1, d + 1).flatten(d, d + 1);
    return g.newZeros(x.shape).indexAdd(d, idx, windows);
  });
}

// ---- hstack, vstack, dstack, columnStack, atleast1d/2d/3d, meshgrid, cartesianProd, blockDiag ----

/** Tensors given as one array or as separate arguments (PyTorch's `*tensors`). */
function tensorList(op: string, args: readonly unknown[]): T[] {
  const list = args.length === 1 && Array.isArray(args[0]) ? (args[0] as unknown[]) : args;
  list.forEach((t, i) => assertTensor(op, t, `tensors[${i}]`));
  return list as T[];
}

function atleast(op: string, n: number, args: readonly unknown[]): T | T[] {
  const single = args.length === 1 && !Array.isArray(args[0]);
  const ts = tensorList(op, args).map((t) => {
    if (t.ndim >= n) return t;
    if (n === 1 || t.ndim === 0) return t.reshape(Array(n).fill(1));
    if (n === 2) return t.unsqueeze(0);
    return t.ndim === 1 ? t.reshape([1, t.shape[0]!, 1]) : t.unsqueeze(-1);
  });
  return single ? ts[0]! : ts;
}
type AtLeast = { (x: T): T; (tensors: readonly T[]): T[]; (...tensors: T[]): T | T[] };
/** 0-d tensors become 1-D; one tensor in, one out; several (or an array) in, an array out. */
export const atleast1d = ((...a: unknown[]) => atleast("atleast1d", 1, a)) as AtLeast;
/** 0-d and 1-D tensors become 2-D ([n] → [1, n]). */
export const atleast2d = ((...a: unknown[]) => atleast("atleast2d", 2, a)) as AtLeast;
/** 0-, 1- and 2-D tensors become 3-D ([n] → [1, n, 1], [m, n] → [m, n, 1]). */
export const atleast3d = ((...a: unknown[]) => atleast("atleast3d", 3, a)) as AtLeast;

function nonEmpty(op: string, tensors: unknown): T[] {
  if (!Array.isArray(tensors) || tensors.length === 0) throw new TensileError(`${op}: expected a non-empty list of Tensors`);
  return tensorList(op, [tensors]);
}
/** Concatenation along dim 1 (dim 0 for 1-D tensors). */
export function hstack(tensors: readonly T[]): T {
  const ts = atleast("hstack", 1, [nonEmpty("hstack", tensors)]) as T[];
  return cat(ts, ts[0]!.ndim === 1 ? 0 : 1);
}
/** Concatenation along dim 0 of the tensors made at least 2-D. */
export function vstack(tensors: readonly T[]): T {
  return cat(atleast("vstack", 2, [nonEmpty("vstack", tensors)]) as T[], 0);
}
export function rowStack(tensors: readonly T[]): T {
  return cat(atleast("rowStack", 2, [nonEmpty("rowStack", tensors)]) as T[], 0);
}
/** Concatenation along dim 2 of the tensors made at least 3-D. */
export function dstack(tensors: readonly T[]): T {
  return cat(atleast("dstack", 3, [nonEmpty("dstack", tensors)]) as T[], 2);
}
/** hstack with 0-d and 1-D tensors taken as columns. */
export function columnStack(tensors: readonly T[]): T {
  return hstack(nonEmpty("columnStack", tensors).map((t) => (t.ndim <= 1 ? t.reshape([t.numel(), 1]) : t)));
}

export interface MeshgridOptions {
  indexing?: "ij" | "xy";
}
/**
 * Coordinate grids of 0-d/1-D tensors: output i varies along dim i ("ij", the default); with "xy"
 * the first two dims swap (output 0 varies along dim 1), as NumPy's. The outputs are broadcast views. Tensors as one array or as
 * arguments, an options object last.
 */
export function meshgrid(...args: (T | readonly T[] | MeshgridOptions | null | undefined)[]): T[] {
  const last = args[args.length - 1];
  const hasOpts = args.length > 1 && (last === null || last === undefined || (typeof last === "object" && !Array.isArray(last) && !(last instanceof Tensor)));
  const opts = (hasOpts ? last ?? {} : {}) as MeshgridOptions;
  const ts = tensorList("meshgrid", hasOpts ? args.slice(0, -1) : args);
  const indexing = opts.indexing ?? "ij";
  if (indexing !== "ij" && indexing !== "xy") throw new TensileError(`meshgrid: indexing must be "ij" or "xy", got ${fmtValue(indexing)}`);
  if (ts.length === 0) throw new TensileError("meshgrid: expects a non-empty list of tensors");
  ts.forEach((t, i) => {
    if (t.ndim > 1) throw new TensileError(`meshgrid: expected 0D or 1D tensor in the tensor list but got shape ${fmtShape(t.shape)} at entry ${i}`);
    if (t.dtype !== ts[0]!.dtype) throw new TensileError(`meshgrid: expected all tensors in the tensor list to have the same dtype (${ts[0]!.dtype} and ${t.dtype})`);
  });
  const swap = indexing === "xy" && ts.length >= 2;
  const order = swap ? [ts[1]!, ts[0]!, ...ts.slice(2)] : ts;
  const shape = order.map((t) => t.numel());
  const grids = order.map((t, i) => t.reshape(shape.map((s, j) => (j === i ? s : 1))).expand(shape));
  return swap ? [grids[1]!, grids[0]!, ...grids.slice(2)] : grids;
}

/** The Cartesian product of 1-D tensors as rows of an [N, k] tensor (the tensor itself for one). */
export function cartesianProd(...tensors: (T | readonly T[])[]): T {
  const ts = tensorList("cartesianProd", tensors);
  if (ts.length === 0) throw new TensileError("cartesianProd: expects a non-empty list of tensors");
  ts.forEach((t, i) => {
    if (t.ndim !== 1) throw new TensileError(`cartesianProd: expect a 1D vector, but got shape ${fmtShape(t.shape)} at entry ${i}`);
  });
  if (ts.length === 1) return ts[0]!;
  return stack(meshgrid(ts).map((g) => g.reshape([-1])), 1);
}

/** A block-diagonal matrix of the given 0-, 1- (a row) or 2-D tensors; the dtype they promote to. */
export function blockDiag(...tensors: (T | readonly T[])[]): T {
  const ts = tensorList("blockDiag", tensors).map((t, i) => {
    if (t.ndim > 2) throw new TensileError(`blockDiag: Input tensors must have 2 or fewer dimensions. Input ${i} has ${t.ndim} dimensions`);
    return t.ndim === 2 ? t : t.reshape([1, t.numel()]);
  });
  if (ts.length === 0) throw new TensileError("blockDiag: expects at least one tensor");
  const width = ts.reduce((a, t) => a + t.shape[1]!, 0);
  let col = 0;
  const rows = ts.map((t) => {
    const r = t.pad([col, width - col - t.shape[1]!]);
    col += t.shape[1]!;
    return r;
  });
  return cat(rows, 0);
}

/** The r-element combinations of a 1-D tensor's elements as rows (itertools order; `withReplacement` lets an element repeat). */
export function combinations(x: T, r = 2, withReplacement = false): T {
  assertTensor("combinations", x);
  if (x.ndim !== 1) throw new TensileError(`combinations: expect a 1D vector, but got shape ${fmtShape(x.shape)}`);
  if (!Number.isInteger(r) || r < 0) throw new TensileError(`combinations: r must be a non-negative integer, got ${fmtValue(r)}`);
  if (typeof withReplacement !== "boolean") throw new TensileError(`combinations: withReplacement must be a boolean, got ${fmtValue(withReplacement)}`);
  if (r === 0) return x.narrow(0, 0, 0).clone();
  const n = x.shape[0]!, idx: number[] = [], combo: number[] = [];
  const walk = (start: number): void => {
    if (combo.length === r) return void idx.push(...combo);
    for (let i = start; i < n; i++) {
      combo.push(i);
      walk(withReplacement ? i : i + 1);
      combo.pop();
    }
  };
  walk(0);
  const index = new Tensor(x.backend.fromArray(Int32Array.from(idx)), x.backend, [idx.length]);
  return x.indexSelect(0, index).reshape([idx.length / r, r]);
}
