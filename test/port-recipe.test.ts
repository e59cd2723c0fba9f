/**
 * Port of a standard image-classification training recipe, checked step by step against PyTorch
 * (tools/gen-port-recipe-fixtures.py writes the oracle: fixtures/port-recipe.json and the .pt files).
 *
 * The program is written as a PyTorch user writes it: a tiny ResNet (two BasicBlocks, a 1×1-conv
 * downsampling shortcut, BatchNorm2d, AdaptiveAvgPool2d) in float64; a map-style Dataset with an
 * index-decided horizontal flip and transforms.normalize, in a DataLoader (batch 8, dropLast) with
 * a custom Sampler yielding torch's orders; SGD with Nesterov momentum and two parameter groups
 * (weight decay only on conv/linear weights), LinearLR → CosineAnnealingLR through SequentialLR,
 * CrossEntropyLoss with label smoothing, mixup (torch's lambdas and permutations), gradient
 * accumulation over 2 micro-batches, clipGradNorm_, zeroGrad({setToNone}); three EMAs (AveragedModel
 * with a custom avgFn, a hand-written one under noGrad, torchvision's ExponentialMovingAverage subclass
 * averaging buffers too); updateBn; eval-mode logits, accuracy and torchvision's top-k `accuracy`. A
 * mid-run checkpoint (torch's, and Tensile's own) is resumed from. A second short run uses OneCycleLR
 * and torchvision's RandomMixup as the loader's collateFn (soft targets).
 * Every loss, lr, momentum and gradient norm, the final weights and BatchNorm buffers, the EMAs and the
 * eval logits are compared with torch's on both backends.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { type DType, F, Tensor, data, flatten, inferenceMode, loadTorch, loadTorchBytes, mean, nn, noGrad, oneHot, optim, saveTorchBytes, setBackend, sum,
  tensor, zeros } from "../src/index.js";
import { gradcheck } from "./helpers/gradcheck.js";
import { assertNear, assertTensorNear } from "./helpers/port.js";

const fixtures = new URL("../fixtures/", import.meta.url);
const fx = JSON.parse(readFileSync(new URL("port-recipe.json", fixtures), "utf8"));
const initState = loadTorch<Record<string, Tensor>>(new URL("port-recipe-init.pt", fixtures).pathname);
const finalState = loadTorch<Record<string, Record<string, Tensor>>>(new URL("port-recipe-final.pt", fixtures).pathname);
const torchCheckpointBytes = new Uint8Array(readFileSync(new URL("port-recipe-ckpt.pt", fixtures)));
const BACKENDS = ["reference", "wasm"] as const;
interface Checkpoint {
  epoch: number; model: Record<string, Tensor>; optimizer: optim.OptimizerStateDict; scheduler: optim.lrScheduler.SchedulerStateDict;
  swa: Record<string, Tensor>; hand: Record<string, Tensor>; tv_ema: Record<string, Tensor>;
}
/** The checkpoint each backend's main run saved with saveTorchBytes, for the resume test. */
const tensileCheckpoint: Record<string, Uint8Array | null> = {};
const { batch: BATCH, accum: ACCUM, epochs: EPOCHS, onecycleEpochs: ONECYCLE_EPOCHS, mean: MEAN, std: STD, emaDecay: EMA_DECAY, maxNorm: MAX_NORM,
  ckptEpoch: CKPT_EPOCH } = fx.config;

// ---------------------------------------------------------------- the program, as a user writes it

class BasicBlock extends nn.Module {
  conv1: nn.Conv2d; bn1: nn.BatchNorm2d; conv2: nn.Conv2d; bn2: nn.BatchNorm2d; shortcut: nn.Sequential;
  constructor(cin: number, cout: number, stride = 1) {
    super();
    this.conv1 = new nn.Conv2d(cin, cout, 3, { stride, padding: 1, bias: false });
    this.bn1 = new nn.BatchNorm2d(cout);
    this.conv2 = new nn.Conv2d(cout, cout, 3, { stride: 1, padding: 1, bias: false });
    this.bn2 = new nn.BatchNorm2d(cout);
    this.shortcut = new nn.Sequential();
    if (stride !== 1 || cin !== cout)
      this.shortcut = new nn.Sequential(new nn.Conv2d(cin, cout, 1, { stride, bias: false }), new nn.BatchNorm2d(cout));
  }
  override forward(x: Tensor): Tensor {
    let out = F.relu(this.bn1.forward(this.conv1.forward(x)));
    out = this.bn2.forward(this.conv2.forward(out));
    out.add_(this.shortcut.forward(x)); // out += self.shortcut(x)
    return F.relu(out);
  }
}

