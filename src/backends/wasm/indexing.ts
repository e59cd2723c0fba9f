import { TensileError } from "../../errors.js";
import type { View } from "../backend.js";
import { DT, ERR_BAD_INDEX, clearError, copy, readError, runStrided, whole } from "./elementwise.js";
import { addr, collapse, contiguousStrides, numel } from "./layout.js";
import { ELEMENT_BYTES, type WasmStorage, allocRaw, releaseStorage } from "./memory.js";

/** gather and scatter (see assembly/indexing.ts). */

function int32Index(index: View): [View, WasmStorage | null] {
  if (index.storage.dtype === "int32") return [index, null];
  const s = copy(index, "int32");
  return [whole(s, index.shape), s];
}

function checkIndexError(op: string, axis: number, size: number): void {
  const [code, value] = readError();
  if (code === ERR_BAD_INDEX) throw new TensileError(`${op}: index ${value} is out of bounds for dimension ${axis} with size ${size}`);
}

export function gather(x: View, axis: number, index0: View): WasmStorage {
  const [index, tmp] = int32Index(index0);
  const shape = index.shape;
  const n = numel(shape);
  const dtype = x.storage.dtype;
  const es = ELEMENT_BYTES[dtype];
  const out = allocRaw(dtype, n);
  const axisSize = x.shape[axis] ?? 1;
  const axisStride = x.strides[axis] ?? 0;
  // x is walked with its axis stride zeroed; the kernel adds index·axisStride per element
  const xs = x.strides.map((s, d) => (d === axis ? 0 : s));
  clearError();
  runStrided("gatherK", [es], collapse(shape, [contiguousStrides(shape), index.strides, xs]), [es, 4, es],
    [out.ptr, addr(index), addr(x), axisStride * es, axisSize], n);
  if (tmp) releaseStorage(tmp);
  checkIndexError("gather", axis, axisSize);
  return out;
}

export function scatter(x: View, axis: number, index0: View, src0: View, accumulate: boolean): WasmStorage {
  const [index, tmpI] = int32Index(index0);
  const dtype = x.storage.dtype;
  const tmpS = src0.storage.dtype === dtype ? null : copy(src0, dtype);
  const src = tmpS ? whole(tmpS, src0.shape) : src0;
  const out = copy(x, dtype);
  const es = ELEMENT_BYTES[dtype];
  const axisSize = x.shape[axis] ?? 1;
  const outStrides = contiguousStrides(x.shape);
  const axisStride = outStrides[axis] ?? 0;
  const os = outStrides.map((s, d) => (d === axis ? 0 : s));
  clearError();
  // Indices may repeat, so one thread does the whole scatter (last write wins, sums in order).
  runStrided("scatterK", [DT[dtype], accumulate ? 1 : 0], collapse(index.shape, [os, index.strides, src.strides]),
    [es, 4, es], [out.ptr, addr(index), addr(src), axisStride * es, axisSize], numel(index.shape), false);
  for (const s of [tmpI, tmpS]) if (s) releaseStorage(s);
  checkIndexError(accumulate ? "scatterAdd" : "scatter", axis, axisSize);
  return out;
}
