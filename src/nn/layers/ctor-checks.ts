/**
 * Argument checks for layer constructors (internal, not re-exported by nn). A layer refuses a value
 * that can never work when it is built, with a TensileError naming the class and the value
 * (`MaxPool2d: kernel_size should be greater than zero, but got kernel_size=0`), rather than at
 * its first forward call or never (a NaN eps that turns every output into NaN). PyTorch checks
 * most of these in the functional call instead; the messages follow its wording.
 */
import { TensileError, fmtValue } from "../../errors.js";

/**
 * A size argument: one integer ≥ `min`, or an array of 1 or `n` of them (`n` = 0: any length ≥ 1).
 * Returns it as `n` numbers (or the array as given when `n` = 0); the layer keeps the value it was given.
 */
export function sizeArg(op: string, name: string, v: unknown, n: number, min: number): number[] {
  const list = typeof v === "number" ? [v] : Array.isArray(v) ? (v as unknown[]) : null;
  const shape = n === 0 ? "a tuple of ints" : n === 1 ? "a tuple of one int" : `a tuple of ${n} ints`;
  if (list === null || list.length === 0 || (n > 0 && list.length !== 1 && list.length !== n) || !list.every((x) => Number.isInteger(x)))
    throw new TensileError(`${op}: ${name} must be an int or ${shape}, but got ${name}=${fmtValue(v)}`);
  const out = list as number[];
  if (out.some((x) => x < min))
    throw new TensileError(min === 1
      ? `${op}: ${name} should be greater than zero, but got ${name}=${fmtValue(v)}`
      : `${op}: ${name} must be non-negative, but got ${name}=${fmtValue(v)}`);
  return n > 0 && out.length === 1 ? Array<number>(n).fill(out[0]!) : [...out];
}

/** An integer ≥ `min` (when given). */
export function intArg(op: string, name: string, v: unknown, min?: number): number {
  if (!Number.isInteger(v)) throw new TensileError(`${op}: ${name} must be an int, but got ${name}=${fmtValue(v)}`);
  if (min !== undefined && (v as number) < min)
    throw new TensileError(min === 1
      ? `${op}: ${name} should be a positive integer value, but got ${name}=${fmtValue(v)}`
      : `${op}: ${name} must be at least ${min}, but got ${name}=${fmtValue(v)}`);
  return v as number;
}

export interface RealBounds {
  /** Smallest allowed value (inclusive). */
  min?: number;
  /** Values must be greater than this. */
  above?: number;
  /** Allow ±Infinity (default true: only NaN and non-numbers are refused). */
  infinite?: boolean;
}

/** A real number (never NaN: it would turn every output into NaN without a word), within `bounds`. */
export function realArg(op: string, name: string, v: unknown, bounds: RealBounds = {}): number {
  if (typeof v !== "number" || Number.isNaN(v)) throw new TensileError(`${op}: ${name} must be a number, but got ${name}=${fmtValue(v)}`);
  if (bounds.infinite === false && !Number.isFinite(v)) throw new TensileError(`${op}: ${name} must be finite, but got ${name}=${v}`);
  if (bounds.min !== undefined && v < bounds.min)
    throw new TensileError(`${op}: ${name} must be ${bounds.min === 0 ? "non-negative" : `at least ${bounds.min}`}, but got ${name}=${v}`);
  if (bounds.above !== undefined && !(v > bounds.above))
    throw new TensileError(`${op}: ${name} must be ${bounds.above === 0 ? "positive" : `greater than ${bounds.above}`}, but got ${name}=${v}`);
  return v;
}

/** One of a list of strings (PyTorch's "must be one of [...], but got x='foo'"). */
export function choiceArg<S extends string>(op: string, name: string, v: unknown, allowed: readonly S[]): S {
  if (!allowed.includes(v as S))
    throw new TensileError(`${op}: ${name} must be one of [${allowed.map((a) => `'${a}'`).join(", ")}], but got ${name}=${typeof v === "string" ? `'${v}'` : fmtValue(v)}`);
  return v as S;
}

/** A boolean (PyTorch's "should be a boolean value, but got x=..."). */
export function boolArg(op: string, name: string, v: unknown): boolean {
  if (typeof v !== "boolean") throw new TensileError(`${op}: ${name} should be a boolean value, but got ${name}=${fmtValue(v)}`);
  return v;
}

/** A dimension index: any integer (its range is checked against the input in forward). */
export function dimArg(op: string, name: string, v: unknown): number {
  if (!Number.isInteger(v)) throw new TensileError(`${op}: ${name} must be an int, but got ${name}=${fmtValue(v)}`);
  return v as number;
}

/** Pooling padding may be at most half the (dilated-free) kernel size, as PyTorch's pooling ops check. */
export function checkHalfPad(op: string, padding: readonly number[], kernel: readonly number[]): void {
  if (padding.some((p, i) => p > kernel[i]! / 2))
    throw new TensileError(`${op}: pad should be at most half of kernel size, but got pad=${fmtValue(padding)} and kernel_size=${fmtValue(kernel)}`);
}

/** An adaptive pool's output size: integers ≥ 0, one or `nd` of them (entries may be null for 2-D/3-D: keep that input size). */
export function checkOutputSize(op: string, v: unknown, nd: number, allowNull: boolean): void {
  const list = typeof v === "number" ? [v] : Array.isArray(v) ? (v as unknown[]) : null;
  const ok = (x: unknown) => (allowNull && x === null) || (Number.isInteger(x) && (x as number) >= 0);
  if (list === null || (list.length !== 1 && list.length !== nd) || !list.every(ok))
    throw new TensileError(`${op}: output_size must be a non-negative int or a tuple of ${nd} such ints${allowNull ? " (or null)" : ""}, but got output_size=${fmtValue(v)}`);
}
