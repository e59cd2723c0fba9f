/**
 * Fractional max pooling layers (FractionalMaxPool2d/3d). Their values, indices and gradients with
 * PyTorch's `_random_samples` are in the op table (fixtures/ops-nn.json, `F.fractionalMaxPool2d/3d`);
 * here: the layers against the functions, the structure of pooling with samples drawn from
 * Tensile's generator, and the errors.
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { Generator, Tensor, arange, rand, randn, withBackend } from "../src/core.js";
import * as nn from "../src/nn/index.js";
import { assertThrowsTensile } from "./nn-helpers.js";
import { backendsUnderTest } from "./helpers/backends.js";

const F = nn.functional;

/** A [N, C, ...spatial] input of distinct values (a shuffled ramp), so every window has one maximum. */
function distinct(shape: number[], seed: number): Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  const perm = rand([n], { generator: new Generator(seed) }).argsort();
  return perm.to("float32").mul(0.25).reshape(shape);
}

for (const backend of backendsUnderTest()) {
  const on = (fn: () => void) => () => withBackend(backend, fn);

  describe(`FractionalMaxPool2d/3d (${backend.name})`, () => {
    test("layers print, save and pool as PyTorch's modules, through the functions", on(() => {
      const x = distinct([2, 3, 9, 8], 1);
      const samples = rand([2, 3, 2], { generator: new Generator(2) });
      const m = new nn.FractionalMaxPool2d(3, { outputRatio: 0.5, returnIndices: true, randomSamples: samples });
      assert.equal(String(m), "FractionalMaxPool2d()");
      assert.deepEqual(Object.keys(m.stateDict()), []);
      const [y, i] = m.forward(x) as [Tensor, Tensor];
      const [fy, fi] = F.fractionalMaxPool2d(x, 3, { outputSize: [4, 4], returnIndices: true, randomSamples: samples });
      assert.deepEqual(y.shape, [2, 3, 4, 4]);
      assert.deepEqual(Array.from(y.dataSync()), Array.from(fy.dataSync()));
      assert.deepEqual(Array.from(i.dataSync()), Array.from(fi.dataSync()));
      const m3 = new nn.FractionalMaxPool3d([2, 2, 1], [3, 2, 4], null, false, rand([1, 2, 3]));
      assert.equal(String(m3), "FractionalMaxPool3d()");
      assert.deepEqual((m3.forward(distinct([2, 5, 4, 6], 3)) as Tensor).shape, [2, 3, 2, 4]);
    }));

    test("without randomSamples the windows come from Tensile's generator", on(() => {
      const x = distinct([2, 2, 11, 10], 4);
      const a = F.fractionalMaxPool2d(x, 2, { outputSize: [6, 5], returnIndices: true, generator: new Generator(7) });
      const b = F.fractionalMaxPool2d(x, 2, { outputSize: [6, 5], returnIndices: true, randomSamples: rand([2, 2, 2], { generator: new Generator(7) }) });
      assert.deepEqual(Array.from(a[1].dataSync()), Array.from(b[1].dataSync()), "the same samples as rand([N, C, 2]) from that generator");
      const m = new nn.FractionalMaxPool2d(2, { outputSize: [6, 5], returnIndices: true, generator: new Generator(9) });
      const [, i1] = m.forward(x) as [Tensor, Tensor];
      const [, i2] = m.forward(x) as [Tensor, Tensor];
      assert.notDeepEqual(Array.from(i1.dataSync()), Array.from(i2.dataSync()), "each forward draws new samples");
    }));

    const cases: [2 | 3, number[], number[], number[]][] = [[2, [2, 3, 11, 9], [2, 3], [6, 4]], [3, [1, 2, 9, 7, 8], [2, 2, 3], [5, 3, 4]]];
    for (const [nd, shape, k, out] of cases) {
      test(`${nd}-D windows: kernel-sized, increasing starts from 0 to size - k, values at their indices`, on(() => {
        const x = distinct(shape, 10 + nd).requiresGrad_();
        const pool = nd === 2 ? F.fractionalMaxPool2d : F.fractionalMaxPool3d;
        const [y, idx] = pool(x, k, { outputSize: out, returnIndices: true });
        assert.deepEqual(y.shape, [...shape.slice(0, 2), ...out]);
        assert.equal(idx.dtype, "int32");
        const sizes = shape.slice(2), V = sizes.reduce((p, q) => p * q, 1), L = out.reduce((p, q) => p * q, 1);
        const xs = x.detach().reshape([-1, V]).dataSync(), ys = y.detach().reshape([-1, L]).dataSync(), is = idx.reshape([-1, L]).dataSync();
        const P = xs.length / V;
        for (let p = 0; p < P; p++) {
          // per dim, the coordinates of each output's argmax lie in a window [start, start + k) with
          // start nondecreasing, 0 first and size − k last
          const coord = (flat: number, d: number) => Math.floor(flat / sizes.slice(d + 1).reduce((a, b) => a * b, 1)) % sizes[d]!;
          for (let l = 0; l < L; l++) {
            const at = is[p * L + l] as number;
            assert.equal(xs[p * V + at], ys[p * L + l], "the value at the index is the output");
          }
          for (let d = 0; d < nd; d++) {
            const stride = out.slice(d + 1).reduce((a, b) => a * b, 1);
            const lines = Array.from({ length: out[d]! }, (_, j) => is[p * L + j * stride] as number).map((f) => coord(f, d));
            assert.ok(lines[0]! < k[d]!, `first window starts at 0 (dim ${d})`);
            assert.ok(lines[out[d]! - 1]! >= sizes[d]! - k[d]!, `last window ends at the input's end (dim ${d})`);
          }
        }
        y.sum().backward();
        // each output sends its gradient to its own argmax
        assert.equal(x.grad!.sum().item(), y.numel());
      }));
    }
  });
}

