import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { Generator, Tensor, TensileError, grad, noGrad, setBackend, stack, tensor } from "../src/core.js";
import { transforms, type RawImage } from "../src/data/index.js";

const { compose, normalize, toTensor, randomCrop, centerCrop, pad, randomHorizontalFlip, randomVerticalFlip, lambda } = transforms;

const F = transforms.functional;
const close = (a: number[], b: number[], tol = 1e-6) =>
  assert.ok(a.length === b.length && a.every((v, i) => Math.abs(v - b[i]!) <= tol), `${a} != ${b}`);
const flat = (t: Tensor) => Array.from(t.dataSync());

/** 3×4 grey image with pixel (y, x) = 10y + x. */
const grey: RawImage = { data: Uint8Array.from({ length: 12 }, (_, i) => 10 * Math.floor(i / 4) + (i % 4)), height: 3, width: 4 };

test("toTensor: RawImage HWC → float32 CHW in [0, 1]; int32 and float tensors", () => {
  const rgb: RawImage = { data: Uint8Array.from([255, 0, 51, 0, 255, 102]), height: 1, width: 2, channels: 3 };
  const t = toTensor()(rgb);
  assert.equal(t.dtype, "float32");
  assert.deepEqual(t.shape, [3, 1, 2]);
  close(flat(t), [1, 0, 0, 1, 0.2, 0.4]);
  const g = toTensor()(grey);
  assert.deepEqual(g.shape, [1, 3, 4]);
  close(flat(g), Array.from(grey.data, (v) => v / 255));
  const fromInt = toTensor()(tensor([[0, 255], [51, 102]], { dtype: "int32" }));
  assert.deepEqual(fromInt.shape, [1, 2, 2]);
  close(flat(fromInt), [0, 1, 0.2, 0.4]);
  const fromFloat = toTensor()(tensor([[[0.5, 1]], [[0.25, 2]]])); // [H=2, W=1, C=2]
  assert.deepEqual(fromFloat.shape, [2, 2, 1]);
  close(flat(fromFloat), [0.5, 0.25, 1, 2]);
  assert.throws(() => toTensor()({ data: new Uint8Array(5), height: 2, width: 2 }), /RawImage data has 5 bytes/);
});

test("normalize matches (x - mean) / std per channel", () => {
  const x = tensor([[[0.0, 0.5]], [[1.0, 0.25]]]); // [C=2, H=1, W=2]
  const y = normalize([0.5, 0.25], [0.5, 2])(x);
  close(flat(y), [(0 - 0.5) / 0.5, (0.5 - 0.5) / 0.5, (1 - 0.25) / 2, (0.25 - 0.25) / 2]);
  // MNIST's constants on a flat vector, as scalars.
  const v = normalize(0.1307, 0.3081)(tensor([0, 1], { dtype: "float32" }));
  close(flat(v), [(0 - 0.1307) / 0.3081, (1 - 0.1307) / 0.3081]);
  // A single-value list applies to every channel.
  close(flat(normalize([1], [2])(x)), [-0.5, -0.25, 0, -0.375]);
  assert.throws(() => normalize([0, 0, 0], [1, 1, 1])(x), /mean has 3 values but the tensor has 2 channels/);
  assert.throws(() => normalize([0], [0]), /std evaluated to zero at channel 0/);
  assert.throws(() => normalize(0, 1)(tensor([1, 2], { dtype: "int32" })), /should be a float tensor, got int32/);
});

test("flips: p = 1 always, p = 0 never; RawImage and tensor agree", () => {
  const h = randomHorizontalFlip(1)(grey) as RawImage;
  assert.deepEqual(Array.from(h.data), [3, 2, 1, 0, 13, 12, 11, 10, 23, 22, 21, 20]);
  assert.equal(randomHorizontalFlip(0)(grey), grey);
  const t = toTensor()(grey);
  close(flat(randomHorizontalFlip(1)(t) as Tensor), Array.from(h.data, (v) => v / 255));
  const v = randomVerticalFlip(1)(grey) as RawImage;
  assert.deepEqual(Array.from(v.data), [20, 21, 22, 23, 10, 11, 12, 13, 0, 1, 2, 3]);
  // Batched tensors [N, C, H, W] flip each plane.
  const b = tensor([[[[1, 2]], [[3, 4]]]]); // [1, 2, 1, 2]
  assert.deepEqual((randomHorizontalFlip(1)(b) as Tensor).toArray(), [[[[2, 1]], [[4, 3]]]]);
});