class TinyResNet extends nn.Module {
  conv1 = new nn.Conv2d(3, 8, 3, { padding: 1, bias: false });
  bn1 = new nn.BatchNorm2d(8);
  relu = new nn.ReLU({ inplace: true });
  layer1 = new BasicBlock(8, 8);
  layer2 = new BasicBlock(8, 12, 2);
  avgpool = new nn.AdaptiveAvgPool2d([1, 1]);
  fc: nn.Linear;
  constructor(numClasses = 4) {
    super();
    this.fc = new nn.Linear(12, numClasses);
  }
  override forward(x: Tensor): Tensor {
    x = this.relu.forward(this.bn1.forward(this.conv1.forward(x)));
    x = this.layer2.forward(this.layer1.forward(x));
    x = flatten(this.avgpool.forward(x), 1);
    return this.fc.forward(x);
  }
}

class ToyImages extends data.Dataset<[Tensor, number]> {
  constructor(readonly images: Tensor, readonly labels: number[], readonly train: boolean, readonly transform?: (x: Tensor) => Tensor) {
    super();
  }
  get length(): number {
    return this.labels.length;
  }
  getItem(index: number): [Tensor, number] {
    let img = this.images.select(0, index);
    if (this.train && index % 3 === 1) img = data.transforms.functional.hflip(img); // the augmentation, decided by the index
    if (this.transform) img = this.transform(img);
    return [img, this.labels[index]!];
  }
}

/** Yields orders[0] on the first pass, orders[1] on the second, … */
class GivenOrderSampler extends data.Sampler {
  epoch = 0;
  constructor(readonly orders: number[][]) {
    super();
  }
  get length(): number {
    return this.orders[0]!.length;
  }
  *[Symbol.iterator](): Iterator<number> {
    const order = this.orders[this.epoch % this.orders.length]!;
    this.epoch++;
    yield* order;
  }
}

function paramGroups(model: nn.Module): optim.ParamGroupInput<optim.SGDOptions>[] {
  const decay: Tensor[] = [], noDecay: Tensor[] = [];
  for (const [, p] of model.namedParameters()) (p.ndim <= 1 ? noDecay : decay).push(p); // BatchNorm and biases: no decay
  return [{ params: decay, weightDecay: 5e-4 }, { params: noDecay, weightDecay: 0 }];
}

/** torchvision's references/classification/utils.py EMA: AveragedModel subclassed, buffers averaged too. */
class ExponentialMovingAverage extends optim.swaUtils.AveragedModel {
  constructor(model: nn.Module, decay: number, device = "cpu") {
    const emaAvg = (avgModelParam: Tensor, modelParam: Tensor) => avgModelParam.mul(decay).add(modelParam.mul(1 - decay));
    super(model, device, emaAvg, true);
  }
}

/** torchvision's references RandomMixup (p = 1) as a collate step, with torch's lambdas in turn. */
class GivenMixup {
  k = 0;
  constructor(readonly numClasses: number, readonly lams: number[]) {}
  forward(batch: Tensor, target: Tensor): [Tensor, Tensor] {
    target = F.oneHot(target, { numClasses: this.numClasses }).to({ dtype: batch.dtype }); // one_hot(target, num_classes=…).to(dtype=…)
    batch = batch.clone();
    target = target.clone();
    const lam = this.lams[this.k++]!;
    const batchRolled = batch.roll(1, 0), targetRolled = target.roll(1, 0);
    batchRolled.mul_(1.0 - lam);
    batch.mul_(lam).add_(batchRolled);
    targetRolled.mul_(1.0 - lam);
    target.mul_(lam).add_(targetRolled);
    return [batch, target];
  }
}

