/**
 * Which pixels made the network say "7"? Attribution methods (`interpret`, after Captum) on the
 * text's network (Linear(784, 500) → ReLU → Linear(500, 10), with a Flatten in front so it takes
 * [N, 1, 28, 28] images) trained for a few epochs on the bundled MNIST digits.
 *
 * For a few test digits, explaining the predicted class:
 *   - saliency: |∂logit/∂pixel|, where a small change of a pixel would move the logit most;
 *   - integrated gradients from a black image (Gauss–Legendre, 50 steps): each pixel's share of
 *     logit(x) − logit(black); they add up to that difference, and the convergence delta printed
 *     says how closely;
 *   - occlusion: how much the logit drops when a 4×4 patch is blacked out (stride 2).
 * Each is printed as an ASCII heat map and written as an SVG (digit | saliency | IG | occlusion |
 * SmoothGrad) to runs/interpret/. Last, a sanity check over 300 test digits: black out the 10% of
 * pixels each method ranks highest and see how far the logit falls, against 10% chosen at random.
 *
 *   npx tsx examples/interpretability.ts          (EPOCHS=… to change the training epochs)
 */
import { mkdirSync } from "node:fs";
import { Generator, type Tensor, data, interpret, io, manualSeed, nn, noGrad, optim, tensor } from "../src/index.js";

const t0 = performance.now();
const seconds = () => ((performance.now() - t0) / 1000).toFixed(1);

manualSeed(0);
const EPOCHS = Number(process.env.EPOCHS ?? 3);
const OUT = "runs/interpret";

class Net extends nn.Module {
  flatten = new nn.Flatten();
  fc1 = new nn.Linear(784, 500);
  relu = new nn.ReLU();
  fc2 = new nn.Linear(500, 10);
  override forward(x: Tensor): Tensor {
    return this.fc2.forward(this.relu.forward(this.fc1.forward(this.flatten.forward(x))));
  }
}

// ---- train --------------------------------------------------------------------------------------
const trainSet = new data.datasets.MNISTDigits({ split: "train", shape: "image" }); // [8000, 1, 28, 28] in [0, 1]
const testSet = new data.datasets.MNISTDigits({ split: "test", shape: "image" }); // the other 2,000
const model = new Net();
const criterion = new nn.CrossEntropyLoss();
const optimizer = new optim.SGD(model.parameters(), { lr: 0.05, momentum: 0.9 });
for (let epoch = 1; epoch <= EPOCHS; epoch++) {
  let total = 0, batches = 0;
  for (const [x, y] of new data.DataLoader(trainSet, { batchSize: 64, shuffle: true })) {
    optimizer.zeroGrad();
    const loss = criterion.forward(model.forward(x), y);
    loss.backward();
    optimizer.step();
    total += loss.item();
    batches++;
  }
  const acc = noGrad(() => model.forward(testSet.data).argmax(1).eq(testSet.targets).float().mean().item());
  console.log(`epoch ${epoch}: train loss ${(total / batches).toFixed(4)}, test accuracy ${(100 * acc).toFixed(2)}%  (${seconds()} s)`);
}
model.eval(); // attributions explain the model as it predicts

// ---- a few digits, explained ---------------------------------------------------------------------
const labels = Array.from(testSet.targets.dataSync());
const predicted = Array.from(noGrad(() => model.forward(testSet.data).argmax(1)).dataSync());
// the first test digit of three classes, and the first digit the network gets wrong
const shown = [labels.indexOf(7), labels.indexOf(3), labels.indexOf(0), predicted.findIndex((p, i) => p !== labels[i])].filter((i) => i >= 0);
const images = testSet.data.index([tensor(shown, { dtype: "int32" })]); // [k, 1, 28, 28]
const target = shown.map((i) => predicted[i]!); // explain what the network said
const probs = noGrad(() => model.forward(images).softmax(1)).toArray() as number[][];

const sal = interpret.saliency(model, images, { target });
const { attributions: ig, delta } = interpret.integratedGradients(model, images, { target, returnConvergenceDelta: true });
const occ = interpret.occlusion(model, images, { target, slidingWindowShapes: [1, 4, 4], strides: [1, 2, 2], perturbationsPerEval: 169 });
const sg = interpret.smoothGrad(model, images, { target, nSamples: 25, stdevs: 0.15, generator: new Generator(1) });
const logits = noGrad(() => model.forward(images)).toArray() as number[][];
const black = noGrad(() => model.forward(images.mul(0))).toArray() as number[][];
const hidden = interpret.layerActivations(model, model.relu, images); // [k, 500] after the ReLU

