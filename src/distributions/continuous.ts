/**
 * Continuous distributions with reparameterised sampling: Normal, LogNormal, Uniform, Laplace,
 * Exponential — PyTorch's formulas for log_prob, entropy, cdf, icdf and moments, so gradients
 * through them match PyTorch's.
 */
import { Tensor, erf, noGrad, rand, randn, zerosLike } from "../core.js";
import { TensileError, fmtShape } from "../errors.js";
import { type DistributionOptions, Distribution, type Param, asParams, broadcastAll, checkValues, checkRealParam, setField } from "./distribution.js";
import { withBackend } from "../backends/registry.js";
import { TransformedDistribution } from "./transformed.js";
import { ExpTransform } from "./transforms.js";
import { ExponentialFamily } from "./exp-family.js";
import { type Constraint, constraints } from "./constraints.js";

const LOG_SQRT_2PI = Math.log(Math.sqrt(2 * Math.PI));

/** Standard draws of `shape` in the parameter's dtype, on its backend. */
export function draws(like: Tensor, shape: readonly number[], kind: "normal" | "uniform"): Tensor {
  return withBackend(like.backend, () => (kind === "normal" ? randn : rand)([...shape], { dtype: like.dtype }));
}

function probInUnit(op: string, t: Tensor): void {
  checkValues(op, "the value", t, (v) => v >= 0 && v <= 1, "in [0, 1]");
}

/** `Normal(loc, scale)`: N(loc, scale²). */
export class Normal extends ExponentialFamily {
  /** PyTorch's `support`. */
  override get support(): Constraint {
    return constraints.real;
  }
  /** PyTorch's `arg_constraints`. */
  override get argConstraints(): Record<string, Constraint> {
    return { loc: constraints.real, scale: constraints.positive };
  }
  override get hasRsample(): boolean {
    return true;
  }
  readonly loc: Tensor;
  readonly scale: Tensor;
  constructor(loc: Param, scale: Param, opts: DistributionOptions = {}) {
    const [l, s] = asParams("Normal", ["loc", "scale"], [loc, scale]);
    super(broadcastAll("Normal", [l!.shape, s!.shape]), [], opts);
    this.loc = l!.expand(this.batchShape);
    this.scale = s!.expand(this.batchShape);
    if (this.validateArgs) {
      checkRealParam("Normal", "loc", this.loc);
      checkValues("Normal", "parameter scale", this.scale, (v) => v > 0, "positive (GreaterThan(lower_bound=0.0))");
    }
  }
  protected override expandInto(d: this, batchShape: readonly number[]): void {
    setField(d, "loc", this.loc.expand(batchShape));
    setField(d, "scale", this.scale.expand(batchShape));
  }
  override rsample(sampleShape: readonly number[] = []): Tensor {
    const eps = draws(this.loc, this.extendedShape(sampleShape), "normal");
    return this.loc.add(eps.mul(this.scale));
  }
  logProb(value: Tensor): Tensor {
    this.checkValue("logProb", value);
    const v = this.scale.pow(2);
    return value.sub(this.loc).pow(2).neg().div(v.mul(2)).sub(this.scale.log()).sub(LOG_SQRT_2PI);
  }
  override entropy(): Tensor {
    return this.scale.log().add(0.5 + LOG_SQRT_2PI);
  }
  override cdf(value: Tensor): Tensor {
    this.checkValue("cdf", value);
    return erf(value.sub(this.loc).mul(this.scale.reciprocal()).div(Math.SQRT2)).add(1).mul(0.5);
  }
  override icdf(value: Tensor): Tensor {
    this.checkValue("icdf", value);
    if (this.validateArgs) probInUnit("Normal.icdf", value);
    return this.loc.add(this.scale.mul(value.mul(2).sub(1).erfinv()).mul(Math.SQRT2));
  }
  override get mean(): Tensor {
    return this.loc;
  }
  override get variance(): Tensor {
    return this.scale.pow(2);
  }
  override get stddev(): Tensor {
    return this.scale;
  }
  override get mode(): Tensor {
    return this.loc;
  }
  /** (μ/σ², −1/(2σ²)). */
  override get naturalParams(): Tensor[] {
    return [this.loc.div(this.scale.pow(2)), this.scale.pow(2).reciprocal().mul(-0.5)];
  }
  /** F(x, y) = −x²/(4y) + ½ log(−π/y). */
  override logNormalizer(x: Tensor, y: Tensor): Tensor {
    return x.pow(2).mul(-0.25).div(y).add(y.reciprocal().mul(-Math.PI).log().mul(0.5));
  }
  override get meanCarrierMeasure(): number {
    return 0;
  }
  protected override reprParams(): [string, Tensor][] {
    return [["loc", this.loc], ["scale", this.scale]];
  }
}

