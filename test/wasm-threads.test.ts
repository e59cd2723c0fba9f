// The worker pool: results do not depend on the thread count, settings are validated, and idle
// workers never keep a Node process alive.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { test } from "node:test";
import { getNumThreads, setNumThreads } from "../src/backends/wasm/index.js";
import { GEMM_BLOCKING } from "../src/backends/wasm/linalg.js";
import {
  _chunkClaims, _nudgeWorkers, _pendingJobs, _setLateWorkers, _setParallelThresholdScale, _takenBackJobs, _workerJobs,
} from "../src/backends/wasm/threads.js";
import { R, W, assertClose, makePair, readAll, rng, whole } from "./wasm-helpers.js";

test("setNumThreads validates and getNumThreads reports", () => {
  assert.throws(() => setNumThreads(0), /positive integer/);
  assert.throws(() => setNumThreads(1.5), /positive integer/);
  setNumThreads(1);
  assert.equal(getNumThreads(), 1);
  setNumThreads(2);
  assert.equal(getNumThreads(), 2);
});

test("large kernels give bitwise the same results on 1 and 2 threads", () => {
  const r = rng(42);
  const [a] = makePair(r, "float32", [1, 300, 257], "contiguous");
  const [b] = makePair(r, "float32", [1, 257, 190], "transposed");
  const [x] = makePair(r, "float32", [600, 700], "contiguous", { specials: true });
  const [y] = makePair(r, "float32", [600, 700], "broadcast", { specials: true });
  const [img] = makePair(r, "float32", [4, 8, 40, 40], "contiguous");
  const conv = { kernel: [3, 3] as [number, number], stride: [1, 1] as [number, number], padding: [1, 1] as [number, number], dilation: [1, 1] as [number, number], padValue: 0 };
  const run = () => [
    readAll(W, W.matmul(a, b), [300 * 190]),
    readAll(W, W.binary("mul", x, y, [600, 700], "float32"), [420000]),
    readAll(W, W.unary("exp", x, "float32"), [420000]),
    readAll(W, W.reduce("sum", x, [1]), [600]),
    readAll(W, W.reduce("max", x, [0]), [700]),
    readAll(W, W.cumsum(x, 0), [420000]),
    readAll(W, W.copy({ ...x, shape: [700, 600], strides: [1, 700] }, "float32"), [420000]),
    readAll(W, W.im2col(img, conv), [4 * 72 * 1600]),
    readAll(W, W.softmax!(x, 1, false), [420000]), // lines along the last axis
    readAll(W, W.softmax!({ ...x, shape: [6, 100, 700], strides: [70000, 700, 1] }, 1, true), [420000]), // 4-line groups
    readAll(W, W.softmaxBackward!(y, x, 1, false), [420000]),
    readAll(W, W.softmaxBackward!({ ...y, shape: [6, 100, 700], strides: [0, 0, 1] }, { ...x, shape: [6, 100, 700], strides: [70000, 700, 1] }, 1, true), [420000]),
  ];
  setNumThreads(1);
  const one = run();
  setNumThreads(2);
  _setParallelThresholdScale(1 / 16); // make sure every one of these calls splits
  const jobs0 = _workerJobs();
  const two = run();
  _setParallelThresholdScale(1);
  assert.ok(_workerJobs() - jobs0 >= 12, `only ${_workerJobs() - jobs0} jobs went to a worker`);
  // same value in every element (NaN matching NaN); threads only split the index ranges
  one.forEach((o, i) => o.forEach((v, j) => assert.ok(Object.is(v, two[i]![j]), `kernel ${i}, element ${j}: ${v} vs ${two[i]![j]}`)));
  // and the threaded GEMM still agrees with the reference
  const ra = R.fromArray(W.read(a)), rb = R.fromArray(W.read({ ...b, shape: [1, 257 * 190], strides: [0, 1] }));
  const want = readAll(R, R.matmul(whole(ra, [1, 300, 257]), { storage: rb, shape: [1, 257, 190], strides: b.strides, offset: 0 }), [300 * 190]);
  assertClose(two[0]!, want, { rtol: 1e-4, atol: 1e-4 }, "threaded matmul");
});

