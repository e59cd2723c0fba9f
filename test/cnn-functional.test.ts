/**
 * Convolution, pooling and normalisation beyond the PyTorch value fixtures: bad-input errors,
 * second derivatives (createGraph) by finite differences, pooling indices, channel dropout,
 * agreement of the backends on whole models, eval-mode batch independence, and a few training
 * steps of LeNet-5 that must lower the loss.
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import {
  type Tensor, getBackend, grad, listBackends, manualSeed, noGrad, ones, randint, randn, tensor, withBackend, zeros,
} from "../src/core.js";
import * as nn from "../src/nn/index.js";
import * as models from "../src/models/index.js";
import { SGD } from "../src/optim/index.js";
import { assertThrowsTensile } from "./nn-helpers.js";

const F = nn.functional;

describe("bad inputs throw TensileErrors naming the op and the shapes", () => {
  const x = randn([1, 4, 5, 5]);
  test("conv", () => {
    assertThrowsTensile(() => F.conv2d(x, randn([16, 3, 3, 3])), /^conv2d: /, /input \[1, 4, 5, 5\]/, /3 channels/, /weight \[16, 3, 3, 3\]/, /got 4 channels/);
    assertThrowsTensile(() => F.conv2d(randn([1, 3, 2, 2]), randn([16, 3, 3, 3])), /conv2d: calculated padded input size per channel \[2, 2\]/, /kernel size \[3, 3\]/);
    assertThrowsTensile(() => F.conv2d(x, randn([2, 4, 3, 3]), null, { stride: 2, padding: "same" }), /conv2d: padding='same' is not supported for strided/);
    assertThrowsTensile(() => F.conv2d(x, randn([2, 4, 3])), /conv2d: weight should be 4-D/);
    assertThrowsTensile(() => F.conv2d(x, randn([2, 4, 3, 3], { dtype: "float64" })), /conv2d: input type \(float32\), weight type \(float64\)/);
    assertThrowsTensile(() => F.conv2d(x, randn([2, 4, 3, 3]), randn([3])), /conv2d: expected bias of shape \[2\], got \[3\]/);
    assertThrowsTensile(() => F.conv2d(x, randn([3, 2, 3, 3]), null, { groups: 2 }), /out_channels \(3\) must be divisible by groups \(2\)/);
    assertThrowsTensile(() => F.conv2d(x, randn([2, 4, 3, 3]), null, { stride: 0 }), /conv2d: non-positive stride/);
    assertThrowsTensile(() => F.conv2d(x, randn([2, 4, 3, 3]), null, { padding: -1 }), /conv2d: negative padding/);
    assertThrowsTensile(() => F.conv1d(x, randn([2, 4, 3])), /conv1d: expected 2D \(unbatched\) or 3D \(batched\) input \[N, C, L\], but got input of size \[1, 4, 5, 5\]/);
    assertThrowsTensile(() => F.convTranspose2d(x, randn([4, 2, 3, 3]), null, { stride: 2, outputPadding: 2 }), /convTranspose2d: output padding must be smaller than either stride or dilation/);
    assertThrowsTensile(() => new nn.Conv2d(3, 4, 3, { groups: 2 }), /Conv2d: in_channels \(3\) must be divisible by groups \(2\)/);
    assertThrowsTensile(() => new nn.ConvTranspose2d(2, 2, 3, { stride: 2, padding: 1 }).forward(randn([1, 2, 3, 3]), [9, 9]), /ConvTranspose2d: requested an output size of \(9, 9\), but valid sizes range from \(5, 5\) to \(6, 6\)/);
  });
  test("pooling", () => {
    assertThrowsTensile(() => F.maxPool2d(randn([1, 1, 1, 1]), 2), /^maxPool2d: output size is too small \(computed \[0, 0\] from input \[1, 1, 1, 1\]/);
    assertThrowsTensile(() => F.maxPool2d(x, 2, { padding: 2 }), /maxPool2d: pad should be at most half of kernel size, but got pad=\[2, 2\] and kernel_size=\[2, 2\]/);
    assertThrowsTensile(() => F.maxPool1d(x, 2), /maxPool1d: expected 2D \(unbatched\) or 3D \(batched\) input/);
    assertThrowsTensile(() => F.avgPool2d(x, 2, { divisorOverride: 0 }), /avgPool2d: divisor must be not zero/);
    assertThrowsTensile(() => F.adaptiveAvgPool2d(x, [1, 2, 3]), /adaptiveAvgPool2d: output_size must be/);
    assertThrowsTensile(() => F.maxPool2d(x.to("int32"), 2), /maxPool2d: expected a floating point input, got int32/);
  });
  test("normalisation", () => {
    assertThrowsTensile(() => F.batchNorm(randn([1, 3]), zeros([3]), ones([3]), { training: true }), /batchNorm: expected more than 1 value per channel when training, got input size \[1, 3\]/);
    assertThrowsTensile(() => F.batchNorm(x, null, null), /batchNorm: running_mean and running_var must be defined in evaluation mode/);
    assertThrowsTensile(() => F.batchNorm(x, zeros([3]), ones([4])), /batchNorm: expected running_mean of shape \[4\] for input \[1, 4, 5, 5\], got \[3\]/);
    assertThrowsTensile(() => new nn.BatchNorm2d(4).forward(randn([2, 4, 5])), /BatchNorm2d: expected 4D input \(got 3D input/);
    assertThrowsTensile(() => new nn.BatchNorm1d(4).forward(x), /BatchNorm1d: expected 2D or 3D input \(got 4D input/);
    assertThrowsTensile(() => F.groupNorm(x, 3), /groupNorm: expected number of channels in input \[1, 4, 5, 5\] to be divisible by num_groups, but got 4 channels and num_groups=3/);
    assertThrowsTensile(() => F.layerNorm(x, [4, 5]), /layerNorm: given normalized_shape=\[4, 5\], expected input with shape \[\*, 4, 5\], but got input of size \[1, 4, 5, 5\]/);
  });
  test("resizing, unfold/fold, models", () => {
    assertThrowsTensile(() => F.interpolate(x, { size: 4, scaleFactor: 2 }), /interpolate: only one of size or scale_factor/);
    assertThrowsTensile(() => F.interpolate(x), /interpolate: either size or scale_factor/);
    assertThrowsTensile(() => F.interpolate(randn([1, 2, 5]), { size: 4, mode: "bilinear" }), /interpolate: got 3D input of shape \[1, 2, 5\], but bilinear mode needs 4D input/);
    assertThrowsTensile(() => F.interpolate(x, { size: 4, mode: "linear" }), /interpolate: got 4D input of shape \[1, 4, 5, 5\], but linear mode needs 3D input/);
    assertThrowsTensile(() => F.interpolate(x, { size: 4, mode: "trilinear" }), /interpolate: got 4D input .*, but trilinear mode needs 5D input/);
    assertThrowsTensile(() => F.interpolate(randn([1, 1, 2, 2, 2]), { size: 4, mode: "bicubic" }), /interpolate: got 5D input .*, but bicubic mode needs 4D input/);
    assertThrowsTensile(() => F.interpolate(randn([2, 5]), { size: 4 }), /interpolate: only 3D, 4D and 5D input tensors .* supported for mode "nearest", got 2D input of shape \[2, 5\]/);
    assertThrowsTensile(() => F.interpolate(x, { size: 4, mode: "cubic" as never }), /interpolate: unknown mode "cubic" \(expected one of "nearest", "linear"/);
    assertThrowsTensile(() => F.interpolate(x, { size: 4, alignCorners: true }), /interpolate: align_corners option can only be set with the interpolating modes: linear \| bilinear \| bicubic \| trilinear \(got mode "nearest"\)/);
    for (const mode of ["area", "nearest-exact"] as const)
      assertThrowsTensile(() => F.interpolate(x, { size: 4, mode, alignCorners: false }), new RegExp(`align_corners option can only be set .*got mode "${mode}"`));
    assertThrowsTensile(() => F.interpolate(x, { size: [4, 4, 4] }), /interpolate: input and size must have the same number of spatial dimensions, but got input with spatial dimensions of \[5, 5\] and size \[4, 4, 4\]/);
    assertThrowsTensile(() => F.interpolate(x, { scaleFactor: [2] }), /interpolate: input and scale_factor must have the same number of spatial dimensions/);
    assertThrowsTensile(() => F.interpolate(x, { size: 4, recomputeScaleFactor: true }), /interpolate: recompute_scale_factor is not meaningful with an explicit size/);
    assertThrowsTensile(() => F.interpolate(x, { size: 4, mode: "nearest", antialias: true }), /interpolate: anti-alias option is only supported for bilinear and bicubic modes on 4D input, got mode "nearest"/);
    assertThrowsTensile(() => F.interpolate(randn([1, 2, 5]), { size: 4, mode: "linear", antialias: true }), /anti-alias option is only supported .* got mode "linear"/);
    assertThrowsTensile(() => F.interpolate(x, { scaleFactor: 0.1 }), /interpolate: input and output sizes should be greater than 0, but got input \[5, 5\] and output \[0, 0\]/);
    assertThrowsTensile(() => F.interpolate(x, { scaleFactor: -2 }), /interpolate: scale_factor must be positive, got -2/);
    assertThrowsTensile(() => new nn.Upsample({ size: 4, mode: "trilinear" }).forward(x), /interpolate: got 4D input .*, but trilinear mode needs 5D input/);
    assertThrowsTensile(() => F.gridSample(x, randn([1, 2, 2, 2]), { mode: "cubic" as never }), /gridSample: mode must be "bilinear", "nearest" or "bicubic", got "cubic"/);
  });
  test("interpolate: recomputeScaleFactor samples as the recomputed size; area ignores the factor", () => {
    const x = randn([2, 3, 5, 7]);
    const same = (a: Tensor, b: Tensor) => assert.deepEqual([...a.dataSync()], [...b.dataSync()]);
    same(new nn.Upsample({ scaleFactor: 1.7, mode: "bicubic", recomputeScaleFactor: true }).forward(x), F.interpolate(x, { size: [8, 11], mode: "bicubic" }));
    same(F.interpolate(x, { scaleFactor: [0.5, 0.6], mode: "area" }), F.interpolate(x, { size: [2, 4], mode: "area" }));
    // without recomputing, the step is 1/scaleFactor, not in/out: 5 → 8 rows sampled at (i + ½)/1.7 − ½
    const plain = F.interpolate(x, { scaleFactor: 1.7, mode: "bicubic" });
    assert.notDeepEqual([...plain.dataSync()], [...F.interpolate(x, { size: [8, 11], mode: "bicubic" }).dataSync()]);
    assertThrowsTensile(() => F.unfold(randn([4, 5]), 2), /unfold: expected 3D \(unbatched\) or 4D \(batched\) input/);
    assertThrowsTensile(() => F.fold(randn([1, 8, 8]), [4, 4], 2), /fold: .*calculated number of sliding blocks 3 \* 3 = 9, but got input.size\(2\)=8/);
    assertThrowsTensile(() => models.resnet({ blocks: [2, 2], channels: [16] }), /resnet: blocks \(\[2,2\]\) and channels \(\[16\]\)/);
    assertThrowsTensile(() => models.lenet5().forward(randn([2, 1, 32, 32])), /LeNet5: expected input \[N, 1, 28, 28\], got \[2, 1, 32, 32\]/);
  });
});

/** d/dθ Σ(∂L/∂x · v) by autograd (createGraph) against central differences of the first derivative. */
function gradgradcheck(name: string, f: (x: Tensor, w: Tensor) => Tensor, xShape: number[], wShape: number[]): void {
  withBackend("reference", () => {
    manualSeed(7);
    const x = randn(xShape, { dtype: "float64", requiresGrad: true });
    const w = randn(wShape, { dtype: "float64", requiresGrad: true });
    const u = randn(f(x, w).shape as number[], { dtype: "float64" });
    const v = randn(xShape, { dtype: "float64" });
    // s(x, w) = Σ (∂/∂x Σ f·u) · v
    const s = (): Tensor => {
      const [gx] = grad(f(x, w).mul(u).sum(), [x], { createGraph: true });
      return gx!.mul(v).sum();
    };
    const [sx, sw] = grad(s(), [x, w], { allowUnused: true });
    const eps = 1e-6;
    for (const [leaf, analytic] of [[x, sx], [w, sw]] as const) {
      const base = Float64Array.from(leaf.dataSync());
      const an = analytic ? analytic.dataSync() : new Float64Array(base.length);
      for (let i = 0; i < base.length; i++) {
        const at = (d: number) => {
          const a = Float64Array.from(base);
          a[i]! += d;
          noGrad(() => leaf.copy_(tensor(a, { shape: leaf.shape as number[], dtype: "float64" })));
          return s().item();
        };
        const num = (at(eps) - at(-eps)) / (2 * eps);
        at(0);
        assert.ok(Math.abs(an[i]! - num) <= 1e-5 + 1e-4 * Math.abs(num), `${name}: element ${i} of ${leaf === x ? "x" : "w"}: ${an[i]} vs ${num}`);
      }
    }
  });
}

