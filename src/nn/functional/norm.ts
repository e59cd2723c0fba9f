/**
 * Normalisation: `F.batchNorm`, `F.layerNorm`, `F.groupNorm`, `F.instanceNorm`, `F.localResponseNorm`.
 *
 * All three standardise x over some axes, x̂ = (x − μ)/√(σ² + ε) with the biased variance, then
 * apply an affine map. Standardisation is one autograd node with the closed-form gradient
 *   ∂x = s·(g − mean(g) − x̂·mean(g·x̂)) / √(σ² + ε)      (means over the normalised axes),
 * s being a per-channel scale constant over those axes (batch norm's weight, fused in), which
 * costs far fewer passes over the data than differentiating the composed ops.
 */
import { Tensor, isGradEnabled, noGrad } from "../../core.js";
import { record } from "../../autograd/engine.js";
import { TensileError, check, fmtShape, fmtValue } from "../../errors.js";
import { type PositionalArgs, positionalOptions } from "../../utils/positional.js";

interface Standardized {
  /** (x − μ)/√(σ² + ε) · scale + shift */
  y: Tensor;
  /** μ and the biased σ² (keepdim, detached). */
  mean: Tensor;
  var: Tensor;
}

/**
 * y = x̂·scale + shift over `axes`, as one node. `scale`/`shift` (optional) broadcast against x and
 * must be constant over `axes`. With xc = x − μ and a = scale/√(σ² + ε) the gradient is
 *   ∂x = a·(g − mean(g)) − xc·a·mean(g·xc)/(σ² + ε),  ∂scale = Σ g·x̂,  ∂shift = Σ g,
 * five passes over the data (per-channel factors are tiny).
 */
function standardize(x: Tensor, axes: number[], eps: number, scale: Tensor | null, shift: Tensor | null, zeroInv = false): Standardized {
  // The forward pass runs on detached tensors: no graph holds its full-size temporaries, which are
  // released as soon as they are used (a backend with a result cache need not copy them out).
  const xd = x.detach();
  const mean = xd.mean(axes, true);
  const xc = xd.sub(mean);
  const sq = xc.mul(xc);
  const v = sq.mean(axes, true);
  release(sq);
  // batch/instance norm (zeroInv): a channel with σ² + ε = 0 gets 1/√ = 0, as torch's InvStd, so a
  // constant channel with eps 0 gives the shift (and a zero gradient), not 0·∞ = NaN
  const invOf = (v2: Tensor) => {
    const inv = v2.add(eps).rsqrt();
    return zeroInv && eps === 0 ? inv.maskedFill(v2.eq(0), 0) : inv;
  };
  const invstd = invOf(v);
  const sd = scale?.detach() ?? null;
  let y = xc.mul(sd ? invstd.mul(sd) : invstd);
  if (shift) {
    const unshifted = y;
    y = y.add(shift.detach());
    release(unshifted);
  }
  const n = axes.reduce((a, i) => a * x.shape[i]!, 1);
  y = record("standardize", y, [x, scale, shift], (g) => {
    let c = xc, inv = invstd;
    if (isGradEnabled()) {
      // createGraph: rebuild the statistics from x with history so the gradient is differentiable.
      c = x.sub(x.mean(axes, true));
      inv = invOf(c.mul(c).mean(axes, true));
    }
    const gMean = g.mean(axes, true), gcMean = g.mul(c).mean(axes, true);
    let gx: Tensor | null = null;
    if (x.requiresGrad) {
      const a = scale ? inv.mul(scale) : inv;
      gx = g.sub(gMean).mul(a).sub(c.mul(a.mul(inv).mul(inv).mul(gcMean)));
    }
    return [
      gx,
      scale?.requiresGrad ? sumTo(gcMean.mul(inv).mul(n), scale.shape) : null,
      shift?.requiresGrad ? sumTo(gMean.mul(n), shift.shape) : null,
    ];
  }, [xc], [x, scale]); // x − μ, kept for the backward rule only; x itself is read under createGraph
  return { y, mean, var: v };
}

const release = (t: Tensor): void => t.backend.release?.(t.storage);

/** Sums a keepdim statistic down to a broadcastable parameter shape. */
function sumTo(t: Tensor, shape: readonly number[]): Tensor {
  const lead = t.ndim - shape.length;
  const dims: number[] = [];
  for (let i = 0; i < t.ndim; i++) if (i < lead || (shape[i - lead] === 1 && t.shape[i] !== 1)) dims.push(i);
  const s = dims.length ? t.sum(dims, true) : t;
  return s.reshape([...shape]);
}

