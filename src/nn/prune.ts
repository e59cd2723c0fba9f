/**
 * Pruning (PyTorch 1.13's `torch.nn.utils.prune`): a pruned parameter `name` moves to
 * `${name}_orig` (the same Parameter object), a buffer `${name}_mask` (0 where pruned, 1 elsewhere,
 * the parameter's dtype) joins the state dict, and a forward pre-hook sets the plain tensor
 * attribute `module[name]` to `${name}_orig · ${name}_mask` before every `forward`. Pruning the
 * same parameter again prunes among the entries (or channels) still kept, as PyTorch's
 * `PruningContainer`; `remove` makes the pruning permanent.
 *
 * `amount`: an integer is a number of entries (channels) to prune, any other number in [0, 1] a
 * fraction of them (rounded half to even, as Python's `round`). PyTorch tells `1` from `1.0`; JS
 * cannot, so `1` prunes one entry here, not all of them.
 */
import { Parameter, Tensor, cat, noGrad, onesLike, randLike, rand, tensor } from "../core.js";
import { TensileError, fmtShape } from "../errors.js";
import { Module, type RemovableHandle } from "./module.js";
import { deleteAttribute, setPlainAttribute } from "./weight-norm.js";

export type PruningType = "unstructured" | "structured" | "global";

type Slot = Record<string, unknown>;

const fmtV = (v: unknown): string => {
  if (typeof v === "string") return JSON.stringify(v);
  if (v instanceof Tensor) return `Tensor(shape=${fmtShape(v.shape)})`;
  return String(v);
};

function checkAmountInit(op: string, amount: unknown): asserts amount is number {
  if (typeof amount !== "number" || Number.isNaN(amount))
    throw new TensileError(`${op}: Invalid type for amount: ${fmtV(amount)}. Must be int or float.`);
  if ((Number.isInteger(amount) && amount < 0) || (!Number.isInteger(amount) && (amount > 1 || amount < 0)))
    throw new TensileError(`${op}: amount=${amount} should either be a float in the range [0, 1] or a non-negative integer`);
}

/** Python's `round`: halves go to the even neighbour. */
function roundHalfEven(x: number): number {
  return Math.abs(x % 1) === 0.5 ? 2 * Math.round(x / 2) : Math.round(x);
}

/** PyTorch's `_compute_nparams_toprune` and `_validate_pruning_amount`. */
function nToPrune(op: string, amount: number, size: number): number {
  const k = Number.isInteger(amount) ? amount : roundHalfEven(amount * size);
  if (Number.isInteger(amount) && amount > size)
    throw new TensileError(`${op}: amount=${amount} should be smaller than the number of parameters to prune=${size}`);
  return k;
}

function checkStructured(op: string, t: Tensor, dim: number): number {
  if (t.ndim <= 1)
    throw new TensileError(`${op}: Structured pruning can only be applied to multidimensional tensors. Found tensor of shape ${fmtShape(t.shape)} with ${t.ndim} dims`);
  if (typeof dim !== "number" || !Number.isInteger(dim) || dim >= t.ndim || dim < -t.ndim)
    throw new TensileError(`${op}: Invalid index ${String(dim)} for tensor of size ${fmtShape(t.shape)}`);
  return dim < 0 ? dim + t.ndim : dim;
}

/** Channel (index along `dim`) of every flat row-major index of a tensor of `shape`. */
function channelsOf(shape: readonly number[], dim: number): Int32Array {
  const n = shape.reduce((a, b) => a * b, 1);
  let inner = 1;
  for (let i = dim + 1; i < shape.length; i++) inner *= shape[i]!;
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) out[i] = Math.floor(i / inner) % shape[dim]!;
  return out;
}

const values = (t: Tensor): Float64Array => Float64Array.from(noGrad(() => t.detach().contiguous()).dataSync());

