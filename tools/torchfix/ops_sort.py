"""Sorting: sort, argsort, topk (values and int32 indices; stable ties, NaN above +inf); isin."""
import torch

from .spec import Cases, T, distinct, f64, grid, ints, kw, long, op, rn

op("sort")(lambda x, dim=-1, descending=False: list(torch.sort(x, dim=dim, descending=descending, stable=True)))
op("argsort", diff=False)(lambda x, dim=-1, descending=False:
                          torch.sort(x, dim=dim, descending=descending, stable=True).indices)
op("unique", diff=False)(lambda x, opts=None: (lambda r: list(r) if isinstance(r, tuple) else r)(
    torch.unique(x, sorted=True, return_inverse=bool((opts or {}).get("returnInverse")),
                 return_counts=bool((opts or {}).get("returnCounts")))))
op("isin", diff=False)(lambda e, t, opts=None: torch.isin(e, t, **kw(opts)))
op("topk")(lambda x, k, dim=-1, largest=True, sorted=True: list(torch.topk(x, k, dim, largest, sorted)))


def with_nan(*shape):
    x = distinct(*shape)
    x.view(-1)[::3] = float("nan")
    return x


def cases():
    more_cases()
    isin_cases()
    c = Cases("sort")
    c("last_dim", T(distinct(3, 5)))
    c("dim0", T(distinct(4, 3)), 0)
    c("descending", T(distinct(3, 5)), 1, True)
    c("noncontig", T(distinct(5, 3), view=[["transpose", 0, 1]]), -1, True)
    c("ties_stable", T(grid(3, 6)), 1)
    c("ties_stable_descending", T(grid(3, 6)), 1, True)
    c("nan_last", T(with_nan(2, 5), grad=False), 1)
    c("nan_first_descending", T(with_nan(2, 5), grad=False), 1, True)
    c("one_dim", T(distinct(7)))
    c("three_dims_middle", T(distinct(2, 4, 3)), 1)
    c("size0", T(distinct(0, 3)), 1)
    c("int32", T(ints(-9, 9, 3, 4)), 1)
    c("float64", T(f64(distinct(3, 4))), 0, True)

    c = Cases("argsort")
    c("plain", T(distinct(3, 5)))
    c("dim0_descending", T(distinct(4, 3)), 0, True)
    c("ties", T(grid(2, 6)), 1)
    c("int32", T(ints(-9, 9, 3, 4)), 1)

    c = Cases("unique")
    c("ints", T(ints(-4, 4, 3, 5)))
    c("floats_inverse_counts", T(grid(4, 3)), {"returnInverse": True, "returnCounts": True})
    c("counts_only", T(ints(0, 3, 10)), {"returnCounts": True})
    c("bool", T(torch.tensor([True, False, True])))
    c("empty", T(torch.zeros(0)))

    c = Cases("topk")
    c("k2_last_dim", T(distinct(3, 6)), 2)
    c("dim0", T(distinct(5, 3)), 3, 0)
    c("smallest", T(distinct(3, 6)), 2, 1, False)
    c("all", T(distinct(2, 4)), 4)
    c("k0", T(distinct(2, 4)), 0)
    c("noncontig", T(distinct(6, 3), view=[["transpose", 0, 1]]), 2, 1)
    c("nan_largest", T(with_nan(2, 5), grad=False), 2)
    c("float64", T(f64(distinct(3, 5))), 2, -1, False)


# ---- selections, quantiles, running extremes, counting and searching ----

def _pair(fn):
    def call(x, *a):
        r = fn(x, *a)
        return list(r) if isinstance(r, tuple) else r
    return call


op("median")(_pair(lambda x, dim=None, keepdim=False: torch.median(x) if dim is None else torch.median(x, dim, keepdim)))
op("nanmedian")(_pair(lambda x, dim=None, keepdim=False:
                      torch.nanmedian(x) if dim is None else torch.nanmedian(x, dim, keepdim)))
op("mode")(_pair(lambda x, dim=-1, keepdim=False: torch.mode(x, dim, keepdim)))
op("kthvalue")(_pair(lambda x, k, dim=-1, keepdim=False: torch.kthvalue(x, k, dim, keepdim)))
op("msort")(lambda x: torch.msort(x))
op("quantile")(lambda x, q, dim=None, keepdim=False, opts=None: torch.quantile(x, q, dim, keepdim, **kw(opts)))
op("nanquantile")(lambda x, q, dim=None, keepdim=False, opts=None:
                  torch.nanquantile(x, q, dim, keepdim, **kw(opts)))
op("cummax")(_pair(lambda x, dim: torch.cummax(x, dim)))
op("cummin")(_pair(lambda x, dim: torch.cummin(x, dim)))
op("bincount", diff=False)(lambda x, weights=None, minlength=0: torch.bincount(long(x), weights, minlength))
op("histc", diff=False)(lambda x, bins=100, mn=0, mx=0: torch.histc(x, bins, mn, mx))
op("searchsorted", diff=False)(lambda s, v, opts=None: torch.searchsorted(s, v, **kw(opts)))
op("bucketize", diff=False)(lambda x, b, opts=None: torch.bucketize(x, b, **kw(opts)))


