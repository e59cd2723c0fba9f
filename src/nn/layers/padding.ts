/**
 * Padding layers: `ZeroPad2d`, `ConstantPad1d/2d`, `ReflectionPad1d/2d`, `ReplicationPad1d/2d`,
 * each a fixed call of `pad` (PyTorch's `F.pad`). `padding` is one number for every side or
 * (left, right[, top, bottom]) as PyTorch's.
 */
import { type Tensor, pad } from "../../core.js";
import type { PadMode } from "../../ops/indexing.js";
import { check, fmtValue } from "../../errors.js";
import { Module } from "../module.js";
import { pyRepr } from "../repr.js";

function sides(name: string, padding: unknown, n: number): number[] {
  const a = typeof padding === "number" ? Array<number>(n).fill(padding) : Array.isArray(padding) ? [...padding] : null;
  check(a !== null && a.length === n && a.every((p) => Number.isInteger(p)), name, () =>
    `padding must be an integer or a list of ${n} integers, got ${fmtValue(padding)}`);
  return a;
}

abstract class PadNd extends Module {
  readonly padding: number[];
  constructor(padding: number | readonly number[], nd: number, protected readonly mode: PadMode, readonly value = 0) {
    super();
    this.padding = sides(this.constructor.name, padding, 2 * nd);
    check(typeof value === "number", this.constructor.name, () => `value must be a number, got ${fmtValue(value)}`);
  }
  override forward(input: Tensor): Tensor {
    return pad(input, this.padding, this.mode, this.value);
  }
  override extraRepr(): string {
    return pyRepr(this.padding);
  }
}

/**
 * Pads the last dim with a constant: (left, right).
 *
 * Shapes: [N, C, W] or [C, W] → [·, ·, W + left + right].
 * ```ts
 * new nn.ConstantPad1d(2, 3.5).forward(randn([1, 2, 4])).shape; // [1, 2, 8]
 * ```
 */
export class ConstantPad1d extends PadNd {
  constructor(padding: number | readonly number[], value: number) {
    super(padding, 1, "constant", value);
  }
  override extraRepr(): string {
    return `padding=${pyRepr(this.padding)}, value=${pyRepr(this.value)}`;
  }
}

/**
 * Pads the last two dims with a constant: (left, right, top, bottom).
 *
 * Shapes: [N, C, H, W] or [C, H, W] → [·, ·, H + top + bottom, W + left + right].
 * ```ts
 * new nn.ConstantPad2d([3, 0, 2, 1], 3.5).forward(randn([1, 2, 2])).shape; // [1, 5, 5]
 * ```
 */
export class ConstantPad2d extends PadNd {
  constructor(padding: number | readonly number[], value: number) {
    super(padding, 2, "constant", value);
  }
  override extraRepr(): string {
    return `padding=${pyRepr(this.padding)}, value=${pyRepr(this.value)}`;
  }
}

/**
 * Pads the last two dims with zeros: (left, right, top, bottom).
 *
 * Shapes: [N, C, H, W] or [C, H, W] → [·, ·, H + top + bottom, W + left + right].
 * ```ts
 * new nn.ZeroPad2d(2).forward(randn([1, 1, 3, 3])).shape; // [1, 1, 7, 7]
 * ```
 */
export class ZeroPad2d extends PadNd {
  constructor(padding: number | readonly number[]) {
    super(padding, 2, "constant", 0);
  }
}

/**
 * Pads the last dim with its reflection (the edge not repeated): (left, right), each < W.
 *
 * Shapes: [N, C, W] or [C, W] → [·, ·, W + left + right].
 * ```ts
 * new nn.ReflectionPad1d(2).forward(arange(8).reshape([1, 2, 4]).float()); // [[2, 1, 0, 1, 2, 3, 2, 1], ...]
 * ```
 */
export class ReflectionPad1d extends PadNd {
  constructor(padding: number | readonly number[]) {
    super(padding, 1, "reflect");
  }
}

/**
 * Pads the last two dims with their reflection: (left, right, top, bottom).
 *
 * Shapes: [N, C, H, W] or [C, H, W] → [·, ·, H + top + bottom, W + left + right].
 * ```ts
 * new nn.ReflectionPad2d(1).forward(randn([1, 1, 3, 3])).shape; // [1, 1, 5, 5]
 * ```
 */
export class ReflectionPad2d extends PadNd {
  constructor(padding: number | readonly number[]) {
    super(padding, 2, "reflect");
  }
}

/**
 * Pads the last dim by repeating its edge values: (left, right).
 *
 * Shapes: [N, C, W] or [C, W] → [·, ·, W + left + right].
 * ```ts
 * new nn.ReplicationPad1d([3, 1]).forward(randn([1, 2, 4])).shape; // [1, 2, 8]
 * ```
 */
export class ReplicationPad1d extends PadNd {
  constructor(padding: number | readonly number[]) {
    super(padding, 1, "replicate");
  }
}

/**
 * Pads the last two dims by repeating their edge values: (left, right, top, bottom).
 *
 * Shapes: [N, C, H, W] or [C, H, W] → [·, ·, H + top + bottom, W + left + right].
 * ```ts
 * new nn.ReplicationPad2d(2).forward(randn([1, 1, 3, 3])).shape; // [1, 1, 7, 7]
 * ```
 */
export class ReplicationPad2d extends PadNd {
  constructor(padding: number | readonly number[]) {
    super(padding, 2, "replicate");
  }
}
