/**
 * Transforms (PyTorch's `torch.distributions.transforms`): invertible (or not) maps y = f(x) with
 * `forward` (PyTorch's `t(x)`), `inverse` (`t.inv(y)`), `logAbsDetJacobian(x, y)` = log|dy/dx|,
 * their domain and codomain, and the shapes they map. `TransformedDistribution` pushes a base
 * distribution through a list of them. PyTorch's formulas, so values and gradients match.
 */
import { Tensor, fullLike, noGrad, zerosLike } from "../core.js";
import { TensileError, fmtShape, fmtValue } from "../errors.js";
import { broadcastShapes } from "../tensor/shape.js";
import { Constraint, constraints } from "./constraints.js";
import { sumRightmost } from "./independent.js";

export { Constraint, IndependentConstraint, constraints } from "./constraints.js";

const finfo = (t: Tensor) =>
  t.dtype === "float64" ? { tiny: 2.2250738585072014e-308, eps: 2.220446049250313e-16 } : { tiny: 1.1754943508222875e-38, eps: 1.1920928955078125e-7 };

function tensorArg(op: string, x: unknown): Tensor {
  if (!(x instanceof Tensor)) throw new TensileError(`${op}: expected a Tensor, got ${fmtValue(x)}`);
  return x;
}

export interface TransformOptions {
  /**
   * PyTorch's `cache_size`: 0 (default) caches nothing; 1 keeps the last (x, y) pair, so
   * `forward(x)` of the same x object returns the same y, and `inverse(y)` of that y returns x itself.
   */
  cacheSize?: 0 | 1;
}

function cacheSizeArg(op: string, n: unknown): 0 | 1 {
  if (n !== 0 && n !== 1) throw new TensileError(`${op}: cache_size must be 0 or 1, got ${fmtValue(n)}`);
  return n;
}

