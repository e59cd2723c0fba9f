/**
 * More discrete distributions: Binomial, Geometric and NegativeBinomial, each given `probs` or
 * `logits` (exactly one), with PyTorch's conversions and formulas so that log_prob, entropy,
 * moments and their gradients match PyTorch's.
 */
import { Tensor, arange, lgamma, noGrad, poisson, zerosLike } from "../core.js";
import { binaryCrossEntropyWithLogits } from "../nn/functional/classification.js";
import { logSigmoid } from "../ops/activation.js";
import { withBackend } from "../backends/registry.js";
import { binomial } from "../tensor/sampling.js";
import { TensileError } from "../errors.js";
import { draws } from "./continuous.js";
import { type Param, asParams, broadcastAll, checkValues, setField } from "./distribution.js";
import { type ProbsOrLogits, SuccessProbability, oneOf } from "./discrete.js";
import { Gamma } from "./gamma.js";
import { type Constraint, constraints, intBounded } from "./constraints.js";

export interface CountOptions extends ProbsOrLogits {
  /** The number of trials (Binomial, default 1) or of failures to stop at (NegativeBinomial). */
  totalCount?: Param;
}

/** (totalCount, probs | logits) from `(totalCount, { probs | logits })` or `({ totalCount, probs | logits })`, broadcast, in the parameter's dtype. */
function countAndParam(op: string, totalCount: Param | CountOptions | undefined, opts: CountOptions | undefined, defaultCount: number | null) {
  let o: CountOptions;
  if (totalCount !== null && typeof totalCount === "object" && !(totalCount instanceof Tensor)) {
    if (opts !== undefined) throw new TensileError(`${op}: pass either (totalCount, { probs | logits }) or ({ totalCount, probs | logits }), got two option objects`);
    o = totalCount;
    totalCount = o.totalCount;
  } else o = opts as CountOptions;
  if (totalCount === undefined || totalCount === null) {
    if (defaultCount === null) throw new TensileError(`${op}: totalCount is required`);
    totalCount = defaultCount;
  }
  const g = oneOf(op, o);
  const which = g.probs ? "probs" : "logits";
  const p = (g.probs ?? g.logits)!;
  let tc = totalCount;
  if (tc instanceof Tensor && tc.dtype !== "float32" && tc.dtype !== "float64") tc = tc.to(p.dtype); // as PyTorch's type_as
  const [c, q] = asParams(op, ["totalCount", which], [tc, p]);
  const shape = broadcastAll(op, [c!.shape, q!.shape]);
  return { opts: o, which, count: c!.expand(shape).to(q!.dtype), param: q!.expand(shape), shape } as const;
}

