"""Linear algebra: matmul, mm, bmm, t, outer, dot."""
import torch

from .spec import Cases, T, away, distinct, f64, ints, kw, op, rn

op("matmul")(lambda a, b: torch.matmul(a, b))
op("mm")(lambda a, b: torch.mm(a, b))
op("bmm")(lambda a, b: torch.bmm(a, b))
op("t")(lambda x: torch.t(x))
op("outer")(lambda a, b: torch.outer(a, b))
op("dot")(lambda a, b: torch.dot(a, b))


def cases():
    einsum_cases()
    more_cases()
    decomp_cases()
    pdist_cases()
    c = Cases("matmul")
    c("vec_vec", T(rn(4)), T(rn(4)))
    c("vec_mat", T(rn(3)), T(rn(3, 4)))
    c("mat_vec", T(rn(2, 3)), T(rn(3)))
    c("mat_mat", T(rn(2, 3)), T(rn(3, 4)))
    c("batch_mat", T(rn(2, 2, 3)), T(rn(3, 4)))
    c("mat_batch", T(rn(2, 3)), T(rn(2, 3, 4)))
    c("vec_batch", T(rn(3)), T(rn(2, 3, 4)))
    c("batch_vec", T(rn(2, 4, 3)), T(rn(3)))
    c("broadcast_batch", T(rn(2, 1, 3, 4)), T(rn(3, 4, 2)))
    c("noncontig", T(rn(3, 2), view=[["transpose", 0, 1]]), T(rn(4, 3), view=[["transpose", 0, 1]]))
    c("noncontig_batch", T(rn(3, 2, 4), view=[["permute", [1, 2, 0]]]), T(rn(3, 2)))
    c("size0_rows", T(rn(0, 3)), T(rn(3, 2)))
    c("size0_inner", T(rn(2, 0)), T(rn(0, 3)))
    c("float64", T(f64(rn(2, 3))), T(f64(rn(3, 4))))

    c = Cases("mm")
    c("plain", T(rn(2, 3)), T(rn(3, 4)))
    c("noncontig", T(rn(3, 2), view=[["transpose", 0, 1]]), T(rn(3, 8), view=[["index", [":", "::2"]]]))
    c("size0_inner", T(rn(2, 0)), T(rn(0, 3)))
    c("size0_rows", T(rn(0, 3)), T(rn(3, 2)))
    c("float64", T(f64(rn(3, 3))), T(f64(rn(3, 2))))

    c = Cases("bmm")
    c("plain", T(rn(2, 2, 3)), T(rn(2, 3, 4)))
    c("noncontig", T(rn(2, 3, 2), view=[["transpose", 1, 2]]), T(rn(3, 2, 4), view=[["transpose", 0, 1]]))
    c("size0_batch", T(rn(0, 2, 3)), T(rn(0, 3, 4)))
    c("float64", T(f64(rn(2, 2, 3))), T(f64(rn(2, 3, 2))))

    c = Cases("t")
    c("matrix", T(rn(2, 3)))
    c("vector", T(rn(4)))
    c("zero_dim", T(rn()))
    c("noncontig", T(rn(4, 3), view=[["index", ["::2", ":"]]]))
    c("size0", T(rn(0, 3)))

    c = Cases("outer")
    c("plain", T(rn(3)), T(rn(4)))
    c("noncontig", T(rn(6), view=[["index", ["::2"]]]), T(rn(2)))
    c("size0", T(rn(0)), T(rn(3)))
    c("float64", T(f64(rn(3))), T(f64(rn(2))))

    c = Cases("dot")
    c("plain", T(rn(5)), T(rn(5)))
    c("noncontig", T(rn(10), view=[["index", ["1::2"]]]), T(rn(5)))
    c("size0", T(rn(0)), T(rn(0)))
    c("float64", T(f64(rn(4))), T(f64(rn(4))))


op("einsum")(lambda eq, *ts: torch.einsum(eq, *ts))


