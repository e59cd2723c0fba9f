import { SliceGrad, record } from "../autograd/engine.js";
import { traceAttrs } from "../autograd/trace.js";
import { isGradEnabled } from "../autograd/grad-mode.js";
import { TensileError, fmtShape, fmtValue } from "../errors.js";
import { arange, tensor, zeros } from "../tensor/creation.js";
import { broadcastShapes, contiguousStrides, normalizeDim, normalizeDims, numelOf } from "../tensor/shape.js";
import { Tensor } from "../tensor/tensor.js";
import * as E from "./elementwise.js";
import { scatterReduce } from "./scatter-reduce.js";
import { assertTensor, castTo, onBackend, scalarTensor, wrap } from "./util.js";
import { kwArgs } from "../utils/positional.js";

type T = Tensor;

// Part, Slicing, layout, sliceView, checkIndex, scatterChecked, intTensor and maskPositions are
// exported for ops/index-write.ts (core.ts re-exports only the ops by name).

/** One output dim of a basic-indexing view: a strided range of an input dim, or a new axis. */
export type Part = { src: number; start: number; step: number; len: number } | { newAxis: true };
/** A basic-indexing result: output parts plus input dims fixed at one index. */
export interface Slicing {
  parts: Part[];
  fixed: { src: number; at: number }[];
}

/** Applies a slicing to a layout (shape, strides, offset) → the view's strides and offset. */
export function layout(sl: Slicing, strides: readonly number[], offset: number): { shape: number[]; strides: number[]; offset: number } {
  let off = offset;
  for (const f of sl.fixed) off += f.at * strides[f.src]!;
  const shape: number[] = [], st: number[] = [];
  for (const p of sl.parts) {
    if ("newAxis" in p) {
      shape.push(1);
      st.push(0);
    } else {
      off += p.start * strides[p.src]!;
      shape.push(p.len);
      st.push(p.step * strides[p.src]!);
    }
  }
  return { shape, strides: st, offset: off };
}

/**
 * The view of x selected by `sl`; its gradient is g scattered into zeros of x's shape, and that
 * scatter's own gradient is this view again (so createGraph works through slicing).
 */
export function sliceView(x: T, sl: Slicing): T {
  const v = layout(sl, x.strides, x.offset);
  const out = new Tensor(x.storage, x.backend, v.shape, v.strides, v.offset);
  traceAttrs(out, sl as unknown as Record<string, unknown>);
  // outside createGraph the gradient is a window for the engine to add into one buffer (SliceGrad)
  return record("index", out, [x], (g) => [isGradEnabled() ? embed(g, x.shape, sl) : new SliceGrad(g, layout(sl, contiguousStrides(x.shape), 0))], undefined, []);
}

function embed(g: T, shape: readonly number[], sl: Slicing): T {
  const out = wrap(g.backend, g.backend.alloc(g.dtype, numelOf(shape)), shape);
  const v = layout(sl, contiguousStrides(shape), 0);
  g.backend.assign({ storage: out.storage, ...v }, g);
  return record("indexBackward", out, [g], (gg) => [sliceView(gg, sl)], undefined, []);
}

/** The slice of x at `index` along `dim`, that dim removed (a view): PyTorch's `x.select(dim, index)`, `x[:, i]`. */
export function select(x: T, dim: number, index: number): T {
  assertTensor("select", x);
  if (x.ndim === 0) throw new TensileError("select: select() cannot be applied to a 0-dim tensor");
  const d = normalizeDim("select", dim, x.ndim);
  const n = x.shape[d]!;
  if (!Number.isInteger(index) || index < -n || index >= n)
    throw new TensileError(`select: index ${index} out of range for tensor of size ${fmtShape(x.shape)} at dimension ${d}`);
  const parts: Part[] = [];
  x.shape.forEach((s, i) => {
    if (i !== d) parts.push({ src: i, start: 0, step: 1, len: s });
  });
  return sliceView(x, { parts, fixed: [{ src: d, at: index < 0 ? index + n : index }] });
}

export function narrow(x: T, dim: number, start: number, length: number): T {
  assertTensor("narrow", x);
  const d = normalizeDim("narrow", dim, x.ndim);
  const n = x.shape[d]!;
  if (!Number.isInteger(start)) throw new TensileError(`narrow: start must be an integer, got ${fmtValue(start)}`);
  if (!Number.isInteger(length)) throw new TensileError(`narrow: length must be an integer, got ${fmtValue(length)}`);
  if (start < 0) start += n;
  if (start < 0 || length < 0 || start + length > n)
    throw new TensileError(`narrow: start (${start}) + length (${length}) exceeds dimension size (${n}) of dim ${d}`);
  const parts: Part[] = x.shape.map((s, i) => ({ src: i, start: i === d ? start : 0, step: 1, len: i === d ? length : s }));
  return sliceView(x, { parts, fixed: [] });
}

