// ONNX export checked by running the exported bytes in ONNX Runtime (onnxruntime-web's WebAssembly
// build, a dev dependency): for each model, the runtime's outputs at a batch size other than the
// example's must equal Tensile's own forward pass. Plus the refusals: ops and layers without an
// export, and graphs or constants that depend on the input, each named in the error.
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import * as ort from "onnxruntime-web";
import { F, type Tensor, cat, io, manualSeed, models, nn, noGrad, randint, randn, tensor, withBackend } from "../src/index.js";
import { assertThrowsTensile } from "./nn-helpers.js";
import { assertMatches, roundTrip, runOnnx } from "./helpers/onnx.js";

test("the text's network (Linear-ReLU-Linear) runs in ONNX Runtime at another batch size", async () => {
  manualSeed(0);
  const model = new nn.Sequential(new nn.Linear(784, 500), new nn.ReLU(), new nn.Linear(500, 10));
  await roundTrip("MLP", model, randn(2, 784), randn(7, 784));
});

test("LeNet-5 and a small ResNet (conv, batch norm with running statistics, pooling, residual adds)", async () => {
  manualSeed(1);
  await roundTrip("LeNet-5", models.lenet5(), randn(1, 1, 28, 28), randn(3, 1, 28, 28));
  const net = models.resnet({ blocks: [1, 1], channels: [8, 16], numClasses: 10, inChannels: 1 });
  // running statistics other than the initial 0 / 1, so BatchNormalization's inputs matter
  net.train();
  for (let i = 0; i < 3; i++) net.forward(randn(8, 1, 28, 28).mul(2).add(0.5));
  await roundTrip("ResNet", net, randn(2, 1, 28, 28), randn(4, 1, 28, 28));
});

test("a custom forward: view, functional ops, softmax, cat, sum, transpose and a scalar", async () => {
  class Net extends nn.Module {
    fc1 = new nn.Linear(12, 8);
    fc2 = new nn.Linear(8, 4);
    norm = new nn.LayerNorm(8);
    act = new nn.GELU();
    override forward(x: Tensor): Tensor {
      const h = this.act.forward(this.norm.forward(this.fc1.forward(x.view(-1, 12))));
      const s = h.tanh().mul(0.5).add(h.sigmoid()).add(F.leakyRelu(h, 0.2)).sub(F.elu(h, 0.7));
      const both = s.matmul(this.fc2.weight.t()).softmax(1);
      const extra = h.sum([1], true).div(8);
      return cat([both, extra.sub(extra.exp())], 1).mul(2);
    }
  }
  manualSeed(2);
  await roundTrip("custom", new Net(), randn(2, 3, 4), randn(5, 3, 4));
});

test("in-place ops in a forward (relu_, add_, mul_, clamp_) are exported as the ops they are", async () => {
  manualSeed(5);
  class Net extends nn.Module {
    fc = new nn.Linear(6, 5);
    out = new nn.Linear(5, 3);
    override forward(x: Tensor): Tensor {
      const h = this.fc.forward(x);
      h.relu_();
      h.add_(0.25);
      h.mul_(h);
      h.clamp_(0, 2);
      return this.out.forward(h);
    }
  }
  await roundTrip("in-place", new Net(), randn(2, 6), randn(5, 6));
});

test("F.scaledDotProductAttention (causal) exports through its ops", async () => {
  manualSeed(6);
  class Net extends nn.Module {
    qkv = new nn.Linear(8, 24);
    override forward(x: Tensor): Tensor {
      const [q, k, v] = this.qkv.forward(x).chunk(3, -1) as [Tensor, Tensor, Tensor];
      return nn.functional.scaledDotProductAttention(q, k, v, { isCausal: true });
    }
  }
  await roundTrip("sdpa", new Net(), randn(2, 5, 8), randn(3, 5, 8));
});

