/**
 * Small synthetic datasets for tests and demos, seeded through the core generator (the default one
 * unless `generator` is given). Classification sets return `TensorDataset(X float32 [N, 2], y int32 [N])`.
 */
import { Generator, Tensor, tensor } from "../../core.js";
import { TensileError } from "../../errors.js";
import { TensorDataset } from "../dataset.js";
import { normals, permutation, uniforms } from "../random.js";

export interface SyntheticOptions {
  /** Standard deviation of Gaussian noise added to the coordinates (default 0). */
  noise?: number;
  /** Shuffle the samples (default true; false keeps them grouped by class). */
  shuffle?: boolean;
  generator?: Generator;
}

function checkN(op: string, n: number, min = 1): void {
  if (!Number.isInteger(n) || n < min) throw new TensileError(`${op}: nSamples must be an integer >= ${min}, got ${n}`);
}

function checkNoise(op: string, noise: number): void {
  if (!(noise >= 0)) throw new TensileError(`${op}: noise must be a non-negative number, got ${noise}`);
}

/** Adds noise, shuffles (optionally) and wraps points `xy` [n·2] with labels. */
function finish(xy: Float64Array, labels: Int32Array, options: SyntheticOptions): TensorDataset<[Tensor, Tensor]> {
  const n = labels.length;
  const noise = options.noise ?? 0;
  if (noise > 0) {
    const z = normals(2 * n, options.generator);
    for (let i = 0; i < 2 * n; i++) xy[i]! += noise * z[i]!;
  }
  const x = new Float32Array(2 * n), y = new Int32Array(n);
  const order = options.shuffle ?? true ? permutation(n, options.generator) : Int32Array.from({ length: n }, (_, i) => i);
  order.forEach((src, k) => {
    x[2 * k] = xy[2 * src]!;
    x[2 * k + 1] = xy[2 * src + 1]!;
    y[k] = labels[src]!;
  });
  return new TensorDataset(tensor(x, { shape: [n, 2], dtype: "float32" }), tensor(y, { shape: [n], dtype: "int32" }));
}

/** sklearn's `make_moons`: two interleaving half circles (class 0 upper, class 1 lower). */
export function makeMoons(nSamples = 100, options: SyntheticOptions = {}): TensorDataset<[Tensor, Tensor]> {
  options ??= {};
  checkN("makeMoons", nSamples, 2);
  checkNoise("makeMoons", options.noise ?? 0);
  const nOut = Math.floor(nSamples / 2), nIn = nSamples - nOut;
  const xy = new Float64Array(2 * nSamples), y = new Int32Array(nSamples);
  for (let i = 0; i < nOut; i++) {
    const t = nOut === 1 ? 0 : (Math.PI * i) / (nOut - 1);
    xy[2 * i] = Math.cos(t);
    xy[2 * i + 1] = Math.sin(t);
  }
  for (let i = 0; i < nIn; i++) {
    const t = nIn === 1 ? 0 : (Math.PI * i) / (nIn - 1);
    xy[2 * (nOut + i)] = 1 - Math.cos(t);
    xy[2 * (nOut + i) + 1] = 1 - Math.sin(t) - 0.5;
    y[nOut + i] = 1;
  }
  return finish(xy, y, options);
}

/** sklearn's `make_circles`: an outer circle (class 0, radius 1) around an inner one (class 1, radius `factor`). */
export function makeCircles(nSamples = 100, options: SyntheticOptions & { factor?: number } = {}): TensorDataset<[Tensor, Tensor]> {
  options ??= {};
  checkN("makeCircles", nSamples, 2);
  checkNoise("makeCircles", options.noise ?? 0);
  const factor = options.factor ?? 0.8;
  if (!(factor >= 0 && factor < 1)) throw new TensileError(`makeCircles: factor has to be between 0 and 1, got ${factor}`);
  const nOut = Math.floor(nSamples / 2), nIn = nSamples - nOut;
  const xy = new Float64Array(2 * nSamples), y = new Int32Array(nSamples);
  for (let i = 0; i < nOut; i++) {
    const t = (2 * Math.PI * i) / nOut;
    xy[2 * i] = Math.cos(t);
    xy[2 * i + 1] = Math.sin(t);
  }
  for (let i = 0; i < nIn; i++) {
    const t = (2 * Math.PI * i) / nIn;
    xy[2 * (nOut + i)] = factor * Math.cos(t);
    xy[2 * (nOut + i) + 1] = factor * Math.sin(t);
    y[nOut + i] = 1;
  }
  return finish(xy, y, options);
}

