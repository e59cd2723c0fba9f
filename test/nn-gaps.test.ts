/**
 * Layers added to close gaps with PyTorch 1.13 (fixtures/nn-extras.json "gaps" and "lazyLayers", from
 * tools/gen-nnextras-fixtures.py): ConstantPad3d / ReflectionPad3d / ReplicationPad3d, MaxUnpool1d/2d/3d,
 * AdaptiveMaxPool3d, and the lazy convolutions and normalisations, on every backend. The functional
 * forms (F.maxUnpool*, F.adaptiveMaxPool3d) are also in the op table (fixtures/ops-nn.json).
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { Tensor, noGrad, randn, tensor, withBackend, zeros } from "../src/core.js";
import * as nn from "../src/nn/index.js";
import * as optim from "../src/optim/index.js";
import { deepcopy } from "../src/nn/deepcopy.js";
import { type Enc, assertClose, assertThrowsTensile, dec, loadNnFixture } from "./nn-helpers.js";
import { backendsUnderTest } from "./helpers/backends.js";

const F = nn.functional;
const fx = loadNnFixture("nn-extras.json");
type SD = Record<string, Enc>;

/** PyTorch's generator formula: scale·sin(0.37 i + 1.3 k + 0.2), computed in float64 then cast. */
function formula(shape: readonly number[], k: number, scale = 1.0, dtype: "float32" | "float64" = "float32"): Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  const v = Float64Array.from({ length: n }, (_, i) => scale * Math.sin(0.37 * i + 1.3 * k + 0.2));
  return tensor(dtype === "float64" ? v : Float32Array.from(v), { shape: [...shape] });
}

function assertStateDict(what: string, m: nn.Module, want: SD, rtol = 1e-5, atol = 1e-6): void {
  const sd = m.stateDict();
  assert.deepEqual(Object.keys(sd), Object.keys(want), `${what}: state-dict keys`);
  for (const [k, e] of Object.entries(want)) assertClose(`${what}: ${k}`, sd[k]!, e, rtol, atol);
}

