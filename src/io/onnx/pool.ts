/**
 * The window attributes of ONNX's MaxPool / AveragePool for PyTorch's pooling, ceil mode included.
 *
 * PyTorch's ceil mode drops a last window that would start in the right padding (or beyond the
 * input); ONNX's ceil_mode (and ONNX Runtime's) keeps it. So the output size the layer gave is
 * matched per dim: where it is the floor size, ceil_mode 0; where it is ONNX's ceil size,
 * ceil_mode 1; where dims disagree, ceil_mode 0 with the extra end padding that makes the ceil
 * dims' last window (a max ignores padding; an average that counts padding would not, and is
 * refused). A max window wholly in the padding (−∞ in PyTorch, the lowest float in ONNX Runtime) is
 * refused too.
 */
import type { Tensor } from "../../core.js";
import { TensileError, fmtShape } from "../../errors.js";
import type { Attr } from "./proto.js";

export interface PoolWindow { kernel: number[]; stride: number[]; padding: number[]; dilation: number[]; ceilMode: boolean }

/**
 * kernel_shape, strides, pads, dilations (max) and ceil_mode for a pooling of `input` that gave
 * `out` (its last `nd` dims the spatial ones); `what` names the layer in errors.
 */
export function poolAttrs(what: string, kind: "max" | "avg", input: Tensor, out: Tensor, nd: number, w: PoolWindow, countIncludePad = false): Record<string, Attr> {
  const from = input.shape.slice(-nd), to = out.shape.slice(-nd);
  const begin = [...w.padding], end = [...w.padding];
  let ceil = 0;
  if (w.ceilMode) {
    const sizes = from.map((n, i) => {
      const span = n + 2 * w.padding[i]! - w.dilation[i]! * (w.kernel[i]! - 1) - 1;
      return { floor: Math.floor(span / w.stride[i]!) + 1, ceil: Math.ceil(span / w.stride[i]!) + 1 };
    });
    const bad = to.findIndex((o, i) => o !== sizes[i]!.floor && o !== sizes[i]!.ceil);
    if (bad >= 0) throw new TensileError(`exportOnnx: internal error: ${what} gave size ${to[bad]} on dim of ${from[bad]}, neither ONNX's floor nor ceil size`);
    if (to.every((o, i) => o === sizes[i]!.ceil)) ceil = 1;
    else if (!to.every((o, i) => o === sizes[i]!.floor)) {
      // some dims keep ceil mode's extra window and some drop it: pad the former at the end
      if (kind === "avg" && countIncludePad)
        throw new TensileError(`exportOnnx: ${what} with ceilMode on input ${fmtShape(input.shape)} keeps the last partial window in some dims and not in others, ` +
          "which ONNX's AveragePool cannot say with countIncludePad; use countIncludePad false or pad the input");
      to.forEach((o, i) => {
        if (o !== sizes[i]!.floor) end[i] = (o - 1) * w.stride[i]! + w.dilation[i]! * (w.kernel[i]! - 1) + 1 - from[i]! - w.padding[i]!;
      });
    }
  }
  if (kind === "max") {
    // a window wholly in the padding: PyTorch's max is −∞ there, ONNX Runtime's the lowest float
    const empty = from.findIndex((n, i) => Array.from({ length: to[i]! }, (_, o) => o).some((o) =>
      Array.from({ length: w.kernel[i]! }, (_, j) => o * w.stride[i]! - w.padding[i]! + j * w.dilation[i]!).every((at) => at < 0 || at >= n)));
    if (empty >= 0)
      throw new TensileError(`exportOnnx: ${what} on input ${fmtShape(input.shape)} has a window wholly in the padding (dim of size ${from[empty]}, kernel ${w.kernel[empty]}, ` +
        `padding ${w.padding[empty]}, dilation ${w.dilation[empty]}), whose −∞ ONNX Runtime gives as −3.4e38; pad less`);
  }
  const attrs: Record<string, Attr> = { kernel_shape: [...w.kernel], strides: [...w.stride], pads: [...begin, ...end], ceil_mode: ceil };
  if (kind === "max") attrs.dilations = [...w.dilation];
  else attrs.count_include_pad = countIncludePad ? 1 : 0;
  return attrs;
}
