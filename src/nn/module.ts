import { Parameter, Tensor, noGrad, zerosLike } from "../core.js";
import type { DType } from "../core.js";
import { TensileError, isDevice } from "../errors.js";
import { addIndent } from "./repr.js";
import { setToNoneArg } from "../utils/positional.js";
import { type ToArgs, readToArgs } from "../tensor/to-args.js";
import { type BackwardHook, BackwardHookCall } from "./backward-hook.js";
import { isGradEnabled } from "../autograd/grad-mode.js";
import { checkHookResult, checkMemberName, isTakenForBuffer, orderUnexpectedKeys, withGrad } from "./module-names.js";
import { keyErrors, renamedKeyHint, strictArg, valueErrors } from "./load-state-dict.js";
import { type StateDictPostHook, addStateDictPostHook, runStateDictPostHooks } from "./state-dict-hooks.js";

import { RemovableHandle, type ForwardHook, type ForwardPreHook, type LoadStateDictPostHook, type LoadStateDictResult, type StateDict } from "./module-types.js";
export { RemovableHandle };
export type { ForwardHook, ForwardPreHook, LoadStateDictPostHook, LoadStateDictResult, StateDict };

/** The state-dict key suffix of a module's extra state (PyTorch's `_EXTRA_STATE_KEY_SUFFIX`). */
const EXTRA_STATE = "_extra_state";

let nextHookId = 0;

/**
 * Base class of every layer and model, as `torch.nn.Module`.
 *
 * State is discovered, not registered: a module's parameters are its own enumerable properties
 * holding a `Parameter`, its children are its own enumerable properties holding a `Module`, both
 * in definition order (class fields in the order written). Buffers (running statistics and other
 * non-trainable state) are registered explicitly with `registerBuffer(name, tensor)` under the exact
 * key they get in `stateDict()`, e.g. PyTorch's snake_case `running_mean`, and then read as
 * attributes (`this.running_mean`), as in PyTorch. Plain tensors, arrays of
 * modules and other values in properties are not state (use `ModuleList` / `ModuleDict`).
 *
 * `forward` is wrapped per instance so that forward pre-hooks and hooks run around it whenever
 * it is called, `model.forward(x)` being the TypeScript spelling of PyTorch's `model(x)`.
 *
 * ```ts
 * class Net extends nn.Module {
 *   fc1 = new nn.Linear(784, 500);
 *   relu = new nn.ReLU();
 *   fc2 = new nn.Linear(500, 10);
 *   forward(x: Tensor) { return this.fc2.forward(this.relu.forward(this.fc1.forward(x))); }
 * }
 * Object.keys(new Net().stateDict()); // ["fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias"]
 * ```
 */
export class Module {
  /** Whether the module is in training mode; flip it with `train()` / `eval()`. */
  training = true;
  #buffers = new Map<string, Tensor | null>();
  #nonPersistent = new Set<string>();
  /** Buffers read as attributes: `delete module.name` (Python's `del`) removes such a buffer. */
  #exposed = new Set<string>();
  #preHooks = new Map<number, ForwardPreHook>();
  #hooks = new Map<number, ForwardHook>();
  #backwardHooks = new Map<number, BackwardHook>();
  #loadPostHooks = new Map<number, LoadStateDictPostHook>();

  constructor() {
    // `this.forward` already resolves to the most derived class's method here; wrap it so that
    // hooks run on every call. Non-enumerable, so it is never mistaken for state.
    const impl = this.forward;
    Object.defineProperty(this, "forward", {
      value: (...args: unknown[]) => this.#callForward(impl, args),
      writable: true,
      configurable: true,
      enumerable: false,
    });
  }

  /** The computation of the module; subclasses override it. */
  forward(..._args: any[]): any {
    throw new TensileError(`${this.constructor.name}: module is missing the required "forward" function`);
  }

