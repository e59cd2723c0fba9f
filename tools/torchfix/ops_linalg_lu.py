"""torch.linalg's LU family (lu_factor, lu, lu_unpack, lu_solve), solve_triangular, lstsq, vander,
householder_product."""
import torch

from .spec import Cases, T, f64, ints, kw, op, rn
from .ops_linalg import wellcond


def _eye_like(a, m):
    return torch.eye(m, dtype=a.dtype).expand(*a.shape[:-2], m, m)


def _no_pivot_check(a, P=None, piv=None):
    """torch 1.13 has no LU without pivoting on the CPU ("not implemented on the CPU"). The samples
    that ask for it use column diagonally dominant matrices, where partial pivoting swaps no rows:
    the pivoted factors are the unpivoted ones. Asserts that no row was swapped."""
    if P is not None:
        assert torch.equal(P.detach(), _eye_like(a, a.shape[-2])), "pivot=False sample needs a matrix that pivoting leaves alone"
    if piv is not None:
        k = min(a.shape[-2], a.shape[-1])
        assert torch.equal(piv, torch.arange(1, k + 1, dtype=torch.int32).expand(piv.shape)), "pivot=False sample swaps rows"


def _lu_factor(a, opts=None):
    o = kw(opts)
    if o.pop("pivot", True) is False:
        LU, piv = torch.linalg.lu_factor(a)
        _no_pivot_check(a, piv=piv)
        return [LU, piv]
    return list(torch.linalg.lu_factor(a, **o))


def _lu(a, opts=None):
    o = kw(opts)
    if o.pop("pivot", True) is False:
        P, L, U = torch.linalg.lu(a)
        _no_pivot_check(a, P=P)
        return [a.new_empty(0).detach(), L, U]  # Tensile, as PyTorch on CUDA: P is empty
    return list(torch.linalg.lu(a, **o))


op("linalg.luFactor")(_lu_factor)
op("linalg.lu")(_lu)
op("linalg.luUnpack")(lambda LU, piv, opts=None: list(torch.lu_unpack(LU, piv, **kw(opts))))
op("linalg.luSolve")(lambda LU, piv, B, opts=None: torch.linalg.lu_solve(LU, piv, B, **kw(opts)))
op("linalg.solveTriangular")(lambda A, B, opts: torch.linalg.solve_triangular(A, B, **kw(opts)))
def _lstsq(A, B, opts=None):
    # LAPACK's gelsy (the default driver) rounds differently from run to run here (its column
    # pivoting's norms), which made the fixtures unreproducible: float32 samples are solved in
    # float64 and rounded back (Tensile also solves in float64), so their bytes are stable.
    if A.dtype == torch.float32:
        out = torch.linalg.lstsq(A.double(), B.double(), **kw(opts))
        return [out.solution.float(), out.residuals.float(), out.rank, out.singular_values.float()]
    return list(torch.linalg.lstsq(A, B, **kw(opts)))


op("linalg.lstsq")(_lstsq)
op("linalg.vander")(lambda x, opts=None: torch.linalg.vander(x, **(opts or {})))  # N keeps its spelling
op("linalg.householderProduct")(lambda A, tau: torch.linalg.householder_product(A, tau))


def coldom(*shape, dtype=torch.float32):
    """Matrices whose diagonal dominates each column (|a_jj| > sum of the column's other |a_ij|):
    partial pivoting swaps no rows, so LU with and without pivoting agree."""
    x = rn(*shape)
    n = min(shape[-2], shape[-1])
    d = torch.zeros(shape)
    d[..., range(n), range(n)] = 4.0 * shape[-2]
    return (x + d).to(dtype)


def int_rank2(m, n):
    """m x n matrices of rank exactly 2 in float32 and float64 alike (small integer entries)."""
    return torch.round(rn(m, 2) * 2) @ torch.round(rn(2, n) * 2)


def factored(*shape, dtype=torch.float32):
    """[LU, pivots] of a well-conditioned matrix (the inputs lu_solve and lu_unpack expect),
    contiguous (LAPACK's results are column-major)."""
    LU, piv = torch.linalg.lu_factor(wellcond(*shape).to(dtype))
    return LU.contiguous(), piv.contiguous()


def lu_of(x):
    LU, piv = torch.linalg.lu_factor(x)
    return LU.contiguous(), piv.contiguous()


def geqrf(x):
    A, tau = torch.geqrf(x)
    return A.contiguous(), tau.contiguous()


