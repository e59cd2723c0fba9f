"""F. max unpooling (its indices from torch's own max pooling) and adaptive 3-D max pooling."""
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


def cases():
    unpool_cases()
