/**
 * The `fft` namespace (torch.fft), what the op table cannot show: every sample of
 * fixtures/ops-fft.json (PyTorch 1.13 values, tools/gen-fft-fixtures.py) runs in test/ops.test.ts on
 * every backend with a float64 gradcheck; here, that every function has samples, errors, long and
 * prime lengths against a direct DFT, round trips, second derivatives.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import * as core from "../src/core.js";
import { Tensor, TensileError } from "../src/core.js";
import { fft } from "../src/index.js";
import { loadFixture } from "./helpers/fixtures.js";

const fftOps = fft as unknown as Record<string, (...a: unknown[]) => unknown>;
const { samples } = loadFixture("ops-fft.json");

test("every fft function has fixture samples", () => {
  const covered = new Set(samples.map((s) => s.op.slice(4)));
  assert.deepEqual(Object.keys(fft).filter((k) => typeof fftOps[k] === "function" && !covered.has(k)), []);
});

/** The DFT by its definition, in float64: X_k = Σ_j x_j e^(∓2πi jk/n). */
function directDft(re: number[], im: number[], inverse: boolean): [number[], number[]] {
  const n = re.length, sign = inverse ? 1 : -1;
  const outRe: number[] = [], outIm: number[] = [];
  for (let k = 0; k < n; k++) {
    let sr = 0, si = 0;
    for (let j = 0; j < n; j++) {
      const a = (sign * 2 * Math.PI * ((j * k) % n)) / n;
      sr += re[j]! * Math.cos(a) - im[j]! * Math.sin(a);
      si += re[j]! * Math.sin(a) + im[j]! * Math.cos(a);
    }
    outRe.push(sr); outIm.push(si);
  }
  return [outRe, outIm];
}

test("fft matches the direct DFT in float64 for powers of two, primes and composite lengths up to 1000", () => {
  for (const n of [1, 2, 3, 4, 16, 97, 100, 127, 128, 360, 1000, 1024])
    for (const inverse of [false, true]) {
      const re = Array.from({ length: n }, (_, i) => Math.sin(i * 1.7) + 0.3 * Math.cos(i * i * 0.01));
      const im = Array.from({ length: n }, (_, i) => Math.cos(i * 0.9) - 0.2);
      const z = core.tensor(re.flatMap((r, i) => [r, im[i]!]), { dtype: "float64" }).reshape([n, 2]);
      const got = (inverse ? fft.ifft(z, null, -1, "forward", { complexInput: true }) : fft.fft(z, { complexInput: true })).dataSync();
      const [wr, wi] = directDft(re, im, inverse);
      const scale = Math.max(...wr.map(Math.abs), ...wi.map(Math.abs));
      for (let k = 0; k < n; k++) {
        assert.ok(Math.abs(got[2 * k]! - wr[k]!) <= 1e-12 * scale, `n ${n} ${inverse ? "inverse" : "forward"} bin ${k} re: ${got[2 * k]} vs ${wr[k]}`);
        assert.ok(Math.abs(got[2 * k + 1]! - wi[k]!) <= 1e-12 * scale, `n ${n} bin ${k} im: ${got[2 * k + 1]} vs ${wi[k]}`);
      }
    }
});

test("round trips: ifft∘fft, irfft∘rfft, irfftn∘rfftn and ihfft∘hfft give the input back", () => {
  const x = core.tensor(Array.from({ length: 3 * 10 * 7 }, (_, i) => Math.sin(i * 0.37)), { dtype: "float64" }).reshape([3, 10, 7]);
  const close = (a: Tensor, b: Tensor, what: string) =>
    a.dataSync().forEach((v, i) => assert.ok(Math.abs(v - b.dataSync()[i]!) < 1e-12, `${what} element ${i}: ${v} vs ${b.dataSync()[i]}`));
  close(fft.ifft(fft.fft(x, null, 1), null, 1, null, { complexInput: true }).select(-1, 0), x, "ifft(fft)");
  close(fft.irfft(fft.rfft(x, null, -1, "ortho"), 7, -1, "ortho"), x, "irfft(rfft)");
  close(fft.irfftn(fft.rfftn(x), [3, 10, 7]), x, "irfftn(rfftn)");
  const h = fft.ihfft(x, null, 1);
  close(fft.hfft(h, 10, 1), x, "hfft(ihfft)");
  close(fft.ifftshift(fft.fftshift(x)), x, "ifftshift(fftshift)");
});

