/**
 * The torch 1.13 names filled in by src/nn/functional/compat.ts, mha.ts, src/nn/layers/compat.ts,
 * sync-batchnorm.ts, src/ops/torch-aliases.ts and src/tensor/compat-methods.ts, against PyTorch
 * (fixtures/api-gaps.json from tools/gen-api-gaps-fixtures.py) on every backend, with float64
 * gradchecks for the new differentiable computations and the main error messages.
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import * as T from "../src/index.js";
import { Tensor, noGrad, randn, tensor, withBackend } from "../src/index.js";
import { type Enc, assertClose, assertThrowsTensile, dec, loadNnFixture } from "./nn-helpers.js";
import { backendsUnderTest } from "./helpers/backends.js";
import { gradcheck } from "./helpers/gradcheck.js";

const { F, nn } = T;
const fx = loadNnFixture("api-gaps.json");
const f64 = (e: Enc, requiresGrad = false) => dec(e).to("float64").detach().requiresGrad_(requiresGrad);

for (const backend of backendsUnderTest()) {
  const on = (fn: () => void) => () => withBackend(backend, fn);

  describe(`nn.functional names (${backend.name})`, () => {
    const p = fx.pool;
    const checkPair = (what: string, [v, i]: [Tensor, Tensor], want: { values: Enc; indices: Enc }) => {
      assertClose(`${what} values`, v, want.values);
      assertClose(`${what} indices`, i, want.indices, 0, 0);
      assert.equal(i.dtype, "int32");
    };
    test("max/adaptive/fractional pooling *WithIndices", on(() => {
      const x1 = dec(p.x1), x2 = dec(p.x2), x3 = dec(p.x3);
      checkPair("max1", F.maxPool1dWithIndices(x1, 3, { stride: 2, padding: 1 }), p.max1);
      checkPair("max2", F.maxPool2dWithIndices(x2, 3, { stride: 2, padding: 1, ceilMode: true }), p.max2);
      checkPair("max3", F.maxPool3dWithIndices(x3, 2, { stride: 2 }), p.max3);
      checkPair("amax1", F.adaptiveMaxPool1dWithIndices(x1, 4), p.amax1);
      checkPair("amax2", F.adaptiveMaxPool2dWithIndices(x2, [3, 4]), p.amax2);
      checkPair("amax3", F.adaptiveMaxPool3dWithIndices(x3, [2, 3, 2]), p.amax3);
      checkPair("torch.adaptiveMaxPool1d", T.adaptiveMaxPool1d(x1, 4), p.torchAmax1);
      checkPair("torch.maxPool1dWithIndices", T.maxPool1dWithIndices(x1, 3, { stride: 2, padding: 1 }), p.max1);
      checkPair("frac2", F.fractionalMaxPool2dWithIndices(x2, 2, { outputSize: [4, 3], randomSamples: dec(p.frac2.samples) }), p.frac2);
      checkPair("frac3", F.fractionalMaxPool3dWithIndices(x3, 2, { outputSize: [3, 3, 2], randomSamples: dec(p.frac3.samples) }), p.frac3);
    }));

    test("logsigmoid, nativeChannelShuffle, upsample, upsampleNearest", on(() => {
      const f = fx.functional;
      assertClose("logsigmoid", F.logsigmoid(dec(f.logsigmoid.x)), f.logsigmoid.y);
      assertClose("nativeChannelShuffle", F.nativeChannelShuffle(dec(f.shuffle.x), 3), f.shuffle.y);
      assertClose("torch.nativeChannelShuffle", T.nativeChannelShuffle(dec(f.shuffle.x), 3), f.shuffle.y);
      const x = dec(f.upsample.x);
      assertClose("upsample nearest", F.upsample(x, { scaleFactor: 2 }), f.upsample.nearest);
      assertClose("upsampleNearest size", F.upsampleNearest(x, { size: [4, 5] }), f.upsample.nearestSize);
      assertClose("upsample bilinear", F.upsample(x, { size: [5, 3], mode: "bilinear", alignCorners: false }), f.upsample.linear);
    }));

    test("upsampleBilinear is align_corners=True, with its gradient", on(() => {
      const u = fx.functional.upsampleBilinear;
      const x = f64(u.x, true);
      const y = F.upsampleBilinear(x, { scaleFactor: 2 });
      assertClose("upsampleBilinear", y, u.y, 1e-10, 1e-12);
      y.mul(f64(u.g)).sum().backward();
      assertClose("upsampleBilinear grad", x.grad!, u.grad, 1e-10, 1e-12);
      assertClose("upsampleBilinear size", F.upsampleBilinear(f64(u.x), { size: [4, 7] }), u.sized, 1e-10, 1e-12);
    }));

    test("convTbc forward and gradients (also torch.convTbc)", on(() => {
      const c = fx.functional.convTbc;
      const [x, w, b] = [f64(c.input, true), f64(c.weight, true), f64(c.bias, true)];
      const y = T.convTbc(x, w, b, c.pad);
      assertClose("convTbc", y, c.y, 1e-10, 1e-12);
      y.mul(f64(c.g)).sum().backward();
      assertClose("convTbc grad input", x.grad!, c.gradInput, 1e-10, 1e-12);
      assertClose("convTbc grad weight", w.grad!, c.gradWeight, 1e-10, 1e-12);
      assertClose("convTbc grad bias", b.grad!, c.gradBias, 1e-10, 1e-12);
      assertThrowsTensile(() => F.convTbc(randn([7, 2, 4]), randn([3, 3, 4]), randn([4])), /convTbc: Input dim 2 .* not == dim 1/);
      assertThrowsTensile(() => F.convTbc(randn([7, 3]), randn([3, 3, 4]), randn([4])), /convTbc: Input must have 3 dims/);
    }));
  });

  describe(`F.multiHeadAttentionForward (${backend.name})`, () => {
    const m = fx.mha, I = m.inputs;
    const base = () => ({
      embedDimToCheck: I.E as number, numHeads: I.H as number, inProjWeight: f64(I.wIn), inProjBias: f64(I.bIn),
      outProjWeight: f64(I.wOut), outProjBias: f64(I.bOut), training: false,
    });
    const run = (name: string, q: Tensor, k: Tensor, v: Tensor, extra: Partial<T.F.MultiHeadAttentionForwardOptions>) => {
      const c = m.cases[name];
      const query = q.detach().requiresGrad_(c.g !== undefined);
      const [out, w] = F.multiHeadAttentionForward(query, k, v, { ...base(), ...extra });
      assertClose(`${name} out`, out, c.out, 1e-9, 1e-11);
      if (c.weights === null) assert.equal(w, null);
      else assertClose(`${name} weights`, w!, c.weights, 1e-9, 1e-11);
      if (c.g) {
        out.mul(f64(c.g)).sum().backward();
        assertClose(`${name} grad query`, query.grad!, c.gradQuery, 1e-9, 1e-11);
      }
    };
    const q = () => f64(I.q), k = () => f64(I.k), v = () => f64(I.v);
    test("packed projections, masks, biasK/biasV, addZeroAttn", on(() => {
      run("plain", q(), k(), v(), {});
      run("masks", q(), k(), v(), { attnMask: dec(I.attnBool), keyPaddingMask: dec(I.kpm) });
      run("floatMask", q(), k(), v(), { attnMask: f64(I.attnFloat), keyPaddingMask: dec(I.kpm), averageAttnWeights: false });
      run("biasKv", q(), k(), v(), { biasK: f64(I.biasK), biasV: f64(I.biasV), addZeroAttn: true, attnMask: dec(I.attnBool), keyPaddingMask: dec(I.kpm) });
      run("noWeights", q(), k(), v(), { needWeights: false });
      run("static", q(), k(), v(), { staticK: f64(I.sk), staticV: f64(I.sv), addZeroAttn: true });
    }));
    test("separate projections (kdim, vdim) and unbatched input", on(() => {
      run("separate", q(), f64(I.ks), f64(I.vs), {
        useSeparateProjWeight: true, qProjWeight: f64(I.qw), kProjWeight: f64(I.kw), vProjWeight: f64(I.vw), inProjWeight: null,
      });
      const row = (t: Tensor) => t.select(1, 0);
      run("unbatched", row(q()), row(k()), row(v()), { keyPaddingMask: dec(I.kpm).select(0, 0) });
    }));
    test("agrees with nn.MultiheadAttention holding the same parameters", on(() => {
      const mha = new nn.MultiheadAttention(I.E, I.H, { dtype: "float64" }).eval();
      noGrad(() => {
        mha.in_proj_weight!.copy_(f64(I.wIn));
        mha.in_proj_bias!.copy_(f64(I.bIn));
        mha.out_proj.weight.copy_(f64(I.wOut));
        mha.out_proj.bias!.copy_(f64(I.bOut));
      });
      const opts = { attnMask: dec(I.attnBool), keyPaddingMask: dec(I.kpm) };
      const [a, wa] = mha.forward(q(), k(), v(), opts);
      const [b, wb] = F.multiHeadAttentionForward(q(), k(), v(), {
        ...opts, embedDimToCheck: I.E, numHeads: I.H, inProjWeight: mha.in_proj_weight, inProjBias: mha.in_proj_bias,
        outProjWeight: mha.out_proj.weight, outProjBias: mha.out_proj.bias, training: false,
      });
      assert.ok(a.sub(b).abs().max().item() < 1e-12 && wa!.sub(wb!).abs().max().item() < 1e-12);
      assertClose("layer vs PyTorch", a, m.cases.masks.out, 1e-9, 1e-11);
    }));
    test("errors", on(() => {
      assertThrowsTensile(() => F.multiHeadAttentionForward(q(), k(), v(), { ...base(), embedDimToCheck: 8 }), /was expecting embedding dimension of 8, but got 6/);
      assertThrowsTensile(() => F.multiHeadAttentionForward(q(), k(), v(), { ...base(), attnMask: dec(I.attnBool).narrow(1, 0, 3) }), /the shape of the 2D attn_mask is \[3, 3\], but should be \[3, 4\]/);
      assertThrowsTensile(() => F.multiHeadAttentionForward(q(), k(), v(), { ...base(), inProjWeight: null }), /inProjWeight .*must be a Tensor/);
      assertThrowsTensile(() => F.multiHeadAttentionForward(q(), k(), v(), { ...base(), keyPaddingMask: dec(I.kpm).narrow(1, 0, 3) }), /expecting key_padding_mask shape of \[2, 4\]/);
    }));
  });

  describe(`nn layers (${backend.name})`, () => {
    const L = fx.layers;
    test("SyncBatchNorm is batch norm over [N, C, +] in one process", on(() => {
      for (const name of ["bn3", "bn5"]) {
        const c = L[name];
        const bn = new nn.SyncBatchNorm(3);
        noGrad(() => {
          bn.weight!.copy_(dec(c.weight));
          bn.bias!.copy_(dec(c.bias));
        });
        assertClose(`${name} y`, bn.forward(dec(c.x)), c.y, 1e-5, 1e-5);
        assertClose(`${name} running_mean`, bn.runningMean!, c.runningMean);
        assertClose(`${name} running_var`, bn.runningVar!, c.runningVar);
        assert.equal(bn.numBatchesTracked!.item(), 1);
      }
      assert.equal(String(new nn.SyncBatchNorm(5, { eps: 1e-3, momentum: 0.2 })), L.syncRepr);
      assertThrowsTensile(() => new nn.SyncBatchNorm(3).forward(randn([3])), /SyncBatchNorm: expected at least 2D input \(got 1D input/);
      assertThrowsTensile(() => new nn.SyncBatchNorm(3, 1e-5, 0.1, true, true, "group"), /process groups are not supported/);
    }));
    test("SyncBatchNorm.convertSyncBatchnorm keeps parameters and buffers", on(() => {
      const inner = new nn.Sequential(new nn.Linear(3, 3), new nn.BatchNorm1d(3, { momentum: null, affine: false }));
      const bn2 = new nn.BatchNorm2d(3);
      const net = new nn.Sequential(new nn.Conv2d(2, 3, 1), bn2, inner);
      const before = net.stateDict();
      const out = nn.SyncBatchNorm.convertSyncBatchnorm(net);
      assert.equal(out, net);
      assert.equal(String(out), L.convert.repr);
      assert.deepEqual(Object.keys(out.stateDict()), L.convert.keys);
      assert.deepEqual(out.modules().map((mm) => mm.constructor.name), L.convert.classes);
      const sbn = out.getSubmodule("1") as T.nn.SyncBatchNorm;
      assert.ok(sbn instanceof nn.SyncBatchNorm && sbn.weight === bn2.weight && sbn.runningMean === bn2.runningMean);
      for (const [kk, t] of Object.entries(out.stateDict())) assert.equal(t.storage, before[kk]!.storage, kk);
      const lone = nn.SyncBatchNorm.convertSyncBatchnorm(new nn.BatchNorm3d(4));
      assert.ok(lone instanceof nn.SyncBatchNorm);
    }));
    test("DataParallel: module's forward, state-dict keys under module.", on(() => {
      const inner = new nn.Sequential(new nn.Linear(2, 3), new nn.ReLU(), new nn.Linear(3, 1));
      const dp = new nn.DataParallel(inner);
      assert.equal(String(dp), L.dataParallel.repr);
      assert.deepEqual(Object.keys(dp.stateDict()), L.dataParallel.keys);
      const x = randn([4, 2]);
      assert.ok((dp.forward(x) as Tensor).sub(inner.forward(x)).abs().max().item() === 0);
      const other = new nn.DataParallel(new nn.Sequential(new nn.Linear(2, 3), new nn.ReLU(), new nn.Linear(3, 1)));
      other.loadStateDict(dp.stateDict());
      assert.ok((other.forward(x) as Tensor).sub(inner.forward(x)).abs().max().item() === 0);
      assertThrowsTensile(() => new nn.DataParallel(3 as unknown as T.nn.Module), /DataParallel: module must be a Module/);
    }));
    test("CrossMapLRN2d against PyTorch's legacy layer", on(() => {
      for (const c of L.crossMapLrn) {
        const m = new nn.CrossMapLRN2d(c.size, c.alpha, c.beta, c.k);
        const x = f64(c.x, true);
        const y = m.forward(x);
        assertClose(`size ${c.size} forward`, y, c.y, 1e-10, 1e-12);
        if (c.torchGradIsExact) { // PyTorch's hand-written backward is its forward's gradient only here
          y.mul(f64(c.g)).sum().backward();
          assertClose(`size ${c.size} grad`, x.grad!, c.grad, 1e-8, 1e-10);
        }
      }
      assert.equal(String(new nn.CrossMapLRN2d(3)), L.crossMapLrnRepr);
      assertThrowsTensile(() => new nn.CrossMapLRN2d(3).forward(randn([2, 3, 4])), /CrossMapLRN2d: Expected input to be 4D, got 3D instead/);
    }));
    test("NLLLoss2d, RNNBase, RNNCellBase", on(() => {
      const logp = randn([2, 3, 2, 2]).logSoftmax(1);
      const target = tensor([[[0, 1], [2, 0]], [[1, 1], [0, 2]]], { dtype: "int32" });
      const a = new nn.NLLLoss2d().forward(logp, target), b = new nn.NLLLoss().forward(logp, target);
      assert.ok(new nn.NLLLoss2d() instanceof nn.NLLLoss && a.item() === b.item());
      for (const m of [new nn.RNN(2, 3), new nn.LSTM(2, 3), new nn.GRU(2, 3)]) assert.ok(m instanceof nn.RNNBase);
      for (const m of [new nn.RNNCell(2, 3), new nn.LSTMCell(2, 3), new nn.GRUCell(2, 3)]) assert.ok(m instanceof nn.RNNCellBase && !(m instanceof nn.RNNBase));
    }));
  });

  describe(`torch.* aliases and helpers (${backend.name})`, () => {
    const t = fx.torch;
    test("range (end included, float32 by default)", on(() => {
      for (const c of t.range) {
        const y = T.range(c.args[0], c.args[1], c.args[2]);
        assert.equal(y.dtype, "float32");
        assertClose(`range(${c.args})`, y, c.y, 0, 0);
      }
      const y64 = T.range(0, 1, 0.1, { dtype: "float64" });
      assert.equal(y64.dtype, "float64");
      assertClose("range float64", y64, t.range64, 0, 0);
      assertThrowsTensile(() => T.range(0, 1, 0), /range: step must be nonzero/);
      assertThrowsTensile(() => T.range(3, 1), /range: upper bound and larger bound inconsistent with step sign/);
    }));
    test("angle: π, 0 or NaN, float32 for int and bool, zero gradient", on(() => {
      const a = t.angle;
      const y = T.angle(dec(a.x));
      assertClose("angle", y, a.y, 0, 0);
      assertClose("angle float64", dec(a.x).to("float64").angle(), a.y64, 0, 0);
      const yi = T.angle(tensor([-3, 0, 4], { dtype: "int32" }));
      assert.equal(yi.dtype, "float32");
      assertClose("angle int", yi, a.int, 0, 0);
      assertClose("angle bool", T.angle(tensor([true, false])), a.bool, 0, 0);
      const x = tensor([-1, 2, -0.5], { dtype: "float64", requiresGrad: true });
      T.angle(x).mul(tensor([1, 2, 3], { dtype: "float64" })).sum().backward();
      assert.deepEqual([...x.grad!.dataSync()], [0, 0, 0]);
    }));
    test("rsub, fill, put, Tensor.put", on(() => {
      const a = dec(t.rsub.a), b = dec(t.rsub.b);
      assertClose("rsub", T.rsub(a, b, { alpha: 2.5 }), t.rsub.y);
      assertClose("rsub scalar", T.rsub(a, 3), t.rsub.scalar);
      const filled = T.fill(a, 1.25);
      assertClose("fill", filled, t.fill, 0, 0);
      assert.notEqual(filled.storage, a.storage);
      const p = t.put, x = dec(p.x), idx = dec(p.index), src = dec(p.source);
      assertClose("torch.put", T.put(x, idx, src), p.y, 0, 0);
      assertClose("Tensor.put accumulate", x.put(idx, src, true), p.acc, 1e-6, 1e-7);
      assertClose("x unchanged", x, p.x, 0, 0);
    }));
    test("embedding (weight first), gridSampler, affineGridGenerator, constantPadNd", on(() => {
      assertClose("embedding", T.embedding(dec(t.embedding.weight), dec(t.embedding.indices), 2), t.embedding.y, 0, 0);
      const g = t.gridSampler;
      for (const c of g.cases)
        assertClose(`gridSampler ${c.mode} ${c.pad} ${c.align}`, T.gridSampler(dec(g.input), dec(g.grid), c.mode, c.pad, c.align), c.y, 1e-5, 1e-6);
      assertThrowsTensile(() => T.gridSampler(dec(g.input), dec(g.grid), 3, 0, false), /gridSampler: interpolation_mode must be 0 \(bilinear\), 1 \(nearest\) or 2 \(bicubic\), got 3/);
      assertClose("affineGridGenerator", T.affineGridGenerator(dec(t.affineGrid.theta), [2, 1, 3, 4], false), t.affineGrid.y);
      assertClose("affineGridGenerator aligned", T.affineGridGenerator(dec(t.affineGrid.theta), [2, 1, 3, 4], true), t.affineGrid.yAligned);
      assertClose("constantPadNd", T.constantPadNd(dec(t.constantPadNd.x), [1, 2, 0, 1], 0.5), t.constantPadNd.y, 0, 0);
    }));
    test("top-level aliases are the nn.functional functions", on(() => {
      for (const n of ["conv1d", "conv2d", "conv3d", "convTranspose1d", "convTranspose2d", "convTranspose3d", "avgPool1d", "maxPool1d", "maxPool2d",
        "maxPool3d", "adaptiveAvgPool1d", "batchNorm", "layerNorm", "groupNorm", "instanceNorm", "dropout", "alphaDropout",
        "featureAlphaDropout", "bilinear", "pixelShuffle", "pixelUnshuffle", "channelShuffle", "prelu", "rrelu", "celu", "selu_",
        "hardshrink", "threshold", "cosineSimilarity", "pairwiseDistance", "cosineEmbeddingLoss", "marginRankingLoss",
        "hingeEmbeddingLoss", "tripletMarginLoss", "klDiv", "poissonNllLoss", "binaryCrossEntropyWithLogits", "ctcLoss"] as const)
        assert.equal(T[n], F[n], n);
    }));
  });

  describe(`in-place matrix products (${backend.name})`, () => {
    test("addmm_, addmv_, addr_, addbmm_, baddbmm_ against PyTorch", on(() => {
      for (const [name, c] of Object.entries(fx.torch.products) as [string, { self: Enc; a: Enc; b: Enc; y: Enc }][]) {
        const x = dec(c.self);
        const r = (x as unknown as Record<string, (a: Tensor, b: Tensor, o: object) => Tensor>)[name]!.call(x, dec(c.a), dec(c.b), { beta: 0.5, alpha: -1.5 });
        assert.equal(r, x, `${name} returns self`);
        assertClose(name, x, c.y, 1e-5, 1e-6);
      }
      const c = fx.torch.products.addmv_;
      const x = dec(c.self);
      assert.equal(T.addmv_(x, dec(c.a), dec(c.b), { beta: 0.5, alpha: -1.5 }), x);
      assertClose("torch.addmv_", x, c.y, 1e-5, 1e-6);
    }));
    test("recorded by autograd; shape and leaf errors", on(() => {
      const m1 = randn([3, 2], { dtype: "float64", requiresGrad: true }), m2 = randn([2, 4], { dtype: "float64" });
      const s = randn([3, 4], { dtype: "float64", requiresGrad: true });
      const y = s.mul(1);
      y.addmm_(m1, m2, { beta: 2 });
      y.sum().backward();
      assert.ok(s.grad!.sub(2).abs().max().item() < 1e-12);
      const want = T.ones([3, 4], { dtype: "float64" }).matmul(m2.transpose(0, 1));
      assert.ok(m1.grad!.sub(want).abs().max().item() < 1e-12);
      assertThrowsTensile(() => randn([1, 4]).addmm_(randn([3, 2]), randn([2, 4])), /addmm_: the result has shape \[3, 4\] but self has shape \[1, 4\]/);
      assertThrowsTensile(() => randn([3, 4], { requiresGrad: true }).addmm_(randn([3, 2]), randn([2, 4])), /addmm_: a leaf Variable that requires grad/);
      assertThrowsTensile(() => randn([3, 4]).addmm_(randn([3, 2]), randn([3, 4])), /addmm: mat1 and mat2 shapes cannot be multiplied/);
    }));
  });

  describe(`Tensor compatibility methods (${backend.name})`, () => {
    const t = fx.torch;
    test("type() names and conversions", on(() => {
      for (const [d, name] of Object.entries(t.typeNames) as [T.DType, string][]) assert.equal(T.zeros([1], { dtype: d }).type(), name);
      for (const [from, to, want] of t.typeConversions as [T.DType, string, T.DType][]) assert.equal(T.zeros([1], { dtype: from }).type(to).dtype, want, `${from}.type(${to})`);
      const x = T.zeros([2]);
      assert.equal(x.type("float32"), x);
      assertThrowsTensile(() => x.type("torch.HalfTensor"), /type: invalid type "torch.HalfTensor"/);
    }));
    test("new(...) legacy constructor", on(() => {
      const xi = tensor([[1, -2, 3], [4, 5, -6]], { dtype: "int32" });
      const a = xi.new(2, 3);
      assert.deepEqual([...a.shape], t.new.sizes);
      assert.equal(a.dtype, "int32");
      assert.deepEqual([...xi.new().shape], t.new.empty);
      assertClose("new(data)", xi.new([[1, 2], [3, 4]]), t.new.data, 0, 0);
      assertClose("new(flat data)", xi.new([2, 3] as unknown as T.Nested), t.new.flat, 0, 0);
      assert.equal(xi.new([[1, 2]]).dtype, "int32");
    }));
    test("apply_, map_, map2_ (no autograd)", on(() => {
      const x = dec(t.apply.x);
      assert.equal(x.apply_((v) => v * v - 1), x);
      assertClose("apply_", x, t.apply.y);
      const xi = dec(t.apply.xi);
      assertClose("apply_ int32", xi.apply_((v) => v * 3 + 1), t.apply.yi, 0, 0);
      assertClose("map_", dec(t.apply.x).map_(dec(t.map.other), (p, q) => p * q + 2), t.map.y);
      assertClose("map2_", dec(t.apply.x).map2_(dec(t.map.other), dec(t.map.third), (p, q, r) => p - q * r), t.map.y2);
      const view = T.zeros([2, 3]).transpose(0, 1);
      view.apply_((v) => v + 1);
      assert.deepEqual([...view.contiguous().dataSync()], [1, 1, 1, 1, 1, 1]);
      assertThrowsTensile(() => randn([2], { requiresGrad: true }).apply_((v) => v), /apply_: Can't call apply_\(\) on Variable that requires grad/);
      assertThrowsTensile(() => randn([2, 3]).map_(randn([4]), (p) => p), /map_: the shape of the other tensor \[4\] cannot be broadcast to self's shape \[2, 3\]/);
    }));
    test("dtypes Tensile lacks are named", on(() => {
      const x = T.zeros([2]);
      for (const [m, dt] of [["byte", "uint8"], ["char", "int8"], ["short", "int16"], ["half", "float16"], ["bfloat16", "bfloat16"], ["cfloat", "complex64"], ["cdouble", "complex128"], ["chalf", "complex32"]] as const)
        assertThrowsTensile(() => x[m](), new RegExp(`${m}: Tensile has no ${dt} dtype \\(torch\\.${dt}\\)`));
    }));
    test("detach_ makes a leaf in place", on(() => {
      const w = randn([3], { requiresGrad: true });
      const y = w.mul(2);
      assert.equal(y.detach_(), y);
      assert.ok(!y.requiresGrad && y.isLeaf);
      y.add_(1); // a plain tensor again: no graph to refuse the write
      const u = w.mul(4);
      u.exp(); // recorded: u is an input of a node now
      assertThrowsTensile(() => u.detach_(), /detach_: this tensor .* was already used as an input/);
      assertThrowsTensile(() => T.zeros([4]).narrow(0, 1, 2).detach_(), /detach_: Can't detach views in-place/);
      const fresh = w.mul(5);
      assert.equal(T.detach_(fresh), fresh);
      assert.ok(!fresh.requiresGrad);
    }));
    test("complex introspection of real tensors", on(() => {
      const x = randn([2, 2]);
      assert.equal(x.real, x);
      assert.equal(T.real(x), x);
      assertThrowsTensile(() => x.imag, /imag: imag is not implemented for tensors with non-complex dtypes/);
      assertThrowsTensile(() => T.imag(x), /imag is not implemented/);
      for (const f of [T.conj, T.conjPhysical, T.conjPhysical_, T.resolveConj, T.resolveNeg]) assert.equal(f(x), x);
      for (const m of ["conj", "conjPhysical", "conjPhysical_", "resolveConj", "resolveNeg"] as const) assert.equal(x[m](), x);
      assert.deepEqual([T.isComplex(x), T.isConj(x), T.isNeg(x), T.isInference(x), x.isConj(), x.isNeg(), x.isInference()], Array(7).fill(false));
      assert.deepEqual([T.isSigned(x), T.isSigned(T.zeros([1], { dtype: "bool" }))], [true, false]);
      const r = T.isreal(tensor([NaN, 1]));
      assert.equal(r.dtype, "bool");
      assert.deepEqual([...r.dataSync()], [1, 1]);
      assert.equal(x.getDevice(), -1);
      assert.equal(T.getDefaultDtype(), "float32");
      assertThrowsTensile(() => T.isComplex(3 as unknown as Tensor), /isComplex/);
    }));
  });

  describe(`torch.abs_(x) & co., dropout_, asarray, frombuffer (${backend.name})`, () => {
    test("each in-place function is the method", on(() => {
      const x = tensor([0.3, 1.7, -0.4]);
      const want = x.exp();
      assert.equal(T.exp_(x), x);
      assert.deepEqual([...x.dataSync()], [...want.dataSync()]);
      const y = tensor([-2, 0.5, 3]);
      T.clamp_(y, -1, 1);
      assert.deepEqual([...y.dataSync()], [-1, 0.5, 1]);
      const z = tensor([1, 2, 3]).float();
      T.fill_(z, 7);
      assert.deepEqual([...z.dataSync()], [7, 7, 7]);
      const n = tensor([NaN, Infinity, 1]);
      T.nanToNum_(n, 0, 5);
      assert.deepEqual([...n.dataSync()], [0, 5, 1]);
      assertThrowsTensile(() => T.sqrt_(tensor([4, 9], { dtype: "int32" })), /sqrt_: result type float32 can't be cast to the desired output type int32/);
      assertThrowsTensile(() => T.abs_(3 as unknown as Tensor), /abs_/);
    }));
    test("split/chunk spellings, typename, anomaly settings", on(() => {
      const x = T.arange(6).float();
      const parts = (ts: Tensor[]) => ts.map((p) => [...p.dataSync()]);
      assert.deepEqual(parts(T.splitWithSizes(x, [2, 4])), [[0, 1], [2, 3, 4, 5]]);
      assert.deepEqual(parts(T.unsafeSplitWithSizes(x, [5, 1])), [[0, 1, 2, 3, 4], [5]]);
      assert.deepEqual(parts(x.unsafeSplitWithSizes([1, 5])), [[0], [1, 2, 3, 4, 5]]);
      assert.deepEqual(parts(T.unsafeChunk(x, 3)), [[0, 1], [2, 3], [4, 5]]);
      assert.deepEqual(parts(T.unsafeSplit(x, 4)), [[0, 1, 2, 3], [4, 5]]);
      const n = T.narrowCopy(x, 0, 1, 2);
      assert.deepEqual([...n.dataSync()], [1, 2]);
      assert.notEqual(n.storage, x.storage);
      assert.equal(T.typename(x.double()), fx.torch.typeNames.float64);
      assert.equal(T.isAnomalyEnabled(), false);
      T.setAnomalyEnabled(true, false);
      assert.deepEqual([T.isAnomalyEnabled(), T.isAnomalyCheckNanEnabled()], [true, false]);
      T.setAnomalyEnabled(false);
      assert.equal(T.isAnomalyEnabled(), false);
    }));
    test("dropout_, featureDropout", on(() => {
      const x = T.ones([400]);
      assert.equal(T.dropout_(x, 0.5, true), x);
      const v = [...x.dataSync()];
      assert.ok(v.every((e) => e === 0 || e === 2) && v.some((e) => e === 0) && v.some((e) => e === 2));
      const f = T.featureDropout(T.ones([8, 50, 3]), 0.5, true);
      for (let n = 0; n < 8; n++)
        for (let c = 0; c < 50; c++) {
          const ch = [...f.select(0, n).select(0, c).dataSync()];
          assert.ok(ch.every((e) => e === ch[0]) && (ch[0] === 0 || ch[0] === 2));
        }
      assert.equal(T.featureDropout(T.ones([2, 3]), 0.5, false).sum().item(), 6);
      assertThrowsTensile(() => T.featureDropout(T.ones([3]), 0.5, true), /featureDropout: Feature dropout requires at least 2 dimensions/);
    }));
    test("asarray and frombuffer", on(() => {
      const x = randn([3]);
      assert.equal(T.asarray(x), x);
      const c = T.asarray(x, { copy: true });
      assert.notEqual(c, x);
      assert.deepEqual([...c.dataSync()], [...x.dataSync()]);
      assert.equal(T.asarray(x, { dtype: "float64" }).dtype, "float64");
      assertThrowsTensile(() => T.asarray(x, { dtype: "float64", copy: false }), /asarray: can't alias tensor of dtype float32 as dtype float64 without a copy/);
      assert.equal(T.asarray([[1, 2], [3, 4]]).dtype, "int32");
      const buf = new Float32Array([1, 2, 3, 4]).buffer;
      assert.deepEqual([...T.frombuffer(buf, { dtype: "float32", offset: 4, count: 2 }).dataSync()], [2, 3]);
      assert.deepEqual([...T.frombuffer(new Uint8Array([1, 0, 0, 0, 7, 0, 0, 0, 9]), { dtype: "int32", count: 2 }).dataSync()], [1, 7]);
      // an unaligned offset is read through a copy
      const bytes = new Uint8Array(9);
      new DataView(bytes.buffer).setFloat64(1, 2.5, true);
      assert.equal(T.frombuffer(bytes, { dtype: "float64", offset: 1 }).item(), 2.5);
      assertThrowsTensile(() => T.frombuffer(buf, { dtype: "float64", offset: 4 }), /frombuffer: buffer length \(12 bytes\) after offset \(4 bytes\) must be a multiple of element size \(8\)/);
      assertThrowsTensile(() => T.frombuffer(buf, { dtype: "float32", count: 5 }), /frombuffer: requested buffer length/);
    }));
  });
}

describe("float64 gradchecks of the new differentiable ops", () => {
  const d = (shape: number[], seed: number) => {
    T.manualSeed(seed);
    return randn(shape, { dtype: "float64" });
  };
  test("addmm_ family (self and both operands)", () => {
    const cases: [string, number[], number[], number[]][] = [
      ["addmm_", [3, 4], [3, 2], [2, 4]], ["addmv_", [3], [3, 4], [4]], ["addr_", [3, 4], [3], [4]],
      ["addbmm_", [3, 4], [2, 3, 2], [2, 2, 4]], ["baddbmm_", [2, 3, 4], [2, 3, 2], [2, 2, 4]],
    ];
    for (const [name, s, a, b] of cases) {
      const S = d(s, 1), A = d(a, 2), B = d(b, 3);
      const call = (self: Tensor, x: Tensor, y: Tensor) => {
        const out = self.mul(1);
        (out as unknown as Record<string, (a: Tensor, b: Tensor, o: object) => Tensor>)[name]!.call(out, x, y, { beta: 0.7, alpha: -1.3 });
        return out;
      };
      gradcheck((x) => call(x, A, B), S, `${name} self`);
      gradcheck((x) => call(S, x, B), A, `${name} first operand`);
      gradcheck((x) => call(S, A, x), B, `${name} second operand`);
    }
  });
  test("angle (zero away from 0), convTbc, CrossMapLRN2d, multiHeadAttentionForward", () => {
    gradcheck((x) => T.angle(x), tensor([-1.5, 0.7, -0.2, 2], { dtype: "float64" }), "angle");
    const w = d([3, 3, 4], 4), b = d([4], 5);
    gradcheck((x) => F.convTbc(x, w, b, 1), d([5, 2, 3], 6), "convTbc input");
    gradcheck((x) => F.convTbc(d([5, 2, 3], 6), x, b, 2), w, "convTbc weight");
    for (const size of [1, 2, 3, 5])
      gradcheck((x) => new nn.CrossMapLRN2d(size, 0.4, 0.75, 1.5).forward(x), d([1, 4, 2, 2], 7 + size), `CrossMapLRN2d(${size})`);
    const E = 4, H = 2;
    const opts = {
      embedDimToCheck: E, numHeads: H, inProjWeight: d([3 * E, E], 20), inProjBias: d([3 * E], 21), outProjWeight: d([E, E], 22),
      outProjBias: d([E], 23), biasK: d([1, 1, E], 24), biasV: d([1, 1, E], 25), addZeroAttn: true, training: false,
    };
    const k = d([3, 2, E], 26);
    gradcheck((x) => F.multiHeadAttentionForward(x, k, k, opts)[0], d([2, 2, E], 27), "multiHeadAttentionForward query");
    gradcheck((x) => F.multiHeadAttentionForward(d([2, 2, E], 27), x, x, opts)[0], k, "multiHeadAttentionForward key/value");
  });
});
