/**
 * PyTorch's torch.save files (.pt / .pth), read and written (src/io/torch-file.ts, pickle.ts, zip.ts).
 * The PyTorch side is tools/gen-torchsave-fixtures.py (files torch.save wrote, and their contents
 * described exactly in expected.json) and tools/check-torchsave-roundtrip.py (torch.load's view of
 * the file Tensile wrote, tensile-written-torch-check.json), so no Python runs here.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { TensileError, Tensor, arange, noGrad, setBackend, tensor } from "../src/core.js";
import * as nn from "../src/nn/index.js";
import { SGD, type OptimizerStateDict } from "../src/optim/index.js";
import { loadTorch, loadTorchBytes, saveTorch, saveTorchBytes, type TorchDict, type TorchValue } from "../src/io/index.js";
import * as root from "../src/index.js";
import { crc32, readZip, writeZip, type ZipEntry } from "../src/io/zip.js";
import { tensileWrittenBytes, tensileWrittenObject } from "../tools/make-tensile-torchsave.js";

const dir = new URL("../fixtures/torchsave/", import.meta.url);
const path = (name: string) => new URL(name, dir).pathname;
const bytesOf = (name: string) => new Uint8Array(readFileSync(path(name)));
const expected = JSON.parse(readFileSync(path("expected.json"), "utf8"));
const BACKENDS = ["reference", "wasm"] as const;

/** Tensile's dtype for each torch dtype. */
const LOADS_AS: Record<string, string> = {
  float32: "float32", float64: "float64", float16: "float32", bfloat16: "float32", int64: "int32",
  int32: "int32", int16: "int32", int8: "int32", uint8: "int32", bool: "bool",
};
const num = (v: number | string): number => (v === "nan" ? NaN : v === "inf" ? Infinity : v === "-inf" ? -Infinity : v === "-0" ? -0 : (v as number));

/** Asserts that a JS value is exactly what the Python description (gen-torchsave-fixtures.py `describe`) says. */
function matches(actual: unknown, desc: unknown, at = "top"): void {
  if (desc === null || typeof desc === "string" || typeof desc === "boolean") return assert.equal(actual, desc, at);
  const d = desc as Record<string, unknown>;
  if ("$int" in d) {
    const v = BigInt(d.$int as string);
    const safe = v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER);
    if (typeof actual === "bigint") assert.ok(!safe, `${at}: ${v} should be a number`);
    return assert.equal(actual, safe ? Number(v) : v, at);
  }
  if ("$float" in d) return assert.ok(Object.is(actual, num(d.$float as number | string)), `${at}: ${String(actual)} vs ${String(d.$float)}`);
  if ("$list" in d || "$tuple" in d) {
    const items = (d.$list ?? d.$tuple) as unknown[];
    assert.ok(Array.isArray(actual), `${at}: expected an array`);
    assert.equal((actual as unknown[]).length, items.length, at);
    return items.forEach((x, i) => matches((actual as unknown[])[i], x, `${at}[${i}]`));
  }
  if ("$dict" in d) {
    const entries = d.$dict as [unknown, unknown][];
    const key = (k: unknown) => (typeof k === "string" ? k : String((k as { $int: string }).$int));
    if (actual instanceof Map) {
      const got = [...actual.entries()];
      assert.equal(got.length, entries.length, at);
      return entries.forEach(([k, x], i) => {
        matches(got[i]![0], k, `${at}<key ${i}>`);
        matches(got[i]![1], x, `${at}<value ${i}>`);
      });
    }
    assert.ok(actual !== null && typeof actual === "object" && !Array.isArray(actual), `${at}: expected an object`);
    // JS enumerates integer-like keys first; otherwise the file's order is kept.
    const order = Object.keys(Object.fromEntries(entries.map(([k]) => [key(k), 0])));
    assert.deepEqual(Object.keys(actual as object), order, `${at}: keys`);
    return entries.forEach(([k, x]) => matches((actual as Record<string, unknown>)[key(k)], x, `${at}.${key(k)}`));
  }
  if ("$tensor" in d) {
    const t = d.$tensor as { dtype: string; shape: number[]; data: (number | string | boolean)[] };
    assert.ok(actual instanceof Tensor, `${at}: expected a Tensor`);
    assert.equal(actual.dtype, LOADS_AS[t.dtype], `${at}: dtype`);
    assert.deepEqual(actual.shape, t.shape, `${at}: shape`);
    const got = [...actual.dataSync()];
    assert.equal(got.length, t.data.length, `${at}: numel`);
    got.forEach((v, i) => {
      const e = t.data[i]!;
      const want = typeof e === "boolean" ? (e ? 1 : 0) : num(e);
      assert.ok(Object.is(v, want) || (v === 0 && want === 0 && actual.dtype !== "float32" && actual.dtype !== "float64"), `${at}[${i}]: ${v} vs PyTorch ${String(e)}`);
    });
    return;
  }
  assert.fail(`${at}: unknown description ${JSON.stringify(desc).slice(0, 80)}`);
}

