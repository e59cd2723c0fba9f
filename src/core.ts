/** Tensor-level API: everything layers above (nn, optim, data, io, train) build on. */
export { TensileError } from "./errors.js";
export type { DType, TypedArray } from "./tensor/dtype.js";
export { Tensor, Parameter } from "./tensor/tensor.js";
export type { Nested } from "./tensor/tensor.js";
export * from "./tensor/creation.js";
export { bernoulli, multinomial, normal, poisson } from "./tensor/sampling.js";
export type { SampleOptions } from "./tensor/sampling.js";
export { binomial } from "./tensor/sampling.js";
export { Generator, manualSeed, initialSeed, seed, getRngState, setRngState, defaultGenerator } from "./tensor/random.js";
export type { GeneratorState } from "./tensor/random.js";
export { noGrad, enableGrad, inferenceMode, isGradEnabled, setGradEnabled } from "./autograd/grad-mode.js";
export { Function, FunctionCtx } from "./autograd/function.js";
export { grad } from "./autograd/engine.js";
export { getBackend, setBackend, withBackend, listBackends, registerBackend } from "./backends/registry.js";
export type { Backend } from "./backends/backend.js";

export {
  to, add, sub, mul, div, floorDivide, remainder, pow, neg, exp, expm1, log, log1p, sqrt, rsqrt, abs, sign,
  reciprocal, sin, cos, round, floor, ceil, erf, clamp, maximum, minimum, eq, ne, lt, le, gt, ge,
  logicalAnd, logicalOr, logicalXor, logicalNot, isnan, isfinite, maskedFill, isclose, allclose, equal,
} from "./ops/elementwise.js";
export { where } from "./ops/where.js";
export type { IsCloseOptions } from "./ops/elementwise.js";
// elementwise maths (ops/math.ts): trig/hyperbolic, other bases, special functions, aliases
export {
  tan, asin, acos, atan, atan2, sinh, cosh, asinh, acosh, atanh, arcsin, arccos, arctan, arctan2, arcsinh, arccosh,
  arctanh, sinc, deg2rad, rad2deg, log2, log10, exp2, square, logaddexp, logaddexp2, xlogy, logit, erfc, erfinv,
  lgamma, digamma, polygamma, trunc, fix, frac, fmod, clampMin, clampMax, clip, nanToNum, isinf, isposinf, isneginf,
  signbit, sgn, heaviside, fmax, fmin, lerp, hypot, floatPower, multiply, divide, trueDivide, subtract, negative,
  absolute,
} from "./ops/math.js";
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
// reductions, selections, counting and linear algebra added with median ... pinverse (ops/reduce.ts, ops/sort.ts, ops/linalg*.ts; torch.linalg is src/linalg)
export { nansum, nanmean, countNonzero, aminmax, varMean, stdMean, cumprod, logcumsumexp, diff } from "./ops/reduce.js";
export type { MinMax } from "./ops/reduce.js";
export {
  median, nanmedian, mode, kthvalue, msort, quantile, nanquantile, cummax, cummin, bincount, histc, searchsorted, bucketize,
} from "./ops/sort.js";
export type { QuantileInterpolation, QuantileOptions, QuantileAllOptions, SearchSortedOptions } from "./ops/sort.js";
export {
  mv, addmm, addmv, addr, baddbmm, addbmm, inner, vdot, kron, diagonal, diagEmbed, trace, cross, tensordot, cdist, dist,
} from "./ops/linalg.js";
export { det, slogdet, logdet, inv as inverse, matrixPower, matrixExp } from "./ops/linalg-dense.js";
export { torchCholesky as cholesky } from "./ops/linalg-dense.js";
export { pinverse } from "./ops/linalg-decomp.js";
export { einsum } from "./ops/einsum.js";
export {
  contiguous, clone, reshape, view, flatten, unflatten, permute, transpose, squeeze, unsqueeze, expand,
  expand as broadcastTo, repeat, cat, stack, split, chunk,
} from "./ops/movement.js";
export {
  narrow, select, index, gather, diag, repeatInterleave, scatter, scatterAdd, indexSelect, pad, flip, tril, triu, oneHot,
} from "./ops/indexing.js";
export type { IndexSpec, IndexItem, PadMode } from "./ops/indexing.js";
// movement, indexing and joining ops added with roll ... nonzero (ops/movement.ts, indexing.ts, index-write.ts)
export {
  roll, rot90, tile, movedim, movedim as moveaxis, transpose as swapaxes, transpose as swapdims, unbind, tensorSplit,
  hsplit, vsplit, dsplit, flipud, fliplr, ravel, atleast1d, atleast2d, atleast3d, hstack, vstack, rowStack, dstack,
  columnStack, meshgrid, cartesianProd, blockDiag, combinations,
} from "./ops/movement.js";
export type { MeshgridOptions } from "./ops/movement.js";
export { take, takeAlongDim, maskedSelect, nonzero, argwhere } from "./ops/indexing.js";
export type { NonzeroOptions, ScatterOptions } from "./ops/indexing.js";
export {
  indexAdd, indexCopy, indexFill, indexPut, maskedScatter, selectScatter, sliceScatter, diagonalScatter,
} from "./ops/index-write.js";
export type { IndexAddOptions } from "./ops/index-write.js";
// integer and bit ops, copysign ... mvlgamma (ops/special.ts; torch.special is src/special), window functions (ops/windows.ts)
export {
  gcd, lcm, bitwiseAnd, bitwiseOr, bitwiseXor, bitwiseNot, bitwiseLeftShift, bitwiseRightShift, copysign, nextafter, frexp,
  ldexp, positive, i0, mvlgamma,
} from "./ops/special.js";
export type { Frexp } from "./ops/special.js";
export { hannWindow, hammingWindow, bartlettWindow, blackmanWindow, kaiserWindow } from "./ops/windows.js";
export type { WindowOptions, HammingWindowOptions, KaiserWindowOptions } from "./ops/windows.js";
// short-time Fourier transforms (torch.stft / torch.istft; ops/fft-stft.ts, complex values as docs/fft.md)
export { stft, istft } from "./ops/fft-stft.js";
export type { StftOptions, IstftOptions } from "./ops/fft-stft.js";
// statistics, scatter/index reductions and Cholesky solves added with uniqueConsecutive ... choleskySolve (ops/stats.ts, ops/linalg-extra.ts)
export {
  uniqueConsecutive, histogram, cov, corrcoef, diagflat, trapezoid, trapz, cumulativeTrapezoid, renorm, addcmul, addcdiv,
  chainMatmul, scatterReduce, indexReduce,
} from "./ops/stats.js";
export type {
  UniqueConsecutiveOptions, Histogram, HistogramOptions, CovOptions, TrapezoidOptions, ScatterReduceOp, IndexReduceOp,
  ScatterReduceOptions,
} from "./ops/stats.js";
export { choleskyInverse, choleskySolve } from "./ops/linalg-extra.js";
// gaps filled: torch.pdist (ops/linalg-extra.ts), torch.isin (ops/sort.ts)
export { pdist } from "./ops/linalg-extra.js";
export { isin } from "./ops/sort.js";
export type { IsinOptions } from "./ops/sort.js";
// methods a PyTorch user reaches for (in-place forms, introspection, random fills: installed on
// Tensor.prototype by these modules) and torch-level helpers (ops/tensor-api.ts)
import "./tensor/inplace-methods.js";
export { zero_, indexPut_ } from "./tensor/inplace-methods.js";
import "./tensor/tensor-info.js";
export type { RandomFillOptions } from "./tensor/tensor-info.js";
export {
  isTensor, isFloatingPoint, isNonzero, isSameSize, numel, promoteTypes, resultType, canCast, broadcastShapes,
  broadcastTensors, scalarTensor, randintLike, concat, concatenate, vander, gradient, igamma, igammac,
} from "./ops/tensor-api.js";
export type { GradientOptions } from "./ops/tensor-api.js";
export { gt as greater, ge as greaterEqual, lt as less, le as lessEqual, ne as notEqual } from "./ops/elementwise.js";
export { setPrintoptions, getPrintoptions, type PrintOptions } from "./tensor/format.js";
// torch 1.13's older top-level linear algebra (torch.svd, qr, lu, lu_solve, triangular_solve, geqrf, orgqr, ormqr,
// symeig; svd_lowrank, pca_lowrank, lobpcg, nuclear_norm, frobenius_norm, ger), over torch.linalg (ops/linalg-legacy.ts,
// ops/linalg-lowrank.ts, ops/linalg-lobpcg.ts); their Tensor methods are installed by tensor/linalg-legacy-methods.ts
export { svd, qr, lu, luSolve, triangularSolve, geqrf, orgqr, ormqr, symeig } from "./ops/linalg-legacy.js";
export type {
  SvdLegacy, SvdLegacyOptions, QRLegacy, LuLegacy, LuLegacyInfos, LuLegacyOptions, TriangularSolve, TriangularSolveOptions,
  Geqrf, OrmqrOptions, Symeig,
} from "./ops/linalg-legacy.js";
export { luUnpack } from "./ops/linalg-lu.js";
export { svdLowrank, pcaLowrank, nuclearNorm, frobeniusNorm, ger } from "./ops/linalg-lowrank.js";
export type { LowRankSvd, SvdLowrankOptions, PcaLowrankOptions } from "./ops/linalg-lowrank.js";
export { lobpcg } from "./ops/linalg-lobpcg.js";
export type { Lobpcg, LobpcgOptions } from "./ops/linalg-lobpcg.js";
import "./tensor/linalg-legacy-methods.js";
import "./tensor/compat-methods.js";
import "./tensor/view-inplace-methods.js";
// torch.as_strided (and the method x.asStrided; x.asStrided_ is with the in-place view changes)
export { asStrided } from "./ops/as-strided.js";
export type { AddProductOptions } from "./tensor/compat-methods.js";
// torch 1.13 top-level helpers: in-place functions (abs_(x), ...), complex introspection of real tensors, range, asarray, frombuffer, rsub, fill, put (ops/torch-aliases.ts; the F ops under top-level names are in nn/torch-level.ts, exported by index.ts)
export * from "./ops/torch-aliases.js";
// torch.finfo / torch.iinfo
export { finfo, iinfo } from "./tensor/finfo.js";
export type { FInfo, IInfo } from "./tensor/finfo.js";
