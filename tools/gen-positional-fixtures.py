"""PyTorch oracle for PyTorch-order positional arguments (docs/pytorch-names.md's rule): each case
builds a torch object or calls a torch function with POSITIONAL arguments only, and records what the
positions meant — the optimizer's defaults, a scheduler's learning rates over a few steps, the
DataLoader's batches, a module's attributes, a function's result. test/positional-args.test.ts
makes the same positional call in Tensile and compares, so a wrong order in Tensile's tables fails.
Run from the repository root with Debian's torch (1.13):

    /usr/bin/python3 tools/gen-positional-fixtures.py [--out DIR]

Writes fixtures/positional-args.json (deterministic: inputs come from formulas and are written too).
Tensors are {shape, data} (float32 values, int64 as plain numbers).
"""
import argparse
import json
import math
import os
import sys
import warnings

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import torchfix.pin_cpu  # noqa: F401,E402  (before torch: fixed CPU kernels)
import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402
from torch import nn, optim  # noqa: E402
from torch.optim import lr_scheduler as S, swa_utils  # noqa: E402
import torch.utils.data as D  # noqa: E402

warnings.filterwarnings("ignore")
torch.set_default_dtype(torch.float32)


def T(t):
    t = t.detach()
    return {"shape": list(t.shape), "data": [float(v) if t.is_floating_point() else int(v) for v in t.reshape(-1).tolist()]}


def ramp(*shape, scale=0.1, offset=0.0):
    """Deterministic float32 input: sin of the flat index (the test builds the same)."""
    n = math.prod(shape)
    return torch.tensor([math.sin(i * 0.7 + 0.3) * scale * 10 + offset for i in range(n)], dtype=torch.float32).reshape(shape)


def clean_defaults(d):
    skip = {"foreach", "differentiable", "capturable", "fused"}
    return {k: (list(v) if isinstance(v, tuple) else v) for k, v in d.items() if k not in skip}


def optimizers():
    p = [torch.zeros(2, requires_grad=True)]
    cases = {
        "SGD(p, 0.01, 0.9)": optim.SGD(p, 0.01, 0.9),
        "SGD(p, 0.01, 0.9, 0.1, 0.001)": optim.SGD(p, 0.01, 0.9, 0.1, 0.001),
        "SGD(p, 0.1, 0.9, 0, 0, True)": optim.SGD(p, 0.1, 0.9, 0, 0, True),
        "Adam(p, 0.002, [0.8, 0.99], 1e-6, 0.01, True)": optim.Adam(p, 0.002, (0.8, 0.99), 1e-6, 0.01, True),
        "Adam(p, 0.001)": optim.Adam(p, 0.001),
        "AdamW(p, 0.002, [0.8, 0.99])": optim.AdamW(p, 0.002, (0.8, 0.99)),
        "Adadelta(p, 0.5, 0.8, 1e-5, 0.1)": optim.Adadelta(p, 0.5, 0.8, 1e-5, 0.1),
        "Adagrad(p, 0.1, 0.01, 0.001, 0.5, 1e-9)": optim.Adagrad(p, 0.1, 0.01, 0.001, 0.5, 1e-9),
        "Adamax(p, 0.01, [0.8, 0.9], 1e-7, 0.1)": optim.Adamax(p, 0.01, (0.8, 0.9), 1e-7, 0.1),
        "ASGD(p, 0.02, 0.001, 0.5, 100, 0.1, null, true)": optim.ASGD(p, 0.02, 0.001, 0.5, 100, 0.1, None, True),
        "NAdam(p, 0.01, [0.8, 0.9], 1e-7, 0.1, 0.005)": optim.NAdam(p, 0.01, (0.8, 0.9), 1e-7, 0.1, 0.005),
        "RAdam(p, 0.01, [0.8, 0.9], 1e-7, 0.1)": optim.RAdam(p, 0.01, (0.8, 0.9), 1e-7, 0.1),
        "RMSprop(p, 0.02, 0.9, 1e-7, 0.1, 0.5, true, null, true)": optim.RMSprop(p, 0.02, 0.9, 1e-7, 0.1, 0.5, True, None, True),
        "Rprop(p, 0.02, [0.4, 1.3], [1e-5, 10], null, true)": optim.Rprop(p, 0.02, (0.4, 1.3), (1e-5, 10), None, True),
        "LBFGS(p, 0.5, 10, 12, 1e-6, 1e-8, 50, strong_wolfe)": optim.LBFGS(p, 0.5, 10, 12, 1e-6, 1e-8, 50, "strong_wolfe"),
    }
    return {k: clean_defaults(o.defaults) for k, o in cases.items()}


