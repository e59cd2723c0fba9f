import type { Tensor } from "./tensor.js";
import { TensileError, fmtValue } from "../errors.js";

/** How tensors print (`toString`), as PyTorch's `torch.set_printoptions`. */
export interface PrintOptions {
  /** Digits after the decimal point (default 4). */
  precision: number;
  /** Tensors with more elements than this are summarised (default 1000). */
  threshold: number;
  /** Entries shown at each end of a summarised dim (default 3). */
  edgeitems: number;
  /** Characters per line before wrapping (default 80). */
  linewidth: number;
  /** Scientific notation: forced on (true) or off (false), or chosen from the values (null, default). */
  sciMode: boolean | null;
}

const DEFAULTS: PrintOptions = { precision: 4, threshold: 1000, edgeitems: 3, linewidth: 80, sciMode: null };
const PROFILES: Record<string, Omit<PrintOptions, "sciMode">> = {
  default: { precision: 4, threshold: 1000, edgeitems: 3, linewidth: 80 },
  short: { precision: 2, threshold: 1000, edgeitems: 2, linewidth: 80 },
  full: { precision: 4, threshold: Infinity, edgeitems: 3, linewidth: 80 },
};
const opts: PrintOptions = { ...DEFAULTS };

/**
 * Sets how tensors print, as `torch.set_printoptions(precision=, threshold=, edgeitems=, linewidth=,
 * profile=, sci_mode=)`: options left out keep their value, except `sciMode`, which (as in
 * PyTorch 1.13) goes back to automatic unless given. `profile` ("default", "short", "full") sets
 * the four numbers first.
 * ```ts
 * setPrintoptions({ precision: 2 });          // tensor([0.33, 0.67])
 * setPrintoptions({ profile: "full" });       // never summarise
 * setPrintoptions({ profile: "default" });    // back to PyTorch's defaults
 * ```
 */
export function setPrintoptions(o: Partial<PrintOptions> & { profile?: "default" | "short" | "full" } = {}): void {
  const op = "setPrintoptions";
  if (o === null || typeof o !== "object" || Array.isArray(o)) throw new TensileError(`${op}: expected an options object, got ${fmtValue(o)}`);
  for (const k of Object.keys(o))
    if (!["precision", "threshold", "edgeitems", "linewidth", "sciMode", "profile"].includes(k))
      throw new TensileError(`${op}: unknown option "${k}" (expected precision, threshold, edgeitems, linewidth, profile or sciMode)`);
  const next: PrintOptions = { ...opts };
  if (o.profile !== undefined) {
    const p = PROFILES[o.profile as string];
    if (!p) throw new TensileError(`${op}: profile must be "default", "short" or "full", got ${fmtValue(o.profile)}`);
    Object.assign(next, p);
  }
  const count = (k: "precision" | "edgeitems" | "linewidth", max = Infinity) => {
    const v = o[k];
    if (v === undefined) return;
    if (!Number.isInteger(v) || v < 0 || v > max) throw new TensileError(`${op}: ${k} must be a non-negative integer${max < Infinity ? ` up to ${max}` : ""}, got ${fmtValue(v)}`);
    next[k] = v;
  };
  count("precision", 100);
  count("edgeitems");
  count("linewidth");
  if (o.threshold !== undefined) {
    if (typeof o.threshold !== "number" || !(o.threshold >= 0)) throw new TensileError(`${op}: threshold must be a non-negative number (Infinity: never summarise), got ${fmtValue(o.threshold)}`);
    next.threshold = o.threshold;
  }
  if (o.sciMode !== undefined && o.sciMode !== null && typeof o.sciMode !== "boolean")
    throw new TensileError(`${op}: sciMode must be true, false or null, got ${fmtValue(o.sciMode)}`);
  next.sciMode = o.sciMode ?? null;
  Object.assign(opts, next);
}

/** The current print options (a copy). */
export function getPrintoptions(): PrintOptions {
  return { ...opts };
}

/** `v.toFixed(digits)` rounded as Python's `format` rounds (exact ties to even), keeping the sign of −0. */
function fixed(v: number, digits: number): string {
  const a = Math.abs(v);
  let s = a.toFixed(digits);
  // toFixed breaks exact ties upward; an exact tie at d decimals is an odd multiple of 2^-(d+1)
  const scaled = a * 10 ** digits;
  if (Number.isInteger(a * 2 ** (digits + 1)) && scaled - Math.floor(scaled) === 0.5 && Math.floor(scaled) % 2 === 0) s = (Math.floor(scaled) / 10 ** digits).toFixed(digits);
  return (v < 0 || Object.is(v, -0) ? "-" : "") + s;
}

/** Python's `"{:.4e}"`: at least two exponent digits, the sign of −0 kept. */
function exponential(v: number, digits: number): string {
  const s = Math.abs(v).toExponential(digits).replace(/e([+-])(\d)$/, "e$10$2");
  return (v < 0 || Object.is(v, -0) ? "-" : "") + s;
}

