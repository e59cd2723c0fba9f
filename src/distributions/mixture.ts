/**
 * `MixtureSameFamily(mixture, component)` (PyTorch's): a batch of mixtures whose K components are
 * one distribution's rightmost batch dim, weighted by a Categorical over K.
 */
import { type Tensor, noGrad } from "../core.js";
import { TensileError, fmtShape, fmtValue } from "../errors.js";
import { type DistributionOptions, Distribution, setField } from "./distribution.js";
import { Categorical } from "./discrete.js";
import { type Constraint, constraints } from "./constraints.js";

export class MixtureSameFamily extends Distribution {
  /** PyTorch's `support`. */
  override get support(): Constraint {
    return this.componentDistribution.support;
  }
  /** PyTorch's `arg_constraints`. */
  override get argConstraints(): Record<string, Constraint> {
    return {  };
  }
  readonly mixtureDistribution: Categorical;
  readonly componentDistribution: Distribution;
  /** K, the number of components. */
  readonly numComponent: number;
  constructor(mixtureDistribution: Categorical, componentDistribution: Distribution, opts: DistributionOptions = {}) {
    const op = "MixtureSameFamily";
    if (!(mixtureDistribution instanceof Categorical))
      throw new TensileError(`${op}: the mixture distribution needs to be a Categorical, got ${fmtValue(mixtureDistribution)}`);
    if (!(componentDistribution instanceof Distribution))
      throw new TensileError(`${op}: the component distribution needs to be a Distribution, got ${fmtValue(componentDistribution)}`);
    const cb = componentDistribution.batchShape;
    if (cb.length < 1)
      throw new TensileError(`${op}: the component distribution needs a batch dim indexing the components, got batch shape ${fmtShape(cb)}`);
    const mdbs = mixtureDistribution.batchShape, cdbs = cb.slice(0, -1);
    for (let i = 1; i <= Math.min(mdbs.length, cdbs.length); i++) {
      const a = mdbs[mdbs.length - i]!, b = cdbs[cdbs.length - i]!;
      if (a !== 1 && b !== 1 && a !== b)
        throw new TensileError(`${op}: mixture_distribution.batch_shape ${fmtShape(mdbs)} is not compatible with component_distribution.batch_shape[:-1] ${fmtShape(cdbs)}`);
    }
    const km = mixtureDistribution.numEvents, kc = cb[cb.length - 1]!;
    if (km !== kc)
      throw new TensileError(`${op}: the mixture distribution's number of components (${km}) does not equal component_distribution.batch_shape[-1] (${kc})`);
    super(cdbs, componentDistribution.eventShape, opts);
    this.mixtureDistribution = mixtureDistribution;
    this.componentDistribution = componentDistribution;
    this.numComponent = km;
  }
  protected override expandInto(d: this, batchShape: readonly number[]): void {
    setField(d, "componentDistribution", this.componentDistribution.expand([...batchShape, this.numComponent]));
    setField(d, "mixtureDistribution", this.mixtureDistribution.expand(batchShape));
  }
  /** The component dim of a [..., K, ...event] tensor. */
  private get componentDim(): number {
    return -1 - this.eventShape.length;
  }
  /** x of shape [..., ...event] as [..., 1, ...event], against the components. */
  private pad(x: Tensor): Tensor {
    return x.unsqueeze(this.componentDim);
  }
  /** The mixture probabilities [..., K] as [..., K, 1, …] against a component's [..., K, ...event]. */
  private padMixture(p: Tensor): Tensor {
    return p.reshape([...p.shape, ...this.eventShape.map(() => 1)]);
  }
  /** Σₖ πₖ μₖ. */
  override get mean(): Tensor {
    return this.padMixture(this.mixtureDistribution.probs).mul(this.componentDistribution.mean).sum(this.componentDim);
  }
  /** Σₖ πₖ σₖ² + Σₖ πₖ (μₖ − μ)² (the law of total variance). */
  override get variance(): Tensor {
    const probs = this.padMixture(this.mixtureDistribution.probs);
    const meanCondVar = probs.mul(this.componentDistribution.variance).sum(this.componentDim);
    const varCondMean = probs.mul(this.componentDistribution.mean.sub(this.pad(this.mean)).pow(2)).sum(this.componentDim);
    return meanCondVar.add(varCondMean);
  }
  /** Σₖ πₖ Fₖ(x) (for a component with no event dims). */
  override cdf(value: Tensor): Tensor {
    this.checkValue("cdf", value);
    return this.componentDistribution.cdf(this.pad(value)).mul(this.mixtureDistribution.probs).sum(-1);
  }
  /** logsumexp over k of log πₖ + log pₖ(x); the components check the value against their support. */
  logProb(value: Tensor): Tensor {
    this.checkValue("logProb", value);
    const lp = this.componentDistribution.logProb(this.pad(value));
    const logMix = this.mixtureDistribution.logits.logSoftmax(-1);
    return lp.add(logMix).logsumexp(-1);
  }
  /** A component index from the mixture, then that component's draw (no graph; PyTorch has no rsample). */
  override sample(sampleShape: readonly number[] = []): Tensor {
    const shape = this.extendedShape(sampleShape);
    return noGrad(() => {
      const gatherDim = sampleShape.length + this.batchShape.length;
      const mix = this.mixtureDistribution;
      const same = mix.batchShape.length === this.batchShape.length && mix.batchShape.every((d, i) => d === this.batchShape[i]);
      const idx = (same ? mix : mix.expand(this.batchShape)).sample(sampleShape); // [...S, ...B]
      const comp = this.componentDistribution.sample(sampleShape); // [...S, ...B, K, ...E]
      const lead = comp.shape.slice(0, gatherDim);
      const index = idx.reshape([...idx.shape, 1, ...this.eventShape.map(() => 1)])
        .expand([...lead, 1, ...this.eventShape]).contiguous();
      return comp.gather(gatherDim, index).squeeze(gatherDim).reshape(shape);
    });
  }
  override toString(): string {
    return `MixtureSameFamily(\n  ${this.mixtureDistribution.toString()},\n  ${this.componentDistribution.toString()})`;
  }
}