/** A Python list used as an index (`x[[0, 2]]`, a bool list `x[[True, False]]`), nested for more dims. */
export type IndexList = readonly (number | boolean | IndexList)[];
export type IndexItem = number | string | null | Tensor | IndexList;
/** Several items (`[":", 1]`, PyTorch's `x[:, 1]`), a string of them ("0, 1:3"), or one item alone (`-2`, a mask). */
export type IndexSpec = IndexItem | readonly IndexItem[];

/** Parses "a:b:c" with Python semantics for a dim of size n (negative and out-of-range bounds clamp). */
function parseSlice(s: string, n: number): { start: number; step: number; len: number } {
  const bits = s.split(":").map((b) => b.trim());
  if (bits.length > 3 || bits.some((b) => b !== "" && !/^-?\d+$/.test(b)))
    throw new TensileError(`index: invalid slice "${s}" (expected "start:stop:step" with integers)`);
  const step = bits[2] ? Number(bits[2]) : 1;
  if (step <= 0) throw new TensileError(`index: step must be greater than zero (got ${step} in "${s}")`);
  const clamp = (v: number) => Math.min(Math.max(v < 0 ? v + n : v, 0), n);
  const start = bits[0] ? clamp(Number(bits[0])) : 0;
  const stop = bits[1] ? clamp(Number(bits[1])) : n;
  return { start, step, len: Math.max(0, Math.ceil((stop - start) / step)) };
}

/** A list index as PyTorch reads `x[[0, 2]]`: an int32 tensor, or a bool mask when every entry is a boolean. */
function listIndex(x: T, list: IndexList): T {
  const flat = (list as unknown[]).flat(Infinity);
  const bool = flat.length > 0 && flat.every((v) => typeof v === "boolean");
  if (!bool && !flat.every((v) => typeof v === "number" && Number.isInteger(v)))
    throw new TensileError(`index: a list used as an index must hold integers or booleans only, got ${fmtValue(list)}`);
  return onBackend(tensor(list as number[], { dtype: bool ? "bool" : "int32" }), x.backend);
}

/**
 * NumPy-style indexing: `x.index([":", "1:5"])` is PyTorch's `x[:, 1:5]`. Items: integer (select),
 * slice string, "..." (ellipsis), null (new axis), an array of integers or booleans (a Python list
 * as an index: `x.index([[0, 2]])` is `x[[0, 2]]`, the same as an int32 / bool tensor; the outer
 * array is the tuple of items, so `x.index([0, 2])` stays `x[0, 2]`), or int32/bool Tensors (advanced indexing: int
 * tensors of any shape, broadcast together, negative entries counted from the end; a k-D bool mask
 * covers k dims). The index tensors' result dims replace the indexed dims when those are adjacent,
 * else they come first, as in PyTorch. A string spec "0, 1:3" is split at commas; a single item
 * needs no array (`h.index(-2)` is PyTorch's `h[-2]`).
 * ```ts
 * const x = arange(24).reshape([2, 3, 4]);
 * x.index([tensor([0, 1]), ":", tensor([3, 2])]).shape; // [2, 3]: x[[0, 1], :, [3, 2]]
 * ```
 */
