"""The distributions added on 2026-11-29 (the fixture's "more" section) and rsample at fixed noise."""
import torch
import torch.distributions as D
from torch.distributions.relaxed_bernoulli import LogitRelaxedBernoulli
from torch.distributions.relaxed_categorical import ExpRelaxedCategorical

from .dist_common import Arg, build, case, enc, grads_of, kl_case, spec_json, transform_case


def rsample_case(name, spec, noise, sample_shape=()):
    """rsample with its noise fixed: torch.rand patched to return `noise` (the relaxed distributions),
    or, for a TransformedDistribution of an Exponential, the transforms applied to a fixed base draw."""
    dist, leaves = build(spec)
    if isinstance(getattr(dist, "base_dist", None), D.Exponential):
        x = noise
        for t in dist.transforms:
            x = t(x)
    else:
        orig = torch.rand
        torch.rand = lambda *a, **k: noise.clone()
        try:
            x = dist.rsample(torch.Size(sample_shape))
        finally:
            torch.rand = orig
    w = torch.rand(x.shape, generator=torch.Generator().manual_seed(13), dtype=x.dtype) + 0.5
    gs = torch.autograd.grad((x * w).sum(), leaves, allow_unused=True)
    return {"name": name, "spec": spec_json(spec), "noise": enc(noise), "sampleShape": list(sample_shape), "out": enc(x), "weight": enc(w),
            "grads": [enc(v) if v is not None else None for v in gs]}


