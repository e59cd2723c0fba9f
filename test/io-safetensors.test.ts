import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync, writeSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { TensileError, Tensor, arange, randn, tensor, Generator } from "../src/core.js";
import { load, loadBytes, loadWithMetadata, parseSafetensors, save, saveBytes } from "../src/io/index.js";

const enc = new TextEncoder();

/** A safetensors file from a header object (or raw header text) and a data buffer. */
function fileOf(header: object | string, data: Uint8Array = new Uint8Array(0), pad = true): Uint8Array {
  let h = enc.encode(typeof header === "string" ? header : JSON.stringify(header));
  if (pad && h.length % 8) {
    const p = new Uint8Array(h.length + 8 - (h.length % 8)).fill(0x20);
    p.set(h);
    h = p;
  }
  const out = new Uint8Array(8 + h.length + data.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(h.length), true);
  out.set(h, 8);
  out.set(data, 8 + h.length);
  return out;
}

function headerOf(bytes: Uint8Array): string {
  const n = Number(new DataView(bytes.buffer, bytes.byteOffset).getBigUint64(0, true));
  return new TextDecoder().decode(bytes.subarray(8, 8 + n));
}

const f32 = (...v: number[]) => new Uint8Array(new Float32Array(v).buffer);

function throwsTE(fn: () => unknown, re: RegExp): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof TensileError, `expected TensileError, got ${e}`);
    assert.match((e as Error).message, re);
    return true;
  });
}

test("saveBytes matches the reference implementation's bytes (its own unit tests)", () => {
  // safetensors/src/tensor.rs test_serialization, test_empty and test_serialization_forced_alignement
  const data = new Float32Array([0, 1, 2, 3, 4, 5]);
  const a = saveBytes({ "attn.0": tensor(data, { shape: [1, 2, 3] }) });
  assert.deepEqual([...a.subarray(0, 8)], [64, 0, 0, 0, 0, 0, 0, 0]);
  assert.equal(headerOf(a), '{"attn.0":{"dtype":"F32","shape":[1,2,3],"data_offsets":[0,24]}}');
  assert.deepEqual([...a.subarray(72)], [...new Uint8Array(data.buffer)]);
  assert.deepEqual([...saveBytes({})], [8, 0, 0, 0, 0, 0, 0, 0, 123, 125, 32, 32, 32, 32, 32, 32]);
  assert.equal(headerOf(saveBytes({}, { metadata: { framework: "pt" } })), '{"__metadata__":{"framework":"pt"}}     ');
  const b = saveBytes(new Map([["attn0", tensor(data, { shape: [1, 1, 2, 3] })]]));
  assert.equal(b.length, 8 + 72 + 24);
  assert.equal(headerOf(b), '{"attn0":{"dtype":"F32","shape":[1,1,2,3],"data_offsets":[0,24]}}' + " ".repeat(7));
});

test("tensors are ordered by dtype alignment (largest first), then by name; loadBytes returns file order", () => {
  const sd = {
    "z.mask": tensor([true, false, true]),
    "b.count": tensor([7, -8], { dtype: "int32" }),
    "a.weight": tensor([[1.5, -2]]),
    "c.double": tensor([Math.PI], { dtype: "float64" }),
    "a.bias": tensor([0.25]),
  };
  const bytes = saveBytes(sd);
  assert.deepEqual(Object.keys(JSON.parse(headerOf(bytes))), ["c.double", "a.bias", "a.weight", "b.count", "z.mask"]);
  const back = loadBytes(bytes);
  assert.deepEqual(Object.keys(back), ["c.double", "a.bias", "a.weight", "b.count", "z.mask"]);
  for (const [k, t] of Object.entries(sd)) {
    assert.equal(back[k]!.dtype, t.dtype, k);
    assert.deepEqual(back[k]!.shape, t.shape, k);
    assert.deepEqual(back[k]!.toArray(), t.toArray(), k);
  }
  assert.equal(back["c.double"]!.item(), Math.PI);
  // Name order is by UTF-8 bytes: "é" (0xC3 0xA9) sorts after "z".
  assert.deepEqual(Object.keys(loadBytes(saveBytes({ "é": tensor([1]), z: tensor([2]), A: tensor([3]) }))), ["A", "z", "é"]);
});

