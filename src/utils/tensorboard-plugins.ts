/**
 * The TensorBoard plugins' data behind `SummaryWriter.addPrCurve`, `addPrCurveRaw`,
 * `addCustomScalars` and `addEmbedding`, as torch 1.13's `torch.utils.tensorboard` makes it:
 *
 * - pr_curves: a 6×numThresholds float tensor summary (TP, FP, TN, FN, precision, recall), computed
 *   as torch's `compute_curve` does (numpy's histogram of the bucketed predictions, float64 sums in
 *   numpy's order), with `PrCurvePluginData` metadata;
 * - custom_scalars: the `Layout` message as the one string of a DT_STRING tensor summary;
 * - projector: `tensors.tsv`, `metadata.tsv` and `sprite.png` under `<logDir>/<step>/<tag>/`, and the
 *   `projector_config.pbtxt` entry (protobuf's text format, as protobuf 6 prints it).
 *
 * Protocol buffers are written by hand (`io/protobuf.ts`), fields in number order, proto3
 * defaults left out, so the records are the bytes Python's protobuf writes.
 */
import { TensileError } from "../errors.js";
import { Tensor } from "../tensor/tensor.js";
import { Pb } from "../io/protobuf.js";
import { builtin, writeFileAtomic } from "../io/atomic.js";
import { encodePng } from "./png.js";

const proto = (): Pb => new Pb(true);

/** SummaryMetadata { plugin_data = 1: PluginData { plugin_name = 1; content = 2 } }. */
function pluginMetadata(name: string, content?: Pb): Pb {
  const data = proto().str(1, name);
  if (content) data.raw(2, content.finish());
  return proto().msg(1, data);
}

/** Summary { value = 1: Value { tag = 1; tensor = 8; metadata = 9 } }. */
const tensorSummary = (tag: string, tensor: Pb, metadata: Pb): Pb => proto().msg(1, proto().str(1, tag).msg(8, tensor).msg(9, metadata));

/** TensorShapeProto { dim = 2: Dim { size = 1 } }. */
function shapeProto(dims: readonly number[]): Pb {
  const s = proto();
  for (const d of dims) s.msg(2, proto().int(1, d));
  return s;
}

/** A DT_FLOAT TensorProto { dtype = 1; tensor_shape = 2; float_val = 5 (packed) }: values rounded to float32 as protobuf does. */
function floatTensor(dims: readonly number[], values: Float64Array): Pb {
  const b = new Uint8Array(4 * values.length);
  const dv = new DataView(b.buffer);
  values.forEach((v, i) => dv.setFloat32(4 * i, v, true));
  return proto().int(1, 1).msg(2, shapeProto(dims)).raw(5, b);
}

/** numpy's view of an input: its values as float64, and whether they were float32 (numpy keeps float32 arithmetic then). */
export function numbersOf(op: string, what: string, v: unknown): { values: Float64Array; float32: boolean } {
  if (v instanceof Tensor) return { values: Float64Array.from(v.detach().contiguous().dataSync() as ArrayLike<number>, Number), float32: v.dtype === "float32" };
  if (Array.isArray(v) || ArrayBuffer.isView(v)) {
    const arr = v as ArrayLike<unknown>;
    const values = new Float64Array(arr.length);
    for (let i = 0; i < arr.length; i++) {
      const x = arr[i];
      if (typeof x !== "number" && typeof x !== "boolean") throw new TensileError(`${op}: ${what} must hold numbers, got ${typeof x} at index ${i}`);
      values[i] = Number(x);
    }
    return { values, float32: v instanceof Float32Array };
  }
  throw new TensileError(`${op}: ${what} must be a Tensor or an array of numbers, got ${v === null ? "null" : typeof v}`);
}

// ---- pr curves ----

const PR_MAX_THRESHOLDS = 127; // torch clamps numThresholds to 127
const NUMPY_BLOCK = 65536; // numpy.histogram sums its weights in blocks of this many values

