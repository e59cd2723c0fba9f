import { Tensor, TensileError, enableGrad, noGrad, tensor } from "../core.js";
import { setToNoneArg } from "../utils/positional.js";

/** What an optimizer keeps per parameter (`momentumBuffer`, `expAvg`, `step`, ...; LBFGS also keeps lists). */
export type StateValue = Tensor | number | null | StateValue[];
export type ParamState = Record<string, StateValue>;

/**
 * One parameter group: its parameters and the options that apply to them (every option of the
 * optimizer is present, defaults filled in). Learning-rate schedulers write `lr` here and add
 * `initialLr` (and `maxLr`, `minLr`, ... for OneCycleLR).
 */
export interface ParamGroup {
  params: Tensor[];
  lr: number;
  initialLr?: number;
  momentum?: number;
  betas?: [number, number];
  [option: string]: unknown;
}

/** A group as users pass it: `{ params, ...options overriding the optimizer's defaults }`. */
export type ParamGroupInput<O> = { params: Iterable<Tensor> | Tensor } & Partial<O>;
/** `model.parameters()` (any iterable of tensors), or a list of param groups. */
export type Params<O> = Iterable<Tensor> | Iterable<ParamGroupInput<O>>;

/**
 * PyTorch's `optimizer.state_dict()` layout, keys in PyTorch's snake_case because it is a file
 * format: `{ state: { 0: { momentum_buffer: Tensor } }, param_groups: [{ lr, weight_decay, ..., params: [0, 1] }] }`.
 * Parameters are numbered in group order. Tensors are the optimizer's own (not copies), as in PyTorch.
 */
export interface OptimizerStateDict {
  state: Record<string, Record<string, unknown>>;
  param_groups: Array<Record<string, unknown> & { params: number[] }>;
}

/** PyTorch's implementation switches that may appear in its state dicts and mean nothing here. */
const IGNORED_GROUP_KEYS = new Set(["foreach", "fused", "capturable", "differentiable"]);

export const toSnake = (k: string): string => k.replace(/[A-Z]/g, (c) => "_" + c.toLowerCase());
export const toCamel = (k: string): string => k.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());

/** Throws `${op}: unknown option "x"` for keys outside `known` (catches snake_case and typos). */
export function checkOptionNames(op: string, options: object | null, known: readonly string[], where = ""): void {
  if (typeof options !== "object") throw new TensileError(`${op}: options must be an object, got ${typeof options}`);
  for (const k of Object.keys(options ?? {})) {
    if (!known.includes(k))
      throw new TensileError(`${op}: unknown option "${k}"${where} (expected one of: ${known.join(", ")})`);
  }
}

/** PyTorch's switches that choose how an optimizer runs, not what it computes. */
export type ImplementationSwitch = "foreach" | "differentiable" | "capturable";

/**
 * Accepts and drops the implementation switches PyTorch 1.13's optimizer `op` takes as keywords, so
 * code written for PyTorch runs unchanged: `foreach` (true, false or null: Tensile has one code path,
 * which computes what PyTorch's default single-tensor path does), `differentiable` and `capturable`
 * (false or null only: a step autograd can differentiate through, and CUDA-graph capture, are not
 * supported). Returns `options` without them; other names are left to `checkOptionNames`.
 */
export function dropImplementationSwitches<O extends object>(op: string, options: O, switches: readonly ImplementationSwitch[]): O {
  if (options === null || typeof options !== "object") return options;
  const out = { ...options } as Record<string, unknown>;
  for (const k of switches) {
    if (!(k in out)) continue;
    const v = out[k];
    if (v !== undefined && v !== null && typeof v !== "boolean") throw new TensileError(`${op}: ${k} must be a boolean or null, got ${fmt(v)}`);
    if (k !== "foreach" && v === true)
      throw new TensileError(`${op}: ${k}=true is not supported (${k === "differentiable" ? "a step that autograd can differentiate through" : "CUDA graph capture"}); Tensile's steps run under noGrad`);
    delete out[k];
  }
  return out as O;
}

/** PyTorch's `if not 0.0 <= value: raise ValueError("Invalid <what>: <value>")`, NaN included. */
export function checkNonNegative(op: string, what: string, v: unknown): void {
  if (v === undefined) return;
  if (typeof v !== "number" || !(v >= 0)) throw new TensileError(`${op}: invalid ${what}: ${fmt(v)}`);
}