def ties(*shape, levels=4):
    """Small integers as floats: many ties."""
    return torch.randint(0, levels, shape).float()


def sorted_seq(*shape):
    return torch.sort(grid(*shape), dim=-1).values


def more_cases():
    for name in ("median", "nanmedian"):
        c = Cases(name)
        c("all_odd", T(distinct(3, 5)))
        c("all_even_lower", T(distinct(2, 4)))
        c("all_ties", T(ties(3, 5)), gradcheck=False)
        c("dim", T(distinct(3, 5)), 1)
        c("dim0_keepdim", T(distinct(4, 3)), 0, True)
        c("negative_dim", T(distinct(2, 4, 3)), -2)
        c("ties_dim", T(ties(4, 9)), 1, gradcheck=False)
        c("ties_dim_long", T(ties(3, 40)), -1, gradcheck=False)
        c("noncontig", T(distinct(5, 3), view=[["transpose", 0, 1]]), 1)
        c("nan_all", T(with_nan(2, 5), grad=False))
        c("nan_dim", T(with_nan(3, 5), grad=False), 1)
        c("all_nan_line", T(torch.tensor([[float("nan"), float("nan")], [1.0, float("nan")]]), grad=False), 1)
        c("zero_dim", T(distinct()), 0)
        c("size0_other_dim", T(rn(0, 3)), 1)
        c("size0_all", T(rn(0, 3), grad=False))
        c("int32", T(ints(-5, 5, 3, 5)), 1)
        c("float64", T(f64(distinct(3, 5))), 0)

    # the most frequent value is a tie by nature: finite differences break it (no gradcheck)
    c = Cases("mode")
    c("last_dim", T(ties(3, 7)), gradcheck=False)
    c("dim0_keepdim", T(ties(6, 3)), 0, True, gradcheck=False)
    c("negative_dim", T(ties(2, 8, 3)), -2, gradcheck=False)
    c("all_distinct", T(distinct(3, 5)), 1)
    c("noncontig", T(ties(7, 3), view=[["transpose", 0, 1]]), 1, gradcheck=False)
    c("zero_dim", T(distinct()), 0)
    c("int32", T(ints(0, 3, 3, 8)), 1)
    c("float64", T(f64(ties(3, 6))), 1, gradcheck=False)

    c = Cases("kthvalue")
    c("k1", T(distinct(3, 5)), 1)
    c("k3_dim0", T(distinct(5, 3)), 3, 0)
    c("k_last_keepdim", T(distinct(3, 4)), 4, 1, True)
    c("negative_dim", T(distinct(2, 5, 3)), 2, -2)
    c("ties", T(ties(4, 9)), 3, 1, gradcheck=False)
    c("ties_long", T(ties(3, 30, levels=6)), 11, 1, gradcheck=False)
    c("nan", T(with_nan(2, 6), grad=False), 5, 1)
    c("noncontig", T(distinct(5, 3), view=[["transpose", 0, 1]]), 2, 1)
    c("zero_dim", T(distinct()), 1, 0)
    c("int32", T(ints(-5, 5, 3, 6)), 2, 1)
    c("float64", T(f64(distinct(3, 5))), 2, 0)

    c = Cases("msort")
    c("plain", T(distinct(5, 3)))
    c("ties", T(ties(6, 2)), gradcheck=False)
    c("one_dim", T(distinct(6)))
    c("noncontig", T(distinct(3, 5), view=[["transpose", 0, 1]]))
    c("int32", T(ints(-9, 9, 4, 3)))

    for name in ("quantile", "nanquantile"):
        c = Cases(name)
        q = lambda *v: T(torch.tensor(v), grad=False)
        c("scalar_all", T(distinct(3, 5)), 0.3)
        c("scalar_dim", T(distinct(3, 5)), 0.75, 1)
        c("tensor_q_dim_keepdim", T(distinct(4, 5)), q(0.0, 0.25, 0.5, 1.0), 0, True)
        c("tensor_q_all", T(distinct(2, 6)), q(0.1, 0.9))
        c("all_keepdim", T(distinct(2, 3)), 0.4, None, True)
        c("negative_dim", T(distinct(2, 5, 3)), q(0.2, 0.6), -2)
        c("zero_d_q", T(distinct(3, 4)), q(0.5), 1)
        for mode in ("lower", "higher", "midpoint", "nearest"):
            c(f"interp_{mode}", T(distinct(3, 6)), q(0.1, 0.4, 0.5, 0.7), 1, False, {"interpolation": mode})
        c("nearest_half_even", T(distinct(2, 5)), q(0.125, 0.375, 0.625), 1, False, {"interpolation": "nearest"})
        c("nan", T(with_nan(3, 5), grad=False), q(0.2, 0.5), 1)
        c("nan_all", T(with_nan(3, 4), grad=False), 0.5)
        c("ties", T(ties(3, 7)), 0.5, 1, gradcheck=False)
        c("noncontig", T(distinct(5, 3), view=[["transpose", 0, 1]]), 0.6, 1)
        c("zero_dim", T(distinct()), 0.5)
        c("float64", T(f64(distinct(3, 5))), T(torch.tensor([0.3, 0.8], dtype=torch.float64), grad=False), 1)

    for name in ("cummax", "cummin"):
        c = Cases(name)
        c("dim1", T(distinct(3, 6)), 1)
        c("dim0", T(distinct(4, 3)), 0)
        c("negative_dim", T(distinct(2, 3, 5)), -1)
        c("ties", T(ties(3, 8)), 1, gradcheck=False)
        c("nan", T(with_nan(2, 7), grad=False), 1)
        c("noncontig", T(distinct(5, 3), view=[["transpose", 0, 1]]), 1)
        c("zero_dim", T(distinct()), 0)
        c("size0", T(rn(0, 3)), 0)
        c("int32", T(ints(-9, 9, 3, 6)), 1)
        c("float64", T(f64(distinct(3, 5))), 1)

    c = Cases("bincount")
    c("plain", T(ints(0, 6, 20)))
    c("minlength", T(ints(0, 4, 10)), None, 7)
    c("weights", T(ints(0, 5, 12)), T(rn(12)))
    c("weights_float64_minlength", T(ints(0, 3, 8)), T(f64(rn(8))), 5)
    c("empty", T(torch.zeros(0, dtype=torch.int32)))
    c("empty_minlength", T(torch.zeros(0, dtype=torch.int32)), None, 3)

    c = Cases("histc")
    c("range", T(rn(50)), 8, -2, 2)
    c("auto_range", T(rn(4, 10)), 5)
    c("default_bins", T(rn(30)))
    c("equal_values", T(torch.tensor([2.0, 2.0, 2.0])), 4)
    c("max_in_last_bin", T(torch.tensor([0.0, 0.5, 1.0, 1.5, 2.0])), 4, 0, 2)
    c("noncontig", T(rn(6, 4), view=[["transpose", 0, 1]]), 6, -1.5, 1.5)
    c("float64", T(f64(rn(20))), 4, -1, 1)

    c = Cases("searchsorted")
    c("left", T(sorted_seq(8)), T(grid(3, 4)))
    c("right", T(sorted_seq(8)), T(grid(3, 4)), {"right": True})
    c("side_right", T(sorted_seq(8)), T(grid(5)), {"side": "right"})
    c("side_left", T(sorted_seq(8)), T(grid(5)), {"side": "left"})
    c("batched", T(sorted_seq(2, 3, 6)), T(grid(2, 3, 4)))
    c("batched_right", T(sorted_seq(3, 5)), T(grid(3, 2)), {"right": True})
    c("scalar_value", T(sorted_seq(6)), 0.25)
    c("int32", T(torch.tensor([1, 3, 3, 5, 9], dtype=torch.int32)), T(ints(0, 10, 6)))
    c("float64", T(f64(sorted_seq(7))), T(f64(grid(4))), {"right": True})
    c("empty_values", T(sorted_seq(5)), T(torch.zeros(0)))

    c = Cases("bucketize")
    c("left", T(grid(3, 4)), T(sorted_seq(6)))
    c("right", T(grid(3, 4)), T(sorted_seq(6)), {"right": True})
    c("scalar", 0.5, T(sorted_seq(6)))
    c("int32", T(ints(0, 10, 7)), T(torch.tensor([1, 3, 3, 5, 9], dtype=torch.int32)), {"right": True})
    c("noncontig", T(grid(4, 3), view=[["transpose", 0, 1]]), T(sorted_seq(5)))