def more_dists():
    """MixtureSameFamily, the relaxed distributions, Multinomial, Weibull, Pareto, Kumaraswamy (their own keys and seed)."""
    torch.manual_seed(3)
    rn = lambda *s: torch.randn(*s)
    pos = lambda *s: torch.rand(*s) + 0.3
    unit = lambda *s: torch.rand(*s) * 0.9 + 0.05
    ALL = ("log_prob", "entropy", "mean", "variance", "stddev", "cdf", "icdf", "mode")
    cases = []
    normals = {"dist": "Normal", "args": [Arg(rn(2, 3)), Arg(pos(2, 3))]}
    cases.append(case("MixtureSameFamily/Normal", {"dist": "MixtureSameFamily", "mixture": {"dist": "Categorical", "kwargs": {"logits": Arg(rn(2, 3))}}, "component": normals},
                      value=rn(4, 2), methods=("log_prob", "mean", "variance", "stddev", "cdf")))
    cases.append(case("MixtureSameFamily/shared-weights", {"dist": "MixtureSameFamily", "mixture": {"dist": "Categorical", "kwargs": {"probs": Arg(pos(3))}},
                      "component": {"dist": "Gamma", "args": [Arg(pos(2, 3) * 2), Arg(pos(2, 3))]}}, value=pos(2), methods=("log_prob", "mean", "variance")))
    cases.append(case("MixtureSameFamily/Independent", {"dist": "MixtureSameFamily", "mixture": {"dist": "Categorical", "kwargs": {"probs": Arg(pos(3))}},
                      "component": {"dist": "Independent", "base": {"dist": "Normal", "args": [Arg(rn(3, 2)), Arg(pos(3, 2))]}, "n": 1}},
                      value=rn(5, 2), methods=("log_prob", "mean", "variance")))
    cases.append(case("MixtureSameFamily/expand", {"dist": "MixtureSameFamily", "mixture": {"dist": "Categorical", "kwargs": {"logits": Arg(rn(3))}},
                      "component": {"dist": "Normal", "args": [Arg(rn(3)), Arg(pos(3))]}, "expand": [2, 4]}, value=rn(2, 4), methods=("log_prob", "mean", "variance", "cdf")))
    cases.append(case("LogitRelaxedBernoulli", {"dist": "LogitRelaxedBernoulli", "args": [Arg(torch.tensor(0.7))], "kwargs": {"logits": Arg(rn(2, 3))}},
                      value=rn(4, 2, 3) * 2, methods=("log_prob",)))
    cases.append(case("RelaxedBernoulli/probs", {"dist": "RelaxedBernoulli", "args": [Arg(torch.tensor(0.5))], "kwargs": {"probs": Arg(unit(3))}},
                      value=unit(2, 3), methods=("log_prob",)))
    cases.append(case("RelaxedBernoulli/expand", {"dist": "RelaxedBernoulli", "args": [Arg(pos(3))], "kwargs": {"logits": Arg(rn(3))}, "expand": [2, 3]},
                      value=unit(2, 3), methods=("log_prob",)))
    cases.append(case("ExpRelaxedCategorical", {"dist": "ExpRelaxedCategorical", "args": [Arg(torch.tensor(0.8))], "kwargs": {"logits": Arg(rn(2, 4))}},
                      value=torch.log_softmax(rn(3, 2, 4), -1), methods=("log_prob",)))
    cases.append(case("RelaxedOneHotCategorical", {"dist": "RelaxedOneHotCategorical", "args": [Arg(torch.tensor(1.3))], "kwargs": {"probs": Arg(pos(2, 3))}},
                      value=torch.softmax(rn(2, 3) * 2, -1), methods=("log_prob",)))
    cases.append(case("RelaxedOneHotCategorical/expand", {"dist": "RelaxedOneHotCategorical", "args": [Arg(torch.tensor(0.6))], "kwargs": {"logits": Arg(rn(3))}, "expand": [2]},
                      value=torch.softmax(rn(2, 3), -1), methods=("log_prob",)))
    cases.append(case("Multinomial", {"dist": "Multinomial", "args": [Arg(5)], "kwargs": {"probs": Arg(pos(2, 3))}},
                      value=torch.tensor([[[1.0, 3.0, 1.0], [0.0, 0.0, 5.0]], [[2.0, 2.0, 1.0], [4.0, 1.0, 0.0]]]), methods=("log_prob", "entropy", "mean", "variance")))
    cases.append(case("Multinomial/logits", {"dist": "Multinomial", "args": [Arg(3)], "kwargs": {"logits": Arg(rn(4))}},
                      value=torch.tensor([[0.0, 1.0, 2.0, 0.0], [3.0, 0.0, 0.0, 0.0]]), methods=("log_prob", "entropy", "mean", "variance")))
    cases.append(case("Multinomial/expand", {"dist": "Multinomial", "args": [Arg(2)], "kwargs": {"probs": Arg(pos(3))}, "expand": [2]},
                      value=torch.tensor([[1.0, 1.0, 0.0], [0.0, 0.0, 2.0]]), methods=("log_prob", "mean", "variance")))  # torch 1.13's expand drops _binomial: no entropy
    cases.append(case("Weibull", {"dist": "Weibull", "args": [Arg(pos(2, 3) * 2), Arg(pos(3) * 2)]}, value=pos(4, 2, 3), probs=unit(2, 3), methods=ALL))
    cases.append(case("Weibull/numbers", {"dist": "Weibull", "args": [Arg(1.5), Arg(0.8)]}, value=pos(3), probs=unit(3), methods=ALL))
    cases.append(case("Weibull/expand", {"dist": "Weibull", "args": [Arg(pos(3)), Arg(pos(3) * 3)], "expand": [2, 3]}, value=pos(2, 3), probs=unit(2, 3), methods=ALL))
    cases.append(case("Pareto", {"dist": "Pareto", "args": [Arg(pos(2, 3)), Arg(torch.tensor([0.8, 1.5, 3.0]))]}, value=pos(2, 3) + 1.3, probs=unit(2, 3), methods=ALL))
    cases.append(case("Pareto/expand", {"dist": "Pareto", "args": [Arg(pos(3)), Arg(pos(3) * 4)], "expand": [2, 3]}, value=pos(2, 3) + 1.3, probs=unit(2, 3), methods=ALL))
    ka, kb = pos(2, 3) * 3, torch.tensor([0.7, 2.0, 4.0])
    cases.append(case("Kumaraswamy", {"dist": "Kumaraswamy", "args": [Arg(ka), Arg(kb)]}, value=unit(4, 2, 3), probs=unit(2, 3),
                      methods=("log_prob", "entropy", "mean", "variance", "stddev", "cdf", "icdf")))
    cases.append(case("Kumaraswamy/expand", {"dist": "Kumaraswamy", "args": [Arg(pos(3) * 2), Arg(pos(3) * 2)], "expand": [2, 3]}, value=unit(2, 3), probs=unit(2, 3),
                      methods=("log_prob", "entropy", "mean", "variance", "cdf", "icdf")))

    kls = []
    par = lambda: {"dist": "Pareto", "args": [Arg(pos(3)), Arg(pos(3) * 3 + 2.2)]}
    kls.append(kl_case("Pareto/Pareto", {"dist": "Pareto", "args": [Arg(torch.tensor([1.0, 0.5, 2.0])), Arg(pos(3) * 2)]},
                       {"dist": "Pareto", "args": [Arg(torch.tensor([0.8, 0.9, 1.0])), Arg(pos(3) * 2)]}))
    kls.append(kl_case("Pareto/Exponential", par(), {"dist": "Exponential", "args": [Arg(pos(3))]}))
    kls.append(kl_case("Pareto/Exponential-heavy", {"dist": "Pareto", "args": [Arg(pos(2)), Arg(torch.tensor([0.5, 2.0]))]}, {"dist": "Exponential", "args": [Arg(pos(2))]}))
    kls.append(kl_case("Pareto/Gamma", par(), {"dist": "Gamma", "args": [Arg(pos(3) * 2), Arg(pos(3))]}))
    kls.append(kl_case("Pareto/Normal", par(), {"dist": "Normal", "args": [Arg(rn(3)), Arg(pos(3))]}))
    kls.append(kl_case("Uniform/Pareto", {"dist": "Uniform", "args": [Arg(torch.tensor([1.5, 0.2])), Arg(torch.tensor([2.5, 3.0]))]},
                       {"dist": "Pareto", "args": [Arg(torch.tensor([1.0, 0.5])), Arg(pos(2) * 2)]}))
    for q in ("Beta", "ContinuousBernoulli", "Uniform"):
        qs = {"Beta": {"dist": "Beta", "args": [Arg(2.0), Arg(3.0)]}, "ContinuousBernoulli": {"dist": "ContinuousBernoulli", "kwargs": {"probs": Arg(0.3)}},
              "Uniform": {"dist": "Uniform", "args": [Arg(0.0), Arg(1.0)]}}[q]
        kls.append(kl_case(f"Pareto/{q}", par(), qs))
    for p_ in (("Beta", {"dist": "Beta", "args": [Arg(pos(2)), Arg(pos(2))]}), ("ContinuousBernoulli", {"dist": "ContinuousBernoulli", "kwargs": {"probs": Arg(unit(2))}}),
               ("Exponential", {"dist": "Exponential", "args": [Arg(pos(2))]}), ("Gamma", {"dist": "Gamma", "args": [Arg(pos(2)), Arg(pos(2))]}),
               ("Gumbel", {"dist": "Gumbel", "args": [Arg(rn(2)), Arg(pos(2))]}), ("Laplace", {"dist": "Laplace", "args": [Arg(rn(2)), Arg(pos(2))]}),
               ("Normal", {"dist": "Normal", "args": [Arg(rn(2)), Arg(pos(2))]})):
        kls.append(kl_case(f"{p_[0]}/Pareto", p_[1], {"dist": "Pareto", "args": [Arg(pos(2)), Arg(pos(2))]}))

    rs = []
    rs.append(rsample_case("RelaxedBernoulli", {"dist": "RelaxedBernoulli", "args": [Arg(pos(3))], "kwargs": {"logits": Arg(rn(3))}}, unit(4, 3), (4,)))
    rs.append(rsample_case("LogitRelaxedBernoulli/probs", {"dist": "LogitRelaxedBernoulli", "args": [Arg(torch.tensor(0.4))], "kwargs": {"probs": Arg(unit(2, 3))}}, unit(2, 3)))
    rs.append(rsample_case("RelaxedOneHotCategorical", {"dist": "RelaxedOneHotCategorical", "args": [Arg(torch.tensor(0.7))], "kwargs": {"logits": Arg(rn(2, 4))}}, unit(3, 2, 4), (3,)))
    rs.append(rsample_case("Kumaraswamy", {"dist": "Kumaraswamy", "args": [Arg(pos(3) * 2), Arg(pos(3) * 2)]}, unit(5, 3), (5,)))
    rs.append(rsample_case("Weibull", {"dist": "Weibull", "args": [Arg(pos(3) * 2), Arg(pos(3) * 2)]}, pos(5, 3)))
    rs.append(rsample_case("Pareto", {"dist": "Pareto", "args": [Arg(pos(3)), Arg(pos(3) * 2)]}, pos(5, 3)))
    more_cases, more_kls, more_rs, matrices = more_dists_2()
    cases3, kls3, rs3, transforms, (matrices3, rs_wishart) = more_dists_3()
    cases4, transforms4 = more_dists_4()
    return {"cases": cases + more_cases + cases3 + cases4, "kl": kls + more_kls + kls3, "rsample": rs + more_rs + rs3 + rs_wishart, "matrices": matrices + matrices3,
            "transforms": transforms + transforms4}


