/**
 * Port of a tiny U-Net binary-segmentation program, checked step by step against PyTorch
 * (tools/gen-port-unet-fixtures.py writes the oracle: fixtures/port-unet.json and the .pt files).
 *
 * The program is written as a PyTorch user writes it, in float64 on 1×16×16 images: double-conv blocks
 * (Conv2d padding 1 without bias → BatchNorm2d, or GroupNorm(2, C) in the second variant → ReLU
 * inplace), MaxPool2d(2) down, `cat([skip, up], { dim: 1 })`, a 1×1 head; up by ConvTranspose2d
 * (stride 2) in the first variant, by F.interpolate(scaleFactor 2, bilinear, alignCorners) + Conv2d in
 * the second; loss = BCEWithLogitsLoss({ posWeight }) + a hand-written soft Dice loss (sigmoid, sums
 * over dims [1, 2, 3]); Adam with ReduceLROnPlateau(mode "min", factor 0.5, patience 1) stepped each
 * epoch on the validation loss computed under noGrad in eval mode. Every step's loss (and its BCE and
 * Dice parts), the validation losses, the lrs, the final weights and BatchNorm buffers, the eval logits,
 * the thresholded masks and their IoU are compared with torch's on both backends.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { F, Tensor, cat, loadTorch, loadTorchBytes, nn, noGrad, optim, randn, rsub, saveTorchBytes, setBackend, sigmoid, tensor } from "../src/index.js";
import { gradcheck } from "./helpers/gradcheck.js";
import { assertNear, assertTensorNear } from "./helpers/port.js";

const fixtures = new URL("../fixtures/", import.meta.url);
const fx = JSON.parse(readFileSync(new URL("port-unet.json", fixtures), "utf8"));
const torchCheckpointBytes = new Uint8Array(readFileSync(new URL("port-unet-ckpt.pt", fixtures)));
/** The checkpoint each backend's BatchNorm run saved with saveTorchBytes, for the resume test. */
const tensileCheckpoint: Record<string, Uint8Array | null> = {};
const finalState = loadTorch<Record<string, Record<string, Tensor>>>(new URL("port-unet-final.pt", fixtures).pathname);
const BACKENDS = ["reference", "wasm"] as const;
const { batch: BATCH, epochs: EPOCHS, ckptEpoch: CKPT_EPOCH, lr: LR, posWeight: POS_WEIGHT, eps: EPS } = fx.config;
type Norm = "bn" | "gn";

// ---------------------------------------------------------------- the program, as a user writes it

class DoubleConv extends nn.Module {
  block: nn.Sequential;
  constructor(cin: number, cout: number, norm: Norm) {
    super();
    const makeNorm = (c: number) => (norm === "bn" ? new nn.BatchNorm2d(c) : new nn.GroupNorm(2, c));
    this.block = new nn.Sequential(
      new nn.Conv2d(cin, cout, 3, { padding: 1, bias: false }), makeNorm(cout), new nn.ReLU({ inplace: true }),
      new nn.Conv2d(cout, cout, 3, { padding: 1, bias: false }), makeNorm(cout), new nn.ReLU({ inplace: true }),
    );
  }
  override forward(x: Tensor): Tensor {
    return this.block.forward(x);
  }
}

class Up extends nn.Module {
  up: nn.Conv2d | nn.ConvTranspose2d;
  conv: DoubleConv;
  constructor(cin: number, cout: number, readonly bilinear: boolean, norm: Norm) {
    super();
    this.up = bilinear ? new nn.Conv2d(cin, cin / 2, 3, { padding: 1 }) : new nn.ConvTranspose2d(cin, cin / 2, { kernelSize: 2, stride: 2 });
    this.conv = new DoubleConv(cin, cout, norm);
  }
  override forward(x: Tensor, skip: Tensor): Tensor {
    if (this.bilinear) x = this.up.forward(F.interpolate(x, { scaleFactor: 2, mode: "bilinear", alignCorners: true }));
    else x = this.up.forward(x);
    return this.conv.forward(cat([skip, x], { dim: 1 }));
  }
}

