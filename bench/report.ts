/**
 * Turns the workers' results into RESULTS.md: machine facts, PyTorch's validity check, one table
 * per workload with median, min–max, runs and the ratio to PyTorch at the same thread count.
 */
import type { MachineFacts } from "./machine.js";
import type { Family, FrameworkConfig } from "./plan.js";
import type { Measurement, MeasurementKey, Workload, WorkerResult } from "./protocol.js";
import { fmt, median } from "./stats.js";

export interface WorkloadOutcome {
  result?: WorkerResult;
  /** Why there is no result: a skip from the plan, or the worker's error. */
  failure?: string;
  wallSeconds: number;
}

/**
 * One workload's outcome from the children that ran its rounds: their runs' figures joined (as if
 * one child had run them all), the first child's info; the first failure, if any child failed.
 */
export function mergeOutcomes(parts: readonly WorkloadOutcome[]): WorkloadOutcome {
  const wallSeconds = parts.reduce((s, p) => s + p.wallSeconds, 0);
  const failed = parts.find((p) => !p.result);
  if (failed) return { ...failed, wallSeconds };
  if (parts.length === 1) return parts[0]!;
  const measurements: WorkerResult["measurements"] = {};
  for (const p of parts) {
    for (const [key, m] of Object.entries(p.result!.measurements) as [MeasurementKey, Measurement][]) {
      const into = measurements[key];
      if (!into) {
        measurements[key] = { ...m, values: [...m.values], losses: m.losses ? [...m.losses] : undefined };
        continue;
      }
      into.values.push(...m.values);
      if (m.losses) into.losses = [...(into.losses ?? []), ...m.losses];
      const a = into.extrapolatedFromBatches ?? null, b = m.extrapolatedFromBatches ?? null;
      if (a !== b || into.extrapolatedBatchRange) {
        const all = [...(into.extrapolatedBatchRange ?? (a === null ? [] : [a])), ...(b === null ? [] : [b])];
        if (a === null || b === null) throw new Error(`bench: ${key} merges whole-epoch and extrapolated runs`);
        into.extrapolatedBatchRange = [Math.min(...all), Math.max(...all)];
        into.extrapolatedFromBatches = into.extrapolatedBatchRange[0];
      }
    }
  }
  return { result: { info: parts[0]!.result!.info, measurements }, wallSeconds };
}

export interface ConfigOutcome {
  config: FrameworkConfig;
  workloads: Partial<Record<Workload, WorkloadOutcome>>;
  /** PyTorch only: why its figures are refused (GEMM below the threshold), if they are. */
  invalid?: string;
  gemmGflops?: number;
  gemmThreshold?: number;
}

export interface ReportContext {
  facts: MachineFacts;
  endLoadAverage: string;
  /** Hypervisor steal over the whole run, as a percent of CPU time (absent in older raw files). */
  steal?: string;
  quick: boolean;
  totalSeconds: number;
  command: string;
  minTorchGflops: number;
}

interface TableSpec {
  key: MeasurementKey;
  workload: Workload;
  title: string;
  unit: string;
  higherIsBetter: boolean;
  ratioWord: string;
}

const TABLES: TableSpec[] = [
  { key: "mlp.epoch", workload: "mlp", title: "MLP training epoch: Linear(784,500) → ReLU → Linear(500,10), CrossEntropyLoss, SGD lr 0.01, batch 64, 60 000 images", unit: "s", higherIsBetter: false, ratioWord: "PyTorch time" },
  { key: "cnn.epoch", workload: "cnn", title: "CNN training epoch: Conv(1→32,3) ReLU MaxPool2 Conv(32→64,3) ReLU MaxPool2 Linear(1600→128) ReLU Linear(128→10), SGD lr 0.01 momentum 0.9, batch 64", unit: "s", higherIsBetter: false, ratioWord: "PyTorch time" },
  { key: "infer.b1", workload: "micro", title: "MLP batch-1 inference latency (eval, no grad, logits read back; each run's figure is its median call, after 1 s of untimed calls)", unit: "µs", higherIsBetter: false, ratioWord: "PyTorch time" },
  { key: "infer.b1cold", workload: "micro", title: "MLP batch-1 inference latency of a fresh process: the median of its first calls (300 in a full run), before any warm-up; one figure per child process", unit: "µs", higherIsBetter: false, ratioWord: "PyTorch time" },
  { key: "infer.b1000", workload: "micro", title: "MLP batch-1000 inference throughput", unit: "samples/s", higherIsBetter: true, ratioWord: "PyTorch throughput" },
  { key: "gemm.64x784x500", workload: "micro", title: "GEMM float32 (M,K,N) = (64,784,500)", unit: "GFLOP/s", higherIsBetter: true, ratioWord: "PyTorch GFLOP/s" },
  { key: "gemm.784x64x500", workload: "micro", title: "GEMM float32 (M,K,N) = (784,64,500)", unit: "GFLOP/s", higherIsBetter: true, ratioWord: "PyTorch GFLOP/s" },
  { key: "gemm.1024x1024x1024", workload: "micro", title: "GEMM float32 (M,K,N) = (1024,1024,1024)", unit: "GFLOP/s", higherIsBetter: true, ratioWord: "PyTorch GFLOP/s" },
];