/** torch caps num_thresholds at 127 ("value > 127 breaks protobuf"); below 2 there is no curve. */
function thresholdsOf(op: string, n: number): number {
  if (!Number.isInteger(n) || n < 2) throw new TensileError(`${op}: numThresholds must be an integer ≥ 2, got ${n}`);
  return Math.min(n, PR_MAX_THRESHOLDS);
}

/**
 * torch's `compute_curve`: bucket = int32(floor(p·(n−1))) (in float32 for float32 predictions);
 * numpy.histogram of the buckets into n equal bins over [0, n−1], weighted by label·w (TP) and
 * (1−label)·w (FP); reverse cumulative sums; TN = FP[0] − FP, FN = TP[0] − TP;
 * precision = TP / max(1e-7, TP + FP), recall = TP / max(1e-7, TP + FN). Rows of the 6×n result.
 */
export function computePrCurve(op: string, labels: Float64Array, predictions: Float64Array, predictionsFloat32: boolean,
  n: number, weights?: Float64Array): Float64Array {
  const step = (n - 1) / n, norm = n / (n - 1); // numpy: edges = linspace(0, n−1, n+1), norm = bins / range
  const edge = (i: number) => (i === n ? n - 1 : i * step);
  const tpBins = new Float64Array(n), fpBins = new Float64Array(n);
  const tpBlock = new Float64Array(n), fpBlock = new Float64Array(n);
  for (let start = 0; start < predictions.length; start += NUMPY_BLOCK) {
    tpBlock.fill(0);
    fpBlock.fill(0);
    for (let i = start; i < Math.min(predictions.length, start + NUMPY_BLOCK); i++) {
      const p = predictions[i]!;
      if (Number.isNaN(p)) throw new TensileError(`${op}: predictions contain NaN (at index ${i})`);
      const scaled = predictionsFloat32 ? Math.fround(p * (n - 1)) : p * (n - 1);
      const bucket = Math.floor(scaled);
      if (!(bucket >= 0 && bucket <= n - 1)) continue; // outside the histogram's range: dropped, as numpy does
      let bin = Math.trunc(bucket * norm);
      if (bin === n) bin--;
      if (bucket < edge(bin)) bin--;
      else if (bucket >= edge(bin + 1) && bin !== n - 1) bin++;
      const label = labels[i]!, w = weights ? weights[i]! : 1.0;
      tpBlock[bin] += label * w;
      fpBlock[bin] += (1.0 - label) * w;
    }
    for (let b = 0; b < n; b++) {
      tpBins[b] += tpBlock[b]!;
      fpBins[b] += fpBlock[b]!;
    }
  }
  const out = new Float64Array(6 * n);
  const tp = out.subarray(0, n), fp = out.subarray(n, 2 * n);
  for (let b = n - 1, accTp = 0, accFp = 0; b >= 0; b--) {
    tp[b] = accTp += tpBins[b]!;
    fp[b] = accFp += fpBins[b]!;
  }
  for (let b = 0; b < n; b++) {
    out[2 * n + b] = fp[0]! - fp[b]!;
    out[3 * n + b] = tp[0]! - tp[b]!;
    out[4 * n + b] = tp[b]! / Math.max(1e-7, tp[b]! + fp[b]!);
    out[5 * n + b] = tp[b]! / Math.max(1e-7, tp[b]! + out[3 * n + b]!);
  }
  return out;
}

function prCurveTensorSummary(tag: string, rows: number, cols: number, data: Float64Array, numThresholds: number): Pb {
  const content = proto().int(2, numThresholds); // PrCurvePluginData { version = 1 (0); num_thresholds = 2 }
  return tensorSummary(tag, floatTensor([rows, cols], data), pluginMetadata("pr_curves", content));
}

