"""torch 1.13 oracle for what the nn.Module random-sequence tester (tools/fuzz/module-fuzz.py +
module-fuzz.mts) found: register_parameter / add_module / register_buffer over an attribute of
another kind (a child, a parameter, `training`, `forward`) are refused; `double()` keeps parameters
tied inside the converted module; `seq[i:j]` keeps the children's keys; `Sequential.insert` with a
negative index inserts as Python's list.insert; Sequential pop/del/setitem/+ and ModuleList
setitem/del/slice; the order of unexpected keys; `double()` casting `.grad`. Tests in test/nn-module-fuzz-fixes.test.ts. Run
from the repository root with Debian's torch (1.13):

    /usr/bin/python3 tools/gen-module-fuzz-fixes-fixtures.py [--out DIR]

Writes fixtures/module-fuzz-fixes.json.
"""
import argparse
import os
import sys

sys.dont_write_bytecode = True

import torchfix.pin_cpu  # noqa: E402,F401  (before torch: the same kernels on every machine)
import torch  # noqa: E402
import torch.nn as nn  # noqa: E402
from torchfix.fixio import enc, write_json  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
HEADER = {"generator": "tools/gen-module-fuzz-fixes-fixtures.py", "torch": torch.__version__}


def outcome(fn):
    try:
        fn()
        return {"ok": True}
    except Exception as e:  # noqa: BLE001
        return {"error": type(e).__name__, "msg": str(e)}


def registration():
    """[kind of existing member, name, what is registered] -> refused or not, on a module with a
    child `c` (Linear(2, 2)), a parameter `p`, a buffer `b` and the attributes `training`/`forward`."""
    cases = []
    for existing in ["c", "p", "b", "training", "forward", "free"]:
        for kind in ["param", "module", "buffer"]:
            m = nn.Module()
            m.c = nn.Linear(2, 2)
            m.p = nn.Parameter(torch.ones(2))
            m.register_buffer("b", torch.zeros(2))
            if kind == "param":
                r = outcome(lambda: m.register_parameter(existing, nn.Parameter(torch.ones(3))))
            elif kind == "module":
                r = outcome(lambda: m.add_module(existing, nn.ReLU()))
            else:
                r = outcome(lambda: m.register_buffer(existing, torch.ones(3)))
            cases.append({"name": existing, "kind": kind, **r, "state": list(m.state_dict().keys()) if "ok" in r else None})
    return cases


def tied_double():
    """A Linear whose weight is also registered on its parent, the tie inside `double()`'s module."""
    torch.manual_seed(0)
    m = nn.Module()
    m.lin = nn.Linear(2, 2)
    m.lin2 = nn.Linear(2, 2)
    m.lin2.weight = m.lin.weight
    m.register_buffer("buf", torch.arange(3.0))
    m.double()
    names = [n for n, _ in m.named_parameters()]
    return {"names": names, "dtypes": [str(p.dtype).replace("torch.", "") for _, p in m.named_parameters()],
            "tied": m.lin.weight is m.lin2.weight, "sd": list(m.state_dict().keys()),
            "buf": enc(m.buf)}


def sequential():
    s = nn.Sequential(nn.Linear(1, 1), nn.ReLU(), nn.Tanh(), nn.Sigmoid())
    out = {}
    for i, j in [(1, 3), (-2, None), (None, 2), (2, 1)]:
        t = s[slice(i, j)]
        out[f"{i}:{j}"] = [[k, type(v).__name__] for k, v in t._modules.items()]
    ins = {}
    for idx in [-1, -4, 0, 4]:
        t = nn.Sequential(nn.Linear(1, 1), nn.ReLU(), nn.Tanh(), nn.Sigmoid())
        t.insert(idx, nn.ELU())
        ins[str(idx)] = [[k, type(v).__name__] for k, v in t._modules.items()]
    bad = {}
    for idx in [-5, 5]:
        t = nn.Sequential(nn.Linear(1, 1), nn.ReLU(), nn.Tanh(), nn.Sigmoid())
        bad[str(idx)] = outcome(lambda: t.insert(idx, nn.ELU()))
    return {"slices": out, "insert": ins, "insertBad": bad}


def containers():
    """Sequential pop/del/setitem/+ (named keys renumbered by del) and ModuleList setitem/del/slice."""
    from collections import OrderedDict
    names = lambda m: [[k, type(v).__name__] for k, v in m._modules.items()]  # noqa: E731
    mk = lambda: nn.Sequential(nn.Linear(1, 1), nn.ReLU(), nn.Tanh(), nn.Sigmoid())  # noqa: E731
    out = {}
    s = mk()
    out["popped"] = type(s.pop(1)).__name__
    out["afterPop"] = names(s)
    s = mk()
    del s[-1]
    out["afterDel"] = names(s)
    s = mk()
    s[-2] = nn.ELU()
    out["afterSet"] = names(s)
    out["concat"] = names(mk() + nn.Sequential(nn.ELU()))
    named = nn.Sequential(OrderedDict([("conv", nn.Linear(1, 1)), ("act", nn.ReLU()), ("out", nn.Tanh())]))
    named[1] = nn.ELU()
    out["namedSet"] = names(named)
    del named[0]
    out["namedDel"] = names(named)
    ml = nn.ModuleList([nn.Linear(1, 1), nn.ReLU(), nn.Tanh()])
    ml[-1] = nn.ELU()
    out["listSet"] = names(ml)
    out["listSlice"] = names(ml[1:])
    del ml[0]
    out["listDel"] = names(ml)
    return out


def unexpected_order():
    """The order of unexpected keys: by the module that reports them (pre-order), then the dict's order."""
    m = nn.Module()
    m.a = nn.Linear(1, 1)
    m.b = nn.Sequential(nn.Linear(1, 1))
    sd = dict(m.state_dict())
    for k in ["b.0.zz", "a.zz", "zz", "b.yy", "a.yy"]:
        sd[k] = torch.ones(1)
    res = m.load_state_dict(sd, strict=False)
    err = outcome(lambda: m.load_state_dict(sd, strict=True))
    return {"given": list(sd.keys()), "unexpected": list(res.unexpected_keys), "strictMsg": err["msg"]}


def double_keeps_grad():
    """`double()` casts `.grad` too (PyTorch's `_apply`)."""
    lin = nn.Linear(2, 1)
    with torch.no_grad():
        lin.weight.copy_(torch.tensor([[0.5, -0.25]]))
        lin.bias.fill_(0.125)
    x = torch.tensor([[1.0, 2.0], [3.0, -1.0]])
    lin(x).pow(2).sum().backward()
    lin.double()
    return {"x": enc(x), "weightGrad": enc(lin.weight.grad), "biasGrad": enc(lin.bias.grad)}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", default=os.path.join(ROOT, "fixtures"))
    a = ap.parse_args()
    write_json(a.out, "module-fuzz-fixes.json", {**HEADER, "registration": registration(), "tiedDouble": tied_double(), "sequential": sequential(),
                                                        "containers": containers(), "unexpectedOrder": unexpected_order(), "doubleGrad": double_keeps_grad()})


if __name__ == "__main__":
    main()
