#!/usr/bin/python3
"""PyTorch oracle for Tensile's `distributions`: writes fixtures/distributions.json.

Run with Debian's torch (`/usr/bin/python3 tools/gen-distributions-fixtures.py [--out DIR]`).
Deterministic (fixed seeds). For each case: log_prob, entropy, cdf, icdf, mean, variance, stddev
and the gradients of weighted sums of log_prob, entropy and cdf with respect to every parameter
tensor; for each KL pair the divergence and its gradients with respect to both distributions'
parameters; and str() of some distributions. test/distributions.test.ts reads it.

Spec format: a distribution is {"dist": name, "args": [arg...], "kwargs": {name: arg}} with
arg = a number or {"t": tensor, "grad": bool}; Independent has "base" (a spec) and "n".
"""
import argparse
import json
import math
import os
import sys

sys.dont_write_bytecode = True
import torch  # noqa: E402
import torch.distributions as D  # noqa: E402

HEADER = {"generator": "tools/gen-distributions-fixtures.py", "torch": torch.__version__}


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


def build(spec):
    """(torch distribution, leaves requiring grad in args-then-kwargs order) from a spec dict of Args."""
    if spec["dist"] == "Independent":
        base, leaves = build(spec["base"])
        return D.Independent(base, spec["n"]), leaves
    args = [a.make() for a in spec.get("args", [])]
    kwargs = {k: a.make() for k, a in spec.get("kwargs", {}).items()}
    leaves = [v for v in args + list(kwargs.values()) if isinstance(v, torch.Tensor) and v.requires_grad]
    return getattr(D, spec["dist"])(*args, **kwargs), leaves


def spec_json(spec):
    if spec["dist"] == "Independent":
        return {"dist": "Independent", "base": spec_json(spec["base"]), "n": spec["n"]}
    return {"dist": spec["dist"], "args": [a.spec() for a in spec.get("args", [])],
            "kwargs": {k: a.spec() for k, a in spec.get("kwargs", {}).items()}}


def grads_of(fn, spec):
    """fn(dist) -> tensor; returns its value and d(sum(out * w))/d(leaves) with a fixed weight w."""
    dist, leaves = build(spec)
    out = fn(dist)
    g = torch.Generator().manual_seed(7)
    w = torch.rand(out.shape, generator=g, dtype=out.dtype) + 0.5
    grads = []
    if leaves and out.requires_grad and torch.isfinite(out).all():
        gs = torch.autograd.grad((out * w).sum(), leaves, allow_unused=True)
        grads = [enc(x) if x is not None else None for x in gs]
    return {"out": enc(out), "weight": enc(w), "grads": grads}


