import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync as gzipBuffer } from "node:zlib";
import { createHash } from "node:crypto";
import { Tensor } from "../src/core.js";
import { DataLoader, datasets, decodeIdx, defaultCollate, downloadResources, encodeIdx, md5, parseIdx, readIdxFile, type FetchLike } from "../src/data/index.js";

const { MNIST, FashionMNIST } = datasets;
const FASHION = "/usr/share/datasets/fashion-mnist";
const hasFashion = existsSync(join(FASHION, "t10k-labels-idx1-ubyte.gz"));
const skipFashion = hasFashion ? false : `${FASHION} is absent (install Debian's dataset-fashion-mnist)`;

/** gzip as a plain Uint8Array (not a pooled Buffer). */
const gzipSync = (b: Uint8Array): Uint8Array => Uint8Array.from(gzipBuffer(b));

function tempRoot(): string {
  return mkdtempSync(join(tmpdir(), "tensile-data-"));
}

/** n synthetic 28×28 images where image k has every pixel = 10k, labels k % 10. */
function synthetic(n: number): { images: Uint8Array; labels: Uint8Array } {
  const px = new Uint8Array(n * 784);
  for (let k = 0; k < n; k++) px.fill((10 * k) % 256, k * 784, (k + 1) * 784);
  return { images: encodeIdx("uint8", [n, 28, 28], px), labels: encodeIdx("uint8", [n], Array.from({ length: n }, (_, k) => k % 10)) };
}

function fakeFetch(files: Record<string, Uint8Array>, log: string[] = []): FetchLike {
  return async (url: string) => {
    log.push(url);
    const body = files[url];
    return {
      ok: body !== undefined,
      status: body ? 200 : 404,
      statusText: body ? "OK" : "Not Found",
      arrayBuffer: async () => Uint8Array.from(body ?? []).buffer, // a copy: Buffer.slice would share the pool
    };
  };
}

test("MD5 matches node:crypto and the RFC 1321 vectors", () => {
  const enc = new TextEncoder();
  assert.equal(md5(enc.encode("")), "d41d8cd98f00b204e9800998ecf8427e");
  assert.equal(md5(enc.encode("The quick brown fox jumps over the lazy dog")), "9e107d9d372bb6826bd81d3542a419d6");
  for (const n of [55, 56, 63, 64, 65, 130, 5000]) {
    const b = Uint8Array.from({ length: n }, (_, i) => (i * 31 + 7) & 255);
    assert.equal(md5(b), createHash("md5").update(b).digest("hex"), `length ${n}`);
  }
});

test("IDX: round trip of every element type, big-endian", () => {
  for (const [dtype, values] of [
    ["uint8", [0, 7, 255]], ["int8", [-128, 0, 127]], ["int16", [-30000, 2, 30000]],
    ["int32", [-2e9, 1, 2e9]], ["float32", [0.5, -1.25, 3]], ["float64", [Math.PI, -1e-300, 2]],
  ] as const) {
    const bytes = encodeIdx(dtype, [3], values);
    const a = parseIdx(bytes, "x");
    assert.equal(a.dtype, dtype);
    assert.deepEqual(a.shape, [3]);
    assert.deepEqual(Array.from(a.data), values);
  }
  const int32 = encodeIdx("int32", [1], [1]);
  assert.deepEqual(Array.from(int32.subarray(0, 12)), [0, 0, 0x0c, 1, 0, 0, 0, 1, 0, 0, 0, 1]);
});

test("IDX: truncated, corrupt and gzip-damaged files are rejected with clear errors", () => {
  const { images } = synthetic(3); // 16 + 3·784 = 2368 bytes
  assert.throws(() => parseIdx(images.subarray(0, 2000), "imgs"), /IDX: file imgs is truncated: expected 2368 bytes, got 2000/);
  assert.throws(() => parseIdx(images.subarray(0, 10), "imgs"), /IDX: file imgs is truncated: expected 16 header bytes, got 10/);
  const extra = new Uint8Array(images.length + 5);
  extra.set(images);
  assert.throws(() => parseIdx(extra, "imgs"), /IDX: file imgs is corrupt: expected 2368 bytes .* got 2373/);
  const badMagic = images.slice();
  badMagic[0] = 8;
  assert.throws(() => parseIdx(badMagic, "imgs"), /IDX: file imgs has a bad magic number 0x08000803/);
  const badType = images.slice();
  badType[2] = 0x42;
  assert.throws(() => parseIdx(badType, "imgs"), /unknown element type 0x42/);
  const gz = gzipSync(images);
  assert.throws(() => parseIdx(gz, "imgs.gz"), /gzip-compressed/);
  assert.deepEqual(decodeIdx(gz, "imgs.gz").shape, [3, 28, 28]);
  assert.throws(() => decodeIdx(gz.subarray(0, gz.length - 20), "imgs.gz"), /IDX: file imgs.gz is not a valid gzip stream/);
});

