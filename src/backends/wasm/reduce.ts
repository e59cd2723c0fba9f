import type { DType } from "../../tensor/dtype.js";
import type { ReduceOp, View } from "../backend.js";
import { DT, copy, runStrided, whole } from "./elementwise.js";
import { ARG_SHAPE2, ARG_STRIDES2, addr, collapse, contiguousStrides, isContiguous, numel, writePlan } from "./layout.js";
import { ELEMENT_BYTES, type WasmStorage, allocRaw, releaseStorage } from "./memory.js";
import * as C from "./opcodes.js";
import { parallel, splitRange, threadsFor } from "./threads.js";

/** Reductions and cumsum (see assembly/reduce.ts for the kernels). */

const REDUCE: Record<ReduceOp, number> = {
  sum: C.R_SUM, prod: C.R_PROD, max: C.R_MAX, min: C.R_MIN, argmax: C.R_ARGMAX, argmin: C.R_ARGMIN, any: C.R_ANY, all: C.R_ALL,
};

const MIN_WORK_PER_THREAD = 1 << 18;

/** The reference backend's output dtype rule. */
function reduceDType(op: ReduceOp, d: DType): DType {
  if (op === "argmax" || op === "argmin") return "int32";
  if (op === "any" || op === "all") return "bool";
  if (d === "bool" && (op === "sum" || op === "prod")) return "int32";
  return d;
}

export function reduce(op: ReduceOp, x0: View, axes: readonly number[]): WasmStorage {
  const outDtype = reduceDType(op, x0.storage.dtype);
  // bool sums count: compute them on an int32 copy
  const tmp = (op === "sum" || op === "prod") && x0.storage.dtype === "bool" ? copy(x0, "int32") : null;
  const x = tmp ? whole(tmp, x0.shape) : x0;
  const dtype = x.storage.dtype;
  const es = ELEMENT_BYTES[dtype];
  const kept = x.shape.map((_, i) => i).filter((i) => !axes.includes(i));
  const keptShape = kept.map((i) => x.shape[i]!);
  const redShape = axes.map((i) => x.shape[i]!);
  const M = numel(keptShape);
  const count = numel(redShape);
  const out = allocRaw(outDtype, M);
  if (M > 0) {
    const keptPlan = collapse(keptShape, [kept.map((i) => x.strides[i]!)]);
    const redPlan = collapse(redShape, [axes.map((i) => x.strides[i]!)]);
    const [rn, rsp, rst] = writePlan(redPlan, [es], ARG_SHAPE2, ARG_STRIDES2);
    const t = threadsFor(M * Math.max(count, 1), MIN_WORK_PER_THREAD);
    if (op === "sum" && dtype === "float32" && keptPlan.shape.length === 1 && keptPlan.strides[0]![0] === 1 && M >= 16 && count > 1) {
      // kept dims contiguous (e.g. a bias gradient, summing rows): add whole rows, SIMD over columns
      const parts = splitRange(M, Math.min(t, Math.ceil(M / 64)), 16);
      parallel("sumColsF32K", parts.map(([j0, j1]) => [rn, rsp, rst, count, out.ptr, addr(x), j0, j1]));
    } else {
      const [kn, ksp, kst] = writePlan(keptPlan, [es]);
      const parts = splitRange(M, Math.min(t, M));
      parallel("reduceK", parts.map(([o0, o1]) => [REDUCE[op], DT[dtype], kn, ksp, kst, rn, rsp, rst, count, out.ptr, addr(x), o0, o1]));
    }
  }
  if (tmp) releaseStorage(tmp);
  return out;
}

/** `v` itself when contiguous and of `dtype`, else a contiguous copy (the second item, to release). */
function contiguousAs(v: View, dtype: DType): [View, WasmStorage | null] {
  if (isContiguous(v) && v.storage.dtype === dtype) return [v, null];
  const tmp = copy(v, dtype);
  return [whole(tmp, v.shape), tmp];
}