/** The Summary of `add_pr_curve`. */
export function prCurveSummary(op: string, tag: string, labels: unknown, predictions: unknown, numThresholds: number, weights: unknown): Pb {
  const n = thresholdsOf(op, numThresholds);
  const l = numbersOf(op, "labels", labels).values, p = numbersOf(op, "predictions", predictions);
  if (p.values.length === 0) throw new TensileError(`${op}: predictions have no element`);
  if (l.length !== p.values.length) throw new TensileError(`${op}: ${l.length} labels for ${p.values.length} predictions`);
  let w: Float64Array | undefined;
  if (weights !== undefined && weights !== null) {
    w = typeof weights === "number" ? new Float64Array(l.length).fill(weights) : numbersOf(op, "weights", weights).values;
    if (w.length === 1 && l.length !== 1) w = new Float64Array(l.length).fill(w[0]!);
    if (w.length !== l.length) throw new TensileError(`${op}: ${w.length} weights for ${l.length} predictions`);
  }
  return prCurveTensorSummary(tag, 6, n, computePrCurve(op, l, p.values, p.float32, n, w), n);
}

/** The Summary of `add_pr_curve_raw`: the six curves stacked as given; numThresholds (capped at 127) only goes to the metadata. */
export function prCurveRawSummary(op: string, tag: string, curves: readonly unknown[], numThresholds: number): Pb {
  const n = thresholdsOf(op, numThresholds);
  const names = ["truePositiveCounts", "falsePositiveCounts", "trueNegativeCounts", "falseNegativeCounts", "precision", "recall"];
  const rows = curves.map((c, i) => {
    if (c instanceof Tensor && c.ndim !== 1) throw new TensileError(`${op}: ${names[i]} must be 1-D, got shape [${c.shape.join(", ")}]`);
    return numbersOf(op, names[i]!, c).values;
  });
  const len = rows[0]!.length;
  if (len === 0) throw new TensileError(`${op}: ${names[0]} has no element`);
  rows.forEach((r, i) => {
    if (r.length !== len) throw new TensileError(`${op}: ${names[i]} has ${r.length} values, ${names[0]} ${len}`);
  });
  const data = new Float64Array(6 * len);
  rows.forEach((r, i) => data.set(r, i * len));
  return prCurveTensorSummary(tag, 6, len, data, n);
}

// ---- custom scalars ----

/** `{ category: { chartTitle: ["Multiline", tags] | ["Margin", [value, lower, upper]] } }`, in insertion order. */
export type CustomScalarLayout = Record<string, Record<string, readonly ["Multiline" | "Margin", readonly string[]]>>;

/**
 * The Summary of `add_custom_scalars`: tag `custom_scalars__config__`, a DT_STRING tensor of empty
 * shape holding the serialized Layout { category = 2: Category { title = 1; chart = 2: Chart {
 * title = 1; multiline = 2 { tag = 1 }; margin = 3 { series = 1 { value = 1; lower = 2; upper = 3 } } } } }.
 */