def rsample_case_normal_noise(name, spec, module, noises, sample_shape=()):
    """rsample with `module._standard_normal` patched to return `noises` in turn; the fixture's noise is them concatenated on the last dim."""
    dist, leaves = build(spec)
    orig, queue = module._standard_normal, list(noises)
    module._standard_normal = lambda shape, dtype, device: queue.pop(0).clone()
    try:
        x = dist.rsample(torch.Size(sample_shape))
    finally:
        module._standard_normal = orig
    w = torch.rand(x.shape, generator=torch.Generator().manual_seed(13), dtype=x.dtype) + 0.5
    gs = torch.autograd.grad((x * w).sum(), leaves, allow_unused=True)
    return {"name": name, "spec": spec_json(spec), "noise": enc(torch.cat(list(noises), -1)), "sampleShape": list(sample_shape), "out": enc(x), "weight": enc(w),
            "grads": [enc(v) if v is not None else None for v in gs]}


def more_dists_2():
    """LowRankMultivariateNormal, FisherSnedecor, LogisticNormal, VonMises, ... (appended to "more" with their own seed)."""
    import torch.distributions.lowrank_multivariate_normal as lrmvn
    torch.manual_seed(4)
    rn = lambda *s: torch.randn(*s)
    pos = lambda *s: torch.rand(*s) + 0.3
    cases, kls, rs, matrices = [], [], [], []
    lr = lambda *b, n=3, m=2: {"dist": "LowRankMultivariateNormal", "args": [Arg(rn(*b, n)), Arg(rn(*b, n, m)), Arg(pos(*b, n))]}
    LR_METHODS = ("log_prob", "entropy", "mean", "variance", "stddev", "mode")
    cases.append(case("LowRankMultivariateNormal", lr(2), value=rn(4, 2, 3), methods=LR_METHODS))
    cases.append(case("LowRankMultivariateNormal/broadcast", {"dist": "LowRankMultivariateNormal", "args": [Arg(rn(2, 4)), Arg(rn(4, 1)), Arg(pos(4))]},
                      value=rn(3, 1, 4), methods=LR_METHODS))
    cases.append(case("LowRankMultivariateNormal/float64", {"dist": "LowRankMultivariateNormal", "args": [Arg(rn(3).double()), Arg(rn(3, 3).double()), Arg(pos(3).double())]},
                      value=rn(2, 3).double(), methods=LR_METHODS))
    cases.append(case("LowRankMultivariateNormal/expand", {**lr(), "expand": [2, 3]}, value=rn(2, 3, 3), methods=LR_METHODS))
    for k in ("covariance_matrix", "precision_matrix", "scale_tril"):
        spec = lr(2)
        matrices.append({"name": f"LowRankMultivariateNormal.{k}", "spec": spec_json(spec), "method": k, **grads_of(lambda d: getattr(d, k), spec)})
    A = rn(3, 3)
    mvn = lambda: {"dist": "MultivariateNormal", "args": [Arg(rn(2, 3))], "kwargs": {"scale_tril": Arg(torch.linalg.cholesky(A @ A.t() + torch.eye(3)))}}
    kls.append(kl_case("LowRankMultivariateNormal/LowRankMultivariateNormal", lr(2), lr(m=1)))
    kls.append(kl_case("MultivariateNormal/LowRankMultivariateNormal", mvn(), lr(2)))
    kls.append(kl_case("LowRankMultivariateNormal/MultivariateNormal", lr(m=1), mvn()))
    rs.append(rsample_case_normal_noise("LowRankMultivariateNormal", lr(2), lrmvn, [rn(5, 2, 2), rn(5, 2, 3)], (5,)))
    FS = ("log_prob", "mean", "variance", "stddev", "mode")
    cases.append(case("FisherSnedecor", {"dist": "FisherSnedecor", "args": [Arg(pos(2, 3) * 8), Arg(pos(3) * 8 + 3)]}, value=pos(4, 2, 3) * 2, methods=FS))
    cases.append(case("FisherSnedecor/small-df", {"dist": "FisherSnedecor", "args": [Arg(torch.tensor([1.0, 2.5, 4.0])), Arg(torch.tensor([1.5, 3.0, 6.0]))]},
                      value=pos(3), methods=("log_prob",)))
    cases.append(case("FisherSnedecor/numbers", {"dist": "FisherSnedecor", "args": [Arg(3.0), Arg(7.5)]}, value=pos(5), methods=FS))
    cases.append(case("FisherSnedecor/expand", {"dist": "FisherSnedecor", "args": [Arg(pos(3) * 8), Arg(pos(3) * 8 + 5)], "expand": [2, 3]}, value=pos(2, 3), methods=FS))
    rs.append(rsample_case_gamma_noise("FisherSnedecor", {"dist": "FisherSnedecor", "args": [Arg(pos(3) * 4), Arg(pos(3) * 4)]}, [pos(5, 3), pos(5, 3)], (5,)))
    return cases, kls, rs, matrices


