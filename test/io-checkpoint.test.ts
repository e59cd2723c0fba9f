import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Generator, TensileError, Tensor, getRngState, manualSeed, rand, randint, randn, tensor } from "../src/core.js";
import * as nn from "../src/nn/index.js";
import * as optim from "../src/optim/index.js";
import { DataLoader, TensorDataset } from "../src/data/index.js";
import {
  loadCheckpoint, loadCheckpointBytes, readCheckpoint, save, saveBytes, saveCheckpoint, saveCheckpointBytes,
} from "../src/io/index.js";

const F = nn.functional;

class MLP extends nn.Module {
  fc1 = new nn.Linear(6, 16);
  relu = new nn.ReLU();
  drop = new nn.Dropout(0.25); // randomness from the default generator
  fc2 = new nn.Linear(16, 3);
  override forward(x: Tensor): Tensor {
    return this.fc2.forward(this.drop.forward(this.relu.forward(this.fc1.forward(x))));
  }
}

function dataset(): [Tensor, Tensor] {
  const g = new Generator(7);
  return [randn([24, 6], { generator: g }), randint(0, 3, [24], { generator: g })];
}

function withTmp(fn: (dir: string) => void): void {
  const dir = mkdtempSync(join(tmpdir(), "tensile-ckpt-"));
  try {
    fn(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A training run: model, Adam, StepLR, a shuffling DataLoader with its own generator. */
function setup(seed: number) {
  manualSeed(seed);
  const model = new MLP();
  const optimizer = new optim.Adam(model.parameters(), { lr: 0.02, weightDecay: 1e-3 });
  const scheduler = new optim.lrScheduler.StepLR(optimizer, { stepSize: 2, gamma: 0.5 });
  const loaderGen = new Generator(seed + 1);
  const [x, y] = dataset();
  const loader = new DataLoader(new TensorDataset(x, y), { batchSize: 8, shuffle: true, generator: loaderGen });
  const losses: number[] = [];
  const runEpochs = (from: number, to: number): void => {
    for (let epoch = from; epoch < to; epoch++) {
      for (const [xb, yb] of loader) {
        optimizer.zeroGrad();
        const loss = F.crossEntropy(model.forward(xb as Tensor), yb as Tensor);
        loss.backward();
        optimizer.step();
        losses.push(loss.item());
      }
      scheduler.step();
    }
  };
  return { model, optimizer, scheduler, loaderGen, losses, runEpochs };
}

const bytesOf = (m: nn.Module) => saveBytes(m.stateDict());

test("resuming from a checkpoint reproduces the uninterrupted run bit for bit (DataLoader shuffling, dropout, Adam, StepLR)", () => {
  withTmp((dir) => {
    const EPOCHS = 5, K = 2; // 3 batches per epoch: 15 steps, checkpoint after step 6
    const full = setup(0);
    full.runEpochs(0, EPOCHS);
    const fullEnd = saveCheckpointBytes({ model: full.model, optimizer: full.optimizer, scheduler: full.scheduler, epoch: EPOCHS, generators: { loader: full.loaderGen } });

    const first = setup(0);
    first.runEpochs(0, K);
    const path = join(dir, "ckpt.safetensors");
    saveCheckpoint(path, { model: first.model, optimizer: first.optimizer, scheduler: first.scheduler, epoch: K, generators: { loader: first.loaderGen }, extra: { note: "mid-run" } });
    manualSeed(12345); // the process "restarts": nothing of the first run survives but the file

    const resumed = setup(99); // different initial weights and streams, overwritten by the checkpoint
    assert.notDeepEqual(bytesOf(resumed.model), bytesOf(first.model));
    const ck = loadCheckpoint(path, { model: resumed.model, optimizer: resumed.optimizer, scheduler: resumed.scheduler, generators: { loader: resumed.loaderGen } });
    assert.equal(ck.epoch, K);
    assert.deepEqual(ck.extra, { note: "mid-run" });
    assert.equal(resumed.optimizer.paramGroups[0]!.lr, full.optimizer.paramGroups[0]!.lr * 2); // StepLR(2, 0.5): 0.02·0.5 after 2 epochs, 0.02·0.5² after 5
    resumed.runEpochs(K, EPOCHS);

    assert.equal(full.losses.length, 15);
    assert.deepEqual(resumed.losses, full.losses.slice(first.losses.length)); // exact equality of every loss
    assert.deepEqual(bytesOf(resumed.model), bytesOf(full.model));
    // Everything else too: optimizer moments and steps, scheduler, both generators.
    const resumedEnd = saveCheckpointBytes({ model: resumed.model, optimizer: resumed.optimizer, scheduler: resumed.scheduler, epoch: EPOCHS, generators: { loader: resumed.loaderGen } });
    assert.deepEqual(resumedEnd, fullEnd);
  });
});

test("resuming mid-epoch at an odd step: per-step batches from a Generator, SGD with Nesterov momentum, ReduceLROnPlateau", () => {
  const [X, Y] = dataset();
  function run(seed: number) {
    manualSeed(seed);
    const model = new MLP();
    const optimizer = new optim.SGD(model.parameters(), { lr: 0.1, momentum: 0.9, nesterov: true });
    const scheduler = new optim.lrScheduler.ReduceLROnPlateau(optimizer, { patience: 0, factor: 0.5 });
    const batches = new Generator(seed + 1);
    const losses: number[] = [];
    const steps = (from: number, to: number) => {
      for (let s = from; s < to; s++) {
        const idx = randint(0, 24, [5], { generator: batches });
        optimizer.zeroGrad();
        const out = model.forward(X.indexSelect(0, idx)).add(rand([5, 3]).mul(0.01)); // more default-generator noise
        const loss = F.crossEntropy(out, Y.indexSelect(0, idx));
        loss.backward();
        optimizer.step();
        scheduler.step(loss.item());
        losses.push(loss.item());
      }
    };
    return { model, optimizer, scheduler, batches, losses, steps };
  }
  const full = run(3);
  full.steps(0, 11);
  const part = run(3);
  part.steps(0, 5);
  assert.equal(part.scheduler.best < Infinity, true);
  const bytes = saveCheckpointBytes({ model: part.model, optimizer: part.optimizer, scheduler: part.scheduler, epoch: 5, generators: { batches: part.batches } });
  const back = run(42);
  loadCheckpointBytes(bytes, { model: back.model, optimizer: back.optimizer, scheduler: back.scheduler, generators: { batches: back.batches } });
  back.steps(5, 11);
  assert.deepEqual(back.losses, full.losses.slice(5));
  assert.deepEqual(bytesOf(back.model), bytesOf(full.model));
  assert.deepEqual(back.scheduler.stateDict(), full.scheduler.stateDict());
  assert.deepEqual(back.optimizer.paramGroups[0]!.lr, full.optimizer.paramGroups[0]!.lr);
});

test("checkpoint layout: model.* and optimizer.state.* tensors, JSON metadata, non-finite numbers, tensors in extra", () => {
  manualSeed(1);
  const model = new MLP();
  const optimizer = new optim.SGD(model.parameters(), { lr: 0.1, momentum: 0.5 });
  const scheduler = new optim.lrScheduler.ReduceLROnPlateau(optimizer, { mode: "max" });
  model.forward(randn([2, 6])).sum().backward();
  optimizer.step();
  const best = tensor([[1, 2], [3, 4]]);
  const bytes = saveCheckpointBytes({ model, optimizer, scheduler, epoch: 3, extra: { best, history: [1.5, NaN, -Infinity, -0], name: "run" } });
  withTmp((dir) => {
    const path = join(dir, "c.safetensors");
    saveCheckpoint(path, { model, optimizer, scheduler, epoch: 3, extra: { best, history: [1.5, NaN, -Infinity, -0], name: "run" } });
    const ck = readCheckpoint(path);
    assert.deepEqual(new Uint8Array(readFileSync(path)).length, bytes.length);
    assert.deepEqual(Object.keys(ck.model!).sort(), ["fc1.bias", "fc1.weight", "fc2.bias", "fc2.weight"]);
    assert.deepEqual(ck.metadata.format, "tensile.checkpoint");
    assert.deepEqual(ck.metadata.format_version, "1");
    assert.equal(ck.epoch, 3);
    const state = (ck.optimizer as { state: Record<string, { momentum_buffer: Tensor }> }).state;
    assert.deepEqual(Object.keys(state), ["0", "1", "2", "3"]);
    assert.deepEqual(state["0"]!.momentum_buffer.toArray(), (optimizer.state.get(model.fc1.weight)!.momentumBuffer as Tensor).toArray());
    assert.equal((ck.scheduler as { best: number }).best, -Infinity);
    const extra = ck.extra as { best: Tensor; history: number[]; name: string };
    assert.deepEqual(extra.best.toArray(), [[1, 2], [3, 4]]);
    assert.ok(Object.is(extra.history[3], -0) && Number.isNaN(extra.history[1]) && extra.history[2] === -Infinity);
    assert.deepEqual(ck.rngState, getRngState());
    const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + Number(new DataView(bytes.buffer).getBigUint64(0, true)))));
    assert.deepEqual(Object.keys(header).filter((k) => k !== "__metadata__").sort(), [
      "extra.best", "model.fc1.bias", "model.fc1.weight", "model.fc2.bias", "model.fc2.weight",
      "optimizer.state.0.momentum_buffer", "optimizer.state.1.momentum_buffer", "optimizer.state.2.momentum_buffer", "optimizer.state.3.momentum_buffer",
    ]);
    assert.deepEqual(JSON.parse(header.__metadata__.optimizer).state["0"], { momentum_buffer: { $tensor: "optimizer.state.0.momentum_buffer" } });
  });
});

