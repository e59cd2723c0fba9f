"""PyTorch oracle for the argument-handling fixes that followed the differential fuzzer
(tools/fuzz/): in-place writes into self-overlapping (expanded) tensors, scatter's reduce=,
conv geometry with huge strides, negative index tensors, chunk of an empty dim, cat's dtype
promotion with legacy empty tensors, group_norm / instance_norm / reflect-pad / quantile edge
cases. Tests in test/fuzz-fixes-args.test.ts. Run from the repository root with Debian's torch (1.13):

    /usr/bin/python3 tools/gen-fuzz-fixes-args-fixtures.py [--out DIR]

Writes fixtures/fuzz-fixes-args.json (deterministic: inputs are written too). Tensors are
{shape, dtype, data} (int64 as int32). An error case records torch's message ("error"); the test
checks that Tensile refuses it too.
"""
import argparse
import json
import os
import sys
import warnings

sys.dont_write_bytecode = True
warnings.filterwarnings("ignore")

import torchfix.pin_cpu  # noqa: E402,F401  (before torch: the same kernels on every machine)
import torch  # noqa: E402
from torchfix.fixio import enc, num  # noqa: E402,F401
import torch.nn.functional as F  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
HEADER = {"generator": "tools/gen-fuzz-fixes-args-fixtures.py", "torch": torch.__version__}
torch.set_num_threads(1)


def err(f):
    try:
        f()
    except Exception as e:  # noqa: BLE001
        return str(e).split("\n")[0]
    return None


# ---- #13: in-place ops on an expanded tensor (base [1] expanded to [5]) ----
def overlap_cases():
    a5 = torch.arange(5.0)
    m = torch.tensor([True, False, True, False, True])
    ops = {
        "add_": lambda x: x.add_(a5), "add_scalar": lambda x: x.add_(1), "mul_": lambda x: x.mul_(2),
        "copy_": lambda x: x.copy_(a5), "exp_": lambda x: x.exp_(), "neg_": lambda x: x.neg_(),
        "relu_": lambda x: x.relu_(), "clamp_": lambda x: x.clamp_(0, 1), "lerp_": lambda x: x.lerp_(a5, 0.5),
        "addcmul_": lambda x: x.addcmul_(a5, a5), "cumsum_": lambda x: x.cumsum_(0),
        "uniform_": lambda x: x.uniform_(), "normal_": lambda x: x.normal_(), "bernoulli_": lambda x: x.bernoulli_(),
        "scatter_": lambda x: x.scatter_(0, torch.tensor([1]), torch.ones(1)),
        "indexAdd_": lambda x: x.index_add_(0, torch.tensor([1]), torch.ones(1)),
        "indexCopy_": lambda x: x.index_copy_(0, torch.tensor([1]), torch.ones(1)),
        "maskedScatter_": lambda x: x.masked_scatter_(m, torch.ones(5)),
        "put_": lambda x: x.put_(torch.tensor([1]), torch.ones(1)),
        # allowed: every element gets the same value
        "fill_": lambda x: x.fill_(2), "zero_": lambda x: x.zero_(),
        "maskedFill_": lambda x: x.masked_fill_(m, 3.0),
        "indexFill_": lambda x: x.index_fill_(0, torch.tensor([1]), 4.0),
        "indexPut_": lambda x: x.index_put_((torch.tensor([1]),), torch.tensor(5.0)),
    }
    out = {}
    for name, f in ops.items():
        b = torch.zeros(1)
        e = err(lambda: f(b.expand(5)))
        out[name] = {"error": e, "base": None if e else enc(b)}
    # a zero stride on a size-1 dim is no overlap; unfold windows sharing elements are "too hard" for torch: allowed
    b = torch.zeros(1)
    b.expand(1, 1).add_(1)
    u = torch.arange(6.0)
    u.unfold(0, 3, 1).add_(1)
    out["sizeOne"] = {"base": enc(b)}
    out["unfold"] = {"base": enc(u)}
    b = torch.zeros(1, 2)
    out["tril_"] = {"error": err(lambda: b.expand(2, 2).tril_())}
    return out


