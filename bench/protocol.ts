/**
 * What the orchestrator (bench/run.ts) and the per-framework worker processes say to each other.
 * A worker gets one `WorkerRequest` as JSON in argv[2] and prints one line
 * `RESULT_MARKER + JSON(WorkerResult)` on stdout (or `ERROR_MARKER + JSON(reason)`); everything
 * else it prints is progress.
 * bench/torch_worker.py speaks the same protocol.
 */

export const RESULT_MARKER = "@@BENCH_RESULT ";
/** A worker that cannot run prints this followed by a JSON string: the reason. */
export const ERROR_MARKER = "@@BENCH_ERROR ";
export const FASHION_MNIST_DIR = "/usr/share/datasets/fashion-mnist";

/** One child process runs one workload: the two training workloads are kept apart so that
 * peak RSS is the training process's own. */
export type Workload = "mlp" | "cnn" | "micro";

/** Measurement keys, in the order the report prints them. */
export const MEASUREMENT_KEYS = [
  "mlp.epoch",
  "cnn.epoch",
  "infer.b1",
  "infer.b1cold",
  "infer.b1000",
  "gemm.64x784x500",
  "gemm.784x64x500",
  "gemm.1024x1024x1024",
  "mlp.rss",
  "cnn.rss",
] as const;
export type MeasurementKey = (typeof MEASUREMENT_KEYS)[number];

export const GEMM_SHAPES: ReadonlyArray<readonly [number, number, number]> = [
  [64, 784, 500],
  [784, 64, 500],
  [1024, 1024, 1024],
];

export interface MicroPlan {
  /** Batch-1 calls timed first, in the fresh process, before any warm-up: their median is the
   * "first calls" latency (JIT compilation and tier-up included for the JS frameworks). */
  coldCalls: number;
  /** Untimed batch-1 calls for this long after the cold calls, before the latency runs: the
   * JS frameworks reach their steady state only after V8 has optimised the whole forward path
   * (Tensile: ~1,500–3,000 calls here). */
  warmupSeconds: number;
  latencyRuns: number;
  /** Batch-1 calls per latency run; the run's figure is the median call. */
  latencyCalls: number;
  throughputRuns: number;
  /** Each throughput run repeats batch-1000 forwards for at least this long (at least one call). */
  throughputSecondsPerRun: number;
  gemmShapes: Array<[number, number, number]>;
  gemmRuns: number;
  /** Each GEMM run repeats the product for at least this long (at least one call). */
  gemmSecondsPerRun: number;
}

export interface WorkerRequest {
  workload: Workload;
  /** Framework-specific backend name (TF.js "cpu" | "wasm", Tensile "wasm" | "reference"). */
  backend?: string;
  threads: number;
  dataDir: string;
  /** Timed training runs (each one epoch, or `batches` batches extrapolated to an epoch). */
  runs: number;
  /** Batches per timed run; null = the full epoch (938 batches of 64). */
  batches: number | null;
  /** If the warm-up batches project a full run beyond this many seconds, the JS workers cap the
   * run to the batches that fit in `cappedRunSeconds` (for peers whose speed is not known yet). */
  maxRunSeconds?: number;
  cappedRunSeconds?: number;
  warmupBatches: number;
  micro?: MicroPlan;
}

export interface Measurement {
  /** One figure per run (seconds, µs, samples/s, GFLOP/s or MiB, by key). */
  values: number[];
  /** Set when each run timed this many batches and scaled the time to 60000 samples. */
  extrapolatedFromBatches?: number | null;
  /** Set when runs merged from several children timed different batch counts (min, max). */
  extrapolatedBatchRange?: [number, number];
  /** [first, last] training loss of each timed run: a check that training really happens. */
  losses?: Array<[number, number]>;
}

export interface WorkerResult {
  /** Versions and settings the worker saw (free-form strings, shown in RESULTS.md). */
  info: Record<string, string>;
  measurements: Partial<Record<MeasurementKey, Measurement>>;
}

export const BATCH_SIZE = 64;
export const MLP_LR = 0.01;
export const CNN_LR = 0.01;
export const CNN_MOMENTUM = 0.9;