function measurement(o: ConfigOutcome, spec: { key: MeasurementKey; workload: Workload }): Measurement | undefined {
  return o.workloads[spec.workload]?.result?.measurements[spec.key];
}

/** The PyTorch configuration every other figure at `threads` threads is divided by: the one with
 * the OPENBLAS_* tuning variables unset (PyTorch at real speed), else the one with the core type
 * the CPU's flags call for, else the one as given; never a refused one. */
export function baselineFor(outcomes: ConfigOutcome[], threads: number): ConfigOutcome | undefined {
  const torch = outcomes.filter((o) => o.config.family === "torch" && o.config.threads === threads && !o.invalid);
  return torch.find((o) => o.config.openblasEnv === "unset") ?? torch.find((o) => o.config.openblasEnv === "cpu") ??
    torch.find((o) => o.config.openblasEnv === "given");
}

/** Refuses a PyTorch configuration whose 1024³ GEMM median is below `minGflops` (the bar for the
 * whole machine) scaled to its share of the cores: one core cannot reach the whole machine's
 * figure. Sets `invalid`, `gemmGflops` and `gemmThreshold` on the outcome. */
export function gateTorch(o: ConfigOutcome, minGflops: number, cores: number): void {
  const threshold = (minGflops * Math.min(o.config.threads, cores)) / cores;
  o.gemmThreshold = threshold;
  const micro = o.workloads.micro;
  const g = micro?.result?.measurements["gemm.1024x1024x1024"];
  if (!g || g.values.length === 0) {
    o.invalid = `GEMM 1024³ not measured (${micro?.failure ?? "micro workload not run"})`;
    return;
  }
  o.gemmGflops = median(g.values);
  if (o.gemmGflops < threshold) {
    o.invalid = `GEMM 1024³ = ${fmt(o.gemmGflops)} GFLOP/s < ${fmt(threshold)} GFLOP/s required at ${o.config.threads} thread(s): OpenBLAS is not running at real speed`;
  }
}

function ratioCell(outcomes: ConfigOutcome[], o: ConfigOutcome, base: ConfigOutcome | undefined, spec: { key: MeasurementKey; workload: Workload }, word: string): string {
  if (o.config.family === "torch" && o.invalid) return "—";
  if (!base) return outcomes.some((x) => x.config.family === "torch") ? "no valid PyTorch baseline" : "PyTorch not run";
  if (base === o) return "baseline";
  const m = measurement(o, spec);
  const b = measurement(base, spec);
  if (!m || !b) return "—";
  return `${fmt(median(m.values) / median(b.values))}× ${word}`;
}

function statusNote(o: ConfigOutcome, workload: Workload): string | undefined {
  const w = o.workloads[workload];
  if (!w) return "not run (--only)";
  if (w.failure) return `not available: ${w.failure}`;
  return undefined;
}

function rowLabel(o: ConfigOutcome): string {
  return o.config.label;
}

function workloadTable(outcomes: ConfigOutcome[], spec: TableSpec): string {
  const lines = [
    `| Framework | Threads | Median (${spec.unit}) | Min–max | Runs | vs PyTorch (same threads) | Note |`,
    "|---|---:|---:|---:|---:|---|---|",
  ];
  for (const o of outcomes) {
    const notes: string[] = [];
    const status = statusNote(o, spec.workload);
    const m = measurement(o, spec);
    if (status) notes.push(status);
    else if (!m) notes.push("no figure");
    if (o.invalid) notes.push(`INVALID: ${o.invalid}`);
    if (m?.extrapolatedBatchRange) {
      const [lo, hi] = m.extrapolatedBatchRange;
      notes.push(`extrapolated to an epoch from ${lo}–${hi} batches per run`);
    } else if (m?.extrapolatedFromBatches) {
      const b = m.extrapolatedFromBatches;
      notes.push(`extrapolated to an epoch from ${b} batch${b === 1 ? "" : "es"} per run`);
    }
    const loss = m?.losses?.at(-1);
    if (loss) notes.push(`loss ${loss[0].toFixed(3)} → ${loss[1].toFixed(3)} over the last run`);
    const cells = m
      ? [fmt(median(m.values)), `${fmt(Math.min(...m.values))}–${fmt(Math.max(...m.values))}`, String(m.values.length)]
      : ["—", "—", "0"];
    const ratio = m ? ratioCell(outcomes, o, baselineFor(outcomes, o.config.threads), spec, spec.ratioWord) : "—";
    lines.push(`| ${rowLabel(o)} | ${o.config.threads} | ${cells.join(" | ")} | ${ratio} | ${notes.join("; ")} |`);
  }
  return lines.join("\n");
}

