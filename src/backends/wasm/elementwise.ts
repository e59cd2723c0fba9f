import { TensileError } from "../../errors.js";
import type { DType } from "../../tensor/dtype.js";
import type { BinaryOp, UnaryOp, View } from "../backend.js";
import { type Plan, addr, collapse, contiguousStrides, numel, writePlan } from "./layout.js";
import { ELEMENT_BYTES, type WasmStorage, allocRaw, releaseStorage } from "./memory.js";
import * as C from "./opcodes.js";
import { ERR_OFFSET, type ParallelKernel, runtime } from "./runtime.js";
import { parallel, splitRange, threadsFor } from "./threads.js";

/** Elementwise primitives: copy/cast, assign, unary, binary, where. */

export const DT: Record<DType, number> = { float32: C.DT_F32, float64: C.DT_F64, int32: C.DT_I32, bool: C.DT_BOOL };

const UNARY: Record<UnaryOp, number> = {
  neg: C.U_NEG, exp: C.U_EXP, expm1: C.U_EXPM1, log: C.U_LOG, log1p: C.U_LOG1P, sqrt: C.U_SQRT, rsqrt: C.U_RSQRT,
  abs: C.U_ABS, sign: C.U_SIGN, reciprocal: C.U_RECIPROCAL, sin: C.U_SIN, cos: C.U_COS, tanh: C.U_TANH,
  sigmoid: C.U_SIGMOID, relu: C.U_RELU, floor: C.U_FLOOR, ceil: C.U_CEIL, round: C.U_ROUND, trunc: C.U_TRUNC,
  erf: C.U_ERF, isnan: C.U_ISNAN, isfinite: C.U_ISFINITE, logicalNot: C.U_LOGICAL_NOT,
  gelu: C.U_GELU, geluGrad: C.U_GELU_GRAD, silu: C.U_SILU, siluGrad: C.U_SILU_GRAD,
  tan: C.U_TAN, asin: C.U_ASIN, acos: C.U_ACOS, atan: C.U_ATAN, sinh: C.U_SINH, cosh: C.U_COSH, asinh: C.U_ASINH,
  acosh: C.U_ACOSH, atanh: C.U_ATANH, log2: C.U_LOG2, log10: C.U_LOG10, exp2: C.U_EXP2, erfc: C.U_ERFC,
  erfinv: C.U_ERFINV, lgamma: C.U_LGAMMA, digamma: C.U_DIGAMMA, trigamma: C.U_TRIGAMMA,
};
const PREDICATES: ReadonlySet<UnaryOp> = new Set<UnaryOp>(["isnan", "isfinite", "logicalNot"]);

const BINARY: Record<BinaryOp, number> = {
  add: C.B_ADD, sub: C.B_SUB, mul: C.B_MUL, div: C.B_DIV, pow: C.B_POW, maximum: C.B_MAXIMUM, minimum: C.B_MINIMUM,
  floorDiv: C.B_FLOOR_DIV, remainder: C.B_REMAINDER, eq: C.B_EQ, ne: C.B_NE, lt: C.B_LT, le: C.B_LE, gt: C.B_GT,
  ge: C.B_GE, logicalAnd: C.B_AND, logicalOr: C.B_OR, logicalXor: C.B_XOR,
  atan2: C.B_ATAN2, hypot: C.B_HYPOT, fmod: C.B_FMOD, zeta: C.B_ZETA,
};
const BOOL_RESULT: ReadonlySet<BinaryOp> = new Set<BinaryOp>(["eq", "ne", "lt", "le", "gt", "ge", "logicalAnd", "logicalOr", "logicalXor"]);

/** Below this many elements per thread a call is not worth waking a worker for: a wake-up costs
 *  tens of microseconds, about a memory-bound pass over 100K elements. */
const MIN_ELEMENTS_PER_THREAD = 1 << 18;

/** A contiguous view of a whole storage with the given shape. */
export const whole = (s: WasmStorage, shape: readonly number[]): View => ({ storage: s, shape, strides: contiguousStrides(shape), offset: 0 });

/** Runs an odometer kernel `kernel(...head, ndim, shape, strides, ...ptrs, e0, e1)` over `total` elements. */
export function runStrided(kernel: ParallelKernel, head: readonly number[], plan: Plan, esizes: readonly number[],
  ptrs: readonly number[], total: number, threadSafe = true): void {
  if (total === 0) return;
  const [nd, sp, st] = writePlan(plan, esizes);
  const t = threadSafe ? threadsFor(total, MIN_ELEMENTS_PER_THREAD) : 1;
  if (t === 1) parallel(kernel, [[...head, nd, sp, st, ...ptrs, 0, total]]);
  else parallel(kernel, splitRange(total, t, 64).map(([e0, e1]) => [...head, nd, sp, st, ...ptrs, e0, e1]));
}

// ---- the shared error slot (bad index, integer division by zero) ----
export function clearError(): void {
  const r = runtime();
  new Int32Array(r.memory.buffer, r.ctrl + ERR_OFFSET, 2).fill(0);
}
/** [code, value] of the last reported error (code 0: none). */
export function readError(): [number, number] {
  const r = runtime();
  const e = new Int32Array(r.memory.buffer, r.ctrl + ERR_OFFSET, 2);
  return [e[0]!, e[1]!];
}
export const ERR_BAD_INDEX = 1;
export const ERR_ZERO_DIVISION = 2;

