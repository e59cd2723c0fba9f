// nn.LSTM with projections (projSize: weight_hr_l{k}[_reverse]), RNN(nonlinearity "relu") and the
// cells with bias=False and unbatched input, against PyTorch (fixtures/attn-rnn-more.json from
// tools/gen-attn-rnn-more-fixtures.py): repr, state-dict keys and parameter order, torch's state dict
// loaded with loadStateDict (strict), outputs, final states and every gradient (input, initial
// states, parameters), packed sequences included, on every backend. Then a torch.save checkpoint,
// torch's errors, the initialisation and float64 gradchecks.
import assert from "node:assert/strict";
import { after, describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import { type Tensor, getBackend, manualSeed, ones, randn, setBackend, zeros } from "../src/core.js";
import { loadTorch } from "../src/io/index.js";
import * as nn from "../src/nn/index.js";
import { backendsUnderTest } from "./helpers/backends.js";
import { gradcheck } from "./helpers/gradcheck.js";
import { type Enc, assertClose, assertThrowsTensile, dec, loadNnFixture } from "./nn-helpers.js";

type Kind = "RNN" | "LSTM" | "GRU" | "RNNCell" | "LSTMCell" | "GRUCell";
interface RnnCase {
  name: string;
  kind: Kind;
  args: number[];
  kwargs: Record<string, unknown>;
  repr: string;
  keys: string[];
  paramNames: string[];
  params: Record<string, Enc>;
  input: Enc;
  hx: Enc[];
  outputs: Enc[];
  upstream: Enc[];
  inputGrad: Enc;
  hxGrads: Enc[];
  paramGrads: Record<string, Enc>;
}
interface PackedCase extends Omit<RnnCase, "repr" | "keys" | "paramNames" | "kind"> {
  kind: "RNN" | "LSTM" | "GRU";
  lengths: number[];
  enforceSorted: boolean;
  outputPackedData: Enc;
  outLengths: number[];
}
const fx = loadNnFixture<{ rnn: RnnCase[]; packed: PackedCase[]; checkpoint: { file: string; lstm: string } }>("attn-rnn-more.json");
const decodeAll = (r: Record<string, Enc>) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, dec(v)]));
type Any = (...a: unknown[]) => unknown;

function build(c: { kind: Kind; args: number[]; kwargs: Record<string, unknown> }): nn.Module {
  const K = (nn as unknown as Record<string, new (...a: unknown[]) => nn.Module>)[c.kind]!;
  return new K(...c.args, c.kwargs);
}

/** Runs a fixture case on `m` (parameters set): outputs, final states, then every gradient. */
function runCase(c: RnnCase, m: nn.Module): void {
  const x = dec(c.input, { requiresGrad: true });
  const hx = c.hx.map((h) => dec(h, { requiresGrad: true }));
  const lstm = c.kind.startsWith("LSTM");
  const r = (m.forward as Any).call(m, x, hx.length === 0 ? undefined : lstm ? hx : hx[0]);
  const outs = c.kind === "RNNCell" || c.kind === "GRUCell" ? [r as Tensor] : (r as unknown[]).flatMap((v) => (Array.isArray(v) ? (v as Tensor[]) : [v as Tensor]));
  assert.equal(outs.length, c.outputs.length, "number of outputs");
  outs.forEach((o, i) => assertClose(`${c.name} output ${i}`, o, c.outputs[i]!, 1e-5, 1e-5));
  outs.map((o, i) => o.mul(dec(c.upstream[i]!)).sum()).reduce((a, b) => a.add(b)).backward();
  assertClose(`${c.name} input grad`, x.grad!, c.inputGrad, 1e-4, 1e-5);
  hx.forEach((h, i) => assertClose(`${c.name} hx ${i} grad`, h.grad!, c.hxGrads[i]!, 1e-4, 1e-5));
  const params = Object.fromEntries(m.namedParameters());
  for (const [k, g] of Object.entries(c.paramGrads)) assertClose(`${c.name} grad of ${k}`, params[k]!.grad!, g, 1e-4, 1e-5);
}

const before = getBackend().name;
after(() => setBackend(before));
const R = nn.utils.rnn;

