// The model-zoo checks shared by test/models-*.test.ts: torchvision's state-dict structure and
// eval-mode logits after every floating-point state-dict entry was set from the formula that
// tools/gen-models-fixtures.py uses (same IEEE operations in the same order), so no weights ship.
import { test } from "node:test";
import assert from "node:assert/strict";
import { type Tensor, manualSeed, noGrad, setBackend, tensor } from "../../src/core.js";
import type { Module } from "../../src/nn/module.js";
import * as nn from "../../src/nn/index.js";
import * as models from "../../src/models/index.js";

/** One fixture case: a torchvision builder, its Tensile name and options, and what torchvision gave. */
export interface ZooCase {
  torchvision: string; name: string; options: Record<string, unknown>; size: number;
  keys: string[]; numParams: number; dropouts: number[]; logits: number[];
}

/** The builder `models[name]`. */
export const ctor = (name: string) => {
  const f = (models as unknown as Record<string, (o: Record<string, unknown>) => Module>)[name];
  assert.ok(typeof f === "function", `models.${name} is not a builder`);
  return f;
};
const parseKey = (s: string): [string, number[]] => {
  const i = s.lastIndexOf(":");
  return [s.slice(0, i), s.slice(i + 1) === "" ? [] : s.slice(i + 1).split(",").map(Number)];
};
/** "key:d0,d1,..." for every state-dict entry, in order (the fixtures' format). */
export const keysOf = (m: Module) => Object.entries(m.stateDict()).map(([k, v]) => `${k}:${v.shape.join(",")}`);
export const countParams = (m: Module) => m.parameters().reduce((s, p) => s + p.numel(), 0);

/** The generator's formula (tools/gen-models-fixtures.py); integer buffers keep their own values. */
export function formulaStateDict(m: Module, keys: string[]): Record<string, Tensor> {
  const own = m.stateDict();
  const out: Record<string, Tensor> = {};
  keys.forEach((s, k) => {
    const [key, shape] = parseKey(s);
    const mine = own[key];
    if (mine && !mine.dtype.startsWith("float")) {
      out[key] = mine;
      return;
    }
    const n = shape.reduce((a, b) => a * b, 1);
    const data = new Float32Array(n);
    const scale = shape.length >= 2 ? Math.sqrt(6 / (n / shape[0]!)) : 0;
    for (let i = 0; i < n; i++) {
      const u = (((i * 7919 + k * 104729 + 17) % 2003) - 1001) / 1001;
      data[i] = shape.length >= 2 ? u * scale : key.endsWith("running_var") ? 0.75 + 0.25 * u : key.endsWith("weight") ? 1 + 0.2 * u : 0.1 * u;
    }
    out[key] = tensor(data, { shape });
  });
  return out;
}

/** The generator's fixed input [1, 3, size, size]. */
export function modelInput(size: number): Tensor {
  const n = 3 * size * size, data = new Float32Array(n);
  for (let i = 0; i < n; i++) data[i] = (((i * 31 + 7) % 97) - 48) / 48;
  return tensor(data, { shape: [1, 3, size, size] });
}

/** Worst |a − e| / max|e| over the logits. */
export function relErr(actual: Tensor, expected: number[]): number {
  const a = actual.dataSync(), scale = Math.max(...expected.map(Math.abs));
  return Math.max(...expected.map((e, i) => Math.abs(a[i]! - e))) / scale;
}

export const caseName = (c: ZooCase) => `${c.name}(${JSON.stringify(c.options)})`;

/** State-dict keys, shapes and order, parameter count and dropout probabilities equal torchvision's. */
export function checkStructure(c: ZooCase, m: Module): void {
  assert.deepEqual(keysOf(m), c.keys, `${caseName(c)}: state-dict keys and shapes`);
  assert.equal(countParams(m), c.numParams, `${caseName(c)}: parameter count`);
  const dropouts = m.modules().filter((d) => d instanceof nn.Dropout).map((d) => (d as nn.Dropout).p);
  assert.deepEqual(dropouts, c.dropouts, `${caseName(c)}: dropout probabilities`);
}

// float32 through up to 150 layers: torchvision's and Tensile's kernels sum in different orders.
export const ZOO_TOL = 2e-4;

/** Loads the formula weights, runs eval-mode forward on the fixed input, returns the relative error. */
export function checkLogits(c: ZooCase, m: Module, tol = ZOO_TOL): number {
  m.loadStateDict(formulaStateDict(m, c.keys));
  m.eval();
  const y = noGrad(() => m.forward(modelInput(c.size)) as Tensor);
  assert.deepEqual([...y.shape], [1, c.logits.length], `${caseName(c)}: output shape`);
  const err = relErr(y, c.logits);
  assert.ok(err <= tol, `${caseName(c)}: logits differ from torchvision by ${err.toExponential(2)} of max|logit| (tolerance ${tol})`);
  return err;
}

/**
 * One test per case on the wasm backend: structure, then logits. Names in `heavy` are built with
 * `nn.utils.skipInit` (their random initialisation alone takes seconds; the formula overwrites it).
 */
export function zooCaseTests(cases: ZooCase[], heavy: ReadonlySet<string> = new Set()): void {
  for (const c of cases) {
    test(caseName(c), (t) => {
      setBackend("wasm");
      manualSeed(0);
      const m = heavy.has(c.name) ? nn.utils.skipInit(() => ctor(c.name)(c.options)) : ctor(c.name)(c.options);
      checkStructure(c, m);
      t.diagnostic(`max |logit − torchvision| / max |logit| = ${checkLogits(c, m).toExponential(2)}`);
    });
  }
}
