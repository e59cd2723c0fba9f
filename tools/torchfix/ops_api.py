"""torch-level helpers and Tensor methods added with ops/tensor-api.ts and tensor/tensor-info.ts:
vander, gradient, broadcastTensors, concat/concatenate, scalarTensor, the comparison aliases, igamma,
and the method-only sumToSize, adjoint, splitWithSizes, narrowCopy, unsafeChunk, unsafeSplit.
(resultType, promoteTypes and canCast return dtypes and booleans, not tensors: their torch answers
are in fixtures/tensor-api.json, from tools/gen-tensor-api-fixtures.py.)"""
import torch

from .spec import Cases, T, f64, ints, kw, op, pos, rn


def _gradient(f, opts=None):
    o = kw(opts)
    if isinstance(o.get("spacing"), list):
        o["spacing"] = tuple(o["spacing"])
    if isinstance(o.get("dim"), list):
        o["dim"] = tuple(o["dim"])
    return torch.gradient(f, **o)


def _vander(x, opts=None):
    """torch.vander's values (checked), by a differentiable route: torch 1.13's own vander backward
    fails ("modified by an inplace operation")."""
    o = {"N": (opts or {}).get("N"), "increasing": (opts or {}).get("increasing", False)}
    n = x.shape[0] if o["N"] is None else o["N"]
    v = torch.linalg.vander(x, N=n) if n >= 2 else torch.ones_like(x).unsqueeze(1) + 0 * x.unsqueeze(1)
    if not o.get("increasing"):
        v = v.flip(1)
    assert torch.allclose(v.detach(), torch.vander(x.detach(), **o), rtol=1e-6, atol=0), "vander: the differentiable route differs"
    return v


op("vander")(_vander)
op("gradient")(_gradient)
op("broadcastTensors")(lambda *ts: torch.broadcast_tensors(*ts))
op("concat")(lambda ts, dim=0: torch.concat(ts, dim))
op("concatenate")(lambda ts, dim=0: torch.concatenate(ts, dim))
op("scalarTensor", diff=False)(lambda v, opts=None: torch.scalar_tensor(v, dtype=getattr(torch, (opts or {}).get("dtype", "float32"))))
for _tn, _torch in (("greater", torch.greater), ("greaterEqual", torch.greater_equal), ("less", torch.less),
                    ("lessEqual", torch.less_equal), ("notEqual", torch.not_equal)):
    op(_tn, diff=False)(_torch)
op("igamma")(lambda a, x: torch.igamma(a, x))
op("igammac")(lambda a, x: torch.igammac(a, x))
op("sumToSize")(lambda x, *size: x.sum_to_size(*size))
op("adjoint")(lambda x: x.adjoint())
op("splitWithSizes")(lambda x, sizes, dim=0: x.split_with_sizes(sizes, dim))
op("narrowCopy", diff=False)(lambda x, d, start, length: x.narrow_copy(d, start, length))
op("unsafeChunk")(lambda x, chunks, dim=0: x.unsafe_chunk(chunks, dim))
op("unsafeSplit")(lambda x, s, dim=0: x.unsafe_split(s, dim))


def cases():
    c = Cases("vander")
    c("default", T(rn(4)))
    c("N_increasing", T(rn(3)), {"N": 5, "increasing": True})
    c("N1", T(rn(3)), {"N": 1})
    c("int32", T(ints(-4, 5, 4)), {"N": 3})
    c("with_zero", T(torch.tensor([0.0, 1.5, -2.0])), {"N": 4, "increasing": True})
    c = Cases("gradient")
    c("1d", T(rn(6)))
    c("2d_all_dims", T(rn(4, 5)))
    c("spacing_edge2", T(rn(4, 5)), {"spacing": [0.5, 2.0], "edgeOrder": 2})
    c("one_dim_scalar_spacing", T(rn(3, 4)), {"spacing": 0.25, "dim": 1})
    c("coords", T(rn(5, 2)), {"spacing": [T(torch.tensor([0.0, 1.0, 1.5, 3.0, 4.0]), grad=False)], "dim": 0})
    c("coords_edge2", T(f64(rn(2, 5))),
      {"spacing": [T(torch.tensor([0.0, 0.5, 1.5, 1.75, 3.0]), grad=False)], "dim": [1], "edgeOrder": 2})
    c("int32", T(ints(-9, 9, 5)))
    c = Cases("broadcastTensors")
    c("three", T(rn(2, 1, 3)), T(rn(4, 1)), T(rn(3)))
    c("scalar", T(rn()), T(rn(2, 2)))
    c = Cases("concat")
    c("dim1", [T(rn(2, 3)), T(rn(2, 1))], 1)
    c = Cases("concatenate")
    c("dim0", [T(rn(1, 3)), T(rn(2, 3))])
    c = Cases("scalarTensor")
    c("default", 2.5)
    c("float64", -1.25, {"dtype": "float64"})
    for name in ("greater", "greaterEqual", "less", "lessEqual", "notEqual"):
        c = Cases(name)
        c("tensor", T(torch.round(rn(2, 3))), T(torch.round(rn(3))))
        c("number", T(torch.round(rn(4))), 0.0)
    Cases("igamma")("broadcast", T(pos(2, 3), grad=False), T(pos(3)))
    Cases("igammac")("broadcast", T(pos(2, 3), grad=False), T(pos(3)))
    c = Cases("sumToSize")
    c("keep_row", T(rn(2, 3)), 1, 3)
    c("leading", T(rn(4, 2, 3)), 2, 1)
    Cases("adjoint")("batched", T(rn(2, 3, 4)))
    Cases("splitWithSizes")("dim1", T(rn(2, 5)), [2, 3], 1)
    Cases("narrowCopy")("dim0", T(rn(5, 2)), 0, 1, 3)
    Cases("unsafeChunk")("three", T(rn(7, 2)), 3)
    Cases("unsafeSplit")("two", T(rn(5, 2)), 2)
