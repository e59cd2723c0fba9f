#!/usr/bin/python3
"""PyTorch side of the torch.save fixtures (fixtures/torchsave/), read by test/io-torchsave.test.ts.

Run with Debian's torch:   /usr/bin/python3 tools/gen-torchsave-fixtures.py [--out DIR]
--out writes elsewhere (to cmp against the committed files: torch.save is deterministic here,
storage keys are numbered in order and the ZIP entries carry no timestamps).

Writes, each .pt with torch.save (PyTorch's default zip format, pickle protocol 2):
  mlp.pt               Sequential(Linear(4, 3), ReLU, Linear(3, 2)).state_dict(), torch.manual_seed(0)
  checkpoint.pt        {"model", "optimizer" (SGD with momentum after one step: int keys in "state"),
                        "epoch", "loss", "name", "nothing", "flags", "nested" (dict, list, tuple,
                        an int beyond 2^53, negative ints, floats)}
  dtypes.pt            one tensor per dtype (float32 ... bool), a 0-d tensor, an empty tensor, a
                       transposed view, a slice and its whole tensor sharing one storage, a
                       Parameter, one tensor under two keys, a 5-d tensor
  protocol4.pt         a dict saved with pickle_protocol=4 (its opcodes; a dict with tuple and None keys)
  int64-overflow.pt    an int64 tensor with a value beyond int32
  legacy.pt            a dict (mlp's state dict, a slice sharing a storage, int64, float16, a tuple) saved
                       with _use_new_zipfile_serialization=False (the pre-1.6 format)
  numpy-global.pt      a dict holding a numpy array (the global numpy.core.multiarray._reconstruct)
  expected.json        every file's contents described exactly (see `describe`), and the MLP's output
                       for a fixed input

`describe` writes a value so that types survive JSON: {"$tensor": {dtype, shape, data}} (data
flattened, C order; floats as numbers or "nan"/"inf"/"-inf"), {"$dict": [[key, value], ...]}
(keys described too, in order), {"$list": [...]}, {"$tuple": [...]}, {"$int": "decimal"},
{"$float": number or "nan"/"inf"/"-inf"/"-0"}; str, bool and None as themselves.
"""
import argparse
import json
import math
import os
from collections import OrderedDict

import numpy as np
import torchfix.pin_cpu  # noqa: E402,F401  (before torch: the same kernels on every machine)
import torch
from torch import nn

FIXTURES = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "fixtures", "torchsave"))


def num(x: float):
    if math.isnan(x):
        return "nan"
    if math.isinf(x):
        return "inf" if x > 0 else "-inf"
    if x == 0 and math.copysign(1, x) < 0:
        return "-0"
    return x


def describe(v):
    if isinstance(v, torch.Tensor):
        flat = v.detach().reshape(-1).tolist()
        data = [x if isinstance(x, (bool, int)) else num(x) for x in flat]
        return {"$tensor": {"dtype": str(v.dtype).replace("torch.", ""), "shape": list(v.shape), "data": data}}
    if isinstance(v, dict):
        return {"$dict": [[describe(k), describe(x)] for k, x in v.items()]}
    if isinstance(v, list):
        return {"$list": [describe(x) for x in v]}
    if isinstance(v, tuple):
        return {"$tuple": [describe(x) for x in v]}
    if isinstance(v, bool) or v is None or isinstance(v, str):
        return v
    if isinstance(v, int):
        return {"$int": str(v)}
    if isinstance(v, float):
        return {"$float": num(v)}
    raise TypeError(f"cannot describe {type(v)}")


def save_legacy(obj, file: str) -> None:
    """torch.save(obj, file, _use_new_zipfile_serialization=False), made reproducible: the legacy
    format names storages by memory address and writes them in the string order of those names, so
    the keys are renamed to fixed-width sequence numbers (in order of first use) and the storage
    records reordered to match. The legacy format has no offsets, so the file stays valid."""
    import io
    import pickle
    torch.save(obj, file, _use_new_zipfile_serialization=False)
    data = open(file, "rb").read()
    f = io.BytesIO(data)
    for _ in range(3):  # magic number, protocol version, sys info
        pickle.load(f)
    start = f.tell()
    found = []

    class Keys(pickle.Unpickler):
        def persistent_load(self, pid):
            found.append((pid[2], pid[1]().element_size()))

        def find_class(self, module, name):
            if module == "torch" and name.endswith("Storage"):
                return getattr(torch, name)
            if module.startswith("torch"):
                return lambda *a, **k: None
            return pickle.Unpickler.find_class(self, module, name)

    Keys(f).load()
    obj_pickle = data[start:f.tell()]
    keys = pickle.load(f)
    sizes = dict(found)
    blocks = {}
    for key in keys:
        n = int.from_bytes(f.read(8), "little")
        blocks[key] = n.to_bytes(8, "little") + f.read(n * sizes[key])
    assert f.read() == b""
    enc = lambda k: b"X" + len(k).to_bytes(4, "little") + k.encode()  # noqa: E731
    rename = {key: str(i).zfill(20) for i, key in enumerate(dict.fromkeys(k for k, _ in found))}
    for old, new in rename.items():
        obj_pickle = obj_pickle.replace(enc(old), enc(new))
    order = sorted(rename, key=lambda k: rename[k])
    out = data[:start] + obj_pickle + pickle.dumps([rename[k] for k in order], protocol=2) + b"".join(blocks[k] for k in order)
    open(file, "wb").write(out)
    assert describe(torch.load(file)) == describe(obj)


