#!/usr/bin/python3
"""PyTorch oracle for Tensile's `nn` package: writes fixtures/nn-*.json.

Run with Debian's torch (`/usr/bin/python3 tools/gen-nn-fixtures.py`). Deterministic: every random
input comes from a fixed seed. The tests in test/nn-*.test.ts read these files; CI needs no Python.

  nn-init.json     default-initialisation and nn.init statistics (PyTorch's samples over seeds)
  nn-layers.json   layer forward outputs (and gradients) for given weights and inputs
  nn-module.json   state-dict / named_* key lists and str(model) of nested structures
  nn-losses.json   loss modules with all options: output and input gradients
  nn-utils.json    clip_grad_norm_ / clip_grad_value_ / parameters_to_vector results
  nn-rnn.json      RNN / LSTM / GRU and their cells: outputs, final states, gradients, state-dict keys
  nn-attention.json  MultiheadAttention: outputs, attention weights, gradients, state-dict keys

`--out DIR` writes the files to DIR instead of fixtures/ (freshness checks).
"""
import json
import math
import re
import os
from collections import OrderedDict

import torchfix.pin_cpu  # noqa: E402,F401  (before torch: the same kernels on every machine)
import torch
import torch.nn as nn
import torch.nn.functional as F

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "fixtures")
HEADER = {"generator": "tools/gen-nn-fixtures.py", "torch": torch.__version__}


def enc(t):
    """A tensor as {shape, dtype, data (flat, row-major)}; int64 becomes int32 (Tensile's index type); bool as 0/1."""
    t = t.detach()
    if t.dtype == torch.bool:
        return {"shape": list(t.shape), "dtype": "bool", "data": [int(v) for v in t.reshape(-1).tolist()]}
    if t.dtype in (torch.int64, torch.int32):
        return {"shape": list(t.shape), "dtype": "int32", "data": [int(v) for v in t.reshape(-1).tolist()]}
    dtype = "float64" if t.dtype == torch.float64 else "float32"
    # JSON has no NaN/Infinity: non-finite values are the strings "nan", "inf", "-inf".
    num = lambda v: v if math.isfinite(v) else ("nan" if math.isnan(v) else ("inf" if v > 0 else "-inf"))
    return {"shape": list(t.shape), "dtype": dtype, "data": [num(float(v)) for v in t.reshape(-1).tolist()]}


def write(name, body):
    path = os.path.join(ROOT, name)
    with open(path, "w") as f:
        json.dump({**HEADER, **body}, f, separators=(",", ":"), allow_nan=False)
        f.write("\n")
    print("wrote", os.path.relpath(path), os.path.getsize(path), "bytes")


def stats(t):
    t = t.detach().double().reshape(-1)
    return {"min": t.min().item(), "max": t.max().item(), "mean": t.mean().item(), "std": t.std().item(), "numel": t.numel()}


SEEDS = [0, 1, 2]

# ---------------------------------------------------------------- init


def gen_init():
    layers = []

    def layer(name, make, params):
        """params: {param name: {dist, bound or std}} (the theoretical distribution)."""
        samples = {p: [] for p in params}
        for s in SEEDS:
            torch.manual_seed(s)
            m = make()
            for p in params:
                samples[p].append(stats(dict(m.named_parameters())[p]))
        layers.append({"name": name, "params": {p: {**params[p], "samples": samples[p]} for p in params}})

    layer("Linear(784, 500)", lambda: nn.Linear(784, 500),
          {"weight": {"dist": "uniform", "bound": 1 / math.sqrt(784)}, "bias": {"dist": "uniform", "bound": 1 / math.sqrt(784)}})
    layer("Linear(500, 10)", lambda: nn.Linear(500, 10),
          {"weight": {"dist": "uniform", "bound": 1 / math.sqrt(500)}, "bias": {"dist": "uniform", "bound": 1 / math.sqrt(500)}})
    layer("Bilinear(20, 30, 40)", lambda: nn.Bilinear(20, 30, 40),
          {"weight": {"dist": "uniform", "bound": 1 / math.sqrt(20)}, "bias": {"dist": "uniform", "bound": 1 / math.sqrt(20)}})
    layer("Embedding(1000, 64)", lambda: nn.Embedding(1000, 64), {"weight": {"dist": "normal", "mean": 0.0, "std": 1.0}})

    inits = []

    def init(name, shape, fn, theory):
        samples = []
        for s in SEEDS:
            torch.manual_seed(s)
            t = torch.empty(shape)
            fn(t)
            samples.append(stats(t))
        inits.append({"name": name, "shape": list(shape), **theory, "samples": samples})

    fan_in, fan_out = 512, 256
    shape = [256, 512]
    init("uniform_(-0.3, 0.7)", shape, lambda t: nn.init.uniform_(t, -0.3, 0.7), {"dist": "uniform", "low": -0.3, "high": 0.7})
    init("normal_(0.5, 2)", shape, lambda t: nn.init.normal_(t, 0.5, 2.0), {"dist": "normal", "mean": 0.5, "std": 2.0})
    b = math.sqrt(6 / (fan_in + fan_out))
    init("xavierUniform_", shape, nn.init.xavier_uniform_, {"dist": "uniform", "low": -b, "high": b})
    g = 5 / 3
    init("xavierUniform_(gain=tanh)", shape, lambda t: nn.init.xavier_uniform_(t, gain=nn.init.calculate_gain("tanh")),
         {"dist": "uniform", "low": -g * b, "high": g * b})
    init("xavierNormal_", shape, nn.init.xavier_normal_, {"dist": "normal", "mean": 0.0, "std": math.sqrt(2 / (fan_in + fan_out))})
    b = math.sqrt(2) * math.sqrt(3 / fan_in)
    init("kaimingUniform_(relu)", shape, lambda t: nn.init.kaiming_uniform_(t, nonlinearity="relu"), {"dist": "uniform", "low": -b, "high": b})
    b = math.sqrt(2) * math.sqrt(3 / fan_out)  # a = 0 is the leaky_relu slope: gain √2
    init("kaimingUniform_(fan_out)", shape, lambda t: nn.init.kaiming_uniform_(t, mode="fan_out"), {"dist": "uniform", "low": -b, "high": b})
    b = 1 / math.sqrt(fan_in)
    init("kaimingUniform_(a=sqrt5)", shape, lambda t: nn.init.kaiming_uniform_(t, a=math.sqrt(5)), {"dist": "uniform", "low": -b, "high": b})
    init("kaimingNormal_(fan_out, relu)", shape, lambda t: nn.init.kaiming_normal_(t, mode="fan_out", nonlinearity="relu"),
         {"dist": "normal", "mean": 0.0, "std": math.sqrt(2) / math.sqrt(fan_out)})
    conv = [16, 8, 3, 3]
    b = math.sqrt(2) * math.sqrt(3 / (8 * 9))
    init("kaimingUniform_(conv, relu)", conv, lambda t: nn.init.kaiming_uniform_(t, nonlinearity="relu"), {"dist": "uniform", "low": -b, "high": b})
    init("truncNormal_(1, 2, -1, 4)", shape, lambda t: nn.init.trunc_normal_(t, mean=1.0, std=2.0, a=-1.0, b=4.0),
         {"dist": "truncnormal", "mean": 1.0, "std": 2.0, "low": -1.0, "high": 4.0})
    init("truncNormal_()", shape, lambda t: nn.init.trunc_normal_(t), {"dist": "truncnormal", "mean": 0.0, "std": 1.0, "low": -2.0, "high": 2.0})
    init("orthogonal_(gain=2) [64, 128]", [64, 128], lambda t: nn.init.orthogonal_(t, gain=2.0), {"dist": "orthogonal", "gain": 2.0})
    init("orthogonal_ [128, 64]", [128, 64], nn.init.orthogonal_, {"dist": "orthogonal", "gain": 1.0})

    gains = [[n, p, nn.init.calculate_gain(n, p)] for n, p in [
        ("linear", None), ("conv2d", None), ("sigmoid", None), ("tanh", None), ("relu", None),
        ("leaky_relu", None), ("leaky_relu", 0.2), ("selu", None), ("conv_transpose2d", None)]]
    fans = [[s, list(nn.init._calculate_fan_in_and_fan_out(torch.empty(s)))] for s in [[5, 3], [16, 8, 3, 3], [4, 2, 5]]]
    write("nn-init.json", {"layers": layers, "inits": inits, "gains": gains, "fans": fans})


