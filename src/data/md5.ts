/**
 * MD5 (RFC 1321), in plain TypeScript so checksums work the same in Node and in browsers.
 * Used only to verify downloads against the published checksums; MD5 is not a security measure here.
 */

// Per-round shift amounts and the constants K[i] = floor(abs(sin(i + 1)) · 2^32).
const S = [7, 12, 17, 22, 5, 9, 14, 20, 4, 11, 16, 23, 6, 10, 15, 21];
const K = new Int32Array(64);
for (let i = 0; i < 64; i++) K[i] = Math.floor(Math.abs(Math.sin(i + 1)) * 2 ** 32) | 0;

/** An incremental MD5: `update()` with chunks, then `hexDigest()`. */
export class Md5 {
  private a = 0x67452301;
  private b = 0xefcdab89 | 0;
  private c = 0x98badcfe | 0;
  private d = 0x10325476;
  private readonly block = new Uint8Array(64);
  private readonly words = new Int32Array(16);
  private blockLen = 0;
  private total = 0;

  update(bytes: Uint8Array): this {
    let pos = 0;
    this.total += bytes.length;
    if (this.blockLen > 0) {
      const take = Math.min(64 - this.blockLen, bytes.length);
      this.block.set(bytes.subarray(0, take), this.blockLen);
      this.blockLen += take;
      pos = take;
      if (this.blockLen < 64) return this;
      this.compress(this.block, 0);
      this.blockLen = 0;
    }
    for (; pos + 64 <= bytes.length; pos += 64) this.compress(bytes, pos);
    if (pos < bytes.length) {
      this.block.set(bytes.subarray(pos), 0);
      this.blockLen = bytes.length - pos;
    }
    return this;
  }

  hexDigest(): string {
    const bitLen = this.total * 8;
    const padLen = this.blockLen < 56 ? 56 - this.blockLen : 120 - this.blockLen;
    const tail = new Uint8Array(padLen + 8);
    tail[0] = 0x80;
    // Message length in bits, little-endian 64-bit.
    const lo = bitLen >>> 0;
    const hi = Math.floor(bitLen / 2 ** 32) >>> 0;
    for (let i = 0; i < 4; i++) {
      tail[padLen + i] = (lo >>> (8 * i)) & 0xff;
      tail[padLen + 4 + i] = (hi >>> (8 * i)) & 0xff;
    }
    const total = this.total;
    this.update(tail);
    this.total = total;
    let hex = "";
    for (const v of [this.a, this.b, this.c, this.d])
      for (let i = 0; i < 4; i++) hex += ((v >>> (8 * i)) & 0xff).toString(16).padStart(2, "0");
    return hex;
  }

  private compress(buf: Uint8Array, off: number): void {
    const w = this.words;
    for (let i = 0; i < 16; i++) {
      const j = off + 4 * i;
      w[i] = buf[j]! | (buf[j + 1]! << 8) | (buf[j + 2]! << 16) | (buf[j + 3]! << 24);
    }
    let a = this.a, b = this.b, c = this.c, d = this.d;
    for (let i = 0; i < 64; i++) {
      let f: number, g: number;
      if (i < 16) { f = (b & c) | (~b & d); g = i; }
      else if (i < 32) { f = (d & b) | (~d & c); g = (5 * i + 1) & 15; }
      else if (i < 48) { f = b ^ c ^ d; g = (3 * i + 5) & 15; }
      else { f = c ^ (b | ~d); g = (7 * i) & 15; }
      const x = (a + f + K[i]! + w[g]!) | 0;
      const s = S[(i >> 4) * 4 + (i & 3)]!;
      a = d; d = c; c = b;
      b = (b + ((x << s) | (x >>> (32 - s)))) | 0;
    }
    this.a = (this.a + a) | 0;
    this.b = (this.b + b) | 0;
    this.c = (this.c + c) | 0;
    this.d = (this.d + d) | 0;
  }
}

/** Hex MD5 digest of `bytes`. */
export function md5(bytes: Uint8Array): string {
  return new Md5().update(bytes).hexDigest();
}