for (const backend of backendsUnderTest()) {
  const on = (fn: () => void) => () => withBackend(backend, fn);

  describe(`3-D padding layers against PyTorch (${backend.name})`, () => {
    for (const c of fx.gaps.pad3d) {
      test(c.name, on(() => {
        const m = c.kind === "ConstantPad3d" ? new nn.ConstantPad3d(c.padding, c.value)
          : c.kind === "ReflectionPad3d" ? new nn.ReflectionPad3d(c.padding) : new nn.ReplicationPad3d(c.padding);
        assert.equal(String(m), c.repr);
        const x = dec(c.x, { requiresGrad: true });
        const y = m.forward(x);
        assertClose(`${c.name} forward`, y, c.y);
        y.mul(dec(c.g)).sum().backward();
        assertClose(`${c.name} grad`, x.grad!, c.gx);
      }));
    }
  });

  describe(`MaxUnpool and AdaptiveMaxPool3d against PyTorch (${backend.name})`, () => {
    for (const c of fx.gaps.unpool) {
      test(`MaxUnpool ${c.name}`, on(() => {
        const nd = Number(c.name[0]) as 1 | 2 | 3;
        const m = nd === 1 ? new nn.MaxUnpool1d(2) : nd === 2 ? new nn.MaxUnpool2d(3, 2, 1) : new nn.MaxUnpool3d(2, { stride: 2 });
        assert.equal(String(m), c.repr);
        const y = dec(c.pooled, { requiresGrad: true });
        const out = m.forward(y, dec(c.indices), c.outputSize);
        assertClose(`${c.name} out`, out, c.out);
        out.mul(dec(c.g)).sum().backward();
        assertClose(`${c.name} grad`, y.grad!, c.gy);
        // Tensile's own max pooling gives PyTorch's indices, so the pair round-trips
        const x = dec(c.x);
        const [pooled, idx] = nd === 1 ? F.maxPool1d(x, 2, { returnIndices: true }) : nd === 2 ? F.maxPool2d(x, 3, { stride: 2, padding: 1, returnIndices: true })
          : new nn.MaxPool3d(2, { returnIndices: true }).forward(x) as [Tensor, Tensor];
        assert.deepEqual(Array.from(idx.dataSync()), c.indices.data);
        assert.equal(idx.dtype, "int32");
        assertClose(`${c.name} round trip`, m.forward(pooled, idx, c.outputSize), c.out);
      }));
    }

    test("AdaptiveAvgPool3d: the layer is F.adaptiveAvgPool3d, with PyTorch's repr (of a tuple size); global pooling is the mean", on(() => {
      const x = randn([2, 3, 5, 4, 6]);
      const m = new nn.AdaptiveAvgPool3d([2, null, 3]);
      assert.equal(String(m), "AdaptiveAvgPool3d(output_size=(2, None, 3))");
      assert.equal(String(new nn.AdaptiveAvgPool3d(2)), "AdaptiveAvgPool3d(output_size=2)");
      assert.deepEqual(Array.from(m.forward(x).dataSync()), Array.from(F.adaptiveAvgPool3d(x, [2, 4, 3]).dataSync()));
      const g = new nn.AdaptiveAvgPool3d(1).forward(x);
      assert.deepEqual(g.shape, [2, 3, 1, 1, 1]);
      const want = x.mean([2, 3, 4]).dataSync();
      Array.from(g.dataSync()).forEach((v, i) => assert.ok(Math.abs(v - want[i]!) < 1e-6));
    }));

    test("AdaptiveMaxPool3d", on(() => {
      const a = fx.gaps.adaptiveMaxPool3d;
      const m = new nn.AdaptiveMaxPool3d([2, null, 3], true);
      assert.equal(String(m), a.repr);
      assert.equal(String(new nn.AdaptiveMaxPool3d(2)), a.repr_int);
      const [v, i] = m.forward(dec(a.x)) as [Tensor, Tensor];
      assertClose("values", v, a.values);
      assert.deepEqual(Array.from(i.dataSync()), a.indices.data);
      assert.equal(i.dtype, "int32");
    }));
  });

  describe(`lazy convolutions and normalisations against PyTorch (${backend.name})`, () => {
    const makers: Record<string, () => nn.Module> = {
      LazyConv1d: () => new nn.LazyConv1d(4, 3, { stride: 2, padding: 1 }),
      LazyConv2d: () => new nn.LazyConv2d(4, 3, 1, 1, 1, 2, false),
      LazyConv3d: () => new nn.LazyConv3d(2, 2),
      LazyConv2d_unbatched: () => new nn.LazyConv2d(3, 2),
      LazyConvTranspose1d: () => new nn.LazyConvTranspose1d(3, 3, 2),
      LazyConvTranspose2d: () => new nn.LazyConvTranspose2d(4, 3, { stride: 2, padding: 1, outputPadding: 1, groups: 2 }),
      LazyBatchNorm1d: () => new nn.LazyBatchNorm1d(),
      LazyBatchNorm2d: () => new nn.LazyBatchNorm2d({ momentum: 0.3 }),
      LazyBatchNorm3d: () => new nn.LazyBatchNorm3d(1e-5, 0.1, false),
      LazyInstanceNorm1d: () => new nn.LazyInstanceNorm1d(),
      LazyInstanceNorm2d: () => new nn.LazyInstanceNorm2d({ affine: false }),
      LazyInstanceNorm1d_plain: () => new nn.LazyInstanceNorm1d({ affine: false, trackRunningStats: false }),
      LazyConvTranspose3d: () => new nn.LazyConvTranspose3d(4, [2, 3, 2], [2, 1, 2], [1, 0, 1], [1, 0, 0], 2),
      LazyInstanceNorm3d: () => new nn.LazyInstanceNorm3d(),
      LazyInstanceNorm3d_no_affine: () => new nn.LazyInstanceNorm3d({ affine: false, momentum: 0.3 }),
    };
    for (const c of fx.lazyLayers) {
      test(c.name, on(() => {
        const m = makers[c.name]!();
        assert.equal(String(m), c.before.repr);
        assert.equal(m.constructor.name, c.before.class);
        assert.deepEqual(Object.keys(m.stateDict()), c.before.keys);
        const params = m.parameters();
        assert.ok(params.every((p) => nn.isLazy(p)), "uninitialised parameters before the first forward");
        // the optimizer is built before the first forward, as in the PyTorch run
        const opt = params.length ? new optim.SGD(params, { lr: 0.1, momentum: 0.9 }) : null;
        const x = dec(c.x);
        m.forward(x);
        assert.equal(m.constructor.name, c.after.class);
        assert.equal(String(m), c.after.repr);
        assert.ok(!(m as { hasUninitializedParams?: unknown }).hasUninitializedParams, "the regular class, without the lazy methods");
        assert.deepEqual(Object.fromEntries(Object.entries(m.stateDict()).map(([k, v]) => [k, [...v.shape]])), c.after.shapes);
        assert.ok(m.parameters().every((p, i) => p === params[i] && !nn.isLazy(p)), "the optimizer's parameter objects are the module's");
        m.loadStateDict(Object.fromEntries(Object.entries(c.init as SD).map(([k, e]) => [k, dec(e)])));
        const losses: number[] = [];
        for (let s = 0; s < 2; s++) {
          const y = m.forward(x);
          const loss = y.mul(formula(y.shape, 140)).sum();
          if (opt) {
            opt.zeroGrad();
            loss.backward();
            opt.step();
          }
          losses.push(loss.item());
        }
        losses.forEach((l, i) => assert.ok(Math.abs(l - c.losses[i]) <= 1e-4 * Math.max(1, Math.abs(c.losses[i])), `loss ${i}: ${l} vs ${c.losses[i]}`));
        m.eval();
        assertStateDict(`${c.name} final`, m, c.final, 1e-4, 1e-5);
        assertClose(`${c.name} eval`, m.forward(x), c.eval, 1e-4, 1e-5);
      }));
    }
  });

  describe(`ConvTranspose3d and InstanceNorm3d against PyTorch (${backend.name})`, () => {
    const makers: Record<string, () => nn.Module> = {
      ConvTranspose3d: () => new nn.ConvTranspose3d(4, 6, [2, 3, 2], { stride: [2, 1, 2], padding: [1, 0, 1], outputPadding: [1, 0, 0], groups: 2, dilation: [1, 2, 1] }),
      ConvTranspose3d_output_size: () => new nn.ConvTranspose3d(2, 3, 3, 2, 1, 0, 1, false),
      ConvTranspose3d_unbatched: () => new nn.ConvTranspose3d(3, 2, 2),
      InstanceNorm3d: () => new nn.InstanceNorm3d(3),
      InstanceNorm3d_affine_track: () => new nn.InstanceNorm3d(3, 1e-3, 0.2, true, true),
      InstanceNorm3d_unbatched: () => new nn.InstanceNorm3d(2, { affine: true }),
    };
    for (const c of fx.layers3d) {
      test(c.name, on(() => {
        const m = makers[c.name]!();
        assert.equal(String(m), c.repr);
        assert.deepEqual(Object.keys(m.stateDict()), c.keys);
        m.loadStateDict(Object.fromEntries(Object.entries(c.init as SD).map(([k, e]) => [k, dec(e)])), { strict: false });
        const x = dec(c.x, { requiresGrad: true });
        const y = (m as nn.ConvTranspose3d).forward(x, c.outputSize ?? undefined);
        assertClose(`${c.name} forward`, y, c.y, 1e-4, 1e-5);
        y.mul(dec(c.g)).sum().backward();
        assertClose(`${c.name} grad input`, x.grad!, c.gx, 1e-4, 1e-5);
        for (const [k, p] of m.namedParameters()) assertClose(`${c.name} grad ${k}`, p.grad!, c.grads[k], 1e-4, 1e-5);
        assertStateDict(`${c.name} final`, m, c.final, 1e-4, 1e-5);
        if (c.eval) {
          m.eval();
          assertClose(`${c.name} eval`, m.forward(x), c.eval, 1e-4, 1e-5);
        }
      }));
    }
  });
}

