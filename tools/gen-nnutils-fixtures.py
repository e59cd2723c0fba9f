"""PyTorch oracle for nn.utils' weight norm, spectral norm and pruning (Tensile's nn.utils.weightNorm,
spectralNorm, prune). Run from the repository root with Debian's torch (1.13):

    /usr/bin/python3 tools/gen-nnutils-fixtures.py [--out DIR]

Writes fixtures/nnutils.json (deterministic). Modules get their weights from formulas (the values
are written too), so nothing depends on PyTorch's random streams except spectral norm's initial u
and v, which are written (as u0, v0) for the test to copy into its buffers. Tensors are
{shape, dtype, data} as in the other nn fixtures (test/nn-helpers.ts).

Per case: the state_dict keys after applying the utility, the parameters and buffers it creates,
forward outputs, the gradients of loss = (out * R).sum() with respect to every parameter, and after
the remove function the keys and the weight.
"""
import argparse
import json
import math
import os
import sys

sys.dont_write_bytecode = True

import torchfix.pin_cpu  # noqa: E402,F401  (before torch: the same kernels on every machine)
import torch  # noqa: E402
import torch.nn.utils.prune as prune  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
HEADER = {"generator": "tools/gen-nnutils-fixtures.py", "torch": torch.__version__}
torch.set_num_threads(1)


def enc(t):
    t = t.detach()
    if t.dtype == torch.bool:
        return {"shape": list(t.shape), "dtype": "bool", "data": [int(v) for v in t.reshape(-1).tolist()]}
    dtype = "float64" if t.dtype == torch.float64 else "float32"
    return {"shape": list(t.shape), "dtype": dtype, "data": [float(v) for v in t.reshape(-1).tolist()]}


def formula(shape, k, scale=0.5):
    n = math.prod(shape)
    i = torch.arange(n, dtype=torch.float64)
    return (scale * torch.sin(0.37 * i + 1.3 * k + 0.2)).reshape(shape).float()


def make(kind):
    """Module with formula weights: linear = Linear(4, 3); conv = Conv2d(2, 3, 3); convt = ConvTranspose2d(3, 2, 2)."""
    m = {"linear": lambda: torch.nn.Linear(4, 3), "conv": lambda: torch.nn.Conv2d(2, 3, 3),
         "convt": lambda: torch.nn.ConvTranspose2d(3, 2, 2), "linear2": lambda: torch.nn.Linear(5, 4)}[kind]()
    with torch.no_grad():
        for k, (name, p) in enumerate(m.named_parameters()):
            p.copy_(formula(p.shape, k + (7 if kind == "linear2" else 0)))
    return m


def input_for(kind):
    shape = {"linear": [2, 4], "conv": [2, 2, 5, 5], "convt": [1, 3, 3, 3], "linear2": [2, 5]}[kind]
    return formula(shape, 11, 1.0)


def grads_after(m, out):
    R = formula(list(out.shape), 5, 1.0)
    (out * R).sum().backward()
    return {n: enc(p.grad) for n, p in m.named_parameters()}


def weight_norm_cases():
    cases = []
    for kind, dim in [("linear", 0), ("linear", 1), ("linear", None), ("conv", 0), ("conv", 2)]:
        m = make(kind)
        x = input_for(kind)
        torch.nn.utils.weight_norm(m, dim=dim)
        case = {"module": kind, "dim": dim, "keys": list(m.state_dict().keys()),
                "weight_g": enc(m.weight_g), "weight_v": enc(m.weight_v), "x": enc(x)}
        out = m(x)
        case["out"] = enc(out)
        case["weight"] = enc(m.weight)
        case["grads"] = grads_after(m, out)
        torch.nn.utils.remove_weight_norm(m)
        case["keysAfterRemove"] = list(m.state_dict().keys())
        case["weightAfterRemove"] = enc(m.weight)
        cases.append(case)
    return cases


def spectral_norm_cases():
    cases = []
    for kind, n_power, dim in [("linear", 1, None), ("linear", 3, 1), ("conv", 1, None), ("conv", 2, 1), ("convt", 1, None)]:
        torch.manual_seed(len(cases))
        m = make(kind)
        x = input_for(kind)
        kw = {"n_power_iterations": n_power}
        if dim is not None:
            kw["dim"] = dim
        torch.nn.utils.spectral_norm(m, **kw)
        case = {"module": kind, "nPowerIterations": n_power, "dim": dim, "keys": list(m.state_dict().keys()),
                "u0": enc(m.weight_u), "v0": enc(m.weight_v), "x": enc(x)}
        outs, us, vs = [], [], []
        for step in range(2):
            m.zero_grad()
            out = m(x)
            outs.append(enc(out))
            us.append(enc(m.weight_u))
            vs.append(enc(m.weight_v))
            if step == 0:
                case["grads"] = grads_after(m, out)
                case["weight"] = enc(m.weight)
        case["trainOut"], case["u"], case["v"] = outs, us, vs
        m.eval()
        with torch.no_grad():
            case["evalOut"] = enc(m(x))
        case["uAfterEval"] = enc(m.weight_u)
        torch.nn.utils.remove_spectral_norm(m)
        case["keysAfterRemove"] = list(m.state_dict().keys())
        case["weightAfterRemove"] = enc(m.weight)
        cases.append(case)
    return cases


