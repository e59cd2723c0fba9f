/**
 * The gamma family: Gamma, Chi2, Beta, Dirichlet, and Poisson — PyTorch's formulas (through lgamma,
 * digamma and xlogy) for log_prob, entropy, moments and KL. Draws come from the host generator
 * (Marsaglia–Tsang for the gamma) and are reparameterised as PyTorch's: the gradient of a draw with
 * respect to its concentration is the implicit one at fixed CDF (`gamma-grad.ts`).
 */
import { Tensor, digamma, lgamma, noGrad, oneHot, stack, tensor, where, xlogy } from "../core.js";
import { withBackend } from "../backends/registry.js";
import { gammainc } from "../ops/special.js";
import { record } from "../autograd/engine.js";
import { dirichletBackward, standardGammaGrad } from "./gamma-grad.js";
import { type Generator, defaultGenerator } from "../tensor/random.js";
import { poisson } from "../tensor/sampling.js";
import { numelOf } from "../tensor/shape.js";
import { TensileError, fmtShape } from "../errors.js";
import { ExponentialFamily } from "./exp-family.js";
import { Distribution, type DistributionOptions, type Param, asParams, broadcastAll, checkValues, setField } from "./distribution.js";
import { type Constraint, constraints } from "./constraints.js";

/** One Gamma(α, 1) draw: Marsaglia & Tsang (2000), boosted by U^(1/α) for α < 1. */
export function gammaDraw(g: Generator, alpha: number): number {
  if (alpha < 1) {
    let u = 0;
    while (u === 0) u = g.random();
    return gammaDraw(g, alpha + 1) * Math.pow(u, 1 / alpha);
  }
  const d = alpha - 1 / 3, c = 1 / Math.sqrt(9 * d);
  for (;;) {
    let x: number, v: number;
    do {
      x = g.normal();
      v = 1 + c * x;
    } while (v <= 0);
    v = v * v * v;
    const u = g.random();
    if (u < 1 - 0.0331 * x ** 4) return d * v;
    if (u > 0 && Math.log(u) < 0.5 * x * x + d * (1 - v + Math.log(v))) return d * v;
  }
}

/** Gamma(α, 1) draws of `shape`, α broadcast from `conc` (already of that shape), in its dtype and backend. */
function gammaDraws(conc: Tensor, shape: readonly number[]): Tensor {
  const a = noGrad(() => conc.expand(shape).contiguous().dataSync());
  const n = numelOf(shape);
  const out = conc.dtype === "float64" ? new Float64Array(n) : new Float32Array(n);
  const tiny = conc.dtype === "float64" ? 2.2250738585072014e-308 : 1.1754943508222875e-38;
  for (let i = 0; i < n; i++) out[i] = Math.max(gammaDraw(defaultGenerator, Number(a[i])), tiny); // PyTorch clamps to the smallest normal
  return withBackend(conc.backend, () => tensor(out, { shape: [...shape], dtype: conc.dtype }));
}

/**
 * Gamma(α, 1) draws, one per element of `concentration`, differentiable with respect to it as
 * PyTorch's `torch._standard_gamma`: the gradient is g · standardGammaGrad(α, x). `draws`, if
 * given, are used as the draws instead (tests feed PyTorch's, to compare gradients).
 */
export function standardGamma(concentration: Tensor, draws?: Tensor): Tensor {
  const x = draws ? draws.detach() : noGrad(() => gammaDraws(concentration, concentration.shape));
  return record("standardGamma", x, [concentration], (g) => [g.mul(standardGammaGrad(concentration.detach(), x))], undefined, [concentration, x]);
}

/**
 * Dirichlet draws over the last dim of `concentration` (gamma draws, normalised in double precision
 * and clamped into [tiny, 1 − ulp] as PyTorch's `_sample_dirichlet`), differentiable with respect
 * to the concentration as PyTorch's `_Dirichlet` function (`dirichletBackward`). `draws`, if
 * given, are used as the draws instead (tests feed PyTorch's).
 */
export function sampleDirichlet(concentration: Tensor, draws?: Tensor): Tensor {
  const x = draws ? draws.detach() : noGrad(() => {
    const a = concentration.contiguous().dataSync();
    const n = a.length, k = concentration.shape[concentration.ndim - 1]!;
    const out = concentration.dtype === "float64" ? new Float64Array(n) : new Float32Array(n);
    const g = new Float64Array(k);
    const tiny = concentration.dtype === "float64" ? 2.2250738585072014e-308 : 1.1754943508222875e-38;
    const top = concentration.dtype === "float64" ? 1 - 2 ** -53 : 1 - 2 ** -24;
    for (let r = 0; r < n; r += k) {
      let sum = 0;
      for (let j = 0; j < k; j++) sum += g[j] = Math.max(gammaDraw(defaultGenerator, Number(a[r + j])), 2.2250738585072014e-308);
      for (let j = 0; j < k; j++) out[r + j] = Math.min(top, Math.max(tiny, g[j]! / sum));
    }
    return withBackend(concentration.backend, () => tensor(out, { shape: [...concentration.shape], dtype: concentration.dtype }));
  });
  return record("sampleDirichlet", x, [concentration], (g) => [dirichletBackward(x, concentration.detach(), g)], undefined, [concentration, x]);
}