export function index(x: T, spec: IndexSpec): T {
  assertTensor("index", x);
  // one item alone, as PyTorch's x[-2], x[mask], x[None]
  if (typeof spec === "number" || spec === null || spec instanceof Tensor) spec = [spec];
  if (typeof spec !== "string" && !Array.isArray(spec))
    throw new TensileError(`index: expected an integer, a slice string ("0, 1:3"), a tensor, null or an array of these, got ${fmtValue(spec)}`);
  // "1" is the integer 1 in a list as in a string spec ("0, 1:3"): parsed as a slice it would have
  // meant "1:" — silently a different selection
  const item = (s: string): IndexItem => (s === "None" ? null : /^-?\d+$/.test(s) ? Number(s) : s);
  let items: IndexItem[] = typeof spec === "string"
    ? spec.split(",").map((s) => item(s.trim()))
    : spec.map((it) => (typeof it === "string" ? item(it.trim()) : Array.isArray(it) ? listIndex(x, it as IndexList) : it));
  // a 0-d int tensor selects, as an integer does (PyTorch's indexing does the same)
  items = items.map((it) => (it instanceof Tensor && it.ndim === 0 && it.dtype === "int32" ? Number(it.item()) : it));
  // a bool mask covers as many dims as it has (a 0-d one none: not supported)
  const consumes = (it: IndexItem) => (it === null || it === "..." ? 0 : it instanceof Tensor && it.dtype === "bool" ? it.ndim : 1);
  const ell = items.filter((i) => i === "...").length;
  if (ell > 1) throw new TensileError("index: an index can only have a single ellipsis ('...')");
  const used = items.reduce<number>((a, i) => a + consumes(i), 0);
  if (used > x.ndim) throw new TensileError(`index: too many indices for tensor of dimension ${x.ndim} (got ${used})`);
  const fill = Array<IndexItem>(x.ndim - used).fill(":");
  items = ell ? items.flatMap((i) => (i === "..." ? fill : [i])) : [...items, ...fill];
  const parts: Part[] = [], fixed: Slicing["fixed"] = [];
  // advanced (tensor) indices: the view dim each one indexes and its int32 positions
  // (an out-of-range entry is an error only when the result is not empty: torch reads no entry of an
  // empty broadcast, nor for an empty slice elsewhere)
  const adv: { outDim: number; tensor: T; bad?: string }[] = [];
  let d = 0;
  for (const it of items) {
    if (it === null) {
      parts.push({ newAxis: true });
      continue;
    }
    const n = x.shape[d]!;
    if (typeof it === "number") {
      if (!Number.isInteger(it) || it < -n || it >= n)
        throw new TensileError(`index: index ${it} is out of bounds for dimension ${d} with size ${n}`);
      fixed.push({ src: d, at: it < 0 ? it + n : it });
    } else if (typeof it === "string") {
      parts.push({ src: d, ...parseSlice(it, n) });
    } else if (it instanceof Tensor) {
      if (it.dtype === "bool") {
        if (it.ndim === 0) throw new TensileError("index: a 0-d boolean index is not supported (use unsqueeze)");
        const covered = x.shape.slice(d, d + it.ndim);
        if (!shapesEq(it.shape, covered))
          throw new TensileError(`index: the shape of the mask ${fmtShape(it.shape)} does not match the shape of the indexed tensor ${fmtShape(x.shape)} starting at dim ${d}`);
        // one int index per covered dim: the mask's true positions, row-major
        const pos = nonzero(it, { asTuple: true });
        for (let k = 0; k < it.ndim; k++) {
          adv.push({ outDim: parts.length, tensor: pos[k]! });
          parts.push({ src: d, start: 0, step: 1, len: x.shape[d]! });
          d++;
        }
        continue;
      }
      if (it.dtype !== "int32") throw new TensileError(`index: tensors used as indices must be int32 or bool tensors, got ${it.dtype}`);
      // x[idx] wraps negative entries as Python does (indexSelect, as torch's index_select, refuses them)
      const wrapped = Int32Array.from(it.dataSync() as Int32Array);
      let bad: string | undefined;
      for (let i = 0; i < wrapped.length; i++) {
        const v = wrapped[i]!;
        if (v < -n || v >= n) {
          bad ??= `index: index ${v} is out of bounds for dimension ${d} with size ${n}`;
          wrapped[i] = 0;
        } else if (v < 0) wrapped[i] = v + n;
      }
      adv.push({ outDim: parts.length, tensor: intTensor(x.backend, wrapped, [...it.shape]), bad });
      parts.push({ src: d, start: 0, step: 1, len: n });
    } else throw new TensileError(`index: unsupported index item ${JSON.stringify(it)}`);
    d++;
  }
  const view = sliceView(x, { parts, fixed });
  if (!adv.length) return view;
  // the index tensors broadcast together to B; their result dims replace the indexed dims where
  // those are adjacent, else they lead (NumPy's and PyTorch's rule)
  let B: number[];
  try {
    B = adv.reduce<number[]>((s, a) => broadcastShapes("index", s, a.tensor.shape), []);
  } catch {
    throw new TensileError(`index: shape mismatch: indexing tensors could not be broadcast together with shapes ${adv.map((a) => fmtShape(a.tensor.shape)).join(", ")}`);
  }
  const dims = adv.map((a) => a.outDim);
  const bad = adv.find((a) => a.bad)?.bad;
  if (bad && numelOf(B) * numelOf(view.shape.filter((_, i) => !dims.includes(i))) > 0) throw new TensileError(bad);
  const adjacent = dims.every((v, i) => i === 0 || v === dims[i - 1]! + 1);
  if (adv.length === 1) {
    const a = adv[0]!, p = a.outDim;
    const r = indexSelect(view, p, a.tensor.reshape([-1]));
    return r.reshape([...view.shape.slice(0, p), ...B, ...view.shape.slice(p + 1)]);
  }
  const rest = view.shape.map((_, i) => i).filter((i) => !dims.includes(i));
  const sizes = dims.map((i) => view.shape[i]!);
  const N = numelOf(B);
  const lin = new Int32Array(N);
  adv.forEach((a, k) => {
    const stride = numelOf(sizes.slice(k + 1));
    const v = a.tensor.expand(B).contiguous().dataSync() as Int32Array;
    for (let p = 0; p < N; p++) lin[p]! += v[p]! * stride;
  });
  const restShape = rest.map((i) => view.shape[i]!);
  const flat = view.permute([...dims, ...rest]).reshape([numelOf(sizes), ...restShape]);
  const r = indexSelect(flat, 0, intTensor(x.backend, lin, [N])).reshape([...B, ...restShape]);
  if (!adjacent || dims[0] === 0) return r;
  // move B's dims to where the first indexed dim was
  const p = dims[0]!, nb = B.length;
  const perm = [...Array(p).keys()].map((i) => nb + i);
  for (let i = 0; i < nb; i++) perm.push(i);
  for (let i = nb + p; i < r.ndim; i++) perm.push(i);
  return r.permute(perm);
}

