/**
 * More continuous distributions: StudentT, Cauchy, HalfNormal, HalfCauchy, Gumbel and
 * ContinuousBernoulli — PyTorch's formulas for log_prob, entropy, cdf, icdf, moments and mode,
 * so values and gradients match. HalfNormal, HalfCauchy and Gumbel are TransformedDistributions,
 * as in PyTorch; StudentT draws through a reparameterised Chi2.
 */
import { Tensor, digamma, fullLike, lgamma, noGrad, where, zerosLike } from "../core.js";
import { binaryCrossEntropyWithLogits } from "../nn/functional/classification.js";
import { lgamma as lgammaOne } from "../backends/reference/math.js";
import { type DistributionOptions, Distribution, type Param, asParams, broadcastAll, checkValues, checkRealParam, setField } from "./distribution.js";
import { Normal, Uniform, draws } from "./continuous.js";
import { Chi2 } from "./gamma.js";
import { type ProbsOrLogits, clampProbs, expandProbsLogits, lazy, oneOf } from "./discrete.js";
import { TransformedDistribution } from "./transformed.js";
import { ExponentialFamily } from "./exp-family.js";
import { AbsTransform, AffineTransform, ExpTransform } from "./transforms.js";
import { TensileError, fmtValue } from "../errors.js";
import { type Constraint, constraints } from "./constraints.js";

/** The Euler–Mascheroni constant γ. */
export const EULER_GAMMA = 0.5772156649015329;

const positive = (op: string, name: string, t: Tensor) => checkValues(op, `parameter ${name}`, t, (v) => v > 0, "positive (GreaterThan(lower_bound=0.0))");
const inUnit = (op: string, t: Tensor) => checkValues(op, "the value", t, (v) => v >= 0 && v <= 1, "in [0, 1]");
const finfo = (t: Tensor) =>
  t.dtype === "float64" ? { tiny: 2.2250738585072014e-308, eps: 2.220446049250313e-16 } : { tiny: 1.1754943508222875e-38, eps: 1.1920928955078125e-7 };

/** `StudentT(df, loc = 0, scale = 1)`: Student's t with `df` degrees of freedom, shifted and scaled. */
export class StudentT extends Distribution {
  /** PyTorch's `support`. */
  override get support(): Constraint {
    return constraints.real;
  }
  /** PyTorch's `arg_constraints`. */
  override get argConstraints(): Record<string, Constraint> {
    return { df: constraints.positive, loc: constraints.real, scale: constraints.positive };
  }
  override get hasRsample(): boolean {
    return true;
  }
  readonly df: Tensor;
  readonly loc: Tensor;
  readonly scale: Tensor;
  private readonly _chi2: Chi2;
  constructor(df: Param, loc: Param = 0, scale: Param = 1, opts: DistributionOptions = {}) {
    const [d, l, s] = asParams("StudentT", ["df", "loc", "scale"], [df, loc, scale]);
    super(broadcastAll("StudentT", [d!.shape, l!.shape, s!.shape]), [], opts);
    this.df = d!.expand(this.batchShape);
    this.loc = l!.expand(this.batchShape);
    this.scale = s!.expand(this.batchShape);
    if (this.validateArgs) {
      positive("StudentT", "df", this.df);
      checkRealParam("StudentT", "loc", this.loc);
      positive("StudentT", "scale", this.scale);
    }
    this._chi2 = new Chi2(this.df, { validateArgs: false });
  }
  protected override expandInto(d: this, batchShape: readonly number[]): void {
    setField(d, "df", this.df.expand(batchShape));
    setField(d, "loc", this.loc.expand(batchShape));
    setField(d, "scale", this.scale.expand(batchShape));
    setField(d, "_chi2", this._chi2.expand(batchShape));
  }
  /** loc + scale · X/√(Z/df), X ~ N(0, 1), Z ~ χ²(df) reparameterised (gradients reach df too). */
  override rsample(sampleShape: readonly number[] = []): Tensor {
    const X = draws(this.df, this.extendedShape(sampleShape), "normal");
    const Z = this._chi2.rsample(sampleShape);
    return this.loc.add(this.scale.mul(X.mul(Z.div(this.df).rsqrt())));
  }
  logProb(value: Tensor): Tensor {
    this.checkValue("logProb", value);
    const y = value.sub(this.loc).div(this.scale);
    const Z = this.scale.log().add(this.df.log().mul(0.5)).add(0.5 * Math.log(Math.PI))
      .add(lgamma(this.df.mul(0.5))).sub(lgamma(this.df.add(1).mul(0.5)));
    return this.df.add(1).mul(-0.5).mul(y.pow(2).div(this.df).log1p()).sub(Z);
  }
  override entropy(): Tensor {
    const lbeta = lgamma(this.df.mul(0.5)).add(lgammaOne(0.5)).sub(lgamma(this.df.add(1).mul(0.5)));
    return this.scale.log()
      .add(this.df.add(1).mul(0.5).mul(digamma(this.df.add(1).mul(0.5)).sub(digamma(this.df.mul(0.5)))))
      .add(this.df.log().mul(0.5)).add(lbeta);
  }
  /** loc, NaN where df ≤ 1. */
  override get mean(): Tensor {
    return this.loc.maskedFill(this.df.le(1), NaN);
  }
  override get mode(): Tensor {
    return this.loc;
  }
  /** scale²·df/(df − 2) for df > 2, ∞ for 1 < df ≤ 2, NaN for df ≤ 1. */
  override get variance(): Tensor {
    const big = this.df.gt(2);
    const safeDf = where(big, this.df, 3); // the other branch never sees df − 2 = 0
    const v = this.scale.pow(2).mul(safeDf).div(safeDf.sub(2));
    const rest = noGrad(() => where(this.df.gt(1), Infinity, NaN).to(this.df.dtype));
    return where(big, v, rest.expand(this.batchShape));
  }
  protected override reprParams(): [string, Tensor][] {
    return [["df", this.df], ["loc", this.loc], ["scale", this.scale]];
  }
}

