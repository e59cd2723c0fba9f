/**
 * Tests of the benchmark harness's own logic (part of `npm test`; alone:
 *   node --import tsx --test bench/bench.test.ts)
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import { loadFashionMnistTrain, readIdxGz } from "./idx.js";
import { buildConfigs, interleaved, splitIntoRounds, type FrameworkConfig } from "./plan.js";
import { FASHION_MNIST_DIR, type Measurement, type WorkerRequest, type WorkerResult } from "./protocol.js";
import { baselineFor, gateTorch, mergeOutcomes, renderTables, scaling, type ConfigOutcome, type WorkloadOutcome } from "./report.js";
import { fmt, median } from "./stats.js";
import { stealPercent } from "./machine.js";

function idxBytes(shape: number[], data: number[], magicType = 0x08): Uint8Array {
  const bytes = new Uint8Array(4 + 4 * shape.length + data.length);
  const view = new DataView(bytes.buffer);
  bytes[2] = magicType;
  bytes[3] = shape.length;
  shape.forEach((d, i) => view.setUint32(4 + 4 * i, d, false)); // big-endian
  bytes.set(data, 4 + 4 * shape.length);
  return new Uint8Array(gzipSync(bytes));
}

test("readIdxGz reads shape and row-major data of a gzip IDX file", () => {
  const dir = mkdtempSync(join(tmpdir(), "bench-idx-"));
  const data = Array.from({ length: 12 }, (_, i) => (i * 37) % 256);
  writeFileSync(join(dir, "a.gz"), idxBytes([2, 3, 2], data));
  const a = readIdxGz(join(dir, "a.gz"));
  assert.deepEqual(a.shape, [2, 3, 2]);
  assert.deepEqual(Array.from(a.data), data);
});

test("readIdxGz rejects a non-uint8 type byte and a truncated body", () => {
  const dir = mkdtempSync(join(tmpdir(), "bench-idx-"));
  writeFileSync(join(dir, "f.gz"), idxBytes([2], [1, 2], 0x0d));
  assert.throws(() => readIdxGz(join(dir, "f.gz")), /not an uint8 IDX file/);
  writeFileSync(join(dir, "t.gz"), idxBytes([3], [1, 2]));
  assert.throws(() => readIdxGz(join(dir, "t.gz")), /should hold 3 bytes/);
});

const python = "/usr/bin/python3";
const haveData = existsSync(join(FASHION_MNIST_DIR, "train-images-idx3-ubyte.gz"));

test("the TypeScript and Python Fashion-MNIST readers agree", { skip: !haveData || !existsSync(python) }, () => {
  const d = loadFashionMnistTrain(FASHION_MNIST_DIR);
  assert.equal(d.n, 60000);
  assert.equal(d.x.length, 60000 * 784);
  let sum = 0;
  let min = Infinity;
  let max = -Infinity;
  for (const v of d.x) {
    sum += v;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  assert.equal(min, 0);
  assert.equal(max, 1);
  let labelSum = 0;
  for (const v of d.y) labelSum += v;
  const script =
    "import sys, json; sys.path.insert(0, sys.argv[1]); import idx; x, y = idx.load_fashion_mnist_train();" +
    "print(json.dumps([float(x.astype('float64').sum()), int(y.sum()), [int(v) for v in y[:20]], float(x[123, 400])]))";
  const r = spawnSync(python, ["-c", script, fileURLToPath(new URL(".", import.meta.url))], { encoding: "utf8" });
  assert.equal(r.status, 0, r.stderr);
  const [pySum, pyLabelSum, pyFirst, pyPixel] = JSON.parse(r.stdout) as [number, number, number[], number];
  assert.ok(Math.abs(sum - pySum) < 1e-6 * pySum, `pixel sums differ: ${sum} vs ${pySum}`);
  assert.equal(labelSum, pyLabelSum);
  assert.deepEqual(Array.from(d.y.subarray(0, 20)), pyFirst);
  assert.equal(d.x[123 * 784 + 400], Math.fround(pyPixel));
});

test("steal: the hypervisor's share of the CPU time between two /proc/stat readings", () => {
  assert.equal(stealPercent({ steal: 100, total: 10_000 }, { steal: 350, total: 12_000 }), "12.5%");
  assert.equal(stealPercent(null, { steal: 1, total: 2 }), "n/a");
  assert.equal(stealPercent({ steal: 1, total: 5 }, { steal: 1, total: 5 }), "n/a"); // no time passed
});

test("median and fmt", () => {
  assert.equal(median([3, 1, 2]), 2);
  assert.equal(median([4, 1, 3, 2]), 2.5);
  assert.ok(Number.isNaN(median([])));
  assert.equal(fmt(12345.6), "12,346");
  assert.equal(fmt(123.4), "123");
  assert.equal(fmt(12.34), "12.3");
  assert.equal(fmt(1.234), "1.23");
  assert.equal(fmt(0.01234), "0.012");
});

const configs = buildConfigs(false, 2);
const byId = (id: string): FrameworkConfig => {
  const c = configs.find((x) => x.id === id);
  assert.ok(c, `no config ${id}`);
  return c;
};

function outcome(id: string, m: Record<string, number[]>, extra: Partial<ConfigOutcome> = {}): ConfigOutcome {
  const measurements: WorkerResult["measurements"] = {};
  for (const [k, values] of Object.entries(m)) (measurements as Record<string, Measurement>)[k] = { values };
  const result: WorkerResult = { info: {}, measurements };
  return { config: byId(id), workloads: { micro: { result, wallSeconds: 1 }, mlp: { result, wallSeconds: 1 } }, ...extra };
}

test("gateTorch refuses a configuration below the bar scaled to its threads", () => {
  const slow2 = outcome("torch-given-2t", { "gemm.1024x1024x1024": [90, 95, 99] });
  gateTorch(slow2, 100, 2);
  assert.equal(slow2.gemmThreshold, 100);
  assert.match(slow2.invalid ?? "", /95.0 GFLOP\/s < 100 GFLOP\/s/);
  const ok1 = outcome("torch-given-1t", { "gemm.1024x1024x1024": [60, 80, 70] });
  gateTorch(ok1, 100, 2);
  assert.equal(ok1.gemmThreshold, 50);
  assert.equal(ok1.invalid, undefined);
  assert.equal(ok1.gemmGflops, 70);
  const missing: ConfigOutcome = { config: byId("torch-unset-1t"), workloads: { micro: { failure: "boom", wallSeconds: 0 } } };
  gateTorch(missing, 100, 2);
  assert.match(missing.invalid ?? "", /not measured \(boom\)/);
});

test("the PyTorch baseline prefers OPENBLAS_* unset, never a refused one, and matches threads", () => {
  const given = outcome("torch-given-1t", {});
  const unset = outcome("torch-unset-1t", {});
  assert.equal(baselineFor([given, unset], 1), unset);
  unset.invalid = "slow";
  assert.equal(baselineFor([given, unset], 1), given);
  given.invalid = "slow";
  assert.equal(baselineFor([given, unset], 1), undefined);
  assert.equal(baselineFor([outcome("torch-unset-2t", {})], 1), undefined);
});

test("a VM whose CPU OpenBLAS cannot identify: a third PyTorch configuration with the flags' core type", () => {
  const withCpu = buildConfigs(false, 2, "SkylakeX");
  const cpu = withCpu.filter((c) => c.openblasEnv === "cpu");
  assert.deepEqual(cpu.map((c) => [c.id, c.label, c.coretype, c.threads]), [
    ["torch-cpu-1t", "PyTorch, OPENBLAS_CORETYPE=SkylakeX", "SkylakeX", 1], ["torch-cpu-2t", "PyTorch, OPENBLAS_CORETYPE=SkylakeX", "SkylakeX", 2],
  ]);
  assert.equal(buildConfigs(false, 2).filter((c) => c.openblasEnv === "cpu").length, 0, "none when detection agrees");
  // the baseline: unset if valid, else the flags' core type, else as given
  const pick = (valid: string[]) => {
    const os = ["given", "unset", "cpu"].map((e) => {
      const o: ConfigOutcome = { config: withCpu.find((c) => c.id === `torch-${e}-1t`)!, workloads: {} };
      if (!valid.includes(e)) o.invalid = "slow";
      return o;
    });
    return baselineFor(os, 1)?.config.openblasEnv;
  };
  assert.equal(pick(["given", "unset", "cpu"]), "unset");
  assert.equal(pick(["given", "cpu"]), "cpu");
  assert.equal(pick(["given"]), "given");
  assert.equal(pick([]), undefined);
});

test("tables divide medians by the same-thread PyTorch baseline and mark refused rows", () => {
  const torch1 = outcome("torch-unset-1t", { "mlp.epoch": [2, 3, 100] });
  const torch2 = outcome("torch-unset-2t", { "mlp.epoch": [1, 1, 1] }, { invalid: "GEMM too slow" });
  const tfjs = outcome("tfjs-wasm", { "mlp.epoch": [7.5, 6, 9] });
  const tensile2 = outcome("tensile-wasm-2t", { "mlp.epoch": [4, 4, 4] });
  const tables = renderTables([torch1, torch2, tfjs, tensile2]);
  const mlpTable = tables.split("### 2.")[0]!;
  const line = (prefix: string) => mlpTable.split("\n").find((l) => l.startsWith(prefix)) ?? "";
  assert.match(line("| TF.js wasm | 1 |"), /\| 7.50 \| 6.00–9.00 \| 3 \| 2.50× PyTorch time \|/);
  assert.match(line("| PyTorch, OPENBLAS_* unset | 1 |"), /\| 3.00 \| 2.00–100 \| 3 \| baseline \|/);
  assert.match(line("| PyTorch, OPENBLAS_* unset | 2 |"), /INVALID: GEMM too slow/);
  assert.match(line("| Tensile wasm | 2 |"), /no valid PyTorch baseline/);
});

test("two-thread scaling: ratio of medians, and ratios of runs paired by position (round)", () => {
  const r = scaling([10, 20, 30], [18, 30, 60])!;
  assert.equal(r.medians, 30 / 20);
  assert.deepEqual(r.paired, [1.8, 1.5, 2]);
  assert.equal(scaling([10, 20], [15, 25, 35])!.paired, null, "unequal run counts cannot be paired");
  assert.equal(scaling([], [1]), null);
  const one = outcome("tensile-wasm-1t", { "gemm.64x784x500": [30, 20, 40] });
  const two = outcome("tensile-wasm-2t", { "gemm.64x784x500": [51, 40, 60] });
  const tables = renderTables([one, two]);
  const section = tables.slice(tables.indexOf("Two-thread scaling"));
  assert.match(section, /\| Tensile wasm \| \(64,784,500\) \| 1\.70× \| 1\.70× \| 1\.50–2\.00× \| 3 \|/);
  assert.doesNotMatch(section, /1024,1024,1024/, "no row for a GEMM without figures");
});

test("plans: quick skips TF.js cpu's CNN, every micro request carries a micro plan", () => {
  const quick = buildConfigs(true, 2);
  const cpu = quick.find((c) => c.id === "tfjs-cpu")!;
  assert.ok("skip" in cpu.plan("cnn"));
  for (const c of [...quick, ...configs]) {
    const p = c.plan("micro");
    if (!("skip" in p)) assert.ok(p.micro && p.micro.gemmShapes.length === 3, c.id);
  }
  assert.deepEqual(
    configs.map((c) => c.id),
    ["torch-given-1t", "torch-given-2t", "torch-unset-1t", "torch-unset-2t", "tfjs-wasm", "tfjs-cpu", "tensile-wasm-1t", "tensile-wasm-2t", "tensile-reference"],
  );
  assert.deepEqual(buildConfigs(false, 1).filter((c) => c.threads === 2), []);
});

test("rounds: the compared configurations split their runs, the slow peers run whole", () => {
  assert.deepEqual(configs.filter(interleaved).map((c) => c.id),
    ["torch-given-1t", "torch-given-2t", "torch-unset-1t", "torch-unset-2t", "tfjs-wasm", "tensile-wasm-1t", "tensile-wasm-2t"]);
  const mlp = byId("tensile-wasm-1t").plan("mlp") as WorkerRequest;
  const parts = splitIntoRounds(mlp, 3);
  assert.deepEqual(parts.map((p) => p.runs), [1, 1, 1]);
  assert.ok(parts.every((p) => p.workload === "mlp" && p.threads === 1 && p.batches === mlp.batches));
  assert.deepEqual(splitIntoRounds({ ...mlp, runs: 4 }, 3).map((p) => p.runs), [2, 1, 1]);
  assert.deepEqual(splitIntoRounds({ ...mlp, runs: 2 }, 3).map((p) => p.runs), [1, 1]);
  assert.deepEqual(splitIntoRounds(mlp, 1), [mlp]);
  const micro = byId("torch-unset-1t").plan("micro") as WorkerRequest;
  const m = splitIntoRounds(micro, 3);
  assert.equal(m.length, 3);
  // 10 latency, 7 throughput, 5 GEMM runs → ⌈n/3⌉ per round: at least as many runs in all
  assert.deepEqual([m[0]!.micro!.latencyRuns, m[0]!.micro!.throughputRuns, m[0]!.micro!.gemmRuns], [4, 3, 2]);
  assert.equal(micro.micro!.latencyRuns, 10, "the original plan is left alone");
});

test("mergeOutcomes joins the rounds' runs and keeps the first failure", () => {
  const part = (values: number[], batches: number | null, losses: [number, number][] = []): WorkloadOutcome => ({
    result: { info: { v: String(values[0]) }, measurements: { "mlp.epoch": { values, extrapolatedFromBatches: batches, losses }, "mlp.rss": { values: [values[0]! * 100] } } },
    wallSeconds: 2,
  });
  const m = mergeOutcomes([part([3], null, [[1, 0.5]]), part([5], null, [[1, 0.4]]), part([4], null, [[1, 0.3]])]);
  assert.equal(m.wallSeconds, 6);
  assert.deepEqual(m.result!.info, { v: "3" });
  const epoch = m.result!.measurements["mlp.epoch"]!;
  assert.deepEqual(epoch.values, [3, 5, 4]);
  assert.equal(median(epoch.values), 4);
  assert.deepEqual(epoch.losses!.at(-1), [1, 0.3]);
  assert.equal(epoch.extrapolatedFromBatches, null);
  assert.equal(epoch.extrapolatedBatchRange, undefined);
  assert.deepEqual(m.result!.measurements["mlp.rss"]!.values, [300, 500, 400]);
  // children that timed different batch counts: the note shows the range
  const r = mergeOutcomes([part([3], 60), part([5], 86), part([4], 70)]).result!.measurements["mlp.epoch"]!;
  assert.deepEqual(r.extrapolatedBatchRange, [60, 86]);
  assert.throws(() => mergeOutcomes([part([3], 60), part([5], null)]), /whole-epoch and extrapolated/);
  const failed = mergeOutcomes([part([3], null), { failure: "boom", wallSeconds: 1 }]);
  assert.equal(failed.failure, "boom");
  assert.equal(failed.result, undefined);
  assert.equal(failed.wallSeconds, 3);
});

test("the RSS table shows the median of the rounds' workers, as its ratio uses", () => {
  const torch = outcome("torch-unset-1t", { "mlp.rss": [400, 400, 400] });
  const tensile = outcome("tensile-wasm-1t", { "mlp.rss": [500, 300, 360] });
  const rssRow = renderTables([torch, tensile]).split("Peak RSS")[1]!.split("\n").find((l) => l.startsWith("| Tensile wasm | 1 |"))!;
  assert.match(rssRow, /\| 360 \| 0\.90× PyTorch RSS \|/);
});
