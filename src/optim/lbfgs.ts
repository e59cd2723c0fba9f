import { Tensor, TensileError, cat, enableGrad, noGrad, tensor, zeros } from "../core.js";
import { type ParamGroup, type Params, type StateValue, type OptimizerStateDict, Optimizer, checkNonNegative, checkOptionNames, fmt } from "./optimizer.js";
import { type WithOptions, positionalOptions } from "../utils/positional.js";

export interface LBFGSOptions {
  /** Learning rate: the step length (the line search's first trial step with `"strong_wolfe"`) (default 1). */
  lr?: number;
  /** Maximal number of iterations per `step` (default 20). */
  maxIter?: number;
  /** Maximal number of closure evaluations per `step` (default ⌊maxIter·5/4⌋; `null` means that default). */
  maxEval?: number | null;
  /** Termination tolerance on first-order optimality: the largest |gradient| (default 1e-7). */
  toleranceGrad?: number;
  /** Termination tolerance on function value and parameter changes (default 1e-9). */
  toleranceChange?: number;
  /** Number of past updates kept (default 100). */
  historySize?: number;
  /** `"strong_wolfe"` for a line search satisfying the strong Wolfe conditions, `null` (default) for fixed steps. */
  lineSearchFn?: "strong_wolfe" | null;
}

export interface LBFGSParamGroup extends ParamGroup {
  maxIter: number; maxEval: number; toleranceGrad: number; toleranceChange: number; historySize: number;
  lineSearchFn: "strong_wolfe" | null;
}

const OPTIONS = ["lr", "maxIter", "maxEval", "toleranceGrad", "toleranceChange", "historySize", "lineSearchFn"] as const;

function validate(o: Record<string, unknown>): void {
  checkNonNegative("LBFGS", "learning rate", o.lr);
  for (const k of ["maxIter", "maxEval", "historySize"] as const) {
    const v = o[k];
    if (typeof v !== "number" || !Number.isInteger(v) || v < 1) throw new TensileError(`LBFGS: invalid ${k} value: ${fmt(v)} (a positive integer expected)`);
  }
  checkNonNegative("LBFGS", "toleranceGrad value", o.toleranceGrad);
  checkNonNegative("LBFGS", "toleranceChange value", o.toleranceChange);
  if (o.lineSearchFn !== null && o.lineSearchFn !== "strong_wolfe")
    throw new TensileError(`LBFGS: only 'strong_wolfe' is supported as lineSearchFn, got ${fmt(o.lineSearchFn)}`);
}

/** What LBFGS keeps (on its first parameter, as PyTorch) between calls of `step`. */
export interface LBFGSState {
  funcEvals: number;
  nIter: number;
  d?: Tensor;
  t?: number;
  oldDirs?: Tensor[];
  oldStps?: Tensor[];
  ro?: number[];
  hDiag?: number;
  prevFlatGrad?: Tensor | null;
  prevLoss?: number;
  al?: (number | null)[];
}

type Closure<L> = () => L;

/** Flat-state keys that hold one flat vector (all parameters) or lists of them, as PyTorch's. */
const FLAT_KEYS = new Set(["d", "prev_flat_grad"]);
const LIST_KEYS = new Set(["old_dirs", "old_stps"]);
const NUMBER_LIST_KEYS = new Set(["ro", "al"]);