test("an embedding bag of words with dropout, and a 3-D input through Linear", async () => {
  class Bag extends nn.Module {
    emb = new nn.Embedding(20, 6);
    drop = new nn.Dropout(0.3);
    fc = new nn.Linear(6, 3);
    override forward(ids: Tensor): Tensor {
      return this.fc.forward(this.drop.forward(this.emb.forward(ids))).mean(1);
    }
  }
  manualSeed(3);
  const bag = new Bag();
  io.exportOnnxBytes(bag, randint(0, 20, [2, 5], { dtype: "int32" }));
  assert.equal(bag.training, true, "the model's mode is restored");
  await roundTrip("embedding", bag, randint(0, 20, [2, 5], { dtype: "int32" }), randint(0, 20, [4, 5], { dtype: "int32" }));
  // the recommender example's matrix factorisation: (user, item) index pairs in, a rating out
  class MatrixFactorization extends nn.Module {
    users = new nn.Embedding(50, 8);
    items = new nn.Embedding(30, 8);
    userBias = new nn.Embedding(50, 1);
    override forward(pair: Tensor): Tensor {
      const u = pair.select(1, 0), i = pair.select(1, 1);
      return this.users.forward(u).mul(this.items.forward(i)).sum(1).add(this.userBias.forward(u).squeeze(1)).add(3.5);
    }
  }
  await roundTrip("matrix factorisation", new MatrixFactorization(), randint(0, 30, [4, 2], { dtype: "int32" }), randint(0, 30, [9, 2], { dtype: "int32" }));
});

test("expand: along the batch it follows the input; from a size-1 dim to the batch it reads the input's batch size", async () => {
  class Tile extends nn.Module {
    fc = new nn.Linear(3, 1);
    override forward(x: Tensor): Tensor {
      return this.fc.forward(x).expand(x.shape[0]!, 4).add(x.sum([1], true)); // [N, 1] → [N, 4]
    }
  }
  manualSeed(6);
  await roundTrip("expand", new Tile(), randn(2, 3), randn(5, 3));
  class Bias extends nn.Module {
    b = new nn.Linear(1, 3);
    override forward(x: Tensor): Tensor {
      return x.add(this.b.bias!.unsqueeze(0).expand(x.shape[0]!, 3)); // [1, 3] → [N, 3]
    }
  }
  await roundTrip("expand from a size-1 dim to the batch", new Bias(), randn(2, 3), randn(5, 3));
});

test("recurrent layers: LSTM (2 layers, bidirectional, batch first) in a sentiment model, GRU states, RNN with h0", async () => {
  class Sentiment extends nn.Module {
    emb = new nn.Embedding(20, 6);
    lstm = new nn.LSTM(6, 5, { batchFirst: true, numLayers: 2, bidirectional: true });
    head = new nn.Linear(10, 2);
    override forward(ids: Tensor): Tensor {
      const [out] = this.lstm.forward(this.emb.forward(ids));
      return this.head.forward(out.select(1, -1));
    }
  }
  manualSeed(7);
  await roundTrip("LSTM", new Sentiment(), randint(0, 20, [2, 7], { dtype: "int32" }), randint(0, 20, [4, 7], { dtype: "int32" }));

  class Gru extends nn.Module {
    gru = new nn.GRU(3, 4, { bidirectional: true });
    override forward(x: Tensor): Tensor[] {
      const [out, h] = this.gru.forward(x);
      return [out, h];
    }
  }
  const gru = new Gru();
  // time-major: the time and batch dims are both free
  const bytes = io.exportOnnxBytes(gru, randn(6, 2, 3), { dynamicAxes: { input: [0, 1], output_0: [0, 1], output_1: [1] } });
  const x = randn(9, 5, 3);
  const got = await runOnnx(bytes, { input: x });
  const [out, h] = gru.forward(x);
  assertMatches("GRU output", got.output_0!, out!);
  assertMatches("GRU h_n", got.output_1!, h!);

  class Rnn extends nn.Module {
    rnn = new nn.RNN(3, 4, { nonlinearity: "relu", numLayers: 2 });
    override forward(x: Tensor, h0: Tensor): Tensor {
      return this.rnn.forward(x, h0)[0].narrow(0, 1, 3);
    }
  }
  const rnn = new Rnn();
  const [x0, h0] = [randn(5, 2, 3), randn(2, 2, 4)];
  const rb = io.exportOnnxBytes(rnn, [x0, h0], { dynamicBatch: false });
  const r = await runOnnx(rb, { input_0: x0, input_1: h0 });
  assertMatches("RNN with h0, narrowed", r.output!, rnn.forward(x0, h0));
});