const shapesEq = (a: readonly number[], b: readonly number[]) => a.length === b.length && a.every((v, i) => v === b[i]);

/** Throws unless every entry of the int32 `index` is in [0, size), naming op, the index and the size. */
export function checkIndex(op: string, index: T, size: number, dim: number): void {
  if (index.dtype !== "int32") throw new TensileError(`${op}: expected index to be an int32 tensor, got ${index.dtype}`);
  const n = index.numel();
  if (n === 0) return;
  let mn: number, mx: number;
  if (n <= 1 << 16) {
    // a batch's indices: one read and a loop here cost less than two reductions and two reads
    // through a backend (four kernel calls on wasm, every step of a data loader)
    const a = index.dataSync();
    mn = mx = a[0]!;
    for (let i = 1; i < n; i++) {
      const v = a[i]!;
      if (v < mn) mn = v;
      else if (v > mx) mx = v;
    }
  } else {
    const lo = index.backend.reduce("min", index, normalizeDims(op, null, index.ndim));
    const hi = index.backend.reduce("max", index, normalizeDims(op, null, index.ndim));
    mn = index.backend.read({ storage: lo, shape: [], strides: [], offset: 0 })[0]!;
    mx = index.backend.read({ storage: hi, shape: [], strides: [], offset: 0 })[0]!;
  }
  if (mn < 0 || mx >= size) throw new TensileError(`${op}: index ${mn < 0 ? mn : mx} is out of bounds for dimension ${dim} with size ${size}`);
}

function checkGatherShapes(op: string, x: T, d: number, index: T, src?: T): void {
  if (index.ndim !== x.ndim)
    throw new TensileError(`${op}: index tensor must have the same number of dimensions as input tensor (${fmtShape(index.shape)} vs ${fmtShape(x.shape)})`);
  for (let i = 0; i < x.ndim; i++) {
    if (i !== d && index.shape[i]! > x.shape[i]!)
      throw new TensileError(`${op}: size does not match at dimension ${i}: index ${fmtShape(index.shape)} vs input ${fmtShape(x.shape)} (index size must not exceed input size except at dim ${d})`);
    if (src && index.shape[i]! > src.shape[i]!)
      throw new TensileError(`${op}: index ${fmtShape(index.shape)} is larger than src ${fmtShape(src.shape)} at dimension ${i}`);
  }
}

/** out[i][j][k] = x[i][index[i][j][k]][k] for dim = 1. */
export function gather(x: T, dim: number, index: T): T {
  assertTensor("gather", x);
  assertTensor("gather", index, "index");
  const d = normalizeDim("gather", dim, x.ndim);
  checkGatherShapes("gather", x, d, index);
  checkIndex("gather", index, x.shape[d] ?? 1, d);
  return gatherChecked(x, d, index);
}

