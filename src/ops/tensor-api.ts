/**
 * torch-level helpers a PyTorch user reaches for that are not ops of their own family: type
 * queries (`isTensor`, `resultType`, `promoteTypes`, `canCast`), broadcasting (`broadcastShapes`,
 * `broadcastTensors`), `scalarTensor`, `randintLike`, `concat`/`concatenate`, `vander`,
 * `gradient` (torch.gradient's finite differences), `igamma`/`igammac`, and the out-of-place
 * bodies of `fillDiagonal_` and `put_` (tensor/inplace-methods.ts writes them in place).
 */
import { TensileError, fmtShape, fmtValue } from "../errors.js";
import { Tensor } from "../tensor/tensor.js";
import { type DType, checkDType, getDefaultDtype, isFloating, promoteTypes as promote, promoteWithScalar } from "../tensor/dtype.js";
import { broadcastShapes as broadcast2, checkShape, normalizeDim, numelOf } from "../tensor/shape.js";
import { type RandomOptions, full, randint, tensor } from "../tensor/creation.js";
import { withBackend } from "../backends/registry.js";
import * as E from "./elementwise.js";
import * as M from "./movement.js";
import * as W from "./index-write.js";
import * as SP from "./special.js";
import { vander as linalgVander } from "./linalg-lu.js";
import { assertTensor } from "./util.js";

type T = Tensor;
type TS = Tensor | number;

/** Whether `x` is a Tensor (`torch.is_tensor`). */
export const isTensor = (x: unknown): x is Tensor => x instanceof Tensor;

/** Whether x's dtype is float32 or float64 (`torch.is_floating_point`). */
export function isFloatingPoint(x: T): boolean {
  assertTensor("isFloatingPoint", x);
  return isFloating(x.dtype);
}

/** x's one element as a boolean, with PyTorch's errors for zero or several elements (`torch.is_nonzero`). */
export function isNonzero(x: T): boolean {
  assertTensor("isNonzero", x);
  const n = x.numel();
  if (n === 0) throw new TensileError("isNonzero: Boolean value of Tensor with no values is ambiguous");
  if (n > 1) throw new TensileError(`isNonzero: Boolean value of Tensor with more than one value is ambiguous (shape ${fmtShape(x.shape)})`);
  return x.item() !== 0;
}

/** Whether a and b have the same shape (`torch.is_same_size`). */
export function isSameSize(a: T, b: T): boolean {
  assertTensor("isSameSize", a);
  assertTensor("isSameSize", b, "other");
  return a.ndim === b.ndim && a.shape.every((d, i) => d === b.shape[i]);
}

/** The number of elements of x (`torch.numel`). */
export function numel(x: T): number {
  assertTensor("numel", x);
  return x.numel();
}

/**
 * The dtype PyTorch's promotion gives a and b (`torch.promote_types`): bool < int32 < float32 <
 * float64. `promoteTypes("int32", "float32")` is "float32".
 */
export function promoteTypes(a: DType, b: DType): DType {
  return promote(checkDType("promoteTypes", a), checkDType("promoteTypes", b));
}

/**
 * The dtype an elementwise op on a and b gives (`torch.result_type`). Two tensors promote as
 * `promoteTypes`; a number only raises the tensor's kind (an integer number keeps an int32
 * tensor int32, a fractional one makes it float32), as Tensile's ops do. JavaScript has no
 * separate float literal, so `2.0` counts as an integer; and Tensile does not give 0-dim tensors
 * PyTorch's lower priority (its ops promote them as any tensor).
 */
export function resultType(a: TS | boolean, b: TS | boolean): DType {
  const kind = (v: unknown, what: string): void => {
    if (!(v instanceof Tensor) && typeof v !== "number" && typeof v !== "boolean")
      throw new TensileError(`resultType: expected ${what} to be a Tensor, number or boolean, got ${fmtValue(v)}`);
  };
  kind(a, "tensor1");
  kind(b, "tensor2");
  if (a instanceof Tensor && b instanceof Tensor) return promote(a.dtype, b.dtype);
  if (a instanceof Tensor) return promoteWithScalar(a.dtype, b as number | boolean);
  if (b instanceof Tensor) return promoteWithScalar(b.dtype, a as number | boolean);
  const scalarKind = (v: number | boolean): DType => (typeof v === "boolean" ? "bool" : Number.isInteger(v) ? "int32" : getDefaultDtype());
  return promote(scalarKind(a as number | boolean), scalarKind(b as number | boolean));
}

