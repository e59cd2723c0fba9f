/**
 * `F.pad` (split from ops/indexing.ts, which re-exports it): constant padding writes the input into
 * a filled tensor (its gradient is the matching slice); reflect, replicate and circular padding
 * gather the input along each padded dim with computed indices, so their gradients are
 * index_select's. Negative padding crops, as in PyTorch.
 */
import { record } from "../autograd/engine.js";
import { traceAttrs } from "../autograd/trace.js";
import { TensileError, fmtShape, fmtValue } from "../errors.js";
import { full, tensor } from "../tensor/creation.js";
import { Tensor } from "../tensor/tensor.js";
import { type Part, indexSelect, layout, sliceView } from "./indexing.js";
import { assertTensor, onBackend } from "./util.js";

type T = Tensor;

export type PadMode = "constant" | "reflect" | "replicate" | "circular";

/** F.pad: `pad` lists (left, right) pairs starting from the last dim. */
export function pad(x: T, padding: readonly number[], mode: PadMode = "constant", value = 0): T {
  assertTensor("pad", x);
  if (!Array.isArray(padding) || !padding.every((p) => Number.isInteger(p)))
    throw new TensileError(`pad: padding must be an array of integers, got ${fmtValue(padding)}`);
  if (padding.length % 2 !== 0 || padding.length / 2 > x.ndim)
    throw new TensileError(`pad: padding length must be even and at most 2*ndim (got ${padding.length} for a ${x.ndim}-D input)`);
  const pairs: [number, number, number][] = [];
  for (let i = 0; i < padding.length / 2; i++) pairs.push([x.ndim - 1 - i, padding[2 * i]!, padding[2 * i + 1]!]);
  if (mode === "constant") {
    // torch 1.13's constant_pad_nd: with some positive padding, every padded dim must come out non-empty
    // (with none, the result is the cropped input, which may be empty)
    if (padding.some((p) => p > 0))
      for (const [d, l, r] of pairs)
        if (x.shape[d]! + l + r <= 0)
          throw new TensileError(`pad: the input size ${x.shape[d]}, plus negative padding ${l} and ${r} resulted in a negative output size, ` +
            `which is invalid. Check dimension ${d} of your input (shape ${fmtShape(x.shape)})`);
    let y = x;
    for (const [d, l, r] of pairs) if (l < 0 || r < 0) y = y.narrow(d, Math.max(-l, 0), y.shape[d]! - Math.max(-l, 0) - Math.max(-r, 0));
    const shape = [...y.shape];
    for (const [d, l, r] of pairs) shape[d]! += Math.max(l, 0) + Math.max(r, 0);
    const parts: Part[] = y.shape.map((s, i) => {
      const p = pairs.find((q) => q[0] === i);
      return { src: i, start: p ? Math.max(p[1], 0) : 0, step: 1, len: s };
    });
    const base = full(shape, value, { dtype: y.dtype });
    const out = onBackend(base, y.backend);
    const v = layout({ parts, fixed: [] }, out.strides, 0);
    out.backend.assign({ storage: out.storage, ...v }, y);
    // for an export (ONNX's Pad): the padding of every dim of the cropped input, begins then ends
    traceAttrs(out, { pads: [...y.shape.map((_, i) => Math.max(pairs.find((q) => q[0] === i)?.[1] ?? 0, 0)), ...y.shape.map((_, i) => Math.max(pairs.find((q) => q[0] === i)?.[2] ?? 0, 0))], value });
    return record("pad", out, [y], (g) => [sliceView(g, { parts, fixed: [] })], undefined, []);
  }
  // as torch 1.13's F.pad: n (left, right) pairs pad the last n dims of an unbatched (n + 1)-D or a
  // batched (n + 2)-D input
  if (x.ndim !== pairs.length + 1 && x.ndim !== pairs.length + 2)
    throw new TensileError(`pad: ${padding.length} padding values with mode "${mode}" need a ${pairs.length + 1}-D (unbatched) or ` +
      `${pairs.length + 2}-D (batched) input, got ${x.ndim}-D ${fmtShape(x.shape)}`);
  if (mode !== "reflect" && mode !== "replicate" && mode !== "circular")
    throw new TensileError(`pad: unknown mode "${mode}" (expected constant, reflect, replicate or circular)`);
  // Negative padding crops, as in PyTorch. Reflect and replicate index the uncropped input, so
  // out[i] = in[f(i − left)] whatever the signs; circular crops first and wraps around what is left.
  // torch 1.13's reflection/replication kernels refuse an output empty in every padded dim (which
  // negative padding or an empty input gives)
  if ((mode === "reflect" || mode === "replicate") && pairs.every(([d, l, r]) => x.shape[d]! + l + r < 1))
    throw new TensileError(`pad: input ${fmtShape(x.shape)} is too small for padding ${fmtShape(padding)} with mode "${mode}": ` +
      `calculated output size ${fmtShape(pairs.map(([d, l, r]) => x.shape[d]! + l + r).reverse())} in the padded dims`);
  let y = x;
  for (const [d, l, r] of pairs) {
    const n = y.shape[d]!;
    if (n + l + r < 0)
      throw new TensileError(`pad: padding (${l}, ${r}) at dim ${d} crops more than the input's size ${n} (the output size would be ${n + l + r})`);
    if (mode === "reflect" && (l >= n || r >= n))
      throw new TensileError(`pad: padding (${l}, ${r}) at dim ${d} must be less than the input size ${n} for mode "reflect"`);

    const lo = Math.max(-l, 0), m = n - lo - Math.max(-r, 0); // circular: the cropped part [lo, lo + m)
    const L = Math.max(l, 0), R = Math.max(r, 0);
    if (mode === "circular" && (L > m || R > m))
      throw new TensileError(`pad: padding (${l}, ${r}) at dim ${d} wraps around the ${l < 0 || r < 0 ? "cropped " : ""}input (size ${m}) more than once for mode "circular"`);
    if (mode === "replicate" && n === 0 && L + R > 0)
      throw new TensileError(`pad: cannot replicate-pad an empty dim ${d} by (${l}, ${r})`);
    const src = new Int32Array(n + l + r);
    for (let i = 0; i < src.length; i++) {
      const j = i - l;
      src[i] = mode === "replicate" ? Math.min(Math.max(j, 0), n - 1)
        : mode === "circular" ? lo + ((((i - L) % m) + m) % m)
        : j < 0 ? -j : j >= n ? 2 * (n - 1) - j : j;
    }
    y = indexSelect(y, d, tensor(src));
  }
  return y;
}

