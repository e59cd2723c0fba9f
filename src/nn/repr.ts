/**
 * Python-style formatting for module reprs, so `String(model)` reads exactly like PyTorch's
 * `print(model)`: `True`/`False`, floats with a trailing `.0` (`alpha=1.0`), Python's exponent
 * form (`1e-05`), tuples (`(2, 5)`, `(3,)`), quoted strings (`'none'`).
 */

/** Python's `repr(float(x))`. */
export function pyFloat(x: number): string {
  if (Number.isNaN(x)) return "nan";
  if (!Number.isFinite(x)) return x > 0 ? "inf" : "-inf";
  if (x === 0) return Object.is(x, -0) ? "-0.0" : "0.0";
  // Python switches to scientific notation when the decimal exponent is < -4 or >= 16 (JS at -7 / 21).
  const [mant, e] = x.toExponential().split("e") as [string, string];
  const e10 = Number(e);
  if (e10 < -4 || e10 >= 16) return `${mant}e${e10 < 0 ? "-" : "+"}${String(Math.abs(e10)).padStart(2, "0")}`;
  const s = String(x);
  return s.includes(".") ? s : `${s}.0`;
}

/** Python's `repr` of a bool, number (as an int when integral), string, null or array (as a tuple). */
export function pyRepr(v: unknown): string {
  if (v === null || v === undefined) return "None";
  if (typeof v === "boolean") return v ? "True" : "False";
  if (typeof v === "number") return Number.isInteger(v) ? String(v) : pyFloat(v);
  if (typeof v === "string") return `'${v}'`;
  if (Array.isArray(v)) return v.length === 1 ? `(${pyRepr(v[0])},)` : `(${v.map(pyRepr).join(", ")})`;
  return String(v);
}

/** PyTorch's `_addindent`: indents every line but the first by `n` spaces. */
export function addIndent(s: string, n: number): string {
  const lines = s.split("\n");
  if (lines.length === 1) return s;
  const pad = " ".repeat(n);
  return [lines[0], ...lines.slice(1).map((l) => pad + l)].join("\n");
}
