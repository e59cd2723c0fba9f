/**
 * Activation layers: thin modules over the activation ops (formulas in `docs/op-signatures.md`
 * and the op docstrings). Shapes: any → same (Softmax/LogSoftmax normalise along `dim`).
 * ```ts
 * new nn.ReLU().forward(tensor([-1, 2])); // [0, 2]
 * ```
 */
import { Parameter, Tensor, full, gelu, logSigmoid, logSoftmax, relu, sigmoid, softmax, softplus, tanh } from "../../core.js";
import { TensileError, fmtShape } from "../../errors.js";
import {
  celu, elu, glu, hardshrink, hardsigmoid, hardswish, hardtanh, leakyRelu, mish, prelu, relu6, rrelu, selu, silu, softmin, softshrink,
  softsign, tanhshrink, threshold,
} from "../functional/activation.js";
import { Module } from "../module.js";
import { type WithOptions, positionalOptions } from "../../utils/positional.js";
import { pyFloat, pyRepr } from "../repr.js";
import { choiceArg, dimArg } from "./ctor-checks.js";

/**
 * max(0, x); `{inplace: true}` overwrites the input (`x.relu_()`), as `nn.ReLU(inplace=True)`. For
 * code ported from PyTorch: it saves no memory here, since an in-place op autograd records is
 * computed out of place and copied in (see `docs/architecture.md`, "In-place ops").
 */
export class ReLU extends Module {
  readonly inplace: boolean;
  /** `new nn.ReLU()`, PyTorch's positional `new nn.ReLU(true)`, or `{ inplace: true }`. */
  constructor(inplace: boolean | { inplace?: boolean } = false) {
    super();
    this.inplace = inplaceArg("ReLU", inplace);
  }
  override forward(input: Tensor): Tensor {
    return this.inplace ? input.relu_() : relu(input);
  }
  override extraRepr(): string {
    return this.inplace ? "inplace=True" : "";
  }
}

/** max(0, x) + negativeSlope·min(0, x). */
export class LeakyReLU extends Module {
  readonly negativeSlope: number;
  readonly inplace: boolean;
  /** PyTorch's positional order (negativeSlope, inplace), then an optional options object. */
  constructor(...args: WithOptions<[negativeSlope: number, inplace: boolean], { negativeSlope?: number; inplace?: boolean }>) {
    super();
    const o = positionalOptions<{ negativeSlope?: number; inplace?: boolean }>("LeakyReLU", args, { keys: ["negativeSlope", "inplace"], known: [] });
    this.negativeSlope = numArg("LeakyReLU", "negativeSlope", o.negativeSlope ?? 0.01);
    this.inplace = inplaceArg("LeakyReLU", o.inplace ?? false);
  }
  override forward(input: Tensor): Tensor {
    return leakyRelu(input, this.negativeSlope, this.inplace);
  }
  override extraRepr(): string {
    return `negative_slope=${pyFloat(this.negativeSlope)}${this.inplace ? ", inplace=True" : ""}`;
  }
}

/** x if x > 0 else α·(eˣ − 1). */
export class ELU extends Module {
  readonly alpha: number;
  readonly inplace: boolean;
  /** PyTorch's positional order (alpha, inplace), then an optional options object. */
  constructor(...args: WithOptions<[alpha: number, inplace: boolean], { alpha?: number; inplace?: boolean }>) {
    super();
    const o = positionalOptions<{ alpha?: number; inplace?: boolean }>("ELU", args, { keys: ["alpha", "inplace"], known: [] });
    this.alpha = numArg("ELU", "alpha", o.alpha ?? 1);
    this.inplace = inplaceArg("ELU", o.inplace ?? false);
  }
  override forward(input: Tensor): Tensor {
    return elu(input, this.alpha, this.inplace);
  }
  override extraRepr(): string {
    return `alpha=${pyFloat(this.alpha)}${this.inplace ? ", inplace=True" : ""}`;
  }
}

