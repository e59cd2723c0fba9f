/**
 * Port of a tiny Vision Transformer as users write it from scratch for torch 1.13, checked step by
 * step against PyTorch (tools/gen-port-vit-fixtures.py writes the oracle: fixtures/port-vit.json,
 * port-vit-init.pt and port-vit-final.pt).
 *
 * The program: PatchEmbed (Conv2d with kernel = stride = patch, flatten(2).transpose(1, 2)), a zero
 * cls token expanded to the batch and concatenated, a learned position embedding (truncNormal_,
 * std .02), hand-written pre-norm blocks (LayerNorm eps 1e-6, multi-head attention from a packed qkv
 * Linear with reshape/permute, q @ kᵀ · scale, softmax, (attn @ v).transpose(1, 2).reshape, proj;
 * an MLP with GELU, approximate "tanh" in the second block), the head on the cls token, and timm's
 * `_init_weights` through `model.apply`. A second model uses nn.TransformerEncoderLayer (gelu,
 * normFirst, batchFirst) blocks. Both train 20 steps in float64 with AdamW (no decay for 1-D
 * parameters, cls token and position embedding, by parameter groups), CosineAnnealingWarmRestarts
 * stepped per iteration with fractional epochs, label-smoothed cross-entropy and clipGradNorm_
 * (errorIfNonfinite). The last block's attention maps are captured by a forward hook (a forward
 * pre-hook plus self_attn with needWeights for the TransformerEncoderLayer model); eval-mode
 * predictions run under noGrad. Every loss, lr and gradient norm, the final weights, the attention
 * maps, logits and predictions are compared with torch's on both backends; for the hand-written model
 * also attention rollout over both blocks and the trained model at 12×12 with its position embedding
 * resampled bicubically (timm's resample_abs_pos_embed).
 *
 * What the port found: a forward hook written `(m, args, out) => maps.push(out)` made Dropout's output
 * the number 1 (now a TensileError naming the idiom); `nn.Conv2d(3, D, kernel_size=P, stride=P)` had
 * no Tensile form (now `{ kernelSize, stride }`); `optim.AdamWOptions` was missing (now an alias).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { F, Tensor, cat, eye, loadTorch, manualSeed, nn, noGrad, optim, randn, setBackend, tensor, zeros } from "../src/index.js";
import { gradcheck } from "./helpers/gradcheck.js";

const fixtures = new URL("../fixtures/", import.meta.url);
const fx = JSON.parse(readFileSync(new URL("port-vit.json", fixtures), "utf8"));
const initStates = loadTorch<Record<"hand" | "layers", Record<string, Tensor>>>(new URL("port-vit-init.pt", fixtures).pathname);
const finalStates = loadTorch<Record<"hand" | "layers", Record<string, Tensor>>>(new URL("port-vit-final.pt", fixtures).pathname);
const BACKENDS = ["reference", "wasm"] as const;
const { img: IMG, patch: PATCH, dim: DIM, heads: HEADS, depth: DEPTH, mlpDim: MLP_DIM, classes: CLASSES, batch: BATCH, epochs: EPOCHS,
  lr: LR, weightDecay: WEIGHT_DECAY, maxNorm: MAX_NORM, t0: T_0, tMult: T_MULT } = fx.config;

// ---------------------------------------------------------------- the program, as a user writes it

class PatchEmbed extends nn.Module {
  numPatches: number;
  proj: nn.Conv2d;
  constructor(imgSize = IMG, patchSize = PATCH, inChans = 3, embedDim = DIM) {
    super();
    this.numPatches = (imgSize / patchSize) ** 2;
    this.proj = new nn.Conv2d(inChans, embedDim, { kernelSize: patchSize, stride: patchSize }); // kernel_size=patch_size, stride=patch_size
  }
  override forward(x: Tensor): Tensor {
    return this.proj.forward(x).flatten(2).transpose(1, 2); // B, N, D
  }
}

class Attention extends nn.Module {
  numHeads: number;
  scale: number;
  qkv: nn.Linear;
  attnDrop = new nn.Dropout(0.0);
  proj: nn.Linear;
  constructor(dim: number, numHeads = HEADS, qkvBias = true) {
    super();
    this.numHeads = numHeads;
    const headDim = Math.floor(dim / numHeads);
    this.scale = headDim ** -0.5;
    this.qkv = new nn.Linear(dim, dim * 3, { bias: qkvBias });
    this.proj = new nn.Linear(dim, dim);
  }
  override forward(x: Tensor): Tensor {
    const [B, N, C] = x.shape as [number, number, number];
    const qkv = this.qkv.forward(x).reshape(B, N, 3, this.numHeads, C / this.numHeads).permute(2, 0, 3, 1, 4);
    const [q, k, v] = [qkv.index([0]), qkv.index([1]), qkv.index([2])];
    let attn = q.matmul(k.transpose(-2, -1)).mul(this.scale);
    attn = attn.softmax(-1);
    attn = this.attnDrop.forward(attn);
    x = attn.matmul(v).transpose(1, 2).reshape(B, N, C);
    return this.proj.forward(x);
  }
}

class Mlp extends nn.Module {
  fc1: nn.Linear;
  act: nn.GELU;
  fc2: nn.Linear;
  constructor(dim: number, hidden: number, approximate: "none" | "tanh" = "none") {
    super();
    this.fc1 = new nn.Linear(dim, hidden);
    this.act = new nn.GELU({ approximate });
    this.fc2 = new nn.Linear(hidden, dim);
  }
  override forward(x: Tensor): Tensor {
    return this.fc2.forward(this.act.forward(this.fc1.forward(x)));
  }
}

class Block extends nn.Module {
  norm1: nn.LayerNorm;
  attn: Attention;
  norm2: nn.LayerNorm;
  mlp: Mlp;
  constructor(dim: number, numHeads: number, mlpDim: number, approximate: "none" | "tanh" = "none") {
    super();
    this.norm1 = new nn.LayerNorm(dim, { eps: 1e-6 });
    this.attn = new Attention(dim, numHeads);
    this.norm2 = new nn.LayerNorm(dim, { eps: 1e-6 });
    this.mlp = new Mlp(dim, mlpDim, approximate);
  }
  override forward(x: Tensor): Tensor {
    x = x.add(this.attn.forward(this.norm1.forward(x)));
    x = x.add(this.mlp.forward(this.norm2.forward(x)));
    return x;
  }
}

class VisionTransformer extends nn.Module {
  patch_embed: PatchEmbed;
  cls_token: nn.Parameter;
  pos_embed: nn.Parameter;
  posDrop = new nn.Dropout({ p: 0.0 });
  blocks: nn.ModuleList;
  norm: nn.LayerNorm;
  head: nn.Linear;
  initLog: string[] = [];
  constructor(numClasses = CLASSES, torchLayers = false) {
    super();
    this.patch_embed = new PatchEmbed();
    const numPatches = this.patch_embed.numPatches;
    this.cls_token = new nn.Parameter(zeros(1, 1, DIM));
    this.pos_embed = new nn.Parameter(zeros(1, numPatches + 1, DIM));
    if (torchLayers)
      this.blocks = new nn.ModuleList(Array.from({ length: DEPTH }, () =>
        new nn.TransformerEncoderLayer(DIM, HEADS, { dimFeedforward: MLP_DIM, dropout: 0.0, activation: "gelu", layerNormEps: 1e-6,
          batchFirst: true, normFirst: true })));
    else this.blocks = new nn.ModuleList(Array.from({ length: DEPTH }, (_, i) => new Block(DIM, HEADS, MLP_DIM, i === 1 ? "tanh" : "none")));
    this.norm = new nn.LayerNorm(DIM, { eps: 1e-6 });
    this.head = new nn.Linear(DIM, numClasses);
    nn.init.truncNormal_(this.pos_embed, { std: 0.02 });
    this.apply((m) => this.initWeights(m));
  }
  initWeights(m: nn.Module): void {
    if (m instanceof nn.Linear) {
      nn.init.truncNormal_(m.weight, { std: 0.02 });
      if (m.bias !== null) nn.init.zeros_(m.bias);
      this.initLog.push("linear");
    } else if (m instanceof nn.LayerNorm) {
      nn.init.ones_(m.weight!);
      nn.init.zeros_(m.bias!);
      this.initLog.push("layernorm");
    }
  }
  forwardFeatures(x: Tensor): Tensor {
    const B = x.shape[0]!;
    x = this.patch_embed.forward(x);
    const clsTokens = this.cls_token.expand(B, -1, -1);
    x = cat([clsTokens, x], 1);
    x = x.add(this.pos_embed);
    x = this.posDrop.forward(x);
    for (const blk of this.blocks) x = blk.forward(x) as Tensor;
    x = this.norm.forward(x);
    return x.index([":", 0]);
  }
  override forward(x: Tensor): Tensor {
    return this.head.forward(this.forwardFeatures(x));
  }
}

function paramGroups(model: nn.Module): optim.ParamGroupInput<optim.AdamWOptions>[] {
  const decay: Tensor[] = [], noDecay: Tensor[] = [];
  for (const [name, p] of model.namedParameters()) {
    if (!p.requiresGrad) continue;
    if (p.ndim <= 1 || name === "cls_token" || name === "pos_embed") noDecay.push(p);
    else decay.push(p);
  }
  return [{ params: decay, weightDecay: WEIGHT_DECAY }, { params: noDecay, weightDecay: 0.0 }];
}

interface Run { losses: number[]; lrs: number[][]; gradNorms: number[]; scheduler: optim.lrScheduler.CosineAnnealingWarmRestarts }

function trainRun(model: nn.Module, trainX: Tensor, trainY: Tensor): Run {
  const optimizer = new optim.AdamW(paramGroups(model), { lr: LR, betas: [0.9, 0.999], weightDecay: WEIGHT_DECAY });
  const scheduler = new optim.lrScheduler.CosineAnnealingWarmRestarts(optimizer, { t0: T_0, tMult: T_MULT });
  const criterion = new nn.CrossEntropyLoss({ labelSmoothing: 0.1 });
  const iters = trainY.size(0) / BATCH;
  const run: Run = { losses: [], lrs: [], gradNorms: [], scheduler };
  model.train();
  for (let epoch = 0; epoch < EPOCHS; epoch++) {
    const order: number[] = fx.orders[epoch];
    for (let i = 0; i < iters; i++) {
      const idx = tensor(order.slice(i * BATCH, (i + 1) * BATCH), { dtype: "int32" });
      const [x, y] = [trainX.index([idx]), trainY.index([idx])];
      optimizer.zeroGrad();
      const loss = criterion.forward(model.forward(x), y);
      loss.backward();
      run.gradNorms.push(nn.utils.clipGradNorm_(model.parameters(), MAX_NORM, { errorIfNonfinite: true }).item());
      run.lrs.push(optimizer.paramGroups.map((g) => g.lr));
      optimizer.step();
      scheduler.step(epoch + i / iters);
      run.losses.push(loss.item());
    }
  }
  return run;
}

function evaluate(model: VisionTransformer, testX: Tensor, torchLayers: boolean) {
  const maps: Tensor[] = [];
  const inputs: Tensor[] = [];
  const last = model.blocks.at(-1);
  let handle: nn.RemovableHandle;
  if (torchLayers) // the layer calls self_attn with needWeights false: take its input, ask again
    handle = last.registerForwardPreHook((m, args) => { inputs.push(args[0] as Tensor); });
  else handle = (last as Block).attn.attnDrop.registerForwardHook((m, args, out) => { maps.push(out as Tensor); });
  model.eval();
  const logits = noGrad(() => {
    const logits = model.forward(testX);
    if (torchLayers) {
      const layer = last as nn.TransformerEncoderLayer;
      const h = layer.norm1.forward(inputs[0]!);
      maps.push(layer.self_attn.forward(h, h, h, { needWeights: true, averageAttnWeights: false })[1]!);
    }
    return logits;
  });
  handle.remove();
  const captured = torchLayers ? inputs.length : maps.length;
  noGrad(() => model.forward(testX)); // the removed hook no longer runs
  assert.equal(torchLayers ? inputs.length : maps.length, captured, "handle.remove()");
  const preds = logits.argmax(1);
  const probs = logits.softmax(-1);
  const clsAttn = maps[0]!.index([":", ":", 0, "1:"]).mean(1).reshape(-1, IMG / PATCH, IMG / PATCH);
  return { logits, preds, probs, attn: maps[0]!, clsAttn, captured };
}

/** timm's resample_abs_pos_embed: the patch positions as a grid, resized bicubically; the cls position kept. */
function resamplePosEmbed(posEmbed: Tensor, newGrid: number): Tensor {
  const clsPos = posEmbed.index([":", ":1"]);
  let patchPos = posEmbed.index([":", "1:"]);
  const oldGrid = Math.floor(Math.sqrt(patchPos.shape[1]!));
  patchPos = patchPos.reshape(1, oldGrid, oldGrid, -1).permute(0, 3, 1, 2);
  patchPos = F.interpolate(patchPos, { size: [newGrid, newGrid], mode: "bicubic", alignCorners: false });
  patchPos = patchPos.permute(0, 2, 3, 1).reshape(1, newGrid * newGrid, -1);
  return cat([clsPos, patchPos], 1);
}

