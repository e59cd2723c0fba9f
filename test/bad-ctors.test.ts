// Constructors refuse bad arguments with a TensileError naming the class and the value, as found by
// tools/fuzz/badctors.mts (run it with --torch to see what PyTorch 1.13 does with each value): each
// case below is one PyTorch refuses too (at construction, or at the first forward call, where the
// value can never work whatever the input), or one whose silent acceptance gives NaN or a wrong
// result. The messages follow PyTorch's wording where it has one. The second half checks that
// edge values PyTorch accepts (Dropout(1), Linear(0, 3), eps = 0, ...) still construct and run, on
// every backend.
import { test } from "node:test";
import assert from "node:assert/strict";
import { type Tensor, TensileError, data, distributions as D, eye, nn, randn, setBackend, tensor } from "../src/index.js";
import { backendsUnderTest } from "./helpers/backends.js";

const tf = data.transforms;
const ds = () => new data.TensorDataset(randn([6, 2]), randn([6]));
const f32 = (v: number[]) => tensor(v, { dtype: "float32" });
// the tests pass values TypeScript would refuse, as JavaScript callers can
const any = <T>(v: unknown) => v as T;

/** Asserts that `fn` throws a TensileError (not a TypeError or RangeError) whose message matches `re`. */
function refuses(fn: () => unknown, re: RegExp): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof TensileError, `expected a TensileError, got ${String(e)}`);
    assert.match((e as Error).message, re);
    return true;
  });
}

