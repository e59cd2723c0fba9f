import { type TypedArray, dtypeOfArray } from "../../tensor/dtype.js";
import type { Backend, Storage, View } from "../backend.js";
import { assign, copy, binary, unary, where } from "./elementwise.js";
import { gather, scatter } from "./indexing.js";
import { addr, isContiguous, numel } from "./layout.js";
import { col2im, im2col, matmul, maxPool2d, maxPool2dBackward } from "./linalg.js";
import { type WasmStorage, allocRaw, allocZeroed, releaseStorage, viewOf } from "./memory.js";
import { adamStep, sgdStep } from "./optim.js";
import { cumsum, reduce, softmax, softmaxBackward } from "./reduce.js";

/**
 * The WebAssembly backend: storage in one wasm linear memory (pooled, freed when collected),
 * kernels compiled from assembly/ with f32x4 SIMD, large calls split across worker threads.
 * Every primitive has a kernel; see docs/wasm-backend.md for the design.
 */
/**
 * Kernels over wasm-resident storage. The public backend (`host.ts`) keeps tensors in JS memory and
 * stages them through these kernels for each call.
 */
export const wasmKernels: Backend = {
  name: "wasm-kernels",

  alloc: (dtype, length) => allocZeroed(dtype, length),

  fromArray(data: TypedArray): Storage {
    const s = allocRaw(dtypeOfArray(data), data.length);
    viewOf(s.dtype, s.ptr, s.length).set(data);
    return s;
  },

  read(v: View): TypedArray {
    const dtype = v.storage.dtype;
    if (isContiguous(v)) return viewOf(dtype, addr(v), numel(v.shape)).slice();
    const tmp = copy(v, dtype);
    const out = viewOf(dtype, tmp.ptr, tmp.length).slice();
    releaseStorage(tmp);
    return out;
  },

  copy,
  unary,
  binary,
  where,
  reduce,
  cumsum,
  softmax,
  softmaxBackward,
  matmul,
  gather,
  scatter,
  im2col,
  col2im,
  maxPool2d,
  maxPool2dBackward,
  assign,
  sgdStep,
  adamStep,

  release: (s: Storage) => releaseStorage(s as WasmStorage),
};