def rsample_case_gamma_noise(name, spec, draws, sample_shape=()):
    """rsample with the standard gamma draws fixed (`gamma._standard_gamma` patched; gradients still
    torch's implicit rule, `_standard_gamma_grad`); the fixture's noise is the draws stacked on a new last dim."""
    import torch.distributions.gamma as gamma_mod

    class Fixed(torch.autograd.Function):
        @staticmethod
        def forward(ctx, alpha, z):
            ctx.save_for_backward(alpha, z)
            return z.clone()

        @staticmethod
        def backward(ctx, g):
            alpha, z = ctx.saved_tensors
            return g * torch._standard_gamma_grad(alpha, z), None

    dist, leaves = build(spec)
    orig, queue = gamma_mod._standard_gamma, list(draws)
    gamma_mod._standard_gamma = lambda conc: Fixed.apply(conc, queue.pop(0).to(conc.dtype))
    try:
        x = dist.rsample(torch.Size(sample_shape))
    finally:
        gamma_mod._standard_gamma = orig
    w = torch.rand(x.shape, generator=torch.Generator().manual_seed(13), dtype=x.dtype) + 0.5
    gs = torch.autograd.grad((x * w).sum(), leaves, allow_unused=True)
    return {"name": name, "spec": spec_json(spec), "noise": enc(torch.stack(list(draws), -1)), "sampleShape": list(sample_shape), "out": enc(x), "weight": enc(w),
            "grads": [enc(v) if v is not None else None for v in gs]}