/** gather after its checks: indexSelect checks its 1-D index, not the expanded one (n × row size). */
function gatherChecked(x: T, d: number, index: T, internal = false): T {
  const idx = onBackend(index, x.backend);
  const out = wrap(x.backend, x.backend.gather(x, d, idx), index.shape);
  traceAttrs(out, { dim: d, index: idx });
  // scattered onto a zero broadcast to x's shape, not a zero-filled tensor: the backend fills its
  // output from one element instead of copying a whole array of zeros into its memory first
  // (`internal`: the index was made here for this op alone, so the engine may free it after the rule)
  return record("gather", out, [x], (g) => [zeros([], { dtype: g.dtype }).expand(x.shape).scatterAdd(d, idx, g)], internal ? [idx] : undefined, [idx]);
}

function scatterImpl(op: string, x: T, dim: number, index: T, src: T | number, accumulate: boolean): T {
  assertTensor(op, x);
  assertTensor(op, index, "index");
  const d = normalizeDim(op, dim, x.ndim);
  const S = src instanceof Tensor ? castTo(onBackend(src, x.backend), x.dtype) : E.fullLike(index, src as number, { dtype: x.dtype });
  checkGatherShapes(op, x, d, index, S);
  checkIndex(op, index, x.shape[d] ?? 1, d);
  return scatterChecked(x, d, index, S, accumulate);
}

/** scatter or scatterAdd after its checks (S already of x's dtype, index in range). */
export function scatterChecked(x: T, d: number, index: T, S: T, accumulate: boolean, internal = false): T {
  const idx = onBackend(index, x.backend);
  const out = wrap(x.backend, x.backend.scatter(x, d, idx, S, accumulate), x.shape);
  return record(accumulate ? "scatterAdd" : "scatter", out, [x, S], (g) => [
    accumulate ? g : g.scatter(d, idx, 0),
    g.gather(d, idx),
  ], internal ? [idx] : undefined, [idx]);
}
export interface ScatterOptions {
  /**
   * "add" or "multiply": combine the values written with x's value (and with each other at a repeated
   * index) instead of overwriting it, as torch 1.13's `scatter(..., reduce=)`.
   */
  reduce?: "add" | "multiply" | null;
}
/**
 * x with src's values (or the number `src` at every position of index) written at `index` along
 * `dim`: out[i][index[i][j]] = src[i][j] for dim 1. With `{ reduce: "add" | "multiply" }` they are
 * added to / multiplied into x's values instead (as `scatterReduce` with "sum" / "prod"); unlike
 * torch 1.13, which has no derivative for that form, its gradient is scatterReduce's.
 * ```ts
 * scatter(tensor([1, 1, 1]), 0, tensor([0, 0, 2]), tensor([5, 6, 7]), { reduce: "add" }); // [12, 1, 8]
 * ```
 */
export function scatter(x: T, dim: number, index: T, src: T | number, opts?: ScatterOptions | null): T {
  if (opts !== undefined && opts !== null && (typeof opts !== "object" || Array.isArray(opts) || opts instanceof Tensor))
    throw new TensileError(`scatter: expected an options object ({ reduce: "add" | "multiply" }) as the 5th argument, got ${fmtValue(opts)}`);
  for (const key of Object.keys(opts ?? {}))
    if (key !== "reduce") throw new TensileError(`scatter: unknown option "${key}" (expected reduce)`);
  const reduce = opts?.reduce;
  if (reduce === undefined || reduce === null) return scatterImpl("scatter", x, dim, index, src, false);
  if (reduce !== "add" && reduce !== "multiply")
    throw new TensileError(`scatter: reduce argument must be either add or multiply, got ${fmtValue(reduce)}`);
  assertTensor("scatter", x);
  assertTensor("scatter", index, "index");
  if (!(src instanceof Tensor) && typeof src !== "number" && typeof src !== "boolean")
    throw new TensileError(`scatter: src must be a Tensor or a number, got ${fmtValue(src)}`);
  const d = normalizeDim("scatter", dim, x.ndim);
  const S = src instanceof Tensor ? onBackend(src, x.backend) : E.fullLike(index, Number(src), { dtype: x.dtype });
  if (index.dtype !== "int32") throw new TensileError(`scatter: expected index to be an int32 tensor, got ${index.dtype}`);
  if (x.ndim > 0) checkGatherShapes("scatter", x, d, index, S);
  const r = reduce === "add" ? "sum" : "prod";
  // bool: torch's add is a logical or and multiply a logical and, what int32 arithmetic gives read back as bool
  if (x.dtype === "bool") return scatterReduce(x.to("int32"), d, index, S.to("int32"), r).ne(0);
  return scatterReduce(x, d, index, S, r);
}
export const scatterAdd = (x: T, dim: number, index: T, src: T): T => scatterImpl("scatterAdd", x, dim, index, src, true);

