/**
 * `torch.fft` (the `fft` namespace): discrete Fourier transforms on the host in float64
 * (ops/fft-kernel.ts), rounded once per 1-D pass to the input's float dtype.
 *
 * Tensile has no complex dtype: a complex tensor is a real one with a trailing dim of size 2
 * (real, imaginary), torch.view_as_real's layout. Every complex result comes back in that layout;
 * irfft*, hfft take it as input; fft/ifft/fft2/ifft2/fftn/ifftn (and fftshift/ifftshift) read a real
 * signal unless given `{ complexInput: true }`. `dim` counts the signal's dims, never the trailing 2.
 *
 * Only one op is recorded: `c2c`, the unnormalised-then-scaled DFT along one signal dim. It is linear
 * and its adjoint (as a real map of the real/imaginary parts) is the DFT of the opposite sign with
 * the same scale, so its backward is itself. Everything else is composed from it and differentiable
 * Tensor ops (narrow, cat, stack, select, mul), so every transform has the exact gradient of the map
 * it computes, createGraph included:
 * - rfft = the first ⌊n/2⌋+1 bins of the c2c of the real signal (imaginary part 0);
 * - irfft = Re(inverse c2c of the half spectrum weighted by 1 (bin 0 and, for even n, bin n/2) or 2
 *   (the others, which stand for their conjugate twins), zero-padded to n): the Hermitian
 *   extension without building it, ignoring Im of bins 0 and n/2 as pocketfft's c2r does;
 * - hfft(x) = irfft(conj(x)) and ihfft(x) = conj(rfft(x)) with "backward" and "forward" swapped, and
 *   likewise hfftn = irfftn∘conj, ihfftn = conj∘rfftn (the half-spectrum dim is the last of dims).
 */
import { record } from "../autograd/engine.js";
import { TensileError, fmtValue } from "../errors.js";
import { type DType, arrayFor, getDefaultDtype, isFloating } from "../tensor/dtype.js";
import { normalizeDim } from "../tensor/shape.js";
import { Tensor } from "../tensor/tensor.js";
import { tensor } from "../tensor/creation.js";
import * as E from "./elementwise.js";
import { dft } from "./fft-kernel.js";
import { narrow, select } from "./indexing.js";
import { cat, roll, stack } from "./movement.js";
import { assertTensor, castTo, describe, numel, wrap } from "./util.js";

type T = Tensor;

/** PyTorch's `norm`: which direction is scaled (by 1/n), or both by 1/√n. `null` means "backward". */
export type FftNorm = "backward" | "forward" | "ortho";
/** The keyword options of fft, ifft, fft2, ifft2, fftn, ifftn, fftshift, ifftshift. */
export interface FftOptions {
  /** The input is complex in view_as_real layout (a trailing dim of 2); default false (a real signal). */
  complexInput?: boolean;
}
/** fftfreq's and rfftfreq's keyword options, as torch's (`dtype` a float dtype, default float32). */
export interface FftFreqOptions {
  dtype?: DType;
  requiresGrad?: boolean;
}

// ---------- helpers ----------

/** A zero-filled tensor of `shape` in `dtype` on like's backend. */
const zerosOn = (like: T, shape: readonly number[], dtype: DType = like.dtype): T =>
  wrap(like.backend, like.backend.fromArray(arrayFor(dtype, numel(shape))), shape);

const constOn = (like: T, data: readonly number[], shape: readonly number[]): T => {
  const a = arrayFor(like.dtype, data.length);
  a.set(data);
  return wrap(like.backend, like.backend.fromArray(a), shape);
};

/** The DFT along signal dim `dim` of z (complex layout, float), scaled by `scale`; the only recorded op. */
function c2c(z: T, dim: number, inverse: boolean, scale: number): T {
  const shape = z.shape, n = shape[dim]!;
  let outer = 1, inner = 1;
  for (let i = 0; i < dim; i++) outer *= shape[i]!;
  for (let i = dim + 1; i < shape.length - 1; i++) inner *= shape[i]!;
  const src = z.dataSync();
  const out = arrayFor(z.dtype, src.length);
  const re = new Float64Array(n), im = new Float64Array(n);
  for (let o = 0; o < outer; o++)
    for (let i = 0; i < inner; i++) {
      const base = o * n * inner + i;
      for (let k = 0; k < n; k++) {
        const at = 2 * (base + k * inner);
        re[k] = src[at]!; im[k] = src[at + 1]!;
      }
      dft(re, im, inverse);
      for (let k = 0; k < n; k++) {
        const at = 2 * (base + k * inner);
        out[at] = re[k]! * scale; out[at + 1] = im[k]! * scale;
      }
    }
  const y = wrap(z.backend, z.backend.fromArray(out), shape);
  return record("fft_c2c", y, [z], (g) => [c2c(g, dim, !inverse, scale)], undefined, []);
}

