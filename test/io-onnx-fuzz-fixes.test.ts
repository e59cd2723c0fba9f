// Regressions from the ONNX export fuzzer (tools/fuzz/onnx-fuzz.mts): each model was a minimised
// failing case, exported wrongly, crashing or refused without cause. Each is exported on both
// backends, run in ONNX Runtime (onnxruntime-web) at other sizes than the example's and compared
// with Tensile's forward; the cases ONNX cannot hold must be refused, naming the layer.
import assert from "node:assert/strict";
import { test } from "node:test";
import { F, type Tensor, io, manualSeed, nn, noGrad, randn, withBackend } from "../src/index.js";
import { assertThrowsTensile } from "./nn-helpers.js";
import { assertMatches, Fn, runOnnx } from "./helpers/onnx.js";

type Options = Parameters<typeof io.exportOnnxBytes>[2];
interface Case { model: nn.Module; example: Tensor; input: Tensor; options?: Options }

/** Builds the case on each backend, exports it there, runs the bytes on `input` and compares every output. */
async function onBoth(what: string, make: () => Case): Promise<void> {
  for (const backend of ["wasm", "reference"] as const) {
    const { bytes, want, input } = withBackend(backend, () => {
      manualSeed(7);
      const c = make();
      const bytes = io.exportOnnxBytes(c.model, c.example, c.options);
      c.model.eval();
      const out = noGrad(() => c.model.forward(c.input)) as Tensor | Tensor[];
      return { bytes, want: Array.isArray(out) ? out : [out], input: c.input };
    });
    const got = await runOnnx(bytes, { input });
    want.forEach((w, i) => assertMatches(`${what} (${backend}) output ${i}`, got[want.length === 1 ? "output" : `output_${i}`]!, w));
  }
}

test("ceil mode: PyTorch drops a last window that starts past the input, ONNX keeps it; per dim, mixed dims padded", async () => {
  // [N, 2, 1, 6] with kernel 1, stride 2: ONNX's ceil mode gives 4 columns, PyTorch's 3 (the 4th would start at 6)
  await onBoth("MaxPool2d(1, stride 2, ceil)", () => ({ model: new nn.MaxPool2d(1, { stride: 2, ceilMode: true }), example: randn(2, 2, 1, 6), input: randn(3, 2, 1, 6) }));
  await onBoth("MaxPool3d dilated, ceil", () => ({ model: new nn.MaxPool3d(1, { stride: 2, dilation: 2, ceilMode: true }), example: randn(3, 4, 4, 4, 2), input: randn(1, 4, 4, 4, 2) }));
  await onBoth("AvgPool1d(1, stride 2, ceil)", () => ({ model: new nn.AvgPool1d(1, { stride: 2, ceilMode: true }), example: randn(2, 4, 6), input: randn(1, 4, 6) }));
  await onBoth("AvgPool2d padded, ceil, counting the padding", () => ({
    model: new nn.AvgPool2d(2, { stride: 2, padding: 1, ceilMode: true, countIncludePad: true }), example: randn(1, 5, 4, 3), input: randn(4, 5, 4, 3),
  }));
  await onBoth("F.maxPool2d / F.avgPool2d, ceil", () => ({
    model: new Fn((x) => F.maxPool2d(x, 1, { stride: 2, ceilMode: true }).add(F.avgPool2d(x, 1, { stride: 2, ceilMode: true }))), example: randn(2, 3, 5, 6), input: randn(3, 3, 5, 6),
  }));
  // 5 rows keep ceil mode's extra window (ONNX's ceil size), 6 columns drop it (the floor size): one ceil_mode cannot say both
  await onBoth("MaxPool2d with dims that disagree, and its indices", () => {
    const pool = new nn.MaxPool2d([2, 1], { stride: 2, ceilMode: true, returnIndices: true });
    return { model: new Fn((x) => (pool.forward(x) as Tensor[])[0]!.add((pool.forward(x) as Tensor[])[1]!.float()), { pool }), example: randn(2, 3, 5, 6), input: randn(3, 3, 5, 6) };
  });
  await onBoth("AvgPool2d with dims that disagree, not counting padding", () => ({
    model: new nn.AvgPool2d([2, 1], { stride: 2, ceilMode: true, countIncludePad: false }), example: randn(2, 3, 5, 6), input: randn(3, 3, 5, 6),
  }));
  assert.deepEqual((new nn.MaxPool2d(1, { stride: 2, ceilMode: true }).forward(randn(1, 1, 1, 6)) as Tensor).shape, [1, 1, 1, 3]);
  assertThrowsTensile(() => io.exportOnnxBytes(new nn.AvgPool2d([2, 1], { stride: 2, ceilMode: true }), randn(2, 3, 5, 6)),
    /^exportOnnx: AvgPool2d with ceilMode on input \[2, 3, 5, 6\] keeps the last partial window in some dims and not in others/);
});

