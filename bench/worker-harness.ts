/**
 * The timing loops shared by the JavaScript workers (TF.js, Tensile). A worker supplies a
 * `FrameworkAdapter`; this file parses the request, loads Fashion-MNIST, times the workload and
 * prints the result line. The loops mirror bench/torch_worker.py so every framework is timed the
 * same way.
 */
import { performance } from "node:perf_hooks";
import { loadFashionMnistTrain, type Dataset } from "./idx.js";
import {
  BATCH_SIZE,
  ERROR_MARKER,
  RESULT_MARKER,
  type Measurement,
  type MeasurementKey,
  type MicroPlan,
  type WorkerRequest,
  type WorkerResult,
} from "./protocol.js";
import { median } from "./stats.js";

export interface Trainer {
  /** One optimizer step on the rows `indices` of the training set (gathered by the framework);
   * returns the loss as a number when `readLoss` (that forces a sync), otherwise undefined. */
  step(indices: Int32Array, readLoss: boolean): number | undefined;
}

export interface FrameworkAdapter {
  info(): Record<string, string>;
  trainer(kind: "mlp" | "cnn", data: Dataset): Trainer;
  /** Closures that run one eval-mode forward pass of the MLP on a fixed batch of 1 / 1000 rows
   * and read the logits back into JS. */
  inference(data: Dataset): { b1: () => void; b1000: () => void };
  /** A closure computing one [m,k]·[k,n] float32 product of fixed random inputs, read back. */
  gemm(m: number, k: number, n: number): () => void;
}

export function log(tag: string, msg: string): void {
  process.stderr.write(`[${tag}] ${msg}\n`);
}

/** mulberry32: a tiny seeded generator, so every run shuffles reproducibly. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function permutation(n: number, rand: () => number): Int32Array {
  const p = new Int32Array(n);
  for (let i = 0; i < n; i++) p[i] = i;
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    const t = p[i]!;
    p[i] = p[j]!;
    p[j] = t;
  }
  return p;
}

function runBatches(trainer: Trainer, perm: Int32Array, count: number): { seen: number; first: number; last: number } {
  let seen = 0;
  let first = NaN;
  let last = NaN;
  for (let b = 0; b < count; b++) {
    const idx = perm.subarray(b * BATCH_SIZE, Math.min((b + 1) * BATCH_SIZE, perm.length));
    const loss = trainer.step(idx, b === 0 || b === count - 1);
    if (b === 0) first = loss ?? NaN;
    if (b === count - 1) last = loss ?? NaN;
    seen += idx.length;
  }
  return { seen, first, last };
}

function trainEpochs(tag: string, req: WorkerRequest, trainer: Trainer, n: number): Measurement {
  const rand = rng(1234);
  const perEpoch = Math.ceil(n / BATCH_SIZE);
  let limit = Math.min(req.batches ?? perEpoch, perEpoch);
  // Warm-up; the speed estimate skips the first batch, which pays for compilation and allocation.
  const warm = req.warmupBatches;
  const warmPerm = permutation(n, rand);
  if (warm > 0) runBatches(trainer, warmPerm, 1);
  const t0 = performance.now();
  if (warm > 1) runBatches(trainer, warmPerm.subarray(BATCH_SIZE), warm - 1);
  const perBatchS = (performance.now() - t0) / 1000 / Math.max(1, warm - 1);
  if (warm > 1 && req.maxRunSeconds !== undefined && perBatchS * limit > req.maxRunSeconds) {
    // Too slow for a full run: time as many batches as fit in cappedRunSeconds and extrapolate.
    const fit = Math.round((req.cappedRunSeconds ?? req.maxRunSeconds) / perBatchS);
    limit = Math.max(1, Math.min(limit, fit));
    log(tag, `warm-up at ${(perBatchS * 1000).toFixed(1)} ms/batch: timing ${limit} batches per run`);
  }
  const values: number[] = [];
  const losses: Array<[number, number]> = [];
  for (let r = 0; r < req.runs; r++) {
    const perm = permutation(n, rand);
    const start = performance.now();
    const { seen, first, last } = runBatches(trainer, perm, limit);
    const dt = (performance.now() - start) / 1000;
    values.push((dt * n) / seen); // == dt for a full epoch
    losses.push([first, last]);
    log(tag, `run ${r + 1}/${req.runs}: ${dt.toFixed(2)} s for ${seen} samples (loss ${first.toFixed(3)} -> ${last.toFixed(3)})`);
  }
  return { values, extrapolatedFromBatches: limit === perEpoch ? null : limit, losses };
}

/** Seconds per call of `fn`, repeated for at least `minSeconds` (and at least once). */
function secondsPerCall(fn: () => void, minSeconds: number): number {
  let calls = 0;
  const start = performance.now();
  let elapsed = 0;
  do {
    fn();
    calls++;
    elapsed = (performance.now() - start) / 1000;
  } while (elapsed < minSeconds);
  return elapsed / calls;
}