test("a decoder of images: ConvTranspose2d, GroupNorm, Upsample (nearest and bilinear)", async () => {
  manualSeed(9);
  const net = new nn.Sequential(
    new nn.ConvTranspose2d(4, 6, 3, { stride: 2, padding: 1, outputPadding: 1 }),
    new nn.GroupNorm(3, 6),
    new nn.ReLU(),
    new nn.Upsample({ scaleFactor: 2, mode: "nearest" }),
    new nn.Conv2d(6, 2, 3, { padding: 1 }),
    new nn.Upsample({ scaleFactor: 2, mode: "bilinear" }),
    new nn.Upsample({ size: [40, 40], mode: "bilinear", alignCorners: true }),
  );
  await roundTrip("image decoder", net, randn(1, 4, 5, 5), randn(3, 4, 5, 5));
  class Functional extends nn.Module {
    conv = new nn.Conv2d(2, 2, 1);
    override forward(x: Tensor): Tensor {
      return F.interpolate(this.conv.forward(x), { scaleFactor: 3, mode: "bilinear" }).add(F.interpolate(x, { size: [12, 12] }));
    }
  }
  await roundTrip("F.interpolate", new Functional(), randn(1, 2, 4, 4), randn(2, 2, 4, 4));
});

test("Resize for every interpolate mode with an exact ONNX form; area and antialias refused", async () => {
  manualSeed(10);
  const up = (o: nn.UpsampleOptions) => new nn.Upsample(o);
  const cases: [string, nn.Module, number[]][] = [
    ["nearest, scale 1.5", up({ scaleFactor: [1.5, 1.7] }), [5, 7]],
    ["nearest-exact", up({ scaleFactor: [1.5, 0.6], mode: "nearest-exact" }), [5, 7]],
    ["nearest-exact, size", up({ size: [8, 3], mode: "nearest-exact" }), [5, 7]],
    ["bilinear to one row", up({ size: [1, 9], mode: "bilinear" }), [5, 7]],
    ["bilinear, scale 1.5", up({ scaleFactor: 1.5, mode: "bilinear" }), [5, 7]],
    ["bicubic", up({ size: [9, 11], mode: "bicubic" }), [5, 7]],
    ["bicubic, downsample", up({ size: [3, 4], mode: "bicubic" }), [5, 7]],
    ["bicubic, align corners", up({ scaleFactor: 2, mode: "bicubic", alignCorners: true }), [5, 7]],
    ["linear", up({ size: 11, mode: "linear" }), [6]],
    ["linear, align corners", up({ scaleFactor: 2.5, mode: "linear", alignCorners: true }), [6]],
    ["trilinear", up({ size: [3, 5, 4], mode: "trilinear" }), [2, 3, 3]],
    ["nearest 3-D", up({ scaleFactor: [2, 1.5, 0.7] }), [2, 3, 3]],
  ];
  for (const [what, m, spatial] of cases) await roundTrip(what, m, randn(1, 2, ...spatial), randn(3, 2, ...spatial));
  class Cubic extends nn.Module {
    override forward(x: Tensor): Tensor {
      return F.interpolate(x, { scaleFactor: [1.5, 2], mode: "bicubic" }).add(F.interpolate(x, { scaleFactor: [1.5, 2], mode: "nearest-exact" }));
    }
  }
  await roundTrip("F.interpolate bicubic + nearest-exact", new Cubic(), randn(1, 2, 4, 5), randn(2, 2, 4, 5));
  const x = randn(1, 2, 8, 8);
  assertThrowsTensile(() => io.exportOnnxBytes(up({ size: [3, 3], mode: "area" }), [x]), /exportOnnx: interpolation mode "area" has no exact ONNX Resize form/);
  class Antialias extends nn.Module {
    override forward(t: Tensor): Tensor {
      return F.interpolate(t, { size: [3, 3], mode: "bilinear", antialias: true });
    }
  }
  assertThrowsTensile(() => io.exportOnnxBytes(new Antialias(), [x]), /exportOnnx: interpolate with antialias \(mode "bilinear"\) has no exact ONNX opset 17 Resize form/);
});