/**
 * A pruning technique (PyTorch's `BasePruningMethod`): `computeMask(t, defaultMask)` gives the new
 * mask of `t` (of importance scores) given the current one. Subclass it for a custom technique and
 * apply it with `applyPruning`.
 */
export abstract class BasePruningMethod {
  /** How `PruningContainer` combines this method with earlier ones. */
  abstract readonly pruningType: PruningType;
  /** The pruned parameter's name (set when applied). */
  tensorName = "";
  /** Name used in error messages. */
  protected abstract readonly op: string;

  abstract computeMask(t: Tensor, defaultMask: Tensor): Tensor;

  /** `${name}_orig · ${name}_mask` of `module`. */
  applyMask(module: Module): Tensor {
    const slot = module as unknown as Slot;
    const mask = slot[`${this.tensorName}_mask`] as Tensor, orig = slot[`${this.tensorName}_orig`] as Tensor;
    return mask.to(orig.dtype).mul(orig);
  }

  /** `t` pruned: t · computeMask(importanceScores ?? t, defaultMask ?? ones). */
  prune(t: Tensor, defaultMask: Tensor | null = null, importanceScores: Tensor | null = null): Tensor {
    const scores = importanceScores ?? t;
    if (scores.shape.join() !== t.shape.join())
      throw new TensileError(`${this.op}: importance_scores should have the same shape as tensor t (${fmtShape(scores.shape)} vs ${fmtShape(t.shape)})`);
    return t.mul(this.computeMask(scores, defaultMask ?? onesLike(t)));
  }

  /** Makes the pruning of `module` permanent (PyTorch's `method.remove(module)`). */
  remove(module: Module): void {
    const name = this.tensorName;
    const weight = noGrad(() => this.applyMask(module));
    const slot = module as unknown as Slot;
    const orig = slot[`${name}_orig`] as Parameter;
    deleteAttribute(module, name);
    noGrad(() => orig.copy_(weight));
    deleteAttribute(module, `${name}_orig`);
    deleteAttribute(module, `${name}_mask`);
    module.registerParameter(name, orig);
  }
}

/** Several prunings of one parameter in sequence; the last one prunes among what the others kept. */
export class PruningContainer extends BasePruningMethod {
  readonly pruningType = "unstructured" as const;
  protected readonly op = "PruningContainer";
  readonly pruningMethods: BasePruningMethod[] = [];

  constructor(...methods: BasePruningMethod[]) {
    super();
    if (methods.length > 0) this.tensorName = methods[0]!.tensorName;
    for (const m of methods) this.addPruningMethod(m);
  }

  addPruningMethod(method: BasePruningMethod): void {
    if (!(method instanceof BasePruningMethod)) throw new TensileError(`PruningContainer: ${fmtV(method)} is not a BasePruningMethod subclass`);
    if (this.tensorName !== method.tensorName)
      throw new TensileError(`PruningContainer: Can only add pruning methods acting on the parameter named '${this.tensorName}'. Found '${method.tensorName}'`);
    this.pruningMethods.push(method);
  }

  get length(): number {
    return this.pruningMethods.length;
  }