describe("second derivatives (createGraph) match finite differences", () => {
  test("conv2d", () => gradgradcheck("conv2d", (x, w) => F.conv2d(x, w, null, { stride: 2, padding: 1 }).tanh(), [2, 2, 5, 5], [3, 2, 3, 3]));
  test("conv2d groups", () => gradgradcheck("conv2d groups", (x, w) => F.conv2d(x, w, null, { groups: 2 }).pow(2), [1, 4, 4, 4], [4, 2, 2, 2]));
  test("convTranspose2d", () => gradgradcheck("convTranspose2d", (x, w) => F.convTranspose2d(x, w, null, { stride: 2 }).tanh(), [1, 2, 3, 3], [2, 3, 3, 3]));
  test("batchNorm (training) with weight", () => gradgradcheck("batchNorm",
    (x, w) => F.batchNorm(x, null, null, { training: true, weight: w.reshape([3]) }).pow(2), [3, 3, 2, 2], [3, 1]));
  test("groupNorm", () => gradgradcheck("groupNorm", (x, w) => F.groupNorm(x, 2, { weight: w.reshape([4]) }).pow(3), [2, 4, 3], [4]));
  test("maxPool2d and avgPool2d", () => gradgradcheck("pools",
    (x, w) => F.maxPool2d(x.mul(w), 2, { stride: 1 }).pow(2).add(F.avgPool2d(x.mul(w), 2, { padding: 1, countIncludePad: false }).pow(2).sum()), [1, 1, 4, 4], [1]));
});

