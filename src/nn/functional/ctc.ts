/**
 * Connectionist temporal classification loss (`F.ctcLoss`): the negative log-likelihood of a label
 * sequence summed over every alignment of it to the input frames (Graves et al. 2006), by the
 * alpha–beta recursion in log space, in float64 whatever the input's dtype.
 */
import { record } from "../../autograd/engine.js";
import { Tensor } from "../../core.js";
import { TensileError, fmtShape } from "../../errors.js";
import { assertTensor, wrap } from "../../ops/util.js";
import { arrayFor, isFloating } from "../../tensor/dtype.js";
import { type Reduction, applyReduction, checkReduction } from "./reduction.js";
import { type PositionalArgs, positionalOptions } from "../../utils/positional.js";

export interface CtcLossOptions {
  /** The blank label's class index (default 0). */
  blank?: number;
  /** "mean" (default): each sample's loss divided by its target length, then averaged; "sum"; "none". */
  reduction?: Reduction;
  /** Infinite losses (an input too short for its target) and their gradients become 0 (default false). */
  zeroInfinity?: boolean;
}

/** A lengths argument (int32 tensor, array of integers, or for an unbatched input one integer) as numbers. */
function lengthsOf(op: string, name: string, v: unknown, batch: number, batched: boolean): number[] {
  let out: number[];
  if (v instanceof Tensor) {
    if (v.ndim > 1 || isFloating(v.dtype) || v.dtype === "bool")
      throw new TensileError(`${op}: ${name} must be an int32 tensor of shape [N] (or [] unbatched), got ${v.dtype} ${fmtShape(v.shape)}`);
    out = Array.from(v.dataSync() as Int32Array);
  } else if (Array.isArray(v)) out = v;
  else if (typeof v === "number" && !batched) out = [v];
  else throw new TensileError(`${op}: ${name} must be an int32 tensor or an array of integers, got ${v === null ? "null" : typeof v}`);
  if (out.length !== batch) throw new TensileError(`${op}: ${name} must be of size batch_size (${batch}), got ${out.length} values`);
  for (const n of out) if (!Number.isInteger(n) || n < 0) throw new TensileError(`${op}: ${name} must hold non-negative integers, got ${String(n)}`);
  return out;
}

const NEG_INF = -Infinity;

/** log(e^a + e^b). */
function logAddExp(a: number, b: number): number {
  if (a === NEG_INF) return b;
  if (b === NEG_INF) return a;
  const m = a > b ? a : b;
  return m + Math.log(Math.exp(a - m) + Math.exp(b - m));
}

/**
 * One sample: its negative log-likelihood, and its gradient rows (T × C, zero past its input
 * length) added into `grad` at frame stride `rowStride`. The gradient is PyTorch's: that of the
 * loss with respect to the logits behind a logSoftmax, e^{lp} − (Σ_{s: l'_s = c} α_t(s)·β_t(s)) / (p·e^{lp}),
 * which is also the gradient with respect to `logProbs` when they are a logSoftmax's output.
 */
