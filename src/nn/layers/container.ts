/**
 * Containers: `Sequential` (a pipeline), `ModuleList` (an indexable list), `ModuleDict` (a map),
 * `ParameterList` and `ParameterDict`. Their children get PyTorch's state-dict keys: `0.weight`,
 * `1.bias`, … for the lists and `<key>.weight` for the dict; the parameter containers' own
 * parameters are `0`, `1`, … and `<key>`.
 */
import { TensileError, fmtValue } from "../../errors.js";
import { Module } from "../module.js";
import { Parameter, Tensor } from "../../core.js";

function checkIterable(op: string, v: unknown): void {
  if (typeof v !== "object" || v === null || !(Symbol.iterator in v))
    throw new TensileError(`${op}: expected an iterable of modules (an array), got ${fmtValue(v)}`);
}

function checkModule(op: string, m: unknown, what: string): asserts m is Module {
  if (!(m instanceof Module)) throw new TensileError(`${op}: ${what} is not a Module (got ${m === null ? "null" : typeof m})`);
}

/** The numbered own children "0", "1", … of a list-like container, in order. */
function numbered(self: Module): Module[] {
  const out: Module[] = [];
  for (const [k, v] of Object.entries(self)) if (/^(0|[1-9]\d*)$/.test(k) && v instanceof Module) out.push(v);
  return out;
}

/** All own child modules of `self` in order, a module held twice counted twice (as `_modules`). */
function ownModules(self: Module): Module[] {
  return Object.values(self).filter((v): v is Module => v instanceof Module);
}

/** The own `[key, module]` children of `self` in order, a module held twice listed twice (as `_modules.items()`). */
function ownEntries(self: Module): [string, Module][] {
  return Object.entries(self).filter((e): e is [string, Module] => e[1] instanceof Module);
}

/** Replaces the numbered children of `self` by `list` (renumbering from 0). */
function renumber(self: Module, list: Module[]): void {
  const rec = self as unknown as Record<string, unknown>;
  for (const k of Object.keys(self)) if (/^(0|[1-9]\d*)$/.test(k)) delete rec[k];
  list.forEach((m, i) => self.registerModule(String(i), m));
}

/** `idx` in [-length, length) (for `insert`: [-length, length], a negative one counting as Python's list.insert). */
function wrapIndex(op: string, idx: number, length: number, insert = false): number {
  if (!Number.isInteger(idx) || idx < -length || idx >= (insert ? length + 1 : length)) throw new TensileError(`${op}: index ${idx} is out of range for length ${length}`);
  return idx < 0 ? idx + length : idx;
}

/**
 * Runs its modules in order, feeding each one's output to the next.
 *
 * Children are keyed "0", "1", … (or by name when built from a record or Map), are reachable as
 * `seq[0]` / `seq.at(-1)`, and can be added with `append`, `extend` and `insert`.
 * ```ts
 * const model = new nn.Sequential(new nn.Linear(784, 500), new nn.ReLU(), new nn.Linear(500, 10));
 * Object.keys(model.stateDict()); // ["0.weight", "0.bias", "2.weight", "2.bias"]
 * ```
 */
export class Sequential extends Module {
  [index: number]: Module;

  constructor(...modules: Module[] | [Record<string, Module> | Map<string, Module>]) {
    super();
    const first = modules[0];
    if (modules.length === 1 && !(first instanceof Module) && typeof first === "object" && first !== null) {
      const entries = first instanceof Map ? [...first] : Object.entries(first);
      for (const [k, m] of entries) {
        checkModule("Sequential", m, `entry "${k}"`);
        this.registerModule(k, m);
      }
    } else {
      (modules as Module[]).forEach((m, i) => {
        checkModule("Sequential", m, `argument ${i}`);
        this.registerModule(String(i), m);
      });
    }
  }

  /** Number of modules. */
  get length(): number {
    return ownModules(this).length;
  }