test("conv and pooling layers refuse bad sizes when built", () => {
  refuses(() => new nn.ConvTranspose2d(4, 2, 3, { paddingMode: any("reflect") }), /^ConvTranspose2d: Only "zeros" padding mode is supported for ConvTranspose2d/);
  refuses(() => new nn.ConvTranspose1d(4, 2, 3, { paddingMode: any("foo") }), /^ConvTranspose1d: Only "zeros" padding mode/);
  refuses(() => new nn.Conv2d(4, 2, 3, { paddingMode: any("foo") }), /^Conv2d: padding_mode must be one of \['zeros', 'reflect', 'replicate', 'circular'\], but got padding_mode='foo'/);
  refuses(() => new nn.Conv2d(4, 2, 3, { groups: 3 }), /^Conv2d: in_channels \(4\) must be divisible by groups \(3\)/);
  refuses(() => new nn.MaxPool2d(0), /^MaxPool2d: kernel_size should be greater than zero, but got kernel_size=0/);
  refuses(() => new nn.MaxPool2d(-1), /^MaxPool2d: kernel_size should be greater than zero, but got kernel_size=-1/);
  refuses(() => new nn.MaxPool2d(2, 1.5), /^MaxPool2d: stride must be an int or a tuple of 2 ints, but got stride=1.5/);
  refuses(() => new nn.MaxPool2d(2, 2, 2), /^MaxPool2d: pad should be at most half of kernel size, but got pad=\[2,2\] and kernel_size=\[2,2\]/);
  refuses(() => new nn.MaxPool2d(2, 2, -1), /^MaxPool2d: padding must be non-negative, but got padding=-1/);
  refuses(() => new nn.MaxPool2d(2, { dilation: 0 }), /^MaxPool2d: dilation should be greater than zero/);
  refuses(() => new nn.MaxPool2d(any([2, 2, 2])), /^MaxPool2d: kernel_size must be an int or a tuple of 2 ints, but got kernel_size=\[2,2,2\]/);
  refuses(() => new nn.MaxPool1d(NaN), /^MaxPool1d: kernel_size must be an int or a tuple of one int, but got kernel_size=NaN/);
  refuses(() => new nn.MaxPool3d(any("3")), /^MaxPool3d: kernel_size must be an int or a tuple of 3 ints, but got kernel_size="3"/);
  refuses(() => new nn.AvgPool2d(Infinity), /^AvgPool2d: kernel_size must be an int/);
  refuses(() => new nn.AvgPool2d(2, { divisorOverride: 0 }), /^AvgPool2d: divisor must be not zero/);
  refuses(() => new nn.AvgPool2d(2, { divisorOverride: 1.5 }), /^AvgPool2d: divisor_override must be an int, but got divisor_override=1.5/);
  refuses(() => new nn.AvgPool1d(0), /^AvgPool1d: kernel_size should be greater than zero/);
  refuses(() => new nn.AvgPool3d(2, 0), /^AvgPool3d: stride should be greater than zero/);
  refuses(() => new nn.AdaptiveAvgPool2d(-1), /^AdaptiveAvgPool2d: output_size must be a non-negative int or a tuple of 2 such ints/);
  refuses(() => new nn.AdaptiveAvgPool1d(1.5), /^AdaptiveAvgPool1d: output_size must be a non-negative int/);
  refuses(() => new nn.AdaptiveMaxPool1d(any("3")), /^AdaptiveMaxPool1d: output_size/);
  refuses(() => new nn.AdaptiveMaxPool2d([2, 2, 2]), /^AdaptiveMaxPool2d: output_size must be a non-negative int or a tuple of 2 such ints/);
  refuses(() => new nn.AdaptiveMaxPool3d(NaN), /^AdaptiveMaxPool3d: output_size/);
  refuses(() => new nn.AdaptiveAvgPool3d(-1), /^AdaptiveAvgPool3d: output_size/);
  refuses(() => new nn.LPPool2d(0, 2), /^LPPool2d: norm_type must be a non-zero number/);
  refuses(() => new nn.LPPool2d(NaN, 2), /^LPPool2d: norm_type must be a number, but got norm_type=NaN/);
  refuses(() => new nn.LPPool1d(2, 0), /^LPPool1d: kernel_size should be greater than zero/);
  refuses(() => new nn.MaxUnpool2d(0), /^MaxUnpool2d: kernel_size should be greater than zero/);
  refuses(() => new nn.MaxUnpool1d(2, -1), /^MaxUnpool1d: stride should be greater than zero/);
  refuses(() => new nn.FractionalMaxPool2d(0, { outputSize: 2 }), /^FractionalMaxPool2d: kernel_size should be greater than zero/);
  refuses(() => new nn.FractionalMaxPool2d(2, { outputSize: -1 }), /^FractionalMaxPool2d: output_size must be non-negative/);
  refuses(() => new nn.Fold(0, 2), /^Fold: output_size should be greater than zero, but got output_size=0/);
  refuses(() => new nn.Fold(4, any([2, 2, 2])), /^Fold: kernel_size must be an int or a tuple of 2 ints/);
  refuses(() => new nn.Unfold(2, { stride: 0 }), /^Unfold: stride should be greater than zero/);
  refuses(() => new nn.Unfold(1.5), /^Unfold: kernel_size must be an int/);
  refuses(() => new nn.MaxPool2d(2, { ceilMode: any("yes") }), /^MaxPool2d: ceil_mode should be a boolean value, but got ceil_mode="yes"/);
  refuses(() => new nn.AvgPool2d(2, { countIncludePad: any("yes") }), /^AvgPool2d: count_include_pad should be a boolean value/);
  refuses(() => new nn.AvgPool1d(2, { ceilMode: any(1) }), /^AvgPool1d: ceil_mode should be a boolean value, but got ceil_mode=1/);
});