/** λ·(x if x > 0 else α·(eˣ − 1)), λ ≈ 1.0507, α ≈ 1.6733. */
export class SELU extends Module {
  readonly inplace: boolean;
  /** `new nn.SELU()`, PyTorch's positional `new nn.SELU(true)`, or `{ inplace: true }`. */
  constructor(inplace: boolean | { inplace?: boolean } = false) {
    super();
    this.inplace = inplaceArg("SELU", inplace);
  }
  override forward(input: Tensor): Tensor {
    return selu(input, this.inplace);
  }
  override extraRepr(): string {
    return inplaceRepr(this.inplace);
  }
}

/** x·Φ(x) (exact), or the tanh approximation with `approximate: "tanh"`. */
export class GELU extends Module {
  readonly approximate: "none" | "tanh";
  constructor(approximate: "none" | "tanh" | { approximate?: "none" | "tanh" } = "none") {
    super();
    this.approximate = choiceArg("GELU", "approximate", typeof approximate === "object" ? (approximate?.approximate ?? "none") : approximate, ["none", "tanh"]);
  }
  override forward(input: Tensor): Tensor {
    return gelu(input, { approximate: this.approximate });
  }
  override extraRepr(): string {
    return `approximate=${pyRepr(this.approximate)}`;
  }
}

/** x·σ(x) (a.k.a. swish). */
export class SiLU extends Module {
  readonly inplace: boolean;
  /** `new nn.SiLU()`, PyTorch's positional `new nn.SiLU(true)`, or `{ inplace: true }`. */
  constructor(inplace: boolean | { inplace?: boolean } = false) {
    super();
    this.inplace = inplaceArg("SiLU", inplace);
  }
  override forward(input: Tensor): Tensor {
    return silu(input, this.inplace);
  }
  override extraRepr(): string {
    return inplaceRepr(this.inplace);
  }
}

/** 1 / (1 + e⁻ˣ). */
export class Sigmoid extends Module {
  override forward(input: Tensor): Tensor {
    return sigmoid(input);
  }
}

/** log σ(x). */
export class LogSigmoid extends Module {
  override forward(input: Tensor): Tensor {
    return logSigmoid(input);
  }
}

export class Tanh extends Module {
  override forward(input: Tensor): Tensor {
    return tanh(input);
  }
}

/** clamp(x, minVal, maxVal). */
export class Hardtanh extends Module {
  readonly minVal: number;
  readonly maxVal: number;
  readonly inplace: boolean;
  /** PyTorch's positional order (minVal, maxVal, inplace), then an optional options object. */
  constructor(...args: WithOptions<[minVal: number, maxVal: number, inplace: boolean], { minVal?: number; maxVal?: number; inplace?: boolean }>) {
    super();
    const o = positionalOptions<{ minVal?: number; maxVal?: number; inplace?: boolean }>("Hardtanh", args, { keys: ["minVal", "maxVal", "inplace"], known: [] });
    this.minVal = numArg("Hardtanh", "minVal", o.minVal ?? -1);
    this.maxVal = numArg("Hardtanh", "maxVal", o.maxVal ?? 1);
    if (!(this.maxVal > this.minVal)) throw new TensileError(`Hardtanh: maxVal (${this.maxVal}) must be greater than minVal (${this.minVal})`);
    this.inplace = inplaceArg("Hardtanh", o.inplace ?? false);
  }
  override forward(input: Tensor): Tensor {
    return hardtanh(input, this.minVal, this.maxVal, this.inplace);
  }
  override extraRepr(): string {
    return `min_val=${pyFloat(this.minVal)}, max_val=${pyFloat(this.maxVal)}${this.inplace ? ", inplace=True" : ""}`;
  }
}

