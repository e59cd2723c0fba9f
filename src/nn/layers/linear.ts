import { Parameter, Tensor, empty } from "../../core.js";
import type { DType } from "../../core.js";
import { TensileError } from "../../errors.js";
import { bilinear, linear } from "../functional/linear.js";
import { calculateFanInAndFanOut, kaimingUniform_, uniform_ } from "../init.js";
import { Module } from "../module.js";
import { pyRepr } from "../repr.js";

export interface LinearOptions {
  /** Whether to learn an additive bias (default true). */
  bias?: boolean;
  /** Parameter dtype (default float32). */
  dtype?: DType;
}

function checkFeatures(op: string, sizes: Record<string, number>): void {
  for (const [k, v] of Object.entries(sizes))
    if (!Number.isInteger(v) || v < 0) throw new TensileError(`${op}: ${k} must be a non-negative integer, got ${v}`);
}

/** A placeholder that returns its input unchanged (handy to switch a layer off). */
export class Identity extends Module {
  override forward(input: Tensor): Tensor {
    return input;
  }
}

/**
 * y = x·Wᵀ + b.
 *
 * Shapes: input [*, inFeatures] → [*, outFeatures]. Parameters: `weight` [out, in] and `bias`
 * [out], both initialised U(−1/√in, 1/√in) as PyTorch's (kaiming_uniform with a = √5).
 * ```ts
 * const fc = new nn.Linear(784, 500);
 * fc.forward(randn([64, 784])).shape; // [64, 500]
 * new nn.Linear(3, 2, false);         // or { bias: false }
 * ```
 */
export class Linear extends Module {
  readonly inFeatures: number;
  readonly outFeatures: number;
  weight: Parameter;
  bias: Parameter | null;

  constructor(inFeatures: number, outFeatures: number, bias: boolean | LinearOptions = true, opts: LinearOptions = {}) {
    super();
    opts ??= {};
    if (typeof bias === "object") ({ bias = true, ...opts } = bias ?? {});
    checkFeatures("Linear", { in_features: inFeatures, out_features: outFeatures });
    this.inFeatures = inFeatures;
    this.outFeatures = outFeatures;
    this.weight = new Parameter(empty([outFeatures, inFeatures], { dtype: opts.dtype }));
    this.bias = bias ? new Parameter(empty([outFeatures], { dtype: opts.dtype })) : null;
    this.resetParameters();
  }

  resetParameters(): void {
    // kaiming_uniform(a = √5) gives U(±1/√fan_in): PyTorch's long-standing default.
    kaimingUniform_(this.weight, Math.sqrt(5));
    if (this.bias) {
      const [fanIn] = calculateFanInAndFanOut(this.weight);
      const bound = fanIn > 0 ? 1 / Math.sqrt(fanIn) : 0;
      uniform_(this.bias, -bound, bound);
    }
  }

  override forward(input: Tensor): Tensor {
    return linear(input, this.weight, this.bias);
  }

  override extraRepr(): string {
    return `in_features=${this.inFeatures}, out_features=${this.outFeatures}, bias=${pyRepr(this.bias !== null)}`;
  }
}

/**
 * y_k = x1ᵀ·A_k·x2 + b_k.
 *
 * Shapes: input1 [*, in1], input2 [*, in2] → [*, out]. Parameters: `weight` [out, in1, in2] and
 * `bias` [out], both initialised U(−1/√in1, 1/√in1) as PyTorch's.
 * ```ts
 * new nn.Bilinear(20, 30, 40).forward(randn([128, 20]), randn([128, 30])).shape; // [128, 40]
 * ```
 */
export class Bilinear extends Module {
  readonly in1Features: number;
  readonly in2Features: number;
  readonly outFeatures: number;
  weight: Parameter;
  bias: Parameter | null;

  constructor(in1Features: number, in2Features: number, outFeatures: number, bias: boolean | LinearOptions = true, opts: LinearOptions = {}) {
    super();
    opts ??= {};
    if (typeof bias === "object") ({ bias = true, ...opts } = bias ?? {});
    checkFeatures("Bilinear", { in1_features: in1Features, in2_features: in2Features, out_features: outFeatures });
    // the initial bound is 1/√in1_features: PyTorch fails with ZeroDivisionError, and U(±∞) would be NaN
    if (in1Features === 0) throw new TensileError("Bilinear: in1_features must be positive (the initialisation bound 1/√in1_features divides by zero), got 0");
    this.in1Features = in1Features;
    this.in2Features = in2Features;
    this.outFeatures = outFeatures;
    this.weight = new Parameter(empty([outFeatures, in1Features, in2Features], { dtype: opts.dtype }));
    this.bias = bias ? new Parameter(empty([outFeatures], { dtype: opts.dtype })) : null;
    this.resetParameters();
  }

  resetParameters(): void {
    const bound = 1 / Math.sqrt(this.in1Features);
    uniform_(this.weight, -bound, bound);
    if (this.bias) uniform_(this.bias, -bound, bound);
  }

  override forward(input1: Tensor, input2: Tensor): Tensor {
    return bilinear(input1, input2, this.weight, this.bias);
  }

  override extraRepr(): string {
    return `in1_features=${this.in1Features}, in2_features=${this.in2Features}, out_features=${this.outFeatures}, bias=${pyRepr(this.bias !== null)}`;
  }
}
