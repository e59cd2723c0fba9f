/** `data`: datasets, samplers, the DataLoader, transforms (`data.transforms`) and datasets (`data.datasets`). */
export { Dataset, IterableDataset, TensorDataset, Subset, ConcatDataset, ChainDataset, randomSplit, hasGetBatch } from "./dataset.js";
export type { MapDataset, BatchDataset } from "./dataset.js";
export { Sampler, SequentialSampler, RandomSampler, SubsetRandomSampler, WeightedRandomSampler, BatchSampler } from "./sampler.js";
export type { RandomSamplerOptions } from "./sampler.js";
export { DistributedSampler } from "./distributed-sampler.js";
export type { DistributedSamplerOptions } from "./distributed-sampler.js";
export { defaultCollate, defaultConvert } from "./collate.js";
export type { Collated, Converted } from "./collate.js";
export { DataLoader, getWorkerInfo } from "./dataloader.js";
export type { DataLoaderOptions, DataLoaderSource, WorkerInfo } from "./dataloader.js";
export { parseIdx, decodeIdx, readIdxFile, encodeIdx } from "./idx.js";
export type { IdxArray, IdxDType, IdxData } from "./idx.js";
export { md5, Md5 } from "./md5.js";
export { checkMd5, fetchVerified, downloadResources } from "./download.js";
export type { FetchLike, Resource } from "./download.js";
export type { RawImage, Transform, ImageLike } from "./transforms.js";
export * as transforms from "./transforms.js";
export * as datasets from "./datasets/index.js";