/**
 * L-BFGS (PyTorch's `torch.optim.LBFGS`, after Mark Schmidt's minFunc): a quasi-Newton method that
 * approximates the inverse Hessian from the last `historySize` gradient and step differences. Each
 * `step(closure)` runs up to `maxIter` iterations, calling `closure` (which must zero the grads,
 * compute the loss, call `backward` and return the loss) whenever it needs the loss and gradient;
 * it returns the closure's first result. The closure may be async: `step` then returns a Promise.
 *
 * ```ts
 * const optimizer = new optim.LBFGS(model.parameters(), { lineSearchFn: "strong_wolfe" });
 * const closure = () => {
 *   optimizer.zeroGrad();
 *   const loss = criterion.forward(model.forward(x), y);
 *   loss.backward();
 *   return loss;
 * };
 * for (let i = 0; i < 10; i++) optimizer.step(closure);
 * ```
 * As in PyTorch: one param group only; all state is global and kept on the first parameter
 * (`funcEvals`, `nIter`, `d`, `t`, `oldDirs`, `oldStps`, `ro`, `hDiag` (PyTorch's `H_diag`),
 * `prevFlatGrad`, `prevLoss`, `al`); the scalars PyTorch keeps as 0-d tensors are numbers here.
 */
export class LBFGS extends Optimizer<LBFGSParamGroup> {
  constructor(params: Params<LBFGSOptions>, options?: LBFGSOptions);
  /** PyTorch's positional order (lr, maxIter, maxEval, toleranceGrad, toleranceChange, historySize, lineSearchFn), then an optional options object. */
  constructor(params: Params<LBFGSOptions>, ...args: WithOptions<[lr: number, maxIter: number, maxEval: number | null, toleranceGrad: number, toleranceChange: number, historySize: number, lineSearchFn: "strong_wolfe" | null], LBFGSOptions>);
  constructor(params: Params<LBFGSOptions>, ...args: unknown[]) {
    const options = positionalOptions<LBFGSOptions>("LBFGS", args, { keys: ["lr", "maxIter", "maxEval", "toleranceGrad", "toleranceChange", "historySize", "lineSearchFn"], after: "params" });
    checkOptionNames("LBFGS", options, OPTIONS);
    const maxIter = options.maxIter ?? 20;
    const defaults = {
      lr: options.lr ?? 1, maxIter,
      maxEval: options.maxEval ?? (typeof maxIter === "number" ? Math.floor((maxIter * 5) / 4) : maxIter),
      toleranceGrad: options.toleranceGrad ?? 1e-7, toleranceChange: options.toleranceChange ?? 1e-9,
      historySize: options.historySize ?? 100, lineSearchFn: options.lineSearchFn ?? null,
    };
    validate(defaults);
    super("LBFGS", params, defaults);
  }

  protected validateGroup(group: Record<string, unknown>): void {
    if (group.maxEval === null && typeof group.maxIter === "number") group.maxEval = Math.floor((group.maxIter * 5) / 4);
    validate(group);
  }

  override addParamGroup(group: { params: Iterable<Tensor> | Tensor; [option: string]: unknown }): void {
    if (this.paramGroups.length > 0) throw new TensileError("LBFGS: LBFGS doesn't support per-parameter options (parameter groups)");
    super.addParamGroup(group);
  }

  protected updateGroup(): void {
    throw new TensileError("LBFGS.step: a closure that re-evaluates the model and returns the loss is required");
  }

  /**
   * Runs up to `maxIter` iterations, evaluating `closure` (zeroGrad, forward, backward, return the
   * loss as a Tensor or a number) as often as needed, with grad mode on. Returns the closure's
   * first result; with an async closure, a Promise of it.
   */
  override step<L = Tensor>(closure?: Closure<L>): L {
    if (typeof closure !== "function")
      throw new TensileError(`LBFGS.step: a closure that re-evaluates the model and returns the loss is required, got ${fmt(closure)}`);
    const run = this.#run();
    let first: { value: L } | null = null;
    let input = 0;
    for (;;) {
      const r = noGrad(() => run.next(input));
      if (r.done) return first!.value;
      const out = enableGrad(closure);
      if (isThenable(out)) return this.#stepAsync(run, closure, out, first === null) as L;
      first ??= { value: out };
      input = lossValue(out);
    }
  }

