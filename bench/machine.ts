/** Facts about the machine the benchmark ran on, for the head of RESULTS.md. */
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, realpathSync } from "node:fs";
import os from "node:os";

export const BLAS_LINK = "/usr/lib/x86_64-linux-gnu/libblas.so.3";
export const OPENBLAS_TUNING_VARS = ["OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE"] as const;

function cpuModel(): string {
  try {
    const line = readFileSync("/proc/cpuinfo", "utf8")
      .split("\n")
      .find((l) => l.startsWith("model name"));
    if (line) return line.split(":")[1]!.trim();
  } catch {
    // not Linux: fall through to what Node knows
  }
  return os.cpus()[0]?.model ?? "unknown";
}

export interface MachineFacts {
  cpu: string;
  cores: number;
  memoryGiB: string;
  os: string;
  node: string;
  date: string;
  loadAverage: string;
  blas: string;
  openblasEnv: string;
  /** OpenBLAS's kernels: the core it detects on its own, and the one the CPU's flags call for. */
  openblasCore?: OpenblasCore;
}

export interface OpenblasCore {
  /** What OpenBLAS picks with no OPENBLAS_* tuning variable (its `OPENBLAS_VERBOSE=2` line), or null. */
  detected: string | null;
  /** The OPENBLAS_CORETYPE the CPU's flags call for (SkylakeX for AVX-512, Haswell or Zen for AVX2), or null. */
  forFlags: string | null;
}

/**
 * OpenBLAS picks its kernels from the CPU's family and model, and a VM that hides them ("Intel(R)
 * Xeon(R) Processor") gets the generic fallback: on such a VM (2026-11-29) PyTorch's 1024³ GEMM ran
 * at 33 GFLOP/s on Prescott kernels and at 150 with OPENBLAS_CORETYPE=SkylakeX. This reads which
 * core OpenBLAS detects, by one small product in a child PyTorch, and which the flags call for.
 */
export function openblasCore(python: string): OpenblasCore {
  let flags: string[] = [], vendor = "";
  try {
    const info = readFileSync("/proc/cpuinfo", "utf8").split("\n");
    flags = (info.find((l) => l.startsWith("flags"))?.split(":")[1] ?? "").trim().split(/\s+/);
    vendor = info.find((l) => l.startsWith("vendor_id"))?.split(":")[1]?.trim() ?? "";
  } catch {
    // not Linux
  }
  const has = (...f: string[]) => f.every((x) => flags.includes(x));
  const forFlags = has("avx512f", "avx512bw", "avx512vl", "avx512dq") ? "SkylakeX"
    : has("avx2", "fma") ? (vendor === "AuthenticAMD" ? "Zen" : "Haswell") : null;
  const env: NodeJS.ProcessEnv = { ...process.env, OPENBLAS_VERBOSE: "2", OPENBLAS_NUM_THREADS: "1", OMP_NUM_THREADS: "1" };
  for (const v of OPENBLAS_TUNING_VARS) delete env[v];
  const r = spawnSync(python, ["-c", "import torch; torch.ones(64, 64) @ torch.ones(64, 64)"], { env, encoding: "utf8", timeout: 60_000 });
  const detected = /Core:\s*(\S+)/.exec(`${r.stdout ?? ""}${r.stderr ?? ""}`)?.[1] ?? null;
  return { detected, forFlags };
}

export function loadAverage(): string {
  return os
    .loadavg()
    .map((v) => v.toFixed(2))
    .join(" / ");
}

/** Cumulative CPU time of the whole machine from /proc/stat (clock ticks), or null off Linux. */
export interface CpuTicks {
  steal: number;
  total: number;
}

export function cpuTicks(): CpuTicks | null {
  try {
    const line = readFileSync("/proc/stat", "utf8").split("\n").find((l) => l.startsWith("cpu "));
    if (!line) return null;
    // user nice system idle iowait irq softirq steal [guest guest_nice: already counted in user/nice]
    const v = line.trim().split(/\s+/).slice(1, 9).map(Number);
    if (v.length < 8 || v.some((x) => !Number.isFinite(x))) return null;
    return { steal: v[7]!, total: v.reduce((a, b) => a + b, 0) };
  } catch {
    return null;
  }
}

/**
 * Percent of the machine's CPU time between two readings that the hypervisor gave to other guests
 * ("steal"): time our vCPUs wanted to run and could not. "n/a" off Linux.
 */
export function stealPercent(a: CpuTicks | null, b: CpuTicks | null): string {
  if (!a || !b || b.total <= a.total) return "n/a";
  return `${((100 * (b.steal - a.steal)) / (b.total - a.total)).toFixed(1)}%`;
}

export function machineFacts(): MachineFacts {
  const blas = existsSync(BLAS_LINK) ? `${BLAS_LINK} → ${realpathSync(BLAS_LINK)}` : `${BLAS_LINK} absent`;
  return {
    cpu: cpuModel(),
    cores: os.availableParallelism(),
    memoryGiB: (os.totalmem() / 2 ** 30).toFixed(1),
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    node: process.version,
    date: new Date().toISOString().replace(/\.\d+Z$/, "Z"),
    loadAverage: loadAverage(),
    blas,
    openblasEnv: OPENBLAS_TUNING_VARS.map((v) => `${v}=${process.env[v] ?? "(unset)"}`).join(", "),
  };
}
