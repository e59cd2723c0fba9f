// Round-trip and interop fuzzing of Tensile's file formats against PyTorch 1.13 (see tools/fuzz/README.md).
//
//   node --import tsx tools/fuzz/io-fuzz.mts [--seed 1] [--count 300] [--backend wasm|reference]
//        [--dir /tmp/io-fuzz] [--mutations 6] [--only FILE]
//
// 1. torch → Tensile: runs tools/fuzz/io-fuzz.py gen (Debian's /usr/bin/python3): random torch.save
//    files (every dtype, views sharing storages, shared tensors, Parameters, optimizer state dicts,
//    scalars, the legacy format, pickle protocols 2–5), safetensors files written by hand per the
//    spec (all dtypes, metadata, padding, empty tensors) and hostile files; loads each with
//    loadTorchBytes / parseSafetensors and compares with Python's description, or requires the
//    TensileError it names.
// 2. Mutations: each file truncated, with bytes flipped or words overwritten, and (for ZIPs) its
//    data.pkl mutated with the CRC fixed; every load must return or throw a TensileError, in < 2 s.
// 3. Tensile → torch: random JS structures through saveTorchBytes and state dicts through saveBytes,
//    checked by `io-fuzz.py check` (torch.load with weights_only False and True; a strict hand-written
//    safetensors reader), and re-read by Tensile itself.
// Prints one line per problem (class, file, detail) and a summary; exit code 1 if any.
import fs from "node:fs";
import path from "node:path";
import { execFileSync } from "node:child_process";
import * as TS from "../../src/index.js";
import { TensileError, Tensor } from "../../src/core.js";
import { loadTorchBytes, saveTorchBytes, parseSafetensors, saveBytes, saveCheckpointBytes, readCheckpointBytes } from "../../src/io/index.js";
import { readZip, writeZip } from "../../src/io/zip.js";

const { tensor, setBackend } = TS as any;
const argv = process.argv.slice(2);
const opt = (k: string, d: string) => {
  const i = argv.indexOf(k);
  return i >= 0 ? argv[i + 1]! : d;
};
const seed = Number(opt("--seed", "1"));
const count = Number(opt("--count", "300"));
const backend = opt("--backend", "wasm");
const dir = opt("--dir", "/tmp/io-fuzz");
const nMut = Number(opt("--mutations", "6"));
const only = opt("--only", "");
setBackend(backend);
const here = path.dirname(new URL(import.meta.url).pathname);
const py = path.join(here, "io-fuzz.py");

const problems: string[] = [];
const report = (cls: string, file: string, detail: string) => {
  const line = `${cls}\t${file}\t${detail.slice(0, 400)}`;
  problems.push(line);
  console.log(line);
};
const counts: Record<string, number> = {};
const bump = (k: string) => (counts[k] = (counts[k] ?? 0) + 1);

// ------------------------------------------------------------------ comparing with descriptions
const num = (v: unknown): number => (v === "nan" ? NaN : v === "inf" ? Infinity : v === "-inf" ? -Infinity : v === "-0" ? -0 : (v as number));

function cmpTensor(t: unknown, d: any, at: string, ids: Map<number, unknown>): string | null {
  if (!(t instanceof Tensor)) return `${at}: expected a tensor, got ${typeof t}`;
  if (t.dtype !== d.dtype) return `${at}: dtype ${t.dtype} vs ${d.dtype}`;
  if (JSON.stringify(t.shape) !== JSON.stringify(d.shape)) return `${at}: shape ${JSON.stringify(t.shape)} vs ${JSON.stringify(d.shape)}`;
  const data = t.dataSync();
  if (data.length !== d.data.length) return `${at}: ${data.length} elements vs ${d.data.length}`;
  for (let i = 0; i < data.length; i++) {
    const want = typeof d.data[i] === "boolean" ? Number(d.data[i]) : num(d.data[i]);
    if (!Object.is(data[i], want) && !(Number.isNaN(data[i]) && Number.isNaN(want))) return `${at}[${i}]: ${data[i]} vs ${want}`;
  }
  if (d.id !== undefined) {
    const seen = ids.get(d.id);
    if (seen !== undefined && seen !== t) return `${at}: should be the same tensor object as another (id ${d.id})`;
    for (const [k, v] of ids) if (v === t && k !== d.id) return `${at}: is the same object as tensor id ${k}, but torch has two tensors`;
    ids.set(d.id, t);
  }
  return null;
}

