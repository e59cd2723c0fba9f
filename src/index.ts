/**
 * Tensile: PyTorch's way of working, in TypeScript.
 *
 * ```ts
 * import { tensor, nn, optim, data, save, load } from "tensile";
 * ```
 */
export * from "./core.js";
export { setNumThreads, getNumThreads, initWasm, threadStats } from "./backends/wasm/index.js";
export * as nn from "./nn/index.js";
// torch.conv2d, torch.dropout, torch.embedding, ...: the F ops under their top-level names (and x.hardshrink, x.prelu)
export * from "./nn/torch-level.js";
export * as F from "./nn/functional/index.js";
export * as optim from "./optim/index.js";
export * as data from "./data/index.js";
export * as train from "./train/index.js";
export * as io from "./io/index.js";
export * as models from "./models/index.js";
export * as interpret from "./interpret/index.js";
export * as linalg from "./linalg/index.js";
export * as special from "./special/index.js";
export * as func from "./func/index.js";
export * as fft from "./fft/index.js";
export * as utils from "./utils/index.js";
export * as distributions from "./distributions/index.js";
export * as autograd from "./autograd/index.js";
export { save, load, saveBytes, loadBytes, saveCheckpoint, loadCheckpoint } from "./io/index.js";
export { loadTorch, saveTorch, loadTorchBytes, saveTorchBytes } from "./io/index.js";
