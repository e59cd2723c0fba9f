/**
 * The hook and state-dict types of `nn.Module` (src/nn/module.ts re-exports each), kept apart so
 * module.ts holds the class alone.
 */
import type { Tensor } from "../core.js";
import type { Module } from "./module.js";

/** Runs before `forward`; may return replacement arguments (an array, or one value). */
export type ForwardPreHook = (module: Module, args: unknown[]) => unknown;
/** Runs after `forward`; may return a replacement output (anything but `undefined`). */
export type ForwardHook = (module: Module, args: unknown[], output: unknown) => unknown;

/** Returned by `registerForwardHook` & co.; `remove()` unregisters the hook. */
export class RemovableHandle {
  #remove: (() => void) | null;
  constructor(remove: () => void) {
    this.#remove = remove;
  }
  remove(): void {
    this.#remove?.();
    this.#remove = null;
  }
}

/** A state dict: dotted key (`fc1.weight`, `bn.running_mean`) → tensor. */
export type StateDict = Record<string, Tensor>;

export interface LoadStateDictResult {
  missingKeys: string[];
  unexpectedKeys: string[];
}

/** Runs after `loadStateDict` loaded a module (PyTorch's load-state-dict post hook); may edit the key lists in place. */
export type LoadStateDictPostHook = (module: Module, incompatibleKeys: LoadStateDictResult) => void;