describe("fractional max pooling errors", () => {
  test("errors name the layer or op and the shapes", () => {
    const x = randn([1, 2, 5, 5]);
    assertThrowsTensile(() => new nn.FractionalMaxPool2d(2), /FractionalMaxPool2d requires specifying either an output size, or a pooling ratio/);
    assertThrowsTensile(() => new nn.FractionalMaxPool2d(2, 3, 0.5), /FractionalMaxPool2d: only one of output_size and output_ratio may be specified/);
    assertThrowsTensile(() => new nn.FractionalMaxPool3d(2, { outputRatio: 1.5 }), /FractionalMaxPool3d: output_ratio must be between 0 and 1 \(got 1.5\)/);
    assertThrowsTensile(() => F.fractionalMaxPool2d(x, 2), /fractionalMaxPool2d requires specifying either an output_size or an output_ratio/);
    assertThrowsTensile(() => F.fractionalMaxPool2d(x, 2, { outputSize: 5 }), /fractionalMaxPool2d: pool height 2 too large relative to input height 5 \(output_size \[5, 5\], input \[1, 2, 5, 5\]\)/);
    assertThrowsTensile(() => F.fractionalMaxPool3d(randn([1, 1, 5, 5, 5]), 2, { outputSize: [2, 4, 2] }), /fractionalMaxPool3d: pool height 2 too large relative to input height 5/);
    assertThrowsTensile(() => F.fractionalMaxPool2d(randn([5, 5]), 2, { outputSize: 2 }), /fractionalMaxPool2d: expected 3D \(unbatched\) or 4D \(batched\) input \[N, C, H, W\], got shape \[5, 5\]/);
    assertThrowsTensile(() => F.fractionalMaxPool2d(x, 2, { outputSize: 2, randomSamples: rand([1, 1, 2]) }), /fractionalMaxPool2d: expected _random_samples of shape \[1, 2, 2\] for input \[1, 2, 5, 5\], got \[1, 1, 2\]/);
    assertThrowsTensile(() => F.fractionalMaxPool2d(arange(25).reshape([1, 1, 5, 5]), 2, { outputSize: 2 }), /fractionalMaxPool2d: expected a floating point input, got int32/);
  });
});
