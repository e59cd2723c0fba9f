/**
 * torch 1.13's top-level names of `nn.functional` ops (`torch.conv2d`, `torch.batch_norm`,
 * `torch.dropout`, `torch.ctc_loss`, ...: re-exported with F's signatures, options objects where
 * PyTorch's low-level forms take long positional lists and integer reduction codes), the ones whose
 * top-level form differs from F's (`torch.embedding` takes the weight first, `torch.grid_sampler`
 * integer codes, `torch.adaptive_max_pool1d` returns the indices too), the in-place dropouts, and
 * the Tensor methods `hardshrink` and `prelu`. They sit here, above `nn.functional`, because src/ops
 * and src/tensor may not use nn; src/index.ts exports them at the top level (and so installs the two
 * methods).
 * ```ts
 * import { conv2d, dropout_ } from "tensile";
 * conv2d(x, w, b, { padding: 1 });   // F.conv2d
 * dropout_(h, 0.1, true);             // h ← F.dropout(h, 0.1, true)
 * ```
 */
import { Tensor, noGrad, ones, withBackend } from "../core.js";
import { TensileError, fmtShape, fmtValue } from "../errors.js";
import { getDefaultDtype, isFloating } from "../tensor/dtype.js";
import { assertTensor } from "../ops/util.js";
import * as F from "./functional/index.js";

// ---- nn.functional under torch.* (live re-exports: F's signatures) ----
export {
  conv1d, conv2d, conv3d, convTranspose1d, convTranspose2d, convTranspose3d, convTbc, avgPool1d, maxPool1d, maxPool2d,
  maxPool3d, maxPool1dWithIndices, adaptiveAvgPool1d, batchNorm, layerNorm, groupNorm, instanceNorm, dropout,
  alphaDropout, featureAlphaDropout, bilinear, pixelShuffle, pixelUnshuffle, channelShuffle, nativeChannelShuffle, prelu,
  rrelu, rrelu_, celu, celu_, selu_, relu_, hardshrink, threshold, threshold_, cosineSimilarity, pairwiseDistance,
  cosineEmbeddingLoss, marginRankingLoss, hingeEmbeddingLoss, tripletMarginLoss, klDiv, poissonNllLoss,
  binaryCrossEntropyWithLogits, ctcLoss,
} from "./functional/index.js";

/** `torch.adaptive_max_pool1d`: [values, int32 indices], as PyTorch's top-level form returns both. */
export function adaptiveMaxPool1d(input: Tensor, outputSize: number | readonly number[]): [Tensor, Tensor] {
  return F.adaptiveMaxPool1dWithIndices(input, outputSize);
}

/**
 * `torch.embedding(weight, indices, paddingIdx = -1)`: PyTorch's low-level form, weight first (F.embedding
 * takes the indices first); a negative `paddingIdx` means none, as there.
 */
export function embedding(weight: Tensor, indices: Tensor, paddingIdx = -1, scaleGradByFreq = false, sparse = false): Tensor {
  if (scaleGradByFreq) throw new TensileError("embedding: scaleGradByFreq is not supported");
  if (sparse) throw new TensileError("embedding: sparse gradients are not supported (Tensile has no sparse tensors)");
  return F.embedding(indices, weight, paddingIdx < 0 ? null : paddingIdx);
}

/**
 * `torch.embedding_renorm_(weight, indices, maxNorm, normType)`: rescales, in place and without
 * gradient, the rows of `weight` that `indices` look up whose norm exceeds `maxNorm` (to
 * maxNorm/(norm + 1e-7) times themselves), as `F.embedding`'s `maxNorm` does. Returns weight.
 */
export function embeddingRenorm_(weight: Tensor, indices: Tensor, maxNorm: number, normType: number): Tensor {
  noGrad(() => F.embedding(indices, weight, { maxNorm, normType }));
  return weight;
}