test("randomHorizontalFlip with p = 0.5 is seeded and flips about half the time", () => {
  const run = (seed: number) => {
    const flip = randomHorizontalFlip(0.5, { generator: new Generator(seed) });
    return Array.from({ length: 200 }, () => ((flip(grey) as RawImage).data[0] === 3 ? 1 : 0));
  };
  const a = run(1);
  assert.deepEqual(a, run(1));
  assert.notDeepEqual(a, run(2));
  const flips = a.reduce<number>((s, v) => s + v, 0);
  assert.ok(flips > 70 && flips < 130, `flipped ${flips}/200`);
});

test("randomCrop with padding: every crop is a window of the zero-padded image", () => {
  const t = toTensor()(grey); // [1, 3, 4]
  const crop = randomCrop([3, 4], { padding: 1, generator: new Generator(0) });
  const padded = (pad(1)(t) as Tensor);
  assert.deepEqual(padded.shape, [1, 5, 6]);
  const P = padded.toArray() as number[][][];
  const offsets = new Set<string>();
  for (let k = 0; k < 60; k++) {
    const c = crop(t) as Tensor;
    assert.deepEqual(c.shape, [1, 3, 4]);
    const C = c.toArray() as number[][][];
    // Find the offset (i, j) in the padded image this crop came from.
    let found = "";
    for (let i = 0; i <= 2 && !found; i++)
      for (let j = 0; j <= 2 && !found; j++)
        if (C[0]!.every((row, y) => row.every((v, x) => v === P[0]![i + y]![j + x]))) found = `${i},${j}`;
    assert.ok(found, "crop is not a window of the padded image");
    offsets.add(found);
  }
  assert.equal(offsets.size, 9); // all 3×3 offsets occur
  // Unpadded crop of the full size is the identity; too large throws.
  assert.deepEqual((randomCrop([3, 4])(t) as Tensor).toArray(), t.toArray());
  assert.throws(() => randomCrop(5)(t), /required crop size \(5, 5\) is larger than input image size \(3, 4\)/);
  assert.deepEqual((randomCrop(5, { padIfNeeded: true, generator: new Generator(0) })(t) as Tensor).shape, [1, 5, 5]);
});

test("pad modes and centerCrop on a RawImage", () => {
  const row: RawImage = { data: Uint8Array.from([1, 2, 3]), height: 1, width: 3 };
  const at = (mode: "constant" | "edge" | "reflect" | "symmetric") =>
    Array.from((pad([2, 0], { paddingMode: mode, fill: 9 })(row) as RawImage).data);
  assert.deepEqual(at("constant"), [9, 9, 1, 2, 3, 9, 9]);
  assert.deepEqual(at("edge"), [1, 1, 1, 2, 3, 3, 3]);
  assert.deepEqual(at("reflect"), [3, 2, 1, 2, 3, 2, 1]);
  assert.deepEqual(at("symmetric"), [2, 1, 1, 2, 3, 3, 2]);
  const c = centerCrop([1, 2])(grey) as RawImage;
  assert.deepEqual(Array.from(c.data), [11, 12]);
  // [left, top, right, bottom]
  const p = pad([1, 0, 0, 1])(row) as RawImage;
  assert.deepEqual([p.height, p.width, ...p.data], [2, 4, 0, 1, 2, 3, 0, 0, 0, 0]);
});

test("compose and lambda chain left to right", () => {
  const pipeline = compose<RawImage, Tensor>([
    randomHorizontalFlip(1),
    toTensor(),
    normalize([0.5], [0.5]),
    lambda((x: Tensor) => x.flatten()),
  ]);
  const y = pipeline(grey);
  assert.deepEqual(y.shape, [12]);
  close(flat(y), [3, 2, 1, 0, 13, 12, 11, 10, 23, 22, 21, 20].map((v) => (v / 255 - 0.5) / 0.5), 1e-6);
});

// ---- torchvision's functional ops, against fixtures/transforms.json (tools/gen-transforms-fixtures.py) ----

interface Enc { shape: number[]; dtype: string; data: number[] }
interface FixtureCase { fn: string; input: string; args: unknown[]; out: Enc }
const fixtures = JSON.parse(readFileSync(new URL("../fixtures/transforms.json", import.meta.url), "utf8")) as {
  inputs: Record<string, Enc>; cases: FixtureCase[];
  perspectiveCoeffs: { start: number[][]; end: number[][]; coeffs: number[] };
};
const dec = (e: Enc) => tensor(e.dtype === "int32" ? Int32Array.from(e.data) : Float32Array.from(e.data), { shape: e.shape, dtype: e.dtype as "float32" });
const BACKENDS = ["reference", "wasm"] as const;
/** Per-op tolerance: float rounding, except where torchvision computes parameters in float32 differently. */
const TOL: Record<string, number> = { perspective: 1e-5 };

