/**
 * `functionalCall` (PyTorch's `torch.func.functional_call`, also `nn.utils.stateless.functionalCall`):
 * runs a module with some of its parameters and buffers replaced by the given tensors, then puts
 * the module's own back — also when forward throws.
 */
import { Tensor } from "../tensor/tensor.js";
import { TensileError, fmtValue } from "../errors.js";
import type { Module } from "../nn/module.js";
import { isPlainObject } from "./pytree.js";

/** Tensors by dotted name (`"fc1.weight"`, `"bn.running_mean"`): an object, a Map, or an array of them. */
export type NamedTensors = Record<string, Tensor> | Map<string, Tensor>;

const OP = "functionalCall";

function collect(given: NamedTensors | readonly NamedTensors[]): Map<string, Tensor> {
  const dicts = Array.isArray(given) ? given : [given];
  const out = new Map<string, Tensor>();
  for (const d of dicts) {
    const entries = d instanceof Map ? [...d.entries()] : isPlainObject(d) ? Object.entries(d) : null;
    if (!entries) throw new TensileError(`${OP}: parameters and buffers must be an object or a Map of name → Tensor (or an array of them), got ${fmtValue(d)}`);
    for (const [k, v] of entries) {
      if (!(v instanceof Tensor)) throw new TensileError(`${OP}: the value for "${k}" must be a Tensor, got ${fmtValue(v)}`);
      if (out.has(k)) throw new TensileError(`${OP}: "${k}" appeared in more than one of the given dictionaries`);
      out.set(k, v);
    }
  }
  return out;
}

interface Slot {
  owner: Module;
  name: string;
  kind: "parameter" | "buffer";
  original: Tensor;
}

/** Every name of every parameter and buffer (tied ones under each of their names). */
function slots(module: Module): Map<string, Slot> {
  const out = new Map<string, Slot>();
  for (const [prefix, m] of module.namedModules("", false)) {
    const at = (k: string) => (prefix ? `${prefix}.${k}` : k);
    for (const [k, p] of m.namedParameters("", false, false)) out.set(at(k), { owner: m, name: k, kind: "parameter", original: p });
    for (const [k, b] of m.namedBuffers("", false, false)) out.set(at(k), { owner: m, name: k, kind: "buffer", original: b });
  }
  return out;
}

function put(slot: Slot, value: Tensor): void {
  if (slot.kind === "parameter") {
    // parameters are own enumerable properties: the replacement is read by forward as this.weight
    Object.defineProperty(slot.owner, slot.name, { value, writable: true, enumerable: true, configurable: true });
  } else {
    const persistent = Object.prototype.hasOwnProperty.call(slot.owner.stateDict({ keepVars: true }), slot.name);
    slot.owner.registerBuffer(slot.name, value, { persistent });
  }
}

/**
 * Calls `module.forward(...args)` with the parameters and buffers named in `paramsAndBuffers`
 * replaced by the given tensors (which may be any tensors: non-leaves, tensors that require grad
 * through another graph, slices of a batch under `vmap`). Names not given keep the module's own.
 * A tied parameter (one tensor under several names) is replaced under all its names when one of
 * them is given (torch.func's `tie_weights=True`). An unknown name is an error. The module's own
 * tensors are put back afterwards, even when forward throws; its parameters' `.grad` are untouched.
 *
 * ```ts
 * const params = Object.fromEntries(model.namedParameters());
 * const out = func.functionalCall(model, { ...params, "fc.weight": w2 }, [x]);
 * ```
 * `args` is an array of positional arguments, or one argument that is not an array. `kwargs`
 * (PyTorch's keyword arguments) is passed as one more, trailing, argument when given. The result is
 * typed as the module's `forward` result (`model.forward(x)`'s type), so a loss can take it as is.
 */
export function functionalCall<M extends Module>(module: M, paramsAndBuffers: NamedTensors | readonly NamedTensors[], args: unknown = [], kwargs?: Record<string, unknown>): ReturnType<M["forward"]> {
  if (typeof module !== "object" || module === null || typeof (module as { namedModules?: unknown }).namedModules !== "function")
    throw new TensileError(`${OP}: expected an nn.Module, got ${fmtValue(module)}`);
  const given = collect(paramsAndBuffers);
  const all = slots(module);
  const unknown = [...given.keys()].filter((k) => !all.has(k));
  if (unknown.length)
    throw new TensileError(`${OP}: ${module.constructor.name} has no parameter or buffer named ${unknown.map((k) => `"${k}"`).join(", ")} (it has ${[...all.keys()].map((k) => `"${k}"`).join(", ") || "none"})`);
  // tied tensors: the value given under one name goes to every name of the same original
  const byOriginal = new Map<Tensor, [string, Tensor]>();
  for (const [k, v] of given) {
    const orig = all.get(k)!.original;
    const prev = byOriginal.get(orig);
    if (prev && prev[1] !== v)
      throw new TensileError(`${OP}: "${prev[0]}" and "${k}" are tied in ${module.constructor.name} (the same tensor) but were given different values`);
    byOriginal.set(orig, [k, v]);
  }
  const swapped: Slot[] = [];
  try {
    for (const slot of all.values()) {
      const v = byOriginal.get(slot.original);
      if (!v || swapped.some((s) => s.owner === slot.owner && s.name === slot.name)) continue;
      put(slot, v[1]);
      swapped.push(slot);
    }
    const list = Array.isArray(args) ? [...args] : [args];
    if (kwargs !== undefined) list.push(kwargs);
    return module.forward(...list);
  } finally {
    for (const slot of swapped.reverse()) put(slot, slot.original);
  }
}
