/**
 * Transforms that change the event shape or act on matrices (PyTorch's): `StickBreakingTransform`,
 * from the real vectors of length K onto the simplex of K + 1 components (LogisticNormal is built on
 * it); `LowerCholeskyTransform`, onto lower-triangular matrices with a positive diagonal; and
 * `CorrCholeskyTransform`, from vectors of length D(D − 1)/2 onto Cholesky factors of correlation matrices.
 */
import { Tensor, tensor } from "../core.js";
import { diagEmbed, diagonal } from "../ops/linalg.js";
import { withBackend } from "../backends/registry.js";
import { TensileError, fmtShape } from "../errors.js";
import { Constraint, Transform, constraints } from "./transforms.js";

const finfo = (t: Tensor) =>
  t.dtype === "float64" ? { tiny: 2.2250738585072014e-308, eps: 2.220446049250313e-16 } : { tiny: 1.1754943508222875e-38, eps: 1.1920928955078125e-7 };

/** log [K, K − 1, …, 1] in `like`'s dtype and backend (PyTorch's `offset.log()`). */
function logOffsets(like: Tensor, k: number): Tensor {
  return withBackend(like.backend, () => tensor(Array.from({ length: k }, (_, i) => k - i), { dtype: like.dtype })).log();
}

/**
 * y = stick-breaking(x): zᵢ = σ(xᵢ − log(K + 1 − i)) (clipped as PyTorch's `_clipped_sigmoid`),
 * yᵢ = zᵢ ∏_{j<i}(1 − z_j) for i ≤ K and y_{K+1} = ∏_{j≤K}(1 − z_j). Bijective from the real
 * vectors of length K onto the simplex of K + 1 components; the offsets make x = 0 the centre.
 */
export class StickBreakingTransform extends Transform {
  get domain(): Constraint {
    return constraints.realVector;
  }
  get codomain(): Constraint {
    return constraints.simplex;
  }
  override get bijective(): boolean {
    return true;
  }
  protected call(x: Tensor): Tensor {
    if (x.ndim < 1) throw new TensileError(`StickBreakingTransform.forward: too few dimensions on input (shape ${fmtShape(x.shape)})`);
    const f = finfo(x);
    const z = x.sub(logOffsets(x, x.shape[x.ndim - 1]!)).sigmoid().clamp(f.tiny, 1 - f.eps);
    const rest = z.neg().add(1).cumprod(-1);
    return z.pad([0, 1], "constant", 1).mul(rest.pad([1, 0], "constant", 1));
  }
  /** xᵢ = log yᵢ − log(1 − Σ_{j≤i} y_j) + log(K + 1 − i), the survivor clamped at the dtype's tiny as PyTorch. */
  protected inverseCall(y: Tensor): Tensor {
    if (y.ndim < 1 || y.shape[y.ndim - 1]! < 1) throw new TensileError(`StickBreakingTransform.inverse: too few dimensions on input (shape ${fmtShape(y.shape)})`);
    const k = y.shape[y.ndim - 1]! - 1;
    const crop = y.narrow(-1, 0, k);
    const sf = crop.cumsum(-1).neg().add(1).clamp(finfo(y).tiny);
    return crop.log().sub(sf.log()).add(logOffsets(y, k));
  }
  /** Σᵢ (−x̃ᵢ + log σ(x̃ᵢ) + log yᵢ), x̃ = x − log offsets (PyTorch's, by 1 − σ(x) = e⁻ˣσ(x)). */
  override logAbsDetJacobian(x: Tensor, y: Tensor): Tensor {
    const k = x.shape[x.ndim - 1]!;
    const xs = x.sub(logOffsets(x, k));
    return xs.neg().sub(xs.neg().softplus()).add(y.narrow(-1, 0, k).log()).sum(-1);
  }
  override forwardShape(shape: readonly number[]): number[] {
    if (shape.length < 1) throw new TensileError(`StickBreakingTransform: too few dimensions on input (shape ${fmtShape(shape)})`);
    return [...shape.slice(0, -1), shape[shape.length - 1]! + 1];
  }
  override inverseShape(shape: readonly number[]): number[] {
    if (shape.length < 1) throw new TensileError(`StickBreakingTransform: too few dimensions on input (shape ${fmtShape(shape)})`);
    return [...shape.slice(0, -1), shape[shape.length - 1]! - 1];
  }
  override equals(other: Transform): boolean {
    return other instanceof StickBreakingTransform;
  }
}


/**
 * y = tril(x, −1) + diag(exp(diag x)): from any square matrix onto the lower-triangular ones with a
 * positive diagonal (PyTorch's; not declared bijective, so it has no logAbsDetJacobian there either).
 */
export class LowerCholeskyTransform extends Transform {
  get domain(): Constraint {
    return constraints.real.independent(2);
  }
  get codomain(): Constraint {
    return constraints.lowerCholesky;
  }
  protected call(x: Tensor): Tensor {
    return x.tril(-1).add(diagEmbed(diagonal(x, 0, -2, -1).exp()));
  }
  protected inverseCall(y: Tensor): Tensor {
    return y.tril(-1).add(diagEmbed(diagonal(y, 0, -2, -1).log()));
  }
  override equals(other: Transform): boolean {
    return other instanceof LowerCholeskyTransform;
  }
}

