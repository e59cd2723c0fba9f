/**
 * `F.embeddingBag`: sums, means or maxima of bags of embedding rows without materialising each
 * bag's [len, D] block separately. Bags are read from the (non-differentiable) index tensors in
 * JS; the rows come from `embedding` (so `maxNorm` renormalises as it does), and the per-bag
 * reduction is a `scatterAdd` (sum, mean) or one `max` per bag, so autograd supplies the gradient.
 */
import { Tensor, stack, tensor, zeros } from "../../core.js";
import { TensileError, check, fmtShape, fmtValue } from "../../errors.js";
import { embedding } from "./linear.js";
import { emptyResult } from "./fold.js";
import { type PositionalArgs, positionalOptions } from "../../utils/positional.js";

export type EmbeddingBagMode = "sum" | "mean" | "max";

export interface EmbeddingBagOptions {
  /** Rows looked up with a larger `normType`-norm are renormalised to `maxNorm` (in place). */
  maxNorm?: number | null;
  normType?: number;
  /** Only false is supported (gradients are not scaled by word frequency). */
  scaleGradByFreq?: boolean;
  /** How each bag is reduced (default "mean"). */
  mode?: EmbeddingBagMode;
  /** PyTorch's sparse gradients: accepted, the gradient stays dense (zero on rows no bag touched). */
  sparse?: boolean;
  /** One weight per index, multiplied into its row before summing (mode "sum" only). */
  perSampleWeights?: Tensor | null;
  /** `offsets` has one entry more than there are bags: its last entry ends the last bag. */
  includeLastOffset?: boolean;
  /** Entries equal to this index are left out of their bag (neither summed nor counted). */
  paddingIdx?: number | null;
}

/**
 * Reduces bags of embedding rows: with a 2-D input [B, L] each row is a bag; with a 1-D input,
 * bag b is input[offsets[b] : offsets[b + 1]] (the last one running to the end unless
 * `includeLastOffset`). "sum" adds the rows (each scaled by `perSampleWeights` if given), "mean"
 * divides by the bag's size and "max" takes the element-wise maximum; an empty bag gives zeros.
 *
 * Shapes: input int32 [B, L] (offsets null) or [n] with offsets int32 [B] (or [B + 1]); weight
 * [num, D] → [B, D].
 * ```ts
 * const w = randn([10, 3]);
 * F.embeddingBag(tensor([1, 2, 4, 5, 4, 3, 2, 9]), w, tensor([0, 4]), { mode: "sum" }).shape; // [2, 3]
 * ```
 */
