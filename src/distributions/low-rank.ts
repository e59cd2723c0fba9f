/**
 * `LowRankMultivariateNormal(loc, covFactor, covDiag)`: PyTorch's multivariate normal whose
 * covariance is W Wᵀ + diag(D), W of shape [..., n, m] (m usually ≪ n). As in PyTorch, logProb and
 * entropy never factor the n×n covariance: the Woodbury identity and the matrix determinant lemma
 * reduce both to the Cholesky factor of the m×m capacitance matrix C = I + Wᵀ D⁻¹ W.
 */
import { Tensor, eye } from "../core.js";
import { cholesky, solve } from "../ops/linalg-dense.js";
import { diagEmbed, diagonal } from "../ops/linalg.js";
import { TensileError, fmtShape, fmtValue } from "../errors.js";
import { type DistributionOptions, Distribution, asParams, broadcastAll, checkValues, setField } from "./distribution.js";
import { draws } from "./continuous.js";
import { type Constraint, constraints } from "./constraints.js";

const LOG_2PI = Math.log(2 * Math.PI);

/**
 * yᵀy for L y = x, L lower triangular (PyTorch's `_batch_mahalanobis`): the solve reads the lower
 * triangle only, as `solve_triangular`, so no gradient reaches the upper one.
 */
export function batchMahalanobis(L: Tensor, x: Tensor): Tensor {
  const n = x.shape[x.ndim - 1]!;
  const lead = broadcastAll("batchMahalanobis", [L.shape.slice(0, -2), x.shape.slice(0, -1)]);
  return solve(L.tril().expand([...lead, n, n]), x.expand([...lead, n]).unsqueeze(-1)).squeeze(-1).pow(2).sum(-1);
}

/** Cholesky factor of C = I + Wᵀ D⁻¹ W (PyTorch's `_batch_capacitance_tril`). */
export function capacitanceTril(W: Tensor, D: Tensor): Tensor {
  const m = W.shape[W.ndim - 1]!;
  const K = W.transpose(-1, -2).div(D.unsqueeze(-2)).matmul(W);
  return cholesky(K.add(eye(m, m, { dtype: K.dtype })));
}

/** log|W Wᵀ + D| = log|C| + log|D| (the matrix determinant lemma; PyTorch's `_batch_lowrank_logdet`). */
export function lowRankLogDet(D: Tensor, capTril: Tensor): Tensor {
  return diagonal(capTril, 0, -2, -1).log().sum(-1).mul(2).add(D.log().sum(-1));
}

/** xᵀ(W Wᵀ + D)⁻¹x = xᵀD⁻¹x − ‖C_L⁻¹ WᵀD⁻¹x‖² (Woodbury; PyTorch's `_batch_lowrank_mahalanobis`). */
export function lowRankMahalanobis(W: Tensor, D: Tensor, x: Tensor, capTril: Tensor): Tensor {
  const WtDinvX = W.transpose(-1, -2).div(D.unsqueeze(-2)).matmul(x.unsqueeze(-1)).squeeze(-1);
  return x.pow(2).div(D).sum(-1).sub(batchMahalanobis(capTril, WtDinvX));
}

/**
 * A draw from given standard normals: `eps` of shape `[...sampleShape, ...batchShape, n + m]`, its
 * first m entries the factor noise ε_W and the last n the diagonal noise ε_D (PyTorch draws them in
 * that order): loc + W ε_W + √D ⊙ ε_D. `rsample` feeds fresh noise; tests feed PyTorch's.
 */
export function lowRankMultivariateNormalDraw(d: LowRankMultivariateNormal, eps: Tensor): Tensor {
  const m = d.covFactor.shape[d.covFactor.ndim - 1]!;
  const epsW = eps.narrow(-1, 0, m), epsD = eps.narrow(-1, m, eps.shape[eps.ndim - 1]! - m);
  const factor = d.unbroadcastedCovFactor.matmul(epsW.unsqueeze(-1)).squeeze(-1);
  return d.loc.add(factor).add(d.unbroadcastedCovDiag.sqrt().mul(epsD));
}