const positive = (op: string, name: string, t: Tensor) => checkValues(op, `parameter ${name}`, t, (v) => v > 0, "positive (GreaterThan(lower_bound=0.0))");

/** `Gamma(concentration, rate)`: density β^α x^(α−1) e^(−βx) / Γ(α) on x > 0. */
export class Gamma extends ExponentialFamily {
  /** PyTorch's `support`. */
  override get support(): Constraint {
    return constraints.nonnegative;
  }
  /** PyTorch's `arg_constraints`. */
  override get argConstraints(): Record<string, Constraint> {
    return { concentration: constraints.positive, rate: constraints.positive };
  }
  readonly concentration: Tensor;
  readonly rate: Tensor;
  constructor(concentration: Param, rate: Param, opts: DistributionOptions = {}) {
    const [a, b] = asParams("Gamma", ["concentration", "rate"], [concentration, rate]);
    super(broadcastAll("Gamma", [a!.shape, b!.shape]), [], opts);
    this.concentration = a!.expand(this.batchShape);
    this.rate = b!.expand(this.batchShape);
    if (this.validateArgs) {
      positive("Gamma", "concentration", this.concentration);
      positive("Gamma", "rate", this.rate);
    }
  }
  protected override expandInto(d: this, batchShape: readonly number[]): void {
    setField(d, "concentration", this.concentration.expand(batchShape));
    setField(d, "rate", this.rate.expand(batchShape));
  }
  override get hasRsample(): boolean {
    return true;
  }
  /** Gamma(α, 1) draws divided by the rate; the gradient reaches α through `standardGamma`'s implicit rule. */
  override rsample(sampleShape: readonly number[] = []): Tensor {
    const shape = this.extendedShape(sampleShape);
    return standardGamma(this.concentration.expand(shape)).div(this.rate.expand(shape));
  }
  logProb(value: Tensor): Tensor {
    this.checkValue("logProb", value);
    // PyTorch's support is nonnegative: 0 is a value (log density ±inf or log β for α = 1)
    if (this.validateArgs) checkValues("Gamma.logProb", "the value", value, (v) => v >= 0, "non-negative (the support)");
    const a = this.concentration, b = this.rate;
    return xlogy(a, b).add(xlogy(a.sub(1), value)).sub(b.mul(value)).sub(lgamma(a));
  }
  /** P(α, βx), the regularised lower incomplete gamma (`special.gammainc`), as PyTorch: differentiable
   * in the rate and the value; backward through the concentration is an error, as in PyTorch. */
  override cdf(value: Tensor): Tensor {
    this.checkValue("cdf", value);
    if (this.validateArgs) checkValues("Gamma.cdf", "the value", value, (v) => v >= 0, "non-negative (the support)");
    return gammainc(this.concentration, this.rate.mul(value));
  }
  override entropy(): Tensor {
    const a = this.concentration;
    return a.sub(this.rate.log()).add(lgamma(a)).add(a.neg().add(1).mul(digamma(a)));
  }
  override get mean(): Tensor {
    return this.concentration.div(this.rate);
  }
  /** ((α − 1)/β) clamped at 0. */
  override get mode(): Tensor {
    return this.concentration.sub(1).div(this.rate).clamp(0);
  }
  override get variance(): Tensor {
    return this.concentration.div(this.rate.pow(2));
  }
  /** (α − 1, −β). */
  override get naturalParams(): Tensor[] {
    return [this.concentration.sub(1), this.rate.neg()];
  }
  /** F(x, y) = log Γ(x + 1) + (x + 1) log(−1/y). */
  override logNormalizer(x: Tensor, y: Tensor): Tensor {
    return lgamma(x.add(1)).add(x.add(1).mul(y.reciprocal().neg().log()));
  }
  override get meanCarrierMeasure(): number {
    return 0;
  }
  protected override reprParams(): [string, Tensor][] {
    return [["concentration", this.concentration], ["rate", this.rate]];
  }
}