interface Run { losses: number[]; lrs: number[][]; momenta: number[][]; gradNorms: number[] }

/** The training loop; `startEpoch` > 0 resumes (mixup's inputs continue from that epoch's first micro-step). */
function trainRun(model: nn.Module, loader: data.DataLoader<[Tensor, number], [Tensor, Tensor]>, optimizer: optim.SGD,
  scheduler: optim.lrScheduler.LRScheduler, epochs: number,
  { emas = [], startEpoch = 0, onEpochEnd }: { emas?: ((m: nn.Module) => void)[]; startEpoch?: number; onEpochEnd?: (epoch: number) => void } = {}): Run {
  const criterion = new nn.CrossEntropyLoss({ labelSmoothing: 0.1 });
  const run: Run = { losses: [], lrs: [], momenta: [], gradNorms: [] };
  let k = startEpoch * loader.length;
  model.train();
  optimizer.zeroGrad();
  for (let epoch = startEpoch; epoch < epochs; epoch++) {
    let i = 0;
    for (let [x, y] of loader) {
      let loss: Tensor;
      if (y.ndim === 1) { // mixup in the loop, with torch's permutation
        const lam: number = fx.lams[k], perm = tensor(fx.perms[k] as number[], { dtype: "int32" });
        x = x.mul(lam).add(x.index([perm]).mul(1 - lam));
        const out = model.forward(x);
        loss = criterion.forward(out, y).mul(lam).add(criterion.forward(out, y.index([perm])).mul(1 - lam));
      } else { // mixed by the loader's collateFn: soft targets
        loss = criterion.forward(model.forward(x), y);
      }
      loss.div(ACCUM).backward();
      run.losses.push(loss.item());
      k++;
      if ((i + 1) % ACCUM === 0) {
        run.lrs.push(optimizer.paramGroups.map((g) => g.lr));
        run.momenta.push(optimizer.paramGroups.map((g) => g.momentum));
        run.gradNorms.push(nn.utils.clipGradNorm_(model.parameters(), MAX_NORM).item());
        optimizer.step();
        optimizer.zeroGrad({ setToNone: true });
        scheduler.step();
        for (const ema of emas) ema(model);
      }
      i++;
    }
    onEpochEnd?.(epoch);
  }
  return run;
}

/** torchvision's references/classification/utils.py accuracy (percent, top-k). */
function accuracy(output: Tensor, target: Tensor, topk: number[] = [1]): Tensor[] {
  return inferenceMode(() => {
    const maxk = Math.max(...topk);
    const batchSize = target.size(0);
    if (target.ndim === 2) target = target.max(1)[1];
    let [, pred] = output.topk(maxk, 1, true, true);
    pred = pred.t();
    const correct = pred.eq(target.index([null]));
    return topk.map((k) => correct.index([`:${k}`]).flatten().sum({ dtype: "float32" }).mul(100.0 / batchSize));
  });
}

/** Model, data, optimizer, SequentialLR (LinearLR warm-up → CosineAnnealingLR) and both EMAs, as the main run builds them. */
function setup() {
  const model = new TinyResNet().double();
  model.loadStateDict(initState);

  const normalize = data.transforms.normalize(MEAN, STD);
  const trainSet = new ToyImages(fromSpec(fx.train.x), fx.train.y, true, normalize);
  const testSet = new ToyImages(fromSpec(fx.test.x), fx.test.y, false, normalize);
  const sampler = new GivenOrderSampler(fx.orders);
  const loader = new data.DataLoader(trainSet, { batchSize: BATCH, sampler, dropLast: true });

  const steps = EPOCHS * Math.floor(trainSet.length / BATCH);
  const optimizer = new optim.SGD(paramGroups(model), { lr: 0.1, momentum: 0.9, nesterov: true });
  const warmup = new optim.lrScheduler.LinearLR(optimizer, { startFactor: 0.1, totalIters: 3 });
  const cosine = new optim.lrScheduler.CosineAnnealingLR(optimizer, { tMax: steps / ACCUM - 3, etaMin: 1e-3 });
  const scheduler = new optim.lrScheduler.SequentialLR(optimizer, { schedulers: [warmup, cosine], milestones: [3] });

  const swa = new optim.swaUtils.AveragedModel(model, { avgFn: (avg, p) => avg.mul(EMA_DECAY).add(p.mul(1 - EMA_DECAY)) });
  const hand = nn.deepcopy(model);
  const handUpdate = (m: nn.Module) =>
    noGrad(() => {
      const mine = hand.parameters(), theirs = m.parameters();
      mine.forEach((pEma, i) => pEma.mul_(EMA_DECAY).add_(theirs[i]!, { alpha: 1 - EMA_DECAY }));
      const bMine = hand.buffers(), bTheirs = m.buffers();
      bMine.forEach((b, i) => b.copy_(bTheirs[i]!));
    });
  const tvEma = new ExponentialMovingAverage(model, EMA_DECAY);
  const emas = [(m: nn.Module) => swa.updateParameters(m), handUpdate, (m: nn.Module) => tvEma.updateParameters(m)];
  return { model, trainSet, testSet, sampler, loader, optimizer, scheduler, swa, hand, tvEma, emas };
}

