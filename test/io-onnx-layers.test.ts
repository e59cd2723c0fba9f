// ONNX export of the 3-D, unpooling and lazy layers, each model run in ONNX Runtime (onnxruntime-web)
// at a batch size other than the example's and compared with Tensile's forward: ConvTranspose3d,
// InstanceNorm3d, the 3-D paddings, max pooling with indices into MaxUnpool1d/2d/3d (indices
// converted between PyTorch's per-plane and ONNX's whole-tensor convention), adaptive max pooling,
// and the lazy layers once run. Plus the refusals, each naming the layer.
import assert from "node:assert/strict";
import { test } from "node:test";
import { F, type Tensor, io, manualSeed, nn, noGrad, pdist, randn } from "../src/index.js";
import { assertThrowsTensile } from "./nn-helpers.js";
import { assertMatches, roundTrip, runOnnx } from "./helpers/onnx.js";

const randomize = (m: nn.Module) => noGrad(() => {
  for (const p of m.parameters()) p.copy_(randn(p.shape).mul(0.5).add(p.detach()));
});

/** Exports a model of several outputs, runs it on `input` and compares every output. */
async function roundTripAll(what: string, model: nn.Module, example: Tensor, input: Tensor): Promise<void> {
  const bytes = io.exportOnnxBytes(model, example);
  model.eval();
  const got = await runOnnx(bytes, { input });
  const want = model.forward(input) as Tensor[];
  want.forEach((w, i) => assertMatches(`${what} output ${i}`, got[`output_${i}`]!, w));
}

test("a 3-D decoder: ConvTranspose3d, InstanceNorm3d (plain and tracked) and the 3-D paddings", async () => {
  manualSeed(20);
  const net = new nn.Sequential(
    new nn.ConvTranspose3d(2, 4, 3, { stride: 2, padding: 1, outputPadding: 1 }), new nn.InstanceNorm3d(4, { affine: true }),
    new nn.ReflectionPad3d(1), new nn.ReplicationPad3d([1, 0, 2, 0, 0, 1]), new nn.ConstantPad3d([1, 2, 0, 1, 1, 0], 0.5),
    new nn.ConvTranspose3d(4, 2, [1, 2, 2], { groups: 2, dilation: [1, 2, 1] }),
  );
  randomize(net);
  await roundTrip("3-D decoder", net, randn(1, 2, 3, 3, 3), randn(3, 2, 3, 3, 3));
  // tracked statistics normalise in eval, as batch norm does
  const tracked = new nn.Sequential(new nn.InstanceNorm3d(3, { trackRunningStats: true, affine: true }), new nn.Tanh());
  for (let i = 0; i < 3; i++) tracked.forward(randn(4, 3, 3, 4, 4).mul(2).add(1));
  tracked.eval();
  await roundTrip("tracked InstanceNorm3d", tracked, randn(1, 3, 3, 4, 4), randn(2, 3, 3, 4, 4));
  // called with an outputSize: refused, naming the layer
  class Sized extends nn.Module {
    up = new nn.ConvTranspose3d(1, 1, 3, { stride: 2 });
    override forward(x: Tensor): Tensor {
      return this.up.forward(x, [8, 8, 8]);
    }
  }
  assertThrowsTensile(() => io.exportOnnxBytes(new Sized(), randn(1, 1, 3, 3, 3)), /^exportOnnx: ConvTranspose3d called with an outputSize is not supported/);
});

test("max pooling with indices and max unpooling (1-D, 2-D with an outputSize, 3-D padded): values and PyTorch's indices", async () => {
  manualSeed(21);
  class Volume extends nn.Module {
    pool = new nn.MaxPool3d(3, { stride: 2, padding: 1, returnIndices: true });
    unpool = new nn.MaxUnpool3d(3, { stride: 2, padding: 1 });
    override forward(x: Tensor): Tensor[] {
      const [y, idx] = this.pool.forward(x) as [Tensor, Tensor];
      return [this.unpool.forward(y.mul(2), idx), idx];
    }
  }
  await roundTripAll("MaxPool3d → MaxUnpool3d", new Volume(), randn(1, 2, 7, 7, 7), randn(3, 2, 7, 7, 7));
  class Image extends nn.Module {
    pool = new nn.MaxPool2d(2, { returnIndices: true });
    unpool = new nn.MaxUnpool2d(2);
    override forward(x: Tensor): Tensor[] {
      const [y, idx] = this.pool.forward(x) as [Tensor, Tensor];
      return [this.unpool.forward(y, idx, x.shape), idx, y];
    }
  }
  await roundTripAll("MaxPool2d → MaxUnpool2d (outputSize)", new Image(), randn(2, 3, 5, 5), randn(4, 3, 5, 5));
  class Sequence extends nn.Module {
    conv = new nn.Conv1d(2, 3, 3);
    pool = new nn.MaxPool1d(2, { stride: 2, returnIndices: true });
    unpool = new nn.MaxUnpool1d(2);
    override forward(x: Tensor): Tensor[] {
      const [y, idx] = this.pool.forward(this.conv.forward(x)) as [Tensor, Tensor];
      return [this.unpool.forward(y, idx), idx];
    }
  }
  await roundTripAll("MaxPool1d → MaxUnpool1d", new Sequence(), randn(1, 2, 10), randn(3, 2, 10));
  // without indices, pooling is the one MaxPool node it was
  const plain = new nn.Sequential(new nn.MaxPool3d(2, { stride: 1, dilation: 2 }), new nn.MaxPool3d([1, 2, 2], { ceilMode: true }));
  await roundTrip("MaxPool3d (dilated)", plain, randn(1, 2, 5, 5, 5), randn(2, 2, 5, 5, 5));
});

