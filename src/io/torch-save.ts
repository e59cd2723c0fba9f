/**
 * Writing `torch.save` files (the ZIP format of PyTorch ≥ 1.6) from JS values, so that
 * `torch.load(path)` in Python gets back the same tensors and structure. The pickle program has the
 * shape torch's own has (protocol 2; each tensor `_rebuild_tensor_v2` of a persistent-id storage);
 * the archive holds `archive/data.pkl`, `archive/byteorder`, `archive/data/<key>` per tensor and
 * `archive/version`, each record aligned to 64 bytes as torch aligns them.
 */
import { Tensor } from "../core.js";
import type { DType } from "../core.js";
import { TensileError, fmtShape } from "../errors.js";
import { PickleWriter } from "./pickle.js";
import { writeZip, type ZipEntry } from "./zip.js";

/** What `saveTorchBytes` writes: tensors, null, booleans, numbers, bigints, strings, and arrays, plain objects and Maps of those. */
export type TorchSaveable = unknown;

const STORAGE: Record<DType, string> = { float32: "FloatStorage", float64: "DoubleStorage", int32: "IntStorage", bool: "BoolStorage" };
/** How deeply arrays, objects and Maps may nest (Python's default recursion limit, as on loading). */
const MAX_NESTING = 1000;
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
/** A string JS enumerates as an array index, i.e. how an integer key of a Python dict comes back. */
const INDEX_KEY = /^(0|[1-9][0-9]{0,15})$/;

function describe(v: unknown): string {
  if (v === undefined) return "undefined";
  if (typeof v === "function") return "a function";
  if (typeof v === "symbol") return "a symbol";
  if (typeof v === "object" && v !== null) return `an object (${v.constructor?.name ?? "no prototype"})`;
  return `${typeof v} ${String(v)}`;
}

/**
 * Serialises `obj` to the bytes of a `torch.save` file. Values map to Python as:
 * Tensor → `torch.Tensor` (float32 → torch.float32, float64 → float64, int32 → int32,
 * bool → bool; written contiguous, `requires_grad=False`, each tensor object with its own storage:
 * one Tensor under two keys is pickled once, so both keys hold the same tensor after `torch.load`);
 * plain object and Map → dict (keys in order; an object key that is a canonical non-negative integer,
 * such as the `"0"` of an optimizer state dict's `state`, becomes a Python int, every other key a
 * str; Map keys may be strings, integers, bigints or booleans); array → list; integer number
 * (safe, not -0) and bigint → int; other numbers (NaN, ±Infinity, -0 included) → float;
 * string → str; boolean → bool; null → None. Anything else (undefined, functions, class
 * instances, typed arrays) is an error naming its path. Shared and cyclic arrays and objects stay
 * shared, as pickle's memo keeps them. `op` names the call in errors.
 * ```ts
 * const bytes = saveTorchBytes({ model: model.stateDict(), epoch: 3 });
 * ```
 */