/** updateBn for the AveragedModel, then the final state and eval results of all four models against torch's. */
function finishAndCompare(s: ReturnType<typeof setup>): void {
  const { model, trainSet, testSet, swa, hand, tvEma } = s;
  optim.swaUtils.updateBn(new data.DataLoader(trainSet, { batchSize: BATCH }), swa); // 6 batches of 8 and one of 4
  const models = [["model", model], ["swa", swa], ["hand", hand], ["tv_ema", tvEma]] as const;
  for (const [name, m] of models) assertStateDict(name, m.stateDict(), finalState[name]!);
  const [xTest, yTest] = [...new data.DataLoader(testSet, { batchSize: testSet.length })][0]!;
  for (const [name, m] of models) checkEval(name, evaluate(m, xTest, yTest), fx.eval[name]);
}

function evaluate(model: nn.Module, x: Tensor, y: Tensor) {
  model.eval();
  const logits = noGrad(() => model.forward(x) as Tensor);
  const acc = noGrad(() => logits.argmax(1).eq(y).float().mean().item());
  const [acc1, acc2] = accuracy(logits, y, [1, 2]);
  return { logits, accuracy: acc, acc1: acc1!.item(), acc2: acc2!.item() };
}

function checkEval(name: string, got: ReturnType<typeof evaluate>, want: { logits: { shape: number[]; data: number[] }; accuracy: number; acc1: number; acc2: number }) {
  assertTensorNear(`${name} eval logits`, got.logits, fromSpec(want.logits), 1e-8, 1e-10);
  // float32 results, as torch's .float().mean() and sum(dtype=float32) * (100 / batch)
  assert.equal(got.accuracy, want.accuracy, `${name} accuracy`);
  assert.equal(got.acc1, want.acc1, `${name} top-1 accuracy`);
  assert.equal(got.acc2, want.acc2, `${name} top-2 accuracy`);
}

// ---------------------------------------------------------------- comparison helpers

const fromSpec = (s: { shape: number[]; data: number[] }) => tensor(s.data, { dtype: "float64" }).reshape(s.shape);


/** Every entry of torch's state dict (weights, running statistics, num_batches_tracked, n_averaged) against Tensile's. */
function assertStateDict(what: string, got: Record<string, Tensor>, want: Record<string, Tensor>, rtol = 1e-8, atol = 1e-10): void {
  assert.deepEqual(Object.keys(got), Object.keys(want), `${what}: keys`);
  for (const [k, w] of Object.entries(want)) assertTensorNear(`${what}.${k}`, got[k]!, w, rtol, atol);
}

// ---------------------------------------------------------------- the runs