/** Adam-family `betas`: two numbers in [0, 1). */
export function checkBetas(op: string, betas: unknown): void {
  if (betas === undefined) return;
  if (!Array.isArray(betas) || betas.length !== 2 || !betas.every((b) => typeof b === "number"))
    throw new TensileError(`${op}: betas must be a pair of numbers [beta1, beta2], got ${fmt(betas)}`);
  for (const i of [0, 1]) {
    const b = betas[i] as number;
    if (!(b >= 0 && b < 1)) throw new TensileError(`${op}: invalid beta parameter at index ${i}: ${fmt(b)}`);
  }
}

export function fmt(v: unknown): string {
  if (typeof v === "number" || typeof v === "boolean" || v === null || v === undefined) return String(v);
  if (v instanceof Tensor) return `Tensor(shape=[${v.shape.join(", ")}])`;
  try {
    return JSON.stringify(v);
  } catch {
    return typeof v;
  }
}

/**
 * Base of every optimizer (PyTorch's `torch.optim.Optimizer`): it owns the param groups and the
 * per-parameter state, and does the bookkeeping (`zeroGrad`, `stateDict`, `loadStateDict`,
 * `addParamGroup`). A subclass supplies its defaults, validates a group's options, and updates one
 * group in `updateGroup` by calling its plain update function (`sgd`, `adam`, ...).
 */
export abstract class Optimizer<G extends ParamGroup = ParamGroup> {
  /** The constructor's options with defaults filled in (camelCase keys). */
  readonly defaults: Readonly<Record<string, unknown>>;
  paramGroups: G[] = [];
  /** Per-parameter state, keyed by the parameter tensor (camelCase keys). */
  state = new Map<Tensor, ParamState>();
  /** Name used in error messages (`SGD`, `Adam`, ...). */
  readonly name: string;

  protected constructor(name: string, params: Params<unknown>, defaults: Record<string, unknown>) {
    this.name = name;
    this.defaults = Object.freeze({ ...defaults });
    if (params instanceof Tensor)
      throw new TensileError(`${name}: params argument given to the optimizer should be an iterable of Tensors or param groups, but got a Tensor`);
    if (params === null || typeof params !== "object" || typeof (params as Iterable<unknown>)[Symbol.iterator] !== "function")
      throw new TensileError(`${name}: params argument given to the optimizer should be an iterable of Tensors or param groups, but got ${fmt(params)}`);
    const list = [...(params as Iterable<unknown>)];
    if (list.length === 0) throw new TensileError(`${name}: optimizer got an empty parameter list`);
    const groups = list[0] instanceof Tensor ? [{ params: list }] : list;
    for (const g of groups) this.addParamGroup(g as { params: Iterable<Tensor> });
  }

  /** Checks one group's merged options; throws a TensileError in PyTorch's words. */
  protected abstract validateGroup(group: Record<string, unknown>): void;

  /** Updates the parameters of one group (called under `noGrad`). */
  protected abstract updateGroup(group: G): void;

  /**
   * Adds a group (`{ params, ...options }`); options it omits take the optimizer's defaults.
   * Useful for fine-tuning: unfreeze layers and add them as training goes on.
   */
  addParamGroup(group: { params: Iterable<Tensor> | Tensor; [option: string]: unknown }): void {
    const where = ` in param group ${this.paramGroups.length}`;
    if (group === null || typeof group !== "object" || group instanceof Tensor || !("params" in group))
      throw new TensileError(`${this.name}: param group must be an object with a "params" entry, got ${fmt(group)}`);
    const raw = group.params as unknown;
    if (raw instanceof Set)
      throw new TensileError(`${this.name}: optimizer parameters need to be organized in ordered collections, but the ordering of tensors in sets will change between runs. Please use an array instead.`);
    const params = raw instanceof Tensor ? [raw] : [...(raw as Iterable<unknown>)];
    params.forEach((p, i) => {
      if (!(p instanceof Tensor))
        throw new TensileError(`${this.name}: optimizer can only optimize Tensors, but params[${i}]${where} is ${fmt(p)}`);
      if (!p.isLeaf && !p._retainsGrad) throw new TensileError(`${this.name}: can't optimize a non-leaf Tensor (params[${i}]${where})`);
    });
    group = dropImplementationSwitches(this.name, group, ["foreach", "differentiable", "capturable"]);
    checkOptionNames(this.name, group, ["params", ...Object.keys(this.defaults)], where);
    const merged: Record<string, unknown> = { ...this.defaults };
    for (const [k, v] of Object.entries(group)) if (k !== "params" && v !== undefined) merged[k] = v;
    if (merged.lr === undefined)
      throw new TensileError(`${this.name}: parameter group didn't specify a value of required optimization parameter lr`);
    if (Array.isArray(merged.betas)) merged.betas = [...merged.betas];
    this.validateGroup(merged);
    const tensors = params as Tensor[];
    if (new Set(tensors).size !== tensors.length)
      throw new TensileError(`${this.name}: a parameter group contains the same parameter more than once`);
    for (const g of this.paramGroups)
      for (const p of g.params)
        if (tensors.includes(p)) throw new TensileError(`${this.name}: some parameters appear in more than one parameter group`);
    this.paramGroups.push({ ...merged, params: tensors } as unknown as G);
  }