def einsum_cases():
    c = Cases("einsum")
    c("matmul", "ij,jk->ik", T(rn(2, 3)), T(rn(3, 4)))
    c("batched", "bij,bjk->bik", T(rn(2, 3, 4)), T(rn(2, 4, 5)))
    c("attention_scores", "bhqd,bhkd->bhqk", T(rn(2, 2, 3, 4)), T(rn(2, 2, 5, 4)))
    c("dot", "i,i->", T(rn(5)), T(rn(5)))
    c("outer", "i,j->ij", T(rn(3)), T(rn(4)))
    c("transpose", "ij->ji", T(rn(2, 3)))
    c("sum_dim", "ij->j", T(rn(3, 4)))
    c("sum_all", "ijk->", T(rn(2, 3, 4)))
    c("implicit_output", "ij,jk", T(rn(2, 3)), T(rn(3, 4)))
    c("three_operands", "ij,jk,kl->il", T(rn(2, 3)), T(rn(3, 4)), T(rn(4, 2)))
    c("bilinear", "bi,oij,bj->bo", T(rn(3, 2)), T(rn(4, 2, 5)), T(rn(3, 5)))
    c("summed_in_one", "ijk,jl->il", T(rn(2, 3, 4)), T(rn(3, 5)))
    c("broadcast_size1", "ij,ij->ij", T(rn(1, 3)), T(rn(4, 3)))
    c("noncontig", "ij,jk->ik", T(rn(3, 2), view=[["transpose", 0, 1]]), T(rn(3, 4)))
    c("float64", "ij,jk->ki", T(f64(rn(2, 3))), T(f64(rn(3, 4))))
    # "..." broadcast dims, right-aligned across operands
    c("ellipsis_batched", "...ij,...jk->...ik", T(rn(2, 3, 4)), T(rn(2, 4, 5)))
    c("ellipsis_broadcast", "...ij,...jk->...ik", T(rn(2, 1, 3, 4)), T(rn(5, 4, 2)))
    c("ellipsis_empty", "...ij,...jk->...ik", T(rn(3, 4)), T(rn(4, 2)))
    c("ellipsis_one_operand", "...ij,jk->...ik", T(rn(2, 3, 4)), T(rn(4, 5)))
    c("ellipsis_implicit", "...ji", T(rn(2, 3, 4)))
    c("ellipsis_summed", "...ij->ij", T(rn(2, 3, 4)))
    c("ellipsis_middle", "i...j,j->i...", T(rn(2, 3, 4, 5)), T(rn(5)))
    c("ellipsis_output_first", "b...d->...bd", T(rn(2, 3, 4, 5)))
    # a letter repeated within one operand: its diagonal
    c("diagonal", "ii->i", T(rn(3, 3)))
    c("trace_implicit", "ii", T(rn(4, 4)))
    c("trace", "ii->", T(rn(4, 4)))
    c("batch_diagonal", "...ii->...i", T(rn(2, 3, 3)))
    c("diagonal_then_contract", "iij,j->i", T(rn(3, 3, 4)), T(rn(4)))
    c("diagonal_three", "iii->i", T(rn(2, 2, 2)))
    c("diagonal_apart", "iji->j", T(rn(3, 4, 3)))
    c("diagonal_noncontig", "ii->i", T(rn(3, 3), view=[["transpose", 0, 1]]))


# ---- addmm family, products, diagonals, distances, dense matrix functions, torch.linalg ----

def _scaled(fn):
    return lambda inp, a, b, opts=None: fn(inp, a, b, **kw(opts))