test("maxPool2d returnIndices: int32 positions in the flattened plane, from which the values gather back", () => {
  manualSeed(3);
  const x = randn([2, 3, 7, 6]);
  const [y, idx] = F.maxPool2d(x, 3, { stride: 2, padding: 1, ceilMode: true, returnIndices: true });
  assert.equal(idx.dtype, "int32");
  assert.deepEqual(idx.shape, y.shape);
  const back = x.flatten(2).gather(2, idx.flatten(2)).reshape(y.shape as number[]);
  assert.deepEqual(Array.from(back.dataSync()), Array.from(y.dataSync()));
  const [y2, i2] = new nn.MaxPool2d(3, { stride: 2, padding: 1, ceilMode: true, returnIndices: true }).forward(x) as [Tensor, Tensor];
  assert.deepEqual(Array.from(y2.dataSync()), Array.from(y.dataSync()));
  assert.deepEqual(Array.from(i2.dataSync()), Array.from(idx.dataSync()));
});

test("dropout2d zeroes whole channels in training, is the identity in eval", () => {
  manualSeed(5);
  const x = ones([8, 16, 3, 3]);
  const y = F.dropout2d(x, 0.5).reshape([128, 9]).dataSync();
  let dropped = 0;
  for (let c = 0; c < 128; c++) {
    const row = Array.from(y.subarray(c * 9, c * 9 + 9));
    assert.ok(row.every((v) => v === row[0]) && (row[0] === 0 || row[0] === 2), `channel ${c}: ${row}`);
    if (row[0] === 0) dropped++;
  }
  assert.ok(dropped > 40 && dropped < 88, `dropped ${dropped} of 128`);
  const layer = new nn.Dropout2d(0.5).eval();
  assert.equal(layer.forward(x), x);
});

