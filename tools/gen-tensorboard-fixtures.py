"""PyTorch oracle for Tensile's utils.tensorboard.SummaryWriter: the event files torch 1.13's
torch.utils.tensorboard.SummaryWriter writes for a fixed list of calls, record by record.

    /usr/bin/python3 tools/gen-tensorboard-fixtures.py [--out DIR]

torch.utils.tensorboard needs the `tensorboard` package, which Debian does not ship for
/usr/bin/python3. Install it (pure Python, from PyPI or a local mirror) into tools/.tbsite, which
this script puts on sys.path and git ignores:

    pip install --no-deps --target tools/.tbsite tensorboard==2.21.0 protobuf==6.33.6 absl-py six

Writes fixtures/tensorboard.json (deterministic: every call passes a wall time; the one event
PyTorch stamps with the clock, the file-version event, is recorded without its time). Each record
is kept whole (length, masked CRC-32C, Event bytes, masked CRC-32C, base64) with its decoded
fields; images also as the pixels of their PNG (the PNG bytes themselves depend on the encoder).

torch 1.13's make_histogram calls np.greater(counts, 0, dtype=np.int32), which this numpy
rejects ("No loop matching the specified signature"): the script patches that one call to
np.greater(counts, 0).astype(np.int32), the same values.
"""
import argparse
import base64
import io
import json
import os
import struct
import sys
import tempfile
import time

sys.dont_write_bytecode = True
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tools", ".tbsite"))

import numpy as np  # noqa: E402
import torchfix.pin_cpu  # noqa: E402,F401  (before torch: the same kernels on every machine)
import torch  # noqa: E402
import torch.utils.tensorboard.summary as tb_summary  # noqa: E402
from torch.utils.tensorboard import SummaryWriter  # noqa: E402
from tensorboard.compat.proto import event_pb2  # noqa: E402
from tensorboard.compat.tensorflow_stub.pywrap_tensorflow import masked_crc32c  # noqa: E402
from google.protobuf.json_format import MessageToDict  # noqa: E402
from PIL import Image  # noqa: E402

HEADER = {"generator": "tools/gen-tensorboard-fixtures.py", "torch": torch.__version__}


def _greater_int32(a, b, dtype=None):  # see the docstring
    return np.greater(a, b).astype(np.int32) if dtype is not None else np.greater(a, b)


class _NpShim:
    def __getattr__(self, name):
        return _greater_int32 if name == "greater" else getattr(np, name)


tb_summary.np = _NpShim()


def values():
    """200 float32 values: a spread of signs and magnitudes, zeros, and exact bucket edges."""
    g = torch.Generator().manual_seed(0)
    v = torch.randn(190, generator=g) * torch.logspace(-3, 2, 190)
    extra = torch.tensor([0.0, 0.0, -0.0, 1e-12, -1e-12, 1.0, -1.0, 3.5, 1e-30, 250.0])
    return torch.cat([v, extra]).to(torch.float32)


def images():
    g = torch.Generator().manual_seed(1)
    return {
        "chw1": torch.rand(1, 5, 4, generator=g),
        "hwc3": torch.rand(3, 2, 3, generator=g),
        "hw": torch.rand(2, 3, generator=g),
        "chw4": torch.rand(4, 2, 2, generator=g),
        "nchw": torch.rand(10, 1, 3, 2, generator=g),
    }


