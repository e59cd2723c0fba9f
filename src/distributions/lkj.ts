/**
 * `LKJCholesky(dim, concentration)`: PyTorch's LKJ distribution over the lower Cholesky factors L of
 * dim×dim correlation matrices, the density of LLᵀ proportional to det(LLᵀ)^(η − 1). Draws use the
 * onion method (PyTorch's vectorised form: Beta draws for the squared row lengths, normal directions),
 * so there is no rsample, as in PyTorch. The Beta concentrations are the onion method's, not PyTorch 1.13's (see docs/distributions.md).
 */
import { Tensor, arange, cat, lgamma, mvlgamma, noGrad, randn, tensor } from "../core.js";
import { diagEmbed, diagonal } from "../ops/linalg.js";
import { withBackend } from "../backends/registry.js";
import { TensileError, fmtShape, fmtValue } from "../errors.js";
import { type DistributionOptions, Distribution, type Param, asParams, checkValues, setField } from "./distribution.js";
import { Beta } from "./gamma.js";
import { type Constraint, constraints } from "./constraints.js";

const tinyOf = (t: Tensor) => (t.dtype === "float64" ? 2.2250738585072014e-308 : 1.1754943508222875e-38);
const epsOf = (t: Tensor) => (t.dtype === "float64" ? 2.220446049250313e-16 : 1.1920928955078125e-7);

export class LKJCholesky extends Distribution {
  /** PyTorch's `support`. */
  override get support(): Constraint {
    return constraints.corrCholesky;
  }
  /** PyTorch's `arg_constraints`. */
  override get argConstraints(): Record<string, Constraint> {
    return { concentration: constraints.positive };
  }
  /** The matrices' size D (PyTorch's `dim`). */
  readonly dim: number;
  /** η, broadcast to the batch shape. */
  readonly concentration: Tensor;
  /** The squared lengths of the rows' off-diagonal parts, Beta(i/2, η + (D − 1 − i)/2) for row i, batch `[...batchShape, D]` (PyTorch's `_beta`). */
  readonly rowBeta: Beta;
  constructor(dim: number, concentration: Param = 1, opts: DistributionOptions = {}) {
    const op = "LKJCholesky";
    if (!Number.isInteger(dim) || dim < 2) throw new TensileError(`${op}: expected dim to be an integer greater than or equal to 2, got dim=${fmtValue(dim)}`);
    const [c] = asParams(op, ["concentration"], [concentration]);
    super(c!.shape, [dim, dim], opts);
    if (this.validateArgs) checkValues(op, "parameter concentration", c!, (v) => v > 0, "positive (GreaterThan(lower_bound=0.0))");
    this.dim = dim;
    this.concentration = c!;
    // row i ≥ 1 (offset i − 1): Beta(i/2, η + (D − 2)/2 − (i − 1)/2), the onion method's; row 0 is unused.
    // PyTorch 1.13 takes offset + ½ as the first concentration (1.5 where it should be 1 for row 2, …): see docs/distributions.md.
    const offset = withBackend(c!.backend, () => cat([tensor([0], { dtype: c!.dtype }), arange(dim - 1, { dtype: c!.dtype })]));
    const half = withBackend(c!.backend, () => tensor(Array.from({ length: dim }, (_, i) => Math.max(i, 1) / 2), { dtype: c!.dtype }));
    const marginal = c!.add(0.5 * (dim - 2));
    this.rowBeta = new Beta(half, marginal.unsqueeze(-1).sub(offset.mul(0.5)), { validateArgs: false });
  }
  protected override expandInto(d: this, batchShape: readonly number[]): void {
    setField(d, "concentration", this.concentration.expand(batchShape));
    setField(d, "rowBeta", this.rowBeta.expand([...batchShape, this.dim]));
  }
  /**
   * The onion method: row i of L is √yᵢ·uᵢ (uᵢ uniform on the sphere of the first i coordinates,
   * yᵢ the Beta draw; row 0 is 0) with the diagonal √(1 − |√yᵢ·uᵢ|²) (clamped at the dtype's tiny).
   */
  override sample(sampleShape: readonly number[] = []): Tensor {
    const shape = this.extendedShape(sampleShape);
    return noGrad(() => {
      const y = this.rowBeta.sample(sampleShape).unsqueeze(-1);
      const u = withBackend(this.concentration.backend, () => randn(shape, { dtype: y.dtype })).tril(-1);
      // row 0 is all zeros: divide it by 1 rather than by its norm (PyTorch fills the NaNs with 0)
      const firstRow = withBackend(y.backend, () => tensor(Array.from({ length: this.dim }, (_, i) => [i === 0 ? 1 : 0]), { dtype: y.dtype }));
      const w = y.sqrt().mul(u.div(u.pow(2).sum(-1, true).sqrt().add(firstRow)));
      return w.add(diagEmbed(w.pow(2).sum(-1).neg().add(1).clamp(tinyOf(w)).sqrt()));
    });
  }
  /**
   * Σ_{i≥1} (2(η − 1) + D − 1 − i) log L_ii − [(D − 1)/2 · log π + log Γ_{D−1}(η + (D − 1)/2 − ½) − (D − 1) log Γ(η + (D − 1)/2)]
   * (PyTorch's, from Stan's and Lewandowski et al.'s normaliser).
   */
  logProb(value: Tensor): Tensor {
    this.checkValue("logProb", value);
    if (this.validateArgs) this.checkCorrCholesky(value);
    const D = this.dim, eta = this.concentration;
    const logDiag = diagonal(value, 0, -2, -1).narrow(-1, 1, D - 1).log();
    const order = withBackend(eta.backend, () => tensor(Array.from({ length: D - 1 }, (_, i) => D - 2 - i), { dtype: eta.dtype }));
    const unnormalised = eta.sub(1).mul(2).unsqueeze(-1).add(order).mul(logDiag).sum(-1);
    const alpha = eta.add(0.5 * (D - 1));
    const normaliser = mvlgamma(alpha.sub(0.5), D - 1).sub(lgamma(alpha).mul(D - 1)).add(0.5 * (D - 1) * Math.log(Math.PI));
    return unnormalised.sub(normaliser);
  }
  /** PyTorch's `corr_cholesky` support: lower triangular, positive diagonal, rows of unit length (to 10·D·eps). */
  private checkCorrCholesky(value: Tensor): void {
    const fail = (why: string) => {
      throw new TensileError(`LKJCholesky.logProb: expected the value to be the Cholesky factor of a correlation matrix (the support CorrCholesky()), but ${why} (shape ${fmtShape(value.shape)})`);
    };
    const tol = epsOf(value) * this.dim * 10;
    noGrad(() => {
      if ((value.triu(1).abs().sum().item() as number) !== 0) fail("it is not lower triangular");
      if (!(diagonal(value, 0, -2, -1).gt(0).all().item())) fail("its diagonal is not positive");
      if (!(value.pow(2).sum(-1).sqrt().sub(1).abs().le(tol).all().item())) fail("a row does not have unit length");
    });
  }
  protected override reprParams(): [string, Tensor][] {
    return [["concentration", this.concentration]];
  }
}
