/**
 * Stochastic Weight Averaging (PyTorch's `torch.optim.swa_utils`, as `optim.swaUtils`): an
 * averaged copy of a model (`AveragedModel`), the learning-rate schedule SWA runs with (`SWALR`),
 * and `updateBn`, which recomputes batch-norm statistics for the averaged weights.
 *
 * ```ts
 * const swaModel = new optim.swaUtils.AveragedModel(model);
 * const swaScheduler = new optim.swaUtils.SWALR(optimizer, { swaLr: 0.05 });
 * for (let epoch = 0; epoch < 100; epoch++) {
 *   for (const [x, y] of loader) { optimizer.zeroGrad(); lossFn.forward(model.forward(x), y).backward(); optimizer.step(); }
 *   if (epoch > swaStart) { swaModel.updateParameters(model); swaScheduler.step(); } else scheduler.step();
 * }
 * optim.swaUtils.updateBn(loader, swaModel);
 * swaModel.forward(testX);
 * ```
 */
import { Tensor, noGrad, onesLike, tensor, zerosLike } from "../core.js";
import { TensileError, fmtShape, isDevice } from "../errors.js";
import { Module } from "../nn/module.js";
import { deepcopy } from "../nn/deepcopy.js";
import { BatchNorm1d } from "../nn/layers/norm.js";
import { type Optimizer, fmt } from "./optimizer.js";
import { LRScheduler, type SchedulerOptions, type SchedulerStateDict, checkSchedulerOptions, perGroup, schedulerArgs, take } from "./lr-scheduler/base.js";
import { type PositionalArgs, positionalOptions } from "../utils/positional.js";

/**
 * `avgFn(averagedParam, modelParam, numAveraged)` returns the new average; `numAveraged` is the
 * int32 0-d `n_averaged` buffer (models averaged so far, ≥ 1 when called). Runs under `noGrad`.
 */
export type AvgFn = (averagedParam: Tensor, modelParam: Tensor, numAveraged: Tensor) => Tensor;

export interface AveragedModelOptions {
  /** The averaging rule (default: the equal-weight running mean avg + (p − avg)/(n + 1)). */
  avgFn?: AvgFn | null;
  /** Average the buffers (batch-norm statistics) too, instead of leaving them as copied (default false). */
  useBuffers?: boolean;
  /** PyTorch's `device`: only "cpu" (a no-op). */
  device?: string | null;
}

const equalAverage: AvgFn = (avg, p, n) => avg.add(p.sub(avg).div(n.add(1)));

/**
 * A running average of a model's parameters, for Stochastic Weight Averaging (Izmailov et al.,
 * 2018) or, with an `avgFn` such as `(a, p) => a.mul(0.9).add(p.mul(0.1))`, an exponential moving
 * average. PyTorch's `torch.optim.swa_utils.AveragedModel`.
 *
 * The constructor deep-copies `model` (see `src/nn/deepcopy.ts`) into `this.module`, so the state
 * dict has PyTorch's keys: `n_averaged` (the number of models averaged; int32 here, int64 in
 * PyTorch), then the copy's entries prefixed `module.`. `updateParameters(model)` copies `model`'s
 * parameters the first time and applies `avgFn` afterwards; with `useBuffers` the buffers are
 * averaged too (an integer buffer such as `num_batches_tracked` gets the result truncated, as
 * PyTorch's `copy_` into an int64). Without `useBuffers` the buffers are left as they are (as in
 * PyTorch 1.13): run `updateBn` to recompute batch-norm statistics. `forward` calls the copy's.
 */
export class AveragedModel<M extends Module = Module> extends Module {
  module: M;
  avgFn: AvgFn;
  useBuffers: boolean;
  declare n_averaged: Tensor;

