"""Shared by tools/gen-distributions-fixtures.py and torchfix/dist_more.py: encoding tensors, building
distributions from JSON-able specs, and one case (values and gradients of each method) or KL pair."""
import math

import torch
import torch.distributions as D
from torch.distributions.relaxed_bernoulli import LogitRelaxedBernoulli
from torch.distributions.relaxed_categorical import ExpRelaxedCategorical


def enc(t):
    t = t.detach()
    if t.dtype in (torch.int64, torch.int32):
        return {"shape": list(t.shape), "dtype": "int32", "data": [int(v) for v in t.reshape(-1).tolist()]}
    dtype = "float64" if t.dtype == torch.float64 else "float32"
    num = lambda v: v if math.isfinite(v) else ("nan" if math.isnan(v) else ("inf" if v > 0 else "-inf"))
    return {"shape": list(t.shape), "dtype": dtype, "data": [num(float(v)) for v in t.reshape(-1).tolist()]}


class Arg:
    def __init__(self, t, grad=True):
        self.t, self.grad = t, grad

    def make(self):
        return self.t.clone().requires_grad_(self.grad) if isinstance(self.t, torch.Tensor) else self.t

    def spec(self):
        return {"t": enc(self.t), "grad": self.grad} if isinstance(self.t, torch.Tensor) else self.t


def build_transform(spec, leaves):
    """A torch transform from a transform spec: {"t": class name, "args", "kwargs"}, {"t": "inv", "of"}
    or {"t": "ComposeTransform", "parts"}; appends the tensors requiring grad to `leaves`."""
    if spec["t"] == "inv":
        return build_transform(spec["of"], leaves).inv
    if spec["t"] == "ComposeTransform":
        return D.ComposeTransform([build_transform(p, leaves) for p in spec["parts"]])
    args = [a.make() for a in spec.get("args", [])]
    kwargs = {k: (a.make() if isinstance(a, Arg) else a) for k, a in spec.get("kwargs", {}).items()}
    leaves += [v for v in args + list(kwargs.values()) if isinstance(v, torch.Tensor) and v.requires_grad]
    return getattr(D, spec["t"])(*args, **kwargs)


def transform_json(spec):
    if spec["t"] == "inv":
        return {"t": "inv", "of": transform_json(spec["of"])}
    if spec["t"] == "ComposeTransform":
        return {"t": "ComposeTransform", "parts": [transform_json(p) for p in spec["parts"]]}
    return {"t": spec["t"], "args": [a.spec() for a in spec.get("args", [])],
            "kwargs": {k: (a.spec() if isinstance(a, Arg) else a) for k, a in spec.get("kwargs", {}).items()}}


def build(spec):
    """(torch distribution, leaves requiring grad in args-then-kwargs order) from a spec dict of Args, expanded where it says."""
    dist, leaves = build_unexpanded(spec)
    return (dist.expand(spec["expand"]) if "expand" in spec else dist), leaves


def build_unexpanded(spec):
    if spec["dist"] == "Independent":
        base, leaves = build(spec["base"])
        return D.Independent(base, spec["n"]), leaves
    if spec["dist"] == "TransformedDistribution":
        base, leaves = build(spec["base"])
        return D.TransformedDistribution(base, [build_transform(t, leaves) for t in spec["transforms"]]), leaves
    if spec["dist"] == "MixtureSameFamily":
        mix, leaves = build(spec["mixture"])
        comp, more = build(spec["component"])
        return D.MixtureSameFamily(mix, comp), leaves + more
    args = [a.make() for a in spec.get("args", [])]
    kwargs = {k: a.make() for k, a in spec.get("kwargs", {}).items()}
    leaves = [v for v in args + list(kwargs.values()) if isinstance(v, torch.Tensor) and v.requires_grad]
    ctor = {"LogitRelaxedBernoulli": LogitRelaxedBernoulli, "ExpRelaxedCategorical": ExpRelaxedCategorical}.get(spec["dist"]) or getattr(D, spec["dist"])
    return ctor(*args, **kwargs), leaves


def spec_json(spec):
    out = spec_json_unexpanded(spec)
    if "expand" in spec:
        out["expand"] = list(spec["expand"])
    return out


