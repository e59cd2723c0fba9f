/**
 * Variable-length sequences for the recurrent layers, as PyTorch's `torch.nn.utils.rnn`:
 * `padSequence`, `packPaddedSequence`, `packSequence`, `padPackedSequence` and `PackedSequence`.
 * ```ts
 * const packed = nn.utils.rnn.packPaddedSequence(x, lengths, { batchFirst: true, enforceSorted: false });
 * const [out, [h, c]] = lstm.forward(packed);           // h, c: each sequence's own last step
 * const [padded, lens] = nn.utils.rnn.padPackedSequence(out, { batchFirst: true });
 * ```
 * A `PackedSequence` holds PyTorch's layout: `data` is every sequence's steps, step by step, the
 * sequences ordered longest first (`sortedIndices`), `batchSizes[t]` of them at step t. The
 * recurrent layers run it as a padded batch whose state stops changing after each sequence's end
 * (and, backwards, starts at each sequence's own last step), which gives PyTorch's outputs, final
 * states and gradients.
 */
import { type Tensor, arange, cat, full, stack, tensor, Tensor as TensorClass } from "../core.js";
import { argsort } from "../ops/sort.js";
import { indexSelect } from "../ops/indexing.js";
import { TensileError, fmtShape, fmtValue } from "../errors.js";

export class PackedSequence {
  /** [Σ lengths, *]: the steps of every sequence, step by step, longest sequence first. */
  readonly data: Tensor;
  /** int32 [longest]: how many sequences have a step t. */
  readonly batchSizes: Tensor;
  /** int32 [B]: the batch position of each sorted sequence (null when the input was sorted). */
  readonly sortedIndices: Tensor | null;
  /** int32 [B]: the inverse of `sortedIndices`. */
  readonly unsortedIndices: Tensor | null;

  constructor(data: Tensor, batchSizes: Tensor, sortedIndices: Tensor | null = null, unsortedIndices: Tensor | null = null) {
    if (!(data instanceof TensorClass) || !(batchSizes instanceof TensorClass))
      throw new TensileError(`PackedSequence: data and batchSizes must be Tensors, got ${fmtValue(data)} and ${fmtValue(batchSizes)}`);
    this.data = data;
    this.batchSizes = batchSizes;
    this.sortedIndices = sortedIndices;
    this.unsortedIndices = unsortedIndices ?? (sortedIndices ? invert(sortedIndices) : null);
  }

  /** The same packing over other data (e.g. a layer's output). */
  withData(data: Tensor): PackedSequence {
    return new PackedSequence(data, this.batchSizes, this.sortedIndices, this.unsortedIndices);
  }

  /** Each sequence's length, in sorted order (longest first). */
  sortedLengths(): number[] {
    const bs = Array.from(this.batchSizes.dataSync(), Number);
    const B = bs[0] ?? 0;
    return Array.from({ length: B }, (_, b) => bs.filter((n) => n > b).length);
  }

  toString(): string {
    return `PackedSequence(data=${fmtShape(this.data.shape)}, batchSizes=[${Array.from(this.batchSizes.dataSync()).join(", ")}])`;
  }
}

const invert = (perm: Tensor): Tensor => {
  const p = Array.from(perm.dataSync(), Number);
  const inv = new Int32Array(p.length);
  p.forEach((v, i) => (inv[v] = i));
  return tensor(inv, { dtype: "int32" });
};

const lengthsOf = (op: string, lengths: Tensor | readonly number[]): number[] => {
  const ls = lengths instanceof TensorClass ? Array.from(lengths.dataSync(), Number) : Array.isArray(lengths) ? [...lengths] : null;
  if (!ls || (lengths instanceof TensorClass && lengths.ndim !== 1)) throw new TensileError(`${op}: lengths must be a 1-D tensor or an array of numbers, got ${fmtValue(lengths)}`);
  if (!ls.every((n) => Number.isInteger(n))) throw new TensileError(`${op}: lengths must be integers, got [${ls.join(", ")}]`);
  return ls;
};

