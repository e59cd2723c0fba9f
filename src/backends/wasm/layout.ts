import type { View } from "../backend.js";
import { contiguousStrides } from "../../tensor/shape.js";
import { ELEMENT_BYTES, type WasmStorage } from "./memory.js";
import { runtime } from "./runtime.js";

/**
 * Iteration-space preparation for the strided kernels: merge dims that every operand walks
 * contiguously, drop size-1 dims, and write the result into the control area's argument block as
 * i32 shape and byte strides (operand-major, four operands).
 */

export interface Plan {
  shape: number[];
  /** Element strides per operand. */
  strides: number[][];
}

/** Collapses the shared iteration `shape` of several operands; never returns fewer than one dim. */
export function collapse(shape: readonly number[], strides: readonly (readonly number[])[]): Plan {
  const nops = strides.length;
  const outShape: number[] = [];
  const outStrides: number[][] = [];
  for (let k = 0; k < nops; k++) outStrides.push([]);
  for (let d = 0; d < shape.length; d++) {
    const size = shape[d]!;
    if (size === 1) continue;
    const n = outShape.length;
    // merge d into the previous kept dim when every operand steps through both as one run
    let merge = n > 0;
    for (let k = 0; merge && k < nops; k++) merge = outStrides[k]![n - 1] === strides[k]![d]! * size;
    if (merge) {
      outShape[n - 1] = outShape[n - 1]! * size;
      for (let k = 0; k < nops; k++) outStrides[k]![n - 1] = strides[k]![d]!;
    } else {
      outShape.push(size);
      for (let k = 0; k < nops; k++) outStrides[k]!.push(strides[k]![d]!);
    }
  }
  if (outShape.length === 0) {
    outShape.push(1);
    for (let k = 0; k < nops; k++) outStrides[k]!.push(0);
  }
  return { shape: outShape, strides: outStrides };
}

/** Argument block regions (byte offsets from the control area). */
export const ARG_SHAPE = 0;
export const ARG_STRIDES = 1024;
export const ARG_SHAPE2 = 2048;
export const ARG_STRIDES2 = 3072;
export const ARG_GEOM = 4096;

let argsBuffer: ArrayBufferLike | null = null;
let argsView = new Int32Array(0);

/** The argument block as i32s (re-created when memory has grown). */
function args(): Int32Array {
  const r = runtime();
  const buf = r.memory.buffer;
  if (buf !== argsBuffer) {
    argsBuffer = buf;
    argsView = new Int32Array(buf, r.ctrl, ARG_BYTES / 4);
  }
  return argsView;
}
const ARG_BYTES = 4096 + 64;

/** Writes i32 values at `region` of the argument block; returns the byte address. */
export function writeI32(region: number, values: readonly number[]): number {
  args().set(values, region >> 2);
  return runtime().ctrl + region;
}

/** Writes a plan for operands of the given element sizes; returns [ndim, shapePtr, stridesPtr]. */
export function writePlan(plan: Plan, esizes: readonly number[], shapeRegion = ARG_SHAPE, stridesRegion = ARG_STRIDES): [number, number, number] {
  const a = args();
  const nd = plan.shape.length;
  const sh = shapeRegion >> 2, st = stridesRegion >> 2;
  for (let d = 0; d < nd; d++) a[sh + d] = plan.shape[d]!;
  for (let k = 0; k < 4; k++) {
    const s = plan.strides[k], e = esizes[k] ?? 0;
    for (let d = 0; d < nd; d++) a[st + k * nd + d] = s ? s[d]! * e : 0;
  }
  const base = runtime().ctrl;
  return [nd, base + shapeRegion, base + stridesRegion];
}

export const esize = (v: { storage: { dtype: keyof typeof ELEMENT_BYTES } }): number => ELEMENT_BYTES[v.storage.dtype];

/** Byte address of a view's first element. */
export const addr = (v: View): number => (v.storage as WasmStorage).ptr + v.offset * ELEMENT_BYTES[v.storage.dtype];

export const numel = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1);

export { contiguousStrides };

/** True when the view covers its elements in row-major order with unit steps. */
export function isContiguous(v: View): boolean {
  let expect = 1;
  for (let i = v.shape.length - 1; i >= 0; i--) {
    if (v.shape[i] !== 1 && v.strides[i] !== expect) return false;
    expect *= v.shape[i]!;
  }
  return true;
}
