"""torch 1.13 oracle for the "extending PyTorch" port (test/port-extend.test.ts): a small
time-series forecaster written with the toolkit a PyTorch user reaches for when extending torch.

- a custom torch.autograd.Function (ClampedReLU: two non-tensor arguments kept as ctx attributes,
  ctx.save_for_backward, ctx.needs_input_grad, a second output — the pass-through mask — marked
  non-differentiable, backward returning None for the non-tensor arguments), checked with
  torch.autograd.gradcheck and used inside the model;
- hooks: a forward pre-hook on the LSTM (records the input's sum; removed mid-run), a forward hook
  on the head that changes its output (and reads the head's input), a full backward hook on the head
  recording the norms of grad_input / grad_output (removed mid-run), a Tensor.register_hook on an
  intermediate that halves its gradient for the first steps;
- module plumbing: persistent buffers for the normalisation statistics and a non-persistent call
  counter, named_modules / named_parameters / named_buffers / state_dict keys, the first LSTM layer
  frozen with requires_grad_(False) for part of the run, a param group added with add_param_group,
  zero_grad(set_to_none=False) (frozen parameters keep a zero grad and momentum still moves them)
  and set_to_none=True; state-dict hooks (the root's saves the non-persistent counter after all,
  so a strict load_state_dict then refuses the extra key);
- training in float64: RMSprop(lr 1e-2, alpha 0.9, momentum 0.5, centered) with SmoothL1Loss, then a
  new Adam(amsgrad=True) with HuberLoss; after each step a validation loss in eval mode under
  no_grad drives early stopping with patience 2; then an autoregressive forecast.

Nothing random is compared: the series is a deterministic sine + trend + a faster sine ("noise"),
batches are given as index lists, the LSTM has dropout 0. Run from the repository root with
Debian's torch (1.13):

    /usr/bin/python3 tools/gen-port-extend-fixtures.py [--out DIR]

Writes fixtures/port-extend.json and fixtures/port-extend-init.pt (the initial state dict).
"""
import argparse
import math
import os
import sys

sys.dont_write_bytecode = True

import torchfix.pin_cpu  # noqa: E402,F401  (before torch: the same kernels on every machine)
import torch  # noqa: E402
import torch.nn as nn  # noqa: E402
from torchfix.fixio import enc, write_json  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
HEADER = {"generator": "tools/gen-port-extend-fixtures.py", "torch": torch.__version__}

WINDOW, HORIZON, HIDDEN, BATCH = 12, 3, 8, 8
LO, HI = -0.6, 0.6  # ClampedReLU's bounds (a clamped, leaky-free "hard tanh")
STEPS = 25
SWITCH_AT = 12  # RMSprop before, Adam(amsgrad) from here
ADD_GROUP_AT = 3  # the head's parameters join the RMSprop optimizer here
FREEZE_AT, NONE_AT = 6, 9  # lstm layer 0 frozen from FREEZE_AT to SWITCH_AT; zero_grad(set_to_none=False) until NONE_AT
GRAD_SCALE_UNTIL = 8  # the tensor hook halves the intermediate's gradient before this step
REMOVE_PRE_AT, REMOVE_BW_AT = 10, 18  # handle.remove() before these steps
PATIENCE = 2


class ClampedReLU(torch.autograd.Function):
    """y = clamp(x, lo, hi); the mask lo < x < hi as a second, non-differentiable output."""

    @staticmethod
    def forward(ctx, x, lo, hi):
        ctx.save_for_backward(x)
        ctx.lo, ctx.hi = lo, hi
        mask = (x > lo) & (x < hi)
        ctx.mark_non_differentiable(mask)
        return x.clamp(lo, hi), mask

    @staticmethod
    def backward(ctx, grad_y, grad_mask):
        (x,) = ctx.saved_tensors
        grad_x = None
        if ctx.needs_input_grad[0]:
            grad_x = grad_y * ((x > ctx.lo) & (x < ctx.hi)).to(grad_y.dtype)
        return grad_x, None, None