/** `Binomial(totalCount = 1, { probs } | { logits })`: successes in totalCount Bernoulli(p) trials. */
export class Binomial extends SuccessProbability {
  /** PyTorch's `support`. */
  override get support(): Constraint {
    return constraints.integerInterval(0, this.totalCount);
  }
  /** PyTorch's `arg_constraints`. */
  override get argConstraints(): Record<string, Constraint> {
    return { totalCount: constraints.nonnegativeInteger, probs: constraints.unitInterval, logits: constraints.real };
  }
  readonly totalCount: Tensor;
  constructor(totalCount: Param | CountOptions, opts?: CountOptions) {
    const a = countAndParam("Binomial", totalCount, opts, 1);
    super(a.shape, { [a.which]: a.param }, a.opts);
    this.totalCount = a.count;
    if (this.validateArgs) {
      checkValues("Binomial", "parameter total_count", this.totalCount, (v) => Number.isInteger(v) && v >= 0, "a non-negative integer (IntegerGreaterThan(lower_bound=0))");
      if (this._probs) checkValues("Binomial", "parameter probs", this._probs, (v) => v >= 0 && v <= 1, "in [0, 1]");
      else checkValues("Binomial", "parameter logits", this._logits!, (v) => !Number.isNaN(v), "real (not NaN)");
    }
  }
  protected override expandInto(d: this, batchShape: readonly number[]): void {
    super.expandInto(d, batchShape);
    setField(d, "totalCount", this.totalCount.expand(batchShape));
  }
  override sample(sampleShape: readonly number[] = []): Tensor {
    const shape = this.extendedShape(sampleShape);
    return noGrad(() => withBackend(this.probs.backend, () => binomial(this.totalCount.expand(shape).contiguous(), this.probs.expand(shape).contiguous())));
  }
  logProb(value: Tensor): Tensor {
    this.checkValue("logProb", value);
    const v = value.to(this.logits.dtype);
    if (this.validateArgs) {
      const ok = noGrad(() => v.ge(0).logicalAnd(v.le(this.totalCount)).logicalAnd(v.eq(v.floor())).to("float32"));
      checkValues("Binomial.logProb", "the value", ok, (x) => x === 1, "an integer in [0, total_count] (the support)");
    }
    const n = this.totalCount, l = this.logits;
    const logFactN = lgamma(n.add(1)), logFactK = lgamma(v.add(1)), logFactNmk = lgamma(n.sub(v).add(1));
    // PyTorch's _clamp_by_zero(x) = (max(x, 0) + x − min(x, 0))/2: max(x, 0), with gradient ½ at 0
    const clampByZero = l.clamp(0).add(l).sub(l.clamp(undefined, 0)).div(2);
    const normalize = n.mul(clampByZero).add(n.mul(l.abs().neg().exp().log1p())).sub(logFactN);
    return v.mul(l).sub(logFactK).sub(logFactNmk).sub(normalize);
  }
  /** The values 0 … totalCount, shape [n + 1, ...batchShape] (expanded) or [n + 1, 1, …] (PyTorch's `enumerate_support`); totalCount must be the same everywhere. */
  override get hasEnumerateSupport(): boolean {
    return true;
  }
  override enumerateSupport(expand = true): Tensor {
    if (typeof expand !== "boolean") throw new TensileError(`Binomial.enumerateSupport: expand must be a boolean, got ${String(expand)}`);
    const n = this.homogeneousCount("enumerateSupport");
    const values = withBackend(this.probs.backend, () => arange(0, n + 1, 1, { dtype: this.totalCount.dtype }))
      .reshape([-1, ...this.batchShape.map(() => 1)]);
    return expand ? values.expand([-1, ...this.batchShape]) : values;
  }
  private homogeneousCount(op: string): number {
    const v = noGrad(() => this.totalCount.contiguous().dataSync());
    const n = Math.max(...Array.from(v, Number)), lo = Math.min(...Array.from(v, Number));
    if (v.length === 0) return 0;
    if (lo !== n) throw new TensileError(`Binomial.${op}: inhomogeneous total count not supported (total_count ranges from ${lo} to ${n})`);
    return n;
  }
  /** −Σₖ p(k) log p(k) over k = 0 … n (PyTorch's; totalCount must be the same everywhere). */
  override entropy(): Tensor {
    const lp = this.logProb(this.enumerateSupport(false));
    return lp.exp().mul(lp).sum(0).neg();
  }
  override get mean(): Tensor {
    return this.totalCount.mul(this.probs);
  }
  /** ⌊(n + 1)p⌋, at most n. */
  override get mode(): Tensor {
    return this.totalCount.add(1).mul(this.probs).floor().clamp(undefined, this.totalCount);
  }
  override get variance(): Tensor {
    return this.totalCount.mul(this.probs).mul(this.probs.neg().add(1));
  }
  protected override reprParams(): [string, Tensor][] {
    return [["total_count", this.totalCount], this.givenParam()];
  }
}

/** `Geometric({ probs } | { logits })`: the number of failures before the first success, k = 0, 1, 2, … */
export class Geometric extends SuccessProbability {
  /** PyTorch's `support`. */
  override get support(): Constraint {
    return constraints.nonnegativeInteger;
  }
  /** PyTorch's `arg_constraints`. */
  override get argConstraints(): Record<string, Constraint> {
    return { probs: constraints.unitInterval, logits: constraints.real };
  }
  constructor(opts: ProbsOrLogits) {
    const g = oneOf("Geometric", opts);
    const t = (g.probs ?? g.logits)!;
    super([...t.shape], g, opts);
    if (this.validateArgs && g.probs) {
      checkValues("Geometric", "parameter probs", g.probs, (v) => v >= 0 && v <= 1, "in [0, 1]");
      checkValues("Geometric", "parameter probs", g.probs, (v) => v > 0, "positive");
    }
    if (this.validateArgs && g.logits) checkValues("Geometric", "parameter logits", g.logits, (v) => !Number.isNaN(v), "real (not NaN)");
  }
  /** ⌊log(u)/log(1 − p)⌋ for u uniform in [tiny, 1). */
  override sample(sampleShape: readonly number[] = []): Tensor {
    const shape = this.extendedShape(sampleShape);
    const p = this.probs;
    const tiny = p.dtype === "float64" ? 2.2250738585072014e-308 : 1.1754943508222875e-38;
    return noGrad(() => {
      const u = draws(p, shape, "uniform").clamp(tiny);
      return u.log().div(p.neg().log1p()).floor();
    });
  }
  logProb(value: Tensor): Tensor {
    this.checkValue("logProb", value);
    if (this.validateArgs) checkValues("Geometric.logProb", "the value", value, (v) => Number.isInteger(v) && v >= 0, "a non-negative integer (the support)");
    const v = value.to(this.probs.dtype);
    const shape = v.add(this.probs.detach()).shape;
    const p = this.probs.expand(shape).maskedFill(this.probs.eq(1).logicalAnd(v.eq(0)).expand(shape), 0);
    return v.mul(p.neg().log1p()).add(this.probs.log());
  }
  override entropy(): Tensor {
    return binaryCrossEntropyWithLogits(this.logits, this.probs, { reduction: "none" }).div(this.probs);
  }
  override get mean(): Tensor {
    return this.probs.reciprocal().sub(1);
  }
  override get mode(): Tensor {
    return zerosLike(this.probs.detach());
  }
  override get variance(): Tensor {
    return this.probs.reciprocal().sub(1).div(this.probs);
  }
  protected override reprParams(): [string, Tensor][] {
    return [this.givenParam()];
  }
}

