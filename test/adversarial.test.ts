// The adversarial attacks of examples/attacks.ts (used by examples/adversarial.ts): FGSM against a
// hand-computed gradient, the L∞ ball and [0, 1] constraints, loss increase, PGD ≥ FGSM,
// reproducibility, no side effects on the model, and adversarial training on a small synthetic
// problem. On every backend.
import { after, describe, test } from "node:test";
import assert from "node:assert/strict";
import { Generator, type Tensor, getBackend, manualSeed, noGrad, rand, randint, randn, setBackend, tensor } from "../src/core.js";
import * as nn from "../src/nn/index.js";
import * as F from "../src/nn/functional/index.js";
import * as optim from "../src/optim/index.js";
import { MNISTDigits } from "../src/data/datasets/index.js";
import { fgsm, pgd } from "../examples/attacks.js";
import { backendsUnderTest } from "./helpers/backends.js";

const before = getBackend().name;
after(() => setBackend(before));

const TOL = 1e-6; // float32 slack on the box constraints

const arr = (t: Tensor): number[] => Array.from(t.dataSync(), Number);

/** Per-example cross-entropy of `model` on (x, y). */
function losses(model: nn.Module, x: Tensor, y: Tensor): number[] {
  return noGrad(() => arr(F.crossEntropy(model.forward(x) as Tensor, y, { reduction: "none" })));
}

/** Accuracy of `model` on (x, y), in [0, 1]. */
function accuracy(model: nn.Module, x: Tensor, y: Tensor): number {
  return noGrad(() => (model.forward(x) as Tensor).argmax(1).eq(y).float().mean().item());
}

/** Asserts every |x' − x| ≤ eps and 0 ≤ x' ≤ 1; returns the largest |x' − x|. */
function assertInBox(what: string, xAdv: Tensor, x: Tensor, eps: number): number {
  const a = arr(xAdv), b = arr(x);
  let linf = 0;
  a.forEach((v, i) => {
    assert.ok(v >= -TOL && v <= 1 + TOL, `${what}: x'[${i}] = ${v} is outside [0, 1]`);
    const d = Math.abs(v - b[i]!);
    assert.ok(d <= eps + TOL, `${what}: |x'[${i}] − x[${i}]| = ${d} > ε = ${eps}`);
    linf = Math.max(linf, d);
  });
  return linf;
}

/**
 * A binary problem in [0, 1]^(1 + WEAK) (Tsipras et al.'s robust and non-robust features):
 * feature 0 is robust (class means 0.5 ∓ 0.25, noise 0.05, so it separates the classes with a
 * margin larger than ε = 0.1 on both sides); the WEAK others are each shifted by only ∓0.05
 * (noise 0.15), individually weak but together very predictive — and an attack of ε = 0.1 can
 * flip every one of them. Standard training leans on them; adversarial training has to use
 * feature 0.
 */
const WEAK = 60;
function robustVsWeak(n: number, g: Generator): [Tensor, Tensor] {
  const y = randint(0, 2, [n], { generator: g });
  const s = y.float().mul(2).sub(1).unsqueeze(1); // ∓1
  const shift = tensor([[0.25, ...new Array<number>(WEAK).fill(0.05)]]);
  const noise = tensor([[0.05, ...new Array<number>(WEAK).fill(0.15)]]);
  const x = s.mul(shift).add(0.5).add(randn([n, 1 + WEAK], { generator: g }).mul(noise)).clamp(0, 1);
  return [x, y];
}

/** Full-batch Adam on (x, y); with `eps`, on PGD examples (Madry et al.'s adversarial training). */
function fit(model: nn.Module, x: Tensor, y: Tensor, steps: number, eps: number | null, lr = 0.05): nn.Module {
  const opt = new optim.Adam(model.parameters(), { lr });
  for (let i = 0; i < steps; i++) {
    const input = eps === null ? x : pgd(model, x, y, { eps, alpha: eps / 2, steps: 3 });
    opt.zeroGrad();
    F.crossEntropy(model.forward(input) as Tensor, y).backward();
    opt.step();
  }
  return model;
}

