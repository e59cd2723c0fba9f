"""Activations (functions and Tensor methods; the same functions are exported from F)."""
import torch
import torch.nn.functional as F

from .spec import Cases, T, away, f64, kw, op, rn, ru


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
    # on the bounds torch's hardtanh gradient is 0 (clamp's is 1): compared, not gradchecked
    c("edges", T(torch.tensor([-1.0, 1.0, 0.0, -2.0, 0.25, 2.0])), gradcheck=False)
    c("edges_custom", T(torch.tensor([-0.5, 2.0, 0.0, 3.0])), -0.5, 2.0, gradcheck=False)
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

    f_only_cases()


# ---- activations only in F (F.relu6 ...) ----
op("F.relu6")(lambda x, inplace=False: F.relu6(x, inplace))
op("F.hardsigmoid")(lambda x, inplace=False: F.hardsigmoid(x, inplace))
op("F.hardswish")(lambda x, inplace=False: F.hardswish(x, inplace))
op("F.mish")(lambda x, inplace=False: F.mish(x, inplace))
op("F.softsign")(lambda x: F.softsign(x))
op("F.softmin")(lambda x, dim: F.softmin(x, dim))
op("F.glu")(lambda x, dim=-1: F.glu(x, dim))
op("F.celu")(lambda x, alpha=1.0, inplace=False: F.celu(x, alpha, inplace))
op("F.threshold")(lambda x, threshold, value, inplace=False: F.threshold(x, threshold, value, inplace))
op("F.hardshrink")(lambda x, lambd=0.5: F.hardshrink(x, lambd))
op("F.softshrink")(lambda x, lambd=0.5: F.softshrink(x, lambd))
op("F.tanhshrink")(lambda x: F.tanhshrink(x))
op("F.prelu")(lambda x, w: F.prelu(x, w))
# eval mode only: training draws random slopes (tested by its properties in test/nn-activations.test.ts)
op("F.rrelu")(lambda x, lower=1.0 / 8, upper=1.0 / 3, training=False, inplace=False:
              F.rrelu(x, lower, upper, training, inplace))


