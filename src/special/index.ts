/**
 * `special`: PyTorch's `torch.special` namespace (`import { special } from "tensile"`,
 * `special.erfcx(x)`), under PyTorch's names in camelCase. Most are core ops under their SciPy
 * names; erfcx, ndtr, ndtri, logNdtr, i0e, i1, i1e, entr, xlog1py, zeta and multigammaln are new
 * maths (ops/special.ts).
 */
export {
  erfcx, ndtr, ndtri, logNdtr, i0, i0e, i1, i1e, entr, xlog1py, zeta, multigammaln, round, softmax, logSoftmax, expit,
} from "../ops/special.js";
export { erf, expm1, log1p } from "../ops/elementwise.js";
export { erfc, erfinv, exp2, logit, xlogy, digamma, digamma as psi, lgamma as gammaln, polygamma, sinc } from "../ops/math.js";
export { logsumexp } from "../ops/reduce.js";
