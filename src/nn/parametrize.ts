/**
 * `nn.utils.parametrize`: PyTorch 1.13's `torch.nn.utils.parametrize` — a tensor of a module
 * (`module.weight`) computed on every access from an "original" tensor by a chain of modules.
 *
 * `registerParametrization(module, "weight", p)` moves the parameter (or buffer) into
 * `module.parametrizations.weight.original` (a `ParametrizationList`, itself a `ModuleList` of the
 * parametrizations, inside a `ModuleDict`), so `stateDict()` keys are PyTorch's
 * (`parametrizations.weight.original`) and `parameters()` yields the original, not the computed
 * weight. `module.weight` becomes an accessor that runs the chain; assigning to it runs the
 * `rightInverse`s and writes the original. As in PyTorch, the module's class is swapped for a
 * subclass named `Parametrized<Class>` (so `toString()` reads `ParametrizedLinear(...)`), which
 * `typeBeforeParametrizations` sees through.
 *
 * What differs from PyTorch, because JavaScript has no `Tensor.set_`: where PyTorch rebinds the
 * original's storage, Tensile copies into it in place (`copy_`), which keeps the Parameter object
 * (and any optimizer holding it) as long as the shape does not change; a `rightInverse` that
 * changes the shape gets a new tensor (at registration; on assignment only with `unsafe`, and an
 * error otherwise). The accessor is an own (non-enumerable) property of the module rather than a
 * property of the injected class, so a `deepcopy` of the module can drop its parametrizations
 * without touching the original's.
 */
import { Parameter, Tensor, noGrad } from "../core.js";
import { TensileError, fmtShape, fmtValue } from "../errors.js";
import { Module } from "./module.js";
import { ModuleDict, ModuleList } from "./layers/container.js";

type Slot = Record<string, unknown>;
const slot = (m: Module): Slot => m as unknown as Slot;

/**
 * Thrown by a `rightInverse` that cannot invert (PyTorch's `NotImplementedError` there): at
 * registration the original is then kept as it is; on assignment it is an error.
 */
export class RightInverseNotImplemented extends TensileError {}

/** A parametrization: a module whose `forward` maps the original tensor(s) to the used one, with an optional `rightInverse`. */
type WithRightInverse = Module & { rightInverse?: (value: Tensor | Tensor[]) => Tensor | Tensor[] };

const sameShape = (a: readonly number[], b: readonly number[]): boolean => a.length === b.length && a.every((d, i) => d === b[i]);

/** Torch's `target.set_(value)`: in place when the shape agrees (keeping the object), else a new tensor of the same kind. */
function setValue(target: Tensor, value: Tensor): Tensor {
  if (value === target) return target;
  if (sameShape(target.shape, value.shape)) {
    noGrad(() => target.copy_(value.detach().clone())); // clone: value may share target's storage (a view of it)
    return target;
  }
  const t = value.detach().clone();
  return target instanceof Parameter ? new Parameter(t, target.requiresGrad) : t;
}

function registerParameterOrBuffer(module: Module, name: string, t: Tensor): void {
  if (t instanceof Parameter) module.registerParameter(name, t);
  else module.registerBuffer(name, t);
}

/**
 * The parametrizations of one tensor (PyTorch's `ParametrizationList`): a `ModuleList` of the
 * parametrization modules, plus the original tensor as parameter (or buffer) `original` — or
 * `original0`, `original1`, … when the first `rightInverse` returns several tensors. `forward()`
 * runs the chain on the original(s).
 */
export class ParametrizationList extends ModuleList<WithRightInverse> {
  /** The original tensor (when `isTensor`); a Parameter if the parametrized tensor was one, else a buffer. */
  declare original: Tensor;
  /** Whether registration skipped the shape and dtype checks. */
  unsafe: boolean;
  /** Whether there is one original (else `ntensors` of them, `original0`, …). */
  readonly isTensor: boolean;
  readonly ntensors: number;
  /** Where the tensor lives, for error messages (`Linear.weight`). */
  readonly label: string;

