/**
 * `deepcopy(module)`: Python's `copy.deepcopy` of an `nn.Module`, as `AveragedModel` (and PyTorch
 * code generally: EMA models, target networks) needs it.
 *
 * How it works: Tensile discovers a module's state from its own properties (docs/nn.md), so a copy
 * is an object of the same class whose own properties are copies of the original's: parameters
 * become new `Parameter`s over cloned storage (same `requiresGrad`), tensors are cloned, child
 * modules are copied recursively, arrays, Maps, Sets and plain objects are copied, and any other
 * value (numbers, strings, functions, a `Generator`) is shared, as an immutable would be. Buffers
 * are registered again (cloned, same persistence, same order, `null` slots kept). Sharing is kept:
 * a module or parameter reachable twice (tied weights) is copied once, as Python's memo does.
 *
 * The copy is made without calling the class's constructor (its arguments are unknown), so the
 * object gets `Module`'s own private state from `Module`'s constructor (the forward wrapper that runs
 * hooks, the buffer table) and its own properties from the original. JavaScript's `#private` members
 * of a subclass exist only on objects its constructor made: the library classes that have them
 * (`ModuleDict`, `ParameterList`, `ParameterDict`, batch and instance norm) are rebuilt through
 * their constructor from their public options; a user class that uses `#private` members is refused
 * with an error (TypeScript's `private` is fine).
 *
 * Not copied: forward and backward hooks (a `Module` keeps them in private fields this file cannot
 * read), `.grad`s. A module reparametrised by a hook (`weightNorm`, `spectralNorm`, pruning) is
 * therefore refused, since its copy would compute with a stale weight. `nn.utils.parametrize` needs no
 * hook (its computed tensor is an accessor reading `module.parametrizations`), so such modules copy.
 */
import { Parameter, Tensor, noGrad } from "../core.js";
import { TensileError } from "../errors.js";
import { Module } from "./module.js";
import { ModuleDict, ParameterDict, ParameterList } from "./layers/container.js";
import { BatchNorm1d, InstanceNorm1d } from "./layers/norm.js";
import { UninitializedParameter } from "./layers/lazy.js";

type Memo = Map<unknown, unknown>;
type Ctor = abstract new (...args: never[]) => unknown;

/** How to rebuild a library class whose methods use `#private` members: constructor arguments, then filling. */
interface Recipe {
  args(m: Module): unknown[];
  /** Copies what the constructor cannot (private collections); returns the own keys it has set. */
  fill?(orig: Module, copy: Module, memo: Memo): string[];
}

const normArgs = (m: Module): unknown[] => {
  const n = m as unknown as { numFeatures: number; eps: number; momentum: number | null; affine: boolean; trackRunningStats: boolean };
  return [n.numFeatures, { eps: n.eps, momentum: n.momentum, affine: n.affine, trackRunningStats: n.trackRunningStats }];
};

const RECIPES = new Map<Ctor, Recipe>([
  [ModuleDict, {
    args: () => [],
    fill: (orig, copy, memo) => {
      for (const [k, v] of (orig as ModuleDict).entries()) (copy as ModuleDict).set(k, copyValue(v, memo) as Module);
      return [];
    },
  }],
  [ParameterList, {
    args: () => [],
    fill: (orig, copy, memo) => {
      const o = orig as ParameterList;
      for (const p of o) (copy as ParameterList).append(copyValue(p, memo) as Parameter);
      return Array.from({ length: o.length }, (_, i) => String(i));
    },
  }],
  [ParameterDict, {
    args: () => [],
    fill: (orig, copy, memo) => {
      const o = orig as ParameterDict;
      for (const [k, p] of o.entries()) (copy as ParameterDict).set(k, copyValue(p, memo) as Parameter);
      return o.keys();
    },
  }],
  // the (unexported) bases of BatchNorm1d/2d/3d and InstanceNorm1d/2d/3d
  [Object.getPrototypeOf(BatchNorm1d) as Ctor, { args: normArgs }],
  [Object.getPrototypeOf(InstanceNorm1d) as Ctor, { args: normArgs }],
]);

/** Whether a class's own code reads or writes a `#private` member (which only its constructor can create). */
function usesPrivateMembers(cls: Ctor): boolean {
  const src = Function.prototype.toString.call(cls);
  return /\.#[A-Za-z_$]|#[A-Za-z_$][\w$]*\s+in\s/.test(src);
}

/**
 * A deep copy of `value` (Python's `copy.deepcopy`): a module (see the file's docstring for what is
 * copied), or a state dict, optimizer state or any tensor / array / Map / plain-object structure
 * (tensors cloned, sharing kept). The usual "keep the best weights" idiom:
 *
 * ```ts
 * const best = nn.deepcopy(model.stateDict()); // copy.deepcopy(model.state_dict())
 * // ... training goes on (the live state dict follows the parameters, the copy does not) ...
 * model.loadStateDict(best);
 * ```
 */
export function deepcopy<M>(value: M, op = "deepcopy"): M {
  if (value instanceof Module) return noGrad(() => copyModule(value, new Map(), op)) as M;
  if (typeof value === "function") throw new TensileError(`${op}: expected an nn.Module, a tensor or a structure of them (a state dict), got a function`);
  return noGrad(() => copyValue(value, new Map(), op)) as M;
}

