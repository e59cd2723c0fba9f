/**
 * `utils.tensorboard.SummaryWriter` (PyTorch's `torch.utils.tensorboard.SummaryWriter`): training
 * curves, weight histograms, images and text in TensorBoard's event files, so `tensorboard --logdir
 * runs` shows a Tensile run as it shows a PyTorch one. Node only (it writes files).
 *
 * ```ts
 * const writer = new utils.tensorboard.SummaryWriter(); // runs/Nov29_17-45-00_host
 * writer.addScalar("loss/train", loss.item(), step);
 * writer.addHistogram("fc1.weight", model.fc1.weight, epoch);
 * writer.addImages("inputs", batch, epoch); // N×C×H×W in [0, 1]
 * writer.close();
 * ```
 *
 * The format: an event file is a TFRecord log — each record a little-endian u64 length, the
 * masked CRC-32C of those 8 bytes, the bytes of one `Event` protocol buffer, and their masked
 * CRC-32C. The first event names the format (`brain.Event:2`). The protocol buffers (Event,
 * Summary, HistogramProto, Image, TensorProto) are encoded by hand (`io/protobuf.ts`, the ONNX
 * exporter's writer), fields in number order and proto3 defaults left out, as the Python protobuf library writes them: for the same wall time the
 * records are the bytes PyTorch writes (checked against torch 1.13's writer in
 * test/utils-tensorboard.test.ts).
 *
 * Writes: records are queued and appended to the file in one write each time `maxQueue` events
 * are waiting, `flushSecs` have passed, on `flush()`/`close()`, and when the process exits. A
 * record is appended whole or, if the process dies mid-write, cut short at the end, which
 * TensorBoard's reader skips (its CRCs fail): the file never holds a corrupt record before a good one.
 */
import { TensileError } from "../errors.js";
import { Tensor } from "../tensor/tensor.js";
import { builtin } from "../io/atomic.js";
import { encodePng } from "./png.js";
import { Pb } from "../io/protobuf.js";
import { customScalarsSummary, prCurveRawSummary, prCurveSummary, writeEmbedding, writeProjectorConfig } from "./tensorboard-plugins.js";
import type { CustomScalarLayout, EmbeddingOptions } from "./tensorboard-plugins.js";
import { graphEvents, type AddGraphOptions, type GraphModel } from "./tensorboard-graph.js";
export type { CustomScalarLayout, EmbeddingOptions, MetadataCell } from "./tensorboard-plugins.js";

// ---- CRC-32C and the TFRecord frame ----

const CRC32C_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0x82f63b78 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

/** CRC-32C (Castagnoli), the checksum of TFRecord files. */
export function crc32c(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (let i = 0; i < bytes.length; i++) c = CRC32C_TABLE[(c ^ bytes[i]!) & 0xff]! ^ (c >>> 8);
  return ~c >>> 0;
}

/** TFRecord's masked CRC: rotated right by 15 bits plus a constant, so a CRC of CRCs stays distinct. */
export function maskedCrc32c(bytes: Uint8Array): number {
  const c = crc32c(bytes);
  return (((c >>> 15) | (c << 17)) + 0xa282ead8) >>> 0;
}

/** One TFRecord: length, its masked CRC, the data, the data's masked CRC. */
export function tfRecord(data: Uint8Array): Uint8Array {
  const out = new Uint8Array(16 + data.length);
  const dv = new DataView(out.buffer);
  dv.setBigUint64(0, BigInt(data.length), true);
  dv.setUint32(8, maskedCrc32c(out.subarray(0, 8)), true);
  out.set(data, 12);
  dv.setUint32(12 + data.length, maskedCrc32c(data), true);
  return out;
}

// ---- protocol buffers, by hand ----

/** A proto3 message writer (defaults left out, as Python's protobuf writes them). */
const proto = (): Pb => new Pb(true);

/** Event { wall_time = 1; step = 2; file_version = 3; summary = 5 }. */
function event(wallTime: number, step: number | undefined, what: { fileVersion?: string; summary?: Pb }): Uint8Array {
  const e = proto().double(1, wallTime);
  if (step !== undefined) e.int(2, step);
  if (what.fileVersion !== undefined) e.str(3, what.fileVersion);
  if (what.summary) e.msg(5, what.summary);
  return e.finish();
}

/** Summary { repeated Value value = 1 } with one value. */
const summaryOf = (value: Pb): Pb => proto().msg(1, value);

