/**
 * `setDefaultDtype` / `getDefaultDtype` (torch.set_default_dtype): under each default, the dtype of
 * every named expression — creation functions, layers' parameters and buffers, integer tensors
 * promoted by float scalars and float functions, Python-scalar pairs, distributions built from
 * numbers — against PyTorch 1.13 (fixtures/default-dtype.json from
 * tools/gen-default-dtype-fixtures.py), on every backend; values that float64 keeps and float32
 * would round; a float64-by-default training step; the refusal of non-float defaults.
 */
import { afterEach, describe, test } from "node:test";
import assert from "node:assert/strict";
import * as T from "../src/index.js";
import { type Tensor, withBackend } from "../src/index.js";
import { assertClose, assertThrowsTensile, loadNnFixture } from "./nn-helpers.js";
import { backendsUnderTest } from "./helpers/backends.js";

const { nn, distributions: D, fft } = T;
const fx = loadNnFixture("default-dtype.json") as Record<"float32" | "float64", { dtypes: Record<string, string>; values: Record<string, never> }>;

/** The same names as the generator's `cases()`. */
const cases: Record<string, () => Tensor> = {
  tensor_float: () => T.tensor([1.5, 2.5]),
  tensor_int: () => T.tensor([1, 4, 9]),
  tensor_bool: () => T.tensor([true, false]),
  zeros: () => T.zeros(2, 3),
  ones: () => T.ones(2),
  empty: () => T.empty(2),
  full_float: () => T.full([2], 1.5),
  rand: () => T.rand(3),
  randn: () => T.randn(3),
  randint: () => T.randint(0, 5, [3]),
  linspace: () => T.linspace(0, 1, 5),
  logspace: () => T.logspace(0, 1, 5),
  eye: () => T.eye(3),
  arange_float: () => T.arange(0, 1, 0.25),
  arange_int: () => T.arange(3),
  scalar_tensor: () => T.scalarTensor(1.5),
  hann_window: () => T.hannWindow(4),
  fftfreq: () => fft.fftfreq(4),
  int_sqrt: () => T.tensor([1, 4, 9]).sqrt(),
  int_sigmoid: () => T.sigmoid(T.tensor([1, 4, 9])),
  int_add_float: () => T.tensor([1, 4, 9]).add(0.5),
  int_mul_int: () => T.tensor([1, 4, 9]).mul(2),
  int_div_int: () => T.tensor([1, 4, 9]).div(T.tensor([2, 2, 2])),
  f32_add_float: () => T.tensor([1.5, 2.5], { dtype: "float32" }).add(0.5),
  f32_add_default: () => T.tensor([1.5, 2.5], { dtype: "float32" }).add(T.zeros(2)),
  where_scalars: () => T.where(T.tensor([true, false]), 1.5, 2.5),
  linear_weight: () => new nn.Linear(3, 2).weight,
  linear_bias: () => new nn.Linear(3, 2).bias!,
  conv_weight: () => new nn.Conv2d(1, 2, 3).weight,
  bn_running_mean: () => new nn.BatchNorm1d(3).getBuffer("running_mean")!,
  embedding_weight: () => new nn.Embedding(4, 2).weight,
  lstm_weight: () => new nn.LSTM(2, 3).getParameter("weight_ih_l0"),
  normal_sample: () => new D.Normal(0, 1).sample(),
  bernoulli_probs: () => new D.Bernoulli({ probs: 0.3 }).probs,
};

afterEach(() => T.setDefaultDtype("float32"));

test("the generator and the test name the same expressions", () => {
  assert.deepEqual(Object.keys(cases).sort(), Object.keys(fx.float32.dtypes).sort());
});

for (const backend of backendsUnderTest()) {
  const on = (fn: () => void) => () => withBackend(backend, fn);
  for (const def of ["float32", "float64"] as const) {
    describe(`default dtype ${def} (${backend.name})`, () => {
      test("each expression's dtype is PyTorch's", on(() => {
        T.setDefaultDtype(def);
        assert.equal(T.getDefaultDtype(), def);
        const got = Object.fromEntries(Object.entries(cases).map(([k, fn]) => [k, fn().dtype]));
        assert.deepEqual(got, fx[def].dtypes);
      }));
      test("values: float64 keeps what float32 rounds", on(() => {
        T.setDefaultDtype(def);
        const v = fx[def].values;
        assertClose("third", T.tensor([1]).div(3), v.third, 0, 0);
        assertClose("linspace", T.linspace(0, 1, 7), v.linspace, 0, 0);
        assertClose("int_sqrt", T.tensor([2, 3, 5]).sqrt(), v.int_sqrt, 0, 0);
        assertClose("arange", T.arange(0, 1, 0.1), v.arange, 0, 0);
      }));
    });
  }

  test(`a model built under float64 trains in float64 (${backend.name})`, on(() => {
    T.setDefaultDtype("float64");
    T.manualSeed(0);
    const model = new nn.Sequential(new nn.Linear(4, 8), new nn.ReLU(), new nn.Linear(8, 3));
    const opt = new T.optim.SGD(model.parameters(), { lr: 0.1 });
    const x = T.randn(16, 4), y = T.randint(0, 3, [16]);
    let first = Infinity, last = Infinity;
    for (let i = 0; i < 30; i++) {
      opt.zeroGrad();
      const loss = new nn.CrossEntropyLoss().forward(model.forward(x), y);
      assert.equal(loss.dtype, "float64");
      loss.backward();
      opt.step();
      if (i === 0) first = loss.item();
      last = loss.item();
    }
    assert.ok(last < first, `loss ${first} → ${last}`);
    for (const [name, p] of model.namedParameters()) {
      assert.equal(p.dtype, "float64", name);
      assert.equal(p.grad!.dtype, "float64", `${name}.grad`);
    }
    // switching back does not change what was made
    T.setDefaultDtype("float32");
    assert.equal(model.forward(T.randn(2, 4, { dtype: "float64" })).dtype, "float64");
    assert.equal(new nn.Linear(4, 8).weight.dtype, "float32");
  }));
}

test("setDefaultDtype refuses non-floating dtypes, as torch", () => {
  assertThrowsTensile(() => T.setDefaultDtype("int32"), /setDefaultDtype: only floating-point types are supported as the default type, got "int32"/);
  assertThrowsTensile(() => T.setDefaultDtype("bool"), /only floating-point types/);
  assertThrowsTensile(() => T.setDefaultDtype("float16" as never), /only floating-point types/);
  assert.equal(T.getDefaultDtype(), "float32");
});