class UNet extends nn.Module {
  inc: DoubleConv; down1: nn.Sequential; down2: nn.Sequential; up1: Up; up2: Up; outc: nn.Conv2d;
  constructor(norm: Norm = "bn", bilinear = false, c = 4) {
    super();
    this.inc = new DoubleConv(1, c, norm);
    this.down1 = new nn.Sequential(new nn.MaxPool2d(2), new DoubleConv(c, 2 * c, norm));
    this.down2 = new nn.Sequential(new nn.MaxPool2d(2), new DoubleConv(2 * c, 4 * c, norm));
    this.up1 = new Up(4 * c, 2 * c, bilinear, norm);
    this.up2 = new Up(2 * c, c, bilinear, norm);
    this.outc = new nn.Conv2d(c, 1, { kernelSize: 1 });
  }
  override forward(x: Tensor): Tensor {
    const x1 = this.inc.forward(x);
    const x2 = this.down1.forward(x1);
    const x3 = this.down2.forward(x2);
    x = this.up1.forward(x3, x2);
    x = this.up2.forward(x, x1);
    return this.outc.forward(x);
  }
}

function diceLoss(logits: Tensor, target: Tensor, eps = EPS): Tensor {
  const p = sigmoid(logits);
  const inter = p.mul(target).sum({ dim: [1, 2, 3] });
  const dice = inter.mul(2).add(eps).div(p.sum({ dim: [1, 2, 3] }).add(target.sum({ dim: [1, 2, 3] })).add(eps));
  return rsub(dice.mean(), 1); // 1 - dice.mean()
}

function iou(pred: Tensor, target: Tensor): Tensor {
  const inter = pred.logicalAnd(target).sum({ dim: [1, 2, 3] }).double();
  const union = pred.logicalOr(target).sum({ dim: [1, 2, 3] }).double();
  return inter.div(union);
}

const fromSpec = (s: { shape: number[]; data: number[] }) => tensor(s.data, { dtype: "float64" }).reshape(s.shape);

interface Checkpoint {
  epoch: number; model: Record<string, Tensor>; optimizer: optim.OptimizerStateDict; scheduler: optim.lrScheduler.SchedulerStateDict;
}

/** The training program; `resume` continues from a checkpoint, `save` is given one after epoch CKPT_EPOCH (torch.save's bytes). */
function run(name: string, norm: Norm, bilinear: boolean, { resume, save }: { resume?: Checkpoint; save?: (bytes: Uint8Array) => void } = {}) {
  const [trainX, trainY, valX, valY] = [fx.train.x, fx.train.y, fx.val.x, fx.val.y].map(fromSpec) as [Tensor, Tensor, Tensor, Tensor];
  const nTrain = trainX.shape[0]!;
  const model = new UNet(norm, bilinear).double();
  model.loadStateDict(loadTorch<Record<string, Tensor>>(new URL(`port-unet-init-${name}.pt`, fixtures).pathname));
  const criterion = new nn.BCEWithLogitsLoss({ posWeight: tensor([POS_WEIGHT], { dtype: "float64" }) });
  const optimizer = new optim.Adam(model.parameters(), { lr: LR });
  const scheduler = new optim.lrScheduler.ReduceLROnPlateau(optimizer, { mode: "min", factor: 0.5, patience: 1 });
  if (resume) {
    model.loadStateDict(resume.model);
    optimizer.loadStateDict(resume.optimizer);
    scheduler.loadStateDict(resume.scheduler);
  }
  const losses: number[] = [], bce: number[] = [], dice: number[] = [], valLosses: number[] = [], lrs: number[] = [];
  for (let epoch = resume?.epoch ?? 0; epoch < EPOCHS; epoch++) {
    model.train();
    for (let i = 0; i < nTrain; i += BATCH) {
      const x = trainX.index([`${i}:${i + BATCH}`]), y = trainY.index([`${i}:${i + BATCH}`]); // train_x[i:i + BATCH]
      optimizer.zeroGrad();
      const logits = model.forward(x);
      const lBce = criterion.forward(logits, y), lDice = diceLoss(logits, y);
      const loss = lBce.add(lDice);
      loss.backward();
      optimizer.step();
      losses.push(loss.item());
      bce.push(lBce.item());
      dice.push(lDice.item());
    }
    model.eval();
    const valLoss = noGrad(() => {
      const logits = model.forward(valX);
      return criterion.forward(logits, valY).add(diceLoss(logits, valY)).item();
    });
    scheduler.step(valLoss);
    valLosses.push(valLoss);
    lrs.push(optimizer.paramGroups[0]!.lr);
    if (save && epoch === CKPT_EPOCH)
      save(saveTorchBytes({ epoch: epoch + 1, model: model.stateDict(), optimizer: optimizer.stateDict(), scheduler: scheduler.stateDict() }));
  }
  model.eval();
  const { logits, pred, ious } = noGrad(() => {
    const logits = model.forward(valX);
    const pred = sigmoid(logits).gt(0.5);
    return { logits, pred, ious: iou(pred, valY.bool()) };
  });
  return { model, scheduler, losses, bce, dice, valLosses, lrs, logits, pred, ious, meanIou: ious.mean().item() };
}

