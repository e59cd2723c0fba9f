// nn.MultiheadAttention against PyTorch (fixtures/nn-attention.json from tools/gen-nn-fixtures.py):
// for given weights and inputs, the output, the attention weights and every gradient (query, key,
// value, parameters) after backward of Σ output·upstream; masks (key padding, causal bool, float),
// per-head weights, unbatched input, batch-first; state-dict keys and repr. On every backend.
import assert from "node:assert/strict";
import { after, describe, test } from "node:test";
import { type Tensor, getBackend, manualSeed, noGrad, ones, randn, setBackend, triu, zeros } from "../src/core.js";
import * as nn from "../src/nn/index.js";
import { backendsUnderTest } from "./helpers/backends.js";
import { type Enc, assertClose, assertThrowsTensile, dec, loadNnFixture } from "./nn-helpers.js";

interface AttnCase {
  name: string;
  args: number[];
  kwargs: Record<string, unknown>;
  call: Record<string, unknown>;
  selfAttention: boolean;
  repr: string;
  keys: string[];
  params: Record<string, Enc>;
  inputs: Enc[];
  outputs: Enc[];
  upstream: Enc[];
  inputGrads: Enc[];
  paramGrads: Record<string, Enc>;
}

const fx = loadNnFixture<{ cases: AttnCase[] }>("nn-attention.json");
const isEnc = (v: unknown): v is Enc => typeof v === "object" && v !== null && "shape" in v && "data" in v;

const before = getBackend().name;
after(() => setBackend(before));

for (const backend of backendsUnderTest()) {
  describe(`MultiheadAttention matches PyTorch (${backend.name})`, () => {
    for (const c of fx.cases) {
      test(c.name, () => {
        setBackend(backend.name);
        const m = new nn.MultiheadAttention(c.args[0]!, c.args[1]!, c.kwargs).eval();
        assert.equal(String(m), c.repr);
        assert.deepEqual(Object.keys(m.stateDict()), c.keys);
        const params = Object.fromEntries(m.namedParameters());
        noGrad(() => {
          for (const [k, v] of Object.entries(c.params)) params[k]!.copy_(dec(v));
        });
        const inputs = c.inputs.map((e) => dec(e, { requiresGrad: true }));
        const [q, k, v] = c.selfAttention ? [inputs[0]!, inputs[0]!, inputs[0]!] : (inputs as [Tensor, Tensor, Tensor]);
        const call = Object.fromEntries(Object.entries(c.call).map(([key, val]) => [key, isEnc(val) ? dec(val) : val]));
        const [out, w] = m.forward(q, k, v, call);
        const outs = w ? [out, w] : [out];
        assert.equal(outs.length, c.outputs.length, "number of outputs");
        outs.forEach((o, i) => assertClose(`${c.name} output ${i}`, o, c.outputs[i]!, 1e-5, 1e-5));
        outs.map((o, i) => o.mul(dec(c.upstream[i]!)).sum()).reduce((a, b) => a.add(b)).backward();
        inputs.forEach((x, i) => assertClose(`${c.name} input ${i} grad`, x.grad!, c.inputGrads[i]!, 1e-4, 1e-5));
        for (const [key, g] of Object.entries(c.paramGrads)) assertClose(`${c.name} grad of ${key}`, params[key]!.grad!, g, 1e-4, 1e-5);
      });
    }
  });
}

test("MultiheadAttention: a causal mask makes each position blind to later ones; errors name the shapes", () => {
  const m = new nn.MultiheadAttention(4, 2).eval();
  const x = zeros([3, 1, 4]).add(1);
  const [, w] = m.forward(x, x, x, { attnMask: triu(ones([3, 3]), 1).bool() });
  const weights = w!.reshape(3, 3).toArray() as number[][];
  for (let i = 0; i < 3; i++) for (let j = i + 1; j < 3; j++) assert.equal(weights[i]![j], 0, `position ${i} sees ${j}`);
  assertThrowsTensile(() => new nn.MultiheadAttention(6, 4), /^MultiheadAttention: embed_dim must be divisible by num_heads/);
  assertThrowsTensile(() => m.forward(x, x, x, { attnMask: ones([2, 3]).bool() }), /^MultiheadAttention: attn_mask should be \[3, 3\] or \[2, 3, 3\], got \[2, 3\]/);
  assertThrowsTensile(() => m.forward(x, x, x, { keyPaddingMask: ones([3]).bool() }), /^MultiheadAttention: expecting key_padding_mask shape of \[1, 3\]/);
  assertThrowsTensile(() => m.forward(zeros([3, 1, 5]), zeros([3, 1, 5]), zeros([3, 1, 5])), /^MultiheadAttention: was expecting embedding dimension of 4, but got 5/);
});

