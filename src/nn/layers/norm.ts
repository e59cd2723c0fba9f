import { Parameter, Tensor, noGrad, ones, tensor, zeros } from "../../core.js";
import type { DType } from "../../core.js";
import { check, fmtShape, fmtValue } from "../../errors.js";
import { type LocalResponseNormOptions, batchNorm, groupNorm, instanceNorm, layerNorm, localResponseNorm } from "../functional/norm.js";
import { type PositionalArgs, positionalOptions } from "../../utils/positional.js";
import { Module } from "../module.js";
import { pyFloat, pyRepr } from "../repr.js";
import { intArg, realArg } from "./ctor-checks.js";

/**
 * A norm layer's eps: a number ≥ 0. PyTorch takes any float, but a NaN eps makes every output NaN
 * and a negative one makes √(σ² + ε) NaN for every channel whose variance is below |ε|.
 */
export const checkEps = (op: string, eps: unknown): number => realArg(op, "eps", eps, { min: 0, infinite: false });

export interface BatchNormLayerOptions {
  eps?: number;
  /** Weight of the newest batch in the running statistics; null = cumulative moving average. */
  momentum?: number | null;
  /** Learn a per-channel scale `weight` (init 1) and shift `bias` (init 0). */
  affine?: boolean;
  /** Keep `running_mean`/`running_var` buffers and use them in eval mode. */
  trackRunningStats?: boolean;
  dtype?: DType;
}

/**
 * Batch normalisation (PyTorch's `_BatchNorm`): per channel, y = (x − μ)/√(σ² + ε)·weight + bias.
 * In training, μ and σ² are the batch statistics and the buffers `running_mean`, `running_var`
 * (unbiased) and `num_batches_tracked` are updated; in eval mode the running statistics are used.
 */
export abstract class BatchNormBase extends Module {
  readonly eps: number;
  readonly momentum: number | null;
  readonly affine: boolean;
  readonly trackRunningStats: boolean;
  weight: Parameter | null;
  bias: Parameter | null;

  constructor(readonly numFeatures: number, eps: number | BatchNormLayerOptions = 1e-5, momentum: number | null = 0.1, affine = true, trackRunningStats = true) {
    super();
    const o: BatchNormLayerOptions = typeof eps === "object" ? eps ?? {} : { eps, momentum, affine, trackRunningStats };
    const name = this.constructor.name;
    check(Number.isInteger(numFeatures) && numFeatures > 0, name, () => `num_features must be a positive integer, got ${numFeatures}`);
    this.eps = checkEps(name, o.eps ?? 1e-5);
    this.momentum = o.momentum === undefined ? 0.1 : o.momentum;
    if (this.momentum !== null) realArg(name, "momentum", this.momentum); // NaN would poison the running statistics
    this.affine = o.affine ?? true;
    this.trackRunningStats = o.trackRunningStats ?? true;
    const dtype = o.dtype;
    this.weight = this.affine ? new Parameter(ones([numFeatures], { dtype })) : null;
    this.bias = this.affine ? new Parameter(zeros([numFeatures], { dtype })) : null;
    if (this.trackRunningStats) {
      this.registerBuffer("running_mean", zeros([numFeatures], { dtype }));
      this.registerBuffer("running_var", ones([numFeatures], { dtype }));
      this.registerBuffer("num_batches_tracked", tensor(0, { dtype: "int32" }));
    } else {
      this.registerBuffer("running_mean", null);
      this.registerBuffer("running_var", null);
      this.registerBuffer("num_batches_tracked", null);
    }
  }

