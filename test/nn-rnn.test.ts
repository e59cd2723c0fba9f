// RNN, LSTM, GRU and their cells against PyTorch (fixtures/nn-rnn.json from
// tools/gen-nn-fixtures.py): for given weights, inputs and initial states, every output, final
// state and gradient (inputs, states, parameters) after backward of Σ output·upstream; state-dict
// keys and repr. On every backend.
import assert from "node:assert/strict";
import { after, describe, test } from "node:test";
import { type Tensor, getBackend, manualSeed, noGrad, ones, randn, setBackend, tensor, zeros } from "../src/core.js";
import { optim } from "../src/index.js";
import * as nn from "../src/nn/index.js";
import { backendsUnderTest } from "./helpers/backends.js";
import { type Enc, assertClose, assertThrowsTensile, dec, loadNnFixture } from "./nn-helpers.js";

interface RnnCase {
  name: string;
  kind: "RNN" | "LSTM" | "GRU" | "RNNCell" | "LSTMCell" | "GRUCell";
  args: number[];
  kwargs: Record<string, unknown>;
  repr: string;
  keys: string[];
  params: Record<string, Enc>;
  input: Enc;
  hx: Enc[];
  outputs: Enc[];
  upstream: Enc[];
  inputGrad: Enc;
  hxGrads: Enc[];
  paramGrads: Record<string, Enc>;
}

const fx = loadNnFixture<{ cases: RnnCase[] }>("nn-rnn.json");

type Any = (...a: unknown[]) => unknown;
function build(c: RnnCase): nn.Module {
  const K = (nn as unknown as Record<string, new (...a: unknown[]) => nn.Module>)[c.kind]!;
  return new K(...c.args, c.kwargs);
}

/** The module's outputs as a flat list, in PyTorch's order: output, h_n(, c_n) — or h'(, c'). */
function flat(r: unknown): Tensor[] {
  return (r as unknown[]).flatMap((v) => (Array.isArray(v) ? (v as Tensor[]) : [v as Tensor]));
}

const before = getBackend().name;
after(() => setBackend(before));

for (const backend of backendsUnderTest()) {
  describe(`recurrent layers match PyTorch (${backend.name})`, () => {
    for (const c of fx.cases) {
      test(c.name, () => {
        setBackend(backend.name);
        const m = build(c);
        assert.equal(String(m), c.repr);
        assert.deepEqual(Object.keys(m.stateDict()), c.keys);
        const params = Object.fromEntries(m.namedParameters());
        noGrad(() => {
          for (const [k, v] of Object.entries(c.params)) params[k]!.copy_(dec(v));
        });
        const x = dec(c.input, { requiresGrad: true });
        const hx = c.hx.map((h) => dec(h, { requiresGrad: true }));
        const cell = c.kind.endsWith("Cell");
        const lstm = c.kind.startsWith("LSTM");
        const state = hx.length === 0 ? undefined : lstm ? hx : hx[0];
        const r = (m.forward as Any).call(m, x, state);
        const outs = cell && !lstm ? [r as Tensor] : flat(r);
        assert.equal(outs.length, c.outputs.length, "number of outputs");
        outs.forEach((o, i) => assertClose(`${c.name} output ${i}`, o, c.outputs[i]!, 1e-5, 1e-5));
        outs.map((o, i) => o.mul(dec(c.upstream[i]!)).sum()).reduce((a, b) => a.add(b)).backward();
        assertClose(`${c.name} input grad`, x.grad!, c.inputGrad, 1e-4, 1e-5);
        hx.forEach((h, i) => assertClose(`${c.name} hx ${i} grad`, h.grad!, c.hxGrads[i]!, 1e-4, 1e-5));
        for (const [k, g] of Object.entries(c.paramGrads)) assertClose(`${c.name} grad of ${k}`, params[k]!.grad!, g, 1e-4, 1e-5);
      });
    }
  });
}

