import { TensileError } from "../errors.js";
import type { Backend } from "./backend.js";
import { referenceBackend } from "./reference/index.js";
import { wasmBackend } from "./wasm/host.js";
import { runtime as wasmRuntime } from "./wasm/runtime.js";

/**
 * Backends are plain objects, chosen explicitly (`setBackend("wasm")` or `setBackend(myBackend)`);
 * importing a backend's module has no effect on which one runs.
 *
 * The default is `wasm` (SIMD kernels, threads) wherever its module can be compiled on first use —
 * Node, workers, and browser pages after `await initWasm()` — and otherwise `reference`, with one
 * warning saying why.
 */
const known = new Map<string, () => Backend>([
  ["reference", () => referenceBackend],
  ["wasm", () => (wasmRuntime(), wasmBackend)],
]);
let current: Backend | null = null;

function defaultBackend(): Backend {
  try {
    wasmRuntime();
    return wasmBackend;
  } catch (e) {
    console.warn(`tensile: using the reference backend (${(e as Error).message})`);
    return referenceBackend;
  }
}

export function registerBackend(name: string, factory: () => Backend): void {
  known.set(name, factory);
}

export function listBackends(): string[] {
  return [...known.keys()];
}

export function getBackend(name?: string): Backend {
  if (name === undefined) return (current ??= defaultBackend());
  const f = known.get(name);
  if (!f) throw new TensileError(`getBackend: unknown backend "${name}" (known: ${listBackends().join(", ")})`);
  return f();
}

/**
 * Makes `b` (a name or an object) the backend new tensors are created on; `null` goes back to the
 * default. Returns the previous choice (null if none was made), to pass back to setBackend.
 */
export function setBackend(b: string | Backend | null): Backend | null {
  const prev = current;
  current = b === null ? null : typeof b === "string" ? getBackend(b) : b;
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
