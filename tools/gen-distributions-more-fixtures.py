#!/usr/bin/python3
"""PyTorch oracle for the structured transforms, OneHotCategoricalStraightThrough and ExponentialFamily
of Tensile's `distributions`: writes fixtures/distributions-more.json.

Run with Debian's torch (`/usr/bin/python3 tools/gen-distributions-more-fixtures.py [--out DIR]`).
Deterministic (fixed seeds). test/distributions-transforms-more.test.ts reads it:
- "transforms": IndependentTransform, ReshapeTransform, CatTransform, StackTransform and
  CumulativeDistributionTransform (alone, nested, inverted, composed): forward, inverse,
  log|det J| and their gradients with respect to x and the parameters, event dims, sign, shapes, repr;
- "transformed": TransformedDistributions built on them: log_prob and its gradients;
- "straightThrough": OneHotCategoricalStraightThrough's methods, and the gradient of rsample (the
  same whatever the draws, so comparable);
- "expFamily": which classes derive from ExponentialFamily; per family the natural parameters, the
  log normalizer and its gradient, the Bregman entropy (ExponentialFamily.entropy) next to the closed
  form; "expKl": _kl_expfamily_expfamily for same-family pairs and its gradients.

Transform spec: {"t": name, "args": [arg], "kwargs": {k: arg}} with arg a number or {"t": tensor,
"grad": bool}; {"t": "inv", "of": spec}; {"t": "ComposeTransform", "parts": [spec]};
{"t": "IndependentTransform", "base": spec, "n": int}; {"t": "ReshapeTransform", "in": shape, "out": shape};
{"t": "CatTransform" | "StackTransform", "parts": [spec], "dim": int, "lengths": [int] | null};
{"t": "CumulativeDistributionTransform", "dist": distribution spec (tools/torchfix/dist_common.py)}.
"""
import argparse
import os
import sys

sys.dont_write_bytecode = True
import torchfix.pin_cpu  # noqa: E402,F401  (before torch: the same kernels on every machine)
import torch  # noqa: E402
from torchfix.fixio import write_json  # noqa: E402
import torch.distributions as D  # noqa: E402
from torch.distributions.kl import _kl_expfamily_expfamily  # noqa: E402
from torchfix.dist_common import Arg, build, case, enc, spec_json  # noqa: E402

HEADER = {"generator": "tools/gen-distributions-more-fixtures.py", "torch": torch.__version__}


def build_t(spec, leaves):
    """A torch transform from a spec; appends the parameter tensors that require grad to `leaves`."""
    k = spec["t"]
    if k == "inv":
        return build_t(spec["of"], leaves).inv
    if k == "ComposeTransform":
        return D.ComposeTransform([build_t(p, leaves) for p in spec["parts"]])
    if k == "IndependentTransform":
        return D.IndependentTransform(build_t(spec["base"], leaves), spec["n"])
    if k == "ReshapeTransform":
        return D.ReshapeTransform(torch.Size(spec["in"]), torch.Size(spec["out"]))
    if k == "CatTransform":
        return D.CatTransform([build_t(p, leaves) for p in spec["parts"]], spec["dim"], spec.get("lengths"))
    if k == "StackTransform":
        return D.StackTransform([build_t(p, leaves) for p in spec["parts"]], spec["dim"])
    if k == "CumulativeDistributionTransform":
        dist, more = build(spec["dist"])
        leaves += more
        return D.CumulativeDistributionTransform(dist)
    args = [a.make() for a in spec.get("args", [])]
    kwargs = {n: (a.make() if isinstance(a, Arg) else a) for n, a in spec.get("kwargs", {}).items()}
    leaves += [v for v in args + list(kwargs.values()) if isinstance(v, torch.Tensor) and v.requires_grad]
    return getattr(D, k)(*args, **kwargs)


def t_json(spec):
    k = spec["t"]
    if k == "inv":
        return {"t": "inv", "of": t_json(spec["of"])}
    if k in ("ComposeTransform", "CatTransform", "StackTransform"):
        out = {"t": k, "parts": [t_json(p) for p in spec["parts"]]}
        if k != "ComposeTransform":
            out["dim"] = spec["dim"]
        if k == "CatTransform":
            out["lengths"] = spec.get("lengths")
        return out
    if k == "IndependentTransform":
        return {"t": k, "base": t_json(spec["base"]), "n": spec["n"]}
    if k == "ReshapeTransform":
        return {"t": k, "in": spec["in"], "out": spec["out"]}
    if k == "CumulativeDistributionTransform":
        return {"t": k, "dist": spec_json(spec["dist"])}
    return {"t": k, "args": [a.spec() for a in spec.get("args", [])],
            "kwargs": {n: (a.spec() if isinstance(a, Arg) else a) for n, a in spec.get("kwargs", {}).items()}}


