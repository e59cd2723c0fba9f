/**
 * `npm run bench`: Tensile, PyTorch and TensorFlow.js side by side on Fashion-MNIST workloads.
 *
 *   npm run bench                         all frameworks, full repeats (~10–15 min on 2 cores)
 *   npm run bench -- --quick              smoke test (few repeats)
 *   npm run bench -- --only torch,tfjs    a subset of torch, tfjs, tensile
 *   npm run bench -- --out path.md        write the report elsewhere (default bench/RESULTS.md)
 *   npm run bench -- --min-torch-gflops N whole-machine GEMM 1024³ bar for PyTorch (default 100)
 *   npm run bench -- --rounds N           spread the compared configurations' runs over N rounds (default 3, --quick 1)
 *   npm run bench -- --render bench/RESULTS.json   re-render the report from saved raw figures
 *
 * Each framework configuration and workload runs in its own child processes, one at a time
 * (bench/torch_worker.py with /usr/bin/python3, bench/tfjs-worker.ts, bench/tensile-worker.ts);
 * a full run interleaves the compared configurations in rounds (see main).
 */
import { spawn } from "node:child_process";
import { buildSync } from "esbuild";
import { readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { performance } from "node:perf_hooks";
import { cpuTicks, loadAverage, machineFacts, openblasCore, OPENBLAS_TUNING_VARS, stealPercent } from "./machine.js";
import { ROUNDS, buildConfigs, interleaved, splitIntoRounds, type Family, type FrameworkConfig } from "./plan.js";
import { ERROR_MARKER, RESULT_MARKER, type Workload, type WorkerRequest, type WorkerResult } from "./protocol.js";
import { gateTorch, mergeOutcomes, renderReport, renderTables, type ConfigOutcome, type ReportContext, type WorkloadOutcome } from "./report.js";
import { fmt } from "./stats.js";

const PYTHON = "/usr/bin/python3"; // Debian's interpreter, the one with python3-torch
const FAMILIES: Family[] = ["torch", "tfjs", "tensile"];
const here = (f: string) => fileURLToPath(new URL(f, import.meta.url));

interface Options {
  quick: boolean;
  only: Set<Family>;
  out: string;
  minTorchGflops: number;
  /** Re-render the report from this raw-results file instead of measuring. */
  render?: string;
  /** Rounds to spread the compared configurations' runs over (default ROUNDS; 1 with --quick). */
  rounds?: number;
}

function parseArgs(argv: string[]): Options {
  const opts: Options = { quick: false, only: new Set(FAMILIES), out: here("./RESULTS.md"), minTorchGflops: 100 };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const value = () => {
      const v = a.includes("=") ? a.slice(a.indexOf("=") + 1) : argv[++i];
      if (v === undefined) throw new Error(`bench: ${a} needs a value`);
      return v;
    };
    if (a === "--quick") opts.quick = true;
    else if (a.startsWith("--only")) {
      const names = value().split(",").map((s) => s.trim()).filter(Boolean);
      const bad = names.filter((n) => !FAMILIES.includes(n as Family));
      if (bad.length) throw new Error(`bench: --only takes ${FAMILIES.join(",")}; got ${bad.join(",")}`);
      opts.only = new Set(names as Family[]);
    } else if (a.startsWith("--out")) opts.out = value();
    else if (a.startsWith("--min-torch-gflops")) opts.minTorchGflops = Number(value());
    else if (a.startsWith("--render")) opts.render = value();
    else if (a.startsWith("--rounds")) opts.rounds = Math.max(1, Math.floor(Number(value())) || 1);
    else if (a === "--help" || a === "-h") {
      process.stdout.write("usage: npm run bench -- [--quick] [--only torch,tfjs,tensile] [--out file.md] [--min-torch-gflops 100] [--rounds 3] [--render file.json]\n");
      process.exit(0);
    } else throw new Error(`bench: unknown argument ${a}`);
  }
  return opts;
}

function commandFor(config: FrameworkConfig, req: WorkerRequest): { cmd: string; args: string[]; env: NodeJS.ProcessEnv } {
  const json = JSON.stringify(req);
  if (config.family === "torch") {
    const env: NodeJS.ProcessEnv = { ...process.env };
    const n = String(config.threads);
    // OpenBLAS's pthread build sizes its own pool and ignores torch.set_num_threads. And libgomp's
    // workers spin after each parallel region, starving OpenBLAS's threads on 2 cores: at 2 threads
    // 200 MLP batches took 8–15 s instead of 0.8 s without OMP_WAIT_POLICY=PASSIVE.
    Object.assign(env, { OMP_NUM_THREADS: n, OPENBLAS_NUM_THREADS: n, MKL_NUM_THREADS: n, OMP_WAIT_POLICY: "PASSIVE" });
    if (config.openblasEnv === "unset" || config.openblasEnv === "cpu") for (const v of OPENBLAS_TUNING_VARS) delete env[v];
    if (config.openblasEnv === "cpu") env.OPENBLAS_CORETYPE = config.coretype;
    return { cmd: PYTHON, args: [here("./torch_worker.py"), json], env };
  }
  const script = config.family === "tfjs" ? "./tfjs-worker.ts" : "./tensile-worker.ts";
  return { cmd: process.execPath, args: [bundled(script), json], env: process.env };
}