/** `Cauchy(loc, scale)`: density 1/(π·scale·(1 + ((x − loc)/scale)²)); no mean or variance (NaN and ∞, as PyTorch). */
export class Cauchy extends Distribution {
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
    const [l, s] = asParams("Cauchy", ["loc", "scale"], [loc, scale]);
    super(broadcastAll("Cauchy", [l!.shape, s!.shape]), [], opts);
    this.loc = l!.expand(this.batchShape);
    this.scale = s!.expand(this.batchShape);
    if (this.validateArgs) {
      checkRealParam("Cauchy", "loc", this.loc);
      positive("Cauchy", "scale", this.scale);
    }
  }
  protected override expandInto(d: this, batchShape: readonly number[]): void {
    setField(d, "loc", this.loc.expand(batchShape));
    setField(d, "scale", this.scale.expand(batchShape));
  }
  /** loc + scale·tan(π(u − ½)), u uniform. */
  override rsample(sampleShape: readonly number[] = []): Tensor {
    const u = draws(this.loc, this.extendedShape(sampleShape), "uniform");
    const eps = u.sub(0.5).mul(Math.PI).tan();
    return this.loc.add(eps.mul(this.scale));
  }
  logProb(value: Tensor): Tensor {
    this.checkValue("logProb", value);
    return this.scale.log().neg().sub(Math.log(Math.PI)).sub(value.sub(this.loc).div(this.scale).pow(2).add(1).log());
  }
  override cdf(value: Tensor): Tensor {
    this.checkValue("cdf", value);
    return value.sub(this.loc).div(this.scale).atan().div(Math.PI).add(0.5);
  }
  override icdf(value: Tensor): Tensor {
    this.checkValue("icdf", value);
    return value.sub(0.5).mul(Math.PI).tan().mul(this.scale).add(this.loc);
  }
  override entropy(): Tensor {
    return this.scale.log().add(Math.log(4 * Math.PI));
  }
  override get mean(): Tensor {
    return fullLike(this.loc.detach(), NaN);
  }
  override get variance(): Tensor {
    return fullLike(this.loc.detach(), Infinity);
  }
  override get mode(): Tensor {
    return this.loc;
  }
  protected override reprParams(): [string, Tensor][] {
    return [["loc", this.loc], ["scale", this.scale]];
  }
}

/**
 * |X| for X of a distribution symmetric about 0 with a `scale` (Normal, Cauchy): a
 * TransformedDistribution by AbsTransform, as PyTorch, with the density, cdf and entropy folded.
 */
