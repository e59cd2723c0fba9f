import { type Generator, Tensor, rand } from "../../core.js";
import { TensileError, check, fmtShape } from "../../errors.js";
import { inPlace } from "../../ops/inplace.js";
import { type DropoutKeywords, dropoutArgs, dropoutKw } from "./dropout-args.js";

/**
 * Channel dropout: zeroes whole channels (feature maps) with probability p and scales the kept ones
 * by 1/(1 − p); identity when `training` is false. Useful after convolutions, whose neighbouring
 * activations are strongly correlated, so element-wise dropout barely regularises them.
 *
 * Shapes: [N, C, H, W] → same (mask [N, C, 1, 1]); a 3-D input is read as [N, C, L], as PyTorch 1.13.
 * ```ts
 * F.dropout2d(ones([2, 4, 3, 3]), 0.5); // each [3, 3] map is all 0 or all 2
 * ```
 */
export function dropout2d(input: Tensor, p?: number | DropoutKeywords, training?: boolean | DropoutKeywords, opts?: { generator?: Generator; inplace?: boolean } | boolean): Tensor;
export function dropout2d(input: Tensor, pArg?: unknown, trainingArg?: unknown, optsArg?: unknown): Tensor {
  let [p, training, opts] = dropoutKw("dropout2d", pArg, trainingArg, optsArg, true);
  const { generator, inplace } = dropoutArgs("dropout2d", opts);
  if (inplace && training) return inPlace("dropout2d_", input, (x) => dropout2d(x, p, true, { generator }), [], true);
  opts = { generator };
  const op = "dropout2d";
  if (!(input instanceof Tensor)) throw new TensileError(`${op}: input must be a Tensor`);
  check(typeof p === "number" && p >= 0 && p <= 1, op, () => `dropout probability has to be between 0 and 1, but got ${p}`);
  check(input.ndim === 3 || input.ndim === 4, op, () => `expected a 3-D [N, C, L] or 4-D [N, C, H, W] input, got shape ${fmtShape(input.shape)}`);
  if (!training || p === 0 || input.numel() === 0) return input;
  if (p === 1) return input.mul(0);
  const dtype = input.dtype === "float64" ? "float64" : "float32";
  const maskShape = input.shape.map((d, i) => (i < 2 ? d : 1));
  const keep = rand(maskShape, { dtype, generator: opts.generator }).lt(1 - p).to(dtype);
  return input.mul(keep.mul(1 / (1 - p)));
}

/** Whole-channel dropout of a batched [N, C, *] input: one keep decision per (sample, channel). */
function featureDropout(input: Tensor, p: number, generator?: Generator): Tensor {
  if (p === 1) return input.mul(0);
  const dtype = input.dtype === "float64" ? "float64" : "float32";
  const maskShape = input.shape.map((d, i) => (i < 2 ? d : 1));
  const keep = rand(maskShape, { dtype, generator }).lt(1 - p).to(dtype);
  return input.mul(keep.mul(1 / (1 - p)));
}

/**
 * Channel dropout for sequences: zeroes whole channels (each [L] row of a sample) with probability p
 * and scales the kept ones by 1/(1 − p); identity when `training` is false. PyTorch's `F.dropout1d`.
 *
 * Shapes: [N, C, L] (mask [N, C, 1]) or unbatched [C, L] (mask [C, 1]) → same. Any other rank is an
 * error, as in PyTorch, even when not training.
 * ```ts
 * F.dropout1d(ones([2, 4, 5]), 0.5); // each row of 5 is all 0 or all 2
 * ```
 */
export function dropout1d(input: Tensor, p?: number | DropoutKeywords, training?: boolean | DropoutKeywords, opts?: { generator?: Generator; inplace?: boolean } | boolean): Tensor;
export function dropout1d(input: Tensor, pArg?: unknown, trainingArg?: unknown, optsArg?: unknown): Tensor {
  let [p, training, opts] = dropoutKw("dropout1d", pArg, trainingArg, optsArg, true);
  const { generator, inplace } = dropoutArgs("dropout1d", opts);
  if (inplace && training) return inPlace("dropout1d_", input, (x) => dropout1d(x, p, true, { generator }), [], true);
  opts = { generator };
  const op = "dropout1d";
  if (!(input instanceof Tensor)) throw new TensileError(`${op}: input must be a Tensor`);
  check(typeof p === "number" && p >= 0 && p <= 1, op, () => `dropout probability has to be between 0 and 1, but got ${p}`);
  check(input.ndim === 2 || input.ndim === 3, op, () =>
    `Expected 2D or 3D input, but received a ${input.ndim}D input of shape ${fmtShape(input.shape)}. Note that dropout1d exists to ` +
    "provide channel-wise dropout on inputs with 1 spatial dimension, a channel dimension, and an optional batch dimension (i.e. 2D or 3D inputs).");
  if (!training || p === 0 || input.numel() === 0) return input;
  if (input.ndim === 2) return featureDropout(input.unsqueeze(0), p, opts.generator).squeeze(0);
  return featureDropout(input, p, opts.generator);
}

/**
 * Channel dropout for volumes: zeroes whole channels (each [D, H, W] feature volume) with
 * probability p and scales the kept ones by 1/(1 − p); identity when `training` is false. PyTorch's
 * `F.dropout3d`.
 *
 * Shapes: [N, C, D, H, W] (mask [N, C, 1, 1, 1]) or unbatched [C, D, H, W] → same. Other ranks are an
 * error (PyTorch 1.13 warns that they are deprecated and treats them as unbatched).
 * ```ts
 * F.dropout3d(ones([2, 4, 3, 3, 3]), 0.25); // each [3, 3, 3] volume is all 0 or all 4/3
 * ```
 */
export function dropout3d(input: Tensor, p?: number | DropoutKeywords, training?: boolean | DropoutKeywords, opts?: { generator?: Generator; inplace?: boolean } | boolean): Tensor;
export function dropout3d(input: Tensor, pArg?: unknown, trainingArg?: unknown, optsArg?: unknown): Tensor {
  let [p, training, opts] = dropoutKw("dropout3d", pArg, trainingArg, optsArg, true);
  const { generator, inplace } = dropoutArgs("dropout3d", opts);
  if (inplace && training) return inPlace("dropout3d_", input, (x) => dropout3d(x, p, true, { generator }), [], true);
  opts = { generator };
  const op = "dropout3d";
  if (!(input instanceof Tensor)) throw new TensileError(`${op}: input must be a Tensor`);
  check(typeof p === "number" && p >= 0 && p <= 1, op, () => `dropout probability has to be between 0 and 1, but got ${p}`);
  check(input.ndim === 4 || input.ndim === 5, op, () =>
    `Expected 4D (unbatched [C, D, H, W]) or 5D ([N, C, D, H, W]) input, but received a ${input.ndim}D input of shape ${fmtShape(input.shape)}. ` +
    "Note that dropout3d exists to provide channel-wise dropout on inputs with 3 spatial dimensions; use dropout instead.");
  if (!training || p === 0 || input.numel() === 0) return input;
  if (input.ndim === 4) return featureDropout(input.unsqueeze(0), p, opts.generator).squeeze(0);
  return featureDropout(input, p, opts.generator);
}
