/**
 * A protocol-buffer writer, by hand: the few wire types the ONNX exporter (proto2 messages) and the
 * TensorBoard writer (proto3) need. Fields go out in the order they are added; callers add them in
 * field-number order, as Python's and C++'s serializers write them, so the bytes match theirs.
 */
export class Pb {
  private parts: number[] = [];
  /**
   * `proto3`: scalar fields at their default (0, "", no elements) are left out, as proto3
   * serializers do. A float is written whatever its value (the proto3 fields written here as floats
   * are oneof members, which are written when set).
   */
  constructor(private readonly proto3 = false) {}
  private bytes(b: ArrayLike<number>): void {
    for (let i = 0; i < b.length; i++) this.parts.push(b[i]!);
  }
  private varint(v: number | bigint): void {
    let x = BigInt.asUintN(64, BigInt(v));
    while (x >= 0x80n) {
      this.parts.push(Number(x & 0x7fn) | 0x80);
      x >>= 7n;
    }
    this.parts.push(Number(x));
  }
  private key(field: number, wire: number): void {
    this.varint((field << 3) | wire);
  }
  /** `present`: write it even at its default (a proto3 `oneof` member that is set). */
  int(field: number, v: number, present = false): this {
    if (this.proto3 && v === 0 && !present) return this;
    this.key(field, 0);
    this.varint(v);
    return this;
  }
  float(field: number, v: number): this {
    this.key(field, 5);
    const b = new Uint8Array(4);
    new DataView(b.buffer).setFloat32(0, v, true);
    this.bytes(b);
    return this;
  }
  double(field: number, v: number, present = false): this {
    // proto3 leaves out a double whose bits are all zero: +0, not -0
    if (this.proto3 && Object.is(v, 0) && !present) return this;
    this.key(field, 1);
    const b = new Uint8Array(8);
    new DataView(b.buffer).setFloat64(0, v, true);
    this.bytes(b);
    return this;
  }
  /** A packed repeated double field (left out when empty). */
  packedDoubles(field: number, vs: readonly number[]): this {
    if (!vs.length) return this;
    const b = new Uint8Array(8 * vs.length);
    const dv = new DataView(b.buffer);
    vs.forEach((v, i) => dv.setFloat64(8 * i, v, true));
    return this.raw(field, b);
  }
  raw(field: number, b: Uint8Array): this {
    this.key(field, 2);
    this.varint(b.length);
    this.bytes(b);
    return this;
  }
  str(field: number, s: string, present = false): this {
    if (this.proto3 && s === "" && !present) return this;
    return this.raw(field, new TextEncoder().encode(s));
  }
  msg(field: number, m: Pb): this {
    return this.raw(field, m.finish());
  }
  finish(): Uint8Array {
    return Uint8Array.from(this.parts);
  }
}
