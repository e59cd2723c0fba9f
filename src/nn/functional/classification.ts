/**
 * Classification losses: negative log-likelihood, cross-entropy (class indices or class
 * probabilities), binary cross-entropy on probabilities and on logits. Written over core ops
 * (logSoftmax, gather, logSigmoid) so autograd supplies the backward.
 */
import { releaseAfterBackward } from "../../autograd/engine.js";
import { isGradEnabled } from "../../autograd/grad-mode.js";
import { Function, type FunctionCtx, Tensor, where } from "../../core.js";
import { TensileError, fmtShape, fmtValue } from "../../errors.js";
import { wrap } from "../../ops/util.js";
import { type TypedArray, arrayFor } from "../../tensor/dtype.js";

/** A new tensor on `like`'s backend holding `data`. */
const onBackendOf = (like: Tensor, data: TypedArray, shape: number[]): Tensor => wrap(like.backend, like.backend.fromArray(data), shape);
import { type Reduction, applyReduction, checkReduction } from "./reduction.js";
import { assertTensor } from "../../ops/util.js";
import { type PositionalArgs, positionalOptions } from "../../utils/positional.js";

export interface NllLossOptions {
  /** Per-class rescaling weight, shape [C]. */
  weight?: Tensor | null;
  /** Target value that contributes neither loss nor gradient (default −100). */
  ignoreIndex?: number;
  reduction?: Reduction;
}

export interface CrossEntropyOptions extends NllLossOptions {
  /** ε in [0, 1]: the target becomes (1 − ε)·target + ε/C (default 0). */
  labelSmoothing?: number;
}

/** Per-element pieces of the NLL loss over class indices; everything has the target's shape. */
interface NllParts {
  /** −w[t]·input[t], 0 where ignored. */
  loss: Tensor;
  /** w[t] (1 without `weight`), 0 where ignored: the denominator of the mean. */
  w: Tensor;
  /** target ≠ ignoreIndex, as the input's dtype. */
  valid: Tensor;
  /** target ≠ ignoreIndex (bool). */
  keep: Tensor;
}

function checkWeight(op: string, weight: Tensor | null | undefined, classes: number): void {
  if (weight !== null && weight !== undefined && !(weight instanceof Tensor))
    throw new TensileError(`${op}: weight must be a Tensor or null, got ${fmtValue(weight)}`);
  if (weight && (weight.ndim !== 1 || weight.shape[0] !== classes))
    throw new TensileError(
      `${op}: weight tensor should be defined either for all ${classes} classes or no classes but got weight tensor of shape: ${fmtShape(weight.shape)}`,
    );
}

/** Checks index-target shape, dtype and values against an input whose class dim is `classDim`. */
function checkIndexTarget(op: string, input: Tensor, target: Tensor, ignoreIndex: number): void {
  if (target.dtype !== "int32")
    throw new TensileError(`${op}: expected target of dtype int32 (class indices), got ${target.dtype} (shape ${fmtShape(target.shape)})`);
  if (input.ndim === 1) {
    if (target.ndim !== 0)
      throw new TensileError(`${op}: 1D input ${fmtShape(input.shape)} (unbatched) expects a 0D target, got target shape ${fmtShape(target.shape)}`);
  } else {
    const want = [input.shape[0]!, ...input.shape.slice(2)];
    if (target.ndim >= 1 && target.shape[0] !== input.shape[0])
      throw new TensileError(
        `${op}: expected input batch_size (${input.shape[0]}) to match target batch_size (${target.shape[0]}) (input ${fmtShape(input.shape)}, target ${fmtShape(target.shape)})`,
      );
    if (target.ndim !== want.length || want.some((d, i) => d !== target.shape[i]))
      throw new TensileError(`${op}: expected target size ${fmtShape(want)} for input ${fmtShape(input.shape)}, got ${fmtShape(target.shape)}`);
  }
  const classes = input.shape[input.ndim === 1 ? 0 : 1]!;
  for (const t of target.dataSync())
    if (t !== ignoreIndex && (t < 0 || t >= classes)) throw new TensileError(`${op}: target ${t} is out of bounds for ${classes} classes`);
}

