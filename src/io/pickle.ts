/**
 * A restricted Python unpickler and a small pickler, for the `data.pkl` record of `torch.save` files.
 *
 * The unpickler runs the pickle virtual machine (protocols 1–5: the opcodes `torch.save` and
 * Python's `pickle` write at those protocols, including protocol 1's text-mode INT and LONG, but not
 * protocol 0's other text-mode opcodes) but never
 * imports or calls anything itself: every `GLOBAL` goes through the caller's `resolveGlobal`, which
 * refuses all but an allow-list, and `REDUCE`, `BUILD` and persistent ids go through the caller's
 * hooks. That is how `torch.load(weights_only=True)` is safe, and it is why loading a file cannot
 * run code. Python values come out as: None → null, bool, int → number (bigint beyond ±2^53),
 * float → number, str → string, bytes → Uint8Array, list → array, tuple → `PyTuple`,
 * dict → `PyDict` (insertion order kept), set/frozenset → `PySet`.
 *
 * The pickler writes protocol 2 with the opcodes torch 1.13's own weights-only unpickler accepts
 * (plus BINFLOAT), as Python's pickle writes them.
 */
import { TensileError } from "../errors.js";

/** A Python tuple (kept distinct from lists while unpickling; both become arrays in the end). */
export class PyTuple {
  constructor(readonly items: unknown[]) {}
}

/** A Python set or frozenset. */
export class PySet {
  constructor(readonly items: unknown[]) {}
}

/** A Python dict: entries in insertion order; str, int, float, bool and None keys compare by value. */
export class PyDict {
  readonly entries = new Map<unknown, [unknown, unknown]>();
  set(key: unknown, value: unknown): void {
    const id = dictKeyId(key);
    const had = this.entries.get(id);
    if (had) had[1] = value;
    else this.entries.set(id, [key, value]);
  }
}

function dictKeyId(key: unknown): unknown {
  if (typeof key === "string") return "s" + key;
  if (typeof key === "number" || typeof key === "bigint") return "n" + String(key);
  if (typeof key === "boolean") return "n" + (key ? 1 : 0); // Python: True == 1
  if (key === null) return "None";
  return key; // anything else by identity
}

/** A global the caller allowed (`module.name`), pushed by GLOBAL and STACK_GLOBAL. */
export class PyGlobal {
  constructor(readonly module: string, readonly name: string) {}
  get qualname(): string {
    return `${this.module}.${this.name}`;
  }
}

export interface UnpickleHooks {
  /** Returns the global to push, or throws (the allow-list). */
  resolveGlobal(module: string, name: string): PyGlobal;
  /** `REDUCE`: calls an allowed global with its arguments. */
  reduce(fn: PyGlobal, args: unknown[]): unknown;
  /** `BUILD`: applies `state` to `inst` (returns the object that replaces it on the stack). */
  build(inst: unknown, state: unknown): unknown;
  /** `BINPERSID`: resolves a persistent id (for torch, a storage in the archive). */
  persistentLoad(pid: unknown): unknown;
  /** Throws the caller's error ("<op>: <source>: <record> " + msg). */
  fail(msg: string): never;
}

const MARK = Symbol("mark");
/** Protocol 0's text-mode opcodes Tensile does not run: FLOAT, STRING, UNICODE, DICT, LIST, PUT, GET, PERSID, INST, OBJ. */
const TEXT_MODE = [..."FSVdlpgPio"].map((c) => c.charCodeAt(0));
const utf8 = new TextDecoder("utf-8", { fatal: true });
const latin1 = new TextDecoder("latin1");
const utf8Encoder = new TextEncoder();

/**
 * UTF-8 as Python's pickle writes str ("surrogatepass"): a lone surrogate (which both a JS string and
 * a Python str may hold) is encoded as its 3-byte form instead of being replaced by U+FFFD, so it
 * survives the round trip.
 */