  constructor(model: M, options?: AveragedModelOptions);
  /** PyTorch's positional order (device, avgFn, useBuffers), then an optional options object. */
  constructor(model: M, ...args: PositionalArgs<[device: string | null, avgFn: AvgFn | null, useBuffers: boolean], AveragedModelOptions>);
  constructor(model: M, ...args: unknown[]) {
    super();
    const options = positionalOptions<AveragedModelOptions>("AveragedModel", args, { keys: ["device", "avgFn", "useBuffers"], after: "model" });
    if (!(model instanceof Module)) throw new TensileError(`AveragedModel: expected an nn.Module to average, got ${fmt(model)}`);
    for (const k of Object.keys(options))
      if (!["avgFn", "useBuffers", "device"].includes(k)) throw new TensileError(`AveragedModel: unknown option "${k}"`);
    const { avgFn = null, useBuffers = false, device = null } = options;
    if (device !== null && device !== undefined && !isDevice("AveragedModel", device))
      throw new TensileError(`AveragedModel: device must be a device name, got ${fmt(device)}`);
    if (avgFn !== null && typeof avgFn !== "function") throw new TensileError(`AveragedModel: avgFn must be a function, got ${fmt(avgFn)}`);
    if (typeof useBuffers !== "boolean") throw new TensileError(`AveragedModel: useBuffers must be a boolean, got ${fmt(useBuffers)}`);
    this.module = deepcopy(model, "AveragedModel");
    this.registerBuffer("n_averaged", tensor(0, { dtype: "int32" }));
    this.avgFn = avgFn ?? equalAverage;
    this.useBuffers = useBuffers;
  }

  /** The averaged model's forward (`this.module.forward(...args)`). */
  override forward(...args: unknown[]): any {
    return this.module.forward(...args);
  }

  /**
   * Folds `model`'s current parameters (and, with `useBuffers`, buffers) into the average, then
   * increments `n_averaged`. `model` must have the structure of the averaged one: tensors are
   * matched by position, as PyTorch does, and a different count or shape is an error (PyTorch
   * stops at the shorter list, or broadcasts).
   */
  updateParameters(model: Module): void {
    const op = "AveragedModel.updateParameters";
    if (!(model instanceof Module)) throw new TensileError(`${op}: expected an nn.Module, got ${fmt(model)}`);
    const named = (m: Module): [string, Tensor][] =>
      this.useBuffers ? [...m.namedParameters(), ...m.namedBuffers()] : m.namedParameters();
    const mine = named(this.module), theirs = named(model);
    const what = this.useBuffers ? "parameters and buffers" : "parameters";
    if (mine.length !== theirs.length)
      throw new TensileError(`${op}: the model has ${theirs.length} ${what}, the averaged model ${mine.length}; pass a model of the averaged one's structure`);
    mine.forEach(([k, a], i) => {
      const b = theirs[i]![1];
      if (a.shape.length !== b.shape.length || a.shape.some((d, j) => d !== b.shape[j]))
        throw new TensileError(`${op}: ${what.split(" ")[0]} ${i} ("${k}") has shape ${fmtShape(a.shape)} in the averaged model but ${fmtShape(b.shape)} in the model ("${theirs[i]![0]}")`);
    });
    noGrad(() => {
      const first = this.n_averaged.item() === 0;
      // under noGrad the tensors are used as they are (PyTorch detaches them), as optimizers update parameters
      for (let i = 0; i < mine.length; i++) {
        const a = mine[i]![1], b = theirs[i]![1];
        if (first) a.copy_(b);
        else {
          const next = this.avgFn(a, b, this.n_averaged);
          if (!(next instanceof Tensor))
            throw new TensileError(`${op}: avgFn must return a Tensor, got ${fmt(next)}`);
          a.copy_(next);
        }
      }
      this.n_averaged.add_(1);
    });
  }
}

/** PyTorch's `_BatchNorm` (the unexported base of BatchNorm1d/2d/3d). */
const BatchNormBase = Object.getPrototypeOf(BatchNorm1d) as abstract new (...a: never[]) => Module;

type BatchNormLike = Module & { momentum: number | null; running_mean: Tensor | null; running_var: Tensor | null; num_batches_tracked: Tensor | null };