/** The max |a − b| over two equal-shaped tensors. */
function maxDiff(a: Tensor, b: Tensor): number {
  if (a.shape.join() !== b.shape.join()) return Infinity;
  const x = a.dataSync(), y = b.dataSync();
  let m = 0;
  for (let i = 0; i < x.length; i++) m = Math.max(m, Math.abs(x[i]! - y[i]!));
  return m;
}

function runCase(c: FixtureCase): Tensor {
  const fn = (F as unknown as Record<string, (...a: unknown[]) => Tensor | Tensor[]>)[c.fn]!;
  const args = c.args.map((a) => (a && typeof a === "object" && "dtype" in a ? dec(a as Enc) : a));
  const out = fn(dec(fixtures.inputs[c.input]!), ...args);
  return Array.isArray(out) ? stack(out) : out;
}

for (const backend of BACKENDS) {
  test(`functional ops equal torchvision 0.14 on tensors (${backend})`, () => {
    const prev = setBackend(backend);
    try {
      const failures: string[] = [];
      for (const c of fixtures.cases) {
        const d = maxDiff(runCase(c), dec(c.out));
        if (!(d <= (TOL[c.fn] ?? 1e-6))) failures.push(`${c.fn}(${c.input}, ${JSON.stringify(c.args)}): max diff ${d}`);
      }
      assert.deepEqual(failures, []);
    } finally {
      setBackend(prev);
    }
  });
}

test("perspective coefficients agree with torchvision's least-squares solution", () => {
  const { start, end, coeffs } = fixtures.perspectiveCoeffs;
  close(F.perspectiveCoeffs(start, end), coeffs, 1e-5);
});

test("augmentation op tables equal torchvision's _augmentation_space", () => {
  const S = fixtures as unknown as { augmentSpaces: Record<string, Record<string, [number[], boolean]>> };
  const asRecord = (space: [string, number[], boolean][]) => Object.fromEntries(space.map(([n, m, s]) => [n, [m, s]]));
  const cmp = (ours: [string, number[], boolean][], theirs: Record<string, [number[], boolean]>) => {
    assert.deepEqual(ours.map((e) => e[0]), Object.keys(theirs)); // the same ops in the same order (op indices)
    for (const [name, [m, s]] of Object.entries(theirs)) {
      const [om, os] = asRecord(ours)[name] as [number[], boolean];
      assert.equal(os, s, name);
      assert.deepEqual(om, m, name); // linspace is torch's value for value (tensor/linspace.ts)
    }
  };
  cmp(transforms.autoAugmentSpace(10, 8, 10), S.augmentSpaces.autoAugment!);
  cmp(transforms.randAugmentSpace(31, 8, 10), S.augmentSpaces.randAugment!);
  cmp(transforms.randAugmentSpace(7, 32, 24), S.augmentSpaces.randAugment7!);
  cmp(transforms.trivialAugmentSpace(31), S.augmentSpaces.trivialAugmentWide!);
  cmp(transforms.trivialAugmentSpace(9), S.augmentSpaces.trivialAugmentWide9!);
});

// ---- random transforms: sampling, equality with the functional op at the sampled parameters ----

const rgb = dec(fixtures.inputs.rgb!); // [3, 8, 10]
const same = (a: unknown, b: unknown) => assert.equal(maxDiff(a as Tensor, b as Tensor), 0);
/** Two generators in the same state: one drives the transform, the other replays its draws. */
const twins = (seed: number) => [new Generator(seed), new Generator(seed)] as const;

