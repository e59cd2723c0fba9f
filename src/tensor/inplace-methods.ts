/**
 * The in-place forms of Tensile's out-of-place ops (`exp_`, `pow_`, `eq_`, `tril_`, `scatter_`, ...),
 * PyTorch's comparison aliases (`greater`, `lessEqual`, ...) and `igamma`/`igammac`, installed on
 * `Tensor.prototype` and declared on `Tensor` by declaration merging, so tensor.ts stays the size
 * of its core. src/core.ts imports this module (every public entry point goes through it).
 *
 * Every write goes through ops/inplace.ts: autograd records it as PyTorch does (the out-of-place
 * op on an alias of x's old value, x rebound to its node), refuses a leaf that requires grad, and
 * refuses a result of a higher kind than x (`int32Tensor.sqrt_()`: float into int32), as PyTorch
 * refuses the cast. Comparisons and logical ops write 1/0 in x's own dtype, as PyTorch's do.
 *
 * ```ts
 * const y = x.mul(2);
 * y.exp_().clampMin_(1);     // y ← max(exp(2x), 1), recorded by autograd
 * ```
 */
import { TensileError } from "../errors.js";
import { Tensor } from "./tensor.js";
import * as IP from "../ops/inplace.js";
import * as E from "../ops/elementwise.js";
import * as MA from "../ops/math.js";
import * as SP from "../ops/special.js";
import { assertTensor } from "../ops/util.js";
import { kwArgs } from "../utils/positional.js";
import { igamma, igammac, fillDiagonal, put } from "../ops/tensor-api.js";

type TS = Tensor | number;