/** (1/β)·log(1 + e^{βx}), linear above βx > threshold. */
export class Softplus extends Module {
  readonly beta: number;
  readonly threshold: number;
  /** PyTorch's positional order (beta, threshold), then an optional options object. */
  constructor(...args: WithOptions<[beta: number, threshold: number], { beta?: number; threshold?: number }>) {
    super();
    const o = positionalOptions<{ beta?: number; threshold?: number }>("Softplus", args, { keys: ["beta", "threshold"], known: [] });
    this.beta = numArg("Softplus", "beta", o.beta ?? 1);
    // PyTorch takes beta = 0 and returns inf/NaN (log(1 + e^0)/0)
    if (this.beta === 0) throw new TensileError("Softplus: beta must be non-zero (the output is log(1 + exp(beta·x)) / beta), got 0");
    this.threshold = numArg("Softplus", "threshold", o.threshold ?? 20);
  }
  override forward(input: Tensor): Tensor {
    return softplus(input, this.beta, this.threshold);
  }
  override extraRepr(): string {
    return `beta=${pyRepr(this.beta)}, threshold=${pyRepr(this.threshold)}`;
  }
}

/** PyTorch's legacy choice when no dim is given: 0 for 0-, 1- and 3-D inputs, else 1. */
function implicitDim(ndim: number): number {
  return ndim === 0 || ndim === 1 || ndim === 3 ? 0 : 1;
}

/** exp(xᵢ) / Σⱼ exp(xⱼ) along `dim` (`null`: PyTorch's legacy implicit dim; pass a dim). */
export class Softmax extends Module {
  constructor(readonly dim: number | null = null) {
    super();
    if (dim !== null) dimArg("Softmax", "dim", dim);
  }
  override forward(input: Tensor): Tensor {
    return softmax(input, this.dim ?? implicitDim(input.ndim));
  }
  override extraRepr(): string {
    return `dim=${pyRepr(this.dim)}`;
  }
}

/** log softmax(x) along `dim`, computed stably as x − logsumexp(x). */
export class LogSoftmax extends Module {
  constructor(readonly dim: number | null = null) {
    super();
    if (dim !== null) dimArg("LogSoftmax", "dim", dim);
  }
  override forward(input: Tensor): Tensor {
    return logSoftmax(input, this.dim ?? implicitDim(input.ndim));
  }
  override extraRepr(): string {
    return `dim=${pyRepr(this.dim)}`;
  }
}

// ---- activations only in nn.functional: each layer calls its F function ----

/** PyTorch's positional `inplace`, or `{inplace}`. */
function inplaceArg(layer: string, v: boolean | { inplace?: boolean } | null | undefined): boolean {
  const b = typeof v === "object" ? (v?.inplace ?? false) : v;
  if (typeof b !== "boolean") throw new TensileError(`${layer}: inplace must be a boolean, got ${String(b)}`);
  return b;
}

/** A number option, checked at construction so bad values fail there (NaN too: it would make the outputs NaN or constant). */
function numArg(layer: string, name: string, v: unknown): number {
  if (typeof v !== "number" || Number.isNaN(v)) throw new TensileError(`${layer}: ${name} must be a number, got ${typeof v === "string" ? JSON.stringify(v) : String(v)}`);
  return v;
}

const inplaceRepr = (inplace: boolean): string => (inplace ? "inplace=True" : "");

/** min(max(0, x), 6). `new nn.ReLU6()`, `new nn.ReLU6(true)` or `{inplace: true}`. */
export class ReLU6 extends Module {
  readonly inplace: boolean;
  constructor(inplace: boolean | { inplace?: boolean } = false) {
    super();
    this.inplace = inplaceArg("ReLU6", inplace);
  }
  override forward(input: Tensor): Tensor {
    return relu6(input, this.inplace);
  }
  override extraRepr(): string {
    return inplaceRepr(this.inplace);
  }
}

/** 0 below −3, 1 above 3, x/6 + ½ between. */
export class Hardsigmoid extends Module {
  readonly inplace: boolean;
  constructor(inplace: boolean | { inplace?: boolean } = false) {
    super();
    this.inplace = inplaceArg("Hardsigmoid", inplace);
  }
  override forward(input: Tensor): Tensor {
    return hardsigmoid(input, this.inplace);
  }
  // PyTorch 1.13 prints no extra_repr here, inplace or not
}

