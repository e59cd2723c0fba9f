/**
 * The colour half of `data.transforms.functional` (torchvision.transforms.functional's tensor
 * kernels, functional_tensor.py): brightness, contrast, saturation, hue, gamma, sharpness,
 * greyscale, blur, invert, posterize, solarize, autocontrast, equalize, and dtype conversion.
 *
 * Images are float tensors [..., C, H, W] with values in [0, 1]. Each op is written with the same
 * tensor operations, in the same order, as torchvision's, so results agree to float rounding on
 * either backend. torchvision's posterize and equalize accept only uint8 tensors; here they take a
 * float image, quantise it to 256 levels exactly as `convertImageDtype(img, uint8)` would
 * (⌊x · 255.999⌋), apply the uint8 operation, and return level / 255.
 */
import { Tensor, asTensor, stack, tensor, where } from "../core.js";
import { TensileError } from "../errors.js";
import { conv2d } from "../nn/functional/conv.js";
import { channelsOf, checkChannels, floatImage, linspace32 } from "./transforms-common.js";

const check = (ok: boolean, op: string, msg: () => string) => { if (!ok) throw new TensileError(`${op}: ${msg()}`); };

/** (ratio · a + (1 − ratio) · b) clamped to [0, 1] (torchvision's `_blend`). */
function blend(a: Tensor, b: Tensor, ratio: number): Tensor {
  return a.mul(ratio).add(b.mul(1 - ratio)).clamp(0, 1);
}

function nonNegative(op: string, name: string, v: number): void {
  check(typeof v === "number" && v >= 0, op, () => `${name} (${v}) is not non-negative`);
}

/**
 * Luma 0.2989 R + 0.587 G + 0.114 B of an RGB image [..., 3, H, W] (a one-channel image is copied),
 * repeated to `numOutputChannels` (1 or 3; as torchvision, a one-channel image stays one channel).
 * ```ts
 * F.rgbToGrayscale(rand([3, 8, 8])).shape; // [1, 8, 8]
 * ```
 */
export function rgbToGrayscale(img: Tensor, numOutputChannels: 1 | 3 = 1): Tensor {
  const op = "rgbToGrayscale";
  floatImage(op, img, 3);
  checkChannels(op, img, [1, 3]);
  check(numOutputChannels === 1 || numOutputChannels === 3, op, () => `numOutputChannels should be either 1 or 3, got ${numOutputChannels}`);
  let l: Tensor;
  if (channelsOf(img) === 3) {
    const [r, g, b] = img.unbind(-3) as [Tensor, Tensor, Tensor];
    l = r.mul(0.2989).add(g.mul(0.587)).add(b.mul(0.114)).unsqueeze(-3);
  } else l = img.clone();
  // as torchvision, 3 output channels of a one-channel image expand to the input's shape (one channel)
  return numOutputChannels === 3 ? l.expand(img.shape).contiguous() : l;
}

/** Multiplies by `factor` ≥ 0 and clamps to [0, 1] (0: black, 1: unchanged). */
export function adjustBrightness(img: Tensor, factor: number): Tensor {
  const op = "adjustBrightness";
  nonNegative(op, "brightness_factor", factor);
  floatImage(op, img, 2);
  checkChannels(op, img, [1, 3]);
  return blend(img, img.zerosLike(), factor);
}

/** Blends with the mean grey level of each image (0: uniform grey, 1: unchanged). */
export function adjustContrast(img: Tensor, factor: number): Tensor {
  const op = "adjustContrast";
  nonNegative(op, "contrast_factor", factor);
  floatImage(op, img, 3);
  checkChannels(op, img, [1, 3]);
  const grey = channelsOf(img) === 3 ? rgbToGrayscale(img) : img;
  return blend(img, grey.mean([-3, -2, -1], true), factor);
}

/** Blends with the greyscale image (0: grey, 1: unchanged, 2: doubly saturated); one channel: unchanged. */
export function adjustSaturation(img: Tensor, factor: number): Tensor {
  const op = "adjustSaturation";
  nonNegative(op, "saturation_factor", factor);
  floatImage(op, img, 3);
  checkChannels(op, img, [1, 3]);
  if (channelsOf(img) === 1) return img;
  return blend(img, rgbToGrayscale(img), factor);
}

