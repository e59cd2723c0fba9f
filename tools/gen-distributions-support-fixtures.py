#!/usr/bin/python3
"""PyTorch oracle for the constraints of Tensile's `distributions`: writes fixtures/distributions-support.json.

Run with Debian's torch (`/usr/bin/python3 tools/gen-distributions-support-fixtures.py [--out DIR]`).
Deterministic (fixed seed). test/distributions-support.test.ts reads it. One case per distribution
class torch 1.13 has (plus expanded / batched variants), each with its spec (tools/torchfix/dist_common.py's
format) and torch's facts:
- "support": repr(d.support) (`Interval(lower_bound=0.0, upper_bound=2.0)`), its is_discrete and event_dim;
- "args": {name: repr(constraint)} of d.arg_constraints (torch's snake_case names);
- "points": values around the support (draws, their negation, draws + 0.5, zeros, ones, 2·draws + 3,
  floor(draws)), shape [8, *batch, *event], and "check": d.support.check(points) (0/1);
- "enumerate": for has_enumerate_support, enumerate_support(expand=True) and (expand=False).
"""
import argparse
import os
import sys

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import torchfix.pin_cpu  # noqa: E402,F401  (before torch: the same kernels on every machine)
import torch  # noqa: E402
from torchfix.fixio import write_json  # noqa: E402
from torchfix.dist_common import Arg, build, enc, spec_json  # noqa: E402

HEADER = {"generator": "tools/gen-distributions-support-fixtures.py", "torch": torch.__version__}
t = torch.tensor


def A(v):
    return Arg(t(v) if not isinstance(v, torch.Tensor) else v, grad=False)