  /**
   * Resets the gradients of every parameter: to `null` (the default, as PyTorch 2), or to zeros in
   * place with `{ setToNone: false }` or `zeroGrad(false)` (PyTorch's `zero_grad(False)`).
   * Optimizers skip parameters whose grad is null.
   */
  zeroGrad(options?: { setToNone?: boolean } | boolean | null): void {
    const setToNone = setToNoneArg(`${this.name}.zeroGrad`, options);
    for (const g of this.paramGroups) {
      for (const p of g.params) {
        let grad = p._peekGrad();
        if (grad === null) continue;
        if (setToNone) p._dropGrad();
        else {
          if (grad.gradFn !== null || grad.requiresGrad) p.grad = grad = grad.detach();
          const g = grad;
          noGrad(() => g.zero_());
        }
      }
    }
  }

  /**
   * One update of every parameter that has a gradient. `closure`, if given, re-evaluates the model
   * (zeroGrad, forward, backward) and returns the loss; it runs with grad mode on and its result
   * is returned.
   */
  step<L = Tensor>(closure?: () => L): L | undefined {
    let loss: L | undefined;
    if (closure !== undefined) loss = enableGrad(closure);
    noGrad(() => {
      for (const g of this.paramGroups) this.updateGroup(g);
    });
    return loss;
  }

  /** The state of `p`, created empty on first use (PyTorch's `defaultdict(dict)`). */
  protected stateOf(p: Tensor): ParamState {
    let s = this.state.get(p);
    if (s === undefined) this.state.set(p, (s = {}));
    return s;
  }

  /**
   * The parameters of `group` that have a gradient, with their gradients and states (PyTorch's
   * `_init_group`). `init(state, p, grad)` runs on each state first: it fills a new one (its `step`
   * is still undefined) and adds the entries the group's options need.
   */
  protected gather<S>(group: ParamGroup, init: (s: ParamState, p: Tensor, grad: Tensor) => void): { params: Tensor[]; grads: Tensor[]; state: S[] } {
    const params: Tensor[] = [], grads: Tensor[] = [], state: S[] = [];
    for (const p of group.params) {
      const grad = p._peekGrad();
      if (grad === null) continue;
      const s = this.stateOf(p);
      init(s, p, grad);
      params.push(p);
      grads.push(grad);
      state.push(s as unknown as S);
    }
    return { params, grads, state };
  }

