/**
 * torchvision's classic architectures in `models` against torchvision 0.14 (fixtures/models.json,
 * written by tools/gen-models-fixtures.py): state-dict keys, shapes and order, parameter counts,
 * dropout options, and eval-mode logits after every state-dict entry was set from a formula that
 * the generator and this file compute identically (no weights are shipped).
 *
 * The VGGs, ResNet-101/152 and Wide ResNet-50-2 hold 44M–140M parameters each: their random
 * initialisation alone takes seconds on 2 cores, so they are built with `nn.utils.skipInit` (every
 * weight is overwritten by the formula anyway).
 */
import { after, describe, test } from "node:test";
import assert from "node:assert/strict";
import { type Tensor, Generator, manualSeed, ones, randn, setBackend, getBackend, tensor } from "../src/core.js";
import * as nn from "../src/nn/index.js";
import * as models from "../src/models/index.js";
import { assertThrowsTensile, loadNnFixture } from "./nn-helpers.js";
import { type ZooCase, checkLogits, ctor, keysOf, zooCaseTests } from "./helpers/models.js";

const fx = loadNnFixture<{ models: ZooCase[] }>("models.json");
const HEAVY = new Set(["resnet101", "resnet152", "wideResnet50_2", "vgg11", "vgg11Bn", "vgg13", "vgg13Bn", "vgg16", "vgg16Bn", "vgg19", "vgg19Bn"]);

const before = getBackend();
after(() => setBackend(before));

describe("models zoo: torchvision 0.14 module trees and forward (wasm backend)", () => {
  zooCaseTests(fx.models, HEAVY);

  test("VGG features (every configuration) built alone match torchvision's `features`", () => {
    setBackend("wasm");
    const cfg: Record<string, [keyof typeof models.vggConfigs, boolean]> = {
      vgg11: ["A", false], vgg11Bn: ["A", true], vgg13: ["B", false], vgg13Bn: ["B", true],
      vgg16: ["D", false], vgg16Bn: ["D", true], vgg19: ["E", false], vgg19Bn: ["E", true],
    };
    for (const c of fx.models.filter((x) => x.name in cfg)) {
      const [k, bn] = cfg[c.name]!;
      const want = c.keys.filter((s) => s.startsWith("features.")).map((s) => s.slice("features.".length));
      assert.deepEqual(keysOf(models.vggMakeLayers(models.vggConfigs[k], bn)), want, `${c.name} features`);
      assert.deepEqual(c.keys.filter((s) => !s.startsWith("features.")),
        ["classifier.0.weight:4096,25088", "classifier.0.bias:4096", "classifier.3.weight:4096,4096", "classifier.3.bias:4096",
          `classifier.6.weight:${c.options.numClasses},4096`, `classifier.6.bias:${c.options.numClasses}`], `${c.name} classifier`);
    }
  });
});

