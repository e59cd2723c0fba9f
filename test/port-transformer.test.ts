/**
 * Port of a small character-level Transformer language model, written as the PyTorch tutorials
 * write it (tools/gen-port-transformer-fixtures.py is the PyTorch side, fixtures/port-transformer*):
 * an embedding scaled by √d_model, a sinusoidal positional-encoding buffer that is not in the state
 * dict, nn.TransformerEncoder (post-norm and pre-norm layers) with a final LayerNorm, a causal mask
 * and a key padding mask, and a head tied to the embedding. Trained in float64 with AdamW (no decay
 * for biases, LayerNorm and the embedding), a LambdaLR warm-up, gradient clipping and
 * label-smoothed cross-entropy that ignores padding; then eval-mode greedy generation, and a
 * torch.save checkpoint (model, optimizer, scheduler) that Tensile resumes for 3 more steps.
 * Every step's loss, learning rate and gradient norm, the final state dict, the generated tokens
 * and the resumed steps are compared with torch's, on both backends.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import {
  Tensor, arange, cat, getDefaultDtype, loadTorch, loadTorchBytes, manualSeed, nn, noGrad, optim, saveTorchBytes, setBackend,
  setDefaultDtype, tensor, zeros,
} from "../src/index.js";
import type { OptimizerStateDict } from "../src/optim/index.js";
import type { SchedulerStateDict } from "../src/optim/lr-scheduler/index.js";
import { assertThrowsTensile } from "./nn-helpers.js";

const fixture = (name: string) => new URL(`../fixtures/${name}`, import.meta.url).pathname;
type Spec = { shape: number[]; dtype: string; data: (number | string)[] };
type Step = { loss: number; lr: number; gradNorm: number };
interface Variant {
  keys: string[]; namedParameters: string[]; decayCount: number; steps: Step[]; final: Record<string, Spec>;
  evalLogits: Spec; generated: number[]; generatedText: string; lastLogits: Spec;
  continued?: { steps: Step[]; final: Record<string, Spec>; lastEpoch: number };
}
const F = JSON.parse(readFileSync(fixture("port-transformer.json"), "utf8")) as {
  vocab: string[]; pad: number; steps: number; moreSteps: number; warmup: number; lr: number;
  batches: { x: Spec; y: Spec }[]; pe: Spec; causalMask4: Spec; prompt: number[]; variants: Record<"post" | "pre", Variant>;
};
const BACKENDS = ["reference", "wasm"] as const;
const num = (v: number | string) => (v === "inf" ? Infinity : v === "-inf" ? -Infinity : v === "nan" ? NaN : (v as number));
const ids = (s: Spec) => tensor(Int32Array.from(s.data as number[]), { shape: s.shape, dtype: "int32" });

/** |a − b| ≤ atol + rtol·|b| elementwise, naming the first element that is off. */
function close(actual: Tensor, want: Spec, rtol: number, atol: number, what: string): void {
  assert.deepEqual(actual.shape, want.shape, `${what}: shape`);
  const got = actual.dataSync();
  want.data.forEach((w, i) => {
    const e = num(w), a = got[i]!;
    if (Object.is(a, e)) return;
    assert.ok(Math.abs(a - e) <= atol + rtol * Math.abs(e), `${what}[${i}]: ${a} vs torch ${e}`);
  });
}
const relClose = (a: number, b: number, rtol: number, what: string) => assert.ok(Math.abs(a - b) <= rtol * Math.abs(b), `${what}: ${a} vs torch ${b}`);

// ---- the program, as a PyTorch user writes it --------------------------------------------------

const PAD = F.pad;
const D_MODEL = 16, NHEAD = 2, D_FF = 32, LAYERS = 2, MAX_LEN = 32;

