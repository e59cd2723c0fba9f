"""PyTorch oracle for the pooling fixes after the differential fuzzer (/tmp/report-fuzz.md #4, #9,
#17): adaptive average pooling and `interpolate(mode="area")` / antialias with non-finite inputs,
max_pool3d's gradient on tied maxima, and which NaN max pooling picks. Run from the repository
root with Debian's torch (1.13):

    /usr/bin/python3 tools/gen-fuzz-fixes-pool-fixtures.py [--out DIR]

Writes fixtures/fuzz-fixes-pool.json (deterministic): {"generator", "torch", "cases": [...]}, one
case per call: {"issue": the report's number, "name", "op": Tensile's F.<op>, "input": tensor, "args": [positional args after
the input, in Tensile's form], "options": {Tensile's option names}, "out": tensor, "idx"?: int32
tensor, "gradOut": tensor, "grad": tensor}. "grad" is the gradient of sum(out · gradOut) with
respect to the input. A tensor is {"shape", "dtype", "data"} (flat, row-major; "nan", "inf",
"-inf" as strings). test/fuzz-fixes-pool.test.ts reads it.

(#2 of the report, max pooling windows that lie wholly in the padding, has no oracle: torch 1.13
computes out-of-range indices there and corrupts its own heap in the backward; the test checks
Tensile's documented behaviour instead.)
"""
import argparse
import json
import math
import os
import sys

sys.dont_write_bytecode = True

import torchfix.pin_cpu  # noqa: E402,F401  (before torch: the same kernels on every machine)
import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
HEADER = {"generator": "tools/gen-fuzz-fixes-pool-fixtures.py", "torch": torch.__version__}
torch.set_num_threads(1)
F64 = torch.float64
NAN, INF = float("nan"), float("inf")


def num(v):
    if math.isnan(v):
        return "nan"
    if math.isinf(v):
        return "inf" if v > 0 else "-inf"
    return v


def enc(t):
    t = t.detach()
    dtype = {torch.float64: "float64", torch.float32: "float32", torch.int64: "int32", torch.int32: "int32"}[t.dtype]
    data = [num(float(v)) if dtype != "int32" else int(v) for v in t.reshape(-1).tolist()]
    return {"shape": list(t.shape), "dtype": dtype, "data": data}


def mat(shape, seed, dtype=F64):
    """Deterministic entries: sin of a quadratic in the flat index."""
    n = math.prod(shape)
    i = torch.arange(n, dtype=F64)
    return (torch.sin(seed + 1.7 * i + 0.31 * i * i) * 2).reshape(shape).to(dtype)


def ties(shape, seed, levels=3, dtype=F64):
    """Small integers in [0, levels): many tied maxima per window."""
    return torch.floor((mat(shape, seed) + 2) / 4 * levels).clamp(0, levels - 1).to(dtype)


def put(x, at, values):
    x = x.clone()
    flat = x.view(-1)
    for i, v in zip(at, values):
        flat[i] = v
    return x


CASES = []


ISSUE = [""]


def case(name, op, x, args, options, fn):
    leaf = x.clone().requires_grad_()
    res = fn(leaf)
    out, idx = (res if isinstance(res, tuple) else (res, None))
    w = mat(list(out.shape), 7.5, out.dtype)
    (out * w).sum().backward()
    c = {"issue": ISSUE[0], "name": name, "op": op, "input": enc(x), "args": args, "options": options, "out": enc(out)}
    if idx is not None:
        c["idx"] = enc(idx)
    c["gradOut"] = enc(w)
    c["grad"] = enc(leaf.grad)
    CASES.append(c)


