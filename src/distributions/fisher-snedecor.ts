/**
 * `FisherSnedecor(df1, df2)`: PyTorch's F distribution, the ratio (X₁/d₁)/(X₂/d₂) of two
 * independent χ² variables; reparameterised through two Gammas, so gradients reach d₁ and d₂
 * (the implicit gamma gradient, as PyTorch). PyTorch 1.13 has no entropy, cdf or KL pair for it.
 */
import { type Tensor, lgamma } from "../core.js";
import { type DistributionOptions, Distribution, type Param, asParams, broadcastAll, checkValues, setField } from "./distribution.js";
import { Gamma, standardGamma } from "./gamma.js";
import { type Constraint, constraints } from "./constraints.js";

const positive = (op: string, name: string, t: Tensor) => checkValues(op, `parameter ${name}`, t, (v) => v > 0, "positive (GreaterThan(lower_bound=0.0))");
const tinyOf = (t: Tensor) => (t.dtype === "float64" ? 2.2250738585072014e-308 : 1.1754943508222875e-38);

/**
 * A draw from given Gamma(d/2, 1) draws `z` (shape `[...sampleShape, ...batchShape, 2]`: the
 * numerator's, then the denominator's): (z₁/d₁)/(z₂/d₂), both clamped at the dtype's tiny as
 * PyTorch. `rsample` feeds fresh draws; tests feed PyTorch's.
 */
export function fisherSnedecorDraw(d: FisherSnedecor, z: Tensor): Tensor {
  const shape = z.shape.slice(0, -1), tiny = tinyOf(d.df1);
  const g = (df: Tensor, zi: Tensor) => standardGamma(df.mul(0.5).expand(shape), zi).div(df.expand(shape));
  const X1 = g(d.df1, z.select(-1, 0)), X2 = g(d.df2, z.select(-1, 1)).clamp(tiny);
  return X1.div(X2).clamp(tiny);
}

export class FisherSnedecor extends Distribution {
  /** PyTorch's `support`. */
  override get support(): Constraint {
    return constraints.positive;
  }
  /** PyTorch's `arg_constraints`. */
  override get argConstraints(): Record<string, Constraint> {
    return { df1: constraints.positive, df2: constraints.positive };
  }
  override get hasRsample(): boolean {
    return true;
  }
  readonly df1: Tensor;
  readonly df2: Tensor;
  /** Gamma(d₁/2, d₁) and Gamma(d₂/2, d₂), whose ratio is F(d₁, d₂) (PyTorch's `_gamma1`, `_gamma2`). */
  private readonly _gamma1: Gamma;
  private readonly _gamma2: Gamma;
  constructor(df1: Param, df2: Param, opts: DistributionOptions = {}) {
    const op = "FisherSnedecor";
    const [a, b] = asParams(op, ["df1", "df2"], [df1, df2]);
    super(broadcastAll(op, [a!.shape, b!.shape]), [], opts);
    this.df1 = a!.expand(this.batchShape);
    this.df2 = b!.expand(this.batchShape);
    if (this.validateArgs) {
      positive(op, "df1", this.df1);
      positive(op, "df2", this.df2);
    }
    this._gamma1 = new Gamma(this.df1.mul(0.5), this.df1, { validateArgs: false });
    this._gamma2 = new Gamma(this.df2.mul(0.5), this.df2, { validateArgs: false });
  }
  protected override expandInto(d: this, batchShape: readonly number[]): void {
    setField(d, "df1", this.df1.expand(batchShape));
    setField(d, "df2", this.df2.expand(batchShape));
    setField(d, "_gamma1", this._gamma1.expand(batchShape));
    setField(d, "_gamma2", this._gamma2.expand(batchShape));
  }
  override rsample(sampleShape: readonly number[] = []): Tensor {
    const tiny = tinyOf(this.df1);
    const X1 = this._gamma1.rsample(sampleShape), X2 = this._gamma2.rsample(sampleShape).clamp(tiny);
    return X1.div(X2).clamp(tiny);
  }
  /** log Γ((d₁ + d₂)/2) − log Γ(d₁/2) − log Γ(d₂/2) + (d₁/2) log(d₁/d₂) + (d₁/2 − 1) log x − ((d₁ + d₂)/2) log(1 + d₁x/d₂). */
  logProb(value: Tensor): Tensor {
    this.checkValue("logProb", value);
    if (this.validateArgs) checkValues("FisherSnedecor.logProb", "the value", value, (v) => v > 0, "positive (the support GreaterThan(lower_bound=0.0))");
    const ct1 = this.df1.mul(0.5), ct2 = this.df2.mul(0.5), ct3 = this.df1.div(this.df2);
    const t1 = lgamma(ct1.add(ct2)).sub(lgamma(ct1)).sub(lgamma(ct2));
    const t2 = ct1.mul(ct3.log()).add(ct1.sub(1).mul(value.log()));
    const t3 = ct1.add(ct2).mul(ct3.mul(value).log1p());
    return t1.add(t2).sub(t3);
  }
  /** d₂/(d₂ − 2), NaN for d₂ ≤ 2 (as PyTorch). */
  override get mean(): Tensor {
    const df2 = this.df2.maskedFill(this.df2.le(2), NaN);
    return df2.div(df2.sub(2));
  }
  /** ((d₁ − 2)/d₁)·d₂/(d₂ + 2), NaN for d₁ ≤ 2 (as PyTorch). */
  override get mode(): Tensor {
    return this.df1.sub(2).div(this.df1).mul(this.df2).div(this.df2.add(2)).maskedFill(this.df1.le(2), NaN);
  }
  /** 2d₂²(d₁ + d₂ − 2)/(d₁(d₂ − 2)²(d₂ − 4)), NaN for d₂ ≤ 4 (as PyTorch). */
  override get variance(): Tensor {
    const df2 = this.df2.maskedFill(this.df2.le(4), NaN);
    return df2.pow(2).mul(2).mul(this.df1.add(df2).sub(2)).div(this.df1.mul(df2.sub(2).pow(2)).mul(df2.sub(4)));
  }
  protected override reprParams(): [string, Tensor][] {
    return [["df1", this.df1], ["df2", this.df2]];
  }
}
