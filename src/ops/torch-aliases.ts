/**
 * torch 1.13's top-level names that are other spellings of what Tensile's core already has: the
 * in-place functions `torch.abs_(x)`, `torch.exp_(x)`, ... (each is `x.abs_()`, made from one
 * list), and the small helpers a port reaches for: `rsub`, `fill`, `put`, `range`, `asarray`,
 * `frombuffer`, `getDefaultDtype`, `constantPadNd`, the complex-number introspection of a real
 * tensor (`isComplex`, `real`, `conj`, `angle`, ...). The top-level names of `nn.functional` ops
 * (`torch.conv2d`, `torch.dropout`, ...) are in src/nn/torch-level.ts, a layer up.
 *
 * Tensile's dtypes are real (float32, float64, int32, bool), so the complex helpers give the real
 * tensor's answers: `real(x)`, `conj(x)`, `resolveConj(x)` are x itself; `imag(x)` is an error, as
 * in PyTorch.
 * ```ts
 * torch.exp_(y);                 // y.exp_()
 * torch.range(0, 1, 0.25);       // [0, 0.25, 0.5, 0.75, 1] (end included; deprecated in PyTorch)
 * torch.angle(tensor([-2, 3]));  // [π, 0]
 * ```
 */
import { Tensor, noGrad, pad, where, isnan } from "../core.js";
import type { DType, TypedArray } from "../core.js";
import { asTensor, fullLike, tensor, type CreateOptions } from "../tensor/creation.js";
import { record } from "../autograd/engine.js";
import { setDetectAnomaly } from "../autograd/anomaly.js";
import { TensileError, fmtShape, fmtValue } from "../errors.js";
import { checkDType, getDefaultDtype, isFloating } from "../tensor/dtype.js";
import { assertTensor } from "./util.js";
import { put as putOp } from "./tensor-api.js";

/** `torch.constant_pad_nd(input, pad, value)`: `pad(input, pad, "constant", value)`. */
export function constantPadNd(input: Tensor, padding: readonly number[], value = 0): Tensor {
  assertTensor("constantPadNd", input);
  return pad(input, padding, "constant", value);
}

// ---- small tensor helpers ----

/** `torch.rsub(input, other, alpha)`: other − alpha·input (sub with the operands swapped). */
export function rsub(input: Tensor, other: Tensor | number, opts: { alpha?: number } = {}): Tensor {
  assertTensor("rsub", input);
  const alpha = opts?.alpha ?? 1;
  const scaled = alpha === 1 ? input : input.mul(alpha);
  return other instanceof Tensor ? other.sub(scaled) : scaled.neg().add(other);
}

/** `torch.fill(input, value)`: a new tensor of input's shape and dtype, every element `value`. */
export function fill(input: Tensor, value: number | boolean | Tensor): Tensor {
  assertTensor("fill", input);
  if (value instanceof Tensor) {
    if (value.ndim !== 0) throw new TensileError(`fill: fill only supports 0-dimension value tensor but got tensor with ${value.ndim} dimensions (shape ${fmtShape(value.shape)})`);
    return value.to(input.dtype).expand(input.shape).clone();
  }
  return input.clone().detach().fill_(value as number);
}

/** `torch.put(input, index, source, accumulate)`: out-of-place `put_`; see `Tensor.put_`. */
export function put(input: Tensor, index: Tensor, source: Tensor, accumulate = false): Tensor {
  assertTensor("put", input);
  return putOp(input, index, source, accumulate);
}

/**
 * `torch.range(start, end, step = 1)` (deprecated in PyTorch in favour of `arange`): start, start +
 * step, ... up to and including `end`, ⌊(end − start)/step⌋ + 1 values, float32 unless `dtype` says
 * otherwise (PyTorch's default dtype, even for integer bounds). Values are start + i·step computed
 * in float64, then stored.
 * ```ts
 * range(1, 4); // [1, 2, 3, 4] (float32)
 * ```
 */
export function range(start: number, end: number, step: number | CreateOptions = 1, opts: CreateOptions = {}): Tensor {
  if (typeof step === "object") [opts, step] = [step ?? {}, 1];
  for (const [v, what] of [[start, "start"], [end, "end"], [step, "step"]] as const)
    if (typeof v !== "number" || !Number.isFinite(v)) throw new TensileError(`range: unsupported range: ${what} must be a finite number, got ${fmtValue(v)}`);
  if (step === 0) throw new TensileError("range: step must be nonzero");
  if ((step > 0 && end < start) || (step < 0 && end > start))
    throw new TensileError(`range: upper bound and larger bound inconsistent with step sign (start ${start}, end ${end}, step ${step})`);
  const n = Math.floor((end - start) / step) + 1;
  const values = Array.from({ length: n }, (_, i) => start + i * step);
  return tensor(values, { dtype: checkDType("range", opts?.dtype ?? getDefaultDtype()), requiresGrad: opts?.requiresGrad });
}