def adaptive_avg_cases():
    """#4: only a window's own elements contribute (torch: [inf, 2, 3, 4, 5] → [inf, 3, 4.5])."""
    ISSUE[0] = "#4"
    t = lambda v, *s: torch.tensor(v, dtype=F64).reshape(*s)  # noqa: E731
    case("aap1d inf first", "adaptiveAvgPool1d", t([INF, 2, 3, 4, 5], 1, 1, 5), [3], {}, lambda x: F.adaptive_avg_pool1d(x, 3))
    case("aap1d nan last", "adaptiveAvgPool1d", t([1, 2, 3, 4, NAN], 1, 1, 5), [3], {}, lambda x: F.adaptive_avg_pool1d(x, 3))
    x = put(mat([2, 3, 11], 1), [4, 40], [-INF, NAN])
    case("aap1d 11->4 batch", "adaptiveAvgPool1d", x, [4], {}, lambda x: F.adaptive_avg_pool1d(x, 4))
    case("aap2d nan corner", "adaptiveAvgPool2d", t([NAN, 1, 2, 3, 4, 5, 6, 7, 8], 1, 1, 3, 3), [2], {},
         lambda x: F.adaptive_avg_pool2d(x, 2))
    x = put(mat([2, 3, 5, 7], 2), [3 * 35 + 17, 70 + 34], [INF, -INF])
    case("aap2d 5x7->3x4 inf", "adaptiveAvgPool2d", x, [[3, 4]], {}, lambda x: F.adaptive_avg_pool2d(x, [3, 4]))
    x = put(mat([3, 5, 7], 3, torch.float32), [9], [NAN])
    case("aap2d unbatched float32 [2, null]", "adaptiveAvgPool2d", x, [[2, None]], {}, lambda x: F.adaptive_avg_pool2d(x, [2, None]))
    x = put(mat([1, 2, 3, 4, 5], 4), [0, 77], [NAN, INF])
    case("aap3d 3x4x5->2x3x2", "adaptiveAvgPool3d", x, [[2, 3, 2]], {}, lambda x: F.adaptive_avg_pool3d(x, [2, 3, 2]))
    case("area 1d inf", "interpolate", t([INF, 2, 3, 4, 5], 1, 1, 5), [], {"size": [3], "mode": "area"},
         lambda x: F.interpolate(x, size=[3], mode="area"))
    x = put(mat([1, 2, 5, 7], 5), [12], [INF])
    case("area 2d inf", "interpolate", x, [], {"size": [2, 4], "mode": "area"}, lambda x: F.interpolate(x, size=[2, 4], mode="area"))
    x = put(mat([1, 1, 3, 4, 5], 6), [31], [NAN])
    case("area 3d nan", "interpolate", x, [], {"size": [2, 2, 3], "mode": "area"}, lambda x: F.interpolate(x, size=[2, 2, 3], mode="area"))
    x = put(mat([1, 1, 3, 8], 7), [0], [INF])
    case("antialias bilinear inf", "interpolate", x, [], {"size": [2, 3], "mode": "bilinear", "antialias": True},
         lambda x: F.interpolate(x, size=[2, 3], mode="bilinear", antialias=True))
    case("antialias bicubic inf", "interpolate", x, [], {"size": [2, 3], "mode": "bicubic", "antialias": True},
         lambda x: F.interpolate(x, size=[2, 3], mode="bicubic", antialias=True))


def max_pool3d_tie_cases():
    """#9: torch gives a tied window's whole gradient to its first maximum in (d, h, w) scan order."""
    ISSUE[0] = "#9"
    case("maxPool3d ones k2", "maxPool3d", torch.ones(1, 1, 2, 2, 2, dtype=F64), [[2, 2, 2]], {}, lambda x: F.max_pool3d(x, [2, 2, 2]))
    x = ties([2, 2, 4, 5, 5], 1)
    case("maxPool3d ties k2 s1", "maxPool3d", x, [2], {"stride": 1}, lambda x: F.max_pool3d(x, 2, stride=1))
    x = ties([1, 2, 5, 6, 5], 2)
    case("maxPool3d ties k3 s2 p1 ceil", "maxPool3d", x, [3], {"stride": 2, "padding": 1, "ceilMode": True},
         lambda x: F.max_pool3d(x, 3, stride=2, padding=1, ceil_mode=True))
    x = ties([1, 2, 5, 5, 5], 3, levels=2)
    case("maxPool3d ties dilation 2 p1", "maxPool3d", x, [2], {"stride": 1, "padding": 1, "dilation": 2},
         lambda x: F.max_pool3d(x, 2, stride=1, padding=1, dilation=2))
    x = torch.full([1, 1, 3, 3, 3], -INF, dtype=F64)
    x = put(x, [13, 20], [-1.0, -1.0])
    case("maxPool3d -inf input, padding", "maxPool3d", x, [3], {"stride": 1, "padding": 1},
         lambda x: F.max_pool3d(x, 3, stride=1, padding=1))
    x = put(ties([1, 2, 3, 4, 4], 4), [0, 5, 17, 18, 40, 63], [NAN] * 6)
    case("maxPool3d nan k2 s1", "maxPool3d", x, [2], {"stride": 1}, lambda x: F.max_pool3d(x, 2, stride=1))
    case("maxPool3d nan k2 s1 indices", "maxPool3d", x, [2], {"stride": 1, "returnIndices": True},
         lambda x: F.max_pool3d(x, 2, stride=1, return_indices=True))


