/**
 * PyTorch's own file format — what `torch.save(obj, "model.pt")` writes since PyTorch 1.6 — read
 * like `torch.load(path, weights_only=True)`: tensors, dicts, lists, tuples, numbers, strings and
 * None, never arbitrary Python objects (nothing in a file can make Tensile run code).
 *
 * A file is a ZIP archive (`zip.ts`) of stored records under one folder (`archive/`, or the file's
 * stem): `data.pkl`, a pickle of the saved object in which each tensor is
 * `torch._utils._rebuild_tensor_v2(storage, offset, size, stride, requires_grad, hooks)` and each
 * storage a persistent id `("storage", torch.FloatStorage, key, location, numel)` naming the raw
 * little-endian record `data/<key>`; `version`; and, since torch 2.1, `byteorder`. Several tensors
 * may view one storage (tied weights, slices) with their own offsets and strides. The legacy format
 * (before 1.6, a stream of pickles followed by the storages' bytes) is read too (`readLegacy`).
 *
 * The bytes functions work everywhere; `loadTorch` / `saveTorch` add (atomic) files on Node.
 */
import { Tensor, tensor } from "../core.js";
import type { DType, TypedArray } from "../core.js";
import { TensileError, fmtShape } from "../errors.js";
import { readFile, writeFileAtomic, type FileOptions } from "./atomic.js";
import { PyDict, PyGlobal, PySet, PyTuple, unpickle, unpickleAt, type UnpickleHooks } from "./pickle.js";
import { halfToFloat, setOwn, type BytesLike } from "./safetensors.js";
import { saveTorchBytes } from "./torch-save.js";
import { readZip, type ZipEntry } from "./zip.js";

export { saveTorchBytes } from "./torch-save.js";
export type { TorchSaveable } from "./torch-save.js";

/**
 * What `loadTorch` returns: Python's values as JS ones. A dict whose keys are all str or int is a
 * plain object (int keys become their decimal strings, as JS would enumerate them); any other dict
 * is a `Map`. Lists and tuples are arrays; sets are arrays; bytes are `Uint8Array`s; ints beyond
 * ±2^53 are bigints.
 */
export type TorchValue = null | boolean | number | bigint | string | Uint8Array | Tensor | TorchValue[] | TorchDict | Map<TorchValue, TorchValue>;
export interface TorchDict { [key: string]: TorchValue }

/** A storage type `torch.<X>Storage`: element size, how its elements load, and the Tensile dtype. */
interface StorageKind { torch: string; bytes: number; loadsAs: DType }
const STORAGE_KINDS: Record<string, StorageKind> = {
  FloatStorage: { torch: "float32", bytes: 4, loadsAs: "float32" },
  DoubleStorage: { torch: "float64", bytes: 8, loadsAs: "float64" },
  HalfStorage: { torch: "float16", bytes: 2, loadsAs: "float32" },
  BFloat16Storage: { torch: "bfloat16", bytes: 2, loadsAs: "float32" },
  LongStorage: { torch: "int64", bytes: 8, loadsAs: "int32" },
  IntStorage: { torch: "int32", bytes: 4, loadsAs: "int32" },
  ShortStorage: { torch: "int16", bytes: 2, loadsAs: "int32" },
  CharStorage: { torch: "int8", bytes: 1, loadsAs: "int32" },
  ByteStorage: { torch: "uint8", bytes: 1, loadsAs: "int32" },
  BoolStorage: { torch: "bool", bytes: 1, loadsAs: "bool" },
};

const REBUILD_TENSOR = "torch._utils._rebuild_tensor_v2";
const REBUILD_PARAMETER = "torch._utils._rebuild_parameter";
const REBUILD_PARAMETER_STATE = "torch._utils._rebuild_parameter_with_state";
const ORDERED_DICT = "collections.OrderedDict";
const TORCH_SIZE = "torch.Size";
const ALLOWED = new Set([ORDERED_DICT, TORCH_SIZE, REBUILD_TENSOR, REBUILD_PARAMETER, REBUILD_PARAMETER_STATE, ...Object.keys(STORAGE_KINDS).map((s) => `torch.${s}`)]);

