/**
 * Tensile's WebAssembly backend. Use it with `setBackend(wasmBackend)` (or `setBackend("wasm")`
 * once registered). Node instantiates it synchronously on first use; a browser page calls
 * `await initWasm()` once first. Threads: `setNumThreads(n)` (default: all cores; 1 where
 * SharedArrayBuffer is unavailable). Memory: `liveStorageCount()` / `liveBytes()` for leak tests.
 */
export { wasmBackend } from "./host.js";
export { wasmKernels } from "./wasm-backend.js";
import { initWasm as compileWasm } from "./runtime.js";
import { setNumThreads, startThreads } from "./threads.js";
export { getNumThreads, setNumThreads, threadStats } from "./threads.js";

/**
 * Prepares the wasm backend: compiles the kernels asynchronously (browsers refuse to compile them
 * synchronously on the main thread; Node compiles on first use without this) and, where threads
 * are available, starts the worker pool and resolves once it is ready — so a page's synchronous
 * training loop runs with its threads from the first step. `numThreads` sets the thread count
 * first (as `setNumThreads`).
 * ```ts
 * await initWasm({ numThreads: navigator.hardwareConcurrency });
 * ```
 */
export async function initWasm(opts: { numThreads?: number } = {}): Promise<void> {
  opts ??= {};
  await compileWasm();
  if (opts.numThreads !== undefined) setNumThreads(opts.numThreads);
  await startThreads();
}
export { WasmStorage, memoryStats, type MemoryStats } from "./memory.js";
// Leak counters exclude the bounded cache of tensor copies kept in wasm between calls.
export { clearWasmCache, liveBytes, liveStorageCount, setWasmCacheBytes, wasmCacheStats } from "./copies.js";
export { warnFallback } from "./fallback.js";