/**
 * `NegativeBinomial(totalCount, { probs } | { logits })`: the number of successes before
 * totalCount failures, each trial succeeding with probability p (totalCount may be real).
 */
export class NegativeBinomial extends SuccessProbability {
  /** PyTorch's `support`. */
  override get support(): Constraint {
    return constraints.nonnegativeInteger;
  }
  /** PyTorch's `arg_constraints`. */
  override get argConstraints(): Record<string, Constraint> {
    return { totalCount: intBounded("GreaterThanEq", 0), probs: constraints.halfOpenInterval(0, 1), logits: constraints.real };
  }
  readonly totalCount: Tensor;
  constructor(totalCount: Param | CountOptions, opts?: CountOptions) {
    const a = countAndParam("NegativeBinomial", totalCount, opts, null);
    super(a.shape, { [a.which]: a.param }, a.opts);
    this.totalCount = a.count;
    if (this.validateArgs) {
      checkValues("NegativeBinomial", "parameter total_count", this.totalCount, (v) => v >= 0, "non-negative (GreaterThanEq(lower_bound=0))");
      if (this._probs) checkValues("NegativeBinomial", "parameter probs", this._probs, (v) => v >= 0 && v < 1, "in [0, 1) (HalfOpenInterval(lower_bound=0.0, upper_bound=1.0))");
      else checkValues("NegativeBinomial", "parameter logits", this._logits!, (v) => !Number.isNaN(v), "real (not NaN)");
    }
  }
  protected override expandInto(d: this, batchShape: readonly number[]): void {
    super.expandInto(d, batchShape);
    setField(d, "totalCount", this.totalCount.expand(batchShape));
  }
  /** A Poisson draw whose rate is a Gamma(totalCount, e^(−logits)) draw (a gamma–Poisson mixture). */
  override sample(sampleShape: readonly number[] = []): Tensor {
    return noGrad(() => {
      const rate = new Gamma(this.totalCount, this.logits.neg().exp(), { validateArgs: false }).sample(sampleShape);
      return withBackend(rate.backend, () => poisson(rate.contiguous()));
    });
  }
  logProb(value: Tensor): Tensor {
    this.checkValue("logProb", value);
    if (this.validateArgs) checkValues("NegativeBinomial.logProb", "the value", value, (v) => Number.isInteger(v) && v >= 0, "a non-negative integer (the support)");
    const v = value.to(this.logits.dtype);
    const n = this.totalCount, l = this.logits;
    const unnormalized = n.mul(logSigmoid(l.neg())).add(v.mul(logSigmoid(l)));
    let norm = lgamma(n.add(v)).neg().add(lgamma(v.add(1))).add(lgamma(n));
    norm = norm.maskedFill(n.add(v).eq(0).expand(norm.shape), 0);
    return unnormalized.sub(norm);
  }
  override get mean(): Tensor {
    return this.totalCount.mul(this.logits.exp());
  }
  /** ⌊(totalCount − 1)·p/(1 − p)⌋, at least 0. */
  override get mode(): Tensor {
    return this.totalCount.sub(1).mul(this.logits.exp()).floor().clamp(0);
  }
  override get variance(): Tensor {
    return this.mean.div(this.logits.neg().sigmoid());
  }
  protected override reprParams(): [string, Tensor][] {
    return [["total_count", this.totalCount], this.givenParam()];
  }
}