export function encodeStr(s: string): Uint8Array {
  if (!/[\uD800-\uDFFF]/u.test(s)) return utf8Encoder.encode(s); // no lone surrogate
  const out: number[] = [];
  for (let i = 0; i < s.length; i++) {
    const c = s.codePointAt(i)!;
    if (c >= 0xd800 && c <= 0xdfff) out.push(0xe0 | (c >> 12), 0x80 | ((c >> 6) & 0x3f), 0x80 | (c & 0x3f));
    else {
      for (const b of utf8Encoder.encode(String.fromCodePoint(c))) out.push(b);
      if (c > 0xffff) i++;
    }
  }
  return Uint8Array.from(out);
}

/** The reverse of `encodeStr` for bytes strict UTF-8 refuses: surrogates (ED A0–BF xx) allowed, anything else invalid → null. */
function decodeSurrogatePass(b: Uint8Array): string | null {
  let out = "";
  for (let i = 0; i < b.length;) {
    const x = b[i]!;
    const n = x < 0x80 ? 0 : x >= 0xc2 && x < 0xe0 ? 1 : x >= 0xe0 && x < 0xf0 ? 2 : x >= 0xf0 && x < 0xf5 ? 3 : -1;
    if (n < 0 || i + n >= b.length + (n ? 0 : 1)) return null;
    let c = n === 0 ? x : x & (0x3f >> n);
    for (let k = 1; k <= n; k++) {
      const y = b[i + k]!;
      if ((y & 0xc0) !== 0x80) return null;
      c = (c << 6) | (y & 0x3f);
    }
    if ((n === 2 && c < 0x800) || (n === 3 && (c < 0x10000 || c > 0x10ffff))) return null; // overlong, too large
    out += String.fromCodePoint(c);
    i += n + 1;
  }
  return out;
}

/** Little-endian two's complement bytes → number when safe, else bigint. */
function decodeLong(b: Uint8Array): number | bigint {
  if (b.length === 0) return 0;
  let v = 0n;
  for (let i = b.length - 1; i >= 0; i--) v = (v << 8n) | BigInt(b[i]!);
  if (b[b.length - 1]! & 0x80) v -= 1n << BigInt(8 * b.length);
  return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
}

/** Runs a pickle program and returns the object STOP leaves. */
export function unpickle(bytes: Uint8Array, hooks: UnpickleHooks): unknown {
  return unpickleAt(bytes, 0, hooks).value;
}

/**
 * Runs the pickle program that starts at byte `start` (a stream may hold several, as PyTorch's
 * legacy format does) and returns the object STOP leaves and the position after the STOP.
 */
