/**
 * torchvision's `utils.make_grid` and `utils.save_image`: the image grids that generative-model
 * tutorials (DCGAN, VAE) build from a batch of samples each epoch. `makeGrid` is composed of tensor
 * ops (pad, reshape, permute), so it runs on every backend and is differentiable, as torchvision's;
 * `saveImage` writes the grid as an 8-bit RGB(A) PNG with torchvision's rounding.
 */
import { Tensor, cat, full, noGrad, pad, stack } from "../core.js";
import { TensileError, fmtShape, fmtValue } from "../errors.js";
import { writeFileAtomic } from "../io/atomic.js";
import { type WithOptions, positionalOptions } from "./positional.js";
import { encodePng } from "./png.js";

export interface MakeGridOptions {
  /** Images per row (default 8). */
  nrow?: number;
  /** Pixels of `padValue` between and around the images (default 2). */
  padding?: number;
  /** Shift the values to [0, 1] by `valueRange` (default: the tensor's min and max). Default false. */
  normalize?: boolean;
  /** [min, max] for `normalize`: values are clamped to it first. */
  valueRange?: readonly [number, number] | null;
  /** With `normalize`, scale each image by its own min and max (default false). */
  scaleEach?: boolean;
  /** The value of the padding pixels (default 0). */
  padValue?: number;
}

type GridArgs = WithOptions<
  [nrow: number, padding: number, normalize: boolean, valueRange: readonly [number, number] | null, scaleEach: boolean, padValue: number], MakeGridOptions>;
const GRID_KEYS = ["nrow", "padding", "normalize", "valueRange", "scaleEach", "padValue"] as const;

/**
 * Lays a batch of images out as one image, as `torchvision.utils.make_grid`: [B, C, H, W] (or a
 * list of [C, H, W] images) → [C, rows·(H + padding) + padding, cols·(W + padding) + padding] with
 * cols = min(nrow, B). One-channel images become three (grey as RGB); a single image comes back
 * without the grid's padding. With `normalize`, values are clamped to `valueRange` (or the tensor's
 * own min and max, per image with `scaleEach`) and mapped to [0, 1].
 * ```ts
 * const fake = netG.forward(fixedNoise);                               // [64, 1, 28, 28] in [-1, 1]
 * utils.makeGrid(fake, { padding: 2, normalize: true }).shape;         // [3, 242, 242]
 * ```
 */
export function makeGrid(tensor: Tensor | readonly Tensor[], ...args: GridArgs): Tensor {
  const o = positionalOptions<MakeGridOptions>("makeGrid", args, { keys: GRID_KEYS, known: [] });
  const { nrow = 8, padding = 2, normalize = false, valueRange = null, scaleEach = false, padValue = 0 } = o;
  if (!Number.isInteger(nrow) || nrow < 1) throw new TensileError(`makeGrid: nrow must be a positive integer, got ${fmtValue(nrow)}`);
  if (!Number.isInteger(padding) || padding < 0) throw new TensileError(`makeGrid: padding must be an integer ≥ 0, got ${fmtValue(padding)}`);
  if (typeof padValue !== "number") throw new TensileError(`makeGrid: padValue must be a number, got ${fmtValue(padValue)}`);
  if (valueRange !== null && !(Array.isArray(valueRange) && valueRange.length === 2 && valueRange.every((v) => typeof v === "number")))
    throw new TensileError(`makeGrid: valueRange has to be a pair [min, max] of numbers if specified, got ${fmtValue(valueRange)}`);
  let t: Tensor;
  if (Array.isArray(tensor)) {
    if (!tensor.every((x) => x instanceof Tensor)) throw new TensileError("makeGrid: tensor or list of tensors expected, got a list containing a non-tensor");
    t = stack(tensor as Tensor[], 0);
  } else if (tensor instanceof Tensor) t = tensor;
  else throw new TensileError(`makeGrid: tensor or list of tensors expected, got ${fmtValue(tensor)}`);
  if (t.ndim === 2) t = t.unsqueeze(0);
  if (t.ndim === 3) {
    if (t.shape[0] === 1) t = cat([t, t, t], 0);
    t = t.unsqueeze(0);
  }
  if (t.ndim !== 4) throw new TensileError(`makeGrid: expected images of shape [B, C, H, W], [C, H, W] or [H, W], got ${fmtShape(t.shape)}`);
  if (t.shape[1] === 1) t = cat([t, t, t], 1);
  if (normalize) t = scaleEach ? stack(Array.from({ length: t.shape[0]! }, (_, i) => normRange(t.select(0, i), valueRange)), 0) : normRange(t, valueRange);
  if (t.shape[0] === 1) return t.squeeze(0);

  const [n, c, h, w] = t.shape as [number, number, number, number];
  const cols = Math.min(nrow, n), rows = Math.ceil(n / cols);
  const [ch, cw] = [h + padding, w + padding];
  // each cell is the image with `padding` rows and columns of padValue above and to its left
  let cells = pad(t, [padding, 0, padding, 0], "constant", padValue);
  if (rows * cols > n) cells = cat([cells, full([rows * cols - n, c, ch, cw], padValue, { dtype: t.dtype })], 0);
  const grid = cells.reshape([rows, cols, c, ch, cw]).permute([2, 0, 3, 1, 4]).reshape([c, rows * ch, cols * cw]);
  return pad(grid, [0, padding, 0, padding], "constant", padValue);
}

/** torchvision's norm_ip: clamp to [low, high], then (x − low) / max(high − low, 1e-5). */
function normRange(x: Tensor, valueRange: readonly [number, number] | null): Tensor {
  const [low, high] = valueRange ?? [x.min().item(), x.max().item()];
  return x.clamp(low, high).sub(low).div(Math.max(high - low, 1e-5));
}

/**
 * Saves a batch of images (or one image) as a PNG file, as `torchvision.utils.save_image`: the
 * `makeGrid` of `tensor` (same options), scaled by 255 and rounded to the nearest byte
 * (values outside [0, 1] are clipped), 3 channels (RGB) or 4 (RGBA). Node only; the write is
 * atomic. Records no autograd history.
 * ```ts
 * utils.saveImage(recon.view(-1, 1, 28, 28), "reconstruction.png", { nrow: 8 });
 * ```
 */
export function saveImage(tensor: Tensor | readonly Tensor[], path: string, opts: MakeGridOptions = {}): void {
  if (typeof path !== "string") throw new TensileError(`saveImage: path must be a string, got ${fmtValue(path)}`);
  writeFileAtomic("saveImage", path, imagePng(tensor, opts));
}

/** The PNG bytes `saveImage` writes (works in browsers too). */
export function imagePng(tensor: Tensor | readonly Tensor[], opts: MakeGridOptions = {}): Uint8Array {
  return noGrad(() => {
    const grid = makeGrid(tensor, opts ?? {});
    const [c, h, w] = grid.shape as [number, number, number];
    if (grid.ndim !== 3 || (c !== 3 && c !== 4))
      throw new TensileError(`saveImage: images need 1, 3 or 4 channels, got a grid of shape ${fmtShape(grid.shape)}`);
    // torchvision: grid.mul(255).add_(0.5).clamp_(0, 255).permute(1, 2, 0).to(torch.uint8)
    const values = grid.mul(255).add(0.5).clamp(0, 255).permute([1, 2, 0]).contiguous().dataSync();
    const pixels = new Uint8Array(values.length);
    for (let i = 0; i < values.length; i++) pixels[i] = Math.trunc(Number(values[i]) || 0);
    return encodePng(pixels, h, w, c, "saveImage");
  });
}
