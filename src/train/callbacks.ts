import { TensileError } from "../errors.js";
import { type Tensor, noGrad } from "../core.js";
import type { Module } from "../nn/module.js";
import type { EpochLogs, OptimizerLike } from "./fit.js";
import { save, writeFileAtomic } from "../io/node.js";
import { SummaryWriter, type SummaryWriterOptions } from "../utils/tensorboard.js";

export interface TrainContext {
  model: Module;
  optimizer: OptimizerLike;
  /** Set by a callback to end training after the current epoch. */
  stopTraining: boolean;
  history: EpochLogs[];
  epochs: number;
  /** The training loader's `length` when it has one (for progress bars). */
  batchesPerEpoch?: number;
}

/** Hooks the fit loop calls (Keras-style); every method is optional and may be async. */
export interface Callback {
  onTrainBegin?(ctx: TrainContext): void | Promise<void>;
  onEpochBegin?(epoch: number, ctx: TrainContext): void | Promise<void>;
  onBatchEnd?(batch: number, logs: { loss: number; size: number; seen: number }, ctx: TrainContext): void | Promise<void>;
  onEpochEnd?(epoch: number, logs: EpochLogs, ctx: TrainContext): void | Promise<void>;
  onTrainEnd?(ctx: TrainContext): void | Promise<void>;
}

type Mode = "min" | "max" | "auto";
const resolveMode = (mode: Mode, monitor: string): "min" | "max" =>
  mode !== "auto" ? mode : /acc|f1|precision|recall|r2/.test(monitor) ? "max" : "min";

function monitored(op: string, logs: EpochLogs, key: string): number {
  const v = logs[key];
  if (v === undefined)
    throw new TensileError(`${op}: monitored quantity "${key}" is not in the epoch logs (available: ${Object.keys(logs).join(", ")})`);
  return v;
}

const cloneState = (m: Module): Record<string, Tensor> =>
  Object.fromEntries(Object.entries(m.stateDict()).map(([k, v]) => [k, v.detach().clone()]));

/**
 * Stops training when `monitor` has not improved by more than `minDelta` for `patience` epochs;
 * with `restoreBestWeights`, puts back the weights of the best epoch at the end.
 */
export class EarlyStopping implements Callback {
  readonly monitor: string;
  readonly mode: "min" | "max";
  readonly patience: number;
  readonly minDelta: number;
  readonly restoreBestWeights: boolean;
  best = NaN;
  bestEpoch = -1;
  wait = 0;
  stoppedEpoch = -1;
  private bestState: Record<string, Tensor> | null = null;

  constructor(opts: { monitor?: string; mode?: Mode; patience?: number; minDelta?: number; restoreBestWeights?: boolean } = {}) {
    opts ??= {};
    this.monitor = opts.monitor ?? "val_loss";
    this.mode = resolveMode(opts.mode ?? "auto", this.monitor);
    this.patience = opts.patience ?? 0;
    this.minDelta = Math.abs(opts.minDelta ?? 0);
    this.restoreBestWeights = opts.restoreBestWeights ?? false;
    if (!Number.isInteger(this.patience) || this.patience < 0) throw new TensileError(`EarlyStopping: patience must be a non-negative integer, got ${opts.patience}`);
  }

  private improved(v: number): boolean {
    if (Number.isNaN(this.best)) return true;
    return this.mode === "min" ? v < this.best - this.minDelta : v > this.best + this.minDelta;
  }

  onTrainBegin(): void {
    this.best = NaN;
    this.wait = 0;
    this.bestEpoch = -1;
    this.stoppedEpoch = -1;
    this.bestState = null;
  }

  onEpochEnd(epoch: number, logs: EpochLogs, ctx: TrainContext): void {
    const v = monitored("EarlyStopping", logs, this.monitor);
    if (this.improved(v)) {
      this.best = v;
      this.bestEpoch = epoch;
      this.wait = 0;
      if (this.restoreBestWeights) this.bestState = cloneState(ctx.model);
    } else if (++this.wait > this.patience) {
      this.stoppedEpoch = epoch;
      ctx.stopTraining = true;
    }
  }

  onTrainEnd(ctx: TrainContext): void {
    if (this.restoreBestWeights && this.bestState) noGrad(() => ctx.model.loadStateDict(this.bestState!));
  }
}

/** Writes the model's weights (safetensors) after every epoch, or only when `monitor` improves. */
export class ModelCheckpoint implements Callback {
  readonly monitor: string;
  readonly mode: "min" | "max";
  best = NaN;
  /** Paths written, in order. */
  readonly saved: string[] = [];

  constructor(
    readonly path: string | ((epoch: number, logs: EpochLogs) => string),
    readonly opts: { monitor?: string; mode?: Mode; saveBestOnly?: boolean } = {},
  ) {
    opts ??= {};
    this.monitor = opts.monitor ?? "val_loss";
    this.mode = resolveMode(opts.mode ?? "auto", this.monitor);
  }

