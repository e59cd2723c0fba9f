// GEMM throughput of the wasm backend: GFLOP/s for the MLP's shapes and a square one, at 1 and 2
// threads (and more when the machine has them). Run: node --import tsx bench/gemm-wasm.ts
// Prints the best of several timed batches after warm-up (V8 tiers kernels up to TurboFan only
// after a few calls), with both operand layouts a Linear layer produces. The kernel table runs on
// wasm-resident storage (wasmKernels); the last table goes through the public backend, whose
// tensors live in JS memory and are staged into wasm for each call.
import type { Backend, View } from "../src/backends/backend.js";
import { getNumThreads, setNumThreads, wasmBackend, wasmKernels } from "../src/backends/wasm/index.js";

const SHAPES: [number, number, number][] = [[64, 784, 500], [784, 64, 500], [1024, 1024, 1024]];
const cores = getNumThreads();
const THREADS = [...new Set([1, 2, cores].filter((t) => t <= Math.max(cores, 2)))];

function operand(W: Backend, rows: number, cols: number, transposed: boolean): View {
  const data = new Float32Array(rows * cols).map(() => Math.random() - 0.5);
  const storage = W.fromArray(data);
  // transposed: the same [rows, cols] matrix stored column-major (x @ W^T in nn.Linear)
  return { storage, shape: [1, rows, cols], strides: transposed ? [0, 1, rows] : [0, cols, 1], offset: 0 };
}

/** Wall-clock GFLOP/s, and GFLOP/s per CPU-second of this process (robust on a busy machine). */
function gflops(M: number, K: number, N: number, transposedB: boolean, W: Backend = wasmKernels): [number, number] {
  const a = operand(W, M, K, false), b = operand(W, K, N, transposedB);
  const flops = 2 * M * N * K;
  const run = () => W.release ? W.release(W.matmul(a, b)) : W.matmul(a, b);
  const warm = performance.now();
  while (performance.now() - warm < 300) run();
  let best = Infinity, bestCpu = Infinity;
  for (let rep = 0; rep < 5; rep++) {
    let n = 0;
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    let t1 = t0;
    while (t1 - t0 < 200) { run(); n++; t1 = performance.now(); }
    const c = process.cpuUsage(c0);
    best = Math.min(best, (t1 - t0) / n);
    bestCpu = Math.min(bestCpu, (c.user + c.system) / 1000 / n);
  }
  return [flops / (best / 1000) / 1e9, flops / (bestCpu / 1000) / 1e9];
}

console.log(`wasm GEMM GFLOP/s, best of 5 × 200 ms after warm-up; ${cores} core(s) available`);
console.log("wall = wall-clock; cpu = per CPU-second summed over threads (≈ per-core speed even on a busy machine)");
console.log("B = row-major B, Bᵀ = B stored transposed (x·Wᵀ in nn.Linear)\n");
const head = ["M×K×N".padEnd(16)];
for (const t of THREADS) head.push(...[`${t}T B`, `${t}T Bᵀ`, `cpu B`, `cpu Bᵀ`].map((h) => h.padStart(8)));
console.log(head.join(""));
for (const [M, K, N] of SHAPES) {
  const cells: string[] = [];
  for (const t of THREADS) {
    setNumThreads(t);
    const [plain, plainCpu] = gflops(M, K, N, false);
    const [tr, trCpu] = gflops(M, K, N, true);
    cells.push(...[plain, tr, plainCpu, trCpu].map((g) => g.toFixed(1).padStart(8)));
  }
  console.log([`${M}×${K}×${N}`.padEnd(16), ...cells].join(""));
}

console.log("\nthrough the public backend (JS-resident tensors, staged into wasm per call), 1 thread");
setNumThreads(1);
for (const [M, K, N] of SHAPES) {
  const [plain] = gflops(M, K, N, false, wasmBackend);
  const [tr] = gflops(M, K, N, true, wasmBackend);
  console.log(`${`${M}×${K}×${N}`.padEnd(16)}${plain.toFixed(1).padStart(8)}${tr.toFixed(1).padStart(8)}`);
}
