/**
 * Sampling from tensors of parameters: `bernoulli`, `multinomial`, `normal`, `poisson` (PyTorch's
 * `torch.bernoulli`, `torch.multinomial`, `torch.normal`, `torch.poisson`). Draws come from the
 * global generator (or `generator`) on the host, like `rand`; none of them is differentiable (as in
 * PyTorch, where their results have no grad_fn).
 */
import { TensileError, fmtShape, fmtValue } from "../errors.js";
import { Tensor } from "./tensor.js";
import { type Generator, defaultGenerator } from "./random.js";
import { tensor } from "./creation.js";
import { isFloating } from "./dtype.js";
import { broadcastShapes, numelOf } from "./shape.js";

export interface SampleOptions {
  generator?: Generator;
}

function gen(op: string, opts: SampleOptions | undefined | null): Generator {
  const g = opts?.generator ?? defaultGenerator;
  if (typeof g?.random !== "function") throw new TensileError(`${op}: generator must be a Generator, got ${fmtValue(opts?.generator)}`);
  return g;
}

function floatInput(op: string, name: string, t: unknown): Tensor {
  if (!(t instanceof Tensor)) throw new TensileError(`${op}: expected ${name} to be a Tensor, got ${fmtValue(t)}`);
  if (!isFloating(t.dtype)) throw new TensileError(`${op}: ${name} must be a floating point tensor, got ${t.dtype}`);
  return t;
}

/** 0/1 draws with probability `probs` per element (or `p` for all): same shape and dtype as `probs`. */
export function bernoulli(probs: Tensor, p?: number | SampleOptions | null, opts: SampleOptions = {}): Tensor {
  const op = "bernoulli";
  const input = floatInput(op, "input", probs);
  if (typeof p === "object" || p === undefined) [p, opts] = [undefined, p ?? opts];
  if (p !== undefined && (typeof p !== "number" || !(p >= 0 && p <= 1)))
    throw new TensileError(`${op}: p must be a number in [0, 1], got ${fmtValue(p)}`);
  const g = gen(op, opts);
  const src = p === undefined ? input.contiguous().dataSync() : null;
  const n = input.numel();
  const out = input.dtype === "float64" ? new Float64Array(n) : new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const q = src ? Number(src[i]) : (p as number);
    if (!(q >= 0 && q <= 1)) throw new TensileError(`${op}: expected all probabilities in [0, 1], got ${q} at flat index ${i}`);
    out[i] = g.random() < q ? 1 : 0;
  }
  return tensor(out, { shape: [...input.shape], dtype: input.dtype });
}

/**
 * `numSamples` category indices per row of `input` ([K] or [N, K] non-negative weights, not
 * necessarily normalised): int32 [numSamples] or [N, numSamples]. Without replacement (the
 * default, as PyTorch) a category is drawn at most once per row.
 */
export function multinomial(input: Tensor, numSamples: number, replacement: boolean | SampleOptions = false, opts: SampleOptions = {}): Tensor {
  const op = "multinomial";
  const x = floatInput(op, "input", input);
  if (typeof replacement === "object" && replacement !== null) [replacement, opts] = [false, replacement];
  if (x.ndim !== 1 && x.ndim !== 2) throw new TensileError(`${op}: prob_dist must be 1 or 2 dim, got shape ${fmtShape(x.shape)}`);
  if (!Number.isInteger(numSamples) || numSamples <= 0) throw new TensileError(`${op}: cannot sample n_sample <= 0 samples, got ${fmtValue(numSamples)}`);
  if (typeof replacement !== "boolean") throw new TensileError(`${op}: replacement must be a boolean, got ${fmtValue(replacement)}`);
  const K = x.shape[x.ndim - 1]!;
  if (K === 0) throw new TensileError(`${op}: the last dimension of the input (its categories) must not be empty`);
  if (!replacement && numSamples > K)
    throw new TensileError(`${op}: cannot sample n_sample > prob_dist.size(-1) samples without replacement (${numSamples} > ${K})`);
  const g = gen(op, opts);
  const rows = x.ndim === 1 ? 1 : x.shape[0]!;
  const w = x.contiguous().dataSync();
  const out = new Int32Array(rows * numSamples);
  const cdf = new Float64Array(K);
  for (let r = 0; r < rows; r++) {
    const weights = Array.from({ length: K }, (_, k) => Number(w[r * K + k]));
    for (const v of weights)
      if (!(v >= 0) || !Number.isFinite(v)) throw new TensileError(`${op}: probability tensor contains either inf, nan or element < 0 (row ${r}: ${v})`);
    for (let s = 0; s < numSamples; s++) {
      let total = 0;
      for (let k = 0; k < K; k++) cdf[k] = total += weights[k]!;
      if (!(total > 0))
        throw new TensileError(s === 0 ? `${op}: invalid multinomial distribution (sum of probabilities <= 0) in row ${r}` : `${op}: invalid multinomial distribution: row ${r} has fewer than ${numSamples} categories with non-zero probability to draw without replacement`);
      const u = g.random() * total;
      let lo = 0, hi = K - 1; // first k with cdf[k] > u
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (cdf[mid]! > u) hi = mid;
        else lo = mid + 1;
      }
      while (weights[lo] === 0 && lo < K - 1) lo++; // never a zero-weight category (u can land on a flat step's end)
      out[r * numSamples + s] = lo;
      if (!replacement) weights[lo] = 0;
    }
  }
  return tensor(out, { shape: x.ndim === 1 ? [numSamples] : [rows, numSamples], dtype: "int32" });
}

