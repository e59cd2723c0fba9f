// The seq2seq port against PyTorch (fixtures/port-seq2seq*.{json,pt} from
// tools/gen-port-seq2seq-fixtures.py): PyTorch's attention-translation tutorial on a digit-reversal
// task, with a bidirectional GRU over packed padded sequences, Bahdanau attention with a padding
// mask, an LSTM decoder step, teacher forcing from a given list, NLLLoss(ignoreIndex), SGD with
// Nesterov momentum and weight decay, clipGradValue_, StepLR then ReduceLROnPlateau fed a no-grad
// eval-mode validation loss, in float64. On every backend: the 25 steps' losses, validation losses
// and learning rates, the weights at the checkpoint and at the end, the momentum buffers, the
// plateau scheduler's state and the greedy decodings; resuming from torch's torch.save checkpoint;
// Tensile's own checkpoint (saveTorch, and saveCheckpoint) reloaded into fresh objects; and torch's
// run resumed from the checkpoint Tensile wrote (fixtures/port-seq2seq-tensile-ckpt.pt).
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { after, describe, test } from "node:test";
import { type Tensor, cat, getBackend, loadTorch, loadTorchBytes, randn, saveTorchBytes, setBackend, tensor } from "../src/index.js";
import { F, io, nn, optim } from "../src/index.js";
import { backendsUnderTest } from "./helpers/backends.js";
import { gradcheck } from "./helpers/gradcheck.js";
import { assertThrowsTensile } from "./nn-helpers.js";
import {
  AttnDecoderRNN, BahdanauAttention, EncoderRNN, type Enc, LuongSeq2Seq, type Program, Seq2Seq, batch, build, checkpoint, dec, fixturePath, fx,
  greedy, trainSteps,
} from "./port-seq2seq-program.js";

const { steps: STEPS, ckpt_step: CKPT } = fx.config;
const LOSS_RTOL = 1e-9, WEIGHT_TOL = 1e-8;

const before = getBackend().name;
after(() => setBackend(before));

/** |a − e| ≤ atol + rtol·|e| elementwise, naming the first bad index; shapes and dtypes must match. */
function assertClose(what: string, actual: Tensor, expected: Enc, rtol = WEIGHT_TOL, atol = WEIGHT_TOL): void {
  assert.deepEqual([...actual.shape], expected.shape, `${what}: shape`);
  assert.equal(actual.dtype, expected.dtype, `${what}: dtype`);
  const e = dec(expected).dataSync(), a = actual.dataSync();
  for (let i = 0; i < e.length; i++) {
    const ok = a[i] === e[i] || Math.abs(a[i]! - e[i]!) <= atol + rtol * Math.abs(e[i]!);
    if (!ok) assert.fail(`${what}: element ${i} is ${a[i]}, PyTorch has ${e[i]} (rtol ${rtol}, atol ${atol})`);
  }
}
function assertNumbersClose(what: string, actual: readonly number[], expected: readonly number[], rtol: number): void {
  assert.equal(actual.length, expected.length, `${what}: length`);
  actual.forEach((v, i) => {
    if (!(Math.abs(v - expected[i]!) <= rtol * Math.abs(expected[i]!)))
      assert.fail(`${what}[${i}] is ${v}, PyTorch has ${expected[i]} (rtol ${rtol})`);
  });
}
function assertWeights(what: string, model: nn.Module, expected: Record<string, Enc>, tol = WEIGHT_TOL): void {
  const sd = model.stateDict();
  assert.deepEqual(Object.keys(sd), Object.keys(expected), `${what}: state-dict keys (torch's, in torch's order)`);
  for (const [k, e] of Object.entries(expected)) assertClose(`${what}: ${k}`, sd[k]!, e, tol, tol);
}
/** Fresh objects with torch's initial weights. */
function fromTorchInit(): Program {
  const p = build();
  p.model.loadStateDict(loadTorch<Record<string, Tensor>>(fixturePath("port-seq2seq-init.pt")));
  return p;
}
/** Every tensor and number of two state dicts equal exactly (the live state and the reloaded one). */
function assertSameState(what: string, a: unknown, b: unknown): void {
  if (a instanceof Object && "dataSync" in a) {
    const [ta, tb] = [a as Tensor, b as Tensor];
    assert.deepEqual([ta.shape, ta.dtype], [tb.shape, tb.dtype], `${what}: shape and dtype`);
    assert.deepEqual(ta.dataSync(), tb.dataSync(), `${what}: values`);
  } else if (typeof a === "object" && a !== null) {
    assert.deepEqual(Object.keys(a).sort(), Object.keys(b as object).sort(), `${what}: keys`);
    for (const k of Object.keys(a)) assertSameState(`${what}.${k}`, (a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]);
  } else assert.equal(a, b, what);
}
/** As assertSameState, with numbers and tensor elements equal to 1e-10 (rerun tools/make-port-seq2seq-checkpoint.ts if not). */
function assertStateClose(what: string, a: unknown, b: unknown): void {
  if (a instanceof Object && "dataSync" in a) {
    const [ta, tb] = [a as Tensor, b as Tensor];
    assert.deepEqual([ta.shape, ta.dtype], [tb.shape, tb.dtype], `${what}: shape and dtype`);
    const [va, vb] = [ta.dataSync(), tb.dataSync()];
    va.forEach((x, i) => assert.ok(Math.abs(x - vb[i]!) <= 1e-10 * (1 + Math.abs(vb[i]!)), `${what}[${i}]: ${x} vs ${vb[i]}`));
  } else if (typeof a === "number" && typeof b === "number") {
    assert.ok(a === b || Math.abs(a - b) <= 1e-10 * (1 + Math.abs(b)), `${what}: ${a} vs ${b}`);
  } else if (typeof a === "object" && a !== null) {
    assert.deepEqual(Object.keys(a).sort(), Object.keys(b as object).sort(), `${what}: keys`);
    for (const k of Object.keys(a)) assertStateClose(`${what}.${k}`, (a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]);
  } else assert.equal(a, b, what);
}
const committedTensileCkpt = new Uint8Array(readFileSync(fixturePath("port-seq2seq-tensile-ckpt.pt")));