def specs():
    p2 = [0.3, 0.6]
    normal = {"dist": "Normal", "args": [A([0.0, 1.0]), A([1.0, 2.0])]}
    return {
        "Normal": normal,
        "LogNormal": {"dist": "LogNormal", "args": [A(0.0), A(1.0)]},
        "Uniform": {"dist": "Uniform", "args": [A(0.0), A(2.0)]},
        "Uniform (batched bounds)": {"dist": "Uniform", "args": [A([0.0, -1.0]), A([2.0, 0.5])]},
        "Laplace": {"dist": "Laplace", "args": [A(0.0), A(1.0)]},
        "Exponential": {"dist": "Exponential", "args": [A([1.0, 2.0])]},
        "Bernoulli": {"dist": "Bernoulli", "kwargs": {"probs": A(p2)}},
        "Bernoulli (expanded)": {"dist": "Bernoulli", "kwargs": {"logits": A(0.3)}, "expand": [3, 2]},
        "Categorical": {"dist": "Categorical", "kwargs": {"probs": A([0.2, 0.3, 0.5])}},
        "Categorical (batched)": {"dist": "Categorical", "kwargs": {"logits": A([[0.1, 0.2, 0.3, 0.4], [1.0, 0.0, -1.0, 0.5]])}},
        "OneHotCategorical": {"dist": "OneHotCategorical", "kwargs": {"probs": A([[0.2, 0.8], [0.5, 0.5], [0.1, 0.9]])}},
        "OneHotCategoricalStraightThrough": {"dist": "OneHotCategoricalStraightThrough", "kwargs": {"probs": A([0.2, 0.3, 0.5])}},
        "Binomial": {"dist": "Binomial", "args": [A(4.0)], "kwargs": {"probs": A(p2)}},
        "Binomial (scalar)": {"dist": "Binomial", "args": [A(3.0)], "kwargs": {"logits": A(0.2)}},
        "Geometric": {"dist": "Geometric", "kwargs": {"probs": A(p2)}},
        "NegativeBinomial": {"dist": "NegativeBinomial", "args": [A(3.0)], "kwargs": {"probs": A(0.4)}},
        "Poisson": {"dist": "Poisson", "args": [A([2.0, 0.5])]},
        "Gamma": {"dist": "Gamma", "args": [A(2.0), A(1.0)]},
        "Chi2": {"dist": "Chi2", "args": [A(3.0)]},
        "Beta": {"dist": "Beta", "args": [A(2.0), A(3.0)]},
        "Dirichlet": {"dist": "Dirichlet", "args": [A([1.0, 2.0, 3.0])]},
        "StudentT": {"dist": "StudentT", "args": [A(3.0), A(0.0), A(1.0)]},
        "Cauchy": {"dist": "Cauchy", "args": [A(0.0), A(1.0)]},
        "HalfNormal": {"dist": "HalfNormal", "args": [A(1.0)]},
        "HalfCauchy": {"dist": "HalfCauchy", "args": [A(1.0)]},
        "Gumbel": {"dist": "Gumbel", "args": [A(0.0), A(1.0)]},
        "ContinuousBernoulli": {"dist": "ContinuousBernoulli", "kwargs": {"probs": A(0.3)}},
        "Weibull": {"dist": "Weibull", "args": [A(1.0), A(2.0)]},
        "Pareto": {"dist": "Pareto", "args": [A(1.5), A(2.0)]},
        "Pareto (batched scale)": {"dist": "Pareto", "args": [A([0.5, 2.0]), A(2.0)]},
        "Kumaraswamy": {"dist": "Kumaraswamy", "args": [A(2.0), A(3.0)]},
        "FisherSnedecor": {"dist": "FisherSnedecor", "args": [A(2.0), A(3.0)]},
        "VonMises": {"dist": "VonMises", "args": [A(0.0), A(1.0)]},
        "LogitRelaxedBernoulli": {"dist": "LogitRelaxedBernoulli", "args": [A(0.5)], "kwargs": {"probs": A(0.3)}},
        "RelaxedBernoulli": {"dist": "RelaxedBernoulli", "args": [A(0.5)], "kwargs": {"probs": A(0.3)}},
        "ExpRelaxedCategorical": {"dist": "ExpRelaxedCategorical", "args": [A(0.5)], "kwargs": {"probs": A([0.2, 0.8])}},
        "RelaxedOneHotCategorical": {"dist": "RelaxedOneHotCategorical", "args": [A(0.5)], "kwargs": {"probs": A([0.2, 0.8])}},
        "Multinomial": {"dist": "Multinomial", "args": [Arg(5, grad=False)], "kwargs": {"probs": A([0.2, 0.3, 0.5])}},
        "MultivariateNormal": {"dist": "MultivariateNormal", "args": [A([0.0, 1.0])], "kwargs": {"covariance_matrix": A([[2.0, 0.5], [0.5, 1.0]])}},
        "LowRankMultivariateNormal": {"dist": "LowRankMultivariateNormal", "args": [A([0.0, 1.0]), A([[1.0], [0.5]]), A([1.0, 2.0])]},
        "LogisticNormal": {"dist": "LogisticNormal", "args": [A([0.0, 1.0]), A([1.0, 0.5])]},
        "Wishart": {"dist": "Wishart", "args": [A(3.0)], "kwargs": {"covariance_matrix": A([[2.0, 0.5], [0.5, 1.0]])}},
        "LKJCholesky": {"dist": "LKJCholesky", "args": [Arg(3, grad=False), A(1.5)]},
        "Independent": {"dist": "Independent", "base": normal, "n": 1},
        "Independent of Bernoulli (n = 0)": {"dist": "Independent", "base": {"dist": "Bernoulli", "kwargs": {"probs": A(p2)}}, "n": 0},
        "TransformedDistribution": {"dist": "TransformedDistribution", "base": normal, "transforms": [{"t": "ExpTransform"}]},
        "MixtureSameFamily": {"dist": "MixtureSameFamily", "mixture": {"dist": "Categorical", "kwargs": {"probs": A([0.5, 0.5])}},
                              "component": {"dist": "Gamma", "args": [A([1.0, 2.0]), A([1.0, 1.0])]}},
    }


def points(d, g):
    torch.manual_seed(0)
    s = d.sample((1,)).to(torch.float32)
    pts = [d.sample((1,)).to(torch.float32), s, -s, s + 0.5, torch.zeros_like(s), torch.ones_like(s), 2 * s + 3, s.floor()]
    return torch.cat(pts, 0)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "fixtures"))
    out_dir = ap.parse_args().out
    torch.manual_seed(20261130)
    g = torch.Generator().manual_seed(1)
    cases = []
    for name, spec in specs().items():
        d, _ = build(spec)
        sup = d.support
        pts = points(d, g)
        c = {"name": name, "spec": spec_json(spec), "batchShape": list(d.batch_shape), "eventShape": list(d.event_shape),
             "support": {"repr": repr(sup), "isDiscrete": sup.is_discrete, "eventDim": sup.event_dim},
             "args": {k: repr(v) for k, v in d.arg_constraints.items()},
             "hasEnumerateSupport": d.has_enumerate_support,
             "points": enc(pts), "check": enc(sup.check(pts).to(torch.int32))}
        if d.has_enumerate_support:
            c["enumerate"] = {"expand": enc(d.enumerate_support(True)), "noExpand": enc(d.enumerate_support(False))}
        cases.append(c)
    data = {**HEADER, "cases": cases}
    write_json(out_dir, "distributions-support.json", data)


if __name__ == "__main__":
    main()
