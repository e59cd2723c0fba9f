/**
 * `nn.functional` (imported as `F`): the stateless maths behind the layers and losses.
 * Each family lives in its own file; add a family by adding its `export *` line here.
 */
export * from "./activation.js";
export * from "./linear.js";
export * from "./dropout.js";
export * from "./loss.js";
export * from "./margin-loss.js"; // soft margin, multi-margin, hinge embedding, triplet losses
export * from "./ctc.js";
export * from "./classification.js";
export type { Reduction, ReductionOptions } from "./reduction.js";
export * from "./conv.js";
export { unfold, fold, type FoldOptions, type Size2 } from "./fold.js";
export * from "./pool.js";
export * from "./norm.js";
export * from "./resize.js";
export * from "./dropout2d.js";
export * from "./distance.js";
export { pdist } from "../../ops/linalg-extra.js"; // F.pdist is torch.pdist
// channel/pixel shuffles, embedding bags, 3-D conv/pooling, affine grids and grid sampling
export * from "./shuffle.js";
export * from "./embedding-bag.js";
export * from "./volumetric.js";
export * from "./sampling.js";
export * from "./attention.js"; // scaledDotProductAttention
export * from "./unpool.js"; // maxUnpool1d/2d/3d, adaptiveMaxPool3d
export * from "./fractional.js"; // fractionalMaxPool2d/3d
// torch 1.13's remaining F names: *WithIndices pooling, logsigmoid, upsample*, convTbc, multiHeadAttentionForward
export * from "./compat.js";
export * from "./mha.js";
