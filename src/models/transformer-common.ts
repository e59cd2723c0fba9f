/**
 * Pieces shared by the transformer-era torchvision models (convnext.ts, vit.ts, swin.ts):
 * torchvision.ops.misc's `Permute` and `MLP`, ConvNeXt's `LayerNorm2d`, and the checks and
 * initialisers they have in common. `Permute` holds no state but takes a slot in its Sequential, so
 * the layers after it keep torchvision's indices (`block.2.weight` after `block.1` = Permute).
 */
import type { Tensor } from "../core.js";
import { check } from "../errors.js";
import { Module } from "../nn/module.js";
import { Sequential } from "../nn/layers/container.js";
import { Linear } from "../nn/layers/linear.js";
import { Dropout } from "../nn/layers/dropout.js";
import { LayerNorm } from "../nn/layers/norm.js";
import { layerNorm } from "../nn/functional/norm.js";
import { truncNormal_ } from "../nn/init.js";

/**
 * torchvision.ops.misc.Permute: the input's dimensions reordered by `dims` (a view, as `x.permute`).
 * ```ts
 * new models.Permute([0, 2, 3, 1]).forward(randn(2, 3, 4, 5)).shape; // [2, 4, 5, 3]
 * ```
 */
export class Permute extends Module {
  readonly dims: number[];
  constructor(dims: readonly number[]) {
    super();
    this.dims = [...dims];
  }
  override forward(x: Tensor): Tensor {
    return x.permute(this.dims);
  }
  override extraRepr(): string {
    return `dims=[${this.dims.join(", ")}]`;
  }
}

/**
 * ConvNeXt's LayerNorm2d: a LayerNorm over the channels of an [N, C, H, W] map (torchvision moves C
 * last, normalises, moves it back). Keys `weight` and `bias` [C], as nn.LayerNorm's.
 */
export class LayerNorm2d extends LayerNorm {
  override forward(x: Tensor): Tensor {
    check(x.ndim === 4 && x.shape[1] === this.normalizedShape[0], "LayerNorm2d", () =>
      `expected input [N, ${this.normalizedShape[0]}, H, W], got [${x.shape.join(", ")}]`);
    const y = layerNorm(x.permute(0, 2, 3, 1), this.normalizedShape, { weight: this.weight, bias: this.bias, eps: this.eps });
    return y.permute(0, 3, 1, 2);
  }
}

/**
 * torchvision.ops.MLP with no norm layer: for each hidden width Linear → activation → Dropout, then
 * the last Linear and a Dropout, all in one Sequential (keys `0.weight`, `0.bias`, `3.weight`, … for
 * two layers). ViT's MLPBlock and Swin's MLP are this with GELU.
 */
export function tvMLP(inChannels: number, hidden: readonly number[], activation: () => Module, dropout: number, bias = true): Sequential {
  const seq = new Sequential();
  let d = inChannels;
  for (const h of hidden.slice(0, -1)) {
    seq.append(new Linear(d, h, bias));
    seq.append(activation());
    seq.append(new Dropout(dropout));
    d = h;
  }
  seq.append(new Linear(d, hidden[hidden.length - 1]!, bias));
  seq.append(new Dropout(dropout));
  return seq;
}

/** Throws unless `x` is a positive integer array of length `n` (Swin's window and patch sizes, …). */
export function checkIntList(op: string, name: string, x: unknown, n?: number): void {
  check(Array.isArray(x) && (n === undefined || x.length === n) && x.length > 0 && x.every((v) => Number.isInteger(v) && v > 0), op, () =>
    `${name} must be ${n === undefined ? "a non-empty list" : `a list of ${n}`} positive integers, got ${JSON.stringify(x)}`);
}

/** `truncNormal_(t, { std })` (cut at ±2) on each tensor (a no-op inside `nn.utils.skipInit`). */
export function truncNormalInit(tensors: readonly Tensor[], std: number): void {
  for (const t of tensors) truncNormal_(t, { std });
}
