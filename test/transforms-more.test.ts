// augMix, elasticTransform (and functional.elasticTransform), linearTransformation against
// torchvision 0.14 (fixtures/transforms.json, tools/gen-transforms-fixtures.py): the deterministic
// parts exactly, the random parts at fixed draws, plus the statistics of the draws themselves.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { Generator, Tensor, TensileError, setBackend, tensor } from "../src/core.js";
import { transforms, type RawImage } from "../src/data/index.js";
import { gradcheck } from "./helpers/gradcheck.js";

const F = transforms.functional;
interface Enc { shape: number[]; dtype: string; data: number[] }
type Options = Record<string, unknown>;
const fixtures = JSON.parse(readFileSync(new URL("../fixtures/transforms.json", import.meta.url), "utf8")) as {
  inputs: Record<string, Enc>;
  elasticParams: { alpha: number[]; sigma: number[]; size: number[]; ux: Enc; uy: Enc; displacement: Enc }[];
  elasticCases: { input: string; displacement: number; options: Options; out: Enc }[];
  linearCases: { matrix: Enc; mean: Enc; cases: { input: Enc; out: Enc }[] };
  augMixSpaces: { bins: number; size: [number, number]; allOps: boolean; space: Record<string, [number[], boolean]> }[];
  augMixCases: { input: string; options: Options; weights: number[]; mixing: number[]; chains: [transforms.AugmentOp, number][][]; out: Enc }[];
};
const dec = (e: Enc) => tensor(Float32Array.from(e.data), { shape: e.shape, dtype: "float32" });
const BACKENDS = ["reference", "wasm"] as const;

function maxDiff(a: Tensor, b: Tensor): number {
  if (a.shape.join() !== b.shape.join()) return Infinity;
  const x = a.dataSync(), y = b.dataSync();
  let m = 0;
  for (let i = 0; i < x.length; i++) m = Math.max(m, Math.abs(x[i]! - y[i]!));
  return m;
}

function onEachBackend(name: string, fn: () => void): void {
  for (const backend of BACKENDS)
    test(`${name} (${backend})`, () => {
      const prev = setBackend(backend);
      try {
        fn();
      } finally {
        setBackend(prev);
      }
    });
}

const rgb = dec(fixtures.inputs.rgb!); // [3, 8, 10]
const twins = (seed: number) => [new Generator(seed), new Generator(seed)] as const;

// ---- elastic ----

onEachBackend("functional.elasticTransform equals torchvision's elastic_transform at a given displacement", () => {
  const failures: string[] = [];
  for (const c of fixtures.elasticCases) {
    const disp = dec(fixtures.elasticParams[c.displacement]!.displacement);
    const d = maxDiff(F.elasticTransform(dec(fixtures.inputs[c.input]!), disp, c.options), dec(c.out));
    if (!(d <= 1e-6)) failures.push(`${c.input} ${JSON.stringify(c.options)}: max diff ${d}`);
  }
  assert.deepEqual(failures, []);
});

onEachBackend("elasticDisplacement turns torchvision's noise into its get_params displacement", () => {
  for (const p of fixtures.elasticParams) {
    const out = transforms.elasticDisplacement(dec(p.ux), dec(p.uy), p.alpha, p.sigma);
    const want = dec(p.displacement);
    const scale = Math.max(...want.abs().dataSync());
    assert.ok(maxDiff(out, want) <= 1e-6 * Math.max(1, scale), `alpha ${p.alpha}, sigma ${p.sigma}: max diff ${maxDiff(out, want)}`);
  }
});

test("elasticTransform: the transform is the functional op at elasticTransformParams' draws", () => {
  for (let seed = 0; seed < 3; seed++) {
    const [g, r] = twins(seed);
    const out = transforms.elasticTransform([3, 2], [0.7, 0.9], { generator: g, fill: [0.1, 0.2, 0.3] })(rgb) as Tensor;
    const disp = transforms.elasticTransformParams([3, 2], [0.7, 0.9], [8, 10], r);
    assert.equal(maxDiff(out, F.elasticTransform(rgb, disp, { fill: [0.1, 0.2, 0.3] })), 0);
    // the draws: H·W uniforms for x, then H·W for y
    const [, q] = twins(seed);
    const u = () => tensor(Float32Array.from({ length: 80 }, () => q.random()), { shape: [1, 1, 8, 10] });
    const ux = u(), uy = u();
    assert.equal(maxDiff(disp, transforms.elasticDisplacement(ux, uy, [3, 2], [0.7, 0.9])), 0);
  }
  // seeded: same generator seed, same output; another seed, another output
  const run = (seed: number) => transforms.elasticTransform(2, 0.8, { generator: new Generator(seed) })(rgb) as Tensor;
  assert.equal(maxDiff(run(5), run(5)), 0);
  assert.ok(maxDiff(run(5), run(6)) > 1e-3);
  // RawImage in, RawImage out (rounded bytes), fill on the 0–255 scale
  const raw: RawImage = { data: Uint8Array.from({ length: 8 * 10 * 3 }, (_, i) => (i * 37) % 256), height: 8, width: 10, channels: 3 };
  const out = transforms.elasticTransform(2, 0.8, { generator: new Generator(1), fill: 255 })(raw) as RawImage;
  assert.equal(out.height, 8);
  assert.equal(out.data.length, 240);
});