function ctcSample(
  lp: Float64Array, at: (t: number, c: number) => number, inputLength: number, target: number[], blank: number, classes: number,
  grad: Float64Array, gradAt: (t: number, c: number) => number, zeroInfinity: boolean,
): number {
  const L = target.length, S = 2 * L + 1;
  const label = (s: number): number => (s % 2 === 0 ? blank : target[(s - 1) >> 1]!);
  if (inputLength === 0) return L === 0 ? 0 : zeroInfinity ? 0 : Infinity;
  const alpha = new Float64Array(inputLength * S).fill(NEG_INF);
  const beta = new Float64Array(inputLength * S).fill(NEG_INF);
  alpha[0] = lp[at(0, blank)]!;
  if (L > 0) alpha[1] = lp[at(0, label(1))]!;
  for (let t = 1; t < inputLength; t++)
    for (let s = 0; s < S; s++) {
      const prev = (t - 1) * S;
      let a = alpha[prev + s]!;
      if (s > 0) a = logAddExp(a, alpha[prev + s - 1]!);
      if (s > 1 && label(s) !== blank && label(s) !== label(s - 2)) a = logAddExp(a, alpha[prev + s - 2]!);
      alpha[t * S + s] = a === NEG_INF ? NEG_INF : a + lp[at(t, label(s))]!;
    }
  const last = (inputLength - 1) * S;
  const nll = -logAddExp(alpha[last + S - 1]!, S > 1 ? alpha[last + S - 2]! : NEG_INF);
  if (nll === Infinity && zeroInfinity) return 0; // its gradient rows stay 0
  beta[last + S - 1] = lp[at(inputLength - 1, blank)]!;
  if (L > 0) beta[last + S - 2] = lp[at(inputLength - 1, label(S - 2))]!;
  for (let t = inputLength - 2; t >= 0; t--)
    for (let s = 0; s < S; s++) {
      const next = (t + 1) * S;
      let b = beta[next + s]!;
      if (s < S - 1) b = logAddExp(b, beta[next + s + 1]!);
      if (s < S - 2 && label(s) !== blank && label(s + 2) !== label(s)) b = logAddExp(b, beta[next + s + 2]!);
      beta[t * S + s] = b === NEG_INF ? NEG_INF : b + lp[at(t, label(s))]!;
    }
  const occupancy = new Float64Array(classes);
  for (let t = 0; t < inputLength; t++) {
    occupancy.fill(NEG_INF);
    for (let s = 0; s < S; s++) {
      const c = label(s);
      occupancy[c] = logAddExp(occupancy[c]!, alpha[t * S + s]! + beta[t * S + s]!);
    }
    for (let c = 0; c < classes; c++) {
      const v = lp[at(t, c)]!;
      grad[gradAt(t, c)] = Math.exp(v) - Math.exp(occupancy[c]! + nll - v);
    }
  }
  return nll;
}

/**
 * CTC loss of log-probabilities over C classes (blank included) against label sequences.
 *
 * Shapes: logProbs [T, N, C] (a logSoftmax over C), or [T, C] unbatched; targets [N, S] padded
 * (int32) or 1-D concatenated (Σ targetLengths entries), [S] unbatched; inputLengths and
 * targetLengths int32 [N] or arrays of N integers (unbatched: one integer or a []-tensor)
 * → scalar, or [N] with `reduction: "none"`.
 * ```ts
 * F.ctcLoss(logits.logSoftmax(2), targets, inputLengths, targetLengths, { blank: 0 });
 * ```
 */