/** Storage types torch writes for dtypes Tensile has no counterpart for: refused, naming the dtype. */
const UNSUPPORTED_STORAGES: Record<string, string> = {
  ComplexFloatStorage: "complex64", ComplexDoubleStorage: "complex128", QUInt8Storage: "quint8", QInt8Storage: "qint8",
  QInt32Storage: "qint32", QUInt4x2Storage: "quint4x2", QUInt2x4Storage: "quint2x4",
};
/**
 * The most elements a tensor may have beyond those of its storage (an expanded or overlapping view,
 * stride 0): Tensile copies each tensor, so a few bytes of storage with a stride-0 size of
 * [1e5, 1e5] must not become a 40 GB allocation.
 */
export const MAX_EXPANDED_ELEMENTS = 2 ** 26;
/** How deeply lists, tuples and dicts may nest (Python's default recursion limit). */
export const MAX_NESTING = 1000;

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

type Elements = Float32Array | Float64Array | Int32Array | Uint16Array | Int16Array | Int8Array | Uint8Array;

class StorageRef {
  private buf: ArrayBuffer | null = null;
  /** `raw`: the record's bytes (null until the legacy reader reaches them, after the pickle). */
  constructor(readonly key: string, readonly kind: StorageKind, readonly numel: number, public raw: Uint8Array | null, private readonly little: boolean) {}
  /** The storage's elements in host byte order (int64 as pairs of int32, float16/bfloat16 as bits). */
  elements(): Elements {
    const b = this.kind.bytes;
    if (!this.buf) {
      const copy = new Uint8Array(this.numel * b); // fresh and aligned
      copy.set(this.raw!.subarray(0, copy.length));
      if (this.little !== LITTLE_ENDIAN && b > 1) for (let i = 0; i < copy.length; i += b) copy.subarray(i, i + b).reverse();
      this.buf = copy.buffer;
    }
    switch (this.kind.torch) {
      case "float32": return new Float32Array(this.buf);
      case "float64": return new Float64Array(this.buf);
      case "int64": case "int32": return new Int32Array(this.buf);
      case "float16": case "bfloat16": return new Uint16Array(this.buf);
      case "int16": return new Int16Array(this.buf);
      case "int8": return new Int8Array(this.buf);
      default: return new Uint8Array(this.buf);
    }
  }
}

class TensorRef {
  constructor(readonly storage: StorageRef, readonly offset: number, readonly size: number[], readonly stride: number[]) {}
}

function toBytes(op: string, input: BytesLike): Uint8Array {
  if (input instanceof ArrayBuffer) return new Uint8Array(input);
  if (ArrayBuffer.isView(input)) return new Uint8Array(input.buffer, input.byteOffset, input.byteLength);
  throw new TensileError(`${op}: expected a Uint8Array or ArrayBuffer, got ${input === null ? "null" : typeof input}`);
}

function typeName(v: unknown): string {
  if (v === null) return "None";
  if (v instanceof PyTuple) return `a tuple of ${v.items.length}`;
  if (v instanceof PyDict) return "a dict";
  if (v instanceof PyGlobal) return `the global ${v.qualname}`;
  if (v instanceof StorageRef) return `a storage`;
  if (v instanceof TensorRef) return `a tensor`;
  if (Array.isArray(v)) return "a list";
  return `${typeof v} ${String(v)}`;
}

/**
 * Reads the bytes of a `torch.save` file (`.pt`, `.pth`) into JS values; see `TorchValue` for how
 * Python values map. Tensors load as Tensile dtypes: float32, float64, int32 and bool as
 * themselves; float16 and bfloat16 widened exactly to float32; int64, int16, int8 and uint8 as int32
 * (an int64 value outside int32 is an error naming the tensor, never a silent wrap). Each tensor is
 * a fresh contiguous copy, so views of one storage (slices, transposes, tied weights) come out
 * with the right values but no longer share memory; the same tensor object saved twice is one
 * Tensile tensor. `requires_grad` and `Parameter` are dropped (a Parameter loads as its data).
 * Files in the legacy format (torch.save before 1.6) are read too. `op` and `source` name the call
 * and the file in errors.
 * ```ts
 * const sd = loadTorchBytes(new Uint8Array(await (await fetch("model.pt")).arrayBuffer()));
 * ```
 */