// ---------------------------------------------------------------- comparison helpers


// ---------------------------------------------------------------- the runs

for (const backend of BACKENDS) {
  for (const [name, norm, bilinear] of [["bn_tconv", "bn", false], ["gn_bilinear", "gn", true]] as const) {
    test(`port unet (${backend}, ${name}): losses, plateau lrs, final weights and buffers, eval masks and IoU match torch`, () => {
      const prev = setBackend(backend);
      try {
        const want = fx.runs[name];
        const save = name === "bn_tconv" ? (bytes: Uint8Array) => void (tensileCheckpoint[backend] = bytes) : undefined;
        const r = run(name, norm, bilinear, { save });
        assertNear("losses", r.losses, want.losses, 1e-9);
        assertNear("bce", r.bce, want.bce, 1e-9);
        assertNear("dice", r.dice, want.dice, 1e-9);
        assertNear("val losses", r.valLosses, want.valLosses, 1e-9);
        assertNear("lrs", r.lrs, want.lrs, 0);
        compareFinal(name, r);
      } finally {
        setBackend(prev);
      }
    });
  }

  for (const source of ["torch", "Tensile"] as const)
    test(`port unet (${backend}, bn_tconv): resuming from ${source}'s checkpoint (model, Adam, ReduceLROnPlateau) ends where torch does`, () => {
      const prev = setBackend(backend);
      try {
        const bytes = source === "torch" ? torchCheckpointBytes : tensileCheckpoint[backend];
        assert.ok(bytes, "the main run wrote a checkpoint");
        const ckpt = loadTorchBytes<Checkpoint>(bytes);
        assert.equal(ckpt.epoch, CKPT_EPOCH + 1);
        const want = fx.runs.bn_tconv, stepsDone = (ckpt.epoch * want.losses.length) / EPOCHS;
        const r = run("bn_tconv", "bn", false, { resume: ckpt });
        assertNear("resumed losses", r.losses, want.losses.slice(stepsDone), 1e-9);
        assertNear("resumed val losses", r.valLosses, want.valLosses.slice(ckpt.epoch), 1e-9);
        assertNear("resumed lrs", r.lrs, want.lrs.slice(ckpt.epoch), 0);
        compareFinal("bn_tconv", r);
      } finally {
        setBackend(prev);
      }
    });
}

function compareFinal(name: string, r: ReturnType<typeof run>): void {
  const want = fx.runs[name];
  assert.equal(r.scheduler.numBadEpochs, want.numBadEpochs, "numBadEpochs");
  assertNear("best", [r.scheduler.best], [want.best], 1e-9);
  const sd = r.model.stateDict(), wantSd = finalState[name]!;
  assert.deepEqual(Object.keys(sd), Object.keys(wantSd), "state dict keys");
  for (const [k, w] of Object.entries(wantSd)) assertTensorNear(`final ${k}`, sd[k]!, w, 1e-8, 1e-10);
  assertTensorNear("eval logits", r.logits, fromSpec(want.evalLogits), 1e-8, 1e-10);
  assert.equal(r.pred.dtype, "bool");
  assert.deepEqual(r.pred.shape, want.pred.shape);
  assert.deepEqual(Array.from(r.pred.dataSync(), Number), want.pred.data, "thresholded masks");
  assertTensorNear("IoU", r.ious, fromSpec(want.iou), 1e-12, 0);
  assertNear("mean IoU", [r.meanIou], [want.meanIou], 1e-12);
}