  #callForward(impl: (...args: any[]) => any, args: unknown[]): unknown {
    if (this.#preHooks.size === 0 && this.#hooks.size === 0 && this.#backwardHooks.size === 0) return impl.apply(this, args);
    for (const hook of [...this.#preHooks.values()]) {
      const r = hook(this, args);
      checkHookResult(this, "forward pre-hook", r, args[0]);
      if (r !== undefined) args = Array.isArray(r) ? r : [r];
    }
    // as PyTorch: arguments pass the backward hooks' gate after the pre-hooks, outputs after the hooks
    const bw = this.#backwardHooks.size > 0 && isGradEnabled() ? new BackwardHookCall(this, [...this.#backwardHooks.values()]) : null;
    // the forward hooks see the arguments forward saw (behind the gate), so what they compute from
    // them reaches gradInput, as in PyTorch
    if (bw) args = bw.wrapInputs(args);
    let out = impl.apply(this, args);
    for (const hook of [...this.#hooks.values()]) {
      const r = hook(this, args, out);
      checkHookResult(this, "forward hook", r, out);
      if (r !== undefined) out = r;
    }
    return bw ? bw.wrapOutputs(out) : out;
  }

  /** `hook(module, args)` runs before every `forward`; a returned value replaces the arguments. */
  registerForwardPreHook(hook: ForwardPreHook): RemovableHandle {
    const id = nextHookId++;
    this.#preHooks.set(id, hook);
    return new RemovableHandle(() => this.#preHooks.delete(id));
  }

  /** `hook(module, args, output)` runs after every `forward`; a returned value replaces the output. */
  registerForwardHook(hook: ForwardHook): RemovableHandle {
    const id = nextHookId++;
    this.#hooks.set(id, hook);
    return new RemovableHandle(() => this.#hooks.delete(id));
  }

  /**
   * `hook(module, gradInput, gradOutput)` runs during backward once the gradients with respect to
   * the module's tensor arguments are known (PyTorch's `register_full_backward_hook`): one entry per
   * positional argument and per output (each element of an array output), null where no gradient
   * flows (PyTorch gives zeros for a tensor argument that does not require grad). A returned array
   * replaces `gradInput`. When no argument requires grad it runs once the outputs' gradients are
   * known, with `gradInput` all null.
   */
  registerFullBackwardHook(hook: BackwardHook): RemovableHandle {
    if (typeof hook !== "function")
      throw new TensileError(`${this.constructor.name}.registerFullBackwardHook: expected a function, got ${typeof hook}`);
    const id = nextHookId++;
    this.#backwardHooks.set(id, hook);
    return new RemovableHandle(() => this.#backwardHooks.delete(id));
  }

  /**
   * PyTorch's deprecated `register_backward_hook`: here the same as `registerFullBackwardHook`
   * (PyTorch's non-full hook saw only the last op's gradients, which it warns can be wrong for
   * modules of several ops; the full hook gives the module's). Use `registerFullBackwardHook`.
   * @deprecated
   */
  registerBackwardHook(hook: BackwardHook): RemovableHandle {
    if (typeof hook !== "function") throw new TensileError(`${this.constructor.name}.registerBackwardHook: expected a function, got ${typeof hook}`);
    return this.registerFullBackwardHook(hook);
  }

  /**
   * `hook(module, incompatibleKeys)` runs after `loadStateDict` has loaded this module and its
   * children (PyTorch's `register_load_state_dict_post_hook`). `incompatibleKeys.missingKeys` and
   * `.unexpectedKeys` are the lists of the whole load, so a hook may remove (or add) keys before
   * strict mode checks them. It must return nothing.
   *
   * ```ts
   * model.registerLoadStateDictPostHook((_m, keys) => { keys.missingKeys.length = 0; }); // tolerate missing keys
   * ```
   */
  registerLoadStateDictPostHook(hook: LoadStateDictPostHook): RemovableHandle {
    if (typeof hook !== "function") throw new TensileError(`${this.constructor.name}.registerLoadStateDictPostHook: expected a function, got ${typeof hook}`);
    const id = nextHookId++;
    this.#loadPostHooks.set(id, hook);
    return new RemovableHandle(() => this.#loadPostHooks.delete(id));
  }

  /**
   * `hook(module, stateDict, prefix)` runs when `stateDict()` is built, after this module's entries and
   * its children's are in (PyTorch 1.13's `_register_state_dict_hook`, later `register_state_dict_post_hook`);
   * it may edit the dict in place (`sd[prefix + "calls"] = m.calls`), and on the module `stateDict()`
   * is called on, return a replacement.
   */
  registerStateDictPostHook(hook: StateDictPostHook): RemovableHandle {
    return addStateDictPostHook(this, hook);
  }

  // ---- discovery ----

  /** This module's own members as `[name, value]` in definition order. Containers override it. */
  protected members(): Iterable<[string, unknown]> {
    return Object.entries(this);
  }

  #directParameters(): [string, Parameter][] {
    const out: [string, Parameter][] = [];
    for (const [k, v] of this.members()) if (v instanceof Parameter) out.push([k, v]);
    return out;
  }

  #directBuffers(persistentOnly: boolean): [string, Tensor][] {
    const out: [string, Tensor][] = [];
    this.#dropDeletedBuffers();
    for (const [k, v] of this.#buffers) if (v !== null && !(persistentOnly && this.#nonPersistent.has(k))) out.push([k, v]);
    return out;
  }

  /** Children as `[name, module]`, as `named_children()` (a module held twice is listed once). */
  namedChildren(): [string, Module][] {
    const out: [string, Module][] = [];
    const seen = new Set<Module>();
    for (const [k, v] of this.members()) {
      if (v instanceof Module && !seen.has(v)) {
        seen.add(v);
        out.push([k, v]);
      }
    }
    return out;
  }

  children(): Module[] {
    return this.namedChildren().map(([, m]) => m);
  }

  /** This module and all below it, pre-order, as `[dottedName, module]` (the root is `""`). */
  namedModules(prefix = "", removeDuplicate = true): [string, Module][] {
    const out: [string, Module][] = [];
    const memo = new Set<Module>();
    const visit = (m: Module, p: string): void => {
      if (removeDuplicate) {
        if (memo.has(m)) return;
        memo.add(m);
      }
      out.push([p, m]);
      for (const [k, v] of m.members()) if (v instanceof Module) visit(v, p ? `${p}.${k}` : k);
    };
    visit(this, prefix);
    return out;
  }

  modules(): Module[] {
    return this.namedModules().map(([, m]) => m);
  }

  #namedMembers<T>(get: (m: Module) => [string, T][], prefix: string, recurse: boolean, removeDuplicate: boolean): [string, T][] {
    const mods: [string, Module][] = recurse ? this.namedModules(prefix, removeDuplicate) : [[prefix, this]];
    const seen = new Set<T>();
    const out: [string, T][] = [];
    for (const [mp, m] of mods) {
      for (const [k, v] of get(m)) {
        if (removeDuplicate) {
          if (seen.has(v)) continue;
          seen.add(v);
        }
        out.push([mp ? `${mp}.${k}` : k, v]);
      }
    }
    return out;
  }

  /** `[dottedName, parameter]` for this module and (with `recurse`) all below it, each parameter once. */
  namedParameters(prefix = "", recurse = true, removeDuplicate = true): [string, Parameter][] {
    return this.#namedMembers((m) => m.#directParameters(), prefix, recurse, removeDuplicate);
  }

  parameters(recurse = true): Parameter[] {
    return this.namedParameters("", recurse).map(([, p]) => p);
  }

  /** `[dottedName, buffer]`, non-persistent buffers included (as PyTorch's `named_buffers`). */
  namedBuffers(prefix = "", recurse = true, removeDuplicate = true): [string, Tensor][] {
    return this.#namedMembers((m) => m.#directBuffers(false), prefix, recurse, removeDuplicate);
  }

  buffers(recurse = true): Tensor[] {
    return this.namedBuffers("", recurse).map(([, b]) => b);
  }

  // ---- registration ----

  /**
   * Registers a buffer: state that is saved in `stateDict()` (unless `persistent: false`) but is not
   * a parameter, such as BatchNorm's `running_mean`. `name` is the state-dict key, used verbatim.
   * Registering the same name again replaces the tensor; `null` keeps the slot but saves nothing.
   */
  registerBuffer(name: string, tensor: Tensor | null, options: { persistent?: boolean } = {}): void {
    const { persistent = true } = options ?? {};
    checkMemberName(this, "Buffer", name);
    if (tensor !== null && !(tensor instanceof Tensor))
      throw new TensileError(`${this.constructor.name}.registerBuffer: cannot assign ${typeof tensor} as buffer "${name}" (Tensor or null expected)`);
    this.#dropDeletedBuffers();
    if (!this.#buffers.has(name) && isTakenForBuffer(this, name)) // as PyTorch: `training`, `forward`, a child, a parameter
      throw new TensileError(`${this.constructor.name}.registerBuffer: attribute "${name}" already exists`);
    this.#buffers.set(name, tensor);
    if (persistent) this.#nonPersistent.delete(name);
    else this.#nonPersistent.add(name);
    this.#exposeBuffer(name);
  }

  /**
   * As in PyTorch, a buffer reads as an attribute (`this.pe` after `registerBuffer("pe", t)`), and
   * assigning a tensor (or null) to it replaces the buffer. The accessor is not enumerable, so it
   * is never mistaken for a plain property; a name the class itself defines (a method or getter)
   * or an own property holding something else is left alone.
   */
  #exposeBuffer(name: string): void {
    const own = Object.getOwnPropertyDescriptor(this, name);
    if (own ? own.get !== undefined && (own.get as { buffer?: boolean }).buffer !== true : name in this) return;
    if (own && own.get === undefined && !(own.value === undefined || own.value === null || (own.value instanceof Tensor && !(own.value instanceof Parameter)))) return;
    const get = Object.assign(() => this.#buffers.get(name) ?? null, { buffer: true });
    const set = (t: Tensor | null) => this.registerBuffer(name, t, { persistent: !this.#nonPersistent.has(name) });
    Object.defineProperty(this, name, { get, set, enumerable: false, configurable: true });
    this.#exposed.add(name);
  }

  /**
   * Forgets the buffers whose attribute was deleted (`delete module.running_mean`, as Python's
   * `del module.running_mean`): they leave the state dict and their names are free again. Run
   * before every read of the buffer table.
   */
  #dropDeletedBuffers(): void {
    for (const name of this.#exposed) {
      const own = Object.getOwnPropertyDescriptor(this, name);
      if (own?.get && (own.get as { buffer?: boolean }).buffer === true) continue;
      this.#exposed.delete(name);
      this.#buffers.delete(name);
      this.#nonPersistent.delete(name);
    }
  }

  /** Adds a parameter under an exact name (for names that are not valid or wanted as properties). */
  registerParameter(name: string, param: Parameter | null): void {
    checkMemberName(this, "Parameter", name);
    if (param !== null && !(param instanceof Parameter))
      throw new TensileError(`${this.constructor.name}.registerParameter: cannot assign ${typeof param} as parameter "${name}" (Parameter or null expected)`);
    this.#defineMember("registerParameter", name, param);
  }

  /** Adds a child module under an exact name, as `add_module`. */
  registerModule(name: string, module: Module | null): void {
    checkMemberName(this, "Module", name);
    if (module !== null && !(module instanceof Module))
      throw new TensileError(`${this.constructor.name}.registerModule: ${typeof module} is not a Module subclass`);
    this.#defineMember("registerModule", name, module);
  }

  addModule(name: string, module: Module | null): void {
    this.registerModule(name, module);
  }

  #defineMember(op: string, name: string, value: unknown): void {
    this.#dropDeletedBuffers();
    // Like PyTorch, refuse to shadow an attribute that is not state (a method, getter, the forward wrapper, a field),
    // and let a parameter replace only a parameter, a module only a module.
    const own = Object.getOwnPropertyDescriptor(this, name);
    const v: unknown = own?.value;
    const isSlot = own?.enumerable && (v === undefined || v === null || (op === "registerModule" ? v instanceof Module : v instanceof Parameter));
    if (this.#buffers.has(name) || (own ? !isSlot : name in this))
      throw new TensileError(`${this.constructor.name}.${op}: attribute "${name}" already exists`);
    Object.defineProperty(this, name, { value, writable: true, enumerable: true, configurable: true });
  }

  /** The module at a dotted path (`"layer1.0.conv1"`); `""` is this module. */
  getSubmodule(target: string): Module {
    let m: Module = this;
    if (target === "") return m;
    for (const p of target.split(".")) {
      const next = [...m.members()].find(([k]) => k === p)?.[1];
      if (!(next instanceof Module)) throw new TensileError(`getSubmodule: ${m.constructor.name} has no submodule "${p}" (in "${target}")`);
      m = next;
    }
    return m;
  }

  #resolve(target: string): [Module, string] {
    const i = target.lastIndexOf(".");
    return i < 0 ? [this, target] : [this.getSubmodule(target.slice(0, i)), target.slice(i + 1)];
  }

  getParameter(target: string): Parameter {
    const [m, last] = this.#resolve(target);
    const p = m.#directParameters().find(([k]) => k === last)?.[1];
    if (!p) throw new TensileError(`getParameter: ${m.constructor.name} has no parameter "${last}" (in "${target}")`);
    return p;
  }

  /**
   * The buffer at a dotted path (`"bn.running_mean"`); `null` when it was registered as `null`
   * (as BatchNorm's running stats with `trackRunningStats: false`). Throws if there is no such buffer.
   */
  getBuffer(target: string): Tensor | null {
    const [m, last] = this.#resolve(target);
    m.#dropDeletedBuffers();
    if (!m.#buffers.has(last)) throw new TensileError(`getBuffer: ${m.constructor.name} has no buffer "${last}" (in "${target}")`);
    return m.#buffers.get(last) ?? null;
  }

  // ---- modes and bulk operations ----

  /** Sets training mode on this module and every descendant; returns `this`. */
  train(mode = true): this {
    if (typeof mode !== "boolean") throw new TensileError(`train: training mode is expected to be boolean, got ${typeof mode}`);
    this.training = mode;
    for (const c of this.children()) c.train(mode);
    return this;
  }

  /** `train(false)`: dropout off, batch norm uses running statistics. */
  eval(): this {
    return this.train(false);
  }

  /**
   * Resets the gradients of all parameters. As PyTorch 2 (and unlike 1.13's default), grads become
   * `null` (`setToNone = true`), which saves memory and lets optimizers skip untouched parameters;
   * `zeroGrad(false)` or `zeroGrad({ setToNone: false })` (the optimizer's form) zeroes them in place instead.
   */
  zeroGrad(setToNoneOrOptions?: boolean | { setToNone?: boolean } | null): void {
    const setToNone = setToNoneArg("Module.zeroGrad", setToNoneOrOptions);
    for (const p of this.parameters()) {
      const grad = p._peekGrad();
      if (grad === null) continue;
      if (setToNone) p._dropGrad();
      else noGrad(() => grad.zero_());
    }
  }

  /** Sets `requiresGrad` on every parameter (freeze with `requiresGrad_(false)`); returns `this`. */
  requiresGrad_(requiresGrad = true): this {
    for (const p of this.parameters()) p.requiresGrad_(requiresGrad);
    return this;
  }

  /** Calls `fn` on every submodule (children first) and then on `this`; returns `this`. */
  apply(fn: (m: Module) => void): this {
    for (const c of this.children()) c.apply(fn);
    fn(this);
    return this;
  }

  /**
   * Casts floating-point parameters and buffers to `dtype`; `to("cpu")` returns the module unchanged
   * (other devices throw). Parameters are replaced by new `Parameter`s (as PyTorch with
   * `overwrite_module_params_on_conversion`; 1.13 swaps `.data` in place), so build optimizers after
   * casting; grads are cast too, and a parameter held twice in the module stays one (ties kept).
   * PyTorch's forms: `model.to(device)`, `model.to("float64")`, `model.to(device, "float64")`,
   * `model.to(tensor)` (its dtype), `model.to({ device, dtype, nonBlocking })` (`nonBlocking` ignored).
   */
  to(...args: ToArgs): this {
    const { dtype } = readToArgs("Module.to", args, false);
    if (dtype === null) return this;
    if (dtype !== "float32" && dtype !== "float64") throw new TensileError(`Module.to: nn.Module only accepts floating point dtypes, got ${dtype}`);
    const cast = (t: Tensor) => (t.dtype !== dtype && (t.dtype === "float32" || t.dtype === "float64") ? t.detach().to(dtype) : null);
    return this.#replaceTensors(cast, cast);
  }

  /**
   * In every module, replaces each parameter p by a new `Parameter` of `param(p)` (same
   * requiresGrad) and each buffer b by `buffer(b)`; a null result keeps the tensor.
   */
  #replaceTensors(param: (p: Parameter, name: string, owner: Module) => Tensor | null, buffer: (b: Tensor) => Tensor | null): this {
    const done = new Map<Tensor, Tensor | null>(); // a tensor held twice (tied) gets one replacement
    for (const m of this.modules()) {
      for (const [k, v] of Object.entries(m)) {
        if (!(v instanceof Parameter)) continue;
        if (!done.has(v)) done.set(v, ((t) => (t ? withGrad(new Parameter(t, v.requiresGrad), v, buffer) : null))(param(v, k, m)));
        if (done.get(v)) Object.defineProperty(m, k, { value: done.get(v), writable: true, enumerable: true, configurable: true });
      }
      m.#dropDeletedBuffers();
      for (const [k, b] of m.#buffers) {
        if (b && !done.has(b)) done.set(b, buffer(b));
        if (b && done.get(b)) m.#buffers.set(k, done.get(b)!);
      }
    }
    return this;
  }

  double(): this { return this.to("float64"); }
  float(): this { return this.to("float32"); }
  /** PyTorch's `model.cpu()`: Tensile computes on the CPU, so the module itself. */
  cpu(): this { return this; }

  /**
   * Casts every parameter and buffer to `dtype` (PyTorch's `module.type(dst_type)`): unlike `to`,
   * integer buffers too (BatchNorm's `num_batches_tracked`). Parameters become new `Parameter`s, as with `to`.
   */
  type(dtype: DType): this {
    if (!["float32", "float64", "int32", "bool"].includes(dtype as string)) throw new TensileError(`Module.type: invalid type ${String(dtype)} (expected float32, float64, int32 or bool)`);
    return this.#replaceTensors((p, k, m) => {
      if (p.dtype === dtype) return null;
      if (p.requiresGrad && dtype !== "float32" && dtype !== "float64")
        throw new TensileError(`Module.type: cannot cast parameter "${k}" of ${m.constructor.name} to ${dtype}: only floating point tensors can require gradients`);
      return p.detach().to(dtype);
    }, (b) => (b.dtype !== dtype ? b.to(dtype) : null));
  }

  /**
   * Re-allocates every parameter and buffer (PyTorch's `to_empty(device=...)`, which gives a module
   * built on the meta device real, uninitialised storage): new tensors of the same shapes and dtypes,
   * zero-filled (Tensile's `empty` zero-fills too). Parameters become new `Parameter`s.
   */
  toEmpty(options: { device?: string } = {}): this {
    const { device = "cpu" } = options ?? {};
    isDevice("Module.toEmpty", device);
    return this.#replaceTensors((p) => zerosLike(p.detach()), (b) => zerosLike(b));
  }

  /** PyTorch's `share_memory()` (moves storage to shared memory for multiprocessing): Tensile has one process, so the module itself. */
  shareMemory(): this { return this; }

  // ---- extra state ----

  /**
   * State beyond parameters and buffers that `stateDict()` should save (PyTorch's `get_extra_state`).
   * A module that overrides it gets a `prefix + "_extra_state"` entry in its state dict holding the
   * returned value (any value, not necessarily a Tensor), and `loadStateDict` hands that entry to
   * `setExtraState`. Override both. The base methods throw, as PyTorch's.
   */
  getExtraState(): unknown {
    throw new TensileError(`${this.constructor.name}.getExtraState: reached a code path that should never be called; override getExtraState() to return the module's extra state`);
  }

  /** Restores what `getExtraState` returned (PyTorch's `set_extra_state`); see `getExtraState`. */
  setExtraState(_state: unknown): void {
    throw new TensileError(`${this.constructor.name}.setExtraState: reached a code path that should never be called; override setExtraState() to restore the module's extra state`);
  }

  // ---- state dict ----

  /** Parameters, persistent buffers, then (with `extra`) the extra state of a module that overrides `getExtraState`, then the children's. */
  #stateEntries(prefix: string, out: [string, Tensor][], extra = false): [string, Tensor][] {
    for (const [k, p] of this.#directParameters()) out.push([prefix + k, p]);
    for (const [k, b] of this.#directBuffers(true)) out.push([prefix + k, b]);
    if (extra && this.getExtraState !== Module.prototype.getExtraState) out.push([prefix + EXTRA_STATE, this.getExtraState() as Tensor]); // any value, as PyTorch's
    for (const [k, v] of this.members()) if (v instanceof Module) v.#stateEntries(`${prefix}${k}.`, out, extra);
    return out;
  }

  /**
   * Parameters and persistent buffers by dotted key, in PyTorch's order (each module's parameters,
   * then its buffers, then its children). Values are detached tensors that share storage with the
   * module (`keepVars: true` returns the parameters themselves).
   */
  stateDict(options: { keepVars?: boolean } = {}): StateDict {
    const { keepVars = false } = options ?? {};
    const sd: StateDict = {};
    for (const [k, t] of this.#stateEntries("", [], true)) sd[k] = t instanceof Tensor && !keepVars ? t.detach() : t;
    return runStateDictPostHooks(this, sd);
  }

  /**
   * Copies `stateDict` into this module's parameters and buffers (in place, so optimizers keep
   * working), and hands each `…_extra_state` entry to the module's `setExtraState`. With `strict`
   * (default), missing and unexpected keys are errors; shape mismatches always are. All problems are
   * listed in one `TensileError`, and nothing is copied when it throws — unless a load post hook is
   * registered: then, as in PyTorch, the hooks run after loading (children's first) and may edit
   * the key lists before the strict check. `strict` may also be given positionally, as PyTorch's
   * `model.load_state_dict(sd, False)`: `loadStateDict(sd, false)`.
   */
  loadStateDict(stateDict: StateDict | Map<string, Tensor>, options: { strict?: boolean } | boolean = {}): LoadStateDictResult {
    const strict = strictArg(options);
    const given = stateDict instanceof Map ? stateDict : new Map(Object.entries(stateDict));
    const own = this.#stateEntries("", []);
    // the modules that override setExtraState take a `prefix + "_extra_state"` entry (PyTorch's)
    const extra = this.namedModules("", false)
      .filter(([, m]) => m.setExtraState !== Module.prototype.setExtraState)
      .map(([p, m]) => [p ? `${p}.${EXTRA_STATE}` : EXTRA_STATE, m] as const);
    const ownKeys = new Set([...own.map(([k]) => k), ...extra.map(([k]) => k)]);
    const missingKeys = [...own.map(([k]) => k), ...extra.map(([k]) => k)].filter((k) => !given.has(k));
    const unexpectedKeys = orderUnexpectedKeys([...given.keys()].filter((k) => !ownKeys.has(k)), this.namedModules("", false).map(([p]) => p));
    const errors = valueErrors(own, given);
    const fail = (errs: string[]) => {
      if (strict) errs = [...keyErrors(missingKeys, unexpectedKeys), ...errs, ...renamedKeyHint(missingKeys, unexpectedKeys)];
      if (errs.length) throw new TensileError(`loadStateDict: Error(s) in loading state_dict for ${this.constructor.name}:\n\t${errs.join("\n\t")}`);
    };
    // Without post hooks nothing is copied when loading fails; a post hook may still clear the key
    // lists, so with one the strict check comes after loading and the hooks, as in PyTorch.
    const hooked = this.modules().some((m) => m.#loadPostHooks.size > 0);
    if (!hooked || errors.length) fail(errors);
    noGrad(() => {
      for (const [k, t] of own) if (given.has(k)) t.copy_(given.get(k)!);
    });
    for (const [k, m] of extra) if (given.has(k)) m.setExtraState(given.get(k));
    const result: LoadStateDictResult = { missingKeys, unexpectedKeys };
    if (hooked) {
      const runHooks = (m: Module): void => {
        for (const [, c] of m.members()) if (c instanceof Module) runHooks(c);
        for (const hook of [...m.#loadPostHooks.values()])
          if (hook(m, result) !== undefined)
            throw new TensileError(`loadStateDict: a load_state_dict post hook of ${m.constructor.name} returned a value; hooks should not modify the load_state_dict return value (they may edit incompatibleKeys in place)`);
      };
      runHooks(this);
      fail([]);
    }
    return result;
  }

  // ---- printing ----

  /** Extra text inside this module's parentheses in `toString()`, e.g. `in_features=784, ...`. */
  extraRepr(): string {
    return "";
  }

  /** PyTorch's `repr(module)`: the class name, `extraRepr()`, then each child indented. */
  toString(): string {
    const extra = this.extraRepr();
    const extraLines = extra ? extra.split("\n") : [];
    const childLines: string[] = [];
    for (const [k, m] of this.members()) if (m instanceof Module) childLines.push(`(${k}): ${addIndent(m.toString(), 2)}`);
    const lines = [...extraLines, ...childLines];
    let body = "";
    if (lines.length === 1 && childLines.length === 0) body = lines[0]!;
    else if (lines.length > 0) body = `\n  ${lines.join("\n  ")}\n`;
    return `${this.constructor.name}(${body})`;
  }

  [Symbol.for("nodejs.util.inspect.custom")](): string {
    return this.toString();
  }
}