def nan_cases():
    """#17: with several NaNs in a window, torch's pooling kernels pick the last one."""
    ISSUE[0] = "#17"
    t = lambda v, *s: torch.tensor(v, dtype=F64).reshape(*s)  # noqa: E731
    case("amp1d nan nan 1", "adaptiveMaxPool1d", t([NAN, NAN, 1], 1, 1, 3), [1], {"returnIndices": True},
         lambda x: F.adaptive_max_pool1d(x, 1, return_indices=True))
    x = t([1, NAN, 2, NAN, 3, NAN, NAN, 0, 5, 5], 1, 1, 10)
    case("amp1d 10->4", "adaptiveMaxPool1d", x, [4], {"returnIndices": True}, lambda x: F.adaptive_max_pool1d(x, 4, return_indices=True))
    x = put(ties([2, 2, 5, 7], 5), [0, 1, 8, 15, 16, 40, 41, 47, 69, 70, 100, 139], [NAN] * 12)
    case("amp2d 5x7->2x3", "adaptiveMaxPool2d", x, [[2, 3]], {"returnIndices": True},
         lambda x: F.adaptive_max_pool2d(x, [2, 3], return_indices=True))
    case("amp2d ties no nan", "adaptiveMaxPool2d", ties([1, 2, 5, 7], 6), [[3, 4]], {"returnIndices": True},
         lambda x: F.adaptive_max_pool2d(x, [3, 4], return_indices=True))
    x = put(ties([1, 2, 3, 4, 5], 7), [0, 1, 21, 22, 59, 60, 61, 100], [NAN] * 8)
    case("amp3d 3x4x5->2x3x2", "adaptiveMaxPool3d", x, [[2, 3, 2]], {"returnIndices": True},
         lambda x: F.adaptive_max_pool3d(x, [2, 3, 2], return_indices=True))
    x = t([NAN, 1, NAN, 2, NAN, NAN, 0, 3, NAN], 1, 1, 9)
    case("maxPool1d nan k3 s2 p1", "maxPool1d", x, [3], {"stride": 2, "padding": 1, "returnIndices": True},
         lambda x: F.max_pool1d(x, 3, stride=2, padding=1, return_indices=True))
    x = put(ties([1, 2, 5, 6], 8), [0, 1, 6, 7, 13, 20, 21, 33, 34, 35], [NAN] * 10)
    case("maxPool2d nan k3 s2 p1", "maxPool2d", x, [3], {"stride": 2, "padding": 1, "returnIndices": True},
         lambda x: F.max_pool2d(x, 3, stride=2, padding=1, return_indices=True))
    x = put(ties([1, 1, 6, 6], 9), [0, 7, 14, 15, 21, 28], [NAN] * 6)
    samples = torch.tensor([[[0.3, 0.7]]], dtype=F64)
    case("fractionalMaxPool2d nan", "fractionalMaxPool2d", x, [2], {"outputSize": [3, 3], "returnIndices": True, "randomSamples": samples},
         lambda x: F.fractional_max_pool2d(x, 2, output_size=[3, 3], return_indices=True, _random_samples=samples))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", default=os.path.join(ROOT, "fixtures"))
    a = ap.parse_args()
    adaptive_avg_cases()
    max_pool3d_tie_cases()
    nan_cases()
    for c in CASES:  # tensors in options (the fractional samples) travel encoded
        c["options"] = {k: (enc(v) if isinstance(v, torch.Tensor) else v) for k, v in c["options"].items()}
    path = os.path.join(a.out, "fuzz-fixes-pool.json")
    with open(path, "w") as f:
        json.dump({**HEADER, "cases": CASES}, f, separators=(",", ":"))
        f.write("\n")
    print(f"wrote {path} ({len(CASES)} cases)")


if __name__ == "__main__":
    main()