  #buffer(name: string): Tensor | null {
    return this.namedBuffers("", false).find(([k]) => k === name)?.[1] ?? null;
  }
  /** The `running_mean` buffer (null without trackRunningStats). */
  get runningMean(): Tensor | null {
    return this.#buffer("running_mean");
  }
  get runningVar(): Tensor | null {
    return this.#buffer("running_var");
  }
  get numBatchesTracked(): Tensor | null {
    return this.#buffer("num_batches_tracked");
  }

  /** Running statistics back to mean 0, variance 1, no batches seen. */
  resetRunningStats(): void {
    noGrad(() => {
      this.runningMean?.zero_();
      this.runningVar?.fill_(1);
      this.numBatchesTracked?.zero_();
    });
  }

  resetParameters(): void {
    this.resetRunningStats();
    noGrad(() => {
      this.weight?.fill_(1);
      this.bias?.zero_();
    });
  }

  protected abstract checkInputDim(input: Tensor): void;

  override forward(input: Tensor): Tensor {
    this.checkInputDim(input);
    let factor = this.momentum ?? 0;
    const rm = this.runningMean, rv = this.runningVar, nbt = this.numBatchesTracked;
    if (this.training && this.trackRunningStats && nbt) {
      noGrad(() => nbt.add_(1));
      factor = this.momentum ?? 1 / nbt.item();
    }
    // Batch statistics in training, or in eval when there are no running statistics.
    const bnTraining = this.training || (rm === null && rv === null);
    const useRunning = !this.training || this.trackRunningStats;
    return batchNorm(input, useRunning ? rm : null, useRunning ? rv : null, {
      weight: this.weight, bias: this.bias, training: bnTraining, momentum: factor, eps: this.eps,
    });
  }

  override extraRepr(): string {
    return `${this.numFeatures}, eps=${pyFloat(this.eps)}, momentum=${this.momentum === null ? "None" : pyFloat(this.momentum)}, affine=${pyRepr(this.affine)}, track_running_stats=${pyRepr(this.trackRunningStats)}`;
  }
}

/**
 * Batch normalisation over a batch of vectors or sequences (see `F.batchNorm`).
 *
 * Shapes: [N, C] or [N, C, L] → same.
 * ```ts
 * const bn = new nn.BatchNorm1d(100);       // or new nn.BatchNorm1d(100, { momentum: null, affine: false })
 * bn.forward(randn([20, 100])).shape;        // [20, 100]
 * ```
 */
export class BatchNorm1d extends BatchNormBase {
  protected checkInputDim(input: Tensor): void {
    check(input.ndim === 2 || input.ndim === 3, "BatchNorm1d", () => `expected 2D or 3D input (got ${input.ndim}D input of shape ${fmtShape(input.shape)})`);
  }
}

/**
 * Batch normalisation over a batch of images, per channel (see `F.batchNorm`).
 *
 * Shapes: [N, C, H, W] → same. Buffers (stateDict keys as PyTorch's): `running_mean`, `running_var`,
 * `num_batches_tracked`.
 * ```ts
 * const bn = new nn.BatchNorm2d(16);
 * bn.forward(randn([8, 16, 14, 14]));  // training: batch statistics, running stats updated
 * bn.eval().forward(x);                 // eval: running statistics
 * ```
 */
export class BatchNorm2d extends BatchNormBase {
  protected checkInputDim(input: Tensor): void {
    check(input.ndim === 4, "BatchNorm2d", () => `expected 4D input (got ${input.ndim}D input of shape ${fmtShape(input.shape)})`);
  }
}

/**
 * Batch normalisation over a batch of volumes, per channel (see `F.batchNorm`).
 *
 * Shapes: [N, C, D, H, W] → same.
 * ```ts
 * new nn.BatchNorm3d(16).forward(randn([2, 16, 4, 8, 8])).shape; // [2, 16, 4, 8, 8]
 * ```
 */
export class BatchNorm3d extends BatchNormBase {
  protected checkInputDim(input: Tensor): void {
    check(input.ndim === 5, "BatchNorm3d", () => `expected 5D input (got ${input.ndim}D input of shape ${fmtShape(input.shape)})`);
  }
}

export interface LayerNormLayerOptions {
  eps?: number;
  /** Learn `weight` (init 1) and `bias` (init 0) of the normalised shape (default true). */
  elementwiseAffine?: boolean;
  /** With elementwiseAffine, whether to learn the bias too (default true). */
  bias?: boolean;
  dtype?: DType;
}

/**
 * Layer normalisation over the trailing `normalizedShape` dims (see `F.layerNorm`).
 *
 * Shapes: [*, ...normalizedShape] → same. Parameters `weight`, `bias` of `normalizedShape`.
 * ```ts
 * new nn.LayerNorm(512).forward(randn([4, 10, 512])).shape; // [4, 10, 512]
 * ```
 */
export class LayerNorm extends Module {
  readonly normalizedShape: number[];
  readonly eps: number;
  readonly elementwiseAffine: boolean;
  weight: Parameter | null;
  bias: Parameter | null;

