// Bad-constructor probe: builds the classes of `nn` (layers, losses, containers), `data` (DataLoader,
// samplers, datasets, transforms) and `distributions` (validateArgs on) with one argument replaced by
// a bad value (negative, zero, NaN, ±Infinity or non-integer sizes, probabilities outside [0, 1],
// unknown mode strings, a string where a number goes, wrong-length or empty lists, mismatched shapes)
// and lists every case that is not refused at construction with a TensileError:
//   CRASH     the constructor threw something else (TypeError, RangeError, ...)
//   MISSING   it constructed; then the first forward call (when the row has one) is reported as
//             "fwd: TensileError" (refused late but clearly), "fwd: CRASH ...", "fwd: NaN/inf" (garbage),
//             or "fwd: ok [shape]" (silently accepted).
// With --torch, each case is also run through PyTorch 1.13 (Debian's /usr/bin/python3, torchvision for
// the transforms) and the line says what torch does ("torch: accepts", "torch: ctor ValueError: ...",
// "torch: fwd RuntimeError: ..."). Where torch accepts the value too, Tensile may accept it; cases that
// torch accepts at construction and in forward are printed under "both accept" (informational).
// Every row has a valid control value that must construct, so a broken row shows as HARNESS.
//
//   node --import tsx tools/fuzz/badctors.mts [wasm|reference] [--torch] [--only SUBSTRING]
import fs from "node:fs";
import { spawnSync } from "node:child_process";
import * as TS from "../../src/index.js";
import { TensileError } from "../../src/errors.js";

const T = TS as any;
const { tensor, nn, data, distributions: D, setBackend, randn, rand } = T;
const argv = process.argv.slice(2);
setBackend(argv.find((a) => a === "wasm" || a === "reference") ?? "wasm");
const withTorch = argv.includes("--torch");
const only = argv.includes("--only") ? argv[argv.indexOf("--only") + 1] : null;
const tf = data.transforms;

// value sets (the first entry of a row's list is its valid control value)
const SIZE = [-1, 0, 1.5, NaN, Infinity, "3"];
const PSIZE = [-1, 1.5, NaN, Infinity, "3"]; // where 0 is valid (or the control)
const PROB = [-0.1, 1.5, NaN, "0.5"];
const POS = [-1, 0, NaN, Infinity, "1"]; // a positive real (eps, temperature, scale)
const NUM = [NaN, "1"]; // any real, but a number
const MODE = ["foo", 3];

type Row = {
  name: string;
  ok: unknown; // control value
  vals: unknown[];
  js: (v: any) => any;
  fwd?: (m: any) => any;
  py: string; // torch constructor, {V} = the value
  pyFwd?: string; // torch forward, `m` = the module
};
const x4 = () => randn([2, 4, 6, 6]);
const img = () => rand([3, 8, 8]);
const PY_IMG = "m(torch.rand(3, 8, 8))";
const rows: Row[] = [];
const add = (name: string, ok: unknown, vals: unknown[], js: Row["js"], py: string, fwd?: Row["fwd"], pyFwd?: string) =>
  rows.push({ name, ok, vals, js, py, fwd, pyFwd });
const fx4 = (m: any) => m.forward(x4());
const PX4 = "m(torch.randn(2, 4, 6, 6))";
const fx2 = (m: any) => m.forward(randn([3, 4]));
const PX2 = "m(torch.randn(3, 4))";
const ds = () => new data.TensorDataset(randn([10, 2]), randn([10]));
const PDS = "data.TensorDataset(torch.randn(10, 2), torch.randn(10))";
const first = (it: any) => { for (const b of it) return b; return "empty"; };
const PFirst = "m = next(iter(m))";
const fImg = (m: any) => m(img());
const VA = { validateArgs: true };
const fS = (d: any) => d.sample();
const ft = (v: any) => tensor(v, { dtype: "float32" });
const PS = "m = m.sample()";

// ---- nn: linear, conv --------------------------------------------------------------------------
add("Linear in_features", 4, SIZE, (v) => new nn.Linear(v, 3), "nn.Linear({V}, 3)");
add("Linear out_features", 3, SIZE, (v) => new nn.Linear(4, v), "nn.Linear(4, {V})", fx2, PX2);
add("Bilinear in1_features", 4, SIZE, (v) => new nn.Bilinear(v, 4, 3), "nn.Bilinear({V}, 4, 3)", (m) => m.bias, "m = m.bias");
add("Bilinear out_features", 3, SIZE, (v) => new nn.Bilinear(4, 4, v), "nn.Bilinear(4, 4, {V})");
add("LazyLinear out_features", 3, SIZE, (v) => new nn.LazyLinear(v), "nn.LazyLinear({V})", fx2, PX2);
add("Identity args", 1, ["x"], (v) => new nn.Identity(v), "nn.Identity({V})", fx2, PX2);
add("Conv2d in_channels", 4, SIZE, (v) => new nn.Conv2d(v, 2, 3), "nn.Conv2d({V}, 2, 3)");
add("Conv2d out_channels", 2, SIZE, (v) => new nn.Conv2d(4, v, 3), "nn.Conv2d(4, {V}, 3)");
add("Conv2d kernel_size", 3, [...SIZE, [3, 3, 3], []], (v) => new nn.Conv2d(4, 2, v), "nn.Conv2d(4, 2, {V})", fx4, PX4);
add("Conv2d stride", 1, [...SIZE, [1, 1, 1]], (v) => new nn.Conv2d(4, 2, 3, v), "nn.Conv2d(4, 2, 3, {V})", fx4, PX4);
add("Conv2d padding", 1, [-1, 1.5, NaN, "1", "foo", [1, 1, 1]], (v) => new nn.Conv2d(4, 2, 3, 1, v), "nn.Conv2d(4, 2, 3, 1, {V})", fx4, PX4);
add("Conv2d dilation", 1, SIZE, (v) => new nn.Conv2d(4, 2, 3, 1, 0, v), "nn.Conv2d(4, 2, 3, 1, 0, {V})", fx4, PX4);
add("Conv2d groups", 2, [...SIZE, 3], (v) => new nn.Conv2d(4, 2, 3, 1, 0, 1, v), "nn.Conv2d(4, 2, 3, 1, 0, 1, {V})", fx4, PX4);
add("Conv2d padding_mode", "zeros", MODE, (v) => new nn.Conv2d(4, 2, 3, { paddingMode: v }), "nn.Conv2d(4, 2, 3, padding_mode={V})", fx4, PX4);
add("Conv2d same+stride", 1, [2], (v) => new nn.Conv2d(4, 2, 3, { padding: "same", stride: v }), "nn.Conv2d(4, 2, 3, padding='same', stride={V})", fx4, PX4);
add("Conv1d kernel_size", 3, SIZE, (v) => new nn.Conv1d(4, 2, v), "nn.Conv1d(4, 2, {V})");
add("Conv3d kernel_size", 3, SIZE, (v) => new nn.Conv3d(4, 2, v), "nn.Conv3d(4, 2, {V})");
add("ConvTranspose2d kernel_size", 3, SIZE, (v) => new nn.ConvTranspose2d(4, 2, v), "nn.ConvTranspose2d(4, 2, {V})");
add("ConvTranspose2d output_padding", 0, [-1, 1.5, NaN, 2], (v) => new nn.ConvTranspose2d(4, 2, 3, { stride: 2, outputPadding: v }), "nn.ConvTranspose2d(4, 2, 3, stride=2, output_padding={V})", fx4, PX4);
add("ConvTranspose2d padding_mode", "zeros", [...MODE, "reflect"], (v) => new nn.ConvTranspose2d(4, 2, 3, { paddingMode: v }), "nn.ConvTranspose2d(4, 2, 3, padding_mode={V})", fx4, PX4);
add("ConvTranspose1d groups", 2, [0, 3, -1], (v) => new nn.ConvTranspose1d(4, 2, 3, 1, 0, 0, v), "nn.ConvTranspose1d(4, 2, 3, 1, 0, 0, {V})");
add("LazyConv2d out_channels", 2, SIZE, (v) => new nn.LazyConv2d(v, 3), "nn.LazyConv2d({V}, 3)");
add("LazyConv2d kernel_size", 3, SIZE, (v) => new nn.LazyConv2d(2, v), "nn.LazyConv2d(2, {V})", fx4, PX4);
// ---- pooling ----------------------------------------------------------------------------------
add("MaxPool2d kernel_size", 2, SIZE, (v) => new nn.MaxPool2d(v), "nn.MaxPool2d({V})", fx4, PX4);
add("MaxPool2d stride", 2, SIZE, (v) => new nn.MaxPool2d(2, v), "nn.MaxPool2d(2, {V})", fx4, PX4);
add("MaxPool2d padding", 0, [-1, 1.5, NaN, 2], (v) => new nn.MaxPool2d(2, 2, v), "nn.MaxPool2d(2, 2, {V})", fx4, PX4);
add("MaxPool2d dilation", 1, SIZE, (v) => new nn.MaxPool2d(2, 2, 0, v), "nn.MaxPool2d(2, 2, 0, {V})", fx4, PX4);
add("MaxPool1d kernel_size", 2, SIZE, (v) => new nn.MaxPool1d(v), "nn.MaxPool1d({V})", (m) => m.forward(randn([2, 4, 6])), "m(torch.randn(2, 4, 6))");
add("MaxPool3d kernel_size", 2, SIZE, (v) => new nn.MaxPool3d(v), "nn.MaxPool3d({V})");
add("AvgPool2d kernel_size", 2, SIZE, (v) => new nn.AvgPool2d(v), "nn.AvgPool2d({V})", fx4, PX4);
add("AvgPool2d stride", 2, SIZE, (v) => new nn.AvgPool2d(2, v), "nn.AvgPool2d(2, {V})", fx4, PX4);
add("AvgPool2d padding", 0, [-1, 1.5, NaN, 2], (v) => new nn.AvgPool2d(2, 2, v), "nn.AvgPool2d(2, 2, {V})", fx4, PX4);
add("AvgPool2d divisor_override", 2, [0, -1, 1.5, NaN, "2"], (v) => new nn.AvgPool2d(2, { divisorOverride: v }), "nn.AvgPool2d(2, divisor_override={V})", fx4, PX4);
add("AvgPool1d kernel_size", 2, SIZE, (v) => new nn.AvgPool1d(v), "nn.AvgPool1d({V})", (m) => m.forward(randn([2, 4, 6])), "m(torch.randn(2, 4, 6))");
add("AvgPool3d kernel_size", 2, SIZE, (v) => new nn.AvgPool3d(v), "nn.AvgPool3d({V})");
add("AdaptiveAvgPool2d output_size", 2, [...PSIZE, [2, 2, 2]], (v) => new nn.AdaptiveAvgPool2d(v), "nn.AdaptiveAvgPool2d({V})", fx4, PX4);
add("AdaptiveAvgPool1d output_size", 2, PSIZE, (v) => new nn.AdaptiveAvgPool1d(v), "nn.AdaptiveAvgPool1d({V})", (m) => m.forward(randn([2, 4, 6])), "m(torch.randn(2, 4, 6))");
add("AdaptiveAvgPool3d output_size", 2, PSIZE, (v) => new nn.AdaptiveAvgPool3d(v), "nn.AdaptiveAvgPool3d({V})");
add("AdaptiveMaxPool2d output_size", 2, PSIZE, (v) => new nn.AdaptiveMaxPool2d(v), "nn.AdaptiveMaxPool2d({V})", fx4, PX4);
add("AdaptiveMaxPool1d output_size", 2, PSIZE, (v) => new nn.AdaptiveMaxPool1d(v), "nn.AdaptiveMaxPool1d({V})");
add("AdaptiveMaxPool3d output_size", 2, PSIZE, (v) => new nn.AdaptiveMaxPool3d(v), "nn.AdaptiveMaxPool3d({V})");
add("LPPool2d norm_type", 2, [0, -1, NaN, "2"], (v) => new nn.LPPool2d(v, 2), "nn.LPPool2d({V}, 2)", fx4, PX4);
add("LPPool2d kernel_size", 2, SIZE, (v) => new nn.LPPool2d(2, v), "nn.LPPool2d(2, {V})", fx4, PX4);
add("LPPool1d kernel_size", 2, SIZE, (v) => new nn.LPPool1d(2, v), "nn.LPPool1d(2, {V})");
add("MaxUnpool2d kernel_size", 2, SIZE, (v) => new nn.MaxUnpool2d(v), "nn.MaxUnpool2d({V})");
add("MaxUnpool1d stride", 2, SIZE, (v) => new nn.MaxUnpool1d(2, v), "nn.MaxUnpool1d(2, {V})");
add("FractionalMaxPool2d kernel_size", 2, SIZE, (v) => new nn.FractionalMaxPool2d(v, { outputSize: 2 }), "nn.FractionalMaxPool2d({V}, output_size=2)");
add("FractionalMaxPool2d output_ratio", 0.5, [0, 1.5, -0.5, NaN], (v) => new nn.FractionalMaxPool2d(2, { outputRatio: v }), "nn.FractionalMaxPool2d(2, output_ratio={V})", fx4, PX4);
add("FractionalMaxPool2d output_size", 3, SIZE, (v) => new nn.FractionalMaxPool2d(2, { outputSize: v }), "nn.FractionalMaxPool2d(2, output_size={V})", fx4, PX4);
// ---- norms ------------------------------------------------------------------------------------
add("BatchNorm2d num_features", 4, SIZE, (v) => new nn.BatchNorm2d(v), "nn.BatchNorm2d({V})");
add("BatchNorm2d eps", 1e-5, [-1, NaN, "1"], (v) => new nn.BatchNorm2d(4, v), "nn.BatchNorm2d(4, {V})", fx4, PX4);
add("BatchNorm2d momentum", 0.1, [NaN, "0.1", 1.5, -1], (v) => new nn.BatchNorm2d(4, 1e-5, v), "nn.BatchNorm2d(4, 1e-5, {V})", (m) => (m.forward(x4()), m.runningMean), "m(torch.randn(2, 4, 6, 6)); m = m.running_mean");
add("BatchNorm1d num_features", 4, SIZE, (v) => new nn.BatchNorm1d(v), "nn.BatchNorm1d({V})");
add("SyncBatchNorm num_features", 4, SIZE, (v) => new nn.SyncBatchNorm(v), "nn.SyncBatchNorm({V})");
add("LazyBatchNorm2d eps", 1e-5, [-1, NaN, "1"], (v) => new nn.LazyBatchNorm2d(v), "nn.LazyBatchNorm2d({V})", fx4, PX4);
add("InstanceNorm2d num_features", 4, SIZE, (v) => new nn.InstanceNorm2d(v, { affine: true }), "nn.InstanceNorm2d({V}, affine=True)");
add("InstanceNorm2d eps", 1e-5, [-1, NaN, "1"], (v) => new nn.InstanceNorm2d(4, v), "nn.InstanceNorm2d(4, {V})", fx4, PX4);
add("LayerNorm normalized_shape", 6, [...SIZE, [], [6, -1]], (v) => new nn.LayerNorm(v), "nn.LayerNorm({V})", fx4, PX4);
add("LayerNorm eps", 1e-5, [-1, NaN, "1"], (v) => new nn.LayerNorm(6, v), "nn.LayerNorm(6, {V})", fx4, PX4);
add("GroupNorm num_groups", 2, [...SIZE, 3], (v) => new nn.GroupNorm(v, 4), "nn.GroupNorm({V}, 4)", fx4, PX4);
add("GroupNorm num_channels", 4, SIZE, (v) => new nn.GroupNorm(2, v), "nn.GroupNorm(2, {V})");
add("GroupNorm eps", 1e-5, [-1, NaN, "1"], (v) => new nn.GroupNorm(2, 4, v), "nn.GroupNorm(2, 4, {V})", fx4, PX4);
add("LocalResponseNorm size", 2, SIZE, (v) => new nn.LocalResponseNorm(v), "nn.LocalResponseNorm({V})", fx4, PX4);
add("CrossMapLRN2d size", 2, SIZE, (v) => new nn.CrossMapLRN2d(v), "nn.CrossMapLRN2d({V})", fx4, PX4);
// ---- embedding --------------------------------------------------------------------------------
const fEmb = (m: any) => m.forward(tensor([[0, 1], [2, 3]], { dtype: "int32" }));
const PEmb = "m(torch.tensor([[0, 1], [2, 3]]))";
add("Embedding num_embeddings", 5, SIZE, (v) => new nn.Embedding(v, 3), "nn.Embedding({V}, 3)", fEmb, PEmb);
add("Embedding embedding_dim", 3, SIZE, (v) => new nn.Embedding(5, v), "nn.Embedding(5, {V})", fEmb, PEmb);
add("Embedding padding_idx", 1, [5, -6, 1.5, NaN, "1"], (v) => new nn.Embedding(5, 3, { paddingIdx: v }), "nn.Embedding(5, 3, padding_idx={V})", fEmb, PEmb);
add("Embedding max_norm", 1, [-1, 0, NaN, "1"], (v) => new nn.Embedding(5, 3, { maxNorm: v }), "nn.Embedding(5, 3, max_norm={V})", fEmb, PEmb);
add("Embedding.fromPretrained shape", [5, 3], [[15], [2, 5, 3]], (v) => nn.Embedding.fromPretrained(randn(v)), "nn.Embedding.from_pretrained(torch.randn({V}))", fEmb, PEmb);
add("EmbeddingBag mode", "mean", MODE, (v) => new nn.EmbeddingBag(5, 3, { mode: v }), "nn.EmbeddingBag(5, 3, mode={V})", fEmb, PEmb);
add("EmbeddingBag num_embeddings", 5, SIZE, (v) => new nn.EmbeddingBag(v, 3), "nn.EmbeddingBag({V}, 3)");
add("EmbeddingBag padding_idx", 1, [5, -6], (v) => new nn.EmbeddingBag(5, 3, { paddingIdx: v }), "nn.EmbeddingBag(5, 3, padding_idx={V})");
// ---- dropout ----------------------------------------------------------------------------------
for (const c of ["Dropout", "Dropout1d", "Dropout2d", "Dropout3d", "AlphaDropout", "FeatureAlphaDropout"])
  add(`${c} p`, 0.5, PROB, (v) => new nn[c](v), `nn.${c}({V})`);