/**
 * Recomputes the running statistics of every batch-norm layer of `model` from one pass over
 * `loader` (PyTorch's `torch.optim.swa_utils.update_bn`): the statistics are reset (to new tensors,
 * as PyTorch), each layer's momentum is set to `null` (a cumulative average over the batches) and
 * `num_batches_tracked` to 0, every batch runs through `model.forward` in training mode under
 * `noGrad`, then the momenta and the model's mode are restored. A batch that is an array
 * (`[x, y]` from a `DataLoader`) passes its first element.
 *
 * A sync iterable (a `DataLoader`, an array of batches) is consumed synchronously; an object that is
 * only async-iterable is consumed with `for await` and a Promise is returned. A batch-norm layer
 * without running statistics (`trackRunningStats: false`) is skipped (PyTorch fails on it).
 */
export function updateBn(loader: Iterable<unknown>, model: Module, device?: string | null): void;
export function updateBn(loader: AsyncIterable<unknown>, model: Module, device?: string | null): Promise<void>;
export function updateBn(loader: Iterable<unknown> | AsyncIterable<unknown>, model: Module, device: string | null = null): void | Promise<void> {
  const op = "updateBn";
  if (!(model instanceof Module)) throw new TensileError(`${op}: expected an nn.Module, got ${fmt(model)}`);
  if (device !== null && device !== undefined && !isDevice(op, device)) throw new TensileError(`${op}: device must be a device name, got ${fmt(device)}`);
  const sync = loader !== null && typeof loader === "object" && typeof (loader as Iterable<unknown>)[Symbol.iterator] === "function";
  const async = loader !== null && typeof loader === "object" && typeof (loader as AsyncIterable<unknown>)[Symbol.asyncIterator] === "function";
  if (!sync && !async) throw new TensileError(`${op}: loader must be an iterable of batches (a DataLoader, an array), got ${fmt(loader)}`);

  const momenta = new Map<BatchNormLike, number | null>();
  for (const m of model.modules()) {
    if (!(m instanceof BatchNormBase)) continue;
    const bn = m as BatchNormLike;
    if (bn.running_mean === null || bn.running_var === null) continue;
    bn.running_mean = zerosLike(bn.running_mean);
    bn.running_var = onesLike(bn.running_var);
    momenta.set(bn, bn.momentum);
  }
  if (momenta.size === 0) return sync ? undefined : Promise.resolve();
  const wasTraining = model.training;
  model.train();
  for (const bn of momenta.keys()) {
    bn.momentum = null;
    noGrad(() => bn.num_batches_tracked?.zero_());
  }
  const run = (batch: unknown): void => {
    noGrad(() => model.forward(Array.isArray(batch) ? batch[0] : batch));
  };
  const restore = (): void => {
    for (const [bn, m] of momenta) bn.momentum = m;
    model.train(wasTraining);
  };
  if (sync) {
    try {
      for (const batch of loader as Iterable<unknown>) run(batch);
    } finally {
      restore();
    }
    return;
  }
  return (async () => {
    try {
      for await (const batch of loader as AsyncIterable<unknown>) run(batch);
    } finally {
      restore();
    }
  })();
}

export interface SWALROptions extends SchedulerOptions {
  /** The learning rate to anneal to: one for all groups or one per group (required). */
  swaLr: number | readonly number[];
  /** Epochs (steps) of the annealing phase (default 10; 0 jumps to swaLr at once). */
  annealEpochs?: number;
  /** "cos" (default) or "linear". */
  annealStrategy?: "cos" | "linear";
}

/**
 * Anneals each group's learning rate from its current value to a fixed `swaLr` over `annealEpochs`
 * steps, then keeps it there: the schedule of the SWA phase. PyTorch's `torch.optim.swa_utils.SWALR`.
 *
 * With t = min(1, max(0, k/annealEpochs)) at step k (counting the constructor's step as 0) and
 * α(t) = (1 − cos πt)/2 ("cos") or t ("linear"), step k sets η = α·swaLr + (1 − α)·η_start, where
 * η_start is recovered from the group's current lr and the previous α, so another scheduler or the
 * user may have set the starting lr. Writes `swaLr` into each group (`swa_lr` in the optimizer's
 * state dict, as PyTorch). `new SWALR(optimizer, 0.05)` or `new SWALR(optimizer, { swaLr, annealEpochs,
 * annealStrategy })`.
 */