/**
 * Normal draws with per-element `mean` and `std` (tensors broadcast together, or one of them a
 * number); `normal(mean, std, size)` with two numbers gives a tensor of shape `size`.
 */
export function normal(mean: Tensor | number, std: Tensor | number = 1, size?: readonly number[] | SampleOptions | null, opts: SampleOptions = {}): Tensor {
  const op = "normal";
  if (size !== undefined && size !== null && !Array.isArray(size)) [size, opts] = [undefined, size as SampleOptions];
  const g = gen(op, opts);
  for (const [name, v] of [["mean", mean], ["std", std]] as const)
    if (!(v instanceof Tensor) && typeof v !== "number") throw new TensileError(`${op}: ${name} must be a Tensor or a number, got ${fmtValue(v)}`);
  if (typeof mean === "number" && typeof std === "number") {
    if (!Array.isArray(size)) throw new TensileError(`${op}: with a number mean and std, pass the output size, e.g. normal(0, 1, [2, 3])`);
    if (!(std >= 0)) throw new TensileError(`${op}: expects std >= 0.0, but found std ${std}`);
    const shape = size as number[];
    const out = new Float32Array(numelOf(shape));
    g.fillNormal(out, mean, std);
    return tensor(out, { shape });
  }
  const like = (mean instanceof Tensor ? mean : std) as Tensor;
  floatInput(op, mean instanceof Tensor ? "mean" : "std", like);
  const m = mean instanceof Tensor ? floatInput(op, "mean", mean) : null;
  const s = std instanceof Tensor ? floatInput(op, "std", std) : null;
  const shape = m && s ? m.add(s).shape : like.shape; // PyTorch broadcasts mean and std
  const mv = m ? m.expand(shape).contiguous().dataSync() : null;
  const sv = s ? s.expand(shape).contiguous().dataSync() : null;
  const n = numelOf(shape);
  const out = like.dtype === "float64" ? new Float64Array(n) : new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const sd = sv ? Number(sv[i]) : (std as number);
    if (!(sd >= 0)) throw new TensileError(`${op}: expects all elements of std >= 0.0, got ${sd} at flat index ${i}`);
    out[i] = (mv ? Number(mv[i]) : (mean as number)) + sd * g.normal();
  }
  return tensor(out, { shape: [...shape], dtype: like.dtype });
}

/** One Poisson draw per element with rate `rates` (≥ 0): same shape and dtype. */
export function poisson(rates: Tensor, opts: SampleOptions = {}): Tensor {
  const op = "poisson";
  const x = floatInput(op, "input", rates);
  const g = gen(op, opts);
  const v = x.contiguous().dataSync();
  const out = x.dtype === "float64" ? new Float64Array(v.length) : new Float32Array(v.length);
  for (let i = 0; i < v.length; i++) {
    const lam = Number(v[i]);
    if (!(lam >= 0) || !Number.isFinite(lam)) throw new TensileError(`${op}: rates must be finite and non-negative, got ${lam} at flat index ${i}`);
    out[i] = poissonDraw(g, lam);
  }
  return tensor(out, { shape: [...x.shape], dtype: x.dtype });
}

function logFactorial(k: number): number {
  if (k < 2) return 0;
  // Stirling's series beyond 20 (error < 1e-12), exact sums below
  if (k < 20) {
    let s = 0;
    for (let i = 2; i <= k; i++) s += Math.log(i);
    return s;
  }
  const x = k + 1;
  return (x - 0.5) * Math.log(x) - x + 0.5 * Math.log(2 * Math.PI) + 1 / (12 * x) - 1 / (360 * x ** 3) + 1 / (1260 * x ** 5);
}