function rssTable(outcomes: ConfigOutcome[]): string {
  const lines = [
    "| Framework | Threads | MLP training (MiB) | vs PyTorch | CNN training (MiB) | vs PyTorch |",
    "|---|---:|---:|---|---:|---|",
  ];
  for (const o of outcomes) {
    const base = baselineFor(outcomes, o.config.threads);
    const cells: string[] = [];
    for (const [key, workload] of [["mlp.rss", "mlp"], ["cnn.rss", "cnn"]] as const) {
      const m = measurement(o, { key, workload });
      cells.push(m ? fmt(median(m.values)) : statusNote(o, workload) ?? "—");
      cells.push(m ? ratioCell(outcomes, o, base, { key, workload }, "PyTorch RSS") : "—");
    }
    lines.push(`| ${rowLabel(o)}${o.invalid ? " (INVALID)" : ""} | ${o.config.threads} | ${cells.join(" | ")} |`);
  }
  return lines.join("\n");
}

function firstInfo(outcomes: ConfigOutcome[], family: Family, field: string): string | undefined {
  for (const o of outcomes) {
    if (o.config.family !== family) continue;
    for (const w of Object.values(o.workloads)) {
      const v = w?.result?.info[field];
      if (v) return v;
    }
  }
  return undefined;
}

function validityTable(outcomes: ConfigOutcome[]): string {
  const lines = ["| PyTorch configuration | Threads | GEMM 1024³ median (GFLOP/s) | Required | Status |", "|---|---:|---:|---:|---|"];
  for (const o of outcomes.filter((x) => x.config.family === "torch")) {
    const g = o.gemmGflops === undefined ? "—" : fmt(o.gemmGflops);
    const req = o.gemmThreshold === undefined ? "—" : fmt(o.gemmThreshold);
    lines.push(`| ${o.config.label} | ${o.config.threads} | ${g} | ${req} | ${o.invalid ? `REFUSED: ${o.invalid}` : "valid"} |`);
  }
  return lines.join("\n");
}

/**
 * Two threads against one for the same runs: the ratio of the medians, and the median and range of
 * the ratios of runs paired by position — the i-th run at each thread count comes from the same
 * round (minutes apart at most), so pairs compare the machine in one state. Null without runs.
 */
export function scaling(one: readonly number[], two: readonly number[]): { medians: number; paired: number[] | null } | null {
  if (!one.length || !two.length) return null;
  const paired = one.length === two.length ? one.map((v, i) => two[i]! / v) : null;
  return { medians: median(two) / median(one), paired };
}

const GEMM_KEYS = TABLES.filter((t) => t.key.startsWith("gemm."));

function scalingTable(outcomes: ConfigOutcome[]): string {
  const lines = [
    "| Framework | GEMM (M,K,N) | 2 threads / 1 thread, medians | paired by round: median | min–max | pairs |",
    "|---|---|---:|---:|---:|---:|",
  ];
  for (const one of outcomes.filter((o) => o.config.threads === 1)) {
    const two = outcomes.find((o) => o.config.threads === 2 && o.config.label === one.config.label);
    if (!two) continue;
    for (const spec of GEMM_KEYS) {
      const a = measurement(one, spec), b = measurement(two, spec);
      const r = a && b ? scaling(a.values, b.values) : null;
      if (!r) continue;
      const p = r.paired;
      const shape = spec.key.slice("gemm.".length).replaceAll("x", ",");
      lines.push(`| ${rowLabel(one)}${one.invalid || two.invalid ? " (INVALID)" : ""} | (${shape}) | ${fmt(r.medians)}× | ${p ? `${fmt(median(p))}×` : "—"} | ${p ? `${fmt(Math.min(...p))}–${fmt(Math.max(...p))}×` : "—"} | ${p ? p.length : 0} |`);
    }
  }
  return lines.join("\n");
}