const side = (maps: string[], titles: string[]) => {
  const rows = maps.map((m) => m.split("\n"));
  const out = [titles.map((t) => t.padEnd(28)).join(" | ")];
  for (let r = 0; r < rows[0]!.length; r++) out.push(rows.map((m) => m[r]!).join(" | "));
  return out.join("\n");
};
mkdirSync(OUT, { recursive: true });
console.log(`\nheat maps: darker = larger; positive evidence " .:-=+*#%@", negative (IG, occlusion) " ,;~ooxxXX"`);
shown.forEach((idx, k) => {
  const t = target[k]!;
  const igSum = ig.select(0, k).sum().item();
  const diff = logits[k]![t]! - black[k]![t]!;
  const active = hidden.select(0, k).gt(0).sum().item();
  console.log(`\ntest digit #${idx}: label ${labels[idx]}, predicted ${t} (p = ${probs[k]![t]!.toFixed(3)}); ${active} of 500 hidden units active`);
  console.log(`  IG: attributions sum to ${igSum.toFixed(4)}, logit(x) − logit(black) = ${diff.toFixed(4)}, convergence delta ${delta.select(0, k).item().toExponential(2)}`);
  console.log(side([
    interpret.asciiHeatmap(images.select(0, k), { sign: "positive", outlierPerc: 0 }),
    interpret.asciiHeatmap(sal.select(0, k)),
    interpret.asciiHeatmap(ig.select(0, k), { sign: "all" }),
    interpret.asciiHeatmap(occ.select(0, k), { sign: "all" }),
  ], [`digit (label ${labels[idx]})`, "saliency |grad|", "integrated gradients", "occlusion 4x4"]));
  const svg = interpret.heatmapSvg([
    { title: `digit (label ${labels[idx]})`, values: images.select(0, k), method: "original_image" },
    { title: "saliency", values: sal.select(0, k) },
    { title: "integrated gradients", values: ig.select(0, k), sign: "all" },
    { title: "occlusion 4×4", values: occ.select(0, k), sign: "all" },
    { title: "SmoothGrad", values: sg.select(0, k) },
  ], { caption: `test digit #${idx}: predicted ${t} (p = ${probs[k]![t]!.toFixed(3)}); IG delta ${delta.select(0, k).item().toExponential(2)}; green +, red −, blue |·|` });
  const path = `${OUT}/digit-${idx}.svg`;
  io.writeFileAtomic("interpretability", path, new TextEncoder().encode(svg));
  console.log(`  wrote ${path}`);
});

// ---- sanity check: delete the most-attributed pixels -------------------------------------------
const M = 300, K = 78; // 300 test digits, 10% of 784 pixels
const x = testSet.data.narrow(0, 0, M);
const tgt = predicted.slice(0, M);
const pixels = x.dataSync();
const ranked = (attr: Tensor) => {
  const a = attr.dataSync();
  return Array.from({ length: M }, (_, i) => {
    const order = Array.from({ length: 784 }, (_, p) => p);
    return order.sort((p, q) => a[i * 784 + q]! - a[i * 784 + p]!).slice(0, K);
  });
};
const g = new Generator(2);
const randomPick = (inkOnly: boolean) => Array.from({ length: M }, (_, i) => {
  const pool = Array.from({ length: 784 }, (_, p) => p).filter((p) => !inkOnly || pixels[i * 784 + p]! > 0);
  for (let j = pool.length - 1; j > 0; j--) {
    const r = Math.floor(g.random() * (j + 1));
    [pool[j], pool[r]] = [pool[r]!, pool[j]!];
  }
  return pool.slice(0, K);
});
const score = (chosen: number[][]) => {
  const del = Float32Array.from(pixels);
  chosen.forEach((ps, i) => ps.forEach((p) => (del[i * 784 + p] = 0)));
  const before = noGrad(() => model.forward(x)).dataSync(), after = noGrad(() => model.forward(tensor(del, { shape: [M, 1, 28, 28] })));
  const a = after.dataSync(), pred = after.argmax(1).dataSync();
  let drop = 0, flipped = 0;
  for (let i = 0; i < M; i++) {
    drop += before[i * 10 + tgt[i]!]! - a[i * 10 + tgt[i]!]!;
    if (pred[i] !== tgt[i]) flipped++;
  }
  return `logit −${(drop / M).toFixed(2)}, prediction changed for ${((100 * flipped) / M).toFixed(0)}%`;
};
const tSanity = performance.now();
const rows: [string, number[][]][] = [
  ["integrated gradients", ranked(interpret.integratedGradients(model, x, { target: tgt, internalBatchSize: 3000 }))],
  ["occlusion 4x4", ranked(interpret.occlusion(model, x, { target: tgt, slidingWindowShapes: [1, 4, 4], strides: [1, 2, 2], perturbationsPerEval: 13 }))],
  ["saliency", ranked(interpret.saliency(model, x, { target: tgt }))],
  ["random ink pixels", randomPick(true)],
  ["random pixels", randomPick(false)],
];
const results = rows.map(([name, chosen]) => `  ${name.padEnd(21)} ${score(chosen)}`);
console.log(`\nsanity check on ${M} test digits (${((performance.now() - tSanity) / 1000).toFixed(1)} s): black out the ${K} pixels (10%) each method ranks highest`);
console.log("for the predicted class, and see how far that class's logit falls");
for (const line of results) console.log(line);
console.log("Saliency ranks pixels by how much a small change would move the logit, black background included,");
console.log("where blacking out changes nothing; IG and occlusion rank them by what they contribute.");
console.log(`\ndone in ${seconds()} s; SVG heat maps in ${OUT}/`);