def isin_cases():
    c = Cases("isin")
    c("int32", T(ints(0, 8, 3, 4)), T(ints(0, 8, 5)))
    c("float_nan", T(torch.tensor([1.0, float("nan"), -0.0, 2.5, 3.0])), T(torch.tensor([float("nan"), 0.0, 3.0])))
    c("invert", T(ints(0, 6, 2, 5)), T(ints(0, 6, 2, 2)), {"invert": True})
    c("assume_unique", T(torch.tensor([4, 1, 7, 2], dtype=torch.int32)), T(torch.tensor([7, 4], dtype=torch.int32)),
      {"assumeUnique": True})
    c("promote_int_float", T(ints(0, 4, 6)), T(torch.tensor([1.0, 2.5, 3.0])))
    c("promote_float64", T(f64(grid(2, 3))), T(grid(4)))
    c("scalar_test", T(ints(0, 4, 6)), 2)
    c("scalar_test_float", T(ints(0, 4, 6)), 2.5)
    c("scalar_elements", 3, T(ints(0, 5, 4)))
    c("noncontig", T(ints(0, 5, 3, 4), view=[["transpose", 0, 1]]), T(ints(0, 5, 2, 3)))
    c("empty_elements", T(rn(0, 3)), T(rn(2)))
    c("empty_test", T(rn(2, 3)), T(rn(0)), {"invert": True})