def f_only_cases():
    after = [0]
    kinked = lambda *s: away(rn(*s), (0.0,), 0.05)

    def inplace_case(c, x, *args):
        """The same op with inplace=True on a tensor that needs no grad: the result and the input after."""
        c("inplace", T(x, grad=False), *args, True, check_args_after=after)

    # relu6: kinks at 0 and 6. The "edges" cases put inputs on the kinks (and NaN): the values and
    # torch's one-sided gradients there are compared, finite differences are not (gradcheck=False)
    off = lambda *s: away(rn(*s) * 4 + 3, (0.0, 6.0), 0.05)
    c = activation_cases("F.relu6", off)
    c("edges", T(torch.tensor([0.0, 6.0, -1e-3, 6.001, 3.0, -7.0, 9.0])), gradcheck=False)
    c("int32", T(torch.tensor([-2, 0, 3, 6, 8], dtype=torch.int32)))
    inplace_case(c, off(2, 3))

    off3 = lambda *s: away(rn(*s) * 3, (-3.0, 3.0), 0.05)
    edges3 = torch.tensor([-3.0, 3.0, 0.0, -3.001, 3.001, -2.999, 2.999, 10.0, -10.0])
    for name in ("F.hardsigmoid", "F.hardswish"):
        c = activation_cases(name, off3)
        c("edges", T(edges3), gradcheck=False)
        c("nan", T(torch.tensor([float("nan"), 1.0, -4.0])), gradcheck=False)
        inplace_case(c, off3(2, 3))

    c = activation_cases("F.mish", rn)
    c("large", T(torch.tensor([-100.0, -20.0, -1e-3, 1e-3, 19.0, 21.0, 100.0])))
    inplace_case(c, rn(2, 3))

    activation_cases("F.softsign", kinked)
    activation_cases("F.tanhshrink", rn)

    c = Cases("F.softmin")
    c("last_dim", T(rn(2, 5)), 1)
    c("negative_dim", T(rn(2, 3, 4)), -1)
    c("dim0", T(rn(3, 4)), 0)
    c("noncontig", T(rn(4, 3), view=[["transpose", 0, 1]]), -1)
    c("zero_dim", T(rn()), 0)
    c("size0", T(rn(0, 4)), 1)
    c("float64", T(f64(rn(3, 4))), 1)

    c = Cases("F.glu")
    c("default_dim", T(rn(3, 4)))
    c("dim0", T(rn(4, 3)), 0)
    c("negative_dim", T(rn(2, 6, 3)), -2)
    c("vector", T(rn(6)))
    c("noncontig", T(rn(4, 3), view=[["transpose", 0, 1]]), 1)
    c("size0", T(rn(0, 4)), 1)
    c("float64", T(f64(rn(2, 4))), -1)

    c = activation_cases("F.celu", kinked)
    c("alpha", T(kinked(2, 3) * 2), 0.5)
    c("alpha_negative", T(kinked(2, 3) * 2), -1.5)
    c("alpha_large_f64", T(f64(kinked(2, 3) * 3)), 3.0)
    c("edges", T(torch.tensor([0.0, float("nan"), -50.0, 50.0])), 2.0, gradcheck=False)
    inplace_case(c, kinked(2, 3), 0.7)

    offt = lambda *s: away(rn(*s), (0.5,), 0.05)
    c = activation_cases("F.threshold", offt, (0.5, -2.0))
    c("at_threshold", T(torch.tensor([0.5, 0.4999, 0.5001, float("nan"), -3.0])), 0.5, 7.0, gradcheck=False)
    c("int32", T(torch.tensor([-2, 0, 1, 3], dtype=torch.int32)), 1, 5)
    inplace_case(c, offt(2, 3), 0.5, 20.0)

    offs = lambda *s: away(rn(*s), (-0.5, 0.5), 0.05)
    for name in ("F.hardshrink", "F.softshrink"):
        c = activation_cases(name, offs)
        lam = lambda *s: away(rn(*s) * 2, (-1.25, 1.25), 0.05)
        c("lambd", T(lam(2, 4)), 1.25)
        c("lambd_zero", T(kinked(2, 4)), 0.0)
        c("edges", T(torch.tensor([-0.5, 0.5, -0.50001, 0.50001, 0.0, float("nan"), 3.0, -3.0])), gradcheck=False)

    c = Cases("F.prelu")
    c("shared_weight", T(kinked(2, 3, 4)), T(torch.tensor([0.25])))
    c("per_channel", T(kinked(2, 3, 4)), T(ru(0.05, 0.5, 3)))
    c("per_channel_4d", T(kinked(2, 3, 2, 2)), T(ru(-0.5, 0.5, 3)))
    c("matrix", T(kinked(4, 3)), T(ru(0.05, 0.5, 3)))
    c("vector_shared", T(kinked(5)), T(torch.tensor([0.1])))
    c("zero_dim", T(kinked()), T(torch.tensor(0.3)))
    c("noncontig", T(kinked(3, 4), view=[["transpose", 0, 1]]), T(ru(0.05, 0.5, 3)))
    c("edges", T(torch.tensor([[0.0, float("nan"), -1.0], [2.0, 0.0, -0.0]])), T(torch.tensor([0.2, -0.3, 0.4])), gradcheck=False)
    c("size0", T(rn(0, 3)), T(ru(0.05, 0.5, 3)))
    c("float64", T(f64(kinked(2, 3))), T(f64(ru(0.05, 0.5, 3))))

    c = activation_cases("F.rrelu", kinked)
    c("bounds", T(kinked(2, 3)), 0.1, 0.3)
    c("bounds_eval", T(kinked(2, 3)), 0.1, 0.3, False)
    c("edges", T(torch.tensor([0.0, float("nan"), -1.0, 1.0])), gradcheck=False)
    c("inplace", T(kinked(2, 3), grad=False), 0.2, 0.4, False, True, check_args_after=after)