/** Shifts the hue by `factor` ∈ [−0.5, 0.5] of a turn, through RGB → HSV → RGB; one channel: unchanged. */
export function adjustHue(img: Tensor, factor: number): Tensor {
  const op = "adjustHue";
  check(typeof factor === "number" && factor >= -0.5 && factor <= 0.5, op, () => `hue_factor (${factor}) is not in [-0.5, 0.5]`);
  floatImage(op, img, 3);
  checkChannels(op, img, [1, 3]);
  if (channelsOf(img) === 1) return img;
  const [h, s, v] = rgbToHsv(img).unbind(-3) as [Tensor, Tensor, Tensor];
  return hsvToRgb(stack([h.add(factor).remainder(1), s, v], -3));
}

function rgbToHsv(img: Tensor): Tensor {
  const [r, g, b] = img.unbind(-3) as [Tensor, Tensor, Tensor];
  const maxc = img.amax(-3), minc = img.amin(-3);
  const eqc = maxc.eq(minc);
  const cr = maxc.sub(minc);
  const s = cr.div(where(eqc, 1, maxc));
  const crDivisor = where(eqc, 1, cr);
  const rc = maxc.sub(r).div(crDivisor), gc = maxc.sub(g).div(crDivisor), bc = maxc.sub(b).div(crDivisor);
  const f = (m: Tensor) => m.to(img.dtype);
  const hr = f(maxc.eq(r)).mul(bc.sub(gc));
  const hg = f(maxc.eq(g).logicalAnd(maxc.ne(r))).mul(rc.add(2).sub(bc));
  const hb = f(maxc.ne(g).logicalAnd(maxc.ne(r))).mul(gc.add(4).sub(rc));
  const h = hr.add(hg).add(hb).div(6).add(1).fmod(1);
  return stack([h, s, maxc], -3);
}

function hsvToRgb(img: Tensor): Tensor {
  const [h, s, v] = img.unbind(-3) as [Tensor, Tensor, Tensor];
  const h6 = h.mul(6);
  const i = h6.floor();
  const f = h6.sub(i);
  const p = v.mul(s.neg().add(1)).clamp(0, 1);
  const q = v.mul(s.mul(f).neg().add(1)).clamp(0, 1);
  const t = v.mul(s.mul(f.neg().add(1)).neg().add(1)).clamp(0, 1);
  const k = i.remainder(6);
  const pick = (vals: Tensor[]) => vals.reduceRight((acc, val, idx) => where(k.eq(idx), val, acc));
  return stack([pick([v, q, p, p, t, v]), pick([t, v, v, q, p, p]), pick([p, p, t, v, v, q])], -3);
}

/** gain · img^gamma, clamped to [0, 1]. */
export function adjustGamma(img: Tensor, gamma: number, gain = 1): Tensor {
  const op = "adjustGamma";
  floatImage(op, img, 2);
  checkChannels(op, img, [1, 3]);
  check(typeof gamma === "number" && gamma >= 0, op, () => `gamma should be a non-negative real number, got ${gamma}`);
  return img.pow(gamma).mul(gain).clamp(0, 1);
}

/** Depthwise 2-D convolution of every plane of [..., C, H, W] with `kernel` [kh, kw] (no padding). */
function depthwise(img: Tensor, kernel: Tensor): Tensor {
  const [c, h, w] = img.shape.slice(-3) as [number, number, number];
  const x = img.reshape([-1, c, h, w]);
  const y = conv2d(x, kernel.expand([c, 1, kernel.shape[0]!, kernel.shape[1]!]).contiguous(), null, { groups: c });
  return y.reshape([...img.shape.slice(0, -2), y.shape[2]!, y.shape[3]!]);
}

/**
 * Blends with a smoothed copy (3×3 kernel, centre weight 5/13; the border pixels kept): 0 blurs,
 * 1 leaves the image, 2 sharpens. Images of height or width ≤ 2 are returned unchanged.
 */
export function adjustSharpness(img: Tensor, factor: number): Tensor {
  const op = "adjustSharpness";
  nonNegative(op, "sharpness_factor", factor);
  floatImage(op, img, 3);
  checkChannels(op, img, [1, 3]);
  const H = img.shape[img.ndim - 2]!, W = img.shape[img.ndim - 1]!;
  if (H <= 2 || W <= 2) return img;
  // the kernel in the image's dtype, as torchvision's (1/13 rounded once, in float64 for a float64 image)
  const k = new Float64Array(9).fill(1 / 13);
  k[4] = 5 / 13;
  const kernel = asTensor(img.dtype === "float32" ? Float32Array.from(k) : k, { shape: [3, 3], dtype: img.dtype as "float32" });
  const inner = depthwise(img, kernel);
  const hd = img.ndim - 2, wd = img.ndim - 1;
  const rows = img.narrow(hd, 1, H - 2).sliceScatter(inner, wd, 1, W - 1);
  return blend(img, img.sliceScatter(rows, hd, 1, H - 1), factor);
}