// ---- histograms, as torch.utils.tensorboard makes them ----

let defaultBinsCache: number[] | null = null;
/** TensorFlow's buckets: ±1e-12·1.1^k up to 1e20, and 0 (torch's `SummaryWriter.default_bins`). */
function defaultBins(): number[] {
  if (defaultBinsCache) return defaultBinsCache;
  const pos: number[] = [];
  for (let v = 1e-12; v < 1e20; v *= 1.1) pos.push(v);
  defaultBinsCache = [...pos.map((v) => -v).reverse(), 0, ...pos];
  return defaultBinsCache;
}

/** numpy.histogram's counts for increasing edges: [e_i, e_i+1), the last bin closed; outside: dropped. */
function countEdges(values: Float64Array, edges: readonly number[]): number[] {
  const counts = new Array<number>(edges.length - 1).fill(0);
  const last = edges.length - 1;
  for (const v of values) {
    if (!(v >= edges[0]! && v <= edges[last]!)) continue;
    let lo = 0, hi = last; // the last edge ≤ v, by bisection
    while (hi - lo > 1) {
      const mid = (lo + hi) >> 1;
      if (edges[mid]! <= v) lo = mid;
      else hi = mid;
    }
    counts[v === edges[last] ? last - 1 : lo]!++;
  }
  return counts;
}

/** numpy.histogram with `bins` equal bins over [min, max] (±0.5 when they are equal): edges and counts. */
function uniformHistogram(values: Float64Array, bins: number, min: number, max: number): { edges: number[]; counts: number[] } {
  let first = min, last = max;
  if (first === last) {
    first -= 0.5;
    last += 0.5;
  }
  const step = (last - first) / bins;
  const edges = Array.from({ length: bins + 1 }, (_, i) => i * step + first);
  edges[bins] = last;
  const counts = new Array<number>(bins).fill(0);
  const norm = bins / (last - first);
  for (const v of values) {
    let i = Math.trunc((v - first) * norm);
    if (i === bins) i--;
    if (v < edges[i]!) i--;
    else if (v >= edges[i + 1]! && i !== bins - 1) i++;
    counts[i]!++;
  }
  return { edges, counts };
}

export type HistogramBins = "tensorflow" | number | readonly number[];

/** The HistogramProto torch's `make_histogram` writes: stats, then the buckets from the first to the last non-empty one. */
export function histogramProto(op: string, values: Float64Array, bins: HistogramBins, maxBins?: number): {
  min: number; max: number; num: number; sum: number; sumSquares: number; bucketLimit: number[]; bucket: number[];
} {
  if (values.length === 0) throw new TensileError(`${op}: the values have no element`);
  let min = Infinity, max = -Infinity, sum = 0, sumSquares = 0;
  for (const v of values) {
    if (Number.isNaN(v)) throw new TensileError(`${op}: the values contain NaN`);
    if (v < min) min = v;
    if (v > max) max = v;
    sum += v;
    sumSquares += v * v;
  }
  let edges: number[], counts: number[];
  if (bins === "tensorflow") {
    edges = defaultBins();
    counts = countEdges(values, edges);
  } else if (typeof bins === "number") {
    if (!Number.isInteger(bins) || bins < 1) throw new TensileError(`${op}: bins must be a positive integer, 'tensorflow' or an array of edges, got ${bins}`);
    if (!Number.isFinite(min) || !Number.isFinite(max))
      throw new TensileError(`${op}: equal-width bins need finite values (min ${min}, max ${max}); use 'tensorflow' bins`);
    ({ edges, counts } = uniformHistogram(values, bins, min, max));
  } else if (Array.isArray(bins) && bins.length >= 2 && bins.every((b, i) => typeof b === "number" && (i === 0 || b > bins[i - 1]!))) {
    edges = [...bins];
    counts = countEdges(values, edges);
  } else {
    throw new TensileError(`${op}: bins must be 'tensorflow', a positive integer or an increasing array of at least two edges, got ${JSON.stringify(bins)} (numpy's named estimators such as 'auto' are not supported)`);
  }
  if (maxBins !== undefined && counts.length > maxBins) {
    if (!Number.isInteger(maxBins) || maxBins < 1) throw new TensileError(`${op}: maxBins must be a positive integer, got ${maxBins}`);
    const sub = Math.floor(counts.length / maxBins);
    const rem = counts.length % sub;
    const padded = rem ? [...counts, ...new Array<number>(sub - rem).fill(0)] : counts;
    const merged: number[] = [];
    for (let i = 0; i < padded.length; i += sub) merged.push(padded.slice(i, i + sub).reduce((s, c) => s + c, 0));
    const limits: number[] = [];
    for (let i = 0; i < edges.length - 1; i += sub) limits.push(edges[i]!);
    limits.push(edges[edges.length - 1]!);
    counts = merged;
    edges = limits;
  }
  // trim to the non-empty buckets, keeping one empty bucket before the first (torch's make_histogram)
  const firstNonEmpty = counts.findIndex((c) => c > 0);
  if (firstNonEmpty < 0) throw new TensileError(`${op}: no value falls inside the bins (min ${min}, max ${max})`);
  let lastNonEmpty = counts.length - 1;
  while (counts[lastNonEmpty] === 0) lastNonEmpty--;
  const end = lastNonEmpty + 1;
  const bucket = firstNonEmpty > 0 ? counts.slice(firstNonEmpty - 1, end) : [0, ...counts.slice(0, end)];
  const bucketLimit = edges.slice(firstNonEmpty, end + 1);
  return { min, max, num: values.length, sum, sumSquares, bucketLimit, bucket };
}

