/**
 * Discrete distributions: Bernoulli, Categorical, OneHotCategorical, each given `probs` or `logits`
 * (exactly one), with PyTorch's conversions (clamped probabilities, normalised logits) so that
 * log_prob, entropy and their gradients match PyTorch's.
 */
import { Tensor, arange, enableGrad, eye, noGrad, oneHot } from "../core.js";
import { binaryCrossEntropyWithLogits } from "../nn/functional/classification.js";
import { broadcastShapes } from "../tensor/shape.js";
import { TensileError, fmtShape, fmtValue } from "../errors.js";
import { type DistributionOptions, Distribution, type Param, asParams, checkValues, setField } from "./distribution.js";
import { bernoulli, multinomial } from "../tensor/sampling.js";
import { withBackend } from "../backends/registry.js";
import { ExponentialFamily } from "./exp-family.js";
import { type Constraint, constraints, intBounded } from "./constraints.js";

export interface ProbsOrLogits extends DistributionOptions {
  probs?: Param;
  logits?: Param;
}

export const epsOf = (t: Tensor): number => (t.dtype === "float64" ? 2.220446049250313e-16 : 1.1920928955078125e-7);
const minOf = (t: Tensor): number => (t.dtype === "float64" ? -Number.MAX_VALUE : -3.4028234663852886e38);

/** PyTorch's clamp_probs: into [eps, 1 − eps]. */
export const clampProbs = (p: Tensor): Tensor => p.clamp(epsOf(p), 1 - epsOf(p));

/**
 * A derived parameter (probs from logits, or back), computed once and cached: with grad mode on,
 * so that one first asked for inside `noGrad` (a `sample()`) still carries the graph later.
 */
export const lazy = (fn: () => Tensor): Tensor => enableGrad(fn);

export function oneOf(op: string, opts: ProbsOrLogits | undefined | null): { probs?: Tensor; logits?: Tensor } {
  if (opts === null || typeof opts !== "object") throw new TensileError(`${op}: expected { probs } or { logits }, got ${fmtValue(opts)}`);
  // PyTorch's positional form, Categorical(probs): say what to write instead of "neither was given"
  if (opts instanceof Tensor)
    throw new TensileError(`${op}: got a Tensor of shape ${fmtShape(opts.shape)} where { probs } or { logits } was expected (PyTorch's positional probs argument is { probs: t } here)`);
  const hasP = opts.probs !== undefined && opts.probs !== null, hasL = opts.logits !== undefined && opts.logits !== null;
  if (hasP === hasL) throw new TensileError(`${op}: either \`probs\` or \`logits\` must be specified, but not both`);
  const [t] = asParams(op, [hasP ? "probs" : "logits"], [hasP ? opts.probs : opts.logits]);
  return hasP ? { probs: t! } : { logits: t! };
}

/**
 * Sets `d`'s probs and logits (those `src` holds: the given one, and the other once derived) to
 * views of `src`'s expanded to `shape`, as PyTorch's `expand` of a probs/logits distribution.
 */
export function expandProbsLogits(src: object, d: object, shape: readonly number[]): void {
  for (const k of ["_probs", "_logits"]) {
    const t = (src as Record<string, Tensor | null>)[k];
    if (t) setField(d, k, t.expand(shape));
  }
}

/** log(p) − log(1 − p) of clamped probabilities (PyTorch's `probs_to_logits(is_binary=True)`). */
export const probsToLogits = (p: Tensor): Tensor => {
  const c = clampProbs(p);
  return c.log().sub(c.neg().log1p());
};

/**
 * A distribution of one success probability per batch element, given as `probs` or `logits`
 * (Binomial, Geometric, NegativeBinomial, LogitRelaxedBernoulli; Bernoulli, an ExponentialFamily,
 * holds its own): it keeps the one given, derives the other on first use (PyTorch's
 * `lazy_property`), expands both, and prints the one given.
 */