/** A map y = f(x) between constrained sets (PyTorch's `Transform`). */
export abstract class Transform {
  abstract get domain(): Constraint;
  abstract get codomain(): Constraint;
  #inv: Transform | null = null;
  #cacheSize: 0 | 1;
  #cached: [Tensor, Tensor] | null = null;
  constructor(opts: TransformOptions = {}) {
    this.#cacheSize = cacheSizeArg(`${new.target.name}`, (opts ?? {}).cacheSize ?? 0);
  }
  /** PyTorch's `_cache_size`: 0 or 1. */
  get cacheSize(): 0 | 1 {
    return this.#cacheSize;
  }
  /**
   * The same transform with cache size `cacheSize` (PyTorch's `with_cache`): this one when it
   * already has it, else a new one (for a parametrised transform, over the same parameters).
   *
   * ```ts
   * const t = new D.ExpTransform().withCache(1);
   * const y = t.forward(x);
   * t.inverse(y) === x;   // true: the cached x, not log(exp(x))
   * ```
   */
  withCache(cacheSize: 0 | 1 = 1): Transform {
    const n = cacheSizeArg(`${this.constructor.name}.withCache`, cacheSize);
    if (n === this.#cacheSize) return this;
    const t = this.recreate(n);
    t.#cacheSize = n;
    return t;
  }
  /**
   * A new transform like this one for `withCache(cacheSize)`: by default the class built with no
   * arguments (PyTorch's `type(self)(cache_size=...)`); parametrised transforms override it.
   */
  protected recreate(_cacheSize: 0 | 1): Transform {
    const C = this.constructor as new () => Transform;
    if (C.length > 0) throw new TensileError(`${this.constructor.name}.withCache: not implemented (its constructor takes arguments; override recreate())`);
    return new C();
  }
  /** Whether f is invertible (the inverse of a non-bijective transform is a right inverse: f(inv(y)) = y). */
  get bijective(): boolean {
    return false;
  }
  /** The sign of dy/dx for a monotone transform of one variable: ±1, or a tensor of them. */
  get sign(): number | Tensor {
    throw new TensileError(`${this.constructor.name}.sign: not defined (the transform is not monotone)`);
  }
  /** The event dims of domain and codomain (they must agree). */
  get eventDim(): number {
    if (this.domain.eventDim === this.codomain.eventDim) return this.domain.eventDim;
    throw new TensileError(`${this.constructor.name}.eventDim: domain and codomain have different event dims (${this.domain.eventDim} and ${this.codomain.eventDim}); use domain.eventDim or codomain.eventDim`);
  }
  /** The inverse transform (PyTorch's `t.inv`): forward and inverse swapped. */
  get inv(): Transform {
    return (this.#inv ??= new InverseTransform(this));
  }
  /** y = f(x) (PyTorch's `t(x)`). */
  forward(x: Tensor): Tensor {
    tensorArg(`${this.constructor.name}.forward`, x);
    if (this.#cacheSize === 0) return this.call(x);
    if (this.#cached && this.#cached[0] === x) return this.#cached[1];
    const y = this.call(x);
    this.#cached = [x, y];
    return y;
  }
  /** x = f⁻¹(y) (PyTorch's `t.inv(y)`). */
  inverse(y: Tensor): Tensor {
    tensorArg(`${this.constructor.name}.inverse`, y);
    if (this.#cacheSize === 0) return this.inverseCall(y);
    if (this.#cached && this.#cached[1] === y) return this.#cached[0];
    const x = this.inverseCall(y);
    this.#cached = [x, y];
    return x;
  }
  protected abstract call(x: Tensor): Tensor;
  protected abstract inverseCall(y: Tensor): Tensor;
  /** log |dy/dx| at x, given y = f(x) (summed over the transform's event dims). */
  logAbsDetJacobian(_x: Tensor, _y: Tensor): Tensor {
    throw new TensileError(`${this.constructor.name}.logAbsDetJacobian: not implemented (the transform is not bijective; PyTorch raises NotImplementedError)`);
  }
  /** The shape f maps a tensor of `shape` to. */
  forwardShape(shape: readonly number[]): number[] {
    return [...shape];
  }
  /** The shape f⁻¹ maps a tensor of `shape` to. */
  inverseShape(shape: readonly number[]): number[] {
    return [...shape];
  }
  /** Whether `other` is the same map (PyTorch's `==`: same class and parameters). */
  equals(other: Transform): boolean {
    return this === other;
  }
  toString(): string {
    return `${this.constructor.name}()`;
  }
}

/** The inverse of a transform (PyTorch's `_InverseTransform`), from `t.inv`. */
export class InverseTransform extends Transform {
  constructor(readonly base: Transform) {
    super();
  }
  get domain(): Constraint {
    return this.base.codomain;
  }
  get codomain(): Constraint {
    return this.base.domain;
  }
  override get bijective(): boolean {
    return this.base.bijective;
  }
  override get sign(): number | Tensor {
    return this.base.sign;
  }
  override get inv(): Transform {
    return this.base;
  }
  /** The base's: the inverse shares its base's cache (PyTorch's `_InverseTransform`). */
  override get cacheSize(): 0 | 1 {
    return this.base.cacheSize;
  }
  override withCache(cacheSize: 0 | 1 = 1): Transform {
    return this.base.withCache(cacheSize).inv;
  }
  override forward(x: Tensor): Tensor {
    return this.base.inverse(x);
  }
  override inverse(y: Tensor): Tensor {
    return this.base.forward(y);
  }
  protected call(x: Tensor): Tensor {
    return this.base.inverse(x);
  }
  protected inverseCall(y: Tensor): Tensor {
    return this.base.forward(y);
  }
  override logAbsDetJacobian(x: Tensor, y: Tensor): Tensor {
    return this.base.logAbsDetJacobian(y, x).neg();
  }
  override forwardShape(shape: readonly number[]): number[] {
    return this.base.inverseShape(shape);
  }
  override inverseShape(shape: readonly number[]): number[] {
    return this.base.forwardShape(shape);
  }
  override equals(other: Transform): boolean {
    return other instanceof InverseTransform && this.base.equals(other.base);
  }
  override toString(): string {
    return `_InverseTransform(${this.base.toString()})`;
  }
}

/** Applies `parts` in order (PyTorch's `ComposeTransform`); no parts is the identity. */
export class ComposeTransform extends Transform {
  readonly parts: readonly Transform[];
  constructor(parts: readonly Transform[], opts: TransformOptions = {}) {
    super(opts);
    if (!Array.isArray(parts) || !parts.every((p) => p instanceof Transform))
      throw new TensileError(`ComposeTransform: expected an array of Transforms, got ${fmtValue(parts)}`);
    this.parts = this.cacheSize ? parts.map((p) => p.withCache(this.cacheSize)) : [...parts]; // as PyTorch: a cache reaches the parts
  }
  protected override recreate(cacheSize: 0 | 1): Transform {
    return new ComposeTransform(this.parts, { cacheSize });
  }
  get domain(): Constraint {
    if (!this.parts.length) return constraints.real;
    const domain = this.parts[0]!.domain;
    let ev = this.parts[this.parts.length - 1]!.codomain.eventDim;
    for (const p of [...this.parts].reverse()) ev = Math.max(ev + p.domain.eventDim - p.codomain.eventDim, p.domain.eventDim);
    return domain.independent(ev - domain.eventDim);
  }
  get codomain(): Constraint {
    if (!this.parts.length) return constraints.real;
    const codomain = this.parts[this.parts.length - 1]!.codomain;
    let ev = this.parts[0]!.domain.eventDim;
    for (const p of this.parts) ev = Math.max(ev + p.codomain.eventDim - p.domain.eventDim, p.codomain.eventDim);
    return codomain.independent(ev - codomain.eventDim);
  }
  override get bijective(): boolean {
    return this.parts.every((p) => p.bijective);
  }
  override get sign(): number | Tensor {
    let s: number | Tensor = 1;
    for (const p of this.parts) s = mulSign(s, p.sign);
    return s;
  }
  override get inv(): Transform {
    return new ComposeTransform([...this.parts].reverse().map((p) => p.inv));
  }
  protected call(x: Tensor): Tensor {
    return this.parts.reduce((v, p) => p.forward(v), x);
  }
  protected inverseCall(y: Tensor): Tensor {
    return [...this.parts].reverse().reduce((v, p) => p.inverse(v), y);
  }
  override logAbsDetJacobian(x: Tensor, y: Tensor): Tensor {
    if (!this.parts.length) return zerosLike(x);
    const xs = [x];
    for (const p of this.parts.slice(0, -1)) xs.push(p.forward(xs[xs.length - 1]!));
    xs.push(y);
    let ev = this.domain.eventDim;
    let total: Tensor | null = null;
    this.parts.forEach((p, i) => {
      const term = sumRightmost(p.logAbsDetJacobian(xs[i]!, xs[i + 1]!), ev - p.domain.eventDim);
      total = total ? total.add(term) : term;
      ev += p.codomain.eventDim - p.domain.eventDim;
    });
    return total!;
  }
  override forwardShape(shape: readonly number[]): number[] {
    return this.parts.reduce((s, p) => p.forwardShape(s), [...shape]);
  }
  override inverseShape(shape: readonly number[]): number[] {
    return [...this.parts].reverse().reduce((s, p) => p.inverseShape(s), [...shape]);
  }
  override equals(other: Transform): boolean {
    return other instanceof ComposeTransform && other.parts.length === this.parts.length && this.parts.every((p, i) => p.equals(other.parts[i]!));
  }
  override toString(): string {
    return `ComposeTransform(\n    ${this.parts.map((p) => p.toString()).join(",\n    ")}\n)`;
  }
}

function mulSign(a: number | Tensor, b: number | Tensor): number | Tensor {
  if (typeof a === "number" && typeof b === "number") return a * b;
  return typeof a === "number" ? (b as Tensor).mul(a) : a.mul(b);
}

/**
 * A bijective elementwise map between two fixed constraints, increasing (PyTorch's transforms that
 * set `domain`, `codomain`, `bijective = True` and `sign = +1` as class attributes).
 */
abstract class Bijection extends Transform {
  constructor(readonly domain: Constraint, readonly codomain: Constraint, opts?: TransformOptions) {
    super(opts);
  }
  override get bijective(): boolean {
    return true;
  }
  override get sign(): number | Tensor {
    return 1;
  }
}

/** y = eˣ. */
export class ExpTransform extends Bijection {
  constructor(opts: TransformOptions = {}) {
    super(constraints.real, constraints.positive, opts);
  }
  protected call(x: Tensor): Tensor {
    return x.exp();
  }
  protected inverseCall(y: Tensor): Tensor {
    return y.log();
  }
  override logAbsDetJacobian(x: Tensor, _y: Tensor): Tensor {
    return x;
  }
  override equals(other: Transform): boolean {
    return other instanceof ExpTransform;
  }
}

export interface AffineTransformOptions extends TransformOptions {
  /** How many rightmost dims form one event (the log-det sums over them). Default 0. */
  eventDim?: number;
}

/** y = loc + scale·x, loc and scale numbers or tensors (broadcast). */
export class AffineTransform extends Transform {
  readonly #eventDim: number;
  constructor(readonly loc: Tensor | number, readonly scale: Tensor | number, opts: AffineTransformOptions = {}) {
    super(opts);
    for (const [k, v] of [["loc", loc], ["scale", scale]] as const)
      if ((!(v instanceof Tensor) && typeof v !== "number") || Number.isNaN(v)) throw new TensileError(`AffineTransform: ${k} must be a Tensor or a number, got ${fmtValue(v)}`);
    const ev = opts?.eventDim ?? 0;
    if (!Number.isInteger(ev) || ev < 0) throw new TensileError(`AffineTransform: eventDim must be a non-negative integer, got ${fmtValue(ev)}`);
    this.#eventDim = ev;
  }
  override get eventDim(): number {
    return this.#eventDim;
  }
  protected override recreate(cacheSize: 0 | 1): Transform {
    return new AffineTransform(this.loc, this.scale, { eventDim: this.#eventDim, cacheSize });
  }
  get domain(): Constraint {
    return constraints.real.independent(this.#eventDim);
  }
  get codomain(): Constraint {
    return constraints.real.independent(this.#eventDim);
  }
  override get bijective(): boolean {
    return true;
  }
  override get sign(): number | Tensor {
    return typeof this.scale === "number" ? Math.sign(this.scale) : this.scale.sign();
  }
  protected call(x: Tensor): Tensor {
    const sx = typeof this.scale === "number" ? x.mul(this.scale) : this.scale.mul(x);
    return typeof this.loc === "number" ? sx.add(this.loc) : this.loc.add(sx);
  }
  protected inverseCall(y: Tensor): Tensor {
    return y.sub(this.loc).div(this.scale);
  }
  override logAbsDetJacobian(x: Tensor, _y: Tensor): Tensor {
    let shape = x.shape;
    let result = typeof this.scale === "number" ? fullLike(x, Math.log(Math.abs(this.scale))) : this.scale.abs().log();
    if (this.#eventDim) {
      result = result.reshape([...result.shape.slice(0, result.ndim - this.#eventDim), -1]).sum(-1);
      shape = shape.slice(0, shape.length - this.#eventDim);
    }
    return result.expand(shape);
  }
  override forwardShape(shape: readonly number[]): number[] {
    return [shape, shapeOf(this.loc), shapeOf(this.scale)].reduce<number[]>((a, b) => broadcastShapes("AffineTransform", a, b), []);
  }
  override inverseShape(shape: readonly number[]): number[] {
    return this.forwardShape(shape);
  }
  override equals(other: Transform): boolean {
    if (!(other instanceof AffineTransform)) return false;
    return sameParam(this.loc, other.loc) && sameParam(this.scale, other.scale);
  }
}

const shapeOf = (v: Tensor | number): readonly number[] => (v instanceof Tensor ? v.shape : []);

/** PyTorch's `==` on a transform's parameters: equal numbers, or tensors equal everywhere. */
function sameParam(a: Tensor | number, b: Tensor | number): boolean {
  if (typeof a === "number" && typeof b === "number") return a === b;
  return noGrad(() => {
    const eq = a instanceof Tensor ? a.eq(b) : (b as Tensor).eq(a);
    return eq.logicalNot().sum().item() === 0;
  });
}

/** y = xᵉ on the positive reals (the exponent a number or a tensor, broadcast). */
export class PowerTransform extends Bijection {
  constructor(readonly exponent: Tensor | number, opts: TransformOptions = {}) {
    super(constraints.positive, constraints.positive, opts);
    if ((!(exponent instanceof Tensor) && typeof exponent !== "number") || Number.isNaN(exponent)) throw new TensileError(`PowerTransform: exponent must be a Tensor or a number, got ${fmtValue(exponent)}`);
  }
  /**
   * The sign of dy/dx: the exponent's (later PyTorch; torch 1.13 says +1 even for a negative
   * exponent, which flips a TransformedDistribution's cdf and icdf).
   */
  override get sign(): number | Tensor {
    return typeof this.exponent === "number" ? Math.sign(this.exponent) : this.exponent.sign();
  }
  protected override recreate(cacheSize: 0 | 1): Transform {
    return new PowerTransform(this.exponent, { cacheSize });
  }
  protected call(x: Tensor): Tensor {
    return x.pow(this.exponent);
  }
  protected inverseCall(y: Tensor): Tensor {
    return y.pow(typeof this.exponent === "number" ? 1 / this.exponent : this.exponent.reciprocal());
  }
  override logAbsDetJacobian(x: Tensor, y: Tensor): Tensor {
    const ey = typeof this.exponent === "number" ? y.mul(this.exponent) : this.exponent.mul(y);
    return ey.div(x).abs().log();
  }
  override forwardShape(shape: readonly number[]): number[] {
    return broadcastShapes("PowerTransform", shape, shapeOf(this.exponent));
  }
  override inverseShape(shape: readonly number[]): number[] {
    return this.forwardShape(shape);
  }
  override equals(other: Transform): boolean {
    return other instanceof PowerTransform && sameParam(this.exponent, other.exponent);
  }
}

/** y = σ(x) = 1/(1 + e⁻ˣ), clipped into [tiny, 1 − eps] as PyTorch so the inverse stays finite. */
export class SigmoidTransform extends Bijection {
  constructor(opts: TransformOptions = {}) {
    super(constraints.real, constraints.unitInterval, opts);
  }
  protected call(x: Tensor): Tensor {
    const f = finfo(x);
    return x.sigmoid().clamp(f.tiny, 1 - f.eps);
  }
  protected inverseCall(y: Tensor): Tensor {
    const f = finfo(y);
    const c = y.clamp(f.tiny, 1 - f.eps);
    return c.log().sub(c.neg().log1p());
  }
  override logAbsDetJacobian(x: Tensor, _y: Tensor): Tensor {
    return x.neg().softplus().neg().sub(x.softplus());
  }
  override equals(other: Transform): boolean {
    return other instanceof SigmoidTransform;
  }
}

/** y = log(1 + eˣ) (softplus), onto the positive reals. */
export class SoftplusTransform extends Bijection {
  constructor(opts: TransformOptions = {}) {
    super(constraints.real, constraints.positive, opts);
  }
  protected call(x: Tensor): Tensor {
    return x.softplus();
  }
  protected inverseCall(y: Tensor): Tensor {
    return y.neg().expm1().neg().log().add(y);
  }
  override logAbsDetJacobian(x: Tensor, _y: Tensor): Tensor {
    return x.neg().softplus().neg();
  }
  override equals(other: Transform): boolean {
    return other instanceof SoftplusTransform;
  }
}

/** y = tanh(x), onto [−1, 1]; log|dy/dx| = 2(log 2 − x − softplus(−2x)), PyTorch's stable form. */
export class TanhTransform extends Bijection {
  constructor(opts: TransformOptions = {}) {
    super(constraints.real, constraints.interval(-1, 1), opts);
  }
  protected call(x: Tensor): Tensor {
    return x.tanh();
  }
  protected inverseCall(y: Tensor): Tensor {
    return y.atanh(); // not clamped, as PyTorch (±1 map to ±∞)
  }
  override logAbsDetJacobian(x: Tensor, _y: Tensor): Tensor {
    return x.mul(-2).softplus().add(x).neg().add(Math.LN2).mul(2);
  }
  override equals(other: Transform): boolean {
    return other instanceof TanhTransform;
  }
}

/** y = |x| (not bijective: its inverse returns y itself), as PyTorch's `AbsTransform`; HalfNormal and HalfCauchy use it. */
export class AbsTransform extends Transform {
  constructor(opts: TransformOptions = {}) {
    super(opts);
  }
  get domain(): Constraint {
    return constraints.real;
  }
  get codomain(): Constraint {
    return constraints.positive;
  }
  protected call(x: Tensor): Tensor {
    return x.abs();
  }
  protected inverseCall(y: Tensor): Tensor {
    return y;
  }
  override equals(other: Transform): boolean {
    return other instanceof AbsTransform;
  }
}

/**
 * y = softmax(x) over the last dim, from the real vectors onto the simplex. Not bijective (adding a
 * constant to x gives the same y): the inverse is log(y), one preimage, and there is no
 * log-Jacobian, as in PyTorch.
 */
export class SoftmaxTransform extends Transform {
  constructor(opts: TransformOptions = {}) {
    super(opts);
  }
  get domain(): Constraint {
    return constraints.realVector;
  }
  get codomain(): Constraint {
    return constraints.simplex;
  }
  protected call(x: Tensor): Tensor {
    const probs = x.sub(x.amax(-1, true)).exp();
    return probs.div(probs.sum(-1, true));
  }
  protected inverseCall(y: Tensor): Tensor {
    return y.log();
  }
  override forwardShape(shape: readonly number[]): number[] {
    if (shape.length < 1) throw new TensileError(`SoftmaxTransform: too few dimensions on input (shape ${fmtShape(shape)})`);
    return [...shape];
  }
  override inverseShape(shape: readonly number[]): number[] {
    return this.forwardShape(shape);
  }
  override equals(other: Transform): boolean {
    return other instanceof SoftmaxTransform;
  }
}

/** The identity (a ComposeTransform of no parts, PyTorch's `identity_transform`). */
export const identityTransform = new ComposeTransform([]);
