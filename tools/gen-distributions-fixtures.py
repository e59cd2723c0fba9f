#!/usr/bin/python3
"""PyTorch oracle for Tensile's `distributions`: writes fixtures/distributions.json.

Run with Debian's torch (`/usr/bin/python3 tools/gen-distributions-fixtures.py [--out DIR]`).
Deterministic (fixed seeds). For each case: log_prob, entropy, cdf, icdf, mean, variance, stddev
and the gradients of weighted sums of log_prob, entropy and cdf with respect to every parameter
tensor; for each KL pair the divergence and its gradients with respect to both distributions'
parameters; and str() of some distributions. test/distributions.test.ts reads it.

Spec format: a distribution is {"dist": name, "args": [arg...], "kwargs": {name: arg}} with
arg = a number or {"t": tensor, "grad": bool}; Independent has "base" (a spec) and "n"; any spec may
have "expand" (a batch shape: the distribution is d.expand(shape), its leaves the unexpanded ones').
"""
import argparse
import json
import os
import sys

sys.dont_write_bytecode = True
import torchfix.pin_cpu  # noqa: E402,F401  (before torch: the same kernels on every machine)
import torch  # noqa: E402
import torch.distributions as D  # noqa: E402
from torchfix.dist_common import Arg, case, enc, kl_case, transform_case  # noqa: E402
from torchfix.dist_more import more_dists  # noqa: E402

HEADER = {"generator": "tools/gen-distributions-fixtures.py", "torch": torch.__version__}