for (const backend of BACKENDS) {
  test(`random geometric transforms equal the functional op at their sampled parameters (${backend})`, () => {
    const prev = setBackend(backend);
    try {
      for (let seed = 0; seed < 5; seed++) {
        let [g, r] = twins(seed);
        const rrc = transforms.randomResizedCrop([6, 7], { generator: g, scale: [0.2, 1] })(rgb);
        same(rrc, F.resizedCrop(rgb, ...transforms.randomResizedCropParams(8, 10, [0.2, 1], [3 / 4, 4 / 3], r), [6, 7]));
        [g, r] = twins(seed);
        const rot = transforms.randomRotation([10, 40], { generator: g, interpolation: "bilinear", fill: [0.1, 0.2, 0.3] })(rgb);
        same(rot, F.rotate(rgb, 10 + 30 * r.random(), { interpolation: "bilinear", fill: [0.1, 0.2, 0.3] }));
        [g, r] = twins(seed);
        const aff = transforms.randomAffine(20, { translate: [0.2, 0.3], scale: [0.8, 1.2], shear: [-5, 5, -3, 3], generator: g })(rgb);
        const p = transforms.randomAffineParams([-20, 20], [0.2, 0.3], [0.8, 1.2], [-5, 5, -3, 3], 10, 8, r);
        same(aff, F.affine(rgb, p.angle, p.translate, p.scale, p.shear, { fill: 0 }));
        [g, r] = twins(seed);
        const per = transforms.randomPerspective(0.6, 1, { generator: g })(rgb);
        r.random(); // the p draw
        const [start, end] = transforms.randomPerspectiveParams(10, 8, 0.6, r);
        same(per, F.perspective(rgb, start, end, { fill: 0 }));
        [g, r] = twins(seed);
        const er = transforms.randomErasing({ p: 1, value: [0.1, 0.5, 0.9], generator: g })(rgb);
        r.random();
        const [i, j, h, w] = transforms.randomErasingParams(3, 8, 10, [0.02, 0.33], [0.3, 3.3], [0.1, 0.5, 0.9], r)!;
        same(er, F.erase(rgb, i, j, h, w, tensor([0.1, 0.5, 0.9]).reshape([3, 1, 1])));
        [g, r] = twins(seed);
        const blur = transforms.gaussianBlur(3, [0.5, 1.5], { generator: g })(rgb);
        const s = 0.5 + r.random();
        same(blur, F.gaussianBlur(rgb, 3, [s, s]));
      }
    } finally {
      setBackend(prev);
    }
  });

  test(`colour transforms equal the functional ops at their sampled parameters (${backend})`, () => {
    const prev = setBackend(backend);
    try {
      for (let seed = 0; seed < 5; seed++) {
        const [g, r] = twins(seed);
        const out = transforms.colorJitter(0.4, [0.5, 1.5], 0.3, 0.2, { generator: g })(rgb);
        const p = transforms.colorJitterParams([0.6, 1.4], [0.5, 1.5], [0.7, 1.3], [-0.2, 0.2], r);
        same(out, transforms.applyColorJitter(rgb, p));
        // the order matters: applying the four in a fixed order gives something else
        let fixed = F.adjustBrightness(rgb, p.brightness!);
        fixed = F.adjustContrast(fixed, p.contrast!);
        fixed = F.adjustSaturation(fixed, p.saturation!);
        fixed = F.adjustHue(fixed, p.hue!);
        if (p.order.join() !== "0,1,2,3") assert.ok(maxDiff(out as Tensor, fixed) > 0);
      }
      const ops: [transforms.Transform<Tensor, unknown>, Tensor][] = [
        [transforms.randomInvert(1), F.invert(rgb)],
        [transforms.randomPosterize(3, 1), F.posterize(rgb, 3)],
        [transforms.randomSolarize(0.4, 1), F.solarize(rgb, 0.4)],
        [transforms.randomAdjustSharpness(2, 1), F.adjustSharpness(rgb, 2)],
        [transforms.randomAutocontrast(1), F.autocontrast(rgb)],
        [transforms.randomEqualize(1), F.equalize(rgb)],
        [transforms.randomGrayscale(1), F.rgbToGrayscale(rgb, 3)],
        [transforms.grayscale(), F.rgbToGrayscale(rgb)],
        [transforms.resize(5, { interpolation: "bicubic" }), F.resize(rgb, 5, { interpolation: "bicubic" })],
      ];
      for (const [t, expected] of ops) same(t(rgb), expected);
    } finally {
      setBackend(prev);
    }
  });
}