export interface BatchNormOptions {
  weight?: Tensor | null;
  bias?: Tensor | null;
  /** Use batch statistics (and update the running ones); false uses the running statistics. */
  training?: boolean;
  /** running ← (1 − momentum)·running + momentum·batch statistic. */
  momentum?: number;
  eps?: number;
}

function checkFloat(op: string, x: unknown): asserts x is Tensor {
  if (!(x instanceof Tensor)) throw new TensileError(`${op}: input must be a Tensor`);
  check(x.dtype === "float32" || x.dtype === "float64", op, () => `expected a floating point input, got ${x.dtype} (shape ${fmtShape(x.shape)})`);
}

function checkVec(op: string, name: string, t: Tensor | null | undefined, C: number, x: Tensor): void {
  if (!t) return;
  check(t instanceof Tensor && t.ndim === 1 && t.shape[0] === C, op, () =>
    `expected ${name} of shape [${C}] for input ${fmtShape(x.shape)}, got ${t instanceof Tensor ? fmtShape(t.shape) : typeof t}`);
}

/**
 * Batch normalisation over the channel dim 1: per channel c,
 * y = (x − μ_c)/√(σ²_c + ε)·weight_c + bias_c, with μ, σ² (biased) over the batch and spatial dims
 * when `training`, else the running statistics. In training, `runningMean`/`runningVar` (if given)
 * are updated in place: r ← (1 − momentum)·r + momentum·s, with the unbiased variance for `runningVar`.
 *
 * Shapes: input [N, C] or [N, C, *]; runningMean, runningVar, weight, bias [C] → same as input.
 * ```ts
 * const rm = zeros([16]), rv = ones([16]);
 * F.batchNorm(randn([8, 16, 14, 14]), rm, rv, { training: true }).shape; // [8, 16, 14, 14]; rm, rv updated
 * ```
 */
/** PyTorch's positional order (weight, bias, training, momentum, eps), then an optional options object. */
export function batchNorm(input: Tensor, runningMean: Tensor | null, runningVar: Tensor | null, ...args: PositionalArgs<[weight: (BatchNormOptions)["weight"], bias: (BatchNormOptions)["bias"], training: (BatchNormOptions)["training"], momentum: (BatchNormOptions)["momentum"], eps: (BatchNormOptions)["eps"]], BatchNormOptions>): Tensor;
export function batchNorm(input: Tensor, runningMean: Tensor | null, runningVar: Tensor | null, opts?: BatchNormOptions): Tensor;
export function batchNorm(input: Tensor, runningMean: Tensor | null, runningVar: Tensor | null, ...args: unknown[]): Tensor {
  let opts = positionalOptions<BatchNormOptions>("batchNorm", args, { keys: ["weight", "bias", "training", "momentum", "eps"] });
  const op = "batchNorm";
  checkFloat(op, input);
  const { weight = null, bias = null, training = false, momentum = 0.1, eps = 1e-5 } = opts;
  check(input.ndim >= 2, op, () => `expected input with at least 2 dims [N, C, *], got shape ${fmtShape(input.shape)}`);
  const C = input.shape[1]!;
  checkVec(op, "running_mean", runningMean, C, input);
  checkVec(op, "running_var", runningVar, C, input);
  checkVec(op, "weight", weight, C, input);
  checkVec(op, "bias", bias, C, input);
  const bshape = input.shape.map((d, i) => (i === 1 ? d : 1));
  const axes = input.shape.map((_, i) => i).filter((i) => i !== 1);
  const w = weight ? weight.reshape(bshape) : null, b = bias ? bias.reshape(bshape) : null;
  if (!training) {
    check(runningMean && runningVar, op, "running_mean and running_var must be defined in evaluation mode");
    // y = x·scale + shift with scale = w/√(r_var + ε), shift = b − r_mean·scale.
    let scale = runningVar.reshape(bshape).add(eps).rsqrt();
    if (w) scale = scale.mul(w);
    let shift = runningMean.reshape(bshape).mul(scale).neg();
    if (b) shift = shift.add(b);
    return input.mul(scale).add(shift);
  }
  // values per channel, torch's size[0]·prod(size[2:]): exactly 1 is refused; 0 (an empty batch or
  // spatial dim) gives an empty result and leaves the running statistics alone, as torch 1.13
  const M = axes.reduce((a, i) => a * input.shape[i]!, 1);
  check(M !== 1, op, () => `expected more than 1 value per channel when training, got input size ${fmtShape(input.shape)}`);
  if (M === 0) return input.mul(w ?? 1).add(b ?? 0);
  const { y, mean, var: v } = standardize(input, axes, eps, w, b, true);
  noGrad(() => {
    if (runningMean) runningMean.copy_(runningMean.mul(1 - momentum).add(mean.reshape([C]).mul(momentum)));
    if (runningVar) runningVar.copy_(runningVar.mul(1 - momentum).add(v.reshape([C]).mul((momentum * M) / (M - 1))));
  });
  return y;
}