const bundles = new Map<string, string>();
/**
 * The JS workers run as plain JavaScript, as a user's compiled program would: each is bundled with
 * its imports from this repository (Tensile's src/, the harness) into bench/.build/ once per run,
 * packages from node_modules left as imports. Run under the tsx loader instead, every worker
 * carried the TypeScript transpiler: 20–55 MiB more peak RSS than the program being measured.
 */
function bundled(script: string): string {
  let out = bundles.get(script);
  if (!out) {
    out = here(`./.build/${script.replace(/^\.\//, "").replace(/\.ts$/, ".mjs")}`);
    buildSync({ entryPoints: [here(script)], outfile: out, bundle: true, platform: "node", format: "esm", target: "node20", packages: "external", logLevel: "warning" });
    bundles.set(script, out);
  }
  return out;
}

/** Lines not worth echoing: stack frames, TF.js's tfjs-node advertisement, and minified source
 * dumped with errors. */
function noise(line: string): boolean {
  return line.trim() === "" || /^\s+at /.test(line) || /^=+$/.test(line.trim()) || line.includes("looks like you are running TensorFlow.js in Node") || line.length > 400;
}

function runChild(tag: string, config: FrameworkConfig, req: WorkerRequest, timeoutS: number): Promise<WorkloadOutcome> {
  const { cmd, args, env } = commandFor(config, req);
  const start = performance.now();
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { env, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let lastErrorLine = "";
    let stderrBuf = "";
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill("SIGKILL");
    }, timeoutS * 1000);
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => {
      stderrBuf += d.toString();
      const lines = stderrBuf.split("\n");
      stderrBuf = lines.pop()!;
      for (const line of lines) {
        if (/Error\b/.test(line) && line.length <= 400) lastErrorLine ||= line.trim();
        if (!noise(line)) process.stderr.write(`  ${tag} | ${line}\n`);
      }
    });
    child.on("error", (e) => (lastErrorLine ||= `${cmd}: ${e.message}`));
    child.on("close", (code) => {
      clearTimeout(timer);
      const wallSeconds = (performance.now() - start) / 1000;
      const lines = stdout.split("\n");
      const ok = lines.find((l) => l.startsWith(RESULT_MARKER));
      const err = lines.find((l) => l.startsWith(ERROR_MARKER));
      if (ok && code === 0) resolve({ result: JSON.parse(ok.slice(RESULT_MARKER.length)) as WorkerResult, wallSeconds });
      else if (timedOut) resolve({ failure: `timed out after ${timeoutS} s`, wallSeconds });
      else if (err) resolve({ failure: JSON.parse(err.slice(ERROR_MARKER.length)) as string, wallSeconds });
      else resolve({ failure: lastErrorLine || `worker exited with code ${code}`, wallSeconds });
    });
  });
}

/** The OPENBLAS_CORETYPE of the third PyTorch configuration: the flags' core where OpenBLAS detects another. */
function extraCoretype(facts: ReturnType<typeof machineFacts>): string | null {
  const c = facts.openblasCore;
  return c?.forFlags && c.detected?.toLowerCase() !== c.forFlags.toLowerCase() ? c.forFlags : null;
}

function checkTorch(o: ConfigOutcome, minGflops: number, cores: number): void {
  gateTorch(o, minGflops, cores);
  const line = o.invalid
    ? `REFUSED ${o.config.id}: ${o.invalid}`
    : `${o.config.id}: GEMM 1024³ ${fmt(o.gemmGflops!)} GFLOP/s >= ${fmt(o.gemmThreshold!)} required: valid`;
  process.stderr.write(`bench: ${line}\n`);
}