def more_dists_3():
    """StickBreakingTransform, LogisticNormal, VonMises, Wishart (appended to "more" with their own seed)."""
    import torch.distributions.normal as normal_mod
    torch.manual_seed(5)
    rn = lambda *s: torch.randn(*s)
    pos = lambda *s: torch.rand(*s) + 0.3
    cases, kls, rs, transforms = [], [], [], []
    sb = {"t": "StickBreakingTransform"}
    transforms.append(transform_case("StickBreakingTransform", sb, rn(2, 3) * 2, [2, 3]))
    transforms.append(transform_case("StickBreakingTransform/float64", sb, rn(4).double(), [4]))
    transforms.append(transform_case("StickBreakingTransform/one", sb, rn(3, 1), [3, 1]))
    transforms.append(transform_case("inv StickBreakingTransform", {"t": "inv", "of": sb}, torch.softmax(rn(2, 4), -1), [2, 4]))
    simplex = lambda *s: torch.softmax(rn(*s) * 1.5, -1)
    LN = ("log_prob",)
    cases.append(case("LogisticNormal", {"dist": "LogisticNormal", "args": [Arg(rn(2, 3)), Arg(pos(2, 3))]}, value=simplex(5, 2, 4), methods=LN))
    cases.append(case("LogisticNormal/broadcast", {"dist": "LogisticNormal", "args": [Arg(rn(3)), Arg(pos(2, 1))]}, value=simplex(2, 4), methods=LN))
    cases.append(case("LogisticNormal/scalar", {"dist": "LogisticNormal", "args": [Arg(torch.tensor(0.4)), Arg(torch.tensor(1.3))]}, value=simplex(3, 2), methods=LN))
    cases.append(case("LogisticNormal/float64", {"dist": "LogisticNormal", "args": [Arg(rn(2).double()), Arg(0.7)]}, value=simplex(3).double(), methods=LN))
    cases.append(case("LogisticNormal/expand", {"dist": "LogisticNormal", "args": [Arg(rn(3)), Arg(pos(3))], "expand": [2, 5]}, value=simplex(2, 5, 4), methods=LN))
    kls.append(kl_case("LogisticNormal/LogisticNormal", {"dist": "LogisticNormal", "args": [Arg(rn(2, 3)), Arg(pos(2, 3))]},
                       {"dist": "LogisticNormal", "args": [Arg(rn(3)), Arg(pos(3))]}))
    rs.append(rsample_case_normal_noise("LogisticNormal", {"dist": "LogisticNormal", "args": [Arg(rn(2, 3)), Arg(pos(2, 3))]}, normal_mod, [rn(4, 2, 3)], (4,)))
    VM = ("log_prob", "mean", "variance", "stddev", "mode")
    kappa = torch.tensor([[0.05, 0.8, 2.0], [3.7, 3.8, 12.0]])
    cases.append(case("VonMises", {"dist": "VonMises", "args": [Arg(rn(2, 3) * 2), Arg(kappa)]}, value=rn(4, 2, 3) * 3, methods=VM))
    cases.append(case("VonMises/numbers", {"dist": "VonMises", "args": [Arg(0.5), Arg(1.5)]}, value=rn(5) * 4, methods=VM))
    cases.append(case("VonMises/float64", {"dist": "VonMises", "args": [Arg(rn(3).double()), Arg(torch.tensor([0.3, 3.0, 30.0]).double())]}, value=rn(2, 3).double() * 3, methods=VM))
    cases.append(case("VonMises/expand", {"dist": "VonMises", "args": [Arg(rn(3)), Arg(pos(3) * 5)], "expand": [2, 3]}, value=rn(2, 3) * 3, methods=VM))
    spd = lambda *b, p=3: (lambda A: A @ A.transpose(-1, -2) + 0.5 * torch.eye(p))(rn(*b, p, p))
    tril = lambda *b, p=3: torch.linalg.cholesky(spd(*b, p=p))
    WM = ("log_prob", "entropy", "mean", "variance", "stddev", "mode")
    cases.append(case("Wishart/scale_tril", {"dist": "Wishart", "args": [Arg(torch.tensor([4.5, 6.0]))], "kwargs": {"scale_tril": Arg(tril(2))}}, value=spd(4, 2), methods=WM))
    cases.append(case("Wishart/covariance_matrix", {"dist": "Wishart", "args": [Arg(5.0)], "kwargs": {"covariance_matrix": Arg(spd())}}, value=spd(3), methods=WM))
    cases.append(case("Wishart/precision_matrix", {"dist": "Wishart", "args": [Arg(torch.tensor([2.5, 7.0]).double())], "kwargs": {"precision_matrix": Arg(spd(p=2).double())}},
                      value=spd(2, p=2).double(), methods=WM))
    cases.append(case("Wishart/low-df", {"dist": "Wishart", "args": [Arg(torch.tensor([2.2, 3.5]))], "kwargs": {"scale_tril": Arg(tril())}}, value=spd(2), methods=("log_prob", "entropy", "mean", "mode")))
    cases.append(case("Wishart/expand", {"dist": "Wishart", "args": [Arg(torch.tensor(4.0))], "kwargs": {"scale_tril": Arg(tril(1))}, "expand": [2, 3]}, value=spd(2, 3), methods=WM))
    return cases, kls, rs, transforms, wishart_extras(rn, tril)


