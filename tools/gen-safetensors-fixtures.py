#!/usr/bin/python3
"""PyTorch side of the safetensors interop fixtures (fixtures/safetensors/).

Run with Debian's torch:   /usr/bin/python3 tools/gen-safetensors-fixtures.py [--out DIR]
(after `node --import tsx tools/make-tensile-safetensors.ts`, which writes tensile-net.safetensors).
--out writes the outputs elsewhere (to diff against the committed ones); tensile-net.safetensors is
always read from fixtures/safetensors/.

Writes:
  torch-net.safetensors            the text's Net (fc1 784->32, relu, fc2 32->10), PyTorch's default
                                   init under torch.manual_seed(0), as safetensors.torch.save_file would
  torch-net-expected.json          PyTorch's logits for the shared inputs
  torch-dtypes.safetensors         one small tensor per dtype PyTorch 1.13 has (F16, BF16, I64, ...)
  torch-dtypes-expected.json       their values, as float64 lists
  torch-net-truncated.safetensors  the first 1000 bytes of torch-net.safetensors
  torch-net-corrupted.safetensors  torch-net.safetensors with fc2.weight's dtype changed F32 -> F64
  tensile-net-torch-check.json     tensile-net.safetensors read here: every weight checked against the
                                   formulas of tools/make-tensile-safetensors.ts, and PyTorch's logits

The python `safetensors` package is used when installed; otherwise the format is read and written
by hand below, following the reference implementation (tensors sorted by descending dtype
alignment then name, compact JSON header padded with spaces to 8 bytes).
"""
import argparse
import hashlib
import json
import os
import struct

import numpy as np
import torchfix.pin_cpu  # noqa: E402,F401  (before torch: the same kernels on every machine)
import torch
from torch import nn

FIXTURES = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "fixtures", "safetensors"))
OUT = FIXTURES
N_IN, HIDDEN, N_OUT = 784, 32, 10

# The reference implementation's Dtype enum order (increasing alignment) and element sizes.
DTYPES = ["BOOL", "U8", "I8", "F8_E5M2", "F8_E4M3", "I16", "U16", "F16", "BF16", "I32", "U32", "F32", "F64", "I64", "U64"]
SIZES = {"BOOL": 1, "U8": 1, "I8": 1, "F8_E5M2": 1, "F8_E4M3": 1, "I16": 2, "U16": 2, "F16": 2, "BF16": 2,
         "I32": 4, "U32": 4, "F32": 4, "F64": 8, "I64": 8, "U64": 8}
TORCH_TO_ST = {torch.bool: "BOOL", torch.uint8: "U8", torch.int8: "I8", torch.int16: "I16", torch.float16: "F16",
               torch.bfloat16: "BF16", torch.int32: "I32", torch.float32: "F32", torch.float64: "F64", torch.int64: "I64"}
ST_TO_TORCH = {v: k for k, v in TORCH_TO_ST.items()}

try:
    from safetensors.torch import save as _lib_save, load as _lib_load  # type: ignore
except ImportError:
    _lib_save = _lib_load = None


def tensor_bytes(t: torch.Tensor) -> bytes:
    t = t.detach().contiguous().cpu()
    if t.dtype == torch.bfloat16:  # numpy has no bfloat16: go through the int16 bit pattern
        t = t.view(torch.int16)
    return t.numpy().astype(t.numpy().dtype.newbyteorder("<"), copy=False).tobytes()


