/**
 * torch.stft and torch.istft (PyTorch 1.13), composed from differentiable ops so that gradients
 * (to the signal and to the window) are exact, createGraph included:
 * - stft: centre padding (ops/indexing.ts `pad`), framing (`unfold`, a strided view whose gradient
 *   adds each frame's gradient back), the window product, then `rfft` (or `fft`) along each frame;
 * - istft: `irfft` (or `ifft`) of each frame, the window product, overlap-add (`indexAdd` at each
 *   sample's position), and division by the overlap-added squared window (the envelope).
 *
 * Complex values use docs/fft.md's layout (a trailing dim of 2): stft returns
 * [(batch,) bins, frames, 2] and istft reads it. `returnComplex` is accepted on stft but changes
 * nothing (torch's complex and legacy view_as_real outputs coincide in this layout); on istft it
 * selects a complex (two-sided inverse, trailing 2) or a real result, as torch.
 */
import { TensileError, fmtShape, fmtValue } from "../errors.js";
import { arrayFor, isFloating } from "../tensor/dtype.js";
import { Tensor } from "../tensor/tensor.js";
import { type FftNorm, fft, ifft, irfft, rfft } from "./fft.js";
import { indexAdd } from "./index-write.js";
import { type PadMode, pad } from "./indexing.js";
import { unfold } from "./movement.js";
import { assertTensor, describe, wrap } from "./util.js";

type T = Tensor;

/** torch.stft's keyword arguments, camelCased; each may also be given positionally, in this order. */
export interface StftOptions {
  /** The distance between frame starts; default ⌊nFft/4⌋. */
  hopLength?: number | null;
  /** The window's length (≤ nFft; it is zero-padded on both sides to nFft); default nFft. */
  winLength?: number | null;
  /** A 1-D real window of winLength points; default all ones (a rectangular window). */
  window?: T | null;
  /** Pad the signal by ⌊nFft/2⌋ on both sides, so frame t is centred on sample t·hopLength; default true. */
  center?: boolean;
  /** The centre padding: "reflect" (default), "constant" (zeros), "replicate" or "circular". */
  padMode?: PadMode;
  /** Scale each frame's transform by 1/√nFft; default false. */
  normalized?: boolean;
  /** Only the ⌊nFft/2⌋ + 1 non-negative frequencies; default true for a real signal, false for a complex one. */
  onesided?: boolean | null;
  /** Accepted for torch's signature; the result is always in the trailing-2 complex layout. */
  returnComplex?: boolean | null;
  /** Tensile only: the signal is complex, [(batch,) length, 2] (as the fft functions' option). */
  complexInput?: boolean;
}

/** torch.istft's keyword arguments, camelCased; each may also be given positionally, in this order. */
export interface IstftOptions {
  hopLength?: number | null;
  winLength?: number | null;
  window?: T | null;
  /** Whether stft padded the signal (so ⌊nFft/2⌋ samples are trimmed from both ends); default true. */
  center?: boolean;
  normalized?: boolean;
  /** Whether the input holds the one-sided spectrum; default: its bin count differs from nFft. */
  onesided?: boolean | null;
  /** The output length: trimmed, or zero-padded at the end; default all the samples the frames cover. */
  length?: number | null;
  /** A complex result (trailing 2) from the two-sided inverse; default false (a real signal). */
  returnComplex?: boolean;
}

const STFT_KEYS = ["hopLength", "winLength", "window", "center", "padMode", "normalized", "onesided", "returnComplex"] as const;
const ISTFT_KEYS = ["hopLength", "winLength", "window", "center", "normalized", "onesided", "length", "returnComplex"] as const;
const PAD_MODES: readonly string[] = ["constant", "reflect", "replicate", "circular"];

const isOptions = (v: unknown): v is Record<string, unknown> =>
  v !== null && typeof v === "object" && !Array.isArray(v) && !(v instanceof Tensor);

