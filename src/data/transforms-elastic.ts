/**
 * torchvision 0.14's `ElasticTransform` (a smooth random displacement field, then grid sampling)
 * and `LinearTransformation` (a fixed affine map of the flattened image, e.g. ZCA whitening).
 *
 * `elasticTransformParams` is torchvision's `get_params`, drawing its uniform noise from the core
 * generator given (else the default); `elasticDisplacement` is the deterministic rest of it (noise →
 * displacement), so tests can feed torchvision's own noise. Both keep torchvision's quirks: the x
 * displacement is scaled by alpha[0] / height and the y one by alpha[1] / width, and each noise
 * field is blurred with the whole `sigma` pair (kernel width from its own sigma).
 */
import { Generator, Tensor, asTensor, cat } from "../core.js";
import { TensileError } from "../errors.js";
import { uniforms } from "./random.js";
import type { ImageLike, Transform } from "./transforms.js";
import { type Fill, type Interpolation, checkInterpolation, fillForFloat, fillList, imageChannels, imageSize, viaFloat } from "./transforms-common.js";
import { gaussianBlur } from "./transforms-functional-color.js";
import { elasticTransform as elasticOp } from "./transforms-functional-geometry.js";

const check = (ok: boolean, op: string, msg: () => string) => { if (!ok) throw new TensileError(`${op}: ${msg()}`); };

/** A number, or a list of one or two numbers, as the pair torchvision keeps. */
function pair(op: string, name: string, v: number | readonly number[]): [number, number] {
  if (typeof v === "number") {
    check(Number.isFinite(v), op, () => `${name} should be a finite number, got ${v}`);
    return [v, v];
  }
  check(Array.isArray(v), op, () => `${name} should be a number or a sequence of numbers, got ${JSON.stringify(v)}`);
  check(v.length === 1 || v.length === 2, op, () => `if ${name} is a sequence its length should be 2, got ${v.length}`);
  check(v.every((x) => typeof x === "number" && Number.isFinite(x)), op, () => `${name} should be a sequence of numbers, got ${JSON.stringify(v)}`);
  return v.length === 1 ? [v[0]!, v[0]!] : [v[0]!, v[1]!];
}

/** torchvision's blur kernel for an elastic noise field: ⌊8σ + 1⌋, made odd. */
const kernelFor = (sigma: number) => { const k = Math.trunc(8 * sigma + 1); return k % 2 === 0 ? k + 1 : k; };

/**
 * The displacement [1, H, W, 2] that torchvision's `ElasticTransform.get_params` makes from its two
 * uniform noise fields `ux`, `uy` (each [1, 1, H, W], values in [0, 1)): u·2 − 1, Gaussian-blurred
 * when its sigma is positive, times alpha over the size.
 */
export function elasticDisplacement(ux: Tensor, uy: Tensor, alpha: readonly number[], sigma: readonly number[]): Tensor {
  const op = "elasticTransform";
  check(ux instanceof Tensor && uy instanceof Tensor && ux.ndim === 4 && ux.shape.join() === uy.shape.join() && ux.shape[0] === 1 && ux.shape[1] === 1, op, () =>
    `the noise fields should be two tensors [1, 1, H, W] of the same shape, got [${ux?.shape?.join(", ")}] and [${uy?.shape?.join(", ")}]`);
  const [h, w] = ux.shape.slice(2) as [number, number];
  const [a, s] = [pair(op, "alpha", alpha), pair(op, "sigma", sigma)];
  const field = (u: Tensor, k: number, scale: number, size: number) => {
    let d = u.mul(2).sub(1);
    if (s[k]! > 0) {
      const ks = kernelFor(s[k]!);
      check(ks >> 1 < h && ks >> 1 < w, op, () =>
        `sigma ${s[k]} needs a ${ks}×${ks} blur kernel, whose half (${ks >> 1}) must be less than the image height (${h}) and width (${w}); use a smaller sigma`);
      d = gaussianBlur(d, [ks, ks], s);
    }
    return d.mul(scale).div(size);
  };
  const dx = field(ux, 0, a[0], h), dy = field(uy, 1, a[1], w);
  return cat([dx, dy], 1).permute([0, 2, 3, 1]).contiguous();
}

/**
 * torchvision's `ElasticTransform.get_params`: a random displacement [1, H, W, 2] (float32) for an
 * image of `size` [H, W], from H·W uniform draws for x then H·W for y (from `generator`, else the default).
 */