/** Abnar & Zuidema's attention rollout: every block's maps (forward hooks), head-averaged, plus the identity, rows renormalised, multiplied through. */
function attentionRollout(model: VisionTransformer, x: Tensor): Tensor {
  const maps: Tensor[] = [];
  const handles = [...model.blocks].map((blk) => (blk as Block).attn.attnDrop.registerForwardHook((m, args, out) => { maps.push(out as Tensor); }));
  model.eval();
  return noGrad(() => {
    model.forward(x);
    for (const h of handles) h.remove();
    const n = maps[0]!.shape.at(-1)!;
    let result = eye(n, { dtype: x.dtype }).expand(x.shape[0]!, n, n);
    for (const attn of maps) {
      let a = attn.mean(1).add(eye(n, { dtype: x.dtype }));
      a = a.div(a.sum(-1, true));
      result = a.matmul(result);
    }
    return result.index([":", 0, "1:"]);
  });
}

// ---------------------------------------------------------------- comparison helpers

type Spec = { shape: number[]; data: number[] };
const fromSpec = (s: Spec) => tensor(s.data, { dtype: "float64" }).reshape(s.shape);

function assertNear(what: string, got: number[], want: number[], rtol: number, atol = 0): void {
  assert.equal(got.length, want.length, `${what}: length`);
  got.forEach((g, i) => {
    const w = want[i]!;
    if (!(Math.abs(g - w) <= atol + rtol * Math.abs(w))) assert.fail(`${what}[${i}]: got ${g}, torch ${w} (rtol ${rtol}, atol ${atol})`);
  });
}

