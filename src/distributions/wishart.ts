/**
 * `Wishart(df, { covarianceMatrix | precisionMatrix | scaleTril })`: PyTorch's Wishart distribution
 * over p×p positive-definite matrices, Σᵢ xᵢxᵢᵀ for ν draws xᵢ ~ N(0, Σ) (ν real, > p − 1). All
 * the maths runs on the Cholesky factor L of Σ, kept unbroadcast as PyTorch's; draws use the
 * Bartlett decomposition (√χ² on the diagonal, normals below it), reparameterised: gradients reach
 * df through the χ² draws' implicit gamma gradient, and the matrix through L.
 */
import { Tensor, arange, cat, digamma, eye, mvlgamma, noGrad, randn, tensor } from "../core.js";
import { cholesky, inv, slogdet } from "../ops/linalg-dense.js";
import { choleskySolve } from "../ops/linalg-extra.js";
import { diagEmbed, diagonal } from "../ops/linalg.js";
import { withBackend } from "../backends/registry.js";
import { TensileError, fmtShape, fmtValue } from "../errors.js";
import { ExponentialFamily } from "./exp-family.js";
import { type DistributionOptions, type Param, asParams, broadcastAll, setField } from "./distribution.js";
import { Chi2, standardGamma } from "./gamma.js";
import { type Constraint, constraints, intBounded } from "./constraints.js";

const LOG_2 = Math.LN2;
const epsOf = (t: Tensor) => (t.dtype === "float64" ? 2.220446049250313e-16 : 1.1920928955078125e-7);

export interface WishartOptions extends DistributionOptions {
  covarianceMatrix?: Tensor;
  precisionMatrix?: Tensor;
  scaleTril?: Tensor;
}

/** Σⱼ ψ(x − j/2), j < p (PyTorch's `_mvdigamma`, the derivative of mvlgamma). */
function mvdigamma(x: Tensor, p: number): Tensor {
  const half = withBackend(x.backend, () => arange(p, { dtype: x.dtype })).div(2);
  return digamma(x.unsqueeze(-1).sub(half)).sum(-1);
}

/**
 * The Bartlett draw from given noise, shape `[...sampleShape, ...batchShape, p + p(p − 1)/2]`: the
 * first p entries are Gamma((ν − i)/2, 1) draws (√(2z) is the i-th diagonal entry, clamped at the
 * dtype's eps as PyTorch), the rest standard normals filling the strict lower triangle row by row
 * (PyTorch's `tril_indices(p, p, −1)` order). Returns (L A)(L A)ᵀ. `rsample` feeds fresh noise;
 * tests feed PyTorch's.
 */
export function wishartDraw(d: Wishart, noise: Tensor): Tensor {
  const p = d.eventShape[0]!;
  const lead = noise.shape.slice(0, -1);
  const conc = d.df.unsqueeze(-1).sub(withBackend(d.df.backend, () => arange(p, { dtype: d.df.dtype }))).mul(0.5);
  const chi2 = standardGamma(conc.expand([...lead, p]), noise.narrow(-1, 0, p)).mul(2);
  const below = noGrad(() => {
    const e = noise.narrow(-1, p, noise.shape[noise.ndim - 1]! - p).contiguous().dataSync();
    const m = p * (p - 1) / 2, count = e.length / Math.max(m, 1);
    const out = new Float64Array(count * p * p);
    for (let b = 0; b < count; b++) for (let i = 1, k = 0; i < p; i++) for (let j = 0; j < i; j++, k++) out[b * p * p + i * p + j] = Number(e[b * m + k]);
    return withBackend(noise.backend, () => tensor(out, { shape: [...lead, p, p], dtype: "float64" })).to(noise.dtype);
  });
  const A = diagEmbed(chi2.sqrt().clamp(epsOf(chi2))).add(below);
  const chol = d.unbroadcastedScaleTril.matmul(A);
  return chol.matmul(chol.transpose(-2, -1));
}

