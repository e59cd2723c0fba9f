// Entry point of Tensile's WebAssembly kernels (built by tools/build-wasm.mjs). Every export is a
// plain function over byte addresses in the shared linear memory; the host in
// src/backends/wasm/ allocates storage, writes shapes/strides into an argument area and splits
// large calls across worker threads by element, row or column ranges.

export { initThread } from "./common";
export { convertK, transposeK, unaryK, binaryK, whereK, zeroK } from "./elementwise";
export { reduceK, sumColsF32K, cumsumK } from "./reduce";
export { matmulF32K, matmulF32SharedK, matmulK } from "./gemm";
export { gatherK, scatterK, im2colK, col2imK, maxPoolK, maxPoolBackK } from "./indexing";
export { sgdK, adamK } from "./optim";
export { softmaxK, softmaxBackwardK } from "./softmax";

/** First byte past the module's static data: the host's heap starts above it. */
export function heapBase(): usize {
  return __heap_base;
}

/** Scratch bytes each thread needs (odometer, reduction chunks, GEMM packing buffers). */
export function scratchBytes(): i32 {
  return <i32>GEMM_SCRATCH_OFFSET + GEMM_WORK_BYTES;
}

import { GEMM_SCRATCH_OFFSET, GEMM_WORK_BYTES } from "./gemm";
