// nn.MultiheadAttention and F.multiHeadAttentionForward beyond the packed projection, against
// PyTorch (fixtures/attn-rnn-more.json from tools/gen-attn-rnn-more-fixtures.py): kdim/vdim other
// than embedDim (q/k/v_proj_weight), addBiasKv, addZeroAttn, batchFirst, every pairing of
// key_padding_mask and attn_mask kinds, per-head weights, unbatched input, static keys and values.
// Each case loads torch's state dict with loadStateDict (strict), checks repr, keys and parameter
// order, the outputs and every gradient, on every backend. Then a torch.save checkpoint, the
// initialisation, dropout in training, torch's errors and float64 gradchecks.
import assert from "node:assert/strict";
import { after, describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import { type Tensor, cat, getBackend, manualSeed, randn, setBackend, tensor, zeros } from "../src/core.js";
import { loadTorch } from "../src/io/index.js";
import * as nn from "../src/nn/index.js";
import * as F from "../src/nn/functional/index.js";
import { backendsUnderTest } from "./helpers/backends.js";
import { gradcheck } from "./helpers/gradcheck.js";
import { type Enc, assertClose, assertThrowsTensile, dec, loadNnFixture } from "./nn-helpers.js";

interface MhaCase {
  name: string;
  args: [number, number];
  kwargs: nn.MultiheadAttentionOptions;
  repr: string;
  keys: string[];
  paramNames: string[];
  params: Record<string, Enc>;
  selfAttention: boolean;
  call: Record<string, Enc | boolean>;
  inputs: Enc[];
  outputs: Enc[];
  upstream: Enc[];
  inputGrads: Enc[];
  paramGrads: Record<string, Enc>;
}
interface FunctionalCase {
  name: string;
  tensors: Record<string, Enc>;
  opts: Record<string, unknown>;
  outputs: Enc[];
  upstream: Enc[];
  grads: Record<string, Enc>;
}
const fx = loadNnFixture<{ mha: MhaCase[]; functional: FunctionalCase[]; checkpoint: { file: string; mha: string } }>("attn-rnn-more.json");
const isEnc = (v: unknown): v is Enc => typeof v === "object" && v !== null && "shape" in v && "data" in v;
const decodeAll = (r: Record<string, Enc>) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, dec(v)]));

/** Runs a fixture case on `m` (its parameters already set): outputs, then gradients. */
function runCase(c: MhaCase, m: nn.MultiheadAttention): void {
  const inputs = c.inputs.map((e) => dec(e, { requiresGrad: true }));
  const [q, k, v] = c.selfAttention ? [inputs[0]!, inputs[0]!, inputs[0]!] : (inputs as [Tensor, Tensor, Tensor]);
  const call = Object.fromEntries(Object.entries(c.call).map(([key, val]) => [key, isEnc(val) ? dec(val) : val]));
  const [out, w] = m.forward(q, k, v, call);
  const outs = w ? [out, w] : [out];
  assert.equal(outs.length, c.outputs.length, "number of outputs");
  outs.forEach((o, i) => assertClose(`${c.name} output ${i}`, o, c.outputs[i]!, 1e-5, 1e-5));
  outs.map((o, i) => o.mul(dec(c.upstream[i]!)).sum()).reduce((a, b) => a.add(b)).backward();
  inputs.forEach((x, i) => assertClose(`${c.name} input ${i} grad`, x.grad!, c.inputGrads[i]!, 1e-4, 1e-5));
  const params = Object.fromEntries(m.namedParameters());
  for (const [key, g] of Object.entries(c.paramGrads)) assertClose(`${c.name} grad of ${key}`, params[key]!.grad!, g, 1e-4, 1e-5);
}

const before = getBackend().name;
after(() => setBackend(before));