/** t cropped or zero-padded to length n along dim (differentiable). */
function resize(t: T, dim: number, n: number): T {
  const len = t.shape[dim]!;
  if (n === len) return t;
  if (n < len) return narrow(t, dim, 0, n);
  const padShape = [...t.shape];
  padShape[dim] = n - len;
  return cat([t, zerosOn(t, padShape)], dim);
}

/** A real tensor as complex layout: [..., 2] with imaginary part 0. */
const toComplex = (x: T): T => stack([x, zerosOn(x, x.shape)], -1);
/** conj in complex layout: the imaginary part negated. */
const conj = (z: T): T => E.mul(z, constOn(z, [1, -1], [2]));

/** x as a float tensor (integers and bool become float32, as torch promotes them). */
function floatIn(op: string, x: unknown, complex: boolean): T {
  assertTensor(op, x);
  if (complex && (x.ndim < 1 || x.shape[x.ndim - 1] !== 2))
    throw new TensileError(`${op}: a complex input must have a trailing dim of size 2 (real, imaginary) as torch.view_as_real gives, got ${describe(x)}`);
  return isFloating(x.dtype) ? x : castTo(x, getDefaultDtype());
}

function checkNorm(op: string, norm: unknown): FftNorm {
  if (norm === undefined || norm === null) return "backward";
  if (norm === "backward" || norm === "forward" || norm === "ortho") return norm;
  throw new TensileError(`${op}: Invalid normalization mode: ${fmtValue(norm)} (expected "backward", "forward", "ortho" or null)`);
}

const swapNorm = (norm: FftNorm): FftNorm => (norm === "backward" ? "forward" : norm === "forward" ? "backward" : "ortho");

/** The scale of a transform of n points: 1/n on the normalised direction, 1/√n both ways for "ortho". */
const scaleOf = (norm: FftNorm, n: number, inverse: boolean): number =>
  norm === "ortho" ? 1 / Math.sqrt(n) : (norm === "forward") !== inverse ? 1 / n : 1;

function checkPoints(op: string, n: number): number {
  if (!Number.isInteger(n) || n < 1) throw new TensileError(`${op}: Invalid number of data points (${fmtValue(n)}) specified`);
  return n;
}

const isOptions = (v: unknown): v is Record<string, unknown> =>
  v !== null && typeof v === "object" && !Array.isArray(v) && !(v instanceof Tensor);

/** Splits the positional args after the input from a trailing options object, checking its keys. */
function splitArgs(op: string, args: readonly unknown[], keys: readonly string[]): [unknown[], Record<string, unknown>] {
  const at = args.findIndex(isOptions);
  if (at === -1) return [[...args], {}];
  if (args.slice(at + 1).some((a) => a !== undefined))
    throw new TensileError(`${op}: the options object must be the last argument, got ${fmtValue(args.slice(at + 1))} after it`);
  const opts = args[at] as Record<string, unknown>;
  for (const k of Object.keys(opts))
    if (!keys.includes(k)) throw new TensileError(`${op}: unknown option "${k}"${keys.length ? ` (expected ${keys.join(", ")})` : " (it takes none)"}`);
  return [args.slice(0, at), opts];
}

function intOrNull(op: string, what: string, v: unknown): number | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== "number" || !Number.isInteger(v)) throw new TensileError(`${op}: ${what} must be an integer or null, got ${fmtValue(v)}`);
  return v;
}

/** Signal rank: the input's dims, less the trailing 2 of a complex one. */
const signalRank = (x: T, complex: boolean): number => x.ndim - (complex ? 1 : 0);

function signalDim(op: string, dim: unknown, rank: number): number {
  if (typeof dim !== "number" || !Number.isInteger(dim)) throw new TensileError(`${op}: dim must be an integer, got ${fmtValue(dim)}`);
  if (rank === 0) throw new TensileError(`${op}: expected a signal with at least one dim, got a 0-d one (dim ${dim})`);
  return normalizeDim(op, dim, rank);
}

// ---------- 1-D transforms ----------

interface Args1 { x: T; n?: number; dim: number; norm: FftNorm; complex: boolean }