def new_cases():
    """Binomial … ContinuousBernoulli, TransformedDistribution, Chi2 (seeded separately, so the cases above keep their values)."""
    torch.manual_seed(1)
    rn = lambda *s: torch.randn(*s)
    pos = lambda *s: torch.rand(*s) + 0.3
    unit = lambda *s: torch.rand(*s) * 0.9 + 0.05
    ALL = ("log_prob", "entropy", "mean", "variance", "stddev", "cdf", "icdf", "mode")
    cases = []
    cases.append(case("LogNormal/icdf", {"dist": "LogNormal", "args": [Arg(rn(3) * 0.5), Arg(pos(3))]}, value=pos(2, 3) * 2, probs=unit(2, 3),
                      methods=("log_prob", "cdf", "icdf", "mode")))
    cases.append(case("Chi2", {"dist": "Chi2", "args": [Arg(pos(2, 3) * 4)]}, value=pos(2, 3) * 3, methods=("log_prob", "entropy", "mean", "variance", "mode")))
    cases.append(case("Chi2/number", {"dist": "Chi2", "args": [Arg(3.0)]}, value=pos(4) * 2, methods=("log_prob", "entropy", "mean", "variance", "mode")))
    cases.append(case("Dirichlet/mode-below-one", {"dist": "Dirichlet", "args": [Arg(torch.tensor([[0.5, 0.3, 0.2], [2.0, 0.5, 3.0]]))]},
                      value=torch.tensor([[0.2, 0.3, 0.5], [0.1, 0.6, 0.3]]), methods=("log_prob", "mode")))
    cases.append(case("StudentT/df-branches", {"dist": "StudentT", "args": [Arg(torch.tensor([0.8, 1.5, 4.0, 7.0])), Arg(rn(4)), Arg(pos(4))]},
                      value=rn(3, 4) * 2, methods=("log_prob", "entropy", "mean", "variance", "stddev", "mode")))
    cases.append(case("StudentT", {"dist": "StudentT", "args": [Arg(pos(2, 3) * 5 + 2), Arg(rn(3)), Arg(pos(2, 1))]},
                      value=rn(2, 3) * 2, methods=("log_prob", "entropy", "mean", "variance", "stddev", "mode")))
    cases.append(case("StudentT/defaults", {"dist": "StudentT", "args": [Arg(pos(3).double() * 3)]}, value=rn(3).double(),
                      methods=("log_prob", "entropy", "mean", "variance", "mode")))
    cases.append(case("Cauchy", {"dist": "Cauchy", "args": [Arg(rn(2, 3)), Arg(pos(3))]}, value=rn(4, 2, 3) * 2, probs=unit(2, 3), methods=ALL))
    cases.append(case("Cauchy/float64", {"dist": "Cauchy", "args": [Arg(rn(3).double()), Arg(1.5)]}, value=rn(3).double(), probs=unit(3).double(), methods=ALL))
    cases.append(case("HalfNormal", {"dist": "HalfNormal", "args": [Arg(pos(2, 3))]}, value=pos(4, 2, 3), probs=unit(2, 3), methods=ALL))
    cases.append(case("HalfNormal/number", {"dist": "HalfNormal", "args": [Arg(2.0)]}, value=pos(3) * 2, probs=unit(3), methods=ALL))
    cases.append(case("HalfCauchy", {"dist": "HalfCauchy", "args": [Arg(pos(3))]}, value=pos(2, 3) * 2, probs=unit(3), methods=ALL))
    cases.append(case("Gumbel", {"dist": "Gumbel", "args": [Arg(rn(2, 3)), Arg(pos(3))]}, value=rn(4, 2, 3) * 0.7, probs=unit(2, 3), methods=ALL))
    cases.append(case("Gumbel/numbers", {"dist": "Gumbel", "args": [Arg(0.5), Arg(2.0)]}, value=rn(5), probs=unit(5), methods=ALL))
    cases.append(case("Gumbel/float64", {"dist": "Gumbel", "args": [Arg(rn(3).double()), Arg(pos(3).double())]}, value=rn(3).double(), probs=unit(3).double(), methods=ALL))
    cases.append(case("Binomial/probs", {"dist": "Binomial", "args": [Arg(torch.full((2, 3), 10.0), False)], "kwargs": {"probs": Arg(unit(2, 3))}},
                      value=torch.randint(0, 11, (4, 2, 3)).float(), methods=("log_prob", "entropy", "mean", "variance", "mode")))
    cases.append(case("Binomial/logits", {"dist": "Binomial", "args": [Arg(torch.tensor([3.0, 7.0, 12.0]), False)], "kwargs": {"logits": Arg(rn(3) * 2)}},
                      value=torch.tensor([[0.0, 7.0, 5.0], [3.0, 2.0, 12.0]]), methods=("log_prob", "mean", "variance", "mode")))
    cases.append(case("Binomial/number-count", {"dist": "Binomial", "args": [Arg(5.0)], "kwargs": {"probs": Arg(unit(4))}},
                      value=torch.tensor([0.0, 5.0, 2.0, 3.0]), methods=("log_prob", "entropy", "mean", "variance", "mode")))
    cases.append(case("Binomial/logit-zero", {"dist": "Binomial", "args": [Arg(torch.tensor([4.0, 4.0, 9.0]), False)], "kwargs": {"logits": Arg(torch.tensor([0.0, 1.2, -0.7]))}},
                      value=torch.tensor([2.0, 4.0, 0.0]), methods=("log_prob", "mean", "variance")))
    cases.append(case("Geometric/probs", {"dist": "Geometric", "kwargs": {"probs": Arg(unit(2, 3))}},
                      value=torch.randint(0, 6, (4, 2, 3)).float(), methods=("log_prob", "entropy", "mean", "variance", "mode")))
    cases.append(case("Geometric/logits", {"dist": "Geometric", "kwargs": {"logits": Arg(rn(4))}},
                      value=torch.tensor([0.0, 1.0, 4.0, 9.0]), methods=("log_prob", "entropy", "mean", "variance", "mode")))
    cases.append(case("Geometric/p=1", {"dist": "Geometric", "kwargs": {"probs": Arg(torch.tensor([1.0, 0.4]))}},
                      value=torch.tensor([0.0, 2.0]), methods=("log_prob", "mean", "variance")))
    cases.append(case("NegativeBinomial/probs", {"dist": "NegativeBinomial", "args": [Arg(pos(2, 3) * 4)], "kwargs": {"probs": Arg(unit(2, 3))}},
                      value=torch.randint(0, 9, (4, 2, 3)).float(), methods=("log_prob", "mean", "variance", "mode")))
    cases.append(case("NegativeBinomial/logits", {"dist": "NegativeBinomial", "args": [Arg(3.0)], "kwargs": {"logits": Arg(rn(4))}},
                      value=torch.tensor([0.0, 1.0, 4.0, 11.0]), methods=("log_prob", "mean", "variance", "mode")))
    cb_probs = torch.tensor([[0.1, 0.4995, 0.5005, 0.8], [0.3, 0.5, 0.65, 0.97]])
    cases.append(case("ContinuousBernoulli/probs", {"dist": "ContinuousBernoulli", "kwargs": {"probs": Arg(cb_probs)}},
                      value=unit(3, 2, 4), probs=unit(2, 4), methods=("log_prob", "entropy", "mean", "variance", "stddev", "cdf", "icdf")))
    cases.append(case("ContinuousBernoulli/logits", {"dist": "ContinuousBernoulli", "kwargs": {"logits": Arg(rn(4) * 2)}},
                      value=unit(4), probs=unit(4), methods=("log_prob", "entropy", "mean", "variance", "stddev", "cdf", "icdf")))
    cases.append(case("ContinuousBernoulli/float64", {"dist": "ContinuousBernoulli", "kwargs": {"probs": Arg(torch.tensor([0.2, 0.4999, 0.7]).double())}},
                      value=torch.tensor([0.0, 0.3, 1.0]).double(), probs=unit(3).double(), methods=("log_prob", "entropy", "mean", "variance", "cdf", "icdf")))
    # TransformedDistribution
    normal = lambda: {"dist": "Normal", "args": [Arg(rn(3)), Arg(pos(3))]}
    TD = "TransformedDistribution"
    cases.append(case("Transformed/affine-exp", {"dist": TD, "base": normal(), "transforms": [
        {"t": "AffineTransform", "args": [Arg(rn(3)), Arg(pos(3))]}, {"t": "ExpTransform"}]},
        value=pos(2, 3) * 2, probs=unit(2, 3), methods=("log_prob", "cdf", "icdf")))
    cases.append(case("Transformed/negative-affine", {"dist": TD, "base": normal(), "transforms": [
        {"t": "AffineTransform", "args": [Arg(0.5), Arg(-2.0)]}]},
        value=rn(2, 3), probs=unit(2, 3), methods=("log_prob", "cdf", "icdf")))
    cases.append(case("Transformed/sigmoid", {"dist": TD, "base": normal(), "transforms": [{"t": "SigmoidTransform"}]},
                      value=unit(2, 3), probs=unit(2, 3), methods=("log_prob", "cdf", "icdf")))
    cases.append(case("Transformed/tanh", {"dist": TD, "base": normal(), "transforms": [{"t": "TanhTransform"}]},
                      value=unit(2, 3) * 1.6 - 0.8, probs=unit(2, 3), methods=("log_prob", "cdf", "icdf")))
    cases.append(case("Transformed/power", {"dist": TD, "base": {"dist": "Exponential", "args": [Arg(pos(3))]},
                                            "transforms": [{"t": "PowerTransform", "args": [Arg(pos(3) * 2)]}]},
                      value=pos(2, 3) * 2, probs=unit(2, 3), methods=("log_prob", "cdf", "icdf")))
    cases.append(case("Transformed/log-of-gamma", {"dist": TD, "base": {"dist": "Gamma", "args": [Arg(pos(3) * 2), Arg(pos(3))]},
                                                   "transforms": [{"t": "inv", "of": {"t": "ExpTransform"}}]},
                      value=rn(2, 3), methods=("log_prob",)))
    cases.append(case("Transformed/compose-softplus", {"dist": TD, "base": normal(), "transforms": [
        {"t": "ComposeTransform", "parts": [{"t": "AffineTransform", "args": [Arg(1.0), Arg(pos(3))]}, {"t": "SoftplusTransform"}]}]},
        value=pos(2, 3), probs=unit(2, 3), methods=("log_prob", "cdf", "icdf")))
    cases.append(case("Transformed/event-affine", {"dist": TD, "base": {"dist": "Normal", "args": [Arg(rn(2, 3)), Arg(pos(2, 3))]},
                                                   "transforms": [{"t": "AffineTransform", "args": [Arg(rn(3)), Arg(pos(3))], "kwargs": {"event_dim": 1}}]},
                      value=rn(4, 2, 3), methods=("log_prob",)))
    cases.append(case("Transformed/broadcast-base", {"dist": TD, "base": {"dist": "Normal", "args": [Arg(0.3), Arg(1.5)]},
                                                     "transforms": [{"t": "AffineTransform", "args": [Arg(rn(2, 3)), Arg(pos(3))]}]},
                      value=rn(2, 3), probs=unit(2, 3), methods=("log_prob", "cdf", "icdf")))
    cases.append(case("Transformed/mvn-affine", {"dist": TD, "base": {"dist": "MultivariateNormal", "args": [Arg(rn(3))], "kwargs": {"scale_tril": Arg(torch.eye(3) * 0.7 + torch.tril(rn(3, 3), -1) * 0.3)}},
                                                 "transforms": [{"t": "AffineTransform", "args": [Arg(rn(3)), Arg(pos(3))], "kwargs": {"event_dim": 1}}, {"t": "SigmoidTransform"}]},
                      value=unit(2, 3), methods=("log_prob",)))
    return cases


