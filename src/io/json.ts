/**
 * A strict JSON reader for safetensors headers and checkpoint metadata.
 *
 * `JSON.parse` silently keeps the last of two equal keys; a safetensors header with a duplicated
 * tensor name is malformed (two descriptions of one tensor), so this reader rejects it and says
 * where. Objects come back with a null prototype, so a key such as `__proto__` is plain data.
 */
import { TensileError } from "../errors.js";

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** Parses `text` as one JSON value; `what` names the text in errors (`load: model.safetensors: header`). */
export function parseJsonStrict(text: string, what: string): Json {
  let i = 0;
  const fail = (msg: string, kind = "is not valid JSON: "): never => {
    const at = text.slice(Math.max(0, i - 20), i + 20).replace(/\s+/g, " ");
    throw new TensileError(`${what} ${kind}${msg} at character ${i} (near ${JSON.stringify(at)})`);
  };
  const ws = (): void => {
    while (i < text.length && (text[i] === " " || text[i] === "\n" || text[i] === "\r" || text[i] === "\t")) i++;
  };
  const str = (): string => {
    if (text[i] !== '"') fail("expected a string");
    i++;
    let out = "";
    for (;;) {
      const j = i;
      while (i < text.length && text[i] !== '"' && text[i] !== "\\" && text.charCodeAt(i) >= 0x20) i++;
      out += text.slice(j, i);
      if (i >= text.length) fail("unterminated string");
      const c = text[i]!;
      if (c === '"') {
        i++;
        return out;
      }
      if (c !== "\\") fail("control character in string");
      const e = text[i + 1];
      const simple: Record<string, string> = { '"': '"', "\\": "\\", "/": "/", b: "\b", f: "\f", n: "\n", r: "\r", t: "\t" };
      if (e !== undefined && e in simple) {
        out += simple[e];
        i += 2;
      } else if (e === "u" && /^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6))) {
        out += String.fromCharCode(parseInt(text.slice(i + 2, i + 6), 16));
        i += 6;
      } else {
        fail("bad escape in string");
      }
    }
  };
  const value = (depth: number): Json => {
    if (depth > 64) fail("nesting deeper than 64 levels");
    ws();
    const c = text[i];
    if (c === "{") {
      i++;
      const obj = Object.create(null) as { [key: string]: Json };
      ws();
      if (text[i] === "}") {
        i++;
        return obj;
      }
      for (;;) {
        ws();
        const keyAt = i;
        const key = str();
        if (Object.prototype.hasOwnProperty.call(obj, key)) {
          i = keyAt;
          fail(`a duplicate key ${JSON.stringify(key)}`, "has ");
        }
        ws();
        if (text[i] !== ":") fail("expected ':'");
        i++;
        obj[key] = value(depth + 1);
        ws();
        if (text[i] === ",") i++;
        else if (text[i] === "}") {
          i++;
          return obj;
        } else fail("expected ',' or '}'");
      }
    }
    if (c === "[") {
      i++;
      const arr: Json[] = [];
      ws();
      if (text[i] === "]") {
        i++;
        return arr;
      }
      for (;;) {
        arr.push(value(depth + 1));
        ws();
        if (text[i] === ",") i++;
        else if (text[i] === "]") {
          i++;
          return arr;
        } else fail("expected ',' or ']'");
      }
    }
    if (c === '"') return str();
    const m = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(text.slice(i, i + 400));
    if (m) {
      i += m[0].length;
      return Number(m[0]);
    }
    for (const [lit, v] of [["true", true], ["false", false], ["null", null]] as const) {
      if (text.startsWith(lit, i)) {
        i += lit.length;
        return v;
      }
    }
    return fail(i >= text.length ? "unexpected end" : `unexpected character ${JSON.stringify(c)}`);
  };
  const v = value(0);
  ws();
  if (i < text.length) fail("unexpected text after the value");
  return v;
}

/** True for a parsed JSON object (not an array, not null). */
export function isJsonObject(v: unknown): v is { [key: string]: Json } {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}
