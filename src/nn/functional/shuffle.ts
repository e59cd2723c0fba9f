/**
 * Rearrangements of channels and pixels: `F.pixelShuffle`, `F.pixelUnshuffle`, `F.channelShuffle`.
 * Each is one reshape → permute → reshape, so the gradient (the inverse rearrangement) comes from autograd.
 */
import { Tensor } from "../../core.js";
import { TensileError, check, fmtShape, fmtValue } from "../../errors.js";

function checkArgs(op: string, input: unknown, factor: unknown, name: string, minDim: number): asserts input is Tensor {
  if (!(input instanceof Tensor)) throw new TensileError(`${op}: input must be a Tensor, got ${fmtValue(input)}`);
  check(typeof factor === "number" && Number.isInteger(factor) && factor > 0, op, () => `${name} must be a positive integer, got ${fmtValue(factor)}`);
  check(input.ndim >= minDim, op, () => `expected input with at least ${minDim} dims, got shape ${fmtShape(input.shape)}`);
}

/**
 * Rearranges [*, C·r², H, W] into [*, C, H·r, W·r]: out[c, h·r + i, w·r + j] = in[c·r² + i·r + j, h, w]
 * (sub-pixel convolution's upsampling step).
 * ```ts
 * F.pixelShuffle(randn([1, 9, 4, 4]), 3).shape; // [1, 1, 12, 12]
 * ```
 */
export function pixelShuffle(input: Tensor, upscaleFactor: number): Tensor {
  const op = "pixelShuffle";
  checkArgs(op, input, upscaleFactor, "upscale_factor", 3);
  const r = upscaleFactor;
  const lead = input.shape.slice(0, -3);
  const [C, H, W] = input.shape.slice(-3) as [number, number, number];
  check(C % (r * r) === 0, op, () =>
    `pixel_shuffle expects its input's 'channel' dimension to be divisible by the square of upscale_factor, but input.size(-3)=${C} is not divisible by ${r * r} (input ${fmtShape(input.shape)})`);
  const n = lead.length;
  const x = input.reshape([...lead, C / (r * r), r, r, H, W]);
  const perm = [...lead.map((_, i) => i), n, n + 3, n + 1, n + 4, n + 2];
  return x.permute(perm).reshape([...lead, C / (r * r), H * r, W * r]);
}

/**
 * The inverse of `pixelShuffle`: [*, C, H·r, W·r] → [*, C·r², H, W].
 * ```ts
 * F.pixelUnshuffle(randn([1, 1, 12, 12]), 3).shape; // [1, 9, 4, 4]
 * ```
 */
export function pixelUnshuffle(input: Tensor, downscaleFactor: number): Tensor {
  const op = "pixelUnshuffle";
  checkArgs(op, input, downscaleFactor, "downscale_factor", 3);
  const r = downscaleFactor;
  const lead = input.shape.slice(0, -3);
  const [C, H, W] = input.shape.slice(-3) as [number, number, number];
  check(H % r === 0 && W % r === 0, op, () =>
    `pixel_unshuffle expects height and width to be divisible by downscale_factor, but got input of size ${fmtShape(input.shape)} and downscale_factor=${r}`);
  const n = lead.length;
  const x = input.reshape([...lead, C, H / r, r, W / r, r]);
  const perm = [...lead.map((_, i) => i), n, n + 2, n + 4, n + 1, n + 3];
  return x.permute(perm).reshape([...lead, C * r * r, H / r, W / r]);
}

/**
 * Splits the C channels into `groups` groups and interleaves them (ShuffleNet):
 * out[:, i·g + j] = in[:, j·(C/g) + i].
 *
 * Shapes: [N, C, *] with C divisible by groups → same.
 * ```ts
 * F.channelShuffle(arange(4).reshape([1, 4, 1]).float(), 2); // channels 0, 2, 1, 3
 * ```
 */
export function channelShuffle(input: Tensor, groups: number): Tensor {
  const op = "channelShuffle";
  checkArgs(op, input, groups, "groups", 3);
  const [N, C] = input.shape as [number, number];
  check(C % groups === 0, op, () => `number of channels must be divisible by groups, got ${C} channels and groups=${groups} (input ${fmtShape(input.shape)})`);
  const rest = input.shape.slice(2);
  return input.reshape([N, groups, C / groups, ...rest]).transpose(1, 2).reshape(input.shape);
}