# ---------------------------------------------------------------- layers


def gen_layers():
    torch.manual_seed(1234)
    cases = []

    def case(name, module, inputs, params=None, grads=False, upstream_seed=None):
        """Sets `params` (name -> tensor) on `module`, runs forward in eval mode, records output and,
        with `grads`, gradients of (out * g).sum() for a fixed random g wrt inputs and parameters."""
        module.eval()
        with torch.no_grad():
            for k, v in (params or {}).items():
                dict(module.named_parameters())[k].copy_(v)
        ins = [x.clone().requires_grad_(grads and x.is_floating_point()) for x in inputs]
        out = module(*ins)
        rec = {"name": name, "inputs": [enc(x) for x in inputs], "params": {k: enc(v) for k, v in (params or {}).items()}, "output": enc(out)}
        if grads:
            g = torch.randn(out.shape, generator=torch.Generator().manual_seed(upstream_seed or 7))
            (out * g).sum().backward()
            rec["upstream"] = enc(g)
            rec["inputGrads"] = [enc(x.grad) if x.grad is not None else None for x in ins]
            rec["paramGrads"] = {k: enc(p.grad) for k, p in module.named_parameters()}
        cases.append(rec)

    case("Linear(5, 3)", nn.Linear(5, 3), [torch.randn(2, 5)], {"weight": torch.randn(3, 5), "bias": torch.randn(3)}, grads=True)
    case("Linear(5, 3) 3-D input", nn.Linear(5, 3), [torch.randn(2, 4, 5)], {"weight": torch.randn(3, 5), "bias": torch.randn(3)}, grads=True)
    case("Linear(5, 3, bias=False)", nn.Linear(5, 3, bias=False), [torch.randn(4, 5)], {"weight": torch.randn(3, 5)}, grads=True)
    case("Linear(5, 3) 1-D input", nn.Linear(5, 3), [torch.randn(5)], {"weight": torch.randn(3, 5), "bias": torch.randn(3)})
    case("Bilinear(4, 3, 2)", nn.Bilinear(4, 3, 2), [torch.randn(5, 4), torch.randn(5, 3)],
         {"weight": torch.randn(2, 4, 3), "bias": torch.randn(2)}, grads=True)
    case("Bilinear(4, 3, 2) 3-D input", nn.Bilinear(4, 3, 2), [torch.randn(2, 3, 4), torch.randn(2, 3, 3)],
         {"weight": torch.randn(2, 4, 3), "bias": torch.randn(2)}, grads=True)
    case("Embedding(10, 4)", nn.Embedding(10, 4), [torch.tensor([[1, 2, 3], [1, 9, 0]])], {"weight": torch.randn(10, 4)}, grads=True)
    case("Embedding(10, 4, padding_idx=1)", nn.Embedding(10, 4, padding_idx=1), [torch.tensor([[1, 2, 3], [1, 9, 1]])],
         {"weight": torch.randn(10, 4)}, grads=True)
    case("Embedding(10, 4, max_norm=1.0)", nn.Embedding(10, 4, max_norm=1.0), [torch.tensor([2, 5, 2])], {"weight": torch.randn(10, 4) * 2})
    case("Flatten()", nn.Flatten(), [torch.randn(2, 3, 4, 5)])
    case("Flatten(0, 2)", nn.Flatten(0, 2), [torch.randn(2, 3, 4, 5)])
    case("Unflatten(1, (2, 5))", nn.Unflatten(1, (2, 5)), [torch.randn(3, 10)])
    case("Unflatten(-1, (2, 2))", nn.Unflatten(-1, (2, 2)), [torch.randn(3, 2, 4)])
    x3 = torch.randn(3, 4, 5)
    for d in [0, 1, 2, -1]:
        case(f"Softmax(dim={d})", nn.Softmax(dim=d), [x3])
    for shape in [(5,), (3, 4), (2, 3, 4), (2, 3, 2, 2)]:
        case(f"Softmax() {list(shape)}", nn.Softmax(), [torch.randn(*shape)])
    case("LogSoftmax(dim=1)", nn.LogSoftmax(dim=1), [x3], grads=True)
    case("Dropout(0.5) eval", nn.Dropout(0.5), [torch.randn(4, 6)])
    case("AlphaDropout(0.2) eval", nn.AlphaDropout(0.2), [torch.randn(4, 6)])
    xa = torch.randn(4, 6) * 3
    for name, m in [("ReLU()", nn.ReLU()), ("LeakyReLU(0.2)", nn.LeakyReLU(0.2)), ("ELU(0.5)", nn.ELU(0.5)), ("SELU()", nn.SELU()),
                    ("GELU()", nn.GELU()), ("GELU('tanh')", nn.GELU("tanh")), ("SiLU()", nn.SiLU()), ("Sigmoid()", nn.Sigmoid()),
                    ("LogSigmoid()", nn.LogSigmoid()), ("Tanh()", nn.Tanh()), ("Softplus(2, 1)", nn.Softplus(2, 1)),
                    ("Hardtanh(-0.5, 0.5)", nn.Hardtanh(-0.5, 0.5)), ("Identity()", nn.Identity())]:
        case(name, m, [xa])
    seq = nn.Sequential(nn.Linear(3, 4), nn.Tanh(), nn.Linear(4, 2))
    case("Sequential(Linear(3, 4), Tanh(), Linear(4, 2))", seq, [torch.randn(5, 3)],
         {"0.weight": torch.randn(4, 3), "0.bias": torch.randn(4), "2.weight": torch.randn(2, 4), "2.bias": torch.randn(2)}, grads=True)

    # Training-mode dropout: PyTorch's sampled statistics (RNG streams differ, so compare in distribution).
    dropout = []
    for p in [0.2, 0.5]:
        torch.manual_seed(0)
        y = F.dropout(torch.ones(200_000), p, training=True)
        dropout.append({"p": p, "zeroFraction": (y == 0).double().mean().item(), "keptValue": y.max().item()})
    alpha = []
    for p in [0.1, 0.3]:
        torch.manual_seed(0)
        x = torch.randn(200_000)
        y = F.alpha_dropout(x, p, training=True)
        alpha.append({"p": p, "mean": y.mean().item(), "std": y.std().item()})
    write("nn-layers.json", {"cases": cases, "dropoutTrain": dropout, "alphaDropoutTrain": alpha})