// ---- activations ------------------------------------------------------------------------------
add("LeakyReLU negative_slope", 0.01, NUM, (v) => new nn.LeakyReLU(v), "nn.LeakyReLU({V})", fx2, PX2);
add("ELU alpha", 1, NUM, (v) => new nn.ELU(v), "nn.ELU({V})", fx2, PX2);
add("CELU alpha", 1, [0, ...NUM], (v) => new nn.CELU(v), "nn.CELU({V})", fx2, PX2);
add("GELU approximate", "tanh", MODE, (v) => new nn.GELU(v), "nn.GELU(approximate={V})", fx2, PX2);
add("Hardtanh min_val", -1, [2, NaN, "0"], (v) => new nn.Hardtanh(v, 1), "nn.Hardtanh({V}, 1.0)", fx2, PX2);
add("Softplus beta", 1, [0, NaN, "1"], (v) => new nn.Softplus(v), "nn.Softplus({V})", fx2, PX2);
add("Softplus threshold", 20, [NaN, "1"], (v) => new nn.Softplus(1, v), "nn.Softplus(1, {V})", fx2, PX2);
add("Softmax dim", 1, [5, -3, 1.5, NaN, "1"], (v) => new nn.Softmax(v), "nn.Softmax({V})", fx2, PX2);
add("LogSoftmax dim", 1, [5, 1.5, "1"], (v) => new nn.LogSoftmax(v), "nn.LogSoftmax({V})", fx2, PX2);
add("Softmin dim", 1, [5, 1.5, "1"], (v) => new nn.Softmin(v), "nn.Softmin({V})", fx2, PX2);
add("GLU dim", -1, [5, 1.5, "1"], (v) => new nn.GLU(v), "nn.GLU({V})", fx2, PX2);
add("PReLU num_parameters", 1, SIZE, (v) => new nn.PReLU(v), "nn.PReLU({V})", fx2, PX2);
add("PReLU init", 0.25, NUM, (v) => new nn.PReLU(1, v), "nn.PReLU(1, {V})", fx2, PX2);
add("RReLU lower", 0.125, [0.5, NaN, "0.1"], (v) => new nn.RReLU(v, 1 / 3), "nn.RReLU({V}, 1/3)", fx2, PX2);
add("Threshold threshold", 0.1, NUM, (v) => new nn.Threshold(v, 0), "nn.Threshold({V}, 0.0)", fx2, PX2);
add("Threshold value", 0, NUM, (v) => new nn.Threshold(0.1, v), "nn.Threshold(0.1, {V})", fx2, PX2);
add("Hardshrink lambd", 0.5, [-1, ...NUM], (v) => new nn.Hardshrink(v), "nn.Hardshrink({V})", fx2, PX2);
add("Softshrink lambd", 0.5, [-1, ...NUM], (v) => new nn.Softshrink(v), "nn.Softshrink({V})", fx2, PX2);
add("ReLU inplace", false, ["yes"], (v) => new nn.ReLU(v), "nn.ReLU({V})", fx2, PX2);
// ---- flatten, fold, shuffle, padding, upsample, distance -----------------------------------
add("Flatten start_dim", 1, [1.5, NaN, "1", 9], (v) => new nn.Flatten(v), "nn.Flatten({V})", fx4, PX4);
add("Unflatten sizes", [2, 2], [[-1, -1], [2, 3], [], [0, 1.5]], (v) => new nn.Unflatten(1, v), "nn.Unflatten(1, {V})", fx2, PX2);
add("Unflatten dim", 1, [1.5, "1", 7], (v) => new nn.Unflatten(v, [2, 2]), "nn.Unflatten({V}, (2, 2))", fx2, PX2);
add("Fold output_size", 4, SIZE, (v) => new nn.Fold(v, 2), "nn.Fold({V}, 2)", (m) => m.forward(randn([1, 4, 9])), "m(torch.randn(1, 4, 9))");
add("Fold kernel_size", 2, SIZE, (v) => new nn.Fold(4, v), "nn.Fold(4, {V})", (m) => m.forward(randn([1, 4, 9])), "m(torch.randn(1, 4, 9))");
add("Unfold kernel_size", 2, SIZE, (v) => new nn.Unfold(v), "nn.Unfold({V})", fx4, PX4);
add("Unfold stride", 1, SIZE, (v) => new nn.Unfold(2, { stride: v }), "nn.Unfold(2, stride={V})", fx4, PX4);
add("PixelShuffle upscale_factor", 2, SIZE, (v) => new nn.PixelShuffle(v), "nn.PixelShuffle({V})", fx4, PX4);
add("PixelUnshuffle downscale_factor", 2, SIZE, (v) => new nn.PixelUnshuffle(v), "nn.PixelUnshuffle({V})", fx4, PX4);
add("ChannelShuffle groups", 2, SIZE, (v) => new nn.ChannelShuffle(v), "nn.ChannelShuffle({V})", fx4, PX4);
add("ZeroPad2d padding", 1, [1.5, NaN, "1", [1, 2, 3], []], (v) => new nn.ZeroPad2d(v), "nn.ZeroPad2d({V})", fx4, PX4);
add("ConstantPad1d value", 0, ["a"], (v) => new nn.ConstantPad1d(1, v), "nn.ConstantPad1d(1, {V})", fx2, PX2);
add("ReflectionPad2d padding", 1, [-1, 1.5, 6, [1, 1, 1]], (v) => new nn.ReflectionPad2d(v), "nn.ReflectionPad2d({V})", fx4, PX4);
add("ReplicationPad1d padding", 1, [1.5, NaN, [1, 1, 1]], (v) => new nn.ReplicationPad1d(v), "nn.ReplicationPad1d({V})", fx2, PX2);
add("ConstantPad3d padding", 1, [1.5, [1, 1]], (v) => new nn.ConstantPad3d(v, 0), "nn.ConstantPad3d({V}, 0.0)");
add("Upsample scale_factor", 2, [...SIZE], (v) => new nn.Upsample({ scaleFactor: v }), "nn.Upsample(scale_factor={V})", fx4, PX4);
add("Upsample size", 4, SIZE, (v) => new nn.Upsample({ size: v }), "nn.Upsample(size={V})", fx4, PX4);
add("Upsample mode", "nearest", MODE, (v) => new nn.Upsample({ scaleFactor: 2, mode: v }), "nn.Upsample(scale_factor=2, mode={V})", fx4, PX4);
add("UpsamplingNearest2d scale_factor", 2, SIZE, (v) => new nn.UpsamplingNearest2d(null, v), "nn.UpsamplingNearest2d(None, {V})", fx4, PX4);
add("CosineSimilarity dim", 1, [5, 1.5, "1"], (v) => new nn.CosineSimilarity(v), "nn.CosineSimilarity({V})", (m) => m.forward(randn([3, 4]), randn([3, 4])), "m(torch.randn(3, 4), torch.randn(3, 4))");
add("CosineSimilarity eps", 1e-8, [-1, NaN, "1"], (v) => new nn.CosineSimilarity(1, v), "nn.CosineSimilarity(1, {V})", (m) => m.forward(randn([3, 4]), randn([3, 4])), "m(torch.randn(3, 4), torch.randn(3, 4))");
add("PairwiseDistance p", 2, [-1, NaN, "2"], (v) => new nn.PairwiseDistance(v), "nn.PairwiseDistance({V})", (m) => m.forward(randn([3, 4]), randn([3, 4])), "m(torch.randn(3, 4), torch.randn(3, 4))");
// ---- losses -----------------------------------------------------------------------------------
const fLoss = (m: any) => m.forward(randn([3, 4]), randn([3, 4]));
const PLoss = "m(torch.randn(3, 4), torch.randn(3, 4))";
const fCls = (m: any) => m.forward(randn([3, 4]), tensor([0, 1, 3], { dtype: "int32" }));
const PCls = "m(torch.randn(3, 4), torch.tensor([0, 1, 3]))";
for (const c of ["MSELoss", "L1Loss", "SmoothL1Loss", "HuberLoss", "SoftMarginLoss", "MultiLabelSoftMarginLoss"])
  add(`${c} reduction`, "mean", MODE, (v) => new nn[c]({ reduction: v }), `nn.${c}(reduction={V})`, fLoss, PLoss);