def cases():
    c = Cases("linalg.luFactor")
    c("square", T(rn(4, 4)))
    c("batched", T(rn(2, 3, 3)))
    c("tall", T(rn(5, 3)))
    c("wide", T(rn(3, 5)))
    c("wide_batched", T(rn(2, 2, 4)))
    c("noncontig", T(rn(4, 4), view=[["transpose", 0, 1]]))
    c("pivot_true", T(rn(3, 3)), {"pivot": True})
    c("no_pivot", T(coldom(4, 4)), {"pivot": False})
    c("no_pivot_tall", T(coldom(4, 3)), {"pivot": False})
    c("one", T(rn(1, 1)))
    c("size0_rows", T(rn(0, 3)))
    c("size0_batch", T(rn(0, 2, 2)))
    c("float64", T(f64(rn(4, 4))))

    # P comes first and has no gradient: lu's L and U gradients are luFactor's rule, gradchecked in
    # test/ops-linalg.test.ts
    c = Cases("linalg.lu")
    c("square", T(rn(4, 4)))
    c("batched", T(rn(2, 3, 3)))
    c("tall", T(rn(5, 3)))
    c("wide", T(rn(3, 5)))
    c("no_pivot", T(coldom(3, 3)), {"pivot": False})
    c("no_pivot_wide", T(coldom(2, 4)), {"pivot": False})
    c("singular", T(torch.tensor([[1.0, 2.0, 3.0], [2.0, 4.0, 6.0], [1.0, 1.0, 1.0]])))
    c("zeros", T(torch.zeros(3, 3)))
    c("size0_cols", T(rn(3, 0)))
    c("size0_rows", T(rn(0, 3)))
    c("float64", T(f64(rn(4, 4))))

    c = Cases("linalg.luUnpack")
    for name, shape in (("square", (3, 3)), ("tall", (4, 2)), ("wide", (2, 4)), ("batched", (2, 3, 3))):
        LU, piv = lu_of(rn(*shape))
        c(name, T(LU), T(piv))
    LU, piv = lu_of(rn(3, 3))
    c("no_data", T(LU), T(piv), {"unpackData": False})
    c("no_pivots", T(LU), T(piv), {"unpackPivots": False})
    c("float64", *[T(t) for t in lu_of(f64(rn(3, 3)))])

    c = Cases("linalg.luSolve")
    LU, piv = factored(3, 3)
    c("left", T(LU), T(piv), T(rn(3, 2)))
    c("adjoint", T(LU), T(piv), T(rn(3, 2)), {"adjoint": True})
    c("right", T(LU), T(piv), T(rn(2, 3)), {"left": False})
    c("right_adjoint", T(LU), T(piv), T(rn(4, 3)), {"left": False, "adjoint": True})
    LU, piv = factored(2, 4, 4)
    c("batched", T(LU), T(piv), T(rn(2, 4, 1)))
    c("broadcast_lu", T(LU), T(piv), T(rn(4, 3)))
    LU, piv = factored(3, 3)
    c("broadcast_b", T(LU), T(piv), T(rn(2, 3, 2)), {"adjoint": True})
    c("noncontig_b", T(LU), T(piv), T(rn(2, 3), view=[["transpose", 0, 1]]))
    c("size0_cols", T(LU), T(piv), T(rn(3, 0)))
    LU, piv = factored(4, 4, dtype=torch.float64)
    c("float64", T(LU), T(piv), T(f64(rn(4, 2))), {"left": True, "adjoint": False})

    c = Cases("linalg.solveTriangular")
    c("upper", T(wellcond(3, 3)), T(rn(3, 2)), {"upper": True})
    c("lower", T(wellcond(4, 4)), T(rn(4, 3)), {"upper": False})
    c("lower_unit", T(wellcond(3, 3)), T(rn(3, 2)), {"upper": False, "unitriangular": True})
    c("upper_unit", T(wellcond(3, 3)), T(rn(3, 1)), {"upper": True, "unitriangular": True})
    c("right_upper", T(wellcond(3, 3)), T(rn(2, 3)), {"upper": True, "left": False})
    c("right_lower_unit", T(wellcond(3, 3)), T(rn(4, 3)), {"upper": False, "left": False, "unitriangular": True})
    c("batched", T(wellcond(2, 3, 3)), T(rn(2, 3, 2)), {"upper": False})
    c("broadcast", T(wellcond(2, 1, 3, 3)), T(rn(4, 3, 2)), {"upper": True})
    c("broadcast_right", T(wellcond(3, 3)), T(rn(2, 2, 3)), {"upper": False, "left": False})
    c("noncontig", T(wellcond(3, 3), view=[["transpose", 0, 1]]), T(rn(2, 3), view=[["transpose", 0, 1]]), {"upper": True})
    c("size0_cols", T(wellcond(3, 3)), T(rn(3, 0)), {"upper": True})
    c("size0_n", T(rn(0, 0)), T(rn(0, 2)), {"upper": False})
    c("float64", T(f64(wellcond(4, 4))), T(f64(rn(4, 2))), {"upper": False})

    c = Cases("linalg.lstsq")
    c("tall", T(rn(5, 3)), T(rn(5, 2)))
    c("square", T(wellcond(3, 3)), T(rn(3, 2)))
    c("wide_min_norm", T(rn(3, 5)), T(rn(3, 2)))
    # torch 1.13's lstsq backward fails for a vector B ("Dimension out of range", "shapes cannot be
    # multiplied") except for B's gradient with a 2-D A: only that one is compared here; the vector
    # case's gradients are gradchecked in test/ops-linalg.test.ts
    c("vector", T(rn(5, 3), grad=False), T(rn(5)))
    c("batched_vector", T(rn(2, 4, 3), grad=False), T(rn(2, 4), grad=False), {"driver": "gelsd"})
    c("broadcast", T(rn(2, 1, 5, 3)), T(rn(1, 3, 5, 2)))
    c("broadcast_gelsd", T(rn(2, 1, 5, 3)), T(rn(1, 3, 5, 2)), {"driver": "gelsd"})
    c("gels_tall", T(rn(5, 3)), T(rn(5, 2)), {"driver": "gels"})
    c("gels_wide", T(rn(2, 4)), T(rn(2, 2)), {"driver": "gels"})
    c("gels_vector", T(rn(4, 2), grad=False), T(rn(4)), {"driver": "gels"})
    c("gelsy", T(rn(2, 4, 3)), T(rn(2, 4, 1)), {"driver": "gelsy"})
    c("gelsd_tall", T(rn(6, 3)), T(rn(6, 2)), {"driver": "gelsd"})
    c("gelss_wide", T(rn(3, 4)), T(rn(3, 2)), {"driver": "gelss"})
    c("noncontig", T(rn(3, 5), view=[["transpose", 0, 1]]), T(rn(5, 2)))
    # rank-deficient A: solution and rank as the SVD drivers give (gels's has no meaning there);
    # the gradient of the truncated solution is PyTorch's formula, not the derivative (rank drops)
    c("rank_deficient_gelsd", T(int_rank2(5, 3)), T(rn(5, 2)), {"driver": "gelsd"}, gradcheck=False)
    c("rank_deficient_gelsy", T(int_rank2(4, 4), grad=False), T(rn(4, 1), grad=False))
    c("rcond_drops", T(torch.diag(torch.tensor([3.0, 1.0, 0.05])) + 0.01 * rn(3, 3)), T(rn(3, 2)),
      {"rcond": 0.1, "driver": "gelss"}, gradcheck=False)
    c("size0_rows", T(rn(0, 3), grad=False), T(rn(0, 2), grad=False))
    c("size0_batch", T(rn(0, 3, 3)), T(rn(0, 3, 2)), {"driver": "gelsd"})
    c("float64_gelsd", T(f64(rn(4, 3))), T(f64(rn(4, 2))), {"driver": "gelsd", "rcond": None})

    c = Cases("linalg.vander")
    c("plain", T(rn(4)))
    c("N", T(rn(3)), {"N": 5})
    c("N2", T(rn(3)), {"N": 2})
    c("batched", T(rn(2, 3)))
    c("with_zero", T(torch.tensor([0.0, 1.5, -2.0])), {"N": 4})
    c("scalar", T(rn()), {"N": 3})
    c("noncontig", T(rn(3, 2), view=[["transpose", 0, 1]]))
    c("int32", T(ints(-3, 4, 4)))
    c("size0_batch", T(rn(0, 3)))
    c("float64", T(f64(rn(3))), {"N": 4})

    c = Cases("linalg.householderProduct")
    A, tau = geqrf(rn(4, 3))
    c("geqrf", T(A), T(tau))
    c("fewer_tau", T(rn(4, 3)), T(rn(2)))
    c("square", T(rn(3, 3)), T(rn(3)))
    c("batched", T(rn(2, 4, 2)), T(rn(2, 2)))
    c("no_tau", T(rn(3, 2)), T(torch.zeros(0)))
    c("noncontig", T(rn(3, 4), view=[["transpose", 0, 1]]), T(rn(3)))
    A, tau = geqrf(f64(rn(5, 3)))
    c("float64", T(A), T(tau))