# ---------------------------------------------------------------- module structure


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(784, 500)
        self.relu = nn.ReLU()
        self.fc2 = nn.Linear(500, 10)

    def forward(self, x):
        return self.fc2(self.relu(self.fc1(x)))


class SeqInCustom(nn.Module):
    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 8), nn.Dropout(0.1))
        self.head = nn.Linear(8, 2, bias=False)


class WithModuleList(nn.Module):
    def __init__(self):
        super().__init__()
        self.layers = nn.ModuleList([nn.Linear(3, 3) for _ in range(3)])
        self.out = nn.Linear(3, 1)


class WithModuleDict(nn.Module):
    def __init__(self):
        super().__init__()
        self.heads = nn.ModuleDict({"cls": nn.Linear(4, 3), "box": nn.Linear(4, 4)})
        self.emb = nn.Embedding(10, 4, padding_idx=0)


class WithBuffers(nn.Module):
    def __init__(self):
        super().__init__()
        self.scale = nn.Parameter(torch.ones(3))
        self.fc = nn.Linear(3, 3)
        self.register_buffer("running_mean", torch.zeros(3))
        self.register_buffer("cache", torch.zeros(3), persistent=False)
        self.register_buffer("num_batches_tracked", torch.tensor(0))


class Shared(nn.Module):
    def __init__(self):
        super().__init__()
        self.a = nn.Linear(2, 2)
        self.b = self.a
        self.c = nn.Sequential(self.a, nn.ReLU())


def named_seq():
    return nn.Sequential(OrderedDict([("fc", nn.Linear(2, 2)), ("act", nn.Tanh()),
                                      ("block", nn.Sequential(nn.Linear(2, 2), nn.Sigmoid()))]))