  onEpochEnd(epoch: number, logs: EpochLogs, ctx: TrainContext): void {
    if (this.opts.saveBestOnly) {
      const v = monitored("ModelCheckpoint", logs, this.monitor);
      const better = Number.isNaN(this.best) || (this.mode === "min" ? v < this.best : v > this.best);
      if (!better) return;
      this.best = v;
    }
    const p = typeof this.path === "function" ? this.path(epoch, logs) : this.path.replace("{epoch}", String(epoch));
    save(ctx.model.stateDict(), p, { metadata: { epoch: String(epoch), ...Object.fromEntries(Object.entries(logs).map(([k, val]) => [k, String(val)])) } });
    this.saved.push(p);
  }
}

/** Calls `fn(epoch, logs)` after each epoch — e.g. to print or to drive a custom schedule. */
export class LambdaCallback implements Callback {
  constructor(private fns: Callback) {}
  onTrainBegin(ctx: TrainContext) { return this.fns.onTrainBegin?.(ctx); }
  onEpochBegin(e: number, ctx: TrainContext) { return this.fns.onEpochBegin?.(e, ctx); }
  onBatchEnd(b: number, l: { loss: number; size: number; seen: number }, ctx: TrainContext) { return this.fns.onBatchEnd?.(b, l, ctx); }
  onEpochEnd(e: number, l: EpochLogs, ctx: TrainContext) { return this.fns.onEpochEnd?.(e, l, ctx); }
  onTrainEnd(ctx: TrainContext) { return this.fns.onTrainEnd?.(ctx); }
}

/** Appends one CSV row per epoch (header from the first epoch's keys); written atomically each epoch. */
export class CSVLogger implements Callback {
  private rows: EpochLogs[] = [];
  constructor(readonly path: string) {}
  onTrainBegin(): void {
    this.rows = [];
  }
  onEpochEnd(_e: number, logs: EpochLogs): void {
    this.rows.push({ ...logs });
    const keys = [...new Set(this.rows.flatMap((r) => Object.keys(r)))];
    const text = [keys.join(","), ...this.rows.map((r) => keys.map((k) => (r[k] === undefined ? "" : String(r[k]))).join(","))].join("\n") + "\n";
    writeFileAtomic("CSVLogger", this.path, new TextEncoder().encode(text));
  }
}

/** Writes the history so far as JSON after every epoch (atomically). */
export class JSONLogger implements Callback {
  constructor(readonly path: string) {}
  onEpochEnd(_e: number, _l: EpochLogs, ctx: TrainContext): void {
    writeFileAtomic("JSONLogger", this.path, new TextEncoder().encode(JSON.stringify({ history: ctx.history }, null, 1) + "\n"));
  }
}

/**
 * Writes training to TensorBoard (Keras's `TensorBoard` callback, through `utils.tensorboard.SummaryWriter`):
 * every epoch's logs as scalars `epoch/<key>` (`epoch/loss`, `epoch/val_accuracy`, `epoch/lr`) at step =
 * epoch; with `histogramFreq: n`, a histogram of every parameter (by its state-dict name) every n epochs;
 * with `updateFreq: n`, the batch loss as `batch/loss` every n batches, at step = batches seen.
 * `logDir` may be a directory or a writer of your own (which the callback then does not close).
 */
export class TensorBoard implements Callback {
  readonly writer: SummaryWriter;
  private readonly own: boolean;
  private readonly histogramFreq: number;
  private readonly updateFreq: number | "epoch";
  private batches = 0;

  constructor(logDir?: string | SummaryWriter, opts: { histogramFreq?: number; updateFreq?: number | "epoch" } & SummaryWriterOptions = {}) {
    opts ??= {};
    this.histogramFreq = opts.histogramFreq ?? 0;
    this.updateFreq = opts.updateFreq ?? "epoch";
    if (!Number.isInteger(this.histogramFreq) || this.histogramFreq < 0)
      throw new TensileError(`TensorBoard: histogramFreq must be a non-negative integer, got ${opts.histogramFreq}`);
    if (this.updateFreq !== "epoch" && (!Number.isInteger(this.updateFreq) || this.updateFreq < 1))
      throw new TensileError(`TensorBoard: updateFreq must be "epoch" or a positive integer, got ${JSON.stringify(opts.updateFreq)}`);
    this.own = !(logDir instanceof SummaryWriter);
    this.writer = logDir instanceof SummaryWriter ? logDir : new SummaryWriter(logDir, opts);
  }
  onBatchEnd(_b: number, logs: { loss: number }): void {
    this.batches++;
    if (this.updateFreq !== "epoch" && this.batches % this.updateFreq === 0) this.writer.addScalar("batch/loss", logs.loss, this.batches);
  }
  onEpochEnd(epoch: number, logs: EpochLogs, ctx: TrainContext): void {
    for (const [k, v] of Object.entries(logs)) if (k !== "epoch" && Number.isFinite(v)) this.writer.addScalar(`epoch/${k}`, v, epoch);
    if (this.histogramFreq && epoch % this.histogramFreq === 0)
      noGrad(() => {
        for (const [name, p] of ctx.model.namedParameters()) if (p.numel() > 0) this.writer.addHistogram(name, p, epoch);
      });
    this.writer.flush();
  }
  onTrainEnd(): void {
    if (this.own) this.writer.close();
    else this.writer.flush();
  }
}