test("MNIST from synthetic IDX files (gzip and raw, flat and torchvision layouts)", () => {
  const root = tempRoot();
  try {
    const { images, labels } = synthetic(5);
    writeFileSync(join(root, "t10k-images-idx3-ubyte.gz"), gzipSync(images));
    writeFileSync(join(root, "t10k-labels-idx1-ubyte"), labels);
    const ds = new MNIST({ root, train: false });
    assert.equal(ds.length, 5);
    const [x, y] = ds.getItem(2);
    assert.ok(x instanceof Tensor);
    assert.deepEqual(x.shape, [1, 28, 28]);
    assert.ok(Math.abs(x.dataSync()[100]! - 20 / 255) < 1e-7);
    assert.equal(y, 2);
    const [bx, by] = ds.getBatch([4, 1]);
    const [cx, cy] = defaultCollate([ds.getItem(4), ds.getItem(1)]);
    assert.deepEqual(bx.shape, [2, 1, 28, 28]);
    assert.deepEqual(Array.from(bx.dataSync()), Array.from(cx.dataSync()));
    assert.deepEqual(by.toArray(), cy.toArray());
    assert.deepEqual(ds.targets.toArray(), [0, 1, 2, 3, 4]);
    // A transform receives the 8-bit RawImage.
    const sized = new MNIST({ root, train: false, transform: (img) => img.height * img.width + img.data[0]! });
    assert.deepEqual(sized.getItem(3), [784 + 30, 3]);
    // The training files are missing: the error says what and how to fetch.
    assert.throws(() => new MNIST({ root }), /MNIST: dataset not found: train-images-idx3-ubyte.gz and train-labels-idx1-ubyte.gz \(gzip or raw\) missing in .*MNIST.create/);
    assert.throws(() => new MNIST({ root, download: true }), /downloading is asynchronous/);
    // torchvision's <root>/MNIST/raw layout.
    const tv = tempRoot();
    mkdirSync(join(tv, "MNIST", "raw"), { recursive: true });
    writeFileSync(join(tv, "MNIST", "raw", "t10k-images-idx3-ubyte"), images);
    writeFileSync(join(tv, "MNIST", "raw", "t10k-labels-idx1-ubyte.gz"), gzipSync(labels));
    assert.equal(new MNIST({ root: tv, train: false }).length, 5);
    rmSync(tv, { recursive: true, force: true });
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test("MNIST rejects inconsistent files", () => {
  const root = tempRoot();
  try {
    const { images } = synthetic(4);
    writeFileSync(join(root, "t10k-images-idx3-ubyte"), images);
    writeFileSync(join(root, "t10k-labels-idx1-ubyte"), encodeIdx("uint8", [3], [0, 1, 2]));
    assert.throws(() => new MNIST({ root, train: false }), /images file has 4 images but the labels file has 3 labels/);
    writeFileSync(join(root, "t10k-labels-idx1-ubyte"), encodeIdx("uint8", [4], [0, 1, 12, 2]));
    assert.throws(() => new MNIST({ root, train: false }), /label 12 at index 2 is not a class index in \[0, 10\)/);
    writeFileSync(join(root, "t10k-images-idx3-ubyte"), encodeIdx("uint8", [4, 2, 2], new Uint8Array(16)));
    assert.throws(() => new MNIST({ root, train: false }), /images file holds uint8 \[4, 2, 2\]; expected uint8 \[N, 28, 28\]/);
    writeFileSync(join(root, "t10k-images-idx3-ubyte"), images.subarray(0, 1000));
    assert.throws(() => new MNIST({ root, train: false }), /IDX: file .*t10k-images-idx3-ubyte is truncated: expected 3152 bytes, got 1000/);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test("download: a correct file is accepted and written atomically; a corrupt one is rejected naming both checksums", async () => {
  const root = tempRoot();
  try {
    const good = gzipSync(synthetic(2).labels);
    const goodMd5 = createHash("md5").update(good).digest("hex");
    const log: string[] = [];
    const fetch = fakeFetch({ "https://b.example/labels.gz": good }, log);
    const written = await downloadResources("Test", root, [{ filename: "labels.gz", md5: goodMd5 }], ["https://a.example/", "https://b.example"], fetch);
    assert.deepEqual(log, ["https://a.example/labels.gz", "https://b.example/labels.gz"]); // 404 on the first mirror
    assert.deepEqual(written, [join(root, "labels.gz")]);
    assert.deepEqual(new Uint8Array(readFileSync(join(root, "labels.gz"))), new Uint8Array(good));
    assert.deepEqual(readdirSync(root), ["labels.gz"]); // no temp files left behind
    // Present files are not fetched again.
    assert.deepEqual(await downloadResources("Test", root, [{ filename: "labels.gz", md5: goodMd5 }], ["https://a.example/"], fakeFetch({})), []);

    const corrupt = good.slice();
    corrupt[corrupt.length - 1]! ^= 0xff;
    const badMd5 = createHash("md5").update(corrupt).digest("hex");
    await assert.rejects(
      downloadResources("Test", root, [{ filename: "other.gz", md5: goodMd5 }], ["https://c.example/"], fakeFetch({ "https://c.example/other.gz": corrupt })),
      (e: Error) =>
        e.message.includes("could not download other.gz") &&
        e.message.includes(`checksum mismatch for https://c.example/other.gz: expected md5 ${goodMd5}, got ${badMd5}`),
    );
    assert.ok(!existsSync(join(root, "other.gz")));
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test("MNIST.create({download: true}) verifies the published checksums", async () => {
  const root = tempRoot();
  try {
    const { images, labels } = synthetic(3);
    const files = {
      "https://ossci-datasets.s3.amazonaws.com/mnist/t10k-images-idx3-ubyte.gz": gzipSync(images),
      "https://ossci-datasets.s3.amazonaws.com/mnist/t10k-labels-idx1-ubyte.gz": gzipSync(labels),
    };
    const got = md5(files["https://ossci-datasets.s3.amazonaws.com/mnist/t10k-images-idx3-ubyte.gz"]);
    await assert.rejects(MNIST.create({ root, train: false, download: true, fetch: fakeFetch(files) }), (e: Error) =>
      /MNIST: could not download t10k-images-idx3-ubyte.gz/.test(e.message) &&
      e.message.includes(`expected md5 9fb629c4189551a2d022fa330f9573f3, got ${got}`));
    // The same path succeeds for files whose checksums the dataset class publishes.
    class TinyMNIST extends MNIST {
      static override readonly spec = {
        ...MNIST.spec,
        name: "TinyMNIST",
        mirrors: ["https://ossci-datasets.s3.amazonaws.com/mnist/"],
        test: [
          { filename: "t10k-images-idx3-ubyte.gz", md5: got },
          { filename: "t10k-labels-idx1-ubyte.gz", md5: md5(files["https://ossci-datasets.s3.amazonaws.com/mnist/t10k-labels-idx1-ubyte.gz"]) },
        ] as const,
      };
    }
    const ds = await TinyMNIST.create({ root, train: false, download: true, fetch: fakeFetch(files) });
    assert.equal(ds.length, 3);
    assert.deepEqual(readdirSync(root).sort(), ["t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"]);
    // In-memory bytes work without files (the browser path).
    const mem = await MNIST.fromBuffers(gzipSync(images), labels, { train: false });
    assert.equal(mem.getItem(1)[1], 1);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test("real Fashion-MNIST: IDX headers, dataset, loader", { skip: skipFashion }, () => {
  const lbl = readIdxFile(join(FASHION, "t10k-labels-idx1-ubyte.gz"));
  assert.equal(lbl.dtype, "uint8");
  assert.deepEqual(lbl.shape, [10000]);
  assert.deepEqual(Array.from(lbl.data.subarray(0, 5)), [9, 2, 1, 1, 6]);
  const img = readIdxFile(join(FASHION, "t10k-images-idx3-ubyte.gz"));
  assert.deepEqual(img.shape, [10000, 28, 28]);
  const test = new FashionMNIST({ train: false }); // default root
  assert.equal(test.length, 10000);
  assert.equal(test.classes[9], "Ankle boot");
  const [x, y] = test.getItem(0);
  assert.deepEqual(x.shape, [1, 28, 28]);
  assert.equal(y, 9);
  const px = x.dataSync();
  assert.ok(px.every((v) => v >= 0 && v <= 1) && px.some((v) => v > 0.5));
  const counts = new Array<number>(10).fill(0);
  for (const v of test.labels) counts[v]!++;
  assert.deepEqual(counts, new Array(10).fill(1000));
  const loader = new DataLoader(test, { batchSize: 64 });
  assert.equal(loader.length, 157);
  const [bx, by] = loader[Symbol.iterator]().next().value as [Tensor, Tensor];
  assert.deepEqual(bx.shape, [64, 1, 28, 28]);
  assert.deepEqual((by.toArray() as number[]).slice(0, 5), [9, 2, 1, 1, 6]);
});

test("real Fashion-MNIST training set: 60,000 images", { skip: skipFashion }, () => {
  const train = new FashionMNIST();
  assert.equal(train.length, 60000);
  assert.equal(train.images.length, 60000 * 784);
});

test("without Node's builtins (a browser), file access fails clearly and in-memory paths still work", async () => {
  const proc = process as unknown as { getBuiltinModule?: unknown };
  const saved = proc.getBuiltinModule;
  proc.getBuiltinModule = undefined;
  try {
    assert.throws(() => new MNIST({ root: "/nowhere" }), /MNIST: reading files needs Node.js ≥ 20.16 .*MNIST.fromBuffers/);
    assert.throws(() => readIdxFile("/x.idx"), /IDX: reading files needs Node.js ≥ 20.16 .*MNIST.fromBuffers/);
    assert.equal(datasets.CSVDataset.fromText("a,y\n1,0\n").length, 1);
    const { images, labels } = synthetic(2);
    const ds = await MNIST.fromBuffers(gzipSync(images), labels, { train: false }); // DecompressionStream
    assert.equal(ds.getItem(1)[1], 1);
  } finally {
    proc.getBuiltinModule = saved;
  }
});