test("the wider layer set: activations, instance norm, LRN, pixel (un)shuffle, padding, 1-D and 3-D layers, trig ops", async () => {
  manualSeed(12);
  const randomize = (m: nn.Module) => noGrad(() => {
    for (const p of m.parameters()) p.copy_(randn(p.shape).mul(0.5).add(p.detach()));
  });
  const image = new nn.Sequential(
    new nn.Conv2d(1, 4, 3, { padding: 1 }), new nn.InstanceNorm2d(4, { affine: true }), new nn.PReLU(4),
    new nn.ReflectionPad2d(1), new nn.Conv2d(4, 8, 3), new nn.PixelShuffle(2), new nn.Hardswish(),
    new nn.ZeroPad2d([1, 1, 0, 2]), new nn.ReplicationPad2d(1), new nn.PixelUnshuffle(2), new nn.LocalResponseNorm(3),
    new nn.Mish(), new nn.ConstantPad2d(1, 0.5), new nn.Softmax2d(), new nn.Flatten(), new nn.Linear(8 * 12 * 12, 6), new nn.GLU(),
  );
  randomize(image);
  await roundTrip("image stack", image, randn(1, 1, 8, 8), randn(3, 1, 8, 8));
  // each activation on its own copy of the input (a chain of them would flatten the differences)
  class Pointwise extends nn.Module {
    acts = new nn.ModuleList([new nn.ReLU6(), new nn.CELU(0.7), new nn.Hardsigmoid(), new nn.Hardswish(), new nn.Softsign(),
      new nn.Mish(), new nn.Tanhshrink(), new nn.Hardshrink(0.5), new nn.Softshrink(0.3), new nn.Threshold(0.2, -1),
      new nn.Softmin(1), new nn.PReLU(), new nn.Hardtanh(-0.5, 2)]);
    override forward(x: Tensor): Tensor {
      return cat([...this.acts.children()].map((a) => a.forward(x.mul(4)) as Tensor), 1);
    }
  }
  const pw = new Pointwise();
  await roundTrip("activations", pw, randn(1, 6), randn(4, 6));
  // clamp as recorded (one node, Max then Min in ONNX), with number and tensor bounds
  class Clamps extends nn.Module {
    lo = new nn.Parameter(randn(6).mul(0.2).sub(0.5));
    override forward(x: Tensor): Tensor {
      return cat([x.clamp(-0.5, 0.5), x.clamp(this.lo), x.clamp(null, 0.25), x.clamp(this.lo, 1)], 1);
    }
  }
  await roundTrip("clamp", new Clamps(), randn(1, 6), randn(4, 6));

  const seq = new nn.Sequential(
    new nn.ConvTranspose1d(3, 4, 3, { stride: 2, padding: 1, outputPadding: 1 }), new nn.InstanceNorm1d(4),
    new nn.AvgPool1d(2), new nn.ReflectionPad1d(2), new nn.ReplicationPad1d(1), new nn.ConstantPad1d([1, 2], -1),
    new nn.AdaptiveAvgPool1d(1), new nn.Flatten(),
  );
  await roundTrip("sequence stack", seq, randn(1, 3, 10), randn(4, 3, 10));

  const volume = new nn.Sequential(new nn.Conv3d(1, 2, 3, { padding: 1 }), new nn.BatchNorm3d(2), new nn.MaxPool3d(2), new nn.AvgPool3d(2));
  for (let i = 0; i < 3; i++) volume.forward(randn(2, 1, 8, 8, 8).add(1));
  await roundTrip("3-D stack", volume, randn(1, 1, 8, 8, 8), randn(2, 1, 8, 8, 8));

  // instance norm with tracked statistics normalises by them in eval, as batch norm does
  const tracked = new nn.Sequential(new nn.InstanceNorm2d(3, { trackRunningStats: true, affine: true }), new nn.Tanh());
  for (let i = 0; i < 3; i++) tracked.forward(randn(4, 3, 5, 5).mul(2).add(1));
  tracked.eval();
  await roundTrip("tracked instance norm", tracked, randn(1, 3, 5, 5), randn(2, 3, 5, 5));

  class Trig extends nn.Module {
    fc = new nn.Linear(4, 4);
    override forward(x: Tensor): Tensor {
      const h = this.fc.forward(x).tanh().mul(0.9);
      return h.asin().add(h.acos()).add(h.atan()).add(h.atanh()).add(h.sinh()).add(h.cosh()).add(h.asinh())
        .add(h.add(2).acosh()).add(h.mul(0.5).tan());
    }
  }
  await roundTrip("trig ops", new Trig(), randn(2, 4), randn(5, 4));
  assertThrowsTensile(() => io.exportOnnxBytes(new nn.LocalResponseNorm(4), randn(1, 6, 3, 3)), /exportOnnx: LocalResponseNorm with an even size \(4\)/);
});

