/**
 * The safetensors format (https://github.com/huggingface/safetensors), read and written from bytes.
 * Isomorphic: nothing here touches a file system (see `node.ts` for `save` / `load`).
 *
 * Layout: an 8-byte little-endian u64 `N`, then `N` bytes of UTF-8 JSON (padded with spaces to a
 * multiple of 8) `{"__metadata__": {str: str}, name: {"dtype", "shape", "data_offsets": [begin, end]}}`,
 * then the little-endian, C-ordered tensor bytes; offsets count from the start of that buffer and
 * the tensors tile it exactly, without gaps or overlap.
 */
import { Tensor, tensor } from "../core.js";
import type { DType, TypedArray } from "../core.js";
import { TensileError, fmtShape } from "../errors.js";
import { isJsonObject, parseJsonStrict } from "./json.js";

/** A state dict as `Module.stateDict()` returns it, or a `Map` of the same. */
export type StateDictLike = Map<string, Tensor> | Readonly<Record<string, Tensor>>;

export interface SaveBytesOptions {
  /** Free-form `__metadata__` (string to string), e.g. `{ format: "pt" }`. */
  metadata?: Readonly<Record<string, string>>;
}

/** Bytes to read: a `Uint8Array` (a Node `Buffer` included), any other typed-array view, or an `ArrayBuffer`. */
export type BytesLike = ArrayBufferView | ArrayBuffer;

/** A file's tensors (in the order of their data in the file) and its `__metadata__` (null if absent). */
export interface SafetensorsContents {
  tensors: Record<string, Tensor>;
  metadata: Record<string, string> | null;
}

/**
 * The safetensors dtypes, in the order of the `Dtype` enum of the reference implementation
 * (increasing alignment); files are written in descending order of this rank, then by name.
 */
const DTYPE_BYTES = {
  BOOL: 1, U8: 1, I8: 1, F8_E5M2: 1, F8_E4M3: 1, I16: 2, U16: 2, F16: 2, BF16: 2,
  I32: 4, U32: 4, F32: 4, F64: 8, I64: 8, U64: 8,
} as const;
export type SafetensorsDType = keyof typeof DTYPE_BYTES;
const DTYPE_RANK = new Map(Object.keys(DTYPE_BYTES).map((d, i) => [d, i]));

const TO_FILE: Record<DType, SafetensorsDType> = { float32: "F32", float64: "F64", int32: "I32", bool: "BOOL" };

/** The Tensile dtype a safetensors dtype loads as. */
export const LOADED_AS: Record<SafetensorsDType, DType> = {
  BOOL: "bool", U8: "int32", I8: "int32", I16: "int32", U16: "int32", I32: "int32", U32: "int32",
  I64: "int32", U64: "int32", F8_E5M2: "float32", F8_E4M3: "float32", F16: "float32", BF16: "float32",
  F32: "float32", F64: "float64",
};

const MAX_HEADER_BYTES = 100_000_000; // as the reference implementation
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
const utf8 = new TextEncoder();

/** `obj[key] = value` as an own data property, even for the key "__proto__". */
export function setOwn<T>(obj: Record<string, T>, key: string, value: T): void {
  Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
}

function compareUtf8(a: string, b: string): number {
  const x = utf8.encode(a), y = utf8.encode(b);
  const n = Math.min(x.length, y.length);
  for (let i = 0; i < n; i++) if (x[i] !== y[i]) return x[i]! - y[i]!;
  return x.length - y.length;
}

/** Reverses each `width`-byte group in place (host ↔ little-endian on a big-endian host). */
function swapBytes(b: Uint8Array, width: number): void {
  if (width === 1) return;
  for (let i = 0; i < b.length; i += width) b.subarray(i, i + width).reverse();
}

/** The entries of a state dict, checked: string keys, Tensor values. */
export function stateDictEntries(op: string, sd: unknown): [string, Tensor][] {
  let entries: [unknown, unknown][];
  if (sd instanceof Map) entries = [...sd.entries()];
  else if (typeof sd === "object" && sd !== null && !Array.isArray(sd) && !(sd instanceof Tensor)) entries = Object.entries(sd);
  else throw new TensileError(`${op}: expected a state dict (a Map or a plain object of name → Tensor), got ${describe(sd)}`);
  for (const [k, v] of entries) {
    if (typeof k !== "string") throw new TensileError(`${op}: state dict keys must be strings, got ${describe(k)}`);
    if (!(v instanceof Tensor)) throw new TensileError(`${op}: state dict entry "${k}" is ${describe(v)}, not a Tensor`);
  }
  return entries as [string, Tensor][];
}