def gen_module():
    structures = []
    for name, make in [("Net", Net), ("SeqInCustom", SeqInCustom), ("WithModuleList", WithModuleList),
                       ("WithModuleDict", WithModuleDict), ("WithBuffers", WithBuffers), ("Shared", Shared),
                       ("NamedSequential", named_seq),
                       ("CrossEntropyLoss(weight)", lambda: nn.CrossEntropyLoss(weight=torch.ones(3))),
                       ("BCEWithLogitsLoss(pos_weight)", lambda: nn.BCEWithLogitsLoss(pos_weight=torch.ones(3)))]:
        m = make()
        structures.append({
            "name": name,
            "stateDict": [[k, list(v.shape)] for k, v in m.state_dict().items()],
            "namedParameters": [k for k, _ in m.named_parameters()],
            "namedBuffers": [k for k, _ in m.named_buffers()],
            "namedModules": [k for k, _ in m.named_modules()],
            "namedChildren": [k for k, _ in m.named_children()],
            "numParameters": sum(p.numel() for p in m.parameters()),
            "repr": repr(m),
        })
    reprs = [[name, repr(m)] for name, m in [
        ("Linear(3, 4, bias=False)", nn.Linear(3, 4, bias=False)), ("Bilinear(2, 3, 4)", nn.Bilinear(2, 3, 4)),
        ("LeakyReLU(0.2)", nn.LeakyReLU(0.2)), ("LeakyReLU(1e-05)", nn.LeakyReLU(1e-5)), ("ELU()", nn.ELU()),
        ("GELU('tanh')", nn.GELU("tanh")), ("Softplus()", nn.Softplus()), ("Softmax(dim=1)", nn.Softmax(dim=1)),
        ("Softmax()", nn.Softmax()), ("LogSoftmax(dim=-1)", nn.LogSoftmax(dim=-1)), ("Dropout(0.25)", nn.Dropout(0.25)),
        ("AlphaDropout(0.1)", nn.AlphaDropout(0.1)), ("Flatten()", nn.Flatten()), ("Unflatten(1, (2, 5))", nn.Unflatten(1, (2, 5))),
        ("Unflatten(0, (7,))", nn.Unflatten(0, (7,))), ("Embedding(10, 3, padding_idx=0)", nn.Embedding(10, 3, padding_idx=0)),
        ("Embedding(10, 3, max_norm=1.0)", nn.Embedding(10, 3, max_norm=1.0)), ("Identity()", nn.Identity()),
        ("Hardtanh()", nn.Hardtanh()), ("SELU()", nn.SELU()), ("SiLU()", nn.SiLU()), ("CrossEntropyLoss()", nn.CrossEntropyLoss()),
        ("MSELoss()", nn.MSELoss()), ("KLDivLoss()", nn.KLDivLoss()),
        ("ModuleList(Linear(2, 2) x2, ReLU())", nn.ModuleList([nn.Linear(2, 2), nn.Linear(2, 2), nn.ReLU()])),
        ("ModuleDict(a=ReLU(), b=Sequential(Tanh()))", nn.ModuleDict({"a": nn.ReLU(), "b": nn.Sequential(nn.Tanh())}))]]
    write("nn-module.json", {"structures": structures, "reprs": reprs})


# ---------------------------------------------------------------- losses