class Forecaster(nn.Module):
    def __init__(self):
        super().__init__()
        self.register_buffer("mean", torch.zeros(1))
        self.register_buffer("std", torch.ones(1))
        self.register_buffer("calls", torch.zeros(1), persistent=False)
        self.lstm = nn.LSTM(1, HIDDEN, num_layers=2, dropout=0.0, batch_first=True)
        self.head = nn.Linear(HIDDEN, HORIZON)
        self.grad_scale = None  # set: the tensor hook multiplies the last hidden state's gradient by it
        self.active = []  # fraction of units ClampedReLU passes, per training forward

    def forward(self, x):
        self.calls += 1
        z = (x - self.mean) / self.std
        out, _ = self.lstm(z.unsqueeze(-1))
        last = out[:, -1, :]
        if self.grad_scale is not None and last.requires_grad:
            scale = self.grad_scale
            last.register_hook(lambda g: g * scale)
        a, mask = ClampedReLU.apply(last * 2.0, LO, HI)
        if self.training:
            self.active.append(mask.double().mean().item())
        return self.head(a) * self.std + self.mean


def series():
    t = torch.arange(140, dtype=torch.float64)
    return torch.sin(0.3 * t) + 0.01 * t + 0.1 * torch.sin(1.7 * t + 0.5)


