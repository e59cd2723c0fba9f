/**
 * Tensile's WebAssembly backend. Use it with `setBackend(wasmBackend)` (or `setBackend("wasm")`
 * once registered). Node instantiates it synchronously on first use; a browser page calls
 * `await initWasm()` once first. Threads: `setNumThreads(n)` (default: all cores; 1 where
 * SharedArrayBuffer is unavailable). Memory: `liveStorageCount()` / `liveBytes()` for leak tests.
 */
export { wasmBackend } from "./host.js";
export { wasmKernels } from "./wasm-backend.js";
export { initWasm } from "./runtime.js";
export { getNumThreads, setNumThreads } from "./threads.js";
export { WasmStorage, memoryStats, type MemoryStats } from "./memory.js";
// Leak counters exclude the bounded cache of tensor copies kept in wasm between calls.
export { clearWasmCache, liveBytes, liveStorageCount, setWasmCacheBytes, wasmCacheStats } from "./copies.js";
export { warnFallback } from "./fallback.js";