function copyValue(v: unknown, memo: Memo, op = "deepcopy"): unknown {
  if (v === null || (typeof v !== "object" && typeof v !== "function")) return v;
  if (typeof v === "function") return v;
  if (memo.has(v)) return memo.get(v);
  let out: unknown;
  if (v instanceof UninitializedParameter) {
    out = new UninitializedParameter(v.requiresGrad, { dtype: v.dtype });
  } else if (v instanceof Parameter) {
    out = new Parameter(v.clone(), v.requiresGrad); // (under noGrad: no graph, and no view of the original)
  } else if (v instanceof Tensor) {
    const c = v.clone();
    if (v.isLeaf && v.requiresGrad) c.requiresGrad_(true);
    out = c;
  } else if (v instanceof Module) {
    return copyModule(v, memo, op);
  } else if (Array.isArray(v)) {
    const a: unknown[] = [];
    memo.set(v, a);
    for (const x of v) a.push(copyValue(x, memo, op));
    return a;
  } else if (v instanceof Map) {
    const m = new Map();
    memo.set(v, m);
    for (const [k, x] of v) m.set(copyValue(k, memo, op), copyValue(x, memo, op));
    return m;
  } else if (v instanceof Set) {
    const s = new Set();
    memo.set(v, s);
    for (const x of v) s.add(copyValue(x, memo, op));
    return s;
  } else if (ArrayBuffer.isView(v) && !(v instanceof DataView)) {
    out = (v as unknown as { slice(): unknown }).slice();
  } else if (Object.getPrototypeOf(v) === Object.prototype || Object.getPrototypeOf(v) === null) {
    const o: Record<string, unknown> = Object.create(Object.getPrototypeOf(v));
    memo.set(v, o);
    for (const [k, x] of Object.entries(v)) o[k] = copyValue(x, memo, op);
    return o;
  } else {
    out = v; // class instances of other kinds (a Generator, ...) are shared
  }
  memo.set(v, out);
  return out;
}

/** The names of `m`'s own buffers in registration order, `null` slots included. */
function bufferNames(m: Module): string[] {
  const names: string[] = [];
  for (const k of Object.getOwnPropertyNames(m)) {
    const get = Object.getOwnPropertyDescriptor(m, k)?.get as { buffer?: boolean } | undefined;
    if (get?.buffer === true) names.push(k);
  }
  for (const [k] of m.namedBuffers("", false)) if (!names.includes(k)) names.push(k);
  return names;
}

function checkNoReparametrisation(m: Module, op: string): void {
  const own = m as unknown as Record<string, unknown>;
  const params = new Set(m.namedParameters("", false).map(([k]) => k));
  for (const k of Object.keys(own)) {
    if (!(own[k] instanceof Tensor) || own[k] instanceof Parameter) continue;
    if (params.has(`${k}_orig`) || (params.has(`${k}_g`) && params.has(`${k}_v`)))
      throw new TensileError(
        `${op}: cannot copy ${m.constructor.name}: its "${k}" is recomputed by a forward pre-hook (weight norm, spectral norm or pruning), ` +
        `and hooks are not copied; copy the module before applying it, or apply it to the copy again`);
  }
}

function copyModule(orig: Module, memo: Memo, op: string): Module {
  if (memo.has(orig)) return memo.get(orig) as Module;
  checkNoReparametrisation(orig, op);
  const cls = orig.constructor as Ctor;
  // The class to construct: the first one up the chain with a recipe, else Module itself.
  let base: Ctor = Module, recipe: Recipe | undefined;
  for (let c = cls; c !== Module && c !== Object && c; c = Object.getPrototypeOf(c) as Ctor) {
    recipe = RECIPES.get(c);
    if (recipe) {
      base = c;
      break;
    }
    if (usesPrivateMembers(c))
      throw new TensileError(
        `${op}: cannot copy ${orig.constructor.name}: class ${c.name} uses #private members, which only its constructor can create; ` +
        `use TypeScript's "private" instead, or build the copy yourself and loadStateDict(original.stateDict())`);
  }
  const copy = Reflect.construct(base as unknown as new (...a: unknown[]) => Module, recipe ? recipe.args(orig) : [], cls as unknown as new () => Module);
  memo.set(orig, copy);
  const handled = new Set(recipe?.fill?.(orig, copy, memo) ?? []);

  // Buffers: the same names in the same order, cloned, with the same persistence.
  const persistent = new Set(Object.keys(orig.stateDict({ keepVars: true })).filter((k) => !k.includes(".")));
  const origNames = bufferNames(orig);
  for (const k of bufferNames(copy)) if (!origNames.includes(k)) delete (copy as unknown as Record<string, unknown>)[k];
  for (const k of origNames) {
    const b = orig.getBuffer(k);
    copy.registerBuffer(k, b === null ? null : (copyValue(b, memo, op) as Tensor), { persistent: b === null || persistent.has(k) });
  }

  // Everything else: own properties, in order (definition order is state-dict order).
  for (const key of Reflect.ownKeys(orig)) {
    if (key === "forward" || (typeof key === "string" && handled.has(key))) continue;
    const d = Object.getOwnPropertyDescriptor(orig, key)!;
    if ((d.get as { buffer?: boolean } | undefined)?.buffer === true) continue;
    if ("value" in d) d.value = copyValue(d.value, memo, op);
    Object.defineProperty(copy, key, d);
  }
  return copy;
}
