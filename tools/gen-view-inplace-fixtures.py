"""PyTorch oracle for the in-place shape methods (t_, transpose_, swapdims_, swapaxes_, squeeze_,
unsqueeze_, resize_, resize_as_): each case's final shape, strides, storage offset and values, the
values another view of the same storage sees, and for the cases autograd records the gradient that
flows back through the in-place view ops. test/view-inplace.test.ts makes the same calls.
Run from the repository root with Debian's torch (1.13):

    /usr/bin/python3 tools/gen-view-inplace-fixtures.py [--out DIR]

Writes fixtures/view-inplace.json (inputs are arange-based, written implicitly by the formulas the
test repeats).
"""
import argparse
import os
import sys
import warnings

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import torchfix.pin_cpu  # noqa: F401,E402  (before torch: fixed CPU kernels)
import torch  # noqa: E402
from torchfix.fixio import enc, write_json  # noqa: E402

warnings.filterwarnings("ignore")


def a(*shape):
    return torch.arange(float(torch.Size(shape).numel())).reshape(shape)


def view(t):
    return {"shape": list(t.shape), "strides": list(t.stride()), "offset": t.storage_offset(), "values": enc(t)}


def cases():
    out = {}
    x = a(2, 3); x.t_(); out["t"] = view(x)
    x = a(3); x.t_(); out["t_1d"] = view(x)
    x = a(2, 3, 4); x.transpose_(0, 2); out["transpose"] = view(x)
    x = a(2, 3, 4); x.swapdims_(-1, 1); out["swapdims"] = view(x)
    x = a(2, 3, 4); x.swapaxes_(0, 1); out["swapaxes"] = view(x)
    x = a(2, 1, 3, 1); x.squeeze_(1); out["squeeze_dim"] = view(x)
    x = a(2, 1, 3, 1); x.squeeze_(); out["squeeze_all"] = view(x)
    x = a(2, 1, 3, 1); x.squeeze_(0); out["squeeze_noop"] = view(x)
    x = a(2, 3); x.unsqueeze_(-1); out["unsqueeze_last"] = view(x)
    x = a(2, 3).t(); x.unsqueeze_(1); out["unsqueeze_strided"] = view(x)
    # a view of part of a storage: the base keeps its view, writes go through
    z = torch.zeros(2, 3); v = z[1]; v.unsqueeze_(0); v.fill_(7.0)
    out["part"] = {"view": view(v), "base": view(z)}
    x = a(2, 3); x.resize_(3, 2); out["resize_same"] = view(x)
    x = a(2, 3); x.resize_(2); out["resize_shrink"] = view(x)
    x = a(2, 3)[1]; x.resize_(2); out["resize_offset"] = view(x)
    x = a(2, 3); x.resize_([1, 6]); out["resize_list"] = view(x)
    x = a(2, 3).t(); x.resize_(3, 2); out["resize_strided"] = view(x)
    x = a(2, 3); x.resize_as_(torch.zeros(6, 1)); out["resize_as"] = view(x)
    # grown: torch leaves the new elements uninitialised; only the first 6 are compared
    x = a(2, 3); x.resize_(4, 2); out["resize_grow"] = {"shape": list(x.shape), "strides": list(x.stride()), "head": enc(x.reshape(-1)[:6])}
    # autograd: y = 2·x, then in-place views on y, then a weighted sum
    x = a(2, 3).requires_grad_(); y = x * 2; y.t_(); y.unsqueeze_(1); w = a(3, 1, 2) + 1
    (y * w).sum().backward()
    out["grad_t_unsqueeze"] = {"y": view(y.detach()), "grad": enc(x.grad)}
    x = a(2, 1, 3).requires_grad_(); y = x.exp(); y = y * 1; y.squeeze_(1); y.transpose_(0, 1); w = a(3, 2) - 2
    (y * w).sum().backward()
    out["grad_squeeze_transpose"] = {"y": view(y.detach()), "grad": enc(x.grad)}
    # errors torch gives
    errs = {}
    for name, fn in {
        "t_3d": lambda: a(2, 3, 4).t_(),
        "leaf": lambda: a(2, 3).requires_grad_().t_(),
        "resize_grad": lambda: (a(2, 3).requires_grad_() * 1).resize_(6),
        "transpose_range": lambda: a(2, 3).transpose_(0, 2),
        "unsqueeze_range": lambda: a(2, 3).unsqueeze_(3),
        "resize_negative": lambda: a(2, 3).resize_(-1, 2),
    }.items():
        try:
            fn()
            errs[name] = None
        except Exception as e:  # noqa: BLE001
            errs[name] = str(e).split("\n")[0]
    out["errors"] = errs
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", default="fixtures")
    args = ap.parse_args()
    write_json(args.out, "view-inplace.json", cases())


if __name__ == "__main__":
    main()
