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