test("p = 0 returns the input, p = 1 always transforms; frequencies follow p", () => {
  const zero = [
    transforms.randomInvert(0), transforms.randomPosterize(2, 0), transforms.randomSolarize(0.5, 0), transforms.randomAdjustSharpness(2, 0),
    transforms.randomAutocontrast(0), transforms.randomEqualize(0), transforms.randomGrayscale(0), transforms.randomPerspective(0.5, 0),
  ];
  for (const t of zero) assert.equal(t(rgb), rgb);
  assert.equal(transforms.randomErasing({ p: 0 })(rgb), rgb);
  assert.equal(transforms.randomApply([transforms.randomInvert(1)], 0)(rgb), rgb);
  assert.equal((transforms.randomApply([transforms.randomInvert(1)], 1)(rgb) as Tensor).shape.join(), "3,8,10");
  const g = new Generator(7);
  const inv = transforms.randomInvert(0.3, { generator: g });
  const hits = Array.from({ length: 1000 }, () => (inv(rgb) === rgb ? 0 : 1)).reduce<number>((a, b) => a + b, 0);
  assert.ok(hits > 250 && hits < 350, `inverted ${hits}/1000 with p = 0.3`);
  const app = transforms.randomApply<Tensor>([transforms.randomInvert(1)], 0.8, { generator: g });
  const applied = Array.from({ length: 1000 }, () => (app(rgb) === rgb ? 0 : 1)).reduce<number>((a, b) => a + b, 0);
  assert.ok(applied > 760 && applied < 840, `applied ${applied}/1000 with p = 0.8`);
});

test("parameter sampling: ranges and distributions", () => {
  const g = new Generator(11);
  // randomResizedCrop: area fraction within scale, aspect ratio within ratio (up to rounding), log-ratio centred
  let logSum = 0;
  for (let k = 0; k < 2000; k++) {
    const [i, j, h, w] = transforms.randomResizedCropParams(100, 120, [0.08, 1], [3 / 4, 4 / 3], g);
    assert.ok(i >= 0 && j >= 0 && i + h <= 100 && j + w <= 120);
    const frac = (h * w) / 12000;
    assert.ok(frac > 0.07 && frac <= 1.0001, `area fraction ${frac}`);
    assert.ok(w / h > 0.7 && w / h < 1.4, `ratio ${w / h}`);
    logSum += Math.log(w / h);
  }
  assert.ok(Math.abs(logSum / 2000) < 0.03, `mean log-ratio ${logSum / 2000}`);
  // the fallback when no try fits: a centred crop of the whole (too wide) image at the largest ratio
  assert.deepEqual(transforms.randomResizedCropParams(10, 100, [0.99, 1], [1, 1], g), [0, 45, 10, 10]);
  // randomAffine: translations are integers within ±fraction·size, scale and shears in their ranges
  const tx: number[] = [];
  for (let k = 0; k < 2000; k++) {
    const p = transforms.randomAffineParams([-30, 30], [0.1, 0.2], [0.5, 2], [-10, 10, 5, 6], 50, 40, g);
    assert.ok(Math.abs(p.angle) <= 30 && p.scale >= 0.5 && p.scale <= 2 && Math.abs(p.shear[0]) <= 10 && p.shear[1] >= 5 && p.shear[1] <= 6);
    assert.ok(Number.isInteger(p.translate[0]) && Math.abs(p.translate[0]) <= 5 && Math.abs(p.translate[1]) <= 8);
    tx.push(p.translate[0]);
  }
  assert.equal(new Set(tx).size, 11); // −5…5 all occur
  const angleMean = Array.from({ length: 4000 }, () => transforms.randomAffineParams([10, 20], null, null, null, 4, 4, g).angle).reduce((a, b) => a + b) / 4000;
  assert.ok(Math.abs(angleMean - 15) < 0.2, `mean angle ${angleMean}`);
  // randomPerspective: corners move inwards by at most distortion · half the size
  for (let k = 0; k < 500; k++) {
    const [start, end] = transforms.randomPerspectiveParams(20, 10, 0.5, g);
    assert.deepEqual(start, [[0, 0], [19, 0], [19, 9], [0, 9]]);
    for (let c = 0; c < 4; c++) {
      assert.ok(Math.abs(end[c]![0]! - start[c]![0]!) <= 5 && Math.abs(end[c]![1]! - start[c]![1]!) <= 2, JSON.stringify(end));
    }
  }
  // colorJitter: all 24 orders occur, factors within their ranges
  const orders = new Set<string>();
  for (let k = 0; k < 1000; k++) {
    const p = transforms.colorJitterParams([0.5, 1.5], null, [0, 2], [-0.1, 0.1], g);
    orders.add(p.order.join());
    assert.ok(p.brightness! >= 0.5 && p.brightness! < 1.5 && p.contrast === null && Math.abs(p.hue!) <= 0.1);
  }
  assert.equal(orders.size, 24);
  // randomErasing: the area fraction within scale; "random" values are standard normal noise of the erased shape
  for (let k = 0; k < 300; k++) {
    const e = transforms.randomErasingParams(3, 40, 50, [0.02, 0.33], [0.3, 3.3], null, g);
    if (!e) continue;
    const [, , h, w, v] = e;
    assert.ok((h * w) / 2000 < 0.36 && h < 40 && w < 50);
    assert.deepEqual((v as Tensor).shape, [3, h, w]);
  }
});