  /** The module at `idx` (negative counts from the end). */
  at(idx: number): Module {
    const list = ownModules(this);
    return list[wrapIndex("Sequential.at", idx, list.length)]!;
  }

  /** A new Sequential of modules `start..end` (as `seq[start:end]`: the modules are shared and keep their keys). */
  slice(start?: number, end?: number): Sequential {
    return new Sequential(new Map(ownEntries(this).slice(start, end)));
  }

  /** Replaces the module at `idx` (negative counts from the end), keeping its key (`seq[idx] = module`). */
  set(idx: number, module: Module): this {
    checkModule("Sequential.set", module, "argument");
    const entries = ownEntries(this);
    this.registerModule(entries[wrapIndex("Sequential.set", idx, entries.length)]![0], module);
    return this;
  }

  /** Removes the module at `idx` and renumbers the rest "0", "1", … (`del seq[idx]`, named keys included). */
  delete(idx: number): this {
    const entries = ownEntries(this);
    const i = wrapIndex("Sequential.delete", idx, entries.length);
    const rec = this as unknown as Record<string, unknown>;
    for (const [k] of entries) delete rec[k];
    entries.filter((_, j) => j !== i).forEach(([, m], j) => this.registerModule(String(j), m));
    return this;
  }

  /** Removes and returns the module at `idx` (default the last), renumbering the rest (`seq.pop(idx)`). */
  pop(idx = -1): Module {
    const list = ownModules(this);
    const i = wrapIndex("Sequential.pop", idx, list.length);
    this.delete(i);
    return list[i]!;
  }

  /** A new Sequential of this one's modules then `other`'s, keyed "0", "1", … (`seq + other`; the modules are shared). */
  concat(other: Sequential): Sequential {
    if (!(other instanceof Sequential)) throw new TensileError(`Sequential.concat: add operator supports only objects of Sequential class, but ${fmtValue(other)} is given`);
    return new Sequential(...ownModules(this), ...ownModules(other));
  }

  append(module: Module): this {
    checkModule("Sequential.append", module, "argument");
    this.registerModule(String(this.length), module);
    return this;
  }

  extend(modules: Iterable<Module>): this {
    checkIterable("Sequential.extend", modules);
    for (const m of modules) this.append(m);
    return this;
  }

  insert(index: number, module: Module): this {
    checkModule("Sequential.insert", module, "argument");
    const list = numbered(this);
    list.splice(wrapIndex("Sequential.insert", index, list.length, true), 0, module);
    renumber(this, list);
    return this;
  }

  [Symbol.iterator](): Iterator<Module> {
    return ownModules(this)[Symbol.iterator]();
  }

  override forward(input: unknown): any {
    let x = input;
    for (const m of ownModules(this)) x = m.forward(x);
    return x;
  }
}

/**
 * A list of modules whose parameters are all registered (a plain array's are not). It has no
 * `forward`; iterate over it in the owner's `forward`.
 * ```ts
 * class Net extends nn.Module {
 *   layers = new nn.ModuleList(Array.from({ length: 3 }, () => new nn.Linear(10, 10)));
 *   forward(x: Tensor) { for (const l of this.layers) x = l.forward(x); return x; }
 * }
 * ```
 */
export class ModuleList<M extends Module = Module> extends Module {
  [index: number]: M;

  constructor(modules: Iterable<M> = []) {
    super();
    this.extend(modules);
  }

  get length(): number {
    return numbered(this).length;
  }

  at(idx: number): M {
    const list = numbered(this) as M[];
    return list[wrapIndex("ModuleList.at", idx, list.length)]!;
  }

  append(module: M): this {
    checkModule("ModuleList.append", module, "argument");
    this.registerModule(String(this.length), module);
    return this;
  }

  extend(modules: Iterable<M>): this {
    checkIterable("ModuleList.extend", modules);
    for (const m of modules) this.append(m);
    return this;
  }

