import { Tensor, cat, noGrad, tensor, zeros } from "../../core.js";
import type { DType } from "../../core.js";
import { TensileError, check, fmtShape, fmtValue } from "../../errors.js";
import { Module } from "../module.js";
import { ModuleList, Sequential } from "./container.js";
import { Linear } from "./linear.js";

export interface AdaptiveLogSoftmaxWithLossOptions {
  /** Each cluster's hidden size is ⌊inFeatures / divValue^(i+1)⌋ (default 4). */
  divValue?: number;
  /** Give the head a bias (default false). */
  headBias?: boolean;
  /** Parameter dtype (default float32). */
  dtype?: DType;
}

/** What `AdaptiveLogSoftmaxWithLoss.forward` returns (PyTorch's named tuple `_ASMoutput`). */
export interface ASMOutput {
  /** The log-probability of each example's target class: [N] (or [] for one unbatched example). */
  output: Tensor;
  /** The mean negative log-likelihood, a 0-d tensor. */
  loss: Tensor;
}

const OP = "AdaptiveLogSoftmaxWithLoss";

/**
 * Efficient softmax approximation for large output spaces (Grave et al., 2016), PyTorch's
 * `nn.AdaptiveLogSoftmaxWithLoss`. Classes are split by `cutoffs` into a shortlist [0, cutoffs[0])
 * and clusters [cutoffs[i], cutoffs[i+1]); the head scores the shortlist classes plus one entry per
 * cluster, and each cluster's classes are scored by its own two-layer projection of smaller width
 * (⌊inFeatures / divValue^(i+1)⌋), so frequent classes (sort them first) cost little.
 *
 * Parameters (state-dict keys as PyTorch's): `head.weight` [shortlist + clusters, inFeatures]
 * (`head.bias` with `headBias`), and per cluster i `tail.i.0.weight` [hidden, inFeatures],
 * `tail.i.1.weight` [cluster size, hidden].
 *
 * `forward(input, target)` returns `{ output, loss }`: input [N, inFeatures] with an int32 target [N]
 * (or [inFeatures] with a 0-d target); `logProb(input)` gives all log-probabilities [N, nClasses];
 * `predict(input)` the most likely class [N] (int32), computing the clusters only for the rows whose
 * head prefers one.
 * ```ts
 * const asm = new nn.AdaptiveLogSoftmaxWithLoss(64, 1000, [10, 100], { divValue: 4 });
 * const { output, loss } = asm.forward(hidden, targets); // hidden [N, 64], targets int32 [N]
 * loss.backward();
 * ```
 */
export class AdaptiveLogSoftmaxWithLoss extends Module {
  readonly inFeatures: number;
  readonly nClasses: number;
  /** The cutoffs with `nClasses` appended, as PyTorch's attribute. */
  readonly cutoffs: number[];
  readonly divValue: number;
  readonly headBias: boolean;
  readonly shortlistSize: number;
  readonly nClusters: number;
  readonly headSize: number;
  head: Linear;
  tail: ModuleList<Sequential>;

