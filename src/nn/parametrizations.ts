/**
 * `nn.utils.parametrizations`: PyTorch 1.13's `torch.nn.utils.parametrizations` — `orthogonal`
 * and the parametrization version of `spectralNorm`, both built on `registerParametrization`
 * (src/nn/parametrize.ts), so their state lives in `module.parametrizations.weight`:
 * `original` plus `0.base` (orthogonal's trivialization) or `0._u`, `0._v` (spectral norm).
 */
import { Tensor, allclose, cat, eye, noGrad, randn, zeros } from "../core.js";
import { TensileError, fmtShape, fmtValue } from "../errors.js";
import { householderProduct, qr, solve } from "../linalg/index.js";
import { householderRightInverse } from "../ops/linalg-legacy.js";
import { normalize } from "./functional/distance.js";
import { ConvTranspose1d, ConvTranspose2d, ConvTranspose3d } from "./layers/conv.js";
import { Module } from "./module.js";
import { RightInverseNotImplemented, registerParametrization } from "./parametrize.js";
import type { SpectralNormOptions } from "./weight-norm.js";

type Slot = Record<string, unknown>;
const mT = (x: Tensor): Tensor => x.transpose(-2, -1);

export type OrthogonalMap = "matrix_exp" | "cayley" | "householder";

/** Machine epsilon of a float dtype (torch.finfo(dtype).eps). */
const epsOf = (t: Tensor): number => (t.dtype === "float64" ? 2.220446049250313e-16 : 1.1920928955078125e-7);

/** PyTorch's `_is_orthogonal`: QᵀQ ≈ I with atol 10·n·eps (n the row count). */
function isOrthogonal(Q: Tensor): boolean {
  const [n, k] = Q.shape.slice(-2) as [number, number];
  const gram = mT(Q).matmul(Q);
  return allclose(gram, eye(k, { dtype: Q.dtype }), { atol: 10 * n * epsOf(Q) });
}

/** The Q of A = QR with diag(R) ≥ 0 (PyTorch's `_make_orthogonal`, geqrf + householder_product there). */
function makeOrthogonal(A: Tensor): Tensor {
  const [Q, R] = qr(A);
  return Q.mul(R.diagonal(0, -2, -1).sgn().unsqueeze(-2));
}

/**
 * The orthogonal parametrization (PyTorch's private `_Orthogonal`, named alike so that
 * `toString()` matches): maps a matrix (or batch) to one with orthonormal columns (rows if wide).
 */
class _Orthogonal extends Module {
  readonly shape: number[];
  readonly orthogonalMap: OrthogonalMap;
  readonly useTrivialization: boolean;

  constructor(weight: Tensor, orthogonalMap: OrthogonalMap, useTrivialization = true) {
    super();
    this.shape = [...weight.shape];
    this.orthogonalMap = orthogonalMap;
    this.useTrivialization = useTrivialization;
    if (useTrivialization) this.registerBuffer("base", null);
  }

  override forward(X: Tensor): Tensor {
    let [n, k] = X.shape.slice(-2) as [number, number];
    const transposed = n < k;
    if (transposed) {
      X = mT(X);
      [n, k] = [k, n];
    }
    let Q: Tensor;
    if (this.orthogonalMap === "matrix_exp" || this.orthogonalMap === "cayley") {
      // n·k − k(k−1)/2 parameters: the lower triangle, embedded in a square skew-symmetric A
      X = X.tril();
      if (n !== k) X = cat([X, zeros([...X.shape.slice(0, -2), n, n - k], { dtype: X.dtype })], -1);
      const A = X.sub(mT(X));
      if (this.orthogonalMap === "matrix_exp") Q = A.matrixExp();
      else {
        // Cayley retraction (I + A/2)(I − A/2)⁻¹ as torch computes it: solve(I − A/2, I + A/2)
        const I = eye(n, { dtype: A.dtype });
        Q = solve(I.sub(A.mul(0.5)), I.add(A.mul(0.5)));
      }
      if (n !== k) Q = Q.narrow(-1, 0, k);
    } else {
      const A = X.tril(-1);
      const tau = A.mul(A).sum(-2).add(1).reciprocal().mul(2);
      Q = householderProduct(A, tau);
      // the diagonal of X holds ±1 (not differentiated, as torch's cast to int)
      Q = Q.mul(X.diagonal(0, -2, -1).detach().trunc().unsqueeze(-2));
    }
    if (this.useTrivialization) {
      const base = (this as unknown as Slot).base as Tensor | null;
      if (base === null) throw new TensileError("orthogonal: the base of the trivialization is not set (rightInverse was never called)");
      Q = base.matmul(Q);
    }
    return transposed ? mT(Q) : Q;
  }