for (const backend of backendsUnderTest()) {
  describe(`seq2seq port matches PyTorch (${backend.name})`, () => {
    test("the initial model's forward with teacher forcing", () => {
      setBackend(backend.name);
      const { model } = fromTorchInit();
      const [src, lengths, tgt] = batch(fx.batches[0]!);
      const [out, [h, c], attn] = model.forward(src, lengths, tgt, fx.teacher_forcing[0]!);
      assertClose("log-probabilities", out, fx.init_out, 1e-12, 1e-12);
      assert.deepEqual([h.shape, c.shape, attn.shape], [[1, 5, fx.config.hid], [1, 5, fx.config.hid], [5, tgt.size(1), src.size(1)]]);
      // padded source positions get exactly zero attention (masked with -inf before the softmax)
      const a = attn.tolist() as number[][][], len = lengths.tolist() as number[];
      a.forEach((rows, i) => rows.forEach((row) => row.forEach((w, j) => { if (j >= len[i]!) assert.equal(w, 0); })));
    });

    test(`${STEPS} training steps, a checkpoint after step ${CKPT} reloaded, greedy decoding`, () => {
      setBackend(backend.name);
      const p = fromTorchInit();
      let resumed: { p: Program; epoch: number } | null = null;
      const rec = trainSteps(p, 1, STEPS, (step) => {
        if (step !== CKPT) return;
        assertWeights(`weights after step ${CKPT}`, p.model, fx.ckpt_weights);
        // Tensile's torch.save-format checkpoint, reloaded into fresh objects
        const bytes = saveTorchBytes(checkpoint(p, step));
        // the file torch resumed from (fixtures/port-seq2seq-tensile-ckpt.pt) is, to rounding, what Tensile writes today
        assertStateClose("committed Tensile checkpoint", loadTorchBytes(committedTensileCkpt), checkpoint(p, step));
        const ck = loadTorchBytes<ReturnType<typeof checkpoint>>(bytes);
        const q = build();
        q.model.loadStateDict(ck.model);
        q.optimizer.loadStateDict(ck.optimizer);
        q.stepLr.loadStateDict(ck.scheduler);
        q.plateau.loadStateDict(ck.plateau);
        assertSameState("reloaded checkpoint", checkpoint(q, ck.epoch), checkpoint(p, step));
        resumed = { p: q, epoch: ck.epoch };
      });
      assertNumbersClose("losses", rec.losses, fx.losses, LOSS_RTOL);
      assertNumbersClose("validation losses", rec.valLosses, fx.val_losses, LOSS_RTOL);
      assertNumbersClose("learning rates", rec.lrs, fx.lrs, 1e-14);
      assertWeights("final weights", p.model, fx.final_weights);
      p.model.parameters().forEach((w, i) =>
        assertClose(`momentum buffer ${i}`, p.optimizer.state.get(w)!.momentumBuffer as Tensor, fx.final_momentum[i]!));
      assert.ok(Math.abs(p.plateau.best - fx.plateau_final.best) <= LOSS_RTOL * fx.plateau_final.best, "plateau best");
      assert.deepEqual([p.plateau.numBadEpochs, p.plateau.cooldownCounter], [fx.plateau_final.num_bad_epochs, fx.plateau_final.cooldown_counter]);

      const [tokens, logProbs, attention] = greedy(p.model);
      assert.deepEqual(tokens.tolist(), dec(fx.greedy.tokens).tolist(), "greedy decodings");
      assertClose("greedy log-probabilities", logProbs, fx.greedy.log_probs);
      assertClose("greedy attention", attention, fx.greedy.attention);

      // the run resumed from Tensile's own checkpoint is the uninterrupted run, bit for bit
      const r = resumed as { p: Program; epoch: number } | null;
      assert.ok(r, "the checkpoint step ran");
      const rest = trainSteps(r.p, r.epoch + 1, STEPS);
      assert.deepEqual(rest.losses, rec.losses.slice(CKPT));
      assert.deepEqual(rest.lrs, rec.lrs.slice(CKPT));
      assertSameState("resumed final state", checkpoint(r.p, STEPS), checkpoint(p, STEPS));
    });

    test(`resuming from torch's checkpoint (torch.save after step ${CKPT}) continues torch's run`, () => {
      setBackend(backend.name);
      const ck = loadTorch<Record<string, any>>(fixturePath("port-seq2seq-ckpt.pt"));
      assert.deepEqual(Object.keys(ck), ["model", "optimizer", "scheduler", "plateau", "epoch"]);
      const p = build();
      p.model.loadStateDict(ck.model);
      p.optimizer.loadStateDict(ck.optimizer);
      p.stepLr.loadStateDict(ck.scheduler);
      p.plateau.loadStateDict(ck.plateau);
      assert.equal(p.plateau.modeWorse, Infinity);
      const rec = trainSteps(p, ck.epoch + 1, STEPS);
      assertNumbersClose("losses", rec.losses, fx.losses.slice(CKPT), LOSS_RTOL);
      assertNumbersClose("validation losses", rec.valLosses, fx.val_losses.slice(CKPT), LOSS_RTOL);
      assertNumbersClose("learning rates", rec.lrs, fx.lrs.slice(CKPT), 1e-14);
      assertWeights("final weights", p.model, fx.final_weights);
      assert.deepEqual(greedy(p.model)[0].tolist(), dec(fx.greedy.tokens).tolist(), "greedy decodings");
    });

    test("the GRUCell decoder with Luong attention, per-step losses and clipGradNorm_", () => {
      setBackend(backend.name);
      const model = new LuongSeq2Seq().double();
      model.loadStateDict(Object.fromEntries(Object.entries(fx.luong.init).map(([k, e]) => [k, dec(e)])));
      const optimizer = new optim.SGD(model.parameters(), { lr: 1.0, momentum: 0.9 });
      const criterion = new nn.NLLLoss({ ignoreIndex: fx.config.pad });
      const losses: number[] = [], norms: number[] = [];
      for (let step = 0; step < fx.luong.losses.length; step++) {
        const [src, lengths, tgt] = batch(fx.batches[step]!);
        optimizer.zeroGrad();
        const loss = model.forward(src, lengths, tgt, fx.teacher_forcing[step]!, criterion);
        loss.backward();
        norms.push(nn.utils.clipGradNorm_(model.parameters(), 0.5).item());
        optimizer.step();
        losses.push(loss.item());
      }
      assertNumbersClose("losses", losses, fx.luong.losses, LOSS_RTOL);
      assertNumbersClose("gradient norms before clipping", norms, fx.luong.grad_norms, LOSS_RTOL);
      assertWeights("final weights", model, fx.luong.final_weights);
    });
  });
}