function args1(op: string, x: unknown, rest: readonly unknown[], keys: readonly string[], complexDefault: boolean): Args1 {
  const [[n, dim = -1, norm, ...extra], opts] = splitArgs(op, rest, keys);
  if (extra.some((e) => e !== undefined)) throw new TensileError(`${op}: too many arguments (${fmtValue(extra)})`);
  const complex = opts.complexInput === undefined ? complexDefault : !!opts.complexInput;
  const xf = floatIn(op, x, complex);
  return { x: xf, n: intOrNull(op, "n", n), dim: signalDim(op, dim, signalRank(xf, complex)), norm: checkNorm(op, norm), complex };
}

/** fft/ifft: c2c of n points (n defaults to the signal's length). */
function c2c1(op: string, a: Args1, inverse: boolean): T {
  const n = checkPoints(op, a.n ?? a.x.shape[a.dim]!);
  const r = resize(a.x, a.dim, n);
  return c2c(a.complex ? r : toComplex(r), a.dim, inverse, scaleOf(a.norm, n, inverse));
}

/** The ⌊n/2⌋+1 non-negative-frequency bins of the DFT of a real signal. */
function r2c1(op: string, x: T, nArg: number | undefined, dim: number, norm: FftNorm): T {
  const n = checkPoints(op, nArg ?? x.shape[dim]!);
  const full = c2c(toComplex(resize(x, dim, n)), dim, false, scaleOf(norm, n, false));
  return narrow(full, dim, 0, Math.floor(n / 2) + 1);
}

/** The real signal of n points (default 2(m − 1)) whose half spectrum is z's m bins along dim. */
function c2r1(op: string, z: T, nArg: number | undefined, dim: number, norm: FftNorm): T {
  const n = checkPoints(op, nArg ?? 2 * (z.shape[dim]! - 1));
  const half = Math.floor(n / 2) + 1;
  const w = Array.from({ length: half }, (_, k) => (k === 0 || 2 * k === n ? 1 : 2));
  const wShape = [half, ...Array<number>(z.ndim - dim - 1).fill(1)];
  const weighted = E.mul(resize(z, dim, half), constOn(z, w, wShape));
  return select(c2c(resize(weighted, dim, n), dim, true, scaleOf(norm, n, true)), -1, 0);
}

/** torch.fft.fft(input, n=None, dim=-1, norm=None): the DFT along dim, complex layout out. */
export function fft(x: T, n?: number | null | FftOptions, dim?: number | FftOptions, norm?: FftNorm | null | FftOptions, options?: FftOptions): T {
  return c2c1("fft.fft", args1("fft.fft", x, [n, dim, norm, options], ["complexInput"], false), false);
}

/** torch.fft.ifft: the inverse DFT along dim (scaled by 1/n by default). */
export function ifft(x: T, n?: number | null | FftOptions, dim?: number | FftOptions, norm?: FftNorm | null | FftOptions, options?: FftOptions): T {
  return c2c1("fft.ifft", args1("fft.ifft", x, [n, dim, norm, options], ["complexInput"], false), true);
}

/** torch.fft.rfft: the ⌊n/2⌋+1 non-negative-frequency bins of a real signal's DFT. */
export function rfft(x: T, n?: number | null, dim?: number, norm?: FftNorm | null): T {
  const a = args1("fft.rfft", x, [n, dim, norm], [], false);
  return r2c1("fft.rfft", a.x, a.n, a.dim, a.norm);
}

/** torch.fft.irfft: the real signal of n points (default 2(m − 1)) from a half spectrum (complex layout). */
export function irfft(x: T, n?: number | null, dim?: number, norm?: FftNorm | null): T {
  const a = args1("fft.irfft", x, [n, dim, norm], [], true);
  return c2r1("fft.irfft", a.x, a.n, a.dim, a.norm);
}

/** torch.fft.hfft: the real spectrum of a signal with Hermitian symmetry, given its first half (complex layout). */
export function hfft(x: T, n?: number | null, dim?: number, norm?: FftNorm | null): T {
  const a = args1("fft.hfft", x, [n, dim, norm], [], true);
  return c2r1("fft.hfft", conj(a.x), a.n, a.dim, swapNorm(a.norm));
}

/** torch.fft.ihfft: the first ⌊n/2⌋+1 bins of the inverse DFT of a real signal (complex layout out). */
export function ihfft(x: T, n?: number | null, dim?: number, norm?: FftNorm | null): T {
  const a = args1("fft.ihfft", x, [n, dim, norm], [], false);
  return conj(r2c1("fft.ihfft", a.x, a.n, a.dim, swapNorm(a.norm)));
}

