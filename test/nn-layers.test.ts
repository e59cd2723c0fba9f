/**
 * nn layers: forward outputs and gradients for given weights against PyTorch (fixtures/nn-layers.json),
 * training-mode dropout statistics, container APIs and bad-input errors.
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { Tensor, manualSeed, noGrad, ones, randn, tensor } from "../src/core.js";
import * as nn from "../src/nn/index.js";
import { type Enc, assertClose, assertThrowsTensile, dec, loadNnFixture } from "./nn-helpers.js";

const F = nn.functional;

const builders: Record<string, () => nn.Module> = {
  "Linear(5, 3)": () => new nn.Linear(5, 3),
  "Linear(5, 3) 3-D input": () => new nn.Linear(5, 3),
  "Linear(5, 3, bias=False)": () => new nn.Linear(5, 3, false),
  "Linear(5, 3) 1-D input": () => new nn.Linear(5, 3),
  "Bilinear(4, 3, 2)": () => new nn.Bilinear(4, 3, 2),
  "Bilinear(4, 3, 2) 3-D input": () => new nn.Bilinear(4, 3, 2),
  "Embedding(10, 4)": () => new nn.Embedding(10, 4),
  "Embedding(10, 4, padding_idx=1)": () => new nn.Embedding(10, 4, 1),
  "Embedding(10, 4, max_norm=1.0)": () => new nn.Embedding(10, 4, { maxNorm: 1 }),
  "Flatten()": () => new nn.Flatten(),
  "Flatten(0, 2)": () => new nn.Flatten(0, 2),
  "Unflatten(1, (2, 5))": () => new nn.Unflatten(1, [2, 5]),
  "Unflatten(-1, (2, 2))": () => new nn.Unflatten(-1, [2, 2]),
  "Softmax(dim=0)": () => new nn.Softmax(0),
  "Softmax(dim=1)": () => new nn.Softmax(1),
  "Softmax(dim=2)": () => new nn.Softmax(2),
  "Softmax(dim=-1)": () => new nn.Softmax(-1),
  "Softmax() [5]": () => new nn.Softmax(),
  "Softmax() [3, 4]": () => new nn.Softmax(),
  "Softmax() [2, 3, 4]": () => new nn.Softmax(),
  "Softmax() [2, 3, 2, 2]": () => new nn.Softmax(),
  "LogSoftmax(dim=1)": () => new nn.LogSoftmax(1),
  "Dropout(0.5) eval": () => new nn.Dropout(0.5),
  "AlphaDropout(0.2) eval": () => new nn.AlphaDropout(0.2),
  "ReLU()": () => new nn.ReLU(),
  "LeakyReLU(0.2)": () => new nn.LeakyReLU(0.2),
  "ELU(0.5)": () => new nn.ELU(0.5),
  "SELU()": () => new nn.SELU(),
  "GELU()": () => new nn.GELU(),
  "GELU('tanh')": () => new nn.GELU({ approximate: "tanh" }),
  "SiLU()": () => new nn.SiLU(),
  "Sigmoid()": () => new nn.Sigmoid(),
  "LogSigmoid()": () => new nn.LogSigmoid(),
  "Tanh()": () => new nn.Tanh(),
  "Softplus(2, 1)": () => new nn.Softplus(2, 1),
  "Hardtanh(-0.5, 0.5)": () => new nn.Hardtanh(-0.5, 0.5),
  "Identity()": () => new nn.Identity(),
  "Sequential(Linear(3, 4), Tanh(), Linear(4, 2))": () => new nn.Sequential(new nn.Linear(3, 4), new nn.Tanh(), new nn.Linear(4, 2)),
};

interface LayerCase {
  name: string;
  inputs: Enc[];
  params: Record<string, Enc>;
  output: Enc;
  upstream?: Enc;
  inputGrads?: (Enc | null)[];
  paramGrads?: Record<string, Enc>;
}
const fx = loadNnFixture<{
  cases: LayerCase[];
  dropoutTrain: { p: number; zeroFraction: number; keptValue: number }[];
  alphaDropoutTrain: { p: number; mean: number; std: number }[];
}>("nn-layers.json");

describe("layer forward (and backward) matches PyTorch for given weights", () => {
  for (const c of fx.cases) {
    test(c.name, () => {
      const build = builders[c.name];
      assert.ok(build, `no builder for ${c.name}`);
      const m = build().eval();
      const params = Object.fromEntries(m.namedParameters());
      noGrad(() => {
        for (const [k, v] of Object.entries(c.params)) params[k]!.copy_(dec(v));
      });
      const grads = c.upstream !== undefined;
      const inputs = c.inputs.map((e) => dec(e, { requiresGrad: grads && e.dtype !== "int32" }));
      const out = m.forward(...inputs) as Tensor;
      assertClose(`${c.name} output`, out, c.output, 1e-5, 1e-5);
      if (!grads) return;
      out.mul(dec(c.upstream!)).sum().backward();
      c.inputGrads!.forEach((g, i) => {
        if (g) assertClose(`${c.name} grad of input ${i}`, inputs[i]!.grad!, g, 1e-4, 1e-5);
      });
      for (const [k, g] of Object.entries(c.paramGrads!)) assertClose(`${c.name} grad of ${k}`, params[k]!.grad!, g, 1e-4, 1e-5);
    });
  }
});

describe("training-mode dropout", () => {
  const n = 200_000;
  for (const { p, zeroFraction, keptValue } of fx.dropoutTrain) {
    test(`Dropout(${p}) drops a fraction p, scales the rest by 1/(1-p), like PyTorch's sample`, () => {
      manualSeed(0);
      const y = new nn.Dropout(p).forward(ones([n])).dataSync();
      const zeros = y.filter((v) => v === 0).length / n;
      // Two independent binomial fractions: difference within 6 standard errors.
      const se = Math.sqrt((2 * p * (1 - p)) / n);
      assert.ok(Math.abs(zeros - zeroFraction) < 6 * se, `zero fraction ${zeros} vs PyTorch ${zeroFraction}`);
      for (const v of y) if (v !== 0) assert.ok(Math.abs(v - keptValue) < 1e-6, `kept value ${v} vs PyTorch ${keptValue}`);
    });
  }
  for (const { p, mean, std } of fx.alphaDropoutTrain) {
    test(`AlphaDropout(${p}) keeps N(0, 1) inputs at PyTorch's mean and std`, () => {
      manualSeed(0);
      const y = new nn.AlphaDropout(p).forward(randn([n]));
      const tol = 6 * Math.sqrt(2 / n); // six standard errors of a difference of two sample means (unit variance)
      assert.ok(Math.abs(y.mean().item() - mean) < tol, `mean ${y.mean().item()} vs PyTorch ${mean}`);
      assert.ok(Math.abs(y.std().item() - std) < tol, `std ${y.std().item()} vs PyTorch ${std}`);
    });
  }
  test("F.dropout passes gradients only through kept elements; p = 0, p = 1 and eval are exact", () => {
    const x = ones([1000], { requiresGrad: true });
    const y = F.dropout(x, 0.3);
    y.sum().backward();
    assert.deepEqual([...x.grad!.dataSync()], [...y.dataSync()]);
    assert.deepEqual(F.dropout(x, 1).abs().sum().item(), 0);
    assert.equal(F.dropout(x, 0), x);
    assert.equal(F.dropout(x, 0.5, false), x);
    assert.equal(F.alphaDropout(x, 0.5), x, "alphaDropout defaults to training = false, as PyTorch's");
    assertThrowsTensile(() => F.dropout(x, 1.5), /dropout: dropout probability has to be between 0 and 1, but got 1.5/);
    assertThrowsTensile(() => new nn.Dropout(-0.1), /between 0 and 1/);
  });
});

describe("containers", () => {
  test("Sequential: indexing, append, insert, slice, iteration", () => {
    const a = new nn.Linear(2, 3), r = new nn.ReLU(), b = new nn.Linear(3, 1);
    const seq = new nn.Sequential(a, r);
    assert.equal(seq[0], a);
    assert.equal(seq.at(-1), r);
    seq.append(b);
    assert.equal(seq.length, 3);
    assert.deepEqual([...seq], [a, r, b]);
    const t = new nn.Tanh();
    seq.insert(1, t);
    assert.deepEqual(Object.keys(seq.stateDict()), ["0.weight", "0.bias", "3.weight", "3.bias"]);
    assert.equal(seq[1], t);
    assert.deepEqual([...seq.slice(1, 3)], [t, r]);
    assert.deepEqual(seq.forward(ones([4, 2])).shape, [4, 1]);
    assertThrowsTensile(() => seq.at(4), /Sequential.at: index 4 is out of range for length 4/);
    assertThrowsTensile(() => new nn.Sequential(new nn.ReLU(), 3 as never), /Sequential: argument 1 is not a Module/);
  });

  test("Sequential holding one module twice runs it twice", () => {
    const lin = new nn.Linear(2, 2);
    const seq = new nn.Sequential(lin, lin);
    assert.equal(seq.length, 2);
    const x = randn([1, 2]);
    assert.deepEqual(seq.forward(x).toArray(), lin.forward(lin.forward(x)).toArray());
    assert.equal(seq.parameters().length, 2);
  });

  test("ModuleList: append, insert and pop renumber keys", () => {
    const l = new nn.ModuleList([new nn.Linear(1, 1), new nn.Linear(1, 2)]);
    const c = new nn.Linear(1, 3);
    l.insert(0, c);
    assert.deepEqual(Object.keys(l.stateDict()).filter((k) => k.endsWith("weight")), ["0.weight", "1.weight", "2.weight"]);
    assert.equal(l[0], c);
    assert.equal(l.pop(0), c);
    assert.equal(l.length, 2);
    assert.deepEqual(l.at(-1).weight.shape, [2, 1]);
    assertThrowsTensile(() => l.forward(), /ModuleList has no forward/);
  });

  test("ModuleDict: keys that clash with method names, order, get errors", () => {
    const d = new nn.ModuleDict({ keys: new nn.Linear(1, 1), b: new nn.ReLU() });
    d.set("a", new nn.Linear(1, 2));
    assert.deepEqual(d.keys(), ["keys", "b", "a"]);
    assert.deepEqual(Object.keys(d.stateDict()), ["keys.weight", "keys.bias", "a.weight", "a.bias"]);
    assert.equal(d.size, 3);
    assert.ok(d.pop("b") instanceof nn.ReLU);
    assert.deepEqual([...d], ["keys", "a"]);
    assertThrowsTensile(() => d.get("zz"), /ModuleDict.get: no module under key "zz"/);
    assertThrowsTensile(() => d.set("x.y", new nn.ReLU()), /without "\."/);
  });
});

describe("Embedding", () => {
  test("paddingIdx row starts at zero; negative paddingIdx counts from the end", () => {
    const e = new nn.Embedding(6, 3, -2);
    assert.equal(e.paddingIdx, 4);
    assert.deepEqual(e.weight.index([4]).toArray(), [0, 0, 0]);
    assert.ok(e.weight.abs().sum().item() > 0);
    assertThrowsTensile(() => new nn.Embedding(6, 3, 6), /padding_idx 6 must be within num_embeddings \(6\)/);
  });

  test("fromPretrained copies and freezes", () => {
    const w = tensor([[1, 2.5], [3, 4]]);
    const e = nn.Embedding.fromPretrained(w);
    assert.equal(e.weight.requiresGrad, false);
    assert.deepEqual(e.forward(tensor([1, 0], { dtype: "int32" })).toArray(), [[3, 4], [1, 2.5]]);
    assert.equal(nn.Embedding.fromPretrained(w, { freeze: false }).weight.requiresGrad, true);
  });

  test("bad indices and dtypes name the problem", () => {
    const e = new nn.Embedding(10, 3);
    assertThrowsTensile(() => e.forward(tensor([1, 10], { dtype: "int32" })), /embedding: index 10 is out of range for 10 embeddings/);
    assertThrowsTensile(() => e.forward(tensor([-1], { dtype: "int32" })), /index -1 is out of range/);
    assertThrowsTensile(() => e.forward(tensor([1, 2], { dtype: "float32" })), /embedding: expected an int32 index tensor, got float32/);
  });
});

test("F.linear / F.bilinear reject mismatched shapes naming them", () => {
  assertThrowsTensile(() => F.linear(randn([64, 780]), randn([500, 784])), /linear: input shape \[64, 780\] and weight shape \[500, 784\] cannot be multiplied \(780 != 784\)/);
  assertThrowsTensile(() => F.linear(randn([2, 4]), randn([3, 4]), randn([4])), /linear: bias shape \[4\] does not match weight shape \[3, 4\]/);
  assertThrowsTensile(() => new nn.Linear(4, 3).forward(randn([2, 5])), /cannot be multiplied \(5 != 4\)/);
  assertThrowsTensile(() => F.bilinear(randn([2, 4]), randn([3, 3]), randn([2, 4, 3])), /bilinear: input1 \[2, 4\] and input2 \[3, 3\] must have the same batch dimensions/);
  assertThrowsTensile(() => F.bilinear(randn([2, 4]), randn([2, 2]), randn([2, 4, 3])), /do not match weight \[2, 4, 3\]/);
  assertThrowsTensile(() => new nn.Linear(-1, 3), /Linear: in_features must be a non-negative integer, got -1/);
});

test("float64 layers via the dtype option", () => {
  const lin = new nn.Linear(3, 2, { dtype: "float64" });
  assert.equal(lin.weight.dtype, "float64");
  assert.equal(lin.forward(randn([1, 3], { dtype: "float64" })).dtype, "float64");
});

test("CosineSimilarity and PairwiseDistance call their functional forms (values from PyTorch in the op table)", () => {
  const a = randn([3, 4]), b = randn([3, 4]);
  const same = (x: Tensor, y: Tensor) => assert.deepEqual(Array.from(x.dataSync()), Array.from(y.dataSync()));
  same(new nn.CosineSimilarity().forward(a, b), nn.functional.cosineSimilarity(a, b));
  same(new nn.CosineSimilarity(0, 1e-3).forward(a, b), nn.functional.cosineSimilarity(a, b, { dim: 0, eps: 1e-3 }));
  same(new nn.CosineSimilarity({ dim: 0 }).forward(a, b), nn.functional.cosineSimilarity(a, b, 0));
  same(new nn.PairwiseDistance(1, 1e-6, true).forward(a, b), nn.functional.pairwiseDistance(a, b, { p: 1, keepdim: true }));
  assert.deepEqual(new nn.PairwiseDistance({ keepdim: true }).forward(a, b).shape, [3, 1]);
  assert.equal(String(new nn.CosineSimilarity()), "CosineSimilarity()");
  assert.equal(String(new nn.PairwiseDistance()), "PairwiseDistance()");
  // a unit vector per row, and a zero row stays zero
  const u = nn.functional.normalize(tensor([[3, 4], [0, 0]]), { dim: 1 });
  assert.deepEqual(Array.from(u.dataSync()).map((v) => Math.round(v * 1e6) / 1e6), [0.6, 0.8, 0, 0]);
  assertThrowsTensile(() => nn.functional.cosineSimilarity(randn([2, 3]), randn([4])), /^cosineSimilarity: /);
});

// ---- the added layers' APIs and errors (values and gradients against PyTorch are
// in the op table, fixtures/ops-nn.json, and in test/cnn-modules.test.ts) ----

describe("added layers: APIs and bad input", () => {
  test("functional errors name the op and the shapes or values at fault", () => {
    assertThrowsTensile(() => F.convTranspose1d(randn([1, 3, 4]), randn([2, 2, 3])), /^convTranspose1d: expected input \[1, 3, 4\] to have 2 channels/);
    assertThrowsTensile(() => F.avgPool1d(randn([1, 2, 3, 4]), 2), /^avgPool1d: expected 2D \(unbatched\) or 3D \(batched\) input/);
    assertThrowsTensile(() => F.adaptiveMaxPool2d(randn([1, 2, 4, 4]), [2, 1.5]), /^adaptiveMaxPool2d: output_size must be non-negative integers, got \[2,1.5\]/);
    assertThrowsTensile(() => F.adaptiveMaxPool1d(randn([1, 2, 4]), [2, 2]), /^adaptiveMaxPool1d: output_size must be an integer or a list of 1 integers/);
    assertThrowsTensile(() => F.lpPool2d(randn([1, 2, 4, 4]), 0, 2), /^lpPool2d: norm_type must be a non-zero number, got 0/);
    assertThrowsTensile(() => F.instanceNorm(randn([2, 3])), /^instanceNorm: expected input with at least 3 dims \[N, C, \*\], got shape \[2, 3\]/);
    assertThrowsTensile(() => F.instanceNorm(randn([2, 3, 1])), /^instanceNorm: expected more than 1 spatial element when training, got input size \[2, 3, 1\]/);
    assertThrowsTensile(() => F.instanceNorm(randn([2, 3, 4]), null, null, { useInputStats: false }), /^instanceNorm: expected running_mean and running_var/);
    assertThrowsTensile(() => F.localResponseNorm(randn([2, 3]), 2), /^localResponseNorm: expected 3D or higher dimensional input, got shape \[2, 3\]/);
    assertThrowsTensile(() => F.pixelShuffle(randn([1, 3, 2, 2]), 2), /^pixelShuffle: .*input.size\(-3\)=3 is not divisible by 4/);
    assertThrowsTensile(() => F.pixelUnshuffle(randn([1, 3, 3, 2]), 2), /^pixelUnshuffle: .*input of size \[1, 3, 3, 2\] and downscale_factor=2/);
    assertThrowsTensile(() => F.channelShuffle(randn([1, 3, 2]), 2), /^channelShuffle: number of channels must be divisible by groups, got 3 channels and groups=2/);
    const w = randn([3, 2]);
    assertThrowsTensile(() => F.embeddingBag(tensor([[1, 2]]), w, tensor([0])), /^embeddingBag: if input is 2D, then offsets has to be None/);
    assertThrowsTensile(() => F.embeddingBag(tensor([1, 2]), w), /^embeddingBag: offsets has to be a 1D Tensor but got null/);
    assertThrowsTensile(() => F.embeddingBag(tensor([1, 2]), w, tensor([1])), /^embeddingBag: offsets\[0\] has to be 0.*got 1/);
    assertThrowsTensile(() => F.embeddingBag(tensor([1, 2]), w, tensor([0, 3])), /^embeddingBag: offsets must be non-decreasing and at most the input length 2/);
    assertThrowsTensile(() => F.embeddingBag(tensor([1, 2]), w, tensor([0]), { perSampleWeights: ones([2]) }), /^embeddingBag: per_sample_weights is only supported for mode='sum'/);
    assertThrowsTensile(() => F.embeddingBag(tensor([1, 2]), w, tensor([0]), { mode: "sum", perSampleWeights: ones([3]) }), /^embeddingBag: per_sample_weights must have the same shape as input \[2\], got \[3\]/);
    assertThrowsTensile(() => F.embeddingBag(tensor([1, 5]), w, tensor([0])), /^embeddingBag: index 5 is out of range for 3 embeddings/);
    assertThrowsTensile(() => F.embeddingBag(tensor([1, 2]), w, tensor([0]), { mode: "min" as never }), /^embeddingBag: mode has to be one of sum, mean or max/);
  });

  test("LocalResponseNorm takes its options positionally or as an object, layer and function alike", () => {
    const x = randn([2, 6, 3, 3]);
    const want = new nn.LocalResponseNorm(3, 1e-3, 0.5, 2).forward(x).dataSync();
    for (const y of [new nn.LocalResponseNorm(3, { alpha: 1e-3, beta: 0.5, k: 2 }).forward(x), F.localResponseNorm(x, 3, { alpha: 1e-3, beta: 0.5, k: 2 }),
      F.localResponseNorm(x, 3, 1e-3, { beta: 0.5, k: 2 })])
      assert.deepEqual([...y.dataSync()], [...want]);
    assert.notDeepEqual([...new nn.LocalResponseNorm(3).forward(x).dataSync()], [...want]);
    assert.equal(new nn.LocalResponseNorm(3, { k: 2 }).toString(), "LocalResponseNorm(3, alpha=0.0001, beta=0.75, k=2.0)");
    assertThrowsTensile(() => new nn.LocalResponseNorm(3, { alhpa: 1 } as never), /^LocalResponseNorm: unknown option "alhpa"/);
  });

  test("layer errors name the layer", () => {
    assertThrowsTensile(() => new nn.ZeroPad2d([1, 2, 3]), /^ZeroPad2d: padding must be an integer or a list of 4 integers, got \[1,2,3\]/);
    assertThrowsTensile(() => new nn.ReflectionPad1d(4).forward(randn([1, 2, 3])), /^pad: padding \(4, 4\) at dim 2 must be less than the input size 3 for mode "reflect"/);
    assertThrowsTensile(() => new nn.ConvTranspose1d(2, 2, 3, { stride: 2 }).forward(randn([1, 2, 4]), [12]), /^ConvTranspose1d: requested an output size of \(12,\), but valid sizes range from \(9,\) to \(10,\)/);
    // as torch: at most min + stride − 1 even when the dilation is larger, and a whole-shape outputSize is fine
    const ct = new nn.ConvTranspose1d(2, 2, 3, { stride: 2, dilation: 3 });
    assertThrowsTensile(() => ct.forward(randn([1, 2, 4]), [15]), /^ConvTranspose1d: requested an output size of \(15,\), but valid sizes range from \(13,\) to \(14,\)/);
    assert.deepEqual([...ct.forward(randn([1, 2, 4]), [1, 2, 14]).shape], [1, 2, 14]);
    assertThrowsTensile(() => ct.forward(randn([1, 2, 4]), [2, 14]), /^ConvTranspose1d: for 3D input, output_size must have 1 or 3 elements \(got 2\)/);
    assertThrowsTensile(() => new nn.ConvTranspose1d(2, 2, 3, { outputPadding: 1 }), /^ConvTranspose1d: output padding must be smaller than either stride or dilation/);
    assertThrowsTensile(() => new nn.InstanceNorm1d(3, { affine: true }).forward(randn([2, 4, 5])), /^InstanceNorm1d: expected input's size at dim=1 to match num_features \(3\), but got: 4/);
    assertThrowsTensile(() => new nn.InstanceNorm2d(3).forward(randn([2, 3])), /^InstanceNorm2d: expected 3D \(unbatched\) or 4D \(batched\) input, got 2D input of shape \[2, 3\]/);
    assertThrowsTensile(() => new nn.EmbeddingBag(10, 3, { paddingIdx: 10 }), /^EmbeddingBag: padding_idx 10 must be within num_embeddings \(10\)/);
    assertThrowsTensile(() => new nn.EmbeddingBag(10, 3, { mode: "min" as never }), /^EmbeddingBag: mode has to be one of sum, mean or max, got min/);
  });

  test("ConvTranspose1d.forward(x, outputSize) picks the outputPadding that gives that size", () => {
    manualSeed(3);
    const m = new nn.ConvTranspose1d(2, 3, 3, { stride: 2, padding: 1 });
    const x = randn([1, 2, 4]);
    const y = m.forward(x, [1, 3, 8]);
    assert.deepEqual(y.shape, [1, 3, 8]);
    const ref = F.convTranspose1d(x, m.weight, m.bias, { stride: 2, padding: 1, outputPadding: 1 });
    assert.deepEqual(Array.from(y.dataSync()), Array.from(ref.dataSync()));
  });

  test("UpsamplingNearest2d / UpsamplingBilinear2d are Upsample with a fixed mode (bilinear with alignCorners)", () => {
    const x = randn([1, 2, 3, 4]);
    const same = (a: Tensor, b: Tensor) => assert.deepEqual(Array.from(a.dataSync()), Array.from(b.dataSync()));
    same(new nn.UpsamplingBilinear2d({ scaleFactor: 2 }).forward(x), F.interpolate(x, { scaleFactor: 2, mode: "bilinear", alignCorners: true }));
    same(new nn.UpsamplingBilinear2d([5, 7]).forward(x), F.interpolate(x, { size: [5, 7], mode: "bilinear", alignCorners: true }));
    same(new nn.UpsamplingNearest2d(null, 3).forward(x), F.interpolate(x, { scaleFactor: 3 }));
    assert.ok(new nn.UpsamplingNearest2d(4) instanceof nn.Upsample);
  });

  test("AdaptiveMaxPool2d with returnIndices returns [values, indices] that index the input plane", () => {
    const x = randn([2, 3, 5, 7]);
    const [v, i] = new nn.AdaptiveMaxPool2d([2, 3], true).forward(x) as [Tensor, Tensor];
    assert.equal(i.dtype, "int32");
    // values are the input at the returned flat indices (an identity, whatever the windows)
    const gathered = x.reshape([2, 3, 35]).gather(2, i.reshape([2, 3, 6])).reshape([2, 3, 2, 3]);
    assert.deepEqual(Array.from(v.dataSync()), Array.from(gathered.dataSync()));
    assert.deepEqual(new nn.AdaptiveMaxPool1d(2, { returnIndices: true }).returnIndices, true);
  });

  test("EmbeddingBag.fromPretrained: frozen by default; sum and mean of the pretrained rows", () => {
    const rows = tensor([[1, 2], [3, 4], [5, 6]], { dtype: "float32" });
    const sum = nn.EmbeddingBag.fromPretrained(rows, { mode: "sum" });
    assert.equal(sum.weight.requiresGrad, false);
    assert.equal(nn.EmbeddingBag.fromPretrained(rows, { freeze: false }).weight.requiresGrad, true);
    // bags [0, 2] and [1]: sums [6, 8] and [3, 4]; an empty bag gives zeros
    assert.deepEqual(Array.from(sum.forward(tensor([0, 2, 1]), tensor([0, 2, 3])).dataSync()), [6, 8, 3, 4, 0, 0]);
    const mean = nn.EmbeddingBag.fromPretrained(rows, { paddingIdx: 1 });
    assert.deepEqual(Array.from(mean.forward(tensor([[0, 1, 2]])).dataSync()), [3, 4]); // row 1 left out: (r0 + r2) / 2
    assertThrowsTensile(() => nn.EmbeddingBag.fromPretrained(ones([3])), /^EmbeddingBag.fromPretrained: embeddings parameter is expected to be 2-dimensional/);
  });

  test("EmbeddingBag init: N(0, 1) with the padding row zero", () => {
    manualSeed(0);
    const m = new nn.EmbeddingBag(200, 50, { paddingIdx: 3 });
    const w = Array.from(m.weight.dataSync());
    assert.ok(w.slice(150, 200).every((v) => v === 0));
    const rest = [...w.slice(0, 150), ...w.slice(200)];
    const mean = rest.reduce((a, v) => a + v, 0) / rest.length;
    const std = Math.sqrt(rest.reduce((a, v) => a + (v - mean) ** 2, 0) / rest.length);
    assert.ok(Math.abs(mean) < 0.05 && Math.abs(std - 1) < 0.05, `mean ${mean}, std ${std}`);
  });

  test("ParameterList: append, at, set, iteration, registration, dtype casts and state-dict round trip", () => {
    const pl = new nn.ParameterList([ones([2]), randn([3])]);
    assert.ok(pl.at(0) instanceof nn.Parameter, "plain tensors are wrapped as Parameters");
    pl.append(randn([4]));
    assert.equal(pl.length, 3);
    assert.deepEqual(pl.at(-1).shape, [4]);
    pl.set(1, ones([5]));
    assert.deepEqual([...pl].map((p) => p.shape[0]), [2, 5, 4]);
    assert.deepEqual(Object.keys(pl.stateDict()), ["0", "1", "2"]);
    assert.equal(pl.parameters().length, 3);
    assertThrowsTensile(() => pl.at(3), /^ParameterList.at: index 3 is out of range for length 3/);
    assertThrowsTensile(() => pl.forward(), /^ParameterList: a ParameterList has no forward/);
    // keys "10", "11" come after "9", in list order
    const many = new nn.ParameterList(Array.from({ length: 12 }, (_, i) => ones([i + 1])));
    assert.deepEqual(Object.keys(many.stateDict()), Array.from({ length: 12 }, (_, i) => String(i)));
    pl.double();
    assert.ok([...pl].every((p) => p.dtype === "float64" && p instanceof nn.Parameter));
    const other = new nn.ParameterList([randn([2]), randn([5]), randn([4])]).double();
    other.loadStateDict(pl.stateDict());
    assert.deepEqual(Array.from(other.at(1).dataSync()), [1, 1, 1, 1, 1]);
  });

  test("ParameterDict: get, set, has, pop, order, gradients through an owner module", () => {
    const pd = new nn.ParameterDict(new Map([["scale", ones([3])], ["shift", randn([3])]]));
    assert.deepEqual(pd.keys(), ["scale", "shift"]);
    pd.set("extra", randn([1]));
    assert.ok(pd.has("extra") && pd.size === 3);
    assert.deepEqual(pd.pop("extra").shape, [1]);
    assert.deepEqual([...pd], ["scale", "shift"]);
    assertThrowsTensile(() => pd.get("nope"), /^ParameterDict.get: no parameter under key "nope"/);
    assertThrowsTensile(() => pd.set("keys", ones([1])), /^ParameterDict.set: attribute "keys" already exists/);
    class Affine extends nn.Module {
      p = new nn.ParameterDict({ shift: ones([3]), scale: ones([3]) });
      override forward(x: Tensor): Tensor {
        return x.mul(this.p.get("scale")).add(this.p.get("shift"));
      }
    }
    const m = new Affine();
    assert.deepEqual(Object.keys(m.stateDict()), ["p.scale", "p.shift"]);
    m.forward(tensor([1, 2, 3], { dtype: "float32" })).sum().backward();
    assert.deepEqual(Array.from(m.p.get("scale").grad!.dataSync()), [1, 2, 3]);
    assert.deepEqual(Array.from(m.p.get("shift").grad!.dataSync()), [1, 1, 1]);
  });

  test("padding, shuffle and fold layers call their functional forms", () => {
    const x = randn([1, 4, 4, 6]);
    const same = (a: Tensor, b: Tensor) => assert.deepEqual(Array.from(a.dataSync()), Array.from(b.dataSync()));
    same(new nn.ReplicationPad2d([1, 0, 2, 1]).forward(x), x.pad([1, 0, 2, 1], "replicate"));
    same(new nn.ConstantPad1d(2, 3.5).forward(x), x.pad([2, 2], "constant", 3.5));
    same(new nn.PixelUnshuffle(2).forward(x), F.pixelUnshuffle(x, 2));
    // unshuffle then shuffle is the identity
    same(new nn.PixelShuffle(2).forward(new nn.PixelUnshuffle(2).forward(x)), x);
    same(new nn.ChannelShuffle(2).forward(new nn.ChannelShuffle(2).forward(x)), x); // 4 channels, 2 groups: an involution
    same(new nn.Fold([4, 6], 2, { stride: 2 }).forward(new nn.Unfold(2, { stride: 2 }).forward(x)), x); // non-overlapping blocks
  });
});

test("F.linear takes torch's other weight and bias shapes: a 1-D weight, a bias that expands to [rows, out]", () => {
  const x = randn([2, 3]), w = randn([4, 3]), close = (a: Tensor, b: Tensor) => assert.ok(a.sub(b).abs().max().item() < 1e-5);
  const F = nn.functional;
  const w1 = randn([3]);
  assert.deepEqual([...F.linear(x, w1).shape], [2]);
  close(F.linear(x, w1), x.matmul(w1.reshape([3, 1])).reshape([2]));
  assert.deepEqual([...F.linear(randn([5, 2, 3]), w1).shape], [5, 2]);
  assert.deepEqual([...F.linear(randn([3]), w1).shape], []);
  const b = randn([2, 1]); // one value per sample, as torch's addmm expands it
  close(F.linear(x, w, b), x.matmul(w.t()).add(b));
  close(F.linear(x, w, tensor(0.5)), x.matmul(w.t()).add(0.5));
  // torch's refusals (a [2, 1] bias against 10 rows; a bias with a 1-D weight)
  assertThrowsTensile(() => F.linear(randn([5, 2, 3]), w, b), /^linear: bias shape \[2, 1\] does not match weight shape \[4, 3\] \(expected \[4\], or a shape that expands to \[10, 4\]\)/);
  assertThrowsTensile(() => F.linear(x, w, randn([2, 4, 1])), /^linear: bias shape \[2, 4, 1\]/);
  assertThrowsTensile(() => F.linear(x, w1, tensor(1)), /^linear: weight must be 2-D \[out_features, in_features\] when a bias is given, got shape \[3\]/);
  // gradients reach a broadcast bias
  const bb = randn([2, 1]).requiresGrad_();
  F.linear(x, w, bb).sum().backward();
  assert.deepEqual([...bb.grad!.dataSync()], [4, 4]);
});
