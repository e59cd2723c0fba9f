/**
 * Weibull, Pareto and Kumaraswamy (PyTorch's): TransformedDistributions of an Exponential or a
 * Uniform by power, exp and affine maps, as in PyTorch, so logProb, cdf, icdf and rsample come from
 * the transforms; entropy, moments and mode in closed form.
 */
import { type Tensor, digamma, fullLike, lgamma, onesLike } from "../core.js";
import { Distribution, type DistributionOptions, type Param, asParams, broadcastAll, checkValues, setField } from "./distribution.js";
import { Exponential, Uniform } from "./continuous.js";
import { EULER_GAMMA } from "./more-continuous.js";
import { TransformedDistribution } from "./transformed.js";
import { AffineTransform, ExpTransform, PowerTransform } from "./transforms.js";
import { type Constraint, constraints } from "./constraints.js";

const positive = (op: string, name: string, t: Tensor) => checkValues(op, `parameter ${name}`, t, (v) => v > 0, "positive (GreaterThan(lower_bound=0.0))");

/** Two parameters as tensors of one dtype, broadcast to one shape. */
function pair(op: string, names: [string, string], a: Param, b: Param): [Tensor, Tensor] {
  const [x, y] = asParams(op, names, [a, b]);
  const shape = broadcastAll(op, [x!.shape, y!.shape]);
  return [x!.expand(shape), y!.expand(shape)];
}

/**
 * `Weibull(scale, concentration)`: density (k/λ)(x/λ)^(k−1) e^(−(x/λ)^k) on x > 0; λ·E^(1/k) for
 * E ~ Exponential(1) (reparameterised).
 */
export class Weibull extends TransformedDistribution {
  /** PyTorch's `support`. */
  override get support(): Constraint {
    return constraints.positive;
  }
  /** PyTorch's `arg_constraints`. */
  override get argConstraints(): Record<string, Constraint> {
    return { scale: constraints.positive, concentration: constraints.positive };
  }
  readonly scale: Tensor;
  readonly concentration: Tensor;
  constructor(scale: Param, concentration: Param, opts: DistributionOptions = {}) {
    const [s, k] = pair("Weibull", ["scale", "concentration"], scale, concentration);
    if (opts?.validateArgs ?? Distribution.defaultValidateArgs) {
      positive("Weibull", "scale", s);
      positive("Weibull", "concentration", k);
    }
    super(new Exponential(onesLike(s.detach()), opts), [new PowerTransform(k.reciprocal()), new AffineTransform(0, s)], opts);
    this.scale = s;
    this.concentration = k;
  }
  protected override expandInto(d: this, batchShape: readonly number[]): void {
    setField(d, "scale", this.scale.expand(batchShape));
    setField(d, "concentration", this.concentration.expand(batchShape));
    super.expandInto(d, batchShape);
  }
  /** The support is the positive reals (PyTorch's `support`): checked when validating. */
  override logProb(value: Tensor): Tensor {
    this.checkValue("logProb", value);
    if (this.validateArgs) checkValues("Weibull.logProb", "the value", value, (v) => v > 0, "positive (the support)");
    return super.logProb(value);
  }
  /** 1/k. */
  get concentrationReciprocal(): Tensor {
    return this.concentration.reciprocal();
  }
  /** λ Γ(1 + 1/k). */
  override get mean(): Tensor {
    return this.scale.mul(lgamma(this.concentrationReciprocal.add(1)).exp());
  }
  /** λ ((k − 1)/k)^(1/k) (NaN for k < 1, as PyTorch). */
  override get mode(): Tensor {
    return this.scale.mul(this.concentration.sub(1).div(this.concentration).pow(this.concentration.reciprocal()));
  }
  /** λ² (Γ(1 + 2/k) − Γ(1 + 1/k)²). */
  override get variance(): Tensor {
    const r = this.concentrationReciprocal;
    return this.scale.pow(2).mul(lgamma(r.mul(2).add(1)).exp().sub(lgamma(r.add(1)).mul(2).exp()));
  }
  /** γ(1 − 1/k) + log(λ/k) + 1. */
  override entropy(): Tensor {
    const r = this.concentrationReciprocal;
    return r.neg().add(1).mul(EULER_GAMMA).add(this.scale.mul(r).log()).add(1);
  }
  protected override reprParams(): [string, Tensor][] {
    return [["scale", this.scale], ["concentration", this.concentration]];
  }
}

/**
 * `Pareto(scale, alpha)`: density α·scale^α / x^(α+1) on x ≥ scale; scale·e^E for E ~ Exponential(α)
 * (reparameterised).
 */
