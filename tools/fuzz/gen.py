"""Generates random differential-fuzzing cases and PyTorch's results for them (tools/fuzz/README.md).

  /usr/bin/python3 tools/fuzz/gen.py FAMILY SEED COUNT OUT.json
FAMILY is one of the keys of FAMILIES below (or "all"); the same seed gives the same cases.
"""
import json
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
sys.path.insert(0, os.path.dirname(__file__))
import torchfix.pin_cpu  # noqa: E402,F401

import torch  # noqa: E402

import genlib  # noqa: E402
from fam_math import gen_binary, gen_inplace, gen_matmul, gen_reduce, gen_ternary, gen_unary  # noqa: E402
from fam_nn import gen_big, gen_conv, gen_index, gen_interp, gen_nn, gen_pool, gen_shape  # noqa: E402
from fam_fft import gen_fft  # noqa: E402
from fam_linalg import gen_linalg  # noqa: E402
from fam_loss import gen_loss  # noqa: E402
from fam_seq import gen_seq  # noqa: E402
from fam_norm import gen_convt, gen_norm  # noqa: E402
from fam_idx2 import gen_cum, gen_index2  # noqa: E402
from fam_dist import gen_dist  # noqa: E402
from fam_grad2 import gen_grad2  # noqa: E402
from fam_func import gen_func  # noqa: E402
from fam_vision import gen_vision  # noqa: E402
from genlib import T  # noqa: E402
from spec import run_case  # noqa: E402

FAMILIES = {"big": gen_big, "unary": gen_unary, "binary": gen_binary, "ternary": gen_ternary, "inplace": gen_inplace, "reduce": gen_reduce,
            "matmul": gen_matmul, "index": gen_index, "shape": gen_shape, "conv": gen_conv, "pool": gen_pool,
            "interp": gen_interp, "nn": gen_nn, "linalg": gen_linalg, "loss": gen_loss, "seq": gen_seq, "fft": gen_fft,
            "norm": gen_norm, "convt": gen_convt, "index2": gen_index2, "cum": gen_cum, "dist": gen_dist,
            "vision": gen_vision, "grad2": gen_grad2, "func": gen_func}


def main():
    fam, seed, count, out = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
    genlib.R.seed(seed)
    fams = list(FAMILIES) if fam == "all" else fam.split(",")
    cases = []
    torch.set_num_threads(1)
    for i in range(count):
        f = fams[i % len(fams)]
        c = FAMILIES[f]()
        c["id"] = f"{f}-{seed}-{i}"
        if c["call"]["fn"] == "take_idx":  # x[idx] in torch
            c["call"] = {"fn": "m.__getitem__", "args": [T("x"), T("i")], "kw": {}}
        if os.environ.get("FUZZ_TRACE"):
            print(c["id"], json.dumps(c["call"]), flush=True)
        if "skip_torch" in c:
            c["error"] = c.pop("skip_torch")
        else:
            run_case(c)
        cases.append(c)
    with open(out, "w") as fh:
        json.dump(cases, fh)
    nerr = sum(1 for c in cases if "error" in c)
    print(f"{out}: {len(cases)} cases ({nerr} torch errors)")


if __name__ == "__main__":
    main()