/** Knuth's product method below λ = 10; Hörmann's transformed rejection (PTRS, 1993) above. */
function poissonDraw(g: Generator, lam: number): number {
  if (lam === 0) return 0;
  if (lam < 10) {
    const L = Math.exp(-lam);
    let k = 0, p = g.random();
    while (p > L) {
      k++;
      p *= g.random();
    }
    return k;
  }
  const slam = Math.sqrt(lam), loglam = Math.log(lam);
  const b = 0.931 + 2.53 * slam, a = -0.059 + 0.02483 * b;
  const invalpha = 1.1239 + 1.1328 / (b - 3.4), vr = 0.9277 - 3.6224 / (b - 2);
  for (;;) {
    const U = g.random() - 0.5, V = g.random();
    const us = 0.5 - Math.abs(U);
    const k = Math.floor((2 * a / us + b) * U + lam + 0.43);
    if (us >= 0.07 && V <= vr) return k;
    if (k < 0 || (us < 0.013 && V > us)) continue;
    if (Math.log(V) + Math.log(invalpha) - Math.log(a / (us * us) + b) <= -lam + k * loglam - logFactorial(k)) return k;
  }
}

/**
 * One Binomial(count, prob) draw per element (`torch.binomial`): `count` (non-negative integers)
 * and `prob` (in [0, 1]) broadcast together; the result has their shape and `count`'s dtype.
 * Inversion (summing geometric waiting times) below count·min(p, 1 − p) = 10, Hörmann's BTRS
 * (transformed rejection with squeeze, 1993) above, as PyTorch.
 */
export function binomial(count: Tensor, prob: Tensor, opts: SampleOptions = {}): Tensor {
  const op = "binomial";
  const n = floatInput(op, "count", count), p = floatInput(op, "prob", prob);
  const g = gen(op, opts);
  const shape = broadcastShapes(op, n.shape, p.shape);
  const nv = n.expand(shape).contiguous().dataSync(), pv = p.expand(shape).contiguous().dataSync();
  const size = numelOf(shape);
  const out = n.dtype === "float64" ? new Float64Array(size) : new Float32Array(size);
  for (let i = 0; i < size; i++) {
    const c = Number(nv[i]), q = Number(pv[i]);
    if (!(c >= 0) || !Number.isInteger(c)) throw new TensileError(`${op}: count must be a non-negative integer, got ${c} at flat index ${i}`);
    if (!(q >= 0 && q <= 1)) throw new TensileError(`${op}: prob must be in [0, 1], got ${q} at flat index ${i}`);
    out[i] = binomialDraw(g, c, q);
  }
  return tensor(out, { shape: [...shape], dtype: n.dtype });
}

function binomialDraw(g: Generator, n: number, p: number): number {
  if (n === 0 || p === 0) return 0;
  if (p === 1) return n;
  const flip = p > 0.5, q = flip ? 1 - p : p;
  const k = n * q >= 10 ? binomialBtrs(g, n, q) : binomialInversion(g, n, q);
  return flip ? n - k : k;
}

/** The number of successes before the count runs out, from geometric waiting times (small n·p). */
function binomialInversion(g: Generator, n: number, p: number): number {
  const logq = Math.log1p(-p);
  let sum = 0, k = 0;
  for (;;) {
    sum += Math.ceil(Math.log(g.random()) / logq);
    if (sum > n) return k;
    k++;
  }
}

/** log k! − Stirling's approximation of it, (k + ½)·log(k + 1) − (k + 1) + ½·log 2π. */
function stirlingTail(k: number): number {
  if (k < 10) return logFactorial(k) - (k + 0.5) * Math.log(k + 1) + (k + 1) - 0.5 * Math.log(2 * Math.PI);
  const k1 = k + 1, k2 = k1 * k1;
  return (1 / 12 - (1 / 360 - 1 / (1260 * k2)) / k2) / k1;
}

/** Hörmann's BTRS for n·p ≥ 10, p ≤ ½. */
function binomialBtrs(g: Generator, n: number, p: number): number {
  const stddev = Math.sqrt(n * p * (1 - p));
  const b = 1.15 + 2.53 * stddev, a = -0.0873 + 0.0248 * b + 0.01 * p, c = n * p + 0.5;
  const vr = 0.92 - 4.2 / b, r = p / (1 - p), alpha = (2.83 + 5.1 / b) * stddev;
  const m = Math.floor((n + 1) * p);
  for (;;) {
    const U = g.random() - 0.5, V = g.random();
    const us = 0.5 - Math.abs(U);
    const k = Math.floor(((2 * a) / us + b) * U + c);
    if (k < 0 || k > n) continue;
    if (us >= 0.07 && V <= vr) return k;
    const lv = Math.log((V * alpha) / (a / (us * us) + b));
    const bound = (m + 0.5) * Math.log((m + 1) / (r * (n - m + 1))) + (n + 1) * Math.log((n - m + 1) / (n - k + 1))
      + (k + 0.5) * Math.log((r * (n - k + 1)) / (k + 1)) + stirlingTail(m) + stirlingTail(n - m) - stirlingTail(k) - stirlingTail(n - k);
    if (lv <= bound) return k;
  }
}
