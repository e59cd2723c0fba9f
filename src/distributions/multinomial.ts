/**
 * `Multinomial(totalCount, { probs } | { logits })` (PyTorch's): the counts of each of K categories in
 * `totalCount` independent Categorical draws; event shape [K].
 */
import { type Tensor, lgamma, noGrad, oneHot, where } from "../core.js";
import { lgamma as lgammaOne } from "../backends/reference/math.js";
import { TensileError, fmtValue } from "../errors.js";
import { Distribution, checkValues, setField } from "./distribution.js";
import { Categorical, type ProbsOrLogits } from "./discrete.js";
import { Binomial } from "./more-discrete.js";
import { withBackend } from "../backends/registry.js";
import { type Constraint, constraints } from "./constraints.js";

export class Multinomial extends Distribution {
  /** PyTorch's `support`. */
  override get support(): Constraint {
    return constraints.multinomial(this.totalCount);
  }
  /** PyTorch's `arg_constraints`. */
  override get argConstraints(): Record<string, Constraint> {
    return { probs: constraints.simplex, logits: constraints.realVector };
  }
  /** n, the number of draws (one integer for the whole batch, as PyTorch). */
  readonly totalCount: number;
  readonly categorical: Categorical;
  constructor(totalCount: number, opts: ProbsOrLogits) {
    if (!Number.isInteger(totalCount) || totalCount < 0)
      throw new TensileError(`Multinomial: totalCount must be a non-negative integer (inhomogeneous total_count is not supported), got ${fmtValue(totalCount)}`);
    const c = new Categorical(opts);
    super(c.batchShape, [c.numEvents], opts);
    this.totalCount = totalCount;
    this.categorical = c;
  }
  protected override expandInto(d: this, batchShape: readonly number[]): void {
    setField(d, "categorical", this.categorical.expand(batchShape));
  }
  /** Normalised probabilities [..., K]. */
  get probs(): Tensor {
    return this.categorical.probs;
  }
  /** Normalised log-probabilities [..., K]. */
  get logits(): Tensor {
    return this.categorical.logits;
  }
  override get mean(): Tensor {
    return this.probs.mul(this.totalCount);
  }
  override get variance(): Tensor {
    return this.probs.mul(this.probs.neg().add(1)).mul(this.totalCount);
  }
  /** Counts [...sampleShape, ...batchShape, K] in the parameters' dtype: totalCount categorical draws, tallied. */
  override sample(sampleShape: readonly number[] = []): Tensor {
    const shape = this.extendedShape(sampleShape);
    const K = this.categorical.numEvents;
    return noGrad(() => {
      if (this.totalCount === 0) return this.probs.mul(0).expand(shape).contiguous();
      const idx = this.categorical.sample([this.totalCount, ...sampleShape]); // [n, ...S, ...B]
      return oneHot(idx, K).to(this.probs.dtype).sum(0);
    });
  }
  /** log n! − Σᵢ log xᵢ! + Σᵢ xᵢ log pᵢ (a zero count of an impossible category adds 0). */
  logProb(value: Tensor): Tensor {
    this.checkValue("logProb", value);
    if (this.validateArgs) {
      checkValues("Multinomial.logProb", "the value", value, (v) => v >= 0, "non-negative (the support: counts)");
      checkValues("Multinomial.logProb", "the value's sum over the last dim", noGrad(() => value.sum(-1)), (v) => v <= this.totalCount, `at most total_count = ${this.totalCount} (the support)`);
    }
    const v = value.to(this.logits.dtype);
    const logits = where(v.eq(0).logicalAnd(this.logits.eq(-Infinity)), 0, this.logits);
    return lgamma(v.sum(-1).add(1)).sub(lgamma(v.add(1)).sum(-1)).add(logits.mul(v).sum(-1));
  }
  /** n·H(Categorical) − log n! + Σᵢ Σₖ₌₁ⁿ Binomial(n, pᵢ)(k) · log k! (PyTorch's). */
  override entropy(): Tensor {
    const n = this.totalCount;
    const term1 = this.categorical.entropy().mul(n).sub(lgammaOne(n + 1));
    if (n === 0) return term1;
    const binomial = new Binomial(n, { probs: this.probs, validateArgs: false });
    const support = withBackend(this.probs.backend, () => binomial.enumerateSupport(false)).narrow(0, 1, n); // [n, 1, …]
    const probs = binomial.logProb(support).exp();
    return probs.mul(lgamma(support.add(1))).sum([0, -1]).add(term1);
  }
  protected override reprParams(): [string, Tensor][] {
    return [];
  }
}