test("a crash in the middle of saving a checkpoint leaves the previous one intact and no temporary file", () => {
  withTmp((dir) => {
    const path = join(dir, "ckpt.safetensors");
    const run = setup(5);
    run.runEpochs(0, 1);
    saveCheckpoint(path, { model: run.model, optimizer: run.optimizer, scheduler: run.scheduler, epoch: 1 });
    const before = readFileSync(path);
    run.runEpochs(1, 2);
    let written = 0;
    const dieHalfway = (fd: number, buf: Uint8Array, off: number, len: number): number => {
      const budget = Math.floor(before.length / 2) - written;
      if (budget <= 0) throw new Error("EIO: simulated crash");
      const n = writeSync(fd, buf, off, Math.min(len, budget));
      written += n;
      return n;
    };
    assert.throws(
      () => saveCheckpoint(path, { model: run.model, optimizer: run.optimizer, scheduler: run.scheduler, epoch: 2 }, { fs: { writeSync: dieHalfway as never } }),
      (e: unknown) => e instanceof TensileError && /^saveCheckpoint: cannot write .*ckpt\.safetensors: EIO: simulated crash/.test((e as Error).message),
    );
    assert.equal(written, Math.floor(before.length / 2));
    assert.deepEqual(readFileSync(path), before);
    assert.deepEqual(readdirSync(dir), ["ckpt.safetensors"]);
    const fresh = setup(6);
    assert.equal(loadCheckpoint(path, { model: fresh.model, optimizer: fresh.optimizer, scheduler: fresh.scheduler }).epoch, 1);
  });
});