test("elasticTransformParams: bounded, zero-mean, smooth displacements", () => {
  const g = new Generator(21);
  // without blur the field is uniform in ±alpha/size: x scaled by the height, y by the width (torchvision's quirk)
  const raw = transforms.elasticTransformParams([4, 6], [0, 0], [20, 30], g).dataSync();
  let sx = 0, sy = 0, mx = 0, my = 0;
  for (let i = 0; i < raw.length; i += 2) {
    sx += raw[i]!; sy += raw[i + 1]!;
    mx = Math.max(mx, Math.abs(raw[i]!)); my = Math.max(my, Math.abs(raw[i + 1]!));
  }
  assert.ok(mx <= 4 / 20 && mx > 0.19 && my <= 6 / 30 && my > 0.19, `max |dx| ${mx}, |dy| ${my}`);
  assert.ok(Math.abs(sx / 600) < 0.01 && Math.abs(sy / 600) < 0.01, `means ${sx / 600}, ${sy / 600}`);
  // blurred: neighbouring displacements are strongly correlated, unblurred ones are not
  const corr = (d: Float32Array | Float64Array | Int32Array | Uint8Array, w: number) => {
    let num = 0, den = 0;
    for (let i = 0; i + 2 < d.length; i += 2) {
      if ((i / 2) % w === w - 1) continue;
      num += d[i]! * d[i + 2]!;
      den += d[i]! * d[i]!;
    }
    return num / den;
  };
  const smooth = transforms.elasticTransformParams([4, 4], [2, 2], [40, 40], g).dataSync();
  assert.ok(corr(smooth, 40) > 0.8, `blurred neighbour correlation ${corr(smooth, 40)}`);
  assert.ok(Math.abs(corr(raw, 30)) < 0.15, `unblurred neighbour correlation ${corr(raw, 30)}`);
});

// ---- linear ----

onEachBackend("linearTransformation equals torchvision's LinearTransformation", () => {
  const { matrix, mean, cases } = fixtures.linearCases;
  const t = transforms.linearTransformation(dec(matrix), dec(mean));
  for (const c of cases) {
    const d = maxDiff(t(dec(c.input)), dec(c.out));
    assert.ok(d <= 1e-6, `input [${c.input.shape}]: max diff ${d}`);
  }
});

// ---- augMix ----

test("augMixSpace equals torchvision's AugMix._augmentation_space", () => {
  for (const { bins, size, allOps, space } of fixtures.augMixSpaces) {
    const ours = transforms.augMixSpace(bins, size[0], size[1], allOps);
    assert.deepEqual(ours.map((e) => e[0]), Object.keys(space)); // the same ops in the same order
    for (const [name, m, signed] of ours) assert.deepEqual([m, signed], space[name], `${name} (bins ${bins})`);
  }
});

onEachBackend("applyAugMix equals torchvision's AugMix at its recorded draws", () => {
  const failures: string[] = [];
  for (const c of fixtures.augMixCases) {
    const x = dec(fixtures.inputs[c.input]!);
    const n = x.ndim >= 4 ? x.shape[0]! : 1;
    const rows = (v: number[]) => Array.from({ length: n }, (_, k) => v.slice((k * v.length) / n, ((k + 1) * v.length) / n));
    const params = { weights: rows(c.weights), mixing: rows(c.mixing), chains: c.chains };
    const out = transforms.applyAugMix(x, params, { interpolation: c.options.interpolation as "nearest" | undefined, fill: c.options.fill as number | undefined });
    const d = maxDiff(out, dec(c.out));
    if (!(d <= 1e-6)) failures.push(`${c.input} ${JSON.stringify(c.options)} ${JSON.stringify(c.chains)}: max diff ${d}`);
  }
  assert.deepEqual(failures, []);
});

