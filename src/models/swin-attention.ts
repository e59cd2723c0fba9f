/**
 * Swin Transformer's shifted-window attention (torchvision.models.swin_transformer, 0.14):
 * `shiftedWindowAttention`, the modules `ShiftedWindowAttention` (v1: learned relative position
 * bias table) and `ShiftedWindowAttentionV2` (v2: cosine attention with a learned `logit_scale`
 * and the continuous position bias `cpb_mlp`), and the patch-merging layers. Split from swin.ts to
 * keep each file on one topic. State-dict keys are torchvision's: `qkv`, `proj`,
 * `relative_position_bias_table` (v1), `relative_position_index` (an integer buffer, int64 in
 * torchvision, int32 here, as `loadTorch` reads it), `logit_scale`, `cpb_mlp.0/2` and the float
 * buffer `relative_coords_table` (v2).
 */
import { type DType, type Tensor, Parameter, cat, empty, indexSelect, ones, pad, softmax, tensor, zeros } from "../core.js";
import { check } from "../errors.js";
import { noGrad } from "../autograd/grad-mode.js";
import { Module } from "../nn/module.js";
import { Sequential } from "../nn/layers/container.js";
import { Linear } from "../nn/layers/linear.js";
import { ReLU } from "../nn/layers/activation.js";
import { linear } from "../nn/functional/linear.js";
import { dropout as dropoutFn } from "../nn/functional/dropout.js";
import { normalize } from "../nn/functional/distance.js";
import { checkIntList, truncNormalInit } from "./transformer-common.js";

export interface ShiftedWindowAttentionArgs {
  windowSize: readonly [number, number] | readonly number[];
  numHeads: number;
  shiftSize: readonly number[];
  attentionDropout?: number;
  dropout?: number;
  qkvBias?: Tensor | null;
  projBias?: Tensor | null;
  /** v2: per-head log scale [heads, 1, 1] of the cosine attention (clamped at log 100). */
  logitScale?: Tensor | null;
  /** Apply the dropouts (torchvision 0.14 applies them even in eval mode; Tensile only in training). */
  training?: boolean;
}

/** The attention mask of the shifted windows: 0 within a region, −100 across regions; [nW, N, N]. */
function shiftMask(pH: number, pW: number, ws: readonly number[], ss: readonly number[], dtype: DType): Tensor {
  // torchvision labels the slices [0, n−w), [n−w, n−s), [n−s, n); with s = 0 its last slice is all of [0, n): one region
  const region = (i: number, n: number, w: number, s: number) => (s === 0 ? 0 : i < n - w ? 0 : i < n - s ? 1 : 2);
  const lab = new Int32Array(pH * pW);
  for (let i = 0; i < pH; i++) for (let j = 0; j < pW; j++) lab[i * pW + j] = region(i, pH, ws[0]!, ss[0]!) * 3 + region(j, pW, ws[1]!, ss[1]!);
  const nh = pH / ws[0]!, nw = pW / ws[1]!, N = ws[0]! * ws[1]!;
  const win = new Int32Array(nh * nw * N); // window-major labels, as view + permute(0, 2, 1, 3)
  for (let a = 0; a < nh; a++) for (let b = 0; b < nw; b++) for (let p = 0; p < ws[0]!; p++) for (let q = 0; q < ws[1]!; q++)
    win[(a * nw + b) * N + p * ws[1]! + q] = lab[(a * ws[0]! + p) * pW + b * ws[1]! + q]!;
  const out = new Float32Array(nh * nw * N * N);
  for (let w = 0; w < nh * nw; w++) for (let i = 0; i < N; i++) for (let j = 0; j < N; j++)
    out[(w * N + i) * N + j] = win[w * N + i] === win[w * N + j] ? 0 : -100;
  return tensor(out, { shape: [nh * nw, N, N], dtype });
}

/**
 * Window multi-head self-attention with relative position bias over a channels-last map
 * [B, H, W, C] (torchvision's `shifted_window_attention`): the map padded to whole windows,
 * cyclically shifted by −shiftSize (no shift along a side the window already covers), cut into
 * windows, attended within each window (scaled dot product, or v2's cosine attention times
 * exp(min(logitScale, log 100))), plus `relativePositionBias` [1, heads, N, N] and, when shifted,
 * −100 between tokens that came from different regions; then projected, put back and unpadded.
 */
