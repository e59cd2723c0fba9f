"""PyTorch oracle for the nn/optim extras: torch.optim.swa_utils (AveragedModel, SWALR, update_bn),
nn.Dropout1d / Dropout3d / FeatureAlphaDropout, and nn.AdaptiveLogSoftmaxWithLoss (Tensile's
optim.swaUtils and the same nn classes; tests in test/nn-extras.test.ts). Run from the repository root
with Debian's torch (1.13):

    /usr/bin/python3 tools/gen-nnextras-fixtures.py [--out DIR]

Writes fixtures/nn-extras.json (deterministic). Weights and data come from formulas (the values are
written too), so nothing depends on PyTorch's random streams except the dropout statistics, which are
sample statistics to compare within sampling error. Tensors are {shape, dtype, data} as in the other
nn fixtures (test/nn-helpers.ts); int64 tensors are written as int32.

- swa: a short SWA run. Model Linear(3, 4) -> BatchNorm1d(4) -> ReLU -> Linear(4, 2), SGD(lr 0.1,
  momentum 0.9) on MSE over a fixed batch; from step 2 on, AveragedModel.update_parameters(model)
  and SWALR(swa_lr 0.05, anneal_epochs 3, linear) step after every optimizer step. Per step: the loss,
  the lr, the averaged model's state dict. Then update_bn over two half batches: the averaged model's
  state dict and its eval output. Also an EMA AveragedModel (avg_fn 0.1 a + 0.9 p, use_buffers=True)
  and an equal-weight use_buffers=True one over the same run (integer buffers truncated by copy_).
- swalr: lrs after construction and each of 14 steps for several SWALR configurations (one after a
  CosineAnnealingLR phase), the scheduler state dict and the optimizer's param_groups keys.
- dropout: per p, the fraction of channels Dropout1d / Dropout3d zero and their kept value, and for
  FeatureAlphaDropout the constants (kept: y = a x + c; dropped: y = d) read off PyTorch's output,
  with the dropped fraction, mean and std over N(0, 1) input.
- lazy: LazyLinear with the optimizer (SGD with momentum, Adam) built before the first forward: repr
  and keys before, class, repr and shapes after it, then formula weights and three steps (losses, final
  weights); and a Sequential of two LazyLinears.
- asm: AdaptiveLogSoftmaxWithLoss configurations with formula weights: state-dict keys and shapes,
  repr, forward output and loss, the gradients of loss w.r.t. every parameter and the input, log_prob,
  predict (on inputs covering its three branches), and an unbatched forward.
- gaps: ReflectionPad3d / ReplicationPad3d / ConstantPad3d (repr, output, input gradient), MaxUnpool1d/2d/3d
  on MaxPool's values and indices (repr, output, gradient), AdaptiveMaxPool3d with indices.
- lazyLayers: LazyConv1d/2d/3d, LazyConvTranspose1d/2d, LazyBatchNorm1d/2d/3d, LazyInstanceNorm1d/2d: repr,
  class and keys before and after the first forward (SGD built before it), then formula weights and two
  steps (losses), the final state dict and the eval output. Tests in test/nn-gaps.test.ts.
"""
import argparse
import copy
import json
import math
import os
import sys
import warnings

sys.dont_write_bytecode = True
# expected: the zero-width cluster of the "shortlist-only-targets" case, and LazyLinear's "new feature" notice
warnings.filterwarnings("ignore", message="Initializing zero-element tensors is a no-op")
warnings.filterwarnings("ignore", message="Lazy modules are a new feature")

import torchfix.pin_cpu  # noqa: E402,F401  (before torch: the same kernels on every machine)
import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402
from torch.optim.swa_utils import AveragedModel, SWALR, update_bn  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
HEADER = {"generator": "tools/gen-nnextras-fixtures.py", "torch": torch.__version__}
torch.set_num_threads(1)


def enc(t):
    t = t.detach()
    if t.dtype == torch.bool:
        return {"shape": list(t.shape), "dtype": "bool", "data": [int(v) for v in t.reshape(-1).tolist()]}
    if t.dtype in (torch.int64, torch.int32):
        return {"shape": list(t.shape), "dtype": "int32", "data": [int(v) for v in t.reshape(-1).tolist()]}
    dtype = "float64" if t.dtype == torch.float64 else "float32"
    return {"shape": list(t.shape), "dtype": dtype, "data": [float(v) for v in t.reshape(-1).tolist()]}