interface EncoderCase {
  name: string;
  kind: "layer" | "encoder";
  kwargs: { dModel: number; nhead: number } & Record<string, unknown>;
  repr: string;
  keys: string[];
  call: Record<string, Enc>;
  params: Record<string, Enc>;
  input: Enc;
  output: Enc;
  upstream: Enc;
  inputGrad: Enc;
  paramGrads: Record<string, Enc>;
}
const encoders = loadNnFixture<{ encoders: EncoderCase[] }>("nn-attention.json").encoders;

for (const backend of backendsUnderTest()) {
  describe(`TransformerEncoderLayer and TransformerEncoder match PyTorch (${backend.name})`, () => {
    for (const c of encoders) {
      test(c.name, () => {
        setBackend(backend.name);
        const { dModel, nhead, ...opts } = c.kwargs;
        const layer = new nn.TransformerEncoderLayer(dModel, nhead, opts);
        const m = (c.kind === "layer" ? layer : new nn.TransformerEncoder(layer, 2, new nn.LayerNorm(dModel))).eval();
        assert.equal(String(m), c.repr);
        assert.deepEqual(Object.keys(m.stateDict()), c.keys);
        const params = Object.fromEntries(m.namedParameters());
        noGrad(() => {
          for (const [k, v] of Object.entries(c.params)) params[k]!.copy_(dec(v));
        });
        // PyTorch's keyword for the encoder's mask is `mask`, the layer's `src_mask`: one name here
        const call = Object.fromEntries(Object.entries(c.call).map(([k, v]) => [k === "mask" ? "srcMask" : k, dec(v)]));
        const x = dec(c.input, { requiresGrad: true });
        const out = m.forward(x, call) as Tensor;
        assertClose(`${c.name} output`, out, c.output, 1e-5, 1e-5);
        out.mul(dec(c.upstream)).sum().backward();
        assertClose(`${c.name} input grad`, x.grad!, c.inputGrad, 1e-4, 1e-5);
        for (const [key, g] of Object.entries(c.paramGrads)) assertClose(`${c.name} grad of ${key}`, params[key]!.grad!, g, 1e-4, 1e-5);
      });
    }
  });
}

test("TransformerEncoder copies its layer (equal weights, separate parameters), as PyTorch's deep copy", () => {
  const layer = new nn.TransformerEncoderLayer(8, 2, { dimFeedforward: 16 });
  const enc = new nn.TransformerEncoder(layer, 3);
  const w = (i: number) => (enc.layers.at(i) as nn.TransformerEncoderLayer).linear1.weight;
  assert.deepEqual(Array.from(w(0).dataSync()), Array.from(layer.linear1.weight.dataSync()));
  assert.notEqual(w(0), w(1));
  assert.deepEqual(Array.from(w(2).dataSync()), Array.from(w(1).dataSync()));
  assert.equal([...enc.parameters()].length, 3 * [...layer.parameters()].length);
  assertThrowsTensile(() => new nn.TransformerEncoderLayer(8, 2, { activation: "tanh" as never }), /^TransformerEncoderLayer: activation should be relu\/gelu, not "tanh"/);
});

interface DecoderCase {
  name: string;
  kind: "layer" | "decoder" | "transformer";
  kwargs: { dModel: number; nhead: number } & Record<string, unknown>;
  repr: string;
  keys: string[];
  call: Record<string, Enc>;
  params: Record<string, Enc>;
  inputs: [Enc, Enc];
  output: Enc;
  upstream: Enc;
  inputGrads: [Enc, Enc];
  paramGrads: Record<string, Enc>;
}
const decoders = loadNnFixture<{ decoders: DecoderCase[] }>("nn-attention.json").decoders;

function buildDecoderCase(c: DecoderCase): nn.Module {
  const { dModel, nhead, ...opts } = c.kwargs;
  if (c.kind === "transformer") return new nn.Transformer(c.kwargs);
  const layer = new nn.TransformerDecoderLayer(dModel, nhead, opts);
  return c.kind === "layer" ? layer : new nn.TransformerDecoder(layer, 2, new nn.LayerNorm(dModel));
}

