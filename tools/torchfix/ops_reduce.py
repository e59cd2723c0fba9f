"""Reductions: sum, mean, prod, var, std, max/min, argmax/argmin, logsumexp, norm, all/any, cumsum."""
import torch

from .spec import Cases, T, away, bools, distinct, f64, ints, kw, nonzero, op, rn


def dims_of(x, dim):
    """Tensile's dim (number | number[] | null) -> sorted non-negative dims (all when null)."""
    if dim is None:
        return list(range(x.dim()))
    ds = dim if isinstance(dim, list) else [dim]
    return sorted({d % max(x.dim(), 1) for d in ds})


def reduce_each(fn, x, dim, keepdim):
    """Apply a one-dim torch reduction over several dims (torch's prod/all/any take one dim),
    innermost first so the remaining dim numbers stay valid."""
    if x.dim() == 0:
        return fn(x, 0, keepdim)
    for d in reversed(dims_of(x, dim)):
        x = fn(x, d, keepdim)
    return x


@op("sum")
def _sum(x, dim=None, keepdim=False):
    if dim is None and not keepdim:
        return torch.sum(x)
    return torch.sum(x, dims_of(x, dim), keepdim)


@op("mean")
def _mean(x, dim=None, keepdim=False):
    if dim is None and not keepdim:
        return torch.mean(x)
    return torch.mean(x, dims_of(x, dim), keepdim)


@op("prod")
def _prod(x, dim=None, keepdim=False):
    if dim is None and not keepdim:
        return torch.prod(x)
    return reduce_each(lambda t, d, k: torch.prod(t, d, k), x, dim, keepdim)


def _moment(fn):
    def call(x, dim=None, opts=None):
        o = kw(opts)
        return fn(x, None if dim is None else dims_of(x, dim), correction=o.get("correction", 1),
                  keepdim=o.get("keepdim", False))
    return call


op("var")(_moment(torch.var))
op("std")(_moment(torch.std))


def _extreme(fn):
    def call(x, dim=None, keepdim=False):
        if dim is None:
            return fn(x)
        out = fn(x, dim, keepdim)
        return [out.values, out.indices]
    return call


op("max")(_extreme(torch.max))
op("min")(_extreme(torch.min))
op("argmax", diff=False)(lambda x, dim=None, keepdim=False: torch.argmax(x, dim, keepdim))
op("argmin", diff=False)(lambda x, dim=None, keepdim=False: torch.argmin(x, dim, keepdim))
op("logsumexp")(lambda x, dim, keepdim=False: torch.logsumexp(x, dims_of(x, dim), keepdim))


@op("norm")
def _norm(x, p=2, dim=None, keepdim=False):
    return torch.linalg.vector_norm(x, p, None if dim is None else dims_of(x, dim), keepdim)


def _logical(fn):
    def call(x, dim=None, keepdim=False):
        if dim is None and not keepdim:
            return fn(x)
        return reduce_each(lambda t, d, k: fn(t, d, k), x, dim, keepdim)
    return call


op("all", diff=False)(_logical(torch.all))
op("any", diff=False)(_logical(torch.any))
op("cumsum")(lambda x, dim: torch.cumsum(x, dim))


def reduction_cases(name, gen, opts_style=False, int_ok=True, empty=True):
    """dim omitted, one dim, negative dim, several dims, keepdim both ways, null dim with keepdim,
    non-contiguous, size-0, 0-d, float64. opts_style: keepdim lives in the options object."""
    c = Cases(name)

    def call(case, x, dim=None, keepdim=None, **extra):
        args = [x]
        if opts_style:
            o = dict(extra)
            if keepdim is not None:
                o["keepdim"] = keepdim
            if dim is not None or o:
                args.append(dim)
            if o:
                args.append(o)
        else:
            if dim is not None or keepdim is not None:
                args.append(dim)
            if keepdim is not None:
                args.append(keepdim)
        c(case, *args)

    call("all_dims", T(gen(2, 3, 4)))
    call("dim0", T(gen(3, 4)), 0)
    call("dim1_keepdim", T(gen(3, 4)), 1, True)
    call("negative_dim", T(gen(2, 3, 4)), -1)
    call("negative_dim_keepdim", T(gen(2, 3, 4)), -2, True)
    call("dims_list", T(gen(2, 3, 4)), [0, 2])
    call("dims_list_negative_keepdim", T(gen(2, 3, 4)), [-1, 0], True)
    call("dims_list_keepdim_false", T(gen(2, 3, 4)), [1, 2], False)
    call("null_dim_keepdim", T(gen(2, 3)), None, True)
    call("noncontig", T(gen(4, 3), view=[["transpose", 0, 1]]), 1)
    call("noncontig_all", T(gen(2, 3, 4), view=[["permute", [2, 0, 1]]]))
    call("noncontig_slice_dims", T(gen(4, 6), view=[["index", ["::2", "1:5"]]]), [0, 1], True)
    call("zero_dim", T(gen(), grad=not opts_style))  # var/std of one value: nan
    call("float64", T(f64(gen(3, 4))), 1)
    if empty:
        call("size0_reduced", T(gen(0, 3)), 0)
        call("size0_kept", T(gen(0, 3)), 1)
    if int_ok:
        c("int32", T(ints(-5, 5, 3, 4)), 1)
    return call, c


