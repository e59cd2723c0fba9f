import { getBackend, withBackend } from "../backends/registry.js";
import { TensileError, fmtShape } from "../errors.js";
import { type DType, type TypedArray, arrayFor, checkDType, dtypeOfArray, getDefaultDtype, isFloating, promoteTypes } from "./dtype.js";
import { Generator, defaultGenerator } from "./random.js";
import { MAX_ELEMENTS, checkShape, numelOf, sizeAndOptions } from "./shape.js";
import { linspaceValues } from "./linspace.js";
import { type Nested, Tensor } from "./tensor.js";

export interface CreateOptions {
  dtype?: DType;
  requiresGrad?: boolean;
}
export interface RandomOptions extends CreateOptions {
  generator?: Generator;
}

/** A tensor over `a`, an array made here and handed over (no copy where the backend can adopt it). */
function make(a: TypedArray, shape: readonly number[], requiresGrad = false): Tensor {
  const b = getBackend();
  const t = new Tensor(b.adopt ? b.adopt(a, false) : b.fromArray(a), b, [...shape]);
  if (requiresGrad) t.requiresGrad = true;
  return t;
}

/**
 * Like PyTorch's `torch.as_tensor` / `torch.from_numpy`: a tensor that shares the memory of a
 * typed array when it can — a Float32Array, Float64Array, Int32Array or Uint8Array (bool) whose
 * dtype is the one asked for, on a backend that keeps tensors in JS arrays (the default ones).
 * Writes to the array then show in the tensor and in-place ops on the tensor show in the array.
 * Anything else is copied, as by `tensor()`. A 188 MB dataset then costs 188 MB, not twice that.
 * ```ts
 * const x = asTensor(pixels, { shape: [60000, 784] }); // no copy
 * ```
 */
export function asTensor(data: Nested | TypedArray | Tensor, opts: CreateOptions & { shape?: readonly number[] } = {}): Tensor {
  opts ??= {};
  if (data instanceof Tensor) {
    if ((opts.dtype ?? data.dtype) !== data.dtype) return data.to(opts.dtype!);
    return data;
  }
  const b = getBackend();
  if (ArrayBuffer.isView(data) && b.adopt && !opts.requiresGrad) {
    const a = data as TypedArray;
    // the four array types storages use (a Uint8ClampedArray or Int16Array is copied)
    const own = [Float32Array, Float64Array, Int32Array, Uint8Array].some((C) => a.constructor === C) ? dtypeOfArray(a) : null;
    if (own && (opts.dtype ?? own) === own) {
      const shape = opts.shape ? checkShape("asTensor", opts.shape) : [a.length];
      if (numelOf(shape) !== a.length) throw new TensileError(`asTensor: shape [${shape.join(", ")}] is invalid for input of size ${a.length}`);
      return new Tensor(b.adopt(a, true), b, [...shape]);
    }
  }
  return tensor(data, opts);
}

/** Nested arrays of numbers or booleans, whose elements may also be one-element tensors (`tensor([r])`). */
export type NestedData = number | boolean | Tensor | NestedData[];

/**
 * Builds a tensor from nested arrays, a number/boolean, or a typed array (with `{shape}`). As
 * PyTorch's `torch.tensor`, an element may be a one-element tensor (`tensor([R])` of a 0-d `R`):
 * its value is copied, without autograd history, and its dtype takes part in the inferred one.
 * ```ts
 * const R = returns.index([0]);        // 0-d float64
 * tensor([R]).dtype;                   // "float64"
 * ```
 */
