/**
 * `nn.init`: in-place initialisations, as `torch.nn.init`. Each fills `tensor` without recording
 * autograd history and returns it. PyTorch's trailing-underscore names are kept in camelCase
 * (`kaiming_uniform_` → `kaimingUniform_`). Arguments are positional in PyTorch's order, or one
 * options object from the first optional argument on:
 * `kaimingUniform_(w, Math.sqrt(5))` ≡ `kaimingUniform_(w, { a: Math.sqrt(5) })`.
 */
import { Tensor, defaultGenerator, eye, noGrad, randn, tensor as makeTensor } from "../core.js";
import type { Generator } from "../core.js";
import { TensileError, fmtShape } from "../errors.js";
import { randomFillsSkipped } from "../ops/inplace.js";

export interface InitOptions {
  generator?: Generator;
}

export type Nonlinearity =
  | "linear" | "identity" | "sigmoid" | "tanh" | "relu" | "selu" | "leaky_relu" | "leakyRelu"
  | "conv1d" | "conv2d" | "conv3d" | "conv_transpose1d" | "conv_transpose2d" | "conv_transpose3d"
  | "convTranspose1d" | "convTranspose2d" | "convTranspose3d";

export type FanMode = "fan_in" | "fan_out" | "fanIn" | "fanOut";

/**
 * The recommended gain for a nonlinearity, as `torch.nn.init.calculate_gain`:
 * linear/conv/sigmoid 1, tanh 5/3, relu √2, leaky_relu √(2 / (1 + slope²)) (slope `param`, 0.01 by
 * default), selu 3/4.
 */
export function calculateGain(nonlinearity: Nonlinearity, param?: number | null): number {
  switch (nonlinearity) {
    case "linear": case "identity": case "sigmoid":
    case "conv1d": case "conv2d": case "conv3d":
    case "conv_transpose1d": case "conv_transpose2d": case "conv_transpose3d":
    case "convTranspose1d": case "convTranspose2d": case "convTranspose3d":
      return 1;
    case "tanh": return 5 / 3;
    case "relu": return Math.SQRT2;
    case "selu": return 3 / 4;
    case "leaky_relu": case "leakyRelu": {
      const slope = param ?? 0.01;
      if (typeof slope !== "number" || Number.isNaN(slope)) throw new TensileError(`calculateGain: negative_slope ${slope} not a valid number`);
      return Math.sqrt(2 / (1 + slope * slope));
    }
    default:
      throw new TensileError(`calculateGain: unsupported nonlinearity ${JSON.stringify(nonlinearity)}`);
  }
}

/** `[fanIn, fanOut]` of a weight: `size(1)·receptive` and `size(0)·receptive` (receptive = ∏ size(2:)). */
export function calculateFanInAndFanOut(t: Tensor): [number, number] {
  tensorArg("calculateFanInAndFanOut", t);
  if (t.ndim < 2)
    throw new TensileError(`init: fan in and fan out can not be computed for tensor with fewer than 2 dimensions (shape ${fmtShape(t.shape)})`);
  const receptive = t.shape.slice(2).reduce((a, b) => a * b, 1);
  return [t.shape[1]! * receptive, t.shape[0]! * receptive];
}

function fanOf(op: string, t: Tensor, mode: FanMode): number {
  const [fanIn, fanOut] = calculateFanInAndFanOut(t);
  if (mode === "fan_in" || mode === "fanIn") return fanIn;
  if (mode === "fan_out" || mode === "fanOut") return fanOut;
  throw new TensileError(`${op}: mode ${JSON.stringify(mode)} not supported, please use one of fan_in, fan_out`);
}

/**
 * The tensor to fill, checked: a PyTorch user's `nn.init.normal_(m.weight.data, 0, 0.02)` passes
 * Tensile's `data` (an async read of the values), not PyTorch's `.data` tensor.
 */
function tensorArg(op: string, t: unknown): Tensor {
  if (t instanceof Tensor) return t;
  const hint = typeof t === "function" && t.name === "data"
    ? " (Tensile's x.data is an async read of the values, not PyTorch's .data: pass the parameter itself, nn.init records no autograd history)"
    : "";
  throw new TensileError(`${op}: expected a Tensor to fill, got ${t === null ? "null" : typeof t === "function" ? "a function" : typeof t}${hint}`);
}

