/**
 * A minimal ZIP reader and writer for PyTorch's `torch.save` archives, with no dependencies (Node's
 * zlib does not exist in browsers). `torch.save` (caffe2's `PyTorchStreamWriter`, built on miniz)
 * stores every record uncompressed, so the reader handles the "stored" method only and refuses
 * deflate with a clear error; it checks each entry's CRC-32 when it is read, as miniz does.
 *
 * What the writer produces mirrors `PyTorchStreamWriter`: stored entries, each local header carrying
 * an extra field "FB" padded with "Z"s so that the entry's data begins at a multiple of 64 bytes
 * (torch ≥ 2.1 memory-maps records and relies on it), then the central directory and the end
 * record. Unlike torch it knows every size up front, so it writes sizes and CRC in the local
 * header instead of data descriptors. ZIP64 is read (torch writes ZIP64 end records even for small
 * files) but never written: an archive of 4 GiB or more is refused.
 */
import { TensileError } from "../errors.js";

/** One stored file of an archive: its name and its bytes (a view into the archive). */
export interface ZipEntry {
  name: string;
  data: Uint8Array;
}

const LOCAL_SIG = 0x04034b50, CENTRAL_SIG = 0x02014b50, END_SIG = 0x06054b50;
const END64_SIG = 0x06064b50, LOCATOR64_SIG = 0x07064b50;
const ALIGN = 64;
const MAX32 = 0xffffffff;

let crcTable: Uint32Array | null = null;