test("every backend computes the same LeNet-5 and ResNet forward and backward as the reference", () => {
  const backends = listBackends().filter((b) => b !== "reference");
  for (const name of backends) {
    const run = (b: string, make: () => nn.Module, shape: number[]) => withBackend(b, () => {
      manualSeed(11);
      const m = make();
      const x = randn(shape);
      const out = m.forward(x) as Tensor;
      out.pow(2).sum().backward();
      return [out, ...m.parameters().map((p) => p.grad!)].map((t) => Array.from(t.dataSync()));
    });
    for (const [make, shape] of [[() => models.lenet5(), [3, 1, 28, 28]], [() => models.resnet({ blocks: [1, 1], channels: [4, 8], inChannels: 1 }), [3, 1, 12, 12]]] as const) {
      const ref = run("reference", make, [...shape]), got = run(name, make, [...shape]);
      ref.forEach((r, i) => r.forEach((v, j) => {
        const g = got[i]![j]!;
        assert.ok(Math.abs(g - v) <= 1e-4 + 1e-3 * Math.abs(v), `${getBackend(name).name}: tensor ${i} element ${j}: ${g} vs reference ${v}`);
      }));
    }
  }
});

test("every backend's maxPool2d gives the reference's values, indices and gradient exactly (ties, NaN, ±∞)", () => {
  const backends = listBackends().filter((b) => b !== "reference");
  // values drawn from a few levels, so windows have ties, plus NaN and ±∞; each window's choice must follow
  // PyTorch's rule (first of equal maxima, NaN wins) whether a backend takes a SIMD path or not
  const levels = [0, 1, 1, 2, -1, Infinity, -Infinity, NaN];
  let seed = 7;
  const next = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  const cases: [number[], Parameters<typeof F.maxPool2d>[2], boolean][] = [];
  for (const [h, w] of [[26, 26], [11, 11], [8, 8], [9, 17], [6, 13], [4, 40], [2, 9]])
    for (const opts of [{}, { padding: 1 }, { ceilMode: true }, { stride: 1 }, { padding: [1, 0] as [number, number] }])
      for (const transposed of [false, true]) cases.push([[2, 3, h, w], opts, transposed]);
  for (const name of backends) {
    for (const [shape, opts, transposed] of cases) {
      const data = Array.from({ length: shape.reduce((a, b) => a * b) }, () => levels[Math.floor(next() * levels.length)]!);
      const upstream = Array.from({ length: 2 * 3 * 30 * 41 }, () => next());
      const run = (b: string) => withBackend(b, () => {
        let x = tensor(data).reshape(shape);
        // transposed: the same values through a view whose rows are not unit-stride
        if (transposed) x = tensor(data).reshape([shape[0]!, shape[1]!, shape[3]!, shape[2]!]).transpose(2, 3);
        x = x.detach().requiresGrad_();
        const [y, idx] = F.maxPool2d(x, 2, { ...opts, returnIndices: true }) as [Tensor, Tensor];
        y.mul(tensor(upstream.slice(0, y.numel())).reshape(y.shape)).sum().backward();
        return { y: Array.from(y.dataSync()), idx: Array.from(idx.dataSync()), g: Array.from(x.grad!.dataSync()), shape: y.shape };
      });
      const ref = run("reference"), got = run(name);
      const what = `${getBackend(name).name} maxPool2d [${shape}] ${JSON.stringify(opts)}${transposed ? " (strided rows)" : ""}`;
      assert.deepEqual(got.shape, ref.shape, what);
      assert.deepEqual(got.idx, ref.idx, `${what}: indices`);
      assert.deepEqual(got.y, ref.y, `${what}: values`); // deepEqual treats NaN as equal to NaN
      assert.deepEqual(got.g, ref.g, `${what}: gradient`);
    }
  }
});