test("port unet: the hand-written soft Dice loss passes a float64 gradcheck (both backends)", () => {
  for (const backend of BACKENDS) {
    const prev = setBackend(backend);
    try {
      const target = tensor([1, 0, 1, 1, 0, 0, 1, 0], { dtype: "float64" }).reshape([2, 1, 2, 2]);
      const logits = tensor([0.3, -1.2, 0.8, 2.0, -0.5, 0.1, 1.4, -2.2], { dtype: "float64" }).reshape([2, 1, 2, 2]);
      gradcheck((l: Tensor) => diceLoss(l, target), logits, `soft Dice (${backend})`);
    } finally {
      setBackend(prev);
    }
  }
});

// ---------------------------------------------------------------- what the port found (regressions)

test("port unet: nn.MaxPool2d(kernel_size=2, stride=2), nn.AvgPool2d(kernel_size=…) and nn.GroupNorm(num_groups=, num_channels=) by keyword", () => {
  for (const backend of BACKENDS) {
    const prev = setBackend(backend);
    try {
      const x = fromSpec(fx.val.x).index([":2"]);
      const same = (a: Tensor, b: Tensor) => assert.deepEqual(Array.from(a.dataSync()), Array.from(b.dataSync()));
      // MaxPool2d's kernel size in the options object (it used to be refused: "kernel_size must be an int or a tuple of 2 ints")
      const pool = new nn.MaxPool2d({ kernelSize: 2, stride: 2 });
      assert.deepEqual([pool.kernelSize, pool.stride, pool.padding], [2, 2, 0]);
      same(pool.forward(x) as Tensor, new nn.MaxPool2d(2).forward(x) as Tensor);
      assert.equal(new nn.MaxPool2d({ kernelSize: 3 }).stride, 3, "stride defaults to the kernel size");
      const avg = new nn.AvgPool2d({ kernelSize: 2, countIncludePad: false });
      assert.equal(avg.countIncludePad, false);
      same(avg.forward(x), new nn.AvgPool2d(2).forward(x));
      assert.throws(() => new nn.MaxPool2d({ stride: 2 } as never), /^TensileError: MaxPool2d: missing the kernel size: give it first/);
      assert.throws(() => new nn.AvgPool2d({ kernelSize: 2 }, 2 as never), /^TensileError: AvgPool2d: the options object must be the last argument, got 2 after it/);
      // GroupNorm with every argument by name (it used to read the object as num_groups)
      const gn = new nn.GroupNorm({ numGroups: 2, numChannels: 4, eps: 1e-3 });
      assert.deepEqual([gn.numGroups, gn.numChannels, gn.eps, gn.affine], [2, 4, 1e-3, true]);
      assert.deepEqual(Object.keys(gn.stateDict()), ["weight", "bias"]);
      const y = randn([2, 4, 3, 3], { dtype: "float64" });
      same(gn.double().forward(y), new nn.GroupNorm(2, 4, { eps: 1e-3 }).double().forward(y));
      assert.equal(new nn.GroupNorm({ numGroups: 2, numChannels: 4, affine: false }).weight, null);
      assert.throws(() => new nn.GroupNorm({ numGroups: 3, numChannels: 4 }), /^TensileError: GroupNorm: num_channels \(4\) must be divisible by num_groups \(3\)/);
      assert.throws(() => new nn.GroupNorm({ numGroups: 2 } as never), /^TensileError: GroupNorm: missing num_groups or num_channels/);
    } finally {
      setBackend(prev);
    }
  }
});
