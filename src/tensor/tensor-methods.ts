/**
 * Three families of Tensor methods kept out of tensor.ts so that file stays the size of its core:
 * the elementwise maths and integer/bit ops (ops/math.ts, ops/special.ts), the linear algebra
 * beyond matmul (ops/linalg.ts, ops/linalg-dense.ts), and the core in-place ops (`add_`, `mul_`,
 * `copy_`, `fill_`, the index writes, ...; the rest of the `*_` family is tensor/inplace-methods.ts).
 *
 * Each family is one object of plain methods (`this` is the tensor). Its type is merged into the
 * `Tensor` interface (declaration merging), and tensor.ts installs the objects on
 * `Tensor.prototype` when the class is defined — not later from core.ts, because the optimizers,
 * `nn.init` and the autograd engine call `add_`/`copy_`/`fill_` from modules that need not import
 * core.ts. The methods are non-enumerable, as class methods are.
 */
import { TensileError, fmtShape, fmtValue } from "../errors.js";
import { Tensor } from "./tensor.js";
import type { Generator } from "./random.js";
import * as E from "../ops/elementwise.js";
import * as MA from "../ops/math.js";
import * as A from "../ops/activation.js";
import * as L from "../ops/linalg.js";
import * as LD from "../ops/linalg-dense.js";
import * as LDC from "../ops/linalg-decomp.js";
import * as IP from "../ops/inplace.js";
import { kwArgs } from "../utils/positional.js";
import * as W from "../ops/index-write.js";
import * as ST from "../ops/stats.js";
import * as SP from "../ops/special.js";
import { assertTensor } from "../ops/util.js";

type T = Tensor;
type TS = Tensor | number;

/** Elementwise maths, integer and bit ops: `x.tan()`, `x.logaddexp(y)`, `x.gcd(y)`, ... */
export const mathMethods = {
  // ---- elementwise maths (ops/math.ts) ----
  tan(this: T): T { return MA.tan(this); },
  asin(this: T): T { return MA.asin(this); },
  acos(this: T): T { return MA.acos(this); },
  atan(this: T): T { return MA.atan(this); },
  atan2(this: T, other: TS): T { return MA.atan2(this, other); },
  sinh(this: T): T { return MA.sinh(this); },
  cosh(this: T): T { return MA.cosh(this); },
  asinh(this: T): T { return MA.asinh(this); },
  acosh(this: T): T { return MA.acosh(this); },
  atanh(this: T): T { return MA.atanh(this); },
  arcsin(this: T): T { return MA.asin(this); },
  arccos(this: T): T { return MA.acos(this); },
  arctan(this: T): T { return MA.atan(this); },
  arctan2(this: T, other: TS): T { return MA.atan2(this, other); },
  arcsinh(this: T): T { return MA.asinh(this); },
  arccosh(this: T): T { return MA.acosh(this); },
  arctanh(this: T): T { return MA.atanh(this); },
  sinc(this: T): T { return MA.sinc(this); },
  deg2rad(this: T): T { return MA.deg2rad(this); },
  rad2deg(this: T): T { return MA.rad2deg(this); },
  log2(this: T): T { return MA.log2(this); },
  log10(this: T): T { return MA.log10(this); },
  exp2(this: T): T { return MA.exp2(this); },
  square(this: T): T { return MA.square(this); },
  logaddexp(this: T, other: TS): T { return MA.logaddexp(this, other); },
  logaddexp2(this: T, other: TS): T { return MA.logaddexp2(this, other); },
  xlogy(this: T, other: TS): T { return MA.xlogy(this, other); },
  logit(this: T, eps?: number | null): T { return MA.logit(this, eps); },
  erfc(this: T): T { return MA.erfc(this); },
  erfinv(this: T): T { return MA.erfinv(this); },
  lgamma(this: T): T { return MA.lgamma(this); },
  digamma(this: T): T { return MA.digamma(this); },
  polygamma(this: T, n: number): T { return MA.polygamma(n, this); },
  trunc(this: T): T { return MA.trunc(this); },
  fix(this: T): T { return MA.trunc(this); },
  frac(this: T): T { return MA.frac(this); },
  fmod(this: T, other: TS): T { return MA.fmod(this, other); },
  clampMin(this: T, min: number | T): T { return MA.clampMin(this, min); },
  clampMax(this: T, max: number | T): T { return MA.clampMax(this, max); },
  clip(this: T, min?: number | T | null | E.ClampOptions, max?: number | T | null | E.ClampOptions): T { return E.clamp(this, min, max); },
  nanToNum(this: T, nan?: number | null, posinf?: number | null, neginf?: number | null): T { return MA.nanToNum(this, nan, posinf, neginf); },
  isinf(this: T): T { return MA.isinf(this); },
  isposinf(this: T): T { return MA.isposinf(this); },
  isneginf(this: T): T { return MA.isneginf(this); },
  signbit(this: T): T { return MA.signbit(this); },
  sgn(this: T): T { return MA.sgn(this); },
  heaviside(this: T, values: TS): T { return MA.heaviside(this, values); },
  fmax(this: T, other: TS): T { return MA.fmax(this, other); },
  fmin(this: T, other: TS): T { return MA.fmin(this, other); },
  lerp(this: T, end: T, weight: number | T | { weight: number | T }): T { return MA.lerp(this, end, weight); },
  hypot(this: T, other: TS): T { return MA.hypot(this, other); },
  floatPower(this: T, exponent: TS): T { return MA.floatPower(this, exponent); },
  multiply(this: T, other: TS): T { return E.mul(this, other); },
  divide(this: T, other: TS, opts?: { roundingMode?: "trunc" | "floor" | null }): T { return E.div(this, other, opts); },
  trueDivide(this: T, other: TS): T { return E.div(this, other); },
  subtract(this: T, other: TS, opts?: { alpha?: number }): T { return E.sub(this, other, opts); },
  negative(this: T): T { return E.neg(this); },
  absolute(this: T): T { return E.abs(this); },
  // integer and bit ops, copysign ... mvlgamma (ops/special.ts)
  gcd(this: T, other: TS): T { return SP.gcd(this, other); },
  lcm(this: T, other: TS): T { return SP.lcm(this, other); },
  bitwiseAnd(this: T, other: TS): T { return SP.bitwiseAnd(this, other); },
  bitwiseOr(this: T, other: TS): T { return SP.bitwiseOr(this, other); },
  bitwiseXor(this: T, other: TS): T { return SP.bitwiseXor(this, other); },
  bitwiseNot(this: T): T { return SP.bitwiseNot(this); },
  bitwiseLeftShift(this: T, other: TS): T { return SP.bitwiseLeftShift(this, other); },
  bitwiseRightShift(this: T, other: TS): T { return SP.bitwiseRightShift(this, other); },
  copysign(this: T, other: TS): T { return SP.copysign(this, other); },
  nextafter(this: T, other: TS): T { return SP.nextafter(this, other); },
  frexp(this: T): SP.Frexp { return SP.frexp(this); },
  ldexp(this: T, other: TS): T { return SP.ldexp(this, other); },
  positive(this: T): T { return SP.positive(this); },
  i0(this: T): T { return SP.i0(this); },
  mvlgamma(this: T, p: number): T { return SP.mvlgamma(this, p); },
};

