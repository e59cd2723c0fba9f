/**
 * Regression tests for the pooling bugs the differential fuzzer found (/tmp/report-fuzz.md):
 * #2 max pooling windows that lie wholly in the padding (out-of-range argmax indices, a backward
 * that wrote into the neighbouring plane or past the output), #4 adaptive average pooling and
 * `interpolate(mode: "area")` where one inf/NaN poisoned every window, #9 maxPool3d splitting a
 * tied window's gradient, #17 which NaN max pooling picks. Expected values are torch 1.13's, from
 * fixtures/fuzz-fixes-pool.json (tools/gen-fuzz-fixes-pool-fixtures.py); #2 has no oracle (torch
 * 1.13 corrupts its heap there) and is checked against a naive per-window loop and the documented
 * behaviour (−∞, no gradient, returnIndices refused).
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import * as T from "../src/index.js";
import { type Tensor, getBackend, registerBackend, tensor, withBackend } from "../src/index.js";
import type { Backend } from "../src/backends/backend.js";
import { wrap } from "../src/ops/util.js";
import { type Enc, assertClose, assertThrowsTensile, dec, loadNnFixture } from "./nn-helpers.js";
import { backendsUnderTest } from "./helpers/backends.js";
import { gradcheck } from "./helpers/gradcheck.js";

const F = T.nn.functional as unknown as Record<string, (...a: unknown[]) => Tensor | [Tensor, Tensor]>;

interface Case {
  issue: string; name: string; op: string; input: Enc; args: unknown[]; options: Record<string, unknown>;
  out: Enc; idx?: Enc; gradOut: Enc; grad: Enc;
}
const fx = loadNnFixture<{ torch: string; cases: Case[] }>("fuzz-fixes-pool.json");

// The reference backend without its one-pass max pooling kernel: pooling then takes the
// gather-based path every third-party backend without maxPool2d gets.
registerBackend("reference-no-maxpool", () => {
  const ref = getBackend("reference");
  const be = Object.create(ref) as Backend;
  Object.assign(be, { name: "reference-no-maxpool", maxPool2d: undefined, maxPool2dBackward: undefined });
  return be;
});

const decodeOptions = (o: Record<string, unknown>) =>
  Object.fromEntries(Object.entries(o).map(([k, v]) => [k, v && typeof v === "object" && "shape" in v && "data" in v ? dec(v as Enc) : v]));

function runCase(c: Case): void {
  const x = dec(c.input, { requiresGrad: true });
  const r = F[c.op]!(x, ...c.args, decodeOptions(c.options));
  const [out, idx] = Array.isArray(r) ? r : [r, null];
  const tol = c.input.dtype === "float64" ? 1e-12 : 1e-5;
  assertClose(`${c.name}: value`, out, c.out, tol, tol);
  if (c.idx) {
    assert.ok(idx, `${c.name}: indices returned`);
    assert.deepEqual(Array.from(idx.dataSync()), c.idx.data, `${c.name}: indices (torch 1.13's)`);
  }
  out.mul(dec(c.gradOut)).sum().backward();
  assertClose(`${c.name}: grad`, x.grad!, c.grad, tol, tol);
}

/** Naive max pooling of [N, C, H, W]: per window, the taps inside the input (PyTorch's scan order,
 *  first maximum, any NaN taking over); −∞ and index −1 for a window without taps. */
function naiveMaxPool(x: Float64Array, [N, C, H, W]: number[], k: number[], s: number[], p: number[], d: number[], [oh, ow]: number[]) {
  const vals: number[] = [], idx: number[] = [];
  for (let pl = 0; pl < N! * C!; pl++)
    for (let y = 0; y < oh!; y++)
      for (let z = 0; z < ow!; z++) {
        let best = -Infinity, bi = -1;
        for (let i = 0; i < k[0]!; i++)
          for (let j = 0; j < k[1]!; j++) {
            const r = y * s[0]! - p[0]! + i * d[0]!, c = z * s[1]! - p[1]! + j * d[1]!;
            if (r < 0 || r >= H! || c < 0 || c >= W!) continue;
            const v = x[pl * H! * W! + r * W! + c]!;
            if (bi < 0 || v > best || Number.isNaN(v)) (best = v), (bi = r * W! + c);
          }
        vals.push(best);
        idx.push(bi);
      }
  return { vals, idx };
}

const backends = backendsUnderTest().map((b) => b.name); // includes reference-no-maxpool

