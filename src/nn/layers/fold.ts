/** `Fold` and `Unfold`: fixed calls of `F.fold` (col2im) and `F.unfold` (im2col). */
import type { Tensor } from "../../core.js";
import { type FoldOptions, type Size2, fold, unfold } from "../functional/fold.js";
import { Module } from "../module.js";
import { pyRepr } from "../repr.js";
import { sizeArg } from "./ctor-checks.js";

const isOpts = (v: unknown): v is FoldOptions => v !== null && typeof v === "object" && !Array.isArray(v);

function checkFoldArgs(op: string, kernelSize: unknown, dilation: unknown, padding: unknown, stride: unknown): void {
  sizeArg(op, "kernel_size", kernelSize, 2, 1);
  sizeArg(op, "dilation", dilation, 2, 1);
  sizeArg(op, "padding", padding, 2, 0);
  sizeArg(op, "stride", stride, 2, 1);
}

/**
 * Combines sliding blocks into a tensor, summing overlaps (see `F.fold`).
 *
 * Shapes: [N, C·kh·kw, L] (or [C·kh·kw, L]) → [N, C, outputSize[0], outputSize[1]].
 * ```ts
 * new nn.Fold([4, 5], [2, 2]).forward(randn([1, 3 * 2 * 2, 12])).shape; // [1, 3, 4, 5]
 * ```
 */
export class Fold extends Module {
  readonly dilation: Size2;
  readonly padding: Size2;
  readonly stride: Size2;
  constructor(readonly outputSize: Size2, readonly kernelSize: Size2, dilation?: Size2 | FoldOptions, padding?: Size2, stride?: Size2) {
    super();
    const o: FoldOptions = isOpts(dilation) ? dilation : { dilation, padding, stride };
    this.dilation = o.dilation ?? 1;
    this.padding = o.padding ?? 0;
    this.stride = o.stride ?? 1;
    sizeArg("Fold", "output_size", outputSize, 2, 1);
    checkFoldArgs("Fold", kernelSize, this.dilation, this.padding, this.stride);
  }
  override forward(input: Tensor): Tensor {
    return fold(input, this.outputSize, this.kernelSize, { dilation: this.dilation, padding: this.padding, stride: this.stride });
  }
  override extraRepr(): string {
    return `output_size=${pyRepr(this.outputSize)}, kernel_size=${pyRepr(this.kernelSize)}, dilation=${pyRepr(this.dilation)}, padding=${pyRepr(this.padding)}, stride=${pyRepr(this.stride)}`;
  }
}

/**
 * Extracts sliding local blocks (see `F.unfold`).
 *
 * Shapes: [N, C, H, W] (or [C, H, W]) → [N, C·kh·kw, L].
 * ```ts
 * new nn.Unfold([2, 3]).forward(randn([2, 5, 3, 4])).shape; // [2, 30, 4]
 * ```
 */
export class Unfold extends Module {
  readonly dilation: Size2;
  readonly padding: Size2;
  readonly stride: Size2;
  constructor(readonly kernelSize: Size2, dilation?: Size2 | FoldOptions, padding?: Size2, stride?: Size2) {
    super();
    const o: FoldOptions = isOpts(dilation) ? dilation : { dilation, padding, stride };
    this.dilation = o.dilation ?? 1;
    this.padding = o.padding ?? 0;
    this.stride = o.stride ?? 1;
    checkFoldArgs("Unfold", kernelSize, this.dilation, this.padding, this.stride);
  }
  override forward(input: Tensor): Tensor {
    return unfold(input, this.kernelSize, { dilation: this.dilation, padding: this.padding, stride: this.stride });
  }
  override extraRepr(): string {
    return `kernel_size=${pyRepr(this.kernelSize)}, dilation=${pyRepr(this.dilation)}, padding=${pyRepr(this.padding)}, stride=${pyRepr(this.stride)}`;
  }
}
