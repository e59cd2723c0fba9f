/**
 * The reusable part of `examples/architecture-search.ts`: a declared search space over small
 * classifiers (MLPs, optionally tiny CNNs), seeded sampling from it, building an `nn.Sequential`
 * from a sampled configuration, counting its parameters (from the model, and by formula), and
 * successive halving (the inner loop of Hyperband) over an abstract `evaluate(config, budget)`.
 *
 * Nothing here trains anything: the caller's `evaluate` does, so the search itself is tested with
 * synthetic scores (`test/nas.test.ts`).
 *
 *   import { sampleConfigs, buildModel, successiveHalving } from "./nas.js";
 */
import { Generator, type Tensor, nn, optim } from "../src/index.js";
import { TensileError } from "../src/errors.js";

export type ActivationName = "relu" | "gelu" | "tanh" | "silu" | "leakyrelu" | "elu" | "sigmoid";
export type OptimizerName = "sgd" | "adam" | "adamw";
export type Family = "mlp" | "cnn";

/** One optimizer the search may pick, with the range its learning rate is drawn from (log-uniformly). */
export interface OptimizerChoice {
  name: OptimizerName;
  lr: readonly [min: number, max: number];
}

/**
 * What the search may choose. Every list is a set of choices drawn uniformly and independently
 * (the width of each hidden layer and the channels of each conv layer separately); the learning
 * rate is drawn log-uniformly from the chosen optimizer's range.
 */
export interface SearchSpace {
  /** Shape of one input, [channels, height, width]; models take it flattened ([N, C·H·W]). */
  inputShape: readonly [number, number, number];
  numClasses: number;
  /** Model families (default ["mlp"]). */
  families?: readonly Family[];
  /** MLP: number of hidden layers. */
  depths: readonly number[];
  /** MLP: width of a hidden layer. */
  widths: readonly number[];
  activations: readonly ActivationName[];
  /** Dropout after each hidden activation (MLP) or before the classifier (CNN); 0 adds no layer. */
  dropouts: readonly number[];
  optimizers: readonly OptimizerChoice[];
  /** CNN: number of conv → activation → 2×2 max-pool blocks. Required when families include "cnn". */
  convLayers?: readonly number[];
  /** CNN: output channels of a conv layer. */
  channels?: readonly number[];
  /** CNN: kernel size (odd, padded to keep the size before pooling). */
  kernelSizes?: readonly number[];
}

interface CommonConfig {
  activation: ActivationName;
  dropout: number;
  optimizer: OptimizerName;
  lr: number;
}
export interface MlpConfig extends CommonConfig {
  family: "mlp";
  /** Widths of the hidden layers, input side first. */
  hidden: number[];
}
export interface CnnConfig extends CommonConfig {
  family: "cnn";
  /** Output channels of each conv block. */
  channels: number[];
  kernelSize: number;
}
export type ArchConfig = MlpConfig | CnnConfig;

const fail = (op: string, msg: string): never => {
  throw new TensileError(`${op}: ${msg}`);
};

const ACTIVATIONS: Record<ActivationName, () => nn.Module> = {
  relu: () => new nn.ReLU(),
  gelu: () => new nn.GELU(),
  tanh: () => new nn.Tanh(),
  silu: () => new nn.SiLU(),
  leakyrelu: () => new nn.LeakyReLU(0.01),
  elu: () => new nn.ELU(),
  sigmoid: () => new nn.Sigmoid(),
};

function checkChoices<T>(op: string, name: string, list: readonly T[] | undefined, ok: (v: T) => boolean, what: string): void {
  if (!Array.isArray(list)) fail(op, `search space "${name}" must be a list of choices, got ${String(list)}`);
  if (list!.length === 0) fail(op, `search space "${name}" has no choices (an empty list); give at least one`);
  for (const v of list!) if (!ok(v)) fail(op, `search space "${name}" has an invalid choice ${JSON.stringify(v)}: expected ${what}`);
}

const posInt = (v: unknown): boolean => Number.isInteger(v) && (v as number) > 0;