test("eval mode: a sample's output does not depend on the rest of the batch", () => {
  manualSeed(2);
  const m = models.resnet({ blocks: [1, 1], channels: [4, 8], inChannels: 1, numClasses: 3 });
  for (let i = 0; i < 3; i++) m.forward(randn([4, 1, 8, 8]).mul(2).add(1)); // move the running stats
  m.eval();
  const x = randn([5, 1, 8, 8]);
  const all = m.forward(x).dataSync(), one = m.forward(x.index(["1:2"])).dataSync();
  for (let j = 0; j < 3; j++) assert.ok(Math.abs(all[3 + j]! - one[j]!) < 1e-5);
});

test("a few SGD steps of LeNet-5 on two synthetic classes lower the loss", () => {
  manualSeed(0);
  const n = 32;
  const y = randint(0, 2, [n]);
  // class 0: a bright 8×8 patch at the top left; class 1: at the bottom right; plus noise
  const img = new Float32Array(n * 28 * 28);
  const labels = y.dataSync();
  for (let i = 0; i < n; i++)
    for (let r = 0; r < 8; r++)
      for (let c = 0; c < 8; c++) img[i * 784 + (labels[i] ? 18 + r : 2 + r) * 28 + (labels[i] ? 18 + c : 2 + c)] = 1;
  const x = tensor(img, { shape: [n, 1, 28, 28] }).add(randn([n, 1, 28, 28]).mul(0.1));
  const model = models.lenet5({ numClasses: 2 });
  const opt = new SGD(model.parameters(), { lr: 0.05, momentum: 0.9 });
  const losses: number[] = [];
  for (let step = 0; step < 12; step++) {
    opt.zeroGrad();
    const loss = F.crossEntropy(model.forward(x), y);
    loss.backward();
    opt.step();
    losses.push(loss.item());
  }
  assert.ok(losses.at(-1)! < 0.5 * losses[0]!, `loss went ${losses.map((l) => l.toFixed(3)).join(" → ")}`);
});

