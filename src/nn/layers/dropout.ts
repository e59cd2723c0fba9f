import { Generator, type Tensor } from "../../core.js";
import { TensileError, fmtValue } from "../../errors.js";
import { alphaDropout, dropout, featureAlphaDropout } from "../functional/dropout.js";
import { dropout1d, dropout3d } from "../functional/dropout2d.js";
import { Module } from "../module.js";
import { pyFloat } from "../repr.js";

function checkP(op: string, p: number): void {
  if (typeof p !== "number" || !(p >= 0 && p <= 1))
    throw new TensileError(`${op}: dropout probability has to be between 0 and 1, but got ${p}`);
}

/**
 * During training, zeroes each element with probability p and scales the others by 1/(1 − p);
 * the identity in eval mode.
 *
 * Shapes: any → same.
 * ```ts
 * const drop = new nn.Dropout(0.2);
 * drop.eval().forward(x); // x
 * ```
 */
export class Dropout extends Module {
  constructor(readonly p = 0.5) {
    super();
    checkP("Dropout", p);
  }
  override forward(input: Tensor): Tensor {
    return dropout(input, this.p, this.training);
  }
  override extraRepr(): string {
    return `p=${pyFloat(this.p)}, inplace=False`;
  }
}

/** Alpha dropout (keeps SELU activations at zero mean, unit variance) in training; identity in eval. */
export class AlphaDropout extends Module {
  constructor(readonly p = 0.5) {
    super();
    checkP("AlphaDropout", p);
  }
  override forward(input: Tensor): Tensor {
    return alphaDropout(input, this.p, this.training);
  }
  override extraRepr(): string {
    return `p=${pyFloat(this.p)}, inplace=False`;
  }
}

/** A dropout layer's optional generator: a `Generator` or nothing. */
function checkGenerator(op: string, g: unknown): Generator | undefined {
  if (g !== undefined && g !== null && !(g instanceof Generator))
    throw new TensileError(`${op}: generator must be a Generator, got ${fmtValue(g)}`);
  return (g ?? undefined) as Generator | undefined;
}

/**
 * Channel dropout for sequences (see `F.dropout1d`): in training, zeroes whole channels with
 * probability p and scales the others by 1/(1 − p); the identity in eval mode. PyTorch's `nn.Dropout1d`.
 *
 * Shapes: [N, C, L] or [C, L] → same.
 * ```ts
 * new nn.Dropout1d(0.2).forward(randn([8, 16, 50]));
 * ```
 */
export class Dropout1d extends Module {
  private readonly generator?: Generator;
  constructor(readonly p = 0.5, generator?: Generator) {
    super();
    checkP("Dropout1d", p);
    this.generator = checkGenerator("Dropout1d", generator);
  }
  override forward(input: Tensor): Tensor {
    return dropout1d(input, this.p, this.training, { generator: this.generator });
  }
  override extraRepr(): string {
    return `p=${pyFloat(this.p)}, inplace=False`;
  }
}

/**
 * Channel dropout for volumes (see `F.dropout3d`): in training, zeroes whole [D, H, W] channels with
 * probability p and scales the others by 1/(1 − p); the identity in eval mode. PyTorch's `nn.Dropout3d`.
 *
 * Shapes: [N, C, D, H, W] or [C, D, H, W] → same.
 */
export class Dropout3d extends Module {
  private readonly generator?: Generator;
  constructor(readonly p = 0.5, generator?: Generator) {
    super();
    checkP("Dropout3d", p);
    this.generator = checkGenerator("Dropout3d", generator);
  }
  override forward(input: Tensor): Tensor {
    return dropout3d(input, this.p, this.training, { generator: this.generator });
  }
  override extraRepr(): string {
    return `p=${pyFloat(this.p)}, inplace=False`;
  }
}

/**
 * Alpha dropout of whole channels (see `F.featureAlphaDropout`), for SELU networks with
 * convolutions: in training each channel is kept or set to SELU's saturation, then an affine map
 * restores zero mean and unit variance; the identity in eval mode. PyTorch's `nn.FeatureAlphaDropout`.
 *
 * Shapes: [N, C, *] → same.
 */
export class FeatureAlphaDropout extends Module {
  private readonly generator?: Generator;
  constructor(readonly p = 0.5, generator?: Generator) {
    super();
    checkP("FeatureAlphaDropout", p);
    this.generator = checkGenerator("FeatureAlphaDropout", generator);
  }
  override forward(input: Tensor): Tensor {
    return featureAlphaDropout(input, this.p, this.training, { generator: this.generator });
  }
  override extraRepr(): string {
    return `p=${pyFloat(this.p)}, inplace=False`;
  }
}
