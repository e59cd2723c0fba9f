/**
 * Adversarial examples and adversarial training on the bundled MNIST digits (pixels in [0, 1]).
 *
 * A network that classifies digits well can be fooled by perturbations a person barely sees:
 * moving every pixel by at most ε (the L∞ norm) in the direction that raises the loss. Two
 * attacks (in `examples/attacks.ts`):
 *   - FGSM (Goodfellow et al. 2015): one step, x' = clip(x + ε·sign(∇ₓ loss), 0, 1);
 *   - PGD (Madry et al. 2018): from a random point of the ε-ball, k steps of size α, each
 *     projected back onto the ε-ball around x and onto [0, 1].
 * The text's network (Linear(784, 500) → ReLU → Linear(500, 10)) is trained three times with the
 * same optimizer (SGD, lr 0.05, momentum 0.9, batch 64), seed and epochs: normally, then
 * adversarially at ε = 0.1 and at ε = 0.2 (Madry et al.: every batch is replaced by PGD-3 examples
 * made against the current weights). All three are evaluated clean, under FGSM and under PGD-20 at
 * ε = 0.1 and 0.2 on the 2,000 test digits; the table shows the robust accuracy each defence buys
 * and the clean accuracy it costs. Last, an ASCII picture of one test digit, the perturbation PGD
 * found against the standard model, and the adversarial digit, with each model's prediction.
 *
 *   npx tsx examples/adversarial.ts          (EPOCHS=… to change the epochs, 8 by default)
 */
import { type Tensor, F, data, listBackends, manualSeed, nn, noGrad, optim, setBackend } from "../src/index.js";
import { fgsm, pgd } from "./attacks.js";

if (listBackends().includes("wasm")) setBackend("wasm"); // the fast CPU backend, when built

const EPOCHS = Number(process.env.EPOCHS ?? 8);
const TRAIN_EPS = [0.1, 0.2]; // one adversarially trained model per radius
const TRAIN_STEPS = 3; // PGD-3 with α = ε/2 (and a random start) while training
const EVAL_STEPS = 20; // PGD-20 with α = ε/8 when evaluating: a stronger attack than training's
const EVAL_EPS = [0.1, 0.2];

class Net extends nn.Module {
  fc1 = new nn.Linear(784, 500);
  relu = new nn.ReLU();
  fc2 = new nn.Linear(500, 10);
  override forward(x: Tensor): Tensor {
    return this.fc2.forward(this.relu.forward(this.fc1.forward(x)));
  }
}

const trainSet = new data.datasets.MNISTDigits({ split: "train" }); // 8,000 digits, float32 [784] in [0, 1]
const testSet = new data.datasets.MNISTDigits({ split: "test" }); // the other 2,000

/**
 * SGD with momentum, the same seed (initial weights, batch order) for every model. With `eps`,
 * Madry et al.'s adversarial training: each batch is replaced by PGD examples made against the
 * current weights, and the step minimises the loss on them.
 */
function trainModel(eps: number | null, epochs: number): Net {
  manualSeed(0);
  const model = new Net();
  const optimizer = new optim.SGD(model.parameters(), { lr: 0.05, momentum: 0.9 });
  const loader = new data.DataLoader(trainSet, { batchSize: 64, shuffle: true });
  for (let epoch = 0; epoch < epochs; epoch++) {
    let total = 0, batches = 0;
    for (const [x, y] of loader) {
      // The attack differentiates with respect to its input only: no parameter's .grad is touched.
      const input = eps === null ? x : pgd(model, x, y, { eps, alpha: eps / 2, steps: TRAIN_STEPS });
      optimizer.zeroGrad();
      const loss = F.crossEntropy(model.forward(input), y);
      loss.backward();
      optimizer.step();
      total += loss.item();
      batches++;
    }
    if (epoch === epochs - 1) console.log(`  ${epochs} epochs, last epoch's train loss ${(total / batches).toFixed(4)}`);
  }
  return model.eval();
}

/** Test accuracy (%) on the inputs `attack` makes from each batch of 500 (the clean ones by default). */
function accuracy(model: Net, attack: (x: Tensor, y: Tensor) => Tensor = (x) => x): number {
  let correct = 0;
  for (const [x, y] of new data.DataLoader(testSet, { batchSize: 500 })) {
    const xa = attack(x, y);
    correct += noGrad(() => model.forward(xa).argmax(1).eq(y).sum().item());
  }
  return (100 * correct) / testSet.length;
}