test("Transformers: an encoder with a causal mask, and an encoder-decoder given its padding mask as an input", async () => {
  manualSeed(8);
  class Causal extends nn.Module {
    enc = new nn.TransformerEncoder(new nn.TransformerEncoderLayer(8, 2, { dimFeedforward: 16, batchFirst: true, activation: "gelu" }), 2);
    override forward(x: Tensor): Tensor {
      return this.enc.forward(x, { srcMask: nn.Transformer.generateSquareSubsequentMask(5) });
    }
  }
  await roundTrip("causal encoder", new Causal(), randn(2, 5, 8), randn(3, 5, 8));
  class Seq2Seq extends nn.Module {
    t = new nn.Transformer({ dModel: 8, nhead: 2, numEncoderLayers: 1, numDecoderLayers: 1, dimFeedforward: 16, batchFirst: true });
    override forward(src: Tensor, tgt: Tensor, srcPad: Tensor): Tensor {
      return this.t.forward(src, tgt, { tgtMask: nn.Transformer.generateSquareSubsequentMask(4), srcKeyPaddingMask: srcPad, memoryKeyPaddingMask: srcPad });
    }
  }
  const m = new Seq2Seq();
  const pad = (n: number) => tensor(Array.from({ length: n }, (_, i) => [false, false, false, i % 2 === 0, i % 2 === 0]));
  const bytes = io.exportOnnxBytes(m, [randn(2, 5, 8), randn(2, 4, 8), pad(2)], { inputNames: ["src", "tgt", "src_pad"] });
  m.eval();
  const [src, tgt, sp] = [randn(3, 5, 8), randn(3, 4, 8), pad(3)];
  const got = await runOnnx(bytes, { src, tgt, src_pad: sp });
  assertMatches("seq2seq", got.output!, m.forward(src, tgt, sp));
});

test("the export is the same from either backend (tracing does not depend on which kernels ran)", () => {
  const build = () => {
    manualSeed(10);
    class Net extends nn.Module {
      conv = new nn.Conv2d(1, 4, 3, { padding: 1 });
      bn = new nn.BatchNorm2d(4);
      fc = new nn.Linear(4 * 6 * 6, 3);
      override forward(x: Tensor): Tensor {
        const h = F.elu(this.bn.forward(this.conv.forward(x)), 0.5);
        return F.logSoftmax(this.fc.forward(F.maxPool2d(h, 2).flatten(1)), 1);
      }
    }
    return io.exportOnnxBytes(new Net(), randn(2, 1, 12, 12));
  };
  const onWasm = build();
  const onReference = withBackend("reference", build);
  assert.equal(onReference.length, onWasm.length);
  assert.ok(onReference.every((b, i) => b === onWasm[i]), "the bytes differ");
});