def schedulers():
    out = {}

    def run(name, make, steps=6, metric=None):
        p = [torch.zeros(2, requires_grad=True)]
        opt = optim.SGD(p, 0.1, 0.9)
        s = make(opt)
        lrs = [opt.param_groups[0]["lr"]]
        for _ in range(steps):
            opt.step()
            if metric is None:
                s.step()
            else:
                s.step(metric)
            lrs.append(opt.param_groups[0]["lr"])
        out[name] = {"lrs": lrs, "momentum": opt.param_groups[0]["momentum"]}

    run("StepLR(opt, 2, 0.5)", lambda o: S.StepLR(o, 2, 0.5))
    run("MultiStepLR(opt, [1, 3], 0.5)", lambda o: S.MultiStepLR(o, [1, 3], 0.5))
    run("ConstantLR(opt, 0.5, 3)", lambda o: S.ConstantLR(o, 0.5, 3))
    run("LinearLR(opt, 0.5, 1.0, 4)", lambda o: S.LinearLR(o, 0.5, 1.0, 4))
    run("ExponentialLR(opt, 0.9)", lambda o: S.ExponentialLR(o, 0.9))
    run("PolynomialLR(opt, 4, 2.0)", lambda o: S.PolynomialLR(o, 4, 2.0))
    run("CosineAnnealingLR(opt, 4, 0.01)", lambda o: S.CosineAnnealingLR(o, 4, 0.01))
    run("CosineAnnealingWarmRestarts(opt, 2, 2, 0.01)", lambda o: S.CosineAnnealingWarmRestarts(o, 2, 2, 0.01))
    run("OneCycleLR(opt, 1.0, 10)", lambda o: S.OneCycleLR(o, 1.0, 10))
    run("OneCycleLR(opt, 1.0, null, 2, 5, 0.4, linear)", lambda o: S.OneCycleLR(o, 1.0, None, 2, 5, 0.4, "linear"))
    run("CyclicLR(opt, 0.01, 0.1, 2)", lambda o: S.CyclicLR(o, 0.01, 0.1, 2))
    run("CyclicLR(opt, 0.01, 0.1, 2, 3, triangular2)", lambda o: S.CyclicLR(o, 0.01, 0.1, 2, 3, "triangular2"), steps=12)
    run("LambdaLR(opt, e => 0.9 ** e)", lambda o: S.LambdaLR(o, lambda e: 0.9 ** e))
    run("ReduceLROnPlateau(opt, max, 0.5, 1)", lambda o: S.ReduceLROnPlateau(o, "max", 0.5, 1), metric=1.0)
    run("SWALR(opt, 0.05, 3, linear)", lambda o: swa_utils.SWALR(o, 0.05, 3, "linear"))
    run("SequentialLR(opt, [ConstantLR(opt, 0.5, 2), ExponentialLR(opt, 0.9)], [2])",
        lambda o: S.SequentialLR(o, [S.ConstantLR(o, 0.5, 2), S.ExponentialLR(o, 0.9)], [2]))
    return out


def data():
    ds = D.TensorDataset(torch.arange(10))
    batches = lambda loader: [b[0].tolist() if isinstance(b, list) else b.tolist() for b in loader]  # noqa: E731
    out = {
        "DataLoader(ds, 4)": batches(D.DataLoader(ds, 4)),
        "DataLoader(ds, 3, false, null, null, 0, null, false, true)": batches(D.DataLoader(ds, 3, False, None, None, 0, None, False, True)),
        "DataLoader(ds, 3, false, [9, 8, 7, 6, 5])": batches(D.DataLoader(ds, 3, False, [9, 8, 7, 6, 5])),
        "DataLoader(ds, 1, false, null, batchSampler)": batches(D.DataLoader(ds, 1, False, None, [[0, 1], [5, 6, 7]])),
    }
    shuffled = [v for b in D.DataLoader(ds, 4, True) for v in b[0].tolist()]
    out["DataLoader(ds, 4, true) sorted"] = sorted(shuffled)
    out["DataLoader(ds, 4, true) len"] = len(D.DataLoader(ds, 4, True))
    out["DataLoader(ds, null) first"] = [b[0].tolist() for b in D.DataLoader(ds, None)][:3]
    rs = D.RandomSampler(ds, True, 5)
    out["RandomSampler(ds, true, 5)"] = {"replacement": rs.replacement, "num_samples": rs.num_samples}
    ws = D.WeightedRandomSampler([1.0, 2.0, 3.0], 2, False)
    out["WeightedRandomSampler([1, 2, 3], 2, false)"] = {"replacement": ws.replacement, "num_samples": ws.num_samples}
    out["BatchSampler(SequentialSampler(range7), 3, true)"] = list(D.BatchSampler(D.SequentialSampler(range(7)), 3, True))
    out["DistributedSampler(ds, 3, 1, false)"] = list(D.DistributedSampler(ds, 3, 1, False))
    out["DistributedSampler(ds, 3, 2, false, 0, true)"] = list(D.DistributedSampler(ds, 3, 2, False, 0, True))
    out["random_split(ds, [3, 7], g) lengths"] = [len(s) for s in D.random_split(ds, [3, 7], torch.Generator().manual_seed(1))]
    return out


