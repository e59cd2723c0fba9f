/** Shared plumbing of the losses: the `reduction` option and shape checks. */
import type { Tensor } from "../../core.js";
import { TensileError, fmtShape } from "../../errors.js";
import { assertTensor } from "../../ops/util.js";

export type Reduction = "none" | "mean" | "sum";

export interface ReductionOptions {
  reduction?: Reduction;
}

/** Throws unless `reduction` is one of `allowed`. */
export function checkReduction(op: string, reduction: unknown, allowed: readonly string[] = ["none", "mean", "sum"]): void {
  if (typeof reduction !== "string" || !allowed.includes(reduction))
    throw new TensileError(`${op}: ${JSON.stringify(reduction)} is not a valid value for reduction (expected one of ${allowed.join(", ")})`);
}

/** `none` → the elementwise loss, `mean` → its mean, `sum` → its sum. */
export function applyReduction(loss: Tensor, reduction: Reduction): Tensor {
  return reduction === "none" ? loss : reduction === "sum" ? loss.sum() : loss.mean();
}

/** Throws, naming both shapes, unless they broadcast together. */
export function checkBroadcast(op: string, a: Tensor, b: Tensor, an = "input", bn = "target"): void {
  assertTensor(op, a, an);
  assertTensor(op, b, bn);
  const n = Math.max(a.ndim, b.ndim);
  for (let i = 1; i <= n; i++) {
    const x = a.shape[a.ndim - i] ?? 1;
    const y = b.shape[b.ndim - i] ?? 1;
    if (x !== y && x !== 1 && y !== 1)
      throw new TensileError(
        `${op}: ${an} shape ${fmtShape(a.shape)} and ${bn} shape ${fmtShape(b.shape)} do not broadcast (${x} != ${y} at dimension ${n - i})`,
      );
  }
}