const KIND: Record<DType, number> = { bool: 0, int32: 1, float32: 2, float64: 2 };

/**
 * Whether PyTorch's casting rules allow a result of dtype `from` to be written into `to`
 * (`torch.can_cast`): never to a lower kind (float → int32, int32 → bool); any precision within a
 * kind. `canCast("float64", "float32")` is true, `canCast("float32", "int32")` false.
 */
export function canCast(from: DType, to: DType): boolean {
  return KIND[checkDType("canCast", from)] <= KIND[checkDType("canCast", to)];
}

/** The shape the given shapes broadcast to (`torch.broadcast_shapes`). */
export function broadcastShapes(...shapes: (readonly number[] | number)[]): number[] {
  let out: number[] = [];
  for (const s of shapes) {
    const shape = typeof s === "number" ? [s] : s;
    checkShape("broadcastShapes", shape);
    out = broadcast2("broadcastShapes", out, shape);
  }
  return out;
}

/** The tensors expanded (as views) to their common broadcast shape (`torch.broadcast_tensors`). */
export function broadcastTensors(...tensors: T[]): T[] {
  tensors.forEach((t, i) => assertTensor("broadcastTensors", t, `tensors[${i}]`));
  const shape = broadcastShapes(...tensors.map((t) => t.shape));
  return tensors.map((t) => t.expand(shape));
}

/** A 0-dim tensor holding v, float32 unless `dtype` (`torch.scalar_tensor`). */
export function scalarTensor(v: number | boolean, opts: { dtype?: DType; requiresGrad?: boolean } = {}): T {
  if (typeof v !== "number" && typeof v !== "boolean") throw new TensileError(`scalarTensor: expected a number, got ${fmtValue(v)}`);
  return full([], Number(v), { dtype: opts.dtype ?? getDefaultDtype(), requiresGrad: opts.requiresGrad });
}

/**
 * Random integers in [low, high) (low defaults to 0) with x's shape and dtype (`torch.randint_like`):
 * `randintLike(x, 10)`, `randintLike(x, -5, 5, { generator })`.
 */
export function randintLike(x: T, high: number, opts?: RandomOptions): T;
export function randintLike(x: T, low: number, high: number, opts?: RandomOptions): T;
export function randintLike(x: T, a: number, b?: number | RandomOptions, c?: RandomOptions): T {
  assertTensor("randintLike", x);
  const [low, high, opts] = typeof b === "number" ? [a, b, c ?? {}] : [0, a, b ?? {}];
  if (typeof low !== "number" || typeof high !== "number") throw new TensileError(`randintLike: low and high must be numbers, got ${fmtValue(low)} and ${fmtValue(high)}`);
  return withBackend(x.backend, () => randint(low, high, x.shape, { dtype: x.dtype, ...opts }));
}

/** `cat`'s alias (`torch.concat`). */
export const concat = (tensors: readonly T[], dim = 0): T => M.cat(tensors, dim);
/** `cat`'s alias (`torch.concatenate`, PyTorch 2.x). */
export const concatenate = (tensors: readonly T[], dim = 0): T => M.cat(tensors, dim);

/**
 * The Vandermonde matrix [n, N] of the 1-D x (`torch.vander`): columns x^(N−1), …, x, 1, or
 * 1, x, …, x^(N−1) when `increasing`; N defaults to n. Differentiable.
 * `vander(tensor([1, 2, 3]), { N: 3 })` is [[1, 1, 1], [4, 2, 1], [9, 3, 1]].
 */
export function vander(x: T, opts?: { N?: number | null; increasing?: boolean } | null): T {
  assertTensor("vander", x, "x");
  if (x.ndim !== 1) throw new TensileError(`vander: x must be a one-dimensional tensor, got shape ${fmtShape(x.shape)}`);
  const N = opts?.N ?? x.shape[0]!;
  if (!Number.isInteger(N) || N < 0) throw new TensileError(`vander: N must be non-negative, got ${fmtValue(N)}`);
  if (x.dtype === "bool") throw new TensileError("vander: supports floating point and integer tensors, but got bool");
  const n = x.shape[0]!;
  let v: T;
  if (N === 0) return withBackend(x.backend, () => full([n, 0], 0, { dtype: x.dtype }));
  if (N === 1) v = E.fullLike(x, 1).unsqueeze(1).add(x.unsqueeze(1).mul(0));
  else v = linalgVander(x, { N });
  return opts?.increasing ? v : v.flip(1);
}