  /** `label` names the tensor in error messages (e.g. `Linear.weight`). */
  constructor(modules: Iterable<Module>, original: Tensor, unsafe = false, label = "tensor") {
    const list = [...(modules ?? [])] as WithRightInverse[];
    const op = "ParametrizationList";
    if (list.length === 0) throw new TensileError(`${op}: requires one or more modules (for ${label})`);
    if (!(original instanceof Tensor)) throw new TensileError(`${op}: the original of ${label} must be a Tensor, got ${fmtValue(original)}`);
    super(list);
    this.unsafe = unsafe;
    this.label = label;
    const originalShape = original.shape, originalDtype = original.dtype;
    let value: Tensor | Tensor[] = original;
    noGrad(() => {
      for (const m of [...list].reverse()) {
        if (typeof m.rightInverse !== "function") continue;
        try {
          value = m.rightInverse(value);
        } catch (e) {
          if (!(e instanceof RightInverseNotImplemented)) throw e;
        }
      }
    });
    const v = value as Tensor | Tensor[];
    if (!(v instanceof Tensor) && !Array.isArray(v))
      throw new TensileError(`registerParametrization: rightInverse must return a Tensor or an array of tensors for ${label}, got ${fmtValue(v)}`);
    this.isTensor = v instanceof Tensor;
    this.ntensors = v instanceof Tensor ? 1 : v.length;
    if (v instanceof Tensor) {
      if (v.dtype !== originalDtype)
        throw new TensileError(`registerParametrization: when rightInverse returns one tensor it may not change the dtype: ${label} is ${originalDtype}, rightInverse returned ${v.dtype}`);
      registerParameterOrBuffer(this, "original", setValue(original, v));
    } else {
      v.forEach((t, i) => {
        if (!(t instanceof Tensor))
          throw new TensileError(`registerParametrization: rightInverse must return a Tensor or an array of tensors for ${label}; element ${i} is ${fmtValue(t)}`);
        let o: Tensor = t.detach();
        if (original instanceof Parameter) o = new Parameter(o, original.requiresGrad);
        registerParameterOrBuffer(this, `original${i}`, o);
      });
    }
    if (!unsafe) {
      const Z: unknown = this.value();
      checkResult(Z, originalDtype, originalShape, `${label} has`, "the parametrization returns", "");
    }
  }

  /** The original tensors, `[original]` or `[original0, original1, …]`. */
  originals(): Tensor[] {
    const s = slot(this);
    return this.isTensor ? [s.original as Tensor] : Array.from({ length: this.ntensors }, (_, i) => s[`original${i}`] as Tensor);
  }

  /**
   * Sets the original(s) so that the chain gives `value`: runs every parametrization's
   * `rightInverse` from last to first (all must have one), without gradients.
   */
  rightInverse(value: Tensor): void {
    noGrad(() => {
      let v: Tensor | Tensor[] = value;
      for (const m of [...this].reverse()) {
        if (typeof m.rightInverse !== "function")
          throw new TensileError(`${this.label} = value: parametrization ${m.constructor.name} does not implement rightInverse`);
        v = m.rightInverse(v);
      }
      if (this.isTensor) {
        const orig = slot(this).original as Tensor;
        if (!(v instanceof Tensor)) throw new TensileError(`${this.label} = value: rightInverse should return a tensor, got ${fmtValue(v)}`);
        if (v.dtype !== orig.dtype)
          throw new TensileError(`${this.label} = value: the tensor returned by rightInverse has dtype ${v.dtype} while original has dtype ${orig.dtype}`);
        if (!sameShape(v.shape, orig.shape) && !this.unsafe)
          throw new TensileError(`${this.label} = value: rightInverse returned shape ${fmtShape(v.shape)} but original has shape ${fmtShape(orig.shape)} (register with unsafe: true to allow it)`);
        const next = setValue(orig, v);
        if (next !== orig) registerParameterOrBuffer(this, "original", next);
      } else {
        if (!Array.isArray(v)) throw new TensileError(`${this.label} = value: rightInverse must return an array of tensors, got ${fmtValue(v)}`);
        if (v.length !== this.ntensors)
          throw new TensileError(`${this.label} = value: rightInverse must return an array of ${this.ntensors} tensors, got ${v.length}`);
        v.forEach((t, i) => {
          const orig = slot(this)[`original${i}`] as Tensor;
          if (!(t instanceof Tensor)) throw new TensileError(`${this.label} = value: rightInverse must return tensors; element ${i} is ${fmtValue(t)}`);
          if (t.dtype !== orig.dtype) throw new TensileError(`${this.label} = value: tensor ${i} returned by rightInverse has dtype ${t.dtype} while original${i} has dtype ${orig.dtype}`);
          const next = setValue(orig, t);
          if (next !== orig) registerParameterOrBuffer(this, `original${i}`, next);
        });
      }
    });
  }

