/**
 * torchvision 0.14's transformer-era classifiers in `models` (ConvNeXt, Vision Transformer, Swin
 * Transformer v1/v2, MaxViT) against fixtures/models-transformer.json (tools/gen-models-fixtures.py
 * with tools/modelsets/transformer.py): state-dict keys, shapes and order, parameter counts, dropout
 * probabilities, and eval-mode logits after every floating-point state-dict entry was set from the
 * generator's formula (integer buffers — the relative_position_index tables — as built).
 *
 * Every model is built with `nn.utils.skipInit` (the formula overwrites every weight). ViT-L/16,
 * ViT-L/32, ViT-H/14 (300M–630M parameters), ConvNeXt-Base/Large and Swin-B get the structure check
 * only, to keep this file within its time and memory budget (ViT-H/14's weights alone are 2.5 GB,
 * so it goes first, on the reference backend, whose arrays the garbage collector returns before
 * the wasm memory grows); each family's forward is checked on its other members, and ViT-L's and
 * ViT-H's widths, heads, MLP widths and patch sizes on `visionTransformer` cases with 2 layers.
 */
import { after, describe, test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { type Tensor, Generator, manualSeed, noGrad, ones, randn, setBackend, getBackend, tensor, withBackend } from "../src/core.js";
import * as nn from "../src/nn/index.js";
import * as models from "../src/models/index.js";
import { assertThrowsTensile, loadNnFixture } from "./nn-helpers.js";
import { type ZooCase, caseName, checkLogits, checkStructure, ctor, modelInput, relErr, zooCaseTests } from "./helpers/models.js";
import { loadTorch } from "../src/io/index.js";
import { gradcheck } from "./helpers/gradcheck.js";

const fx = loadNnFixture<{ models: ZooCase[] }>("models-transformer.json");
const STRUCTURE_ONLY = new Set(["vitH14", "vitL16", "vitL32", "convnextLarge", "convnextBase", "swinB"]);
const ALL = new Set(fx.models.map((c) => c.name));

const before = getBackend();
after(() => setBackend(before));

const std = (t: Tensor) => Math.sqrt(t.pow(2).mean().item() as number);
const near = (a: number, b: number, rel: number, what: string) => assert.ok(Math.abs(a / b - 1) < rel, `${what}: ${a} vs ${b}`);

describe("transformer models: structure of the largest builders (skipInit, reference backend)", () => {
  // ViT-H/14 first: its 2.5 GB of weights must be gone before the wasm tests grow their memory.
  const order = ["vitH14", "vitL16", "vitL32", "convnextLarge", "convnextBase", "swinB"];
  for (const name of order) {
    const c = fx.models.find((x) => x.name === name)!;
    test(`${caseName(c)}: keys, shapes, order, parameter count`, () => {
      withBackend("reference", () => {
        const m = nn.utils.skipInit(() => ctor(c.name)(c.options));
        checkStructure(c, m);
        if (m instanceof models.VisionTransformer && m.hiddenDim >= 1024) {
          // the heads are in no shape: they must be the ones the 2-layer forward check used
          const twin = fx.models.find((x) => x.name === "visionTransformer" && x.options.hiddenDim === m.hiddenDim && x.options.patchSize === m.patchSize)!;
          const layer0 = m.encoder.layers.modules().find((x) => x instanceof nn.MultiheadAttention) as nn.MultiheadAttention;
          assert.equal(layer0.numHeads, twin.options.numHeads, `${c.name}: heads`);
          assert.equal(layer0.numHeads, 16);
        }
      });
    });
  }
});

describe("transformer models: torchvision 0.14 module trees and forward (wasm backend)", () => {
  zooCaseTests(fx.models.filter((c) => !STRUCTURE_ONLY.has(c.name)), ALL);
});

const tinyConvNeXt = (o: models.ConvNeXtOptions = {}) =>
  new models.ConvNeXt([{ inputChannels: 32, outChannels: 64, numLayers: 2 }, { inputChannels: 64, outChannels: null, numLayers: 2 }], o);
const tinyViT = (o: models.ViTOptions = {}) => models.visionTransformer({ patchSize: 4, numLayers: 2, numHeads: 4, hiddenDim: 64, mlpDim: 256, imageSize: 16, ...o });
const tinySwin = (version: 1 | 2, o: models.SwinOptions = {}) =>
  models.swinTransformer({ patchSize: [2, 2], embedDim: 32, depths: [2, 2], numHeads: [2, 4], windowSize: [3, 3], version, ...o });
const tinyMaxVit = (o: models.MaxVitOptions = {}) =>
  models.maxvit({ stemChannels: 8, partitionSize: 2, blockChannels: [8, 16], blockLayers: [1, 2], headDim: 4, inputSize: [16, 16], ...o });

describe("transformer models: options, initialisation, training, reference backend, errors", () => {
  test("defaults: 1000 classes, ViT's 224×224 (197 tokens), the stochastic-depth ramps and Swin's alternating shifts", () => {
    setBackend("wasm");
    const v = nn.utils.skipInit(() => models.vitB16());
    assert.deepEqual([...v.encoder.pos_embedding.shape], [1, 197, 768]);
    assert.deepEqual([...v.heads.stateDict()["head.weight"]!.shape], [1000, 768]);
    const c = nn.utils.skipInit(() => models.convnextTiny());
    const cp = c.modules().filter((m) => m instanceof models.StochasticDepth).map((m) => (m as models.StochasticDepth).p);
    assert.equal(cp.length, 18);
    cp.forEach((p, i) => assert.ok(Math.abs(p - (0.1 * i) / 17) < 1e-15, `block ${i}: p ${p}`));
    assert.deepEqual([...c.classifier.stateDict()["2.weight"]!.shape], [1000, 768]);
    const s = nn.utils.skipInit(() => models.swinV2T({ dropout: 0.1, attentionDropout: 0.2, stochasticDepthProb: 0.3 }));
    const blocks = s.modules().filter((m) => m instanceof models.SwinTransformerBlockV2) as models.SwinTransformerBlockV2[];
    assert.equal(blocks.length, 12);
    assert.deepEqual(blocks.map((b) => b.attn.shiftSize[0]), [0, 4, 0, 4, 0, 4, 0, 4, 0, 4, 0, 4]);
    assert.ok(Math.abs(blocks[11]!.stochastic_depth.p - 0.3) < 1e-15 && blocks[0]!.stochastic_depth.p === 0);
    assert.ok(blocks.every((b) => b.attn.attentionDropout === 0.2 && b.attn.dropoutP === 0.1 && b.attn instanceof models.ShiftedWindowAttentionV2));
    const drops = s.modules().filter((m) => m instanceof nn.Dropout).map((m) => (m as nn.Dropout).p);
    assert.deepEqual(drops, new Array(24).fill(0.1));
  });

  test("torchvision's initialisation: truncated normal 0.02, zero heads, ViT's Xavier MLPs, Swin v2's logit scale", () => {
    setBackend("wasm");
    manualSeed(2);
    const c = tinyConvNeXt({ numClasses: 100 });
    const csd = c.stateDict();
    near(std(csd["features.1.0.block.3.weight"]!), 0.02, 0.05, "ConvNeXt block.3");
    near(std(csd["classifier.2.weight"]!), 0.02, 0.05, "ConvNeXt classifier");
    assert.equal(csd["features.1.0.block.3.bias"]!.abs().max().item(), 0);
    assert.equal(csd["features.1.0.layer_scale"]!.sub(1e-6).abs().max().item(), 0);
    assert.equal(csd["features.0.1.weight"]!.min().item(), 1);
    const v = tinyViT({ numClasses: 50 });
    const vsd = v.stateDict();
    assert.equal(vsd["heads.head.weight"]!.abs().max().item(), 0);
    assert.equal(vsd["class_token"]!.abs().max().item(), 0);
    near(std(vsd["encoder.pos_embedding"]!), 0.02, 0.05, "pos_embedding");
    near(std(vsd["conv_proj.weight"]!), Math.sqrt(1 / 48), 0.05, "conv_proj");
    near(std(vsd["encoder.layers.encoder_layer_0.mlp.0.weight"]!), Math.sqrt(2 / (64 + 256)), 0.05, "MLP Xavier");
    assert.ok((vsd["encoder.layers.encoder_layer_0.mlp.0.bias"]!.abs().max().item() as number) < 1e-5);
    const s = tinySwin(2, { numClasses: 100 });
    const ssd = s.stateDict();
    near(std(ssd["features.1.0.mlp.0.weight"]!), 0.02, 0.05, "Swin MLP");
    near(std(ssd["features.1.0.attn.qkv.weight"]!), 0.02, 0.05, "Swin qkv");
    assert.equal(ssd["features.1.0.attn.qkv.bias"]!.abs().max().item(), 0);
    assert.ok(ssd["features.1.0.attn.logit_scale"]!.sub(Math.log(10)).abs().max().item() as number < 1e-6);
    const s1 = models.swinTransformer({ patchSize: [4, 4], embedDim: 64, depths: [1], numHeads: [64], windowSize: [7, 7] });
    near(std(s1.stateDict()["features.1.0.attn.relative_position_bias_table"]!), 0.02, 0.05, "bias table");
    const mv = models.maxvit({ stemChannels: 64, partitionSize: 2, blockChannels: [64], blockLayers: [1], headDim: 32, inputSize: [16, 16], numClasses: 100 });
    const msd = mv.stateDict();
    near(std(msd["blocks.0.layers.0.layers.MBconv.layers.conv_a.0.weight"]!), 0.02, 0.05, "MaxViT conv");
    near(std(msd["blocks.0.layers.0.layers.window_attention.mlp_layer.1.weight"]!), 0.02, 0.05, "MaxViT linear");
    assert.equal(msd["blocks.0.layers.0.layers.window_attention.mlp_layer.1.bias"]!.abs().max().item(), 0);
    assert.equal(msd["blocks.0.layers.0.layers.MBconv.layers.pre_norm.weight"]!.min().item(), 1);
    const bn = mv.modules().find((m) => m instanceof nn.BatchNorm2d) as nn.BatchNorm2d;
    assert.ok(bn.eps === 1e-3 && bn.momentum === 0.99, "MaxViT BatchNorm eps 1e-3, momentum 0.99");
  });

  test("Swin buffers: relative_position_index and v2's relative_coords_table equal torchvision's (window 3×5)", () => {
    // printed by torchvision 0.14: ShiftedWindowAttentionV2(8, [3, 5], [0, 0], 2).relative_coords_table / .relative_position_index
    const coords = [-1.0566417,-1.0566417,-1.0566417,-0.935785,-1.0566417,-0.77397603,-1.0566417,-0.52832085,-1.0566417,0.0,-1.0566417,0.52832085,-1.0566417,0.77397603,-1.0566417,0.935785,-1.0566417,1.0566417,-0.77397603,-1.0566417,-0.77397603,-0.935785,-0.77397603,-0.77397603,-0.77397603,-0.52832085,-0.77397603,0.0,-0.77397603,0.52832085,-0.77397603,0.77397603,-0.77397603,0.935785,-0.77397603,1.0566417,0.0,-1.0566417,0.0,-0.935785,0.0,-0.77397603,0.0,-0.52832085,0.0,0.0,0.0,0.52832085,0.0,0.77397603,0.0,0.935785,0.0,1.0566417,0.77397603,-1.0566417,0.77397603,-0.935785,0.77397603,-0.77397603,0.77397603,-0.52832085,0.77397603,0.0,0.77397603,0.52832085,0.77397603,0.77397603,0.77397603,0.935785,0.77397603,1.0566417,1.0566417,-1.0566417,1.0566417,-0.935785,1.0566417,-0.77397603,1.0566417,-0.52832085,1.0566417,0.0,1.0566417,0.52832085,1.0566417,0.77397603,1.0566417,0.935785,1.0566417,1.0566417];
    const index = [22,21,20,19,18,13,12,11,10,9,4,3,2,1,0,23,22,21,20,19,14,13,12,11,10,5,4,3,2,1,24,23,22,21,20,15,14,13,12,11,6,5,4,3,2,25,24,23,22,21,16,15,14,13,12,7,6,5,4,3,26,25,24,23,22,17,16,15,14,13,8,7,6,5,4,31,30,29,28,27,22,21,20,19,18,13,12,11,10,9,32,31,30,29,28,23,22,21,20,19,14,13,12,11,10,33,32,31,30,29,24,23,22,21,20,15,14,13,12,11,34,33,32,31,30,25,24,23,22,21,16,15,14,13,12,35,34,33,32,31,26,25,24,23,22,17,16,15,14,13,40,39,38,37,36,31,30,29,28,27,22,21,20,19,18,41,40,39,38,37,32,31,30,29,28,23,22,21,20,19,42,41,40,39,38,33,32,31,30,29,24,23,22,21,20,43,42,41,40,39,34,33,32,31,30,25,24,23,22,21,44,43,42,41,40,35,34,33,32,31,26,25,24,23,22];
    const a = new models.ShiftedWindowAttentionV2(8, [3, 5], [0, 0], 2);
    assert.deepEqual([...a.relative_coords_table.shape], [1, 5, 9, 2]);
    assert.deepEqual(Array.from(a.relative_coords_table.dataSync()), coords.map(Math.fround));
    assert.equal(a.relative_position_index.dtype, "int32");
    assert.deepEqual(Array.from(a.relative_position_index.dataSync()), index);
    assert.deepEqual(Array.from(new models.ShiftedWindowAttention(8, [3, 5], [0, 0], 2).relative_position_index.dataSync()), index);
  });

  test("training mode: forward + backward reaches every parameter (ConvNeXt, ViT, Swin v1 and v2, MaxViT), stochastic depth drops samples", () => {
    setBackend("wasm");
    manualSeed(0);
    const cases: [string, nn.Module, number][] = [
      ["ConvNeXt", tinyConvNeXt({ numClasses: 4, stochasticDepthProb: 0.5 }), 16],
      ["ViT", tinyViT({ numClasses: 4, dropout: 0.1, attentionDropout: 0.1 }), 16],
      ["Swin", tinySwin(1, { numClasses: 4, stochasticDepthProb: 0.5, dropout: 0.1 }), 14],
      ["SwinV2", tinySwin(2, { numClasses: 4, stochasticDepthProb: 0.5 }), 14],
      ["MaxViT", tinyMaxVit({ numClasses: 4, stochasticDepthProb: 0.5, mlpDropout: 0.1 }), 16],
    ];
    for (const [what, m, size] of cases) {
      m.train();
      const y = m.forward(randn(2, 3, size, size)) as Tensor;
      assert.deepEqual([...y.shape], [2, 4], what);
      nn.functional.crossEntropy(y, tensor([1, 3], { dtype: "int32" })).backward();
      for (const [k, p] of m.namedParameters()) {
        assert.ok(p.grad, `${what}: ${k} has no gradient`);
        assert.ok(Number.isFinite(p.grad!.abs().sum().item() as number), `${what}: ${k} gradient is not finite`);
      }
      // v2's key bias is always zero: no gradient flows to the middle third of qkv.bias
      if (what === "SwinV2") {
        const g = (m.stateDict({ keepVars: true })["features.1.0.attn.qkv.bias"]!).grad!;
        assert.equal(g.narrow(0, 32, 32).abs().max().item(), 0);
        assert.ok((g.narrow(0, 64, 32).abs().max().item() as number) > 0);
      }
    }
    const blk = new models.CNBlock(4, 1, 0.5);
    blk.train();
    const x = ones([400, 4, 2, 2]);
    const branch = noGrad(() => blk.forward(x).sub(x).abs().sum([1, 2, 3]).dataSync());
    const kept = Array.from(branch).filter((v) => v > 0).length;
    assert.ok(kept > 150 && kept < 250, `kept ${kept} of 400 residual branches at p = 0.5`);
  });

  // fixtures/models-transformer-pth: small instances of torchvision's classes, `torch.save(model.state_dict())`
  // (tools/gen-transformer-checkpoints-fixtures.py); the int64 relative_position_index buffers included
  test("torch.save'd torchvision state dicts (Swin v1/v2, ViT, ConvNeXt, MaxViT) load with loadTorch + loadStateDict and give torchvision's logits, both backends", () => {
    const dir = new URL("../fixtures/models-transformer-pth/", import.meta.url);
    const expected = JSON.parse(readFileSync(new URL("expected.json", dir), "utf8")) as
      Record<string, { builder: string; options: Record<string, unknown>; size: number; logits: number[] }>;
    assert.deepEqual(Object.keys(expected), ["swin", "swin_v2", "vit", "convnext", "maxvit"]);
    for (const backend of ["wasm", "reference"] as const) {
      setBackend(backend);
      for (const [name, e] of Object.entries(expected)) {
        const { blockSetting, ...o } = e.options as { blockSetting?: [number, number | null, number][] };
        const m = e.builder === "ConvNeXt"
          ? new models.ConvNeXt(blockSetting!.map(([inputChannels, outChannels, numLayers]) => ({ inputChannels, outChannels, numLayers })), o)
          : ctor(e.builder)(e.options);
        const sd = loadTorch(fileURLToPath(new URL(`${name}.pth`, dir))) as Record<string, Tensor>;
        const own = m.stateDict();
        for (const [k, t] of Object.entries(sd)) {
          if (k.endsWith("relative_position_index")) {
            assert.equal(t.dtype, "int32", `${name}: ${k} (int64 in the file) reads as int32`);
            assert.deepEqual(Array.from(t.dataSync()), Array.from(own[k]!.dataSync()), `${name}: ${k} as Tensile builds it`);
          }
        }
        assert.deepEqual(m.loadStateDict(sd), { missingKeys: [], unexpectedKeys: [] }, name);
        m.eval();
        const y = noGrad(() => m.forward(modelInput(e.size)) as Tensor);
        const err = relErr(y, e.logits);
        assert.ok(err < 1e-5, `${backend} ${name}: logits differ from torchvision by ${err.toExponential(2)} of max|logit|`);
      }
    }
  });

  test("reference backend: Swin-T (mlpRatio 2; padding, shifted windows, odd patch merging) logits match torchvision", () => {
    setBackend("reference");
    const c = fx.models.find((x) => x.name === "swinT" && x.options.mlpRatio === 2)!;
    checkLogits(c, nn.utils.skipInit(() => ctor(c.name)(c.options)));
  });

  test("shiftedWindowAttention: float64 gradcheck (padded, shifted; v1 scaled dot product and v2 cosine attention)", () => {
    const g = new Generator().manualSeed(5);
    const r = (...s: number[]) => randn(s, { dtype: "float64", generator: g });
    const x0 = r(1, 5, 4, 4), qkvW = r(12, 4).mul(0.5), projW = r(4, 4).mul(0.5), qkvB = r(12).mul(0.1), bias = r(1, 2, 9, 9).mul(0.1);
    const args = { windowSize: [3, 3], numHeads: 2, shiftSize: [1, 1], qkvBias: qkvB, projBias: r(4) };
    gradcheck((x) => models.shiftedWindowAttention(x, qkvW, projW, bias, args), x0, "shiftedWindowAttention v1 (input)");
    gradcheck((w) => models.shiftedWindowAttention(x0, w, projW, bias, args), qkvW, "shiftedWindowAttention v1 (qkv weight)");
    const ls = r(2, 1, 1).mul(0.3).add(1);
    gradcheck((x) => models.shiftedWindowAttention(x, qkvW, projW, bias, { ...args, logitScale: ls }), x0, "shiftedWindowAttention v2 (input)");
    gradcheck((l) => models.shiftedWindowAttention(x0, qkvW, projW, bias, { ...args, logitScale: l }), ls, "shiftedWindowAttention v2 (logit scale)");
  });

  test("bad options and inputs get TensileErrors naming the model and the value", () => {
    setBackend("wasm");
    assertThrowsTensile(() => models.convnextTiny({ numClasses: 0 }), /ConvNeXt/, /numClasses must be a positive integer, got 0/);
    assertThrowsTensile(() => models.convnextTiny({ stochasticDepthProb: 2 }), /ConvNeXt/, /stochasticDepthProb must be a probability in \[0, 1\], got 2/);
    assertThrowsTensile(() => new models.ConvNeXt([]), /ConvNeXt/, /block_setting should not be empty/);
    assertThrowsTensile(() => tinyConvNeXt().forward(randn(1, 3, 4, 4)), /ConvNeXt: expected an image of at least 8×8, got 4×4/);
    assertThrowsTensile(() => new models.LayerNorm2d(8).forward(randn(1, 4, 2, 2)), /LayerNorm2d: expected input \[N, 8, H, W\], got \[1, 4, 2, 2\]/);
    assertThrowsTensile(() => models.vitB16({ imageSize: 30 }), /VisionTransformer/, /Input shape indivisible by patch size! \(imageSize 30, patchSize 16\)/);
    assertThrowsTensile(() => models.vitB16({ dropout: -0.1 }), /VisionTransformer/, /dropout must be a probability/);
    assertThrowsTensile(() => tinyViT().forward(randn(1, 3, 32, 16)), /VisionTransformer: Wrong image height! Expected 16 but got 32!/);
    assertThrowsTensile(() => tinyViT().forward(randn(1, 1, 16, 16)), /VisionTransformer: expected input \[N, 3, 16, 16\], got \[1, 1, 16, 16\]/);
    assertThrowsTensile(() => tinyViT({ numHeads: 5 } as never), /VisionTransformer/, /hiddenDim must be divisible by numHeads \(hiddenDim 64, numHeads 5\)/);
    assertThrowsTensile(() => models.swinT({ mlpRatio: 0 }), /SwinTransformer/, /mlpRatio must be a positive number, got 0/);
    assertThrowsTensile(() => tinySwin(1, { windowSize: [7] } as never), /SwinTransformer/, /windowSize must be a list of 2 positive integers, got \[7\]/);
    assertThrowsTensile(() => tinySwin(1, { numHeads: [2] } as never), /SwinTransformer/, /numHeads must be a list of 2 positive integers, got \[2\]/);
    assertThrowsTensile(() => tinySwin(3 as never), /SwinTransformer/, /version must be 1 or 2, got 3/);
    assertThrowsTensile(() => tinySwin(1).forward(randn(1, 3, 8)), /SwinTransformer: expected input \[N, 3, H, W\], got \[1, 3, 8\]/);
    assertThrowsTensile(() => models.maxvitT({ inputSize: [200, 200] }), /MaxVit/, /Input size \[50, 50\] of block 0 is not divisible by partition size 7/);
    assertThrowsTensile(() => tinyMaxVit({ headDim: 3 } as never), /MaxVit/, /feat_dim: 8 must be divisible by head_dim: 3/);
    assertThrowsTensile(() => tinyMaxVit().forward(randn(1, 3, 32, 32)), /MaxVit: expected input \[N, 3, 16, 16\] \(the inputSize it was built for\), got \[1, 3, 32, 32\]/);
  });
});