def st_save(tensors: dict, metadata=None) -> bytes:
    """safetensors.torch.save(tensors, metadata), by hand when the library is missing."""
    if _lib_save is not None:
        return _lib_save(tensors, metadata=metadata)
    items = sorted(tensors.items(), key=lambda kv: (-DTYPES.index(TORCH_TO_ST[kv[1].dtype]), kv[0].encode("utf-8")))
    header, datas, offset = {}, [], 0
    if metadata is not None:
        header["__metadata__"] = metadata
    for name, t in items:
        b = tensor_bytes(t)
        header[name] = {"dtype": TORCH_TO_ST[t.dtype], "shape": list(t.shape), "data_offsets": [offset, offset + len(b)]}
        datas.append(b)
        offset += len(b)
    h = json.dumps(header, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    h += b" " * ((8 - len(h) % 8) % 8)
    return struct.pack("<Q", len(h)) + h + b"".join(datas)


def st_load(data: bytes):
    """(tensors, metadata) from safetensors bytes, validated as the reference implementation does."""
    (n,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8:8 + n].decode("utf-8"))
    metadata = header.pop("__metadata__", None)
    if _lib_load is not None:
        return _lib_load(data), metadata
    buf = data[8 + n:]
    end = 0
    out = {}
    for name, info in sorted(header.items(), key=lambda kv: kv[1]["data_offsets"]):
        b, e = info["data_offsets"]
        count = int(np.prod(info["shape"], dtype=np.int64))
        assert b == end and e - b == count * SIZES[info["dtype"]], f"bad offsets for {name}"
        end = e
        dt = info["dtype"]
        if dt == "BF16":
            arr = np.frombuffer(buf[b:e], dtype="<i2").copy()
            t = torch.from_numpy(arr).view(torch.bfloat16)
        else:
            np_dt = {"BOOL": "?", "U8": "u1", "I8": "i1", "I16": "<i2", "F16": "<f2", "I32": "<i4",
                     "F32": "<f4", "F64": "<f8", "I64": "<i8"}[dt]
            t = torch.from_numpy(np.frombuffer(buf[b:e], dtype=np_dt).copy())
        out[name] = t.reshape(info["shape"])
    assert end == len(buf), "tensors do not cover the data buffer"
    return out, metadata


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(N_IN, HIDDEN)
        self.relu = nn.ReLU()
        self.fc2 = nn.Linear(HIDDEN, N_OUT)

    def forward(self, x):
        return self.fc2(self.relu(self.fc1(x)))


def grid(rows, cols, f):
    i, j = np.meshgrid(np.arange(rows, dtype=np.int64), np.arange(cols, dtype=np.int64), indexing="ij")
    return f(i, j).astype(np.float64).astype(np.float32)  # one float64 quotient, rounded once


def inputs(count=4):
    """x[n][j] = ((n*131 + j*29) mod 256) / 255 (as fixtureInputs in make-tensile-safetensors.ts)."""
    return torch.from_numpy(grid(count, N_IN, lambda i, j: ((i * 131 + j * 29) % 256) / 255))


def tensile_formulas():
    return {
        "fc1.weight": grid(HIDDEN, N_IN, lambda i, j: ((i * 37 + j * 11) % 97 - 48) / 1000),
        "fc1.bias": grid(HIDDEN, 1, lambda i, j: ((i * 7) % 13 - 6) / 100).reshape(HIDDEN),
        "fc2.weight": grid(N_OUT, HIDDEN, lambda i, j: ((i * 5 + j * 3) % 17 - 8) / 50),
        "fc2.bias": grid(N_OUT, 1, lambda i, j: (i % 5 - 2) / 10).reshape(N_OUT),
    }


def write(name, data):
    with open(os.path.join(OUT, name), "wb" if isinstance(data, bytes) else "w") as f:
        f.write(data)


def dump_json(name, obj):
    write(name, json.dumps(obj, indent=1) + "\n")