export function unpickleAt(bytes: Uint8Array, start: number, hooks: UnpickleHooks): { value: unknown; end: number } {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const fail = hooks.fail;
  let pos = start;
  let stack: unknown[] = [];
  const marks: unknown[][] = [];
  const memo = new Map<number, unknown>();

  const need = (n: number, what: string) => {
    if (pos + n > bytes.length) fail(`is truncated: ${what} at byte ${pos} needs ${n} bytes but only ${bytes.length - pos} remain`);
  };
  const take = (n: number, what: string) => {
    need(n, what);
    const b = bytes.subarray(pos, pos + n);
    pos += n;
    return b;
  };
  const u8 = () => (need(1, "an argument"), bytes[pos++]!);
  const u32 = () => (need(4, "an argument"), (pos += 4), view.getUint32(pos - 4, true));
  const u64 = (what: string) => {
    need(8, what);
    const v = view.getBigUint64(pos, true);
    pos += 8;
    if (v > BigInt(bytes.length)) fail(`is malformed: ${what} of ${v} bytes at byte ${pos - 8} is longer than the record`);
    return Number(v);
  };
  const line = () => {
    const end = bytes.indexOf(0x0a, pos);
    if (end < 0) fail(`is truncated: a text argument (a GLOBAL name, an INT or LONG) at byte ${pos} has no end of line`);
    const s = latin1.decode(bytes.subarray(pos, end));
    pos = end + 1;
    return s;
  };
  const str = (n: number) => {
    const b = take(n, "a string");
    try {
      return utf8.decode(b);
    } catch {
      const s = decodeSurrogatePass(b); // Python's pickle writes lone surrogates ("surrogatepass")
      if (s !== null) return s;
      return fail(`is malformed: the string at byte ${pos - n} is not valid UTF-8`);
    }
  };
  const pop = (): unknown => {
    if (stack.length === 0) fail(`is malformed: opcode at byte ${pos - 1} pops an empty stack`);
    const v = stack.pop();
    if (v === MARK) fail(`is malformed: opcode at byte ${pos - 1} pops a MARK`);
    return v;
  };
  const top = (): unknown => {
    if (stack.length === 0 || stack[stack.length - 1] === MARK) fail(`is malformed: opcode at byte ${pos - 1} needs a value on the stack`);
    return stack[stack.length - 1];
  };
  const popMark = (): unknown[] => {
    const items = stack;
    const prev = marks.pop();
    if (!prev) fail(`is malformed: opcode at byte ${pos - 1} needs a MARK`);
    stack = prev!;
    return items;
  };
  const get = (i: number) => {
    if (!memo.has(i)) fail(`is malformed: memo entry ${i} (byte ${pos}) was never stored`);
    stack.push(memo.get(i));
  };
  const put = (i: number) => memo.set(i, top());
  const setItems = (dict: unknown, items: unknown[]) => {
    if (!(dict instanceof PyDict)) fail(`is malformed: SETITEM(S) at byte ${pos - 1} on something that is not a dict`);
    if (items.length % 2) fail(`is malformed: SETITEMS at byte ${pos - 1} has an odd number of items`);
    for (let i = 0; i < items.length; i += 2) (dict as PyDict).set(items[i], items[i + 1]);
  };
  const appendTo = (list: unknown, items: unknown[]) => {
    if (list instanceof PySet) list.items.push(...items);
    else if (Array.isArray(list)) list.push(...items);
    else fail(`is malformed: APPEND(S)/ADDITEMS at byte ${pos - 1} on something that is not a list or set`);
  };

  for (;;) {
    if (pos >= bytes.length) fail(`is truncated: it ends at byte ${pos} without a STOP opcode`);
    const at = pos;
    const op = bytes[pos++]!;
    switch (op) {
      case 0x80: { // PROTO
        const p = u8();
        if (p > 5) fail(`uses pickle protocol ${p}; Tensile reads protocols 2 to 5`);
        break;
      }
      case 0x95: take(8, "FRAME"); break; // FRAME: a length hint only
      case 0x2e: { // STOP
        const value = pop();
        return { value, end: pos };
      }
      case 0x28: marks.push(stack); stack = []; break; // MARK
      case 0x30: pop(); break; // POP
      case 0x31: popMark(); break; // POP_MARK
      case 0x32: stack.push(top()); break; // DUP
      case 0x4e: stack.push(null); break; // NONE
      case 0x88: stack.push(true); break; // NEWTRUE
      case 0x89: stack.push(false); break; // NEWFALSE
      case 0x4a: need(4, "BININT"); stack.push(view.getInt32(pos, true)); pos += 4; break;
      case 0x4b: stack.push(u8()); break; // BININT1
      case 0x4d: need(2, "BININT2"); stack.push(view.getUint16(pos, true)); pos += 2; break;
      case 0x8a: stack.push(decodeLong(take(u8(), "LONG1"))); break;
      case 0x49: case 0x4c: { // INT, LONG: decimal text lines (protocol 1 writes bools as INT "01"/"00", big ints as LONG "…L")
        const text = line();
        if (op === 0x49 && (text === "00" || text === "01")) { stack.push(text === "01"); break; }
        const digits = op === 0x4c && text.endsWith("L") ? text.slice(0, -1) : text;
        if (!/^[+-]?[0-9]{1,4300}$/.test(digits)) fail(`is malformed: ${op === 0x49 ? "INT" : "LONG"} at byte ${at} holds ${JSON.stringify(text.slice(0, 40))}, not a decimal integer`);
        const v = BigInt(digits);
        stack.push(v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v);
        break;
      }
      case 0x8b: {
        need(4, "LONG4");
        const n = view.getInt32(pos, true);
        pos += 4;
        if (n < 0) fail(`is malformed: LONG4 at byte ${at} has a negative length`);
        stack.push(decodeLong(take(n, "LONG4")));
        break;
      }
      case 0x47: need(8, "BINFLOAT"); stack.push(view.getFloat64(pos, false)); pos += 8; break;
      case 0x58: stack.push(str(u32())); break; // BINUNICODE
      case 0x8c: stack.push(str(u8())); break; // SHORT_BINUNICODE
      case 0x8d: stack.push(str(u64("BINUNICODE8"))); break;
      case 0x55: stack.push(latin1.decode(take(u8(), "SHORT_BINSTRING"))); break; // Python 2 str
      case 0x54: stack.push(latin1.decode(take(u32(), "BINSTRING"))); break;
      case 0x43: stack.push(take(u8(), "SHORT_BINBYTES").slice()); break;
      case 0x42: stack.push(take(u32(), "BINBYTES").slice()); break;
      case 0x8e: stack.push(take(u64("BINBYTES8"), "BINBYTES8").slice()); break;
      case 0x96: stack.push(take(u64("BYTEARRAY8"), "BYTEARRAY8").slice()); break;
      case 0x5d: stack.push([]); break; // EMPTY_LIST
      case 0x61: { const v = pop(); appendTo(top(), [v]); break; } // APPEND
      case 0x65: { const items = popMark(); appendTo(top(), items); break; } // APPENDS
      case 0x29: stack.push(new PyTuple([])); break; // EMPTY_TUPLE
      case 0x74: { const items = popMark(); stack.push(new PyTuple(items)); break; } // TUPLE (popMark replaces `stack`)
      case 0x85: stack.push(new PyTuple([pop()])); break; // TUPLE1
      case 0x86: { const b = pop(), a = pop(); stack.push(new PyTuple([a, b])); break; }
      case 0x87: { const c = pop(), b = pop(), a = pop(); stack.push(new PyTuple([a, b, c])); break; }
      case 0x7d: stack.push(new PyDict()); break; // EMPTY_DICT
      case 0x73: { const v = pop(), k = pop(); setItems(top(), [k, v]); break; } // SETITEM
      case 0x75: { const items = popMark(); setItems(top(), items); break; } // SETITEMS
      case 0x8f: stack.push(new PySet([])); break; // EMPTY_SET
      case 0x90: { const items = popMark(); appendTo(top(), items); break; } // ADDITEMS
      case 0x91: { const items = popMark(); stack.push(new PySet(items)); break; } // FROZENSET
      case 0x63: { const module = line(), name = line(); stack.push(hooks.resolveGlobal(module, name)); break; } // GLOBAL
      case 0x93: { // STACK_GLOBAL
        const name = pop(), module = pop();
        if (typeof module !== "string" || typeof name !== "string") fail(`is malformed: STACK_GLOBAL at byte ${at} needs two strings`);
        stack.push(hooks.resolveGlobal(module as string, name as string));
        break;
      }
      case 0x52: { // REDUCE
        const args = pop(), fn = pop();
        if (!(fn instanceof PyGlobal) || !(args instanceof PyTuple)) fail(`is malformed: REDUCE at byte ${at} needs a global and a tuple of arguments`);
        stack.push(hooks.reduce(fn as PyGlobal, (args as PyTuple).items));
        break;
      }
      case 0x81: case 0x92: { // NEWOBJ, NEWOBJ_EX
        if (op === 0x92) pop();
        pop();
        const cls = pop();
        fail(`asks to instantiate ${cls instanceof PyGlobal ? `the class "${cls.qualname}"` : "a class"} (NEWOBJ at byte ${at}), which Tensile does not do`);
        break;
      }
      case 0x62: { const state = pop(), inst = pop(); stack.push(hooks.build(inst, state)); break; } // BUILD
      case 0x51: stack.push(hooks.persistentLoad(pop())); break; // BINPERSID
      case 0x68: get(u8()); break; // BINGET
      case 0x6a: get(u32()); break; // LONG_BINGET
      case 0x71: put(u8()); break; // BINPUT
      case 0x72: put(u32()); break; // LONG_BINPUT
      case 0x94: put(memo.size); break; // MEMOIZE
      default:
        fail(`has an unknown or unsupported pickle opcode 0x${op.toString(16).padStart(2, "0")}${op >= 0x20 && op < 0x7f ? ` ("${String.fromCharCode(op)}")` : ""} at byte ${at}${
          TEXT_MODE.includes(op) ? `, a text-mode opcode of pickle protocol 0: Tensile reads protocols 1 to 5 (torch.save writes 2 unless given pickle_protocol)` : ""}`);
    }
  }
}