declare module "./tensor.js" {
  interface Tensor {
    // ---- unary: x ← f(x) ----
    /** In place abs: x ← x.abs(), as `torch.Tensor.abs_`. Returns x. */
    abs_(): this;
    /** In place absolute: x ← x.absolute(), as `torch.Tensor.absolute_`. Returns x. */
    absolute_(): this;
    /** In place neg: x ← x.neg(), as `torch.Tensor.neg_`. Returns x. */
    neg_(): this;
    /** In place negative: x ← x.negative(), as `torch.Tensor.negative_`. Returns x. */
    negative_(): this;
    /** In place sign: x ← x.sign(), as `torch.Tensor.sign_`. Returns x. */
    sign_(): this;
    /** In place sgn: x ← x.sgn(), as `torch.Tensor.sgn_`. Returns x. */
    sgn_(): this;
    /** In place exp: x ← x.exp(), as `torch.Tensor.exp_`. Returns x. */
    exp_(): this;
    /** In place exp2: x ← x.exp2(), as `torch.Tensor.exp2_`. Returns x. */
    exp2_(): this;
    /** In place expm1: x ← x.expm1(), as `torch.Tensor.expm1_`. Returns x. */
    expm1_(): this;
    /** In place log: x ← x.log(), as `torch.Tensor.log_`. Returns x. */
    log_(): this;
    /** In place log2: x ← x.log2(), as `torch.Tensor.log2_`. Returns x. */
    log2_(): this;
    /** In place log10: x ← x.log10(), as `torch.Tensor.log10_`. Returns x. */
    log10_(): this;
    /** In place log1p: x ← x.log1p(), as `torch.Tensor.log1p_`. Returns x. */
    log1p_(): this;
    /** In place sqrt: x ← x.sqrt(), as `torch.Tensor.sqrt_`. Returns x. */
    sqrt_(): this;
    /** In place rsqrt: x ← x.rsqrt(), as `torch.Tensor.rsqrt_`. Returns x. */
    rsqrt_(): this;
    /** In place square: x ← x.square(), as `torch.Tensor.square_`. Returns x. */
    square_(): this;
    /** In place reciprocal: x ← x.reciprocal(), as `torch.Tensor.reciprocal_`. Returns x. */
    reciprocal_(): this;
    /** In place sin: x ← x.sin(), as `torch.Tensor.sin_`. Returns x. */
    sin_(): this;
    /** In place cos: x ← x.cos(), as `torch.Tensor.cos_`. Returns x. */
    cos_(): this;
    /** In place tan: x ← x.tan(), as `torch.Tensor.tan_`. Returns x. */
    tan_(): this;
    /** In place asin: x ← x.asin(), as `torch.Tensor.asin_`. Returns x. */
    asin_(): this;
    /** In place acos: x ← x.acos(), as `torch.Tensor.acos_`. Returns x. */
    acos_(): this;
    /** In place atan: x ← x.atan(), as `torch.Tensor.atan_`. Returns x. */
    atan_(): this;
    /** In place sinh: x ← x.sinh(), as `torch.Tensor.sinh_`. Returns x. */
    sinh_(): this;
    /** In place cosh: x ← x.cosh(), as `torch.Tensor.cosh_`. Returns x. */
    cosh_(): this;
    /** In place tanh: x ← x.tanh(), as `torch.Tensor.tanh_`. Returns x. */
    tanh_(): this;
    /** In place asinh: x ← x.asinh(), as `torch.Tensor.asinh_`. Returns x. */
    asinh_(): this;
    /** In place acosh: x ← x.acosh(), as `torch.Tensor.acosh_`. Returns x. */
    acosh_(): this;
    /** In place atanh: x ← x.atanh(), as `torch.Tensor.atanh_`. Returns x. */
    atanh_(): this;
    /** In place arcsin: x ← x.arcsin(), as `torch.Tensor.arcsin_`. Returns x. */
    arcsin_(): this;
    /** In place arccos: x ← x.arccos(), as `torch.Tensor.arccos_`. Returns x. */
    arccos_(): this;
    /** In place arctan: x ← x.arctan(), as `torch.Tensor.arctan_`. Returns x. */
    arctan_(): this;
    /** In place arcsinh: x ← x.arcsinh(), as `torch.Tensor.arcsinh_`. Returns x. */
    arcsinh_(): this;
    /** In place arccosh: x ← x.arccosh(), as `torch.Tensor.arccosh_`. Returns x. */
    arccosh_(): this;
    /** In place arctanh: x ← x.arctanh(), as `torch.Tensor.arctanh_`. Returns x. */
    arctanh_(): this;
    /** In place sigmoid: x ← x.sigmoid(), as `torch.Tensor.sigmoid_`. Returns x. */
    sigmoid_(): this;
    /** In place erf: x ← x.erf(), as `torch.Tensor.erf_`. Returns x. */
    erf_(): this;
    /** In place erfc: x ← x.erfc(), as `torch.Tensor.erfc_`. Returns x. */
    erfc_(): this;
    /** In place erfinv: x ← x.erfinv(), as `torch.Tensor.erfinv_`. Returns x. */
    erfinv_(): this;
    /** In place lgamma: x ← x.lgamma(), as `torch.Tensor.lgamma_`. Returns x. */
    lgamma_(): this;
    /** In place digamma: x ← x.digamma(), as `torch.Tensor.digamma_`. Returns x. */
    digamma_(): this;
    /** In place i0: x ← x.i0(), as `torch.Tensor.i0_`. Returns x. */
    i0_(): this;
    /** In place sinc: x ← x.sinc(), as `torch.Tensor.sinc_`. Returns x. */
    sinc_(): this;
    /** In place deg2rad: x ← x.deg2rad(), as `torch.Tensor.deg2rad_`. Returns x. */
    deg2rad_(): this;
    /** In place rad2deg: x ← x.rad2deg(), as `torch.Tensor.rad2deg_`. Returns x. */
    rad2deg_(): this;
    /** In place floor: x ← x.floor(), as `torch.Tensor.floor_`. Returns x. */
    floor_(): this;
    /** In place ceil: x ← x.ceil(), as `torch.Tensor.ceil_`. Returns x. */
    ceil_(): this;
    /** In place round: x ← x.round(), as `torch.Tensor.round_`. Returns x. */
    round_(): this;
    /** In place trunc: x ← x.trunc(), as `torch.Tensor.trunc_`. Returns x. */
    trunc_(): this;
    /** In place fix: x ← x.fix(), as `torch.Tensor.fix_`. Returns x. */
    fix_(): this;
    /** In place frac: x ← x.frac(), as `torch.Tensor.frac_`. Returns x. */
    frac_(): this;
    // ---- binary: x ← f(x, other), other broadcast to x's shape ----
    /** In place pow: x ← x.pow(other), as `torch.Tensor.pow_`; other must broadcast to x's shape. Returns x. */
    pow_(other: Tensor | number): this;
    /** In place fmod: x ← x.fmod(other), as `torch.Tensor.fmod_`; other must broadcast to x's shape. Returns x. */
    fmod_(other: Tensor | number): this;
    /** In place remainder: x ← x.remainder(other), as `torch.Tensor.remainder_`; other must broadcast to x's shape. Returns x. */
    remainder_(other: Tensor | number): this;
    /** In place floorDivide: x ← x.floorDivide(other), as `torch.Tensor.floorDivide_`; other must broadcast to x's shape. Returns x. */
    floorDivide_(other: Tensor | number): this;
    /** In place trueDivide: x ← x.trueDivide(other), as `torch.Tensor.trueDivide_`; other must broadcast to x's shape. Returns x. */
    trueDivide_(other: Tensor | number): this;
    /** In place multiply: x ← x.multiply(other), as `torch.Tensor.multiply_`; other must broadcast to x's shape. Returns x. */
    multiply_(other: Tensor | number): this;
    /** In place hypot: x ← x.hypot(other), as `torch.Tensor.hypot_`; other must broadcast to x's shape. Returns x. */
    hypot_(other: Tensor | number): this;
    /** In place copysign: x ← x.copysign(other), as `torch.Tensor.copysign_`; other must broadcast to x's shape. Returns x. */
    copysign_(other: Tensor | number): this;
    /** In place heaviside: x ← x.heaviside(other), as `torch.Tensor.heaviside_`; other must broadcast to x's shape. Returns x. */
    heaviside_(other: Tensor | number): this;
    /** In place nextafter: x ← x.nextafter(other), as `torch.Tensor.nextafter_`; other must broadcast to x's shape. Returns x. */
    nextafter_(other: Tensor | number): this;
    /** In place ldexp: x ← x.ldexp(other), as `torch.Tensor.ldexp_`; other must broadcast to x's shape. Returns x. */
    ldexp_(other: Tensor | number): this;
    /** In place xlogy: x ← x.xlogy(other), as `torch.Tensor.xlogy_`; other must broadcast to x's shape. Returns x. */
    xlogy_(other: Tensor | number): this;
    /** In place atan2: x ← x.atan2(other), as `torch.Tensor.atan2_`; other must broadcast to x's shape. Returns x. */
    atan2_(other: Tensor | number): this;
    /** In place arctan2: x ← x.arctan2(other), as `torch.Tensor.arctan2_`; other must broadcast to x's shape. Returns x. */
    arctan2_(other: Tensor | number): this;
    // ---- comparisons: 1/0 in x's own dtype ----
    /** In place eq: x ← x.eq(other) as 1/0 in x's dtype, as `torch.Tensor.eq_`. Returns x. */
    eq_(other: Tensor | number): this;
    /** In place ne: x ← x.ne(other) as 1/0 in x's dtype, as `torch.Tensor.ne_`. Returns x. */
    ne_(other: Tensor | number): this;
    /** In place lt: x ← x.lt(other) as 1/0 in x's dtype, as `torch.Tensor.lt_`. Returns x. */
    lt_(other: Tensor | number): this;
    /** In place le: x ← x.le(other) as 1/0 in x's dtype, as `torch.Tensor.le_`. Returns x. */
    le_(other: Tensor | number): this;
    /** In place gt: x ← x.gt(other) as 1/0 in x's dtype, as `torch.Tensor.gt_`. Returns x. */
    gt_(other: Tensor | number): this;
    /** In place ge: x ← x.ge(other) as 1/0 in x's dtype, as `torch.Tensor.ge_`. Returns x. */
    ge_(other: Tensor | number): this;
    /** In place greater: x ← x.greater(other) as 1/0 in x's dtype, as `torch.Tensor.greater_`. Returns x. */
    greater_(other: Tensor | number): this;
    /** In place greaterEqual: x ← x.greaterEqual(other) as 1/0 in x's dtype, as `torch.Tensor.greaterEqual_`. Returns x. */
    greaterEqual_(other: Tensor | number): this;
    /** In place less: x ← x.less(other) as 1/0 in x's dtype, as `torch.Tensor.less_`. Returns x. */
    less_(other: Tensor | number): this;
    /** In place lessEqual: x ← x.lessEqual(other) as 1/0 in x's dtype, as `torch.Tensor.lessEqual_`. Returns x. */
    lessEqual_(other: Tensor | number): this;
    /** In place notEqual: x ← x.notEqual(other) as 1/0 in x's dtype, as `torch.Tensor.notEqual_`. Returns x. */
    notEqual_(other: Tensor | number): this;
    /** In place logicalAnd: x ← x.logicalAnd(other) as 1/0 in x's dtype, as `torch.Tensor.logicalAnd_`. Returns x. */
    logicalAnd_(other: Tensor | number): this;
    /** In place logicalOr: x ← x.logicalOr(other) as 1/0 in x's dtype, as `torch.Tensor.logicalOr_`. Returns x. */
    logicalOr_(other: Tensor | number): this;
    /** In place logicalXor: x ← x.logicalXor(other) as 1/0 in x's dtype, as `torch.Tensor.logicalXor_`. Returns x. */
    logicalXor_(other: Tensor | number): this;
    // ---- with options ----
    /** In place divide: x ← x.divide(other, opts), as `torch.Tensor.divide_`. Returns x. */
    divide_(other: Tensor | number, opts?: { roundingMode?: "trunc" | "floor" | null }): this;
    /** In place subtract: x ← x − alpha·other, as `torch.Tensor.subtract_`. Returns x. */
    subtract_(other: Tensor | number, opts?: { alpha?: number }): this;
    /** In place floatPower: x ← x^exponent in float64; x must be float64, as `torch.Tensor.float_power_`. Returns x. */
    floatPower_(exponent: Tensor | number): this;
    /** In place logit: x ← log(x / (1 − x)), x clamped to [eps, 1 − eps] when eps is given. Returns x. */
    logit_(eps?: number | null): this;
    /** In place polygamma: x ← ψ⁽ⁿ⁾(x), as `torch.Tensor.polygamma_(n)`. Returns x. */
    polygamma_(n: number): this;
    /** In place mvlgamma: x ← log Γ_p(x), as `torch.Tensor.mvlgamma_(p)`. Returns x. */
    mvlgamma_(p: number): this;
    /** In place lerp: x ← x + weight·(end − x), as `torch.Tensor.lerp_`. Returns x. */
    lerp_(end: Tensor, weight: number | Tensor | { weight: number | Tensor }): this;
    /** In place nanToNum: NaN, +inf, −inf replaced (defaults 0 and the dtype's largest finite values). Returns x. */
    nanToNum_(nan?: number | null, posinf?: number | null, neginf?: number | null): this;
    /** In place clampMin: x ← max(x, min). Returns x. */
    clampMin_(min: number | Tensor): this;
    /** In place clampMax: x ← min(x, max). Returns x. */
    clampMax_(max: number | Tensor): this;
    /** In place clip (clamp's alias): x ← min(max(x, min), max). Returns x. */
    clip_(min?: number | Tensor | null | E.ClampOptions, max?: number | Tensor | null | E.ClampOptions): this;
    /** In place logicalNot: x ← !x as 1/0 in x's dtype, as `torch.Tensor.logical_not_`. Returns x. */
    logicalNot_(): this;
    /** In place cumsum along dim, as `torch.Tensor.cumsum_`. Returns x. */
    cumsum_(dim: number): this;
    /** In place cumprod along dim, as `torch.Tensor.cumprod_`. Returns x. */
    cumprod_(dim: number): this;
    /** In place tril: zeroes the elements above the diagonal'th diagonal of the last two dims. Returns x. */
    tril_(diagonal?: number | { diagonal?: number }): this;
    /** In place triu: zeroes the elements below the diagonal'th diagonal of the last two dims. Returns x. */
    triu_(diagonal?: number | { diagonal?: number }): this;
    /** In place scatter: x[index[i][j]][j] = src[i][j] (dim 0; `{ reduce: "add" | "multiply" }` combines instead), as `torch.Tensor.scatter_`. Returns x. */
    scatter_(dim: number, index: Tensor, src: Tensor | number, opts?: { reduce?: "add" | "multiply" | null } | null): this;
    /** In place scatterAdd: x[index[i][j]][j] += src[i][j] (dim 0), as `torch.Tensor.scatter_add_`. Returns x. */
    scatterAdd_(dim: number, index: Tensor, src: Tensor): this;
    /**
     * Writes `value` on the main diagonal (all indices equal; every dim the same size when x has
     * more than 2), as `torch.Tensor.fill_diagonal_`. A tall 2-D x with `wrap` restarts the
     * diagonal every n + 1 rows. Returns x.
     */
    fillDiagonal_(fillValue: number, wrap?: boolean): this;
    /**
     * Writes `source` at the flat (row-major) positions `index` of x, adding when `accumulate`,
     * as `torch.Tensor.put_`; negative indices count from the end. Returns x.
     */
    put_(index: Tensor, source: Tensor, accumulate?: boolean): this;
    /** `greater(o)` is `gt(o)` (PyTorch's alias). */
    greater(other: Tensor | number): Tensor;
    /** `greaterEqual(o)` is `ge(o)`. */
    greaterEqual(other: Tensor | number): Tensor;
    /** `less(o)` is `lt(o)`. */
    less(other: Tensor | number): Tensor;
    /** `lessEqual(o)` is `le(o)`. */
    lessEqual(other: Tensor | number): Tensor;
    /** `notEqual(o)` is `ne(o)`. */
    notEqual(other: Tensor | number): Tensor;
    /** The regularized lower incomplete gamma P(x, other) (`torch.igamma`, `special.gammainc`). */
    igamma(other: Tensor | number): Tensor;
    /** The regularized upper incomplete gamma Q(x, other) (`torch.igammac`, `special.gammaincc`). */
    igammac(other: Tensor | number): Tensor;
    /** In place igamma: x ← P(x, other). Returns x. */
    igamma_(other: Tensor | number): this;
    /** In place igammac: x ← Q(x, other). Returns x. */
    igammac_(other: Tensor | number): this;
  }
}