export function tensor(data: NestedData | TypedArray, opts: CreateOptions & { shape?: readonly number[] } = {}): Tensor {
  opts ??= {};
  if (data instanceof Tensor) data = data.toArray();
  if (ArrayBuffer.isView(data)) {
    const a = data as TypedArray;
    const shape = opts.shape ? checkShape("tensor", opts.shape) : [a.length];
    if (numelOf(shape) !== a.length) throw new TensileError(`tensor: shape [${shape.join(", ")}] is invalid for input of size ${a.length}`);
    const dtype = opts.dtype ?? dtypeOfArray(a);
    const out = arrayFor(checkDType("tensor", dtype), a.length);
    out.set(a);
    return make(out, shape, opts.requiresGrad);
  }
  const shape: number[] = [];
  for (let d: unknown = data; Array.isArray(d); d = d[0]) shape.push(d.length);
  const flat: (number | boolean)[] = [];
  let allBool = true, allInt = true, scalars = 0;
  let tensorDtype: DType | null = null; // the promoted dtype of one-element tensor elements
  const walk = (d: unknown, level: number): void => {
    if (level === shape.length) {
      if (d instanceof Tensor) {
        if (d.numel() !== 1)
          throw new TensileError(`tensor: only one element tensors can be converted to Python scalars (got an element of shape ${fmtShape(d.shape)}; join tensors with stack or cat)`);
        tensorDtype = tensorDtype === null ? d.dtype : promoteTypes(tensorDtype, d.dtype);
        flat.push(d.dtype === "bool" ? d.item() !== 0 : d.item());
        return;
      }
      scalars++;
      if (typeof d === "boolean") allInt = allInt && true;
      else if (typeof d === "number") {
        allBool = false;
        if (!Number.isInteger(d)) allInt = false;
      } else throw new TensileError(`tensor: could not infer dtype of ${d === null ? "null" : typeof d} (expected numbers, booleans or one-element tensors)`);
      flat.push(d as number | boolean);
      return;
    }
    if (!Array.isArray(d) || d.length !== shape[level])
      throw new TensileError(`tensor: expected sequence of length ${shape[level]} at dim ${level} (got ${Array.isArray(d) ? d.length : typeof d})`);
    for (const e of d) walk(e, level + 1);
  };
  walk(data, 0);
  // PyTorch infers an integer dtype from integer data; JS cannot tell 1.0 from 1, so a tensor that
  // asks for gradients is taken as floating point, the default dtype (documented in docs/pytorch-names.md).
  const fromScalars = scalars && allBool ? "bool" : scalars && allInt && !opts.requiresGrad ? "int32" : getDefaultDtype();
  const inferred = tensorDtype === null ? fromScalars : scalars ? promoteTypes(fromScalars, tensorDtype) : tensorDtype;
  const dtype = checkDType("tensor", opts.dtype ?? inferred);
  const a = arrayFor(dtype, flat.length);
  flat.forEach((v, i) => (a[i] = typeof v === "boolean" ? (v ? 1 : 0) : dtype === "bool" ? (v ? 1 : 0) : v));
  // `shape` lays the values out as for a typed array (tensor([1, 2, 3, 4], { shape: [2, 2] }))
  if (opts.shape) {
    const want = checkShape("tensor", opts.shape);
    if (numelOf(want) !== flat.length) throw new TensileError(`tensor: shape [${want.join(", ")}] is invalid for input of size ${flat.length}`);
    return make(a, want, opts.requiresGrad);
  }
  return make(a, shape, opts.requiresGrad);
}

export function full(shape: readonly number[], value: number, opts: CreateOptions = {}): Tensor {
  return filled("full", shape, value, opts);
}
function filled(op: string, shape: readonly number[], value: number, opts: CreateOptions): Tensor {
  checkShape(op, shape);
  const dtype = checkDType(op, opts.dtype ?? (typeof value === "boolean" ? "bool" : getDefaultDtype()));
  const a = arrayFor(dtype, numelOf(shape));
  a.fill(dtype === "bool" ? (value ? 1 : 0) : value);
  return make(a, shape, opts.requiresGrad);
}

/** A creator taking its size as PyTorch does: `zeros([2, 3])`, `zeros(2, 3)`, `zeros(2, 3, { dtype })`. */
interface SizedCreator<O> {
  (shape: readonly number[], opts?: O): Tensor;
  (...sizeThenOptions: [...number[], O] | number[]): Tensor;
}
function sized<O extends object>(op: string, make: (shape: number[], opts: O) => Tensor): SizedCreator<O> {
  return ((...args: unknown[]) => make(...sizeAndOptions<O>(op, args))) as SizedCreator<O>;
}
export const zeros = sized<CreateOptions>("zeros", (s, o) => filled("zeros", s, 0, o));
export const ones = sized<CreateOptions>("ones", (s, o) => filled("ones", s, 1, o));
/** Like PyTorch's `empty`, but zero-filled (uninitialised memory is not observable in Tensile). */
export const empty = sized<CreateOptions>("empty", (s, o) => filled("empty", s, 0, o));

/** `*Like` creators put the new tensor on `t`'s backend, next to the tensor it mirrors. */
export const zerosLike = (t: Tensor, opts: CreateOptions = {}): Tensor => withBackend(t.backend, () => full(t.shape, 0, { dtype: t.dtype, ...opts }));
export const onesLike = (t: Tensor, opts: CreateOptions = {}): Tensor => withBackend(t.backend, () => full(t.shape, 1, { dtype: t.dtype, ...opts }));
export const fullLike = (t: Tensor, v: number, opts: CreateOptions = {}): Tensor => withBackend(t.backend, () => full(t.shape, v, { dtype: t.dtype, ...opts }));

