import { test } from "node:test";
import assert from "node:assert/strict";
import { Generator, Tensor, tensor } from "../src/core.js";
import { transforms, type RawImage } from "../src/data/index.js";

const { compose, normalize, toTensor, randomCrop, centerCrop, pad, randomHorizontalFlip, randomVerticalFlip, lambda } = transforms;

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
