"""torch 1.13's older top-level linear algebra: svd (V, not Vh), qr(some), lu (packed, get_infos),
lu_solve(b, LU, pivots), triangular_solve(b, A), geqrf, orgqr, ormqr, symeig, nuclear_norm,
frobenius_norm, ger, lobpcg (with explicit initial X). (svd_lowrank and pca_lowrank are random:
test/linalg-legacy.test.ts checks them against linalg.svd.)"""
import torch

from .spec import Cases, T, f64, kw, op, rn
from .ops_linalg import _signs, spd, wellcond
from .ops_linalg_lu import coldom, factored


def _svd(A, opts=None):
    """torch.svd with Tensile's sign convention (each U column's largest |entry| positive, V's
    matching column flipped alike); compute_uv=False gives zeros, which need no flip."""
    o = kw(opts)
    U, S, V = torch.svd(A, **o)
    if not o.get("compute_uv", True):
        return [U, S, V]
    s = _signs(U)
    k = S.shape[-1]
    V = torch.cat([V[..., :k] * s[..., :k], V[..., k:]], dim=-1)
    return [U * s, S, V]


def _lu(A, opts=None):
    o = kw(opts)
    pivot = o.pop("pivot", True)
    out = list(torch.lu(A, **o))
    if pivot is False:  # no LU without pivoting on torch's CPU: column-dominant inputs, no swaps
        k = min(A.shape[-2], A.shape[-1])
        assert torch.equal(out[1], torch.arange(1, k + 1, dtype=torch.int32).expand(out[1].shape))
    return out


def _symeig(A, opts=None):
    L, V = torch.symeig(A, **kw(opts))
    return [L, V * _signs(V) if V.numel() else V]


def _geqrf(A):
    a, tau = torch.geqrf(A)
    return [a, tau]


op("svd")(_svd)
op("qr")(lambda A, opts=None: list(torch.qr(A, **kw(opts))))
op("lu")(_lu)
op("luUnpack")(lambda LU, piv, opts=None: list(torch.lu_unpack(LU, piv, **kw(opts))))
op("luSolve")(lambda b, LU, piv: torch.lu_solve(b, LU, piv))
op("triangularSolve")(lambda b, A, opts=None: list(torch.triangular_solve(b, A, **kw(opts))))
op("geqrf", diff=False)(_geqrf)
op("orgqr")(lambda a, tau: torch.orgqr(a, tau))
# torch 1.13 has no ormqr derivative (Tensile's is gradchecked in test/linalg-legacy.test.ts)
op("ormqr", diff=False)(lambda a, tau, c, opts=None: torch.ormqr(a, tau, c, **kw(opts)))
op("symeig")(_symeig)
op("nuclearNorm")(lambda A, opts=None: torch.nuclear_norm(A, **kw(opts)) if (opts or {}).get("dim") is not None
                  else torch.nuclear_norm(A, keepdim=(opts or {}).get("keepdim", False)))
op("frobeniusNorm")(lambda A, opts=None: torch.frobenius_norm(A, **kw(opts)) if (opts or {}).get("dim") is not None
                    else torch.frobenius_norm(A))
op("ger")(lambda a, b: torch.ger(a, b))


def _lobpcg(A, opts=None):
    E, X = torch.lobpcg(A, **(opts or {}))  # k, B, X, n, iK, niter, tol, largest: torch's spelling
    return [E, X * _signs(X)]


op("lobpcg")(_lobpcg)


def geqrf_of(x):
    a, tau = torch.geqrf(x)
    return a.contiguous(), tau.contiguous()


