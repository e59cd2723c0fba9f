/**
 * The example recipes (src/models/train-examples.ts) run end to end on small slices of their data:
 * one short epoch each, reporting through onEpoch/onBatch. The full runs are examples/cnn-mnist.ts
 * and examples/resnet-fashion.ts, not tests.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { trainLenet5, trainResnetFashion, type EpochReport } from "../src/models/train-examples.js";

function checkReport(r: EpochReport): void {
  assert.equal(r.epoch, 1);
  for (const v of [r.trainAccuracy, r.testAccuracy]) assert.ok(v >= 0 && v <= 1);
  assert.ok(Number.isFinite(r.trainLoss) && r.trainLoss > 0 && r.seconds > 0);
}

test("trainLenet5 runs an epoch on a slice of the digits and reports it", async () => {
  const reports: EpochReport[] = [];
  let batches = 0;
  const res = await trainLenet5({ epochs: 1, trainLimit: 256, testLimit: 100, onEpoch: (r) => reports.push(r), onBatch: () => batches++ });
  assert.equal(reports.length, 1);
  assert.equal(batches, 4);
  checkReport(reports[0]!);
  assert.equal(res.testAccuracy, reports[0]!.testAccuracy);
  assert.ok(res.model.training, "the model is back in training mode");
});

const root = "/usr/share/datasets/fashion-mnist";
test("trainResnetFashion runs an epoch on a slice of Fashion-MNIST with augmentation", { skip: !existsSync(root) && `no Fashion-MNIST in ${root}` }, async () => {
  const res = await trainResnetFashion({ epochs: 1, trainLimit: 64, testLimit: 50, batchSize: 32, blocks: [1], channels: [8] });
  assert.equal(res.history.length, 1);
  checkReport(res.history[0]!);
});