export abstract class SuccessProbability extends Distribution {
  protected readonly _given: "probs" | "logits";
  protected _probs: Tensor | null;
  protected _logits: Tensor | null;
  constructor(batchShape: readonly number[], given: { probs?: Tensor | null; logits?: Tensor | null }, opts?: DistributionOptions) {
    super(batchShape, [], opts);
    this._given = given.probs ? "probs" : "logits";
    this._probs = given.probs ?? null;
    this._logits = given.logits ?? null;
  }
  protected override expandInto(d: this, batchShape: readonly number[]): void {
    expandProbsLogits(this, d, batchShape);
  }
  /** The success probability (sigmoid of the logits when given logits). */
  get probs(): Tensor {
    return (this._probs ??= lazy(() => this._logits!.sigmoid()));
  }
  /** log(p) − log(1 − p), from clamped probabilities when given probs. */
  get logits(): Tensor {
    return (this._logits ??= lazy(() => probsToLogits(this._probs!)));
  }
  /** The parameter given, as `reprParams` shows it. */
  protected givenParam(): [string, Tensor] {
    return [this._given, this._given === "probs" ? this.probs : this.logits];
  }
}

/**
 * `values` [n, ...event] laid along a new leading dim before `batch`: [n, 1, …, 1, ...event], expanded
 * to [n, ...batch, ...event] when `expand` (PyTorch's `enumerate_support` layout).
 */
export function enumerateValues(values: Tensor, batch: readonly number[], event: readonly number[], expand: boolean): Tensor {
  if (typeof expand !== "boolean") throw new TensileError(`enumerateSupport: expand must be a boolean, got ${fmtValue(expand)}`);
  const n = values.shape[0]!;
  const v = values.reshape([n, ...batch.map(() => 1), ...event]);
  return expand ? v.expand([n, ...batch, ...event]) : v;
}

/** `Bernoulli({ probs })` or `Bernoulli({ logits })`: 1 with probability p, else 0. */
export class Bernoulli extends ExponentialFamily {
  /** PyTorch's `support`. */
  override get support(): Constraint {
    return constraints.boolean;
  }
  /** PyTorch's `arg_constraints`. */
  override get argConstraints(): Record<string, Constraint> {
    return { probs: constraints.unitInterval, logits: constraints.real };
  }
  private readonly _given: "probs" | "logits";
  private _probs: Tensor | null;
  private _logits: Tensor | null;
  constructor(opts: ProbsOrLogits) {
    const g = oneOf("Bernoulli", opts);
    const t = (g.probs ?? g.logits)!;
    super([...t.shape], [], opts);
    this._given = g.probs ? "probs" : "logits";
    this._probs = g.probs ?? null;
    this._logits = g.logits ?? null;
    if (this.validateArgs && g.probs) checkValues("Bernoulli", "parameter probs", g.probs, (v) => v >= 0 && v <= 1, "in [0, 1]");
    if (this.validateArgs && g.logits) checkValues("Bernoulli", "parameter logits", g.logits, (v) => !Number.isNaN(v), "real (not NaN)");
  }
  protected override expandInto(d: this, batchShape: readonly number[]): void {
    expandProbsLogits(this, d, batchShape);
  }
  /** The success probability (sigmoid of the logits when given logits). */
  get probs(): Tensor {
    return (this._probs ??= lazy(() => this._logits!.sigmoid()));
  }
  /** log(p) − log(1 − p), from clamped probabilities when given probs. */
  get logits(): Tensor {
    return (this._logits ??= lazy(() => probsToLogits(this._probs!)));
  }
  override get hasEnumerateSupport(): boolean {
    return true;
  }
  /** [0, 1] in the parameter's dtype, shape [2, ...batchShape] (expanded) or [2, 1, …] (PyTorch's `enumerate_support`). */
  override enumerateSupport(expand = true): Tensor {
    return enumerateValues(withBackend(this.probs.backend, () => arange(0, 2, 1, { dtype: this.probs.dtype })), this.batchShape, [], expand);
  }
  override sample(sampleShape: readonly number[] = []): Tensor {
    const shape = this.extendedShape(sampleShape);
    return noGrad(() => withBackend(this.probs.backend, () => bernoulli(this.probs.expand(shape).contiguous())));
  }
  logProb(value: Tensor): Tensor {
    this.checkValue("logProb", value);
    if (this.validateArgs) checkValues("Bernoulli.logProb", "the value", value, (v) => v === 0 || v === 1, "0 or 1 (the support)");
    const shape = value.add(this.logits.detach()).shape;
    return binaryCrossEntropyWithLogits(this.logits.expand(shape), value.to(this.logits.dtype).expand(shape), { reduction: "none" }).neg();
  }
  override entropy(): Tensor {
    return binaryCrossEntropyWithLogits(this.logits, this.probs, { reduction: "none" });
  }
  override get mean(): Tensor {
    return this.probs;
  }
  override get variance(): Tensor {
    return this.probs.mul(this.probs.neg().add(1));
  }
  /** 1 where p > ½, 0 where p < ½, NaN at p = ½ (no graph). */
  override get mode(): Tensor {
    return noGrad(() => this.probs.ge(0.5).to(this.probs.dtype).maskedFill(this.probs.eq(0.5), NaN));
  }
  /** (log(p/(1 − p))). */
  override get naturalParams(): Tensor[] {
    return [this.probs.div(this.probs.neg().add(1)).log()];
  }
  /** F(x) = log(1 + eˣ). */
  override logNormalizer(x: Tensor): Tensor {
    return x.exp().add(1).log();
  }
  override get meanCarrierMeasure(): number {
    return 0;
  }
  protected override reprParams(): [string, Tensor][] {
    return [[this._given, this._given === "probs" ? this.probs : this.logits]];
  }
}