/** A number argument (never NaN: the tensor would be filled with NaN without a word); returns it. */
function num(op: string, name: string, v: unknown): number {
  if (typeof v !== "number" || Number.isNaN(v)) throw new TensileError(`${op}: ${name} must be a number, got ${typeof v === "string" ? JSON.stringify(v) : String(v)}`);
  return v;
}

function isEmpty(t: Tensor): boolean {
  return t.numel() === 0;
}

/** Writes JS numbers (row-major) into `t` in place. */
function writeValues(t: Tensor, values: Float64Array): void {
  const data = t.dtype === "float64" ? values : Float32Array.from(values);
  noGrad(() => t.copy_(makeTensor(data, { shape: [...t.shape], dtype: t.dtype })));
}

/** Fills with U(a, b). */
export function uniform_(t: Tensor, a: number | (InitOptions & { a?: number; b?: number }) = 0, b = 1, opts: InitOptions = {}): Tensor {
  opts ??= {};
  if (typeof a === "object") ({ a = 0, b = 1, ...opts } = a ?? {});
  tensorArg("uniform_", t);
  const lo = num("uniform_", "a", a), hi = num("uniform_", "b", b);
  if (lo > hi) throw new TensileError(`uniform_: expects to return a [from, to) range, but found from=${lo} > to=${hi}`);
  // PyTorch: "from is out of bounds for float"; the draws would be NaN
  if (!isEmpty(t) && (!Number.isFinite(lo) || !Number.isFinite(hi))) throw new TensileError(`uniform_: the bounds must be finite, got from=${lo}, to=${hi}`);
  return noGrad(() => t.uniform_(lo, hi, { generator: opts.generator }));
}

/** Fills with N(mean, std²). */
export function normal_(t: Tensor, mean: number | (InitOptions & { mean?: number; std?: number }) = 0, std = 1, opts: InitOptions = {}): Tensor {
  opts ??= {};
  if (typeof mean === "object") ({ mean = 0, std = 1, ...opts } = mean ?? {});
  tensorArg("normal_", t);
  const m = num("normal_", "mean", mean), s = num("normal_", "std", std);
  if (s < 0) throw new TensileError(`normal_: normal expects std >= 0.0, but found std ${s}`);
  return noGrad(() => t.normal_(m, s, { generator: opts.generator }));
}

/** Fills with `val`. */
export function constant_(t: Tensor, val: number): Tensor {
  tensorArg("constant_", t);
  // NaN is allowed here: filling with NaN on purpose is what constant_(t, NaN) says
  if (typeof val !== "number") throw new TensileError(`constant_: val must be a number, got ${typeof val === "string" ? JSON.stringify(val) : String(val)}`);
  return noGrad(() => t.fill_(val));
}

export function zeros_(t: Tensor): Tensor {
  return constant_(t, 0);
}

export function ones_(t: Tensor): Tensor {
  return constant_(t, 1);
}

/** Fills a 2-D tensor with the identity matrix (ones on the diagonal, as `torch.eye`). */
export function eye_(t: Tensor): Tensor {
  tensorArg("eye_", t);
  if (t.ndim !== 2) throw new TensileError(`eye_: only tensors with 2 dimensions are supported, got shape ${fmtShape(t.shape)}`);
  return noGrad(() => t.copy_(eye(t.shape[0]!, t.shape[1]!, { dtype: t.dtype })));
}

/** Glorot uniform: U(−b, b) with b = gain·√(6 / (fan_in + fan_out)). */
export function xavierUniform_(t: Tensor, gain: number | (InitOptions & { gain?: number }) = 1, opts: InitOptions = {}): Tensor {
  opts ??= {};
  if (typeof gain === "object") ({ gain = 1, ...opts } = gain ?? {});
  num("xavierUniform_", "gain", gain);
  const [fanIn, fanOut] = calculateFanInAndFanOut(tensorArg("xavierUniform_", t));
  const bound = gain * Math.sqrt(6 / (fanIn + fanOut));
  return uniform_(t, -bound, bound, opts);
}

