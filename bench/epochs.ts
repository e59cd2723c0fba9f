/**
 * Several MLP training epochs in one process (784-500-10, batch 64, SGD lr 0.01, 60 000 synthetic
 * images), with the time of every 100 steps: how the first epoch of a process compares with the
 * next ones (docs/wasm-backend.md, Performance). Not part of `npm run bench`.
 *
 *   node --import tsx bench/epochs.ts [threads=1] [epochs=3]
 */
import { performance } from "node:perf_hooks";
import * as T from "../src/index.js";

const threads = Number(process.argv[2] ?? 1);
const epochs = Number(process.argv[3] ?? 3);
await T.initWasm();
T.setBackend("wasm");
await T.setNumThreads(threads);
T.manualSeed(0);

const n = 60000;
const xs = new Float32Array(n * 784);
for (let i = 0; i < xs.length; i++) xs[i] = Math.random();
const ys = Int32Array.from({ length: n }, (_, i) => i % 10);
const xAll = T.asTensor(xs, { shape: [n, 784] });
const yAll = T.asTensor(ys);

class Mlp extends T.nn.Module {
  fc1 = new T.nn.Linear(784, 500);
  relu = new T.nn.ReLU();
  fc2 = new T.nn.Linear(500, 10);
  override forward(x: T.Tensor): T.Tensor {
    return this.fc2.forward(this.relu.forward(this.fc1.forward(x)));
  }
}
const model = new Mlp();
const criterion = new T.nn.CrossEntropyLoss();
const optimizer = new T.optim.SGD(model.parameters(), { lr: 0.01 });

const perm = Int32Array.from({ length: n }, (_, i) => i);
for (let e = 0; e < epochs; e++) {
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [perm[i], perm[j]] = [perm[j]!, perm[i]!];
  }
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  let last = t0;
  const per100: string[] = [];
  for (let b = 0; b * 64 < n; b++) {
    const idx = T.tensor(perm.subarray(b * 64, Math.min(n, (b + 1) * 64)), { dtype: "int32" });
    optimizer.zeroGrad();
    criterion.forward(model.forward(xAll.indexSelect(0, idx)), yAll.indexSelect(0, idx)).backward();
    optimizer.step();
    if (b % 100 === 99) {
      const now = performance.now();
      per100.push((now - last).toFixed(0));
      last = now;
    }
  }
  const cpu = process.cpuUsage(cpu0);
  console.log(`threads ${threads}, epoch ${e + 1}: ${((performance.now() - t0) / 1000).toFixed(2)} s ` +
    `(CPU ${((cpu.user + cpu.system) / 1e6).toFixed(2)} s); ms per 100 steps: ${per100.join(" ")}`);
}
process.exit(0);
