/**
 * Max pooling over windows given as tables of flat input indices, with PyTorch's indices: the
 * argmax of each window as an int32 index into the flattened input plane (or volume). Used by
 * `F.maxPool3d(..., { returnIndices: true })` and by fractional max pooling, whose windows differ
 * per plane. The windows are gathered as one [planes, L, K] tensor and reduced by `windowMax`, so the
 * first maximum wins on ties (the last NaN wins, as PyTorch's), and autograd routes the gradient to the argmax.
 */
import { Tensor, arange, tensor, zeros } from "../../core.js";
import { check, fmtShape } from "../../errors.js";
import { emptyResult, pair, windowCount } from "./fold.js";
import type { MaxPool3dOptions, Size3 } from "./volumetric.js";

/**
 * Maximum over the last dim of windows [P, L, K] with PyTorch's pooling rule: the first maximum
 * wins a tie, and a NaN wins — the last NaN of the window when there are several, as PyTorch's
 * kernels let each NaN take the argmax (`max` alone keeps the first). Returns the values and the
 * window positions k [P, L]; the value's gradient goes to that position. Windows shorter than K
 * must fill their tail with copies of their last element (changing neither answer's element).
 */
export function windowMax(cols: Tensor): { values: Tensor; indices: Tensor } {
  const r = cols.max(2);
  if (!r.values.isnan().any().item()) return r;
  const rank = arange(1, cols.shape[2]! + 1, { dtype: "int32" });
  const last = cols.isnan().mul(rank).max(2); // the largest rank among the window's NaNs, 0 if none
  const k = last.indices.where(last.values.gt(0), r.indices);
  return { values: cols.gather(2, k.unsqueeze(2)).squeeze(2), indices: k };
}

/**
 * Window maxima of `x` [P, V] (P planes of V elements). `table` lists K flat indices per output
 * position: [L·K] shared by every plane, or [P·L·K] with one table per plane (`perPlane`).
 * Returns values [P, L] and int32 indices [P, L] into V.
 */
export function gatherMax(x: Tensor, table: Int32Array, L: number, K: number, perPlane: boolean): { values: Tensor; indices: Tensor } {
  const P = x.shape[0]!;
  const idx = perPlane ? tensor(table, { shape: [P, L * K] }) : tensor(table);
  const cols = (perPlane ? x.gather(1, idx) : x.indexSelect(1, idx)).reshape([P, L, K]);
  const { values, indices } = windowMax(cols);
  const all = perPlane ? idx.reshape([P, L, K]) : idx.reshape([1, L, K]).expand([P, L, K]);
  return { values, indices: all.gather(2, indices.unsqueeze(2)).reshape([P, L]) };
}

/**
 * `maxPool3d` with `returnIndices`: every window lists the flat (z·H + y)·W + x indices of the input
 * elements it covers (padding and the ceil-mode margin read nothing; a short window repeats its
 * last element, which changes neither the maximum nor which element is its argmax).
 */
export function maxPool3dWithIndices(op: string, input: Tensor, kernelSize: Size3, o: MaxPool3dOptions): [Tensor, Tensor] {
  const batched = input.ndim === 5;
  const x = batched ? input : input.unsqueeze(0);
  const k = pair(op, "kernel_size", kernelSize, 1, 3);
  const noStride = o.stride === null || o.stride === undefined || (Array.isArray(o.stride) && o.stride.length === 0);
  const s = noStride ? k : pair(op, "stride", o.stride!, 1, 3);
  const p = pair(op, "padding", o.padding ?? 0, 0, 3);
  const d = pair(op, "dilation", o.dilation ?? 1, 1, 3);
  check(p.every((pp, i) => pp <= k[i]! / 2), op, () => `pad should be at most half of kernel size, but got pad=${fmtShape(p)} and kernel_size=${fmtShape(k)}`);
  const [N, C, D, H, W] = x.shape as [number, number, number, number, number];
  const sizes = [D, H, W];
  const out = sizes.map((n, i) => windowCount(n, k[i]!, s[i]!, p[i]!, d[i]!, o.ceilMode ?? false));
  check(out.every((v) => v > 0), op, () => `output size is too small (computed ${fmtShape(out)} from input ${fmtShape(input.shape)}, kernel_size ${fmtShape(k)}, stride ${fmtShape(s)}, padding ${fmtShape(p)})`);
  // per dim and output position, the input coordinates of the window that lie inside the input
  const taps = out.map((n, i) => Array.from({ length: n }, (_, j) => {
    const r: number[] = [];
    for (let t = 0; t < k[i]!; t++) {
      const z = j * s[i]! - p[i]! + t * d[i]!;
      if (z >= 0 && z < sizes[i]!) r.push(z);
    }
    return r;
  }));
  check(taps.every((dim) => dim.every((r) => r.length > 0)), op, () => `a pooling window lies entirely in the padding (input ${fmtShape(input.shape)}, kernel_size ${fmtShape(k)}, stride ${fmtShape(s)}, padding ${fmtShape(p)})`);
  const [od, oh, ow] = out as [number, number, number];
  const L = od * oh * ow, K = k[0]! * k[1]! * k[2]!;
  const table = new Int32Array(L * K);
  for (let a = 0; a < od; a++) for (let b = 0; b < oh; b++) for (let c = 0; c < ow; c++) {
    const base = ((a * oh + b) * ow + c) * K;
    let n = 0;
    for (const z of taps[0]![a]!) for (const y of taps[1]![b]!) for (const w of taps[2]![c]!) table[base + n++] = (z * H + y) * W + w;
    for (; n < K; n++) table[base + n] = table[base + n - 1]!;
  }
  const outShape = [N, C, od, oh, ow];
  const finish = (t: Tensor) => (batched ? t.reshape(outShape) : t.reshape(outShape.slice(1)));
  if (N * C === 0) {
    const v = emptyResult(op, outShape, x, [x]);
    return [finish(v), finish(zeros(outShape, { dtype: "int32" }))];
  }
  const { values, indices } = gatherMax(x.reshape([N * C, D * H * W]), table, L, K, false);
  return [finish(values), finish(indices)];
}
