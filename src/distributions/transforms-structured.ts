/**
 * Transforms that restructure others or a tensor's shape (PyTorch's): `IndependentTransform`, which
 * treats more rightmost dims as one event; `ReshapeTransform`, which reshapes the event; `CatTransform`
 * and `StackTransform`, which apply one transform per slice along a dim (as `cat` and `stack` cut a
 * tensor); and `CumulativeDistributionTransform`, y = cdf(x) of a distribution (a copula's marginals).
 * PyTorch 1.13's semantics: domains, codomains, event dims, log-Jacobians, shapes and `==` (none of
 * them defines `==`, so two are equal only when they are the same object).
 */
import { Tensor, cat, stack, zeros } from "../core.js";
import { withBackend } from "../backends/registry.js";
import { TensileError, fmtShape, fmtValue } from "../errors.js";
import { Distribution } from "./distribution.js";
import { sumRightmost } from "./independent.js";
import { Constraint, Transform, type TransformOptions, constraints } from "./transforms.js";

const numel = (s: readonly number[]) => s.reduce((a, b) => a * b, 1);
const sameShape = (a: readonly number[], b: readonly number[]) => a.length === b.length && a.every((d, i) => d === b[i]);

function shapeArg(op: string, name: string, s: unknown): number[] {
  if (!Array.isArray(s) || s.some((d) => !Number.isInteger(d) || d < 0)) throw new TensileError(`${op}: ${name} must be an array of non-negative integers, got ${fmtValue(s)}`);
  return [...(s as number[])];
}

function transformsArg(op: string, tseq: unknown): Transform[] {
  if (!Array.isArray(tseq) || !tseq.every((t) => t instanceof Transform)) throw new TensileError(`${op}: expected an array of Transforms, got ${fmtValue(tseq)}`);
  if (tseq.length === 0) throw new TensileError(`${op}: expected at least one Transform, got an empty array`);
  return [...(tseq as Transform[])];
}

function dimArg(op: string, dim: unknown): number {
  if (!Number.isInteger(dim)) throw new TensileError(`${op}: dim must be an integer, got ${fmtValue(dim)}`);
  return dim as number;
}

/** Throws unless `dim` indexes `t` and t's size there is `size` (PyTorch asserts both). */
function checkAlong(op: string, what: string, t: Tensor, dim: number, size: number, of: string): void {
  if (dim < -t.ndim || dim >= t.ndim) throw new TensileError(`${op}: dim ${dim} is out of range for the ${what} of shape ${fmtShape(t.shape)} (expected to be in range of [${-t.ndim}, ${t.ndim - 1}])`);
  const n = t.shape[dim < 0 ? dim + t.ndim : dim]!;
  if (n !== size) throw new TensileError(`${op}: the ${what} has size ${n} at dim ${dim} (shape ${fmtShape(t.shape)}), but ${of} ${size}`);
}

/**
 * Reinterprets `reinterpretedBatchNdims` more rightmost dims of a transform as event dims (PyTorch's
 * `IndependentTransform`): forward and inverse are the base's; the log-Jacobian is summed over
 * those dims, and domain and codomain are the base's made independent over them.
 *
 * ```ts
 * const t = new D.IndependentTransform(new D.ExpTransform(), 1);
 * t.logAbsDetJacobian(x, t.forward(x));   // x.sum(-1): one value per vector
 * ```
 */