test("round trip: scalars, empty tensors, non-contiguous views, Parameters, metadata, bit patterns", () => {
  const g = new Generator(3);
  const w = randn([3, 4], { generator: g });
  const nan = new Float32Array([NaN, -0, Infinity, -Infinity, 1e-45, 3.4028234663852886e38]);
  const sd = new Map<string, Tensor>([
    ["scalar", tensor(2.5)],
    ["empty", tensor(new Float32Array(0), { shape: [0, 5] })],
    ["wT", w.t()],
    ["special", tensor(nan)],
    ["ints", arange(-3, 3)],
  ]);
  const { tensors, metadata } = parseSafetensors(saveBytes(sd, { metadata: { b: "2", a: "x\"y\n" } }));
  assert.deepEqual(metadata, { a: "x\"y\n", b: "2" });
  assert.deepEqual(tensors.scalar!.shape, []);
  assert.equal(tensors.scalar!.item(), 2.5);
  assert.deepEqual(tensors.empty!.shape, [0, 5]);
  assert.deepEqual(tensors.wT!.toArray(), w.t().toArray());
  assert.deepEqual([...new Uint8Array(tensors.special!.dataSync().buffer)], [...new Uint8Array(nan.buffer)]);
  assert.deepEqual(tensors.ints!.toArray(), [-3, -2, -1, 0, 1, 2]);
});

test("saveBytes rejects what is not a state dict", () => {
  throwsTE(() => saveBytes([tensor([1])] as never), /saveBytes: expected a state dict .* got an array/);
  throwsTE(() => saveBytes({ a: [1, 2] } as never), /saveBytes: state dict entry "a" is an object \(Array\)|entry "a" is an array, not a Tensor/);
  throwsTE(() => saveBytes({ __metadata__: tensor([1]) }), /"__metadata__" is reserved/);
  throwsTE(() => saveBytes({ a: tensor([1]) }, { metadata: { n: 3 as never } }), /metadata\["n"\] must be a string/);
});

test("F16, BF16, F8 and the integer dtypes load widened, I64 with an int32 range check", () => {
  const half = new Uint16Array([0x3c00, 0xc000, 0x7bff, 0x0001, 0x7c00, 0xfc00, 0x8000, 0x3555]);
  const bf = new Uint16Array([0x3f80, 0xc049, 0x7f80]);
  const e5m2 = new Uint8Array([0x3c, 0xc0, 0x7c, 0x01]);
  const e4m3 = new Uint8Array([0x38, 0xb8, 0x7e, 0x7f, 0x01, 0x40]);
  const i64 = new BigInt64Array([-2147483648n, 2147483647n, -1n, 5n]);
  const u64 = new BigUint64Array([0n, 2147483647n]);
  const u32 = new Uint32Array([0, 2147483647]);
  const parts: [string, string, number[], ArrayBufferView][] = [
    ["h", "F16", [8], half], ["bf", "BF16", [3], bf], ["e5", "F8_E5M2", [4], e5m2], ["e4", "F8_E4M3", [6], e4m3],
    ["i64", "I64", [2, 2], i64], ["u64", "U64", [2], u64], ["u32", "U32", [2], u32],
    ["i16", "I16", [2], new Int16Array([-300, 300])], ["u16", "U16", [1], new Uint16Array([65535])],
    ["i8", "I8", [2], new Int8Array([-128, 127])], ["u8", "U8", [2], new Uint8Array([0, 255])], ["b", "BOOL", [3], new Uint8Array([0, 1, 2])],
  ];
  const header: Record<string, unknown> = {};
  const chunks: Uint8Array[] = [];
  let off = 0;
  for (const [name, dtype, shape, arr] of parts) {
    const b = new Uint8Array(arr.buffer, arr.byteOffset, arr.byteLength);
    header[name] = { dtype, shape, data_offsets: [off, off + b.length] };
    chunks.push(b);
    off += b.length;
  }
  const data = new Uint8Array(off);
  chunks.reduce((at, c) => (data.set(c, at), at + c.length), 0);
  const t = loadBytes(fileOf(header, data));
  assert.deepEqual(t.h!.toArray(), [1, -2, 65504, 2 ** -24, Infinity, -Infinity, -0, Math.fround(0.333251953125)]);
  assert.equal(t.h!.dtype, "float32");
  assert.deepEqual(t.bf!.toArray(), [1, -3.140625, Infinity]);
  assert.deepEqual(t.e5!.toArray(), [1, -2, Infinity, 2 ** -16]);
  const e4 = t.e4!.toArray() as number[];
  assert.deepEqual([e4[0], e4[1], e4[2], e4[4], e4[5]], [1, -1, 448, 2 ** -9, 2]);
  assert.ok(Number.isNaN(e4[3]));
  assert.deepEqual(t.i64!.toArray(), [[-2147483648, 2147483647], [-1, 5]]);
  assert.equal(t.i64!.dtype, "int32");
  assert.deepEqual(t.u64!.toArray(), [0, 2147483647]);
  assert.deepEqual(t.u32!.toArray(), [0, 2147483647]);
  assert.deepEqual(t.i16!.toArray(), [-300, 300]);
  assert.deepEqual(t.u16!.toArray(), [65535]);
  assert.deepEqual(t.i8!.toArray(), [-128, 127]);
  assert.deepEqual(t.u8!.toArray(), [0, 255]);
  assert.deepEqual(t.b!.toArray(), [false, true, true]);

  const big = fileOf({ n: { dtype: "I64", shape: [2], data_offsets: [0, 16] } }, new Uint8Array(new BigInt64Array([1n, -2147483649n]).buffer));
  throwsTE(() => loadBytes(big), /loadBytes: the data: tensor "n" \(I64\) holds -2147483649 at flat index 1, outside the int32 range/);
  const bigU = fileOf({ n: { dtype: "U32", shape: [1], data_offsets: [0, 4] } }, new Uint8Array(new Uint32Array([2 ** 31]).buffer));
  throwsTE(() => loadBytes(bigU), /tensor "n" \(U32\) holds 2147483648/);
});