  /**
   * The parametrized tensor: the chain applied to the original(s). (Typed `never` only because
   * `ModuleList.forward` is; `value()` is the same, typed.)
   */
  override forward(): never {
    const mods = [...this];
    let x: unknown = mods[0]!.forward(...this.originals());
    for (let i = 1; i < mods.length; i++) x = mods[i]!.forward(x);
    return x as never;
  }

  /** `forward()` (hooks included), typed: the parametrized tensor. */
  value(): Tensor {
    return this.forward() as unknown as Tensor;
  }
}

function checkResult(Z: unknown, dtype: string, shape: readonly number[], have: string, got: string, hint: string): void {
  const op = "registerParametrization";
  if (!(Z instanceof Tensor)) throw new TensileError(`${op}: a parametrization must return a tensor, got ${fmtValue(Z)}`);
  if (Z.dtype !== dtype)
    throw new TensileError(`${op}: registering a parametrization may not change the dtype of the tensor, unless unsafe is set: ${have} dtype ${dtype}, ${got} ${Z.dtype}${hint}`);
  if (!sameShape(Z.shape, shape))
    throw new TensileError(`${op}: registering a parametrization may not change the shape of the tensor, unless unsafe is set: ${have} shape ${fmtShape(shape)}, ${got} ${fmtShape(Z.shape)}${hint}`);
}

// ---- the computed attribute, the cache and the injected class ----

let cacheDepth = 0;
let cache = new Map<Module, Map<string, Tensor>>();

/**
 * Runs `fn` with parametrized tensors cached: inside, each `module.weight` is computed once and
 * reused (PyTorch's `with parametrize.cached():`), which saves recomputation when a weight is read
 * several times, as in a recurrent loop. Nested calls share one cache, emptied when the outermost
 * returns. `fn` must be synchronous. Returns `fn`'s result.
 * ```ts
 * nn.utils.parametrize.cached(() => { for (const x of xs) h = rnn.forward(x, h); });
 * ```
 */
export function cached<T>(fn: () => T): T {
  if (typeof fn !== "function") throw new TensileError(`parametrize.cached: expected a function to run, got ${fmtValue(fn)}`);
  cacheDepth++;
  try {
    return fn();
  } finally {
    if (--cacheDepth === 0) cache = new Map();
  }
}

/** `module.parametrizations` when it is the ModuleDict this file made. */
function dictOf(module: Module): ModuleDict<ParametrizationList> | null {
  const d = Object.getOwnPropertyDescriptor(module, "parametrizations")?.value;
  return d instanceof ModuleDict ? (d as ModuleDict<ParametrizationList>) : null;
}

function computeParametrized(module: Module, name: string): Tensor {
  const list = dictOf(module)?.get(name);
  if (!list) throw new TensileError(`parametrize: ${module.constructor.name} has no parametrization on "${name}"`);
  if (cacheDepth === 0) return list.value();
  let perModule = cache.get(module);
  if (!perModule) cache.set(module, (perModule = new Map()));
  let t = perModule.get(name);
  if (t === undefined) perModule.set(name, (t = list.value()));
  return t;
}