/** `Chi2(df)`: the chi-squared distribution, Gamma(df/2, 1/2) (PyTorch's `Chi2`, a Gamma subclass). */
export class Chi2 extends Gamma {
  /** PyTorch's `arg_constraints`. */
  override get argConstraints(): Record<string, Constraint> {
    return { df: constraints.positive };
  }
  constructor(df: Param, opts: DistributionOptions = {}) {
    const [d] = asParams("Chi2", ["df"], [df]);
    if (opts?.validateArgs ?? Distribution.defaultValidateArgs) positive("Chi2", "df", d!);
    super(d!.mul(0.5), 0.5, opts);
  }
  /** Degrees of freedom: 2α. */
  get df(): Tensor {
    return this.concentration.mul(2);
  }
  protected override reprParams(): [string, Tensor][] {
    return [];
  }
}

/** `Dirichlet(concentration)` over the simplex of the last dim's K components. */
export class Dirichlet extends ExponentialFamily {
  /** PyTorch's `support`. */
  override get support(): Constraint {
    return constraints.simplex;
  }
  /** PyTorch's `arg_constraints`. */
  override get argConstraints(): Record<string, Constraint> {
    return { concentration: constraints.positive.independent(1) };
  }
  readonly concentration: Tensor;
  constructor(concentration: Param, opts: DistributionOptions = {}) {
    const [a] = asParams("Dirichlet", ["concentration"], [concentration]);
    if (a!.ndim < 1) throw new TensileError(`Dirichlet: concentration must be at least one-dimensional, got shape ${fmtShape(a!.shape)}`);
    super(a!.shape.slice(0, -1), a!.shape.slice(-1), opts);
    this.concentration = a!;
    if (this.validateArgs) positive("Dirichlet", "concentration", a!);
  }
  protected override expandInto(d: this, batchShape: readonly number[]): void {
    setField(d, "concentration", this.concentration.expand([...batchShape, ...this.eventShape]));
  }
  override get hasRsample(): boolean {
    return true;
  }
  override rsample(sampleShape: readonly number[] = []): Tensor {
    return sampleDirichlet(this.concentration.expand(this.extendedShape(sampleShape)));
  }
  logProb(value: Tensor): Tensor {
    this.checkValue("logProb", value);
    if (this.validateArgs) {
      checkValues("Dirichlet.logProb", "the value", value, (v) => v >= 0 && v <= 1, "in [0, 1] (on the simplex)");
      checkValues("Dirichlet.logProb", "the value's sum over the last dim", noGrad(() => value.sum(-1)), (v) => Math.abs(v - 1) < 1e-6, "1 (on the simplex)");
    }
    const a = this.concentration;
    return xlogy(a.sub(1), value).sum(-1).add(lgamma(a.sum(-1))).sub(lgamma(a).sum(-1));
  }
  override entropy(): Tensor {
    const a = this.concentration;
    const k = a.shape[a.ndim - 1]!;
    const a0 = a.sum(-1);
    return lgamma(a).sum(-1).sub(lgamma(a0)).sub(a0.neg().add(k).mul(digamma(a0))).sub(a.sub(1).mul(digamma(a)).sum(-1));
  }
  override get mean(): Tensor {
    return this.concentration.div(this.concentration.sum(-1, true));
  }
  /**
   * (α − 1)₊ normalised; where every α < 1 (the density is unbounded at each vertex), the first
   * vertex, as PyTorch (whose one-hot argmax of a 0/0 row picks index 0).
   */
  override get mode(): Tensor {
    const a = this.concentration, k = a.shape[a.ndim - 1]!;
    const cm1 = a.sub(1).clamp(0);
    const mask = noGrad(() => a.lt(1).to("float32").amin(-1, true).gt(0));
    // where every α < 1 the sum is 0: divide by 1 there instead, so no 0/0 reaches the gradient (PyTorch's is 0 there)
    const mode = cm1.div(where(mask, 1, cm1.sum(-1, true)));
    const vertex = noGrad(() => oneHot(mode.argmax(-1), k).to(a.dtype));
    return vertex.where(mask, mode);
  }
  override get variance(): Tensor {
    const a = this.concentration, a0 = a.sum(-1, true);
    return a.mul(a0.sub(a)).div(a0.pow(2).mul(a0.add(1)));
  }
  /** (α). */
  override get naturalParams(): Tensor[] {
    return [this.concentration];
  }
  /** F(x) = Σ log Γ(xᵢ) − log Γ(Σ xᵢ). */
  override logNormalizer(x: Tensor): Tensor {
    return lgamma(x).sum(-1).sub(lgamma(x.sum(-1)));
  }
  protected override reprParams(): [string, Tensor][] {
    return [["concentration", this.concentration]];
  }
}

