import { TensileError } from "../../errors.js";
import { type Optimizer, fmt } from "../optimizer.js";
import {
  LRScheduler, type SchedulerOptions, type SchedulerStateDict, checkPositiveInt, checkSchedulerOptions, schedulerArgs, perGroup, take,
} from "./base.js";
import type { PositionalArgs } from "../../utils/positional.js";

/**
 * SGDR: cosine annealing with warm restarts (Loshchilov & Hutter, 2016). Within a cycle of length
 * T_i, η = η_min + ½(η_0 − η_min)(1 + cos(π·T_cur/T_i)); at the end of a cycle T_cur returns to 0 and
 * T_i ← T_i·tMult (T_0 = t0). `step(epoch)` accepts fractional epochs for per-batch stepping
 * (`scheduler.step(epoch + i / iters)`). PyTorch's `CosineAnnealingWarmRestarts`.
 */
export class CosineAnnealingWarmRestarts extends LRScheduler {
  t0: number;
  tI: number;
  tMult: number;
  etaMin: number;
  tCur: number;
  constructor(optimizer: Optimizer, options: { t0: number; tMult?: number; etaMin?: number } & SchedulerOptions);
  /** PyTorch's positional order (t0, tMult, etaMin, lastEpoch, verbose), then an optional options object. */
  constructor(optimizer: Optimizer, ...args: PositionalArgs<[t0: number, tMult: number, etaMin: number, lastEpoch: number, verbose: boolean], Partial<{ t0: number; tMult?: number; etaMin?: number }> & SchedulerOptions>);
  constructor(optimizer: Optimizer, ...args: unknown[]) {
    const options = schedulerArgs<{ t0: number; tMult?: number; etaMin?: number } & SchedulerOptions>("CosineAnnealingWarmRestarts", args, ["t0", "tMult", "etaMin"]);
    super("CosineAnnealingWarmRestarts", optimizer, options);
    checkSchedulerOptions(this.name, options, ["t0", "tMult", "etaMin"]);
    checkPositiveInt(this.name, "t0", options.t0);
    const tMult = options.tMult ?? 1;
    if (!Number.isInteger(tMult) || tMult < 1) throw new TensileError(`${this.name}: expected integer tMult >= 1, but got ${fmt(tMult)}`);
    this.t0 = this.tI = options.t0;
    this.tMult = tMult;
    this.etaMin = options.etaMin ?? 0;
    this.tCur = options.lastEpoch ?? -1;
    this.start(options.lastEpoch);
  }

  protected getLr(): number[] {
    return this.baseLrs.map((b) => this.etaMin + ((b - this.etaMin) * (1 + Math.cos((Math.PI * this.tCur) / this.tI))) / 2);
  }

  /** Advances one epoch, or jumps to `epoch` (may be fractional) when given. */
  override step(epoch?: number): void {
    if (epoch === undefined && this.lastEpoch < 0) epoch = 0;
    if (epoch === undefined) {
      epoch = this.lastEpoch + 1;
      this.tCur = this.tCur + 1;
      if (this.tCur >= this.tI) {
        this.tCur = this.tCur - this.tI;
        this.tI = this.tI * this.tMult;
      }
    } else {
      if (!(epoch >= 0)) throw new TensileError(`${this.name}: expected non-negative epoch, but got ${fmt(epoch)}`);
      if (epoch >= this.t0) {
        if (this.tMult === 1) {
          this.tCur = epoch % this.t0;
        } else {
          const n = Math.trunc(Math.log((epoch / this.t0) * (this.tMult - 1) + 1) / Math.log(this.tMult));
          this.tCur = epoch - (this.t0 * (this.tMult ** n - 1)) / (this.tMult - 1);
          this.tI = this.t0 * this.tMult ** n;
        }
      } else {
        this.tI = this.t0;
        this.tCur = epoch;
      }
    }
    this.lastEpoch = Math.floor(epoch);
    this.setLrs(this.getLr());
  }

  override _stepAt(epoch: number): void {
    this.step(epoch);
  }

  override stateDict(): SchedulerStateDict {
    return { ...super.stateDict(), T_0: this.t0, T_i: this.tI, T_mult: this.tMult, eta_min: this.etaMin, T_cur: this.tCur };
  }
  override loadStateDict(sd: SchedulerStateDict): void {
    super.loadStateDict(sd);
    this.t0 = take(sd, "T_0", this.t0);
    this.tI = take(sd, "T_i", this.tI);
    this.tMult = take(sd, "T_mult", this.tMult);
    this.etaMin = take(sd, "eta_min", this.etaMin);
    this.tCur = take(sd, "T_cur", this.tCur);
  }
}