/**
 * `torch.asarray(obj, { dtype, copy })`: a tensor is returned as it is (converted when `dtype`
 * differs, cloned with `copy: true`); arrays and typed arrays become tensors (a typed array of a
 * storage type is shared where the backend adopts arrays, as `asTensor`, unless `copy`).
 */
export function asarray(obj: Parameters<typeof asTensor>[0], opts: CreateOptions & { copy?: boolean | null } = {}): Tensor {
  const { copy = null, ...create } = opts ?? {};
  if (copy === true) {
    const t = obj instanceof Tensor ? obj.to(create.dtype ?? obj.dtype).clone() : tensor(obj, create);
    return create.requiresGrad ? t.requiresGrad_() : t;
  }
  if (copy === false && obj instanceof Tensor && create.dtype !== undefined && create.dtype !== obj.dtype)
    throw new TensileError(`asarray: can't alias tensor of dtype ${obj.dtype} as dtype ${create.dtype} without a copy (copy is false)`);
  const t = asTensor(obj, create);
  return create.requiresGrad && !t.requiresGrad ? t.requiresGrad_() : t;
}

const BYTES: Record<DType, number> = { float32: 4, float64: 8, int32: 4, bool: 1 };
const ARRAY_OF = { float32: Float32Array, float64: Float64Array, int32: Int32Array, bool: Uint8Array } as const;

/**
 * `torch.frombuffer(buffer, { dtype, count, offset })`: a 1-D tensor of `count` elements (all that
 * fit by default) of `dtype` read from the bytes of `buffer` from byte `offset`, in the machine's
 * byte order. The tensor shares the buffer's memory where the backend adopts arrays (the reference
 * backend) and the offset is aligned; otherwise (wasm) it is a copy.
 * ```ts
 * frombuffer(new Float32Array([1, 2, 3]).buffer, { dtype: "float32", offset: 4 }); // [2, 3]
 * ```
 */
export function frombuffer(
  buffer: ArrayBufferLike | ArrayBufferView, opts: { dtype: DType; count?: number; offset?: number; requiresGrad?: boolean },
): Tensor {
  const op = "frombuffer";
  const bytes = ArrayBuffer.isView(buffer) ? new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength)
    : buffer instanceof ArrayBuffer || (typeof SharedArrayBuffer !== "undefined" && buffer instanceof SharedArrayBuffer) ? new Uint8Array(buffer) : null;
  if (!bytes) throw new TensileError(`${op}: expected an ArrayBuffer or a typed array, got ${fmtValue(buffer)}`);
  const dtype = checkDType(op, opts?.dtype);
  const { count = -1, offset = 0 } = opts;
  const size = BYTES[dtype], len = bytes.length;
  if (!Number.isInteger(offset) || offset < 0 || offset > len) throw new TensileError(`${op}: offset (${fmtValue(offset)} bytes) must be non-negative and no greater than buffer length (${len} bytes) minus 1`);
  if (!Number.isInteger(count) || count === 0 || count < -1) throw new TensileError(`${op}: count must be -1 or a positive integer, got ${fmtValue(count)}`);
  if (count === -1 && (len - offset) % size !== 0)
    throw new TensileError(`${op}: buffer length (${len - offset} bytes) after offset (${offset} bytes) must be a multiple of element size (${size})`);
  const n = count === -1 ? (len - offset) / size : count;
  if (offset + n * size > len) throw new TensileError(`${op}: requested buffer length (${n} * ${size} bytes) after offset (${offset} bytes) must not be greater than actual buffer length (${len} bytes)`);
  const start = bytes.byteOffset + offset;
  const C = ARRAY_OF[dtype];
  const arr: TypedArray = start % size === 0 ? new C(bytes.buffer as ArrayBuffer, start, n) : new C(bytes.slice(offset, offset + n * size).buffer);
  const t = asTensor(arr, { dtype });
  return opts.requiresGrad ? t.requiresGrad_() : t;
}

// `torch.get_default_dtype()` / `torch.set_default_dtype(d)` (the state lives with the dtypes).
export { getDefaultDtype, setDefaultDtype } from "../tensor/dtype.js";

