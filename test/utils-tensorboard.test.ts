/**
 * utils.tensorboard.SummaryWriter against torch 1.13's SummaryWriter (fixtures/tensorboard.json,
 * from tools/gen-tensorboard-fixtures.py): the same calls must write the same TFRecords — byte for
 * byte for scalars and text (CRCs included), field by field for histograms (whose sum and sum of
 * squares numpy computes in another order), pixel by pixel for images (the PNG bytes are the
 * encoder's). The plugin calls (pr curves, custom scalars: byte for byte; embeddings: the projector's
 * text files exactly, the sprite pixel by pixel) on a second writer. Also: file naming and
 * directories, queueing and flushing, errors, the PNG encoder and CRC-32C on known vectors, Python's
 * float repr, and the TensorBoard training callback. addGraph: test/utils-tensorboard-graph.test.ts.
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as zlib from "node:zlib";
import * as T from "../src/index.js";
import { tensor } from "../src/core.js";
import { TensileError } from "../src/errors.js";
import { crc32c } from "../src/utils/tensorboard.js";
import { crc32, encodePng } from "../src/utils/png.js";
import { type FixtureRecord, b64, decode, eventOf, f64, fixture, one, packed, readRecords, tmpdir } from "./helpers/tensorboard.js";

const { SummaryWriter } = T.utils.tensorboard;


/** The PNG's pixels (filter 0 rows, as encodePng writes them). */
function pngPixels(png: Uint8Array): { width: number; height: number; colorType: number; pixels: Uint8Array } {
  const dv = new DataView(png.buffer, png.byteOffset);
  assert.deepEqual([...png.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  let at = 8, width = 0, height = 0, colorType = 0;
  const idat: Uint8Array[] = [];
  while (at < png.length) {
    const n = dv.getUint32(at), type = String.fromCharCode(...png.subarray(at + 4, at + 8));
    const body = png.subarray(at + 8, at + 8 + n);
    assert.equal(dv.getUint32(at + 8 + n), crc32(png.subarray(at + 4, at + 8 + n)), `${type} CRC`);
    if (type === "IHDR") {
      width = dv.getUint32(at + 8);
      height = dv.getUint32(at + 12);
      colorType = png[at + 17]!;
    }
    if (type === "IDAT") idat.push(body);
    at += 12 + n;
  }
  const all = new Uint8Array(idat.reduce((n, c) => n + c.length, 0));
  idat.reduce((at, c) => (all.set(c, at), at + c.length), 0);
  const raw = new Uint8Array(zlib.inflateSync(all));
  const channels = { 0: 1, 2: 3, 6: 4 }[colorType]!;
  const stride = width * channels;
  const pixels = new Uint8Array(height * stride);
  for (let y = 0; y < height; y++) {
    assert.equal(raw[y * (stride + 1)], 0, "filter 0");
    pixels.set(raw.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1)), y * stride);
  }
  return { width, height, colorType, pixels };
}

/** The calls of tools/gen-tensorboard-fixtures.py, on Tensile's writer. */
function sameCalls(w: InstanceType<typeof SummaryWriter>): void {
  const vals = tensor(fixture.values);
  const img = (k: string) => tensor(fixture.images[k]!.data, { shape: fixture.images[k]!.shape });
  w.addScalar("loss", 0.5, 3, 1000.25);
  w.addScalar("loss", tensor(-1.75), 0, 1000.5);
  w.addScalar("acc", 0.0, 7, 1001.0);
  w.addScalar("big/step", 1e-3, 2 ** 40, 1001.125);
  w.addScalar("nostep", 2.5, undefined, 1001.25);
  w.addHistogram("w", vals, 5, { walltime: 1002.0 });
  w.addHistogram("w_uniform", vals, 6, { bins: 10, walltime: 1002.5 });
  w.addHistogram("w_max", vals, 7, { maxBins: 20, walltime: 1003.0 });
  w.addHistogram("constant", tensor([2, 2, 2]), 8, { bins: 4, walltime: 1003.5 });
  w.addHistogram("edges", vals, 9, { bins: [-1, 0, 0.5, 2], walltime: 1004.0 });
  w.addText("note", "hello **world** \u00fc", 10, 1004.5);
  w.addImage("chw1", img("chw1"), 11, { walltime: 1005.0 });
  w.addImage("hwc3", img("hwc3"), 12, { walltime: 1005.5, dataformats: "HWC" });
  w.addImage("hw", img("hw"), 13, { walltime: 1006.0, dataformats: "HW" });
  w.addImage("chw4", img("chw4"), 14, { walltime: 1006.5 });
  w.addImages("nchw", img("nchw"), 15, { walltime: 1007.0 });
  w.addScalars("run", { a: 1.0, b: -2.0 }, 16, 1007.5);
  w.addHparams({ lr: 0.01, optimizer: "sgd", batch: 64, nesterov: true, zero: 0.0, none: null },
    { "hparam/accuracy": 0.9, "hparam/loss": tensor(0.25) },
    { hparamDomainDiscrete: { optimizer: ["sgd", "adam"], batch: [32, 64], nesterov: [true, false] }, runName: "hp", walltime: 1008.0 });
  w.addHparams({ lr: tensor([0.5]), empty: "" }, { m: 0.0 }, { runName: "hp2", walltime: 1008.0 });
}