function match(actual: unknown, d: any, at: string, ids: Map<number, unknown>): string | null {
  if (d === null || typeof d === "string" || typeof d === "boolean") return actual === d ? null : `${at}: ${String(actual)} vs ${JSON.stringify(d)}`;
  if ("$tensor" in d) return cmpTensor(actual, d.$tensor, at, ids);
  if ("$int" in d) {
    const v = BigInt(d.$int);
    const safe = v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER);
    return actual === (safe ? Number(v) : v) ? null : `${at}: ${String(actual)} vs int ${d.$int}`;
  }
  if ("$float" in d) return Object.is(actual, num(d.$float)) ? null : `${at}: ${String(actual)} vs float ${d.$float}`;
  if ("$bytes" in d) return actual instanceof Uint8Array && JSON.stringify([...actual]) === JSON.stringify(d.$bytes) ? null : `${at}: bytes differ`;
  if ("$list" in d || "$tuple" in d) {
    const items = d.$list ?? d.$tuple;
    if (!Array.isArray(actual)) return `${at}: expected an array`;
    if (actual.length !== items.length) return `${at}: length ${actual.length} vs ${items.length}`;
    for (let i = 0; i < items.length; i++) {
      const e = match(actual[i], items[i], `${at}[${i}]`, ids);
      if (e) return e;
    }
    return null;
  }
  if ("$dict" in d) {
    const entries = d.$dict as [any, any][];
    const name = (k: any) => (typeof k === "string" ? k : k && typeof k === "object" && "$int" in k ? String(BigInt(k.$int)) : null);
    const names = entries.map(([k]) => name(k));
    const plain = names.every((n) => n !== null) && new Set(names).size === names.length;
    if (actual instanceof Map) {
      if (plain) return `${at}: a Map, but every key is a str or int`;
      const got = [...actual.entries()];
      if (got.length !== entries.length) return `${at}: ${got.length} entries vs ${entries.length}`;
      for (let i = 0; i < got.length; i++) {
        const e = match(got[i]![0], entries[i]![0], `${at}<key ${i}>`, ids) ?? match(got[i]![1], entries[i]![1], `${at}<value ${i}>`, ids);
        if (e) return e;
      }
      return null;
    }
    if (!plain) return `${at}: expected a Map (keys ${JSON.stringify(entries.map(([k]) => k))})`;
    if (typeof actual !== "object" || actual === null || Array.isArray(actual)) return `${at}: expected an object`;
    const keys = Object.keys(actual);
    if (JSON.stringify([...keys].sort()) !== JSON.stringify([...(names as string[])].sort())) return `${at}: keys ${JSON.stringify(keys)} vs ${JSON.stringify(names)}`;
    for (let i = 0; i < entries.length; i++) {
      const e = match((actual as any)[names[i]!], entries[i]![1], `${at}.${names[i]}`, ids);
      if (e) return e;
    }
    return null;
  }
  return `${at}: unknown description ${JSON.stringify(d).slice(0, 80)}`;
}

/** Runs `fn`, classifying what it throws. */
function attempt<T>(fn: () => T): { ok: true; value: T; ms: number } | { ok: false; err: unknown; ms: number } {
  const t0 = performance.now();
  try {
    const value = fn();
    return { ok: true, value, ms: performance.now() - t0 };
  } catch (err) {
    return { ok: false, err, ms: performance.now() - t0 };
  }
}
const load = (kind: string, bytes: Uint8Array) => (kind === "st" ? parseSafetensors(bytes) : loadTorchBytes(bytes));