export function customScalarsSummary(op: string, layout: CustomScalarLayout): Pb {
  const isDict = (d: unknown) => d !== null && typeof d === "object" && !Array.isArray(d) && !(d instanceof Tensor);
  if (!isDict(layout)) throw new TensileError(`${op}: layout must be an object { category: { chart: [type, tags] } }, got ${Array.isArray(layout) ? "an array" : typeof layout}`);
  const l = proto();
  for (const [category, charts] of Object.entries(layout)) {
    if (!isDict(charts)) throw new TensileError(`${op}: layout[${JSON.stringify(category)}] must be an object { chart: [type, tags] }`);
    const c = proto().str(1, category);
    for (const [title, spec] of Object.entries(charts)) {
      const where = `layout[${JSON.stringify(category)}][${JSON.stringify(title)}]`;
      if (!Array.isArray(spec) || spec.length !== 2 || !Array.isArray(spec[1]) || !spec[1].every((t: unknown) => typeof t === "string"))
        throw new TensileError(`${op}: ${where} must be ["Multiline" or "Margin", an array of tags], got ${JSON.stringify(spec)}`);
      const [kind, tags] = spec as [string, string[]];
      const chart = proto().str(1, title);
      if (kind === "Margin") {
        if (tags.length !== 3) throw new TensileError(`${op}: ${where}: a Margin chart needs 3 tags (value, lower, upper), got ${tags.length}`);
        chart.msg(3, proto().msg(1, proto().str(1, tags[0]!).str(2, tags[1]!).str(3, tags[2]!)));
      } else if (kind === "Multiline") {
        const m = proto();
        for (const t of tags) m.str(1, t, true); // a repeated string keeps its empty elements
        chart.msg(2, m);
      } else throw new TensileError(`${op}: ${where}: the chart type must be "Multiline" or "Margin", got ${JSON.stringify(kind)}`);
      c.msg(2, chart);
    }
    l.msg(2, c);
  }
  const tensor = proto().int(1, 7 /* DT_STRING */).msg(2, proto()).raw(8, l.finish());
  return tensorSummary("custom_scalars__config__", tensor, pluginMetadata("custom_scalars"));
}

// ---- embeddings (the projector plugin) ----

/** Python's `repr(float)`: shortest round-trip digits, exponent form below 1e-4 and from 1e16, `.0` on whole numbers. */
export function pyFloatRepr(x: number): string {
  if (Number.isNaN(x)) return "nan";
  if (!Number.isFinite(x)) return x > 0 ? "inf" : "-inf";
  if (x === 0) return Object.is(x, -0) ? "-0.0" : "0.0";
  const [mantissa, e] = Math.abs(x).toExponential().split("e") as [string, string];
  const digits = mantissa.replace(".", ""), exp = Number(e), point = exp + 1; // x = 0.digits × 10^point
  let s: string;
  if (point > -4 && point <= 16) {
    if (point <= 0) s = `0.${"0".repeat(-point)}${digits}`;
    else if (point >= digits.length) s = `${digits}${"0".repeat(point - digits.length)}.0`;
    else s = `${digits.slice(0, point)}.${digits.slice(point)}`;
  } else s = `${digits[0]}${digits.length > 1 ? `.${digits.slice(1)}` : ""}e${exp < 0 ? "-" : "+"}${String(Math.abs(exp)).padStart(2, "0")}`;
  return x < 0 ? `-${s}` : s;
}

/** A metadata cell as Python's `str()` writes it; a JS number that is a safe integer counts as a Python int. */
export type MetadataCell = string | number | boolean | null;
function pyStr(op: string, v: unknown): string {
  if (typeof v === "string") return v;
  if (typeof v === "boolean") return v ? "True" : "False";
  if (v === null) return "None";
  if (typeof v === "number") return Number.isSafeInteger(v) ? String(v) : pyFloatRepr(v);
  throw new TensileError(`${op}: metadata values must be strings, numbers, booleans or null, got ${Array.isArray(v) ? "an array (rows need metadataHeader)" : typeof v}`);
}

/** protobuf's text format for a string (protobuf ≥ 4: UTF-8 kept; control characters in octal). */
function pbtxtString(s: string): string {
  const named: Record<string, string> = { "\n": "\\n", "\r": "\\r", "\t": "\\t", '"': '\\"', "'": "\\'", "\\": "\\\\" };
  let out = '"';
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    out += named[ch] ?? (c < 0x20 || c === 0x7f ? `\\${c.toString(8).padStart(3, "0")}` : ch);
  }
  return `${out}"`;
}

/** Python's `str(step).zfill(5)`. */
const zfill5 = (n: number) => (n < 0 ? `-${String(-n).padStart(4, "0")}` : String(n).padStart(5, "0"));