export class Pareto extends TransformedDistribution {
  /** PyTorch's `support`. */
  override get support(): Constraint {
    return constraints.greaterThanEq(this.scale);
  }
  /** PyTorch's `arg_constraints`. */
  override get argConstraints(): Record<string, Constraint> {
    return { alpha: constraints.positive, scale: constraints.positive };
  }
  readonly scale: Tensor;
  readonly alpha: Tensor;
  constructor(scale: Param, alpha: Param, opts: DistributionOptions = {}) {
    const [s, a] = pair("Pareto", ["scale", "alpha"], scale, alpha);
    if (opts?.validateArgs ?? Distribution.defaultValidateArgs) {
      positive("Pareto", "scale", s);
      positive("Pareto", "alpha", a);
    }
    super(new Exponential(a, opts), [new ExpTransform(), new AffineTransform(0, s)], opts);
    this.scale = s;
    this.alpha = a;
  }
  protected override expandInto(d: this, batchShape: readonly number[]): void {
    setField(d, "scale", this.scale.expand(batchShape));
    setField(d, "alpha", this.alpha.expand(batchShape));
    super.expandInto(d, batchShape);
  }
  /** The support is [scale, ∞) (PyTorch's `greater_than_eq(scale)`): checked when validating. */
  override logProb(value: Tensor): Tensor {
    this.checkValue("logProb", value);
    if (this.validateArgs) {
      const inside = this.scale.detach().le(value).to("float32");
      checkValues("Pareto.logProb", "the value", inside, (v) => v === 1, "at least scale (the support GreaterThanEq(lower_bound=scale))");
    }
    return super.logProb(value);
  }
  /** α·scale/(α − 1), ∞ for α ≤ 1. */
  override get mean(): Tensor {
    const a = this.alpha.clamp(1);
    return a.mul(this.scale).div(a.sub(1));
  }
  override get mode(): Tensor {
    return this.scale;
  }
  /** scale²·α/((α − 1)²(α − 2)), ∞ for α ≤ 2. */
  override get variance(): Tensor {
    const a = this.alpha.clamp(2);
    return this.scale.pow(2).mul(a).div(a.sub(1).pow(2).mul(a.sub(2)));
  }
  /** log(scale/α) + 1 + 1/α. */
  override entropy(): Tensor {
    return this.scale.div(this.alpha).log().add(this.alpha.reciprocal().add(1));
  }
  protected override reprParams(): [string, Tensor][] {
    return [["alpha", this.alpha], ["scale", this.scale]];
  }
}

/** E[Xⁿ] of a Kumaraswamy(a, b): b·B(1 + n/a, b). */
function kumaraswamyMoment(a: Tensor, b: Tensor, n: number): Tensor {
  const arg1 = a.reciprocal().mul(n).add(1);
  return b.mul(lgamma(arg1).add(lgamma(b)).sub(lgamma(arg1.add(b))).exp());
}

/**
 * `Kumaraswamy(concentration1, concentration0)`: density a·b·x^(a−1)(1 − x^a)^(b−1) on [0, 1];
 * (1 − (1 − U)^(1/b))^(1/a) for U uniform (reparameterised).
 */
export class Kumaraswamy extends TransformedDistribution {
  /** PyTorch's `support`. */
  override get support(): Constraint {
    return constraints.unitInterval;
  }
  /** PyTorch's `arg_constraints`. */
  override get argConstraints(): Record<string, Constraint> {
    return { concentration1: constraints.positive, concentration0: constraints.positive };
  }
  readonly concentration1: Tensor;
  readonly concentration0: Tensor;
  constructor(concentration1: Param, concentration0: Param, opts: DistributionOptions = {}) {
    const [a, b] = pair("Kumaraswamy", ["concentration1", "concentration0"], concentration1, concentration0);
    if (opts?.validateArgs ?? Distribution.defaultValidateArgs) {
      positive("Kumaraswamy", "concentration1", a);
      positive("Kumaraswamy", "concentration0", b);
    }
    const base = new Uniform(fullLike(b.detach(), 0), fullLike(b.detach(), 1), opts);
    super(base, [new PowerTransform(b.reciprocal()), new AffineTransform(1, -1), new PowerTransform(a.reciprocal())], opts);
    this.concentration1 = a;
    this.concentration0 = b;
  }
  protected override expandInto(d: this, batchShape: readonly number[]): void {
    setField(d, "concentration1", this.concentration1.expand(batchShape));
    setField(d, "concentration0", this.concentration0.expand(batchShape));
    super.expandInto(d, batchShape);
  }
  /** The support is [0, 1] (PyTorch's `unit_interval`): checked when validating. */
  override logProb(value: Tensor): Tensor {
    this.checkValue("logProb", value);
    if (this.validateArgs) checkValues("Kumaraswamy.logProb", "the value", value, (v) => v >= 0 && v <= 1, "in [0, 1] (the support)");
    return super.logProb(value);
  }
  override get mean(): Tensor {
    return kumaraswamyMoment(this.concentration1, this.concentration0, 1);
  }
  /**
   * ((a − 1)/(ab − 1))^(1/a), NaN where a < 1 or b < 1 (no interior mode). PyTorch 1.13 writes
   * (1/b)·log1p(−b) − log1p(−ab) for the log, which is NaN for every b > 1; this is the formula.
   */
  override get mode(): Tensor {
    const a = this.concentration1, b = this.concentration0;
    const bad = b.lt(1).logicalOr(a.lt(1));
    const safeA = a.maskedFill(bad, 2), safeB = b.maskedFill(bad, 2); // keep NaN out of the gradient
    const logMode = safeA.sub(1).log().sub(safeA.mul(safeB).sub(1).log()).div(safeA);
    return logMode.exp().maskedFill(bad, NaN);
  }
  override get variance(): Tensor {
    return kumaraswamyMoment(this.concentration1, this.concentration0, 2).sub(this.mean.pow(2));
  }
  /** (1 − 1/b) + (1 − 1/a)·(ψ(b + 1) + γ) − log a − log b. */
  override entropy(): Tensor {
    const a = this.concentration1, b = this.concentration0;
    const t1 = a.reciprocal().neg().add(1), t0 = b.reciprocal().neg().add(1);
    const h0 = digamma(b.add(1)).add(EULER_GAMMA);
    return t0.add(t1.mul(h0)).sub(a.log()).sub(b.log());
  }
  protected override reprParams(): [string, Tensor][] {
    return [["concentration1", this.concentration1], ["concentration0", this.concentration0]];
  }
}