  /** The last method's mask computed on the part of `t` the current mask keeps, written into it. */
  computeMask(t: Tensor, defaultMask: Tensor): Tensor {
    const method = this.pruningMethods[this.pruningMethods.length - 1]!;
    const mask = values(defaultMask);
    const n = mask.length;
    let idx: number[];
    let subShape: number[];
    if (method.pruningType === "unstructured") {
      idx = [];
      for (let i = 0; i < n; i++) if (mask[i] === 1) idx.push(i);
      subShape = [idx.length];
    } else if (method.pruningType === "structured") {
      const dimRaw = (method as unknown as { dim?: number }).dim;
      if (typeof dimRaw !== "number") throw new TensileError(`PruningContainer: Pruning methods of PRUNING_TYPE "structured" need to have the attribute \`dim\` defined.`);
      const dim = dimRaw < 0 ? dimRaw + t.ndim : dimRaw;
      if (dim < 0 || dim >= t.ndim) throw new TensileError(`PruningContainer: Index is out of bounds for tensor with dimensions ${t.ndim}`);
      const ch = channelsOf(t.shape, dim);
      const keep = new Array<boolean>(t.shape[dim]!).fill(false);
      for (let i = 0; i < n; i++) if (mask[i] !== 0) keep[ch[i]!] = true;
      idx = [];
      for (let i = 0; i < n; i++) if (keep[ch[i]!]) idx.push(i);
      subShape = [...t.shape];
      subShape[dim] = keep.filter(Boolean).length;
    } else {
      idx = [...mask.keys()];
      subShape = [...t.shape];
    }
    const tv = values(t);
    const sub = tensor(Float64Array.from(idx, (i) => tv[i]!), { shape: subShape, dtype: t.dtype });
    const subMask = tensor(Float64Array.from(idx, (i) => mask[i]!), { shape: subShape, dtype: t.dtype });
    const partial = values(method.computeMask(sub, subMask));
    idx.forEach((i, j) => (mask[i] = partial[j]!));
    return tensor(mask, { shape: [...t.shape], dtype: t.dtype });
  }
}

/** Prunes nothing (a mask of ones), to make a parameter look pruned. */
export class Identity extends BasePruningMethod {
  readonly pruningType = "unstructured" as const;
  protected readonly op = "identity";
  computeMask(_t: Tensor, defaultMask: Tensor): Tensor {
    return defaultMask;
  }
}

/** Zeroes the mask at the `k` indices `pick` chooses (k from `amount`). */
function unstructuredMask(op: string, amount: number, t: Tensor, defaultMask: Tensor, pick: (k: number) => number[]): Tensor {
  const k = nToPrune(op, amount, t.numel());
  const mask = values(defaultMask);
  for (const i of k === 0 ? [] : pick(k)) mask[i] = 0;
  return tensor(mask, { shape: [...defaultMask.shape], dtype: defaultMask.dtype });
}

/** Indices of the `k` smallest (or largest) values; ties go to the lower index. */
function extremeIndices(v: Float64Array, k: number, largest: boolean): number[] {
  const order = [...v.keys()].sort((a, b) => (largest ? v[b]! - v[a]! : v[a]! - v[b]!) || a - b);
  return order.slice(0, k);
}

/** Prunes `amount` entries chosen at random (from the default generator). */
export class RandomUnstructured extends BasePruningMethod {
  readonly pruningType = "unstructured" as const;
  protected readonly op = "randomUnstructured";
  constructor(readonly amount: number) {
    super();
    checkAmountInit(this.op, amount);
  }
  computeMask(t: Tensor, defaultMask: Tensor): Tensor {
    return unstructuredMask(this.op, this.amount, t, defaultMask, (k) => extremeIndices(values(randLike(t)), k, true));
  }
}

/** Prunes the `amount` entries of smallest absolute value. */
export class L1Unstructured extends BasePruningMethod {
  readonly pruningType = "unstructured" as const;
  protected readonly op = "l1Unstructured";
  constructor(readonly amount: number) {
    super();
    checkAmountInit(this.op, amount);
  }
  computeMask(t: Tensor, defaultMask: Tensor): Tensor {
    return unstructuredMask(this.op, this.amount, t, defaultMask, (k) => extremeIndices(values(t.abs()), k, false));
  }
}

/** Mask of ones on the channels (indices along `dim`) in `kept`, times the default mask. */
function channelMask(t: Tensor, dim: number, kept: Set<number>, defaultMask: Tensor): Tensor {
  const ch = channelsOf(t.shape, dim);
  const dm = values(defaultMask);
  const mask = Float64Array.from(ch, (c, i) => (kept.has(c) ? dm[i]! : 0));
  return tensor(mask, { shape: [...t.shape], dtype: t.dtype });
}