/**
 * Runs a per-line kernel (assembly/softmax.ts) over the lines along `axis` of contiguous
 * operands of `shape`: its arguments are `args` then the line range [q0, q1). Lines are split
 * across threads in fours when the axis is not the last one, so each thread keeps whole SIMD
 * groups; `passes` weighs the work per element against an elementwise op's.
 */
function runLines(kernel: "softmaxK" | "softmaxBackwardK", shape: readonly number[], axis: number, passes: number, args: (inner: number, len: number) => number[]): void {
  const n = numel(shape);
  const len = shape[axis] ?? 1;
  if (n === 0 || len === 0) return;
  const inner = numel(shape.slice(axis + 1));
  const lines = n / len;
  const t = threadsFor(passes * n, MIN_WORK_PER_THREAD);
  const head = args(inner, len);
  parallel(kernel, splitRange(lines, Math.min(t, lines), inner > 1 ? 4 : 1).map(([q0, q1]) => [...head, q0, q1]));
}

/** Softmax (or log-softmax) of float x along `axis` in one kernel call (softmaxK). */
export function softmax(x0: View, axis: number, log: boolean): WasmStorage {
  const dtype = x0.storage.dtype;
  const [x, tmp] = contiguousAs(x0, dtype);
  const out = allocRaw(dtype, numel(x0.shape));
  // ~3 passes and an exp per element: weigh the work like an elementwise op's several passes
  runLines("softmaxK", x.shape, axis, 4, (inner, len) => [+(dtype === "float64"), +log, len, inner, addr(x), out.ptr]);
  if (tmp) releaseStorage(tmp);
  return out;
}

/**
 * The gradient of softmax (or log-softmax) along `axis` from the incoming gradient g and the
 * forward output y, in one kernel call (softmaxBackwardK).
 */
export function softmaxBackward(g0: View, y0: View, axis: number, log: boolean): WasmStorage {
  const dtype = y0.storage.dtype;
  const [g, gt] = contiguousAs(g0, dtype);
  const [y, yt] = contiguousAs(y0, dtype);
  const out = allocRaw(dtype, numel(y0.shape));
  runLines("softmaxBackwardK", y.shape, axis, 3, (inner, len) => [+(dtype === "float64"), +log, len, inner, addr(g), addr(y), out.ptr]);
  if (gt) releaseStorage(gt);
  if (yt) releaseStorage(yt);
  return out;
}

export function cumsum(x0: View, axis: number): WasmStorage {
  const tmp = x0.storage.dtype === "bool" ? copy(x0, "int32") : null;
  const x = tmp ? whole(tmp, x0.shape) : x0;
  const dtype = x.storage.dtype;
  const n = numel(x.shape);
  const out = allocRaw(dtype, n);
  const len = x.shape[axis] ?? 1;
  if (n > 0) {
    // Move the scan axis last; only the other dims may be merged.
    const outStrides = contiguousStrides(x.shape);
    const others = x.shape.map((_, i) => i).filter((i) => i !== axis);
    const outer = collapse(others.map((i) => x.shape[i]!), [others.map((i) => outStrides[i]!), others.map((i) => x.strides[i]!)]);
    const plan = {
      shape: [...outer.shape, len],
      strides: [[...outer.strides[0]!, outStrides[axis] ?? 0], [...outer.strides[1]!, x.strides[axis] ?? 0]],
    };
    const es = ELEMENT_BYTES[dtype];
    const lines = n / len;
    const [nd, sp, st] = writePlan(plan, [es, es]);
    const t = threadsFor(n, MIN_WORK_PER_THREAD);
    parallel("cumsumK", splitRange(lines, Math.min(t, lines)).map(([l0, l1]) => [DT[dtype], nd, sp, st, out.ptr, addr(x), l0 * len, l1 * len]));
  }
  if (tmp) releaseStorage(tmp);
  return out;
}

export { runStrided };