def spec_json_unexpanded(spec):
    if spec["dist"] == "Independent":
        return {"dist": "Independent", "base": spec_json(spec["base"]), "n": spec["n"]}
    if spec["dist"] == "TransformedDistribution":
        return {"dist": "TransformedDistribution", "base": spec_json(spec["base"]), "transforms": [transform_json(t) for t in spec["transforms"]]}
    if spec["dist"] == "MixtureSameFamily":
        return {"dist": "MixtureSameFamily", "mixture": spec_json(spec["mixture"]), "component": spec_json(spec["component"])}
    return {"dist": spec["dist"], "args": [a.spec() for a in spec.get("args", [])],
            "kwargs": {k: a.spec() for k, a in spec.get("kwargs", {}).items()}}


def grads_of(fn, spec):
    """fn(dist) -> tensor; returns its value and d(sum(out * w))/d(leaves) with a fixed weight w."""
    dist, leaves = build(spec)
    out = fn(dist)
    g = torch.Generator().manual_seed(7)
    w = torch.rand(out.shape, generator=g, dtype=out.dtype if out.dtype.is_floating_point else torch.float32) + 0.5
    grads = []
    if leaves and out.requires_grad and torch.isfinite(out).all():
        gs = torch.autograd.grad((out * w).sum(), leaves, allow_unused=True)
        grads = [enc(x) if x is not None else None for x in gs]
    return {"out": enc(out), "weight": enc(w), "grads": grads}


def case(name, spec, value=None, probs=None, methods=("log_prob", "entropy", "mean", "variance", "stddev", "cdf", "icdf", "mode")):
    c = {"name": name, "spec": spec_json(spec)}
    if value is not None:
        c["value"] = enc(value)
    if probs is not None:
        c["p"] = enc(probs)
    for m in methods:
        if m in ("log_prob", "cdf"):
            c[m] = grads_of(lambda d: getattr(d, m)(value), spec)
        elif m == "icdf":
            c[m] = grads_of(lambda d: d.icdf(probs), spec)
        elif m == "entropy":
            c[m] = grads_of(lambda d: d.entropy(), spec)
        else:
            c[m] = grads_of(lambda d: getattr(d, m), spec)
    dist, _ = build(spec)
    c["batchShape"], c["eventShape"] = list(dist.batch_shape), list(dist.event_shape)
    c["repr"] = str(dist)
    return c


def kl_case(name, p_spec, q_spec):
    p, pl = build(p_spec)
    q, ql = build(q_spec)
    out = D.kl_divergence(p, q)
    c = {"name": name, "p": spec_json(p_spec), "q": spec_json(q_spec), "kl": enc(out)}
    leaves = pl + ql
    if leaves and torch.isfinite(out).all():
        gs = torch.autograd.grad(out.sum(), leaves, allow_unused=True)
        c["grads"] = [enc(x) if x is not None else None for x in gs]
    return c


def transform_case(name, spec, x, shape=None):
    """Forward, inverse, log|det J| of a transform at x, and their gradients with respect to x and the parameters."""
    c = {"name": name, "spec": transform_json(spec), "x": enc(x)}
    leaves = []
    t = build_transform(spec, leaves)
    c["repr"], c["bijective"] = repr(t), bool(t.bijective)
    c["domainEventDim"], c["codomainEventDim"] = t.domain.event_dim, t.codomain.event_dim
    try:
        sign = t.sign
        c["sign"] = enc(sign) if isinstance(sign, torch.Tensor) else sign
    except NotImplementedError:
        c["sign"] = None
    if shape is not None:
        c["shape"], c["forwardShape"], c["inverseShape"] = list(shape), list(t.forward_shape(torch.Size(shape))), list(t.inverse_shape(torch.Size(shape)))
    xl = x.clone().requires_grad_()
    y = t(xl)
    c["y"] = enc(y)
    c["inv"] = enc(t.inv(y.detach()))
    g = torch.Generator().manual_seed(11)
    w = torch.rand(y.shape, generator=g, dtype=y.dtype) + 0.5
    c["weight"] = enc(w)
    c["grads"] = [enc(v) if v is not None else None for v in torch.autograd.grad((y * w).sum(), [xl] + leaves, allow_unused=True)]
    try:
        xl = x.clone().requires_grad_()
        leaves = []
        t = build_transform(spec, leaves)
        y = t(xl)
        ladj = t.log_abs_det_jacobian(xl, y)
        wl = torch.rand(ladj.shape, generator=g, dtype=ladj.dtype) + 0.5
        grads = torch.autograd.grad((ladj * wl).sum(), [xl] + leaves, allow_unused=True) if ladj.requires_grad else [None] * (1 + len(leaves))
        c["ladj"] = {"out": enc(ladj), "weight": enc(wl), "grads": [enc(v) if v is not None else None for v in grads]}
    except NotImplementedError:
        c["ladj"] = None
    return c