add("CrossEntropyLoss reduction", "mean", MODE, (v) => new nn.CrossEntropyLoss({ reduction: v }), "nn.CrossEntropyLoss(reduction={V})", fCls, PCls);
add("CrossEntropyLoss label_smoothing", 0.1, [-0.1, 1.5, NaN, "0.1"], (v) => new nn.CrossEntropyLoss({ labelSmoothing: v }), "nn.CrossEntropyLoss(label_smoothing={V})", fCls, PCls);
add("CrossEntropyLoss weight shape", [4], [[3], [4, 1], []], (v) => new nn.CrossEntropyLoss({ weight: rand(v) }), "nn.CrossEntropyLoss(weight=torch.rand({V}))", fCls, PCls);
add("CrossEntropyLoss ignore_index", -100, [1.5, NaN, "1"], (v) => new nn.CrossEntropyLoss({ ignoreIndex: v }), "nn.CrossEntropyLoss(ignore_index={V})", fCls, PCls);
add("NLLLoss reduction", "mean", MODE, (v) => new nn.NLLLoss({ reduction: v }), "nn.NLLLoss(reduction={V})", fCls, PCls);
add("NLLLoss weight type", 0, ["w", [1, 1, 1, 1]], (v) => new nn.NLLLoss({ weight: v === 0 ? null : v }), "nn.NLLLoss(weight={V} if {V} != 0 else None)", fCls, PCls);
add("SmoothL1Loss beta", 1, [-1, NaN, "1"], (v) => new nn.SmoothL1Loss({ beta: v }), "nn.SmoothL1Loss(beta={V})", fLoss, PLoss);
add("HuberLoss delta", 1, [0, -1, NaN, "1"], (v) => new nn.HuberLoss({ delta: v }), "nn.HuberLoss(delta={V})", fLoss, PLoss);
add("KLDivLoss reduction", "batchmean", MODE, (v) => new nn.KLDivLoss({ reduction: v }), "nn.KLDivLoss(reduction={V})", fLoss, PLoss);
add("BCEWithLogitsLoss pos_weight", 0, ["w", [1, 2]], (v) => new nn.BCEWithLogitsLoss({ posWeight: v === 0 ? null : v }), "nn.BCEWithLogitsLoss(pos_weight={V} if {V} != 0 else None)", (m) => m.forward(randn([3, 4]), rand([3, 4])), "m(torch.randn(3, 4), torch.rand(3, 4))");
add("MarginRankingLoss margin", 0, NUM, (v) => new nn.MarginRankingLoss({ margin: v }), "nn.MarginRankingLoss(margin={V})", (m) => m.forward(randn([3]), randn([3]), tensor([1, -1, 1])), "m(torch.randn(3), torch.randn(3), torch.tensor([1., -1., 1.]))");
add("HingeEmbeddingLoss margin", 1, NUM, (v) => new nn.HingeEmbeddingLoss({ margin: v }), "nn.HingeEmbeddingLoss(margin={V})", (m) => m.forward(randn([3]), tensor([1, -1, 1])), "m(torch.randn(3), torch.tensor([1., -1., 1.]))");
add("CosineEmbeddingLoss margin", 0, [NaN, "0", 2], (v) => new nn.CosineEmbeddingLoss({ margin: v }), "nn.CosineEmbeddingLoss(margin={V})", (m) => m.forward(randn([3, 4]), randn([3, 4]), tensor([1, -1, 1])), "m(torch.randn(3, 4), torch.randn(3, 4), torch.tensor([1., -1., 1.]))");
add("MultiMarginLoss p", 1, [3, 0, NaN, "1"], (v) => new nn.MultiMarginLoss({ p: v }), "nn.MultiMarginLoss(p={V})", fCls, PCls);
add("MultiMarginLoss margin", 1, NUM, (v) => new nn.MultiMarginLoss({ margin: v }), "nn.MultiMarginLoss(margin={V})", fCls, PCls);
add("TripletMarginLoss margin", 1, NUM, (v) => new nn.TripletMarginLoss({ margin: v }), "nn.TripletMarginLoss(margin={V})", (m) => m.forward(randn([3, 4]), randn([3, 4]), randn([3, 4])), "m(torch.randn(3, 4), torch.randn(3, 4), torch.randn(3, 4))");
add("TripletMarginLoss p", 2, [-1, NaN, "2"], (v) => new nn.TripletMarginLoss({ p: v }), "nn.TripletMarginLoss(p={V})", (m) => m.forward(randn([3, 4]), randn([3, 4]), randn([3, 4])), "m(torch.randn(3, 4), torch.randn(3, 4), torch.randn(3, 4))");
add("TripletMarginWithDistanceLoss margin", 1, [0, -1, NaN, "1"], (v) => new nn.TripletMarginWithDistanceLoss({ margin: v }), "nn.TripletMarginWithDistanceLoss(margin={V})", (m) => m.forward(randn([3, 4]), randn([3, 4]), randn([3, 4])), "m(torch.randn(3, 4), torch.randn(3, 4), torch.randn(3, 4))");
add("PoissonNLLLoss eps", 1e-8, [-1, NaN, "1"], (v) => new nn.PoissonNLLLoss({ logInput: false, eps: v }), "nn.PoissonNLLLoss(log_input=False, eps={V})", (m) => m.forward(tensor([0, 1, 2]), tensor([1, 1, 1])), "m(torch.tensor([0., 1., 2.]), torch.tensor([1., 1., 1.]))");
add("GaussianNLLLoss eps", 1e-6, [-1, 0, NaN, "1"], (v) => new nn.GaussianNLLLoss({ eps: v }), "nn.GaussianNLLLoss(eps={V})", (m) => m.forward(randn([3]), randn([3]), tensor([0, 1, 1])), "m(torch.randn(3), torch.randn(3), torch.tensor([0., 1., 1.]))");
add("CTCLoss blank", 0, [-1, 1.5, NaN, "0", 9], (v) => new nn.CTCLoss({ blank: v }), "nn.CTCLoss(blank={V})", (m) => m.forward(randn([5, 1, 3]).logSoftmax(2), tensor([[1, 2]], { dtype: "int32" }), tensor([5], { dtype: "int32" }), tensor([2], { dtype: "int32" })), "m(torch.randn(5, 1, 3).log_softmax(2), torch.tensor([[1, 2]]), torch.tensor([5]), torch.tensor([2]))");
add("AdaptiveLogSoftmaxWithLoss cutoffs", [2, 4], [[4, 2], [2, 8], [0, 4], [2, 2], [], [2.5]], (v) => new nn.AdaptiveLogSoftmaxWithLoss(4, 8, v), "nn.AdaptiveLogSoftmaxWithLoss(4, 8, {V})");
add("AdaptiveLogSoftmaxWithLoss div_value", 4, [0, -1, NaN, "4"], (v) => new nn.AdaptiveLogSoftmaxWithLoss(4, 8, [2, 4], v), "nn.AdaptiveLogSoftmaxWithLoss(4, 8, [2, 4], {V})", (m) => m.forward(randn([3, 4]), tensor([0, 3, 7], { dtype: "int32" })).loss, "m(torch.randn(3, 4), torch.tensor([0, 3, 7])).loss");
add("AdaptiveLogSoftmaxWithLoss in_features", 4, SIZE, (v) => new nn.AdaptiveLogSoftmaxWithLoss(v, 8, [2, 4]), "nn.AdaptiveLogSoftmaxWithLoss({V}, 8, [2, 4])");
// ---- containers -------------------------------------------------------------------------------
add("Sequential items", 0, ["x", 3, null], (v) => (v === 0 ? new nn.Sequential(new nn.ReLU()) : new nn.Sequential(new nn.ReLU(), v)), "nn.Sequential(nn.ReLU(), {V}) if {V} != 0 else nn.Sequential(nn.ReLU())", fx2, PX2);
add("Sequential dict name", "a", ["a.b", ""], (v) => new nn.Sequential({ [v]: new nn.ReLU() }), "nn.Sequential(__import__('collections').OrderedDict([({V}, nn.ReLU())]))");
add("ModuleList items", 0, ["x", 3], (v) => new nn.ModuleList(v === 0 ? [new nn.ReLU()] : [new nn.ReLU(), v]), "nn.ModuleList([nn.ReLU()] + ([{V}] if {V} != 0 else []))");
add("ModuleDict values", 0, ["x", 3], (v) => new nn.ModuleDict(v === 0 ? { a: new nn.ReLU() } : { a: v }), "nn.ModuleDict({'a': {V}} if {V} != 0 else {'a': nn.ReLU()})");
add("ModuleDict key", "a", ["a.b", ""], (v) => new nn.ModuleDict({ [v]: new nn.ReLU() }), "nn.ModuleDict({{V}: nn.ReLU()})");
add("ParameterList items", 0, ["x", 3], (v) => new nn.ParameterList(v === 0 ? [randn([2])] : [v]), "nn.ParameterList([torch.randn(2)] if {V} == 0 else [{V}])");
add("ParameterDict values", 0, ["x"], (v) => new nn.ParameterDict(v === 0 ? { a: randn([2]) } : { a: v }), "nn.ParameterDict({'a': torch.randn(2)} if {V} == 0 else {'a': {V}})");
// ---- recurrent, attention, transformer (owned elsewhere; probed here) -------------------------
add("RNN hidden_size", 3, SIZE, (v) => new nn.RNN(4, v), "nn.RNN(4, {V})");
add("RNN num_layers", 1, SIZE, (v) => new nn.RNN(4, 3, v), "nn.RNN(4, 3, {V})");
add("RNN nonlinearity", "tanh", MODE, (v) => new nn.RNN(4, 3, { nonlinearity: v }), "nn.RNN(4, 3, nonlinearity={V})");
add("LSTM dropout", 0, PROB, (v) => new nn.LSTM(4, 3, { numLayers: 2, dropout: v }), "nn.LSTM(4, 3, num_layers=2, dropout={V})");
add("LSTM proj_size", 0, [-1, 3, 5, 1.5], (v) => new nn.LSTM(4, 3, { projSize: v }), "nn.LSTM(4, 3, proj_size={V})");
add("GRUCell hidden_size", 3, SIZE, (v) => new nn.GRUCell(4, v), "nn.GRUCell(4, {V})");
add("MultiheadAttention num_heads", 2, [3, 0, -1, 1.5], (v) => new nn.MultiheadAttention(4, v), "nn.MultiheadAttention(4, {V})");
add("MultiheadAttention embed_dim", 4, SIZE, (v) => new nn.MultiheadAttention(v, 2), "nn.MultiheadAttention({V}, 2)");
add("MultiheadAttention dropout", 0, PROB, (v) => new nn.MultiheadAttention(4, 2, { dropout: v }), "nn.MultiheadAttention(4, 2, dropout={V})");
add("TransformerEncoderLayer nhead", 2, [3, 0, -1], (v) => new nn.TransformerEncoderLayer(4, v, { dimFeedforward: 8 }), "nn.TransformerEncoderLayer(4, {V}, dim_feedforward=8)");
add("TransformerEncoderLayer activation", "relu", MODE, (v) => new nn.TransformerEncoderLayer(4, 2, { dimFeedforward: 8, activation: v }), "nn.TransformerEncoderLayer(4, 2, dim_feedforward=8, activation={V})", (m) => m.forward(randn([2, 3, 4])), "m(torch.randn(2, 3, 4))");
add("TransformerEncoderLayer dropout", 0.1, PROB, (v) => new nn.TransformerEncoderLayer(4, 2, { dimFeedforward: 8, dropout: v }), "nn.TransformerEncoderLayer(4, 2, dim_feedforward=8, dropout={V})");
add("TransformerEncoder num_layers", 2, SIZE, (v) => new nn.TransformerEncoder(new nn.TransformerEncoderLayer(4, 2, { dimFeedforward: 8 }), v), "nn.TransformerEncoder(nn.TransformerEncoderLayer(4, 2, dim_feedforward=8), {V})");
add("RNN input_size", 4, SIZE, (v) => new nn.RNN(v, 3), "nn.RNN({V}, 3)");
add("GRU bidirectional", false, ["yes", 1], (v) => new nn.GRU(4, 3, { bidirectional: v }), "nn.GRU(4, 3, bidirectional={V})", (m) => m.forward(randn([5, 2, 4]))[0], "m = m(torch.randn(5, 2, 4))[0]");
add("LSTM batch_first", false, ["yes"], (v) => new nn.LSTM(4, 3, { batchFirst: v }), "nn.LSTM(4, 3, batch_first={V})", (m) => m.forward(randn([5, 2, 4]))[0], "m = m(torch.randn(5, 2, 4))[0]");
add("RNNCell nonlinearity", "tanh", MODE, (v) => new nn.RNNCell(4, 3, { nonlinearity: v }), "nn.RNNCell(4, 3, nonlinearity={V})", (m) => m.forward(randn([2, 4])), "m(torch.randn(2, 4))");
add("MultiheadAttention kdim", 4, [0, -1, 1.5, NaN], (v) => new nn.MultiheadAttention(4, 2, { kdim: v, vdim: 4 }), "nn.MultiheadAttention(4, 2, kdim={V}, vdim=4)");
add("TransformerEncoderLayer layer_norm_eps", 1e-5, [-1, NaN, "1"], (v) => new nn.TransformerEncoderLayer(4, 2, { dimFeedforward: 8, layerNormEps: v }), "nn.TransformerEncoderLayer(4, 2, dim_feedforward=8, layer_norm_eps={V})", (m) => m.eval().forward(randn([2, 3, 4])), "m = m.eval()(torch.randn(2, 3, 4))");
add("TransformerEncoderLayer dim_feedforward", 8, SIZE, (v) => new nn.TransformerEncoderLayer(4, 2, { dimFeedforward: v }), "nn.TransformerEncoderLayer(4, 2, dim_feedforward={V})");
add("TransformerDecoderLayer nhead", 2, [3, 0], (v) => new nn.TransformerDecoderLayer(4, v, { dimFeedforward: 8 }), "nn.TransformerDecoderLayer(4, {V}, dim_feedforward=8)");
add("Transformer d_model/nhead", 2, [3], (v) => new nn.Transformer({ dModel: 4, nhead: v, numEncoderLayers: 1, numDecoderLayers: 1, dimFeedforward: 8 }), "nn.Transformer(d_model=4, nhead={V}, num_encoder_layers=1, num_decoder_layers=1, dim_feedforward=8)");