  constructor(normalizedShape: number | readonly number[], eps: number | LayerNormLayerOptions = 1e-5, elementwiseAffine = true) {
    super();
    const o: LayerNormLayerOptions = typeof eps === "object" ? eps ?? {} : { eps, elementwiseAffine };
    check(typeof normalizedShape === "number" || Array.isArray(normalizedShape), "LayerNorm", () =>
      `normalizedShape must be an integer or an array of integers, got ${fmtValue(normalizedShape)}`);
    this.normalizedShape = typeof normalizedShape === "number" ? [normalizedShape] : [...normalizedShape];
    check(this.normalizedShape.every((d) => Number.isInteger(d) && d > 0), "LayerNorm", () => `normalized_shape must be positive integers, got ${fmtShape(this.normalizedShape)}`);
    check(this.normalizedShape.length > 0, "LayerNorm", "Expected normalized_shape to be at least 1-dimensional, i.e., containing at least one element, but got normalized_shape = []");
    this.eps = checkEps("LayerNorm", o.eps ?? 1e-5);
    this.elementwiseAffine = o.elementwiseAffine ?? true;
    this.weight = this.elementwiseAffine ? new Parameter(ones(this.normalizedShape, { dtype: o.dtype })) : null;
    this.bias = this.elementwiseAffine && (o.bias ?? true) ? new Parameter(zeros(this.normalizedShape, { dtype: o.dtype })) : null;
  }
  override forward(input: Tensor): Tensor {
    return layerNorm(input, this.normalizedShape, { weight: this.weight, bias: this.bias, eps: this.eps });
  }
  override extraRepr(): string {
    return `${pyRepr(this.normalizedShape)}, eps=${pyFloat(this.eps)}, elementwise_affine=${pyRepr(this.elementwiseAffine)}`;
  }
}

export interface GroupNormLayerOptions {
  eps?: number;
  affine?: boolean;
  dtype?: DType;
}

/**
 * Group normalisation (see `F.groupNorm`): channels split into `numGroups` groups, each standardised
 * per sample; then a per-channel affine map. Independent of the batch size, unlike batch norm.
 *
 * Shapes: [N, numChannels, *] → same.
 * ```ts
 * new nn.GroupNorm(4, 32).forward(randn([2, 32, 8, 8])).shape; // [2, 32, 8, 8]
 * new nn.GroupNorm({ numGroups: 4, numChannels: 32 }); // nn.GroupNorm(num_groups=4, num_channels=32)
 * ```
 */
export class GroupNorm extends Module {
  readonly numGroups: number;
  readonly numChannels: number;
  readonly eps: number;
  readonly affine: boolean;
  weight: Parameter | null;
  bias: Parameter | null;

  constructor(numGroups: number, numChannels: number, eps?: number | GroupNormLayerOptions, affine?: boolean);
  /** Every argument by name (PyTorch's `nn.GroupNorm(num_groups=2, num_channels=16)`). */
  constructor(options: GroupNormLayerOptions & { numGroups: number; numChannels: number });
  constructor(numGroups: number | (GroupNormLayerOptions & { numGroups: number; numChannels: number }), numChannels?: number,
    eps: number | GroupNormLayerOptions = 1e-5, affine = true) {
    super();
    if (typeof numGroups === "object" && numGroups !== null) {
      check(numChannels === undefined, "GroupNorm", () => `the options object must be the only argument, got ${fmtValue(numChannels)} after it`);
      ({ numGroups, numChannels, ...eps } = numGroups);
      check(numGroups !== undefined && numChannels !== undefined, "GroupNorm", "missing num_groups or num_channels in the options object");
    }
    this.numGroups = numGroups;
    this.numChannels = numChannels = numChannels as number;
    const o: GroupNormLayerOptions = typeof eps === "object" ? eps ?? {} : { eps, affine };
    check(Number.isInteger(numGroups) && numGroups > 0 && numChannels % numGroups === 0, "GroupNorm", () =>
      `num_channels (${numChannels}) must be divisible by num_groups (${numGroups})`);
    intArg("GroupNorm", "num_channels", numChannels, 0);
    this.eps = checkEps("GroupNorm", o.eps ?? 1e-5);
    this.affine = o.affine ?? true;
    this.weight = this.affine ? new Parameter(ones([numChannels], { dtype: o.dtype })) : null;
    this.bias = this.affine ? new Parameter(zeros([numChannels], { dtype: o.dtype })) : null;
  }
  override forward(input: Tensor): Tensor {
    return groupNorm(input, this.numGroups, { weight: this.weight, bias: this.bias, eps: this.eps });
  }
  override extraRepr(): string {
    return `${this.numGroups}, ${this.numChannels}, eps=${pyFloat(this.eps)}, affine=${pyRepr(this.affine)}`;
  }
}