def expand_cases():
    """d.expand(batch_shape) of every class: values and gradients reaching the unexpanded parameters (seeded separately)."""
    torch.manual_seed(2)
    rn = lambda *s: torch.randn(*s)
    pos = lambda *s: torch.rand(*s) + 0.3
    unit = lambda *s: torch.rand(*s) * 0.9 + 0.05
    A = Arg
    ALL = ("log_prob", "entropy", "mean", "variance", "stddev", "cdf", "icdf", "mode")
    MOM = ("log_prob", "entropy", "mean", "variance", "mode")
    E23 = [2, 3]
    cases = []
    add = lambda name, spec, expand, **kw: cases.append(case("expand/" + name, {**spec, "expand": expand}, **kw))
    add("Normal", {"dist": "Normal", "args": [A(rn(3)), A(pos(3))]}, E23, value=rn(4, 2, 3), probs=unit(2, 3), methods=ALL)
    add("Normal/size-1-dims", {"dist": "Normal", "args": [A(rn(2, 1)), A(pos(1))]}, [4, 2, 3], value=rn(4, 2, 3), probs=unit(4, 2, 3), methods=ALL)
    add("Normal/numbers", {"dist": "Normal", "args": [A(0.5), A(2.0)]}, [3], value=rn(3), methods=("log_prob", "entropy", "mean"))
    add("Normal/one", {"dist": "Normal", "args": [A(0.5), A(2.0)]}, [1], value=rn(1), methods=("log_prob",))
    add("LogNormal", {"dist": "LogNormal", "args": [A(rn(3) * 0.5), A(pos(3))]}, E23, value=pos(2, 3) * 2, probs=unit(2, 3),
        methods=("log_prob", "entropy", "mean", "variance", "cdf", "icdf", "mode"))
    low = rn(3)
    add("Uniform", {"dist": "Uniform", "args": [A(low), A(low + pos(3) * 2)]}, E23, value=low + unit(2, 3) * 0.5, probs=unit(2, 3),
        methods=("log_prob", "entropy", "mean", "variance", "cdf", "icdf"))
    add("Laplace", {"dist": "Laplace", "args": [A(rn(3)), A(pos(3))]}, E23, value=rn(2, 3), probs=unit(2, 3), methods=ALL)
    add("Exponential", {"dist": "Exponential", "args": [A(pos(3))]}, E23, value=pos(2, 3), probs=unit(2, 3), methods=ALL)
    add("Gamma", {"dist": "Gamma", "args": [A(pos(3) * 2), A(pos(1))]}, E23, value=pos(2, 3), methods=MOM)
    add("Chi2", {"dist": "Chi2", "args": [A(pos(3) * 4)]}, E23, value=pos(2, 3) * 3, methods=MOM)
    add("Beta", {"dist": "Beta", "args": [A(pos(3) * 2), A(pos(3) * 2)]}, E23, value=unit(2, 3), methods=MOM)
    add("Dirichlet", {"dist": "Dirichlet", "args": [A(pos(1, 3) * 2)]}, [4, 2],
        value=torch.tensor([[0.25, 0.25, 0.5], [0.125, 0.625, 0.25]]), methods=MOM)
    add("Poisson", {"dist": "Poisson", "args": [A(pos(3) * 3)]}, E23, value=torch.randint(0, 6, (2, 3)).float(), methods=("log_prob", "mean", "variance", "mode"))
    add("Bernoulli/probs", {"dist": "Bernoulli", "kwargs": {"probs": A(unit(3))}}, E23, value=torch.randint(0, 2, (2, 3)).float(), methods=MOM)
    add("Bernoulli/logits", {"dist": "Bernoulli", "kwargs": {"logits": A(rn(1))}}, E23, value=torch.randint(0, 2, (2, 3)).float(), methods=MOM)
    add("Categorical/probs", {"dist": "Categorical", "kwargs": {"probs": A(pos(3, 4))}}, E23, value=torch.randint(0, 4, (2, 3)),
        methods=("log_prob", "entropy", "mode"))
    add("Categorical/logits", {"dist": "Categorical", "kwargs": {"logits": A(rn(4))}}, E23, value=torch.randint(0, 4, (2, 3)),
        methods=("log_prob", "entropy", "mode"))
    add("OneHotCategorical", {"dist": "OneHotCategorical", "kwargs": {"logits": A(rn(3, 4))}}, E23,
        value=torch.nn.functional.one_hot(torch.randint(0, 4, (2, 3)), 4).float(), methods=MOM)
    add("Binomial", {"dist": "Binomial", "args": [A(torch.full((3,), 10.0), False)], "kwargs": {"probs": A(unit(3))}}, E23,
        value=torch.randint(0, 11, (2, 3)).float(), methods=MOM)
    add("Geometric", {"dist": "Geometric", "kwargs": {"logits": A(rn(3))}}, E23, value=torch.randint(0, 6, (2, 3)).float(), methods=MOM)
    add("NegativeBinomial", {"dist": "NegativeBinomial", "args": [A(pos(3) * 4)], "kwargs": {"probs": A(unit(3))}}, E23,
        value=torch.randint(0, 9, (2, 3)).float(), methods=("log_prob", "mean", "variance", "mode"))
    add("StudentT", {"dist": "StudentT", "args": [A(pos(3) * 5 + 2), A(rn(3)), A(pos(3))]}, E23, value=rn(2, 3) * 2,
        methods=("log_prob", "entropy", "mean", "variance", "stddev", "mode"))
    add("Cauchy", {"dist": "Cauchy", "args": [A(rn(3)), A(pos(3))]}, E23, value=rn(2, 3) * 2, probs=unit(2, 3), methods=ALL)
    add("HalfNormal", {"dist": "HalfNormal", "args": [A(pos(3))]}, E23, value=pos(2, 3), probs=unit(2, 3), methods=ALL)
    add("HalfCauchy", {"dist": "HalfCauchy", "args": [A(pos(3))]}, E23, value=pos(2, 3), probs=unit(2, 3), methods=ALL)
    add("Gumbel", {"dist": "Gumbel", "args": [A(rn(3)), A(pos(3))]}, E23, value=rn(2, 3), probs=unit(2, 3), methods=ALL)
    add("ContinuousBernoulli", {"dist": "ContinuousBernoulli", "kwargs": {"probs": A(torch.tensor([0.2, 0.4999, 0.8]))}}, E23,
        value=unit(2, 3), probs=unit(2, 3), methods=("log_prob", "entropy", "mean", "variance", "stddev", "cdf", "icdf"))
    tril = torch.eye(2) * 0.8 + torch.tril(rn(2, 2), -1) * 0.3
    add("MultivariateNormal/scale_tril", {"dist": "MultivariateNormal", "args": [A(rn(2))], "kwargs": {"scale_tril": A(tril)}}, [3],
        value=rn(4, 3, 2), methods=MOM)
    C = rn(2, 2)
    add("MultivariateNormal/covariance", {"dist": "MultivariateNormal", "args": [A(rn(1, 2))], "kwargs": {"covariance_matrix": A(C @ C.t() + torch.eye(2))}},
        [4, 3], value=rn(4, 3, 2), methods=MOM)
    add("Independent", {"dist": "Independent", "base": {"dist": "Normal", "args": [A(rn(3, 2)), A(pos(3, 2))]}, "n": 1}, E23,
        value=rn(2, 3, 2), methods=("log_prob", "entropy", "mean", "variance"))
    add("TransformedDistribution", {"dist": "TransformedDistribution", "base": {"dist": "Normal", "args": [A(rn(3)), A(pos(3))]},
                                    "transforms": [{"t": "AffineTransform", "args": [A(rn(3)), A(pos(3))]}, {"t": "ExpTransform"}]}, E23,
        value=pos(2, 3) * 2, probs=unit(2, 3), methods=("log_prob", "cdf", "icdf"))
    # the transforms' parameters broadcast a size-1 dim of the base's batch: the base is expanded (no `expand` asked)
    cases.append(case("Transformed/broadcast-inside-base", {"dist": "TransformedDistribution", "base": {"dist": "Normal", "args": [A(rn(2, 1)), A(pos(2, 1))]},
                                                           "transforms": [{"t": "AffineTransform", "args": [A(rn(3)), A(pos(3))]}]},
                      value=rn(4, 2, 3), probs=unit(2, 3), methods=("log_prob", "cdf", "icdf")))
    return cases


