/**
 * Relaxed (Concrete / Gumbel-softmax) distributions, PyTorch's `relaxed_bernoulli` and
 * `relaxed_categorical`: LogitRelaxedBernoulli and RelaxedBernoulli (its sigmoid), ExpRelaxedCategorical
 * and RelaxedOneHotCategorical (its exp). All reparameterised: a draw is a differentiable function of
 * uniform noise, the logits and the temperature (Maddison et al., 2017; Jang et al., 2017).
 */
import { Tensor, lgamma } from "../core.js";
import { TensileError, fmtValue } from "../errors.js";
import { type DistributionOptions, Distribution, type Param, asParams, checkValues, setField } from "./distribution.js";
import { Categorical, type ProbsOrLogits, SuccessProbability, clampProbs, oneOf } from "./discrete.js";
import { draws } from "./continuous.js";
import { TransformedDistribution } from "./transformed.js";
import { ExpTransform, SigmoidTransform } from "./transforms.js";
import { type Constraint, constraints } from "./constraints.js";

/** The temperature as a tensor of `like`'s dtype; positive when validating. */
function temperatureOf(op: string, temperature: unknown, like: Tensor, validate: boolean): Tensor {
  if (!(temperature instanceof Tensor) && typeof temperature !== "number")
    throw new TensileError(`${op}: temperature must be a Tensor or a number, got ${fmtValue(temperature)}`);
  const [t] = asParams(op, ["temperature"], [temperature]);
  const temp = t!.dtype === like.dtype ? t! : t!.to(like.dtype);
  if (validate) checkValues(op, "parameter temperature", temp, (v) => v > 0, "positive (GreaterThan(lower_bound=0.0))");
  return temp;
}

/**
 * A LogitRelaxedBernoulli draw from given uniforms `u` (shape `[...sampleShape, ...batchShape]`):
 * (logit(u) + logit(p))/temperature, both clamped into [eps, 1 − eps] as PyTorch. `rsample` feeds
 * fresh uniforms; tests feed PyTorch's, to compare values and gradients.
 */
export function logitRelaxedBernoulliDraw(d: LogitRelaxedBernoulli, u: Tensor): Tensor {
  const p = clampProbs(d.probs.expand(u.shape));
  const uc = clampProbs(u);
  return uc.log().sub(uc.neg().log1p()).add(p.log()).sub(p.neg().log1p()).div(d.temperature);
}

/**
 * An ExpRelaxedCategorical draw from given uniforms `u` (shape `[...sampleShape, ...batchShape, K]`):
 * log-softmax((logits + g)/temperature), g = −log(−log u) Gumbel noise (u clamped as PyTorch).
 */
export function expRelaxedCategoricalDraw(d: ExpRelaxedCategorical, u: Tensor): Tensor {
  const uc = clampProbs(u);
  const gumbels = uc.log().neg().log().neg();
  const scores = d.logits.add(gumbels).div(d.temperature);
  return scores.sub(scores.logsumexp(-1, true));
}

/**
 * `LogitRelaxedBernoulli(temperature, { probs } | { logits })`: the logit of a RelaxedBernoulli draw,
 * on the reals (PyTorch's); density τ·e^(l − τx)/(1 + e^(l − τx))², l the logits.
 */
export class LogitRelaxedBernoulli extends SuccessProbability {
  /** PyTorch's `support`. */
  override get support(): Constraint {
    return constraints.real;
  }
  /** PyTorch's `arg_constraints`. */
  override get argConstraints(): Record<string, Constraint> {
    return { probs: constraints.unitInterval, logits: constraints.real };
  }
  override get hasRsample(): boolean {
    return true;
  }
  readonly temperature: Tensor;
  constructor(temperature: Param, opts: ProbsOrLogits) {
    const g = oneOf("LogitRelaxedBernoulli", opts);
    const t = (g.probs ?? g.logits)!;
    super([...t.shape], g, opts);
    if (this.validateArgs && g.probs) checkValues("LogitRelaxedBernoulli", "parameter probs", g.probs, (v) => v >= 0 && v <= 1, "in [0, 1]");
    if (this.validateArgs && g.logits) checkValues("LogitRelaxedBernoulli", "parameter logits", g.logits, (v) => !Number.isNaN(v), "real (not NaN)");
    this.temperature = temperatureOf("LogitRelaxedBernoulli", temperature, t, this.validateArgs);
  }
  override rsample(sampleShape: readonly number[] = []): Tensor {
    const shape = this.extendedShape(sampleShape);
    return logitRelaxedBernoulliDraw(this, draws(this.probs, shape, "uniform"));
  }
  logProb(value: Tensor): Tensor {
    this.checkValue("logProb", value);
    const diff = this.logits.sub(value.mul(this.temperature));
    return this.temperature.log().add(diff).sub(diff.exp().log1p().mul(2));
  }
  protected override reprParams(): [string, Tensor][] {
    return [this.givenParam()];
  }
}