function throwsTE(fn: () => unknown, re: RegExp): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof TensileError, `expected TensileError, got ${e}`);
    assert.match((e as Error).message, re);
    return true;
  });
}

const failZip = (m: string): never => {
  throw new Error(m);
};
/** Re-packs an archive after `edit` changes its entries (the CRCs are recomputed). */
function rezip(bytes: Uint8Array, edit: (entries: ZipEntry[]) => ZipEntry[]): Uint8Array {
  const entries = readZip(bytes, failZip).map((e) => ({ name: e.name, data: e.data.slice() }));
  return writeZip(edit(entries), "test");
}
/** Replaces the one occurrence of `from` in `hay` with `to` (same length). */
function patch(hay: Uint8Array, from: number[], to: number[]): Uint8Array {
  const out = hay.slice();
  let found = -1;
  for (let i = 0; i + from.length <= hay.length; i++) {
    if (from.every((b, j) => hay[i + j] === b)) {
      assert.equal(found, -1, "pattern occurs twice");
      found = i;
    }
  }
  assert.notEqual(found, -1, "pattern not found");
  out.set(to, found);
  return out;
}
const ascii = (s: string) => [...new TextEncoder().encode(s)];

for (const backend of BACKENDS) {
  test(`every torch.save fixture loads exactly as PyTorch describes it (${backend})`, () => {
    const prev = setBackend(backend);
    try {
      for (const name of ["mlp.pt", "checkpoint.pt", "dtypes.pt", "protocol4.pt", "legacy.pt"]) matches(loadTorch(path(name)), expected[name], name);
      // Protocol 4 (FRAME, MEMOIZE, STACK_GLOBAL): a dict with tuple and None keys is a Map.
      const p4 = loadTorch<TorchDict>(path("protocol4.pt"));
      assert.ok(p4.keys instanceof Map);
      assert.deepEqual([...p4.keys.keys()], [[1, 2], null]);
      assert.equal((p4.nums as TorchValue[])[2], 2n ** 70n);
      const d = loadTorch<Record<string, Tensor>>(path("dtypes.pt"));
      // The slice and the whole view one storage (offset 5, strides [4, 1]); the column is strided.
      assert.deepEqual(d.slice!.toArray(), [[5, 6], [9, 10]]);
      assert.deepEqual(d.column!.toArray(), [2, 6, 10]);
      assert.deepEqual(d.transposed!.toArray(), [[0, 3], [1, 4], [2, 5]]);
      // One tensor saved under two keys is one Tensile tensor, as it is one torch tensor.
      assert.equal(d.tied_a, d.tied_b);
      assert.notEqual(d.whole, d.slice);
      assert.deepEqual(d.scalar!.shape, []);
      assert.equal(d.long_scalar!.item(), 41);
      assert.deepEqual(d.empty!.shape, [0, 3]);
      assert.deepEqual(Object.keys(loadTorch<TorchDict>(path("mlp.pt"))), ["0.weight", "0.bias", "2.weight", "2.bias"]);
    } finally {
      setBackend(prev);
    }
  });

  test(`Module.loadStateDict(loadTorch("mlp.pt")) predicts as PyTorch did (${backend})`, () => {
    const prev = setBackend(backend);
    try {
      const model = new nn.Sequential(new nn.Linear(4, 3), new nn.ReLU(), new nn.Linear(3, 2));
      model.loadStateDict(loadTorch<Record<string, Tensor>>(path("mlp.pt")));
      const xDesc = expected.mlp_input.$tensor, yDesc = expected.mlp_output.$tensor;
      const x = tensor(new Float32Array(xDesc.data), { shape: xDesc.shape });
      const y = noGrad(() => model.forward(x));
      assert.deepEqual(y.shape, yDesc.shape);
      [...y.dataSync()].forEach((v, i) => assert.ok(Math.abs(v - yDesc.data[i]) <= 1e-6, `output ${i}: ${v} vs PyTorch ${yDesc.data[i]}`));

      // The checkpoint's SGD state (int keys in PyTorch, "0".."3" here) loads into Tensile's SGD.
      const ckpt = loadTorch<{ model: Record<string, Tensor>; optimizer: OptimizerStateDict; epoch: number }>(path("checkpoint.pt"));
      model.loadStateDict(ckpt.model);
      const opt = new SGD(model.parameters(), { lr: 0.5, momentum: 0.9 });
      opt.loadStateDict(ckpt.optimizer);
      assert.equal(opt.paramGroups[0]!.lr, 0.1);
      const sd = opt.stateDict();
      assert.deepEqual(Object.keys(sd.state), ["0", "1", "2", "3"]);
      matches(sd.state["0"]!.momentum_buffer, expected["checkpoint.pt"].$dict[1][1].$dict[0][1].$dict[0][1].$dict[0][1], "momentum_buffer");
      assert.equal(ckpt.epoch, 3);
    } finally {
      setBackend(prev);
    }
  });

  test(`saveTorchBytes → loadTorchBytes round trip (${backend})`, () => {
    const prev = setBackend(backend);
    try {
      const w = arange(12, { dtype: "float32" }).reshape([3, 4]);
      const shared = tensor([1, 2], { dtype: "int32" });
      const obj = {
        sd: { "fc.weight": w, "fc.bias": tensor([0.5, -0.25, 1e-30]) },
        view: w.t(),
        f64: tensor([[Math.PI]], { dtype: "float64" }),
        bool: tensor([true, false, true]),
        scalar: tensor(7.25),
        empty: tensor(new Float32Array(0), { shape: [2, 0] }),
        list: [1, 2.5, -0, NaN, "x", null, true, [shared, shared]],
        big: -(2n ** 63n),
        map: new Map<unknown, unknown>([[3, "three"], ["s", 1]]),
        state: { "0": { buf: tensor([1.5]) }, "10": {} },
      };
      const back = loadTorchBytes<TorchDict>(saveTorchBytes(obj));
      assert.deepEqual(Object.keys(back), Object.keys(obj));
      const sd = back.sd as Record<string, Tensor>;
      assert.deepEqual(sd["fc.weight"]!.toArray(), w.toArray());
      assert.deepEqual(sd["fc.bias"]!.toArray(), [0.5, -0.25, Math.fround(1e-30)]);
      assert.deepEqual((back.view as Tensor).toArray(), w.t().toArray());
      assert.equal((back.f64 as Tensor).dtype, "float64");
      assert.equal((back.f64 as Tensor).item(), Math.PI);
      assert.deepEqual((back.bool as Tensor).toArray(), [true, false, true]);
      assert.deepEqual((back.scalar as Tensor).shape, []);
      assert.deepEqual((back.empty as Tensor).shape, [2, 0]);
      const list = back.list as TorchValue[];
      assert.deepEqual(list.slice(0, 7), [1, 2.5, -0, NaN, "x", null, true]);
      assert.ok(Object.is(list[2], -0));
      const pair = list[7] as Tensor[];
      assert.equal(pair[0], pair[1]);
      assert.equal(pair[0]!.dtype, "int32");
      assert.equal(back.big, -(2n ** 63n));
      assert.deepEqual(back.map, { 3: "three", s: 1 }); // a dict of str and int keys is an object
      assert.deepEqual(Object.keys(back.state as object), ["0", "10"]);
      // Shared and cyclic containers stay so.
      const inner: unknown[] = [1];
      const cyc: Record<string, unknown> = { a: inner, b: inner };
      cyc.self = cyc;
      const c = loadTorchBytes<TorchDict>(saveTorchBytes(cyc));
      assert.equal(c.a, c.b);
      assert.equal(c.self, c);
    } finally {
      setBackend(prev);
    }
  });
}

