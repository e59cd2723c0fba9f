/**
 * `torch.finfo` / `torch.iinfo`: the numerical limits of a dtype. Programs use them for their
 * epsilons (`(r - mean) / (std + finfo("float32").eps)` in the policy-gradient examples, a clamp
 * to `finfo(x.dtype).min` in attention masks), so they are plain objects with PyTorch's fields.
 */
import { TensileError, fmtValue } from "../errors.js";
import { type DType, getDefaultDtype, isDType } from "./dtype.js";

/** PyTorch's `torch.finfo(dtype)` fields (camelCase: `smallestNormal` is `smallest_normal`). */
export interface FInfo {
  readonly dtype: "float32" | "float64";
  /** Bits of the type. */
  readonly bits: number;
  /** The smallest e with 1 + e ≠ 1. */
  readonly eps: number;
  readonly max: number;
  readonly min: number;
  /** The smallest positive normal number (alias `smallestNormal`). */
  readonly tiny: number;
  readonly smallestNormal: number;
  /** 10^-digits, the approximate decimal resolution. */
  readonly resolution: number;
}

/** PyTorch's `torch.iinfo(dtype)` fields. */
export interface IInfo {
  readonly dtype: "int32";
  readonly bits: number;
  readonly max: number;
  readonly min: number;
}

const F32_MAX = 3.4028234663852886e38, F32_TINY = 1.1754943508222875e-38;
const FINFO: Record<"float32" | "float64", FInfo> = {
  float32: Object.freeze({ dtype: "float32", bits: 32, eps: 1.1920928955078125e-7, max: F32_MAX, min: -F32_MAX, tiny: F32_TINY, smallestNormal: F32_TINY, resolution: 1e-6 }),
  float64: Object.freeze({
    dtype: "float64", bits: 64, eps: Number.EPSILON, max: Number.MAX_VALUE, min: -Number.MAX_VALUE,
    tiny: 2.2250738585072014e-308, smallestNormal: 2.2250738585072014e-308, resolution: 1e-15,
  }),
};
const IINFO: IInfo = Object.freeze({ dtype: "int32", bits: 32, max: 2147483647, min: -2147483648 });

function dtypeArg(op: string, dtype: unknown): DType {
  if (!isDType(dtype)) throw new TensileError(`${op}: expected a dtype (float32, float64, int32 or bool), got ${fmtValue(dtype)}`);
  return dtype;
}

/**
 * `torch.finfo(dtype)`: the limits of a floating-point dtype (the default dtype when omitted).
 *
 * @example
 * finfo("float32").eps;          // 1.1920928955078125e-7
 * finfo("float64").max;          // 1.7976931348623157e308
 * finfo().dtype;                 // getDefaultDtype()
 */
export function finfo(dtype?: DType): FInfo {
  const d = dtypeArg("finfo", dtype ?? getDefaultDtype());
  if (d !== "float32" && d !== "float64") throw new TensileError(`finfo: requires a floating point input type, got ${d}. Use iinfo to handle '${d}'`);
  return FINFO[d];
}

/**
 * `torch.iinfo(dtype)`: the limits of an integer dtype (Tensile has int32; bool is refused, as torch).
 *
 * @example
 * iinfo("int32").max;            // 2147483647
 */
export function iinfo(dtype: DType): IInfo {
  const d = dtypeArg("iinfo", dtype);
  if (d === "bool") throw new TensileError("iinfo: bool is not supported by iinfo");
  if (d !== "int32") throw new TensileError(`iinfo: requires an integer input type, got ${d}. Use finfo to handle '${d}'`);
  return IINFO;
}