abstract class Folded extends TransformedDistribution {
  get scale(): Tensor {
    return (this.baseDist as Normal | Cauchy).scale;
  }
  override get mode(): Tensor {
    return zerosLike(this.scale.detach());
  }
  private checkSupport(op: string, value: Tensor): void {
    this.checkValue(op, value);
    if (this.validateArgs) checkValues(`${this.constructor.name}.${op}`, "the value", value, (v) => v >= 0, "non-negative (the support)");
  }
  override logProb(value: Tensor): Tensor {
    this.checkSupport("logProb", value);
    return where(value.ge(0), this.baseDist.logProb(value).add(Math.LN2), -Infinity);
  }
  override cdf(value: Tensor): Tensor {
    this.checkSupport("cdf", value);
    return this.baseDist.cdf(value).mul(2).sub(1);
  }
  override icdf(value: Tensor): Tensor {
    this.checkValue("icdf", value);
    return this.baseDist.icdf(value.add(1).div(2));
  }
  override entropy(): Tensor {
    return this.baseDist.entropy().sub(Math.LN2);
  }
}

/** |X| for X ~ N(0, scale²). */
export class HalfNormal extends Folded {
  /** PyTorch's `support`. */
  override get support(): Constraint {
    return constraints.nonnegative;
  }
  /** PyTorch's `arg_constraints`. */
  override get argConstraints(): Record<string, Constraint> {
    return { scale: constraints.positive };
  }
  constructor(scale: Param, opts: DistributionOptions = {}) {
    const [s] = asParams("HalfNormal", ["scale"], [scale]);
    if (opts?.validateArgs ?? Distribution.defaultValidateArgs) positive("HalfNormal", "scale", s!);
    super(new Normal(0, s!, { validateArgs: false }), new AbsTransform(), opts);
  }
  override get mean(): Tensor {
    return this.scale.mul(Math.sqrt(2 / Math.PI));
  }
  override get variance(): Tensor {
    return this.scale.pow(2).mul(1 - 2 / Math.PI);
  }
}

/** |X| for X ~ Cauchy(0, scale). */
export class HalfCauchy extends Folded {
  /** PyTorch's `support`. */
  override get support(): Constraint {
    return constraints.nonnegative;
  }
  /** PyTorch's `arg_constraints`. */
  override get argConstraints(): Record<string, Constraint> {
    return { scale: constraints.positive };
  }
  constructor(scale: Param, opts: DistributionOptions = {}) {
    const [s] = asParams("HalfCauchy", ["scale"], [scale]);
    if (opts?.validateArgs ?? Distribution.defaultValidateArgs) positive("HalfCauchy", "scale", s!);
    super(new Cauchy(0, s!, { validateArgs: false }), new AbsTransform(), opts);
  }
  override get mean(): Tensor {
    return fullLike(this.scale.detach(), Infinity);
  }
  override get variance(): Tensor {
    return this.baseDist.variance;
  }
}

/**
 * `Gumbel(loc, scale)`: density e^(−(z + e^(−z)))/scale, z = (x − loc)/scale. A TransformedDistribution
 * of Uniform(tiny, 1 − eps) by −log, −log and loc − scale·(·), as PyTorch.
 */
export class Gumbel extends TransformedDistribution {
  /** PyTorch's `support`. */
  override get support(): Constraint {
    return constraints.real;
  }
  /** PyTorch's `arg_constraints`. */
  override get argConstraints(): Record<string, Constraint> {
    return { loc: constraints.real, scale: constraints.positive };
  }
  readonly loc: Tensor;
  readonly scale: Tensor;
  constructor(loc: Param, scale: Param, opts: DistributionOptions = {}) {
    const [l, s] = asParams("Gumbel", ["loc", "scale"], [loc, scale]);
    const shape = broadcastAll("Gumbel", [l!.shape, s!.shape]);
    const L = l!.expand(shape), S = s!.expand(shape);
    if (opts?.validateArgs ?? Distribution.defaultValidateArgs) {
      checkRealParam("Gumbel", "loc", L);
      positive("Gumbel", "scale", S);
    }
    const f = finfo(L);
    const base = typeof loc === "number" && typeof scale === "number"
      ? new Uniform(f.tiny, 1 - f.eps)
      : new Uniform(fullLike(L.detach(), f.tiny), fullLike(L.detach(), 1 - f.eps));
    const exp = new ExpTransform();
    super(base, [exp.inv, new AffineTransform(0, zerosLike(S.detach()).sub(1)), exp.inv, new AffineTransform(loc instanceof Tensor ? l! : loc, S.neg())], opts);
    this.loc = L;
    this.scale = S;
  }
  protected override expandInto(d: this, batchShape: readonly number[]): void {
    setField(d, "loc", this.loc.expand(batchShape));
    setField(d, "scale", this.scale.expand(batchShape));
    super.expandInto(d, batchShape);
  }
  override logProb(value: Tensor): Tensor {
    this.checkValue("logProb", value);
    const y = this.loc.sub(value).div(this.scale);
    return y.sub(y.exp()).sub(this.scale.log());
  }
  /** exp(−exp(−(x − loc)/scale)) for every real x. PyTorch 1.13 goes through its base Uniform(tiny, 1 − eps),
   * which validates even when the Gumbel does not, so it refuses cdf(x) wherever the pulled-back uniform
   * rounds to 1 (x − loc ≳ 17·scale in float32, 37·scale in float64); Tensile does not. */
  override cdf(value: Tensor): Tensor {
    this.checkValue("cdf", value);
    return value.sub(this.loc).div(this.scale).neg().exp().neg().exp();
  }
  override get mean(): Tensor {
    return this.loc.add(this.scale.mul(EULER_GAMMA));
  }
  override get mode(): Tensor {
    return this.loc;
  }
  override get stddev(): Tensor {
    return this.scale.mul(Math.PI / Math.sqrt(6));
  }
  override get variance(): Tensor {
    return this.stddev.pow(2);
  }
  override entropy(): Tensor {
    return this.scale.log().add(1 + EULER_GAMMA);
  }
  protected override reprParams(): [string, Tensor][] {
    return [["loc", this.loc], ["scale", this.scale]];
  }
}

