import { Tensor, rand } from "../../core.js";
import type { Generator } from "../../core.js";
import { TensileError } from "../../errors.js";
import { assertTensor } from "../../ops/util.js";
import { inPlace } from "../../ops/inplace.js";
import { type DropoutKeywords, dropoutArgs, dropoutKw } from "./dropout-args.js";

export interface DropoutOptions {
  generator?: Generator;
  /** Overwrite the input with the result (PyTorch's `inplace`, which may also come positionally: `F.dropout(x, 0.5, true, true)`). */
  inplace?: boolean;
}

function checkP(op: string, p: number): void {
  if (typeof p !== "number" || !(p >= 0 && p <= 1))
    throw new TensileError(`${op}: dropout probability has to be between 0 and 1, but got ${p}`);
}

/** Keep-mask of the input's shape: 1 with probability 1 − p, else 0 (PyTorch's `bernoulli_(1 - p)`). */
function keepMask(input: Tensor, p: number, generator?: Generator): Tensor {
  const dtype = input.dtype === "float64" ? "float64" : "float32";
  return rand([...input.shape], { dtype, generator }).lt(1 - p).to(dtype);
}

/**
 * Zeroes each element with probability p and scales the rest by 1/(1 − p), so the expected
 * value is unchanged; identity when `training` is false.
 *
 * Shapes: any → same.
 * ```ts
 * F.dropout(ones([4]), 0.5);        // entries 0 or 2
 * F.dropout(ones([4]), 0.5, false); // unchanged
 * ```
 */
export function dropout(input: Tensor, p?: number | DropoutKeywords, training?: boolean | DropoutKeywords, opts?: DropoutOptions | boolean): Tensor;
export function dropout(input: Tensor, pArg?: unknown, trainingArg?: unknown, optsArg?: unknown): Tensor {
  let [p, training, opts] = dropoutKw("dropout", pArg, trainingArg, optsArg, true);
  const { generator, inplace } = dropoutArgs("dropout", opts);
  if (inplace && training) return inPlace("dropout_", input, (x) => dropout(x, p, true, { generator }), [], true);
  opts = { generator };
  assertTensor("dropout", input);
  checkP("dropout", p);
  if (!training || p === 0 || input.numel() === 0) return input;
  if (p === 1) return input.mul(0);
  return input.mul(keepMask(input, p, opts.generator).mul(1 / (1 - p)));
}

/** SELU's saturation value −λα; dropped units are set to it. */
const ALPHA_PRIME = 1.7580993408473766;

/**
 * Alpha dropout for self-normalising (SELU) networks: dropped elements are set to −λα, then an
 * affine map a·x + b restores zero mean and unit variance, with
 * a = ((1 − p)(1 + p·α'²))^(−1/2), b = a·α'·p. Note PyTorch's default here is `training = false`.
 *
 * Shapes: any → same.
 */
export function alphaDropout(input: Tensor, p?: number | DropoutKeywords, training?: boolean | DropoutKeywords, opts?: DropoutOptions | boolean): Tensor;
export function alphaDropout(input: Tensor, pArg?: unknown, trainingArg?: unknown, optsArg?: unknown): Tensor {
  let [p, training, opts] = dropoutKw("alphaDropout", pArg, trainingArg, optsArg, false);
  const { generator, inplace } = dropoutArgs("alphaDropout", opts);
  if (inplace && training) return inPlace("alphaDropout_", input, (x) => alphaDropout(x, p, true, { generator }), [], true);
  opts = { generator };
  assertTensor("alphaDropout", input);
  checkP("alphaDropout", p);
  if (!training || p === 0 || input.numel() === 0) return input;
  if (p === 1) return input.mul(0);
  const keep = keepMask(input, p, opts.generator);
  const a = 1 / Math.sqrt((ALPHA_PRIME * ALPHA_PRIME * p + 1) * (1 - p));
  // b = (keep − 1)·α'·a + α'·a·p: −α'·a·(1 − p) where dropped, α'·a·p where kept.
  const b = keep.sub(1).mul(ALPHA_PRIME * a).add(ALPHA_PRIME * a * p);
  return input.mul(keep.mul(a)).add(b);
}

/**
 * Feature alpha dropout (PyTorch's `F.feature_alpha_dropout`): alpha dropout with one decision per
 * channel. Each channel input[n, c] (a feature map of any rank) is kept with probability 1 − p or
 * set to SELU's saturation −λα, and the same affine map as `alphaDropout` (a·x + b, a =
 * ((1 − p)(1 + p·α'²))^(−1/2)) keeps zero mean and unit variance. PyTorch's default is
 * `training = false`; p = 1 gives zeros, as PyTorch.
 *
 * Shapes: [N, C, *] → same (mask [N, C, 1, ...]); at least 2-D when it draws a mask (PyTorch's check).
 * ```ts
 * F.featureAlphaDropout(randn([8, 16, 4, 4]), 0.2, true); // each [4, 4] map kept (affinely) or constant
 * ```
 */
export function featureAlphaDropout(input: Tensor, p?: number | DropoutKeywords, training?: boolean | DropoutKeywords, opts?: DropoutOptions | boolean): Tensor;
export function featureAlphaDropout(input: Tensor, pArg?: unknown, trainingArg?: unknown, optsArg?: unknown): Tensor {
  let [p, training, opts] = dropoutKw("featureAlphaDropout", pArg, trainingArg, optsArg, false);
  const { generator, inplace } = dropoutArgs("featureAlphaDropout", opts);
  if (inplace && training) return inPlace("featureAlphaDropout_", input, (x) => featureAlphaDropout(x, p, true, { generator }), [], true);
  opts = { generator };
  assertTensor("featureAlphaDropout", input);
  checkP("featureAlphaDropout", p);
  if (!training || p === 0 || input.numel() === 0) return input;
  if (p === 1) return input.mul(0);
  if (input.ndim < 2)
    throw new TensileError(`featureAlphaDropout: Feature dropout requires at least 2 dimensions in the input, got shape [${input.shape.join(", ")}]`);
  const dtype = input.dtype === "float64" ? "float64" : "float32";
  const maskShape = input.shape.map((d, i) => (i < 2 ? d : 1));
  const keep = rand(maskShape, { dtype, generator: opts.generator }).lt(1 - p).to(dtype);
  const a = 1 / Math.sqrt((ALPHA_PRIME * ALPHA_PRIME * p + 1) * (1 - p));
  const b = keep.sub(1).mul(ALPHA_PRIME * a).add(ALPHA_PRIME * a * p);
  return input.mul(keep.mul(a)).add(b);
}