export class IndependentTransform extends Transform {
  readonly baseTransform: Transform;
  readonly reinterpretedBatchNdims: number;
  constructor(baseTransform: Transform, reinterpretedBatchNdims: number, opts: TransformOptions = {}) {
    super(opts);
    if (!(baseTransform instanceof Transform)) throw new TensileError(`IndependentTransform: expected a base Transform, got ${fmtValue(baseTransform)}`);
    if (!Number.isInteger(reinterpretedBatchNdims) || reinterpretedBatchNdims < 0)
      throw new TensileError(`IndependentTransform: reinterpreted_batch_ndims must be a non-negative integer, got ${fmtValue(reinterpretedBatchNdims)}`);
    this.baseTransform = baseTransform;
    this.reinterpretedBatchNdims = reinterpretedBatchNdims;
  }
  get domain(): Constraint {
    return this.baseTransform.domain.independent(this.reinterpretedBatchNdims);
  }
  get codomain(): Constraint {
    return this.baseTransform.codomain.independent(this.reinterpretedBatchNdims);
  }
  override get bijective(): boolean {
    return this.baseTransform.bijective;
  }
  override get sign(): number | Tensor {
    return this.baseTransform.sign;
  }
  protected call(x: Tensor): Tensor {
    if (x.ndim < this.domain.eventDim) throw new TensileError(`IndependentTransform.forward: too few dimensions on input (shape ${fmtShape(x.shape)}, event dim ${this.domain.eventDim})`);
    return this.baseTransform.forward(x);
  }
  protected inverseCall(y: Tensor): Tensor {
    if (y.ndim < this.codomain.eventDim) throw new TensileError(`IndependentTransform.inverse: too few dimensions on input (shape ${fmtShape(y.shape)}, event dim ${this.codomain.eventDim})`);
    return this.baseTransform.inverse(y);
  }
  override logAbsDetJacobian(x: Tensor, y: Tensor): Tensor {
    return sumRightmost(this.baseTransform.logAbsDetJacobian(x, y), this.reinterpretedBatchNdims);
  }
  override forwardShape(shape: readonly number[]): number[] {
    return this.baseTransform.forwardShape(shape);
  }
  override inverseShape(shape: readonly number[]): number[] {
    return this.baseTransform.inverseShape(shape);
  }
  protected override recreate(cacheSize: 0 | 1): Transform {
    return new IndependentTransform(this.baseTransform, this.reinterpretedBatchNdims, { cacheSize });
  }
  override toString(): string {
    return `IndependentTransform(${this.baseTransform.toString()}, ${this.reinterpretedBatchNdims})`;
  }
}

/**
 * Reshapes the rightmost dims from `inShape` to `outShape` (same number of elements), a bijection of
 * unit Jacobian (PyTorch's `ReshapeTransform`): its log-Jacobian is zeros of the batch shape.
 *
 * ```ts
 * const t = new D.ReshapeTransform([6], [2, 3]);
 * t.forward(randn([5, 6])).shape;   // [5, 2, 3]
 * ```
 */
export class ReshapeTransform extends Transform {
  readonly inShape: readonly number[];
  readonly outShape: readonly number[];
  constructor(inShape: readonly number[], outShape: readonly number[], opts: TransformOptions = {}) {
    super(opts);
    const a = shapeArg("ReshapeTransform", "in_shape", inShape), b = shapeArg("ReshapeTransform", "out_shape", outShape);
    if (numel(a) !== numel(b))
      throw new TensileError(`ReshapeTransform: in_shape ${fmtShape(a)} and out_shape ${fmtShape(b)} have different numbers of elements (${numel(a)} and ${numel(b)})`);
    this.inShape = a;
    this.outShape = b;
  }
  get domain(): Constraint {
    return constraints.real.independent(this.inShape.length);
  }
  get codomain(): Constraint {
    return constraints.real.independent(this.outShape.length);
  }
  override get bijective(): boolean {
    return true;
  }
  protected override recreate(cacheSize: 0 | 1): Transform {
    return new ReshapeTransform(this.inShape, this.outShape, { cacheSize });
  }
  protected call(x: Tensor): Tensor {
    return x.reshape(this.forwardShape(x.shape));
  }
  protected inverseCall(y: Tensor): Tensor {
    return y.reshape(this.inverseShape(y.shape));
  }
  override logAbsDetJacobian(x: Tensor, _y: Tensor): Tensor {
    const batch = x.shape.slice(0, x.ndim - this.inShape.length);
    return withBackend(x.backend, () => zeros(batch, { dtype: x.dtype }));
  }
  override forwardShape(shape: readonly number[]): number[] {
    return [...this.batchOf(shape, this.inShape), ...this.outShape];
  }
  override inverseShape(shape: readonly number[]): number[] {
    return [...this.batchOf(shape, this.outShape), ...this.inShape];
  }
  /** The leading dims of `shape`, which must end with `event`. */
  private batchOf(shape: readonly number[], event: readonly number[]): number[] {
    if (shape.length < event.length) throw new TensileError(`ReshapeTransform: too few dimensions on input (shape ${fmtShape(shape)}, expected it to end with ${fmtShape(event)})`);
    const cut = shape.length - event.length;
    if (!sameShape(shape.slice(cut), event)) throw new TensileError(`ReshapeTransform: shape mismatch: expected the input's shape ${fmtShape(shape)} to end with ${fmtShape(event)}`);
    return shape.slice(0, cut);
  }
}

