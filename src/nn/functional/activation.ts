/**
 * Activations, padding and one-hot live in core (they are Tensor methods too); `nn.functional`
 * re-exports them so `F.relu(x)` reads as in PyTorch. Below them, the activations that exist only
 * in `F` (as in PyTorch's `torch.nn.functional`), written over core ops so autograd supplies the
 * backward; where PyTorch has `inplace`, it is the same trailing positional argument.
 */
import { record } from "../../autograd/engine.js";
import { untraced } from "../../autograd/trace.js";
import * as C from "../../core.js";
import { type Tensor, randLike, sigmoid, softmax, softplus, tanh, where, zerosLike } from "../../core.js";
import { TensileError, fmtShape } from "../../errors.js";
import { inPlace } from "../../ops/inplace.js";
import { assertTensor, castTo } from "../../ops/util.js";
import { getDefaultDtype, isFloating } from "../../tensor/dtype.js";
import { normalizeDim } from "../../tensor/shape.js";
import { kwArgs } from "../../utils/positional.js";

export {
  gelu,
  softplus,
  sigmoid,
  logSigmoid,
  tanh,
  softmax,
  logSoftmax,
  pad,
  oneHot,
} from "../../core.js";

type T = Tensor;

/** The input as a floating tensor (integers become float32, as the core activations do). */
function floatIn(op: string, x: unknown): T {
  assertTensor(op, x);
  return castTo(x, isFloating(x.dtype) ? x.dtype : getDefaultDtype());
}

function num(op: string, name: string, v: unknown): number {
  if (typeof v !== "number") throw new TensileError(`${op}: ${name} must be a number, got ${typeof v === "string" ? JSON.stringify(v) : String(v)}`);
  return v;
}

function flag(op: string, name: string, v: unknown): boolean {
  if (typeof v !== "boolean") throw new TensileError(`${op}: ${name} must be a boolean, got ${typeof v === "string" ? JSON.stringify(v) : String(v)}`);
  return v;
}

/**
 * f(xf), xf the input as a floating tensor; or with `inplace`, input ← f(input) recorded as PyTorch
 * records `op_` (see `ops/inplace.ts`).
 */
function maybeInplace(op: string, input: T, xf: T, inplace: unknown, f: (t: T) => T): T {
  assertTensor(op, input);
  if (!flag(op, "inplace", inplace)) return f(xf);
  // an integer input the op computes in float32 cannot hold the result
  if (xf !== input) throw new TensileError(`${op}: inplace needs a floating tensor, got ${input.dtype}`);
  return inPlace(`${op}_`, input, f, [], true);
}

// ---- the core activations with PyTorch's `inplace` argument, and their `F.op_` forms ----