// ---- images ----

type Layout = "CHW" | "HWC" | "HW" | "NCHW" | "NHWC";

/** The image as H×W×C bytes the way torch's `convert_to_HWC` and `image()` make them: grey becomes RGB, batches a grid. */
function imageBytes(op: string, img: Tensor, dataformats: string): { pixels: Uint8Array; height: number; width: number; channels: number } {
  const layout = dataformats.toUpperCase() as Layout;
  if (!["CHW", "HWC", "HW", "NCHW", "NHWC"].includes(layout))
    throw new TensileError(`${op}: dataformats must be one of CHW, HWC, HW, NCHW, NHWC, got '${dataformats}'`);
  if (img.ndim !== layout.length)
    throw new TensileError(`${op}: dataformats '${layout}' needs a ${layout.length}-D tensor, got shape [${img.shape.join(", ")}]`);
  // to N×C×H×W
  let t = img;
  if (layout === "HW") t = t.unsqueeze(0).unsqueeze(0);
  else if (layout === "CHW") t = t.unsqueeze(0);
  else if (layout === "HWC") t = t.permute([2, 0, 1]).unsqueeze(0);
  else if (layout === "NHWC") t = t.permute([0, 3, 1, 2]);
  const [n, c0, h, w] = t.shape as [number, number, number, number];
  if (![1, 3, 4].includes(c0) || (layout.startsWith("N") && c0 === 4))
    throw new TensileError(`${op}: images need 1 or 3 channels${layout.startsWith("N") ? "" : " (or 4, RGBA)"}, got ${c0} in shape [${img.shape.join(", ")}] (dataformats '${layout}')`);
  if (n < 1 || h < 1 || w < 1) throw new TensileError(`${op}: empty image, shape [${img.shape.join(", ")}]`);
  const c = c0 === 1 ? 3 : c0; // torch repeats grey into RGB
  const data = t.contiguous().dataSync();
  const scale = 255; // torch scales float images by 255 (uint8 ones, which Tensile has not, by 1)
  const cols = layout.startsWith("N") ? Math.min(n, 8) : 1;
  const rows = Math.ceil(n / cols);
  const H = h * rows, W = w * cols;
  const pixels = new Uint8Array(H * W * c);
  for (let k = 0; k < n; k++) {
    const oy = Math.floor(k / cols) * h, ox = (k % cols) * w;
    for (let ch = 0; ch < c; ch++) {
      const src = k * c0 * h * w + (c0 === 1 ? 0 : ch) * h * w;
      for (let y = 0; y < h; y++)
        for (let x = 0; x < w; x++) {
          // torch: (x * 255).astype(uint8), which truncates; values outside [0, 1] are clipped here
          const v = Math.trunc(Math.min(255, Math.max(0, Number(data[src + y * w + x]) * scale)));
          pixels[((oy + y) * W + ox + x) * c + ch] = Number.isNaN(v) ? 0 : v;
        }
    }
  }
  return { pixels, height: H, width: W, channels: c };
}

// ---- the writer ----

export interface SummaryWriterOptions {
  /** Appended to the default log directory's name (PyTorch's `comment`). */
  comment?: string;
  /** Events queued before they are written (default 10). */
  maxQueue?: number;
  /** Seconds after which queued events are written at the next event (default 120). */
  flushSecs?: number;
  /** Appended to the event file's name. */
  filenameSuffix?: string;
}