test("max pooling with a window wholly in the padding (−∞ in PyTorch, −3.4e38 in ONNX Runtime) is refused", () => {
  const pool = new nn.MaxPool1d(2, { stride: 1, padding: 1, dilation: 2 });
  assert.equal((pool.forward(randn(1, 2, 1)) as Tensor).dataSync()[0], -Infinity);
  assertThrowsTensile(() => io.exportOnnxBytes(pool, randn(2, 3, 1)), /^exportOnnx: MaxPool1d on input \[2, 3, 1\] has a window wholly in the padding \(dim of size 1, kernel 2, padding 1, dilation 2\)/);
  assertThrowsTensile(() => io.exportOnnxBytes(new Fn((x) => F.maxPool2d(x, 2, { stride: 1, padding: 1, dilation: 2 })), randn(1, 1, 1, 4)), /^exportOnnx: F\.maxPool2d on input/);
});

test("a zero pad before max pooling keeps its zeros in ONNX Runtime (whose Pad fusion would pool them as −∞)", async () => {
  // all-negative values: the windows at the border pick the pad's 0 in PyTorch
  const negative = (...shape: number[]) => randn(...shape).abs().add(0.1).neg();
  await onBoth("ZeroPad2d → MaxPool2d", () => ({ model: new nn.Sequential(new nn.ZeroPad2d([1, 2, 1, 0]), new nn.MaxPool2d(2)), example: negative(2, 3, 5, 6), input: negative(3, 3, 5, 6) }));
  await onBoth("ConstantPad1d(0) → AdaptiveMaxPool1d", () => ({ model: new nn.Sequential(new nn.ConstantPad1d(2, 0), new nn.AdaptiveMaxPool1d(2)), example: negative(2, 3, 6), input: negative(1, 3, 6) }));
});

test("Flatten from a dim other than 1 (ONNX's Flatten is always 2-D), F.adaptiveAvgPool2d, LocalResponseNorm on 2-D/3-D/5-D input", async () => {
  await onBoth("Flatten(2)", () => ({ model: new nn.Sequential(new nn.Conv2d(2, 4, 3), new nn.Flatten(2), new nn.Tanh()), example: randn(1, 2, 6, 6), input: randn(3, 2, 6, 6) }));
  await onBoth("Flatten(-2)", () => ({ model: new nn.Flatten(-2), example: randn(2, 7, 3, 1), input: randn(4, 7, 3, 1) }));
  // F.adaptiveAvgPool2d crashed (a TypeError) before reaching its adaptive branch
  await onBoth("F.adaptiveAvgPool2d", () => ({
    model: new Fn((x) => F.adaptiveAvgPool2d(x, [1, 2]).add(F.adaptiveAvgPool2d(x, 1))), example: randn(2, 3, 4, 6), input: randn(5, 3, 4, 6),
  }));
  // ONNX Runtime's LRN takes 4-D input only
  for (const shape of [[4, 7], [6, 7], [4, 3, 2, 3]])
    await onBoth(`LocalResponseNorm on [N, ${shape}]`, () => ({ model: new nn.LocalResponseNorm(3, { alpha: 0.5, k: 1.5 }), example: randn(2, ...shape).mul(3), input: randn(3, ...shape).mul(3) }));
  assertThrowsTensile(() => io.exportOnnxBytes(new nn.LocalResponseNorm(2), randn(2, 4, 5)), /^exportOnnx: LocalResponseNorm with an even size \(2\)/);
});

test("x.pow(2) and x.pow(3), recorded with x alone, become products; pow by a tensor stays Pow; rsqrt and sign", async () => {
  await onBoth("pow", () => {
    const fc = new nn.Linear(4, 5);
    return {
      model: new Fn((x, m) => {
        const h = m.kid<nn.Linear>("fc").forward(x);
        return h.pow(2).add(h.pow(3)).sub(h.abs().pow(0.5)).add(h.sigmoid().pow(h)).add(h.abs().add(0.5).rsqrt()).add(h.sign());
      }, { fc }),
      example: randn(2, 4), input: randn(6, 4),
    };
  });
});

