/**
 * The geometric half of `data.transforms.functional` (torchvision.transforms.functional on tensors):
 * resize, crops, flips, padding, and the grid-sampled rotate / affine / perspective / elastic
 * transform, reproducing torchvision 0.14's `_gen_affine_grid`, `_perspective_grid`,
 * `_get_inverse_affine_matrix`, `_create_identity_grid` and `_apply_grid_transform` (with its extra
 * mask channel when a `fill` is given).
 *
 * Images are float tensors [..., C, H, W] (or [H, W]); leading dims are flattened into one batch.
 */
import { Tensor, asTensor, cat, tensor, where } from "../core.js";
import { TensileError } from "../errors.js";
import { interpolate } from "../nn/functional/resize.js";
import { gridSample } from "../nn/functional/sampling.js";
import { type Fill, type Interpolation, channelsOf, checkInterpolation, fillList, floatImage, linspace32, parseHW } from "./transforms-common.js";

const check = (ok: boolean, op: string, msg: () => string) => { if (!ok) throw new TensileError(`${op}: ${msg()}`); };
const dims = (img: Tensor) => [img.shape[img.ndim - 2]!, img.shape[img.ndim - 1]!] as [number, number];

export interface ResizeOptions {
  interpolation?: Interpolation;
  /** With a single `size`: the longer edge is capped at this (the shorter shrinks in proportion). */
  maxSize?: number | null;
  /** Low-pass filter when downsampling (bilinear and bicubic; default false, torchvision 0.14's tensor default). */
  antialias?: boolean;
}

/** torchvision's `_compute_resized_output_size`: [newH, newW]. */
export function resizedSize(op: string, h: number, w: number, size: number | readonly number[], maxSize?: number | null): [number, number] {
  const s = typeof size === "number" ? [size] : [...size];
  check(s.length === 1 || s.length === 2, op, () => `size must be an int or a 1 or 2 element list, not a ${s.length} element list`);
  check(s.every((v) => Number.isInteger(v) && v > 0), op, () => `size should be positive integers, got ${JSON.stringify(size)}`);
  if (s.length === 2) {
    check(maxSize === undefined || maxSize === null, op, () => "maxSize should only be passed if size specifies the length of the smaller edge, i.e. size should be a number or a list of length 1");
    return [s[0]!, s[1]!];
  }
  const [short, long] = w <= h ? [w, h] : [h, w];
  let newShort = s[0]!, newLong = Math.trunc((s[0]! * long) / short);
  if (maxSize !== undefined && maxSize !== null) {
    check(maxSize > s[0]!, op, () => `max_size = ${maxSize} must be strictly greater than the requested size for the smaller edge size = ${s[0]}`);
    if (newLong > maxSize) { newShort = Math.trunc((maxSize * newShort) / newLong); newLong = maxSize; }
  }
  return w <= h ? [newLong, newShort] : [newShort, newLong];
}

/** Runs `fn` on the image as a 4-D batch [N, C, H, W] and restores the leading dims. */
function as4d(img: Tensor, fn: (x: Tensor) => Tensor): Tensor {
  const [h, w] = dims(img);
  const lead = img.shape.slice(0, -2);
  const c = img.ndim === 2 ? 1 : img.shape[img.ndim - 3]!;
  const y = fn(img.reshape([-1, c, h, w]));
  return y.reshape([...lead, y.shape[2]!, y.shape[3]!]);
}

/**
 * Resizes to `size`: [h, w], or a number (or [n]) for the smaller edge, the other keeping the aspect
 * ratio (rounded down), optionally capped by `maxSize`. Interpolation: bilinear (default), nearest,
 * bicubic (not clamped, as torchvision for float images).
 * ```ts
 * F.resize(rand([3, 32, 48]), 16).shape; // [3, 16, 24]
 * ```
 */
export function resize(img: Tensor, size: number | readonly number[], options: ResizeOptions = {}): Tensor {
  const op = "resize";
  options ??= {};
  floatImage(op, img);
  const mode = checkInterpolation(op, options.interpolation ?? "bilinear", ["nearest", "bilinear", "bicubic"]);
  const antialias = options.antialias ?? false;
  check(!antialias || mode !== "nearest", op, () => "antialias option is supported for bilinear and bicubic interpolation modes only");
  const [h, w] = dims(img);
  const [oh, ow] = resizedSize(op, h, w, size, options.maxSize);
  if (oh === h && ow === w) return img;
  return as4d(img, (x) => interpolate(x, { size: [oh, ow], mode, alignCorners: mode === "nearest" ? null : false, antialias }));
}