/** Defines `name` on Tensor.prototype as a class method would be (non-enumerable, writable). */
function define(name: string, fn: (this: Tensor, ...args: never[]) => unknown): void {
  Object.defineProperty(Tensor.prototype, name, { value: fn, writable: true, configurable: true, enumerable: false });
}

type Unary = "abs" | "absolute" | "neg" | "negative" | "sign" | "sgn" | "exp" | "exp2" | "expm1" | "log" | "log2" | "log10" | "log1p" | "sqrt" | "rsqrt" | "square" | "reciprocal" | "sin" | "cos" | "tan" | "asin" | "acos" | "atan" | "sinh" | "cosh" | "tanh" | "asinh" | "acosh" | "atanh" | "arcsin" | "arccos" | "arctan" | "arcsinh" | "arccosh" | "arctanh" | "sigmoid" | "erf" | "erfc" | "erfinv" | "lgamma" | "digamma" | "i0" | "sinc" | "deg2rad" | "rad2deg" | "floor" | "ceil" | "round" | "trunc" | "fix" | "frac";
const UNARY: readonly Unary[] = [
  "abs", "absolute", "neg", "negative", "sign", "sgn", "exp", "exp2", "expm1", "log", "log2", "log10", "log1p", "sqrt", "rsqrt", "square", "reciprocal", "sin", "cos", "tan", "asin", "acos", "atan", "sinh", "cosh", "tanh", "asinh", "acosh", "atanh", "arcsin", "arccos", "arctan", "arcsinh", "arccosh", "arctanh", "sigmoid", "erf", "erfc", "erfinv", "lgamma", "digamma", "i0", "sinc", "deg2rad", "rad2deg", "floor", "ceil", "round", "trunc", "fix", "frac",
];
type Binary = "pow" | "fmod" | "remainder" | "floorDivide" | "trueDivide" | "multiply" | "hypot" | "copysign" | "heaviside" | "nextafter" | "ldexp" | "xlogy" | "atan2" | "arctan2";
const BINARY: readonly Binary[] = ["pow", "fmod", "remainder", "floorDivide", "trueDivide", "multiply", "hypot", "copysign", "heaviside", "nextafter", "ldexp", "xlogy", "atan2", "arctan2",];