/** PyTorch's positional order (maxNorm, normType, scaleGradByFreq, mode, sparse, perSampleWeights, includeLastOffset, paddingIdx), then an optional options object. */
export function embeddingBag(input: Tensor, weight: Tensor, offsets: Tensor | null | undefined, ...args: PositionalArgs<[maxNorm: (EmbeddingBagOptions)["maxNorm"], normType: (EmbeddingBagOptions)["normType"], scaleGradByFreq: (EmbeddingBagOptions)["scaleGradByFreq"], mode: (EmbeddingBagOptions)["mode"], sparse: (EmbeddingBagOptions)["sparse"], perSampleWeights: (EmbeddingBagOptions)["perSampleWeights"], includeLastOffset: (EmbeddingBagOptions)["includeLastOffset"], paddingIdx: (EmbeddingBagOptions)["paddingIdx"]], EmbeddingBagOptions>): Tensor;
export function embeddingBag(input: Tensor, weight: Tensor, offsets?: Tensor | null, opts?: EmbeddingBagOptions): Tensor;
export function embeddingBag(input: Tensor, weight: Tensor, offsets: Tensor | null = null, ...args: unknown[]): Tensor {
  let opts = positionalOptions<EmbeddingBagOptions>("embeddingBag", args, { keys: ["maxNorm", "normType", "scaleGradByFreq", "mode", "sparse", "perSampleWeights", "includeLastOffset", "paddingIdx"] });
  const op = "embeddingBag";
  if (!(input instanceof Tensor)) throw new TensileError(`${op}: input must be a Tensor, got ${fmtValue(input)}`);
  if (!(weight instanceof Tensor)) throw new TensileError(`${op}: weight must be a Tensor, got ${fmtValue(weight)}`);
  check(opts === null || (typeof opts === "object" && !Array.isArray(opts)), op, () => `expected an options object, got ${fmtValue(opts)}`);
  const { maxNorm = null, normType = 2, scaleGradByFreq = false, mode = "mean", sparse = false, perSampleWeights = null, includeLastOffset = false } = opts ?? {};
  let paddingIdx = opts?.paddingIdx ?? null;
  check(weight.ndim === 2, op, () => `weight has to be a 2D Tensor [num_embeddings, embedding_dim], but got shape ${fmtShape(weight.shape)}`);
  check(weight.dtype === "float32" || weight.dtype === "float64", op, () => `expected a floating point weight, got ${weight.dtype}`);
  check(input.dtype === "int32", op, () => `expected an int32 index tensor, got ${input.dtype} (shape ${fmtShape(input.shape)})`);
  check(mode === "sum" || mode === "mean" || mode === "max", op, () => `mode has to be one of sum, mean or max, got ${fmtValue(mode)}`);
  check(!scaleGradByFreq, op, "scale_grad_by_freq=True is not supported");
  check(typeof sparse === "boolean", op, () => `sparse should be a boolean value, got ${fmtValue(sparse)}`); // accepted; the gradient stays dense
  const [num, D] = weight.shape as [number, number];
  if (paddingIdx !== null) {
    check(Number.isInteger(paddingIdx) && paddingIdx < num && paddingIdx >= -num, op, () => `padding_idx must be within num_embeddings (${num}), got ${fmtValue(paddingIdx)}`);
    if (paddingIdx < 0) paddingIdx += num;
  }
  // bags as [start, end) ranges of the flattened input
  const bags: [number, number][] = [];
  if (input.ndim === 2) {
    check(offsets === null || offsets === undefined, op, () => `if input is 2D, then offsets has to be None, as input is treated is a mini-batch of fixed length sequences (input ${fmtShape(input.shape)})`);
    const [B, L] = input.shape as [number, number];
    for (let b = 0; b < B; b++) bags.push([b * L, (b + 1) * L]);
  } else {
    check(input.ndim === 1, op, () => `input has to be 1D or 2D Tensor, but got Tensor of dimension ${input.ndim} (shape ${fmtShape(input.shape)})`);
    check(offsets instanceof Tensor, op, () => `offsets has to be a 1D Tensor but got ${offsets == null ? "null" : fmtValue(offsets)}${Array.isArray(offsets) ? " (a list: pass tensor(offsets))" : ""}`);
    check(offsets.ndim === 1 && offsets.dtype === "int32", op, () => `offsets has to be a 1D int32 Tensor, got ${offsets.dtype} of shape ${fmtShape(offsets.shape)}`);
    const off = Array.from(offsets.dataSync() as Int32Array);
    const n = input.shape[0]!;
    if (off.length > 0) check(off[0] === 0, op, () => `offsets[0] has to be 0, i.e., the first sequence in the mini-batch has to start from position 0. However, got ${off[0]}`);
    check(off.every((o, i) => o <= n && (i === 0 || o >= off[i - 1]!)), op, () =>
      `offsets must be non-decreasing and at most the input length ${n}, got ${fmtValue(off)}`);
    const B = includeLastOffset ? Math.max(off.length - 1, 0) : off.length;
    for (let b = 0; b < B; b++) bags.push([off[b]!, b + 1 < off.length ? off[b + 1]! : n]);
  }
  if (perSampleWeights !== null && perSampleWeights !== undefined) {
    check(perSampleWeights instanceof Tensor && perSampleWeights.ndim === input.ndim && perSampleWeights.shape.every((d, i) => d === input.shape[i]), op, () =>
      `per_sample_weights must have the same shape as input ${fmtShape(input.shape)}, got ${perSampleWeights instanceof Tensor ? fmtShape(perSampleWeights.shape) : fmtValue(perSampleWeights)}`);
    check(mode === "sum", op, () => `per_sample_weights is only supported for mode='sum' (got mode='${mode}')`);
    check(perSampleWeights.dtype === weight.dtype, op, () => `expected per_sample_weights of dtype ${weight.dtype}, got ${perSampleWeights.dtype}`);
  }
  const flat = input.reshape([input.numel()]);
  const idx = flat.dataSync() as Int32Array;
  for (const i of idx) check(i >= 0 && i < num, op, () => `index ${i} is out of range for ${num} embeddings (input ${fmtShape(input.shape)})`);
  // rows for every entry (checks the indices and renormalises referenced rows as embedding does)
  let rows = embedding(flat, weight, { maxNorm, normType }); // [n, D]
  if (perSampleWeights) rows = rows.mul(perSampleWeights.reshape([input.numel(), 1]));
  const B = bags.length;
  const kept = bags.map(([s, e]) => {
    const pos: number[] = [];
    for (let p = s; p < e; p++) if (idx[p] !== paddingIdx) pos.push(p);
    return pos;
  });
  const total = kept.reduce((a, p) => a + p.length, 0);
  if (total === 0) return emptyResult(op, [B, D], weight, [weight, perSampleWeights]);
  if (mode === "max") {
    const outs = kept.map((pos) => (pos.length === 0 ? zeros([D], { dtype: weight.dtype }) : rows.indexSelect(0, tensor(Int32Array.from(pos))).max(0).values));
    return stack(outs, 0);
  }
  const pos = Int32Array.from(kept.flat());
  const bagOf = Int32Array.from(kept.flatMap((p, b) => p.map(() => b)));
  const src = rows.indexSelect(0, tensor(pos));
  let out = zeros([B, D], { dtype: weight.dtype }).scatterAdd(0, tensor(bagOf, { shape: [pos.length, 1] }).expand([pos.length, D]), src);
  if (mode === "mean") {
    const counts = kept.map((p) => Math.max(p.length, 1));
    out = out.div(tensor(weight.dtype === "float64" ? Float64Array.from(counts) : Float32Array.from(counts), { shape: [B, 1] }));
  }
  return out;
}