for (const backend of backendsUnderTest()) {
  describe(`TransformerDecoderLayer, TransformerDecoder and Transformer match PyTorch (${backend.name})`, () => {
    for (const c of decoders) {
      test(c.name, () => {
        setBackend(backend.name);
        const m = buildDecoderCase(c).eval();
        assert.equal(String(m), c.repr);
        assert.deepEqual(Object.keys(m.stateDict()), c.keys);
        const params = Object.fromEntries(m.namedParameters());
        noGrad(() => {
          for (const [k, v] of Object.entries(c.params)) params[k]!.copy_(dec(v));
        });
        const call = Object.fromEntries(Object.entries(c.call).map(([k, v]) => [k, dec(v)]));
        const [a, b] = c.inputs.map((e) => dec(e, { requiresGrad: true })) as [Tensor, Tensor];
        const out = (m.forward as (a: Tensor, b: Tensor, o: object) => Tensor)(a, b, call);
        assertClose(`${c.name} output`, out, c.output, 1e-5, 1e-5);
        out.mul(dec(c.upstream)).sum().backward();
        assertClose(`${c.name} target grad`, c.kind === "transformer" ? b.grad! : a.grad!, c.inputGrads[c.kind === "transformer" ? 1 : 0], 1e-4, 1e-5);
        assertClose(`${c.name} ${c.kind === "transformer" ? "source" : "memory"} grad`, c.kind === "transformer" ? a.grad! : b.grad!, c.inputGrads[c.kind === "transformer" ? 0 : 1], 1e-4, 1e-5);
        for (const [key, g] of Object.entries(c.paramGrads)) assertClose(`${c.name} grad of ${key}`, params[key]!.grad!, g, 1e-4, 1e-5);
      });
    }
  });
}

test("Transformer: subsequent mask as PyTorch's, Xavier-uniform weights, causality, custom stacks, errors", () => {
  const mask = nn.Transformer.generateSquareSubsequentMask(3);
  assert.deepEqual(mask.toArray(), [[0, -Infinity, -Infinity], [0, 0, -Infinity], [0, 0, 0]]);
  assert.equal(mask.dtype, "float32");
  manualSeed(3);
  const m = new nn.Transformer({ dModel: 8, nhead: 2, numEncoderLayers: 1, numDecoderLayers: 2, dimFeedforward: 16 }).eval();
  // every matrix is Xavier-uniform: within ±sqrt(6 / (fanIn + fanOut)), and not the Linear default
  for (const [name, p] of m.namedParameters()) {
    if (p.dim() < 2) continue;
    const bound = Math.sqrt(6 / (p.shape[0]! + p.shape[1]!));
    const max = p.abs().max().item();
    assert.ok(max <= bound && max > 0.8 * bound, `${name}: max |w| ${max} vs Xavier bound ${bound}`);
  }
  // the decoder's output at step t depends on the target only up to t
  const src = randn(5, 1, 8), tgt = randn(4, 1, 8);
  const opts = { tgtMask: nn.Transformer.generateSquareSubsequentMask(4) };
  const out = m.forward(src, tgt, opts);
  const tgt2 = tgt.clone();
  noGrad(() => tgt2.index([3]).copy_(randn(1, 8)));
  const out2 = m.forward(src, tgt2, opts);
  const d = out.sub(out2).abs().sum([1, 2]).toArray() as number[];
  assert.deepEqual(d.slice(0, 3), [0, 0, 0]);
  assert.ok(d[3]! > 1e-3, "the last step sees its own input");
  // a custom encoder is used as given
  const enc = new nn.TransformerEncoder(new nn.TransformerEncoderLayer(8, 2, { dimFeedforward: 16 }), 1);
  const custom = new nn.Transformer({ dModel: 8, nhead: 2, numDecoderLayers: 1, dimFeedforward: 16, customEncoder: enc });
  assert.equal(custom.encoder, enc);
  assert.equal((custom.decoder as nn.TransformerDecoder).numLayers, 1);
  assertThrowsTensile(() => m.forward(randn(5, 2, 8), randn(4, 3, 8)), /^Transformer: the batch number of src and tgt must be equal, got src \[5, 2, 8\] and tgt \[4, 3, 8\]/);
  assertThrowsTensile(() => m.forward(randn(5, 2, 8), randn(4, 2, 6)), /^Transformer: the feature number of src and tgt must be equal to d_model \(8\)/);
  assertThrowsTensile(() => new nn.TransformerDecoder(enc as never, 2), /^TransformerDecoder: decoderLayer must be a TransformerDecoderLayer/);
  assertThrowsTensile(() => nn.Transformer.generateSquareSubsequentMask(-1), /^generateSquareSubsequentMask: sz must be a non-negative integer, got -1/);
});