/**
 * `RelaxedBernoulli(temperature, { probs } | { logits })`: the Concrete relaxation of a Bernoulli on
 * [0, 1], sigmoid of a LogitRelaxedBernoulli (a TransformedDistribution, as PyTorch). Low temperatures
 * push draws towards 0 and 1. No entropy or moments (PyTorch has none).
 */
export class RelaxedBernoulli extends TransformedDistribution {
  /** PyTorch's `support`. */
  override get support(): Constraint {
    return constraints.unitInterval;
  }
  /** PyTorch's `arg_constraints`. */
  override get argConstraints(): Record<string, Constraint> {
    return { probs: constraints.unitInterval, logits: constraints.real };
  }
  constructor(temperature: Param, opts: ProbsOrLogits) {
    super(new LogitRelaxedBernoulli(temperature, opts), new SigmoidTransform(), opts);
  }
  get temperature(): Tensor {
    return (this.baseDist as LogitRelaxedBernoulli).temperature;
  }
  get probs(): Tensor {
    return (this.baseDist as LogitRelaxedBernoulli).probs;
  }
  get logits(): Tensor {
    return (this.baseDist as LogitRelaxedBernoulli).logits;
  }
}

/**
 * `ExpRelaxedCategorical(temperature, { probs } | { logits })`: the log of a RelaxedOneHotCategorical
 * draw (PyTorch's; its values are log-probability vectors over the last dim's K categories).
 */
export class ExpRelaxedCategorical extends Distribution {
  /** PyTorch's `support`. */
  override get support(): Constraint {
    return constraints.realVector;
  }
  /** PyTorch's `arg_constraints`. */
  override get argConstraints(): Record<string, Constraint> {
    return { probs: constraints.simplex, logits: constraints.realVector };
  }
  override get hasRsample(): boolean {
    return true;
  }
  readonly temperature: Tensor;
  readonly categorical: Categorical;
  constructor(temperature: Param, opts: ProbsOrLogits) {
    const c = new Categorical(opts);
    super(c.batchShape, [c.numEvents], opts);
    this.categorical = c;
    this.temperature = temperatureOf("ExpRelaxedCategorical", temperature, c.probs, this.validateArgs);
  }
  protected override expandInto(d: this, batchShape: readonly number[]): void {
    setField(d, "categorical", this.categorical.expand(batchShape));
  }
  get probs(): Tensor {
    return this.categorical.probs;
  }
  get logits(): Tensor {
    return this.categorical.logits;
  }
  override rsample(sampleShape: readonly number[] = []): Tensor {
    return expRelaxedCategoricalDraw(this, draws(this.logits, this.extendedShape(sampleShape), "uniform"));
  }
  /** log Γ(K) + (K − 1) log τ + Σᵢ (sᵢ − logsumexp(s)), s = logits − τ·value. */
  logProb(value: Tensor): Tensor {
    this.checkValue("logProb", value);
    const K = this.categorical.numEvents;
    const logScale = lgamma(this.temperature.mul(0).add(K)).sub(this.temperature.log().mul(-(K - 1)));
    const score = this.logits.sub(value.mul(this.temperature));
    return score.sub(score.logsumexp(-1, true)).sum(-1).add(logScale);
  }
  protected override reprParams(): [string, Tensor][] {
    return [];
  }
}

/**
 * `RelaxedOneHotCategorical(temperature, { probs } | { logits })`: the Gumbel-softmax / Concrete
 * relaxation of a one-hot categorical, on the simplex; exp of an ExpRelaxedCategorical (a
 * TransformedDistribution, as PyTorch). `rsample` is softmax((logits + Gumbel noise)/τ).
 */
export class RelaxedOneHotCategorical extends TransformedDistribution {
  /** PyTorch's `support`. */
  override get support(): Constraint {
    return constraints.simplex;
  }
  /** PyTorch's `arg_constraints`. */
  override get argConstraints(): Record<string, Constraint> {
    return { probs: constraints.simplex, logits: constraints.realVector };
  }
  constructor(temperature: Param, opts: ProbsOrLogits & DistributionOptions) {
    super(new ExpRelaxedCategorical(temperature, opts), new ExpTransform(), opts);
  }
  get temperature(): Tensor {
    return (this.baseDist as ExpRelaxedCategorical).temperature;
  }
  get probs(): Tensor {
    return (this.baseDist as ExpRelaxedCategorical).probs;
  }
  get logits(): Tensor {
    return (this.baseDist as ExpRelaxedCategorical).logits;
  }
  /** The simplex (PyTorch's `support`); the value is checked there when validating. */
  override logProb(value: Tensor): Tensor {
    this.checkValue("logProb", value);
    if (this.validateArgs) {
      checkValues("RelaxedOneHotCategorical.logProb", "the value", value, (v) => v >= 0 && v <= 1, "in [0, 1] (on the simplex)");
    }
    return super.logProb(value);
  }
}