/** Glorot normal: N(0, std²) with std = gain·√(2 / (fan_in + fan_out)). */
export function xavierNormal_(t: Tensor, gain: number | (InitOptions & { gain?: number }) = 1, opts: InitOptions = {}): Tensor {
  opts ??= {};
  if (typeof gain === "object") ({ gain = 1, ...opts } = gain ?? {});
  num("xavierNormal_", "gain", gain);
  const [fanIn, fanOut] = calculateFanInAndFanOut(tensorArg("xavierNormal_", t));
  return normal_(t, 0, gain * Math.sqrt(2 / (fanIn + fanOut)), opts);
}

export interface KaimingOptions extends InitOptions {
  a?: number;
  mode?: FanMode;
  nonlinearity?: Nonlinearity;
}

function kaimingStd(op: string, t: Tensor, a: number, mode: FanMode, nonlinearity: Nonlinearity): number {
  const fan = fanOf(op, t, mode);
  return calculateGain(nonlinearity, a) / Math.sqrt(fan);
}

/**
 * He uniform: U(−b, b) with b = gain·√(3 / fan), gain = `calculateGain(nonlinearity, a)`, fan by
 * `mode` (`"fan_in"` keeps forward variance, `"fan_out"` backward). `nn.Linear` uses a = √5,
 * giving b = 1/√fan_in.
 */
export function kaimingUniform_(
  t: Tensor,
  a: number | KaimingOptions = 0,
  mode: FanMode = "fan_in",
  nonlinearity: Nonlinearity = "leaky_relu",
  opts: InitOptions = {},
): Tensor {
  opts ??= {};
  if (typeof a === "object") ({ a = 0, mode = "fan_in", nonlinearity = "leaky_relu", ...opts } = a ?? {});
  if (isEmpty(tensorArg("kaimingUniform_", t))) return t;
  const bound = Math.sqrt(3) * kaimingStd("kaimingUniform_", t, a, mode, nonlinearity);
  return uniform_(t, -bound, bound, opts);
}

/** He normal: N(0, std²) with std = gain / √fan (see `kaimingUniform_`). */
export function kaimingNormal_(
  t: Tensor,
  a: number | KaimingOptions = 0,
  mode: FanMode = "fan_in",
  nonlinearity: Nonlinearity = "leaky_relu",
  opts: InitOptions = {},
): Tensor {
  opts ??= {};
  if (typeof a === "object") ({ a = 0, mode = "fan_in", nonlinearity = "leaky_relu", ...opts } = a ?? {});
  if (isEmpty(tensorArg("kaimingNormal_", t))) return t;
  return normal_(t, 0, kaimingStd("kaimingNormal_", t, a, mode, nonlinearity), opts);
}

// Abramowitz–Stegun style erfc (Numerical Recipes' Chebyshev fit, relative error < 1.2e-7).
function erfc(x: number): number {
  const z = Math.abs(x);
  const t = 1 / (1 + 0.5 * z);
  const r =
    t *
    Math.exp(
      -z * z - 1.26551223 +
        t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 +
          t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))),
    );
  return x >= 0 ? r : 2 - r;
}

const normCdf = (x: number): number => 0.5 * erfc(-x / Math.SQRT2);

// Acklam's inverse of the standard normal CDF (relative error < 1.2e-9).
const A = [-3.969683028665376e1, 2.209460984245205e2, -2.759285104469687e2, 1.38357751867269e2, -3.066479806614716e1, 2.506628277459239];
const B = [-5.447609879822406e1, 1.615858368580409e2, -1.556989798598866e2, 6.680131188771972e1, -1.328068155711572e1];
const C = [-7.784894002430293e-3, -3.223964580411365e-1, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783];
const D = [7.784695709041462e-3, 3.224671290700398e-1, 2.445134137142996, 3.754408661907416];

function normIcdfTail(q: number): number {
  return (((((C[0]! * q + C[1]!) * q + C[2]!) * q + C[3]!) * q + C[4]!) * q + C[5]!) / ((((D[0]! * q + D[1]!) * q + D[2]!) * q + D[3]!) * q + 1);
}