/** The window rows top…top+height−1, columns left…left+width−1, zero-padded where it leaves the image. */
export function crop(img: Tensor, top: number, left: number, height: number, width: number): Tensor {
  const op = "crop";
  check(img instanceof Tensor && img.ndim >= 2, op, () => "expected an image tensor [..., H, W]");
  check([top, left, height, width].every(Number.isInteger) && height > 0 && width > 0, op, () =>
    `top, left, height, width should be integers with positive height and width, got ${top}, ${left}, ${height}, ${width}`);
  const [h, w] = dims(img);
  const right = left + width, bottom = top + height;
  const y0 = Math.max(top, 0), x0 = Math.max(left, 0), y1 = Math.min(bottom, h), x1 = Math.min(right, w);
  if (y0 >= y1 || x0 >= x1) return img.newZeros([...img.shape.slice(0, -2), height, width]);
  const inner = img.narrow(img.ndim - 2, y0, y1 - y0).narrow(img.ndim - 1, x0, x1 - x0);
  if (y0 === top && x0 === left && y1 === bottom && x1 === right) return inner.contiguous();
  return inner.pad([x0 - left, right - x1, y0 - top, bottom - y1]);
}

/** The central `size` window (number or [h, w]), zero-padded when the image is smaller. */
export function centerCrop(img: Tensor, size: number | readonly number[]): Tensor {
  const [ch, cw] = parseHW("centerCrop", size);
  check(img instanceof Tensor && img.ndim >= 2, "centerCrop", () => "expected an image tensor [..., H, W]");
  let [h, w] = dims(img);
  if (cw > w || ch > h) {
    const l = cw > w ? (cw - w) >> 1 : 0, t = ch > h ? (ch - h) >> 1 : 0;
    const r = cw > w ? (cw - w + 1) >> 1 : 0, b = ch > h ? (ch - h + 1) >> 1 : 0;
    img = img.pad([l, r, t, b]);
    [h, w] = dims(img);
    if (cw === w && ch === h) return img;
  }
  // Python's round() rounds halves to even
  const roundEven = (v: number) => { const f = Math.floor(v); return v - f === 0.5 ? (f % 2 === 0 ? f : f + 1) : Math.round(v); };
  return crop(img, roundEven((h - ch) / 2), roundEven((w - cw) / 2), ch, cw);
}

/** Mirrors left–right. */
export function hflip(img: Tensor): Tensor {
  check(img instanceof Tensor && img.ndim >= 2, "hflip", () => "expected an image tensor [..., H, W]");
  return img.flip(-1);
}

/** Mirrors top–bottom. */
export function vflip(img: Tensor): Tensor {
  check(img instanceof Tensor && img.ndim >= 2, "vflip", () => "expected an image tensor [..., H, W]");
  return img.flip(-2);
}

/** Source index for position i on an axis of n pixels, by padding mode (never constant). */
function source(i: number, n: number, mode: "edge" | "reflect" | "symmetric"): number {
  if (i >= 0 && i < n) return i;
  if (mode === "edge") return i < 0 ? 0 : n - 1;
  const period = mode === "reflect" ? 2 * (n - 1) : 2 * n;
  if (period === 0) return 0;
  const k = ((i % period) + period) % period;
  return k < n ? k : mode === "reflect" ? period - k : period - 1 - k;
}

/**
 * Pads the last two dims: `padding` n, [leftRight, topBottom] or [left, top, right, bottom];
 * `paddingMode` constant (with `fill`), edge, reflect or symmetric.
 */
