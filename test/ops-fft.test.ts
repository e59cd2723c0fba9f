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