async function main(): Promise<void> {
  const opts = parseArgs(process.argv.slice(2));
  if (opts.render) return render(opts.render, opts);
  const facts = machineFacts();
  if (opts.only.has("torch")) facts.openblasCore = openblasCore(PYTHON);
  const ticks0 = cpuTicks();
  const t0 = performance.now();
  process.stderr.write(`bench: ${facts.cpu}, ${facts.cores} cores, Node ${facts.node}, load ${facts.loadAverage}\n`);
  process.stderr.write(`bench: BLAS ${facts.blas}; ${facts.openblasEnv}\n`);
  const cpuCoretype = extraCoretype(facts);
  if (facts.openblasCore)
    process.stderr.write(`bench: OpenBLAS detects core ${facts.openblasCore.detected ?? "?"}; the CPU's flags call for ${facts.openblasCore.forFlags ?? "?"}${cpuCoretype ? `: PyTorch also runs with OPENBLAS_CORETYPE=${cpuCoretype}` : ""}\n`);
  const configs = buildConfigs(opts.quick, facts.cores, cpuCoretype).filter((c) => opts.only.has(c.family));
  const outcomes: ConfigOutcome[] = configs.map((config) => ({ config, workloads: {} }));
  // Jobs: each configuration's workloads, the micro workload first (for PyTorch it decides whether
  // the configuration is valid). A full run spreads the interleaved configurations' runs over
  // ROUNDS rounds — round r runs every job's r-th part, in configuration order — so that PyTorch's
  // and Tensile's runs of a workload are never a quarter of an hour apart on a machine whose speed
  // drifts. The others run whole in the first round.
  const order: Workload[] = ["micro", "mlp", "cnn"];
  const rounds = opts.rounds ?? (opts.quick ? 1 : ROUNDS);
  interface Job { outcome: ConfigOutcome; workload: Workload; parts: WorkerRequest[]; done: WorkloadOutcome[] }
  const jobs: Job[] = [];
  for (const outcome of outcomes) {
    for (const workload of order) {
      const plan = outcome.config.plan(workload);
      if ("skip" in plan) {
        outcome.workloads[workload] = { failure: plan.skip, wallSeconds: 0 };
        process.stderr.write(`bench: ${outcome.config.id}/${workload}: ${plan.skip}\n`);
        continue;
      }
      const parts = interleaved(outcome.config) ? splitIntoRounds(plan, rounds) : [plan];
      jobs.push({ outcome, workload, parts, done: [] });
    }
  }
  for (let r = 0; r < rounds; r++) {
    for (const job of jobs) {
      const req = job.parts[r];
      if (!req || job.done.some((d) => d.failure)) continue; // a job that failed once is not retried
      const tag = `${job.outcome.config.id}/${job.workload}${job.parts.length > 1 ? ` round ${r + 1}/${job.parts.length}` : ""}`;
      process.stderr.write(`bench: ${tag} (t = ${fmt((performance.now() - t0) / 1000)} s)\n`);
      const w = await runChild(tag, job.outcome.config, req, opts.quick ? 420 : 600);
      job.done.push(w);
      if (w.failure) process.stderr.write(`bench: ${tag}: not available: ${w.failure}\n`);
    }
  }
  for (const job of jobs) job.outcome.workloads[job.workload] = mergeOutcomes(job.done);
  for (const o of outcomes) if (o.config.family === "torch") checkTorch(o, opts.minTorchGflops, facts.cores);
  const ctx: ReportContext = {
    facts,
    endLoadAverage: loadAverage(),
    steal: stealPercent(ticks0, cpuTicks()),
    quick: opts.quick,
    totalSeconds: (performance.now() - t0) / 1000,
    command: "npm run bench",
    minTorchGflops: opts.minTorchGflops,
  };
  // The raw figures too, so the report can be re-rendered (--render) without re-measuring.
  const raw: RawResults = { ctx, outcomes: outcomes.map(({ config, ...rest }) => ({ id: config.id, ...rest })) };
  writeFileSync(rawPathFor(opts.out), JSON.stringify(raw, null, 1) + "\n");
  writeReport(outcomes, ctx, opts.out);
}

interface RawResults {
  ctx: ReportContext;
  outcomes: Array<Omit<ConfigOutcome, "config"> & { id: string }>;
}

const rawPathFor = (out: string) => out.replace(/\.md$/, "") + ".json";

function writeReport(outcomes: ConfigOutcome[], ctx: ReportContext, out: string): void {
  writeFileSync(out, renderReport(outcomes, ctx));
  process.stdout.write(`\n${renderTables(outcomes)}\n\nbench: wrote ${out} (${fmt(ctx.totalSeconds)} s)\n`);
}

/** --render: rebuilds the report from a raw-results file (gate re-applied with today's bar). */
function render(rawPath: string, opts: Options): void {
  const raw = JSON.parse(readFileSync(rawPath, "utf8")) as RawResults;
  const configs = buildConfigs(raw.ctx.quick, raw.ctx.facts.cores, extraCoretype(raw.ctx.facts));
  const outcomes: ConfigOutcome[] = raw.outcomes.map(({ id, workloads }) => {
    const config = configs.find((c) => c.id === id);
    if (!config) throw new Error(`bench --render: unknown configuration ${id} in ${rawPath}`);
    return { config, workloads };
  });
  for (const o of outcomes) if (o.config.family === "torch") checkTorch(o, opts.minTorchGflops, raw.ctx.facts.cores);
  writeReport(outcomes, { ...raw.ctx, minTorchGflops: opts.minTorchGflops }, opts.out);
}

await main();