/** Linear algebra beyond matmul: `x.mv(v)`, `x.addmm(a, b)`, `x.det()`, `x.inverse()`, ... */
export const linalgMethods = {
  // ---- more linear algebra (ops/linalg.ts, ops/linalg-dense.ts) ----
  mv(this: T, vec: T): T { return L.mv(this, vec); },
  addmm(this: T, mat1: T, mat2: T, opts?: { beta?: number; alpha?: number } | null): T { return L.addmm(this, mat1, mat2, opts); },
  addmv(this: T, mat: T, vec: T, opts?: { beta?: number; alpha?: number } | null): T { return L.addmv(this, mat, vec, opts); },
  addr(this: T, vec1: T, vec2: T, opts?: { beta?: number; alpha?: number } | null): T { return L.addr(this, vec1, vec2, opts); },
  baddbmm(this: T, batch1: T, batch2: T, opts?: { beta?: number; alpha?: number } | null): T { return L.baddbmm(this, batch1, batch2, opts); },
  addbmm(this: T, batch1: T, batch2: T, opts?: { beta?: number; alpha?: number } | null): T { return L.addbmm(this, batch1, batch2, opts); },
  inner(this: T, o: T): T { return L.inner(this, o); },
  vdot(this: T, o: T): T { return L.vdot(this, o); },
  kron(this: T, o: T): T { return L.kron(this, o); },
  trace(this: T): T { return L.trace(this); },
  diagonal(this: T, offset?: number | L.DiagonalOptions, dim1?: number | L.DiagonalOptions, dim2?: number | L.DiagonalOptions): T { return L.diagonal(this, offset, dim1, dim2); },
  diagEmbed(this: T, offset?: number, dim1?: number, dim2?: number): T { return L.diagEmbed(this, offset, dim1, dim2); },
  cross(this: T, o: T, dim?: number | null): T { return L.cross(this, o, dim); },
  dist(this: T, o: T, p?: number): T { return L.dist(this, o, p); },
  matrixPower(this: T, n: number): T { return LD.matrixPower(this, n); },
  det(this: T): T { return LD.det(this); },
  slogdet(this: T): LD.SignLogAbsDet { return LD.slogdet(this); },
  logdet(this: T): T { return LD.logdet(this); },
  inverse(this: T): T { return LD.inv(this); },
  cholesky(this: T, upper?: boolean): T { return LD.torchCholesky(this, upper); },
  pinverse(this: T, rcond?: number): T { return LDC.pinverse(this, rcond); },
  matrixExp(this: T): T { return LD.matrixExp(this); },
};