test("torch resumes from the checkpoint Tensile wrote and continues its own run", () => {
  const t = fx.from_tensile;
  assert.ok(t, "port-seq2seq.json has no from_tensile: run tools/make-port-seq2seq-checkpoint.ts, then the generator");
  assert.deepEqual(t.keys, ["epoch", "model", "optimizer", "plateau", "scheduler"]);
  assert.deepEqual([t.epoch, t.dtypes], [CKPT, ["torch.float64"]]);
  assertNumbersClose("torch's losses after Tensile's checkpoint", t.losses, fx.losses.slice(CKPT), LOSS_RTOL);
  assertNumbersClose("torch's validation losses", t.val_losses, fx.val_losses.slice(CKPT), LOSS_RTOL);
  assert.deepEqual(t.lrs, fx.lrs.slice(CKPT));
  for (const [k, e] of Object.entries(fx.final_weights)) assertClose(`torch's final ${k}`, dec(t.weights[k]!), e);
});

test("Tensile's own checkpoint format keeps both schedulers (the plateau one in extra, its ±inf included)", () => {
  setBackend("reference");
  const p = fromTorchInit();
  trainSteps(p, 1, 3);
  const bytes = io.saveCheckpointBytes({ model: p.model, optimizer: p.optimizer, scheduler: p.stepLr, epoch: 3,
    extra: { plateau: p.plateau.stateDict() } });
  const q = build();
  const back = io.loadCheckpointBytes(bytes, { model: q.model, optimizer: q.optimizer, scheduler: q.stepLr });
  q.plateau.loadStateDict(back.extra.plateau as ReturnType<typeof p.plateau.stateDict>);
  assert.equal(back.epoch, 3);
  assertSameState("reloaded", checkpoint(q, 3), checkpoint(p, 3));
});