for (const backend of BACKENDS) {
  test(`port recipe (${backend}): SequentialLR warm-up + cosine, mixup, accumulation, EMAs, updateBn match torch`, () => {
    const prev = setBackend(backend);
    try {
      const s = setup();
      let ckpt: Uint8Array | null = null;
      const run = trainRun(s.model, s.loader, s.optimizer, s.scheduler, EPOCHS, {
        emas: s.emas,
        onEpochEnd: (epoch) => {
          if (epoch === CKPT_EPOCH)
            ckpt = saveTorchBytes({ epoch: epoch + 1, model: s.model.stateDict(), optimizer: s.optimizer.stateDict(),
              scheduler: s.scheduler.stateDict(), swa: s.swa.stateDict(), hand: s.hand.stateDict(), tv_ema: s.tvEma.stateDict() });
        },
      });
      assertNear("losses", run.losses, fx.run.losses, 1e-9);
      assertNear("lrs", run.lrs.flat(), (fx.run.lrs as number[][]).flat(), 1e-12, 1e-15);
      assertNear("grad norms", run.gradNorms, fx.run.gradNorms, 1e-9);
      assertNear("lastLr", s.scheduler.getLastLr(), fx.lastLr, 1e-12, 1e-15);
      finishAndCompare(s);
      tensileCheckpoint[backend] = ckpt;
    } finally {
      setBackend(prev);
    }
  });

  for (const source of ["torch", "Tensile"] as const)
    test(`port recipe (${backend}): resuming from ${source}'s mid-run checkpoint (torch.save file) ends where torch does`, () => {
      const prev = setBackend(backend);
      try {
        const bytes = source === "torch" ? torchCheckpointBytes : tensileCheckpoint[backend];
        assert.ok(bytes, "the main run wrote a checkpoint");
        const ckpt = loadTorchBytes<Checkpoint>(bytes);
        const s = setup();
        s.model.loadStateDict(ckpt.model);
        s.optimizer.loadStateDict(ckpt.optimizer);
        s.scheduler.loadStateDict(ckpt.scheduler);
        s.swa.loadStateDict(ckpt.swa);
        s.hand.loadStateDict(ckpt.hand);
        s.tvEma.loadStateDict(ckpt.tv_ema);
        s.sampler.epoch = ckpt.epoch;
        const run = trainRun(s.model, s.loader, s.optimizer, s.scheduler, EPOCHS, { emas: s.emas, startEpoch: ckpt.epoch });
        const done = (ckpt.epoch * s.loader.length) / ACCUM;
        assertNear("resumed losses", run.losses, (fx.run.losses as number[]).slice(ckpt.epoch * s.loader.length), 1e-9);
        assertNear("resumed lrs", run.lrs.flat(), (fx.run.lrs as number[][]).slice(done).flat(), 1e-12, 1e-15);
        finishAndCompare(s);
      } finally {
        setBackend(prev);
      }
    });

  test(`port recipe (${backend}): OneCycleLR run (lr and momentum cycled per group) matches torch`, () => {
    const prev = setBackend(backend);
    try {
      const model = new TinyResNet().double();
      model.loadStateDict(initState);
      const trainSet = new ToyImages(fromSpec(fx.train.x), fx.train.y, true, data.transforms.normalize(MEAN, STD));
      const mixup = new GivenMixup(4, fx.lams);
      const loader = new data.DataLoader(trainSet, { batchSize: BATCH, sampler: new GivenOrderSampler(fx.orders), dropLast: true,
        collateFn: (batch: [Tensor, number][]) => mixup.forward(...data.defaultCollate(batch)) });
      const optimizer = new optim.SGD(paramGroups(model), { lr: 0.1, momentum: 0.9, nesterov: true });
      const totalSteps = (ONECYCLE_EPOCHS * Math.floor(trainSet.length / BATCH)) / ACCUM;
      const onecycle = new optim.lrScheduler.OneCycleLR(optimizer, { maxLr: [0.1, 0.05], totalSteps, pctStart: 0.25 });
      const run = trainRun(model, loader, optimizer, onecycle, ONECYCLE_EPOCHS);

      assertNear("onecycle losses", run.losses, fx.onecycle.losses, 1e-9);
      assertNear("onecycle lrs", run.lrs.flat(), (fx.onecycle.lrs as number[][]).flat(), 1e-12, 1e-15);
      assertNear("onecycle momenta", run.momenta.flat(), (fx.onecycle.momenta as number[][]).flat(), 1e-12);
      assertNear("onecycle grad norms", run.gradNorms, fx.onecycle.gradNorms, 1e-9);
      assertNear("onecycle lastLr", onecycle.getLastLr(), fx.onecycle.lastLr, 1e-12, 1e-15);
      assertStateDict("onecycle", model.stateDict(), finalState.onecycle!);
      const testSet = new ToyImages(fromSpec(fx.test.x), fx.test.y, false, data.transforms.normalize(MEAN, STD));
      const [xTest, yTest] = [...new data.DataLoader(testSet, { batchSize: testSet.length })][0]!;
      checkEval("onecycle", evaluate(model, xTest, yTest), fx.onecycle.eval);
    } finally {
      setBackend(prev);
    }
  });
}

