/**
 * `linalg`: PyTorch's `torch.linalg` namespace (`import { linalg } from "tensile"`,
 * `linalg.solve(A, b)`). Dense factorizations run on the host in float64; see ops/linalg-dense.ts.
 */
import { TensileError, fmtValue } from "../errors.js";
import type { Tensor } from "../tensor/tensor.js";
import * as L from "../ops/linalg.js";
import { assertTensor } from "../ops/util.js";

export { vectorNorm, matrixNorm, norm, det, slogdet, inv, solve, cholesky, matrixPower, matrixExp } from "../ops/linalg-dense.js";
export type { SignLogAbsDet, SolveOptions } from "../ops/linalg-dense.js";
export { matmul } from "../ops/linalg.js";
export { eigh, eigvalsh, svd, svdvals, qr, pinv, matrixRank, cond } from "../ops/linalg-decomp.js";
export type { Eigh, EighOptions, Svd, SvdOptions, QR, RankTolerance } from "../ops/linalg-decomp.js";

/** The cross product along `dim` (default the last), a and b broadcast: `torch.linalg.cross`. */
export const cross = (a: Tensor, b: Tensor, dim = -1): Tensor => L.cross(a, b, dim);

/** The diagonals of the matrices in dims dim1, dim2 (default the last two), as a view: `torch.linalg.diagonal`. */
export function diagonal(A: Tensor, opts?: { offset?: number; dim1?: number; dim2?: number } | null): Tensor {
  const { offset = 0, dim1 = -2, dim2 = -1 } = opts ?? {};
  return L.diagonal(A, offset, dim1, dim2);
}

/** A₁·A₂·…·Aₙ, the first and last may be 1-D (as `torch.linalg.multi_dot`); multiplied left to right. */
export function multiDot(tensors: readonly Tensor[]): Tensor {
  if (!Array.isArray(tensors) || tensors.length < 2)
    throw new TensileError(`linalg.multiDot: expected at least 2 tensors but got ${Array.isArray(tensors) ? tensors.length : fmtValue(tensors)}`);
  tensors.forEach((t, i) => {
    assertTensor("linalg.multiDot", t, `tensor ${i}`);
    const ok = t.ndim === 2 || (t.ndim === 1 && (i === 0 || i === tensors.length - 1));
    if (!ok) throw new TensileError(`linalg.multiDot: tensor ${i} must be 2-D${i === 0 || i === tensors.length - 1 ? " or 1-D" : ""}, got ${t.ndim}-D`);
  });
  return tensors.slice(1).reduce((acc, t) => L.matmul(acc, t), tensors[0]!);
}
export { luFactor, lu, luUnpack, luSolve, solveTriangular, lstsq, vander, householderProduct } from "../ops/linalg-lu.js";
export type { LUFactor, PLU, LuOptions, LuUnpackOptions, LuSolveOptions, SolveTriangularOptions, Lstsq, LstsqOptions, LstsqDriver } from "../ops/linalg-lu.js";
export { tensorinv, tensorsolve, vecdot } from "../ops/linalg-extra.js";
export { choleskyEx, invEx, solveEx, luFactorEx } from "../ops/linalg-ex.js";
export type { CholeskyEx, InvEx, SolveEx, LUFactorEx, ExOptions } from "../ops/linalg-ex.js";
export { ldlFactor, ldlFactorEx, ldlSolve } from "../ops/linalg-ldl.js";
export type { LDLFactor, LDLFactorEx, LdlOptions } from "../ops/linalg-ldl.js";
export { eig, eigvals } from "../ops/linalg-eig.js";
export type { Eig } from "../ops/linalg-eig.js";
/** torch.linalg.LinAlgError: thrown for a singular or not positive-definite input; a TensileError. */
export { LinAlgError } from "../errors.js";
