import { record } from "../autograd/engine.js";
import { traceAttrs, untraced } from "../autograd/trace.js";
import { isGradEnabled } from "../autograd/grad-mode.js";
import { TensileError, fmtValue } from "../errors.js";
import { type DType, getDefaultDtype, isFloating } from "../tensor/dtype.js";
import { kwArgs } from "../utils/positional.js";
import { normalizeDim } from "../tensor/shape.js";
import type { Tensor } from "../tensor/tensor.js";
import * as E from "./elementwise.js";
import { assertTensor, castTo, wrap } from "./util.js";

type T = Tensor;

function floatInput(op: string, x: T): T {
  assertTensor(op, x);
  return castTo(x, isFloating(x.dtype) ? x.dtype : getDefaultDtype());
}

/** relu(x) = max(x, 0). */
export function relu(x: T): T {
  assertTensor("relu", x);
  const out = E.unaryRaw("relu", x);
  // torch's threshold_backward: 0 where out ≤ 0, else g (so a NaN input passes g on, as torch's);
  // two kernels, where g·(out > 0) needs a third to turn the mask into floats
  return record("relu", out, [x], (g) => [E.where(out.le(0), 0, g)], undefined, [out]);
}

/** sigmoid(x) = 1 / (1 + e^-x); dσ = σ(1 − σ). */
export function sigmoid(x: T): T {
  const xf = floatInput("sigmoid", x);
  const out = E.unaryRaw("sigmoid", xf);
  return record("sigmoid", out, [xf], (g) => [g.mul(out).mul(E.sub(1, out))], undefined, [out]);
}

/** tanh(x); d tanh = 1 − tanh². */
export function tanh(x: T): T {
  const xf = floatInput("tanh", x);
  const out = E.unaryRaw("tanh", xf);
  return record("tanh", out, [xf], (g) => [g.mul(E.sub(1, out.mul(out)))], undefined, [out]);
}

/** leakyRelu(x) = x for x > 0, slope·x otherwise; one graph node, derivative 1 or slope. */
export function leakyRelu(x: T, slope?: number | { negativeSlope?: number }): T {
  const [negativeSlope = 0.01] = kwArgs("leakyRelu", [slope], ["negativeSlope"]) as [number?];
  const xf = floatInput("leakyRelu", x);
  const pos = xf.detach().gt(0);
  const out = untraced(() => E.where(pos, xf.detach(), E.mul(xf.detach(), negativeSlope)));
  traceAttrs(out, { alpha: negativeSlope });
  // g·slope in g's dtype, as torch's leaky_relu_backward (a where(pos, 1, slope) of two numbers is
  // made in float32, which rounded a float64 gradient's slope to 0.009999999776…)
  return record("leakyRelu", out, [xf], (g) => [E.where(pos, g, g.mul(negativeSlope))], undefined, [xf]);
}

/**
 * elu(x) = x for x > 0, α(eˣ − 1) otherwise (expm1 of min(x, 0) keeps the unused branch finite);
 * one graph node, derivative 1 or out + α below 0.
 */
export function elu(x: T, alphaArg?: number | { alpha?: number }): T {
  const [alpha = 1] = kwArgs("elu", [alphaArg], ["alpha"]) as [number?];
  const xf = floatInput("elu", x);
  const xd = xf.detach();
  const pos = xd.gt(0);
  const out = untraced(() => E.where(pos, xd, E.expm1(E.minimum(xd, 0)).mul(alpha)));
  traceAttrs(out, { alpha });
  // under createGraph the x ≤ 0 branch is rebuilt from x; at x = 0 it is the constant α (PyTorch's
  // second derivative there is 0: its double backward masks with x < 0)
  return record("elu", out, [xf], (g) => [g.mul(E.where(pos, 1, isGradEnabled() ? E.where(xd.lt(0), elu(xf, alpha).add(alpha), alpha) : out.add(alpha)))], undefined, [xf, out]);
}

const SELU_ALPHA = 1.6732632423543772848170429916717;
const SELU_SCALE = 1.0507009873554804934193349852946;
export const selu = (x: T): T => elu(x, SELU_ALPHA).mul(SELU_SCALE);