function describe(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "an array";
  if (v instanceof Tensor) return `a Tensor of shape ${fmtShape(v.shape)}`;
  if (typeof v === "object") return `an object (${v.constructor?.name ?? "no prototype"})`;
  return `${typeof v} ${String(v)}`;
}

/**
 * Serialises a state dict to safetensors bytes. Tensors are written as contiguous copies of their
 * data (`dataSync()`), sorted as the reference implementation sorts them (by dtype alignment,
 * largest first, then by name in UTF-8 byte order), so the bytes equal those of Python's
 * `safetensors.torch.save_file` for the same tensors and at most one metadata entry (Python
 * writes several metadata entries in hash order; Tensile sorts them by key).
 */
export function saveBytes(stateDict: StateDictLike, options: SaveBytesOptions = {}, op = "saveBytes"): Uint8Array {
  options ??= {};
  const entries = stateDictEntries(op, stateDict);
  const seen = new Set<string>();
  for (const [k] of entries) {
    if (k === "__metadata__") throw new TensileError(`${op}: "__metadata__" is reserved by the format and cannot name a tensor`);
    if (seen.has(k)) throw new TensileError(`${op}: duplicate key "${k}"`);
    seen.add(k);
  }
  const metadata = options.metadata;
  if (metadata !== undefined) {
    if (typeof metadata !== "object" || metadata === null || Array.isArray(metadata))
      throw new TensileError(`${op}: metadata must be an object of string → string, got ${describe(metadata)}`);
    for (const [k, v] of Object.entries(metadata))
      if (typeof v !== "string") throw new TensileError(`${op}: metadata["${k}"] must be a string, got ${describe(v)}`);
  }
  const items = entries.map(([name, t]) => ({ name, t, dtype: TO_FILE[t.dtype] }));
  items.sort((a, b) => DTYPE_RANK.get(b.dtype)! - DTYPE_RANK.get(a.dtype)! || compareUtf8(a.name, b.name));

  const parts: string[] = [];
  if (metadata !== undefined) {
    const keys = Object.keys(metadata).sort(compareUtf8);
    parts.push(`"__metadata__":{${keys.map((k) => `${JSON.stringify(k)}:${JSON.stringify(metadata[k])}`).join(",")}}`);
  }
  const datas: Uint8Array[] = [];
  let offset = 0;
  for (const { name, t, dtype } of items) {
    const a = t.dataSync();
    let bytes = new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
    if (dtype === "BOOL") bytes = bytes.map((x) => (x ? 1 : 0));
    else if (!LITTLE_ENDIAN) {
      bytes = bytes.slice();
      swapBytes(bytes, DTYPE_BYTES[dtype]);
    }
    datas.push(bytes);
    parts.push(`${JSON.stringify(name)}:{"dtype":"${dtype}","shape":[${t.shape.join(",")}],"data_offsets":[${offset},${offset + bytes.length}]}`);
    offset += bytes.length;
  }
  let header = utf8.encode(`{${parts.join(",")}}`);
  const pad = (8 - (header.length % 8)) % 8;
  if (pad) {
    const padded = new Uint8Array(header.length + pad).fill(0x20);
    padded.set(header);
    header = padded;
  }
  const out = new Uint8Array(8 + header.length + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(header.length), true);
  out.set(header, 8);
  let at = 8 + header.length;
  for (const d of datas) {
    out.set(d, at);
    at += d.length;
  }
  return out;
}

/** Reads safetensors bytes into a state dict (keys in file order). See `parseSafetensors`. */
export function loadBytes(bytes: BytesLike): Record<string, Tensor> {
  return parseSafetensors(bytes).tensors;
}

interface Entry {
  name: string;
  dtype: SafetensorsDType;
  shape: number[];
  begin: number;
  end: number;
}

/**
 * Parses and validates safetensors bytes, returning tensors and `__metadata__`.
 *
 * Loaded dtypes: F32, F64, I32 and BOOL as themselves; F16, BF16, F8_E5M2, F8_E4M3 widened to
 * float32; I64 (PyTorch's default integer), U64, U32, I16, U16, I8, U8 as int32, where a value
 * outside the int32 range is an error. `op` and `source` name the call and the file in errors.
 */