  /** The rest of `step` once the closure turned out to be async; resolves to the closure's first loss. */
  async #stepAsync(run: Generator<undefined, void, number>, closure: () => unknown, pending: PromiseLike<unknown>, isFirst: boolean): Promise<unknown> {
    let first: unknown;
    let out: unknown = pending;
    for (;;) {
      const v = await out;
      if (isFirst) {
        first = v;
        isFirst = false;
      }
      const r = noGrad(() => run.next(lossValue(v)));
      if (r.done) return first;
      out = enableGrad(closure);
    }
  }

  get #params(): Tensor[] {
    return this.paramGroups[0]!.params;
  }

  #gatherFlatGrad(): Tensor {
    const views = this.#params.map((p) => {
      const g = p._peekGrad();
      return g === null ? zeros([p.numel()], { dtype: p.dtype }) : g.reshape([p.numel()]);
    });
    return views.length === 1 ? views[0]!.clone() : cat(views, 0);
  }

  #addGrad(stepSize: number, update: Tensor): void {
    let offset = 0;
    for (const p of this.#params) {
      const n = p.numel();
      p.add_(update.narrow(0, offset, n).reshape(p.shape), { alpha: stepSize });
      offset += n;
    }
  }

  #cloneParam(): Tensor[] {
    return this.#params.map((p) => p.clone());
  }

  #setParam(data: Tensor[]): void {
    this.#params.forEach((p, i) => p.copy_(data[i]!));
  }

  /** One closure evaluation at x + t·d; restores the parameters to x. Yields to get the loss. */
  *#directionalEvaluate(x: Tensor[], t: number, d: Tensor): Generator<undefined, [number, Tensor], number> {
    this.#addGrad(t, d);
    const loss = yield;
    const flatGrad = this.#gatherFlatGrad();
    this.#setParam(x);
    return [loss, flatGrad];
  }

  /** The algorithm; each `yield` asks the driver for one closure evaluation, whose loss comes back. */
  *#run(): Generator<undefined, void, number> {
    const group = this.paramGroups[0]!;
    const { lr, maxIter, maxEval, toleranceGrad, toleranceChange, lineSearchFn, historySize } = group;
    const state = this.stateOf(this.#params[0]!) as unknown as LBFGSState;
    state.funcEvals ??= 0;
    state.nIter ??= 0;

    let loss = yield;
    let currentEvals = 1;
    state.funcEvals += 1;
    let flatGrad = this.#gatherFlatGrad();
    let optCond = flatGrad.abs().max().item() <= toleranceGrad;
    if (optCond) return;

    let d = state.d;
    let t = state.t;
    let oldDirs = state.oldDirs;
    let oldStps = state.oldStps;
    let ro = state.ro;
    let hDiag = state.hDiag;
    let prevFlatGrad = state.prevFlatGrad ?? null;
    let prevLoss = state.prevLoss;

    let nIter = 0;
    while (nIter < maxIter) {
      nIter++;
      state.nIter++;

      // gradient descent direction
      if (state.nIter === 1) {
        d = flatGrad.neg();
        oldDirs = [];
        oldStps = [];
        ro = [];
        hDiag = 1;
      } else {
        const y = flatGrad.sub(prevFlatGrad!);
        const s = d!.mul(t!);
        const ys = y.dot(s).item();
        if (ys > 1e-10) {
          if (oldDirs!.length === historySize) {
            oldDirs!.shift();
            oldStps!.shift();
            ro!.shift();
          }
          oldDirs!.push(y);
          oldStps!.push(s);
          ro!.push(1 / ys);
          hDiag = ys / y.dot(y).item();
        }
        const numOld = oldDirs!.length;
        state.al ??= new Array<number | null>(historySize).fill(null);
        const al = state.al;
        const q = flatGrad.neg();
        for (let i = numOld - 1; i >= 0; i--) {
          al[i] = oldStps![i]!.dot(q).item() * ro![i]!;
          q.add_(oldDirs![i]!, { alpha: -al[i]! });
        }
        const r = q.mul(hDiag!);
        for (let i = 0; i < numOld; i++) {
          const be = oldDirs![i]!.dot(r).item() * ro![i]!;
          r.add_(oldStps![i]!, { alpha: al[i]! - be });
        }
        d = r;
      }
      if (prevFlatGrad === null) prevFlatGrad = flatGrad.clone();
      else prevFlatGrad.copy_(flatGrad);
      prevLoss = loss;

      // step length
      t = state.nIter === 1 ? Math.min(1, 1 / flatGrad.abs().sum().item()) * lr : lr;
      const gtd = flatGrad.dot(d!).item();
      if (gtd > -toleranceChange) break;

      let lsFuncEvals = 0;
      if (lineSearchFn !== null) {
        const xInit = this.#cloneParam();
        [loss, flatGrad, t, lsFuncEvals] = yield* this.#strongWolfe(xInit, t, d!, loss, flatGrad, gtd, toleranceChange);
        this.#addGrad(t, d!);
        optCond = flatGrad.abs().max().item() <= toleranceGrad;
      } else {
        this.#addGrad(t, d!);
        if (nIter !== maxIter) {
          // Re-evaluate only if not in the last iteration (in a stochastic setting it would be wasted).
          loss = yield;
          flatGrad = this.#gatherFlatGrad();
          optCond = flatGrad.abs().max().item() <= toleranceGrad;
          lsFuncEvals = 1;
        }
      }
      currentEvals += lsFuncEvals;
      state.funcEvals += lsFuncEvals;

      // stopping conditions
      if (nIter === maxIter) break;
      if (currentEvals >= maxEval) break;
      if (optCond) break;
      if (d!.mul(t).abs().max().item() <= toleranceChange) break; // lack of progress
      if (Math.abs(loss - prevLoss) < toleranceChange) break;
    }

    state.d = d;
    state.t = t;
    state.oldDirs = oldDirs;
    state.oldStps = oldStps;
    state.ro = ro;
    state.hDiag = hDiag;
    state.prevFlatGrad = prevFlatGrad;
    state.prevLoss = prevLoss;
  }

  /** PyTorch's `_strong_wolfe` (from torch/optim's lswolfe.lua): bracketing, then zoom by cubic interpolation. */
  *#strongWolfe(
    x: Tensor[], t: number, d: Tensor, f: number, g: Tensor, gtd: number, toleranceChange: number,
  ): Generator<undefined, [number, Tensor, number, number], number> {
    const c1 = 1e-4, c2 = 0.9, maxLs = 25;
    const dNorm = d.abs().max().item();
    g = g.clone();
    let [fNew, gNew] = yield* this.#directionalEvaluate(x, t, d);
    let lsFuncEvals = 1;
    let gtdNew = gNew.dot(d).item();

    let tPrev = 0, fPrev = f, gPrev = g, gtdPrev = gtd;
    let done = false;
    let lsIter = 0;
    let bracket: number[] = [], bracketF: number[] = [], bracketG: Tensor[] = [], bracketGtd: number[] = [];
    while (lsIter < maxLs) {
      if (fNew > f + c1 * t * gtd || (lsIter > 1 && fNew >= fPrev)) {
        bracket = [tPrev, t]; bracketF = [fPrev, fNew]; bracketG = [gPrev, gNew.clone()]; bracketGtd = [gtdPrev, gtdNew];
        break;
      }
      if (Math.abs(gtdNew) <= -c2 * gtd) {
        bracket = [t]; bracketF = [fNew]; bracketG = [gNew];
        done = true;
        break;
      }
      if (gtdNew >= 0) {
        bracket = [tPrev, t]; bracketF = [fPrev, fNew]; bracketG = [gPrev, gNew.clone()]; bracketGtd = [gtdPrev, gtdNew];
        break;
      }
      // interpolate
      const minStep = t + 0.01 * (t - tPrev);
      const maxStep = t * 10;
      const tmp = t;
      t = cubicInterpolate(tPrev, fPrev, gtdPrev, t, fNew, gtdNew, [minStep, maxStep]);
      tPrev = tmp;
      fPrev = fNew;
      gPrev = gNew.clone();
      gtdPrev = gtdNew;
      [fNew, gNew] = yield* this.#directionalEvaluate(x, t, d);
      lsFuncEvals++;
      gtdNew = gNew.dot(d).item();
      lsIter++;
    }
    if (lsIter === maxLs) {
      bracket = [0, t]; bracketF = [f, fNew]; bracketG = [g, gNew];
    }

    // zoom: refine the bracket until a point satisfies the criteria
    let insufProgress = false;
    let [lowPos, highPos] = bracketF[0]! <= bracketF[bracketF.length - 1]! ? [0, 1] : [1, 0];
    while (!done && lsIter < maxLs) {
      if (Math.abs(bracket[1]! - bracket[0]!) * dNorm < toleranceChange) break;
      t = cubicInterpolate(bracket[0]!, bracketF[0]!, bracketGtd[0]!, bracket[1]!, bracketF[1]!, bracketGtd[1]!);
      // Too close to a boundary: when progress was already insufficient or t is at a boundary,
      // move t to 0.1·(bracket length) from the nearest end.
      const hi = Math.max(...bracket), lo = Math.min(...bracket);
      const eps = 0.1 * (hi - lo);
      if (Math.min(hi - t, t - lo) < eps) {
        if (insufProgress || t >= hi || t <= lo) {
          t = Math.abs(t - hi) < Math.abs(t - lo) ? hi - eps : lo + eps;
          insufProgress = false;
        } else {
          insufProgress = true;
        }
      } else {
        insufProgress = false;
      }
      [fNew, gNew] = yield* this.#directionalEvaluate(x, t, d);
      lsFuncEvals++;
      gtdNew = gNew.dot(d).item();
      lsIter++;
      if (fNew > f + c1 * t * gtd || fNew >= bracketF[lowPos]!) {
        // Armijo condition not met, or not lower than the lowest point
        bracket[highPos] = t; bracketF[highPos] = fNew; bracketG[highPos] = gNew.clone(); bracketGtd[highPos] = gtdNew;
        [lowPos, highPos] = bracketF[0]! <= bracketF[1]! ? [0, 1] : [1, 0];
      } else {
        if (Math.abs(gtdNew) <= -c2 * gtd) {
          done = true; // Wolfe conditions met
        } else if (gtdNew * (bracket[highPos]! - bracket[lowPos]!) >= 0) {
          // old high becomes new low
          bracket[highPos] = bracket[lowPos]!; bracketF[highPos] = bracketF[lowPos]!;
          bracketG[highPos] = bracketG[lowPos]!; bracketGtd[highPos] = bracketGtd[lowPos]!;
        }
        bracket[lowPos] = t; bracketF[lowPos] = fNew; bracketG[lowPos] = gNew.clone(); bracketGtd[lowPos] = gtdNew;
      }
    }
    return [bracketF[lowPos]!, bracketG[lowPos]!, bracket[lowPos]!, lsFuncEvals];
  }

  /** PyTorch's layout: the state of parameter 0 with PyTorch's key names (`H_diag`). */
  override stateDict(): OptimizerStateDict {
    const sd = super.stateDict();
    for (const s of Object.values(sd.state)) {
      if ("h_diag" in s) {
        const entries = Object.entries(s).map(([k, v]) => [k === "h_diag" ? "H_diag" : k, v] as const);
        for (const k of Object.keys(s)) delete s[k];
        for (const [k, v] of entries) s[k] = Array.isArray(v) ? [...v] : v;
      } else {
        for (const [k, v] of Object.entries(s)) if (Array.isArray(v)) s[k] = [...v];
      }
    }
    return sd;
  }

  override loadStateDict(stateDict: OptimizerStateDict): void {
    if (stateDict !== null && typeof stateDict === "object" && stateDict.state !== null && typeof stateDict.state === "object") {
      const state: OptimizerStateDict["state"] = {};
      for (const [id, s] of Object.entries(stateDict.state)) {
        state[id] = Object.fromEntries(Object.entries(s ?? {}).map(([k, v]) => [k === "H_diag" ? "h_diag" : k, v]));
      }
      stateDict = { ...stateDict, state };
    }
    super.loadStateDict(stateDict);
  }

  protected override castStateValue(op: string, p: Tensor, key: string, v: unknown): StateValue {
    const flat = (x: unknown, what: string): Tensor => {
      const t = x instanceof Tensor ? noGrad(() => x.to(p.dtype).clone().detach()) : Array.isArray(x) ? tensor(x as number[], { dtype: p.dtype }) : null;
      if (t === null || t.ndim !== 1) throw new TensileError(`${op}: state "${what}" should be a flat vector (a 1-D Tensor or an array of numbers), got ${fmt(x)}`);
      return t;
    };
    const num = (x: unknown, what: string): number => {
      if (typeof x === "number") return x;
      if (x instanceof Tensor && x.numel() === 1) return x.item();
      throw new TensileError(`${op}: state "${what}" should be a number, got ${fmt(x)}`);
    };
    if (v === null || v === undefined) return null;
    if (FLAT_KEYS.has(key)) return flat(v, key);
    if (LIST_KEYS.has(key)) {
      if (!Array.isArray(v)) throw new TensileError(`${op}: state "${key}" should be a list of flat vectors, got ${fmt(v)}`);
      return v.map((x, i) => flat(x, `${key}[${i}]`));
    }
    if (NUMBER_LIST_KEYS.has(key)) {
      if (!Array.isArray(v)) throw new TensileError(`${op}: state "${key}" should be a list of numbers, got ${fmt(v)}`);
      return v.map((x, i) => (x === null ? null : num(x, `${key}[${i}]`)));
    }
    return num(v, key);
  }
}

