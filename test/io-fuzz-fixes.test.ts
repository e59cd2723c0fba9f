/**
 * Regression tests for the file-format bugs tools/fuzz/io-fuzz.mts found (torch.save reader, ZIP
 * reader, torch.save writer, checkpoints). The PyTorch side is tools/gen-io-fuzz-fixes-fixtures.py
 * (fixtures/io-fuzz-fixes/: files torch.save wrote, a few written by hand, and expected.json), so no
 * Python runs here. Each hostile file must give a TensileError naming the fault — before the fixes
 * they overflowed the stack, threw a RangeError, or tried to allocate gigabytes.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { TensileError, Tensor, setBackend, tensor } from "../src/core.js";
import { loadTorchBytes, readCheckpointBytes, saveCheckpointBytes, saveTorchBytes, type TorchDict } from "../src/io/index.js";
import { PickleWriter } from "../src/io/pickle.js";
import { writeZip } from "../src/io/zip.js";

const dir = new URL("../fixtures/io-fuzz-fixes/", import.meta.url);
const bytesOf = (name: string) => new Uint8Array(readFileSync(new URL(name, dir)));
const expected = JSON.parse(readFileSync(new URL("expected.json", dir), "utf8"));
const BACKENDS = ["reference", "wasm"] as const;

function throwsTE(fn: () => unknown, re: RegExp): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof TensileError, `expected a TensileError, got ${String((e as Error)?.stack ?? e)}`);
    assert.match((e as Error).message, re);
    return true;
  });
}

/** Asserts a loaded value is what PyTorch described (gen-io-fuzz-fixes-fixtures.py `describe`). */
function matches(actual: unknown, d: any, at = "top"): void {
  if (d === null || typeof d !== "object") return assert.equal(actual, d, at);
  if ("$int" in d) {
    const v = BigInt(d.$int);
    return assert.equal(actual, v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v, at);
  }
  if ("$float" in d) return assert.equal(actual, d.$float, at);
  if ("$list" in d || "$tuple" in d) {
    const items = d.$list ?? d.$tuple;
    assert.ok(Array.isArray(actual), `${at}: expected an array`);
    assert.equal(actual.length, items.length, `${at}: length`);
    return items.forEach((x: unknown, i: number) => matches(actual[i], x, `${at}[${i}]`));
  }
  if ("$dict" in d) {
    const keys = d.$dict.map(([k]: [string]) => k);
    assert.deepEqual(Object.keys(actual as object), keys, `${at}: keys`);
    return d.$dict.forEach(([k, x]: [string, unknown]) => matches((actual as TorchDict)[k], x, `${at}.${k}`));
  }
  assert.ok(actual instanceof Tensor, `${at}: expected a Tensor`);
  assert.equal(actual.dtype, d.$tensor.dtype, `${at}: dtype`);
  assert.deepEqual(actual.shape, d.$tensor.shape, `${at}: shape`);
  assert.deepEqual([...actual.dataSync()], d.$tensor.data, `${at}: data`);
}