def modules():
    out = {}
    m = nn.LSTM(4, 8, 2, False, True, 0.25, True)
    out["LSTM(4, 8, 2, false, true, 0.25, true)"] = {"num_layers": m.num_layers, "bias": m.bias, "batch_first": m.batch_first,
                                                    "dropout": m.dropout, "bidirectional": m.bidirectional,
                                                    "params": [n for n, _ in m.named_parameters()]}
    m = nn.GRU(4, 8, 3, True, False, 0.5)
    out["GRU(4, 8, 3, true, false, 0.5)"] = {"num_layers": m.num_layers, "bias": m.bias, "batch_first": m.batch_first,
                                            "dropout": m.dropout, "bidirectional": m.bidirectional}
    # torch 1.13's RNN takes nonlinearity by keyword only (torch 2 also reads it 4th, before bias)
    m = nn.RNN(4, 8, 2, False, True, nonlinearity="relu")
    out["RNN(4, 8, 2, false, true, nonlinearity=relu)"] = {"num_layers": m.num_layers, "nonlinearity": m.nonlinearity, "bias": m.bias,
                                                           "batch_first": m.batch_first}
    m = nn.RNNCell(4, 8, False, "relu")
    out["RNNCell(4, 8, false, relu)"] = {"bias": m.bias, "nonlinearity": m.nonlinearity}
    m = nn.LSTMCell(4, 8, False)
    out["LSTMCell(4, 8, false)"] = {"bias": m.bias}
    m = nn.TransformerEncoderLayer(8, 2, 16, 0.2, "gelu", 1e-6, True, True)
    out["TransformerEncoderLayer(8, 2, 16, 0.2, gelu, 1e-6, true, true)"] = {
        "dim_feedforward": m.linear1.out_features, "dropout": m.dropout.p, "eps": m.norm1.eps, "batch_first": m.self_attn.batch_first,
        "norm_first": m.norm_first}
    m = nn.TransformerDecoderLayer(8, 2, 16, 0.2, "gelu", 1e-6, True, True)
    out["TransformerDecoderLayer(8, 2, 16, 0.2, gelu, 1e-6, true, true)"] = {
        "dim_feedforward": m.linear1.out_features, "dropout": m.dropout.p, "eps": m.norm1.eps, "batch_first": m.self_attn.batch_first,
        "norm_first": m.norm_first}
    m = nn.Transformer(8, 2, 1, 2, 16, 0.0, "relu", None, None, 1e-6, True)
    out["Transformer(8, 2, 1, 2, 16, 0, relu, null, null, 1e-6, true)"] = {
        "encoder_layers": len(m.encoder.layers), "decoder_layers": len(m.decoder.layers), "d_model": m.d_model, "nhead": m.nhead,
        "batch_first": m.batch_first, "dim_feedforward": m.encoder.layers[0].linear1.out_features, "eps": m.encoder.norm.eps}
    m = nn.MultiheadAttention(8, 2, 0.1, False, False, False, None, None, True)
    out["MultiheadAttention(8, 2, 0.1, false, false, false, null, null, true)"] = {
        "dropout": m.dropout, "has_bias": m.in_proj_bias is not None, "batch_first": m.batch_first}
    m = nn.Embedding(10, 3, 0, 1.5, 3.0)
    out["Embedding(10, 3, 0, 1.5, 3)"] = {"padding_idx": m.padding_idx, "max_norm": m.max_norm, "norm_type": m.norm_type}
    m = nn.EmbeddingBag(10, 3, None, 3.0, False, "sum")
    out["EmbeddingBag(10, 3, null, 3, false, sum)"] = {"max_norm": m.max_norm, "norm_type": m.norm_type, "mode": m.mode}
    m = nn.Upsample(None, 2.0, "bilinear", True)
    out["Upsample(null, 2, bilinear, true)"] = {"size": m.size, "scale_factor": m.scale_factor, "mode": m.mode, "align_corners": m.align_corners}
    for name, m, attrs in [
        ("LeakyReLU(0.2, true)", nn.LeakyReLU(0.2, True), ["negative_slope", "inplace"]),
        ("ELU(0.5, true)", nn.ELU(0.5, True), ["alpha", "inplace"]),
        ("Hardtanh(-2, 3, true)", nn.Hardtanh(-2.0, 3.0, True), ["min_val", "max_val", "inplace"]),
        ("Softplus(2, 10)", nn.Softplus(2, 10), ["beta", "threshold"]),
        ("ReLU(true)", nn.ReLU(True), ["inplace"]),
        ("SiLU(true)", nn.SiLU(True), ["inplace"]),
        ("SELU(true)", nn.SELU(True), ["inplace"]),
        ("Dropout(0.3, true)", nn.Dropout(0.3, True), ["p", "inplace"]),
        ("AlphaDropout(0.2)", nn.AlphaDropout(0.2), ["p", "inplace"]),
    ]:
        out[name] = {a: getattr(m, a) for a in attrs}
    return out