export function loadTorchBytes<T = TorchValue>(input: BytesLike, op = "loadTorchBytes", source = "the data"): T {
  const bytes = toBytes(op, input);
  const fail = (msg: string): never => {
    throw new TensileError(`${op}: ${source} ${msg}`);
  };
  if (isLegacy(bytes)) return convert(readLegacy(bytes, op, source, fail), [], new Map(), fail) as T;
  if (bytes.length >= 262 && String.fromCharCode(...bytes.subarray(257, 262)) === "ustar")
    fail(`is a tar archive (PyTorch's pre-1.0 torch.save format), which Tensile does not read: re-save it in Python with a current torch.save`);
  if (bytes[0] === 0x80 && bytes.length >= 2 && bytes[1]! <= 5)
    fail(`is a bare Python pickle, not a torch.save file (a ZIP archive holding data.pkl)`);
  const entries = readZip(bytes, fail);
  if (entries.length === 0) fail(`is an empty ZIP archive, not a torch.save file`);
  const slash = entries[0]!.name.indexOf("/");
  const prefix = slash < 0 ? "" : entries[0]!.name.slice(0, slash + 1);
  const records = new Map<string, ZipEntry>();
  for (const e of entries) if (e.name.startsWith(prefix)) records.set(e.name.slice(prefix.length), e);
  const pkl = records.get("data.pkl");
  if (!pkl) {
    if (records.has("constants.pkl") || [...records.keys()].some((k) => k.startsWith("code/")))
      fail(`is a TorchScript archive (torch.jit.save), not a torch.save file: in Python, save its weights with torch.save(torch.jit.load(path).state_dict(), path)`);
    fail(`is a ZIP archive without a ${prefix}data.pkl record, so not a torch.save file`);
  }
  const order = records.get("byteorder");
  let little = true;
  if (order) {
    const text = new TextDecoder().decode(order.data).trim();
    if (text !== "little" && text !== "big") fail(`has a byteorder record "${text}" (expected "little" or "big")`);
    little = text === "little";
  }
  const pfail = (msg: string): never => {
    throw new TensileError(`${op}: ${source}: ${prefix}data.pkl ${msg}`);
  };
  const storages = new Map<string, StorageRef>();
  const obj = unpickle(pkl!.data, torchHooks(fail, pfail, false, copyBudget(bytes), (key, kind, numel) => {
    const seen = storages.get(key);
    if (seen) return seen;
    const rec = records.get(`data/${key}`);
    if (!rec) return fail(`has no record ${prefix}data/${key} for storage "${key}" named in data.pkl (a bad storage key)`);
    const data = rec.data;
    if (data.length < numel * kind.bytes)
      fail(`is truncated or corrupt: storage "${key}" holds ${numel} ${kind.torch} elements (${numel * kind.bytes} bytes) but its record ${prefix}data/${key} has ${data.length} bytes`);
    const s = new StorageRef(key, kind, numel, data, little);
    storages.set(key, s);
    return s;
  }));
  return convert(obj, [], new Map(), fail) as T;
}

/**
 * How many elements the tensors of one file may have in all: 4 per byte of the file, plus
 * `MAX_EXPANDED_ELEMENTS`. Each tensor is a copy, so many views of one storage (tied weights, slices)
 * cost their own elements; this bounds what a small file can make Tensile allocate.
 */
interface CopyBudget { left: number; total: number }
const copyBudget = (bytes: Uint8Array): CopyBudget => {
  const total = 4 * bytes.length + MAX_EXPANDED_ELEMENTS;
  return { left: total, total };
};

/**
 * The unpickling hooks of both formats: the allow-list of globals, storages from persistent ids
 * (`lookup` finds their bytes), tensors from `_rebuild_tensor_v2`, dicts from `OrderedDict`.
 */