  /** The optimizer's state in PyTorch's layout and key names; see `OptimizerStateDict`. */
  stateDict(): OptimizerStateDict {
    const index = new Map<Tensor, number>();
    const paramGroups = this.paramGroups.map((g) => {
      const packed: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(g)) {
        if (k === "params" || v === undefined) continue;
        packed[toSnake(k)] = Array.isArray(v) ? [...v] : v;
      }
      for (const p of g.params) if (!index.has(p)) index.set(p, index.size);
      packed.params = g.params.map((p) => index.get(p)!);
      return packed as Record<string, unknown> & { params: number[] };
    });
    const state: Record<string, Record<string, unknown>> = {};
    for (const [p, s] of this.state) {
      const i = index.get(p);
      if (i === undefined) continue;
      const packed: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(s)) packed[toSnake(k)] = v;
      state[String(i)] = packed;
    }
    return { state, param_groups: paramGroups };
  }

  /**
   * Loads a state dict from `stateDict()` (or PyTorch's, with tensors converted): the groups' options
   * and the per-parameter state, matched to this optimizer's parameters by position. Tensors are
   * copied and cast to their parameter's dtype; arrays of numbers become tensors of the
   * parameter's shape; `step` may be a number or a one-element tensor.
   */
  loadStateDict(stateDict: OptimizerStateDict): void {
    const op = `${this.name}.loadStateDict`;
    if (stateDict === null || typeof stateDict !== "object" || !Array.isArray(stateDict.param_groups) ||
        stateDict.state === null || typeof stateDict.state !== "object")
      throw new TensileError(`${op}: expected an object { state, param_groups }, got ${fmt(stateDict)}`);
    const saved = stateDict.param_groups;
    if (saved.length !== this.paramGroups.length)
      throw new TensileError(`${op}: loaded state dict has a different number of parameter groups (${saved.length} != ${this.paramGroups.length})`);
    saved.forEach((sg, i) => {
      const n = Array.isArray(sg?.params) ? sg.params.length : -1;
      if (n !== this.paramGroups[i]!.params.length)
        throw new TensileError(`${op}: loaded state dict contains a parameter group that doesn't match the size of optimizer's group (group ${i}: ${n} != ${this.paramGroups[i]!.params.length})`);
    });
    const idMap = new Map<string, Tensor>();
    saved.forEach((sg, i) => sg.params.forEach((id, j) => idMap.set(String(id), this.paramGroups[i]!.params[j]!)));

    // Build everything first so a bad entry leaves the optimizer untouched.
    const groups = saved.map((sg, i) => {
      const cur = this.paramGroups[i]!;
      const merged: Record<string, unknown> = { ...cur };
      for (const [k, v] of Object.entries(sg)) {
        if (k === "params" || IGNORED_GROUP_KEYS.has(k)) continue;
        merged[toCamel(k)] = Array.isArray(v) ? [...v] : v;
      }
      this.validateGroup(merged);
      return merged;
    });
    const state = new Map<Tensor, ParamState>();
    for (const [id, s] of Object.entries(stateDict.state)) {
      const p = idMap.get(id);
      if (p === undefined) throw new TensileError(`${op}: state refers to parameter ${id}, which no group contains`);
      const ps: ParamState = {};
      for (const [k, v] of Object.entries(s ?? {})) ps[toCamel(k)] = this.castStateValue(op, p, k, v);
      state.set(p, ps);
    }
    groups.forEach((g, i) => Object.assign(this.paramGroups[i]!, g, { params: this.paramGroups[i]!.params }));
    this.state = state;
  }

  /** Converts one loaded state value (PyTorch key `key`) for parameter `p`; LBFGS overrides it for its flat and list state. */
  protected castStateValue(op: string, p: Tensor, key: string, v: unknown): StateValue {
    return castState(op, p, key, v);
  }
}

/** Copies a loaded state value onto parameter `p` (PyTorch's `cast` in load_state_dict). */
function castState(op: string, p: Tensor, key: string, v: unknown): StateValue {
  if (v === null || typeof v === "number") return v;
  if (typeof v === "boolean") return v ? 1 : 0;
  const scalarKey = key === "step" || key === "mu_product" || key === "eta" || key === "mu";
  if (v instanceof Tensor) {
    if (scalarKey) return v.item();
    if (v.numel() !== p.numel())
      throw new TensileError(`${op}: state "${key}" has shape [${v.shape.join(", ")}] but its parameter has shape [${p.shape.join(", ")}]`);
    return noGrad(() => {
      const t = v.to(p.dtype).clone().detach();
      return t.shape.length === p.shape.length ? t : t.reshape([...p.shape]);
    });
  }
  if (Array.isArray(v)) {
    const t = noGrad(() => tensor(v as number[], { dtype: p.dtype }));
    if (t.numel() !== p.numel())
      throw new TensileError(`${op}: state "${key}" has ${t.numel()} values but its parameter has ${p.numel()} (shape [${p.shape.join(", ")}])`);
    return t.reshape([...p.shape]).contiguous();
  }
  throw new TensileError(`${op}: unsupported state value for "${key}": ${fmt(v)}`);
}