  /** `(inFeatures, nClasses, cutoffs, divValue = 4, headBias = false)` as PyTorch, or an options object fourth. */
  constructor(inFeatures: number, nClasses: number, cutoffs: readonly number[], divValue: number | AdaptiveLogSoftmaxWithLossOptions = 4, headBias = false) {
    super();
    const o: AdaptiveLogSoftmaxWithLossOptions = typeof divValue === "object" && divValue !== null ? divValue : { divValue, headBias };
    for (const k of Object.keys(o)) check(["divValue", "headBias", "dtype"].includes(k), OP, `unknown option "${k}"`);
    check(Number.isInteger(inFeatures) && inFeatures > 0, OP, () => `in_features must be a positive integer, got ${fmtValue(inFeatures)}`);
    check(Number.isInteger(nClasses) && nClasses > 0, OP, () => `n_classes must be a positive integer, got ${fmtValue(nClasses)}`);
    const cs = Array.isArray(cutoffs) ? [...cutoffs] : null;
    const bad = cs === null || cs.length === 0 || cs.some((c, i) => typeof c !== "number" || !Number.isInteger(c) || (i > 0 && c <= cs[i - 1]!))
      || cs[0]! <= 0 || cs[cs.length - 1]! > nClasses - 1;
    if (bad)
      throw new TensileError(`${OP}: cutoffs should be a sequence of unique, positive integers sorted in an increasing order, ` +
        `where each value is between 1 and n_classes-1 (n_classes = ${nClasses}), got ${fmtValue(cutoffs)}`);
    const dv = o.divValue ?? 4;
    check(typeof dv === "number" && dv > 0 && Number.isFinite(dv), OP, () => `div_value must be a positive number, got ${fmtValue(dv)}`);
    const hb = o.headBias ?? false;
    check(typeof hb === "boolean", OP, () => `head_bias must be a boolean, got ${fmtValue(hb)}`);

    this.inFeatures = inFeatures;
    this.nClasses = nClasses;
    this.cutoffs = [...cs!, nClasses];
    this.divValue = dv;
    this.headBias = hb;
    this.shortlistSize = this.cutoffs[0]!;
    this.nClusters = this.cutoffs.length - 1;
    this.headSize = this.shortlistSize + this.nClusters;
    this.head = new Linear(inFeatures, this.headSize, { bias: hb, dtype: o.dtype });
    this.tail = new ModuleList<Sequential>();
    for (let i = 0; i < this.nClusters; i++) {
      const hsz = Math.floor(inFeatures / dv ** (i + 1));
      const osz = this.cutoffs[i + 1]! - this.cutoffs[i]!;
      this.tail.append(new Sequential(new Linear(inFeatures, hsz, { bias: false, dtype: o.dtype }), new Linear(hsz, osz, { bias: false, dtype: o.dtype })));
    }
  }

  /** Re-draws every weight with `Linear`'s initialisation. */
  resetParameters(): void {
    this.head.resetParameters();
    for (const seq of this.tail) for (const l of seq) (l as Linear).resetParameters();
  }

