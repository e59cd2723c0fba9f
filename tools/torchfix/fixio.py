"""Shared encoders for the fixture generators: a tensor as {"shape", "dtype", "data"} with int64 as
int32 (Tensile's index dtype) and non-finite floats as the strings "nan", "inf", "-inf" (JSON has
none). Newer generators import these; older ones keep their own variants (their fixture formats
differ in small ways the tests rely on)."""
import math

import torch


def num(v):
    """A JSON-safe number: NaN and ±inf as strings."""
    if isinstance(v, float):
        if math.isnan(v):
            return "nan"
        if math.isinf(v):
            return "inf" if v > 0 else "-inf"
    return v


def enc(t):
    """A tensor as {"shape", "dtype", "data"} (row-major; bool as 0/1, int64 as int32)."""
    t = t.detach()
    if t.dtype == torch.bool:
        return {"shape": list(t.shape), "dtype": "bool", "data": [int(v) for v in t.reshape(-1).tolist()]}
    if t.dtype in (torch.int64, torch.int32):
        return {"shape": list(t.shape), "dtype": "int32", "data": [int(v) for v in t.reshape(-1).tolist()]}
    dtype = "float64" if t.dtype == torch.float64 else "float32"
    return {"shape": list(t.shape), "dtype": dtype, "data": [num(float(v)) for v in t.reshape(-1).tolist()]}


def write_json(out_dir, name, data):
    """Writes OUT_DIR/NAME as compact JSON plus a newline, atomically (a temporary file, then a rename)."""
    import json
    import os

    os.makedirs(out_dir, exist_ok=True)
    path = os.path.join(out_dir, name)
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        json.dump(data, f, separators=(",", ":"), allow_nan=False)
        f.write("\n")
    os.replace(tmp, path)
    print("wrote", os.path.relpath(path), os.path.getsize(path), "bytes")