for (const backend of backendsUnderTest()) {
  describe(`LSTM(projSize), RNN(relu) and the cells match PyTorch (${backend.name})`, () => {
    for (const c of fx.rnn) {
      test(c.name, () => {
        setBackend(backend.name);
        const m = build(c);
        assert.equal(String(m), c.repr);
        assert.deepEqual(Object.keys(m.stateDict()), c.keys);
        assert.deepEqual(m.namedParameters().map(([k]) => k), c.paramNames);
        m.loadStateDict(decodeAll(c.params)); // strict: torch's keys and shapes
        runCase(c, m);
      });
    }
  });

  describe(`packed sequences through LSTM(projSize) and RNN(relu) match PyTorch (${backend.name})`, () => {
    for (const c of fx.packed) {
      test(c.name, () => {
        setBackend(backend.name);
        const m = new nn[c.kind](c.args[0]!, c.args[1]!, c.kwargs).eval();
        m.loadStateDict(decodeAll(c.params));
        const batchFirst = c.kwargs.batchFirst === true;
        const x = dec(c.input, { requiresGrad: true });
        const hx = c.hx.map((e) => dec(e, { requiresGrad: true }));
        const pk = R.packPaddedSequence(x, c.lengths, { batchFirst, enforceSorted: c.enforceSorted });
        const arg = hx.length === 0 ? undefined : c.kind === "LSTM" ? (hx as [Tensor, Tensor]) : hx[0];
        const [outPk, hn] = (m.forward as (i: nn.utils.rnn.PackedSequence, h?: unknown) => [nn.utils.rnn.PackedSequence, Tensor | [Tensor, Tensor]])(pk, arg);
        assertClose(`${c.name} output packed data`, outPk.data, c.outputPackedData, 1e-5, 1e-6);
        const [out, lens] = R.padPackedSequence(outPk, { batchFirst });
        assert.deepEqual(Array.from(lens.dataSync()), c.outLengths);
        const outs = [out, ...(Array.isArray(hn) ? hn : [hn])];
        outs.forEach((o, i) => assertClose(`${c.name} output ${i}`, o, c.outputs[i]!, 1e-5, 1e-6));
        outs.map((o, i) => o.mul(dec(c.upstream[i]!)).sum()).reduce((a, b) => a.add(b)).backward();
        assertClose(`${c.name} input grad`, x.grad!, c.inputGrad, 1e-4, 1e-6);
        hx.forEach((h, i) => assertClose(`${c.name} hx grad ${i}`, h.grad!, c.hxGrads[i]!, 1e-4, 1e-6));
        const params = Object.fromEntries(m.namedParameters());
        for (const [key, g] of Object.entries(c.paramGrads)) assertClose(`${c.name} grad of ${key}`, params[key]!.grad!, g, 1e-4, 1e-6);
      });
    }
  });
}

test("a torch.save checkpoint of LSTM(projSize, 2 layers, bidirectional) loads and runs as in PyTorch", () => {
  const ckpt = loadTorch<Record<string, Record<string, Tensor>>>(fileURLToPath(new URL(`../fixtures/${fx.checkpoint.file}`, import.meta.url)));
  const c = fx.rnn.find((x) => x.name === fx.checkpoint.lstm)!;
  const m = build(c);
  const res = m.loadStateDict(ckpt.lstm!);
  assert.deepEqual([res.missingKeys, res.unexpectedKeys], [[], []]);
  runCase(c, m);
});

test("LSTM(projSize): shapes, init range, positional projSize, dropout between layers", () => {
  manualSeed(4);
  const lstm = new nn.LSTM(3, 8, { projSize: 2, numLayers: 2, bidirectional: true, dropout: 0.5 });
  assert.equal(lstm.projSize, 2);
  assert.deepEqual(lstm.parameters().map((p) => p.shape).slice(0, 5), [[32, 3], [32, 2], [32], [32], [2, 8]]);
  assert.deepEqual([...(lstm.weight_ih_l1 as Tensor).shape], [32, 4]); // D·P inputs above the first layer
  for (const p of lstm.parameters()) assert.ok(p.abs().max().item() <= 1 / Math.sqrt(8), "U(±1/√hidden)");
  const x = randn([5, 2, 3]);
  const [out, [h, c]] = lstm.eval().forward(x);
  assert.deepEqual([out.shape, h.shape, c.shape], [[5, 2, 4], [4, 2, 2], [4, 2, 8]]);
  const [again] = lstm.forward(x);
  assert.deepEqual(Array.from(again.dataSync()), Array.from(out.dataSync()), "eval: no dropout");
  const [t1] = lstm.train().forward(x), [t2] = lstm.forward(x);
  assert.notDeepEqual(Array.from(t1.dataSync()), Array.from(t2.dataSync()), "training: dropout between the layers");
  const positional = new nn.LSTM(3, 8, 1, true, false, 0, false, 5);
  assert.equal(String(positional), "LSTM(3, 8, proj_size=5)");
  const [e, [he]] = new nn.LSTM(3, 6, { projSize: 2 }).forward(zeros([0, 4, 3]));
  assert.deepEqual([e.shape, he.shape], [[0, 4, 2], [1, 4, 2]]);
});

