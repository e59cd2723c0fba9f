"""PyTorch oracle for the fixes that followed the third differential-fuzzing pass (tools/fuzz/ families
norm, convt, index2, cum): advanced indexing with several / multi-dim index tensors and masks,
unique(dim=), diff(n=0) with prepend/append, batch/instance norm with no values per channel and with
eps = 0 on a constant channel, torch.norm(p=inf) over an empty dim, searchsorted(sorter=). Tests in test/fuzz-fixes-3.test.ts. Run from the repository root with
Debian's torch (1.13):

    /usr/bin/python3 tools/gen-fuzz-fixes-3-fixtures.py [--out DIR]

Writes fixtures/fuzz-fixes-3.json (deterministic: inputs are written too). Tensors are
{shape, dtype, data} (int64 as int32, see tools/torchfix/fixio.py). An error case records torch's
message; the test checks that Tensile refuses it too.
"""
import argparse
import os
import sys
import warnings

sys.dont_write_bytecode = True
warnings.filterwarnings("ignore")

import torchfix.pin_cpu  # noqa: E402,F401  (before torch: the same kernels on every machine)
import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402
from torchfix.fixio import enc, write_json  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
HEADER = {"generator": "tools/gen-fuzz-fixes-3-fixtures.py", "torch": torch.__version__}
torch.set_num_threads(1)


def err(f):
    try:
        f()
    except Exception as e:  # noqa: BLE001
        return str(e).split("\n")[0]
    return None


def gw(shape, dtype=torch.float64):
    """The output gradient the tests use: ((k*7) % 11 - 5) / 4 over the output, row-major."""
    n = 1
    for d in shape:
        n *= d
    return torch.tensor([((k * 7) % 11 - 5) / 4 for k in range(n)], dtype=dtype).reshape(shape)


# ---- advanced indexing: several index tensors (broadcast), multi-dim ones, k-D masks ----
def index_cases():
    t = lambda v: torch.tensor(v)  # noqa: E731
    m23 = torch.tensor([[True, False, True], [False, False, True]])
    m34 = torch.tensor([[True, False, False, True], [False, True, False, False], [False, False, False, True]])
    specs = {
        "front": [t([0, 1, 1]), ":", t([3, -2, 0])],            # not adjacent: the index dims lead
        "adjacent": [":", t([[0], [2]]), t([1, 3])],            # adjacent, broadcast [2, 1] x [2]
        "twoD": [t([[1, 0], [0, 0]])],                          # one 2-D index tensor
        "mask2": [m23],                                         # a 2-D mask over dims 0, 1
        "mask2mid": [":", m34],                                 # a 2-D mask over dims 1, 2
        "zeroD": [t(1), ":", t([0, 2])],                        # a 0-d int tensor selects
        "newAxis": [None, t([0, 1]), "1:", t([1, 1])],          # None in between: not adjacent
        "dup": [t([0, 0, 1]), t([2, 2, 2])],                    # repeated positions: gradients add up
        "ellipsis": ["...", t([0, 3, 3])],
        "negative": [t([-1, -2]), t([[-3], [0]])],
        "sliced": ["::2", t([2, 0]), "1:"],
        "mixed": [t([1, 0]), m34[0:1, :3].reshape(3), ":"],     # an int index and a 1-D mask
    }

    def item(it):
        if isinstance(it, torch.Tensor):
            return {"t": enc(it)}
        return it

    def py(it):
        if isinstance(it, str) and ":" in it:
            return slice(*[int(p) if p else None for p in it.split(":")])
        if it == "...":
            return Ellipsis
        return it

    out = {}
    for name, items in specs.items():
        x = torch.arange(24, dtype=torch.float64).reshape(2, 3, 4).mul(0.5).sub(3).requires_grad_()
        y = x[tuple(py(i) for i in items)]
        y.backward(gw(list(y.shape)))
        out[name] = {"items": [item(i) for i in items], "out": enc(y), "grad": enc(x.grad)}
    z = torch.zeros(2, 0, 3)
    out["emptyDim"] = {"out": enc(z[t([1, 0]), :, t([2, 2])])}
    # an out-of-range entry that broadcasting leaves unread: no error
    out["emptyBroadcast"] = {"out": enc(torch.zeros(2, 3)[t([5]), torch.zeros(0, dtype=torch.long)]),
                             "emptySlice": enc(torch.zeros(1, 3)[1:, t([5])])}
    out["errors"] = {
        "oob": err(lambda: torch.zeros(2, 3)[t([0, 1]), t([3, 0])]),
        "broadcast": err(lambda: torch.zeros(2, 3)[t([0, 1]), t([0, 1, 2])]),
        "maskShape": err(lambda: torch.zeros(2, 3)[torch.ones(3, 2, dtype=torch.bool)]),
    }
    return out