test("float32 input gives float32, int32 and bool give float32, float64 stays float64; results have PyTorch's shapes", () => {
  assert.equal(fft.fft(core.tensor([1, 2, 3], { dtype: "int32" })).dtype, "float32");
  assert.equal(fft.rfft(core.tensor([true, false, true])).dtype, "float32");
  assert.equal(fft.irfft(core.zeros([4, 2], { dtype: "float64" })).dtype, "float64");
  assert.deepEqual(fft.rfft2(core.zeros([3, 5, 6])).shape, [3, 5, 4, 2]);
  assert.deepEqual(fft.irfftn(core.zeros([3, 5, 4, 2])).shape, [3, 5, 6]);
  assert.deepEqual(fft.hfft(core.zeros([5, 2])).shape, [8]);
  assert.deepEqual(fft.fftn(core.zeros([2, 3]), [4]).shape, [2, 4, 2]);
  assert.deepEqual(fft.fft(core.zeros([0, 3])).shape, [0, 3, 2]);
});

test("second derivatives flow through the transforms (createGraph)", () => {
  const x = core.tensor([0.5, -1, 2, 0.25, 1.5], { dtype: "float64", requiresGrad: true });
  // f(x) = Σ |rfft(x)|² = Σ_k w_k |X_k|² (Parseval, half spectrum); ∂f/∂x is linear in x, so
  // the Hessian-vector product with v = 1 is (∂/∂x)(∂f/∂x · 1), computed once directly
  const f = (t: Tensor) => fft.rfft(t).pow(2).sum();
  const [g] = core.grad([f(x)], [x], { createGraph: true });
  const [h] = core.grad([g!.sum()], [x]);
  // by hand: f = x·A·x with A = Σ_k Re(e_k e_k^H) over bins 0..2 of n = 5; check against finite differences of g
  const eps = 1e-6, base = [0.5, -1, 2, 0.25, 1.5];
  const gAt = (v: number[]) => {
    const t = core.tensor(v, { dtype: "float64", requiresGrad: true });
    return core.grad([f(t)], [t])[0]!.sum().item();
  };
  base.forEach((_, i) => {
    const up = base.map((v, j) => (j === i ? v + eps : v)), down = base.map((v, j) => (j === i ? v - eps : v));
    const numeric = (gAt(up) - gAt(down)) / (2 * eps);
    assert.ok(Math.abs(h!.dataSync()[i]! - numeric) < 1e-6, `element ${i}: ${h!.dataSync()[i]} vs ${numeric}`);
  });
});

test("errors name the op and the value at fault, as PyTorch's", () => {
  const x = core.zeros([4, 3]);
  const throws = (fn: () => unknown, re: RegExp) => assert.throws(fn, (e: unknown) => e instanceof TensileError && re.test(e.message));
  throws(() => fft.fft(x, 0), /^fft\.fft: Invalid number of data points \(0\) specified/);
  throws(() => fft.rfft(x, -2), /^fft\.rfft: Invalid number of data points \(-2\)/);
  throws(() => fft.fft(core.zeros([0])), /Invalid number of data points \(0\)/);
  throws(() => fft.irfft(core.zeros([1, 2])), /^fft\.irfft: Invalid number of data points \(0\)/);
  throws(() => fft.fft(x, null, 2), /^fft\.fft: dimension out of range \(expected to be in range of \[-2, 1\], but got 2\)/);
  throws(() => fft.fft(core.zeros([4, 2]), null, 1, null, { complexInput: true }), /dimension out of range \(expected to be in range of \[-1, 0\], but got 1\)/);
  throws(() => fft.fft(x, null, -1, "bad" as never), /^fft\.fft: Invalid normalization mode: "bad"/);
  throws(() => fft.fftn(x, null, [0, -2]), /^fft\.fftn: FFT dims must be unique/);
  throws(() => fft.fftn(x, [2, 2], [0]), /^fft\.fftn: When given, dim and shape arguments must have the same length/);
  throws(() => fft.fftn(x, [2, 2, 2]), /^fft\.fftn: Got shape with 3 values but input tensor only has 2 dimensions/);
  throws(() => fft.fft2(core.zeros([3])), /^fft\.fft2: dimension out of range/);
  throws(() => fft.fftn(x, [0, 3]), /Invalid number of data points \(0\)/);
  throws(() => fft.irfft(x), /^fft\.irfft: a complex input must have a trailing dim of size 2/);
  throws(() => fft.fft(x, { complexInput: true }), /^fft\.fft: a complex input must have a trailing dim of size 2 .*shape=\[4, 3\]/);
  throws(() => fft.rfft(x, { complexInput: true } as never), /^fft\.rfft: unknown option "complexInput" \(it takes none\)/);
  throws(() => fft.rfftn(x, null, []), /^fft\.rfftn: must transform at least one axis/);
  throws(() => fft.fftfreq(-1), /^fft\.fftfreq: n must be a non-negative integer, got -1/);
  throws(() => fft.fftfreq(4, 1, { dtype: "int32" }), /^fft\.fftfreq: dtype must be float32 or float64/);
  throws(() => fft.fft(core.tensor(1)), /^fft\.fft: expected a signal with at least one dim/);
  throws(() => fft.fftn(core.tensor(1)), /^fft\.fftn: expected a signal with at least one dim/);
  throws(() => fft.fft(x, 2.5), /^fft\.fft: n must be an integer or null, got 2\.5/);
});