def calls(w, vals, imgs):
    """The calls, in order; test/utils-tensorboard.test.ts makes the same ones."""
    w.add_scalar("loss", 0.5, 3, walltime=1000.25)
    w.add_scalar("loss", torch.tensor(-1.75), 0, walltime=1000.5)
    w.add_scalar("acc", 0.0, 7, walltime=1001.0)
    w.add_scalar("big/step", 1e-3, 2 ** 40, walltime=1001.125)
    w.add_scalar("nostep", 2.5, walltime=1001.25)
    w.add_histogram("w", vals, 5, walltime=1002.0)
    w.add_histogram("w_uniform", vals, 6, bins=10, walltime=1002.5)
    w.add_histogram("w_max", vals, 7, max_bins=20, walltime=1003.0)
    w.add_histogram("constant", torch.tensor([2.0, 2.0, 2.0]), 8, bins=4, walltime=1003.5)
    w.add_histogram("edges", vals, 9, bins=np.array([-1.0, 0.0, 0.5, 2.0]), walltime=1004.0)
    w.add_text("note", "hello **world** \u00fc", 10, walltime=1004.5)
    w.add_image("chw1", imgs["chw1"], 11, walltime=1005.0)
    w.add_image("hwc3", imgs["hwc3"], 12, walltime=1005.5, dataformats="HWC")
    w.add_image("hw", imgs["hw"], 13, walltime=1006.0, dataformats="HW")
    w.add_image("chw4", imgs["chw4"], 14, walltime=1006.5)
    w.add_images("nchw", imgs["nchw"], 15, walltime=1007.0)
    w.add_scalars("run", {"a": 1.0, "b": -2.0}, 16, walltime=1007.5)
    # add_hparams takes no wall time: the clock is fixed while it runs (Tensile's walltime option)
    real_time = time.time
    time.time = lambda: 1008.0
    try:
        w.add_hparams({"lr": 0.01, "optimizer": "sgd", "batch": 64, "nesterov": True, "zero": 0.0, "none": None},
                      {"hparam/accuracy": 0.9, "hparam/loss": torch.tensor(0.25)},
                      hparam_domain_discrete={"optimizer": ["sgd", "adam"], "batch": [32, 64], "nesterov": [True, False]},
                      run_name="hp")
        w.add_hparams({"lr": torch.tensor([0.5]), "empty": ""}, {"m": 0.0}, run_name="hp2")
    finally:
        time.time = real_time


def records(path):
    data = open(path, "rb").read()
    out, at = [], 0
    while at < len(data):
        (n,) = struct.unpack("<Q", data[at:at + 8])
        (lcrc,) = struct.unpack("<I", data[at + 8:at + 12])
        assert lcrc == masked_crc32c(data[at:at + 8])
        body = data[at + 12:at + 12 + n]
        (dcrc,) = struct.unpack("<I", data[at + 12 + n:at + 16 + n])
        assert dcrc == masked_crc32c(body)
        out.append((data[at:at + 16 + n], body))
        at += 16 + n
    return out


def describe(framed, body):
    ev = event_pb2.Event.FromString(body)
    rec = {"record": base64.b64encode(framed).decode(), "event": MessageToDict(ev)}
    for v in ev.summary.value:
        if v.HasField("image"):
            im = Image.open(io.BytesIO(v.image.encoded_image_string))
            rec["pixels"] = base64.b64encode(np.asarray(im).tobytes()).decode()
            rec["event"]["summary"]["value"][0]["image"].pop("encodedImageString")
            rec.pop("record")  # the PNG bytes are the encoder's
        if v.HasField("histo"):
            # sum and sum_squares come from numpy's pairwise sum and BLAS ddot: compared with a tolerance
            rec["histoExact"] = False
    if ev.HasField("file_version"):
        rec = {"event": {"fileVersion": ev.file_version}}
    return rec


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", default=os.path.join(ROOT, "fixtures"))
    args = ap.parse_args()
    vals, imgs = values(), images()
    with tempfile.TemporaryDirectory() as d:
        w = SummaryWriter(d)
        calls(w, vals, imgs)
        w.close()
        runs = {}
        for sub, _dirs, files in sorted(os.walk(d)):
            for f in sorted(files):
                assert f.startswith("events.out.tfevents."), f
                rel = os.path.relpath(sub, d)
                runs[rel] = [describe(fr, b) for fr, b in records(os.path.join(sub, f))]
    out = dict(HEADER)
    out["values"] = [float(x) for x in vals.tolist()]
    out["images"] = {k: {"shape": list(t.shape), "data": [float(x) for x in t.reshape(-1).tolist()]} for k, t in imgs.items()}
    out["runs"] = runs
    os.makedirs(args.out, exist_ok=True)
    path = os.path.join(args.out, "tensorboard.json")
    with open(path, "w", encoding="utf-8") as f:
        json.dump(out, f, indent=None, separators=(",", ":"))
        f.write("\n")
    print(f"wrote {path}: " + ", ".join(f"{k}: {len(v)} events" for k, v in runs.items()))


if __name__ == "__main__":
    main()