/** `Categorical({ probs })` or `Categorical({ logits })` over the last dim's K categories: int32 draws in [0, K). */
export class Categorical extends Distribution {
  /** PyTorch's `support`. */
  override get support(): Constraint {
    return intBounded("IntegerInterval", 0, this.numEvents - 1);
  }
  /** PyTorch's `arg_constraints`. */
  override get argConstraints(): Record<string, Constraint> {
    return { probs: constraints.simplex, logits: constraints.realVector };
  }
  private readonly _given: "probs" | "logits";
  private _probs: Tensor | null = null;
  private _logits: Tensor | null = null;
  /** K, the number of categories. */
  readonly numEvents: number;
  constructor(opts: ProbsOrLogits) {
    const g = oneOf("Categorical", opts);
    const t = (g.probs ?? g.logits)!;
    if (t.ndim < 1) throw new TensileError(`Categorical: ${g.probs ? "probs" : "logits"} must have at least one dimension (the categories), got shape ${fmtShape(t.shape)}`);
    super(t.shape.slice(0, -1), [], opts);
    this.numEvents = t.shape[t.ndim - 1]!;
    this._given = g.probs ? "probs" : "logits";
    if (g.probs) {
      if (this.validateArgs) {
        checkValues("Categorical", "parameter probs", g.probs, (v) => v >= 0 && Number.isFinite(v), "non-negative and finite");
        checkValues("Categorical", "the sum of probs over the last dim", noGrad(() => g.probs!.sum(-1)), (v) => v > 0, "positive");
      }
      this._probs = g.probs.div(g.probs.sum(-1, true));
    } else {
      if (this.validateArgs) checkValues("Categorical", "parameter logits", g.logits!, (v) => !Number.isNaN(v), "real (not NaN)");
      this._logits = g.logits!.sub(g.logits!.logsumexp(-1, true));
    }
  }
  protected override expandInto(d: this, batchShape: readonly number[]): void {
    expandProbsLogits(this, d, [...batchShape, this.numEvents]);
  }
  override get hasEnumerateSupport(): boolean {
    return true;
  }
  /** The categories 0 … K − 1 (int32), shape [K, ...batchShape] (expanded) or [K, 1, …] (PyTorch's `enumerate_support`). */
  override enumerateSupport(expand = true): Tensor {
    return enumerateValues(withBackend(this.probs.backend, () => arange(0, this.numEvents, 1, { dtype: "int32" })), this.batchShape, [], expand);
  }
  /** The shape of the parameter given, `[...batchShape, K]` (PyTorch's `param_shape`). */
  get paramShape(): number[] {
    return [...this.batchShape, this.numEvents];
  }
  /** Normalised probabilities [..., K]. */
  get probs(): Tensor {
    return (this._probs ??= lazy(() => this._logits!.softmax(-1)));
  }
  /** Normalised log-probabilities [..., K] (log of the clamped probabilities when given probs). */
  get logits(): Tensor {
    return (this._logits ??= lazy(() => clampProbs(this._probs!).log()));
  }
  override sample(sampleShape: readonly number[] = []): Tensor {
    const shape = this.extendedShape(sampleShape);
    const n = shape.reduce((a, b) => a * b, 1);
    const rows = this.batchShape.reduce((a, b) => a * b, 1);
    const s = sampleShape.reduce((a, b) => a * b, 1);
    return noGrad(() => withBackend(this.probs.backend, () => {
      const p = this.probs.reshape([rows, this.numEvents]);
      // [rows, s] draws, then sample-major like PyTorch's result
      const d = n === 0 ? p.sum(-1).reshape([0]) : multinomial(p, s, true);
      return n === 0 ? d.to("int32").reshape(shape) : d.t().contiguous().reshape(shape);
    }));
  }
  logProb(value: Tensor): Tensor {
    if (!(value instanceof Tensor)) throw new TensileError(`Categorical.logProb: expected a Tensor value, got ${fmtValue(value)}`);
    if (this.validateArgs)
      checkValues("Categorical.logProb", "the value", value, (v) => Number.isInteger(v) && v >= 0 && v < this.numEvents, `an integer in [0, ${this.numEvents}) (the support)`);
    const shape = broadcastShapes("Categorical.logProb", value.shape, this.batchShape);
    const idx = value.to("int32").expand(shape).unsqueeze(-1);
    return this.logits.expand([...shape, this.numEvents]).gather(-1, idx).squeeze(-1);
  }
  override entropy(): Tensor {
    const l = this.logits.clamp(minOf(this.logits));
    return l.mul(this.probs).sum(-1).neg();
  }
  override get mean(): Tensor {
    throw new TensileError("Categorical.mean: a categorical distribution has no mean (its values are labels); PyTorch returns NaN");
  }
  /** The most likely category (int32, the first on ties). */
  override get mode(): Tensor {
    return this.probs.argmax(-1);
  }
  override get variance(): Tensor {
    throw new TensileError("Categorical.variance: a categorical distribution has no variance (its values are labels); PyTorch returns NaN");
  }
  protected override reprParams(): [string, Tensor][] {
    return [[this._given, this._given === "probs" ? this.probs : this.logits]];
  }
}