/** The accessor of a parametrized tensor; `this`-based, so a copied descriptor (deepcopy) works on the copy. */
function defineAccessor(module: Module, name: string): void {
  Object.defineProperty(module, name, {
    get(this: Module) { return computeParametrized(this, name); },
    set(this: Module, value: Tensor) { dictOf(this)!.get(name).rightInverse(value); },
    enumerable: false,
    configurable: true,
  });
}

type Ctor = new (...args: any[]) => Module;
/** Injected `Parametrized<Class>` → the class it extends. */
const baseClass = new WeakMap<object, Ctor>();

function injectClass(module: Module): void {
  const cls = module.constructor as Ctor;
  if (baseClass.has(cls)) return;
  const Parametrized = class extends cls {};
  Object.defineProperty(Parametrized, "name", { value: `Parametrized${cls.name}` });
  baseClass.set(Parametrized, cls);
  Object.setPrototypeOf(module, Parametrized.prototype);
}

/** The class of `module` before any parametrization was registered (PyTorch's `type_before_parametrizations`). */
export function typeBeforeParametrizations(module: Module): Ctor {
  const cls = module.constructor as Ctor;
  return (isParametrized(module) ? baseClass.get(cls) : undefined) ?? cls;
}

/** The class name before parametrization, for messages. */
const nameOf = (m: Module): string => typeBeforeParametrizations(m).name;

// ---- public functions ----

/**
 * Whether `module` has a parametrization on `tensorName` (or on any tensor when omitted), as
 * `torch.nn.utils.parametrize.is_parametrized`.
 */
export function isParametrized(module: Module, tensorName?: string | null): boolean {
  if (!(module instanceof Module)) return false;
  const d = dictOf(module);
  if (d === null) return false;
  return tensorName == null ? d.size > 0 : d.has(tensorName);
}

export interface RegisterParametrizationOptions {
  /** Skip the checks that the parametrization keeps the tensor's shape and dtype (default false). */
  unsafe?: boolean;
}

/**
 * Reparametrizes the parameter or buffer `tensorName` of `module` by `parametrization`, a module
 * whose `forward(original)` returns the tensor to use, as PyTorch 1.13's
 * `register_parametrization`. Afterwards `module[tensorName]` is computed on every access; the
 * original lives at `module.parametrizations[tensorName].original` (state-dict key
 * `parametrizations.<tensorName>.original`), set at registration to `rightInverse(current value)`
 * when the parametrization has a `rightInverse` method (several tensors: `original0`, …).
 * Registering again on the same tensor appends to the chain. Assigning `module[tensorName] = value`
 * runs the `rightInverse`s. Unless `unsafe`, the parametrized tensor must keep its shape and dtype.
 * Returns `module`.
 * ```ts
 * class Symmetric extends nn.Module {
 *   forward(X: Tensor) { return X.triu().add(X.triu(1).t()); }
 * }
 * const m = nn.utils.parametrize.registerParametrization(new nn.Linear(3, 3), "weight", new Symmetric());
 * Object.keys(m.stateDict()); // ["bias", "parametrizations.weight.original"]
 * ```
 */