test("random transforms are reproducible under a seeded generator, and the containers choose as asked", () => {
  const chain = (seed: number) => {
    const g = new Generator(seed);
    return transforms.compose<Tensor, Tensor>([
      transforms.randomResizedCrop(8, { generator: g }), transforms.colorJitter(0.4, 0.4, 0.4, 0.1, { generator: g }),
      transforms.randAugment({ generator: g }), transforms.trivialAugmentWide({ generator: g }),
      transforms.autoAugment("cifar10", { generator: g }), transforms.randomErasing({ generator: g, value: "random" }),
    ]);
  };
  const a = chain(3), b = chain(3), c = chain(4);
  const ra = Array.from({ length: 5 }, () => a(rgb)), rb = Array.from({ length: 5 }, () => b(rgb)), rc = Array.from({ length: 5 }, () => c(rgb));
  ra.forEach((x, i) => same(x, rb[i]));
  assert.ok(ra.some((x, i) => maxDiff(x, rc[i]!) > 0));
  const g = new Generator(1);
  const pick = transforms.randomChoice<number, string>([() => "a", () => "b", () => "c"], [1, 0, 3], { generator: g });
  const counts: Record<string, number> = { a: 0, b: 0, c: 0 };
  for (let k = 0; k < 2000; k++) counts[pick(0)]!++;
  assert.equal(counts.b, 0);
  assert.ok(counts.a! > 420 && counts.a! < 580, JSON.stringify(counts));
  const order = transforms.randomOrder<string, string>([(s: string) => s + "1", (s: string) => s + "2", (s: string) => s + "3"], { generator: g });
  assert.equal(new Set(Array.from({ length: 200 }, () => order(""))).size, 6);
});

test("augmentation policies: each op at its magnitude, RawImage and int32 inputs, fill", () => {
  // randAugment with one op replays as applyAugmentOp with the op and sign drawn the same way
  for (let seed = 0; seed < 20; seed++) {
    const [g, r] = twins(seed);
    const out = transforms.randAugment({ numOps: 1, magnitude: 12, generator: g, fill: 0.5 })(rgb);
    const space = transforms.randAugmentSpace(31, 8, 10);
    const [name, mags, signed] = space[r.randint(0, space.length)]!;
    let m = mags.length ? mags[12]! : 0;
    if (signed && r.randint(0, 2) === 1) m = -m;
    same(out, transforms.applyAugmentOp(rgb, name, m, { fill: 0.5 }));
  }
  // Solarize's threshold is on the 0–255 scale of the tables; Posterize keeps top bits
  same(transforms.applyAugmentOp(rgb, "Solarize", 127.5), F.solarize(rgb, 0.5));
  same(transforms.applyAugmentOp(rgb, "ShearX", 0.3), F.affine(rgb, 0, [0, 0], 1, [Math.atan(0.3) * 180 / Math.PI, 0], { center: [0, 0] }));
  const raw: RawImage = { data: Uint8Array.from({ length: 8 * 10 * 3 }, (_, i) => (i * 37) % 256), height: 8, width: 10, channels: 3 };
  const outRaw = transforms.autoAugment("imagenet", { generator: new Generator(0) })(raw) as RawImage;
  assert.deepEqual([outRaw.height, outRaw.width, outRaw.channels, outRaw.data.length], [8, 10, 3, 240]);
  const asInt = tensor(Int32Array.from(raw.data), { shape: [8, 10, 3] }).permute([2, 0, 1]).contiguous();
  const rotated = transforms.randomRotation([90, 90])(asInt) as Tensor;
  assert.equal(rotated.dtype, "int32");
  // a 90° turn of a 10 × 8 image about its centre: rows and columns trade places in the middle
  const ref = F.rotate(asInt.to("float32"), 90, { fill: 0 });
  assert.deepEqual(Array.from(rotated.dataSync()), Array.from(ref.dataSync()));
});