function nllParts(op: string, input: Tensor, target: Tensor, weight: Tensor | null, ignoreIndex: number): NllParts {
  if (input.ndim < 1) throw new TensileError(`${op}: input tensor should be 1D or more, got shape ${fmtShape(input.shape)}`);
  const classDim = input.ndim === 1 ? 0 : 1;
  checkWeight(op, weight, input.shape[classDim]!);
  checkIndexTarget(op, input, target, ignoreIndex);
  const keep = target.ne(ignoreIndex);
  const safeTarget = target.maskedFill(keep.logicalNot(), 0);
  const picked = input.gather(classDim, safeTarget.unsqueeze(classDim)).squeeze(classDim);
  const valid = keep.to(input.dtype);
  const w = weight ? weight.indexSelect(0, safeTarget.reshape([safeTarget.numel()])).reshape(target.shape).mul(valid) : valid;
  // `where`, not a product with w: an ignored element's input may be NaN/±inf (padding), and its
  // loss is 0 in PyTorch, where 0·NaN would be NaN
  return { loss: where(keep, picked.neg().mul(w), 0), w, valid, keep };
}

/** Weighted mean as PyTorch's: Σ loss / Σ w[target] over non-ignored elements (NaN if all ignored). */
function reduceWeighted(loss: Tensor, w: Tensor, reduction: Reduction): Tensor {
  if (reduction !== "mean") return applyReduction(loss, reduction);
  // Σw = 0 (every target ignored): the loss is NaN and the gradient 0, as PyTorch's — dividing by
  // Σw itself would also make the gradient NaN (0 · 1/0)
  const denom = w.sum();
  const none = denom.eq(0);
  return loss.sum().div(where(none, 1, denom)).add(where(none, NaN, 0));
}

/**
 * Negative log-likelihood of class indices: ℓ_i = −w[t_i]·input[i, t_i], with `input` holding
 * log-probabilities. `mean` divides by Σ w[t_i] over non-ignored elements.
 *
 * Shapes: input [N, C] or [N, C, d1, ...] or [C]; target int32 [N] or [N, d1, ...] or [].
 * ```ts
 * F.nllLoss(logSoftmax(randn([3, 5]), 1), tensor([1, 0, 4], { dtype: "int32" }));
 * ```
 */
/** PyTorch's positional order (weight, sizeAverage, ignoreIndex, reduce, reduction; the deprecated sizeAverage and reduce must be null), then an optional options object. */
export function nllLoss(input: Tensor, target: Tensor, ...args: PositionalArgs<[weight: (NllLossOptions)["weight"], sizeAverage: null, ignoreIndex: (NllLossOptions)["ignoreIndex"], reduce: null, reduction: (NllLossOptions)["reduction"]], NllLossOptions>): Tensor;
export function nllLoss(input: Tensor, target: Tensor, options?: NllLossOptions): Tensor;
export function nllLoss(input: Tensor, target: Tensor, ...args: unknown[]): Tensor {
  let options = positionalOptions<NllLossOptions>("nllLoss", args, { keys: ["weight", "sizeAverage", "ignoreIndex", "reduce", "reduction"], deprecated: ["sizeAverage", "reduce"] });
  const { weight = null, ignoreIndex = -100, reduction = "mean" } = options ?? {};
  assertTensor("nllLoss", input);
  assertTensor("nllLoss", target, "target");
  checkReduction("nllLoss", reduction);
  const { loss, w } = nllParts("nllLoss", input, target, weight, ignoreIndex);
  return reduceWeighted(loss, w, reduction);
}

/**
 * Cross-entropy of unnormalised logits: `nllLoss(logSoftmax(input, classDim), target)` for class
 * indices, or ℓ_i = −Σ_c w_c·p_ic·log softmax(x_i)_c for class probabilities (a float `target`
 * of the input's shape; `mean` then divides by the number of samples). With label smoothing ε,
 * ℓ = (1 − ε)·ℓ_nll + ε/C·Σ_c −w_c·log softmax(x_i)_c. Stable for any finite logits (±1e4 included).
 *
 * Shapes: input [N, C] or [N, C, d1, ...] or [C]; target int32 [N] / [N, d1, ...] / [] or float
 * of input's shape → scalar, or the target's batch shape with `reduction: "none"`.
 * ```ts
 * F.crossEntropy(randn([3, 5], { requiresGrad: true }), tensor([1, 0, 4], { dtype: "int32" })).backward();
 * ```
 */