def gen_losses():
    g = torch.Generator().manual_seed(99)
    rn = lambda *s: torch.randn(*s, generator=g)
    cases = []

    def case(name, module, inputs, diff):
        """module: nn.<Cls>(**kw) call written as (Cls, {camelCase options}); inputs: tensors; diff:
        indices of inputs to differentiate. Records the options, output and the gradients of
        (out * u).sum() for a fixed random u."""
        cls, opts = module
        m = getattr(nn, cls)(**{re.sub(r"[A-Z]", lambda c: "_" + c.group(0).lower(), k): v for k, v in opts.items()})
        ins = [x.clone().requires_grad_(i in diff) for i, x in enumerate(inputs)]
        out = m(*ins)
        u = torch.randn(out.shape, generator=torch.Generator().manual_seed(5)) if out.dim() > 0 else torch.tensor(1.0)
        (out * u).sum().backward()
        cases.append({"name": name, "module": cls, "options": {k: enc(v) if isinstance(v, torch.Tensor) else v for k, v in opts.items()},
                      "inputs": [enc(x) for x in inputs], "upstream": enc(u), "output": enc(out),
                      "grads": {str(i): enc(ins[i].grad) for i in diff}})

    x, y = rn(4, 5), rn(4, 5)
    for red in ["mean", "sum", "none"]:
        case(f"MSELoss(reduction={red})", ("MSELoss", {"reduction": red}), [x, y], [0, 1])
        case(f"L1Loss(reduction={red})", ("L1Loss", {"reduction": red}), [x, y], [0])
    case("MSELoss broadcast target", ("MSELoss", {}), [x, rn(5)], [0])
    case("SmoothL1Loss(beta=0.5)", ("SmoothL1Loss", {"beta": 0.5}), [x, y], [0])
    case("SmoothL1Loss(beta=0, reduction=none)", ("SmoothL1Loss", {"beta": 0.0, "reduction": "none"}), [x, y], [0])
    case("HuberLoss(delta=0.7, reduction=sum)", ("HuberLoss", {"delta": 0.7, "reduction": "sum"}), [x, y], [0])
    case("HuberLoss()", ("HuberLoss", {}), [x * 2, y], [0])

    logits = rn(6, 5) * 2
    t = torch.tensor([0, 4, 2, 2, 1, 3])
    w = torch.rand(5, generator=g) + 0.5
    t_ign = torch.tensor([0, 4, -100, 2, 1, 3])
    t_ign2 = torch.tensor([0, 4, 2, 2, 1, 3])  # ignore_index=2 drops two samples
    for red in ["mean", "sum", "none"]:
        case(f"CrossEntropyLoss(reduction={red})", ("CrossEntropyLoss", {"reduction": red}), [logits, t], [0])
        case(f"CrossEntropyLoss(weight, ignore_index=2, label_smoothing=0.1, reduction={red})",
             ("CrossEntropyLoss", {"weight": w, "ignoreIndex": 2, "labelSmoothing": 0.1, "reduction": red}), [logits, t_ign2], [0])
    case("CrossEntropyLoss(weight)", ("CrossEntropyLoss", {"weight": w}), [logits, t], [0])
    case("CrossEntropyLoss(ignore -100)", ("CrossEntropyLoss", {}), [logits, t_ign], [0])
    case("CrossEntropyLoss(label_smoothing=0.2)", ("CrossEntropyLoss", {"labelSmoothing": 0.2}), [logits, t_ign], [0])
    case("CrossEntropyLoss [N, C, d1, d2]", ("CrossEntropyLoss", {"weight": w}), [rn(2, 5, 3, 2), torch.randint(0, 5, (2, 3, 2), generator=g)], [0])
    case("CrossEntropyLoss unbatched", ("CrossEntropyLoss", {}), [rn(5), torch.tensor(3)], [0])
    probs = torch.softmax(rn(6, 5), 1)
    case("CrossEntropyLoss probabilities", ("CrossEntropyLoss", {}), [logits, probs], [0, 1])
    case("CrossEntropyLoss probabilities (weight, label_smoothing=0.3, sum)",
         ("CrossEntropyLoss", {"weight": w, "labelSmoothing": 0.3, "reduction": "sum"}), [logits, probs], [0])
    case("CrossEntropyLoss probabilities [N, C, d] none", ("CrossEntropyLoss", {"reduction": "none"}),
         [rn(2, 5, 3), torch.softmax(rn(2, 5, 3), 1)], [0])
    case("CrossEntropyLoss logits ±1e4", ("CrossEntropyLoss", {}),
         [torch.tensor([[1e4, -1e4, 0.0], [-1e4, 1e4, 0.0], [0.0, 0.0, 1e4]]), torch.tensor([1, 1, 0])], [0])
    lp = torch.log_softmax(logits, 1)
    case("NLLLoss()", ("NLLLoss", {}), [lp, t], [0])
    case("NLLLoss(weight, ignore_index=2)", ("NLLLoss", {"weight": w, "ignoreIndex": 2}), [lp, t_ign2], [0])
    case("NLLLoss(weight, reduction=none)", ("NLLLoss", {"weight": w, "reduction": "none"}), [lp, t], [0])

    p = torch.rand(4, 3, generator=g) * 0.98 + 0.01
    p[0, 0], p[1, 1] = 0.0, 1.0
    yb = (torch.rand(4, 3, generator=g) > 0.5).float()
    yb[0, 0], yb[1, 1] = 0.0, 1.0
    wb = torch.rand(3, generator=g) + 0.5
    case("BCELoss()", ("BCELoss", {}), [p, yb], [0])
    case("BCELoss(weight, reduction=none)", ("BCELoss", {"weight": wb, "reduction": "none"}), [p, yb], [0])
    case("BCELoss soft targets, sum", ("BCELoss", {"reduction": "sum"}), [p, torch.rand(4, 3, generator=g)], [0])
    z = rn(4, 3) * 3
    z[0, 0] = 0.0
    case("BCEWithLogitsLoss()", ("BCEWithLogitsLoss", {}), [z, yb], [0, 1])
    case("BCEWithLogitsLoss(weight, pos_weight, none)", ("BCEWithLogitsLoss", {"weight": wb, "posWeight": torch.tensor([1.0, 2.0, 0.5]), "reduction": "none"}),
         [z, yb], [0])
    case("BCEWithLogitsLoss(pos_weight) logits ±1e4", ("BCEWithLogitsLoss", {"posWeight": torch.tensor([3.0, 0.5])}),
         [torch.tensor([[1e4, -1e4], [-1e4, 1e4]]), torch.tensor([[0.0, 1.0], [1.0, 0.0]])], [0])

    q = torch.log_softmax(rn(3, 4), 1)
    pt = torch.softmax(rn(3, 4), 1)
    pt[0, 1] = 0.0
    for red in ["mean", "batchmean", "sum", "none"]:
        # (PyTorch's gradient wrt a zero target probability is NaN: only the input is differentiated here.)
        case(f"KLDivLoss(reduction={red})", ("KLDivLoss", {"reduction": red}), [q, pt], [0])
    case("KLDivLoss gradient wrt positive targets", ("KLDivLoss", {"reduction": "sum"}), [q, torch.softmax(rn(3, 4), 1)], [0, 1])
    case("KLDivLoss(log_target=True, batchmean)", ("KLDivLoss", {"reduction": "batchmean", "logTarget": True}), [q, torch.log_softmax(rn(3, 4), 1)], [0, 1])

    y_pm = torch.tensor([1.0, -1.0, -1.0, 1.0, -1.0])
    a, b2 = rn(5, 4), rn(5, 4)
    b2[1] = a[1] * 0.9 + 0.1 * b2[1]
    for red in ["mean", "sum", "none"]:
        case(f"CosineEmbeddingLoss(margin=0.2, reduction={red})", ("CosineEmbeddingLoss", {"margin": 0.2, "reduction": red}), [a, b2, y_pm], [0, 1])
    case("CosineEmbeddingLoss 1-D", ("CosineEmbeddingLoss", {}), [rn(4), rn(4), torch.tensor(-1.0)], [0, 1])
    for red in ["mean", "sum", "none"]:
        case(f"MarginRankingLoss(margin=0.5, reduction={red})", ("MarginRankingLoss", {"margin": 0.5, "reduction": red}), [rn(5), rn(5), y_pm], [0, 1])
    write("nn-losses.json", {"cases": cases})


# ---------------------------------------------------------------- utils


def gen_utils():
    g = torch.Generator().manual_seed(3)
    shapes = [[3, 4], [4], [2, 2, 2]]
    grads = [torch.randn(*s, generator=g) for s in shapes]
    clip = []
    for max_norm, norm_type in [(1.0, 2.0), (0.5, 1.0), (0.1, float("inf")), (2.0, 3.0), (100.0, 2.0)]:
        ps = [torch.zeros(*s, requires_grad=True) for s in shapes]
        for p, gr in zip(ps, grads):
            p.grad = gr.clone()
        total = nn.utils.clip_grad_norm_(ps, max_norm, norm_type)
        clip.append({"maxNorm": max_norm, "normType": "inf" if math.isinf(norm_type) else norm_type,
                     "totalNorm": total.item(), "grads": [enc(p.grad) for p in ps]})
    ps = [torch.zeros(*s, requires_grad=True) for s in shapes]
    for p, gr in zip(ps, grads):
        p.grad = gr.clone()
    nn.utils.clip_grad_value_(ps, 0.5)
    clip_value = {"clipValue": 0.5, "grads": [enc(p.grad) for p in ps]}
    params = [torch.randn(*s, generator=g) for s in shapes]
    vec = nn.utils.parameters_to_vector(params)
    write("nn-utils.json", {"shapes": shapes, "grads": [enc(x) for x in grads], "clipGradNorm": clip, "clipGradValue": clip_value,
                            "params": [enc(x) for x in params], "vector": enc(vec)})


# ---------------------------------------------------------------- recurrent layers


