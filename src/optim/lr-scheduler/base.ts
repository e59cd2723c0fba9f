import { TensileError } from "../../errors.js";
import { type ParamGroup, Optimizer, checkOptionNames, fmt } from "../optimizer.js";
import { positionalOptions } from "../../utils/positional.js";

/** A scheduler's state in PyTorch's layout: its attributes under PyTorch's names (`last_epoch`, `base_lrs`, `T_max`, ...). */
export type SchedulerStateDict = Record<string, unknown>;

/** Options every epoch-based scheduler takes. */
export interface SchedulerOptions {
  /** Index of the last epoch when resuming (default -1: start from the beginning; groups then need `initialLr`). */
  lastEpoch?: number;
  /** Print each update of a group's learning rate (default false). */
  verbose?: boolean;
}

export const BASE_OPTIONS = ["lastEpoch", "verbose"] as const;

/** Reads `sd[key]` when present (PyTorch's `__dict__.update` semantics: absent keys keep their value). */
export function take<T>(sd: SchedulerStateDict, key: string, current: T): T {
  return key in sd ? (structuredCloneJson(sd[key]) as T) : current;
}

/** Copies arrays and plain objects so a loaded or saved state dict shares nothing with the scheduler. */
export function structuredCloneJson<T>(v: T): T {
  if (Array.isArray(v)) return v.map((x) => structuredCloneJson(x)) as T;
  if (v !== null && typeof v === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) out[k] = structuredCloneJson(x);
    return out as T;
  }
  return v;
}

/**
 * A scheduler's arguments after the optimizer: PyTorch's positional order (`keys`, then `lastEpoch`,
 * `verbose` unless `tail` says otherwise), then an optional options object, merged into one object
 * (`new StepLR(opt, 30, 0.1)`, `new StepLR(opt, 30, { gamma: 0.1 })`, `new StepLR(opt, { stepSize: 30 })`).
 */
export function schedulerArgs<O extends object>(name: string, args: readonly unknown[], keys: readonly string[], tail: readonly string[] = ["lastEpoch", "verbose"]): O {
  return positionalOptions<O>(name, args, { keys: [...keys, ...tail], after: "optimizer" });
}

export function checkSchedulerOptions(name: string, options: object, known: readonly string[]): void {
  if (options === null || typeof options !== "object") throw new TensileError(`${name}: options must be an object, got ${fmt(options)}`);
  checkOptionNames(name, options, [...known, ...BASE_OPTIONS]);
}

export function checkOptimizer(name: string, optimizer: unknown): asserts optimizer is Optimizer {
  if (!(optimizer instanceof Optimizer)) throw new TensileError(`${name}: ${fmt(optimizer)} is not an Optimizer`);
}

/** A positive integer option (`stepSize`, `tMax`, `totalIters`, ...). */
export function checkPositiveInt(name: string, what: string, v: unknown): asserts v is number {
  if (typeof v !== "number" || !Number.isInteger(v) || v <= 0)
    throw new TensileError(`${name}: expected positive integer ${what}, but got ${fmt(v)}`);
}

/** One value per param group: a number is repeated, an array must have one entry per group. */
export function perGroup<T>(name: string, what: string, optimizer: Optimizer, v: T | readonly T[]): T[] {
  const n = optimizer.paramGroups.length;
  if (Array.isArray(v)) {
    if (v.length !== n) throw new TensileError(`${name}: expected ${n} values for ${what}, got ${v.length}`);
    return [...(v as readonly T[])];
  }
  return Array.from({ length: n }, () => v as T);
}

/**
 * Base of the epoch-based schedulers (PyTorch's `torch.optim.lr_scheduler._LRScheduler`). A
 * scheduler owns no learning rate: each `step()` advances `lastEpoch` and writes new values into
 * the optimizer's `paramGroups[i].lr`, computed by the subclass's `getLr()` — PyTorch's *chainable*
 * (recursive) form, which multiplies the current lr so that several schedulers can be combined.
 *
 * Call `scheduler.step()` after `optimizer.step()`, once per epoch (or per batch for OneCycleLR).
 */
export abstract class LRScheduler {
  readonly optimizer: Optimizer;
  /** The groups' `initialLr` at construction. */
  baseLrs: number[] = [];
  lastEpoch = -1;
  verbose: boolean;
  /** Number of `step()` calls (PyTorch's `_step_count`). */
  protected stepCount = 0;
  protected lastLr: number[] = [];

  protected constructor(readonly name: string, optimizer: Optimizer, options: SchedulerOptions = {}) {
    options ??= {};
    checkOptimizer(name, optimizer);
    this.optimizer = optimizer;
    this.verbose = options.verbose ?? false;
  }