// ---------- n-D transforms ----------

interface ArgsN { x: T; dims: number[]; sizes: (number | undefined)[]; norm: FftNorm; complex: boolean }

/** torch's shape-and-dim rules: s and dim of the same length; s alone means its last len(s) dims; -1 keeps a size. */
function argsN(op: string, x: unknown, rest: readonly unknown[], keys: readonly string[], complexDefault: boolean, defaultDim?: number[]): ArgsN {
  const [[s, dimArg, norm, ...extra], opts] = splitArgs(op, rest, keys);
  if (extra.some((e) => e !== undefined)) throw new TensileError(`${op}: too many arguments (${fmtValue(extra)})`);
  const complex = opts.complexInput === undefined ? complexDefault : !!opts.complexInput;
  const xf = floatIn(op, x, complex);
  const rank = signalRank(xf, complex);
  if (rank === 0) throw new TensileError(`${op}: expected a signal with at least one dim, got a 0-d one (${describe(x)})`);
  const intList = (what: string, v: unknown): number[] | undefined => {
    if (v === undefined || v === null) return undefined;
    const list = typeof v === "number" ? [v] : v;
    if (!Array.isArray(list) || list.some((d) => typeof d !== "number" || !Number.isInteger(d)))
      throw new TensileError(`${op}: ${what} must be an array of integers or null, got ${fmtValue(v)}`);
    return list as number[];
  };
  const shape = intList("s", s);
  let dims = intList("dim", dimArg) ?? (shape === undefined ? defaultDim : undefined);
  if (dims !== undefined) {
    dims = dims.map((d) => normalizeDim(op, d, rank));
    if (new Set(dims).size !== dims.length) throw new TensileError(`${op}: FFT dims must be unique, got ${fmtValue(intList("dim", dimArg) ?? defaultDim)}`);
    if (shape !== undefined && shape.length !== dims.length)
      throw new TensileError(`${op}: When given, dim and shape arguments must have the same length (s ${fmtValue(shape)}, dim ${fmtValue(dimArg)})`);
  } else if (shape !== undefined) {
    if (shape.length > rank) throw new TensileError(`${op}: Got shape with ${shape.length} values but input tensor only has ${rank} dimensions.`);
    dims = shape.map((_, i) => rank - shape.length + i);
  } else dims = [...Array(rank).keys()];
  const sizes = dims.map((_, i) => (shape === undefined || shape[i] === -1 ? undefined : checkPoints(op, shape[i]!)));
  return { x: xf, dims, sizes, norm: checkNorm(op, norm), complex };
}

function c2cN(op: string, a: ArgsN, inverse: boolean): T {
  let z = a.x;
  const ns = a.dims.map((d, i) => checkPoints(op, a.sizes[i] ?? z.shape[d]!));
  a.dims.forEach((d, i) => (z = resize(z, d, ns[i]!)));
  if (!a.complex) z = toComplex(z);
  a.dims.forEach((d, i) => (z = c2c(z, d, inverse, scaleOf(a.norm, ns[i]!, inverse))));
  return z;
}

type SizesArg = readonly number[] | null;
type DimsArg = number | readonly number[] | null;

/** torch.fft.fft2(input, s=None, dim=(-2, -1), norm=None). */
export function fft2(x: T, s?: SizesArg | FftOptions, dim?: DimsArg | FftOptions, norm?: FftNorm | null | FftOptions, options?: FftOptions): T {
  return c2cN("fft.fft2", argsN("fft.fft2", x, [s, dim, norm, options], ["complexInput"], false, [-2, -1]), false);
}

/** torch.fft.ifft2(input, s=None, dim=(-2, -1), norm=None). */
export function ifft2(x: T, s?: SizesArg | FftOptions, dim?: DimsArg | FftOptions, norm?: FftNorm | null | FftOptions, options?: FftOptions): T {
  return c2cN("fft.ifft2", argsN("fft.ifft2", x, [s, dim, norm, options], ["complexInput"], false, [-2, -1]), true);
}

/** torch.fft.fftn(input, s=None, dim=None, norm=None): dims default to all (or the last len(s)). */
export function fftn(x: T, s?: SizesArg | FftOptions, dim?: DimsArg | FftOptions, norm?: FftNorm | null | FftOptions, options?: FftOptions): T {
  return c2cN("fft.fftn", argsN("fft.fftn", x, [s, dim, norm, options], ["complexInput"], false), false);
}