export function indexSelect(x: T, dim: number, index: T): T {
  assertTensor("indexSelect", x);
  assertTensor("indexSelect", index, "index");
  const d = normalizeDim("indexSelect", dim, x.ndim);
  if (index.ndim > 1) throw new TensileError(`indexSelect: index should have 1 dimension, got ${fmtShape(index.shape)}`);
  if (x.ndim === 0) return x.gather(0, index.reshape([]));
  const n = index.numel();
  const shape = x.shape.map((s, i) => (i === d ? n : s));
  const idx = index.reshape(x.shape.map((_, i) => (i === d ? n : 1))).expand(shape);
  checkIndex("indexSelect", index, x.shape[d]!, d);
  return gatherChecked(x, d, idx);
}

// F.pad and its PadMode live in ops/pad.ts
export { type PadMode, pad } from "./pad.js";

export function flip(x: T, dims: number | readonly number[]): T {
  assertTensor("flip", x);
  let y = x;
  for (const d of normalizeDims("flip", dims, x.ndim)) {
    const n = x.shape[d]!;
    y = indexSelect(y, d, tensor(Int32Array.from({ length: n }, (_, i) => n - 1 - i)));
  }
  return y;
}

function triangle(op: string, x: T, diagonal: number, lower: boolean): T {
  assertTensor(op, x);
  if (x.ndim < 2) throw new TensileError(`${op}: input tensor must have at least 2 dimensions (got shape ${fmtShape(x.shape)})`);
  if (!Number.isInteger(diagonal)) throw new TensileError(`${op}: diagonal must be an integer, got ${fmtValue(diagonal)}`);
  const [R, C] = x.shape.slice(-2) as [number, number];
  const m = new Uint8Array(R * C);
  for (let i = 0; i < R; i++) for (let j = 0; j < C; j++) m[i * C + j] = lower ? (j - i <= diagonal ? 1 : 0) : (j - i >= diagonal ? 1 : 0);
  const mask = onBackend(tensor(m, { shape: [R, C] }), x.backend);
  return E.where(mask, x, scalarTensor(0, x.dtype, x.backend));
}
/** `diagonal` positionally or as PyTorch's keyword: `tril(x, 1)`, `tril(x, { diagonal: 1 })`. */
export const tril = (x: T, diagonal: number | { diagonal?: number } = 0): T =>
  triangle("tril", x, (kwArgs("tril", [diagonal], ["diagonal"]) as [number?])[0] ?? 0, true);
export const triu = (x: T, diagonal: number | { diagonal?: number } = 0): T =>
  triangle("triu", x, (kwArgs("triu", [diagonal], ["diagonal"]) as [number?])[0] ?? 0, false);

/**
 * One-hot int32 vectors over a new last dim of `numClasses` (-1: one more than the largest class);
 * `numClasses` positionally or as PyTorch's keyword, `oneHot(y, { numClasses: 10 })`.
 */
export function oneHot(x: T, numClassesArg: number | { numClasses?: number } = -1): T {
  assertTensor("oneHot", x);
  const opts = typeof numClassesArg === "object" && numClassesArg !== null ? numClassesArg : null;
  if (opts) for (const k of Object.keys(opts)) if (k !== "numClasses") throw new TensileError(`oneHot: unknown option "${k}" (expected: numClasses)`);
  const numClasses = opts ? (opts.numClasses ?? -1) : numClassesArg as number;
  if (x.dtype !== "int32") throw new TensileError(`oneHot: one_hot is only applicable to index tensors (int32), got ${x.dtype}`);
  if (!Number.isInteger(numClasses) || numClasses < -1)
    throw new TensileError(`oneHot: numClasses must be a non-negative integer (or -1: one more than the largest class), got ${fmtValue(numClasses)}`);
  const flat = x.dataSync();
  let mx = -1, mn = 0;
  for (const v of flat) {
    mx = Math.max(mx, v);
    mn = Math.min(mn, v);
  }
  if (mn < 0) throw new TensileError(`oneHot: class values must be non-negative (got ${mn})`);
  const C = numClasses === -1 ? mx + 1 : numClasses;
  if (mx >= C) throw new TensileError(`oneHot: class values must be smaller than num_classes (got ${mx} with numClasses=${C})`);
  return x.unsqueeze(-1).eq(onBackend(arange(C), x.backend)).to("int32");
}


/**
 * diag(x, k): for 1-D x, the square matrix with x on diagonal k (k > 0 above the main one); for
 * 2-D x, its diagonal k as a 1-D tensor. Differentiable (a scatter or a gather of the positions).
 */
