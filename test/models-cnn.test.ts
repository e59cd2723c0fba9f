/**
 * GoogLeNet, Inception v3, every RegNet and EfficientNetV2-S/M/L in `models` against torchvision 0.14
 * (fixtures/models-cnn.json from `tools/gen-models-fixtures.py --set cnn`, and
 * fixtures/models-cnn-train.json from `tools/modelsets/cnn.py`).
 *
 * Every builder's case checks state-dict keys, shapes and order, the parameter count and the dropout
 * probabilities, and all but two the eval-mode logits after the generator's formula weights (FORWARD;
 * the file takes ~45 s of CPU). EfficientNetV2-L's logits are checked in float64 (its float32 ones
 * are ill-conditioned with these weights; see its test). RegNetY-128GF (637M parameters, 2.6 GB) is
 * too big to build here: its stage table is checked against the fixture, and a RegNet with its
 * exact blocks but at most two per stage is built and compared key by key with the fixture's first
 * two blocks of each stage, the later blocks being checked to repeat the second; its logits are not
 * checked. The models are built with nn.utils.skipInit (the formula overwrites every weight).
 */
import { after, describe, test } from "node:test";
import assert from "node:assert/strict";
import { type Tensor, getBackend, manualSeed, noGrad, randn, setBackend, tensor } from "../src/core.js";
import * as nn from "../src/nn/index.js";
import * as models from "../src/models/index.js";
import { assertThrowsTensile, loadNnFixture } from "./nn-helpers.js";
import { gradcheck } from "./helpers/gradcheck.js";
import {
  type ZooCase, ZOO_TOL, caseName, checkLogits, checkStructure, countParams, ctor, formulaStateDict, keysOf, modelInput, relErr, zooCaseTests,
} from "./helpers/models.js";

const fx = loadNnFixture<{ models: ZooCase[] }>("models-cnn.json");
interface TrainCase { name: string; options: Record<string, unknown>; size: number; batch: number; dtype: string; outputs: Record<string, number[]> }
const train = loadNnFixture<{ models: TrainCase[] }>("models-cnn-train.json");

// Cases whose float32 logits are checked (name, + the option that tells a second case apart); the rest: structure only.
const FORWARD = new Set([
  "googlenet", "googlenet+transform", "inceptionV3", "inceptionV3+transform", "regnetX_400mf", "regnetX_800mf", "regnetX_1_6gf",
  "regnetX_3_2gf", "regnetX_8gf", "regnetX_16gf", "regnetX_32gf", "regnetY_400mf", "regnetY_800mf", "regnetY_1_6gf", "regnetY_3_2gf",
  "regnetY_8gf", "regnetY_16gf", "regnetY_32gf", "regnetY_400mf+stem", "efficientnetV2S", "efficientnetV2M",
]);
const key = (c: ZooCase) => c.name + (c.options.transformInput ? "+transform" : c.options.stemWidth ? "+stem" : "");
const HEAVY = new Set(fx.models.map((c) => c.name));
const TOO_BIG = "regnetY_128gf";

const before = getBackend();
after(() => setBackend(before));

