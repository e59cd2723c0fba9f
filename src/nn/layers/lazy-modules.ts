/**
 * Lazy convolutions and normalisations (PyTorch's `LazyConv1d/2d/3d`, `LazyConvTranspose1d/2d/3d`,
 * `LazyBatchNorm1d/2d/3d`, `LazyInstanceNorm1d/2d/3d`): the input channels are read off the first input.
 * Until then the parameters are `UninitializedParameter`s (and the running statistics empty [0]
 * buffers, PyTorch's `UninitializedBuffer`), printed with 0 channels as PyTorch prints them. The
 * first `forward` materialises them in place (so an optimizer built before it keeps working),
 * initialises them as the regular layer does, and turns the module into that layer
 * (`LazyConv2d` → `Conv2d`, PyTorch's `cls_to_become`). `loadStateDict` on a lazy module first
 * materialises its parameters at the saved shapes, as PyTorch's load hook does.
 */
import { Tensor, noGrad, ones, zeros } from "../../core.js";
import { TensileError, check, fmtShape, fmtValue } from "../../errors.js";
import type { Size2 } from "../functional/fold.js";
import type { LoadStateDictResult, StateDict } from "../module.js";
import type { Module } from "../module.js";
import { Conv1d, Conv2d, Conv3d, ConvTranspose1d, ConvTranspose2d, ConvTranspose3d } from "./conv.js";
import { type ConvLayerArgs, type ConvTransposeLayerArgs, convLayerOptions, transposeOptions } from "./conv-layer-args.js";
import {
  BatchNorm1d, BatchNorm2d, BatchNorm3d, type BatchNormLayerOptions, InstanceNorm1d, InstanceNorm2d, InstanceNorm3d, type InstanceNormLayerOptions,
} from "./norm.js";
import { UninitializedParameter, isLazy } from "./lazy.js";

type Sd = StateDict | Map<string, Tensor>;
const entry = (sd: Sd, k: string): Tensor | undefined => {
  const v = sd instanceof Map ? sd.get(k) : (sd as StateDict | undefined)?.[k];
  return v instanceof Tensor ? v : undefined;
};
type Writable<T> = { -readonly [K in keyof T]: T[K] };

// ---- convolutions ----

interface ConvState extends Module {
  weight: Tensor;
  bias: Tensor | null;
  readonly inChannels: number;
  readonly outChannels: number;
  readonly groups: number;
  readonly kernelSize: number[];
  resetParameters(): void;
}

/** Replaces a freshly built conv layer's parameters by uninitialised ones and sets in_channels to 0. */
function makeConvLazy(m: ConvState): void {
  const dtype = m.weight.dtype;
  (m as Writable<ConvState>).inChannels = 0;
  m.weight = new UninitializedParameter(true, { dtype });
  m.bias = m.bias ? new UninitializedParameter(true, { dtype }) : null;
}

const convIsLazy = (m: ConvState): boolean => isLazy(m.weight) || isLazy(m.bias);

/** Materialises weight ([out, in/groups, *k], transposed [in, out/groups, *k]) and bias for `inChannels`, then initialises them. */
function materializeConv(m: ConvState, name: string, inChannels: number, transposed: boolean): void {
  check(inChannels % m.groups === 0, name, () => `in_channels (${inChannels}) must be divisible by groups (${m.groups})`);
  (m as Writable<ConvState>).inChannels = inChannels;
  const w = transposed ? [inChannels, m.outChannels / m.groups] : [m.outChannels, inChannels / m.groups];
  noGrad(() => {
    if (isLazy(m.weight)) m.weight.materialize([...w, ...m.kernelSize]);
    if (isLazy(m.bias)) m.bias.materialize([m.outChannels]);
  });
  m.resetParameters();
}

