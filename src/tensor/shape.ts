import { TensileError, fmtShape, fmtValue } from "../errors.js";

export type Shape = readonly number[];

export const numelOf = (shape: Shape): number => shape.reduce((a, b) => a * b, 1);

export function contiguousStrides(shape: Shape): number[] {
  const s = new Array<number>(shape.length);
  let acc = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    s[i] = acc;
    acc *= Math.max(shape[i]!, 1);
  }
  return s;
}

/** Wraps a possibly negative dim into [0, ndim); `ndim` 0 accepts -1 and 0 as PyTorch does. */
export function normalizeDim(op: string, dim: number, ndim: number): number {
  const n = Math.max(ndim, 1);
  if (!Number.isInteger(dim) || dim < -n || dim >= n)
    throw new TensileError(`${op}: dimension out of range (expected to be in range of [${-n}, ${n - 1}], but got ${fmtValue(dim)})` +
      // F.softmax(x, dim=-1) written as softmax(x, { dim: -1 }) where the dim is positional
      // (a plain object only: a Tensor has a dim() method, and its source is no hint)
      (typeof dim === "object" && dim !== null && Object.getPrototypeOf(dim) === Object.prototype && "dim" in dim ? `; the dim is positional here: ${op}(x, ${fmtValue((dim as { dim: unknown }).dim)})` : ""));
  return dim < 0 ? dim + n : dim;
}

export function normalizeDims(op: string, dims: number | readonly number[] | undefined | null, ndim: number): number[] {
  if (dims === undefined || dims === null) return [...Array(ndim).keys()];
  if (typeof dims !== "number" && !Array.isArray(dims))
    throw new TensileError(`${op}: dim must be an integer or an array of integers, got ${fmtValue(dims)}`);
  const list = typeof dims === "number" ? [dims] : [...dims];
  const out = list.map((d) => normalizeDim(op, d, ndim));
  if (new Set(out).size !== out.length) throw new TensileError(`${op}: dim ${JSON.stringify(list)} appears multiple times in the list of dims`);
  return ndim === 0 ? [] : out.sort((a, b) => a - b);
}

/** NumPy broadcasting of two shapes; throws naming both shapes when they don't broadcast. */
export function broadcastShapes(op: string, a: Shape, b: Shape): number[] {
  const n = Math.max(a.length, b.length);
  const out = new Array<number>(n);
  for (let i = 0; i < n; i++) {
    const x = a[a.length - n + i] ?? 1;
    const y = b[b.length - n + i] ?? 1;
    if (x !== y && x !== 1 && y !== 1)
      throw new TensileError(
        `${op}: the size of tensor a (${x}) must match the size of tensor b (${y}) at non-singleton dimension ${i} (shapes ${fmtShape(a)} and ${fmtShape(b)})`,
      );
    out[i] = x === 1 ? y : x;
  }
  return out;
}

export function shapesEqual(a: Shape, b: Shape): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

/**
 * A size given as PyTorch takes it: one array (`reshape([2, 3])`) or the numbers themselves
 * (`reshape(2, 3)`, `torch.zeros(2, 3)`). Only checks the form; the op checks the values.
 */
export function sizeArgs(op: string, args: readonly unknown[]): number[] {
  if (args.length === 1 && Array.isArray(args[0])) return args[0] as number[];
  if (args.every((a) => typeof a === "number")) return args as number[];
  throw new TensileError(
    `${op}: expected a size as one array ([2, 3]) or as numbers (2, 3), got (${args.map((a) => fmtValue(a)).join(", ")})`);
}

/** Splits `(2, 3, {dtype})` or `([2, 3], {dtype})` into the size and the trailing options object. */
export function sizeAndOptions<O extends object>(op: string, args: readonly unknown[]): [number[], O] {
  const last = args[args.length - 1];
  // a trailing null is no options, as {} (no size can be null)
  const hasOpts = args.length > 1 && typeof last === "object" && !Array.isArray(last);
  return [checkShape(op, sizeArgs(op, hasOpts ? args.slice(0, -1) : args)), (hasOpts ? last ?? {} : {}) as O];
}

/**
 * The most elements one tensor may hold: 2³¹ − 1, the largest typed-array length every engine
 * allows (and above the wasm backend's 4 GiB memory for any 4-byte dtype).
 */
export const MAX_ELEMENTS = 2 ** 31 - 1;

export function checkShape(op: string, shape: unknown): number[] {
  if (!Array.isArray(shape) || !shape.every((d) => Number.isInteger(d) && d >= 0))
    throw new TensileError(`${op}: shape must be an array of non-negative integers, got ${JSON.stringify(shape)}`);
  const n = shape.reduce((a: number, b: number) => a * b, 1);
  if (n > MAX_ELEMENTS)
    throw new TensileError(`${op}: a tensor of shape ${JSON.stringify(shape)} would hold ${n} elements, more than a tensor can hold (${MAX_ELEMENTS})`);
  return shape as number[];
}
