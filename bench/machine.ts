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