export interface GradientOptions {
  /**
   * The sample spacing: one number for every dim, one number per dim of `dim`, or one 1-D tensor
   * of coordinates per dim of `dim` (default 1).
   */
  spacing?: number | readonly number[] | readonly T[];
  /** The dims to differentiate along (default all). */
  dim?: number | readonly number[] | null;
  /** 1 (one-sided first differences at the edges, the default) or 2 (second-order one-sided). */
  edgeOrder?: 1 | 2;
}

/**
 * The gradient of f sampled on a grid, one tensor per dim of `dim` (`torch.gradient`): second-order
 * central differences inside, one-sided differences of order `edgeOrder` at the edges; with
 * coordinates, the non-uniform-grid formulas. Differentiable in f.
 * `gradient(tensor([1, 4, 9, 16]))` is [tensor([3, 4, 6, 7])].
 */
export function gradient(f: T, options?: GradientOptions | null): T[] {
  const op = "gradient";
  assertTensor(op, f);
  const opts = options ?? {};
  if (typeof opts !== "object") throw new TensileError(`${op}: expected an options object, got ${fmtValue(opts)}`);
  const edge = opts.edgeOrder ?? 1;
  if (edge !== 1 && edge !== 2) throw new TensileError(`${op}: torch.gradient only supports edge_order=1 and edge_order=2, got ${fmtValue(edge)}`);
  const dims = opts.dim == null ? [...Array(f.ndim).keys()] : (typeof opts.dim === "number" ? [opts.dim] : [...opts.dim]).map((d) => normalizeDim(op, d, f.ndim));
  const sp = opts.spacing ?? 1;
  const spacings: (number | T)[] = typeof sp === "number" ? dims.map(() => sp) : [...sp];
  if (spacings.length !== dims.length)
    throw new TensileError(`${op}: expected spacing to be unspecified, a scalar, or a list of length ${dims.length} (the number of dims), got a list of length ${spacings.length}`);
  const x = isFloating(f.dtype) ? f : f.to(getDefaultDtype());
  return dims.map((d, k) => {
    const n = f.shape[d]!;
    if (n < edge + 1) throw new TensileError(`${op}: expected each dimension size to be at least edge_order+1 (dim ${d} of shape ${fmtShape(f.shape)} has size ${n})`);
    const s = spacings[k]!;
    if (s instanceof Tensor) {
      if (s.ndim !== 1 || s.shape[0] !== n) throw new TensileError(`${op}: the coordinates for dim ${d} must be a 1-D tensor of ${n} elements, got shape ${fmtShape(s.shape)}`);
      return gradientCoords(x, d, s.to(x.dtype), edge);
    }
    if (typeof s !== "number") throw new TensileError(`${op}: spacing must be numbers or 1-D tensors, got ${fmtValue(s)}`);
    return gradientUniform(x, d, s, edge);
  });
}

const sl = (x: T, d: number, start: number, len: number): T => x.narrow(d, start, len);

function gradientUniform(f: T, d: number, h: number, edge: 1 | 2): T {
  const n = f.shape[d]!;
  const inner = n > 2 ? [sl(f, d, 2, n - 2).sub(sl(f, d, 0, n - 2)).div(2 * h)] : [];
  let first: T, last: T;
  if (edge === 1) {
    first = sl(f, d, 1, 1).sub(sl(f, d, 0, 1)).div(h);
    last = sl(f, d, n - 1, 1).sub(sl(f, d, n - 2, 1)).div(h);
  } else {
    first = sl(f, d, 0, 1).mul(-3).add(sl(f, d, 1, 1).mul(4)).sub(sl(f, d, 2, 1)).div(2 * h);
    last = sl(f, d, n - 1, 1).mul(3).sub(sl(f, d, n - 2, 1).mul(4)).add(sl(f, d, n - 3, 1)).div(2 * h);
  }
  return M.cat([first, ...inner, last], d);
}