  rightInverse(Q: Tensor): Tensor {
    return noGrad(() => {
      if (!(Q instanceof Tensor) || Q.shape.length !== this.shape.length || Q.shape.some((d, i) => d !== this.shape[i]))
        throw new TensileError(`orthogonal: expected a matrix or batch of matrices of shape ${fmtShape(this.shape)}, got ${Q instanceof Tensor ? fmtShape(Q.shape) : fmtValue(Q)}`);
      const QInit = Q;
      let [n, k] = Q.shape.slice(-2) as [number, number];
      const transpose = n < k;
      if (transpose) {
        Q = mT(Q);
        [n, k] = [k, n];
      }
      if (!this.useTrivialization) {
        if (this.orthogonalMap !== "householder")
          throw new RightInverseNotImplemented("orthogonal: it is not possible to assign to the matrix exponential or the Cayley parametrizations when useTrivialization is false");
        // orthogonalize by QR; the diagonal keeps the signs of R (−1 where no reflection was used)
        const out = householderRightInverse(Q);
        return transpose ? mT(out) : out;
      }
      let base: Tensor;
      if (n === k) base = isOrthogonal(Q) ? Q.clone() : makeOrthogonal(Q);
      else {
        // complete Q to an n×n orthogonal matrix with random columns
        const N = randn([...Q.shape.slice(0, -2), n, n - k], { dtype: Q.dtype });
        base = makeOrthogonal(cat([Q, N], -1));
      }
      (this as unknown as Slot).base = base;
      // −I: householder(zeros) then gives I, and so does every map at −I
      const negId = zeros(QInit.shape, { dtype: QInit.dtype });
      const [r, c] = QInit.shape.slice(-2) as [number, number];
      return negId.add(eye(r, c, { dtype: QInit.dtype }).neg());
    });
  }
}

export interface OrthogonalOptions {
  /** "matrix_exp", "cayley" or "householder"; default "matrix_exp" for square matrices, else "householder". */
  orthogonalMap?: OrthogonalMap | null;
  /** Keep an orthogonal `base` buffer and parametrize around it (PyTorch's dynamic trivialization; default true). */
  useTrivialization?: boolean;
}

/**
 * Makes `module[name]` (a matrix or batch of matrices [..., m, n]) orthogonal — QᵀQ = I for
 * m ≥ n, QQᵀ = I otherwise — as PyTorch 1.13's `torch.nn.utils.parametrizations.orthogonal`:
 * Q = exp(A) ("matrix_exp"), the Cayley map (I + A/2)(I − A/2)⁻¹ ("cayley") of a skew-symmetric A
 * built from the original's lower triangle, or a product of Householder reflectors
 * ("householder"). With `useTrivialization` (default), an orthogonal matrix `base`
 * (`parametrizations.weight.0.base`) multiplies the result, and the initial weight is the old one
 * if it was orthogonal, else its QR's Q (for a non-square weight, completed with random columns
 * from the default generator, so not PyTorch's numbers). Returns `module`.
 * ```ts
 * const m = nn.utils.parametrizations.orthogonal(new nn.Linear(4, 4));
 * Object.keys(m.stateDict()); // ["bias", "parametrizations.weight.original", "parametrizations.weight.0.base"]
 * ```
 */
export function orthogonal<M extends Module>(module: M, name = "weight", options: OrthogonalOptions = {}): M {
  const op = "orthogonal";
  if (!(module instanceof Module)) throw new TensileError(`${op}: expected an nn.Module, got ${fmtValue(module)}`);
  const { orthogonalMap = null, useTrivialization = true } = options ?? {};
  const weight = (module as unknown as Slot)[name];
  if (!(weight instanceof Tensor)) throw new TensileError(`${op}: ${module.constructor.name} has no parameter or buffer named "${name}"`);
  if (weight.ndim < 2) throw new TensileError(`${op}: expected a matrix or batch of matrices for ${module.constructor.name}.${name}, got a tensor of ${weight.ndim} dimensions`);
  const map = orthogonalMap ?? (weight.shape[weight.ndim - 2] === weight.shape[weight.ndim - 1] ? "matrix_exp" : "householder");
  if (map !== "matrix_exp" && map !== "cayley" && map !== "householder")
    throw new TensileError(`${op}: orthogonalMap has to be one of "matrix_exp", "cayley", "householder", got ${fmtValue(map)}`);
  return registerParametrization(module, name, new _Orthogonal(weight, map, useTrivialization), { unsafe: true });
}

/**
 * Spectral normalization as a parametrization (PyTorch's private `_SpectralNorm`): W / σ(W), σ
 * estimated by power iteration with the buffers `_u`, `_v`, updated in place on every access in
 * training mode.
 */
class _SpectralNorm extends Module {
  readonly dim: number;
  readonly eps: number;
  readonly nPowerIterations: number;

