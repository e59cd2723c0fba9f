/** The training workflow: fit, callbacks, metrics, reports, and the CLI. */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, existsSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Generator, manualSeed, tensor, nn, optim, data, train, load } from "../src/index.js";
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));

const { fit, EarlyStopping, ModelCheckpoint, CSVLogger, metrics } = train;

function moons(n: number, seed: number) {
  return data.datasets.makeMoons(n, { noise: 0.1, generator: new Generator(seed) });
}
function mlp(hidden = 16) {
  return new nn.Sequential(new nn.Linear(2, hidden), new nn.ReLU(), new nn.Linear(hidden, 2));
}

describe("metrics", () => {
  // Tiny cases whose values follow directly from the definitions.
  const pred = tensor([0, 1, 1, 2, 2, 2], { dtype: "int32" });
  const target = tensor([0, 1, 2, 2, 2, 0], { dtype: "int32" });
  test("accuracy and confusion matrix (rows true, columns predicted)", () => {
    assert.equal(metrics.accuracy(pred, target), 4 / 6);
    assert.deepEqual(metrics.confusionMatrix(pred, target), [[1, 0, 1], [0, 1, 0], [0, 1, 2]]);
  });
  test("precision/recall/F1 per class and macro", () => {
    const r = metrics.precisionRecallF1(pred, target);
    assert.deepEqual(r.precision, [1, 0.5, 2 / 3]);
    assert.deepEqual(r.recall, [0.5, 1, 2 / 3]);
    assert.ok(Math.abs(r.f1[0]! - 2 / 3) < 1e-12 && Math.abs(r.macro.f1 - (2 / 3 + 2 / 3 + 2 / 3) / 3) < 1e-12);
  });
  test("argmax of logits, top-k, regression metrics", () => {
    const logits = tensor([[0.1, 2, 0.3], [3, 0, 1], [0.2, 0.1, 0.05]]);
    const y = tensor([1, 2, 0], { dtype: "int32" });
    assert.equal(metrics.accuracy(logits, y), 2 / 3);
    assert.equal(metrics.topKAccuracy(logits, y, 2), 1);
    const p = tensor([1, 2, 3, 4]), t = tensor([1, 2, 4, 2]);
    assert.equal(metrics.mae(p, t), 0.75);
    assert.equal(metrics.rmse(p, t), Math.sqrt(5 / 4));
    assert.ok(Math.abs(metrics.r2Score(p, t) - (1 - 5 / 4.75)) < 1e-12);
    assert.throws(() => metrics.mae(p, tensor([1, 2])), /different sizes/);
  });
});