export function diag(x: T, diagonal: number | { diagonal?: number } = 0): T {
  assertTensor("diag", x);
  [diagonal = 0] = kwArgs("diag", [diagonal], ["diagonal"]) as [number?];
  if (!Number.isInteger(diagonal)) throw new TensileError(`diag: diagonal must be an integer, got ${fmtValue(diagonal)}`);
  const k = diagonal;
  if (x.ndim === 1) {
    const n = x.shape[0]!, m = n + Math.abs(k);
    const pos = Array.from({ length: n }, (_, i) => (i + Math.max(0, -k)) * m + i + Math.max(0, k));
    const idx = onBackend(tensor(Int32Array.from(pos)), x.backend);
    return onBackend(zeros([m * m], { dtype: x.dtype }), x.backend).scatter(0, idx, x).reshape([m, m]);
  }
  if (x.ndim !== 2) throw new TensileError(`diag: expected a 1-D or 2-D input, got shape ${fmtShape(x.shape)}`);
  const [r, c] = x.shape as [number, number];
  const len = Math.max(0, k >= 0 ? Math.min(r, c - k) : Math.min(r + k, c));
  const pos = Array.from({ length: len }, (_, i) => (i + Math.max(0, -k)) * c + i + Math.max(0, k));
  return x.reshape([-1]).gather(0, onBackend(tensor(Int32Array.from(pos)), x.backend));
}

/**
 * Each element repeated `repeats` times along `dim` (flattened first when dim is omitted), or
 * repeats[i] times for element i when `repeats` is a 1-D int tensor: PyTorch's repeat_interleave.
 */
export function repeatInterleave(x: T, repeats: number | T, dim?: number | null | { dim?: number | null; outputSize?: number }): T {
  assertTensor("repeatInterleave", x);
  [dim] = kwArgs("repeatInterleave", [dim], ["dim"], ["outputSize"]) as [number | null | undefined];
  let src = x;
  let d: number;
  if (dim === undefined || dim === null) {
    src = x.reshape([-1]);
    d = 0;
  } else d = normalizeDim("repeatInterleave", dim, x.ndim);
  const n = src.ndim === 0 ? 1 : src.shape[d]!;
  if (typeof repeats === "number") {
    if (!Number.isInteger(repeats) || repeats < 0) throw new TensileError(`repeatInterleave: repeats must be a non-negative integer, got ${fmtValue(repeats)}`);
    const shape = [...src.shape];
    const expanded = [...shape.slice(0, d + 1), repeats, ...shape.slice(d + 1)];
    shape[d] = n * repeats;
    return src.unsqueeze(d + 1).expand(expanded).reshape(shape);
  }
  assertTensor("repeatInterleave", repeats, "repeats");
  if (repeats.dtype !== "int32" || repeats.ndim > 1 || (repeats.ndim === 1 && repeats.shape[0] !== n && repeats.shape[0] !== 1))
    throw new TensileError(`repeatInterleave: repeats must be a 0-D or 1-D int32 tensor of ${n} counts (one per element along dim ${d}), got ${repeats.dtype} ${fmtShape(repeats.shape)}`);
  const counts = Array.from(repeats.dataSync(), Number);
  const per = (i: number) => (counts.length === 1 ? counts[0]! : counts[i]!);
  const idx: number[] = [];
  for (let i = 0; i < n; i++) {
    if (per(i) < 0) throw new TensileError(`repeatInterleave: repeats must not be negative, got ${per(i)}`);
    for (let j = 0; j < per(i); j++) idx.push(i);
  }
  return indexSelect(src, d, onBackend(tensor(Int32Array.from(idx)), x.backend));
}

// ---- take, takeAlongDim, maskedSelect, nonzero (the index writes: ops/index-write.ts) ----

/** An int32 tensor over `a` on `backend` (indices built in JS). */
export const intTensor = (backend: T["backend"], a: Int32Array, shape: readonly number[]): T => wrap(backend, backend.fromArray(a), shape);

/** The elements of x read as a flat array at `index` (negative entries count from the end); index's shape. */
export function take(x: T, index: T): T {
  assertTensor("take", x);
  assertTensor("take", index, "index");
  if (index.dtype !== "int32") throw new TensileError(`take: expected index to be an int32 tensor, got ${index.dtype}`);
  const n = x.numel();
  const a = Int32Array.from(index.dataSync());
  for (let i = 0; i < a.length; i++) {
    const v = a[i]!;
    if (v < -n || v >= n) throw new TensileError(`take: index ${v} is out of range for a tensor of ${n} elements (shape ${fmtShape(x.shape)})`);
    if (v < 0) a[i] = v + n;
  }
  return gatherChecked(x.reshape([-1]), 0, intTensor(x.backend, a, [a.length]), true).reshape(index.shape);
}