/** `LogNormal(loc, scale)`: exp of N(loc, scale²), a TransformedDistribution of Normal by ExpTransform (as PyTorch). */
export class LogNormal extends TransformedDistribution {
  /** PyTorch's `support`. */
  override get support(): Constraint {
    return constraints.positive;
  }
  /** PyTorch's `arg_constraints`. */
  override get argConstraints(): Record<string, Constraint> {
    return { loc: constraints.real, scale: constraints.positive };
  }
  constructor(loc: Param, scale: Param, opts: DistributionOptions = {}) {
    super(new Normal(loc, scale, opts), new ExpTransform(), opts);
  }
  get loc(): Tensor {
    return (this.baseDist as Normal).loc;
  }
  get scale(): Tensor {
    return (this.baseDist as Normal).scale;
  }
  override entropy(): Tensor {
    return this.baseDist.entropy().add(this.loc);
  }
  override get mean(): Tensor {
    return this.loc.add(this.scale.pow(2).div(2)).exp();
  }
  /** exp(loc − scale²). */
  override get mode(): Tensor {
    return this.loc.sub(this.scale.pow(2)).exp();
  }
  override get variance(): Tensor {
    const s2 = this.scale.pow(2);
    return s2.exp().sub(1).mul(this.loc.mul(2).add(s2).exp());
  }
}