op("mv")(lambda a, v: torch.mv(a, v))
op("addmm")(_scaled(torch.addmm))
op("addmv")(_scaled(torch.addmv))
op("addr")(_scaled(torch.addr))
op("baddbmm")(_scaled(torch.baddbmm))
op("addbmm")(_scaled(torch.addbmm))
op("inner")(lambda a, b: torch.inner(a, b))
op("vdot")(lambda a, b: torch.vdot(a, b))
# torch 1.13 kron fails on some non-contiguous views ("view size is not compatible"): the values are the same
op("kron")(lambda a, b: torch.kron(a.contiguous(), b.contiguous()))
op("trace")(lambda x: torch.trace(x))
op("diagonal")(lambda x, offset=0, dim1=0, dim2=1: torch.diagonal(x, offset, dim1, dim2))
op("diagEmbed")(lambda x, offset=0, dim1=-2, dim2=-1: torch.diag_embed(x, offset, dim1, dim2))
op("cross")(lambda a, b, dim=None: torch.cross(a, b, dim))
op("tensordot")(lambda a, b, dims=2: torch.tensordot(a, b, dims))
op("cdist")(lambda a, b, p=2: torch.cdist(a, b, p))
op("dist")(lambda a, b, p=2: torch.dist(a, b, p))
op("pdist")(lambda x, p=2: torch.pdist(x, p))
op("matrixPower")(lambda x, n: torch.matrix_power(x, n))
op("det")(lambda x: torch.det(x))
op("slogdet")(lambda x: list(torch.slogdet(x)))
op("logdet")(lambda x: torch.logdet(x))
op("inverse")(lambda x: torch.inverse(x))
op("cholesky")(lambda x, upper=False: torch.cholesky(x, upper))
op("linalg.vectorNorm")(lambda x, ord=2, dim=None, keepdim=False: torch.linalg.vector_norm(x, ord, dim, keepdim))
op("linalg.matrixNorm")(lambda x, ord="fro", dim=(-2, -1), keepdim=False:
                        torch.linalg.matrix_norm(x, ord, tuple(dim), keepdim))
op("linalg.norm")(lambda x, ord=None, dim=None, keepdim=False:
                  torch.linalg.norm(x, ord, tuple(dim) if isinstance(dim, list) else dim, keepdim))
op("linalg.det")(lambda x: torch.linalg.det(x))
op("linalg.slogdet")(lambda x: list(torch.linalg.slogdet(x)))
op("linalg.inv")(lambda x: torch.linalg.inv(x))
op("linalg.solve")(lambda a, b, opts=None: torch.linalg.solve(a, b, **kw(opts)))
op("linalg.cholesky")(lambda x, opts=None: torch.linalg.cholesky(x, **kw(opts)))
op("linalg.matrixPower")(lambda x, n: torch.linalg.matrix_power(x, n))
op("linalg.cross")(lambda a, b, dim=-1: torch.linalg.cross(a, b, dim=dim))
op("linalg.diagonal")(lambda x, opts=None: torch.linalg.diagonal(x, **kw(opts)))
op("linalg.multiDot")(lambda ts: torch.linalg.multi_dot(ts))


def wellcond(*shape, dtype=torch.float32):
    """Random square matrices (last two dims n x n) with n added to the diagonal: far from singular."""
    n = shape[-1]
    return (rn(*shape) + n * torch.eye(n)).to(dtype)


def spd(*shape, dtype=torch.float32):
    """Symmetric positive-definite matrices: X X^T + n I."""
    x = rn(*shape)
    n = shape[-1]
    return (x @ x.transpose(-1, -2) + n * torch.eye(n)).to(dtype)


