/**
 * nn and optim extras against PyTorch 1.13 (fixtures/nn-extras.json, from tools/gen-nnextras-fixtures.py):
 * optim.swaUtils (AveragedModel, SWALR, updateBn) and the deep copy behind AveragedModel,
 * Dropout1d / Dropout3d / FeatureAlphaDropout, and AdaptiveLogSoftmaxWithLoss.
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { Generator, Parameter, Tensor, grad, manualSeed, noGrad, ones, randn, tensor, zeros } from "../src/core.js";
import * as nn from "../src/nn/index.js";
import * as optim from "../src/optim/index.js";
import { deepcopy } from "../src/nn/deepcopy.js";
import { type Enc, assertClose, assertThrowsTensile, dec, loadNnFixture } from "./nn-helpers.js";

const F = nn.functional;
const { AveragedModel, SWALR, updateBn } = optim.swaUtils;
const fx = loadNnFixture("nn-extras.json");

type SD = Record<string, Enc>;

function assertStateDict(what: string, m: nn.Module, want: SD, rtol = 1e-5, atol = 1e-6): void {
  const sd = m.stateDict();
  assert.deepEqual(Object.keys(sd), Object.keys(want), `${what}: state-dict keys`);
  for (const [k, e] of Object.entries(want)) {
    assert.equal(sd[k]!.dtype, e.dtype, `${what}: ${k} dtype`);
    assertClose(`${what}: ${k}`, sd[k]!, e, rtol, atol);
  }
}

const loadSd = (m: nn.Module, sd: SD): void => {
  m.loadStateDict(Object.fromEntries(Object.entries(sd).map(([k, e]) => [k, dec(e)])));
};

/** Central-difference check of autograd's gradient of the scalar f(x) with respect to float64 `x`. */
function gradcheck(what: string, f: (x: Tensor) => Tensor, x0: Tensor, tol = 1e-6): void {
  const x = x0.detach().clone().requiresGrad_(true);
  const [g] = grad(f(x), [x]);
  const analytic = g!.dataSync();
  const base = Float64Array.from(x0.dataSync() as Float64Array);
  const eps = 1e-6;
  for (let i = 0; i < base.length; i++) {
    const at = (d: number): number => {
      const a = Float64Array.from(base);
      a[i]! += d;
      return noGrad(() => f(tensor(a, { shape: [...x0.shape], dtype: "float64" })).item());
    };
    const num = (at(eps) - at(-eps)) / (2 * eps);
    assert.ok(Math.abs(num - analytic[i]!) <= tol * (1 + Math.abs(num)), `${what}: d/dx[${i}] autograd ${analytic[i]} vs numerical ${num}`);
  }
}

// ---------------------------------------------------------------- dropout variants

