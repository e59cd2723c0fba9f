// Shared helpers for the wasm backend tests: a seeded RNG, random strided views built identically
// on the wasm and reference backends, and a tolerant comparison of their results.
import assert from "node:assert/strict";
import type { Backend, Storage, View } from "../src/backends/backend.js";
import { referenceBackend } from "../src/backends/reference/index.js";
import { wasmBackend } from "../src/backends/wasm/index.js";
import { type DType, type TypedArray, arrayFor } from "../src/tensor/dtype.js";
import { contiguousStrides } from "../src/tensor/shape.js";

export const W: Backend = wasmBackend;
export const R: Backend = referenceBackend;
export const DTYPES: DType[] = ["float32", "float64", "int32", "bool"];

/** mulberry32: small, seedable, good enough for test data. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const numel = (s: readonly number[]): number => s.reduce((a, b) => a * b, 1);
export const pick = <T>(r: () => number, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;

export interface DataOpts {
  /** Sprinkle NaN, ±Infinity and ±0 into float data. */
  specials?: boolean;
  /** Ints in [lo, hi]; floats scaled to this range. */
  lo?: number;
  hi?: number;
  /** No zeros (divisors). */
  nonzero?: boolean;
}

export function randomData(r: () => number, dtype: DType, n: number, o: DataOpts = {}): TypedArray {
  const a = arrayFor(dtype, n);
  const lo = o.lo ?? -4, hi = o.hi ?? 4;
  for (let i = 0; i < n; i++) {
    let v: number;
    if (dtype === "bool") v = r() < 0.5 ? 1 : 0;
    else if (dtype === "int32") v = lo + Math.floor(r() * (hi - lo + 1));
    else {
      v = lo + r() * (hi - lo);
      if (o.specials && r() < 0.08) v = pick(r, [NaN, Infinity, -Infinity, 0, -0, 0.5, -2.5]);
    }
    if (o.nonzero && v === 0) v = dtype === "bool" ? 1 : 1;
    a[i] = v;
  }
  return a;
}

export type Layout = "contiguous" | "transposed" | "sliced" | "broadcast";
export const LAYOUTS: Layout[] = ["contiguous", "transposed", "sliced", "broadcast"];

/** The same logical view on both backends: [wasm view, reference view]. */
export type Pair = [View, View];

/** Builds a view of `shape` with the given memory layout over fresh random storage. */
export function makePair(r: () => number, dtype: DType, shape: readonly number[], layout: Layout, o: DataOpts = {}): Pair {
  let base: number[], strides: number[], offset = 0;
  if (layout === "transposed") {
    base = [...shape].reverse();
    strides = contiguousStrides(base).reverse();
  } else if (layout === "sliced") {
    // every dim sliced 1::2 out of a storage about twice as long
    base = shape.map((d) => 2 * d + 1);
    const bs = contiguousStrides(base);
    strides = bs.map((s) => 2 * s);
    offset = bs.reduce((a, b) => a + b, 0);
  } else if (layout === "broadcast") {
    // some dims broadcast with stride 0 from a size-1 dim
    base = shape.map((d) => (r() < 0.5 ? 1 : d));
    const bs = contiguousStrides(base);
    strides = base.map((d, i) => (d === 1 ? 0 : bs[i]!));
  } else {
    base = [...shape];
    strides = contiguousStrides(shape);
  }
  const data = randomData(r, dtype, numel(base), o);
  return [
    { storage: W.fromArray(data), shape, strides, offset },
    { storage: R.fromArray(data), shape, strides, offset },
  ];
}

export const whole = (s: Storage, shape: readonly number[]): View => ({ storage: s, shape, strides: contiguousStrides(shape), offset: 0 });

export function randomShape(r: () => number, maxDims = 4, maxDim = 6): number[] {
  const nd = Math.floor(r() * (maxDims + 1));
  const shape: number[] = [];
  for (let i = 0; i < nd; i++) shape.push(r() < 0.05 ? 0 : 1 + Math.floor(r() * maxDim));
  // now and then one long dim, to cross the SIMD widths and tails
  if (nd > 0 && r() < 0.3) shape[Math.floor(r() * nd)] = 17 + Math.floor(r() * 60);
  return shape;
}

export interface Tol {
  rtol?: number;
  atol?: number;
}

/** Elementwise equality up to tolerance; NaN equals NaN, infinities must match exactly. */
export function assertClose(actual: TypedArray, expected: TypedArray, tol: Tol, what: string): void {
  assert.equal(actual.constructor, expected.constructor, `${what}: dtype`);
  assert.equal(actual.length, expected.length, `${what}: length`);
  const rtol = tol.rtol ?? 0, atol = tol.atol ?? 0;
  for (let i = 0; i < actual.length; i++) {
    const a = actual[i]!, e = expected[i]!;
    if (Object.is(a, e) || a === e) continue;
    if (Number.isNaN(a) && Number.isNaN(e)) continue;
    const ok = Number.isFinite(a) && Number.isFinite(e) && Math.abs(a - e) <= atol + rtol * Math.abs(e);
    if (!ok) assert.fail(`${what}: element ${i} is ${a}, reference ${e} (rtol ${rtol}, atol ${atol})`);
  }
}

/** Reads a whole result storage of the given shape. */
export const readAll = (b: Backend, s: Storage, shape: readonly number[]): TypedArray => b.read(whole(s, shape));