test("layers forward their options to the functional ops", () => {
  manualSeed(4);
  const x = randn([2, 4, 7, 6]);
  const same = (a: Tensor, b: Tensor, what: string) => assert.deepEqual(Array.from(a.dataSync()), Array.from(b.dataSync()), what);
  same(new nn.MaxPool2d(3, { stride: 2, padding: 1, ceilMode: true }).forward(x) as Tensor, F.maxPool2d(x, 3, { stride: 2, padding: 1, ceilMode: true }), "MaxPool2d");
  same(new nn.MaxPool1d(2).forward(x.flatten(2)) as Tensor, F.maxPool1d(x.flatten(2), 2), "MaxPool1d");
  same(new nn.AvgPool2d(3, 2, 1, false, false).forward(x), F.avgPool2d(x, 3, { stride: 2, padding: 1, countIncludePad: false }), "AvgPool2d");
  same(new nn.AdaptiveAvgPool2d([3, null]).forward(x), F.adaptiveAvgPool2d(x, [3, 6]), "AdaptiveAvgPool2d");
  same(new nn.Upsample({ size: [9, 5], mode: "bilinear", alignCorners: true }).forward(x), F.interpolate(x, { size: [9, 5], mode: "bilinear", alignCorners: true }), "Upsample");
  const gn = new nn.GroupNorm(2, 4, { eps: 1e-3 });
  same(gn.forward(x), F.groupNorm(x, 2, { weight: gn.weight, bias: gn.bias, eps: 1e-3 }), "GroupNorm");
  const ln = new nn.LayerNorm([7, 6], { elementwiseAffine: false });
  assert.equal(ln.parameters().length, 0);
  same(ln.forward(x), F.layerNorm(x, [7, 6]), "LayerNorm");
  const conv = new nn.Conv2d(4, 6, 3, { stride: 2, dilation: 2, groups: 2, bias: false, dtype: "float64" });
  assert.equal(conv.weight.dtype, "float64");
  assert.deepEqual(conv.weight.shape, [6, 2, 3, 3]);
  same(conv.forward(x.double()), F.conv2d(x.double(), conv.weight, null, { stride: 2, dilation: 2, groups: 2 }), "Conv2d");
  const bn = new nn.BatchNorm2d(4);
  bn.forward(x);
  assert.equal(bn.numBatchesTracked!.item(), 1);
  bn.resetRunningStats();
  assert.equal(bn.numBatchesTracked!.item(), 0);
  assert.deepEqual(Array.from(bn.runningVar!.dataSync()), [1, 1, 1, 1]);
});