// ---------------------------------------------------------------- API the port found missing (fixed)

test("port recipe: sum/mean take PyTorch's dtype= ({ dtype }), as torchvision's accuracy writes correct.sum(dtype=torch.float32)", () => {
  for (const backend of BACKENDS) {
    const prev = setBackend(backend);
    try {
      for (const c of fx.api.reductions as { name: string; input: { shape: number[]; dtype: DType; data: number[] }; op: "sum" | "mean"; args: [number?, boolean?]; dtype: DType; result: { shape: number[]; dtype: DType; data: number[] } }[]) {
        const x = tensor(c.input.data, { dtype: c.input.dtype }).reshape(c.input.shape);
        const [dim, keepdim] = c.args;
        const forms = [
          dim === undefined ? x[c.op]({ dtype: c.dtype }) : keepdim === undefined ? x[c.op](dim, { dtype: c.dtype }) : x[c.op](dim, keepdim, { dtype: c.dtype }),
          (c.op === "sum" ? sum : mean)(x, dim ?? null, keepdim ?? false, { dtype: c.dtype }),
        ];
        for (const y of forms) {
          assert.deepEqual(y.shape, c.result.shape, `${c.name} (${backend}): shape`);
          assert.equal(y.dtype, c.result.dtype, `${c.name} (${backend}): dtype`);
          assert.deepEqual(Array.from(y.dataSync(), Number), c.result.data, `${c.name} (${backend})`);
        }
      }
    } finally {
      setBackend(prev);
    }
  }
  const ints = tensor([[1, 2], [3, 5]], { dtype: "int32" });
  assert.ok(fx.api.meanIntDtypeError.startsWith("mean(): could not infer output dtype. Optional dtype must be either a floating point or complex dtype"));
  assert.throws(() => ints.mean({ dtype: "int32" }), /^TensileError: mean: could not infer output dtype\. Optional dtype must be either a floating point or complex dtype\. Got: int32$/);
  assert.throws(() => ints.sum({ dtype: "float16" as DType }), /^TensileError: sum: unknown dtype "float16"/);
  assert.throws(() => ints.sum({ dtpye: "float32" } as never), /^TensileError: sum: unknown option "dtpye" \(expected one of: dim, keepdim, dtype\)$/);
  assert.throws(() => sum(ints, { dtype: "float32" } as never, true), /^TensileError: sum: the options object \(\{ dtype \}\) must come last$/);
  // the cast is recorded: gradients flow back to the float64 input (float32 → float64 and back)
  gradcheck((x) => x.sum(1, { dtype: "float64" }), tensor([[0.3, -1.2, 2.0], [0.7, 0.1, -0.5]], { dtype: "float64" }), "sum(1, {dtype})");
  gradcheck((x) => x.mean(0, true, { dtype: "float64" }), tensor([[0.3, -1.2, 2.0], [0.7, 0.1, -0.5]], { dtype: "float64" }), "mean(0, true, {dtype})");
  const x = tensor([1.5, -2.25], { dtype: "float64", requiresGrad: true });
  x.mul(x).sum({ dtype: "float32" }).backward();
  assert.equal(x.grad!.dtype, "float64");
  assert.deepEqual(Array.from(x.grad!.dataSync()), [3, -4.5]);
});

