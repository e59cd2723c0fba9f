// ONNX export of the ops added after the first exporter: comparisons and logical ops as nodes (a mask
// from the input is no constant), gather / indexSelect / takeAlongDim / F.embedding, F.pad in every
// mode with crops, pow with its recorded exponent, softplus with β and threshold, logSigmoid, log1p,
// mish, round, cumsum, prod, the p-norms, logsumexp, clamp with tensor bounds, where, F.normalize.
// Each model is exported on both backends, run in ONNX Runtime (onnxruntime-web) at two batch sizes
// other than the example's and compared with Tensile's forward; what stays refused names the op.
import assert from "node:assert/strict";
import { test } from "node:test";
import { F, type Tensor, io, linalg, manualSeed, nn, noGrad, randint, randn, tensor, withBackend } from "../src/index.js";
import { assertThrowsTensile } from "./nn-helpers.js";
import { assertMatches, Fn, runOnnx } from "./helpers/onnx.js";

/** The op names of an exported model's nodes (the protobuf's strings after field 4 of each node). */
function hasNode(bytes: Uint8Array, op: string): boolean {
  return Buffer.from(bytes).includes(Buffer.from(`\x22${String.fromCharCode(op.length)}${op}`, "latin1"));
}

/**
 * Exports `f` on an input made by `make(2)` on each backend, runs the bytes at batch sizes 1 and 4
 * and compares with Tensile's forward there; `nodes`: op types the graph must hold.
 */
async function check(what: string, f: (x: Tensor, m: Fn) => Tensor, make: (n: number) => Tensor, opts: { kids?: () => Record<string, nn.Module>; nodes?: string[]; tol?: number } = {}): Promise<void> {
  for (const backend of ["wasm", "reference"] as const) {
    const { bytes, cases } = withBackend(backend, () => {
      manualSeed(11);
      const model = new Fn(f, opts.kids?.() ?? {});
      const bytes = io.exportOnnxBytes(model, make(2));
      const cases = [1, 4].map((n) => {
        const input = make(n);
        return { input, want: noGrad(() => model.forward(input)) };
      });
      return { bytes, cases };
    });
    for (const node of opts.nodes ?? []) assert.ok(hasNode(bytes, node), `${what}: no ${node} node in the graph`);
    for (const { input, want } of cases) {
      const got = await runOnnx(bytes, { input });
      const w = want.dtype === "bool" ? want.to("float32") : want;
      const out = got.output!;
      const data = out.data instanceof Uint8Array && want.dtype === "bool" ? Array.from(out.data, Number) : out.data;
      assertMatches(`${what} (${backend}, batch ${input.shape[0]})`, { data, dims: out.dims }, w, opts.tol ?? 1e-4);
    }
  }
}

const x3 = (n: number) => randn(n, 5, 6);

test("comparisons and logical ops export as nodes: a mask from the input follows the input", async () => {
  // a comparison mask on few values came out the same in both check runs and was frozen as a constant
  await check("x · (x > 0)", (x) => x.mul(x.gt(0).float()), (n) => randn(n, 2), { nodes: ["Greater"] });
  await check("comparisons with tensors and numbers", (x) => {
    const y = x.flip(2);
    return x.lt(y).float().add(x.le(0.2).float().mul(2)).add(x.ge(y).float().mul(4)).add(x.round().eq(0).float().mul(8)).add(x.round().ne(y.round()).float().mul(16));
  }, x3, { nodes: ["Less", "LessOrEqual", "GreaterOrEqual", "Equal", "Not"] });
  await check("logical and / or / xor / not, on bools and floats", (x) => {
    const a = x.gt(0), b = x.abs().lt(0.5);
    return a.logicalAnd(b).float().add(a.logicalOr(b).float().mul(2)).add(a.logicalXor(b).float().mul(4)).add(a.logicalNot().float().mul(8)).add(x.round().logicalAnd(x).float().mul(16));
  }, x3, { nodes: ["And", "Or", "Xor"] });
  await check("isnan, isfinite and where: log of negatives replaced", (x) => {
    const y = x.log();
    return x.where(y.isnan(), y).add(y.isfinite().float());
  }, x3, { nodes: ["IsNaN", "IsInf", "Where"] });
  await check("a bool output (the mask itself)", (x) => x.gt(0.1), x3);
});