/** The plugin calls of tools/gen-tensorboard-fixtures.py (its second writer), on Tensile's writer. */
function pluginCalls(w: InstanceType<typeof SummaryWriter>): void {
  const pr = fixture.prInputs;
  const labels = tensor(pr.labels!, { dtype: "int32" }), preds = tensor(pr.preds!);
  w.addPrCurve("pr", labels, preds, 1, { walltime: 2000.0 });
  w.addPrCurve("pr_weighted", labels, preds, 2, { numThresholds: 10, weights: tensor(pr.weights!), walltime: 2000.5 });
  w.addPrCurve("pr_edges", tensor(pr.edgeLabels!, { dtype: "bool" }), tensor(pr.edgePreds!), 3, { numThresholds: 5, walltime: 2001.0 });
  w.addPrCurve("pr_clamped", labels, preds, 4, { numThresholds: 200, walltime: 2001.5 });
  w.addPrCurve("pr_nostep", tensor(pr.labels!.slice(0, 3), { dtype: "int32" }), tensor(pr.preds!.slice(0, 3)), undefined, { numThresholds: 2, walltime: 2002.0 });
  const r = (i: number) => tensor(pr.raw!.slice(5 * i, 5 * i + 5));
  w.addPrCurveRaw("pr_raw", r(0), r(1), r(2), r(3), r(4), r(5), 5, { numThresholds: 5, walltime: 2002.5 });
  w.addCustomScalars({ Taiwan: { twse: ["Multiline", ["twse/0050", "twse/2330"]] },
    USA: { dow: ["Margin", ["dow/aaa", "dow/bbb", "dow/ccc"]], nasdaq: ["Margin", ["nasdaq/aaa", "nasdaq/bbb", "nasdaq/ccc"]] } }, { walltime: 2003.0 });
  w.addCustomScalarsMultilinechart(["loss/train", "loss/val"], { walltime: 2003.0 });
  w.addCustomScalarsMarginchart(["acc", "acc_lo", "acc_hi"], { category: "margins", title: "acc \u00fc", walltime: 2003.0 });
  const emb = (k: string, dtype?: "float64" | "int32") => {
    const { shape, data } = fixture.embeddingInputs[k]!;
    return tensor(data.map((v) => (typeof v === "string" ? Number(v.replace("inf", "Infinity")) : v)), { shape, ...(dtype ? { dtype } : {}) });
  };
  w.addEmbedding(emb("mat"), { metadata: [3, "cat", 0.5, true, "d\u00fcr", -7], labelImg: emb("img") });
  w.addEmbedding(emb("mat2"), { metadata: [["a", 1], ["b", 2], ["c\u00fc", 3.25], ["d", false]], labelImg: emb("img2"),
    globalStep: 7, tag: 'feat/x%y\\z "q"', metadataHeader: ["name", "n"] });
  w.addEmbedding(emb("mat3", "float64"), { globalStep: 123456, tag: "double" });
  w.addEmbedding(emb("mat4", "int32"), { metadata: ["x", "y"], globalStep: -3, tag: "ints" });
}

/**
 * The hyperparameters of an add_hparams session-start record: its map entries (name, Value) as
 * base64, sorted. A protobuf map's order on the wire is unspecified (Python's follows its hash
 * table), so these records are compared entry by entry, not byte for byte.
 */