def more_cases():
    c = Cases("mv")
    c("plain", T(rn(3, 4)), T(rn(4)))
    c("noncontig", T(rn(4, 3), view=[["transpose", 0, 1]]), T(rn(8), view=[["index", ["::2"]]]))
    c("size0", T(rn(0, 3)), T(rn(3)))
    c("float64", T(f64(rn(2, 3))), T(f64(rn(3))))

    c = Cases("addmm")
    c("plain", T(rn(2, 4)), T(rn(2, 3)), T(rn(3, 4)))
    c("broadcast_bias", T(rn(4)), T(rn(2, 3)), T(rn(3, 4)))
    c("beta_alpha", T(rn(2, 4)), T(rn(2, 3)), T(rn(3, 4)), {"beta": 0.5, "alpha": -2.0})
    c("beta0", T(rn(2, 4), grad=False), T(rn(2, 3)), T(rn(3, 4)), {"beta": 0})
    c("noncontig", T(rn(4, 2), view=[["transpose", 0, 1]]), T(rn(3, 2), view=[["transpose", 0, 1]]), T(rn(3, 4)))
    c("float64", T(f64(rn(2, 2))), T(f64(rn(2, 3))), T(f64(rn(3, 2))), {"alpha": 3.0})

    c = Cases("addmv")
    c("plain", T(rn(3)), T(rn(3, 4)), T(rn(4)))
    c("broadcast", T(rn(1)), T(rn(3, 4)), T(rn(4)), {"beta": 2.0, "alpha": 0.5})
    c("float64", T(f64(rn(2))), T(f64(rn(2, 3))), T(f64(rn(3))))

    c = Cases("addr")
    c("plain", T(rn(3, 4)), T(rn(3)), T(rn(4)))
    c("beta_alpha", T(rn(3, 1)), T(rn(3)), T(rn(4)), {"beta": -1.0, "alpha": 2.0})
    c("float64", T(f64(rn(2, 3))), T(f64(rn(2))), T(f64(rn(3))))

    c = Cases("baddbmm")
    c("plain", T(rn(2, 3, 4)), T(rn(2, 3, 5)), T(rn(2, 5, 4)))
    c("broadcast_beta_alpha", T(rn(3, 4)), T(rn(2, 3, 5)), T(rn(2, 5, 4)), {"beta": 0.5, "alpha": 1.5})
    c("float64", T(f64(rn(2, 2, 2))), T(f64(rn(2, 2, 3))), T(f64(rn(2, 3, 2))))

    c = Cases("addbmm")
    c("plain", T(rn(3, 4)), T(rn(2, 3, 5)), T(rn(2, 5, 4)))
    c("beta_alpha", T(rn(4)), T(rn(3, 3, 2)), T(rn(3, 2, 4)), {"beta": 2.0, "alpha": -0.5})
    c("float64", T(f64(rn(2, 2))), T(f64(rn(2, 2, 3))), T(f64(rn(2, 3, 2))))

    c = Cases("inner")
    c("vectors", T(rn(4)), T(rn(4)))
    c("matrices", T(rn(2, 3)), T(rn(4, 3)))
    c("nd", T(rn(2, 3, 4)), T(rn(5, 4)))
    c("scalar", T(rn()), T(rn(2, 3)))
    c("noncontig", T(rn(3, 2), view=[["transpose", 0, 1]]), T(rn(3)))
    c("float64", T(f64(rn(2, 3))), T(f64(rn(3))))

    c = Cases("vdot")
    c("plain", T(rn(5)), T(rn(5)))
    c("noncontig", T(rn(10), view=[["index", ["1::2"]]]), T(rn(5)))
    c("float64", T(f64(rn(4))), T(f64(rn(4))))

    c = Cases("kron")
    c("matrices", T(rn(2, 3)), T(rn(3, 2)))
    c("vectors", T(rn(3)), T(rn(2)))
    c("mixed_ndim", T(rn(2, 2, 2)), T(rn(3, 1)))
    c("noncontig", T(rn(3, 2), view=[["transpose", 0, 1]]), T(rn(2, 2)))
    c("int32", T(ints(-3, 3, 2, 2)), T(ints(-3, 3, 2, 3)))
    c("float64", T(f64(rn(2, 2))), T(f64(rn(2, 3))))

    c = Cases("trace")
    c("square", T(rn(4, 4)))
    c("wide", T(rn(2, 5)))
    # torch 1.13's trace backward is wrong for tall matrices (it fills every (m+1)-th flat element)
    c("tall", T(rn(5, 3), grad=False))
    c("noncontig", T(rn(4, 3), view=[["transpose", 0, 1]]))
    c("int32", T(ints(-5, 5, 3, 3)))
    c("size0", T(rn(0, 3)))
    c("float64", T(f64(rn(3, 3))))

    c = Cases("diagonal")
    c("main", T(rn(3, 4)))
    c("offset_pos", T(rn(3, 4)), 1)
    c("offset_neg", T(rn(4, 3)), -2)
    c("offset_out_of_range", T(rn(3, 4)), 5)
    c("dims", T(rn(2, 3, 4)), 0, 1, 2)
    c("negative_dims_swapped", T(rn(3, 2, 4)), 1, -1, 0)
    c("noncontig", T(rn(4, 3, 2), view=[["permute", [2, 0, 1]]]), -1, 1, 2)
    c("int32", T(ints(-5, 5, 3, 3)))
    c("float64", T(f64(rn(3, 3))), 0)

    c = Cases("diagEmbed")
    c("plain", T(rn(2, 3)))
    c("offset", T(rn(2, 3)), 1)
    c("offset_neg_dims", T(rn(2, 3)), -1, 0, 2)
    c("dims_swapped", T(rn(2, 3)), 0, -1, -2)
    c("vector", T(rn(4)))
    c("noncontig", T(rn(3, 2), view=[["transpose", 0, 1]]), 2, 1, 0)
    c("float64", T(f64(rn(3))), -2)

    c = Cases("cross")
    c("vectors", T(rn(3)), T(rn(3)))
    c("dim1", T(rn(4, 3)), T(rn(4, 3)), 1)
    c("default_dim", T(rn(3, 4)), T(rn(3, 4)))
    c("broadcast_negative_dim", T(rn(2, 1, 3)), T(rn(1, 4, 3)), -1)
    c("noncontig", T(rn(3, 5), view=[["transpose", 0, 1]]), T(rn(5, 3)), 1)
    c("float64", T(f64(rn(2, 3))), T(f64(rn(2, 3))), 1)

    c = Cases("tensordot")
    c("default2", T(rn(2, 3, 4)), T(rn(3, 4, 5)))
    c("dims1", T(rn(2, 3)), T(rn(3, 4)), 1)
    c("dims0_outer", T(rn(2)), T(rn(3)), 0)
    c("lists", T(rn(2, 3, 4)), T(rn(4, 2, 5)), [[0, 2], [1, 0]])
    c("negative_lists", T(rn(3, 4)), T(rn(4, 3)), [[-1], [0]])
    c("noncontig", T(rn(4, 3), view=[["transpose", 0, 1]]), T(rn(4, 2)), [[1], [0]])
    c("float64", T(f64(rn(2, 3))), T(f64(rn(3, 2))), 1)

    c = Cases("cdist")
    c("p2", T(rn(3, 4)), T(rn(5, 4)))
    c("p1", T(rn(3, 4)), T(rn(2, 4)), 1.0)
    c("p3", T(rn(2, 3)), T(rn(4, 3)), 3.0)
    c("batched", T(rn(2, 3, 4)), T(rn(2, 5, 4)))
    c("p0", T(rn(3, 2)), T(rn(2, 2)), 0.0)
    c("noncontig", T(rn(4, 3), view=[["transpose", 0, 1]]), T(rn(2, 4)))
    c("float64", T(f64(rn(3, 2))), T(f64(rn(4, 2))))

    c = Cases("dist")
    c("p2", T(rn(3, 4)), T(rn(3, 4)))
    c("p1_broadcast", T(rn(3, 4)), T(rn(4)), 1.0)
    c("p3", T(rn(5)), T(rn(5)), 3.0)
    c("float64", T(f64(rn(2, 3))), T(f64(rn(2, 3))))

    for name in ("matrixPower", "linalg.matrixPower"):
        c = Cases(name)
        c("n3", T(rn(3, 3) * 0.5), 3)
        c("n1", T(rn(3, 3)), 1)
        c("n0", T(rn(2, 3, 3), grad=False), 0)
        c("n6_batched", T(rn(2, 3, 3) * 0.5), 6)
        c("negative", T(wellcond(3, 3)), -2)
        c("float64", T(f64(rn(3, 3) * 0.5)), 5)

    for name in ("det", "linalg.det"):
        c = Cases(name)
        c("plain", T(rn(3, 3)))
        c("batched", T(rn(2, 2, 4, 4)))
        c("one", T(rn(1, 1)))
        c("noncontig", T(rn(3, 3), view=[["transpose", 0, 1]]))
        c("singular", T(torch.tensor([[1.0, 2.0], [2.0, 4.0]]), grad=False))
        c("size0", T(rn(0, 0), grad=False))
        c("float64", T(f64(rn(4, 4))))

    for name in ("slogdet", "linalg.slogdet"):
        c = Cases(name)
        c("plain", T(rn(3, 3)))
        c("batched", T(rn(2, 4, 4)))
        c("singular", T(torch.tensor([[1.0, 2.0], [2.0, 4.0]]), grad=False))
        c("float64", T(f64(rn(4, 4))))

    c = Cases("logdet")
    c("spd", T(spd(3, 3)))
    c("batched", T(spd(2, 4, 4)))
    c("negative_det_nan", T(torch.tensor([[0.0, 1.0], [1.0, 0.0]]), grad=False))
    c("float64", T(f64(spd(3, 3))))

    for name in ("inverse", "linalg.inv"):
        c = Cases(name)
        c("plain", T(wellcond(3, 3)))
        c("batched", T(wellcond(2, 3, 4, 4)))
        c("noncontig", T(wellcond(3, 3), view=[["transpose", 0, 1]]))
        c("size0_batch", T(rn(0, 2, 2)))
        c("float64", T(f64(wellcond(4, 4))))

    c = Cases("linalg.solve")
    c("matrix", T(wellcond(3, 3)), T(rn(3, 2)))
    c("vector", T(wellcond(4, 4)), T(rn(4)))
    c("batched_vector", T(wellcond(2, 3, 3)), T(rn(2, 3)))
    c("broadcast_batch", T(wellcond(3, 3)), T(rn(2, 3, 2)))
    c("broadcast_a", T(wellcond(2, 1, 3, 3)), T(rn(4, 3, 1)))
    c("left_false", T(wellcond(3, 3)), T(rn(2, 3)), {"left": False})
    c("noncontig", T(wellcond(3, 3), view=[["transpose", 0, 1]]), T(rn(2, 3), view=[["transpose", 0, 1]]))
    c("float64", T(f64(wellcond(3, 3))), T(f64(rn(3, 2))))

    c = Cases("cholesky")
    # gradcheck: cholesky reads only the lower triangle, while its gradient (PyTorch's) is symmetric;
    # test/ops-linalg.test.ts checks it through a symmetric input instead
    c("lower", T(spd(3, 3)), gradcheck=False)
    c("upper", T(spd(3, 3)), True, gradcheck=False)
    c("batched", T(spd(2, 4, 4)), gradcheck=False)
    c("float64", T(f64(spd(4, 4))), gradcheck=False)

    c = Cases("linalg.cholesky")
    c("lower", T(spd(3, 3)), gradcheck=False)
    c("upper", T(spd(4, 4)), {"upper": True}, gradcheck=False)
    c("batched", T(spd(2, 2, 3, 3)), gradcheck=False)
    c("float64", T(f64(spd(3, 3))), gradcheck=False)

    c = Cases("linalg.vectorNorm")
    xs = lambda *s: away(rn(*s), (0.0,), 0.1)
    c("default", T(rn(3, 4)))
    c("ord1_dim", T(xs(3, 4)), 1, 1)
    c("ord3_dims_keepdim", T(xs(2, 3, 4)), 3, [0, -1], True)
    c("ord0", T(torch.tensor([[0.0, 1.5, -2.0], [0.0, 0.0, 3.0]])), 0, 1)
    c("keepdim_all", T(rn(2, 3)), 2, None, True)
    c("noncontig", T(rn(4, 3), view=[["transpose", 0, 1]]), 2, 0)
    c("float64", T(f64(rn(3, 4))), 2, -1)

    c = Cases("linalg.matrixNorm")
    c("fro", T(rn(3, 4)))
    c("ord1", T(distinct(3, 4)), 1)
    c("ord_neg1_batched", T(distinct(2, 3, 4)), -1)
    c("fro_dims_keepdim", T(rn(3, 2, 4)), "fro", [0, 2], True)
    c("ord1_dims_swapped", T(distinct(3, 4)), 1, [1, 0])
    c("noncontig", T(distinct(4, 3), view=[["transpose", 0, 1]]), 1)
    c("float64", T(f64(rn(3, 3))), "fro", [-1, -2])
    c("nuc", T(rn(3, 4)), "nuc")
    c("ord2_batched", T(rn(2, 3, 3)), 2)
    c("ord_neg2_dims", T(rn(4, 2, 3)), -2, [0, 2], True)

    c = Cases("linalg.norm")
    c("flat_default", T(rn(2, 3, 4)))
    c("vector_ord", T(xs(5)), 1)
    c("matrix_ord", T(distinct(3, 4)), 1)
    c("matrix_fro", T(rn(3, 4)), "fro")
    c("dim_vector", T(rn(3, 4)), None, 1)
    c("dim_pair", T(rn(2, 3, 4)), None, [1, 2], True)
    c("float64", T(f64(rn(3, 3))), 3, -1)

    c = Cases("linalg.cross")
    c("default_dim", T(rn(4, 3)), T(rn(4, 3)))
    c("dim0", T(rn(3, 2)), T(rn(3, 2)), 0)

    c = Cases("linalg.diagonal")
    c("default", T(rn(2, 3, 4)))
    c("options", T(rn(3, 4, 2)), {"offset": -1, "dim1": 0, "dim2": 1})

    c = Cases("linalg.multiDot")
    c("three", [T(rn(2, 3)), T(rn(3, 4)), T(rn(4, 2))])
    c("vector_ends", [T(rn(3)), T(rn(3, 4)), T(rn(4))])