/** max(0, x) (integer tensors stay integer); `inplace` overwrites the input, as `x.relu_()`. */
export function relu(input: T, inplace = false): T {
  return inplace === false ? C.relu(input) : maybeInplace("relu", input, input, inplace, C.relu);
}
/** x for x > 0, else negativeSlope·x; `inplace` overwrites the input. */
export function leakyRelu(input: T, negativeSlope?: number | { negativeSlope?: number; inplace?: boolean }, inplace?: boolean | { inplace?: boolean }): T;
export function leakyRelu(input: T, ...args: unknown[]): T {
  // PyTorch's keywords: F.leakyRelu(x, { negativeSlope: 0.2 }), F.leakyRelu(x, 0.2, { inplace: true })
  const [negativeSlope = 0.01, inplace = false] = kwArgs("leakyRelu", args, ["negativeSlope", "inplace"]) as [number?, boolean?];
  return inplace === false ? C.leakyRelu(input, negativeSlope) : maybeInplace("leakyRelu", input, floatIn("leakyRelu", input), inplace, (x) => C.leakyRelu(x, negativeSlope));
}
/** x for x > 0, else α(eˣ − 1); `inplace` overwrites the input. */
export function elu(input: T, alpha?: number | { alpha?: number; inplace?: boolean }, inplace?: boolean | { inplace?: boolean }): T;
export function elu(input: T, ...args: unknown[]): T {
  const [alpha = 1, inplace = false] = kwArgs("elu", args, ["alpha", "inplace"]) as [number?, boolean?];
  return inplace === false ? C.elu(input, alpha) : maybeInplace("elu", input, floatIn("elu", input), inplace, (x) => C.elu(x, alpha));
}
/** scale·(max(0, x) + min(0, α(eˣ − 1))) with PyTorch's constants; `inplace` overwrites the input. */
export function selu(input: T, inplace = false): T {
  return inplace === false ? C.selu(input) : maybeInplace("selu", input, floatIn("selu", input), inplace, C.selu);
}
/** x·σ(x); `inplace` overwrites the input. */
export function silu(input: T, inplace = false): T {
  return inplace === false ? C.silu(input) : maybeInplace("silu", input, floatIn("silu", input), inplace, C.silu);
}
type HardtanhKw = { minVal?: number; maxVal?: number; inplace?: boolean };
/** x clamped to [minVal, maxVal] (also by name: `{ minVal, maxVal, inplace }`); `inplace` overwrites the input. */
export function hardtanh(input: T, minArg?: number | HardtanhKw, maxArg?: number | HardtanhKw, inplaceArg?: boolean | HardtanhKw): T {
  const [minVal = -1, maxVal = 1, inplace = false] = kwArgs("hardtanh", [minArg, maxArg, inplaceArg], ["minVal", "maxVal", "inplace"]) as [number?, number?, boolean?];
  return inplace === false ? C.hardtanh(input, minVal, maxVal) : maybeInplace("hardtanh", input, floatIn("hardtanh", input), inplace, (x) => C.hardtanh(x, minVal, maxVal));
}
/** `F.relu(input, true)`: PyTorch's `F.relu_`. */
export const relu_ = (input: T): T => relu(input, true);
/** `F.leakyRelu(input, negativeSlope, true)`: PyTorch's `F.leaky_relu_`. */
export const leakyRelu_ = (input: T, negativeSlope = 0.01): T => leakyRelu(input, negativeSlope, true);
/** `F.elu(input, alpha, true)`: PyTorch's `F.elu_`. */
export const elu_ = (input: T, alpha = 1): T => elu(input, alpha, true);
/** `F.selu(input, true)`: PyTorch's `F.selu_`. */
export const selu_ = (input: T): T => selu(input, true);
/** `F.hardtanh(input, minVal, maxVal, true)`: PyTorch's `F.hardtanh_`. */
export const hardtanh_ = (input: T, minVal = -1, maxVal = 1): T => hardtanh(input, minVal, maxVal, true);
/** `F.celu(input, alpha, true)`: PyTorch's `F.celu_`. */
export const celu_ = (input: T, alpha = 1): T => celu(input, alpha, true);
/** `F.threshold(input, threshold, value, true)`: PyTorch's `F.threshold_`. */
export const threshold_ = (input: T, th: number, value: number): T => threshold(input, th, value, true);
/** `F.rrelu(input, lower, upper, training, true)`: PyTorch's `F.rrelu_`. */
export const rrelu_ = (input: T, lower = 1 / 8, upper = 1 / 3, training = false): T => rrelu(input, lower, upper, training, true);

/**
 * relu6(x) = min(max(x, 0), 6): hardtanh(x, 0, 6), with PyTorch's gradient 0 at x = 0 and x = 6
 * (integer tensors stay integer).
 */
export function relu6(input: T, inplace = false): T {
  assertTensor("relu6", input);
  return maybeInplace("relu6", input, input, inplace, (x) => where(x.le(0), 0, where(x.ge(6), 6, x)));
}

/** hardsigmoid(x) = 0 for x ≤ −3, 1 for x ≥ 3, x/6 + ½ between (gradient 1/6 strictly inside). */
export function hardsigmoid(input: T, inplace = false): T {
  const xf = floatIn("hardsigmoid", input);
  return maybeInplace("hardsigmoid", input, xf, inplace, (x) =>
    // NaN falls outside (−3, 3): its value stays NaN (the detached x), its gradient 0, as PyTorch's
    where(x.gt(-3).logicalAnd(x.lt(3)), x.add(3).div(6), where(x.le(-3), 0, where(x.ge(3), 1, x.detach()))),
  );
}

/** hardswish(x) = x·hardsigmoid(x): 0 for x < −3, x for x > 3, x(x + 3)/6 on [−3, 3] (PyTorch's gradient there, x/3 + ½, ends included). */
export function hardswish(input: T, inplace = false): T {
  const xf = floatIn("hardswish", input);
  return maybeInplace("hardswish", input, xf, inplace, (x) => {
    const mid = x.ge(-3).logicalAnd(x.le(3));
    const xm = where(mid, x, 0); // the quadratic reads only [−3, 3], so a NaN elsewhere gets gradient 1, not NaN
    return where(x.lt(-3), 0, where(mid, xm.mul(xm.add(3)).div(6), x));
  });
}