def cases():
    c = Cases("svd")
    c("square", T(rn(3, 3)))
    c("tall", T(rn(5, 3)))
    c("wide", T(rn(2, 4)))
    c("batched", T(rn(2, 4, 3)))
    c("full_square", T(rn(3, 3)), {"some": False})
    c("no_uv", T(rn(4, 3)), {"computeUv": False})
    c("no_uv_wide_batched", T(rn(2, 2, 3)), {"computeUv": False, "some": True})
    c("noncontig", T(rn(3, 4), view=[["transpose", 0, 1]]))
    c("float64", T(f64(rn(4, 4))))

    c = Cases("qr")
    c("tall", T(rn(5, 3)))
    c("square", T(rn(4, 4)))
    c("batched", T(rn(2, 4, 3)))
    c("complete_square", T(rn(3, 3)), {"some": False})
    c("complete_tall", T(rn(4, 2), grad=False), {"some": False})
    c("some_true", T(rn(4, 2)), {"some": True})
    c("float64", T(f64(rn(4, 3))))

    c = Cases("lu")
    c("square", T(rn(4, 4)))
    c("batched", T(rn(2, 3, 3)))
    c("tall", T(rn(5, 3)))
    c("wide", T(rn(3, 5)))
    c("infos", T(rn(3, 3)), {"getInfos": True})
    sing = torch.tensor([[[1.0, 2.0, 3.0], [2.0, 4.0, 6.0], [1.0, 1.0, 1.0]], [[2.0, 1.0, 0.0], [1.0, 3.0, 1.0], [0.0, 1.0, 4.0]]])
    c("infos_singular", T(sing, grad=False), {"getInfos": True})
    c("singular_no_error", T(sing[0], grad=False))
    c("no_pivot", T(coldom(4, 4)), {"pivot": False})
    c("noncontig", T(rn(4, 4), view=[["transpose", 0, 1]]))
    c("float64", T(f64(rn(4, 4))))

    c = Cases("luUnpack")
    LU, piv = factored(3, 3)
    c("square", T(LU), T(piv))
    LU, piv = factored(2, 3, 3)
    c("batched", T(LU), T(piv))
    c("no_pivots", T(LU), T(piv), {"unpackPivots": False})

    c = Cases("luSolve")
    LU, piv = factored(3, 3)
    c("plain", T(rn(3, 2)), T(LU), T(piv))
    LU, piv = factored(2, 4, 4)
    c("batched", T(rn(2, 4, 1)), T(LU), T(piv))
    LU, piv = factored(4, 4, dtype=torch.float64)
    c("float64", T(f64(rn(4, 2))), T(LU), T(piv))

    c = Cases("triangularSolve")
    c("default_upper", T(rn(3, 2)), T(wellcond(3, 3)))
    c("lower", T(rn(4, 3)), T(wellcond(4, 4)), {"upper": False})
    c("transpose", T(rn(3, 2)), T(wellcond(3, 3)), {"transpose": True})
    c("lower_transpose_unit", T(rn(3, 2)), T(wellcond(3, 3)), {"upper": False, "transpose": True, "unitriangular": True})
    c("batched_broadcast", T(rn(4, 3, 2)), T(wellcond(2, 1, 3, 3)), {"upper": True})
    c("noncontig", T(rn(2, 3), view=[["transpose", 0, 1]]), T(wellcond(3, 3), view=[["transpose", 0, 1]]))
    c("float64", T(f64(rn(4, 2))), T(f64(wellcond(4, 4))), {"upper": False})

    c = Cases("geqrf")
    c("tall", T(rn(5, 3)))
    c("square", T(rn(4, 4)))
    c("wide", T(rn(3, 5)))
    c("batched", T(rn(2, 4, 3)))
    c("zero_column", T(torch.tensor([[0.0, 1.0], [0.0, 2.0], [0.0, -1.0]])))
    c("one_row", T(rn(1, 3)))
    c("noncontig", T(rn(3, 4), view=[["transpose", 0, 1]]))
    c("float64", T(f64(rn(5, 4))))

    c = Cases("orgqr")
    c("geqrf", *[T(t) for t in geqrf_of(rn(4, 3))])
    c("batched", *[T(t) for t in geqrf_of(rn(2, 4, 2))])
    c("float64", *[T(t) for t in geqrf_of(f64(rn(5, 3)))])

    c = Cases("ormqr")
    a, tau = geqrf_of(rn(4, 3))
    c("left", T(a), T(tau), T(rn(4, 2)))
    c("left_transpose", T(a), T(tau), T(rn(4, 2)), {"transpose": True})
    c("right", T(a), T(tau), T(rn(2, 4)), {"left": False})
    c("right_transpose", T(a), T(tau), T(rn(3, 4)), {"left": False, "transpose": True})
    a, tau = geqrf_of(rn(2, 3, 3))
    c("batched", T(a), T(tau), T(rn(2, 3, 2)))
    a, tau = geqrf_of(rn(4, 3))
    c("fewer_tau", T(a), T(tau[:2].contiguous()), T(rn(4, 2)))
    a, tau = geqrf_of(f64(rn(3, 3)))
    c("float64", T(a), T(tau), T(f64(rn(3, 3))), {"left": True, "transpose": False})

    # symeig reads one triangle and its gradient (PyTorch's) is symmetric: no elementwise gradcheck
    c = Cases("symeig")
    c("values", T(spd(4, 4), grad=False))
    c("vectors_upper", T(spd(3, 3) + torch.tril(rn(3, 3), -1)), {"eigenvectors": True}, gradcheck=False)
    c("vectors_lower", T(spd(3, 3) + torch.triu(rn(3, 3), 1)), {"eigenvectors": True, "upper": False}, gradcheck=False)
    c("batched", T(spd(2, 3, 3)), {"eigenvectors": True}, gradcheck=False)
    c("float64", T(f64(spd(4, 4))), {"eigenvectors": True}, gradcheck=False)

    c = Cases("nuclearNorm")
    c("plain", T(rn(3, 4)))
    c("keepdim", T(rn(4, 3)), {"keepdim": True})
    c("dim", T(rn(2, 3, 3)), {"dim": [1, 2]})
    c("dim_keepdim", T(rn(3, 2, 4)), {"dim": [0, 2], "keepdim": True})
    c("float64", T(f64(rn(3, 3))))

    c = Cases("frobeniusNorm")
    c("all", T(rn(2, 3, 4)))
    c("dim2", T(rn(2, 3, 4)), {"dim": [1, 2]})
    c("dim1_keepdim", T(rn(3, 4)), {"dim": [0], "keepdim": True})
    c("float64", T(f64(rn(3, 3))), {"dim": [-1, -2]})

    c = Cases("ger")
    c("plain", T(rn(3)), T(rn(4)))
    c("float64", T(f64(rn(2))), T(f64(rn(3))))

    # X given (torch draws it from its own generator otherwise); E's gradient is compared, X's is
    # gradchecked in test/linalg-legacy.test.ts
    c = Cases("lobpcg")
    c("largest", T(f64(spd(12, 12))), {"k": 2, "X": T(f64(rn(12, 2)), grad=False)})
    Q = torch.linalg.qr(f64(rn(10, 10))).Q
    spread = Q @ torch.diag(torch.arange(1.0, 11.0, dtype=torch.float64)) @ Q.T  # eigenvalues 1..10
    c("smallest", T((spread + spread.T) / 2), {"k": 2, "largest": False, "X": T(f64(rn(10, 3)), grad=False)})
    c("batched", T(f64(spd(2, 9, 9))), {"k": 1, "X": T(f64(rn(2, 9, 2)), grad=False)})
    c("float32", T(spd(9, 9)), {"k": 2, "X": T(rn(9, 2), grad=False)})
    c("generalized", T(f64(spd(9, 9)), grad=False), {"k": 2, "B": T(f64(spd(9, 9)), grad=False), "X": T(f64(rn(9, 2)), grad=False)})