/** Non-uniform grid: numpy's (and torch's) three-point formulas with the local spacings. */
function gradientCoords(f: T, d: number, c: T, edge: 1 | 2): T {
  const n = f.shape[d]!;
  const cv = Array.from(c.dataSync(), Number);
  const shaped = (vals: number[]): T => {
    const shape = f.shape.map((_, i) => (i === d ? vals.length : 1));
    return withBackend(f.backend, () => tensor(vals, { dtype: f.dtype, shape }));
  };
  const parts: T[] = [];
  if (edge === 1) parts.push(sl(f, d, 1, 1).sub(sl(f, d, 0, 1)).div(cv[1]! - cv[0]!));
  else {
    const h1 = cv[1]! - cv[0]!, h2 = cv[2]! - cv[1]!;
    const a = -(2 * h1 + h2) / (h1 * (h1 + h2)), b = (h1 + h2) / (h1 * h2), cc = -h1 / (h2 * (h1 + h2));
    parts.push(sl(f, d, 0, 1).mul(a).add(sl(f, d, 1, 1).mul(b)).add(sl(f, d, 2, 1).mul(cc)));
  }
  if (n > 2) {
    const A: number[] = [], B: number[] = [], C: number[] = [];
    for (let i = 1; i < n - 1; i++) {
      const hl = cv[i]! - cv[i - 1]!, hr = cv[i + 1]! - cv[i]!;
      A.push(-hr / (hl * (hl + hr)));
      B.push((hr - hl) / (hl * hr));
      C.push(hl / (hr * (hl + hr)));
    }
    parts.push(sl(f, d, 0, n - 2).mul(shaped(A)).add(sl(f, d, 1, n - 2).mul(shaped(B))).add(sl(f, d, 2, n - 2).mul(shaped(C))));
  }
  if (edge === 1) parts.push(sl(f, d, n - 1, 1).sub(sl(f, d, n - 2, 1)).div(cv[n - 1]! - cv[n - 2]!));
  else {
    const h1 = cv[n - 2]! - cv[n - 3]!, h2 = cv[n - 1]! - cv[n - 2]!;
    const a = h2 / (h1 * (h1 + h2)), b = -(h2 + h1) / (h1 * h2), cc = (2 * h2 + h1) / (h2 * (h1 + h2));
    parts.push(sl(f, d, n - 3, 1).mul(a).add(sl(f, d, n - 2, 1).mul(b)).add(sl(f, d, n - 1, 1).mul(cc)));
  }
  return M.cat(parts, d);
}

/** The regularized lower incomplete gamma P(a, x) (`torch.igamma`, alias of `special.gammainc`). */
export const igamma = (a: TS, x: TS): T => SP.gammainc(a, x);
/** The regularized upper incomplete gamma Q(a, x) (`torch.igammac`, alias of `special.gammaincc`). */
export const igammac = (a: TS, x: TS): T => SP.gammaincc(a, x);

/** x with `value` on its main diagonal (`fillDiagonal_`'s out-of-place body; see its TSDoc). */
export function fillDiagonal(x: T, value: number, wrap = false): T {
  const op = "fillDiagonal_";
  if (x.ndim < 2) throw new TensileError(`${op}: dimensions must larger than 1, got shape ${fmtShape(x.shape)}`);
  if (typeof value !== "number" && typeof value !== "boolean") throw new TensileError(`${op}: fill_value must be a number, got ${fmtValue(value)}`);
  const [h, w] = [x.shape[0]!, x.shape[1]!];
  if (x.ndim > 2 && x.shape.some((s) => s !== h))
    throw new TensileError(`${op}: all dimensions of input must be of equal length, got shape ${fmtShape(x.shape)}`);
  const total = numelOf(x.shape);
  const mask = new Uint8Array(total);
  if (x.ndim === 2) {
    // position i·(w+1) of the flat matrix; wrap keeps going past the first min(h, w) rows
    const end = wrap ? total : Math.min(h, w) * w;
    for (let p = 0; p < end; p += w + 1) mask[p] = 1;
  } else {
    let step = 0;
    for (let k = 0, s = 1; k < x.ndim; k++, s *= h) step += s;
    for (let i = 0; i < h; i++) mask[i * step] = 1;
  }
  const m = withBackend(x.backend, () => tensor(mask, { dtype: "bool", shape: [...x.shape] }));
  return E.maskedFill(x, m, Number(value));
}

/** x with `source` written (or added, `accumulate`) at the flat row-major positions `index` (`put_`'s body). */
export function put(x: T, index: T, source: T, accumulate = false): T {
  const op = "put_";
  assertTensor(op, index, "index");
  assertTensor(op, source, "source");
  if (index.dtype !== "int32") throw new TensileError(`${op}: expected index to be an integer tensor, got ${index.dtype}`);
  if (index.numel() !== source.numel())
    throw new TensileError(`${op}: expected source and index to have the same number of elements, but got source.numel() = ${source.numel()}, index.numel() = ${index.numel()}`);
  return W.indexPut(x.reshape([-1]), [index.reshape([-1])], source.reshape([-1]).to(x.dtype), accumulate).reshape(x.shape);
}