// x ← f(x): the rule of most of these reads x (sin, log, ...), so f runs on a copy of it
// (readsSelf), which no later write to x can reach
for (const m of UNARY)
  define(`${m}_`, function (this: Tensor) { return IP.inPlace(`${m}_`, this, (t) => t[m](), [], true); });
for (const m of BINARY)
  define(`${m}_`, function (this: Tensor, o: TS) {
    return IP.inPlace(`${m}_`, this, (t) => t[m](o), [o], true);
  });

// comparisons and logical ops: a bool result, written as 1/0 in x's dtype
const COMPARE = {
  eq: E.eq, ne: E.ne, lt: E.lt, le: E.le, gt: E.gt, ge: E.ge,
  greater: E.gt, greaterEqual: E.ge, less: E.lt, lessEqual: E.le, notEqual: E.ne,
  logicalAnd: E.logicalAnd, logicalOr: E.logicalOr, logicalXor: E.logicalXor,
} as const;
for (const [m, f] of Object.entries(COMPARE))
  define(`${m}_`, function (this: Tensor, o: TS) { return IP.inPlace(`${m}_`, this, (t) => f(t, o).to(this.dtype), [o]); });
for (const m of ["greater", "greaterEqual", "less", "lessEqual", "notEqual"] as const)
  define(m, function (this: Tensor, o: TS) { return COMPARE[m](this, o); });