describe("new layers: loading, copying and errors", () => {
  test("a lazy conv or norm loads a state dict at the saved shapes; deepcopy keeps it lazy", () => {
    const src = new nn.Conv2d(3, 4, 3, { groups: 1 });
    const lazy = new nn.LazyConv2d(4, 3);
    lazy.loadStateDict(src.stateDict());
    assert.equal(lazy.inChannels, 3);
    const x = randn([1, 3, 5, 5]);
    assert.deepEqual(Array.from(lazy.forward(x).dataSync()), Array.from(src.forward(x).dataSync()));
    assert.ok(lazy instanceof nn.Conv2d && !((lazy as nn.Module) instanceof nn.LazyConv2d));
    const ct = new nn.ConvTranspose2d(4, 6, 2, { groups: 2 });
    const lct = new nn.LazyConvTranspose2d(6, 2, { groups: 2 });
    lct.loadStateDict(ct.stateDict());
    assert.equal(lct.inChannels, 4);
    const bn = new nn.BatchNorm2d(5);
    noGrad(() => bn.runningMean!.fill_(0.5));
    const lbn = new nn.LazyBatchNorm2d();
    lbn.loadStateDict(bn.stateDict());
    assert.equal(lbn.numFeatures, 5);
    assert.deepEqual(Array.from(lbn.runningMean!.dataSync()), [0.5, 0.5, 0.5, 0.5, 0.5]);
    const fresh = new nn.LazyConv1d(2, 3);
    const copy = deepcopy(fresh);
    assert.ok(copy.hasUninitializedParams() && copy.weight !== fresh.weight);
    copy.forward(randn([1, 4, 6]));
    assert.ok(fresh.hasUninitializedParams() && fresh.inChannels === 0, "the original stays lazy");
  });

  test("errors name the layer and the shapes", () => {
    assertThrowsTensile(() => new nn.LazyConv2d(4, 3).forward(randn([5, 5])), /LazyConv2d: expected 3D \(unbatched\) or 4D \(batched\) input to infer in_channels from, got input of shape \[5, 5\]/);
    assertThrowsTensile(() => new nn.LazyConvTranspose2d(4, 3, { groups: 2 }).forward(randn([1, 3, 4, 4])), /LazyConvTranspose2d: in_channels \(3\) must be divisible by groups \(2\)/);
    assertThrowsTensile(() => new nn.LazyBatchNorm2d().forward(randn([2, 3, 4])), /BatchNorm2d: expected 4D input \(got 3D input of shape \[2, 3, 4\]\)/);
    assertThrowsTensile(() => new nn.LazyConv2d(4, 3).loadStateDict(new nn.Conv2d(2, 5, 3).stateDict()), /LazyConv2d.loadStateDict: weight of shape \[5, 2, 3, 3\] does not fit out_channels=4/);
    const y = randn([1, 1, 2, 2]);
    assertThrowsTensile(() => F.maxUnpool2d(y, tensor([0, 1, 2, 99], { dtype: "int32" }).reshape([1, 1, 2, 2]), 2), /maxUnpool2d: found an invalid max index: 99 \(output volumes are of size 4x4/);
    assertThrowsTensile(() => F.maxUnpool2d(y, zeros([1, 1, 4], { dtype: "int32" }), 2), /maxUnpool2d: expected shape of indices to be same as that of the input tensor \(\[1, 1, 2, 2\]\) but got indices tensor with shape: \[1, 1, 4\]/);
    assertThrowsTensile(() => F.maxUnpool2d(randn([2, 2]), zeros([2, 2], { dtype: "int32" }), 2), /maxUnpool2d: expected 3D \(unbatched\) or 4D \(batched\) input, got a tensor of shape \[2, 2\]/);
    assertThrowsTensile(() => F.maxUnpool1d(randn([1, 1, 2]), zeros([1, 1, 2], { dtype: "int32" }), 2, { outputSize: [9] }), /maxUnpool1d: invalid output_size \[9\] \(dim 0 must be between 2 and 6\)/);
    assertThrowsTensile(() => F.maxUnpool1d(randn([1, 1, 2]), zeros([1, 1, 2], { dtype: "int32" }), 2, { outputSize: [1, 1, 3, 3] }), /output_size should be a sequence containing 1 or 3 elements, but it has a length of '4'/);
    assertThrowsTensile(() => F.maxUnpool3d(randn([1, 1, 2, 2, 2]), zeros([1, 1, 2, 2, 2], { dtype: "int32" }).sub(1), 2), /maxUnpool3d: found an invalid max index: -1 \(output volumes are of size 4x4x4/);
    assertThrowsTensile(() => F.adaptiveMaxPool3d(randn([2, 3, 4]), 2), /adaptiveMaxPool3d: expected 4D \(unbatched\) or 5D \(batched\) input \[N, C, D, H, W\], got shape \[2, 3, 4\]/);
    assertThrowsTensile(() => F.adaptiveAvgPool3d(randn([2, 3, 4]), 2), /^adaptiveAvgPool3d: expected 4D \(unbatched\) or 5D \(batched\) input \[N, C, D, H, W\], got shape \[2, 3, 4\]/);
    assertThrowsTensile(() => F.adaptiveAvgPool3d(randn([1, 2, 3, 4, 5]), [2, 2]), /^adaptiveAvgPool3d: output_size must be an integer or a list of 3 integers, got \[2,2\]/);
    assertThrowsTensile(() => F.adaptiveAvgPool3d(randn([1, 2, 3, 4, 5], { dtype: "float64" }).to("int32"), 2), /^adaptiveAvgPool3d: expected a floating point input, got int32/);
    assertThrowsTensile(() => new nn.ReflectionPad3d(1).forward(randn([2, 3, 4])), /ReflectionPad3d: expected a 4D \(unbatched\) or 5D \(batched\) input \[N, C, D, H, W\], got shape \[2, 3, 4\]/);
    assertThrowsTensile(() => new nn.ReflectionPad3d(3).forward(randn([1, 2, 3, 4, 5])), /pad: padding \(3, 3\) at dim 2 must be less than the input size 3 for mode "reflect"/);
    assertThrowsTensile(() => F.convTranspose3d(randn([1, 3, 2, 2, 2]), randn([2, 2, 2, 2, 2])), /convTranspose3d: expected input \[1, 3, 2, 2, 2\] to have 2 channels to match weight \[2, 2, 2, 2, 2\], but got 3 channels instead/);
    assertThrowsTensile(() => F.convTranspose3d(randn([1, 2, 2, 2]), randn([2, 2, 2, 2])), /convTranspose3d: weight should be 5-D \[in_channels, out_channels\/groups, kD, kH, kW\], got \[2, 2, 2, 2\]/);
    assertThrowsTensile(() => new nn.ConvTranspose3d(2, 2, 2, { outputPadding: [0, 1, 0] }), /ConvTranspose3d: output padding must be smaller than either stride or dilation/);
    assertThrowsTensile(() => new nn.ConvTranspose3d(2, 2, 2, 2).forward(randn([1, 2, 2, 2, 2]), [6, 4, 4]), /ConvTranspose3d: requested an output size of \(6, 4, 4\), but valid sizes range from \(4, 4, 4\) to \(5, 5, 5\)/);
    assertThrowsTensile(() => new nn.InstanceNorm3d(3, { affine: true }).forward(randn([1, 4, 2, 2, 2])), /InstanceNorm3d: expected input's size at dim=1 to match num_features \(3\), but got: 4 \(input \[1, 4, 2, 2, 2\]\)/);
    assertThrowsTensile(() => new nn.InstanceNorm3d(3).forward(randn([3, 2, 2])), /InstanceNorm3d: expected 4D \(unbatched\) or 5D \(batched\) input, got 3D input of shape \[3, 2, 2\]/);
    assertThrowsTensile(() => new nn.LazyInstanceNorm3d().forward(randn([3, 2, 2])), /LazyInstanceNorm3d: expected 4D \(unbatched\) or 5D \(batched\) input, got 3D input of shape \[3, 2, 2\]/);
    assertThrowsTensile(() => F.maxPool3d(randn([1, 1, 4, 4, 4]), 2, { padding: 2, returnIndices: true }), /maxPool3d: pad should be at most half of kernel size, but got pad=\[2, 2, 2\] and kernel_size=\[2, 2, 2\]/);
    assertThrowsTensile(() => F.maxPool3d(randn([1, 1, 1, 4, 4]), 2, { returnIndices: true }), /maxPool3d: output size is too small \(computed \[0, 2, 2\] from input \[1, 1, 1, 4, 4\]/);
    assertThrowsTensile(() => new nn.ConstantPad3d([1, 2], 0), /ConstantPad3d: padding must be an integer or a list of 6 integers, got \[1,2\]/);
  });
});
