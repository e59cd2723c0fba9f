import { Tensor } from "../../core.js";
import { TensileError } from "../../errors.js";
import { type Optimizer, fmt } from "../optimizer.js";
import { type SchedulerStateDict, checkOptimizer, checkSchedulerOptions, perGroup, schedulerArgs, take } from "./base.js";
import type { PositionalArgs } from "../../utils/positional.js";

export interface ReduceLROnPlateauOptions {
  /** "min" (default): reduce when the metric stops decreasing; "max": when it stops increasing. */
  mode?: "min" | "max";
  /** new lr = lr · factor (default 0.1; must be < 1). */
  factor?: number;
  /** Number of epochs without improvement to tolerate before reducing (default 10). */
  patience?: number;
  /** How much better than the best a metric must be to count (default 1e-4). */
  threshold?: number;
  /** "rel" (default): better than best·(1 ∓ threshold); "abs": better than best ∓ threshold. */
  thresholdMode?: "rel" | "abs";
  /** Epochs to wait after a reduction before counting bad epochs again (default 0). */
  cooldown?: number;
  /** Lower bound on the lr, one for all groups or one per group (default 0). */
  minLr?: number | number[];
  /** Reductions smaller than eps are skipped (default 1e-8). */
  eps?: number;
  /** Print each reduction (default false). */
  verbose?: boolean;
}

const OPTIONS = ["mode", "factor", "patience", "threshold", "thresholdMode", "cooldown", "minLr", "eps", "verbose"] as const;

/**
 * Reduces the learning rate by `factor` when a metric has not improved for `patience` epochs
 * (PyTorch's `ReduceLROnPlateau`). Unlike the other schedulers, `step(metric)` takes the value
 * monitored (a number or a one-element tensor), typically the validation loss.
 */
export class ReduceLROnPlateau {
  readonly name = "ReduceLROnPlateau";
  readonly optimizer: Optimizer;
  factor: number;
  minLrs: number[];
  patience: number;
  verbose: boolean;
  cooldown: number;
  cooldownCounter = 0;
  mode: "min" | "max";
  threshold: number;
  thresholdMode: "rel" | "abs";
  best: number;
  numBadEpochs = 0;
  modeWorse: number;
  eps: number;
  lastEpoch = 0;
  private lastLr: number[];

  constructor(optimizer: Optimizer, options?: ReduceLROnPlateauOptions);
  /** PyTorch's positional order (mode, factor, patience, threshold, thresholdMode, cooldown, minLr, eps, verbose), then an optional options object. */
  constructor(optimizer: Optimizer, ...args: PositionalArgs<[mode: "min" | "max", factor: number, patience: number, threshold: number,
    thresholdMode: "rel" | "abs", cooldown: number, minLr: number | number[], eps: number, verbose: boolean], ReduceLROnPlateauOptions>);
  constructor(optimizer: Optimizer, ...args: unknown[]) {
    const options = schedulerArgs<ReduceLROnPlateauOptions>("ReduceLROnPlateau", args,
      ["mode", "factor", "patience", "threshold", "thresholdMode", "cooldown", "minLr", "eps", "verbose"], []);
    checkOptimizer(this.name, optimizer);
    checkSchedulerOptions(this.name, options, OPTIONS);
    this.factor = options.factor ?? 0.1;
    if (!(this.factor < 1.0)) throw new TensileError(`${this.name}: factor should be < 1.0, got ${fmt(this.factor)}`);
    this.optimizer = optimizer;
    this.minLrs = perGroup(this.name, "minLr", optimizer, options.minLr ?? 0);
    this.patience = options.patience ?? 10;
    this.verbose = options.verbose ?? false;
    this.cooldown = options.cooldown ?? 0;
    this.mode = options.mode ?? "min";
    this.threshold = options.threshold ?? 1e-4;
    this.thresholdMode = options.thresholdMode ?? "rel";
    this.eps = options.eps ?? 1e-8;
    this.modeWorse = this.initIsBetter();
    this.best = this.modeWorse;
    this.lastLr = optimizer.paramGroups.map((g) => g.lr);
  }

  private initIsBetter(): number {
    if (this.mode !== "min" && this.mode !== "max") throw new TensileError(`${this.name}: mode ${fmt(this.mode)} is unknown (expected "min" or "max")`);
    if (this.thresholdMode !== "rel" && this.thresholdMode !== "abs")
      throw new TensileError(`${this.name}: threshold mode ${fmt(this.thresholdMode)} is unknown (expected "rel" or "abs")`);
    return this.mode === "min" ? Infinity : -Infinity;
  }

