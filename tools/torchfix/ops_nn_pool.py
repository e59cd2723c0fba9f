"""F. max unpooling (its indices from torch's own max pooling), adaptive 3-D max pooling, max_pool3d's
return_indices, conv_transpose3d, fractional max pooling (with torch's _random_samples)."""
import torch
import torch.nn.functional as F

from .spec import Cases, T, distinct, f64, kw, long, op, rn


def unpool_adapter(fn):
    def call(x, indices, kernel_size, opts=None):
        return fn(x, long(indices), kernel_size, **kw(opts))
    return call


op("F.maxUnpool1d")(unpool_adapter(F.max_unpool1d))
op("F.maxUnpool2d")(unpool_adapter(F.max_unpool2d))
op("F.maxUnpool3d")(unpool_adapter(F.max_unpool3d))
op("F.convTranspose3d")(lambda x, w, b=None, opts=None: F.conv_transpose3d(x, w, b, **kw(opts)))


def fractional_adapter(fn):
    def call(x, k, opts=None):
        o = dict(opts or {})
        samples = o.pop("randomSamples", None)
        out = fn(x, k, _random_samples=samples, **kw(o))
        return list(out) if isinstance(out, tuple) else out
    return call


op("F.fractionalMaxPool2d")(fractional_adapter(F.fractional_max_pool2d))
op("F.fractionalMaxPool3d")(fractional_adapter(F.fractional_max_pool3d))
op("F.adaptiveAvgPool3d")(lambda x, size: F.adaptive_avg_pool3d(x, size))
op("F.adaptiveMaxPool3d")(lambda x, size, opts=None: (lambda o: list(o) if isinstance(o, tuple) else o)(
    F.adaptive_max_pool3d(x, size, **kw(opts))))


def pooled(pool, x, k, **opts):
    """The values and int32 indices of a max pooling of x, as unpooling's inputs."""
    y, i = pool(x, k, return_indices=True, **opts)
    return T(y.detach()), T(i.to(torch.int32), grad=False)


def unpool_cases():
    c = Cases("F.maxUnpool1d")
    c("plain", *pooled(F.max_pool1d, distinct(2, 3, 8), 2), 2)
    c("stride_padding", *pooled(F.max_pool1d, distinct(1, 2, 9), 3, stride=2, padding=1), 3, {"stride": 2, "padding": 1})
    c("output_size", *pooled(F.max_pool1d, distinct(1, 2, 9), 2), 2, {"outputSize": [9]})
    c("output_size_full", *pooled(F.max_pool1d, distinct(2, 2, 7), 2), 2, {"outputSize": [2, 2, 7]})
    c("unbatched", *pooled(F.max_pool1d, distinct(3, 6), 2), 2)
    c("float64", *pooled(F.max_pool1d, f64(distinct(1, 2, 6)), 3), [3])
    c("size0_batch", *pooled(F.max_pool1d, rn(0, 2, 4), 2), 2)

    c = Cases("F.maxUnpool2d")
    c("plain", *pooled(F.max_pool2d, distinct(2, 3, 4, 6), 2), 2)
    c("stride_padding", *pooled(F.max_pool2d, distinct(1, 2, 5, 5), 3, stride=2, padding=1), 3, {"stride": 2, "padding": 1})
    c("kernel_tuple", *pooled(F.max_pool2d, distinct(1, 1, 4, 6), (2, 3)), [2, 3])
    c("output_size", *pooled(F.max_pool2d, distinct(1, 2, 5, 7), 2), 2, {"outputSize": [5, 7]})
    c("output_size_full", *pooled(F.max_pool2d, distinct(1, 2, 5, 5), 2), 2, {"outputSize": [1, 2, 5, 5]})
    c("unbatched", *pooled(F.max_pool2d, distinct(2, 4, 4), 2), 2)
    c("noncontig", T(distinct(1, 3, 3, 2), view=[["permute", [0, 3, 1, 2]]]),
      T(torch.tensor([[[[0, 3, 9], [13, 18, 22], [24, 29, 35]], [[1, 5, 8], [14, 16, 23], [26, 28, 34]]]], dtype=torch.int32), grad=False), 2)
    c("float64", *pooled(F.max_pool2d, f64(distinct(1, 2, 4, 4)), 2), 2)
    c("size0_batch", *pooled(F.max_pool2d, rn(0, 2, 4, 4), 2), 2)

    c = Cases("F.maxUnpool3d")
    c("plain", *pooled(F.max_pool3d, distinct(2, 2, 4, 4, 4), 2), 2)
    c("stride_padding", *pooled(F.max_pool3d, distinct(1, 1, 4, 4, 4), 2, stride=2, padding=1), 2, {"stride": 2, "padding": 1})
    c("output_size", *pooled(F.max_pool3d, distinct(1, 2, 5, 4, 5), 2), 2, {"outputSize": [5, 4, 5]})
    c("kernel_tuple", *pooled(F.max_pool3d, distinct(1, 1, 2, 4, 6), (1, 2, 3)), [1, 2, 3])
    c("unbatched", *pooled(F.max_pool3d, distinct(2, 4, 4, 4), 2), 2)
    c("float64", *pooled(F.max_pool3d, f64(distinct(1, 2, 4, 4, 4)), 2), 2)

    c = Cases("F.adaptiveMaxPool3d")
    c("non_divisible", T(distinct(2, 2, 5, 6, 7)), [2, 3, 4])
    c("int_size", T(distinct(1, 2, 4, 4, 4)), 2)
    c("global", T(distinct(2, 3, 3, 4, 2)), 1)
    c("none_entry", T(distinct(1, 2, 3, 4, 6)), [None, 2, 4])
    c("return_indices", T(distinct(1, 2, 5, 4, 7)), [3, 2, 3], {"returnIndices": True})
    c("upsample_indices", T(distinct(1, 1, 2, 2, 3)), [3, 3, 5], {"returnIndices": True})
    c("unbatched", T(distinct(2, 5, 4, 3)), [3, 2, 2])
    c("noncontig", T(distinct(1, 4, 5, 6, 2), view=[["permute", [0, 4, 1, 2, 3]]]), [2, 3, 4])
    c("float64", T(f64(distinct(1, 2, 5, 5, 7))), [3, 4, 2], {"returnIndices": True})
    c("size0_batch", T(rn(0, 2, 4, 4, 4)), 2)