/** The first forward's inference: in_channels from dim 1 (batched) or 0 (unbatched) of an input of nd + 1 or nd + 2 dims. */
function inferConv(m: ConvState, name: string, nd: number, transposed: boolean, input: Tensor): void {
  if (!convIsLazy(m)) return;
  check(input instanceof Tensor && (input.ndim === nd + 1 || input.ndim === nd + 2), name, () =>
    `expected ${nd + 1}D (unbatched) or ${nd + 2}D (batched) input to infer in_channels from, got ${input instanceof Tensor ? `input of shape ${fmtShape(input.shape)}` : fmtValue(input)}`);
  materializeConv(m, name, input.shape[input.ndim === nd + 2 ? 1 : 0]!, transposed);
}

/** PyTorch's lazy load hook: still-lazy parameters take the saved shapes before loading. */
function loadConv(m: ConvState, name: string, nd: number, transposed: boolean, sd: Sd): void {
  const w = entry(sd, "weight");
  if (!convIsLazy(m) || !w) return;
  const fits = w.ndim === nd + 2 && (transposed ? w.shape[1]! * m.groups === m.outChannels : w.shape[0] === m.outChannels);
  if (!fits) throw new TensileError(`${name}.loadStateDict: weight of shape ${fmtShape(w.shape)} does not fit out_channels=${m.outChannels}, groups=${m.groups}, kernel_size=${fmtShape(m.kernelSize)}`);
  (m as Writable<ConvState>).inChannels = transposed ? w.shape[0]! : w.shape[1]! * m.groups;
  noGrad(() => {
    (m.weight as UninitializedParameter).materialize(w.shape);
    const b = entry(sd, "bias");
    if (isLazy(m.bias) && b) m.bias.materialize(b.shape);
  });
}

/**
 * `Conv1d` with `inChannels` read off the first input (PyTorch's `nn.LazyConv1d`); becomes a `Conv1d`.
 * ```ts
 * const conv = new nn.LazyConv1d(33, 3); conv.forward(randn([20, 16, 50])); // now Conv1d(16, 33, kernel_size=(3,), stride=(1,))
 * ```
 */
export class LazyConv1d extends Conv1d {
  constructor(outChannels: number, kernelSize: Size2, ...args: ConvLayerArgs) {
    const o = convLayerOptions("LazyConv1d", args);
    super(o.groups ?? 1, outChannels, kernelSize, o);
    makeConvLazy(this);
  }
  hasUninitializedParams(): boolean { return convIsLazy(this); }
  override resetParameters(): void { if (!convIsLazy(this)) super.resetParameters(); }
  override forward(input: Tensor): Tensor {
    inferConv(this, "LazyConv1d", 1, false, input);
    if (this instanceof LazyConv1d) Object.setPrototypeOf(this, Conv1d.prototype);
    return super.forward(input);
  }
  override loadStateDict(sd: Sd, options: { strict?: boolean } = {}): LoadStateDictResult {
    loadConv(this, "LazyConv1d", 1, false, sd);
    return super.loadStateDict(sd, options);
  }
}

/**
 * `Conv2d` with `inChannels` read off the first input (PyTorch's `nn.LazyConv2d`); becomes a `Conv2d`.
 * ```ts
 * const conv = new nn.LazyConv2d(6, 5, { padding: 2 });
 * const opt = new optim.SGD(conv.parameters(), { lr: 0.1 }); // allowed before the first forward
 * conv.forward(randn([8, 3, 28, 28]));                        // conv is now Conv2d(3, 6, ...)
 * ```
 */
export class LazyConv2d extends Conv2d {
  constructor(outChannels: number, kernelSize: Size2, ...args: ConvLayerArgs) {
    const o = convLayerOptions("LazyConv2d", args);
    super(o.groups ?? 1, outChannels, kernelSize, o);
    makeConvLazy(this);
  }
  hasUninitializedParams(): boolean { return convIsLazy(this); }
  override resetParameters(): void { if (!convIsLazy(this)) super.resetParameters(); }
  override forward(input: Tensor): Tensor {
    inferConv(this, "LazyConv2d", 2, false, input);
    if (this instanceof LazyConv2d) Object.setPrototypeOf(this, Conv2d.prototype);
    return super.forward(input);
  }
  override loadStateDict(sd: Sd, options: { strict?: boolean } = {}): LoadStateDictResult {
    loadConv(this, "LazyConv2d", 2, false, sd);
    return super.loadStateDict(sd, options);
  }
}

