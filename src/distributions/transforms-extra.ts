/**
 * Transforms that change the event shape (PyTorch's): `StickBreakingTransform`, from the real
 * vectors of length K onto the simplex of K + 1 components. LogisticNormal is built on it.
 */
import { Tensor, tensor } from "../core.js";
import { withBackend } from "../backends/registry.js";
import { TensileError, fmtShape } from "../errors.js";
import { type Constraint, Transform, constraints } from "./transforms.js";

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