def wishart_extras(rn, tril):
    """Wishart's matrices and its Bartlett draw at fixed gamma and normal draws (torch.randn patched; the noise is [gammas, normals] on the last dim).
    The draw is `_bartlett_sampling`: torch 1.13's rsample then "corrects" every non-singular sample (its check lacks a `~`) by
    an in-place redraw, which breaks backward for a sample shape with a batch."""
    import torch.distributions.gamma as gamma_mod
    matrices = []
    for k in ("covariance_matrix", "precision_matrix", "scale_tril"):
        spec = {"dist": "Wishart", "args": [Arg(torch.tensor([4.0, 5.5]))], "kwargs": {"scale_tril": Arg(tril(2))}}
        matrices.append({"name": f"Wishart.{k}", "spec": spec_json(spec), "method": k, **grads_of(lambda d: getattr(d, k), spec)})

    class Fixed(torch.autograd.Function):
        @staticmethod
        def forward(ctx, alpha, z):
            ctx.save_for_backward(alpha, z)
            return z.clone()

        @staticmethod
        def backward(ctx, g):
            alpha, z = ctx.saved_tensors
            return g * torch._standard_gamma_grad(alpha, z), None

    spec = {"dist": "Wishart", "args": [Arg(torch.tensor([4.0, 5.5]))], "kwargs": {"scale_tril": Arg(tril(2))}}
    gammas, normals = torch.rand(5, 2, 3) * 2 + 0.2, rn(5, 2, 3)
    dist, leaves = build(spec)
    orig_g, orig_n = gamma_mod._standard_gamma, torch.randn
    gamma_mod._standard_gamma = lambda conc: Fixed.apply(conc, gammas.to(conc.dtype))
    torch.randn = lambda *a, **k: normals.clone()
    try:
        x = dist._bartlett_sampling(torch.Size((5,)))
    finally:
        gamma_mod._standard_gamma, torch.randn = orig_g, orig_n
    w = torch.rand(x.shape, generator=torch.Generator().manual_seed(13), dtype=x.dtype) + 0.5
    gs = torch.autograd.grad((x * w).sum(), leaves, allow_unused=True)
    rs = {"name": "Wishart", "spec": spec_json(spec), "noise": enc(torch.cat([gammas, normals], -1)), "sampleShape": [5], "out": enc(x), "weight": enc(w),
          "grads": [enc(v) if v is not None else None for v in gs]}
    return matrices, [rs]