def prune_cases():
    cases = []

    def record(name, m, x, extra=None):
        case = {"name": name, "keys": list(m.state_dict().keys()),
                "masks": {k: enc(v) for k, v in m.named_buffers() if k.endswith("_mask")}}
        m.zero_grad()
        out = m(x)
        case["out"] = enc(out)
        case["grads"] = grads_after(m, out)
        if extra:
            case.update(extra)
        return case

    # l1, fraction, then again with an integer amount (a PruningContainer), then remove
    m = make("linear")
    x = input_for("linear")
    prune.l1_unstructured(m, "weight", amount=0.3)
    c = record("l1-fraction", m, x)
    c["ops"] = [["l1Unstructured", "weight", 0.3]]
    cases.append(c)
    prune.l1_unstructured(m, "weight", amount=2)
    c = record("l1-twice", m, x)
    c["ops"] = [["l1Unstructured", "weight", 0.3], ["l1Unstructured", "weight", 2]]
    prune.remove(m, "weight")
    c["keysAfterRemove"] = list(m.state_dict().keys())
    c["weightAfterRemove"] = enc(m.weight)
    cases.append(c)

    # bias too, and ln-structured on a conv (dims 0 and 1, norms 2, 1, inf)
    m = make("linear")
    prune.l1_unstructured(m, "weight", amount=0.5)
    prune.l1_unstructured(m, "bias", amount=1)
    c = record("weight-and-bias", m, x)
    c["ops"] = [["l1Unstructured", "weight", 0.5], ["l1Unstructured", "bias", 1]]
    cases.append(c)

    for n, dim, amount in [(2, 0, 0.34), (1, 1, 1), ("inf", -1, 0.5), (2, 0, 1)]:
        m = make("conv")
        xc = input_for("conv")
        prune.ln_structured(m, "weight", amount=amount, n=float("inf") if n == "inf" else n, dim=dim)
        c = record(f"ln-structured-n{n}-dim{dim}-amount{amount}", m, xc)
        c["module"] = "conv"
        c["ops"] = [["lnStructured", "weight", amount, n, dim]]
        cases.append(c)

    # ln-structured after an unstructured pruning (a container mixing both)
    m = make("conv")
    prune.l1_unstructured(m, "weight", amount=0.2)
    prune.ln_structured(m, "weight", amount=1, n=2, dim=0)
    c = record("l1-then-ln", m, input_for("conv"))
    c["module"] = "conv"
    c["ops"] = [["l1Unstructured", "weight", 0.2], ["lnStructured", "weight", 1, 2, 0]]
    cases.append(c)

    # importance scores
    m = make("linear")
    scores = formula([3, 4], 9, 1.0)
    prune.l1_unstructured(m, "weight", amount=0.25, importance_scores=scores)
    c = record("l1-importance-scores", m, x, {"scores": enc(scores)})
    c["ops"] = [["l1Unstructured", "weight", 0.25, "scores"]]
    cases.append(c)

    # identity
    m = make("linear")
    prune.identity(m, "weight")
    c = record("identity", m, x)
    c["ops"] = [["identity", "weight"]]
    cases.append(c)

    # global l1 over two modules (one already pruned)
    a, b = make("linear"), make("linear2")
    prune.l1_unstructured(b, "weight", amount=3)
    prune.global_unstructured([(a, "weight"), (b, "weight"), (a, "bias")], pruning_method=prune.L1Unstructured, amount=0.4)
    cases.append({"name": "global-l1", "keysA": list(a.state_dict().keys()), "keysB": list(b.state_dict().keys()),
                  "masksA": {k: enc(v) for k, v in a.named_buffers()}, "masksB": {k: enc(v) for k, v in b.named_buffers()}})
    return cases


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", default=os.path.join(ROOT, "fixtures"))
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)
    body = {"weightNorm": weight_norm_cases(), "spectralNorm": spectral_norm_cases(), "prune": prune_cases()}
    path = os.path.join(args.out, "nnutils.json")
    with open(path, "w") as f:
        json.dump({**HEADER, **body}, f, separators=(",", ":"), allow_nan=False)
        f.write("\n")
    print("wrote", path, os.path.getsize(path), "bytes")


if __name__ == "__main__":
    main()
