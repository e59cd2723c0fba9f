#!/usr/bin/python3
"""PyTorch's check of a .pt file written by Tensile's saveTorch / saveTorchBytes.

    /usr/bin/python3 tools/check-torchsave-roundtrip.py FILE.pt [--json OUT.json]

Loads FILE with torch.load (and records whether torch.load(weights_only=True) accepts it too: in
torch 1.13 its restricted unpickler has no BINFLOAT, so any Python float in the file makes it refuse),
checks the ZIP with Python's zipfile (CRCs, 64-byte alignment of every record as torch's writer
aligns them), and prints a description of the contents (the format of gen-torchsave-fixtures.py's
`describe`). If the file holds "model" (the Sequential(Linear(4, 3), ReLU, Linear(3, 2)) state dict
of the fixtures), it is loaded into that model with load_state_dict(strict=True) and the model's
output on the fixtures' input is recorded; if it holds "optimizer", it is loaded into an SGD over
that model with load_state_dict, which needs int keys in its "state". If it holds "tied", the two
entries must be one tensor object, as pickle's memo makes them. --json writes all of it, with the
file's SHA-256.
"""
import argparse
import hashlib
import json
import os
import sys
import zipfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import torchfix.pin_cpu  # noqa: E402,F401  (before torch: the same kernels on every machine)
import torch  # noqa: E402
from torch import nn  # noqa: E402

gen = __import__("gen-torchsave-fixtures")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("file")
    ap.add_argument("--json")
    args = ap.parse_args()
    raw = open(args.file, "rb").read()

    with zipfile.ZipFile(args.file) as z:
        assert z.testzip() is None, "a CRC is wrong"
        names = z.namelist()
        for info in z.infolist():
            # data starts after the 30-byte local header, the name and the extra field
            with open(args.file, "rb") as f:
                f.seek(info.header_offset + 26)
                n, e = int.from_bytes(f.read(2), "little"), int.from_bytes(f.read(2), "little")
            assert (info.header_offset + 30 + n + e) % 64 == 0, f"{info.filename} is not 64-byte aligned"
            assert info.compress_type == zipfile.ZIP_STORED

    obj = torch.load(args.file)
    try:
        torch.load(args.file, weights_only=True)
        weights_only = "ok"
    except Exception as e:  # noqa: BLE001
        weights_only = f"{type(e).__name__}: {e}"

    check = {"sha256": hashlib.sha256(raw).hexdigest(), "records": names, "weights_only": weights_only,
             "contents": gen.describe(obj)}
    if isinstance(obj, dict) and "model" in obj:
        model = gen.mlp()
        model.load_state_dict(obj["model"], strict=True)
        x = torch.linspace(-2, 2, 12).reshape(3, 4)
        with torch.no_grad():
            check["model_output"] = gen.describe(model(x))
        if "optimizer" in obj:
            opt = torch.optim.SGD(model.parameters(), lr=0.5)
            opt.load_state_dict(obj["optimizer"])
            assert len(opt.state) == len(obj["optimizer"]["state"]) > 0, "optimizer state did not attach to the parameters"
            check["optimizer_loaded"] = {"lr": opt.param_groups[0]["lr"], "states": len(opt.state)}
    if isinstance(obj, dict) and "tied" in obj:
        assert obj["tied"][0] is obj["tied"][1], "tied tensors came back as two objects"
        check["tied_same_object"] = True

    text = json.dumps(check, indent=1, ensure_ascii=False)
    if args.json:
        with open(args.json, "w") as f:
            f.write(json.dumps(check, ensure_ascii=False, separators=(",", ":")) + "\n")
    print(text if len(text) < 4000 else text[:4000] + "\n...")
    print(f"torch.load read {args.file}: OK", file=sys.stderr)


if __name__ == "__main__":
    main()