def max_pool3d_index_cases():
    # F.maxPool3d's adapter is in ops_nn_layers.py; these are its returnIndices samples
    c = Cases("F.maxPool3d")
    c("return_indices", T(distinct(2, 2, 4, 4, 4)), 2, {"returnIndices": True})
    c("return_indices_stride_padding", T(distinct(1, 2, 5, 5, 4)), 3, {"stride": 2, "padding": 1, "returnIndices": True})
    c("return_indices_dilation", T(distinct(1, 1, 5, 4, 6)), [2, 2, 3], {"stride": 1, "dilation": [2, 1, 1], "returnIndices": True})
    c("return_indices_ceil_mode", T(distinct(1, 2, 5, 5, 5)), 2, {"ceilMode": True, "returnIndices": True})
    c("return_indices_ceil_padding", T(distinct(1, 1, 6, 5, 7)), 3, {"stride": 2, "padding": 1, "ceilMode": True, "returnIndices": True})
    c("return_indices_ties", T(torch.ones(1, 2, 3, 4, 4)), 2, {"stride": 1, "returnIndices": True}, gradcheck=False)
    c("return_indices_unbatched", T(distinct(2, 4, 4, 4)), 2, {"returnIndices": True})
    c("return_indices_noncontig", T(distinct(1, 4, 4, 4, 2), view=[["permute", [0, 4, 1, 2, 3]]]), 2, {"returnIndices": True})
    c("return_indices_float64", T(f64(distinct(1, 2, 4, 4, 4))), 2, {"stride": 1, "returnIndices": True})
    c("return_indices_size0_batch", T(rn(0, 2, 4, 4, 4)), 2, {"returnIndices": True})


def conv_transpose3d_cases():
    c = Cases("F.convTranspose3d")
    c("plain", T(rn(2, 3, 2, 3, 3)), T(rn(3, 2, 2, 3, 2)), T(rn(2)))
    c("no_bias", T(rn(1, 2, 3, 2, 2)), T(rn(2, 3, 2, 2, 2)))
    c("stride", T(rn(1, 2, 3, 2, 3)), T(rn(2, 2, 3, 2, 2)), T(rn(2)), {"stride": 2})
    c("stride_output_padding", T(rn(1, 2, 2, 3, 2)), T(rn(2, 2, 3, 3, 2)), T(rn(2)), {"stride": [3, 2, 2], "outputPadding": [2, 1, 0]})
    c("padding", T(rn(1, 2, 3, 3, 3)), T(rn(2, 3, 3, 3, 3)), T(rn(3)), {"padding": [1, 2, 0]})
    c("groups", T(rn(1, 4, 2, 3, 2)), T(rn(4, 3, 2, 2, 2)), T(rn(6)), {"groups": 2, "stride": 2})
    c("dilation", T(rn(1, 2, 3, 2, 2)), T(rn(2, 2, 2, 3, 2)), T(rn(2)), {"dilation": [2, 1, 3]})
    c("all_options", T(rn(1, 4, 3, 2, 3)), T(rn(4, 1, 3, 2, 2)), T(rn(2)),
      {"stride": [2, 1, 2], "padding": 1, "outputPadding": [1, 0, 1], "groups": 2, "dilation": [1, 2, 1]})
    c("unbatched", T(rn(2, 2, 3, 3)), T(rn(2, 2, 2, 2, 2)), T(rn(2)))
    c("noncontig", T(rn(1, 3, 2, 3, 2), view=[["permute", [0, 4, 1, 2, 3]]]), T(rn(2, 2, 2, 2, 2)), T(rn(2)))
    c("float64", T(f64(rn(1, 2, 2, 3, 3))), T(f64(rn(2, 2, 2, 3, 2))), T(f64(rn(2))), {"stride": 2, "padding": 1})
    c("size0_batch", T(rn(0, 2, 3, 3, 3)), T(rn(2, 3, 2, 2, 2)), T(rn(3)))