def formula(shape, k, scale=0.5, dtype=torch.float32):
    n = math.prod(shape)
    i = torch.arange(n, dtype=torch.float64)
    return (scale * torch.sin(0.37 * i + 1.3 * k + 0.2)).reshape(shape).to(dtype)


def sd_enc(m):
    return {k: enc(v) for k, v in m.state_dict().items()}


# ---- SWA ----

def swa_model():
    m = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.BatchNorm1d(4), torch.nn.ReLU(), torch.nn.Linear(4, 2))
    with torch.no_grad():
        for k, (name, p) in enumerate(m.named_parameters()):
            p.copy_(formula(p.shape, k, 0.6))
    return m


def swa_case():
    torch.manual_seed(0)
    model = swa_model()
    X = formula([8, 3], 11, 1.0)
    Y = formula([8, 2], 12, 1.0)
    opt = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    swa = AveragedModel(model)
    ema = AveragedModel(model, avg_fn=lambda a, p, n: 0.1 * a + 0.9 * p, use_buffers=True)
    eqb = AveragedModel(model, use_buffers=True)
    sched = SWALR(opt, swa_lr=0.05, anneal_epochs=3, anneal_strategy="linear")
    initial = {"swa": sd_enc(swa), "lr": opt.param_groups[0]["lr"]}
    steps = []
    swa_start = 2
    for step in range(8):
        opt.zero_grad()
        loss = F.mse_loss(model(X), Y)
        loss.backward()
        opt.step()
        rec = {"loss": loss.item()}
        if step >= swa_start:
            swa.update_parameters(model)
            ema.update_parameters(model)
            eqb.update_parameters(model)
            sched.step()
            rec["swa"] = sd_enc(swa)
        rec["lr"] = opt.param_groups[0]["lr"]
        steps.append(rec)
    out = {
        "x": enc(X), "y": enc(Y), "initialModel": sd_enc(swa_model()), "initial": initial, "swaStart": swa_start,
        "steps": steps, "model": sd_enc(model), "swaKeys": list(swa.state_dict().keys()), "swaRepr": repr(swa),
        "ema": sd_enc(ema), "equalBuffers": sd_enc(eqb),
    }
    loader = [(X[:4], Y[:4]), (X[4:], Y[4:])]
    update_bn(loader, swa)
    training = swa.training
    swa.eval()
    with torch.no_grad():
        out["afterUpdateBn"] = {"swa": sd_enc(swa), "training": training, "momentum": swa.module[1].momentum,
                                "evalOutput": enc(swa(X))}
    return out