export function saveTorchBytes(obj: TorchSaveable, op = "saveTorchBytes"): Uint8Array {
  const w = new PickleWriter();
  const memo = new Map<object, number>();
  const storages: ZipEntry[] = [];
  const at = (path: string[]) => (path.length ? `"${path.join(".")}"` : "the top level");

  const dictKey = (k: unknown, path: string[], fromObject: boolean) => {
    if (typeof k === "string") return fromObject && INDEX_KEY.test(k) && Number(k) <= Number.MAX_SAFE_INTEGER ? w.int(Number(k)) : w.str(k);
    if ((typeof k === "number" && Number.isSafeInteger(k)) || typeof k === "bigint") return w.int(k);
    if (typeof k === "boolean") return w.bool(k);
    throw new TensileError(`${op}: the Map at ${at(path)} has a key that is ${describe(k)}; keys must be strings, integers, bigints or booleans`);
  };

  const writeTensor = (t: Tensor) => {
    const key = String(storages.length);
    const a = t.dataSync();
    let bytes = new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
    if (t.dtype === "bool") bytes = bytes.map((x) => (x ? 1 : 0));
    else {
      bytes = bytes.slice();
      if (!LITTLE_ENDIAN) for (let i = 0; i < bytes.length; i += a.BYTES_PER_ELEMENT) bytes.subarray(i, i + a.BYTES_PER_ELEMENT).reverse();
    }
    storages.push({ name: `archive/data/${key}`, data: bytes });
    // Contiguous strides as torch computes them (a zero-size dim counts as 1).
    const stride = t.shape.map((_, i) => t.shape.slice(i + 1).reduce((p, d) => p * Math.max(d, 1), 1));
    const ints = (xs: readonly number[]) => {
      if (xs.length > 3) w.mark();
      for (const x of xs) w.int(x);
      w.tuple(xs.length);
    };
    w.global("torch._utils", "_rebuild_tensor_v2");
    w.mark();
    w.mark();
    w.str("storage");
    w.global("torch", STORAGE[t.dtype]);
    w.str(key);
    w.str("cpu");
    w.int(a.length);
    w.tuple(5);
    w.binpersid();
    w.int(0);
    ints(t.shape);
    ints(stride);
    w.bool(false);
    w.global("collections", "OrderedDict");
    w.tuple(0);
    w.reduce();
    w.tuple(6);
    w.reduce();
  };

  /** Writes `items` after an EMPTY_LIST / EMPTY_DICT as Python does: batches of 1000, one item alone. */
  const batches = <T>(items: T[], one: (x: T) => void, single: () => void, many: () => void) => {
    for (let i = 0; i < items.length; i += 1000) {
      const chunk = items.slice(i, i + 1000);
      if (chunk.length === 1) {
        one(chunk[0]!);
        single();
      } else {
        w.mark();
        chunk.forEach(one);
        many();
      }
    }
  };

  const write = (v: unknown, path: string[]): void => {
    if (v === null) return w.none();
    if (typeof v === "boolean") return w.bool(v);
    if (typeof v === "number") return Number.isSafeInteger(v) && !Object.is(v, -0) ? w.int(v) : w.float(v);
    if (typeof v === "bigint") return w.int(v);
    if (typeof v === "string") return w.str(v);
    if (typeof v !== "object") throw new TensileError(`${op}: cannot save ${describe(v)} at ${at(path)}; ${WHAT}`);
    const seen = memo.get(v);
    if (seen !== undefined) return w.get(seen);
    if (path.length >= MAX_NESTING)
      throw new TensileError(`${op}: the value at ${at(path.slice(0, 8))}… nests arrays, objects or Maps more than ${MAX_NESTING} levels deep (Python's recursion limit)`);
    if (v instanceof Tensor) {
      if (!(v.dtype in STORAGE)) throw new TensileError(`${op}: tensor at ${at(path)} of shape ${fmtShape(v.shape)} has dtype ${v.dtype}, which cannot be saved`);
      writeTensor(v);
      memo.set(v, w.put());
      return;
    }
    if (Array.isArray(v)) {
      w.emptyList();
      memo.set(v, w.put());
      return batches(v.map((x, i) => [x, i] as const), ([x, i]) => write(x, [...path, String(i)]), () => w.append(), () => w.appends());
    }
    let entries: [unknown, unknown][];
    let fromObject = false;
    if (v instanceof Map) entries = [...v.entries()];
    else {
      const proto = Object.getPrototypeOf(v);
      if (proto !== Object.prototype && proto !== null) throw new TensileError(`${op}: cannot save ${describe(v)} at ${at(path)}; ${WHAT}`);
      entries = Object.entries(v);
      fromObject = true;
    }
    if (!fromObject) {
      // Python compares 1, 1n and true (and 0, 0n, false) as one key.
      const ids = new Map<string, unknown>();
      for (const [k] of entries) {
        const id = typeof k === "string" ? "s" + k : "n" + String(typeof k === "boolean" ? Number(k) : k);
        if (ids.has(id)) throw new TensileError(`${op}: the Map at ${at(path)} has keys ${String(ids.get(id))} and ${String(k)}, which are one key in a Python dict`);
        ids.set(id, k);
      }
    }
    w.emptyDict();
    memo.set(v, w.put());
    batches(entries, ([k, x]) => {
      dictKey(k, path, fromObject);
      write(x, [...path, String(k)]);
    }, () => w.setitem(), () => w.setitems());
  };

  write(obj, []);
  const enc = new TextEncoder();
  return writeZip([
    { name: "archive/data.pkl", data: w.finish() },
    { name: "archive/byteorder", data: enc.encode("little") },
    ...storages,
    { name: "archive/version", data: enc.encode("3\n") },
  ], op);
}

const WHAT = "saveTorch writes tensors, plain objects, Maps, arrays, numbers, bigints, strings, booleans and null";