class PositionalEncoding extends nn.Module {
  declare pe: Tensor;
  constructor(dModel: number, maxLen = MAX_LEN) {
    super();
    const position = arange(maxLen).unsqueeze(1);
    const divTerm = arange(0, dModel, 2).mul(-Math.log(10000.0) / dModel).exp();
    const pe = zeros(1, maxLen, dModel);
    pe.index([0, ":", "0::2"]).copy_(position.mul(divTerm).sin());
    pe.index([0, ":", "1::2"]).copy_(position.mul(divTerm).cos());
    this.registerBuffer("pe", pe, { persistent: false });
  }
  override forward(x: Tensor): Tensor {
    return x.add(this.pe.index([":", `:${x.size(1)}`]));
  }
}

class CharTransformer extends nn.Module {
  readonly dModel = D_MODEL;
  emb: nn.Embedding;
  pos: PositionalEncoding;
  encoder: nn.TransformerEncoder;
  head: nn.Linear;
  constructor(vocabSize: number, normFirst: boolean) {
    super();
    this.emb = new nn.Embedding(vocabSize, D_MODEL, { paddingIdx: PAD });
    this.pos = new PositionalEncoding(D_MODEL);
    const layer = new nn.TransformerEncoderLayer(D_MODEL, NHEAD, { dimFeedforward: D_FF, dropout: 0.0, batchFirst: true, normFirst });
    this.encoder = new nn.TransformerEncoder(layer, { numLayers: LAYERS, norm: new nn.LayerNorm(D_MODEL), enableNestedTensor: false });
    this.head = new nn.Linear(D_MODEL, vocabSize);
    this.head.weight = this.emb.weight; // weight tying
  }
  override forward(x: Tensor, padMask: Tensor | null = null): Tensor {
    const mask = nn.Transformer.generateSquareSubsequentMask(x.size(1));
    let h = this.pos.forward(this.emb.forward(x).mul(Math.sqrt(this.dModel)));
    h = this.encoder.forward(h, { mask, srcKeyPaddingMask: padMask });
    return this.head.forward(h);
  }
}

/** No weight decay for biases, LayerNorm and the (tied) embedding. */
function paramGroups(model: nn.Module) {
  const decay: nn.Parameter[] = [], noDecay: nn.Parameter[] = [];
  for (const [name, p] of model.namedParameters()) {
    if (p.ndim < 2 || name.includes("norm") || name.startsWith("emb")) noDecay.push(p);
    else decay.push(p);
  }
  return [{ params: decay, weightDecay: 0.01 }, { params: noDecay, weightDecay: 0.0 }];
}

const warmup = (step: number) => Math.min(1.0, (step + 1) / F.warmup);

function build(normFirst: boolean) {
  const model = new CharTransformer(F.vocab.length, normFirst);
  const optimizer = new optim.AdamW(paramGroups(model), { lr: F.lr, weightDecay: 0.01 });
  const scheduler = new optim.lrScheduler.LambdaLR(optimizer, warmup);
  const criterion = new nn.CrossEntropyLoss({ ignoreIndex: PAD, labelSmoothing: 0.1 });
  return { model, optimizer, scheduler, criterion };
}

function trainStep({ model, optimizer, scheduler, criterion }: ReturnType<typeof build>, batch: { x: Tensor; y: Tensor }): Step {
  const V = F.vocab.length;
  optimizer.zeroGrad();
  const logits = model.forward(batch.x, batch.x.eq(PAD));
  const loss = criterion.forward(logits.reshape(-1, V), batch.y.reshape(-1));
  loss.backward();
  const norm = nn.utils.clipGradNorm_(model.parameters(), { maxNorm: 1.0 });
  const lr = optimizer.paramGroups[0]!.lr;
  optimizer.step();
  scheduler.step();
  return { loss: loss.item(), lr, gradNorm: norm.item() };
}

/** Greedy decoding, nanoGPT-style: the argmax of the last position's logits appended to `idx` [1, T]. */
function generate(model: CharTransformer, prompt: number[], n: number): { tokens: number[]; last: Tensor } {
  model.eval();
  return noGrad(() => {
    let idx = tensor([prompt]);
    let last!: Tensor;
    for (let i = 0; i < n; i++) {
      last = model.forward(idx).index([":", -1, ":"]);
      const next = last.argmax(-1, true);
      idx = cat([idx, next], 1);
    }
    return { tokens: (idx.tolist() as number[][])[0]!, last: last.index([0]) };
  });
}

