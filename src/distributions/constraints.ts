/**
 * Constraints (PyTorch's `torch.distributions.constraints`): the sets a distribution's values
 * (`support`) and parameters (`argConstraints`) lie in, and a transform's domain and codomain.
 * A constraint knows its event dims, whether it is discrete, PyTorch's repr (`GreaterThan(lower_bound=0.0)`),
 * and how to test a value: `check(value)` is PyTorch's (a bool tensor, one entry per event: the event
 * dims are reduced with `all`), `validate(op, value)` throws a TensileError naming `op` (what a
 * distribution's `validateArgs` uses). Bounds may be numbers or tensors (Uniform's `interval(low, high)`,
 * Binomial's `integerInterval(0, totalCount)`, Pareto's `greaterThanEq(scale)`), broadcast with the value.
 *
 * ```ts
 * const s = new D.Uniform(0, 2).support;          // Interval(lower_bound=0.0, upper_bound=2.0)
 * s.check(tensor([-1, 0.5, 3]));                  // [false, true, false]
 * D.constraints.simplex.check(tensor([0.3, 0.7])); // true
 * ```
 */
import { Tensor, noGrad, tensor } from "../core.js";
import { withBackend } from "../backends/registry.js";
import { choleskyEx } from "../linalg/index.js";
import { TensileError, fmtShape, fmtValue } from "../errors.js";
import { checkValues } from "./distribution.js";

/** How a constraint tests a value: elementwise (the value's shape) or per intrinsic event (Simplex: one entry per vector). */
type Test = (value: Tensor) => Tensor;

export interface ConstraintOptions {
  /** Whether the set is discrete (PyTorch's `is_discrete`): Boolean, the integer sets, OneHot, Multinomial. */
  isDiscrete?: boolean;
  /** PyTorch's repr, e.g. `Interval(lower_bound=0.0, upper_bound=1.0)` (default: the name). */
  repr?: string;
  /** The tensor test behind `check` (a bool tensor; default: `ok` applied to each element). */
  test?: Test;
  /** `validate` skips the check (Real, Dependent: as Tensile's validation always has). */
  unchecked?: boolean;
  lowerBound?: number | Tensor;
  upperBound?: number | Tensor;
}

/**
 * A set values lie in (PyTorch's `Constraint`): a name, how many rightmost dims form one event, an
 * elementwise test for error messages, and PyTorch's `check`.
 */