export function parseSafetensors(input: BytesLike, op = "loadBytes", source = "the data"): SafetensorsContents {
  let bytes: Uint8Array;
  if (input instanceof ArrayBuffer) bytes = new Uint8Array(input);
  else if (ArrayBuffer.isView(input)) bytes = new Uint8Array(input.buffer, input.byteOffset, input.byteLength);
  else throw new TensileError(`${op}: expected a Uint8Array or ArrayBuffer, got ${describe(input)}`);
  const fail = (msg: string): never => {
    throw new TensileError(`${op}: ${source} ${msg}`);
  };
  const size = bytes.length;
  if (size < 8) fail(`is not a safetensors file: it has ${size} bytes, fewer than the 8 of the header length`);
  const n64 = new DataView(bytes.buffer, bytes.byteOffset, 8).getBigUint64(0, true);
  if (n64 > BigInt(MAX_HEADER_BYTES))
    fail(`is not a safetensors file: its first 8 bytes give a header length of ${n64} bytes (the limit is ${MAX_HEADER_BYTES})`);
  const n = Number(n64);
  if (8 + n > size)
    fail(`is truncated or not a safetensors file: the header length is ${n} bytes but the file has only ${size - 8} bytes after the 8-byte length`);
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(bytes.subarray(8, 8 + n));
  } catch {
    return fail(`has a header that is not valid UTF-8`);
  }
  if (!text.trimStart().startsWith("{")) fail(`has a header that is not a JSON object (it starts with ${JSON.stringify(text.slice(0, 16))})`);
  const header = parseJsonStrict(text, `${op}: ${source}: header`);
  if (!isJsonObject(header)) return fail(`has a header that is not a JSON object`);

  let metadata: Record<string, string> | null = null;
  const entries: Entry[] = [];
  for (const [name, info] of Object.entries(header)) {
    if (name === "__metadata__") {
      if (!isJsonObject(info)) fail(`has "__metadata__" that is not an object of string → string`);
      metadata = {};
      for (const [k, v] of Object.entries(info as object)) {
        if (typeof v !== "string") fail(`has "__metadata__"["${k}"] = ${JSON.stringify(v)}, not a string`);
        setOwn(metadata!, k, v as string);
      }
      continue;
    }
    const bad = (what: string): never => fail(`has a bad header entry for tensor "${name}": ${what}`);
    if (!isJsonObject(info)) bad(`expected {dtype, shape, data_offsets}, got ${JSON.stringify(info)}`);
    const { dtype, shape, data_offsets: offs } = info as Record<string, unknown>;
    if (typeof dtype !== "string" || !(dtype in DTYPE_BYTES))
      bad(`unknown dtype ${JSON.stringify(dtype)} (known: ${Object.keys(DTYPE_BYTES).join(", ")})`);
    if (!Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && (d as number) >= 0))
      bad(`shape must be an array of non-negative integers, got ${JSON.stringify(shape)}`);
    if (!Array.isArray(offs) || offs.length !== 2 || !offs.every((d) => Number.isSafeInteger(d) && (d as number) >= 0))
      bad(`data_offsets must be [begin, end] with non-negative integers, got ${JSON.stringify(offs)}`);
    const [begin, end] = offs as [number, number];
    if (end < begin) bad(`data_offsets [${begin}, ${end}] end before they begin`);
    const numel = (shape as number[]).reduce((a, d) => a * d, 1);
    const need = numel * DTYPE_BYTES[dtype as SafetensorsDType];
    if (!Number.isSafeInteger(need)) bad(`shape ${fmtShape(shape as number[])} is too large`);
    if (end - begin !== need)
      bad(`data_offsets [${begin}, ${end}] span ${end - begin} bytes but shape ${fmtShape(shape as number[])} of ${dtype} needs ${need}`);
    entries.push({ name, dtype: dtype as SafetensorsDType, shape: shape as number[], begin, end });
  }

  // The tensors must tile the data buffer: sorted by offset, each begins where the previous ends.
  entries.sort((a, b) => a.begin - b.begin || a.end - b.end);
  let expected = 0;
  let prev: Entry | null = null;
  for (const e of entries) {
    if (e.begin > expected)
      fail(`has a gap in its data: ${prev ? `tensor "${prev.name}" ends at offset ${expected}` : "the data starts at offset 0"} but the next tensor, "${e.name}", begins at ${e.begin}`);
    if (e.begin < expected)
      fail(`has overlapping tensors: "${e.name}" (data_offsets [${e.begin}, ${e.end}]) overlaps "${prev!.name}" (data_offsets [${prev!.begin}, ${prev!.end}])`);
    expected = e.end;
    prev = e;
  }
  const dataStart = 8 + n;
  if (dataStart + expected > size)
    fail(`is truncated: header says tensor "${prev!.name}" ends at byte ${dataStart + expected} but the file has ${size} bytes`);
  if (dataStart + expected < size)
    fail(`has ${size - dataStart - expected} unexpected bytes after the end of the last tensor's data (byte ${dataStart + expected}; the file has ${size})`);

  const tensors: Record<string, Tensor> = {};
  for (const e of entries) {
    // A fresh, aligned copy (not `slice`, which on a Node Buffer is a view into a shared pool).
    const raw = new Uint8Array(e.end - e.begin);
    raw.set(bytes.subarray(dataStart + e.begin, dataStart + e.end));
    setOwn(tensors, e.name, tensor(decode(op, source, e, raw), { shape: e.shape, dtype: LOADED_AS[e.dtype] }));
  }
  return { tensors, metadata };
}