  /** `{ output, loss }`: each example's target log-probability and their negative mean. */
  override forward(input: Tensor, target: Tensor): ASMOutput {
    check(input instanceof Tensor, OP, () => `input must be a Tensor, got ${fmtValue(input)}`);
    check(target instanceof Tensor, OP, () => `target must be a Tensor, got ${fmtValue(target)}`);
    check(target.dtype === "int32", OP, () => `target must hold class indices (int32), got dtype ${target.dtype}`);
    if (target.ndim === 1) {
      check(input.shape[0] === target.shape[0], OP, () =>
        `Input and target should have the same size in the batch dimension (input ${fmtShape(input.shape)}, target ${fmtShape(target.shape)})`);
      check(input.ndim === 2, OP, () => `1D target tensor expects 2D input tensors, but found inputs with size ${fmtShape(input.shape)}`);
    } else if (target.ndim === 0) {
      check(input.ndim === 1, OP, () => `0D target tensor expects 1D input tensors, but found inputs with size ${fmtShape(input.shape)}`);
    } else {
      throw new TensileError(`${OP}: 0D or 1D target tensor expected, multi-target not supported (target ${fmtShape(target.shape)})`);
    }
    check(input.shape[input.ndim - 1] === this.inFeatures, OP, () =>
      `expected input of ${this.inFeatures} features in its last dimension, got shape ${fmtShape(input.shape)}`);
    const batched = target.ndim > 0;
    const x = batched ? input : input.unsqueeze(0);
    const t = Int32Array.from(target.dataSync() as ArrayLike<number>);
    const n = t.length;

    let lo = Infinity, hi = -Infinity;
    for (const v of t) {
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
    if (n > 0 && (lo < 0 || hi >= this.nClasses))
      throw new TensileError(`${OP}: Target values should be in [0, ${this.nClasses - 1}], but values in range [${lo}, ${hi}] were found`);

    // Head: the class itself for shortlist targets, the cluster's entry for the others.
    const gatherInds = new Int32Array(n);
    const rows: number[][] = Array.from({ length: this.nClusters }, () => []);
    for (let r = 0; r < n; r++) {
      const v = t[r]!;
      if (v < this.shortlistSize) gatherInds[r] = v;
      else {
        let c = 0;
        while (v >= this.cutoffs[c + 1]!) c++;
        gatherInds[r] = this.shortlistSize + c;
        rows[c]!.push(r);
      }
    }
    // Tails: log p(class | cluster) for the rows whose target is in the cluster.
    const idx: Tensor[] = [], local: Tensor[] = [];
    rows.forEach((rs, c) => {
      if (rs.length === 0) return;
      const ri = tensor(Int32Array.from(rs), { dtype: "int32" });
      const rel = tensor(Int32Array.from(rs, (r) => t[r]! - this.cutoffs[c]!), { shape: [rs.length, 1], dtype: "int32" });
      const out = this.tail.at(c).forward(x.indexSelect(0, ri)) as Tensor;
      idx.push(ri);
      local.push(out.logSoftmax(1).gather(1, rel).squeeze(1));
    });
    let output = zeros([n], { dtype: x.dtype });
    if (idx.length > 0) output = output.indexCopy(0, cat(idx), cat(local));
    const headLogprob = (this.head.forward(x) as Tensor).logSoftmax(1);
    output = output.add(headLogprob.gather(1, tensor(gatherInds, { shape: [n, 1], dtype: "int32" })).squeeze(1));
    const loss = output.neg().mean();
    return { output: batched ? output : output.squeeze(0), loss };
  }

  private checkInput(op: string, input: Tensor): void {
    check(input instanceof Tensor, op, () => `input must be a Tensor, got ${fmtValue(input)}`);
    check(input.ndim === 2 && input.shape[1] === this.inFeatures, op, () =>
      `expected input of shape [N, ${this.inFeatures}] (N examples of in_features), got ${fmtShape(input.shape)}`);
  }

  /** Log-probabilities of every class given `input` and the head's output for it: [N, nClasses]. */
  private fullLogProb(input: Tensor, headOutput: Tensor): Tensor {
    const headLogprob = headOutput.logSoftmax(1);
    const parts = [headLogprob.narrow(1, 0, this.shortlistSize)];
    for (let i = 0; i < this.nClusters; i++) {
      const clusterLogprob = (this.tail.at(i).forward(input) as Tensor).logSoftmax(1);
      parts.push(clusterLogprob.add(headLogprob.narrow(1, this.shortlistSize + i, 1)));
    }
    return cat(parts, 1);
  }

  /** log p(c | input) for every class c: input [N, inFeatures] → [N, nClasses] (PyTorch's `log_prob`). */
  logProb(input: Tensor): Tensor {
    this.checkInput(`${OP}.logProb`, input);
    return this.fullLogProb(input, this.head.forward(input) as Tensor);
  }

  /**
   * The most likely class of each example: input [N, inFeatures] → int32 [N] (PyTorch: int64), the
   * same as `logProb(input).argmax(1)`, computing the clusters only for rows whose head output
   * prefers a cluster to every shortlist class.
   */
  predict(input: Tensor): Tensor {
    this.checkInput(`${OP}.predict`, input);
    return noGrad(() => {
      const headOutput = this.head.forward(input) as Tensor;
      const output = headOutput.argmax(1);
      const best = output.dataSync() as Int32Array;
      const out: number[] = [];
      for (let r = 0; r < best.length; r++) if (best[r]! >= this.shortlistSize) out.push(r);
      if (out.length === 0) return output;
      if (out.length === best.length) return this.fullLogProb(input, headOutput).argmax(1);
      const ri = tensor(Int32Array.from(out), { dtype: "int32" });
      const sub = this.fullLogProb(input.indexSelect(0, ri), headOutput.indexSelect(0, ri)).argmax(1);
      return output.indexCopy(0, ri, sub);
    });
  }
}