test("resize, crops and geometric transforms on RawImage; fiveCrop/tenCrop", () => {
  const raw: RawImage = { data: Uint8Array.from({ length: 4 * 6 }, (_, i) => i * 10), height: 4, width: 6 };
  const up = transforms.resize([8, 12], { interpolation: "nearest" })(raw) as RawImage;
  assert.deepEqual([up.height, up.width, up.data[0], up.data[1], up.data[2], up.data[13]], [8, 12, 0, 0, 10, 0]);
  const small = transforms.resize(2)(raw) as RawImage; // the smaller edge (height) becomes 2, width 6·2/4 = 3
  assert.deepEqual([small.height, small.width], [2, 3]);
  const crops = transforms.tenCrop([2, 3])(raw) as RawImage[];
  assert.equal(crops.length, 10);
  assert.deepEqual(Array.from(crops[0]!.data), [0, 10, 20, 60, 70, 80]);
  assert.deepEqual(Array.from(crops[5]!.data), [50, 40, 30, 110, 100, 90]); // the mirrored image's top-left
  // fill is on the image's own scale: bytes for a RawImage
  const turned = transforms.randomRotation([45, 45], { fill: 200 })(raw) as RawImage;
  assert.deepEqual([turned.data[0], turned.data[1], turned.data[6], turned.data[23]], [200, 200, 200, 200]);
  const five = transforms.fiveCrop(3)(rgb) as Tensor[];
  assert.deepEqual(five.map((t) => t.shape.join()), Array(5).fill("3,3,3"));
  assert.deepEqual(F.resize(rgb, 4, { maxSize: 5 }).shape, [3, 4, 5]);
  assert.deepEqual(transforms.convertImageDtype("float32")(F.convertImageDtype(rgb, "int32")).shape, [3, 8, 10]);
  const e = transforms.randomErasing({ p: 1, value: 0, inplace: true, generator: new Generator(2) });
  const copy = rgb.clone();
  assert.equal(e(copy), copy); // written into the input
});

test("errors name the transform and the value at fault", () => {
  const grey4 = tensor(new Float32Array(4 * 4 * 4), { shape: [4, 4, 4] });
  const cases: [() => unknown, RegExp][] = [
    [() => transforms.resize(0), /resize: size should be positive integers, got 0/],
    [() => transforms.resize([2, 3, 4]), /resize: size must be an int or a 1 or 2 element list, not a 3 element list/],
    [() => transforms.resize([2, 3], { maxSize: 10 }), /maxSize should only be passed if size specifies the length of the smaller edge/],
    [() => F.resize(rgb, 8, { maxSize: 8 }), /max_size = 8 must be strictly greater than the requested size for the smaller edge size = 8/],
    [() => transforms.randomRotation(-5), /randomRotation: if degrees is a single number, it must be positive, got -5/],
    [() => transforms.randomAffine(5, { translate: [0.2, 1.5] }), /randomAffine: translation values should be between 0 and 1/],
    [() => transforms.randomAffine(5, { scale: [0, 1] }), /randomAffine: scale values should be positive/],
    [() => transforms.randomAffine(5, { shear: [1, 2, 3] }), /randomAffine: shear should be a sequence of length 2 or 4/],
    [() => transforms.randomInvert(1.5), /randomInvert: probability p should be in \[0, 1\], got 1.5/],
    [() => transforms.randomErasing({ p: -1 }), /randomErasing: random erasing probability should be between 0 and 1, got -1/],
    [() => transforms.randomErasing({ p: 1, value: [1, 2] })(rgb), /either a single value or 3 \(number of input channels\), got 2/],
    [() => transforms.colorJitter(0, 0, 0, 0.7), /colorJitter: hue values should be between \[-0.5, 0.5\]/],
    [() => transforms.colorJitter(-1), /colorJitter: if brightness is a single number, it must be non negative, got -1/],
    [() => F.adjustHue(rgb, 0.6), /adjustHue: hue_factor \(0.6\) is not in \[-0.5, 0.5\]/],
    [() => F.adjustHue(grey4, 0.1), /adjustHue: input image tensor permitted channel values are \[1, 3\], but found 4/],
    [() => F.adjustBrightness(rgb, -1), /adjustBrightness: brightness_factor \(-1\) is not non-negative/],
    [() => F.gaussianBlur(rgb, 4), /gaussianBlur: kernel_size should have odd and positive integers, got 4/],
    [() => transforms.gaussianBlur(3, [2, 1]), /gaussianBlur: sigma values should be positive and of the form \(min, max\)/],
    [() => F.solarize(rgb, 2), /solarize: threshold should be less than bound of img \(1 for float images\), got 2/],
    [() => F.rotate(rgb, 10, { fill: [1, 2] }), /rotate: the number of elements in 'fill' cannot broadcast to match the number of channels of the image \(2 != 3\)/],
    [() => F.rotate(rgb, 10, { interpolation: "area" as "nearest" }), /rotate: interpolation mode "area" is unsupported/],
    [() => F.affine(rgb, 0, [0, 0], 0, 0), /affine: scale should be positive, got 0/],
    [() => F.fiveCrop(rgb, 9), /fiveCrop: requested crop size \(9, 9\) is bigger than input size \(8, 10\)/],
    [() => F.posterize(rgb, 9), /posterize: bits should be an integer in \[0, 8\], got 9/],
    [() => F.rgbToGrayscale(tensor(new Float32Array(4), { shape: [2, 2] })), /rgbToGrayscale: input image tensor should have at least 3 dimensions, but found 2/],
    [() => F.adjustContrast(tensor([[[1, 2]]], { dtype: "int32" }), 1), /adjustContrast: expected a float image tensor with values in \[0, 1\], got int32/],
    [() => transforms.randAugment({ magnitude: 31 }), /randAugment: magnitude should be an integer in \[0, numMagnitudeBins\) = \[0, 31\), got 31/],
    [() => transforms.autoAugment("mnist" as "svhn"), /autoAugment: the provided policy "mnist" is not recognized/],
    [() => transforms.randomChoice([() => 1], [1, 2]), /randomChoice: p should be 1 non-negative weights/],
  ];
  for (const [fn, re] of cases) assert.throws(fn, (e: unknown) => e instanceof TensileError && re.test((e as Error).message), String(re));
  // one-channel images: hue and saturation leave them unchanged, as torchvision (and PIL)
  const grey = dec(fixtures.inputs.grey!);
  assert.equal(F.adjustHue(grey, 0.3), grey);
});