export interface ContinuousBernoulliOptions extends ProbsOrLogits {
  /** The interval around ½ where Taylor expansions replace the exact (unstable) formulas; default [0.499, 0.501]. */
  lims?: [number, number];
}

/**
 * `ContinuousBernoulli({ probs } | { logits })`: the continuous Bernoulli on [0, 1] (Loaiza-Ganem &
 * Cunningham, 2019), density C(λ)·λˣ(1 − λ)¹⁻ˣ; reparameterised through its icdf.
 */
export class ContinuousBernoulli extends ExponentialFamily {
  /** PyTorch's `support`. */
  override get support(): Constraint {
    return constraints.unitInterval;
  }
  /** PyTorch's `arg_constraints`. */
  override get argConstraints(): Record<string, Constraint> {
    return { probs: constraints.unitInterval, logits: constraints.real };
  }
  override get hasRsample(): boolean {
    return true;
  }
  private readonly _given: "probs" | "logits";
  private _probs: Tensor | null;
  private _logits: Tensor | null;
  readonly lims: readonly [number, number];
  constructor(opts: ContinuousBernoulliOptions) {
    const g = oneOf("ContinuousBernoulli", opts);
    const t = (g.probs ?? g.logits)!;
    super([...t.shape], [], opts);
    const lims = opts.lims ?? [0.499, 0.501];
    if (!Array.isArray(lims) || lims.length !== 2 || !lims.every((v) => typeof v === "number") || !(lims[0] <= 0.5 && lims[1] >= 0.5 && lims[0] < lims[1]))
      throw new TensileError(`ContinuousBernoulli: lims must be two numbers [lo, hi] with lo <= 0.5 <= hi, got ${fmtValue(lims)}`);
    this.lims = [lims[0], lims[1]];
    this._given = g.probs ? "probs" : "logits";
    if (this.validateArgs && g.probs) checkValues("ContinuousBernoulli", "parameter probs", g.probs, (v) => v >= 0 && v <= 1, "in [0, 1]");
    if (this.validateArgs && g.logits) checkValues("ContinuousBernoulli", "parameter logits", g.logits, (v) => !Number.isNaN(v), "real (not NaN)");
    this._probs = g.probs ? clampProbs(g.probs) : null;
    this._logits = g.logits ?? null;
  }
  protected override expandInto(d: this, batchShape: readonly number[]): void {
    expandProbsLogits(this, d, batchShape);
  }
  /** λ, clamped into [eps, 1 − eps]. */
  get probs(): Tensor {
    return (this._probs ??= lazy(() => clampProbs(this._logits!.sigmoid())));
  }
  get logits(): Tensor {
    return (this._logits ??= lazy(() => {
      const p = clampProbs(this._probs!);
      return p.log().sub(p.neg().log1p());
    }));
  }
  /** Where λ is far enough from ½ for the exact formulas. */
  private outside(): Tensor {
    return this.probs.le(this.lims[0]).logicalOr(this.probs.gt(this.lims[1]));
  }
  /** λ where outside, lims[0] inside (so the exact formulas stay finite in the branch `where` discards). */
  private cutProbs(): Tensor {
    return where(this.outside(), this.probs, fullLike(this.probs.detach(), this.lims[0]));
  }
  /** log C(λ), the log normalising constant. */
  logNorm(): Tensor {
    const cut = this.cutProbs();
    const below = where(cut.le(0.5), cut, 0), above = where(cut.ge(0.5), cut, 1);
    const logNorm = cut.neg().log1p().sub(cut.log()).abs().log().sub(where(cut.le(0.5), below.mul(-2).log1p(), above.mul(2).sub(1).log()));
    const x = this.probs.sub(0.5).pow(2);
    const taylor = x.mul(104 / 45).add(4 / 3).mul(x).add(Math.LN2);
    return where(this.outside(), logNorm, taylor);
  }
  override get mean(): Tensor {
    const cut = this.cutProbs();
    const mus = cut.div(cut.mul(2).sub(1)).add(cut.neg().log1p().sub(cut.log()).reciprocal());
    const x = this.probs.sub(0.5);
    const taylor = x.pow(2).mul(16 / 45).add(1 / 3).mul(x).add(0.5);
    return where(this.outside(), mus, taylor);
  }
  override get variance(): Tensor {
    const cut = this.cutProbs();
    const vars = cut.mul(cut.sub(1)).div(cut.mul(-2).add(1).pow(2)).add(cut.neg().log1p().sub(cut.log()).pow(2).reciprocal());
    const x = this.probs.sub(0.5).pow(2);
    const taylor = x.mul(128 / 945).neg().add(1 / 15).mul(x).neg().add(1 / 12);
    return where(this.outside(), vars, taylor);
  }
  override get stddev(): Tensor {
    return this.variance.sqrt();
  }
  override rsample(sampleShape: readonly number[] = []): Tensor {
    const u = draws(this.probs, this.extendedShape(sampleShape), "uniform");
    return this.icdf(u);
  }
  logProb(value: Tensor): Tensor {
    this.checkValue("logProb", value);
    if (this.validateArgs) checkValues("ContinuousBernoulli.logProb", "the value", value, (v) => v >= 0 && v <= 1, "in [0, 1] (the support)");
    const shape = value.add(this.logits.detach()).shape;
    const bce = binaryCrossEntropyWithLogits(this.logits.expand(shape), value.to(this.logits.dtype).expand(shape), { reduction: "none" });
    return bce.neg().add(this.logNorm());
  }
  override cdf(value: Tensor): Tensor {
    this.checkValue("cdf", value);
    if (this.validateArgs) checkValues("ContinuousBernoulli.cdf", "the value", value, (v) => v >= 0 && v <= 1, "in [0, 1] (the support)");
    const cut = this.cutProbs();
    const cdfs = cut.pow(value).mul(cut.neg().add(1).pow(value.neg().add(1))).add(cut).sub(1).div(cut.mul(2).sub(1));
    const unbounded = where(this.outside(), cdfs, value);
    return where(value.le(0), 0, where(value.ge(1), 1, unbounded));
  }
  override icdf(value: Tensor): Tensor {
    this.checkValue("icdf", value);
    if (this.validateArgs) inUnit("ContinuousBernoulli.icdf", value);
    const cut = this.cutProbs();
    const exact = cut.neg().add(value.mul(cut.mul(2).sub(1))).log1p().sub(cut.neg().log1p()).div(cut.log().sub(cut.neg().log1p()));
    return where(this.outside(), exact, value);
  }
  override entropy(): Tensor {
    const lp0 = this.probs.neg().log1p(), lp1 = this.probs.log();
    return this.mean.mul(lp0.sub(lp1)).sub(this.logNorm()).sub(lp0);
  }
  /** (logits). */
  override get naturalParams(): Tensor[] {
    return [this.logits];
  }
  /** F(x) = log|eˣ − 1| − log|x| away from x = 0 (outside lims − ½), its Taylor series x/2 + x²/24 − x⁴/2880 inside. */
  override logNormalizer(x: Tensor): Tensor {
    const outside = x.le(this.lims[0] - 0.5).logicalOr(x.gt(this.lims[1] - 0.5));
    const cut = where(outside, x, fullLike(x.detach(), this.lims[0] - 0.5));
    const logNorm = cut.exp().sub(1).abs().log().sub(cut.abs().log());
    const taylor = x.mul(0.5).add(x.pow(2).div(24)).sub(x.pow(4).div(2880));
    return where(outside, logNorm, taylor);
  }
  override get meanCarrierMeasure(): number {
    return 0;
  }
  protected override reprParams(): [string, Tensor][] {
    return [[this._given, this._given === "probs" ? this.probs : this.logits]];
  }
}