describe("models cnn: torchvision 0.14 module trees and forward (wasm backend)", () => {
  zooCaseTests(fx.models.filter((c) => FORWARD.has(key(c))), HEAVY);

  for (const c of fx.models.filter((x) => !FORWARD.has(key(x)) && x.name !== TOO_BIG)) {
    test(`${caseName(c)} (structure)`, () => {
      setBackend("wasm");
      checkStructure(c, nn.utils.skipInit(() => ctor(c.name)(c.options)));
    });
  }

  test("efficientnetV2L: eval logits in float64 match torchvision's float32 ones (float32 is ill-conditioned here)", (t) => {
    // 79 blocks of formula weights reach activations ~1e7, where a squeeze-excitation sigmoid can
    // flip on a float32 rounding: torch's own float32 logits are 1.2e-4 from its float64 ones and
    // Tensile's float32 ones 3.7e-2 (its float64 ones: 2.4e-13 from torch's float64).
    setBackend("wasm");
    const c = fx.models.find((x) => x.name === "efficientnetV2L")!;
    const m = nn.utils.skipInit(() => ctor(c.name)(c.options));
    m.loadStateDict(formulaStateDict(m, c.keys));
    m.eval().double();
    const y = noGrad(() => m.forward(modelInput(c.size).double()) as Tensor);
    const err = relErr(y, c.logits);
    t.diagnostic(`max |logit − torchvision| / max |logit| = ${err.toExponential(2)}`);
    assert.ok(err <= ZOO_TOL, `logits differ from torchvision's by ${err.toExponential(2)}`);
  });

  test("regnetY_128gf: stage table, and its blocks (at most two per stage) key by key", () => {
    setBackend("wasm");
    const c = fx.models.find((x) => x.name === TOO_BIG)!;
    const parse = (s: string) => /^trunk_output\.block(\d+)\.block\d+-(\d+)\.(.*)$/.exec(s);
    // the fixture's stages: block count per stage, and every later block repeats block 1's keys and shapes
    const blocks = new Map<string, string[]>();
    for (const s of c.keys) {
      const m = parse(s);
      if (m) blocks.set(`${m[1]}-${m[2]}`, [...(blocks.get(`${m[1]}-${m[2]}`) ?? []), m[3]!]);
    }
    const depths = [1, 2, 3, 4].map((st) => [...blocks.keys()].filter((b) => b.startsWith(`${st}-`)).length);
    const params = models.regnetBlockParams(models.regnetDesigns.regnetY_128gf);
    assert.deepEqual(params.depths, depths, "blocks per stage");
    for (const [b, ks] of blocks) if (!b.endsWith("-0")) assert.deepEqual(ks, blocks.get(b.replace(/-\d+$/, "-1")), `block ${b} repeats block 1`);
    // build the same RegNet with at most two blocks per stage (190M parameters instead of 637M)
    const short = { ...params, depths: params.depths.map((d) => Math.min(d, 2)) };
    const m = nn.utils.skipInit(() => new models.RegNet(short, c.options as models.RegNetOptions));
    const kept = c.keys.filter((s) => { const p = parse(s); return !p || Number(p[2]) < 2; });
    assert.deepEqual(keysOf(m), kept, "keys and shapes of stem, the first two blocks of each stage and fc");
    // parameter count: the built model plus (depth − 2) more copies of each stage's block 1
    const sd = m.stateDict(), buffers = /(running_mean|running_var|num_batches_tracked)$/;
    let total = countParams(m);
    params.depths.forEach((d, s) => {
      for (const [k, v] of Object.entries(sd)) if (k.startsWith(`trunk_output.block${s + 1}.block${s + 1}-1.`) && !buffers.test(k)) total += Math.max(0, d - 2) * v.numel();
    });
    assert.equal(total, c.numParams, "parameter count");
  });
});

/** The generator's input formula for a batch of two. */
function batchInput(size: number): Tensor {
  const n = 2 * 3 * size * size, data = new Float32Array(n);
  for (let i = 0; i < n; i++) data[i] = (((i * 31 + 7) % 97) - 48) / 48;
  return tensor(data, { shape: [2, 3, size, size] });
}