for (const name of backends) {
  describe(`pooling fuzz fixes (${name})`, () => {
    const on = (f: () => void) => () => withBackend(name, f);

    const issues: [string, string][] = [["#4", "adaptive average pooling / area / antialias: only a window's own elements count"],
      ["#9", "maxPool3d gives a tied window's whole gradient to its first maximum"], ["#17", "max pooling picks the last NaN"]];
    for (const [issue, what] of issues)
      test(`${issue} ${what} (torch ${fx.torch}'s values, indices and gradients)`, on(() => {
        for (const c of fx.cases.filter((c) => c.issue === issue)) {
          // the no-maxpool backend only changes max pooling
          if (name === "reference-no-maxpool" && !/max/i.test(c.op)) continue;
          runCase(c);
        }
      }));

    test("#2 a window wholly in the padding: −∞, no gradient, nothing written into the next plane", on(() => {
      // the report's repro: planes of 3 elements; the old index 3 sent sample 0's gradient to sample 1
      const x = tensor([1, 2, 3, 4, 5, 6], { shape: [2, 1, 1, 3], requiresGrad: true });
      const y = F.maxPool2d!(x, [2, 4], { padding: [1, 1], dilation: [2, 1], ceilMode: true }) as Tensor;
      assert.deepEqual(Array.from(y.dataSync()), [-Infinity, -Infinity]);
      y.sum().backward();
      assert.deepEqual(Array.from(x.grad!.dataSync()), [0, 0, 0, 0, 0, 0]);
      // the differentiable backward (createGraph) too
      const x2 = tensor([1, 2, 3, 4], { shape: [1, 1, 1, 4], requiresGrad: true });
      const y2 = F.maxPool2d!(x2, [3, 2], { padding: [1, 1], dilation: [2, 2], ceilMode: true }) as Tensor;
      assert.deepEqual(Array.from(y2.dataSync()), [-Infinity, -Infinity, -Infinity]);
      const [g] = T.grad([y2.sum()], [x2], { createGraph: true });
      assert.deepEqual(Array.from(g!.dataSync()), [0, 0, 0, 0]);
      // 1-D and 3-D
      const x1 = tensor([[[5.5], [6.5]]], { requiresGrad: true });
      const y1 = F.maxPool1d!(x1, 2, { padding: 1, dilation: 2, ceilMode: true }) as Tensor;
      assert.deepEqual(Array.from(y1.dataSync()), [-Infinity, -Infinity]);
      y1.sum().backward();
      assert.deepEqual(Array.from(x1.grad!.dataSync()), [0, 0]);
      const x3 = T.ones([1, 1, 1, 2, 2]).requiresGrad_(true);
      const y3 = F.maxPool3d!(x3, [2, 1, 1], { padding: [1, 0, 0], dilation: [2, 1, 1], ceilMode: true }) as Tensor;
      assert.deepEqual(Array.from(y3.dataSync()), [-Infinity, -Infinity, -Infinity, -Infinity]);
      y3.sum().backward();
      assert.deepEqual(Array.from(x3.grad!.dataSync()), [0, 0, 0, 0]);
    }));

    test("#2 returnIndices refuses a window wholly in the padding (no out-of-range index leaves the op)", on(() => {
      const x = tensor([1, 2, 3, 4, 5, 6], { shape: [2, 1, 1, 3], dtype: "float32" });
      assertThrowsTensile(() => F.maxPool2d!(x, [2, 4], { padding: [1, 1], dilation: [2, 1], ceilMode: true, returnIndices: true }),
        /^maxPool2d: the pooling window at output row 0 lies entirely in the padding/, /input \[2, 1, 1, 3\]/, /dilation \[2, 1\]/);
      assertThrowsTensile(() => F.maxPool1d!(tensor([[[5.5]]]), 2, { padding: 1, dilation: 2, ceilMode: true, returnIndices: true }),
        /^maxPool1d: the pooling window at output position 0 lies entirely in the padding/, /kernel_size \[2\]/);
      assertThrowsTensile(() => F.maxPool3d!(T.ones([1, 1, 1, 2, 2]), [2, 1, 1], { padding: [1, 0, 0], dilation: [2, 1, 1], ceilMode: true, returnIndices: true }),
        /^maxPool3d: a pooling window lies entirely in the padding/);
      assertThrowsTensile(() => F.maxPool2d!(T.ones([1, 1, 0, 3]), 2, { padding: 1 }), /^maxPool2d: .*non-zero spatial size/);
    }));

    test("#2 values and indices match a naive per-window loop (dilated, padded, ceil-mode geometries)", on(() => {
      const geoms: [number[], number[], number[], number[], number[], boolean][] = [
        // shape, kernel, stride, padding, dilation, ceilMode
        [[2, 3, 1, 3], [2, 4], [2, 4], [1, 1], [2, 1], true],
        [[1, 2, 1, 4], [3, 2], [3, 2], [1, 1], [2, 2], true],
        [[2, 2, 5, 7], [3, 2], [2, 1], [1, 1], [2, 3], true],
        [[1, 3, 6, 6], [2, 2], [2, 2], [0, 0], [1, 1], false],
        [[1, 2, 7, 5], [3, 3], [2, 2], [1, 1], [1, 2], true],
      ];
      for (const [shape, k, s, p, d, ceilMode] of geoms) {
        const n = shape.reduce((a, b) => a * b, 1);
        const data = Float64Array.from({ length: n }, (_, i) => (i % 7 === 3 ? NaN : Math.round(Math.sin(i * 1.3) * 3)));
        const x = tensor(data, { shape });
        const y = F.maxPool2d!(x, k, { stride: s, padding: p, dilation: d, ceilMode }) as Tensor;
        const want = naiveMaxPool(data, shape, k, s, p, d, y.shape.slice(2));
        const got = Array.from(y.dataSync());
        want.vals.forEach((v, i) => assert.ok(Object.is(v, got[i]) || v === got[i], `${shape}/${k}: value ${i}: ${got[i]} vs ${v}`));
        if (!want.idx.includes(-1)) {
          const [, idx] = F.maxPool2d!(x, k, { stride: s, padding: p, dilation: d, ceilMode, returnIndices: true }) as [Tensor, Tensor];
          assert.deepEqual(Array.from(idx.dataSync()), want.idx, `${shape}/${k}: indices`);
        }
      }
    }));
  });
}