export interface OneCycleLROptions extends SchedulerOptions {
  /** Peak learning rate (one per group, or one for all). */
  maxLr: number | number[];
  /** Number of steps in the cycle; or give `epochs` and `stepsPerEpoch`. */
  totalSteps?: number;
  epochs?: number;
  stepsPerEpoch?: number;
  /** Fraction of the cycle spent increasing the lr (default 0.3). */
  pctStart?: number;
  /** "cos" (default) or "linear". */
  annealStrategy?: "cos" | "linear";
  /** Cycle momentum (SGD's `momentum`, Adam's β1) inversely to the lr (default true). */
  cycleMomentum?: boolean;
  baseMomentum?: number | number[];
  maxMomentum?: number | number[];
  /** initial lr = maxLr / divFactor (default 25). */
  divFactor?: number;
  /** minimum lr = initial lr / finalDivFactor (default 1e4). */
  finalDivFactor?: number;
  /** Three phases (up, down to the initial lr, annihilate), as the original paper; default false (fastai's two). */
  threePhase?: boolean;
}

interface Phase {
  end_step: number;
  start_lr: "initialLr" | "maxLr" | "minLr";
  end_lr: "initialLr" | "maxLr" | "minLr";
  start_momentum: "maxMomentum" | "baseMomentum";
  end_momentum: "maxMomentum" | "baseMomentum";
}

const ONE_CYCLE_OPTIONS = ["maxLr", "totalSteps", "epochs", "stepsPerEpoch", "pctStart", "annealStrategy", "cycleMomentum",
  "baseMomentum", "maxMomentum", "divFactor", "finalDivFactor", "threePhase"] as const;

/**
 * The 1cycle policy (Smith & Topin, 2017): the lr rises from maxLr/divFactor to maxLr over
 * pctStart of the steps, then anneals to initial/finalDivFactor (with momentum cycled the other
 * way); each phase interpolates with `cos` (½(1 + cos πp) weights) or linearly in the fraction p
 * of the phase done. Step it once per batch. PyTorch's `OneCycleLR`; it keeps `initialLr`, `maxLr`,
 * `minLr` (and `maxMomentum`, `baseMomentum`) in each param group.
 */
export class OneCycleLR extends LRScheduler {
  totalSteps: number;
  annealStrategy: "cos" | "linear";
  cycleMomentum: boolean;
  useBeta1 = false;
  private schedulePhases: Phase[];