// (no closure inside: one created per element made truncNormal_ ~10× slower under tsx's keepNames)
function normIcdf(p: number): number {
  if (p <= 0) return -Infinity;
  if (p >= 1) return Infinity;
  const tail = normIcdfTail;
  if (p < 0.02425) return tail(Math.sqrt(-2 * Math.log(p)));
  if (p > 1 - 0.02425) return -tail(Math.sqrt(-2 * Math.log(1 - p)));
  const q = p - 0.5;
  const r = q * q;
  return (
    ((((((A[0]! * r + A[1]!) * r + A[2]!) * r + A[3]!) * r + A[4]!) * r + A[5]!) * q) /
    (((((B[0]! * r + B[1]!) * r + B[2]!) * r + B[3]!) * r + B[4]!) * r + 1)
  );
}

/**
 * Truncated normal: N(mean, std²) restricted to [a, b], drawn as PyTorch does by the inverse CDF
 * of a uniform sample in [Φ((a−mean)/std), Φ((b−mean)/std)].
 */
export function truncNormal_(
  t: Tensor,
  mean: number | (InitOptions & { mean?: number; std?: number; a?: number; b?: number }) = 0,
  std = 1,
  a = -2,
  b = 2,
  opts: InitOptions = {},
): Tensor {
  opts ??= {};
  if (typeof mean === "object") ({ mean = 0, std = 1, a = -2, b = 2, ...opts } = mean ?? {});
  tensorArg("truncNormal_", t);
  for (const [k, v] of [["mean", mean], ["std", std], ["a", a], ["b", b]] as const) num("truncNormal_", k, v);
  if (!(std > 0)) throw new TensileError(`truncNormal_: std must be positive, got ${std}`);
  if (!(a < b)) throw new TensileError(`truncNormal_: expected a < b, got a=${a}, b=${b}`);
  if (isEmpty(t) || randomFillsSkipped()) return t;
  const lo = normCdf((a - mean) / std);
  const hi = normCdf((b - mean) / std);
  uniform_(t, lo, hi, opts);
  const u = t.dataSync();
  const out = new Float64Array(u.length);
  for (let i = 0; i < u.length; i++) out[i] = Math.min(b, Math.max(a, mean + std * normIcdf(u[i]!)));
  writeValues(t, out);
  return t;
}

/**
 * (Semi-)orthogonal matrix: the Q of a QR decomposition of a N(0, 1) matrix (sign-fixed so R has a
 * positive diagonal), times `gain`. Tensors of more than 2 dims are treated as
 * [size(0), numel / size(0)].
 */
export function orthogonal_(t: Tensor, gain: number | (InitOptions & { gain?: number }) = 1, opts: InitOptions = {}): Tensor {
  opts ??= {};
  if (typeof gain === "object") ({ gain = 1, ...opts } = gain ?? {});
  num("orthogonal_", "gain", gain);
  tensorArg("orthogonal_", t);
  if (t.ndim < 2) throw new TensileError(`orthogonal_: only tensors with 2 or more dimensions are supported, got shape ${fmtShape(t.shape)}`);
  if (isEmpty(t) || randomFillsSkipped()) return t;
  const rows = t.shape[0]!;
  const cols = t.numel() / rows;
  const g = randn([rows, cols], { dtype: "float64", generator: opts.generator }).dataSync();
  // Work on the tall orientation m ≥ n: columns of A are the vectors to orthonormalise.
  const tall = rows >= cols;
  const m = tall ? rows : cols;
  const n = tall ? cols : rows;
  const q = new Float64Array(m * n); // column-major: column j at q[j*m .. j*m+m)
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) q[tall ? j * m + i : i * m + j] = g[i * cols + j]!;
  // Modified Gram–Schmidt, twice ("twice is enough") for orthogonality to working precision.
  for (let j = 0; j < n; j++) {
    for (let pass = 0; pass < 2; pass++) {
      for (let k = 0; k < j; k++) {
        let dot = 0;
        for (let i = 0; i < m; i++) dot += q[k * m + i]! * q[j * m + i]!;
        for (let i = 0; i < m; i++) q[j * m + i] -= dot * q[k * m + i]!;
      }
    }
    let norm = 0;
    for (let i = 0; i < m; i++) norm += q[j * m + i]! ** 2;
    norm = Math.sqrt(norm);
    for (let i = 0; i < m; i++) q[j * m + i] /= norm;
  }
  const out = new Float64Array(rows * cols);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) out[i * cols + j] = gain * q[tall ? j * m + i : i * m + j]!;
  writeValues(t, out);
  return t;
}