describe("#2 the backends' max pooling backward never writes outside a plane", () => {
  for (const be of backendsUnderTest().filter((b) => b.maxPool2dBackward)) {
    test(be.name, () => withBackend(be.name, () => {
      // planes of 4; indices −1 (an empty window), 4 and 99 (out of the plane) add nothing
      const g = tensor([1, 2, 3, 4, 10, 20, 30, 40], { shape: [2, 4] });
      const idx = tensor(Int32Array.from([-1, 4, 99, 1, 3, -5, 0, 4]), { shape: [2, 4] });
      const out = wrap(be, be.maxPool2dBackward!(g, idx, 4), [2, 4]);
      assert.deepEqual(Array.from(out.dataSync()), [0, 4, 0, 0, 30, 0, 0, 10]);
    }));
  }
});

describe("float64 gradchecks of the changed pooling paths", () => {
  const r = (shape: number[], seed: number) => {
    const n = shape.reduce((a, b) => a * b, 1);
    return tensor(Float64Array.from({ length: n }, (_, i) => Math.sin(seed + 1.7 * i + 0.31 * i * i) * 2), { shape });
  };
  test("adaptive average pooling and area interpolation with uneven windows", () => {
    gradcheck((x) => F.adaptiveAvgPool1d!(x, 4) as Tensor, r([1, 2, 11], 1), "adaptiveAvgPool1d 11→4");
    gradcheck((x) => F.adaptiveAvgPool2d!(x, [3, 4]) as Tensor, r([1, 2, 5, 7], 2), "adaptiveAvgPool2d 5x7→3x4");
    gradcheck((x) => F.adaptiveAvgPool3d!(x, [2, 3, 2]) as Tensor, r([1, 1, 3, 4, 5], 3), "adaptiveAvgPool3d");
    gradcheck((x) => F.interpolate!(x, { size: [2, 4], mode: "area" }) as Tensor, r([1, 1, 5, 7], 4), "interpolate area");
    gradcheck((x) => F.interpolate!(x, { size: [2, 3], mode: "bilinear", antialias: true }) as Tensor, r([1, 1, 3, 8], 5), "antialias bilinear");
  });
  test("maxPool3d (distinct values)", () => {
    gradcheck((x) => F.maxPool3d!(x, 2, { stride: 1, padding: 1 }) as Tensor, r([1, 2, 3, 4, 3], 6), "maxPool3d k2 s1 p1");
    gradcheck((x) => F.maxPool3d!(x, 3, { stride: 2, padding: 1, dilation: [2, 1, 1], ceilMode: true }) as Tensor, r([1, 1, 5, 4, 4], 7), "maxPool3d dilated ceil");
  });
});