def graded(out, leaves, g):
    """out, a weight w and d(sum(out * w))/d(leaves)."""
    w = torch.rand(out.shape, generator=g, dtype=out.dtype) + 0.5
    grads = torch.autograd.grad((out * w).sum(), leaves, allow_unused=True) if out.requires_grad else [None] * len(leaves)
    return {"out": enc(out), "weight": enc(w), "grads": [enc(v) if v is not None else None for v in grads]}


def transform_case(name, spec, x):
    c = {"name": name, "spec": t_json(spec), "x": enc(x)}
    t = build_t(spec, [])
    c["repr"], c["bijective"] = repr(t), bool(t.bijective)
    c["domainEventDim"], c["codomainEventDim"] = t.domain.event_dim, t.codomain.event_dim
    try:
        c["eventDim"] = t.event_dim
    except ValueError:
        c["eventDim"] = None
    try:
        sign = t.sign
        c["sign"] = enc(sign) if isinstance(sign, torch.Tensor) else sign
    except NotImplementedError:
        c["sign"] = None
    shape = torch.Size(x.shape)
    c["forwardShape"] = list(t.forward_shape(shape))
    g = torch.Generator().manual_seed(11)
    leaves = []
    t = build_t(spec, leaves)
    xl = x.clone().requires_grad_()
    y = t(xl)
    c["inverseShape"] = list(t.inverse_shape(y.shape))
    c["forward"] = graded(y, [xl] + leaves, g)
    yl = y.detach().clone().requires_grad_()
    c["y"] = enc(y)
    c["inverse"] = graded(t.inv(yl), [yl] + leaves, g)
    leaves = []
    t = build_t(spec, leaves)
    xl = x.clone().requires_grad_()
    c["ladj"] = graded(t.log_abs_det_jacobian(xl, t(xl)), [xl] + leaves, g)
    return c


def transformed_case(name, base, tspecs, value):
    """log_prob of TransformedDistribution(base, transforms) at value, with gradients (base's leaves, then the transforms')."""
    d, leaves = build(base)
    ts = [build_t(s, leaves) for s in tspecs]
    td = D.TransformedDistribution(d, ts)
    g = torch.Generator().manual_seed(13)
    return {"name": name, "base": spec_json(base), "transforms": [t_json(s) for s in tspecs], "value": enc(value),
            "batchShape": list(td.batch_shape), "eventShape": list(td.event_shape), "logProb": graded(td.log_prob(value), leaves, g)}


