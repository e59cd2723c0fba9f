import { TensileError } from "../errors.js";
import type { Backend } from "./backend.js";
import { referenceBackend } from "./reference/index.js";

/**
 * Backends are plain objects, registered by the module that builds them and chosen explicitly
 * (`setBackend("wasm")` or `setBackend(myBackend)`); importing a backend's module has no effect
 * on which one runs.
 */
const known = new Map<string, () => Backend>([["reference", () => referenceBackend]]);
let current: Backend = referenceBackend;

export function registerBackend(name: string, factory: () => Backend): void {
  known.set(name, factory);
}

export function listBackends(): string[] {
  return [...known.keys()];
}

export function getBackend(name?: string): Backend {
  if (name === undefined) return current;
  const f = known.get(name);
  if (!f) throw new TensileError(`getBackend: unknown backend "${name}" (known: ${listBackends().join(", ")})`);
  return f();
}

/** Makes `b` (a name or an object) the backend new tensors are created on. Returns the previous one. */
export function setBackend(b: string | Backend): Backend {
  const prev = current;
  current = typeof b === "string" ? getBackend(b) : b;
  return prev;
}

/** Runs `fn` with `b` as the current backend, restoring the previous one afterwards. */
export function withBackend<T>(b: string | Backend, fn: () => T): T {
  const prev = setBackend(b);
  try {
    return fn();
  } finally {
    current = prev;
  }
}