/** `Beta(concentration1, concentration0)`: density x^(α−1)(1 − x)^(β−1)/B(α, β) on [0, 1] (a two-component Dirichlet, as PyTorch). */
export class Beta extends ExponentialFamily {
  /** PyTorch's `support`. */
  override get support(): Constraint {
    return constraints.unitInterval;
  }
  /** PyTorch's `arg_constraints`. */
  override get argConstraints(): Record<string, Constraint> {
    return { concentration1: constraints.positive, concentration0: constraints.positive };
  }
  readonly dirichlet: Dirichlet;
  constructor(concentration1: Param, concentration0: Param, opts: DistributionOptions = {}) {
    const [a, b] = asParams("Beta", ["concentration1", "concentration0"], [concentration1, concentration0]);
    const shape = broadcastAll("Beta", [a!.shape, b!.shape]);
    const d = new Dirichlet(stack([a!.expand(shape), b!.expand(shape)], -1), opts);
    super(shape, [], opts);
    this.dirichlet = d;
  }
  protected override expandInto(d: this, batchShape: readonly number[]): void {
    setField(d, "dirichlet", this.dirichlet.expand(batchShape));
  }
  get concentration1(): Tensor {
    return this.dirichlet.concentration.select(-1, 0);
  }
  get concentration0(): Tensor {
    return this.dirichlet.concentration.select(-1, 1);
  }
  override get hasRsample(): boolean {
    return true;
  }
  override rsample(sampleShape: readonly number[] = []): Tensor {
    return this.dirichlet.rsample(sampleShape).select(-1, 0);
  }
  logProb(value: Tensor): Tensor {
    this.checkValue("logProb", value);
    if (this.validateArgs) checkValues("Beta.logProb", "the value", value, (v) => v >= 0 && v <= 1, "in [0, 1] (the support)");
    return this.dirichlet.logProb(stack([value, value.neg().add(1)], -1));
  }
  override entropy(): Tensor {
    return this.dirichlet.entropy();
  }
  override get mean(): Tensor {
    return this.concentration1.div(this.concentration1.add(this.concentration0));
  }
  override get mode(): Tensor {
    return this.dirichlet.mode.select(-1, 0);
  }
  override get variance(): Tensor {
    const a = this.concentration1, b = this.concentration0, s = a.add(b);
    return a.mul(b).div(s.pow(2).mul(s.add(1)));
  }
  /** (α, β). */
  override get naturalParams(): Tensor[] {
    return [this.concentration1, this.concentration0];
  }
  /** F(x, y) = log Γ(x) + log Γ(y) − log Γ(x + y). */
  override logNormalizer(x: Tensor, y: Tensor): Tensor {
    return lgamma(x).add(lgamma(y)).sub(lgamma(x.add(y)));
  }
}

/** `Poisson(rate)`: P(k) = rateᵏ e^(−rate)/k! on k = 0, 1, 2, … */
export class Poisson extends ExponentialFamily {
  /** PyTorch's `support`. */
  override get support(): Constraint {
    return constraints.nonnegativeInteger;
  }
  /** PyTorch's `arg_constraints`. */
  override get argConstraints(): Record<string, Constraint> {
    return { rate: constraints.nonnegative };
  }
  readonly rate: Tensor;
  constructor(rate: Param, opts: DistributionOptions = {}) {
    const [r] = asParams("Poisson", ["rate"], [rate]);
    super([...r!.shape], [], opts);
    this.rate = r!;
    if (this.validateArgs) checkValues("Poisson", "parameter rate", r!, (v) => v >= 0, "non-negative (GreaterThanEq(lower_bound=0.0))");
  }
  protected override expandInto(d: this, batchShape: readonly number[]): void {
    setField(d, "rate", this.rate.expand(batchShape));
  }
  override sample(sampleShape: readonly number[] = []): Tensor {
    const shape = this.extendedShape(sampleShape);
    return noGrad(() => withBackend(this.rate.backend, () => poisson(this.rate.expand(shape).contiguous())));
  }
  logProb(value: Tensor): Tensor {
    this.checkValue("logProb", value);
    if (this.validateArgs) checkValues("Poisson.logProb", "the value", value, (v) => Number.isInteger(v) && v >= 0, "a non-negative integer (the support)");
    const v = value.to(this.rate.dtype);
    return xlogy(v, this.rate).sub(this.rate).sub(lgamma(v.add(1)));
  }
  override get mean(): Tensor {
    return this.rate;
  }
  override get mode(): Tensor {
    return this.rate.floor();
  }
  override get variance(): Tensor {
    return this.rate;
  }
  /** (log rate). */
  override get naturalParams(): Tensor[] {
    return [this.rate.log()];
  }
  /** F(x) = eˣ. */
  override logNormalizer(x: Tensor): Tensor {
    return x.exp();
  }
  protected override reprParams(): [string, Tensor][] {
    return [["rate", this.rate]];
  }
}
