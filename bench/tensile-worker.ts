/**
 * Tensile side of the benchmark, through the public API only (src/index.ts, as a user would
 * import "tensile"), run as
 *   node --import tsx bench/tensile-worker.ts '<request json>'
 * Backend "wasm" (threads from the request) or "reference". Whatever is missing from the API
 * makes the worker fail with a message that the orchestrator reports as "not available".
 */
import type { Dataset } from "./idx.js";
import { CNN_LR, CNN_MOMENTUM, MLP_LR } from "./protocol.js";
import { runWorker, type FrameworkAdapter, type Trainer } from "./worker-harness.js";

type Tensile = typeof import("../src/index.js");
type Tensor = InstanceType<Tensile["Tensor"]>;

/** Exports that arrive with the wasm backend; looked up by name so the bench runs before they exist. */
interface OptionalExports {
  setNumThreads?: (n: number) => unknown;
  getNumThreads?: () => number;
  initWasm?: () => Promise<void>;
}

function models(T: Tensile) {
  const { nn } = T;
  /** Linear(784,500) → ReLU → Linear(500,10), written as DESIGN.md's example. */
  class Mlp extends nn.Module {
    fc1 = new nn.Linear(784, 500);
    relu = new nn.ReLU();
    fc2 = new nn.Linear(500, 10);
    override forward(x: Tensor): Tensor {
      return this.fc2.forward(this.relu.forward(this.fc1.forward(x)));
    }
  }
  /** Conv(1→32,3) ReLU MaxPool2 Conv(32→64,3) ReLU MaxPool2 Flatten Linear(1600→128) ReLU Linear(128→10). */
  class Cnn extends nn.Module {
    conv1 = new nn.Conv2d(1, 32, 3);
    conv2 = new nn.Conv2d(32, 64, 3);
    pool = new nn.MaxPool2d(2);
    relu = new nn.ReLU();
    flatten = new nn.Flatten();
    fc1 = new nn.Linear(1600, 128);
    fc2 = new nn.Linear(128, 10);
    override forward(x: Tensor): Tensor {
      // MaxPool2d's forward is typed for returnIndices too; without it, it returns one tensor.
      let h = this.pool.forward(this.relu.forward(this.conv1.forward(x))) as Tensor;
      h = this.pool.forward(this.relu.forward(this.conv2.forward(h))) as Tensor;
      return this.fc2.forward(this.relu.forward(this.fc1.forward(this.flatten.forward(h))));
    }
  }
  return { Mlp, Cnn };
}

function makeTrainer(T: Tensile, kind: "mlp" | "cnn", data: Dataset): Trainer {
  const { Mlp, Cnn } = models(T);
  const shape = kind === "mlp" ? [data.n, 784] : [data.n, 1, 28, 28];
  // asTensor shares the loaded arrays (as the PyTorch worker's torch.from_numpy does) where the
  // version under test has it; tensor() copies them
  const share = (T as { asTensor?: Tensile["tensor"] }).asTensor ?? T.tensor;
  const xAll = share(data.x, { shape });
  const yAll = share(data.y, { dtype: "int32" });
  const model = kind === "mlp" ? new Mlp() : new Cnn();
  const criterion = new T.nn.CrossEntropyLoss();
  const optimizer =
    kind === "mlp"
      ? new T.optim.SGD(model.parameters(), { lr: MLP_LR })
      : new T.optim.SGD(model.parameters(), { lr: CNN_LR, momentum: CNN_MOMENTUM });
  model.train();
  return {
    step(indices, readLoss) {
      const idx = T.tensor(indices, { dtype: "int32" });
      const x = xAll.indexSelect(0, idx);
      const y = yAll.indexSelect(0, idx);
      optimizer.zeroGrad();
      const loss = criterion.forward(model.forward(x), y);
      loss.backward();
      optimizer.step();
      return readLoss ? loss.item() : undefined;
    },
  };
}

async function makeAdapter(backend: string, threads: number): Promise<FrameworkAdapter> {
  // A dynamic import, so that a missing or broken library is a reportable error, not a crash.
  const T: Tensile = await import("../src/index.js");
  const extra = T as OptionalExports;
  if (backend === "wasm") {
    if (extra.initWasm) await extra.initWasm();
    T.setBackend("wasm");
    if (!extra.setNumThreads) throw new Error("setNumThreads is not exported by src/index.ts");
    await extra.setNumThreads(threads);
    const effective = extra.getNumThreads?.();
    if (effective !== undefined && effective !== threads) {
      throw new Error(`setNumThreads(${threads}) left getNumThreads() at ${effective}`);
    }
  } else {
    T.setBackend(backend);
    if (threads !== 1) throw new Error(`the ${backend} backend is single-threaded`);
  }
  T.manualSeed(0);
  return {
    info: () => ({
      backend: T.getBackend().name,
      threads: String(extra.getNumThreads?.() ?? threads),
    }),
    trainer: (kind, data) => makeTrainer(T, kind, data),
    inference(data) {
      const model = new (models(T).Mlp)();
      model.eval();
      const one = T.tensor(data.x.subarray(0, 784), { shape: [1, 784] });
      const thousand = T.tensor(data.x.subarray(0, 784 * 1000), { shape: [1000, 784] });
      const run = (x: Tensor) => () => {
        T.noGrad(() => model.forward(x)).dataSync();
      };
      return { b1: run(one), b1000: run(thousand) };
    },
    gemm(m, k, n) {
      const a = T.randn([m, k]);
      const b = T.randn([k, n]);
      // The product stays in Tensile's memory, as PyTorch's does (its .numpy() shares memory, no
      // copy); the wasm kernels are synchronous, so it is complete when matmul returns.
      return () => {
        a.matmul(b).dispose();
      };
    },
  };
}

await runWorker("tensile", (req) => makeAdapter(req.backend ?? "wasm", req.threads));