// ---- the comparisons ---------------------------------------------------------------------------

const LOSS_RTOL = 1e-9, W_RTOL = 1e-8, W_ATOL = 1e-10;

function withFloat64<T>(fn: () => T): T {
  const before = getDefaultDtype();
  setDefaultDtype("float64");
  try {
    return fn();
  } finally {
    setDefaultDtype(before);
  }
}

function compareSteps(got: Step[], want: Step[], what: string): void {
  assert.equal(got.length, want.length);
  got.forEach((s, i) => {
    relClose(s.loss, want[i]!.loss, LOSS_RTOL, `${what} step ${i + 1} loss`);
    relClose(s.gradNorm, want[i]!.gradNorm, LOSS_RTOL, `${what} step ${i + 1} grad norm`);
    assert.equal(s.lr, want[i]!.lr, `${what} step ${i + 1} lr`);
  });
}

function compareState(model: nn.Module, want: Record<string, Spec>, what: string): void {
  const sd = model.stateDict();
  assert.deepEqual(Object.keys(sd), Object.keys(want), `${what}: state-dict keys`);
  for (const [k, spec] of Object.entries(want)) close(sd[k]!, spec, W_RTOL, W_ATOL, `${what} ${k}`);
}

type Checkpoint = { model: Record<string, Tensor>; optimizer: OptimizerStateDict; scheduler: SchedulerStateDict; step: number };

/** Fresh objects (other random weights), then everything restored from `ckpt`, in PyTorch's resume order. */
function resume(ckpt: Checkpoint) {
  manualSeed(99);
  const run = build(false);
  run.model.loadStateDict(ckpt.model);
  run.optimizer.loadStateDict(ckpt.optimizer);
  run.scheduler.loadStateDict(ckpt.scheduler);
  return run;
}

function continueAsTorch(run: ReturnType<typeof build>, what: string): void {
  const want = F.variants.post.continued!;
  const batches = F.batches.map((b) => ({ x: ids(b.x), y: ids(b.y) }));
  run.model.train();
  const steps = Array.from({ length: F.moreSteps }, (_, i) => trainStep(run, batches[(F.steps + i) % batches.length]!));
  compareSteps(steps, want.steps, what);
  compareState(run.model, want.final, `${what} final`);
  assert.equal(run.scheduler.lastEpoch, want.lastEpoch);
  assert.equal(run.model.head.weight, run.model.emb.weight, `${what}: the tie survives loadStateDict`);
}

/** Tensile's optimizer and scheduler state after training, against the state dicts torch checkpointed. */
function compareTrainingState(run: ReturnType<typeof build>, torchCkpt: Checkpoint): void {
  const o = run.optimizer.stateDict(), t = torchCkpt.optimizer;
  assert.deepEqual(Object.keys(o.state), Object.keys(t.state));
  for (const [i, st] of Object.entries(t.state)) {
    assert.equal(Number(o.state[i]!.step), Number((st.step as Tensor).item()), `state ${i} step`);
    for (const k of ["exp_avg", "exp_avg_sq"]) {
      const w = st[k] as Tensor;
      close(o.state[i]![k] as Tensor, { shape: [...w.shape], dtype: w.dtype, data: [...w.dataSync()] }, W_RTOL, 1e-12, `state ${i} ${k}`);
    }
  }
  assert.equal(o.param_groups.length, t.param_groups.length);
  o.param_groups.forEach((g, i) => {
    for (const k of ["lr", "betas", "eps", "weight_decay", "amsgrad", "maximize", "initial_lr", "params"]) assert.deepEqual(g[k], t.param_groups[i]![k], `group ${i} ${k}`);
  });
  const sd = run.scheduler.stateDict(), ts = torchCkpt.scheduler;
  for (const k of ["base_lrs", "last_epoch", "_step_count", "_last_lr", "verbose", "lr_lambdas"]) assert.deepEqual(sd[k], ts[k], `scheduler ${k}`);
}

