"""Sorting: sort, argsort, topk (values and int32 indices; stable ties, NaN above +inf)."""
import torch

from .spec import Cases, T, distinct, f64, grid, ints, op

op("sort")(lambda x, dim=-1, descending=False: list(torch.sort(x, dim=dim, descending=descending, stable=True)))
op("argsort", diff=False)(lambda x, dim=-1, descending=False:
                          torch.sort(x, dim=dim, descending=descending, stable=True).indices)
op("unique", diff=False)(lambda x, opts=None: (lambda r: list(r) if isinstance(r, tuple) else r)(
    torch.unique(x, sorted=True, return_inverse=bool((opts or {}).get("returnInverse")),
                 return_counts=bool((opts or {}).get("returnCounts")))))
op("topk")(lambda x, k, dim=-1, largest=True, sorted=True: list(torch.topk(x, k, dim, largest, sorted)))


def with_nan(*shape):
    x = distinct(*shape)
    x.view(-1)[::3] = float("nan")
    return x


def cases():
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
