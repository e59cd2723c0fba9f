import type { Callback, TrainContext } from "./callbacks.js";
import type { EpochLogs } from "./fit.js";

interface Out {
  write(s: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

const fmt = (k: string, v: number): string =>
  k === "lr" ? v.toExponential(2) : /acc|f1|precision|recall|r2/.test(k) ? (v * 100).toFixed(2) + "%" : v.toFixed(4);

/** "epoch 3/10  loss 0.3112  accuracy 90.12%  val_loss ...  12,345 samples/s  4.1s" */
export function formatEpoch(epoch: number, epochs: number, logs: EpochLogs): string {
  const parts = [`epoch ${epoch + 1}/${epochs}`];
  for (const [k, v] of Object.entries(logs)) if (!["epoch", "seconds", "samplesPerSec"].includes(k)) parts.push(`${k} ${fmt(k, v)}`);
  if (logs.samplesPerSec !== undefined) parts.push(`${Math.round(logs.samplesPerSec).toLocaleString("en-US")} samples/s`);
  if (logs.seconds !== undefined) parts.push(`${logs.seconds.toFixed(1)}s`);
  return parts.join("  ");
}

/**
 * Shows training progress: on a terminal, a bar redrawn in place with the running loss and
 * throughput; otherwise (a pipe, a CI log) one plain line per epoch.
 */
export class ProgressBar implements Callback {
  private out: Out | null;
  private t0 = 0;
  private last = 0;
  private lossSum = 0;
  private seen = 0;
  private epoch = 0;

  constructor(opts: { stream?: Out; batchesPerEpoch?: number } = {}) {
    opts ??= {};
    const proc = (globalThis as { process?: { stdout?: Out } }).process;
    this.out = opts.stream ?? proc?.stdout ?? null;
    this.batches = opts.batchesPerEpoch;
  }
  private batches: number | undefined;

  private write(s: string): void {
    if (this.out) this.out.write(s);
    else console.log(s.replace(/\r|\n/g, ""));
  }

  onEpochBegin(epoch: number): void {
    this.epoch = epoch;
    this.t0 = performance.now();
    this.lossSum = 0;
    this.seen = 0;
    this.last = 0;
  }

  onBatchEnd(batch: number, logs: { loss: number; size: number; seen: number }, ctx: TrainContext): void {
    this.lossSum += logs.loss * logs.size;
    this.seen = logs.seen;
    if (!this.out?.isTTY) return;
    this.batches ??= ctx.batchesPerEpoch;
    const now = performance.now();
    if (now - this.last < 100 && batch + 1 !== this.batches) return;
    this.last = now;
    const rate = this.seen / ((now - this.t0) / 1000);
    const width = 30;
    const frac = this.batches ? Math.min(1, (batch + 1) / this.batches) : 0;
    const bar = this.batches ? "[" + "=".repeat(Math.round(frac * width)).padEnd(width, ".") + "]" : `batch ${batch + 1}`;
    const line = `epoch ${this.epoch + 1}/${ctx.epochs} ${bar} loss ${(this.lossSum / this.seen).toFixed(4)}  ${Math.round(rate).toLocaleString("en-US")} samples/s`;
    this.write("\r" + line.slice(0, (this.out.columns ?? 120) - 1).padEnd(Math.min(this.out.columns ?? 120, 120) - 1));
  }

  onEpochEnd(epoch: number, logs: EpochLogs, ctx: TrainContext): void {
    this.write((this.out?.isTTY ? "\r\x1b[K" : "") + formatEpoch(epoch, ctx.epochs, logs) + "\n");
  }
}