// ---- instance norm, local response norm ----

export interface InstanceNormLayerOptions {
  eps?: number;
  /** Weight of the newest batch in the running statistics. */
  momentum?: number;
  /** Learn a per-channel scale `weight` (init 1) and shift `bias` (init 0); default false. */
  affine?: boolean;
  /** Keep `running_mean`/`running_var` buffers and use them in eval mode; default false. */
  trackRunningStats?: boolean;
  dtype?: DType;
}

/**
 * Instance normalisation (PyTorch's `_InstanceNorm`): each (sample, channel) standardised over its
 * spatial dims, then an optional per-channel affine map. With `trackRunningStats`, training updates
 * the `running_mean`/`running_var` buffers and eval mode normalises with them.
 */
abstract class InstanceNormBase extends Module {
  readonly eps: number;
  readonly momentum: number;
  readonly affine: boolean;
  readonly trackRunningStats: boolean;
  weight: Parameter | null;
  bias: Parameter | null;

  constructor(readonly numFeatures: number, eps: number | InstanceNormLayerOptions = 1e-5, momentum = 0.1, affine = false, trackRunningStats = false) {
    super();
    const o: InstanceNormLayerOptions = typeof eps === "object" ? eps ?? {} : { eps, momentum, affine, trackRunningStats };
    const name = this.constructor.name;
    check(Number.isInteger(numFeatures) && numFeatures > 0, name, () => `num_features must be a positive integer, got ${fmtValue(numFeatures)}`);
    this.eps = o.eps ?? 1e-5;
    this.momentum = o.momentum ?? 0.1;
    this.affine = o.affine ?? false;
    this.trackRunningStats = o.trackRunningStats ?? false;
    check(typeof this.eps === "number" && typeof this.momentum === "number", name, () => `eps and momentum must be numbers, got ${fmtValue(this.eps)} and ${fmtValue(this.momentum)}`);
    checkEps(name, this.eps);
    realArg(name, "momentum", this.momentum);
    const dtype = o.dtype;
    this.weight = this.affine ? new Parameter(ones([numFeatures], { dtype })) : null;
    this.bias = this.affine ? new Parameter(zeros([numFeatures], { dtype })) : null;
    this.registerBuffer("running_mean", this.trackRunningStats ? zeros([numFeatures], { dtype }) : null);
    this.registerBuffer("running_var", this.trackRunningStats ? ones([numFeatures], { dtype }) : null);
    this.registerBuffer("num_batches_tracked", this.trackRunningStats ? tensor(0, { dtype: "int32" }) : null);
  }

  #buffer(name: string): Tensor | null {
    return this.namedBuffers("", false).find(([k]) => k === name)?.[1] ?? null;
  }
  /** The `running_mean` buffer (null without trackRunningStats). */
  get runningMean(): Tensor | null {
    return this.#buffer("running_mean");
  }
  get runningVar(): Tensor | null {
    return this.#buffer("running_var");
  }

  /** Running statistics back to mean 0, variance 1, no batches seen. */
  resetRunningStats(): void {
    noGrad(() => {
      this.runningMean?.zero_();
      this.runningVar?.fill_(1);
      this.#buffer("num_batches_tracked")?.zero_();
    });
  }

  resetParameters(): void {
    this.resetRunningStats();
    noGrad(() => {
      this.weight?.fill_(1);
      this.bias?.zero_();
    });
  }

  /** Number of dims of an unbatched input ([C, L] → 2, [C, H, W] → 3). */
  protected abstract readonly noBatchDim: number;

  override forward(input: Tensor): Tensor {
    const name = this.constructor.name, nb = this.noBatchDim;
    check(input instanceof Tensor && (input.ndim === nb || input.ndim === nb + 1), name, () =>
      `expected ${nb}D (unbatched) or ${nb + 1}D (batched) input, got ${input instanceof Tensor ? `${input.ndim}D input of shape ${fmtShape(input.shape)}` : fmtValue(input)}`);
    const C = input.shape[input.ndim - nb]!;
    check(!this.affine || C === this.numFeatures, name, () =>
      `expected input's size at dim=${input.ndim - nb} to match num_features (${this.numFeatures}), but got: ${C} (input ${fmtShape(input.shape)})`);
    const x = input.ndim === nb ? input.unsqueeze(0) : input;
    const y = instanceNorm(x, this.runningMean, this.runningVar, {
      weight: this.weight, bias: this.bias, useInputStats: this.training || !this.trackRunningStats, momentum: this.momentum, eps: this.eps,
    });
    return input.ndim === nb ? y.squeeze(0) : y;
  }

  override extraRepr(): string {
    return `${this.numFeatures}, eps=${pyFloat(this.eps)}, momentum=${pyFloat(this.momentum)}, affine=${pyRepr(this.affine)}, track_running_stats=${pyRepr(this.trackRunningStats)}`;
  }
}

