"""PyTorch's answers for the dtype helpers that return dtypes or booleans rather than tensors, so they
cannot sit in the op table: torch.promote_types, torch.can_cast, torch.result_type (tensor and
tensor, tensor and number). Writes fixtures/tensor-api.json; test/tensor-api.test.ts reads it.

    /usr/bin/python3 tools/gen-tensor-api-fixtures.py [--out DIR]

Tensile's dtypes map onto torch's as float32, float64, int32 (torch.int32; Tensile has no int64)
and bool. result_type is asked of dimensioned tensors only: Tensile gives 0-dim tensors no lower
priority (docs/core-api.md), and a JS number 2.0 is an integer, so only 2 and 2.5 are asked.
"""
import argparse
import json
import os

import torchfix.pin_cpu  # noqa: F401  (before torch, as the other generators)
import torch

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DTYPES = {"float32": torch.float32, "float64": torch.float64, "int32": torch.int32, "bool": torch.bool}
NAME = {v: k for k, v in DTYPES.items()}
NAME[torch.int64] = "int32"  # bool tensor and an int: int64 in torch, Tensile's one integer dtype


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", default=os.path.join(ROOT, "fixtures"), help="output folder")
    opts = ap.parse_args()
    promote, cast, result_tt, result_ts = [], [], [], []
    for a, da in DTYPES.items():
        for b, db in DTYPES.items():
            promote.append([a, b, NAME[torch.promote_types(da, db)]])
            cast.append([a, b, bool(torch.can_cast(da, db))])
            result_tt.append([a, b, NAME[torch.result_type(torch.zeros(2, dtype=da), torch.zeros(2, dtype=db))]])
        for s in (2, 2.5, True):
            result_ts.append([a, s, NAME[torch.result_type(torch.zeros(2, dtype=da), s)]])
    out = {"generator": "tools/gen-tensor-api-fixtures.py", "torch": torch.__version__,
           "promoteTypes": promote, "canCast": cast, "resultTypeTensors": result_tt, "resultTypeScalar": result_ts}
    os.makedirs(opts.out, exist_ok=True)
    path = os.path.join(opts.out, "tensor-api.json")
    with open(path, "w", encoding="utf-8") as f:
        f.write(json.dumps(out, separators=(",", ":")) + "\n")
    print(f"torch {torch.__version__}: {path}: {len(promote)} promote_types, {len(cast)} can_cast, "
          f"{len(result_tt) + len(result_ts)} result_type answers")


if __name__ == "__main__":
    main()