def case(name, spec, value=None, probs=None, methods=("log_prob", "entropy", "mean", "variance", "stddev", "cdf", "icdf")):
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


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "fixtures"))
    out_dir = ap.parse_args().out
    torch.manual_seed(0)
    rn = lambda *s: torch.randn(*s)
    pos = lambda *s: torch.rand(*s) + 0.3
    unit = lambda *s: torch.rand(*s) * 0.9 + 0.05
    cases = []

    cases.append(case("Normal/broadcast", {"dist": "Normal", "args": [Arg(rn(2, 3)), Arg(pos(3))]},
                      value=rn(4, 2, 3), probs=unit(2, 3)))
    cases.append(case("Normal/numbers", {"dist": "Normal", "args": [Arg(0.5), Arg(2.0)]}, value=rn(5), probs=unit(5)))
    cases.append(case("Normal/float64", {"dist": "Normal", "args": [Arg(rn(3).double()), Arg(pos(3).double())]},
                      value=rn(3).double(), probs=unit(3).double()))
    cases.append(case("LogNormal", {"dist": "LogNormal", "args": [Arg(rn(3) * 0.5), Arg(1.5)]}, value=pos(2, 3) * 2,
                      methods=("log_prob", "entropy", "mean", "variance", "cdf")))
    low = rn(3)
    cases.append(case("Uniform", {"dist": "Uniform", "args": [Arg(low), Arg(low + pos(3) * 2)]},
                      value=low + torch.tensor([0.1, 0.4, 0.2]), probs=unit(4, 3)))
    cases.append(case("Laplace", {"dist": "Laplace", "args": [Arg(rn(2, 3)), Arg(pos(2, 3))]}, value=rn(2, 3), probs=unit(2, 3)))
    cases.append(case("Exponential", {"dist": "Exponential", "args": [Arg(pos(4))]}, value=pos(3, 4), probs=unit(4)))
    cases.append(case("Bernoulli/probs", {"dist": "Bernoulli", "kwargs": {"probs": Arg(unit(2, 3))}},
                      value=torch.randint(0, 2, (4, 2, 3)).float(), methods=("log_prob", "entropy", "mean", "variance")))
    cases.append(case("Bernoulli/logits", {"dist": "Bernoulli", "kwargs": {"logits": Arg(rn(3) * 2)}},
                      value=torch.tensor([1.0, 0.0, 1.0]), methods=("log_prob", "entropy", "mean", "variance")))
    cases.append(case("Categorical/probs", {"dist": "Categorical", "kwargs": {"probs": Arg(pos(2, 4))}},
                      value=torch.randint(0, 4, (3, 2)), methods=("log_prob", "entropy")))
    cases.append(case("Categorical/logits", {"dist": "Categorical", "kwargs": {"logits": Arg(rn(4) * 2)}},
                      value=torch.randint(0, 4, (5,)), methods=("log_prob", "entropy")))
    cases.append(case("OneHotCategorical", {"dist": "OneHotCategorical", "kwargs": {"logits": Arg(rn(2, 3))}},
                      value=torch.eye(3)[torch.tensor([2, 0])], methods=("log_prob", "entropy", "mean", "variance")))
    cases.append(case("Gamma", {"dist": "Gamma", "args": [Arg(pos(2, 3) * 3), Arg(pos(3))]}, value=pos(2, 3) * 2,
                      methods=("log_prob", "entropy", "mean", "variance")))
    cases.append(case("Gamma/small-concentration", {"dist": "Gamma", "args": [Arg(torch.tensor([0.3, 0.7])), Arg(2.0)]},
                      value=torch.tensor([0.05, 1.5]), methods=("log_prob", "entropy", "mean", "variance")))
    cases.append(case("Beta", {"dist": "Beta", "args": [Arg(pos(3) * 2), Arg(pos(3) * 3)]}, value=unit(4, 3),
                      methods=("log_prob", "entropy", "mean", "variance")))
    conc = pos(2, 4) * 2
    cases.append(case("Dirichlet", {"dist": "Dirichlet", "args": [Arg(conc)]}, value=torch.softmax(rn(2, 4), -1),
                      methods=("log_prob", "entropy", "mean", "variance")))
    cases.append(case("Poisson", {"dist": "Poisson", "args": [Arg(pos(4) * 5)]}, value=torch.tensor([[0.0, 3.0, 7.0, 1.0], [2.0, 2.0, 0.0, 12.0]]),
                      methods=("log_prob", "mean", "variance")))
    A = rn(3, 3)
    spd = A @ A.t() + torch.eye(3) * 0.5
    tril = torch.linalg.cholesky(spd)
    cases.append(case("MultivariateNormal/scale_tril", {"dist": "MultivariateNormal", "args": [Arg(rn(2, 3))], "kwargs": {"scale_tril": Arg(tril)}},
                      value=rn(4, 2, 3), methods=("log_prob", "entropy", "mean", "variance")))
    cases.append(case("MultivariateNormal/covariance", {"dist": "MultivariateNormal", "args": [Arg(rn(3))], "kwargs": {"covariance_matrix": Arg(spd)}},
                      value=rn(5, 3), methods=("log_prob", "entropy", "mean", "variance")))
    B = rn(2, 2, 2)
    cases.append(case("MultivariateNormal/precision", {"dist": "MultivariateNormal", "args": [Arg(rn(2))], "kwargs": {"precision_matrix": Arg(B @ B.transpose(-1, -2) + torch.eye(2), False)}},
                      value=rn(2, 2), methods=("log_prob", "entropy", "mean", "variance")))
    cases.append(case("Independent/Normal", {"dist": "Independent", "base": {"dist": "Normal", "args": [Arg(rn(2, 3)), Arg(pos(2, 3))]}, "n": 1},
                      value=rn(2, 3), methods=("log_prob", "entropy", "mean", "variance")))

    kls = []
    kls.append(kl_case("Normal", {"dist": "Normal", "args": [Arg(rn(3)), Arg(pos(3))]}, {"dist": "Normal", "args": [Arg(rn(3)), Arg(pos(3))]}))
    kls.append(kl_case("Normal/standard", {"dist": "Normal", "args": [Arg(rn(2, 3)), Arg(pos(2, 3))]}, {"dist": "Normal", "args": [Arg(0.0), Arg(1.0)]}))
    kls.append(kl_case("Bernoulli", {"dist": "Bernoulli", "kwargs": {"probs": Arg(unit(3))}}, {"dist": "Bernoulli", "kwargs": {"logits": Arg(rn(3))}}))
    kls.append(kl_case("Bernoulli/edges", {"dist": "Bernoulli", "kwargs": {"probs": Arg(torch.tensor([0.0, 1.0, 0.3]), False)}},
                       {"dist": "Bernoulli", "kwargs": {"probs": Arg(torch.tensor([0.5, 0.5, 0.0]), False)}}))
    kls.append(kl_case("Categorical", {"dist": "Categorical", "kwargs": {"probs": Arg(pos(2, 4))}}, {"dist": "Categorical", "kwargs": {"logits": Arg(rn(2, 4))}}))
    kls.append(kl_case("Categorical/zeros", {"dist": "Categorical", "kwargs": {"probs": Arg(torch.tensor([[0.0, 0.5, 0.5], [0.2, 0.8, 0.0]]), False)}},
                       {"dist": "Categorical", "kwargs": {"probs": Arg(torch.tensor([[0.3, 0.3, 0.4], [0.5, 0.0, 0.5]]), False)}}))
    kls.append(kl_case("OneHotCategorical", {"dist": "OneHotCategorical", "kwargs": {"logits": Arg(rn(3))}}, {"dist": "OneHotCategorical", "kwargs": {"logits": Arg(rn(3))}}))
    lo = rn(3)
    kls.append(kl_case("Uniform", {"dist": "Uniform", "args": [Arg(lo), Arg(lo + 1)]}, {"dist": "Uniform", "args": [Arg(lo - 0.5), Arg(lo + 2)]}))
    kls.append(kl_case("Uniform/outside", {"dist": "Uniform", "args": [Arg(torch.tensor([0.0, 0.0]), False), Arg(torch.tensor([1.0, 1.0]), False)]},
                       {"dist": "Uniform", "args": [Arg(torch.tensor([0.5, -1.0]), False), Arg(torch.tensor([2.0, 2.0]), False)]}))
    kls.append(kl_case("Exponential", {"dist": "Exponential", "args": [Arg(pos(3))]}, {"dist": "Exponential", "args": [Arg(pos(3))]}))
    kls.append(kl_case("Laplace", {"dist": "Laplace", "args": [Arg(rn(3)), Arg(pos(3))]}, {"dist": "Laplace", "args": [Arg(rn(3)), Arg(pos(3))]}))
    kls.append(kl_case("Gamma", {"dist": "Gamma", "args": [Arg(pos(3) * 2), Arg(pos(3))]}, {"dist": "Gamma", "args": [Arg(pos(3) * 2), Arg(pos(3))]}))
    kls.append(kl_case("Beta", {"dist": "Beta", "args": [Arg(pos(3) * 2), Arg(pos(3))]}, {"dist": "Beta", "args": [Arg(pos(3)), Arg(pos(3) * 2)]}))
    kls.append(kl_case("Dirichlet", {"dist": "Dirichlet", "args": [Arg(pos(2, 3) * 2)]}, {"dist": "Dirichlet", "args": [Arg(pos(2, 3))]}))
    kls.append(kl_case("Poisson", {"dist": "Poisson", "args": [Arg(pos(3) * 4)]}, {"dist": "Poisson", "args": [Arg(pos(3) * 2)]}))
    C = rn(3, 3)
    kls.append(kl_case("MultivariateNormal", {"dist": "MultivariateNormal", "args": [Arg(rn(2, 3))], "kwargs": {"scale_tril": Arg(tril)}},
                       {"dist": "MultivariateNormal", "args": [Arg(rn(3))], "kwargs": {"covariance_matrix": Arg(C @ C.t() + torch.eye(3))}}))
    kls.append(kl_case("Independent", {"dist": "Independent", "base": {"dist": "Normal", "args": [Arg(rn(2, 3)), Arg(pos(2, 3))]}, "n": 1},
                       {"dist": "Independent", "base": {"dist": "Normal", "args": [Arg(rn(2, 3)), Arg(pos(2, 3))]}, "n": 1}))

    path = os.path.join(out_dir, "distributions.json")
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        json.dump({**HEADER, "cases": cases, "kl": kls}, f, separators=(",", ":"), allow_nan=False)
        f.write("\n")
    os.replace(tmp, path)
    print("wrote", os.path.relpath(path), os.path.getsize(path), "bytes")


if __name__ == "__main__":
    main()
