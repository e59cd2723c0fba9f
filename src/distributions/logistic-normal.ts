/**
 * `LogisticNormal(loc, scale)`: PyTorch's logistic-normal distribution on the simplex, a
 * TransformedDistribution of Normal(loc, scale) (a batch of K-vectors) through the
 * StickBreakingTransform, so its event is K + 1 components; logProb, sample and rsample come from
 * the transform. As in PyTorch it has no mean, variance or entropy.
 */
import type { Tensor } from "../core.js";
import type { DistributionOptions, Param } from "./distribution.js";
import { Normal } from "./continuous.js";
import type { Independent } from "./independent.js";
import { TransformedDistribution } from "./transformed.js";
import { StickBreakingTransform } from "./transforms-extra.js";
import { type Constraint, constraints } from "./constraints.js";

export class LogisticNormal extends TransformedDistribution {
  /** PyTorch's `support`. */
  override get support(): Constraint {
    return constraints.simplex;
  }
  /** PyTorch's `arg_constraints`. */
  override get argConstraints(): Record<string, Constraint> {
    return { loc: constraints.real, scale: constraints.positive };
  }
  constructor(loc: Param, scale: Param, opts: DistributionOptions = {}) {
    let base = new Normal(loc, scale, opts);
    if (base.batchShape.length === 0) base = base.expand([1]); // a scalar parameter is one stick of two components, as PyTorch
    super(base, new StickBreakingTransform(), opts);
  }
  /** The base Normal (inside the Independent the transform's event dim makes). */
  private get normal(): Normal {
    return (this.baseDist as Independent).baseDist as Normal;
  }
  /** The base Normal's loc, shape [...batchShape, K] (PyTorch's `loc`). */
  get loc(): Tensor {
    return this.normal.loc;
  }
  /** The base Normal's scale, shape [...batchShape, K] (PyTorch's `scale`). */
  get scale(): Tensor {
    return this.normal.scale;
  }
}