/** PyTorch's positional order (blank, reduction, zeroInfinity), then an optional options object. */
export function ctcLoss(logProbs: Tensor, targets: Tensor, inputLengths: Tensor | readonly number[] | number, targetLengths: Tensor | readonly number[] | number, ...args: PositionalArgs<[blank: (CtcLossOptions)["blank"], reduction: (CtcLossOptions)["reduction"], zeroInfinity: (CtcLossOptions)["zeroInfinity"]], CtcLossOptions>): Tensor;
export function ctcLoss(logProbs: Tensor, targets: Tensor, inputLengths: Tensor | readonly number[] | number, targetLengths: Tensor | readonly number[] | number, options?: CtcLossOptions): Tensor;
export function ctcLoss(logProbs: Tensor, targets: Tensor, inputLengths: Tensor | readonly number[] | number, targetLengths: Tensor | readonly number[] | number, ...args: unknown[]): Tensor {
  let options = positionalOptions<CtcLossOptions>("ctcLoss", args, { keys: ["blank", "reduction", "zeroInfinity"] });
  const { blank = 0, reduction = "mean", zeroInfinity = false } = options ?? {};
  const op = "ctcLoss";
  assertTensor(op, logProbs, "logProbs");
  assertTensor(op, targets, "targets");
  checkReduction(op, reduction);
  if (logProbs.ndim !== 3 && logProbs.ndim !== 2)
    throw new TensileError(`${op}: Expected 3-dimensional tensor, but got ${logProbs.ndim}-dimensional tensor for argument #1 'log_probs' (shape ${fmtShape(logProbs.shape)})`);
  if (!isFloating(logProbs.dtype)) throw new TensileError(`${op}: logProbs must be a floating tensor, got ${logProbs.dtype}`);
  if (typeof zeroInfinity !== "boolean") throw new TensileError(`${op}: zeroInfinity must be a boolean, got ${String(zeroInfinity)}`);
  const batched = logProbs.ndim === 3;
  const [T, N, C] = batched ? (logProbs.shape as [number, number, number]) : [logProbs.shape[0]!, 1, logProbs.shape[1]!];
  if (!Number.isInteger(blank) || blank < 0 || blank >= C) throw new TensileError(`${op}: blank must be in label range [0, ${C}), got ${String(blank)}`);
  const inLen = lengthsOf(op, "inputLengths", inputLengths, N, batched);
  const tgLen = lengthsOf(op, "targetLengths", targetLengths, N, batched);
  for (const n of inLen) if (n > T) throw new TensileError(`${op}: Expected input_lengths to have value at most ${T}, but got value ${n}`);
  if (targets.dtype !== "int32") throw new TensileError(`${op}: expected targets of dtype int32 (class indices), got ${targets.dtype}`);
  const tg = targets.dataSync() as Int32Array;
  const maxLen = Math.max(0, ...tgLen);
  // each sample's label sequence: a row of the padded [N, S] targets, or the next slice of the concatenated ones
  const seqs: number[][] = [];
  if (batched && targets.ndim === 1) {
    const total = tgLen.reduce((a, b) => a + b, 0);
    if (targets.shape[0] !== total)
      throw new TensileError(`${op}: Expected tensor to have size ${total} at dimension 0, but got size ${targets.shape[0]} for argument #2 'targets' (concatenated targets: the sum of targetLengths)`);
    let o = 0;
    for (const n of tgLen) seqs.push(Array.from(tg.subarray(o, (o += n))));
  } else {
    if (targets.ndim !== (batched ? 2 : 1) || (batched && targets.shape[0] !== N))
      throw new TensileError(`${op}: targets must be [N, S] padded or 1-D concatenated for logProbs ${fmtShape(logProbs.shape)}, got ${fmtShape(targets.shape)}`);
    const S = targets.shape[targets.ndim - 1]!;
    if (S < maxLen) throw new TensileError(`${op}: Expected tensor to have size at least ${maxLen} at dimension ${targets.ndim - 1}, but got size ${S} for argument #2 'targets'`);
    tgLen.forEach((n, b) => seqs.push(Array.from(tg.subarray(b * S, b * S + n))));
  }
  for (const seq of seqs) for (const c of seq) if (c < 0 || c >= C) throw new TensileError(`${op}: target value ${c} is out of range for ${C} classes`);

  const lp = Float64Array.from(logProbs.contiguous().dataSync() as ArrayLike<number>);
  const grad = new Float64Array(T * N * C);
  const losses = new Float64Array(N);
  for (let b = 0; b < N; b++) {
    const at = (t: number, c: number): number => (t * N + b) * C + c;
    losses[b] = ctcSample(lp, at, inLen[b]!, seqs[b]!, blank, C, grad, at, zeroInfinity);
  }
  const be = logProbs.backend;
  const lossShape = batched ? [N] : [];
  const out = wrap(be, be.fromArray(toDtype(losses, logProbs.dtype)), lossShape);
  const gradT = wrap(be, be.fromArray(toDtype(grad, logProbs.dtype)), [...logProbs.shape]);
  const perSample = record("ctcLoss", out, [logProbs], (g) => [gradT.mul(batched ? g.reshape([1, N, 1]) : g)], [gradT], []);
  if (reduction !== "mean") return applyReduction(perSample, reduction);
  const lengths = wrap(be, be.fromArray(toDtype(Float64Array.from(tgLen, (n) => Math.max(n, 1)), logProbs.dtype)), lossShape);
  return perSample.div(lengths).mean();
}

function toDtype(a: Float64Array, dtype: Tensor["dtype"]): ReturnType<typeof arrayFor> {
  const out = arrayFor(dtype, a.length);
  out.set(a);
  return out;
}