/**
 * The [m, D·D] 0/1 matrix picking the entries (i, j) with j ≤ i + diag of a D×D matrix in row order
 * (PyTorch's `tril_mask`): vec · S is `vec_to_tril_matrix`, mat · Sᵀ `tril_matrix_to_vec`.
 */
function trilSelector(like: Tensor, d: number, diag: number): Tensor {
  const rows: number[][] = [];
  for (let i = 0; i < d; i++) for (let j = 0; j <= Math.min(i + diag, d - 1); j++) rows.push(Array.from({ length: d * d }, (_, k) => (k === i * d + j ? 1 : 0)));
  return withBackend(like.backend, () => tensor(rows, { dtype: like.dtype }));
}
const vecToTril = (v: Tensor, d: number, diag: number): Tensor =>
  v.unsqueeze(-2).matmul(trilSelector(v, d, diag)).squeeze(-2).reshape([...v.shape.slice(0, -1), d, d]);
const trilToVec = (m: Tensor, diag: number): Tensor => {
  const d = m.shape[m.ndim - 1]!;
  return m.reshape([...m.shape.slice(0, -2), 1, d * d]).matmul(trilSelector(m, d, diag).transpose(0, 1)).squeeze(-2);
};
/** D from N = D(D − 1)/2 (PyTorch's rounding of the positive root). */
function corrDim(op: string, shape: readonly number[]): number {
  if (shape.length < 1) throw new TensileError(`${op}: too few dimensions on input (shape ${fmtShape(shape)})`);
  const n = shape[shape.length - 1]!;
  const d = Math.round(Math.sqrt(0.25 + 2 * n) + 0.5);
  if (d * (d - 1) / 2 !== n) throw new TensileError(`${op}: input is not a flattened lower-diagonal number (last dim ${n}, shape ${fmtShape(shape)})`);
  return d;
}

/**
 * From the real vectors of length D(D − 1)/2 onto the Cholesky factors of D×D correlation matrices
 * (PyTorch's): r = tanh x (clamped to ±(1 − eps)) fills the strict lower triangle row by row, and each
 * row is a signed stick-breaking of its squares, y_ij = r_ij ∏_{k<j} √(1 − r_ik²), y_ii = ∏_{k<i} √(1 − r_ik²).
 */
export class CorrCholeskyTransform extends Transform {
  get domain(): Constraint {
    return constraints.realVector;
  }
  get codomain(): Constraint {
    return constraints.corrCholesky;
  }
  override get bijective(): boolean {
    return true;
  }
  protected call(x: Tensor): Tensor {
    const d = corrDim("CorrCholeskyTransform.forward", x.shape);
    const eps = finfo(x).eps;
    const r = vecToTril(x.tanh().clamp(-1 + eps, 1 - eps), d, -1);
    const stick = r.pow(2).neg().add(1).sqrt().cumprod(-1);
    const eye = withBackend(x.backend, () => tensor(Array.from({ length: d }, (_, i) => Array.from({ length: d }, (_, j) => (i === j ? 1 : 0))), { dtype: x.dtype }));
    return r.add(eye).mul(stick.narrow(-1, 0, d - 1).pad([1, 0], "constant", 1));
  }
  /** t_ij = y_ij / √(1 − Σ_{k<j} y_ik²), x = atanh t (PyTorch's, as log((1 + t)/(1 − t))/2). */
  protected inverseCall(y: Tensor): Tensor {
    if (y.ndim < 2 || y.shape[y.ndim - 1] !== y.shape[y.ndim - 2]) throw new TensileError(`CorrCholeskyTransform.inverse: expected a batch of square matrices, got shape ${fmtShape(y.shape)}`);
    const d = y.shape[y.ndim - 1]!;
    const left = y.mul(y).cumsum(-1).neg().add(1).narrow(-1, 0, d - 1).pad([1, 0], "constant", 1);
    const t = trilToVec(y, -1).div(trilToVec(left, -1).sqrt());
    return t.add(1).div(t.neg().add(1)).log().div(2);
  }
  /** ½ Σ log(1 − Σ_{k≤j} y_ik²) over j < i − 1, plus Σ −2(x + softplus(−2x) − log 2) (tanh's). */
  override logAbsDetJacobian(x: Tensor, y: Tensor): Tensor {
    const d = y.shape[y.ndim - 1]!;
    const tanhLogDet = x.add(x.mul(-2).softplus()).sub(Math.LN2).sum(-1).mul(-2);
    if (d < 3) return tanhLogDet;
    const rest = trilToVec(y.mul(y).cumsum(-1).neg().add(1), -2);
    return rest.log().sum(-1).mul(0.5).add(tanhLogDet);
  }
  override forwardShape(shape: readonly number[]): number[] {
    const d = corrDim("CorrCholeskyTransform", shape);
    return [...shape.slice(0, -1), d, d];
  }
  override inverseShape(shape: readonly number[]): number[] {
    if (shape.length < 2) throw new TensileError(`CorrCholeskyTransform: too few dimensions on input (shape ${fmtShape(shape)})`);
    if (shape[shape.length - 1] !== shape[shape.length - 2]) throw new TensileError(`CorrCholeskyTransform: input is not square (shape ${fmtShape(shape)})`);
    const d = shape[shape.length - 1]!;
    return [...shape.slice(0, -2), d * (d - 1) / 2];
  }
  override equals(other: Transform): boolean {
    return other instanceof CorrCholeskyTransform;
  }
}