/** gelu(x) = x·Φ(x) = ½x(1 + erf(x/√2)); "tanh": ½x(1 + tanh(√(2/π)(x + 0.044715x³))). */
export function gelu(x: T, opts: { approximate?: "none" | "tanh" } = {}): T {
  const xf = floatInput("gelu", x);
  const mode = opts?.approximate ?? "none";
  if (mode === "tanh") {
    const inner = xf.add(xf.pow(3).mul(0.044715)).mul(Math.sqrt(2 / Math.PI));
    return xf.mul(0.5).mul(tanh(inner).add(1));
  }
  if (mode !== "none") throw new TensileError(`gelu: approximate must be "none" or "tanh", got "${mode}"`);
  // one kernel each way; under createGraph the derivative is built of differentiable ops
  const out = E.unaryRaw("gelu", xf);
  return record("gelu", out, [xf], (g) => [g.mul(isGradEnabled() ? geluGrad(xf) : E.unaryRaw("geluGrad", xf))], undefined, [xf]);
}

/** Φ(x) + x·φ(x), differentiable. */
const geluGrad = (x: T): T =>
  E.erf(x.mul(Math.SQRT1_2)).add(1).mul(0.5).add(x.mul(E.exp(x.mul(x).mul(-0.5))).mul(1 / Math.sqrt(2 * Math.PI)));

/** silu(x) = x·σ(x); derivative σ(x)·(1 + x·(1 − σ(x))). */
export function silu(x: T): T {
  const xf = floatInput("silu", x);
  const out = E.unaryRaw("silu", xf);
  return record("silu", out, [xf], (g) => {
    if (!isGradEnabled()) return [g.mul(E.unaryRaw("siluGrad", xf))];
    const s = sigmoid(xf);
    return [g.mul(s.mul(xf.mul(E.sub(1, s)).add(1)))];
  }, undefined, [xf]);
}

/** PyTorch's keywords of softplus: `F.softplus(x, { beta: 2, threshold: 10 })`. */
export interface SoftplusOptions {
  beta?: number;
  threshold?: number;
}

/** softplus(x) = log(1 + e^{βx})/β, and x itself where βx > threshold. */
export function softplus(x: T, betaArg?: number | SoftplusOptions, thresholdArg?: number | SoftplusOptions): T {
  const [beta = 1, threshold = 20] = kwArgs("softplus", [betaArg, thresholdArg], ["beta", "threshold"]) as [number?, number?];
  const xf = floatInput("softplus", x);
  const xd = xf.detach();
  const bx = xd.mul(beta);
  const big = bx.gt(threshold);
  const out = untraced(() => E.where(big, xd, E.log1p(E.exp(E.where(big, 0, bx))).div(beta)));
  traceAttrs(out, { beta, threshold });
  // PyTorch's rules: σ(βx) for βx ≤ threshold, 1 above (the composite's minimum(βx, threshold) split
  // its gradient at the tie, halving it); under createGraph the second derivative is β·σ'(βx) for
  // βx < threshold only, as PyTorch's softplus_double_backward masks it
  return record("softplus", out, [xf], (g) => {
    if (!isGradEnabled()) return [g.mul(E.where(big, 1, bx.sigmoid()))];
    return [g.mul(E.where(big, 1, E.where(bx.lt(threshold), xf.mul(beta).sigmoid(), bx.sigmoid())))];
  }, undefined, [xf]);
}

/** logσ(x) = min(x, 0) − log(1 + e^{−|x|}), stable for large |x|. */
export function logSigmoid(x: T): T {
  const xf = floatInput("logSigmoid", x);
  const xd = xf.detach();
  const out = untraced(() => E.minimum(xd, 0).sub(E.log1p(E.exp(E.abs(xd).neg()))));
  // its own rule, σ(−x): composing min and |x| gave a second derivative of 0 at x = 0 (−¼ there)
  return record("logSigmoid", out, [xf], (g) => [g.mul(xf.neg().sigmoid())], undefined, [xf]);
}

/** PyTorch's `min_val=` / `max_val=` of hardtanh by name: `F.hardtanh(x, { minVal: 0, maxVal: 6 })`. */
export interface HardtanhOptions {
  minVal?: number;
  maxVal?: number;
}

/**
 * hardtanh(x) = clamp(x, minVal, maxVal), with PyTorch's hardtanh gradient: 1 strictly inside
 * (minVal, maxVal), 0 at the bounds and outside — where clamp's gradient is 1 at the bounds.
 */