test("augMix: the transform is applyAugMix at augMixParams' draws; seeded", () => {
  const batch = dec(fixtures.inputs.batch!); // [2, 3, 8, 10]: one pair of weights per image
  for (let seed = 0; seed < 4; seed++) {
    const [g, r] = twins(seed);
    const opts = { severity: 5, mixtureWidth: 2, chainDepth: -1, alpha: 0.7, fill: [0.1, 0.2, 0.3] };
    const out = transforms.augMix({ ...opts, generator: g })(batch) as Tensor;
    const p = transforms.augMixParams(2, 8, 10, { ...opts, generator: r });
    assert.equal(p.weights.length, 2);
    assert.equal(maxDiff(out, transforms.applyAugMix(batch, p, { fill: opts.fill })), 0);
  }
  const run = (seed: number) => transforms.augMix({ generator: new Generator(seed) })(rgb) as Tensor;
  assert.equal(maxDiff(run(3), run(3)), 0);
  assert.ok(maxDiff(run(3), run(4)) > 1e-4);
  // weights 1 / 0 give the original back; a single identity-like chain mixes linearly
  const keep = transforms.applyAugMix(rgb, { weights: [[1, 0]], mixing: [[1]], chains: [[["Brightness", 0.5]]] });
  assert.equal(maxDiff(keep, rgb), 0);
  const half = transforms.applyAugMix(rgb, { weights: [[0.5, 0.5]], mixing: [[1]], chains: [[["Brightness", 0]]] });
  assert.ok(maxDiff(half, rgb) <= 1e-7);
  // RawImage and int32 images go through float and come back as bytes
  const raw: RawImage = { data: Uint8Array.from({ length: 8 * 10 * 3 }, (_, i) => (i * 53) % 256), height: 8, width: 10, channels: 3 };
  const y = transforms.augMix({ generator: new Generator(1) })(raw) as RawImage;
  assert.equal(y.data.length, 240);
  const yi = transforms.augMix({ generator: new Generator(1) })(tensor(Array.from(raw.data), { dtype: "int32" }).reshape([8, 10, 3]).permute([2, 0, 1]).contiguous()) as Tensor;
  assert.equal(yi.dtype, "int32");
});

test("augMixParams: Beta and Dirichlet weights, depths, ops and magnitudes follow their distributions", () => {
  const g = new Generator(17);
  const N = 4000;
  for (const alpha of [1, 0.5, 3]) {
    let s = 0, s2 = 0, mixSum = 0;
    for (let k = 0; k < N; k++) {
      const p = transforms.augMixParams(1, 8, 10, { alpha, mixtureWidth: 3, chainDepth: 1, generator: g });
      const [w0, w1] = p.weights[0]!;
      assert.ok(Math.abs(w0! + w1! - 1) < 1e-6 && w0! >= 0 && w1! >= 0);
      assert.ok(Math.abs(p.mixing[0]!.reduce((a, b) => a + b) - 1) < 1e-6);
      s += w0!; s2 += w0! * w0!;
      mixSum += p.mixing[0]![0]!;
    }
    const mean = s / N, variance = s2 / N - mean * mean;
    // Beta(α, α): mean ½, variance 1 / (4(2α + 1)); Dirichlet(α, α, α): each mean ⅓
    assert.ok(Math.abs(mean - 0.5) < 0.02, `alpha ${alpha}: mean ${mean}`);
    assert.ok(Math.abs(variance - 1 / (4 * (2 * alpha + 1))) < 0.01, `alpha ${alpha}: variance ${variance}`);
    assert.ok(Math.abs(mixSum / N - 1 / 3) < 0.02, `alpha ${alpha}: mixing mean ${mixSum / N}`);
  }
  const depths = [0, 0, 0, 0], ops = new Map<string, number>();
  const space = transforms.augMixSpace(10, 8, 10, false);
  for (let k = 0; k < 3000; k++) {
    const p = transforms.augMixParams(1, 8, 10, { severity: 2, mixtureWidth: 1, allOps: false, generator: g });
    const chain = p.chains[0]!;
    depths[chain.length]!++;
    for (const [name, m] of chain) {
      ops.set(name, (ops.get(name) ?? 0) + 1);
      const [, mags, signed] = space.find((e) => e[0] === name)!;
      const allowed = mags.length === 0 ? [0] : mags.slice(0, 2).flatMap((v) => (signed ? [v, -v] : [v]));
      assert.ok(allowed.includes(m), `${name} magnitude ${m} not among the first 2 bins ${allowed}`);
    }
  }
  assert.equal(depths[0], 0);
  for (let d = 1; d <= 3; d++) assert.ok(Math.abs(depths[d]! / 3000 - 1 / 3) < 0.03, `depth ${d}: ${depths[d]}`);
  assert.deepEqual([...ops.keys()].sort(), space.map((e) => e[0]).sort()); // no colour ops without allOps
  const total = [...ops.values()].reduce((a, b) => a + b);
  for (const [name, c] of ops) assert.ok(Math.abs(c / total - 1 / 9) < 0.02, `${name}: ${c}/${total}`);
});