export interface LayerNormOptions {
  weight?: Tensor | null;
  bias?: Tensor | null;
  eps?: number;
}

/**
 * Layer normalisation over the trailing `normalizedShape` dims:
 * y = (x − μ)/√(σ² + ε)·weight + bias, μ and σ² (biased) per leading index.
 *
 * Shapes: input [*, ...normalizedShape], weight and bias `normalizedShape` → same as input.
 * ```ts
 * F.layerNorm(randn([4, 10, 32]), [32], { weight: ones([32]), bias: zeros([32]) }).shape; // [4, 10, 32]
 * ```
 */
/** PyTorch's positional order (weight, bias, eps), then an optional options object. */
export function layerNorm(input: Tensor, normalizedShape: number | readonly number[], ...args: PositionalArgs<[weight: (LayerNormOptions)["weight"], bias: (LayerNormOptions)["bias"], eps: (LayerNormOptions)["eps"]], LayerNormOptions>): Tensor;
export function layerNorm(input: Tensor, normalizedShape: number | readonly number[], opts?: LayerNormOptions): Tensor;
export function layerNorm(input: Tensor, normalizedShape: number | readonly number[], ...args: unknown[]): Tensor {
  let opts = positionalOptions<LayerNormOptions>("layerNorm", args, { keys: ["weight", "bias", "eps"] });
  const op = "layerNorm";
  checkFloat(op, input);
  check(typeof normalizedShape === "number" || Array.isArray(normalizedShape), op, () =>
    `normalizedShape must be an integer or an array of integers, got ${fmtValue(normalizedShape)}`);
  const ns = typeof normalizedShape === "number" ? [normalizedShape] : [...normalizedShape];
  const { weight = null, bias = null, eps = 1e-5 } = opts ?? {};
  const tail = input.shape.slice(input.ndim - ns.length);
  check(ns.length > 0 && ns.length <= input.ndim && tail.every((d, i) => d === ns[i]), op, () =>
    `given normalized_shape=${fmtShape(ns)}, expected input with shape [*, ${ns.join(", ")}], but got input of size ${fmtShape(input.shape)}`);
  for (const [name, t] of [["weight", weight], ["bias", bias]] as const)
    check(!t || (t.ndim === ns.length && t.shape.every((d, i) => d === ns[i])), op, () =>
      `expected ${name} of shape ${fmtShape(ns)}, got ${fmtShape(t!.shape)}`);
  const axes = ns.map((_, i) => input.ndim - ns.length + i);
  let y = standardize(input, axes, eps, null, null).y;
  if (weight) y = y.mul(weight);
  if (bias) y = y.add(bias);
  return y;
}

export interface GroupNormOptions {
  weight?: Tensor | null;
  bias?: Tensor | null;
  eps?: number;
}

/**
 * Group normalisation: the C channels are split into `numGroups` groups and each (sample, group)
 * is standardised over its channels and spatial positions; then a per-channel affine map.
 *
 * Shapes: input [N, C, *] with C divisible by numGroups; weight, bias [C] → same as input.
 * ```ts
 * F.groupNorm(randn([8, 32, 14, 14]), 8).shape; // [8, 32, 14, 14]
 * ```
 */
