/** `data`: datasets, samplers, the DataLoader, transforms (`data.transforms`) and datasets (`data.datasets`). */
export { Dataset, IterableDataset, TensorDataset, Subset, ConcatDataset, randomSplit, hasGetBatch } from "./dataset.js";
export type { MapDataset, BatchDataset } from "./dataset.js";
export { SequentialSampler, RandomSampler, SubsetRandomSampler, WeightedRandomSampler, BatchSampler } from "./sampler.js";
export type { Sampler, RandomSamplerOptions } from "./sampler.js";
export { defaultCollate } from "./collate.js";
export type { Collated } from "./collate.js";
export { DataLoader } from "./dataloader.js";
export type { DataLoaderOptions, DataLoaderSource } from "./dataloader.js";
export { parseIdx, decodeIdx, readIdxFile, encodeIdx } from "./idx.js";
export type { IdxArray, IdxDType, IdxData } from "./idx.js";
export { md5, Md5 } from "./md5.js";
export { checkMd5, fetchVerified, downloadResources } from "./download.js";
export type { FetchLike, Resource } from "./download.js";
export type { RawImage, Transform, ImageLike } from "./transforms.js";
export * as transforms from "./transforms.js";
export * as datasets from "./datasets/index.js";