/** `Conv3d` with `inChannels` read off the first input (PyTorch's `nn.LazyConv3d`); becomes a `Conv3d`. */
export class LazyConv3d extends Conv3d {
  constructor(outChannels: number, kernelSize: Size2, ...args: ConvLayerArgs) {
    const o = convLayerOptions("LazyConv3d", args);
    super(o.groups ?? 1, outChannels, kernelSize, o);
    makeConvLazy(this);
  }
  hasUninitializedParams(): boolean { return convIsLazy(this); }
  override resetParameters(): void { if (!convIsLazy(this)) super.resetParameters(); }
  override forward(input: Tensor): Tensor {
    inferConv(this, "LazyConv3d", 3, false, input);
    if (this instanceof LazyConv3d) Object.setPrototypeOf(this, Conv3d.prototype);
    return super.forward(input);
  }
  override loadStateDict(sd: Sd, options: { strict?: boolean } = {}): LoadStateDictResult {
    loadConv(this, "LazyConv3d", 3, false, sd);
    return super.loadStateDict(sd, options);
  }
}

/** `ConvTranspose1d` with `inChannels` read off the first input (PyTorch's `nn.LazyConvTranspose1d`); becomes a `ConvTranspose1d`. */
export class LazyConvTranspose1d extends ConvTranspose1d {
  constructor(outChannels: number, kernelSize: Size2, ...args: ConvTransposeLayerArgs) {
    const o = transposeOptions("LazyConvTranspose1d", args);
    super(o.groups ?? 1, outChannels, kernelSize, o);
    makeConvLazy(this);
  }
  hasUninitializedParams(): boolean { return convIsLazy(this); }
  override resetParameters(): void { if (!convIsLazy(this)) super.resetParameters(); }
  override forward(input: Tensor, outputSize?: readonly number[]): Tensor {
    inferConv(this, "LazyConvTranspose1d", 1, true, input);
    if (this instanceof LazyConvTranspose1d) Object.setPrototypeOf(this, ConvTranspose1d.prototype);
    return super.forward(input, outputSize);
  }
  override loadStateDict(sd: Sd, options: { strict?: boolean } = {}): LoadStateDictResult {
    loadConv(this, "LazyConvTranspose1d", 1, true, sd);
    return super.loadStateDict(sd, options);
  }
}

/** `ConvTranspose2d` with `inChannels` read off the first input (PyTorch's `nn.LazyConvTranspose2d`); becomes a `ConvTranspose2d`. */
export class LazyConvTranspose2d extends ConvTranspose2d {
  constructor(outChannels: number, kernelSize: Size2, ...args: ConvTransposeLayerArgs) {
    const o = transposeOptions("LazyConvTranspose2d", args);
    super(o.groups ?? 1, outChannels, kernelSize, o);
    makeConvLazy(this);
  }
  hasUninitializedParams(): boolean { return convIsLazy(this); }
  override resetParameters(): void { if (!convIsLazy(this)) super.resetParameters(); }
  override forward(input: Tensor, outputSize?: readonly number[]): Tensor {
    inferConv(this, "LazyConvTranspose2d", 2, true, input);
    if (this instanceof LazyConvTranspose2d) Object.setPrototypeOf(this, ConvTranspose2d.prototype);
    return super.forward(input, outputSize);
  }
  override loadStateDict(sd: Sd, options: { strict?: boolean } = {}): LoadStateDictResult {
    loadConv(this, "LazyConvTranspose2d", 2, true, sd);
    return super.loadStateDict(sd, options);
  }
}