// ---- gradients and errors ----

test("gradcheck in float64: elasticTransform (image and displacement) and linearTransformation", () => {
  const g = new Generator(5);
  const img = tensor(Float64Array.from({ length: 2 * 4 * 5 }, () => g.random()), { shape: [2, 4, 5], dtype: "float64" });
  const disp = tensor(Float64Array.from({ length: 4 * 5 * 2 }, () => 0.3 * (g.random() - 0.5)), { shape: [1, 4, 5, 2], dtype: "float64" });
  gradcheck((x) => F.elasticTransform(x, disp, { fill: [0.2, 0.7] }), img, "elasticTransform d/dimg");
  gradcheck((d) => F.elasticTransform(img, d), disp, "elasticTransform d/ddisplacement");
  const m = tensor(Float64Array.from({ length: 40 * 40 }, () => g.random() - 0.5), { shape: [40, 40], dtype: "float64" });
  const mean = tensor(Float64Array.from({ length: 40 }, () => g.random()), { dtype: "float64" });
  gradcheck((x) => transforms.linearTransformation(m, mean)(x), img, "linearTransformation");
});

test("errors name the transform and the value at fault", () => {
  const cases: [() => unknown, RegExp][] = [
    [() => F.elasticTransform(rgb, tensor(new Float32Array(2 * 8 * 10 * 2), { shape: [2, 8, 10, 2] })), /elasticTransform: argument displacement shape should be \[1, 8, 10, 2\], but given \[2, 8, 10, 2\]/],
    [() => F.elasticTransform(rgb.to("int32"), tensor(new Float32Array(160), { shape: [1, 8, 10, 2] })), /elasticTransform: expected a float image tensor/],
    [() => transforms.elasticTransform([1, 2, 3]), /elasticTransform: if alpha is a sequence its length should be 2, got 3/],
    [() => transforms.elasticTransform(50, 5)(rgb), /elasticTransform: sigma 5 needs a 41×41 blur kernel, whose half \(20\) must be less than the image height \(8\) and width \(10\)/],
    [() => transforms.elasticTransform(50, 1, { interpolation: "area" as "nearest" }), /elasticTransform: interpolation mode "area" is unsupported/],
    [() => transforms.linearTransformation(tensor(new Float32Array(12), { shape: [3, 4] }), tensor(new Float32Array(3))), /transformation_matrix should be square. Got \[3, 4\] rectangular matrix/],
    [() => transforms.linearTransformation(tensor(new Float32Array(9), { shape: [3, 3] }), tensor(new Float32Array(4))), /mean_vector should have the same length 4 as any one of the dimensions of the transformation_matrix \[3, 3\]/],
    [() => transforms.linearTransformation(tensor(new Float32Array(9), { shape: [3, 3] }), tensor(new Float32Array(3)))(rgb), /Input tensor and transformation matrix have incompatible shape.\[3 x 8 x 10\] != 3/],
    [() => transforms.augMix({ severity: 11 }), /augMix: The severity must be between \[1, 10\]. Got 11 instead./],
    [() => transforms.augMix({ mixtureWidth: 0 }), /augMix: mixtureWidth should be a positive integer, got 0/],
    [() => transforms.augMix({ alpha: -1 }), /augMix: alpha should be a positive number, got -1/],
    [() => transforms.augMix({ interpolation: "bicubic" }), /augMix: interpolation mode "bicubic" is unsupported/],
    [() => transforms.augMix({ fill: [1, 2] })(rgb), /augMix: the number of elements in 'fill' cannot broadcast to match the number of channels of the image \(2 != 3\)/],
    [() => transforms.applyAugMix(rgb, { weights: [[0.5, 0.5], [0.5, 0.5]], mixing: [[1]], chains: [[]] }), /applyAugMix: params.weights should hold one \[original, augmented\] pair per image of the batch \(1\)/],
  ];
  for (const [fn, re] of cases) assert.throws(fn, (e: unknown) => e instanceof TensileError && re.test((e as Error).message), String(re));
});