for (const backend of BACKENDS) {
  test(`complex tensors are refused naming their dtype, not as a forbidden global (${backend})`, () => {
    const prev = setBackend(backend);
    try {
      throwsTE(() => loadTorchBytes(bytesOf("complex64.pt")), /holds a complex64 tensor \(torch\.ComplexFloatStorage\), a dtype Tensile does not have .*torch\.view_as_real/);
      throwsTE(() => loadTorchBytes(bytesOf("complex128.pt"), "loadTorch", "z.pt"), /^loadTorch: z\.pt holds a complex128 tensor \(torch\.ComplexDoubleStorage\)/);
    } finally {
      setBackend(prev);
    }
  });

  test(`expanded (stride-0) views load as copies, but a huge one is refused before allocating (${backend})`, () => {
    const prev = setBackend(backend);
    try {
      const small = loadTorchBytes<Record<string, Tensor>>(bytesOf("expanded-small.pt"));
      matches(small, expected["expanded-small.pt"]);
      assert.deepEqual(small.transposed!.toArray(), [[0, 0, 0, 0], [1, 1, 1, 1], [2, 2, 2, 2]]);
      // 1e8 elements of a 1-element storage: refused at once (before the fix, ~1.2 GB was allocated;
      // [1e5, 1e5] threw a RangeError).
      const t0 = performance.now();
      throwsTE(() => loadTorchBytes(bytesOf("expanded-huge.pt")),
        /tensor "big" of size \[10000, 10000\] and stride \[0, 0\]: 100000000 elements viewing a storage of 1 \(an expanded or overlapping view\), too large to copy/);
      assert.ok(performance.now() - t0 < 1000, "refused quickly");
    } finally {
      setBackend(prev);
    }
  });

  test(`many views of one storage cannot add up to more than the file's copy budget (${backend})`, () => {
    const prev = setBackend(backend);
    try {
      // A 1 MB bool storage and `n` tensors each viewing all of it, as torch.save writes views
      // (a list of x[:]): the copies would be n MB from a 1 MB file.
      const numel = 1 << 20;
      const file = (n: number) => {
        const w = new PickleWriter();
        w.emptyList();
        w.put();
        w.mark();
        for (let i = 0; i < n; i++) {
          w.global("torch._utils", "_rebuild_tensor_v2");
          w.mark();
          w.mark();
          w.str("storage"); w.global("torch", "BoolStorage"); w.str("0"); w.str("cpu"); w.int(numel);
          w.tuple(5);
          w.binpersid();
          w.int(0); w.int(numel); w.tuple(1); w.int(1); w.tuple(1); w.bool(false);
          w.global("collections", "OrderedDict"); w.tuple(0); w.reduce();
          w.tuple(6);
          w.reduce();
        }
        w.appends();
        return writeZip([{ name: "archive/data.pkl", data: w.finish() }, { name: "archive/data/0", data: new Uint8Array(numel) }], "test");
      };
      const few = loadTorchBytes<Tensor[]>(file(3));
      assert.equal(few.length, 3);
      assert.deepEqual(few[2]!.shape, [numel]);
      assert.notEqual(few[0], few[1]);
      // Budget: 4 elements per byte of the file plus 2^26, counted before anything is copied.
      const t0 = performance.now();
      throwsTE(() => loadTorchBytes(file(100)), /has a tensor of size \[1048576\] that brings the elements of its tensors to more than \d+ \(4 per byte of the file, plus 67108864\): too many to copy/);
      assert.ok(performance.now() - t0 < 1000, "refused before copying");
    } finally {
      setBackend(prev);
    }
  });

  test(`torch.Size values (a tensor's .shape in a dict) load as arrays, as weights_only allows them (${backend})`, () => {
    const prev = setBackend(backend);
    try {
      for (const name of ["size.pt", "size-protocol4.pt"]) {
        const v = loadTorchBytes<TorchDict>(bytesOf(name));
        matches(v, expected[name], name);
        assert.deepEqual(v.shape, [2, 3, 0]);
        assert.deepEqual(v.empty, []);
      }
    } finally {
      setBackend(prev);
    }
  });
}

test("lists nested 1000 levels load; 1001 are refused instead of overflowing the stack", () => {
  let v = loadTorchBytes<unknown[]>(bytesOf("deep-1000.pt"));
  let depth = 1;
  while (Array.isArray(v) && v.length) {
    v = v[0] as unknown[];
    depth++;
  }
  assert.equal(depth, 1000);
  throwsTE(() => loadTorchBytes(bytesOf("deep-1001.pt")), /nests lists, tuples or dicts more than 1000 levels deep \(at "0\.0\.0\.0\.0\.0\.0\.0"…\)/);
  // Writing: the same limit (Python's recursion limit), not a RangeError.
  const nest = (n: number) => {
    let a: unknown[] = [];
    for (let i = 1; i < n; i++) a = [a];
    return a;
  };
  assert.deepEqual(loadTorchBytes(saveTorchBytes(nest(1000))), loadTorchBytes(bytesOf("deep-1000.pt")));
  throwsTE(() => saveTorchBytes(nest(1001)), /^saveTorchBytes: the value at "0\.0\.0\.0\.0\.0\.0\.0"… nests arrays, objects or Maps more than 1000 levels deep/);
  throwsTE(() => saveTorchBytes(nest(5000)), /more than 1000 levels deep/);
});

test("strings with lone surrogates round-trip as Python's pickle writes them (surrogatepass), not as U+FFFD", () => {
  // Written by torch.save: before the fix, "is malformed: the string at byte … is not valid UTF-8".
  const got = loadTorchBytes<TorchDict>(bytesOf("surrogates.pt"));
  matches(got.s, expected["surrogates.pt"].$dict[0][1]);
  assert.deepEqual([...(got.s as string[])[0]!].map((c) => c.charCodeAt(0)), [0x61, 0xd800, 0x62]);
  // Written by Tensile: before the fix the lone surrogate became U+FFFD ("a\uFFFDb" in Python).
  const strs = ["a\uD800b", "\uDC00", "x\uD83D\uDE00y\uDBFF", "plain ✓ 😀"];
  const bytes = saveTorchBytes({ s: strs });
  assert.deepEqual(loadTorchBytes<TorchDict>(bytes).s, strs);
  const has = (pat: number[]) => bytes.some((_, i) => pat.every((b, j) => bytes[i + j] === b));
  assert.ok(has([0x61, 0xed, 0xa0, 0x80, 0x62]), "a\\uD800b is pickled as a, ED A0 80, b");
  assert.ok(!has([0xef, 0xbf, 0xbd]), "no U+FFFD");
  // Bytes that are not even surrogate-pass UTF-8 are still refused.
  const w = new PickleWriter();
  w.str("ab");
  const pkl = w.finish();
  pkl[pkl.indexOf(0x61)] = 0xff; // the 'a' of "ab"
  throwsTE(() => loadTorchBytes(writeZip([{ name: "archive/data.pkl", data: pkl }], "test")), /archive\/data\.pkl is malformed: the string at byte 7 is not valid UTF-8/);
});