test("shuffle, flatten and upsampling layers refuse bad arguments when built", () => {
  refuses(() => new nn.PixelShuffle(0), /^PixelShuffle: upscale_factor should be a positive integer value, but got upscale_factor=0/);
  refuses(() => new nn.PixelUnshuffle(1.5), /^PixelUnshuffle: downscale_factor must be an int, but got downscale_factor=1.5/);
  refuses(() => new nn.ChannelShuffle(-1), /^ChannelShuffle: groups should be a positive integer value, but got groups=-1/);
  refuses(() => new nn.Flatten(1.5), /^Flatten: start_dim must be an int, but got start_dim=1.5/);
  refuses(() => new nn.Flatten(1, any("1")), /^Flatten: end_dim must be an int/);
  refuses(() => new nn.Unflatten(1, [-1, -1]), /^Unflatten: only one dimension can be inferred/);
  refuses(() => new nn.Unflatten(1, []), /^Unflatten: unflattened_size must be non-empty/);
  refuses(() => new nn.Unflatten(1, [2, 1.5]), /^Unflatten: unflattened_size must be a tuple of ints ≥ -1, but found 1.5 at pos 1/);
  refuses(() => new nn.Unflatten(1.5, [2, 2]), /^Unflatten: dim must be an int/);
  refuses(() => new nn.Upsample({ scaleFactor: 0 }), /^Upsample: scale_factor must be a positive finite number or a list of them, but got scale_factor=0/);
  refuses(() => new nn.Upsample({ scaleFactor: NaN }), /^Upsample: scale_factor must be a positive finite number/);
  refuses(() => new nn.Upsample({ size: -1 }), /^Upsample: size should be greater than zero, but got size=-1/);
  refuses(() => new nn.Upsample({ size: 1.5 }), /^Upsample: size must be an int/);
  refuses(() => new nn.Upsample({ scaleFactor: 2, mode: any("foo") }), /^Upsample: mode must be one of \['nearest', 'linear', 'bilinear', 'bicubic', 'trilinear', 'area', 'nearest-exact'\], but got mode='foo'/);
  refuses(() => new nn.Upsample({}), /^Upsample: either size or scale_factor should be defined/);
  refuses(() => new nn.Upsample({ size: 4, scaleFactor: 2 }), /^Upsample: only one of size or scale_factor should be defined/);
  refuses(() => new nn.UpsamplingNearest2d(null, -1), /^UpsamplingNearest2d: scale_factor must be a positive finite number/);
  refuses(() => new nn.Upsample({ scaleFactor: 2, mode: "nearest", alignCorners: true }), /^Upsample: align_corners option can only be set with the interpolating modes: linear \| bilinear \| bicubic \| trilinear, but got mode='nearest'/);
  refuses(() => new nn.Upsample({ scaleFactor: 2, mode: "bilinear", alignCorners: any("yes") }), /^Upsample: align_corners should be a boolean value/);
});

test("norm layers refuse a NaN or negative eps and a NaN momentum (every output would be NaN)", () => {
  refuses(() => new nn.BatchNorm2d(4, NaN), /^BatchNorm2d: eps must be a number, but got eps=NaN/);
  refuses(() => new nn.BatchNorm2d(4, -1), /^BatchNorm2d: eps must be non-negative, but got eps=-1/);
  refuses(() => new nn.BatchNorm1d(4, any("1")), /^BatchNorm1d: eps must be a number, but got eps="1"/);
  refuses(() => new nn.BatchNorm2d(4, 1e-5, NaN), /^BatchNorm2d: momentum must be a number, but got momentum=NaN/);
  refuses(() => new nn.BatchNorm2d(4, 1e-5, any("0.1")), /^BatchNorm2d: momentum must be a number/);
  refuses(() => new nn.LazyBatchNorm2d(-1), /^LazyBatchNorm2d: eps must be non-negative/);
  refuses(() => new nn.SyncBatchNorm(4, Infinity), /^SyncBatchNorm: eps must be finite/);
  refuses(() => new nn.InstanceNorm2d(4, NaN), /^InstanceNorm2d: eps must be a number/);
  refuses(() => new nn.InstanceNorm1d(4, 1e-5, NaN), /^InstanceNorm1d: momentum must be a number/);
  refuses(() => new nn.LayerNorm(6, NaN), /^LayerNorm: eps must be a number/);
  refuses(() => new nn.LayerNorm([]), /^LayerNorm: Expected normalized_shape to be at least 1-dimensional/);
  refuses(() => new nn.GroupNorm(2, 4, -1), /^GroupNorm: eps must be non-negative/);
  refuses(() => new nn.LocalResponseNorm(0), /^LocalResponseNorm: size should be a positive integer value, but got size=0/);
  refuses(() => new nn.LocalResponseNorm(2, NaN), /^LocalResponseNorm: alpha must be a number/);
});