def losses():
    logits, y = ramp(4, 3), torch.tensor([0, 2, 1, 0])
    w = torch.tensor([1.0, 2.0, 0.5])
    a, b, pm = ramp(5), ramp(5, offset=0.3) * 0.5, torch.tensor([1.0, -1.0, 1.0, 1.0, -1.0])
    p01 = torch.sigmoid(ramp(5))
    cases = {
        "CrossEntropyLoss(w, null, 1, null, sum, 0.1)": (nn.CrossEntropyLoss(w, None, 1, None, "sum", 0.1), (logits, y)),
        "NLLLoss(w, null, 0)": (nn.NLLLoss(w, None, 0), (logits.log_softmax(1), y)),
        "BCELoss(w5)": (nn.BCELoss(p01), (p01, p01.flip(0))),
        "BCEWithLogitsLoss(w5, null, null, sum, pw)": (nn.BCEWithLogitsLoss(p01, None, None, "sum", p01.flip(0)), (a, p01)),
        "HuberLoss(sum, 0.5)": (nn.HuberLoss("sum", 0.5), (a, b)),
        "SmoothL1Loss(null, null, sum, 0.5)": (nn.SmoothL1Loss(None, None, "sum", 0.5), (a, b)),
        "MSELoss(null, null, sum)": (nn.MSELoss(None, None, "sum"), (a, b)),
        "KLDivLoss(null, null, sum, true)": (nn.KLDivLoss(None, None, "sum", True), (a.log_softmax(0), b.log_softmax(0))),
        "MarginRankingLoss(0.2)": (nn.MarginRankingLoss(0.2), (a, b, pm)),
        "HingeEmbeddingLoss(0.5)": (nn.HingeEmbeddingLoss(0.5), (a, pm)),
        "MultiMarginLoss(2, 0.5, w)": (nn.MultiMarginLoss(2, 0.5, w), (logits, y)),
        "TripletMarginLoss(0.5, 1, 1e-6, true)": (nn.TripletMarginLoss(0.5, 1.0, 1e-6, True), (ramp(2, 3), ramp(2, 3, offset=0.2), ramp(2, 3, offset=-0.4))),
        "PoissonNLLLoss(false, true)": (nn.PoissonNLLLoss(False, True), (p01 + 0.5, p01 * 3)),
        "CosineEmbeddingLoss(0.3)": (nn.CosineEmbeddingLoss(0.3), (ramp(2, 3), ramp(2, 3, offset=0.5), torch.tensor([1.0, -1.0]))),
        "MultiLabelSoftMarginLoss(w)": (nn.MultiLabelSoftMarginLoss(w), (logits, (logits > 0).float())),
    }
    return {k: {"value": float(m(*args))} for k, (m, args) in cases.items()}


