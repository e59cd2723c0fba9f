/**
 * `where(condition, input, other)`: elements of `input` where `condition` holds, else of `other`
 * (broadcast; ops/elementwise.ts computes it). `where(condition)` alone is PyTorch's
 * `torch.where(condition)`: `nonzero(condition, { asTuple: true })`, one index tensor per dim.
 *
 * ```ts
 * where(tensor([true, false]), tensor([1, 2]), 0);   // [1, 0]
 * where(tensor([[0, 3], [4, 0]]));                     // [tensor([0, 1]), tensor([1, 0])]
 * ```
 */
import { TensileError } from "../errors.js";
import type { Tensor } from "../tensor/tensor.js";
import { where as select } from "./elementwise.js";
import { nonzero } from "./indexing.js";

export function where(condition: Tensor): Tensor[];
export function where(condition: Tensor, input: Tensor | number, other: Tensor | number): Tensor;
export function where(condition: Tensor, input?: Tensor | number, other?: Tensor | number): Tensor | Tensor[] {
  if (input === undefined && other === undefined) return nonzero(condition, { asTuple: true });
  if (input === undefined || other === undefined)
    throw new TensileError("where: expected both input and other, or neither (where(condition) is nonzero(condition, { asTuple: true }))");
  return select(condition, input, other);
}