interface Row { name: string; values: number[] }
function evaluate(name: string, model: Net): Row {
  manualSeed(1); // the same random starts for every model
  const values = [accuracy(model)];
  for (const eps of EVAL_EPS) values.push(accuracy(model, (x, y) => fgsm(model, x, y, eps)));
  for (const eps of EVAL_EPS) values.push(accuracy(model, (x, y) => pgd(model, x, y, { eps, alpha: eps / 8, steps: EVAL_STEPS })));
  return { name, values };
}

const seconds = (t: number) => ((performance.now() - t) / 1000).toFixed(1);
const t0 = performance.now();
const times: string[] = [];
const models: [string, Net][] = [];
for (const eps of [null, ...TRAIN_EPS]) {
  const t = performance.now();
  const name = eps === null ? "standard" : `adversarial ε=${eps}`;
  console.log(eps === null ? "standard training" : `adversarial training, PGD-${TRAIN_STEPS} at ε = ${eps}`);
  models.push([name, trainModel(eps, EPOCHS)]);
  times.push(`${name} ${seconds(t)} s`);
}
const t2 = performance.now();
const rows = models.map(([name, model]) => evaluate(name, model));
times.push(`evaluation ${seconds(t2)} s`);
const standard = models[0]![1];

// ---------- the table ----------
const headers = ["model", "clean", ...EVAL_EPS.map((e) => `FGSM ε=${e}`), ...EVAL_EPS.map((e) => `PGD-${EVAL_STEPS} ε=${e}`)];
const cells = rows.flatMap((r, j) => {
  const row = [r.name, ...r.values.map((v) => `${v.toFixed(2)}%`)];
  if (j === 0) return [row];
  const diff = r.values.map((v, i) => v - rows[0]!.values[i]!); // percentage points over the standard model
  return [row, ["  vs standard", ...diff.map((d) => `${d >= 0 ? "+" : ""}${d.toFixed(2)}`)]];
});
const widths = headers.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)));
const line = (c: string[]) => c.map((s, i) => (i === 0 ? s.padEnd(widths[i]!) : s.padStart(widths[i]!))).join("  ");
console.log(`\ntest accuracy on ${testSet.length} digits (PGD: random start, α = ε/8)`);
console.log(line(headers));
console.log(widths.map((w) => "-".repeat(w)).join("  "));
for (const c of cells) console.log(line(c));

// ---------- one digit, its perturbation, the adversarial digit ----------
// The first test digit the standard model gets right and PGD-20 at ε = 0.1 makes it get wrong.
const eps = EVAL_EPS[0]!;
const attack = { eps, alpha: eps / 8, steps: EVAL_STEPS };
const xs = testSet.data.index([":200"]), ys = testSet.targets.index([":200"]);
manualSeed(2);
const xAdv = pgd(standard, xs, ys, attack);
const [cleanPred, advPred] = noGrad(() => [standard.forward(xs), standard.forward(xAdv)].map((o) => o.argmax(1).dataSync()));
const labels = ys.dataSync();
const k = Array.from(labels).findIndex((l, i) => cleanPred![i] === l && advPred![i] !== l);
if (k >= 0) {
  const clean = xs.index([k]).dataSync(), adv = xAdv.index([k]).dataSync();
  const shade = " .:-=+*#%@";
  const px = (v: number) => shade[Math.min(shade.length - 1, Math.floor(v * shade.length))]!;
  const dx = (d: number) => (d > eps / 2 ? "+" : d < -eps / 2 ? "-" : d !== 0 ? "·" : " ");
  console.log(`\ntest digit ${k} (label ${labels[k]}), PGD-${EVAL_STEPS} at ε = ${eps} against the standard model`);
  const titles = [`clean: standard says ${cleanPred![k]}`, "x' − x: + > ε/2, - < −ε/2", `adversarial: standard says ${advPred![k]}`];
  console.log(titles.map((t) => t.padEnd(28)).join("   "));
  for (let r = 0; r < 28; r++) {
    let a = "", b = "", c = "";
    for (let col = 0; col < 28; col++) {
      const i = r * 28 + col;
      a += px(clean[i]!);
      b += dx(adv[i]! - clean[i]!);
      c += px(adv[i]!);
    }
    console.log(`${a}   ${b}   ${c}`);
  }
  const [x1, y1, xa1] = [xs.narrow(0, k, 1), ys.narrow(0, k, 1), xAdv.narrow(0, k, 1)];
  for (const [name, model] of models.slice(1)) {
    const [onThis, onOwn] = noGrad(() => [model.forward(xa1), model.forward(pgd(model, x1, y1, attack))].map((o) => o.argmax(1).item()));
    console.log(`${name} model: says ${onThis} on this adversarial digit, ${onOwn} under PGD-${EVAL_STEPS} at ε = ${eps} against itself`);
  }
}
console.log(`\ntime: ${times.join(", ")}, total ${seconds(t0)} s`);