function isThenable(v: unknown): v is PromiseLike<unknown> {
  return v !== null && (typeof v === "object" || typeof v === "function") && typeof (v as { then?: unknown }).then === "function";
}

function lossValue(v: unknown): number {
  if (v instanceof Tensor) {
    if (v.numel() !== 1) throw new TensileError(`LBFGS.step: the closure must return the loss, a one-element Tensor, got a Tensor of shape [${v.shape.join(", ")}]`);
    return v.item();
  }
  if (typeof v === "number") return v;
  throw new TensileError(`LBFGS.step: the closure must return the loss (a Tensor or a number), got ${fmt(v)}`);
}

/**
 * Minimizer of the cubic through (x1, f1) and (x2, f2) with slopes g1, g2, clamped to `bounds`
 * (default: between x1 and x2); the middle of the bounds when the cubic has no minimum.
 */
function cubicInterpolate(x1: number, f1: number, g1: number, x2: number, f2: number, g2: number, bounds?: [number, number]): number {
  const [xminBound, xmaxBound] = bounds ?? (x1 <= x2 ? [x1, x2] : [x2, x1]);
  const d1 = g1 + g2 - (3 * (f1 - f2)) / (x1 - x2);
  const d2Square = d1 ** 2 - g1 * g2;
  if (d2Square >= 0) {
    const d2 = Math.sqrt(d2Square);
    const minPos = x1 <= x2
      ? x2 - (x2 - x1) * ((g2 + d2 - d1) / (g2 - g1 + 2 * d2))
      : x1 - (x1 - x2) * ((g1 + d2 - d1) / (g1 - g2 + 2 * d2));
    return Math.min(Math.max(minPos, xminBound), xmaxBound);
  }
  return (xminBound + xmaxBound) / 2;
}