def cases():
    more_cases()
    call, c = reduction_cases("sum", rn)
    c("bool", T(bools(3, 4)))
    call("size0_all", T(rn(0, 3)))
    call, c = reduction_cases("mean", rn, int_ok=False)
    call("size0_all_nan", T(rn(0, 3), grad=False))
    # prod: magnitudes in [0.5, 2) keep gradients tame; one case with an exact zero
    call, c = reduction_cases("prod", nonzero)
    call("with_zero", T(torch.tensor([[1.5, 0.0, -2.0], [0.7, 1.2, -0.9]])), 1)
    call("with_zero_all", T(torch.tensor([[1.5, 0.0, -2.0], [0.7, 1.2, -0.9]])))
    call("size0_all", T(rn(0, 3)))
    for name in ("var", "std"):
        call, c = reduction_cases(name, rn, opts_style=True, int_ok=False, empty=False)
        call("correction0", T(rn(3, 4)), 1, correction=0)
        call("correction0_all", T(rn(3, 4)), None, correction=0)
        call("correction2_keepdim", T(rn(3, 5)), [0, 1], True, correction=2)
        call("single_element_nan", T(rn(1, 3), grad=False), 0)

    for name in ("max", "min"):
        c = Cases(name)
        c("all", T(distinct(2, 3, 4)))
        c("dim0", T(distinct(3, 4)), 0)
        c("dim1_keepdim", T(distinct(3, 4)), 1, True)
        c("negative_dim", T(distinct(2, 3, 4)), -1)
        c("negative_dim_keepdim", T(distinct(2, 3, 4)), -2, True)
        c("noncontig", T(distinct(4, 3), view=[["transpose", 0, 1]]), 1)
        c("noncontig_all", T(distinct(2, 3, 4), view=[["permute", [2, 0, 1]]]))
        c("zero_dim", T(distinct()))
        c("zero_dim_dim0", T(distinct()), 0)
        c("size0_kept", T(rn(0, 3)), 1)
        c("float64", T(f64(distinct(3, 4))), 1)
        c("int32_all", T(torch.randperm(12).int().reshape(3, 4)))
        c("int32_dim", T(torch.randperm(12).int().reshape(3, 4)), 0)
        c("nan_all", T(torch.tensor([1.0, float("nan"), 3.0]), grad=False))
        c("inf", T(torch.tensor([[1.0, float("-inf")], [float("inf"), 0.0]])), 1, gradcheck=False)

    for name in ("argmax", "argmin"):
        c = Cases(name)
        c("all", T(distinct(2, 3, 4)))
        c("dim0", T(distinct(3, 4)), 0)
        c("dim1_keepdim", T(distinct(3, 4)), 1, True)
        c("negative_dim", T(distinct(2, 3, 4)), -1)
        c("noncontig", T(distinct(4, 3), view=[["transpose", 0, 1]]), 1)
        c("noncontig_all", T(distinct(2, 3, 4), view=[["permute", [2, 0, 1]]]))
        c("zero_dim", T(distinct()))
        c("size0_kept", T(rn(0, 3)), 1)
        c("int32", T(torch.randperm(12).int().reshape(3, 4)), 1)
        c("float64", T(f64(distinct(3, 4))), 0)

    c = Cases("logsumexp")
    c("dim", T(rn(3, 4)), 1)
    c("dim_keepdim", T(rn(3, 4)), 0, True)
    c("negative_dim", T(rn(2, 3, 4)), -1)
    c("dims_list", T(rn(2, 3, 4)), [0, 2])
    c("dims_list_keepdim", T(rn(2, 3, 4)), [-1, -2], True)
    c("noncontig", T(rn(4, 3), view=[["transpose", 0, 1]]), 1)
    c("large", T(torch.tensor([[1e4, 1e4 - 1, -1e4], [-50.0, -51.0, -52.0]])), 1)
    c("neg_inf_row", T(torch.tensor([[float("-inf"), float("-inf")], [0.0, 1.0]]), grad=False), 1)
    c("size0_kept", T(rn(0, 3)), 1)
    c("size0_reduced", T(rn(0, 3), grad=False), 0)
    c("zero_dim", T(rn()), 0)
    c("float64", T(f64(rn(3, 4))), 1)

    c = Cases("norm")
    xs = lambda *s: away(rn(*s), (0.0,), 0.1)  # |x| is smooth away from 0 (p=1, p=3)
    c("default", T(rn(3, 4)))
    c("p2_dim", T(rn(3, 4)), 2, 1)
    c("p1_dim", T(xs(3, 4)), 1, 0)
    c("p1_all", T(xs(3, 4)), 1)
    c("p3_dims_keepdim", T(xs(2, 3, 4)), 3, [0, 2], True)
    c("p2_negative_dim_keepdim", T(rn(2, 3, 4)), 2, -1, True)
    c("p_fraction", T(xs(3, 4)), 1.5, 1)
    c("noncontig", T(rn(4, 3), view=[["transpose", 0, 1]]), 2, 1)
    c("size0_kept", T(rn(0, 3)), 2, 1)
    c("size0_reduced", T(rn(0, 3), grad=False), 2, 0)
    c("float64", T(f64(rn(3, 4))), 2, 1)

    for name in ("all", "any"):
        c = Cases(name)
        c("bool_all", T(bools(2, 3)))
        c("bool_dim", T(bools(4, 3)), 0)
        c("bool_dim_keepdim", T(bools(4, 3)), 1, True)
        c("negative_dim", T(bools(2, 3, 4)), -1)
        c("dims_list", T(bools(2, 3, 4)), [0, 2])
        c("dims_list_keepdim", T(bools(2, 3, 4)), [-1, 1], True)
        c("float", T(torch.tensor([[0.0, 1.0, 2.0], [3.0, -1.0, 0.5]])), 1)
        c("int32", T(ints(0, 2, 3, 4)), 0)
        c("noncontig", T(bools(4, 3), view=[["transpose", 0, 1]]), 1)
        c("all_true", T(torch.ones(2, 3, dtype=torch.bool)))
        c("all_false", T(torch.zeros(2, 3, dtype=torch.bool)))
        c("size0_all", T(bools(0, 3)))
        c("size0_reduced", T(bools(0, 3)), 0)

    c = Cases("cumsum")
    c("dim0", T(rn(3, 4)), 0)
    c("dim1", T(rn(3, 4)), 1)
    c("negative_dim", T(rn(2, 3, 4)), -1)
    c("noncontig", T(rn(4, 3), view=[["transpose", 0, 1]]), 1)
    c("vector", T(rn(6)), 0)
    c("zero_dim", T(rn()), 0)
    c("size0", T(rn(0, 3)), 0)
    c("int32", T(ints(-5, 5, 3, 4)), 1)
    c("float64", T(f64(rn(3, 4))), 0)