function assertTensorNear(what: string, got: Tensor, want: Tensor | Spec, rtol: number, atol: number): void {
  const w = want instanceof Tensor ? want : fromSpec(want);
  assert.deepEqual(got.shape, w.shape, `${what}: shape`);
  assert.equal(got.dtype, w.dtype, `${what}: dtype`);
  assertNear(what, Array.from(got.dataSync(), Number), Array.from(w.dataSync(), Number), rtol, atol);
}

// ---------------------------------------------------------------- the runs

for (const variant of ["hand", "layers"] as const) {
  const want = fx.variants[variant];
  const torchLayers = variant === "layers";
  const label = torchLayers ? "nn.TransformerEncoderLayer blocks" : "hand-written blocks";
  for (const backend of BACKENDS)
    test(`port vit (${backend}, ${label}): AdamW + CosineAnnealingWarmRestarts per iteration, attention maps, eval predictions match torch`, () => {
      const prev = setBackend(backend);
      try {
        manualSeed(0);
        const model = new VisionTransformer(CLASSES, torchLayers).double();
        // model.apply(_init_weights) visited the modules in torch's order (children first) with the same types
        assert.deepEqual(model.initLog, want.initLog, "apply(initWeights) branches");
        for (const [name, p] of model.namedParameters()) {
          if (name.endsWith("norm1.weight") || name.endsWith("norm2.weight") || name === "norm.weight")
            assert.ok(p.eq(1).all().item(), `${name}: ones_`);
          if (/(qkv|proj|fc1|fc2|linear1|linear2|out_proj|head)\.bias$/.test(name) && !name.startsWith("patch_embed"))
            assert.ok(p.eq(0).all().item(), `${name}: zeros_`);
        }
        const posStd = model.pos_embed.std().item();
        assert.ok(posStd > 0.01 && posStd < 0.03, `pos_embed truncNormal_ std .02: ${posStd}`);
        const numParams = model.parameters().filter((p) => p.requiresGrad).reduce((s, p) => s + p.numel(), 0);
        assert.equal(numParams, want.numParams, "parameter count");
        assert.deepEqual(paramGroups(model).map((g) => (g.params as Tensor[]).length), want.groupSizes, "parameter groups");
        assert.deepEqual(Object.keys(model.stateDict()), want.keys, "state dict keys");

        model.loadStateDict(initStates[variant]); // torch's initial values for the compared run
        const trainX = fromSpec(fx.train.x), trainY = tensor(fx.train.y as number[], { dtype: "int32" });
        const run = trainRun(model, trainX, trainY);
        assertNear("losses", run.losses, want.losses, 1e-9);
        assertNear("lrs", run.lrs.flat(), (want.lrs as number[][]).flat(), 1e-12, 1e-15);
        assertNear("grad norms", run.gradNorms, want.gradNorms, 1e-9);
        assertNear("lastLr", run.scheduler.getLastLr(), want.lastLr, 1e-12, 1e-15);
        assert.deepEqual({ T_cur: run.scheduler.tCur, T_i: run.scheduler.tI, last_epoch: run.scheduler.lastEpoch }, want.scheduler);
        const sd = model.stateDict();
        for (const [k, w] of Object.entries(finalStates[variant])) assertTensorNear(`final ${k}`, sd[k]!, w, 1e-8, 1e-10);

        const ev = evaluate(model, fromSpec(fx.test.x), torchLayers);
        assertTensorNear("eval logits", ev.logits, want.eval.logits, 1e-8, 1e-10);
        assertTensorNear("eval probs", ev.probs, want.eval.probs, 1e-8, 1e-12);
        assertTensorNear("attention maps", ev.attn, want.eval.attn, 1e-8, 1e-12);
        assertTensorNear("cls attention", ev.clsAttn, want.eval.clsAttn, 1e-8, 1e-12);
        assert.deepEqual(Array.from(ev.preds.dataSync()), want.eval.preds, "predictions");
        assert.equal(ev.captured, 1, "the hook ran once, for the eval batch");
        if (torchLayers) return;

        assertTensorNear("attention rollout", attentionRollout(model, fromSpec(fx.test.x)), want.rollout, 1e-8, 1e-12);
        // fine-tuning at 12×12: a 3×3 patch grid, the position embedding resampled bicubically
        const big = nn.deepcopy(model);
        big.pos_embed = new nn.Parameter(resamplePosEmbed(model.pos_embed.detach(), fx.big.img / PATCH));
        big.eval();
        noGrad(() => {
          assertTensorNear("resampled pos_embed", big.pos_embed, want.bigPosEmbed, 1e-10, 1e-13);
          assertTensorNear("12×12 eval logits", big.forward(fromSpec(fx.big.x)), want.bigLogits, 1e-8, 1e-10);
        });
        assert.deepEqual(big.stateDict()["pos_embed"]!.shape, [1, 10, DIM]);
      } finally {
        setBackend(prev);
      }
    });
}

