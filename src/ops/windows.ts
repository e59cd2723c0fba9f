/**
 * Window functions (torch.hann_window, hamming_window, bartlett_window, blackman_window,
 * kaiser_window) as creation functions: a 1-D float tensor of length windowLength on the current
 * backend. Computed in float64 from PyTorch's formulas and rounded once to the dtype. `periodic`
 * (the default) gives the window of length windowLength + 1 without its last point, for spectral
 * analysis (torch.stft); `periodic: false` gives the symmetric window, for filter design.
 */
import { getBackend } from "../backends/registry.js";
import { TensileError, fmtValue } from "../errors.js";
import { type DType, arrayFor, checkDType, getDefaultDtype, isFloating } from "../tensor/dtype.js";
import { Tensor } from "../tensor/tensor.js";
import { besselI0 } from "./special-math.js";

export interface WindowOptions {
  /** The window of length windowLength + 1 without its last point (default true); false: symmetric. */
  periodic?: boolean;
  /** float32 (default) or float64. */
  dtype?: DType;
  requiresGrad?: boolean;
}
export interface HammingWindowOptions extends WindowOptions {
  /** w = alpha − beta·cos(2πn/(N − 1)); default 0.54. */
  alpha?: number;
  /** default 0.46. */
  beta?: number;
}
export interface KaiserWindowOptions extends WindowOptions {
  /** The shape parameter: I0(beta·√(1 − ((n − α)/α)²))/I0(beta), α = (N − 1)/2; default 12. */
  beta?: number;
}

/**
 * The window of length n: `values(N)` gives the N points of the symmetric window (N = n + 1 when
 * periodic); lengths 0 and 1 give [] and [1], as PyTorch.
 */
function makeWindow(name: string, n: unknown, opts: WindowOptions | boolean | null | undefined, values: (N: number) => Float64Array): Tensor {
  if (typeof n !== "number" || !Number.isInteger(n)) throw new TensileError(`${name}: expected windowLength to be an integer, got ${fmtValue(n)}`);
  if (n < 0) throw new TensileError(`${name}: requires non-negative windowLength, got windowLength=${n}`);
  const o: WindowOptions = typeof opts === "boolean" ? { periodic: opts } : opts ?? {};
  if (typeof o !== "object") throw new TensileError(`${name}: expected an options object or a boolean (periodic), got ${fmtValue(opts)}`);
  const periodic = o.periodic ?? true;
  if (typeof periodic !== "boolean") throw new TensileError(`${name}: expected periodic to be a boolean, got ${fmtValue(periodic)}`);
  const dtype = checkDType(name, o.dtype ?? getDefaultDtype());
  if (!isFloating(dtype)) throw new TensileError(`${name}: expects floating point dtypes, got ${dtype}`);
  const out = arrayFor(dtype, n);
  if (n === 1) out[0] = 1;
  else if (n > 1) out.set(values(periodic ? n + 1 : n).subarray(0, n));
  const b = getBackend();
  const t = new Tensor(b.fromArray(out), b, [n]);
  if (o.requiresGrad) t.requiresGrad = true;
  return t;
}

function numberOption(name: string, key: string, v: unknown, dflt: number): number {
  if (v === undefined || v === null) return dflt;
  if (typeof v !== "number") throw new TensileError(`${name}: expected ${key} to be a number, got ${fmtValue(v)}`);
  return v;
}

/** α − β·cos(2πk/(N − 1)), k = 0 … N − 1. */
function cosineWindow(N: number, alpha: number, beta: number): Float64Array {
  const w = new Float64Array(N);
  for (let k = 0; k < N; k++) w[k] = alpha - beta * Math.cos((2 * Math.PI * k) / (N - 1));
  return w;
}

/** The Hann window ½ − ½·cos(2πk/(N − 1)) (torch.hann_window). */
export function hannWindow(windowLength: number, options: WindowOptions | boolean | null = {}): Tensor {
  return makeWindow("hannWindow", windowLength, options, (N) => cosineWindow(N, 0.5, 0.5));
}

/** The Hamming window alpha − beta·cos(2πk/(N − 1)), alpha = 0.54, beta = 0.46 by default (torch.hamming_window). */
export function hammingWindow(windowLength: number, options: HammingWindowOptions | boolean | null = {}): Tensor {
  const o = typeof options === "object" && options !== null ? options : {};
  const alpha = numberOption("hammingWindow", "alpha", o.alpha, 0.54), beta = numberOption("hammingWindow", "beta", o.beta, 0.46);
  return makeWindow("hammingWindow", windowLength, options, (N) => cosineWindow(N, alpha, beta));
}

/** The triangular Bartlett window 1 − |2k/(N − 1) − 1| (torch.bartlett_window). */
export function bartlettWindow(windowLength: number, options: WindowOptions | boolean | null = {}): Tensor {
  return makeWindow("bartlettWindow", windowLength, options, (N) => {
    const w = new Float64Array(N);
    for (let k = 0; k < N; k++) {
      const v = (2 * k) / (N - 1);
      w[k] = k <= (N - 1) >> 1 ? v : 2 - v;
    }
    return w;
  });
}

/** The Blackman window 0.42 − 0.5·cos(2πk/(N − 1)) + 0.08·cos(4πk/(N − 1)) (torch.blackman_window). */
export function blackmanWindow(windowLength: number, options: WindowOptions | boolean | null = {}): Tensor {
  return makeWindow("blackmanWindow", windowLength, options, (N) => {
    const w = new Float64Array(N);
    for (let k = 0; k < N; k++) {
      const t = (Math.PI * k) / (N - 1);
      w[k] = 0.08 * Math.cos(4 * t) - 0.5 * Math.cos(2 * t) + 0.42;
    }
    return w;
  });
}

/** The Kaiser window I0(β·√(1 − ((k − α)/α)²))/I0(β), α = (N − 1)/2, β = 12 by default (torch.kaiser_window). */
export function kaiserWindow(windowLength: number, options: KaiserWindowOptions | boolean | null = {}): Tensor {
  const o = typeof options === "object" && options !== null ? options : {};
  const beta = numberOption("kaiserWindow", "beta", o.beta, 12);
  return makeWindow("kaiserWindow", windowLength, options, (N) => {
    const w = new Float64Array(N);
    const alpha = (N - 1) / 2, norm = besselI0(beta);
    for (let k = 0; k < N; k++) {
      const r = (k - alpha) / alpha;
      w[k] = besselI0(beta * Math.sqrt(1 - r * r)) / norm;
    }
    return w;
  });
}