/** The rows of a time-major [T·B, *] flattening that hold step t of sorted sequence b, step by step. */
function packedRows(sortedLengths: readonly number[], B: number): number[] {
  const rows: number[] = [];
  const T = sortedLengths[0] ?? 0;
  for (let t = 0; t < T; t++) for (let b = 0; b < sortedLengths.length && sortedLengths[b]! > t; b++) rows.push(t * B + b);
  return rows;
}

export interface PackOptions {
  /** Input as [B, T, *] (default false: [T, B, *]). */
  batchFirst?: boolean;
  /** The lengths are already longest first (default true; false sorts them, as PyTorch). */
  enforceSorted?: boolean;
}

/** PyTorch's `pack_padded_sequence`: the first `lengths[b]` steps of each sequence of a padded batch. */
export function packPaddedSequence(input: Tensor, lengths: Tensor | readonly number[], options: PackOptions = {}): PackedSequence {
  const op = "packPaddedSequence";
  options ??= {};
  const { batchFirst = false, enforceSorted = true } = options;
  if (!(input instanceof TensorClass)) throw new TensileError(`${op}: input must be a Tensor, got ${fmtValue(input)}`);
  if (input.ndim < 2) throw new TensileError(`${op}: input must have a time and a batch dim, got shape ${fmtShape(input.shape)}`);
  const ls = lengthsOf(op, lengths);
  const x = batchFirst ? input.transpose(0, 1) : input;
  const [T, B] = x.shape as [number, number];
  if (ls.length !== B) throw new TensileError(`${op}: expected ${B} lengths (the batch size of input ${fmtShape(input.shape)}), got ${ls.length}`);
  if (ls.some((n) => n <= 0))
    throw new TensileError(`${op}: Length of all samples has to be greater than 0, but found an element in 'lengths' that is <= 0 ([${ls.join(", ")}])`);
  let sorted: Tensor | null = null;
  let order = ls.map((_, i) => i);
  if (enforceSorted) {
    for (let i = 1; i < ls.length; i++)
      if (ls[i]! > ls[i - 1]!)
        throw new TensileError(`${op}: \`lengths\` array must be sorted in decreasing order when \`enforceSorted\` is true (got [${ls.join(", ")}]); pass enforceSorted: false to have them sorted`);
  } else {
    sorted = argsort(tensor(Int32Array.from(ls), { dtype: "int32" }), 0, true);
    order = Array.from(sorted.dataSync(), Number);
  }
  const sortedLengths = order.map((i) => ls[i]!);
  if (sortedLengths[0]! > T) throw new TensileError(`${op}: a length of ${sortedLengths[0]} is longer than the input's ${T} steps (input ${fmtShape(input.shape)})`);
  const xs = sorted ? indexSelect(x, 1, sorted) : x;
  const flat = xs.reshape(T * B, ...x.shape.slice(2));
  const data = indexSelect(flat, 0, tensor(Int32Array.from(packedRows(sortedLengths, B)), { dtype: "int32" }));
  const batchSizes = Int32Array.from({ length: sortedLengths[0]! }, (_, t) => sortedLengths.filter((n) => n > t).length);
  return new PackedSequence(data, tensor(batchSizes, { dtype: "int32" }), sorted);
}

/** PyTorch's `pack_sequence`: packs a list of [L_i, *] sequences. */
export function packSequence(sequences: readonly Tensor[], options: { enforceSorted?: boolean } = {}): PackedSequence {
  options ??= {};
  if (!Array.isArray(sequences) || sequences.length === 0) throw new TensileError(`packSequence: expected a non-empty array of Tensors, got ${fmtValue(sequences)}`);
  return packPaddedSequence(padSequence(sequences), sequences.map((s) => s.shape[0]!), { enforceSorted: options.enforceSorted ?? true });
}

export interface PadOptions {
  /** Output as [B, T, *] (default false: [T, B, *]). */
  batchFirst?: boolean;
  /** Value of the padded steps (default 0). */
  paddingValue?: number;
}

/**
 * PyTorch's `pad_packed_sequence`: the padded batch [T, B, *] (or [B, T, *]) in the original batch
 * order, and each sequence's length (int32). `totalLength` pads to more steps than the longest.
 */