/** CRC-32 (IEEE 802.3, reflected, as ZIP and zlib compute it) of `bytes`. */
export function crc32(bytes: Uint8Array): number {
  if (!crcTable) {
    crcTable = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      crcTable[n] = c >>> 0;
    }
  }
  const t = crcTable;
  let c = 0xffffffff;
  for (let i = 0; i < bytes.length; i++) c = t[(c ^ bytes[i]!) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/**
 * Reads the entries of a ZIP archive (in central-directory order) without copying their data.
 * `fail(msg)` throws the caller's error (naming the call and the file); messages here complete the
 * sentence "<source> ...".
 */
export function readZip(bytes: Uint8Array, fail: (msg: string) => never): ZipEntry[] {
  const size = bytes.length;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const u16 = (at: number) => view.getUint16(at, true);
  const u32 = (at: number) => view.getUint32(at, true);
  const u64 = (at: number) => {
    const v = view.getBigUint64(at, true);
    if (v > BigInt(Number.MAX_SAFE_INTEGER)) fail(`is not a valid ZIP archive: a ZIP64 field holds ${v}`);
    return Number(v);
  };

  // The end record is the last 22 bytes, unless a comment (up to 65535 bytes) follows it.
  let end = -1;
  for (let at = size - 22; at >= Math.max(0, size - 22 - 0xffff); at--) {
    if (u32(at) === END_SIG && at + 22 + u16(at + 20) === size) {
      end = at;
      break;
    }
  }
  if (end < 0) {
    if (size >= 4 && u32(0) === LOCAL_SIG)
      fail(`is truncated: it starts like a ZIP archive but has no end-of-central-directory record (${size} bytes)`);
    fail(`is not a ZIP archive (no end-of-central-directory record in its ${size} bytes)`);
  }
  let count = u16(end + 10), dirSize = u32(end + 12), dirOffset = u32(end + 16);
  if (count === 0xffff || dirSize === MAX32 || dirOffset === MAX32) {
    const loc = end - 20;
    if (loc < 0 || u32(loc) !== LOCATOR64_SIG) fail(`is not a valid ZIP archive: its end record points to a ZIP64 record that is missing`);
    const end64 = u64(loc + 8);
    if (end64 + 56 > size || u32(end64) !== END64_SIG) fail(`is not a valid ZIP archive: its ZIP64 end record at byte ${end64} is missing or corrupt`);
    count = u64(end64 + 32);
    dirSize = u64(end64 + 40);
    dirOffset = u64(end64 + 48);
  }
  if (dirOffset + dirSize > size) fail(`is truncated: its central directory (bytes ${dirOffset}–${dirOffset + dirSize}) lies beyond its ${size} bytes`);

  const names = new TextDecoder("utf-8");
  const entries: ZipEntry[] = [];
  let at = dirOffset;
  for (let i = 0; i < count; i++) {
    if (at + 46 > size || u32(at) !== CENTRAL_SIG) fail(`is not a valid ZIP archive: central directory entry ${i} at byte ${at} is corrupt`);
    const flags = u16(at + 8), method = u16(at + 10), crc = u32(at + 16);
    let compSize = u32(at + 20), rawSize = u32(at + 24);
    const nameLen = u16(at + 28), extraLen = u16(at + 30), commentLen = u16(at + 32);
    let local = u32(at + 42);
    if (at + 46 + nameLen + extraLen + commentLen > size)
      fail(`is not a valid ZIP archive: central directory entry ${i} at byte ${at} (name, extra field and comment of ${nameLen + extraLen + commentLen} bytes) runs past the end of the file`);
    const name = names.decode(bytes.subarray(at + 46, at + 46 + nameLen));
    // ZIP64 extended information: the saturated fields, in this order, each inside the field.
    const extraEnd = at + 46 + nameLen + extraLen;
    for (let e = at + 46 + nameLen; e + 4 <= extraEnd;) {
      const id = u16(e), len = u16(e + 2);
      if (id === 0x0001) {
        let p = e + 4;
        const field = (what: string) => {
          if (p + 8 > Math.min(e + 4 + len, extraEnd)) fail(`is not a valid ZIP archive: the ZIP64 extra field of "${name}" is too short to hold its ${what}`);
          const v = u64(p);
          p += 8;
          return v;
        };
        if (rawSize === MAX32) rawSize = field("size");
        if (compSize === MAX32) compSize = field("compressed size");
        if (local === MAX32) local = field("local header offset");
      }
      e += 4 + len;
    }
    at += 46 + nameLen + extraLen + commentLen;
    if (flags & 1) fail(`holds an encrypted entry "${name}"; Tensile reads only unencrypted archives`);
    if (local + 30 > size || u32(local) !== LOCAL_SIG) fail(`is not a valid ZIP archive: the local header of "${name}" (byte ${local}) is missing or corrupt`);
    const dataStart = local + 30 + u16(local + 26) + u16(local + 28);
    if (dataStart + compSize > size)
      fail(`is truncated: entry "${name}" needs bytes ${dataStart}–${dataStart + compSize} but the file has ${size}`);
    if (method !== 0) {
      const how = method === 8 ? "deflate" : `method ${method}`;
      fail(`stores entry "${name}" compressed (${how}); Tensile reads only stored (uncompressed) entries, as torch.save writes them: re-save the file with torch.save`);
    }
    if (compSize !== rawSize) fail(`is not a valid ZIP archive: stored entry "${name}" has a compressed size ${compSize} ≠ its size ${rawSize}`);
    const data = bytes.subarray(dataStart, dataStart + compSize);
    let checked = false;
    entries.push({
      name,
      get data() {
        if (!checked) {
          const got = crc32(data);
          if (got !== crc) fail(`is corrupted: entry "${name}" has CRC-32 ${hex(got)} but the archive records ${hex(crc)}`);
          checked = true;
        }
        return data;
      },
    });
  }
  return entries;
}

const hex = (n: number) => "0x" + n.toString(16).padStart(8, "0");

/**
 * Writes a ZIP archive of stored entries, each entry's data aligned to 64 bytes as torch's writer
 * aligns it. `op` names the call in errors.
 */
export function writeZip(entries: readonly ZipEntry[], op: string): Uint8Array {
  const utf8 = new TextEncoder();
  const names = entries.map((e) => utf8.encode(e.name));
  // Layout pass: local header (30) + name + "FB" extra (4 + padding) + data, for each entry.
  const offsets: number[] = [];
  const pads: number[] = [];
  let at = 0;
  entries.forEach((e, i) => {
    offsets.push(at);
    const start = at + 30 + names[i]!.length + 4;
    const pad = (ALIGN - (start % ALIGN)) % ALIGN;
    pads.push(pad);
    at = start + pad + e.data.length;
  });
  const dirOffset = at;
  const dirSize = names.reduce((s, n) => s + 46 + n.length, 0);
  const total = dirOffset + dirSize + 22;
  if (total > MAX32 || entries.length >= 0xffff)
    throw new TensileError(`${op}: the archive would hold ${total} bytes in ${entries.length} entries; Tensile writes ZIP files below 4 GiB and 65535 entries (no ZIP64)`);

  const out = new Uint8Array(total);
  const v = new DataView(out.buffer);
  const crcs = entries.map((e) => crc32(e.data));
  // Version 2.0, flag bit 11 (names are UTF-8), stored, DOS time 00:00 and date 1980-01-01.
  const common = (p: number, i: number) => {
    v.setUint16(p, 20, true);
    v.setUint16(p + 2, 0x0800, true);
    v.setUint16(p + 4, 0, true);
    v.setUint16(p + 6, 0, true);
    v.setUint16(p + 8, 0x21, true);
    v.setUint32(p + 10, crcs[i]!, true);
    v.setUint32(p + 14, entries[i]!.data.length, true);
    v.setUint32(p + 18, entries[i]!.data.length, true);
    v.setUint16(p + 22, names[i]!.length, true);
  };
  entries.forEach((e, i) => {
    const p = offsets[i]!;
    v.setUint32(p, LOCAL_SIG, true);
    common(p + 4, i);
    v.setUint16(p + 28, 4 + pads[i]!, true);
    out.set(names[i]!, p + 30);
    const x = p + 30 + names[i]!.length;
    out[x] = 0x46; // "FB": torch's padding field
    out[x + 1] = 0x42;
    v.setUint16(x + 2, pads[i]!, true);
    out.fill(0x5a, x + 4, x + 4 + pads[i]!); // "Z"
    out.set(e.data, x + 4 + pads[i]!);
  });
  let c = dirOffset;
  entries.forEach((_, i) => {
    v.setUint32(c, CENTRAL_SIG, true);
    v.setUint16(c + 4, 20, true); // made by: version 2.0, MS-DOS
    common(c + 6, i);
    // extra, comment, disk number, internal and external attributes: all zero.
    v.setUint32(c + 42, offsets[i]!, true);
    out.set(names[i]!, c + 46);
    c += 46 + names[i]!.length;
  });
  v.setUint32(c, END_SIG, true);
  v.setUint16(c + 8, entries.length, true);
  v.setUint16(c + 10, entries.length, true);
  v.setUint32(c + 12, dirSize, true);
  v.setUint32(c + 16, dirOffset, true);
  return out;
}