function torchHooks(fail: (msg: string) => never, pfail: (msg: string) => never, legacy: boolean, budget: CopyBudget,
  lookup: (key: string, kind: StorageKind, numel: number) => StorageRef): UnpickleHooks {
  return {
    fail: pfail,
    resolveGlobal(module, name) {
      const g = new PyGlobal(module, name);
      if (module === "torch" && name in UNSUPPORTED_STORAGES)
        fail(`holds a ${UNSUPPORTED_STORAGES[name]} tensor (torch.${name}), a dtype Tensile does not have (it loads float32, float64, int32 and bool, and converts float16, bfloat16 and the other integer types): convert it in Python first${name.startsWith("Complex") ? ", e.g. with torch.view_as_real(t)" : ", e.g. with t.dequantize()"}`);
      if (!ALLOWED.has(g.qualname))
        fail(`refers to the Python global "${g.qualname}"; Tensile loads only tensors, dicts, lists, tuples, numbers, strings and None, as torch.load(weights_only=True)`);
      return g;
    },
    persistentLoad(pid) {
      const items = pid instanceof PyTuple ? pid.items : null;
      const shape = legacy ? `("storage", type, key, location, numel, view)` : `("storage", type, key, location, numel)`;
      if (!items || items.length !== (legacy ? 6 : 5) || items[0] !== "storage")
        return pfail(`has a persistent id that is not ${shape}: got ${typeName(pid)}`);
      const [, type, key, , numel, view] = items;
      if (!(type instanceof PyGlobal) || type.module !== "torch" || !(type.name in STORAGE_KINDS))
        return pfail(`has a storage of type ${typeName(type)}, not one of torch.${Object.keys(STORAGE_KINDS).join(", torch.")}`);
      if (typeof key !== "string") return pfail(`has a storage key that is ${typeName(key)}, not a string`);
      if (typeof numel !== "number" || !Number.isSafeInteger(numel) || numel < 0) return pfail(`gives storage "${key}" a bad element count ${typeName(numel)}`);
      if (legacy && view !== null) return pfail(`has a view of storage "${key}" (a pre-0.4 storage view), which Tensile does not read`);
      return lookup(key, STORAGE_KINDS[type.name]!, numel);
    },
    reduce(fn, args) {
      const q = fn.qualname;
      if (q === ORDERED_DICT) {
        const d = new PyDict();
        if (args.length === 0) return d;
        const pairs = args.length === 1 ? (Array.isArray(args[0]) ? args[0] : args[0] instanceof PyTuple ? args[0].items : null) : null;
        if (!pairs) return pfail(`calls OrderedDict with ${args.length} arguments that are not a list of pairs`);
        for (const p of pairs) {
          if (!(p instanceof PyTuple) || p.items.length !== 2) return pfail(`calls OrderedDict with an item that is not a (key, value) pair`);
          d.set(p.items[0], p.items[1]);
        }
        return d;
      }
      if (q === TORCH_SIZE) {
        // A tensor's `.shape` saved as a value: a tuple of ints (torch.load(weights_only=True) allows it too).
        const dims = args.length === 1 && args[0] instanceof PyTuple ? args[0].items : null;
        if (!dims || !dims.every((d) => Number.isSafeInteger(d) && (d as number) >= 0))
          return pfail(`calls torch.Size with ${args.map(typeName).join(", ")}, not one tuple of sizes`);
        return new PyTuple([...dims]);
      }
      if (q === REBUILD_TENSOR) {
        const [storage, offset, size, stride] = args;
        if (args.length < 6 || args.length > 7 || !(storage instanceof StorageRef))
          return pfail(`calls _rebuild_tensor_v2 with ${args.length} arguments (${args.map(typeName).join(", ")}), not (storage, offset, size, stride, requires_grad, hooks)`);
        const ints = (v: unknown) => (v instanceof PyTuple && v.items.every((x) => Number.isSafeInteger(x) && (x as number) >= 0) ? (v.items as number[]) : null);
        const sz = ints(size), st = ints(stride);
        if (!sz || !st || sz.length !== st.length || !Number.isSafeInteger(offset) || (offset as number) < 0)
          return pfail(`calls _rebuild_tensor_v2 with a bad offset, size or stride: ${typeName(offset)}, ${typeName(size)}, ${typeName(stride)}`);
        // Counted here, before anything is copied. A size too large to count, or an expanded view
        // beyond MAX_EXPANDED_ELEMENTS, is refused (naming the tensor) when it would be copied.
        const numel = sz.reduce((a, d) => a * d, 1);
        if (Number.isSafeInteger(numel) && !(numel > storage.numel && numel > MAX_EXPANDED_ELEMENTS)) {
          if (numel > budget.left)
            fail(`has a tensor of size ${fmtShape(sz)} that brings the elements of its tensors to more than ${budget.total} (4 per byte of the file, plus ${MAX_EXPANDED_ELEMENTS}): too many to copy (Tensile copies each view of a storage, so many views of one storage add up)`);
          budget.left -= numel;
        }
        return new TensorRef(storage, offset as number, sz, st);
      }
      if (q === REBUILD_PARAMETER || q === REBUILD_PARAMETER_STATE) {
        if (!(args[0] instanceof TensorRef)) return pfail(`calls ${fn.name} on ${typeName(args[0])}, not a tensor`);
        return args[0];
      }
      return pfail(`calls ${q}, which only names a storage type`);
    },
    build(inst) {
      // OrderedDict's attributes (a state dict's `_metadata`) and a Parameter's state are dropped.
      if (inst instanceof PyDict || inst instanceof TensorRef) return inst;
      return pfail(`sets the state of ${typeName(inst)} (BUILD), which Tensile does not do`);
    },
  };
}