describe("Dropout1d, Dropout3d, FeatureAlphaDropout", () => {
  /** Rows of `width` consecutive values: asserts each is constant, returns the constants. */
  const channelValues = (y: Tensor, width: number): number[] => {
    const d = y.dataSync();
    const out: number[] = [];
    for (let c = 0; c < d.length / width; c++) {
      const v = d[c * width]!;
      for (let j = 1; j < width; j++) if (d[c * width + j] !== v) assert.fail(`channel ${c} is not constant: ${Array.from(d.subarray(c * width, (c + 1) * width))}`);
      out.push(v);
    }
    return out;
  };

  for (const c of fx.dropout.channel as { p: number; [k: string]: number }[]) {
    for (const kind of ["dropout1d", "dropout3d"] as const) {
      test(`${kind === "dropout1d" ? "Dropout1d" : "Dropout3d"}(${c.p}) zeroes whole channels at PyTorch's rate and scales the rest by 1/(1-p)`, () => {
        manualSeed(1);
        const shape = kind === "dropout1d" ? [20000, 10, 3] : [5000, 10, 2, 2, 2];
        const layer = kind === "dropout1d" ? new nn.Dropout1d(c.p) : new nn.Dropout3d(c.p);
        const vals = channelValues(layer.forward(ones(shape)), kind === "dropout1d" ? 3 : 8);
        const kept = c[`${kind}KeptValue`]!;
        for (const v of vals) if (v !== 0) assert.ok(Math.abs(v - kept) < 1e-6, `kept value ${v}, PyTorch ${kept}`);
        const zeroFraction = vals.filter((v) => v === 0).length / vals.length;
        // two independent binomial fractions over this many channels: within 6 standard errors of each other
        const se = Math.sqrt(c.p * (1 - c.p) * (1 / vals.length + 1 / c[`${kind}Channels`]!));
        assert.ok(Math.abs(zeroFraction - c[`${kind}ZeroFraction`]!) < 6 * se, `zero fraction ${zeroFraction}, PyTorch ${c[`${kind}ZeroFraction`]}`);
      });
    }
  }

  test("unbatched inputs: Dropout1d masks the rows of [C, L], Dropout3d the volumes of [C, D, H, W]", () => {
    manualSeed(2);
    const v1 = channelValues(F.dropout1d(ones([400, 5]), 0.5), 5);
    assert.ok(v1.every((v) => v === 0 || v === 2), "Dropout1d: kept rows are 2");
    assert.ok(v1.some((v) => v === 0) && v1.some((v) => v === 2), "Dropout1d: some rows dropped, some kept");
    const v3 = channelValues(F.dropout3d(ones([400, 2, 3, 2]), 0.25), 12);
    assert.ok(v3.every((v) => v === 0 || Math.abs(v - 4 / 3) < 1e-6), "Dropout3d: kept volumes are 4/3");
    assert.ok(v3.some((v) => v === 0) && v3.some((v) => v !== 0), "Dropout3d: some volumes dropped, some kept");
    assert.deepEqual(F.dropout1d(ones([3, 4]), 0.5).shape, [3, 4]);
    assert.deepEqual(F.dropout3d(ones([3, 2, 2, 2]), 0.5).shape, [3, 2, 2, 2]);
  });

  for (const c of fx.dropout.featureAlpha as { p: number; a: number; c: number; d: number; droppedFraction: number; channels: number; mean: number; std: number }[]) {
    test(`FeatureAlphaDropout(${c.p}): PyTorch's constants (kept a·x + c, dropped d) per whole channel, and its statistics`, () => {
      manualSeed(3);
      const x = randn([64, 8, 5], { dtype: "float64" });
      const y = new nn.FeatureAlphaDropout(c.p).forward(x);
      const xd = x.dataSync(), yd = y.dataSync();
      let dropped = 0, kept = 0;
      for (let ch = 0; ch < 512; ch++) {
        const o = ch * 5;
        if (Math.abs(yd[o]! - c.d) < 1e-12) {
          for (let j = 0; j < 5; j++) assert.ok(Math.abs(yd[o + j]! - c.d) < 1e-12, `dropped channel ${ch} element ${j}: ${yd[o + j]} vs d = ${c.d}`);
          dropped++;
        } else {
          for (let j = 0; j < 5; j++) {
            const want = c.a * xd[o + j]! + c.c;
            assert.ok(Math.abs(yd[o + j]! - want) < 1e-12, `kept channel ${ch} element ${j}: ${yd[o + j]} vs a·x + c = ${want}`);
          }
          kept++;
        }
      }
      assert.ok(dropped > 0 && kept > 0, `dropped ${dropped}, kept ${kept}`);

      const big = F.featureAlphaDropout(randn([20000, 10, 3], { dtype: "float64" }), c.p, true);
      const bd = big.dataSync();
      let nd = 0;
      for (let ch = 0; ch < 200000; ch++) if (bd[ch * 3] === bd[ch * 3 + 1] && bd[ch * 3] === bd[ch * 3 + 2]) nd++;
      const frac = nd / 200000;
      const se = Math.sqrt(c.p * (1 - c.p) * (2 / c.channels));
      assert.ok(Math.abs(frac - c.droppedFraction) < 6 * se, `dropped fraction ${frac}, PyTorch ${c.droppedFraction}`);
      // a channel's mean has variance ≤ 1, so a difference of two sample means over 200k channels has sd ≤ √(2/200k)
      const tol = 6 * Math.sqrt(2 / 200000);
      assert.ok(Math.abs(big.mean().item() - c.mean) < tol, `mean ${big.mean().item()}, PyTorch ${c.mean}`);
      assert.ok(Math.abs(big.std().item() - c.std) < tol, `std ${big.std().item()}, PyTorch ${c.std}`);
    });
  }

  test("eval mode, p = 0 and PyTorch's training = false default are the identity; p = 1 gives zeros", () => {
    const x3 = randn([2, 3, 4]), x5 = randn([2, 3, 2, 2, 2]);
    assert.equal(new nn.Dropout1d(0.5).eval().forward(x3), x3);
    assert.equal(new nn.Dropout3d(0.5).eval().forward(x5), x5);
    assert.equal(new nn.FeatureAlphaDropout(0.5).eval().forward(x3), x3);
    assert.equal(F.featureAlphaDropout(x3, 0.5), x3, "featureAlphaDropout defaults to training = false, as PyTorch's");
    assert.equal(F.dropout1d(x3, 0), x3);
    assert.equal(F.dropout3d(x5, 0), x5);
    for (const y of [F.dropout1d(x3, 1), F.dropout3d(x5, 1), F.featureAlphaDropout(x3, 1, true)])
      assert.ok(y.dataSync().every((v) => v === 0), "p = 1 gives zeros");
    assert.ok(new nn.Dropout1d(0.5).training, "a new module is in training mode");
  });

  test("a generator makes the masks reproducible", () => {
    const x = ones([16, 8, 4]);
    const a = F.dropout1d(x, 0.5, true, { generator: new Generator(9) }).dataSync();
    const b = F.dropout1d(x, 0.5, true, { generator: new Generator(9) }).dataSync();
    assert.deepEqual(Array.from(a), Array.from(b));
    const m = new nn.FeatureAlphaDropout(0.3, new Generator(4));
    const y1 = m.forward(x).dataSync();
    const y2 = new nn.FeatureAlphaDropout(0.3, new Generator(4)).forward(x).dataSync();
    assert.deepEqual(Array.from(y1), Array.from(y2));
  });

  test("gradients: the mask times the scale, checked against central differences in float64", () => {
    const x = randn([2, 3, 4], { dtype: "float64" });
    const w = randn([2, 3, 4], { dtype: "float64" });
    gradcheck("dropout1d", (t) => F.dropout1d(t, 0.4, true, { generator: new Generator(5) }).mul(w).sum(), x);
    gradcheck("featureAlphaDropout", (t) => F.featureAlphaDropout(t, 0.4, true, { generator: new Generator(6) }).pow(2).mul(w).sum(), x);
    const x5 = randn([2, 3, 2, 1, 2], { dtype: "float64" });
    gradcheck("dropout3d", (t) => F.dropout3d(t, 0.3, true, { generator: new Generator(7) }).pow(2).sum(), x5);
    // the gradient of sum(dropout1d(x)) is the mask/(1 − p) itself: whole channels of 0 or 1/(1 − p)
    const xs = ones([50, 4, 3], { requiresGrad: true });
    const y = F.dropout1d(xs, 0.5);
    y.sum().backward();
    assert.deepEqual(Array.from(xs.grad!.dataSync()), Array.from(y.dataSync()));
  });

  test("bad ranks and probabilities are TensileErrors naming the op and the shape", () => {
    assertThrowsTensile(() => F.dropout1d(ones([2, 3, 4, 5]), 0.5), /dropout1d: Expected 2D or 3D input, but received a 4D input of shape \[2, 3, 4, 5\]/);
    assertThrowsTensile(() => F.dropout1d(ones([5]), 0.5, false), /dropout1d: .*1D input of shape \[5\]/); // as PyTorch, also when not training
    assertThrowsTensile(() => new nn.Dropout1d(0.5).forward(ones([1, 2, 3, 4])), /dropout1d: .*4D input/);
    assertThrowsTensile(() => F.dropout3d(ones([2, 3, 4]), 0.5), /dropout3d: Expected 4D .* or 5D .* but received a 3D input of shape \[2, 3, 4\]/);
    assertThrowsTensile(() => new nn.Dropout3d(0.2).forward(ones([1, 1, 1, 1, 1, 1])), /dropout3d: .*6D input/);
    assertThrowsTensile(() => F.featureAlphaDropout(ones([7]), 0.5, true), /featureAlphaDropout: Feature dropout requires at least 2 dimensions in the input, got shape \[7\]/);
    assertThrowsTensile(() => F.dropout1d(ones([2, 3]), 1.5), /dropout1d: dropout probability has to be between 0 and 1, but got 1.5/);
    assertThrowsTensile(() => F.dropout3d(ones([2, 3, 1, 1]), -0.1), /dropout3d: dropout probability has to be between 0 and 1, but got -0.1/);
    assertThrowsTensile(() => F.featureAlphaDropout(ones([2, 3]), 2, true), /featureAlphaDropout: dropout probability .* got 2/);
    assertThrowsTensile(() => new nn.Dropout1d(-1), /Dropout1d: dropout probability/);
    assertThrowsTensile(() => new nn.Dropout3d(1.1), /Dropout3d: dropout probability/);
    assertThrowsTensile(() => new nn.FeatureAlphaDropout(NaN), /FeatureAlphaDropout: dropout probability/);
    assertThrowsTensile(() => new nn.Dropout1d(0.5, true as unknown as Generator), /Dropout1d: generator must be a Generator, got true/);
  });

  test("repr as PyTorch's", () => {
    assert.deepEqual([String(new nn.Dropout1d(0.3)), String(new nn.Dropout3d()), String(new nn.FeatureAlphaDropout(0.2))], fx.dropout.repr);
  });
});