function micro(tag: string, plan: MicroPlan, adapter: FrameworkAdapter, data: Dataset): WorkerResult["measurements"] {
  const out: WorkerResult["measurements"] = {};
  const { b1, b1000 } = adapter.inference(data);
  /** Median µs of `calls` batch-1 calls, each timed alone. */
  const medianCall = (calls: number): number => {
    const perCall: number[] = [];
    for (let i = 0; i < calls; i++) {
      const t0 = process.hrtime.bigint();
      b1();
      perCall.push(Number(process.hrtime.bigint() - t0) / 1000);
    }
    return median(perCall);
  };
  // the first calls of the fresh process, before any warm-up: what a short-lived script sees
  out["infer.b1cold"] = { values: [medianCall(plan.coldCalls)] };
  // then untimed calls until the JIT has settled, as for batch-1000 and the GEMMs below
  secondsPerCall(b1, plan.warmupSeconds);
  const latency: number[] = [];
  for (let r = 0; r < plan.latencyRuns; r++) latency.push(medianCall(plan.latencyCalls));
  out["infer.b1"] = { values: latency };
  secondsPerCall(b1000, 2 * plan.throughputSecondsPerRun); // untimed first, as each GEMM shape below
  const throughput: number[] = [];
  for (let r = 0; r < plan.throughputRuns; r++) throughput.push(1000 / secondsPerCall(b1000, plan.throughputSecondsPerRun));
  out["infer.b1000"] = { values: throughput };
  log(tag, `batch-1 latency: first ${plan.coldCalls} calls ${out["infer.b1cold"].values[0]!.toFixed(0)} µs, then ${latency.map((v) => v.toFixed(0)).join(", ")} µs; batch-1000 ${throughput.map((v) => v.toFixed(0)).join(", ")} samples/s`);
  for (const [m, k, n] of plan.gemmShapes) {
    const product = adapter.gemm(m, k, n);
    // untimed first, for three windows' time: the first shape after the inference runs used to
    // read low at two threads for about a second (whichever shape came first)
    secondsPerCall(product, 3 * plan.gemmSecondsPerRun);
    const gflops: number[] = [];
    for (let r = 0; r < plan.gemmRuns; r++) gflops.push((2 * m * k * n) / secondsPerCall(product, plan.gemmSecondsPerRun) / 1e9);
    out[`gemm.${m}x${k}x${n}` as MeasurementKey] = { values: gflops };
    log(tag, `gemm ${m}x${k}x${n}: ${gflops.map((v) => v.toFixed(2)).join(", ")} GFLOP/s`);
  }
  return out;
}

function peakRssMiB(): number {
  return process.resourceUsage().maxRSS / 1024; // maxRSS is in KiB
}

/** Entry point of a JS worker: `makeAdapter` sets the framework up (backend, threads) first.
 * Any failure is printed as one ERROR_MARKER line, which the orchestrator reports as the reason. */
export async function runWorker(tag: string, makeAdapter: (req: WorkerRequest) => Promise<FrameworkAdapter>): Promise<void> {
  try {
    const req = JSON.parse(process.argv[2] ?? "") as WorkerRequest;
    const adapter = await makeAdapter(req);
    const data = loadFashionMnistTrain(req.dataDir);
    const measurements: WorkerResult["measurements"] = {};
    if (req.workload === "mlp" || req.workload === "cnn") {
      const trainer = adapter.trainer(req.workload, data);
      measurements[`${req.workload}.epoch`] = trainEpochs(tag, req, trainer, data.n);
      measurements[`${req.workload}.rss`] = { values: [peakRssMiB()] };
    } else {
      if (!req.micro) throw new Error("micro workload without a micro plan");
      Object.assign(measurements, micro(tag, req.micro, adapter, data));
    }
    const result: WorkerResult = { info: adapter.info(), measurements };
    process.stdout.write(RESULT_MARKER + JSON.stringify(result) + "\n");
  } catch (e) {
    const err = e as Error;
    log(tag, err.stack ?? String(err));
    process.stdout.write(ERROR_MARKER + JSON.stringify(`${err.name}: ${err.message}`.split("\n")[0]) + "\n");
    process.exitCode = 1;
  }
}
