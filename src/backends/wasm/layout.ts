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
  const dims: number[] = [];
  for (let d = 0; d < shape.length; d++) if (shape[d] !== 1) dims.push(d);
  const outShape: number[] = [];
  const outStrides: number[][] = strides.map(() => []);
  for (const d of dims) {
    const n = outShape.length;
    // merge d into the previous kept dim when every operand steps through both as one run
    if (n > 0 && strides.every((s, k) => outStrides[k]![n - 1] === s[d]! * shape[d]!)) {
      outShape[n - 1] = outShape[n - 1]! * shape[d]!;
      strides.forEach((s, k) => (outStrides[k]![n - 1] = s[d]!));
    } else {
      outShape.push(shape[d]!);
      strides.forEach((s, k) => outStrides[k]!.push(s[d]!));
    }
  }
  if (outShape.length === 0) return { shape: [1], strides: strides.map(() => [0]) };
  return { shape: outShape, strides: outStrides };
}

/** Argument block regions (byte offsets from the control area). */
export const ARG_SHAPE = 0;
export const ARG_STRIDES = 1024;
export const ARG_SHAPE2 = 2048;
export const ARG_STRIDES2 = 3072;
export const ARG_GEOM = 4096;

/** Writes i32 values at `region` of the argument block; returns the byte address. */
export function writeI32(region: number, values: readonly number[]): number {
  const r = runtime();
  const addr = r.ctrl + region;
  new Int32Array(r.memory.buffer, addr, values.length).set(values);
  return addr;
}

/** Writes a plan for operands of the given element sizes; returns [ndim, shapePtr, stridesPtr]. */
export function writePlan(plan: Plan, esizes: readonly number[], shapeRegion = ARG_SHAPE, stridesRegion = ARG_STRIDES): [number, number, number] {
  const nd = plan.shape.length;
  const bytes: number[] = new Array(4 * nd).fill(0);
  plan.strides.forEach((s, k) => s.forEach((v, d) => (bytes[k * nd + d] = v * esizes[k]!)));
  return [nd, writeI32(shapeRegion, plan.shape), writeI32(stridesRegion, bytes)];
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
