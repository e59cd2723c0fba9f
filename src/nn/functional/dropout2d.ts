import { type Generator, Tensor, rand } from "../../core.js";
import { TensileError, check, fmtShape } from "../../errors.js";

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
export function dropout2d(input: Tensor, p = 0.5, training = true, opts: { generator?: Generator } = {}): Tensor {
  opts ??= {};
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