// ---- wrong-length tuples, empty lists, wrong types --------------------------------------------
add("ConstantPad2d padding", 1, [[1, 2, 3], [], [1.5, 1, 1, 1], -1], (v) => new nn.ConstantPad2d(v, 0), "nn.ConstantPad2d({V}, 0.0)", fx4, PX4);
add("ReplicationPad2d padding", 1, [[1, 2], [-1, 0, 0, 0], 7], (v) => new nn.ReplicationPad2d(v), "nn.ReplicationPad2d({V})", fx4, PX4);
add("ReflectionPad1d padding", 1, [[1], "1"], (v) => new nn.ReflectionPad1d(v), "nn.ReflectionPad1d({V})", fx2, PX2);
add("Conv2d kernel_size list", [3, 3], [[3], [], [3, 0], [3, 1.5]], (v) => new nn.Conv2d(4, 2, v), "nn.Conv2d(4, 2, {V})", fx4, PX4);
add("Conv2d padding list", [1, 1], [[], [1, -1], [1, 1, 1, 1]], (v) => new nn.Conv2d(4, 2, 3, 1, v), "nn.Conv2d(4, 2, 3, 1, {V})", fx4, PX4);
add("Conv2d bias", true, ["yes", 0], (v) => new nn.Conv2d(4, 2, 3, { bias: v }), "nn.Conv2d(4, 2, 3, bias={V})", fx4, PX4);
add("Linear bias", true, ["yes", 1, null], (v) => new nn.Linear(4, 3, v), "nn.Linear(4, 3, {V})", fx2, PX2);
add("MaxPool2d kernel list", [2, 2], [[], [2, 0], [2, 2, 2]], (v) => new nn.MaxPool2d(v), "nn.MaxPool2d({V})", fx4, PX4);
add("MaxPool2d return_indices", false, ["yes"], (v) => new nn.MaxPool2d(2, { returnIndices: v }), "nn.MaxPool2d(2, return_indices={V})", fx4, PX4);
add("MaxPool2d ceil_mode", false, ["yes"], (v) => new nn.MaxPool2d(2, { ceilMode: v }), "nn.MaxPool2d(2, ceil_mode={V})", fx4, PX4);
add("AvgPool2d count_include_pad", true, ["yes"], (v) => new nn.AvgPool2d(2, { countIncludePad: v }), "nn.AvgPool2d(2, count_include_pad={V})", fx4, PX4);
add("LayerNorm shape list", [6, 6], [[6, 0], [6, 1.5]], (v) => new nn.LayerNorm(v), "nn.LayerNorm({V})", fx4, PX4);
add("LayerNorm elementwise_affine", true, ["yes"], (v) => new nn.LayerNorm(6, 1e-5, v), "nn.LayerNorm(6, 1e-5, {V})", fx4, PX4);
add("BatchNorm2d affine", true, ["yes"], (v) => new nn.BatchNorm2d(4, 1e-5, 0.1, v), "nn.BatchNorm2d(4, 1e-5, 0.1, {V})", fx4, PX4);
add("BatchNorm2d track_running_stats", true, ["yes"], (v) => new nn.BatchNorm2d(4, 1e-5, 0.1, true, v), "nn.BatchNorm2d(4, 1e-5, 0.1, True, {V})", fx4, PX4);
add("GroupNorm affine", true, ["yes"], (v) => new nn.GroupNorm(2, 4, 1e-5, v), "nn.GroupNorm(2, 4, 1e-5, {V})", fx4, PX4);
add("Embedding.fromPretrained freeze", true, ["yes"], (v) => nn.Embedding.fromPretrained(randn([5, 3]), { freeze: v }), "nn.Embedding.from_pretrained(torch.randn(5, 3), freeze={V})", fEmb, PEmb);
add("EmbeddingBag include_last_offset", false, ["yes"], (v) => new nn.EmbeddingBag(5, 3, { includeLastOffset: v }), "nn.EmbeddingBag(5, 3, include_last_offset={V})", fEmb, PEmb);
add("Upsample align_corners", null, ["yes", true], (v) => new nn.Upsample({ scaleFactor: 2, mode: "nearest", alignCorners: v }), "nn.Upsample(scale_factor=2, mode='nearest', align_corners={V})", fx4, PX4);
add("Upsample size list", [4, 4], [[4, 4, 4], [], [4, 0]], (v) => new nn.Upsample({ size: v }), "nn.Upsample(size={V})", fx4, PX4);
add("Upsample scale_factor list", [2, 2], [[2, 2, 2], [], [2, 0]], (v) => new nn.Upsample({ scaleFactor: v }), "nn.Upsample(scale_factor={V})", fx4, PX4);
add("Hardtanh max_val", 1, [NaN, -2], (v) => new nn.Hardtanh(-1, v), "nn.Hardtanh(-1.0, {V})", fx2, PX2);
add("PairwiseDistance eps", 1e-6, [NaN, "1"], (v) => new nn.PairwiseDistance(2, v), "nn.PairwiseDistance(2, {V})", (m) => m.forward(randn([3, 4]), randn([3, 4])), "m(torch.randn(3, 4), torch.randn(3, 4))");
add("TripletMarginLoss eps", 1e-6, [NaN, "1"], (v) => new nn.TripletMarginLoss({ eps: v }), "nn.TripletMarginLoss(eps={V})", (m) => m.forward(randn([3, 4]), randn([3, 4]), randn([3, 4])), "m(torch.randn(3, 4), torch.randn(3, 4), torch.randn(3, 4))");
add("TripletMarginLoss swap", false, ["yes"], (v) => new nn.TripletMarginLoss({ swap: v }), "nn.TripletMarginLoss(swap={V})", (m) => m.forward(randn([3, 4]), randn([3, 4]), randn([3, 4])), "m(torch.randn(3, 4), torch.randn(3, 4), torch.randn(3, 4))");
add("CTCLoss zero_infinity", false, ["yes"], (v) => new nn.CTCLoss({ zeroInfinity: v }), "nn.CTCLoss(zero_infinity={V})");
add("PoissonNLLLoss log_input", true, ["yes"], (v) => new nn.PoissonNLLLoss({ logInput: v }), "nn.PoissonNLLLoss(log_input={V})");
add("BCELoss weight type", 0, ["w"], (v) => new nn.BCELoss({ weight: v === 0 ? null : v }), "nn.BCELoss(weight=None if {V} == 0 else {V})", (m) => m.forward(rand([3, 4]), rand([3, 4])), "m(torch.rand(3, 4), torch.rand(3, 4))");
add("MultiLabelSoftMarginLoss weight shape", [4], [[3]], (v) => new nn.MultiLabelSoftMarginLoss({ weight: rand(v) }), "nn.MultiLabelSoftMarginLoss(weight=torch.rand({V}))", (m) => m.forward(randn([3, 4]), rand([3, 4]).round()), "m(torch.randn(3, 4), torch.rand(3, 4).round())");
add("ChainDataset datasets", 0, [[3], "x"], (v) => new data.ChainDataset(v === 0 ? [] : v), "data.ChainDataset([] if {V} == 0 else {V})", (m) => [...m].length, "m = list(m)");
add("BatchSampler sampler", 0, [3, null], (v) => new data.BatchSampler(v === 0 ? new data.SequentialSampler(ds()) : v, { batchSize: 2 }), `data.BatchSampler(data.SequentialSampler(${PDS}) if {V} == 0 else {V}, 2, False)`, first, PFirst);
add("DistributedSampler shuffle", true, ["yes"], (v) => new data.DistributedSampler(ds(), { numReplicas: 2, rank: 0, shuffle: v }), `data.DistributedSampler(${PDS}, num_replicas=2, rank=0, shuffle={V})`, first, PFirst);
add("DistributedSampler seed", 0, [NaN, 1.5, "0"], (v) => new data.DistributedSampler(ds(), { numReplicas: 2, rank: 0, seed: v }), `data.DistributedSampler(${PDS}, num_replicas=2, rank=0, seed={V})`, first, PFirst);
add("compose transforms", 0, ["x", [3]], (v) => tf.compose(v === 0 ? [tf.randomInvert(1)] : v), "T.Compose([T.RandomInvert(1.0)] if {V} == 0 else {V})", fImg, PY_IMG);
add("randomApply transforms", 0, ["x", [3]], (v) => tf.randomApply(v === 0 ? [tf.randomInvert(1)] : v, 1), "T.RandomApply([T.RandomInvert(1.0)] if {V} == 0 else {V}, 1.0)", fImg, PY_IMG);
add("randomChoice transforms", 0, [[], "x"], (v) => tf.randomChoice(v === 0 ? [tf.randomInvert(1)] : v), "T.RandomChoice([T.RandomInvert(1.0)] if {V} == 0 else {V})", fImg, PY_IMG);
add("randomOrder transforms", 0, ["x", [3]], (v) => tf.randomOrder(v === 0 ? [tf.randomInvert(1)] : v), "T.RandomOrder([T.RandomInvert(1.0)] if {V} == 0 else {V})", fImg, PY_IMG);
add("lambda fn", 0, ["x", 3], (v) => tf.lambda(v === 0 ? (x: any) => x : v), "T.Lambda((lambda x: x) if {V} == 0 else {V})", fImg, PY_IMG);
add("fiveCrop size", 4, [0, -1, 9, [1, 2, 3]], (v) => tf.fiveCrop(v), "T.FiveCrop({V})", fImg, "m = m(torch.rand(3, 8, 8))");
add("tenCrop size", 4, [0, -1, 1.5], (v) => tf.tenCrop(v), "T.TenCrop({V})", fImg, "m = m(torch.rand(3, 8, 8))");
add("colorJitter saturation", 0.5, [-1, [1, 0.5], NaN], (v) => tf.colorJitter(0, 0, v), "T.ColorJitter(0, 0, {V})", fImg, PY_IMG);
add("colorJitter contrast", 0.5, [-1, "0.5"], (v) => tf.colorJitter(0, v), "T.ColorJitter(0, {V})", fImg, PY_IMG);
add("randomResizedCrop interpolation", "bilinear", MODE, (v) => tf.randomResizedCrop(4, { interpolation: v }), "T.RandomResizedCrop(4, interpolation={V})", fImg, PY_IMG);
add("randomAffine fill", 0, ["a", [1, 2]], (v) => tf.randomAffine(10, { fill: v }), "T.RandomAffine(10, fill={V})", fImg, PY_IMG);
add("randomRotation fill", 0, ["a", [1, 2]], (v) => tf.randomRotation(10, { fill: v }), "T.RandomRotation(10, fill={V})", fImg, PY_IMG);
add("randomInvert p", 0.5, PROB, (v) => tf.randomInvert(v), "T.RandomInvert({V})", fImg, PY_IMG);
add("randomAutocontrast p", 0.5, PROB, (v) => tf.randomAutocontrast(v), "T.RandomAutocontrast({V})", fImg, PY_IMG);
add("randomEqualize p", 0.5, PROB, (v) => tf.randomEqualize(v), "T.RandomEqualize({V})", (m) => m(tensor(Int32Array.from({ length: 192 }, (_, i) => i), { shape: [3, 8, 8], dtype: "int32" })), "m(torch.arange(192, dtype=torch.uint8).reshape(3, 8, 8))");
add("randomSolarize threshold", 0.5, [NaN, "0.5"], (v) => tf.randomSolarize(v, 1), "T.RandomSolarize({V}, 1.0)", fImg, PY_IMG);
add("linearTransformation non-square", 0, [1], (v) => tf.linearTransformation(randn(v === 0 ? [12, 12] : [12, 11]), randn([12])), "T.LinearTransformation(torch.randn(12, 12 if {V} == 0 else 11), torch.randn(12))", (m) => m(rand([3, 2, 2])), "m(torch.rand(3, 2, 2))");
add("linearTransformation mean length", 12, [11], (v) => tf.linearTransformation(randn([12, 12]), randn([v])), "T.LinearTransformation(torch.randn(12, 12), torch.randn({V}))", (m) => m(rand([3, 2, 2])), "m(torch.rand(3, 2, 2))");
add("Independent base", 0, [3, null], (v) => new D.Independent(v === 0 ? new D.Normal(randn([3]), 1) : v, 1), "D.Independent(D.Normal(torch.randn(3), 1.) if {V} == 0 else {V}, 1)", fS, PS);
add("MixtureSameFamily mixture", 0, [3], (v) => new D.MixtureSameFamily(v === 0 ? new D.Categorical({ probs: T.ones([3]) }) : v, new D.Normal(randn([3]), 1)), "D.MixtureSameFamily(D.Categorical(probs=torch.ones(3)) if {V} == 0 else {V}, D.Normal(torch.randn(3), 1.))", fS, PS);
add("Categorical probs all-zero row", [[1, 1], [1, 1]], [[[1, 1], [0, 0]]], (v) => new D.Categorical({ probs: ft(v), ...VA }), "D.Categorical(probs=torch.tensor({V}, dtype=torch.float), validate_args=True)", fS, PS);
add("Normal validate_args", true, ["yes", 1], (v) => new D.Normal(0, 1, { validateArgs: v }), "D.Normal(0., 1., validate_args={V})", fS, PS);