test("options: a lone trailing options object works in any position; fftshift of a complex input leaves (re, im) pairs intact", () => {
  const z = core.tensor([[1, 10], [2, 20], [3, 30], [4, 40], [5, 50]]);
  const a = fft.fft(z, { complexInput: true }).dataSync();
  const b = fft.fft(z, null, -1, null, { complexInput: true }).dataSync();
  assert.deepEqual([...a], [...b]);
  assert.deepEqual(fft.fftshift(z, { complexInput: true }).toArray(), [[4, 40], [5, 50], [1, 10], [2, 20], [3, 30]]);
  assert.deepEqual(fft.ifftshift(z, null, { complexInput: true }).toArray(), [[3, 30], [4, 40], [5, 50], [1, 10], [2, 20]]);
  assert.deepEqual(fft.fftfreq(4, { dtype: "float64" }).toArray(), [0, 0.25, -0.5, -0.25]);
  assert.equal(fft.rfftfreq(4, 1, { requiresGrad: true }).requiresGrad, true);
});

// ---------- hfft2/hfftn, stft/istft ----------

const seq = (n: number, f = 0.37) => Array.from({ length: n }, (_, i) => Math.sin(i * f) + 0.5 * Math.cos(i * i * 0.013));
const f64 = (data: number[], shape: number[]) => core.tensor(data, { dtype: "float64" }).reshape(shape);
function assertAllClose(a: Tensor, b: Tensor, what: string, tol = 1e-12): void {
  assert.deepEqual(a.shape, b.shape, `${what}: shape`);
  const x = a.dataSync(), y = b.dataSync();
  for (let i = 0; i < x.length; i++) assert.ok(Math.abs(x[i]! - y[i]!) <= tol, `${what} element ${i}: ${x[i]} vs ${y[i]}`);
}

test("stft and istft have fixture samples (torch.stft / torch.istft), and are Tensor methods", () => {
  const ops = new Set(samples.map((s) => s.op));
  for (const op of ["stft", "istft"]) assert.ok(ops.has(op), op);
  const x = f64(seq(20), [20]);
  assertAllClose(x.stft(8, 2, null, null, false), core.stft(x, 8, { hopLength: 2, center: false }), "x.stft");
  const z = core.stft(x, 8);
  assertAllClose(z.istft(8, { length: 20 }), core.istft(z, 8, null, null, null, true, false, null, 20), "z.istft");
});

test("hfftn∘ihfftn and hfft2∘ihfft2 give the input back; hfftn is irfftn of the conjugate with the norm swapped", () => {
  const x = f64(seq(3 * 6 * 7), [3, 6, 7]);
  assertAllClose(fft.hfftn(fft.ihfftn(x), [3, 6, 7]), x, "hfftn(ihfftn)");
  assertAllClose(fft.hfft2(fft.ihfft2(x, null, [0, 2], "ortho"), [3, 7], [0, 2], "ortho"), x, "hfft2(ihfft2)");
  const z = f64(seq(4 * 5 * 2, 0.9), [4, 5, 2]);
  const conj = z.mul(f64([1, -1], [2]));
  assertAllClose(fft.hfftn(z, null, null, "forward"), fft.irfftn(conj), "hfftn vs irfftn");
});

