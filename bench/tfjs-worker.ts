/**
 * TensorFlow.js side of the benchmark (backend "cpu" or "wasm"), run as
 *   node --import tsx bench/tfjs-worker.ts '<request json>'
 * Models are written with raw ops and variables (not tf.layers), which is TF.js's lowest-overhead
 * way to train: the same maths as the PyTorch models, in TF.js's NHWC layout for the CNN.
 */
import { createRequire } from "node:module";
import { dirname } from "node:path";
import * as tf from "@tensorflow/tfjs";
import { setWasmPaths } from "@tensorflow/tfjs-backend-wasm";
import type { Dataset } from "./idx.js";
import { CNN_LR, CNN_MOMENTUM, MLP_LR } from "./protocol.js";
import { runWorker, type FrameworkAdapter, type Trainer } from "./worker-harness.js";

const TAG = "tfjs";

/** PyTorch's default init for Linear/Conv weights and biases: U(-1/sqrt(fanIn), 1/sqrt(fanIn)). */
function uniformVar(shape: number[], fanIn: number): tf.Variable {
  const bound = 1 / Math.sqrt(fanIn);
  return tf.variable(tf.randomUniform(shape, -bound, bound, "float32", 0));
}

interface Model {
  vars: tf.Variable[];
  forward(x: tf.Tensor): tf.Tensor2D;
}

function mlp(): Model {
  const w1 = uniformVar([784, 500], 784);
  const b1 = uniformVar([500], 784);
  const w2 = uniformVar([500, 10], 500);
  const b2 = uniformVar([10], 500);
  return {
    vars: [w1, b1, w2, b2],
    forward: (x) => tf.add(tf.matMul(tf.relu(tf.add(tf.matMul(x as tf.Tensor2D, w1), b1)), w2), b2),
  };
}

function cnn(): Model {
  const c1 = uniformVar([3, 3, 1, 32], 9);
  const c1b = uniformVar([32], 9);
  const c2 = uniformVar([3, 3, 32, 64], 32 * 9);
  const c2b = uniformVar([64], 32 * 9);
  const f1 = uniformVar([1600, 128], 1600);
  const f1b = uniformVar([128], 1600);
  const f2 = uniformVar([128, 10], 128);
  const f2b = uniformVar([10], 128);
  return {
    vars: [c1, c1b, c2, c2b, f1, f1b, f2, f2b],
    forward: (x) => {
      const x4 = x as tf.Tensor4D; // [B, 28, 28, 1]
      const block = (h: tf.Tensor4D, w: tf.Variable, b: tf.Variable): tf.Tensor4D =>
        tf.maxPool(tf.relu(tf.add(tf.conv2d(h, w as tf.Tensor4D, 1, "valid"), b)) as tf.Tensor4D, 2, 2, "valid");
      const h = block(block(x4, c1, c1b), c2, c2b);
      const flat = tf.reshape(h, [-1, 1600]) as tf.Tensor2D;
      return tf.add(tf.matMul(tf.relu(tf.add(tf.matMul(flat, f1), f1b)), f2), f2b);
    },
  };
}

function makeTrainer(kind: "mlp" | "cnn", data: Dataset): Trainer {
  const xAll = kind === "mlp" ? tf.tensor2d(data.x, [data.n, 784]) : tf.tensor4d(data.x, [data.n, 28, 28, 1]);
  const yAll = tf.tensor1d(data.y, "int32");
  const model = kind === "mlp" ? mlp() : cnn();
  // tf.train.momentum: accum = m*accum + g; v -= lr*accum — PyTorch's SGD momentum without dampening.
  const optimizer = kind === "mlp" ? tf.train.sgd(MLP_LR) : tf.train.momentum(CNN_LR, CNN_MOMENTUM);
  return {
    step(indices, readLoss) {
      const idx = tf.tensor1d(indices, "int32");
      const loss = optimizer.minimize(
        () => {
          const x = tf.gather(xAll, idx);
          const y = tf.oneHot(tf.gather(yAll, idx), 10);
          return tf.losses.softmaxCrossEntropy(y, model.forward(x)) as tf.Scalar; // mean over the batch
        },
        true,
        model.vars,
      );
      idx.dispose();
      const value = readLoss && loss ? loss.dataSync()[0] : undefined;
      loss?.dispose();
      return value;
    },
  };
}

async function makeAdapter(backend: string): Promise<FrameworkAdapter> {
  if (backend === "wasm") {
    // In Node the wasm backend would fetch its .wasm by URL; point it at the installed files.
    const require = createRequire(import.meta.url);
    setWasmPaths(dirname(require.resolve("@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm")) + "/");
  }
  if (!(await tf.setBackend(backend))) throw new Error(`tf.setBackend("${backend}") failed`);
  await tf.ready();
  return {
    info: () => ({
      tfjs: tf.version.tfjs,
      backend: tf.getBackend(),
      // Threads need SharedArrayBuffer workers that tfjs-backend-wasm does not start in Node.
      threads: "1",
    }),
    trainer: makeTrainer,
    inference(data) {
      const model = mlp();
      const one = tf.tensor2d(data.x.subarray(0, 784), [1, 784]);
      const thousand = tf.tensor2d(data.x.subarray(0, 784 * 1000), [1000, 784]);
      const run = (x: tf.Tensor2D) => () => {
        const y = tf.tidy(() => model.forward(x));
        y.dataSync();
        y.dispose();
      };
      return { b1: run(one), b1000: run(thousand) };
    },
    gemm(m, k, n) {
      const a = tf.randomNormal([m, k], 0, 1, "float32", 1) as tf.Tensor2D;
      const b = tf.randomNormal([k, n], 0, 1, "float32", 2) as tf.Tensor2D;
      return () => {
        // Left in TF.js's memory, as in Tensile and PyTorch; its wasm and cpu kernels run synchronously.
        tf.matMul(a, b).dispose();
      };
    },
  };
}

await runWorker(TAG, (req) => makeAdapter(req.backend ?? "cpu"));