export function pad(img: Tensor, padding: number | readonly number[], fill = 0, paddingMode: "constant" | "edge" | "reflect" | "symmetric" = "constant"): Tensor {
  const op = "pad";
  check(img instanceof Tensor && img.ndim >= 2, op, () => "expected an image tensor [..., H, W]");
  const p = typeof padding === "number" ? [padding] : [...padding];
  check([1, 2, 4].includes(p.length) && p.every((v) => Number.isInteger(v) && v >= 0), op, () =>
    `padding must be a non-negative integer or a 1, 2, or 4 element list of them, got ${JSON.stringify(padding)}`);
  check(["constant", "edge", "reflect", "symmetric"].includes(paddingMode), op, () =>
    `padding mode should be either constant, edge, reflect or symmetric, got ${JSON.stringify(paddingMode)}`);
  const [l, t, r, b] = p.length === 1 ? [p[0]!, p[0]!, p[0]!, p[0]!] : p.length === 2 ? [p[0]!, p[1]!, p[0]!, p[1]!] : p;
  if (paddingMode === "constant") return img.pad([l!, r!, t!, b!], "constant", fill);
  const [h, w] = dims(img);
  if (paddingMode === "reflect")
    check(l! < w && r! < w && t! < h && b! < h, op, () => `padding size should be less than the corresponding input dimension, got padding [${l}, ${t}, ${r}, ${b}] for an image of height ${h} and width ${w}`);
  const idx = (n: number, before: number, after: number) =>
    asTensor(Int32Array.from({ length: n + before + after }, (_, i) => source(i - before, n, paddingMode)), { dtype: "int32" });
  return img.indexSelect(img.ndim - 2, idx(h, t!, b!)).indexSelect(img.ndim - 1, idx(w, l!, r!));
}

/** `crop` then `resize` (torchvision's `resized_crop`). */
export function resizedCrop(img: Tensor, top: number, left: number, height: number, width: number, size: number | readonly number[], options: Omit<ResizeOptions, "maxSize"> = {}): Tensor {
  return resize(crop(img, top, left, height, width), size, options);
}

/** The four corner crops and the central crop of `size`: [topLeft, topRight, bottomLeft, bottomRight, center]. */
export function fiveCrop(img: Tensor, size: number | readonly number[]): [Tensor, Tensor, Tensor, Tensor, Tensor] {
  const op = "fiveCrop";
  const [ch, cw] = parseHW(op, size);
  check(img instanceof Tensor && img.ndim >= 2, op, () => "expected an image tensor [..., H, W]");
  const [h, w] = dims(img);
  check(ch <= h && cw <= w, op, () => `requested crop size (${ch}, ${cw}) is bigger than input size (${h}, ${w})`);
  return [crop(img, 0, 0, ch, cw), crop(img, 0, w - cw, ch, cw), crop(img, h - ch, 0, ch, cw), crop(img, h - ch, w - cw, ch, cw), centerCrop(img, [ch, cw])];
}

/** `fiveCrop` of the image and of its mirror (left–right, or top–bottom with `verticalFlip`). */
export function tenCrop(img: Tensor, size: number | readonly number[], verticalFlip = false): Tensor[] {
  const first = fiveCrop(img, size);
  return [...first, ...fiveCrop(verticalFlip ? vflip(img) : hflip(img), size)];
}

const rad = (deg: number) => (deg * Math.PI) / 180;

/**
 * torchvision's `_get_inverse_affine_matrix`: the 2×3 matrix (row-major, 6 numbers) mapping output
 * to input coordinates for rotation `angle` (degrees, anticlockwise for positive), translation,
 * scale and shear [x, y] (degrees) about `center`.
 */
export function inverseAffineMatrix(center: readonly number[], angle: number, translate: readonly number[], scale: number, shear: readonly number[]): number[] {
  const rot = rad(angle), sx = rad(shear[0]!), sy = rad(shear[1]!);
  const [cx, cy] = center as [number, number], [tx, ty] = translate as [number, number];
  const a = Math.cos(rot - sy) / Math.cos(sy);
  const b = (-Math.cos(rot - sy) * Math.tan(sx)) / Math.cos(sy) - Math.sin(rot);
  const c = Math.sin(rot - sy) / Math.cos(sy);
  const d = (-Math.sin(rot - sy) * Math.tan(sx)) / Math.cos(sy) + Math.cos(rot);
  const m = [d, -b, 0, -c, a, 0].map((v) => v / scale);
  m[2] += m[0]! * (-cx - tx) + m[1]! * (-cy - ty);
  m[5] += m[3]! * (-cx - tx) + m[4]! * (-cy - ty);
  m[2] += cx;
  m[5] += cy;
  return m;
}

