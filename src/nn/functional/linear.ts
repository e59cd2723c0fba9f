import { Tensor, noGrad, tensor as makeTensor, where } from "../../core.js";
import { TensileError, fmtShape } from "../../errors.js";
import { linearOp } from "../../ops/linalg.js";
import { assertTensor } from "../../ops/util.js";

/**
 * y = x·Wᵀ + b.
 *
 * Shapes: input [*, in], weight [out, in], bias [out] → [*, out]. As in PyTorch, a 1-D weight [in]
 * (no bias) gives input @ weight, [*]; a bias of another shape must expand to [rows, out], the
 * input's leading dims flattened into rows.
 * ```ts
 * F.linear(randn([64, 784]), randn([500, 784]), zeros([500])).shape; // [64, 500]
 * ```
 */
export function linear(input: Tensor, weight: Tensor, bias?: Tensor | null): Tensor {
  assertTensor("linear", input);
  assertTensor("linear", weight, "weight");
  if (bias !== null && bias !== undefined) assertTensor("linear", bias, "bias");
  if (input.ndim < 1) throw new TensileError(`linear: input must have at least 1 dimension, got shape ${fmtShape(input.shape)}`);
  if (input.dtype === "bool" || weight.dtype === "bool") throw new TensileError("linear: not implemented for bool tensors");
  const inF = input.shape[input.ndim - 1]!;
  if (weight.ndim === 1 && !bias) {
    // as torch: a 1-D weight is a single output feature without its dim (input @ weight)
    if (inF !== weight.shape[0])
      throw new TensileError(`linear: input shape ${fmtShape(input.shape)} and weight shape ${fmtShape(weight.shape)} cannot be multiplied (${inF} != ${weight.shape[0]})`);
    return input.matmul(weight);
  }
  if (weight.ndim !== 2) throw new TensileError(`linear: weight must be 2-D [out_features, in_features]${weight.ndim === 1 ? " when a bias is given" : ""}, got shape ${fmtShape(weight.shape)}`);
  if (inF !== weight.shape[1])
    throw new TensileError(
      `linear: input shape ${fmtShape(input.shape)} and weight shape ${fmtShape(weight.shape)} cannot be multiplied (${inF} != ${weight.shape[1]})`,
    );
  const outF = weight.shape[0]!;
  if (!bias || (bias.ndim === 1 && bias.shape[0] === outF)) return linearOp(input, weight, bias ?? null);
  // any other bias is expanded, as torch's addmm expands it, to [rows, out], the rows being the
  // input's leading dims flattened (a [N, 1] bias for a [N, in] input: one value per sample)
  const rows = input.shape.slice(0, -1).reduce((p, q) => p * q, 1);
  const fits = bias.ndim <= 2 && bias.shape.every((d, i) => d === 1 || d === [rows, outF].slice(2 - bias.ndim)[i]);
  if (!fits)
    throw new TensileError(`linear: bias shape ${fmtShape(bias.shape)} does not match weight shape ${fmtShape(weight.shape)} (expected [${outF}], or a shape that expands to [${rows}, ${outF}])`);
  const y = linearOp(input, weight, null);
  return y.reshape([rows, outF]).add(bias.expand([rows, outF])).reshape(y.shape);
}

/**
 * y_k = x1ᵀ·A_k·x2 + b_k for every output feature k.
 *
 * Shapes: input1 [*, in1], input2 [*, in2], weight [out, in1, in2], bias [out] → [*, out].
 * ```ts
 * F.bilinear(randn([8, 5]), randn([8, 3]), randn([4, 5, 3])).shape; // [8, 4]
 * ```
 */
export function bilinear(input1: Tensor, input2: Tensor, weight: Tensor, bias?: Tensor | null): Tensor {
  const op = "bilinear";
  assertTensor(op, input1, "input1");
  assertTensor(op, input2, "input2");
  assertTensor(op, weight, "weight");
  if (weight.ndim !== 3) throw new TensileError(`${op}: weight must be 3-D [out, in1, in2], got shape ${fmtShape(weight.shape)}`);
  const [outF, in1, in2] = weight.shape as [number, number, number];
  const lead = input1.shape.slice(0, -1);
  if (input1.ndim < 1 || input1.ndim !== input2.ndim || lead.some((d, i) => d !== input2.shape[i]))
    throw new TensileError(`${op}: input1 ${fmtShape(input1.shape)} and input2 ${fmtShape(input2.shape)} must have the same batch dimensions`);
  if (input1.shape[input1.ndim - 1] !== in1 || input2.shape[input2.ndim - 1] !== in2)
    throw new TensileError(
      `${op}: input1 ${fmtShape(input1.shape)} and input2 ${fmtShape(input2.shape)} do not match weight ${fmtShape(weight.shape)} (expected last sizes ${in1} and ${in2})`,
    );
  if (bias && (bias.ndim !== 1 || bias.shape[0] !== outF))
    throw new TensileError(`${op}: bias shape ${fmtShape(bias.shape)} does not match weight shape ${fmtShape(weight.shape)} (expected [${outF}])`);
  const batch = lead.reduce((a, b) => a * b, 1);
  // (x1 · W') with W' = [in1, out·in2], then contract in2 against x2.
  const w = weight.permute([1, 0, 2]).reshape([in1, outF * in2]);
  let y = input1
    .reshape([batch, in1])
    .matmul(w)
    .reshape([batch, outF, in2])
    .mul(input2.reshape([batch, 1, in2]))
    .sum(2);
  if (bias) y = y.add(bias);
  return y.reshape([...lead, outF]);
}