/** The constraints of `cseq` on consecutive slices of `lengths` along `dim` (PyTorch's `constraints.cat`). */
export class CatConstraint extends Constraint {
  constructor(readonly cseq: readonly Constraint[], readonly dim: number, readonly lengths: readonly number[], readonly extraEventDims = 0) {
    super("cat", Math.max(...cseq.map((c) => c.eventDim)) + extraEventDims, null, `in the constraints [${cseq.map((c) => c.name).join(", ")}]`);
  }
  override validate(op: string, value: Tensor): void {
    this.slices(op, value).forEach((s, i) => this.cseq[i]!.validate(op, s));
  }
  /** PyTorch's: each part's check of its slice, concatenated along `dim`. */
  protected override test(value: Tensor): Tensor {
    return cat(this.slices("CatConstraint.check", value).map((s, i) => this.cseq[i]!.check(s)), this.dim);
  }
  private slices(op: string, value: Tensor): Tensor[] {
    checkAlong(op, "value", value, this.dim, this.lengths.reduce((a, b) => a + b, 0), "the constraints' lengths sum to");
    let start = 0;
    return this.cseq.map((_, i) => {
      const s = value.narrow(this.dim, start, this.lengths[i]!);
      start += this.lengths[i]!;
      return s;
    });
  }
  /** PyTorch's repr (its `_Cat` has no parameters in it). */
  override toString(): string {
    return "Cat()";
  }
}

/** The constraints of `cseq` on the slices `select(dim, i)` (PyTorch's `constraints.stack`). */
export class StackConstraint extends Constraint {
  constructor(readonly cseq: readonly Constraint[], readonly dim: number, readonly extraEventDims = 0) {
    const ev = Math.max(...cseq.map((c) => c.eventDim));
    super("stack", (dim + ev < 0 ? ev + 1 : ev) + extraEventDims, null, `in the constraints [${cseq.map((c) => c.name).join(", ")}]`);
  }
  override validate(op: string, value: Tensor): void {
    checkAlong(op, "value", value, this.dim, this.cseq.length, "there are constraints:");
    this.cseq.forEach((c, i) => c.validate(op, value.select(this.dim, i)));
  }
  /** PyTorch's: each part's check of its slice, stacked along `dim`. */
  protected override test(value: Tensor): Tensor {
    checkAlong("StackConstraint.check", "value", value, this.dim, this.cseq.length, "there are constraints:");
    return stack(this.cseq.map((c, i) => c.check(value.select(this.dim, i))), this.dim);
  }
  /** PyTorch's repr (its `_Stack` has no parameters in it). */
  override toString(): string {
    return "Stack()";
  }
}