export function shiftedWindowAttention(input: Tensor, qkvWeight: Tensor, projWeight: Tensor, relativePositionBias: Tensor, a: ShiftedWindowAttentionArgs): Tensor {
  const op = "shiftedWindowAttention";
  check(input.ndim === 4, op, () => `expected input [B, H, W, C], got [${input.shape.join(", ")}]`);
  const [B, H, W, C] = input.shape as [number, number, number, number];
  const ws = a.windowSize, heads = a.numHeads, training = a.training ?? false;
  check(C % heads === 0, op, () => `channels ${C} must be divisible by numHeads ${heads}`);
  const padR = (ws[1]! - (W % ws[1]!)) % ws[1]!, padB = (ws[0]! - (H % ws[0]!)) % ws[0]!;
  let x = padR || padB ? pad(input, [0, 0, 0, padR, 0, padB]) : input;
  const pH = H + padB, pW = W + padR;
  const ss = [ws[0]! >= pH ? 0 : a.shiftSize[0]!, ws[1]! >= pW ? 0 : a.shiftSize[1]!];
  const shifted = ss[0]! + ss[1]! > 0;
  if (shifted) x = x.roll([-ss[0]!, -ss[1]!], [1, 2]);
  const nW = (pH / ws[0]!) * (pW / ws[1]!), N = ws[0]! * ws[1]!;
  x = x.view(B, pH / ws[0]!, ws[0]!, pW / ws[1]!, ws[1]!, C).permute(0, 1, 3, 2, 4, 5).reshape(B * nW, N, C);
  let qkvBias = a.qkvBias ?? null;
  if (a.logitScale && qkvBias) {
    // v2 has no key bias: the middle third is zeroed (on a copy, so it gets no gradient)
    const len = qkvBias.numel() / 3;
    qkvBias = cat([qkvBias.narrow(0, 0, len), zeros([len], { dtype: qkvBias.dtype }), qkvBias.narrow(0, 2 * len, len)]);
  }
  const qkv = linear(x, qkvWeight, qkvBias).reshape(B * nW, N, 3, heads, C / heads).permute(2, 0, 3, 1, 4);
  let q = qkv.select(0, 0);
  const k = qkv.select(0, 1), v = qkv.select(0, 2);
  let attn: Tensor;
  if (a.logitScale) {
    attn = normalize(q, 2, -1).matmul(normalize(k, 2, -1).transpose(-2, -1));
    attn = attn.mul(a.logitScale.clampMax(Math.log(100)).exp());
  } else {
    q = q.mul((C / heads) ** -0.5);
    attn = q.matmul(k.transpose(-2, -1));
  }
  attn = attn.add(relativePositionBias);
  if (shifted) {
    const mask = shiftMask(pH, pW, ws, ss, attn.dtype);
    attn = attn.view(B, nW, heads, N, N).add(mask.unsqueeze(1).unsqueeze(0)).view(-1, heads, N, N);
  }
  attn = softmax(attn, -1);
  if (a.attentionDropout) attn = dropoutFn(attn, a.attentionDropout, training);
  let y = attn.matmul(v).transpose(1, 2).reshape(B * nW, N, C);
  y = linear(y, projWeight, a.projBias ?? null);
  if (a.dropout) y = dropoutFn(y, a.dropout, training);
  y = y.view(B, pH / ws[0]!, pW / ws[1]!, ws[0]!, ws[1]!, C).permute(0, 1, 3, 2, 4, 5).reshape(B, pH, pW, C);
  if (shifted) y = y.roll([ss[0]!, ss[1]!], [1, 2]);
  return padR || padB ? y.index([":", `:${H}`, `:${W}`, ":"]).contiguous() : y;
}

