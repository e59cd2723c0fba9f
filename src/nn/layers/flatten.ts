import type { Tensor } from "../../core.js";
import { TensileError, fmtValue } from "../../errors.js";
import { Module } from "../module.js";
import { pyRepr } from "../repr.js";
import { dimArg } from "./ctor-checks.js";

/**
 * Flattens dims `startDim..endDim` into one.
 *
 * Shapes: [N, C, H, W] → [N, C·H·W] with the defaults (startDim = 1, endDim = −1).
 */
export class Flatten extends Module {
  constructor(readonly startDim = 1, readonly endDim = -1) {
    super();
    dimArg("Flatten", "start_dim", startDim);
    dimArg("Flatten", "end_dim", endDim);
  }
  override forward(input: Tensor): Tensor {
    return input.flatten(this.startDim, this.endDim);
  }
  override extraRepr(): string {
    return `start_dim=${this.startDim}, end_dim=${this.endDim}`;
  }
}

/**
 * Splits dim `dim` into `unflattenedSize`.
 *
 * Shapes: [N, 10] → [N, 2, 5] with `new nn.Unflatten(1, [2, 5])`.
 */
export class Unflatten extends Module {
  readonly unflattenedSize: readonly number[];
  constructor(readonly dim: number, unflattenedSize: readonly number[]) {
    super();
    if (!Array.isArray(unflattenedSize))
      throw new TensileError(`Unflatten: unflattenedSize must be an array of integers, got ${fmtValue(unflattenedSize)}`);
    dimArg("Unflatten", "dim", dim);
    const bad = unflattenedSize.findIndex((v) => !Number.isInteger(v) || v < -1);
    if (bad >= 0)
      throw new TensileError(`Unflatten: unflattened_size must be a tuple of ints ≥ -1, but found ${fmtValue(unflattenedSize[bad])} at pos ${bad} of ${fmtValue(unflattenedSize)}`);
    if (unflattenedSize.length === 0) throw new TensileError("Unflatten: unflattened_size must be non-empty");
    if (unflattenedSize.filter((v) => v === -1).length > 1)
      throw new TensileError(`Unflatten: only one dimension can be inferred, but got unflattened_size=${fmtValue(unflattenedSize)}`);
    this.unflattenedSize = [...unflattenedSize];
  }
  override forward(input: Tensor): Tensor {
    return input.unflatten(this.dim, this.unflattenedSize);
  }
  override extraRepr(): string {
    return `dim=${this.dim}, unflattened_size=${pyRepr(this.unflattenedSize)}`;
  }
}