/** The in-place dropout forms (`torch.dropout_(x, p, train)`, ...): x ← F.dropout(x, p, train) through `copy_`. */
function inPlaceDropout(op: string, f: (x: Tensor, p: number, train: boolean) => Tensor) {
  return <S extends Tensor>(input: S, p = 0.5, train = true): S => {
    assertTensor(op, input);
    return input.copy_(f(input, p, train));
  };
}
/** `torch.dropout_(input, p, train)`: dropout written into input. */
export const dropout_ = inPlaceDropout("dropout_", (x, p, t) => F.dropout(x, p, t));
/** `torch.alpha_dropout_(input, p, train)`. */
export const alphaDropout_ = inPlaceDropout("alphaDropout_", (x, p, t) => F.alphaDropout(x, p, t));
/** `torch.feature_alpha_dropout_(input, p, train)`. */
export const featureAlphaDropout_ = inPlaceDropout("featureAlphaDropout_", (x, p, t) => F.featureAlphaDropout(x, p, t));

/**
 * `torch.feature_dropout(input, p, train)`: zeroes whole channels input[n, c] with probability p and
 * scales the rest by 1/(1 − p) (what `F.dropout1d/2d/3d` do); input [N, C, *], at least 2-D.
 */
export function featureDropout(input: Tensor, p = 0.5, train = true): Tensor {
  assertTensor("featureDropout", input);
  if (input.ndim < 2) throw new TensileError(`featureDropout: Feature dropout requires at least 2 dimensions in the input (got shape ${fmtShape(input.shape)})`);
  if (!train || p === 0 || input.numel() === 0) return F.dropout(input, p, false);
  // a [N, C, 1, ...] keep mask, by dropout of ones
  const maskShape = [input.shape[0]!, input.shape[1]!, ...input.shape.slice(2).map(() => 1)];
  const dtype = isFloating(input.dtype) ? input.dtype : getDefaultDtype();
  const keep = F.dropout(withBackend(input.backend, () => ones(maskShape, { dtype })), p, true);
  return input.mul(keep);
}
/** `torch.feature_dropout_(input, p, train)`. */
export const featureDropout_ = inPlaceDropout("featureDropout_", featureDropout);

const GRID_MODES = ["bilinear", "nearest", "bicubic"] as const;
const GRID_PADDINGS = ["zeros", "border", "reflection"] as const;
/**
 * `torch.grid_sampler(input, grid, interpolationMode, paddingMode, alignCorners)`: `F.gridSample` with
 * PyTorch's integer codes (mode 0 bilinear, 1 nearest, 2 bicubic; padding 0 zeros, 1 border, 2 reflection).
 */
export function gridSampler(input: Tensor, grid: Tensor, interpolationMode: number, paddingMode: number, alignCorners: boolean): Tensor {
  const mode = GRID_MODES[interpolationMode], padding = GRID_PADDINGS[paddingMode];
  if (mode === undefined) throw new TensileError(`gridSampler: interpolation_mode must be 0 (bilinear), 1 (nearest) or 2 (bicubic), got ${fmtValue(interpolationMode)}`);
  if (padding === undefined) throw new TensileError(`gridSampler: padding_mode must be 0 (zeros), 1 (border) or 2 (reflection), got ${fmtValue(paddingMode)}`);
  return F.gridSample(input, grid, { mode, paddingMode: padding, alignCorners });
}

/** `torch.affine_grid_generator(theta, size, alignCorners)`: `F.affineGrid(theta, size, { alignCorners })`. */
export function affineGridGenerator(theta: Tensor, size: readonly number[], alignCorners: boolean): Tensor {
  return F.affineGrid(theta, size, { alignCorners });
}

declare module "../tensor/tensor.js" {
  interface Tensor {
    /** `F.hardshrink(x, lambd)`: x where |x| > lambd, else 0 (`x.hardshrink`); installed by importing tensile. */
    hardshrink(lambd?: number): Tensor;
    /** `F.prelu(x, weight)` (`x.prelu`); installed by importing tensile. */
    prelu(weight: Tensor): Tensor;
  }
}
for (const [name, fn] of [
  ["hardshrink", function (this: Tensor, lambd?: number) { return F.hardshrink(this, lambd); }],
  ["prelu", function (this: Tensor, weight: Tensor) { return F.prelu(this, weight); }],
] as const)
  Object.defineProperty(Tensor.prototype, name, { value: fn, writable: true, configurable: true, enumerable: false });
