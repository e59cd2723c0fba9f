import type { Tensor } from "../../core.js";
import { TensileError } from "../../errors.js";
import { alphaDropout, dropout } from "../functional/dropout.js";
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
