/**
 * Occlusion (Zeiler & Fergus, 2014; Captum `Occlusion`): slide a window over the input, replace
 * what it covers by the baseline, and see how much the target output drops.
 */
import { Tensor, noGrad, tensor, where } from "../core.js";
import { TensileError, fmtShape, fmtValue } from "../errors.js";
import {
  type Baselines, type Forward, type TargetOptions,
  checkInput, checkKeys, checkModel, checkPositiveInt, forwardTarget, resolveBaselines, targetIndices, tileIndices,
} from "./common.js";

export interface OcclusionOptions extends TargetOptions {
  /** The window's size in every dimension after the batch one, e.g. [1, 4, 4] for [N, 1, 28, 28] images. */
  slidingWindowShapes: readonly number[];
  /** How far the window moves, per dimension or one number for all (default 1). */
  strides?: number | readonly number[];
  /** What the window puts in place of the input: a number or a tensor broadcastable to the input (default 0). */
  baselines?: Baselines;
  /** Window positions evaluated in one forward pass (Captum's `perturbations_per_eval`, default 1). */
  perturbationsPerEval?: number;
}

/**
 * Attribution of each element = the mean, over the window positions that cover it, of
 * F_target(x) − F_target(x with the window replaced by the baseline). Windows start every
 * `strides` steps; where the last start would leave the end of a dimension uncovered one more
 * window is placed there, cut off at the edge (Captum's placement), so every element is covered.
 * Runs under `noGrad`. Returns a tensor of the input's shape (float64 for a float64 input, else
 * float32; the input may be of any dtype, e.g. token ids occluded by a padding id).
 */
export function occlusion(model: Forward, input: Tensor, options: OcclusionOptions): Tensor {
  const op = "occlusion";
  checkKeys(op, options, ["target", "slidingWindowShapes", "strides", "baselines", "perturbationsPerEval"]);
  checkModel(op, model);
  checkInput(op, input, false);
  if (options === undefined) throw new TensileError(`${op}: options with slidingWindowShapes are required`);
  const feat = input.shape.slice(1);
  const d = feat.length;
  const win = options.slidingWindowShapes;
  if (!Array.isArray(win) || win.length !== d || win.some((w) => typeof w !== "number" || !Number.isInteger(w) || w < 1))
    throw new TensileError(`${op}: slidingWindowShapes must be ${d} positive integers, one per dimension after the batch one of the input ${fmtShape(input.shape)}, got ${fmtValue(win)}`);
  if (win.some((w, i) => w > feat[i]!))
    throw new TensileError(`${op}: slidingWindowShapes ${fmtShape(win)} exceed the input's dimensions ${fmtShape(feat)} (input ${fmtShape(input.shape)})`);
  const rawStrides = options.strides ?? 1;
  const strides = typeof rawStrides === "number" ? new Array<number>(d).fill(rawStrides) : rawStrides;
  if (!Array.isArray(strides) || strides.length !== d || strides.some((s) => typeof s !== "number" || !Number.isInteger(s) || s < 1))
    throw new TensileError(`${op}: strides must be a positive integer or ${d} of them (one per dimension after the batch one), got ${fmtValue(rawStrides)}`);
  strides.forEach((s, i) => {
    if (s > win[i]! && win[i]! < feat[i]!)
      throw new TensileError(`${op}: stride ${s} is larger than the sliding window (${win[i]}) in dimension ${i + 1}, so some elements would never be occluded`);
  });
  const perEval = checkPositiveInt(op, "perturbationsPerEval", options.perturbationsPerEval ?? 1);
  const n = input.shape[0]!;
  const idx = targetIndices(op, options.target, n);
  const x = input.detach();
  const base = resolveBaselines(op, options.baselines, x);

  // window starts per dimension: 0, s, 2s, … up to ceil((D − w)/s)·s (the last one cut at the edge)
  const starts = feat.map((size, i) => {
    const count = Math.ceil((size - win[i]!) / strides[i]!) + 1;
    return Array.from({ length: count }, (_, k) => k * strides[i]!);
  });
  const total = starts.reduce((a, s) => a * s.length, 1);
  const size = feat.reduce((a, b) => a * b, 1);
  const featStrides = feat.map((_, i) => feat.slice(i + 1).reduce((a, b) => a * b, 1));
  /** The flat indices (within one example) the window number `w` covers. */
  const cells = (w: number): number[] => {
    const lo: number[] = new Array(d), hi: number[] = new Array(d);
    for (let i = d - 1; i >= 0; i--) {
      const c = starts[i]!.length;
      lo[i] = starts[i]![w % c]!;
      hi[i] = Math.min(lo[i]! + win[i]!, feat[i]!);
      w = Math.floor(w / c);
    }
    const out: number[] = [];
    const walk = (dim: number, offset: number) => {
      if (dim === d) return void out.push(offset);
      for (let v = lo[dim]!; v < hi[dim]!; v++) walk(dim + 1, offset + v * featStrides[dim]!);
    };
    walk(0, 0);
    return out;
  };

  return noGrad(() => {
    const f0 = forwardTarget(op, model, x, idx).to("float64").dataSync();
    const sums = new Float64Array(n * size);
    const counts = new Float64Array(size);
    for (let w0 = 0; w0 < total; w0 += perEval) {
      const k = Math.min(perEval, total - w0);
      const masks = new Uint8Array(k * size);
      const covered: number[][] = [];
      for (let j = 0; j < k; j++) {
        const c = cells(w0 + j);
        covered.push(c);
        for (const e of c) masks[j * size + e] = 1;
      }
      // k occluded copies of the batch, window-major: row j·N + i is example i under window w0 + j
      const mask = tensor(masks, { shape: [k, 1, ...feat], dtype: "bool" });
      const occluded = where(mask, base.unsqueeze(0), x.unsqueeze(0)).reshape([k * n, ...feat]);
      const f = forwardTarget(op, model, occluded, tileIndices(idx, k)).to("float64").dataSync();
      for (let j = 0; j < k; j++) {
        for (const e of covered[j]!) counts[e] += 1;
        for (let i = 0; i < n; i++) {
          const diff = f0[i]! - f[j * n + i]!;
          const row = i * size;
          for (const e of covered[j]!) sums[row + e] += diff;
        }
      }
    }
    for (let i = 0; i < n; i++) for (let e = 0; e < size; e++) sums[i * size + e] /= counts[e]!;
    const out = tensor(sums, { shape: [...input.shape], dtype: "float64" });
    return input.dtype === "float64" ? out : out.to("float32");
  });
}