for (const backend of backendsUnderTest()) {
  describe(`adversarial attacks (${backend.name})`, () => {
    test("FGSM on a linear softmax model is clip(x + ε·sign(Wᵀ(softmax(Wx + b) − onehot(y))), 0, 1)", () => {
      setBackend(backend.name);
      manualSeed(0);
      const N = 16, D = 12, C = 3, eps = 0.1;
      const model = new nn.Linear(D, C);
      // pixels at 0 and 1 as well as inside, so that clipping happens
      const x = rand([N, D]).mul(1.4).sub(0.2).clamp(0, 1);
      const y = randint(0, C, [N]);
      const xAdv = fgsm(model, x, y, eps);
      assert.equal(xAdv.requiresGrad, false, "the adversarial example is detached");
      assert.deepEqual([...xAdv.shape], [N, D]);

      // the input gradient of the cross-entropy, by hand in float64
      const W = arr(model.weight), b = arr(model.bias!), X = arr(x), Y = arr(y), A = arr(xAdv);
      let clipped = 0, exact = 0;
      for (let n = 0; n < N; n++) {
        const z = Array.from({ length: C }, (_, c) => b[c]! + X.slice(n * D, n * D + D).reduce((s, v, d) => s + v * W[c * D + d]!, 0));
        const m = Math.max(...z), e = z.map((v) => Math.exp(v - m)), sum = e.reduce((s, v) => s + v, 0);
        const p = e.map((v, c) => v / sum - (c === Y[n] ? 1 : 0));
        for (let d = 0; d < D; d++) {
          const g = p.reduce((s, pc, c) => s + pc * W[c * D + d]!, 0);
          const i = n * D + d;
          if (Math.abs(g) < 1e-5) continue; // sign of a float32 rounding error: not checked
          const want = Math.min(1, Math.max(0, X[i]! + eps * Math.sign(g)));
          assert.ok(Math.abs(A[i]! - want) <= TOL, `x'[${n}, ${d}] = ${A[i]} but clip(x + ε·sign(g)) = ${want} (g = ${g})`);
          if (want === X[i]! + eps * Math.sign(g)) {
            assert.ok(Math.abs(Math.abs(A[i]! - X[i]!) - eps) <= TOL, `unclipped |x' − x| at [${n}, ${d}] is ε`);
            exact++;
          } else clipped++;
        }
      }
      assert.ok(exact > N * D / 2 && clipped > 0, `both cases exercised (${exact} unclipped, ${clipped} clipped)`);
      assert.ok(Math.abs(assertInBox("fgsm", xAdv, x, eps) - eps) <= TOL, "‖x' − x‖∞ = ε");
      // the cross-entropy is convex in x for a linear model and FGSM moves along its gradient,
      // so every example's loss goes up
      const l0 = losses(model, x, y), l1 = losses(model, xAdv, y);
      l0.forEach((v, i) => assert.ok(l1[i]! > v, `example ${i}: loss ${v} → ${l1[i]} did not increase`));
    });

    // A small MLP (784 → 16 → 10) trained on 256 of the bundled digits, attacked on 128 others;
    // made once per backend.
    let trained: { model: nn.Module; x: Tensor; y: Tensor } | null = null;
    const digitsModel = () => {
      if (trained) return trained;
      const digits = new MNISTDigits({ split: "test" });
      manualSeed(1);
      const model = new nn.Sequential(new nn.Linear(784, 16), new nn.ReLU(), new nn.Linear(16, 10));
      fit(model, digits.data.narrow(0, 0, 256), digits.targets.narrow(0, 0, 256), 30, null, 0.01);
      return (trained = { model, x: digits.data.narrow(0, 256, 128), y: digits.targets.narrow(0, 256, 128) });
    };

    test("PGD stays in the ε-ball and [0, 1] and is reproducible under manualSeed or a generator", () => {
      setBackend(backend.name);
      const { model, x, y } = digitsModel();
      for (const opts of [{ eps: 0.1, alpha: 0.025, steps: 5 }, { eps: 0.1, alpha: 0.1, steps: 2, randomStart: false }, { eps: 0.3, alpha: 0.2, steps: 2 }]) {
        manualSeed(3);
        const xa = pgd(model, x, y, opts);
        assert.equal(xa.requiresGrad, false, "the adversarial example is detached");
        const linf = assertInBox(`pgd ${JSON.stringify(opts)}`, xa, x, opts.eps);
        assert.ok(Math.abs(linf - opts.eps) <= TOL, `pgd ${JSON.stringify(opts)} uses the whole ball (‖x' − x‖∞ = ${linf})`);
      }
      // the random start comes from the default generator (manualSeed) or the one passed
      const opts = { eps: 0.1, alpha: 0.025, steps: 1 };
      manualSeed(5);
      const a = arr(pgd(model, x, y, opts));
      manualSeed(5);
      assert.deepEqual(arr(pgd(model, x, y, opts)), a, "same seed, same PGD result");
      manualSeed(6);
      assert.notDeepEqual(arr(pgd(model, x, y, opts)), a, "another seed, another random start");
      const viaGenerator = arr(pgd(model, x, y, { ...opts, generator: new Generator(5) }));
      assert.deepEqual(arr(pgd(model, x, y, { ...opts, generator: new Generator(5) })), viaGenerator, "same generator seed, same result");
    });

    test("on that MLP, FGSM raises the loss and PGD-10 raises it at least as much", () => {
      setBackend(backend.name);
      const { model, x, y } = digitsModel();
      const mean = (v: number[]) => v.reduce((s, a) => s + a, 0) / v.length;
      const eps = 0.1;
      const clean = mean(losses(model, x, y));
      const lf = mean(losses(model, fgsm(model, x, y, eps), y));
      manualSeed(4);
      const lp = mean(losses(model, pgd(model, x, y, { eps, alpha: eps / 4, steps: 10 }), y));
      // measured (both backends): 0.742 clean, 4.472 FGSM, 4.811 PGD-10
      assert.ok(lf > 2 * clean, `FGSM raises the mean loss (${clean} → ${lf})`);
      assert.ok(lp >= lf, `PGD-10's mean loss ${lp} ≥ FGSM's ${lf}`);
    });

    test("attacks leave the parameters, their .grad and the training mode alone, and work inside noGrad", () => {
      setBackend(backend.name);
      manualSeed(2);
      const model = new nn.Sequential(new nn.Linear(6, 8), new nn.ReLU(), new nn.Dropout(0.5), new nn.Linear(8, 3));
      const x = rand([5, 6]), y = randint(0, 3, [5]);
      const params = model.parameters();
      const values = params.map(arr);
      const attacks = [() => fgsm(model, x, y, 0.1), () => pgd(model, x, y, { eps: 0.1, alpha: 0.03, steps: 3 })];

      // no gradients yet: they stay null
      for (const attack of attacks) attack();
      params.forEach((p, i) => assert.equal(p.grad, null, `parameter ${i}: .grad stays null`));
      // gradients from a backward pass: same tensors, same values
      F.crossEntropy(model.forward(x) as Tensor, y).backward();
      const grads = params.map((p) => p.grad!), gradValues = grads.map(arr);
      model.train();
      for (const attack of attacks) attack();
      params.forEach((p, i) => {
        assert.equal(p.grad, grads[i], `parameter ${i}: .grad is the same tensor`);
        assert.deepEqual(arr(p.grad!), gradValues[i], `parameter ${i}: .grad unchanged`);
        assert.deepEqual(arr(p), values[i], `parameter ${i}: value unchanged`);
      });
      assert.equal(model.training, true, "training mode restored");
      model.eval();
      attacks[0]!();
      assert.equal(model.training, false, "eval mode kept");

      // dropout is off during the attack: with another seed for the dropout masks, the same FGSM
      model.train();
      manualSeed(7);
      const a = arr(fgsm(model, x, y, 0.1));
      manualSeed(8);
      assert.deepEqual(arr(fgsm(model, x, y, 0.1)), a, "another seed, same attack: no dropout");
      model.eval();
      assert.deepEqual(arr(fgsm(model, x, y, 0.1)), a, "the same as attacking the model in eval mode");
      model.train();
      // inside noGrad (an evaluation loop) the attack still differentiates
      const inside = noGrad(() => fgsm(model, x, y, 0.1));
      assert.deepEqual(arr(inside), a);
    });

    test("adversarial training raises robust accuracy on a small separable problem that standard training leaves fragile", () => {
      setBackend(backend.name);
      const g = new Generator(20);
      const [xTrain, yTrain] = robustVsWeak(256, g), [xTest, yTest] = robustVsWeak(512, g);
      const eps = 0.1;
      const result = (adversarial: boolean) => {
        manualSeed(0);
        const model = fit(new nn.Linear(1 + WEAK, 2), xTrain, yTrain, 40, adversarial ? eps : null);
        manualSeed(9);
        const xa = pgd(model, xTest, yTest, { eps, alpha: eps / 4, steps: 5 });
        return { clean: accuracy(model, xTest, yTest), robust: accuracy(model, xa, yTest) };
      };
      const std = result(false), adv = result(true);
      const msg = `standard clean ${std.clean} robust ${std.robust}; adversarial clean ${adv.clean} robust ${adv.robust}`;
      // measured (both backends): standard 0.975 clean, 0.068 robust; adversarial 1.000 clean, 0.994 robust
      assert.ok(std.clean >= 0.95 && adv.clean >= 0.95, `both fit the clean data: ${msg}`);
      assert.ok(std.robust <= 0.3, `standard training is fragile at ε = ${eps}: ${msg}`);
      assert.ok(adv.robust >= 0.9, `adversarial training is robust at ε = ${eps}: ${msg}`);
    });
  });
}