/** The normalised 1-D Gaussian of torchvision: exp(−x²/2σ²) at x = −(k−1)/2 … (k−1)/2, summing to 1. */
function gaussianKernel1d(size: number, sigma: number): Tensor {
  const half = (size - 1) * 0.5;
  // σ as torch sees a Python float beside a float32 tensor: rounded to float32 first
  const pdf = tensor(linspace32(-half, half, size)).div(Math.fround(sigma)).pow(2).mul(-0.5).exp();
  // the sum left to right in float32, as torch's sum of a short float32 vector (exactly what a
  // float64 image sees: [e, 1, e] sums to 1.9156666, not the correctly rounded 1.9156667)
  let total = 0;
  for (const v of pdf.dataSync() as Float32Array) total = Math.fround(total + v);
  return pdf.div(total);
}

/**
 * Gaussian blur with `kernelSize` [kw, kh] (odd, positive; a number for both) and `sigma` [σx, σy]
 * (default 0.15 · k + 0.35), the image reflect-padded by half the kernel so the size is kept.
 * ```ts
 * F.gaussianBlur(img, 3, 1.0);
 * ```
 */
export function gaussianBlur(img: Tensor, kernelSize: number | readonly number[], sigma?: number | readonly number[] | null): Tensor {
  const op = "gaussianBlur";
  const ks = typeof kernelSize === "number" ? [kernelSize, kernelSize] : [...kernelSize];
  check(ks.length === 2, op, () => `if kernel_size is a sequence its length should be 2, got ${ks.length}`);
  check(ks.every((k) => Number.isInteger(k) && k > 0 && k % 2 === 1), op, () => `kernel_size should have odd and positive integers, got ${JSON.stringify(kernelSize)}`);
  let sg = sigma === null || sigma === undefined ? ks.map((k) => k * 0.15 + 0.35) : typeof sigma === "number" ? [sigma, sigma] : [...sigma];
  if (sg.length === 1) sg = [sg[0]!, sg[0]!];
  check(sg.length === 2, op, () => `if sigma is a sequence, its length should be 2, got ${sg.length}`);
  check(sg.every((s) => typeof s === "number" && s > 0), op, () => `sigma should have positive values, got ${JSON.stringify(sigma)}`);
  floatImage(op, img, 3);
  // torchvision: the 1-D kernels in float32, cast to the image's dtype, then their outer product
  const kx = gaussianKernel1d(ks[0]!, sg[0]!).to(img.dtype), ky = gaussianKernel1d(ks[1]!, sg[1]!).to(img.dtype);
  const kernel = ky.unsqueeze(1).matmul(kx.unsqueeze(0));
  const px = ks[0]! >> 1, py = ks[1]! >> 1;
  const H = img.shape[img.ndim - 2]!, W = img.shape[img.ndim - 1]!;
  check(px < W && py < H, op, () => `padding size should be less than the corresponding input dimension: kernel [${ks.join(", ")}] on an image of height ${H} and width ${W}`);
  const [c] = img.shape.slice(-3) as [number];
  const x4 = img.reshape([-1, c, H, W]).pad([px, px, py, py], "reflect");
  return depthwise(x4, kernel).reshape(img.shape);
}

/** 1 − img. */
export function invert(img: Tensor): Tensor {
  const op = "invert";
  floatImage(op, img, 3);
  checkChannels(op, img, [1, 3]);
  return img.neg().add(1);
}

/**
 * The 8-bit levels torchvision's `convertImageDtype(img, uint8)` gives: ⌊x · 255.999⌋ in float32
 * arithmetic, clamped to 0–255 (torchvision would wrap values outside [0, 1]).
 */
export function toLevels(img: Tensor): Float32Array {
  const src = img.dataSync();
  const m = Math.fround(255.999);
  const out = new Float32Array(src.length);
  for (let i = 0; i < src.length; i++) out[i] = Math.min(255, Math.max(0, Math.trunc(Math.fround(src[i]! * m))));
  return out;
}