# ---- NaN-aware and paired reductions, cumulative products, differences ----

def _nan_reduce(fn):
    def call(x, dim=None, keepdim=False):
        if dim is None and not keepdim:
            return fn(x)
        return fn(x, dims_of(x, dim), keepdim)
    return call


op("nansum")(_nan_reduce(torch.nansum))
op("nanmean")(_nan_reduce(torch.nanmean))
op("countNonzero", diff=False)(lambda x, dim=None: torch.count_nonzero(x, None if dim is None else dims_of(x, dim)))
# torch 1.13 has no derivative for aminmax (Tensile's, built from amin/amax, has one)
op("aminmax", diff=False)(lambda x, opts=None: list(torch.aminmax(x, **kw(opts))))


def _moment_mean(fn):
    def call(x, dim=None, opts=None):
        o = kw(opts)
        return list(fn(x, None if dim is None else dims_of(x, dim), correction=o.get("correction", 1),
                       keepdim=o.get("keepdim", False)))
    return call


op("varMean")(_moment_mean(torch.var_mean))
op("stdMean")(_moment_mean(torch.std_mean))
op("cumprod")(lambda x, dim: torch.cumprod(x, dim))
op("logcumsumexp")(lambda x, dim: torch.logcumsumexp(x, dim))
op("diff")(lambda x, n=1, dim=-1, prepend=None, append=None: torch.diff(x, n, dim, prepend, append))


def with_nans(*shape, every=3):
    x = rn(*shape)
    x.view(-1)[::every] = float("nan")
    return x