describe("models zoo: options, training mode, reference backend", () => {
  test("defaults: 1000 classes, torchvision's dropout; numClasses and dropout change only what they should", () => {
    setBackend("wasm");
    const v3 = models.mobilenetV3Small();
    assert.deepEqual([...v3.stateDict()["classifier.3.weight"]!.shape], [1000, 1024]);
    assert.deepEqual(v3.modules().filter((d) => d instanceof nn.Dropout).map((d) => (d as nn.Dropout).p), [0.2]);
    const small = models.mobilenetV3Small({ numClasses: 3, dropout: 0.7 });
    const a = keysOf(v3), b = keysOf(small);
    const differ = a.filter((k, i) => k !== b[i]);
    assert.deepEqual(differ, ["classifier.3.weight:1000,1024", "classifier.3.bias:1000"]);
    assert.equal((small.classifier.at(2) as nn.Dropout).p, 0.7);
    assert.deepEqual([...models.squeezenet1_1({ numClasses: 5 }).forward(randn(2, 3, 40, 40)).shape], [2, 5]);
  });

  test("torchvision's initialisation: conv kaiming-normal fan_out, BN 1/0, linear N(0, 0.01²)", () => {
    setBackend("wasm");
    manualSeed(1);
    const m = models.mobilenetV2({ numClasses: 50 });
    const sd = m.stateDict();
    const std = (t: Tensor) => Math.sqrt(t.pow(2).mean().item() as number);
    // features.18.0: 1×1 conv 320 → 1280, fan_out 1280: std √(2/1280)
    assert.ok(Math.abs(std(sd["features.18.0.weight"]!) / Math.sqrt(2 / 1280) - 1) < 0.03);
    assert.ok(Math.abs(std(sd["classifier.1.weight"]!) / 0.01 - 1) < 0.03);
    assert.equal(sd["classifier.1.bias"]!.abs().max().item(), 0);
    assert.equal(sd["features.18.1.weight"]!.min().item(), 1);
    const r = models.resnet18({ zeroInitResidual: true });
    assert.equal(r.layer1.at(0).stateDict()["bn2.weight"]!.abs().max().item(), 0);
  });

  test("training mode: one forward + backward through MobileNetV3-Small updates BN statistics and reaches every parameter", () => {
    setBackend("wasm");
    manualSeed(0);
    const m = models.mobilenetV3Small({ numClasses: 4 });
    m.train();
    const y = m.forward(randn(2, 3, 64, 64)) as Tensor;
    nn.functional.crossEntropy(y, tensor([1, 3], { dtype: "int32" })).backward();
    for (const [k, p] of m.namedParameters()) {
      assert.ok(p.grad, `${k} has no gradient`);
      assert.ok(Number.isFinite(p.grad!.abs().sum().item() as number), `${k} gradient is not finite`);
    }
    assert.equal(m.stateDict()["features.0.1.num_batches_tracked"]!.item(), 1);
  });

  test("StochasticDepth (EfficientNet): per-sample drop with 1/(1−p) scaling in training, identity in eval", () => {
    setBackend("wasm");
    const sd = new models.StochasticDepth(0.25, new Generator().manualSeed(3));
    const y = sd.forward(ones([4000, 2, 1, 1])).dataSync();
    let kept = 0;
    for (let i = 0; i < 4000; i++) {
      assert.equal(y[2 * i], y[2 * i + 1], "one draw per sample");
      assert.ok(y[2 * i] === 0 || Math.abs(y[2 * i]! - 4 / 3) < 1e-6);
      if (y[2 * i] !== 0) kept++;
    }
    assert.ok(Math.abs(kept / 4000 - 0.75) < 0.03, `kept ${kept} of 4000`);
    sd.eval();
    assert.equal(sd.forward(ones([3, 2, 1, 1])).sum().item(), 6);
    const e = models.efficientnetB0({ numClasses: 2, stochasticDepthProb: 0.4 });
    const ps = e.modules().filter((x) => x instanceof models.StochasticDepth).map((x) => (x as models.StochasticDepth).p);
    assert.equal(ps.length, 16);
    assert.ok(Math.abs(ps[15]! - (0.4 * 15) / 16) < 1e-12 && ps[0] === 0);
  });

  test("reference backend: ShuffleNetV2 x0.5 logits match torchvision", () => {
    setBackend("reference");
    manualSeed(0);
    const c = fx.models.find((x) => x.name === "shufflenetV2_x0_5")!;
    checkLogits(c, ctor(c.name)(c.options));
  });

  test("bad options get TensileErrors naming the model and the value", () => {
    assertThrowsTensile(() => models.resnet18({ numClasses: 0 }), /ResNet/, /numClasses must be a positive integer, got 0/);
    assertThrowsTensile(() => models.alexnet({ dropout: 1.5 }), /AlexNet/, /dropout must be a probability in \[0, 1\], got 1.5/);
    assertThrowsTensile(() => models.mobilenetV2({ widthMult: -1 }), /MobileNetV2/, /widthMult must be a positive number, got -1/);
    assertThrowsTensile(() => models.resnet50({ replaceStrideWithDilation: [true] as never }), /replaceStrideWithDilation/);
    assertThrowsTensile(() => new models.SqueezeNet("2_0" as never), /Unsupported SqueezeNet version 2_0/);
    assertThrowsTensile(() => models.squeezenet1_1().forward(randn(1, 1, 64, 64)), /SqueezeNet: expected input \[N, 3, H, W\], got \[1, 1, 64, 64\]/);
  });
});