/** torch's positional order merged with a trailing options object (a value given both ways is an error). */
function namedArgs(op: string, rest: readonly unknown[], keys: readonly string[], extra: readonly string[]): Record<string, unknown> {
  const at = rest.findIndex(isOptions);
  const positional = at === -1 ? rest : rest.slice(0, at);
  if (at !== -1 && rest.slice(at + 1).some((a) => a !== undefined))
    throw new TensileError(`${op}: the options object must be the last argument, got ${fmtValue(rest.slice(at + 1))} after it`);
  if (positional.length > keys.length) throw new TensileError(`${op}: too many arguments (${positional.length} after nFft; it takes at most ${keys.length})`);
  const opts = at === -1 ? {} : (rest[at] as Record<string, unknown>);
  for (const k of Object.keys(opts))
    if (!keys.includes(k) && !extra.includes(k)) throw new TensileError(`${op}: unknown option "${k}" (expected ${[...keys, ...extra].join(", ")})`);
  const out: Record<string, unknown> = { ...opts };
  positional.forEach((v, i) => {
    if (v === undefined) return;
    if (opts[keys[i]!] !== undefined) throw new TensileError(`${op}: ${keys[i]} given both positionally and as an option`);
    out[keys[i]!] = v;
  });
  return out;
}

function intArg(op: string, name: string, v: unknown, dflt: number): number {
  if (v === undefined || v === null) return dflt;
  if (typeof v !== "number" || !Number.isInteger(v)) throw new TensileError(`${op}: ${name} must be an integer or null, got ${fmtValue(v)}`);
  return v;
}

function boolArg(op: string, name: string, v: unknown, dflt: boolean): boolean;
function boolArg(op: string, name: string, v: unknown, dflt: undefined): boolean | undefined;
function boolArg(op: string, name: string, v: unknown, dflt: boolean | undefined): boolean | undefined {
  if (v === undefined || v === null) return dflt;
  if (typeof v !== "boolean") throw new TensileError(`${op}: ${name} must be a boolean${dflt === undefined ? " or null" : ""}, got ${fmtValue(v)}`);
  return v;
}

/** The window checked against winLength and zero-padded centrally to nFft (null: torch's all-ones default). */
function paddedWindow(op: string, what: string, like: T, window: unknown, win: number, nFft: number, ones: boolean): T | null {
  if (window !== undefined && window !== null) {
    assertTensor(op, window, "window");
    if (window.ndim !== 1 || window.shape[0] !== win)
      throw new TensileError(`${op}: expected a 1-D window of size winLength=${win}, but got window with shape ${fmtShape(window.shape)} (${what})`);
    if (!isFloating(window.dtype)) throw new TensileError(`${op}: expected a floating point window, got ${window.dtype} (${what})`);
  } else if (win === nFft && !ones) return null;
  const left = Math.floor((nFft - win) / 2);
  if (window instanceof Tensor) return win === nFft ? window : pad(window, [left, nFft - win - left]);
  const w = arrayFor(like.dtype, nFft);
  w.fill(1, left, left + win);
  return wrap(like.backend, like.backend.fromArray(w), [nFft]);
}

/**
 * torch.stft(input, n_fft, hop_length=None, win_length=None, window=None, center=True,
 * pad_mode='reflect', normalized=False, onesided=None, return_complex=None): the DFTs of the
 * windowed frames x[t·hop : t·hop + nFft] of a 1-D signal (or of each row of a 2-D batch).
 *
 * Shapes: [L] → [bins, frames, 2], [B, L] → [B, bins, frames, 2], with bins = ⌊nFft/2⌋ + 1
 * (onesided) or nFft, frames = 1 + ⌊(L' − nFft)/hop⌋ and L' = L + 2⌊nFft/2⌋ when centred.
 * ```ts
 * stft(randn([100]), 16, { window: hannWindow(16) }).shape; // [9, 26, 2]
 * ```
 */