def new_kls():
    torch.manual_seed(2)
    rn = lambda *s: torch.randn(*s)
    pos = lambda *s: torch.rand(*s) + 0.3
    unit = lambda *s: torch.rand(*s) * 0.9 + 0.05
    A = lambda t, g=True: Arg(t, g)
    normal = lambda: {"dist": "Normal", "args": [A(rn(3)), A(pos(3))]}
    laplace = lambda: {"dist": "Laplace", "args": [A(rn(3)), A(pos(3))]}
    gumbel = lambda: {"dist": "Gumbel", "args": [A(rn(3)), A(pos(3))]}
    expo = lambda: {"dist": "Exponential", "args": [A(pos(3))]}
    gamma = lambda: {"dist": "Gamma", "args": [A(pos(3) * 2), A(pos(3))]}
    beta = lambda: {"dist": "Beta", "args": [A(pos(3) * 2), A(pos(3) * 2)]}
    cb = lambda: {"dist": "ContinuousBernoulli", "kwargs": {"probs": A(torch.tensor([0.2, 0.4995, 0.8]))}}
    uni = lambda lo, hi: {"dist": "Uniform", "args": [A(torch.tensor(lo)), A(torch.tensor(hi))]}
    kls = []
    kls.append(kl_case("Binomial", {"dist": "Binomial", "args": [A(torch.tensor([5.0, 8.0, 6.0]), False)], "kwargs": {"probs": A(unit(3))}},
                       {"dist": "Binomial", "args": [A(torch.tensor([5.0, 8.0, 4.0]), False)], "kwargs": {"logits": A(rn(3))}}))
    kls.append(kl_case("Geometric", {"dist": "Geometric", "kwargs": {"probs": A(unit(3))}}, {"dist": "Geometric", "kwargs": {"logits": A(rn(3))}}))
    kls.append(kl_case("Gumbel", gumbel(), gumbel()))
    kls.append(kl_case("HalfNormal", {"dist": "HalfNormal", "args": [A(pos(3))]}, {"dist": "HalfNormal", "args": [A(pos(3))]}))
    kls.append(kl_case("HalfCauchy (transformed)", {"dist": "HalfCauchy", "args": [A(pos(3))]}, {"dist": "HalfCauchy", "args": [A(pos(3))]}))
    kls.append(kl_case("LogNormal (transformed)", {"dist": "LogNormal", "args": [A(rn(3)), A(pos(3))]}, {"dist": "LogNormal", "args": [A(rn(3)), A(pos(3))]}))
    kls.append(kl_case("Transformed/affine", {"dist": "TransformedDistribution", "base": normal(), "transforms": [{"t": "AffineTransform", "args": [A(1.0), A(2.0)]}]},
                       {"dist": "TransformedDistribution", "base": normal(), "transforms": [{"t": "AffineTransform", "args": [A(1.0), A(2.0)]}]}))
    kls.append(kl_case("Cauchy", {"dist": "Cauchy", "args": [A(rn(3)), A(pos(3))]}, {"dist": "Cauchy", "args": [A(rn(3)), A(pos(3))]}))
    kls.append(kl_case("ContinuousBernoulli", cb(), {"dist": "ContinuousBernoulli", "kwargs": {"logits": A(rn(3))}}))
    kls.append(kl_case("Chi2-Gamma", {"dist": "Chi2", "args": [A(pos(3) * 3)]}, gamma()))
    kls.append(kl_case("Bernoulli-Poisson", {"dist": "Bernoulli", "kwargs": {"probs": A(unit(3))}}, {"dist": "Poisson", "args": [A(pos(3) * 2)]}))
    kls.append(kl_case("Beta-ContinuousBernoulli", beta(), cb()))
    kls.append(kl_case("Beta-Exponential", beta(), expo()))
    kls.append(kl_case("Beta-Gamma", beta(), gamma()))
    kls.append(kl_case("Beta-Normal", beta(), normal()))
    kls.append(kl_case("Beta-Uniform", beta(), uni([-0.5, 0.0, 0.2], [1.5, 1.0, 1.2])))
    kls.append(kl_case("ContinuousBernoulli-Exponential", cb(), expo()))
    kls.append(kl_case("ContinuousBernoulli-Normal", cb(), normal()))
    kls.append(kl_case("ContinuousBernoulli-Uniform", cb(), uni([-0.5, -0.1, 0.2], [1.5, 1.2, 1.2])))
    kls.append(kl_case("Exponential-Gamma", expo(), gamma()))
    kls.append(kl_case("Exponential-Gumbel", expo(), gumbel()))
    kls.append(kl_case("Exponential-Normal", expo(), normal()))
    kls.append(kl_case("Gamma-Exponential", gamma(), expo()))
    kls.append(kl_case("Gamma-Gumbel", gamma(), gumbel()))
    kls.append(kl_case("Gamma-Normal", gamma(), normal()))
    kls.append(kl_case("Gumbel-Normal", gumbel(), normal()))
    kls.append(kl_case("Laplace-Normal", laplace(), normal()))
    kls.append(kl_case("Normal-Gumbel", normal(), gumbel()))
    kls.append(kl_case("Normal-Laplace", normal(), laplace()))
    kls.append(kl_case("Uniform-Beta", uni([0.1, 0.3, -0.1], [0.6, 0.9, 0.5]), beta()))
    kls.append(kl_case("Uniform-ContinuousBernoulli", uni([0.1, 0.3, -0.1], [0.6, 0.9, 0.5]), cb()))
    kls.append(kl_case("Uniform-Exponential", uni([0.1, 0.3, -0.1], [0.6, 1.9, 0.5]), expo()))
    kls.append(kl_case("Uniform-Gamma", uni([0.1, 0.3, -0.1], [0.6, 1.9, 0.5]), gamma()))
    kls.append(kl_case("Uniform-Gumbel", uni([0.1, 0.3, -0.1], [0.6, 1.9, 0.5]), gumbel()))
    kls.append(kl_case("Uniform-Normal", uni([0.1, 0.3, -0.1], [0.6, 1.9, 0.5]), normal()))
    for p_name, p in [("Exponential", expo), ("Gamma", gamma), ("Gumbel", gumbel), ("Laplace", laplace), ("Normal", normal)]:
        for q_name, q in [("Beta", beta), ("ContinuousBernoulli", cb), ("Uniform", lambda: uni([0.0, 0.0, 0.0], [1.0, 1.0, 1.0])),
                          ("Exponential", expo), ("Gamma", gamma)]:
            if p_name in ("Exponential", "Gamma") and q_name in ("Exponential", "Gamma"):
                continue
            kls.append(kl_case(f"{p_name}-{q_name} (infinite)", p(), q()))
    kls.append(kl_case("Poisson-Binomial (infinite)", {"dist": "Poisson", "args": [A(pos(3))]}, {"dist": "Binomial", "args": [A(4.0)], "kwargs": {"probs": A(unit(3))}}))
    kls.append(kl_case("Poisson-Bernoulli (infinite)", {"dist": "Poisson", "args": [A(pos(3))]}, {"dist": "Bernoulli", "kwargs": {"probs": A(unit(3))}}))
    return kls


