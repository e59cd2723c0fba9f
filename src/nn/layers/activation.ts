/**
 * Activation layers: thin modules over the activation ops (formulas in `docs/op-signatures.md`
 * and the op docstrings). Shapes: any → same (Softmax/LogSoftmax normalise along `dim`).
 * ```ts
 * new nn.ReLU().forward(tensor([-1, 2])); // [0, 2]
 * ```
 */
import { Tensor, elu, gelu, hardtanh, leakyRelu, logSigmoid, logSoftmax, relu, selu, sigmoid, silu, softmax, softplus, tanh } from "../../core.js";
import { Module } from "../module.js";
import { pyFloat, pyRepr } from "../repr.js";

/**
 * max(0, x); `{inplace: true}` overwrites the input (`x.relu_()`), as `nn.ReLU(inplace=True)`. For
 * code ported from PyTorch: it saves no memory here, since an in-place op autograd records is
 * computed out of place and copied in (see `docs/architecture.md`, "In-place ops").
 */
export class ReLU extends Module {
  readonly inplace: boolean;
  constructor(opts: { inplace?: boolean } = {}) {
    super();
    this.inplace = opts?.inplace ?? false;
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
  constructor(readonly negativeSlope = 0.01) {
    super();
  }
  override forward(input: Tensor): Tensor {
    return leakyRelu(input, this.negativeSlope);
  }
  override extraRepr(): string {
    return `negative_slope=${pyFloat(this.negativeSlope)}`;
  }
}

/** x if x > 0 else α·(eˣ − 1). */
export class ELU extends Module {
  constructor(readonly alpha = 1) {
    super();
  }
  override forward(input: Tensor): Tensor {
    return elu(input, this.alpha);
  }
  override extraRepr(): string {
    return `alpha=${pyFloat(this.alpha)}`;
  }
}

/** λ·(x if x > 0 else α·(eˣ − 1)), λ ≈ 1.0507, α ≈ 1.6733. */
export class SELU extends Module {
  override forward(input: Tensor): Tensor {
    return selu(input);
  }
}

/** x·Φ(x) (exact), or the tanh approximation with `approximate: "tanh"`. */
export class GELU extends Module {
  readonly approximate: "none" | "tanh";
  constructor(approximate: "none" | "tanh" | { approximate?: "none" | "tanh" } = "none") {
    super();
    this.approximate = typeof approximate === "object" ? (approximate?.approximate ?? "none") : approximate;
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
  override forward(input: Tensor): Tensor {
    return silu(input);
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
  constructor(readonly minVal = -1, readonly maxVal = 1) {
    super();
  }
  override forward(input: Tensor): Tensor {
    return hardtanh(input, this.minVal, this.maxVal);
  }
  override extraRepr(): string {
    return `min_val=${pyFloat(this.minVal)}, max_val=${pyFloat(this.maxVal)}`;
  }
}

/** (1/β)·log(1 + e^{βx}), linear above βx > threshold. */
export class Softplus extends Module {
  constructor(readonly beta = 1, readonly threshold = 20) {
    super();
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
  }
  override forward(input: Tensor): Tensor {
    return logSoftmax(input, this.dim ?? implicitDim(input.ndim));
  }
  override extraRepr(): string {
    return `dim=${pyRepr(this.dim)}`;
  }
}