export function elasticTransformParams(alpha: readonly number[], sigma: readonly number[], size: readonly number[], generator?: Generator): Tensor {
  const op = "elasticTransform";
  check(Array.isArray(size) && size.length === 2 && size.every((v) => Number.isInteger(v) && v > 0), op, () => `size should be [height, width], got ${JSON.stringify(size)}`);
  const [h, w] = size as [number, number];
  const noise = () => asTensor(Float32Array.from(uniforms(h * w, generator)), { shape: [1, 1, h, w], dtype: "float32" });
  const ux = noise(), uy = noise();
  return elasticDisplacement(ux, uy, alpha, sigma);
}

export interface ElasticTransformOptions {
  /** bilinear (default) or nearest; bicubic is a Tensile extension (grid_sample's). */
  interpolation?: Interpolation;
  /** Value(s) for the area pulled in from outside the image (default 0). */
  fill?: Fill;
  generator?: Generator;
}

/**
 * Elastic distortion (torchvision's `ElasticTransform`): uniform noise in [−1, 1] per pixel and
 * axis, blurred by a Gaussian of `sigma` (default 5) and scaled by `alpha` (default 50) over the
 * image size, displaces the sampling grid. `alpha` and `sigma` are a number or [x, y].
 * ```ts
 * const t = transforms.elasticTransform(30, 4, { generator: new Generator(0) });
 * ```
 */
export function elasticTransform(alpha: number | readonly number[] = 50, sigma: number | readonly number[] = 5, options: ElasticTransformOptions = {}): Transform<ImageLike, ImageLike> {
  const op = "elasticTransform";
  options ??= {};
  const a = pair(op, "alpha", alpha), s = pair(op, "sigma", sigma);
  const mode = checkInterpolation(op, options.interpolation ?? "bilinear", ["nearest", "bilinear", "bicubic"]);
  return (img) => {
    const fill = fillForFloat(fillList(op, options.fill ?? 0, imageChannels(img)), img);
    const [h, w] = imageSize(op, img);
    const displacement = elasticTransformParams(a, s, [h, w], options.generator);
    return viaFloat(op, img, (x) => elasticOp(x, displacement, { interpolation: mode, fill }));
  };
}

/**
 * torchvision's `LinearTransformation`: flattens each image [C, H, W] of a tensor [..., C, H, W]
 * to D = C·H·W values, subtracts `meanVector` [D] and multiplies by `transformationMatrix` [D, D]
 * (a row vector times the matrix), keeping the shape. Whitening: the matrix from an SVD of the
 * data covariance, computed offline. Tensors only, as torchvision.
 * ```ts
 * const whiten = transforms.linearTransformation(zca, mean);   // zca [D, D], mean [D]
 * ```
 */
export function linearTransformation(transformationMatrix: Tensor, meanVector: Tensor): Transform<Tensor, Tensor> {
  const op = "linearTransformation";
  check(transformationMatrix instanceof Tensor && meanVector instanceof Tensor, op, () => "transformationMatrix and meanVector should be Tensors");
  const m = transformationMatrix;
  check(m.ndim === 2, op, () => `transformationMatrix should be a 2-D tensor [D, D], got shape [${m.shape.join(", ")}]`);
  check(m.shape[0] === m.shape[1], op, () => `transformation_matrix should be square. Got [${m.shape.join(", ")}] rectangular matrix.`);
  check(meanVector.ndim === 1 && meanVector.shape[0] === m.shape[0], op, () =>
    `mean_vector should have the same length ${meanVector.ndim === 0 ? "(a scalar)" : meanVector.shape[0]} as any one of the dimensions of the transformation_matrix [${m.shape.join(", ")}]`);
  check(m.dtype !== "bool" && meanVector.dtype !== "bool", op, () => "transformationMatrix and meanVector should be numeric tensors");
  const d = m.shape[0]!;
  return (x) => {
    check(x instanceof Tensor && x.ndim >= 3, op, () => `expected a tensor image [..., C, H, W], got ${x instanceof Tensor ? `shape [${x.shape.join(", ")}]` : typeof x}`);
    const [c, h, w] = x.shape.slice(-3) as [number, number, number];
    check(c * h * w === d, op, () => `Input tensor and transformation matrix have incompatible shape.[${c} x ${h} x ${w}] != ${d}`);
    return x.reshape([-1, d]).sub(meanVector).matmul(m).reshape(x.shape);
  };
}