for (const backend of backendsUnderTest()) {
  describe(`MultiheadAttention (kdim/vdim, addBiasKv, addZeroAttn, masks) matches PyTorch (${backend.name})`, () => {
    for (const c of fx.mha) {
      test(c.name, () => {
        setBackend(backend.name);
        const m = new nn.MultiheadAttention(c.args[0], c.args[1], c.kwargs).eval();
        assert.equal(String(m), c.repr);
        assert.deepEqual(Object.keys(m.stateDict()), c.keys);
        assert.deepEqual(m.namedParameters().map(([k]) => k), c.paramNames);
        m.loadStateDict(decodeAll(c.params)); // strict: torch's keys and shapes
        runCase(c, m);
      });
    }
  });

  describe(`F.multiHeadAttentionForward with separate weights and static keys matches PyTorch (${backend.name})`, () => {
    const camel = (s: string) => s.replace(/_([a-z])/g, (_, ch: string) => ch.toUpperCase());
    for (const c of fx.functional) {
      test(c.name, () => {
        setBackend(backend.name);
        const t = Object.fromEntries(Object.entries(c.tensors).map(([k, e]) => [k, dec(e, { requiresGrad: e.dtype !== "bool" })]));
        const opts = Object.fromEntries(Object.entries(c.opts).map(([k, v]) => [camel(k), typeof v === "string" && v in t ? t[v] : v]));
        const [out, w] = F.multiHeadAttentionForward(t.query!, t.key!, t.value!, opts as unknown as F.MultiHeadAttentionForwardOptions);
        const outs = w ? [out, w] : [out];
        outs.forEach((o, i) => assertClose(`${c.name} output ${i}`, o, c.outputs[i]!, 1e-5, 1e-5));
        outs.map((o, i) => o.mul(dec(c.upstream[i]!)).sum()).reduce((a, b) => a.add(b)).backward();
        for (const [k, g] of Object.entries(c.grads)) assertClose(`${c.name} grad of ${k}`, t[k]!.grad!, g, 1e-4, 1e-5);
      });
    }
  });
}

test("a torch.save checkpoint of MultiheadAttention(kdim, vdim, addBiasKv, addZeroAttn) loads and runs as in PyTorch", () => {
  const ckpt = loadTorch<Record<string, Record<string, Tensor>>>(fileURLToPath(new URL(`../fixtures/${fx.checkpoint.file}`, import.meta.url)));
  const c = fx.mha.find((x) => x.name === fx.checkpoint.mha)!;
  const m = new nn.MultiheadAttention(c.args[0], c.args[1], c.kwargs).eval();
  const res = m.loadStateDict(ckpt.mha!);
  assert.deepEqual([res.missingKeys, res.unexpectedKeys], [[], []]);
  runCase(c, m);
});

test("resetParameters: Xavier-uniform projections, zero biases, Xavier-normal bias_k/bias_v; attributes", () => {
  manualSeed(7);
  const E = 256;
  const m = new nn.MultiheadAttention(E, 4, { kdim: 64, vdim: 32, addBiasKv: true });
  assert.equal(m.in_proj_weight, null);
  assert.deepEqual([m.kdim, m.vdim, m.qkvSameEmbedDim, m.addZeroAttn, m.headDim], [64, 32, false, false, 64]);
  const shapes = Object.fromEntries(Object.entries(m.stateDict()).map(([k, v]) => [k, v.shape]));
  assert.deepEqual(shapes, { q_proj_weight: [E, E], k_proj_weight: [E, 64], v_proj_weight: [E, 32], in_proj_bias: [3 * E], bias_k: [1, 1, E], bias_v: [1, 1, E], "out_proj.weight": [E, E], "out_proj.bias": [E] });
  for (const [w, fanIn] of [[m.q_proj_weight!, E], [m.k_proj_weight!, 64], [m.v_proj_weight!, 32]] as const) {
    const bound = Math.sqrt(6 / (fanIn + E)), max = w.abs().max().item();
    assert.ok(max <= bound && max > 0.95 * bound, `U(±${bound}): max |w| ${max}`);
  }
  assert.equal(m.in_proj_bias!.abs().max().item(), 0);
  assert.equal(m.out_proj.bias!.abs().max().item(), 0);
  for (const b of [m.bias_k!, m.bias_v!]) {
    const std = b.std().item(); // fan_in = fan_out = E for a [1, 1, E] tensor: std √(2 / 2E)
    assert.ok(Math.abs(std - 1 / Math.sqrt(E)) < 0.2 / Math.sqrt(E), `bias std ${std}`);
  }
  const packed = new nn.MultiheadAttention(16, 2, { kdim: 16, vdim: null });
  assert.ok(packed.qkvSameEmbedDim && packed.q_proj_weight === null && packed.bias_k === null);
  assert.ok(packed.in_proj_weight!.abs().max().item() <= Math.sqrt(6 / (16 + 48)));
});