  constructor(optimizer: Optimizer, options: OneCycleLROptions);
  /** PyTorch's positional order (maxLr, totalSteps, epochs, stepsPerEpoch, pctStart, annealStrategy, cycleMomentum, baseMomentum, maxMomentum, divFactor, finalDivFactor, threePhase, lastEpoch, verbose), then an optional options object. */
  constructor(optimizer: Optimizer, ...args: PositionalArgs<[maxLr: number | number[], totalSteps: number, epochs: number, stepsPerEpoch: number, pctStart: number, annealStrategy: "cos" | "linear", cycleMomentum: boolean, baseMomentum: number | number[], maxMomentum: number | number[], divFactor: number, finalDivFactor: number, threePhase: boolean, lastEpoch: number, verbose: boolean], Partial<OneCycleLROptions>>);
  constructor(optimizer: Optimizer, ...args: unknown[]) {
    const options = schedulerArgs<OneCycleLROptions>("OneCycleLR", args, ["maxLr", "totalSteps", "epochs", "stepsPerEpoch", "pctStart", "annealStrategy", "cycleMomentum", "baseMomentum", "maxMomentum", "divFactor", "finalDivFactor", "threePhase"]);
    super("OneCycleLR", optimizer, options);
    checkSchedulerOptions(this.name, options, ONE_CYCLE_OPTIONS);
    const { totalSteps, epochs, stepsPerEpoch } = options;
    if (totalSteps === undefined && epochs === undefined && stepsPerEpoch === undefined)
      throw new TensileError(`${this.name}: you must define either totalSteps OR (epochs AND stepsPerEpoch)`);
    if (totalSteps !== undefined) {
      checkPositiveInt(this.name, "totalSteps", totalSteps);
      this.totalSteps = totalSteps;
    } else {
      checkPositiveInt(this.name, "epochs", epochs);
      checkPositiveInt(this.name, "stepsPerEpoch", stepsPerEpoch);
      this.totalSteps = epochs * stepsPerEpoch;
    }
    const pct = options.pctStart ?? 0.3;
    const T = this.totalSteps;
    this.schedulePhases = options.threePhase
      ? [
          { end_step: pct * T - 1, start_lr: "initialLr", end_lr: "maxLr", start_momentum: "maxMomentum", end_momentum: "baseMomentum" },
          { end_step: 2 * pct * T - 2, start_lr: "maxLr", end_lr: "initialLr", start_momentum: "baseMomentum", end_momentum: "maxMomentum" },
          { end_step: T - 1, start_lr: "initialLr", end_lr: "minLr", start_momentum: "maxMomentum", end_momentum: "maxMomentum" },
        ]
      : [
          { end_step: pct * T - 1, start_lr: "initialLr", end_lr: "maxLr", start_momentum: "maxMomentum", end_momentum: "baseMomentum" },
          { end_step: T - 1, start_lr: "maxLr", end_lr: "minLr", start_momentum: "baseMomentum", end_momentum: "maxMomentum" },
        ];
    if (typeof pct !== "number" || !(pct >= 0 && pct <= 1))
      throw new TensileError(`${this.name}: expected float between 0 and 1 pctStart, but got ${fmt(pct)}`);
    const strategy = options.annealStrategy ?? "cos";
    if (strategy !== "cos" && strategy !== "linear")
      throw new TensileError(`${this.name}: annealStrategy must be one of "cos" or "linear", instead got ${fmt(strategy)}`);
    this.annealStrategy = strategy;

    const lastEpoch = options.lastEpoch ?? -1;
    const groups = optimizer.paramGroups;
    const maxLrs = perGroup(this.name, "maxLr", optimizer, options.maxLr);
    const divFactor = options.divFactor ?? 25, finalDivFactor = options.finalDivFactor ?? 1e4;
    if (lastEpoch === -1) {
      groups.forEach((g, i) => {
        g.initialLr = maxLrs[i]! / divFactor;
        g.maxLr = maxLrs[i]!;
        g.minLr = g.initialLr / finalDivFactor;
      });
    }
    this.cycleMomentum = options.cycleMomentum ?? true;
    if (this.cycleMomentum) {
      if (!("momentum" in optimizer.defaults) && !("betas" in optimizer.defaults))
        throw new TensileError(`${this.name}: optimizer must support momentum with \`cycleMomentum\` option enabled`);
      this.useBeta1 = "betas" in optimizer.defaults;
      const maxM = perGroup(this.name, "maxMomentum", optimizer, options.maxMomentum ?? 0.95);
      const baseM = perGroup(this.name, "baseMomentum", optimizer, options.baseMomentum ?? 0.85);
      if (lastEpoch === -1) {
        groups.forEach((g, i) => {
          if (this.useBeta1) g.betas = [maxM[i]!, g.betas![1]];
          else g.momentum = maxM[i]!;
          g.maxMomentum = maxM[i]!;
          g.baseMomentum = baseM[i]!;
        });
      }
    }
    this.start(lastEpoch);
  }

  private anneal(start: number, end: number, pct: number): number {
    if (this.annealStrategy === "cos") return end + ((start - end) / 2.0) * (Math.cos(Math.PI * pct) + 1);
    return (end - start) * pct + start;
  }

  protected getLr(): number[] {
    const stepNum = this.lastEpoch;
    if (stepNum > this.totalSteps)
      throw new TensileError(`${this.name}: tried to step ${stepNum + 1} times. The specified number of total steps is ${this.totalSteps}`);
    return this.optimizer.paramGroups.map((g) => {
      let startStep = 0, lr = 0, momentum = 0;
      const phases = this.schedulePhases;
      for (let i = 0; i < phases.length; i++) {
        const ph = phases[i]!;
        if (stepNum <= ph.end_step || i === phases.length - 1) {
          const pct = (stepNum - startStep) / (ph.end_step - startStep);
          lr = this.anneal(g[ph.start_lr] as number, g[ph.end_lr] as number, pct);
          if (this.cycleMomentum) momentum = this.anneal(g[ph.start_momentum] as number, g[ph.end_momentum] as number, pct);
          break;
        }
        startStep = ph.end_step;
      }
      if (this.cycleMomentum) {
        if (this.useBeta1) g.betas = [momentum, g.betas![1]];
        else g.momentum = momentum;
      }
      return lr;
    });
  }