test("recurrent layers: defaults, dropout between layers, init range and errors", () => {
  const lstm = new nn.LSTM(3, 4, { numLayers: 2, dropout: 0.5 });
  // U(−1/√H, 1/√H) for every parameter
  for (const p of lstm.parameters()) assert.ok(p.abs().max().item() <= 0.5, "within 1/√4");
  const x = randn([5, 2, 3]);
  lstm.eval();
  const [a] = lstm.forward(x), [b] = lstm.forward(x);
  assert.deepEqual(Array.from(a.dataSync()), Array.from(b.dataSync()), "eval: no dropout");
  lstm.train();
  const [o1] = lstm.forward(x), [o2] = lstm.forward(x);
  assert.notDeepEqual(Array.from(o1.dataSync()), Array.from(o2.dataSync()), "training: dropout between the layers");
  // an empty sequence gives an empty output and the initial state
  const [e, h] = new nn.GRU(3, 2).forward(zeros([0, 4, 3]));
  assert.deepEqual([e.shape, h.shape], [[0, 4, 2], [1, 4, 2]]);
  assertThrowsTensile(() => new nn.LSTM(3, 4).forward(ones([5, 2, 2])), /^LSTM: input\.size\(-1\) must be equal to input_size\. Expected 3, got 2/);
  assertThrowsTensile(() => new nn.GRU(3, 4, { numLayers: 2 }).forward(ones([5, 2, 3]), ones([1, 2, 4])), /^GRU: Expected hidden size \[2, 2, 4\], got \[1, 2, 4\]/);
  assertThrowsTensile(() => new nn.RNN(3, 4).forward(ones([2, 3, 4, 3])), /^RNN: Expected input to be 2D or 3D, got 4D/);
  assertThrowsTensile(() => new nn.RNN(3, 4, { nonlinearity: "sigmoid" as never }), /^RNN: Unknown nonlinearity 'sigmoid'/);
  assertThrowsTensile(() => new nn.LSTM(3, 4, { numLayers: 0 }), /^LSTM: num_layers must be a positive integer, got 0/);
  assertThrowsTensile(() => new nn.LSTMCell(3, 4).forward(ones([2, 3]), [ones([2, 4])] as never), /^LSTMCell: hx must be \[h, c\]/);
});

test("an LSTM learns to forecast a sine wave: its error falls below the naive last-value forecast's", () => {
  manualSeed(3);
  const n = 128, w = 12;
  const series = Array.from({ length: n + w + 1 }, (_, t) => Math.sin(0.3 * t));
  const x = tensor(Array.from({ length: n }, (_, i) => series.slice(i, i + w))).reshape(n, w, 1);
  const y = tensor(series.slice(w, w + n)).reshape(n, 1);
  const lstm = new nn.LSTM(1, 16, { batchFirst: true }), head = new nn.Linear(16, 1);
  const opt = new optim.Adam([...lstm.parameters(), ...head.parameters()], { lr: 0.02 });
  const predict = () => head.forward(lstm.forward(x)[0].select(1, -1));
  const mse = () => predict().sub(y).pow(2).mean();
  const first = mse().item();
  for (let i = 0; i < 80; i++) {
    opt.zeroGrad();
    mse().backward();
    opt.step();
  }
  const last = mse().item();
  const naive = x.select(1, -1).sub(y).pow(2).mean().item();
  assert.ok(last < first / 20 && last < naive / 4, `MSE ${first.toFixed(4)} → ${last.toFixed(5)}; naive forecast ${naive.toFixed(4)}`);
});

interface PackedCase {
  name: string;
  kind: "RNN" | "LSTM" | "GRU";
  args: number[];
  kwargs: Record<string, unknown>;
  lengths: number[];
  enforceSorted: boolean;
  params: Record<string, Enc>;
  input: Enc;
  hx: Enc[];
  packedData: Enc;
  batchSizes: number[];
  sortedIndices: number[] | null;
  unsortedIndices: number[] | null;
  outputPackedData: Enc;
  outLengths: number[];
  outputs: Enc[];
  upstream: Enc[];
  inputGrad: Enc;
  hxGrads: Enc[];
  paramGrads: Record<string, Enc>;
}
const packedFx = loadNnFixture<{ packed: PackedCase[]; padSequence: { sequences: Enc[]; padded: Enc; paddedBatchFirst: Enc } }>("nn-rnn.json");
const R = nn.utils.rnn;