# ---- eigh, svd, qr: Tensile makes each eigenvector's (each left singular vector's) largest |entry|
# positive, flipping the matching right singular vector; the adapters do the same to torch's ----

def _signs(V):
    """+-1 per column: the sign of the column's largest-magnitude entry (a constant for autograd)."""
    idx = V.detach().abs().argmax(dim=-2, keepdim=True)
    return torch.sign(V.detach().gather(-2, idx))


def _eigh(x, opts=None):
    L, V = torch.linalg.eigh(x, **(opts or {}))  # UPLO keeps torch's spelling
    return [L, V * _signs(V)]


def _svd(x, opts=None):
    o = kw(opts)
    U, S, Vh = torch.linalg.svd(x, full_matrices=o.get("full_matrices", True))
    s = _signs(U)
    k = S.shape[-1]
    s_rows = s[..., :k].transpose(-1, -2)
    Vh = torch.cat([Vh[..., :k, :] * s_rows, Vh[..., k:, :]], dim=-2)
    return [U * s, S, Vh]


op("linalg.eigh")(_eigh)
op("linalg.eigvalsh")(lambda x, opts=None: torch.linalg.eigvalsh(x, **(opts or {})))
op("linalg.svd")(_svd)
op("linalg.svdvals")(lambda x: torch.linalg.svdvals(x))
op("linalg.qr")(lambda x, mode="reduced": list(torch.linalg.qr(x, mode)))


