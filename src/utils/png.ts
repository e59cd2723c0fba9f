/**
 * A minimal PNG encoder (8-bit greyscale, RGB or RGBA, no interlace, filter 0 on every row) for
 * TensorBoard images. The compression is zlib's, through Node's `node:zlib`; nothing else.
 */
import { TensileError } from "../errors.js";

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

/** CRC-32 (ISO 3309, the one PNG and zip use) of `bytes`, continuing from `crc`. */
export function crc32(bytes: Uint8Array, crc = 0): number {
  let c = ~crc >>> 0;
  for (let i = 0; i < bytes.length; i++) c = CRC_TABLE[(c ^ bytes[i]!) & 0xff]! ^ (c >>> 8);
  return ~c >>> 0;
}

type Zlib = { deflateSync(b: Uint8Array): Uint8Array };

function zlib(op: string): Zlib {
  const proc = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process;
  if (typeof proc?.getBuiltinModule !== "function")
    throw new TensileError(`${op}: PNG encoding needs Node.js ≥ 20.16 (node:zlib is unavailable here)`);
  return proc.getBuiltinModule("node:zlib") as Zlib;
}

const COLOR_TYPE: Record<number, number> = { 1: 0, 3: 2, 4: 6 };

/**
 * Encodes `pixels` (height × width × channels bytes, row-major, channels last) as a PNG file.
 * `channels`: 1 (grey), 3 (RGB) or 4 (RGBA).
 */
export function encodePng(pixels: Uint8Array, height: number, width: number, channels: number, op = "encodePng"): Uint8Array {
  const colorType = COLOR_TYPE[channels];
  if (colorType === undefined) throw new TensileError(`${op}: a PNG has 1, 3 or 4 channels, got ${channels}`);
  if (!Number.isInteger(height) || !Number.isInteger(width) || height < 1 || width < 1)
    throw new TensileError(`${op}: image size must be positive integers, got ${height}×${width}`);
  if (pixels.length !== height * width * channels)
    throw new TensileError(`${op}: ${pixels.length} bytes for a ${height}×${width}×${channels} image (expected ${height * width * channels})`);
  const stride = width * channels;
  const raw = new Uint8Array(height * (stride + 1));
  for (let y = 0; y < height; y++) raw.set(pixels.subarray(y * stride, (y + 1) * stride), y * (stride + 1) + 1); // filter byte 0
  const ihdr = new Uint8Array(13);
  const dv = new DataView(ihdr.buffer);
  dv.setUint32(0, width);
  dv.setUint32(4, height);
  ihdr[8] = 8; // bit depth
  ihdr[9] = colorType; // compression, filter and interlace stay 0
  const chunks = [chunk("IHDR", ihdr), chunk("IDAT", zlib(op).deflateSync(raw)), chunk("IEND", new Uint8Array(0))];
  const signature = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
  const out = new Uint8Array(8 + chunks.reduce((s, c) => s + c.length, 0));
  out.set(signature, 0);
  let at = 8;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

function chunk(type: string, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + data.length);
  const dv = new DataView(out.buffer);
  dv.setUint32(0, data.length);
  for (let i = 0; i < 4; i++) out[4 + i] = type.charCodeAt(i);
  out.set(data, 8);
  dv.setUint32(8 + data.length, crc32(out.subarray(4, 8 + data.length)));
  return out;
}