const torchCheckpoint = () => loadTorch<Checkpoint>(fixture("port-transformer-ckpt.pt"));

for (const backend of BACKENDS) {
  for (const variant of ["post", "pre"] as const) {
    test(`port transformer (${variant}-norm, ${backend}): 40 training steps, greedy generation and the final weights match torch`, () => {
      setBackend(backend);
      withFloat64(() => {
        const want = F.variants[variant];
        manualSeed(0);
        const run = build(variant === "pre");
        const { model } = run;
        // the tied head, the parameter order and groups, and the non-persistent table are as in torch
        assert.equal(model.head.weight, model.emb.weight);
        assert.deepEqual(model.namedParameters().map(([n]) => n), want.namedParameters);
        assert.equal(run.optimizer.paramGroups[0]!.params.length, want.decayCount);
        assert.deepEqual(Object.keys(model.stateDict()), want.keys);
        assert.equal(model.pos.pe.dtype, "float64");
        close(model.pos.pe, F.pe, 1e-15, 1e-15, "pe");
        model.loadStateDict(loadTorch<Record<string, Tensor>>(fixture(`port-transformer-init-${variant}.pt`)));
        assert.equal(model.head.weight, model.emb.weight, "loadStateDict keeps the tie");

        const batches = F.batches.map((b) => ({ x: ids(b.x), y: ids(b.y) }));
        model.train();
        const steps = Array.from({ length: F.steps }, (_, i) => trainStep(run, batches[i % batches.length]!));
        compareSteps(steps, want.steps, variant);
        compareState(model, want.final, `${variant} final`);
        let saved: Uint8Array | null = null;
        if (variant === "post") {
          compareTrainingState(run, torchCheckpoint());
          saved = saveTorchBytes({ model: model.stateDict(), optimizer: run.optimizer.stateDict(), scheduler: run.scheduler.stateDict(), step: F.steps });
        }

        model.eval();
        noGrad(() => {
          const x = batches[1]!.x;
          close(model.forward(x, x.eq(PAD)), want.evalLogits, W_RTOL, 1e-9, `${variant} eval logits`);
        });
        const { tokens, last } = generate(model, F.prompt, 10);
        const text = (t: number[]) => JSON.stringify(t.map((i) => F.vocab[i]).join(""));
        assert.deepEqual(tokens, want.generated, `${variant} generated ${text(tokens)} vs torch ${text(want.generated)}`);
        close(last, want.lastLogits, W_RTOL, 1e-9, `${variant} last logits`);

        // Tensile's own checkpoint, written with saveTorch's bytes and read back, resumes as torch's does
        if (saved) continueAsTorch(resume(loadTorchBytes<Checkpoint>(saved)), "resumed from Tensile's checkpoint");
      });
    });
  }

  test(`port transformer (${backend}): resuming torch's checkpoint (model, AdamW, LambdaLR) continues as torch does`, () => {
    setBackend(backend);
    withFloat64(() => {
      const ckpt = torchCheckpoint();
      assert.equal(ckpt.step, F.steps);
      continueAsTorch(resume(ckpt), "resumed from torch's checkpoint");
    });
  });
}

test("port transformer: generateSquareSubsequentMask follows the default dtype, as torch's", () => {
  withFloat64(() => {
    const m = nn.Transformer.generateSquareSubsequentMask(4);
    assert.equal(m.dtype, "float64");
    close(m, F.causalMask4, 0, 0, "mask");
  });
});

// ---- regressions: what the port ran into -------------------------------------------------------