test("a file written by Tensile is byte-stable, and torch.load read it as written", () => {
  const bytes = tensileWrittenBytes();
  assert.deepEqual(bytes, bytesOf("tensile-written.pt"), "rebuilt bytes differ from the file PyTorch checked; rerun tools/make-tensile-torchsave.ts and tools/check-torchsave-roundtrip.py");
  const check = JSON.parse(readFileSync(path("tensile-written-torch-check.json"), "utf8"));
  assert.equal(createHash("sha256").update(bytes).digest("hex"), check.sha256);
  // torch.load's view of every value equals what was written (dicts, ints vs floats, dtypes, data).
  const obj = tensileWrittenObject();
  const { map, ...rest } = obj;
  const [mapEntry, ...others] = (check.contents.$dict as [unknown, unknown][]).filter(([k]) => k === "map");
  assert.equal(others.length, 0);
  matches(rest, { $dict: (check.contents.$dict as [unknown, unknown][]).filter(([k]) => k !== "map") });
  // Map keys keep their Python types: int 1, str "two", bool False.
  assert.deepEqual((mapEntry![1] as { $dict: [unknown, unknown][] }).$dict.map(([k]) => k), [{ $int: "1" }, "two", false]);
  assert.equal((map as Map<unknown, unknown>).size, 3);
  // The optimizer state keys became Python ints, so torch's SGD.load_state_dict attached them.
  const opt = (check.contents.$dict as [unknown, { $dict: [unknown, { $dict: [unknown][] }][] }][]).find(([k]) => k === "optimizer")![1];
  assert.deepEqual(opt.$dict[0]![1].$dict.map(([k]) => k), ["0", "1", "2", "3"].map((k) => ({ $int: k })));
  assert.deepEqual(check.optimizer_loaded, { lr: 0.1, states: 4 });
  assert.equal(check.tied_same_object, true);
  // torch rebuilt the MLP from Tensile's file and computed what it computes from its own.
  assert.deepEqual(check.model_output, expected.mlp_output);
  assert.deepEqual(check.records.slice(0, 2), ["archive/data.pkl", "archive/byteorder"]);
});