def gen_rnn():
    """Each case: the module's kwargs, its parameters (state_dict order), the input and initial
    states, upstream gradients for every output, and the outputs and gradients PyTorch computes."""
    cases = []

    def case(name, kind, args, kwargs, x, hx=None, cell=False):
        torch.manual_seed(len(cases) + 100)
        m = getattr(nn, kind)(*args, **kwargs).eval()
        with torch.no_grad():
            for p in m.parameters():
                p.copy_(torch.randn_like(p) * 0.5)
        x = x.clone().requires_grad_()
        states = [] if hx is None else [h.clone().requires_grad_() for h in (hx if isinstance(hx, tuple) else (hx,))]
        arg = None if hx is None else (tuple(states) if isinstance(hx, tuple) else states[0])
        r = m(x) if arg is None else m(x, arg)
        if cell:
            outs = list(r) if isinstance(r, tuple) else [r]
        else:
            out, hn = r
            outs = [out] + (list(hn) if isinstance(hn, tuple) else [hn])
        ups = [torch.randn_like(o) for o in outs]
        sum((o * u).sum() for o, u in zip(outs, ups)).backward()
        cases.append({
            "name": name, "kind": kind, "args": list(args), "kwargs": {re.sub(r"_([a-z])", lambda g: g.group(1).upper(), k): v for k, v in kwargs.items()},
            "repr": str(m), "keys": list(m.state_dict().keys()),
            "params": {k: enc(v) for k, v in m.named_parameters()},
            "input": enc(x), "hx": [enc(h) for h in states],
            "outputs": [enc(o) for o in outs], "upstream": [enc(u) for u in ups],
            "inputGrad": enc(x.grad), "hxGrads": [enc(h.grad) for h in states],
            "paramGrads": {k: enc(v.grad) for k, v in m.named_parameters()},
        })

    torch.manual_seed(7)
    r = lambda *s: torch.randn(*s)
    case("RNN(4, 3)", "RNN", (4, 3), {}, r(5, 2, 4))
    case("RNN(4, 3) relu, h0", "RNN", (4, 3), {"nonlinearity": "relu"}, r(5, 2, 4), r(1, 2, 3))
    case("RNN(4, 3) 2 layers, bidirectional, batch_first", "RNN", (4, 3), {"num_layers": 2, "bidirectional": True, "batch_first": True}, r(2, 5, 4))
    case("LSTM(4, 3)", "LSTM", (4, 3), {}, r(6, 2, 4))
    case("LSTM(4, 3) h0 c0, no bias", "LSTM", (4, 3), {"bias": False}, r(6, 2, 4), (r(1, 2, 3), r(1, 2, 3)))
    case("LSTM(4, 5) 2 layers, bidirectional", "LSTM", (4, 5), {"num_layers": 2, "bidirectional": True}, r(4, 3, 4),
         (r(4, 3, 5), r(4, 3, 5)))
    case("LSTM(3, 4) batch_first", "LSTM", (3, 4), {"batch_first": True}, r(2, 7, 3))
    case("LSTM(3, 4) unbatched", "LSTM", (3, 4), {}, r(5, 3), (r(1, 4), r(1, 4)))
    case("GRU(4, 3)", "GRU", (4, 3), {}, r(5, 2, 4))
    case("GRU(4, 3) 3 layers, h0, batch_first", "GRU", (4, 3), {"num_layers": 3, "batch_first": True}, r(2, 5, 4), r(3, 2, 3))
    case("GRU(4, 3) bidirectional, unbatched", "GRU", (4, 3), {"bidirectional": True}, r(6, 4))
    case("RNNCell(4, 3)", "RNNCell", (4, 3), {}, r(2, 4), r(2, 3), cell=True)
    case("RNNCell(4, 3) relu, no hx", "RNNCell", (4, 3), {"nonlinearity": "relu"}, r(2, 4), cell=True)
    case("LSTMCell(4, 3)", "LSTMCell", (4, 3), {}, r(2, 4), (r(2, 3), r(2, 3)), cell=True)
    case("LSTMCell(4, 3) unbatched, no bias", "LSTMCell", (4, 3), {"bias": False}, r(4), (r(3), r(3)), cell=True)
    case("GRUCell(4, 3)", "GRUCell", (4, 3), {}, r(2, 4), r(2, 3), cell=True)

    # packed sequences: pack_padded_sequence's layout, and RNNs run on a PackedSequence — outputs
    # (padded back), final states and every gradient
    from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence, pad_sequence
    packed = []

    def packed_case(name, kind, args, kwargs, x, lengths, enforce_sorted, hx=None):
        torch.manual_seed(len(packed) + 700)
        m = getattr(nn, kind)(*args, **kwargs).eval()
        with torch.no_grad():
            for p in m.parameters():
                p.copy_(torch.randn_like(p) * 0.5)
        bf = kwargs.get("batch_first", False)
        x = x.clone().requires_grad_()
        states = [] if hx is None else [h.clone().requires_grad_() for h in (hx if isinstance(hx, tuple) else (hx,))]
        arg = None if hx is None else (tuple(states) if isinstance(hx, tuple) else states[0])
        pk = pack_padded_sequence(x, torch.tensor(lengths), batch_first=bf, enforce_sorted=enforce_sorted)
        out_pk, hn = m(pk) if arg is None else m(pk, arg)
        out, out_lengths = pad_packed_sequence(out_pk, batch_first=bf)
        outs = [out] + (list(hn) if isinstance(hn, tuple) else [hn])
        ups = [torch.randn_like(o) for o in outs]
        sum((o * u).sum() for o, u in zip(outs, ups)).backward()
        packed.append({
            "name": name, "kind": kind, "args": list(args), "kwargs": {re.sub(r"_([a-z])", lambda g: g.group(1).upper(), k): v for k, v in kwargs.items()},
            "lengths": lengths, "enforceSorted": enforce_sorted,
            "params": {k: enc(v) for k, v in m.named_parameters()},
            "input": enc(x), "hx": [enc(h) for h in states],
            "packedData": enc(pk.data), "batchSizes": pk.batch_sizes.tolist(),
            "sortedIndices": None if pk.sorted_indices is None else pk.sorted_indices.tolist(),
            "unsortedIndices": None if pk.unsorted_indices is None else pk.unsorted_indices.tolist(),
            "outputPackedData": enc(out_pk.data), "outLengths": out_lengths.tolist(),
            "outputs": [enc(o) for o in outs], "upstream": [enc(u) for u in ups],
            "inputGrad": enc(x.grad), "hxGrads": [enc(h.grad) for h in states],
            "paramGrads": {k: enc(v.grad) for k, v in m.named_parameters()},
        })

    torch.manual_seed(17)
    packed_case("LSTM(3, 4) sorted lengths", "LSTM", (3, 4), {}, r(5, 3, 3), [5, 3, 2], True)
    packed_case("LSTM(3, 4) 2 layers, bidirectional, batch_first, unsorted, h0 c0", "LSTM", (3, 4),
                {"num_layers": 2, "bidirectional": True, "batch_first": True}, r(4, 6, 3), [2, 6, 1, 4], False,
                (r(4, 4, 4), r(4, 4, 4)))
    packed_case("GRU(3, 4) bidirectional, unsorted, padded past the longest", "GRU", (3, 4), {"bidirectional": True},
                r(7, 3, 3), [3, 5, 1], False)
    packed_case("RNN(3, 2) relu, h0, unsorted", "RNN", (3, 2), {"nonlinearity": "relu"}, r(4, 3, 3), [1, 4, 3], False, r(1, 3, 2))
    seqs = [r(3, 2), r(5, 2), r(1, 2)]
    pad = {"sequences": [enc(q) for q in seqs], "padded": enc(pad_sequence(seqs)),
           "paddedBatchFirst": enc(pad_sequence(seqs, batch_first=True, padding_value=-1.0))}
    write("nn-rnn.json", {"cases": cases, "packed": packed, "padSequence": pad})