/** torch's `SummaryWriter._encode`: %, / and \ as %25, %2f, %5c, so a tag is one directory. */
const encodeTag = (tag: string) => tag.replace(/%/g, "%25").replace(/\//g, "%2f").replace(/\\/g, "%5c");

export interface EmbeddingOptions {
  /** One label per row (Python `str()`ed), or rows of columns when `metadataHeader` is given. */
  metadata?: readonly (MetadataCell | readonly MetadataCell[])[];
  /** N×C×H×W images (C 1 or 3, values in [0, 1]) for the sprite. */
  labelImg?: Tensor;
  globalStep?: number;
  tag?: string;
  metadataHeader?: readonly MetadataCell[];
}

/** The sprite torch's `make_sprite` makes: a ⌈√N⌉-column grid, padded with black rows to a square, RGB, values ×255 clipped and truncated. */
function spritePng(op: string, img: Tensor): { png: Uint8Array; dims: [number, number] } {
  const [n, c, h, w] = img.shape as [number, number, number, number];
  const perRow = Math.min(n, Math.ceil(Math.sqrt(n)));
  const rows = Math.ceil(n / perRow);
  const width = w * perRow, height = Math.max(h * rows, width); // torch 1.13 fails when the grid is taller than wide
  const data = img.detach().contiguous().dataSync();
  const pixels = new Uint8Array(height * width * 3);
  for (let k = 0; k < n; k++) {
    const oy = Math.floor(k / perRow) * h, ox = (k % perRow) * w;
    for (let ch = 0; ch < 3; ch++) {
      const src = (k * c + (c === 1 ? 0 : ch)) * h * w;
      for (let y = 0; y < h; y++)
        for (let x = 0; x < w; x++) {
          const v = Math.trunc(Math.min(255, Math.max(0, Number(data[src + y * w + x]) * 255)));
          pixels[((oy + y) * width + ox + x) * 3 + ch] = Number.isNaN(v) ? 0 : v;
        }
    }
  }
  return { png: encodePng(pixels, height, width, 3, op), dims: [w, h] };
}

/**
 * Writes one embedding's files under `<logDir>/<step zero-padded to 5>/<encoded tag>/` (each
 * atomically) and returns its `embeddings { ... }` entry of `projector_config.pbtxt`.
 */
export function writeEmbedding(op: string, logDir: string, mat: Tensor, opts: EmbeddingOptions): string {
  const { metadata, labelImg, metadataHeader } = opts;
  const tag = opts.tag ?? "default", step = opts.globalStep ?? 0;
  if (!(mat instanceof Tensor)) throw new TensileError(`${op}: mat must be a Tensor, got ${mat === null ? "null" : typeof mat}`);
  if (mat.ndim !== 2) throw new TensileError(`${op}: mat must be 2-D (one row per data point), got shape [${mat.shape.join(", ")}]`);
  const [rows, cols] = mat.shape as [number, number];
  if (typeof tag !== "string" || tag === "") throw new TensileError(`${op}: tag must be a non-empty string, got ${JSON.stringify(tag)}`);
  if (!Number.isSafeInteger(step)) throw new TensileError(`${op}(${tag}): globalStep must be an integer, got ${step}`);
  let metadataText: string | undefined;
  if (metadata !== undefined && metadata !== null) {
    if (!Array.isArray(metadata)) throw new TensileError(`${op}(${tag}): metadata must be an array, got ${typeof metadata}`);
    if (metadata.length !== rows) throw new TensileError(`${op}(${tag}): ${metadata.length} metadata labels for ${rows} data points`);
    let lines: string[];
    if (!metadataHeader || metadataHeader.length === 0) lines = metadata.map((v) => pyStr(op, v));
    else {
      if (!Array.isArray(metadataHeader)) throw new TensileError(`${op}(${tag}): metadataHeader must be an array of column names`);
      lines = [metadataHeader, ...metadata].map((row, i) => {
        if (!Array.isArray(row) || row.length !== metadataHeader.length)
          throw new TensileError(`${op}(${tag}): metadata row ${i - 1} should be an array of ${metadataHeader.length} values, as metadataHeader, got ${JSON.stringify(row)}`);
        return row.map((v) => pyStr(op, v)).join("\t");
      });
    }
    metadataText = `${lines.join("\n")}\n`;
  }
  let sprite: ReturnType<typeof spritePng> | undefined;
  if (labelImg !== undefined && labelImg !== null) {
    if (!(labelImg instanceof Tensor) || labelImg.ndim !== 4 || ![1, 3].includes(labelImg.shape[1]!) || labelImg.numel() === 0)
      throw new TensileError(`${op}(${tag}): labelImg must be an N×C×H×W tensor with 1 or 3 channels, got ${labelImg instanceof Tensor ? `shape [${labelImg.shape.join(", ")}]` : typeof labelImg}`);
    if (labelImg.shape[0] !== rows) throw new TensileError(`${op}(${tag}): ${labelImg.shape[0]} label images for ${rows} data points`);
    sprite = spritePng(op, labelImg);
  }
  const values = mat.detach().contiguous().dataSync();
  const cell = mat.dtype === "bool" ? (v: number) => (v ? "True" : "False") : mat.dtype === "int32" ? String : pyFloatRepr;
  let tsv = "";
  for (let r = 0; r < rows; r++) {
    const line: string[] = [];
    for (let k = 0; k < cols; k++) line.push(cell(Number(values[r * cols + k])));
    tsv += `${line.join("\t")}\n`;
  }
  const fs = builtin(op, "node:fs"), path = builtin(op, "node:path");
  const subdir = `${zfill5(step)}/${encodeTag(tag)}`;
  const dir = path.join(logDir, subdir);
  if (fs.existsSync(dir)) {
    if (!fs.statSync(dir).isDirectory()) throw new TensileError(`${op}(${tag}): ${dir} exists and is not a directory`);
    console.warn(`${op}: ${dir} exists (set globalStep to keep embeddings apart); its files are replaced`);
  } else {
    try {
      fs.mkdirSync(dir, { recursive: true });
    } catch (e) {
      throw new TensileError(`${op}(${tag}): cannot create the directory ${dir}: ${(e as Error).message}`);
    }
  }
  const utf8 = (s: string) => new TextEncoder().encode(s);
  if (metadataText !== undefined) writeFileAtomic(op, path.join(dir, "metadata.tsv"), utf8(metadataText));
  if (sprite) writeFileAtomic(op, path.join(dir, "sprite.png"), sprite.png);
  writeFileAtomic(op, path.join(dir, "tensors.tsv"), utf8(tsv));
  // EmbeddingInfo { tensor_name = 1; metadata_path = 2; sprite = 5 { image_path = 1; single_image_dim = 2 }; tensor_path = 6 }
  let entry = `embeddings {\n  tensor_name: ${pbtxtString(`${tag}:${zfill5(step)}`)}\n`;
  if (metadataText !== undefined) entry += `  metadata_path: ${pbtxtString(`${subdir}/metadata.tsv`)}\n`;
  if (sprite) entry += `  sprite {\n    image_path: ${pbtxtString(`${subdir}/sprite.png`)}\n    single_image_dim: ${sprite.dims[0]}\n    single_image_dim: ${sprite.dims[1]}\n  }\n`;
  return `${entry}  tensor_path: ${pbtxtString(`${subdir}/tensors.tsv`)}\n}\n`;
}

/** Rewrites `<logDir>/projector_config.pbtxt` (atomically) with the writer's embeddings so far, as torch does. */
export function writeProjectorConfig(op: string, logDir: string, entries: readonly string[]): void {
  const path = builtin(op, "node:path");
  writeFileAtomic(op, path.join(logDir, "projector_config.pbtxt"), new TextEncoder().encode(entries.join("")));
}