// ---- complex-number introspection of real tensors ----

/** `torch.is_complex(x)`: false (Tensile's dtypes are real). */
export const isComplex = (input: Tensor): boolean => (assertTensor("isComplex", input), false);
/** `torch.is_conj(x)`: false (no lazily conjugated tensors). */
export const isConj = (input: Tensor): boolean => (assertTensor("isConj", input), false);
/** `torch.is_neg(x)`: false (no lazily negated tensors). */
export const isNeg = (input: Tensor): boolean => (assertTensor("isNeg", input), false);
/** `torch.is_signed(x)`: whether the dtype holds negative values (all but bool). */
export const isSigned = (input: Tensor): boolean => (assertTensor("isSigned", input), input.isSigned());
/** `torch.is_inference(x)`: false (`inferenceMode` is `noGrad` here; tensors carry no inference flag). */
export const isInference = (input: Tensor): boolean => (assertTensor("isInference", input), false);
/** `torch.isreal(x)`: true everywhere (bool, input's shape): every value of a real tensor is real. */
export const isreal = (input: Tensor): Tensor => (assertTensor("isreal", input), fullLike(input, 1, { dtype: "bool" }));
/** `torch.real(x)`: x itself (the real part of a real tensor). */
export const real = (input: Tensor): Tensor => (assertTensor("real", input), input);
/** `torch.imag(x)`: an error, as PyTorch's for a real tensor. */
export function imag(input: Tensor): never {
  assertTensor("imag", input);
  throw new TensileError(`imag: imag is not implemented for tensors with non-complex dtypes (got ${input.dtype})`);
}
/** `torch.conj(x)`: x itself. */
export const conj = (input: Tensor): Tensor => (assertTensor("conj", input), input);
/** `torch.conj_physical(x)`: x itself (PyTorch returns the input for real tensors too). */
export const conjPhysical = (input: Tensor): Tensor => (assertTensor("conjPhysical", input), input);
/** `torch.conj_physical_(x)`: x, unchanged. */
export const conjPhysical_ = <S extends Tensor>(input: S): S => (assertTensor("conjPhysical_", input), input);
/** `torch.resolve_conj(x)`: x itself. */
export const resolveConj = (input: Tensor): Tensor => (assertTensor("resolveConj", input), input);
/** `torch.resolve_neg(x)`: x itself. */
export const resolveNeg = (input: Tensor): Tensor => (assertTensor("resolveNeg", input), input);

/**
 * The argument of each element as a complex number: π where x < 0, 0 where x ≥ 0 (−0 included), NaN
 * where x is NaN (`torch.angle`). Integer and bool inputs give float32. The gradient is zero, as
 * PyTorch's for real inputs.
 * ```ts
 * angle(tensor([-2, 0, 3])); // [3.1416, 0, 0]
 * ```
 */
export function angle(input: Tensor): Tensor {
  assertTensor("angle", input);
  const x = isFloating(input.dtype) ? input : input.to(getDefaultDtype());
  const out = noGrad(() => {
    const xd = x.detach();
    return where(isnan(xd), xd, xd.lt(0).to(x.dtype).mul(Math.PI));
  });
  return record("angle", out, [x], (g) => [g.zerosLike()], undefined, []);
}

/** `torch.detach(x)`: `x.detach()`. */
export const detach = (input: Tensor): Tensor => (assertTensor("detach", input), input.detach());
/** `torch.adjoint(x)`: `x.adjoint()` (the last two dims swapped). */
export const adjoint = (input: Tensor): Tensor => (assertTensor("adjoint", input), input.adjoint());
/** `torch.get_device(x)`: −1, PyTorch's answer for a CPU tensor. */
export const getDevice = (input: Tensor): number => (assertTensor("getDevice", input), -1);

// ---- other top-level spellings of Tensor methods and settings ----

/** `torch.split_with_sizes(x, sizes, dim)`: `x.splitWithSizes(sizes, dim)`. */
export const splitWithSizes = (input: Tensor, splitSizes: readonly number[], dim = 0): Tensor[] =>
  (assertTensor("splitWithSizes", input), input.splitWithSizes(splitSizes, dim));