/** torchvision's relative_position_index: for tokens i, j of a window, (Δh + wh − 1)(2ww − 1) + Δw + ww − 1; [N·N]. */
export function relativePositionIndex(ws: readonly number[]): Tensor {
  const [wh, ww] = ws as [number, number];
  const N = wh * ww, out = new Int32Array(N * N);
  for (let i = 0; i < N; i++) for (let j = 0; j < N; j++) {
    const dh = Math.floor(i / ww) - Math.floor(j / ww), dw = (i % ww) - (j % ww);
    out[i * N + j] = (dh + wh - 1) * (2 * ww - 1) + dw + ww - 1;
  }
  return tensor(out, { shape: [N * N], dtype: "int32" });
}

/** table[index] as [1, heads, N, N] (torchvision's `_get_relative_position_bias`). */
function gatherBias(table: Tensor, index: Tensor, ws: readonly number[]): Tensor {
  const N = ws[0]! * ws[1]!;
  return indexSelect(table, 0, index).view(N, N, -1).permute(2, 0, 1).contiguous().unsqueeze(0);
}

/**
 * Swin v1's attention: `qkv` (C → 3C) and `proj` (C → C) Linears, a learned bias per head and
 * relative offset (`relative_position_bias_table` [(2wh−1)(2ww−1), heads], truncated-normal std
 * 0.02) and the integer buffer `relative_position_index` [N²]. Input and output [B, H, W, C].
 */
export class ShiftedWindowAttention extends Module {
  readonly windowSize: number[];
  readonly shiftSize: number[];
  readonly numHeads: number;
  readonly attentionDropout: number;
  readonly dropoutP: number;
  declare qkv: Linear;
  declare proj: Linear;
  declare relative_position_bias_table: Parameter | undefined;
  declare relative_position_index: Tensor;

  constructor(dim: number, windowSize: readonly number[], shiftSize: readonly number[], numHeads: number,
    o: { qkvBias?: boolean; projBias?: boolean; attentionDropout?: number; dropout?: number } = {}) {
    super();
    const op = this.constructor.name;
    check(Array.isArray(windowSize) && windowSize.length === 2 && Array.isArray(shiftSize) && shiftSize.length === 2, op,
      "window_size and shift_size must be of length 2");
    checkIntList(op, "windowSize", windowSize, 2);
    this.windowSize = [...windowSize];
    this.shiftSize = [...shiftSize];
    this.numHeads = numHeads;
    this.attentionDropout = o.attentionDropout ?? 0;
    this.dropoutP = o.dropout ?? 0;
    this.qkv = new Linear(dim, dim * 3, o.qkvBias ?? true);
    this.proj = new Linear(dim, dim, o.projBias ?? true);
    this.defineBiasTable();
    this.registerBuffer("relative_position_index", relativePositionIndex(this.windowSize));
  }

  protected defineBiasTable(): void {
    const [wh, ww] = this.windowSize as [number, number];
    this.relative_position_bias_table = new Parameter(empty([(2 * wh - 1) * (2 * ww - 1), this.numHeads]));
    noGrad(() => truncNormalInit([this.relative_position_bias_table!], 0.02));
  }

  /** The bias added to the attention scores, [1, heads, N, N]. */
  relativePositionBias(): Tensor {
    return gatherBias(this.relative_position_bias_table!, this.relative_position_index, this.windowSize);
  }

  protected logitScale(): Tensor | null {
    return null;
  }

  override forward(x: Tensor): Tensor {
    return shiftedWindowAttention(x, this.qkv.weight, this.proj.weight, this.relativePositionBias(), {
      windowSize: this.windowSize, numHeads: this.numHeads, shiftSize: this.shiftSize, attentionDropout: this.attentionDropout,
      dropout: this.dropoutP, qkvBias: this.qkv.bias, projBias: this.proj.bias, logitScale: this.logitScale(), training: this.training,
    });
  }
}

/**
 * Swin v2's attention: cosine similarity times exp(min(`logit_scale`, log 100)) (`logit_scale`
 * [heads, 1, 1] starts at log 10), and a bias 16·σ(cpb_mlp(relative_coords_table)) from a small MLP
 * (`cpb_mlp.0` 2 → 512, ReLU, `cpb_mlp.2` 512 → heads without bias) over the log-spaced relative
 * coordinates (the float buffer `relative_coords_table` [1, 2wh−1, 2ww−1, 2]). The key bias is
 * always zero.
 */