define("logicalNot_", function (this: Tensor) { return IP.inPlace("logicalNot_", this, (t) => E.logicalNot(t).to(this.dtype)); });

define("divide_", function (this: Tensor, o: TS, opts?: { roundingMode?: "trunc" | "floor" | null }) {
  return IP.inPlace("divide_", this, (t) => E.div(t, o, opts ?? {}), [o], true);
});
define("subtract_", function (this: Tensor, o: TS, opts?: { alpha?: number }) {
  return IP.inPlace("subtract_", this, (t) => E.sub(t, o, opts ?? {}), [o]);
});
define("floatPower_", function (this: Tensor, o: TS) {
  // the result is float64 by definition: PyTorch refuses to narrow it into another dtype
  if (this.dtype !== "float64")
    throw new TensileError(`floatPower_: the base given to float_power_ has dtype ${this.dtype} but the operation's result requires dtype float64`);
  return IP.inPlace("floatPower_", this, (t) => MA.floatPower(t, o), [o], true);
});
define("logit_", function (this: Tensor, eps?: number | null) { return IP.inPlace("logit_", this, (t) => MA.logit(t, eps), [], true); });
define("polygamma_", function (this: Tensor, n: number) { return IP.inPlace("polygamma_", this, (t) => MA.polygamma(n, t), [], true); });
define("mvlgamma_", function (this: Tensor, p: number) { return IP.inPlace("mvlgamma_", this, (t) => SP.mvlgamma(t, p), [], true); });
define("lerp_", function (this: Tensor, end: Tensor, weightArg: number | Tensor | { weight: number | Tensor }) {
  assertTensor("lerp_", end, "end");
  const [weight] = kwArgs("lerp_", [weightArg], ["weight"]) as [number | Tensor];
  // as torch 1.13: end (and a tensor weight) of x's own dtype, no promotion
  for (const [name, t] of [["end", end], ["weight", weight]] as const)
    if (t instanceof Tensor && t.dtype !== this.dtype) throw new TensileError(`lerp_: expected dtype ${this.dtype} for \`${name}\` but got dtype ${t.dtype}`);
  return IP.inPlace("lerp_", this, (t) => MA.lerp(t, end, weight), [end, weight], true);
});
define("nanToNum_", function (this: Tensor, nan?: number | null, posinf?: number | null, neginf?: number | null) {
  return IP.inPlace("nanToNum_", this, (t) => MA.nanToNum(t, nan, posinf, neginf), [], true);
});
const bounds = (...b: unknown[]): Tensor[] => b.filter((v): v is Tensor => v instanceof Tensor);
define("clampMin_", function (this: Tensor, min: number | Tensor) { return IP.inPlace("clampMin_", this, (t) => MA.clampMin(t, min), bounds(min), true); });
define("clampMax_", function (this: Tensor, max: number | Tensor) { return IP.inPlace("clampMax_", this, (t) => MA.clampMax(t, max), bounds(max), true); });
define("clip_", function (this: Tensor, minArg?: number | Tensor | null | E.ClampOptions, maxArg?: number | Tensor | null | E.ClampOptions) {
  const [min, max] = kwArgs("clip_", [minArg, maxArg], ["min", "max"]) as [number | Tensor | null | undefined, number | Tensor | null | undefined];
  return IP.inPlace("clip_", this, (t) => E.clamp(t, min, max), bounds(min, max), true);
});
define("cumsum_", function (this: Tensor, dim: number) { return IP.inPlace("cumsum_", this, (t) => t.cumsum(dim)); });
define("cumprod_", function (this: Tensor, dim: number) { return IP.inPlace("cumprod_", this, (t) => t.cumprod(dim), [], true); });
define("tril_", function (this: Tensor, d?: number | { diagonal?: number }) { return IP.inPlace("tril_", this, (t) => t.tril(d)); });
define("triu_", function (this: Tensor, d?: number | { diagonal?: number }) { return IP.inPlace("triu_", this, (t) => t.triu(d)); });
// index writes: the source has its own shape (othersBroadcast false)
define("scatter_", function (this: Tensor, dim: number, index: Tensor, src: TS, opts?: { reduce?: "add" | "multiply" | null } | null) {
  // reduce "multiply" is scatterReduce's prod, whose backward reads x: it runs on a copy
  return IP.inPlace("scatter_", this, (t) => t.scatter(dim, index, src, opts), [src], opts?.reduce === "multiply", false);
});
define("scatterAdd_", function (this: Tensor, dim: number, index: Tensor, src: Tensor) {
  return IP.inPlace("scatterAdd_", this, (t) => t.scatterAdd(dim, index, src), [src], false, false);
});
define("fillDiagonal_", function (this: Tensor, v: number, wrap = false) {
  return IP.inPlace("fillDiagonal_", this, (t) => fillDiagonal(t, v, wrap));
});
define("put_", function (this: Tensor, index: Tensor, source: Tensor, accumulate = false) {
  return IP.inPlace("put_", this, (t) => put(t, index, source, accumulate), [source], false, false);
});
define("igamma", function (this: Tensor, o: TS) { return igamma(this, o); });
define("igammac", function (this: Tensor, o: TS) { return igammac(this, o); });
define("igamma_", function (this: Tensor, o: TS) { return IP.inPlace("igamma_", this, (t) => igamma(t, o), [o], true); });
define("igammac_", function (this: Tensor, o: TS) { return IP.inPlace("igammac_", this, (t) => igammac(t, o), [o], true); });

/** `torch.zero_(x)`: x.zero_(). */
export function zero_<S extends Tensor>(x: S): S {
  assertTensor("zero_", x);
  return x.zero_();
}
/** `torch.index_put_(x, indices, values, accumulate)`: x.indexPut_(...). */
export function indexPut_<S extends Tensor>(x: S, indices: readonly Tensor[], values: TS, accumulate?: boolean): S {
  assertTensor("indexPut_", x);
  return x.indexPut_(indices, values, accumulate);
}