test("copies the layout needs at one batch size and not another (a transposed state at batch 1) leave the graph the same", async () => {
  await onBoth("GRU h_n.transpose(0, 1).flatten(1), traced at batch 1", () => {
    const gru = new nn.GRU(4, 3, { numLayers: 2 });
    return {
      model: new Fn((x, m) => (m.kid<nn.GRU>("gru").forward(x.transpose(0, 1)) as [Tensor, Tensor])[1].transpose(0, 1).flatten(1), { gru }),
      example: randn(1, 5, 4), input: randn(3, 5, 4),
    };
  });
  // a model whose every layer is an eval-mode dropout returns its input: an Identity
  await onBoth("eval-mode Dropout2d alone", () => ({ model: new nn.Sequential(new nn.Dropout2d(0.3), new nn.Dropout(0.2)), example: randn(2, 3, 2, 2), input: randn(1, 3, 2, 2) }));
});

test("sizes taken from the input at run time: a size-1 dim expanded to the batch, reshapes with two free dims; broadcasting matmul", async () => {
  // MultiheadAttention's bias_k / bias_v [1, 1, E] are expanded to the batch
  await onBoth("MultiheadAttention(addBiasKv)", () => {
    const mha = new nn.MultiheadAttention(6, 2, { addBiasKv: true, batchFirst: true });
    return { model: new Fn((x, m) => m.kid<nn.MultiheadAttention>("mha").forward(x, x, x)[0], { mha }), example: randn(2, 4, 6), input: randn(3, 4, 6) };
  });
  // x.matmul(W.t()) on a batched x: matmul records a broadcast of W that nothing reads
  await onBoth("3-D x.matmul(W.t())", () => {
    const fc = new nn.Linear(5, 3);
    return { model: new Fn((x, m) => x.matmul(m.kid<nn.Linear>("fc").weight.t()), { fc }), example: randn(2, 4, 5), input: randn(3, 4, 5) };
  });
  // batch and sequence length both free: the attention's reshapes follow two dims
  await onBoth("TransformerEncoderLayer with free batch and length", () => {
    const layer = new nn.TransformerEncoderLayer(8, 2, { dimFeedforward: 12, batchFirst: true });
    return { model: layer, example: randn(2, 5, 8), input: randn(3, 7, 8), options: { dynamicAxes: { input: [0, 1], output: [0, 1] } } };
  });
  // a pooled width that equals the batch size in the first two runs (width 3 − 1 and batch 2, then 4 − 1 and 3)
  await onBoth("a reshape whose entry only matches the batch by chance", () => ({
    model: new nn.Sequential(new nn.AvgPool2d(2, { stride: 1, ceilMode: true, countIncludePad: false }), new nn.Unflatten(1, [3, 2])),
    example: randn(2, 6, 2, 3), input: randn(4, 6, 2, 4), options: { dynamicAxes: { input: [0, 3], output: [0, 4] } },
  }));
});

test("what a free dim would change inside a node is refused, and so is a model that fails on the check run's input", () => {
  // length 3 drops ceil mode's last window (ceil_mode 0), length 4 has none to drop (ceil_mode 1)
  assertThrowsTensile(() => io.exportOnnxBytes(new nn.AvgPool1d(2, { stride: 2, padding: 1, ceilMode: true }), randn(2, 3, 3), { dynamicAxes: { input: [0, 2], output: [0] } }),
    /^exportOnnx: the AveragePool node's ceil_mode \(0\) changes with the size of the input's free dims \(1 on the check run\)/);
  assertThrowsTensile(() => io.exportOnnxBytes(new nn.Linear(4, 2), randn(2, 4), { dynamicAxes: { input: [0, 1] } }),
    /^exportOnnx: the model failed on the check run's input \[3, 5\] \(its free dims one larger than the example's\): linear: /);
  assertThrowsTensile(() => io.exportOnnxBytes(new nn.Upsample({ scaleFactor: 1.5, mode: "nearest", recomputeScaleFactor: true }), randn(2, 3, 4), { dynamicAxes: { input: [0, 2] } }),
    /^exportOnnx: the constant shape_\d+ \(6\) follows the batch size \(or another free dim\)/);
});
