/**
 * Which frameworks run, in which configurations, and how many repeats each workload gets.
 * Repeat counts are chosen so that a full `npm run bench` takes roughly 10–15 minutes on the
 * 2-core development machine; `--quick` cuts everything down to a smoke test of a few minutes.
 */
import { FASHION_MNIST_DIR, GEMM_SHAPES, type MicroPlan, type Workload, type WorkerRequest } from "./protocol.js";

export type Family = "torch" | "tfjs" | "tensile";

export interface FrameworkConfig {
  id: string;
  family: Family;
  /** Row label in the tables. */
  label: string;
  threads: number;
  backend?: string;
  /**
   * PyTorch only: keep the OPENBLAS_* tuning variables as given, drop them in the child, or set
   * OPENBLAS_CORETYPE to `coretype` (the one the CPU's flags call for, where OpenBLAS's own
   * detection picks another).
   */
  openblasEnv?: "given" | "unset" | "cpu";
  coretype?: string;
  /** The request for each workload, or a reason to skip it. */
  plan(workload: Workload): WorkerRequest | { skip: string };
}

const microFull: MicroPlan = {
  coldCalls: 300,
  warmupSeconds: 1,
  latencyRuns: 10,
  latencyCalls: 300,
  throughputRuns: 7,
  throughputSecondsPerRun: 0.5,
  gemmShapes: GEMM_SHAPES.map((s) => [...s] as [number, number, number]),
  gemmRuns: 5,
  gemmSecondsPerRun: 0.3,
};

const microQuick: MicroPlan = {
  ...microFull,
  coldCalls: 100,
  warmupSeconds: 0.2,
  latencyRuns: 3,
  latencyCalls: 100,
  throughputRuns: 2,
  throughputSecondsPerRun: 0.2,
  gemmRuns: 2,
  gemmSecondsPerRun: 0.2,
};

/** Peers whose speed is not known in advance (Tensile) time a full epoch unless the warm-up
 * projects more than 20 s per run; then each run times the batches that fit in ~8 s. */
const ADAPTIVE = { maxRunSeconds: 20, cappedRunSeconds: 8 };
const ADAPTIVE_QUICK = { maxRunSeconds: 5, cappedRunSeconds: 2 };

interface TrainPlan {
  runs: number;
  batches: number | null;
  warmupBatches: number;
  maxRunSeconds?: number;
  cappedRunSeconds?: number;
}

function request(workload: Workload, threads: number, backend: string | undefined, train: TrainPlan, micro: MicroPlan): WorkerRequest {
  return { workload, threads, backend, dataDir: FASHION_MNIST_DIR, ...train, micro: workload === "micro" ? micro : undefined };
}