/** arange(end) or arange(start, end, step = 1): int32 when all arguments are integers. */
export function arange(start: number, end?: number | CreateOptions, step: number | CreateOptions = 1, opts: CreateOptions = {}): Tensor {
  opts ??= {};
  // arange(end, opts) and arange(start, end, opts) as PyTorch's keyword forms.
  if (typeof end === "object") [end, opts] = [undefined, end ?? {}];
  if (typeof step === "object") [step, opts] = [1, step ?? {}];
  if (end === undefined) [start, end] = [0, start];
  if (![start, end, step].every(Number.isFinite)) throw new TensileError(`arange: unsupported range: ${start} -> ${end} (step ${step})`);
  if (step === 0) throw new TensileError("arange: step must be nonzero");
  if ((end - start) / step < 0 && end !== start)
    throw new TensileError(`arange: upper bound and larger bound inconsistent with step sign (start=${start}, end=${end}, step=${step})`);
  const n = Math.max(0, Math.ceil((end - start) / step));
  if (n > MAX_ELEMENTS) throw new TensileError(`arange: ${start} -> ${end} with step ${step} gives ${n} elements, more than a tensor can hold (${MAX_ELEMENTS})`);
  const dtype = opts.dtype ?? ([start, end, step].every(Number.isInteger) ? "int32" : getDefaultDtype());
  const a = arrayFor(checkDType("arange", dtype), n);
  for (let i = 0; i < n; i++) a[i] = start + i * step;
  return make(a, [n], opts.requiresGrad);
}

export function linspace(start: number, end: number, steps: number, opts: CreateOptions = {}): Tensor {
  opts ??= {};
  if (!Number.isInteger(steps) || steps < 0) throw new TensileError(`linspace: number of steps must be non-negative, got ${steps}`);
  const dtype = checkDType("linspace", opts.dtype ?? getDefaultDtype());
  const a = arrayFor(dtype, steps);
  if (steps === 1) a[0] = dtype === "bool" ? (start ? 1 : 0) : start;
  else if (steps > 1) a.set(linspaceValues(start, end, steps, dtype === "bool" ? "int32" : dtype));
  return make(a, [steps], opts.requiresGrad);
}

export function eye(n: number, m: number | CreateOptions = n, opts: CreateOptions = {}): Tensor {
  opts ??= {};
  if (typeof m === "object") [m, opts] = [n, m ?? {}];
  if (!Number.isInteger(n) || n < 0) throw new TensileError(`eye: n must be a non-negative integer, got ${n}`);
  if (!Number.isInteger(m) || m < 0) throw new TensileError(`eye: m must be a non-negative integer, got ${m}`);
  checkShape("eye", [n, m]);
  const a = arrayFor(checkDType("eye", opts.dtype ?? getDefaultDtype()), n * m);
  for (let i = 0; i < Math.min(n, m); i++) a[i * m + i] = 1;
  return make(a, [n, m], opts.requiresGrad);
}

function randomFill(op: string, shape: readonly number[], opts: RandomOptions, fill: (g: Generator, a: TypedArray) => void, defaultDtype: DType = getDefaultDtype()): Tensor {
  checkShape(op, shape);
  const dtype = checkDType(op, opts.dtype ?? defaultDtype);
  const g = opts.generator ?? defaultGenerator;
  const a = arrayFor(dtype, numelOf(shape));
  fill(g, a);
  return make(a, shape, opts.requiresGrad);
}

export const rand = sized<RandomOptions>("rand", (s, o) => randomFill("rand", s, o, (g, a) => g.fillUniform(a)));
export const randn = sized<RandomOptions>("randn", (s, o) => randomFill("randn", s, o, (g, a) => g.fillNormal(a)));
export function randint(low: number, high: number, shape: readonly number[], opts: RandomOptions = {}): Tensor {
  if (!Number.isFinite(low) || !Number.isFinite(high) || !Number.isInteger(low) || !Number.isInteger(high))
    throw new TensileError(`randint: low and high must be finite integers, got low=${low}, high=${high}`);
  if (!(high > low)) throw new TensileError(`randint: random_ expects 'from' to be less than 'to', but got from=${low} >= to=${high}`);
  return randomFill("randint", shape, opts, (g, a) => { for (let i = 0; i < a.length; i++) a[i] = g.randint(low, high); }, "int32");
}
export const randLike = (t: Tensor, opts: RandomOptions = {}): Tensor =>
  withBackend(t.backend, () => rand(t.shape, { dtype: isFloating(t.dtype) ? t.dtype : getDefaultDtype(), ...opts }));