test("istft(stft(x)) ≈ x over nFft, hop, windows, centring, pad modes, onesided, normalized, batches and complex signals", () => {
  const hann = (n: number) => core.hannWindow(n, { dtype: "float64" });
  const hamming = (n: number) => core.hammingWindow(n, { dtype: "float64" });
  let cases = 0;
  for (const nFft of [4, 7, 8, 16])
    for (const hopDiv of [1, 2, 4])
      for (const [winName, win] of [["ones", null], ["hann", hann], ["hamming", hamming], ["hamming-short", (n: number) => hamming(n - 1)]] as const)
        for (const center of [true, false])
          for (const padMode of center ? (["reflect", "constant", "replicate", "circular"] as const) : (["reflect"] as const))
            for (const onesided of [true, false])
              for (const batched of [false, true]) {
                const hop = Math.max(1, Math.floor(nFft / hopDiv));
                const window = win ? win(nFft) : null;
                const winLength = window ? window.shape[0]! : nFft;
                // hann is 0 at its first point: without centring (or with hop = nFft) some samples cannot be recovered (NOLA), as in torch
                if (winName === "hann" && (!center || hop === nFft)) continue;
                if (winName === "hamming-short" && !center) continue; // its zero-padded last point ends the last frame
                if (hop > winLength) continue;
                const L = 37;
                const x = batched ? f64(seq(2 * L), [2, L]) : f64(seq(L), [L]);
                const what = `nFft ${nFft} hop ${hop} ${winName} center ${center} ${padMode} onesided ${onesided} batched ${batched}`;
                const normalized = (nFft + hop) % 2 === 0;
                const opts = { hopLength: hop, winLength, window, normalized, onesided };
                const z = core.stft(x, nFft, { ...opts, center, padMode });
                const frames = 1 + Math.floor((L + (center ? 2 * (nFft >> 1) : 0) - nFft) / hop);
                assert.deepEqual(z.shape, [...(batched ? [2] : []), onesided ? (nFft >> 1) + 1 : nFft, frames, 2], what);
                // the frames cover the first nFft + hop·(frames − 1) samples of the (padded) signal
                const covered = Math.min(L, nFft + hop * (frames - 1) - (center ? nFft >> 1 : 0));
                const y = core.istft(z, nFft, { ...opts, center, length: covered });
                assertAllClose(y, x.narrow(-1, 0, covered), what, 1e-10);
                cases++;
              }
  assert.ok(cases > 300, `${cases} round trips`);
  // a complex signal: stft with complexInput, istft with returnComplex (two-sided)
  const zc = f64(seq(2 * 30 * 2, 0.61), [2, 30, 2]);
  const w = core.hannWindow(10, { dtype: "float64" });
  const spec = core.stft(zc, 10, { hopLength: 3, window: w, complexInput: true });
  assert.deepEqual(spec.shape, [2, 10, 11, 2]);
  assertAllClose(core.istft(spec, 10, { hopLength: 3, window: w, returnComplex: true, length: 30 }), zc, "complex round trip", 1e-10);
});

test("stft's returnComplex changes nothing (the layout is always a trailing 2); istft's length pads the tail with zeros", () => {
  const x = f64(seq(24), [24]);
  assertAllClose(core.stft(x, 8, { returnComplex: true }), core.stft(x, 8, { returnComplex: false }), "returnComplex");
  const y = core.istft(core.stft(x, 8), 8, { length: 40 });
  assert.deepEqual(y.shape, [40]);
  assertAllClose(y.narrow(0, 0, 24), x, "head", 1e-10);
  assert.deepEqual([...y.narrow(0, 28, 12).dataSync()], Array(12).fill(0));
});

