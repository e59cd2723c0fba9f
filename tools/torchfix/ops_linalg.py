"""Linear algebra: matmul, mm, bmm, t, outer, dot."""
import torch

from .spec import Cases, T, f64, op, rn

op("matmul")(lambda a, b: torch.matmul(a, b))
op("mm")(lambda a, b: torch.mm(a, b))
op("bmm")(lambda a, b: torch.bmm(a, b))
op("t")(lambda x: torch.t(x))
op("outer")(lambda a, b: torch.outer(a, b))
op("dot")(lambda a, b: torch.dot(a, b))


def cases():
    einsum_cases()
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