function sessionStartEntries(record: Uint8Array): string[] {
  const value = decode(one(decode(one(eventOf(record), 5) as Uint8Array), 1) as Uint8Array);
  const content = one(decode(one(decode(one(value, 9) as Uint8Array), 1) as Uint8Array), 2) as Uint8Array;
  const start = decode(one(decode(content), 3) as Uint8Array);
  return (start.get(1) ?? []).map((e) => b64(e as Uint8Array)).sort();
}

function compareRun(name: string, ours: Uint8Array[], theirs: FixtureRecord[]): void {
  assert.equal(ours.length, theirs.length, `${name}: number of events`);
  theirs.forEach((want, i) => {
    const what = `${name} event ${i}`;
    const ev = eventOf(ours[i]!);
    if (want.event.fileVersion) {
      assert.equal(new TextDecoder().decode(one(ev, 3) as Uint8Array), want.event.fileVersion, what);
      assert.ok(Math.abs(f64(one(ev, 1)) - Date.now() / 1000) < 600, `${what}: stamped with the clock`);
      return;
    }
    if (want.record && (want.event.summary?.value[0] as { tag?: string } | undefined)?.tag === "_hparams_/session_start_info") {
      const theirBytes = new Uint8Array(Buffer.from(want.record, "base64"));
      assert.equal(ours[i]!.length, theirBytes.length, `${what}: length`);
      assert.equal(f64(one(ev, 1)), want.event.wallTime, `${what}: wall time`);
      assert.deepEqual(sessionStartEntries(ours[i]!), sessionStartEntries(theirBytes), `${what}: the hyperparameters`);
      return;
    }
    if (want.record && !want.histoExact && want.histoExact !== false) {
      assert.equal(b64(ours[i]!), want.record, `${what} (${JSON.stringify(want.event).slice(0, 120)}): the same bytes as PyTorch's`);
      return;
    }
    const value = decode(one(decode(one(ev, 5) as Uint8Array), 1) as Uint8Array);
    const wantValue = want.event.summary!.value[0]! as { tag: string; histo?: Record<string, number | number[]>; image?: Record<string, number> };
    assert.equal(f64(one(ev, 1)), want.event.wallTime, `${what}: wall time`);
    assert.equal(String(one(ev, 2)), want.event.step, `${what}: step`);
    assert.equal(new TextDecoder().decode(one(value, 1) as Uint8Array), wantValue.tag, `${what}: tag`);
    if (wantValue.histo) {
      const h = decode(one(value, 5) as Uint8Array), w = wantValue.histo;
      assert.equal(f64(one(h, 1)), w.min ?? 0, `${what}: min`);
      assert.equal(f64(one(h, 2)), w.max ?? 0, `${what}: max`);
      assert.equal(f64(one(h, 3)), w.num, `${what}: num`);
      for (const [field, key] of [[4, "sum"], [5, "sumSquares"]] as const)
        assert.ok(Math.abs(f64(one(h, field)) - (w[key] as number)) <= 1e-12 * Math.abs(w[key] as number), `${what}: ${key} ${f64(one(h, field))} vs ${w[key]}`);
      assert.deepEqual(packed(one(h, 6)), w.bucketLimit, `${what}: bucket limits`);
      assert.deepEqual(packed(one(h, 7)), w.bucket, `${what}: buckets`);
      assert.deepEqual([...h.keys()], [1, 2, 3, 4, 5, 6, 7].filter((k) => k !== 1 || w.min !== undefined), `${what}: fields in order`);
    } else if (wantValue.image) {
      const im = decode(one(value, 4) as Uint8Array);
      const [height, width, colorspace] = [1, 2, 3].map((k) => Number(one(im, k)));
      assert.deepEqual([height, width, colorspace], [wantValue.image.height, wantValue.image.width, wantValue.image.colorspace], `${what}: size`);
      const png = pngPixels(one(im, 4) as Uint8Array);
      assert.deepEqual([png.height, png.width], [height, width]);
      assert.equal(b64(png.pixels), want.pixels, `${what}: the pixels PyTorch's PNG holds`);
    } else assert.fail(`${what}: unexpected event kind`);
  });
}

