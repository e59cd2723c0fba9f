/**
 * MNIST and Fashion-MNIST from their IDX files, as `torchvision.datasets.MNIST`/`FashionMNIST`.
 * Items are `[image, label]`: the image is a `RawImage` (28×28, 1 channel) passed to `transform`,
 * or, with no transform, a float32 tensor `[1, 28, 28]` in [0, 1] (what `toTensor()` makes).
 */
import { Tensor, asTensor, tensor } from "../../core.js";
import { TensileError } from "../../errors.js";
import { defaultCollate, type Collated } from "../collate.js";
import { Dataset, batchIndexTensor } from "../dataset.js";
import { downloadResources, type FetchLike, type Resource } from "../download.js";
import { decodeIdx, parseIdx, type IdxArray } from "../idx.js";
import { fileExists, gunzip, isDirectory, isGzip, joinPath, readBytes, requireFileSystem } from "../node-fs.js";
import type { RawImage } from "../transforms.js";
import { type PositionalArgs, checkOptionsObject, positionalOptions } from "../../utils/positional.js";

export interface MNISTOptions<X> {
  /** Folder holding the IDX files (gzip or raw), directly or in torchvision's `<root>/MNIST/raw`. */
  root?: string;
  /** The 60,000-image training set (default) or the 10,000-image test set. */
  train?: boolean;
  /** Applied to each `RawImage`; default: to a float32 tensor [1, 28, 28] in [0, 1]. */
  transform?: (image: RawImage) => X;
  targetTransform?: (label: number) => number;
  /** Fetch missing files (only through the asynchronous `await MNIST.create(...)`). */
  download?: boolean;
  /** The fetch used by `download` (default: the global fetch). */
  fetch?: FetchLike;
}

/** What a dataset class of the MNIST family needs to know about its files. */
export interface MnistSpec {
  name: string;
  mirrors: readonly string[];
  train: readonly [Resource, Resource];
  test: readonly [Resource, Resource];
  classes: readonly string[];
  /** Used when options.root is absent and the folder exists. */
  defaultRoot?: string;
}

const SIDE = 28;
const PIXELS = SIDE * SIDE;

export class MNIST<X = Tensor> extends Dataset<[X, number]> {
  static readonly spec: MnistSpec = {
    name: "MNIST",
    mirrors: ["https://ossci-datasets.s3.amazonaws.com/mnist/", "http://yann.lecun.com/exdb/mnist/"],
    train: [
      { filename: "train-images-idx3-ubyte.gz", md5: "f68b3c2dcbeaaa9fbdd348bbdeb94873" },
      { filename: "train-labels-idx1-ubyte.gz", md5: "d53e105ee54ea40749a09fcbcd1e9432" },
    ],
    test: [
      { filename: "t10k-images-idx3-ubyte.gz", md5: "9fb629c4189551a2d022fa330f9573f3" },
      { filename: "t10k-labels-idx1-ubyte.gz", md5: "ec29112dd5afa0611ce80d1b7f02629c" },
    ],
    classes: ["0 - zero", "1 - one", "2 - two", "3 - three", "4 - four", "5 - five", "6 - six", "7 - seven", "8 - eight", "9 - nine"],
  };

  /** Pixels of every image, row-major, `length × 28 × 28` bytes. */
  readonly images: Uint8Array;
  /** The label of every image. */
  readonly labels: Uint8Array;
  readonly train: boolean;
  readonly root: string | null;
  readonly classes: readonly string[];
  readonly transform?: (image: RawImage) => X;
  readonly targetTransform?: (label: number) => number;