export function stft(input: T, nFft: number, ...rest: unknown[]): T {
  const op = "stft";
  assertTensor(op, input);
  const o = namedArgs(op, rest, STFT_KEYS, ["complexInput"]);
  const complex = boolArg(op, "complexInput", o.complexInput, false);
  if (typeof nFft !== "number" || !Number.isInteger(nFft)) throw new TensileError(`${op}: nFft must be an integer, got ${fmtValue(nFft)}`);
  const hop = intArg(op, "hopLength", o.hopLength, nFft >> 2);
  const win = intArg(op, "winLength", o.winLength, nFft);
  const center = boolArg(op, "center", o.center, true);
  const normalized = boolArg(op, "normalized", o.normalized, false);
  const onesidedArg = boolArg(op, "onesided", o.onesided, undefined);
  boolArg(op, "returnComplex", o.returnComplex, undefined);
  const mode = o.padMode ?? "reflect";
  if (typeof mode !== "string" || !PAD_MODES.includes(mode))
    throw new TensileError(`${op}: Unrecognised padding mode ${fmtValue(mode)} (expected "constant", "reflect", "replicate" or "circular")`);
  const what = `input ${describe(input)}, nFft=${nFft}, hopLength=${hop}, winLength=${win}`;
  if (!isFloating(input.dtype)) throw new TensileError(`${op}: expected a tensor of floating point values, got ${input.dtype} (${what})`);
  if (complex && input.shape[input.ndim - 1] !== 2)
    throw new TensileError(`${op}: a complex input must have a trailing dim of size 2 (real, imaginary), got ${describe(input)}`);
  const rank = input.ndim - (complex ? 1 : 0);
  if (rank !== 1 && rank !== 2) throw new TensileError(`${op}: expected a 1D or 2D ${complex ? "complex signal" : "tensor"}, got ${describe(input)}`);

  let x = rank === 1 ? input.unsqueeze(0) : input; // [B, L] or [B, L, 2]
  if (center) {
    const p = nFft >> 1, n = x.shape[1]!;
    if ((mode === "reflect" && p >= n) || (mode === "circular" && p > n) || (mode === "replicate" && n === 0))
      throw new TensileError(`${op}: ${mode} padding of ${p} (⌊nFft/2⌋) on each side must be ${mode === "reflect" ? "less than" : "at most"} the signal length ${n} (${what})`);
    x = pad(x, complex ? [0, 0, p, p] : [p, p], mode as PadMode);
  }
  const len = x.shape[1]!;
  if (nFft <= 0 || nFft > len) throw new TensileError(`${op}: expected 0 < nFft <= ${len} (the${center ? " padded" : ""} signal length), but got nFft=${nFft} (${what})`);
  if (hop <= 0) throw new TensileError(`${op}: expected hopLength > 0, but got hopLength=${hop} (${what})`);
  if (win <= 0 || win > nFft) throw new TensileError(`${op}: expected 0 < winLength <= nFft, but got winLength=${win} (${what})`);
  const w = paddedWindow(op, what, x, o.window, win, nFft, false);

  // frames [B, F, nFft] (real) or [B, F, nFft, 2] (complex)
  let frames = complex ? unfold(x, 1, nFft, hop).movedim(-1, 2) : unfold(x, 1, nFft, hop);
  if (w) frames = frames.mul(complex ? w.unsqueeze(-1) : w);
  const onesided = onesidedArg ?? !complex;
  if (complex && onesided) throw new TensileError(`${op}: Cannot have onesided output if window or input is complex`);
  const norm: FftNorm = normalized ? "ortho" : "backward";
  const spec = complex ? fft(frames, null, -1, norm, { complexInput: true }) : onesided ? rfft(frames, null, -1, norm) : fft(frames, null, -1, norm);
  const out = spec.transpose(1, 2); // [B, bins, F, 2]
  return rank === 1 ? out.squeeze(0) : out;
}

/** Σ_t frames[:, t] placed at t·hop: [B, F, n, ...] → [B, total, ...] (torch's unfold_backward; differentiable). */
function overlapAdd(frames: T, hop: number, total: number): T {
  const [B, F, n] = frames.shape as [number, number, number];
  const pos = Int32Array.from({ length: F * n }, (_, i) => Math.floor(i / n) * hop + (i % n));
  const idx = new Tensor(frames.backend.fromArray(pos), frames.backend, [F * n]);
  const zeros = frames.newZeros([B, total, ...frames.shape.slice(3)]);
  return indexAdd(zeros, 1, idx, frames.flatten(1, 2));
}

/**
 * torch.istft(input, n_fft, hop_length=None, win_length=None, window=None, center=True,
 * normalized=False, onesided=None, length=None, return_complex=False): the inverse of stft by
 * overlap-add of the inverse DFTs of the frames, each multiplied by the window, divided by the
 * overlap-added squared window (an error where that is below 1e-11: the NOLA condition fails).
 *
 * Shapes: [bins, frames, 2] → [L], [B, bins, frames, 2] → [B, L] (or [.., L, 2] with returnComplex).
 * ```ts
 * const w = hannWindow(16);
 * istft(stft(x, 16, { window: w }), 16, { window: w, length: x.shape[0] }); // ≈ x
 * ```
 */