  override stateDict(): SchedulerStateDict {
    const phases = this.schedulePhases.map((p) => ({
      end_step: p.end_step, start_lr: snakeKey(p.start_lr), end_lr: snakeKey(p.end_lr),
      start_momentum: snakeKey(p.start_momentum), end_momentum: snakeKey(p.end_momentum),
    }));
    return {
      ...super.stateDict(), total_steps: this.totalSteps, _schedule_phases: phases, anneal_strategy: this.annealStrategy,
      cycle_momentum: this.cycleMomentum, ...(this.cycleMomentum ? { use_beta1: this.useBeta1 } : {}),
    };
  }
  override loadStateDict(sd: SchedulerStateDict): void {
    super.loadStateDict(sd);
    this.totalSteps = take(sd, "total_steps", this.totalSteps);
    this.annealStrategy = take(sd, "anneal_strategy", this.annealStrategy);
    this.cycleMomentum = take(sd, "cycle_momentum", this.cycleMomentum);
    this.useBeta1 = take(sd, "use_beta1", this.useBeta1);
    const phases = take<Array<Record<string, unknown>> | undefined>(sd, "_schedule_phases", undefined);
    if (phases !== undefined) {
      this.schedulePhases = phases.map((p) => ({
        end_step: p.end_step as number, start_lr: camelKey(p.start_lr), end_lr: camelKey(p.end_lr),
        start_momentum: camelKey(p.start_momentum), end_momentum: camelKey(p.end_momentum),
      })) as Phase[];
    }
  }
}

export interface CyclicLROptions extends SchedulerOptions {
  /** Lower lr bound of the cycle (one per group, or one for all); it replaces the groups' lr. */
  baseLr: number | number[];
  /** Upper lr bound (one per group, or one for all). */
  maxLr: number | number[];
  /** Steps in the increasing half of a cycle (default 2000). */
  stepSizeUp?: number;
  /** Steps in the decreasing half (default stepSizeUp). */
  stepSizeDown?: number;
  /** "triangular" (default), "triangular2" (amplitude halves every cycle) or "exp_range" (amplitude γ^iteration). */
  mode?: "triangular" | "triangular2" | "exp_range";
  /** γ of "exp_range" (default 1). */
  gamma?: number;
  /** Custom amplitude scaling in [0, 1]; overrides `mode`. */
  scaleFn?: (x: number) => number;
  /** What `scaleFn` receives: "cycle" number (default) or "iterations". */
  scaleMode?: "cycle" | "iterations";
  /** Cycle SGD's momentum inversely to the lr (default true). */
  cycleMomentum?: boolean;
  baseMomentum?: number | number[];
  maxMomentum?: number | number[];
}

const CYCLIC_OPTIONS = ["baseLr", "maxLr", "stepSizeUp", "stepSizeDown", "mode", "gamma", "scaleFn", "scaleMode", "cycleMomentum",
  "baseMomentum", "maxMomentum"] as const;

/**
 * Cyclical learning rate (Smith, 2015): the lr goes linearly from baseLr up to maxLr over
 * stepSizeUp steps and back down over stepSizeDown, the amplitude scaled per cycle ("triangular":
 * 1, "triangular2": 1/2^(cycle−1)) or per iteration ("exp_range": γ^t). Step it once per batch.
 * PyTorch's `CyclicLR`.
 */
export class CyclicLR extends LRScheduler {
  maxLrs: number[];
  totalSize: number;
  stepRatio: number;
  mode: "triangular" | "triangular2" | "exp_range";
  gamma: number;
  scaleMode: "cycle" | "iterations";
  cycleMomentum: boolean;
  baseMomentums: number[] = [];
  maxMomentums: number[] = [];
  private scaleFnCustom: ((x: number) => number) | null;