/** [1, oh·ow, 3] rows (x, y, 1) of pixel centres, x from `x0`, y from `y0`, as torchvision's base grids. */
function baseGrid(x0: number, y0: number, ow: number, oh: number, dtype: "float32" | "float64"): Tensor {
  const xs = linspace32(x0, x0 + ow - 1, ow), ys = linspace32(y0, y0 + oh - 1, oh);
  const g = new Float64Array(oh * ow * 3);
  for (let y = 0; y < oh; y++) for (let x = 0; x < ow; x++) g.set([xs[x]!, ys[y]!, 1], (y * ow + x) * 3);
  return tensor(g, { dtype }).reshape([1, oh * ow, 3]);
}

function affineGridOf(matrix: readonly number[], w: number, h: number, ow: number, oh: number, dtype: "float32" | "float64"): Tensor {
  const theta = tensor([...matrix], { dtype }).reshape([1, 2, 3]);
  const rescaled = theta.transpose(1, 2).div(tensor([0.5 * w, 0.5 * h], { dtype }));
  return baseGrid(-ow * 0.5 + 0.5, -oh * 0.5 + 0.5, ow, oh, dtype).matmul(rescaled).reshape([1, oh, ow, 2]);
}

/** Samples the image at `grid` (shared by the batch); with `fill`, the uncovered area takes it (mask channel). */
function applyGrid(img: Tensor, grid: Tensor, mode: Interpolation, fill: number[] | null): Tensor {
  return as4d(img, (x) => {
    const n = x.shape[0]!;
    const g = n > 1 ? grid.expand([n, ...grid.shape.slice(1)]) : grid;
    if (fill) x = cat([x, x.newOnes([n, 1, x.shape[2]!, x.shape[3]!])], 1);
    let y = gridSample(x, g, { mode, paddingMode: "zeros", alignCorners: false });
    if (!fill) return y;
    const c = y.shape[1]! - 1;
    const mask = y.narrow(1, c, 1);
    y = y.narrow(1, 0, c);
    const f = tensor(fill, { dtype: y.dtype }).reshape([1, fill.length, 1, 1]);
    if (mode === "nearest") return where(mask.lt(0.5), f.expand(y.shape), y);
    return y.mul(mask).add(mask.neg().add(1).mul(f));
  });
}

export interface GridOptions {
  /** nearest (default for rotate/affine) or bilinear (default for perspective); bicubic is a Tensile extension. */
  interpolation?: Interpolation;
  /** Value(s) for the area outside the source image (default: none, i.e. zeros without the mask pass). */
  fill?: Fill | null;
}

function gridArgs(op: string, img: Tensor, options: GridOptions, defaultMode: Interpolation) {
  floatImage(op, img);
  const mode = checkInterpolation(op, options.interpolation ?? defaultMode, ["nearest", "bilinear", "bicubic"]);
  return { mode, fill: fillList(op, options.fill, channelsOf(img)) };
}

/** Output [w, h] that holds the whole transformed image (torchvision's `_compute_affine_output_size`, float32). */
function expandedSize(matrix: readonly number[], w: number, h: number): [number, number] {
  const f = Math.fround, m = matrix.map(f);
  const pts = [[-0.5 * w, -0.5 * h], [-0.5 * w, 0.5 * h], [0.5 * w, 0.5 * h], [0.5 * w, -0.5 * h]];
  const lo = [Infinity, Infinity], hi = [-Infinity, -Infinity];
  for (const [x, y] of pts)
    for (let k = 0; k < 2; k++) {
      const v = f(f(f(f(x!) * m[3 * k]!) + f(f(y!) * m[3 * k + 1]!)) + m[3 * k + 2]!);
      lo[k] = Math.min(lo[k]!, v); hi[k] = Math.max(hi[k]!, v);
    }
  const tol = f(1e-4), half = [f(w * 0.5), f(h * 0.5)];
  const size = [0, 1].map((k) => {
    const cmax = Math.ceil(f(Math.trunc(f(f(hi[k]! + half[k]!) / tol)) * tol));
    const cmin = Math.floor(f(Math.trunc(f(f(lo[k]! + half[k]!) / tol)) * tol));
    return cmax - cmin;
  });
  return size as [number, number];
}

/**
 * Rotates by `angle` degrees anticlockwise about `center` ([x, y] in pixels, default the image
 * centre); `expand` enlarges the output to hold the whole rotated image.
 * ```ts
 * F.rotate(img, 30, { interpolation: "bilinear", fill: 0 });
 * ```
 */