/** `torch.unsafe_split_with_sizes`: `splitWithSizes` (PyTorch's "unsafe" forms differ only in autograd's view checks). */
export const unsafeSplitWithSizes = splitWithSizes;
/** `torch.unsafe_chunk(x, chunks, dim)`: `x.chunk(chunks, dim)`. */
export const unsafeChunk = (input: Tensor, chunks: number, dim = 0): Tensor[] => (assertTensor("unsafeChunk", input), input.chunk(chunks, dim));
/** `torch.unsafe_split(x, splitSize, dim)`: `x.split(splitSize, dim)`. */
export const unsafeSplit = (input: Tensor, splitSize: number | readonly number[], dim = 0): Tensor[] =>
  (assertTensor("unsafeSplit", input), input.split(splitSize, dim));
/** `torch.narrow_copy(x, dim, start, length)`: `x.narrow(dim, start, length)` as a copy. */
export const narrowCopy = (input: Tensor, dim: number, start: number, length: number): Tensor =>
  (assertTensor("narrowCopy", input), input.narrowCopy(dim, start, length));
/** `torch.typename(x)`: "torch.FloatTensor" & co. for a tensor (`x.type()`), else the value's JS type name. */
export const typename = (obj: unknown): string => (obj instanceof Tensor ? obj.type() : obj === null ? "null" : typeof obj === "object" ? obj.constructor?.name ?? "object" : typeof obj);
export { isAnomalyEnabled, isAnomalyCheckNanEnabled } from "../autograd/anomaly.js";
/** `torch.set_anomaly_enabled(enabled, checkNan)`: `autograd.setDetectAnomaly(enabled, { checkNan })`. */
export const setAnomalyEnabled = (enabled: boolean, checkNan = true): void => setDetectAnomaly(enabled, { checkNan });

// ---- torch.abs_(x) & co.: the in-place Tensor methods as functions ----

/** Tensor's in-place method `K` as a function of the tensor and the method's arguments. */
type InPlaceFunction<K extends keyof Tensor> = Tensor[K] extends (...args: infer A) => unknown ? <S extends Tensor>(input: S, ...args: A) => S : never;

/** One function per name: `torch.<name>(x, ...args)` is `x.<name>(...args)`. */
function inPlaceFunctions<K extends keyof Tensor & `${string}_`>(names: readonly K[]): { [P in K]: InPlaceFunction<P> } {
  const out: Record<string, (input: Tensor, ...args: unknown[]) => Tensor> = {};
  for (const name of names as readonly string[])
    out[name] = (input: Tensor, ...args: unknown[]) => {
      assertTensor(name, input);
      return (input[name as K] as (this: Tensor, ...a: unknown[]) => Tensor).apply(input, args);
    };
  return out as { [P in K]: InPlaceFunction<P> };
}

/**
 * `torch.abs_(x)`, `torch.exp_(x)`, `torch.clamp_(x, min, max)`, `torch.addmv_(x, mat, vec)`, ...:
 * each is the Tensor method of the same name on x (same arguments; returns x), as PyTorch's.
 */
export const {
  abs_, acos_, acosh_, arccos_, arccosh_, arcsin_, arcsinh_, arctan_, arctanh_, asin_, asinh_, atan_, atanh_, ceil_, clamp_,
  clampMax_, clampMin_, clip_, cos_, cosh_, deg2rad_, erf_, erfc_, exp2_, exp_, expm1_, fill_, fix_, floor_, frac_, gcd_,
  i0_, lcm_, ldexp_, log10_, log1p_, log2_, log_, logit_, nanToNum_, neg_, negative_, rad2deg_, reciprocal_, round_,
  rsqrt_, sigmoid_, sin_, sinc_, sinh_, sqrt_, square_, tan_, tanh_, trunc_, xlogy_, addmv_, detach_,
} = inPlaceFunctions([
  "abs_", "acos_", "acosh_", "arccos_", "arccosh_", "arcsin_", "arcsinh_", "arctan_", "arctanh_", "asin_", "asinh_", "atan_",
  "atanh_", "ceil_", "clamp_", "clampMax_", "clampMin_", "clip_", "cos_", "cosh_", "deg2rad_", "erf_", "erfc_", "exp2_",
  "exp_", "expm1_", "fill_", "fix_", "floor_", "frac_", "gcd_", "i0_", "lcm_", "ldexp_", "log10_", "log1p_", "log2_", "log_",
  "logit_", "nanToNum_", "neg_", "negative_", "rad2deg_", "reciprocal_", "round_", "rsqrt_", "sigmoid_", "sin_", "sinc_",
  "sinh_", "sqrt_", "square_", "tan_", "tanh_", "trunc_", "xlogy_", "addmv_", "detach_",
] as const);