def transform_cases():
    torch.manual_seed(3)
    rn = lambda *s: torch.randn(*s)
    pos = lambda *s: torch.rand(*s) + 0.3
    unit = lambda *s: torch.rand(*s) * 0.9 + 0.05
    A = lambda t, g=True: Arg(t, g)
    out = []
    out.append(transform_case("ExpTransform", {"t": "ExpTransform"}, rn(2, 3), [2, 3]))
    out.append(transform_case("inv ExpTransform", {"t": "inv", "of": {"t": "ExpTransform"}}, pos(2, 3), [2, 3]))
    out.append(transform_case("AffineTransform/tensors", {"t": "AffineTransform", "args": [A(rn(3)), A(rn(2, 3))]}, rn(2, 3), [4, 1, 3]))
    out.append(transform_case("AffineTransform/numbers", {"t": "AffineTransform", "args": [A(0.5), A(-3.0)]}, rn(4), [4]))
    out.append(transform_case("AffineTransform/event_dim", {"t": "AffineTransform", "args": [A(rn(3)), A(rn(3))], "kwargs": {"event_dim": 1}}, rn(2, 3), [2, 3]))
    out.append(transform_case("AffineTransform/float64", {"t": "AffineTransform", "args": [A(rn(3).double()), A(pos(3).double())]}, rn(2, 3).double(), [3]))
    out.append(transform_case("PowerTransform/tensor", {"t": "PowerTransform", "args": [A(pos(3) * 2)]}, pos(2, 3), [5, 3]))
    out.append(transform_case("PowerTransform/number", {"t": "PowerTransform", "args": [A(0.5)]}, pos(4), [4]))
    out.append(transform_case("SigmoidTransform", {"t": "SigmoidTransform"}, torch.tensor([-120.0, -3.0, 0.0, 2.5, 40.0]), [5]))
    out.append(transform_case("SigmoidTransform/float64", {"t": "SigmoidTransform"}, rn(4).double() * 3, [4]))
    out.append(transform_case("inv SigmoidTransform", {"t": "inv", "of": {"t": "SigmoidTransform"}}, unit(2, 3), [2, 3]))
    out.append(transform_case("TanhTransform", {"t": "TanhTransform"}, rn(2, 3) * 2, [2, 3]))
    out.append(transform_case("TanhTransform/float64", {"t": "TanhTransform"}, rn(5).double() * 3, [5]))
    out.append(transform_case("SoftplusTransform", {"t": "SoftplusTransform"}, rn(2, 3) * 3, [2, 3]))
    out.append(transform_case("SoftmaxTransform", {"t": "SoftmaxTransform"}, rn(2, 4) * 2, [2, 4]))
    out.append(transform_case("AbsTransform", {"t": "AbsTransform"}, rn(5), [5]))
    out.append(transform_case("ComposeTransform", {"t": "ComposeTransform", "parts": [
        {"t": "AffineTransform", "args": [A(rn(3)), A(pos(3))]}, {"t": "ExpTransform"}, {"t": "PowerTransform", "args": [A(1.5)]}]}, rn(2, 3), [2, 3]))
    out.append(transform_case("ComposeTransform/negative", {"t": "ComposeTransform", "parts": [
        {"t": "AffineTransform", "args": [A(0.0), A(-1.0)]}, {"t": "TanhTransform"}, {"t": "AffineTransform", "args": [A(1.0), A(-2.0)]}]}, rn(4), [4]))
    out.append(transform_case("ComposeTransform/softmax-event", {"t": "ComposeTransform", "parts": [
        {"t": "AffineTransform", "args": [A(rn(4)), A(pos(4))]}, {"t": "SoftmaxTransform"}]}, rn(3, 4), [3, 4]))
    out.append(transform_case("inv ComposeTransform", {"t": "inv", "of": {"t": "ComposeTransform", "parts": [
        {"t": "AffineTransform", "args": [A(rn(3)), A(pos(3))]}, {"t": "ExpTransform"}]}}, pos(2, 3), [2, 3]))
    out.append(transform_case("ComposeTransform/empty", {"t": "ComposeTransform", "parts": []}, rn(3), [3]))
    return out