def main():
    global OUT
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", default=FIXTURES, help="output folder (default: fixtures/safetensors)")
    OUT = ap.parse_args().out
    os.makedirs(OUT, exist_ok=True)
    x = inputs()
    inputs_doc = "x[n][j] = float32(((n*131 + j*29) % 256) / 255), n < 4, j < 784"

    # 1. PyTorch -> Tensile: the text's Net with PyTorch's own initialisation.
    torch.manual_seed(0)
    net = Net().eval()
    sd = net.state_dict()
    net_bytes = st_save(dict(sd))
    write("torch-net.safetensors", net_bytes)
    with torch.no_grad():
        logits = net(x)
    dump_json("torch-net-expected.json", {
        "generator": "tools/gen-safetensors-fixtures.py", "torch": torch.__version__,
        "keys": list(sd.keys()), "shapes": {k: list(v.shape) for k, v in sd.items()},
        "inputs": inputs_doc, "input_sum": float(x.double().sum()),
        "logits": logits.double().tolist(), "argmax": logits.argmax(1).tolist(),
    })
    back, _ = st_load(net_bytes)
    assert all(torch.equal(back[k], v) for k, v in sd.items())

    # 2. Every dtype PyTorch 1.13 can put in safetensors, with the values Tensile must read.
    g = torch.Generator().manual_seed(1)
    base = torch.randn(2, 3, generator=g, dtype=torch.float64) * 100
    dt = {
        "f16": (base / 50).half(), "bf16": (base / 50).bfloat16(), "f64": base, "f32": base.float(),
        "i64": base.round().long() * 1000, "i32": base.round().int(), "i16": base.round().short(),
        "i8": (base / 2).round().clamp(-128, 127).char(), "u8": base.abs().round().clamp(0, 255).byte(),
        "bool": base > 0, "scalar": torch.tensor(2.5), "empty": torch.zeros(0, 4),
        "num_batches_tracked": torch.tensor(123456789012 % 2**31, dtype=torch.int64),
    }
    write("torch-dtypes.safetensors", st_save(dt, metadata={"format": "pt"}))
    dump_json("torch-dtypes-expected.json", {
        "generator": "tools/gen-safetensors-fixtures.py",
        "tensors": {k: {"dtype": TORCH_TO_ST[v.dtype], "shape": list(v.shape),
                        "values": v.double().flatten().tolist()} for k, v in dt.items()},
    })
    # An I64 outside int32, which Tensile must refuse to load silently wrong.
    write("torch-i64-overflow.safetensors", st_save({"big": torch.tensor([1, 2**31, 3], dtype=torch.int64)}))

    # 3. Damaged copies.
    write("torch-net-truncated.safetensors", net_bytes[:1000])
    (n,) = struct.unpack("<Q", net_bytes[:8])
    head = net_bytes[8:8 + n].decode("utf-8")
    key = '"fc2.weight":{"dtype":"F32"'
    assert key in head
    bad = head.replace(key, key.replace("F32", "F64")).encode("utf-8")
    write("torch-net-corrupted.safetensors", net_bytes[:8] + bad + net_bytes[8 + n:])

    # 4. Tensile -> PyTorch: verify tensile-net.safetensors against the formulas, run PyTorch's forward.
    path = os.path.join(FIXTURES, "tensile-net.safetensors")
    if not os.path.exists(path):
        print("tensile-net.safetensors missing: run `node --import tsx tools/make-tensile-safetensors.ts` first")
        return
    with open(path, "rb") as f:
        data = f.read()
    tensors, metadata = st_load(data)
    want = tensile_formulas()
    assert sorted(tensors) == sorted(want), f"keys {sorted(tensors)}"
    for k, w in want.items():
        t = tensors[k]
        assert t.dtype == torch.float32 and list(t.shape) == list(w.shape), f"{k}: {t.dtype} {list(t.shape)}"
        assert np.array_equal(t.numpy(), w), f"{k} differs from its formula"
    model = Net().eval()
    model.load_state_dict(tensors, strict=True)
    with torch.no_grad():
        tl = model(x)
    dump_json("tensile-net-torch-check.json", {
        "generator": "tools/gen-safetensors-fixtures.py", "torch": torch.__version__,
        "file_sha256": hashlib.sha256(data).hexdigest(), "metadata": metadata,
        "weights_verified": True, "keys_in_file_order": list(json.loads(data[8:8 + struct.unpack("<Q", data[:8])[0]]).keys()),
        "inputs": inputs_doc, "logits": tl.double().tolist(), "argmax": tl.argmax(1).tolist(),
    })
    print("fixtures written to", os.path.normpath(OUT))


if __name__ == "__main__":
    main()