/** Writes protocol-2 pickle opcodes; the caller drives it value by value. */
export class PickleWriter {
  private chunks: number[] = [];
  private memoSize = 0;
  private globals = new Map<string, number>();
  private readonly enc = new TextEncoder();

  constructor() {
    this.byte(0x80, 2); // PROTO 2
  }

  private byte(...b: number[]): void {
    for (const x of b) this.chunks.push(x);
  }
  private u32(v: number): void {
    this.byte(v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, (v >>> 24) & 0xff);
  }
  /** Memoizes the top of the stack and returns its index (BINPUT / LONG_BINPUT). */
  put(): number {
    const i = this.memoSize++;
    if (i < 256) this.byte(0x71, i);
    else { this.byte(0x72); this.u32(i); }
    return i;
  }
  get(i: number): void {
    if (i < 256) this.byte(0x68, i);
    else { this.byte(0x6a); this.u32(i); }
  }
  /** GLOBAL "module\nname\n", memoized so a second use is a BINGET. */
  global(module: string, name: string): void {
    const key = `${module}\n${name}\n`;
    const seen = this.globals.get(key);
    if (seen !== undefined) return this.get(seen);
    this.byte(0x63, ...this.enc.encode(key));
    this.globals.set(key, this.put());
  }
  none(): void { this.byte(0x4e); }
  bool(v: boolean): void { this.byte(v ? 0x88 : 0x89); }
  int(v: number | bigint): void {
    if (typeof v === "number" && v >= 0 && v < 256) return this.byte(0x4b, v);
    if (typeof v === "number" && v >= 0 && v < 65536) return this.byte(0x4d, v & 0xff, v >> 8);
    if (typeof v === "number" && v >= -0x80000000 && v <= 0x7fffffff) { this.byte(0x4a); return this.u32(v); }
    // LONG1: minimal little-endian two's complement.
    let big = BigInt(v);
    const out: number[] = [];
    for (;;) {
      const b = Number(big & 0xffn);
      out.push(b);
      big >>= 8n;
      if ((big === 0n && !(b & 0x80)) || (big === -1n && b & 0x80)) break;
    }
    if (out.length > 255) throw new TensileError(`pickle: integer ${v} is too large`);
    this.byte(0x8a, out.length, ...out);
  }
  float(v: number): void {
    const b = new Uint8Array(8);
    new DataView(b.buffer).setFloat64(0, v, false);
    this.byte(0x47, ...b);
  }
  str(s: string): void {
    const b = encodeStr(s);
    this.byte(0x58);
    this.u32(b.length);
    for (const x of b) this.chunks.push(x);
  }
  mark(): void { this.byte(0x28); }
  /** Builds a tuple from the last `n` values (or from the MARK when n > 3). */
  tuple(n: number): void {
    if (n === 0) this.byte(0x29);
    else if (n <= 3) this.byte(0x84 + n);
    else this.byte(0x74);
  }
  emptyList(): void { this.byte(0x5d); }
  append(): void { this.byte(0x61); }
  appends(): void { this.byte(0x65); }
  emptyDict(): void { this.byte(0x7d); }
  setitem(): void { this.byte(0x73); }
  setitems(): void { this.byte(0x75); }
  reduce(): void { this.byte(0x52); }
  binpersid(): void { this.byte(0x51); }
  finish(): Uint8Array {
    this.byte(0x2e); // STOP
    return Uint8Array.from(this.chunks);
  }
}