# ---- #10: scatter(..., reduce=) ----
def scatter_cases():
    cases = []
    x = torch.tensor([1.0, 1.0, 1.0])
    i = torch.tensor([0, 0, 2])
    s = torch.tensor([5.0, 6.0, 7.0])
    for red in ("add", "multiply"):
        cases.append({"x": enc(x), "dim": 0, "index": enc(i), "src": enc(s), "reduce": red, "out": enc(torch.scatter(x, 0, i, s, reduce=red))})
        cases.append({"x": enc(x), "dim": 0, "index": enc(i), "value": 2.0, "reduce": red, "out": enc(torch.scatter(x, 0, i, 2.0, reduce=red))})
    X = torch.arange(1.0, 7.0).reshape(2, 3).double()
    I2 = torch.tensor([[2, 0], [1, 1]])
    S2 = torch.tensor([[2.0, 3.0, 4.0], [5.0, 6.0, 7.0]]).double()
    for red in ("add", "multiply"):
        cases.append({"x": enc(X), "dim": 1, "index": enc(I2), "src": enc(S2), "reduce": red, "out": enc(torch.scatter(X, 1, I2, S2, reduce=red))})
        cases.append({"x": enc(X), "dim": -2, "index": enc(I2 % 2), "src": enc(S2), "reduce": red, "out": enc(torch.scatter(X, -2, I2 % 2, S2, reduce=red))})
    xi = torch.tensor([1, 1, 1], dtype=torch.int32)
    cases.append({"x": enc(xi), "dim": 0, "index": enc(i), "value": 2.5, "reduce": "add", "out": enc(torch.scatter(xi, 0, i, 2.5, reduce="add"))})
    cases.append({"x": enc(xi), "dim": 0, "index": enc(i), "value": 3, "reduce": "multiply", "out": enc(torch.scatter(xi, 0, i, 3, reduce="multiply"))})
    xb, sb = torch.tensor([True, False, True]), torch.tensor([True, True, False])
    for red in ("add", "multiply"):
        cases.append({"x": enc(xb), "dim": 0, "index": enc(i), "src": enc(sb), "reduce": red, "out": enc(torch.scatter(xb, 0, i, sb, reduce=red))})
    return {"cases": cases, "badReduce": err(lambda: torch.scatter(x, 0, i, s, reduce="mean")),
            "noGrad": err(lambda: torch.scatter(x.clone().requires_grad_(), 0, i, s, reduce="add").sum().backward())}


# ---- #12: conv geometry beyond int32 ----
def conv_cases():
    x, w = torch.arange(16.0).reshape(1, 1, 4, 4), torch.tensor([[[[1.0, 2.0], [3.0, 4.0]]]])
    x1, w1 = torch.arange(5.0).reshape(1, 1, 5), torch.tensor([[[1.0, -1.0]]])
    return {
        "conv2d": {"x": enc(x), "w": enc(w), "stride": 2 ** 32, "out": enc(F.conv2d(x, w, stride=2 ** 32))},
        "conv2dPad": {"x": enc(x), "w": enc(w), "stride": [2 ** 40, 1], "padding": 1, "out": enc(F.conv2d(x, w, stride=[2 ** 40, 1], padding=1))},
        "conv1d": {"x": enc(x1), "w": enc(w1), "stride": 2 ** 40, "out": enc(F.conv1d(x1, w1, stride=2 ** 40))},
        "conv1dK1": {"x": enc(x1), "w": enc(w1[:, :, :1]), "dilation": 2 ** 40, "out": enc(F.conv1d(x1, w1[:, :, :1], dilation=2 ** 40))},
        # torch's own conv_transpose truncates a stride >= 2^31 ("stride_width: 0"): 2^30 here, the
        # test gives Tensile 2^40 too (one input position: the stride moves nothing)
        "convT1d": {"x": enc(torch.tensor([[[2.0]]])), "w": enc(w1), "stride": 2 ** 30,
                    "out": enc(F.conv_transpose1d(torch.tensor([[[2.0]]]), w1, stride=2 ** 30))},
    }


# ---- #15: negative index tensors ----
def index_cases():
    x = torch.tensor([1.0, 2.0, 3.0])
    X = torch.arange(6.0).reshape(2, 3)
    neg = torch.tensor([-1])
    out = {
        "x": enc(x), "X": enc(X),
        "index": enc(x[neg]), "index2": enc(X[:, torch.tensor([-1, 0, -3])]), "indexRow": enc(X[torch.tensor([-2])]),
        "indexFill": enc(x.index_fill(0, neg, 0)), "indexFill2": enc(X.index_fill(1, torch.tensor([-1, 0, 2]), -5)),
        "take": enc(x.take(neg)), "indexPut": enc(x.index_put((neg,), torch.tensor(9.0))),
        "outOfRange": err(lambda: x[torch.tensor([-4])]), "indexFillOutOfRange": err(lambda: x.index_fill(0, torch.tensor([-4]), 0)),
    }
    refused = {
        "indexSelect": lambda: torch.index_select(x, 0, neg), "indexAdd": lambda: x.index_add(0, neg, torch.ones(1)),
        "indexCopy": lambda: x.index_copy(0, neg, torch.ones(1)), "gather": lambda: x.gather(0, neg),
        "scatter": lambda: x.scatter(0, neg, torch.ones(1)), "scatterAdd": lambda: x.scatter_add(0, neg, torch.ones(1)),
        "takeAlongDim": lambda: torch.take_along_dim(x, neg, 0),
    }
    out["refused"] = {k: err(f) for k, f in refused.items()}
    return out