def more_cases():
    for name in ("nansum", "nanmean"):
        c = Cases(name)
        c("all", T(with_nans(3, 4)))
        c("dim", T(with_nans(3, 4)), 1)
        c("dim_keepdim", T(with_nans(3, 4)), 0, True)
        c("negative_dims", T(with_nans(2, 3, 4)), [-1, 0])
        c("no_nan", T(rn(3, 4)), -1)
        c("all_nan_line", T(torch.tensor([[float("nan"), float("nan")], [1.0, float("nan")]]), grad=name == "nansum"), 1)
        # a line of only NaNs: nanmean's gradient there is NaN (0·∞, as PyTorch's), no finite differences
        c("noncontig", T(with_nans(4, 3), view=[["transpose", 0, 1]]), 1, gradcheck=False)
        c("size0", T(rn(0, 3)), 0)
        c("float64", T(f64(with_nans(3, 4))), 1)

    c = Cases("countNonzero")
    z = lambda *s: torch.where(torch.rand(s) < 0.4, 0.0, rn(*s))
    c("all", T(z(3, 4)))
    c("dim", T(z(3, 4)), 1)
    c("dims_negative", T(z(2, 3, 4)), [-1, 0])
    c("int32", T(ints(-2, 2, 3, 4)), 0)
    c("bool", T(bools(3, 4)), 1)
    c("noncontig", T(z(4, 3), view=[["transpose", 0, 1]]), 0)
    c("size0", T(rn(0, 3)), 0)

    c = Cases("aminmax")
    c("all", T(distinct(3, 4)))
    c("dim", T(distinct(3, 4)), {"dim": 1})
    c("negative_dim_keepdim", T(distinct(2, 3, 4)), {"dim": -2, "keepdim": True})
    c("noncontig", T(distinct(4, 3), view=[["transpose", 0, 1]]), {"dim": 0})
    c("int32", T(ints(-9, 9, 3, 4)), {"dim": 1})
    c("float64", T(f64(distinct(3, 4))), None)

    for name in ("varMean", "stdMean"):
        c = Cases(name)
        c("all", T(rn(3, 4)))
        c("dim", T(rn(3, 4)), 1)
        c("dims_keepdim", T(rn(2, 3, 4)), [0, -1], {"keepdim": True})
        c("correction0", T(rn(3, 4)), -1, {"correction": 0})
        c("noncontig", T(rn(4, 3), view=[["transpose", 0, 1]]), 1)
        c("float64", T(f64(rn(3, 4))), 0)

    c = Cases("cumprod")
    c("dim0", T(nonzero(3, 4)), 0)
    c("dim1", T(nonzero(3, 4)), 1)
    c("negative_dim", T(nonzero(2, 3, 4)), -1)
    c("one_zero", T(torch.tensor([[1.5, 0.0, -2.0, 0.7], [0.7, 1.2, -0.9, 1.1]])), 1)
    c("two_zeros", T(torch.tensor([[1.5, 0.0, -2.0, 0.0, 0.8], [0.0, 1.2, 0.0, 1.3, -0.6]])), 1)
    c("zero_first_last", T(torch.tensor([[0.0, 1.5, -2.0], [1.2, -0.6, 0.0]])), 1)
    c("noncontig", T(nonzero(4, 3), view=[["transpose", 0, 1]]), 1)
    c("zero_dim", T(nonzero()), 0)
    c("size0", T(rn(0, 3)), 0)
    c("int32", T(ints(-3, 4, 3, 4)), 1)
    c("float64", T(f64(nonzero(3, 4))), 0)

    c = Cases("logcumsumexp")
    c("dim0", T(rn(3, 4)), 0)
    c("dim1", T(rn(3, 4)), 1)
    c("negative_dim", T(rn(2, 3, 4)), -1)
    c("wide_range", T(torch.tensor([[-1000.0, 0.0, 3.0, -2.0], [50.0, -50.0, 60.0, 60.0]])), 1)
    c("neg_inf", T(torch.tensor([[float("-inf"), 0.0, 1.0], [float("-inf"), float("-inf"), 2.0]]), grad=False), 1)
    c("noncontig", T(rn(4, 3), view=[["transpose", 0, 1]]), 1)
    c("zero_dim", T(rn()), 0)
    c("size0", T(rn(0, 3)), 0)
    c("float64", T(f64(rn(3, 4))), 1)

    c = Cases("diff")
    c("default", T(rn(3, 5)))
    c("n2_dim0", T(rn(4, 3)), 2, 0)
    c("negative_dim", T(rn(2, 4, 3)), 1, -2)
    c("prepend_append", T(rn(3, 4)), 1, 1, T(rn(3, 2)), T(rn(3, 1)))
    c("n_exceeds", T(rn(2, 3)), 4, 1)
    c("n0", T(rn(2, 3)), 0)
    c("noncontig", T(rn(5, 3), view=[["transpose", 0, 1]]), 1, 1)
    c("bool", T(bools(2, 5)), 1, 1)
    c("int32", T(ints(-5, 5, 3, 4)), 1, 0)
    c("size0", T(rn(0, 3)), 1, 0)
    c("float64", T(f64(rn(3, 4))), 2, 1)