// ---------------------------------------------------------------- deep copy

describe("deepcopy (AveragedModel's copy of the model)", () => {
  const same = (a: Tensor, b: Tensor) => assert.deepEqual(Array.from(a.dataSync()), Array.from(b.dataSync()));

  function checkCopy(name: string, make: () => nn.Module, input: () => Tensor | Tensor[], out: (y: any) => Tensor = (y) => y as Tensor) {
    test(`${name}: same class, keys, values, repr and outputs; storage not shared`, () => {
      manualSeed(11);
      const m = make();
      const c = deepcopy(m);
      assert.equal(Object.getPrototypeOf(c), Object.getPrototypeOf(m));
      assert.equal(String(c), String(m));
      const a = m.stateDict(), b = c.stateDict();
      assert.deepEqual(Object.keys(b), Object.keys(a));
      for (const k of Object.keys(a)) {
        same(b[k]!, a[k]!);
        assert.equal(b[k]!.dtype, a[k]!.dtype, k);
        assert.notEqual(b[k]!.storage, a[k]!.storage, `${k} shares storage`);
      }
      assert.deepEqual(c.namedBuffers().map(([k]) => k), m.namedBuffers().map(([k]) => k));
      const pm = m.namedParameters(), pc = c.namedParameters();
      assert.deepEqual(pc.map(([k, p]) => [k, p.requiresGrad]), pm.map(([k, p]) => [k, p.requiresGrad]));
      assert.ok(pc.every(([, p]) => p instanceof Parameter), "the copy's parameters are Parameters");
      for (const mod of [m, c]) mod.eval();
      const x = input();
      const args = Array.isArray(x) ? x : [x];
      same(out(c.forward(...args)), out(m.forward(...args)));
      // changing the copy leaves the original alone
      noGrad(() => { for (const p of c.parameters()) p.add_(1); });
      for (const [k, p] of m.namedParameters()) same(p, a[k]!);
    });
  }

  checkCopy("Sequential(Linear, BatchNorm1d, ReLU, Dropout, Linear)", () => {
    const s = new nn.Sequential(new nn.Linear(4, 5), new nn.BatchNorm1d(5), new nn.ReLU(), new nn.Dropout(0.2), new nn.Linear(5, 2));
    s.forward(randn([6, 4]));
    return s;
  }, () => randn([3, 4]));
  checkCopy("Conv2d + InstanceNorm2d(trackRunningStats) + BatchNorm2d(momentum null)", () => {
    const s = new nn.Sequential(new nn.Conv2d(2, 3, 3), new nn.InstanceNorm2d(3, { trackRunningStats: true, affine: true }), new nn.BatchNorm2d(3, { momentum: null }));
    s.forward(randn([2, 2, 5, 5]));
    return s;
  }, () => randn([1, 2, 5, 5]));
  checkCopy("LSTM (two layers, bidirectional)", () => new nn.LSTM(3, 4, { numLayers: 2, bidirectional: true }), () => randn([5, 2, 3]), (y) => y[0]);
  checkCopy("TransformerEncoderLayer", () => new nn.TransformerEncoderLayer(8, 2, { dimFeedforward: 16 }), () => randn([3, 2, 8]));
  checkCopy("ModuleDict, ParameterList, ParameterDict in a custom module", () => {
    class Net extends nn.Module {
      heads = new nn.ModuleDict({ a: new nn.Linear(3, 2), b: new nn.Linear(3, 2) });
      scales = new nn.ParameterList([ones([2]), randn([2])]);
      shifts = new nn.ParameterDict({ u: zeros([2]), v: randn([2]) });
      note = { tag: "x", sizes: [1, 2] };
      override forward(x: Tensor): Tensor {
        return this.heads.get("a").forward(x).mul(this.scales.at(1)).add(this.shifts.get("v")).add(this.heads.get("b").forward(x));
      }
    }
    return new Net();
  }, () => randn([4, 3]));

  test("tied weights stay tied, buffers keep persistence and null slots, plain tensors are cloned", () => {
    class Tied extends nn.Module {
      emb = new nn.Embedding(5, 3);
      out = new nn.Linear(3, 5, false);
      constant = randn([3]);
      constructor() {
        super();
        this.out.weight = this.emb.weight;
        this.registerBuffer("scratch", ones([2]), { persistent: false });
        this.registerBuffer("missing", null);
        this.registerBuffer("count", tensor(3, { dtype: "int32" }));
      }
      override forward(i: Tensor): Tensor {
        return this.out.forward(this.emb.forward(i).add(this.constant));
      }
    }
    const m = new Tied();
    const c = deepcopy(m);
    assert.equal(c.out.weight, c.emb.weight, "the copy's weights are one Parameter, as the original's");
    assert.notEqual(c.emb.weight, m.emb.weight);
    assert.equal(c.parameters().length, 1);
    assert.deepEqual(Object.keys(c.stateDict()), Object.keys(m.stateDict()));
    assert.ok(!("scratch" in c.stateDict()) && c.namedBuffers().some(([k]) => k === "scratch"), "non-persistent buffer stays non-persistent");
    assert.equal(c.getBuffer("missing"), null);
    assert.equal(c.getBuffer("count")!.dtype, "int32");
    assert.notEqual(c.constant, m.constant);
    same(c.constant, m.constant);
    same(c.forward(tensor([1, 4], { dtype: "int32" })), m.forward(tensor([1, 4], { dtype: "int32" })));
  });

  test("refuses what it cannot copy faithfully, naming why", () => {
    class Secret extends nn.Module {
      #w = new Parameter(ones([2]));
      override forward(x: Tensor): Tensor {
        return x.mul(this.#w);
      }
    }
    assertThrowsTensile(() => deepcopy(new Secret()), /deepcopy: cannot copy Secret: class Secret uses #private members/);
    assertThrowsTensile(() => new AveragedModel(new nn.Sequential(new Secret())), /AveragedModel: cannot copy Secret/);
    const lin = nn.utils.weightNorm(new nn.Linear(3, 2));
    lin.forward(randn([1, 3]));
    assertThrowsTensile(() => deepcopy(lin), /cannot copy Linear: its "weight" is recomputed by a forward pre-hook/);
  });
});

// ---------------------------------------------------------------- SWA

type Step = { loss: number; lr: number; swa?: SD };

function swaNet(): nn.Sequential {
  return new nn.Sequential(new nn.Linear(3, 4), new nn.BatchNorm1d(4), new nn.ReLU(), new nn.Linear(4, 2));
}

describe("optim.swaUtils against a PyTorch SWA run", () => {
  const s = fx.swa;

  test("SGD + AveragedModel + SWALR trajectory, then updateBn and the averaged model's eval output", () => {
    const model = swaNet();
    loadSd(model, s.initialModel);
    const X = dec(s.x), Y = dec(s.y);
    const opt = new optim.SGD(model.parameters(), { lr: 0.1, momentum: 0.9 });
    const swa = new AveragedModel(model);
    const ema = new AveragedModel(model, { avgFn: (a, p) => a.mul(0.1).add(p.mul(0.9)), useBuffers: true });
    const eqb = new AveragedModel(model, { useBuffers: true });
    const sched = new SWALR(opt, { swaLr: 0.05, annealEpochs: 3, annealStrategy: "linear" });
    assertStateDict("initial averaged model", swa, s.initial.swa, 0, 0);
    assert.equal(opt.paramGroups[0]!.lr, s.initial.lr);
    (s.steps as Step[]).forEach((st, i) => {
      opt.zeroGrad();
      const loss = F.mseLoss(model.forward(X), Y);
      loss.backward();
      opt.step();
      assert.ok(Math.abs(loss.item() - st.loss) <= 1e-5 * Math.abs(st.loss) + 1e-6, `step ${i}: loss ${loss.item()}, PyTorch ${st.loss}`);
      if (i >= s.swaStart) {
        swa.updateParameters(model);
        ema.updateParameters(model);
        eqb.updateParameters(model);
        sched.step();
        assertStateDict(`step ${i} averaged model`, swa, st.swa!);
      }
      assert.ok(Math.abs(opt.paramGroups[0]!.lr - st.lr) < 1e-15, `step ${i}: lr ${opt.paramGroups[0]!.lr}, PyTorch ${st.lr}`);
    });
    assertStateDict("trained model", model, s.model);
    assert.deepEqual(Object.keys(swa.stateDict()), s.swaKeys);
    assert.equal(String(swa), s.swaRepr);
    assertStateDict("EMA with useBuffers (num_batches_tracked truncated as PyTorch's copy_ into int64)", ema, s.ema);
    assertStateDict("equal average with useBuffers", eqb, s.equalBuffers);

    updateBn([[X.narrow(0, 0, 4), Y.narrow(0, 0, 4)], [X.narrow(0, 4, 4), Y.narrow(0, 4, 4)]], swa);
    const after = s.afterUpdateBn;
    assert.equal(swa.training, after.training);
    assert.equal((swa.module[1] as nn.BatchNorm1d).momentum, after.momentum);
    assertStateDict("after updateBn", swa, after.swa);
    swa.eval();
    assertClose("averaged model's eval output", noGrad(() => swa.forward(X)), after.evalOutput, 1e-5, 1e-6);
  });

  test("AveragedModel: forward delegates, the copy is independent, n_averaged counts, state dict round-trips", () => {
    manualSeed(4);
    const model = new nn.Sequential(new nn.Linear(3, 2), new nn.Tanh());
    const avg = new AveragedModel(model);
    assert.ok(avg.module instanceof nn.Sequential && avg.module !== model, "the averaged module is a copy");
    assert.equal(avg.n_averaged.dtype, "int32");
    assert.deepEqual(avg.n_averaged.shape, []);
    const x = randn([4, 3]);
    assert.deepEqual(Array.from(avg.forward(x).dataSync()), Array.from(model.forward(x).dataSync()));
    const w0 = model[0] as nn.Linear;
    const snapshots: Float32Array[] = [];
    for (let k = 0; k < 3; k++) {
      noGrad(() => w0.weight.add_(1));
      snapshots.push(Float32Array.from(w0.weight.dataSync() as Float32Array));
      avg.updateParameters(model);
    }
    assert.equal(avg.n_averaged.item(), 3);
    const mean = snapshots[0]!.map((_, i) => (snapshots[0]![i]! + snapshots[1]![i]! + snapshots[2]![i]!) / 3);
    const got = (avg.module[0] as nn.Linear).weight.dataSync();
    mean.forEach((v, i) => assert.ok(Math.abs(got[i]! - v) < 1e-5, `weight[${i}] ${got[i]} vs mean ${v}`));
    assert.equal((avg.module[0] as nn.Linear).weight.requiresGrad, true);
    assert.equal((avg.module[0] as nn.Linear).weight.grad, null);
    const again = new AveragedModel(model);
    again.loadStateDict(avg.stateDict());
    assert.equal(again.n_averaged.item(), 3);
    assert.deepEqual(Array.from((again.module[0] as nn.Linear).weight.dataSync()), Array.from(got));
  });

  test("AveragedModel errors: a model of another structure, bad options", () => {
    const avg = new AveragedModel(new nn.Linear(3, 2));
    assertThrowsTensile(() => avg.updateParameters(new nn.Linear(3, 2, false)),
      /AveragedModel.updateParameters: the model has 1 parameters, the averaged model 2/);
    assertThrowsTensile(() => avg.updateParameters(new nn.Linear(4, 2)),
      /AveragedModel.updateParameters: parameters 0 \("weight"\) has shape \[2, 3\] in the averaged model but \[2, 4\] in the model/);
    assertThrowsTensile(() => new AveragedModel({} as nn.Module), /AveragedModel: expected an nn.Module/);
    assertThrowsTensile(() => new AveragedModel(new nn.Linear(1, 1), { avgFn: 3 as never }), /AveragedModel: avgFn must be a function, got 3/);
    assertThrowsTensile(() => new AveragedModel(new nn.Linear(1, 1), { use_buffers: true } as never), /AveragedModel: unknown option "use_buffers"/);
    assertThrowsTensile(() => new AveragedModel(new nn.Linear(1, 1), { device: "cuda" }), /no 'cuda' device/);
    const bad = new AveragedModel(new nn.Linear(1, 1), { avgFn: () => 1 as never });
    bad.updateParameters(new nn.Linear(1, 1));
    assertThrowsTensile(() => bad.updateParameters(new nn.Linear(1, 1)), /avgFn must return a Tensor, got 1/);
  });

  test("updateBn: cumulative statistics over the loader, modes and momenta restored, models without BN untouched, async loaders", async () => {
    manualSeed(8);
    const net = () => new nn.Sequential(new nn.Linear(3, 4), new nn.BatchNorm1d(4, { momentum: 0.3 }));
    const m = net();
    const batches = [randn([5, 3]), randn([5, 3]), randn([5, 3])];
    m.eval();
    updateBn(batches, m);
    assert.equal(m.training, false);
    const bn = m[1] as nn.BatchNorm1d;
    assert.equal(bn.momentum, 0.3);
    assert.equal(bn.numBatchesTracked!.item(), 3);
    // with equal batches, momentum null averages the batch means: the mean of all rows
    const rows = noGrad(() => batches.map((b) => (m[0] as nn.Linear).forward(b)));
    const meanOfAll = rows.reduce((a, r) => a.add(r.mean(0)), zeros([4])).div(3);
    const rm = bn.runningMean!.dataSync();
    meanOfAll.dataSync().forEach((v, i) => assert.ok(Math.abs(rm[i]! - v) < 1e-6, `running_mean[${i}] ${rm[i]} vs ${v}`));

    const m2 = net();
    m2.loadStateDict(m.stateDict());
    noGrad(() => { m2[1].getBuffer("running_mean")!.fill_(5); });
    async function* gen() { for (const b of batches) yield [b, null]; }
    const p = updateBn(gen(), m2);
    assert.ok(p instanceof Promise, "an async loader gives a Promise");
    await p;
    assert.deepEqual(Array.from((m2[1] as nn.BatchNorm1d).runningMean!.dataSync()), Array.from(rm));

    const plain = new nn.Linear(3, 2);
    const before = Array.from(plain.weight.dataSync());
    updateBn(batches, plain);
    assert.deepEqual(Array.from(plain.weight.dataSync()), before);
    const noStats = new nn.Sequential(new nn.BatchNorm1d(3, { trackRunningStats: false }));
    updateBn(batches, noStats); // skipped, as it keeps no statistics (PyTorch fails on it)
    assertThrowsTensile(() => updateBn(3 as never, m), /updateBn: loader must be an iterable of batches/);
    assertThrowsTensile(() => updateBn(batches, {} as nn.Module), /updateBn: expected an nn.Module/);
  });
});

describe("SWALR against PyTorch", () => {
  for (const c of fx.swalr as {
    name: string; lrs: number[]; swaLr: number | number[]; annealEpochs: number; annealStrategy: "cos" | "linear"; preCosineTMax: number | null;
    preLrs: number[][]; seq: number[][]; state: Record<string, unknown>; groupKeys: string[][]; swaLrs: number[];
  }[]) {
    test(`${c.name}: learning rates, state dict, param groups`, () => {
      const ps = c.lrs.map(() => new Parameter(zeros([2])));
      const opt = new optim.SGD(ps.map((p, i) => ({ params: [p], lr: c.lrs[i]! })), { lr: c.lrs[0]!, momentum: 0.9 });
      if (c.preCosineTMax !== null) {
        const pre = new optim.lrScheduler.CosineAnnealingLR(opt, { tMax: c.preCosineTMax });
        c.preLrs.forEach((want, k) => {
          opt.step();
          pre.step();
          want.forEach((w, g) => assert.ok(Math.abs(opt.paramGroups[g]!.lr - w) < 1e-15, `pre step ${k}`));
        });
      }
      const s = new SWALR(opt, { swaLr: c.swaLr, annealEpochs: c.annealEpochs, annealStrategy: c.annealStrategy });
      c.seq.forEach((want, k) => {
        if (k > 0) {
          opt.step();
          s.step();
        }
        want.forEach((w, g) => assert.ok(Math.abs(opt.paramGroups[g]!.lr - w) <= 1e-15 + 1e-13 * w, `step ${k} group ${g}: ${opt.paramGroups[g]!.lr} vs PyTorch ${w}`));
      });
      const sd = s.stateDict();
      for (const [k, v] of Object.entries(c.state)) {
        if (Array.isArray(v)) (v as number[]).forEach((w, i) => assert.ok(Math.abs((sd[k] as number[])[i]! - w) < 1e-15, `${k}[${i}]`));
        else assert.equal(sd[k], v, k);
      }
      assert.equal(sd.anneal_strategy, c.annealStrategy);
      assert.deepEqual(s.getLastLr(), c.seq.at(-1)!.map((_, g) => opt.paramGroups[g]!.lr));
      const groups = opt.stateDict().param_groups;
      groups.forEach((g, i) => {
        assert.equal(g.swa_lr, c.swaLrs[i]);
        for (const k of c.groupKeys[i]!) if (!["foreach", "differentiable"].includes(k)) assert.ok(k in g, `param group key ${k}`);
      });
    });
  }

  test("state dict round trip: a resumed SWALR continues the same schedule", () => {
    const mk = () => new optim.SGD([new Parameter(zeros([1]))], { lr: 0.2 });
    const o1 = mk(), s1 = new SWALR(o1, 0.01);
    for (let k = 0; k < 4; k++) s1.step();
    const o2 = mk();
    o2.loadStateDict(o1.stateDict());
    const s2 = new SWALR(o2, { swaLr: 0.5, annealStrategy: "linear", annealEpochs: 2 });
    s2.loadStateDict(JSON.parse(JSON.stringify(s1.stateDict())));
    o2.paramGroups[0]!.lr = o1.paramGroups[0]!.lr;
    o2.paramGroups[0]!.swaLr = 0.01;
    for (let k = 0; k < 8; k++) {
      s1.step();
      s2.step();
      assert.equal(o2.paramGroups[0]!.lr, o1.paramGroups[0]!.lr, `step ${k}`);
    }
  });

  test("bad options are TensileErrors", () => {
    const opt = new optim.SGD([{ params: [new Parameter(zeros([1]))] }, { params: [new Parameter(zeros([1]))] }], { lr: 0.1 });
    assertThrowsTensile(() => new SWALR(opt, { swaLr: 0.1, annealStrategy: "exp" as never }), /SWALR: annealStrategy must be one of "cos" or "linear", instead got "exp"/);
    assertThrowsTensile(() => new SWALR(opt, { swaLr: 0.1, annealEpochs: -1 }), /SWALR: annealEpochs must be an integer equal or greater than 0, got -1/);
    assertThrowsTensile(() => new SWALR(opt, { swaLr: 0.1, annealEpochs: 1.5 }), /annealEpochs must be an integer/);
    assertThrowsTensile(() => new SWALR(opt, [0.1, 0.2, 0.3]), /SWALR: swaLr must have the same length as optimizer.paramGroups: swaLr has 3, optimizer.paramGroups has 2/);
    assertThrowsTensile(() => new SWALR(opt, {} as never), /SWALR: swaLr is required/);
    assertThrowsTensile(() => new SWALR(opt, { swaLr: 0.1, swa_lr: 0.1 } as never), /SWALR: unknown option "swa_lr"/);
    assertThrowsTensile(() => new SWALR({} as never, 0.1), /SWALR: .* is not an Optimizer/);
  });
});

// ---------------------------------------------------------------- AdaptiveLogSoftmaxWithLoss

interface AsmCase {
  name: string; inFeatures: number; nClasses: number; cutoffs: number[]; divValue: number; headBias: boolean; dtype: "float32" | "float64";
  repr: string; state: SD; keys: string[]; input: Enc; target: number[]; output: Enc; loss: number; grads: Record<string, Enc | null>;
  inputGrad: Enc; logProb: Enc; predict: Record<string, { input: Enc; predict: Enc; argmaxLogProb: Enc }>;
  unbatched: { output: Enc; loss: number; inputGrad: Enc };
}

describe("AdaptiveLogSoftmaxWithLoss against PyTorch", () => {
  const build = (c: AsmCase) => {
    const m = new nn.AdaptiveLogSoftmaxWithLoss(c.inFeatures, c.nClasses, c.cutoffs, { divValue: c.divValue, headBias: c.headBias, dtype: c.dtype });
    loadSd(m, c.state);
    return m;
  };
  for (const c of fx.asm as AsmCase[]) {
    const tol = c.dtype === "float64" ? [1e-10, 1e-12] : [1e-5, 1e-6];
    test(`${c.name}: keys, repr, output, loss, gradients, logProb, predict, unbatched`, () => {
      const m = build(c);
      assert.deepEqual(Object.keys(m.stateDict()), c.keys);
      assert.equal(String(m), c.repr);
      const x = dec(c.input, { requiresGrad: true });
      const t = tensor(Int32Array.from(c.target), { dtype: "int32" });
      const { output, loss } = m.forward(x, t);
      assertClose("output", output, c.output, tol[0], tol[1]);
      assert.ok(Math.abs(loss.item() - c.loss) <= tol[0]! * Math.abs(c.loss), `loss ${loss.item()}, PyTorch ${c.loss}`);
      loss.backward();
      for (const [k, p] of m.namedParameters()) {
        const want = c.grads[k];
        if (want === null) assert.equal(p.grad, null, `${k}: PyTorch has no gradient`);
        else assertClose(`grad of ${k}`, p.grad!, want!, tol[0], tol[1]);
      }
      assertClose("grad of input", x.grad!, c.inputGrad, tol[0], tol[1]);
      assertClose("logProb", m.logProb(dec(c.input)), c.logProb, tol[0], tol[1]);
      for (const [k, pc] of Object.entries(c.predict)) {
        const xi = dec(pc.input);
        const pred = m.predict(xi);
        assert.equal(pred.dtype, "int32");
        assert.deepEqual(Array.from(pred.dataSync()), pc.predict.data, `predict (${k})`);
        assert.deepEqual(Array.from(m.logProb(xi).argmax(1).dataSync()), pc.argmaxLogProb.data, `logProb argmax (${k})`);
      }
      m.zeroGrad();
      const x1 = dec(c.input).select(0, 1).detach().requiresGrad_(true);
      const un = m.forward(x1, tensor(c.target[1]!, { dtype: "int32" }));
      assertClose("unbatched output", un.output, c.unbatched.output, tol[0], tol[1]);
      assert.ok(Math.abs(un.loss.item() - c.unbatched.loss) <= tol[0]! * Math.abs(c.unbatched.loss), "unbatched loss");
      un.loss.backward();
      assertClose("unbatched grad of input", x1.grad!, c.unbatched.inputGrad, tol[0], tol[1]);
    });
  }

  test("gradcheck in float64: loss with respect to the input and the weights", () => {
    const c = (fx.asm as AsmCase[]).find((k) => k.dtype === "float64")!;
    const m = build(c);
    const t = tensor(Int32Array.from(c.target), { dtype: "int32" });
    gradcheck("input", (x) => m.forward(x, t).loss, dec(c.input));
    for (const key of ["head.weight", "tail.1.0.weight", "tail.2.1.weight"]) {
      const p = m.getParameter(key);
      const lossAt = () => m.forward(dec(c.input), t).loss;
      m.zeroGrad();
      lossAt().backward();
      const analytic = Float64Array.from(p.grad!.dataSync() as Float64Array);
      const base = Float64Array.from(p.dataSync() as Float64Array);
      const at = (i: number, d: number): number => {
        const a = Float64Array.from(base);
        a[i]! += d;
        return noGrad(() => {
          p.copy_(tensor(a, { shape: [...p.shape], dtype: "float64" }));
          return lossAt().item();
        });
      };
      for (let i = 0; i < base.length; i++) {
        const num = (at(i, 1e-6) - at(i, -1e-6)) / 2e-6;
        assert.ok(Math.abs(num - analytic[i]!) <= 1e-6 * (1 + Math.abs(num)), `${key}[${i}]: autograd ${analytic[i]} vs numerical ${num}`);
      }
      noGrad(() => p.copy_(tensor(base, { shape: [...p.shape], dtype: "float64" })));
    }
  });

  test("a fresh module has PyTorch's structure and Linear's initialisation bounds", () => {
    manualSeed(0);
    const m = new nn.AdaptiveLogSoftmaxWithLoss(64, 1000, [10, 100], 4);
    assert.deepEqual(m.cutoffs, [10, 100, 1000]);
    assert.equal(m.shortlistSize, 10);
    assert.equal(m.nClusters, 2);
    assert.equal(m.headSize, 12);
    assert.deepEqual(m.namedParameters().map(([k, p]) => [k, p.shape]), [
      ["head.weight", [12, 64]], ["tail.0.0.weight", [16, 64]], ["tail.0.1.weight", [90, 16]], ["tail.1.0.weight", [4, 64]], ["tail.1.1.weight", [900, 4]],
    ]);
    const bound = 1 / Math.sqrt(64);
    assert.ok(m.head.weight.abs().max().item() <= bound, "head weights within Linear's bound");
    const lp = m.logProb(randn([3, 64]));
    const total = lp.exp().sum(1).dataSync();
    total.forEach((v) => assert.ok(Math.abs(v - 1) < 1e-4, `probabilities sum to ${v}`));
  });

  test("bad cutoffs, targets and inputs are TensileErrors naming the values", () => {
    const msg = /AdaptiveLogSoftmaxWithLoss: cutoffs should be a sequence of unique, positive integers sorted in an increasing order, where each value is between 1 and n_classes-1/;
    for (const cs of [[5, 3], [3, 3], [0, 4], [4, 10], [2.5], []]) assertThrowsTensile(() => new nn.AdaptiveLogSoftmaxWithLoss(8, 10, cs), msg);
    assertThrowsTensile(() => new nn.AdaptiveLogSoftmaxWithLoss(8, 10, [4, 10]), /got \[4,10\]/);
    assertThrowsTensile(() => new nn.AdaptiveLogSoftmaxWithLoss(8, 10, [4], { div_value: 2 } as never), /unknown option "div_value"/);
    const m = new nn.AdaptiveLogSoftmaxWithLoss(8, 10, [3, 6]);
    const x = randn([4, 8]);
    const t = (v: number[]) => tensor(Int32Array.from(v), { dtype: "int32" });
    assertThrowsTensile(() => m.forward(x, t([0, 1, 10, -1])), /Target values should be in \[0, 9\], but values in range \[-1, 10\] were found/);
    assertThrowsTensile(() => m.forward(x, t([0, 1, 2])), /Input and target should have the same size in the batch dimension \(input \[4, 8\], target \[3\]\)/);
    assertThrowsTensile(() => m.forward(randn([4, 2, 8]), t([0, 1, 2, 3])), /1D target tensor expects 2D input tensors, but found inputs with size \[4, 2, 8\]/);
    assertThrowsTensile(() => m.forward(x, tensor(2, { dtype: "int32" })), /0D target tensor expects 1D input tensors, but found inputs with size \[4, 8\]/);
    assertThrowsTensile(() => m.forward(x, t([0, 1, 2, 3]).reshape([2, 2])), /0D or 1D target tensor expected, multi-target not supported \(target \[2, 2\]\)/);
    assertThrowsTensile(() => m.forward(x, tensor([0, 1, 2, 3], { dtype: "float32" })), /target must hold class indices \(int32\), got dtype float32/);
    assertThrowsTensile(() => m.forward(randn([4, 7]), t([0, 1, 2, 3])), /expected input of 8 features in its last dimension, got shape \[4, 7\]/);
    assertThrowsTensile(() => m.logProb(randn([8])), /AdaptiveLogSoftmaxWithLoss.logProb: expected input of shape \[N, 8\] .* got \[8\]/);
    assertThrowsTensile(() => m.predict(randn([2, 9])), /AdaptiveLogSoftmaxWithLoss.predict: expected input of shape \[N, 8\]/);
  });
});

// ---------------------------------------------------------------- LazyLinear

interface LazyCase {
  name: string; bias: boolean; optimizer: "sgd" | "adam"; x: Enc; y: Enc; init: SD; final: SD; losses: number[];
  before: { repr: string; keys: string[]; class: string };
  after: { repr: string; class: string; inFeatures: number; shapes: Record<string, number[]> };
}

describe("LazyLinear against PyTorch", () => {
  for (const c of fx.lazy.cases as LazyCase[]) {
    test(`${c.name}: an optimizer built before the first forward trains the materialised parameters as PyTorch's`, () => {
      manualSeed(0);
      const m: nn.Linear = new nn.LazyLinear(3, c.bias);
      assert.equal(String(m), c.before.repr);
      assert.equal(m.constructor.name, c.before.class);
      assert.deepEqual(Object.keys(m.stateDict()), c.before.keys);
      assert.ok((m as nn.LazyLinear).hasUninitializedParams() && nn.isLazy(m.weight), "lazy before the first forward");
      const params = m.parameters();
      const opt = c.optimizer === "sgd" ? new optim.SGD(params, { lr: 0.1, momentum: 0.9 }) : new optim.Adam(params, { lr: 0.05 });
      const x = dec(c.x), y = dec(c.y);
      m.forward(x);
      assert.equal(String(m), c.after.repr);
      assert.equal(m.constructor.name, c.after.class);
      assert.ok(m instanceof nn.Linear && !(m instanceof nn.LazyLinear), "a Linear after the first forward");
      assert.equal(m.inFeatures, c.after.inFeatures);
      assert.deepEqual(Object.fromEntries(Object.entries(m.stateDict()).map(([k, v]) => [k, [...v.shape]])), c.after.shapes);
      assert.ok(m.parameters().every((p, i) => p === params[i] && !nn.isLazy(p)), "the parameter objects are the ones the optimizer holds");
      const w = m.weight.dataSync(), bound = 1 / Math.sqrt(c.after.inFeatures);
      assert.ok(w.every((v) => Math.abs(v) <= bound) && w.some((v) => v !== 0), "initialised as Linear: U(±1/√in_features)");
      loadSd(m, c.init);
      c.losses.forEach((want, k) => {
        opt.zeroGrad();
        const loss = F.mseLoss(m.forward(x), y);
        loss.backward();
        opt.step();
        assert.ok(Math.abs(loss.item() - want) <= 1e-5 * want, `step ${k}: loss ${loss.item()}, PyTorch ${want}`);
      });
      assertStateDict("after three steps", m, c.final);
    });
  }

  test("lazy modules nested in a Sequential infer their sizes in turn", () => {
    const seq = new nn.Sequential(new nn.LazyLinear(5), new nn.ReLU(), new nn.LazyLinear(2));
    assert.equal(String(seq), fx.lazy.nested.before);
    seq.forward(randn([3, 7]));
    assert.equal(String(seq), fx.lazy.nested.after);
    assert.deepEqual(Object.fromEntries(Object.entries(seq.stateDict()).map(([k, v]) => [k, [...v.shape]])), fx.lazy.nested.shapes);
  });

  test("loadStateDict materialises a lazy layer at the saved shapes; deepcopy keeps it lazy; errors", () => {
    const src = new nn.Linear(5, 3);
    const lazy = new nn.LazyLinear(3);
    lazy.loadStateDict(src.stateDict());
    assert.equal(lazy.inFeatures, 5);
    assert.deepEqual(Array.from(lazy.weight.dataSync()), Array.from(src.weight.dataSync()));
    const x = randn([2, 5]);
    assert.deepEqual(Array.from(lazy.forward(x).dataSync()), Array.from(src.forward(x).dataSync()));
    assert.ok(!((lazy as nn.Module) instanceof nn.LazyLinear) && lazy instanceof nn.Linear, "a Linear after its first forward");

    const fresh = new nn.LazyLinear(2);
    const copy = deepcopy(fresh);
    assert.ok(copy.hasUninitializedParams() && copy !== fresh && copy.weight !== fresh.weight, "the copy is lazy and separate");
    copy.forward(randn([1, 6]));
    assert.deepEqual(copy.weight.shape, [2, 6]);
    assert.ok(fresh.hasUninitializedParams(), "the original stays lazy");

    assertThrowsTensile(() => new nn.LazyLinear(3).forward(tensor(1)), /LazyLinear: expected an input of at least 1 dimension to infer in_features from, got shape \[\]/);
    assertThrowsTensile(() => new nn.LazyLinear(3, { bias: false, inFeatures: 2 } as never), /LazyLinear: unknown option "inFeatures"/);
    assertThrowsTensile(() => new nn.LazyLinear(3).loadStateDict(new nn.Linear(4, 2).stateDict()), /LazyLinear.loadStateDict: weight of shape \[2, 4\] does not fit out_features=3/);
    // nested, the lazy layer's own load hook does not run (Tensile loads a model in one pass): a size mismatch against [0]
    const seq = new nn.Sequential(new nn.LazyLinear(3));
    assertThrowsTensile(() => seq.loadStateDict(new nn.Sequential(new nn.Linear(4, 3)).stateDict()), /size mismatch for 0.weight: copying a param with shape \[3, 4\] from checkpoint, the shape in current model is \[0\]/);
  });
});