type Scalar = number | Tensor;
type Values = Tensor | ArrayLike<number>;

/** A hyperparameter's value for `addHparams`. */
export type HparamValue = number | string | boolean | Tensor | null | undefined;

/** The open writers, flushed when the process exits. */
const open = new Set<EventFileWriter>();
let exitHooked = false;

/** One event file: its queue and its file descriptor. */
class EventFileWriter {
  private queue: Uint8Array[] = [];
  private fd: number;
  private lastFlush = Date.now();
  readonly path: string;
  private closed = false;

  constructor(readonly dir: string, private readonly opts: Required<Omit<SummaryWriterOptions, "comment">>) {
    const fs = builtin("SummaryWriter", "node:fs");
    const path = builtin("SummaryWriter", "node:path");
    const os = builtin("SummaryWriter", "node:os");
    try {
      fs.mkdirSync(dir, { recursive: true });
    } catch (e) {
      throw new TensileError(`SummaryWriter: cannot create the log directory ${dir}: ${(e as Error).message}`);
    }
    const now = Date.now() / 1000;
    const name = `events.out.tfevents.${String(Math.floor(now)).padStart(10, "0")}.${os.hostname()}.${process.pid}.${nextUid++}${opts.filenameSuffix}`;
    this.path = path.join(dir, name);
    this.fd = fs.openSync(this.path, "a");
    open.add(this);
    if (!exitHooked) {
      exitHooked = true;
      process.on("exit", () => {
        for (const w of open) w.flush();
      });
    }
    this.add(event(now, undefined, { fileVersion: "brain.Event:2" }));
  }

  add(ev: Uint8Array): void {
    if (this.closed) throw new TensileError(`SummaryWriter: the writer of ${this.dir} is closed`);
    this.queue.push(tfRecord(ev));
    if (this.queue.length >= this.opts.maxQueue || Date.now() - this.lastFlush >= this.opts.flushSecs * 1000) this.flush();
  }

  flush(): void {
    this.lastFlush = Date.now();
    if (!this.queue.length || this.closed) return;
    const total = this.queue.reduce((s, r) => s + r.length, 0);
    const buf = new Uint8Array(total);
    let at = 0;
    for (const r of this.queue) {
      buf.set(r, at);
      at += r.length;
    }
    this.queue = [];
    const fs = builtin("SummaryWriter", "node:fs");
    for (let off = 0; off < buf.length;) off += fs.writeSync(this.fd, buf, off, buf.length - off);
  }

  close(): void {
    if (this.closed) return;
    this.flush();
    this.closed = true;
    open.delete(this);
    builtin("SummaryWriter", "node:fs").closeSync(this.fd);
  }
}
let nextUid = 0;

function defaultLogDir(comment: string): string {
  const d = new Date();
  const mon = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"][d.getMonth()]!;
  const p2 = (n: number) => String(n).padStart(2, "0");
  const os = builtin("SummaryWriter", "node:os");
  return `runs/${mon}${p2(d.getDate())}_${p2(d.getHours())}-${p2(d.getMinutes())}-${p2(d.getSeconds())}_${os.hostname()}${comment}`;
}

/**
 * Writes TensorBoard event files under `logDir` (default `runs/<date>_<host><comment>`), as
 * PyTorch's SummaryWriter: the file is made (with its version event) when the writer is.
 */
export class SummaryWriter {
  readonly logDir: string;
  private readonly opts: Required<Omit<SummaryWriterOptions, "comment">>;
  private main: EventFileWriter;
  /** addScalars' writers, one per `mainTag_tag` subdirectory. */
  private readonly sub = new Map<string, EventFileWriter>();
  private readonly embeddings: string[] = []; // addEmbedding's projector_config.pbtxt entries

  constructor(logDir?: string, options: SummaryWriterOptions = {}) {
    options ??= {};
    if (logDir !== undefined && (typeof logDir !== "string" || logDir === ""))
      throw new TensileError(`SummaryWriter: logDir must be a non-empty string, got ${JSON.stringify(logDir)}`);
    const maxQueue = options.maxQueue ?? 10, flushSecs = options.flushSecs ?? 120;
    if (!Number.isInteger(maxQueue) || maxQueue < 1) throw new TensileError(`SummaryWriter: maxQueue must be a positive integer, got ${maxQueue}`);
    if (!(flushSecs >= 0)) throw new TensileError(`SummaryWriter: flushSecs must be ≥ 0, got ${flushSecs}`);
    this.opts = { maxQueue, flushSecs, filenameSuffix: options.filenameSuffix ?? "" };
    this.logDir = logDir ?? defaultLogDir(options.comment ?? "");
    this.main = new EventFileWriter(this.logDir, this.opts);
  }