/**
 * The identity of a convolution: for each group g and d < min(out/groups, in), a 1 at
 * [g·out/groups + d, d, centre...] (centre = size // 2 on each spatial dim), 0 elsewhere, so a conv
 * with this weight (and `groups` groups) passes its first channels through unchanged.
 * Shapes: [out, in, ...spatial] with 1 to 3 spatial dims; `out` divisible by `groups`.
 */
export function dirac_(t: Tensor, groups: number | { groups?: number } = 1): Tensor {
  if (typeof groups === "object") ({ groups = 1 } = groups ?? {});
  tensorArg("dirac_", t);
  if (t.ndim < 3 || t.ndim > 5)
    throw new TensileError(`dirac_: only tensors with 3, 4, or 5 dimensions are supported, got shape ${fmtShape(t.shape)}`);
  if (!Number.isInteger(groups) || groups < 1) throw new TensileError(`dirac_: groups must be a positive integer, got ${groups}`);
  const [out, inCh] = [t.shape[0]!, t.shape[1]!];
  if (out % groups !== 0) throw new TensileError(`dirac_: dim 0 must be divisible by groups, got ${out} and groups ${groups} (shape ${fmtShape(t.shape)})`);
  const perGroup = out / groups;
  const spatial = t.shape.slice(2);
  const inner = spatial.reduce((a, b) => a * b, 1);
  // row-major offset of the centre within one [spatial] block
  const centre = spatial.reduce((off, s) => off * s + Math.floor(s / 2), 0);
  const values = new Float64Array(t.numel());
  for (let g = 0; g < groups; g++)
    for (let d = 0; d < Math.min(perGroup, inCh); d++) values[((g * perGroup + d) * inCh + d) * inner + centre] = 1;
  writeValues(t, values);
  return t;
}

/**
 * A sparse N(0, std²) matrix, as Martens (2010): each column gets ⌈sparsity·rows⌉ zeros at rows
 * drawn without replacement, its other entries N(0, std²) (default std 0.01). 2-D tensors only.
 */
export function sparse_(
  t: Tensor, sparsity: number, std: number | (InitOptions & { std?: number }) = 0.01, opts: InitOptions = {},
): Tensor {
  opts ??= {};
  if (typeof std === "object") ({ std = 0.01, ...opts } = std ?? {});
  tensorArg("sparse_", t);
  if (t.ndim !== 2) throw new TensileError(`sparse_: only tensors with 2 dimensions are supported, got shape ${fmtShape(t.shape)}`);
  if (typeof sparsity !== "number" || !(sparsity >= 0 && sparsity <= 1))
    throw new TensileError(`sparse_: sparsity must be a number in [0, 1], got ${sparsity}`);
  if (num("sparse_", "std", std) < 0) throw new TensileError(`sparse_: std must be non-negative, got ${std}`);
  const [rows, cols] = [t.shape[0]!, t.shape[1]!];
  if (randomFillsSkipped()) return t;
  const numZeros = Math.ceil(sparsity * rows);
  const g = opts.generator ?? defaultGenerator;
  normal_(t, 0, std, { generator: g });
  const values = Float64Array.from(t.dataSync(), Number);
  const perm = new Int32Array(rows);
  for (let c = 0; c < cols; c++) {
    // the first numZeros entries of a Fisher–Yates shuffle of the rows
    for (let i = 0; i < rows; i++) perm[i] = i;
    for (let i = 0; i < numZeros; i++) {
      const j = i + Math.floor(g.random() * (rows - i));
      const r = perm[j]!;
      perm[j] = perm[i]!;
      perm[i] = r;
      values[r * cols + c] = 0;
    }
  }
  writeValues(t, values);
  return t;
}
