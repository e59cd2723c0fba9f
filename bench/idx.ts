/**
 * Tiny reader for gzip-compressed IDX files (the MNIST / Fashion-MNIST format).
 * IDX layout: 2 zero bytes, a type byte (0x08 = uint8), a rank byte, then `rank` big-endian
 * uint32 dimensions, then the data in row-major order.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";

export interface IdxArray {
  shape: number[];
  data: Uint8Array;
}

export function readIdxGz(path: string): IdxArray {
  const gz = readFileSync(path);
  const raw = gunzipSync(new Uint8Array(gz.buffer, gz.byteOffset, gz.length));
  if (raw[0] !== 0 || raw[1] !== 0 || raw[2] !== 0x08) {
    throw new Error(`readIdxGz: ${path} is not an uint8 IDX file (magic ${raw.subarray(0, 4).toString("hex")})`);
  }
  const rank = raw[3]!;
  const shape: number[] = [];
  for (let i = 0; i < rank; i++) shape.push(raw.readUInt32BE(4 + 4 * i));
  const offset = 4 + 4 * rank;
  const count = shape.reduce((a, b) => a * b, 1);
  if (raw.length - offset !== count) {
    throw new Error(`readIdxGz: ${path} should hold ${count} bytes for shape [${shape.join(", ")}], has ${raw.length - offset}`);
  }
  return { shape, data: new Uint8Array(raw.buffer, raw.byteOffset + offset, count) };
}

export interface Dataset {
  /** [n, 784] row-major, pixels scaled to [0, 1]. */
  x: Float32Array;
  /** [n] class indices 0..9. */
  y: Int32Array;
  n: number;
}

export function loadFashionMnistTrain(dir: string): Dataset {
  const images = readIdxGz(join(dir, "train-images-idx3-ubyte.gz"));
  const labels = readIdxGz(join(dir, "train-labels-idx1-ubyte.gz"));
  const n = images.shape[0]!;
  if (labels.shape[0] !== n) throw new Error(`loadFashionMnistTrain: ${n} images but ${labels.shape[0]} labels`);
  const x = new Float32Array(images.data.length);
  for (let i = 0; i < x.length; i++) x[i] = images.data[i]! / 255;
  return { x, y: Int32Array.from(labels.data), n };
}