// ------------------------------------------------------------------ 1. torch → Tensile
fs.mkdirSync(dir, { recursive: true });
if (!fs.existsSync(path.join(dir, "cases.json"))) execFileSync("/usr/bin/python3", [py, "gen", String(seed), String(count), dir], { stdio: "inherit" });
const cases = JSON.parse(fs.readFileSync(path.join(dir, "cases.json"), "utf8")) as any[];
const loaded: { kind: string; bytes: Uint8Array; file: string }[] = [];
for (const c of cases) {
  if (only && c.file !== only) continue;
  const bytes = new Uint8Array(fs.readFileSync(path.join(dir, c.file)));
  const r = attempt(() => load(c.kind, bytes));
  bump(`read.${c.kind}`);
  if (r.ms > 2000) report("SLOW", c.file, `${r.ms.toFixed(0)} ms`);
  if (c.error) {
    const wanted: string[] = Array.isArray(c.error) ? c.error : [c.error];
    if (r.ok) report("MISSING_ERROR", c.file, `loaded, but should be refused for: ${wanted.join(" / ")}`);
    else if (!(r.err instanceof TensileError)) report("CRASH", c.file, String((r.err as Error)?.stack ?? r.err));
    else if (!wanted.some((w) => (r.err as Error).message.includes(w))) report("UNCLEAR_ERROR", c.file, `wanted ${wanted.join(" / ")}: ${(r.err as Error).message}`);
    else bump("refused-as-expected");
  } else if (!r.ok) {
    report(r.err instanceof TensileError ? "SPURIOUS_ERROR" : "CRASH", c.file, String((r.err as Error)?.message ?? r.err));
  } else {
    const ids = new Map<number, unknown>();
    const e = c.kind === "st"
      ? (() => {
        const got = r.value as ReturnType<typeof parseSafetensors>;
        const want = c.expect;
        if (JSON.stringify(Object.keys(got.tensors).sort()) !== JSON.stringify(Object.keys(want.tensors).sort())) return `keys ${Object.keys(got.tensors)} vs ${Object.keys(want.tensors)}`;
        if (JSON.stringify(got.metadata) !== JSON.stringify(want.metadata ?? null)) return `metadata ${JSON.stringify(got.metadata)} vs ${JSON.stringify(want.metadata)}`;
        for (const k of Object.keys(want.tensors)) {
          const e2 = cmpTensor(got.tensors[k], want.tensors[k], k, ids);
          if (e2) return e2;
        }
        return null;
      })()
      : match(r.value, c.expect, "top", ids);
    if (e) report("WRONG_VALUE", c.file, e);
    else bump("matched");
  }
  loaded.push({ kind: c.kind, bytes, file: c.file });
}

// ------------------------------------------------------------------ 2. mutations
let rs = seed * 7919 + 1;
const rand = () => ((rs = (Math.imul(rs, 1103515245) + 12345) >>> 0), rs / 2 ** 32);
const ri = (n: number) => Math.floor(rand() * n);
function mutate(b: Uint8Array): Uint8Array {
  const m = b.slice();
  const k = ri(5);
  if (k === 0) return b.slice(0, ri(b.length));
  if (k === 1) for (let i = 0, n = 1 + ri(4); i < n; i++) m[ri(m.length)] = ri(256);
  if (k === 2 && m.length >= 4) {
    const at = ri(m.length - 3);
    new DataView(m.buffer).setUint32(at, [0xffffffff, 0x7fffffff, 0x80000000, ri(2 ** 32), 0][ri(5)]!, true);
  }
  if (k === 3) {
    const at = ri(m.length + 1);
    const ins = Uint8Array.from({ length: 1 + ri(8) }, () => ri(256));
    const out = new Uint8Array(m.length + ins.length);
    out.set(m.subarray(0, at)); out.set(ins, at); out.set(m.subarray(at), at + ins.length);
    return out;
  }
  if (k === 4 && m.length) m[ri(m.length)]! ^= 1 << ri(8);
  return m;
}
function mutatePickle(b: Uint8Array): Uint8Array | null {
  try {
    const entries = readZip(b, (msg) => { throw new Error(msg); }).map((e) => ({ name: e.name, data: e.data }));
    const pkl = entries.find((e) => e.name.endsWith("data.pkl"));
    if (!pkl) return null;
    pkl.data = mutate(pkl.data);
    return writeZip(entries, "fuzz");
  } catch {
    return null;
  }
}
for (const { kind, bytes, file } of loaded) {
  if (file.startsWith("bad-") && bytes.length > 100000) continue;
  for (let j = 0; j < nMut; j++) {
    const m = kind === "pt" && j % 2 && bytes[0] === 0x50 ? mutatePickle(bytes) : mutate(bytes);
    if (!m) continue;
    const r = attempt(() => {
      const v = load(kind, m) as any;
      if (kind === "pt") JSON.stringify(v, (_k, x) => (x instanceof Tensor ? x.dataSync().length : typeof x === "bigint" ? String(x) : x));
      return v;
    });
    bump("mutations");
    if (r.ms > 2000) report("SLOW", `${file}~${j}`, `${r.ms.toFixed(0)} ms`);
    if (!r.ok && !(r.err instanceof TensileError)) {
      const tag = `${file}~${j}`;
      fs.writeFileSync(path.join(dir, `crash-${tag}`), m);
      report("CRASH_ON_BAD_INPUT", tag, String((r.err as Error)?.message ?? r.err));
    } else bump(r.ok ? "mutations.loaded" : "mutations.refused");
  }
}