/** PyTorch's positional order (weight, sizeAverage, ignoreIndex, reduce, reduction, labelSmoothing; the deprecated sizeAverage and reduce must be null), then an optional options object. */
export function crossEntropy(input: Tensor, target: Tensor, ...args: PositionalArgs<[weight: CrossEntropyOptions["weight"], sizeAverage: null,
  ignoreIndex: CrossEntropyOptions["ignoreIndex"], reduce: null, reduction: CrossEntropyOptions["reduction"], labelSmoothing: CrossEntropyOptions["labelSmoothing"]], CrossEntropyOptions>): Tensor;
export function crossEntropy(input: Tensor, target: Tensor, options?: CrossEntropyOptions): Tensor;
export function crossEntropy(input: Tensor, target: Tensor, ...args: unknown[]): Tensor {
  const options = positionalOptions<CrossEntropyOptions>("crossEntropy", args,
    { keys: ["weight", "sizeAverage", "ignoreIndex", "reduce", "reduction", "labelSmoothing"], deprecated: ["sizeAverage", "reduce"] });
  const { weight = null, ignoreIndex = -100, reduction = "mean", labelSmoothing = 0 } = options ?? {};
  const op = "crossEntropy";
  assertTensor(op, input);
  assertTensor(op, target, "target");
  checkReduction(op, reduction);
  if (!(labelSmoothing >= 0 && labelSmoothing <= 1))
    throw new TensileError(`${op}: label_smoothing must be between 0.0 and 1.0. Got: ${labelSmoothing}`);
  if (input.ndim < 1) throw new TensileError(`${op}: input tensor should be 1D or more, got shape ${fmtShape(input.shape)}`);
  const classDim = input.ndim === 1 ? 0 : 1;
  const classes = input.shape[classDim]!;
  checkWeight(op, weight, classes);
  if (input.ndim === 2 && target.dtype === "int32" && labelSmoothing === 0 && (input.dtype === "float32" || input.dtype === "float64") &&
    (!weight || weight.dtype === input.dtype) && !target.requiresGrad && !(weight?.requiresGrad) &&
    (input.numel() <= ONE_PASS_MAX_ELEMENTS || input.backend.jsKernels)) {
    checkIndexTarget(op, input, target, ignoreIndex);
    return IndexCrossEntropyFn.apply(input, target, weight, ignoreIndex, reduction);
  }
  const logp = input.logSoftmax(classDim);
  // logp never leaves this function: freed right after backward, not when the collector finds it
  // (until then it holds wasm memory, and a full cache would copy it out to JS first)
  releaseAfterBackward(logp);
  // weight reshaped to broadcast along the class dim: [C] → [1, C, 1, ...].
  const wb = weight && input.ndim > 1 ? weight.reshape(input.shape.map((d, i) => (i === 1 ? d : 1))) : weight;

  if (target.dtype === "float32" || target.dtype === "float64") {
    if (target.ndim !== input.ndim || target.shape.some((d, i) => d !== input.shape[i]))
      throw new TensileError(
        `${op}: class-probability target must have the input's shape ${fmtShape(input.shape)}, got ${fmtShape(target.shape)} (use an int32 target for class indices)`,
      );
    const p = labelSmoothing > 0 ? target.mul(1 - labelSmoothing).add(labelSmoothing / classes) : target;
    const loss = (wb ? logp.mul(p).mul(wb) : logp.mul(p)).sum(classDim).neg();
    return reduction === "mean" ? loss.sum().div(input.numel() / classes) : applyReduction(loss, reduction);
  }

  const { loss, w, keep } = nllParts(op, logp, target, weight, ignoreIndex);
  const nll = reduceWeighted(loss, w, reduction);
  if (labelSmoothing === 0) return nll;
  const smooth = where(keep, (wb ? logp.mul(wb) : logp).sum(classDim).neg(), 0);
  const smoothRed = reduction === "mean" ? smooth.sum().div(w.sum()) : applyReduction(smooth, reduction);
  return nll.mul(1 - labelSmoothing).add(smoothRed.mul(labelSmoothing / classes));
}