# ---- #16, #22 and the small ones ----
def misc_cases():
    chunks = []
    for shape, c, dim in [([0], 4, 0), ([0, 3], 4, 0), ([3], 4, 0), ([5], 4, 0), ([2, 0], 3, 1), ([0, 3], 4, 1)]:
        chunks.append({"shape": shape, "chunks": c, "dim": dim, "shapes": [list(p.shape) for p in torch.zeros(shape).chunk(c, dim)]})
    cats = []
    for specs in [[([2], "float32"), ([0], "float64")], [([2], "int32"), ([0], "float64")], [([2, 2], "float32"), ([0], "float64")],
                  [([2, 2], "bool"), ([0], "int32")], [([0], "float32"), ([0], "float64")]]:
        ts = [torch.ones(s, dtype=getattr(torch, d)) for s, d in specs]
        r = torch.cat(ts)
        cats.append({"inputs": [{"shape": s, "dtype": d} for s, d in specs], "dtype": str(r.dtype).replace("torch.", ""), "shape": list(r.shape)})
    xi = torch.tensor([[0.5, -1.0, 2.0], [3.0, 0.25, -0.5]]).double()
    rm, rv = torch.tensor([0.1, -0.2, 0.3]).double(), torch.tensor([1.5, 0.5, 2.0]).double()
    g2 = torch.tensor([[1.0, 3.0], [2.0, -1.0]])
    inf = float("inf")
    qx = torch.tensor([[inf, 1.0, inf], [-inf, -inf, 2.0], [0.5, inf, -inf]])
    mx = torch.tensor([[inf, 0.0625], [0.125, -inf], [1.0, 2.0], [-inf, inf]])
    return {
        "chunk": chunks, "cat": cats,
        "instanceNorm2d": {"x": enc(xi), "rm": enc(rm), "rv": enc(rv), "out": enc(F.instance_norm(xi, rm, rv, use_input_stats=False))},
        "instanceNorm2dTraining": err(lambda: F.instance_norm(xi, rm, rv, use_input_stats=True)),
        "groupNorm": {"errors": {
            "1x1": err(lambda: F.group_norm(torch.ones(1, 1), 1)), "1x2x1": err(lambda: F.group_norm(torch.ones(1, 2, 1), 2))},
            "x": enc(g2), "out": enc(F.group_norm(g2, 1))},
        "padReflect": {"errors": {
            "reflect": err(lambda: F.pad(torch.ones(2, 1, 1), [0, -1], "reflect")),
            "reflect3": err(lambda: F.pad(torch.ones(2, 1, 3), [-2, -1], "reflect")),
            "replicate3": err(lambda: F.pad(torch.ones(2, 1, 3), [-2, -1], "replicate"))},
            "okShape": list(F.pad(torch.ones(1, 1, 3, 3), [0, 0, -2, -1], "reflect").shape),
            "constant": {"errors": {
                "w1": err(lambda: F.pad(torch.ones(2, 1, 0, 1), [0, -1, 0, 1])),
                "w4": err(lambda: F.pad(torch.ones(3, 4), [-2, -2, -3, 4], value=1.5)),
                "empty": err(lambda: F.pad(torch.ones(2, 0), [0, 0, 1, 1]))},
                "okShapes": {"crop": list(F.pad(torch.ones(3, 4), [-2, -2]).shape), "empty": list(F.pad(torch.ones(2, 0), [0, 0]).shape),
                             "emptyPadded": list(F.pad(torch.ones(2, 0), [1, 0]).shape)}}},
        "quantileInf": {"x": enc(qx), **{m: enc(torch.quantile(qx, 1.0, dim=1, keepdim=True, interpolation=m))
                                           for m in ("lower", "higher", "nearest", "linear", "midpoint")},
                        "q": enc(torch.tensor([0.0, 0.4, 1.0])),
                        "multi": enc(torch.quantile(qx, torch.tensor([0.0, 0.4, 1.0]), dim=1, interpolation="nearest"))},
        # torch's two-sided lerp between the two sorted neighbours: [0.0625, inf] at weight 0.5 is inf - inf = NaN
        "quantileLerp": {"x": enc(mx), **{f"{m}_{int(q * 100)}": enc(torch.quantile(mx, q, dim=1, interpolation=m))
                                          for m in ("linear", "midpoint") for q in (0.25, 0.5, 0.75)}},
        "quantile": {"empty": err(lambda: torch.quantile(torch.zeros(0), 0.5)),
                     "emptyOther": err(lambda: torch.quantile(torch.zeros(0, 2), 0.5, dim=1))},
        "lerp_": err(lambda: torch.zeros(2).lerp_(torch.ones(2, dtype=torch.float64), 0.5)),
        "tril": err(lambda: torch.ones(2, 2).tril(1.5)),
        "split": err(lambda: torch.ones(3).split(1.5)),
    }


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", default=os.path.join(ROOT, "fixtures"))
    a = ap.parse_args()
    data = {**HEADER, "overlap": overlap_cases(), "scatter": scatter_cases(), "conv": conv_cases(),
            "index": index_cases(), "misc": misc_cases()}
    path = os.path.join(a.out, "fuzz-fixes-args.json")
    with open(path, "w") as f:
        json.dump(data, f, indent=1)
        f.write("\n")
    print("wrote", path)


if __name__ == "__main__":
    main()