test("port transformer: nn.TransformerEncoder takes PyTorch's keywords (numLayers, norm, enableNestedTensor, maskCheck) as options", () => {
  manualSeed(3);
  const layer = new nn.TransformerEncoderLayer(8, 2, { dimFeedforward: 16, dropout: 0, batchFirst: true });
  const norm = new nn.LayerNorm(8);
  const byOptions = new nn.TransformerEncoder(layer, { numLayers: 2, norm, enableNestedTensor: false });
  const positional = new nn.TransformerEncoder(layer, 2, norm, false, true);
  const mixed = new nn.TransformerEncoder(layer, 2, { norm, maskCheck: false });
  for (const e of [byOptions, positional, mixed]) {
    assert.equal(e.numLayers, 2);
    assert.equal(e.norm, norm);
    assert.deepEqual(Object.keys(e.stateDict()), Object.keys(new nn.TransformerEncoder(layer, 2, norm).stateDict()));
  }
  assert.equal(byOptions.enableNestedTensor, false);
  assert.equal(new nn.TransformerEncoder(layer, 1).enableNestedTensor, true, "PyTorch's default");
  assertThrowsTensile(() => new nn.TransformerEncoder(layer, { norm } as never), /^TransformerEncoder: missing the required argument numLayers \(num_layers\)/);
  assertThrowsTensile(() => new nn.TransformerEncoder(layer, { numLayers: 2, enable_nested_tensor: false } as never),
    /^TransformerEncoder: unknown option "enable_nested_tensor" \(expected one of: numLayers, norm, enableNestedTensor, maskCheck\)/);
  assertThrowsTensile(() => new nn.TransformerEncoder(layer, { numLayers: 2, enableNestedTensor: 0 } as never), /^TransformerEncoder: enableNestedTensor must be a boolean, got 0/);
  assertThrowsTensile(() => new nn.TransformerEncoder(layer, 2, "ln" as never), /^TransformerEncoder: norm must be a Module or null, got "ln"/);
  assertThrowsTensile(() => new nn.TransformerEncoder(layer, 2, { numLayers: 3 }), /^TransformerEncoder: numLayers given both positionally and as an option/);
  const decLayer = new nn.TransformerDecoderLayer(8, 2, { dimFeedforward: 16 });
  const dec = new nn.TransformerDecoder(decLayer, { numLayers: 2, norm: new nn.LayerNorm(8) });
  assert.equal(dec.layers.length, 2);
  assert.ok(dec.norm instanceof nn.LayerNorm);
  assertThrowsTensile(() => new nn.TransformerDecoder(decLayer, {} as never), /^TransformerDecoder: missing the required argument numLayers/);
  // PyTorch's d_model=16, nhead=2 keywords written as one object: named in the error, not as MultiheadAttention's embed_dim
  assertThrowsTensile(() => new nn.TransformerEncoderLayer({ dModel: 16, nhead: 2 } as never, undefined as never),
    /^TransformerEncoderLayer: d_model must be a positive integer \(given first, then nhead, then the options\), got \{"dModel":16,"nhead":2\}/);
  assertThrowsTensile(() => new nn.TransformerDecoderLayer(16, 0), /^TransformerDecoderLayer: nhead must be a positive integer, got 0/);
});

