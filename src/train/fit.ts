import { TensileError } from "../errors.js";
import { type Tensor, cat, noGrad } from "../core.js";
import type { Module } from "../nn/module.js";
import { type Metric, metricsByName } from "./metrics.js";
import type { Callback, TrainContext } from "./callbacks.js";
import { ReduceLROnPlateau } from "../optim/lr-scheduler/plateau.js";

/** An LR scheduler (`step()`), or ReduceLROnPlateau (`step(metric)`, fed the validation loss). */
export type SchedulerLike = { step(): void } | ReduceLROnPlateau;
export interface OptimizerLike {
  zeroGrad(opts?: { setToNone?: boolean }): void;
  step(): unknown;
  paramGroups: { lr: number }[];
}
export type LossFn = ((pred: Tensor, target: Tensor) => Tensor) | { forward(pred: Tensor, target: Tensor): Tensor };
export type Batches = Iterable<readonly [Tensor, Tensor]> | AsyncIterable<readonly [Tensor, Tensor]>;

export interface FitOptions {
  trainLoader: Batches;
  valLoader?: Batches;
  loss: LossFn;
  optimizer: OptimizerLike;
  epochs: number;
  /** Names from `metricsByName` ("accuracy", "top5", "mae", "rmse", "r2") or custom metrics. */
  metrics?: (string | Metric)[];
  callbacks?: Callback[];
  scheduler?: SchedulerLike;
  /** "epoch" (default) steps the scheduler after each epoch — with the validation loss when it is
   * a ReduceLROnPlateau-like scheduler taking a metric; "batch" after each optimizer step (OneCycleLR). */
  schedulerStep?: "epoch" | "batch";
  /** Added to the loss before backward, e.g. `() => l2Penalty(model, 1e-4)`. */
  regularization?: () => Tensor;
  /** First epoch number (for resuming). */
  initialEpoch?: number;
}

/** One row of the history: Keras-style keys (`loss`, `accuracy`, `val_loss`, `val_accuracy`, `lr`). */
export type EpochLogs = Record<string, number>;

export interface History {
  epochs: EpochLogs[];
  /** True when a callback (e.g. EarlyStopping) ended training before `epochs`. */
  stoppedEarly: boolean;
}

const lossOf = (l: LossFn, p: Tensor, t: Tensor): Tensor => (typeof l === "function" ? l(p, t) : l.forward(p, t));

function resolveMetrics(ms: (string | Metric)[] = []): Metric[] {
  return ms.map((m) => {
    if (typeof m !== "string") return m;
    const found = metricsByName[m];
    if (!found) throw new TensileError(`fit: unknown metric "${m}" (known: ${Object.keys(metricsByName).join(", ")})`);
    return found;
  });
}

/** Evaluates `model` on `loader` without gradients: mean loss and metrics over the whole set. */
export async function evaluate(model: Module, loader: Batches, loss: LossFn, metrics: (string | Metric)[] = []): Promise<EpochLogs> {
  const ms = resolveMetrics(metrics);
  const wasTraining = model.training;
  model.eval();
  let total = 0, n = 0;
  const preds: Tensor[] = [], targets: Tensor[] = [];
  try {
    for await (const [x, y] of loader) {
      noGrad(() => {
        const out = model.forward(x) as Tensor;
        const b = x.shape[0] ?? 1;
        total += lossOf(loss, out, y).item() * b;
        n += b;
        if (ms.length) {
          preds.push(out.detach());
          targets.push(y);
        }
      });
    }
  } finally {
    model.train(wasTraining);
  }
  const logs: EpochLogs = { loss: n ? total / n : NaN };
  if (ms.length && preds.length) {
    const P = cat(preds, 0), T = cat(targets, 0);
    for (const m of ms) logs[m.name] = m.fn(P, T);
  }
  return logs;
}

/**
 * The training loop of the text — zeroGrad → forward → loss → backward → step — for `epochs`
 * epochs, with validation, metrics, LR scheduling and callbacks (early stopping, checkpoints,
 * progress, logging). Written only on the public API. Returns the per-epoch history.
 */
export async function fit(model: Module, opts: FitOptions): Promise<History> {
  if (!Number.isInteger(opts.epochs) || opts.epochs < 0) throw new TensileError(`fit: epochs must be a non-negative integer, got ${opts.epochs}`);
  const ms = resolveMetrics(opts.metrics);
  const callbacks = opts.callbacks ?? [];
  const len = (opts.trainLoader as { length?: unknown }).length;
  const ctx: TrainContext = {
    model, optimizer: opts.optimizer, stopTraining: false, history: [], epochs: opts.epochs,
    batchesPerEpoch: typeof len === "number" ? len : undefined,
  };
  for (const cb of callbacks) await cb.onTrainBegin?.(ctx);
  const start = opts.initialEpoch ?? 0;
  for (let epoch = start; epoch < opts.epochs && !ctx.stopTraining; epoch++) {
    for (const cb of callbacks) await cb.onEpochBegin?.(epoch, ctx);
    model.train();
    const t0 = performance.now();
    let total = 0, n = 0, batch = 0;
    const sums: Record<string, number> = {};
    for await (const [x, y] of opts.trainLoader) {
      opts.optimizer.zeroGrad();
      const out = model.forward(x) as Tensor;
      let loss = lossOf(opts.loss, out, y);
      if (opts.regularization) loss = loss.add(opts.regularization());
      loss.backward();
      opts.optimizer.step();
      if (opts.schedulerStep === "batch" && opts.scheduler && !(opts.scheduler instanceof ReduceLROnPlateau)) opts.scheduler.step();
      const b = x.shape[0] ?? 1;
      const lv = loss.item();
      if (!Number.isFinite(lv)) throw new TensileError(`fit: loss became ${lv} at epoch ${epoch}, batch ${batch}; lower the learning rate or check the data`);
      total += lv * b;
      n += b;
      for (const m of ms) sums[m.name] = (sums[m.name] ?? 0) + noGrad(() => m.fn(out.detach(), y)) * b;
      const batchLogs = { loss: lv, batch, size: b, seen: n };
      for (const cb of callbacks) await cb.onBatchEnd?.(batch, batchLogs, ctx);
      batch++;
    }
    const seconds = (performance.now() - t0) / 1000;
    const logs: EpochLogs = { epoch, loss: n ? total / n : NaN };
    for (const m of ms) logs[m.name] = n ? sums[m.name]! / n : NaN;
    if (opts.valLoader) {
      const v = await evaluate(model, opts.valLoader, opts.loss, ms);
      for (const [k, val] of Object.entries(v)) logs[`val_${k}`] = val;
    }
    logs.lr = opts.optimizer.paramGroups[0]?.lr ?? NaN;
    logs.seconds = seconds;
    logs.samplesPerSec = n / seconds;
    if (opts.scheduler && opts.schedulerStep !== "batch") {
      // ReduceLROnPlateau steps on the monitored loss; every other scheduler steps on its own.
      if (opts.scheduler instanceof ReduceLROnPlateau) opts.scheduler.step(logs.val_loss ?? logs.loss!);
      else (opts.scheduler as { step(): void }).step();
    }
    ctx.history.push(logs);
    for (const cb of callbacks) await cb.onEpochEnd?.(epoch, logs, ctx);
  }
  for (const cb of callbacks) await cb.onTrainEnd?.(ctx);
  return { epochs: ctx.history, stoppedEarly: ctx.stopTraining };
}