test("dropout in training: the returned per-head weights are the eval weights, dropped or scaled by 1/(1 − p), and drive the output", () => {
  manualSeed(3);
  const [E, H, N, Lq, S] = [8, 2, 4, 16, 16];
  const m = new nn.MultiheadAttention(E, H, { dropout: 0.5, kdim: 5, vdim: 6, addBiasKv: true });
  const q = randn([Lq, N, E]), k = randn([S, N, 5]), v = randn([S, N, 6]);
  const [, we] = m.eval().forward(q, k, v, { averageAttnWeights: false });
  const [, we2] = m.forward(q, k, v, { averageAttnWeights: false });
  assert.deepEqual(Array.from(we!.dataSync()), Array.from(we2!.dataSync()), "eval: no dropout");
  const [out, wt] = m.train().forward(q, k, v, { averageAttnWeights: false });
  const a = wt!.dataSync(), b = we!.dataSync();
  let zeros_ = 0;
  for (let i = 0; i < a.length; i++) {
    if (a[i] === 0) zeros_++;
    else assert.ok(Math.abs(a[i]! - 2 * b[i]!) < 1e-5, `element ${i}: ${a[i]} vs 2·${b[i]}`);
  }
  assert.ok(Math.abs(zeros_ / a.length - 0.5) < 0.06, `dropped ${zeros_} of ${a.length}`);
  // the output is the out-projection of the dropped weights times the projected values (and bias_v)
  const bv = m.in_proj_bias!.narrow(0, 2 * E, E);
  const vSeq = cat([F.linear(v, m.v_proj_weight!, bv), m.bias_v!.reshape(1, 1, E).expand(1, N, E)], 0); // [S + 1, N, E]
  const vh = vSeq.reshape(S + 1, N * H, E / H).transpose(0, 1); // [N·H, S + 1, D]
  const ctx = wt!.reshape(N * H, Lq, S + 1).matmul(vh).transpose(0, 1).reshape(Lq, N, E);
  const expected = m.out_proj.forward(ctx);
  assert.ok(out.sub(expected).abs().max().item() < 1e-5, "output from the returned weights");
  const [o2, none] = m.forward(q, k, v, { needWeights: false });
  assert.equal(none, null);
  assert.deepEqual([...o2.shape], [Lq, N, E]);
});

test("errors are torch's: embedding size, key/value dims, projection shapes, mask shapes and kinds", () => {
  const m = new nn.MultiheadAttention(8, 2, { kdim: 5, vdim: 6, addBiasKv: true });
  const q = randn([3, 2, 8]), k = randn([4, 2, 5]), v = randn([4, 2, 6]);
  assertThrowsTensile(() => m.forward(randn([3, 2, 6]), k, v), /^MultiheadAttention: was expecting embedding dimension of 8, but got 6/);
  assertThrowsTensile(() => m.forward(q, k, randn([3, 2, 6])), /^MultiheadAttention: key's sequence and batch dims \[4, 2\] do not match value's \[3, 2\]/);
  assertThrowsTensile(() => m.forward(q, randn([4, 2, 6]), v), /^MultiheadAttention: expecting key weights shape of \[8, 6\], but got \[8, 5\]/);
  assertThrowsTensile(() => m.forward(q, k, randn([4, 2, 5])), /^MultiheadAttention: expecting value weights shape of \[8, 5\], but got \[8, 6\]/);
  assertThrowsTensile(() => m.forward(q, randn([4, 2]), v), /^MultiheadAttention: for batched \(3-D\) query, expected key and value to be 3-D but found 2-D and 3-D/);
  // masks are checked against the keys given (4), not the 5 after bias_k
  assertThrowsTensile(() => m.forward(q, k, v, { keyPaddingMask: zeros([2, 5]).bool() }), /^MultiheadAttention: expecting key_padding_mask shape of \[2, 4\], but got \[2, 5\]/);
  assertThrowsTensile(() => m.forward(q, k, v, { keyPaddingMask: zeros([2, 4], { dtype: "int32" }) }), /only bool and floating types of key_padding_mask are supported/);
  assertThrowsTensile(() => m.forward(q, k, v, { attnMask: zeros([2, 3, 4]) }), /the shape of the 3D attn_mask is \[2, 3, 4\], but should be \[4, 3, 4\]/);
  assertThrowsTensile(() => m.forward(q, k, v, { attnMask: zeros([1, 4, 3, 4]) }), /expected attn_mask to be null, 2-D or 3-D but found 4-D/);
  assertThrowsTensile(() => m.forward(q.select(1, 0), k.select(1, 0), v.select(1, 0), { keyPaddingMask: zeros([1, 4]).bool() }), /expecting key_padding_mask shape of \[4\], but got \[1, 4\]/);
  const packed = new nn.MultiheadAttention(8, 2);
  assertThrowsTensile(() => packed.forward(q, randn([4, 2, 8]), randn([5, 2, 8])), /^MultiheadAttention: key shape \[4, 2, 8\] does not match value shape \[5, 2, 8\]/);
  assertThrowsTensile(() => packed.forward(q, k, k), /packed projection \(no kdim, vdim\) needs embed_dim 8/);
  assertThrowsTensile(() => new nn.MultiheadAttention(8, 2, { kdim: 0 }), /^MultiheadAttention: kdim must be a positive integer or null, got 0/);
  assertThrowsTensile(() => new nn.MultiheadAttention(8, 2, { addBiasKv: 1 as never }), /^MultiheadAttention: addBiasKv must be a boolean, got 1/);
  // the functional form
  const f = (extra: Partial<F.MultiHeadAttentionForwardOptions>) => () => F.multiHeadAttentionForward(q, k, v, {
    embedDimToCheck: 8, numHeads: 2, useSeparateProjWeight: true, qProjWeight: randn([8, 8]), kProjWeight: randn([8, 5]),
    vProjWeight: randn([8, 6]), outProjWeight: randn([8, 8]), ...extra,
  });
  assertThrowsTensile(f({ kProjWeight: null }), /^multiHeadAttentionForward: kProjWeight \(useSeparateProjWeight is true\) must be a Tensor/);
  assertThrowsTensile(f({ biasK: zeros([1, 1, 8]) }), /biasK and biasV must be given together/);
  assertThrowsTensile(f({ biasK: zeros([1, 1, 8]), biasV: zeros([1, 1, 8]), staticK: zeros([4, 4, 4]) }), /bias cannot be added to static key\./);
  assertThrowsTensile(f({ staticK: zeros([3, 4, 4]) }), /expecting static_k\.size\(0\) of 4, but got 3/);
  assertThrowsTensile(f({ staticV: zeros([4, 4, 2]) }), /expecting static_v\.size\(2\) of 4, but got 2/);
  assertThrowsTensile(f({ inProjBias: zeros([8]) }), /expected inProjBias of shape \[24\], got \[8\]/);
});