def transform_cases():
    torch.manual_seed(0)
    rn = lambda *s: torch.randn(*s)
    pos = lambda *s: torch.rand(*s) + 0.3
    unit = lambda *s: torch.rand(*s) * 0.9 + 0.05
    A = Arg
    exp, ident = {"t": "ExpTransform"}, {"t": "ComposeTransform", "parts": []}
    aff = lambda *s: {"t": "AffineTransform", "args": [A(rn(*s)), A(pos(*s))]}
    ind = lambda base, n: {"t": "IndependentTransform", "base": base, "n": n}
    cat = lambda parts, dim, lengths=None: {"t": "CatTransform", "parts": parts, "dim": dim, "lengths": lengths}
    stk = lambda parts, dim: {"t": "StackTransform", "parts": parts, "dim": dim}
    cdt = lambda dist: {"t": "CumulativeDistributionTransform", "dist": dist}
    cs = []
    cs.append(transform_case("Independent/exp", ind(exp, 1), rn(2, 3)))
    cs.append(transform_case("Independent/affine-2", ind(aff(3), 2), rn(4, 2, 3)))
    cs.append(transform_case("Independent/inv-sigmoid", ind({"t": "inv", "of": {"t": "SigmoidTransform"}}, 1), unit(3, 4)))
    cs.append(transform_case("Independent/negative-affine", ind({"t": "AffineTransform", "args": [A(0.5), A(-2.0)]}, 1), rn(2, 3)))
    cs.append(transform_case("Independent/stick-breaking", ind({"t": "StickBreakingTransform"}, 1), rn(2, 3).double()))
    cs.append(transform_case("Reshape/vector-to-matrix", {"t": "ReshapeTransform", "in": [6], "out": [2, 3]}, rn(4, 6)))
    cs.append(transform_case("Reshape/matrix-to-matrix", {"t": "ReshapeTransform", "in": [2, 3], "out": [3, 1, 2]}, rn(2, 3).double()))
    cs.append(transform_case("Reshape/inv", {"t": "inv", "of": {"t": "ReshapeTransform", "in": [4], "out": [2, 2]}}, rn(3, 2, 2)))
    cs.append(transform_case("Cat/dim0", cat([exp, aff(3)], 0, [2, 3]), rn(5, 3)))
    cs.append(transform_case("Cat/last-dim", cat([exp, {"t": "SoftplusTransform"}], -1, [2, 2]), rn(3, 4)))
    cs.append(transform_case("Cat/default-lengths", cat([exp, {"t": "TanhTransform"}], 0), rn(2, 3).double()))
    cs.append(transform_case("Cat/event-dims", cat([ind(exp, 1), {"t": "AffineTransform", "args": [A(rn(3)), A(pos(3))], "kwargs": {"event_dim": 1}}], -1, [2, 3]),
                             rn(4, 5)))
    cs.append(transform_case("Cat/batch-dim-of-events", cat([ind(exp, 1), ind({"t": "SigmoidTransform"}, 1)], 0, [1, 2]), rn(3, 4)))
    cs.append(transform_case("Cat/nested", cat([cat([exp, ident], 0, [1, 1]), {"t": "SigmoidTransform"}], 0, [2, 2]), rn(4, 2).double()))
    cs.append(transform_case("Cat/inv", {"t": "inv", "of": cat([exp, aff(1)], 1, [1, 2])}, pos(2, 3)))
    cs.append(transform_case("Stack/dim1", stk([exp, ident], 1), rn(4, 2)))
    cs.append(transform_case("Stack/dim0", stk([{"t": "SigmoidTransform"}, {"t": "AffineTransform", "args": [A(0.5), A(-2.0)]}, {"t": "TanhTransform"}], 0),
                             rn(3, 4).double()))
    cs.append(transform_case("Stack/last-dim", stk([exp, {"t": "SoftplusTransform"}], -1), rn(3, 2)))
    cs.append(transform_case("Stack/params", stk([aff(4), exp], 0), rn(2, 4)))
    cs.append(transform_case("Stack/inv", {"t": "inv", "of": stk([exp, {"t": "PowerTransform", "args": [A(pos(1) * 2)]}], 1)}, pos(3, 2)))
    cs.append(transform_case("CDF/normal", cdt({"dist": "Normal", "args": [A(rn(3)), A(pos(3))]}), rn(4, 3)))
    cs.append(transform_case("CDF/normal-float64", cdt({"dist": "Normal", "args": [A(0.0), A(1.0)]}), rn(5).double()))
    cs.append(transform_case("CDF/exponential", cdt({"dist": "Exponential", "args": [A(pos(3))]}), pos(2, 3)))
    cs.append(transform_case("CDF/laplace", cdt({"dist": "Laplace", "args": [A(rn(3)), A(pos(3))]}), rn(2, 3)))
    cs.append(transform_case("CDF/cauchy", cdt({"dist": "Cauchy", "args": [A(rn(3).double()), A(pos(3).double())]}), rn(2, 3).double()))
    cs.append(transform_case("CDF/inv", {"t": "inv", "of": cdt({"dist": "Gumbel", "args": [A(rn(3)), A(pos(3))]})}, unit(2, 3)))
    cs.append(transform_case("Compose/reshape-independent", {"t": "ComposeTransform", "parts": [
        {"t": "ReshapeTransform", "in": [6], "out": [2, 3]}, ind(exp, 2)]}, rn(3, 6)))
    return cs


