/** `Independent(base, n)`: reinterprets the base's n rightmost batch dims as event dims (PyTorch's `Independent`). */
import type { Tensor } from "../core.js";
import { TensileError, fmtShape, fmtValue } from "../errors.js";
import { type DistributionOptions, Distribution, setField } from "./distribution.js";
import { type Constraint, constraints } from "./constraints.js";

/** Sums the `n` rightmost dims (PyTorch's `_sum_rightmost`). */
export function sumRightmost(t: Tensor, n: number): Tensor {
  return n === 0 ? t : t.sum(Array.from({ length: n }, (_, k) => -1 - k));
}

export class Independent extends Distribution {
  /** PyTorch's `support`. */
  override get support(): Constraint {
    return this.baseDist.support.independent(this.reinterpretedBatchNdims);
  }
  /** The base's, when no dims are reinterpreted (PyTorch's: enumerating a cartesian product is not implemented). */
  override get hasEnumerateSupport(): boolean {
    return this.reinterpretedBatchNdims > 0 ? false : this.baseDist.hasEnumerateSupport;
  }
  override enumerateSupport(expand = true): Tensor {
    if (this.reinterpretedBatchNdims > 0) throw new TensileError("Independent.enumerateSupport: enumeration over cartesian product is not implemented (reinterpreted_batch_ndims > 0)");
    return this.baseDist.enumerateSupport(expand);
  }
  /** PyTorch's `arg_constraints`. */
  override get argConstraints(): Record<string, Constraint> {
    return {  };
  }
  readonly baseDist: Distribution;
  readonly reinterpretedBatchNdims: number;
  constructor(base: Distribution, reinterpretedBatchNdims: number, opts: DistributionOptions = {}) {
    if (!(base instanceof Distribution)) throw new TensileError(`Independent: expected a Distribution, got ${fmtValue(base)}`);
    const n = reinterpretedBatchNdims;
    if (!Number.isInteger(n) || n < 0 || n > base.batchShape.length)
      throw new TensileError(`Independent: expected 0 <= reinterpreted_batch_ndims <= len(base_distribution.batch_shape) (${base.batchShape.length} for batch shape ${fmtShape(base.batchShape)}), got ${fmtValue(n)}`);
    const cut = base.batchShape.length - n;
    super(base.batchShape.slice(0, cut), [...base.batchShape.slice(cut), ...base.eventShape], opts ?? {});
    this.baseDist = base;
    this.reinterpretedBatchNdims = n;
  }
  protected override expandInto(d: this, batchShape: readonly number[]): void {
    setField(d, "baseDist", this.baseDist.expand([...batchShape, ...this.eventShape.slice(0, this.reinterpretedBatchNdims)]));
  }
  override get hasRsample(): boolean {
    return this.baseDist.hasRsample;
  }
  override sample(sampleShape: readonly number[] = []): Tensor {
    return this.baseDist.sample(sampleShape);
  }
  override rsample(sampleShape: readonly number[] = []): Tensor {
    return this.baseDist.rsample(sampleShape);
  }
  logProb(value: Tensor): Tensor {
    return sumRightmost(this.baseDist.logProb(value), this.reinterpretedBatchNdims);
  }
  override entropy(): Tensor {
    return sumRightmost(this.baseDist.entropy(), this.reinterpretedBatchNdims);
  }
  override get mean(): Tensor {
    return this.baseDist.mean;
  }
  override get variance(): Tensor {
    return this.baseDist.variance;
  }
  override get mode(): Tensor {
    return this.baseDist.mode;
  }
  override toString(): string {
    return `Independent(${this.baseDist.toString()}, ${this.reinterpretedBatchNdims})`;
  }
}