  /** The directory the event files go to (PyTorch's `get_logdir()`). */
  getLogdir(): string {
    return this.logDir;
  }

  /** The main event file's path. */
  get filePath(): string {
    return this.main.path;
  }

  /** One point of the curve `tag` (PyTorch's `add_scalar`). `value`: a number or a one-element tensor. */
  addScalar(tag: string, value: Scalar, globalStep?: number, walltime?: number): void {
    this.write(this.main, "addScalar", tag, globalStep, walltime, () => summaryOf(proto().str(1, tag).float(2, scalarOf("addScalar", tag, value))));
  }

  /**
   * Several curves on one chart (PyTorch's `add_scalars`): each `tag` of the dict is written to
   * its own run, the subdirectory `<logDir>/<mainTag>_<tag>`, under the tag `mainTag`.
   */
  addScalars(mainTag: string, tagScalarDict: Record<string, Scalar>, globalStep?: number, walltime?: number): void {
    if (tagScalarDict === null || typeof tagScalarDict !== "object")
      throw new TensileError(`addScalars: expected an object of tag → value, got ${typeof tagScalarDict}`);
    const wall = walltime ?? Date.now() / 1000;
    for (const [tag, v] of Object.entries(tagScalarDict)) {
      const dir = `${this.logDir}/${mainTag.replace(/\//g, "_")}_${tag}`;
      let w = this.sub.get(dir);
      if (!w) this.sub.set(dir, (w = new EventFileWriter(dir, this.opts)));
      this.write(w, "addScalars", mainTag, globalStep, wall, () => summaryOf(proto().str(1, mainTag).float(2, scalarOf("addScalars", `${mainTag}/${tag}`, v))));
    }
  }

  /**
   * A histogram of `values` (PyTorch's `add_histogram`): TensorFlow's exponential buckets by
   * default, `bins: n` for n equal-width ones, or an array of edges; `maxBins` merges neighbours.
   */
  addHistogram(tag: string, values: Tensor | readonly number[] | ArrayLike<number>, globalStep?: number,
    opts: { bins?: HistogramBins; walltime?: number; maxBins?: number } = {}): void {
    opts ??= {};
    this.write(this.main, "addHistogram", tag, globalStep, opts.walltime, () => {
      const h = histogramProto(`addHistogram(${tag})`, valuesOf("addHistogram", values), opts.bins ?? "tensorflow", opts.maxBins);
      const histo = proto().double(1, h.min).double(2, h.max).double(3, h.num).double(4, h.sum).double(5, h.sumSquares)
        .packedDoubles(6, h.bucketLimit).packedDoubles(7, h.bucket);
      return summaryOf(proto().str(1, tag).msg(5, histo));
    });
  }

  /**
   * An image (PyTorch's `add_image`): a float tensor with values in [0, 1], laid out as
   * `dataformats` (default CHW; HWC, HW too), 1 (shown as grey RGB), 3 or 4 channels.
   */
  addImage(tag: string, img: Tensor, globalStep?: number, opts: { walltime?: number; dataformats?: string } = {}): void {
    opts ??= {};
    this.writeImage("addImage", tag, img, globalStep, opts.walltime, opts.dataformats ?? "CHW");
  }

  /** A batch of images, N×C×H×W by default, tiled eight to a row (PyTorch's `add_images`). */
  addImages(tag: string, imgs: Tensor, globalStep?: number, opts: { walltime?: number; dataformats?: string } = {}): void {
    opts ??= {};
    const f = (opts.dataformats ?? "NCHW").toUpperCase();
    if (f !== "NCHW" && f !== "NHWC") throw new TensileError(`addImages: dataformats must be NCHW or NHWC, got '${opts.dataformats}'`);
    this.writeImage("addImages", tag, imgs, globalStep, opts.walltime, f);
  }

