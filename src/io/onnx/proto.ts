/** ONNX's protobuf messages, written by hand: the few ModelProto fields the exporter needs. */
import { TensileError } from "../../errors.js";

export { Pb } from "../protobuf.js";
import { Pb } from "../protobuf.js";

export const ELEM = { float32: 1, int32: 6, int64: 7, bool: 9, float64: 11 } as const;
export type Elem = keyof typeof ELEM;

export function tensorProto(name: string, dims: readonly number[], elem: Elem, data: ArrayLike<number> | ArrayLike<bigint>): Pb {
  const p = new Pb();
  for (const d of dims) p.int(1, d);
  p.int(2, ELEM[elem]);
  p.str(8, name);
  const n = data.length;
  let raw: Uint8Array;
  if (elem === "float32") raw = new Uint8Array(Float32Array.from(data as ArrayLike<number>).buffer);
  else if (elem === "float64") raw = new Uint8Array(Float64Array.from(data as ArrayLike<number>).buffer);
  else if (elem === "int32") raw = new Uint8Array(Int32Array.from(data as ArrayLike<number>).buffer);
  else if (elem === "int64") raw = new Uint8Array(BigInt64Array.from({ length: n }, (_, i) => BigInt((data as ArrayLike<number>)[i]!)).buffer);
  else raw = Uint8Array.from(data as ArrayLike<number>, (v) => (v ? 1 : 0));
  return p.raw(9, raw);
}

export function valueInfo(name: string, elem: Elem, dims: readonly (number | string)[]): Pb {
  const shape = new Pb();
  for (const d of dims) shape.msg(1, typeof d === "number" ? new Pb().int(1, d) : new Pb().str(2, d));
  const tt = new Pb().int(1, ELEM[elem]).msg(2, shape);
  return new Pb().str(1, name).msg(2, new Pb().msg(1, tt));
}

export type Attr = number | number[] | string | { float: number } | { floats: number[] } | { strings: string[] };
export function attribute(name: string, v: Attr): Pb {
  if (v === undefined || v === null) throw new TensileError(`exportOnnx: internal error: attribute "${name}" has no value`);
  const p = new Pb().str(1, name);
  if (typeof v === "number") return p.int(3, v).int(20, 2);
  if (typeof v === "string") return p.str(4, v).int(20, 3);
  if (Array.isArray(v)) {
    for (const x of v) p.int(8, x);
    return p.int(20, 7);
  }
  if ("float" in v) return p.float(2, v.float).int(20, 1);
  if ("strings" in v) {
    for (const x of v.strings) p.str(9, x);
    return p.int(20, 8);
  }
  for (const x of v.floats) p.float(7, x);
  return p.int(20, 6);
}