test("loadCheckpoint errors: plain weights file, missing parts, wrong model, unknown generator", () => {
  withTmp((dir) => {
    manualSeed(0);
    const model = new MLP();
    const optimizer = new optim.SGD(model.parameters(), { lr: 0.1 });
    const weights = join(dir, "w.safetensors");
    save(model.stateDict(), weights);
    assert.throws(() => loadCheckpoint(weights, { model }), /loadCheckpoint: .*w\.safetensors is a safetensors file but not a Tensile checkpoint .* use load\(\) for plain state dicts/);
    const bytes = saveCheckpointBytes({ model, epoch: 0 });
    assert.throws(() => loadCheckpointBytes(bytes, { model, optimizer }), /loadCheckpointBytes: the data holds no optimizer state, but a optimizer was given/);
    assert.throws(() => loadCheckpointBytes(bytes, { model, generators: { loader: new Generator() } }), /holds no generator named "loader" \(it has: none\)/);
    class Other extends nn.Module {
      fc1 = new nn.Linear(6, 4);
    }
    assert.throws(() => loadCheckpointBytes(bytes, { model: new Other() }), /loadStateDict: .*size mismatch|Unexpected key|fc2/);
    // All or nothing: the optimizer part fails (different parameter groups), so the model keeps its weights.
    const full = saveCheckpointBytes({ model, optimizer, epoch: 0 });
    manualSeed(1);
    const other = new MLP();
    const before = saveBytes(other.stateDict());
    const twoGroups = new optim.SGD([{ params: [other.fc1.weight, other.fc1.bias!] }, { params: [other.fc2.weight, other.fc2.bias!] }], { lr: 0.1 });
    assert.throws(() => loadCheckpointBytes(full, { model: other, optimizer: twoGroups }), /SGD\.loadStateDict: loaded state dict has a different number of parameter groups \(1 != 2\)/);
    assert.deepEqual(saveBytes(other.stateDict()), before);

    const state = getRngState();
    assert.throws(() => saveCheckpointBytes({ model, extra: { g: new Generator() } }), /cannot store a Generator \(pass it in `generators`\) at extra\.g/);
    assert.throws(() => saveCheckpointBytes({ model, extra: { m: new Map() } }), /cannot store a Map at extra\.m/);
    assert.throws(() => saveCheckpointBytes({ model, extra: { "a.b": tensor([1]), a: { b: tensor([2]) } } }), /two tensors would both be stored as "extra\.a\.b"/);
    assert.deepEqual(getRngState(), state); // failed calls consumed no randomness
    // restoreRng: false leaves the default generator alone.
    rand([3]);
    const now = getRngState();
    loadCheckpointBytes(bytes, { model, restoreRng: false });
    assert.deepEqual(getRngState(), now);
  });
});