test("stft/istft: gradients flow to the signal and the window, and second derivatives work", () => {
  const x = core.tensor(seq(16), { dtype: "float64", requiresGrad: true });
  const w = core.hannWindow(8, { dtype: "float64", requiresGrad: true });
  const energy = (a: Tensor, b: Tensor) => core.stft(a, 8, { hopLength: 2, window: b }).pow(2).sum();
  const [gx, gw] = core.grad([energy(x, w)], [x, w], { createGraph: true });
  assert.ok(gx!.requiresGrad && gw!.requiresGrad);
  // energy is quadratic in x: the Hessian-vector product with 1 against central differences of the gradient
  const [h] = core.grad([gx!.sum()], [x]);
  const eps = 1e-6;
  const gAt = (v: number[]) => {
    const t = core.tensor(v, { dtype: "float64", requiresGrad: true });
    return core.grad([energy(t, w.detach())], [t])[0]!.sum().item();
  };
  const base = seq(16);
  for (const i of [0, 5, 15]) {
    const numeric = (gAt(base.map((v, j) => (j === i ? v + eps : v))) - gAt(base.map((v, j) => (j === i ? v - eps : v)))) / (2 * eps);
    assert.ok(Math.abs(h!.dataSync()[i]! - numeric) < 1e-5, `element ${i}: ${h!.dataSync()[i]} vs ${numeric}`);
  }
  const z = core.stft(x.detach(), 8, { window: w.detach() }).requiresGrad_(true);
  const [gz] = core.grad([core.istft(z, 8, { window: w }).sum()], [z]);
  assert.deepEqual(gz!.shape, z.shape);
});

test("stft/istft errors name the op and the values at fault, as torch's", () => {
  const x = core.zeros([20]);
  const z = core.stft(x, 8);
  const throws = (fn: () => unknown, re: RegExp) => assert.throws(fn, (e: unknown) => e instanceof TensileError && re.test(e.message));
  throws(() => core.stft(x, 8, { winLength: 9 }), /^stft: expected 0 < winLength <= nFft, but got winLength=9 \(input .*shape=\[20\]/);
  throws(() => core.stft(x, 8, { hopLength: 0 }), /^stft: expected hopLength > 0, but got hopLength=0/);
  throws(() => core.stft(x, 2), /^stft: expected hopLength > 0, but got hopLength=0/);
  throws(() => core.stft(x, 8, { window: core.ones([5]) }), /^stft: expected a 1-D window of size winLength=8, but got window with shape \[5\]/);
  throws(() => core.stft(core.zeros([2, 3, 20]), 8), /^stft: expected a 1D or 2D tensor/);
  throws(() => core.stft(core.zeros([20], { dtype: "int32" }), 8), /^stft: expected a tensor of floating point values, got int32/);
  throws(() => core.stft(core.zeros([3]), 8), /^stft: reflect padding of 4 .* must be less than the signal length 3/);
  throws(() => core.stft(x, 30, { center: false }), /^stft: expected 0 < nFft <= 20 \(the signal length\), but got nFft=30/);
  throws(() => core.stft(x, 8, { padMode: "bad" as never }), /^stft: Unrecognised padding mode "bad"/);
  throws(() => core.stft(core.zeros([20, 2]), 8, { complexInput: true, onesided: true }), /^stft: Cannot have onesided output if window or input is complex/);
  throws(() => core.stft(x, 8, { hop: 2 } as never), /^stft: unknown option "hop"/);
  throws(() => core.stft(x, 8, 2, { hopLength: 2 }), /^stft: hopLength given both positionally and as an option/);
  throws(() => core.istft(z, 8, { window: core.zeros([8]) }), /^istft: window overlap add min: 0 is below 1e-11/);
  throws(() => core.istft(z, 8, { hopLength: 9 }), /^istft: expected 0 < hopLength <= winLength, but got hopLength=9/);
  throws(() => core.istft(z, 10), /^istft: expected the frequency dimension \(3rd to the last\) of the input tensor to match nFft \/ 2 \+ 1 when onesided=true, but got 5/);
  throws(() => core.istft(z, 8, { onesided: false }), /match nFft when onesided=false, but got 5/);
  throws(() => core.istft(z, 8, { returnComplex: true }), /^istft: Cannot have onesided output/);
  throws(() => core.istft(core.zeros([5, 11]), 8), /^istft: expected a tensor with 3 or 4 dimensions/);
  throws(() => core.istft(core.zeros([5, 11, 3]), 8), /^istft: expected the last dimension to be 2/);
  throws(() => core.istft(core.zeros([5, 0, 2]), 8), /^istft: input tensor cannot be empty/);
  throws(() => core.istft(z, 8, { length: -1 }), /^istft: length must be non-negative, got -1/);
});