export function istft(input: T, nFft: number, ...rest: unknown[]): T {
  const op = "istft";
  assertTensor(op, input);
  const o = namedArgs(op, rest, ISTFT_KEYS, []);
  if (typeof nFft !== "number" || !Number.isInteger(nFft)) throw new TensileError(`${op}: nFft must be an integer, got ${fmtValue(nFft)}`);
  const hop = intArg(op, "hopLength", o.hopLength, nFft >> 2);
  const win = intArg(op, "winLength", o.winLength, nFft);
  const center = boolArg(op, "center", o.center, true);
  const normalized = boolArg(op, "normalized", o.normalized, false);
  const onesidedArg = boolArg(op, "onesided", o.onesided, undefined);
  const returnComplex = boolArg(op, "returnComplex", o.returnComplex, false);
  const length = o.length === undefined || o.length === null ? undefined : intArg(op, "length", o.length, 0);
  if (length !== undefined && length < 0) throw new TensileError(`${op}: length must be non-negative, got ${length}`);
  const what = `input ${describe(input)}, nFft=${nFft}, hopLength=${hop}, winLength=${win}`;
  if (!isFloating(input.dtype)) throw new TensileError(`${op}: expected a tensor of floating point values, got ${input.dtype} (${what})`);
  if (input.numel() === 0) throw new TensileError(`${op}: input tensor cannot be empty (${what})`);
  if (input.ndim !== 3 && input.ndim !== 4)
    throw new TensileError(`${op}: expected a tensor with 3 or 4 dimensions ([(batch,) bins, frames, 2]: complex in a trailing dim of 2), but got ${input.ndim} (${what})`);
  if (input.shape[input.ndim - 1] !== 2)
    throw new TensileError(`${op}: expected the last dimension to be 2 (corresponding to real and imaginary parts), but got ${input.shape[input.ndim - 1]} (${what})`);
  const nFrames = input.shape[input.ndim - 2]!, fftSize = input.shape[input.ndim - 3]!;
  const onesided = onesidedArg ?? fftSize !== nFft;
  if (onesided ? (nFft >> 1) + 1 !== fftSize : nFft !== fftSize)
    throw new TensileError(`${op}: expected the frequency dimension (3rd to the last) of the input tensor to match ${onesided ? "nFft / 2 + 1 when onesided=true" : "nFft when onesided=false"}, but got ${fftSize} (${what})`);
  if (!(hop > 0 && hop <= win)) throw new TensileError(`${op}: expected 0 < hopLength <= winLength, but got hopLength=${hop} (${what})`);
  if (!(win > 0 && win <= nFft)) throw new TensileError(`${op}: expected 0 < winLength <= nFft, but got winLength=${win} (${what})`);
  const w = paddedWindow(op, what, input, o.window, win, nFft, true)!;

  const z = (input.ndim === 3 ? input.unsqueeze(0) : input).transpose(1, 2); // [B, F, bins, 2]
  const norm: FftNorm = normalized ? "ortho" : "backward";
  let frames: T;
  if (returnComplex) {
    if (onesided) throw new TensileError(`${op}: Cannot have onesided output if window or input is complex (returnComplex=true needs onesided=false)`);
    frames = ifft(z, null, -1, norm, { complexInput: true }).mul(w.unsqueeze(-1)); // [B, F, nFft, 2]
  } else {
    frames = irfft(onesided ? z : z.narrow(2, 0, (nFft >> 1) + 1), nFft, -1, norm).mul(w); // [B, F, nFft]
  }
  const expected = nFft + hop * (nFrames - 1);
  let y = overlapAdd(frames, hop, expected);
  let env = overlapAdd(w.pow(2).expand([1, nFrames, nFft]), hop, expected); // [1, expected]

  // torch's y.slice(1, start, end): a negative end counts from the end, a long one is clamped
  const start = center ? nFft >> 1 : 0;
  const end = length !== undefined ? start + length : center ? -(nFft >> 1) : expected;
  const stop = end < 0 ? end + expected : Math.min(end, expected);
  const count = Math.max(0, stop - Math.min(start, expected));
  y = y.narrow(1, Math.min(start, expected), count);
  env = env.narrow(1, Math.min(start, expected), count);
  const envelope = env.dataSync();
  let lowest = Infinity;
  for (let i = 0; i < envelope.length; i++) lowest = Math.min(lowest, Math.abs(Number(envelope[i])));
  if (lowest < 1e-11)
    throw new TensileError(`${op}: window overlap add min: ${lowest} is below 1e-11, so the signal cannot be recovered there (the window and hopLength fail the NOLA condition) (${what})`);
  y = y.div(returnComplex ? env.unsqueeze(-1) : env);
  if (input.ndim === 3) y = y.squeeze(0);
  // a length beyond what the frames cover: zeros at the tail, as torch (which warns)
  if (end > expected) y = pad(y, returnComplex ? [0, 0, 0, end - expected] : [0, end - expected]);
  return y;
}
