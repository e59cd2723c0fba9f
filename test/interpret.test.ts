/**
 * interpret: attribution methods checked against closed forms — linear models (where every method
 * has an exact answer), f(x) = x0·x1 and Σx³ (whose integrated gradients have closed forms for
 * every quadrature rule), completeness on an MLP, hand-computed occlusion windows, SmoothGrad's
 * statistics and seeding — plus parameters' grads, modes and errors. Runs on every backend.
 */
import assert from "node:assert/strict";
import { after, describe, test } from "node:test";
import {
  Generator, Tensor, getBackend, interpret, manualSeed, nn, noGrad, randn, setBackend, tensor, zeros,
} from "../src/index.js";
import { backendsUnderTest } from "./helpers/backends.js";
import { assertThrowsTensile } from "./nn-helpers.js";

const {
  saliency, inputXGradient, integratedGradients, occlusion, noiseTunnel, smoothGrad, layerActivations,
  gaussLegendre, approximationParameters, INTEGRATION_METHODS, normalizeAttribution, asciiHeatmap, heatmapSvg,
} = interpret;

const flat = (t: Tensor): number[] => Array.from(t.dataSync() as ArrayLike<number>);

/** |a − e| ≤ atol + rtol·|e| elementwise, naming the first bad index. */
function close(what: string, actual: Tensor | ArrayLike<number>, expected: number[], atol = 1e-6, rtol = 1e-6): void {
  const a = actual instanceof Tensor ? flat(actual) : Array.from(actual);
  assert.equal(a.length, expected.length, `${what}: length`);
  a.forEach((v, i) => {
    const e = expected[i]!;
    if (!(Number.isFinite(e) ? Math.abs(v - e) <= atol + rtol * Math.abs(e) : v === e)) assert.fail(`${what}: element ${i} is ${v}, expected ${e} (atol ${atol}, rtol ${rtol})`);
  });
}

/** nn.Linear(in, out) with the given weight [out][in] and bias. */
function linear(w: number[][], b: number[], dtype: "float32" | "float64" = "float32"): nn.Linear {
  const m = new nn.Linear(w[0]!.length, w.length);
  if (dtype === "float64") m.double();
  noGrad(() => {
    m.weight.copy_(tensor(w, { dtype }));
    m.bias!.copy_(tensor(b, { dtype }));
  });
  return m;
}

const W = [[0.5, -1.25, 2, 0.75], [-0.3, 0.8, 0.1, -2.5], [1.5, 0.25, -0.6, 0.4]];
const B = [0.1, -0.2, 0.3];
const X = [[1, 2, -1, 0.5], [-0.5, 0.25, 3, -2], [2, -1.5, 0.5, 1]];

describe("Gauss–Legendre and the quadrature rules (computed, not tabulated)", () => {
  test("known nodes and weights for n = 1, 2, 3", () => {
    assert.deepEqual(gaussLegendre(1), { nodes: [0], weights: [2] });
    close("n=2 nodes", gaussLegendre(2).nodes, [-1 / Math.sqrt(3), 1 / Math.sqrt(3)], 1e-15);
    close("n=2 weights", gaussLegendre(2).weights, [1, 1], 1e-15);
    close("n=3 nodes", gaussLegendre(3).nodes, [-Math.sqrt(0.6), 0, Math.sqrt(0.6)], 1e-15);
    close("n=3 weights", gaussLegendre(3).weights, [5 / 9, 8 / 9, 5 / 9], 1e-15);
  });

  test("n points integrate x^k exactly on [-1, 1] for every k <= 2n - 1", () => {
    for (const n of [1, 2, 3, 4, 5, 7, 10, 16, 33, 50, 100]) {
      const { nodes, weights } = gaussLegendre(n);
      for (let i = 1; i < n; i++) assert.ok(nodes[i]! > nodes[i - 1]!, `n=${n}: nodes ascending`);
      assert.ok(nodes[0]! > -1 && nodes[n - 1]! < 1, `n=${n}: nodes inside (-1, 1)`);
      for (let k = 0; k <= Math.min(2 * n - 1, 60); k++) {
        const got = nodes.reduce((a, x, i) => a + weights[i]! * x ** k, 0);
        const want = k % 2 ? 0 : 2 / (k + 1);
        assert.ok(Math.abs(got - want) < 1e-12, `n=${n}: ∫x^${k} = ${got}, want ${want}`);
      }
    }
  });

  test("alphas and step sizes of each method", () => {
    const p = (m: interpret.IntegrationMethod) => approximationParameters(m, 4);
    close("left alphas", p("riemann_left").alphas, [0, 0.25, 0.5, 0.75], 1e-15);
    close("right alphas", p("riemann_right").alphas, [0.25, 0.5, 0.75, 1], 1e-15);
    close("middle alphas", p("riemann_middle").alphas, [0.125, 0.375, 0.625, 0.875], 1e-15);
    close("trapezoid alphas", p("riemann_trapezoid").alphas, [0, 1 / 3, 2 / 3, 1], 1e-15);
    close("trapezoid steps", p("riemann_trapezoid").stepSizes, [1 / 6, 1 / 3, 1 / 3, 1 / 6], 1e-15);
    close("gl alphas", approximationParameters("gausslegendre", 2).alphas, [0.5 - 0.5 / Math.sqrt(3), 0.5 + 0.5 / Math.sqrt(3)], 1e-15);
    for (const m of INTEGRATION_METHODS) {
      for (const n of [2, 3, 50]) {
        const { alphas, stepSizes } = approximationParameters(m, n);
        assert.equal(alphas.length, n);
        assert.ok(Math.abs(stepSizes.reduce((a, b) => a + b, 0) - 1) < 1e-12, `${m} n=${n}: step sizes sum to 1`);
        assert.ok(alphas.every((a) => a >= 0 && a <= 1), `${m}: alphas in [0, 1]`);
      }
    }
  });
});