// ---- nn.init (functions, but they take hyperparameters the same way) ----------------------------
const I = nn.init;
const w34 = () => T.empty([3, 4]);
const self = (m: any) => m;
const PSelf = "m = m";
add("init.uniform_ a", 0, [NaN, 2, "0"], (v) => I.uniform_(w34(), v, 1), "nn.init.uniform_(torch.empty(3, 4), {V}, 1.0)", self, PSelf);
add("init.normal_ std", 1, [-1, NaN, "1"], (v) => I.normal_(w34(), 0, v), "nn.init.normal_(torch.empty(3, 4), 0.0, {V})", self, PSelf);
add("init.normal_ mean", 0, [NaN], (v) => I.normal_(w34(), v, 1), "nn.init.normal_(torch.empty(3, 4), {V}, 1.0)", self, PSelf);
add("init.constant_ val", 0, ["a", NaN], (v) => I.constant_(w34(), v), "nn.init.constant_(torch.empty(3, 4), {V})", self, PSelf);
add("init.xavierUniform_ gain", 1, [NaN, "1"], (v) => I.xavierUniform_(w34(), v), "nn.init.xavier_uniform_(torch.empty(3, 4), {V})", self, PSelf);
add("init.xavierNormal_ gain", 1, [NaN, -1], (v) => I.xavierNormal_(w34(), v), "nn.init.xavier_normal_(torch.empty(3, 4), {V})", self, PSelf);
add("init.kaimingUniform_ a", 0, [NaN, "0"], (v) => I.kaimingUniform_(w34(), v), "nn.init.kaiming_uniform_(torch.empty(3, 4), {V})", self, PSelf);
add("init.kaimingNormal_ mode", "fan_in", MODE, (v) => I.kaimingNormal_(w34(), 0, v), "nn.init.kaiming_normal_(torch.empty(3, 4), 0, {V})", self, PSelf);
add("init.kaimingNormal_ nonlinearity", "relu", MODE, (v) => I.kaimingNormal_(w34(), 0, "fan_in", v), "nn.init.kaiming_normal_(torch.empty(3, 4), 0, 'fan_in', {V})", self, PSelf);
add("init.truncNormal_ std", 1, [-1, 0, NaN, "1"], (v) => I.truncNormal_(w34(), 0, v), "nn.init.trunc_normal_(torch.empty(3, 4), 0.0, {V})", self, PSelf);
add("init.truncNormal_ a", -2, [NaN, 3, "-2"], (v) => I.truncNormal_(w34(), 0, 1, v, 2), "nn.init.trunc_normal_(torch.empty(3, 4), 0.0, 1.0, {V}, 2.0)", self, PSelf);
add("init.orthogonal_ gain", 1, [NaN, "1"], (v) => I.orthogonal_(w34(), v), "nn.init.orthogonal_(torch.empty(3, 4), {V})", self, PSelf);
add("init.dirac_ groups", 1, [0, -1, 3, 1.5], (v) => I.dirac_(T.empty([4, 2, 3]), v), "nn.init.dirac_(torch.empty(4, 2, 3), {V})", self, PSelf);
add("init.sparse_ sparsity", 0.5, [1.5, -0.1, NaN, "0.5"], (v) => I.sparse_(w34(), v), "nn.init.sparse_(torch.empty(3, 4), {V})", self, PSelf);
add("init.sparse_ std", 0.01, [-1, NaN], (v) => I.sparse_(w34(), 0.5, v), "nn.init.sparse_(torch.empty(3, 4), 0.5, {V})", self, PSelf);
add("init.calculateGain nonlinearity", "relu", MODE, (v) => I.calculateGain(v), "nn.init.calculate_gain({V})");
add("init.calculateGain param", 0.2, [NaN, "0.2", Infinity], (v) => I.calculateGain("leaky_relu", v), "nn.init.calculate_gain('leaky_relu', {V})");