test("adaptive 3-D average pooling: global, even windows (AveragePool) and uneven ones (an Einsum of averaging matrices), layer and F", async () => {
  manualSeed(23);
  class Pools extends nn.Module {
    uneven = new nn.AdaptiveAvgPool3d([2, 3, 4]);
    global = new nn.AdaptiveAvgPool3d(1);
    even = new nn.AdaptiveAvgPool3d([5, 3, null]);
    override forward(x: Tensor): Tensor[] {
      return [this.uneven.forward(x), this.global.forward(x), this.even.forward(x), nn.functional.adaptiveAvgPool3d(x.mul(2), [3, 2, 2])];
    }
  }
  await roundTripAll("adaptive average pooling", new Pools(), randn(1, 2, 5, 6, 7), randn(3, 2, 5, 6, 7));
});

test("adaptive max pooling: global (GlobalMaxPool), even windows (MaxPool, with indices too); uneven ones refused", async () => {
  manualSeed(22);
  class Pools extends nn.Module {
    global = new nn.AdaptiveMaxPool3d(1);
    even = new nn.AdaptiveMaxPool3d([2, null, 3]);
    withIndices = new nn.AdaptiveMaxPool3d([1, 2, 1], true);
    flat = new nn.AdaptiveMaxPool2d([3, 2]);
    line = new nn.AdaptiveMaxPool1d(2);
    override forward(x: Tensor): Tensor[] {
      const [v, i] = this.withIndices.forward(x) as [Tensor, Tensor];
      return [this.global.forward(x) as Tensor, this.even.forward(x) as Tensor, v, i,
        this.flat.forward(x.sum(2)) as Tensor, this.line.forward(x.sum([2, 3])) as Tensor];
    }
  }
  await roundTripAll("adaptive max pooling", new Pools(), randn(1, 3, 4, 6, 6), randn(3, 3, 4, 6, 6));
  assertThrowsTensile(() => io.exportOnnxBytes(new nn.AdaptiveMaxPool3d([3, 2, 2]), randn(1, 2, 5, 4, 4)),
    /^exportOnnx: AdaptiveMaxPool3d from 5×4×4 to 3×2×2 has uneven windows, which ONNX's MaxPool cannot express/);
});

test("lazy layers export once their first forward has made them regular layers; before it they are refused", async () => {
  manualSeed(23);
  const volume = () => new nn.Sequential(
    new nn.LazyConv3d(4, 3, { padding: 1 }), new nn.LazyBatchNorm3d(), new nn.LazyInstanceNorm3d({ affine: true }),
    new nn.LazyConvTranspose3d(2, 2, { stride: 2 }), new nn.Flatten(), new nn.LazyLinear(5),
  );
  const net = volume();
  net.forward(randn(2, 1, 3, 3, 3));
  randomize(net);
  for (let i = 0; i < 3; i++) net.forward(randn(4, 1, 3, 3, 3).add(1));
  assert.ok(net.at(0) instanceof nn.Conv3d && !(net.at(0) instanceof nn.LazyConv3d));
  await roundTrip("lazy 3-D stack", net, randn(1, 1, 3, 3, 3), randn(3, 1, 3, 3, 3));
  class Seq extends nn.Module {
    line = new nn.Sequential(new nn.LazyConv1d(3, 3), new nn.LazyBatchNorm1d(), new nn.LazyInstanceNorm1d(), new nn.LazyConvTranspose1d(2, 2));
    plane = new nn.Sequential(new nn.LazyConv2d(1, 1), new nn.LazyBatchNorm2d(), new nn.LazyInstanceNorm2d(), new nn.LazyConvTranspose2d(2, 1));
    override forward(x: Tensor): Tensor {
      return this.plane.forward(this.line.forward(x).unsqueeze(1));
    }
  }
  const s = new Seq();
  s.forward(randn(2, 2, 8));
  for (let i = 0; i < 2; i++) s.forward(randn(4, 2, 8).add(0.5));
  await roundTrip("lazy 1-D and 2-D layers", s, randn(1, 2, 8), randn(3, 2, 8));
  assertThrowsTensile(() => io.exportOnnxBytes(volume(), randn(1, 1, 3, 3, 3)),
    /^exportOnnx: LazyConv3d \(0\) has not run a forward yet, so its parameters have no shape; run the model once/);
  assertThrowsTensile(() => io.exportOnnxBytes(new nn.LazyLinear(3), randn(2, 4)), /^exportOnnx: LazyLinear has not run a forward yet/);
});

test("pdist and the layers without an ONNX form are refused, naming them", () => {
  manualSeed(24);
  class Distances extends nn.Module {
    fc = new nn.Linear(4, 3);
    override forward(x: Tensor): Tensor {
      return pdist(this.fc.forward(x));
    }
  }
  // pdist is traced as one op (not the gathers it is made of), so the error names it
  assertThrowsTensile(() => io.exportOnnxBytes(new Distances(), randn(5, 4)), /^exportOnnx: the op "pdist" \(output \[10\]\) has no ONNX export here/);
  class FunctionalPdist extends nn.Module {
    override forward(x: Tensor): Tensor {
      return F.pdist(x.mul(2));
    }
  }
  assertThrowsTensile(() => io.exportOnnxBytes(new FunctionalPdist(), randn(4, 3)), /^exportOnnx: the op "pdist"/);
  class FunctionalIndices extends nn.Module {
    override forward(x: Tensor): Tensor {
      const [v] = F.maxPool2d(x, 2, { returnIndices: true }) as unknown as [Tensor, Tensor];
      return v;
    }
  }
  assertThrowsTensile(() => io.exportOnnxBytes(new FunctionalIndices(), randn(1, 1, 4, 4)),
    /^exportOnnx: F\.maxPool2d returning several tensors \(returnIndices\) has no ONNX export here/);
});