def mlp():
    torch.manual_seed(0)
    return nn.Sequential(nn.Linear(4, 3), nn.ReLU(), nn.Linear(3, 2))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", default=FIXTURES)
    out = ap.parse_args().out
    os.makedirs(out, exist_ok=True)
    path = lambda name: os.path.join(out, name)  # noqa: E731
    expected = {"torch": torch.__version__}

    # MLP state dict and its output for a fixed input.
    model = mlp()
    torch.save(model.state_dict(), path("mlp.pt"))
    x = torch.linspace(-2, 2, 12).reshape(3, 4)
    with torch.no_grad():
        y = model(x)
    expected["mlp.pt"] = describe(torch.load(path("mlp.pt")))
    expected["mlp_input"] = describe(x)
    expected["mlp_output"] = describe(y)

    # A training checkpoint: model, SGD(momentum) after one step, and plain Python values.
    opt = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    loss = model(x).pow(2).mean()
    loss.backward()
    opt.step()
    ckpt = {
        "model": model.state_dict(),
        "optimizer": opt.state_dict(),
        "epoch": 3,
        "loss": 0.25,
        "name": "run-1 ✓",
        "nothing": None,
        "flags": [True, False],
        "nested": {"tuple": (1, 2.5, "x"), "list": [1, [2, 3], []], "big": 2 ** 60, "neg": -70000,
                   "small": -3, "inf": float("inf"), "nan": float("nan"), "negzero": -0.0, "e": 1e-300},
    }
    torch.save(ckpt, path("checkpoint.pt"))
    expected["checkpoint.pt"] = describe(torch.load(path("checkpoint.pt")))

    # Dtypes and views.
    base = torch.arange(12, dtype=torch.float32).reshape(3, 4)
    tied = torch.tensor([0.5, -1.5])
    wide = torch.arange(2 * 3 * 1 * 2 * 2, dtype=torch.float64).reshape(2, 3, 1, 2, 2)
    dtypes = OrderedDict([
        ("float32", torch.tensor([1.5, -2.25, 3.4028234663852886e38, 1e-45, float("nan"), float("-inf")], dtype=torch.float32)),
        ("float64", torch.tensor([[math.pi, -1e300], [5e-324, -0.0]], dtype=torch.float64)),
        ("float16", torch.tensor([1.0, -2.0, 65504.0, 2 ** -24, float("inf"), -0.0, 0.333251953125], dtype=torch.float16)),
        ("bfloat16", torch.tensor([1.0, -3.140625, float("inf"), 1e38], dtype=torch.bfloat16)),
        ("int64", torch.tensor([[-2147483648, 2147483647], [-1, 5]], dtype=torch.int64)),
        ("int32", torch.tensor([7, -8, 2147483647], dtype=torch.int32)),
        ("int16", torch.tensor([-300, 300, -32768], dtype=torch.int16)),
        ("int8", torch.tensor([-128, 127], dtype=torch.int8)),
        ("uint8", torch.tensor([0, 255, 7], dtype=torch.uint8)),
        ("bool", torch.tensor([[True, False, True]])),
        ("scalar", torch.tensor(2.5)),
        ("long_scalar", torch.tensor(41)),
        ("empty", torch.zeros(0, 3)),
        ("transposed", torch.arange(6, dtype=torch.float32).reshape(2, 3).t()),
        ("whole", base),
        ("slice", base[1:, 1:3]),
        ("column", base[:, 2]),
        ("parameter", nn.Parameter(torch.tensor([[1.0, 2.0]]))),
        ("tied_a", tied),
        ("tied_b", tied),
        ("wide", wide.permute(4, 0, 3, 2, 1)),
    ])
    assert not dtypes["transposed"].is_contiguous() and dtypes["slice"].storage_offset() == 5
    torch.save(dtypes, path("dtypes.pt"))
    expected["dtypes.pt"] = describe(torch.load(path("dtypes.pt")))

    # Pickle protocol 4: FRAME, SHORT_BINUNICODE, MEMOIZE, BINFLOAT, LONG1, tuples of 4+.
    p4 = {"w": base[:2].t(), "h": torch.tensor([0.5], dtype=torch.float16), "name": "p4", "nums": [1, -2, 2 ** 70, 0.125],
          "t": (1, 2, 3, 4, 5), "empty": {}, "keys": {(1, 2): "tuple key", None: "none key"}}
    torch.save(p4, path("protocol4.pt"), pickle_protocol=4)
    expected["protocol4.pt"] = describe(torch.load(path("protocol4.pt")))

    torch.save({"n": torch.tensor([1, 2 ** 40, 3])}, path("int64-overflow.pt"))
    legacy = {"model": mlp().state_dict(), "whole": base, "slice": base[1:, 1:3], "long": torch.tensor([[1, -2]]),
              "half": torch.tensor([0.5, -1.0], dtype=torch.float16), "epoch": 3, "tags": ("a", None)}
    save_legacy(legacy, path("legacy.pt"))
    expected["legacy.pt"] = describe(torch.load(path("legacy.pt")))
    torch.save({"weights": torch.ones(2), "array": np.arange(3)}, path("numpy-global.pt"))

    with open(path("expected.json"), "w") as f:
        json.dump(expected, f, indent=1, ensure_ascii=False)
        f.write("\n")
    total = sum(os.path.getsize(path(n)) for n in os.listdir(out))
    print(f"wrote {out} ({total} bytes)")


if __name__ == "__main__":
    main()