def samples(*shape, dtype=torch.float32):
    return T(torch.rand(*shape, dtype=dtype), grad=False)


def fractional_cases():
    c = Cases("F.fractionalMaxPool2d")
    c("output_size", T(distinct(2, 3, 7, 9)), 2, {"outputSize": [4, 5], "randomSamples": samples(2, 3, 2)})
    c("output_ratio", T(distinct(1, 2, 10, 8)), 3, {"outputRatio": 0.5, "randomSamples": samples(1, 2, 2)})
    c("ratio_tuple_kernel_tuple", T(distinct(2, 2, 9, 11)), [2, 3], {"outputRatio": [0.6, 0.7], "randomSamples": samples(2, 2, 2)})
    c("return_indices", T(distinct(1, 3, 8, 8)), 3, {"outputSize": 5, "returnIndices": True, "randomSamples": samples(1, 3, 2)})
    c("output_one", T(distinct(1, 2, 5, 6)), 2, {"outputSize": [1, 3], "returnIndices": True, "randomSamples": samples(1, 2, 2)})
    c("full_size", T(distinct(1, 1, 4, 5)), 1, {"outputSize": [4, 5], "randomSamples": samples(1, 1, 2)})
    c("unbatched", T(distinct(3, 7, 7)), 2, {"outputSize": 4, "returnIndices": True, "randomSamples": samples(1, 3, 2)})
    c("noncontig", T(distinct(1, 8, 9, 2), view=[["permute", [0, 3, 1, 2]]]), 2, {"outputSize": [5, 6], "randomSamples": samples(1, 2, 2)})
    c("float64", T(f64(distinct(2, 2, 9, 9))), 3, {"outputSize": [5, 4], "returnIndices": True, "randomSamples": samples(2, 2, 2, dtype=torch.float64)})
    c("size0_batch", T(rn(0, 2, 6, 6)), 2, {"outputSize": 3, "randomSamples": samples(0, 2, 2)})

    c = Cases("F.fractionalMaxPool3d")
    c("output_size", T(distinct(2, 2, 6, 7, 5)), 2, {"outputSize": [3, 4, 2], "randomSamples": samples(2, 2, 3)})
    c("output_ratio", T(distinct(1, 2, 8, 6, 7)), 2, {"outputRatio": 0.5, "randomSamples": samples(1, 2, 3)})
    c("kernel_tuple_return_indices", T(distinct(1, 3, 7, 6, 8)), [3, 2, 1], {"outputSize": [4, 3, 5], "returnIndices": True, "randomSamples": samples(1, 3, 3)})
    c("output_one", T(distinct(1, 1, 4, 5, 6)), 2, {"outputSize": [1, 2, 1], "returnIndices": True, "randomSamples": samples(1, 1, 3)})
    c("unbatched", T(distinct(2, 6, 6, 6)), 2, {"outputSize": 3, "returnIndices": True, "randomSamples": samples(1, 2, 3)})
    c("noncontig", T(distinct(1, 6, 5, 7, 2), view=[["permute", [0, 4, 1, 2, 3]]]), 2, {"outputSize": [3, 2, 4], "randomSamples": samples(1, 2, 3)})
    c("float64", T(f64(distinct(1, 2, 7, 7, 6))), [2, 3, 2], {"outputRatio": [0.5, 0.6, 0.7], "returnIndices": True,
      "randomSamples": samples(1, 2, 3, dtype=torch.float64)})
    c("size0_batch", T(rn(0, 2, 5, 5, 5)), 2, {"outputSize": 2, "randomSamples": samples(0, 2, 3)})


def adaptive_avg_pool3d_cases():
    c = Cases("F.adaptiveAvgPool3d")
    c("non_divisible", T(rn(2, 2, 5, 6, 7)), [2, 3, 4])
    c("int_size", T(rn(1, 2, 4, 4, 4)), 2)
    c("global", T(rn(2, 3, 3, 4, 2)), 1)
    c("none_entry", T(rn(1, 2, 3, 4, 6)), [None, 2, 4])
    c("upsample", T(rn(1, 1, 2, 2, 3)), [3, 3, 5])
    c("unbatched", T(rn(2, 5, 4, 3)), [3, 2, 2])
    c("noncontig", T(rn(1, 4, 5, 6, 2), view=[["permute", [0, 4, 1, 2, 3]]]), [2, 3, 4])
    c("float64", T(f64(rn(1, 2, 5, 5, 7))), [3, 4, 2])
    c("same_size", T(rn(1, 2, 2, 3, 4)), [2, 3, 4])
    c("size0_batch", T(rn(0, 2, 4, 4, 4)), 2)


def cases():
    unpool_cases()
    max_pool3d_index_cases()
    conv_transpose3d_cases()
    fractional_cases()
    adaptive_avg_pool3d_cases()