export function rotate(img: Tensor, angle: number, options: GridOptions & { expand?: boolean; center?: readonly number[] | null } = {}): Tensor {
  const op = "rotate";
  options ??= {};
  check(typeof angle === "number" && Number.isFinite(angle), op, () => `angle should be a number, got ${angle}`);
  const { mode, fill } = gridArgs(op, img, options, "nearest");
  const [h, w] = dims(img);
  const center = centerOffset(op, options.center, w, h);
  const matrix = inverseAffineMatrix(center, -angle, [0, 0], 1, [0, 0]);
  const [ow, oh] = options.expand ? expandedSize(matrix, w, h) : [w, h];
  return applyGrid(img, affineGridOf(matrix, w, h, ow, oh, img.dtype as "float32"), mode, fill);
}

function centerOffset(op: string, center: readonly number[] | null | undefined, w: number, h: number): number[] {
  if (center === null || center === undefined) return [0, 0];
  check(Array.isArray(center) && center.length === 2 && center.every((v) => typeof v === "number"), op, () => `center should be a sequence of length 2, got ${JSON.stringify(center)}`);
  return [center[0]! - w * 0.5, center[1]! - h * 0.5];
}

/**
 * Affine transform keeping the image centre (or `center`) fixed: rotation `angle` (degrees),
 * `translate` [dx, dy] pixels, `scale` > 0, `shear` degrees (a number: x only; [x, y]).
 */
export function affine(img: Tensor, angle: number, translate: readonly number[], scale: number, shear: number | readonly number[], options: GridOptions & { center?: readonly number[] | null } = {}): Tensor {
  const op = "affine";
  options ??= {};
  check(typeof angle === "number" && Number.isFinite(angle), op, () => `angle should be a number, got ${angle}`);
  check(Array.isArray(translate) && translate.length === 2, op, () => `translate should be a sequence of length 2, got ${JSON.stringify(translate)}`);
  check(typeof scale === "number" && scale > 0, op, () => `scale should be positive, got ${scale}`);
  let sh = typeof shear === "number" ? [shear, 0] : [...shear];
  if (sh.length === 1) sh = [sh[0]!, sh[0]!];
  check(sh.length === 2, op, () => `shear should be a sequence containing two values, got ${JSON.stringify(shear)}`);
  const { mode, fill } = gridArgs(op, img, options, "nearest");
  const [h, w] = dims(img);
  const matrix = inverseAffineMatrix(centerOffset(op, options.center, w, h), angle, translate, scale, sh);
  return applyGrid(img, affineGridOf(matrix, w, h, w, h, img.dtype as "float32"), mode, fill);
}

/**
 * The 8 coefficients of the projective map from `endpoints` to `startpoints` (4 [x, y] each), solved
 * in float64 (torchvision solves the same 8×8 system by least squares in float32).
 */
export function perspectiveCoeffs(startpoints: readonly (readonly number[])[], endpoints: readonly (readonly number[])[]): number[] {
  const op = "perspective";
  const ok = (p: readonly (readonly number[])[]) => Array.isArray(p) && p.length === 4 && p.every((q) => Array.isArray(q) && q.length === 2 && q.every(Number.isFinite));
  check(ok(startpoints) && ok(endpoints), op, () => "startpoints and endpoints should be 4 points [x, y] each");
  const A: number[][] = [];
  for (let i = 0; i < 4; i++) {
    const [x, y] = endpoints[i] as [number, number], [u, v] = startpoints[i] as [number, number];
    A.push([x, y, 1, 0, 0, 0, -u * x, -u * y, u], [0, 0, 0, x, y, 1, -v * x, -v * y, v]);
  }
  for (let c = 0; c < 8; c++) {
    let p = c;
    for (let r = c + 1; r < 8; r++) if (Math.abs(A[r]![c]!) > Math.abs(A[p]![c]!)) p = r;
    check(Math.abs(A[p]![c]!) > 1e-12, op, () => "the points do not define a perspective transform (collinear points)");
    [A[c], A[p]] = [A[p]!, A[c]!];
    for (let r = 0; r < 8; r++) {
      if (r === c) continue;
      const k = A[r]![c]! / A[c]![c]!;
      for (let j = c; j < 9; j++) A[r]![j]! -= k * A[c]![j]!;
    }
  }
  return A.map((row, i) => row[8]! / row[i]!);
}

