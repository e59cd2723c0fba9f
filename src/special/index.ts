/**
 * `special`: PyTorch's `torch.special` namespace (`import { special } from "tensile"`,
 * `special.erfcx(x)`), under PyTorch's names in camelCase. Most are core ops under their SciPy
 * names; erfcx, ndtr, ndtri, logNdtr, i0e, i1, i1e, entr, xlog1py, zeta, multigammaln, gammainc,
 * gammaincc, the Bessel functions (besselJ0 … sphericalBesselJ0, airyAi) and the orthogonal
 * polynomials (chebyshevPolynomialT … legendrePolynomialP) are new maths (ops/special.ts).
 */
export {
  erfcx, ndtr, ndtri, logNdtr, i0, i0e, i1, i1e, entr, xlog1py, zeta, multigammaln, round, softmax, logSoftmax, expit,
  gammainc, gammaincc, airyAi, besselJ0, besselJ1, besselY0, besselY1, modifiedBesselI0, modifiedBesselI1,
  modifiedBesselK0, modifiedBesselK1, scaledModifiedBesselK0, scaledModifiedBesselK1, sphericalBesselJ0,
  chebyshevPolynomialT, chebyshevPolynomialU, chebyshevPolynomialV, chebyshevPolynomialW,
  shiftedChebyshevPolynomialT, shiftedChebyshevPolynomialU, shiftedChebyshevPolynomialV, shiftedChebyshevPolynomialW,
  hermitePolynomialH, hermitePolynomialHe, laguerrePolynomialL, legendrePolynomialP,
} from "../ops/special.js";
export { erf, expm1, log1p } from "../ops/elementwise.js";
export { erfc, erfinv, exp2, logit, xlogy, digamma, digamma as psi, lgamma as gammaln, polygamma, sinc } from "../ops/math.js";
export { logsumexp } from "../ops/reduce.js";