export function padPackedSequence(sequence: PackedSequence, options: PadOptions & { totalLength?: number | null } = {}): [Tensor, Tensor] {
  const op = "padPackedSequence";
  options ??= {};
  if (!(sequence instanceof PackedSequence)) throw new TensileError(`${op}: expected a PackedSequence, got ${fmtValue(sequence)}`);
  const { batchFirst = false, paddingValue = 0, totalLength = null } = options;
  const sl = sequence.sortedLengths();
  const longest = sl[0] ?? 0;
  if (totalLength !== null && (!Number.isInteger(totalLength) || totalLength < longest))
    throw new TensileError(`${op}: Expected total_length to be at least the length of the longest sequence in input, but got total_length=${fmtValue(totalLength)} and max sequence length being ${longest}`);
  const T = totalLength ?? longest;
  let padded = unpack(sequence.data, sl, T, paddingValue);
  if (sequence.unsortedIndices) padded = indexSelect(padded, 1, sequence.unsortedIndices);
  const order = sequence.unsortedIndices ? Array.from(sequence.unsortedIndices.dataSync(), Number) : sl.map((_, i) => i);
  const lengths = tensor(Int32Array.from(order.map((i) => sl[i]!)), { dtype: "int32" });
  return [batchFirst ? padded.transpose(0, 1) : padded, lengths];
}

/** Packed rows back into a time-major [T, B, *] batch in sorted order, `value` where no step is. */
export function unpack(data: Tensor, sortedLengths: readonly number[], T: number, value = 0): Tensor {
  const B = sortedLengths.length, rest = data.shape.slice(1);
  const n = data.shape[0]!;
  const where = new Int32Array(T * B).fill(n); // the padding row, appended after the data
  packedRows(sortedLengths, B).forEach((r, i) => (where[r] = i));
  const withPad = cat([data, full([1, ...rest], value, { dtype: data.dtype })], 0);
  return indexSelect(withPad, 0, tensor(where, { dtype: "int32" })).reshape(T, B, ...rest);
}

/** A time-major [T, B, *] batch (sorted order) packed with `like`'s layout. */
export function repack(padded: Tensor, like: PackedSequence): PackedSequence {
  const sl = like.sortedLengths();
  const [T, B] = padded.shape as [number, number];
  const flat = padded.reshape(T * B, ...padded.shape.slice(2));
  return like.withData(indexSelect(flat, 0, tensor(Int32Array.from(packedRows(sl, B)), { dtype: "int32" })));
}

/** PyTorch's `pad_sequence`: [L_i, *] sequences into one [T, B, *] (or [B, T, *]) batch. */
export function padSequence(sequences: readonly Tensor[], options: PadOptions = {}): Tensor {
  const op = "padSequence";
  options ??= {};
  const { batchFirst = false, paddingValue = 0 } = options;
  if (!Array.isArray(sequences) || sequences.length === 0 || !sequences.every((s) => s instanceof TensorClass && s.ndim >= 1))
    throw new TensileError(`${op}: expected a non-empty array of Tensors with a time dim, got ${fmtValue(sequences)}`);
  const rest: number[] = (sequences[0] as Tensor).shape.slice(1);
  for (const s of sequences as readonly Tensor[])
    if (s.shape.length !== rest.length + 1 || s.shape.slice(1).some((d: number, i: number) => d !== rest[i]))
      throw new TensileError(`${op}: every sequence must be [L, ${rest.join(", ")}], got ${sequences.map((q) => fmtShape(q.shape)).join(", ")}`);
  const T = Math.max(...sequences.map((s) => s.shape[0]!));
  const cols = sequences.map((s) => (s.shape[0] === T ? s : cat([s, full([T - s.shape[0]!, ...rest], paddingValue, { dtype: s.dtype })], 0)));
  return stack(cols, batchFirst ? 0 : 1);
}

/** The step-t masks [B, 1, ...] of a sorted batch: true where sequence b has a step t. */
export function stepMasks(sortedLengths: readonly number[], T: number): Tensor[] {
  const B = sortedLengths.length;
  const steps = arange(T, { dtype: "int32" }).reshape(T, 1);
  const lens = tensor(Int32Array.from(sortedLengths), { dtype: "int32" }).reshape(1, B);
  const m = lens.gt(steps).unsqueeze(2); // [T, B, 1]
  return Array.from({ length: T }, (_, t) => m.select(0, t));
}