/** Prunes `amount` channels along `dim` chosen at random (from the default generator). */
export class RandomStructured extends BasePruningMethod {
  readonly pruningType = "structured" as const;
  protected readonly op = "randomStructured";
  constructor(readonly amount: number, readonly dim = -1) {
    super();
    checkAmountInit(this.op, amount);
  }
  computeMask(t: Tensor, defaultMask: Tensor): Tensor {
    const dim = checkStructured(this.op, t, this.dim);
    const size = t.shape[dim]!;
    const k = nToPrune(this.op, this.amount, size);
    if (k === 0) return defaultMask;
    const prob = values(rand([size]));
    const pruned = new Set(extremeIndices(prob, k, false));
    return channelMask(t, dim, new Set([...prob.keys()].filter((c) => !pruned.has(c))), defaultMask);
  }
}

/** Prunes the `amount` channels along `dim` of smallest Lₙ norm (`n`: a number, ±Infinity or "fro"). */
export class LnStructured extends BasePruningMethod {
  readonly pruningType = "structured" as const;
  protected readonly op = "lnStructured";
  constructor(readonly amount: number, readonly n: number | "fro", readonly dim = -1) {
    super();
    checkAmountInit(this.op, amount);
    if (!(typeof n === "number" && !Number.isNaN(n)) && n !== "fro")
      throw new TensileError(`lnStructured: n must be a number, Infinity, -Infinity or "fro", got ${fmtV(n)}`);
  }
  computeMask(t: Tensor, defaultMask: Tensor): Tensor {
    const dim = checkStructured(this.op, t, this.dim);
    const size = t.shape[dim]!;
    const k = nToPrune(this.op, this.amount, size);
    if (k === 0) return defaultMask;
    const dims = [...t.shape.keys()].filter((d) => d !== dim);
    const norms = values(noGrad(() => t.norm(this.n, dims)));
    return channelMask(t, dim, new Set(extremeIndices(norms, size - k, true)), defaultMask);
  }
}

/** Prunes where `mask` is 0. */
export class CustomFromMask extends BasePruningMethod {
  readonly pruningType = "global" as const;
  protected readonly op = "customFromMask";
  constructor(readonly mask: Tensor) {
    super();
    if (!(mask instanceof Tensor)) throw new TensileError(`customFromMask: mask must be a Tensor, got ${fmtV(mask)}`);
  }
  computeMask(_t: Tensor, defaultMask: Tensor): Tensor {
    if (defaultMask.shape.join() !== this.mask.shape.join())
      throw new TensileError(`customFromMask: mask of shape ${fmtShape(this.mask.shape)} does not match the parameter's ${fmtShape(defaultMask.shape)}`);
    return noGrad(() => defaultMask.mul(this.mask.to(defaultMask.dtype)));
  }
}

interface Pruned {
  method: BasePruningMethod;
  handle: RemovableHandle;
}
const registry = new WeakMap<Module, Map<string, Pruned>>();

/**
 * Applies `method` to `module[name]` (PyTorch's `BasePruningMethod.apply`): creates `${name}_orig`,
 * `${name}_mask` and the forward pre-hook, or, if the parameter is already pruned, combines the
 * methods in a `PruningContainer`. `importanceScores` (default: the current `module[name]`) must
 * have the parameter's shape. Returns the method in effect.
 */