/** Throws a TensileError naming the first problem of `space`: an empty or invalid choice list, a bad range. */
export function validateSpace(space: SearchSpace, op = "validateSpace"): void {
  const [c, h, w] = space.inputShape ?? [];
  if (![c, h, w].every(posInt)) fail(op, `inputShape must be [channels, height, width] of positive integers, got ${JSON.stringify(space.inputShape)}`);
  if (!posInt(space.numClasses)) fail(op, `numClasses must be a positive integer, got ${space.numClasses}`);
  const families = space.families ?? ["mlp"];
  checkChoices(op, "families", families, (f) => f === "mlp" || f === "cnn", `"mlp" or "cnn"`);
  checkChoices(op, "activations", space.activations, (a) => a in ACTIVATIONS, Object.keys(ACTIVATIONS).join(", "));
  checkChoices(op, "dropouts", space.dropouts, (p) => typeof p === "number" && p >= 0 && p < 1, "a probability in [0, 1)");
  checkChoices(op, "optimizers", space.optimizers, (o) => ["sgd", "adam", "adamw"].includes(o?.name), `{ name: "sgd" | "adam" | "adamw", lr: [min, max] }`);
  for (const o of space.optimizers) {
    const [lo, hi] = o.lr ?? [];
    if (!(typeof lo === "number" && typeof hi === "number" && lo > 0 && Number.isFinite(hi) && lo <= hi))
      fail(op, `learning-rate range of "${o.name}" must be [min, max] with 0 < min ≤ max, got ${JSON.stringify(o.lr)}`);
  }
  if (families.includes("mlp")) {
    checkChoices(op, "depths", space.depths, (d) => Number.isInteger(d) && d >= 0, "a non-negative integer number of hidden layers");
    checkChoices(op, "widths", space.widths, posInt, "a positive integer");
  }
  if (families.includes("cnn")) {
    checkChoices(op, "convLayers", space.convLayers, posInt, "a positive integer");
    checkChoices(op, "channels", space.channels, posInt, "a positive integer");
    checkChoices(op, "kernelSizes", space.kernelSizes, (k) => posInt(k) && k % 2 === 1, "an odd positive integer");
    const most = Math.max(...space.convLayers!);
    if (Math.floor(Math.min(h!, w!) / 2 ** most) < 1)
      fail(op, `${most} conv blocks halve a ${h}×${w} input to nothing; use at most ${Math.floor(Math.log2(Math.min(h!, w!)))}`);
  }
}

const pick = <T>(g: Generator, list: readonly T[]): T => list[g.randint(0, list.length)]!;

/** Log-uniform in [lo, hi], rounded to 2 significant digits (printable) and kept inside the range. */
function logUniform(g: Generator, lo: number, hi: number): number {
  const v = Math.exp(Math.log(lo) + g.random() * (Math.log(hi) - Math.log(lo)));
  return Math.min(hi, Math.max(lo, Number(v.toPrecision(2))));
}

/** One configuration drawn from `space` with `g` (same generator state → same configuration). */
export function sampleConfig(space: SearchSpace, g: Generator): ArchConfig {
  validateSpace(space, "sampleConfig");
  const family = pick<Family>(g, space.families ?? ["mlp"]);
  let arch: { family: "mlp"; hidden: number[] } | { family: "cnn"; channels: number[]; kernelSize: number };
  if (family === "mlp") {
    const depth = pick(g, space.depths);
    arch = { family, hidden: Array.from({ length: depth }, () => pick(g, space.widths)) };
  } else {
    const blocks = pick(g, space.convLayers!);
    arch = { family, channels: Array.from({ length: blocks }, () => pick(g, space.channels!)), kernelSize: pick(g, space.kernelSizes!) };
  }
  const activation = pick(g, space.activations);
  const dropout = pick(g, space.dropouts);
  const opt = pick(g, space.optimizers);
  return { ...arch, activation, dropout, optimizer: opt.name, lr: logUniform(g, opt.lr[0], opt.lr[1]) };
}

/** `n` configurations from a generator seeded with `seed` (or the generator given). */
export function sampleConfigs(space: SearchSpace, n: number, seed: number | Generator): ArchConfig[] {
  if (!Number.isInteger(n) || n < 1) fail("sampleConfigs", `n must be a positive integer, got ${n}`);
  const g = typeof seed === "number" ? new Generator(seed) : seed;
  return Array.from({ length: n }, () => sampleConfig(space, g));
}

/** A short, unique description: `mlp 784-256-64-10 gelu drop0.1 adam lr1.2e-3`. */
export function describeConfig(c: ArchConfig, space: Pick<SearchSpace, "inputShape" | "numClasses">): string {
  const tail = `${c.activation}${c.dropout ? ` drop${c.dropout}` : ""} ${c.optimizer} lr${c.lr.toExponential(1)}`;
  if (c.family === "mlp") {
    const dims = [space.inputShape.reduce((a, b) => a * b, 1), ...c.hidden, space.numClasses];
    return `mlp ${dims.join("-")} ${tail}`;
  }
  return `cnn ${c.channels.map((ch) => `c${ch}`).join("-")} k${c.kernelSize} ${tail}`;
}

/**
 * The model a configuration describes, taking flattened inputs [N, C·H·W]:
 * MLP: (Linear → activation [→ Dropout]) per hidden layer, then Linear to the classes;
 * CNN: Unflatten to [N, C, H, W], (Conv2d(k, padding k/2) → activation → MaxPool2d(2)) per block,
 * Flatten [→ Dropout], Linear to the classes.
 */