def swalr_cases():
    cases = []

    def run(name, lrs, swa_lr, anneal_epochs, strategy, pre=None):
        p = [torch.nn.Parameter(torch.zeros(2)) for _ in lrs]
        opt = torch.optim.SGD([{"params": [q], "lr": lr} for q, lr in zip(p, lrs)], lr=lrs[0], momentum=0.9)
        pre_lrs = []
        if pre is not None:
            s0 = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=pre)
            for _ in range(pre // 2):
                opt.step()
                s0.step()
                pre_lrs.append([g["lr"] for g in opt.param_groups])
        kw = {"anneal_epochs": anneal_epochs, "anneal_strategy": strategy}
        s = SWALR(opt, swa_lr=swa_lr, **kw)
        seq = [[g["lr"] for g in opt.param_groups]]
        for _ in range(14):
            opt.step()
            s.step()
            seq.append([g["lr"] for g in opt.param_groups])
        sd = s.state_dict()
        state = {k: sd[k] for k in ["base_lrs", "last_epoch", "_step_count", "_last_lr", "anneal_epochs"]}
        groups = [sorted(k for k in g.keys() if k != "params") for g in opt.state_dict()["param_groups"]]
        cases.append({"name": name, "lrs": lrs, "swaLr": swa_lr, "annealEpochs": anneal_epochs, "annealStrategy": strategy,
                      "preCosineTMax": pre, "preLrs": pre_lrs, "seq": seq, "state": state, "groupKeys": groups,
                      "swaLrs": [g["swa_lr"] for g in opt.param_groups]})

    run("cos-10", [0.1], 0.05, 10, "cos")
    run("linear-3", [0.1], 0.05, 3, "linear")
    run("cos-1", [0.3], 0.01, 1, "cos")
    run("anneal-0", [0.1], 0.02, 0, "cos")
    run("two-groups", [0.1, 0.01], [0.02, 0.005], 5, "cos")
    run("after-cosine", [0.1], 0.01, 4, "linear", pre=10)
    return cases


# ---- dropout ----

def dropout_stats():
    out = {"channel": [], "featureAlpha": [],
           "repr": [repr(torch.nn.Dropout1d(0.3)), repr(torch.nn.Dropout3d()), repr(torch.nn.FeatureAlphaDropout(0.2))]}
    torch.manual_seed(0)
    for p in [0.2, 0.5]:
        y1 = torch.nn.Dropout1d(p)(torch.ones(20000, 10, 3))
        ch1 = y1[:, :, 0].reshape(-1)
        y3 = torch.nn.Dropout3d(p)(torch.ones(5000, 10, 2, 2, 2))
        ch3 = y3[:, :, 0, 0, 0].reshape(-1)
        out["channel"].append({
            "p": p,
            "dropout1dZeroFraction": (ch1 == 0).double().mean().item(), "dropout1dChannels": ch1.numel(),
            "dropout1dKeptValue": ch1[ch1 != 0][0].item(),
            "dropout3dZeroFraction": (ch3 == 0).double().mean().item(), "dropout3dChannels": ch3.numel(),
            "dropout3dKeptValue": ch3[ch3 != 0][0].item(),
        })
    for p in [0.2, 0.5]:
        x = torch.randn(64, 8, 5, dtype=torch.float64)
        y = F.feature_alpha_dropout(x, p, True)
        flat_x, flat_y = x.reshape(512, 5), y.reshape(512, 5)
        const = (flat_y == flat_y[:, :1]).all(1)
        d = flat_y[const][0, 0].item()
        kx, ky = flat_x[~const][0], flat_y[~const][0]
        a = ((ky[1] - ky[0]) / (kx[1] - kx[0])).item()
        c = (ky[0] - a * kx[0]).item()
        big = F.feature_alpha_dropout(torch.randn(20000, 10, 3, dtype=torch.float64), p, True)
        bc = big.reshape(200000, 3)
        dropped = (bc == d).all(1).double().mean().item()
        out["featureAlpha"].append({"p": p, "a": a, "c": c, "d": d, "droppedFraction": dropped, "channels": 200000,
                                    "mean": big.mean().item(), "std": big.std().item()})
    return out


# ---- AdaptiveLogSoftmaxWithLoss ----

def asm_case(name, in_features, n_classes, cutoffs, div_value, head_bias, target, dtype):
    torch.manual_seed(0)
    m = torch.nn.AdaptiveLogSoftmaxWithLoss(in_features, n_classes, cutoffs, div_value=div_value, head_bias=head_bias).to(dtype)
    with torch.no_grad():
        for k, (_, p) in enumerate(m.named_parameters()):
            p.copy_(formula(p.shape, k + 3, 0.8, dtype))
    n = len(target)
    x = formula([n, in_features], 21, 1.0, dtype).requires_grad_(True)
    t = torch.tensor(target)
    res = m(x, t)
    res.loss.backward()
    grads = {k: (enc(p.grad) if p.grad is not None else None) for k, p in m.named_parameters()}
    with torch.no_grad():
        logp = m.log_prob(x)
        # inputs for predict's three branches: all rows in the shortlist, none, and a mix
        cand = formula([64, in_features], 31, 2.0, dtype)
        head_best = m.head(cand).argmax(1)
        in_short = head_best < m.shortlist_size
        pred_inputs = {}
        if in_short.any():
            pred_inputs["allShortlist"] = cand[in_short][:4]
        if (~in_short).any():
            pred_inputs["noneShortlist"] = cand[~in_short][:4]
        if in_short.any() and (~in_short).any():
            pred_inputs["mixed"] = torch.cat([cand[in_short][:3], cand[~in_short][:3], cand[in_short][3:5]])
        preds = {k: {"input": enc(v), "predict": enc(m.predict(v)), "argmaxLogProb": enc(m.log_prob(v).argmax(1))}
                 for k, v in pred_inputs.items()}
    x1 = x.detach()[1].clone().requires_grad_(True)
    m.zero_grad()
    un = m(x1, torch.tensor(target[1]))
    un.loss.backward()
    return {
        "name": name, "inFeatures": in_features, "nClasses": n_classes, "cutoffs": cutoffs, "divValue": div_value,
        "headBias": head_bias, "dtype": "float64" if dtype == torch.float64 else "float32",
        "repr": repr(m), "state": sd_enc(m), "keys": list(m.state_dict().keys()),
        "input": enc(x), "target": target, "output": enc(res.output), "loss": res.loss.item(),
        "grads": grads, "inputGrad": enc(x.grad), "logProb": enc(logp), "predict": preds,
        "unbatched": {"output": enc(un.output), "loss": un.loss.item(), "inputGrad": enc(x1.grad)},
    }


def asm_cases():
    return [
        asm_case("two-clusters-bias", 8, 12, [3, 7], 2.0, True, [0, 5, 11, 2, 7, 3, 9, 1], torch.float32),
        asm_case("one-cluster", 6, 10, [4], 4.0, False, [4, 9, 0, 3, 5], torch.float32),
        asm_case("three-clusters-f64", 16, 20, [2, 5, 12], 2.0, False, [19, 0, 12, 4, 6, 1, 13], torch.float64),
        asm_case("shortlist-only-targets", 8, 12, [3, 7], 4.0, True, [0, 1, 2, 2], torch.float32),
    ]


# ---- LazyLinear ----

def lazy_cases():
    out = []
    for name, bias, opt_name in [("sgd-momentum", True, "sgd"), ("adam-no-bias", False, "adam")]:
        torch.manual_seed(0)
        m = torch.nn.LazyLinear(3, bias=bias)
        before = {"repr": repr(m), "keys": list(m.state_dict().keys()), "class": type(m).__name__}
        # the optimizer is built on the uninitialised parameters, before the first forward
        opt = (torch.optim.SGD(m.parameters(), lr=0.1, momentum=0.9) if opt_name == "sgd"
               else torch.optim.Adam(m.parameters(), lr=0.05))
        x = formula([5, 4], 41, 1.0)
        y = formula([5, 3], 42, 1.0)
        m(x)
        after = {"repr": repr(m), "class": type(m).__name__, "inFeatures": m.in_features,
                 "shapes": {k: list(v.shape) for k, v in m.state_dict().items()}}
        with torch.no_grad():
            for k, (_, p) in enumerate(m.named_parameters()):
                p.copy_(formula(p.shape, k + 43, 0.7))
        init = sd_enc(m)
        losses = []
        for _ in range(3):
            opt.zero_grad()
            loss = F.mse_loss(m(x), y)
            loss.backward()
            opt.step()
            losses.append(loss.item())
        out.append({"name": name, "bias": bias, "optimizer": opt_name, "before": before, "after": after, "x": enc(x), "y": enc(y),
                    "init": init, "losses": losses, "final": sd_enc(m)})
    seq = torch.nn.Sequential(torch.nn.LazyLinear(5), torch.nn.ReLU(), torch.nn.LazyLinear(2))
    seq_before = repr(seq)
    seq(formula([3, 7], 44, 1.0))
    nested = {"before": seq_before, "after": repr(seq), "shapes": {k: list(v.shape) for k, v in seq.state_dict().items()}}
    return {"cases": out, "nested": nested}


# ---- layers added later: 3-D padding, max unpooling, adaptive 3-D max pooling, lazy conv/norm ----

def grads_of(m, x, k):
    x = x.clone().requires_grad_(True)
    y = m(x)
    g = formula(list(y.shape), k, 1.0, y.dtype)
    (y * g).sum().backward()
    return y, g, x.grad


def gap_layer_cases():
    pads = []
    for name, m, shape in [
        ("reflect", torch.nn.ReflectionPad3d(1), [1, 2, 3, 3, 4]),
        ("reflect_tuple", torch.nn.ReflectionPad3d((2, 0, 1, 2, 0, 1)), [2, 1, 2, 3, 3]),
        ("replicate", torch.nn.ReplicationPad3d((1, 2, 0, 1, 2, 0)), [1, 2, 2, 3, 2]),
        ("replicate_unbatched", torch.nn.ReplicationPad3d(2), [1, 2, 2, 2]),
        ("constant", torch.nn.ConstantPad3d((1, 2, 0, 1, 1, 0), 2.5), [1, 2, 2, 2, 3]),
        ("constant_negative", torch.nn.ConstantPad3d((-1, 1, 0, 0, 1, -1), -1.0), [1, 1, 3, 3, 3]),
    ]:
        x = formula(shape, len(pads) + 50, 1.0)
        y, g, gx = grads_of(m, x, len(pads) + 60)
        pads.append({"name": name, "kind": type(m).__name__, "padding": list(m.padding), "value": getattr(m, "value", None),
                     "repr": repr(m), "x": enc(x), "y": enc(y), "g": enc(g), "gx": enc(gx)})
    unpool = []
    for name, pool, unp, shape, out_size in [
        ("1d", torch.nn.MaxPool1d(2, return_indices=True), torch.nn.MaxUnpool1d(2), [2, 2, 7], [7]),
        ("2d_stride", torch.nn.MaxPool2d(3, stride=2, padding=1, return_indices=True), torch.nn.MaxUnpool2d(3, stride=2, padding=1), [1, 2, 5, 6], [5, 6]),
        ("3d", torch.nn.MaxPool3d(2, return_indices=True), torch.nn.MaxUnpool3d(2), [1, 2, 5, 4, 4], [1, 2, 5, 4, 4]),
    ]:
        x = formula(shape, len(unpool) + 70, 1.0)
        y, idx = pool(x)
        y = y.detach().requires_grad_(True)
        out = unp(y, idx, output_size=out_size)
        g = formula(list(out.shape), len(unpool) + 80, 1.0)
        (out * g).sum().backward()
        unpool.append({"name": name, "repr": repr(unp), "x": enc(x), "pooled": enc(y), "indices": enc(idx),
                       "outputSize": out_size, "out": enc(out), "g": enc(g), "gy": enc(y.grad)})
    amp = torch.nn.AdaptiveMaxPool3d((2, None, 3), return_indices=True)
    x = formula([1, 2, 4, 3, 5], 90, 1.0)
    v, i = amp(x)
    adaptive = {"repr": repr(amp), "repr_int": repr(torch.nn.AdaptiveMaxPool3d(2)), "x": enc(x), "values": enc(v), "indices": enc(i)}
    return {"pad3d": pads, "unpool": unpool, "adaptiveMaxPool3d": adaptive}


def lazy_layer_cases():
    out = []
    specs = [
        ("LazyConv1d", lambda: torch.nn.LazyConv1d(4, 3, stride=2, padding=1), [2, 3, 9]),
        ("LazyConv2d", lambda: torch.nn.LazyConv2d(4, 3, padding=1, groups=2, bias=False), [2, 4, 5, 5]),
        ("LazyConv3d", lambda: torch.nn.LazyConv3d(2, 2), [1, 3, 3, 4, 3]),
        ("LazyConv2d_unbatched", lambda: torch.nn.LazyConv2d(3, 2), [2, 4, 4]),
        ("LazyConvTranspose1d", lambda: torch.nn.LazyConvTranspose1d(3, 3, stride=2), [2, 4, 5]),
        ("LazyConvTranspose2d", lambda: torch.nn.LazyConvTranspose2d(4, 3, stride=2, padding=1, output_padding=1, groups=2), [1, 2, 3, 4]),
        ("LazyBatchNorm1d", lambda: torch.nn.LazyBatchNorm1d(), [6, 3]),
        ("LazyBatchNorm2d", lambda: torch.nn.LazyBatchNorm2d(momentum=0.3), [3, 2, 3, 3]),
        ("LazyBatchNorm3d", lambda: torch.nn.LazyBatchNorm3d(affine=False), [2, 3, 2, 2, 2]),
        ("LazyInstanceNorm1d", lambda: torch.nn.LazyInstanceNorm1d(), [2, 3, 5]),
        ("LazyInstanceNorm2d", lambda: torch.nn.LazyInstanceNorm2d(affine=False), [2, 3, 3, 4]),
        ("LazyInstanceNorm1d_plain", lambda: torch.nn.LazyInstanceNorm1d(affine=False, track_running_stats=False), [2, 3, 5]),
        ("LazyConvTranspose3d", lambda: torch.nn.LazyConvTranspose3d(4, (2, 3, 2), stride=(2, 1, 2), padding=(1, 0, 1), output_padding=(1, 0, 0), groups=2), [1, 2, 3, 2, 3]),
        ("LazyInstanceNorm3d", lambda: torch.nn.LazyInstanceNorm3d(), [2, 3, 2, 3, 2]),
        ("LazyInstanceNorm3d_no_affine", lambda: torch.nn.LazyInstanceNorm3d(affine=False, momentum=0.3), [1, 2, 3, 2, 3]),
    ]
    for k, (name, make, shape) in enumerate(specs):
        torch.manual_seed(0)
        m = make()
        before = {"repr": repr(m), "keys": list(m.state_dict().keys()), "class": type(m).__name__}
        params = list(m.parameters())
        opt = torch.optim.SGD(params, lr=0.1, momentum=0.9) if params else None
        x = formula(shape, 100 + k, 1.0)
        m(x)
        after = {"repr": repr(m), "class": type(m).__name__,
                 "shapes": {kk: list(v.shape) for kk, v in m.state_dict().items()}}
        with torch.no_grad():
            for j, (_, p) in enumerate(m.named_parameters()):
                p.copy_(formula(p.shape, 120 + j, 0.7))
            for kk, b in m.named_buffers():
                if kk in ("running_mean", "running_var"):
                    b.copy_(formula(b.shape, 130, 0.3) + (1.0 if kk == "running_var" else 0.0))
        init = sd_enc(m)
        losses = []
        for _ in range(2):
            y = m(x)
            loss = (y * formula(list(y.shape), 140, 1.0)).sum()
            if opt:
                opt.zero_grad()
                loss.backward()
                opt.step()
            losses.append(loss.item())
        m.eval()
        out.append({"name": name, "before": before, "after": after, "x": enc(x), "init": init, "losses": losses,
                    "final": sd_enc(m), "eval": enc(m(x))})
    return out


def layer3d_cases():
    """ConvTranspose3d and InstanceNorm3d: repr, keys, outputs and gradients with formula weights,
    then (norms) one more training step and an eval output."""
    out = []
    specs = [
        ("ConvTranspose3d", lambda: torch.nn.ConvTranspose3d(4, 6, (2, 3, 2), stride=(2, 1, 2), padding=(1, 0, 1), output_padding=(1, 0, 0), groups=2, dilation=(1, 2, 1)), [1, 4, 3, 2, 3], None),
        ("ConvTranspose3d_output_size", lambda: torch.nn.ConvTranspose3d(2, 3, 3, stride=2, padding=1, bias=False), [2, 2, 2, 3, 2], [4, 6, 4]),
        ("ConvTranspose3d_unbatched", lambda: torch.nn.ConvTranspose3d(3, 2, 2), [3, 2, 2, 3], None),
        ("InstanceNorm3d", lambda: torch.nn.InstanceNorm3d(3), [2, 3, 2, 3, 4], None),
        ("InstanceNorm3d_affine_track", lambda: torch.nn.InstanceNorm3d(3, eps=1e-3, momentum=0.2, affine=True, track_running_stats=True), [2, 3, 3, 2, 2], None),
        ("InstanceNorm3d_unbatched", lambda: torch.nn.InstanceNorm3d(2, affine=True), [2, 3, 2, 2], None),
    ]
    for k, (name, make, shape, out_size) in enumerate(specs):
        m = make()
        keys = list(m.state_dict().keys())
        with torch.no_grad():
            for j, (_, p) in enumerate(m.named_parameters()):
                p.copy_(formula(p.shape, 150 + j, 0.7))
        init = sd_enc(m)
        x = formula(shape, 160 + k, 1.0).requires_grad_(True)
        y = m(x, output_size=out_size) if out_size else m(x)
        g = formula(list(y.shape), 170 + k, 1.0)
        (y * g).sum().backward()
        case = {"name": name, "repr": repr(m), "keys": keys, "init": init, "x": enc(x), "outputSize": out_size, "y": enc(y), "g": enc(g),
                "gx": enc(x.grad), "grads": {n: enc(p.grad) for n, p in m.named_parameters()}, "final": sd_enc(m)}
        if "Norm" in name:
            m.eval()
            case["eval"] = enc(m(x))
        out.append(case)
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", default=os.path.join(ROOT, "fixtures"))
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)
    body = {"swa": swa_case(), "swalr": swalr_cases(), "dropout": dropout_stats(), "asm": asm_cases(), "lazy": lazy_cases(),
            "gaps": gap_layer_cases(), "lazyLayers": lazy_layer_cases(), "layers3d": layer3d_cases()}
    path = os.path.join(args.out, "nn-extras.json")
    with open(path, "w") as f:
        json.dump({**HEADER, **body}, f, separators=(",", ":"), allow_nan=False)
        f.write("\n")
    print("wrote", path, os.path.getsize(path), "bytes")


if __name__ == "__main__":
    main()
