"""Activations (functions and Tensor methods; the same functions are exported from F)."""
import torch
import torch.nn.functional as F

from .spec import Cases, T, away, f64, kw, op, rn


@op("relu")
def _relu(x):
    return F.relu(x)


op("leakyRelu")(lambda x, negativeSlope=0.01: F.leaky_relu(x, negativeSlope))
op("elu")(lambda x, alpha=1.0: F.elu(x, alpha))
op("selu")(lambda x: F.selu(x))
op("gelu")(lambda x, opts=None: F.gelu(x, **kw(opts)))
op("silu")(lambda x: F.silu(x))
op("softplus")(lambda x, beta=1, threshold=20: F.softplus(x, beta, threshold))
op("sigmoid")(lambda x: torch.sigmoid(x))
op("logSigmoid")(lambda x: F.logsigmoid(x))
op("tanh")(lambda x: torch.tanh(x))
op("hardtanh")(lambda x, minVal=-1.0, maxVal=1.0: F.hardtanh(x, minVal, maxVal))
op("softmax")(lambda x, dim: torch.softmax(x, dim))
op("logSoftmax")(lambda x, dim: torch.log_softmax(x, dim))


def activation_cases(name, gen, extra_args=()):
    c = Cases(name)
    c("plain", T(gen(2, 3) * 2), *extra_args)
    c("zero_dim", T(gen() * 2), *extra_args)
    c("noncontig", T(gen(3, 4) * 2, view=[["transpose", 0, 1]]), *extra_args)
    c("size0", T(gen(0, 3)), *extra_args)
    c("float64", T(f64(gen(2, 3) * 2)), *extra_args)
    return c


def cases():
    kinked = lambda *s: away(rn(*s), (0.0,), 0.05)
    activation_cases("relu", kinked)
    c = activation_cases("leakyRelu", kinked)
    c("negative_slope", T(kinked(2, 3)), 0.2)
    c("negative_slope_gt1", T(kinked(2, 3)), 1.5)
    c = activation_cases("elu", kinked)
    c("alpha", T(kinked(2, 3) * 2), 0.5)
    activation_cases("selu", kinked)
    c = activation_cases("gelu", rn)
    c("approximate_none", T(rn(2, 3) * 2), {"approximate": "none"})
    c("approximate_tanh", T(rn(2, 3) * 2), {"approximate": "tanh"})
    c("approximate_tanh_f64", T(f64(rn(2, 3) * 2)), {"approximate": "tanh"})
    activation_cases("silu", rn)
    c = activation_cases("softplus", rn)
    c("beta", T(rn(2, 3) * 2), 2)
    # beta*x > threshold switches to x; keep away from the switch (a small jump there)
    c("beta_threshold", T(away(rn(2, 4) * 2, (0.5,), 0.1)), 2, 1)
    c("large", T(torch.tensor([-100.0, -30.0, 19.0, 21.0, 30.0, 100.0])))
    for name in ("sigmoid", "logSigmoid", "tanh"):
        c = activation_cases(name, rn)
        c("large", T(torch.tensor([-100.0, -20.0, -1e-3, 1e-3, 20.0, 100.0])))
    c = activation_cases("hardtanh", lambda *s: away(rn(*s), (-1.0, 1.0), 0.05))
    c("bounds", T(away(rn(2, 4), (-0.5, 2.0), 0.05) * 2), -0.5, 2.0)

    for name in ("softmax", "logSoftmax"):
        c = Cases(name)
        c("last_dim", T(rn(2, 5)), 1)
        c("negative_dim", T(rn(2, 3, 4)), -1)
        c("dim0", T(rn(3, 4)), 0)
        c("middle_dim", T(rn(2, 3, 4)), 1)
        c("noncontig", T(rn(4, 3), view=[["transpose", 0, 1]]), -1)
        c("noncontig_permute", T(rn(2, 3, 4), view=[["permute", [2, 0, 1]]]), 1)
        c("zero_dim", T(rn()), 0)
        c("size0_other_dim", T(rn(0, 4)), 1)
        c("large_logits", T(torch.tensor([[1e4, -1e4, 0.0], [50.0, 51.0, -3.0]])), -1)
        c("float64", T(f64(rn(3, 4))), 1)
        c("neg_inf_entry", T(torch.tensor([[float("-inf"), 0.0, 1.0], [2.0, float("-inf"), -1.0]]),
                             grad=False), 1)
        # lines holding NaN or +inf, or only -inf, are NaN throughout; along dim 0 the wasm kernel
        # takes four lines to a vector and the rest alone
        nf = torch.tensor([[1.0, float("nan"), 3.0], [float("inf"), 1.0, 2.0], [float("-inf")] * 3,
                           [float("inf"), float("-inf"), 1.0], [float("-inf"), 0.0, 0.0]])
        c("nonfinite_lines", T(nf, grad=False), 1)
        c("nonfinite_lines_dim0", T(nf.t().contiguous(), grad=False), 0)