  /** Text, shown as Markdown by TensorBoard (PyTorch's `add_text`; the tag gets `/text_summary`). */
  addText(tag: string, text: string, globalStep?: number, walltime?: number): void {
    if (typeof text !== "string") throw new TensileError(`addText: text must be a string, got ${typeof text}`);
    this.write(this.main, "addText", tag, globalStep, walltime, () => {
      const shape = proto().msg(2, proto().int(1, 1)); // TensorShapeProto { dim { size: 1 } }
      const tensor = proto().int(1, 7 /* DT_STRING */).msg(2, shape).raw(8, new TextEncoder().encode(text));
      const metadata = proto().msg(1, proto().str(1, "text")); // plugin_data { plugin_name: "text" }
      return summaryOf(proto().str(1, `${tag}/text_summary`).msg(8, tensor).msg(9, metadata));
    });
  }

  /**
   * One run's hyperparameters and results, for TensorBoard's HPARAMS tab (PyTorch's
   * `add_hparams`). As PyTorch does, they go to a run of their own — the subdirectory `runName`
   * of the log directory (default: the time in seconds) — as three hparams-plugin summaries
   * (the experiment: each hparam's name, type and `hparamDomainDiscrete` values, and the metrics'
   * tags; the session start: the values; the session end: success), followed by each metric as a
   * scalar there. Values: numbers, strings, booleans — written as 1 or 0, as PyTorch writes them
   * (its check for a number comes first) — or one-element tensors; null and undefined are skipped.
   * `walltime` (Tensile's; PyTorch uses the clock) stamps the events.
   */
  addHparams(hparamDict: Record<string, HparamValue>, metricDict: Record<string, Scalar>,
    opts: { hparamDomainDiscrete?: Record<string, readonly (number | string | boolean)[]>; runName?: string; walltime?: number } = {}): void {
    const op = "addHparams";
    opts ??= {};
    const isDict = (d: unknown) => d !== null && typeof d === "object" && !Array.isArray(d) && !(d instanceof Tensor);
    if (!isDict(hparamDict) || !isDict(metricDict)) throw new TensileError(`${op}: hparamDict and metricDict should be objects (name → value)`);
    const domains = opts.hparamDomainDiscrete ?? {};
    if (!isDict(domains)) throw new TensileError(`${op}: hparamDomainDiscrete should be an object (name → array of values)`);
    for (const [k, v] of Object.entries(domains)) {
      const h = hparamDict[k];
      if (!(k in hparamDict) || !Array.isArray(v) || !v.every((d) => typeof d === typeof h))
        throw new TensileError(`${op}: hparamDomainDiscrete[${JSON.stringify(k)}] should be an array of values of the same type as hparamDict[${JSON.stringify(k)}]`);
    }
    if (opts.runName !== undefined && (typeof opts.runName !== "string" || opts.runName === ""))
      throw new TensileError(`${op}: runName must be a non-empty string, got ${JSON.stringify(opts.runName)}`);
    if (opts.walltime !== undefined && !Number.isFinite(opts.walltime)) throw new TensileError(`${op}: walltime must be a finite number of seconds, got ${opts.walltime}`);
    for (const [k, v] of Object.entries(metricDict)) scalarOf(op, k, v); // checked before anything is written
    // google.protobuf.Value { number_value = 2; string_value = 3; bool_value = 4 }; ListValue { values = 1 }
    const numberValue = (x: number) => proto().double(2, x, true);
    const stringValue = (x: string) => proto().str(3, x, true);
    const listValue = (xs: readonly (number | string | boolean)[]) => {
      const l = proto();
      for (const x of xs) l.msg(1, typeof x === "string" ? stringValue(x) : numberValue(Number(x)));
      return l;
    };
    const hparamInfos: Pb[] = [];
    const start = proto(); // SessionStartInfo { map<string, Value> hparams = 1 }
    for (const [k, v] of Object.entries(hparamDict)) {
      if (v === null || v === undefined) continue;
      let value: Pb, type: number; // DataType: STRING 1, BOOL 2, FLOAT64 3
      let domain = k in domains;
      if (typeof v === "number" || typeof v === "boolean") [value, type] = [numberValue(Number(v)), 3];
      else if (typeof v === "string") [value, type] = [stringValue(v), 1];
      else if (v instanceof Tensor) {
        if (v.numel() < 1) throw new TensileError(`${op}: the tensor for hparam ${JSON.stringify(k)} has no element`);
        [value, type, domain] = [numberValue(Number(v.detach().reshape([-1]).dataSync()[0])), 3, false];
      } else throw new TensileError(`${op}: the value of hparam ${JSON.stringify(k)} should be a number, string, boolean or Tensor, got ${typeof v}`);
      start.msg(1, proto().str(1, k, true).msg(2, value)); // a map entry { key = 1; value = 2 }
      // HParamInfo { name = 1; type = 4; domain_discrete = 5 }
      const info = proto().str(1, k).int(4, type);
      if (domain) info.msg(5, listValue(domains[k]!));
      hparamInfos.push(info);
    }
    // Experiment { hparam_infos = 4; metric_infos = 5 }; MetricInfo { name = 1 }; MetricName { tag = 2 }
    const experiment = proto();
    for (const info of hparamInfos) experiment.msg(4, info);
    for (const k of Object.keys(metricDict)) experiment.msg(5, proto().msg(1, proto().str(2, k)));
    const end = proto().int(1, 1); // SessionEndInfo { status = 1: STATUS_SUCCESS }
    // HParamsPluginData { version = 1 (0); experiment = 2; session_start_info = 3; session_end_info = 4 }
    const plugin = (field: number, m: Pb) => proto().msg(1, proto().str(1, "hparams").raw(2, proto().msg(field, m).finish()));
    const dir = `${this.logDir}/${opts.runName ?? String(Date.now() / 1000)}`;
    const w = new EventFileWriter(dir, this.opts);
    try {
      const wall = opts.walltime ?? Date.now() / 1000;
      const tagged = (tag: string, field: number, m: Pb) => () => summaryOf(proto().str(1, tag).msg(9, plugin(field, m)));
      this.write(w, op, "_hparams_/experiment", undefined, wall, tagged("_hparams_/experiment", 2, experiment));
      this.write(w, op, "_hparams_/session_start_info", undefined, wall, tagged("_hparams_/session_start_info", 3, start));
      this.write(w, op, "_hparams_/session_end_info", undefined, wall, tagged("_hparams_/session_end_info", 4, end));
      for (const [k, v] of Object.entries(metricDict))
        this.write(w, op, k, undefined, opts.walltime, () => summaryOf(proto().str(1, k).float(2, scalarOf(op, k, v))));
    } finally {
      w.close();
    }
  }