test("activation, distance and embedding layers refuse bad numbers when built", () => {
  refuses(() => new nn.LeakyReLU(NaN), /^LeakyReLU: negativeSlope must be a number, got NaN/);
  refuses(() => new nn.ELU(NaN), /^ELU: alpha must be a number/);
  refuses(() => new nn.CELU(0), /^CELU: ZeroDivisionError: alpha cannot be 0 for CELU/);
  refuses(() => new nn.GELU(any("foo")), /^GELU: approximate must be one of \['none', 'tanh'\], but got approximate='foo'/);
  refuses(() => new nn.Softplus(0), /^Softplus: beta must be non-zero/);
  refuses(() => new nn.Softplus(1, NaN), /^Softplus: threshold must be a number/);
  refuses(() => new nn.PReLU(1, NaN), /^PReLU: init must be a number/);
  refuses(() => new nn.Threshold(0.1, NaN), /^Threshold: value must be a number/);
  refuses(() => new nn.Hardshrink(NaN), /^Hardshrink: lambd must be a number/);
  refuses(() => new nn.RReLU(0.5, 1 / 3), /^RReLU: Lower bound should be less than or equal to the upper bound \(lower 0.5, upper 0.333/);
  refuses(() => new nn.Softshrink(-1), /^Softshrink: lambda must be greater or equal to 0, but found to be -1/);
  refuses(() => new nn.Softmax(1.5), /^Softmax: dim must be an int, but got dim=1.5/);
  refuses(() => new nn.LogSoftmax(any("1")), /^LogSoftmax: dim must be an int, but got dim="1"/);
  refuses(() => new nn.Softmin(NaN), /^Softmin: dim must be an int/);
  refuses(() => new nn.GLU(1.5), /^GLU: dim must be an int/);
  refuses(() => new nn.CosineSimilarity(1, NaN), /^CosineSimilarity: eps must be a number, but got eps=NaN/);
  refuses(() => new nn.CosineSimilarity(1.5), /^CosineSimilarity: dim must be an int/);
  refuses(() => new nn.PairwiseDistance(NaN), /^PairwiseDistance: p must be a number/);
  refuses(() => new nn.PairwiseDistance(2, 1e-6, any("no")), /^PairwiseDistance: keepdim should be a boolean value, but got keepdim="no"/);
  refuses(() => new nn.Embedding(5, 3, { maxNorm: any("1") }), /^Embedding: max_norm must be a number or null, but got max_norm="1"/);
  refuses(() => new nn.EmbeddingBag(5, 3, { normType: NaN }), /^EmbeddingBag: norm_type must be a number/);
  refuses(() => new nn.EmbeddingBag(5, 3, { includeLastOffset: any("yes") }), /^EmbeddingBag: include_last_offset should be a boolean value, but got include_last_offset="yes"/);
});

test("losses refuse bad options when built (PyTorch refuses them at the first call)", () => {
  refuses(() => new nn.SmoothL1Loss({ beta: -1 }), /^SmoothL1Loss: smooth_l1_loss does not support negative values for beta, but got beta=-1/);
  refuses(() => new nn.SmoothL1Loss({ beta: NaN }), /^SmoothL1Loss: smooth_l1_loss does not support negative values for beta/);
  refuses(() => new nn.HuberLoss({ delta: 0 }), /^HuberLoss: huber_loss does not support non-positive values for delta, but got delta=0/);
  refuses(() => new nn.HuberLoss({ delta: any("1") }), /^HuberLoss: huber_loss does not support non-positive values for delta, but got delta="1"/);
  refuses(() => new nn.CrossEntropyLoss({ labelSmoothing: 1.5 }), /^CrossEntropyLoss: label_smoothing must be between 0.0 and 1.0. Got: 1.5/);
  refuses(() => new nn.CrossEntropyLoss({ labelSmoothing: any("0.1") }), /^CrossEntropyLoss: label_smoothing must be between 0.0 and 1.0/);
  refuses(() => new nn.CrossEntropyLoss({ ignoreIndex: 1.5 }), /^CrossEntropyLoss: ignore_index must be an int, but got ignore_index=1.5/);
  refuses(() => new nn.NLLLoss({ ignoreIndex: NaN }), /^NLLLoss: ignore_index must be an int/);
  refuses(() => new nn.CrossEntropyLoss({ weight: randn([4, 1]) }), /^CrossEntropyLoss: weight tensor should be 1-D \(one weight per class\), but got weight tensor of shape: \[4, 1\]/);
  refuses(() => new nn.NLLLoss2d({ weight: randn([]) }), /^NLLLoss2d: weight tensor should be 1-D/);
  refuses(() => new nn.MarginRankingLoss({ margin: NaN }), /^MarginRankingLoss: margin must be a number/);
  refuses(() => new nn.CosineEmbeddingLoss({ margin: any("0") }), /^CosineEmbeddingLoss: margin must be a number/);
  refuses(() => new nn.HingeEmbeddingLoss({ margin: NaN }), /^HingeEmbeddingLoss: margin must be a number/);
  refuses(() => new nn.TripletMarginLoss({ margin: NaN }), /^TripletMarginLoss: margin must be a number/);
  refuses(() => new nn.TripletMarginLoss({ p: NaN }), /^TripletMarginLoss: p must be a number/);
  refuses(() => new nn.TripletMarginWithDistanceLoss({ margin: NaN }), /^TripletMarginWithDistanceLoss: margin must be a number/);
  refuses(() => new nn.MultiMarginLoss({ margin: NaN }), /^MultiMarginLoss: margin must be a number/);
  refuses(() => new nn.PoissonNLLLoss({ eps: -1 }), /^PoissonNLLLoss: eps must be non-negative, but got eps=-1/);
  refuses(() => new nn.GaussianNLLLoss({ eps: -1 }), /^GaussianNLLLoss: eps must be non-negative/);
  refuses(() => new nn.GaussianNLLLoss({ eps: NaN }), /^GaussianNLLLoss: eps must be a number/);
  refuses(() => new nn.KLDivLoss({ logTarget: any("yes") }), /^KLDivLoss: logTarget must be a boolean/);
});

test("DataLoader, samplers and datasets refuse what is not a dataset, sampler or boolean", () => {
  refuses(() => new data.DataLoader(any<number[]>(3)), /^DataLoader: dataset must be a Dataset \(getItem and length\), an array or an iterable, got 3/);
  refuses(() => new data.DataLoader(any<number[]>(null)), /^DataLoader: dataset must be a Dataset/);
  refuses(() => new data.DataLoader(any<number[]>("abc")), /^DataLoader: dataset must be a Dataset/);
  refuses(() => new data.DataLoader(ds(), { sampler: any("x") }), /^DataLoader: sampler must be an iterable of indices \(a Sampler\), got "x"/);
  refuses(() => new data.DataLoader(ds(), { sampler: any(3) }), /^DataLoader: sampler must be an iterable/);
  refuses(() => new data.DataLoader(ds(), { batchSampler: any(3) }), /^DataLoader: batchSampler must be an iterable of index lists/);
  refuses(() => new data.DataLoader(ds(), { batchSize: 0 }), /^DataLoader: batchSize should be a positive integer or null, got 0/);
  refuses(() => new data.ConcatDataset([ds(), any<ReturnType<typeof ds>>(3)]), /^ConcatDataset: datasets\[1\] is not a map-style dataset \(getItem and length\), got 3/);
  refuses(() => new data.RandomSampler(ds(), { replacement: any("yes") }), /^RandomSampler: replacement should be a boolean value, but got replacement="yes"/);
  refuses(() => new data.RandomSampler(ds(), { replacement: any(1) }), /^RandomSampler: replacement should be a boolean value, but got replacement=1/);
  refuses(() => new data.WeightedRandomSampler([1, 2], 2, { replacement: any("yes") }), /^WeightedRandomSampler: replacement should be a boolean value/);
  refuses(() => new data.SequentialSampler(any(3)), /^SequentialSampler: dataSource must be a dataset or array with a length, got 3/);
  refuses(() => new data.SequentialSampler(any(null)), /^SequentialSampler: dataSource must be a dataset/);
  refuses(() => new data.RandomSampler(any({})), /^RandomSampler: dataSource must be a dataset/);
  refuses(() => new data.SubsetRandomSampler(any(3)), /^SubsetRandomSampler: indices must be an array of indices, got 3/);
  refuses(() => new data.BatchSampler(any(3), { batchSize: 2 }), /^BatchSampler: sampler must be an iterable of indices \(a Sampler\), got 3/);
  refuses(() => new data.DistributedSampler(ds(), { numReplicas: 2, rank: 0, seed: 1.5 }), /^DistributedSampler: seed should be an integer/);
});

test("transforms refuse NaN statistics, reversed ranges and non-number probabilities", () => {
  refuses(() => tf.normalize([NaN, 0, 0], [1, 1, 1]), /^normalize: mean must be finite numbers, got NaN at channel 0/);
  refuses(() => tf.normalize([0, 0, 0], [1, NaN, 1]), /^normalize: std must be finite numbers, got NaN at channel 1/);
  refuses(() => tf.normalize([0, 0, 0], any(["a", 1, 1])), /^normalize: std must be finite numbers, got "a" at channel 0/);
  refuses(() => tf.normalize([0.5, 0.5], [0.2, 0.2, 0.2]), /^normalize: mean and std must have the same number of channels, got 2 and 3/);
  refuses(() => tf.normalize([0.5, 0.5, 0.5], [0, 1, 1]), /^normalize: std evaluated to zero at channel 0, leading to division by zero/);
  refuses(() => tf.randomRotation([10, 5]), /^randomRotation: degrees should be \[min, max\] with min <= max, got \[10,5\]/);
  refuses(() => tf.randomHorizontalFlip(any("0.5")), /^randomHorizontalFlip: probability p should be in \[0, 1\], got 0.5/);
  refuses(() => tf.randomVerticalFlip(any("0.5")), /^randomVerticalFlip: probability p should be in \[0, 1\]/);
  refuses(() => tf.randomErasing({ ratio: [-1, 1] }), /^randomErasing: ratio values should be positive, got \[-1,1\]/);
  refuses(() => tf.randomErasing({ scale: [0.5, 0.1] }), /^randomErasing: scale and ratio should be of kind \(min, max\)/);
  refuses(() => tf.randomErasing({ ratio: [3, 1] }), /^randomErasing: scale and ratio should be of kind \(min, max\)/);
  refuses(() => tf.compose(any("x")), /^compose: transforms must be an array of transforms, got "x"/);
  refuses(() => tf.randomAffine(10, { fill: any("a") }), /^randomAffine: fill should be a number or a list of numbers, got "a"/);
  refuses(() => tf.randomRotation(10, { fill: any(["a"]) }), /^randomRotation: fill should be a number or a list of numbers/);
});

test("distributions (validateArgs) refuse a NaN loc or df; transforms a NaN parameter", () => {
  const va = { validateArgs: true };
  refuses(() => new D.Normal(NaN, 1, va), /^Normal: expected parameter loc to be real \(Real\(\): not NaN\), but found NaN/);
  refuses(() => new D.LogNormal(NaN, 1, va), /^Normal: expected parameter loc to be real/); // as torch: LogNormal's base Normal checks it
  refuses(() => new D.Laplace(NaN, 1, va), /^Laplace: expected parameter loc to be real/);
  refuses(() => new D.Cauchy(NaN, 1, va), /^Cauchy: expected parameter loc to be real/);
  refuses(() => new D.Gumbel(NaN, 1, va), /^Gumbel: expected parameter loc to be real/);
  refuses(() => new D.StudentT(3, NaN, 1, va), /^StudentT: expected parameter loc to be real/);
  refuses(() => new D.VonMises(NaN, 1, va), /^VonMises: expected parameter loc to be real/);
  refuses(() => new D.Normal(f32([0, NaN]), 1, va), /^Normal: expected parameter loc to be real \(Real\(\): not NaN\), but found NaN at flat index 1 of shape \[2\]/);
  refuses(() => new D.MultivariateNormal(f32([NaN, 0]), { covarianceMatrix: eye(2), ...va }), /^MultivariateNormal: expected parameter loc to be real/);
  refuses(() => new D.LogisticNormal(f32([NaN, 0]), 1, va), /^Normal: expected parameter loc to be real/);
  refuses(() => new D.Wishart(NaN, { covarianceMatrix: eye(2), ...va }), /^Wishart: expected df to be greater than ndim - 1 = 1, got NaN/);
  refuses(() => new D.AffineTransform(0, NaN), /^AffineTransform: scale must be a Tensor or a number, got NaN/);
  refuses(() => new D.PowerTransform(NaN), /^PowerTransform: exponent must be a Tensor or a number, got NaN/);
  // validateArgs off: no check, as PyTorch
  assert.ok(Number.isNaN(new D.Normal(NaN, 1, { validateArgs: false }).mean.item()));
});

test("nn.init refuses NaN, string and out-of-range hyperparameters (the tensor would be NaN)", () => {
  const w = () => randn([3, 4]);
  refuses(() => nn.init.uniform_(w(), NaN, 1), /^uniform_: a must be a number, got NaN/);
  refuses(() => nn.init.uniform_(w(), any("0"), 1), /^uniform_: a must be a number, got "0"/);
  refuses(() => nn.init.uniform_(w(), 2, 1), /^uniform_: expects to return a \[from, to\) range, but found from=2 > to=1/);
  refuses(() => nn.init.normal_(w(), 0, NaN), /^normal_: std must be a number, got NaN/);
  refuses(() => nn.init.normal_(w(), 0, -1), /^normal_: normal expects std >= 0.0, but found std -1/);
  refuses(() => nn.init.normal_(w(), NaN, 1), /^normal_: mean must be a number/);
  refuses(() => nn.init.constant_(w(), any("a")), /^constant_: val must be a number, got "a"/);
  refuses(() => nn.init.xavierUniform_(w(), NaN), /^xavierUniform_: gain must be a number/);
  refuses(() => nn.init.xavierUniform_(w(), -1), /^uniform_: expects to return a \[from, to\) range/); // as torch
  refuses(() => nn.init.xavierNormal_(w(), NaN), /^xavierNormal_: gain must be a number/);
  refuses(() => nn.init.truncNormal_(w(), 0, 0), /^truncNormal_: std must be positive, got 0/);
  refuses(() => nn.init.truncNormal_(w(), 0, -1), /^truncNormal_: std must be positive, got -1/);
  refuses(() => nn.init.truncNormal_(w(), 0, 1, any("-2"), 2), /^truncNormal_: a must be a number, got "-2"/);
  refuses(() => nn.init.orthogonal_(w(), NaN), /^orthogonal_: gain must be a number/);
  refuses(() => nn.init.uniform_(w(), -Infinity, Infinity), /^uniform_: the bounds must be finite, got from=-Infinity, to=Infinity/);
  // Bilinear's initial bound 1/√in1_features: PyTorch raises ZeroDivisionError; U(±∞) would make the bias NaN
  refuses(() => new nn.Bilinear(0, 4, 3), /^Bilinear: in1_features must be positive/);
  refuses(() => nn.init.sparse_(w(), 0.5, NaN), /^sparse_: std must be a number/);
  refuses(() => nn.init.sparse_(w(), 0.5, -1), /^sparse_: std must be non-negative, got -1/);
  // still allowed, as in PyTorch: an empty range, std 0, filling with NaN on purpose
  assert.ok((nn.init.uniform_(w(), 1, 1).toArray() as number[][]).flat().every((v) => v === 1));
  assert.ok((nn.init.normal_(w(), 2, 0).toArray() as number[][]).flat().every((v) => v === 2));
  assert.ok((nn.init.constant_(w(), NaN).toArray() as number[][]).flat().every((v) => Number.isNaN(v)));
});

for (const backend of backendsUnderTest()) {
  test(`edge values PyTorch accepts still construct and run (${backend.name})`, () => {
    setBackend(backend);
    const x4 = randn([2, 4, 6, 6]);
    // Dropout(0) is the identity, Dropout(1) zeroes everything (PyTorch allows both)
    const x = randn([3, 4]);
    assert.deepEqual(new nn.Dropout(0).forward(x).toArray(), x.toArray());
    assert.ok((new nn.Dropout(1).forward(x).toArray() as number[][]).flat().every((v) => v === 0));
    // Linear(0, 3): an empty input feature dim gives the bias (PyTorch: in_features = 0 is allowed)
    const lin = new nn.Linear(0, 3);
    assert.deepEqual(lin.forward(randn([2, 0])).shape, [2, 3]);
    assert.deepEqual(new nn.Linear(3, 0).forward(randn([2, 3])).shape, [2, 0]);
    assert.deepEqual(new nn.Embedding(5, 0).forward(tensor([1, 2], { dtype: "int32" })).shape, [2, 0]);
    assert.deepEqual((new nn.MaxPool2d(3, { padding: 1 }).forward(x4) as Tensor).shape, [2, 4, 2, 2]); // pad 1 ≤ 3 / 2
    assert.deepEqual((new nn.MaxPool2d(2, { stride: null }).forward(x4) as Tensor).shape, [2, 4, 3, 3]);
    assert.deepEqual(new nn.AvgPool2d(2, { divisorOverride: -1 }).forward(x4).shape, [2, 4, 3, 3]); // torch takes a negative divisor
    assert.deepEqual(new nn.AdaptiveAvgPool2d([null, 2]).forward(x4).shape, [2, 4, 6, 2]);
    assert.deepEqual(new nn.Upsample({ scaleFactor: 1.5 }).forward(x4).shape, [2, 4, 9, 9]);
    assert.deepEqual(new nn.Unflatten(1, [-1, 2]).forward(x).shape, [3, 2, 2]);
    assert.deepEqual(new nn.PixelShuffle(1).forward(x4).shape, [2, 4, 6, 6]);
    assert.deepEqual(new nn.Fold(3, 1).forward(randn([1, 4, 9])).shape, [1, 4, 3, 3]);
    // eps = 0 is allowed (a constant channel then divides by 0, as in PyTorch); momentum null = cumulative average
    assert.deepEqual(new nn.BatchNorm2d(4, 0).forward(x4).shape, [2, 4, 6, 6]);
    assert.equal(new nn.BatchNorm2d(4, 1e-5, null).momentum, null);
    assert.deepEqual(new nn.LayerNorm(6, 0).forward(x4).shape, [2, 4, 6, 6]);
    assert.deepEqual(new nn.GroupNorm(2, 4, { eps: 0 }).forward(x4).shape, [2, 4, 6, 6]);
    assert.deepEqual(new nn.Softplus(-1).forward(x).shape, [3, 4]); // negative beta: PyTorch allows it
    assert.deepEqual(new nn.Hardshrink(-1).forward(x).shape, [3, 4]);
    assert.deepEqual(new nn.Softmax(-1).forward(x).shape, [3, 4]);
    const ce = new nn.CrossEntropyLoss({ labelSmoothing: 1 });
    assert.ok(Number.isFinite(ce.forward(x, tensor([0, 1, 3], { dtype: "int32" })).item()));
    assert.ok(Number.isFinite(new nn.SmoothL1Loss({ beta: 0 }).forward(x, randn([3, 4])).item()));
    assert.ok(Number.isFinite(new nn.PoissonNLLLoss({ eps: 0 }).forward(x, randn([3, 4]).abs()).item()));
    assert.ok(Number.isFinite(new nn.GaussianNLLLoss({ eps: 0 }).forward(x, randn([3, 4]), randn([3, 4]).abs().add(0.1)).item()));
    assert.deepEqual(new nn.ConvTranspose2d(4, 2, 3, { paddingMode: "zeros" }).forward(x4).shape, [2, 2, 8, 8]);
    // data: an array is a dataset; replacement false; a one-value mean applies to every channel
    assert.equal([...new data.DataLoader([1, 2, 3], { batchSize: 2 })].length, 2);
    assert.equal([...new data.WeightedRandomSampler([1, 2], 2, { replacement: false })].length, 2);
    assert.deepEqual(tf.normalize([0.5], [0.2, 0.2, 0.2])(randn([3, 4, 4])).shape, [3, 4, 4]);
    assert.deepEqual((tf.randomRotation([5, 5])(randn([3, 4, 4])) as Tensor).shape, [3, 4, 4]);
    assert.deepEqual(tf.randomErasing({ ratio: [0.5, 0.5], p: 1 })(randn([3, 8, 8])).shape, [3, 8, 8]);
    // distributions: Infinity is real (Real() only refuses NaN)
    assert.equal(new D.Normal(Infinity, 1, { validateArgs: true }).mean.item(), Infinity);
  });
}