export class SWALR extends LRScheduler {
  annealEpochs: number;
  annealStrategy: "cos" | "linear";

  constructor(optimizer: Optimizer, options: SWALROptions);
  /** PyTorch's positional order (swaLr, annealEpochs, annealStrategy, lastEpoch), then an optional options object. */
  constructor(optimizer: Optimizer, ...args: PositionalArgs<[swaLr: number | readonly number[], annealEpochs: number, annealStrategy: "cos" | "linear", lastEpoch: number], Partial<SWALROptions>>);
  constructor(optimizer: Optimizer, ...args: unknown[]) {
    const options = schedulerArgs<SWALROptions>("SWALR", args, ["swaLr", "annealEpochs", "annealStrategy", "lastEpoch"], []);
    super("SWALR", optimizer, options);
    checkSchedulerOptions(this.name, options, ["swaLr", "annealEpochs", "annealStrategy"]);
    const { swaLr, annealEpochs = 10, annealStrategy = "cos" } = options;
    if (swaLr === undefined) throw new TensileError(`${this.name}: swaLr is required`);
    if (Array.isArray(swaLr) && swaLr.length !== optimizer.paramGroups.length)
      throw new TensileError(`${this.name}: swaLr must have the same length as optimizer.paramGroups: swaLr has ${swaLr.length}, optimizer.paramGroups has ${optimizer.paramGroups.length}`);
    const lrs = perGroup<number>(this.name, "swaLr", optimizer, swaLr as number | number[]);
    lrs.forEach((v, i) => {
      if (typeof v !== "number" || !Number.isFinite(v)) throw new TensileError(`${this.name}: swaLr[${i}] must be a finite number, got ${fmt(v)}`);
    });
    if (annealStrategy !== "cos" && annealStrategy !== "linear")
      throw new TensileError(`${this.name}: annealStrategy must be one of "cos" or "linear", instead got ${fmt(annealStrategy)}`);
    if (!Number.isInteger(annealEpochs) || annealEpochs < 0)
      throw new TensileError(`${this.name}: annealEpochs must be an integer equal or greater than 0, got ${fmt(annealEpochs)}`);
    optimizer.paramGroups.forEach((g, i) => (g.swaLr = lrs[i]));
    this.annealEpochs = annealEpochs;
    this.annealStrategy = annealStrategy;
    this.start(options.lastEpoch);
  }

  #anneal(t: number): number {
    return this.annealStrategy === "cos" ? (1 - Math.cos(Math.PI * t)) / 2 : t;
  }

  protected getLr(): number[] {
    let step = this.stepCount - 1;
    if (this.annealEpochs === 0) step = Math.max(1, step);
    const prevT = Math.max(0, Math.min(1, (step - 1) / Math.max(1, this.annealEpochs)));
    const prevAlpha = this.#anneal(prevT);
    const t = Math.max(0, Math.min(1, step / Math.max(1, this.annealEpochs)));
    const alpha = this.#anneal(t);
    return this.optimizer.paramGroups.map((g) => {
      const swaLr = g.swaLr as number;
      const start = prevAlpha === 1 ? swaLr : (g.lr - prevAlpha * swaLr) / (1 - prevAlpha);
      return swaLr * alpha + start * (1 - alpha);
    });
  }

  /** PyTorch's keys plus `anneal_epochs` and `anneal_strategy` (PyTorch stores the function, `anneal_func`). */
  override stateDict(): SchedulerStateDict {
    return { ...super.stateDict(), anneal_epochs: this.annealEpochs, anneal_strategy: this.annealStrategy };
  }

  override loadStateDict(sd: SchedulerStateDict): void {
    super.loadStateDict(sd);
    this.annealEpochs = take(sd, "anneal_epochs", this.annealEpochs);
    this.annealStrategy = take(sd, "anneal_strategy", this.annealStrategy);
  }
}
