/**
 * `MultivariateNormal(loc, { covarianceMatrix | precisionMatrix | scaleTril })` (or torch's positional
 * `MultivariateNormal(loc, covarianceMatrix)`): PyTorch's
 * multivariate normal, parameterised through the Cholesky factor L of the covariance (LLᵀ = Σ).
 * Factorisations and triangular solves go through `linalg` (float64 on the host), so gradients
 * reach the mean and whichever matrix was given.
 */
import { Tensor, noGrad, randn } from "../core.js";
import { cholesky, inv, solve } from "../ops/linalg-dense.js";
import { diagonal } from "../ops/linalg.js";
import { withBackend } from "../backends/registry.js";
import { TensileError, fmtShape, fmtValue } from "../errors.js";
import { type DistributionOptions, Distribution, asParams, broadcastAll, checkRealParam, setField } from "./distribution.js";
import { type Constraint, constraints } from "./constraints.js";

export interface MultivariateNormalOptions extends DistributionOptions {
  covarianceMatrix?: Tensor;
  precisionMatrix?: Tensor;
  scaleTril?: Tensor;
}

const LOG_2PI = Math.log(2 * Math.PI);

export class MultivariateNormal extends Distribution {
  /** PyTorch's `support`. */
  override get support(): Constraint {
    return constraints.realVector;
  }
  /** PyTorch's `arg_constraints`. */
  override get argConstraints(): Record<string, Constraint> {
    return { loc: constraints.realVector, covarianceMatrix: constraints.positiveDefinite, precisionMatrix: constraints.positiveDefinite, scaleTril: constraints.lowerCholesky };
  }
  readonly loc: Tensor;
  /** L, lower triangular with a positive diagonal, LLᵀ = Σ; [..., k, k] as given (not broadcast). */
  readonly scaleTril: Tensor;
  private readonly _given: [string, Tensor];
  /**
   * `new MultivariateNormal(loc, { covarianceMatrix })` (or `{ precisionMatrix }` / `{ scaleTril }`),
   * or PyTorch's positional form `new MultivariateNormal(loc, covarianceMatrix, opts?)`.
   *
   * ```ts
   * const prior = new MultivariateNormal(zeros(2), eye(2));   // torch: MultivariateNormal(torch.zeros(2), torch.eye(2))
   * ```
   */
  constructor(loc: Tensor, covarianceMatrix: Tensor, opts?: DistributionOptions);
  constructor(loc: Tensor, opts: MultivariateNormalOptions);
  constructor(loc: Tensor, optsOrCov: MultivariateNormalOptions | Tensor, rest: DistributionOptions = {}) {
    const op = "MultivariateNormal";
    if (!(loc instanceof Tensor) || loc.ndim < 1) throw new TensileError(`${op}: loc must be at least one-dimensional, got ${fmtValue(loc)}`);
    // torch's second positional parameter is covariance_matrix
    const opts: MultivariateNormalOptions = optsOrCov instanceof Tensor ? { ...rest, covarianceMatrix: optsOrCov } : optsOrCov;
    if (opts === null || typeof opts !== "object") throw new TensileError(`${op}: expected { covarianceMatrix }, { precisionMatrix } or { scaleTril }, got ${fmtValue(opts)}`);
    const given = (["covarianceMatrix", "precisionMatrix", "scaleTril"] as const).filter((k) => opts[k] !== undefined && opts[k] !== null);
    if (given.length !== 1) throw new TensileError(`${op}: exactly one of covariance_matrix or precision_matrix or scale_tril may be specified, got ${given.length}`);
    const key = given[0]!;
    const [l, m] = asParams(op, ["loc", key], [loc, opts[key]]);
    const k = l!.shape[l!.ndim - 1]!;
    if (m!.ndim < 2 || m!.shape[m!.ndim - 1] !== k || m!.shape[m!.ndim - 2] !== k)
      throw new TensileError(`${op}: ${key} must be a batch of ${k}×${k} matrices (loc's last dim is ${k}), got shape ${fmtShape(m!.shape)}`);
    const batch = broadcastAll(op, [l!.shape.slice(0, -1), m!.shape.slice(0, -2)]);
    super(batch, [k], opts);
    this.loc = l!.expand([...batch, k]);
    if (this.validateArgs) checkRealParam(op, "loc", l!);
    let L: Tensor;
    try {
      L = key === "scaleTril" ? m! : key === "covarianceMatrix" ? cholesky(m!) : cholesky(inv(m!));
    } catch (e) {
      if (!(e instanceof TensileError)) throw e;
      throw new TensileError(`${op}: ${key} is not positive-definite (${e.message})`);
    }
    if (this.validateArgs && key === "scaleTril") {
      const d = noGrad(() => diagonal(m!, 0, -2, -1).contiguous().dataSync());
      for (let i = 0; i < d.length; i++)
        if (!(Number(d[i]) > 0)) throw new TensileError(`${op}: expected scale_tril to have a positive diagonal, but found ${Number(d[i])}`);
      const upper = noGrad(() => m!.triu(1).abs().sum().item());
      if (upper !== 0) throw new TensileError(`${op}: expected scale_tril to be lower triangular`);
    }
    this.scaleTril = L;
    this._given = [key === "scaleTril" ? "scale_tril" : key === "covarianceMatrix" ? "covariance_matrix" : "precision_matrix", m!.expand([...batch, k, k])];
  }
  /** loc and the given matrix expanded; the Cholesky factor stays unbroadcast (PyTorch's `_unbroadcasted_scale_tril`). */
  protected override expandInto(d: this, batchShape: readonly number[]): void {
    const k = this.eventShape[0]!;
    setField(d, "loc", this.loc.expand([...batchShape, k]));
    setField(d, "_given", [this._given[0], this._given[1].expand([...batchShape, k, k])]);
  }
  override get hasRsample(): boolean {
    return true;
  }
  /** Σ: the given covariance matrix itself (as torch keeps it), else LLᵀ. */
  get covarianceMatrix(): Tensor {
    if (this._given[0] === "covariance_matrix") return this._given[1];
    return this.scaleTril.matmul(this.scaleTril.transpose(-1, -2)).expand([...this.batchShape, ...this.eventShape, ...this.eventShape]);
  }
  /** Σ⁻¹. */
  get precisionMatrix(): Tensor {
    return inv(this.covarianceMatrix);
  }
  override rsample(sampleShape: readonly number[] = []): Tensor {
    const shape = this.extendedShape(sampleShape);
    const eps = withBackend(this.loc.backend, () => randn(shape, { dtype: this.loc.dtype }));
    return this.loc.add(this.scaleTril.matmul(eps.unsqueeze(-1)).squeeze(-1));
  }
  /** log|Σ|/2 = Σ log Lᵢᵢ, over the matrix's own batch dims. */
  private halfLogDet(): Tensor {
    return diagonal(this.scaleTril, 0, -2, -1).log().sum(-1);
  }
  logProb(value: Tensor): Tensor {
    this.checkValue("logProb", value);
    // a value of the other float dtype is solved in the factor's dtype (PyTorch's result dtype), not refused by the solve
    const d0 = value.sub(this.loc);
    const diff = d0.dtype === this.scaleTril.dtype ? d0 : d0.to(this.scaleTril.dtype);
    const k = this.eventShape[0]!;
    const lead = diff.shape.slice(0, -1);
    // a triangular solve reads the lower triangle only (PyTorch's solve_triangular): no gradient reaches the upper one
    const L = this.scaleTril.tril().expand([...lead, k, k]);
    const m = solve(L, diff.unsqueeze(-1)).squeeze(-1).pow(2).sum(-1); // (x − μ)ᵀΣ⁻¹(x − μ)
    return m.add(k * LOG_2PI).mul(-0.5).sub(this.halfLogDet());
  }
  override entropy(): Tensor {
    const k = this.eventShape[0]!;
    return this.halfLogDet().add(0.5 * k * (1 + LOG_2PI)).expand([...this.batchShape]);
  }
  override get mean(): Tensor {
    return this.loc;
  }
  override get mode(): Tensor {
    return this.loc;
  }
  override get variance(): Tensor {
    return this.scaleTril.pow(2).sum(-1).expand([...this.batchShape, ...this.eventShape]);
  }
  /** KL(p ‖ q) between two multivariate normals (PyTorch's `_kl_multivariatenormal_multivariatenormal`). */
  static klDivergence(p: MultivariateNormal, q: MultivariateNormal): Tensor {
    const k = p.eventShape[0]!;
    if (q.eventShape[0] !== k)
      throw new TensileError(`klDivergence: KL-divergence between two Multivariate Normals with different event shapes (${k} and ${q.eventShape[0]}) cannot be computed`);
    const shape = broadcastAll("klDivergence", [p.batchShape, q.batchShape]);
    const Lq = q.scaleTril.tril().expand([...shape, k, k]), Lp = p.scaleTril.expand([...shape, k, k]);
    const halfTerm1 = q.halfLogDet().sub(p.halfLogDet());
    const term2 = solve(Lq, Lp).pow(2).sum([-2, -1]); // ‖Lq⁻¹Lp‖²_F = tr(Σq⁻¹Σp)
    const term3 = solve(Lq, q.loc.sub(p.loc).expand([...shape, k]).unsqueeze(-1)).squeeze(-1).pow(2).sum(-1);
    return halfTerm1.add(term2.add(term3).sub(k).mul(0.5));
  }
  protected override reprParams(): [string, Tensor][] {
    return [["loc", this.loc], this._given];
  }
}

