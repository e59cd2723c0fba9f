"""torch side of badctors.mts: runs each case's constructor (and forward) in PyTorch 1.13.

Input: a JSON list of {id, ctor, fwd} (Python expressions; `fwd` reads the constructed object `m`
and is an expression or a statement that rebinds `m`). Output: one JSON line per case,
{"id": ..., "out": "accepts" | "ctor ValueError: ..." | "fwd RuntimeError: ..." | "fwd NaN/inf"}.
Run by `node --import tsx tools/fuzz/badctors.mts --torch` with Debian's /usr/bin/python3.
"""
import json
import math
import sys
import warnings

import torch
import torch.distributions as D
import torch.utils.data as data
from torch import nn

try:
    import torchvision.transforms as T
except ImportError:  # the transform rows then say "ctor NameError"
    T = None

warnings.filterwarnings("ignore")
torch.manual_seed(0)


def short(e):
    return f"{type(e).__name__}: {str(e).splitlines()[0][:140] if str(e) else ''}"


def finite(r):
    rs = r if isinstance(r, (list, tuple)) else [r]
    for t in rs:
        if isinstance(t, torch.Tensor) and t.is_floating_point() and not torch.isfinite(t).all():
            return False
    return True


for case in json.load(open(sys.argv[1])):
    env = {"torch": torch, "nn": nn, "D": D, "data": data, "T": T, "math": math}
    try:
        m = eval(case["ctor"], env)
    except Exception as e:  # noqa: BLE001 - any refusal is the answer
        out = "ctor " + short(e)
    else:
        out = "accepts"
        if case["fwd"]:
            env["m"] = m
            try:
                if case["fwd"].startswith("m = ") or ";" in case["fwd"]:
                    exec(case["fwd"], env)
                    r = env["m"]
                else:
                    r = eval(case["fwd"], env)
                if not finite(r):
                    out = "fwd NaN/inf"
            except Exception as e:  # noqa: BLE001
                out = "fwd " + short(e)
    print(json.dumps({"id": case["id"], "out": out}), flush=True)