export class Wishart extends ExponentialFamily {
  /** PyTorch's `support`. */
  override get support(): Constraint {
    return constraints.positiveDefinite;
  }
  /** PyTorch's `arg_constraints`. */
  override get argConstraints(): Record<string, Constraint> {
    return { covarianceMatrix: constraints.positiveDefinite, precisionMatrix: constraints.positiveDefinite, scaleTril: constraints.lowerCholesky, df: intBounded("GreaterThan", this.eventShape[this.eventShape.length - 1]! - 1) };
  }
  override get hasRsample(): boolean {
    return true;
  }
  /** ν, broadcast to the batch shape. */
  readonly df: Tensor;
  /** L as given or factored (PyTorch's `_unbroadcasted_scale_tril`): the maths runs on it. */
  readonly unbroadcastedScaleTril: Tensor;
  private readonly _given: [string, Tensor];
  constructor(df: Param, opts: WishartOptions) {
    const op = "Wishart";
    if (opts === null || typeof opts !== "object") throw new TensileError(`${op}: expected { covarianceMatrix }, { precisionMatrix } or { scaleTril }, got ${fmtValue(opts)}`);
    const given = (["covarianceMatrix", "precisionMatrix", "scaleTril"] as const).filter((k) => opts[k] !== undefined && opts[k] !== null);
    if (given.length !== 1) throw new TensileError(`${op}: exactly one of covariance_matrix or precision_matrix or scale_tril may be specified, got ${given.length}`);
    const key = given[0]!;
    if (!(opts[key] instanceof Tensor)) throw new TensileError(`${op}: ${key} must be a Tensor, got ${fmtValue(opts[key])}`);
    const [m, nu] = asParams(op, [key, "df"], [opts[key], df]);
    if (m!.ndim < 2 || m!.shape[m!.ndim - 1] !== m!.shape[m!.ndim - 2])
      throw new TensileError(`${op}: ${key} must be a batch of square matrices (at least two-dimensional, with optional leading batch dimensions), got shape ${fmtShape(m!.shape)}`);
    const p = m!.shape[m!.ndim - 1]!;
    const batch = broadcastAll(op, [m!.shape.slice(0, -2), nu!.shape]);
    const bad = noGrad(() => nu!.gt(p - 1).logicalNot().any().item()); // NaN df fails too
    if (bad) throw new TensileError(`${op}: expected df to be greater than ndim - 1 = ${p - 1}, got ${nu!.numel() === 1 ? Number(noGrad(() => nu!.reshape([]).item())) : `a tensor of shape ${fmtShape(nu!.shape)} with values ≤ ${p - 1}`}`);
    super(batch, [p, p], opts);
    let L: Tensor;
    try {
      L = key === "scaleTril" ? m! : key === "covarianceMatrix" ? cholesky(m!) : cholesky(inv(m!));
    } catch (e) {
      if (!(e instanceof TensileError)) throw e;
      throw new TensileError(`${op}: ${key} is not positive-definite (${e.message})`);
    }
    if (this.validateArgs && key === "scaleTril") {
      const d = noGrad(() => diagonal(m!, 0, -2, -1).contiguous().dataSync());
      for (let i = 0; i < d.length; i++) if (!(Number(d[i]) > 0)) throw new TensileError(`${op}: expected scale_tril to have a positive diagonal (LowerCholesky()), but found ${Number(d[i])}`);
      if (noGrad(() => m!.triu(1).abs().sum().item()) !== 0) throw new TensileError(`${op}: expected scale_tril to be lower triangular (LowerCholesky())`);
    }
    this.df = nu!.expand(batch);
    this.unbroadcastedScaleTril = L;
    this._given = [key === "scaleTril" ? "scale_tril" : key === "covarianceMatrix" ? "covariance_matrix" : "precision_matrix", m!.expand([...batch, p, p])];
  }
  protected override expandInto(d: this, batchShape: readonly number[]): void {
    const p = this.eventShape[0]!;
    setField(d, "df", this.df.expand(batchShape));
    setField(d, "unbroadcastedScaleTril", this.unbroadcastedScaleTril.expand([...batchShape, p, p]));
    setField(d, "_given", [this._given[0], this._given[1].expand([...batchShape, p, p])]);
  }
  private get fullShape(): number[] {
    return [...this.batchShape, ...this.eventShape];
  }
  /** ν, shaped to broadcast against a batch of matrices. */
  private get dfMatrix(): Tensor {
    return this.df.reshape([...this.batchShape, 1, 1]);
  }
  get scaleTril(): Tensor {
    return this.unbroadcastedScaleTril.expand(this.fullShape);
  }
  /** Σ: the matrix given, else LLᵀ (PyTorch's, so gradients reach a given Σ as they do there). */
  get covarianceMatrix(): Tensor {
    if (this._given[0] === "covariance_matrix") return this._given[1];
    const L = this.unbroadcastedScaleTril;
    return L.matmul(L.transpose(-2, -1)).expand(this.fullShape);
  }
  /** Σ⁻¹: the matrix given, else a Cholesky solve against I (PyTorch's). */
  get precisionMatrix(): Tensor {
    if (this._given[0] === "precision_matrix") return this._given[1];
    const L = this.unbroadcastedScaleTril;
    const n = L.shape[L.ndim - 1]!;
    return choleskySolve(withBackend(L.backend, () => eye(n, n, { dtype: L.dtype })), L).expand(this.fullShape);
  }
  /** The Chi2 of the Bartlett diagonal, df ν − i for i < p (PyTorch's `_dist_chi2`). */
  get bartlettChi2(): Chi2 {
    const p = this.eventShape[0]!;
    return new Chi2(this.df.unsqueeze(-1).sub(withBackend(this.df.backend, () => arange(p, { dtype: this.df.dtype }))), { validateArgs: false });
  }
  /** νΣ. */
  override get mean(): Tensor {
    return this.dfMatrix.mul(this.covarianceMatrix);
  }
  /** (ν − p − 1)Σ, NaN where ν ≤ p + 1 (as PyTorch). */
  override get mode(): Tensor {
    const factor = this.df.sub(this.eventShape[0]! + 1);
    return factor.maskedFill(factor.le(0), NaN).reshape([...this.batchShape, 1, 1]).mul(this.covarianceMatrix);
  }
  /** Var Xᵢⱼ = ν(Σᵢⱼ² + ΣᵢᵢΣⱼⱼ). */
  override get variance(): Tensor {
    const V = this.covarianceMatrix;
    const d = diagonal(V, 0, -2, -1);
    return this.dfMatrix.mul(V.pow(2).add(d.unsqueeze(-1).mul(d.unsqueeze(-2))));
  }
  /** Bartlett draws; PyTorch also redraws singular ones (up to 10 times), which this does not. */
  override rsample(sampleShape: readonly number[] = []): Tensor {
    const shape = this.extendedShape(sampleShape).slice(0, -2);
    const p = this.eventShape[0]!;
    const gammas = noGrad(() => this.bartlettChi2.sample(sampleShape).mul(0.5)); // Gamma((ν − i)/2, 1) draws
    const normals = withBackend(this.df.backend, () => randn([...shape, p * (p - 1) / 2], { dtype: this.df.dtype }));
    return wishartDraw(this, cat([gammas, normals], -1));
  }
  /** −ν(p log 2/2 + log|L|) − log Γ_p(ν/2) + ((ν − p − 1)/2) log|X| − tr(Σ⁻¹X)/2. */
  logProb(value: Tensor): Tensor {
    this.checkValue("logProb", value);
    if (this.validateArgs) this.checkPositiveDefinite(value);
    const nu = this.df, p = this.eventShape[0]!, L = this.unbroadcastedScaleTril;
    const halfLogDet = diagonal(L, 0, -2, -1).log().sum(-1);
    const trace = diagonal(choleskySolve(value, L), 0, -2, -1).sum(-1);
    return nu.mul(halfLogDet.add(p * LOG_2 / 2)).neg()
      .sub(mvlgamma(nu.div(2), p))
      .add(nu.sub(p + 1).div(2).mul(slogdet(value).logabsdet))
      .sub(trace.div(2));
  }
  /** (p + 1)(p log 2/2 + log|L|) + log Γ_p(ν/2) − ((ν − p − 1)/2) ψ_p(ν/2) + νp/2. */
  override entropy(): Tensor {
    const nu = this.df, p = this.eventShape[0]!;
    const halfLogDet = diagonal(this.unbroadcastedScaleTril, 0, -2, -1).log().sum(-1);
    return halfLogDet.add(p * LOG_2 / 2).mul(p + 1)
      .add(mvlgamma(nu.div(2), p))
      .sub(nu.sub(p + 1).div(2).mul(mvdigamma(nu.div(2), p)))
      .add(nu.mul(p / 2));
  }
  /** (−Σ⁻¹/2, (ν − p − 1)/2). */
  override get naturalParams(): Tensor[] {
    const p = this.eventShape[0]!;
    return [this.precisionMatrix.div(-2), this.df.sub(p + 1).div(2)];
  }
  /** F(x, y) = (y + (p + 1)/2)(p log 2 − log|−2x|) + log Γ_p(y + (p + 1)/2). */
  override logNormalizer(x: Tensor, y: Tensor): Tensor {
    const p = this.eventShape[0]!;
    const a = y.add((p + 1) / 2);
    return a.mul(slogdet(x.mul(-2)).logabsdet.neg().add(LOG_2 * p)).add(mvlgamma(a, p));
  }
  override get meanCarrierMeasure(): number {
    return 0;
  }
  /** PyTorch's `positive_definite` support: symmetric, with a Cholesky factor. */
  private checkPositiveDefinite(value: Tensor): void {
    const asym = noGrad(() => value.sub(value.transpose(-2, -1)).abs().amax().item()) as number;
    let ok = asym <= 1e-6 * Math.max(1, noGrad(() => value.abs().amax().item()) as number);
    if (ok) {
      try {
        noGrad(() => cholesky(value.detach()));
      } catch (e) {
        if (!(e instanceof TensileError)) throw e;
        ok = false;
      }
    }
    if (!ok) throw new TensileError(`Wishart.logProb: expected the value to be positive definite (the support PositiveDefinite()), got a matrix of shape ${fmtShape(value.shape)} that is not`);
  }
  protected override reprParams(): [string, Tensor][] {
    return [this._given, ["df", this.df]];
  }
}