  /**
   * A precision-recall curve (PyTorch's `add_pr_curve`): `labels` (0/1 or booleans), `predictions`
   * in [0, 1] (others are dropped, as PyTorch drops them), `numThresholds` 2 to 127 (more: 127, as PyTorch).
   */
  addPrCurve(tag: string, labels: Values | ArrayLike<boolean>, predictions: Values, globalStep?: number,
    opts: { numThresholds?: number; weights?: Values | number; walltime?: number } = {}): void {
    opts ??= {};
    this.write(this.main, "addPrCurve", tag, globalStep, opts.walltime,
      () => prCurveSummary(`addPrCurve(${tag})`, tag, labels, predictions, opts.numThresholds ?? 127, opts.weights));
  }

  /** A precision-recall curve from its six 1-D curves (PyTorch's `add_pr_curve_raw`), stacked as given. */
  addPrCurveRaw(tag: string, truePositiveCounts: Values, falsePositiveCounts: Values, trueNegativeCounts: Values, falseNegativeCounts: Values,
    precision: Values, recall: Values, globalStep?: number, opts: { numThresholds?: number; walltime?: number } = {}): void {
    const curves = [truePositiveCounts, falsePositiveCounts, trueNegativeCounts, falseNegativeCounts, precision, recall];
    this.write(this.main, "addPrCurveRaw", tag, globalStep, opts?.walltime, () => prCurveRawSummary(`addPrCurveRaw(${tag})`, tag, curves, opts?.numThresholds ?? 127));
  }

  /** CUSTOM SCALARS charts (PyTorch's `add_custom_scalars`): `{ category: { title: ["Multiline" | "Margin", tags] } }`; `walltime` is Tensile's. */
  addCustomScalars(layout: CustomScalarLayout, opts: { walltime?: number } = {}): void {
    this.write(this.main, "addCustomScalars", "custom_scalars__config__", undefined, opts?.walltime, () => customScalarsSummary("addCustomScalars", layout));
  }

  /** One multiline chart of `tags` (PyTorch's `add_custom_scalars_multilinechart`). */
  addCustomScalarsMultilinechart(tags: readonly string[], opts: { category?: string; title?: string; walltime?: number } = {}): void {
    const { category = "default", title = "untitled", walltime } = opts ?? {};
    this.addCustomScalars({ [category]: { [title]: ["Multiline", tags] } }, { walltime });
  }