// ---- data -------------------------------------------------------------------------------------
add("DataLoader batch_size", 2, [0, -1, 1.5, NaN, Infinity, "2"], (v) => new data.DataLoader(ds(), { batchSize: v }), `data.DataLoader(${PDS}, batch_size={V})`, first, PFirst);
add("DataLoader num_workers", 0, [-1, 1.5, "0"], (v) => new data.DataLoader(ds(), { numWorkers: v }), `data.DataLoader(${PDS}, num_workers={V})`, first, PFirst);
add("DataLoader timeout", 0, [-1, NaN, "0"], (v) => new data.DataLoader(ds(), { timeout: v }), `data.DataLoader(${PDS}, timeout={V})`, first, PFirst);
add("DataLoader shuffle", false, ["yes", 1], (v) => new data.DataLoader(ds(), { shuffle: v }), `data.DataLoader(${PDS}, shuffle={V})`, first, PFirst);
add("DataLoader drop_last", false, ["yes"], (v) => new data.DataLoader(ds(), { dropLast: v }), `data.DataLoader(${PDS}, drop_last={V})`, first, PFirst);
add("DataLoader sampler type", 0, ["x", [0, 1]], (v) => new data.DataLoader(ds(), { sampler: v === 0 ? null : v }), `data.DataLoader(${PDS}, sampler=None if {V} == 0 else {V})`, first, PFirst);
add("DataLoader collate_fn", 0, ["x", 3], (v) => new data.DataLoader(ds(), { collateFn: v === 0 ? undefined : v }), `data.DataLoader(${PDS}, collate_fn=None if {V} == 0 else {V})`, first, PFirst);
add("DataLoader dataset", 0, [3, "abc", null], (v) => new data.DataLoader(v === 0 ? ds() : v), `data.DataLoader(${PDS} if {V} == 0 else {V})`, first, PFirst);
add("TensorDataset first dims", 10, [9, 0], (v) => new data.TensorDataset(randn([10, 2]), randn([v])), "data.TensorDataset(torch.randn(10, 2), torch.randn({V}))", (m) => m.getItem(0), "m = m[0]");
add("TensorDataset empty", 0, [1], (v) => (v === 0 ? ds() : new data.TensorDataset()), `${PDS} if {V} == 0 else data.TensorDataset()`, (m) => m.length, "m = len(m)");
add("TensorDataset item type", 0, [[1, 2], "x"], (v) => new data.TensorDataset(randn([2]), ...(v === 0 ? [] : [v])), "data.TensorDataset(torch.randn(2), *([] if {V} == 0 else [{V}]))", (m) => m.getItem(0), "m = m[0]");
add("TensorDataset 0-d tensor", 0, [1], (v) => new data.TensorDataset(v === 0 ? randn([2]) : tensor(1)), "data.TensorDataset(torch.randn(2) if {V} == 0 else torch.tensor(1.))", (m) => m.length, "m = len(m)");
add("Subset indices", [0, 1], [[10], [-11], [1.5], [NaN], ["0"]], (v) => new data.Subset(ds(), v), `data.Subset(${PDS}, {V})`, (m) => m.getItem(0), "m = m[0]");
add("ConcatDataset datasets", 1, [[], [3]], (v) => new data.ConcatDataset(v === 1 ? [ds()] : v), `data.ConcatDataset([${PDS}] if {V} == 1 else {V})`, (m) => m.getItem(0), "m = m[0]");
add("randomSplit lengths", [5, 5], [[5, 4], [6, 5], [-1, 11], [0.5, 0.6], [1.5, -0.5], [2.5, 7.5], [NaN, 10], []], (v) => data.randomSplit(ds(), v), `data.random_split(${PDS}, {V})`);
add("RandomSampler num_samples", 3, [0, -1, 1.5, NaN, "3"], (v) => new data.RandomSampler(ds(), { numSamples: v }), `data.RandomSampler(${PDS}, num_samples={V})`, first, PFirst);
add("RandomSampler replacement", false, ["yes", 1], (v) => new data.RandomSampler(ds(), { replacement: v }), `data.RandomSampler(${PDS}, replacement={V})`, first, PFirst);
add("SequentialSampler source", 0, [3, null], (v) => new data.SequentialSampler(v === 0 ? ds() : v), `data.SequentialSampler(${PDS} if {V} == 0 else {V})`, first, PFirst);
add("SubsetRandomSampler indices", [0, 1], [[1.5], [NaN], ["a"], 3], (v) => new data.SubsetRandomSampler(v), "data.SubsetRandomSampler({V})", first, PFirst);
add("WeightedRandomSampler num_samples", 3, [0, -1, 1.5, NaN, "3"], (v) => new data.WeightedRandomSampler([1, 2, 3], v), "data.WeightedRandomSampler([1., 2., 3.], {V})", first, PFirst);
add("WeightedRandomSampler weights", [1, 2, 3], [[-1, 2, 3], [NaN, 1, 1], [0, 0, 0], [], [Infinity, 1, 1], ["a", 1, 1]], (v) => new data.WeightedRandomSampler(v, 3), "data.WeightedRandomSampler({V}, 3)", first, PFirst);
add("WeightedRandomSampler replacement", true, ["yes"], (v) => new data.WeightedRandomSampler([1, 2], 2, { replacement: v }), "data.WeightedRandomSampler([1., 2.], 2, replacement={V})", first, PFirst);
add("WeightedRandomSampler no-replacement too many", 2, [3], (v) => new data.WeightedRandomSampler([1, 2], v, { replacement: false }), "data.WeightedRandomSampler([1., 2.], {V}, replacement=False)", first, PFirst);
add("BatchSampler batch_size", 2, [0, -1, 1.5, NaN, "2"], (v) => new data.BatchSampler(new data.SequentialSampler(ds()), { batchSize: v }), `data.BatchSampler(data.SequentialSampler(${PDS}), {V}, False)`, first, PFirst);
add("BatchSampler drop_last", false, ["yes", 1], (v) => new data.BatchSampler(new data.SequentialSampler(ds()), { batchSize: 2, dropLast: v }), `data.BatchSampler(data.SequentialSampler(${PDS}), 2, {V})`, first, PFirst);
add("DistributedSampler num_replicas", 2, [0, -1, 1.5], (v) => new data.DistributedSampler(ds(), { numReplicas: v, rank: 0 }), `data.DistributedSampler(${PDS}, num_replicas={V}, rank=0)`, first, PFirst);
add("DistributedSampler rank", 0, [2, -1, 1.5], (v) => new data.DistributedSampler(ds(), { numReplicas: 2, rank: v }), `data.DistributedSampler(${PDS}, num_replicas=2, rank={V})`, first, PFirst);
// ---- transforms (torchvision 0.14) --------------------------------------------------------------
add("normalize mean length", [0.5, 0.5, 0.5], [[0.5, 0.5], [], [NaN, 0, 0]], (v) => tf.normalize(v, [0.2, 0.2, 0.2]), "T.Normalize({V}, [0.2, 0.2, 0.2])", fImg, PY_IMG);
add("normalize std", [0.2, 0.2, 0.2], [[0, 1, 1], [0.2, 0.2], [-1, 1, 1], [NaN, 1, 1], 0, ["a", 1, 1]], (v) => tf.normalize([0.5, 0.5, 0.5], v), "T.Normalize([0.5, 0.5, 0.5], {V})", fImg, PY_IMG);
add("resize size", 4, [...SIZE, [1, 2, 3], []], (v) => tf.resize(v), "T.Resize({V})", fImg, PY_IMG);
add("resize interpolation", "bilinear", MODE, (v) => tf.resize(4, { interpolation: v }), "T.Resize(4, interpolation={V})", fImg, PY_IMG);
add("resize max_size", 10, [3, 4, -1, 1.5], (v) => tf.resize(4, { maxSize: v }), "T.Resize(4, max_size={V})", fImg, PY_IMG);
add("randomCrop size", 4, [...SIZE, [1, 2, 3], 9], (v) => tf.randomCrop(v), "T.RandomCrop({V})", fImg, PY_IMG);
add("randomCrop padding", 1, [-1, 1.5, [1, 1, 1]], (v) => tf.randomCrop(4, { padding: v }), "T.RandomCrop(4, padding={V})", fImg, PY_IMG);
add("randomCrop padding_mode", "constant", MODE, (v) => tf.randomCrop(4, { padding: 1, paddingMode: v }), "T.RandomCrop(4, padding=1, padding_mode={V})", fImg, PY_IMG);
add("centerCrop size", 4, SIZE, (v) => tf.centerCrop(v), "T.CenterCrop({V})", fImg, PY_IMG);
add("pad padding", 1, [-1, 1.5, NaN, [1, 1, 1], "1"], (v) => tf.pad(v), "T.Pad({V})", fImg, PY_IMG);
add("pad padding_mode", "constant", MODE, (v) => tf.pad(1, { paddingMode: v }), "T.Pad(1, padding_mode={V})", fImg, PY_IMG);
add("colorJitter brightness", 0.5, [-1, [2, 1], NaN, "0.5", [1, 2, 3]], (v) => tf.colorJitter(v), "T.ColorJitter({V})", fImg, PY_IMG);
add("colorJitter hue", 0.1, [0.6, -0.1, [-0.6, 0], NaN], (v) => tf.colorJitter(0, 0, 0, v), "T.ColorJitter(0, 0, 0, {V})", fImg, PY_IMG);
add("randomRotation degrees", 10, [-1, [10, 5], NaN, "10", [1, 2, 3]], (v) => tf.randomRotation(v), "T.RandomRotation({V})", fImg, PY_IMG);
add("randomRotation center", [4, 4], [[1], [1, 2, 3]], (v) => tf.randomRotation(10, { center: v }), "T.RandomRotation(10, center={V})", fImg, PY_IMG);
add("randomHorizontalFlip p", 0.5, PROB, (v) => tf.randomHorizontalFlip(v), "T.RandomHorizontalFlip({V})", fImg, PY_IMG);
add("randomVerticalFlip p", 0.5, PROB, (v) => tf.randomVerticalFlip(v), "T.RandomVerticalFlip({V})", fImg, PY_IMG);
add("randomGrayscale p", 0.5, PROB, (v) => tf.randomGrayscale(v), "T.RandomGrayscale({V})", fImg, PY_IMG);
add("grayscale num_output_channels", 1, [2, 0, "1"], (v) => tf.grayscale(v), "T.Grayscale({V})", fImg, PY_IMG);
add("gaussianBlur kernel_size", 3, [2, 0, -1, 1.5, [3, 3, 3]], (v) => tf.gaussianBlur(v), "T.GaussianBlur({V})", fImg, PY_IMG);
add("gaussianBlur sigma", 1, [0, -1, [2, 1], NaN], (v) => tf.gaussianBlur(3, v), "T.GaussianBlur(3, {V})", fImg, PY_IMG);
add("randomResizedCrop scale", [0.5, 1], [[1, 0.5], [-1, 1], [NaN, 1]], (v) => tf.randomResizedCrop(4, { scale: v }), "T.RandomResizedCrop(4, scale={V})", fImg, PY_IMG);
add("randomResizedCrop ratio", [0.75, 1.33], [[2, 1], [0, 1], [-1, 1]], (v) => tf.randomResizedCrop(4, { ratio: v }), "T.RandomResizedCrop(4, ratio={V})", fImg, PY_IMG);
add("randomResizedCrop size", 4, SIZE, (v) => tf.randomResizedCrop(v), "T.RandomResizedCrop({V})", fImg, PY_IMG);
add("randomErasing p", 0.5, PROB, (v) => tf.randomErasing({ p: v }), "T.RandomErasing(p={V})", fImg, PY_IMG);
add("randomErasing scale", [0.02, 0.33], [[0.5, 0.1], [-1, 0.5], [0.1, 2]], (v) => tf.randomErasing({ scale: v }), "T.RandomErasing(scale={V})", fImg, PY_IMG);
add("randomErasing ratio", [0.3, 3.3], [[3, 1], [0, 1], [-1, 1]], (v) => tf.randomErasing({ ratio: v }), "T.RandomErasing(ratio={V})", fImg, PY_IMG);
add("randomErasing value", 0, ["foo", [1, 2]], (v) => tf.randomErasing({ p: 1, value: v }), "T.RandomErasing(p=1, value={V})", fImg, PY_IMG);
add("randomAffine degrees", 10, [-1, NaN, [1, 2, 3]], (v) => tf.randomAffine(v), "T.RandomAffine({V})", fImg, PY_IMG);
add("randomAffine translate", [0.1, 0.1], [[1.5, 0], [-0.1, 0], [0.1]], (v) => tf.randomAffine(0, { translate: v }), "T.RandomAffine(0, translate={V})", fImg, PY_IMG);
add("randomAffine scale", [0.9, 1.1], [[0, 1], [-1, 1], [1]], (v) => tf.randomAffine(0, { scale: v }), "T.RandomAffine(0, scale={V})", fImg, PY_IMG);
add("randomAffine shear", 10, [-1, [1, 2, 3]], (v) => tf.randomAffine(0, { shear: v }), "T.RandomAffine(0, shear={V})", fImg, PY_IMG);
add("randomPerspective distortion_scale", 0.5, [1.5, -0.5, NaN], (v) => tf.randomPerspective(v, 1), "T.RandomPerspective({V}, 1.0)", fImg, PY_IMG);
add("randomPerspective p", 0.5, PROB, (v) => tf.randomPerspective(0.5, v), "T.RandomPerspective(0.5, {V})", fImg, PY_IMG);
add("randomPosterize bits", 4, [9, -1, 1.5], (v) => tf.randomPosterize(v, 1), "T.RandomPosterize({V}, 1.0)", (m) => m(tensor(Int32Array.from({ length: 48 }, (_, i) => i * 5), { shape: [3, 4, 4], dtype: "int32" })), "m(torch.arange(48, dtype=torch.uint8).reshape(3, 4, 4) * 5)");
add("randomSolarize p", 0.5, PROB, (v) => tf.randomSolarize(0.5, v), "T.RandomSolarize(0.5, {V})", fImg, PY_IMG);
add("randomAdjustSharpness factor", 2, [-1, NaN], (v) => tf.randomAdjustSharpness(v, 1), "T.RandomAdjustSharpness({V}, 1.0)", fImg, PY_IMG);
add("randomApply p", 0.5, PROB, (v) => tf.randomApply([tf.randomInvert(1)], v), "T.RandomApply([T.RandomInvert(1.0)], {V})", fImg, PY_IMG);
add("randomChoice p", [0.5, 0.5], [[1], [-1, 2], []], (v) => tf.randomChoice([tf.randomInvert(1), tf.randomInvert(0)], v), "T.RandomChoice([T.RandomInvert(1.0), T.RandomInvert(0.0)], {V})", fImg, PY_IMG);
add("elasticTransform alpha", 50, [-1, NaN, [1, 2, 3]], (v) => tf.elasticTransform(v, 1), "T.ElasticTransform({V}, 1.0)", fImg, PY_IMG);
add("elasticTransform sigma", 1, [-1, 0, NaN], (v) => tf.elasticTransform(50, v), "T.ElasticTransform(50.0, {V})", fImg, PY_IMG);
add("randAugment num_ops", 2, [-1, 1.5], (v) => tf.randAugment({ numOps: v }), "T.RandAugment(num_ops={V})", (m) => m(tensor(Int32Array.from({ length: 192 }, (_, i) => i), { shape: [3, 8, 8], dtype: "int32" })), "m(torch.arange(192, dtype=torch.uint8).reshape(3, 8, 8))");
add("randAugment magnitude", 9, [-1, 40, NaN], (v) => tf.randAugment({ magnitude: v }), "T.RandAugment(magnitude={V})", (m) => m(tensor(Int32Array.from({ length: 192 }, (_, i) => i), { shape: [3, 8, 8], dtype: "int32" })), "m(torch.arange(192, dtype=torch.uint8).reshape(3, 8, 8))");
add("autoAugment policy", "imagenet", MODE, (v) => tf.autoAugment(v), "T.AutoAugment(getattr(T.AutoAugmentPolicy, str({V}).upper(), {V}))", (m) => m(tensor(Int32Array.from({ length: 192 }, (_, i) => i), { shape: [3, 8, 8], dtype: "int32" })), "m(torch.arange(192, dtype=torch.uint8).reshape(3, 8, 8))");
add("trivialAugmentWide num_magnitude_bins", 31, [0, 1, -1], (v) => tf.trivialAugmentWide({ numMagnitudeBins: v }), "T.TrivialAugmentWide(num_magnitude_bins={V})", (m) => m(tensor(Int32Array.from({ length: 192 }, (_, i) => i), { shape: [3, 8, 8], dtype: "int32" })), "m(torch.arange(192, dtype=torch.uint8).reshape(3, 8, 8))");
add("augMix severity", 3, [0, 11, -1], (v) => tf.augMix({ severity: v }), "T.AugMix(severity={V})", (m) => m(tensor(Int32Array.from({ length: 192 }, (_, i) => i), { shape: [3, 8, 8], dtype: "int32" })), "m(torch.arange(192, dtype=torch.uint8).reshape(3, 8, 8))");
add("augMix alpha", 1, [-1, 0, NaN], (v) => tf.augMix({ alpha: v }), "T.AugMix(alpha={V})", (m) => m(tensor(Int32Array.from({ length: 192 }, (_, i) => i), { shape: [3, 8, 8], dtype: "int32" })), "m(torch.arange(192, dtype=torch.uint8).reshape(3, 8, 8))");
add("convertImageDtype dtype", "float32", MODE, (v) => tf.convertImageDtype(v), "T.ConvertImageDtype(getattr(torch, str({V})))", fImg, PY_IMG);
add("linearTransformation shapes", 12, [11, 4], (v) => tf.linearTransformation(randn([v, v]), randn([v])), "T.LinearTransformation(torch.randn({V}, {V}), torch.randn({V}))", (m) => m(rand([3, 2, 2])), "m(torch.rand(3, 2, 2))");