test("float masks: a fully −∞ key is ignored, as a bool mask; the two masks add", () => {
  manualSeed(5);
  const m = new nn.MultiheadAttention(4, 2, { addZeroAttn: true }).eval();
  const x = randn([3, 2, 4]);
  const kb = tensor([[false, true, false], [false, false, true]]);
  const [, wb] = m.forward(x, x, x, { keyPaddingMask: kb });
  const [, wf] = m.forward(x, x, x, { keyPaddingMask: kb.float().mul(-1e9) });
  assert.ok(wb!.sub(wf!).abs().max().item() < 1e-6);
  assert.deepEqual([...wb!.shape], [2, 3, 4]); // S + 1 for the zero step
  const am = randn([3, 3]);
  const [, both] = m.forward(x, x, x, { keyPaddingMask: kb.float().mul(0.5), attnMask: am });
  const sum = am.unsqueeze(0).add(kb.float().mul(0.5).reshape(2, 1, 1, 3).expand(2, 2, 1, 3).reshape(4, 1, 3));
  const [, one] = m.forward(x, x, x, { attnMask: sum });
  assert.ok(both!.sub(one!).abs().max().item() < 1e-6);
});

describe("float64 gradchecks", () => {
  const r = (shape: number[], seed: number) => {
    manualSeed(seed);
    return randn(shape, { dtype: "float64" });
  };
  const E = 4, H = 2;
  const w = { q: r([E, E], 1), k: r([E, 3], 2), v: r([E, 2], 3), b: r([3 * E], 4), bk: r([1, 1, E], 5), bv: r([1, 1, E], 6), o: r([E, E], 7), ob: r([E], 8) };
  const q0 = r([2, 1, E], 9), k0 = r([3, 1, 3], 10), v0 = r([3, 1, 2], 11);
  const kpm = tensor([[false, false, true]]), am = r([2, 3], 12);
  const run = (q: Tensor, k: Tensor, v: Tensor, over: Partial<F.MultiHeadAttentionForwardOptions> = {}) => F.multiHeadAttentionForward(q, k, v, {
    embedDimToCheck: E, numHeads: H, useSeparateProjWeight: true, qProjWeight: w.q, kProjWeight: w.k, vProjWeight: w.v, inProjBias: w.b,
    biasK: w.bk, biasV: w.bv, addZeroAttn: true, outProjWeight: w.o, outProjBias: w.ob, keyPaddingMask: kpm, attnMask: am, training: false, ...over,
  });
  test("MultiheadAttention paths (kdim 3, vdim 2, bias_k/bias_v, zero attention, masks): inputs", () => {
    gradcheck((x) => run(x, k0, v0)[0], q0, "query");
    gradcheck((x) => run(q0, x, v0)[0], k0, "key");
    gradcheck((x) => run(q0, x, v0)[1]!, k0, "key → weights");
    gradcheck((x) => run(q0, k0, x, { averageAttnWeights: false })[0], v0, "value");
  });
  test("parameters: k/v projections, bias_k, bias_v", () => {
    gradcheck((x) => run(q0, k0, v0, { kProjWeight: x })[0], w.k, "kProjWeight");
    gradcheck((x) => run(q0, k0, v0, { vProjWeight: x })[0], w.v, "vProjWeight");
    gradcheck((x) => run(q0, k0, v0, { biasK: x })[1]!, w.bk, "biasK");
    gradcheck((x) => run(q0, k0, v0, { biasV: x })[0], w.bv, "biasV");
  });
});