/**
 * Applies `tseq[i]` to the i-th slice of `lengths[i]` along `dim` and concatenates the results, as
 * `cat` joins them (PyTorch's `CatTransform`). `lengths` defaults to 1 each. The event dim is the
 * largest of the parts'; the log-Jacobian of each part is summed down to it, then concatenated
 * along `dim` if that dim is a batch dim and summed if it falls inside the event.
 *
 * ```ts
 * const t = new D.CatTransform([new D.ExpTransform(), D.identityTransform], 0, [2, 3]);
 * t.forward(x);   // exp of x[0:2], x[2:5] as is
 * ```
 */
export class CatTransform extends Transform {
  readonly transforms: readonly Transform[];
  readonly dim: number;
  readonly lengths: readonly number[];
  constructor(tseq: readonly Transform[], dim = 0, lengths?: readonly number[] | null, opts: TransformOptions = {}) {
    super(opts);
    const op = "CatTransform";
    this.transforms = transformsArg(op, tseq).map((t) => (this.cacheSize ? t.withCache(this.cacheSize) : t));
    this.dim = dimArg(op, dim);
    const ls = lengths === undefined || lengths === null ? this.transforms.map(() => 1) : shapeArg(op, "lengths", lengths);
    if (ls.length !== this.transforms.length) throw new TensileError(`${op}: expected one length per transform (${this.transforms.length}), got ${ls.length} lengths ${fmtValue(ls)}`);
    this.lengths = ls;
  }
  protected override recreate(cacheSize: 0 | 1): Transform {
    return new CatTransform(this.transforms, this.dim, this.lengths, { cacheSize });
  }
  /** The largest event dim of the parts (PyTorch's `event_dim`). */
  override get eventDim(): number {
    return Math.max(...this.transforms.map((t) => t.eventDim));
  }
  /** The sum of the lengths: the size `dim` must have. */
  get length(): number {
    return this.lengths.reduce((a, b) => a + b, 0);
  }
  get domain(): Constraint {
    return new CatConstraint(this.transforms.map((t) => t.domain), this.dim, this.lengths);
  }
  get codomain(): Constraint {
    return new CatConstraint(this.transforms.map((t) => t.codomain), this.dim, this.lengths);
  }
  override get bijective(): boolean {
    return this.transforms.every((t) => t.bijective);
  }
  protected call(x: Tensor): Tensor {
    return this.apply("forward", x, (t, s) => t.forward(s));
  }
  protected inverseCall(y: Tensor): Tensor {
    return this.apply("inverse", y, (t, s) => t.inverse(s));
  }
  private apply(name: string, v: Tensor, fn: (t: Transform, slice: Tensor) => Tensor): Tensor {
    checkAlong(`CatTransform.${name}`, "input", v, this.dim, this.length, "the lengths sum to");
    let start = 0;
    return cat(this.transforms.map((t, i) => {
      const out = fn(t, v.narrow(this.dim, start, this.lengths[i]!));
      start += this.lengths[i]!;
      return out;
    }), this.dim);
  }
  override logAbsDetJacobian(x: Tensor, y: Tensor): Tensor {
    const op = "CatTransform.logAbsDetJacobian";
    checkAlong(op, "x", x, this.dim, this.length, "the lengths sum to");
    checkAlong(op, "y", y, this.dim, this.length, "the lengths sum to");
    const ev = this.eventDim;
    let start = 0;
    const parts = this.transforms.map((t, i) => {
      const n = this.lengths[i]!;
      const term = t.logAbsDetJacobian(x.narrow(this.dim, start, n), y.narrow(this.dim, start, n));
      start += n;
      return t.eventDim < ev ? sumRightmost(term, ev - t.eventDim) : term;
    });
    // a batch dim: concatenate along it; a dim inside the event: the log-dets add up
    const d = (this.dim >= 0 ? this.dim - x.ndim : this.dim) + ev;
    return d < 0 ? cat(parts, d) : parts.reduce((a, b) => a.add(b));
  }
}