  /**
   * Reads the files synchronously (Node). For `download: true` use `await MNIST.create(options)`;
   * in a browser use `await MNIST.fromBuffers(imageBytes, labelBytes, options)`.
   */
  constructor(options?: MNISTOptions<X>, arrays?: { images: IdxArray; labels: IdxArray });
  /** torchvision's positional order (root, train, transform, targetTransform, download), then an optional options object. */
  constructor(root: string, ...args: PositionalArgs<[train: boolean, transform: ((image: RawImage) => X) | null,
    targetTransform: ((label: number) => number) | null, download: boolean], Omit<MNISTOptions<X>, "root">>);
  constructor(first?: MNISTOptions<X> | string | null, ...rest: unknown[]) {
    super();
    const spec = (new.target as unknown as { spec: MnistSpec }).spec;
    let options: MNISTOptions<X>, arrays: { images: IdxArray; labels: IdxArray } | undefined;
    if (typeof first === "string") {
      const o = positionalOptions<MNISTOptions<X>>(spec.name, rest, { keys: ["train", "transform", "targetTransform", "download"], after: "root" });
      if (o.root !== undefined) throw new TensileError(`${spec.name}: root given both positionally and as an option`);
      options = { ...o, root: first };
    } else {
      checkOptionsObject(spec.name, "the first argument (options, or torchvision's root folder)", first);
      options = first ?? {};
      arrays = rest[0] as typeof arrays;
    }
    this.train = options.train ?? true;
    this.transform = options.transform;
    this.targetTransform = options.targetTransform;
    this.classes = spec.classes;
    const [imgRes, lblRes] = this.train ? spec.train : spec.test;
    if (arrays) {
      this.root = null;
    } else {
      const root = options.root ?? (spec.defaultRoot && isDirectory(spec.defaultRoot) ? spec.defaultRoot : undefined);
      if (root === undefined)
        throw new TensileError(`${spec.name}: options.root is required (a folder holding ${imgRes.filename} and ${lblRes.filename})`);
      this.root = root;
      requireFileSystem(spec.name);
      const imgPath = findFile(spec, root, imgRes.filename);
      const lblPath = findFile(spec, root, lblRes.filename);
      if (!imgPath || !lblPath) {
        const missing = [imgPath ? null : imgRes.filename, lblPath ? null : lblRes.filename].filter(Boolean).join(" and ");
        throw new TensileError(
          options.download
            ? `${spec.name}: ${missing} not found in ${root}; downloading is asynchronous in JavaScript: use \`await ${spec.name}.create({ root, download: true })\``
            : `${spec.name}: dataset not found: ${missing} (gzip or raw) missing in ${root}; use \`await ${spec.name}.create({ root, download: true })\` to fetch it`,
        );
      }
      arrays = { images: decodeIdx(readBytes(spec.name, imgPath), imgPath), labels: decodeIdx(readBytes(spec.name, lblPath), lblPath) };
    }
    const { images, labels } = arrays;
    checkArrays(spec.name, images, labels, spec.classes.length);
    this.images = images.data as Uint8Array;
    this.labels = labels.data as Uint8Array;
  }

  /** Like the constructor, but downloads missing files (verifying MD5) when `download` is true. */
  static async create<X = Tensor>(
    this: { new (o: MNISTOptions<X>): MNIST<X>; spec: MnistSpec },
    options: MNISTOptions<X> = {},
  ): Promise<MNIST<X>> {
    options ??= {};
    const spec = this.spec;
    if (options.download) {
      const root = options.root ?? spec.defaultRoot;
      if (!root) throw new TensileError(`${spec.name}: options.root is required to download`);
      const wanted = (options.train ?? true) ? spec.train : spec.test;
      const missing = wanted.filter((r) => !findFile(spec, root, r.filename));
      await downloadResources(spec.name, root, missing, spec.mirrors, options.fetch);
      return new this({ ...options, root });
    }
    return new this(options);
  }

  /** From the bytes of an images file and a labels file (gzip or raw): works in browsers too. */
  static async fromBuffers<X = Tensor>(
    this: { new (o: MNISTOptions<X>, arrays: { images: IdxArray; labels: IdxArray }): MNIST<X>; spec: MnistSpec },
    imageBytes: Uint8Array,
    labelBytes: Uint8Array,
    options: Omit<MNISTOptions<X>, "root" | "download" | "fetch"> = {},
  ): Promise<MNIST<X>> {
    const name = this.spec.name;
    const decode = async (b: Uint8Array, what: string) => parseIdx(isGzip(b) ? await gunzip(name, what, b) : b, what);
    return new this(options, { images: await decode(imageBytes, "<images>"), labels: await decode(labelBytes, "<labels>") });
  }

  get length(): number {
    return this.labels.length;
  }

  /** Image `i` as 8-bit pixels (a view, not a copy). */
  rawImage(index: number): RawImage {
    checkIndex(this, index);
    return { data: this.images.subarray(index * PIXELS, (index + 1) * PIXELS), height: SIDE, width: SIDE, channels: 1 };
  }

  getItem(index: number): [X, number] {
    const img = this.rawImage(index);
    const x = this.transform ? this.transform(img) : (pixelsToTensor(img.data, 1) as X);
    const y = this.labels[index]!;
    return [x, this.targetTransform ? this.targetTransform(y) : y];
  }