test("pickle protocol 1 (text-mode INT and LONG) loads; protocol 0 is refused, naming the protocols read", () => {
  // Before the fix: "unknown or unsupported pickle opcode 0x49 ("I")" for protocol 1's bools.
  const p1 = loadTorchBytes<TorchDict>(bytesOf("protocol1.pt"));
  matches(p1, expected["protocol1.pt"]);
  assert.equal(p1.t, true);
  assert.equal(p1.f, false);
  assert.equal(p1.big, 2n ** 70n);
  // The legacy format at protocol 1 writes its magic number as a text LONG: before the fix, "not a ZIP archive".
  matches(loadTorchBytes(bytesOf("legacy-protocol1.pt")), expected["legacy-protocol1.pt"]);
  throwsTE(() => loadTorchBytes(bytesOf("protocol0.pt")), /unknown or unsupported pickle opcode 0x[0-9a-f]{2} \("."\) at byte \d+, a text-mode opcode of pickle protocol 0: Tensile reads protocols 1 to 5/);
  // A malformed INT line is refused.
  const bad = writeZip([{ name: "archive/data.pkl", data: new Uint8Array([0x49, ...new TextEncoder().encode("12x\n"), 0x2e]) }], "test");
  throwsTE(() => loadTorchBytes(bad), /archive\/data\.pkl is malformed: INT at byte 0 holds "12x", not a decimal integer/);
});

test("a ZIP central-directory entry whose extra field runs past the end is a TensileError, not a RangeError", () => {
  throwsTE(() => loadTorchBytes(bytesOf("zip-bad-extra.pt"), "loadTorch", "m.pt"),
    /^loadTorch: m\.pt is not a valid ZIP archive: central directory entry 2 at byte \d+ \(name, extra field and comment of 65550 bytes\) runs past the end of the file/);
});

for (const backend of BACKENDS) {
  test(`checkpoints: a cycle or nesting the reader refuses is refused when saving (${backend})`, () => {
    const prev = setBackend(backend);
    try {
      const nest = (n: number, leaf: unknown) => {
        let v = leaf;
        for (let i = 0; i < n; i++) v = { a: v };
        return v as Record<string, unknown>;
      };
      // The reader allows JSON 64 levels deep: `extra` itself is level 0.
      const t = tensor([1.5, -2], { dtype: "float64" });
      for (const [n, leaf] of [[64, 7], [63, t], [63, NaN], [64, []]] as const) {
        const back = readCheckpointBytes(saveCheckpointBytes({ extra: nest(n, leaf) })).extra;
        let v: unknown = back;
        for (let i = 0; i < n; i++) v = (v as Record<string, unknown>).a;
        if (leaf instanceof Tensor) assert.deepEqual((v as Tensor).toArray(), [1.5, -2]);
        else assert.deepEqual(v, leaf);
      }
      // One level more: before the fix these saved, then failed to load ("nesting deeper than 64 levels").
      for (const [n, leaf] of [[65, 7], [64, t], [64, NaN], [64, [1]]] as const)
        throwsTE(() => saveCheckpointBytes({ extra: nest(n, leaf) }), /^saveCheckpointBytes: the value at extra(\.a)+ nests more than 64 levels deep/);
      // A cycle: before the fix, "Maximum call stack size exceeded".
      const c: Record<string, unknown> = { x: [1] };
      (c.x as unknown[]).push(c);
      throwsTE(() => saveCheckpointBytes({ extra: c }), /^saveCheckpointBytes: the value at extra\.x\.1 contains itself \(a cycle\)/);
      // Shared (not cyclic) values are fine, and written once per path.
      const s = [1, 2];
      assert.deepEqual(readCheckpointBytes(saveCheckpointBytes({ extra: { p: s, q: s } })).extra, { p: [1, 2], q: [1, 2] });
    } finally {
      setBackend(prev);
    }
  });
}