export function buildModel(c: ArchConfig, space: Pick<SearchSpace, "inputShape" | "numClasses">): nn.Sequential {
  const act = ACTIVATIONS[c.activation] ?? fail("buildModel", `unknown activation "${c.activation}"`);
  const layers: nn.Module[] = [];
  const [C, H, W] = space.inputShape;
  if (c.family === "mlp") {
    let d = C * H * W;
    for (const width of c.hidden) {
      layers.push(new nn.Linear(d, width), act());
      if (c.dropout > 0) layers.push(new nn.Dropout(c.dropout));
      d = width;
    }
    layers.push(new nn.Linear(d, space.numClasses));
  } else {
    layers.push(new nn.Unflatten(1, [C, H, W]));
    let ch = C, h = H, w = W;
    for (const out of c.channels) {
      layers.push(new nn.Conv2d(ch, out, c.kernelSize, { padding: (c.kernelSize - 1) / 2 }), act(), new nn.MaxPool2d(2));
      ch = out;
      h = Math.floor(h / 2);
      w = Math.floor(w / 2);
    }
    layers.push(new nn.Flatten());
    if (c.dropout > 0) layers.push(new nn.Dropout(c.dropout));
    layers.push(new nn.Linear(ch * h * w, space.numClasses));
  }
  return new nn.Sequential(...layers);
}

/** Number of scalar parameters of a model (each parameter once). */
export function countParameters(model: nn.Module): number {
  return model.parameters().reduce((a: number, p: Tensor) => a + p.numel(), 0);
}

/** The parameter count of `buildModel(c, space)`, by formula (weights + biases of each layer). */
export function parameterCount(c: ArchConfig, space: Pick<SearchSpace, "inputShape" | "numClasses">): number {
  const [C, H, W] = space.inputShape;
  const linear = (i: number, o: number) => i * o + o;
  if (c.family === "mlp") {
    const dims = [C * H * W, ...c.hidden, space.numClasses];
    return dims.slice(1).reduce((a, o, i) => a + linear(dims[i]!, o), 0);
  }
  let total = 0, ch = C, h = H, w = W;
  for (const out of c.channels) {
    total += ch * out * c.kernelSize ** 2 + out;
    ch = out;
    h = Math.floor(h / 2);
    w = Math.floor(w / 2);
  }
  return total + linear(ch * h * w, space.numClasses);
}

/** The configured optimizer over `params`: SGD with momentum 0.9, Adam, or AdamW (weight decay 1e-2). */
export function makeOptimizer(c: ArchConfig, params: Iterable<Tensor>): optim.Optimizer {
  const ps = [...params];
  switch (c.optimizer) {
    case "sgd": return new optim.SGD(ps, { lr: c.lr, momentum: 0.9 });
    case "adam": return new optim.Adam(ps, { lr: c.lr });
    case "adamw": return new optim.AdamW(ps, { lr: c.lr });
    default: return fail("makeOptimizer", `unknown optimizer "${String((c as { optimizer: unknown }).optimizer)}"`);
  }
}

// ---------------------------------------------------------------------------------------------
// Successive halving

/** A configuration being searched, with the score of each rung it reached. */
export interface Trial<C> {
  /** Index of the configuration in the list given to `successiveHalving`. */
  id: number;
  config: C;
  /** Score at each rung reached, in order. */
  scores: number[];
  /** Budget of the last evaluation (0 before the first). */
  budget: number;
}

/** What `evaluate` returns: a score (higher is better with `mode: "max"`), or an object holding one and more. */
export type Evaluation = number | { score: number };

export interface EvaluateContext<C> {
  trial: Trial<C>;
  rung: number;
  /** The budget this trial was last evaluated at (0 at its first rung); with `resume`, only the difference is charged. */
  previousBudget: number;
}

export interface RungEntry<C, R> {
  trial: Trial<C>;
  score: number;
  /** What `evaluate` returned. */
  result: R;
  /** Budget charged for this evaluation: the rung's budget, or with `resume` its increase over the trial's last. */
  cost: number;
  /** 1 for the best of the rung. */
  rank: number;
  /** Whether this trial goes on to the next rung (always false on the last rung). */
  promoted: boolean;
}

export interface Rung<C, R> {
  index: number;
  budget: number;
  /** Best first (ties: lower trial id first; NaN scores last). */
  entries: RungEntry<C, R>[];
  cost: number;
}

export interface SuccessiveHalvingOptions<C, R> {
  /** Budget of the first rung (e.g. epochs); rung i gets minBudget·eta^i. */
  minBudget: number;
  /** Keep the best ⌊n/eta⌋ (at least 1) of n at each rung; must be ≥ 2 (default 3). */
  eta?: number;
  /** Number of rungs (default: until a rung holds a single configuration, that rung included). */
  rungs?: number;
  /** `evaluate` continues training from the trial's last budget, so a rung costs budget − previousBudget (default false: from scratch, costs budget). */
  resume?: boolean;
  /** "max" (default): higher scores are better; "min": lower. */
  mode?: "max" | "min";
  /** Called after each rung has been evaluated and ranked. */
  onRung?: (rung: Rung<C, R>, survivors: Trial<C>[]) => void | Promise<void>;
}