test("exportOnnx writes the file atomically; names and a fixed batch are options", async () => {
  manualSeed(4);
  const model = new nn.Sequential(new nn.Linear(3, 2), new nn.Softmax(1));
  const dir = mkdtempSync(join(tmpdir(), "tensile-onnx-"));
  try {
    const path = join(dir, "m.onnx");
    io.exportOnnx(model, randn(1, 3), path, { inputNames: ["x"], outputNames: ["probs"], dynamicBatch: false });
    const bytes = new Uint8Array(readFileSync(path));
    const x = randn(1, 3);
    const got = await runOnnx(bytes, { x });
    assertMatches("named", got.probs!, model.forward(x));
    const session = await ort.InferenceSession.create(bytes);
    assert.deepEqual(session.inputNames, ["x"]);
    assert.deepEqual(session.outputNames, ["probs"]);
    // exporting draws nothing from the default random stream
    manualSeed(9);
    randn(2, 3);
    const expected = randn(4).toArray();
    manualSeed(9);
    io.exportOnnxBytes(model, randn(2, 3));
    assert.deepEqual(randn(4).toArray(), expected);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("what cannot be exported is refused, naming it", () => {
  manualSeed(5);
  // a mask computed from the input by a comparison is a node (Greater), no constant: exported (test/io-onnx-more.test.ts runs it)
  class Masked extends nn.Module {
    fc = new nn.Linear(4, 4);
    override forward(x: Tensor): Tensor {
      return this.fc.forward(x).mul(x.gt(0));
    }
  }
  assert.ok(io.exportOnnxBytes(new Masked(), randn(3, 4)).length > 0);
  // a tensor sized by the batch, made inside forward
  class Sized extends nn.Module {
    fc = new nn.Linear(4, 2);
    override forward(x: Tensor): Tensor {
      return this.fc.forward(x).add(randn(x.shape[0]!, 2).mul(0).add(1));
    }
  }
  assertThrowsTensile(() => io.exportOnnxBytes(new Sized(), randn(3, 4)), /^exportOnnx: a tensor of shape \[3, 2\] that the export sees as a constant changed with the input/);
  class Cumulative extends nn.Module {
    fc = new nn.Linear(4, 3);
    override forward(x: Tensor): Tensor {
      return this.fc.forward(x).cumsum(1);
    }
  }
  assert.ok(io.exportOnnxBytes(new Cumulative(), randn(5, 4)).length > 0); // CumSum now
  // an index taken from the batch size
  class Last extends nn.Module {
    fc = new nn.Linear(4, 3);
    override forward(x: Tensor): Tensor {
      return this.fc.forward(x).select(0, -1);
    }
  }
  assertThrowsTensile(() => io.exportOnnxBytes(new Last(), randn(5, 4)), /^exportOnnx: the constant \w+ \(.*\) follows the batch size/);
  assertThrowsTensile(() => io.exportOnnxBytes(new nn.Conv2d(1, 2, 3, { paddingMode: "reflect" }), randn(1, 1, 5, 5)), /^exportOnnx: Conv2d with paddingMode "reflect" is not supported/);
  assertThrowsTensile(() => io.exportOnnxBytes(new nn.Linear(2, 2), [] as never), /^exportOnnx: inputs must be a Tensor or an array of Tensors/);
  assertThrowsTensile(() => io.exportOnnxBytes(new nn.Softmax(), randn(2, 3)), /^exportOnnx: Softmax without a dim cannot be exported/);
  const lin = new nn.Linear(3, 2);
  assertThrowsTensile(() => io.exportOnnxBytes(lin, randn(2, 3), { inputNames: "x" as never }), /^exportOnnx: inputNames must be an array of distinct non-empty strings, got "x"/);
  assertThrowsTensile(() => io.exportOnnxBytes(lin, randn(2, 3), { outputNames: ["y", "y"] }), /^exportOnnx: outputNames must be an array of distinct/);
  assertThrowsTensile(() => io.exportOnnxBytes(lin, randn(2, 3), { inputNames: ["a", "b"] }), /^exportOnnx: 1 inputs but 2 inputNames/);
  assertThrowsTensile(() => io.exportOnnxBytes(lin, randn(2, 3), { dynamicBatch: "yes" as never }), /^exportOnnx: dynamicBatch must be true or false/);
  assertThrowsTensile(() => io.exportOnnxBytes(lin, randn(2, 3), { dynamicAxes: { input: [-1] } }), /^exportOnnx: dynamicAxes must map names to arrays of dims/);
  assertThrowsTensile(() => io.exportOnnxBytes(42 as never, randn(2, 3)), /^exportOnnx: model must be an nn.Module or a function/);
});