/** The tables alone (what run.ts prints to stdout). */
export function renderTables(outcomes: ConfigOutcome[]): string {
  const parts: string[] = [];
  TABLES.forEach((spec, i) => parts.push(`### ${i + 1}. ${spec.title}\n\n${workloadTable(outcomes, spec)}`));
  parts.push(`### ${TABLES.length + 1}. Two-thread scaling of the GEMMs above (the i-th runs at 1 and 2 threads come from the same round)\n\n${scalingTable(outcomes)}`);
  parts.push(`### ${TABLES.length + 2}. Peak RSS of the training process (maxRSS of the worker after its timed runs, median over the rounds' workers; includes the 60 000 × 784 float32 training set, 180 MiB)\n\n${rssTable(outcomes)}`);
  return parts.join("\n\n");
}

/** True when the given environment has no OpenBLAS tuning variable, so "unset" changes nothing. */
function sameTorchConfigs(f: MachineFacts): boolean {
  return !f.openblasEnv.split(", ").some((kv) => !kv.endsWith("=(unset)"));
}

export function renderReport(outcomes: ConfigOutcome[], ctx: ReportContext): string {
  const f = ctx.facts;
  const torchConfig = firstInfo(outcomes, "torch", "torchConfig");
  const machine = [
    "| | |",
    "|---|---|",
    `| Date | ${f.date} |`,
    `| CPU | ${f.cpu}, ${f.cores} cores visible, ${f.memoryGiB} GiB RAM |`,
    `| OS | ${f.os} |`,
    `| Node | ${f.node} |`,
    `| PyTorch | ${firstInfo(outcomes, "torch", "torch") ?? "not run"} (Debian python3-torch, /usr/bin/python3 ${firstInfo(outcomes, "torch", "python") ?? ""}) |`,
    `| TensorFlow.js | ${firstInfo(outcomes, "tfjs", "tfjs") ?? "not run"} (@tensorflow/tfjs cpu, @tensorflow/tfjs-backend-wasm) |`,
    `| BLAS | ${f.blas}; mapped into PyTorch: ${firstInfo(outcomes, "torch", "blasMapped") ?? "unknown"} |`,
    `| OpenBLAS tuning env as given | ${f.openblasEnv} |`,
    ...(f.openblasCore ? [`| OpenBLAS kernels | detected on its own: ${f.openblasCore.detected ?? "unknown"}; the CPU's flags call for: ${f.openblasCore.forFlags ?? "unknown"} |`] : []),
    `| Load average (1/5/15 min) | start ${f.loadAverage}, end ${ctx.endLoadAverage} |`,
    ...(ctx.steal ? [`| CPU time stolen by the hypervisor during the run | ${ctx.steal} (from /proc/stat: time the vCPUs were ready to run but another guest had the physical CPU) |`] : []),
    `| Total bench time | ${fmt(ctx.totalSeconds)} s${ctx.quick ? " (--quick)" : ""} |`,
  ].join("\n");
  const out = [
    "# Tensile benchmarks: Tensile, PyTorch and TensorFlow.js side by side",
    "",
    "Generated by `bench/run.ts`; do not edit by hand.",
    ctx.quick ? "\n**This is a `--quick` smoke-test run: too few repeats to compare frameworks. Rerun without `--quick` for real figures.**\n" : "",
    `How to rerun: \`${ctx.command}\` (all frameworks), \`npm run bench -- --quick\` (smoke test), \`npm run bench -- --only torch,tfjs\` (a subset; writes RESULTS.md from that subset).`,
    "",
    "## Machine",
    "",
    machine,
    "",
    "## PyTorch at real speed?",
    "",
    `Every PyTorch configuration runs in its own process with \`torch.set_num_threads(n)\` and \`OPENBLAS_NUM_THREADS=OMP_NUM_THREADS=n\`: OpenBLAS's pthread build ignores \`torch.set_num_threads\`, so without the variable a \"1-thread\" PyTorch multiplies matrices on every core. They also get \`OMP_WAIT_POLICY=PASSIVE\`: Debian's torch runs its own ops on libgomp, whose workers spin after every parallel region and starve OpenBLAS's separate thread pool when both want the same 2 cores (while this harness was written, 200 MLP batches at 2 threads took 8–15 s without it and 0.8 s with it). PyTorch runs twice: with the environment as given, and with \`OPENBLAS_CORETYPE\` and \`OPENBLAS_L2_SIZE\` removed from the child's environment (either can make OpenBLAS pick slow kernels). A configuration whose 1024³ GEMM falls below ${fmt(ctx.minTorchGflops)} GFLOP/s for the whole machine (${fmt(ctx.minTorchGflops)} × threads / cores, since one core cannot reach the whole machine's figure) is refused: its figures are marked INVALID and nothing is compared with them. Where OpenBLAS's own CPU detection picks other kernels than the CPU's flags call for (a VM that hides its CPU model gets the generic Prescott kernels), PyTorch runs a third time with \`OPENBLAS_CORETYPE\` set to the flags' core (SkylakeX for AVX-512, Haswell or Zen for AVX2): PyTorch at its real speed on this machine. Ratios use the valid configuration with the variables unset, else the one with the flags' core type, else the one as given.`,
    sameTorchConfigs(f) ? `\nThe environment as given sets neither variable, so the two PyTorch rows at each thread count are the same configuration run twice: their difference is run-to-run noise.` : "",
    "",
    validityTable(outcomes),
    "",
    "## Results",
    "",
    "Each figure is the median over the runs shown, with the min–max of the runs. Every framework and workload runs in its own child processes, one at a time. A full run goes in three rounds: PyTorch, Tensile wasm and TF.js wasm spread their runs over the rounds (one training run, a third of the inference and GEMM runs per child and round), so that each ratio compares runs taken minutes, not a quarter of an hour, apart on a machine whose speed drifts; TF.js cpu and Tensile reference run once, in the first round. Training runs shuffle the 60 000 images each run and gather each batch with the framework's own gather op; slow peers time a fixed number of batches per run and scale the time to 60 000 samples (noted per row). Ratios divide medians: for times, above 1 is slower than PyTorch; for throughput and GFLOP/s, below 1 is slower.",
    "",
    renderTables(outcomes),
    "",
    "## Notes",
    "",
    `- Noise: timings come from a ${f.cores}-core machine that may be shared with other jobs (the load averages above say how busy it was; above ${f.cores} means other work was competing for the cores). On the shared development VM, repeated runs of one configuration differ by tens of percent and 2-thread figures suffer most (two threads need both cores at once), so treat differences under ~25% as noise and read the min–max ranges, not just the medians.`,
    "- TF.js runs single-threaded in Node (its wasm backend's threads need a browser). Its models are written with raw ops and `optimizer.minimize`, TF.js's lowest-overhead training path. The CNN is NHWC in TF.js and NCHW in PyTorch and Tensile.",
    "- Inference figures include reading the logits back into JS (`dataSync()`; `.numpy()` for PyTorch). GEMM figures leave the product in the framework's memory: PyTorch's `.numpy()` shares the tensor's memory, and Tensile and TF.js `dispose()` the product, whose kernels run synchronously on the CPU (it is complete when `matmul` returns). Reading a product back with `dataSync()` copies it into a new array; for the 1.5 MB result at (784,64,500) that cost about a quarter of a one-thread call here, which runs before 2026-11-29 included in the Tensile and TF.js GEMM figures. Each framework runs batch-1000 inference untimed for two windows' time (1 s), and each GEMM shape for three (0.9 s), before the timed runs: until the runs of 2026-11-29 from 10:30 UTC on, one call did, and at two threads the first shape after the inference runs read low for about a second in Tensile, whichever shape it was (moving (784,64,500) first gave it 42–60 GFLOP/s and (64,784,500) 55–65, the other way round 35–75 and 68–80).",
    "- Batch-1 latency is timed twice in each micro child. First its first calls, before any warm-up: in a JS framework they run while V8 is still compiling and optimising the forward path (in Tensile's first 300 calls here, about 65 µs a call at one thread, falling to ~38 µs over the first ~3,000). Then, after 1 s of untimed calls, the steady-state runs that the targets compare. Until the run of 2026-11-29 21:57 UTC only 200 untimed calls came first, and a full run's child timed 4 runs of 300 calls: most of Tensile's runs fell inside its warm-up (75, 57, 51, 51, 50, 42, 41, 40, 39, 40 µs in one such child), so its figures before then read 20–45% high against its steady state. PyTorch, compiled ahead of time, is at its steady state from the first calls.",
    "- The JS workers run as plain JavaScript bundled by esbuild at the start of the run (Tensile from its sources, packages from node_modules), as a user's compiled program would; under the tsx loader each worker also carried the TypeScript transpiler, 20–55 MiB of RSS.",
    torchConfig ? `\n<details><summary>torch.__config__.show()</summary>\n\n\`\`\`\n${torchConfig.trim()}\n\`\`\`\n</details>` : "",
  ];
  return out.join("\n") + "\n";
}