export const randnLike = (t: Tensor, opts: RandomOptions = {}): Tensor =>
  withBackend(t.backend, () => randn(t.shape, { dtype: isFloating(t.dtype) ? t.dtype : getDefaultDtype(), ...opts }));

/** A random permutation of 0..n-1 (Fisher–Yates). */
export function randperm(n: number, opts: RandomOptions = {}): Tensor {
  opts ??= {};
  if (!Number.isInteger(n) || n < 0) throw new TensileError(`randperm: n must be non-negative, got ${n}`);
  const g = opts.generator ?? defaultGenerator;
  const p = new Int32Array(n);
  for (let i = 0; i < n; i++) p[i] = i;
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(g.random() * (i + 1));
    const t = p[i]!;
    p[i] = p[j]!;
    p[j] = t;
  }
  const out = opts.dtype && opts.dtype !== "int32" ? arrayFor(opts.dtype, n) : p;
  if (out !== p) out.set(p);
  return make(out, [n], opts.requiresGrad);
}

// ---- logspace, trilIndices/triuIndices, emptyLike ----

/** `steps` values base^v for v evenly spaced from start to end (PyTorch's halves, as linspace). */
export function logspace(start: number, end: number, steps: number, base: number | CreateOptions = 10, opts: CreateOptions = {}): Tensor {
  if (typeof base === "object") [base, opts] = [10, base ?? {}];
  opts ??= {};
  for (const [name, v] of [["start", start], ["end", end], ["base", base]] as const)
    if (typeof v !== "number") throw new TensileError(`logspace: ${name} must be a number, got ${typeof v}`);
  if (!Number.isInteger(steps) || steps < 0) throw new TensileError(`logspace: number of steps must be non-negative, got ${steps}`);
  const a = arrayFor(checkDType("logspace", opts.dtype ?? getDefaultDtype()), steps);
  const step = steps > 1 ? (end - start) / (steps - 1) : 0;
  for (let i = 0; i < steps; i++) a[i] = Math.pow(base, i < steps / 2 ? start + step * i : end - step * (steps - 1 - i));
  return make(a, [steps], opts.requiresGrad);
}

function triangleIndices(op: string, row: number, col: number, offset: number, opts: CreateOptions, lower: boolean): Tensor {
  opts ??= {};
  for (const [name, v] of [["row", row], ["col", col], ["offset", offset]] as const)
    if (!Number.isInteger(v) || (name !== "offset" && v < 0)) throw new TensileError(`${op}: ${name} must be a${name === "offset" ? "n" : " non-negative"} integer, got ${v}`);
  const rows: number[] = [], cols: number[] = [];
  for (let i = 0; i < row; i++)
    for (let j = 0; j < col; j++)
      if (lower ? j - i <= offset : j - i >= offset) {
        rows.push(i);
        cols.push(j);
      }
  const a = arrayFor(checkDType(op, opts.dtype ?? "int32"), rows.length * 2);
  a.set(rows);
  a.set(cols, rows.length);
  return make(a, [2, rows.length], opts.requiresGrad);
}
/** The [2, N] row and column indices of the lower triangle (j − i ≤ offset) of a row × col matrix, row-major; int32. */
export const trilIndices = (row: number, col: number, offset = 0, opts: CreateOptions = {}): Tensor => triangleIndices("trilIndices", row, col, offset, opts, true);
/** The [2, N] indices of the upper triangle (j − i ≥ offset). */
export const triuIndices = (row: number, col: number, offset = 0, opts: CreateOptions = {}): Tensor => triangleIndices("triuIndices", row, col, offset, opts, false);

/** Like PyTorch's `empty_like`, zero-filled (as `empty`). */
export const emptyLike = (t: Tensor, opts: CreateOptions = {}): Tensor => {
  if (!(t instanceof Tensor)) throw new TensileError(`emptyLike: input must be a Tensor, got ${t === null ? "null" : typeof t}`);
  return withBackend(t.backend, () => full(t.shape, 0, { dtype: t.dtype, ...(opts ?? {}) }));
};
