/** Shared helpers of the nn tests: reading fixtures/nn-*.json (written by tools/gen-nn-fixtures.py). */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { Tensor, tensor } from "../src/core.js";

export interface Enc {
  shape: number[];
  dtype: "float32" | "float64" | "int32" | "bool";
  data: (number | "nan" | "inf" | "-inf")[];
}

const num = (v: number | string): number => (typeof v === "number" ? v : v === "nan" ? NaN : v === "inf" ? Infinity : -Infinity);

export function loadNnFixture<T = any>(name: string): T {
  return JSON.parse(readFileSync(new URL(`../fixtures/${name}`, import.meta.url), "utf8")) as T;
}

/** The tensor a fixture entry describes (same dtype and shape). */
export function dec(e: Enc, opts: { requiresGrad?: boolean } = {}): Tensor {
  const values = e.data.map(num);
  const data = e.dtype === "int32" ? Int32Array.from(values) : e.dtype === "float64" ? Float64Array.from(values)
    : e.dtype === "bool" ? Uint8Array.from(values) : Float32Array.from(values);
  return tensor(data, { shape: e.shape, dtype: e.dtype, requiresGrad: opts.requiresGrad });
}

/** Asserts same shape and |a − e| ≤ atol + rtol·|e| elementwise, naming the first bad index. */
export function assertClose(what: string, actual: Tensor, expected: Enc, rtol = 1e-5, atol = 1e-6): void {
  assert.deepEqual([...actual.shape], expected.shape, `${what}: shape`);
  const a = actual.dataSync();
  expected.data.map(num).forEach((e, i) => {
    const v = a[i]!;
    const ok = Number.isNaN(e) ? Number.isNaN(v) : !Number.isFinite(e) ? v === e : v === e || Math.abs(v - e) <= atol + rtol * Math.abs(e);
    if (!ok) assert.fail(`${what}: element ${i} is ${v}, PyTorch has ${e} (rtol ${rtol}, atol ${atol})`);
  });
}

/** Runs `fn` and asserts it throws a TensileError whose message matches every pattern. */
export function assertThrowsTensile(fn: () => unknown, ...patterns: RegExp[]): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof Error && err.name === "TensileError", `expected a TensileError, got ${String(err)}`);
    for (const p of patterns) assert.match(err.message, p);
    return true;
  });
}