test("errors are torch's: projSize range, projSize outside LSTM, state sizes", () => {
  assertThrowsTensile(() => new nn.LSTM(3, 4, { projSize: 4 }), /^LSTM: proj_size has to be smaller than hidden_size/);
  assertThrowsTensile(() => new nn.LSTM(3, 4, { projSize: -1 }), /^LSTM: proj_size should be a positive integer or zero to disable projections/);
  assertThrowsTensile(() => new nn.LSTM(3, 4, { projSize: 1.5 }), /^LSTM: proj_size should be a positive integer/);
  assertThrowsTensile(() => new nn.GRU(3, 4, { projSize: 2 } as never), /^GRU: proj_size argument is only supported for LSTM, not RNN or GRU/);
  assertThrowsTensile(() => new nn.RNN(3, 4, { projSize: 0 } as never), /^RNN: proj_size argument is only supported for LSTM, not RNN or GRU/);
  const lstm = new nn.LSTM(3, 4, { projSize: 2, numLayers: 2 });
  const x = ones([5, 2, 3]);
  assertThrowsTensile(() => lstm.forward(x, [zeros([2, 2, 4]), zeros([2, 2, 4])]), /^LSTM: Expected hidden size \[2, 2, 2\], got \[2, 2, 4\]/);
  assertThrowsTensile(() => lstm.forward(x, [zeros([2, 2, 2]), zeros([2, 2, 2])]), /^LSTM: Expected cell size \[2, 2, 4\], got \[2, 2, 2\]/);
  assertThrowsTensile(() => lstm.forward(x.select(1, 0), [zeros([2, 4]), zeros([2, 4])]), /^LSTM: Expected hidden size \[2, 2\], got \[2, 4\]/);
  assertThrowsTensile(() => lstm.forward(ones([5, 2, 4])), /^LSTM: input\.size\(-1\) must be equal to input_size\. Expected 3, got 4/);
});

describe("float64 gradchecks", () => {
  const f64 = (shape: number[], seed: number) => {
    manualSeed(seed);
    return randn(shape, { dtype: "float64" });
  };
  test("LSTM(projSize 2, bidirectional, 2 layers): input, initial states, weight_hr", () => {
    manualSeed(1);
    const lstm = new nn.LSTM(2, 3, { projSize: 2, bidirectional: true, numLayers: 2, dtype: "float64" });
    const x0 = f64([3, 1, 2], 2), h0 = f64([4, 1, 2], 3), c0 = f64([4, 1, 3], 4);
    const out = (x: Tensor, h = h0, c = c0) => {
      const [o, [hn, cn]] = lstm.forward(x, [h, c]);
      return o.sum(-1).add(hn.sum()).add(cn.sum());
    };
    gradcheck((x) => out(x), x0, "input");
    gradcheck((h) => out(x0, h), h0, "h0");
    gradcheck((c) => out(x0, h0, c), c0, "c0");
    const whr = lstm.weight_hr_l1_reverse as Tensor;
    gradcheck((w) => {
      (lstm as unknown as Record<string, Tensor>).weight_hr_l1_reverse = w; // a plain tensor in the parameter's place
      return out(x0);
    }, whr.detach(), "weight_hr_l1_reverse");
    (lstm as unknown as Record<string, Tensor>).weight_hr_l1_reverse = whr;
  });
  test("packed LSTM(projSize) and RNN(relu): input", () => {
    manualSeed(5);
    const lstm = new nn.LSTM(2, 3, { projSize: 1, bidirectional: true, dtype: "float64" });
    gradcheck((x) => R.padPackedSequence(lstm.forward(R.packPaddedSequence(x, [1, 3], { enforceSorted: false }))[0])[0], f64([3, 2, 2], 6), "packed LSTM");
    const rnn = new nn.RNN(2, 3, { nonlinearity: "relu", bidirectional: true, dtype: "float64" });
    gradcheck((x) => rnn.forward(x)[0], f64([3, 2, 2], 7).abs(), "RNN relu");
  });
});

test("recurrent layers refuse a string dropout (as torch) and non-boolean flags (torch takes their truth value; here they would be silently truthy)", () => {
  assertThrowsTensile(() => new nn.LSTM(2, 3, { dropout: "0.5" as never }), /^LSTM: dropout should be a number in range \[0, 1\]/);
  assertThrowsTensile(() => new nn.GRU(2, 3, { batchFirst: 1 as never }), /^GRU: batch_first must be a boolean, got 1/);
  assertThrowsTensile(() => new nn.RNN(2, 3, { bidirectional: "yes" as never }), /^RNN: bidirectional must be a boolean/);
  assertThrowsTensile(() => new nn.LSTM(2, 3, { bias: null as never }), /^LSTM: bias must be a boolean/);
});