/** `ConvTranspose3d` with `inChannels` read off the first input (PyTorch's `nn.LazyConvTranspose3d`); becomes a `ConvTranspose3d`. */
export class LazyConvTranspose3d extends ConvTranspose3d {
  constructor(outChannels: number, kernelSize: Size2, ...args: ConvTransposeLayerArgs) {
    const o = transposeOptions("LazyConvTranspose3d", args);
    super(o.groups ?? 1, outChannels, kernelSize, o);
    makeConvLazy(this);
  }
  hasUninitializedParams(): boolean { return convIsLazy(this); }
  override resetParameters(): void { if (!convIsLazy(this)) super.resetParameters(); }
  override forward(input: Tensor, outputSize?: readonly number[]): Tensor {
    inferConv(this, "LazyConvTranspose3d", 3, true, input);
    if (this instanceof LazyConvTranspose3d) Object.setPrototypeOf(this, ConvTranspose3d.prototype);
    return super.forward(input, outputSize);
  }
  override loadStateDict(sd: Sd, options: { strict?: boolean } = {}): LoadStateDictResult {
    loadConv(this, "LazyConvTranspose3d", 3, true, sd);
    return super.loadStateDict(sd, options);
  }
}

// ---- normalisations ----

interface NormState extends Module {
  weight: Tensor | null;
  bias: Tensor | null;
  readonly numFeatures: number;
  readonly affine: boolean;
  readonly trackRunningStats: boolean;
  resetParameters(): void;
}

/** num_features 0, parameters uninitialised, running statistics empty (PyTorch's UninitializedBuffer). */
function makeNormLazy(m: NormState): void {
  const dtype = m.weight?.dtype ?? m.getBuffer("running_mean")?.dtype;
  (m as Writable<NormState>).numFeatures = 0;
  if (m.affine) {
    m.weight = new UninitializedParameter(true, { dtype });
    m.bias = new UninitializedParameter(true, { dtype });
  }
  if (m.trackRunningStats) {
    m.registerBuffer("running_mean", zeros([0], { dtype }));
    m.registerBuffer("running_var", zeros([0], { dtype }));
  }
}

const normIsLazy = (m: NormState): boolean => isLazy(m.weight) || isLazy(m.bias) || (m.trackRunningStats && m.numFeatures === 0);

function materializeNorm(m: NormState, c: number, init: boolean): void {
  (m as Writable<NormState>).numFeatures = c;
  const dtype = m.getBuffer("running_mean")?.dtype ?? m.weight?.dtype;
  noGrad(() => {
    if (isLazy(m.weight)) m.weight.materialize([c]);
    if (isLazy(m.bias)) m.bias.materialize([c]);
  });
  if (m.trackRunningStats) {
    m.registerBuffer("running_mean", zeros([c], { dtype }));
    m.registerBuffer("running_var", ones([c], { dtype }));
  }
  if (init) m.resetParameters();
}

function loadNorm(m: NormState, name: string, sd: Sd): void {
  if (!normIsLazy(m)) return;
  const t = entry(sd, "weight") ?? entry(sd, "running_mean");
  if (!t) return;
  if (t.ndim !== 1) throw new TensileError(`${name}.loadStateDict: expected 1-D per-channel state, got shape ${fmtShape(t.shape)}`);
  materializeNorm(m, t.shape[0]!, false);
}

const bnOpts = (eps: number | BatchNormLayerOptions, momentum: number | null, affine: boolean, track: boolean): BatchNormLayerOptions =>
  typeof eps === "object" && eps !== null ? { ...eps } : { eps, momentum, affine, trackRunningStats: track };

/**
 * `BatchNorm1d` with `numFeatures` read off dim 1 of the first input (PyTorch's `nn.LazyBatchNorm1d`); becomes a `BatchNorm1d`.
 * ```ts
 * const bn = new nn.LazyBatchNorm1d(); bn.forward(randn([20, 100])); // now BatchNorm1d(100, ...)
 * ```
 */
