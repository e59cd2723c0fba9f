/** Every layer class of `nn`. Each family lives in its own file; add a family with one `export *` line. */
export * from "./linear.js";
export * from "./activation.js";
export * from "./dropout.js";
export * from "./flatten.js";
export * from "./container.js";
export * from "./embedding.js";
export * from "./loss.js";
export * from "./conv.js";
export * from "./pool.js";
export * from "./norm.js";
export * from "./distance.js";
export * from "./rnn.js";
export * from "./attention.js";
export * from "./transformer.js";
// padding, pixel/channel shuffle and fold/unfold layers
export * from "./padding.js";
export * from "./shuffle.js";
export * from "./fold.js";
export * from "./adaptive-softmax.js";
export * from "./lazy.js"; // LazyLinear, UninitializedParameter, isLazy
export * from "./unpool.js"; // MaxUnpool1d/2d/3d, AdaptiveMaxPool3d, AdaptiveAvgPool3d, ConstantPad3d, ReflectionPad3d, ReplicationPad3d
export * from "./lazy-modules.js"; // LazyConv1d/2d/3d, LazyConvTranspose1d/2d/3d, LazyBatchNorm1d/2d/3d, LazyInstanceNorm1d/2d/3d
export * from "./fractional.js"; // FractionalMaxPool2d/3d
export * from "./sync-batchnorm.js"; // SyncBatchNorm (one process)
export * from "./compat.js"; // DataParallel, CrossMapLRN2d, NLLLoss2d
