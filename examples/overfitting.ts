/**
 * Overfitting and its remedies (the text's chapter): a wide MLP on only 1,000 Fashion-MNIST images
 * memorises them — train accuracy races to ~100% while validation accuracy stalls and validation
 * loss climbs. The same network with dropout, weight decay and early stopping on a validation set
 * generalises better.
 *
 *   npx tsx examples/overfitting.ts        (needs Debian's dataset-fashion-mnist)
 *
 * Writes overfitting-plain.svg and overfitting-remedies.svg (train vs validation curves).
 */
import { writeFileSync } from "node:fs";
import { Generator, type Tensor, indexSelect, manualSeed, nn, optim, data, randperm, train } from "../src/index.js";

const EPOCHS = Number(process.env.EPOCHS ?? 60);
const root = process.env.FASHION_ROOT ?? "/usr/share/datasets/fashion-mnist";
const full = new data.datasets.FashionMNIST({ root, train: true });
const images = full.data.float().div(255).reshape([full.length, 784]);
const labels = full.targets;

// 1,000 training images and 2,000 validation images, drawn without overlap by a seeded permutation.
const perm = randperm(full.length, { generator: new Generator(123) });
const pick = (a: number, n: number): [Tensor, Tensor] => {
  const idx = perm.narrow(0, a, n);
  return [indexSelect(images, 0, idx), indexSelect(labels, 0, idx)];
};
const trainSet = new data.TensorDataset(...pick(0, 1000));
const valSet = new data.TensorDataset(...pick(1000, 2000));

function wideMlp(dropout: number): nn.Module {
  const layers: nn.Module[] = [new nn.Linear(784, 1024), new nn.ReLU()];
  if (dropout > 0) layers.push(new nn.Dropout(dropout));
  layers.push(new nn.Linear(1024, 1024), new nn.ReLU());
  if (dropout > 0) layers.push(new nn.Dropout(dropout));
  layers.push(new nn.Linear(1024, 10));
  return new nn.Sequential(...layers);
}

async function run(name: string, remedies: boolean): Promise<{ accuracy: number; loss: number }> {
  manualSeed(0);
  const model = wideMlp(remedies ? 0.5 : 0);
  const optimizer = new optim.Adam(model.parameters(), { lr: 1e-3, weightDecay: remedies ? 1e-3 : 0 });
  const stopper = new train.EarlyStopping({ monitor: "val_loss", patience: 5, restoreBestWeights: true });
  const history = await train.fit(model, {
    trainLoader: new data.DataLoader(trainSet, { batchSize: 64, shuffle: true, generator: new Generator(1) }),
    valLoader: new data.DataLoader(valSet, { batchSize: 500 }),
    loss: new nn.CrossEntropyLoss(),
    optimizer,
    epochs: EPOCHS,
    metrics: ["accuracy"],
    callbacks: remedies ? [stopper] : [],
  });
  const rows = history.epochs;
  for (const r of rows.filter((_, i) => i % 5 === 4 || i === rows.length - 1))
    console.log(`  ${name} epoch ${String(r.epoch! + 1).padStart(2)}: train acc ${(r.accuracy! * 100).toFixed(1)}%  val acc ${(r.val_accuracy! * 100).toFixed(1)}%  train loss ${r.loss!.toFixed(3)}  val loss ${r.val_loss!.toFixed(3)}`);
  const { loss, accuracy } = train.historyCharts(rows);
  writeFileSync(`overfitting-${name}.svg`, accuracy ?? loss);
  // Final validation accuracy of the weights we keep (the best epoch's, with early stopping).
  const final = await train.evaluate(model, new data.DataLoader(valSet, { batchSize: 500 }), new nn.CrossEntropyLoss(), ["accuracy"]);
  if (remedies && history.stoppedEarly) console.log(`  early stopping at epoch ${stopper.stoppedEpoch + 1}, kept epoch ${stopper.bestEpoch + 1}`);
  return { accuracy: final.accuracy!, loss: final.loss! };
}

console.log(`Wide MLP (784-1024-1024-10) on 1,000 Fashion-MNIST images, validated on 2,000 others, up to ${EPOCHS} epochs.`);
const plain = await run("plain", false);
const remedied = await run("remedies", true);
const fmt = (r: { accuracy: number; loss: number }) => `${(r.accuracy * 100).toFixed(2)}% (loss ${r.loss.toFixed(3)})`;
console.log(`\nvalidation accuracy without remedies: ${fmt(plain)}`);
console.log(`validation accuracy with dropout 0.5 + weight decay 1e-3 + early stopping: ${fmt(remedied)}`);
console.log(remedied.accuracy > plain.accuracy ? "The remedies generalise better." : "The remedies did not help on this run.");