export class LazyBatchNorm1d extends BatchNorm1d {
  constructor(eps: number | BatchNormLayerOptions = 1e-5, momentum: number | null = 0.1, affine = true, trackRunningStats = true) {
    super(1, bnOpts(eps, momentum, affine, trackRunningStats));
    makeNormLazy(this);
  }
  hasUninitializedParams(): boolean { return normIsLazy(this); }
  override resetParameters(): void { if (!normIsLazy(this)) super.resetParameters(); }
  override forward(input: Tensor): Tensor {
    if (normIsLazy(this)) { this.checkInputDim(input); materializeNorm(this, input.shape[1]!, true); }
    if (this instanceof LazyBatchNorm1d) Object.setPrototypeOf(this, BatchNorm1d.prototype);
    return super.forward(input);
  }
  override loadStateDict(sd: Sd, options: { strict?: boolean } = {}): LoadStateDictResult {
    loadNorm(this, "LazyBatchNorm1d", sd);
    return super.loadStateDict(sd, options);
  }
}

/** `BatchNorm2d` with `numFeatures` read off dim 1 of the first input (PyTorch's `nn.LazyBatchNorm2d`); becomes a `BatchNorm2d`. */
export class LazyBatchNorm2d extends BatchNorm2d {
  constructor(eps: number | BatchNormLayerOptions = 1e-5, momentum: number | null = 0.1, affine = true, trackRunningStats = true) {
    super(1, bnOpts(eps, momentum, affine, trackRunningStats));
    makeNormLazy(this);
  }
  hasUninitializedParams(): boolean { return normIsLazy(this); }
  override resetParameters(): void { if (!normIsLazy(this)) super.resetParameters(); }
  override forward(input: Tensor): Tensor {
    if (normIsLazy(this)) { this.checkInputDim(input); materializeNorm(this, input.shape[1]!, true); }
    if (this instanceof LazyBatchNorm2d) Object.setPrototypeOf(this, BatchNorm2d.prototype);
    return super.forward(input);
  }
  override loadStateDict(sd: Sd, options: { strict?: boolean } = {}): LoadStateDictResult {
    loadNorm(this, "LazyBatchNorm2d", sd);
    return super.loadStateDict(sd, options);
  }
}

/** `BatchNorm3d` with `numFeatures` read off dim 1 of the first input (PyTorch's `nn.LazyBatchNorm3d`); becomes a `BatchNorm3d`. */
export class LazyBatchNorm3d extends BatchNorm3d {
  constructor(eps: number | BatchNormLayerOptions = 1e-5, momentum: number | null = 0.1, affine = true, trackRunningStats = true) {
    super(1, bnOpts(eps, momentum, affine, trackRunningStats));
    makeNormLazy(this);
  }
  hasUninitializedParams(): boolean { return normIsLazy(this); }
  override resetParameters(): void { if (!normIsLazy(this)) super.resetParameters(); }
  override forward(input: Tensor): Tensor {
    if (normIsLazy(this)) { this.checkInputDim(input); materializeNorm(this, input.shape[1]!, true); }
    if (this instanceof LazyBatchNorm3d) Object.setPrototypeOf(this, BatchNorm3d.prototype);
    return super.forward(input);
  }
  override loadStateDict(sd: Sd, options: { strict?: boolean } = {}): LoadStateDictResult {
    loadNorm(this, "LazyBatchNorm3d", sd);
    return super.loadStateDict(sd, options);
  }
}

const inOpts = (eps: number | InstanceNormLayerOptions, momentum: number, affine: boolean, track: boolean): InstanceNormLayerOptions =>
  typeof eps === "object" && eps !== null ? { affine: true, trackRunningStats: true, ...eps } : { eps, momentum, affine, trackRunningStats: track };

/** The channel count of an instance-norm input of `nb` (unbatched) or nb + 1 dims. */
function instanceChannels(name: string, nb: number, input: Tensor): number {
  check(input instanceof Tensor && (input.ndim === nb || input.ndim === nb + 1), name, () =>
    `expected ${nb}D (unbatched) or ${nb + 1}D (batched) input, got ${input instanceof Tensor ? `${input.ndim}D input of shape ${fmtShape(input.shape)}` : fmtValue(input)}`);
  return input.shape[input.ndim - nb]!;
}