/** `OneHotCategorical({ probs | logits })`: a Categorical whose draws are one-hot vectors [..., K]. */
export class OneHotCategorical extends Distribution {
  /** PyTorch's `support`. */
  override get support(): Constraint {
    return constraints.oneHot;
  }
  /** PyTorch's `arg_constraints`. */
  override get argConstraints(): Record<string, Constraint> {
    return { probs: constraints.simplex, logits: constraints.realVector };
  }
  readonly categorical: Categorical;
  constructor(opts: ProbsOrLogits) {
    const c = new Categorical(opts);
    super(c.batchShape, [c.numEvents], opts);
    this.categorical = c;
  }
  protected override expandInto(d: this, batchShape: readonly number[]): void {
    setField(d, "categorical", this.categorical.expand(batchShape));
  }
  override get hasEnumerateSupport(): boolean {
    return true;
  }
  /** The K one-hot vectors (rows of the identity), shape [K, ...batchShape, K] (expanded) or [K, 1, …, K] (PyTorch's `enumerate_support`). */
  override enumerateSupport(expand = true): Tensor {
    const k = this.categorical.numEvents;
    return enumerateValues(withBackend(this.probs.backend, () => eye(k, k, { dtype: this.probs.dtype })), this.batchShape, [k], expand);
  }
  get probs(): Tensor {
    return this.categorical.probs;
  }
  get logits(): Tensor {
    return this.categorical.logits;
  }
  override sample(sampleShape: readonly number[] = []): Tensor {
    const idx = this.categorical.sample(sampleShape);
    return noGrad(() => oneHot(idx, this.categorical.numEvents).to(this.probs.dtype));
  }
  logProb(value: Tensor): Tensor {
    this.checkValue("logProb", value);
    if (this.validateArgs) {
      checkValues("OneHotCategorical.logProb", "the value", value, (v) => v === 0 || v === 1, "one-hot (0 or 1)");
      checkValues("OneHotCategorical.logProb", "the value's sum over the last dim", noGrad(() => value.sum(-1)), (v) => v === 1, "1 (one-hot)");
    }
    return this.categorical.logProb(value.argmax(-1));
  }
  override entropy(): Tensor {
    return this.categorical.entropy();
  }
  override get mean(): Tensor {
    return this.probs;
  }
  override get variance(): Tensor {
    return this.probs.mul(this.probs.neg().add(1));
  }
  /** The one-hot vector of the most likely category. */
  override get mode(): Tensor {
    return noGrad(() => oneHot(this.probs.argmax(-1), this.categorical.numEvents).to(this.probs.dtype));
  }
}