test("several optimizers and schedulers by name (a GAN's pair, two schedulers) save and restore, each its own state", () => {
  manualSeed(3);
  const g = new nn.Linear(4, 4), d = new nn.Linear(4, 1);
  const optG = new optim.Adam(g.parameters(), { lr: 0.01, betas: [0.5, 0.999] });
  const optD = new optim.SGD(d.parameters(), { lr: 0.1, momentum: 0.9 });
  const warm = new optim.lrScheduler.LinearLR(optG, { startFactor: 0.5, totalIters: 4 });
  const plateau = new optim.lrScheduler.ReduceLROnPlateau(optD, { patience: 0, factor: 0.5 });
  const step = (i: number) => {
    const z = randn([8, 4]);
    optD.zeroGrad();
    d.forward(g.forward(z).detach()).pow(2).mean().backward();
    optD.step();
    optG.zeroGrad();
    d.forward(g.forward(z)).mean().backward();
    optG.step();
    warm.step();
    plateau.step(1 + (i % 2)); // alternating: the plateau scheduler cuts the lr
  };
  for (let i = 0; i < 3; i++) step(i);
  const bytes = saveCheckpointBytes({ model: g, optimizers: { g: optG, d: optD }, schedulers: { warm, plateau }, extra: { dState: d.stateDict() } });
  const rest = () => { for (let i = 3; i < 6; i++) step(i); };
  rest();
  const want = [...g.parameters(), ...d.parameters()].map((p) => Array.from(p.dataSync()));
  const wantLr = [optG.paramGroups[0]!.lr, optD.paramGroups[0]!.lr];
  // fresh objects, restored from the bytes, continue the same way
  manualSeed(99);
  const g2 = new nn.Linear(4, 4), d2 = new nn.Linear(4, 1);
  const optG2 = new optim.Adam(g2.parameters(), { lr: 0.01, betas: [0.5, 0.999] });
  const optD2 = new optim.SGD(d2.parameters(), { lr: 0.1, momentum: 0.9 });
  const warm2 = new optim.lrScheduler.LinearLR(optG2, { startFactor: 0.5, totalIters: 4 });
  const plateau2 = new optim.lrScheduler.ReduceLROnPlateau(optD2, { patience: 0, factor: 0.5 });
  const ck = loadCheckpointBytes(bytes, { model: g2, optimizers: { g: optG2, d: optD2 }, schedulers: { warm: warm2, plateau: plateau2 } });
  assert.deepEqual(Object.keys(ck.optimizers).sort(), ["d", "g"]);
  assert.deepEqual(Object.keys(ck.schedulers).sort(), ["plateau", "warm"]);
  d2.loadStateDict(ck.extra.dState as Record<string, Tensor>);
  // replay steps 3..5 on the restored objects
  const run2 = (i: number, z: Tensor) => {
    optD2.zeroGrad();
    d2.forward(g2.forward(z).detach()).pow(2).mean().backward();
    optD2.step();
    optG2.zeroGrad();
    d2.forward(g2.forward(z)).mean().backward();
    optG2.step();
    warm2.step();
    plateau2.step(1 + (i % 2));
  };
  // the default generator was restored with the checkpoint: the same z's come out
  for (let i = 3; i < 6; i++) run2(i, randn([8, 4]));
  assert.deepEqual([...g2.parameters(), ...d2.parameters()].map((p) => Array.from(p.dataSync())), want);
  assert.deepEqual([optG2.paramGroups[0]!.lr, optD2.paramGroups[0]!.lr], wantLr);
  // a name the file does not hold, and one object where a record goes, are refused
  assert.throws(() => loadCheckpointBytes(bytes, { optimizers: { gen: optG2 } }),
    (e: unknown) => e instanceof TensileError && /holds no optimizer named "gen" \(it has: g, d\)/.test((e as Error).message));
  assert.throws(() => saveCheckpointBytes({ optimizers: optG as never }),
    (e: unknown) => e instanceof TensileError && /optimizers must be an object of optimizers by name/.test((e as Error).message));
  // files without them read as empty records
  const plain = loadCheckpointBytes(saveCheckpointBytes({ model: g }), { restoreRng: false });
  assert.deepEqual([plain.optimizers, plain.schedulers], [{}, {}]);
});