def functional():
    x, x1 = ramp(1, 2, 6, 6), ramp(1, 2, 8)
    w, b = ramp(3, 2, 3, 3, offset=0.1) * 0.3, torch.tensor([0.1, -0.2, 0.3])
    wt = ramp(2, 3, 3, 3, offset=-0.1) * 0.3
    logits, y, cw = ramp(4, 3), torch.tensor([0, 2, 1, 0]), torch.tensor([1.0, 2.0, 0.5])
    a, c, pm = ramp(5), ramp(5, offset=0.3) * 0.5, torch.tensor([1.0, -1.0, 1.0, 1.0, -1.0])
    theta = ramp(1, 2, 3) * 0.3
    grid = torch.tanh(ramp(1, 3, 3, 2))
    ones2, zeros2 = torch.tensor([1.5, 0.5]), torch.tensor([0.1, -0.1])
    rm, rv = torch.tensor([0.1, 0.2]), torch.tensor([1.0, 2.0])
    out = {
        "conv2d(x, w, b, 2, 1)": F.conv2d(x, w, b, 2, 1),
        "conv2d(x, w, null, 1, 2, 2)": F.conv2d(x, w, None, 1, 2, 2),
        "conv1d(x1, w1, null, 2, 1)": F.conv1d(x1, ramp(3, 2, 3) * 0.3, None, 2, 1),
        "convTranspose2d(x, wt, null, 2, 1, 1)": F.conv_transpose2d(x, wt, None, 2, 1, 1),
        "maxPool2d(x, 3, 2, 1, 1, true)": F.max_pool2d(x, 3, 2, 1, 1, True),
        "maxPool1d(x1, 2, 1, 0, 1, false, true) indices": F.max_pool1d(x1, 2, 1, 0, 1, False, True)[1],
        "avgPool2d(x, 3, 2, 1, true, false)": F.avg_pool2d(x, 3, 2, 1, True, False),
        "avgPool2d(x, 2, null, 0, false, true, 3)": F.avg_pool2d(x, 2, None, 0, False, True, 3),
        "avgPool1d(x1, 3, 2, 1, false, false)": F.avg_pool1d(x1, 3, 2, 1, False, False),
        "lpPool2d(x, 2, 2, 1)": F.lp_pool2d(x, 2, 2, 1),
        "interpolate(x, null, 2, bilinear, true)": F.interpolate(x, None, 2, "bilinear", True),
        "interpolate(x, [3, 4])": F.interpolate(x, [3, 4]),
        "crossEntropy(l, y, cw, null, 1, null, sum, 0.1)": F.cross_entropy(logits, y, cw, None, 1, None, "sum", 0.1),
        "nllLoss(l, y, cw)": F.nll_loss(logits.log_softmax(1), y, cw),
        "mseLoss(a, c, null, null, sum)": F.mse_loss(a, c, None, None, "sum"),
        "huberLoss(a, c, sum, 0.5)": F.huber_loss(a, c, "sum", 0.5),
        "klDiv(a, c, null, null, sum, true)": F.kl_div(a.log_softmax(0), c.log_softmax(0), None, None, "sum", True),
        "marginRankingLoss(a, c, pm, 0.2)": F.margin_ranking_loss(a, c, pm, 0.2),
        "layerNorm(x, [6], w6, b6, 1e-3)": F.layer_norm(x, [6], ramp(6, offset=1.0) * 0.1 + 1, ramp(6) * 0.1, 1e-3),
        "groupNorm(x, 2, w2, b2, 1e-3)": F.group_norm(x, 2, ones2, zeros2, 1e-3),
        "batchNorm(x, rm, rv, w2, b2, false, 0.2, 1e-3)": F.batch_norm(x, rm, rv, ones2, zeros2, False, 0.2, 1e-3),
        "gridSample(x, grid, nearest, border, true)": F.grid_sample(x, grid, "nearest", "border", True),
        "affineGrid(theta, [1, 2, 3, 4], true)": F.affine_grid(theta, [1, 2, 3, 4], True),
        "unfold(x, 2, 2, 1, 2)": F.unfold(x, 2, 2, 1, 2),
        "dropout(x, 0.5, false, true)": F.dropout(x.clone(), 0.5, False, True),
    }
    bn_rm, bn_rv = rm.clone(), rv.clone()
    F.batch_norm(x, bn_rm, bn_rv, None, None, True, 0.2)
    out["batchNorm(x, rm, rv, null, null, true, 0.2) running_mean"] = bn_rm
    out["batchNorm(x, rm, rv, null, null, true, 0.2) running_var"] = bn_rv
    return {k: T(v) for k, v in out.items()}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "fixtures"))
    args = ap.parse_args()
    torch.manual_seed(0)
    res = {"torch": torch.__version__, "optimizers": optimizers(), "schedulers": schedulers(), "data": data(),
           "modules": modules(), "losses": losses(), "functional": functional()}
    os.makedirs(args.out, exist_ok=True)
    with open(os.path.join(args.out, "positional-args.json"), "w") as f:
        json.dump(res, f, indent=1, sort_keys=True)
        f.write("\n")


if __name__ == "__main__":
    main()