test("eval() reaches the nested dropout layers: greedy decoding with dropout p=0.5 is torch's", () => {
  setBackend("reference");
  const model = new Seq2Seq();
  model.encoder = new EncoderRNN(fx.config.vocab, fx.config.emb, fx.config.hid, 0.5);
  model.decoder = new AttnDecoderRNN(fx.config.vocab, fx.config.emb, fx.config.hid, 0.5);
  model.double().loadStateDict(Object.fromEntries(Object.entries(fx.final_weights).map(([k, e]) => [k, dec(e)])));
  assert.deepEqual(greedy(model)[0].tolist(), dec(fx.greedy.tokens).tolist());
  assert.equal(model.training, true, "greedy() restores train mode");
});

test("gradcheck: masked Bahdanau attention and the packed bidirectional encoder (float64)", () => {
  setBackend("reference");
  const attn = new BahdanauAttention(3).double();
  const query = randn([2, 1, 3], { dtype: "float64" }), keys = randn([2, 4, 6], { dtype: "float64" });
  const mask = tensor([[1, 1, 1, 0], [1, 1, 0, 0]]).ne(0);
  gradcheck((q) => attn.forward(q, keys, mask)[0], query, "attention context wrt the query");
  gradcheck((k) => attn.forward(query, k, mask)[0], keys, "attention context wrt the keys");
  // the encoder after its embedding: pack, bidirectional GRU, pad back, both final states through fc
  const encoder = new EncoderRNN(fx.config.vocab, 4, 3).double();
  gradcheck((embedded) => {
    const packed = nn.utils.rnn.packPaddedSequence(embedded, [2, 3], { batchFirst: true, enforceSorted: false });
    const [packedOut, hidden] = encoder.gru.forward(packed);
    const [out] = nn.utils.rnn.padPackedSequence(packedOut, { batchFirst: true, totalLength: 4 });
    const h = encoder.fc.forward(cat([hidden.select(0, -2), hidden.select(0, -1)], 1)).tanh();
    return cat([out.reshape(-1), h.reshape(-1)]);
  }, randn([2, 4, 4], { dtype: "float64" }), "packed encoder wrt its embedded input");
});