  /** Records one epoch's metric and reduces the lrs when it has stalled for more than `patience` epochs. */
  step(metric: number | Tensor): void {
    const current = metric instanceof Tensor ? metric.item() : Number(metric);
    this.lastEpoch += 1;
    if (this.isBetter(current, this.best)) {
      this.best = current;
      this.numBadEpochs = 0;
    } else {
      this.numBadEpochs += 1;
    }
    if (this.cooldownCounter > 0) {
      this.cooldownCounter -= 1;
      this.numBadEpochs = 0; // bad epochs in cooldown don't count
    }
    if (this.numBadEpochs > this.patience) {
      this.reduceLr();
      this.cooldownCounter = this.cooldown;
      this.numBadEpochs = 0;
    }
    this.lastLr = this.optimizer.paramGroups.map((g) => g.lr);
  }

  private reduceLr(): void {
    this.optimizer.paramGroups.forEach((g, i) => {
      const old = g.lr;
      const next = Math.max(old * this.factor, this.minLrs[i]!);
      if (old - next > this.eps) {
        g.lr = next;
        if (this.verbose) console.log(`Epoch ${this.lastEpoch}: reducing learning rate of group ${i} to ${next.toExponential(4)}.`);
      }
    });
  }

  /** Whether `a` improves on `best` by more than the threshold. */
  isBetter(a: number, best: number): boolean {
    if (this.mode === "min" && this.thresholdMode === "rel") return a < best * (1 - this.threshold);
    if (this.mode === "min") return a < best - this.threshold;
    if (this.thresholdMode === "rel") return a > best * (this.threshold + 1);
    return a > best + this.threshold;
  }

  get inCooldown(): boolean {
    return this.cooldownCounter > 0;
  }

  getLastLr(): number[] {
    return [...this.lastLr];
  }

  /** PyTorch's keys (`min_lrs`, `num_bad_epochs`, `mode_worse`, ...). */
  stateDict(): SchedulerStateDict {
    return {
      factor: this.factor, min_lrs: [...this.minLrs], patience: this.patience, verbose: this.verbose, cooldown: this.cooldown,
      cooldown_counter: this.cooldownCounter, mode: this.mode, threshold: this.threshold, threshold_mode: this.thresholdMode,
      best: this.best, num_bad_epochs: this.numBadEpochs, mode_worse: this.modeWorse, eps: this.eps,
      last_epoch: this.lastEpoch, _last_lr: [...this.lastLr],
    };
  }

  loadStateDict(sd: SchedulerStateDict): void {
    if (sd === null || typeof sd !== "object") throw new TensileError(`${this.name}.loadStateDict: expected an object, got ${fmt(sd)}`);
    // JSON has no Infinity: `best` (= mode_worse until the first metric) may come back as null,
    // or as "inf" / "-inf" / "Infinity" strings from other writers.
    const num = (k: string, cur: number): number => {
      const v = take<unknown>(sd, k, cur);
      if (v === "inf" || v === "Infinity") return Infinity;
      if (v === "-inf" || v === "-Infinity") return -Infinity;
      if (v === null && (k === "best" || k === "mode_worse")) return this.mode === "min" ? Infinity : -Infinity;
      if (typeof v !== "number") throw new TensileError(`${this.name}.loadStateDict: "${k}" must be a number, got ${fmt(v)}`);
      return v;
    };
    this.mode = take(sd, "mode", this.mode);
    this.factor = num("factor", this.factor);
    this.minLrs = take(sd, "min_lrs", this.minLrs);
    this.patience = num("patience", this.patience);
    this.verbose = take(sd, "verbose", this.verbose);
    this.cooldown = num("cooldown", this.cooldown);
    this.cooldownCounter = num("cooldown_counter", this.cooldownCounter);
    this.threshold = num("threshold", this.threshold);
    this.thresholdMode = take(sd, "threshold_mode", this.thresholdMode);
    this.best = num("best", this.best);
    this.numBadEpochs = num("num_bad_epochs", this.numBadEpochs);
    this.eps = num("eps", this.eps);
    this.lastEpoch = num("last_epoch", this.lastEpoch);
    this.lastLr = take(sd, "_last_lr", this.lastLr);
    this.modeWorse = this.initIsBetter();
  }
}
