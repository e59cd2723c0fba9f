/**
 * `TransformedDistribution(base, transforms)`: the distribution of y = fₙ(…f₁(x)) for x drawn from
 * `base` (PyTorch's `TransformedDistribution`): draws push x through the transforms, and
 * `logProb(y)` pulls y back, subtracting each transform's log|det J|. LogNormal, HalfNormal,
 * HalfCauchy and Gumbel are built on it, as in PyTorch.
 */
import { type Tensor, noGrad } from "../core.js";
import { TensileError, fmtShape, fmtValue } from "../errors.js";
import { type DistributionOptions, Distribution, setField } from "./distribution.js";
import { Independent, sumRightmost } from "./independent.js";
import { ComposeTransform, type Constraint, Transform } from "./transforms.js";

export class TransformedDistribution extends Distribution {
  /** The base distribution (expanded to the transforms' batch shape, or made Independent for event-dim transforms, as PyTorch). */
  readonly baseDist: Distribution;
  readonly transforms: readonly Transform[];
  constructor(baseDistribution: Distribution, transforms: Transform | readonly Transform[], opts: DistributionOptions = {}) {
    const op = "TransformedDistribution";
    if (!(baseDistribution instanceof Distribution)) throw new TensileError(`${op}: expected a base Distribution, got ${fmtValue(baseDistribution)}`);
    let list: Transform[];
    if (transforms instanceof Transform) list = [transforms];
    else if (Array.isArray(transforms)) {
      if (!transforms.every((t) => t instanceof Transform)) throw new TensileError(`${op}: transforms must be a Transform or a list of Transforms, got ${fmtValue(transforms)}`);
      list = [...transforms];
    } else throw new TensileError(`${op}: transforms must be a Transform or a list of Transforms, got ${fmtValue(transforms)}`);
    let base = baseDistribution;
    const baseShape = [...base.batchShape, ...base.eventShape];
    const baseEventDim = base.eventShape.length;
    const t = new ComposeTransform(list);
    const domainEventDim = t.domain.eventDim;
    if (baseShape.length < domainEventDim)
      throw new TensileError(`${op}: base_distribution needs to have shape with size at least ${domainEventDim}, but got ${fmtShape(baseShape)}`);
    const shape = t.forwardShape(baseShape);
    const expanded = t.inverseShape(shape);
    if (expanded.length !== baseShape.length || expanded.some((d, i) => d !== baseShape[i]))
      base = base.expand(expanded.slice(0, expanded.length - baseEventDim)); // the transforms' parameters broadcast the base
    const reinterpreted = domainEventDim - baseEventDim;
    if (reinterpreted > 0) base = new Independent(base, reinterpreted);
    const eventDim = t.codomain.eventDim + Math.max(baseEventDim - domainEventDim, 0);
    const cut = shape.length - eventDim;
    super(shape.slice(0, cut), shape.slice(cut), opts);
    this.baseDist = base;
    this.transforms = list;
  }
  /** The base expanded to the batch shape the transforms pull `batchShape` back to (PyTorch's). */
  protected override expandInto(d: this, batchShape: readonly number[]): void {
    let shape = [...batchShape, ...this.eventShape];
    for (const t of [...this.transforms].reverse()) shape = t.inverseShape(shape);
    setField(d, "baseDist", this.baseDist.expand(shape.slice(0, shape.length - this.baseDist.eventShape.length)));
  }
  override get hasRsample(): boolean {
    return this.baseDist.hasRsample;
  }
  /** PyTorch's `arg_constraints`: none (the base and transforms check their own). */
  override get argConstraints(): Record<string, Constraint> {
    return {};
  }
  /** The set values lie in (PyTorch's `support`): the last transform's codomain, over the event dims (the base's support with no transforms). */
  override get support(): Constraint {
    const last = this.transforms[this.transforms.length - 1];
    if (!last) return this.baseDist.support;
    return last.codomain.independent(Math.max(this.eventShape.length - last.codomain.eventDim, 0));
  }
  override sample(sampleShape: readonly number[] = []): Tensor {
    return noGrad(() => {
      let x = this.baseDist.sample(sampleShape);
      for (const t of this.transforms) x = t.forward(x);
      return x;
    });
  }
  override rsample(sampleShape: readonly number[] = []): Tensor {
    let x = this.baseDist.rsample(sampleShape);
    for (const t of this.transforms) x = t.forward(x);
    return x;
  }
  /** log p(y) = log p_base(x) − Σ log|det J| along the inverse path x = f⁻¹(y). */
  logProb(value: Tensor): Tensor {
    this.checkValue("logProb", value);
    if (this.validateArgs && this.transforms.length) this.support.validate(`${this.constructor.name}.logProb`, value);
    let eventDim = this.eventShape.length;
    let lp: Tensor | null = null;
    let y = value;
    for (const t of [...this.transforms].reverse()) {
      const x = t.inverse(y);
      eventDim += t.domain.eventDim - t.codomain.eventDim;
      const term = sumRightmost(t.logAbsDetJacobian(x, y), eventDim - t.domain.eventDim);
      lp = lp ? lp.sub(term) : term.neg();
      y = x;
    }
    const base = sumRightmost(this.baseDist.logProb(y), eventDim - this.baseDist.eventShape.length);
    return lp ? lp.add(base) : base;
  }
  /** Flips value → 1 − value when the composed transform is decreasing, so the cdf increases. */
  private monotonize(value: Tensor): Tensor {
    let sign: number | Tensor = 1;
    for (const t of this.transforms) {
      const s = t.sign;
      sign = typeof sign === "number" && typeof s === "number" ? sign * s : typeof sign === "number" ? (s as Tensor).mul(sign) : sign.mul(s);
    }
    if (sign === 1) return value;
    return typeof sign === "number" ? value.sub(0.5).mul(sign).add(0.5) : sign.mul(value.sub(0.5)).add(0.5);
  }
  /** `cdf`'s check of the value pulled back through the transforms, when validating: the base's support. */
  protected validateBaseValue(op: string, v: Tensor): void {
    this.baseDist.support.validate(op, v);
  }
  override cdf(value: Tensor): Tensor {
    this.checkValue("cdf", value);
    let v = value;
    for (const t of [...this.transforms].reverse()) v = t.inverse(v);
    // PyTorch validates the pulled-back value against the base's support (a Pareto value below its scale)
    if (this.validateArgs) this.validateBaseValue(`${this.constructor.name}.cdf`, v);
    return this.monotonize(this.baseDist.cdf(v));
  }
  override icdf(value: Tensor): Tensor {
    this.checkValue("icdf", value);
    let v = this.baseDist.icdf(this.monotonize(value));
    for (const t of this.transforms) v = t.forward(v);
    return v;
  }
}