test("a one- or two-row product (batch-1 inference) splits its columns on two threads, bitwise as on one", () => {
  const r = rng(7);
  for (const M of [1, 2]) {
    const [x] = makePair(r, "float32", [1, M, 784], "contiguous");
    const [w] = makePair(r, "float32", [1, 784, 500], "transposed"); // x·Wᵀ, as nn.Linear
    const [bias] = makePair(r, "float32", [500], "contiguous");
    const bv = { ...bias, shape: [1, M, 500], strides: [0, 0, 1] };
    setNumThreads(1);
    const one = readAll(W, W.matmul(x, w, bv), [M * 500]);
    setNumThreads(2);
    const jobs0 = _workerJobs();
    const two = readAll(W, W.matmul(x, w, bv), [M * 500]); // at the default thresholds
    assert.ok(_workerJobs() > jobs0, `${M}×784×500 stayed on one thread`);
    one.forEach((v, j) => assert.ok(Object.is(v, two[j]), `${M} rows, element ${j}: ${v} vs ${two[j]}`));
  }
  // a small one stays on the calling thread
  const [x] = makePair(r, "float32", [1, 1, 64], "contiguous");
  const [w] = makePair(r, "float32", [1, 64, 100], "transposed");
  const jobs0 = _workerJobs();
  W.matmul(x, w);
  assert.equal(_workerJobs(), jobs0, "1×64×100 went to a worker");
});

test("a product whose threads claim chunks as they go equals the one-thread product bitwise", () => {
  const r = rng(7);
  // [M, K, N, B's layout, bias (a row of N), expected to be shared]
  const cases: [number, number, number, "contiguous" | "transposed", boolean, boolean][] = [
    [64, 784, 503, "contiguous", true, true], // by columns, B read in place, ragged last strip
    [67, 301, 1203, "transposed", true, true], // by columns, B packed per chunk (x·Wᵀ), ragged rows
    [500, 64, 784, "contiguous", false, true], // by columns, A of more than one MC block
    [1001, 77, 203, "contiguous", true, true], // by rows, ragged rows and columns
    [784, 64, 500, "transposed", false, true], // by rows (the MLP's weight-gradient shape)
    [1000, 100, 10, "transposed", false, false], // few columns: gemmF32's dot-product path, not shared
    [300, 700, 200, "contiguous", true, true], // by rows over three k-blocks (batch-1000 inference's kind)
    [1100, 700, 600, "transposed", false, false], // by rows, but all of B does not fit the packing area: a fixed split
  ];
  for (const [M, K, N, layout, withBias, shared] of cases) {
    const what = `${M}×${K}×${N} (B ${layout}${withBias ? ", bias" : ""})`;
    const [a] = makePair(r, "float32", [1, M, K], "contiguous");
    const [b] = makePair(r, "float32", [1, K, N], layout);
    const [bias] = makePair(r, "float32", [N], "contiguous");
    const biasView = withBias ? { ...bias, shape: [1, M, N], strides: [0, 0, 1] } : undefined;
    setNumThreads(1);
    const one = readAll(W, W.matmul(a, b, biasView), [M * N]);
    setNumThreads(2);
    const claims0 = _chunkClaims();
    const two = readAll(W, W.matmul(a, b, biasView), [M * N]);
    if (shared) assert.ok(_chunkClaims() >= 4, `${what}: only ${_chunkClaims()} chunk claims: not shared`);
    else assert.equal(_chunkClaims(), claims0, `${what}: unexpectedly shared`);
    for (let i = 0; i < M * N; i++) assert.ok(Object.is(one[i], two[i]), `${what}, element ${i}: ${one[i]} vs ${two[i]}`);
    if (shared) {
      // and against the reference backend
      const ra = whole(R.fromArray(W.read(a)), [1, M, K]);
      const rb = { storage: R.fromArray(W.read({ ...b, shape: [1, K * N], strides: [0, 1] })), shape: [1, K, N], strides: b.strides, offset: 0 };
      const rbias = withBias ? { storage: R.fromArray(W.read(bias)), shape: [1, M, N], strides: [0, 0, 1], offset: 0 } : undefined;
      // float32 sums of K products, some cancelling: an absolute tolerance that grows with K
      assertClose(two, readAll(R, R.matmul(ra, rb, rbias), [M * N]), { rtol: 1e-4, atol: 2e-6 * K }, what);
    }
  }
  setNumThreads(1);
});