def more_dists_4():
    """LowerCholeskyTransform, CorrCholeskyTransform, LKJCholesky (appended to "more" with their own seed)."""
    torch.manual_seed(6)
    rn = lambda *s: torch.randn(*s)
    pos = lambda *s: torch.rand(*s) + 0.3
    cases, transforms = [], []
    lc, cc = {"t": "LowerCholeskyTransform"}, {"t": "CorrCholeskyTransform"}
    transforms.append(transform_case("LowerCholeskyTransform", lc, rn(2, 3, 3), [2, 3, 3]))
    transforms.append(transform_case("inv LowerCholeskyTransform", {"t": "inv", "of": lc}, torch.linalg.cholesky(torch.eye(3) * 2 + 0.3).double(), [3, 3]))
    transforms.append(transform_case("CorrCholeskyTransform", cc, rn(2, 3) * 1.5, [3, 3]))
    transforms.append(transform_case("CorrCholeskyTransform/4x4 float64", cc, rn(6).double(), [3, 3]))
    transforms.append(transform_case("CorrCholeskyTransform/2x2", cc, rn(4, 1), [3, 3]))
    transforms.append(transform_case("inv CorrCholeskyTransform", {"t": "inv", "of": cc}, D.CorrCholeskyTransform()(rn(2, 6)), [3, 3]))
    draw = lambda dim, conc, *s: D.LKJCholesky(dim, conc).sample(torch.Size(s))
    LK = ("log_prob",)
    cases.append(case("LKJCholesky", {"dist": "LKJCholesky", "args": [Arg(3), Arg(torch.tensor([0.5, 1.0, 2.5]))]}, value=draw(3, 1.5, 4, 3), methods=LK))
    cases.append(case("LKJCholesky/number", {"dist": "LKJCholesky", "args": [Arg(4), Arg(2.0)]}, value=draw(4, 1.0, 5), methods=LK))
    cases.append(case("LKJCholesky/2x2 float64", {"dist": "LKJCholesky", "args": [Arg(2), Arg(pos(3).double() * 2)]}, value=draw(2, torch.tensor(0.7).double(), 3), methods=LK))
    cases.append(case("LKJCholesky/expand", {"dist": "LKJCholesky", "args": [Arg(3), Arg(pos(1) * 3)], "expand": [2, 3]}, value=draw(3, 2.0, 2, 3), methods=LK))
    return cases, transforms