test("port vit: CosineAnnealingWarmRestarts(T_0=5, T_mult=2) stepped with fractional epochs matches torch over three restarts", () => {
  const { etaMin, perEpoch, lrs } = fx.schedule as { etaMin: number; perEpoch: number; lrs: number[] };
  const optimizer = new optim.AdamW([new nn.Parameter(zeros(1))], { lr: LR });
  const scheduler = new optim.lrScheduler.CosineAnnealingWarmRestarts(optimizer, { t0: T_0, tMult: T_MULT, etaMin });
  const got: number[] = [];
  for (let epoch = 0; got.length < lrs.length; epoch++)
    for (let i = 0; i < perEpoch; i++) {
      scheduler.step(epoch + i / perEpoch);
      got.push(scheduler.getLastLr()[0]!);
    }
  assertNear("schedule", got, lrs, 1e-12, 1e-15);
});

test("port vit: clipGradNorm_ with errorIfNonfinite refuses a NaN gradient, as torch does", () => {
  assert.ok((fx.nonfiniteError as string).startsWith("The total norm of order 2.0 for gradients from `parameters` is non-finite"));
  const p = new nn.Parameter(tensor([1, 1], { dtype: "float64" }));
  p.grad = tensor([1, NaN], { dtype: "float64" });
  assert.throws(() => nn.utils.clipGradNorm_([p], 1.0, { errorIfNonfinite: true }),
    /^TensileError: clipGradNorm_: the total norm of order 2 for gradients from parameters is non-finite, so it cannot be clipped/);
  assert.deepEqual(Array.from(p.grad.dataSync()), [1, NaN], "gradients left alone");
});

