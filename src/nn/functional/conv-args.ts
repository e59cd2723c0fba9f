/** Argument checks shared by the conv functions (conv.ts, volumetric.ts); internal, not re-exported by nn.functional. */
import { check, fmtShape } from "../../errors.js";
import type { Tensor } from "../../tensor/tensor.js";
import { assertTensor } from "../../ops/util.js";

const dims = (n: number) => (n === 1 ? "[N, C, L]" : n === 2 ? "[N, C, H, W]" : "[N, C, D, H, W]");

/** Checks the shared preconditions of conv1d/conv2d/convTranspose1d/2d/3d. */
export function checkConvArgs(op: string, nd: number, x: Tensor, w: Tensor, b: Tensor | null | undefined, groups: number, transposed: boolean): void {
  assertTensor(op, x);
  assertTensor(op, w, "weight");
  if (b !== null && b !== undefined) assertTensor(op, b, "bias");
  const want = nd + 2;
  check(x.ndim === want || x.ndim === want - 1, op, () =>
    `expected ${want - 1}D (unbatched) or ${want}D (batched) input ${dims(nd)}, but got input of size ${fmtShape(x.shape)}`);
  check(w.ndim === want, op, () =>
    `weight should be ${want}-D ${transposed ? "[in_channels, out_channels/groups" : "[out_channels, in_channels/groups"}, ${nd === 1 ? "k" : nd === 2 ? "kH, kW" : "kD, kH, kW"}], got ${fmtShape(w.shape)}`);
  check(Number.isInteger(groups) && groups > 0, op, () => `non-positive groups is not supported (got ${groups})`);
  check(x.dtype === "float32" || x.dtype === "float64", op, () => `expected a floating point input, got ${x.dtype}`);
  check(x.dtype === w.dtype && (!b || b.dtype === w.dtype), op, () =>
    `input type (${x.dtype}), weight type (${w.dtype})${b ? ` and bias type (${b.dtype})` : ""} should be the same`);
  const C = x.shape[x.ndim - nd - 1]!;
  if (!transposed) {
    check(w.shape[0]! % groups === 0, op, () => `out_channels (${w.shape[0]}) must be divisible by groups (${groups}); weight ${fmtShape(w.shape)}`);
    check(C === w.shape[1]! * groups, op, () =>
      `expected input ${fmtShape(x.shape)} to have ${w.shape[1]! * groups} channels (weight ${fmtShape(w.shape)}, groups=${groups}), but got ${C} channels instead`);
  } else {
    check(w.shape[0]! % groups === 0, op, () => `in_channels (${w.shape[0]}) must be divisible by groups (${groups}); weight ${fmtShape(w.shape)}`);
    check(C === w.shape[0], op, () =>
      `expected input ${fmtShape(x.shape)} to have ${w.shape[0]} channels to match weight ${fmtShape(w.shape)}, but got ${C} channels instead`);
  }
  const outC = transposed ? w.shape[1]! * groups : w.shape[0]!;
  check(!b || (b.ndim === 1 && b.shape[0] === outC), op, () => `expected bias of shape [${outC}], got ${fmtShape(b!.shape)}`);
}