test("gradcheck in float64: the differentiable functional ops pass gradients to the image", () => {
  const g = new Generator(3);
  const x0 = tensor(Float64Array.from({ length: 3 * 4 * 5 }, () => 0.2 + 0.6 * g.random()), { shape: [3, 4, 5], dtype: "float64" });
  const w = tensor(Float64Array.from({ length: 3 * 4 * 5 }, () => g.random() - 0.5), { shape: [3, 4, 5], dtype: "float64" });
  const ops: [string, (x: Tensor) => Tensor][] = [
    ["resize bicubic antialias", (x) => F.resize(x, [3, 4], { interpolation: "bicubic", antialias: true })],
    ["rotate bilinear fill", (x) => F.rotate(x, 25, { interpolation: "bilinear", fill: [0.1, 0.2, 0.3] })],
    ["affine bilinear", (x) => F.affine(x, 10, [1, 0], 1.1, [5, 2], { interpolation: "bilinear" })],
    ["perspective", (x) => F.perspective(x, [[0, 0], [4, 0], [4, 3], [0, 3]], [[1, 0], [4, 1], [3, 3], [0, 2]], { fill: 0.5 })],
    ["adjustContrast", (x) => F.adjustContrast(x, 0.7)],
    ["adjustSaturation", (x) => F.adjustSaturation(x, 0.6)],
    ["adjustHue", (x) => F.adjustHue(x, 0.13)],
    ["adjustGamma", (x) => F.adjustGamma(x, 1.7, 0.9)],
    ["adjustSharpness", (x) => F.adjustSharpness(x, 0.4)],
    ["gaussianBlur", (x) => F.gaussianBlur(x, [3, 3], [0.8, 1.2])],
    ["rgbToGrayscale", (x) => F.rgbToGrayscale(x, 3)],
    ["autocontrast", (x) => F.autocontrast(x)],
    ["erase", (x) => F.erase(x, 1, 1, 2, 3, 0.5)],
  ];
  for (const [name, f] of ops) {
    const loss = (x: Tensor) => {
      const y = f(x);
      return y.mul(w.narrow(1, 0, y.shape[1]!).narrow(2, 0, y.shape[2]!).narrow(0, 0, y.shape[0]!)).sum();
    };
    const x = x0.clone().requiresGrad_(true);
    const [gx] = grad(loss(x), [x]);
    const analytic = gx!.dataSync();
    const base = Float64Array.from(x0.dataSync() as Float64Array);
    for (let i = 0; i < base.length; i++) {
      const at = (d: number) => {
        const a = Float64Array.from(base);
        a[i]! += d;
        return noGrad(() => loss(tensor(a, { shape: [3, 4, 5], dtype: "float64" })).item());
      };
      const num = (at(1e-6) - at(-1e-6)) / 2e-6;
      assert.ok(Math.abs(num - analytic[i]!) <= 1e-6 * (1 + Math.abs(num)), `${name}: d/dx[${i}] autograd ${analytic[i]} vs numerical ${num}`);
    }
  }
});