/** mish(x) = x·tanh(softplus(x)). */
export function mish(input: T, inplace = false): T {
  const xf = floatIn("mish", input);
  return maybeInplace("mish", input, xf, inplace, (x) => x.mul(tanh(softplus(x))));
}

/** softsign(x) = x / (1 + |x|). */
export function softsign(input: T): T {
  const x = floatIn("softsign", input);
  return x.div(x.abs().add(1));
}

/** softmin along `dim` = softmax(−x, dim). */
export function softmin(input: T, dim: number): T {
  const x = floatIn("softmin", input);
  if (dim === undefined || dim === null) throw new TensileError("softmin: dim must be given (implicit dim choice is deprecated in PyTorch)");
  return softmax(x.neg(), num("softmin", "dim", dim));
}

/**
 * Gated linear unit: splits `dim` into halves a, b and returns a·σ(b).
 *
 * Shapes: [..., 2n, ...] → [..., n, ...].
 */
export function glu(input: T, dim = -1): T {
  const x = floatIn("glu", input);
  if (x.ndim === 0) throw new TensileError("glu: glu does not support scalars because halving size must be even");
  const d = normalizeDim("glu", num("glu", "dim", dim), x.ndim);
  const n = x.shape[d]!;
  if (n % 2 !== 0) throw new TensileError(`glu: Halving dimension must be even, but dimension ${d} is size ${n} (input shape ${fmtShape(x.shape)})`);
  return x.narrow(d, 0, n / 2).mul(sigmoid(x.narrow(d, n / 2, n / 2)));
}

/** celu(x) = x for x > 0, α(e^{x/α} − 1) otherwise (α ≠ 0). */
export function celu(input: T, alphaArg?: number | { alpha?: number; inplace?: boolean }, inplaceArg?: boolean | { inplace?: boolean }): T {
  const [alpha = 1, inplace = false] = kwArgs("celu", [alphaArg, inplaceArg], ["alpha", "inplace"]) as [number?, boolean?];
  const xf = floatIn("celu", input);
  num("celu", "alpha", alpha);
  if (alpha === 0) throw new TensileError("celu: ZeroDivisionError: alpha cannot be 0 for CELU");
  return maybeInplace("celu", input, xf, inplace, (x) => {
    const neg = x.le(0);
    // the exponential sees only x ≤ 0, so the unused branch stays finite; NaN takes the x branch
    return where(neg, where(neg, x, 0).mul(1 / alpha).expm1().mul(alpha), x);
  });
}

/** threshold(x) = x where x > threshold, else `value` (NaN stays NaN; integer tensors stay integer). */
export function threshold(input: T, threshold: number, value: number, inplace = false): T {
  assertTensor("threshold", input);
  num("threshold", "threshold", threshold);
  num("threshold", "value", value);
  return maybeInplace("threshold", input, input, inplace, (x) => where(x.le(threshold), value, x));
}

/** hardshrink(x) = x where |x| > λ, else 0 (default λ = 0.5). */
export function hardshrink(input: T, lambd = 0.5): T {
  const x = floatIn("hardshrink", input);
  num("hardshrink", "lambd", lambd);
  return where(x.ge(-lambd).logicalAnd(x.le(lambd)), 0, x);
}

/**
 * softshrink(x) = x − λ for x > λ, x + λ for x < −λ, else 0 (λ ≥ 0, default 0.5). As PyTorch 1.13:
 * NaN gives 0, and the gradient is 1 outside [−λ, λ] (NaN included).
 */
export function softshrink(input: T, lambd = 0.5): T {
  const x = floatIn("softshrink", input);
  num("softshrink", "lambd", lambd);
  if (!(lambd >= 0)) throw new TensileError(`softshrink: lambda must be greater or equal to 0, but found to be ${lambd}.`);
  const xd = x.detach();
  const inside = xd.ge(-lambd).logicalAnd(xd.le(lambd));
  const out = untraced(() => where(xd.gt(lambd), xd.sub(lambd), where(xd.lt(-lambd), xd.add(lambd), 0)));
  return record("softshrink", out, [x], (g) => [where(inside, 0, g)], [inside], [inside]);
}

