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


const I32_MAX = 2 ** 31 - 1;

/**
 * A conv's geometry made safe for the kernels, which take it as int32: a stride larger than the
 * one window that fits (span = padded input − dilated kernel, per dim) becomes span + 1, and the
 * dilation of a 1-wide kernel tap becomes 1 — neither changes the result (PyTorch accepts a stride
 * of 2³² and gives the single window). A padding, stride or dilation that still exceeds 2³¹ − 1
 * is refused: its output (or padded input) could not be allocated anyway.
 * `sizes` are the spatial input sizes, `k` the kernel sizes; transposed convolutions pass
 * `outPad` and clamp the stride only for a 1-long input dim (whose one row the stride never moves).
 */
export function fitConvGeometry(op: string, sizes: readonly number[], k: readonly number[], stride: number[], padding: number[],
  dilation: number[], outPad?: readonly number[]): void {
  for (let i = 0; i < sizes.length; i++) {
    if (k[i] === 1) dilation[i] = 1;
    if (outPad) {
      if (sizes[i] === 1 && stride[i]! > outPad[i]! + 1) stride[i] = outPad[i]! + 1;
    } else {
      const span = sizes[i]! + 2 * padding[i]! - dilation[i]! * (k[i]! - 1) - 1;
      if (span >= 0 && stride[i]! > span + 1) stride[i] = span + 1;
    }
    for (const [name, v] of [["padding", padding], ["stride", stride], ["dilation", dilation]] as const)
      check(v[i]! <= I32_MAX, op, () => `${name} ${v[i]} at spatial dim ${i} is too large (at most 2^31 - 1 = ${I32_MAX}; input spatial size ${sizes[i]})`);
  }
}
