import { type Generator, type Tensor } from "../../core.js";
import { alphaDropout, dropout, featureAlphaDropout } from "../functional/dropout.js";
import { dropout1d, dropout3d } from "../functional/dropout2d.js";
import { Module } from "../module.js";
import { pyFloat } from "../repr.js";
import { inPlace } from "../../ops/inplace.js";
import { type WithOptions, positionalOptions } from "../../utils/positional.js";
import { type ChannelDropoutOptions, channelDropoutArgs, checkInplace, checkP } from "./dropout-args.js";

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
  readonly p: number;
  /** PyTorch's `inplace`: in training, the result overwrites the input (as `x.dropout_()` would). */
  readonly inplace: boolean;
  /** PyTorch's positional order (p, inplace), then an optional options object. */
  constructor(...args: WithOptions<[p: number, inplace: boolean], { p?: number; inplace?: boolean }>) {
    super();
    const o = positionalOptions<{ p?: number; inplace?: boolean }>("Dropout", args, { keys: ["p", "inplace"], known: [] });
    this.p = o.p ?? 0.5;
    checkP("Dropout", this.p);
    this.inplace = checkInplace("Dropout", o.inplace);
  }
  override forward(input: Tensor): Tensor {
    if (!this.inplace || !this.training) return dropout(input, this.p, this.training);
    return inPlace("dropout_", input, (x) => dropout(x, this.p, true), [], true);
  }
  override extraRepr(): string {
    return `p=${pyFloat(this.p)}, inplace=${this.inplace ? "True" : "False"}`;
  }
}

/** Alpha dropout (keeps SELU activations at zero mean, unit variance) in training; identity in eval. */
export class AlphaDropout extends Module {
  readonly p: number;
  /** PyTorch's `inplace`: in training, the result overwrites the input (as `x.alphaDropout_()` would). */
  readonly inplace: boolean;
  /** PyTorch's positional order (p, inplace), then an optional options object. */
  constructor(...args: WithOptions<[p: number, inplace: boolean], { p?: number; inplace?: boolean }>) {
    super();
    const o = positionalOptions<{ p?: number; inplace?: boolean }>("AlphaDropout", args, { keys: ["p", "inplace"], known: [] });
    this.p = o.p ?? 0.5;
    checkP("AlphaDropout", this.p);
    this.inplace = checkInplace("AlphaDropout", o.inplace);
  }
  override forward(input: Tensor): Tensor {
    if (!this.inplace || !this.training) return alphaDropout(input, this.p, this.training);
    return inPlace("alphaDropout_", input, (x) => alphaDropout(x, this.p, true), [], true);
  }
  override extraRepr(): string {
    return `p=${pyFloat(this.p)}, inplace=${this.inplace ? "True" : "False"}`;
  }
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
  readonly p: number;
  readonly inplace: boolean;
  private readonly generator?: Generator;
  constructor(p?: number, generator?: Generator);
  /** `p` positionally (PyTorch's `inplace` goes in the options), then an optional options object `{ p, inplace, generator }`. */
  constructor(...args: WithOptions<[p: number], ChannelDropoutOptions>);
  constructor(...args: unknown[]) {
    super();
    ({ p: this.p, inplace: this.inplace, generator: this.generator } = channelDropoutArgs("Dropout1d", args));
  }
  override forward(input: Tensor): Tensor {
    return dropout1d(input, this.p, this.training, { generator: this.generator, inplace: this.inplace });
  }
  override extraRepr(): string {
    return `p=${pyFloat(this.p)}, inplace=${this.inplace ? "True" : "False"}`;
  }
}

/**
 * Channel dropout for volumes (see `F.dropout3d`): in training, zeroes whole [D, H, W] channels with
 * probability p and scales the others by 1/(1 − p); the identity in eval mode. PyTorch's `nn.Dropout3d`.
 *
 * Shapes: [N, C, D, H, W] or [C, D, H, W] → same.
 */
export class Dropout3d extends Module {
  readonly p: number;
  readonly inplace: boolean;
  private readonly generator?: Generator;
  constructor(p?: number, generator?: Generator);
  /** `p` positionally (PyTorch's `inplace` goes in the options), then an optional options object `{ p, inplace, generator }`. */
  constructor(...args: WithOptions<[p: number], ChannelDropoutOptions>);
  constructor(...args: unknown[]) {
    super();
    ({ p: this.p, inplace: this.inplace, generator: this.generator } = channelDropoutArgs("Dropout3d", args));
  }
  override forward(input: Tensor): Tensor {
    return dropout3d(input, this.p, this.training, { generator: this.generator, inplace: this.inplace });
  }
  override extraRepr(): string {
    return `p=${pyFloat(this.p)}, inplace=${this.inplace ? "True" : "False"}`;
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
  readonly p: number;
  readonly inplace: boolean;
  private readonly generator?: Generator;
  constructor(p?: number, generator?: Generator);
  /** `p` positionally (PyTorch's `inplace` goes in the options), then an optional options object `{ p, inplace, generator }`. */
  constructor(...args: WithOptions<[p: number], ChannelDropoutOptions>);
  constructor(...args: unknown[]) {
    super();
    ({ p: this.p, inplace: this.inplace, generator: this.generator } = channelDropoutArgs("FeatureAlphaDropout", args));
  }
  override forward(input: Tensor): Tensor {
    return featureAlphaDropout(input, this.p, this.training, { generator: this.generator, inplace: this.inplace });
  }
  override extraRepr(): string {
    return `p=${pyFloat(this.p)}, inplace=${this.inplace ? "True" : "False"}`;
  }
}