/**
 * Logits above this many elements take the composed form on backends with their own kernels: the
 * one-pass form runs in JavaScript (Math.exp per element, twice), the composed one in kernels (on
 * wasm one call for logSoftmax each way, then a gather and a few small ops). Forward and backward,
 * one thread, the two alternating in one process (medians of eight windows): one-pass 65 against
 * 377 µs at 64 × 10, 98 against 544 at 64 × 20, 129 against 253 at 64 × 40; even at 64 × 64 and
 * 128 × 40 (~210 and ~270 µs); composed faster from there: 205 against 302 µs at 64 × 100, 265
 * against 801 at 64 × 256, 229 against 648 at 16 × 1000. (Before softmax had a backward kernel
 * the two were even at 64 × 256 and the limit was 16,384.) On a backend whose kernels are
 * JavaScript (`jsKernels`: the reference backend) one pass is faster at any size.
 */
const ONE_PASS_MAX_ELEMENTS = 4096;

/**
 * Cross-entropy of [N, C] logits against int32 class indices in one pass per row (log-sum-exp,
 * the picked logit, the weight), and its gradient in one more: (softmax − onehot)·w[t]·g / Σw.
 * It reads the logits once and writes one tensor each way, where the composed form (logSoftmax,
 * gather, masks, sums: about twenty ops) pays a kernel call per op — at the text's shapes
 * ([64, 10]) the calls, not the arithmetic, were the loss's whole cost. Accumulates in float64.
 * Ignored rows get no loss and no gradient; a mean over no valid rows is NaN with gradient 0, as
 * in PyTorch.
 */
class IndexCrossEntropyFn extends Function {
  static override _keepsNoGrads = true;
  static override forward(ctx: FunctionCtx, input: Tensor, target: Tensor, weight: Tensor | null, ignoreIndex: number, reduction: Reduction): Tensor {
    const [N, C] = input.shape as [number, number];
    const x = input.dataSync(), t = target.dataSync(), w = weight?.dataSync() ?? null;
    const lse = new Float64Array(N), wt = new Float64Array(N);
    const rows = arrayFor(input.dtype, N);
    let total = 0, denom = 0;
    for (let i = 0; i < N; i++) {
      const ti = t[i]!;
      if (ti === ignoreIndex) continue;
      let m = -Infinity;
      for (let c = 0, o = i * C; c < C; c++, o++) if (x[o]! > m) m = x[o]!;
      // a +inf logit: PyTorch's log_softmax subtracts the row max (inf − inf), so the whole row's
      // log-probabilities, loss and gradient are NaN
      const posInf = m === Infinity;
      if (!Number.isFinite(m)) m = 0; // −inf rows: the sum below carries the inf/NaN as PyTorch's
      let sum = 0;
      for (let c = 0, o = i * C; c < C; c++, o++) sum += Math.exp(x[o]! - m);
      lse[i] = posInf ? NaN : m + Math.log(sum);
      const wi = w ? w[ti]! : 1;
      wt[i] = wi;
      const li = wi * (lse[i]! - x[i * C + ti]!);
      rows[i] = li;
      total += li;
      denom += wi;
    }
    ctx.saveForBackward(input);
    Object.assign(ctx, { lse, wt, t, ignoreIndex, reduction, denom });
    if (reduction === "none") return onBackendOf(input, rows, [N]);
    const out = arrayFor(input.dtype, 1);
    out[0] = reduction === "mean" ? total / denom : total;
    return onBackendOf(input, out, []);
  }

