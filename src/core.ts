/** Tensor-level API: everything layers above (nn, optim, data, io, train) build on. */
export { TensileError } from "./errors.js";
export type { DType, TypedArray } from "./tensor/dtype.js";
export { Tensor, Parameter } from "./tensor/tensor.js";
export type { Nested } from "./tensor/tensor.js";
export * from "./tensor/creation.js";
export { bernoulli, multinomial, normal, poisson } from "./tensor/sampling.js";
export type { SampleOptions } from "./tensor/sampling.js";
export { Generator, manualSeed, getRngState, setRngState, defaultGenerator } from "./tensor/random.js";
export type { GeneratorState } from "./tensor/random.js";
export { noGrad, enableGrad, inferenceMode, isGradEnabled, setGradEnabled } from "./autograd/grad-mode.js";
export { Function, FunctionCtx } from "./autograd/function.js";
export { grad } from "./autograd/engine.js";
export { getBackend, setBackend, withBackend, listBackends, registerBackend } from "./backends/registry.js";
export type { Backend } from "./backends/backend.js";

export {
  to, add, sub, mul, div, floorDivide, remainder, pow, neg, exp, expm1, log, log1p, sqrt, rsqrt, abs, sign,
  reciprocal, sin, cos, round, floor, ceil, erf, clamp, maximum, minimum, eq, ne, lt, le, gt, ge,
  logicalAnd, logicalOr, logicalXor, logicalNot, where, isnan, isfinite, maskedFill, isclose, allclose, equal,
} from "./ops/elementwise.js";
export type { IsCloseOptions } from "./ops/elementwise.js";
export {
  relu, leakyRelu, elu, selu, gelu, silu, softplus, sigmoid, logSigmoid, tanh, hardtanh, softmax, logSoftmax,
} from "./ops/activation.js";
export {
  sum, mean, prod, variance, variance as var, std, max, min, amax, amin, argmax, argmin, logsumexp, norm, all, any, cumsum,
} from "./ops/reduce.js";
export type { VarOptions } from "./ops/reduce.js";
export { matmul, mm, bmm, t, outer, dot } from "./ops/linalg.js";
export { sort, argsort, topk, unique } from "./ops/sort.js";
export type { UniqueOptions } from "./ops/sort.js";
export type { ValuesIndices } from "./ops/util.js";
export { einsum } from "./ops/einsum.js";
export {
  contiguous, clone, reshape, view, flatten, unflatten, permute, transpose, squeeze, unsqueeze, expand,
  expand as broadcastTo, repeat, cat, stack, split, chunk,
} from "./ops/movement.js";
export {
  narrow, select, index, gather, diag, repeatInterleave, scatter, scatterAdd, indexSelect, pad, flip, tril, triu, oneHot,
} from "./ops/indexing.js";
export type { IndexSpec, IndexItem, PadMode } from "./ops/indexing.js";