/** `cpuCoretype`: an OPENBLAS_CORETYPE to run PyTorch with as well (see `openblasCore` in machine.ts), or null. */
export function buildConfigs(quick: boolean, cores: number, cpuCoretype: string | null = null): FrameworkConfig[] {
  const micro = quick ? microQuick : microFull;
  const adaptive = quick ? ADAPTIVE_QUICK : ADAPTIVE;
  const threadCounts = cores >= 2 ? [1, 2] : [1];
  const configs: FrameworkConfig[] = [];

  const envs = cpuCoretype ? (["given", "unset", "cpu"] as const) : (["given", "unset"] as const);
  for (const openblasEnv of envs) {
    for (const threads of threadCounts) {
      configs.push({
        id: `torch-${openblasEnv}-${threads}t`,
        family: "torch",
        label: openblasEnv === "cpu" ? `PyTorch, OPENBLAS_CORETYPE=${cpuCoretype}` : `PyTorch, OPENBLAS_* ${openblasEnv === "given" ? "as given" : "unset"}`,
        threads,
        openblasEnv,
        ...(openblasEnv === "cpu" ? { coretype: cpuCoretype! } : {}),
        plan: (w) =>
          request(w, threads, undefined, {
            // PyTorch's MLP epoch takes a few seconds: time whole epochs. Its CNN epoch takes ~45 s
            // here, too long to repeat for 4 configurations: time 100 batches per run.
            mlp: quick ? { runs: 1, batches: 200, warmupBatches: 10 } : { runs: 3, batches: null, warmupBatches: 20 },
            cnn: quick ? { runs: 1, batches: 20, warmupBatches: 3 } : { runs: 3, batches: 100, warmupBatches: 5 },
            micro: { runs: 0, batches: null, warmupBatches: 0 },
          }[w], micro),
      });
    }
  }

  // TF.js: no threads in Node. Its wasm backend's transposed matMul (used by every backward pass)
  // is slow, and its cpu backend is plain JS: both time a fixed number of batches.
  configs.push({
    id: "tfjs-wasm",
    family: "tfjs",
    label: "TF.js wasm",
    threads: 1,
    backend: "wasm",
    plan: (w) =>
      request(w, 1, "wasm", {
        mlp: quick ? { runs: 1, batches: 20, warmupBatches: 3 } : { runs: 3, batches: 100, warmupBatches: 5 },
        cnn: quick ? { runs: 1, batches: 5, warmupBatches: 1 } : { runs: 3, batches: 30, warmupBatches: 2 },
        micro: { runs: 0, batches: null, warmupBatches: 0 },
      }[w], micro),
  });
  configs.push({
    id: "tfjs-cpu",
    family: "tfjs",
    label: "TF.js cpu",
    threads: 1,
    backend: "cpu",
    plan: (w) => {
      // One CNN batch takes about two minutes here (conv2d's backward pass on the cpu backend is
      // ~60× its forward), so the CNN gets one timed batch, and none in a smoke test.
      if (w === "cnn" && quick) return { skip: "skipped with --quick (one CNN batch takes minutes on TF.js cpu)" };
      return request(w, 1, "cpu", {
        mlp: quick ? { runs: 1, batches: 10, warmupBatches: 2 } : { runs: 3, batches: 50, warmupBatches: 3 },
        cnn: { runs: 1, batches: 1, warmupBatches: 0 },
        micro: { runs: 0, batches: null, warmupBatches: 0 },
      }[w], quick ? { ...micro, gemmRuns: 1, throughputRuns: 1 } : { ...micro, gemmRuns: 3, throughputRuns: 3 });
    },
  });

  for (const threads of threadCounts) {
    configs.push({
      id: `tensile-wasm-${threads}t`,
      family: "tensile",
      label: "Tensile wasm",
      threads,
      backend: "wasm",
      plan: (w) =>
        request(w, threads, "wasm", {
          mlp: { runs: quick ? 1 : 3, batches: quick ? 200 : null, warmupBatches: 5, ...adaptive },
          cnn: { runs: quick ? 1 : 3, batches: quick ? 20 : null, warmupBatches: 2, ...adaptive },
          micro: { runs: 0, batches: null, warmupBatches: 0 },
        }[w], micro),
    });
  }
  configs.push({
    id: "tensile-reference",
    family: "tensile",
    label: "Tensile reference",
    threads: 1,
    backend: "reference",
    plan: (w) =>
      request(w, 1, "reference", {
        mlp: { runs: quick ? 1 : 3, batches: quick ? 20 : 100, warmupBatches: 3, ...adaptive },
        cnn: { runs: quick ? 1 : 2, batches: quick ? 2 : 20, warmupBatches: 2, ...adaptive },
        micro: { runs: 0, batches: null, warmupBatches: 0 },
      }[w], quick ? { ...micro, gemmRuns: 1, throughputRuns: 1 } : { ...micro, gemmRuns: 3, throughputRuns: 3 }),
  });
  return configs;
}

/** Rounds of a full run: the configurations compared near the targets run interleaved (see run.ts). */
export const ROUNDS = 3;

/**
 * Whether a configuration's runs are spread over the rounds. PyTorch, Tensile wasm and TF.js wasm
 * are the figures the targets compare (ratios near 1–10); on a shared machine whose speed drifts
 * over minutes, running them back to back in rounds makes each ratio compare runs taken at about
 * the same time. TF.js cpu and Tensile reference are orders of magnitude away and slow: one pass.
 */
export function interleaved(config: FrameworkConfig): boolean {
  return config.family === "torch" || config.id.startsWith("tensile-wasm") || config.id === "tfjs-wasm";
}

/**
 * A request's runs split into at most `rounds` requests of one child each: training runs one per
 * child, the micro workload's run counts split evenly (each part gets ⌈n / rounds⌉).
 */
export function splitIntoRounds(req: WorkerRequest, rounds: number): WorkerRequest[] {
  if (rounds <= 1) return [req];
  if (req.workload === "micro") {
    const m = req.micro!;
    const part = (n: number) => Math.ceil(n / rounds);
    const micro: MicroPlan = { ...m, latencyRuns: part(m.latencyRuns), throughputRuns: part(m.throughputRuns), gemmRuns: part(m.gemmRuns) };
    return Array.from({ length: rounds }, () => ({ ...req, micro }));
  }
  const n = Math.min(rounds, req.runs);
  if (n <= 1) return [req];
  // the runs as evenly as possible: 3 → 1+1+1, 4 → 2+1+1
  return Array.from({ length: n }, (_, i) => ({ ...req, runs: Math.floor(req.runs / n) + (i < req.runs % n ? 1 : 0) }));
}