  static override backward(ctx: FunctionCtx, g: Tensor): (Tensor | null)[] {
    const none = ctx.needsInputGrad.slice(1).map(() => null); // target, weight: no gradient
    if (!ctx.needsInputGrad[0]) return [null, ...none];
    const [input] = ctx.savedTensors as [Tensor];
    const { lse, wt, t, ignoreIndex, reduction, denom } = ctx as unknown as {
      lse: Float64Array; wt: Float64Array; t: ArrayLike<number>; ignoreIndex: number; reduction: Reduction; denom: number;
    };
    const [N, C] = input.shape as [number, number];
    if (isGradEnabled()) {
      // createGraph: (softmax(x) − onehot(t))·w[t]·g in Tensor ops, so the gradient is differentiable
      // again (in x and in g); ignored rows have w[t] = 0
      const oh = arrayFor(input.dtype, N * C), wcol = arrayFor(input.dtype, N);
      for (let i = 0; i < N; i++) {
        wcol[i] = wt[i]!;
        if (t[i] !== ignoreIndex) oh[i * C + t[i]!] = 1;
      }
      const gg = reduction === "none" ? g.reshape([N, 1]) : reduction === "mean" ? g.div(denom) : g;
      const dxg = input.softmax(1).sub(onBackendOf(input, oh, [N, C])).mul(onBackendOf(input, wcol, [N, 1])).mul(gg);
      return [dxg, ...none];
    }
    const x = input.dataSync(), gs = g.dataSync();
    const dx = arrayFor(input.dtype, N * C);
    for (let i = 0; i < N; i++) {
      const ti = t[i]!;
      if (ti === ignoreIndex) continue;
      const coef = wt[i]! * (reduction === "none" ? gs[i]! : reduction === "mean" ? gs[0]! / denom : gs[0]!);
      if (coef === 0) continue;
      const l = lse[i]!;
      for (let c = 0, o = i * C; c < C; c++, o++) dx[o] = coef * Math.exp(x[o]! - l);
      dx[i * C + ti] -= coef;
    }
    return [onBackendOf(input, dx, [N, C]), ...none];
  }
}
// its autograd node is named as the op, as the other ops' are ("crossEntropy", not the class name)
Object.defineProperty(IndexCrossEntropyFn, "name", { value: "crossEntropy" });

function checkSameShape(op: string, input: Tensor, target: Tensor): void {
  assertTensor(op, input);
  assertTensor(op, target, "target");
  if (input.ndim !== target.ndim || input.shape.some((d, i) => d !== target.shape[i]))
    throw new TensileError(
      `${op}: using a target size ${fmtShape(target.shape)} that is different to the input size ${fmtShape(input.shape)} is not supported; please ensure they have the same size`,
    );
}

/**
 * Elementwise BCE with PyTorch's exact backward: ℓ = −(y·max(log x, −100) + (1 − y)·max(log(1 − x), −100)),
 * ∂ℓ/∂x = (x − y) / max(x·(1 − x), 1e-12), ∂ℓ/∂y = log(1 − x) − log x.
 */
class BinaryCrossEntropyFn extends Function {
  static override _keepsNoGrads = true;
  static override forward(ctx: FunctionCtx, x: Tensor, y: Tensor): Tensor {
    ctx.saveForBackward(x, y);
    const logX = x.log().clamp(-100, null);
    const log1mX = x.neg().add(1).log().clamp(-100, null);
    return y.mul(logX).add(y.neg().add(1).mul(log1mX)).neg();
  }
  static override backward(ctx: FunctionCtx, g: Tensor): (Tensor | null)[] {
    const [x, y] = ctx.savedTensors as [Tensor, Tensor];
    const gx = ctx.needsInputGrad[0] ? g.mul(x.sub(y)).div(x.mul(x.neg().add(1)).clamp(1e-12, null)) : null;
    const gy = ctx.needsInputGrad[1] ? g.mul(x.neg().add(1).log().sub(x.log())) : null;
    return [gx, gy];
  }
}
Object.defineProperty(BinaryCrossEntropyFn, "name", { value: "binaryCrossEntropy" });

/**
 * Binary cross-entropy of probabilities: ℓ = −w·(y·log x + (1 − y)·log(1 − x)), each log clamped
 * at −100 as PyTorch's. Inputs must lie in [0, 1] (use `binaryCrossEntropyWithLogits` on logits).
 *
 * Shapes: input [*], target same, weight broadcastable → scalar, or [*] with `reduction: "none"`.
 */
