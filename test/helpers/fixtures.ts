/**
 * Reads the PyTorch fixtures written by tools/gen-torch-fixtures.py (format in that script's
 * docstring) and turns their tensor specs into Tensile tensors.
 */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { type DType, Tensor, tensor, withBackend } from "../../src/core.js";
import type { Backend } from "../../src/backends/backend.js";

export interface TensorSpec {
  shape: number[];
  dtype?: DType;
  data: (number | boolean | string)[];
  requiresGrad?: boolean;
  view?: unknown[][];
}
export interface Sample {
  name: string;
  op: string;
  args: unknown[];
  outputs: TensorSpec[];
  gradOutput: TensorSpec | null;
  grads: (TensorSpec | null)[];
  gradcheck?: boolean;
  rtol?: number;
  atol?: number;
  checkArgsAfter?: { arg: number; shape: number[]; data: (number | string)[] }[];
}

export function loadFixture(name: string): { samples: Sample[]; torch: string } {
  const p = fileURLToPath(new URL(`../../fixtures/${name}`, import.meta.url));
  return JSON.parse(readFileSync(p, "utf8"));
}

export const decode = (v: number | boolean | string): number =>
  v === "nan" ? NaN : v === "inf" ? Infinity : v === "-inf" ? -Infinity : typeof v === "boolean" ? (v ? 1 : 0) : Number(v);

function applyView(t: Tensor, steps: unknown[][]): Tensor {
  for (const [kind, ...a] of steps) {
    if (kind === "transpose") t = t.transpose(a[0] as number, a[1] as number);
    else if (kind === "permute") t = t.permute(a[0] as number[]);
    else if (kind === "index") t = t.index(a[0] as (number | string | null)[]);
    else if (kind === "expand") t = t.expand(a[0] as number[]);
    else throw new Error(`fixture: unknown view step ${String(kind)}`);
  }
  return t;
}

export function makeTensor(spec: TensorSpec, dtypeOverride?: (d: DType) => DType): { leaf: Tensor; value: Tensor } {
  const dtype = dtypeOverride ? dtypeOverride(spec.dtype ?? "float32") : spec.dtype ?? "float32";
  const flat = spec.data.map(decode);
  const arr = dtype === "float64" ? Float64Array.from(flat) : dtype === "int32" ? Int32Array.from(flat) : dtype === "bool" ? Uint8Array.from(flat) : Float32Array.from(flat);
  const leaf = tensor(arr, { shape: spec.shape, dtype });
  if (spec.requiresGrad) leaf.requiresGrad = true;
  return { leaf, value: spec.view ? applyView(leaf, spec.view) : leaf };
}

/** Builds call arguments; `leaves` collects requiresGrad leaves in depth-first order. */
export function buildArgs(args: unknown[], leaves: Tensor[], dtypeOverride?: (d: DType) => DType): unknown[] {
  const conv = (a: unknown): unknown => {
    if (Array.isArray(a)) return a.map(conv);
    if (a && typeof a === "object") {
      if ("$t" in a) {
        const { leaf, value } = makeTensor((a as { $t: TensorSpec }).$t, dtypeOverride);
        if (leaf.requiresGrad) leaves.push(leaf);
        return value;
      }
      return Object.fromEntries(Object.entries(a).map(([k, v]) => [k, conv(v)]));
    }
    return a;
  };
  return args.map(conv);
}

export function assertClose(name: string, actual: Tensor, expected: TensorSpec, rtol: number, atol: number): void {
  if (actual.shape.length !== expected.shape.length || actual.shape.some((d, i) => d !== expected.shape[i]))
    throw new Error(`${name}: shape [${actual.shape}] != expected [${expected.shape}]`);
  if (expected.dtype && actual.dtype !== expected.dtype) throw new Error(`${name}: dtype ${actual.dtype} != expected ${expected.dtype}`);
  const got = actual.dataSync();
  const want = expected.data.map(decode);
  for (let i = 0; i < want.length; i++) {
    const a = Number(got[i]), e = want[i]!;
    // an infinite expectation must be met exactly (|a − ∞| ≤ rtol·∞ would accept anything finite)
    if (Number.isNaN(e) ? !Number.isNaN(a) : !Number.isFinite(e) ? a !== e : !(a === e || Math.abs(a - e) <= atol + rtol * Math.abs(e)))
      throw new Error(`${name}: element ${i}: got ${a}, expected ${e} (rtol ${rtol}, atol ${atol})`);
  }
}

export function onBackend<R>(b: Backend, fn: () => R): R {
  return withBackend(b, fn);
}