/** The legacy format's magic number 0x1950a86a20f9469cfc6c, pickled as LONG1 near the start. */
const LEGACY_MAGIC = [0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19];
/** The same number as pickle protocols 0 and 1 write it: a text LONG. */
const LEGACY_MAGIC_TEXT = [..."L119547037146038801333356L\n"].map((c) => c.charCodeAt(0));
function isLegacy(bytes: Uint8Array): boolean {
  if (LEGACY_MAGIC_TEXT.every((b, j) => bytes[j] === b)) return true;
  if (bytes[0] !== 0x80) return false;
  for (let i = 0; i + LEGACY_MAGIC.length <= Math.min(bytes.length, 32); i++) if (LEGACY_MAGIC.every((b, j) => bytes[i + j] === b)) return true;
  return false;
}

/**
 * PyTorch's legacy format (torch.save before 1.6, or `_use_new_zipfile_serialization=False`): five
 * pickles in a row — the magic number, the protocol version 1001, `sys_info` (byte order), the
 * object (persistent ids `("storage", type, key, location, numel, None)`), the list of storage keys
 * — then, for each key in that order, its element count (int64) and its raw bytes.
 */
function readLegacy(bytes: Uint8Array, op: string, source: string, fail: (msg: string) => never): unknown {
  const pfail = (msg: string): never => {
    throw new TensileError(`${op}: ${source}: its pickle ${msg}`);
  };
  const plain: UnpickleHooks = {
    fail: pfail,
    resolveGlobal: (m, n) => fail(`refers to the Python global "${m}.${n}" in its header`),
    reduce: () => pfail(`calls a function in its header`),
    build: () => pfail(`uses BUILD in its header`),
    persistentLoad: () => pfail(`has a persistent id in its header`),
  };
  let r = unpickleAt(bytes, 0, plain);
  if (r.value !== 0x1950a86a20f9469cfc6cn) fail(`is not a torch.save file (it starts with a pickle of ${typeName(r.value)}, not PyTorch's magic number)`);
  r = unpickleAt(bytes, r.end, plain);
  if (r.value !== 1001) fail(`is in PyTorch's legacy format with protocol version ${typeName(r.value)}; Tensile reads version 1001`);
  r = unpickleAt(bytes, r.end, plain);
  let little = true;
  if (r.value instanceof PyDict) {
    const e = r.value.entries.get("slittle_endian");
    if (e) little = e[1] === true;
  }
  const storages = new Map<string, StorageRef>();
  r = unpickleAt(bytes, r.end, torchHooks(fail, pfail, true, copyBudget(bytes), (key, kind, numel) => {
    const seen = storages.get(key);
    if (seen) return seen;
    const s = new StorageRef(key, kind, numel, null, little);
    storages.set(key, s);
    return s;
  }));
  const obj = r.value;
  r = unpickleAt(bytes, r.end, plain);
  const keys = r.value;
  if (!Array.isArray(keys) || !keys.every((k) => typeof k === "string")) fail(`has a storage key list that is ${typeName(keys)}, not a list of strings`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let pos = r.end;
  for (const key of keys as string[]) {
    const s = storages.get(key);
    if (!s) fail(`lists data for storage "${key}", which its pickle never uses (a bad storage key)`);
    if (pos + 8 > bytes.length) fail(`is truncated: the data of storage "${key}" should start at byte ${pos} but the file has ${bytes.length} bytes`);
    const n = view.getBigInt64(pos, little);
    if (n !== BigInt(s!.numel)) fail(`is corrupt: storage "${key}" holds ${n} elements but its pickle says ${s!.numel}`);
    const len = s!.numel * s!.kind.bytes;
    if (pos + 8 + len > bytes.length)
      fail(`is truncated: storage "${key}" holds ${s!.numel} ${s!.kind.torch} elements (bytes ${pos + 8}–${pos + 8 + len}) but the file has ${bytes.length} bytes`);
    s!.raw = bytes.subarray(pos + 8, pos + 8 + len);
    pos += 8 + len;
  }
  for (const s of storages.values()) if (!s.raw) fail(`has no data for storage "${s.key}" (a bad storage key)`);
  if (pos !== bytes.length) fail(`has ${bytes.length - pos} unexpected bytes after the data of its last storage (byte ${pos})`);
  return obj;
}

const isIndexKey = (k: unknown): k is number | bigint => (typeof k === "number" && Number.isSafeInteger(k)) || typeof k === "bigint";

/** Python values → JS values (see `TorchValue`), memoized by identity so shared objects stay shared. */
function convert(v: unknown, path: string[], memo: Map<unknown, TorchValue>, fail: (msg: string) => never): TorchValue {
  if (v === null || typeof v !== "object") return v as TorchValue;
  if (v instanceof Uint8Array) return v;
  const seen = memo.get(v);
  if (seen !== undefined) return seen;
  if (path.length >= MAX_NESTING) fail(`nests lists, tuples or dicts more than ${MAX_NESTING} levels deep (at ${where(path.slice(0, 8))}…), which Tensile does not load`);
  if (v instanceof TensorRef) {
    const t = materialize(v, path, fail);
    memo.set(v, t);
    return t;
  }
  if (Array.isArray(v) || v instanceof PyTuple || v instanceof PySet) {
    const out: TorchValue[] = [];
    memo.set(v, out);
    const items = Array.isArray(v) ? v : v.items;
    items.forEach((x, i) => out.push(convert(x, [...path, String(i)], memo, fail)));
    return out;
  }
  if (v instanceof PyDict) {
    const entries = [...v.entries.values()];
    const names = entries.map(([k]) => (typeof k === "string" ? k : isIndexKey(k) ? String(k) : null));
    if (names.every((n) => n !== null) && new Set(names).size === names.length) {
      const out: TorchDict = {};
      memo.set(v, out);
      entries.forEach(([, x], i) => setOwn(out, names[i]!, convert(x, [...path, names[i]!], memo, fail)));
      return out;
    }
    const out = new Map<TorchValue, TorchValue>();
    memo.set(v, out);
    for (const [k, x] of entries) {
      const key = convert(k, [...path, "<key>"], memo, fail);
      out.set(key, convert(x, [...path, String(key)], memo, fail));
    }
    return out;
  }
  if (v instanceof StorageRef) return fail(`holds a bare storage at ${where(path)}; Tensile loads tensors, not storages`);
  if (v instanceof PyGlobal) return fail(`holds the Python object ${v.qualname} itself at ${where(path)}, not a value Tensile loads`);
  return fail(`holds an unexpected value at ${where(path)}`);
}

const where = (path: string[]) => (path.length ? `"${path.join(".")}"` : "the top level");

/** Copies a (possibly strided) view of a storage into a fresh contiguous Tensile tensor. */
function materialize(ref: TensorRef, path: string[], fail: (msg: string) => never): Tensor {
  const { storage, offset, size, stride } = ref;
  const kind = storage.kind;
  const name = `tensor ${where(path)}`;
  const numel = size.reduce((a, d) => a * d, 1);
  if (!Number.isSafeInteger(numel)) fail(`has ${name} of size ${fmtShape(size)}, which is too large`);
  let contiguous = true;
  if (numel > 0) {
    let last = offset, expect = 1;
    for (let i = size.length - 1; i >= 0; i--) {
      last += (size[i]! - 1) * stride[i]!;
      if (size[i] !== 1 && stride[i] !== expect) contiguous = false;
      expect *= size[i]!;
    }
    if (last >= storage.numel)
      fail(`has ${name} of size ${fmtShape(size)}, stride ${fmtShape(stride)} and offset ${offset}, which reaches element ${last} of storage "${storage.key}" (${kind.torch}), but the storage holds ${storage.numel} elements`);
    if (numel > storage.numel && numel > MAX_EXPANDED_ELEMENTS)
      fail(`has ${name} of size ${fmtShape(size)} and stride ${fmtShape(stride)}: ${numel} elements viewing a storage of ${storage.numel} (an expanded or overlapping view), too large to copy (Tensile copies each tensor, and makes at most ${MAX_EXPANDED_ELEMENTS} elements from a smaller storage): in Python, save t.contiguous() or the unexpanded tensor`);
  }
  // Source element index of each output element, in C order.
  const src = contiguous ? null : new Float64Array(numel);
  if (src) {
    const idx = new Array<number>(size.length).fill(0);
    let s = offset;
    for (let i = 0; i < numel; i++) {
      src[i] = s;
      for (let d = size.length - 1; d >= 0; d--) {
        if (++idx[d]! < size[d]!) { s += stride[d]!; break; }
        s -= (size[d]! - 1) * stride[d]!;
        idx[d] = 0;
      }
    }
  }
  const at = (i: number) => (src ? src[i]! : offset + i);
  const els = numel > 0 ? storage.elements() : new Uint8Array(0);
  let out: TypedArray;
  switch (kind.torch) {
    case "float32": case "float64": case "int32": {
      if (!src) {
        const view = (els as Float32Array | Float64Array | Int32Array).subarray(offset, offset + numel);
        out = kind.torch === "float32" ? new Float32Array(view) : kind.torch === "float64" ? new Float64Array(view) : new Int32Array(view);
        break;
      }
      out = kind.torch === "float32" ? new Float32Array(numel) : kind.torch === "float64" ? new Float64Array(numel) : new Int32Array(numel);
      for (let i = 0; i < numel; i++) out[i] = els[at(i)]!;
      break;
    }
    case "float16": out = new Float32Array(numel); for (let i = 0; i < numel; i++) out[i] = halfToFloat(els[at(i)]!); break;
    case "bfloat16": {
      const bits = new Uint32Array(numel);
      for (let i = 0; i < numel; i++) bits[i] = els[at(i)]! << 16;
      out = new Float32Array(bits.buffer);
      break;
    }
    case "int64": {
      out = new Int32Array(numel);
      const lo = LITTLE_ENDIAN ? 0 : 1, hi = 1 - lo;
      for (let i = 0; i < numel; i++) {
        const e = at(i) * 2;
        const l = els[e + lo]!, h = els[e + hi]!;
        if (h !== (l < 0 ? -1 : 0)) {
          const value = (BigInt(h) << 32n) | BigInt(l >>> 0);
          fail(`has ${name} (int64) holding ${value} at flat index ${i}, outside the int32 range Tensile loads integers as`);
        }
        out[i] = l;
      }
      break;
    }
    case "bool": out = new Uint8Array(numel); for (let i = 0; i < numel; i++) out[i] = els[at(i)] ? 1 : 0; break;
    default: out = new Int32Array(numel); for (let i = 0; i < numel; i++) out[i] = els[at(i)]!; // int16, int8, uint8
  }
  return tensor(out, { shape: size, dtype: kind.loadsAs });
}

/**
 * Loads a `torch.save` file (`.pt`, `.pth`), as `torch.load(path, weights_only=True)`; see
 * `loadTorchBytes`. The type argument states what you expect the file to hold (unchecked).
 * ```ts
 * model.loadStateDict(loadTorch<Record<string, Tensor>>("model.pt"));
 * const ckpt = loadTorch<{ model: Record<string, Tensor>; epoch: number }>("checkpoint.pth");
 * ```
 */
export function loadTorch<T = TorchValue>(path: string): T {
  return loadTorchBytes<T>(readFile("loadTorch", path), "loadTorch", path);
}

/**
 * Saves tensors, state dicts and nested plain data to a file `torch.load` reads (PyTorch ≥ 1.6),
 * atomically; see `saveTorchBytes` for how JS values map to Python's.
 * ```ts
 * saveTorch({ model: model.stateDict(), optimizer: opt.stateDict(), epoch: 3 }, "checkpoint.pt");
 * ```
 */
export function saveTorch(obj: unknown, path: string, options: FileOptions = {}): void {
  writeFileAtomic("saveTorch", path, saveTorchBytes(obj, "saveTorch"), options ?? {});
}