test("port vit: the hand-written attention, block and whole model pass a float64 gradcheck", () => {
  manualSeed(5);
  const model = new VisionTransformer().double();
  const blk = model.blocks.at(0) as Block, blk2 = model.blocks.at(1) as Block;
  const tokens = randn(2, 3, DIM, { dtype: "float64" });
  gradcheck((t) => blk.attn.forward(t), tokens, "Attention");
  gradcheck((t) => blk2.forward(t), tokens, "Block (GELU tanh)");
  gradcheck((t) => model.forward(t), randn(1, 3, IMG, IMG, { dtype: "float64" }), "VisionTransformer");
  gradcheck((p) => resamplePosEmbed(p, 3), randn(1, 5, 2, { dtype: "float64" }), "resamplePosEmbed (bicubic)");
});

// ---------------------------------------------------------------- what the port found (fixed)

test("port vit: a forward (pre-)hook written as (m, args, out) => maps.push(out) is refused, not made the module's output", () => {
  // Array.prototype.push returns the new length: PyTorch's "a non-None result replaces the output"
  // made Dropout's output the number 1 (and a pre-hook's, the next module's input)
  const drop = new nn.Dropout(0.0), x = randn(2, 3);
  const maps: unknown[] = [];
  const h = drop.registerForwardHook((m, args, out) => maps.push(out));
  assert.throws(() => drop.forward(x), (e: Error) => e.name === "TensileError" && e.message ===
    "Dropout: a forward hook returned 1 (a number), which would replace the module's output (a Tensor); return undefined to keep it. " +
    "arr.push(x) returns the array's new length: give the hook a block body, (m, args, out) => { maps.push(out); }");
  h.remove();
  const lin = new nn.Linear(3, 2);
  const h2 = lin.registerForwardPreHook((m, args) => maps.push(args[0]));
  assert.throws(() => lin.forward(x), /^TensileError: Linear: a forward pre-hook returned 2 \(a number\), which would replace the module's input \(a Tensor\); return undefined to keep it\. .*\(m, args\) => \{ inputs\.push\(args\[0\]\); \}$/);
  h2.remove();
  for (const bad of [true, "out"])
    assert.throws(() => { const h3 = lin.registerForwardHook(() => bad); try { lin.forward(x); } finally { h3.remove(); } },
      new RegExp(`^TensileError: Linear: a forward hook returned ${typeof bad === "string" ? '"out" \\(a string\\)' : "true \\(a boolean\\)"}`));
  // a returned tensor (or array of tensors for a pre-hook) still replaces, as in PyTorch; block bodies return undefined
  const h4 = lin.registerForwardHook(() => zeros(2, 2));
  assert.deepEqual(Array.from(lin.forward(x).dataSync()), [0, 0, 0, 0]);
  h4.remove();
  const h5 = lin.registerForwardPreHook(() => [zeros(2, 3)]);
  assert.deepEqual(Array.from(lin.forward(x).dataSync()), Array.from(lin.bias!.expand(2, 2).dataSync()));
  h5.remove();
  // a module whose output is itself a number may still have it replaced by one
  class Count extends nn.Module {
    override forward(t: Tensor): number {
      return t.numel();
    }
  }
  const c = new Count();
  c.registerForwardHook((m, args, out) => (out as number) + 1);
  assert.equal(c.forward(x), 7);
});

test("port vit: nn.Conv2d takes PyTorch's kernel_size= keyword in the options object (PatchEmbed's Conv2d(3, D, kernel_size=P, stride=P))", () => {
  for (const backend of BACKENDS) {
    const prev = setBackend(backend);
    try {
      manualSeed(3);
      const a = new nn.Conv2d(3, 4, { kernelSize: 2, stride: 2 }).double();
      manualSeed(3);
      const b = new nn.Conv2d(3, 4, 2, { stride: 2 }).double();
      assert.deepEqual([a.kernelSize, a.stride], [[2, 2], [2, 2]]);
      assert.equal(String(a), String(b));
      assert.deepEqual(Array.from(a.weight.dataSync()), Array.from(b.weight.dataSync()), "the same initialisation");
      const x = randn(2, 3, 4, 4, { dtype: "float64" });
      assert.deepEqual(a.forward(x).shape, [2, 4, 2, 2]);
      gradcheck((t) => a.forward(t), x, "Conv2d({ kernelSize, stride })");
    } finally {
      setBackend(prev);
    }
  }
  assert.deepEqual(new nn.Conv1d(2, 3, { kernelSize: 3, padding: 1, bias: false }).kernelSize, [3]);
  assert.deepEqual(new nn.Conv3d(2, 3, { kernelSize: [1, 2, 2] }).kernelSize, [1, 2, 2]);
  assert.deepEqual(new nn.ConvTranspose2d(4, 3, { kernelSize: 2, stride: 2 }).forward(randn(1, 4, 3, 3)).shape, [1, 3, 6, 6]);
  assert.deepEqual(new nn.ConvTranspose1d(4, 3, { kernelSize: 2 }).kernelSize, [2]);
  assert.deepEqual(new nn.ConvTranspose3d(4, 3, { kernelSize: 2 }).kernelSize, [2, 2, 2]);
  assert.throws(() => new nn.Conv2d(3, 4, { stride: 2 } as never),
    /^TensileError: Conv2d: missing the kernel size: give it third \(new nn\.Conv2d\(in, out, 3\)\) or as kernelSize in the options object, got \{"stride":2\}$/);
  assert.throws(() => new nn.Conv2d(3, 4, { kernelSize: 2 }, 2 as never), /^TensileError: Conv2d: the options object must be the last argument, got 2 after it$/);
  assert.throws(() => new nn.Conv2d(3, 4, { kernelSize: 2, kernel_size: 2 } as never), /^TensileError: Conv2d: unknown option "kernel_size"/);
  assert.throws(() => new nn.ConvTranspose2d(3, 4, { kernelSize: 2, paddingMode: "reflect" } as never), /^TensileError: ConvTranspose2d: Only "zeros" padding mode/);
});