/** PyTorch's positional order (weight, bias, eps), then an optional options object. */
export function groupNorm(input: Tensor, numGroups: number, ...args: PositionalArgs<[weight: (GroupNormOptions)["weight"], bias: (GroupNormOptions)["bias"], eps: (GroupNormOptions)["eps"]], GroupNormOptions>): Tensor;
export function groupNorm(input: Tensor, numGroups: number, opts?: GroupNormOptions): Tensor;
export function groupNorm(input: Tensor, numGroups: number, ...args: unknown[]): Tensor {
  let opts = positionalOptions<GroupNormOptions>("groupNorm", args, { keys: ["weight", "bias", "eps"] });
  const op = "groupNorm";
  checkFloat(op, input);
  const { weight = null, bias = null, eps = 1e-5 } = opts ?? {};
  check(input.ndim >= 2, op, () => `expected input with at least 2 dims [N, C, *], got shape ${fmtShape(input.shape)}`);
  const [N, C] = input.shape as [number, number];
  check(Number.isInteger(numGroups) && numGroups > 0 && C % numGroups === 0, op, () =>
    `expected number of channels in input ${fmtShape(input.shape)} to be divisible by num_groups, but got ${C} channels and num_groups=${numGroups}`);
  checkVec(op, "weight", weight, C, input);
  checkVec(op, "bias", bias, C, input);
  // torch 1.13's _verify_batch_size on [N·C/G, G, *spatial]: refused when N·C/G·∏spatial is 1
  const spatial = input.shape.slice(2).reduce((a, b) => a * b, 1);
  check((N * C) / numGroups * spatial !== 1, op, () =>
    `Expected more than 1 value per channel when training, got input size ${fmtShape([(N * C) / numGroups, numGroups, ...input.shape.slice(2)])} (input ${fmtShape(input.shape)}, num_groups=${numGroups})`);
  const per = input.numel() / Math.max(N * numGroups, 1);
  let y = N === 0 ? input.mul(1) : standardize(input.reshape([N, numGroups, per]), [2], eps, null, null).y.reshape(input.shape);
  const bshape = input.shape.map((d, i) => (i === 1 ? d : 1));
  if (weight) y = y.mul(weight.reshape(bshape));
  if (bias) y = y.add(bias.reshape(bshape));
  return y;
}

// ---- instance and local response normalisation ----

export interface InstanceNormOptions {
  weight?: Tensor | null;
  bias?: Tensor | null;
  /** Normalise with each instance's own statistics (and update the running ones); false uses the running statistics. */
  useInputStats?: boolean;
  /** running ← (1 − momentum)·running + momentum·(batch mean of the instance statistics). */
  momentum?: number;
  eps?: number;
}

/**
 * Instance normalisation: each (sample, channel) plane is standardised over its spatial dims,
 * y = (x − μ_nc)/√(σ²_nc + ε)·weight_c + bias_c. With `useInputStats` (default) and running
 * statistics given, those are updated in place with the batch mean of the per-instance means and
 * unbiased variances; without it the running statistics normalise every instance.
 *
 * Shapes: input [N, C, *] (at least one spatial dim; [N, C] with useInputStats false); runningMean, runningVar, weight, bias [C] → same as input.
 * ```ts
 * F.instanceNorm(randn([8, 16, 14, 14])).shape; // [8, 16, 14, 14]
 * ```
 */