// ---- distributions (validateArgs on) ------------------------------------------------------------
const POSP = [-1, 0, NaN, Infinity, "1"];
add("Normal scale", 1, POSP, (v) => new D.Normal(0, v, VA), "D.Normal(0., {V}, validate_args=True)", fS, PS);
add("Normal loc", 0, [NaN, Infinity, "0"], (v) => new D.Normal(v, 1, VA), "D.Normal({V}, 1., validate_args=True)", fS, PS);
add("Normal shapes", [3], [[2]], (v) => new D.Normal(randn([3]), rand(v), VA), "D.Normal(torch.randn(3), torch.rand({V}), validate_args=True)", fS, PS);
add("LogNormal scale", 1, POSP, (v) => new D.LogNormal(0, v, VA), "D.LogNormal(0., {V}, validate_args=True)", fS, PS);
add("Uniform high", 1, [0, -1, NaN, "1"], (v) => new D.Uniform(0, v, VA), "D.Uniform(0., {V}, validate_args=True)", fS, PS);
add("Laplace scale", 1, POSP, (v) => new D.Laplace(0, v, VA), "D.Laplace(0., {V}, validate_args=True)", fS, PS);
add("Exponential rate", 1, POSP, (v) => new D.Exponential(v, VA), "D.Exponential({V}, validate_args=True)", fS, PS);
add("Cauchy scale", 1, POSP, (v) => new D.Cauchy(0, v, VA), "D.Cauchy(0., {V}, validate_args=True)", fS, PS);
add("HalfNormal scale", 1, POSP, (v) => new D.HalfNormal(v, VA), "D.HalfNormal({V}, validate_args=True)", fS, PS);
add("HalfCauchy scale", 1, POSP, (v) => new D.HalfCauchy(v, VA), "D.HalfCauchy({V}, validate_args=True)", fS, PS);
add("Gumbel scale", 1, POSP, (v) => new D.Gumbel(0, v, VA), "D.Gumbel(0., {V}, validate_args=True)", fS, PS);
add("StudentT df", 3, POSP, (v) => new D.StudentT(v, 0, 1, VA), "D.StudentT({V}, 0., 1., validate_args=True)", fS, PS);
add("Gamma concentration", 2, POSP, (v) => new D.Gamma(v, 1, VA), "D.Gamma({V}, 1., validate_args=True)", fS, PS);
add("Gamma rate", 1, POSP, (v) => new D.Gamma(2, v, VA), "D.Gamma(2., {V}, validate_args=True)", fS, PS);
add("Chi2 df", 2, POSP, (v) => new D.Chi2(v, VA), "D.Chi2({V}, validate_args=True)", fS, PS);
add("Beta concentration1", 2, POSP, (v) => new D.Beta(v, 2, VA), "D.Beta({V}, 2., validate_args=True)", fS, PS);
add("Dirichlet concentration", [1, 2], [[-1, 1], [0, 1], [NaN, 1], [], [3]], (v) => new D.Dirichlet(ft(v), VA), "D.Dirichlet(torch.tensor({V}, dtype=torch.float), validate_args=True)", fS, PS);
add("Poisson rate", 1, [-1, NaN, Infinity, "1"], (v) => new D.Poisson(v, VA), "D.Poisson({V}, validate_args=True)", fS, PS);
add("Bernoulli probs", 0.5, PROB, (v) => new D.Bernoulli({ probs: v, ...VA }), "D.Bernoulli(probs={V}, validate_args=True)", fS, PS);
add("Bernoulli logits", 0, [NaN, "0"], (v) => new D.Bernoulli({ logits: v, ...VA }), "D.Bernoulli(logits={V}, validate_args=True)", fS, PS);
add("Geometric probs", 0.5, [0, ...PROB], (v) => new D.Geometric({ probs: v, ...VA }), "D.Geometric(probs={V}, validate_args=True)", fS, PS);
add("Binomial total_count", 5, [-1, 1.5, NaN, "5"], (v) => new D.Binomial(v, { probs: 0.5, ...VA }), "D.Binomial({V}, probs=0.5, validate_args=True)", fS, PS);
add("Binomial probs", 0.5, PROB, (v) => new D.Binomial(5, { probs: v, ...VA }), "D.Binomial(5, probs={V}, validate_args=True)", fS, PS);
add("NegativeBinomial total_count", 5, [-1, NaN, "5"], (v) => new D.NegativeBinomial(v, { probs: 0.5, ...VA }), "D.NegativeBinomial({V}, probs=0.5, validate_args=True)", fS, PS);
add("Categorical probs", [0.5, 0.5], [[-1, 2], [], [NaN, 1], [0, 0]], (v) => new D.Categorical({ probs: ft(v), ...VA }), "D.Categorical(probs=torch.tensor({V}, dtype=torch.float), validate_args=True)", fS, PS);
add("Categorical probs 0-d", 0, [1], (v) => new D.Categorical({ probs: v === 0 ? ft([1]) : ft(0.5), ...VA }), "D.Categorical(probs=torch.tensor([1.]) if {V} == 0 else torch.ft(0.5), validate_args=True)", fS, PS);
add("OneHotCategorical probs", [0.5, 0.5], [[-1, 2], [], [NaN, 1]], (v) => new D.OneHotCategorical({ probs: ft(v), ...VA }), "D.OneHotCategorical(probs=torch.tensor({V}, dtype=torch.float), validate_args=True)", fS, PS);
add("Multinomial total_count", 3, [-1, 1.5, NaN, "3"], (v) => new D.Multinomial(v, { probs: ft([0.5, 0.5]), ...VA }), "D.Multinomial({V}, probs=torch.ft([0.5, 0.5]), validate_args=True)", fS, PS);
add("MultivariateNormal covariance", [[1, 0], [0, 1]], [[[1, 2], [2, 1]], [[1, 0], [1, 1]], [[1, 0, 0], [0, 1, 0], [0, 0, 1]], [[NaN, 0], [0, 1]], [1]], (v) => new D.MultivariateNormal(ft([0, 0]), { covarianceMatrix: ft(v), ...VA }), "D.MultivariateNormal(torch.zeros(2), covariance_matrix=torch.tensor({V}, dtype=torch.float), validate_args=True)", fS, PS);
add("MultivariateNormal scale_tril", [[1, 0], [0, 1]], [[[1, 0], [0, -1]], [[1, 1], [0, 1]]], (v) => new D.MultivariateNormal(ft([0, 0]), { scaleTril: ft(v), ...VA }), "D.MultivariateNormal(torch.zeros(2), scale_tril=torch.tensor({V}, dtype=torch.float), validate_args=True)", fS, PS);
add("LowRankMultivariateNormal cov_diag", [1, 1], [[-1, 1], [0, 1], [1]], (v) => new D.LowRankMultivariateNormal(ft([0, 0]), ft([[1], [0]]), ft(v), VA), "D.LowRankMultivariateNormal(torch.zeros(2), torch.tensor([[1.], [0.]]), torch.tensor({V}, dtype=torch.float), validate_args=True)", fS, PS);
add("Independent reinterpreted_batch_ndims", 1, [2, -1, 1.5], (v) => new D.Independent(new D.Normal(randn([3]), 1), v, VA), "D.Independent(D.Normal(torch.randn(3), 1.), {V}, validate_args=True)", fS, PS);
add("VonMises concentration", 1, [-1, NaN, "1"], (v) => new D.VonMises(0, v, VA), "D.VonMises(0., {V}, validate_args=True)", fS, PS);
add("Weibull scale", 1, POSP, (v) => new D.Weibull(v, 1, VA), "D.Weibull({V}, 1., validate_args=True)", fS, PS);
add("Pareto alpha", 1, POSP, (v) => new D.Pareto(1, v, VA), "D.Pareto(1., {V}, validate_args=True)", fS, PS);
add("Kumaraswamy concentration1", 1, POSP, (v) => new D.Kumaraswamy(v, 1, VA), "D.Kumaraswamy({V}, 1., validate_args=True)", fS, PS);
add("FisherSnedecor df1", 2, POSP, (v) => new D.FisherSnedecor(v, 2, VA), "D.FisherSnedecor({V}, 2., validate_args=True)", fS, PS);
add("ContinuousBernoulli probs", 0.3, PROB, (v) => new D.ContinuousBernoulli({ probs: v, ...VA }), "D.ContinuousBernoulli(probs={V}, validate_args=True)", fS, PS);
add("RelaxedBernoulli temperature", 0.5, [-1, 0, NaN, "1"], (v) => new D.RelaxedBernoulli(v, { probs: 0.5, ...VA }), "D.RelaxedBernoulli({V}, probs=0.5, validate_args=True)", fS, PS);
add("RelaxedBernoulli probs", 0.5, PROB, (v) => new D.RelaxedBernoulli(0.5, { probs: v, ...VA }), "D.RelaxedBernoulli(0.5, probs={V}, validate_args=True)", fS, PS);
add("RelaxedOneHotCategorical temperature", 0.5, [-1, 0, NaN], (v) => new D.RelaxedOneHotCategorical(v, { probs: ft([0.5, 0.5]), ...VA }), "D.RelaxedOneHotCategorical({V}, probs=torch.ft([0.5, 0.5]), validate_args=True)", fS, PS);
add("LKJCholesky dim", 3, [1, 0, -1, 1.5, "3"], (v) => new D.LKJCholesky(v, 1, VA), "D.LKJCholesky({V}, 1., validate_args=True)", fS, PS);
add("LKJCholesky concentration", 1, POSP, (v) => new D.LKJCholesky(3, v, VA), "D.LKJCholesky(3, {V}, validate_args=True)", fS, PS);
add("Wishart df", 3, [1, 0, -1, NaN], (v) => new D.Wishart(v, { covarianceMatrix: T.eye(2), ...VA }), "D.Wishart({V}, covariance_matrix=torch.eye(2), validate_args=True)", fS, PS);
add("LogisticNormal scale", 1, POSP, (v) => new D.LogisticNormal(ft([0, 0]), v, VA), "D.LogisticNormal(torch.zeros(2), {V}, validate_args=True)", fS, PS);
add("MixtureSameFamily shapes", 3, [2], (v) => new D.MixtureSameFamily(new D.Categorical({ probs: T.ones([3]) }), new D.Normal(randn([v]), 1), VA), "D.MixtureSameFamily(D.Categorical(probs=torch.ones(3)), D.Normal(torch.randn({V}), 1.), validate_args=True)", fS, PS);
add("TransformedDistribution transforms", 0, ["x", [3]], (v) => new D.TransformedDistribution(new D.Normal(0, 1), v === 0 ? [new D.ExpTransform()] : v, VA), "D.TransformedDistribution(D.Normal(0., 1.), [D.ExpTransform()] if {V} == 0 else {V}, validate_args=True)", fS, PS);
for (const c of ["LogNormal", "Laplace", "Cauchy", "Gumbel"])
  add(`${c} loc`, 0, [NaN], (v) => new D[c](v, 1, VA), `D.${c}({V}, 1., validate_args=True)`, fS, PS);