export class LowRankMultivariateNormal extends Distribution {
  /** PyTorch's `support`. */
  override get support(): Constraint {
    return constraints.realVector;
  }
  /** PyTorch's `arg_constraints`. */
  override get argConstraints(): Record<string, Constraint> {
    return { loc: constraints.realVector, covFactor: constraints.real.independent(2), covDiag: constraints.positive.independent(1) };
  }
  override get hasRsample(): boolean {
    return true;
  }
  /** loc, W and D broadcast to the batch shape (PyTorch's `loc`, `cov_factor`, `cov_diag`). */
  readonly loc: Tensor;
  readonly covFactor: Tensor;
  readonly covDiag: Tensor;
  /** W and D as given (PyTorch's `_unbroadcasted_cov_factor` / `_unbroadcasted_cov_diag`): the maths runs on them. */
  readonly unbroadcastedCovFactor: Tensor;
  readonly unbroadcastedCovDiag: Tensor;
  /** Cholesky factor of the capacitance matrix I + Wᵀ D⁻¹ W, [..., m, m]. */
  readonly capacitanceTril: Tensor;
  constructor(loc: Tensor, covFactor: Tensor, covDiag: Tensor, opts: DistributionOptions = {}) {
    const op = "LowRankMultivariateNormal";
    for (const [name, v] of [["loc", loc], ["cov_factor", covFactor], ["cov_diag", covDiag]] as const)
      if (!(v instanceof Tensor)) throw new TensileError(`${op}: ${name} must be a Tensor, got ${fmtValue(v)}`);
    const [l, W, D] = asParams(op, ["loc", "cov_factor", "cov_diag"], [loc, covFactor, covDiag]);
    if (l!.ndim < 1) throw new TensileError(`${op}: loc must be at least one-dimensional, got shape ${fmtShape(l!.shape)}`);
    const n = l!.shape[l!.ndim - 1]!;
    if (W!.ndim < 2) throw new TensileError(`${op}: cov_factor must be at least two-dimensional, with optional leading batch dimensions, got shape ${fmtShape(W!.shape)}`);
    if (W!.shape[W!.ndim - 2] !== n) throw new TensileError(`${op}: cov_factor must be a batch of matrices with shape ${n} x m (loc's last dim is ${n}), got shape ${fmtShape(W!.shape)}`);
    if (D!.ndim < 1 || D!.shape[D!.ndim - 1] !== n) throw new TensileError(`${op}: cov_diag must be a batch of vectors with shape [${n}], got shape ${fmtShape(D!.shape)}`);
    const m = W!.shape[W!.ndim - 1]!;
    let batch: number[];
    try {
      batch = broadcastAll(op, [l!.shape.slice(0, -1), W!.shape.slice(0, -2), D!.shape.slice(0, -1)]);
    } catch (e) {
      if (!(e instanceof TensileError)) throw e;
      throw new TensileError(`${op}: incompatible batch shapes: loc ${fmtShape(l!.shape)}, cov_factor ${fmtShape(W!.shape)}, cov_diag ${fmtShape(D!.shape)}`);
    }
    super(batch, [n], opts);
    if (this.validateArgs) {
      checkValues(op, "parameter loc", l!, (v) => Number.isFinite(v), "real (finite)");
      checkValues(op, "parameter cov_factor", W!, (v) => Number.isFinite(v), "real (finite)");
      checkValues(op, "parameter cov_diag", D!, (v) => v > 0, "positive (IndependentConstraint(GreaterThan(lower_bound=0.0), 1))");
    }
    this.loc = l!.expand([...batch, n]);
    this.covFactor = W!.expand([...batch, n, m]);
    this.covDiag = D!.expand([...batch, n]);
    this.unbroadcastedCovFactor = W!;
    this.unbroadcastedCovDiag = D!;
    this.capacitanceTril = capacitanceTril(W!, D!);
  }
  /** loc, W, D expanded; the unbroadcast ones and the capacitance factor are kept (PyTorch's). */
  protected override expandInto(d: this, batchShape: readonly number[]): void {
    const n = this.eventShape[0]!, m = this.covFactor.shape[this.covFactor.ndim - 1]!;
    setField(d, "loc", this.loc.expand([...batchShape, n]));
    setField(d, "covDiag", this.covDiag.expand([...batchShape, n]));
    setField(d, "covFactor", this.covFactor.expand([...batchShape, n, m]));
  }
  override get mean(): Tensor {
    return this.loc;
  }
  override get mode(): Tensor {
    return this.loc;
  }
  /** diag(W Wᵀ) + D. */
  override get variance(): Tensor {
    return this.unbroadcastedCovFactor.pow(2).sum(-1).add(this.unbroadcastedCovDiag).expand([...this.batchShape, ...this.eventShape]);
  }
  private get fullShape(): number[] {
    const n = this.eventShape[0]!;
    return [...this.batchShape, n, n];
  }
  /** W Wᵀ + diag(D). */
  get covarianceMatrix(): Tensor {
    const W = this.unbroadcastedCovFactor;
    return W.matmul(W.transpose(-1, -2)).add(diagEmbed(this.unbroadcastedCovDiag)).expand(this.fullShape);
  }
  /** D⁻¹ − AᵀA, A = C_L⁻¹ WᵀD⁻¹ (Woodbury). */
  get precisionMatrix(): Tensor {
    const W = this.unbroadcastedCovFactor, D = this.unbroadcastedCovDiag;
    const WtDinv = W.transpose(-1, -2).div(D.unsqueeze(-2));
    const L = this.capacitanceTril.tril();
    const lead = broadcastAll("LowRankMultivariateNormal.precisionMatrix", [L.shape.slice(0, -2), WtDinv.shape.slice(0, -2)]);
    const m = L.shape[L.ndim - 1]!;
    const A = solve(L.expand([...lead, m, m]), WtDinv.expand([...lead, ...WtDinv.shape.slice(-2)]));
    return diagEmbed(D.reciprocal()).sub(A.transpose(-1, -2).matmul(A)).expand(this.fullShape);
  }
  /** √D · chol(I + D^(−½) W Wᵀ D^(−½)), well conditioned (PyTorch's, from GPML §3.4.3). */
  get scaleTril(): Tensor {
    const n = this.eventShape[0]!;
    const sqrtD = this.unbroadcastedCovDiag.sqrt().unsqueeze(-1);
    const DW = this.unbroadcastedCovFactor.div(sqrtD);
    const K = DW.matmul(DW.transpose(-1, -2)).add(eye(n, n, { dtype: DW.dtype }));
    return sqrtD.mul(cholesky(K)).expand(this.fullShape);
  }
  override rsample(sampleShape: readonly number[] = []): Tensor {
    const shape = this.extendedShape(sampleShape);
    const m = this.covFactor.shape[this.covFactor.ndim - 1]!;
    return lowRankMultivariateNormalDraw(this, draws(this.loc, [...shape.slice(0, -1), m + shape[shape.length - 1]!], "normal"));
  }
  private logDet(): Tensor {
    return lowRankLogDet(this.unbroadcastedCovDiag, this.capacitanceTril);
  }
  /** −(n log 2π + log|Σ| + (x − μ)ᵀΣ⁻¹(x − μ))/2. */
  logProb(value: Tensor): Tensor {
    this.checkValue("logProb", value);
    if (this.validateArgs) checkValues("LowRankMultivariateNormal.logProb", "the value", value, (v) => !Number.isNaN(v), "real (not NaN)");
    const M = lowRankMahalanobis(this.unbroadcastedCovFactor, this.unbroadcastedCovDiag, value.sub(this.loc), this.capacitanceTril);
    return this.logDet().add(M).add(this.eventShape[0]! * LOG_2PI).mul(-0.5);
  }
  /** (n(1 + log 2π) + log|Σ|)/2. */
  override entropy(): Tensor {
    return this.logDet().add(this.eventShape[0]! * (1 + LOG_2PI)).mul(0.5).expand([...this.batchShape]);
  }
  protected override reprParams(): [string, Tensor][] {
    return [["loc", this.loc], ["cov_factor", this.covFactor], ["cov_diag", this.covDiag]];
  }
}
