/**
 * The host kernel of `torch.fft`: an unnormalised 1-D complex DFT of any length in float64,
 * X_k = Σ_j x_j·e^(∓2πi·jk/n) (− forward, + inverse), in O(n log n) for every n:
 * - n a power of two: iterative radix-2 Cooley–Tukey (bit-reversal permutation, then log₂ n
 *   passes of butterflies) with twiddles e^(−2πi·k/n) computed directly, not by recurrence;
 * - any other n: Bluestein's chirp-z. With jk = (j² + k² − (k−j)²)/2,
 *   X_k = w_k·Σ_j (x_j·w_j)·conj(w_{k−j}), w_m = e^(−πi·m²/n): a circular convolution of
 *   length M ≥ 2n − 1 (a power of two), done with three radix-2 transforms.
 * The inverse is conj(DFT(conj(x))). Plans (twiddles, the chirp and its spectrum) are cached per n.
 */

interface Radix2Plan { n: number; rev: Uint32Array; cos: Float64Array; sin: Float64Array }
interface BluesteinPlan { n: number; m: Radix2Plan; wRe: Float64Array; wIm: Float64Array; bRe: Float64Array; bIm: Float64Array }

const radix2Plans = new Map<number, Radix2Plan>();
const bluesteinPlans = new Map<number, BluesteinPlan>();
const MAX_CACHED = 32;

function remember<P>(cache: Map<number, P>, n: number, make: () => P): P {
  let p = cache.get(n);
  if (!p) {
    if (cache.size >= MAX_CACHED) cache.delete(cache.keys().next().value!);
    p = make();
    cache.set(n, p);
  }
  return p;
}

const isPow2 = (n: number): boolean => (n & (n - 1)) === 0;

function radix2Plan(n: number): Radix2Plan {
  return remember(radix2Plans, n, () => {
    const bits = Math.round(Math.log2(n));
    const rev = new Uint32Array(n);
    for (let i = 1; i < n; i++) rev[i] = (rev[i >> 1]! >> 1) | ((i & 1) << (bits - 1));
    const half = n >> 1, cos = new Float64Array(half), sin = new Float64Array(half);
    for (let k = 0; k < half; k++) {
      // exact values at the quarter points keep e.g. a length-4 DFT exact
      const a = (2 * Math.PI * k) / n;
      cos[k] = 4 * k === n ? 0 : Math.cos(a);
      sin[k] = -(4 * k === n ? 1 : Math.sin(a));
    }
    return { n, rev, cos, sin };
  });
}

/** In-place forward DFT of (re, im), n = re.length a power of two. */
function radix2(p: Radix2Plan, re: Float64Array, im: Float64Array): void {
  const { n, rev, cos, sin } = p;
  for (let i = 0; i < n; i++) {
    const j = rev[i]!;
    if (j > i) {
      let t = re[i]!; re[i] = re[j]!; re[j] = t;
      t = im[i]!; im[i] = im[j]!; im[j] = t;
    }
  }
  for (let size = 2; size <= n; size <<= 1) {
    const half = size >> 1, step = n / size;
    for (let start = 0; start < n; start += size)
      for (let k = 0; k < half; k++) {
        const wr = cos[k * step]!, wi = sin[k * step]!;
        const a = start + k, b = a + half;
        const xr = re[b]! * wr - im[b]! * wi, xi = re[b]! * wi + im[b]! * wr;
        re[b] = re[a]! - xr; im[b] = im[a]! - xi;
        re[a] = re[a]! + xr; im[a] = im[a]! + xi;
      }
  }
}

function bluesteinPlan(n: number): BluesteinPlan {
  return remember(bluesteinPlans, n, () => {
    let size = 1;
    while (size < 2 * n - 1) size <<= 1;
    const m = radix2Plan(size);
    const wRe = new Float64Array(n), wIm = new Float64Array(n);
    for (let k = 0; k < n; k++) {
      // k² mod 2n keeps the angle small, so it stays accurate for large k
      const a = (Math.PI * ((k * k) % (2 * n))) / n;
      wRe[k] = Math.cos(a); wIm[k] = -Math.sin(a);
    }
    // b = conj(w) laid out circularly (b_{−k} = b_k), transformed once
    const bRe = new Float64Array(size), bIm = new Float64Array(size);
    for (let k = 0; k < n; k++) {
      bRe[k] = wRe[k]!; bIm[k] = -wIm[k]!;
      if (k > 0) { bRe[size - k] = wRe[k]!; bIm[size - k] = -wIm[k]!; }
    }
    radix2(m, bRe, bIm);
    return { n, m, wRe, wIm, bRe, bIm };
  });
}

function bluestein(p: BluesteinPlan, re: Float64Array, im: Float64Array): void {
  const { n, m, wRe, wIm, bRe, bIm } = p;
  const size = m.n, aRe = new Float64Array(size), aIm = new Float64Array(size);
  for (let k = 0; k < n; k++) {
    aRe[k] = re[k]! * wRe[k]! - im[k]! * wIm[k]!;
    aIm[k] = re[k]! * wIm[k]! + im[k]! * wRe[k]!;
  }
  radix2(m, aRe, aIm);
  // pointwise product, then the inverse transform as conj(DFT(conj(·)))/size
  for (let k = 0; k < size; k++) {
    const r = aRe[k]! * bRe[k]! - aIm[k]! * bIm[k]!, i = aRe[k]! * bIm[k]! + aIm[k]! * bRe[k]!;
    aRe[k] = r; aIm[k] = -i;
  }
  radix2(m, aRe, aIm);
  for (let k = 0; k < n; k++) {
    const cr = aRe[k]! / size, ci = -aIm[k]! / size;
    re[k] = cr * wRe[k]! - ci * wIm[k]!;
    im[k] = cr * wIm[k]! + ci * wRe[k]!;
  }
}

/** In-place unnormalised DFT of the complex vector (re, im) of any length n ≥ 1; `inverse` flips the exponent's sign. */
export function dft(re: Float64Array, im: Float64Array, inverse: boolean): void {
  const n = re.length;
  if (n <= 1) return;
  if (inverse) for (let k = 0; k < n; k++) im[k] = -im[k]!;
  if (isPow2(n)) radix2(radix2Plan(n), re, im);
  else bluestein(bluesteinPlan(n), re, im);
  if (inverse) for (let k = 0; k < n; k++) im[k] = -im[k]!;
}