/** torch.fft.ifftn(input, s=None, dim=None, norm=None). */
export function ifftn(x: T, s?: SizesArg | FftOptions, dim?: DimsArg | FftOptions, norm?: FftNorm | null | FftOptions, options?: FftOptions): T {
  return c2cN("fft.ifftn", argsN("fft.ifftn", x, [s, dim, norm, options], ["complexInput"], false), true);
}

function r2cN(op: string, a: ArgsN): T {
  if (a.dims.length === 0) throw new TensileError(`${op}: must transform at least one axis`);
  const last = a.dims.length - 1;
  let z = r2c1(op, a.x, a.sizes[last], a.dims[last]!, a.norm);
  a.dims.slice(0, last).forEach((d, i) => {
    const n = checkPoints(op, a.sizes[i] ?? z.shape[d]!);
    z = c2c(resize(z, d, n), d, false, scaleOf(a.norm, n, false));
  });
  return z;
}

function c2rN(op: string, a: ArgsN): T {
  if (a.dims.length === 0) throw new TensileError(`${op}: must transform at least one axis`);
  const last = a.dims.length - 1;
  let z = a.x;
  a.dims.slice(0, last).forEach((d, i) => {
    const n = checkPoints(op, a.sizes[i] ?? z.shape[d]!);
    z = c2c(resize(z, d, n), d, true, scaleOf(a.norm, n, true));
  });
  return c2r1(op, z, a.sizes[last], a.dims[last]!, a.norm);
}

/** torch.fft.rfft2(input, s=None, dim=(-2, -1), norm=None): rfft along the last dim, fft along the other. */
export function rfft2(x: T, s?: SizesArg, dim?: DimsArg, norm?: FftNorm | null): T {
  return r2cN("fft.rfft2", argsN("fft.rfft2", x, [s, dim, norm], [], false, [-2, -1]));
}

/** torch.fft.irfft2(input, s=None, dim=(-2, -1), norm=None): ifft along the first dim, irfft along the last. */
export function irfft2(x: T, s?: SizesArg, dim?: DimsArg, norm?: FftNorm | null): T {
  return c2rN("fft.irfft2", argsN("fft.irfft2", x, [s, dim, norm], [], true, [-2, -1]));
}

/** torch.fft.rfftn(input, s=None, dim=None, norm=None): rfft along the last of dims, fft along the others. */
export function rfftn(x: T, s?: SizesArg, dim?: DimsArg, norm?: FftNorm | null): T {
  return r2cN("fft.rfftn", argsN("fft.rfftn", x, [s, dim, norm], [], false));
}

/** torch.fft.irfftn(input, s=None, dim=None, norm=None): ifft along all but the last of dims, irfft along it. */
export function irfftn(x: T, s?: SizesArg, dim?: DimsArg, norm?: FftNorm | null): T {
  return c2rN("fft.irfftn", argsN("fft.irfftn", x, [s, dim, norm], [], true));
}

/** torch.fft.hfft2(input, s=None, dim=(-2, -1), norm=None): the real n-D spectrum of a Hermitian signal given as its half (complex layout in). */
export function hfft2(x: T, s?: SizesArg, dim?: DimsArg, norm?: FftNorm | null): T {
  return hermitianN("fft.hfft2", argsN("fft.hfft2", x, [s, dim, norm], [], true, [-2, -1]));
}

/** torch.fft.ihfft2(input, s=None, dim=(-2, -1), norm=None): the half (last dim) of the inverse n-D DFT of a real signal (complex layout out). */
export function ihfft2(x: T, s?: SizesArg, dim?: DimsArg, norm?: FftNorm | null): T {
  return conj(r2cN("fft.ihfft2", swapNormN(argsN("fft.ihfft2", x, [s, dim, norm], [], false, [-2, -1]))));
}

/** torch.fft.hfftn(input, s=None, dim=None, norm=None): hfft along the last of dims, forward fft along the others. */
export function hfftn(x: T, s?: SizesArg, dim?: DimsArg, norm?: FftNorm | null): T {
  return hermitianN("fft.hfftn", argsN("fft.hfftn", x, [s, dim, norm], [], true));
}

/** torch.fft.ihfftn(input, s=None, dim=None, norm=None): ihfft along the last of dims, ifft along the others. */
export function ihfftn(x: T, s?: SizesArg, dim?: DimsArg, norm?: FftNorm | null): T {
  return conj(r2cN("fft.ihfftn", swapNormN(argsN("fft.ihfftn", x, [s, dim, norm], [], false))));
}