test("gather, indexSelect, takeAlongDim and F.embedding export as GatherElements", async () => {
  await check("indexSelect over channels and the last dim, negative dim", (x) => x.indexSelect(1, tensor([4, 0, 0, 2], { dtype: "int32" })).indexSelect(-1, tensor([5, 1], { dtype: "int32" })), x3, { nodes: ["GatherElements"] });
  await check("gather with an index expanded to the batch", (x) => x.gather(2, tensor([[[0, 5, 2], [1, 1, 1], [3, 4, 5], [0, 0, 0], [2, 3, 1]]], { dtype: "int32" }).expand([x.shape[0]!, 5, 3])), x3);
  await check("index with an int tensor, and take", (x) => x.index([":", tensor([4, 0, 4], { dtype: "int32" })])
    .add(x.index([":", ":", tensor([1, 5, 0, 0, 2, 3], { dtype: "int32" })]).narrow(1, 1, 3)).add(x.take(tensor([0, 7, 29, 3, 11, 20], { dtype: "int32" }))), x3);
  await check("takeAlongDim", (x) => x.takeAlongDim(tensor([[[2], [0], [1], [5], [4]]], { dtype: "int32" }), 2), x3);
  await check("F.embedding of int ids", (x, m) => F.embedding(x, m.kid<nn.Embedding>("emb").weight).sum(-1), (n) => randint(0, 7, [n, 3], { dtype: "int32" }),
    { kids: () => ({ emb: new nn.Embedding(7, 4) }) });
});

test("F.pad in every mode, with crops, and constant padding layers with negative padding", async () => {
  await check("constant, with a crop", (x) => F.pad(x, [2, -1, 1, 0], "constant", 0.5), x3, { nodes: ["Pad"] });
  await check("reflect", (x) => F.pad(x, [2, 3]), x3);
  await check("reflect 2-D", (x) => F.pad(x.unsqueeze(1), [2, 1, 3, 0], "reflect").squeeze(1), x3);
  await check("replicate, with a crop", (x) => F.pad(x, [3, -2], "replicate"), x3);
  await check("circular, with a crop", (x) => F.pad(x.unsqueeze(1), [2, -1, 1, 3], "circular").squeeze(1), x3);
  await check("ConstantPad1d with a crop", (x, m) => m.kid<nn.Module>("pad").forward(x) as Tensor, x3, { kids: () => ({ pad: new nn.ConstantPad1d([-2, 3], 1.5) }) });
  assertThrowsTensile(() => io.exportOnnxBytes(new nn.ReflectionPad1d([-1, 2]), randn(2, 3, 6)), /^exportOnnx: ReflectionPad1d with negative padding \(cropping\) in mode reflect is not exported/);
});

test("pow with a recorded exponent, also on values that cannot tell it", async () => {
  await check("pow 2, 3, 0.5 and a negative integer", (x) => x.pow(2).add(x.pow(3)).add(x.abs().pow(0.5)).add(x.abs().add(1).pow(-2)), x3, { nodes: ["Pow"] });
  // 0s and 1s: x² = x³ = x, which the values alone did not tell (refused before the exponent was recorded)
  await check("pow of 0s and 1s", (x) => x.pow(2).add(x.pow(3).mul(2)), (n) => randint(0, 2, [n, 4]).float());
});

test("softplus (β, threshold), logSigmoid, log1p, mish, round", async () => {
  const wide = (n: number) => randn(n, 5, 6).mul(12);
  await check("softplus", (x) => F.softplus(x).add(F.softplus(x, 2, 3).mul(2)).add(F.softplus(x, 0.5, 30)), wide, { nodes: ["Softplus"] });
  await check("logSigmoid", (x) => F.logsigmoid(x), wide);
  await check("log1p", (x) => x.abs().log1p(), x3);
  await check("mish", (x) => F.mish(x), wide);
  // exact halves: half to even in both
  await check("round", (x) => x.mul(4).round().div(2).round(), (n) => randint(-8, 9, [n, 5, 6]).float().div(4), { nodes: ["Round"] });
});