test("the host's copy of the GEMM blocking matches assembly/gemm.ts and gemv.ts (it decides what a shared product may pack)", () => {
  const read = (f: string) => readFileSync(fileURLToPath(new URL(`../assembly/${f}`, import.meta.url)), "utf8");
  const src = read("gemm.ts") + read("gemv.ts");
  for (const [name, value] of Object.entries(GEMM_BLOCKING)) {
    const m = src.match(new RegExp(`^(?:export )?const ${name}: i32 = (\\d+);`, "m"));
    assert.ok(m, `assembly/gemm.ts and gemv.ts define no ${name}`);
    assert.equal(Number(m[1]), value, `${name}`);
  }
});

test("a worker woken without a job does not run its last job again", async () => {
  const r = rng(7);
  const [x] = makePair(r, "float32", [600, 700], "contiguous");
  setNumThreads(1);
  const want = readAll(W, W.unary("exp", x, "float32"), [420000]);
  setNumThreads(2);
  _setParallelThresholdScale(1 / 16);
  try {
    const jobs0 = _workerJobs();
    readAll(W, W.unary("exp", x, "float32"), [420000]);
    assert.ok(_workerJobs() > jobs0, "the call went to a worker");
    // stray wake-ups (an interrupt, a stale notify): the worker must go back to waiting. Running
    // its last job again would decrement the job count below zero and hang the next call.
    for (let i = 0; i < 5; i++) {
      _nudgeWorkers();
      await new Promise((res) => setTimeout(res, 20));
      assert.equal(_pendingJobs(), 0, "outstanding jobs after a stray wake-up");
    }
    for (let i = 0; i < 3; i++) {
      const got = readAll(W, W.unary("exp", x, "float32"), [420000]);
      got.forEach((v, j) => assert.ok(Object.is(v, want[j]), `element ${j}`));
    }
  } finally {
    _setParallelThresholdScale(1);
  }
});

test("an optimizer step split across threads equals the single-threaded one", () => {
  const n = 300001;
  const data = (s: number) => Float32Array.from({ length: n }, (_, i) => Math.sin(i * s));
  const step = (threads: number) => {
    setNumThreads(threads);
    _setParallelThresholdScale(threads > 1 ? 1 / 16 : 1);
    const p = W.fromArray(data(1)), g = W.fromArray(data(2)), m = W.fromArray(data(3)), v = W.fromArray(data(4).map(Math.abs));
    W.adamStep(p, g, m, v, null, { lr: 1e-3, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0.01, decoupledWeightDecay: true, amsgrad: false, maximize: false, step: 3 });
    return readAll(W, p, [n]);
  };
  const [two, one] = [step(2), step(1)];
  _setParallelThresholdScale(1);
  assert.deepEqual(two, one);
});

test("an optimizer step splits at a lower size only while the workers are awake", () => {
  setNumThreads(2);
  const n = 1 << 17; // above the awake threshold for two threads, below the cold one
  const p = W.fromArray(new Float32Array(n).fill(1)), g = W.fromArray(new Float32Array(n).fill(2));
  const sgd = { lr: 0.5, momentum: 0, dampening: 0, weightDecay: 0, nesterov: false, maximize: false, firstStep: true };
  const big = W.fromArray(new Float32Array(1 << 20).fill(0.5));
  const wake = () => W.release!(W.unary("exp", whole(big, [1 << 20]), "float32"));
  const idle = new Int32Array(new SharedArrayBuffer(4));
  // asleep: 5 ms after the last job the workers' 1 ms spin is over, so the step stays here
  for (let i = 0; i < 3; i++) {
    wake();
    Atomics.wait(idle, 0, 0, 5);
    const jobs = _workerJobs();
    W.sgdStep(p, g, null, sgd);
    assert.equal(_workerJobs(), jobs, "a step after the workers went to sleep used a worker");
  }
  // awake: right after a split call. This thread may be preempted in between, so one split in
  // twenty tries is required, not every one.
  let split = 0;
  for (let i = 0; i < 20; i++) {
    const before = _workerJobs();
    wake();
    assert.ok(_workerJobs() > before, "the waking call used a worker");
    const jobs = _workerJobs();
    W.sgdStep(p, g, null, sgd);
    if (_workerJobs() > jobs) split++;
  }
  assert.ok(split > 0, "no step split while the workers were awake");
  // split or not, every element got each of the 23 steps of 0.5·2
  assert.ok(readAll(W, p, [n]).every((v) => v === 1 - 23), "every element got every step");
});