  insert(index: number, module: M): this {
    checkModule("ModuleList.insert", module, "argument");
    const list = numbered(this);
    list.splice(wrapIndex("ModuleList.insert", index, list.length, true), 0, module);
    renumber(this, list);
    return this;
  }

  /** Replaces the module at `idx` (negative counts from the end), as `list[idx] = module`. */
  set(idx: number, module: M): this {
    checkModule("ModuleList.set", module, "argument");
    this.registerModule(String(wrapIndex("ModuleList.set", idx, this.length)), module);
    return this;
  }

  /** Removes the module at `idx` and renumbers the rest (`del list[idx]`). */
  delete(idx: number): this {
    this.pop(wrapIndex("ModuleList.delete", idx, this.length));
    return this;
  }

  /** A new ModuleList of modules `start..end`, renumbered from 0 (`list[start:end]`; the modules are shared). */
  slice(start?: number, end?: number): ModuleList<M> {
    return new ModuleList((numbered(this) as M[]).slice(start, end));
  }

  /** Removes and returns the module at `idx` (default the last), renumbering the rest. */
  pop(idx = -1): M {
    const list = numbered(this) as M[];
    const [m] = list.splice(wrapIndex("ModuleList.pop", idx, list.length), 1);
    renumber(this, list);
    return m!;
  }

  [Symbol.iterator](): Iterator<M> {
    return (numbered(this) as M[])[Symbol.iterator]();
  }

  override forward(): never {
    throw new TensileError("ModuleList: a ModuleList has no forward; iterate over it in the owner's forward");
  }
}

/**
 * An ordered map of named modules, all registered (keys become state-dict prefixes). Any string
 * without "." is a valid key, including ones that would clash with method names.
 * ```ts
 * const heads = new nn.ModuleDict({ cls: new nn.Linear(64, 10), box: new nn.Linear(64, 4) });
 * heads.get("cls").forward(h);
 * ```
 */
export class ModuleDict<M extends Module = Module> extends Module {
  #modules = new Map<string, M>();

  constructor(modules: Record<string, M> | Map<string, M> | Iterable<[string, M]> = {}) {
    super();
    this.update(modules);
  }