/** x·hardsigmoid(x). */
export class Hardswish extends Module {
  readonly inplace: boolean;
  constructor(inplace: boolean | { inplace?: boolean } = false) {
    super();
    this.inplace = inplaceArg("Hardswish", inplace);
  }
  override forward(input: Tensor): Tensor {
    return hardswish(input, this.inplace);
  }
}

/** x·tanh(softplus(x)). */
export class Mish extends Module {
  readonly inplace: boolean;
  constructor(inplace: boolean | { inplace?: boolean } = false) {
    super();
    this.inplace = inplaceArg("Mish", inplace);
  }
  override forward(input: Tensor): Tensor {
    return mish(input, this.inplace);
  }
  override extraRepr(): string {
    return inplaceRepr(this.inplace);
  }
}

/** x for x > 0, α(e^{x/α} − 1) otherwise. `new nn.CELU(0.5)`, `new nn.CELU(1, true)` or `{alpha, inplace}`. */
export class CELU extends Module {
  readonly alpha: number;
  readonly inplace: boolean;
  constructor(alpha: number | { alpha?: number; inplace?: boolean } = 1, inplace = false) {
    super();
    if (typeof alpha === "object" && alpha !== null) ({ alpha = 1, inplace = false } = alpha);
    this.alpha = numArg("CELU", "alpha", alpha);
    if (this.alpha === 0) throw new TensileError("CELU: ZeroDivisionError: alpha cannot be 0 for CELU");
    this.inplace = inplaceArg("CELU", inplace);
  }
  override forward(input: Tensor): Tensor {
    return celu(input, this.alpha, this.inplace);
  }
  override extraRepr(): string {
    return `alpha=${pyFloat(this.alpha)}${this.inplace ? ", inplace=True" : ""}`;
  }
}

/** Randomized leaky ReLU: random slopes in [lower, upper] in training, their mean in eval. See `F.rrelu`. */
export class RReLU extends Module {
  readonly lower: number;
  readonly upper: number;
  readonly inplace: boolean;
  constructor(lower: number | { lower?: number; upper?: number; inplace?: boolean } = 1 / 8, upper = 1 / 3, inplace = false) {
    super();
    if (typeof lower === "object" && lower !== null) ({ lower = 1 / 8, upper = 1 / 3, inplace = false } = lower);
    this.lower = numArg("RReLU", "lower", lower);
    this.upper = numArg("RReLU", "upper", upper);
    if (this.lower > this.upper)
      throw new TensileError(`RReLU: Lower bound should be less than or equal to the upper bound (lower ${this.lower}, upper ${this.upper})`);
    this.inplace = inplaceArg("RReLU", inplace);
  }
  override forward(input: Tensor): Tensor {
    return rrelu(input, this.lower, this.upper, this.training, this.inplace);
  }
  override extraRepr(): string {
    return `lower=${pyFloat(this.lower)}, upper=${pyFloat(this.upper)}${this.inplace ? ", inplace=True" : ""}`;
  }
}

/**
 * x for x > 0, a·x otherwise, with a learnt: one slope, or one per channel (dim 1 of the input).
 * Parameter `weight` [numParameters], initialised to `init` (0.25).
 */
export class PReLU extends Module {
  readonly numParameters: number;
  weight: Parameter;
  constructor(numParameters: number | { numParameters?: number; init?: number } = 1, init = 0.25) {
    super();
    if (typeof numParameters === "object" && numParameters !== null) ({ numParameters = 1, init = 0.25 } = numParameters);
    if (!Number.isInteger(numParameters) || numParameters < 1)
      throw new TensileError(`PReLU: num_parameters must be a positive integer, got ${String(numParameters)}`);
    numArg("PReLU", "init", init);
    this.numParameters = numParameters;
    this.weight = new Parameter(full([numParameters], init));
  }
  override forward(input: Tensor): Tensor {
    return prelu(input, this.weight);
  }
  override extraRepr(): string {
    return `num_parameters=${this.numParameters}`;
  }
}

