import { TensileError } from "../errors.js";

export type DType = "float32" | "float64" | "int32" | "bool";
export type TypedArray = Float32Array | Float64Array | Int32Array | Uint8Array;

export const DTYPES: readonly DType[] = ["float32", "float64", "int32", "bool"];

export function isDType(x: unknown): x is DType {
  return typeof x === "string" && (DTYPES as readonly string[]).includes(x);
}

export function arrayFor(dtype: DType, length: number): TypedArray {
  switch (dtype) {
    case "float32": return new Float32Array(length);
    case "float64": return new Float64Array(length);
    case "int32": return new Int32Array(length);
    case "bool": return new Uint8Array(length);
  }
}

export function dtypeOfArray(a: TypedArray): DType {
  if (a instanceof Float32Array) return "float32";
  if (a instanceof Float64Array) return "float64";
  if (a instanceof Int32Array) return "int32";
  return "bool";
}

export const isFloating = (d: DType): boolean => d === "float32" || d === "float64";

let defaultFloat: "float32" | "float64" = "float32";

/**
 * The dtype of floating point tensors made without an explicit dtype — `tensor([1.5])`, `zeros`,
 * `rand`, layers' parameters, an integer tensor promoted by a float scalar or a float function —
 * as PyTorch's `torch.get_default_dtype()`. float32 unless {@link setDefaultDtype} changed it.
 */
export const getDefaultDtype = (): "float32" | "float64" => defaultFloat;

/**
 * `torch.set_default_dtype`: makes float64 (or back float32) the dtype of floating point tensors
 * created without one. Only floating point dtypes, as PyTorch. Tensors made earlier keep their dtype.
 *
 * @example
 * setDefaultDtype("float64");
 * zeros(2).dtype;                 // "float64"
 * new nn.Linear(2, 3).weight.dtype; // "float64"
 * setDefaultDtype("float32");
 */
export function setDefaultDtype(d: DType): void {
  if (d !== "float32" && d !== "float64")
    throw new TensileError(`setDefaultDtype: only floating-point types are supported as the default type, got ${JSON.stringify(d)}`);
  defaultFloat = d;
}

const RANK: Record<DType, number> = { bool: 0, int32: 1, float32: 2, float64: 3 };

/** PyTorch's type promotion for two tensors of the given dtypes. */
export function promoteTypes(a: DType, b: DType): DType {
  return RANK[a] >= RANK[b] ? a : b;
}

/**
 * Result dtype of a tensor op with a JS number, following PyTorch: a scalar only raises the
 * category (bool → int → float), never the precision of a float tensor.
 */
export function promoteWithScalar(t: DType, s: number | boolean): DType {
  if (typeof s === "boolean") return t;
  if (Number.isInteger(s)) return t === "bool" ? "int32" : t;
  return isFloating(t) ? t : defaultFloat;
}

export function checkDType(op: string, d: unknown): DType {
  if (!isDType(d)) throw new TensileError(`${op}: unknown dtype ${JSON.stringify(d)} (expected one of ${DTYPES.join(", ")})`);
  return d;
}