add("StudentT loc", 0, [NaN], (v) => new D.StudentT(3, v, 1, VA), "D.StudentT(3., {V}, 1., validate_args=True)", fS, PS);
add("VonMises loc", 0, [NaN], (v) => new D.VonMises(v, 1, VA), "D.VonMises({V}, 1., validate_args=True)", fS, PS);
add("LogisticNormal loc", 0, [NaN], (v) => new D.LogisticNormal(ft([v, 0]), 1, VA), "D.LogisticNormal(torch.tensor([{V}, 0.]), 1., validate_args=True)", fS, PS);
add("MultivariateNormal loc", 0, [NaN], (v) => new D.MultivariateNormal(ft([v, 0]), { covarianceMatrix: T.eye(2), ...VA }), "D.MultivariateNormal(torch.tensor([{V}, 0.]), covariance_matrix=torch.eye(2), validate_args=True)", fS, PS);
add("LowRankMultivariateNormal loc", 0, [NaN], (v) => new D.LowRankMultivariateNormal(ft([v, 0]), ft([[1], [0]]), ft([1, 1]), VA), "D.LowRankMultivariateNormal(torch.tensor([{V}, 0.]), torch.tensor([[1.], [0.]]), torch.tensor([1., 1.]), validate_args=True)", fS, PS);
add("Categorical logits", [0, 0], [[NaN, 0]], (v) => new D.Categorical({ logits: ft(v), ...VA }), "D.Categorical(logits=torch.tensor({V}, dtype=torch.float), validate_args=True)", fS, PS);
add("Uniform low", 0, [NaN], (v) => new D.Uniform(v, 1, VA), "D.Uniform({V}, 1., validate_args=True)", fS, PS);
add("Weibull concentration", 1, [NaN, 0], (v) => new D.Weibull(1, v, VA), "D.Weibull(1., {V}, validate_args=True)", fS, PS);
add("Pareto scale", 1, [NaN, 0], (v) => new D.Pareto(v, 1, VA), "D.Pareto({V}, 1., validate_args=True)", fS, PS);
add("Binomial logits", 0, [NaN], (v) => new D.Binomial(5, { logits: v, ...VA }), "D.Binomial(5, logits={V}, validate_args=True)", fS, PS);
add("Geometric logits", 0, [NaN], (v) => new D.Geometric({ logits: v, ...VA }), "D.Geometric(logits={V}, validate_args=True)", fS, PS);
add("NegativeBinomial logits", 0, [NaN], (v) => new D.NegativeBinomial(5, { logits: v, ...VA }), "D.NegativeBinomial(5, logits={V}, validate_args=True)", fS, PS);
add("ContinuousBernoulli logits", 0, [NaN], (v) => new D.ContinuousBernoulli({ logits: v, ...VA }), "D.ContinuousBernoulli(logits={V}, validate_args=True)", fS, PS);
add("RelaxedBernoulli logits", 0, [NaN], (v) => new D.RelaxedBernoulli(0.5, { logits: v, ...VA }), "D.RelaxedBernoulli(0.5, logits={V}, validate_args=True)", fS, PS);
add("AffineTransform scale", 1, [0, NaN, "1"], (v) => new D.AffineTransform(0, v), "D.AffineTransform(0., {V})", (m) => m.forward(ft([1, 2])), "m = m(torch.tensor([1., 2.]))");
add("PowerTransform exponent", 2, [NaN, "2"], (v) => new D.PowerTransform(v), "D.PowerTransform({V})", (m) => m.forward(ft([1, 2])), "m = m(torch.tensor([1., 2.]))");

// ---- runner -----------------------------------------------------------------------------------
function describe(r: any): string {
  const ts: any[] = Array.isArray(r) ? r : [r];
  const bits: string[] = [];
  for (const t of ts) {
    if (t && typeof t.dataSync === "function") {
      const d = t.dataSync();
      let bad = false;
      for (let i = 0; i < d.length; i++) if (typeof d[i] === "number" && !Number.isFinite(d[i])) bad = true;
      bits.push(`${bad ? "NaN/inf " : ""}[${t.shape}]`);
    } else bits.push(typeof t === "object" && t !== null ? (t.constructor?.name ?? "object") : String(t));
  }
  const s = bits.join(",").slice(0, 60);
  return s.includes("NaN/inf") ? `GARBAGE ${s}` : `ok ${s}`;
}
const errName = (e: unknown) => (e instanceof TensileError ? "TensileError" : `CRASH ${(e as Error)?.name}`);
const msg = (e: unknown) => String((e as Error)?.message ?? e).split("\n")[0]!.slice(0, 140);
const fmt = (v: unknown) => (typeof v === "number" ? String(v) : JSON.stringify(v));
function pyRepr(v: unknown): string {
  if (typeof v === "number") return Number.isNaN(v) ? "float('nan')" : v === Infinity ? "float('inf')" : v === -Infinity ? "float('-inf')" : String(v);
  if (typeof v === "string") return JSON.stringify(v);
  if (typeof v === "boolean") return v ? "True" : "False";
  if (v === null || v === undefined) return "None";
  if (Array.isArray(v)) return `[${v.map(pyRepr).join(", ")}]`;
  return "None";
}

type Case = { id: number; row: Row; v: unknown; control: boolean; tensile: string; flagged: boolean };
const cases: Case[] = [];
const progress = process.env.BADCTORS_PROGRESS;
for (const row of rows) {
  if (only && !row.name.includes(only)) continue;
  for (const [k, v] of [row.ok, ...row.vals].entries()) {
    if (progress) fs.writeFileSync(progress, `${row.name} = ${fmt(v)}`);
    let out: string;
    let flagged = true;
    let m: any;
    try {
      m = row.js(v);
      out = "constructs";
    } catch (e) {
      out = `ctor ${errName(e)}: ${msg(e)}`;
      flagged = !(e instanceof TensileError);
      m = undefined;
    }
    if (m !== undefined && row.fwd) {
      try {
        out += `; fwd ${describe(row.fwd(m))}`;
      } catch (e) {
        out += `; fwd ${errName(e)}: ${msg(e)}`;
      }
    }
    if (k === 0) {
      if (!out.startsWith("constructs") || out.includes("Error") || out.includes("GARBAGE")) console.log(`HARNESS  ${row.name} = ${fmt(v)} (control): ${out}`);
      continue;
    }
    cases.push({ id: cases.length, row, v, control: false, tensile: out, flagged });
  }
}

const torchOut = new Map<number, string>();
if (withTorch) {
  const req = cases.map((c) => ({ id: c.id, ctor: c.row.py.replaceAll("{V}", pyRepr(c.v)), fwd: c.row.pyFwd ?? null }));
  const inFile = "/tmp/badctors-torch-in.json";
  fs.writeFileSync(inFile, JSON.stringify(req));
  const res = spawnSync("/usr/bin/python3", [new URL("./badctors_torch.py", import.meta.url).pathname, inFile], { encoding: "utf8", maxBuffer: 1 << 26 });
  if (res.status !== 0) console.error(res.stderr);
  for (const line of res.stdout.split("\n").filter(Boolean)) {
    const { id, out } = JSON.parse(line);
    torchOut.set(id, out);
  }
}

const torchRefuses = (t: string | undefined) => t !== undefined && /Error|Exception|NaN/.test(t);
const bugs: string[] = [];
const late: string[] = [];
const lenient: string[] = [];
for (const c of cases) {
  if (!c.flagged) continue;
  const t = torchOut.get(c.id);
  const kind = c.tensile.startsWith("ctor CRASH") ? "CRASH  " : "MISSING";
  const line = `${kind}  ${c.row.name} = ${fmt(c.v)}: ${c.tensile}${t ? `  || torch: ${t}` : ""}`;
  const garbage = /GARBAGE|CRASH/.test(c.tensile);
  if (withTorch && !torchRefuses(t) && !garbage) lenient.push(line);
  else if (kind === "MISSING" && /fwd TensileError/.test(c.tensile)) late.push(line);
  else bugs.push(line);
}
console.log(`-- not refused, or not with a TensileError (crash, garbage, or runs where torch refuses) --\n${bugs.join("\n")}`);
console.log(`\n-- refused only at the first forward call, clearly --\n${late.join("\n")}`);
if (withTorch) console.log(`\n-- both accept (torch constructs and runs too; informational) --\n${lenient.join("\n")}`);
console.log(`\n${rows.length} rows, ${cases.length} bad values: ${bugs.length} bad, ${late.length} refused late` + (withTorch ? `, ${lenient.length} accepted by both` : ""));