# ---- unique(dim=) ----
def unique_cases():
    a = torch.tensor([[1, 2, 3], [0, 5, 1], [1, 2, 3], [0, 5, 0], [0, 5, 1]], dtype=torch.int32)
    f = torch.tensor([[[0.5, -1.0], [2.0, 0.0]], [[0.5, -1.0], [2.0, -3.0]], [[0.5, -1.0], [2.0, 0.0]]], dtype=torch.float64)
    cases = []
    # torch compares the slices of x.transpose(0, dim), not of x.movedim(dim, 0): the order differs for 3-D
    g = torch.tensor([1, 1, -2, -1, 1, 1, 1, -2, 2, 1, -2, 2, 2, -1, 0, 2, 2, 2, 1, 0, -1, -1, 2, 1], dtype=torch.int32).reshape(2, 4, 3)
    for x, d in ((a, 0), (a, 1), (a, -1), (f, 0), (f, 2), (f, -2), (g, -1), (g, 1), (torch.zeros(0, 2), 0)):
        v, inv, cnt = torch.unique(x, sorted=True, return_inverse=True, return_counts=True, dim=d)
        cases.append({"x": enc(x), "dim": d, "values": enc(v), "inverse": enc(inv), "counts": enc(cnt)})
    return {"cases": cases, "errors": {"zeroOther": err(lambda: torch.unique(torch.zeros(0, 2), dim=1)),
                                       "scalar": err(lambda: torch.unique(torch.tensor(1.0), dim=0))}}


# ---- diff(n=0) with prepend / append ----
def diff_cases():
    x = torch.tensor([[1.0, 4.0, 2.0], [0.5, -1.0, 3.0]])
    p = torch.tensor([[9.0], [8.0]])
    return {"x": enc(x), "p": enc(p),
            "n0": enc(torch.diff(x, n=0, dim=1, prepend=p, append=p)),
            "n1": enc(torch.diff(x, n=1, dim=1, prepend=p, append=p)),
            "badPrepend": err(lambda: torch.diff(x, n=0, dim=1, prepend=torch.ones(3, 1)))}