test("Tensile reads back the file it wrote", () => {
  const back = loadTorchBytes<TorchDict>(bytesOf("tensile-written.pt"));
  const check = JSON.parse(readFileSync(path("tensile-written-torch-check.json"), "utf8"));
  const { map, ...rest } = back;
  matches(rest, { $dict: (check.contents.$dict as [unknown, unknown][]).filter(([k]) => k !== "map") });
  assert.ok(map instanceof Map, "a dict with a bool key loads as a Map");
  assert.deepEqual([...map.entries()], [[1, "one"], ["two", 2], [false, [1, 2, 3]]]);
});

test("saveTorch writes atomically and loadTorch reads it; the package root exports both", () => {
  const tmp = mkdtempSync(join(tmpdir(), "tensile-torchsave-"));
  try {
    const file = join(tmp, "model.pt");
    root.saveTorch({ w: tensor([[1, 2]], { dtype: "float32" }), epoch: 2 }, file);
    const back = root.loadTorch<{ w: Tensor; epoch: number }>(file);
    assert.deepEqual(back.w.toArray(), [[1, 2]]);
    assert.equal(back.epoch, 2);
    throwsTE(() => saveTorch({}, join(tmp, "missing-dir", "x.pt")), /saveTorch: cannot write .*missing-dir.*\(any previous file at that path is unchanged\)/);
    throwsTE(() => loadTorch(join(tmp, "nope.pt")), /loadTorch: cannot read .*nope\.pt/);
    assert.equal(root.loadTorchBytes, loadTorchBytes);
    assert.equal(root.saveTorchBytes, saveTorchBytes);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
});

test("the legacy (pre-1.6) format: read, and its faults named", () => {
  const legacy = bytesOf("legacy.pt");
  const d = loadTorchBytes<Record<string, Tensor>>(legacy);
  assert.deepEqual(d.slice!.toArray(), [[5, 6], [9, 10]]);
  throwsTE(() => loadTorchBytes(legacy.subarray(0, legacy.length - 1)), /^loadTorchBytes: the data is truncated: storage "0{19}\d" holds \d+ \w+ elements \(bytes \d+–\d+\) but the file has \d+ bytes$/);
  throwsTE(() => loadTorchBytes(Uint8Array.from([...legacy, 0])), /the data has 1 unexpected bytes after the data of its last storage/);
  throwsTE(() => loadTorchBytes(legacy.subarray(0, 300)), /^loadTorchBytes: the data: its pickle is truncated: /);
});

test("refusals: globals outside the allow-list, int64 beyond int32", () => {
  throwsTE(() => loadTorch(path("numpy-global.pt")),
    /^loadTorch: \S*numpy-global\.pt refers to the Python global "numpy\.core\.multiarray\._reconstruct"; Tensile loads only tensors, dicts, lists, tuples, numbers, strings and None, as torch\.load\(weights_only=True\)$/);
  throwsTE(() => loadTorch(path("int64-overflow.pt")), /int64-overflow\.pt has tensor "n" \(int64\) holding 1099511627776 at flat index 1, outside the int32 range/);
});

test("bad files: each a TensileError naming the call, the file and the fault", () => {
  const good = bytesOf("mlp.pt");
  throwsTE(() => loadTorchBytes(good.subarray(0, 1000)), /^loadTorchBytes: the data is truncated: it starts like a ZIP archive but has no end-of-central-directory record \(1000 bytes\)$/);
  throwsTE(() => loadTorchBytes(new TextEncoder().encode("hello, world: not a zip at all")), /the data is not a ZIP archive/);
  throwsTE(() => loadTorchBytes(new Uint8Array(0)), /the data is not a ZIP archive/);
  throwsTE(() => loadTorchBytes(new Uint8Array([0x80, 2, 0x4e, 0x2e])), /is a bare Python pickle, not a torch\.save file/);
  throwsTE(() => loadTorchBytes("x" as never), /loadTorchBytes: expected a Uint8Array or ArrayBuffer/);

  const noPkl = rezip(good, (es) => es.map((e) => (e.name === "mlp/data.pkl" ? { ...e, name: "mlp/other.pkl" } : e)));
  throwsTE(() => loadTorchBytes(noPkl), /the data is a ZIP archive without a mlp\/data\.pkl record, so not a torch\.save file/);
  const script = rezip(good, (es) => [{ name: "m/constants.pkl", data: new Uint8Array(1) }, { name: "m/code/m.py", data: new Uint8Array(1) }]);
  throwsTE(() => loadTorchBytes(script), /is a TorchScript archive \(torch\.jit\.save\)/);

  const editPkl = (f: (pkl: Uint8Array) => Uint8Array) => rezip(good, (es) => es.map((e) => (e.name === "mlp/data.pkl" ? { ...e, data: f(e.data) } : e)));
  // An opcode Tensile does not run (0xff), right after PROTO 2.
  throwsTE(() => loadTorchBytes(editPkl((p) => Uint8Array.from([...p.subarray(0, 2), 0xff, ...p.subarray(2)]))),
    /^loadTorchBytes: the data: mlp\/data\.pkl has an unknown or unsupported pickle opcode 0xff at byte 2$/);
  throwsTE(() => loadTorchBytes(editPkl((p) => p.subarray(0, 100))), /mlp\/data\.pkl is truncated: /);
  // Storage "0" renamed to "9": no such record.
  throwsTE(() => loadTorchBytes(editPkl((p) => patch(p, [0x58, 1, 0, 0, 0, 0x30, 0x71, 6], [0x58, 1, 0, 0, 0, 0x39, 0x71, 6]))),
    /the data has no record mlp\/data\/9 for storage "9" named in data\.pkl \(a bad storage key\)/);
  // 0.weight's storage said to hold 11 floats: the [3, 4] view reaches element 11.
  throwsTE(() => loadTorchBytes(editPkl((p) => patch(p, [...ascii("cpu"), 0x71, 7, 0x4b, 12], [...ascii("cpu"), 0x71, 7, 0x4b, 11]))),
    /the data has tensor "0\.weight" of size \[3, 4\], stride \[4, 1\] and offset 0, which reaches element 11 of storage "0" \(float32\), but the storage holds 11 elements/);
  // A storage record shorter than its element count.
  const short = rezip(good, (es) => es.map((e) => (e.name === "mlp/data/0" ? { ...e, data: e.data.subarray(0, 40) } : e)));
  throwsTE(() => loadTorchBytes(short), /the data is truncated or corrupt: storage "0" holds 12 float32 elements \(48 bytes\) but its record mlp\/data\/0 has 40 bytes/);
  // A flipped bit in a tensor's data: the CRC catches it.
  const entry = readZip(good, failZip).find((e) => e.name === "mlp/data/1")!;
  const flipped = good.slice();
  flipped[entry.data.byteOffset - good.byteOffset] ^= 1;
  throwsTE(() => loadTorchBytes(flipped, "loadTorch", "model.pt"), /^loadTorch: model\.pt is corrupted: entry "mlp\/data\/1" has CRC-32 0x[0-9a-f]{8} but the archive records 0x[0-9a-f]{8}$/);
  // Deflate-compressed entries are refused (method field set to 8 in the central directory).
  const stored = writeZip([{ name: "a/data.pkl", data: new Uint8Array([0x80, 2, 0x4e, 0x2e]) }], "test");
  const v = new DataView(stored.buffer);
  const central = stored.length - 22 - 46 - "a/data.pkl".length;
  v.setUint16(central + 10, 8, true);
  throwsTE(() => loadTorchBytes(stored), /stores entry "a\/data\.pkl" compressed \(deflate\); Tensile reads only stored \(uncompressed\) entries/);
  // A top-level None pickled alone is fine.
  v.setUint16(central + 10, 0, true);
  assert.equal(loadTorchBytes(stored), null);
});

test("saveTorchBytes refuses what Python's pickle could not hold, naming the path", () => {
  throwsTE(() => saveTorchBytes({ a: { b: undefined } }), /^saveTorchBytes: cannot save undefined at "a\.b"; saveTorch writes tensors, plain objects, Maps, arrays, numbers, bigints, strings, booleans and null$/);
  throwsTE(() => saveTorchBytes([1, () => 2]), /cannot save a function at "1"/);
  throwsTE(() => saveTorchBytes({ d: new Date(0) }), /cannot save an object \(Date\) at "d"/);
  throwsTE(() => saveTorchBytes({ f: new Float32Array(2) }), /cannot save an object \(Float32Array\) at "f"/);
  throwsTE(() => saveTorchBytes(new Map<unknown, number>([[1, 1], [true, 2]])), /the Map at the top level has keys 1 and true, which are one key in a Python dict/);
  throwsTE(() => saveTorch({ m: new Map([[{}, 1]]) }, "/tmp/never-written.pt"), /^saveTorch: the Map at "m" has a key that is an object \(Object\); keys must be strings, integers, bigints or booleans$/);
});

test("ZIP: CRC-32, 64-byte alignment, entries read back", () => {
  assert.equal(crc32(new TextEncoder().encode("123456789")), 0xcbf43926);
  const entries = [{ name: "x/a", data: new Uint8Array([1, 2, 3]) }, { name: "x/é", data: new Uint8Array(100).fill(7) }];
  const zip = writeZip(entries, "test");
  const back = readZip(zip, failZip);
  assert.deepEqual(back.map((e) => e.name), ["x/a", "x/é"]);
  for (const [i, e] of back.entries()) {
    assert.deepEqual(e.data, entries[i]!.data);
    assert.equal((e.data.byteOffset - zip.byteOffset) % 64, 0);
  }
  // torch's own files (with data descriptors and ZIP64 end records) read the same way.
  assert.deepEqual(readZip(bytesOf("mlp.pt"), failZip).map((e) => e.name), ["mlp/data.pkl", "mlp/data/0", "mlp/data/1", "mlp/data/2", "mlp/data/3", "mlp/version"]);
});