  /** With no transforms, one pass over the bytes: images float32 [B, 1, 28, 28] and labels int32 [B]. */
  getBatch(indices: readonly number[]): Collated<[X, number]> {
    if (this.transform || this.targetTransform) return defaultCollate(indices.map((i) => this.getItem(i)));
    const idx = batchIndexTensor("MNIST.getBatch", indices, this.length).dataSync();
    const out = new Float32Array(idx.length * PIXELS);
    const y = new Int32Array(idx.length);
    for (let k = 0; k < idx.length; k++) {
      const base = idx[k]! * PIXELS, o = k * PIXELS;
      for (let p = 0; p < PIXELS; p++) out[o + p] = this.images[base + p]! / 255;
      y[k] = this.labels[idx[k]!]!;
    }
    return [
      asTensor(out, { shape: [idx.length, 1, SIDE, SIDE], dtype: "float32" }),
      asTensor(y, { shape: [idx.length], dtype: "int32" }),
    ] as Collated<[X, number]>;
  }

  /** All images as an int32 tensor [N, 28, 28] of 0–255 values (built on each access). */
  get data(): Tensor {
    return tensor(Int32Array.from(this.images), { shape: [this.length, SIDE, SIDE], dtype: "int32" });
  }

  /** All labels as an int32 tensor [N] (built on each access). */
  get targets(): Tensor {
    return tensor(Int32Array.from(this.labels), { shape: [this.length], dtype: "int32" });
  }
}

/**
 * Fashion-MNIST (Zalando): same format and sizes as MNIST, ten clothing classes. With no `root`,
 * uses `/usr/share/datasets/fashion-mnist/` (Debian's `dataset-fashion-mnist`) when it exists.
 */
export class FashionMNIST<X = Tensor> extends MNIST<X> {
  static override readonly spec: MnistSpec = {
    name: "FashionMNIST",
    mirrors: ["http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/"],
    train: [
      { filename: "train-images-idx3-ubyte.gz", md5: "8d4fb7e6c68d591d4c3dfef9ec88bf0d" },
      { filename: "train-labels-idx1-ubyte.gz", md5: "25c81989df183df01b3e8a0aad5dffbe" },
    ],
    test: [
      { filename: "t10k-images-idx3-ubyte.gz", md5: "bef4ecab320f06d8554ea6380940ec79" },
      { filename: "t10k-labels-idx1-ubyte.gz", md5: "bb300cfdad3c16e7a12a480ee83cd310" },
    ],
    classes: ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"],
    defaultRoot: "/usr/share/datasets/fashion-mnist/",
  };
}

/** 8-bit pixels of one channel-last image → float32 [C, H, W] in [0, 1] (square 28×28 here). */
function pixelsToTensor(px: Uint8Array | Uint8ClampedArray, channels: number): Tensor {
  const out = new Float32Array(px.length);
  for (let i = 0; i < px.length; i++) out[i] = px[i]! / 255;
  return asTensor(out, { shape: [channels, SIDE, SIDE], dtype: "float32" });
}

function checkIndex(d: { length: number }, index: number): void {
  if (!Number.isInteger(index) || index < 0 || index >= d.length)
    throw new TensileError(`MNIST.getItem: index ${index} is out of range for a dataset of length ${d.length}`);
}

/** `<dir>/<name>.gz` or `<dir>/<name>` for dir in root and torchvision's `<root>/<Name>/raw`. */
function findFile(spec: MnistSpec, root: string, gzName: string): string | null {
  const raw = gzName.replace(/\.gz$/, "");
  for (const dir of [root, joinPath(root, spec.name, "raw")])
    for (const name of [gzName, raw]) {
      const p = joinPath(dir, name);
      if (fileExists(p)) return p;
    }
  return null;
}

function checkArrays(op: string, images: IdxArray, labels: IdxArray, numClasses: number): void {
  const s = images.shape;
  if (images.dtype !== "uint8" || s.length !== 3 || s[1] !== SIDE || s[2] !== SIDE)
    throw new TensileError(`${op}: the images file holds ${images.dtype} [${s.join(", ")}]; expected uint8 [N, 28, 28]`);
  if (labels.dtype !== "uint8" || labels.shape.length !== 1)
    throw new TensileError(`${op}: the labels file holds ${labels.dtype} [${labels.shape.join(", ")}]; expected uint8 [N]`);
  if (labels.shape[0] !== s[0])
    throw new TensileError(`${op}: the images file has ${s[0]} images but the labels file has ${labels.shape[0]} labels`);
  const bad = (labels.data as Uint8Array).findIndex((v) => v >= numClasses);
  if (bad >= 0) throw new TensileError(`${op}: label ${labels.data[bad]} at index ${bad} is not a class index in [0, ${numClasses})`);
}