/** `Uniform(low, high)`: uniform on [low, high). */
export class Uniform extends Distribution {
  /** PyTorch's `support`. */
  override get support(): Constraint {
    return constraints.interval(this.low, this.high);
  }
  /** PyTorch's `arg_constraints`. */
  override get argConstraints(): Record<string, Constraint> {
    return { low: constraints.dependent, high: constraints.dependent };
  }
  override get hasRsample(): boolean {
    return true;
  }
  readonly low: Tensor;
  readonly high: Tensor;
  constructor(low: Param, high: Param, opts: DistributionOptions = {}) {
    const [l, h] = asParams("Uniform", ["low", "high"], [low, high]);
    super(broadcastAll("Uniform", [l!.shape, h!.shape]), [], opts);
    this.low = l!.expand(this.batchShape);
    this.high = h!.expand(this.batchShape);
    if (this.validateArgs) {
      const gap = noGrad(() => this.high.sub(this.low));
      checkValues("Uniform", "high - low", gap, (v) => v > 0, "positive (low < high)");
    }
  }
  protected override expandInto(d: this, batchShape: readonly number[]): void {
    setField(d, "low", this.low.expand(batchShape));
    setField(d, "high", this.high.expand(batchShape));
  }
  override rsample(sampleShape: readonly number[] = []): Tensor {
    const u = draws(this.low, this.extendedShape(sampleShape), "uniform");
    return this.low.add(u.mul(this.high.sub(this.low)));
  }
  logProb(value: Tensor): Tensor {
    this.checkValue("logProb", value);
    if (this.validateArgs) {
      const inside = noGrad(() => this.low.le(value).logicalAnd(this.high.gt(value)).float());
      checkValues("Uniform.logProb", "the value", inside, (v) => v === 1, "in the support [low, high)");
    }
    const lb = this.low.le(value).to(this.low.dtype), ub = this.high.gt(value).to(this.low.dtype);
    return lb.mul(ub).log().sub(this.high.sub(this.low).log());
  }
  override entropy(): Tensor {
    return this.high.sub(this.low).log();
  }
  override cdf(value: Tensor): Tensor {
    this.checkValue("cdf", value);
    if (this.validateArgs) {
      // [low, high] (closed, PyTorch's interval support, which its cdf checks)
      const inside = noGrad(() => this.low.le(value).logicalAnd(this.high.ge(value)));
      const ok = inside.contiguous().dataSync();
      const i = Array.from(ok as ArrayLike<number | boolean>).findIndex((v) => !v);
      if (i >= 0) {
        const v = noGrad(() => value.expand([...inside.shape]).contiguous().dataSync()[i]);
        throw new TensileError(`Uniform.cdf: expected the value to be in the support [low, high], but found ${v}${inside.numel() > 1 ? ` at flat index ${i} of shape ${fmtShape(inside.shape)}` : ""}`);
      }
    }
    return value.sub(this.low).div(this.high.sub(this.low)).clamp(0, 1);
  }
  override icdf(value: Tensor): Tensor {
    this.checkValue("icdf", value);
    if (this.validateArgs) probInUnit("Uniform.icdf", value);
    return value.mul(this.high.sub(this.low)).add(this.low);
  }
  override get mean(): Tensor {
    return this.high.add(this.low).div(2);
  }
  override get variance(): Tensor {
    return this.high.sub(this.low).pow(2).div(12);
  }
  /** (high − low)/√12, as PyTorch: finite gradients where low = high (√variance's are NaN there). */
  override get stddev(): Tensor {
    return this.high.sub(this.low).div(Math.sqrt(12));
  }
  /** NaN: every point of [low, high) is as likely (PyTorch's nan · high). */
  override get mode(): Tensor {
    return this.high.mul(NaN);
  }
  protected override reprParams(): [string, Tensor][] {
    return [["low", this.low], ["high", this.high]];
  }
}

/** `Laplace(loc, scale)`: density exp(−|x − loc|/scale)/(2·scale). */
export class Laplace extends Distribution {
  /** PyTorch's `support`. */
  override get support(): Constraint {
    return constraints.real;
  }
  /** PyTorch's `arg_constraints`. */
  override get argConstraints(): Record<string, Constraint> {
    return { loc: constraints.real, scale: constraints.positive };
  }
  override get hasRsample(): boolean {
    return true;
  }
  readonly loc: Tensor;
  readonly scale: Tensor;
  constructor(loc: Param, scale: Param, opts: DistributionOptions = {}) {
    const [l, s] = asParams("Laplace", ["loc", "scale"], [loc, scale]);
    super(broadcastAll("Laplace", [l!.shape, s!.shape]), [], opts);
    this.loc = l!.expand(this.batchShape);
    this.scale = s!.expand(this.batchShape);
    if (this.validateArgs) {
      checkRealParam("Laplace", "loc", this.loc);
      checkValues("Laplace", "parameter scale", this.scale, (v) => v > 0, "positive (GreaterThan(lower_bound=0.0))");
    }
  }
  protected override expandInto(d: this, batchShape: readonly number[]): void {
    setField(d, "loc", this.loc.expand(batchShape));
    setField(d, "scale", this.scale.expand(batchShape));
  }
  override rsample(sampleShape: readonly number[] = []): Tensor {
    // u uniform on (−1 + eps, 1), as PyTorch, so log1p(−|u|) stays finite
    const eps = this.loc.dtype === "float64" ? 2.220446049250313e-16 : 1.1920928955078125e-7;
    const u = draws(this.loc, this.extendedShape(sampleShape), "uniform").mul(2 - eps).add(eps - 1);
    return this.loc.sub(this.scale.mul(u.sign()).mul(u.abs().neg().log1p()));
  }
  logProb(value: Tensor): Tensor {
    this.checkValue("logProb", value);
    return this.scale.mul(2).log().neg().sub(value.sub(this.loc).abs().div(this.scale));
  }
  override entropy(): Tensor {
    return this.scale.mul(2).log().add(1);
  }
  override cdf(value: Tensor): Tensor {
    this.checkValue("cdf", value);
    const d = value.sub(this.loc);
    return d.sign().mul(d.abs().neg().div(this.scale).expm1()).mul(-0.5).add(0.5);
  }
  override icdf(value: Tensor): Tensor {
    this.checkValue("icdf", value);
    if (this.validateArgs) probInUnit("Laplace.icdf", value);
    const term = value.sub(0.5);
    return this.loc.sub(this.scale.mul(term.sign()).mul(term.abs().mul(-2).log1p()));
  }
  override get mean(): Tensor {
    return this.loc;
  }
  override get variance(): Tensor {
    return this.scale.pow(2).mul(2);
  }
  override get stddev(): Tensor {
    return this.scale.mul(Math.SQRT2);
  }
  override get mode(): Tensor {
    return this.loc;
  }
  protected override reprParams(): [string, Tensor][] {
    return [["loc", this.loc], ["scale", this.scale]];
  }
}