// ------------------------------------------------------------------ 3. Tensile → torch
const pick = <T,>(xs: readonly T[]): T => xs[ri(xs.length)]!;
const DT = ["float32", "float64", "int32", "bool"] as const;
function jsTensor(): Tensor {
  const dtype = pick(DT);
  const nd = pick([0, 1, 1, 2, 2, 3]);
  const shape = Array.from({ length: nd }, () => (rand() < 0.1 ? 0 : 1 + ri(5)));
  if (rand() < 0.03) shape.splice(0, shape.length, 2000 + ri(5000));
  const n = shape.reduce((a, b) => a * b, 1);
  const vals = Array.from({ length: n }, () => {
    if (dtype === "bool") return rand() < 0.5 ? 1 : 0;
    if (dtype === "int32") return pick([0, -1, 2147483647, -2147483648, ri(2 ** 32) - 2 ** 31]);
    return rand() < 0.05 ? pick([NaN, Infinity, -Infinity, -0, 1e-40, 3.4e38]) : (rand() - 0.5) * 10 ** ri(6);
  });
  let t: any = tensor(vals, { shape, dtype });
  if (t.shape.length >= 2 && rand() < 0.3) t = t.transpose(0, t.shape.length - 1);
  if (t.shape.length >= 1 && rand() < 0.2 && t.shape[0] > 1) t = t.narrow(0, 1, t.shape[0] - 1);
  return t;
}
function describeJs(v: unknown, ids: Map<Tensor, number>, path: unknown[], shared: unknown[][][], first: Map<Tensor, unknown[]>, flags: { float: boolean }): unknown {
  if (v instanceof Tensor) {
    if (!ids.has(v)) { ids.set(v, ids.size); first.set(v, path); } else shared.push([first.get(v)!, path]);
    const data = [...(v.dataSync() as any)].map((x: number) => (v.dtype === "bool" ? x !== 0 : Number.isNaN(x) ? "nan" : x === Infinity ? "inf" : x === -Infinity ? "-inf" : Object.is(x, -0) ? "-0" : x));
    return { $tensor: { dtype: v.dtype, shape: v.shape, data, id: ids.get(v) } };
  }
  if (v === null || typeof v === "string" || typeof v === "boolean") return v;
  if (typeof v === "bigint") return { $int: String(v) };
  if (typeof v === "number") {
    if (Number.isSafeInteger(v) && !Object.is(v, -0)) return { $int: String(v) };
    flags.float = true;
    return { $float: Number.isNaN(v) ? "nan" : v === Infinity ? "inf" : v === -Infinity ? "-inf" : Object.is(v, -0) ? "-0" : v };
  }
  if (Array.isArray(v)) return { $list: v.map((x, i) => describeJs(x, ids, [...path, i], shared, first, flags)) };
  const entries: [unknown, unknown][] = v instanceof Map ? [...v.entries()] : Object.entries(v as object);
  const key = (k: unknown) => (typeof k === "string" && !(v instanceof Map) && /^(0|[1-9][0-9]{0,15})$/.test(k) ? { $int: k } : typeof k === "number" || typeof k === "bigint" ? { $int: String(k) } : k);
  // Paths for io-fuzz.py's identity check: Map keys keep their type ({"$map": k}), object keys are strings.
  const step = (k: unknown) => (v instanceof Map ? { $map: typeof k === "bigint" ? Number(k) : k } : k);
  return { $dict: entries.map(([k, x]) => [key(k), describeJs(x, ids, [...path, step(k)], shared, first, flags)]) };
}
function jsValue(depth: number, pool: Tensor[]): unknown {
  const x = rand();
  if (depth >= 3 || x < 0.35) {
    if (pool.length && rand() < 0.15) return pick(pool);
    const t = jsTensor();
    pool.push(t);
    return t;
  }
  if (x < 0.55) return pick<unknown>([null, true, false, ri(1000) - 500, 2 ** 53 + 2, -(2 ** 40), 0.5, -0, NaN, Infinity, -Infinity, 1e300,
    12345678901234567890n, -(2n ** 70n), "", "héllo ✓ 😀", "lone \uDC00", "x".repeat(ri(400)), 3.25]);
  if (x < 0.75) {
    const o: Record<string, unknown> = {};
    for (let i = 0, n = ri(5); i < n; i++)
      Object.defineProperty(o, pick(["w", "bias", "0", "12", "__proto__", "ü", "", "1.weight", "k" + ri(50)]), { value: jsValue(depth + 1, pool), enumerable: true, writable: true, configurable: true });
    return o;
  }
  if (x < 0.85) {
    const m = new Map<unknown, unknown>();
    const used = new Set<string>();
    for (let i = 0, n = ri(4); i < n; i++) {
      const k = pick<unknown>([0, 1, 2, 7, -3, 2 ** 40, true, false, "a", "0", 5n]);
      const id = typeof k === "string" ? "s" + k : "n" + String(typeof k === "boolean" ? Number(k) : k);
      if (used.has(id)) continue;
      used.add(id);
      m.set(k, jsValue(depth + 1, pool));
    }
    return m;
  }
  return Array.from({ length: ri(4) }, () => jsValue(depth + 1, pool));
}
const written: any[] = [];
for (let i = 0; i < count; i++) {
  const pool: Tensor[] = [];
  const obj = rand() < 0.3 ? Object.fromEntries(Array.from({ length: 1 + ri(5) }, (_, j) => [`layers.${j}.weight`, jsTensor()])) : { model: jsValue(1, pool), extra: jsValue(0, pool), epoch: ri(100) };
  const flags = { float: false };
  const shared: unknown[][][] = [];
  const expect = describeJs(obj, new Map(), [], shared, new Map(), flags);
  const r = attempt(() => saveTorchBytes(obj));
  bump("write.pt");
  if (!r.ok) { report("SAVE_FAILED", `tw-${i}.pt`, String((r.err as Error)?.message)); continue; }
  fs.writeFileSync(path.join(dir, `tw-${i}.pt`), r.value);
  written.push({ file: `tw-${i}.pt`, kind: "pt", expect, shared, has_float: flags.float });
  const back = attempt(() => loadTorchBytes(r.value));
  if (!back.ok) report("SELF_READ_FAILED", `tw-${i}.pt`, String((back.err as Error)?.message));
  else {
    const e = match(back.value, expect, "top", new Map());
    if (e) report("SELF_ROUNDTRIP", `tw-${i}.pt`, e);
  }

  const sd: Record<string, Tensor> = {};
  for (let j = 0, n = ri(7); j < n; j++) Object.defineProperty(sd, pick(["a", "b.weight", "ü✓", "__proto__", "0", "layer." + ri(30), "x".repeat(1 + ri(30))]), { value: jsTensor(), enumerable: true, writable: true, configurable: true });
  const metadata = rand() < 0.5 ? Object.fromEntries(Array.from({ length: ri(3) }, () => [pick(["format", "ü", "k" + ri(9)]), pick(["pt", "", "✓ \"q\""])])) : undefined;
  const st = attempt(() => saveBytes(sd, { metadata }));
  bump("write.st");
  if (!st.ok) { report("SAVE_FAILED", `tw-${i}.safetensors`, String((st.err as Error)?.message)); continue; }
  fs.writeFileSync(path.join(dir, `tw-${i}.safetensors`), st.value);
  const tensors = Object.fromEntries(Object.entries(sd).map(([k, t]) => [k, (describeJs(t, new Map(), [], [], new Map(), flags) as any).$tensor]));
  written.push({ file: `tw-${i}.safetensors`, kind: "st", expect: { tensors, metadata: metadata ?? null } });
  const sback = attempt(() => parseSafetensors(st.value));
  if (!sback.ok) report("SELF_READ_FAILED", `tw-${i}.safetensors`, String((sback.err as Error)?.message));
  else for (const k of Object.keys(sd)) {
    const e = cmpTensor(sback.value.tensors[k], { ...tensors[k], id: undefined }, k, new Map());
    if (e) report("SELF_ROUNDTRIP", `tw-${i}.safetensors`, e);
  }
}
// ------------------------------------------------------------------ 4. checkpoints (Tensile → Tensile)
function sameJs(a: unknown, b: unknown, at: string): string | null {
  if (b instanceof Tensor) {
    const d = describeJs(b, new Map(), [], [], new Map(), { float: false }) as any;
    return cmpTensor(a, { ...d.$tensor, id: undefined }, at, new Map());
  }
  if (typeof b === "number") return Object.is(a, b) ? null : `${at}: ${String(a)} vs ${b}`;
  if (b === null || typeof b !== "object") return a === b ? null : `${at}: ${String(a)} vs ${String(b)}`;
  if (Array.isArray(b)) {
    if (!Array.isArray(a) || a.length !== b.length) return `${at}: array length`;
    for (let i = 0; i < b.length; i++) { const e = sameJs(a[i], b[i], `${at}[${i}]`); if (e) return e; }
    return null;
  }
  const ka = Object.keys(a as object), kb = Object.keys(b);
  if (JSON.stringify(ka) !== JSON.stringify(kb)) return `${at}: keys ${JSON.stringify(ka)} vs ${JSON.stringify(kb)}`;
  for (const k of kb) { const e = sameJs((a as any)[k], (b as any)[k], `${at}.${k}`); if (e) return e; }
  return null;
}
function jsonish(depth: number, tag: string): unknown {
  const x = rand();
  if (depth >= 4 || x < 0.3) return rand() < 0.4 ? jsTensor() : pick<unknown>([null, true, 0, -0, NaN, Infinity, -Infinity, 1.5e-300, 2 ** 60, "", "s✓", "$tensor"]);
  if (x < 0.6) return Array.from({ length: ri(4) }, (_, i) => jsonish(depth + 1, `${tag}${i}`));
  const o: Record<string, unknown> = {};
  for (let i = 0, n = ri(4); i < n; i++) Object.defineProperty(o, pick(["a", "0", "b.c", "__proto__", "ü", "", tag + i]), { value: jsonish(depth + 1, `${tag}${i}`), enumerable: true, writable: true, configurable: true });
  return o;
}
for (let i = 0; i < count; i++) {
  const extra = jsonish(0, "k") as any;
  const contents = { epoch: pick([0, 3, NaN, undefined]), extra: extra && typeof extra === "object" && !Array.isArray(extra) && !(extra instanceof Tensor) ? extra : { v: extra } };
  bump("checkpoint");
  const w = attempt(() => saveCheckpointBytes(contents));
  if (!w.ok) {
    if (!(w.err instanceof TensileError)) report("CRASH", `ckpt-${i}`, String((w.err as Error)?.message));
    else bump("checkpoint.refused"); // e.g. "b.c" next to {b: {c: tensor}}: two tensors one key
    continue;
  }
  const r = attempt(() => readCheckpointBytes(w.value));
  if (!r.ok) { report("CKPT_UNREADABLE", `ckpt-${i}`, String((r.err as Error)?.message)); continue; }
  const e = sameJs(r.value.extra, contents.extra, "extra") ?? sameJs(r.value.epoch, contents.epoch ?? null, "epoch");
  if (e) report("CKPT_ROUNDTRIP", `ckpt-${i}`, e);
  for (let j = 0; j < Math.min(nMut, 3); j++) {
    const m = attempt(() => readCheckpointBytes(mutate(w.value)));
    bump("mutations");
    if (!m.ok && !(m.err instanceof TensileError)) report("CRASH_ON_BAD_INPUT", `ckpt-${i}~${j}`, String((m.err as Error)?.message));
  }
}

fs.writeFileSync(path.join(dir, "written.json"), JSON.stringify(written));
const out = JSON.parse(execFileSync("/usr/bin/python3", [py, "check", dir], { encoding: "utf8", maxBuffer: 1 << 28 }).trim().split("\n").pop()!);
for (const d of out.diffs as string[]) report("TORCH_SIDE", d.split(":")[0]!, d);
Object.assign(counts, Object.fromEntries(Object.entries(out.counts).map(([k, v]) => [`torch.${k}`, v])));
console.log(`backend ${backend}, seed ${seed}: ${JSON.stringify(counts)}; ${problems.length} problems`);
process.exit(problems.length ? 1 : 0);
