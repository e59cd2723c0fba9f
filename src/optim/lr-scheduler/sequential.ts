import { TensileError } from "../../errors.js";
import { type Optimizer, fmt } from "../optimizer.js";
import { LRScheduler, type SchedulerStateDict, checkSchedulerOptions, schedulerArgs, take } from "./base.js";
import type { PositionalArgs } from "../../utils/positional.js";

type SequentialLROptions = { schedulers: LRScheduler[]; milestones: number[]; lastEpoch?: number; verbose?: boolean };
import { bisectRight } from "./schedulers.js";

function checkSchedulers(name: string, schedulers: unknown, optimizer?: Optimizer): asserts schedulers is LRScheduler[] {
  if (!Array.isArray(schedulers) || schedulers.length === 0)
    throw new TensileError(`${name}: schedulers must be a non-empty array of schedulers, got ${fmt(schedulers)}`);
  schedulers.forEach((s, i) => {
    if (!(s instanceof LRScheduler)) throw new TensileError(`${name}: schedulers[${i}] is not an epoch-based LRScheduler (got ${fmt(s)})`);
    const opt = optimizer ?? (schedulers[0] as LRScheduler).optimizer;
    if (s.optimizer !== opt)
      throw new TensileError(`${name}: expects all schedulers to belong to the same optimizer, but got schedulers at index ${i} to be different than the optimizer passed in`);
  });
}

/**
 * Runs `schedulers` one after the other: schedulers[i] drives the lr from milestones[i−1] on, and
 * restarts from its epoch 0 there (e.g. LinearLR warmup, then CosineAnnealingLR). PyTorch's
 * `SequentialLR`. Construct the schedulers on the same optimizer first, then wrap them.
 */
export class SequentialLR extends LRScheduler {
  schedulers: LRScheduler[];
  milestones: number[];

  constructor(optimizer: Optimizer, options: SequentialLROptions);
  /** PyTorch's positional order (schedulers, milestones, lastEpoch, verbose), then an optional options object. */
  constructor(optimizer: Optimizer, ...args: PositionalArgs<[schedulers: LRScheduler[], milestones: number[], lastEpoch: number, verbose: boolean], Partial<SequentialLROptions>>);
  constructor(optimizer: Optimizer, ...args: unknown[]) {
    const options = schedulerArgs<SequentialLROptions>("SequentialLR", args, ["schedulers", "milestones"]);
    super("SequentialLR", optimizer, options);
    checkSchedulerOptions(this.name, options, ["schedulers", "milestones"]);
    const { schedulers, milestones } = options;
    checkSchedulers(this.name, schedulers, optimizer);
    if (!Array.isArray(milestones) || milestones.length !== schedulers.length - 1)
      throw new TensileError(`${this.name}: expects number of schedulers provided to be one more than the number of milestone points, but got number of schedulers ${schedulers.length} and the number of milestones to be equal to ${Array.isArray(milestones) ? milestones.length : fmt(milestones)}`);
    this.schedulers = [...schedulers];
    this.milestones = [...milestones];
    this.lastEpoch = (options.lastEpoch ?? -1) + 1;
    // Reset the lrs to their initial values and undo the initial step the schedulers took.
    for (const g of optimizer.paramGroups) g.lr = g.initialLr!;
    for (const s of this.schedulers) s.lastEpoch -= 1;
    this.schedulers[0]!._initialStep();
    this.lastLr = this.schedulers[0]!.getLastLr();
  }

  protected getLr(): number[] {
    return this.optimizer.paramGroups.map((g) => g.lr);
  }

  override step(): void {
    this.lastEpoch += 1;
    const idx = bisectRight(this.milestones, this.lastEpoch);
    const s = this.schedulers[idx]!;
    if (idx > 0 && this.milestones[idx - 1] === this.lastEpoch) s._stepAt(0);
    else s.step();
    this.lastLr = s.getLastLr();
  }

  /** PyTorch's keys: `_milestones`, `last_epoch`, `_last_lr`, and `_schedulers` (their state dicts). */
  override stateDict(): SchedulerStateDict {
    return {
      _milestones: [...this.milestones], last_epoch: this.lastEpoch, _last_lr: [...this.lastLr],
      _schedulers: this.schedulers.map((s) => s.stateDict()),
    };
  }

  override loadStateDict(sd: SchedulerStateDict): void {
    if (sd === null || typeof sd !== "object") throw new TensileError(`${this.name}.loadStateDict: expected an object, got ${fmt(sd)}`);
    const subs = sd._schedulers;
    if (subs !== undefined && (!Array.isArray(subs) || subs.length !== this.schedulers.length))
      throw new TensileError(`${this.name}.loadStateDict: expected ${this.schedulers.length} scheduler states, got ${fmt(subs)}`);
    this.milestones = take(sd, "_milestones", this.milestones);
    this.lastEpoch = take(sd, "last_epoch", this.lastEpoch);
    this.lastLr = take(sd, "_last_lr", this.lastLr);
    if (subs) subs.forEach((s, i) => this.schedulers[i]!.loadStateDict(s as SchedulerStateDict));
  }
}

/**
 * Steps every scheduler at once, so their (chainable) factors multiply: e.g. ConstantLR warmup
 * together with ExponentialLR decay. PyTorch's `ChainedScheduler`.
 */
export class ChainedScheduler extends LRScheduler {
  schedulers: LRScheduler[];

  constructor(schedulers: LRScheduler[]) {
    checkSchedulers("ChainedScheduler", schedulers);
    super("ChainedScheduler", schedulers[0]!.optimizer);
    this.schedulers = [...schedulers];
    this.lastLr = this.optimizer.paramGroups.map((g) => g.lr);
  }

  protected getLr(): number[] {
    return this.optimizer.paramGroups.map((g) => g.lr);
  }

  override step(): void {
    for (const s of this.schedulers) s.step();
    this.lastLr = this.optimizer.paramGroups.map((g) => g.lr);
  }

  override stateDict(): SchedulerStateDict {
    return { _last_lr: [...this.lastLr], _schedulers: this.schedulers.map((s) => s.stateDict()) };
  }

  override loadStateDict(sd: SchedulerStateDict): void {
    if (sd === null || typeof sd !== "object") throw new TensileError(`${this.name}.loadStateDict: expected an object, got ${fmt(sd)}`);
    const subs = sd._schedulers;
    if (subs !== undefined && (!Array.isArray(subs) || subs.length !== this.schedulers.length))
      throw new TensileError(`${this.name}.loadStateDict: expected ${this.schedulers.length} scheduler states, got ${fmt(subs)}`);
    this.lastLr = take(sd, "_last_lr", this.lastLr);
    if (subs) subs.forEach((s, i) => this.schedulers[i]!.loadStateDict(s as SchedulerStateDict));
  }
}
