/**
 * `defaultCollate`, PyTorch's `default_collate`: turns a list of samples into a batch by stacking
 * tensors along a new first dimension and recursing into tuples and plain objects; and
 * `defaultConvert`, PyTorch's `default_convert`, what an unbatched loader does to each sample.
 */
import { Tensor, asTensor, stack, tensor } from "../core.js";
import { TensileError } from "../errors.js";

type TypedArrayLike = Float32Array | Float64Array | Int32Array | Uint8Array | Int8Array | Int16Array | Uint16Array | Uint32Array | Uint8ClampedArray;

/** The batch type `defaultCollate` makes from samples of type `T`. */
export type Collated<T> = T extends Tensor
  ? Tensor
  : T extends number | boolean
    ? Tensor
    : T extends string
      ? string[]
      : T extends TypedArrayLike
        ? Tensor
        : T extends readonly unknown[]
          ? { -readonly [K in keyof T]: Collated<T[K]> }
          : T extends object
            ? { [K in keyof T]: Collated<T[K]> }
            : never;

/**
 * Collates samples into a batch:
 * - tensors → `stack(samples, 0)`;
 * - numbers → a 1-D tensor, `int32` when every value is an integer (class labels), else `float32`;
 * - booleans → a `bool` tensor; strings → the array of strings;
 * - typed arrays → a float32/int32 tensor `[B, n]`;
 * - tuples (arrays) → a tuple of collated columns; plain objects → an object of collated fields.
 */
export function defaultCollate<T>(batch: readonly T[]): Collated<T> {
  return collate(batch as readonly unknown[], "batch") as Collated<T>;
}

function collate(batch: readonly unknown[], path: string): unknown {
  if (batch.length === 0) throw new TensileError(`defaultCollate: cannot collate an empty batch`);
  const first = batch[0];
  if (first instanceof Tensor) {
    for (let i = 1; i < batch.length; i++)
      if (!(batch[i] instanceof Tensor)) throw mixed(path, "Tensor", batch[i]);
    return stack(batch as Tensor[], 0);
  }
  if (typeof first === "number") {
    let integers = true;
    for (const v of batch) {
      if (typeof v !== "number") throw mixed(path, "number", v);
      if (!Number.isInteger(v) || Math.abs(v) > 2147483647) integers = false;
    }
    const arr = integers ? Int32Array.from(batch as number[]) : Float32Array.from(batch as number[]);
    return tensor(arr, { shape: [batch.length], dtype: integers ? "int32" : "float32" });
  }
  if (typeof first === "boolean") {
    for (const v of batch) if (typeof v !== "boolean") throw mixed(path, "boolean", v);
    return tensor(batch as boolean[], { dtype: "bool" });
  }
  if (typeof first === "string") {
    for (const v of batch) if (typeof v !== "string") throw mixed(path, "string", v);
    return [...batch];
  }
  if (ArrayBuffer.isView(first) && !(first instanceof DataView)) {
    const n = (first as TypedArrayLike).length;
    const float = first instanceof Float32Array || first instanceof Float64Array;
    const out = float ? new Float32Array(batch.length * n) : new Int32Array(batch.length * n);
    batch.forEach((v, i) => {
      if (!ArrayBuffer.isView(v) || (v as TypedArrayLike).length !== n)
        throw new TensileError(`defaultCollate: typed arrays in ${path} must all have length ${n}, got ${describe(v)} at sample ${i}`);
      out.set(v as TypedArrayLike, i * n);
    });
    return asTensor(out, { shape: [batch.length, n], dtype: float ? "float32" : "int32" });
  }
  if (Array.isArray(first)) {
    const n = first.length;
    batch.forEach((v, i) => {
      if (!Array.isArray(v)) throw mixed(path, "array", v);
      if (v.length !== n)
        throw new TensileError(`defaultCollate: each element in ${path} should be of equal size; sample 0 has ${n} elements, sample ${i} has ${v.length}`);
    });
    return first.map((_, j) => collate(batch.map((v) => (v as unknown[])[j]), `${path}[${j}]`));
  }
  if (first !== null && typeof first === "object" && Object.getPrototypeOf(first) === Object.prototype) {
    const keys = Object.keys(first);
    const out: Record<string, unknown> = {};
    for (const k of keys)
      out[k] = collate(
        batch.map((v, i) => {
          if (v === null || typeof v !== "object" || !(k in v))
            throw new TensileError(`defaultCollate: sample ${i} of ${path} has no key ${JSON.stringify(k)}`);
          return (v as Record<string, unknown>)[k];
        }),
        `${path}.${k}`,
      );
    return out;
  }
  throw new TensileError(
    `defaultCollate: ${path} must contain tensors, numbers, booleans, strings, typed arrays, arrays or plain objects; found ${describe(first)}`,
  );
}

function describe(v: unknown): string {
  if (v === null) return "null";
  if (v instanceof Tensor) return `Tensor of shape [${v.shape.join(", ")}]`;
  if (typeof v === "object") return (v as object).constructor?.name ?? "object";
  return typeof v;
}

function mixed(path: string, expected: string, got: unknown): TensileError {
  return new TensileError(`defaultCollate: ${path} mixes types: expected every sample to be a ${expected}, found ${describe(got)}`);
}

/**
 * Converts one sample the way PyTorch's `default_convert` does when a `DataLoader` does not batch
 * (`batchSize: null`): typed arrays (NumPy arrays' role) become 1-D tensors of their own dtype
 * (Float64Array → float64, Float32Array → float32, integer arrays → int32, sharing memory where the
 * array type allows, as `torch.as_tensor`); arrays and plain objects are converted element by
 * element into new ones; tensors, numbers, booleans, strings and anything else pass unchanged.
 * ```ts
 * defaultConvert([new Float32Array([1, 2]), 3]); // [tensor([1, 2]), 3]
 * ```
 */
export function defaultConvert<T>(data: T): Converted<T> {
  return convert(data, "data") as Converted<T>;
}

/** The type `defaultConvert` makes of a sample of type `T`. */
export type Converted<T> = T extends Tensor
  ? Tensor
  : T extends TypedArrayLike
    ? Tensor
    : T extends readonly unknown[]
      ? { -readonly [K in keyof T]: Converted<T[K]> }
      : T extends number | boolean | string | bigint | symbol | null | undefined
        ? T
        : T extends object
          ? { [K in keyof T]: Converted<T[K]> }
          : T;

function convert(data: unknown, path: string): unknown {
  if (data instanceof Tensor) return data;
  if (ArrayBuffer.isView(data) && !(data instanceof DataView)) {
    if (data instanceof Float64Array) return asTensor(data, { dtype: "float64" });
    if (data instanceof Float32Array) return asTensor(data, { dtype: "float32" });
    if (data instanceof BigInt64Array || data instanceof BigUint64Array)
      throw new TensileError(`defaultConvert: ${path} is a ${data.constructor.name}; Tensile has no 64-bit integer tensors`);
    if (data instanceof Uint32Array) {
      const bad = data.findIndex((v) => v > 2147483647);
      if (bad >= 0) throw new TensileError(`defaultConvert: ${path}[${bad}] = ${data[bad]} does not fit an int32 tensor`);
    }
    return asTensor(data instanceof Int32Array ? data : Int32Array.from(data as TypedArrayLike), { dtype: "int32" });
  }
  if (Array.isArray(data)) return data.map((v, i) => convert(v, `${path}[${i}]`));
  if (data !== null && typeof data === "object" && Object.getPrototypeOf(data) === Object.prototype) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(data)) out[k] = convert(v, `${path}.${k}`);
    return out;
  }
  return data;
}