const fromLevels = (levels: Float32Array, like: Tensor) =>
  asTensor(levels.map((v) => Math.fround(v / 255)), { shape: like.shape, dtype: "float32" }).to(like.dtype);

/** Keeps the top `bits` (0–8) bits of each 8-bit level (see the file header for the float contract). */
export function posterize(img: Tensor, bits: number): Tensor {
  const op = "posterize";
  floatImage(op, img, 3);
  checkChannels(op, img, [1, 3]);
  check(Number.isInteger(bits) && bits >= 0 && bits <= 8, op, () => `bits should be an integer in [0, 8], got ${bits}`);
  const step = 2 ** (8 - bits);
  return fromLevels(toLevels(img).map((v) => Math.floor(v / step) * step), img);
}

/** Inverts the pixels ≥ `threshold` (≤ 1 for float images). */
export function solarize(img: Tensor, threshold: number): Tensor {
  const op = "solarize";
  floatImage(op, img, 3);
  checkChannels(op, img, [1, 3]);
  check(typeof threshold === "number" && threshold <= 1, op, () => `threshold should be less than bound of img (1 for float images), got ${threshold}`);
  return where(img.ge(threshold), invert(img), img);
}

/** Stretches each channel of each image linearly so its minimum becomes 0 and its maximum 1. */
export function autocontrast(img: Tensor): Tensor {
  const op = "autocontrast";
  floatImage(op, img, 3);
  checkChannels(op, img, [1, 3]);
  const lo = img.amin([-2, -1], true), hi = img.amax([-2, -1], true);
  const scale = hi.onesLike().div(hi.sub(lo));
  const flat = scale.isfinite().logicalNot();
  return img.sub(where(flat, 0, lo)).mul(where(flat, 1, scale)).clamp(0, 1);
}

/**
 * Histogram equalisation of each channel of each image, on its 8-bit levels (torchvision's uint8
 * algorithm: the look-up table from the cumulative histogram; a channel whose histogram is one
 * value, or nearly, is only quantised).
 */
export function equalize(img: Tensor): Tensor {
  const op = "equalize";
  floatImage(op, img, 3);
  checkChannels(op, img, [1, 3]);
  const levels = toLevels(img);
  const hw = img.shape[img.ndim - 1]! * img.shape[img.ndim - 2]!;
  for (let off = 0; off < levels.length; off += hw) {
    const plane = levels.subarray(off, off + hw);
    const hist = new Float64Array(256);
    for (const v of plane) hist[v]!++;
    let last = 0, total = 0;
    for (let k = 0; k < 256; k++) if (hist[k]! > 0) { total += hist[k]!; last = hist[k]!; }
    const step = Math.floor((total - last) / 255);
    if (step === 0) continue;
    const lut = new Float32Array(256);
    let cum = 0;
    for (let k = 0; k < 255; k++) {
      cum += hist[k]!;
      lut[k + 1] = Math.min(255, Math.floor((cum + Math.floor(step / 2)) / step));
    }
    for (let p = 0; p < hw; p++) plane[p] = lut[plane[p]!]!;
  }
  return fromLevels(levels, img);
}

/**
 * Converts between float images in [0, 1] and int32 tensors holding 8-bit values 0–255 (Tensile has
 * no uint8 tensors; int32 plays torchvision's uint8): float → int32 is ⌊x · 255.999⌋, int32 → float
 * is x / 255; float ↔ float is a cast.
 */
export function convertImageDtype(img: Tensor, dtype: "float32" | "float64" | "int32" = "float32"): Tensor {
  const op = "convertImageDtype";
  check(img instanceof Tensor, op, () => "expected a Tensor");
  check(dtype === "float32" || dtype === "float64" || dtype === "int32", op, () => `dtype should be float32, float64 or int32, got ${JSON.stringify(dtype)}`);
  if (img.dtype === dtype) return img;
  const isFloat = img.dtype === "float32" || img.dtype === "float64";
  check(isFloat || img.dtype === "int32", op, () => `cannot convert a ${img.dtype} tensor`);
  if (isFloat && dtype !== "int32") return img.to(dtype);
  if (isFloat) return asTensor(Int32Array.from(toLevels(img)), { shape: img.shape, dtype: "int32" });
  return img.to(dtype).div(255);
}