export class ShiftedWindowAttentionV2 extends ShiftedWindowAttention {
  declare logit_scale: Parameter;
  declare cpb_mlp: Sequential;
  declare relative_coords_table: Tensor;

  constructor(dim: number, windowSize: readonly number[], shiftSize: readonly number[], numHeads: number,
    o: { qkvBias?: boolean; projBias?: boolean; attentionDropout?: number; dropout?: number } = {}) {
    super(dim, windowSize, shiftSize, numHeads, o);
    this.logit_scale = new Parameter(ones([numHeads, 1, 1]).mul(10).log());
    this.cpb_mlp = new Sequential(new Linear(2, 512, true), new ReLU({ inplace: true }), new Linear(512, numHeads, false));
    const b = this.qkv.bias;
    if (b) noGrad(() => b.narrow(0, b.numel() / 3, b.numel() / 3).zero_());
  }

  protected override defineBiasTable(): void {
    const [wh, ww] = this.windowSize as [number, number];
    const nh = 2 * wh - 1, nw = 2 * ww - 1, t = new Float32Array(nh * nw * 2);
    // sign(x)·log2(|x| + 1)/3 of the offsets scaled to [−8, 8], in float32 steps as torchvision
    const f = (d: number, w: number) => {
      const s = Math.fround(Math.fround(Math.fround(d) / Math.fround(w - 1)) * 8);
      return Math.fround(Math.fround(Math.sign(s) * Math.fround(Math.log2(Math.fround(Math.abs(s) + 1)))) / 3);
    };
    for (let i = 0; i < nh; i++) for (let j = 0; j < nw; j++) {
      t[(i * nw + j) * 2] = f(i - (wh - 1), wh);
      t[(i * nw + j) * 2 + 1] = f(j - (ww - 1), ww);
    }
    this.registerBuffer("relative_coords_table", tensor(t, { shape: [1, nh, nw, 2] }));
  }

  override relativePositionBias(): Tensor {
    const table = (this.cpb_mlp.forward(this.relative_coords_table) as Tensor).view(-1, this.numHeads);
    return gatherBias(table, this.relative_position_index, this.windowSize).sigmoid().mul(16);
  }

  protected override logitScale(): Tensor {
    return this.logit_scale;
  }
}

/** x[..., H, W, C] → [..., ⌈H/2⌉, ⌈W/2⌉, 4C]: each 2×2 neighbourhood's four pixels side by side (odd sides padded with zeros). */
function mergePatches(x: Tensor): Tensor {
  check(x.ndim >= 3, "PatchMerging", () => `expected input [..., H, W, C], got [${x.shape.join(", ")}]`);
  const [H, W] = x.shape.slice(-3, -1) as [number, number];
  if (H % 2 || W % 2) x = pad(x, [0, 0, 0, W % 2, 0, H % 2]);
  const at = (i: number, j: number) => x.index(["...", `${i}::2`, `${j}::2`, ":"]);
  return cat([at(0, 0), at(1, 0), at(0, 1), at(1, 1)], -1);
}

/** Swin v1's downsampler: merge 2×2 patches, LayerNorm(4C), `reduction` Linear 4C → 2C without bias. */
export class PatchMerging extends Module {
  declare reduction: Linear;
  declare norm: Module;
  constructor(readonly dim: number, norm: (d: number) => Module) {
    super();
    this.reduction = new Linear(4 * dim, 2 * dim, false);
    this.norm = norm(4 * dim);
  }
  override forward(x: Tensor): Tensor {
    return this.reduction.forward(this.norm.forward(mergePatches(x)) as Tensor);
  }
}

/** Swin v2's downsampler: merge 2×2 patches, `reduction` 4C → 2C, then LayerNorm(2C). */
export class PatchMergingV2 extends Module {
  declare reduction: Linear;
  declare norm: Module;
  constructor(readonly dim: number, norm: (d: number) => Module) {
    super();
    this.reduction = new Linear(4 * dim, 2 * dim, false);
    this.norm = norm(2 * dim);
  }
  override forward(x: Tensor): Tensor {
    return this.norm.forward(this.reduction.forward(mergePatches(x))) as Tensor;
  }
}