  /** The new lr of every group at `this.lastEpoch` (chainable form). */
  protected abstract getLr(): number[];

  /** The lr of every group at `this.lastEpoch` from the closed form, where the scheduler has one. */
  protected closedFormLr(): number[] | null {
    return null;
  }

  /**
   * Records `initialLr` in each group (or checks it is there when resuming), reads `baseLrs`, and
   * takes the initial step (epoch 0). Subclasses call it at the end of their constructor, once
   * their own fields are set (PyTorch sets them before `super().__init__`).
   */
  protected start(lastEpoch = -1): void {
    if (!Number.isInteger(lastEpoch) || lastEpoch < -1)
      throw new TensileError(`${this.name}: lastEpoch must be an integer >= -1, got ${fmt(lastEpoch)}`);
    const groups = this.optimizer.paramGroups;
    groups.forEach((g, i) => {
      if (lastEpoch === -1) g.initialLr ??= g.lr;
      else if (g.initialLr === undefined)
        throw new TensileError(`${this.name}: param 'initialLr' is not specified in paramGroups[${i}] when resuming an optimizer`);
    });
    this.baseLrs = groups.map((g) => g.initialLr!);
    this.lastEpoch = lastEpoch;
    this.initialStep();
  }

  /** @internal Resets the step count and takes one step (used by SequentialLR too). */
  _initialStep(): void {
    this.initialStep();
  }

  protected initialStep(): void {
    this.stepCount = 0;
    this.step();
  }

  /** Advances one epoch and sets every group's lr. */
  step(): void {
    this.stepCount++;
    this.lastEpoch++;
    this.setLrs(this.getLr());
  }

  /**
   * @internal PyTorch's deprecated `step(epoch)`: jumps to `epoch`, using the closed form where the
   * scheduler has one. SequentialLR uses it to restart a scheduler at 0 on its milestone.
   */
  _stepAt(epoch: number): void {
    this.stepCount++;
    this.lastEpoch = epoch;
    this.setLrs(this.closedFormLr() ?? this.getLr());
  }

  protected setLrs(values: readonly number[]): void {
    this.optimizer.paramGroups.forEach((g, i) => {
      g.lr = values[i]!;
      this.printLr(this.verbose, i, values[i]!);
    });
    this.lastLr = this.optimizer.paramGroups.map((g) => g.lr);
  }

  /**
   * Prints a group's new learning rate when `isVerbose` (PyTorch's `print_lr`, which `step` calls
   * with `verbose`): `Adjusting learning rate of group 0 to 1.0000e-01.`, or with `epoch`
   * `Epoch 00003: adjusting learning rate of group 0 to 1.0000e-01.` (a non-integer epoch as `3.50`).
   */
  printLr(isVerbose: boolean, group: number, lr: number, epoch?: number): void {
    if (!isVerbose) return;
    const e = (v: number) => {
      const [m, x] = v.toExponential(4).split("e");
      return `${m}e${Number(x) < 0 ? "-" : "+"}${String(Math.abs(Number(x))).padStart(2, "0")}`; // Python's {:.4e}
    };
    if (epoch === undefined || epoch === null) console.log(`Adjusting learning rate of group ${group} to ${e(lr)}.`);
    else {
      const ep = Number.isInteger(epoch) ? `${epoch < 0 ? "-" : ""}${String(Math.abs(epoch)).padStart(5, "0")}` : epoch.toFixed(2);
      console.log(`Epoch ${ep}: adjusting learning rate of group ${group} to ${e(lr)}.`);
    }
  }

  /** The lr of every group as last set by this scheduler. */
  getLastLr(): number[] {
    return [...this.lastLr];
  }

  /** PyTorch's keys: `base_lrs`, `last_epoch`, `_step_count`, `_last_lr`, `verbose` and the scheduler's own. */
  stateDict(): SchedulerStateDict {
    return {
      base_lrs: [...this.baseLrs], last_epoch: this.lastEpoch, verbose: this.verbose,
      _step_count: this.stepCount, _last_lr: [...this.lastLr],
    };
  }

  /** Restores a state from `stateDict()` (or PyTorch's); keys it lacks keep their current values. */
  loadStateDict(sd: SchedulerStateDict): void {
    if (sd === null || typeof sd !== "object") throw new TensileError(`${this.name}.loadStateDict: expected an object, got ${fmt(sd)}`);
    this.baseLrs = take(sd, "base_lrs", this.baseLrs);
    this.lastEpoch = take(sd, "last_epoch", this.lastEpoch);
    this.verbose = take(sd, "verbose", this.verbose);
    this.stepCount = take(sd, "_step_count", this.stepCount);
    this.lastLr = take(sd, "_last_lr", this.lastLr);
  }
}

export type { ParamGroup };