  constructor(optimizer: Optimizer, options: CyclicLROptions);
  /** PyTorch's positional order (baseLr, maxLr, stepSizeUp, stepSizeDown, mode, gamma, scaleFn, scaleMode, cycleMomentum, baseMomentum, maxMomentum, lastEpoch, verbose), then an optional options object. */
  constructor(optimizer: Optimizer, ...args: PositionalArgs<[baseLr: number | number[], maxLr: number | number[], stepSizeUp: number, stepSizeDown: number, mode: "triangular" | "triangular2" | "exp_range", gamma: number, scaleFn: (x: number) => number, scaleMode: "cycle" | "iterations", cycleMomentum: boolean, baseMomentum: number | number[], maxMomentum: number | number[], lastEpoch: number, verbose: boolean], Partial<CyclicLROptions>>);
  constructor(optimizer: Optimizer, ...args: unknown[]) {
    const options = schedulerArgs<CyclicLROptions>("CyclicLR", args, ["baseLr", "maxLr", "stepSizeUp", "stepSizeDown", "mode", "gamma", "scaleFn", "scaleMode", "cycleMomentum", "baseMomentum", "maxMomentum"]);
    super("CyclicLR", optimizer, options);
    checkSchedulerOptions(this.name, options, CYCLIC_OPTIONS);
    const lastEpoch = options.lastEpoch ?? -1;
    const baseLrs = perGroup(this.name, "baseLr", optimizer, options.baseLr);
    if (lastEpoch === -1) optimizer.paramGroups.forEach((g, i) => (g.lr = baseLrs[i]!));
    this.maxLrs = perGroup(this.name, "maxLr", optimizer, options.maxLr);
    const up = options.stepSizeUp ?? 2000;
    const down = options.stepSizeDown ?? up;
    checkPositiveInt(this.name, "stepSizeUp", up);
    checkPositiveInt(this.name, "stepSizeDown", down);
    this.totalSize = up + down;
    this.stepRatio = up / this.totalSize;
    this.mode = options.mode ?? "triangular";
    if (!["triangular", "triangular2", "exp_range"].includes(this.mode) && options.scaleFn === undefined)
      throw new TensileError(`${this.name}: mode ${fmt(this.mode)} is invalid and scaleFn is undefined`);
    this.gamma = options.gamma ?? 1.0;
    this.scaleFnCustom = options.scaleFn ?? null;
    this.scaleMode = options.scaleFn ? (options.scaleMode ?? "cycle") : this.mode === "exp_range" ? "iterations" : "cycle";
    this.cycleMomentum = options.cycleMomentum ?? true;
    if (this.cycleMomentum) {
      if (!("momentum" in optimizer.defaults))
        throw new TensileError(`${this.name}: optimizer must support momentum with \`cycleMomentum\` option enabled`);
      const baseM = perGroup(this.name, "baseMomentum", optimizer, options.baseMomentum ?? 0.8);
      if (lastEpoch === -1) optimizer.paramGroups.forEach((g, i) => (g.momentum = baseM[i]!));
      this.baseMomentums = optimizer.paramGroups.map((g) => g.momentum!);
      this.maxMomentums = perGroup(this.name, "maxMomentum", optimizer, options.maxMomentum ?? 0.9);
    }
    this.start(lastEpoch);
    this.baseLrs = baseLrs;
  }

  private scaleFn(x: number): number {
    if (this.scaleFnCustom) return this.scaleFnCustom(x);
    if (this.mode === "triangular") return 1;
    if (this.mode === "triangular2") return 1 / 2 ** (x - 1);
    return this.gamma ** x;
  }

  protected getLr(): number[] {
    const cycle = Math.floor(1 + this.lastEpoch / this.totalSize);
    const x = 1 + this.lastEpoch / this.totalSize - cycle;
    const scaleFactor = x <= this.stepRatio ? x / this.stepRatio : (x - 1) / (this.stepRatio - 1);
    const arg = this.scaleMode === "cycle" ? cycle : this.lastEpoch;
    const lrs = this.baseLrs.map((b, i) => b + (this.maxLrs[i]! - b) * scaleFactor * this.scaleFn(arg));
    if (this.cycleMomentum) {
      this.optimizer.paramGroups.forEach((g, i) => {
        const baseHeight = (this.maxMomentums[i]! - this.baseMomentums[i]!) * scaleFactor;
        g.momentum = this.maxMomentums[i]! - baseHeight * this.scaleFn(arg);
      });
    }
    return lrs;
  }

  override stateDict(): SchedulerStateDict {
    return {
      ...super.stateDict(), max_lrs: [...this.maxLrs], total_size: this.totalSize, step_ratio: this.stepRatio, mode: this.mode,
      gamma: this.gamma, scale_mode: this.scaleMode, cycle_momentum: this.cycleMomentum,
      ...(this.cycleMomentum ? { base_momentums: [...this.baseMomentums], max_momentums: [...this.maxMomentums] } : {}),
    };
  }
  override loadStateDict(sd: SchedulerStateDict): void {
    super.loadStateDict(sd);
    this.maxLrs = take(sd, "max_lrs", this.maxLrs);
    this.totalSize = take(sd, "total_size", this.totalSize);
    this.stepRatio = take(sd, "step_ratio", this.stepRatio);
    this.mode = take(sd, "mode", this.mode);
    this.gamma = take(sd, "gamma", this.gamma);
    this.scaleMode = take(sd, "scale_mode", this.scaleMode);
    this.cycleMomentum = take(sd, "cycle_momentum", this.cycleMomentum);
    this.baseMomentums = take(sd, "base_momentums", this.baseMomentums);
    this.maxMomentums = take(sd, "max_momentums", this.maxMomentums);
  }
}

const snakeKey = (k: string): string => k.replace(/[A-Z]/g, (c) => "_" + c.toLowerCase());
const camelKey = (k: unknown): string => String(k).replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