  /** One margin chart of `[value, lower, upper]` (PyTorch's `add_custom_scalars_marginchart`). */
  addCustomScalarsMarginchart(tags: readonly string[], opts: { category?: string; title?: string; walltime?: number } = {}): void {
    const { category = "default", title = "untitled", walltime } = opts ?? {};
    if (!Array.isArray(tags) || tags.length !== 3) throw new TensileError(`addCustomScalarsMarginchart: tags must be [value, lower, upper], got ${JSON.stringify(tags)}`);
    this.addCustomScalars({ [category]: { [title]: ["Margin", tags] } }, { walltime });
  }

  /**
   * Points for the PROJECTOR tab (PyTorch's `add_embedding`): `mat` (N×D) as
   * `<logDir>/<globalStep, 5 digits>/<tag>/tensors.tsv`, `metadata` (N labels, or N rows under
   * `metadataHeader`) as metadata.tsv, `labelImg` (N×C×H×W) as sprite.png, each written
   * atomically, and the writer's embeddings so far in `<logDir>/projector_config.pbtxt`.
   */
  addEmbedding(mat: Tensor, opts: EmbeddingOptions = {}): void {
    this.embeddings.push(writeEmbedding("addEmbedding", this.logDir, mat, opts ?? {}));
    writeProjectorConfig("addEmbedding", this.logDir, this.embeddings);
  }

  /** The model's forward graph for the GRAPHS tab (PyTorch's `add_graph`; how: `tensorboard-graph.ts`). */
  addGraph(model: GraphModel, inputToModel?: Tensor | readonly Tensor[], opts: AddGraphOptions = {}): void { for (const ev of graphEvents(model, inputToModel, opts)) this.main.add(ev); }

  /** Writes every queued event now. */
  flush(): void {
    this.main.flush();
    for (const w of this.sub.values()) w.flush();
  }

  /** Writes what is queued and closes the files; adding afterwards is an error. */
  close(): void {
    this.main.close();
    for (const w of this.sub.values()) w.close();
  }

  private writeImage(op: string, tag: string, img: Tensor, step: number | undefined, walltime: number | undefined, dataformats: string): void {
    this.write(this.main, op, tag, step, walltime, () => {
      if (!(img instanceof Tensor)) throw new TensileError(`${op}: expected a Tensor image, got ${typeof img}`);
      const { pixels, height, width, channels } = imageBytes(op, img, dataformats);
      const png = encodePng(pixels, height, width, channels, op);
      const image = proto().int(1, height).int(2, width).int(3, channels).raw(4, png);
      return summaryOf(proto().str(1, tag).msg(4, image));
    });
  }

  private write(w: EventFileWriter, op: string, tag: string, step: number | undefined, walltime: number | undefined, summary: () => Pb): void {
    if (typeof tag !== "string" || tag === "") throw new TensileError(`${op}: tag must be a non-empty string, got ${JSON.stringify(tag)}`);
    if (step !== undefined && step !== null && !Number.isSafeInteger(step))
      throw new TensileError(`${op}(${tag}): globalStep must be an integer, got ${step}`);
    if (walltime !== undefined && !Number.isFinite(walltime)) throw new TensileError(`${op}(${tag}): walltime must be a finite number of seconds, got ${walltime}`);
    w.add(event(walltime ?? Date.now() / 1000, step ?? undefined, { summary: summary() }));
  }
}

function scalarOf(op: string, tag: string, v: Scalar): number {
  if (typeof v === "number") return v;
  if (v instanceof Tensor) {
    if (v.numel() !== 1) throw new TensileError(`${op}(${tag}): a scalar needs a one-element tensor, got shape [${v.shape.join(", ")}]`);
    return Number(v.item());
  }
  throw new TensileError(`${op}(${tag}): expected a number or a one-element Tensor, got ${typeof v}`);
}

function valuesOf(op: string, v: Tensor | readonly number[] | ArrayLike<number>): Float64Array {
  if (v instanceof Tensor) return Float64Array.from(v.detach().contiguous().dataSync() as ArrayLike<number>, Number);
  if (typeof v === "number") return Float64Array.of(v);
  if (v && typeof (v as ArrayLike<number>).length === "number") return Float64Array.from(v as ArrayLike<number>, Number);
  throw new TensileError(`${op}: values must be a Tensor, a number or an array of numbers, got ${typeof v}`);
}