export function registerParametrization<M extends Module>(module: M, tensorName: string, parametrization: Module, options: RegisterParametrizationOptions = {}): M {
  const op = "registerParametrization";
  if (!(module instanceof Module)) throw new TensileError(`${op}: expected an nn.Module, got ${fmtValue(module)}`);
  if (typeof tensorName !== "string") throw new TensileError(`${op}: the tensor name must be a string, got ${fmtValue(tensorName)}`);
  if (!(parametrization instanceof Module)) throw new TensileError(`${op}: the parametrization must be an nn.Module, got ${fmtValue(parametrization)}`);
  const { unsafe = false } = options ?? {};
  const label = `${nameOf(module)}.${tensorName}`;
  parametrization.train(module.training);
  const p = parametrization as WithRightInverse;
  if (isParametrized(module, tensorName)) {
    const list = dictOf(module)!.get(tensorName);
    if (!unsafe) {
      const Y = slot(module)[tensorName] as Tensor;
      const X: unknown = p.forward(Y);
      checkResult(X, Y.dtype, Y.shape, `${label} has`, "the parametrization returns", "");
      if (typeof p.rightInverse === "function") {
        let Z: unknown;
        try {
          Z = noGrad(() => p.rightInverse!(X as Tensor));
        } catch (e) {
          if (!(e instanceof RightInverseNotImplemented)) throw e;
        }
        if (Z !== undefined) {
          if (!(Z instanceof Tensor)) throw new TensileError(`${op}: parametrization.rightInverse must return a tensor for ${label}, got ${fmtValue(Z)}`);
          if (Z.dtype !== Y.dtype || !sameShape(Z.shape, Y.shape))
            throw new TensileError(
              `${op}: the tensor returned by rightInverse must have the shape and dtype of ${label}, unless unsafe is set: ` +
              `${label} is ${fmtShape(Y.shape)} ${Y.dtype}, rightInverse returned ${fmtShape(Z.shape)} ${Z.dtype}`);
        }
      }
    }
    list.append(p);
    list.unsafe ||= unsafe;
    return module;
  }
  const own = Object.getOwnPropertyDescriptor(module, tensorName);
  const isParam = own?.value instanceof Parameter;
  const isBuffer = !isParam && module.namedBuffers("", false).some(([k]) => k === tensorName);
  if (!isParam && !isBuffer)
    throw new TensileError(`${op}: ${nameOf(module)} has no parameter, buffer or parametrized tensor named "${tensorName}"`);
  const original = slot(module)[tensorName] as Tensor;
  const list = new ParametrizationList([p], original, unsafe, label);
  delete slot(module)[tensorName]; // a parameter's own property; a buffer's accessor (so it leaves the buffer table)
  if (tensorName in module) throw new TensileError(`${op}: cannot replace ${label}: the class itself defines "${tensorName}"`);
  if (!isParametrized(module)) {
    injectClass(module);
    if (dictOf(module) === null) module.registerModule("parametrizations", new ModuleDict());
  }
  defineAccessor(module, tensorName);
  dictOf(module)!.set(tensorName, list);
  return module;
}

export interface RemoveParametrizationsOptions {
  /** Keep the current parametrized value as the plain tensor (default true), else restore the original. */
  leaveParametrized?: boolean;
}

/**
 * Removes the parametrizations of `tensorName`, as PyTorch 1.13's `remove_parametrizations`: the
 * tensor becomes a plain parameter (or buffer) of `module` again, holding its current parametrized
 * value (`leaveParametrized`, default) or the original. When no parametrization is left,
 * `module.parametrizations` goes and the class is restored. Returns `module`.
 */
export function removeParametrizations<M extends Module>(module: M, tensorName: string, options: RemoveParametrizationsOptions = {}): M {
  const op = "removeParametrizations";
  if (!(module instanceof Module)) throw new TensileError(`${op}: expected an nn.Module, got ${fmtValue(module)}`);
  const { leaveParametrized = true } = options ?? {};
  if (!isParametrized(module, tensorName))
    throw new TensileError(`${op}: ${nameOf(module)} does not have a parametrization on "${String(tensorName)}"`);
  const dict = dictOf(module)!;
  const list = dict.get(tensorName);
  let original: Tensor;
  if (list.isTensor) {
    original = list.original;
    if (leaveParametrized) {
      const t = noGrad(() => slot(module)[tensorName] as Tensor);
      original = setValue(original, t);
    }
  } else {
    if (!leaveParametrized)
      throw new TensileError(`${op}: cannot leave ${nameOf(module)}.${tensorName} unparametrized (leaveParametrized: false): it is parametrized by a sequence of tensors`);
    const t = slot(module)[tensorName] as Tensor;
    original = t.requiresGrad ? new Parameter(t.detach()) : t;
  }
  cache.get(module)?.delete(tensorName);
  delete slot(module)[tensorName];
  dict.pop(tensorName);
  registerParameterOrBuffer(module, tensorName, original);
  if (!isParametrized(module)) {
    const base = baseClass.get(module.constructor);
    delete slot(module).parametrizations;
    if (base) Object.setPrototypeOf(module, base.prototype);
  }
  return module;
}