for (const backend of backendsUnderTest()) {
  describe(`packed sequences through RNN, LSTM and GRU match PyTorch (${backend.name})`, () => {
    for (const c of packedFx.packed) {
      test(c.name, () => {
        setBackend(backend.name);
        const m = new nn[c.kind](c.args[0]!, c.args[1]!, c.kwargs).eval();
        const params = Object.fromEntries(m.namedParameters());
        noGrad(() => {
          for (const [k, v] of Object.entries(c.params)) params[k]!.copy_(dec(v));
        });
        const batchFirst = c.kwargs.batchFirst === true;
        const x = dec(c.input, { requiresGrad: true });
        const hx = c.hx.map((e) => dec(e, { requiresGrad: true }));
        const pk = R.packPaddedSequence(x, c.lengths, { batchFirst, enforceSorted: c.enforceSorted });
        assertClose(`${c.name} packed data`, pk.data, c.packedData, 0, 0);
        assert.deepEqual(Array.from(pk.batchSizes.dataSync()), c.batchSizes);
        assert.deepEqual(pk.sortedIndices ? Array.from(pk.sortedIndices.dataSync()) : null, c.sortedIndices);
        assert.deepEqual(pk.unsortedIndices ? Array.from(pk.unsortedIndices.dataSync()) : null, c.unsortedIndices);
        const arg = hx.length === 0 ? undefined : c.kind === "LSTM" ? (hx as [Tensor, Tensor]) : hx[0];
        const [outPk, hn] = (m.forward as (i: nn.utils.rnn.PackedSequence, h?: unknown) => [nn.utils.rnn.PackedSequence, Tensor | [Tensor, Tensor]])(pk, arg);
        assert.ok(outPk instanceof R.PackedSequence);
        assertClose(`${c.name} output packed data`, outPk.data, c.outputPackedData, 1e-5, 1e-6);
        const [out, lens] = R.padPackedSequence(outPk, { batchFirst });
        assert.deepEqual(Array.from(lens.dataSync()), c.outLengths);
        const outs = [out, ...(Array.isArray(hn) ? hn : [hn])];
        outs.forEach((o, i) => assertClose(`${c.name} output ${i}`, o, c.outputs[i]!, 1e-5, 1e-6));
        outs.map((o, i) => o.mul(dec(c.upstream[i]!)).sum()).reduce((a, b) => a.add(b)).backward();
        assertClose(`${c.name} input grad`, x.grad!, c.inputGrad, 1e-4, 1e-6);
        hx.forEach((h, i) => assertClose(`${c.name} hx grad ${i}`, h.grad!, c.hxGrads[i]!, 1e-4, 1e-6));
        for (const [key, g] of Object.entries(c.paramGrads)) assertClose(`${c.name} grad of ${key}`, params[key]!.grad!, g, 1e-4, 1e-6);
      });
    }
  });
}

test("padSequence, packSequence and padPackedSequence as PyTorch's; errors name the call", () => {
  const seqs = packedFx.padSequence.sequences.map((e) => dec(e));
  assertClose("padSequence", R.padSequence(seqs), packedFx.padSequence.padded, 0, 0);
  assertClose("padSequence batchFirst", R.padSequence(seqs, { batchFirst: true, paddingValue: -1 }), packedFx.padSequence.paddedBatchFirst, 0, 0);
  const pk = R.packSequence(seqs, { enforceSorted: false });
  assert.deepEqual(Array.from(pk.batchSizes.dataSync()), [3, 2, 2, 1, 1]); // lengths 5, 3, 1
  const [back, lens] = R.padPackedSequence(pk, { totalLength: 7 });
  assert.deepEqual([...back.shape], [7, 3, 2]);
  assert.deepEqual(Array.from(lens.dataSync()), [3, 5, 1]);
  assertClose("round trip", back.narrow(0, 0, 5), packedFx.padSequence.padded, 0, 0);
  assertThrowsTensile(() => R.packSequence(seqs), /^packPaddedSequence: `lengths` array must be sorted in decreasing order/);
  assertThrowsTensile(() => R.packPaddedSequence(zeros([4, 2, 3]), [3, 0]), /^packPaddedSequence: Length of all samples has to be greater than 0/);
  assertThrowsTensile(() => R.packPaddedSequence(zeros([4, 2, 3]), [5, 1]), /^packPaddedSequence: a length of 5 is longer than the input's 4 steps/);
  assertThrowsTensile(() => R.packPaddedSequence(zeros([4, 2, 3]), [3]), /^packPaddedSequence: expected 2 lengths/);
  assertThrowsTensile(() => R.padPackedSequence(pk, { totalLength: 4 }), /^padPackedSequence: Expected total_length to be at least the length of the longest sequence in input, but got total_length=4 and max sequence length being 5/);
  assertThrowsTensile(() => R.padSequence([zeros([2, 3]), zeros([2, 4])]), /^padSequence: every sequence must be \[L, 3\]/);
});

test("a packed batch gives each sequence what it gets alone (LSTM, bidirectional)", () => {
  manualSeed(2);
  const lstm = new nn.LSTM(3, 4, { bidirectional: true, batchFirst: true }).eval();
  const seqs = [randn(2, 3), randn(5, 3), randn(3, 3)];
  const [out, [h]] = lstm.forward(R.packSequence(seqs, { enforceSorted: false }));
  const [padded] = R.padPackedSequence(out, { batchFirst: true });
  seqs.forEach((s, b) => {
    const [alone, [hAlone]] = lstm.forward(s.unsqueeze(0));
    const got = padded.select(0, b).narrow(0, 0, s.shape[0]!);
    assert.ok(got.sub(alone.squeeze(0)).abs().max().item() < 1e-6, `sequence ${b} output`);
    assert.ok(h.select(1, b).sub(hAlone.select(1, 0)).abs().max().item() < 1e-6, `sequence ${b} final state`);
    if (s.shape[0]! < 5) assert.equal(padded.select(0, b).narrow(0, s.shape[0]!, 5 - s.shape[0]!).abs().sum().item(), 0, "padding is zero");
  });
});