/**
 * Instance normalisation of sequences (see `F.instanceNorm`): each (sample, channel) row
 * standardised over its length. Defaults as PyTorch's: no affine map, no running statistics.
 *
 * Shapes: [N, C, L] or unbatched [C, L] → same.
 * ```ts
 * new nn.InstanceNorm1d(100, { affine: true }).forward(randn([20, 100, 40])).shape; // [20, 100, 40]
 * ```
 */
export class InstanceNorm1d extends InstanceNormBase {
  protected readonly noBatchDim = 2;
}

/**
 * Instance normalisation of images (see `F.instanceNorm`): each (sample, channel) plane
 * standardised over H×W (style transfer's normalisation).
 *
 * Shapes: [N, C, H, W] or unbatched [C, H, W] → same.
 * ```ts
 * new nn.InstanceNorm2d(3).forward(randn([4, 3, 8, 8])).shape; // [4, 3, 8, 8]
 * ```
 */
export class InstanceNorm2d extends InstanceNormBase {
  protected readonly noBatchDim = 3;
}

/**
 * Instance normalisation of volumes (see `F.instanceNorm`): each (sample, channel) volume
 * standardised over D×H×W. Defaults as PyTorch's: no affine map, no running statistics.
 *
 * Shapes: [N, C, D, H, W] or unbatched [C, D, H, W] → same.
 * ```ts
 * new nn.InstanceNorm3d(3, { affine: true }).forward(randn([2, 3, 4, 8, 8])).shape; // [2, 3, 4, 8, 8]
 * ```
 */
export class InstanceNorm3d extends InstanceNormBase {
  protected readonly noBatchDim = 4;
}

/**
 * Local response normalisation across neighbouring channels (see `F.localResponseNorm`).
 *
 * Shapes: [N, C, *] → same.
 * ```ts
 * new nn.LocalResponseNorm(2).forward(randn([32, 5, 24, 24])).shape; // [32, 5, 24, 24]
 * ```
 */
export class LocalResponseNorm extends Module {
  readonly alpha: number;
  readonly beta: number;
  readonly k: number;
  /** `new nn.LocalResponseNorm(size, alpha?, beta?, k?)`, or `(size, { alpha, beta, k })`. */
  constructor(readonly size: number, ...args: PositionalArgs<[alpha: number, beta: number, k: number], LocalResponseNormOptions> | [LocalResponseNormOptions?]) {
    super();
    const o = positionalOptions<LocalResponseNormOptions>("LocalResponseNorm", args, { keys: ["alpha", "beta", "k"], known: [] });
    [this.alpha, this.beta, this.k] = [o.alpha ?? 1e-4, o.beta ?? 0.75, o.k ?? 1.0];
    const { alpha, beta, k } = this;
    intArg("LocalResponseNorm", "size", size, 1);
    for (const [n, v] of [["alpha", alpha], ["beta", beta], ["k", k]] as const) realArg("LocalResponseNorm", n, v);
  }
  override forward(input: Tensor): Tensor {
    return localResponseNorm(input, this.size, this.alpha, this.beta, this.k);
  }
  override extraRepr(): string {
    return `${pyRepr(this.size)}, alpha=${pyFloat(this.alpha)}, beta=${pyFloat(this.beta)}, k=${pyFloat(this.k)}`;
  }
}