  protected override members(): Iterable<[string, unknown]> {
    return [...Object.entries(this), ...this.#modules];
  }

  get size(): number {
    return this.#modules.size;
  }

  get(key: string): M {
    const m = this.#modules.get(key);
    if (!m) throw new TensileError(`ModuleDict.get: no module under key "${key}" (keys: ${[...this.#modules.keys()].join(", ")})`);
    return m;
  }

  set(key: string, module: M): this {
    if (typeof key !== "string" || key === "" || key.includes("."))
      throw new TensileError(`ModuleDict.set: key must be a non-empty string without ".", got ${JSON.stringify(key)}`);
    checkModule("ModuleDict.set", module, `value for "${key}"`);
    this.#modules.set(key, module);
    return this;
  }

  has(key: string): boolean {
    return this.#modules.has(key);
  }

  /** Removes and returns the module under `key`, as `pop`. */
  pop(key: string): M {
    const m = this.get(key);
    this.#modules.delete(key);
    return m;
  }

  clear(): void {
    this.#modules.clear();
  }

  update(modules: Record<string, M> | Map<string, M> | Iterable<[string, M]>): this {
    if (typeof modules !== "object" || modules === null)
      throw new TensileError(`ModuleDict.update: expected an object, a Map or an iterable of [name, module] pairs, got ${fmtValue(modules)}`);
    const entries = modules instanceof Map || Symbol.iterator in modules ? [...(modules as Iterable<[string, M]>)] : Object.entries(modules);
    for (const e of entries) {
      if (!Array.isArray(e) || e.length !== 2)
        throw new TensileError(`ModuleDict.update: expected [name, module] pairs, got ${fmtValue(e)}`);
      this.set(e[0], e[1]);
    }
    return this;
  }

  keys(): string[] {
    return [...this.#modules.keys()];
  }

  values(): M[] {
    return [...this.#modules.values()];
  }

  entries(): [string, M][] {
    return [...this.#modules];
  }

  /** Iterates over the keys, as iterating a Python dict does. */
  [Symbol.iterator](): Iterator<string> {
    return this.#modules.keys();
  }

  override forward(): never {
    throw new TensileError("ModuleDict: a ModuleDict has no forward; call its modules in the owner's forward");
  }
}

// ---- ParameterList, ParameterDict ----

/** A tensor as a Parameter (a plain tensor is wrapped, sharing its storage, as PyTorch 1.13 does). */
function asParameter(op: string, v: unknown, what: string): Parameter {
  if (v instanceof Parameter) return v;
  if (v instanceof Tensor) return new Parameter(v);
  throw new TensileError(`${op}: ${what} is not a Parameter or Tensor (got ${fmtValue(v)})`);
}

/** PyTorch's "(0): Parameter containing: [torch.float32 of size 3x4]" line of a parameter container's repr. */
function paramLine(key: string, p: Parameter, typeName: string): string {
  return `  (${key}): Parameter containing: [${typeName} of size ${p.shape.join("x")}]`;
}

const TYPENAMES: Record<string, string> = { float32: "torch.FloatTensor", float64: "torch.DoubleTensor", int32: "torch.IntTensor", bool: "torch.BoolTensor" };

/**
 * The parameters of a parameter container live in own enumerable properties named by their keys
 * (so `Module.to` and the discovery of parameters see them), listed in `order`, which `members`
 * follows (JS would otherwise list integer-like keys first).
 */
abstract class ParameterContainer extends Module {
  #order: string[] = [];

  protected override members(): Iterable<[string, unknown]> {
    const keys = new Set(this.#order);
    const rec = this as unknown as Record<string, unknown>;
    return [...Object.entries(this).filter(([k]) => !keys.has(k)), ...this.#order.map((k) => [k, rec[k]] as [string, unknown])];
  }

  protected keyList(): string[] {
    return [...this.#order];
  }

  protected param(key: string): Parameter {
    return (this as unknown as Record<string, Parameter>)[key]!;
  }

  protected put(op: string, key: string, p: Parameter): void {
    if (!this.#order.includes(key)) {
      if (key in this) throw new TensileError(`${op}: attribute "${key}" already exists (a key may not shadow a method or property)`);
      this.#order.push(key);
    }
    Object.defineProperty(this, key, { value: p, writable: true, enumerable: true, configurable: true });
  }

  protected remove(key: string): void {
    this.#order = this.#order.filter((k) => k !== key);
    delete (this as unknown as Record<string, unknown>)[key];
  }
}

/**
 * A list of parameters, all registered: their state-dict keys are "0", "1", … as PyTorch's.
 * Plain tensors are wrapped as Parameters.
 * ```ts
 * const ws = new nn.ParameterList([randn([3, 4]), randn([3])]);
 * Object.keys(ws.stateDict()); // ["0", "1"]
 * ```
 */
export class ParameterList extends ParameterContainer {
  constructor(values: Iterable<Tensor> | null = null) {
    super();
    if (values !== null && values !== undefined) this.extend(values);
  }

  get length(): number {
    return this.keyList().length;
  }

  /** The parameter at `idx` (negative counts from the end). */
  at(idx: number): Parameter {
    return this.param(String(wrapIndex("ParameterList.at", idx, this.length)));
  }

  /** Replaces the parameter at `idx`. */
  set(idx: number, value: Tensor): this {
    const i = wrapIndex("ParameterList.set", idx, this.length);
    this.put("ParameterList.set", String(i), asParameter("ParameterList.set", value, "value"));
    return this;
  }

  append(value: Tensor): this {
    this.put("ParameterList.append", String(this.length), asParameter("ParameterList.append", value, "value"));
    return this;
  }

  extend(values: Iterable<Tensor>): this {
    checkIterable("ParameterList.extend", values);
    const ps = [...values].map((v, i) => asParameter("ParameterList", v, `element ${i}`));
    for (const p of ps) this.put("ParameterList.extend", String(this.length), p);
    return this;
  }

  [Symbol.iterator](): Iterator<Parameter> {
    return this.keyList().map((k) => this.param(k))[Symbol.iterator]();
  }

  override extraRepr(): string {
    return this.keyList().map((k) => paramLine(k, this.param(k), `torch.${this.param(k).dtype}`)).join("\n");
  }

  override forward(): never {
    throw new TensileError("ParameterList: a ParameterList has no forward; use its parameters in the owner's forward");
  }
}

/**
 * An ordered map of named parameters, all registered under their keys (state-dict keys as
 * PyTorch's). A plain object is read in sorted key order, as PyTorch 1.13 reads a dict; a Map or
 * a list of pairs keeps its order (PyTorch's OrderedDict). A key may not contain "." nor shadow a
 * method of the class.
 * ```ts
 * const pd = new nn.ParameterDict({ scale: ones([3]), shift: zeros([3]) });
 * pd.get("scale"); Object.keys(pd.stateDict()); // ["scale", "shift"]
 * ```
 */
export class ParameterDict extends ParameterContainer {
  constructor(parameters: Record<string, Tensor> | Map<string, Tensor> | Iterable<[string, Tensor]> | null = null) {
    super();
    if (parameters !== null && parameters !== undefined) this.update(parameters);
  }

  get size(): number {
    return this.keyList().length;
  }

  get(key: string): Parameter {
    if (!this.has(key)) throw new TensileError(`ParameterDict.get: no parameter under key "${key}" (keys: ${this.keyList().join(", ")})`);
    return this.param(key);
  }

  set(key: string, value: Tensor): this {
    if (typeof key !== "string" || key === "" || key.includes("."))
      throw new TensileError(`ParameterDict.set: key must be a non-empty string without ".", got ${fmtValue(key)}`);
    this.put("ParameterDict.set", key, asParameter("ParameterDict.set", value, `value for "${key}"`));
    return this;
  }

  has(key: string): boolean {
    return this.keyList().includes(key);
  }

  /** Removes and returns the parameter under `key`. */
  pop(key: string): Parameter {
    const p = this.get(key);
    this.remove(key);
    return p;
  }

  clear(): void {
    for (const k of this.keyList()) this.remove(k);
  }

  update(parameters: Record<string, Tensor> | Map<string, Tensor> | Iterable<[string, Tensor]>): this {
    if (typeof parameters !== "object" || parameters === null)
      throw new TensileError(`ParameterDict.update: expected an object, a Map or an iterable of [name, parameter] pairs, got ${fmtValue(parameters)}`);
    const entries = parameters instanceof Map || Symbol.iterator in parameters
      ? [...(parameters as Iterable<[string, Tensor]>)]
      : Object.entries(parameters).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    for (const e of entries) {
      if (!Array.isArray(e) || e.length !== 2) throw new TensileError(`ParameterDict.update: expected [name, parameter] pairs, got ${fmtValue(e)}`);
      this.set(e[0], e[1]);
    }
    return this;
  }

  keys(): string[] {
    return this.keyList();
  }

  values(): Parameter[] {
    return this.keyList().map((k) => this.param(k));
  }

  entries(): [string, Parameter][] {
    return this.keyList().map((k) => [k, this.param(k)]);
  }

  /** Iterates over the keys, as iterating a Python dict does. */
  [Symbol.iterator](): Iterator<string> {
    return this.keyList()[Symbol.iterator]();
  }

  override extraRepr(): string {
    return this.entries().map(([k, p]) => paramLine(k, p, TYPENAMES[p.dtype] ?? `torch.${p.dtype}`)).join("\n");
  }

  override forward(): never {
    throw new TensileError("ParameterDict: a ParameterDict has no forward; use its parameters in the owner's forward");
  }
}