def transformed_cases():
    torch.manual_seed(1)
    rn = lambda *s: torch.randn(*s)
    pos = lambda *s: torch.rand(*s) + 0.3
    A = Arg
    exp = {"t": "ExpTransform"}
    cs = []
    cs.append(transformed_case("independent-exp", {"dist": "Normal", "args": [A(rn(2, 3)), A(pos(2, 3))]},
                               [{"t": "IndependentTransform", "base": exp, "n": 1}], pos(4, 2, 3)))
    cs.append(transformed_case("reshape", {"dist": "Independent", "base": {"dist": "Normal", "args": [A(rn(6)), A(pos(6))]}, "n": 1},
                               [{"t": "ReshapeTransform", "in": [6], "out": [2, 3]}], rn(4, 2, 3)))
    cs.append(transformed_case("cat", {"dist": "Normal", "args": [A(rn(5)), A(pos(5))]},
                               [{"t": "CatTransform", "parts": [exp, {"t": "AffineTransform", "args": [A(0.5), A(pos(1) * 2)]}], "dim": 0, "lengths": [2, 3]}],
                               torch.cat([pos(2), rn(3)])))
    cs.append(transformed_case("stack", {"dist": "Normal", "args": [A(rn(2, 3)), A(pos(2, 3))]},
                               [{"t": "StackTransform", "parts": [exp, {"t": "SigmoidTransform"}], "dim": 0}], torch.rand(2, 3) * 0.9 + 0.05))
    tril = torch.eye(2) + torch.tril(rn(2, 2), -1) * 0.5
    cs.append(transformed_case("gaussian-copula", {"dist": "MultivariateNormal", "args": [A(torch.zeros(2), False)], "kwargs": {"scale_tril": A(tril)}},
                               [{"t": "CumulativeDistributionTransform", "dist": {"dist": "Normal", "args": [A(0.0), A(1.0)]}}], torch.rand(5, 2) * 0.9 + 0.05))
    return cs


def straight_through():
    torch.manual_seed(2)
    rn = lambda *s: torch.randn(*s)
    A = Arg
    MOM = ("log_prob", "entropy", "mean", "variance", "mode")
    onehot = lambda idx, k: torch.nn.functional.one_hot(idx, k).float()
    cases = [case("logits", {"dist": "OneHotCategoricalStraightThrough", "kwargs": {"logits": A(rn(2, 4))}}, value=onehot(torch.randint(0, 4, (3, 2)), 4), methods=MOM),
             case("probs", {"dist": "OneHotCategoricalStraightThrough", "kwargs": {"probs": A(torch.rand(3) + 0.2)}}, value=onehot(torch.randint(0, 3, (5,)), 3), methods=MOM)]
    rs = []
    for name, spec, sample_shape in [("logits", {"dist": "OneHotCategoricalStraightThrough", "kwargs": {"logits": A(rn(2, 4))}}, [5]),
                                     ("probs-float64", {"dist": "OneHotCategoricalStraightThrough", "kwargs": {"probs": A(torch.rand(3).double() + 0.2)}}, [2, 3])]:
        d, leaves = build(spec)
        s = d.rsample(sample_shape)
        w = torch.rand(s.shape, generator=torch.Generator().manual_seed(5), dtype=s.dtype) + 0.5
        gs = torch.autograd.grad((s * w).sum(), leaves)
        rs.append({"name": name, "spec": spec_json(spec), "sampleShape": sample_shape, "weight": enc(w), "grads": [enc(x) for x in gs],
                   "hasRsample": d.has_rsample, "repr": str(d)})
    kl = D.kl_divergence(build({"dist": "OneHotCategoricalStraightThrough", "kwargs": {"logits": A(torch.tensor([0.1, -0.5, 1.0]), False)}})[0],
                         build({"dist": "OneHotCategorical", "kwargs": {"logits": A(torch.tensor([0.3, 0.2, -1.0]), False)}})[0])
    return {"cases": cases, "rsample": rs, "kl": enc(kl)}


def family(name, spec):
    """Natural parameters, log normalizer (and its gradient), Bregman entropy and closed-form entropy of one family member."""
    d, _ = build(spec)
    c = {"name": name, "spec": spec_json(spec)}
    nps = [p.detach().requires_grad_() for p in d._natural_params]
    c["naturalParams"] = [enc(p) for p in nps]
    lg = d._log_normalizer(*nps)
    g = torch.Generator().manual_seed(17)
    c["logNormalizer"] = graded(lg, nps, g)
    try:
        c["bregmanEntropy"] = enc(D.ExponentialFamily.entropy(d))
    except NotImplementedError:
        c["bregmanEntropy"] = None
    c["entropy"] = enc(d.entropy()) if name != "Poisson" else None
    return c