const before = getBackend().name;
after(() => setBackend(before));

for (const backend of backendsUnderTest()) {
  describe(`interpret on ${backend.name}`, () => {
    test("saliency and inputXGradient of a linear model are |W[target]| and x·W[target]", () => {
      setBackend(backend.name);
      const m = linear(W, B);
      const x = tensor(X);
      const w32 = W.map((r) => r.map(Math.fround));
      for (const t of [0, 1, 2]) {
        assert.deepEqual(saliency(m, x, { target: t }).toArray(), [0, 1, 2].map(() => w32[t]!.map(Math.abs)));
        assert.deepEqual(saliency(m, x, { target: t, abs: false }).toArray(), [0, 1, 2].map(() => w32[t]));
        assert.deepEqual(inputXGradient(m, x, { target: t }).toArray(), X.map((r) => r.map((v, j) => Math.fround(Math.fround(v) * w32[t]![j]!))));
      }
      // per-example targets: row i uses W[target[i]]
      assert.deepEqual(saliency(m, x, { target: [2, 0, 1], abs: false }).toArray(), [w32[2], w32[0], w32[1]]);
    });

    test("a target given as a number, an array, an int32 tensor or a one-element tensor agrees", () => {
      setBackend(backend.name);
      const m = new nn.Sequential(new nn.Linear(4, 6), new nn.Tanh(), new nn.Linear(6, 3));
      const x = randn(3, 4);
      const forms = [1, [1, 1, 1], tensor([1, 1, 1], { dtype: "int32" }), tensor([1], { dtype: "int32" })];
      const sal = forms.map((t) => flat(saliency(m, x, { target: t })));
      const ig = forms.map((t) => flat(integratedGradients(m, x, { target: t, nSteps: 8 })));
      const occ = forms.map((t) => flat(occlusion(m, x, { target: t, slidingWindowShapes: [2] })));
      for (let i = 1; i < forms.length; i++) {
        assert.deepEqual(sal[i], sal[0]);
        assert.deepEqual(ig[i], ig[0]);
        assert.deepEqual(occ[i], occ[0]);
      }
      const mixed = tensor([2, 0, 1], { dtype: "int32" });
      assert.deepEqual(flat(saliency(m, x, { target: mixed })), flat(saliency(m, x, { target: [2, 0, 1] })));
      // row i of a per-example target equals the single-target answer for that row
      const rows = [2, 0, 1].map((t, i) => flat(saliency(m, x.narrow(0, i, 1), { target: t })));
      close("per-example target", saliency(m, x, { target: mixed }), rows.flat(), 1e-6);
    });

    test("integrated gradients of a linear model are (x − baseline)·W[target] for every method", () => {
      setBackend(backend.name);
      const m = linear(W, B);
      const x = tensor(X);
      const baselines: [interpret.Baselines | undefined, number[]][] = [
        [undefined, [0, 0, 0, 0]],
        [0.5, [0.5, 0.5, 0.5, 0.5]],
        [tensor([[1, -1, 0.25, 2]]), [1, -1, 0.25, 2]],
      ];
      for (const method of INTEGRATION_METHODS) {
        for (const nSteps of [2, 5, 50]) {
          for (const [base, bv] of baselines) {
            const target = [0, 2, 1];
            const { attributions, delta } = integratedGradients(m, x, { target, baselines: base, method, nSteps, returnConvergenceDelta: true });
            const want = X.flatMap((r, i) => r.map((v, j) => (v - bv[j]!) * W[target[i]!]![j]!));
            close(`${method} n=${nSteps}`, attributions, want, 1e-5, 1e-5);
            close(`${method} n=${nSteps} delta`, delta, [0, 0, 0], 1e-5);
          }
        }
      }
    });

    test("integrated gradients of f(x) = x0·x1 match the closed form of each rule", () => {
      setBackend(backend.name);
      const f = (x: Tensor) => x.select(1, 0).mul(x.select(1, 1)); // one value per example: no target
      const xs = [[1.5, -2], [0.5, 3]], bs = [[0.25, 1], [-1, 0.5]];
      const x = tensor(xs, { dtype: "float64" }), b = tensor(bs, { dtype: "float64" });
      // along x(α) = b + α·d, ∂f/∂x0 = b1 + α·d1, so IG0 = d0·(b1 + c·d1) with c = Σ w_k α_k:
      // 1/2 for an exact rule, (n−1)/2n for left sums, (n+1)/2n for right sums
      for (const n of [1, 2, 3, 8]) {
        for (const method of INTEGRATION_METHODS) {
          if (method === "riemann_trapezoid" && n === 1) continue;
          const c = method === "riemann_left" ? (n - 1) / (2 * n) : method === "riemann_right" ? (n + 1) / (2 * n) : 0.5;
          const want = xs.flatMap((xi, i) => {
            const bi = bs[i]!, d = [xi[0]! - bi[0]!, xi[1]! - bi[1]!];
            return [d[0]! * (bi[1]! + c * d[1]!), d[1]! * (bi[0]! + c * d[0]!)];
          });
          const { attributions, delta } = integratedGradients(f, x, { baselines: b, method, nSteps: n, returnConvergenceDelta: true });
          close(`${method} n=${n}`, attributions, want, 1e-12);
          const fx = xs.map((r) => r[0]! * r[1]!), fb = bs.map((r) => r[0]! * r[1]!);
          close(`${method} n=${n} delta`, delta, [0, 1].map((i) => want[2 * i]! + want[2 * i + 1]! - (fx[i]! - fb[i]!)), 1e-12);
        }
      }
    });

    test("integrated gradients of f(x) = Σx³ match each rule's sum, and x³ − b³ for Gauss–Legendre", () => {
      setBackend(backend.name);
      const f = (x: Tensor) => x.pow(3).sum(1);
      const xs = [0.5, -1.5, 2], bs = [1, 0.5, -0.25];
      const x = tensor([xs], { dtype: "float64" }), b = tensor([bs], { dtype: "float64" });
      // each coordinate alone: IG_i = d_i · Σ_k w_k · 3(b_i + α_k d_i)², nodes written out here
      const rules: Record<string, (n: number) => [number[], number[]]> = {
        riemann_left: (n) => [[...Array(n).keys()].map((k) => k / n), Array(n).fill(1 / n)],
        riemann_right: (n) => [[...Array(n).keys()].map((k) => (k + 1) / n), Array(n).fill(1 / n)],
        riemann_middle: (n) => [[...Array(n).keys()].map((k) => (k + 0.5) / n), Array(n).fill(1 / n)],
        riemann_trapezoid: (n) => [[...Array(n).keys()].map((k) => k / (n - 1)), [...Array(n).keys()].map((k) => (k === 0 || k === n - 1 ? 0.5 : 1) / (n - 1))],
      };
      for (const n of [2, 3, 10]) {
        for (const method of INTEGRATION_METHODS) {
          const want = method === "gausslegendre"
            ? xs.map((v, i) => v ** 3 - bs[i]! ** 3) // GL with n >= 2 is exact for the quadratic integrand
            : xs.map((v, i) => {
                const [al, ws] = rules[method]!(n);
                const d = v - bs[i]!;
                return d * al.reduce((acc, a, k) => acc + ws[k]! * 3 * (bs[i]! + a * d) ** 2, 0);
              });
          close(`${method} n=${n}`, integratedGradients(f, x, { baselines: b, method, nSteps: n }), want, 1e-12);
        }
      }
      // left and right sums really differ from the exact answer at 10 steps (the test can fail)
      const exact = xs.map((v, i) => v ** 3 - bs[i]! ** 3);
      const left = flat(integratedGradients(f, x, { baselines: b, method: "riemann_left", nSteps: 10 }));
      assert.ok(Math.abs(left[2]! - exact[2]!) > 0.1, `riemann_left is off by ${left[2]! - exact[2]!}`);
    });

    test("completeness on an MLP: the delta shrinks with nSteps and Gauss–Legendre beats the Riemann rules", () => {
      setBackend(backend.name);
      manualSeed(3);
      const m = new nn.Sequential(new nn.Linear(5, 12), new nn.Tanh(), new nn.Linear(12, 8), new nn.Tanh(), new nn.Linear(8, 3)).double();
      const x = randn([4, 5], { dtype: "float64" }).mul(1.5);
      const target = [0, 1, 2, 1];
      const worst = (method: interpret.IntegrationMethod, nSteps: number) =>
        Math.max(...flat(integratedGradients(m, x, { target, method, nSteps, returnConvergenceDelta: true }).delta).map(Math.abs));
      const table = new Map(INTEGRATION_METHODS.map((meth) => [meth, [4, 16, 64].map((n) => worst(meth, n))]));
      for (const [meth, [d4, d16, d64]] of table) {
        assert.ok(d4! > d16! && d16! > d64!, `${meth}: |delta| at 4/16/64 steps = ${d4}, ${d16}, ${d64} should shrink`);
      }
      const gl = table.get("gausslegendre")!;
      assert.ok(gl[1]! < 1e-9, `gausslegendre at 16 steps: |delta| = ${gl[1]}`);
      for (const meth of INTEGRATION_METHODS.filter((s) => s !== "gausslegendre"))
        for (const k of [0, 1]) assert.ok(gl[k]! < table.get(meth)![k]!, `gausslegendre ${gl[k]} vs ${meth} ${table.get(meth)![k]} at ${[4, 16][k]} steps`);
      // delta is what it says: sum of attributions − (F(x) − F(0)), recomputed here
      const { attributions, delta } = integratedGradients(m, x, { target, nSteps: 6, method: "riemann_right", returnConvergenceDelta: true });
      const out = noGrad(() => m.forward(x)).toArray() as number[][];
      const out0 = noGrad(() => m.forward(zeros([4, 5], { dtype: "float64" }))).toArray() as number[][];
      const sums = attributions.toArray() as number[][];
      close("delta", delta, sums.map((r, i) => r.reduce((a, v) => a + v, 0) - (out[i]![target[i]!]! - out0[i]![target[i]!]!)), 1e-12);
      // internal batches change nothing
      const whole = flat(integratedGradients(m, x, { target, nSteps: 10 }));
      for (const internalBatchSize of [1, 4, 9, 13, 1000])
        close(`internalBatchSize ${internalBatchSize}`, integratedGradients(m, x, { target, nSteps: 10, internalBatchSize }), whole, 1e-13);
    });

    test("occlusion of a linear model: window means computed by hand", () => {
      setBackend(backend.name);
      // F(x) − F(occluded) = Σ over the window of w_i·x_i with w·x = [1, −4, 9, 2, 20]
      const m = linear([[1, -2, 3, 0.5, 4]], [0.7]);
      const x = tensor([[1, 2, 3, 4, 5]], { dtype: "float32" });
      // windows of 2, stride 1: [0,1] −3, [1,2] 5, [2,3] 11, [3,4] 22 → element means
      close("stride 1", occlusion(m, x, { slidingWindowShapes: [2] }), [-3, 1, 8, 16.5, 22], 1e-5);
      // stride 2: starts 0, 2, 4 (the last cut to one element): −3, 11, 20
      close("stride 2", occlusion(m, x, { slidingWindowShapes: [2], strides: 2 }), [-3, -3, 11, 11, 20], 1e-5);
      // window 3 stride 2: starts 0, 2: [0..2] 6, [2..4] 31
      close("window 3", occlusion(m, x, { slidingWindowShapes: [3], strides: [2] }), [6, 6, 18.5, 31, 31], 1e-5);
      // baseline 1 everywhere: w·(x − 1) = [0, −2, 6, 1.5, 16], window drops −2, 4, 7.5, 17.5
      close("baseline 1", occlusion(m, x, { slidingWindowShapes: [2], baselines: 1 }), [-2, 1, 5.75, 12.5, 17.5], 1e-5);
      // the whole input as one window: the drop F(x) − F(0) on every element
      close("one window", occlusion(m, x, { slidingWindowShapes: [5] }), [28, 28, 28, 28, 28], 1e-5);
    });

    test("occlusion of 2-D inputs equals a window-by-window loop, whatever perturbationsPerEval", () => {
      setBackend(backend.name);
      manualSeed(5);
      const net = new nn.Sequential(new nn.Flatten(), new nn.Linear(12, 5), new nn.ReLU(), new nn.Linear(5, 3)).double();
      const x = randn([2, 1, 3, 4], { dtype: "float64" });
      const base = randn([1, 1, 3, 4], { dtype: "float64" });
      const target = [2, 0];
      const f = (v: number[]) => (noGrad(() => net.forward(tensor(v, { dtype: "float64" }).reshape([1, 1, 3, 4]))).toArray() as number[][])[0]!;
      const xv = x.toArray() as number[][][][], bv = flat(base);
      // windows 2×2 with strides [1, 2]: rows start 0, 1; columns 0, 2
      const want: number[] = [];
      for (let i = 0; i < 2; i++) {
        const xi = xv[i]!.flat(2);
        const sum = new Array(12).fill(0), cnt = new Array(12).fill(0);
        for (const r0 of [0, 1]) for (const c0 of [0, 2]) {
          const cells = [0, 1].flatMap((dr) => [0, 1].map((dc) => (r0 + dr) * 4 + c0 + dc));
          const occ = xi.map((v, e) => (cells.includes(e) ? bv[e]! : v));
          const drop = f(xi)[target[i]!]! - f(occ)[target[i]!]!;
          for (const e of cells) { sum[e] += drop; cnt[e]++; }
        }
        want.push(...sum.map((s, e) => s / cnt[e]));
      }
      for (const perturbationsPerEval of [1, 3, 4, 100]) {
        const got = occlusion(net, x, { target, slidingWindowShapes: [1, 2, 2], strides: [1, 1, 2], baselines: base, perturbationsPerEval });
        assert.deepEqual(got.shape, [2, 1, 3, 4]);
        close(`perturbationsPerEval ${perturbationsPerEval}`, got, want, 1e-12);
      }
    });

    test("smoothGrad: reproducible under a seed, saliency when stdevs = 0, independent of nSamplesBatchSize", () => {
      setBackend(backend.name);
      const m = new nn.Sequential(new nn.Linear(4, 8), new nn.Tanh(), new nn.Linear(8, 3));
      const x = randn(3, 4);
      const run = (opts: interpret.SmoothGradOptions = {}) => flat(smoothGrad(m, x, { target: 1, nSamples: 7, stdevs: 0.3, ...opts }));
      manualSeed(11);
      const a = run();
      manualSeed(11);
      assert.deepEqual(run(), a, "same seed, same result");
      manualSeed(12);
      assert.notDeepEqual(run(), a, "another seed, another result");
      manualSeed(11);
      close("nSamplesBatchSize 3", run({ nSamplesBatchSize: 3 }), a, 1e-6);
      // an explicit generator: reproducible and leaves the default stream alone
      const g1 = run({ generator: new Generator(4) }), g2 = run({ generator: new Generator(4) });
      assert.deepEqual(g1, g2);
      manualSeed(11);
      run({ generator: new Generator(4) });
      assert.deepEqual(run(), a, "the generator option did not consume the default generator");
      for (const abs of [true, false]) {
        const sal = flat(saliency(m, x, { target: 1, abs }));
        // one copy: exactly saliency; five: their mean, up to the rounding of Σ/5
        assert.deepEqual(flat(smoothGrad(m, x, { target: 1, stdevs: 0, nSamples: 1, abs })), sal);
        close(`stdevs 0, abs ${abs}`, smoothGrad(m, x, { target: 1, stdevs: 0, abs }), sal, 1e-7, 1e-6);
      }
      for (const type of ["smoothgrad_sq", "vargrad"] as const) {
        const sal = flat(saliency(m, x, { target: 1 }));
        const want = type === "vargrad" ? sal.map(() => 0) : sal.map((v) => v * v);
        close(type, smoothGrad(m, x, { target: 1, stdevs: 0, type }), want, 1e-6);
      }
    });

    test("noise tunnel types: statistics of the gradient of Σx²/2 (x + noise) match the noise's", () => {
      setBackend(backend.name);
      const f = (x: Tensor) => x.mul(x).sum(1).mul(0.5);
      const xs = [[1, -2, 0.5], [0, 3, -1]];
      const x = tensor(xs, { dtype: "float64" });
      const sigma = 0.5, nSamples = 4000;
      const stats = (type: interpret.NoiseTunnelType) =>
        flat(noiseTunnel(saliency, { nSamples, stdevs: sigma, type, generator: new Generator(1) })(f, x, { abs: false }));
      const mean = stats("smoothgrad"), sq = stats("smoothgrad_sq"), vg = stats("vargrad");
      // noise N(0, σ²): the mean of x + ε is x ± 4σ/√n, its mean square x² + σ², its variance σ²
      const tol = (4 * sigma) / Math.sqrt(nSamples);
      close("smoothgrad", mean, xs.flat(), tol, 0);
      close("vargrad", vg, vg.map(() => sigma * sigma), 0.03, 0);
      close("smoothgrad_sq", sq, xs.flat().map((v) => v * v + sigma * sigma), 0.03 + 3 * tol, 0.02);
      close("vargrad = E[A²] − E[A]²", vg, sq.map((s, i) => s - mean[i]! ** 2), 1e-9);
    });

    test("noiseTunnel around integrated gradients repeats targets and batch baselines and returns every delta", () => {
      setBackend(backend.name);
      const m = linear(W, B, "float64");
      const x = tensor(X, { dtype: "float64" });
      const baselines = tensor([[0, 1, 0, 1], [1, 0, 1, 0], [0.5, 0.5, 0.5, 0.5]], { dtype: "float64" });
      const target = [1, 0, 2];
      const plain = integratedGradients(m, x, { target, baselines, nSteps: 4 });
      const nt = noiseTunnel(integratedGradients, { nSamples: 3, stdevs: 0 });
      const { attributions, delta } = nt(m, x, { target, baselines, nSteps: 4, returnConvergenceDelta: true });
      close("stdevs 0", attributions, flat(plain), 1e-12);
      assert.deepEqual(delta.shape, [9]);
      close("deltas", delta, new Array(9).fill(0), 1e-12);
      // with noise, IG of a linear model is (x + ε − b)·W: the mean tracks x·W up to the noise mean
      const noisy = noiseTunnel(integratedGradients, { nSamples: 5, stdevs: 0.2, nSamplesBatchSize: 2, generator: new Generator(9) })(m, x, { target, baselines, nSteps: 4, returnConvergenceDelta: true });
      assert.deepEqual(noisy.delta.shape, [15]);
      close("noisy deltas", noisy.delta, new Array(15).fill(0), 1e-12);
    });

    test("no grads are left on parameters or the input, requiresGrad and train/eval modes are untouched", () => {
      setBackend(backend.name);
      const m = new nn.Sequential(new nn.Linear(4, 6), new nn.ReLU(), new nn.Linear(6, 3));
      const [w0, b0, w1, b1] = m.parameters();
      const marker = tensor([[7, 7, 7, 7]], { dtype: "float32" }).expand([6, 4]).contiguous();
      w0!.grad = marker;
      b1!.requiresGrad = false; // frozen by the user: must stay frozen
      const x = randn([2, 4], { requiresGrad: true });
      const check = (what: string) => {
        assert.equal(w0!.grad, marker, `${what}: an existing grad is kept`);
        assert.deepEqual(flat(w0!.grad!), new Array(24).fill(7), `${what}: and unchanged`);
        assert.equal(b0!.grad, null, `${what}: b0.grad`);
        assert.equal(w1!.grad, null, `${what}: w1.grad`);
        assert.equal(b1!.grad, null, `${what}: b1.grad`);
        assert.deepEqual([w0, b0, w1, b1].map((p) => p!.requiresGrad), [true, true, true, false], `${what}: requiresGrad`);
        assert.equal(x.grad, null, `${what}: input grad`);
        assert.equal(x.requiresGrad, true, `${what}: input requiresGrad`);
      };
      const calls: [string, (model: interpret.Forward) => unknown][] = [
        ["saliency", (mm) => saliency(mm, x, { target: 1 })],
        ["inputXGradient", (mm) => inputXGradient(mm, x, { target: 1 })],
        ["integratedGradients", (mm) => integratedGradients(mm, x, { target: 1, nSteps: 5, returnConvergenceDelta: true })],
        ["smoothGrad", (mm) => smoothGrad(mm, x, { target: 1 })],
        ["occlusion", (mm) => occlusion(mm, x, { target: 1, slidingWindowShapes: [2] })],
        ["layerActivations", (mm) => layerActivations(mm, m[1] as nn.Module, x)],
      ];
      for (const training of [true, false]) {
        m.train(training);
        for (const [name, call] of calls) {
          call(m);
          check(`${name} (module, training=${training})`);
          call((v: Tensor) => m.forward(v) as Tensor); // a plain function: parameters stay trainable meanwhile
          check(`${name} (function, training=${training})`);
          noGrad(() => call(m)); // works inside noGrad too
          check(`${name} (inside noGrad)`);
          assert.ok(m.modules().every((mod) => mod.training === training), `${name}: mode`);
        }
      }
      // an exception inside the model still restores requiresGrad
      let n = 0;
      const failing = new (class extends nn.Module {
        inner = m;
        override forward(v: Tensor) {
          if (++n > 0) throw new Error("boom");
          return this.inner.forward(v);
        }
      })();
      assert.throws(() => saliency(failing, x, { target: 0 }), /boom/);
      check("after an exception");
    });

    test("layerActivations returns what the hooked layer computed, and says when it cannot", () => {
      setBackend(backend.name);
      class Net extends nn.Module {
        fc1 = new nn.Linear(4, 5);
        relu = new nn.ReLU();
        fc2 = new nn.Linear(5, 5);
        fc3 = new nn.Linear(5, 2);
        override forward(x: Tensor) {
          return this.fc3.forward(this.relu.forward(this.fc2.forward(this.relu.forward(this.fc1.forward(x)))));
        }
      }
      const net = new Net();
      const x = randn(3, 4);
      const h1 = noGrad(() => net.fc1.forward(x));
      assert.deepEqual(flat(layerActivations(net, net.fc1, x)), flat(h1));
      assert.deepEqual(flat(layerActivations(net, net.fc1, x, { attributeToLayerInput: true })), flat(x));
      assert.deepEqual(flat(layerActivations(net, net.relu, x, { call: 0 })), flat(noGrad(() => h1.relu())));
      const h2 = noGrad(() => net.fc2.forward(h1.relu()).relu());
      assert.deepEqual(flat(layerActivations(net, net.relu, x, { call: -1 })), flat(h2));
      assert.equal(layerActivations(net, net.fc1, x).requiresGrad, false);
      assertThrowsTensile(() => layerActivations(net, net.relu, x), /layerActivations: the layer \(ReLU\) ran 2 times/, /call/);
      assertThrowsTensile(() => layerActivations(net, net.relu, x, { call: 2 }), /call 2 is out of range/);
      assertThrowsTensile(() => layerActivations(net, new nn.Linear(4, 5), x), /layerActivations: the layer \(Linear\) did not run/);
    });

    test("layerGradCam: channels weighted by the target's mean gradient (closed form through global average pooling)", () => {
      setBackend(backend.name);
      manualSeed(11);
      // F = head(mean_hw(conv(x))): ∂F_t/∂A[c, h, w] = W[t, c]/(H·W), so the map is Σ_c W[t, c]/(H·W)·A_c
      class Cam extends nn.Module {
        conv = new nn.Conv2d(1, 3, 3, { padding: 1 });
        head = new nn.Linear(3, 2);
        override forward(x: Tensor) {
          return this.head.forward(this.conv.forward(x).mean([2, 3]));
        }
      }
      const net = new Cam();
      const x = randn(2, 1, 5, 4);
      const target = [1, 0];
      const A = noGrad(() => net.conv.forward(x));
      const Wt = flat(net.head.weight);
      const a = flat(A);
      const expected = (relu: boolean): number[] => {
        const out: number[] = [];
        for (let n = 0; n < 2; n++)
          for (let p = 0; p < 20; p++) {
            let v = 0;
            for (let c = 0; c < 3; c++) v += (Wt[target[n]! * 3 + c]! / 20) * a[(n * 3 + c) * 20 + p]!;
            out.push(relu ? Math.max(v, 0) : v);
          }
        return out;
      };
      const cam = interpret.layerGradCam(net, net.conv, x, { target });
      assert.deepEqual(cam.shape, [2, 1, 5, 4]);
      close("grad-cam", cam, expected(false), 1e-6, 1e-5);
      close("grad-cam relu", interpret.layerGradCam(net, net.conv, x, { target, reluAttributions: true }), expected(true), 1e-6, 1e-5);
      assert.deepEqual(interpret.layerGradCam(net, net.conv, x, { target, attrDimSummation: false }).shape, [2, 3, 5, 4]);
      assert.equal(net.conv.weight.grad, null, "no parameter gets a .grad");
      assert.equal(cam.requiresGrad, false);
      // frozen parameters: the gradient still reaches the layer through the input
      for (const p of net.parameters()) p.requiresGrad = false;
      close("frozen", interpret.layerGradCam(net, net.conv, x, { target }), expected(false), 1e-6, 1e-5);
      for (const p of net.parameters()) p.requiresGrad = true;
      const up = interpret.layerInterpolate(cam, [10, 8]);
      assert.deepEqual(up.shape, [2, 1, 10, 8]);
      assert.equal(flat(up)[2 * 8 + 3], flat(cam)[1 * 4 + 1], "nearest: output pixel (2, 3) reads input pixel (1, 1)");
      // a layer without spatial dims: the weights are the gradients themselves, Σ_j ∂F/∂h_j · h_j
      const mlp = new nn.Sequential(new nn.Linear(4, 3), new nn.Tanh(), new nn.Linear(3, 2));
      const v = randn(3, 4);
      const h = noGrad(() => mlp.at(0).forward(v) as Tensor);
      const w2 = flat((mlp.at(2) as nn.Linear).weight);
      const hv = flat(h);
      const want = [0, 1, 2].map((n) => [0, 1, 2].reduce((s2, j) => s2 + w2[1 * 3 + j]! * (1 - Math.tanh(hv[n * 3 + j]!) ** 2) * hv[n * 3 + j]!, 0));
      close("grad-cam of a linear layer", interpret.layerGradCam(mlp, mlp.at(0), v, { target: 1 }), want, 1e-6, 1e-5);
      assertThrowsTensile(() => interpret.layerGradCam(net, new nn.Linear(1, 1), x, { target }), /layerGradCam: the layer \(Linear\) did not run/);
      assertThrowsTensile(() => interpret.layerGradCam(net, net.conv, x, { target, relu: true } as never), /layerGradCam: unknown option/);
      assertThrowsTensile(() => interpret.layerInterpolate(tensor([1, 2]), [4]), /layerInterpolate: expected an attribution \[N, C, \.\.\.\] with spatial dims, got shape \[2\]/);
    });

    test("bad input throws a TensileError naming the function and the values", () => {
      setBackend(backend.name);
      const m = linear(W, B);
      const x = tensor(X);
      assertThrowsTensile(() => saliency(m, x, { target: 3 }), /^saliency: target 3 is out of bounds for the model's output of shape \[3, 3\] \(3 classes\)$/);
      assertThrowsTensile(() => integratedGradients(m, x, { target: -1 }), /integratedGradients: target -1 is out of bounds/);
      assertThrowsTensile(() => saliency(m, x, { target: [0, 1] }), /saliency: a target list must have one class per example \(3\), got 2/);
      assertThrowsTensile(() => saliency(m, x, { target: 1.5 }), /saliency: target 1.5 \(example 0\) is not an integer/);
      assertThrowsTensile(() => saliency(m, x, { target: tensor([0, 1, 2], { dtype: "float32" }) }), /saliency: a target tensor must hold int32 class indices, got float32/);
      assertThrowsTensile(() => saliency(m, x, { target: tensor([0, 1], { dtype: "int32" }) }), /must have shape \[3\] .* got shape \[2\]/);
      assertThrowsTensile(() => saliency(m, x), /saliency: the model's output has shape \[3, 3\], so a target is needed/);
      assertThrowsTensile(() => saliency((v: Tensor) => v.sum(1), x, { target: 0 }), /saliency: target was given but the model's output has shape \[3\]/);
      assertThrowsTensile(() => integratedGradients(m, x, { target: 0, baselines: tensor([[1, 2, 3]]) }),
        /^integratedGradients: baselines of shape \[1, 3\] cannot be broadcast to the input's shape \[3, 4\]$/);
      assertThrowsTensile(() => integratedGradients(m, x, { target: 0, baselines: zeros(2, 4) }), /baselines of shape \[2, 4\] cannot be broadcast to the input's shape \[3, 4\]/);
      assertThrowsTensile(() => integratedGradients(m, x, { target: 0, nSteps: 0 }), /^integratedGradients: nSteps must be an integer >= 1, got 0$/);
      assertThrowsTensile(() => integratedGradients(m, x, { target: 0, nSteps: 2.5 }), /nSteps must be an integer >= 1, got 2.5/);
      assertThrowsTensile(() => integratedGradients(m, x, { target: 0, method: "simpson" as interpret.IntegrationMethod }),
        /^integratedGradients: unknown method "simpson"; expected one of "gausslegendre", "riemann_trapezoid"/);
      assertThrowsTensile(() => integratedGradients(m, x, { target: 0, method: "riemann_trapezoid", nSteps: 1 }), /integratedGradients: method "riemann_trapezoid" needs nSteps >= 2 \(both ends of the path\), got 1/);
      assertThrowsTensile(() => integratedGradients(m, x, { target: 0, internalBatchSize: 0 }), /internalBatchSize must be an integer >= 1, got 0/);
      assertThrowsTensile(() => integratedGradients(m, x, { target: 0, nsteps: 5 } as never), /integratedGradients: unknown option "nsteps"/);
      assertThrowsTensile(() => saliency(m, tensor([[1, 2, 3, 4]], { dtype: "int32" }), { target: 0 }), /saliency: input must be a floating point tensor .* got int32 \(shape \[1, 4\]\)/);
      assertThrowsTensile(() => saliency(m, tensor(1), { target: 0 }), /saliency: input must have a batch dimension/);
      assertThrowsTensile(() => saliency({} as never, x), /saliency: model must be a function/);
      assertThrowsTensile(() => saliency((() => 3) as never, x), /saliency: the model must return a Tensor, got 3/);
      assertThrowsTensile(() => saliency((v: Tensor) => v.sum(0), x, { target: 0 }), /the model's output has shape \[4\] for an input of shape \[3, 4\]/);
      assertThrowsTensile(() => saliency((v: Tensor) => v.detach().sum(1), x), /saliency: the model's output does not depend on the input/);
      assertThrowsTensile(() => saliency((v: Tensor) => v.reshape([3, 2, 2]), x, { target: 0 }), /expected \[N, C\] or \[N\]/);
      assertThrowsTensile(() => occlusion(m, x, { target: 0, slidingWindowShapes: [2, 2] }),
        /^occlusion: slidingWindowShapes must be 1 positive integers, one per dimension after the batch one of the input \[3, 4\], got \[2,2\]$/);
      assertThrowsTensile(() => occlusion(m, x, { target: 0, slidingWindowShapes: [5] }), /^occlusion: slidingWindowShapes \[5\] exceed the input's dimensions \[4\] \(input \[3, 4\]\)$/);
      assertThrowsTensile(() => occlusion(m, x, { target: 0, slidingWindowShapes: [2], strides: 3 }), /occlusion: stride 3 is larger than the sliding window \(2\) in dimension 1/);
      assertThrowsTensile(() => occlusion(m, x, { target: 0, slidingWindowShapes: [2], baselines: zeros(4, 4) }), /occlusion: baselines of shape \[4, 4\] cannot be broadcast/);
      assertThrowsTensile(() => occlusion(m, x, { target: 0, slidingWindowShapes: [2], perturbationsPerEval: 0 }), /perturbationsPerEval must be an integer >= 1/);
      assertThrowsTensile(() => noiseTunnel(saliency, { type: "smooth" as never }), /^noiseTunnel: unknown type "smooth"; expected one of "smoothgrad", "smoothgrad_sq", "vargrad"$/);
      assertThrowsTensile(() => noiseTunnel(saliency, { stdevs: -1 }), /noiseTunnel: stdevs must be a finite number >= 0, got -1/);
      assertThrowsTensile(() => smoothGrad(m, x, { target: 0, nSamples: 0 }), /noiseTunnel: nSamples must be an integer >= 1, got 0/);
      assertThrowsTensile(() => smoothGrad(m, x, { target: 7 }), /target 7 is out of bounds/);
      assertThrowsTensile(() => gaussLegendre(0), /gaussLegendre: n must be an integer >= 1, got 0/);
      assertThrowsTensile(() => normalizeAttribution([1], { sign: "both" as never }), /normalizeAttribution: unknown sign "both"/);
      assertThrowsTensile(() => asciiHeatmap(zeros(2, 2, 2, 2)), /asciiHeatmap: expected a map of shape \[H, W\] or \[C, H, W\].*got \[2, 2, 2, 2\]/);
    });

    test("heat maps: normalisation as Captum's, ASCII and SVG rendering", () => {
      setBackend(backend.name);
      // 98% of the mass of [1, 1, 1, 1, 4] is reached only at 4, so nothing is clipped; 50% is reached at 1
      close("outlier 2%", normalizeAttribution([1, 1, 1, 1, 4]), [0.25, 0.25, 0.25, 0.25, 1], 1e-12);
      close("outlier 50%", normalizeAttribution([1, 1, 1, 1, 4], { outlierPerc: 50 }), [1, 1, 1, 1, 1], 1e-12);
      close("all", normalizeAttribution([-2, 1, 4], { sign: "all", outlierPerc: 0 }), [-0.5, 0.25, 1], 1e-12);
      close("positive", normalizeAttribution([-2, 1, 4], { sign: "positive", outlierPerc: 0 }), [0, 0.25, 1], 1e-12);
      close("negative", normalizeAttribution([-2, 1, 4], { sign: "negative", outlierPerc: 0 }), [-1, 0, 0], 1e-12);
      close("zeros", normalizeAttribution([0, 0]), [0, 0]);
      const map = tensor([[0, 0.5, 1], [-1, 0, 0.25]]);
      assert.equal(asciiHeatmap(map, { outlierPerc: 0 }), " +@\n@ :");
      assert.equal(asciiHeatmap(map, { sign: "all", outlierPerc: 0 }), " +@\nX :");
      assert.equal(asciiHeatmap(map.unsqueeze(0), { outlierPerc: 0 }), " +@\n@ :", "[1, H, W] sums its channel");
      const svg = heatmapSvg([
        { title: "digit <7>", values: tensor([[0, 1], [0.5, 0]]), method: "original_image" },
        { title: "IG", values: map, sign: "all" },
      ], { cellSize: 4, caption: "a & b" });
      assert.match(svg, /^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
      assert.ok(svg.trimEnd().endsWith("</svg>"));
      assert.match(svg, /digit &#60;7&#62;/);
      assert.match(svg, /a &#38; b/);
      assert.match(svg, /fill="rgb\(0,0,0\)"/, "ink 1 is black");
      assert.match(svg, /fill="rgb\(200,0,0\)"/, "−1 is full red");
      assert.match(svg, /fill="rgb\(0,128,0\)"/, "+1 is full green");
      // white cells are left to the background: 2 of 4 image cells, 4 of 6 map cells are drawn
      assert.equal((svg.match(/<rect x=/g) ?? []).length, 6);
    });
  });
}

test("arguments of the wrong kind throw a TensileError naming the function, never a TypeError", () => {
  const JUNK: readonly unknown[] = ["a", {}, 1.5, [tensor([1])], NaN, null];
  const m = linear(W, B);
  const x = tensor(X);
  const failures: string[] = [];
  const probe = (name: string, call: (j: unknown) => unknown) => {
    for (const j of JUNK) {
      try {
        call(j);
      } catch (e) {
        const ok = e instanceof Error && e.name === "TensileError" && /^[A-Za-z]+: /.test(e.message);
        if (!ok) failures.push(`${name}(${String(j)}): ${(e as Error).constructor.name}: ${(e as Error).message.slice(0, 100)}`);
      }
    }
  };
  const fns = interpret as unknown as Record<string, (...a: unknown[]) => unknown>;
  for (const name of ["saliency", "inputXGradient", "integratedGradients", "occlusion", "smoothGrad"]) {
    const f = fns[name]!;
    probe(name, (j) => f(j));
    probe(`${name}(m, ·)`, (j) => f(m, j));
    probe(`${name}(m, x, ·)`, (j) => f(m, x, j));
    for (const key of ["target", "baselines", "nSteps", "method", "internalBatchSize", "abs", "slidingWindowShapes", "strides", "perturbationsPerEval", "nSamples", "stdevs", "type", "generator"])
      probe(`${name}(m, x, {${key}: ·})`, (j) => f(m, x, { target: 0, slidingWindowShapes: [2], [key]: j }));
  }
  probe("noiseTunnel", (j) => noiseTunnel(j as never));
  probe("noiseTunnel(saliency, ·)", (j) => noiseTunnel(saliency, j as never));
  probe("noiseTunnel(saliency)(m, x, ·)", (j) => noiseTunnel(saliency)(m, x, j as never));
  probe("layerActivations", (j) => layerActivations(m, j as never, x));
  probe("layerActivations(m, m, x, ·)", (j) => layerActivations(m, m, x, j as never));
  probe("layerGradCam", (j) => interpret.layerGradCam(m, j as never, x, { target: 0 }));
  probe("layerGradCam(m, m, x, ·)", (j) => interpret.layerGradCam(m, m, x, j as never));
  probe("layerGradCam(m, m, x, {target: ·})", (j) => interpret.layerGradCam(m, m, x, { target: j as never }));
  probe("layerInterpolate", (j) => interpret.layerInterpolate(j as never, [2, 2]));
  probe("layerInterpolate(t, ·)", (j) => interpret.layerInterpolate(zeros(1, 1, 2, 2), j as never));
  for (const name of ["gaussLegendre", "approximationParameters", "normalizeAttribution", "asciiHeatmap", "heatmapSvg"]) {
    probe(name, (j) => fns[name]!(j));
    probe(`${name}(ok, ·)`, (j) => fns[name]!(name === "approximationParameters" ? "gausslegendre" : name === "gaussLegendre" ? 3 : name === "heatmapSvg" ? [{ values: zeros(2, 2) }] : name === "normalizeAttribution" ? [1, 2] : zeros(2, 2), j));
  }
  probe("heatmapSvg([{values: ·}])", (j) => heatmapSvg([{ values: j as Tensor }]));
  probe("heatmapSvg([{method: ·}])", (j) => heatmapSvg([{ values: zeros(2, 2), method: j as never }]));
  probe("heatmapSvg([{values: ·, method: original_image}])", (j) => heatmapSvg([{ values: j as Tensor, method: "original_image" }]));
  probe("heatmapSvg([·])", (j) => heatmapSvg([j as never]));
  assert.deepEqual(failures, []);
});