/** PyTorch's positional order (weight, sizeAverage, reduce, reduction; the deprecated sizeAverage and reduce must be null), then an optional options object. */
export function binaryCrossEntropy(input: Tensor, target: Tensor, ...args: PositionalArgs<[weight: ({ weight?: Tensor | null; reduction?: Reduction })["weight"], sizeAverage: null, reduce: null, reduction: ({ weight?: Tensor | null; reduction?: Reduction })["reduction"]], { weight?: Tensor | null; reduction?: Reduction }>): Tensor;
export function binaryCrossEntropy(input: Tensor, target: Tensor, options?: { weight?: Tensor | null; reduction?: Reduction }): Tensor;
export function binaryCrossEntropy(input: Tensor, target: Tensor, ...args: unknown[]): Tensor {
  let options = positionalOptions<{ weight?: Tensor | null; reduction?: Reduction }>("binaryCrossEntropy", args, { keys: ["weight", "sizeAverage", "reduce", "reduction"], deprecated: ["sizeAverage", "reduce"] });
  const { weight = null, reduction = "mean" } = options ?? {};
  const op = "binaryCrossEntropy";
  checkReduction(op, reduction);
  checkSameShape(op, input, target);
  for (const v of input.dataSync())
    if (!(v >= 0 && v <= 1)) throw new TensileError(`${op}: all elements of input should be between 0 and 1, found ${v}`);
  let loss = BinaryCrossEntropyFn.apply(input, target);
  if (weight) loss = loss.mul(weight);
  return applyReduction(loss, reduction);
}

/**
 * Binary cross-entropy of logits, fused with the sigmoid for stability:
 * ℓ = −w·(p·y·log σ(x) + (1 − y)·log(1 − σ(x))) = w·((1 − y)·x − (1 + (p − 1)·y)·log σ(x)),
 * p = `posWeight` (per class, broadcast along the last dim) trading recall against precision.
 *
 * Shapes: input [*], target same, weight / posWeight broadcastable → scalar, or [*].
 */
/** PyTorch's positional order (weight, sizeAverage, reduce, reduction, posWeight; the deprecated sizeAverage and reduce must be null), then an optional options object. */
export function binaryCrossEntropyWithLogits(input: Tensor, target: Tensor, ...args: PositionalArgs<[weight: ({ weight?: Tensor | null; reduction?: Reduction; posWeight?: Tensor | null })["weight"], sizeAverage: null, reduce: null, reduction: ({ weight?: Tensor | null; reduction?: Reduction; posWeight?: Tensor | null })["reduction"], posWeight: ({ weight?: Tensor | null; reduction?: Reduction; posWeight?: Tensor | null })["posWeight"]], { weight?: Tensor | null; reduction?: Reduction; posWeight?: Tensor | null }>): Tensor;
export function binaryCrossEntropyWithLogits(input: Tensor, target: Tensor, options?: { weight?: Tensor | null; reduction?: Reduction; posWeight?: Tensor | null }): Tensor;
export function binaryCrossEntropyWithLogits(input: Tensor, target: Tensor, ...args: unknown[]): Tensor {
  let options = positionalOptions<{ weight?: Tensor | null; reduction?: Reduction; posWeight?: Tensor | null }>("binaryCrossEntropyWithLogits", args, { keys: ["weight", "sizeAverage", "reduce", "reduction", "posWeight"], deprecated: ["sizeAverage", "reduce"] });
  const { weight = null, reduction = "mean", posWeight = null } = options ?? {};
  const op = "binaryCrossEntropyWithLogits";
  checkReduction(op, reduction);
  checkSameShape(op, input, target);
  const logSig = input.logSigmoid();
  const logWeight = posWeight ? posWeight.sub(1).mul(target).add(1) : null;
  let loss = target.neg().add(1).mul(input).sub(logWeight ? logWeight.mul(logSig) : logSig);
  if (weight) loss = loss.mul(weight);
  return applyReduction(loss, reduction);
}