test("port recipe: Tensor.to and Module.to take PyTorch's forms (device + nonBlocking, dtype=, device + dtype, another tensor, copy)", () => {
  const want = fx.api.to;
  const x = tensor([1.5, 2]);
  assert.equal(x.to("float32") === x, want.sameDtypeIsSelf);
  assert.equal(x.to("float32", { copy: true }) !== x, want.copyIsNew);
  assert.equal(x.to("cpu", { nonBlocking: true }) === x, want.deviceIsSelf);
  assert.equal(x.to("cpu", "float64").dtype, want.deviceDtype);
  assert.equal(x.to({ dtype: "float64" }).dtype, want.keywordDtype);
  assert.equal(x.to(zeros([1], { dtype: "float64" })).dtype, want.otherDtype);
  assert.equal(x.to("cpu", null, true).dtype, "float32");
  const copied = x.to({ copy: true });
  assert.ok(copied !== x && copied.dtype === "float32");
  copied.add_(1);
  assert.deepEqual(Array.from(x.dataSync()), [1.5, 2], "copy: true copies the storage");
  assert.throws(() => x.to("cuda", { nonBlocking: true }), /^TensileError: to: Tensile computes on the CPU .* no 'cuda' device/);
  assert.throws(() => x.to("float64", { dtype: "float32" }), /^TensileError: to: dtype given both positionally and as an option$/);
  assert.throws(() => x.to({ memoryFormat: "channelsLast" } as never), /^TensileError: to: memoryFormat "channelsLast" is not supported/);
  assert.throws(() => x.to({ non_blocking: true } as never), /^TensileError: to: unknown option "non_blocking"/);
  assert.throws(() => x.to(3 as never), /^TensileError: to: expected a dtype, a device \("cpu"\), a tensor or an options object, got 3$/);

  const m = new nn.Linear(2, 2);
  assert.equal(m.to("cpu", { nonBlocking: true }), m);
  assert.equal(m.to("cpu", "float64").weight.dtype, "float64");
  assert.equal(m.to({ dtype: "float32" }).weight.dtype, "float32");
  assert.equal(m.to(zeros([1], { dtype: "float64" })).bias!.dtype, "float64");
  assert.throws(() => m.to("cpu", "int32"), /^TensileError: Module\.to: nn\.Module only accepts floating point dtypes, got int32$/);
  assert.throws(() => m.to("float32", false, true as never), /^TensileError: Module\.to: unexpected argument true at position 2$/);
  assert.throws(() => m.to({ copy: true } as never), /^TensileError: Module\.to: unknown option "copy"/);
});

test("port recipe: oneHot takes PyTorch's keyword num_classes ({ numClasses })", () => {
  const y = tensor([0, 2], { dtype: "int32" });
  assert.deepEqual(oneHot(y, { numClasses: 4 }).tolist(), oneHot(y, 4).tolist());
  assert.deepEqual(y.oneHot({}).shape, [2, 3]);
  assert.throws(() => oneHot(y, { num_classes: 4 } as never), /^TensileError: oneHot: unknown option "num_classes" \(expected: numClasses\)$/);
  assert.throws(() => oneHot(y, { numClasses: 1.5 }), /^TensileError: oneHot: numClasses must be a non-negative integer .*got 1\.5$/);
});

test("port recipe: loadStateDict(sd, false) takes strict positionally, as model.load_state_dict(sd, False)", () => {
  const model = new TinyResNet().double();
  const partial: Record<string, Tensor> = Object.fromEntries(Object.entries(initState).filter(([k]) => !k.startsWith("fc.")));
  partial["head.weight"] = zeros([1]);
  const result = model.loadStateDict(partial, false);
  assert.deepEqual(result, { missingKeys: fx.api.loadNonStrict.missing, unexpectedKeys: fx.api.loadNonStrict.unexpected });
  assertTensorNear("loaded conv1.weight", model.conv1.weight, initState["conv1.weight"]!, 0, 0);
  assert.throws(() => model.loadStateDict(partial, true), /Missing key\(s\) in state_dict: "fc\.weight", "fc\.bias"/);
  assert.throws(() => model.loadStateDict(partial, 0 as never), /^TensileError: loadStateDict: expected strict \(a boolean\) or an options object \{ strict \}, got 0$/);
  assert.throws(() => model.loadStateDict(partial, { strict: "no" } as never), /^TensileError: loadStateDict: strict must be a boolean, got "no"$/);
});