/** tanhshrink(x) = x − tanh(x). */
export function tanhshrink(input: T): T {
  const x = floatIn("tanhshrink", input);
  return x.sub(tanh(x));
}

/**
 * prelu(x, weight) = x for x > 0, w·x otherwise, with one learnt slope (`weight` of 1 element) or
 * one per channel (dim 1 of x, `weight` [C]).
 */
export function prelu(input: T, weight: T): T {
  const op = "prelu";
  const x = floatIn(op, input);
  assertTensor(op, weight, "weight");
  if (weight.ndim > 1) throw new TensileError(`${op}: Expected \`weight\` to be a scalar or 1D tensor, but got ndim = ${weight.ndim}`);
  const n = weight.numel();
  let w: T;
  if (n === 1) w = weight.reshape([]);
  else {
    if (x.ndim === 0) throw new TensileError(`${op}: Not allow zero-dim input tensor (weight has ${n} elements).`);
    const channels = x.ndim > 1 ? x.shape[1]! : 1;
    if (channels !== n)
      throw new TensileError(
        `${op}: Mismatch of parameter numbers and input channel size. Found parameter numbers = ${n} and channel size = ${channels} (input shape ${fmtShape(x.shape)}).`,
      );
    w = weight.reshape([n, ...new Array<number>(x.ndim - 2).fill(1)]);
  }
  return where(x.gt(0), x, x.mul(w));
}

/**
 * Randomized leaky ReLU. Training: each x ≤ 0 is multiplied by its own slope drawn uniformly from
 * [lower, upper] (the global generator); eval (the default): leakyRelu with slope (lower + upper)/2.
 */
export function rrelu(input: T, lower = 1 / 8, upper = 1 / 3, training = false, inplace = false): T {
  const op = "rrelu";
  const xf = floatIn(op, input);
  num(op, "lower", lower);
  num(op, "upper", upper);
  flag(op, "training", training);
  if (!(lower <= upper)) throw new TensileError(`${op}: Lower bound should be less than or equal to the upper bound (lower ${lower}, upper ${upper})`);
  if (!training) return maybeInplace(op, input, xf, inplace, (x) => leakyRelu(x, (lower + upper) / 2));
  const slopes = randLike(xf).mul(upper - lower).add(lower);
  return maybeInplace(op, input, xf, inplace, (x) => where(x.le(0), x.mul(slopes), x));
}

export interface GumbelSoftmaxOptions {
  /** Temperature τ > 0 (default 1). */
  tau?: number;
  /** Return one-hot vectors whose gradient is the soft sample's (straight-through; default false). */
  hard?: boolean;
  /** Deprecated in PyTorch and without effect. */
  eps?: number;
  /** The class dim (default −1). */
  dim?: number;
}

/**
 * A sample from the Gumbel-softmax distribution: softmax((logits + g)/τ) along `dim`, with g
 * standard Gumbel noise (from the global generator). With `hard`, the one-hot vector of each
 * sample's argmax, whose gradient is the soft sample's (y_hard − sg(y_soft) + y_soft).
 * `F.gumbelSoftmax(logits, { tau: 0.5, hard: true })`, or PyTorch's positional (tau, hard, eps, dim).
 *
 * Shapes: any (at least 1-D) → same.
 */
export function gumbelSoftmax(logits: T, tau: number | GumbelSoftmaxOptions | null = 1, hard = false, eps = 1e-10, dim = -1): T {
  const op = "gumbelSoftmax";
  if (tau === null || typeof tau === "object") ({ tau = 1, hard = false, eps = 1e-10, dim = -1 } = tau ?? {});
  const x = floatIn(op, logits);
  num(op, "tau", tau);
  flag(op, "hard", hard);
  num(op, "eps", eps);
  const d = normalizeDim(op, num(op, "dim", dim), x.ndim);
  // g = −log(E), E ~ Exp(1) = −log(1 − U); U in float64 so E = 0 (g = ∞) has probability 2⁻⁵³
  const gumbels = randLike(x, { dtype: "float64" }).neg().log1p().neg().log().neg().to(x.dtype);
  const soft = softmax(x.add(gumbels).div(tau), d);
  if (!hard) return soft;
  const oneHot = zerosLike(soft).scatter(d, soft.detach().argmax(d, true), 1);
  return oneHot.sub(soft.detach()).add(soft);
}
