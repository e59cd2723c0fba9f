/**
 * examples/inspect-training.ts runs (one epoch) and shows what it promises: the backward graph, the
 * profile table, an accuracy, TensorBoard files, and anomaly detection naming `log` at the
 * example's own line.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

test("examples/inspect-training.ts: graph, profile, TensorBoard logs, anomaly detection", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "tensile-inspect-"));
  try {
    const out = execFileSync(process.execPath, ["--import", "tsx", "examples/inspect-training.ts"], {
      env: { ...process.env, EPOCHS: "1", LOGDIR: dir }, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"],
    });
    assert.match(out, /crossEntropy → \[\]\n└─ linear → \[64, 10\]/);
    assert.match(out, /│     ├─ fc1\.weight \[500, 784\] \(leaf, AccumulateGrad\)/);
    assert.match(out, /Name\s+Self CPU %\s+Self CPU\s+CPU total %/);
    assert.match(out, /train step\s+[\d.]+%\s+\S+\s+100\.00%/);
    const acc = Number(/epoch 1: test accuracy ([\d.]+)%/.exec(out)?.[1]);
    assert.ok(acc > 85, `one epoch learns: ${acc}%`);
    assert.ok(fs.readdirSync(dir).some((f) => f.startsWith("events.out.tfevents.")), "an event file");
    assert.match(out, /its gradient has NaN: true/);
    assert.match(out, /Function 'log' returned nan values/);
    assert.match(out, /at naiveLoss \(.*examples\/inspect-training\.ts:\d+:\d+\)/, "the user's line, not the library's");
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