def exp_family():
    torch.manual_seed(3)
    rn = lambda *s: torch.randn(*s)
    pos = lambda *s: torch.rand(*s) + 0.3
    unit = lambda *s: torch.rand(*s) * 0.9 + 0.05
    A = Arg
    classes = sorted(n for n in D.__all__ if isinstance(getattr(D, n), type) and issubclass(getattr(D, n), D.ExponentialFamily) and n != "ExponentialFamily")
    specs = {
        "Normal": lambda: {"dist": "Normal", "args": [A(rn(3)), A(pos(3))]},
        "Exponential": lambda: {"dist": "Exponential", "args": [A(pos(3))]},
        "Gamma": lambda: {"dist": "Gamma", "args": [A(pos(3) * 2), A(pos(3))]},
        "Chi2": lambda: {"dist": "Chi2", "args": [A(pos(3) * 3)]},
        "Beta": lambda: {"dist": "Beta", "args": [A(pos(3) * 2), A(pos(3) * 2)]},
        "Dirichlet": lambda: {"dist": "Dirichlet", "args": [A(pos(2, 3) * 2)]},
        "Poisson": lambda: {"dist": "Poisson", "args": [A(pos(3) * 3)]},
        "Bernoulli": lambda: {"dist": "Bernoulli", "kwargs": {"probs": A(unit(3))}},
        "Bernoulli/logits": lambda: {"dist": "Bernoulli", "kwargs": {"logits": A(rn(3))}},
        "ContinuousBernoulli": lambda: {"dist": "ContinuousBernoulli", "kwargs": {"probs": A(torch.cat([torch.tensor([0.4995]), unit(2)]))}},
        "Normal/float64": lambda: {"dist": "Normal", "args": [A(rn(2, 2).double()), A(pos(2).double())]},
    }
    fams = [family(n, s()) for n, s in specs.items()]
    covs = lambda b: (lambda m: m @ m.transpose(-1, -2) + torch.eye(2))(rn(*b, 2, 2))
    fams.append(family("Wishart", {"dist": "Wishart", "args": [A(torch.tensor([3.5, 5.0]))], "kwargs": {"covariance_matrix": A(covs([2]))}}))
    kls = []
    for n, s in specs.items():
        p_spec, q_spec = s(), s()
        p, pl = build(p_spec)
        q, ql = build(q_spec)
        out = _kl_expfamily_expfamily(p, q)
        gs = torch.autograd.grad(out.sum(), ql)
        kls.append({"name": n, "p": spec_json(p_spec), "q": spec_json(q_spec), "kl": enc(out), "closedForm": enc(D.kl_divergence(p, q)),
                    "qGrads": [enc(x) for x in gs]})
    # Wishart has no closed form registered: kl_divergence falls back to the Bregman divergence (one matrix: PyTorch over-sums a batch)
    wp = {"dist": "Wishart", "args": [A(torch.tensor(4.0))], "kwargs": {"covariance_matrix": A(covs([]))}}
    wq = {"dist": "Wishart", "args": [A(torch.tensor(3.0))], "kwargs": {"scale_tril": A(torch.linalg.cholesky(covs([])))}}
    p, pl = build(wp)
    q, ql = build(wq)
    out = D.kl_divergence(p, q)
    gs = torch.autograd.grad(out.sum(), ql)
    kls.append({"name": "Wishart", "p": spec_json(wp), "q": spec_json(wq), "kl": enc(out), "closedForm": None, "qGrads": [enc(x) for x in gs]})
    # a batch of two: PyTorch 1.13 sums the df term over the batch (its _sum_rightmost over the event's 2 dims), so the expected
    # values are its KLs of the matrices one by one (Tensile sums each term over its own natural parameter's dims)
    dfs_p, dfs_q, cp, cq = torch.tensor([4.0, 5.0]), torch.tensor([3.0, 6.0]), covs([2]), covs([2])
    one = lambda i: D.kl_divergence(D.Wishart(dfs_p[i], covariance_matrix=cp[i]), D.Wishart(dfs_q[i], covariance_matrix=cq[i]))
    kls.append({"name": "Wishart/batch", "p": spec_json({"dist": "Wishart", "args": [A(dfs_p)], "kwargs": {"covariance_matrix": A(cp)}}),
                "q": spec_json({"dist": "Wishart", "args": [A(dfs_q)], "kwargs": {"covariance_matrix": A(cq)}}),
                "kl": enc(torch.stack([one(0), one(1)])), "closedForm": None, "qGrads": None})
    return {"classes": classes, "families": fams}, kls


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "fixtures"))
    out_dir = ap.parse_args().out
    fam, kls = exp_family()
    data = {**HEADER, "transforms": transform_cases(), "transformed": transformed_cases(), "straightThrough": straight_through(),
            "expFamily": fam, "expKl": kls}
    write_json(out_dir, "distributions-more.json", data)


if __name__ == "__main__":
    main()