/**
 * gather along `dim` with x and indices broadcast against each other except at `dim` (PyTorch's
 * take_along_dim); without a dim, both are flattened.
 */
export function takeAlongDim(x: T, indices: T, dim?: number | null): T {
  assertTensor("takeAlongDim", x);
  assertTensor("takeAlongDim", indices, "indices");
  if (indices.dtype !== "int32") throw new TensileError(`takeAlongDim: expected indices to be an int32 tensor, got ${indices.dtype}`);
  if (dim === undefined || dim === null) return takeAlongDim(x.reshape([-1]), indices.reshape([-1]), 0);
  if (x.ndim !== indices.ndim)
    throw new TensileError(`takeAlongDim: input and indices should have the same number of dimensions, but got ${x.ndim} dimensions for input (${fmtShape(x.shape)}) and ${indices.ndim} for indices (${fmtShape(indices.shape)})`);
  if (x.ndim === 0) return takeAlongDim(x.reshape([1]), indices.reshape([1]), dim).reshape([]);
  const d = normalizeDim("takeAlongDim", dim, x.ndim);
  const withSize = (s: readonly number[], n: number) => s.map((v, i) => (i === d ? n : v));
  const idxShape = broadcastShapes("takeAlongDim", withSize(x.shape, indices.shape[d]!), indices.shape);
  const xShape = broadcastShapes("takeAlongDim", withSize(indices.shape, x.shape[d]!), x.shape);
  checkIndex("takeAlongDim", indices, x.shape[d]!, d);
  return gatherChecked(x.expand(xShape), d, indices.expand(idxShape));
}

/** Flat positions where the bool `mask` (broadcast to `shape`) is true. */
export function maskPositions(op: string, mask: T, shape: readonly number[]): Int32Array {
  if (mask.dtype !== "bool") throw new TensileError(`${op}: expected mask to be a bool tensor, got ${mask.dtype}`);
  const m = mask.expand(shape).dataSync();
  const pos: number[] = [];
  for (let i = 0; i < m.length; i++) if (m[i]) pos.push(i);
  return Int32Array.from(pos);
}

/** The elements of x where the mask (broadcast with x) is true, as a 1-D tensor. */
export function maskedSelect(x: T, mask: T): T {
  assertTensor("maskedSelect", x);
  assertTensor("maskedSelect", mask, "mask");
  const shape = broadcastShapes("maskedSelect", x.shape, mask.shape);
  const pos = maskPositions("maskedSelect", mask, shape);
  return gatherChecked(x.expand(shape).reshape([-1]), 0, intTensor(x.backend, pos, [pos.length]), true);
}

export interface NonzeroOptions {
  asTuple?: boolean;
}
/**
 * The indices of x's nonzero elements: an int32 [n, ndim] tensor, or with `asTuple` one 1-D
 * tensor per dim (one for a 0-d x). Row-major order; NaN counts as nonzero.
 */
export function nonzero(x: T, opts?: NonzeroOptions & { asTuple?: false }): T;
export function nonzero(x: T, opts: NonzeroOptions & { asTuple: true }): T[];
export function nonzero(x: T, opts?: NonzeroOptions | null): T | T[];
export function nonzero(x: T, opts?: NonzeroOptions | null): T | T[] {
  assertTensor("nonzero", x);
  const v = x.dataSync();
  const hits: number[] = [];
  for (let i = 0; i < v.length; i++) if (v[i] !== 0) hits.push(i);
  const strides = contiguousStrides(x.shape);
  const coord = (i: number, d: number) => Math.floor(i / strides[d]!) % x.shape[d]!;
  if (opts?.asTuple) {
    if (x.ndim === 0) return [intTensor(x.backend, new Int32Array(hits.length), [hits.length])];
    return x.shape.map((_, d) => intTensor(x.backend, Int32Array.from(hits, (i) => coord(i, d)), [hits.length]));
  }
  const out = new Int32Array(hits.length * x.ndim);
  hits.forEach((i, r) => {
    for (let d = 0; d < x.ndim; d++) out[r * x.ndim + d] = coord(i, d);
  });
  return intTensor(x.backend, out, [hits.length, x.ndim]);
}
/** nonzero(x) as an [n, ndim] tensor. */
export const argwhere = (x: T): T => nonzero(x);