describe("utils.tensorboard.SummaryWriter", () => {
  test("the same calls write the events torch 1.13's SummaryWriter writes", () => {
    const dir = tmpdir();
    try {
      const w = new SummaryWriter(dir);
      sameCalls(w);
      w.close();
      const runs: Record<string, Uint8Array[]> = {};
      for (const sub of [".", "run_a", "run_b", "hp", "hp2"]) {
        const files = fs.readdirSync(path.join(dir, sub)).filter((f) => f.startsWith("events.out.tfevents."));
        assert.equal(files.length, 1, `${sub}: one event file`);
        runs[sub] = readRecords(path.join(dir, sub, files[0]!));
      }
      assert.deepEqual(Object.keys(fixture.runs).sort(), Object.keys(runs).sort());
      for (const [name, recs] of Object.entries(fixture.runs)) compareRun(name, runs[name]!, recs);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test("pr curves and custom scalars: the records torch 1.13 writes, byte for byte; embeddings: its projector files", () => {
    const dir = tmpdir();
    const warn = console.warn;
    try {
      const w = new SummaryWriter(dir);
      pluginCalls(w);
      w.close();
      const files: string[] = [];
      const walk = (sub: string): void => {
        for (const e of fs.readdirSync(path.join(dir, sub), { withFileTypes: true }))
          e.isDirectory() ? walk(path.join(sub, e.name)) : files.push(path.join(sub, e.name));
      };
      walk("");
      const events = files.filter((f) => path.basename(f).startsWith("events.out.tfevents."));
      assert.equal(events.length, 1, "one event file");
      compareRun("pluginRun", readRecords(path.join(dir, events[0]!)), fixture.pluginRun);
      assert.deepEqual(files.filter((f) => !events.includes(f)).sort(), Object.keys(fixture.projector).sort(), "the projector files");
      for (const [rel, want] of Object.entries(fixture.projector)) {
        const bytes = new Uint8Array(fs.readFileSync(path.join(dir, rel)));
        if (typeof want === "string") assert.equal(new TextDecoder().decode(bytes), want, `${rel}: the text PyTorch writes`);
        else {
          const png = pngPixels(bytes);
          assert.deepEqual([png.width, png.height, png.colorType], [...want.size, 2], `${rel}: an RGB image of PyTorch's size`);
          assert.equal(b64(png.pixels), want.pixels, `${rel}: PyTorch's pixels`);
        }
      }
      // the same step and tag again: torch warns and replaces the files; the config lists it twice, as torch's does
      const warned: string[] = [];
      console.warn = (m: string) => warned.push(m);
      const again = new SummaryWriter(path.join(dir, "again"));
      again.addEmbedding(tensor([[1.5, 2]]), { tag: "t" });
      again.addEmbedding(tensor([[3.5, 4]]), { tag: "t" });
      again.close();
      assert.match(warned.join(), /addEmbedding: .*00000\/t exists/);
      assert.equal(fs.readFileSync(path.join(dir, "again", "00000", "t", "tensors.tsv"), "utf8"), "3.5\t4.0\n");
      assert.equal(fs.readFileSync(path.join(dir, "again", "projector_config.pbtxt"), "utf8").match(/tensor_name: "t:00000"/g)?.length, 2);
      assert.deepEqual(fs.readdirSync(path.join(dir, "again", "00000", "t")).filter((f) => f.endsWith(".tmp")), [], "no temporary file left");
    } finally {
      console.warn = warn;
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test("pr curve arithmetic: numpy's histogram of the buckets, in float32 for float32 predictions", () => {
    // 0.29 is 0.28999999165534973 in float32: ·100 rounds to 29 in float32, 28.999999165534973 in float64
    const rec = (preds: T.Tensor | number[]) => {
      const dir = tmpdir();
      try {
        const w = new SummaryWriter(dir, { maxQueue: 100 });
        w.addPrCurve("p", [1], preds, 0, { numThresholds: 101, walltime: 1 });
        w.close();
        const value = decode(one(decode(one(eventOf(readRecords(w.filePath)[1]!), 5) as Uint8Array), 1) as Uint8Array);
        const floats = one(decode(one(value, 8) as Uint8Array), 5) as Uint8Array;
        const tp = Array.from({ length: 101 }, (_, i) => new DataView(floats.buffer, floats.byteOffset).getFloat32(4 * i, true));
        return tp.lastIndexOf(1); // the last threshold the one positive passes
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    };
    // bucket 29 (float32) lands in numpy's bin floor(29·101/100) = 29; bucket 28 (float64) in bin 28
    assert.equal(rec(tensor([0.29])), 29);
    assert.equal(rec(tensor([0.29], { dtype: "float64" })), 28);
    assert.equal(rec([0.29]), 28, "a plain array is float64, as numpy makes it");
  });

  test("Python's float repr in tensors.tsv", async () => {
    const { pyFloatRepr } = await import("../src/utils/tensorboard-plugins.js");
    const cases: [number, string][] = [[0.1, "0.1"], [1, "1.0"], [-0, "-0.0"], [1e-4, "0.0001"], [1e-5, "1e-05"], [1.5e-7, "1.5e-07"],
      [1e16, "1e+16"], [1234567890123456, "1234567890123456.0"], [12345678901234567, "1.2345678901234568e+16"], [5e-324, "5e-324"],
      [1.7976931348623157e308, "1.7976931348623157e+308"], [-Infinity, "-inf"], [123.456, "123.456"], [100, "100.0"], [1e22, "1e+22"]];
    for (const [x, want] of cases) assert.equal(pyFloatRepr(x), want, String(x));
  });

  test("file names, the default directory, getLogdir, filenameSuffix", () => {
    const dir = tmpdir();
    const cwd = process.cwd();
    try {
      const w = new SummaryWriter(path.join(dir, "a"), { filenameSuffix: ".v2" });
      assert.equal(w.getLogdir(), path.join(dir, "a"));
      assert.match(path.basename(w.filePath), new RegExp(`^events\\.out\\.tfevents\\.\\d{10}\\.${os.hostname().replace(/[.]/g, "\\.")}\\.${process.pid}\\.\\d+\\.v2$`));
      w.close();
      process.chdir(dir);
      const d = new SummaryWriter(undefined, { comment: "_lr0.1" });
      assert.match(d.getLogdir(), new RegExp(`^runs/[A-Z][a-z]{2}\\d{2}_\\d{2}-\\d{2}-\\d{2}_${os.hostname().replace(/[.]/g, "\\.")}_lr0\\.1$`));
      assert.ok(fs.existsSync(d.filePath), "the file exists as soon as the writer does");
      d.close();
    } finally {
      process.chdir(cwd);
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test("events wait in the queue until maxQueue, flush() or close(); adding after close() is an error", () => {
    const dir = tmpdir();
    try {
      const w = new SummaryWriter(dir, { maxQueue: 3 });
      const count = () => readRecords(w.filePath).length;
      assert.equal(count(), 0, "the version event is queued too");
      w.addScalar("x", 1, 1);
      assert.equal(count(), 0);
      w.addScalar("x", 2, 2); // third event: the queue is full
      assert.equal(count(), 3);
      w.addScalar("x", 3, 3);
      assert.equal(count(), 3);
      w.flush();
      assert.equal(count(), 4);
      w.addScalar("x", 4, 4);
      w.close();
      assert.equal(count(), 5);
      assert.throws(() => w.addScalar("x", 5, 5), (e: unknown) => e instanceof TensileError && /closed/.test(e.message));
      w.close(); // twice is fine
      const zero = new SummaryWriter(path.join(dir, "z"), { flushSecs: 0 });
      zero.addScalar("x", 1, 1);
      assert.equal(readRecords(zero.filePath).length, 2, "flushSecs 0: every event is written at once");
      zero.close();
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test("bad input: errors name the call and the value", () => {
    const dir = tmpdir();
    try {
      const w = new SummaryWriter(dir);
      const err = (fn: () => unknown, re: RegExp) => assert.throws(fn, (e: unknown) => e instanceof TensileError && re.test(e.message));
      err(() => w.addScalar("", 1), /addScalar: tag must be a non-empty string/);
      err(() => w.addScalar("x", tensor([1, 2])), /addScalar\(x\): a scalar needs a one-element tensor, got shape \[2\]/);
      err(() => w.addScalar("x", 1, 1.5), /globalStep must be an integer, got 1\.5/);
      err(() => w.addScalar("x", 1, 1, NaN), /walltime must be a finite number/);
      err(() => w.addHistogram("h", [], 0), /addHistogram\(h\): the values have no element/);
      err(() => w.addHistogram("h", [1, NaN], 0), /contain NaN/);
      err(() => w.addHistogram("h", [1, 2], 0, { bins: "auto" as never }), /bins must be 'tensorflow'.*'auto' are not supported/);
      err(() => w.addHistogram("h", [1, 2], 0, { bins: [2, 1] }), /increasing array/);
      err(() => w.addHistogram("h", [5, 6], 0, { bins: [0, 1] }), /no value falls inside the bins/);
      err(() => w.addImage("i", tensor([[1, 2]]), 0), /dataformats 'CHW' needs a 3-D tensor, got shape \[1, 2\]/);
      err(() => w.addImage("i", T.zeros([2, 3, 3]), 0), /images need 1 or 3 channels \(or 4, RGBA\), got 2/);
      err(() => w.addImage("i", T.zeros([1, 3, 3]), 0, { dataformats: "XYZ" }), /dataformats must be one of/);
      err(() => w.addImages("i", T.zeros([1, 3, 3]), 0, { dataformats: "CHW" }), /addImages: dataformats must be NCHW or NHWC/);
      err(() => w.addText("t", 5 as never), /addText: text must be a string/);
      err(() => new SummaryWriter(dir, { maxQueue: 0 }), /maxQueue must be a positive integer/);
      err(() => w.addHparams([1] as never, {}), /addHparams: hparamDict and metricDict should be objects/);
      err(() => w.addHparams({ lr: 0.1 }, { acc: tensor([1, 2]) }), /addHparams\(acc\): a scalar needs a one-element tensor/);
      err(() => w.addHparams({ lr: [0.1] as never }, { acc: 1 }), /the value of hparam "lr" should be a number, string, boolean or Tensor, got object/);
      err(() => w.addHparams({ opt: "sgd" }, { acc: 1 }, { hparamDomainDiscrete: { opt: [1, 2] } }), /hparamDomainDiscrete\["opt"\] should be an array of values of the same type as hparamDict\["opt"\]/);
      err(() => w.addHparams({ opt: "sgd" }, { acc: 1 }, { hparamDomainDiscrete: { other: ["a"] } }), /hparamDomainDiscrete\["other"\]/);
      err(() => w.addHparams({ lr: 0.1 }, { acc: 1 }, { runName: "" }), /runName must be a non-empty string/);
      err(() => w.addPrCurve("p", [1, 0], [0.5], 0), /addPrCurve\(p\): 2 labels for 1 predictions/);
      err(() => w.addPrCurve("p", [], [], 0), /addPrCurve\(p\): predictions have no element/);
      err(() => w.addPrCurve("p", [1], [NaN], 0), /addPrCurve\(p\): predictions contain NaN \(at index 0\)/);
      err(() => w.addPrCurve("p", [1], [0.5], 0, { numThresholds: 1 }), /numThresholds must be an integer ≥ 2, got 1/);
      err(() => w.addPrCurve("p", [1, 0], [0.5, 0.2], 0, { weights: [1, 2, 3] }), /3 weights for 2 predictions/);
      err(() => w.addPrCurve("p", "ab" as never, [0.5], 0), /labels must be a Tensor or an array of numbers, got string/);
      err(() => w.addPrCurve("", [1], [0.5], 0), /addPrCurve: tag must be a non-empty string/);
      err(() => w.addPrCurveRaw("r", [1, 2], [1, 2], [1, 2], [1], [1, 2], [1, 2]), /addPrCurveRaw\(r\): falseNegativeCounts has 1 values, truePositiveCounts 2/);
      err(() => w.addPrCurveRaw("r", T.zeros([2, 2]), [1], [1], [1], [1], [1]), /truePositiveCounts must be 1-D, got shape \[2, 2\]/);
      err(() => w.addCustomScalars({ c: { t: ["Margin", ["a", "b"]] } }), /addCustomScalars: layout\["c"\]\["t"\]: a Margin chart needs 3 tags/);
      err(() => w.addCustomScalars({ c: { t: ["Bar" as never, ["a"]] } }), /the chart type must be "Multiline" or "Margin", got "Bar"/);
      err(() => w.addCustomScalars({ c: { t: "a" as never } }), /layout\["c"\]\["t"\] must be \["Multiline" or "Margin", an array of tags\]/);
      err(() => w.addCustomScalars([] as never), /addCustomScalars: layout must be an object/);
      err(() => w.addCustomScalarsMarginchart(["a", "b"]), /addCustomScalarsMarginchart: tags must be \[value, lower, upper\]/);
      err(() => w.addEmbedding(T.zeros([3])), /addEmbedding: mat must be 2-D \(one row per data point\), got shape \[3\]/);
      err(() => w.addEmbedding(T.zeros([2, 3]), { metadata: ["a"] }), /addEmbedding\(default\): 1 metadata labels for 2 data points/);
      err(() => w.addEmbedding(T.zeros([2, 3]), { metadata: [["a"], ["b"]] }), /metadata values must be strings, numbers, booleans or null, got an array \(rows need metadataHeader\)/);
      err(() => w.addEmbedding(T.zeros([1, 3]), { metadata: [["a"]], metadataHeader: ["x", "y"] }), /metadata row 0 should be an array of 2 values/);
      err(() => w.addEmbedding(T.zeros([2, 3]), { labelImg: T.zeros([2, 4, 2, 2]) }), /labelImg must be an N×C×H×W tensor with 1 or 3 channels, got shape \[2, 4, 2, 2\]/);
      err(() => w.addEmbedding(T.zeros([2, 3]), { labelImg: T.zeros([3, 3, 2, 2]) }), /3 label images for 2 data points/);
      err(() => w.addEmbedding(T.zeros([2, 3]), { globalStep: 1.5 }), /addEmbedding\(default\): globalStep must be an integer, got 1\.5/);
      err(() => w.addEmbedding(T.zeros([2, 3]), { tag: "" }), /addEmbedding: tag must be a non-empty string/);
      fs.writeFileSync(path.join(dir, "00009"), "");
      err(() => w.addEmbedding(T.zeros([2, 3]), { globalStep: 9 }), /addEmbedding\(default\): cannot create the directory .*00009\/default: ENOTDIR/);
      fs.rmSync(path.join(dir, "00009"));
      assert.deepEqual(fs.readdirSync(dir).filter((f) => !f.startsWith("events.")), [], "a refused addHparams or addEmbedding made no file or directory");
      w.close();
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test("CRC-32C, CRC-32 and the PNG encoder on known values", () => {
    const ascii = new TextEncoder().encode("123456789");
    assert.equal(crc32c(ascii), 0xe3069283, "CRC-32C check value");
    assert.equal(crc32(ascii), 0xcbf43926, "CRC-32 check value");
    assert.equal(crc32c(new Uint8Array(32)), 0x8a9136aa, "RFC 3720 B.4: 32 bytes of zeros");
    const pixels = Uint8Array.from({ length: 2 * 3 * 4 }, (_, i) => i * 10);
    const png = pngPixels(encodePng(pixels, 2, 3, 4));
    assert.deepEqual([png.height, png.width, png.colorType], [2, 3, 6]);
    assert.deepEqual([...png.pixels], [...pixels]);
    assert.throws(() => encodePng(pixels, 2, 3, 2), /1, 3 or 4 channels/);
    assert.throws(() => encodePng(pixels, 3, 3, 4), /24 bytes for a 3×3×4 image/);
  });

  test("train's TensorBoard callback writes each epoch's logs as scalars, and weight histograms", async () => {
    const dir = tmpdir();
    try {
      T.manualSeed(0);
      const { nn } = T;
      const model = new nn.Sequential(new nn.Linear(2, 4), new nn.ReLU(), new nn.Linear(4, 1));
      const x = T.randn([32, 2]);
      const y = x.sum(1, true);
      const data = new T.data.TensorDataset(x, y);
      const cb = new T.train.TensorBoard(dir, { histogramFreq: 1 });
      await T.train.fit(model, {
        trainLoader: new T.data.DataLoader(data, { batchSize: 8 }), epochs: 2,
        optimizer: new T.optim.SGD(model.parameters(), { lr: 0.05 }), loss: new nn.MSELoss(), callbacks: [cb],
      });
      const file = fs.readdirSync(dir).find((f) => f.startsWith("events.out.tfevents."))!;
      const tags = readRecords(path.join(dir, file)).slice(1).map((r) => {
        const value = decode(one(decode(one(eventOf(r), 5) as Uint8Array), 1) as Uint8Array);
        return [new TextDecoder().decode(one(value, 1) as Uint8Array), Number(one(eventOf(r), 2) ?? 0n), value.has(5) ? "histo" : "scalar"];
      });
      assert.deepEqual(tags.filter((t) => t[0] === "epoch/loss").map((t) => t[1]), [0, 1]);
      assert.deepEqual(tags.filter((t) => t[0] === "0.weight").map((t) => [t[1], t[2]]), [[0, "histo"], [1, "histo"]]);
      assert.ok(tags.some((t) => t[0] === "2.bias"));
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