describe("models cnn: training mode, auxiliary heads", () => {
  test("GoogLeNet: GoogLeNetOutputs equal torchvision's field by field (float64), in torchvision's order", () => {
    setBackend("wasm");
    const c = train.models.find((x) => x.name === "googlenet")!;
    const m = nn.utils.skipInit(() => models.googlenet(c.options));
    m.loadStateDict(formulaStateDict(m, keysOf(m)));
    m.train().double();
    const out = noGrad(() => m.forward(batchInput(c.size).double())) as models.GoogLeNetOutputs;
    assert.ok(Array.isArray(out) && out.length === 3);
    assert.equal(out[0], out.logits);
    assert.equal(out[1], out.auxLogits2);
    assert.equal(out[2], out.auxLogits1);
    for (const f of ["logits", "auxLogits2", "auxLogits1"] as const) {
      assert.deepEqual([...out[f].shape], [2, 10]);
      const err = relErr(out[f], c.outputs[f]!);
      assert.ok(err < 1e-9, `${f}: ${err}`);
    }
    // aux heads do not run in eval mode, and the result is the logits tensor
    m.eval();
    assert.ok(!Array.isArray(noGrad(() => m.forward(batchInput(c.size).double()))));
  });

  test("Inception v3 (299×299): InceptionOutputs equal torchvision's (float32 against float64)", () => {
    setBackend("wasm");
    const c = train.models.find((x) => x.name === "inceptionV3")!;
    const m = nn.utils.skipInit(() => models.inceptionV3(c.options));
    m.loadStateDict(formulaStateDict(m, keysOf(m)));
    m.train();
    const out = noGrad(() => m.forward(batchInput(c.size))) as models.InceptionOutputs;
    assert.ok(Array.isArray(out) && out.length === 2 && out[0] === out.logits && out[1] === out.auxLogits);
    // measured 4.1e-4 and 6.8e-4 (torch's float32 is as far from its float64)
    for (const f of ["logits", "auxLogits"] as const) {
      const err = relErr(out[f], c.outputs[f]!);
      assert.ok(err < 3e-3, `${f}: ${err}`);
    }
  });

  test("one training step through GoogLeNet (with aux losses) and RegNetY-400MF reaches every parameter", () => {
    setBackend("wasm");
    manualSeed(0);
    const y = tensor([1, 3], { dtype: "int32" });
    const g = models.googlenet({ numClasses: 4 });
    g.train();
    const out = g.forward(randn(2, 3, 32, 32)) as models.GoogLeNetOutputs;
    const ce = (t: Tensor) => nn.functional.crossEntropy(t, y);
    ce(out.logits).add(ce(out.auxLogits1).add(ce(out.auxLogits2)).mul(0.3)).backward();
    const r = models.regnetY_400mf({ numClasses: 4 });
    r.train();
    ce(r.forward(randn(2, 3, 32, 32))).backward();
    for (const [name, m] of [["googlenet", g], ["regnetY_400mf", r]] as const) {
      for (const [k, p] of m.namedParameters()) {
        assert.ok(p.grad, `${name}.${k} has no gradient`);
        assert.ok(Number.isFinite(p.grad!.abs().sum().item() as number), `${name}.${k} gradient is not finite`);
      }
    }
    assert.equal(g.stateDict()["aux1.conv.bn.num_batches_tracked"]!.item(), 1);
    assert.equal(r.stateDict()["trunk_output.block4.block4-5.f.b.1.num_batches_tracked"]!.item(), 1);
  });

  test("blocks: float64 gradcheck through FusedMBConv, a RegNetY block (SE, projection) and GoogLeNet's Inception", () => {
    manualSeed(2);
    const bn = (ch: number) => new nn.BatchNorm2d(ch);
    const fused = new models.FusedMBConv({ expandRatio: 4, kernel: 3, stride: 1, inputChannels: 4, outChannels: 4, numLayers: 1 }, 0, bn).double();
    gradcheck((x) => fused.forward(x), randn(1, 4, 4, 4, { dtype: "float64" }), "FusedMBConv (residual)");
    const relu = () => new nn.ReLU();
    const block = new models.ResBottleneckBlock(4, 8, 2, bn, relu, 4, 1, 0.25).double();
    gradcheck((x) => block.forward(x), randn(2, 4, 4, 4, { dtype: "float64" }), "ResBottleneckBlock");
    const inc = new models.GoogLeNetInception(3, 2, 2, 3, 2, 3, 2).double();
    gradcheck((x) => inc.forward(x), randn(2, 3, 3, 3, { dtype: "float64" }), "GoogLeNetInception");
  });
});