export function applyPruning(op: string, module: Module, name: string, method: BasePruningMethod, importanceScores: Tensor | null = null): BasePruningMethod {
  if (!(module instanceof Module)) throw new TensileError(`${op}: expected an nn.Module, got ${fmtV(module)}`);
  if (typeof name !== "string") throw new TensileError(`${op}: the parameter name must be a string, got ${fmtV(name)}`);
  const slot = module as unknown as Slot;
  let perName = registry.get(module);
  const old = perName?.get(name);
  const orig = slot[name];
  if (!(orig instanceof Tensor) || (old === undefined && !(Object.getOwnPropertyDescriptor(module, name)?.value instanceof Parameter)))
    throw new TensileError(`${op}: ${module.constructor.name} has no parameter "${name}"`);
  method.tensorName = name;
  let combined = method;
  if (old !== undefined) {
    if (old.method instanceof PruningContainer) {
      old.method.addPruningMethod(method);
      combined = old.method;
    } else {
      combined = new PruningContainer(old.method, method);
    }
  }
  const scores = importanceScores ?? orig;
  if (!(scores instanceof Tensor) || scores.shape.join() !== orig.shape.join())
    throw new TensileError(`${op}: importance_scores should have the same shape as parameter ${name} of ${module.constructor.name} (${fmtV(scores)} vs ${fmtShape(orig.shape)})`);
  const defaultMask = old === undefined ? onesLike(orig) : noGrad(() => (slot[`${name}_mask`] as Tensor).detach().clone());
  let mask: Tensor;
  try {
    mask = noGrad(() => combined.computeMask(scores.detach(), defaultMask));
  } catch (e) {
    if (old !== undefined && old.method instanceof PruningContainer && combined === old.method) old.method.pruningMethods.pop();
    throw e;
  }
  if (old === undefined) {
    module.registerParameter(`${name}_orig`, orig as Parameter);
    deleteAttribute(module, name);
  } else {
    old.handle.remove();
  }
  module.registerBuffer(`${name}_mask`, mask);
  setPlainAttribute(module, name, combined.applyMask(module));
  const handle = module.registerForwardPreHook(() => setPlainAttribute(module, name, combined.applyMask(module)));
  if (perName === undefined) registry.set(module, (perName = new Map()));
  perName.set(name, { method: combined, handle });
  return combined;
}

/** Applies the Identity method: `module[name]` looks pruned (mask of ones). Returns `module`. */
export function identity<M extends Module>(module: M, name: string): M {
  applyPruning("identity", module, name, new Identity());
  return module;
}

/** Prunes `amount` entries of `module[name]` at random. Returns `module`. */
export function randomUnstructured<M extends Module>(module: M, name: string, amount: number): M {
  applyPruning("randomUnstructured", module, name, new RandomUnstructured(amount));
  return module;
}

/** Prunes the `amount` entries of `module[name]` of smallest |importance score| (default: the values). Returns `module`. */
export function l1Unstructured<M extends Module>(module: M, name: string, amount: number, options: { importanceScores?: Tensor | null } | null = {}): M {
  applyPruning("l1Unstructured", module, name, new L1Unstructured(amount), options?.importanceScores ?? null);
  return module;
}

/** Prunes `amount` channels (along `dim`) of `module[name]` at random. Returns `module`. */
export function randomStructured<M extends Module>(module: M, name: string, amount: number, dim: number): M {
  applyPruning("randomStructured", module, name, new RandomStructured(amount, dim));
  return module;
}

/** Prunes the `amount` channels (along `dim`) of `module[name]` of smallest Lₙ norm. Returns `module`. */
export function lnStructured<M extends Module>(module: M, name: string, amount: number, n: number | "fro", dim: number, options: { importanceScores?: Tensor | null } | null = {}): M {
  applyPruning("lnStructured", module, name, new LnStructured(amount, n, dim), options?.importanceScores ?? null);
  return module;
}

/** Prunes `module[name]` where `mask` is 0. Returns `module`. */
export function customFromMask<M extends Module>(module: M, name: string, mask: Tensor): M {
  applyPruning("customFromMask", module, name, new CustomFromMask(mask));
  return module;
}

/** A pruning method class `globalUnstructured` can build (`L1Unstructured`, `RandomUnstructured`, …). */
export type PruningMethodClass = new (amount: number) => BasePruningMethod;

export interface GlobalUnstructuredOptions {
  /** The amount passed to the method's constructor. */
  amount: number;
  /** Scores per module and parameter name (default: the parameters' current values). */
  importanceScores?: Map<Module, Record<string, Tensor>> | null;
}