def gamma_grads():
    """PyTorch's implicit reparameterisation gradients at given points, covering each branch of
    standard_gamma_grad_one (x < 0.8; alpha > 8 near and away from the mode; the rational fit) and of
    dirichlet_grad_one (x near 0, near 1, both concentrations large, the rational fit)."""
    torch.manual_seed(4)
    alpha = torch.tensor([0.3, 1.5, 4.0, 0.05, 9.0, 12.0, 12.0, 30.0, 30.0, 2.0, 6.0, 0.7, 3.0, 8.0, 50.0, 200.0])
    x = torch.tensor([0.2, 0.5, 0.7, 1e-3, 9.2, 5.0, 20.0, 29.0, 40.0, 1.5, 8.0, 2.5, 0.9, 3.0, 50.5, 180.0])
    out = {"standard_gamma_grad": []}
    for dt in (torch.float32, torch.float64):
        a, v = alpha.to(dt), x.to(dt)
        out["standard_gamma_grad"].append({"alpha": enc(a), "x": enc(v), "grad": enc(torch._standard_gamma_grad(a, v))})
    # Dirichlet components: (x, alpha, total)
    pts = [(0.05, 0.5, 1.5), (0.3, 1.2, 3.0), (0.6, 0.8, 1.1), (0.95, 2.0, 2.5), (0.99, 5.0, 5.3), (0.5, 10.0, 20.0), (0.52, 10.0, 20.0),
           (0.3, 8.0, 24.0), (0.7, 14.0, 21.0), (0.4, 2.0, 5.0), (0.7, 3.0, 4.0), (0.2, 1.0, 12.0), (0.85, 4.0, 9.0), (0.45, 0.6, 1.4)]
    xs, als, tots = (torch.tensor([p[i] for p in pts]) for i in range(3))
    out["dirichlet_grad"] = []
    for dt in (torch.float32, torch.float64):
        out["dirichlet_grad"].append({"x": enc(xs.to(dt)), "alpha": enc(als.to(dt)), "total": enc(tots.to(dt)),
                                      "grad": enc(torch._dirichlet_grad(xs.to(dt), als.to(dt), tots.to(dt)))})
    from torch.distributions.dirichlet import _Dirichlet_backward
    out["dirichlet_backward"] = []
    for conc in (torch.rand(3, 4).double() * 3 + 0.2, torch.rand(5, 2) * 4 + 0.5):
        xd = torch._sample_dirichlet(conc)
        g = torch.randn(conc.shape, dtype=conc.dtype)
        out["dirichlet_backward"].append({"x": enc(xd), "concentration": enc(conc), "grad_output": enc(g),
                                          "grad": enc(_Dirichlet_backward(xd, conc, g))})
    # end to end: the gradient of Gamma/Beta/Dirichlet rsample with respect to the parameters, given PyTorch's draws
    out["rsample"] = []
    for name, make in [("Gamma", lambda a, b: D.Gamma(a, b)), ("Chi2", lambda a, b: D.Chi2(a * 2))]:
        a = (torch.rand(6).double() * 4 + 0.2).requires_grad_()
        b = (torch.rand(6).double() + 0.5).requires_grad_()
        d = make(a, b)
        xs_ = d.rsample()
        w = torch.rand(6).double() + 0.5
        ga, = torch.autograd.grad((xs_ * w).sum(), [a])
        out["rsample"].append({"dist": name, "alpha": enc(a), "rate": enc(b), "x": enc(xs_), "weight": enc(w), "grad_alpha": enc(ga)})
    conc = (torch.rand(3, 4).double() * 3 + 0.3).requires_grad_()
    xd = D.Dirichlet(conc).rsample()
    w = torch.rand(3, 4).double() + 0.5
    gc, = torch.autograd.grad((xd * w).sum(), [conc])
    out["rsample"].append({"dist": "Dirichlet", "concentration": enc(conc), "x": enc(xd), "weight": enc(w), "grad": enc(gc)})
    a = (torch.rand(5).double() * 3 + 0.3).requires_grad_()
    b = (torch.rand(5).double() * 3 + 0.3).requires_grad_()
    x2 = D.Beta(a, b)._dirichlet.rsample()
    w = torch.rand(5).double() + 0.5
    ga, gb = torch.autograd.grad((x2[..., 0] * w).sum(), [a, b])
    out["rsample"].append({"dist": "Beta", "concentration1": enc(a), "concentration0": enc(b), "x": enc(x2), "weight": enc(w),
                           "grad1": enc(ga), "grad0": enc(gb)})
    return out