describe("models cnn: options, initialisation, reference backend, errors", () => {
  test("defaults: 1000 classes, auxiliary heads and torchvision's dropouts; auxLogits: false removes only the heads", () => {
    setBackend("wasm");
    const drops = (m: nn.Module) => m.modules().filter((d) => d instanceof nn.Dropout).map((d) => (d as nn.Dropout).p);
    const g = nn.utils.skipInit(() => models.googlenet());
    assert.deepEqual([...g.fc.weight.shape], [1000, 1024]);
    assert.deepEqual(drops(g), [0.7, 0.7, 0.2]);
    const g0 = nn.utils.skipInit(() => models.googlenet({ auxLogits: false }));
    assert.deepEqual(keysOf(g0), keysOf(g).filter((k) => !k.startsWith("aux")));
    assert.equal(g0.aux1, null);
    const inc = nn.utils.skipInit(() => models.inceptionV3());
    assert.deepEqual([...inc.AuxLogits!.fc.weight.shape], [1000, 768]);
    assert.deepEqual(drops(inc), [0.5]);
    assert.deepEqual([0.2, 0.3, 0.4], [models.efficientnetV2S, models.efficientnetV2M, models.efficientnetV2L].map((b) =>
      drops(nn.utils.skipInit(() => b({ numClasses: 3 })))[0]));
    const e = nn.utils.skipInit(() => models.efficientnetV2S({ stochasticDepthProb: 0.5 }));
    const ps = e.modules().filter((x) => x instanceof models.StochasticDepth).map((x) => (x as models.StochasticDepth).p);
    assert.equal(ps.length, 40);
    assert.ok(ps[0] === 0 && Math.abs(ps[39]! - (0.5 * 39) / 40) < 1e-12);
    assert.equal(e.modules().filter((x) => x instanceof models.FusedMBConv).length, 10);
    const bnEps = e.modules().filter((x) => x instanceof nn.BatchNorm2d).map((x) => (x as nn.BatchNorm2d).eps);
    assert.ok(bnEps.every((v) => v === 1e-3));
    assert.deepEqual([...models.regnetX_400mf({ numClasses: 5 }).forward(randn(2, 3, 20, 20)).shape], [2, 5]);
  });

  test("regnetBlockParams: torchvision's stage tables (x_8gf's first group width is capped at the bottleneck width)", () => {
    assert.deepEqual(models.regnetBlockParams(models.regnetDesigns.regnetX_8gf), {
      depths: [2, 5, 15, 1], widths: [80, 240, 720, 1920], groupWidths: [80, 120, 120, 120],
      bottleneckMultipliers: [1, 1, 1, 1], strides: [2, 2, 2, 2], seRatio: null,
    });
    assert.deepEqual(models.regnetBlockParams(models.regnetDesigns.regnetY_128gf).widths, [528, 1056, 2904, 7392]);
    const p = models.regnetBlockParams({ depth: 10, w0: 16, wa: 12, wm: 2, groupWidth: 8, bottleneckMultiplier: 0.5 });
    assert.deepEqual(p.widths.map((w, i) => (w * p.bottleneckMultipliers[i]!) % p.groupWidths[i]!), p.widths.map(() => 0));
  });

  test("torchvision's initialisation: truncated normals (GoogLeNet 0.01, Inception 0.1 and 0.001), RegNet's fan-out normals", () => {
    setBackend("wasm");
    manualSeed(3);
    const std = (t: Tensor) => Math.sqrt(t.pow(2).mean().item() as number);
    const near = (a: number, b: number, what: string, tol = 0.05) => assert.ok(Math.abs(a / b - 1) < tol, `${what}: ${a} vs ${b}`);
    const g = models.googlenet({ numClasses: 10 });
    const sd = g.stateDict();
    near(std(sd["inception4e.branch2.1.conv.weight"]!), 0.01, "googlenet conv");
    near(std(sd["aux1.fc1.weight"]!), 0.01, "googlenet linear");
    assert.ok((sd["fc.bias"]!.abs().max().item() as number) > 0, "linear biases keep PyTorch's default");
    assert.equal(sd["conv3.bn.weight"]!.min().item(), 1);
    // initWeights: false keeps PyTorch's default conv init, U(±1/√fan_in)
    const w = models.googlenet({ initWeights: false }).stateDict()["inception5b.branch2.1.conv.weight"]!;
    const bound = 1 / Math.sqrt(192 * 9);
    assert.ok((w.abs().max().item() as number) <= bound);
    near(std(w), bound / Math.sqrt(3), "googlenet initWeights: false");
    const inc = models.inceptionV3({ numClasses: 10 }).stateDict();
    near(std(inc["Mixed_6e.branch7x7dbl_3.conv.weight"]!), 0.1, "inception conv");
    near(std(inc["AuxLogits.conv1.conv.weight"]!), 0.1, "inception aux conv1 (torchvision's stddev 0.01 is set on the BasicConv2d, unread)");
    near(std(inc["AuxLogits.fc.weight"]!), 0.001, "inception aux fc", 0.1);
    const r = models.regnetY_800mf({ numClasses: 50 }).stateDict();
    near(std(r["trunk_output.block3.block3-2.f.b.0.weight"]!), Math.sqrt(2 / (9 * 320)), "regnet grouped conv: fan_out = k²·out");
    near(std(r["fc.weight"]!), 0.01, "regnet fc");
    assert.equal(r["fc.bias"]!.abs().max().item(), 0);
    assert.ok((r["trunk_output.block3.block3-2.f.se.fc1.bias"]!.abs().max().item() as number) > 0, "SE conv biases keep PyTorch's default");
    const e = models.efficientnetV2S({ numClasses: 100 }).stateDict();
    near(std(e["classifier.1.weight"]!), 1 / Math.sqrt(3 * 100), "efficientnetV2 classifier U(±1/√out)");
    near(std(e["features.2.1.block.0.0.weight"]!), Math.sqrt(2 / (9 * 192)), "efficientnetV2 fused conv kaiming fan_out");
  });

  test("reference backend: RegNetY-400MF and EfficientNetV2-S logits match torchvision", () => {
    setBackend("reference");
    for (const name of ["regnetY_400mf", "efficientnetV2S"]) {
      const c = fx.models.find((x) => x.name === name)!;
      checkLogits(c, nn.utils.skipInit(() => ctor(c.name)(c.options)), ZOO_TOL);
    }
  });

  test("bad options and inputs get TensileErrors naming the model and the value", () => {
    setBackend("wasm");
    assertThrowsTensile(() => models.googlenet({ numClasses: 0 }), /GoogLeNet/, /numClasses must be a positive integer, got 0/);
    assertThrowsTensile(() => models.googlenet({ dropoutAux: 2 }), /GoogLeNet/, /dropoutAux must be a probability in \[0, 1\], got 2/);
    assertThrowsTensile(() => models.inceptionV3({ dropout: -0.1 }), /Inception3/, /dropout must be a probability in \[0, 1\], got -0.1/);
    assertThrowsTensile(() => models.regnetBlockParams({ depth: 10, w0: 12, wa: 8, wm: 2, groupWidth: 8 }), /RegNet/, /Invalid RegNet settings: w0=12/);
    assertThrowsTensile(() => models.regnetBlockParams({ depth: 10, w0: 16, wa: 8, wm: 1, groupWidth: 8 }), /Invalid RegNet settings/, /wm=1/);
    assertThrowsTensile(() => models.regnetX_400mf({ stemWidth: 0 }), /RegNet/, /stemWidth must be a positive integer, got 0/);
    assertThrowsTensile(() => models.efficientnetV2Config("xl" as never), /Unsupported model type efficientnet_v2_xl/);
    assertThrowsTensile(() => models.efficientnetV2S({ stochasticDepthProb: 1.5 }), /EfficientNet/, /stochasticDepthProb must be a probability/);
    assertThrowsTensile(() => new models.FusedMBConv({ expandRatio: 1, kernel: 3, stride: 3, inputChannels: 8, outChannels: 8, numLayers: 1 }, 0,
      (ch) => new nn.BatchNorm2d(ch)), /FusedMBConv/, /illegal stride value 3/);
    const g = nn.utils.skipInit(() => models.googlenet({ numClasses: 3 }));
    assertThrowsTensile(() => g.forward(randn(1, 1, 32, 32)), /GoogLeNet: expected input \[N, 3, H, W\], got \[1, 1, 32, 32\]/);
    const inc = nn.utils.skipInit(() => models.inceptionV3({ numClasses: 3 }));
    assertThrowsTensile(() => inc.forward(randn(3, 32, 32)), /Inception3: expected input \[N, 3, H, W\], got \[3, 32, 32\]/);
    assertThrowsTensile(() => inc.AuxLogits!.forward(randn(2, 768, 3, 3)), /InceptionAux/, /H, W >= 17/, /299×299/, /got \[2, 768, 3, 3\]/);
  });
});