test("port transformer: TransformerEncoder.forward takes PyTorch's `mask` keyword, and refuses option names it does not know", () => {
  withFloat64(() => {
    manualSeed(4);
    const layer = new nn.TransformerEncoderLayer(8, 2, { dimFeedforward: 16, dropout: 0, batchFirst: true });
    const enc = new nn.TransformerEncoder(layer, 2).eval();
    const x = tensor(Float64Array.from({ length: 2 * 5 * 8 }, (_, i) => Math.sin(i * 0.7)), { shape: [2, 5, 8] });
    const mask = nn.Transformer.generateSquareSubsequentMask(5);
    const pad = tensor([[false, false, false, false, false], [false, false, false, true, true]]);
    const a = enc.forward(x, { mask, srcKeyPaddingMask: pad });
    const b = enc.forward(x, { srcMask: mask, srcKeyPaddingMask: pad });
    assert.deepEqual([...a.dataSync()], [...b.dataSync()], "mask and srcMask are one option");
    // causal: the first position's output depends on the first position alone
    const unmasked = enc.forward(x, { srcKeyPaddingMask: pad });
    assert.notDeepEqual([...a.index([0, 0]).dataSync()], [...unmasked.index([0, 0]).dataSync()]);
    // a misspelt or PyTorch-spelt mask would otherwise be dropped, and the model run unmasked
    const bad = { src_key_padding_mask: pad } as never;
    assertThrowsTensile(() => enc.forward(x, bad), /^TransformerEncoder\.forward: unknown option "src_key_padding_mask" \(expected one of: mask, srcMask, srcKeyPaddingMask\)/);
    assertThrowsTensile(() => enc.forward(x, { mask, isCausal: true } as never), /^TransformerEncoder\.forward: unknown option "isCausal"/);
    assertThrowsTensile(() => enc.forward(x, { mask, srcMask: mask }), /^TransformerEncoder\.forward: give the attention mask once, as mask \(PyTorch's name\) or srcMask, not both/);
    assertThrowsTensile(() => layer.forward(x, { mask } as never), /^TransformerEncoderLayer\.forward: unknown option "mask" \(expected one of: srcMask, srcKeyPaddingMask\)/);
    const dec = new nn.TransformerDecoder(new nn.TransformerDecoderLayer(8, 2, { dimFeedforward: 16, batchFirst: true }), 1);
    assertThrowsTensile(() => dec.forward(x, x, { tgt_mask: mask } as never), /^TransformerDecoder\.forward: unknown option "tgt_mask" \(expected one of: tgtMask, memoryMask, tgtKeyPaddingMask, memoryKeyPaddingMask\)/);
    const tr = new nn.Transformer({ dModel: 8, nhead: 2, numEncoderLayers: 1, numDecoderLayers: 1, dimFeedforward: 16, batchFirst: true });
    assertThrowsTensile(() => tr.forward(x, x, { mask } as never), /^Transformer\.forward: unknown option "mask" \(expected one of: srcMask, srcKeyPaddingMask, tgtMask/);
  });
});

test("port transformer: clipGradNorm_ and clipGradValue_ take PyTorch's keywords as options", () => {
  const grads = () => {
    const a = tensor([3, -4], { requiresGrad: true }), b = tensor([[12]], { requiresGrad: true });
    a.pow(2).sum().add(b.pow(2).sum().div(2)).backward(); // grads 2a = [6, -8], b = [[12]]
    return [a, b];
  };
  const [a1, b1] = grads(), [a2, b2] = grads();
  const n1 = nn.utils.clipGradNorm_([a1!, b1!], 1.0);
  const n2 = nn.utils.clipGradNorm_([a2!, b2!], { maxNorm: 1.0 });
  assert.ok(Math.abs(n2.item() - Math.hypot(6, 8, 12)) < 1e-5);
  assert.equal(n1.item(), n2.item());
  assert.deepEqual([...a2!.grad!.dataSync()], [...a1!.grad!.dataSync()]);
  const [a3, b3] = grads();
  assert.equal(nn.utils.clipGradNorm_([a3!, b3!], { maxNorm: 1, normType: Infinity, errorIfNonfinite: true, foreach: null }).item(), 12);
  const [a4] = grads();
  nn.utils.clipGradValue_([a4!], { clipValue: 7 });
  assert.deepEqual([...a4!.grad!.dataSync()], [6, -7]);
  assertThrowsTensile(() => nn.utils.clipGradNorm_([a4!], {} as never), /^clipGradNorm_: max_norm must be a number, got undefined/);
  assertThrowsTensile(() => nn.utils.clipGradNorm_([a4!], { max_norm: 1 } as never), /^clipGradNorm_: unknown option "max_norm" \(expected one of: maxNorm, normType, errorIfNonfinite, foreach\)/);
  assertThrowsTensile(() => nn.utils.clipGradNorm_([a4!], 1, { maxNorm: 2 }), /^clipGradNorm_: maxNorm given both positionally and as an option/);
  assertThrowsTensile(() => nn.utils.clipGradValue_([a4!], { clip_value: 1 } as never), /^clipGradValue_: unknown option "clip_value"/);
});