def _gamma_cdf(self, value):
    """Gamma.cdf as PyTorch 2.1 added it (torch 1.13 has none): the regularised lower incomplete gamma."""
    if self._validate_args:
        self._validate_sample(value)
    return torch.special.gammainc(self.concentration, self.rate * value)


def gamma_cdf_cases():
    """Gamma.cdf and Chi2.cdf (special.gammainc) with PyTorch 2.1's definition, computed in 1.13:
    differentiable in the rate and the value only, as torch's igamma has no derivative in its first
    argument (seeded separately, appended last)."""
    assert not hasattr(D.Gamma, "cdf") or D.Gamma.cdf is D.Distribution.cdf, "this torch has Gamma.cdf: use it"
    D.Gamma.cdf = _gamma_cdf
    torch.manual_seed(5)
    pos = lambda *s: torch.rand(*s) + 0.3
    return [
        case("Gamma/cdf", {"dist": "Gamma", "args": [Arg(pos(2, 3) * 3, False), Arg(pos(3))]}, value=pos(4, 2, 3) * 2, methods=("cdf",)),
        case("Gamma/cdf-small-concentration", {"dist": "Gamma", "args": [Arg(torch.tensor([0.2, 0.9, 7.5]), False), Arg(1.5)]},
             value=torch.tensor([[0.0, 0.4, 5.0], [0.01, 3.0, 12.0]]), methods=("cdf",)),
        case("Chi2/cdf", {"dist": "Chi2", "args": [Arg(pos(3) * 4, False)]}, value=pos(2, 3) * 3, methods=("cdf",)),
    ]


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
                      methods=("log_prob", "entropy", "mean", "variance", "cdf", "mode")))
    low = rn(3)
    cases.append(case("Uniform", {"dist": "Uniform", "args": [Arg(low), Arg(low + pos(3) * 2)]},
                      value=low + torch.tensor([0.1, 0.4, 0.2]), probs=unit(4, 3)))
    cases.append(case("Laplace", {"dist": "Laplace", "args": [Arg(rn(2, 3)), Arg(pos(2, 3))]}, value=rn(2, 3), probs=unit(2, 3)))
    cases.append(case("Exponential", {"dist": "Exponential", "args": [Arg(pos(4))]}, value=pos(3, 4), probs=unit(4)))
    cases.append(case("Bernoulli/probs", {"dist": "Bernoulli", "kwargs": {"probs": Arg(unit(2, 3))}},
                      value=torch.randint(0, 2, (4, 2, 3)).float(), methods=("log_prob", "entropy", "mean", "variance", "mode")))
    cases.append(case("Bernoulli/logits", {"dist": "Bernoulli", "kwargs": {"logits": Arg(rn(3) * 2)}},
                      value=torch.tensor([1.0, 0.0, 1.0]), methods=("log_prob", "entropy", "mean", "variance", "mode")))
    cases.append(case("Categorical/probs", {"dist": "Categorical", "kwargs": {"probs": Arg(pos(2, 4))}},
                      value=torch.randint(0, 4, (3, 2)), methods=("log_prob", "entropy", "mode")))
    cases.append(case("Categorical/logits", {"dist": "Categorical", "kwargs": {"logits": Arg(rn(4) * 2)}},
                      value=torch.randint(0, 4, (5,)), methods=("log_prob", "entropy", "mode")))
    cases.append(case("OneHotCategorical", {"dist": "OneHotCategorical", "kwargs": {"logits": Arg(rn(2, 3))}},
                      value=torch.eye(3)[torch.tensor([2, 0])], methods=("log_prob", "entropy", "mean", "variance", "mode")))
    cases.append(case("Gamma", {"dist": "Gamma", "args": [Arg(pos(2, 3) * 3), Arg(pos(3))]}, value=pos(2, 3) * 2,
                      methods=("log_prob", "entropy", "mean", "variance", "mode")))
    cases.append(case("Gamma/small-concentration", {"dist": "Gamma", "args": [Arg(torch.tensor([0.3, 0.7])), Arg(2.0)]},
                      value=torch.tensor([0.05, 1.5]), methods=("log_prob", "entropy", "mean", "variance", "mode")))
    cases.append(case("Beta", {"dist": "Beta", "args": [Arg(pos(3) * 2), Arg(pos(3) * 3)]}, value=unit(4, 3),
                      methods=("log_prob", "entropy", "mean", "variance", "mode")))
    conc = pos(2, 4) * 2
    cases.append(case("Dirichlet", {"dist": "Dirichlet", "args": [Arg(conc)]}, value=torch.softmax(rn(2, 4), -1),
                      methods=("log_prob", "entropy", "mean", "variance", "mode")))
    cases.append(case("Poisson", {"dist": "Poisson", "args": [Arg(pos(4) * 5)]}, value=torch.tensor([[0.0, 3.0, 7.0, 1.0], [2.0, 2.0, 0.0, 12.0]]),
                      methods=("log_prob", "mean", "variance", "mode")))
    A = rn(3, 3)
    spd = A @ A.t() + torch.eye(3) * 0.5
    tril = torch.linalg.cholesky(spd)
    cases.append(case("MultivariateNormal/scale_tril", {"dist": "MultivariateNormal", "args": [Arg(rn(2, 3))], "kwargs": {"scale_tril": Arg(tril)}},
                      value=rn(4, 2, 3), methods=("log_prob", "entropy", "mean", "variance", "mode")))
    cases.append(case("MultivariateNormal/covariance", {"dist": "MultivariateNormal", "args": [Arg(rn(3))], "kwargs": {"covariance_matrix": Arg(spd)}},
                      value=rn(5, 3), methods=("log_prob", "entropy", "mean", "variance", "mode")))
    B = rn(2, 2, 2)
    cases.append(case("MultivariateNormal/precision", {"dist": "MultivariateNormal", "args": [Arg(rn(2))], "kwargs": {"precision_matrix": Arg(B @ B.transpose(-1, -2) + torch.eye(2), False)}},
                      value=rn(2, 2), methods=("log_prob", "entropy", "mean", "variance", "mode")))
    cases.append(case("Independent/Normal", {"dist": "Independent", "base": {"dist": "Normal", "args": [Arg(rn(2, 3)), Arg(pos(2, 3))]}, "n": 1},
                      value=rn(2, 3), methods=("log_prob", "entropy", "mean", "variance", "mode")))

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

    cases += new_cases()
    cases += expand_cases()
    kls += new_kls()
    transforms = transform_cases()
    implicit = gamma_grads()
    more = more_dists()
    cases += gamma_cdf_cases()

    path = os.path.join(out_dir, "distributions.json")
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        json.dump({**HEADER, "cases": cases, "kl": kls, "transforms": transforms, "implicit": implicit, "more": more}, f, separators=(",", ":"), allow_nan=False)
        f.write("\n")
    os.replace(tmp, path)
    print("wrote", os.path.relpath(path), os.path.getsize(path), "bytes")


if __name__ == "__main__":
    main()