describe("fit", () => {
  test("trains, validates and records a Keras-style history", async () => {
    manualSeed(0);
    const model = mlp(32);
    const h = await fit(model, {
      trainLoader: new data.DataLoader(moons(400, 1), { batchSize: 32, shuffle: true }),
      valLoader: new data.DataLoader(moons(200, 2), { batchSize: 100 }),
      loss: new nn.CrossEntropyLoss(),
      optimizer: new optim.Adam(model.parameters(), { lr: 0.05 }),
      epochs: 30,
      metrics: ["accuracy"],
    });
    assert.equal(h.epochs.length, 30);
    const first = h.epochs[0]!, last = h.epochs.at(-1)!;
    assert.ok(last.loss! < first.loss! * 0.75, `loss ${first.loss} → ${last.loss}`);
    assert.ok(last.val_accuracy! > 0.9, `val accuracy ${last.val_accuracy}`);
    for (const k of ["loss", "accuracy", "val_loss", "val_accuracy", "lr", "seconds", "samplesPerSec"]) assert.ok(k in last, k);
  });

  test("EarlyStopping stops on a plateau and restores the best weights", async () => {
    manualSeed(1);
    const model = mlp(8);
    // A learning rate this large makes validation loss blow up after a few epochs.
    const stopper = new EarlyStopping({ monitor: "val_loss", patience: 2, restoreBestWeights: true });
    const snapshots: Record<string, number[]>[] = [];
    const h = await fit(model, {
      trainLoader: new data.DataLoader(moons(200, 3), { batchSize: 20, shuffle: true }),
      valLoader: new data.DataLoader(moons(100, 4), { batchSize: 100 }),
      loss: new nn.CrossEntropyLoss(),
      optimizer: new optim.SGD(model.parameters(), { lr: 0.5, momentum: 0.99 }),
      epochs: 60,
      callbacks: [{ onEpochEnd: (_e, _l, ctx) => void snapshots.push(Object.fromEntries(Object.entries(ctx.model.stateDict()).map(([k, v]) => [k, [...v.dataSync()]]))) }, stopper],
    });
    assert.ok(h.stoppedEarly && h.epochs.length < 60, `ran ${h.epochs.length} epochs`);
    assert.equal(stopper.stoppedEpoch - stopper.bestEpoch, 3);
    const best = snapshots[stopper.bestEpoch]!;
    for (const [k, v] of Object.entries(model.stateDict())) assert.deepEqual([...v.dataSync()], best[k]);
    assert.equal(Math.min(...h.epochs.map((e) => e.val_loss!)), stopper.best);
  });

  test("ModelCheckpoint keeps the best weights; CSVLogger writes a row per epoch; plateau scheduler steps on val_loss", async () => {
    const dir = mkdtempSync(join(tmpdir(), "tensile-fit-"));
    try {
      manualSeed(2);
      const model = mlp();
      const opt = new optim.SGD(model.parameters(), { lr: 0.1 });
      const ckpt = new ModelCheckpoint(join(dir, "best.safetensors"), { monitor: "val_accuracy", saveBestOnly: true });
      const h = await fit(model, {
        trainLoader: new data.DataLoader(moons(200, 5), { batchSize: 50 }),
        valLoader: new data.DataLoader(moons(100, 6), { batchSize: 100 }),
        loss: new nn.CrossEntropyLoss(), optimizer: opt, epochs: 6, metrics: ["accuracy"],
        callbacks: [ckpt, new CSVLogger(join(dir, "h.csv"))],
        scheduler: new optim.lrScheduler.ReduceLROnPlateau(opt, { patience: 0, factor: 0.5, threshold: 10 }),
      });
      const best = h.epochs.reduce((a, b) => (b.val_accuracy! > a.val_accuracy! ? b : a));
      assert.ok(ckpt.saved.length >= 1);
      const saved = load(join(dir, "best.safetensors"));
      assert.deepEqual(Object.keys(saved).sort(), Object.keys(model.stateDict()).sort());
      const rows = readFileSync(join(dir, "h.csv"), "utf8").trim().split("\n");
      assert.equal(rows.length, 7);
      assert.ok(rows[0]!.split(",").includes("val_accuracy"));
      // threshold 10 means "never improves": the lr halves after every epoch.
      assert.deepEqual(h.epochs.map((e) => e.lr), [0.1, 0.05, 0.025, 0.0125, 0.00625, 0.003125]);
      assert.ok(best.val_accuracy! > 0.5);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("reports", () => {
  test("the HTML report is self-contained and holds curves, confusion matrix and metrics", () => {
    const html = train.trainingReportHtml({
      title: "t", history: [{ epoch: 0, loss: 1, val_loss: 1.2, accuracy: 0.5 }, { epoch: 1, loss: 0.5, val_loss: 0.9, accuracy: 0.8 }],
      metrics: { "test accuracy": 0.8 }, confusion: [[3, 1], [0, 4]], classNames: ["a", "b"],
    });
    assert.match(html, /<svg[^>]*>[\s\S]*<polyline/);
    assert.match(html, /Confusion matrix/);
    assert.match(html, /test accuracy/);
    assert.doesNotMatch(html, /<script|src="http/);
  });
});

describe("tensile CLI", () => {
  // The CLI runs in its own process, as a user would run it.
  async function run(args: string[]): Promise<{ code: number; out: string; err: string }> {
    const r = spawnSync(process.execPath, ["--import", "tsx", "src/cli/main.ts", ...args], { encoding: "utf8", cwd: root });
    return { code: r.status ?? -1, out: r.stdout, err: r.stderr };
  }
  test("bad flags get a clear message and exit code 2", async () => {
    for (const [args, re] of [
      [["train", "--epochs", "zero"], /--epochs must be a number, got "zero"/],
      [["train", "--optimizer", "lion"], /--optimizer must be one of sgd, adam/],
      [["train", "--bogus"], /Unknown option '--bogus'/],
      [["train", "--early-stopping", "3"], /needs a validation set/],
      [["fly"], /unknown command "fly"/],
      [["eval"], /needs --weights/],
      [["export"], /export needs --weights/],
    ] as [string[], RegExp][]) {
      const r = await run(args);
      assert.equal(r.code, 2, args.join(" "));
      assert.match(r.err, re);
    }
  });
  test("--help explains the flags", async () => {
    const r = await run(["train", "--help"]);
    assert.equal(r.code, 0);
    for (const f of ["--data", "--epochs", "--batch-size", "--lr", "--optimizer", "--hidden", "--seed", "--save", "--val-split", "--early-stopping", "--scheduler", "--weight-decay", "--dropout"])
      assert.ok(r.out.includes(f), f);
  });
  test("train then eval on a synthetic set writes weights and a report", async () => {
    const dir = mkdtempSync(join(tmpdir(), "tensile-cli-"));
    try {
      const w = join(dir, "m.safetensors");
      const r = await run(["train", "--data", "moons", "--hidden", "16", "--epochs", "3", "--lr", "0.1", "--val-split", "0.2", "--early-stopping", "2", "--save", w, "--scheduler", "cosine"]);
      assert.equal(r.code, 0, r.err);
      assert.match(r.out, /Final test accuracy: \d+\.\d\d%/);
      assert.ok(existsSync(w) && existsSync(join(dir, "report.html")) && existsSync(join(dir, "loss.svg")) && existsSync(join(dir, "history.csv")));
      const e = await run(["eval", "--data", "moons", "--hidden", "16", "--weights", w]);
      assert.equal(e.code, 0, e.err);
      const acc = (s: string, re: RegExp) => Number(re.exec(s)![1]);
      assert.equal(acc(e.out, /Test accuracy on moons: ([\d.]+)%/), acc(r.out, /Final test accuracy: ([\d.]+)%/));
      const x = await run(["export", "--data", "moons", "--hidden", "16", "--weights", w]);
      assert.equal(x.code, 0, x.err);
      assert.match(x.out, /Wrote .*m\.onnx: input "input" \[batch, 2\], output "output" \[batch, 2\]/);
      assert.ok(existsSync(join(dir, "m.onnx")));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