test("x.index(i) takes one item alone, as PyTorch's h[-2], x[mask], x[None] (it needed an array)", () => {
  for (const backend of backendsUnderTest()) {
    setBackend(backend.name);
    const h = randn([2, 3, 4], { dtype: "float64" });
    assert.deepEqual(h.index(-2).tolist(), h.index([-2]).tolist());
    assert.deepEqual(h.index(-2).tolist(), h.select(0, 0).tolist());
    const mask = tensor([true, false]);
    assert.deepEqual(h.index(mask).tolist(), h.index([mask]).tolist());
    assert.deepEqual(h.index(mask).shape, [1, 3, 4]);
    assert.deepEqual(h.index(tensor([1, 1, 0], { dtype: "int32" })).shape, [3, 3, 4]);
    assert.deepEqual(h.index(null).shape, [1, 2, 3, 4]);
    // the gradient flows through the single-item form
    const w = h.clone().requiresGrad_();
    w.index(-1).sum().backward();
    assert.deepEqual(w.grad!.tolist(), [new Array(3).fill(new Array(4).fill(0)), new Array(3).fill(new Array(4).fill(1))]);
  }
});

test("zeroGrad(false) and zeroGrad({ setToNone: false }) zero in place on modules and optimizers alike (each form was silently ignored by one of them)", () => {
  setBackend("reference");
  for (const how of [false, { setToNone: false }] as const) {
    const p = build();
    const [src, lengths, tgt] = batch(fx.batches[0]!);
    p.model.forward(src, lengths, tgt, fx.teacher_forcing[0]!)[0].sum().backward();
    p.optimizer.zeroGrad(how);
    assert.ok(p.model.parameters().every((w) => w.grad !== null && w.grad.abs().max().item() === 0), `optimizer.zeroGrad(${JSON.stringify(how)})`);
    p.model.parameters().forEach((w) => w.grad!.fill_(1));
    p.model.zeroGrad(how);
    assert.ok(p.model.parameters().every((w) => w.grad !== null && w.grad.abs().max().item() === 0), `model.zeroGrad(${JSON.stringify(how)})`);
  }
  const p = build();
  p.model.encoder.fc.forward(randn([1, 2 * fx.config.hid], { dtype: "float64" })).sum().backward();
  p.optimizer.zeroGrad(true);
  assert.equal(p.model.encoder.fc.weight.grad, null);
  assertThrowsTensile(() => p.optimizer.zeroGrad({ set_to_none: false } as never), /^SGD\.zeroGrad: unknown option "set_to_none"/);
  assertThrowsTensile(() => p.model.zeroGrad("no" as never), /^Module\.zeroGrad: setToNone must be a boolean, got string "no"$/);
});

test("flattenParameters() exists on RNN, LSTM and GRU and changes nothing (PyTorch's is a no-op on the CPU)", () => {
  setBackend("reference");
  for (const m of [new nn.RNN(3, 4), new nn.LSTM(3, 4, { bidirectional: true }), new nn.GRU(3, 4, { numLayers: 2 })]) {
    const before = m.parameters().map((p) => [p, p.dataSync().slice()] as const);
    m.flattenParameters();
    assert.ok(before.every(([p, v], i) => m.parameters()[i] === p && p.dataSync().every((x, j) => x === v[j])));
  }
});

test("a PyTorch user's mistakes in this program get torch's errors", () => {
  setBackend("reference");
  const x = randn([2, 3, 4], { dtype: "float64" });
  assertThrowsTensile(() => nn.utils.rnn.packPaddedSequence(x, [2, 3], { batchFirst: true }),
    /packPaddedSequence/, /sorted in decreasing order/);
  const packed = nn.utils.rnn.packPaddedSequence(x, [2, 3], { batchFirst: true, enforceSorted: false });
  assertThrowsTensile(() => nn.utils.rnn.padPackedSequence(packed, { batchFirst: true, totalLength: 2 }), /total_length=2/, /3/);
  // was "... but got [object Object])"
  // F.softmax(x, dim=-1): the keyword form is accepted (test/keyword-args.test.ts), and is the positional one
  assert.deepEqual(Array.from(F.softmax(x, { dim: -1 }).dataSync()), Array.from(F.softmax(x, -1).dataSync()));
  assertThrowsTensile(() => x.index(3), /^index: index 3 is out of bounds for dimension 0 with size 2$/);
  assertThrowsTensile(() => x.index({} as unknown as number), /^index: expected an integer, a slice string .* got \{\}$/);
  const p = build();
  assertThrowsTensile(() => p.model.loadStateDict({}), /Missing key/, /encoder\.embedding\.weight/);
  assertThrowsTensile(() => new nn.NLLLoss({ ignoreIndex: 0 }).forward(randn([2, 12], { dtype: "float64" }).logSoftmax(1), tensor([3, 12], { dtype: "int32" })),
    /12/);
});
