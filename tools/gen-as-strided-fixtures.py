"""PyTorch oracle for torch.as_strided / Tensor.as_strided / Tensor.as_strided_: for each case, the
view as_strided makes (shape, strides, storage offset, values) and the gradient that reaches the
leaf through it (torch's as_strided_backward: the output gradient added into the input's storage
positions, overlapping outputs accumulating, an overlapping input's share divided by its count),
plus the errors torch gives. test/as-strided.test.ts makes the same calls.
Run from the repository root with Debian's torch (1.13):

    /usr/bin/python3 tools/gen-as-strided-fixtures.py [--out DIR]

Writes fixtures/as-strided.json. Inputs are written implicitly by the formulas the test repeats:
the leaf b = arange(n) (float32), the output gradient weights w[i] = (7·i mod 11) − 4.5 over the
output's elements in row-major order (exact in float32, non-uniform).
"""
import argparse
import os
import sys
import warnings

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import torchfix.pin_cpu  # noqa: F401,E402  (before torch: fixed CPU kernels)
import torch  # noqa: E402
from torchfix.fixio import enc, write_json  # noqa: E402

warnings.filterwarnings("ignore")


def leaf(n, dtype=torch.float32):
    return torch.arange(n, dtype=dtype).requires_grad_()


def weights(t):
    i = torch.arange(t.numel())
    return ((7 * i) % 11 - 4.5).to(t.dtype).reshape(t.shape)


def view(t):
    return {"shape": list(t.shape), "strides": list(t.stride()), "offset": t.storage_offset(), "values": enc(t)}


# name → (leaf size, the input as a function of the leaf, the as_strided call on it); the test holds
# the same table
CASES = {
    "contiguous": (12, lambda b: b, lambda x: x.as_strided([3, 2], [2, 3], 1)),
    "leaf_view_default_offset": (12, lambda b: b.view(3, 4), lambda x: x.as_strided([2, 3], [4, 1])),
    "transposed": (12, lambda b: (b * 1).view(3, 4).t(), lambda x: x.as_strided([2, 2], [4, 1], 1)),
    "transposed_windows": (12, lambda b: (b * 1).view(3, 4).t(), lambda x: x.as_strided([3, 3], [1, 1])),
    "sliced_offset": (12, lambda b: (b * 1).view(3, 4)[1:, 1:3], lambda x: x.as_strided([2, 2], [1, 4])),
    "sliced_reads_outside": (12, lambda b: (b * 1).view(3, 4)[1:, 1:3], lambda x: x.as_strided([3], [1], 3)),
    "tail_default_offset": (8, lambda b: b[2:], lambda x: x.as_strided([2], [3])),
    "stride0": (8, lambda b: b, lambda x: x.as_strided([3, 4], [0, 1], 2)),
    "windows": (12, lambda b: b, lambda x: x.as_strided([5, 4], [2, 1])),
    "nested": (12, lambda b: b.as_strided([4, 3], [2, 1], 1), lambda x: x.as_strided([3, 3], [3, 1], 2)),
    "expanded_input": (6, lambda b: b[:3].expand(2, 3), lambda x: x.as_strided([2, 2], [1, 1])),
    "size1_dims": (6, lambda b: b, lambda x: x.as_strided([1, 3, 1], [100, 2, 7], 0)),
    "scalar": (6, lambda b: b, lambda x: x.as_strided([], [], 5)),
    "empty": (6, lambda b: b, lambda x: x.as_strided([0, 3], [1, 100], 50)),
    "float64": (6, lambda b: b.double() * 1, lambda x: x.as_strided([2, 3], [1, 1], 1)),
}


def run_case(n, make_input, call):
    b = leaf(n)
    x = make_input(b)
    out = call(x)
    (out * weights(out)).sum().backward()
    return {"out": view(out.detach()), "grad": enc(b.grad)}


def cases():
    res = {name: run_case(*spec) for name, spec in CASES.items()}
    # int32 (no autograd): a view like any other
    i = torch.arange(6, dtype=torch.int32)
    res["int32"] = {"out": view(i.as_strided([2, 2], [1, 2], 1))}
    # in place on an op's output: y takes the view and the node
    b = leaf(6)
    y = b * 1
    y.as_strided_([2, 2], [1, 2], 1)
    (y * weights(y)).sum().backward()
    res["inplace"] = {"out": view(y.detach()), "grad": enc(b.grad)}
    # in place on a view of part of a storage, no autograd: the base keeps its view
    z = torch.zeros(12)
    v = z[2:]
    v.as_strided_([2, 3], [3, 1])
    v.fill_(5.0)
    res["inplace_part"] = {"view": view(v), "base": view(z)}
    errs = {}
    for name, fn in {
        "out_of_bounds": lambda: torch.arange(8.0).as_strided([2, 2], [1, 1], 7),
        "out_of_bounds_float64": lambda: torch.arange(4.0, dtype=torch.float64).as_strided([2, 2], [1, 1], 3),
        "out_of_bounds_view": lambda: torch.arange(8.0)[4:].as_strided([5], [1]),
        "negative_stride": lambda: torch.arange(8.0).as_strided([2, 2], [-1, 1]),
        "mismatch": lambda: torch.arange(8.0).as_strided([2, 2], [1]),
        "negative_offset": lambda: torch.arange(8.0).as_strided([2, 2], [1, 1], -1),
        "leaf_inplace": lambda: leaf(4).as_strided_([2], [1]),
        "inplace_out_of_bounds": lambda: torch.arange(4.0).as_strided_([2], [3], 1),
    }.items():
        try:
            fn()
            errs[name] = None
        except Exception as e:  # noqa: BLE001
            errs[name] = str(e).split("\n")[0]
    res["errors"] = errs
    return res


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", default="fixtures")
    args = ap.parse_args()
    write_json(args.out, "as-strided.json", cases())


if __name__ == "__main__":
    main()