/** x / (1 + |x|). */
export class Softsign extends Module {
  override forward(input: Tensor): Tensor {
    return softsign(input);
  }
}

/** x − tanh(x). */
export class Tanhshrink extends Module {
  override forward(input: Tensor): Tensor {
    return tanhshrink(input);
  }
}

/** softmax(−x) along `dim` (`null`: PyTorch's legacy implicit dim; pass a dim). */
export class Softmin extends Module {
  constructor(readonly dim: number | null = null) {
    super();
    if (dim !== null) dimArg("Softmin", "dim", dim);
  }
  override forward(input: Tensor): Tensor {
    return softmin(input, this.dim ?? implicitDim(input.ndim));
  }
  override extraRepr(): string {
    return `dim=${pyRepr(this.dim)}`;
  }
}

/** softmax over the channels of each location: dim −3 of a [C, H, W] or [N, C, H, W] input. */
export class Softmax2d extends Module {
  override forward(input: Tensor): Tensor {
    if (!(input instanceof Tensor) || (input.ndim !== 3 && input.ndim !== 4))
      throw new TensileError(`Softmax2d: Softmax2d requires a 3D or 4D tensor as input, got ${input instanceof Tensor ? fmtShape(input.shape) : String(input)}`);
    return softmax(input, -3);
  }
}

/** x where x > threshold, else value. */
export class Threshold extends Module {
  readonly threshold: number;
  readonly value: number;
  readonly inplace: boolean;
  constructor(threshold: number, value: number, inplace = false) {
    super();
    this.threshold = numArg("Threshold", "threshold", threshold);
    this.value = numArg("Threshold", "value", value);
    this.inplace = inplaceArg("Threshold", inplace);
  }
  override forward(input: Tensor): Tensor {
    return threshold(input, this.threshold, this.value, this.inplace);
  }
  override extraRepr(): string {
    return `threshold=${pyRepr(this.threshold)}, value=${pyRepr(this.value)}${this.inplace ? ", inplace=True" : ""}`;
  }
}

/** a·σ(b), a and b the halves of `dim` (default −1). */
export class GLU extends Module {
  readonly dim: number;
  constructor(dim: number | { dim?: number } = -1) {
    super();
    this.dim = dimArg("GLU", "dim", typeof dim === "object" && dim !== null ? (dim.dim ?? -1) : dim);
  }
  override forward(input: Tensor): Tensor {
    return glu(input, this.dim);
  }
  override extraRepr(): string {
    return `dim=${this.dim}`;
  }
}

/** x where |x| > λ, else 0. */
export class Hardshrink extends Module {
  readonly lambd: number;
  constructor(lambd: number | { lambd?: number } = 0.5) {
    super();
    this.lambd = numArg("Hardshrink", "lambd", typeof lambd === "object" && lambd !== null ? (lambd.lambd ?? 0.5) : lambd);
  }
  override forward(input: Tensor): Tensor {
    return hardshrink(input, this.lambd);
  }
  override extraRepr(): string {
    return pyRepr(this.lambd);
  }
}

/** x − λ above λ, x + λ below −λ, 0 between. */
export class Softshrink extends Module {
  readonly lambd: number;
  constructor(lambd: number | { lambd?: number } = 0.5) {
    super();
    this.lambd = numArg("Softshrink", "lambd", typeof lambd === "object" && lambd !== null ? (lambd.lambd ?? 0.5) : lambd);
    if (this.lambd < 0) throw new TensileError(`Softshrink: lambda must be greater or equal to 0, but found to be ${this.lambd}.`);
  }
  override forward(input: Tensor): Tensor {
    return softshrink(input, this.lambd);
  }
  override extraRepr(): string {
    return pyRepr(this.lambd);
  }
}
