/** Shared by the TensorBoard tests: the fixture (tools/gen-tensorboard-fixtures.py), TFRecord and protobuf decoding. */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { maskedCrc32c } from "../../src/utils/tensorboard.js";

export interface FixtureRecord {
  record?: string;
  event: { fileVersion?: string; wallTime?: number; step?: string; summary?: { value: Record<string, unknown>[] } };
  pixels?: string;
  histoExact?: boolean;
}
export interface Fixture {
  values: number[];
  images: Record<string, { shape: number[]; data: number[] }>;
  runs: Record<string, FixtureRecord[]>;
  pluginRun: FixtureRecord[];
  prInputs: Record<string, number[]>;
  embeddingInputs: Record<string, { shape: number[]; data: (number | string)[] }>;
  projector: Record<string, string | { mode: string; size: [number, number]; pixels: string }>;
  graphs: Record<"mlp" | "cnn", { inputShape: number[]; producer: number; nodes: GraphNode[]; events: string[][]; runMetadataRecord: string }>;
}
/** A GraphDef node: torch's (from the fixture) or Tensile's (decoded here). */
export interface GraphNode { name: string; op: string; inputs: string[]; attr: string; attrKeys: string[]; shape: number[] | null; device?: string }
export const fixture = JSON.parse(fs.readFileSync(new URL("../../fixtures/tensorboard.json", import.meta.url), "utf8")) as Fixture;

export function tmpdir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), "tensile-tb-"));
}

/** The framed records of an event file, each checked: length CRC and data CRC. */
export function readRecords(file: string): Uint8Array[] {
  const data = new Uint8Array(fs.readFileSync(file));
  const dv = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const out: Uint8Array[] = [];
  for (let at = 0; at < data.length;) {
    const n = Number(dv.getBigUint64(at, true));
    assert.equal(dv.getUint32(at + 8, true), maskedCrc32c(data.subarray(at, at + 8)), "length CRC");
    assert.equal(dv.getUint32(at + 12 + n, true), maskedCrc32c(data.subarray(at + 12, at + 12 + n)), "data CRC");
    out.push(data.slice(at, at + 16 + n));
    at += 16 + n;
  }
  return out;
}

export type Fields = Map<number, (bigint | Uint8Array)[]>;
/** A protobuf message as field number → values (varints as bigint; fixed and length-delimited as bytes). */
export function decode(b: Uint8Array): Fields {
  const out: Fields = new Map();
  let at = 0;
  const varint = (): bigint => {
    let v = 0n, shift = 0n;
    for (;;) {
      const byte = b[at++]!;
      v |= BigInt(byte & 0x7f) << shift;
      if (!(byte & 0x80)) return v;
      shift += 7n;
    }
  };
  while (at < b.length) {
    const key = Number(varint());
    const field = key >> 3, wire = key & 7;
    let v: bigint | Uint8Array;
    if (wire === 0) v = varint();
    else if (wire === 1) v = b.slice(at, (at += 8));
    else if (wire === 5) v = b.slice(at, (at += 4));
    else if (wire === 2) {
      const n = Number(varint());
      v = b.slice(at, (at += n));
    } else throw new Error(`wire type ${wire}`);
    out.set(field, [...(out.get(field) ?? []), v]);
  }
  return out;
}
export const one = (f: Fields, n: number) => f.get(n)?.[0];
export const f64 = (b: Uint8Array | bigint | undefined) => (b instanceof Uint8Array ? new DataView(b.buffer, b.byteOffset).getFloat64(0, true) : 0);
export const packed = (b: Uint8Array | bigint | undefined) =>
  b instanceof Uint8Array ? Array.from({ length: b.length / 8 }, (_, i) => new DataView(b.buffer, b.byteOffset).getFloat64(8 * i, true)) : [];
export const b64 = (b: Uint8Array) => Buffer.from(b).toString("base64");
export const eventOf = (record: Uint8Array) => decode(record.subarray(12, record.length - 4));