/**
 * Prunes the `[module, name]` parameters together (PyTorch's `global_unstructured`): the method
 * (an unstructured one, e.g. `prune.L1Unstructured`) ranks all their entries at once, so `amount`
 * counts over all of them.
 * ```ts
 * prune.globalUnstructured([[net.fc1, "weight"], [net.fc2, "weight"]], prune.L1Unstructured, { amount: 0.2 });
 * ```
 */
export function globalUnstructured(parameters: Iterable<[Module, string]>, pruningMethod: PruningMethodClass, options: GlobalUnstructuredOptions): void {
  const op = "globalUnstructured";
  if (parameters === null || typeof parameters !== "object" || typeof (parameters as Iterable<unknown>)[Symbol.iterator] !== "function")
    throw new TensileError(`${op}: parameters is not an Iterable`);
  const list = [...parameters];
  if (typeof pruningMethod !== "function") throw new TensileError(`${op}: pruningMethod must be a pruning method class, got ${fmtV(pruningMethod)}`);
  if (options === null || typeof options !== "object") throw new TensileError(`${op}: options must be an object with an amount, got ${fmtV(options)}`);
  const scoresMap = options.importanceScores ?? new Map<Module, Record<string, Tensor>>();
  if (!(scoresMap instanceof Map)) throw new TensileError(`${op}: importanceScores must be a Map from module to { name: Tensor }`);
  const current = list.map((entry, i) => {
    if (!Array.isArray(entry) || !(entry[0] instanceof Module) || typeof entry[1] !== "string")
      throw new TensileError(`${op}: parameters[${i}] must be a [module, name] pair, got ${fmtV(entry)}`);
    const t = (entry[0] as unknown as Slot)[entry[1]];
    if (!(t instanceof Tensor)) throw new TensileError(`${op}: ${entry[0].constructor.name} has no parameter "${entry[1]}"`);
    return t;
  });
  if (list.length === 0) throw new TensileError(`${op}: expected at least one [module, name] pair`);
  const method = new pruningMethod(options.amount);
  if (method.pruningType !== "unstructured")
    throw new TensileError(`${op}: Only "unstructured" PRUNING_TYPE supported for the pruningMethod. Found method ${pruningMethod.name} of type ${method.pruningType}`);
  const flat = (ts: Tensor[]) => noGrad(() => cat(ts.map((t) => t.detach().reshape([t.numel()]))));
  const scores = flat(list.map(([m, n], i) => scoresMap.get(m)?.[n] ?? current[i]!));
  const defaultMask = flat(list.map(([m, n], i) => ((m as unknown as Slot)[`${n}_mask`] as Tensor | null | undefined) ?? onesLike(current[i]!)));
  method.tensorName = "temp";
  const container = new PruningContainer(method);
  const finalMask = container.computeMask(scores, defaultMask);
  let offset = 0;
  list.forEach(([m, n], i) => {
    const p = current[i]!;
    customFromMask(m, n, finalMask.narrow(0, offset, p.numel()).reshape([...p.shape]));
    offset += p.numel();
  });
}

/** Makes the pruning of `module[name]` permanent: `name` becomes a parameter holding the pruned values; `_orig`, `_mask` and the hook go. Returns `module`. */
export function remove<M extends Module>(module: M, name: string): M {
  const pruned = module instanceof Module ? registry.get(module)?.get(name) : undefined;
  if (pruned === undefined)
    throw new TensileError(`remove: Parameter '${String(name)}' of module ${module instanceof Module ? module.constructor.name : fmtV(module)} has to be pruned before pruning can be removed`);
  pruned.method.remove(module);
  pruned.handle.remove();
  registry.get(module)!.delete(name);
  return module;
}

/** Whether `module` or any module below it has a pruned parameter. */
export function isPruned(module: Module): boolean {
  if (!(module instanceof Module)) throw new TensileError(`isPruned: expected an nn.Module, got ${fmtV(module)}`);
  return module.namedModules().some(([, m]) => (registry.get(m)?.size ?? 0) > 0);
}
