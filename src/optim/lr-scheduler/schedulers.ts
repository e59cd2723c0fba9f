import { TensileError } from "../../errors.js";
import { type Optimizer, fmt } from "../optimizer.js";
import {
  LRScheduler, type SchedulerOptions, type SchedulerStateDict, checkPositiveInt, checkSchedulerOptions, schedulerArgs, perGroup, take,
} from "./base.js";
import { type PositionalArgs, isOptionsObject } from "../../utils/positional.js";

/** `bisect.bisect_right`: the number of entries of sorted `a` that are <= x. */
export function bisectRight(a: readonly number[], x: number): number {
  let lo = 0, hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (x < a[mid]!) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

export type LrLambda = (epoch: number) => number;

/** Functions are not state; like PyTorch, a state dict keeps a `null` per function. */
const lambdasOf = (name: string, optimizer: Optimizer, f: unknown): LrLambda[] => {
  const fs = perGroup<unknown>(name, "lrLambda", optimizer, f);
  fs.forEach((x, i) => {
    if (typeof x !== "function") throw new TensileError(`${name}: lrLambda[${i}] must be a function, got ${fmt(x)}`);
  });
  return fs as LrLambda[];
};

type LambdaOptions = { lrLambda: LrLambda | LrLambda[] } & SchedulerOptions;
/** (lrLambda, lastEpoch, verbose) positionally, or one options object; a number or string in lrLambda's place is refused. */
function lambdaOptions(name: string, args: readonly unknown[]): LambdaOptions {
  const x = args[0];
  if (typeof x !== "function" && !Array.isArray(x) && !isOptionsObject(x))
    throw new TensileError(`${name}: options must be an object, got ${fmt(x)} (or pass lrLambda, a function or a list of functions)`);
  return schedulerArgs<LambdaOptions>(name, args, ["lrLambda"]);
}

/** η_t = η_0 · λ(t), λ one function (or one per group). PyTorch's `LambdaLR`. */
export class LambdaLR extends LRScheduler {
  lrLambdas: LrLambda[];
  constructor(optimizer: Optimizer, options: LambdaOptions);
  /** PyTorch's positional order (lrLambda, lastEpoch, verbose) — `new LambdaLR(optimizer, fn)` — then an optional options object. */
  constructor(optimizer: Optimizer, ...args: PositionalArgs<[lrLambda: LrLambda | LrLambda[], lastEpoch: number, verbose: boolean], SchedulerOptions>);
  constructor(optimizer: Optimizer, ...args: unknown[]) {
    const options = lambdaOptions("LambdaLR", args);
    super("LambdaLR", optimizer, options);
    checkSchedulerOptions(this.name, options, ["lrLambda"]);
    this.lrLambdas = lambdasOf(this.name, optimizer, options.lrLambda);
    this.start(options.lastEpoch);
  }
  protected getLr(): number[] {
    return this.baseLrs.map((b, i) => b * this.lrLambdas[i]!(this.lastEpoch));
  }
  override stateDict(): SchedulerStateDict {
    return { ...super.stateDict(), lr_lambdas: this.lrLambdas.map(() => null) };
  }
}

/** η_t = η_{t−1} · λ(t) for t > 0. PyTorch's `MultiplicativeLR`. */
export class MultiplicativeLR extends LRScheduler {
  lrLambdas: LrLambda[];
  constructor(optimizer: Optimizer, options: LambdaOptions);
  /** PyTorch's positional order (lrLambda, lastEpoch, verbose) — `new MultiplicativeLR(optimizer, fn)` — then an optional options object. */
  constructor(optimizer: Optimizer, ...args: PositionalArgs<[lrLambda: LrLambda | LrLambda[], lastEpoch: number, verbose: boolean], SchedulerOptions>);
  constructor(optimizer: Optimizer, ...args: unknown[]) {
    const options = lambdaOptions("MultiplicativeLR", args);
    super("MultiplicativeLR", optimizer, options);
    checkSchedulerOptions(this.name, options, ["lrLambda"]);
    this.lrLambdas = lambdasOf(this.name, optimizer, options.lrLambda);
    this.start(options.lastEpoch);
  }
  protected getLr(): number[] {
    const groups = this.optimizer.paramGroups;
    return groups.map((g, i) => (this.lastEpoch > 0 ? g.lr * this.lrLambdas[i]!(this.lastEpoch) : g.lr));
  }
  override stateDict(): SchedulerStateDict {
    return { ...super.stateDict(), lr_lambdas: this.lrLambdas.map(() => null) };
  }
}

/** η ← γ·η every `stepSize` epochs: η_t = η_0 · γ^⌊t / stepSize⌋. PyTorch's `StepLR`. */
export class StepLR extends LRScheduler {
  stepSize: number;
  gamma: number;
  constructor(optimizer: Optimizer, options: { stepSize: number; gamma?: number } & SchedulerOptions);
  /** PyTorch's positional order (stepSize, gamma, lastEpoch, verbose), then an optional options object. */
  constructor(optimizer: Optimizer, ...args: PositionalArgs<[stepSize: number, gamma: number, lastEpoch: number, verbose: boolean], Partial<{ stepSize: number; gamma?: number }> & SchedulerOptions>);
  constructor(optimizer: Optimizer, ...args: unknown[]) {
    const options = schedulerArgs<{ stepSize: number; gamma?: number } & SchedulerOptions>("StepLR", args, ["stepSize", "gamma"]);
    super("StepLR", optimizer, options);
    checkSchedulerOptions(this.name, options, ["stepSize", "gamma"]);
    checkPositiveInt(this.name, "stepSize", options.stepSize);
    this.stepSize = options.stepSize;
    this.gamma = options.gamma ?? 0.1;
    this.start(options.lastEpoch);
  }
  protected getLr(): number[] {
    const e = this.lastEpoch;
    return this.optimizer.paramGroups.map((g) => (e === 0 || e % this.stepSize !== 0 ? g.lr : g.lr * this.gamma));
  }
  protected override closedFormLr(): number[] {
    return this.baseLrs.map((b) => b * this.gamma ** Math.floor(this.lastEpoch / this.stepSize));
  }
  override stateDict(): SchedulerStateDict {
    return { ...super.stateDict(), step_size: this.stepSize, gamma: this.gamma };
  }
  override loadStateDict(sd: SchedulerStateDict): void {
    super.loadStateDict(sd);
    this.stepSize = take(sd, "step_size", this.stepSize);
    this.gamma = take(sd, "gamma", this.gamma);
  }
}

/**
 * η ← γ·η at each milestone (a milestone listed k times multiplies by γ^k): η_t = η_0 · γ^(number of
 * milestones ≤ t). PyTorch's `MultiStepLR`; the state dict keeps milestones as PyTorch's Counter
 * (`{ "30": 1, "80": 1 }`).
 */
export class MultiStepLR extends LRScheduler {
  milestones: Record<string, number>;
  gamma: number;
  constructor(optimizer: Optimizer, options: { milestones: readonly number[]; gamma?: number } & SchedulerOptions);
  /** PyTorch's positional order (milestones, gamma, lastEpoch, verbose), then an optional options object. */
  constructor(optimizer: Optimizer, ...args: PositionalArgs<[milestones: readonly number[], gamma: number, lastEpoch: number, verbose: boolean], Partial<{ milestones: readonly number[]; gamma?: number }> & SchedulerOptions>);
  constructor(optimizer: Optimizer, ...args: unknown[]) {
    const options = schedulerArgs<{ milestones: readonly number[]; gamma?: number } & SchedulerOptions>("MultiStepLR", args, ["milestones", "gamma"]);
    super("MultiStepLR", optimizer, options);
    checkSchedulerOptions(this.name, options, ["milestones", "gamma"]);
    if (!Array.isArray(options.milestones) || !options.milestones.every((m) => Number.isInteger(m)))
      throw new TensileError(`MultiStepLR: milestones must be an array of integers, got ${fmt(options.milestones)}`);
    this.milestones = {};
    for (const m of options.milestones) this.milestones[m] = (this.milestones[m] ?? 0) + 1;
    this.gamma = options.gamma ?? 0.1;
    this.start(options.lastEpoch);
  }
  protected getLr(): number[] {
    const k = this.milestones[this.lastEpoch];
    return this.optimizer.paramGroups.map((g) => (k === undefined ? g.lr : g.lr * this.gamma ** k));
  }
  protected override closedFormLr(): number[] {
    const sorted = Object.entries(this.milestones).flatMap(([m, k]) => Array<number>(k).fill(Number(m))).sort((a, b) => a - b);
    return this.baseLrs.map((b) => b * this.gamma ** bisectRight(sorted, this.lastEpoch));
  }
  override stateDict(): SchedulerStateDict {
    return { ...super.stateDict(), milestones: { ...this.milestones }, gamma: this.gamma };
  }
  override loadStateDict(sd: SchedulerStateDict): void {
    super.loadStateDict(sd);
    this.milestones = take(sd, "milestones", this.milestones);
    this.gamma = take(sd, "gamma", this.gamma);
  }
}

/** η_t = η_0·factor for t < totalIters, η_0 after. PyTorch's `ConstantLR`. */
export class ConstantLR extends LRScheduler {
  factor: number;
  totalIters: number;
  constructor(optimizer: Optimizer, options?: { factor?: number; totalIters?: number } & SchedulerOptions);
  /** PyTorch's positional order (factor, totalIters, lastEpoch, verbose), then an optional options object. */
  constructor(optimizer: Optimizer, ...args: PositionalArgs<[factor: number, totalIters: number, lastEpoch: number, verbose: boolean], Partial<{ factor?: number; totalIters?: number }> & SchedulerOptions>);
  constructor(optimizer: Optimizer, ...args: unknown[]) {
    const options = schedulerArgs<{ factor?: number; totalIters?: number } & SchedulerOptions>("ConstantLR", args, ["factor", "totalIters"]);
    super("ConstantLR", optimizer, options);
    checkSchedulerOptions(this.name, options, ["factor", "totalIters"]);
    this.factor = options.factor ?? 1 / 3;
    if (!(this.factor >= 0 && this.factor <= 1))
      throw new TensileError(`ConstantLR: constant multiplicative factor expected to be between 0 and 1, got ${fmt(this.factor)}`);
    this.totalIters = options.totalIters ?? 5;
    this.start(options.lastEpoch);
  }
  protected getLr(): number[] {
    const e = this.lastEpoch, groups = this.optimizer.paramGroups;
    if (e === 0) return groups.map((g) => g.lr * this.factor);
    if (e !== this.totalIters) return groups.map((g) => g.lr);
    return groups.map((g) => g.lr * (1 / this.factor));
  }
  protected override closedFormLr(): number[] {
    const after = this.lastEpoch >= this.totalIters ? 1 : 0;
    return this.baseLrs.map((b) => b * (this.factor + after * (1 - this.factor)));
  }
  override stateDict(): SchedulerStateDict {
    return { ...super.stateDict(), factor: this.factor, total_iters: this.totalIters };
  }
  override loadStateDict(sd: SchedulerStateDict): void {
    super.loadStateDict(sd);
    this.factor = take(sd, "factor", this.factor);
    this.totalIters = take(sd, "total_iters", this.totalIters);
  }
}

/**
 * Factor going linearly from startFactor to endFactor over totalIters epochs:
 * η_t = η_0 · (s + (e − s)·min(t, T)/T). PyTorch's `LinearLR` (a common warmup).
 */
export class LinearLR extends LRScheduler {
  startFactor: number;
  endFactor: number;
  totalIters: number;
  constructor(optimizer: Optimizer, options?: { startFactor?: number; endFactor?: number; totalIters?: number } & SchedulerOptions);
  /** PyTorch's positional order (startFactor, endFactor, totalIters, lastEpoch, verbose), then an optional options object. */
  constructor(optimizer: Optimizer, ...args: PositionalArgs<[startFactor: number, endFactor: number, totalIters: number, lastEpoch: number, verbose: boolean], Partial<{ startFactor?: number; endFactor?: number; totalIters?: number }> & SchedulerOptions>);
  constructor(optimizer: Optimizer, ...args: unknown[]) {
    const options = schedulerArgs<{ startFactor?: number; endFactor?: number; totalIters?: number } & SchedulerOptions>("LinearLR", args, ["startFactor", "endFactor", "totalIters"]);
    super("LinearLR", optimizer, options);
    checkSchedulerOptions(this.name, options, ["startFactor", "endFactor", "totalIters"]);
    this.startFactor = options.startFactor ?? 1 / 3;
    this.endFactor = options.endFactor ?? 1.0;
    if (!(this.startFactor > 0 && this.startFactor <= 1))
      throw new TensileError(`LinearLR: starting multiplicative factor expected to be greater than 0 and less or equal to 1, got ${fmt(this.startFactor)}`);
    if (!(this.endFactor >= 0 && this.endFactor <= 1))
      throw new TensileError(`LinearLR: ending multiplicative factor expected to be between 0 and 1, got ${fmt(this.endFactor)}`);
    this.totalIters = options.totalIters ?? 5;
    this.start(options.lastEpoch);
  }
  protected getLr(): number[] {
    const e = this.lastEpoch, s = this.startFactor, d = this.endFactor - this.startFactor, groups = this.optimizer.paramGroups;
    if (e === 0) return groups.map((g) => g.lr * s);
    if (e > this.totalIters) return groups.map((g) => g.lr);
    return groups.map((g) => g.lr * (1 + d / (this.totalIters * s + (e - 1) * d)));
  }
  protected override closedFormLr(): number[] {
    const d = this.endFactor - this.startFactor;
    return this.baseLrs.map((b) => b * (this.startFactor + (d * Math.min(this.totalIters, this.lastEpoch)) / this.totalIters));
  }
  override stateDict(): SchedulerStateDict {
    return { ...super.stateDict(), start_factor: this.startFactor, end_factor: this.endFactor, total_iters: this.totalIters };
  }
  override loadStateDict(sd: SchedulerStateDict): void {
    super.loadStateDict(sd);
    this.startFactor = take(sd, "start_factor", this.startFactor);
    this.endFactor = take(sd, "end_factor", this.endFactor);
    this.totalIters = take(sd, "total_iters", this.totalIters);
  }
}

/** η ← γ·η every epoch: η_t = η_0·γ^t. PyTorch's `ExponentialLR`. */
export class ExponentialLR extends LRScheduler {
  gamma: number;
  constructor(optimizer: Optimizer, options: { gamma: number } & SchedulerOptions);
  /** PyTorch's positional order (gamma, lastEpoch, verbose), then an optional options object. */
  constructor(optimizer: Optimizer, ...args: PositionalArgs<[gamma: number, lastEpoch: number, verbose: boolean], Partial<{ gamma: number }> & SchedulerOptions>);
  constructor(optimizer: Optimizer, ...args: unknown[]) {
    const options = schedulerArgs<{ gamma: number } & SchedulerOptions>("ExponentialLR", args, ["gamma"]);
    super("ExponentialLR", optimizer, options);
    checkSchedulerOptions(this.name, options, ["gamma"]);
    if (typeof options.gamma !== "number") throw new TensileError(`ExponentialLR: gamma must be a number, got ${fmt(options.gamma)}`);
    this.gamma = options.gamma;
    this.start(options.lastEpoch);
  }
  protected getLr(): number[] {
    return this.optimizer.paramGroups.map((g) => (this.lastEpoch === 0 ? g.lr : g.lr * this.gamma));
  }
  protected override closedFormLr(): number[] {
    return this.baseLrs.map((b) => b * this.gamma ** this.lastEpoch);
  }
  override stateDict(): SchedulerStateDict {
    return { ...super.stateDict(), gamma: this.gamma };
  }
  override loadStateDict(sd: SchedulerStateDict): void {
    super.loadStateDict(sd);
    this.gamma = take(sd, "gamma", this.gamma);
  }
}

/** η_t = η_0 · (1 − min(t, T)/T)^power. PyTorch's `PolynomialLR`. */
export class PolynomialLR extends LRScheduler {
  totalIters: number;
  power: number;
  constructor(optimizer: Optimizer, options?: { totalIters?: number; power?: number } & SchedulerOptions);
  /** PyTorch's positional order (totalIters, power, lastEpoch, verbose), then an optional options object. */
  constructor(optimizer: Optimizer, ...args: PositionalArgs<[totalIters: number, power: number, lastEpoch: number, verbose: boolean], Partial<{ totalIters?: number; power?: number }> & SchedulerOptions>);
  constructor(optimizer: Optimizer, ...args: unknown[]) {
    const options = schedulerArgs<{ totalIters?: number; power?: number } & SchedulerOptions>("PolynomialLR", args, ["totalIters", "power"]);
    super("PolynomialLR", optimizer, options);
    checkSchedulerOptions(this.name, options, ["totalIters", "power"]);
    this.totalIters = options.totalIters ?? 5;
    this.power = options.power ?? 1.0;
    this.start(options.lastEpoch);
  }
  protected getLr(): number[] {
    const e = this.lastEpoch, T = this.totalIters, groups = this.optimizer.paramGroups;
    if (e === 0 || e > T) return groups.map((g) => g.lr);
    const decay = ((1 - e / T) / (1 - (e - 1) / T)) ** this.power;
    return groups.map((g) => g.lr * decay);
  }
  protected override closedFormLr(): number[] {
    return this.baseLrs.map((b) => b * (1 - Math.min(this.totalIters, this.lastEpoch) / this.totalIters) ** this.power);
  }
  override stateDict(): SchedulerStateDict {
    return { ...super.stateDict(), total_iters: this.totalIters, power: this.power };
  }
  override loadStateDict(sd: SchedulerStateDict): void {
    super.loadStateDict(sd);
    this.totalIters = take(sd, "total_iters", this.totalIters);
    this.power = take(sd, "power", this.power);
  }
}

/**
 * Cosine annealing from η_0 to etaMin over tMax epochs (SGDR without restarts; past tMax it rises
 * again, a cosine of period 2·tMax). Closed form η_t = η_min + ½(η_0 − η_min)(1 + cos(π t / T_max));
 * `step()` uses PyTorch's recursive form
 *     η_t = η_min + (η_{t−1} − η_min) · (1 + cos(π t/T)) / (1 + cos(π (t−1)/T)),
 * with η_t = η_{t−1} + ½(η_0 − η_min)(1 − cos(π/T)) when (t − 1 − T) is a multiple of 2T.
 * PyTorch's `CosineAnnealingLR`.
 */
export class CosineAnnealingLR extends LRScheduler {
  tMax: number;
  etaMin: number;
  constructor(optimizer: Optimizer, options: { tMax: number; etaMin?: number } & SchedulerOptions);
  /** PyTorch's positional order (tMax, etaMin, lastEpoch, verbose), then an optional options object. */
  constructor(optimizer: Optimizer, ...args: PositionalArgs<[tMax: number, etaMin: number, lastEpoch: number, verbose: boolean], Partial<{ tMax: number; etaMin?: number }> & SchedulerOptions>);
  constructor(optimizer: Optimizer, ...args: unknown[]) {
    const options = schedulerArgs<{ tMax: number; etaMin?: number } & SchedulerOptions>("CosineAnnealingLR", args, ["tMax", "etaMin"]);
    super("CosineAnnealingLR", optimizer, options);
    checkSchedulerOptions(this.name, options, ["tMax", "etaMin"]);
    checkPositiveInt(this.name, "tMax", options.tMax);
    this.tMax = options.tMax;
    this.etaMin = options.etaMin ?? 0;
    this.start(options.lastEpoch);
  }
  protected getLr(): number[] {
    const e = this.lastEpoch, T = this.tMax, m = this.etaMin, groups = this.optimizer.paramGroups;
    if (e === 0) return groups.map((g) => g.lr);
    if (this.stepCount === 1 && e > 0) return this.baseLrs.map((b) => m + ((b - m) * (1 + Math.cos((e * Math.PI) / T))) / 2);
    if ((e - 1 - T) % (2 * T) === 0) return groups.map((g, i) => g.lr + ((this.baseLrs[i]! - m) * (1 - Math.cos(Math.PI / T))) / 2);
    return groups.map((g) => ((1 + Math.cos((Math.PI * e) / T)) / (1 + Math.cos((Math.PI * (e - 1)) / T))) * (g.lr - m) + m);
  }
  protected override closedFormLr(): number[] {
    return this.baseLrs.map((b) => this.etaMin + ((b - this.etaMin) * (1 + Math.cos((Math.PI * this.lastEpoch) / this.tMax))) / 2);
  }
  override stateDict(): SchedulerStateDict {
    return { ...super.stateDict(), T_max: this.tMax, eta_min: this.etaMin };
  }
  override loadStateDict(sd: SchedulerStateDict): void {
    super.loadStateDict(sd);
    this.tMax = take(sd, "T_max", this.tMax);
    this.etaMin = take(sd, "eta_min", this.etaMin);
  }
}