def windows(s, start, stop):
    xs, ys = [], []
    for i in range(start, stop - WINDOW - HORIZON + 1):
        xs.append(s[i:i + WINDOW])
        ys.append(s[i + WINDOW:i + WINDOW + HORIZON])
    return torch.stack(xs), torch.stack(ys)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", default=os.path.join(ROOT, "fixtures"))
    out_dir = ap.parse_args().out

    # ---- the custom Function alone: outputs, gradient, gradcheck ----
    fx = torch.tensor([-0.7, -0.1, 0.05, 0.2, 0.31, 0.49, 0.6, 1.3, -0.02, 0.44], dtype=torch.float64, requires_grad=True)
    fy, fmask = ClampedReLU.apply(fx, LO, HI)
    fw = torch.linspace(-1.0, 2.0, 10, dtype=torch.float64)
    (fy * fw).sum().backward()
    gc_x = torch.tensor([-0.3, 0.12, 0.27, 0.38, 0.8, 0.07], dtype=torch.float64, requires_grad=True)
    function = {
        "x": enc(fx), "y": enc(fy), "mask": enc(fmask), "w": enc(fw), "grad": enc(fx.grad),
        "yRequiresGrad": fy.requires_grad, "maskRequiresGrad": fmask.requires_grad,
        "gradcheckX": enc(gc_x),
        "gradcheck": torch.autograd.gradcheck(lambda v: ClampedReLU.apply(v, LO, HI)[0], (gc_x,), eps=1e-6, atol=1e-5),
    }

    # ---- data ----
    s = series()
    train_x, train_y = windows(s, 0, 100)
    val_x, val_y = windows(s, 100 - WINDOW, 125)
    g = torch.Generator().manual_seed(3)
    batches = [torch.randperm(train_x.shape[0], generator=g)[:BATCH] for _ in range(STEPS)]

    torch.manual_seed(0)
    model = Forecaster().double()
    with torch.no_grad():
        model.mean.fill_(s[:100].mean())
        model.std.fill_(s[:100].std())
    init_path = os.path.join(out_dir, "port-extend-init.pt")
    os.makedirs(out_dir, exist_ok=True)
    torch.save(model.state_dict(), init_path)
    print("wrote", os.path.relpath(init_path), os.path.getsize(init_path), "bytes")

    names = {
        "modules": [n for n, _ in model.named_modules()],
        "parameters": [n for n, _ in model.named_parameters()],
        "buffers": [n for n, _ in model.named_buffers()],
        "stateDict": list(model.state_dict().keys()),
        "lstmParameters": [n for n, _ in model.lstm.named_parameters(prefix="lstm")],
    }

    # ---- hooks ----
    pre_records, bw_records = [], []

    def pre_hook(module, args):
        pre_records.append(args[0].sum().item())

    def head_hook(module, args, output):
        return output * 0.9 + 0.1 * args[0][:, :1]

    def bw_hook(module, grad_input, grad_output):
        bw_records.append([grad_input[0].norm().item(), grad_output[0].norm().item()])

    pre_handle = model.lstm.register_forward_pre_hook(pre_hook)
    model.head.register_forward_hook(head_hook)
    bw_handle = model.head.register_full_backward_hook(bw_hook)

    frozen = [model.lstm.weight_ih_l0, model.lstm.weight_hh_l0, model.lstm.bias_ih_l0, model.lstm.bias_hh_l0]
    optimizer = torch.optim.RMSprop(model.lstm.parameters(), lr=1e-2, alpha=0.9, momentum=0.5, centered=True)
    criterion = nn.SmoothL1Loss(beta=0.5)
    val_criterion = nn.MSELoss()
    steps, best, bad, stopped_at = [], math.inf, 0, None
    for step in range(STEPS):
        if step == ADD_GROUP_AT:
            optimizer.add_param_group({"params": model.head.parameters(), "lr": 5e-3})
        if step == FREEZE_AT:
            for p in frozen:
                p.requires_grad_(False)
        if step == REMOVE_PRE_AT:
            pre_handle.remove()
        if step == REMOVE_BW_AT:
            bw_handle.remove()
        if step == SWITCH_AT:
            for p in frozen:
                p.requires_grad_(True)
            optimizer = torch.optim.Adam(model.parameters(), lr=2e-2, amsgrad=True)
            criterion = nn.HuberLoss(delta=0.8)
            best, bad = math.inf, 0  # the early-stopping monitor starts afresh with the new optimizer
        model.grad_scale = 0.5 if step < GRAD_SCALE_UNTIL else None
        # the optimizer's zero_grad: parameters outside it (the head before ADD_GROUP_AT) accumulate
        optimizer.zero_grad(set_to_none=not (FREEZE_AT <= step < NONE_AT))
        xb, yb = train_x[batches[step]], train_y[batches[step]]
        loss = criterion(model(xb), yb)
        loss.backward()
        grad_state = {n: (None if p.grad is None else p.grad.abs().sum().item()) for n, p in model.named_parameters()}
        optimizer.step()
        model.eval()
        with torch.no_grad():
            val = val_criterion(model(val_x), val_y).item()
        model.train()
        if val < best:
            best, bad = val, 0
        else:
            bad += 1
        stop = bad >= PATIENCE and step >= SWITCH_AT  # early stopping only in the Adam phase
        steps.append({"loss": loss.item(), "val": val, "bad": bad, "stop": stop, "gradAbsSum": grad_state})
        if stop:
            stopped_at = step
            break

    # ---- autoregressive forecast: predict HORIZON values, append them, slide, repeat ----
    model.eval()
    with torch.no_grad():
        window = s[100 - WINDOW:100].clone().unsqueeze(0)
        forecast = []
        for _ in range(4):
            pred = model(window)
            forecast.append(pred[0])
            window = torch.cat([window[:, HORIZON:], pred], dim=1)
        forecast = torch.cat(forecast)

    # ---- state-dict hooks (torch 1.13's private _register_state_dict_hook): the root saves the
    # non-persistent call counter after all; lstm's and head's record the keys they see ----
    sd_records = []

    def seen_hook(module, state_dict, prefix, local_metadata):
        sd_records.append([prefix, list(state_dict.keys())])

    def save_calls_hook(module, state_dict, prefix, local_metadata):
        state_dict[prefix + "calls"] = module.calls.clone()
        sd_records.append([prefix, list(state_dict.keys())])

    model.lstm._register_state_dict_hook(seen_hook)
    model.head._register_state_dict_hook(seen_hook)
    model._register_state_dict_hook(save_calls_hook)
    final_sd = model.state_dict()
    fresh = Forecaster().double()
    try:
        fresh.load_state_dict(final_sd)
        strict_error = None
    except RuntimeError as e:
        strict_error = str(e)
    lenient = fresh.load_state_dict(final_sd, strict=False)

    write_json(out_dir, "port-extend.json", {
        **HEADER,
        "config": {"window": WINDOW, "horizon": HORIZON, "hidden": HIDDEN, "lo": LO, "hi": HI, "steps": STEPS,
                   "switchAt": SWITCH_AT, "addGroupAt": ADD_GROUP_AT, "freezeAt": FREEZE_AT, "noneAt": NONE_AT,
                   "gradScaleUntil": GRAD_SCALE_UNTIL, "removePreAt": REMOVE_PRE_AT, "removeBwAt": REMOVE_BW_AT,
                   "patience": PATIENCE},
        "function": function,
        "series": enc(s),
        "batches": [enc(b) for b in batches],
        "names": names,
        "steps": steps,
        "stoppedAt": stopped_at,
        "preRecords": pre_records,
        "bwRecords": bw_records,
        "active": model.active,
        "calls": model.calls.item(),
        "final": {k: enc(v) for k, v in final_sd.items()},
        "stateDictHookRecords": sd_records,
        "strictLoadError": strict_error,
        "lenientLoad": {"missingKeys": lenient.missing_keys, "unexpectedKeys": lenient.unexpected_keys},
        "forecast": enc(forecast),
    })


if __name__ == "__main__":
    main()