/** The core in-place ops; each returns the tensor it wrote (typed as the receiver: a Parameter stays one). */
export const inplaceMethods = {
  // ---- in place (recorded by autograd as PyTorch records them; see ops/inplace.ts) ----
  copy_<S extends T>(this: S, src: TS): S { return IP.copy_(this, src); },
  fill_<S extends T>(this: S, v: number | boolean | T): S {
    if (!(typeof v === "number" || typeof v === "boolean" || (v instanceof Tensor && v.ndim === 0)))
      throw new TensileError(`fill_: value must be a number or a 0-dim tensor, got ${v instanceof Tensor ? `a tensor of shape ${fmtShape(v.shape)}` : fmtValue(v)}`);
    return IP.inPlace("fill_", this, () => (v instanceof Tensor ? v.to(this.dtype).expand(this.shape) : typeof v === "boolean" ? Number(v) : v), v instanceof Tensor ? [v] : []);
  },
  zero_<S extends T>(this: S): S { return IP.inPlace("zero_", this, () => 0); },
  add_<S extends T>(this: S, o: TS, opts?: { alpha?: number }): S { return IP.inPlace("add_", this, (t) => E.add(t, o, opts), [o]); },
  sub_<S extends T>(this: S, o: TS, opts?: { alpha?: number }): S { return IP.inPlace("sub_", this, (t) => E.sub(t, o, opts), [o]); },
  // x·o: o's gradient reads x
  mul_<S extends T>(this: S, o: TS): S { return IP.inPlace("mul_", this, (t) => E.mul(t, o), [o], o instanceof Tensor && o.requiresGrad); },
  div_<S extends T>(this: S, o: TS): S { return IP.inPlace("div_", this, (t) => E.div(t, o), [o]); },
  addcmul_<S extends T>(this: S, t1: T, t2: T, opts?: { value?: number }): S {
    assertTensor("addcmul_", t1, "tensor1");
    assertTensor("addcmul_", t2, "tensor2");
    return IP.inPlace("addcmul_", this, (t) => IP.addcmul(t, t1, t2, opts?.value ?? 1), [t1, t2]);
  },
  addcdiv_<S extends T>(this: S, t1: T, t2: T, opts?: { value?: number }): S {
    assertTensor("addcdiv_", t1, "tensor1");
    assertTensor("addcdiv_", t2, "tensor2");
    return IP.inPlace("addcdiv_", this, (t) => IP.addcdiv(t, t1, t2, opts?.value ?? 1), [t1, t2]);
  },
  // clamp's rule compares its input with the bounds
  clamp_<S extends T>(this: S, minArg?: number | T | null | E.ClampOptions, maxArg?: number | T | null | E.ClampOptions): S {
    const [min, max] = kwArgs("clamp_", [minArg, maxArg], ["min", "max"]) as [number | T | null | undefined, number | T | null | undefined];
    return IP.inPlace("clamp_", this, (t) => E.clamp(t, min, max), [min, max].filter((b): b is T => b instanceof Tensor), true);
  },
  maskedFill_<S extends T>(this: S, mask: T, v: number): S { return IP.inPlace("maskedFill_", this, (t) => E.maskedFill(t, mask, v), [mask]); },
  // index writes: the source has its own shape (othersBroadcast false); no rule reads self
  indexAdd_<S extends T>(this: S, dim: number, index: T, source: T, opts?: W.IndexAddOptions | null): S {
    return IP.inPlace("indexAdd_", this, (t) => W.indexAdd(t, dim, index, source, opts), [source], false, false);
  },
  indexCopy_<S extends T>(this: S, dim: number, index: T, source: T): S { return IP.inPlace("indexCopy_", this, (t) => W.indexCopy(t, dim, index, source), [source], false, false); },
  indexFill_<S extends T>(this: S, dim: number, index: T, value: TS | boolean): S { return IP.inPlace("indexFill_", this, (t) => W.indexFill(t, dim, index, value), [value], false, false); },
  indexPut_<S extends T>(this: S, indices: readonly T[], values: TS, accumulate?: boolean): S {
    return IP.inPlace("indexPut_", this, (t) => W.indexPut(t, indices, values, accumulate), [values], false, false);
  },
  maskedScatter_<S extends T>(this: S, mask: T, source: T): S {
    return IP.inPlace("maskedScatter_", this, (t) => W.maskedScatter(t, mask, source), [source], false, false);
  },
  // the source has its own shape; prod/amax/amin's rules read self (then f runs on a copy)
  scatterReduce_<S extends T>(this: S, dim: number, index: T, src: T, reduce: ST.ScatterReduceOp | ST.ScatterReduceKeywords, opts?: ST.ScatterReduceOptions | null): S {
    [reduce, opts] = ST.scatterReduceArgs(reduce, opts);
    return IP.inPlace("scatterReduce_", this, (t) => ST.scatterReduce(t, dim, index, src, reduce, opts), [src], ST.reduceReadsSelf(reduce), false);
  },
  indexReduce_<S extends T>(this: S, dim: number, index: T, source: T, reduce: ST.IndexReduceOp, opts?: ST.ScatterReduceOptions | null): S {
    return IP.inPlace("indexReduce_", this, (t) => ST.indexReduce(t, dim, index, source, reduce, opts), [source], ST.reduceReadsSelf(reduce), false);
  },
  renorm_<S extends T>(this: S, p: number, dim: number, maxnorm: number): S { return IP.inPlace("renorm_", this, (t) => ST.renorm(t, p, dim, maxnorm), [], true); },
  gcd_<S extends T>(this: S, o: TS): S { return IP.sameDTypeInPlace("gcd_", this, (t) => SP.gcd(t, o), [o]); },
  lcm_<S extends T>(this: S, o: TS): S { return IP.sameDTypeInPlace("lcm_", this, (t) => SP.lcm(t, o), [o]); },
  bitwiseAnd_<S extends T>(this: S, o: TS): S { return IP.sameDTypeInPlace("bitwiseAnd_", this, (t) => SP.bitwiseAnd(t, o), [o]); },
  bitwiseOr_<S extends T>(this: S, o: TS): S { return IP.sameDTypeInPlace("bitwiseOr_", this, (t) => SP.bitwiseOr(t, o), [o]); },
  bitwiseXor_<S extends T>(this: S, o: TS): S { return IP.sameDTypeInPlace("bitwiseXor_", this, (t) => SP.bitwiseXor(t, o), [o]); },
  bitwiseNot_<S extends T>(this: S): S { return IP.sameDTypeInPlace("bitwiseNot_", this, (t) => SP.bitwiseNot(t)); },
  bitwiseLeftShift_<S extends T>(this: S, o: TS): S { return IP.sameDTypeInPlace("bitwiseLeftShift_", this, (t) => SP.bitwiseLeftShift(t, o), [o]); },
  bitwiseRightShift_<S extends T>(this: S, o: TS): S { return IP.sameDTypeInPlace("bitwiseRightShift_", this, (t) => SP.bitwiseRightShift(t, o), [o]); },
  relu_<S extends T>(this: S): S { return IP.inPlace("relu_", this, (t) => A.relu(t)); },
  uniform_<S extends T>(this: S, a = 0, b = 1, opts?: { generator?: Generator }): S { return IP.uniform_(this, a, b, opts?.generator); },
  normal_<S extends T>(this: S, mean = 0, std = 1, opts?: { generator?: Generator }): S { return IP.normal_(this, mean, std, opts?.generator); },
};

type MathMethods = typeof mathMethods;
type LinalgMethods = typeof linalgMethods;
type InplaceMethods = typeof inplaceMethods;
declare module "./tensor.js" {
  // eslint-disable-next-line @typescript-eslint/no-empty-interface
  interface Tensor extends MathMethods, LinalgMethods, InplaceMethods {}
}

/** Defines every method of `families` on `proto` as a class method would be (non-enumerable, writable). */
export function installMethods(proto: object, ...families: object[]): void {
  for (const family of families)
    for (const [name, value] of Object.entries(family))
      Object.defineProperty(proto, name, { value, writable: true, configurable: true, enumerable: false });
}