export interface EmbeddingOptions {
  /** Rows at this index get no gradient (their output is still `weight[paddingIdx]`). */
  paddingIdx?: number | null;
  /** Rows looked up whose `normType`-norm exceeds `maxNorm` are renormalised in place first. */
  maxNorm?: number | null;
  normType?: number;
  /** Scale each looked-up row's gradient by 1 / (how often its index occurs in `input`). */
  scaleGradByFreq?: boolean;
  /** Accepted for PyTorch's signature; the gradient is always dense. */
  sparse?: boolean;
}

/** Reads an int32 index tensor, checking every index is in [0, n). */
function checkedIndices(op: string, input: Tensor, n: number): Int32Array {
  if (input.dtype !== "int32") throw new TensileError(`${op}: expected an int32 index tensor, got ${input.dtype} (shape ${fmtShape(input.shape)})`);
  const idx = input.dataSync() as Int32Array;
  for (const i of idx) if (i < 0 || i >= n) throw new TensileError(`${op}: index ${i} is out of range for ${n} embeddings`);
  return idx;
}

/** Renormalises, in place, the rows of `weight` listed in `idx` whose norm exceeds `maxNorm`. */
function embeddingRenorm_(weight: Tensor, idx: Int32Array, maxNorm: number, normType: number): void {
  const [n, d] = weight.shape as [number, number];
  const w = weight.dataSync();
  const out = Float64Array.from(w);
  let changed = false;
  for (const row of new Set(idx)) {
    let norm = 0;
    for (let j = 0; j < d; j++) {
      const v = Math.abs(w[row * d + j]!);
      norm = normType === Infinity ? Math.max(norm, v) : norm + v ** normType;
    }
    if (normType !== Infinity) norm = norm ** (1 / normType);
    if (norm > maxNorm) {
      const scale = maxNorm / (norm + 1e-7);
      for (let j = 0; j < d; j++) out[row * d + j] = w[row * d + j]! * scale;
      changed = true;
    }
  }
  if (!changed) return;
  const data = weight.dtype === "float64" ? out : Float32Array.from(out);
  noGrad(() => weight.copy_(makeTensor(data, { shape: [n, d], dtype: weight.dtype })));
}

/**
 * Looks up rows of `weight`: out[..., :] = weight[input[...], :].
 *
 * Shapes: input int32 [*], weight [num_embeddings, embedding_dim] → [*, embedding_dim].
 * ```ts
 * F.embedding(tensor([[1, 2], [4, 5]], { dtype: "int32" }), randn([10, 3])).shape; // [2, 2, 3]
 * ```
 */
export function embedding(
  input: Tensor,
  weight: Tensor,
  paddingIdx: number | null | EmbeddingOptions = null,
  maxNorm: number | null = null,
  normType = 2,
  scaleGradByFreq = false,
  sparse = false,
): Tensor {
  const op = "embedding";
  assertTensor(op, input);
  assertTensor(op, weight, "weight");
  if (paddingIdx !== null && typeof paddingIdx === "object")
    ({ paddingIdx = null, maxNorm = null, normType = 2, scaleGradByFreq = false, sparse = false } = paddingIdx);
  void sparse;
  if (weight.ndim !== 2) throw new TensileError(`${op}: weight must be 2-D [num_embeddings, embedding_dim], got shape ${fmtShape(weight.shape)}`);
  const [n, d] = weight.shape as [number, number];
  let pad = paddingIdx;
  if (pad !== null) {
    if (!Number.isInteger(pad) || pad >= n || pad < -n) throw new TensileError(`${op}: padding_idx ${pad} must be within num_embeddings (${n})`);
    if (pad < 0) pad += n;
  }
  const idx = checkedIndices(op, input, n);
  if (maxNorm !== null) embeddingRenorm_(weight, idx, maxNorm, normType);
  let out = weight.indexSelect(0, input.reshape([input.numel()])).reshape([...input.shape, d]);
  if (scaleGradByFreq && out.requiresGrad) {
    // PyTorch's scale_grad_by_freq: each position's gradient divided by its index's count
    const count = new Map<number, number>();
    for (const i of idx) count.set(i, (count.get(i) ?? 0) + 1);
    const inv = Array.from(idx, (i) => 1 / count.get(i)!);
    const scale = makeTensor(inv, { shape: [...input.shape, 1], dtype: weight.dtype });
    out.registerHook((g) => g.mul(scale));
  }
  if (pad !== null && out.requiresGrad) {
    // Same values, but positions that look up the padding row pass no gradient to it.
    out = where(input.ne(pad).unsqueeze(-1), out, out.detach());
  }
  return out;
}
