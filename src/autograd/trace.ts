/**
 * Hooks for tracing a forward pass into a graph (ONNX export, `src/io/onnx.ts`): while a tracer is
 * installed, every op `record` sees is reported to it with its inputs and output, ops whose
 * meaning needs more than shapes (softmax's dim, a permutation) note their attributes, and an
 * in-place op that rebinds a tensor reports the rebinding. Nothing happens when no tracer is set.
 */
import type { Tensor } from "../tensor/tensor.js";

export interface Tracer {
  op(name: string, out: Tensor, inputs: readonly (Tensor | null | undefined)[]): void;
  attrs(out: Tensor, attrs: Record<string, unknown>): void;
  rebind(target: Tensor, value: Tensor): void;
  /** A functional op made of several recorded ops, traced as one (`F.maxPool2d`). */
  unit<R>(name: string, x: Tensor, attrs: Record<string, unknown>, run: () => R): R;
}

export const tracing: { current: Tracer | null } = { current: null };

/**
 * A tracer's nesting of units (a functional op traced as one, a layer exported whole): inside one,
 * the parts are not recorded. `inside(run)` runs a unit's body one level down; `enter`/`leave`
 * bracket a layer's forward from its hooks; `outer` is true outside every unit.
 */
export class UnitDepth {
  private depth = 0;
  get outer(): boolean {
    return this.depth === 0;
  }
  enter(): void {
    this.depth++;
  }
  leave(): void {
    this.depth--;
  }
  inside<R>(run: () => R): R {
    this.depth++;
    try {
      return run();
    } finally {
      this.depth--;
    }
  }
}

/** Runs a functional op; a tracer sees it as one op `name` on `x` (with `attrs`), not as its parts. */
export function traceUnit<R>(name: string, x: Tensor, attrs: Record<string, unknown>, run: () => R): R {
  const t = tracing.current;
  return t ? t.unit(name, x, attrs, run) : run();
}

/**
 * Runs an op's forward with the tracer set aside: for an op that computes its value with other
 * ops and then records itself as one (`elu`), the tracer should see only that one.
 */
export function untraced<R>(run: () => R): R {
  const t = tracing.current;
  if (!t) return run();
  tracing.current = null;
  try {
    return run();
  } finally {
    tracing.current = t;
  }
}

/** Notes an op's attributes for a tracer, if one is installed. */
export function traceAttrs(out: Tensor, attrs: Record<string, unknown>): void {
  tracing.current?.attrs(out, attrs);
}

/**
 * Reports an op that is not recorded for autograd (a comparison, a logical op, isnan: bool results
 * with no gradient) to a tracer, so an export writes it as a node instead of freezing its value.
 */
export function traceOp(name: string, out: Tensor, inputs: readonly (Tensor | null | undefined)[], attrs?: Record<string, unknown>): Tensor {
  const t = tracing.current;
  if (t) {
    if (attrs) t.attrs(out, attrs);
    t.op(name, out, inputs);
  }
  return out;
}