/** Perspective warp taking the four `startpoints` (corners, [x, y]) to `endpoints`. */
export function perspective(img: Tensor, startpoints: readonly (readonly number[])[], endpoints: readonly (readonly number[])[], options: GridOptions = {}): Tensor {
  const op = "perspective";
  options ??= {};
  const { mode, fill } = gridArgs(op, img, options, "bilinear");
  const c = perspectiveCoeffs(startpoints, endpoints);
  const [oh, ow] = dims(img);
  const dtype = img.dtype as "float32";
  const theta1 = tensor([[c[0]!, c[1]!, c[2]!], [c[3]!, c[4]!, c[5]!]], { dtype }).reshape([1, 2, 3]);
  const theta2 = tensor([[c[6]!, c[7]!, 1], [c[6]!, c[7]!, 1]], { dtype }).reshape([1, 2, 3]);
  const base = baseGrid(0.5, 0.5, ow, oh, dtype);
  const g1 = base.matmul(theta1.transpose(1, 2).div(tensor([0.5 * ow, 0.5 * oh], { dtype })));
  const g2 = base.matmul(theta2.transpose(1, 2));
  return applyGrid(img, g1.div(g2).sub(1).reshape([1, oh, ow, 2]), mode, fill);
}

/**
 * Moves every pixel by `displacement` [1, H, W, 2] ([dx, dy] per output pixel, in grid_sample's
 * normalised coordinates where the image spans [−1, 1]): the output at a pixel samples the input at
 * its centre plus the displacement (torchvision's `elastic_transform`; `transforms.elasticTransform`
 * draws a smooth random displacement).
 * ```ts
 * const shift = zeros([1, 8, 10, 2]).add(tensor([0.2, 0]));  // a tenth of the width to the right
 * F.elasticTransform(img, shift, { fill: 0 });
 * ```
 */
export function elasticTransform(img: Tensor, displacement: Tensor, options: GridOptions = {}): Tensor {
  const op = "elasticTransform";
  options ??= {};
  const { mode, fill } = gridArgs(op, img, options, "bilinear");
  check(displacement instanceof Tensor, op, () => "argument displacement should be a Tensor");
  const [h, w] = dims(img);
  const want = [1, h, w, 2];
  check(displacement.shape.length === 4 && displacement.shape.every((d, i) => d === want[i]), op, () =>
    `argument displacement shape should be [${want.join(", ")}], but given [${displacement.shape.join(", ")}]`);
  check(displacement.dtype === "float32" || displacement.dtype === "float64", op, () => `displacement should be a float tensor, got ${displacement.dtype}`);
  // torchvision's _create_identity_grid: pixel centres, linspace((1 − s)/s, (s − 1)/s, s) per axis
  const xs = linspace32((1 - w) / w, (w - 1) / w, w), ys = linspace32((1 - h) / h, (h - 1) / h, h);
  const id = new Float64Array(h * w * 2);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) id.set([xs[x]!, ys[y]!], (y * w + x) * 2);
  const grid = tensor(id, { dtype: img.dtype }).reshape(want).add(displacement.to(img.dtype));
  return applyGrid(img, grid, mode, fill);
}

/** Sets rows i…i+h−1, columns j…j+w−1 to `v` (a tensor broadcastable to [..., C, h, w], or a number). */
export function erase(img: Tensor, i: number, j: number, h: number, w: number, v: Tensor | number): Tensor {
  const op = "erase";
  check(img instanceof Tensor && img.ndim >= 2, op, () => "expected an image tensor [..., H, W]");
  const [H, W] = dims(img);
  check([i, j, h, w].every(Number.isInteger) && i >= 0 && j >= 0 && h >= 0 && w >= 0 && i + h <= H && j + w <= W, op, () =>
    `the region (i=${i}, j=${j}, h=${h}, w=${w}) is not inside the image of height ${H} and width ${W}`);
  if (h === 0 || w === 0) return img.clone();
  const hd = img.ndim - 2, wd = img.ndim - 1;
  const band = img.narrow(hd, i, h);
  const target = [...band.shape.slice(0, -1), w];
  const val = (typeof v === "number" ? tensor(v, { dtype: img.dtype }) : v.to(img.dtype)).expand(target);
  return img.sliceScatter(band.sliceScatter(val.contiguous(), wd, j, j + w), hd, i, i + h);
}