op("linalg.pinv")(lambda x, opts=None: torch.linalg.pinv(x, **kw(opts)))
op("linalg.matrixRank", diff=False)(lambda x, opts=None: torch.linalg.matrix_rank(x, **kw(opts)))
op("linalg.cond")(lambda x, p=None: torch.linalg.cond(x, p))
op("pinverse")(lambda x, rcond=1e-15: torch.pinverse(x, rcond))
op("matrixExp")(lambda x: torch.matrix_exp(x))
op("linalg.matrixExp")(lambda x: torch.linalg.matrix_exp(x))


def rank2(*shape):
    """m x n matrices of rank 2."""
    return rn(*shape[:-1], 2) @ rn(*shape[:-2], 2, shape[-1])


def decomp_cases():
    c = Cases("linalg.pinv")
    c("tall", T(rn(5, 3)))
    c("wide_batched", T(rn(2, 2, 4)))
    c("square", T(wellcond(3, 3)))
    c("rank_deficient", T(rank2(4, 4), grad=False))
    c("atol_drops", T(torch.diag(torch.tensor([3.0, 1.0, 0.05])) + 0.01 * rn(3, 3), grad=False), {"atol": 0.2})
    c("hermitian", T(spd(3, 3)), {"hermitian": True}, gradcheck=False)
    c("float64", T(f64(rn(4, 3))))

    for name in ("matrixExp", "linalg.matrixExp"):
        c = Cases(name)
        c("plain", T(rn(3, 3)))
        c("large_norm", T(rn(3, 3) * 3))
        c("batched", T(rn(2, 2, 2)))
        c("noncontig", T(rn(3, 3), view=[["transpose", 0, 1]]))
        c("one", T(rn(1, 1)))
        c("float64", T(f64(rn(4, 4))))

    c = Cases("pinverse")
    c("tall", T(rn(4, 3)))
    c("rcond_drops", T(torch.diag(torch.tensor([3.0, 1.0, 0.05])) + 0.01 * rn(3, 3), grad=False), 0.1)

    c = Cases("linalg.matrixRank")
    c("full", T(rn(4, 3)))
    c("rank2_batched", T(rank2(2, 4, 5)))
    c("atol", T(torch.diag(torch.tensor([3.0, 1.0, 0.05]))), {"atol": 0.1})
    c("rtol", T(torch.diag(torch.tensor([3.0, 1.0, 0.05]))), {"rtol": 0.5})
    c("hermitian", T(spd(3, 3)), {"hermitian": True})
    c("float64", T(f64(rank2(4, 4))))

    c = Cases("linalg.cond")
    c("default", T(wellcond(3, 3)))
    c("tall", T(rn(4, 3)))
    c("neg2", T(wellcond(3, 3)), -2)
    # torch 1.13's cond backward for p other than ±2 fails (an in-place write in linalg_inv_ex): values only
    c("fro", T(wellcond(3, 3), grad=False), "fro")
    c("nuc_batched", T(wellcond(2, 3, 3), grad=False), "nuc")
    c("one", T(wellcond(4, 4), grad=False), 1)
    c("float64", T(f64(wellcond(3, 3))))

    # eigh reads one triangle and its gradient (PyTorch's) is symmetric: gradcheck in test/ops-linalg.test.ts
    for name in ("linalg.eigh", "linalg.eigvalsh"):
        c = Cases(name)
        c("plain", T(spd(4, 4)), gradcheck=False)
        c("batched", T(spd(2, 3, 3)), gradcheck=False)
        c("upper", T(spd(3, 3) + torch.triu(rn(3, 3), 1)), {"UPLO": "U"}, gradcheck=False)
        c("lower_reads_lower", T(spd(3, 3) + torch.triu(rn(3, 3), 1)), gradcheck=False)
        c("float64", T(f64(spd(4, 4))), gradcheck=False)

    c = Cases("linalg.svd")
    c("square", T(rn(3, 3)))
    c("tall_thin", T(rn(5, 3)), {"fullMatrices": False})
    c("wide_thin", T(rn(2, 4)), {"fullMatrices": False})
    c("batched_thin", T(rn(2, 4, 3)), {"fullMatrices": False})
    # full U of a tall input: its extra columns are any orthonormal completion (test/ops-linalg.test.ts)
    c("float64", T(f64(rn(4, 4))))

    c = Cases("linalg.svdvals")
    c("tall", T(rn(5, 3)))
    c("wide_batched", T(rn(2, 2, 4)))
    c("float64", T(f64(rn(3, 3))))

    c = Cases("linalg.qr")
    c("tall", T(rn(5, 3)))
    c("square", T(rn(4, 4)))
    c("batched", T(rn(2, 4, 3)))
    c("complete_square", T(rn(3, 3)), "complete")
    c("complete_tall", T(rn(4, 2), grad=False), "complete")
    c("wide", T(rn(2, 4), grad=False))
    c("r", T(rn(4, 3), grad=False), "r")
    c("float64", T(f64(rn(4, 3))))


def pdist_cases():
    """torch.pdist; p = inf (not writable as a JSON arg) is checked in test/ops-gaps.test.ts."""
    c = Cases("pdist")
    c("p2", T(rn(5, 3)))
    for p in (0.0, 0.5, 1.0, 1.5, 3.0):
        c(f"p{p:g}".replace(".", "_"), T(rn(4, 3)), p)
    # coincident rows and equal coordinates: torch's zero gradient where the distance or a difference is 0
    dup = torch.tensor([[1.0, 2.0, 0.5], [1.0, 2.0, 0.5], [0.0, 2.0, -1.0], [3.0, -1.0, 0.5]])
    for p in (0.5, 1.0, 1.5, 2.0, 3.0):
        c(f"zero_distance_p{p:g}".replace(".", "_"), T(dup), p)
    c("noncontig", T(rn(3, 5), view=[["transpose", 0, 1]]))
    c("one_row", T(rn(1, 3)))
    c("no_rows", T(rn(0, 3), grad=False))  # torch 1.13 crashes in this backward
    c("no_cols", T(rn(3, 0)))
    c("float64", T(f64(rn(4, 2))), 1.5)
