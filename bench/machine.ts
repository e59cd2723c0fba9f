/** Facts about the machine the benchmark ran on, for the head of RESULTS.md. */
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