# ---------------------------------------------------------------- attention


def gen_attention():
    """nn.MultiheadAttention in eval mode for given weights: output, weights and every gradient."""
    cases = []

    def case(name, kwargs, q, k, v, call=None, self_attn=False):
        torch.manual_seed(len(cases) + 300)
        m = nn.MultiheadAttention(*kwargs.pop("args"), **kwargs).eval()
        with torch.no_grad():
            for p in m.parameters():
                p.copy_(torch.randn_like(p) * 0.4)
        q = q.clone().requires_grad_()
        k = q if self_attn else k.clone().requires_grad_()
        v = q if self_attn else v.clone().requires_grad_()
        call = call or {}
        out, w = m(q, k, v, **call)
        ups = [torch.randn_like(out)] + ([torch.randn_like(w)] if w is not None else [])
        total = (out * ups[0]).sum() + ((w * ups[1]).sum() if w is not None else 0)
        total.backward()
        camel = lambda d: {re.sub(r"_([a-z])", lambda g: g.group(1).upper(), a): b for a, b in d.items()}
        cases.append({
            "name": name, "args": list(m.embed_dim for _ in [0]) + [m.num_heads], "kwargs": camel(kwargs),
            "call": {kk: (enc(vv) if isinstance(vv, torch.Tensor) else vv) for kk, vv in camel(call).items()},
            "selfAttention": self_attn, "repr": str(m), "keys": list(m.state_dict().keys()),
            "params": {kk: enc(vv) for kk, vv in m.named_parameters()},
            "inputs": [enc(q)] + ([] if self_attn else [enc(k), enc(v)]),
            "outputs": [enc(out)] + ([enc(w)] if w is not None else []), "upstream": [enc(u) for u in ups],
            "inputGrads": [enc(q.grad)] + ([] if self_attn else [enc(k.grad), enc(v.grad)]),
            "paramGrads": {kk: enc(vv.grad) for kk, vv in m.named_parameters()},
        })

    torch.manual_seed(11)
    r = lambda *s: torch.randn(*s)
    case("MHA(8, 2) cross-attention", {"args": (8, 2)}, r(4, 3, 8), r(5, 3, 8), r(5, 3, 8))
    case("MHA(8, 2) self-attention, batch_first", {"args": (8, 2), "batch_first": True}, r(3, 4, 8), None, None, self_attn=True)
    case("MHA(8, 4) key padding mask", {"args": (8, 4), "batch_first": True}, r(2, 3, 8), r(2, 5, 8), r(2, 5, 8),
         {"key_padding_mask": torch.tensor([[False, False, True, False, True], [False, False, False, False, False]])})
    case("MHA(8, 2) causal bool mask, weights per head", {"args": (8, 2)}, r(4, 2, 8), None, None,
         {"attn_mask": torch.triu(torch.ones(4, 4, dtype=torch.bool), 1), "average_attn_weights": False}, self_attn=True)
    case("MHA(6, 3) float mask, no bias", {"args": (6, 3), "bias": False}, r(3, 2, 6), r(4, 2, 6), r(4, 2, 6),
         {"attn_mask": r(3, 4)})
    case("MHA(8, 2) unbatched, need_weights=False", {"args": (8, 2)}, r(3, 8), r(5, 8), r(5, 8), {"need_weights": False})

    # transformer encoders (eval mode: no dropout) — output, gradients of the input and parameters
    enc_cases = []

    def enc_case(name, kind, build, kwargs, x, call=None):
        torch.manual_seed(len(enc_cases) + 400)
        m = build().eval()
        with torch.no_grad():
            for p in m.parameters():
                p.copy_(torch.randn_like(p) * 0.3)
        x = x.clone().requires_grad_()
        out = m(x, **(call or {}))
        up = torch.randn_like(out)
        (out * up).sum().backward()
        camel = lambda d: {re.sub(r"_([a-z])", lambda g: g.group(1).upper(), a): b for a, b in d.items()}
        enc_cases.append({
            "name": name, "kind": kind, "kwargs": kwargs, "repr": str(m), "keys": list(m.state_dict().keys()),
            "call": {kk: enc(vv) for kk, vv in camel(call or {}).items()},
            "params": {kk: enc(vv) for kk, vv in m.named_parameters()},
            "input": enc(x), "output": enc(out), "upstream": enc(up), "inputGrad": enc(x.grad),
            "paramGrads": {kk: enc(vv.grad) for kk, vv in m.named_parameters()},
        })

    enc_case("TransformerEncoderLayer(8, 2) post-norm relu", "layer",
             lambda: nn.TransformerEncoderLayer(8, 2, dim_feedforward=16), {"dModel": 8, "nhead": 2, "dimFeedforward": 16}, r(5, 3, 8))
    enc_case("TransformerEncoderLayer(8, 4) pre-norm gelu, batch_first, key padding", "layer",
             lambda: nn.TransformerEncoderLayer(8, 4, dim_feedforward=12, activation="gelu", batch_first=True, norm_first=True),
             {"dModel": 8, "nhead": 4, "dimFeedforward": 12, "activation": "gelu", "batchFirst": True, "normFirst": True},
             r(2, 5, 8), {"src_key_padding_mask": torch.tensor([[False, False, False, True, True], [False] * 5])})
    enc_case("TransformerEncoder(2 layers, norm) causal mask", "encoder",
             lambda: nn.TransformerEncoder(nn.TransformerEncoderLayer(8, 2, dim_feedforward=16), 2, norm=nn.LayerNorm(8)),
             {"dModel": 8, "nhead": 2, "dimFeedforward": 16}, r(4, 2, 8), {"mask": torch.triu(torch.ones(4, 4, dtype=torch.bool), 1)})

    # transformer decoders and the whole encoder-decoder (eval mode): output, gradients of the
    # target, the memory (or source) and every parameter
    dec_cases = []

    def dec_case(name, kind, build, kwargs, a, b, call=None):
        torch.manual_seed(len(dec_cases) + 500)
        m = build().eval()
        with torch.no_grad():
            for p in m.parameters():
                p.copy_(torch.randn_like(p) * 0.3)
        a = a.clone().requires_grad_()
        b = b.clone().requires_grad_()
        out = m(a, b, **(call or {}))
        up = torch.randn_like(out)
        (out * up).sum().backward()
        camel = lambda d: {re.sub(r"_([a-z])", lambda g: g.group(1).upper(), k): v for k, v in d.items()}
        dec_cases.append({
            "name": name, "kind": kind, "kwargs": kwargs, "repr": str(m), "keys": list(m.state_dict().keys()),
            "call": {kk: enc(vv) for kk, vv in camel(call or {}).items()},
            "params": {kk: enc(vv) for kk, vv in m.named_parameters()},
            "inputs": [enc(a), enc(b)], "output": enc(out), "upstream": enc(up), "inputGrads": [enc(a.grad), enc(b.grad)],
            "paramGrads": {kk: enc(vv.grad) for kk, vv in m.named_parameters()},
        })

    causal = lambda n: torch.triu(torch.ones(n, n, dtype=torch.bool), 1)
    dec_case("TransformerDecoderLayer(8, 2) post-norm relu, causal bool mask", "layer",
             lambda: nn.TransformerDecoderLayer(8, 2, dim_feedforward=16), {"dModel": 8, "nhead": 2, "dimFeedforward": 16},
             r(4, 3, 8), r(5, 3, 8), {"tgt_mask": causal(4)})
    dec_case("TransformerDecoderLayer(8, 4) pre-norm gelu, batch_first, both key paddings", "layer",
             lambda: nn.TransformerDecoderLayer(8, 4, dim_feedforward=12, activation="gelu", batch_first=True, norm_first=True),
             {"dModel": 8, "nhead": 4, "dimFeedforward": 12, "activation": "gelu", "batchFirst": True, "normFirst": True},
             r(2, 4, 8), r(2, 5, 8), {"tgt_key_padding_mask": torch.tensor([[False, False, False, True], [False] * 4]),
                                      "memory_key_padding_mask": torch.tensor([[False, False, True, True, True], [False] * 5])})
    dec_case("TransformerDecoder(2 layers, norm) -inf subsequent mask, float memory mask", "decoder",
             lambda: nn.TransformerDecoder(nn.TransformerDecoderLayer(8, 2, dim_feedforward=16), 2, norm=nn.LayerNorm(8)),
             {"dModel": 8, "nhead": 2, "dimFeedforward": 16}, r(4, 2, 8), r(3, 2, 8),
             {"tgt_mask": nn.Transformer.generate_square_subsequent_mask(4), "memory_mask": r(4, 3)})
    dec_case("Transformer(8, 2, 2 encoder + 1 decoder layers) batch_first, masks", "transformer",
             lambda: nn.Transformer(d_model=8, nhead=2, num_encoder_layers=2, num_decoder_layers=1, dim_feedforward=16, batch_first=True),
             {"dModel": 8, "nhead": 2, "numEncoderLayers": 2, "numDecoderLayers": 1, "dimFeedforward": 16, "batchFirst": True},
             r(2, 5, 8), r(2, 4, 8), {"tgt_mask": nn.Transformer.generate_square_subsequent_mask(4),
                                      "src_key_padding_mask": torch.tensor([[False] * 5, [False, False, False, True, True]]),
                                      "memory_key_padding_mask": torch.tensor([[False] * 5, [False, False, False, True, True]])})
    write("nn-attention.json", {"cases": cases, "encoders": enc_cases, "decoders": dec_cases})


if __name__ == "__main__":
    import sys
    if "--out" in sys.argv:  # write elsewhere, e.g. to diff against the committed files
        ROOT = sys.argv[sys.argv.index("--out") + 1]
    os.makedirs(ROOT, exist_ok=True)
    gen_init()
    gen_layers()
    gen_module()
    gen_losses()
    gen_utils()
    gen_rnn()
    gen_attention()
