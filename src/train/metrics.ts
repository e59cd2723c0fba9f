import { TensileError, fmtShape } from "../errors.js";
import type { Tensor } from "../core.js";

/**
 * Evaluation metrics over predictions and targets. Classification metrics take logits or
 * probabilities [N, C] (or predicted class indices [N]) and int targets [N]; regression metrics take
 * two same-shaped tensors. All return plain numbers (or arrays), computed in float64.
 */

function labelsOf(op: string, pred: Tensor, target: Tensor): { p: Int32Array; t: Int32Array; C: number } {
  const N = target.shape[0] ?? 0;
  if (target.ndim !== 1) throw new TensileError(`${op}: expected target of shape [N], got ${fmtShape(target.shape)}`);
  let p: Int32Array, C: number;
  if (pred.ndim === 2) {
    if (pred.shape[0] !== N) throw new TensileError(`${op}: predictions ${fmtShape(pred.shape)} and target ${fmtShape(target.shape)} disagree on N`);
    p = Int32Array.from(pred.argmax(1).dataSync() as Int32Array);
    C = pred.shape[1]!;
  } else if (pred.ndim === 1) {
    if (pred.shape[0] !== N) throw new TensileError(`${op}: predictions ${fmtShape(pred.shape)} and target ${fmtShape(target.shape)} disagree on N`);
    p = Int32Array.from(pred.dataSync() as ArrayLike<number>);
    C = 0;
  } else throw new TensileError(`${op}: expected predictions [N, C] or [N], got ${fmtShape(pred.shape)}`);
  const t = Int32Array.from(target.dataSync() as ArrayLike<number>);
  for (const v of [...p, ...t]) C = Math.max(C, v + 1);
  return { p, t, C };
}

/** Fraction of samples whose predicted class (argmax of [N, C], or [N] labels) equals the target. */
export function accuracy(pred: Tensor, target: Tensor): number {
  const { p, t } = labelsOf("accuracy", pred, target);
  if (t.length === 0) return NaN;
  let hit = 0;
  for (let i = 0; i < t.length; i++) if (p[i] === t[i]) hit++;
  return hit / t.length;
}

/** Fraction of samples whose target is among the k highest scores of [N, C]. */
export function topKAccuracy(scores: Tensor, target: Tensor, k = 5): number {
  if (scores.ndim !== 2) throw new TensileError(`topKAccuracy: expected scores [N, C], got ${fmtShape(scores.shape)}`);
  const [N, C] = scores.shape as [number, number];
  if (k < 1 || k > C) throw new TensileError(`topKAccuracy: k must be in [1, ${C}], got ${k}`);
  const s = scores.dataSync(), t = target.dataSync();
  let hit = 0;
  for (let i = 0; i < N; i++) {
    const mine = s[i * C + t[i]!]!;
    let above = 0;
    for (let j = 0; j < C; j++) if (s[i * C + j]! > mine) above++;
    if (above < k) hit++;
  }
  return N ? hit / N : NaN;
}

/** C×C matrix m[true][pred] of counts. */
export function confusionMatrix(pred: Tensor, target: Tensor, numClasses?: number): number[][] {
  const { p, t, C } = labelsOf("confusionMatrix", pred, target);
  const n = numClasses ?? C;
  const m = Array.from({ length: n }, () => new Array<number>(n).fill(0));
  for (let i = 0; i < t.length; i++) {
    if (t[i]! >= n || p[i]! >= n) throw new TensileError(`confusionMatrix: class ${Math.max(t[i]!, p[i]!)} out of range for ${n} classes`);
    m[t[i]!]![p[i]!]!++;
  }
  return m;
}

export interface ClassificationReport {
  precision: number[];
  recall: number[];
  f1: number[];
  support: number[];
  macro: { precision: number; recall: number; f1: number };
  accuracy: number;
}

/** Per-class and macro-averaged precision, recall and F1 (classes without predictions count 0, as scikit-learn's zero_division=0). */
export function precisionRecallF1(pred: Tensor, target: Tensor, numClasses?: number): ClassificationReport {
  const m = confusionMatrix(pred, target, numClasses);
  const n = m.length;
  const precision: number[] = [], recall: number[] = [], f1: number[] = [], support: number[] = [];
  let correct = 0, total = 0;
  for (let c = 0; c < n; c++) {
    const tp = m[c]![c]!;
    const predicted = m.reduce((a, row) => a + row[c]!, 0);
    const actual = m[c]!.reduce((a, b) => a + b, 0);
    const p = predicted ? tp / predicted : 0, r = actual ? tp / actual : 0;
    precision.push(p);
    recall.push(r);
    f1.push(p + r ? (2 * p * r) / (p + r) : 0);
    support.push(actual);
    correct += tp;
    total += actual;
  }
  const avg = (a: number[]) => (a.length ? a.reduce((x, y) => x + y, 0) / a.length : NaN);
  return { precision, recall, f1, support, macro: { precision: avg(precision), recall: avg(recall), f1: avg(f1) }, accuracy: total ? correct / total : NaN };
}

function pair(op: string, pred: Tensor, target: Tensor): [ArrayLike<number>, ArrayLike<number>] {
  if (pred.numel() !== target.numel()) throw new TensileError(`${op}: predictions ${fmtShape(pred.shape)} and target ${fmtShape(target.shape)} have different sizes`);
  return [pred.dataSync(), target.dataSync()];
}

export function mae(pred: Tensor, target: Tensor): number {
  const [p, t] = pair("mae", pred, target);
  let s = 0;
  for (let i = 0; i < p.length; i++) s += Math.abs(p[i]! - t[i]!);
  return s / p.length;
}

export function rmse(pred: Tensor, target: Tensor): number {
  const [p, t] = pair("rmse", pred, target);
  let s = 0;
  for (let i = 0; i < p.length; i++) s += (p[i]! - t[i]!) ** 2;
  return Math.sqrt(s / p.length);
}

/** Coefficient of determination 1 − SS_res / SS_tot. */
export function r2Score(pred: Tensor, target: Tensor): number {
  const [p, t] = pair("r2Score", pred, target);
  let mean = 0;
  for (let i = 0; i < t.length; i++) mean += t[i]!;
  mean /= t.length;
  let res = 0, tot = 0;
  for (let i = 0; i < t.length; i++) {
    res += (t[i]! - p[i]!) ** 2;
    tot += (t[i]! - mean) ** 2;
  }
  return 1 - res / tot;
}

/** A metric the fit loop can average over batches: name and (pred, target) → number. */
export type Metric = { name: string; fn: (pred: Tensor, target: Tensor) => number };
export const metricsByName: Record<string, Metric> = {
  accuracy: { name: "accuracy", fn: accuracy },
  top5: { name: "top5", fn: (p, t) => topKAccuracy(p, t, Math.min(5, p.shape[1] ?? 5)) },
  mae: { name: "mae", fn: mae },
  rmse: { name: "rmse", fn: rmse },
  r2: { name: "r2", fn: r2Score },
};