  constructor(weight: Tensor, nPowerIterations = 1, dim = 0, eps = 1e-12) {
    super();
    const ndim = weight.ndim;
    if (!Number.isInteger(dim) || dim >= ndim || dim < -ndim)
      throw new TensileError(`spectralNorm: dimension out of range (expected to be in range of [${-ndim}, ${ndim - 1}] but got ${fmtValue(dim)})`);
    if (!Number.isInteger(nPowerIterations) || nPowerIterations <= 0)
      throw new TensileError(`spectralNorm: expected nPowerIterations to be positive, but got nPowerIterations=${fmtValue(nPowerIterations)}`);
    this.dim = dim >= 0 ? dim : dim + ndim;
    this.eps = eps;
    this.nPowerIterations = nPowerIterations;
    if (ndim > 1) {
      const mat = this.toMatrix(weight.detach());
      const [h, w] = mat.shape as [number, number];
      this.registerBuffer("_u", normalize(randn([h], { dtype: weight.dtype }), 2, 0, eps));
      this.registerBuffer("_v", normalize(randn([w], { dtype: weight.dtype }), 2, 0, eps));
      // start from reasonable singular vectors
      this.powerMethod(mat, 15);
    }
  }

  private toMatrix(weight: Tensor): Tensor {
    const d = this.dim;
    const w = d === 0 ? weight : weight.permute([d, ...[...weight.shape.keys()].filter((i) => i !== d)]);
    return w.flatten(1);
  }

  /** u ← normalize(W v), v ← normalize(Wᵀ u), in place, `n` times. */
  private powerMethod(mat: Tensor, n: number): void {
    const s = this as unknown as Slot;
    noGrad(() => {
      const u = s._u as Tensor, v = s._v as Tensor;
      for (let i = 0; i < n; i++) {
        u.copy_(normalize(mat.mv(v), 2, 0, this.eps));
        v.copy_(normalize(mat.t().mv(u), 2, 0, this.eps));
      }
    });
  }

  override forward(weight: Tensor): Tensor {
    if (weight.ndim === 1) return normalize(weight, 2, 0, this.eps);
    const mat = this.toMatrix(weight);
    if (this.training) this.powerMethod(mat, this.nPowerIterations);
    const s = this as unknown as Slot;
    const u = (s._u as Tensor).clone(), v = (s._v as Tensor).clone();
    const sigma = u.dot(mat.mv(v));
    return weight.div(sigma);
  }

  rightInverse(value: Tensor): Tensor {
    return value;
  }
}

export type { SpectralNormOptions };

/**
 * Spectral normalization as a parametrization (PyTorch 1.13's
 * `torch.nn.utils.parametrizations.spectral_norm`; Miyato et al., 2018): `module[name]` reads as
 * W/σ(W), σ the largest singular value of W reshaped to [size of `dim`, rest], estimated by power
 * iteration. The singular-vector estimates are buffers of the parametrization
 * (`parametrizations.weight.0._u`, `._v`), initialized from the default generator and 15 power
 * iterations; every access in training mode runs `nPowerIterations` more (u first, then v), in
 * eval mode none. A 1-D weight is just normalized. After `name`, PyTorch's `n_power_iterations,
 * eps, dim` come positionally or as `{ nPowerIterations, eps, dim }`. Returns `module`.
 * ```ts
 * const m = nn.utils.parametrizations.spectralNorm(new nn.Linear(20, 40));
 * Object.keys(m.stateDict()); // ["bias", "parametrizations.weight.original", "parametrizations.weight.0._u", "parametrizations.weight.0._v"]
 * ```
 */
export function spectralNorm<M extends Module>(module: M, name?: string, options?: SpectralNormOptions | null): M;
export function spectralNorm<M extends Module>(module: M, name: string, nPowerIterations?: number, eps?: number, dim?: number | null): M;
export function spectralNorm<M extends Module>(module: M, name = "weight", third: SpectralNormOptions | number | null = {}, eps_?: number, dim_?: number | null): M {
  const op = "spectralNorm";
  if (!(module instanceof Module)) throw new TensileError(`${op}: expected an nn.Module, got ${fmtValue(module)}`);
  const options: SpectralNormOptions = typeof third === "number" ? { nPowerIterations: third, eps: eps_, dim: dim_ } : (third ?? {});
  const { nPowerIterations = 1, eps = 1e-12 } = options;
  const weight = (module as unknown as Slot)[name];
  if (!(weight instanceof Tensor)) throw new TensileError(`${op}: ${module.constructor.name} has no parameter or buffer named "${name}"`);
  if (typeof eps !== "number" || !(eps >= 0)) throw new TensileError(`${op}: eps must be a non-negative number, got ${fmtValue(eps)}`);
  const isTransposed = module instanceof ConvTranspose1d || module instanceof ConvTranspose2d || module instanceof ConvTranspose3d;
  const dim = options.dim ?? (isTransposed ? 1 : 0);
  return registerParametrization(module, name, new _SpectralNorm(weight, nPowerIterations, dim, eps));
}