test("cumsum, prod, sum and mean over dims, logsumexp", async () => {
  await check("cumsum", (x) => x.cumsum(2).add(x.cumsum(-2)), x3, { nodes: ["CumSum"] });
  await check("prod", (x) => x.prod(2).add(x.prod(2, true).sum(2)), x3, { nodes: ["ReduceProd"] });
  await check("sum and mean over dims", (x) => x.sum([1, 2], true).add(x.mean(2, true)).add(x.mean([1], true)).add(x.mean(-1).unsqueeze(2)), x3);
  await check("logsumexp", (x) => x.mul(30).logsumexp(2).add(x.logsumexp([1, 2], true).squeeze(2)), x3, { nodes: ["ReduceLogSumExp"] });
});

test("norms (p = 0, 1, 2, ∞, 3, 0.5), vectorNorm and F.normalize", async () => {
  await check("norm over dims", (x) => x.norm(2, 2).add(x.norm(1, 2)).add(x.norm(Infinity, 2)).add(x.norm(3, 2)).add(x.norm(0.5, 2)).add(x.round().norm(0, 2)), x3, { nodes: ["Sqrt"] });
  await check("norm kept dims", (x) => x.div(x.norm(2, [1, 2], true)), x3);
  await check("linalg.vectorNorm", (x) => linalg.vectorNorm(x, 2, -1).add(linalg.vectorNorm(x, 1, [2])).add(linalg.vectorNorm(x, 4, 2)), x3);
  await check("F.normalize", (x) => F.normalize(x, { dim: 1 }).add(F.normalize(x, { p: 1, dim: 2 })), x3);
});

test("clamp with tensor bounds and where on input masks", async () => {
  await check("clamp with tensors", (x) => x.clamp(x.flip(2).mul(0.5), x.flip(1).abs().add(0.2)), x3);
  await check("where on a mask from the input", (x) => x.where(x.gt(x.mean(2, true)), x.mul(-3)), x3, { nodes: ["Where", "Greater"] });
});

test("argmax / argmin and max / min along a dim export; sort and topk (indices from the values) are refused", async () => {
  await check("argmax, argmin, max(dim)", (x) => x.argmax(2).float().add(x.argmin(2, true).float().squeeze(2)).add(x.argmax(1).float().sum(1, true))
    .add((x.max(2) as unknown as [Tensor, Tensor])[0]!).add((x.min(2, true) as unknown as [Tensor, Tensor])[1]!.float().squeeze(2)), x3, { nodes: ["ArgMax", "ArgMin"] });
  // on two values the order came out the same in both check runs: frozen as a constant before sort was traced
  assertThrowsTensile(() => io.exportOnnxBytes(new Fn((x) => (x.topk(2, 1) as unknown as [Tensor])[0]!), randn(1, 2)), /^exportOnnx: sort \/ argsort \/ topk \/ msort \(indices \[1, 2\] ordered by the values\)/);
  assertThrowsTensile(() => io.exportOnnxBytes(new Fn((x) => (x.sort(1) as unknown as [Tensor])[0]!), randn(2, 5)), /^exportOnnx: sort /);
  // selections whose index is chosen by the values (it would be frozen as a constant of the graph)
  for (const [op, f] of [["median", (x: Tensor) => x.median(1).values], ["kthvalue", (x: Tensor) => x.kthvalue(2, 1).values],
    ["mode", (x: Tensor) => x.mode(1).values], ["nanmedian", (x: Tensor) => x.nanmedian(1).values], ["cummax", (x: Tensor) => x.cummax(1).values],
    ["cummin", (x: Tensor) => x.cummin(1).values]] as const)
    assertThrowsTensile(() => io.exportOnnxBytes(new Fn(f), randn(2, 5)), new RegExp(`^exportOnnx: ${op} \\(indices \\[2, \\d\\] chosen by the values\\)`));
});

test("F.unfold, F.avgPool1d and F.lpPool2d stay refused, naming the ops", () => {
  const msg = /^exportOnnx: F\.unfold \(and F\.avgPool1d, F\.lpPool1d \/ F\.lpPool2d, which run on it: "im2col"/;
  assertThrowsTensile(() => io.exportOnnxBytes(new Fn((x) => F.avgPool1d(x, 2)), randn(2, 3, 6)), msg);
  assertThrowsTensile(() => io.exportOnnxBytes(new Fn((x) => F.lpPool2d(x, 2, 2)), randn(2, 3, 4, 4)), msg);
  assertThrowsTensile(() => io.exportOnnxBytes(new Fn((x) => F.unfold(x, 2)), randn(2, 3, 4, 4)), msg);
});