# ---- batch / instance norm: no values per channel; eps = 0 on a constant channel ----
def norm_cases():
    out = {}
    rm0, rv0 = torch.tensor([1.0, 2.0, 3.0], dtype=torch.float64), torch.tensor([0.5, 1.5, 2.5], dtype=torch.float64)
    for name, shape in (("batch0", [0, 3]), ("spatial0", [2, 3, 0]), ("both0", [0, 3, 2, 0])):
        x = torch.zeros(shape, dtype=torch.float64, requires_grad=True)
        w = torch.tensor([1.5, -2.0, 0.5], dtype=torch.float64, requires_grad=True)
        b = torch.tensor([0.25, 0.5, -1.0], dtype=torch.float64, requires_grad=True)
        rm, rv = rm0.clone(), rv0.clone()
        y = F.batch_norm(x, rm, rv, w, b, training=True, momentum=0.5)
        y.sum().backward()
        out[name] = {"shape": shape, "out": enc(y), "rm": enc(rm), "rv": enc(rv), "w": enc(w), "b": enc(b),
                     "gw": enc(w.grad), "gb": enc(b.grad)}
    x = torch.zeros(2, 3, 0, dtype=torch.float64)
    rm, rv = rm0.clone(), rv0.clone()
    out["instance0"] = {"out": enc(F.instance_norm(x, rm, rv, use_input_stats=True, momentum=0.5)), "rm": enc(rm), "rv": enc(rv)}
    # keyword-only weight/bias, no running statistics (Tensile took the options object for runningMean)
    xk = torch.tensor([[[1.0, -2.0, 0.5], [3.0, 1.0, 2.0]]], dtype=torch.float64)
    wk, bk = torch.tensor([2.0, -1.0], dtype=torch.float64), torch.tensor([0.5, 0.25], dtype=torch.float64)
    out["instanceKw"] = {"x": enc(xk), "w": enc(wk), "b": enc(bk), "out": enc(F.instance_norm(xk, weight=wk, bias=bk, eps=0.01))}
    out["errors"] = {
        "bn1": err(lambda: F.batch_norm(torch.zeros(1, 3), None, None, training=True)),
        "bn1sp": err(lambda: F.batch_norm(torch.zeros(1, 3, 1, 1), None, None, training=True)),
        "in1": err(lambda: F.instance_norm(torch.zeros(2, 3, 1))),
    }
    # eps = 0, a constant channel (batch norm) / plane (instance norm): 1/sqrt(0) is taken as 0
    xb = torch.tensor([[2.0, 1.0], [2.0, -3.0], [2.0, 0.5]], dtype=torch.float64, requires_grad=True)
    w = torch.tensor([1.5, -0.5], dtype=torch.float64, requires_grad=True)
    b = torch.tensor([0.25, 2.0], dtype=torch.float64, requires_grad=True)
    rm, rv = torch.zeros(2, dtype=torch.float64), torch.ones(2, dtype=torch.float64)
    y = F.batch_norm(xb, rm, rv, w, b, training=True, momentum=0.5, eps=0.0)
    y.backward(gw([3, 2]))
    out["eps0batch"] = {"x": enc(xb), "w": enc(w), "b": enc(b), "out": enc(y), "rm": enc(rm), "rv": enc(rv),
                        "gx": enc(xb.grad), "gw": enc(w.grad), "gb": enc(b.grad)}
    xi = torch.tensor([[[1.0, 1.0, 1.0], [0.5, -1.0, 2.0]]], dtype=torch.float64, requires_grad=True)
    bi = torch.tensor([0.75, -0.25], dtype=torch.float64, requires_grad=True)
    y = F.instance_norm(xi, bias=bi, eps=0.0)
    y.backward(gw([1, 2, 3]))
    out["eps0instance"] = {"x": enc(xi), "b": enc(bi), "out": enc(y), "gx": enc(xi.grad), "gb": enc(bi.grad)}
    return out


# ---- torch.norm with p = ±inf over an empty dim: 0 (F.normalize of an empty tensor) ----
def misc_cases():
    inf = float("inf")
    return {"normInf": {str(list(s)): enc(torch.zeros(s).norm(p, len(s) - 1, True)) for s in ((0,), (2, 0), (0, 2)) for p in (inf,)},
            "normNegInf": enc(torch.zeros(2, 0).norm(-inf, 1)),
            "normalizeEmpty": list(F.normalize(torch.zeros(0), inf, -1).shape),
            "sorter": sorter_cases(),
            # histc's own range (min = max = 0) of data holding NaN is NaN: refused (Tensile skipped the NaN)
            "histcNan": err(lambda: torch.histc(torch.tensor([1.0, float("nan"), 2.0]), 4)),
            "histcInf": err(lambda: torch.histc(torch.tensor([1.0, inf, 2.0]), 4))}


# ---- searchsorted(sorter=): Tensile refused the option ----
def sorter_cases():
    s1, st1 = torch.tensor([3.0, 1.0, 2.0, 2.0]), torch.tensor([1, 2, 3, 0])
    v1 = torch.tensor([2.0, 0.5, 3.5, 1.0, 3.0])
    s2 = torch.tensor([[4.0, -1.0, 0.5], [2.0, 2.0, -3.0]])
    st2 = torch.argsort(s2, dim=-1, stable=True)
    v2 = torch.tensor([[0.5, 5.0], [2.0, -4.0]])
    out = {"s1": enc(s1), "st1": enc(st1), "v1": enc(v1), "s2": enc(s2), "st2": enc(st2), "v2": enc(v2)}
    for side in ("left", "right"):
        out[f"r1_{side}"] = enc(torch.searchsorted(s1, v1, side=side, sorter=st1))
        out[f"r2_{side}"] = enc(torch.searchsorted(s2, v2, side=side, sorter=st2))
    out["badSize"] = err(lambda: torch.searchsorted(s1, v1, sorter=st1[:2]))
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", default=os.path.join(ROOT, "fixtures"))
    a = ap.parse_args()
    data = {**HEADER, "index": index_cases(), "unique": unique_cases(), "diff": diff_cases(), "norm": norm_cases(),
            "misc": misc_cases()}
    write_json(a.out, "fuzz-fixes-3.json", data)


if __name__ == "__main__":
    main()