/** `Exponential(rate)`: density rate·e^(−rate·x) on x ≥ 0. */
export class Exponential extends ExponentialFamily {
  /** PyTorch's `support`. */
  override get support(): Constraint {
    return constraints.nonnegative;
  }
  /** PyTorch's `arg_constraints`. */
  override get argConstraints(): Record<string, Constraint> {
    return { rate: constraints.positive };
  }
  override get hasRsample(): boolean {
    return true;
  }
  readonly rate: Tensor;
  constructor(rate: Param, opts: DistributionOptions = {}) {
    const [r] = asParams("Exponential", ["rate"], [rate]);
    super([...r!.shape], [], opts);
    this.rate = r!;
    if (this.validateArgs) checkValues("Exponential", "parameter rate", this.rate, (v) => v > 0, "positive (GreaterThan(lower_bound=0.0))");
  }
  protected override expandInto(d: this, batchShape: readonly number[]): void {
    setField(d, "rate", this.rate.expand(batchShape));
  }
  override rsample(sampleShape: readonly number[] = []): Tensor {
    // −log(1 − u) with u in [0, 1): a standard exponential draw, never infinite
    const u = draws(this.rate, this.extendedShape(sampleShape), "uniform");
    return u.neg().log1p().neg().div(this.rate);
  }
  logProb(value: Tensor): Tensor {
    this.checkValue("logProb", value);
    if (this.validateArgs) checkValues("Exponential.logProb", "the value", value, (v) => v >= 0, "non-negative (the support)");
    return this.rate.log().sub(this.rate.mul(value));
  }
  override entropy(): Tensor {
    return this.rate.log().neg().add(1);
  }
  override cdf(value: Tensor): Tensor {
    this.checkValue("cdf", value);
    if (this.validateArgs) checkValues("Exponential.cdf", "the value", value, (v) => v >= 0, "non-negative (the support)");
    return this.rate.neg().mul(value).exp().neg().add(1);
  }
  override icdf(value: Tensor): Tensor {
    this.checkValue("icdf", value);
    if (this.validateArgs) probInUnit("Exponential.icdf", value);
    return value.neg().log1p().neg().div(this.rate);
  }
  override get mean(): Tensor {
    return this.rate.reciprocal();
  }
  override get variance(): Tensor {
    return this.rate.pow(-2);
  }
  override get stddev(): Tensor {
    return this.rate.reciprocal();
  }
  override get mode(): Tensor {
    return zerosLike(this.rate);
  }
  /** (−rate). */
  override get naturalParams(): Tensor[] {
    return [this.rate.neg()];
  }
  /** F(x) = −log(−x). */
  override logNormalizer(x: Tensor): Tensor {
    return x.neg().log().neg();
  }
  override get meanCarrierMeasure(): number {
    return 0;
  }
  protected override reprParams(): [string, Tensor][] {
    return [["rate", this.rate]];
  }
}