export interface SuccessiveHalvingResult<C, R> {
  /** The best trial of the last rung. */
  best: Trial<C>;
  rungs: Rung<C, R>[];
  /** Sum of every evaluation's cost. */
  totalCost: number;
  evaluations: number;
}

/** Number of configurations evaluated at each rung when starting from n (default rung count). */
export function rungSizes(n: number, eta: number, rungs?: number): number[] {
  checkEta("rungSizes", eta);
  if (!Number.isInteger(n) || n < 1) fail("rungSizes", `need at least one configuration, got ${n}`);
  const sizes = [n];
  for (;;) {
    const last = sizes.at(-1)!;
    if (rungs === undefined ? last === 1 : sizes.length >= rungs) break;
    sizes.push(Math.max(1, Math.floor(last / eta)));
  }
  return sizes;
}

function checkEta(op: string, eta: number): void {
  if (typeof eta !== "number" || !Number.isFinite(eta) || eta < 2)
    fail(op, `eta must be a number ≥ 2 (the factor by which each rung cuts the configurations and multiplies the budget), got ${eta}`);
}

/**
 * Successive halving: evaluate every configuration at `minBudget`, keep the best ⌊n/eta⌋ (at least
 * one), evaluate those at eta times the budget, and so on (Jamieson & Talwalkar 2016; one bracket
 * of Hyperband). Evaluations run one at a time, in trial order. A NaN score (a diverged run) ranks
 * last. Returns every rung's ranking, the best trial of the last rung, and the budget spent.
 */
export async function successiveHalving<C, R extends Evaluation>(
  configs: readonly C[],
  evaluate: (config: C, budget: number, ctx: EvaluateContext<C>) => R | Promise<R>,
  opts: SuccessiveHalvingOptions<C, R>,
): Promise<SuccessiveHalvingResult<C, R>> {
  const op = "successiveHalving";
  const eta = opts.eta ?? 3;
  checkEta(op, eta);
  if (!Array.isArray(configs) || configs.length === 0) fail(op, "no configurations to search (an empty list)");
  if (typeof opts.minBudget !== "number" || !(opts.minBudget > 0) || !Number.isFinite(opts.minBudget))
    fail(op, `minBudget must be a positive number, got ${opts.minBudget}`);
  if (opts.rungs !== undefined && !posInt(opts.rungs)) fail(op, `rungs must be a positive integer, got ${opts.rungs}`);
  const sign = (opts.mode ?? "max") === "max" ? 1 : opts.mode === "min" ? -1 : fail(op, `mode must be "max" or "min", got ${String(opts.mode)}`);
  const sizes = rungSizes(configs.length, eta, opts.rungs);

  let alive: Trial<C>[] = configs.map((config, id) => ({ id, config, scores: [], budget: 0 }));
  const rungs: Rung<C, R>[] = [];
  let totalCost = 0, evaluations = 0;
  for (let r = 0; r < sizes.length; r++) {
    const budget = opts.minBudget * eta ** r;
    const entries: RungEntry<C, R>[] = [];
    for (const trial of alive) {
      const previousBudget = trial.budget;
      const result = await evaluate(trial.config, budget, { trial, rung: r, previousBudget });
      const score = typeof result === "number" ? result : result?.score;
      if (typeof score !== "number") fail(op, `evaluate must return a number or { score: number }, got ${String(result)} for trial ${trial.id}`);
      const cost = opts.resume ? budget - previousBudget : budget;
      trial.scores.push(score);
      trial.budget = budget;
      entries.push({ trial, score, result, cost, rank: 0, promoted: false });
      totalCost += cost;
      evaluations++;
    }
    entries.sort((a, b) => {
      const na = Number.isNaN(a.score), nb = Number.isNaN(b.score);
      if (na || nb) return na === nb ? a.trial.id - b.trial.id : na ? 1 : -1;
      return sign * (b.score - a.score) || a.trial.id - b.trial.id;
    });
    const keep = r + 1 < sizes.length ? sizes[r + 1]! : 0;
    entries.forEach((e, i) => {
      e.rank = i + 1;
      e.promoted = i < keep;
    });
    const rung: Rung<C, R> = { index: r, budget, entries, cost: entries.reduce((a, e) => a + e.cost, 0) };
    rungs.push(rung);
    alive = entries.slice(0, keep).map((e) => e.trial);
    await opts.onRung?.(rung, alive);
  }
  return { best: rungs.at(-1)!.entries[0]!.trial, rungs, totalCost, evaluations };
}
