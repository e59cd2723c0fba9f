/**
 * State-dict post hooks (PyTorch 1.13's `module._register_state_dict_hook(hook)`, public as
 * `register_state_dict_post_hook` in later releases): `hook(module, stateDict, prefix)` runs when
 * `stateDict()` is built, once the module's own entries and its children's are in, and may edit the
 * dict in place — add an entry (a non-persistent counter saved after all), rename keys for a deploy
 * format, drop frozen layers. Kept apart from module.ts, which only delegates to it.
 */
import { TensileError, fmtValue } from "../errors.js";
import type { Module } from "./module.js";
import { RemovableHandle, type StateDict } from "./module-types.js";

/** `hook(module, stateDict, prefix)`: `prefix` is the module's key prefix ("" for the root, "head." for a child). */
export type StateDictPostHook = (module: Module, stateDict: StateDict, prefix: string) => StateDict | void | undefined;

const hooksOf = new WeakMap<Module, Map<number, StateDictPostHook>>();
let nextId = 0;

/** @internal `Module.registerStateDictPostHook`. */
export function addStateDictPostHook(module: Module, hook: StateDictPostHook): RemovableHandle {
  if (typeof hook !== "function")
    throw new TensileError(`${module.constructor.name}.registerStateDictPostHook: expected a function, got ${fmtValue(hook)}`);
  let hooks = hooksOf.get(module);
  if (!hooks) hooksOf.set(module, (hooks = new Map()));
  const id = nextId++;
  hooks.set(id, hook);
  return new RemovableHandle(() => hooks!.delete(id));
}

/**
 * @internal Runs the hooks of `root` and its descendants over `built` (the finished dict, in
 * PyTorch's key order) as PyTorch's recursive `state_dict` does: the dict is refilled in order and a
 * module's hooks run once its own entries and its subtree's are in, children before their parent —
 * so a hook sees the keys torch's would. As in PyTorch, a value a hook returns replaces the dict
 * only for `root`'s own hooks; a descendant's is ignored (torch's recursion drops it), so
 * descendants edit in place.
 */
export function runStateDictPostHooks(root: Module, built: StateDict): StateDict {
  if (!root.modules().some((m) => (hooksOf.get(m)?.size ?? 0) > 0)) return built;
  const entries = Object.entries(built);
  let sd: StateDict = {}, next = 0;
  const fill = (own: (key: string) => boolean) => {
    while (next < entries.length && own(entries[next]![0])) {
      const [k, v] = entries[next++]!;
      sd[k] = v;
    }
  };
  const visit = (m: Module, prefix: string): void => {
    fill((k) => k.startsWith(prefix) && !k.slice(prefix.length).includes(".")); // its parameters and buffers
    for (const [name, child] of m.namedChildren()) visit(child, `${prefix}${name}.`);
    if (m === root) fill(() => true); // anything a shared child left out of the walk
    for (const hook of [...(hooksOf.get(m)?.values() ?? [])]) {
      const r = hook(m, sd, prefix);
      if (m !== root || r === undefined || r === null) continue;
      if (typeof r !== "object" || Array.isArray(r))
        throw new TensileError(`${root.constructor.name}.stateDict: a state-dict hook returned ${fmtValue(r)}; expected nothing (edit the dict in place) or a state dict`);
      sd = r;
    }
  };
  visit(root, "");
  return sd;
}