test("malformed files are rejected with errors that say what is wrong", () => {
  const ok = { a: { dtype: "F32", shape: [2], data_offsets: [0, 8] }, b: { dtype: "F32", shape: [1], data_offsets: [8, 12] } };
  const data = f32(1, 2, 3);
  assert.deepEqual(loadBytes(fileOf(ok, data)).b!.toArray(), [3]);
  const cases: [string, Uint8Array, RegExp][] = [
    ["too short", new Uint8Array(5), /loadBytes: the data is not a safetensors file: it has 5 bytes/],
    ["header length beyond the file", fileOf(ok, data).subarray(0, 40), /is truncated or not a safetensors file: the header length is \d+ bytes but the file has only 32 bytes/],
    ["absurd header length", new Uint8Array([255, 255, 255, 255, 255, 255, 255, 255, 0]), /header length of 18446744073709551615 bytes \(the limit is 100000000\)/],
    ["bad JSON", fileOf('{"a": {"dtype": "F32",}}'), /header is not valid JSON: expected a string at character 22/],
    ["not an object", fileOf("[1, 2]"), /header that is not a JSON object/],
    ["bad UTF-8", fileOf(new TextDecoder("latin1").decode(new Uint8Array([0x7b, 0x22, 0xff, 0x22, 0x7d]))).map((b, i, a) => (i === 10 ? 0xff : b)), /not valid UTF-8|not valid JSON/],
    ["duplicate key", fileOf('{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}', f32(1, 2)), /loadBytes: the data: header has a duplicate key "a" at character 54/],
    ["unknown dtype", fileOf({ a: { dtype: "F31", shape: [1], data_offsets: [0, 4] } }, f32(1)), /tensor "a": unknown dtype "F31" \(known: BOOL, U8/],
    ["bad shape", fileOf({ a: { dtype: "F32", shape: [-1], data_offsets: [0, 4] } }, f32(1)), /tensor "a": shape must be an array of non-negative integers, got \[-1\]/],
    ["bad offsets", fileOf({ a: { dtype: "F32", shape: [1], data_offsets: [0] } }, f32(1)), /data_offsets must be \[begin, end\]/],
    ["reversed offsets", fileOf({ a: { dtype: "F32", shape: [0], data_offsets: [4, 0] } }, f32(1)), /data_offsets \[4, 0\] end before they begin/],
    ["size mismatch", fileOf({ a: { dtype: "F32", shape: [2, 3], data_offsets: [0, 8] } }, data), /data_offsets \[0, 8\] span 8 bytes but shape \[2, 3\] of F32 needs 24/],
    ["overlap", fileOf({ a: ok.a, b: { dtype: "F32", shape: [1], data_offsets: [4, 8] } }, data), /overlapping tensors: "b" \(data_offsets \[4, 8\]\) overlaps "a"/],
    ["gap", fileOf({ a: ok.a, b: { dtype: "F32", shape: [1], data_offsets: [12, 16] } }, f32(1, 2, 3, 4)), /gap in its data: tensor "a" ends at offset 8 but the next tensor, "b", begins at 12/],
    ["gap at start", fileOf({ b: { dtype: "F32", shape: [1], data_offsets: [4, 8] } }, f32(1, 2)), /gap in its data: the data starts at offset 0 but the next tensor, "b", begins at 4/],
    ["truncated data", fileOf(ok, data).subarray(0, 8 + 112 + 6), /the data is truncated: header says tensor "b" ends at byte 132 but the file has 126 bytes/],
    ["trailing bytes", fileOf(ok, f32(1, 2, 3, 4)), /has 4 unexpected bytes after the end of the last tensor's data/],
    ["bad metadata", fileOf({ __metadata__: { n: 1 } }), /"__metadata__"\["n"\] = 1, not a string/],
    ["entry not an object", fileOf({ a: 5 }), /bad header entry for tensor "a": expected \{dtype, shape, data_offsets\}, got 5/],
  ];
  for (const [what, bytes, re] of cases) throwsTE(() => loadBytes(bytes), re), void what;
  // A JSON "__proto__" key is plain data.
  const proto = loadBytes(fileOf('{"__proto__":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}', f32(9)));
  assert.deepEqual(Object.keys(proto), ["__proto__"]);
  assert.equal(Object.getOwnPropertyDescriptor(proto, "__proto__")!.value.item(), 9);
  throwsTE(() => loadBytes("abc" as never), /expected a Uint8Array or ArrayBuffer, got string abc/);
  assert.deepEqual(loadBytes(fileOf(ok, data).slice().buffer).a!.toArray(), [1, 2]);
  // A small Node Buffer lives at an offset inside a shared pool: still read correctly.
  const pooled = Buffer.from(fileOf(ok, data));
  assert.ok(pooled.byteOffset > 0 || pooled.buffer.byteLength > pooled.length);
  assert.deepEqual(loadBytes(pooled).b!.toArray(), [3]);
});

test("save and load files; a failed write leaves the previous file and no temporary file", () => {
  const dir = mkdtempSync(join(tmpdir(), "tensile-io-"));
  try {
    const path = join(dir, "model.safetensors");
    const sd = { "fc.weight": randn([4, 3], { generator: new Generator(1) }), "fc.bias": tensor([0.5, 1, 2, 3]) };
    save(sd, path, { metadata: { epoch: "1" } });
    const first = readFileSync(path);
    assert.deepEqual(new Uint8Array(first), saveBytes(sd, { metadata: { epoch: "1" } }));
    const { tensors, metadata } = loadWithMetadata(path);
    assert.deepEqual(metadata, { epoch: "1" });
    assert.deepEqual(load(path)["fc.weight"]!.toArray(), sd["fc.weight"].toArray());
    assert.deepEqual(Object.keys(tensors), ["fc.bias", "fc.weight"]);

    // A writer that dies halfway through, as a crash or a full disk would.
    let written = 0;
    const halfway = (fd: number, buf: Uint8Array, off: number, len: number): number => {
      const budget = Math.floor(first.length / 2) - written;
      if (budget <= 0) throw new Error("ENOSPC: no space left on device");
      const n = writeSync(fd, buf, off, Math.min(len, budget));
      written += n;
      return n;
    };
    const bigger = { ...sd, extra: randn([100]) };
    throwsTE(() => save(bigger, path, { fs: { writeSync: halfway as never } }), /save: cannot write .*model\.safetensors: ENOSPC: no space left on device \(any previous file at that path is unchanged\)/);
    assert.ok(written > 0);
    assert.deepEqual(readFileSync(path), first);
    assert.deepEqual(readdirSync(dir), ["model.safetensors"]);
    for (const step of ["fsyncSync", "renameSync"] as const) {
      const failing = { [step]: () => { throw new Error(`${step} failed`); } };
      throwsTE(() => save(bigger, path, { fs: failing }), new RegExp(`${step} failed`));
      assert.deepEqual(readFileSync(path), first);
      assert.deepEqual(readdirSync(dir), ["model.safetensors"]);
    }
    save(bigger, path);
    assert.equal(Object.keys(load(path)).length, 3);

    throwsTE(() => load(join(dir, "missing.safetensors")), /load: cannot read .*missing\.safetensors: ENOENT/);
    writeFileSync(join(dir, "short.safetensors"), new Uint8Array(first).subarray(0, 200));
    throwsTE(() => load(join(dir, "short.safetensors")), /load: .*short\.safetensors is truncated: header says tensor "fc.weight" ends at byte \d+ but the file has 200 bytes/);
    throwsTE(() => save(sd, ""), /save: path must be a non-empty string/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