/** Converts one tensor's little-endian bytes (a fresh, aligned copy) to the typed array it loads as. */
function decode(op: string, source: string, e: Entry, raw: Uint8Array): TypedArray {
  const width = DTYPE_BYTES[e.dtype];
  if (!LITTLE_ENDIAN) swapBytes(raw, width);
  const buf = raw.buffer;
  const count = raw.length / width;
  switch (e.dtype) {
    case "F32": return new Float32Array(buf);
    case "F64": return new Float64Array(buf);
    case "I32": return new Int32Array(buf);
    case "BOOL": return raw.map((x) => (x ? 1 : 0));
    case "U8": return Int32Array.from(raw);
    case "I8": return Int32Array.from(new Int8Array(buf));
    case "I16": return Int32Array.from(new Int16Array(buf));
    case "U16": return Int32Array.from(new Uint16Array(buf));
    case "F16": return Float32Array.from(new Uint16Array(buf), halfToFloat);
    case "BF16": {
      const out = new Uint32Array(count);
      const src = new Uint16Array(buf);
      for (let i = 0; i < count; i++) out[i] = src[i]! << 16;
      return new Float32Array(out.buffer);
    }
    case "F8_E5M2": return Float32Array.from(raw, (b) => halfToFloat(b << 8));
    case "F8_E4M3": return Float32Array.from(raw, e4m3ToFloat);
    case "U32":
    case "I64":
    case "U64": {
      const out = new Int32Array(count);
      const words = new Uint32Array(buf);
      const step = width / 4;
      for (let i = 0; i < count; i++) {
        const lo = words[i * step]!, hi = e.dtype === "U32" ? 0 : words[i * step + 1]!;
        const ok = e.dtype === "I64" ? hi === (lo & 0x80000000 ? 0xffffffff : 0) : hi === 0 && lo <= 0x7fffffff;
        if (!ok) {
          const v = e.dtype === "I64" ? BigInt.asIntN(64, (BigInt(hi) << 32n) | BigInt(lo)) : (BigInt(hi) << 32n) | BigInt(lo);
          throw new TensileError(
            `${op}: ${source}: tensor "${e.name}" (${e.dtype}) holds ${v} at flat index ${i}, outside the int32 range Tensile loads integers as`,
          );
        }
        out[i] = lo | 0;
      }
      return out;
    }
  }
}

/** IEEE 754 binary16 bits → number. */
export function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f, frac = h & 0x3ff;
  if (exp === 0) return sign * frac * 2 ** -24;
  if (exp === 31) return frac ? NaN : sign * Infinity;
  return sign * (1 + frac / 1024) * 2 ** (exp - 15);
}

/** float8 e4m3fn bits (bias 7, no infinities, NaN at S.1111.111) → number. */
export function e4m3ToFloat(b: number): number {
  const sign = b & 0x80 ? -1 : 1;
  const exp = (b >> 3) & 0xf, frac = b & 7;
  if (exp === 15 && frac === 7) return NaN;
  if (exp === 0) return sign * frac * 2 ** -9;
  return sign * (1 + frac / 8) * 2 ** (exp - 7);
}