const swapNormN = (a: ArgsN): ArgsN => ({ ...a, norm: swapNorm(a.norm) });
/** hfftn(x) = irfftn(conj(x)) with "backward" and "forward" swapped (torch: forward c2c on the others, then conj, then c2r). */
const hermitianN = (op: string, a: ArgsN): T => c2rN(op, { ...swapNormN(a), x: conj(a.x) });

// ---------- frequencies and shifts ----------

function freqs(op: string, n: number, d: number | FftFreqOptions | undefined, opts: FftFreqOptions | undefined, count: number, at: (k: number) => number): T {
  if (isOptions(d)) [d, opts] = [undefined, d];
  const [, o] = splitArgs(op, [opts], ["dtype", "requiresGrad"]);
  if (typeof n !== "number" || !Number.isInteger(n) || n < 0) throw new TensileError(`${op}: n must be a non-negative integer, got ${fmtValue(n)}`);
  const spacing = d ?? 1;
  if (typeof spacing !== "number") throw new TensileError(`${op}: d must be a number, got ${fmtValue(spacing)}`);
  const dtype = (o.dtype ?? getDefaultDtype()) as DType;
  if (dtype !== "float32" && dtype !== "float64") throw new TensileError(`${op}: dtype must be float32 or float64, got ${fmtValue(dtype)}`);
  // torch: arange(...) then mul_(1/(n·d)), the scale rounded to the dtype first
  const scale = dtype === "float32" ? Math.fround(1 / (n * spacing)) : 1 / (n * spacing);
  const a = arrayFor(dtype, count);
  for (let k = 0; k < count; k++) a[k] = at(k) * scale;
  return tensor(a, { dtype, requiresGrad: !!o.requiresGrad });
}

/** torch.fft.fftfreq(n, d=1.0): [0, 1, …, ⌈n/2⌉ − 1, −⌊n/2⌋, …, −1] / (d·n). */
export function fftfreq(n: number, d?: number | FftFreqOptions, options?: FftFreqOptions): T {
  return freqs("fft.fftfreq", n, d, options, n, (k) => (k < Math.ceil(n / 2) ? k : k - n));
}

/** torch.fft.rfftfreq(n, d=1.0): [0, 1, …, ⌊n/2⌋] / (d·n). */
export function rfftfreq(n: number, d?: number | FftFreqOptions, options?: FftFreqOptions): T {
  return freqs("fft.rfftfreq", n, d, options, Number.isInteger(n) && n >= 0 ? Math.floor(n / 2) + 1 : 0, (k) => k);
}

function shift(op: string, x: T, dim: DimsArg | FftOptions | undefined, options: FftOptions | undefined, inverse: boolean): T {
  const [[dimArg], opts] = splitArgs(op, [dim, options], ["complexInput"]);
  const complex = !!opts.complexInput;
  assertTensor(op, x);
  if (complex && (x.ndim < 1 || x.shape[x.ndim - 1] !== 2))
    throw new TensileError(`${op}: a complex input must have a trailing dim of size 2 (real, imaginary), got ${describe(x)}`);
  const rank = signalRank(x, complex);
  let dims: number[];
  if (dimArg === undefined || dimArg === null) dims = [...Array(rank).keys()];
  else if (typeof dimArg === "number") dims = [normalizeDim(op, dimArg, Math.max(rank, 1))];
  else if (Array.isArray(dimArg) && dimArg.every((d) => typeof d === "number")) dims = dimArg.map((d: number) => normalizeDim(op, d, Math.max(rank, 1)));
  else throw new TensileError(`${op}: dim must be an integer, an array of integers or null, got ${fmtValue(dimArg)}`);
  if (rank === 0 || dims.length === 0) return x;
  // fftshift moves bin 0 to the middle: roll by ⌊n/2⌋; ifftshift undoes it: roll by −⌊n/2⌋
  return roll(x, dims.map((d) => (inverse ? -1 : 1) * Math.floor(x.shape[d]! / 2)), dims);
}

/** torch.fft.fftshift(input, dim=None): zero frequency moved to the centre of each dim (all signal dims by default). */
export function fftshift(x: T, dim?: DimsArg | FftOptions, options?: FftOptions): T {
  return shift("fft.fftshift", x, dim, options, false);
}

/** torch.fft.ifftshift(input, dim=None): the inverse of fftshift. */
export function ifftshift(x: T, dim?: DimsArg | FftOptions, options?: FftOptions): T {
  return shift("fft.ifftshift", x, dim, options, true);
}