/** Indices shown along a dim of size n: all, or the first and last `edgeitems` (with -1 for the "..." when `gap`). */
function edgeIndices(n: number, summarise: boolean, gap: boolean): number[] {
  const e = opts.edgeitems;
  if (!summarise || n <= 2 * e) return [...Array(n).keys()];
  const head = [...Array(e).keys()], tail = head.map((i) => n - e + i);
  return gap ? [...head, -1, ...tail] : [...head, ...tail];
}

/** The flat indices PyTorch's printer shows: all of them, or the first and last `edgeitems` along each dim when summarised. */
function shownIndices(shape: readonly number[], summarise: boolean): number[] {
  const out: number[] = [];
  const strides = shape.map((_, d) => shape.slice(d + 1).reduce((a, b) => a * b, 1));
  const walk = (d: number, off: number): void => {
    if (d === shape.length) {
      out.push(off);
      return;
    }
    const n = shape[d]!;
    const idx = edgeIndices(n, summarise, false);
    for (const i of idx) walk(d + 1, off + i * strides[d]!);
  };
  walk(0, 0);
  return out;
}

/**
 * PyTorch's repr, as `torch._tensor_str` (1.13) writes it with the print options (`setPrintoptions`;
 * by default 4 digits, widths and scientific notation chosen from the nonzero finite values shown,
 * lines wrapped at 80 characters, and the first and last 3 entries of each dim past 1000 elements).
 * `tensor([[1.0000, 2.0000]], requires_grad=True)`.
 */
export function formatTensor(t: Tensor): string {
  const flat = t.dataSync() as ArrayLike<number>;
  const isFloat = t.dtype === "float32" || t.dtype === "float64";
  const { precision: PRECISION, linewidth: LINEWIDTH } = opts;
  const summarise = t.numel() > opts.threshold;
  const shown = shownIndices(t.shape, summarise).map((i) => Number(flat[i]));
  let sci = false, intMode = true, width = 1;
  if (!isFloat) {
    for (const v of shown) width = Math.max(width, (t.dtype === "bool" ? (v ? "True" : "False") : String(v)).length);
  } else {
    const nz = shown.filter((v) => Number.isFinite(v) && v !== 0);
    if (nz.length > 0) {
      const max = nz.reduce((m, v) => Math.max(m, Math.abs(v)), 0), min = nz.reduce((m, v) => Math.min(m, Math.abs(v)), Infinity);
      intMode = nz.every((v) => v === Math.ceil(v));
      sci = max / min > 1000 || max > 1e8 || (!intMode && min < 1e-4);
      for (const v of nz) width = Math.max(width, sci ? exponential(v, PRECISION).length : intMode ? fixed(v, 0).length + 1 : fixed(v, PRECISION).length);
    }
    // a forced mode keeps the width the values chose, as PyTorch's formatter does
    if (opts.sciMode !== null) sci = opts.sciMode;
  }
  const fmt = (v: number): string => {
    let s: string;
    if (t.dtype === "bool") s = v ? "True" : "False";
    else if (!isFloat) s = String(v);
    else if (Number.isNaN(v)) s = "nan";
    else if (!Number.isFinite(v)) s = v > 0 ? "inf" : "-inf";
    else if (sci) s = exponential(v, PRECISION);
    else if (intMode) s = `${fixed(v, 0)}.`;
    else s = fixed(v, PRECISION);
    return s.padStart(width);
  };
  const indent0 = "tensor(".length;
  const strides = t.shape.map((_, d) => t.shape.slice(d + 1).reduce((a, b) => a * b, 1));
  const build = (d: number, off: number, indent: number): string => {
    if (t.ndim === 0) return fmt(Number(flat[0]));
    const n = t.shape[d]!;
    const idx = edgeIndices(n, summarise, true);
    if (d === t.ndim - 1) {
      const items = idx.map((i) => (i < 0 ? " ..." : fmt(Number(flat[off + i]))));
      const perLine = Math.max(1, Math.floor((LINEWIDTH - indent) / (width + 2)));
      const lines: string[] = [];
      for (let i = 0; i < items.length; i += perLine) lines.push(items.slice(i, i + perLine).join(", "));
      return "[" + lines.join(",\n" + " ".repeat(indent + 1)) + "]";
    }
    const sep = "," + "\n".repeat(t.ndim - 1 - d) + " ".repeat(indent + 1);
    return "[" + idx.map((i) => (i < 0 ? "..." : build(d + 1, off + i * strides[d]!, indent + 1))).join(sep) + "]";
  };
  const body = t.numel() === 0 ? "[]" : build(0, 0, indent0);
  const extras: string[] = [];
  if (t.numel() === 0 && t.ndim !== 1) extras.push(`size=(${t.shape.join(", ")})`); // as NumPy, PyTorch names only shapes other than (0,)
  if (t.dtype !== "float32" && t.dtype !== "int32" && t.dtype !== "bool") extras.push(`dtype=${t.dtype}`);
  if (t.dtype === "int32") extras.push("dtype=int32");
  if (t.gradFn) extras.push(`grad_fn=<${t.gradFn.name[0]!.toUpperCase()}${t.gradFn.name.slice(1)}Backward0>`);
  else if (t.requiresGrad) extras.push("requires_grad=True");
  return `tensor(${body}${extras.map((e) => ", " + e).join("")})`;
}