test("jobs no worker has started are taken back by the caller, and a late worker leaves them", async () => {
  const r = rng(11);
  const [x] = makePair(r, "float32", [600, 700], "contiguous");
  const [a] = makePair(r, "float32", [1, 64, 784], "contiguous");
  const [b] = makePair(r, "float32", [1, 784, 503], "contiguous");
  const [ba] = makePair(r, "float32", [6, 40, 50], "contiguous");
  const [bb] = makePair(r, "float32", [6, 50, 30], "contiguous");
  const n = 300001;
  const run = () => {
    // an SGD step run twice on some range, or not at all, would show: every element must be 1 - 0.5·2
    const p = W.fromArray(new Float32Array(n).fill(1)), g = W.fromArray(new Float32Array(n).fill(2));
    W.sgdStep(p, g, null, { lr: 0.5, momentum: 0, dampening: 0, weightDecay: 0, nesterov: false, maximize: false, firstStep: true });
    return [
      readAll(W, W.unary("exp", x, "float32"), [420000]), // a fixed split by element ranges
      readAll(W, W.matmul(a, b), [64 * 503]), // a shared product: the workers' copies are dropped
      readAll(W, W.matmul(ba, bb), [6 * 40 * 30]), // a fixed split by batches
      readAll(W, p, [n]),
    ];
  };
  setNumThreads(1);
  const one = run();
  assert.ok(one[3]!.every((v) => v === 0));
  setNumThreads(2);
  _setParallelThresholdScale(1 / 64);
  // Let every worker settle first: one still waking for an earlier job may take the next job
  // once its `taken` word is cleared (correctly: it then runs that job). Settled, a worker cannot
  // take a job before it is told of it, so the first call's job is certainly taken back; a worker
  // woken late for one call may still take a later call's job.
  await new Promise((res) => setTimeout(res, 20));
  _setLateWorkers(true);
  try {
    const [jobs0, back0] = [_workerJobs(), _takenBackJobs()];
    const two = run();
    assert.ok(_workerJobs() - jobs0 >= 4, `only ${_workerJobs() - jobs0} jobs were handed to a worker`);
    assert.ok(_takenBackJobs() - back0 >= 1, "no job was taken back");
    // the workers, told of their jobs too late, must find them taken: running one would apply
    // the SGD step twice or drive the job count below zero
    await new Promise((res) => setTimeout(res, 20));
    assert.equal(_pendingJobs(), 0, "outstanding jobs after late workers");
    two.forEach((got, k) => got.forEach((v, i) => assert.ok(Object.is(v, one[k]![i]), `result ${k}, element ${i}: ${v} vs ${one[k]![i]}`)));
    _setLateWorkers(false);
    const three = run();
    three.forEach((got, k) => got.forEach((v, i) => assert.ok(Object.is(v, one[k]![i]), `after: result ${k}, element ${i}`)));
  } finally {
    _setLateWorkers(false);
    _setParallelThresholdScale(1);
    setNumThreads(1);
  }
});

test("worker threads do not keep the process alive", () => {
  const script = `
    import { wasmBackend as W, setNumThreads, getNumThreads } from "./src/backends/wasm/index.ts";
    setNumThreads(2);
    const a = W.fromArray(new Float32Array(512 * 512).fill(1));
    const v = { storage: a, shape: [1, 512, 512], strides: [0, 512, 1], offset: 0 };
    const c = W.read({ storage: W.matmul(v, v), shape: [1], strides: [1], offset: 0 });
    console.log(getNumThreads(), c[0]);
  `;
  const root = fileURLToPath(new URL("..", import.meta.url));
  // a hang would mean a worker holds the event loop; the timeout only guards the test run
  const res = spawnSync(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], { cwd: root, encoding: "utf8", timeout: 60_000 });
  assert.equal(res.status, 0, res.stderr);
  assert.equal(res.stdout.trim(), "2 512");
});