/**
 * Applies `tseq[i]` to the slice `select(dim, i)` and stacks the results along `dim`, as `stack`
 * builds them (PyTorch's `StackTransform`); the log-Jacobians are stacked the same way.
 *
 * ```ts
 * const t = new D.StackTransform([new D.ExpTransform(), D.identityTransform], 1);
 * t.forward(x);   // x [n, 2]: exp of column 0, column 1 as is
 * ```
 */
export class StackTransform extends Transform {
  readonly transforms: readonly Transform[];
  readonly dim: number;
  constructor(tseq: readonly Transform[], dim = 0, opts: TransformOptions = {}) {
    super(opts);
    this.transforms = transformsArg("StackTransform", tseq).map((t) => (this.cacheSize ? t.withCache(this.cacheSize) : t));
    this.dim = dimArg("StackTransform", dim);
  }
  protected override recreate(cacheSize: 0 | 1): Transform {
    return new StackTransform(this.transforms, this.dim, { cacheSize });
  }
  get domain(): Constraint {
    return new StackConstraint(this.transforms.map((t) => t.domain), this.dim);
  }
  get codomain(): Constraint {
    return new StackConstraint(this.transforms.map((t) => t.codomain), this.dim);
  }
  override get bijective(): boolean {
    return this.transforms.every((t) => t.bijective);
  }
  private slices(op: string, what: string, z: Tensor): Tensor[] {
    checkAlong(op, what, z, this.dim, this.transforms.length, "there are transforms:");
    return this.transforms.map((_, i) => z.select(this.dim, i));
  }
  protected call(x: Tensor): Tensor {
    return stack(this.slices("StackTransform.forward", "input", x).map((s, i) => this.transforms[i]!.forward(s)), this.dim);
  }
  protected inverseCall(y: Tensor): Tensor {
    return stack(this.slices("StackTransform.inverse", "input", y).map((s, i) => this.transforms[i]!.inverse(s)), this.dim);
  }
  override logAbsDetJacobian(x: Tensor, y: Tensor): Tensor {
    const op = "StackTransform.logAbsDetJacobian";
    const xs = this.slices(op, "x", x), ys = this.slices(op, "y", y);
    return stack(this.transforms.map((t, i) => t.logAbsDetJacobian(xs[i]!, ys[i]!)), this.dim);
  }
}

/**
 * y = F(x), the cdf of `distribution` (PyTorch's `CumulativeDistributionTransform`): from its support
 * onto [0, 1], increasing, with inverse its icdf and log|dy/dx| = its logProb. Pushing a
 * MultivariateNormal through the Normal(0, 1) cdf gives a Gaussian copula.
 *
 * ```ts
 * const t = new D.CumulativeDistributionTransform(new D.Normal(0, 1));
 * t.forward(tensor([0]));   // 0.5
 * ```
 */
export class CumulativeDistributionTransform extends Transform {
  readonly distribution: Distribution;
  constructor(distribution: Distribution, opts: TransformOptions = {}) {
    super(opts);
    if (!(distribution instanceof Distribution)) throw new TensileError(`CumulativeDistributionTransform: expected a Distribution, got ${fmtValue(distribution)}`);
    this.distribution = distribution;
  }
  /** The distribution's `support`: `real` for Normal, `nonnegative` for Exponential and Gamma, `unit_interval` for Beta, … */
  get domain(): Constraint {
    return this.distribution.support;
  }
  get codomain(): Constraint {
    return constraints.unitInterval;
  }
  protected override recreate(cacheSize: 0 | 1): Transform {
    return new CumulativeDistributionTransform(this.distribution, { cacheSize });
  }
  override get bijective(): boolean {
    return true;
  }
  override get sign(): number | Tensor {
    return 1;
  }
  protected call(x: Tensor): Tensor {
    return this.distribution.cdf(x);
  }
  protected inverseCall(y: Tensor): Tensor {
    return this.distribution.icdf(y);
  }
  override logAbsDetJacobian(x: Tensor, _y: Tensor): Tensor {
    return this.distribution.logProb(x);
  }
}
