/**
 * The IDX format of the MNIST family: a big-endian header `00 00 <type> <ndim>`, `ndim` big-endian
 * uint32 sizes, then the elements in row-major order (big-endian for multi-byte types).
 */
import { TensileError } from "../errors.js";
import { gunzipSync, isGzip, readBytes } from "./node-fs.js";

export type IdxDType = "uint8" | "int8" | "int16" | "int32" | "float32" | "float64";
export type IdxData = Uint8Array | Int8Array | Int16Array | Int32Array | Float32Array | Float64Array;

export interface IdxArray {
  dtype: IdxDType;
  shape: number[];
  data: IdxData;
}

const TYPES: Record<number, { dtype: IdxDType; size: number }> = {
  0x08: { dtype: "uint8", size: 1 },
  0x09: { dtype: "int8", size: 1 },
  0x0b: { dtype: "int16", size: 2 },
  0x0c: { dtype: "int32", size: 4 },
  0x0d: { dtype: "float32", size: 4 },
  0x0e: { dtype: "float64", size: 8 },
};

/** Parses uncompressed IDX bytes; `name` (a file name) appears in every error. */
export function parseIdx(bytes: Uint8Array, name = "<bytes>"): IdxArray {
  if (bytes.length < 4) throw new TensileError(`IDX: file ${name} is truncated: expected at least 4 header bytes, got ${bytes.length}`);
  if (bytes[0] !== 0 || bytes[1] !== 0) {
    const hint = isGzip(bytes) ? " (it is gzip-compressed; decompress it first)" : "";
    throw new TensileError(
      `IDX: file ${name} has a bad magic number 0x${hex(bytes, 0, 4)}: expected 0x0000 followed by a type byte and a dimension count${hint}`,
    );
  }
  const type = TYPES[bytes[2]!];
  if (!type) throw new TensileError(`IDX: file ${name} has unknown element type 0x${hex(bytes, 2, 3)} (expected 08, 09, 0B, 0C, 0D or 0E)`);
  const ndim = bytes[3]!;
  if (ndim === 0) throw new TensileError(`IDX: file ${name} declares 0 dimensions`);
  const headerLen = 4 + 4 * ndim;
  if (bytes.length < headerLen)
    throw new TensileError(`IDX: file ${name} is truncated: expected ${headerLen} header bytes, got ${bytes.length}`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const shape: number[] = [];
  for (let i = 0; i < ndim; i++) shape.push(view.getUint32(4 + 4 * i, false));
  const count = shape.reduce((a, b) => a * b, 1);
  const expected = headerLen + count * type.size;
  if (bytes.length < expected)
    throw new TensileError(`IDX: file ${name} is truncated: expected ${expected} bytes, got ${bytes.length} (shape [${shape.join(", ")}], ${type.dtype})`);
  if (bytes.length > expected)
    throw new TensileError(`IDX: file ${name} is corrupt: expected ${expected} bytes for shape [${shape.join(", ")}] (${type.dtype}), got ${bytes.length}`);
  return { dtype: type.dtype, shape, data: readElements(view, headerLen, count, type.dtype) };
}

function readElements(view: DataView, off: number, n: number, dtype: IdxDType): IdxData {
  const bytes = new Uint8Array(view.buffer, view.byteOffset + off, n * TYPES_SIZE[dtype]);
  switch (dtype) {
    case "uint8": return bytes.slice();
    case "int8": return new Int8Array(bytes.slice().buffer);
    case "int16": { const a = new Int16Array(n); for (let i = 0; i < n; i++) a[i] = view.getInt16(off + 2 * i, false); return a; }
    case "int32": { const a = new Int32Array(n); for (let i = 0; i < n; i++) a[i] = view.getInt32(off + 4 * i, false); return a; }
    case "float32": { const a = new Float32Array(n); for (let i = 0; i < n; i++) a[i] = view.getFloat32(off + 4 * i, false); return a; }
    case "float64": { const a = new Float64Array(n); for (let i = 0; i < n; i++) a[i] = view.getFloat64(off + 8 * i, false); return a; }
  }
}

const TYPES_SIZE: Record<IdxDType, number> = { uint8: 1, int8: 1, int16: 2, int32: 4, float32: 4, float64: 8 };

function hex(b: Uint8Array, from: number, to: number): string {
  let s = "";
  for (let i = from; i < Math.min(to, b.length); i++) s += b[i]!.toString(16).padStart(2, "0").toUpperCase();
  return s;
}

/** Decompresses (when gzip) and parses IDX bytes, synchronously (gzip needs Node). */
export function decodeIdx(bytes: Uint8Array, name = "<bytes>"): IdxArray {
  return parseIdx(isGzip(bytes) ? gunzipSync("IDX", name, bytes) : bytes, name);
}

/** Reads an IDX file, gzip-compressed or raw (Node). */
export function readIdxFile(path: string): IdxArray {
  return decodeIdx(readBytes("IDX", path), path);
}

/** Encodes an array as IDX bytes (big-endian), the inverse of `parseIdx`; handy for tests and exports. */
export function encodeIdx(dtype: IdxDType, shape: readonly number[], data: ArrayLike<number>): Uint8Array {
  const code = Number(Object.keys(TYPES).find((k) => TYPES[Number(k)]!.dtype === dtype));
  const count = shape.reduce((a, b) => a * b, 1);
  if (data.length !== count) throw new TensileError(`encodeIdx: shape [${shape.join(", ")}] needs ${count} elements, got ${data.length}`);
  const size = TYPES_SIZE[dtype];
  const out = new Uint8Array(4 + 4 * shape.length + count * size);
  const view = new DataView(out.buffer);
  out[2] = code;
  out[3] = shape.length;
  shape.forEach((d, i) => view.setUint32(4 + 4 * i, d, false));
  let off = 4 + 4 * shape.length;
  for (let i = 0; i < count; i++, off += size) {
    const v = data[i]!;
    switch (dtype) {
      case "uint8": view.setUint8(off, v); break;
      case "int8": view.setInt8(off, v); break;
      case "int16": view.setInt16(off, v, false); break;
      case "int32": view.setInt32(off, v, false); break;
      case "float32": view.setFloat32(off, v, false); break;
      case "float64": view.setFloat64(off, v, false); break;
    }
  }
  return out;
}