/** PyTorch's positional order (weight, bias, useInputStats, momentum, eps), then an optional options object. */
export function instanceNorm(input: Tensor, runningMean: Tensor | null, runningVar: Tensor | null, ...args: PositionalArgs<[weight: (InstanceNormOptions)["weight"], bias: (InstanceNormOptions)["bias"], useInputStats: (InstanceNormOptions)["useInputStats"], momentum: (InstanceNormOptions)["momentum"], eps: (InstanceNormOptions)["eps"]], InstanceNormOptions>): Tensor;
export function instanceNorm(input: Tensor, runningMean?: Tensor | null, runningVar?: Tensor | null, opts?: InstanceNormOptions): Tensor;
/** No running statistics: `F.instanceNorm(x, { weight, bias })` (PyTorch's `F.instance_norm(x, weight=w, bias=b)`). */
export function instanceNorm(input: Tensor, opts: InstanceNormOptions): Tensor;
export function instanceNorm(input: Tensor, statsOrOpts: Tensor | InstanceNormOptions | null = null, runningVar: Tensor | null = null, ...args: unknown[]): Tensor {
  // an options object in runningMean's place: no running statistics (torch's keyword-only call)
  let runningMean: Tensor | null = null;
  if (statsOrOpts instanceof Tensor) runningMean = statsOrOpts;
  else if (statsOrOpts !== null && statsOrOpts !== undefined) {
    check(typeof statsOrOpts === "object" && !Array.isArray(statsOrOpts) && runningVar === null && args.length === 0, "instanceNorm", () =>
      `expected runningMean to be a Tensor or null, or one options object as the last argument, got ${fmtValue(statsOrOpts)}`);
    args = [statsOrOpts];
  }
  let opts = positionalOptions<InstanceNormOptions>("instanceNorm", args, { keys: ["weight", "bias", "useInputStats", "momentum", "eps"] });
  const op = "instanceNorm";
  checkFloat(op, input);
  check(opts === null || (typeof opts === "object" && !Array.isArray(opts)), op, () => `expected an options object, got ${fmtValue(opts)}`);
  const { weight = null, bias = null, useInputStats = true, momentum = 0.1, eps = 1e-5 } = opts ?? {};
  // a 2-D [N, C] input has no spatial dims: torch 1.13 normalises it with the running statistics
  // (useInputStats false) and refuses it otherwise ("more than 1 spatial element")
  check(input.ndim >= 3 || (input.ndim === 2 && !useInputStats), op, () =>
    `expected input with at least 3 dims [N, C, *], got shape ${fmtShape(input.shape)}` +
      (input.ndim === 2 ? ": more than 1 spatial element is needed when training (useInputStats); a 2-D [N, C] input is normalised with the running statistics only (useInputStats: false)" : ""));
  const [N, C] = input.shape as [number, number];
  for (const [name, t] of [["running_mean", runningMean], ["running_var", runningVar], ["weight", weight], ["bias", bias]] as const)
    checkVec(op, name, t, C, input);
  const bshape = input.shape.map((d, i) => (i === 1 ? d : 1));
  const w = weight ? weight.reshape(bshape) : null, b = bias ? bias.reshape(bshape) : null;
  if (!useInputStats) {
    check(runningMean && runningVar, op, "expected running_mean and running_var to be defined when use_input_stats is false");
    return batchNorm(input, runningMean, runningVar, { weight, bias, training: false, eps });
  }
  const axes = input.shape.map((_, i) => i).filter((i) => i >= 2);
  const M = axes.reduce((a, i) => a * input.shape[i]!, 1);
  check(M !== 1, op, () => `expected more than 1 spatial element when training, got input size ${fmtShape(input.shape)}`);
  if (N * C * M === 0) return input.mul(w ?? 1).add(b ?? 0);
  const { y, mean, var: v } = standardize(input, axes, eps, null, null, true);
  noGrad(() => {
    const avg = (s: Tensor) => s.reshape([N, C]).mean(0);
    if (runningMean) runningMean.copy_(runningMean.mul(1 - momentum).add(avg(mean).mul(momentum)));
    if (runningVar) runningVar.copy_(runningVar.mul(1 - momentum).add(avg(v).mul((momentum * M) / (M - 1))));
  });
  let out = y;
  if (w) out = out.mul(w);
  if (b) out = out.add(b);
  return out;
}

/** `F.localResponseNorm`'s and `nn.LocalResponseNorm`'s options (PyTorch's alpha, beta, k). */
export interface LocalResponseNormOptions { alpha?: number; beta?: number; k?: number }

/**
 * Local response normalisation across channels: y = x / (k + α/n · Σ x²)^β, the sum over the
 * n = `size` neighbouring channels c − ⌊n/2⌋ … c + ⌊(n−1)/2⌋ (zero beyond the edges).
 *
 * Shapes: input [N, C, *] (at least 3 dims) → same.
 * ```ts
 * F.localResponseNorm(randn([2, 8, 5, 5]), 3).shape; // [2, 8, 5, 5]
 * F.localResponseNorm(x, 3, { alpha: 1e-3, k: 2 }); // or positionally: (x, 3, 1e-3, 0.75, 2)
 * ```
 */
export function localResponseNorm(input: Tensor, size: number, ...args: PositionalArgs<[alpha: number, beta: number, k: number], LocalResponseNormOptions> | [LocalResponseNormOptions?]): Tensor {
  const op = "localResponseNorm";
  const { alpha = 1e-4, beta = 0.75, k = 1.0 } = positionalOptions<LocalResponseNormOptions>(op, args, { keys: ["alpha", "beta", "k"], known: [] });
  checkFloat(op, input);
  check(input.ndim >= 3, op, () => `expected 3D or higher dimensional input, got shape ${fmtShape(input.shape)}`);
  check(Number.isInteger(size) && size > 0, op, () => `size must be a positive integer, got ${fmtValue(size)}`);
  for (const [name, v] of [["alpha", alpha], ["beta", beta], ["k", k]] as const)
    check(typeof v === "number", op, () => `${name} must be a number, got ${fmtValue(v)}`);
  if (input.numel() === 0) return input.mul(1);
  const [N, C] = input.shape as [number, number];
  const sq = input.mul(input).reshape([N, C, -1]);
  const padded = sq.pad([0, 0, Math.floor(size / 2), Math.floor((size - 1) / 2)]);
  let acc = padded.narrow(1, 0, C);
  for (let i = 1; i < size; i++) acc = acc.add(padded.narrow(1, i, C));
  const div = acc.div(size).mul(alpha).add(k).pow(beta).reshape(input.shape);
  return input.div(div);
}