export function hardtanh(x: T, minArg?: number | HardtanhOptions, maxArg?: number | HardtanhOptions): T {
  const [minVal = -1, maxVal = 1] = kwArgs("hardtanh", [minArg, maxArg], ["minVal", "maxVal"]) as [number?, number?];
  const xf = floatInput("hardtanh", x);
  const inside = xf.gt(minVal).logicalAnd(xf.lt(maxVal));
  return E.where(inside, xf, E.clamp(xf.detach(), minVal, maxVal));
}

/** PyTorch's keywords of softmax / logSoftmax: `dim` by name, and `dtype` (the input is cast to it first). */
export interface SoftmaxOptions {
  dim?: number;
  dtype?: DType | null;
}

/** The input of softmax / logSoftmax as a float tensor, cast to `dtype` when given (PyTorch's `dtype=`). */
function softmaxArgs(op: string, x: T, dim: number | SoftmaxOptions, options: SoftmaxOptions | null | undefined): [T, number] {
  [dim, options] = kwArgs(op, [dim, options], ["dim"], ["dtype"]) as [number, SoftmaxOptions?];
  if (dim === undefined || dim === null) throw new TensileError(`${op}: dim must be given (implicit dim choice is deprecated in PyTorch)`);
  const dtype = options?.dtype;
  if (dtype === undefined || dtype === null) return [floatInput(op, x), dim];
  assertTensor(op, x);
  if (!isFloating(dtype)) throw new TensileError(`${op}: dtype must be float32 or float64, got ${fmtValue(dtype)}`);
  return [castTo(x, dtype), dim];
}

/**
 * softmax along `dim`: e^{x−max} / Σ e^{x−max}; backward y ⊙ (g − Σ g⊙y). `dim` positionally or by
 * name, and PyTorch's `dtype`: `softmax(x, 1, { dtype: "float64" })`, `x.softmax({ dim: -1 })`.
 */
export function softmax(x: T, dim: number | SoftmaxOptions, options?: SoftmaxOptions | null): T {
  let xf: T;
  [xf, dim] = softmaxArgs("softmax", x, dim, options);
  const d = normalizeDim("softmax", dim, xf.ndim);
  const out = softmaxForward(xf, d, false);
  traceAttrs(out, { axis: d });
  return record("softmax", out, [xf], (g) => [softmaxBackward(g, out, d, false) ?? out.mul(g.sub(g.mul(out).sum(d, true)))], undefined, [out]);
}

/** logSoftmax along `dim`: x − max − log Σ e^{x−max}; backward g − softmax·Σg. */
export function logSoftmax(x: T, dim: number | SoftmaxOptions, options?: SoftmaxOptions | null): T {
  let xf: T;
  [xf, dim] = softmaxArgs("logSoftmax", x, dim, options);
  const d = normalizeDim("logSoftmax", dim, xf.ndim);
  const out = softmaxForward(xf, d, true);
  traceAttrs(out, { axis: d });
  return record("logSoftmax", out, [xf], (g) => [softmaxBackward(g, out, d, true) ?? g.sub(E.exp(out).mul(g.sum(d, true)))], undefined, [out]);
}

/**
 * The backward pass in one backend call where the backend has the kernel and no graph is being
 * built; null otherwise (under `createGraph` the gradient must be made of differentiable ops).
 */
function softmaxBackward(g: T, out: T, d: number, log: boolean): T | null {
  const be = out.backend;
  if (!be.softmaxBackward || isGradEnabled() || g.backend !== be || g.dtype !== out.dtype) return null;
  return wrap(be, be.softmaxBackward(g, out, d, log), out.shape);
}

/**
 * The forward value (no graph): one backend call where the backend has a softmax kernel, else
 * composed: x − max, then e^· over its sum or minus log Σ e^·. As in PyTorch, a line holding NaN
 * or +Infinity, or only −Infinity, comes out NaN (x − max or the sum is NaN there).
 */
function softmaxForward(xf: T, d: number, log: boolean): T {
  if (xf.backend.softmax) return wrap(xf.backend, xf.backend.softmax(xf, d, log), xf.shape);
  return untraced(() => softmaxComposed(xf, d, log));
}

function softmaxComposed(xf: T, d: number, log: boolean): T {
  const xd = xf.detach();
  if (xd.numel() === 0) return xd.clone();
  const shifted = xd.sub(xd.amax(d, true));
  if (log) return shifted.sub(E.log(E.exp(shifted).sum(d, true)));
  const e = E.exp(shifted);
  return e.div(e.sum(d, true));
}

