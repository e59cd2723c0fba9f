"""PyTorch oracle for the distribution fixes that followed the differential fuzzer's "dist" family
(tools/fuzz/fam_dist.py): Gamma/Chi2 log_prob at 0 (in the support), cdf's support check when
validating (Uniform, Exponential, and TransformedDistribution's pull-back to the base: Pareto, Weibull,
LogNormal, Gumbel), Uniform.stddev's gradient where low = high, MultivariateNormal.log_prob of a value
of the other float dtype. Tests in test/fuzz-fixes-dist.test.ts.
Run from the repository root with Debian's torch (1.13):

    /usr/bin/python3 tools/gen-fuzz-fixes-dist-fixtures.py [--out DIR]

Writes fixtures/fuzz-fixes-dist.json (deterministic: the inputs are in the cases). Each case records
torch's value and the gradient of its sum with respect to the parameters named in "grad", or torch's
error message ("error"); the test checks that Tensile refuses it too.
"""
import argparse
import os
import sys
import warnings

sys.dont_write_bytecode = True
warnings.filterwarnings("ignore")

import torchfix.pin_cpu  # noqa: E402,F401  (before torch: the same kernels on every machine)
import torch  # noqa: E402
import torch.distributions as D  # noqa: E402
from torchfix.fixio import enc, write_json  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
HEADER = {"generator": "tools/gen-fuzz-fixes-dist-fixtures.py", "torch": torch.__version__}
torch.set_num_threads(1)
F64 = torch.float64


def run(params, f, value, pdtype=F64, vdtype=F64):
    """f(params, value) with torch: {"params", "value", "out", "grads"} or {"params", "value", "error"}."""
    ps = {k: torch.tensor(v, dtype=pdtype, requires_grad=True) for k, v in params.items()}
    x = torch.tensor(value, dtype=vdtype)
    rec = {"params": {k: enc(t) for k, t in ps.items()}, "value": enc(x)}
    try:
        out = f(ps, x)
    except ValueError as e:
        rec["error"] = str(e).split("\n")[0][:200]
        return rec
    rec["out"] = enc(out)
    out.sum().backward()
    rec["grads"] = {k: enc(t.grad) if t.grad is not None else None for k, t in ps.items()}
    return rec


def cases():
    c = {}
    # Gamma / Chi2: support nonnegative, so 0 is a value (±inf, or log β for α = 1)
    c["gammaAtZero"] = run({"concentration": [0.5, 1.0, 2.5], "rate": [1.5, 1.5, 0.5]},
                           lambda p, x: D.Gamma(p["concentration"], p["rate"], validate_args=True).log_prob(x), [0.0, 0.0, 0.0])
    c["gammaNegative"] = run({"concentration": [2.0], "rate": [1.0]},
                             lambda p, x: D.Gamma(p["concentration"], p["rate"], validate_args=True).log_prob(x), [-0.5])
    c["chi2AtZero"] = run({"df": [2.0, 1.0]}, lambda p, x: D.Chi2(p["df"], validate_args=True).log_prob(x), [0.0, 0.0])
    # cdf checks the value against the support when validating
    uni = lambda p, x: D.Uniform(p["low"], p["high"], validate_args=True).cdf(x)  # noqa: E731
    c["uniformCdfOutside"] = run({"low": [0.0, 0.0], "high": [2.0, 2.0]}, uni, [1.0, 2.5])
    c["uniformCdfBelow"] = run({"low": [0.0], "high": [2.0]}, uni, [-0.25])
    c["uniformCdfEnds"] = run({"low": [0.5, 0.5], "high": [2.0, 2.0]}, uni, [0.5, 2.0])
    ex = lambda p, x: D.Exponential(p["rate"], validate_args=True).cdf(x)  # noqa: E731
    c["exponentialCdfNegative"] = run({"rate": [1.5]}, ex, [-0.5])
    c["exponentialCdfZero"] = run({"rate": [1.5, 0.25]}, ex, [0.0, 3.0])
    par = lambda p, x: D.Pareto(p["scale"], p["alpha"], validate_args=True).cdf(x)  # noqa: E731
    c["paretoCdfBelowScale"] = run({"scale": [1.0], "alpha": [2.0]}, par, [0.5])
    c["paretoCdfInside"] = run({"scale": [1.0, 1.0], "alpha": [2.0, 0.5]}, par, [1.0, 3.0])
    # torch 1.13 (and Tensile, which follows it) pulls -1 back through x^k: 0.36, not 0 (see tools/fuzz/README.md)
    c["weibullCdfNegative"] = run({"scale": [1.5], "concentration": [2.0]},
                                  lambda p, x: D.Weibull(p["scale"], p["concentration"], validate_args=True).cdf(x), [-1.0])
    c["logNormalCdfZero"] = run({"loc": [0.25], "scale": [1.5]},
                                lambda p, x: D.LogNormal(p["loc"], p["scale"], validate_args=True).cdf(x), [0.0])
    # Gumbel: torch 1.13 refuses cdf(x) once the pulled-back uniform rounds to 1 (its base is
    # Uniform(tiny, 1 − eps)); Tensile accepts every real x. The expected value is torch's without validation.
    gum = {"loc": [0.0], "scale": [1.0]}
    c["gumbelCdfLarge"] = run(gum, lambda p, x: D.Gumbel(p["loc"], p["scale"], validate_args=True).cdf(x), [60.0])
    # (torch refuses even with validate_args=False: its internal Uniform validates by default) the formula:
    c["gumbelCdfLargeFormula"] = run(gum, lambda p, x: torch.exp(-torch.exp(-(x - p["loc"]) / p["scale"])), [60.0])
    c["gumbelCdfFormula"] = run({"loc": [0.5, -1.0], "scale": [2.0, 0.5]},
                                lambda p, x: D.Gumbel(p["loc"], p["scale"], validate_args=True).cdf(x), [1.5, -2.0])
    # Uniform.stddev = (high − low)/√12: a finite gradient where low = high
    c["uniformStddev"] = run({"low": [0.1875, 0.5], "high": [0.1875, 2.0]},
                             lambda p, x: D.Uniform(p["low"], p["high"], validate_args=False).stddev, [])
    # MultivariateNormal.log_prob of a float64 value under float32 parameters: float32, as torch (was a dtype error)
    c["mvnMixedDtype"] = run({"loc": [[2.25, 0.0, -2.125]], "scale_tril": [[0.5, 0.0, 0.0], [-0.75, 0.5, 0.0], [0.1875, 0.375, 1.0]]},
                             lambda p, x: D.MultivariateNormal(p["loc"], scale_tril=p["scale_tril"], validate_args=False).log_prob(x),
                             [[-3.0, -2.875, 1.5], [0.5, 0.25, -0.75]], pdtype=torch.float32)
    return c


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", default=os.path.join(ROOT, "fixtures"))
    a = ap.parse_args()
    write_json(a.out, "fuzz-fixes-dist.json", {**HEADER, "cases": cases()})


if __name__ == "__main__":
    main()