/**
 * Interleaved spirals (the CS231n toy set): `classes` arms of `nSamples / classes` points each, radius
 * growing 0 → 1 over `turns` turns, with Gaussian noise of std `angleNoise` (default 0.2) on the angle.
 */
export function makeSpirals(
  nSamples = 300,
  options: SyntheticOptions & { classes?: number; turns?: number; angleNoise?: number } = {},
): TensorDataset<[Tensor, Tensor]> {
  options ??= {};
  const classes = options.classes ?? 2;
  if (!Number.isInteger(classes) || classes < 2) throw new TensileError(`makeSpirals: classes must be an integer >= 2, got ${classes}`);
  checkN("makeSpirals", nSamples, classes);
  checkNoise("makeSpirals", options.noise ?? 0);
  const turns = options.turns ?? 1;
  const angleNoise = options.angleNoise ?? 0.2;
  const xy = new Float64Array(2 * nSamples), y = new Int32Array(nSamples);
  const z = normals(nSamples, options.generator);
  let i = 0;
  for (let c = 0; c < classes; c++) {
    const count = Math.floor(nSamples / classes) + (c < nSamples % classes ? 1 : 0);
    for (let k = 0; k < count; k++, i++) {
      const r = count === 1 ? 1 : k / (count - 1);
      const t = (2 * Math.PI * c) / classes + 2 * Math.PI * turns * r + angleNoise * z[i]!;
      xy[2 * i] = r * Math.sin(t);
      xy[2 * i + 1] = r * Math.cos(t);
      y[i] = c;
    }
  }
  return finish(xy, y, options);
}

/** Points uniform in [-1, 1]², labelled 1 when exactly one coordinate is positive (XOR of the signs). */
export function makeXor(nSamples = 200, options: SyntheticOptions = {}): TensorDataset<[Tensor, Tensor]> {
  options ??= {};
  checkN("makeXor", nSamples);
  checkNoise("makeXor", options.noise ?? 0);
  const u = uniforms(2 * nSamples, options.generator);
  const xy = new Float64Array(2 * nSamples), y = new Int32Array(nSamples);
  for (let i = 0; i < nSamples; i++) {
    xy[2 * i] = 2 * u[2 * i]! - 1;
    xy[2 * i + 1] = 2 * u[2 * i + 1]! - 1;
    y[i] = xy[2 * i]! > 0 !== xy[2 * i + 1]! > 0 ? 1 : 0;
  }
  return finish(xy, y, { ...options, shuffle: false });
}

export interface NoisySineOptions {
  /** Input window length (default 20). */
  window?: number;
  /** Period of the sine in time steps (default 25). */
  period?: number;
  /** Standard deviation of Gaussian noise on the series (default 0.05). */
  noise?: number;
  generator?: Generator;
}

/**
 * A time-series regression set: the series s_t = sin(2πt / period) + noise·ε_t, t = 0 … nSamples +
 * window − 1, cut into windows: input s[i : i + window] (float32 [N, window]) → target s[i + window]
 * (float32 [N, 1]). For recurrent models, `x.unsqueeze(-1)` gives [N, window, 1].
 */
export function noisySine(nSamples = 1000, options: NoisySineOptions = {}): TensorDataset<[Tensor, Tensor]> {
  options ??= {};
  checkN("noisySine", nSamples);
  const { window = 20, period = 25, noise = 0.05 } = options;
  if (!Number.isInteger(window) || window < 1) throw new TensileError(`noisySine: window must be a positive integer, got ${window}`);
  if (!(period > 0)) throw new TensileError(`noisySine: period must be positive, got ${period}`);
  checkNoise("noisySine", noise);
  const len = nSamples + window;
  const z = noise > 0 ? normals(len, options.generator) : new Float64Array(len);
  const s = new Float64Array(len);
  for (let t = 0; t < len; t++) s[t] = Math.sin((2 * Math.PI * t) / period) + noise * z[t]!;
  const x = new Float32Array(nSamples * window), y = new Float32Array(nSamples);
  for (let i = 0; i < nSamples; i++) {
    x.set(s.subarray(i, i + window), i * window);
    y[i] = s[i + window]!;
  }
  return new TensorDataset(tensor(x, { shape: [nSamples, window], dtype: "float32" }), tensor(y, { shape: [nSamples, 1], dtype: "float32" }));
}