/** dst[...] = convert(src[...]); src already broadcast to dst's shape. */
export function convertInto(dst: View, src: View): void {
  const n = numel(dst.shape);
  const plan = collapse(dst.shape, [dst.strides, src.strides]);
  const [ds, ss] = plan.strides as [number[], number[]];
  if (plan.shape.length === 2 && dst.storage.dtype === src.storage.dtype && ds[1] === 1 && ds[0] === plan.shape[1] && Math.abs(ss[1]!) > 16) {
    // a transpose-like copy: tile it so the strided reads stay in cache
    const [rows, cols] = plan.shape as [number, number];
    const es = ELEMENT_BYTES[dst.storage.dtype];
    const t = threadsFor(n, MIN_ELEMENTS_PER_THREAD);
    parallel("transposeK", splitRange(rows, Math.min(t, rows)).map(([r0, r1]) =>
      [es, rows, cols, addr(dst), addr(src), ss[0]! * es, ss[1]! * es, r0, r1]));
    return;
  }
  // Writing through a dst with a 0 stride would race between threads.
  const safe = dst.strides.every((s, i) => s !== 0 || dst.shape[i] === 1);
  runStrided("convertK", [DT[src.storage.dtype], DT[dst.storage.dtype]], plan,
    [ELEMENT_BYTES[dst.storage.dtype], ELEMENT_BYTES[src.storage.dtype]], [addr(dst), addr(src)], n, safe);
}

export function copy(v: View, dtype: DType): WasmStorage {
  const out = allocRaw(dtype, numel(v.shape));
  convertInto(whole(out, v.shape), v);
  return out;
}

/** `v` itself when it already has `dtype`, else a contiguous converted copy (caller releases it). */
function asDType(v: View, dtype: DType): [View, WasmStorage | null] {
  if (v.storage.dtype === dtype) return [v, null];
  const s = copy(v, dtype);
  return [whole(s, v.shape), s];
}

/** Converts `s` (of shape `shape`) to `dtype`, releasing `s`, unless it already has it. */
function finish(s: WasmStorage, shape: readonly number[], dtype: DType): WasmStorage {
  if (s.dtype === dtype) return s;
  const out = copy(whole(s, shape), dtype);
  releaseStorage(s);
  return out;
}

export function assign(dst: View, src: View): void {
  // Overlapping source and destination (x[1:] = x[:-1]) must read before writing: go through a copy.
  if (src.storage === dst.storage) {
    const tmp = copy(src, src.storage.dtype);
    convertInto(dst, whole(tmp, dst.shape));
    releaseStorage(tmp);
    return;
  }
  convertInto(dst, src);
}

export function unary(op: UnaryOp, x: View, dtype: DType): WasmStorage {
  const n = numel(x.shape);
  const pred = PREDICATES.has(op);
  // Non-predicates compute in the output dtype (the engine casts ints to float before float ops).
  const [src, tmp] = pred ? [x, null] : asDType(x, dtype);
  const out = allocRaw(pred ? "bool" : dtype, n);
  const plan = collapse(x.shape, [contiguousStrides(x.shape), src.strides]);
  runStrided("unaryK", [UNARY[op], DT[src.storage.dtype]], plan, [ELEMENT_BYTES[out.dtype], ELEMENT_BYTES[src.storage.dtype]],
    [out.ptr, addr(src)], n);
  if (tmp) releaseStorage(tmp);
  return finish(out, x.shape, dtype);
}

export function binary(op: BinaryOp, a: View, b: View, shape: readonly number[], dtype: DType): WasmStorage {
  const n = numel(shape);
  const t = a.storage.dtype;
  const [bv, tmp] = asDType(b, t);
  const out = allocRaw(BOOL_RESULT.has(op) ? "bool" : t, n);
  const plan = collapse(shape, [contiguousStrides(shape), a.strides, bv.strides]);
  const es = ELEMENT_BYTES[t];
  const intOps = t === "int32" || t === "bool";
  if (intOps) clearError();
  runStrided("binaryK", [BINARY[op], DT[t]], plan, [ELEMENT_BYTES[out.dtype], es, es], [out.ptr, addr(a), addr(bv)], n);
  if (tmp) releaseStorage(tmp);
  if (intOps && readError()[0] === ERR_ZERO_DIVISION) {
    releaseStorage(out);
    // the reference backend's signal, which the ops layer turns into a TensileError
    throw new RangeError("ZeroDivisionError");
  }
  return finish(out, shape, dtype);
}

/** A non-bool condition as bool with JavaScript truthiness (NaN is false), as the reference reads it. */
function truthy(cond: View): [View, WasmStorage | null] {
  if (cond.storage.dtype === "bool") return [cond, null];
  const nz = copy(cond, "bool");
  if (cond.storage.dtype === "int32") return [whole(nz, cond.shape), nz];
  const nan = unary("isnan", cond, "bool");
  const shape = cond.shape;
  const c = binary("gt", whole(nz, shape), whole(nan, shape), shape, "bool");
  releaseStorage(nz);
  releaseStorage(nan);
  return [whole(c, shape), c];
}

export function where(cond: View, a: View, b: View, shape: readonly number[], dtype: DType): WasmStorage {
  const n = numel(shape);
  const [c, tc] = truthy(cond);
  const [av, ta] = asDType(a, dtype);
  const [bv, tb] = asDType(b, dtype);
  const out = allocRaw(dtype, n);
  const es = ELEMENT_BYTES[dtype];
  const plan = collapse(shape, [contiguousStrides(shape), c.strides, av.strides, bv.strides]);
  runStrided("whereK", [es], plan, [es, 1, es, es], [out.ptr, addr(c), addr(av), addr(bv)], n);
  for (const s of [tc, ta, tb]) if (s) releaseStorage(s);
  return out;
}

export function checkSameLength(op: string, ...s: WasmStorage[]): void {
  const n = s[0]!.length;
  if (s.some((x) => x.length !== n)) throw new TensileError(`${op}: storages differ in length (${s.map((x) => x.length).join(", ")})`);
}