/**
 * `InstanceNorm1d` with `numFeatures` read off the channel dim of the first input (PyTorch's
 * `nn.LazyInstanceNorm1d`, whose defaults are `affine: true, trackRunningStats: true`); becomes an `InstanceNorm1d`.
 */
export class LazyInstanceNorm1d extends InstanceNorm1d {
  constructor(eps: number | InstanceNormLayerOptions = 1e-5, momentum = 0.1, affine = true, trackRunningStats = true) {
    super(1, inOpts(eps, momentum, affine, trackRunningStats));
    makeNormLazy(this);
  }
  hasUninitializedParams(): boolean { return normIsLazy(this); }
  override resetParameters(): void { if (!normIsLazy(this)) super.resetParameters(); }
  override forward(input: Tensor): Tensor {
    if (normIsLazy(this)) materializeNorm(this, instanceChannels("LazyInstanceNorm1d", 2, input), true);
    if (this instanceof LazyInstanceNorm1d) Object.setPrototypeOf(this, InstanceNorm1d.prototype);
    return super.forward(input);
  }
  override loadStateDict(sd: Sd, options: { strict?: boolean } = {}): LoadStateDictResult {
    loadNorm(this, "LazyInstanceNorm1d", sd);
    return super.loadStateDict(sd, options);
  }
}

/** `InstanceNorm2d` with `numFeatures` read off the channel dim of the first input (PyTorch's `nn.LazyInstanceNorm2d`); becomes an `InstanceNorm2d`. */
export class LazyInstanceNorm2d extends InstanceNorm2d {
  constructor(eps: number | InstanceNormLayerOptions = 1e-5, momentum = 0.1, affine = true, trackRunningStats = true) {
    super(1, inOpts(eps, momentum, affine, trackRunningStats));
    makeNormLazy(this);
  }
  hasUninitializedParams(): boolean { return normIsLazy(this); }
  override resetParameters(): void { if (!normIsLazy(this)) super.resetParameters(); }
  override forward(input: Tensor): Tensor {
    if (normIsLazy(this)) materializeNorm(this, instanceChannels("LazyInstanceNorm2d", 3, input), true);
    if (this instanceof LazyInstanceNorm2d) Object.setPrototypeOf(this, InstanceNorm2d.prototype);
    return super.forward(input);
  }
  override loadStateDict(sd: Sd, options: { strict?: boolean } = {}): LoadStateDictResult {
    loadNorm(this, "LazyInstanceNorm2d", sd);
    return super.loadStateDict(sd, options);
  }
}

/** `InstanceNorm3d` with `numFeatures` read off the channel dim of the first input (PyTorch's `nn.LazyInstanceNorm3d`); becomes an `InstanceNorm3d`. */
export class LazyInstanceNorm3d extends InstanceNorm3d {
  constructor(eps: number | InstanceNormLayerOptions = 1e-5, momentum = 0.1, affine = true, trackRunningStats = true) {
    super(1, inOpts(eps, momentum, affine, trackRunningStats));
    makeNormLazy(this);
  }
  hasUninitializedParams(): boolean { return normIsLazy(this); }
  override resetParameters(): void { if (!normIsLazy(this)) super.resetParameters(); }
  override forward(input: Tensor): Tensor {
    if (normIsLazy(this)) materializeNorm(this, instanceChannels("LazyInstanceNorm3d", 4, input), true);
    if (this instanceof LazyInstanceNorm3d) Object.setPrototypeOf(this, InstanceNorm3d.prototype);
    return super.forward(input);
  }
  override loadStateDict(sd: Sd, options: { strict?: boolean } = {}): LoadStateDictResult {
    loadNorm(this, "LazyInstanceNorm3d", sd);
    return super.loadStateDict(sd, options);
  }
}