export class Constraint {
  /** PyTorch's `is_discrete`. */
  readonly isDiscrete: boolean;
  /** PyTorch's `lower_bound` / `upper_bound` of the bounded sets (undefined for others). */
  readonly lowerBound: number | Tensor | undefined;
  readonly upperBound: number | Tensor | undefined;
  protected readonly opts: ConstraintOptions;
  constructor(
    readonly name: string,
    readonly eventDim: number,
    /** Elementwise membership (null: every number, as `real`). */
    readonly ok: ((v: number) => boolean) | null,
    /** How a TensileError describes the set. */
    readonly expect: string,
    /** The simplex: components also sum to 1 over the last dim. */
    readonly simplex = false,
    opts: ConstraintOptions = {},
  ) {
    this.opts = opts;
    this.isDiscrete = opts.isDiscrete ?? false;
    this.lowerBound = opts.lowerBound;
    this.upperBound = opts.upperBound;
  }
  /** The same set over `n` more rightmost dims (PyTorch's `constraints.independent`). */
  independent(n: number): Constraint {
    if (!Number.isInteger(n) || n < 0) throw new TensileError(`constraints.independent: reinterpreted_batch_ndims must be a non-negative integer, got ${fmtValue(n)}`);
    return n === 0 ? this : new IndependentConstraint(this, n);
  }
  /**
   * PyTorch's `check(value)`: a bool tensor, true where the value lies in the set, with the
   * constraint's event dims reduced (so of the value's batch shape).
   */
  check(value: Tensor): Tensor;
  /** @deprecated The throwing form: `validate(op, value)`. */
  check(op: string, value: Tensor): void;
  check(a: Tensor | string, b?: Tensor): Tensor | void {
    if (typeof a === "string") return this.validate(a, b!);
    const value = a;
    if (!(value instanceof Tensor)) throw new TensileError(`${this.toString()}.check: expected a Tensor, got ${fmtValue(value)}`);
    return noGrad(() => this.test(value));
  }
  /** The test before any `independent` reduction. */
  protected test(value: Tensor): Tensor {
    if (this.opts.test) return this.opts.test(value);
    if (!this.ok) throw new TensileError(`${this.toString()}.check: cannot determine validity of a dependent constraint (PyTorch raises ValueError)`);
    const ok = this.ok;
    const v = value.contiguous().dataSync();
    return withBackend(value.backend, () => tensor(Array.from(v, (x) => ok(Number(x))), { dtype: "bool" }).reshape([...value.shape]));
  }
  /** Throws a TensileError naming `op` unless every element (every event) of `value` lies in the set. */
  validate(op: string, value: Tensor): void {
    if (this.ok) {
      checkValues(op, "the value", value, this.ok, this.expect);
      if (this.simplex)
        checkValues(op, "the value's sum over the last dim", noGrad(() => value.sum(-1)), (v) => Math.abs(v - 1) < 1e-6, "1 (on the simplex)");
      return;
    }
    if (this.opts.unchecked || !this.opts.test) return;
    const r = this.check(value);
    const data = r.contiguous().dataSync();
    const i = data.findIndex((x) => !x);
    if (i >= 0)
      throw new TensileError(`${op}: expected the value to be ${this.expect}, but it is not${r.numel() > 1 ? ` at flat index ${i} of the check's shape ${fmtShape(r.shape)}` : ""} (value shape ${fmtShape(value.shape)})`);
  }
  /** PyTorch's repr: `Real()`, `GreaterThan(lower_bound=0.0)`, `IndependentConstraint(Real(), 1)`, … */
  toString(): string {
    return this.opts.repr ?? this.name;
  }
}

/** `base` over `n` more rightmost dims (PyTorch's `_IndependentConstraint`): `check` reduces them with `all`. */
export class IndependentConstraint extends Constraint {
  constructor(readonly baseConstraint: Constraint, readonly reinterpretedBatchNdims: number, name = baseConstraint.name) {
    super(name, baseConstraint.eventDim + reinterpretedBatchNdims, baseConstraint.ok, baseConstraint.expect, baseConstraint.simplex, {
      isDiscrete: baseConstraint.isDiscrete,
      repr: `IndependentConstraint(${baseConstraint.toString()}, ${reinterpretedBatchNdims})`,
    });
  }
  override independent(n: number): Constraint {
    return n === 0 ? this : new IndependentConstraint(this.baseConstraint, this.reinterpretedBatchNdims + n);
  }
  protected override test(value: Tensor): Tensor {
    const r = this.baseConstraint.check(value);
    const n = this.reinterpretedBatchNdims;
    if (r.ndim < n) throw new TensileError(`${this.toString()}.check: expected value.dim() >= ${n + this.baseConstraint.eventDim} but got ${value.ndim} (shape ${fmtShape(value.shape)})`);
    return r.reshape([...r.shape.slice(0, r.ndim - n), -1]).all(-1);
  }
  override validate(op: string, value: Tensor): void {
    this.baseConstraint.validate(op, value);
  }
}

/** A Python number as `'{}'.format` prints it: floats with a `.0` or an exponent like `1e-05`, ints bare. */
export function pyNumber(v: number, isInt = false): string {
  if (isInt && Number.isInteger(v)) return String(v);
  if (Number.isNaN(v)) return "nan";
  if (!Number.isFinite(v)) return v > 0 ? "inf" : "-inf";
  const a = Math.abs(v);
  if (a !== 0 && (a < 1e-4 || a >= 1e16)) {
    const [m, e] = v.toExponential().split("e");
    const exp = Number(e);
    return `${m}e${exp < 0 ? "-" : "+"}${String(Math.abs(exp)).padStart(2, "0")}`;
  }
  return Number.isInteger(v) ? v.toFixed(1) : String(v);
}

/** A bound as PyTorch's repr formats it: a number or a 0-d tensor by value, a larger tensor as the tensor. */
function fmtBound(b: number | Tensor, isInt: boolean): string {
  if (typeof b === "number") return pyNumber(b, isInt);
  if (b.ndim === 0) return pyNumber(Number(noGrad(() => b.item())), b.dtype === "int32" || b.dtype === "bool");
  return noGrad(() => b.detach().toString());
}

const ge = (v: Tensor, b: number | Tensor) => (typeof b === "number" ? v.ge(b) : b.le(v));
const gt = (v: Tensor, b: number | Tensor) => (typeof b === "number" ? v.gt(b) : b.lt(v));
const le = (v: Tensor, b: number | Tensor) => (typeof b === "number" ? v.le(b) : b.ge(v));
const lt = (v: Tensor, b: number | Tensor) => (typeof b === "number" ? v.lt(b) : b.gt(v));
const isInteger = (v: Tensor) => v.sub(v.floor()).eq(0); // false for ±∞ and NaN, as PyTorch's value % 1 == 0
const fmtEl = (b: number | Tensor) => (typeof b === "number" ? String(b) : b.ndim === 0 ? String(noGrad(() => b.item())) : "the bound");

type Bound = number | Tensor;

/** The bounded sets (PyTorch's `_GreaterThan`, `_Interval`, …); `intRepr` prints number bounds as Python ints. */
function bounded(kind: string, lo: Bound | undefined, hi: Bound | undefined, intRepr: boolean): Constraint {
  for (const [k, b] of [["lower_bound", lo], ["upper_bound", hi]] as const)
    if (b !== undefined && typeof b !== "number" && !(b instanceof Tensor)) throw new TensileError(`constraints.${kind}: ${k} must be a number or a Tensor, got ${fmtValue(b)}`);
  const args = [lo !== undefined ? `lower_bound=${fmtBound(lo, intRepr)}` : null, hi !== undefined ? `upper_bound=${fmtBound(hi, intRepr)}` : null].filter(Boolean).join(", ");
  const repr = `${kind}(${args})`;
  const scalar = (b: Bound | undefined) => b === undefined || typeof b === "number";
  const n = (b: Bound | undefined) => b as number;
  const opts = { repr, lowerBound: lo, upperBound: hi };
  switch (kind) {
    case "GreaterThan":
      return new Constraint("greater_than", 0, scalar(lo) ? (v) => v > n(lo) : null, `greater than ${fmtEl(lo!)} (${repr})`, false, { ...opts, test: (v) => gt(v, lo!) });
    case "GreaterThanEq":
      return new Constraint("greater_than_eq", 0, scalar(lo) ? (v) => v >= n(lo) : null, `at least ${fmtEl(lo!)} (${repr})`, false, { ...opts, test: (v) => ge(v, lo!) });
    case "LessThan":
      return new Constraint("less_than", 0, scalar(hi) ? (v) => v < n(hi) : null, `less than ${fmtEl(hi!)} (${repr})`, false, { ...opts, test: (v) => lt(v, hi!) });
    case "Interval":
      return new Constraint("interval", 0, scalar(lo) && scalar(hi) ? (v) => v >= n(lo) && v <= n(hi) : null, `in [${fmtEl(lo!)}, ${fmtEl(hi!)}] (${repr})`, false, {
        ...opts, test: (v) => ge(v, lo!).logicalAnd(le(v, hi!)),
      });
    case "HalfOpenInterval":
      return new Constraint("half_open_interval", 0, scalar(lo) && scalar(hi) ? (v) => v >= n(lo) && v < n(hi) : null, `in [${fmtEl(lo!)}, ${fmtEl(hi!)}) (${repr})`, false, {
        ...opts, test: (v) => ge(v, lo!).logicalAnd(lt(v, hi!)),
      });
    case "IntegerInterval":
      return new Constraint("integer_interval", 0, scalar(lo) && scalar(hi) ? (v) => Number.isInteger(v) && v >= n(lo) && v <= n(hi) : null, `an integer in [${fmtEl(lo!)}, ${fmtEl(hi!)}] (${repr})`, false, {
        ...opts, isDiscrete: true, test: (v) => isInteger(v).logicalAnd(ge(v, lo!)).logicalAnd(le(v, hi!)),
      });
    case "IntegerGreaterThan":
      return new Constraint("integer_greater_than", 0, scalar(lo) ? (v) => Number.isInteger(v) && v >= n(lo) : null, `an integer at least ${fmtEl(lo!)} (${repr})`, false, {
        ...opts, isDiscrete: true, test: (v) => isInteger(v).logicalAnd(ge(v, lo!)),
      });
    case "IntegerLessThan":
      return new Constraint("integer_less_than", 0, scalar(hi) ? (v) => Number.isInteger(v) && v <= n(hi) : null, `an integer at most ${fmtEl(hi!)} (${repr})`, false, {
        ...opts, isDiscrete: true, test: (v) => isInteger(v).logicalAnd(le(v, hi!)),
      });
  }
  throw new TensileError(`constraints: unknown bounded constraint ${kind}`);
}

/** @internal A bounded constraint whose number bounds print as Python ints (`GreaterThanEq(lower_bound=0)`, as torch builds some). */
export const intBounded = (kind: "GreaterThan" | "GreaterThanEq" | "IntegerInterval" | "IntegerGreaterThan", lo: Bound, hi?: Bound): Constraint => bounded(kind, lo, hi, true);

const lastDimAll = (t: Tensor) => (t.ndim === 0 ? t : t.all(-1));

function lowerTriangularTest(v: Tensor): Tensor {
  if (v.ndim < 2) throw new TensileError(`LowerTriangular.check: expected a matrix (at least 2 dims), got shape ${fmtShape(v.shape)}`);
  return v.tril().eq(v).reshape([...v.shape.slice(0, -2), -1]).all(-1);
}
function lowerCholeskyTest(v: Tensor): Tensor {
  return lowerTriangularTest(v).logicalAnd(v.diagonal(0, -2, -1).gt(0).all(-1));
}
function squareTest(v: Tensor): Tensor {
  if (v.ndim < 2) throw new TensileError(`Square.check: expected a matrix (at least 2 dims), got shape ${fmtShape(v.shape)}`);
  const ok = v.shape[v.ndim - 1] === v.shape[v.ndim - 2];
  return withBackend(v.backend, () => tensor(ok, { dtype: "bool" }).expand(v.shape.slice(0, -2)));
}
function symmetricTest(v: Tensor): Tensor {
  const sq = squareTest(v);
  if (!sq.all().item()) return sq;
  // PyTorch's isclose(value, value.mT, atol=1e-6) with rtol 1e-5
  const t = v.transpose(-2, -1);
  return v.sub(t).abs().le(t.abs().mul(1e-5).add(1e-6)).all(-1).all(-1);
}

/** PyTorch's constraint objects and builders, camelCased (`constraints.unitInterval` is `constraints.unit_interval`). */
export const constraints = {
  real: new Constraint("real", 0, null, "real", false, { repr: "Real()", unchecked: true, test: (v) => v.eq(v) }),
  realVector: null as unknown as Constraint,
  boolean: new Constraint("boolean", 0, (v) => v === 0 || v === 1, "0 or 1 (Boolean())", false, { repr: "Boolean()", isDiscrete: true, test: (v) => v.eq(0).logicalOr(v.eq(1)) }),
  positive: new Constraint("positive", 0, (v) => v > 0, "positive (the support)", false, { repr: "GreaterThan(lower_bound=0.0)", lowerBound: 0, test: (v) => v.gt(0) }),
  nonnegative: new Constraint("nonnegative", 0, (v) => v >= 0, "non-negative (the support)", false, { repr: "GreaterThanEq(lower_bound=0.0)", lowerBound: 0, test: (v) => v.ge(0) }),
  unitInterval: new Constraint("unit_interval", 0, (v) => v >= 0 && v <= 1, "in [0, 1] (the support)", false, {
    repr: "Interval(lower_bound=0.0, upper_bound=1.0)", lowerBound: 0, upperBound: 1, test: (v) => v.ge(0).logicalAnd(v.le(1)),
  }),
  nonnegativeInteger: bounded("IntegerGreaterThan", 0, undefined, true),
  positiveInteger: bounded("IntegerGreaterThan", 1, undefined, true),
  /** [lo, hi] (PyTorch's `interval`): numbers or tensors. */
  interval: (lo: Bound, hi: Bound): Constraint => bounded("Interval", lo, hi, false),
  /** [lo, hi) (PyTorch's `half_open_interval`). */
  halfOpenInterval: (lo: Bound, hi: Bound): Constraint => bounded("HalfOpenInterval", lo, hi, false),
  /** The integers in [lo, hi] (PyTorch's `integer_interval`). */
  integerInterval: (lo: Bound, hi: Bound): Constraint => bounded("IntegerInterval", lo, hi, true),
  /** (lo, ∞) (PyTorch's `greater_than`). */
  greaterThan: (lo: Bound): Constraint => bounded("GreaterThan", lo, undefined, false),
  /** [lo, ∞) (PyTorch's `greater_than_eq`). */
  greaterThanEq: (lo: Bound): Constraint => bounded("GreaterThanEq", lo, undefined, false),
  /** (−∞, hi) (PyTorch's `less_than`). */
  lessThan: (hi: Bound): Constraint => bounded("LessThan", undefined, hi, false),
  simplex: new Constraint("simplex", 1, (v) => v >= 0 && v <= 1, "in [0, 1] (on the simplex)", true, {
    repr: "Simplex()", test: (v) => lastDimAll(v.ge(0)).logicalAnd(v.sum(-1).sub(1).abs().lt(1e-6)),
  }),
  oneHot: new Constraint("one_hot", 1, null, "one-hot (OneHot())", false, {
    repr: "OneHot()", isDiscrete: true, test: (v) => lastDimAll(v.eq(0).logicalOr(v.eq(1))).logicalAnd(v.sum(-1).eq(1)),
  }),
  /** Count vectors with non-negative entries summing to at most `upperBound` (PyTorch's `multinomial`). */
  multinomial: (upperBound: Bound): Constraint =>
    new Constraint("multinomial", 1, null, `counts summing to at most ${fmtEl(upperBound)} (Multinomial())`, false, {
      repr: "Multinomial()", isDiscrete: true, upperBound, test: (v) => lastDimAll(v.ge(0)).logicalAnd(le(v.sum(-1), upperBound)),
    }),
  lowerTriangular: new Constraint("lower_triangular", 2, null, "lower triangular (LowerTriangular())", false, { repr: "LowerTriangular()", test: lowerTriangularTest }),
  lowerCholesky: new Constraint("lower_cholesky", 2, null, "lower triangular with a positive diagonal (LowerCholesky())", false, { repr: "LowerCholesky()", test: lowerCholeskyTest }),
  corrCholesky: new Constraint("corr_cholesky", 2, null, "a lower Cholesky factor of a correlation matrix (CorrCholesky())", false, {
    repr: "CorrCholesky()",
    test: (v) => {
      const eps = v.dtype === "float64" ? 2.220446049250313e-16 : 1.1920928955078125e-7;
      const tol = eps * v.shape[v.ndim - 1]! * 10;
      const unitRows = v.square().sum(-1).sqrt().sub(1).abs().le(tol).all(-1);
      return lowerCholeskyTest(v).logicalAnd(unitRows);
    },
  }),
  square: new Constraint("square", 2, null, "a square matrix (Square())", false, { repr: "Square()", test: squareTest }),
  symmetric: new Constraint("symmetric", 2, null, "a symmetric matrix (Symmetric())", false, { repr: "Symmetric()", test: symmetricTest }),
  positiveDefinite: new Constraint("positive_definite", 2, null, "a positive definite matrix (PositiveDefinite())", false, {
    repr: "PositiveDefinite()",
    test: (v) => {
      const sym = symmetricTest(v);
      if (v.shape[v.ndim - 1] !== v.shape[v.ndim - 2]) return sym;
      const f = v.dtype === "float32" || v.dtype === "float64" ? v : v.to("float32");
      return sym.logicalAnd(choleskyEx(f).info.eq(0)); // the factorisation reads the lower triangle; sym covers the rest
    },
  }),
  /** A parameter whose set depends on others (PyTorch's `dependent`): `check` throws. */
  dependent: new Constraint("dependent", 0, null, "in the distribution's support", false, { repr: "Dependent()", unchecked: true }),
  /** `c` over `n` more rightmost dims (PyTorch's `constraints.independent(c, n)`). */
  independent: (c: Constraint, n: number): Constraint => {
    if (!(c instanceof Constraint)) throw new TensileError(`constraints.independent: expected a Constraint, got ${fmtValue(c)}`);
    return c.independent(n);
  },
};
constraints.realVector = new IndependentConstraint(constraints.real, 1, "real_vector");
